/* Charts: what is drawn, what is never drawn, and escaping. */
#include "testutil.h"

#include "chart/chart.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void a_withheld_count_has_no_bar_and_no_number(void **state)
{
	(void)state;
	const char *rows[] = { "Forced labour", "Organ removal", "<script>alert(1)</script>" };
	int64_t values[] = { 120, 3, 40 };
	bool withheld[] = { false, true, false };
	chart c = { .id = "c1",
		    .title = "Exploitation & more",
		    .desc = "d",
		    .rows = rows,
		    .nrows = 3,
		    .nseries = 1,
		    .values = values,
		    .withheld = withheld,
		    .withheld_label = "<5" };
	buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars(&b, &c), 0);
	assert_int_equal(count(b.data, "<rect"), 2);
	assert_null(strstr(b.data, ": 3<"));
	assert_null(strstr(b.data, ">3<"));
	assert_non_null(strstr(b.data, "&lt;5"));
	assert_null(strstr(b.data, "<script"));
	assert_non_null(strstr(b.data, "Exploitation &amp; more"));
	assert_non_null(strstr(b.data, "aria-labelledby=\"c1-t c1-d\""));
	buf_release(&b);
}

static void a_stacked_bar_draws_its_published_segments_only(void **state)
{
	(void)state;
	const char *rows[] = { "0-8", "9-17" };
	const char *series[] = { "Female", "Male", "Not recorded" };
	int64_t values[] = { 13, 4, 2, 60, 22, 7 };
	bool withheld[] = { false, true, true, false, false, false };
	chart c = { .id = "c2",
		    .title = "t",
		    .desc = "d",
		    .rows = rows,
		    .nrows = 2,
		    .series = series,
		    .nseries = 3,
		    .values = values,
		    .withheld = withheld,
		    .withheld_label = "<5",
		    .partial_label = "small counts not drawn" };
	buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars(&b, &c), 0);
	/* 3 legend swatches, 1 + 3 segments. */
	assert_int_equal(count(b.data, "<rect"), 7);
	assert_non_null(strstr(b.data, ">13*<")); /* the published total, marked partial */
	assert_null(strstr(b.data, ">19"));       /* never the whole row */
	assert_non_null(strstr(b.data, ">89<"));  /* a complete row */
	assert_non_null(strstr(b.data, "(small counts not drawn)"));
	buf_release(&b);
}

static void a_time_series_breaks_where_a_year_is_withheld(void **state)
{
	(void)state;
	const char *rows[] = { "2019", "2020", "2021", "2022" };
	int64_t values[] = { 40, 2, 55, 61 };
	bool withheld[] = { false, true, false, false };
	chart c = { .id = "c3",
		    .title = "t",
		    .desc = "d",
		    .rows = rows,
		    .nrows = 4,
		    .nseries = 1,
		    .values = values,
		    .withheld = withheld,
		    .withheld_label = "<5" };
	buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_line(&b, &c), 0);
	assert_int_equal(count(b.data, "<circle"), 3);
	const char *d = strstr(b.data, "class=\"chart-s0-line\" d=\"");
	assert_non_null(d);
	assert_int_equal(count(d, "M"), 2); /* two pieces: 2019, then 2021-2022 */
	assert_null(strstr(b.data, ": 2<"));
	buf_release(&b);
}

static void ids_that_could_break_out_are_refused(void **state)
{
	(void)state;
	const char *rows[] = { "a" };
	int64_t values[] = { 1 };
	chart c = { .id = "x\" onload=\"alert(1)",
		    .title = "t",
		    .desc = "d",
		    .rows = rows,
		    .nrows = 1,
		    .nseries = 1,
		    .values = values };
	buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(chart_bars(&b, &c), PONTE_EINVAL);
	assert_int_equal(chart_line(&b, &c), PONTE_EINVAL);
	c.id = "ok";
	c.nseries = CHART_MAX_SERIES + 1;
	assert_int_equal(chart_bars(&b, &c), PONTE_EINVAL);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_withheld_count_has_no_bar_and_no_number),
		cmocka_unit_test(a_stacked_bar_draws_its_published_segments_only),
		cmocka_unit_test(a_time_series_breaks_where_a_year_is_withheld),
		cmocka_unit_test(ids_that_could_break_out_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
