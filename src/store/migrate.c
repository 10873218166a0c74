/*
 * Numbered migrations embedded in the binary (migrations/NNNN_name.sql).
 *
 * Each is applied once, inside its own transaction, and recorded with a BLAKE2b-256 checksum
 * of its text. A recorded migration whose embedded text no longer matches is refused: the
 * database would otherwise silently diverge from what the code expects. A database with
 * migrations this binary does not know (a newer Ponte wrote it) is refused too.
 */
#include <sodium.h>

#include "base/clock.h"
#include "base/embedded.h"
#include "base/log.h"
#include "store/store.h"

#define MIGRATION_PREFIX "migrations/"
#define PG_PREFIX "migrations/pg/"

static const char SQL_CREATE_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				       " version INTEGER PRIMARY KEY,"
				       " name TEXT NOT NULL,"
				       " checksum TEXT NOT NULL,"
				       " applied_at TEXT NOT NULL"
				       ") STRICT";
static const char SQL_CREATE_TABLE_PG[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
					  " version bigint PRIMARY KEY,"
					  " name text NOT NULL,"
					  " checksum text NOT NULL,"
					  " applied_at text NOT NULL)";
static const char SQL_SELECT_ALL[] = "SELECT version, name, checksum FROM schema_migrations "
				     "ORDER BY version";
static const char SQL_INSERT[] =
    "INSERT INTO schema_migrations(version, name, checksum, applied_at) "
    "VALUES (?1, ?2, ?3, ?4)";

struct migration {
	int version;
	const char *name; /* file name without the prefix */
	const struct embedded_file *file;
	char checksum[65];
};

/* The version of an embedded migration under prefix (its leading digits), or 0 when the file
 * is not one (another prefix, or a subfolder such as pg/ under migrations/). */
static int version_of(const struct embedded_file *f, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (strncmp(f->name, prefix, plen) != 0)
		return 0;
	int v = 0;
	const char *p = f->name + plen;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return p == f->name + plen || strchr(p, '/') ? 0 : v;
}

static void add(struct migration *m, int version, const struct embedded_file *f, const char *prefix)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)f->data, f->len, NULL, 0);
	sodium_bin2hex(m->checksum, sizeof(m->checksum), h, sizeof(h));
	m->version = version;
	m->name = f->name + strlen(prefix);
	m->file = f;
}

/* The migrations of the store's dialect, in version order (embedded files are sorted by
 * name). SQLite: every migrations/NNNN_name.sql. PostgreSQL: the last baseline
 * migrations/pg/NNNN_baseline.sql stands for every version up to NNNN; after it, a version's
 * file in migrations/pg/ when there is one, else the common file. */
static size_t list_migrations(const store *s, struct migration *out, size_t max)
{
	bool pg = store_is_pg(s);
	int baseline = 0;
	const struct embedded_file *base = NULL;
	for (size_t i = 0; pg && i < embedded_files_count; i++) {
		int v = version_of(&embedded_files[i], PG_PREFIX);
		if (v && strstr(embedded_files[i].name, "_baseline.sql") && v > baseline) {
			baseline = v;
			base = &embedded_files[i];
		}
	}
	size_t n = 0;
	if (base && n < max)
		add(&out[n++], baseline, base, PG_PREFIX);
	for (size_t i = 0; i < embedded_files_count && n < max; i++) {
		int v = version_of(&embedded_files[i], MIGRATION_PREFIX);
		if (!v || v <= baseline)
			continue;
		const struct embedded_file *f = &embedded_files[i];
		const char *prefix = MIGRATION_PREFIX;
		for (size_t j = 0; pg && j < embedded_files_count; j++)
			if (version_of(&embedded_files[j], PG_PREFIX) == v) {
				f = &embedded_files[j];
				prefix = PG_PREFIX;
			}
		add(&out[n++], v, f, prefix);
	}
	return n;
}

/* Compare recorded migrations with the embedded ones; returns the highest recorded version. */
static int check_recorded(store_conn *c, const struct migration *m, size_t n, int *current,
			  store_migration_report *r)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_SELECT_ALL, &st);
	if (rc)
		return rc;
	*current = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int version = (int)store_col_int64(st, 0);
		const char *sum = store_col_text(st, 2, NULL);
		const struct migration *known = NULL;
		for (size_t i = 0; i < n; i++)
			if (m[i].version == version)
				known = &m[i];
		if (!known) {
			snprintf(r->message, sizeof(r->message),
				 "the database has migration %d, which this version of Ponte does "
				 "not know; "
				 "it was written by a newer Ponte",
				 version);
			rc = PONTE_ESCHEMA;
			break;
		}
		if (!sum || strcmp(sum, known->checksum) != 0) {
			snprintf(r->message, sizeof(r->message),
				 "migration %s was changed after it was applied to this database "
				 "(recorded checksum %.12s, now %.12s); refusing to continue",
				 known->name, sum ? sum : "", known->checksum);
			rc = PONTE_ESCHEMA;
			break;
		}
		*current = version;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* A migration that rebuilds a table others refer to (SQLite cannot change a CHECK in place)
 * says so on its first line; it runs as SQLite's documentation prescribes: foreign keys off
 * around the transaction, and PRAGMA foreign_key_check empty before it commits. */
