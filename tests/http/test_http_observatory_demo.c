/* The observatory over the demonstration data, as `make run` makes it (`ponte init --demo`,
 * then `ponte demo`): the headline shares of every year and country a reader can choose. */
#include "httptest.h"

#include <math.h>

#include "base/log.h"
#include "cases/cases.h"
#include "obs/obs.h"

static struct ht_server S;

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	demo_options o = {
		.cases = 200, .seed = 1, .password = DEMO_PASSWORD, .files_dir = S.app.svc.files_dir
	};
	char err[256];
	if (demo_generate(&env, &o, err, sizeof(err)))
		fail_msg("%s", err);
	/* As in the walk-through: a case worker registers two cases before knowing how the
	 * victims were exploited. */
	int64_t uid, id;
	principal p;
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(S.db, uid, &p), 0);
	for (int i = 0; i < 2; i++) {
		case_input in = { .first_name = "Awa",
				  .second_name = "Walkthrough",
				  .gender = "Feminine" };
		field_errors e;
		assert_int_equal(case_create(&env, &p, &in, &id, &e), 0);
	}
	/* A reader of every country's records, as the walk-through's analyst was. */
	assert_int_equal(role_grant(S.db, "regional_analyst", "stats.read", SCOPE_ALL), 0);
	return 0;
}

/* The counts the test checks a share against: records, where the variable is known, with the
 * value; as published (what the page computes its shares from) or exact (the situation). */
struct counts {
	int64_t records, known, with;
};

static struct counts counts_of(const obs_scope *scope, const char *year, const char *country,
			       const char *dim, const char *code, bool exact)
{
	keyed_store env = { S.db, S.keys };
	obs_query q = { .by = { dim, NULL }, .scope = *scope, .exact = exact };
	if (year) {
		q.where_dim[q.nwhere] = "year";
		q.where_value[q.nwhere++] = year;
	}
	if (country) {
		q.where_dim[q.nwhere] = "country_of_exploitation";
		q.where_value[q.nwhere++] = country;
	}
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	struct counts c = { 0 };
	assert_int_equal(obs_stats(&env, &a, &q, &cells, &n, &c.records), 0);
	c.known = c.records;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cells[i].value[0], code) == 0)
			c.with = cells[i].count;
		if (strcmp(cells[i].value[0], "missing") == 0)
			c.known -= cells[i].count;
	}
	arena_release(&a);
	return c;
}

/* Whether the count with code is withheld in the page's chart of dim. */
static bool withheld_in_chart(const obs_scope *scope, const char *year, const char *country,
			      const char *dim, const char *code)
{
	keyed_store env = { S.db, S.keys };
	obs_query q = { .by = { dim, NULL }, .scope = *scope, .suppress = 5 };
	if (year) {
		q.where_dim[q.nwhere] = "year";
		q.where_value[q.nwhere++] = year;
	}
	if (country) {
		q.where_dim[q.nwhere] = "country_of_exploitation";
		q.where_value[q.nwhere++] = country;
	}
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t records;
	assert_int_equal(obs_stats(&env, &a, &q, &cells, &n, &records), 0);
	bool withheld = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], code) == 0)
			withheld = cells[i].suppressed;
	arena_release(&a);
	return withheld;
}

static bool small(int64_t n)
{
	return n > 0 && n < 5;
}

/* One headline share of a page: a percentage, or a dash with its reason beside it. What must
 * be shown follows from the counts: a share of the known records unless the number not known
 * is small (then of all records), none when it would give away a small count. */
