/* The observatory in DP-only mode, through the real server: no view publishes a count, the
 * releases page says why, only private releases are made and they say what else is
 * published of the same records. */
#include "httptest.h"

#include <math.h>

#include "audit/audit.h"
#include "base/log.h"
#include "obs/obs.h"

static struct ht_server S;
static struct web_session analyst;

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	keyed_store env = { S.db, S.keys };
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &analyst);
	assert_true(analyst.cookie[0]);
	buf file;
	buf_init(&file, 16u << 20);
	assert_int_equal(obs_synthetic_ctdc(&file, 2000, 5), 0);
	arena a;
	arena_init(&a, 1 << 16);
	organisation o;
	assert_int_equal(org_find(S.db, &a, "PT-OTSH", &o), 0);
	obs_import_result *r = calloc(1, sizeof(*r));
	assert_int_equal(obs_import(&env, "ctdc", o.id, file.data, file.len, false, r), 0);
	free(r);
	arena_release(&a);
	buf_release(&file);
	return 0;
}

static int get_as(const struct web_session *w, const char *path, struct ht_resp *r)
{
	const char *h[] = { w ? w->cookie : NULL, NULL };
	ht_get(S.port, path, w ? h : NULL, r);
	return (int)r->status;
}

static char *manifest_of(const obs_release_result *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/manifest.json", rel->directory);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *m = calloc(1, 1 << 20);
	size_t n = fread(m, 1, (1 << 20) - 1, f);
	fclose(f);
	m[n] = '\0';
	return m;
}

static int count_event(const audit_event *e, void *ctx)
{
	(void)e;
	(*(size_t *)ctx)++;
	return 0;
}

static const char *const VIEWS[] = {
	"/observatory",
	"/observatory?year=2020",
	"/observatory/report?country=PT&year=2020",
	"/observatory/data.csv?chart=citizenship",
	"/observatory/data.xlsx?chart=age-gender",
};

static const char *const API[] = {
	"/api/v1/observatory/stats?by=gender",
	"/api/v1/observatory/stats?by=citizenship,gender&year=2020&format=csv",
};

