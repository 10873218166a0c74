/* Observatory releases: k is recomputed on the published file, the privacy budget refuses
 * what it must, the noise has the promised distribution, releases cannot be changed. */
#include "identity_fixture.h"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/csv.h"
#include "base/json_parse.h"
#include "cases/cases.h"
#include "obs/ctdc.h"
#include "obs/kanon.h"
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

/* ---- microdata, checked on the published files as a reader gets them ---- */

/* A fresh provider with n synthetic records, so that each test has its own dataset. */
static int64_t provider_with(const char *code, size_t n, uint64_t seed)
{
	organisation o = { 0, code, code, "PT", "NGO", 0, false };
	int64_t id;
	assert_int_equal(org_add(F.db, &o, &id), 0);
	if (n)
		import_synthetic(id, n, seed);
	return id;
}

/* A published data.csv and its manifest. */
struct pub {
	char *text;
	arena a;
	size_t ncols, nrows;
	const char *head[CSV_MAX_FIELDS];
	const char **cells; /* nrows x ncols */
	json_value *manifest;
	int64_t k, l;
};

static void pub_read(const char *dir, struct pub *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->a, 256u << 20);
	size_t n;
	p->text = slurp(dir, "data.csv", &n);
	csv_reader r;
	csv_record rec;
	const char *problem;
	csv_init(&r, p->text, n);
	assert_int_equal(csv_next(&r, &p->a, &rec, &problem), 1);
	p->ncols = rec.n;
	for (size_t i = 0; i < rec.n; i++)
		p->head[i] = rec.fields[i];
	size_t cap = 1024;
	p->cells = malloc(cap * p->ncols * sizeof(*p->cells));
	int got;
	while ((got = csv_next(&r, &p->a, &rec, &problem)) == 1) {
		assert_int_equal(rec.n, p->ncols);
		if (p->nrows == cap) {
			cap *= 2;
			p->cells = realloc(p->cells, cap * p->ncols * sizeof(*p->cells));
		}
		for (size_t i = 0; i < rec.n; i++)
			p->cells[p->nrows * p->ncols + i] = rec.fields[i];
		p->nrows++;
	}
	assert_int_equal(got, 0);
	char *m = slurp(dir, "manifest.json", &n), err[128];
	assert_int_equal(json_parse(&p->a, m, n, &p->manifest, err, sizeof(err)), 0);
	free(m);
	const json_value *privacy = json_get(p->manifest, "privacy");
	p->k = (int64_t)json_get(privacy, "k")->number;
	p->l = (int64_t)json_get(privacy, "l")->number;
}

static void pub_release(struct pub *p)
{
	free(p->text);
	free(p->cells);
	arena_release(&p->a);
}

static int pub_col(const struct pub *p, const char *name)
{
	for (size_t i = 0; i < p->ncols; i++)
		if (strcmp(p->head[i], name) == 0)
			return (int)i;
	return -1;
}

static const json_value *pub_column(const struct pub *p, const char *name)
{
	return json_get(json_get(json_get(p->manifest, "privacy"), "columns"), name);
}

static bool pub_is_qi(const struct pub *p, const char *name)
{
	const char *what = json_get_string(pub_column(p, name), "role");
	assert_non_null(what);
	return strcmp(what, "quasi-identifier") == 0;
}

static int pub_level(const struct pub *p, const char *name)
{
	return (int)json_get(pub_column(p, name), "level")->number;
}

/* Counts of the rows by a key made of some columns; keys are joined with '\x1f'. */
struct counts {
	char **key;
	size_t *n, *n2;
	size_t len, cap;
};

/* Count key on one side (0 or 1). */
static size_t counts_add(struct counts *c, const char *key, int side)
{
	for (size_t i = 0; i < c->len; i++)
		if (strcmp(c->key[i], key) == 0) {
			side ? c->n2[i]++ : c->n[i]++;
			return i;
		}
	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->key = realloc(c->key, c->cap * sizeof(*c->key));
		c->n = realloc(c->n, c->cap * sizeof(*c->n));
		c->n2 = realloc(c->n2, c->cap * sizeof(*c->n2));
	}
	c->key[c->len] = strdup(key);
	c->n[c->len] = !side;
	c->n2[c->len] = side;
	return c->len++;
}

static void counts_free(struct counts *c)
{
	for (size_t i = 0; i < c->len; i++)
		free(c->key[i]);
	free(c->key);
	free(c->n);
	free(c->n2);
	memset(c, 0, sizeof(*c));
}

static void row_key(const struct pub *p, size_t row, bool (*take)(const struct pub *, int),
		    char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < p->ncols; i++)
		if (take(p, (int)i))
			len += (size_t)snprintf(out + len, cap - len, "%s\x1f",
						p->cells[row * p->ncols + i]);
}

static bool every_column(const struct pub *p, int i)
{
	(void)p;
	(void)i;
	return true;
}

static bool qi_column(const struct pub *p, int i)
{
	return pub_is_qi(p, p->head[i]);
}

/* Whether the ';'-separated values of v include the len bytes at t. */
static bool holds(const char *v, const char *t, size_t len)
{
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ";");
		if (n == len && strncmp(p, t, len) == 0)
			return true;
		p += n + (p[n] == ';');
	}
	return false;
}

