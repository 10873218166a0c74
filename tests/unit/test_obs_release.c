/* Observatory releases: k is recomputed on the published file, the privacy budget refuses
 * what it must, the noise has the promised distribution, releases cannot be changed. */
#include "identity_fixture.h"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "cases/cases.h"
#include "obs/obs.h"

static struct fixture F;
static char files_dir[600];
static int64_t pt_ngo, pt_pol;

static int64_t org(const char *code)
{
	arena a;
	arena_init(&a, 1 << 16);
	organisation o;
	assert_int_equal(org_find(F.db, &a, code, &o), 0);
	int64_t id = o.id;
	arena_release(&a);
	return id;
}

static void import_synthetic(int64_t provider, size_t n, uint64_t seed)
{
	buf file;
	buf_init(&file, 64u << 20);
	assert_int_equal(obs_synthetic_ctdc(&file, n, seed), 0);
	obs_import_result *r = calloc(1, sizeof(*r));
	assert_int_equal(obs_import(&F.env, "ctdc", provider, file.data, file.len, false, r), 0);
	assert_int_equal(r->imported, n);
	free(r);
	buf_release(&file);
}

static int setup(void **state)
{
	(void)state;
	fixture_open(&F);
	snprintf(files_dir, sizeof(files_dir), "%s/p.db.files", F.dir);
	mkdir(files_dir, 0700);
	pt_ngo = org("PT-NGO-LX");
	pt_pol = org("PT-POL");
	import_synthetic(pt_ngo, 3000, 7);
	import_synthetic(pt_pol, 2000, 8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_close(&F);
	return 0;
}

static char *slurp(const char *dir, const char *name, size_t *n)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)len + 1);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	data[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return data;
}

/* Every file's SHA-256 is the manifest's. */
static void checksums_match(const char *dir)
{
	size_t n, mn;
	char *manifest = slurp(dir, "manifest.json", &mn);
	const char *names[] = { "data.csv", "data.xlsx", "data.json" };
	for (size_t i = 0; i < 3; i++) {
		char *data = slurp(dir, names[i], &n), hex[65];
		crypto_sha256_hex(data, n, hex);
		assert_non_null(strstr(manifest, hex));
		free(data);
	}
	free(manifest);
}

static int64_t count_rows(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* ---- k-anonymity, recomputed on the published CSV ---- */

static void microdata_is_k_anonymous_when_read_back(void **state)
{
	(void)state;
	obs_release_request rq = {
		.method = OBS_MICRODATA, .k = 10, .max_suppressed = 0.02, .files_dir = files_dir
	};
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_int_equal(r.records, count_rows("SELECT count(*) FROM obs_records"));
	assert_true(r.released >= r.records * 98 / 100);
	assert_true(r.k_achieved >= 10);
	size_t n;
	char *csv = slurp(r.directory, "data.csv", &n);
	/* Group the rows by their first six columns (the quasi-identifiers). */
	size_t rows = 0, cap = 8192, groups = 0;
	char **keys = calloc(cap, sizeof(*keys));
	size_t *counts = calloc(cap, sizeof(*counts));
	char *save, *line = strtok_r(csv, "\r\n", &save);
	assert_non_null(strstr(line, "year,gender,age_band,majority,citizenship,"));
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		char *p = line;
		for (int commas = 0; *p && commas < 6; p++)
			commas += *p == ',';
		p[-1] = '\0';
		size_t g = 0;
		while (g < groups && strcmp(keys[g], line) != 0)
			g++;
		if (g == groups) {
			assert_true(groups < cap);
			keys[groups++] = line;
		}
		counts[g]++;
		rows++;
	}
	assert_int_equal(rows, r.released);
	size_t min = rows;
	for (size_t g = 0; g < groups; g++)
		if (counts[g] < min)
			min = counts[g];
	assert_true(min >= 10);
	assert_int_equal((int64_t)min, r.k_achieved);
	free(keys);
	free(counts);
	free(csv);
	checksums_match(r.directory);
	/* The manifest says what was generalised and how many were left out. */
	char *manifest = slurp(r.directory, "manifest.json", &n);
	assert_non_null(strstr(manifest, "\"generalisation\":{\"year\":"));
	char expect[64];
	snprintf(expect, sizeof(expect), "\"suppressed\":%zu", r.records - r.released);
	assert_non_null(strstr(manifest, expect));
	free(manifest);
}

