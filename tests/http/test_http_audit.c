/* The audit trail under concurrent readers: their events group-committed, each exactly once,
 * the chain intact, nothing lost at a stop, and the auditor sees what was read. */
#include "httptest.h"

#include <stdarg.h>
#include <sys/wait.h>

#include "audit/audit.h"
#include "base/log.h"

static struct ht_server S;
static audit_writer *W;
static char cw_auth[128];
static struct web_session auditor;
static long case_id;

static const char *bin(void)
{
	const char *b = getenv("PONTE_BIN");
	return b && *b ? b : "build/ponte";
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	assert_int_equal(audit_writer_start(S.db, &W), 0);
	audit_writer *second;
	assert_int_equal(audit_writer_start(S.db, &second), PONTE_EEXIST);
	bearer("case.worker@demo.ponte.example", cw_auth, sizeof(cw_auth));
	assert_int_equal(web_login("auditor@demo.ponte.example", DEMO_PASSWORD, NULL, &auditor),
			 303);
	struct ht_resp r;
	const char *body = "{\"person\":{\"prs_FirstName\":\"Awa\",\"prs_SecondName\":\"Traoré\","
			   "\"prs_Gender\":\"Feminine\"}}";
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases", body, &r), 201);
	char v[128];
	assert_non_null(ht_header(&r, "Location", v, sizeof(v)));
	case_id = strtol(v + 14, NULL, 10);
	assert_true(case_id > 0);
	ht_free(&r);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (S.server)
		http_server_stop(S.server);
	S.server = NULL;
	assert_int_equal(audit_writer_stop(W), 0);
	ht_stop(&S);
	log_set_fd(2);
	return 0;
}

static int64_t count_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t count_sql(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return ht_query_int(sql);
}

#define READERS 8
#define READS 60

struct reader {
	pthread_t thread;
	int ok;
};

static void *read_case(void *arg)
{
	struct reader *rd = arg;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", case_id);
	for (int i = 0; i < READS; i++) {
		struct ht_resp r;
		const char *h[] = { cw_auth, NULL };
		if (ht_request(S.port, "GET", path, NULL, 0, h, &r) == CURLE_OK && r.status == 200)
			rd->ok++;
		ht_free(&r);
	}
	return NULL;
}

static int verify_with_the_command(void)
{
	char cmd[8400];
	snprintf(cmd, sizeof(cmd), "%s audit verify --db '%s' >/dev/null 2>&1", bin(), S.db_path);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Concurrent readers of one case, and a writer changing another between them: every read is
 * in the trail once, every id follows the previous one, and the chain verifies. */
static void concurrent_reads_are_each_audited_once_on_an_intact_chain(void **state)
{
	(void)state;
	assert_int_equal(audit_flush(S.db), 0);
#define Q_READS                                                                                    \
	"SELECT count(*) FROM audit_events WHERE action = 'case.read' AND object_id = '%ld' AND "  \
	"outcome = 'success'"
	int64_t before = count_sql(Q_READS, case_id);
	struct reader rd[READERS] = { 0 };
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&rd[i].thread, NULL, read_case, &rd[i]), 0);
	/* Changes keep their event in their own transaction, between the group commits. */
	int writes = 0;
	for (int i = 0; i < 10; i++) {
		struct ht_resp r;
		char body[256];
		snprintf(body, sizeof(body),
			 "{\"person\":{\"prs_FirstName\":\"Kofi %d\",\"prs_SecondName\":\"Mensah\","
			 "\"prs_Gender\":\"Masculine\"}}",
			 i);
		writes += api(cw_auth, "POST", "/api/v1/cases", body, &r) == 201;
		ht_free(&r);
	}
	int ok = 0;
	for (int i = 0; i < READERS; i++) {
		pthread_join(rd[i].thread, NULL);
		ok += rd[i].ok;
	}
	assert_int_equal(ok, READERS * READS);
	assert_int_equal(writes, 10);
	assert_int_equal(audit_flush(S.db), 0);
	assert_int_equal(count_sql(Q_READS, case_id), before + READERS * READS);
	/* Each case created has its creation in the trail, exactly once. */
	assert_int_equal(count_sql("SELECT count(*) FROM cases c WHERE id > %ld AND (SELECT "
				   "count(*) FROM audit_events a WHERE a.action = 'case.create' "
				   "AND a.object_id = CAST(c.id AS TEXT)) = 1",
				   case_id),
			 10);
	assert_int_equal(count_sql("SELECT count(*) FROM audit_events WHERE id > "
				   "(SELECT count(*) FROM audit_events)"),
			 0);
	audit_verify_result v;
	assert_int_equal(audit_verify(S.db, &v), 0);
	assert_int_equal(v.first_bad_id, 0);
	assert_int_equal(verify_with_the_command(), 0);
}