/* k over every published column, l over every group of quasi-identifiers: what a reader of
 * the file finds, whatever the manifest says. */
static void holds_k_and_l(const struct pub *p)
{
	char key[4096];
	struct counts rows = { 0 }, groups = { 0 };
	for (size_t r = 0; r < p->nrows; r++) {
		row_key(p, r, every_column, key, sizeof(key));
		counts_add(&rows, key, 0);
	}
	size_t min = SIZE_MAX;
	for (size_t i = 0; i < rows.len; i++)
		min = rows.n[i] < min ? rows.n[i] : min;
	if (p->nrows) {
		assert_true((int64_t)min >= p->k);
		assert_int_equal(
		    (int64_t)min,
		    (int64_t)json_get(json_get(p->manifest, "privacy"), "k_achieved")->number);
	}
	/* Each sensitive column in each group: distinct recorded values, and no value held by
	 * every recorded row. */
	size_t *group_of = calloc(p->nrows + 1, sizeof(*group_of));
	for (size_t r = 0; r < p->nrows; r++) {
		row_key(p, r, qi_column, key, sizeof(key));
		group_of[r] = counts_add(&groups, key, 0);
	}
	for (size_t c = 0; c < p->ncols; c++) {
		if (pub_is_qi(p, p->head[c]))
			continue;
		bool multi = kanon_multi(kanon_column(p->head[c]));
		for (size_t g = 0; g < groups.len; g++) {
			const char *values[256], *first = NULL;
			size_t nv = 0;
			for (size_t r = 0; r < p->nrows; r++) {
				const char *v = p->cells[r * p->ncols + c];
				if (group_of[r] != g || !strcmp(v, "missing") || !strcmp(v, "*"))
					continue;
				first = first ? first : v;
				size_t i = 0;
				while (i < nv && strcmp(values[i], v) != 0)
					i++;
				if (i == nv && nv < ARRAY_LEN(values))
					values[nv++] = v;
			}
			if (!first)
				continue; /* nothing recorded: nothing to tell */
			assert_true((int64_t)nv >= p->l);
			/* No value held by every recorded row of the group. */
			for (const char *t = first; multi && p->l >= 2 && *t;) {
				size_t len = strcspn(t, ";");
				bool everywhere = strncmp(t, "none", len) != 0;
				for (size_t i = 0; i < nv && everywhere; i++)
					everywhere = holds(values[i], t, len);
				assert_false(everywhere);
				t += len + (t[len] == ';');
			}
		}
	}
	free(group_of);
	counts_free(&rows);
	counts_free(&groups);
}

static void microdata_holds_k_and_l_over_every_published_column(void **state)
{
	(void)state;
	int64_t p1 = provider_with("MD-ONE", 3000, 21);
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = p1,
				   .k = 10,
				   .max_suppressed = 0.02,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_int_equal(r.records, 3000);
	assert_true(r.released >= r.records * 98 / 100);
	assert_true(r.k_achieved >= 10);
	struct pub p;
	pub_read(r.directory, &p);
	assert_int_equal(p.nrows, r.released);
	/* Only the columns named are published; the rest stays out of the file. */
	assert_int_equal(p.ncols, 9);
	assert_int_equal(pub_col(&p, "source"), -1);
	assert_int_equal(pub_col(&p, "labour_sector"), -1);
	assert_false(pub_is_qi(&p, "exploitation"));
	assert_true(pub_is_qi(&p, "citizenship"));
	holds_k_and_l(&p);
	char expect[64];
	snprintf(expect, sizeof(expect), "\"suppressed\":%zu", r.records - r.released);
	char *manifest = slurp(r.directory, "manifest.json", &(size_t){ 0 });
	assert_non_null(strstr(manifest, expect));
	free(manifest);
	pub_release(&p);
	checksums_match(r.directory);
	/* Every column a quasi-identifier, none sensitive, l = 3: still k over all of them. */
	int64_t p2 = provider_with("MD-TWO", 2000, 22);
	obs_release_request all = { .method = OBS_MICRODATA,
				    .provider = p2,
				    .k = 5,
				    .l = 3,
				    .qi = { "year", "gender", "age_band", "majority", "citizenship",
					    "country_of_exploitation", "source", "status",
					    "labour_sector", "abduction" },
				    .nqi = 10,
				    .sensitive = { "exploitation", "control" },
				    .nsensitive = 2,
				    .max_suppressed = 0.05,
				    .files_dir = files_dir };
	assert_int_equal(obs_release(&F.env, &all, &r), 0);
	pub_read(r.directory, &p);
	assert_int_equal(p.ncols, 12);
	assert_int_equal(p.l, 3);
	holds_k_and_l(&p);
	pub_release(&p);
}

static void a_higher_k_generalises_more(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = provider_with("MD-K50", 2000, 23),
				   .k = 50,
				   .max_suppressed = 0.0,
				   .qi = { "year", "gender", "citizenship" },
				   .nqi = 3,
				   .no_sensitive = true,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_true(r.k_achieved >= 50);
	assert_int_equal(r.released, r.records); /* nothing may be left out: generalise instead */
	rq.qi[0] = "name";
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "name is not a column"));
	rq.qi[0] = "year";
	rq.l = 60;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
}

