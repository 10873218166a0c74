/* Finding cases: the case list's filters, orders and pages over the API and on /cases, within
 * each reader's scope, the filter saved per user, and what bad addresses get. */
#include "httptest.h"

#include "cases/cases.h"

static struct ht_server S;
static char cw[128], sup[128], fp[128], porto[128], madrid[128];
static int64_t cw_id, sup_id;
/* The cases of the suite: a..d in the Lisbon NGO (a, b, c the case worker's, d the
 * supervisor's), e in another organisation of Portugal, f in Spain. */
static long a, b, c, d, e, f;

static void sql(const char *statement)
{
	assert_int_equal(ht_exec(statement), 1);
}

static long create(const char *auth, const char *first, const char *citizenship, const char *phase,
		   const char *status)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"phase\":\"%s\",\"cas_Status\":\"%s\",\"person\":{\"prs_FirstName\":\"%s\","
		 "\"prs_Citizenship\":[%s]}}",
		 phase, status, first, citizenship);
	struct ht_resp r;
	assert_int_equal(api(auth, "POST", "/api/v1/cases", body, &r), 201);
	const char *id = strstr(r.body, "{\"id\":");
	assert_non_null(id);
	long n = strtol(id + 6, NULL, 10);
	ht_free(&r);
	return n;
}

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	ht_add_org("PT-NGO-PORTO", "Porto Shelter (demo)", "PT");
	ht_add_org("ES-NGO-MAD", "Madrid NGO (demo)", "ES");
	ht_add_user("porto@demo.ponte.example", "Porto Caseworker", "PT-NGO-PORTO", "case_worker");
	ht_add_user("madrid@demo.ponte.example", "Madrid Supervisor", "ES-NGO-MAD", "supervisor");
	bearer("case.worker@demo.ponte.example", cw, sizeof(cw));
	bearer("supervisor@demo.ponte.example", sup, sizeof(sup));
	bearer("focal.point@demo.ponte.example", fp, sizeof(fp));
	bearer("porto@demo.ponte.example", porto, sizeof(porto));
	bearer("madrid@demo.ponte.example", madrid, sizeof(madrid));
	keyed_store env = { S.db, S.keys };
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &cw_id), 0);
	assert_int_equal(user_find_by_email(&env, "supervisor@demo.ponte.example", &sup_id), 0);
	/* Gambia and Togo: no demonstration case has them. */
	a = create(cw, "Awa", "\"GM\"", "identification", "Active");
	b = create(cw, "Binta", "\"GM\",\"TG\"", "protection", "FollowUp");
	c = create(cw, "Comfort", "\"TG\"", "protection", "Active");
	d = create(sup, "Dado", "\"GM\"", "return", "Active");
	e = create(porto, "Esi", "\"GM\"", "protection", "Active");
	f = create(madrid, "Fanta", "\"GM\"", "protection", "Active");
	/* Risk assessments: b high; c low, then medium (the latest counts). */
	struct web_session w;
	throttle_reset_all();
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	char path[64];
	struct ht_resp r;
	snprintf(path, sizeof(path), "/cases/%ld/safety", b);
	assert_int_equal(form_post(&w, path, "risk=high&assessed_on=2026-01-10", &r), 303);
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%ld/safety", c);
	assert_int_equal(form_post(&w, path, "risk=low&assessed_on=2026-01-10", &r), 303);
	ht_free(&r);
	assert_int_equal(form_post(&w, path, "risk=medium&assessed_on=2026-01-09", &r), 303);
	ht_free(&r);
	/* Dates to filter on: a registered in January 2020, b last changed on 1 June 2021. */
	char q[256];
	snprintf(q, sizeof(q),
		 "UPDATE cases SET created_at = '2020-01-15T10:00:00.000Z' WHERE id = %ld", a);
	sql(q);
	snprintf(q, sizeof(q),
		 "UPDATE cases SET updated_at = '2021-06-01T23:30:00.000Z' WHERE id = %ld", b);
	sql(q);
	return 0;
}

