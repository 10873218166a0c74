/* Disclosure control: no withheld count can be recovered from the published figures. */
#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_withheld_cell_can_be_recomputed),
		cmocka_unit_test(exact_counts_withhold_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
