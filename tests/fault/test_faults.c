/*
 * Allocation failures (issue 17): a mix of requests, each sent again and again with its 1st,
 * 2nd, ... nth allocation made to fail (src/base/fault.h), first among Ponte's own (arenas,
 * buffers, the store's structures), then among SQLite's, until the request makes fewer
 * allocations than n. Every answer must be the normal one, whole (a 201 with its Location), or
 * an error answer (500, or 503 with Retry-After) with a body; the server must answer the next
 * request normally; a case that was being created is there with its case.create event or not
 * at all. Built and run under ASan by tests/run-all.sh, so a failure path that crashes, reads
 * freed memory or leaks fails here. PONTE_FAULT_TRACE=1 prints where each failed allocation
 * was made (src/base/fault.h): the last trace before a failure is the finding's.
 */
#include "http/httptest.h"

#include <time.h>

#include "base/fault.h"

#ifndef PONTE_FAULT_ALLOC
#error                                                                                             \
    "build this suite with EXTRA_CFLAGS=-DPONTE_FAULT_ALLOC (make fault-tests; see docs/testing.md)"
#endif

static struct ht_server S;
static char api_auth[128];
static struct web_session web;
static char case_path[64], api_case_path[64];

/* The most allocations of one kind tried per request: far more than any request here makes
 * (the test reports the counts), a bound on the time if one grows. */
#define MAX_N 3000

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	bearer("case.worker@demo.ponte.example", api_auth, sizeof(api_auth));
	assert_int_equal(web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &web),
			 303);
	struct ht_resp r;
	assert_int_equal(
	    api(api_auth, "POST", "/api/v1/cases",
		"{\"person\":{\"prs_FirstName\":\"Fault\",\"prs_Gender\":\"Feminine\"}}", &r),
	    201);
	char v[128];
	assert_non_null(ht_header(&r, "Location", v, sizeof(v)));
	long id = strtol(v + strlen("/api/v1/cases/"), NULL, 10);
	ht_free(&r);
	snprintf(api_case_path, sizeof(api_case_path), "/api/v1/cases/%ld", id);
	snprintf(case_path, sizeof(case_path), "/cases/%ld", id);
	return 0;
}

enum who { ANONYMOUS, API, WEB };

struct request {
	const char *method, *path, *body;
	enum who who;
};

static long send_request(const struct request *q, struct ht_resp *r)
{
	const char *h[4] = { NULL };
	size_t nh = 0;
	if (q->who == API) {
		h[nh++] = api_auth;
		h[nh++] = "Content-Type: application/json";
	} else if (q->who == WEB) {
		h[nh++] = web.cookie;
	}
	CURLcode cc = ht_request(S.port, q->method, q->path, q->body,
				 q->body ? (long)strlen(q->body) : 0, h, r);
	if (cc != CURLE_OK)
		fail_msg("%s %s: no answer (%s): did the server crash?", q->method, q->path,
			 curl_easy_strerror(cc));
	return r->status;
}

/* A whole answer: a page ends with its closing tag, JSON with its closing brace. */
static bool whole(const struct ht_resp *r)
{
	if (!r->body || !r->len)
		return r->status == 204 || r->status == 304;
	char type[128];
	if (!ht_header(r, "Content-Type", type, sizeof(type)))
		return true;
	size_t n = r->len;
	while (n && (r->body[n - 1] == '\n' || r->body[n - 1] == ' '))
		n--;
	if (strncmp(type, "text/html", 9) == 0)
		return n >= 7 && memcmp(r->body + n - 7, "</html>", 7) == 0;
	if (strncmp(type, "application/json", 16) == 0)
		return n >= 1 && (r->body[n - 1] == '}' || r->body[n - 1] == ']');
	return true;
}