/* The attacker's comparison of two releases: both brought to the coarser of their levels over
 * the columns both publish, the count of rows of each combination of values in one minus the
 * count in the other. A difference of 1 to k - 1 singles out the records added, or left out
 * of one release and not the other. */
static size_t singled_out(const struct pub *a, const struct pub *b)
{
	arena tmp;
	arena_init(&tmp, 64u << 20);
	int ca[KANON_COLUMNS], cb[KANON_COLUMNS], col[KANON_COLUMNS], level[KANON_COLUMNS];
	size_t n = 0;
	for (size_t i = 0; i < a->ncols; i++) {
		int j = pub_col(b, a->head[i]), c = kanon_column(a->head[i]);
		if (j < 0)
			continue;
		int la = pub_level(a, a->head[i]), lb = pub_level(b, a->head[i]);
		/* The two are a coarsening and a refinement of each other. */
		ca[n] = (int)i;
		cb[n] = j;
		col[n] = c;
		level[n++] = la > lb ? la : lb;
	}
	struct counts c = { 0 };
	const struct pub *both[2] = { a, b };
	char key[4096];
	for (int side = 0; side < 2; side++)
		for (size_t r = 0; r < both[side]->nrows; r++) {
			size_t len = 0;
			for (size_t j = 0; j < n; j++) {
				const char *v = both[side]->cells[r * both[side]->ncols +
								  (size_t)(side ? cb[j] : ca[j])];
				len +=
				    (size_t)snprintf(key + len, sizeof(key) - len, "%s\x1f",
						     kanon_generalise(&tmp, col[j], level[j], v));
			}
			counts_add(&c, key, side);
		}
	int64_t k = a->k < b->k ? a->k : b->k;
	size_t out = 0;
	for (size_t i = 0; i < c.len; i++) {
		int64_t d = (int64_t)c.n[i] - (int64_t)c.n2[i];
		if (d != 0 && llabs(d) < k)
			out += (size_t)llabs(d);
	}
	counts_free(&c);
	arena_release(&tmp);
	return out;
}

static void levels_are_comparable(const struct pub *a, const struct pub *b)
{
	bool coarser = true, finer = true;
	for (int c = 0; c < KANON_COLUMNS; c++) {
		int la =
		    pub_col(a, KANON_COLUMN[c]) < 0 ? kanon_top(c) : pub_level(a, KANON_COLUMN[c]);
		int lb =
		    pub_col(b, KANON_COLUMN[c]) < 0 ? kanon_top(c) : pub_level(b, KANON_COLUMN[c]);
		coarser &= la >= lb;
		finer &= la <= lb;
	}
	assert_true(coarser || finer);
}

static void two_microdata_releases_combined_single_out_nothing(void **state)
{
	(void)state;
	int64_t id = provider_with("MD-TWICE", 3000, 31);
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = id,
				   .k = 10,
				   .max_suppressed = 0.03,
				   .files_dir = files_dir };
	obs_release_result r1, r2, r3;
	assert_int_equal(obs_release(&F.env, &rq, &r1), 0);
	assert_true(r1.released < r1.records); /* some were left out */
	/* Another generalisation: a lower k and fewer columns would have published the records
	 * the first left out. */
	rq.k = 5;
	rq.l = 1;
	rq.qi[0] = "year";
	rq.qi[1] = "gender";
	rq.qi[2] = "age_band";
	rq.qi[3] = "citizenship";
	rq.nqi = 4;
	rq.max_suppressed = 0.2;
	assert_int_equal(obs_release(&F.env, &rq, &r2), 0);
	/* Records added in between, and a third release as the first was asked. */
	import_synthetic(id, 400, 32);
	obs_release_request again = { .method = OBS_MICRODATA,
				      .provider = id,
				      .k = 10,
				      .max_suppressed = 0.2,
				      .files_dir = files_dir };
	assert_int_equal(obs_release(&F.env, &again, &r3), 0);
	struct pub p1, p2, p3;
	pub_read(r1.directory, &p1);
	pub_read(r2.directory, &p2);
	pub_read(r3.directory, &p3);
	holds_k_and_l(&p2);
	holds_k_and_l(&p3);
	levels_are_comparable(&p1, &p2);
	levels_are_comparable(&p1, &p3);
	levels_are_comparable(&p2, &p3);
	assert_int_equal(singled_out(&p1, &p2), 0);
	assert_int_equal(singled_out(&p1, &p3), 0);
	assert_int_equal(singled_out(&p2, &p3), 0);
	/* The manifests say which earlier releases were taken into account. */
	char expect[64];
	snprintf(expect, sizeof(expect), "\"earlier_releases\":[%lld,%lld]", (long long)r2.version,
		 (long long)r1.version);
	char *manifest = slurp(r3.directory, "manifest.json", &(size_t){ 0 });
	assert_non_null(strstr(manifest, expect));
	free(manifest);
	pub_release(&p1);
	pub_release(&p2);
	pub_release(&p3);
	/* Microdata of every provider now could be subtracted from this provider's. */
	obs_release_request every = { .method = OBS_MICRODATA,
				      .max_suppressed = 0.2,
				      .files_dir = files_dir };
	assert_int_equal(obs_release(&F.env, &every, &r3), PONTE_EINVAL);
	assert_non_null(strstr(r3.why, "single out the other providers' records"));
}

