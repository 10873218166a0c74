/* The observatory's import page, as a data provider uses it. */
#include "httptest.h"

#include "base/log.h"
#include "obs/obs.h"
#include "unit/obs_attacker.h"

static struct ht_server S;
static struct web_session provider;
static char *sample;
static size_t sample_len;

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	web_login("provider@demo.ponte.example", DEMO_PASSWORD, NULL, &provider);
	assert_true(provider.cookie[0]);
	FILE *f = fopen("tests/data/ctdc_format_synthetic_sample.csv", "rb");
	assert_non_null(f);
	sample = malloc(1 << 20);
	sample_len = fread(sample, 1, 1 << 20, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	free(sample);
	return ht_teardown(state);
}

static long records(void)
{
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(S.db, &c), 0);
	assert_int_equal(
	    store_prepare(c,
			  "SELECT count(*) FROM obs_records WHERE substr(row_key, 1, 5) "
			  "<> ?1",
			  &st),
	    0);
	store_bind_blob(st, 1, "case:", 5);
	assert_int_equal(store_step(st), STORE_ROW);
	long n = (long)store_col_int64(st, 0);
	store_reset(st);
	return n;
}

static void a_provider_imports_a_file_once(void **state)
{
	(void)state;
	char fields[128];
	snprintf(fields, sizeof(fields), "csrf=%s", provider.csrf);
	struct ht_resp r;
	assert_int_equal(upload(provider.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 200);
	assert_non_null(
	    strstr(r.body, ": 1.000")); /* read and imported, as Portuguese groups them */
	ht_free(&r);
	assert_int_equal(records(), 1000);
	/* The same file again adds nothing. */
	assert_int_equal(upload(provider.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 200);
	ht_free(&r);
	assert_int_equal(records(), 1000);
}

static void a_bad_file_is_explained_and_nothing_is_written(void **state)
{
	(void)state;
	char *bad = malloc(sample_len);
	memcpy(bad, sample, sample_len);
	/* The year of the first record becomes 1850. */
	char *line2 = strchr(bad, '\n') + 1;
	memcpy(line2, "1850", 4);
	char fields[128];
	snprintf(fields, sizeof(fields), "csrf=%s", provider.csrf);
	struct ht_resp r;
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", fields, "bad.csv", bad, sample_len, &r),
	    422);
	/* In the provider's language (Portuguese), with the line and the column. */
	assert_non_null(strstr(r.body, "Nada foi escrito"));
	assert_non_null(strstr(r.body, "<td>2</td><td>yearOfRegistration</td>"));
	ht_free(&r);
	assert_int_equal(records(), 1000);
	/* Without the CSRF token, nothing happens. */
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", NULL, "bad.csv", bad, sample_len, &r),
	    403);
	ht_free(&r);
	/* With "valid records only": 999 more. */
	snprintf(fields, sizeof(fields), "csrf=%s&skip_invalid=1", provider.csrf);
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", fields, "bad.csv", bad, sample_len, &r),
	    200);
	ht_free(&r);
	assert_int_equal(records(), 1999);
	free(bad);
}

static void a_200_mb_upload_is_refused_before_it_is_read(void **state)
{
	(void)state;
	char request[1024], answer[4096];
	int n = snprintf(request, sizeof(request),
			 "POST /observatory/import HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
			 "Content-Type: multipart/form-data; boundary=XyZ\r\n"
			 "Content-Length: 209715200\r\n\r\n--XyZ\r\n",
			 provider.cookie);
	ht_raw(S.port, request, (size_t)n, answer, sizeof(answer));
	assert_int_equal(ht_raw_status(answer), 413);
	assert_int_equal(records(), 1999);
}