static int64_t scalar(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(S.db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char SQL_CASES[] = "SELECT count(*) FROM cases";
static const char SQL_CREATED[] =
    "SELECT count(*) FROM audit_events WHERE action = 'case.create' AND outcome = 'success'";

/* One request with its nth allocation of kind failing, for every n it reaches. */
static void fail_each_allocation(const struct request *q, int kind, const char *kind_name)
{
	struct ht_resp r;
	long normal = send_request(q, &r);
	bool normal_whole = whole(&r);
	ht_free(&r);
	assert_true(normal_whole);
	bool writes = strcmp(q->method, "POST") == 0;
	long n, errors = 0, kept = 0;
	for (n = 1; n <= MAX_N; n++) {
		int64_t cases = writes ? scalar(SQL_CASES) : 0;
		int64_t created = writes ? scalar(SQL_CREATED) : 0;
		fault_alloc_arm(n, kind);
		long status = send_request(q, &r);
		bool fired = fault_alloc_disarm();
		char location[128];
		const char *problem = NULL;
		if (status == normal) {
			if (!whole(&r))
				problem = "with a cut body";
			else if (status == 201 &&
				 !ht_header(&r, "Location", location, sizeof(location)))
				problem = "without its Location";
			kept++;
		} else if (status == 500 || status == 503) {
			if (!r.len)
				problem = "without a body";
			else if (status == 503 &&
				 !ht_header(&r, "Retry-After", location, sizeof(location)))
				problem = "without Retry-After";
			errors++;
		} else {
			problem = "instead of the normal answer, 500 or 503";
		}
		ht_free(&r);
		if (problem)
			fail_msg("%s %s, %s allocation %ld failing: %ld %s (normal: %ld; "
				 "PONTE_FAULT_TRACE=1 shows where the allocation was)",
				 q->method, q->path, kind_name, n, status, problem, normal);
		if (writes) {
			/* Written whole with its trace, or not at all. */
			int64_t dc = scalar(SQL_CASES) - cases, de = scalar(SQL_CREATED) - created;
			assert_int_equal(dc, de);
			assert_int_equal(dc, status == normal ? 1 : 0);
		}
		if (!fired)
			break;
		/* The server goes on: the same request, nothing failing, is answered normally. */
		assert_int_equal(send_request(q, &r), normal);
		ht_free(&r);
	}
	if (n > MAX_N)
		fail_msg("%s %s: more than %d %s allocations", q->method, q->path, MAX_N,
			 kind_name);
	printf("  %-5s %-32s %-6s %4ld allocations: %ld error answers, %ld normal\n", q->method,
	       q->path, kind_name, n - 1, errors, kept);
}

static void every_allocation_that_fails_gives_an_error_answer_and_the_server_goes_on(void **state)
{
	(void)state;
	const struct request mix[] = {
		{ "GET", "/healthz", NULL, ANONYMOUS },
		{ "GET", "/login", NULL, ANONYMOUS },
		{ "GET", "/no/such/page", NULL, ANONYMOUS },
		{ "GET", "/static/app.css", NULL, ANONYMOUS },
		{ "GET", "/", NULL, WEB },
		{ "GET", "/cases?status=Active", NULL, WEB },
		{ "GET", case_path, NULL, WEB },
		{ "GET", "/knowledge?q=labour", NULL, WEB },
		{ "GET", api_case_path, NULL, API },
		{ "GET", "/api/v1/cases?q=aminata", NULL, API },
		{ "POST", "/api/v1/cases",
		  "{\"person\":{\"prs_FirstName\":\"Mariama\",\"prs_SecondName\":\"Bello\","
		  "\"prs_Gender\":\"Feminine\",\"prs_Citizenship\":[\"NE\"]}}",
		  API },
	};
	time_t t0 = time(NULL);
	for (size_t i = 0; i < ARRAY_LEN(mix); i++)
		fail_each_allocation(&mix[i], FAULT_OURS, "ponte");
	for (size_t i = 0; i < ARRAY_LEN(mix); i++)
		fail_each_allocation(&mix[i], FAULT_SQLITE, "sqlite");
	printf("  %lld s in all\n", (long long)(time(NULL) - t0));
	/* Every change kept its trace, and the chain is whole. */
	assert_int_equal(scalar(SQL_CASES) >= scalar(SQL_CREATED) - 0, 1);
	audit_verify_result vr;
	assert_int_equal(audit_verify(S.db, &vr), 0);
}

static void the_hook_is_compiled_in(void **state)
{
	(void)state;
	/* Without the hook the suite above would pass without failing anything. */
	arena a;
	arena_init(&a, 1 << 20);
	fault_alloc_arm(1, FAULT_OURS);
	void *p = arena_alloc(&a, 10);
	assert_true(fault_alloc_disarm());
	assert_null(p);
	assert_non_null(arena_alloc(&a, 10));
	arena_release(&a);
	buf b;
	buf_init(&b, 1 << 20);
	fault_alloc_arm(1, FAULT_OURS);
	assert_int_equal(buf_puts(&b, "x"), PONTE_ENOMEM);
	assert_true(fault_alloc_disarm());
	assert_int_equal(buf_puts(&b, "x"), 0);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_hook_is_compiled_in),
		cmocka_unit_test(
		    every_allocation_that_fails_gives_an_error_answer_and_the_server_goes_on),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