/* The ids of the items of a list answer, in order. */
static size_t ids_of(const char *body, long *out, size_t max)
{
	size_t n = 0;
	const char *p = strstr(body, "\"items\":[");
	while (p && n < max && (p = strstr(p, "{\"id\":"))) {
		out[n++] = strtol(p + 6, NULL, 10);
		p += 6;
	}
	return n;
}

static bool has(const long *ids, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* GET path as auth: the ids found, in order, and the total. */
static size_t list(const char *auth, const char *path, long *ids, size_t max, long *total)
{
	struct ht_resp r;
	long status = api(auth, "GET", path, NULL, &r);
	if (status != 200)
		fail_msg("%s: %ld %s", path, status, r.body);
	size_t n = ids_of(r.body, ids, max);
	const char *t = strstr(r.body, "\"total\":");
	assert_non_null(t);
	*total = strtol(t + 8, NULL, 10);
	assert_non_null(strstr(r.body, "\"total_capped\":false"));
	ht_free(&r);
	return n;
}

/* The cases of auth that path finds, exactly the expected ones (in any order). */
static void finds(const char *auth, const char *path, const long *expected, size_t m)
{
	long ids[64], total;
	size_t n = list(auth, path, ids, 64, &total);
	if (n != m || total != (long)m)
		fail_msg("%s: %zu cases (total %ld), expected %zu", path, n, total, m);
	for (size_t i = 0; i < m; i++)
		if (!has(ids, n, expected[i]))
			fail_msg("%s: case %ld missing", path, expected[i]);
}

static void each_filter_finds_its_cases(void **state)
{
	(void)state;
	char path[256];
	finds(sup, "/api/v1/cases?nationality=GM", (long[]){ a, b, d }, 3);
	finds(sup, "/api/v1/cases?nationality=TG", (long[]){ b, c }, 2);
	finds(sup, "/api/v1/cases?nationality=GM&phase=protection", (long[]){ b }, 1);
	finds(sup, "/api/v1/cases?nationality=GM&status=FollowUp", (long[]){ b }, 1);
	finds(sup, "/api/v1/cases?nationality=GM&status=Active&phase=return", (long[]){ d }, 1);
	finds(sup, "/api/v1/cases?risk=high", (long[]){ b }, 1);
	finds(sup, "/api/v1/cases?risk=medium", (long[]){ c }, 1);
	finds(sup, "/api/v1/cases?risk=low", NULL, 0);
	finds(sup, "/api/v1/cases?risk=none&nationality=GM", (long[]){ a, d }, 2);
	snprintf(path, sizeof(path), "/api/v1/cases?worker=%lld&nationality=GM", (long long)sup_id);
	finds(sup, path, (long[]){ d }, 1);
	snprintf(path, sizeof(path), "/api/v1/cases?worker=%lld&nationality=TG", (long long)cw_id);
	finds(sup, path, (long[]){ b, c }, 2);
	snprintf(path, sizeof(path), "/api/v1/cases?q=%ld", a);
	finds(sup, path, (long[]){ a }, 1);
	snprintf(path, sizeof(path), "/api/v1/cases?q=%%23%ld", c); /* "#12" */
	finds(sup, path, (long[]){ c }, 1);
	/* Days are whole and inclusive at both ends. */
	finds(sup, "/api/v1/cases?registered_from=2020-01-01&registered_to=2020-12-31",
	      (long[]){ a }, 1);
	finds(sup, "/api/v1/cases?registered_from=2020-01-15&registered_to=2020-01-15",
	      (long[]){ a }, 1);
	finds(sup, "/api/v1/cases?registered_to=2020-01-14", NULL, 0);
	finds(sup, "/api/v1/cases?updated_from=2021-06-01&updated_to=2021-06-01", (long[]){ b }, 1);
	finds(sup, "/api/v1/cases?updated_to=2021-12-31&nationality=TG", (long[]){ b }, 1);
	finds(sup, "/api/v1/cases?registered_from=2020-01-16&nationality=GM", (long[]){ b, d }, 2);
	/* Every case answered carries the level of its latest assessment. */
	struct ht_resp r;
	snprintf(path, sizeof(path), "/api/v1/cases?q=%ld", c);
	assert_int_equal(api(sup, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"risk\":\"medium\""));
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", a);
	assert_int_equal(api(sup, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"risk\":null"));
	ht_free(&r);
}

/* The ids path finds, in order, are exactly order. */
static void in_order(const char *path, const long *order, size_t m)
{
	long ids[64], total;
	size_t n = list(sup, path, ids, 64, &total);
	if (n != m)
		fail_msg("%s: %zu cases, expected %zu", path, n, m);
	for (size_t i = 0; i < m; i++)
		if (ids[i] != order[i])
			fail_msg("%s: position %zu is case %ld, expected %ld", path, i, ids[i],
				 order[i]);
}

static void every_column_sorts_both_ways(void **state)
{
	(void)state;
	/* a..d: a identification, b and c protection, d return; b FollowUp; b high, c medium;
	 * b changed in 2021, a registered in 2020; a, b, c the case worker's, d the
	 * supervisor's. */
	const char *g = "/api/v1/cases?nationality=";
	char path[256];
#define ORDER(query, ...)                                                                          \
	do {                                                                                       \
		snprintf(path, sizeof(path), "%s%s", g, query);                                    \
		long want[] = { __VA_ARGS__ };                                                     \
		in_order(path, want, ARRAY_LEN(want));                                             \
	} while (0)
	ORDER("TG&sort=number", b, c);
	ORDER("TG&sort=number&dir=desc", c, b);
	ORDER("GM&sort=number&dir=asc", a, b, d);
	ORDER("GM&sort=registered&dir=asc", a, b, d);
	ORDER("GM&sort=registered&dir=desc", d, b, a);
	/* Newest change first by default; b was changed in 2021. */
	ORDER("GM", d, a, b);
	ORDER("GM&sort=updated&dir=asc", b, a, d);
	/* Phases in the order of the SOP (ties: by number). */
	ORDER("GM&sort=phase", a, b, d);
	ORDER("GM&sort=phase&dir=desc", d, b, a);
	ORDER("TG&sort=status", c, b); /* Active before Follow-up */
	ORDER("TG&sort=status&dir=desc", b, c);
	/* Highest risk first; never assessed last, both ways. */
	ORDER("TG&sort=risk", b, c);
	ORDER("TG&sort=risk&dir=asc", c, b);
	ORDER("GM&sort=risk", b, d, a);
	ORDER("GM&sort=risk&dir=asc", b, a, d);
	/* By the first country's name: Gambia (b: Gambia, Togo) before Togo. */
	ORDER("TG&sort=nationality", b, c);
	ORDER("TG&sort=nationality&dir=desc", c, b);
	/* By the worker's name: Bruno Caseworker before Carla Supervisor. */
	ORDER("GM&sort=worker", a, b, d);
	ORDER("GM&sort=worker&dir=desc", d, b, a);
	ORDER("GM&sort=victim_status", a, b, d);
#undef ORDER
}

static void pages_follow_one_another(void **state)
{
	(void)state;
	/* 55 cases of Liberia: more than a page of the list. */
	long first = 0, last = 0;
	for (int i = 0; i < 55; i++) {
		last = create(cw, "Lina", "\"LR\"", "identification", "Active");
		if (!first)
			first = last;
	}
	long ids[64], total, seen[64];
	size_t n =
	    list(sup, "/api/v1/cases?nationality=LR&sort=number&dir=asc&limit=20", ids, 64, &total);
	assert_int_equal(n, 20);
	assert_int_equal(total, 55);
	assert_int_equal(ids[0], first);
	memcpy(seen, ids, sizeof(seen));
	n = list(sup, "/api/v1/cases?nationality=LR&sort=number&dir=asc&limit=20&offset=40", ids,
		 64, &total);
	assert_int_equal(n, 15);
	assert_int_equal(ids[14], last);
	for (size_t i = 0; i < n; i++)
		assert_false(has(seen, 20, ids[i]));
	n = list(sup, "/api/v1/cases?nationality=LR&offset=55", ids, 64, &total);
	assert_int_equal(n, 0);
	assert_int_equal(total, 55);
	/* The page: 50 cases, then the other 5; a page past the end says so. */
	struct web_session w;
	throttle_reset_all();
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/cases?nationality=LR&sort=number&dir=asc", h, &r);
	assert_int_equal(r.status, 200);
	size_t rows = 0;
	for (const char *p = r.body; (p = strstr(p, "<tr><td>")); p++)
		rows++;
	assert_int_equal(rows, 50);
	assert_non_null(
	    strstr(r.body, "href=\"/cases?nationality=LR&amp;sort=number&amp;page=2\""));
	assert_non_null(strstr(r.body, "1 / 2"));
	ht_free(&r);
	ht_get(S.port, "/cases?nationality=LR&sort=number&dir=asc&page=2", h, &r);
	rows = 0;
	for (const char *p = r.body; (p = strstr(p, "<tr><td>")); p++)
		rows++;
	assert_int_equal(rows, 5);
	char cell[32];
	snprintf(cell, sizeof(cell), "<tr><td>%ld</td>", last);
	assert_non_null(strstr(r.body, cell));
	assert_non_null(strstr(r.body, "rel=\"prev\""));
	assert_null(strstr(r.body, "rel=\"next\""));
	ht_free(&r);
	ht_get(S.port, "/cases?nationality=LR&page=7", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Não há processos nesta página."));
	ht_free(&r);
	/* The export gives every case of the list, not one page of it. */
	ht_get(S.port, "/cases/export.csv?nationality=LR", h, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(memcmp(r.body, "\xEF\xBB\xBF", 3), 0); /* for spreadsheet programs */
	rows = 0;
	for (const char *p = r.body; (p = strchr(p, '\n')); p++)
		rows++;
	assert_int_equal(rows, 56); /* the heading and 55 cases */
	ht_free(&r);
	ht_get(S.port, "/cases/export.csv?nationality=XX", h, &r);
	assert_int_equal(r.status, 400);
	ht_free(&r);
}

/* No filter, order or number shows a case outside the reader's scope. */
static void no_filter_reaches_outside_the_scope(void **state)
{
	(void)state;
	char path[256];
	finds(porto, "/api/v1/cases?nationality=GM", (long[]){ e }, 1);
	finds(madrid, "/api/v1/cases?nationality=GM", (long[]){ f }, 1);
	finds(cw, "/api/v1/cases?nationality=GM", (long[]){ a, b }, 2);
	/* The focal point sees the country: every Portuguese case of Gambia, not Spain's. */
	finds(fp, "/api/v1/cases?nationality=GM", (long[]){ a, b, d, e }, 4);
	const long outside[] = { a, b, c, d };
	const char *queries[] = { "",
				  "?nationality=GM",
				  "?risk=high",
				  "?risk=none",
				  "?status=FollowUp",
				  "?phase=protection",
				  "?registered_from=2000-01-01",
				  "?updated_to=2030-12-31",
				  "?sort=worker",
				  "?sort=nationality&dir=asc",
				  "?sort=risk",
				  "?limit=500" };
	for (size_t i = 0; i < ARRAY_LEN(queries); i++) {
		long ids[600], total;
		snprintf(path, sizeof(path), "/api/v1/cases%s", queries[i]);
		size_t n = list(porto, path, ids, 600, &total);
		for (size_t k = 0; k < ARRAY_LEN(outside); k++)
			if (has(ids, n, outside[k]))
				fail_msg("%s: the Porto worker sees case %ld", path, outside[k]);
		assert_false(has(ids, n, f));
	}
	for (size_t k = 0; k < ARRAY_LEN(outside); k++) {
		snprintf(path, sizeof(path), "/api/v1/cases?q=%ld", outside[k]);
		finds(porto, path, NULL, 0);
	}
	snprintf(path, sizeof(path), "/api/v1/cases?worker=%lld", (long long)sup_id);
	finds(porto, path, NULL, 0);
	finds(cw, path, NULL, 0); /* the case worker sees only their own, d is not */
	snprintf(path, sizeof(path), "/api/v1/cases?q=%ld", e);
	finds(sup, path, NULL, 0);
}

static void the_page_saves_the_filter_of_each_user(void **state)
{
	(void)state;
	struct web_session w, other;
	struct ht_resp r;
	throttle_reset_all();
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &other),
			 303);
	const char *h[] = { w.cookie, NULL }, *ho[] = { other.cookie, NULL };
	/* A form as the browser sends it: every field, most of them empty. */
	ht_get(S.port,
	       "/cases?q=&status=&phase=protection&risk=&nationality=GM&worker=&registered_from="
	       "&registered_to=&updated_from=&updated_to=&sort=phase&dir=asc",
	       h, &r);
	assert_int_equal(r.status, 200);
	/* Names, never codes: the country, the phase and the worker by their names. */
	assert_non_null(strstr(r.body, "<td>Gâmbia, Togo</td>"));
	assert_non_null(strstr(r.body, "<td>Primeira assistência e proteção</td>"));
	assert_non_null(strstr(r.body, "<td>Bruno Caseworker (demo)</td>"));
	assert_non_null(strstr(r.body, "<strong>Elevado</strong>"));
	assert_non_null(strstr(r.body, "aria-sort=\"ascending\""));
	ht_free(&r);
	/* Back to the list: the filter comes back, with its address (codes only). */
	ht_get(S.port, "/cases", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<td>Gâmbia, Togo</td>"));
	assert_non_null(strstr(r.body, "aria-sort=\"ascending\""));
	assert_non_null(
	    strstr(r.body, "href=\"/cases?phase=protection&amp;nationality=GM&amp;sort=phase\""));
	ht_free(&r);
	/* Another user's list is their own. */
	ht_get(S.port, "/cases", ho, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "O seu último filtro"));
	assert_non_null(strstr(r.body, "aria-sort=\"descending\""));
	ht_free(&r);
	/* A dated filter: the page shows the day in the reader's language. */
	ht_get(S.port, "/cases?registered_to=2020-01-31", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, ">15/01/2020</time>"));
	ht_free(&r);
	ht_get(S.port, "/cases", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "O seu último filtro está aplicado."));
	assert_non_null(strstr(r.body, "href=\"/cases?registered_to=2020-01-31\""));
	assert_non_null(strstr(r.body, ">15/01/2020</time>"));
	ht_free(&r);
	/* The saved filter holds no name, only codes, numbers and dates. */
	store_conn *conn;
	store_stmt *st;
	assert_int_equal(store_conn_get(S.db, &conn), 0);
	assert_int_equal(store_prepare(conn, "SELECT query FROM case_list_filters", &st), 0);
	int filters = 0;
	while (store_step(st) == STORE_ROW) {
		const char *q = store_col_text(st, 0, NULL);
		filters++;
		for (const char *p = q; *p; p++)
			assert_non_null(
			    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_-=&",
				   *p));
	}
	store_reset(st);
	assert_true(filters > 0);
	/* Clear forgets it. */
	ht_get(S.port, "/cases?clear=1", h, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	ht_get(S.port, "/cases", h, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "O seu último filtro"));
	assert_non_null(strstr(r.body, "aria-sort=\"descending\"")); /* the last change */
	ht_free(&r);
}

