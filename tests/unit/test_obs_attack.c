/* The analyst's attacks on the observatory's published counts (docs/observatory.md,
 * "Disclosure control"), played on the synthetic sample and on generated data shaped to have
 * small cells, for every provider and for each.
 *
 * What the attacker knows: every published count of any table, filter and total it asks
 * for, and the method with its parameters (D, V, js, the threshold): so, for a published
 * value p, the true counts i that can give p (those with P(i -> p) > 0 in the perturbation
 * table), and for a withheld one, those that can give any value from 1 to the threshold - 1.
 * An attack writes a target cell as a sum of published cells with signs (a total minus the
 * other cells of its row, the all-years view minus the other years, all providers minus the
 * other provider...) and intersects the intervals these sums allow with what the target's
 * own published value allows.
 *
 * "Recovered with certainty" means that this intersection holds a single value. The promise
 * tested, for every target whose true count is from 1 to the threshold - 1: none is recovered
 * with certainty; the plain difference of published values (as the attacks of issue #15
 * computed it) is wrong for at least half of them, so that no derived value can be trusted;
 * and asking again, or through another path to the same records, gives the same value, so
 * averaging repeated answers gains nothing. The same attacks on exact counts recover every
 * target: the machinery finds what it looks for.
 *
 * The records' keys come from SQLite's generator, seeded here so that the figures printed
 * are the same on every run (PONTE_ATTACK_SEED=N plays the same attacks with other keys). */
#include "identity_fixture.h"

#include <sqlite3.h>

#include "obs/obs.h"
#include "unit/obs_attacker.h"

static struct fixture F;
static arena A;
static const char *providers[3] = { "PT-NGO-LX", "PT-POL", "PT-PROS" };

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

static void import(const char *provider, const char *data, size_t n)
{
	obs_import_result *r = calloc(1, sizeof(*r));
	assert_int_equal(obs_import(&F.env, "ctdc", org(provider), data, n, false, r), 0);
	free(r);
}

static int setup(void **state)
{
	(void)state;
	const char *seed = getenv("PONTE_ATTACK_SEED"); /* other keys: bash tests, by hand */
	assert_int_equal(sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED,
					      seed ? (int)strtol(seed, NULL, 10) : 2026, NULL),
			 SQLITE_OK);
	fixture_open(&F);
	arena_init(&A, 1u << 30);
	/* The synthetic sample; 3,000 generated records; and a small provider whose 150 records
	 * make almost every cell of a two-way table small. */
	FILE *f = fopen("tests/data/ctdc_format_synthetic_sample.csv", "rb");
	assert_non_null(f);
	char *sample = malloc(1 << 20);
	size_t n = fread(sample, 1, 1 << 20, f);
	fclose(f);
	import(providers[0], sample, n);
	free(sample);
	buf file;
	buf_init(&file, 64u << 20);
	assert_int_equal(obs_synthetic_ctdc(&file, 3000, 11), 0);
	import(providers[1], file.data, file.len);
	buf_reset(&file);
	assert_int_equal(obs_synthetic_ctdc(&file, 150, 12), 0);
	import(providers[2], file.data, file.len);
	buf_release(&file);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_release(&A);
	fixture_close(&F);
	return 0;
}

/* ---- asking ---- */

struct ask {
	const char *by[2];
	const char *where[4][2];
	size_t nwhere;
};

struct view {
	obs_cell *cells;
	size_t n;
	int64_t records;
	bool exact;
};

static void ask(const struct ask *x, bool exact, struct view *v)
{
	obs_query q = { .by = { x->by[0], x->by[1] }, .suppress = K, .exact = exact };
	for (size_t i = 0; i < x->nwhere; i++) {
		q.where_dim[i] = x->where[i][0];
		q.where_value[i] = x->where[i][1];
	}
	q.nwhere = x->nwhere;
	assert_int_equal(obs_stats(&F.env, &A, &q, &v->cells, &v->n, &v->records), 0);
	v->exact = exact;
}

