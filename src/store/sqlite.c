/* The SQLite driver: one file per database, WAL, a connection per thread (store.c keeps
 * them). Invariants in store.h and driver.h. */
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/log.h"
#include "store/driver.h"

static int map_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return PONTE_EBUSY;
	case SQLITE_NOMEM: return PONTE_ENOMEM;
	case SQLITE_CONSTRAINT: return PONTE_EEXIST;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT: return PONTE_ESCHEMA;
	case SQLITE_FULL: return PONTE_ENOSPC; /* a write refused for want of room */
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY: return PONTE_EIO;
	default: return PONTE_ESTORE;
	}
}

/* Memory statistics make every SQLite allocation take one global mutex: with a thread per
 * core that is the main point of contention. Ponte does not use them. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

#ifdef PONTE_FAULT_ALLOC
/* Test builds: SQLite's own allocations can be made to fail too (base/fault.h). */
static sqlite3_mem_methods sqlite_mem;
static void *fault_malloc(int n)
{
	return FAULT_ALLOC(FAULT_SQLITE) ? NULL : sqlite_mem.xMalloc(n);
}
static void *fault_realloc(void *p, int n)
{
	return FAULT_ALLOC(FAULT_SQLITE) ? NULL : sqlite_mem.xRealloc(p, n);
}
static void install_fault_hooks(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
		return;
	sqlite3_mem_methods m = sqlite_mem;
	m.xMalloc = fault_malloc;
	m.xRealloc = fault_realloc;
	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}
#endif

static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef PONTE_FAULT_ALLOC
	install_fault_hooks();
#endif
}

static int open_connection(const char *path, int flags, const store_options *opt, sqlite3 **out)
{
	pthread_once(&sqlite_once, configure_sqlite);
	sqlite3 *db = NULL;
	int rc =
	    sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close_v2(db);
		return map_sqlite(rc);
	}
	sqlite3_busy_timeout(db, opt->busy_timeout_ms);
	sqlite3_extended_result_codes(db, 1);
	*out = db;
	return 0;
}

/* Settings that hold per connection (journal_mode=WAL is persistent, set at creation). */
static int configure_connection(sqlite3 *db)
{
	return map_sqlite(sqlite3_exec(db,
				       "PRAGMA foreign_keys=ON;"
				       "PRAGMA synchronous=FULL;"
				       "PRAGMA temp_store=MEMORY;"
				       /* Reads map the file instead of copying each page through
					* pread: large scans (statistics, search copies) halve. */
				       "PRAGMA mmap_size=268435456;"
				       "PRAGMA trusted_schema=OFF;",
				       NULL, NULL, NULL));
}

/* Read the 100-byte SQLite header without SQLite, so a foreign file is never touched. */
static int check_header(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? PONTE_ENOTFOUND : PONTE_EIO;
	}
	unsigned char h[100];
	ssize_t n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(err, errlen,
			 "%s is not a Ponte database (not an SQLite file); refusing to use it",
			 path);
		return PONTE_ESCHEMA;
	}
	uint32_t app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
	if (app != STORE_APPLICATION_ID) {
		snprintf(
		    err, errlen,
		    "%s is an SQLite database of another program, not Ponte; refusing to use it",
		    path);
		return PONTE_ESCHEMA;
	}
	return 0;
}

int store_sqlite_create(const char *path, const store_options *opt, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	const char *d = dirname(dir);
	struct stat st;
	if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "directory %s does not exist", d);
		return PONTE_ENOTFOUND;
	}
	if (lstat(path, &st) == 0) {
		int rc = check_header(path, err, errlen);
		if (rc == 0)
			snprintf(err, errlen, "%s is already a Ponte database; use `ponte migrate`",
				 path);
		return rc ? rc : PONTE_EEXIST;
	}
	sqlite3 *db = NULL;
	store_options o = { .busy_timeout_ms = 2000 };
	int rc =
	    open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, opt ? opt : &o, &db);
	if (!rc)
		rc = map_sqlite(
		    sqlite3_exec(db,
				 /* In rollback mode, so the id reaches the main file
					      * at once; then WAL for good. */
				 "PRAGMA application_id=1347374676;" /* STORE_APPLICATION_ID */
				 "PRAGMA journal_mode=WAL;",
				 NULL, NULL, NULL));
	if (!rc)
		rc = configure_connection(db);
	sqlite3_close_v2(db);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", path, ponte_strerror(rc));
		unlink(path);
	}
	return rc;
}

