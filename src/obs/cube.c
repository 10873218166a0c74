/* Building, caching, loading and sharing the cube of observatory records. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obs/cube.h"

/* clang-format off */
/* The count only when building: counting a million rows is what the cache saves. */
static const char SQL_VERSION[] =
    "SELECT CASE WHEN ?1 <> 0 THEN (SELECT count(*) FROM obs_records) END, version, nonce "
    "FROM obs_state WHERE id = 1";
static const char SQL_SCAN[] =
    "SELECT year, source, gender, age_band, majority, citizenship, country_of_exploitation, "
    "CASE WHEN exploitation_known <> 0 THEN exploitation END, "
    "CASE WHEN control_known <> 0 THEN control END, status, provider_id, "
    "CASE WHEN citizenship IS NULL OR country_of_exploitation IS NULL THEN NULL "
    "WHEN citizenship = country_of_exploitation THEN 'domestic' ELSE 'transnational' END, "
    "k.record_key FROM obs_records r LEFT JOIN obs_record_keys k ON k.row_key = r.row_key";
/* clang-format on */
static const bool MULTI[CUBE_DIMS] = { [7] = true, [8] = true };

#define MAGIC "PONTE-CUBE-5\n"

/* The file: MAGIC, the version (count, obs_state's version and nonce), n, then per dimension the
 * number of names and the names (NUL-terminated), then the arrays: masks, record keys, codes. */
struct header {
	char magic[16];
	int64_t count, version, nonce;
	uint64_t n;
	uint64_t nnames[CUBE_DIMS];
	uint64_t names_bytes;
};

void cube_release(cube *c)
{
	for (int d = 0; d < CUBE_DIMS; d++)
		free((void *)c->names[d]);
	free(c->mem);
	memset(c, 0, sizeof(*c));
}

static int version_of(store *db, bool counted, int64_t *count, int64_t *version, int64_t *nonce)
{
	store_conn *conn;
	store_stmt *st;
	int rc = store_conn_get(db, &conn);
	if (!rc)
		rc = store_prepare(conn, SQL_VERSION, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, counted);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*count = store_col_int64(st, 0);
		*version = store_col_int64(st, 1);
		*nonce = store_col_int64(st, 2);
	}
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ESTORE;
}

/* ---- building ---- */

struct builder {
	char *names[CUBE_DIMS][CUBE_MAX_VALUES];
	size_t lens[CUBE_DIMS][CUBE_MAX_VALUES];
	size_t nnames[CUBE_DIMS];
	size_t last[CUBE_DIMS]; /* the code found last: files come sorted more often than not */
};

/* The code of a value in dimension d (0 is "missing" for single-valued ones). */
static int code_of(struct builder *b, int d, const char *v, size_t len, size_t *code)
{
	size_t l = b->last[d];
	if (l < b->nnames[d] && b->lens[d][l] == len && memcmp(b->names[d][l], v, len) == 0) {
		*code = l;
		return 0;
	}
	for (size_t i = 0; i < b->nnames[d]; i++)
		if (b->lens[d][i] == len && memcmp(b->names[d][i], v, len) == 0) {
			*code = b->last[d] = i;
			return 0;
		}
	size_t max = MULTI[d] ? CUBE_MAX_CODES : CUBE_MAX_VALUES;
	if (b->nnames[d] >= max)
		return PONTE_ELIMIT;
	if (!(b->names[d][b->nnames[d]] = strndup(v, len)))
		return PONTE_ENOMEM;
	b->lens[d][b->nnames[d]] = len;
	*code = b->last[d] = b->nnames[d]++;
	return 0;
}

static int row(struct builder *b, store_stmt *st, cube *c, size_t r)
{
	for (int d = 0; d < CUBE_DIMS; d++) {
		size_t len = 0, code;
		const char *v = store_col_is_null(st, d) ? NULL : store_col_text(st, d, &len);
		if (!MULTI[d]) {
			int rc = v ? code_of(b, d, v, len, &code) : (code = 0, 0);
			if (rc)
				return rc;
			c->codes[d][r] = (uint16_t)code;
			continue;
		}
		uint32_t mask = v ? CUBE_KNOWN : 0;
		for (const char *s = v, *end = v ? v + len : NULL; v && s < end;) {
			const char *comma = memchr(s, ',', (size_t)(end - s));
			size_t l = comma ? (size_t)(comma - s) : (size_t)(end - s);
			int rc = code_of(b, d, s, l, &code);
			if (rc)
				return rc;
			mask |= 1u << code;
			s += l + 1;
		}
		c->masks[d][r] = mask;
	}
	/* A record written before its key (none should be) counts with key 0. */
	c->keys[r] = (uint32_t)store_col_int64(st, CUBE_DIMS);
	return 0;
}

