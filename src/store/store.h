/*
 * store.h: the database interface. The only module that knows which engine holds the data:
 * an SQLite file (the default: a path) or PostgreSQL (a `postgresql://` URL), each behind a
 * driver (store/sqlite.c, store/pg.c; store/driver.h).
 *
 * Invariants and ownership:
 * - A `store` is one database file, shared by every thread. Each thread gets its own
 *   connection (`store_conn`) on first use, with its own cache of prepared statements; the
 *   connection is closed when the thread exits or when the store is closed.
 * - SQL text is always a compile-time constant of a module's *_store.c file; values are always
 *   bound, never spliced. Statements are cached by the address of their SQL constant.
 * - A statement from store_prepare() belongs to the calling thread's connection and is held by
 *   its caller until store_reset(); a held statement is never finalized. It must be reset
 *   before it is prepared again (no nested use of one statement), and after the reset the
 *   handle is spent: to run the statement again, prepare it again (a cache lookup). Binding
 *   or stepping a reset handle is refused (PONTE_ESTORE, logged), because the cache may have
 *   finalized it since.
 * - Each connection keeps at most STORE_STATEMENT_CACHE statements prepared; beyond that the
 *   least recently reset one is finalized, and prepared again when it is next needed. So a
 *   thread may use any number of distinct statements, nested up to the cache size.
 * - Every connection runs with WAL, foreign keys on, synchronous=FULL and a busy timeout.
 *   A lock held too long by someone else surfaces as PONTE_EBUSY (the HTTP layer answers
 *   503 with Retry-After), never as a hang.
 * - A file is used only if it carries Ponte's application id: a foreign file is never
 *   modified, not even its journal mode.
 */
#ifndef PONTE_STORE_H
#define PONTE_STORE_H

#include "base/arena.h"
#include "base/common.h"

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

#define STORE_ROW 1  /* store_step(): a row is ready */
#define STORE_DONE 0 /* store_step(): no more rows */

/* 'PONT': written into the SQLite header by `ponte init`, checked on every open. */
#define STORE_APPLICATION_ID 0x504F4E54

/* Prepared statements kept per connection (a build may lower it to exercise eviction). */
#ifndef STORE_STATEMENT_CACHE
#define STORE_STATEMENT_CACHE 256
#endif

typedef struct store_options {
	int busy_timeout_ms; /* how long to wait for a lock before PONTE_EBUSY (default 2000) */
	/* The folder of files kept beside the database (attachments, knowledge files, the
	 * observatory's releases and cube cache): <path>.files for SQLite when NULL; PostgreSQL
	 * has none unless given, since a URL is not a path. */
	const char *files_dir;
} store_options;

/*
 * Create a new database at path. The file must not exist and its directory must; on any
 * failure nothing is left behind. Migrations are applied by store_migrate().
 */
int store_create(const char *path, const store_options *opt, store **out, char *err, size_t errlen);
/* Open an existing Ponte database. A missing file, a non-SQLite file or a SQLite file of
 * another program is PONTE_ESCHEMA/ENOTFOUND with a message in err. */
int store_open(const char *path, const store_options *opt, store **out, char *err, size_t errlen);
/* Close every connection (no thread may still be using the store) and free it. */
void store_close(store *s);

const char *store_path(const store *s);
/* What logs and the CLI may print of the path: a PostgreSQL URL without its password. */
const char *store_display(const store *s);
/* The folder of files beside the database (store_options.files_dir, else <path>.files for
 * SQLite); NULL for a PostgreSQL store opened without one. */
const char *store_files_dir(const store *s);
/* Whether the database is PostgreSQL (`--db postgresql://...`) rather than an SQLite file. */
bool store_is_pg(const store *s);
/* A number no other store opened by this process had: caches keyed by it never mistake a new
 * store for a closed one at the same address. */
uint64_t store_serial(const store *s);

/* The calling thread's connection, opened on first use. */
int store_conn_get(store *s, store_conn **out);

int store_prepare(store_conn *c, const char *sql, store_stmt **out);
/* store_prepare() on the calling thread's connection: for a statement that is the whole
 * of its work (no transaction around it). */
int store_stmt_get(store *s, const char *sql, store_stmt **out);
int store_bind_text(store_stmt *st, int idx, const char *s, size_t n);
int store_bind_int64(store_stmt *st, int idx, int64_t v);
int store_bind_blob(store_stmt *st, int idx, const void *p, size_t n);
int store_bind_double(store_stmt *st, int idx, double v);
int store_bind_null(store_stmt *st, int idx);
/* STORE_ROW, STORE_DONE or a negative error. */
int store_step(store_stmt *st);
/* Step to the one row a lookup expects: 0 with the row ready (read it, then store_reset());
 * PONTE_ENOTFOUND when there is none, or a negative error, with the statement already reset. */
int store_step_one(store_stmt *st);
/* Step a statement whose rows are not wanted (an INSERT, UPDATE or DELETE) and reset it: 0 or
 * a negative error. */
int store_run(store_stmt *st);
/* Column values stay valid until the next step or reset. */
const char *store_col_text(store_stmt *st, int col, size_t *len);
int64_t store_col_int64(store_stmt *st, int col);
double store_col_double(store_stmt *st, int col);
const void *store_col_blob(store_stmt *st, int col, size_t *len);
bool store_col_is_null(store_stmt *st, int col);
/* The current row's number of columns, and the kind of one value: what a copy between
 * stores needs to bind it again unchanged (src/store/copy.c). */