/* The file is Ponte's, and it opens: then each thread opens its own connection when it
 * needs one, and no idle connection is kept in the caller's thread. */
int store_sqlite_check(store *s, char *err, size_t errlen)
{
	int rc = check_header(s->path, err, errlen);
	if (rc)
		return rc;
	sqlite3 *db = NULL;
	rc = open_connection(s->path, SQLITE_OPEN_READWRITE, &s->opt, &db);
	if (!rc)
		rc = configure_connection(db);
	if (db)
		sqlite3_close_v2(db);
	if (rc)
		snprintf(err, errlen, "cannot open %s: %s", s->path, ponte_strerror(rc));
	return rc;
}

static int conn_open(store *s, void **out)
{
	sqlite3 *db = NULL;
	int rc = open_connection(s->path, SQLITE_OPEN_READWRITE, &s->opt, &db);
	if (!rc)
		rc = configure_connection(db);
	if (rc) {
		if (db)
			sqlite3_close_v2(db);
		return rc;
	}
	*out = db;
	return 0;
}

static void conn_close(void *db)
{
	sqlite3_close_v2(db);
}

static int prepare(void *db, const char *sql, void **h)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		log_msg(LOG_ERROR, "store_prepare_failed", sqlite3_errmsg(db));
		return map_sqlite(rc);
	}
	*h = st;
	return 0;
}

static void finalize(void *h)
{
	sqlite3_finalize(h);
}

static void reset(void *h)
{
	sqlite3_reset(h);
	sqlite3_clear_bindings(h);
}

static int bind_text(void *h, int idx, const char *s, size_t n)
{
	if (n > INT32_MAX)
		return PONTE_ELIMIT;
	return map_sqlite(sqlite3_bind_text(h, idx, s, (int)n, SQLITE_TRANSIENT));
}

static int bind_int64(void *h, int idx, int64_t v)
{
	return map_sqlite(sqlite3_bind_int64(h, idx, v));
}

static int bind_double(void *h, int idx, double v)
{
	return map_sqlite(sqlite3_bind_double(h, idx, v));
}

static int bind_blob(void *h, int idx, const void *p, size_t n)
{
	if (n > INT32_MAX)
		return PONTE_ELIMIT;
	return map_sqlite(sqlite3_bind_blob(h, idx, p, (int)n, SQLITE_TRANSIENT));
}

static int bind_null(void *h, int idx)
{
	return map_sqlite(sqlite3_bind_null(h, idx));
}

static int step(void *h)
{
	int rc = sqlite3_step(h);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return map_sqlite(rc);
}

/* SQLite answers NULL for the columns of a NULL statement: a reset handle reads as NULL. */
static const char *col_text(void *h, int col, size_t *len)
{
	const char *p = (const char *)sqlite3_column_text(h, col);
	if (len)
		*len = p ? (size_t)sqlite3_column_bytes(h, col) : 0;
	return p;
}

static int64_t col_int64(void *h, int col)
{
	return sqlite3_column_int64(h, col);
}

static double col_double(void *h, int col)
{
	return sqlite3_column_double(h, col);
}

static const void *col_blob(void *h, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(h, col);
	*len = (size_t)sqlite3_column_bytes(h, col);
	return p;
}

static bool col_is_null(void *h, int col)
{
	return sqlite3_column_type(h, col) == SQLITE_NULL;
}