static bool total_withheld(const struct view *v)
{
	obs_query q = { .suppress = K, .exact = v->exact };
	return obs_withheld(&q, v->records);
}

static void fresh_arena(void)
{
	arena_release(&A);
	arena_init(&A, 1u << 30);
}

static struct pub cell(const struct view *v, const char *a, const char *b)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->cells[i].value[0], a) == 0 &&
		    (!b || strcmp(v->cells[i].value[1], b) == 0))
			return (struct pub){ v->cells[i].count, v->cells[i].suppressed };
	return (struct pub){ 0, false };
}

static struct pub total(const struct view *v)
{
	return (struct pub){ v->records, total_withheld(v) };
}

/* ---- the attacks ---- */

static const char *const SINGLE[] = { "year",
				      "source",
				      "gender",
				      "age_band",
				      "majority",
				      "citizenship",
				      "country_of_exploitation",
				      "status",
				      "flow" };
static const char *const ANY[] = { "year",
				   "source",
				   "gender",
				   "age_band",
				   "majority",
				   "citizenship",
				   "country_of_exploitation",
				   "exploitation",
				   "control",
				   "status",
				   "flow" };

/* 1-D against 2-D against --where, and the table with its margins: each small cell of A x B
 * (B single-valued, so its values part the records) is the 1-D count of a minus the other
 * cells of its row, read from the 2-D table or from `--by A --where B=b'`; when A is single-
 * valued too, also the 1-D count of b minus the other cells of its column, and the total of
 * records minus every other cell. */
static void filtered_queries(struct score *s, bool exact, const char *provider)
{
	for (size_t ia = 0; ia < ARRAY_LEN(ANY); ia++)
		for (size_t ib = 0; ib < ARRAY_LEN(SINGLE); ib++) {
			const char *da = ANY[ia], *db = SINGLE[ib];
			if (strcmp(da, db) == 0)
				continue;
			bool a_single = strcmp(da, "exploitation") && strcmp(da, "control");
			struct ask x = { .by = { da, db } };
			if (provider)
				x.where[x.nwhere++][0] = "provider";
			if (provider)
				x.where[0][1] = provider;
			struct view two, truth, rows, cols;
			ask(&x, exact, &two);
			ask(&x, true, &truth);
			struct ask xa = x, xb = x;
			xa.by[1] = NULL;
			xb.by[0] = db;
			xb.by[1] = NULL;
			ask(&xa, exact, &rows);
			ask(&xb, exact, &cols);
			/* --where B=b' gives the 2-D table's cells, and its total the 1-D cell. */
			for (size_t i = 0; i < cols.n; i++) {
				struct ask xw = xa;
				xw.where[xw.nwhere][0] = db;
				xw.where[xw.nwhere++][1] = cols.cells[i].value[0];
				struct view w;
				ask(&xw, exact, &w);
				assert_int_equal(w.records, cols.cells[i].count);
				for (size_t j = 0; j < w.n; j++)
					assert_int_equal(
					    cell(&w, w.cells[j].value[0], NULL).p,
					    cell(&two, w.cells[j].value[0], cols.cells[i].value[0])
						.p);
			}
			for (size_t t = 0; t < truth.n; t++) {
				const char *a = truth.cells[t].value[0],
					   *b = truth.cells[t].value[1];
				if (truth.cells[t].count >= K)
					continue;
				struct target tg;
				target_init(&tg, truth.cells[t].count, cell(&two, a, b), exact);
				struct way w;
				way_start(&w); /* the row */
				way_add(&w, +1, cell(&rows, a, NULL), exact);
				for (size_t j = 0; j < truth.n; j++)
					if (strcmp(truth.cells[j].value[0], a) == 0 &&
					    strcmp(truth.cells[j].value[1], b) != 0)
						way_add(&w, -1,
							cell(&two, a, truth.cells[j].value[1]),
							exact);
				target_way(&tg, &w);
				if (a_single) {
					way_start(&w); /* the column */
					way_add(&w, +1, cell(&cols, b, NULL), exact);
					for (size_t j = 0; j < truth.n; j++)
						if (strcmp(truth.cells[j].value[1], b) == 0 &&
						    strcmp(truth.cells[j].value[0], a) != 0)
							way_add(
							    &w, -1,
							    cell(&two, truth.cells[j].value[0], b),
							    exact);
					target_way(&tg, &w);
					way_start(&w); /* the total */
					way_add(&w, +1, total(&two), exact);
					for (size_t j = 0; j < truth.n; j++)
						if (j != t)
							way_add(&w, -1,
								cell(&two, truth.cells[j].value[0],
								     truth.cells[j].value[1]),
								exact);
					target_way(&tg, &w);
				}
				score(s, &tg);
			}
			fresh_arena();
		}
}

