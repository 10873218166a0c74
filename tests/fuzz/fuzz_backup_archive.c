/* libFuzzer: the backup archive reader (src/backup/archive.c), which a restore runs on a file
 * that may come from anywhere. The first byte chooses what the rest is:
 *   0: an archive as it lies on disk (header, lengths, ciphertext): never accepted;
 *   1: the records inside, each "u16 length, bytes", sealed under a fixed key as a writer
 *      would, so the state machine, the entry names and the manifest check see any order
 *      and content; whatever the reader accepts must match what the sink received;
 *   2: a manifest's text, parsed alone.
 * No input may crash, leak or write outside the sink. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backup/backup.h"

bool backup_entry_name_valid(char kind, const char *name, size_t n);

typedef struct counting {
	uint64_t declared, received, entries;
	bool open;
} counting;

/* Whether a path leaves the folder it is written under: a part that is "." or "..", or a
 * leading "/". ("a..b" and "...." are names like any other.) */
static bool escapes(const char *name)
{
	if (name[0] == '/')
		return true;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p += n + (p[n] == '/');
	}
	return false;
}

static int on_begin(void *ctx, char kind, const char *name, uint64_t size)
{
	counting *c = ctx;
	if (c->open || !backup_entry_name_valid(kind, name, strlen(name)) || escapes(name))
		abort(); /* the reader let a bad name or a nested entry through */
	c->open = true;
	c->declared = size;
	c->received = 0;
	return 0;
}

static int on_data(void *ctx, const void *p, size_t n)
{
	counting *c = ctx;
	(void)p;
	if (!c->open || n > c->declared - c->received)
		abort(); /* more content than declared reached the sink */
	c->received += n;
	return 0;
}

static int on_end(void *ctx)
{
	counting *c = ctx;
	if (!c->open || c->received != c->declared)
		abort();
	c->open = false;
	c->entries++;
	return 0;
}

static int read_back(int fd, const backup_key *k, bool *accepted)
{
	lseek(fd, 0, SEEK_SET);
	arena a;
	arena_init(&a, 64u << 20);
	counting c = { 0 };
	backup_sink sink = { on_begin, on_data, on_end, &c };
	backup_manifest m;
	char why[512];
	int rc = backup_archive_read(fd, k, &sink, &a, &m, why, sizeof(why));
	*accepted = rc == 0;
	if (rc == 0 && (c.open || c.entries != m.nentries))
		abort(); /* accepted, yet the sink saw other entries than the manifest lists */
	arena_release(&a);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		if (crypto_init())
			abort();
		ready = true;
	}
	if (size < 1)
		return 0;
	backup_key k = { .kind = BACKUP_KEY_INSTANCE, .has_master = true };
	memset(k.master, 7, sizeof(k.master));
	int mode = data[0] % 3;
	data++;
	size--;
	if (mode == 2) {
		arena a;
		arena_init(&a, 64u << 20);
		backup_manifest m;
		char why[512];
		backup_manifest_parse(&a, (const char *)data, size, &m, why, sizeof(why));
		arena_release(&a);
		return 0;
	}
	int fd = memfd_create("archive", 0);
	if (fd < 0)
		abort();
	bool accepted;
	if (mode == 0) {
		if (size && write(fd, data, size) != (ssize_t)size)
			abort();
		read_back(fd, &k, &accepted);
		if (accepted)
			abort(); /* bytes from nowhere authenticated */
		close(fd);
		return 0;
	}
	backup_writer *w;
	if (backup_writer_start(fd, &k, &w))
		abort();
	size_t i = 0;
	while (i + 2 <= size) {
		size_t n = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		bool last = i + n + 2 > size;
		if (backup_writer_record(w, data + i, n, last))
			abort();
		i += n;
	}
	backup_writer_free(w);
	read_back(fd, &k, &accepted);
	close(fd);
	return 0;
}