static void bad_addresses_get_defaults_or_a_message(void **state)
{
	(void)state;
	struct ht_resp r;
	/* The API refuses, naming the parameter, in the reader's language (Portuguese). */
	const struct {
		const char *query, *field;
	} bad[] = {
		{ "sort=name", "sort" },
		{ "sort=updated_at%20DESC%3B%20DROP%20TABLE%20cases", "sort" },
		{ "dir=up", "dir" },
		{ "status=Active'%20OR%201%3D1%20--", "status" },
		{ "phase=later", "phase" },
		{ "risk=extreme", "risk" },
		{ "nationality=XX", "nationality" },
		{ "nationality=gm", "nationality" },
		{ "worker=-3", "worker" },
		{ "q=Aicha", "q" },
		{ "q=-1", "q" },
		{ "registered_from=2020-13-01", "registered_from" },
		{ "updated_to=yesterday", "updated_to" },
		{ "registered_from=2021-01-01&registered_to=2020-01-01", "registered_to" },
		{ "offset=-1", "offset" },
		{ "offset=99999999999", "offset" },
		{ "limit=501", "limit" },
		{ "limit=0", "limit" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char path[256], field[64];
		snprintf(path, sizeof(path), "/api/v1/cases?%s", bad[i].query);
		long status = api(sup, "GET", path, NULL, &r);
		snprintf(field, sizeof(field), "\"fields\":{\"%s\":", bad[i].field);
		if (status != 422 || !strstr(r.body, field))
			fail_msg("%s: %ld %s", path, status, r.body);
		ht_free(&r);
	}
	assert_int_equal(api(sup, "GET", "/api/v1/cases?sort=name", NULL, &r), 422);
	assert_non_null(strstr(r.body, "Escolha uma ordem da lista."));
	ht_free(&r);
	/* A name is no parameter of the list: refused, never looked for. */
	assert_int_equal(api(sup, "GET", "/api/v1/cases?name=Awa", NULL, &r), 400);
	assert_non_null(strstr(r.body, "\"field\":\"name\""));
	ht_free(&r);
	/* The page shows what it could read, in the default order, and says what it left out. */
	struct web_session w;
	throttle_reset_all();
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *h[] = { w.cookie, NULL };
	const char *pages[] = {
		"/cases?sort=drop%20table&nationality=GM",         "/cases?page=-5&nationality=GM",
		"/cases?page=99999999999999999999&nationality=GM", "/cases?page=abc&nationality=GM",
		"/cases?status=%3Cscript%3E&nationality=GM",
	};
	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		ht_get(S.port, pages[i], h, &r);
		if (r.status != 200 ||
		    !strstr(r.body, "Alguns filtros deste endereço não puderam ser lidos"))
			fail_msg("%s: %ld", pages[i], r.status);
		char cell[32];
		snprintf(cell, sizeof(cell), "<tr><td>%ld</td>", d);
		assert_non_null(strstr(r.body, cell));
		assert_null(strstr(r.body, "<script>"));
		ht_free(&r);
	}
	/* A page that exists, past the last one: said so, with the way back. */
	ht_get(S.port, "/cases?nationality=GM&page=400", h, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Alguns filtros"));
	assert_non_null(strstr(r.body, "Não há processos nesta página."));
	assert_non_null(strstr(r.body, "href=\"/cases?nationality=GM&amp;page=1\""));
	ht_free(&r);
}

/* Days typed as the reader writes them in their language: read, carried in the address and
 * saved as YYYY-MM-DD; a day that is no day is said at its field, in the reader's language. */
static void the_page_reads_days_as_the_reader_types_them(void **state)
{
	(void)state;
	struct web_session w;
	struct ht_resp r;
	throttle_reset_all();
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *h[] = { w.cookie, NULL };
	char cell_a[32], cell_d[32];
	snprintf(cell_a, sizeof(cell_a), "<tr><td>%ld</td>", a);
	snprintf(cell_d, sizeof(cell_d), "<tr><td>%ld</td>", d);
	/* French: the day first with slashes, and the month named ("15 janv. 2020"). */
	ht_get(S.port,
	       "/cases?lang=fr&nationality=GM&registered_from=15%2F01%2F2020"
	       "&registered_to=+15+janv.+2020&updated_from=&updated_to=",
	       h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, cell_a));
	assert_null(strstr(r.body, cell_d));
	assert_null(strstr(r.body, "error-summary"));
	assert_non_null(strstr(r.body, "id=\"registered_from\" name=\"registered_from\" "
				       "value=\"2020-01-15\""));
	/* The links carry the day read, never what was typed. */
	assert_non_null(strstr(r.body, "/cases/export.csv?nationality=GM&amp;"
				       "registered_from=2020-01-15&amp;registered_to=2020-01-15"));
	ht_free(&r);
	/* Portuguese, with dots and dashes; Arabic in Arabic-Indic digits (١٥/٠١/٢٠٢٠). */
	ht_get(S.port, "/cases?nationality=GM&registered_from=15.01.2020&registered_to=15-01-2020",
	       h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, cell_a));
	assert_null(strstr(r.body, cell_d));
	ht_free(&r);
	ht_get(
	    S.port,
	    "/cases?lang=ar&nationality=GM&registered_from=%D9%A1%D9%A5%2F%D9%A0%D9%A1%2F%D9%A2%D9"
	    "%A0%D9%A2%D9%A0&registered_to=2020-01-15",
	    h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, cell_a));
	assert_null(strstr(r.body, cell_d));
	ht_free(&r);
	/* What was saved is the day read: the list comes back the same. */
	ht_get(S.port, "/cases", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(
	    r.body, "href=\"/cases?nationality=GM&amp;registered_from=2020-01-15&amp;registered_to="
		    "2020-01-15\""));
	ht_free(&r);
	/* No such day (30 February), and words: said at each field in the reader's language, the
	 * typed text shown back, the other filters kept, nothing of it in the links. */
	const struct {
		const char *lang, *message;
	} langs[] = {
		{ "fr", "Saisissez un jour, par exemple 28/11/2026." },
		{ "pt", "Indique um dia, por exemplo 28/11/2026." },
		{ "es", "Indique un día, por ejemplo 28/11/2026." },
		{ "ar", "أدخل يومًا، مثل 28/11/2026." },
		{ "en", "Enter a day, for example 28/11/2026." },
	};
	for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
		char path[256];
		snprintf(path, sizeof(path),
			 "/cases?lang=%s&nationality=GM&registered_from=30%%2F02%%2F2020"
			 "&updated_to=hier",
			 langs[i].lang);
		ht_get(S.port, path, h, &r);
		assert_int_equal(r.status, 200);
		if (!strstr(r.body, langs[i].message))
			fail_msg("%s: no message", langs[i].lang);
		assert_non_null(strstr(r.body, "id=\"error-summary\""));
		assert_non_null(strstr(r.body, "<a href=\"#registered_from\">"));
		assert_non_null(strstr(r.body, "<a href=\"#updated_to\">"));
		assert_non_null(
		    strstr(r.body, "value=\"30/02/2020\" aria-describedby=\"registered_from-hint "
				   "registered_from-error\" aria-invalid=\"true\""));
		assert_non_null(strstr(r.body, "value=\"hier\""));
		assert_non_null(strstr(r.body, cell_d)); /* the nationality still applies */
		assert_null(
		    strstr(r.body, "<p class=\"alert\" role=\"alert\">")); /* not "left out" */
		assert_null(strstr(r.body, "registered_from=30"));
		assert_null(strstr(r.body, "updated_to=hier"));
		ht_free(&r);
	}
	/* A period that ends before it starts: said at its end. */
	ht_get(S.port, "/cases?registered_from=16%2F01%2F2020&registered_to=15%2F01%2F2020", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<a href=\"#registered_to\">"));
	assert_non_null(strstr(r.body, "id=\"registered_to-error\""));
	ht_free(&r);
	/* The saved filter never held what was typed. */
	ht_get(S.port, "/cases?clear=1", h, &r);
	ht_free(&r);
}