enum store_kind {
	STORE_KIND_NULL,
	STORE_KIND_INT,
	STORE_KIND_REAL,
	STORE_KIND_TEXT,
	STORE_KIND_BLOB
};
int store_col_count(store_stmt *st);
int store_col_kind(store_stmt *st, int col);
/* A copy in a of column col's text, "" for SQL NULL, that outlives the statement; NULL only
 * when a is out of memory. The one way a row's text is kept. */
char *store_col_dup(arena *a, store_stmt *st, int col);
/* Reset for reuse and clear bindings. Always call it when done. */
void store_reset(store_stmt *st);

/* Run one or more statements without results (schema changes, pragmas). */
int store_exec(store_conn *c, const char *sql);
/* Whether the commits of this connection wait for the disk (the default) or not (a crash may
 * lose the last of them, never corrupt the database). Only for writes that are safe to lose,
 * such as a record that work was done when doing it again is harmless; set it back after.
 * SQLite: synchronous FULL / NORMAL; PostgreSQL: synchronous_commit on / off. */
int store_commits_wait_for_disk(store_conn *c, bool wait);
/* Work that one process at a time may do when several serve one database (the outbox's
 * sender): each has a number of its own (STORE_ROLE_*). */
enum { STORE_ROLE_OUTBOX_SENDER = 1 };
/* Whether the calling thread's connection holds the role, taking it when nobody does.
 * PostgreSQL: a session advisory lock (pg_try_advisory_lock), held until the connection ends,
 * so a holder that exits, is killed or loses its connection lets another process take the
 * role at its next try; asked again before each round of the role's work, since a
 * connection opened again has lost it. SQLite: always held (one process serves a file). */
int store_hold_role(store *s, int role, bool *held);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(store_conn *c);
/* A read transaction (BEGIN DEFERRED): several reads see one snapshot and take the file
 * locks once. End it with store_commit. */
int store_begin_read(store_conn *c);
/* The calling thread's connection with a write transaction begun on it (store_conn_get(), then
 * store_begin()): the caller commits or rolls back. */
int store_begin_on(store *s, store_conn **out);
/* A failed COMMIT rolls the transaction back (SQLite would keep it open, and the connection's
 * next request would fail); if even the ROLLBACK fails (no memory), the connection's next
 * use (store_conn_get(), store_begin()) rolls back first. So a transaction never outlives a failure on its connection. */
int store_commit(store_conn *c);
int store_rollback(store_conn *c);
/* The end of a write transaction whose work returned rc: committed when rc is 0, else (or when
 * the commit fails) rolled back; returns rc or the commit's error. */
int store_finish(store_conn *c, int rc);
int64_t store_changes(store_conn *c);
/* The rowid of the connection's last INSERT. */
int64_t store_last_insert_id(store_conn *c);
/* The connection's last error message (English, for logs and the CLI). */
const char *store_errmsg(store_conn *c);

/* Copy the WAL back into the database and truncate it (used at shutdown). */
int store_checkpoint(store *s);
/* Backups. A consistent copy of the database as of the last commit, written to path (which
 * must not exist) while other connections keep writing: SQLite's VACUUM INTO. */
int store_snapshot(store *s, const char *path);
/* Put a copied database (a snapshot is in rollback-journal mode) in WAL mode for good. */
int store_set_wal(store *s);
/* PRAGMA integrity_check: 0 when "ok", PONTE_EINVAL with SQLite's first findings in why. */
int store_integrity_check(store *s, char *why, size_t whylen);
/* Every table and its number of rows, by name. */
typedef int (*store_count_fn)(const char *table, int64_t rows, void *ctx);
int store_table_counts(store *s, store_count_fn fn, void *ctx);

/* Every row of from's tables into to (`ponte db copy`, src/store/copy.c), SQLite or
 * PostgreSQL either way. Both must be at this binary's schema version; to is normally new
 * (its seeded rows are replaced). One read snapshot of from, one transaction on to: either
 * every table arrives, with the same values byte for byte and the same row counts, or
 * nothing is written (and err says why). fn (may be NULL) hears each table copied and its
 * rows; a non-zero return stops the copy. SQLite's full-text index is not copied: the
 * knowledge module writes it again (kn_reindex). The statements are made in a, which must
 * outlive both stores. */
int store_copy(store *from, store *to, arena *a, store_count_fn fn, void *ctx, char *err,
	       size_t errlen);

/* A cheap read proving the database answers (used by /healthz). */
int store_ping(store *s);

/* Migrations (store/migrate.c). */
typedef struct store_migration_report {
	int applied;       /* migrations applied by this call */
	int current;       /* schema version after the call */
	char message[512]; /* why it failed, when it did */
} store_migration_report;

int store_migrate(store *s, store_migration_report *report);
/* Apply the pending migrations up to version last only (tests of upgrades). */
int store_migrate_to(store *s, int last, store_migration_report *report);
/* The version the database is at and the last one this binary carries. */
int store_schema_version(store *s, int *current, int *latest);
/* The number of embedded migrations not yet applied, or a negative error. */
int store_pending_migrations(store *s);

#endif
