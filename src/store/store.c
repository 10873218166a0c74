#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "store/store.h"

/* Distinct SQL constants one thread may use: a slot is a few words and outlives its statement,
 * so a handle never comes to name another SQL text. SQL is only ever a constant of the
 * program (some 400 of them), so this ceiling is only reached by a bug that builds SQL. */
#define STMT_MAX_SLOTS 4096

/* One SQL constant on one connection. The slot lives as long as the connection; its
 * statement may be finalized (stmt NULL) while it sits unheld at the head of the LRU list. */
struct store_stmt {
	const char *sql; /* identity: the address of the constant */
	store_conn *owner;
	sqlite3_stmt *stmt; /* NULL when evicted */
	bool held;          /* between store_prepare() and store_reset(): never evicted */
	struct store_stmt *lru_prev, *lru_next; /* in conn->lru while prepared and not held */
};

struct store_conn {
	store *owner;
	sqlite3 *db;
	struct store_conn *next; /* in owner->conns, guarded by owner->lock */
	/* Open-addressed index of slots by SQL address (linear probing, at most half full). */
	struct store_stmt **index;
	size_t index_size, nslots;
	size_t nprepared; /* slots with a statement */
	/* Prepared statements nobody holds, least recently used first: the only ones that may be
	 * finalized to make room. */
	struct store_stmt *lru_head, *lru_tail;
};

struct store {
	char *path;
	uint64_t serial; /* unique among the stores this process opened */
	store_options opt;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct store_conn *conns;
};

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
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
	case SQLITE_READONLY: return PONTE_EIO;
	default: return PONTE_ESTORE;
	}
}

static void conn_free(struct store_conn *c)
{
	for (size_t i = 0; i < c->index_size; i++) {
		if (c->index[i]) {
			sqlite3_finalize(c->index[i]->stmt);
			free(c->index[i]);
		}
	}
	free(c->index);
	sqlite3_close_v2(c->db);
	free(c);
}

