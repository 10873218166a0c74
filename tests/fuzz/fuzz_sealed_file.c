/* libFuzzer: sealed files (case attachments). Arbitrary bytes on disk never open; any content
 * sealed opens back to itself; a sealed file cut or extended anywhere never opens. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crypto/crypto.h"

static int memfd_with(const uint8_t *data, size_t n)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0 || (n && write(fd, data, n) != (ssize_t)n))
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		if (crypto_init())
			abort();
		ready = true;
	}
	unsigned char key[CRYPTO_KEY_BYTES];
	memset(key, 7, sizeof(key));
	buf out;
	buf_init(&out, 1u << 20);
	/* Bytes from nowhere: never opened. */
	int fd = memfd_with(data, size);
	if (crypto_open_file(fd, key, 1u << 20, &out) == 0)
		abort();
	close(fd);
	/* Sealed and opened: the same bytes, even across chunk boundaries (the content is
	 * repeated up to a few chunks). */
	size_t reps = size ? (data[0] % 4) + 1 : 1, n = size * reps;
	uint8_t *content = malloc(n ? n : 1);
	for (size_t i = 0; i < reps; i++)
		memcpy(content + i * size, data, size);
	int in = memfd_with(content, n), sealed = memfd_create("sealed", 0);
	if (crypto_seal_file(in, sealed, key))
		abort();
	close(in);
	off_t len = lseek(sealed, 0, SEEK_END);
	lseek(sealed, 0, SEEK_SET);
	buf_release(&out);
	buf_init(&out, (size_t)n + 1);
	if (crypto_open_file(sealed, key, n + 1, &out) || out.len != n ||
	    (n && memcmp(out.data, content, n)))
		abort();
	/* Cut at a place the input chooses: never opens. */
	off_t cut = size > 1 ? (off_t)((data[1] * 257u + size) % (uint64_t)len) : len - 1;
	if (ftruncate(sealed, cut))
		abort();
	lseek(sealed, 0, SEEK_SET);
	buf_release(&out);
	buf_init(&out, (size_t)n + 1);
	if (crypto_open_file(sealed, key, n + 1, &out) == 0)
		abort();
	close(sealed);
	buf_release(&out);
	free(content);
	return 0;
}