/* The JSON answer's total: `--by year --where control=debt_bondage --where gender=...`
 * answered "records":1. Every total is now published like a cell: never from 1 to js, never
 * below K unless withheld, equal to the same records' cell in any table; and a small
 * three-way cell is the two-way total minus the other three-way totals. */
static void records_totals(struct score *s, bool exact, const char *provider)
{
	static const char *const third[] = { "year", "gender", "majority", "source", "status" };
	static const char *const multi[] = { "control", "exploitation" };
	for (size_t im = 0; im < ARRAY_LEN(multi); im++)
		for (size_t ig = 0; ig < ARRAY_LEN(third); ig++)
			for (size_t iy = 0; iy < ARRAY_LEN(third); iy++) {
				if (ig == iy)
					continue;
				const char *dm = multi[im], *dg = third[ig], *dy = third[iy];
				struct ask x = { .by = { dm, dg } };
				if (provider) {
					x.where[0][0] = "provider";
					x.where[0][1] = provider;
					x.nwhere = 1;
				}
				struct view pairs, truth;
				ask(&x, true, &truth);
				ask(&x, exact, &pairs);
				for (size_t c = 0; c < truth.n; c++) {
					const char *m = truth.cells[c].value[0];
					const char *g = truth.cells[c].value[1];
					/* records of m and g, by the third variable */
					struct ask t = { .by = { dy, NULL },
							 .where = { { dm, m }, { dg, g } },
							 .nwhere = 2 };
					if (provider) {
						t.where[2][0] = "provider";
						t.where[2][1] = provider;
						t.nwhere = 3;
					}
					struct view by3, truth3;
					ask(&t, exact, &by3);
					ask(&t, true, &truth3);
					assert_int_equal(by3.records, cell(&pairs, m, g).p);
					if (!exact)
						assert_false(by3.records > 0 &&
							     by3.records <= OBS_CKM_JS);
					for (size_t k = 0; k < truth3.n; k++) {
						if (truth3.cells[k].count >= K)
							continue;
						const char *y = truth3.cells[k].value[0];
						/* The three-way cell through its own total. */
						struct ask one = t;
						one.where[one.nwhere][0] = dy;
						one.where[one.nwhere++][1] = y;
						struct view v1;
						ask(&one, exact, &v1);
						assert_int_equal(v1.records, cell(&by3, y, NULL).p);
						struct target tg;
						target_init(&tg, truth3.cells[k].count, total(&v1),
							    exact);
						struct way w;
						way_start(&w);
						way_add(&w, +1, total(&by3), exact);
						for (size_t j = 0; j < truth3.n; j++)
							if (j != k)
								way_add(
								    &w, -1,
								    cell(&by3,
									 truth3.cells[j].value[0],
									 NULL),
								    exact);
						target_way(&tg, &w);
						score(s, &tg);
					}
				}
				fresh_arena();
			}
}

/* The dashboard's filters: each chart for all years, and for each year (and the same within
 * a country). A small cell of one year is the all-years count minus the other years'. With a
 * provider, within that provider's records (a reader of one organisation). */
