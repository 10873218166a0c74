/* The focal-point directory over HTTP: institutions, rotation of persons, verification,
 * the map and the downloads. */
#include "httptest.h"

#include "base/log.h"

static struct ht_server S;
static char fp_auth[128], cw_auth[128];

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	set_setting("require_2fa_for_flagged_roles", "0"); /* 2FA has its own tests */
	bearer("focal.point@demo.ponte.example", fp_auth, sizeof(fp_auth)); /* Portugal */
	bearer("case.worker@demo.ponte.example", cw_auth, sizeof(cw_auth));
	return 0;
}

/* Whether bytes occur in the database file or its WAL (personal data must not). */
static bool on_disk(const char *needle)
{
	char path[600];
	bool found = false;
	for (int k = 0; k < 2 && !found; k++) {
		snprintf(path, sizeof(path), "%s%s", S.db_path, k ? "-wal" : "");
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static char data[32 << 20];
		size_t n = fread(data, 1, sizeof(data), f);
		fclose(f);
		found = memmem(data, n, needle, strlen(needle)) != NULL;
	}
	return found;
}

static long created_id(struct ht_resp *r)
{
	const char *id = strstr(r->body, "\"id\":");
	return id ? strtol(id + 5, NULL, 10) : 0;
}

static void an_institution_keeps_its_channel_while_people_rotate(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(
	    api(fp_auth, "POST", "/api/v1/focal-points",
		"{\"organisation\":\"PT-OTSH\",\"mandate\":\"thb\",\"languages\":[\"pt\","
		"\"en\"],\"mailbox\":\"referral@otsh.demo.ponte.example\",\"phone\":"
		"\"+351 21 000 0000\",\"instance_url\":\"https://ponte.pt.example\"}",
		&r),
	    201);
	long id = created_id(&r);
	assert_non_null(strstr(r.body, "\"current_holder\":null"));
	assert_non_null(strstr(r.body, "\"stale\":false"));
	ht_free(&r);
	char path[96], holders[128];
	snprintf(path, sizeof(path), "/api/v1/focal-points/%ld", id);
	snprintf(holders, sizeof(holders), "%s/holders", path);
	assert_int_equal(api_status(fp_auth, "POST", holders,
				    "{\"name\":\"Rosa Quintela Ferraz\",\"position\":\"Director\","
				    "\"started_on\":\"2019-03-01\"}"),
			 201);
	assert_int_equal(api(fp_auth, "POST", holders,
			     "{\"name\":\"Tiago Valente Sarmento\",\"started_on\":\"2023-06-12\"}",
			     &r),
			 201);
	assert_non_null(strstr(r.body, "\"current_holder\":{\"name\":\"Tiago Valente Sarmento\""));
	assert_non_null(strstr(r.body,
			       "\"name\":\"Rosa Quintela Ferraz\",\"position\":\"Director\","
			       "\"started_on\":\"2019-03-01\",\"ended_on\":\"2023-06-12\""));
	ht_free(&r);
	/* History cannot be rewritten backwards, and a holder has a name. */
	assert_int_equal(api(fp_auth, "POST", holders,
			     "{\"name\":\"Too Early\",\"started_on\":\"2020-01-01\"}", &r),
			 422);
	assert_non_null(strstr(r.body, "\"started_on\":"));
	ht_free(&r);
	assert_int_equal(api_status(fp_auth, "POST", holders, "{\"started_on\":\"2024-01-01\"}"),
			 422);
	assert_int_equal(
	    api_status(fp_auth, "POST", holders, "{\"name\":\"X\",\"started_on\":\"2024-02-30x\"}"),
	    422);
	/* Names of persons are encrypted at rest; the institution's channel is not personal. */
	assert_false(on_disk("Tiago Valente Sarmento"));
	assert_false(on_disk("Rosa Quintela Ferraz"));
	/* Every signed-in user reads the directory; only managers change it. */
	assert_int_equal(
	    api(cw_auth, "GET", "/api/v1/focal-points?country=PT&mandate=thb", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"code\":\"PT-OTSH\""));
	assert_non_null(strstr(r.body, "\"languages\":[\"pt\",\"en\"]"));
	ht_free(&r);
	assert_int_equal(api_status(cw_auth, "POST", holders,
				    "{\"name\":\"A B\",\"started_on\":\"2025-01-01\"}"),
			 403);
	assert_int_equal(api(cw_auth, "GET", "/api/v1/focal-points?country=NE", NULL, &r), 200);
	assert_string_equal(r.body, "{\"items\":[]}");
	ht_free(&r);
}