static void a_higher_k_generalises_more(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .k = 50,
				   .max_suppressed = 0.0,
				   .qi = { "year", "gender", "citizenship" },
				   .nqi = 3,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_true(r.k_achieved >= 50);
	assert_int_equal(r.released, r.records); /* nothing may be left out: generalise instead */
	rq.qi[0] = "name";
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "name cannot be a quasi-identifier"));
}

/* ---- differential privacy ---- */

static void the_noise_has_the_geometric_distribution(void **state)
{
	(void)state;
	double epsilon = 0.5, alpha = exp(-epsilon);
	double var_expected = 2 * alpha / ((1 - alpha) * (1 - alpha));
	double sum = 0, sq = 0;
	int zeros = 0, n = 40000;
	for (int i = 0; i < n; i++) {
		int64_t x = obs_geometric_noise(epsilon, 1);
		sum += (double)x;
		sq += (double)x * (double)x;
		zeros += x == 0;
	}
	double mean = sum / n, var = sq / n - mean * mean;
	assert_true(fabs(mean) < 0.1);
	assert_true(fabs(var - var_expected) / var_expected < 0.1);
	/* P(0) = (1 - alpha) / (1 + alpha) */
	double p0 = (1 - alpha) / (1 + alpha);
	assert_true(fabs((double)zeros / n - p0) < 0.02);
}

static void the_budget_refuses_a_release_beyond_it(void **state)
{
	(void)state;
	assert_int_equal(obs_budget_set(F.db, pt_pol, 1.0), 0);
	obs_release_request rq = { .method = OBS_DP,
				   .epsilon = 0.6,
				   .provider = pt_pol,
				   .year_from = 2016,
				   .year_to = 2025,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	checksums_match(r.directory);
	int64_t releases = count_rows("SELECT count(*) FROM obs_releases");
	/* 0.6 more would make 1.2 of 1.0: refused, nothing written, nothing spent. */
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EDENIED);
	assert_non_null(strstr(r.why, "PT-POL"));
	assert_int_equal(count_rows("SELECT count(*) FROM obs_releases"), releases);
	char next[4300];
	snprintf(next, sizeof(next), "%s/releases/v%lld", files_dir, (long long)releases + 1);
	struct stat sb;
	assert_int_not_equal(stat(next, &sb), 0);
	/* A release over every provider spends on each: PT-POL has 0.4 left. */
	rq.provider = 0;
	rq.epsilon = 0.5;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EDENIED);
	rq.epsilon = 0.4;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	double budget, spent;
	assert_int_equal(obs_budget_get(F.db, pt_pol, &budget, &spent), 0);
	assert_true(fabs(spent - 1.0) < 1e-9);
	assert_int_equal(obs_budget_get(F.db, pt_ngo, &budget, &spent), 0);
	assert_true(fabs(spent - 0.4) < 1e-9 && fabs(budget - 3.0) < 1e-9); /* the default */
	/* Nothing is left for PT-POL now. */
	rq.epsilon = 0.01;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EDENIED);
}

/* Every cell of the domain is released, zeros included, and counts are noisy. */
static void a_private_table_covers_its_whole_domain(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_DP,
				   .epsilon = 1.0,
				   .provider = pt_ngo,
				   .tables = { { "year", "gender" } },
				   .ntables = 1,
				   .year_from = 2016,
				   .year_to = 2025,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	size_t n;
	char *csv = slurp(r.directory, "data.csv", &n);
	size_t lines = 0;
	for (char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	/* 11 years (10 and missing) x 4 genders (3 and missing), and the header. */
	assert_int_equal(lines, 11 * 4 + 1);
	assert_non_null(strstr(csv, "year_by_gender,year,2016,gender,transgender_nonconforming,"));
	free(csv);
	char *manifest = slurp(r.directory, "manifest.json", &n);
	assert_non_null(strstr(manifest, "\"mechanism\":\"two-sided geometric"));
	assert_null(strstr(manifest, "\"records\"")); /* an exact count would bypass the noise */
	free(manifest);
	/* A provider is a dataset, not a dimension; an unknown dimension is refused. */
	rq.tables[0][1] = "provider";
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	rq.tables[0][1] = "religion";
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "religion is not a dimension"));
	rq.tables[0][1] = NULL;
	rq.epsilon = 50;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
}