/* The workers of the list's filter, as the page orders them: on an Arabic page a name in
 * Arabic script before the Latin ones, on a French page after them. */
static void the_pages_own_script_comes_first(void **state)
{
	(void)state;
	ht_add_user("mariam@demo.ponte.example", "مريم الأمين", "PT-NGO-LX", "case_worker");
	struct web_session w;
	struct ht_resp r;
	throttle_reset_all();
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *h[] = { w.cookie, NULL };
	const char *langs[] = { "ar", "fr" };
	for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/cases?lang=%s&clear=1", langs[i]);
		ht_get(S.port, path, h, &r);
		assert_int_equal(r.status, 200);
		const char *select = strstr(r.body, "<select id=\"worker\""),
			   *end = strstr(select, "</select>");
		const char *arabic = strstr(select, "مريم الأمين"),
			   *latin = strstr(select, "Bruno Caseworker");
		assert_true(arabic && latin && arabic < end && latin < end);
		if (i == 0 ? arabic > latin : arabic < latin)
			fail_msg("%s: the worker in Arabic script is on the wrong side", langs[i]);
		ht_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_filter_finds_its_cases),
		cmocka_unit_test(every_column_sorts_both_ways),
		cmocka_unit_test(no_filter_reaches_outside_the_scope),
		cmocka_unit_test(the_page_saves_the_filter_of_each_user),
		cmocka_unit_test(bad_addresses_get_defaults_or_a_message),
		cmocka_unit_test(the_page_reads_days_as_the_reader_types_them),
		cmocka_unit_test(the_pages_own_script_comes_first),
		cmocka_unit_test(pages_follow_one_another),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