/* The same attack on the synthetic sample of ../shared/data (1,000 random records, so that
 * nearly every row is unique before generalisation): the first release leaves records out, a
 * second one asked with a lower k over fewer columns would publish them. */
static void two_microdata_releases_of_the_sample_single_out_nothing(void **state)
{
	(void)state;
	int64_t id = provider_with("MD-SAMPLE", 0, 0);
	FILE *f = fopen("tests/data/ctdc_format_synthetic_sample.csv", "rb");
	assert_non_null(f);
	char *sample = malloc(1 << 20);
	size_t n = fread(sample, 1, 1 << 20, f);
	fclose(f);
	obs_import_result *ir = calloc(1, sizeof(*ir));
	assert_int_equal(obs_import(&F.env, "ctdc", id, sample, n, false, ir), 0);
	assert_int_equal(ir->imported, 1000);
	free(ir);
	free(sample);
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = id,
				   .k = 10,
				   .max_suppressed = 0.2,
				   .files_dir = files_dir };
	obs_release_result r1, r2;
	assert_int_equal(obs_release(&F.env, &rq, &r1), 0);
	print_message("the sample: %zu of %zu records released, then", r1.released, r1.records);
	assert_true(r1.released < r1.records);
	rq.k = 3;
	rq.l = 1;
	rq.qi[0] = "year";
	rq.qi[1] = "gender";
	rq.nqi = 2;
	rq.no_sensitive = true;
	rq.max_suppressed = 0.2;
	assert_int_equal(obs_release(&F.env, &rq, &r2), 0);
	print_message(" %zu (%zu left out for the first)\n", r2.released, r2.left_by_history);
	struct pub p1, p2;
	pub_read(r1.directory, &p1);
	pub_read(r2.directory, &p2);
	holds_k_and_l(&p1);
	holds_k_and_l(&p2);
	levels_are_comparable(&p1, &p2);
	assert_int_equal(singled_out(&p1, &p2), 0);
	pub_release(&p1);
	pub_release(&p2);
}

static void an_altered_earlier_release_stops_the_next(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = provider_with("MD-ALTERED", 1500, 41),
				   .max_suppressed = 0.1,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	char path[4300];
	snprintf(path, sizeof(path), "%s/data.csv", r.directory);
	assert_int_equal(chmod(path, 0644), 0);
	FILE *f = fopen(path, "a");
	fputs("2020,male\n", f);
	fclose(f);
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "missing or was changed"));
}

/* ---- sdcMicro's risk measures, on records made by hand ---- */

/* A CTDC file of records of a year with a gender, a majority and one type of exploitation
 * each. */
static void import_by_hand(int64_t provider, const char *year, const char *const (*rows)[3],
			   size_t n)
{
	buf file;
	buf_init(&file, 1u << 20);
	for (size_t i = 0; i < CTDC_COLUMNS; i++)
		buf_printf(&file, "%s%s", i ? "," : "", CTDC[i].name);
	buf_puts(&file, "\n");
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < CTDC_COLUMNS; i++) {
			const char *v = "";
			if (strcmp(CTDC[i].name, "yearOfRegistration") == 0)
				v = year;
			else if (strcmp(CTDC[i].name, "gender") == 0)
				v = rows[r][0];
			else if (strcmp(CTDC[i].name, "majorityStatus") == 0)
				v = rows[r][1];
			else if (CTDC[i].target == T_EXPLOITATION)
				v = strcmp(CTDC[i].code, rows[r][2]) == 0 ? "1" : "0";
			buf_printf(&file, "%s%s", i ? "," : "", v);
		}
		buf_puts(&file, "\n");
	}
	obs_import_result *res = calloc(1, sizeof(*res));
	assert_int_equal(obs_import(&F.env, "ctdc", provider, file.data, file.len, false, res), 0);
	assert_int_equal(res->imported, n);
	free(res);
	buf_release(&file);
}

static double number_at(const json_value *v, const char *const *path, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_non_null(v);
		v = json_get(v, path[i]);
	}
	assert_non_null(v);
	return v->number;
}