/* ---- suppressed tables, immutability, recovery ---- */

static void suppressed_tables_publish_no_small_count(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_TABLES, .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	size_t n;
	char *csv = slurp(r.directory, "data.csv", &n);
	size_t withheld = 0, published = 0;
	char *save, *line = strtok_r(csv, "\r\n", &save);
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		const char *count = strrchr(line, ',') + 1;
		if (strcmp(count, "<5") == 0) {
			withheld++;
			continue;
		}
		published++;
		assert_true(strtoll(count, NULL, 10) >= 5);
	}
	assert_true(withheld > 0 && published > 100);
	free(csv);
	char *note = slurp(r.directory, "methodology.md", &n);
	assert_non_null(strstr(note, "## Method: tables with suppression"));
	free(note);
	char *sums = slurp(r.directory, "SHA256SUMS", &n);
	assert_non_null(strstr(sums, "  data.csv\n"));
	free(sums);
}

static void a_release_cannot_be_changed(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_not_equal(
	    sqlite3_exec(db, "UPDATE obs_releases SET manifest = '{}'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM obs_releases", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM obs_privacy_spent", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
	char path[4300];
	snprintf(path, sizeof(path), "%s/releases/v1/data.csv", files_dir);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0222, 0); /* read-only */
}

/* A crash after the files were written and before the commit leaves a directory that no
 * release names: the next release of that version replaces it. */
static void a_directory_left_by_a_crash_is_replaced(void **state)
{
	(void)state;
	int64_t next = count_rows("SELECT max(version) + 1 FROM obs_releases");
	char dir[4300], cmd[8700];
	snprintf(dir, sizeof(dir), "%s/releases/v%lld", files_dir, (long long)next);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && echo half > '%s/data.csv'", dir, dir);
	assert_int_equal(system(cmd), 0);
	obs_release_request rq = { .method = OBS_TABLES,
				   .tables = { { "gender", NULL } },
				   .ntables = 1,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_int_equal(r.version, next);
	checksums_match(r.directory);
}

/* ---- cases feed the observatory ---- */

static void derived(int64_t case_id, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(
			     db,
			     "SELECT count(*), group_concat(coalesce(gender, '-') || '|' || "
			     "coalesce(age_band, '-') || '|' || coalesce(majority, '-') || '|' "
			     "|| coalesce(citizenship, '-') || '|' || exploitation || '|' || "
			     "status) FROM obs_records WHERE row_key = CAST('case:' || ?1 AS BLOB)",
			     -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, case_id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%lld:%s", (long long)sqlite3_column_int64(st, 0),
		 sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The count of a value, through the cached columns (cube.h). */
static int64_t stats_count(const char *dim, const char *value)
{
	obs_query q = { .by = { dim, NULL } };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total, count = 0;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &total), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], value) == 0)
			count = cells[i].count;
	arena_release(&a);
	return count;
}