static void other_roles_cannot_import(void **state)
{
	(void)state;
	struct web_session w;
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/observatory/import", h, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

/* ---- the dashboard, as an analyst sees it ---- */

static struct web_session analyst;

static void get_as(const struct web_session *w, const char *path, struct ht_resp *r)
{
	const char *h[] = { w->cookie, NULL };
	ht_get(S.port, path, h, r);
}

static int64_t org_id(const char *code)
{
	keyed_store env = { S.db, S.keys };
	(void)env;
	organisation o;
	arena a;
	arena_init(&a, 1 << 16);
	assert_int_equal(org_find(S.db, &a, code, &o), 0);
	int64_t id = o.id;
	arena_release(&a);
	return id;
}

static void an_analyst_imports_for_a_provider_of_the_country(void **state)
{
	(void)state;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &analyst);
	assert_true(analyst.cookie[0]);
	struct ht_resp r;
	get_as(&analyst, "/observatory/import", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "name=\"provider\""));
	ht_free(&r);
	/* The same file for the police adds 1000 records of that provider. */
	char fields[160];
	snprintf(fields, sizeof(fields), "csrf=%s&provider=%lld", analyst.csrf,
		 (long long)org_id("PT-POL"));
	long before = records();
	assert_int_equal(upload(analyst.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 200);
	ht_free(&r);
	assert_int_equal(records(), before + 1000);
	/* A provider cannot send records in another organisation's name. */
	snprintf(fields, sizeof(fields), "csrf=%s&provider=%lld", provider.csrf,
		 (long long)org_id("PT-POL"));
	assert_int_equal(upload(provider.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 422);
	ht_free(&r);
	assert_int_equal(records(), before + 1000);
}

/* A value of a dimension as published (withheld or not) or exact, for the analyst's scope. */
static struct pub count_of(const char *dim, const char *value, const char *year, bool exact)
{
	keyed_store env = { S.db, S.keys };
	obs_query q = { .by = { dim, NULL }, .suppress = K, .exact = exact };
	assert_int_equal(obs_scope_of(SCOPE_COUNTRY, "PT", 0, &q.scope), 0);
	if (year) {
		q.where_dim[0] = "year";
		q.where_value[0] = year;
		q.nwhere = 1;
	}
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total;
	assert_int_equal(obs_stats(&env, &a, &q, &cells, &n, &total), 0);
	struct pub c = { 0, false };
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], value) == 0)
			c = (struct pub){ cells[i].count, cells[i].suppressed };
	arena_release(&a);
	return c;
}

/* A download of one dimension, read back: code -> count (as written), flag. */
struct row {
	char code[32], count[16], flag[4];
};

static size_t read_download(char *body, struct row *rows, size_t max, char **note)
{
	size_t n = 0;
	*note = NULL;
	char *save, *line = strtok_r(strchr(body, '\n') + 1, "\r\n", &save);
	for (; line; line = strtok_r(NULL, "\r\n", &save)) {
		if (*line == '"') { /* the method, on the last row */
			*note = line;
			continue;
		}
		assert_true(n < max);
		struct row *r = &rows[n++];
		/* code,label,count,"% ...","% ...",flag (labels of countries hold no comma) */
		assert_int_equal(sscanf(line, "%31[^,],%*[^,],%15[^,]", r->code, r->count), 2);
		const char *last = strrchr(line, ',') + 1;
		snprintf(r->flag, sizeof(r->flag), "%s", last);
	}
	return n;
}

/* Every count of a download is the published one (the same as every other output's for the
 * same records), within 3 of the truth, never below 5 unless withheld and flagged c; the file
 * says its method. */