static void the_manifest_measures_risk_as_sdcmicro_does(void **state)
{
	(void)state;
	/* Ten records. Over (gender, majority): 5 female adults, 4 male adults, 1 male minor;
	 * with the exploitation as well: classes of 3, 2, 2, 2 and 1. */
	static const char *const rows[][3] = {
		{ "Female", "Adult", "sexual_exploitation" },
		{ "Female", "Adult", "sexual_exploitation" },
		{ "Female", "Adult", "sexual_exploitation" },
		{ "Female", "Adult", "forced_labour" },
		{ "Female", "Adult", "forced_labour" },
		{ "Male", "Adult", "forced_labour" },
		{ "Male", "Adult", "forced_labour" },
		{ "Male", "Adult", "sexual_exploitation" },
		{ "Male", "Adult", "sexual_exploitation" },
		{ "Male", "Minor", "forced_labour" },
	};
	int64_t id = provider_with("MD-HAND", 0, 0);
	import_by_hand(id, "2020", rows, ARRAY_LEN(rows));
	obs_release_request rq = { .method = OBS_MICRODATA,
				   .provider = id,
				   .k = 2,
				   .l = 2,
				   .qi = { "gender", "majority" },
				   .nqi = 2,
				   .sensitive = { "exploitation" },
				   .nsensitive = 1,
				   .max_suppressed = 0.2,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	/* Nothing generalised; the male minor, alone, left out. */
	assert_int_equal(r.records, 10);
	assert_int_equal(r.released, 9);
	assert_int_equal(r.k_achieved, 2);
	assert_int_equal(r.l_achieved, 2);
	struct pub p;
	pub_read(r.directory, &p);
	holds_k_and_l(&p);
	assert_int_equal(pub_level(&p, "gender"), 0);
	assert_int_equal(pub_level(&p, "exploitation"), 0);
	const json_value *risk = json_get(json_get(p.manifest, "privacy"), "risk");
	/* Released, over the quasi-identifiers: groups of 5 and 4, risk 1/5 and 1/4 each, so
	 * 2 re-identifications expected among 9 rows; the median is 1/5 and the MAD 0, so the
	 * four male adults (1/4, above 0.1 too) are the records at risk. */
	const char *q_rel[] = { "quasi_identifiers", "released", "expected_reidentifications" };
	assert_true(fabs(number_at(risk, q_rel, 3) - 2.0) < 1e-9);
	const char *q_glob[] = { "quasi_identifiers", "released", "global_risk" };
	assert_true(fabs(number_at(risk, q_glob, 3) - 2.0 / 9) < 1e-5);
	const char *q_max[] = { "quasi_identifiers", "released", "individual_risk_max" };
	assert_true(fabs(number_at(risk, q_max, 3) - 0.25) < 1e-9);
	const char *q_at[] = { "quasi_identifiers", "released", "records_at_risk" };
	assert_int_equal((int)number_at(risk, q_at, 3), 4);
	/* Before protection: 1/5 x 5 + 1/4 x 4 + 1 = 3 expected; median of the ten risks
	 * (0.2 x 5, 0.25 x 4, 1) is 0.225, MAD 1.4826 x 0.025, so only the minor (risk 1) is at
	 * risk; one unique, one below k. */
	const char *q_orig[] = { "quasi_identifiers", "original", "expected_reidentifications" };
	assert_true(fabs(number_at(risk, q_orig, 3) - 3.0) < 1e-9);
	const char *q_orig_at[] = { "quasi_identifiers", "original", "records_at_risk" };
	assert_int_equal((int)number_at(risk, q_orig_at, 3), 1);
	const char *q_orig_u[] = { "quasi_identifiers", "original", "unique" };
	assert_int_equal((int)number_at(risk, q_orig_u, 3), 1);
	/* Over every published column, released: classes 3, 2, 2, 2: 4 expected, max 1/2;
	 * original: plus the minor's class of 1: 5 expected. */
	const char *a_rel[] = { "all_columns", "released", "expected_reidentifications" };
	assert_true(fabs(number_at(risk, a_rel, 3) - 4.0) < 1e-9);
	const char *a_max[] = { "all_columns", "released", "individual_risk_max" };
	assert_true(fabs(number_at(risk, a_max, 3) - 0.5) < 1e-9);
	const char *a_orig[] = { "all_columns", "original", "expected_reidentifications" };
	assert_true(fabs(number_at(risk, a_orig, 3) - 5.0) < 1e-9);
	const char *a_below[] = { "all_columns", "original", "below_k" };
	assert_int_equal((int)number_at(risk, a_below, 3), 1);
	pub_release(&p);
	/* Made homogeneous, the male adults' exploitation would tell what each of them
	 * suffered: l = 2 leaves them out rather than publish that. */
	static const char *const same[][3] = {
		{ "Female", "Adult", "sexual_exploitation" },
		{ "Female", "Adult", "sexual_exploitation" },
		{ "Female", "Adult", "forced_labour" },
		{ "Female", "Adult", "forced_labour" },
		{ "Male", "Adult", "forced_labour" },
	};
	int64_t id2 = provider_with("MD-HOMOG", 0, 0);
	import_by_hand(id2, "2020", same, ARRAY_LEN(same));
	import_by_hand(id2, "2021", same, ARRAY_LEN(same));
	rq.provider = id2;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	assert_int_equal(r.released, 8);
	pub_read(r.directory, &p);
	holds_k_and_l(&p);
	for (size_t i = 0; i < p.nrows; i++)
		assert_string_equal(p.cells[i * p.ncols + (size_t)pub_col(&p, "gender")], "female");
	pub_release(&p);
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
	principal admin;
	int64_t uid;
	assert_int_equal(user_find_by_email(&F.env, DEMO_ADMIN_EMAIL, &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &admin), 0);
	assert_int_equal(obs_budget_change(F.db, &admin, pt_pol, 1.0, "Lowered for the test"), 0);
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

/* Raising an exhausted budget is an administrator's decision with a reason: anyone else is
 * refused, and both are in the audit trail; the decision is kept with the budget before. */
static void only_an_administrator_raises_a_budget_and_says_why(void **state)
{
	(void)state;
	principal admin, analyst;
	int64_t uid;
	assert_int_equal(user_find_by_email(&F.env, DEMO_ADMIN_EMAIL, &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &admin), 0);
	assert_int_equal(user_find_by_email(&F.env, "analyst@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &analyst), 0);
	double budget, spent;
	assert_int_equal(obs_budget_get(F.db, pt_pol, &budget, &spent), 0);
	assert_true(spent >= budget - 1e-9); /* spent by the test before */
	int64_t denied = count_rows("SELECT count(*) FROM audit_events WHERE action = "
				    "'obs.budget.change' AND outcome = 'denied'");
	assert_int_equal(obs_budget_change(F.db, &analyst, pt_pol, 5.0, "We need more releases"),
			 PONTE_EDENIED);
	assert_int_equal(count_rows("SELECT count(*) FROM audit_events WHERE action = "
				    "'obs.budget.change' AND outcome = 'denied'"),
			 denied + 1);
	assert_int_equal(obs_budget_change(F.db, &admin, pt_pol, 5.0, NULL), PONTE_EINVAL);
	assert_int_equal(obs_budget_change(F.db, &admin, pt_pol, 5.0, "   too short   "),
			 PONTE_EINVAL);
	assert_int_equal(obs_budget_change(F.db, &admin, pt_pol, 0, "Ten characters"),
			 PONTE_EINVAL);
	assert_int_equal(obs_budget_get(F.db, pt_pol, &budget, &spent), 0);
	assert_true(fabs(budget - 1.0) < 1e-9); /* nothing changed */
	assert_int_equal(obs_budget_change(F.db, &admin, pt_pol, 2.0,
					   "Annual report 2026 approved by the board"),
			 0);
	assert_int_equal(count_rows("SELECT count(*) FROM audit_events WHERE action = "
				    "'obs.budget.change' AND outcome = 'success' AND object_id = "
				    "(SELECT CAST(id AS TEXT) FROM organisations WHERE code = "
				    "'PT-POL')"),
			 2);
	assert_int_equal(count_rows("SELECT count(*) FROM obs_privacy_budget_changes WHERE "
				    "epsilon_before = 1.0 AND epsilon = 2.0 AND reason LIKE "
				    "'Annual report%'"),
			 1);
	/* A private release of PT-POL's records is possible again. */
	obs_release_request rq = { .method = OBS_DP,
				   .epsilon = 0.5,
				   .provider = pt_pol,
				   .year_from = 2016,
				   .year_to = 2025,
				   .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
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
	/* 10 years (those counted: no "missing") x 4 genders (3 and missing), and the
	 * header. */
	assert_int_equal(lines, 10 * 4 + 1);
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

/* ---- tables, immutability, recovery ---- */

/* The count of a value as published (perturbed), or exact. */
static int64_t stats_value(const char *dim, const char *dim2, const char *value, const char *value2,
			   bool exact)
{
	obs_query q = { .by = { dim, dim2 }, .suppress = 5, .exact = exact };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total, count = 0;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &total), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], value) == 0 &&
		    (!dim2 || strcmp(cells[i].value[1], value2) == 0))
			count = cells[i].count;
	arena_release(&a);
	return count;
}

/* A release of tables publishes the figures of the pages: perturbed by the cell key method,
 * none from 1 to js, withheld below the threshold and flagged, with the method, its
 * parameters and the perturbation table in the manifest and the note. */
static void table_releases_publish_the_protected_figures(void **state)
{
	(void)state;
	obs_release_request rq = { .method = OBS_TABLES, .files_dir = files_dir };
	obs_release_result r;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	size_t n;
	char *csv = slurp(r.directory, "data.csv", &n);
	assert_non_null(strstr(csv, "table,dimension_1,value_1,dimension_2,value_2,count,flag"));
	size_t withheld = 0, published = 0, differ = 0;
	char *save, *line = strtok_r(csv, "\r\n", &save);
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		char table[64], d1[32], v1[32], d2[32], v2[32], count[16], flag[4] = "";
		if (sscanf(line, "%63[^,],%31[^,],%31[^,],,,%15[^,],%3s", table, d1, v1, count,
			   flag) >= 4) {
			d2[0] = v2[0] = '\0';
		} else {
			assert_true(sscanf(line,
					   "%63[^,],%31[^,],%31[^,],%31[^,],%31[^,],%15[^,],%3s",
					   table, d1, v1, d2, v2, count, flag) >= 6);
		}
		if (strcmp(count, "<5") == 0) {
			assert_string_equal(flag, "c");
			withheld++;
			continue;
		}
		published++;
		assert_string_equal(flag, "");
		int64_t v = strtoll(count, NULL, 10);
		assert_true(v >= 5);
		/* The same figure as the pages' for the same cell; not always the exact one. */
		assert_int_equal(v, stats_value(d1, *d2 ? d2 : NULL, v1, v2, false));
		differ += v != stats_value(d1, *d2 ? d2 : NULL, v1, v2, true);
	}
	assert_true(withheld > 0 && published > 100);
	assert_true(differ * 4 > published); /* most large counts move by 1 to 3 */
	free(csv);
	char *note = slurp(r.directory, "methodology.md", &n);
	assert_non_null(strstr(note, "## Method: tables protected by the cell key method"));
	free(note);
	char *manifest = slurp(r.directory, "manifest.json", &n);
	assert_non_null(strstr(manifest, "\"method\":{\"name\":\"cell_key\",\"D\":3,\"V\":1,"
					 "\"js\":2,\"threshold\":5"));
	assert_non_null(strstr(manifest, "\"ptable\":[{\"i\":0,\"j\":[0],\"p\":[1.000000]"));
	free(manifest);
	char *sums = slurp(r.directory, "SHA256SUMS", &n);
	assert_non_null(strstr(sums, "  data.csv\n"));
	free(sums);
	/* Never below the pages' threshold, which is also the default: a release may not publish
	 * a count they withhold. */
	rq.k = 3;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	assert_non_null(strstr(r.why, "obs_min_count, 5"));
	assert_int_equal(setting_set(F.db, "obs_min_count", "8"), 0);
	rq.k = 5;
	assert_int_equal(obs_release(&F.env, &rq, &r), PONTE_EINVAL);
	rq.k = 0;
	assert_int_equal(obs_release(&F.env, &rq, &r), 0);
	manifest = slurp(r.directory, "manifest.json", &n);
	assert_non_null(strstr(manifest, "\"threshold\":8,"));
	free(manifest);
	csv = slurp(r.directory, "data.csv", &n);
	assert_non_null(strstr(csv, ",<8,c\r\n"));
	assert_null(strstr(csv, ",<5,"));
	free(csv);
	assert_int_equal(setting_set(F.db, "obs_min_count", "5"), 0);
	assert_int_equal(setting_set(F.db, "obs_min_count", "2"), PONTE_EINVAL);
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
	obs_query q = { .by = { dim, NULL }, .exact = true };
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
	field_errors e;
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

/* The records of the indicators' rows, and the rows (each perturbed by at most D). */
static int sum_records(const obs_indicator *x, void *ctx)
{
	int64_t *sum = ctx;
	sum[0] += x->records;
	sum[1]++;
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
	obs_query q = { .by = { "provider", NULL }, .exact = true };
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
	int64_t yearly[2] = { 0, 0 };
	assert_int_equal(obs_indicators(F.db, &q.scope, NULL, sum_records, yearly), 0);
	/* records without a year are not in a row */
	assert_true(yearly[0] > 0 && yearly[0] <= pol + OBS_CKM_D * yearly[1]);
	/* A country: its providers' records, wherever the victims were exploited. */
	assert_int_equal(obs_scope_of(SCOPE_COUNTRY, "PT", pt_pol, &q.scope), 0);
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &records), 0);
	assert_int_equal(records, all); /* every provider of the fixture is Portuguese */
	assert_int_equal(obs_scope_of(SCOPE_COUNTRY, "ES", pt_pol, &q.scope), 0);
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &records), 0);
	assert_int_equal(records, 0);
	assert_int_equal(n, 0);
	yearly[0] = 0;
	assert_int_equal(obs_indicators(F.db, &q.scope, NULL, sum_records, yearly), 0);
	assert_int_equal(yearly[0], 0);
	arena_release(&a);
}