static bool check_share(const char *page, const char *url, const char *figure, struct counts c,
			bool chart_withheld)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "<div class=\"%s\">", figure);
	const char *div = strstr(page, needle);
	if (!div)
		fail_msg("%s: no %s", url, figure);
	const char *dd = strstr(div, "<dd>") + 4, *end = strstr(dd, "</dd>");
	char text[512];
	snprintf(text, sizeof(text), "%.*s", (int)(end - dd), dd);
	bool missing_small = small(c.records - c.known);
	bool publishable = c.records >= 5 && c.known > 0 && !chart_withheld &&
			   (missing_small ? !small(c.with) && !small(c.records - c.with)
					  : !small(c.with) && !small(c.known - c.with));
	if (!publishable) {
		if (strncmp(text, "—", strlen("—")) != 0 || !strstr(text, "<small class=\"why\">"))
			fail_msg("%s: %s is not a dash with its reason: %s", url, figure, text);
		if (strstr(text, "%"))
			fail_msg("%s: %s gives a share away: %s", url, figure, text);
		return false;
	}
	/* To one decimal, with the French decimal comma and a narrow no-break space before %; a half (207 of 400: 51.75) may round
	 * either way. */
	double share = 100.0 * (double)c.with / (double)(missing_small ? c.records : c.known);
	int whole, tenth;
	if (sscanf(text, "%d,%1d\u202f%%", &whole, &tenth) != 2 ||
	    fabs(whole + tenth / 10.0 - share) > 0.05 + 1e-9)
		fail_msg("%s: %s is %s, not %.2f %% (%lld of %lld, %lld known)", url, figure, text,
			 share, (long long)c.with, (long long)c.records, (long long)c.known);
	/* A share of all records says so. */
	if (missing_small != (strstr(text, "ensemble des enregistrements") != NULL))
		fail_msg("%s: %s does not say what it is a share of: %s", url, figure, text);
	return true;
}

/* The values of a <select> of the page: years or countries. */
static size_t options(const char *page, const char *select, char (*out)[8], size_t max)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "<select id=\"%s\"", select);
	const char *p = strstr(page, needle), *end = p ? strstr(p, "</select>") : NULL;
	size_t n = 0;
	for (; p && (p = strstr(p, "<option value=\"")) != NULL && p < end; p++) {
		p += 15;
		size_t len = strcspn(p, "\"");
		if (len && len < 8 && n < max)
			snprintf(out[n++], sizeof(out[0]), "%.*s", (int)len, p);
	}
	return n;
}

struct tally {
	size_t pages, shown, of_all;
};

static void check_page(const struct web_session *w, const obs_scope *scope, const char *year,
		       const char *country, struct tally *t)
{
	char url[128];
	snprintf(url, sizeof(url), "/observatory?year=%s&country=%s", year ? year : "",
		 country ? country : "");
	const char *h[] = { w->cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, url, h, &r);
	assert_int_equal(r.status, 200);
	struct counts children = counts_of(scope, year, country, "majority", "minor", false);
	struct counts labour =
	    counts_of(scope, year, country, "exploitation", "forced_labour", false);
	bool fl_withheld = withheld_in_chart(scope, year, country, "exploitation", "forced_labour");
	t->shown += check_share(r.body, url, "figure-children", children, false);
	t->shown += check_share(r.body, url, "figure-labour", labour, fl_withheld);
	t->of_all += strstr(r.body, "ensemble des enregistrements") != NULL;
	t->pages++;
	ht_free(&r);
}

