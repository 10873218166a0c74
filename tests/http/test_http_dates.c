/* Dates and times as a person reads them (issue #18): the same instant shown in each
 * language and in the installation's time zone, which an administrator sets on
 * /admin/settings or with `ponte settings set --name time_zone`; a name that is no zone is
 * refused in the reader's language; the machine-readable value stays in <time datetime>, and
 * the API keeps ISO 8601. */
#include "httptest.h"

#include <ctype.h>

#include "base/tz.h"
#include "cli/cli.h"
#include "i18n/format.h"

static struct ht_server S;
static struct web_session admin, worker;
static long long case_id;

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	throttle_reset_all();
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &admin), 303);
	assert_int_equal(
	    web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &worker), 303);
	/* The first case on the worker's list, last changed at a known instant below. */
	struct ht_resp r;
	const char *h[] = { worker.cookie, NULL };
	ht_get(S.port, "/cases", h, &r);
	for (const char *link = r.body; !case_id && (link = strstr(link, "href=\"/cases/")); link++)
		case_id = strtoll(link + strlen("href=\"/cases/"), NULL, 10);
	assert_true(case_id > 0);
	ht_free(&r);
	return 0;
}

static void set_updated(const char *stored)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE cases SET updated_at = '%s' WHERE id = %lld", stored,
		 case_id);
	assert_int_equal(ht_exec(sql), 1);
}

/* The case page in lang, as its case worker sees it: its body in r. */
static void case_page(const char *lang, struct ht_resp *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/cases/%lld?lang=%s", case_id, lang);
	const char *h[] = { worker.cookie, NULL };
	ht_get(S.port, path, h, r);
	if (r->status != 200)
		fail_msg("GET %s answered %ld", path, r->status);
}

static void page_shows(const char *lang, const char *stored, const char *shown)
{
	struct ht_resp r;
	case_page(lang, &r);
	char want[256];
	snprintf(want, sizeof(want), "<time datetime=\"%s\">%s</time>", stored, shown);
	if (!strstr(r.body, want))
		fail_msg("%s: no %s in the case page", lang, want);
	ht_free(&r);
}

static long set_zone(const char *zone, const char *lang, struct ht_resp *r)
{
	char fields[256], path[64];
	snprintf(fields, sizeof(fields), "time_zone=%s", zone);
	snprintf(path, sizeof(path), "/admin/settings?lang=%s", lang);
	return form_post(&admin, path, fields, r);
}

static void zone_is(const char *zone)
{
	struct ht_resp r;
	assert_int_equal(set_zone(zone, "en", &r), 303);
	ht_free(&r);
}

/* 28 November 2026 at 14:05 UTC in each language, in Lisbon (UTC in winter) and in Niamey (an
 * hour ahead all year). */
static void the_same_instant_reads_in_each_language_and_zone(void **state)
{
	(void)state;
	static const char *const STORED = "2026-11-28T14:05:09.123Z";
	set_updated(STORED);
	zone_is("Europe/Lisbon");
	page_shows("en", STORED, "28 Nov 2026, 14:05");
	page_shows("fr", STORED, "28 nov. 2026, 14:05");
	page_shows("pt", STORED, "28/11/2026 14:05");
	page_shows("es", STORED, "28 nov 2026, 14:05");
	page_shows("ar", STORED, "28/11/2026 14:05");
	zone_is("Africa/Niamey");
	page_shows("en", STORED, "28 Nov 2026, 15:05");
	page_shows("fr", STORED, "28 nov. 2026, 15:05");
	page_shows("pt", STORED, "28/11/2026 15:05");
	page_shows("es", STORED, "28 nov 2026, 15:05");
	page_shows("ar", STORED, "28/11/2026 15:05");
	/* The page of settings shows the zone and the time now in it. */
	struct ht_resp r;
	const char *h[] = { admin.cookie, NULL };
	ht_get(S.port, "/admin/settings", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "value=\"Africa/Niamey\""));
	assert_non_null(strstr(r.body, "id=\"time-now\""));
	ht_free(&r);
	zone_is("UTC");
}