/* While another connection holds the write lock the writer cannot commit, yet readers are
 * answered at once; the auditor's page waits for the queue and shows the read. */
struct page {
	pthread_t thread;
	struct ht_resp r;
	char path[128];
};

static void *get_page(void *arg)
{
	struct page *p = arg;
	const char *h[] = { auditor.cookie, NULL };
	ht_get(S.port, p->path, h, &p->r);
	return NULL;
}

static void the_auditor_sees_reads_still_in_the_queue(void **state)
{
	(void)state;
	struct ht_writers_lock lock;
	ht_lock_writers(&S, &lock);
	int64_t before = count_sql(Q_READS, case_id);
	struct ht_resp r;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", case_id);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
		ht_free(&r);
	}
	/* Queued, not yet written: the lock is ours. */
	assert_int_equal(count_sql(Q_READS, case_id), before);
	struct page p = { 0 };
	snprintf(p.path, sizeof(p.path), "/audit/export.csv?action=case.read&object_id=%ld",
		 case_id);
	assert_int_equal(pthread_create(&p.thread, NULL, get_page, &p), 0);
	struct timespec pause = { 0, 300 * 1000000L };
	nanosleep(&pause, NULL);
	ht_unlock_writers(&lock);
	pthread_join(p.thread, NULL);
	assert_int_equal(p.r.status, 200);
	int64_t lines = 0;
	for (const char *c = p.r.body; (c = strstr(c, ",case.read,case,")); c++)
		lines++;
	assert_int_equal(lines, before + 3);
	ht_free(&p.r);
}

/* Stopping the writer commits what is queued: nothing read before a stop is lost. */
static void a_stop_commits_every_queued_event(void **state)
{
	(void)state;
	assert_int_equal(audit_flush(S.db), 0);
	struct ht_writers_lock lock;
	ht_lock_writers(&S, &lock);
	int64_t before = count_sql("SELECT count(*) FROM audit_events WHERE action = "
				   "'test.stop' ");
	for (int i = 0; i < 500; i++) {
		char id[24];
		snprintf(id, sizeof(id), "%d", i);
		audit_event e = { .user_id = 1,
				  .action = "test.stop",
				  .object_type = "case",
				  .object_id = id,
				  .outcome = "success",
				  .client = "127.0.0.1" };
		assert_int_equal(audit_append_read(S.db, &e), 0);
	}
	assert_int_equal(count_sql("SELECT count(*) FROM audit_events WHERE action = "
				   "'test.stop' "),
			 before);
	ht_unlock_writers(&lock);
	assert_int_equal(audit_writer_stop(W), 0);
	W = NULL;
	assert_int_equal(count_sql("SELECT count(DISTINCT object_id) FROM audit_events WHERE "
				   "action = 'test.stop' "),
			 500);
	assert_int_equal(count_sql("SELECT count(*) FROM audit_events WHERE action = "
				   "'test.stop' "),
			 500);
	assert_int_equal(verify_with_the_command(), 0);
	/* Without a writer, a read is written at once. */
	audit_event e = { .user_id = 1, .action = "test.stop", .outcome = "success" };
	assert_int_equal(audit_append_read(S.db, &e), 0);
	assert_int_equal(count_sql("SELECT count(*) FROM audit_events WHERE action = "
				   "'test.stop' "),
			 501);
	assert_int_equal(audit_writer_start(S.db, &W), 0);
}

