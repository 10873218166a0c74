/* Files sealed with a key of their own: libsodium's secretstream (XChaCha20-Poly1305) in
 * chunks of CRYPTO_SEAL_CHUNK bytes, the last one tagged final, so a truncated, reordered or
 * altered file fails to open instead of giving partial content. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fd.h"
#include "crypto/crypto.h"

int crypto_seal_file(int in, int out, const unsigned char key[CRYPTO_KEY_BYTES])
{
	_Static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == CRYPTO_KEY_BYTES,
		       "key size");
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
	int rc = fd_write_all(out, header, sizeof(header));
	unsigned char *plain = malloc(CRYPTO_SEAL_CHUNK),
		      *cipher =
			  malloc(CRYPTO_SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	if (!plain || !cipher)
		rc = PONTE_ENOMEM;
	/* Read one chunk ahead, to know which chunk is the last. */
	size_t n = 0, next = 0;
	if (!rc)
		rc = fd_read_full(in, plain, CRYPTO_SEAL_CHUNK, &n);
	unsigned char *ahead = rc ? NULL : malloc(CRYPTO_SEAL_CHUNK);
	if (!rc && !ahead)
		rc = PONTE_ENOMEM;
	for (bool last = false; !rc && !last;) {
		rc = n == CRYPTO_SEAL_CHUNK ? fd_read_full(in, ahead, CRYPTO_SEAL_CHUNK, &next) : 0;
		if (n < CRYPTO_SEAL_CHUNK)
			next = 0;
		last = n < CRYPTO_SEAL_CHUNK || next == 0;
		unsigned long long clen;
		if (!rc)
			crypto_secretstream_xchacha20poly1305_push(
			    &st, cipher, &clen, plain, n, NULL, 0,
			    last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
		if (!rc)
			rc = fd_write_all(out, cipher, (size_t)clen);
		unsigned char *t = plain;
		plain = ahead;
		ahead = t;
		n = next;
	}
	sodium_memzero(&st, sizeof(st));
	if (plain)
		sodium_memzero(plain, CRYPTO_SEAL_CHUNK);
	if (ahead)
		sodium_memzero(ahead, CRYPTO_SEAL_CHUNK);
	free(plain);
	free(ahead);
	free(cipher);
	return rc;
}

int crypto_open_file(int in, const unsigned char key[CRYPTO_KEY_BYTES], size_t max, buf *out)
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	size_t got;
	int rc = fd_read_full(in, header, sizeof(header), &got);
	if (!rc && (got != sizeof(header) ||
		    crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0))
		rc = PONTE_EINVAL;
	const size_t clen = CRYPTO_SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
	unsigned char *cipher = rc ? NULL : malloc(clen),
		      *plain = rc ? NULL : malloc(CRYPTO_SEAL_CHUNK);
	if (!rc && (!cipher || !plain))
		rc = PONTE_ENOMEM;
	for (bool final = false; !rc && !final;) {
		rc = fd_read_full(in, cipher, clen, &got);
		if (rc)
			break;
		unsigned long long plen;
		unsigned char tag;
		/* An empty read before the final chunk is a truncated file. */
		if (got < crypto_secretstream_xchacha20poly1305_ABYTES ||
		    crypto_secretstream_xchacha20poly1305_pull(&st, plain, &plen, &tag, cipher, got,
							       NULL, 0) != 0) {
			rc = PONTE_EINVAL;
			break;
		}
		final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		if (!final && got < clen)
			rc = PONTE_EINVAL; /* a short chunk that is not the last */
		else if (out->len + plen > max)
			rc = PONTE_ELIMIT;
		else
			rc = buf_append(out, plain, (size_t)plen);
	}
	/* Bytes after the final chunk: appended by someone. */
	if (!rc && fd_read_full(in, header, 1, &got) == 0 && got)
		rc = PONTE_EINVAL;
	sodium_memzero(&st, sizeof(st));
	if (plain)
		sodium_memzero(plain, CRYPTO_SEAL_CHUNK);
	free(plain);
	free(cipher);
	return rc;
}