static void every_page(const struct web_session *w, const obs_scope *scope, struct tally *t)
{
	const char *h[] = { w->cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/observatory", h, &r);
	assert_int_equal(r.status, 200);
	char years[32][8], countries[64][8];
	size_t ny = options(r.body, "year", years, 32),
	       nc = options(r.body, "country", countries, 64);
	ht_free(&r);
	assert_true(ny >= 10 && nc >= 5);
	check_page(w, scope, NULL, NULL, t);
	for (size_t y = 0; y < ny; y++)
		check_page(w, scope, years[y], NULL, t);
	for (size_t c = 0; c < nc; c++)
		check_page(w, scope, NULL, countries[c], t);
	for (size_t y = 0; y < ny; y++)
		check_page(w, scope, years[y], "PT", t);
}

/* Issue #14, 18: "Share of forced labour" was a dash with every year (2,714 of 5,208 records
 * are forced labour, two cases without their exploitation yet), "Share of children" a dash for
 * Portugal in 2025 with its children: a share was given up whenever the small number of records
 * not known was withheld. */
static void the_headline_shares_are_given_or_explained(void **state)
{
	(void)state;
	struct web_session all, pt;
	web_login("regional@demo.ponte.example", DEMO_PASSWORD, NULL, &all);
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &pt);
	assert_true(all.cookie[0] && pt.cookie[0]);
	obs_scope every = { 0 }, portugal = { .country = "PT" };
	/* The situation of the walk-through: two records without their exploitation. */
	struct counts labour = counts_of(&every, NULL, NULL, "exploitation", "forced_labour", true);
	assert_int_equal(labour.records - labour.known, 2);
	assert_true(labour.with > 2000);
	struct counts pt2025 = counts_of(&every, "2025", "PT", "majority", "minor", true);
	assert_true(pt2025.with >= 5 && small(pt2025.records - pt2025.known));

	struct tally t = { 0 };
	every_page(&all, &every, &t);
	every_page(&pt, &portugal, &t);
	print_message("%zu pages, %zu shares given, %zu of all records\n", t.pages, t.shown,
		      t.of_all);
	assert_true(t.pages > 60);
	assert_true(t.shown > t.pages); /* most of the shares are given */
	assert_true(t.of_all > 0);

	/* The two figures of the issue, as numbers (of the published counts). */
	labour = counts_of(&every, NULL, NULL, "exploitation", "forced_labour", false);
	pt2025 = counts_of(&every, "2025", "PT", "majority", "minor", false);
	const char *h[] = { all.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/observatory", h, &r);
	char want[32]; /* French: a decimal comma, a narrow no-break space before % */
	assert_non_null(strstr(r.body, "<html lang=\"fr\""));
	snprintf(want, sizeof(want), "%.1f\u202f%%",
		 100.0 * (double)labour.with / (double)labour.records);
	*strchr(want, '.') = ',';
	assert_non_null(strstr(strstr(r.body, "figure-labour"), want));
	ht_free(&r);
	ht_get(S.port, "/observatory?year=2025&country=PT", h, &r);
	snprintf(want, sizeof(want), "%.1f\u202f%%",
		 100.0 * (double)pt2025.with / (double)pt2025.records);
	*strchr(want, '.') = ',';
	assert_non_null(strstr(strstr(r.body, "figure-children"), want));
	ht_free(&r);
	/* The annual report gives the same figures. */
	ht_get(S.port, "/observatory/report?year=2025&country=PT", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(strstr(r.body, "figure-children"), want));
	ht_free(&r);
}

/* Issue #18: each release's methodology note is a page in the reader's language, reached from
 * the list of releases (and the list from the menu), readable without signing in as the
 * releases are; the note as published stays a download beside the data. */
static void the_methodology_note_is_a_page(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/observatory/releases?lang=fr", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "href=\"/observatory/releases/1/methodology\""));
	assert_null(strstr(r.body, "methodology.md\">Note"));
	ht_free(&r);
	/* One of each method: cell key tables, differential privacy, k-anonymised records. */
	static const char *const SAYS[][2] = {
		{ "1", "id=\"method-title\">Note méthodologique · Version 1</h1>" },
		{ "2", "confidentialité différentielle" },
		{ "3", "k-anonymat" },
	};
	for (size_t i = 0; i < ARRAY_LEN(SAYS); i++) {
		char path[96];
		snprintf(path, sizeof(path), "/observatory/releases/%s/methodology?lang=fr",
			 SAYS[i][0]);
		ht_get(S.port, path, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.headers, "text/html"));
		if (!strstr(r.body, SAYS[i][1]))
			fail_msg("%s does not say %s", path, SAYS[i][1]);
		assert_non_null(strstr(r.body, "methodology.md\" hreflang=\"en\""));
		assert_non_null(strstr(r.body, "class=\"print-stamp\""));
		ht_free(&r);
	}
	/* The tables' counts are grouped: 5,008 records. */
	ht_get(S.port, "/observatory/releases/1/methodology?lang=en", NULL, &r);
	assert_non_null(strstr(r.body, "<dt>Records</dt><dd>5,0"));
	ht_free(&r);
	ht_get(S.port, "/observatory/releases/99/methodology", NULL, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	ht_get(S.port, "/observatory/releases/1/methodology.md", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "# Observatory release 1"));
	ht_free(&r);
	/* The analyst finds the releases in the menu. */
	struct web_session pt;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &pt);
	const char *h[] = { pt.cookie, NULL };
	ht_get(S.port, "/observatory", h, &r);
	assert_non_null(strstr(r.body, "<li><a href=\"/observatory/releases\">"));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_headline_shares_are_given_or_explained),
		cmocka_unit_test(the_methodology_note_is_a_page),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