static void dashboard_years(struct score *s, bool exact, const char *provider)
{
	static const char *const charts[] = {
		"exploitation", "citizenship", "country_of_exploitation",
		"control",      "status",      "flow",
		"source",       "age_band"
	};
	struct view years, countries;
	struct ask xy = { .by = { "year", NULL } }, xc = { .by = { "country_of_exploitation" } };
	if (provider) {
		xy.where[0][0] = xc.where[0][0] = "provider";
		xy.where[0][1] = xc.where[0][1] = provider;
		xy.nwhere = xc.nwhere = 1;
	}
	ask(&xy, true, &years);
	ask(&xc, true, &countries);
	for (size_t ic = 0; ic <= 2; ic++) { /* every country, then two of them */
		char code[8] = "";
		if (ic)
			snprintf(code, sizeof(code), "%s", countries.cells[ic * 3].value[0]);
		const char *country = ic ? code : NULL;
		for (size_t ich = 0; ich < ARRAY_LEN(charts); ich++) {
			if (country && strcmp(charts[ich], "country_of_exploitation") == 0)
				continue;
			struct ask all = { .by = { charts[ich], NULL } };
			if (provider) {
				all.where[all.nwhere][0] = "provider";
				all.where[all.nwhere++][1] = provider;
			}
			if (country) {
				all.where[all.nwhere][0] = "country_of_exploitation";
				all.where[all.nwhere++][1] = country;
			}
			struct view va;
			ask(&all, exact, &va);
			struct view per[64], truth[64];
			size_t ny = years.n < 64 ? years.n : 64;
			for (size_t y = 0; y < ny; y++) {
				struct ask one = all;
				one.where[one.nwhere][0] = "year";
				one.where[one.nwhere++][1] = years.cells[y].value[0];
				ask(&one, exact, &per[y]);
				ask(&one, true, &truth[y]);
			}
			for (size_t y = 0; y < ny; y++)
				for (size_t c = 0; c < truth[y].n; c++) {
					if (truth[y].cells[c].count >= K)
						continue;
					const char *v = truth[y].cells[c].value[0];
					struct target tg;
					target_init(&tg, truth[y].cells[c].count,
						    cell(&per[y], v, NULL), exact);
					struct way w;
					way_start(&w);
					way_add(&w, +1, cell(&va, v, NULL), exact);
					for (size_t o = 0; o < ny; o++) {
						if (o == y)
							continue;
						struct pub p = cell(&per[o], v, NULL);
						bool present = false;
						for (size_t j = 0; j < truth[o].n; j++)
							present |=
							    strcmp(truth[o].cells[j].value[0], v) ==
							    0;
						if (present)
							way_add(&w, -1, p, exact);
					}
					target_way(&tg, &w);
					score(s, &tg);
				}
			fresh_arena();
			ask(&xy, true, &years);
			ask(&xc, true, &countries);
		}
	}
}

/* The dashboard's country filter: each chart for every country, and for each country (the
 * records whose country is not recorded asked for with country_of_exploitation=missing, as
 * the API allows); in all years and within one year. A small cell of one country is the
 * all-countries count minus the other countries'. */
