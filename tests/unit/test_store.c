#include "testutil.h"

#include <sqlite3.h> /* only to tamper with the file from outside, as an attacker would */

#include "instance/instance.h"
#include "store/store.h"

static void create_migrate_and_reopen(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = test_path(dir, "p.db"), err[512];
	store *s;
	assert_int_equal(store_create(path, NULL, &s, err, sizeof(err)), 0);
	int pending = store_pending_migrations(s);
	assert_true(pending >= 3);
	store_migration_report r;
	assert_int_equal(store_migrate(s, &r), 0);
	assert_int_equal(r.applied, pending);
	assert_int_equal(r.current, pending);
	assert_int_equal(store_pending_migrations(s), 0);
	/* Applying again does nothing. */
	assert_int_equal(store_migrate(s, &r), 0);
	assert_int_equal(r.applied, 0);
	assert_int_equal(instance_set(s, "Observatório de Lisboa", "PT"), 0);
	assert_int_equal(store_ping(s), 0);
	store_close(s);

	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	arena a;
	arena_init(&a, 1 << 20);
	instance_info info;
	assert_int_equal(instance_get(s, &a, &info), 0);
	assert_string_equal(info.name, "Observatório de Lisboa");
	assert_string_equal(info.country, "PT");
	arena_release(&a);
	store_close(s);
	free(path);
	test_rmtree(dir);
}

static void count_rows(sqlite3 *db, const char *sql, int expected)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	if (n != expected)
		fail_msg("%s: %d rows, expected %d", sql, n, expected);
}

/* 0039 rebuilds the users table to let them choose Spanish (SQLite cannot change a CHECK):
 * on a database in use, every user and everything that refers to one stays, though sessions
 * and roles are deleted with their user (ON DELETE CASCADE) and the rebuild drops the table.
 * The database is brought back to before 0039 by hand, with a user holding a session. */
