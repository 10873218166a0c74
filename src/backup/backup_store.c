/* The record of backups (table backups, migration 0038). */
#include "backup/backup.h"
#include "base/clock.h"

/* clang-format off */
static const char SQL_HAS_TABLE[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'backups'";
static const char SQL_ADD[] =
    "INSERT INTO backups(taken_at, schema_version, archive, bytes, cases, audit_head, good) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_LAST_GOOD[] =
    "SELECT taken_at, schema_version, "
    "CAST((julianday('now') - julianday(taken_at)) * 86400 AS INTEGER) "
    "FROM backups WHERE good = 1 ORDER BY taken_at DESC, id DESC LIMIT 1";
static const char SQL_HAS_TABLE_PG[] =
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
    "AND table_name = 'backups'";
static const char SQL_LAST_GOOD_PG[] =
    "SELECT taken_at, schema_version, "
    "CAST(extract(epoch FROM now() - CAST(taken_at AS timestamptz)) AS bigint) "
    "FROM backups WHERE good = 1 ORDER BY taken_at DESC, id DESC LIMIT 1";
/* clang-format on */

/* Before migration 0038 the table does not exist (a database being upgraded). */
static int has_table(store *db, store_conn *c, bool *yes)
{
	store_stmt *st;
	int rc = store_prepare(c, store_is_pg(db) ? SQL_HAS_TABLE_PG : SQL_HAS_TABLE, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	*yes = rc == STORE_ROW && store_col_int64(st, 0) > 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int backup_record(store *db, const backup_report *r, const char *archive, bool good)
{
	store_conn *c;
	store_stmt *st;
	bool yes = false;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = has_table(db, c, &yes);
	if (rc || !yes)
		return rc;
	if ((rc = store_prepare(c, SQL_ADD, &st)))
		return rc;
	store_bind_text(st, 1, r->created_at, strlen(r->created_at));
	store_bind_int64(st, 2, r->schema_version);
	store_bind_text(st, 3, archive, strlen(archive));
	store_bind_int64(st, 4, (int64_t)r->bytes);
	store_bind_int64(st, 5, r->cases);
	store_bind_text(st, 6, r->audit_head, strlen(r->audit_head));
	store_bind_int64(st, 7, good);
	return store_run(st);
}

/* The last good backup: when, of which schema, how many seconds ago. when is "" (and the
 * rest 0 and -1) when there is none, or no table for them yet. */
static int last_good(store *db, char when[32], int64_t *schema_version, int64_t *seconds)
{
	when[0] = '\0';
	*schema_version = 0;
	*seconds = -1;
	store_conn *c;
	store_stmt *st;
	bool yes = false;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = has_table(db, c, &yes);
	if (rc || !yes)
		return rc;
	if ((rc = store_prepare(c, store_is_pg(db) ? SQL_LAST_GOOD_PG : SQL_LAST_GOOD, &st)))
		return rc;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		snprintf(when, 32, "%s", store_col_text(st, 0, NULL));
		*schema_version = store_col_int64(st, 1);
		*seconds = store_col_int64(st, 2);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int backup_last_good(store *db, char when[32], int64_t *schema_version)
{
	int64_t seconds;
	return last_good(db, when, schema_version, &seconds);
}

int backup_upgrade_allowed(store *db, int *from, int *to)
{
	int rc = store_schema_version(db, from, to);
	if (rc)
		return rc;
	/* Nothing to apply, or an empty database being created. */
	if (*from >= *to || *from == 0)
		return 0;
	char when[32];
	int64_t version;
	if ((rc = backup_last_good(db, when, &version)))
		return rc;
	/* Times are stored in one format, so they compare as text. */
	char since[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms() - INT64_C(24) * 3600 * 1000, since);
	if (when[0] && version == *from && strcmp(when, since) >= 0)
		return 0;
	return PONTE_EDENIED;
}

int backup_last_good_age(store *db, char when[32], int64_t *seconds)
{
	int64_t version;
	return last_good(db, when, &version, seconds);
}
