/* Bars, stacked bars and time series as SVG. */
#include "chart/chart.h"
#include "base/utf8.h"
#include "i18n/format.h"
#include "tpl/escape.h"

#define WIDTH 640
#define LABEL_W 220 /* bar labels, right-aligned before the bars */
#define BAR_W 330   /* the longest bar; its figure follows it */
#define ROW_H 24    /* a row with a label of one line */
#define BAR_H 16
#define LEGEND_H 26
/* A bar label wraps at spaces on up to LABEL_LINES lines of LABEL_CHARS characters: at 12 px,
 * about 7 px a character, a line fits the label area. What does not fit ends with "…", and
 * the whole label is in the label's <title>. */
#define LABEL_CHARS 30
#define LABEL_LINES 3
#define LABEL_LINE_H 14

static bool id_safe(const char *id)
{
	if (!id || !*id)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static int esc(buf *out, const char *s)
{
	return s ? escape_html(out, s, strlen(s)) : 0;
}

static int open_svg(buf *out, const chart *c, const char *cls, int height)
{
	int rc = buf_printf(out,
			    "<svg class=\"chart %s\" viewBox=\"0 0 %d %d\" role=\"img\" "
			    "aria-labelledby=\"%s-t %s-d\" xmlns=\"http://www.w3.org/2000/svg\">"
			    "<title id=\"%s-t\">",
			    cls, WIDTH, height, c->id, c->id, c->id);
	if (!rc)
		rc = esc(out, c->title);
	if (!rc)
		rc = buf_printf(out, "</title><desc id=\"%s-d\">", c->id);
	if (!rc)
		rc = esc(out, c->desc);
	return rc ? rc : buf_puts(out, "</desc>");
}

static int text(buf *out, int x, int y, const char *anchor, const char *cls, const char *s)
{
	int rc = buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\">", x, y,
			    anchor, cls);
	if (!rc)
		rc = esc(out, s);
	return rc ? rc : buf_puts(out, "</text>");
}

/* ---- bar labels ---- */

struct label_lines {
	const char *start[LABEL_LINES];
	size_t len[LABEL_LINES]; /* bytes */
	size_t n;
	bool cut; /* the label goes on beyond the last line */
};

/* The lines of a label: each at most LABEL_CHARS characters, broken at the last space that
 * fits (a word longer than a line is broken between two characters, never inside one). */
static void wrap_label(const char *s, struct label_lines *l)
{
	memset(l, 0, sizeof(*l));
	const char *p = s ? s : "", *end = p + strlen(p);
	while (l->n < LABEL_LINES) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		size_t rest = (size_t)(end - p), take = utf8_prefix(p, rest, LABEL_CHARS);
		if (take < rest) {
			size_t space = take;
			while (space > 0 && p[space] != ' ')
				space--;
			if (space > 0)
				take = space;
		}
		l->start[l->n] = p;
		l->len[l->n++] = take;
		p += take;
	}
	while (p < end && *p == ' ')
		p++;
	l->cut = p < end;
	if (l->cut) { /* room for "…" on the last line */
		size_t last = l->n - 1;
		l->len[last] = utf8_prefix(l->start[last], l->len[last], LABEL_CHARS - 1);
		while (l->len[last] > 0 && l->start[last][l->len[last] - 1] == ' ')
			l->len[last]--;
	}
}

static int row_height(const char *label)
{
	struct label_lines l;
	wrap_label(label, &l);
	int h = (int)l.n * LABEL_LINE_H + 10;
	return h > ROW_H ? h : ROW_H;
}

/* A label, right-aligned before the bars and centred on a row of height h at y. */
static int bar_label(buf *out, const char *label, int y, int h)
{
	struct label_lines l;
	wrap_label(label, &l);
	int first = y + (h - (int)l.n * LABEL_LINE_H) / 2 + 11; /* the first baseline */
	int rc = buf_printf(out,
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"chart-label\">"
			    "<title>",
			    LABEL_W - 6, first);
	if (!rc)
		rc = esc(out, label);
	if (!rc)
		rc = buf_puts(out, "</title>");
	for (size_t i = 0; i < l.n && !rc; i++) {
		rc = buf_printf(out, "<tspan x=\"%d\" y=\"%d\">", LABEL_W - 6,
				first + (int)i * LABEL_LINE_H);
		if (!rc)
			rc = escape_html(out, l.start[i], l.len[i]);
		if (!rc && l.cut && i + 1 == l.n)
			rc = buf_puts(out, "…");
		if (!rc)
			rc = buf_puts(out, "</tspan>");
	}
	return rc ? rc : buf_puts(out, "</text>");
}