static void managers_stay_in_their_country_and_input_is_checked(void **state)
{
	(void)state;
	struct ht_resp r;
	/* The Portuguese focal point cannot enter Nigeria's regional unit. */
	assert_int_equal(api(fp_auth, "POST", "/api/v1/focal-points",
			     "{\"organisation\":\"ECOWAS-DEMO\",\"mandate\":\"thb\"}", &r),
			 403);
	assert_non_null(strstr(r.body, "\"code\":\"forbidden\""));
	ht_free(&r);
	const char *bad[] = {
		"{\"organisation\":\"NOPE\",\"mandate\":\"thb\"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"astrology\"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\",\"mailbox\":\"not a "
		"mailbox\"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\",\"phone\":\"call me\"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\",\"instance_url\":"
		"\"javascript:alert(1)\"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\",\"languages\":[\"French\"]"
		"}",
		"{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\",\"verified_on\":"
		"\"yesterday\"}",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		long s = api(fp_auth, "POST", "/api/v1/focal-points", bad[i], &r);
		if (s != 422)
			fail_msg("case %zu answered %ld: %s", i, s, r.body);
		assert_non_null(strstr(r.body, "\"fields\":{"));
		ht_free(&r);
	}
	assert_int_equal(api_status(fp_auth, "POST", "/api/v1/focal-points", "{\"mandate\":7}"),
			 400);
	/* One entry per institution and mandate. */
	const char *pol = "{\"organisation\":\"PT-POL\",\"mandate\":\"smuggling\"}";
	assert_int_equal(api(fp_auth, "POST", "/api/v1/focal-points", pol, &r), 201);
	long id = created_id(&r);
	ht_free(&r);
	assert_int_equal(api(fp_auth, "POST", "/api/v1/focal-points", pol, &r), 422);
	assert_non_null(strstr(r.body, "\"mandate\":"));
	ht_free(&r);
	/* A stale version is refused; an unverified entry is flagged, then verified. */
	char path[96], verify[128];
	snprintf(path, sizeof(path), "/api/v1/focal-points/%ld", id);
	snprintf(verify, sizeof(verify), "%s/verify", path);
	assert_int_equal(api(fp_auth, "PATCH", path,
			     "{\"version\":1,\"verified_on\":\"2024-01-15\",\"phone\":\"+351 1\"}",
			     &r),
			 200);
	assert_non_null(strstr(r.body, "\"stale\":true"));
	ht_free(&r);
	assert_int_equal(api_status(fp_auth, "PATCH", path, "{\"version\":1,\"phone\":\"+351 2\"}"),
			 409);
	assert_int_equal(api_status(fp_auth, "PATCH", path, "{\"phone\":\"+351 2\"}"), 422);
	assert_int_equal(api(cw_auth, "GET", "/api/v1/focal-points?stale=1", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"code\":\"PT-POL\""));
	ht_free(&r);
	struct web_session w;
	web_login("focal.point@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	ht_get(S.port, "/directory", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "/directory?stale=1")); /* the manager is told */
	ht_free(&r);
	ht_get(S.port, "/", h, &r);
	assert_non_null(strstr(r.body, "/directory?stale=1")); /* also on the home page */
	ht_free(&r);
	assert_int_equal(api(fp_auth, "POST", verify, "", &r), 200);
	assert_non_null(strstr(r.body, "\"stale\":false"));
	ht_free(&r);
	assert_int_equal(api_status(fp_auth, "POST", "/api/v1/focal-points/999999/verify", ""),
			 404);
}

static void the_page_draws_a_map_and_the_downloads_hold_the_same_rows(void **state)
{
	(void)state;
	struct web_session w;
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/directory?mandate=thb", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<svg class=\"map\""));
	assert_non_null(strstr(r.body, "role=\"img\""));
	assert_non_null(strstr(r.body, "<path class=\"map-4\" data-country=\"PT\""));
	assert_non_null(strstr(r.body, "<path class=\"map-0\" data-country=\"NE\""));
	assert_non_null(strstr(r.body, "O mapa em forma de tabela")); /* in Portuguese */
	ht_free(&r);
	ht_get(S.port, "/directory/export.csv?country=PT", h, &r);
	assert_int_equal(r.status, 200);
	/* The byte order mark, then the header: a spreadsheet program reads "Código" as written. */
	assert_int_equal(strncmp(r.body,
				 "\xEF\xBB\xBF"
				 "Código do país,País,Instituição",
				 39),
			 0);
	assert_non_null(strstr(r.body, "\r\nPT,Portugal,"));
	char v[128];
	assert_non_null(strstr(ht_header(&r, "Content-Disposition", v, sizeof(v)), "attachment"));
	ht_free(&r);
	ht_get(S.port, "/directory/export.xlsx?country=PT", h, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len > 500 && memcmp(r.body, "PK\x03\x04", 4) == 0);
	assert_non_null(memmem(r.body, r.len, "xl/worksheets/sheet1.xml", 24));
	/* Its cells are deflated: tests/http/test_http_xlsx.c reads them with a spreadsheet
	 * reader (PT-OTSH among them). */
	ht_free(&r);
	/* A manager sees the forms, a reader does not. */
	ht_get(S.port, "/directory/1", h, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "id=\"holder-form\""));
	ht_free(&r);
	struct web_session m;
	web_login("focal.point@demo.ponte.example", DEMO_PASSWORD, NULL, &m);
	const char *hm[] = { m.cookie, NULL };
	ht_get(S.port, "/directory/1", hm, &r);
	assert_non_null(strstr(r.body, "id=\"holder-form\""));
	ht_free(&r);
	assert_int_equal(form_post(&m, "/directory/1", "do=holder&name=&started_on=2030-01-01", &r),
			 422);
	assert_non_null(strstr(r.body, "class=\"field-error\""));
	ht_free(&r);
	assert_int_equal(
	    form_post(&m, "/directory/1", "do=holder&name=Nova+Pessoa&started_on=2030-01-01", &r),
	    303);
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_institution_keeps_its_channel_while_people_rotate),
		cmocka_unit_test(managers_stay_in_their_country_and_input_is_checked),
		cmocka_unit_test(the_page_draws_a_map_and_the_downloads_hold_the_same_rows),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