#define REBUILDS_TABLES "-- ponte: rebuilds tables\n"

static int foreign_keys_broken(store_conn *c)
{
	store_stmt *st;
	int rc = store_prepare(c, "PRAGMA foreign_key_check", &st);
	if (rc)
		return rc;
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : rc == STORE_ROW ? PONTE_ESCHEMA : 0;
}

static int apply_in_transaction(store_conn *c, const struct migration *m, bool rebuilds,
				store_migration_report *r);

static int apply_one(store_conn *c, bool pg, const struct migration *m, store_migration_report *r)
{
	/* PostgreSQL changes a CHECK in place: its files never rebuild tables. */
	bool rebuilds = !pg && m->file->len >= strlen(REBUILDS_TABLES) &&
			memcmp(m->file->data, REBUILDS_TABLES, strlen(REBUILDS_TABLES)) == 0;
	if (rebuilds && store_exec(c, "PRAGMA foreign_keys=OFF") != 0)
		return PONTE_ESCHEMA;
	int rc = apply_in_transaction(c, m, rebuilds, r);
	if (rebuilds && store_exec(c, "PRAGMA foreign_keys=ON") != 0 && !rc)
		rc = PONTE_ESCHEMA;
	return rc;
}

static int apply_in_transaction(store_conn *c, const struct migration *m, bool rebuilds,
				store_migration_report *r)
{
	int rc = store_begin(c);
	if (rc)
		return rc;
	rc = store_exec(c, m->file->data);
	if (!rc && rebuilds && (rc = foreign_keys_broken(c)) != 0) {
		snprintf(r->message, sizeof(r->message),
			 "migration %s failed: it breaks a foreign key", m->name);
		store_rollback(c);
		return rc;
	}
	if (rc) {
		snprintf(r->message, sizeof(r->message), "migration %s failed: %s", m->name,
			 store_errmsg(c));
		store_rollback(c);
		return rc;
	}
	store_stmt *st;
	rc = store_prepare(c, SQL_INSERT, &st);
	if (!rc) {
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		store_bind_int64(st, 1, m->version);
		store_bind_text(st, 2, m->name, strlen(m->name));
		store_bind_text(st, 3, m->checksum, strlen(m->checksum));
		store_bind_text(st, 4, when, strlen(when));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		snprintf(r->message, sizeof(r->message), "recording migration %s failed: %s",
			 m->name, ponte_strerror(rc));
		store_rollback(c);
	}
	return rc;
}

static int prepare_state(store *s, store_conn **c, struct migration *m, size_t max, size_t *n,
			 int *current, store_migration_report *r)
{
	int rc = store_conn_get(s, c);
	if (!rc)
		rc = store_exec(*c, store_is_pg(s) ? SQL_CREATE_TABLE_PG : SQL_CREATE_TABLE);
	if (rc) {
		snprintf(r->message, sizeof(r->message), "cannot read the migration table: %s",
			 ponte_strerror(rc));
		return rc;
	}
	*n = list_migrations(s, m, max);
	return check_recorded(*c, m, *n, current, r);
}

int store_migrate(store *s, store_migration_report *r)
{
	return store_migrate_to(s, INT32_MAX, r);
}

int store_migrate_to(store *s, int last, store_migration_report *r)
{
	struct migration m[256];
	size_t n;
	store_conn *c;
	memset(r, 0, sizeof(*r));
	int current;
	int rc = prepare_state(s, &c, m, ARRAY_LEN(m), &n, &current, r);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= current || m[i].version > last)
			continue;
		rc = apply_one(c, store_is_pg(s), &m[i], r);
		if (rc)
			return rc;
		r->applied++;
		current = m[i].version;
		char fields[256];
		snprintf(fields, sizeof(fields), ",\"version\":%d", m[i].version);
		log_event(LOG_INFO, "migration_applied", fields);
	}
	r->current = current;
	return 0;
}

int store_pending_migrations(store *s)
{
	struct migration m[256];
	size_t n;
	store_conn *c;
	store_migration_report r;
	int current;
	int rc = prepare_state(s, &c, m, ARRAY_LEN(m), &n, &current, &r);
	if (rc)
		return rc;
	int pending = 0;
	for (size_t i = 0; i < n; i++)
		pending += m[i].version > current;
	return pending;
}

int store_schema_version(store *s, int *current, int *latest)
{
	struct migration m[256];
	size_t n;
	store_conn *c;
	store_migration_report r;
	int rc = prepare_state(s, &c, m, ARRAY_LEN(m), &n, current, &r);
	if (rc)
		return rc;
	*latest = n ? m[n - 1].version : 0;
	return 0;
}