static void rebuilding_a_table_keeps_what_refers_to_it(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = test_path(dir, "p.db"), err[512];
	store *s;
	store_migration_report r;
	assert_int_equal(store_create(path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_migrate(s, &r), 0);
	store_close(s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(
		db,
		"PRAGMA foreign_keys=ON;"
		"INSERT INTO organisations(id, code, name, country, type, created_at) "
		"VALUES (1, 'PT-NGO', 'Casa', 'PT', 'NGO', 'now');"
		"INSERT INTO users(id, email_index, email_enc, name_enc, organisation_id, "
		"language, password_hash, password_changed_at, created_at) "
		"VALUES (7, x'01', x'02', x'03', 1, 'pt', 'h', 'now', 'now');"
		"INSERT INTO sessions(token_hash, user_id, kind, csrf, created_at, last_seen, "
		"expires_at) VALUES (x'04', 7, 'web', 'c', 1, 1, 2);"
		"DELETE FROM schema_migrations WHERE version >= 39;"
		"DROP TABLE second_factor_resets;"           /* 0041, applied again after 0039 */
		"ALTER TABLE sessions DROP COLUMN flash;"    /* 0043 */
		"ALTER TABLE trm_peers DROP COLUMN keys_at;" /* 0044 */
		"DROP TABLE language_packs;"                 /* 0045 */
		"DELETE FROM settings WHERE key = 'second_language';"
		"ALTER TABLE users DROP COLUMN must_enrol;"
		"ALTER TABLE countries DROP COLUMN name_es;"
		"ALTER TABLE countries DROP COLUMN name_ar;"
		"DELETE FROM indicator_texts WHERE lang IN ('es', 'ar');"
		"DELETE FROM settings WHERE key = 'arabic_eastern_digits';"
		/* 0052 changes nothing on SQLite (PostgreSQL's search) */
		"DROP TABLE index_keys;"                        /* 0051 */
		"DROP TABLE referral_deliveries;"               /* 0050 */
		"DELETE FROM settings WHERE key = 'time_zone';" /* 0049 */
		"DROP TABLE case_list_filters;"                 /* 0047 */
		"DROP INDEX cases_own_find; DROP INDEX cases_org_find;"
		"DROP INDEX cases_country_find; DROP INDEX cases_all_find;"
		"ALTER TABLE cases DROP COLUMN risk;"
		"ALTER TABLE cases ADD COLUMN name_index BLOB;" /* 0048 */
		"CREATE INDEX cases_name ON cases(name_index);",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	int mrc = store_migrate(s, &r);
	if (mrc)
		fail_msg("%s", r.message);
	assert_true(r.applied >= 1);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	count_rows(db, "SELECT 1 FROM users WHERE id = 7 AND language = 'pt'", 1);
	count_rows(db, "SELECT 1 FROM sessions WHERE user_id = 7", 1);
	count_rows(db, "PRAGMA foreign_key_check", 0);
	count_rows(db, "SELECT 1 FROM countries WHERE name_es = 'España' AND name_ar = 'إسبانيا'",
		   1);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE users SET language = 'es' WHERE id = 7", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_not_equal(
	    sqlite3_exec(db, "UPDATE users SET language = 'es-ES' WHERE id = 7", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	free(path);
	test_rmtree(dir);
}

static void create_refuses_existing_files_and_missing_directories(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), err[512];
	char *text = test_path(dir, "notes.txt"), *missing = test_path(dir, "nope/p.db");
	FILE *f = fopen(text, "w");
	fputs("a file that is not a database\n", f);
	fclose(f);
	store *s;
	assert_int_equal(store_create(text, NULL, &s, err, sizeof(err)), PONTE_ESCHEMA);
	assert_non_null(strstr(err, "not a Ponte database"));
	/* Untouched. */
	f = fopen(text, "r");
	char line[64];
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "a file that is not a database\n");
	assert_int_equal(store_create(missing, NULL, &s, err, sizeof(err)), PONTE_ENOTFOUND);
	assert_non_null(strstr(err, "does not exist"));
	free(text);
	free(missing);
	test_rmtree(dir);
}

static void open_refuses_foreign_sqlite_and_other_files(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), err[512];
	char *foreign = test_path(dir, "other.db"), *text = test_path(dir, "x"),
	     *none = test_path(dir, "none.db");
	sqlite3 *db;
	assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	struct stat before, after;
	stat(foreign, &before);
	store *s;
	assert_int_equal(store_open(foreign, NULL, &s, err, sizeof(err)), PONTE_ESCHEMA);
	assert_non_null(strstr(err, "another program"));
	assert_int_equal(store_create(foreign, NULL, &s, err, sizeof(err)), PONTE_ESCHEMA);
	stat(foreign, &after);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	FILE *f = fopen(text, "w");
	fputs("SQLite format 3", f); /* too short to be a header */
	fclose(f);
	assert_int_equal(store_open(text, NULL, &s, err, sizeof(err)), PONTE_ESCHEMA);
	assert_int_equal(store_open(none, NULL, &s, err, sizeof(err)), PONTE_ENOTFOUND);
	free(foreign);
	free(text);
	free(none);
	test_rmtree(dir);
}

static char *fresh_db(char *dir)
{
	char *path = test_path(dir, "p.db"), err[512];
	store *s;
	assert_int_equal(store_create(path, NULL, &s, err, sizeof(err)), 0);
	store_migration_report r;
	assert_int_equal(store_migrate(s, &r), 0);
	store_close(s);
	return path;
}

static void changed_past_migration_is_refused(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = fresh_db(dir), err[512];
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE schema_migrations SET checksum='0000' WHERE version=1", NULL,
			 NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	store *s;
	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	store_migration_report r;
	assert_int_equal(store_migrate(s, &r), PONTE_ESCHEMA);
	assert_non_null(strstr(r.message, "was changed after it was applied"));
	assert_non_null(strstr(r.message, "0001_instance.sql"));
	store_close(s);
	free(path);
	test_rmtree(dir);
}

static void database_from_a_newer_ponte_is_refused(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = fresh_db(dir), err[512];
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(
		db, "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', 'now')",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	store *s;
	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	store_migration_report r;
	assert_int_equal(store_migrate(s, &r), PONTE_ESCHEMA);
	assert_non_null(strstr(r.message, "newer Ponte"));
	store_close(s);
	free(path);
	test_rmtree(dir);
}

static void instance_validation_rejects_bad_input(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = fresh_db(dir), err[512];
	store *s;
	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(instance_set(s, "", "PT"), PONTE_EINVAL);
	assert_int_equal(instance_set(s, "x", "pt"), PONTE_EINVAL);
	assert_int_equal(instance_set(s, "x", "PRT"), PONTE_EINVAL);
	assert_int_equal(instance_set(s, "bad\xC3", "PT"), PONTE_EINVAL);
	assert_int_equal(instance_set(s, "line\nbreak", "PT"), PONTE_EINVAL);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(instance_set(s, longname, "PT"), PONTE_EINVAL);
	/* SQL metacharacters are data. */
	assert_int_equal(instance_set(s, "x'); DROP TABLE instance;--", "PT"), 0);
	arena a;
	arena_init(&a, 1 << 20);
	instance_info info;
	assert_int_equal(instance_get(s, &a, &info), 0);
	assert_string_equal(info.name, "x'); DROP TABLE instance;--");
	arena_release(&a);
	store_close(s);
	free(path);
	test_rmtree(dir);
}

static void a_held_lock_is_busy_not_a_hang(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = fresh_db(dir), err[512];
	/* Another process holds the database exclusively (WAL with exclusive locking). */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
				      "UPDATE instance SET name=name;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store_options opt = { .busy_timeout_ms = 100 };
	store *s = NULL;
	int rc = store_open(path, &opt, &s, err, sizeof(err));
	if (rc == 0) {
		arena a;
		arena_init(&a, 1 << 20);
		instance_info info;
		assert_int_equal(instance_get(s, &a, &info), PONTE_EBUSY);
		assert_int_equal(store_ping(s), PONTE_EBUSY);
		arena_release(&a);
	} else {
		assert_int_equal(rc, PONTE_EBUSY);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	if (!s)
		assert_int_equal(store_open(path, &opt, &s, err, sizeof(err)), 0);
	assert_int_equal(instance_set(s, "Now free", "PT"), 0);
	store_close(s);
	free(path);
	test_rmtree(dir);
}

/* Distinct SQL texts, as many modules' constants would be: each has its own address. */
#define MANY_STATEMENTS (3 * STORE_STATEMENT_CACHE)
static char many_sql[MANY_STATEMENTS][48];

static int64_t run_one(store_conn *c, int i)
{
	store_stmt *st;
	assert_int_equal(store_prepare(c, many_sql[i], &st), 0);
	assert_int_equal(store_bind_int64(st, 1, 1000), 0);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t v = store_col_int64(st, 0);
	store_reset(st);
	return v;
}

static const char SQL_THREE_ROWS_CTE[] =
    "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 3) "
    "SELECT value FROM n";

static void a_thread_may_use_more_statements_than_the_cache_holds(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = fresh_db(dir);
	store *s;
	char err[512];
	assert_int_equal(store_open(path, NULL, &s, err, sizeof(err)), 0);
	store_conn *c;
	assert_int_equal(store_conn_get(s, &c), 0);
	for (int i = 0; i < MANY_STATEMENTS; i++)
		snprintf(many_sql[i], sizeof(many_sql[i]), "SELECT ?1 + %d", i);
	/* Every one prepares and answers, and the first ones again after they were evicted. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < MANY_STATEMENTS; i++)
			assert_int_equal(run_one(c, i), 1000 + i);
	/* A statement being read is never finalized under its reader, however many others run
	 * between its rows (AddressSanitizer would see a finalized one being stepped). */
	store_stmt *outer;
	assert_int_equal(store_prepare(c, SQL_THREE_ROWS_CTE, &outer), 0);
	int64_t seen = 0;
	while (store_step(outer) == STORE_ROW) {
		int64_t v = store_col_int64(outer, 0);
		for (int i = 0; i < MANY_STATEMENTS; i++)
			assert_int_equal(run_one(c, i), 1000 + i);
		assert_int_equal(store_col_int64(outer, 0), v);
		seen = seen * 10 + v;
	}
	store_reset(outer);
	assert_int_equal(seen, 123);
	/* A handle used after its reset is refused, not run: the cache may have finalized it. */
	assert_int_equal(store_step(outer), PONTE_ESTORE);
	assert_int_equal(store_bind_int64(outer, 1, 1), PONTE_ESTORE);
	assert_int_equal(store_prepare(c, SQL_THREE_ROWS_CTE, &outer), 0);
	assert_int_equal(store_step(outer), STORE_ROW);
	assert_int_equal(store_col_int64(outer, 0), 1);
	store_reset(outer);
	store_close(s);
	free(path);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_migrate_and_reopen),
		cmocka_unit_test(rebuilding_a_table_keeps_what_refers_to_it),
		cmocka_unit_test(create_refuses_existing_files_and_missing_directories),
		cmocka_unit_test(open_refuses_foreign_sqlite_and_other_files),
		cmocka_unit_test(changed_past_migration_is_refused),
		cmocka_unit_test(database_from_a_newer_ponte_is_refused),
		cmocka_unit_test(instance_validation_rejects_bad_input),
		cmocka_unit_test(a_held_lock_is_busy_not_a_hang),
		cmocka_unit_test(a_thread_may_use_more_statements_than_the_cache_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