static void the_numbers_behind_a_chart_are_published_or_withheld(void **state)
{
	(void)state;
	struct ht_resp r;
	get_as(&analyst, "/observatory/data.csv?chart=citizenship&year=2020", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "citizenship,"));
	assert_non_null(strstr(r.body, ",flag\r\n"));
	struct row rows[256];
	char *note;
	size_t n = read_download(r.body, rows, ARRAY_LEN(rows), &note), published = 0, withheld = 0,
	       moved = 0;
	assert_non_null(note);
	assert_non_null(strstr(note, "méthode des clés de cellule")); /* in French */
	assert_non_null(strstr(note, "±3"));
	for (size_t i = 0; i < n; i++) {
		struct pub p = count_of("citizenship", rows[i].code, "2020", false);
		int64_t truth = count_of("citizenship", rows[i].code, "2020", true).p;
		assert_true(truth > 0);
		assert_true(p.p > 0);
		if (strcmp(rows[i].count, "<5") == 0) {
			assert_true(p.withheld);
			assert_string_equal(rows[i].flag, "c");
			assert_true(truth <= K - 1 + OBS_CKM_D);
			withheld++;
			continue;
		}
		published++;
		int64_t v = strtoll(rows[i].count, NULL, 10);
		assert_string_equal(rows[i].flag, "");
		assert_true(v >= K);
		assert_int_equal(v, p.p);
		assert_true(v - truth <= OBS_CKM_D && truth - v <= OBS_CKM_D);
		moved += v != truth;
	}
	assert_true(published > 3);
	assert_true(withheld > 0);
	assert_true(moved > 0);
	ht_free(&r);
	get_as(&analyst, "/observatory/data.xlsx?chart=age-gender", &r);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "PK\x03\x04", 4);
	ht_free(&r);
	get_as(&analyst, "/observatory/data.csv?chart=nonsense", &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
}

/* Issue #15: summing the per-year dashboards and subtracting them from the all-years one
 * recovered 94 withheld cells. Played on the downloads of the pages, as the analyst would:
 * every chart of one variable for every year (and all years), in Portugal's scope. */
static void the_dashboards_years_cannot_be_differenced(void **state)
{
	(void)state;
	static const char *const charts[][2] = { { "citizenship", "citizenship" },
						 { "exploitation", "exploitation" },
						 { "countries", "country_of_exploitation" },
						 { "control", "control" } };
	struct ht_resp page;
	get_as(&analyst, "/observatory", &page);
	char years[32][8];
	size_t ny = 0;
	for (const char *p = strstr(page.body, "<select id=\"year\"");
	     p && (p = strstr(p, "<option value=\"")) != NULL && ny < 32; p++) {
		p += 15;
		size_t len = strcspn(p, "\"");
		if (len == 4)
			snprintf(years[ny++], sizeof(years[0]), "%.4s", p);
		if (strstr(p, "</select>") < strstr(p, "<option"))
			break;
	}
	ht_free(&page);
	assert_true(ny >= 5);
	struct score s = { .attack = "downloads: all years minus the others" };
	static struct row all[256], per[32][256];
	size_t nall, nper[32];
	for (size_t c = 0; c < ARRAY_LEN(charts); c++) {
		char url[128], *note;
		snprintf(url, sizeof(url), "/observatory/data.csv?chart=%s", charts[c][0]);
		struct ht_resp r;
		get_as(&analyst, url, &r);
		nall = read_download(r.body, all, ARRAY_LEN(all), &note);
		ht_free(&r);
		for (size_t y = 0; y < ny; y++) {
			snprintf(url, sizeof(url), "/observatory/data.csv?chart=%s&year=%s",
				 charts[c][0], years[y]);
			get_as(&analyst, url, &r);
			nper[y] = read_download(r.body, per[y], ARRAY_LEN(per[y]), &note);
			ht_free(&r);
		}
		for (size_t y = 0; y < ny; y++)
			for (size_t i = 0; i < nper[y]; i++) {
				const char *code = per[y][i].code;
				int64_t truth = count_of(charts[c][1], code, years[y], true).p;
				if (truth >= K)
					continue;
				struct target t;
				struct pub own = { strtoll(per[y][i].count, NULL, 10),
						   per[y][i].count[0] == '<' };
				target_init(&t, truth, own, false);
				struct way w;
				way_start(&w);
				for (size_t j = 0; j < nall; j++)
					if (strcmp(all[j].code, code) == 0)
						way_add(
						    &w, +1,
						    (struct pub){ strtoll(all[j].count, NULL, 10),
								  all[j].count[0] == '<' },
						    false);
				for (size_t o = 0; o < ny; o++)
					for (size_t j = 0; o != y && j < nper[o]; j++)
						if (strcmp(per[o][j].code, code) == 0)
							way_add(
							    &w, -1,
							    (struct pub){
								strtoll(per[o][j].count, NULL, 10),
								per[o][j].count[0] == '<' },
							    false);
				target_way(&t, &w);
				score(&s, &t);
			}
	}
	report(&s, false);
}