static int col_count(void *h)
{
	return h ? sqlite3_column_count(h) : 0;
}

static int col_kind(void *h, int col)
{
	switch (sqlite3_column_type(h, col)) {
	case SQLITE_INTEGER: return STORE_KIND_INT;
	case SQLITE_FLOAT: return STORE_KIND_REAL;
	case SQLITE_TEXT: return STORE_KIND_TEXT;
	case SQLITE_BLOB: return STORE_KIND_BLOB;
	default: return STORE_KIND_NULL;
	}
}

static int exec(void *db, const char *sql)
{
	return map_sqlite(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

static int begin(void *db, bool write)
{
	return exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

static bool in_transaction(void *db)
{
	return !sqlite3_get_autocommit(db);
}

static int64_t last_insert_id(void *db)
{
	return sqlite3_last_insert_rowid(db);
}

static int64_t changes(void *db)
{
	return sqlite3_changes64(db);
}

static const char *errmsg(void *db)
{
	return sqlite3_errmsg(db);
}

static int checkpoint(void *db)
{
	return map_sqlite(
	    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL));
}

/* VACUUM INTO runs in one read transaction: a consistent copy of the last commit before it
 * began, while writers carry on (WAL). The path is bound, never spliced. */
static int snapshot(void *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc = map_sqlite(sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL));
	if (!rc)
		rc = map_sqlite(sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT));
	if (!rc) {
		int r = sqlite3_step(st);
		rc = r == SQLITE_DONE ? 0 : map_sqlite(r);
	}
	sqlite3_finalize(st);
	return rc;
}

static int set_wal(void *db)
{
	return exec(db, "PRAGMA journal_mode=WAL");
}

static int integrity_check(void *db, char *why, size_t whylen)
{
	sqlite3_stmt *st = NULL;
	int rc = map_sqlite(sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &st, NULL));
	snprintf(why, whylen, "%s", "");
	int r = SQLITE_DONE;
	size_t used = 0;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (line && strcmp(line, "ok") == 0)
			continue;
		if (used < whylen)
			used += (size_t)snprintf(why + used, whylen - used, "%s%s",
						 used ? "; " : "", line ? line : "?");
		rc = PONTE_EINVAL;
	}
	if (!rc && r != SQLITE_DONE) {
		rc = map_sqlite(r);
		snprintf(why, whylen, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	/* A page SQLite cannot read at all is corruption too, not a store failure. */
	return rc == PONTE_ESCHEMA ? PONTE_EINVAL : rc;
}

/* A table name from sqlite_schema is spliced into the count below: only plain lower-case
 * identifiers are accepted (every table of Ponte's migrations is one), so a hostile database
 * (an archive being restored) cannot inject anything. */
static bool plain_identifier(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static int table_counts(void *db, store_count_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = map_sqlite(sqlite3_prepare_v2(
	    db,
	    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
	    "'sqlite%' ESCAPE '\\' ORDER BY name",
	    -1, &st, NULL));
	int r = SQLITE_DONE;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		/* Virtual tables' shadow tables (full-text search) are counted with the rest;
		 * the virtual tables themselves are skipped (their module may be absent). */
		if (!plain_identifier(name))
			continue;
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", name);
		sqlite3_stmt *cnt = NULL;
		rc = map_sqlite(sqlite3_prepare_v2(db, sql, -1, &cnt, NULL));
		int rr = rc ? SQLITE_ERROR : sqlite3_step(cnt);
		if (!rc && rr != SQLITE_ROW)
			rc = map_sqlite(rr);
		if (!rc)
			rc = fn(name, sqlite3_column_int64(cnt, 0), ctx);
		sqlite3_finalize(cnt);
	}
	if (!rc && r != SQLITE_DONE)
		rc = map_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}

const store_driver store_sqlite_driver = { .name = "sqlite", STORE_DRIVER_OPERATIONS };
