/* The administrator's start page says how old the last good backup is, and warns when there
 * is none or it is more than a day and a half old; nobody else sees it. A backup taken while
 * the server answers requests counts. On PostgreSQL, where Ponte takes no backup, the
 * administrator is told which tools take them instead. */
#include "httptest.h"

#include <sys/wait.h>

#include "backup/backup.h"
#include "base/clock.h"
#include "base/log.h"

static struct ht_server S;

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	return 0;
}

static char *home_of(const char *email)
{
	struct web_session w;
	web_login(email, DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/", h, &r);
	assert_int_equal(r.status, 200);
	char *body = strdup(r.body);
	ht_free(&r);
	return body;
}

static void record(int64_t age_ms, bool good)
{
	backup_report r = { .schema_version = 1, .cases = 0 };
	clock_format_rfc3339(clock_wall_ms() - age_ms, r.created_at);
	snprintf(r.audit_head, sizeof(r.audit_head), "%064d", 0);
	assert_int_equal(backup_record(S.db, &r, "/backups/x.pbk", good), 0);
}

static void the_start_page_shows_the_age_of_the_last_good_backup(void **state)
{
	(void)state;
	char *admin = home_of(DEMO_ADMIN_EMAIL), *worker;
	assert_non_null(strstr(admin, "No good backup of this installation has been taken yet"));
	free(admin);
	/* A failed backup does not count. */
	record(60 * 1000, false);
	admin = home_of(DEMO_ADMIN_EMAIL);
	assert_non_null(strstr(admin, "No good backup"));
	free(admin);
	/* Three days old: the age, and a warning. */
	record(INT64_C(3) * 86400 * 1000 + 5000, true);
	admin = home_of(DEMO_ADMIN_EMAIL);
	assert_null(strstr(admin, "No good backup"));
	assert_non_null(strstr(admin, ">3 days</time>"));
	assert_non_null(strstr(admin, "more than a day old"));
	free(admin);
	/* One taken now, while the server runs: minutes, no warning. */
	char *out = test_path(S.dir, "now.pbk");
	backup_key k = { .kind = BACKUP_KEY_INSTANCE, .has_master = true };
	char err[256];
	assert_int_equal(crypto_master_key_load(S.key_path, k.master, err, sizeof(err)), 0);
	backup_report r;
	int rc = backup_take(S.db, S.key_path, &k, out, &r);
	if (rc)
		fail_msg("%s", r.why);
	assert_int_equal(backup_record(S.db, &r, out, true), 0);
	admin = home_of(DEMO_ADMIN_EMAIL);
	assert_non_null(strstr(admin, ">0 minutes</time>"));
	assert_null(strstr(admin, "more than a day old"));
	free(admin);
	/* In French. */
	struct web_session w;
	web_login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp resp;
	ht_get(S.port, "/?lang=fr", h, &resp);
	assert_non_null(strstr(resp.body, "Âge de la dernière sauvegarde valide"));
	ht_free(&resp);
	/* Only administrators see it. */
	worker = home_of("case.worker@demo.ponte.example");
	assert_null(strstr(worker, "backup"));
	assert_null(strstr(worker, "Age of the last"));
	free(worker);
	backup_key_wipe(&k);
	free(out);
}

static const char *bin(void)
{
	const char *b = getenv("PONTE_BIN");
	return b && *b ? b : "build/ponte";
}

static char *page_of(const char *email, const char *path)
{
	struct web_session w;
	assert_int_equal(web_login(email, DEMO_PASSWORD, NULL, &w), 303);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, path, h, &r);
	assert_int_equal(r.status, 200);
	char *body = strdup(r.body);
	ht_free(&r);
	return body;
}

#define PG_NOTE "whose backups Ponte does not take"

/* PostgreSQL's databases are backed up with PostgreSQL's own tools, which Ponte neither runs
 * nor sees (docs/deploy.md, "On PostgreSQL"): the administrator's start page and health page
 * say so and name them, in the reader's language, instead of a warning that no backup was
 * ever taken; a backup recorded while the installation ran on SQLite (ponte db copy brings
 * the record) gives no age. `ponte backup` refuses with the same advice, before reading any
 * key, and writes nothing. */