/* The exact number of records of an organisation, from the store. */
static int64_t records_of(const char *org)
{
	keyed_store env = { S.db, S.keys };
	obs_query q = { .by = { "year", NULL },
			.exact = true,
			.scope = { .provider = org_id(org) } };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total;
	assert_int_equal(obs_stats(&env, &a, &q, &cells, &n, &total), 0);
	arena_release(&a);
	return total;
}

static int64_t json_records(const char *body)
{
	const char *p = strstr(body, "\"records\":");
	assert_non_null(p);
	return strtoll(p + 10, NULL, 10);
}

/* The API gives an analyst the pages' figures, protected the same way; a provider reads its
 * own records exactly (obs.submit), and nobody else's: not with a filter on another provider,
 * not as an analyst of the country, not without the permission. */
static void the_api_gives_the_pages_figures_and_providers_their_own_exactly(void **state)
{
	(void)state;
	struct ht_resp r;
	get_as(&analyst, "/api/v1/observatory/stats?by=citizenship&year=2020", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body,
			       "{\"method\":{\"name\":\"cell_key\",\"D\":3,\"V\":1,\"js\":2,"
			       "\"threshold\":5"));
	size_t checked = 0;
	for (const char *p = r.body; (p = strstr(p, "{\"citizenship\":\"")) != NULL; p++) {
		char code[8];
		assert_int_equal(sscanf(p + 16, "%7[^\"]", code), 1);
		struct pub c = count_of("citizenship", code, "2020", false);
		char want[64];
		if (c.withheld)
			snprintf(want, sizeof(want), "\"%s\",\"count\":null,\"flag\":\"c\"}", code);
		else
			snprintf(want, sizeof(want), "\"%s\",\"count\":%lld}", code,
				 (long long)c.p);
		assert_non_null(strstr(p, want));
		checked++;
	}
	assert_true(checked > 5);
	ht_free(&r);
	/* The same table as CSV: the same counts, a withheld one "<5" flagged c, the method on a
	 * last line. */
	get_as(&analyst, "/api/v1/observatory/stats?by=citizenship&year=2020&format=csv", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "citizenship,count,flag\n"));
	assert_non_null(strstr(r.body, "\n# Counts perturbed by the cell key method"));
	size_t rows = 0, withheld = 0;
	char *save, *line = strtok_r(strchr(r.body, '\n') + 1, "\n", &save);
	for (; line && *line != '#'; line = strtok_r(NULL, "\n", &save)) {
		char code[8], count[16], flag[4] = "";
		assert_true(sscanf(line, "%7[^,],%15[^,],%3s", code, count, flag) >= 2);
		struct pub c = count_of("citizenship", code, "2020", false);
		if (c.withheld) {
			assert_string_equal(count, "<5");
			assert_string_equal(flag, "c");
			withheld++;
		} else {
			assert_int_equal(strtoll(count, NULL, 10), c.p);
			assert_string_equal(flag, "");
		}
		rows++;
	}
	assert_int_equal(rows, checked);
	assert_true(withheld > 0);
	ht_free(&r);
	get_as(&analyst, "/api/v1/observatory/stats?by=citizenship&format=xml", &r);
	assert_int_equal(r.status, 400);
	ht_free(&r);
	/* The same filter's total is its cell elsewhere. */
	get_as(&analyst, "/api/v1/observatory/stats?by=gender&year=2020", &r);
	char want[64];
	snprintf(want, sizeof(want), "\"records\":%lld,",
		 (long long)count_of("year", "2020", NULL, false).p);
	assert_non_null(strstr(r.body, want));
	ht_free(&r);
	get_as(&analyst, "/api/v1/observatory/stats?by=gender&religion=x", &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "\"field\":\"religion\""));
	ht_free(&r);
	get_as(&analyst, "/api/v1/observatory/stats?by=colour", &r);
	assert_int_equal(r.status, 400);
	ht_free(&r);
	/* A provider: no figures of others, its own exactly. */
	get_as(&provider, "/api/v1/observatory/stats?by=gender", &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	get_as(&provider, "/api/v1/observatory/own-stats?by=gender", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "{\"method\":{\"name\":\"exact\""));
	assert_int_equal(json_records(r.body), records_of("PT-NGO-LX"));
	assert_true(records_of("PT-NGO-LX") >= 1999);
	ht_free(&r);
	get_as(&provider, "/api/v1/observatory/own-stats?by=gender&provider=PT-POL", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_records(r.body), 0);
	ht_free(&r);
	/* An analyst holds obs.submit over its country, but reads exactly only its own body's. */
	get_as(&analyst, "/api/v1/observatory/own-stats?by=provider", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_records(r.body), records_of("PT-OTSH"));
	assert_null(strstr(r.body, "PT-POL"));
	assert_null(strstr(r.body, "PT-NGO-LX"));
	ht_free(&r);
	struct web_session w;
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	get_as(&w, "/api/v1/observatory/own-stats?by=gender", &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	get_as(&w, "/api/v1/observatory/stats?by=gender", &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

/* No mark of a chart carries a number below the threshold: small counts are never drawn. */
static void the_dashboard_never_draws_a_small_count(void **state)
{
	(void)state;
	struct ht_resp r;
	get_as(&analyst, "/observatory?year=2020", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<svg class=\"chart chart-bars\""));
	assert_non_null(strstr(r.body, "<svg class=\"chart chart-line\""));
	assert_non_null(strstr(r.body, "<svg class=\"map\""));
	assert_non_null(strstr(r.body, "lang=\"fr\"")); /* the analyst reads French */
	size_t marks = 0;
	for (const char *p = r.body; (p = strstr(p, "</title></rect>")) != NULL; p++) {
		const char *colon = p;
		while (colon > r.body && *colon != ':')
			colon--;
		long v = strtol(colon + 1, NULL, 10);
		assert_true(v >= 5);
		marks++;
	}
	assert_true(marks > 10);
	ht_free(&r);
	/* A year without records, an unknown country: empty charts, no error. */
	get_as(&analyst, "/observatory?year=1999&country=ZZ", &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	get_as(&analyst, "/observatory/report?country=PT&year=2020", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "2020"));
	ht_free(&r);
	get_as(&analyst, "/observatory/report", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "name=\"country\""));
	ht_free(&r);
	/* Providers give data; they do not read the dashboards. */
	get_as(&provider, "/observatory", &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

/* ---- scope: a country's reader counts the records of that country's providers only ---- */

enum route_kind {
	SCOPED, /* figures of stats.read: tested below, as readers of three scopes */
	PUBLIC, /* releases: published by design (disclosure-controlled), for anyone */
	IMPORT, /* obs.submit: the provider chosen is checked against the scope (tests above) */
	BUDGET, /* obs.budget: administrators only, over every provider (test_http_obs_privacy) */
	OWN,    /* obs.submit: exact counts of the caller's own organisation's records (below) */
};

/* Every observatory route, and how its scope is tested. A route added under /observatory or
 * /api/v1/obs, or requiring a stats.* or obs.* permission, fails the test until it is listed
 * here, with the addresses a reader of its figures asks for. */
static const struct obs_route {
	unsigned method;
	const char *pattern;
	enum route_kind kind;
	const char *urls[6]; /* SCOPED; "DOWNLOADS": every download link of the dashboard */
} OBS_ROUTES[] = {
	{ HTTP_GET,
	  "/observatory",
	  SCOPED,
	  { "/observatory", "/observatory?country=NE", "/observatory?year=2024",
	    "/observatory?year=2024&country=NE" } },
	{ HTTP_GET,
	  "/observatory/report",
	  SCOPED,
	  { "/observatory/report", "/observatory/report?country=NE&year=2024",
	    "/observatory/report?country=PT&year=2024",
	    "/observatory/report?country=NE&year=2025" } },
	{ HTTP_GET, "/observatory/data.csv", SCOPED, { "DOWNLOADS" } },
	{ HTTP_GET, "/observatory/data.xlsx", SCOPED, { "DOWNLOADS" } },
	{ HTTP_GET,
	  "/api/v1/observatory/stats",
	  SCOPED,
	  { "/api/v1/observatory/stats?by=gender", "/api/v1/observatory/stats?by=year,gender",
	    "/api/v1/observatory/stats?by=citizenship&country_of_exploitation=NE" } },
	{ HTTP_GET, "/api/v1/observatory/own-stats", OWN, { NULL } },
	{ HTTP_GET, "/observatory/releases", PUBLIC, { NULL } },
	{ HTTP_GET, "/observatory/releases/{id}/{file}", PUBLIC, { NULL } },
	{ HTTP_GET, "/observatory/import", IMPORT, { NULL } },
	{ HTTP_POST, "/observatory/import", IMPORT, { NULL } },
	{ HTTP_GET, "/admin/privacy-budgets", BUDGET, { NULL } },
	{ HTTP_POST, "/admin/privacy-budgets", BUDGET, { NULL } },
};

static bool observatory_route(const http_route *r)
{
	const char *perm = r->permission;
	return strncmp(r->pattern, "/observatory", 12) == 0 ||
	       strncmp(r->pattern, "/api/v1/obs", 11) == 0 || strncmp(perm, "stats.", 6) == 0 ||
	       strncmp(perm, "obs.", 4) == 0;
}

static void every_observatory_route_is_in_the_scope_table(void **state)
{
	(void)state;
	size_t found = 0;
	for (size_t i = 0; i < app_routes_count; i++) {
		const http_route *r = &app_routes[i];
		if (!observatory_route(r))
			continue;
		bool listed = false;
		for (size_t k = 0; k < ARRAY_LEN(OBS_ROUTES); k++)
			listed |= OBS_ROUTES[k].method == r->methods &&
				  strcmp(OBS_ROUTES[k].pattern, r->pattern) == 0;
		if (!listed)
			fail_msg("%s: an observatory route without a scope test (OBS_ROUTES)",
				 r->pattern);
		found++;
	}
	assert_int_equal(found, ARRAY_LEN(OBS_ROUTES));
}

/* The addresses a reader asks for: each route's, and for downloads every link of the
 * dashboard, for every provider's records and for Niger. */
struct fetched {
	const char *url;
	size_t route;
	long status[3];
	char *body[3];
	size_t len[3];
};

static size_t scoped_urls(const struct web_session *all, struct fetched *out, size_t max)
{
	size_t n = 0;
	struct ht_resp page = { 0 };
	get_as(all, "/observatory", &page);
	assert_int_equal(page.status, 200);
	for (size_t k = 0; k < ARRAY_LEN(OBS_ROUTES); k++) {
		const struct obs_route *o = &OBS_ROUTES[k];
		for (size_t u = 0; o->kind == SCOPED && u < ARRAY_LEN(o->urls) && o->urls[u]; u++) {
			if (strcmp(o->urls[u], "DOWNLOADS") != 0) {
				assert_true(n < max);
				out[n++] = (struct fetched){ .url = o->urls[u], .route = k };
				continue;
			}
			/* href="/observatory/data.csv?chart=years" */
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "href=\"%s?", o->pattern);
			size_t links = 0;
			for (const char *p = page.body; (p = strstr(p, prefix)) != NULL; p++) {
				const char *url = p + 6;
				size_t len = strcspn(url, "\"");
				for (int ne = 0; ne < 2; ne++) {
					assert_true(n < max);
					char *copy = malloc(len + 32);
					snprintf(copy, len + 32, "%.*s%s", (int)len, url,
						 ne ? "&country=NE" : "");
					out[n++] = (struct fetched){ .url = copy, .route = k };
				}
				links++;
			}
			assert_true(links >= 8); /* one per chart */
		}
	}
	ht_free(&page);
	return n;
}

static void fetch_all(const struct web_session *const *readers, struct fetched *f, size_t n,
		      int slot)
{
	for (size_t i = 0; i < n; i++) {
		struct ht_resp r;
		get_as(readers[slot], f[i].url, &r);
		f[i].status[slot] = r.status;
		f[i].body[slot] = r.body;
		f[i].len[slot] = r.len;
		r.body = NULL;
		ht_free(&r);
	}
}

static bool same(const struct fetched *before, const struct fetched *after, int slot)
{
	return before->status[slot] == after->status[slot] &&
	       before->len[slot] == after->len[slot] &&
	       memcmp(before->body[slot], after->body[slot], before->len[slot]) == 0;
}

/* Issue #14, 13: /observatory?country=NE as the Portuguese analyst showed the records of
 * Niger's providers. Records of a provider of Niger are imported: nothing the Portuguese
 * analyst can ask any observatory route changes, while the analyst of Niger and a reader of
 * every country see them on every route. */
static void a_country_reader_sees_the_records_of_that_countrys_providers_only(void **state)
{
	(void)state;
	keyed_store env = { S.db, S.keys };
	organisation ne_ngo = { 0, "NE-OBS-NGO", "Niger provider (test)", "NE", "NGO", 0, false };
	organisation ne_fp = {
		0, "NE-OBS-FP", "Niger observatory (test)", "NE", "CentralGovernmentOrganisation",
		0, false
	};
	int64_t ne_ngo_id;
	assert_int_equal(org_add(S.db, &ne_ngo, &ne_ngo_id), 0);
	assert_int_equal(org_add(S.db, &ne_fp, NULL), 0);
	user_input in = { .email = "analyst.ne.scope@demo.ponte.example",
			  .name = "Niger analyst",
			  .organisation_code = "NE-OBS-FP",
			  .roles = { "observatory_analyst" },
			  .nroles = 1,
			  .password = DEMO_PASSWORD,
			  .language = "fr" };
	int problem;
	assert_int_equal(user_add(&env, &in, NULL, &problem), 0);
	/* A reader of every country's records. */
	assert_int_equal(role_grant(S.db, "regional_analyst", "stats.read", SCOPE_ALL), 0);
	struct web_session pt, ne, all;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &pt);
	web_login("analyst.ne.scope@demo.ponte.example", DEMO_PASSWORD, NULL, &ne);
	web_login("regional@demo.ponte.example", DEMO_PASSWORD, NULL, &all);
	assert_true(pt.cookie[0] && ne.cookie[0] && all.cookie[0]);
	const struct web_session *readers[] = { &pt, &ne, &all };

	struct fetched before[64], after[64];
	size_t n = scoped_urls(&all, before, ARRAY_LEN(before));
	memcpy(after, before, n * sizeof(*after));
	for (int slot = 0; slot < 3; slot++)
		fetch_all(readers, before, n, slot);

	buf file;
	buf_init(&file, 8u << 20);
	assert_int_equal(obs_synthetic_ctdc(&file, 600, 77), 0);
	obs_import_result *res = calloc(1, sizeof(*res));
	assert_int_equal(obs_import(&env, "ctdc", ne_ngo_id, file.data, file.len, false, res), 0);
	assert_int_equal(res->imported, 600);
	free(res);
	buf_release(&file);

	for (int slot = 0; slot < 3; slot++)
		fetch_all(readers, after, n, slot);
	bool changed[ARRAY_LEN(OBS_ROUTES)][3] = { { false } };
	for (size_t i = 0; i < n; i++) {
		for (int slot = 0; slot < 3; slot++) {
			if (after[i].status[slot] != 200)
				fail_msg("%s: status %ld", after[i].url, after[i].status[slot]);
			changed[after[i].route][slot] |= !same(&before[i], &after[i], slot);
		}
		if (!same(&before[i], &after[i], 0))
			fail_msg("%s: the Portuguese analyst sees the records of Niger's provider",
				 after[i].url);
	}
	/* Every route counts the new records for those whose scope holds them. */
	for (size_t k = 0; k < ARRAY_LEN(OBS_ROUTES); k++) {
		if (OBS_ROUTES[k].kind != SCOPED)
			continue;
		if (!changed[k][1] || !changed[k][2])
			fail_msg("%s: Niger's records are not counted for their readers",
				 OBS_ROUTES[k].pattern);
	}
	/* The page says whose records are counted. */
	struct ht_resp r;
	get_as(&pt, "/observatory?country=NE", &r);
	assert_non_null(strstr(r.body, "fournisseurs de données d&#39;un pays (Portugal)"));
	ht_free(&r);
	for (size_t i = 0; i < n; i++)
		for (int slot = 0; slot < 3; slot++) {
			free(before[i].body[slot]);
			free(after[i].body[slot]);
		}
	for (size_t i = 0; i < n; i++)
		if (strncmp(before[i].url, "/observatory/data.", 18) == 0)
			free((char *)(uintptr_t)before[i].url);
}