/* The audit trail's page as the auditor opens it with query (after "/audit?"): the status,
 * the body in r. */
static long audit_page(const char *query, struct ht_resp *r)
{
	char path[256];
	snprintf(path, sizeof(path), "/audit?%s", query);
	const char *h[] = { auditor.cookie, NULL };
	ht_get(S.port, path, h, r);
	return r->status;
}

static size_t rows_of(const char *body)
{
	size_t n = 0;
	for (const char *p = body; (p = strstr(p, "<td class=\"ref\">")); p++)
		n++;
	return n;
}

/* Issue #18: the trail's period is days as a person enters them (a date picker, or typed
 * where the browser has none: 28/11/2026, 28 nov. 2026), the last day included; what is not
 * a day is explained beside its field and above the form, in the reader's language. */
static void the_period_is_days_as_a_person_enters_them(void **state)
{
	(void)state;
	char today[CLOCK_RFC3339_LEN], typed[16], query[160];
	clock_format_rfc3339(clock_wall_ms(), today);
	snprintf(typed, sizeof(typed), "%.2s/%.2s/%.4s", today + 8, today + 5, today);
	struct ht_resp r;
	/* Today, typed the day first, both ends: today's events, the field showing the day. */
	snprintf(query, sizeof(query), "since=%.2s%%2F%.2s%%2F%.4s&until=%.2s%%2F%.2s%%2F%.4s",
		 today + 8, today + 5, today, today + 8, today + 5, today);
	assert_int_equal(audit_page(query, &r), 200);
	assert_true(rows_of(r.body) > 0);
	char value[32];
	snprintf(value, sizeof(value), "value=\"%.10s\"", today);
	assert_non_null(strstr(r.body, value));
	assert_non_null(strstr(r.body, "type=\"date\" id=\"since\""));
	ht_free(&r);
	/* As a date picker sends it; a period that ended yesterday holds nothing of today. */
	snprintf(query, sizeof(query), "since=%.10s", today);
	assert_int_equal(audit_page(query, &r), 200);
	assert_true(rows_of(r.body) > 0);
	ht_free(&r);
	assert_int_equal(audit_page("since=1%20janv.%202000&until=31%2F12%2F2000&lang=fr", &r),
			 200);
	assert_int_equal(rows_of(r.body), 0);
	assert_non_null(strstr(r.body, "value=\"2000-01-01\""));
	ht_free(&r);
	/* Not days: said in French beside each field and in the summary, what was typed kept. */
	assert_int_equal(
	    audit_page("since=2026-11-28T00%3A00%3A00Z&until=31%2F02%2F2026&lang=fr", &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "href=\"#since\""));
	assert_non_null(strstr(r.body, "href=\"#until\""));
	assert_non_null(strstr(r.body, "Saisissez un jour, par exemple 28/11/2026."));
	assert_non_null(strstr(r.body, "value=\"31/02/2026\""));
	assert_int_equal(rows_of(r.body), 0);
	ht_free(&r);
	/* A period that ends before it starts. */
	assert_int_equal(audit_page("since=2026-11-29&until=2026-11-28&lang=en", &r), 422);
	assert_non_null(strstr(r.body, "A period ends on or after the day it starts."));
	ht_free(&r);
	/* The download refuses what the page would. */
	const char *h[] = { auditor.cookie, NULL };
	ht_get(S.port, "/audit/export.csv?since=yesterday", h, &r);
	assert_true(r.status >= 400 && r.status < 500);
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_period_is_days_as_a_person_enters_them),
		cmocka_unit_test(concurrent_reads_are_each_audited_once_on_an_intact_chain),
		cmocka_unit_test(the_auditor_sees_reads_still_in_the_queue),
		cmocka_unit_test(a_stop_commits_every_queued_event),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