static void on_postgresql_the_administrator_is_told_which_tools_take_backups(void **state)
{
	(void)state;
	char *admin = home_of(DEMO_ADMIN_EMAIL);
	assert_non_null(strstr(admin, PG_NOTE));
	assert_non_null(strstr(admin, "pg_basebackup with WAL archiving, or pg_dump"));
	assert_null(strstr(admin, "No good backup"));
	free(admin);
	record(INT64_C(3) * 86400 * 1000, true);
	admin = home_of(DEMO_ADMIN_EMAIL);
	assert_non_null(strstr(admin, PG_NOTE));
	assert_null(strstr(admin, "Age of the last good backup"));
	assert_null(strstr(admin, "more than a day old"));
	free(admin);
	char *health = page_of(DEMO_ADMIN_EMAIL, "/admin/health");
	assert_non_null(strstr(health, PG_NOTE));
	assert_null(strstr(health, "No good backup"));
	assert_null(strstr(health, "Last good backup"));
	free(health);
	char *fr = page_of(DEMO_ADMIN_EMAIL, "/?lang=fr");
	assert_non_null(strstr(fr, "dont Ponte ne fait pas les sauvegardes"));
	free(fr);
	char *worker = home_of("case.worker@demo.ponte.example");
	assert_null(strstr(worker, "backup"));
	assert_null(strstr(worker, "pg_dump"));
	free(worker);
	/* Taking one is refused, saying which tools to use; no archive is written. */
	char *out = test_path(S.dir, "now.pbk");
	backup_key k = { .kind = BACKUP_KEY_INSTANCE, .has_master = true };
	char err[256];
	assert_int_equal(crypto_master_key_load(S.key_path, k.master, err, sizeof(err)), 0);
	backup_report r;
	assert_int_equal(backup_take(S.db, S.key_path, &k, out, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "database is PostgreSQL"));
	assert_non_null(strstr(r.why, "pg_basebackup"));
	assert_non_null(strstr(r.why, "pg_dump"));
	assert_int_equal(access(out, F_OK), -1);
	backup_key_wipe(&k);
	/* As the administrator meets it on the command line, without naming a key. */
	char cmd[9000], said[2048];
	snprintf(cmd, sizeof(cmd), "%s backup --db '%s' --out '%s' 2>&1", bin(), S.db_path, out);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(said, 1, sizeof(said) - 1, p);
	said[n] = '\0';
	int status = pclose(p);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	assert_non_null(strstr(said, "backup failed: this installation's database is PostgreSQL"));
	assert_non_null(strstr(said, "pg_basebackup"));
	assert_int_equal(access(out, F_OK), -1);
	free(out);
}

static long metrics_status(const char *auth)
{
	const char *h[] = { auth, NULL };
	struct ht_resp r;
	ht_get(S.port, "/metrics", auth ? h : NULL, &r);
	long status = r.status;
	if (status == 200)
		assert_non_null(strstr(r.body, "ponte_http_requests_total"));
	ht_free(&r);
	return status;
}

/* serve --metrics-token-file: /metrics only with the token, not found otherwise. */
static void metrics_answer_only_with_the_token(void **state)
{
	(void)state;
	assert_int_equal(metrics_status(NULL), 200); /* without a token configured */
	crypto_token_hash("a-scraper-token-of-some-length", S.app.svc.metrics_token_hash);
	S.app.svc.metrics_token_set = true;
	assert_int_equal(metrics_status(NULL), 404);
	assert_int_equal(metrics_status("Authorization: Bearer wrong-token-of-some-length"), 404);
	assert_int_equal(metrics_status("Authorization: Basic a-scraper-token-of-some-length"),
			 404);
	assert_int_equal(metrics_status("Authorization: Bearer a-scraper-token-of-some-length"),
			 200);
	S.app.svc.metrics_token_set = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ht_is_pg() ? (struct CMUnitTest)cmocka_unit_test(
				 on_postgresql_the_administrator_is_told_which_tools_take_backups)
			   : (struct CMUnitTest)cmocka_unit_test(
				 the_start_page_shows_the_age_of_the_last_good_backup),
		cmocka_unit_test(metrics_answer_only_with_the_token),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