static bool withheld(const chart *c, size_t i)
{
	return c->withheld && c->withheld[i];
}

/* The largest published row total (stacked) or value: the scale's end. */
static int64_t scale_max(const chart *c)
{
	int64_t max = 0;
	for (size_t r = 0; r < c->nrows; r++) {
		int64_t sum = 0;
		for (size_t s = 0; s < c->nseries; s++) {
			size_t i = r * c->nseries + s;
			if (!withheld(c, i) && c->values[i] > 0)
				sum += c->values[i];
		}
		if (sum > max)
			max = sum;
	}
	return max;
}

/* The width of a legend entry: the swatch, and the text at about 7 px a character. */
static int entry_width(const char *s)
{
	return 28 + 7 * (int)(s ? utf8_length(s, strlen(s)) : 0);
}

/* Legend entries from left to right, on as many lines as they need; with out NULL, only
 * the height is computed. */
static int legend(buf *out, const chart *c, int *height)
{
	int rc = 0, x = 8, y = 6;
	for (size_t s = 0; s < c->nseries && !rc; s++) {
		int w = entry_width(c->series[s]);
		if (x > 8 && x + w > WIDTH) {
			x = 8;
			y += LEGEND_H - 6;
		}
		if (out) {
			rc = buf_printf(out,
					"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
					"class=\"chart-s%zu\"></rect>",
					x, y, s);
			if (!rc)
				rc = text(out, x + 16, y + 10, "start", "chart-legend",
					  c->series[s]);
		}
		x += w;
	}
	*height = y + LEGEND_H - 6;
	return rc;
}

/* The tooltip of one bar or segment: "row: series: value", as c->lang writes it. */
static int tooltip(buf *out, const chart *c, size_t r, size_t s, int64_t value, bool partial)
{
	int rc = buf_puts(out, "<title>");
	if (!rc)
		rc = esc(out, c->rows[r]);
	const char *mark = i18n_before_mark(c->lang); /* "Mali : 12" in French */
	if (!rc && c->nseries > 1) {
		rc = buf_printf(out, "%s: ", mark);
		if (!rc)
			rc = esc(out, c->series[s]);
	}
	char n[I18N_NUMBER_MAX];
	if (!rc)
		rc = buf_printf(out, "%s: %s", mark, i18n_number_to(c->lang, value, n));
	if (!rc && partial && c->partial_label) {
		rc = buf_puts(out, " (");
		if (!rc)
			rc = esc(out, c->partial_label);
		if (!rc)
			rc = buf_puts(out, ")");
	}
	return rc ? rc : buf_puts(out, "</title>");
}

static int bar_row(buf *out, const chart *c, size_t r, int row_y, int64_t max)
{
	int h = row_height(c->rows[r]);
	int rc = bar_label(out, c->rows[r], row_y, h);
	int y = row_y + (h - BAR_H) / 2;
	double x = LABEL_W;
	int64_t sum = 0;
	bool partial = false, all_withheld = true;
	for (size_t s = 0; s < c->nseries; s++) {
		size_t i = r * c->nseries + s;
		partial |= withheld(c, i);
		all_withheld &= withheld(c, i);
	}
	for (size_t s = 0; s < c->nseries && !rc; s++) {
		size_t i = r * c->nseries + s;
		if (withheld(c, i) || c->values[i] <= 0)
			continue;
		double w = max ? (double)c->values[i] * BAR_W / (double)max : 0;
		rc = buf_printf(out,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
				"class=\"chart-s%zu\">",
				x, y, w, BAR_H, c->nseries > 1 ? s : 0);
		if (!rc)
			rc = tooltip(out, c, r, s, c->values[i], partial);
		if (!rc)
			rc = buf_puts(out, "</rect>");
		x += w;
		sum += c->values[i];
	}
	if (rc)
		return rc;
	/* The figure after the bar: the published total, or the withheld label alone. */
	if (all_withheld)
		return text(out, (int)x + 4, y + BAR_H - 3, "start", "chart-value chart-withheld",
			    c->withheld_label);
	char v[I18N_NUMBER_MAX + 1];
	i18n_number_to(c->lang, sum, v);
	if (partial)
		memcpy(v + strlen(v), "*", 2);
	return text(out, (int)x + 4, y + BAR_H - 3, "start", "chart-value", v);
}

