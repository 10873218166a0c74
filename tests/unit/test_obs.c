/* Disclosure control: the perturbation table of the cell key method has the properties the
 * documentation states, and the lookup draws from it. The attacks on published figures are
 * in test_obs_attack.c. */
#include "testutil.h"

#include <math.h>

#include "obs/obs.h"

/* Every row: a distribution (sums to 1), unbiased (mean 0), the stated variance above js,
 * bounded by D, never negative, never a value from 1 to js; zeros stay zeros. */
static void the_perturbation_table_keeps_its_promises(void **state)
{
	(void)state;
	size_t n;
	const obs_ptable_row *t = obs_ptable(&n);
	assert_int_equal(n, OBS_CKM_D + OBS_CKM_JS + 2);
	assert_int_equal(t[0].n, 1);
	assert_int_equal(t[0].j[0], 0);
	for (size_t r = 0; r < n; r++) {
		assert_int_equal(t[r].i, (int64_t)r);
		double sum = 0, mean = 0, var = 0;
		for (size_t k = 0; k < t[r].n; k++) {
			int64_t j = t[r].j[k], v = j - t[r].i;
			assert_true(t[r].p[k] > 0 && t[r].p[k] <= 1);
			assert_true(j >= 0);
			assert_false(j >= 1 && j <= OBS_CKM_JS);
			assert_true(v >= -OBS_CKM_D && v <= OBS_CKM_D);
			assert_true(k == 0 || j > t[r].j[k - 1]);
			assert_true(k == 0 || t[r].upto[k] > t[r].upto[k - 1]);
			sum += t[r].p[k];
			mean += t[r].p[k] * (double)v;
			var += t[r].p[k] * (double)v * (double)v;
		}
		assert_true(fabs(sum - 1) < 1e-12);
		assert_true(fabs(mean) < 1e-12);
		assert_true(fabs(mean - t[r].mean) < 1e-12 && fabs(var - t[r].variance) < 1e-12);
		if (t[r].i > OBS_CKM_JS)
			assert_true(fabs(var - OBS_CKM_V) < 1e-9);
		assert_int_equal(t[r].upto[t[r].n - 1], (uint64_t)1 << 32);
	}
	/* The last row is symmetric: every large count is perturbed alike. */
	const obs_ptable_row *last = &t[n - 1];
	assert_int_equal(last->n, 2 * OBS_CKM_D + 1);
	for (size_t k = 0; k < last->n; k++)
		assert_true(fabs(last->p[k] - last->p[last->n - 1 - k]) < 1e-12);
}

/* The lookup over evenly spread cell keys gives each value with its probability (to 2^-20),
 * so the published values are unbiased with the stated variance. */
static void the_lookup_draws_from_the_table(void **state)
{
	(void)state;
	size_t n;
	const obs_ptable_row *t = obs_ptable(&n);
	const uint32_t steps = 1u << 20;
	int64_t counts[] = { 1, 2, 3, 4, 5, 6, 7, 12, 100, 123456 };
	for (size_t c = 0; c < ARRAY_LEN(counts); c++) {
		int64_t i = counts[c];
		const obs_ptable_row *r = &t[i < (int64_t)n ? i : (int64_t)n - 1];
		double seen[2 * OBS_CKM_D + 1] = { 0 }, mean = 0;
		for (uint32_t s = 0; s < steps; s++) {
			uint32_t key = s << 12 | (s * 2654435761u) >> 20; /* spread over 2^32 */
			int64_t v = obs_ckm_value(i, key);
			mean += (double)(v - i) / steps;
			size_t k = 0;
			while (k < r->n && r->j[k] - r->i != v - i)
				k++;
			assert_true(k < r->n); /* only the row's values */
			seen[k] += 1.0 / steps;
		}
		for (size_t k = 0; k < r->n; k++)
			assert_true(fabs(seen[k] - r->p[k]) < 1e-5);
		assert_true(fabs(mean) < 1e-4);
	}
	/* Zero is zero whatever the key; the same count and key give the same value. */
	for (uint32_t key = 0; key < 1000; key++) {
		assert_int_equal(obs_ckm_value(0, key * 4294967u), 0);
		assert_int_equal(obs_ckm_value(17, key * 4294967u),
				 obs_ckm_value(17, key * 4294967u));
	}
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

/* Every count is perturbed on its own, so a category can publish more victims than the
 * records it belongs to (23 of 22): its share reads 100%, never 104.5%, in a table, a
 * spreadsheet or a headline (a spreadsheet refused such a percentage once in CI). */
static void a_share_never_passes_the_whole(void **state)
{
	(void)state;
	assert_true(obs_fraction(23, 22) == 1.0);
	assert_true(obs_fraction(22, 22) == 1.0);
	assert_true(obs_fraction(11, 22) == 0.5);
	assert_true(obs_fraction(0, 22) == 0.0);
	assert_true(obs_fraction(5, 0) == 0.0);
	assert_true(obs_fraction(-1, 22) == 0.0);
	obs_share s = obs_share_of(23, 22, 30, 5);
	assert_true(s.kind == OBS_SHARE_OF_KNOWN && s.value == 1.0);
	s = obs_share_of(44, 40, 42, 5);
	assert_true(s.kind == OBS_SHARE_OF_ALL && s.value == 1.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_perturbation_table_keeps_its_promises),
		cmocka_unit_test(the_lookup_draws_from_the_table),
		cmocka_unit_test(a_share_is_given_unless_it_reveals_a_small_count),
		cmocka_unit_test(a_share_never_passes_the_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