/* Lay out the header, the names and the arrays in one allocation. */
static int layout(cube *c, struct header *h, struct builder *b, size_t n)
{
	size_t names_bytes = 0;
	for (int d = 0; d < CUBE_DIMS; d++)
		for (size_t i = 0; b && i < b->nnames[d]; i++)
			names_bytes += strlen(b->names[d][i]) + 1;
	if (b)
		h->names_bytes = names_bytes;
	names_bytes = (size_t)h->names_bytes;
	size_t arrays = n * 4; /* the keys */
	for (int d = 0; d < CUBE_DIMS; d++)
		arrays += n * (MULTI[d] ? 4 : 2);
	size_t total = sizeof(*h) + ((names_bytes + 7) & ~(size_t)7) + arrays;
	if (!(c->mem = malloc(total ? total : 1)))
		return PONTE_ENOMEM;
	c->n = n;
	unsigned char *p = c->mem + sizeof(*h) + ((names_bytes + 7) & ~(size_t)7);
	for (int d = 0; d < CUBE_DIMS; d++) { /* masks and keys first: 4-byte aligned */
		c->multi[d] = MULTI[d];
		if (MULTI[d]) {
			c->masks[d] = (uint32_t *)(void *)p;
			p += n * 4;
		}
	}
	c->keys = (uint32_t *)(void *)p;
	p += n * 4;
	for (int d = 0; d < CUBE_DIMS; d++)
		if (!MULTI[d]) {
			c->codes[d] = (uint16_t *)(void *)p;
			p += n * 2;
		}
	return 0;
}

/* The names as an array per dimension, pointing into the names area of mem. */
static int index_names(cube *c, const struct header *h)
{
	const char *p = (const char *)c->mem + sizeof(*h), *end = p + h->names_bytes;
	for (int d = 0; d < CUBE_DIMS; d++) {
		c->nnames[d] = (size_t)h->nnames[d];
		if (!(c->names[d] = calloc(c->nnames[d] + 1, sizeof(char *))))
			return PONTE_ENOMEM;
		for (size_t i = 0; i < c->nnames[d]; i++) {
			const char *nul = memchr(p, '\0', (size_t)(end - p));
			if (!nul)
				return PONTE_EINVAL;
			c->names[d][i] = p;
			p = nul + 1;
		}
	}
	return 0;
}

static int build(store *db, cube *c, struct header *h)
{
	struct builder *b = calloc(1, sizeof(*b));
	if (!b)
		return PONTE_ENOMEM;
	for (int d = 0; d < CUBE_DIMS; d++)
		if (!MULTI[d]) {
			b->lens[d][0] = 7;
			b->names[d][b->nnames[d]++] = strdup("missing");
		}
	store_conn *conn;
	store_stmt *st;
	int rc = store_conn_get(db, &conn);
	if (!rc)
		rc = store_begin_read(conn);
	if (!rc && !(rc = version_of(db, true, &h->count, &h->version, &h->nonce)))
		rc = layout(c, h, NULL, (size_t)h->count);
	if (!rc)
		rc = store_prepare(conn, SQL_SCAN, &st);
	size_t r = 0;
	while (!rc && (rc = store_step(st)) == STORE_ROW)
		rc = r < c->n ? row(b, st, c, r++) : PONTE_ESTORE;
	if (rc >= 0 || rc == STORE_DONE)
		store_reset(st);
	if (conn)
		store_commit(conn);
	rc = rc < 0 ? rc : r == c->n ? 0 : PONTE_ESTORE;
	/* The names go in front of the arrays: lay out again and move the arrays. */
	if (!rc) {
		cube tmp = *c;
		c->mem = NULL;
		if (!(rc = layout(c, h, b, tmp.n))) {
			for (int d = 0; d < CUBE_DIMS; d++) {
				h->nnames[d] = b->nnames[d];
				if (MULTI[d])
					memcpy(c->masks[d], tmp.masks[d], tmp.n * 4);
				else
					memcpy(c->codes[d], tmp.codes[d], tmp.n * 2);
			}
			memcpy(c->keys, tmp.keys, tmp.n * 4);
			char *p = (char *)c->mem + sizeof(*h);
			for (int d = 0; d < CUBE_DIMS; d++)
				for (size_t i = 0; i < b->nnames[d]; i++) {
					size_t l = strlen(b->names[d][i]) + 1;
					memcpy(p, b->names[d][i], l);
					p += l;
				}
			memcpy(h->magic, MAGIC, sizeof(MAGIC));
			h->n = c->n;
			memcpy(c->mem, h, sizeof(*h));
			rc = index_names(c, h);
		}
		free(tmp.mem);
	}
	for (int d = 0; d < CUBE_DIMS; d++)
		for (size_t i = 0; i < b->nnames[d]; i++)
			free(b->names[d][i]);
	free(b);
	return rc;
}

/* ---- the cache file ---- */