static void dp_only_mode_publishes_counts_only_in_private_releases(void **state)
{
	(void)state;
	keyed_store env = { S.db, S.keys };
	struct ht_resp r;
	/* By default every view answers, and a table release is made. */
	for (size_t i = 0; i < ARRAY_LEN(VIEWS); i++) {
		assert_int_equal(get_as(&analyst, VIEWS[i], &r), 200);
		ht_free(&r);
	}
	for (size_t i = 0; i < ARRAY_LEN(API); i++) {
		assert_int_equal(get_as(&analyst, API[i], &r), 200);
		ht_free(&r);
	}
	obs_release_request tables = { .method = OBS_TABLES, .files_dir = S.app.svc.files_dir };
	obs_release_result rel;
	assert_int_equal(obs_release(&env, &tables, &rel), 0);
	int64_t tables_version = rel.version;
	/* A private release made now says what else is published: the views, and the tables. */
	obs_release_request dp = { .method = OBS_DP,
				   .epsilon = 0.5,
				   .year_from = 2016,
				   .year_to = 2025,
				   .files_dir = S.app.svc.files_dir };
	assert_int_equal(obs_release(&env, &dp, &rel), 0);
	char *m = manifest_of(&rel), expect[128];
	assert_non_null(strstr(m, "\"also_published\":{\"dp_only\":false,"));
	assert_non_null(strstr(m, "dashboards, chart downloads, annual reports"));
	snprintf(expect, sizeof(expect), "{\"version\":%lld,\"method\":\"tables\"",
		 (long long)tables_version);
	assert_non_null(strstr(m, expect));
	free(m);
	/* DP-only: every view refuses and points to the releases; the releases stay public. */
	assert_int_equal(setting_set(S.db, "obs_dp_only", "1"), 0);
	for (size_t i = 0; i < ARRAY_LEN(VIEWS); i++) {
		assert_int_equal(get_as(&analyst, VIEWS[i], &r), 403);
		assert_non_null(strstr(r.body, "<p class=\"notice\" role=\"status\">"));
		assert_non_null(strstr(r.body, "/observatory/releases/")); /* what is published */
		assert_null(strstr(r.body, "<svg"));                       /* no chart */
		ht_free(&r);
	}
	assert_int_equal(get_as(NULL, "/observatory/releases", &r), 200);
	assert_null(strstr(r.body, "<p class=\"notice\""));
	ht_free(&r);
	assert_int_equal(get_as(NULL, "/observatory/releases?lang=en", &r), 200);
	ht_free(&r);
	assert_int_equal(get_as(&analyst, "/observatory?lang=en", &r), 403);
	assert_non_null(strstr(r.body, "only as releases with differential privacy"));
	ht_free(&r);
	/* The API's tables no more than the pages' (JSON or CSV): no count, no total. */
	for (size_t i = 0; i < ARRAY_LEN(API); i++) {
		assert_int_equal(get_as(&analyst, API[i], &r), 403);
		assert_non_null(strstr(r.body, "{\"error\":{\"code\":\"forbidden\""));
		assert_null(strstr(r.body, "\"records\""));
		assert_null(strstr(r.body, "count"));
		ht_free(&r);
	}
	/* Only private releases are made, and they say nothing else counts these records. */
	assert_int_equal(obs_release(&env, &tables, &rel), PONTE_EINVAL);
	assert_non_null(strstr(rel.why, "DP-only mode"));
	obs_release_request micro = { .method = OBS_MICRODATA,
				      .max_suppressed = 0.2,
				      .files_dir = S.app.svc.files_dir };
	assert_int_equal(obs_release(&env, &micro, &rel), PONTE_EINVAL);
	assert_int_equal(obs_release(&env, &dp, &rel), 0);
	m = manifest_of(&rel);
	assert_non_null(strstr(m, "\"also_published\":{\"dp_only\":true,\"views\":\"none:"));
	free(m);
	assert_int_equal(setting_set(S.db, "obs_dp_only", "0"), 0);
	assert_int_equal(get_as(&analyst, VIEWS[0], &r), 200);
	ht_free(&r);
	assert_int_equal(get_as(&analyst, API[0], &r), 200);
	ht_free(&r);
}

/* Every table of a private release counts the records of its years, by year or not: the
 * total of the untimed table is the total of the table by year, up to the noise. */
static void a_private_release_counts_the_same_years_in_every_table(void **state)
{
	(void)state;
	keyed_store env = { S.db, S.keys };
	obs_release_request dp = { .method = OBS_DP,
				   .epsilon = 2,
				   .tables = { { "year", NULL }, { "gender", NULL } },
				   .ntables = 2,
				   .year_from = 2019,
				   .year_to = 2020,
				   .files_dir = S.app.svc.files_dir };
	obs_release_result rel;
	assert_int_equal(obs_release(&env, &dp, &rel), 0);
	char path[4200];
	snprintf(path, sizeof(path), "%s/data.csv", rel.directory);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char line[512];
	long by_year = 0, by_gender = 0;
	while (fgets(line, sizeof(line), f)) {
		long count = strtol(strrchr(line, ',') + 1, NULL, 10);
		if (strncmp(line, "year,", 5) == 0)
			by_year += count;
		else if (strncmp(line, "gender,", 7) == 0)
			by_gender += count;
	}
	fclose(f);
	/* Two years out of ten: the untimed table no longer counts every year. With epsilon 1
	 * per table the noise of a cell has a standard deviation of about 1.4. */
	obs_query q = { .by = { "year", NULL } };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t records, in_years = 0;
	assert_int_equal(obs_stats(&env, &a, &q, &cells, &n, &records), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cells[i].value[0], "2019") || !strcmp(cells[i].value[0], "2020"))
			in_years += cells[i].count;
	arena_release(&a);
	assert_true(in_years < records / 2);
	assert_true(labs(by_year - in_years) <= 10);
	assert_true(labs(by_gender - in_years) <= 20);
	char *m = manifest_of(&rel);
	assert_non_null(strstr(m, "\"records_counted\":\"those registered from 2019 to 2020"));
	free(m);
}

