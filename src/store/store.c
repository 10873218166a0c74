/* The store front: one connection per thread, the cache of prepared statements, the held/reset
 * discipline, and dispatch to the driver of the database's engine (sqlite.c, pg.c). */
#include <pthread.h>
#include <stdatomic.h>

#include "base/fault.h"
#include "base/log.h"
#include "store/driver.h"

/* Distinct SQL constants one thread may use: a slot is a few words and outlives its statement,
 * so a handle never comes to name another SQL text. SQL is only ever a constant of the
 * program (some 400 of them), so this ceiling is only reached by a bug that builds SQL. */
#define STMT_MAX_SLOTS 4096

/* One SQL constant on one connection. The slot lives as long as the connection; its
 * statement may be finalized (stmt NULL) while it sits unheld at the head of the LRU list. */
struct store_stmt {
	const char *sql; /* identity: the address of the constant */
	store_conn *owner;
	void *stmt; /* the driver's statement; NULL when evicted */
	bool held;  /* between store_prepare() and store_reset(): never evicted */
	/* PONTE_ENOMEM when a bind since store_prepare() failed for want of memory: store_step()
	 * returns it instead of running the statement with a parameter missing, which would read
	 * as "no such row" or write NULL. Binds are often not checked one by one. (A bind beyond
	 * the statement's parameters is refused and ignored, as SQLite does.) */
	int bind_rc;
	struct store_stmt *lru_prev, *lru_next; /* in conn->lru while prepared and not held */
};

struct store_conn {
	store *owner;
	void *db;                /* the driver's connection */
	struct store_conn *next; /* in owner->conns, guarded by owner->lock */
	/* Open-addressed index of slots by SQL address (linear probing, at most half full). */
	struct store_stmt **index;
	size_t index_size, nslots;
	size_t nprepared; /* slots with a statement */
	/* Prepared statements nobody holds, least recently used first: the only ones that may be
	 * finalized to make room. */
	struct store_stmt *lru_head, *lru_tail;
	/* A transaction that a failed COMMIT and then a failed ROLLBACK (no memory) left open:
	 * rolled back at the connection's next use or BEGIN, so one request's failure never holds a write lock
	 * or leaks its half-done changes into the next request on this connection. */
	bool abandoned;
};