static void dashboard_countries(struct score *s, bool exact, const char *provider)
{
	static const char *const charts[] = { "exploitation", "citizenship", "control",
					      "status",       "flow",        "source",
					      "age_band",     "gender",      "year" };
	struct ask xy = { .by = { "year", NULL } };
	if (provider) {
		xy.where[0][0] = "provider";
		xy.where[0][1] = provider;
		xy.nwhere = 1;
	}
	struct view years;
	ask(&xy, true, &years);
	/* Every year together, then the year with the most records. */
	char busiest[8] = "";
	int64_t most = 0;
	for (size_t i = 0; i < years.n; i++)
		if (strcmp(years.cells[i].value[0], "missing") != 0 &&
		    years.cells[i].count > most) {
			most = years.cells[i].count;
			snprintf(busiest, sizeof(busiest), "%s", years.cells[i].value[0]);
		}
	for (int iy = 0; iy < 2; iy++)
		for (size_t ich = 0; ich < ARRAY_LEN(charts); ich++) {
			if (iy && strcmp(charts[ich], "year") == 0)
				continue;
			struct ask all = xy;
			all.by[0] = charts[ich];
			if (iy) {
				all.where[all.nwhere][0] = "year";
				all.where[all.nwhere++][1] = busiest;
			}
			struct ask xc = all;
			xc.by[0] = "country_of_exploitation";
			struct view va, countries;
			ask(&all, exact, &va);
			ask(&xc, true, &countries);
			size_t nc = countries.n < 64 ? countries.n : 64;
			struct view per[64], truth[64];
			for (size_t c = 0; c < nc; c++) {
				struct ask one = all;
				one.where[one.nwhere][0] = "country_of_exploitation";
				one.where[one.nwhere++][1] = countries.cells[c].value[0];
				ask(&one, exact, &per[c]);
				ask(&one, true, &truth[c]);
			}
			for (size_t c = 0; c < nc; c++)
				for (size_t k = 0; k < truth[c].n; k++) {
					if (truth[c].cells[k].count >= K)
						continue;
					const char *v = truth[c].cells[k].value[0];
					struct target tg;
					target_init(&tg, truth[c].cells[k].count,
						    cell(&per[c], v, NULL), exact);
					struct way w;
					way_start(&w);
					way_add(&w, +1, cell(&va, v, NULL), exact);
					for (size_t o = 0; o < nc; o++) {
						bool present = false;
						for (size_t j = 0; o != c && j < truth[o].n; j++)
							present |=
							    strcmp(truth[o].cells[j].value[0], v) ==
							    0;
						if (present)
							way_add(&w, -1, cell(&per[o], v, NULL),
								exact);
					}
					target_way(&tg, &w);
					score(s, &tg);
				}
			fresh_arena();
			ask(&xy, true, &years);
		}
}

/* All providers = A + B + C: a small cell of one provider is the all-providers cell minus
 * the others', in every two-way table of the standard release. */
static void providers_differenced(struct score *s, bool exact)
{
	static const char *const tables[][2] = {
		{ "year", "gender" },       { "year", "age_band" },
		{ "year", "citizenship" },  { "year", "country_of_exploitation" },
		{ "year", "exploitation" }, { "gender", "majority" }
	};
	for (size_t it = 0; it < ARRAY_LEN(tables); it++) {
		struct ask x = { .by = { tables[it][0], tables[it][1] } };
		struct view all, per[3], truth[3];
		ask(&x, exact, &all);
		for (size_t p = 0; p < 3; p++) {
			struct ask one = x;
			one.where[0][0] = "provider";
			one.where[0][1] = providers[p];
			one.nwhere = 1;
			ask(&one, exact, &per[p]);
			ask(&one, true, &truth[p]);
		}
		for (size_t p = 0; p < 3; p++)
			for (size_t c = 0; c < truth[p].n; c++) {
				if (truth[p].cells[c].count >= K)
					continue;
				const char *a = truth[p].cells[c].value[0];
				const char *b = truth[p].cells[c].value[1];
				struct target tg;
				target_init(&tg, truth[p].cells[c].count, cell(&per[p], a, b),
					    exact);
				struct way w;
				way_start(&w);
				way_add(&w, +1, cell(&all, a, b), exact);
				for (size_t o = 0; o < 3; o++) {
					bool present = false;
					for (size_t j = 0; j < truth[o].n; j++)
						present |=
						    strcmp(truth[o].cells[j].value[0], a) == 0 &&
						    strcmp(truth[o].cells[j].value[1], b) == 0;
					if (o != p && present)
						way_add(&w, -1, cell(&per[o], a, b), exact);
				}
				target_way(&tg, &w);
				score(s, &tg);
			}
		fresh_arena();
	}
}

/* ---- the tests ---- */

static void attack(const char *name, void (*fn)(struct score *, bool))
{
	for (int exact = 1; exact >= 0; exact--) {
		struct score s = { .attack = name };
		fn(&s, exact);
		report(&s, exact);
	}
}

static void filtered_all(struct score *s, bool exact)
{
	filtered_queries(s, exact, NULL);
}

static void filtered_small_provider(struct score *s, bool exact)
{
	filtered_queries(s, exact, providers[2]);
}

static void filtered_sample(struct score *s, bool exact)
{
	filtered_queries(s, exact, providers[0]);
}