/* A multi-response variable counts a record once per value reported, "none" when it was
 * informed with nothing reported and "missing" when it was not informed: the same counts as
 * the database gives, alone, within a filter and by another variable. */
static void multi_response_counts_are_the_databases(void **state)
{
	(void)state;
	static const char *const dims[] = { "exploitation", "control" };
	for (size_t d = 0; d < ARRAY_LEN(dims); d++)
		for (int filtered = 0; filtered < 2; filtered++) {
			obs_query q = { .by = { dims[d], NULL }, .exact = true };
			if (filtered) {
				q.where_dim[0] = "gender";
				q.where_value[0] = "female";
				q.nwhere = 1;
			}
			arena a;
			arena_init(&a, 1 << 20);
			obs_cell *cells;
			size_t n;
			int64_t total, sum = 0;
			assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &total), 0);
			assert_true(n >= 3);
			for (size_t i = 0; i < n; i++) {
				const char *v = cells[i].value[0];
				char sql[512];
				const char *where = filtered ? " AND gender = 'female'" : "";
				if (strcmp(v, "missing") == 0)
					snprintf(sql, sizeof(sql),
						 "SELECT count(*) FROM obs_records WHERE NOT "
						 "%s_known%s",
						 dims[d], where);
				else if (strcmp(v, "none") == 0)
					snprintf(sql, sizeof(sql),
						 "SELECT count(*) FROM obs_records WHERE %s_known "
						 "AND coalesce(%s, '') = ''%s",
						 dims[d], dims[d], where);
				else
					snprintf(sql, sizeof(sql),
						 "SELECT count(*) FROM obs_records WHERE %s_known "
						 "AND ',' || %s || ',' LIKE '%%,%s,%%'%s",
						 dims[d], dims[d], v, where);
				assert_int_equal(cells[i].count, count_rows(sql));
				sum += cells[i].count;
			}
			assert_true(sum >= total);
			arena_release(&a);
		}
	/* By another variable: each cell of exploitation x year is the database's. */
	obs_query q = { .by = { "exploitation", "year" }, .exact = true };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &total), 0);
	for (size_t i = 0; i < n; i += 7) {
		const char *v = cells[i].value[0], *y = cells[i].value[1];
		if (strcmp(v, "missing") == 0 || strcmp(v, "none") == 0 ||
		    strcmp(y, "missing") == 0)
			continue;
		char sql[512];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM obs_records WHERE exploitation_known AND ',' || "
			 "exploitation || ',' LIKE '%%,%s,%%' AND year = %s",
			 v, y);
		assert_int_equal(cells[i].count, count_rows(sql));
	}
	arena_release(&a);
}