/* Lisbon moves its clocks an hour forward at 01:00 UTC on 29 March 2026, and back at 01:00
 * UTC on 25 October: a minute before and at the change, and 01:30 local twice in October. */
static void summer_time_changes_at_the_zones_own_instant(void **state)
{
	(void)state;
	zone_is("Europe/Lisbon");
	set_updated("2026-03-29T00:59:00.000Z");
	page_shows("en", "2026-03-29T00:59:00.000Z", "29 Mar 2026, 00:59");
	set_updated("2026-03-29T01:00:00.000Z");
	page_shows("en", "2026-03-29T01:00:00.000Z", "29 Mar 2026, 02:00");
	set_updated("2026-10-25T00:30:00.000Z");
	page_shows("fr", "2026-10-25T00:30:00.000Z", "25 oct. 2026, 01:30");
	set_updated("2026-10-25T01:30:00.000Z");
	page_shows("fr", "2026-10-25T01:30:00.000Z", "25 oct. 2026, 01:30");
	/* The date changes with the zone: 23:30 UTC on 30 June is 1 July in Lisbon's summer. */
	set_updated("2026-06-30T23:30:00.000Z");
	page_shows("pt", "2026-06-30T23:30:00.000Z", "01/07/2026 00:30");
	zone_is("UTC");
	page_shows("pt", "2026-06-30T23:30:00.000Z", "30/06/2026 23:30");
}

/* A name that is no zone is refused on the page, in the reader's language, and changes
 * nothing; the same by the command line. */
static void a_name_that_is_no_zone_is_refused(void **state)
{
	(void)state;
	zone_is("Africa/Niamey");
	static const char *const BAD[] = { "Europe%2FLisbn", "..%2F..%2Fetc%2Fpasswd",
					   "africa%2Fniamey", "", "%2Fetc%2Flocaltime" };
	for (size_t i = 0; i < ARRAY_LEN(BAD); i++) {
		struct ht_resp r;
		assert_int_equal(set_zone(BAD[i], "fr", &r), 422);
		assert_non_null(strstr(r.body, "id=\"error-summary\""));
		assert_non_null(strstr(r.body, "href=\"#time_zone\""));
		/* In French, not in English. */
		assert_null(strstr(r.body, "is not a time zone"));
		assert_null(strstr(r.body, "Enter the installation"));
		ht_free(&r);
	}
	struct ht_resp r;
	assert_int_equal(set_zone("Europe%2FLisbn", "pt", &r), 422);
	assert_non_null(strstr(r.body, "value=\"Europe/Lisbn\"")); /* what was typed, kept */
	ht_free(&r);
	char zone[TZ_NAME_MAX];
	setting_get_text(S.db, "time_zone", "", zone, sizeof(zone));
	assert_string_equal(zone, "Africa/Niamey");
	/* Only administrators change it. */
	assert_int_equal(form_post(&worker, "/admin/settings", "time_zone=UTC", &r), 403);
	ht_free(&r);
	/* The command line: refused, then accepted. */
	char db[1024];
	snprintf(db, sizeof(db), "%s", S.db_path);
	char a0[] = "settings", a1[] = "set", a2[] = "--db", a4[] = "--name", a5[] = "time_zone",
	     a6[] = "--value", mars[] = "Mars/Base", lisbon[] = "Europe/Lisbon";
	char *bad[] = { a0, a1, a2, db, a4, a5, a6, mars, NULL };
	log_set_fd(-1);
	assert_int_equal(cmd_settings(8, bad), EXIT_FAIL);
	setting_get_text(S.db, "time_zone", "", zone, sizeof(zone));
	assert_string_equal(zone, "Africa/Niamey");
	char *good[] = { a0, a1, a2, db, a4, a5, a6, lisbon, NULL };
	assert_int_equal(cmd_settings(8, good), EXIT_OK);
	setting_get_text(S.db, "time_zone", "", zone, sizeof(zone));
	assert_string_equal(zone, "Europe/Lisbon");
	zone_is("UTC");
}

