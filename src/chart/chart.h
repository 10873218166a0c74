/*
 * chart.h: bar, stacked-bar and time-series charts as inline SVG, drawn on the server.
 *
 * Invariants:
 * - Every chart has an accessible name (title) and description, and every mark a <title>
 *   tooltip with its label and value; colours come from CSS classes (chart-s0 .. chart-s5),
 *   so print styles and contrast themes can change them. Callers put a data table beside the
 *   chart: a shape is never the only way to read a number.
 * - A bar label is never cut by the edge of the chart: it wraps at spaces on up to three lines
 *   that fit the label area (French and Portuguese labels run long), ends with "…" only beyond
 *   that, and carries the whole label in its <title>.
 * - A withheld count (small-cell suppression) is never drawn as a number: it has no bar, no
 *   segment and no point, only the withheld label (e.g. "<5"); a stacked bar holding one is
 *   drawn from the published segments only and says so in its tooltip; a time series breaks
 *   its line there.
 * - Every string is HTML-escaped; ids must be [a-z0-9-] (they are checked).
 */
#ifndef PONTE_CHART_H
#define PONTE_CHART_H

#include "base/buf.h"

#define CHART_MAX_SERIES 6

typedef struct chart {
	const char *id; /* unique on the page: title and description ids derive from it */
	const char *title, *desc;
	const char *const *rows; /* bar labels, or the x positions of a time series */
	size_t nrows;
	const char *const *series; /* segment names of stacked bars; NULL for one series */
	size_t nseries;            /* 1 .. CHART_MAX_SERIES */
	const int64_t *values;     /* nrows * nseries, row-major */
	const bool *withheld;      /* likewise, or NULL */
	const char *withheld_label;
	const char *partial_label; /* tooltip of a stacked bar missing withheld segments */
	int lang;                  /* the language its figures are written in ("5 208") */
} chart;

/* Horizontal bars: one per row; stacked when nseries > 1, with a legend. */
int chart_bars(buf *out, const chart *c);
/* A line over the rows in order (one series). */
int chart_line(buf *out, const chart *c);

#endif