/* The exact count of records of Portugal's providers registered in 2020, and of them as a
 * table by gender counts them (the records it selects are kept by the thread for the next
 * table of the same filters, src/obs/stats.c). */
static void scoped_2020(int64_t *counted, int64_t *truth)
{
	obs_query q = { .by = { "gender", NULL },
			.where_dim = { "year" },
			.where_value = { "2020" },
			.nwhere = 1,
			.exact = true,
			.scope = { .country = "PT" } };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, counted), 0);
	arena_release(&a);
	*truth = count_rows("SELECT count(*) FROM obs_records r JOIN organisations o ON o.id = "
			    "r.provider_id WHERE o.country = 'PT' AND r.year = 2020");
}

/* The 2020 cell of the table by year of every record (a margin of the cube, kept for the
 * next such table), exactly and as published, and the database's count. */
static int64_t every_2020(bool exact)
{
	obs_query q = { .by = { "year", NULL }, .exact = exact, .suppress = 5 };
	arena a;
	arena_init(&a, 1 << 20);
	obs_cell *cells;
	size_t n;
	int64_t total, v = -1;
	assert_int_equal(obs_stats(&F.env, &a, &q, &cells, &n, &total), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], "2020") == 0)
			v = cells[i].count;
	arena_release(&a);
	return v;
}

