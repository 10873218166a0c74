/* Every spreadsheet Ponte writes, opened by an independent reader: tests/xlsx_check.py reads
 * it with openpyxl (Debian's python3-openpyxl) and checks that it opens without a warning,
 * that its entries are deflated, its sheet named, its header bold, its columns sized, and
 * numbers, dates and percentages typed as such (issue #14, 31). */
#include "httptest.h"

#include <spawn.h>
#include <sys/wait.h>

#include "base/csv.h"
#include "base/log.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "obs/obs.h"

extern char **environ;

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
	/* As `ponte demo` makes them: cases, the directory, observatory records and a release
	 * of each method. */
	demo_options o = {
		.cases = 60, .seed = 3, .password = DEMO_PASSWORD, .files_dir = S.app.svc.files_dir
	};
	char err[256];
	if (demo_generate(&env, &o, err, sizeof(err)))
		fail_msg("%s", err);
	return 0;
}

/* Run the reader on the file; its findings go to the test's output. */
/* With text: some cell must hold it. */
static void check_text(const char *what, const struct ht_resp *r, const char *sheet,
		       const char *types, int min_rows, const char *text)
{
	if (r->status != 200)
		fail_msg("%s: status %ld", what, r->status);
	char path[4200], rows[16], script[] = "tests/xlsx_check.py";
	snprintf(path, sizeof(path), "%s/check.xlsx", S.dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(r->body, 1, r->len, f), r->len);
	fclose(f);
	snprintf(rows, sizeof(rows), "%d", min_rows);
	const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
	char *argv[] = { (char *)(uintptr_t)python,
			 script,
			 path,
			 (char *)(uintptr_t)sheet,
			 (char *)(uintptr_t)types,
			 rows,
			 (char *)(uintptr_t)text,
			 NULL };
	pid_t pid;
	assert_int_equal(posix_spawnp(&pid, python, NULL, NULL, argv, environ), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: the spreadsheet reader finds fault with it (above)", what);
	unlink(path);
}

static void check(const char *what, const struct ht_resp *r, const char *sheet, const char *types,
		  int min_rows)
{
	check_text(what, r, sheet, types, min_rows, NULL);
}

static void get_as(const struct web_session *w, const char *path, struct ht_resp *r)
{
	const char *h[] = { w ? w->cookie : NULL, NULL };
	ht_get(S.port, path, w ? h : NULL, r);
}

/* The spreadsheets, by the route that writes them: a new one fails until it is listed. */
static const char *const XLSX_ROUTES[] = {
	"/cases/export.xlsx", "/directory/export.xlsx", "/observatory/data.xlsx",
	"/observatory/releases/{id}/{file}", /* data.xlsx of each release */
};

static void every_spreadsheet_route_is_checked(void **state)
{
	(void)state;
	size_t found = 0;
	for (size_t i = 0; i < app_routes_count; i++) {
		const char *pattern = app_routes[i].pattern;
		bool listed = false;
		for (size_t k = 0; k < ARRAY_LEN(XLSX_ROUTES); k++)
			listed |= strcmp(XLSX_ROUTES[k], pattern) == 0;
		if (strstr(pattern, "xlsx") && !listed)
			fail_msg("%s writes a spreadsheet no test opens (XLSX_ROUTES)", pattern);
		found += listed;
	}
	assert_int_equal(found, ARRAY_LEN(XLSX_ROUTES));
	assert_true(obs_release_file_known("data.xlsx"));
}

/* Cases, in Portuguese: the case number and the estimated age are numbers, the birth date and
 * the dates of registration and change are dates. A name in Arabic script and one with French
 * accents come out as they were typed. */
static void the_case_export_opens_with_its_types(void **state)
{
	(void)state;
	char auth[128];
	bearer("supervisor@demo.ponte.example", auth, sizeof(auth));
	struct ht_resp r;
	assert_int_equal(api(auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"عائشة\","
			     "\"prs_SecondName\":\"Lefèvre-Benkirane\"}}",
			     &r),
			 201);
	ht_free(&r);
	struct web_session w;
	web_login("supervisor@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	get_as(&w, "/cases/export.xlsx", &r);
	check_text("cases", &r, "Processos", "NSssDNSSSSSSDD", 1, "عائشة");
	check_text("cases", &r, "Processos", "NSssDNSSSSSSDD", 1, "Lefèvre-Benkirane");
	ht_free(&r);
}

/* The focal-point directory, in French: phone numbers stay text, the date of verification is a
 * date. */
static void the_directory_export_opens_with_its_types(void **state)
{
	(void)state;
	struct web_session w;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	struct ht_resp r;
	/* The spreadsheet holds the rows of the CSV: the organisation code of its first row. */
	get_as(&w, "/directory/export.csv", &r);
	assert_int_equal(r.status, 200);
	csv_reader csv;
	csv_record *rec = calloc(1, sizeof(*rec));
	arena a;
	arena_init(&a, 1 << 16);
	const char *problem;
	csv_init(&csv, r.body, r.len);
	assert_int_equal(csv_next(&csv, &a, rec, &problem), 1); /* the header */
	assert_int_equal(csv_next(&csv, &a, rec, &problem), 1);
	char code[64];
	snprintf(code, sizeof(code), "%.*s", (int)rec->lens[3], rec->fields[3]);
	free(rec);
	arena_release(&a);
	ht_free(&r);
	get_as(&w, "/directory/export.xlsx", &r);
	check_text("directory", &r, "Points focaux", "SSSSSSSSsSDS", 3, code);
	ht_free(&r);
}

/* Every chart's numbers, in French and in Portuguese: the chart's title names the sheet, cut at
 * 31 characters; counts are numbers, percentages numbers shown with %, the flag (c, withheld)
 * text, and the method on the last row. "Victimes enregistrées
 * par année" has 31 characters in 34 bytes: cut at 31 bytes, it ended inside "é", and no
 * spreadsheet opened the file. */
static void every_chart_download_opens_with_its_types(void **state)
{
	(void)state;
	static const struct {
		const char *chart, *title, *types;
	} CHARTS[] = {
		{ "years", "Registered victims by year", "SSNPps" },
		{ "exploitation", "Type of exploitation", "SSNPps" },
		{ "age-gender", "Age and gender", "SSSSNs" },
		{ "citizenship", "Citizenship", "SSNPps" },
		{ "countries", "Country of exploitation", "SSNPps" },
		{ "control", "Means of control", "SSNPps" },
		{ "status", "Victim status", "SSNPps" },
		{ "flow", "Domestic or transnational", "SSNPps" },
		{ "source", "Data source", "SSNPps" },
	};
	const char *years_fr = tr(i18n_lang_from_tag("fr", 2), CHARTS[0].title);
	assert_string_equal(years_fr, "Victimes enregistrées par année");
	assert_int_equal(utf8_length(years_fr, strlen(years_fr)), 31);
	assert_true(strlen(years_fr) > 31);
	struct web_session readers[2];
	const char *langs[] = { "fr", "pt" };
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &readers[0]);
	web_login("observatory.analyst.pt@demo.ponte.example", DEMO_PASSWORD, NULL, &readers[1]);
	/* The dashboard offers no other spreadsheet than these. */
	struct ht_resp r;
	get_as(&readers[0], "/observatory", &r);
	size_t links = 0;
	for (const char *p = r.body; (p = strstr(p, "href=\"/observatory/data.xlsx?")) != NULL; p++)
		links++;
	ht_free(&r);
	assert_int_equal(links, ARRAY_LEN(CHARTS));
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; i < ARRAY_LEN(CHARTS); i++) {
			char url[128];
			snprintf(url, sizeof(url), "/observatory/data.xlsx?chart=%s%s",
				 CHARTS[i].chart, l ? "&year=2024" : "");
			get_as(&readers[l], url, &r);
			check(url, &r, tr(i18n_lang_from_tag(langs[l], 2), CHARTS[i].title),
			      CHARTS[i].types, 1);
			ht_free(&r);
		}
}