static void differencing_filtered_queries_recovers_nothing(void **state)
{
	(void)state;
	attack("1-D vs 2-D vs --where, margins (all)", filtered_all);
	attack("1-D vs 2-D vs --where, margins (sample)", filtered_sample);
	attack("1-D vs 2-D vs --where, margins (small)", filtered_small_provider);
}

static void totals_all(struct score *s, bool exact)
{
	records_totals(s, exact, NULL);
}

static void totals_sample(struct score *s, bool exact)
{
	records_totals(s, exact, providers[0]);
}

static void totals_small(struct score *s, bool exact)
{
	records_totals(s, exact, providers[2]);
}

static void the_records_total_gives_nothing_away(void **state)
{
	(void)state;
	attack("records totals of filtered queries", totals_all);
	attack("records totals, the sample alone", totals_sample);
	attack("records totals, a provider of 150", totals_small);
}

static void years_all(struct score *s, bool exact)
{
	dashboard_years(s, exact, NULL);
}

static void years_sample(struct score *s, bool exact)
{
	dashboard_years(s, exact, providers[0]);
}

static void years_small(struct score *s, bool exact)
{
	dashboard_years(s, exact, providers[2]);
}

static void countries_all(struct score *s, bool exact)
{
	dashboard_countries(s, exact, NULL);
}

static void countries_sample(struct score *s, bool exact)
{
	dashboard_countries(s, exact, providers[0]);
}

static void countries_small(struct score *s, bool exact)
{
	dashboard_countries(s, exact, providers[2]);
}

static void dashboard_filters_cannot_be_differenced(void **state)
{
	(void)state;
	attack("dashboard: all years minus the others", years_all);
	attack("dashboard years, the sample alone", years_sample);
	attack("dashboard years, a provider of 150", years_small);
	attack("dashboard: all countries minus the others", countries_all);
	attack("dashboard countries, the sample alone", countries_sample);
	attack("dashboard countries, a provider of 150", countries_small);
}

static void providers_cannot_be_differenced(void **state)
{
	(void)state;
	attack("all providers minus the others", providers_differenced);
}

/* The same records give the same value whichever way they are asked for, and asking again
 * gives the same answer: there is nothing to average. */
static void asking_again_gives_the_same_answer(void **state)
{
	(void)state;
	struct ask x = { .by = { "citizenship", "gender" } };
	struct view a, b;
	ask(&x, false, &a);
	for (int i = 0; i < 20; i++) {
		ask(&x, false, &b);
		assert_int_equal(a.n, b.n);
		assert_int_equal(a.records, b.records);
		for (size_t j = 0; j < a.n; j++)
			assert_int_equal(a.cells[j].count, b.cells[j].count);
	}
	/* gender x citizenship is citizenship x gender */
	struct ask y = { .by = { "gender", "citizenship" } };
	ask(&y, false, &b);
	for (size_t j = 0; j < a.n; j++) {
		assert_int_equal(a.cells[j].count,
				 cell(&b, a.cells[j].value[1], a.cells[j].value[0]).p);
	}
	/* No published count anywhere is from 1 to js, or below K without being withheld. */
	for (size_t i = 0; i < ARRAY_LEN(ANY); i++)
		for (size_t j = 0; j < ARRAY_LEN(ANY); j++) {
			struct ask z = { .by = { ANY[i], i == j ? NULL : ANY[j] } };
			struct view v;
			ask(&z, false, &v);
			for (size_t c = 0; c < v.n; c++) {
				assert_false(v.cells[c].count > 0 &&
					     v.cells[c].count <= OBS_CKM_JS);
				assert_true(v.cells[c].count >= K || v.cells[c].suppressed);
			}
		}
	fresh_arena();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(differencing_filtered_queries_recovers_nothing),
		cmocka_unit_test(the_records_total_gives_nothing_away),
		cmocka_unit_test(dashboard_filters_cannot_be_differenced),
		cmocka_unit_test(providers_cannot_be_differenced),
		cmocka_unit_test(asking_again_gives_the_same_answer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
