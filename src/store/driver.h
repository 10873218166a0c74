/*
 * driver.h: what a database engine gives the store front (store.c). Internal to src/store.
 *
 * The front owns what is common: the store, one connection per thread, the cache of
 * prepared statements keyed by the SQL constant's address, the held/reset discipline. A
 * driver only opens connections, prepares, binds, steps and reads one statement, and runs
 * the store-wide operations that only its engine knows (copies, checks).
 *
 * Invariants every driver keeps:
 * - Parameters are numbered from 1 and always bound, never spliced; SQL text is a constant.
 * - Column values stay valid until the next step or reset of their statement.
 * - Errors are PONTE_* codes (a lock held too long is PONTE_EBUSY, a constraint PONTE_EEXIST);
 *   the engine's own message is kept for store_errmsg() and logs, never shown to users.
 * - reset() clears bindings and forgets the current result; finalize() releases everything.
 */
#ifndef PONTE_STORE_DRIVER_H
#define PONTE_STORE_DRIVER_H

#include <pthread.h>

#include "store/store.h"

typedef struct store_driver {
	const char *name; /* "sqlite" or "postgresql" */
	/* A new connection for the calling thread. */
	int (*conn_open)(store *s, void **db);
	void (*conn_close)(void *db);
	int (*prepare)(void *db, const char *sql, void **h);
	void (*finalize)(void *h);
	void (*reset)(void *h);
	int (*bind_text)(void *h, int idx, const char *s, size_t n);
	int (*bind_int64)(void *h, int idx, int64_t v);
	int (*bind_double)(void *h, int idx, double v);
	int (*bind_blob)(void *h, int idx, const void *p, size_t n);
	int (*bind_null)(void *h, int idx);
	/* STORE_ROW, STORE_DONE or a negative error. */
	int (*step)(void *h);
	/* With h NULL (a reset statement) every column reads as NULL. */
	const char *(*col_text)(void *h, int col, size_t *len);
	int64_t (*col_int64)(void *h, int col);
	double (*col_double)(void *h, int col);
	const void *(*col_blob)(void *h, int col, size_t *len);
	bool (*col_is_null)(void *h, int col);
	/* The row's number of columns, and the kind of a value (enum store_kind). */
	int (*col_count)(void *h);
	int (*col_kind)(void *h, int col);
	int (*exec)(void *db, const char *sql);
	/* A write transaction serialised with every other writer (SQLite's BEGIN IMMEDIATE), or
	 * a read transaction that sees one snapshot. */
	int (*begin)(void *db, bool write);
	/* Whether a transaction is open (or failed and not yet rolled back) on the connection. */
	bool (*in_transaction)(void *db);
	int64_t (*last_insert_id)(void *db);
	int64_t (*changes)(void *db);
	const char *(*errmsg)(void *db);
	/* Store-wide operations (backups and shutdown); PONTE_EINVAL where the engine has none. */
	int (*checkpoint)(void *db);
	int (*snapshot)(void *db, const char *path);
	int (*set_wal)(void *db);
	int (*integrity_check)(void *db, char *why, size_t whylen);
	int (*table_counts)(void *db, store_count_fn fn, void *ctx);
} store_driver;

/* A driver's table: each operation is the driver's own static function of the same name, so
 * the two tables cannot drift apart and a new operation is one line here. */
#define STORE_DRIVER_OPERATIONS                                                                    \
	.conn_open = conn_open, .conn_close = conn_close, .prepare = prepare,                      \
	.finalize = finalize, .reset = reset, .bind_text = bind_text, .bind_int64 = bind_int64,    \
	.bind_double = bind_double, .bind_blob = bind_blob, .bind_null = bind_null, .step = step,  \
	.col_text = col_text, .col_int64 = col_int64, .col_double = col_double,                    \
	.col_blob = col_blob, .col_is_null = col_is_null, .col_count = col_count,                  \
	.col_kind = col_kind, .exec = exec, .begin = begin, .in_transaction = in_transaction,      \
	.last_insert_id = last_insert_id, .changes = changes, .errmsg = errmsg,                    \
	.checkpoint = checkpoint, .snapshot = snapshot, .set_wal = set_wal,                        \
	.integrity_check = integrity_check, .table_counts = table_counts,

extern const store_driver store_sqlite_driver;
extern const store_driver store_pg_driver;

struct store_conn;

struct store {
	const store_driver *drv;
	char *path;      /* SQLite: the file; PostgreSQL: the connection URL as given */
	char *display;   /* what logs and the CLI may print: the URL without its password */
	uint64_t serial; /* unique among the stores this process opened */
	char *files;     /* store_files_dir(): NULL for PostgreSQL without a folder given */
	store_options opt;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct store_conn *conns;
};

/* SQLite's open and create (src/store/sqlite.c). */
int store_sqlite_create(const char *path, const store_options *opt, char *err, size_t errlen);
int store_sqlite_check(store *s, char *err, size_t errlen);
/* PostgreSQL (src/store/pg.c): prove the server answers and the database is Ponte's or
 * empty (create) / Ponte's (open). */
int store_pg_check(store *s, bool create, char *err, size_t errlen);
/* Whether a --db value names a PostgreSQL database rather than a file. */
bool store_is_pg_url(const char *path);

#endif