int chart_bars(buf *out, const chart *c)
{
	if (!id_safe(c->id) || !c->nseries || c->nseries > CHART_MAX_SERIES)
		return PONTE_EINVAL;
	int top = 4;
	if (c->nseries > 1)
		legend(NULL, c, &top);
	int height = top + 8;
	for (size_t r = 0; r < c->nrows; r++)
		height += row_height(c->rows[r]);
	int rc = open_svg(out, c, "chart-bars", height);
	if (!rc && c->nseries > 1)
		rc = legend(out, c, &top);
	int64_t max = scale_max(c);
	for (size_t r = 0, y = (size_t)top; r < c->nrows && !rc; r++) {
		rc = bar_row(out, c, r, (int)y, max);
		y += (size_t)row_height(c->rows[r]);
	}
	return rc ? rc : buf_puts(out, "</svg>");
}

/* ---- time series ---- */

#define LINE_H 260
#define PLOT_L 56
#define PLOT_R 16
#define PLOT_T 16
#define PLOT_B 44

/* 1, 2 or 5 times a power of ten, at least v. */
static int64_t nice_ceiling(int64_t v)
{
	int64_t p = 1;
	while (p * 10 <= v)
		p *= 10;
	for (int64_t m = 1; m <= 10; m = m == 1 ? 2 : m == 2 ? 5 : 10)
		if (m * p >= v)
			return m * p;
	return 10 * p;
}

static int axes(buf *out, const chart *c, int64_t top, double plot_h)
{
	int rc = 0;
	for (int g = 0; g <= 4 && !rc; g++) {
		double y = PLOT_T + plot_h - plot_h * g / 4.0;
		rc = buf_printf(out,
				"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
				"class=\"chart-grid\"></line>",
				PLOT_L, WIDTH - PLOT_R, y, y);
		char v[I18N_NUMBER_MAX];
		i18n_number_to(c->lang, top * g / 4, v);
		if (!rc)
			rc = text(out, PLOT_L - 6, (int)y + 4, "end", "chart-axis", v);
	}
	return rc;
}

int chart_line(buf *out, const chart *c)
{
	if (!id_safe(c->id) || c->nseries != 1)
		return PONTE_EINVAL;
	int rc = open_svg(out, c, "chart-line", LINE_H);
	int64_t top = nice_ceiling(scale_max(c) > 0 ? scale_max(c) : 1);
	double plot_w = WIDTH - PLOT_L - PLOT_R, plot_h = LINE_H - PLOT_T - PLOT_B;
	if (!rc)
		rc = axes(out, c, top, plot_h);
	size_t every = c->nrows > 12 ? (c->nrows + 11) / 12 : 1;
	/* The line, broken where a count is withheld. */
	if (!rc)
		rc = buf_puts(out, "<path class=\"chart-s0-line\" d=\"");
	bool pen = false;
	for (size_t r = 0; r < c->nrows && !rc; r++) {
		double x = c->nrows > 1 ? PLOT_L + plot_w * (double)r / (double)(c->nrows - 1)
					: PLOT_L + plot_w / 2;
		if (withheld(c, r)) {
			pen = false;
			continue;
		}
		double y = PLOT_T + plot_h - plot_h * (double)c->values[r] / (double)top;
		rc = buf_printf(out, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
		pen = true;
	}
	if (!rc)
		rc = buf_puts(out, "\"></path>");
	for (size_t r = 0; r < c->nrows && !rc; r++) {
		double x = c->nrows > 1 ? PLOT_L + plot_w * (double)r / (double)(c->nrows - 1)
					: PLOT_L + plot_w / 2;
		if (r % every == 0)
			rc = text(out, (int)x, LINE_H - PLOT_B + 18, "middle", "chart-axis",
				  c->rows[r]);
		if (rc)
			break;
		if (withheld(c, r)) {
			rc = text(out, (int)x, (int)(PLOT_T + plot_h) - 4, "middle",
				  "chart-value chart-withheld", c->withheld_label);
			continue;
		}
		double y = PLOT_T + plot_h - plot_h * (double)c->values[r] / (double)top;
		rc = buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"chart-s0\">",
				x, y);
		if (!rc)
			rc = tooltip(out, c, r, 0, c->values[r], false);
		if (!rc)
			rc = buf_puts(out, "</circle>");
	}
	return rc ? rc : buf_puts(out, "</svg>");
}