static void cases_feed_the_observatory_as_they_change(void **state)
{
	(void)state;
	/* The demo cases are there already, one record each. */
	assert_int_equal(count_rows("SELECT count(*) FROM obs_records WHERE substr(row_key, 1, 5) "
				    "= CAST('case:' AS BLOB)"),
			 count_rows("SELECT count(*) FROM cases"));
	int64_t uid, id, did, version;
	principal p;
	assert_int_equal(user_find_by_email(&F.env, "case.worker@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &p), 0);
	/* A girl of 16 at registration: a child, with two types of exploitation. */
	char born[32], now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	snprintf(born, sizeof(born), "%d-01-01", (int)strtol(now, NULL, 10) - 16);
	case_input in = { .first_name = "Mariama",
			  .second_name = "Observed",
			  .gender = "Feminine",
			  .birthdate = born,
			  .citizenship = "GN,SN",
			  .exploitation = "ForcedBegging,SexualExploitation" };
	case_errors e;
	assert_int_equal(case_create(&F.env, &p, &in, &id, &e), 0);
	char row[256];
	derived(id, row, sizeof(row));
	assert_string_equal(row,
			    "1:female|9--17|minor|GN|forced_labour,sexual_exploitation|presumed");
	/* Corrected: the record follows, still one. */
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	assert_int_equal(case_get(&F.env, &a, &p, id, &c), 0);
	version = c.version;
	case_input fix = { .gender = "NonConforming", .birthdate = "", .estimated_age = "30" };
	int64_t current, before = stats_count("gender", "transgender_nonconforming");
	assert_int_equal(case_update(&F.env, &p, id, version, &fix, &e, &current), 0);
	/* The newest record was replaced: same count of records, the counts follow. */
	assert_int_equal(stats_count("gender", "transgender_nonconforming"), before + 1);
	derived(id, row, sizeof(row));
	assert_string_equal(
	    row, "1:transgender_nonconforming|30--38|adult|GN|forced_labour,sexual_exploitation|"
		 "presumed");
	/* A status decision. */
	status_decision_input pending = { "pending", "2026-01-05", "NGO", NULL };
	assert_int_equal(status_decision_add(&F.env, &p, id, &pending, &e, &did), 0);
	derived(id, row, sizeof(row));
	assert_non_null(strstr(row, "|pending"));
	assert_true(stats_count("status", "pending") >= 1);
	arena_release(&a);
}

static int sum_records(const obs_indicator *x, void *ctx)
{
	*(int64_t *)ctx += x->records;
	return 0;
}

/* The scope of stats.read: a country's readers count its providers' records, an
 * organisation's its own; "own" has no meaning for records without an owner user. */
static void counts_keep_to_the_readers_scope(void **state)
{
	(void)state;
	obs_scope s;
	assert_int_equal(obs_scope_of(SCOPE_OWN, "PT", pt_ngo, &s), PONTE_EDENIED);
	assert_int_equal(obs_scope_of(SCOPE_NONE, "PT", pt_ngo, &s), PONTE_EDENIED);
	assert_int_equal(obs_scope_of(SCOPE_ALL, "PT", pt_ngo, &s), 0);
	assert_true(!s.country && !s.provider);
	arena a;
	arena_init(&a, 1 << 20);
	obs_query q = { .by = { "provider", NULL } };
	obs_cell *cells;
	size_t n;
	int64_t all, pol = 0;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &all), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], "PT-POL") == 0)
			pol = cells[i].count;
	assert_true(pol >= 2000 && pol < all);
	/* One organisation: its records only. */
	assert_int_equal(obs_scope_of(SCOPE_ORGANISATION, "PT", pt_pol, &q.scope), 0);
	int64_t records;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &records), 0);
	assert_int_equal(records, pol);
	assert_int_equal(n, 1);
	assert_string_equal(cells[0].value[0], "PT-POL");
	int64_t yearly = 0;
	assert_int_equal(obs_indicators(F.db, &q.scope, NULL, sum_records, &yearly), 0);
	assert_true(yearly > 0 && yearly <= pol); /* records without a year are not in a row */
	/* A country: its providers' records, wherever the victims were exploited. */
	assert_int_equal(obs_scope_of(SCOPE_COUNTRY, "PT", pt_pol, &q.scope), 0);
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &records), 0);
	assert_int_equal(records, all); /* every provider of the fixture is Portuguese */
	assert_int_equal(obs_scope_of(SCOPE_COUNTRY, "ES", pt_pol, &q.scope), 0);
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &records), 0);
	assert_int_equal(records, 0);
	assert_int_equal(n, 0);
	yearly = 0;
	assert_int_equal(obs_indicators(F.db, &q.scope, NULL, sum_records, &yearly), 0);
	assert_int_equal(yearly, 0);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(microdata_is_k_anonymous_when_read_back),
		cmocka_unit_test(a_higher_k_generalises_more),
		cmocka_unit_test(the_noise_has_the_geometric_distribution),
		cmocka_unit_test(the_budget_refuses_a_release_beyond_it),
		cmocka_unit_test(a_private_table_covers_its_whole_domain),
		cmocka_unit_test(suppressed_tables_publish_no_small_count),
		cmocka_unit_test(a_release_cannot_be_changed),
		cmocka_unit_test(a_directory_left_by_a_crash_is_replaced),
		cmocka_unit_test(cases_feed_the_observatory_as_they_change),
		cmocka_unit_test(counts_keep_to_the_readers_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