static void conn_unlink(store *s, struct store_conn *c)
{
	pthread_mutex_lock(&s->lock);
	for (struct store_conn **p = &s->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

/* Runs when a thread that used the store exits. */
static void conn_thread_exit(void *p)
{
	struct store_conn *c = p;
	conn_unlink(c->owner, c);
	conn_free(c);
}

/* Memory statistics make every SQLite allocation take one global mutex: with a thread per
 * core that is the main point of contention. Ponte does not use them. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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

static store *store_new(const char *path, const store_options *opt)
{
	store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->path = strdup(path);
	static _Atomic uint64_t opened;
	s->serial = atomic_fetch_add(&opened, 1) + 1;
	s->opt.busy_timeout_ms = opt && opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 2000;
	if (!s->path || pthread_key_create(&s->key, conn_thread_exit)) {
		free(s->path);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
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

int store_create(const char *path, const store_options *opt, store **out, char *err, size_t errlen)
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
		return rc;
	}
	return store_open(path, opt, out, err, errlen);
}

int store_open(const char *path, const store_options *opt, store **out, char *err, size_t errlen)
{
	int rc = check_header(path, err, errlen);
	if (rc)
		return rc;
	store *s = store_new(path, opt);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return PONTE_ENOMEM;
	}
	/* Prove the file opens, then let each thread open its own connection when it needs one:
	 * no idle connection is kept in the caller's thread. */
	sqlite3 *db = NULL;
	rc = open_connection(path, SQLITE_OPEN_READWRITE, &s->opt, &db);
	if (!rc)
		rc = configure_connection(db);
	if (db)
		sqlite3_close_v2(db);
	if (rc) {
		snprintf(err, errlen, "cannot open %s: %s", path, ponte_strerror(rc));
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	struct store_conn *c = s->conns;
	s->conns = NULL;
	pthread_mutex_unlock(&s->lock);
	while (c) {
		struct store_conn *next = c->next;
		conn_free(c);
		c = next;
	}
	pthread_setspecific(s->key, NULL);
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

uint64_t store_serial(const store *s)
{
	return s->serial;
}

const char *store_path(const store *s)
{
	return s->path;
}

int store_conn_get(store *s, store_conn **out)
{
	struct store_conn *c = pthread_getspecific(s->key);
	if (c) {
		*out = c;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return PONTE_ENOMEM;
	c->owner = s;
	int rc = open_connection(s->path, SQLITE_OPEN_READWRITE, &s->opt, &c->db);
	if (!rc)
		rc = configure_connection(c->db);
	if (rc) {
		if (c->db)
			sqlite3_close_v2(c->db);
		free(c);
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, c);
	*out = c;
	return 0;
}

static size_t slot_home(const store_conn *c, const char *sql)
{
	/* Constants are aligned and close together: mix the address before masking. */
	uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 32) & (c->index_size - 1);
}

static struct store_stmt *slot_find(const store_conn *c, const char *sql)
{
	if (!c->index_size)
		return NULL;
	for (size_t i = slot_home(c, sql);; i = (i + 1) & (c->index_size - 1)) {
		if (!c->index[i] || c->index[i]->sql == sql)
			return c->index[i];
	}
}

static void slot_place(store_conn *c, struct store_stmt *slot)
{
	size_t i = slot_home(c, slot->sql);
	while (c->index[i])
		i = (i + 1) & (c->index_size - 1);
	c->index[i] = slot;
}

/* A new slot for sql, growing the index so it stays at most half full. */
static int slot_add(store_conn *c, const char *sql, struct store_stmt **out)
{
	if (c->nslots == STMT_MAX_SLOTS) {
		log_msg(LOG_ERROR, "store_too_many_statements",
			"more distinct SQL texts than the program holds: is SQL being built?");
		return PONTE_ELIMIT;
	}
	if ((c->nslots + 1) * 2 > c->index_size) {
		size_t size = c->index_size ? c->index_size * 2 : 512;
		struct store_stmt **old = c->index;
		size_t old_size = c->index_size;
		c->index = calloc(size, sizeof(*c->index));
		if (!c->index) {
			c->index = old;
			return PONTE_ENOMEM;
		}
		c->index_size = size;
		for (size_t i = 0; i < old_size; i++)
			if (old[i])
				slot_place(c, old[i]);
		free(old);
	}
	struct store_stmt *slot = calloc(1, sizeof(*slot));
	if (!slot)
		return PONTE_ENOMEM;
	slot->sql = sql;
	slot->owner = c;
	slot_place(c, slot);
	c->nslots++;
	*out = slot;
	return 0;
}

static void lru_unlink(store_conn *c, struct store_stmt *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else if (c->lru_head == s)
		c->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else if (c->lru_tail == s)
		c->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_push(store_conn *c, struct store_stmt *s)
{
	s->lru_prev = c->lru_tail;
	s->lru_next = NULL;
	if (c->lru_tail)
		c->lru_tail->lru_next = s;
	else
		c->lru_head = s;
	c->lru_tail = s;
}

/* Finalize the least recently used statement nobody holds; PONTE_ELIMIT if every one is held
 * (statements nested deeper than the cache: a leak of unreset statements). */
static int evict_one(store_conn *c)
{
	struct store_stmt *victim = c->lru_head;
	if (!victim) {
		log_msg(LOG_ERROR, "store_statements_all_held",
			"every cached statement is between prepare and reset");
		return PONTE_ELIMIT;
	}
	lru_unlink(c, victim);
	sqlite3_finalize(victim->stmt);
	victim->stmt = NULL;
	c->nprepared--;
	return 0;
}

int store_prepare(store_conn *c, const char *sql, store_stmt **out)
{
	struct store_stmt *slot = slot_find(c, sql);
	int rc = 0;
	if (!slot && (rc = slot_add(c, sql, &slot)))
		return rc;
	if (slot->held) {
		/* Prepared again without a reset: an error path that forgot it. Start afresh, as
		 * the statement's next user expects. */
		sqlite3_reset(slot->stmt);
		sqlite3_clear_bindings(slot->stmt);
	} else if (slot->stmt) {
		lru_unlink(c, slot);
	} else {
		if (c->nprepared >= STORE_STATEMENT_CACHE && (rc = evict_one(c)))
			return rc;
		rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt,
					NULL);
		if (rc != SQLITE_OK) {
			log_msg(LOG_ERROR, "store_prepare_failed", sqlite3_errmsg(c->db));
			slot->stmt = NULL;
			return map_sqlite(rc);
		}
		c->nprepared++;
	}
	slot->held = true;
	*out = slot;
	return 0;
}

/* The statement of a handle its caller still holds. A handle used after store_reset() may
 * have been finalized since: refused, so the mistake shows in tests instead of corrupting. */
static sqlite3_stmt *held(store_stmt *st)
{
	if (st->held)
		return st->stmt;
	log_msg(LOG_ERROR, "store_statement_used_after_reset", st->sql);
	return NULL;
}

int store_bind_text(store_stmt *st, int idx, const char *s, size_t n)
{
	sqlite3_stmt *h = held(st);
	if (!h)
		return PONTE_ESTORE;
	if (n > INT32_MAX)
		return PONTE_ELIMIT;
	return map_sqlite(sqlite3_bind_text(h, idx, s, (int)n, SQLITE_TRANSIENT));
}

int store_bind_int64(store_stmt *st, int idx, int64_t v)
{
	sqlite3_stmt *h = held(st);
	return h ? map_sqlite(sqlite3_bind_int64(h, idx, v)) : PONTE_ESTORE;
}

int store_bind_double(store_stmt *st, int idx, double v)
{
	sqlite3_stmt *h = held(st);
	return h ? map_sqlite(sqlite3_bind_double(h, idx, v)) : PONTE_ESTORE;
}

int store_bind_blob(store_stmt *st, int idx, const void *p, size_t n)
{
	sqlite3_stmt *h = held(st);
	if (!h)
		return PONTE_ESTORE;
	if (n > INT32_MAX)
		return PONTE_ELIMIT;
	return map_sqlite(sqlite3_bind_blob(h, idx, p, (int)n, SQLITE_TRANSIENT));
}

int store_bind_null(store_stmt *st, int idx)
{
	sqlite3_stmt *h = held(st);
	return h ? map_sqlite(sqlite3_bind_null(h, idx)) : PONTE_ESTORE;
}

int store_step(store_stmt *st)
{
	sqlite3_stmt *h = held(st);
	if (!h)
		return PONTE_ESTORE;
	int rc = sqlite3_step(h);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return map_sqlite(rc);
}

/* Columns of a reset statement read as NULL (SQLite answers so for a NULL statement). */
static sqlite3_stmt *columns_of(const store_stmt *st)
{
	return st->held ? st->stmt : NULL;
}

const char *store_col_text(store_stmt *st, int col, size_t *len)
{
	sqlite3_stmt *h = columns_of(st);
	const char *p = (const char *)sqlite3_column_text(h, col);
	if (len)
		*len = p ? (size_t)sqlite3_column_bytes(h, col) : 0;
	return p;
}

int64_t store_col_int64(store_stmt *st, int col)
{
	return sqlite3_column_int64(columns_of(st), col);
}

double store_col_double(store_stmt *st, int col)
{
	return sqlite3_column_double(columns_of(st), col);
}

const void *store_col_blob(store_stmt *st, int col, size_t *len)
{
	sqlite3_stmt *h = columns_of(st);
	const void *p = sqlite3_column_blob(h, col);
	*len = (size_t)sqlite3_column_bytes(h, col);
	return p;
}

bool store_col_is_null(store_stmt *st, int col)
{
	return sqlite3_column_type(columns_of(st), col) == SQLITE_NULL;
}

void store_reset(store_stmt *st)
{
	if (!st->held)
		return; /* reset twice */
	sqlite3_reset(st->stmt);
	sqlite3_clear_bindings(st->stmt);
	st->held = false;
	lru_push(st->owner, st);
}

int store_exec(store_conn *c, const char *sql)
{
	return map_sqlite(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

int store_begin(store_conn *c)
{
	return store_exec(c, "BEGIN IMMEDIATE");
}

int store_begin_read(store_conn *c)
{
	return store_exec(c, "BEGIN DEFERRED");
}

int store_commit(store_conn *c)
{
	return store_exec(c, "COMMIT");
}

int store_rollback(store_conn *c)
{
	return store_exec(c, "ROLLBACK");
}

int64_t store_last_insert_id(store_conn *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

int64_t store_changes(store_conn *c)
{
	return sqlite3_changes64(c->db);
}

const char *store_errmsg(store_conn *c)
{
	return sqlite3_errmsg(c->db);
}

int store_checkpoint(store *s)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	return map_sqlite(
	    sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL));
}

static const char SQL_PING[] = "SELECT count(*) FROM schema_migrations";

int store_ping(store *s)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PING, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ESTORE;
}

/* ---- copies and checks (backups) ---- */

int store_snapshot(store *s, const char *path)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	sqlite3_stmt *st = NULL;
	/* VACUUM INTO runs in one read transaction: a consistent copy of the last commit before
	 * it began, while writers carry on (WAL). The path is bound, never spliced. */
	if (!rc)
		rc = map_sqlite(sqlite3_prepare_v2(c->db, "VACUUM INTO ?1", -1, &st, NULL));
	if (!rc)
		rc = map_sqlite(sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT));
	if (!rc) {
		int r = sqlite3_step(st);
		rc = r == SQLITE_DONE ? 0 : map_sqlite(r);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_set_wal(store *s)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc
		  : map_sqlite(sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL));
}

int store_integrity_check(store *s, char *why, size_t whylen)
{
	store_conn *c;
	sqlite3_stmt *st = NULL;
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = map_sqlite(
		    sqlite3_prepare_v2(c->db, "PRAGMA integrity_check(20)", -1, &st, NULL));
	snprintf(why, whylen, "%s", "");
	int r;
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
		snprintf(why, whylen, "%s", sqlite3_errmsg(c->db));
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

int store_table_counts(store *s, store_count_fn fn, void *ctx)
{
	store_conn *c;
	sqlite3_stmt *st = NULL;
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = map_sqlite(sqlite3_prepare_v2(
		    c->db,
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
		rc = map_sqlite(sqlite3_prepare_v2(c->db, sql, -1, &cnt, NULL));
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