/* The records a query selects, and the tables of every record by one variable, are kept for
 * the next query of the same filters, but never beyond a change: of the records, or of the
 * country of a provider. */
static void a_kept_selection_follows_the_records_and_the_providers(void **state)
{
	(void)state;
	int64_t counted, truth, before;
	const char *sql = "SELECT count(*) FROM obs_records WHERE year = 2020";
	int64_t every = every_2020(true), published = every_2020(false);
	assert_int_equal(every, count_rows(sql));
	assert_true(llabs(published - every) <= OBS_CKM_D);
	scoped_2020(&counted, &truth);
	assert_int_equal(counted, truth);
	assert_true(truth > 0);
	before = truth;
	import_synthetic(pt_ngo, 600, 77);
	scoped_2020(&counted, &truth);
	assert_int_equal(counted, truth);
	assert_true(truth > before);
	assert_int_equal(every_2020(true), count_rows(sql));
	assert_true(every_2020(true) > every);
	assert_true(llabs(every_2020(false) - every_2020(true)) <= OBS_CKM_D);
	before = truth;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE organisations SET country = 'ES' WHERE code = "
				      "'PT-NGO-LX'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	scoped_2020(&counted, &truth);
	assert_int_equal(counted, truth);
	assert_true(truth < before);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE organisations SET country = 'PT' WHERE code = "
				      "'PT-NGO-LX'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	scoped_2020(&counted, &truth);
	assert_int_equal(counted, truth);
	assert_int_equal(truth, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(microdata_holds_k_and_l_over_every_published_column),
		cmocka_unit_test(a_higher_k_generalises_more),
		cmocka_unit_test(two_microdata_releases_combined_single_out_nothing),
		cmocka_unit_test(two_microdata_releases_of_the_sample_single_out_nothing),
		cmocka_unit_test(an_altered_earlier_release_stops_the_next),
		cmocka_unit_test(the_manifest_measures_risk_as_sdcmicro_does),
		cmocka_unit_test(the_noise_has_the_geometric_distribution),
		cmocka_unit_test(the_budget_refuses_a_release_beyond_it),
		cmocka_unit_test(only_an_administrator_raises_a_budget_and_says_why),
		cmocka_unit_test(a_private_table_covers_its_whole_domain),
		cmocka_unit_test(table_releases_publish_the_protected_figures),
		cmocka_unit_test(a_release_cannot_be_changed),
		cmocka_unit_test(a_directory_left_by_a_crash_is_replaced),
		cmocka_unit_test(cases_feed_the_observatory_as_they_change),
		cmocka_unit_test(counts_keep_to_the_readers_scope),
		cmocka_unit_test(a_kept_selection_follows_the_records_and_the_providers),
		cmocka_unit_test(multi_response_counts_are_the_databases),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