/* The API and the exports keep the stored value. */
static void the_api_keeps_iso_8601(void **state)
{
	(void)state;
	zone_is("Africa/Niamey");
	set_updated("2026-11-28T14:05:09.123Z");
	char auth[128], path[64];
	bearer("case.worker@demo.ponte.example", auth, sizeof(auth));
	snprintf(path, sizeof(path), "/api/v1/cases/%lld", case_id);
	struct ht_resp r;
	assert_int_equal(api(auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"2026-11-28T14:05:09.123Z\""));
	assert_null(strstr(r.body, "15:05"));
	ht_free(&r);
	zone_is("UTC");
}

/* Where a page's text (outside tags) shows a stored date as a database would, "2026-11-28";
 * NULL when it shows none. Examples in hints ("e.g. 2026-11-01") are not dates shown. */
static const char *iso_in_text(const char *body)
{
	bool tag = false;
	for (const char *p = body; *p; p++) {
		if (*p == '<')
			tag = true;
		else if (*p == '>')
			tag = false;
		else if (!tag && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
			 isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
			 p[4] == '-' && isdigit((unsigned char)p[5]) &&
			 isdigit((unsigned char)p[6]) && p[7] == '-' &&
			 isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9]) &&
			 (p == body || !isdigit((unsigned char)p[-1])) &&
			 !(p - body >= 5 && !strncmp(p - 5, "e.g. ", 5)))
			return p;
	}
	return NULL;
}

/* Every page that shows dates shows them as the reader writes them, the stored value kept in
 * <time datetime>. */
static void no_page_shows_a_date_as_a_database_would(void **state)
{
	(void)state;
	zone_is("Africa/Niamey");
	/* The worker's pages; those starting with '+' are the case's own ("/cases/N" + rest). */
	static const char *const PATHS[] = {
		"/cases",     "+",       "+/timeline",   "+/referrals", "+/safety",
		"+/contacts", "+/plans", "+/assistance", "+/screening", "+/summary",
		"/referrals", "/work",   "/directory",   "/trm"
	};
	for (size_t i = 0; i < ARRAY_LEN(PATHS); i++) {
		char path[128];
		if (PATHS[i][0] == '+')
			snprintf(path, sizeof(path), "/cases/%lld%s", case_id, PATHS[i] + 1);
		else
			snprintf(path, sizeof(path), "%s", PATHS[i]);
		const char *h[] = { worker.cookie, NULL };
		struct ht_resp r;
		ht_get(S.port, path, h, &r);
		if (r.status != 200 && r.status != 403 && r.status != 404)
			fail_msg("GET %s answered %ld", path, r.status);
		const char *at = r.status == 200 ? iso_in_text(r.body) : NULL;
		if (at)
			fail_msg("%s shows %.40s", path, at);
		ht_free(&r);
	}
	static const char *const ADMIN[] = { "/admin/health", "/admin/peers", "/admin/languages",
					     "/admin/settings", "/admin/users" };
	for (size_t i = 0; i < ARRAY_LEN(ADMIN); i++) {
		const char *h[] = { admin.cookie, NULL };
		struct ht_resp r;
		ht_get(S.port, ADMIN[i], h, &r);
		assert_int_equal(r.status, 200);
		const char *at = iso_in_text(r.body);
		if (at)
			fail_msg("%s shows %.40s", ADMIN[i], at);
		ht_free(&r);
	}
	/* The audit trail: each event's time in the zone, the stored one kept. */
	struct web_session auditor;
	assert_int_equal(web_login("auditor%40demo.ponte.example", DEMO_PASSWORD, NULL, &auditor),
			 303);
	const char *h[] = { auditor.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/audit", h, &r);
	assert_int_equal(r.status, 200);
	const char *at = iso_in_text(r.body);
	if (at)
		fail_msg("/audit shows %.40s", at);
	assert_non_null(strstr(r.body, "<time datetime=\""));
	ht_free(&r);
	zone_is("UTC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_instant_reads_in_each_language_and_zone),
		cmocka_unit_test(summer_time_changes_at_the_zones_own_instant),
		cmocka_unit_test(a_name_that_is_no_zone_is_refused),
		cmocka_unit_test(the_api_keeps_iso_8601),
		cmocka_unit_test(no_page_shows_a_date_as_a_database_would),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
