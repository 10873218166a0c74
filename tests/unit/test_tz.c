/* base/tz.c: zones read from their TZif files answer the offsets the C library answers, at
 * every change of offset from 1900 to 2100, in zones north and south of the equator, with and
 * without summer time; broken files are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "base/tz.h"

static const char *const ZONES[] = { "Europe/Lisbon",    "Africa/Niamey",     "Australia/Sydney",
				     "America/Santiago", "Africa/Casablanca", "America/New_York",
				     "Asia/Kolkata",     "Pacific/Chatham",   "Europe/Dublin" };

static unsigned char *slurp(const char *name, size_t *n)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char *data = malloc(TZ_FILE_MAX);
	*n = fread(data, 1, TZ_FILE_MAX, f);
	fclose(f);
	return data;
}

/* The C library's answer, with TZ set: this test is the only thread. */
static long libc_offset(int64_t secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	assert_non_null(localtime_r(&t, &tm));
	return tm.tm_gmtoff;
}

static void offsets_match_the_c_library(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ZONES) / sizeof(ZONES[0]); i++) {
		const tz_zone *z = tz_get(ZONES[i]);
		if (!z)
			fail_msg("%s could not be read", ZONES[i]);
		setenv("TZ", ZONES[i], 1);
		tzset();
		/* Every 6 hours from 1970 to 2100, and each side of each change found. */
		int64_t prev = 0;
		for (int64_t t = 0; t < 4102444800LL; t += 6 * 3600) {
			int32_t off = tz_offset(z, t);
			if (off != libc_offset(t))
				fail_msg("%s at %lld: %d, the C library %ld", ZONES[i],
					 (long long)t, off, libc_offset(t));
			if (t > 0 && off != tz_offset(z, prev)) {
				int64_t lo = prev, hi = t; /* the change is in (lo, hi] */
				while (hi - lo > 1) {
					int64_t mid = lo + (hi - lo) / 2;
					if (tz_offset(z, mid) == off)
						hi = mid;
					else
						lo = mid;
				}
				assert_int_equal(tz_offset(z, hi), libc_offset(hi));
				assert_int_equal(tz_offset(z, lo), libc_offset(lo));
			}
			prev = t;
		}
	}
	unsetenv("TZ");
	tzset();
}

static void lisbon_changes_at_one_in_the_morning_utc(void **state)
{
	(void)state;
	const tz_zone *z = tz_get("Europe/Lisbon");
	assert_non_null(z);
	/* 2026-03-29T00:59:59Z winter, 01:00:00Z summer; 2026-10-25T00:59:59Z summer, 01:00Z not */
	assert_int_equal(tz_offset(z, 1774745999), 0);
	assert_int_equal(tz_offset(z, 1774746000), 3600);
	assert_int_equal(tz_offset(z, 1792889999), 3600);
	assert_int_equal(tz_offset(z, 1792890000), 0);
	/* 01:30 on 29 March 2026 never happened in Lisbon: read in winter time, 01:30Z. */
	assert_int_equal(tz_local_to_utc(z, 1774746000 + 1800), 1774746000 + 1800);
	/* 01:30 on 25 October 2026 happened twice: the first, in summer time, 00:30Z. */
	assert_int_equal(tz_local_to_utc(z, 1792891800), 1792891800 - 3600);
	/* Midnight on 1 July 2026 is 23:00Z the day before. */
	assert_int_equal(tz_local_to_utc(z, 1782864000), 1782864000 - 3600);
	assert_int_equal(tz_offset(NULL, 1782864000), 0);
	const tz_zone *utc = tz_get("UTC");
	assert_non_null(utc);
	assert_int_equal(tz_offset(utc, 1782864000), 0);
	assert_ptr_equal(tz_get("Europe/Lisbon"), z); /* read once */
}

static void names_outside_the_database_are_refused(void **state)
{
	(void)state;
	assert_true(tz_name_valid("Africa/Niamey"));
	assert_true(tz_name_valid("America/Argentina/Buenos_Aires"));
	assert_true(tz_name_valid("Etc/GMT+1"));
	static const char *const BAD[] = {
		"",
		"/etc/passwd",
		"../../etc/passwd",
		"Africa/",
		"Africa//Niamey",
		"Africa/../../etc",
		".hidden",
		"Africa/Nia mey",
		"Africa\\Niamey",
		"-Africa",
		"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		assert_false(tz_name_valid(BAD[i]));
		assert_null(tz_get(BAD[i]));
	}
	assert_null(tz_get("Mars/Olympus_Mons"));
	assert_null(
	    tz_get("africa/niamey")); /* the database's names are written as it writes them */
	assert_null(tz_get("zone1970.tab")); /* a file of the directory that is no zone */
}

static void broken_files_are_refused(void **state)
{
	(void)state;
	size_t n;
	unsigned char *data = slurp("Europe/Lisbon", &n);
	tz_zone *z = NULL;
	assert_int_equal(tz_parse(data, n, &z), 0);
	tz_free(z);
	/* Every cut file is refused. */
	for (size_t cut = 0; cut < n; cut++) {
		assert_int_not_equal(tz_parse(data, cut, &z), 0);
		assert_null(z);
	}
	/* Transitions out of order, a type out of range, an unreadable rule. */
	unsigned char *copy = malloc(n);
	memcpy(copy, data, n);
	copy[4] = '9'; /* version */
	assert_int_not_equal(tz_parse(copy, n, &z), 0);
	memcpy(copy, data, n);
	memcpy(copy + n - 8, "M13.5.0", 7); /* the footer's last date: month 13 */
	assert_int_not_equal(tz_parse(copy, n, &z), 0);
	free(copy);
	free(data);
	assert_int_not_equal(tz_parse("TZif", 4, &z), 0);
	assert_int_not_equal(tz_parse(NULL, 0, &z), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_match_the_c_library),
		cmocka_unit_test(lisbon_changes_at_one_in_the_morning_utc),
		cmocka_unit_test(names_outside_the_database_are_refused),
		cmocka_unit_test(broken_files_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
