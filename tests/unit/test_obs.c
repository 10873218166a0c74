/* Disclosure control: no withheld count can be recovered from the published figures. */
#include "testutil.h"

#include <math.h>

#include "obs/obs.h"

static uint64_t seed = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static const char *const NAMES[] = { "a", "b", "c", "d", "e", "f", "g", "h" };

/* Try to recover each withheld cell as (true total of a group) - (published cells of it):
 * possible exactly when the group holds one withheld cell. */
static void attack(const obs_cell *cells, size_t n, bool two_dims, int64_t k)
{
	for (size_t i = 0; i < n; i++) {
		if (cells[i].count < k && !cells[i].suppressed)
			fail_msg("a count below %lld is published", (long long)k);
		if (!cells[i].suppressed)
			continue;
		/* The groups of cell i: its row, its column, the whole table. */
		for (int g = 0; g < (two_dims ? 3 : 1); g++) {
			size_t members = 0, withheld = 0;
			for (size_t j = 0; j < n; j++) {
				bool in =
				    g == 2 || !two_dims ||
				    (g == 0 ? strcmp(cells[i].value[0], cells[j].value[0]) == 0
					    : strcmp(cells[i].value[1], cells[j].value[1]) == 0);
				if (!in)
					continue;
				members++;
				withheld += cells[j].suppressed;
			}
			/* A lone cell's total is itself below k: withheld in its own table. */
			if (withheld == 1 && members > 1)
				fail_msg("cell %s/%s (%lld) can be recomputed from group %d",
					 cells[i].value[0], two_dims ? cells[i].value[1] : "",
					 (long long)cells[i].count, g);
		}
	}
}

static void no_withheld_cell_can_be_recomputed(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		bool two = round % 2;
		size_t rows = 1 + rnd(8), cols = two ? 1 + rnd(8) : 1, n = 0;
		obs_cell cells[64];
		for (size_t r = 0; r < rows; r++)
			for (size_t c = 0; c < cols; c++) {
				if (rnd(5) == 0)
					continue; /* an empty combination is not a cell */
				cells[n].value[0] = NAMES[r];
				cells[n].value[1] = two ? NAMES[c] : NULL;
				cells[n].count = 1 + rnd(rnd(3) ? 12 : 200);
				n++;
			}
		obs_suppress(cells, n, two, 5);
		attack(cells, n, two, 5);
	}
}

static void exact_counts_withhold_nothing(void **state)
{
	(void)state;
	obs_cell cells[] = { { { "a", NULL }, 1, false }, { { "b", NULL }, 100, false } };
	obs_suppress(cells, 2, false, 0);
	assert_false(cells[0].suppressed);
	obs_suppress(cells, 2, false, 5);
	assert_true(cells[0].suppressed);
	assert_true(cells[1].suppressed); /* else 1 = total - 100 */
}

static bool small_count(int64_t n)
{
	return n > 0 && n < 5;
}

static bool published(obs_share s)
{
	return s.kind == OBS_SHARE_OF_KNOWN || s.kind == OBS_SHARE_OF_ALL;
}

/* A headline share (issue #14, 18) is given whenever it gives no count below k away, even
 * when the number of records where the variable is not known is itself small: every table of
 * up to 60 records is tried, and a reader who knows the number of records and the count with
 * the value (both published) tries to work out a small number not known from the share shown
 * (to 0.1 %). */
static void a_share_is_given_unless_it_reveals_a_small_count(void **state)
{
	(void)state;
	for (int64_t records = 0; records <= 60; records++)
		for (int64_t known = 0; known <= records; known++)
			for (int64_t with = 0; with <= known; with++) {
				obs_share s = obs_share_of(with, known, records, 5);
				int64_t missing = records - known;
				if (!published(s)) {
					/* Withheld only for a reason. */
					bool reason =
					    records < 5 || known == 0 || small_count(with) ||
					    small_count(records - with) ||
					    (!small_count(missing) && small_count(known - with));
					if (!reason)
						fail_msg("%lld of %lld (%lld known) withheld",
							 (long long)with, (long long)records,
							 (long long)known);
					continue;
				}
				assert_false(small_count(with));
				assert_int_equal(s.kind == OBS_SHARE_OF_ALL, small_count(missing));
				if (!small_count(missing))
					continue;
				/* Every other small number not known gives the same figure. */
				long shown = lround(s.value * 1000);
				size_t alike = 0;
				for (int64_t k2 = records - 4; k2 < records; k2++) {
					obs_share t = obs_share_of(with, k2, records, 5);
					alike += k2 >= with && t.kind == s.kind &&
						 lround(t.value * 1000) == shown;
				}
				assert_true(alike >= 2);
			}
	/* Exact counts: every share of known records. */
	obs_share exact = obs_share_of(1, 3, 4, 0);
	assert_int_equal(exact.kind, OBS_SHARE_OF_KNOWN);
	assert_true(exact.value > 0.33 && exact.value < 0.34);
	assert_int_equal(obs_share_of(0, 0, 0, 5).kind, OBS_SHARE_NO_RECORDS);
	assert_int_equal(obs_share_of(2, 3, 4, 5).kind, OBS_SHARE_FEW_RECORDS);
	assert_int_equal(obs_share_of(0, 0, 40, 5).kind, OBS_SHARE_NOT_KNOWN);
	assert_int_equal(obs_share_of(3, 30, 40, 5).kind, OBS_SHARE_SMALL_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_withheld_cell_can_be_recomputed),
		cmocka_unit_test(exact_counts_withhold_nothing),
		cmocka_unit_test(a_share_is_given_unless_it_reveals_a_small_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