struct releases {
	int64_t version[16];
	const char *method[16];
	size_t n;
};

static int add_release(const obs_release_info *x, void *ctx)
{
	struct releases *l = ctx;
	if (l->n < ARRAY_LEN(l->version)) {
		l->version[l->n] = x->version;
		l->method[l->n++] = x->method;
	}
	return 0;
}

/* Each release's data.xlsx, as anyone downloads it: counts are numbers (or withheld), values
 * numbers when they are (years), text when they are codes. */
static void every_release_spreadsheet_opens_with_its_types(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	struct releases l = { .n = 0 };
	assert_int_equal(obs_release_list(S.db, &a, add_release, &l), 0);
	assert_int_equal(l.n, 3); /* one of each method, as `ponte demo` publishes them */
	for (size_t i = 0; i < l.n; i++) {
		char url[128];
		snprintf(url, sizeof(url), "/observatory/releases/%lld/data.xlsx",
			 (long long)l.version[i]);
		struct ht_resp r;
		get_as(NULL, url, &r);
		bool microdata = strcmp(l.method[i], "microdata") == 0;
		/* Tables, one sheet each, in the release's order (the standard set); each
		 * table's rows: table, dimension_1, value_1, dimension_2, value_2, count[,
		 * flag]. "year_by_country_of_exploitation" has the 31 characters a sheet's name
		 * may have. */
		check(url, &r,
		      microdata ? "data"
				: "year|year_by_gender|year_by_age_band|year_by_citizenship|"
				  "year_by_country_of_exploitation|year_by_exploitation",
		      microdata ? "*+" : "SS*s*N*", 10);
		ht_free(&r);
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_spreadsheet_route_is_checked),
		cmocka_unit_test(the_case_export_opens_with_its_types),
		cmocka_unit_test(the_directory_export_opens_with_its_types),
		cmocka_unit_test(every_chart_download_opens_with_its_types),
		cmocka_unit_test(every_release_spreadsheet_opens_with_its_types),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