static size_t file_size(const cube *c, const struct header *h)
{
	size_t arrays = c->n * 4;
	for (int d = 0; d < CUBE_DIMS; d++)
		arrays += c->n * (MULTI[d] ? 4 : 2);
	return sizeof(*h) + ((h->names_bytes + 7) & ~(uint64_t)7) + arrays;
}

static void save(const char *path, const cube *c, const struct header *h)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= sizeof(tmp))
		return;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return; /* a read-only directory: the cube is only built */
	size_t n = file_size(c, h), done = 0;
	while (done < n) {
		ssize_t w = write(fd, c->mem + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fd);
	if (done != n || rename(tmp, path) != 0)
		unlink(tmp);
}

static int load(const char *path, int64_t version, int64_t nonce, cube *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_ENOTFOUND;
	struct header h;
	struct stat sb;
	int rc = PONTE_ENOTFOUND;
	if (fstat(fd, &sb) == 0 && read(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
	    memcmp(h.magic, MAGIC, sizeof(MAGIC)) == 0 && h.count == (int64_t)h.n &&
	    h.version == version && h.nonce == nonce && h.names_bytes < (1u << 24)) {
		rc = layout(c, &h, NULL, (size_t)h.n);
		size_t n = rc ? 0 : file_size(c, &h);
		if (!rc && (uint64_t)sb.st_size != n)
			rc = PONTE_ENOTFOUND;
		size_t done = sizeof(h);
		memcpy(c->mem, &h, sizeof(h));
		while (!rc && done < n) {
			ssize_t r = read(fd, c->mem + done, n - done);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				rc = PONTE_EIO;
			else
				done += (size_t)r;
		}
		if (!rc)
			rc = index_names(c, &h);
		/* A code beyond its names would index past them: check once. */
		for (int d = 0; !rc && d < CUBE_DIMS; d++)
			for (size_t i = 0; !MULTI[d] && i < c->n; i++)
				if (c->codes[d][i] >= c->nnames[d]) {
					rc = PONTE_EINVAL;
					break;
				}
	}
	close(fd);
	if (rc)
		cube_release(c);
	return rc;
}

/* A private cube of the current records, from the cache file or built. */
int cube_load(store *db, cube *c)
{
	memset(c, 0, sizeof(*c));
	char path[4200];
	/* Beside an SQLite file; in the files folder of a PostgreSQL store (none: not kept). */
	const char *files = store_files_dir(db);
	int l = !store_is_pg(db) ? snprintf(path, sizeof(path), "%s.obs-cube", store_path(db))
		: files          ? snprintf(path, sizeof(path), "%s/obs-cube", files)
				 : snprintf(path, sizeof(path), "%s", "");
	if ((size_t)l >= sizeof(path))
		return PONTE_ELIMIT;
	int64_t count, version, nonce;
	int rc = version_of(db, false, &count, &version, &nonce);
	if (rc)
		return rc;
	if (*path && load(path, version, nonce, c) == 0)
		return 0;
	struct header h = { 0 };
	rc = build(db, c, &h);
	if (!rc && *path)
		save(path, c, &h);
	return rc;
}

/* ---- the shared cube ---- */

/* One cube per process: a server counts every table of every page from the same copy. A
 * reader holds a reference; a newer version replaces the shared pointer, and the last reader
 * of the old copy frees it. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static cube *shared;

static void unref(cube *c)
{
	if (c && --c->refs == 0) {
		cube_release(c);
		free(c);
	}
}

int cube_acquire(store *db, const cube **out)
{
	*out = NULL;
	int64_t count, version, nonce;
	int rc = version_of(db, false, &count, &version, &nonce);
	if (rc)
		return rc;
	const char *path = store_path(db);
	pthread_mutex_lock(&shared_lock);
	if (!shared || shared->version != version || shared->nonce != nonce ||
	    strcmp(shared->path, path) != 0) {
		/* Built under the lock: readers of a stale cube wait once for the new one rather
		 * than each building their own. */
		cube *c = calloc(1, sizeof(*c));
		rc = c ? cube_load(db, c) : PONTE_ENOMEM;
		if (rc) {
			free(c);
			pthread_mutex_unlock(&shared_lock);
			return rc;
		}
		/* The version read with the records: a change in between makes it stale at once. */
		const struct header *h = (const struct header *)(const void *)c->mem;
		c->version = h->version;
		c->nonce = h->nonce;
		snprintf(c->path, sizeof(c->path), "%s", path);
		static uint64_t generations;
		c->generation = ++generations; /* under the lock */
		c->refs = 1;                   /* the shared pointer's */
		unref(shared);
		shared = c;
	}
	shared->refs++;
	*out = shared;
	pthread_mutex_unlock(&shared_lock);
	return 0;
}

void cube_put(const cube *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&shared_lock);
	unref((cube *)(uintptr_t)c);
	pthread_mutex_unlock(&shared_lock);
}