static void conn_free(struct store_conn *c)
{
	const store_driver *d = c->owner->drv;
	for (size_t i = 0; i < c->index_size; i++) {
		if (c->index[i]) {
			if (c->index[i]->stmt)
				d->finalize(c->index[i]->stmt);
			free(c->index[i]);
		}
	}
	free(c->index);
	d->conn_close(c->db);
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

bool store_is_pg_url(const char *path)
{
	return path &&
	       (strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0);
}

/* A URL as logs may show it: "postgresql://user:secret@host/db" loses ":secret". */
static char *display_of(const char *path)
{
	char *d = strdup(path);
	if (!d || !store_is_pg_url(path))
		return d;
	char *auth = strstr(d, "://") + 3;
	char *at = strchr(auth, '@'), *slash = strchr(auth, '/');
	char *colon = strchr(auth, ':');
	if (at && (!slash || at < slash) && colon && colon < at)
		memmove(colon, at, strlen(at) + 1);
	return d;
}

static store *store_new(const char *path, const store_options *opt)
{
	store *s = FAULT_ALLOC(FAULT_OURS) ? NULL : calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->drv = store_is_pg_url(path) ? &store_pg_driver : &store_sqlite_driver;
	s->path = strdup(path);
	s->display = display_of(path);
	static _Atomic uint64_t opened;
	s->serial = atomic_fetch_add(&opened, 1) + 1;
	s->opt.busy_timeout_ms = opt && opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 2000;
	bool pg = s->drv == &store_pg_driver;
	if (opt && opt->files_dir && *opt->files_dir)
		s->files = strdup(opt->files_dir);
	else if (!pg && s->path && asprintf(&s->files, "%s.files", s->path) < 0)
		s->files = NULL;
	bool files_ok = s->files || (pg && !(opt && opt->files_dir && *opt->files_dir));
	if (!s->path || !s->display || !files_ok || pthread_key_create(&s->key, conn_thread_exit)) {
		free(s->path);
		free(s->display);
		free(s->files);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

static int open_store(const char *path, const store_options *opt, bool create, store **out,
		      char *err, size_t errlen)
{
	store *s = store_new(path, opt);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return PONTE_ENOMEM;
	}
	int rc = s->drv == &store_pg_driver ? store_pg_check(s, create, err, errlen)
					    : store_sqlite_check(s, err, errlen);
	if (rc) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int store_create(const char *path, const store_options *opt, store **out, char *err, size_t errlen)
{
	if (!store_is_pg_url(path)) {
		int rc = store_sqlite_create(path, opt, err, errlen);
		if (rc)
			return rc;
	}
	return open_store(path, opt, true, out, err, errlen);
}

int store_open(const char *path, const store_options *opt, store **out, char *err, size_t errlen)
{
	return open_store(path, opt, false, out, err, errlen);
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
	free(s->display);
	free(s->files);
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

const char *store_files_dir(const store *s)
{
	return s->files;
}

const char *store_display(const store *s)
{
	return s->display;
}

bool store_is_pg(const store *s)
{
	return s->drv == &store_pg_driver;
}

int store_conn_get(store *s, store_conn **out)
{
	struct store_conn *c = pthread_getspecific(s->key);
	if (c) {
		if (c->abandoned)
			store_rollback(c); /* tried again on every use until it goes */
		*out = c;
		return 0;
	}
	c = FAULT_ALLOC(FAULT_OURS) ? NULL : calloc(1, sizeof(*c));
	if (!c)
		return PONTE_ENOMEM;
	c->owner = s;
	int rc = s->drv->conn_open(s, &c->db);
	if (rc) {
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

int store_stmt_get(store *s, const char *sql, store_stmt **out)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc : store_prepare(c, sql, out);
}

int store_begin_on(store *s, store_conn **out)
{
	int rc = store_conn_get(s, out);
	return rc ? rc : store_begin(*out);
}

int store_finish(store_conn *c, int rc)
{
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
	return rc;
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
		c->index = FAULT_ALLOC(FAULT_OURS) ? NULL : calloc(size, sizeof(*c->index));
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
	struct store_stmt *slot = FAULT_ALLOC(FAULT_OURS) ? NULL : calloc(1, sizeof(*slot));
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
	c->owner->drv->finalize(victim->stmt);
	victim->stmt = NULL;
	c->nprepared--;
	return 0;
}

int store_prepare(store_conn *c, const char *sql, store_stmt **out)
{
	const store_driver *d = c->owner->drv;
	struct store_stmt *slot = slot_find(c, sql);
	int rc = 0;
	if (!slot && (rc = slot_add(c, sql, &slot)))
		return rc;
	if (slot->held) {
		/* Prepared again without a reset: an error path that forgot it. Start afresh, as
		 * the statement's next user expects. */
		d->reset(slot->stmt);
	} else if (slot->stmt) {
		lru_unlink(c, slot);
	} else {
		if (c->nprepared >= STORE_STATEMENT_CACHE && (rc = evict_one(c)))
			return rc;
		if ((rc = d->prepare(c->db, sql, &slot->stmt))) {
			slot->stmt = NULL;
			return rc;
		}
		c->nprepared++;
	}
	slot->held = true;
	slot->bind_rc = 0;
	*out = slot;
	return 0;
}

/* The statement of a handle its caller still holds. A handle used after store_reset() may
 * have been finalized since: refused, so the mistake shows in tests instead of corrupting. */
static void *held(store_stmt *st)
{
	if (st->held)
		return st->stmt;
	log_msg(LOG_ERROR, "store_statement_used_after_reset", st->sql);
	return NULL;
}

#define DRV(st) ((st)->owner->owner->drv)

static int bound(store_stmt *st, int rc)
{
	if (rc == PONTE_ENOMEM)
		st->bind_rc = rc;
	return rc;
}

int store_bind_text(store_stmt *st, int idx, const char *s, size_t n)
{
	void *h = held(st);
	return bound(st, h ? DRV(st)->bind_text(h, idx, s, n) : PONTE_ESTORE);
}

int store_bind_int64(store_stmt *st, int idx, int64_t v)
{
	void *h = held(st);
	return bound(st, h ? DRV(st)->bind_int64(h, idx, v) : PONTE_ESTORE);
}

int store_bind_double(store_stmt *st, int idx, double v)
{
	void *h = held(st);
	return bound(st, h ? DRV(st)->bind_double(h, idx, v) : PONTE_ESTORE);
}

int store_bind_blob(store_stmt *st, int idx, const void *p, size_t n)
{
	void *h = held(st);
	return bound(st, h ? DRV(st)->bind_blob(h, idx, p, n) : PONTE_ESTORE);
}

int store_bind_null(store_stmt *st, int idx)
{
	void *h = held(st);
	return bound(st, h ? DRV(st)->bind_null(h, idx) : PONTE_ESTORE);
}

int store_step(store_stmt *st)
{
	void *h = held(st);
	if (h && st->bind_rc)
		return st->bind_rc;
	return h ? DRV(st)->step(h) : PONTE_ESTORE;
}

int store_step_one(store_stmt *st)
{
	int rc = store_step(st);
	if (rc == STORE_ROW)
		return 0;
	store_reset(st);
	return rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
}

int store_run(store_stmt *st)
{
	int rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Columns of a reset statement read as NULL. */
static void *columns_of(const store_stmt *st)
{
	return st->held ? st->stmt : NULL;
}

const char *store_col_text(store_stmt *st, int col, size_t *len)
{
	return DRV(st)->col_text(columns_of(st), col, len);
}

char *store_col_dup(arena *a, store_stmt *st, int col)
{
	const char *s = store_col_text(st, col, NULL);
	return arena_strdup(a, s ? s : "");
}

int64_t store_col_int64(store_stmt *st, int col)
{
	return DRV(st)->col_int64(columns_of(st), col);
}

double store_col_double(store_stmt *st, int col)
{
	return DRV(st)->col_double(columns_of(st), col);
}

const void *store_col_blob(store_stmt *st, int col, size_t *len)
{
	return DRV(st)->col_blob(columns_of(st), col, len);
}

bool store_col_is_null(store_stmt *st, int col)
{
	return DRV(st)->col_is_null(columns_of(st), col);
}

int store_col_count(store_stmt *st)
{
	return DRV(st)->col_count(columns_of(st));
}

int store_col_kind(store_stmt *st, int col)
{
	return DRV(st)->col_kind(columns_of(st), col);
}

void store_reset(store_stmt *st)
{
	if (!st->held)
		return; /* reset twice */
	DRV(st)->reset(st->stmt);
	st->held = false;
	lru_push(st->owner, st);
}

int store_exec(store_conn *c, const char *sql)
{
	return c->owner->drv->exec(c->db, sql);
}

int store_commits_wait_for_disk(store_conn *c, bool wait)
{
	if (store_is_pg(c->owner))
		return store_exec(c, wait ? "SET synchronous_commit = on"
					  : "SET synchronous_commit = off");
	return store_exec(c, wait ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

/* Held already by this session (a second pg_try_advisory_lock would stack another hold, one
 * per round, forever), else tried. Two keys: 'PONT' and the role, apart from the writers'
 * single-key lock. */
static const char SQL_HOLD_ROLE_PG[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND "
    "pid = pg_backend_pid() AND CAST(classid AS bigint) = ?1 AND CAST(objid AS bigint) = ?2 "
    "AND objsubid = 2 AND granted) THEN 1 "
    "WHEN pg_try_advisory_lock(CAST(?1 AS integer), CAST(?2 AS integer)) THEN 1 ELSE 0 END";

int store_hold_role(store *s, int role, bool *held)
{
	*held = false;
	if (!store_is_pg(s)) {
		*held = true;
		return 0;
	}
	store_stmt *st;
	int rc = store_stmt_get(s, SQL_HOLD_ROLE_PG, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, STORE_APPLICATION_ID);
	store_bind_int64(st, 2, role);
	rc = store_step_one(st);
	if (rc)
		return rc;
	*held = store_col_int64(st, 0) == 1;
	store_reset(st);
	return 0;
}

static int begin(store_conn *c, bool write)
{
	int rc = c->abandoned ? store_rollback(c) : 0;
	if (c->abandoned)
		return rc; /* still open: beginning another would fail */
	return c->owner->drv->begin(c->db, write);
}

int store_begin(store_conn *c)
{
	return begin(c, true);
}

int store_begin_read(store_conn *c)
{
	return begin(c, false);
}

int store_commit(store_conn *c)
{
	int rc = store_exec(c, "COMMIT");
	if (rc)
		store_rollback(c); /* SQLite keeps a transaction open after a failed COMMIT */
	return rc;
}

int store_rollback(store_conn *c)
{
	int rc = store_exec(c, "ROLLBACK");
	c->abandoned = rc != 0 && c->owner->drv->in_transaction(c->db);
	return rc;
}

int64_t store_last_insert_id(store_conn *c)
{
	return c->owner->drv->last_insert_id(c->db);
}

int64_t store_changes(store_conn *c)
{
	return c->owner->drv->changes(c->db);
}

const char *store_errmsg(store_conn *c)
{
	return c->owner->drv->errmsg(c->db);
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

/* ---- store-wide operations: the calling thread's connection, the engine's way ---- */

int store_checkpoint(store *s)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc : s->drv->checkpoint(c->db);
}

int store_snapshot(store *s, const char *path)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc : s->drv->snapshot(c->db, path);
}

int store_set_wal(store *s)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc : s->drv->set_wal(c->db);
}

int store_integrity_check(store *s, char *why, size_t whylen)
{
	store_conn *c;
	snprintf(why, whylen, "%s", "");
	int rc = store_conn_get(s, &c);
	return rc ? rc : s->drv->integrity_check(c->db, why, whylen);
}

int store_table_counts(store *s, store_count_fn fn, void *ctx)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	return rc ? rc : s->drv->table_counts(c->db, fn, ctx);
}