/* The budget page: an administrator (signed in, with the 2FA policy of the role) raises a
 * budget with a reason, kept and audited; without a reason or a number nothing changes;
 * anyone else is refused. */
static void an_administrator_raises_a_budget_on_the_page_with_a_reason(void **state)
{
	(void)state;
	struct web_session adm;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &adm), 303);
	arena a;
	arena_init(&a, 1 << 16);
	organisation o;
	assert_int_equal(org_find(S.db, &a, "PT-OTSH", &o), 0);
	arena_release(&a);
	struct ht_resp r;
	assert_int_equal(get_as(&adm, "/admin/privacy-budgets?lang=en", &r), 200);
	assert_non_null(strstr(r.body, "PT-OTSH"));
	assert_non_null(strstr(r.body, "href=\"/admin/privacy-budgets\"")); /* in the menu */
	ht_free(&r);
	char fields[512];
	/* Without a reason, without a proper number, or for no provider: 422, nothing changes. */
	snprintf(fields, sizeof(fields), "provider=%lld&budget=6&reason=", (long long)o.id);
	assert_int_equal(form_post(&adm, "/admin/privacy-budgets?lang=en", fields, &r), 422);
	assert_non_null(strstr(r.body, "Say why, in 10 to 500 characters."));
	ht_free(&r);
	snprintf(fields, sizeof(fields), "provider=%lld&budget=lots&reason=New+annual+plan",
		 (long long)o.id);
	assert_int_equal(form_post(&adm, "/admin/privacy-budgets", fields, &r), 422);
	ht_free(&r);
	assert_int_equal(form_post(&adm, "/admin/privacy-budgets",
				   "provider=999999&budget=6&reason=New+annual+plan", &r),
			 422);
	ht_free(&r);
	double budget, spent;
	assert_int_equal(obs_budget_get(S.db, o.id, &budget, &spent), 0);
	assert_true(budget < 5.9);
	/* An analyst may not, even with a reason. */
	snprintf(fields, sizeof(fields), "provider=%lld&budget=50&reason=I+need+more+tables",
		 (long long)o.id);
	assert_int_equal(form_post(&analyst, "/admin/privacy-budgets", fields, &r), 403);
	ht_free(&r);
	/* The administrator, with a reason (a decimal comma is read as a point). */
	snprintf(fields, sizeof(fields),
		 "provider=%lld&budget=6%%2C5&reason=Board+decision+of+12+March%%3A+two+releases",
		 (long long)o.id);
	assert_int_equal(form_post(&adm, "/admin/privacy-budgets", fields, &r), 303);
	ht_free(&r);
	assert_int_equal(obs_budget_get(S.db, o.id, &budget, &spent), 0);
	assert_true(fabs(budget - 6.5) < 1e-9);
	assert_int_equal(get_as(&adm, "/admin/privacy-budgets", &r), 200);
	/* The change with its reason and, in the last cell, who made it. */
	assert_non_null(strstr(r.body, "<td>Board decision of 12 March: two releases</td>"
				       "<td>Administrator</td>"));
	ht_free(&r);
	arena_init(&a, 1 << 16);
	size_t events = 0;
	audit_filter f = { .action = "obs.budget.change" };
	assert_int_equal(audit_query(S.db, &a, &f, count_event, &events), 0);
	arena_release(&a);
	assert_int_equal(events, 1); /* the analyst was stopped by the route, before */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dp_only_mode_publishes_counts_only_in_private_releases),
		cmocka_unit_test(a_private_release_counts_the_same_years_in_every_table),
		cmocka_unit_test(an_administrator_raises_a_budget_on_the_page_with_a_reason),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
