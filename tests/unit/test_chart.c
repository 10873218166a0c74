/* Charts: what is drawn, what is never drawn, and escaping. */
#include "testutil.h"

#include "base/utf8.h"
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

/* The text of an element, entities decoded (&amp; &lt; &gt; &quot; &#39;), into out. */
static void decode(const char *s, size_t n, char *out, size_t cap)
{
	static const char *const ENT[][2] = { { "&amp;", "&" },
					      { "&lt;", "<" },
					      { "&gt;", ">" },
					      { "&quot;", "\"" },
					      { "&#39;", "'" } };
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		size_t e = 0;
		while (e < ARRAY_LEN(ENT) && strncmp(s + i, ENT[e][0], strlen(ENT[e][0])) != 0)
			e++;
		if (e < ARRAY_LEN(ENT)) {
			out[o++] = ENT[e][1][0];
			i += strlen(ENT[e][0]);
		} else {
			out[o++] = s[i++];
		}
	}
	out[o] = '\0';
}

static size_t without_spaces(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++)
		if (*s != ' ')
			out[o++] = *s;
	out[o] = '\0';
	return o;
}

/* Issue #14, 22: a long label was one line, right-aligned before the bars, and its start fell
 * off the chart ("…vage et pratiques analogues"). Labels now wrap on up to three lines that
 * fit the label area; the whole label is in its <title>. */
static void long_labels_wrap_and_keep_their_whole_text(void **state)
{
	(void)state;
	const char *rows[] = {
		"Esclavage et pratiques analogues",
		"Menace de dénonciation aux autorités",
		"Transgénero ou não conforme ao género",
		"Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
		"Restringe o acesso a cuidados médicos",
		"Travail forcé",
		"Saint-Vincent-et-les-Grenadines-et-encore-un-très-long-nom",
		"Un libellé beaucoup trop long pour tenir sur trois lignes de trente caractères, "
		"même en coupant bien aux espaces, qui doit finir par des points de suspension",
	};
	size_t n = ARRAY_LEN(rows);
	int64_t values[ARRAY_LEN(rows)] = { 32, 12, 8, 40, 7, 120, 9, 5 };
	chart c = { .id = "c4",
		    .title = "Type d'exploitation",
		    .desc = "d",
		    .rows = rows,
		    .nrows = n,
		    .nseries = 1,
		    .values = values };
	buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars(&b, &c), 0);
	const char *p = b.data;
	int last_y = 0;
	for (size_t r = 0; r < n; r++) {
		p = strstr(p, "class=\"chart-label\">");
		assert_non_null(p);
		const char *end = strstr(p, "</text>");
		/* The whole label, in its title. */
		const char *t = strstr(p, "<title>") + 7;
		char title[256];
		decode(t, (size_t)(strstr(t, "</title>") - t), title, sizeof(title));
		assert_string_equal(title, rows[r]);
		/* Its lines: each fits the label area (x = 214, right-aligned, 7 px a character),
		 * below the one before; together they show the label, or its start and "…". */
		char shown[512];
		size_t len = 0, lines = 0;
		for (const char *l = p; (l = strstr(l, "<tspan x=\"")) != NULL && l < end; l++) {
			int x, y;
			assert_int_equal(sscanf(l, "<tspan x=\"%d\" y=\"%d\">", &x, &y), 2);
			assert_true(y > last_y);
			last_y = y;
			const char *text = strchr(l, '>') + 1;
			char line[256];
			decode(text, (size_t)(strstr(text, "</tspan>") - text), line, sizeof(line));
			size_t chars = utf8_length(line, strlen(line));
			assert_true(chars > 0 && chars * 7 <= (size_t)x);
			len += (size_t)snprintf(shown + len, sizeof(shown) - len, "%s", line);
			lines++;
		}
		assert_true(lines >= 1 && lines <= 3);
		char want[512], got[512];
		without_spaces(rows[r], want, sizeof(want));
		size_t ng = without_spaces(shown, got, sizeof(got));
		if (strlen(rows[r]) < 90) { /* the labels of the product: every character shown */
			if (strcmp(got, want) != 0)
				fail_msg("label \"%s\" drawn as \"%s\"", rows[r], shown);
		} else {
			size_t dots = strlen("…");
			assert_int_equal(lines, 3);
			assert_true(ng > dots && strcmp(got + ng - dots, "…") == 0);
			assert_memory_equal(got, want, ng - dots);
		}
		p = end;
	}
	/* The chart is tall enough for its rows of several lines. */
	int height;
	assert_int_equal(
	    sscanf(strstr(b.data, "viewBox=\"0 0 640 "), "viewBox=\"0 0 640 %d", &height), 1);
	assert_true(height > last_y);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_withheld_count_has_no_bar_and_no_number),
		cmocka_unit_test(a_stacked_bar_draws_its_published_segments_only),
		cmocka_unit_test(a_time_series_breaks_where_a_year_is_withheld),
		cmocka_unit_test(ids_that_could_break_out_are_refused),
		cmocka_unit_test(long_labels_wrap_and_keep_their_whole_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