/* A release is public: listed and downloaded without signing in, and only its own files. */
static void anyone_downloads_a_published_release(void **state)
{
	(void)state;
	keyed_store env = { S.db, S.keys };
	obs_release_request rq = { .method = OBS_TABLES, .files_dir = S.app.svc.files_dir };
	obs_release_result rel;
	assert_int_equal(obs_release(&env, &rq, &rel), 0);
	struct ht_resp r;
	ht_get(S.port, "/observatory/releases", NULL, &r);
	assert_int_equal(r.status, 200);
	char link[128];
	snprintf(link, sizeof(link), "/observatory/releases/%lld/data.csv", (long long)rel.version);
	assert_non_null(strstr(r.body, link));
	ht_free(&r);
	ht_get(S.port, link, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "attachment; filename=\"ponte-release-"));
	assert_non_null(strstr(r.body, "table,dimension_1,value_1,dimension_2,value_2,count"));
	ht_free(&r);
	const char *refused[] = { "/observatory/releases/1/p.db",
				  "/observatory/releases/1/..%2F..%2Fp.db",
				  "/observatory/releases/99/data.csv",
				  "/observatory/releases/x/data.csv" };
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		ht_get(S.port, refused[i], NULL, &r);
		assert_true(r.status == 404 || r.status == 400); /* 400: an encoded slash */
		ht_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_provider_imports_a_file_once),
		cmocka_unit_test(a_bad_file_is_explained_and_nothing_is_written),
		cmocka_unit_test(a_200_mb_upload_is_refused_before_it_is_read),
		cmocka_unit_test(other_roles_cannot_import),
		cmocka_unit_test(an_analyst_imports_for_a_provider_of_the_country),
		cmocka_unit_test(the_numbers_behind_a_chart_are_published_or_withheld),
		cmocka_unit_test(the_dashboards_years_cannot_be_differenced),
		cmocka_unit_test(the_api_gives_the_pages_figures_and_providers_their_own_exactly),
		cmocka_unit_test(the_dashboard_never_draws_a_small_count),
		cmocka_unit_test(every_observatory_route_is_in_the_scope_table),
		cmocka_unit_test(a_country_reader_sees_the_records_of_that_countrys_providers_only),
		cmocka_unit_test(anyone_downloads_a_published_release),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
