/* The observatory's dashboard and annual report: charts drawn on the server from protected
 * cross-tabulations, each with its data table and its CSV/XLSX download.
 *
 * Every number shown, drawn or downloaded comes from obs_stats(), perturbed by the cell key
 * method, with the threshold of the instance (setting obs_min_count, default 5): a cell whose
 * perturbed count is below it is "<5" in tables and files and is never drawn (chart.h). */
#include "base/urlcode.h"
#include "base/utf8.h"
#include "chart/chart.h"
#include "export/export.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "map/map.h"
#include "obs/obs.h"
#include "services/services.h"
#include "web/web.h"

enum kind { K_LINE, K_BARS, K_STACKED, K_MAP };

static const struct chart_def {
	const char *id;
	const char *by[2];
	enum kind kind;
	const char *title;
	size_t top; /* bars drawn (the table has all); 0 = all */
	bool report;
} CHARTS[] = {
	{ "years", { "year", NULL }, K_LINE, N_("Registered victims by year"), 0, true },
	{ "exploitation", { "exploitation", NULL }, K_BARS, N_("Type of exploitation"), 0, true },
	{ "age-gender", { "age_band", "gender" }, K_STACKED, N_("Age and gender"), 0, true },
	{ "citizenship", { "citizenship", NULL }, K_BARS, N_("Citizenship"), 12, true },
	{ "countries",
	  { "country_of_exploitation", NULL },
	  K_MAP,
	  N_("Country of exploitation"),
	  0,
	  false },
	{ "control", { "control", NULL }, K_BARS, N_("Means of control"), 0, true },
	{ "status", { "status", NULL }, K_BARS, N_("Victim status"), 0, false },
	{ "flow", { "flow", NULL }, K_BARS, N_("Domestic or transnational"), 0, true },
	{ "source", { "source", NULL }, K_BARS, N_("Data source"), 0, false },
};

static const struct chart_def *chart_def(const char *id)
{
	for (size_t i = 0; id && i < ARRAY_LEN(CHARTS); i++)
		if (strcmp(CHARTS[i].id, id) == 0)
			return &CHARTS[i];
	return NULL;
}

/* ---- filters ---- */

struct filter {
	const char *year, *country; /* NULL: all */
	obs_scope scope;            /* the reader's: whose records are counted at all */
};

static const char *digits_or_null(const char *s, size_t max)
{
	if (!s || !*s || strlen(s) > max)
		return NULL;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return NULL;
	return s;
}

static int year_number(const char *s)
{
	return s ? (int)strtol(s, NULL, 10) : 0;
}

static const char *country_or_null(const char *s)
{
	return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
		   ? s
		   : NULL;
}

/* The filters chosen, within the scope of the reader's stats.read: every figure, list of
 * years and countries, download and indicator of these pages counts only the records of
 * that scope (a country's analyst: the records of that country's providers). */
static int read_filter(http_request *req, struct filter *f)
{
	const principal *p = principal_of(req);
	f->year = digits_or_null(http_query(req, "year"), 4);
	f->country = country_or_null(http_query(req, "country"));
	return obs_scope_of(principal_scope(p, "stats.read"), p->country, p->organisation_id,
			    &f->scope);
}

static const char *filter_query(http_request *req, const struct filter *f, const char *id)
{
	buf b;
	buf_init(&b, 256);
	int rc = buf_printf(&b, "?chart=%s", id);
	if (!rc && f->year)
		rc = buf_printf(&b, "&year=%s", f->year);
	if (!rc && f->country)
		rc = buf_printf(&b, "&country=%s", f->country);
	const char *s = rc ? "" : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return s;
}

/* ---- names ---- */

/* For the map: every country named in the reader's language, with data or not. */
static const char *map_name(const char *code, const void *ctx)
{
	return web_country_name(ctx, code);
}

/* What a value is called in the reader's language. */
static const char *value_label(http_request *req, const web_countries *names, const char *dim,
			       const char *code)
{
	if (strcmp(code, "missing") != 0 &&
	    (strcmp(dim, "citizenship") == 0 || strcmp(dim, "country_of_exploitation") == 0)) {
		const char *n = web_country_name(names, code);
		return n ? n : code;
	}
	const char *l = obs_label(code);
	return l ? tr(req->lang, l) : code;
}

/* ---- a table as a grid of rows x columns ---- */

struct grid {
	const struct chart_def *def;
	const char **rows, **cols; /* codes; cols[0] = NULL for one dimension */
	size_t nrows, ncols;
	int64_t *values;
	bool *withheld, *present;
	int64_t records;
	int64_t missing; /* the "missing" row of one dimension, -1 if withheld or absent */
	int64_t k;
};

static size_t index_of(const char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return n;
}

static int by_rank(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	int ra = obs_code_rank(a), rb = obs_code_rank(b);
	return ra != rb ? (ra < rb ? -1 : 1) : strcmp(a, b);
}

/* Published counts first, largest first; then the withheld ones by code (their order must
 * not follow their hidden counts); "missing" and "none" last. */
static int by_count(const void *x, const void *y)
{
	const obs_cell *a = x, *b = y;
	bool la = strcmp(a->value[0], "missing") == 0 || strcmp(a->value[0], "none") == 0;
	bool lb = strcmp(b->value[0], "missing") == 0 || strcmp(b->value[0], "none") == 0;
	if (la != lb)
		return la ? 1 : -1;
	if (a->suppressed != b->suppressed)
		return a->suppressed ? 1 : -1;
	if (!a->suppressed && a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->value[0], b->value[0]);
}

/* The counts of q within the filter: its country, and its year unless all_years (a trend shows
 * every year). */
static int filter_stats(http_request *req, const struct filter *f, bool all_years, obs_query *q,
			obs_cell **cells, size_t *n, int64_t *records)
{
	if (f->year && !all_years) {
		q->where_dim[q->nwhere] = "year";
		q->where_value[q->nwhere++] = f->year;
	}
	if (f->country) {
		q->where_dim[q->nwhere] = "country_of_exploitation";
		q->where_value[q->nwhere++] = f->country;
	}
	return obs_stats(&services_of(req)->env, req->arena, q, cells, n, records);
}

static int build_grid(http_request *req, const struct chart_def *d, const struct filter *f,
		      struct grid *g)
{
	obs_query q = { .by = { d->by[0], d->by[1] }, .scope = f->scope };
	q.suppress = setting_get_int(services_of(req)->db, "obs_min_count", 5);
	obs_cell *cells;
	size_t n;
	int rc = filter_stats(req, f, d->kind == K_LINE, &q, &cells, &n, &g->records);
	if (rc)
		return rc;
	*g = (struct grid){ .def = d, .records = g->records, .missing = -1, .k = q.suppress };
	bool ordered =
	    d->by[1] || strcmp(d->by[0], "year") == 0 || strcmp(d->by[0], "age_band") == 0;
	if (!ordered)
		qsort(cells, n, sizeof(*cells), by_count);
	g->rows = arena_calloc(req->arena, n + 1, sizeof(*g->rows));
	g->cols = arena_calloc(req->arena, n + 1, sizeof(*g->cols));
	if (!g->rows || !g->cols)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (index_of(g->rows, g->nrows, cells[i].value[0]) == g->nrows)
			g->rows[g->nrows++] = cells[i].value[0];
		if (d->by[1] && index_of(g->cols, g->ncols, cells[i].value[1]) == g->ncols)
			g->cols[g->ncols++] = cells[i].value[1];
	}
	if (!d->by[1])
		g->ncols = 1;
	if (ordered) {
		qsort(g->rows, g->nrows, sizeof(*g->rows), by_rank);
		if (d->by[1])
			qsort(g->cols, g->ncols, sizeof(*g->cols), by_rank);
	}
	if (g->ncols > CHART_MAX_SERIES)
		g->ncols = CHART_MAX_SERIES; /* a stacked chart's series are few: gender */
	size_t cellsn = g->nrows * g->ncols + 1;
	g->values = arena_calloc(req->arena, cellsn, sizeof(*g->values));
	g->withheld = arena_calloc(req->arena, cellsn, sizeof(*g->withheld));
	g->present = arena_calloc(req->arena, cellsn, sizeof(*g->present));
	if (!g->values || !g->withheld || !g->present)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t r = index_of(g->rows, g->nrows, cells[i].value[0]);
		size_t c = d->by[1] ? index_of(g->cols, g->ncols, cells[i].value[1]) : 0;
		if (r == g->nrows || c == g->ncols)
			continue;
		g->values[r * g->ncols + c] = cells[i].count;
		g->withheld[r * g->ncols + c] = cells[i].suppressed;
		g->present[r * g->ncols + c] = true;
		if (!d->by[1] && strcmp(cells[i].value[0], "missing") == 0 && !cells[i].suppressed)
			g->missing = cells[i].count;
	}
	if (!d->by[1] && index_of(g->rows, g->nrows, "missing") == g->nrows)
		g->missing = 0;
	return 0;
}

/* "12.5%", "12,5 %" from a share (0..1), as the reader's language writes a percentage. */
static const char *share_text(http_request *req, double share)
{
	return i18n_percent(req->arena, req->lang, 100.0 * share, 1);
}

/* Where a table goes: the page (labels), a CSV file (codes and labels) or a spreadsheet
 * (codes, labels, and percentages as numbers for the spreadsheet to format). */
enum table_form { FOR_PAGE, FOR_CSV, FOR_XLSX };

/* The percentage of count in base, as the form shows it; "" when the base is too small to
 * publish. */
static const char *percent(http_request *req, enum table_form form, int64_t count, int64_t base,
			   int64_t k)
{
	if (base <= 0 || base < k)
		return "";
	double share = obs_fraction(count, base);
	return form == FOR_XLSX ? arena_printf(req->arena, "%.6f", share) : share_text(req, share);
}

/* On the page as the reader writes numbers ("1 664"); in a download as a program reads them. */
static const char *count_text(http_request *req, const struct grid *g, size_t i,
			      enum table_form form)
{
	if (!g->present[i])
		return "0";
	if (g->withheld[i])
		return arena_printf(req->arena, "<%lld", (long long)g->k);
	return form == FOR_PAGE ? web_count(req, g->values[i])
				: arena_printf(req->arena, "%lld", (long long)g->values[i]);
}

/* ---- the table beside each chart (and in the downloads) ---- */

/* One dimension: value, count, percent of records, percent of informed records. Two: one
 * row per pair. Labels in the reader's language. */
typedef int (*row_fn)(const char *const *cells, const xlsx_type *types, size_t n, void *ctx);

/* The method in the reader's language, as the page says it (obs_method.html): a download
 * carries it on its last row. */
static const char *method_note(http_request *req, int64_t k)
{
	int lang = req->lang;
	const char *m = i18n_before_mark(lang);
	return arena_printf(
	    req->arena, "%s %s%s: ±%d. %s%s: %lld%s; <%lld%s: %s (%s %lld).",
	    tr(lang, N_("Every count is perturbed by the cell key method: the same victims always "
			"give the same figure, on every page and in every release, so that "
			"subtracting one figure from another gives noise, not a count.")),
	    tr(lang, N_("Largest change to a count")), m, OBS_CKM_D, tr(lang, N_("Threshold")), m,
	    (long long)k, m, (long long)k, m,
	    tr(lang, N_("not shown, because the perturbed count is below the threshold")),
	    tr(lang, N_("at most")), (long long)(k - 1 + OBS_CKM_D));
}

static int table_rows(http_request *req, const web_countries *names, const struct grid *g,
		      enum table_form form, row_fn fn, void *ctx)
{
	const struct chart_def *d = g->def;
	int lang = req->lang;
	bool codes = form != FOR_PAGE;
	const char *head[8];
	xlsx_type types[8];
	size_t nh = 0;
	if (codes)
		head[nh++] = d->by[0];
	head[nh++] = tr(lang, obs_dimension_label(d->by[0]));
	if (d->by[1]) {
		if (codes)
			head[nh++] = d->by[1];
		head[nh++] = tr(lang, obs_dimension_label(d->by[1]));
	}
	head[nh++] = tr(lang, N_("Victims"));
	if (!d->by[1]) {
		head[nh++] = tr(lang, N_("% of records"));
		head[nh++] = tr(lang, N_("% of records where known"));
	}
	if (codes) /* Eurostat's flag: c, withheld */
		head[nh++] = "flag";
	int rc = fn(head, NULL, nh, ctx);
	int64_t informed = g->missing >= 0 ? g->records - g->missing : -1;
	for (size_t r = 0; r < g->nrows && !rc; r++)
		for (size_t c = 0; c < g->ncols && !rc; c++) {
			size_t i = r * g->ncols + c;
			if (d->by[1] && !g->present[i])
				continue;
			const char *cells[8];
			size_t nc = 0;
			for (size_t k = 0; k < ARRAY_LEN(types); k++)
				types[k] = XLSX_TEXT; /* codes and labels, years included */
			if (codes)
				cells[nc++] = g->rows[r];
			cells[nc++] = value_label(req, names, d->by[0], g->rows[r]);
			if (d->by[1]) {
				if (codes)
					cells[nc++] = g->cols[c];
				cells[nc++] = value_label(req, names, d->by[1], g->cols[c]);
			}
			types[nc] = XLSX_NUMBER; /* "<5" stays text */
			cells[nc++] = count_text(req, g, i, form);
			if (!d->by[1]) {
				bool shown = !g->withheld[i];
				bool missing = strcmp(g->rows[r], "missing") == 0;
				types[nc] = types[nc + 1] = XLSX_PERCENT;
				cells[nc++] =
				    shown ? percent(req, form, g->values[i], g->records, g->k) : "";
				cells[nc++] = shown && !missing && informed >= 0
						  ? percent(req, form, g->values[i], informed, g->k)
						  : "";
			}
			if (codes)
				cells[nc++] = g->withheld[i] ? OBS_FLAG_WITHHELD : "";
			rc = fn(cells, types, nc, ctx);
		}
	if (!rc && codes) {
		const char *note = method_note(req, g->k);
		rc = note ? fn(&note, NULL, 1, ctx) : PONTE_ENOMEM;
	}
	return rc;
}

struct html_table {
	tpl_vars *v;
	tpl_list *rows;
	bool head_done;
};

static int add_html_row(const char *const *cells, const xlsx_type *types, size_t n, void *ctx)
{
	(void)types;
	struct html_table *t = ctx;
	tpl_list *l = t->head_done ? tpl_set_list(tpl_list_add(t->rows), "cells")
				   : tpl_set_list(t->v, "head");
	if (!l)
		return PONTE_ENOMEM;
	t->head_done = true;
	for (size_t i = 0; i < n; i++)
		tpl_set(tpl_list_add(l), "text", cells[i]);
	return 0;
}

/* ---- drawing ---- */

static int draw_map(http_request *req, const web_countries *names, const struct grid *g, buf *svg,
		    tpl_vars *v)
{
	map_area *areas = arena_calloc(req->arena, g->nrows + 1, sizeof(*areas));
	if (!areas)
		return PONTE_ENOMEM;
	int64_t max = 0;
	for (size_t r = 0; r < g->nrows; r++)
		if (!g->withheld[r] && g->values[r] > max)
			max = g->values[r];
	size_t n = 0;
	for (size_t r = 0; r < g->nrows; r++) {
		if (strcmp(g->rows[r], "missing") == 0)
			continue;
		map_area *a = &areas[n++];
		a->country = g->rows[r];
		a->name = value_label(req, names, g->def->by[0], g->rows[r]);
		a->label = count_text(req, g, r, FOR_PAGE);
		/* Withheld: the lightest colour, which the legend calls "fewer than K". */
		a->level = g->withheld[r]                ? 1
			   : g->values[r] * 3 <= max     ? 2
			   : g->values[r] * 3 <= max * 2 ? 3
							 : 4;
	}
	tpl_set(v, "legend_1", arena_printf(req->arena, "<%lld", (long long)g->k));
	tpl_set(v, "legend_2", arena_printf(req->arena, "≤ %s", web_count(req, max / 3)));
	tpl_set(v, "legend_3", arena_printf(req->arena, "≤ %s", web_count(req, max * 2 / 3)));
	tpl_set(v, "legend_4", arena_printf(req->arena, "≤ %s", web_count(req, max)));
	tpl_set_bool(v, "is_map", true);
	return map_svg(svg, arena_printf(req->arena, "chart-%s", g->def->id),
		       tr(req->lang, g->def->title),
		       tr(req->lang, N_("Map of Africa and Europe. The same figures are in the "
					"table below the map.")),
		       areas, n, map_name, names, req->lang);
}

static int draw(http_request *req, const web_countries *names, const struct grid *g, buf *svg,
		tpl_vars *v)
{
	const struct chart_def *d = g->def;
	if (d->kind == K_MAP)
		return draw_map(req, names, g, svg, v);
	size_t nrows = d->top && g->nrows > d->top ? d->top : g->nrows;
	const char **rows = arena_calloc(req->arena, nrows + 1, sizeof(*rows));
	const char **series = arena_calloc(req->arena, g->ncols + 1, sizeof(*series));
	if (!rows || !series)
		return PONTE_ENOMEM;
	for (size_t r = 0; r < nrows; r++)
		rows[r] = value_label(req, names, d->by[0], g->rows[r]);
	for (size_t c = 0; d->by[1] && c < g->ncols; c++)
		series[c] = value_label(req, names, d->by[1], g->cols[c]);
	chart c = { .id = arena_printf(req->arena, "chart-%s", d->id),
		    .title = tr(req->lang, d->title),
		    .desc = tr(req->lang, N_("The same figures are in the table below the "
					     "chart.")),
		    .rows = rows,
		    .nrows = nrows,
		    .series = d->by[1] ? series : NULL,
		    .nseries = g->ncols,
		    .values = g->values,
		    .withheld = g->withheld,
		    .withheld_label = arena_printf(req->arena, "<%lld", (long long)g->k),
		    .partial_label = tr(req->lang, N_("small counts not drawn")),
		    .lang = req->lang };
	if (d->top && g->nrows > d->top)
		tpl_set(v, "top_note",
			arena_printf(req->arena, "%s%s: %zu",
				     tr(req->lang, N_("Largest groups drawn")),
				     i18n_before_mark(req->lang), d->top));
	return d->kind == K_LINE ? chart_line(svg, &c) : chart_bars(svg, &c);
}

/* ---- the page ---- */

static int add_chart(http_request *req, const web_countries *names, const struct filter *f,
		     const struct chart_def *d, tpl_list *charts, struct grid *g)
{
	int rc = build_grid(req, d, f, g);
	if (rc)
		return rc;
	tpl_vars *v = tpl_list_add(charts);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", d->id);
	tpl_set(v, "title", tr(req->lang, d->title));
	if (d->kind == K_LINE && f->year)
		tpl_set(v, "note",
			tr(req->lang, N_("Every year is shown, whatever the year "
					 "chosen.")));
	if (!g->nrows) {
		tpl_set_bool(v, "empty", true);
		return 0;
	}
	buf svg;
	buf_init(&svg, 4u << 20);
	rc = draw(req, names, g, &svg, v);
	if (!rc)
		rc = tpl_set_html(v, "svg", arena_strndup(req->arena, svg.data, svg.len), svg.len);
	buf_release(&svg);
	if (rc == PONTE_ENOTFOUND) /* no outlines embedded: the table stands alone */
		rc = 0;
	struct html_table t = { v, tpl_set_list(v, "rows"), false };
	if (!rc)
		rc = table_rows(req, names, g, FOR_PAGE, add_html_row, &t);
	const char *q = filter_query(req, f, d->id);
	tpl_set(v, "csv_url", arena_printf(req->arena, "/observatory/data.csv%s", q));
	tpl_set(v, "xlsx_url", arena_printf(req->arena, "/observatory/data.xlsx%s", q));
	return rc;
}

struct option {
	const char *value, *name;
};

static int by_name(const void *a, const void *b)
{
	return utf8_collate(((const struct option *)a)->name, ((const struct option *)b)->name);
}

static int by_name_arabic_first(const void *a, const void *b)
{
	return utf8_collate_arabic_first(((const struct option *)a)->name,
					 ((const struct option *)b)->name);
}

static void add_filters(http_request *req, tpl_vars *v, const web_countries *names,
			const struct filter *f)
{
	/* The years and countries that have records in scope, whatever their counts. */
	obs_query q = { .by = { "year", NULL }, .scope = f->scope };
	obs_cell *cells;
	size_t n;
	int64_t records;
	tpl_list *years = tpl_set_list(v, "years");
	if (obs_stats(&services_of(req)->env, req->arena, &q, &cells, &n, &records) == 0)
		for (size_t i = n; i-- > 0;) {
			if (strcmp(cells[i].value[0], "missing") == 0)
				continue;
			tpl_vars *o = tpl_list_add(years);
			tpl_set(o, "value", cells[i].value[0]);
			tpl_set_bool(o, "selected",
				     f->year && strcmp(f->year, cells[i].value[0]) == 0);
		}
	q.by[0] = "country_of_exploitation";
	tpl_list *countries = tpl_set_list(v, "countries");
	struct option *opts = NULL;
	size_t nopts = 0;
	if (obs_stats(&services_of(req)->env, req->arena, &q, &cells, &n, &records) == 0 &&
	    (opts = arena_calloc(req->arena, n ? n : 1, sizeof(*opts))))
		for (size_t i = 0; i < n; i++)
			if (strcmp(cells[i].value[0], "missing") != 0)
				opts[nopts++] =
				    (struct option){ cells[i].value[0],
						     value_label(req, names,
								 "country_of_exploitation",
								 cells[i].value[0]) };
	/* By name, as the reader's alphabet orders them, not by code. */
	if (opts)
		qsort(opts, nopts, sizeof(*opts),
		      i18n_arabic_script(i18n_lang(req->lang)->code) ? by_name_arabic_first
								     : by_name);
	for (size_t i = 0; i < nopts; i++) {
		tpl_vars *o = tpl_list_add(countries);
		tpl_set(o, "value", opts[i].value);
		tpl_set(o, "name", opts[i].name);
		tpl_set_bool(o, "selected", f->country && strcmp(f->country, opts[i].value) == 0);
	}
	if (f->year)
		tpl_set(v, "year", f->year);
	if (f->country) {
		tpl_set(v, "country", f->country);
		tpl_set(v, "country_name",
			value_label(req, names, "country_of_exploitation", f->country));
	}
}

/* Whose records the reader sees, said on the page: a country's analyst must not take the
 * figures of that country's providers for every provider's. */
static int add_scope(http_request *req, tpl_vars *v, const web_countries *names, const obs_scope *s)
{
	if (s->country) {
		tpl_set(v, "scope_country",
			value_label(req, names, "country_of_exploitation", s->country));
		return 0;
	}
	if (s->provider) {
		organisation o;
		int rc = org_get(services_of(req)->db, req->arena, s->provider, &o);
		if (rc)
			return rc;
		tpl_set(v, "scope_provider", arena_printf(req->arena, "%s (%s)", o.name, o.code));
	}
	return 0;
}

/* The published counts behind a headline share (perturbed, none withheld): records in the
 * filter, those where dim is known, and those with code. obs_share_of() decides what of them
 * may be shown. */
struct share_counts {
	int64_t with, known, records;
};

static int share_counts(http_request *req, const struct filter *f, const char *dim,
			const char *code, struct share_counts *e)
{
	obs_query q = { .by = { dim, NULL }, .scope = f->scope }; /* suppress 0: none withheld */
	obs_cell *cells;
	size_t n;
	int rc = filter_stats(req, f, false, &q, &cells, &n, &e->records);
	if (rc)
		return rc;
	int64_t missing = 0;
	e->with = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cells[i].value[0], code) == 0)
			e->with = cells[i].count;
		if (strcmp(cells[i].value[0], "missing") == 0)
			missing = cells[i].count;
	}
	e->known = e->records - missing;
	return 0;
}

/* The same counts read from a chart of the same page, drawn from the same query: its
 * published values, withheld ones included (a share of them is decided by obs_share_of()),
 * without counting the records again. */
static void grid_share_counts(const struct grid *g, const char *code, struct share_counts *e)
{
	*e = (struct share_counts){ .records = g->records };
	int64_t missing = 0;
	for (size_t r = 0; r < g->nrows; r++) {
		if (strcmp(g->rows[r], code) == 0)
			e->with = g->values[r];
		if (strcmp(g->rows[r], "missing") == 0)
			missing = g->values[r];
	}
	e->known = e->records - missing;
}

/* A headline share (name: "children", "labour") and, beside it, what it is a share of when
 * that is not the usual, or why there is none: a dash is never left unexplained.
 * withheld_in_chart: the count with the value is withheld in a chart of the same page, where
 * the share would give it away. */
static void headline_share(http_request *req, tpl_vars *v, const char *name,
			   const struct share_counts *e, int64_t k, bool withheld_in_chart)
{
	obs_share s = obs_share_of(e->with, e->known, e->records, k);
	if (withheld_in_chart && (s.kind == OBS_SHARE_OF_KNOWN || s.kind == OBS_SHARE_OF_ALL))
		s.kind = OBS_SHARE_SMALL_COUNT;
	const char *why = NULL;
	bool threshold = false;
	switch (s.kind) {
	case OBS_SHARE_OF_KNOWN: break;
	case OBS_SHARE_OF_ALL:
		why = N_("of all records, as it is not recorded for fewer records than the "
			 "threshold");
		threshold = true;
		break;
	case OBS_SHARE_NO_RECORDS: why = N_("no data"); break;
	case OBS_SHARE_FEW_RECORDS:
		why = N_("withheld: fewer records than the threshold");
		threshold = true;
		break;
	case OBS_SHARE_NOT_KNOWN: why = N_("not recorded for any record"); break;
	case OBS_SHARE_SMALL_COUNT:
		why = N_("withheld: it would reveal a count below the threshold");
		threshold = true;
		break;
	}
	if (s.kind == OBS_SHARE_OF_KNOWN || s.kind == OBS_SHARE_OF_ALL)
		tpl_set(v, name, share_text(req, s.value));
	if (why)
		tpl_set(v, arena_printf(req->arena, "%s_why", name),
			threshold ? arena_printf(req->arena, "%s (%lld)", tr(req->lang, why),
						 (long long)k)
				  : tr(req->lang, why));
}

/* The report's comparison with the year before and the identification ratio. */
struct yearly {
	http_request *req;
	tpl_vars *v;
	int year;
	int64_t k;
};

static int add_yearly(const obs_indicator *x, void *ctx)
{
	struct yearly *y = ctx;
	arena *a = y->req->arena;
	if (x->year == y->year - 1)
		tpl_set(y->v, "previous",
			x->records >= y->k ? web_count(y->req, x->records)
					   : arena_printf(a, "<%lld", (long long)y->k));
	if (x->year != y->year || !x->estimate)
		return 0;
	tpl_set(y->v, "estimate", web_count(y->req, x->estimate));
	if (x->records >= y->k) { /* 0.4 % needs two decimals */
		tpl_set(y->v, "identified",
			i18n_percent(a, y->req->lang,
				     100.0 * (double)x->records / (double)x->estimate, 2));
	} else {
		tpl_set(
		    y->v, "identified_why",
		    arena_printf(a, "%s (%lld)",
				 tr(y->req->lang, N_("withheld: fewer records than the threshold")),
				 (long long)y->k));
	}
	return 0;
}

static int render(http_request *req, http_response *res, bool report)
{
	struct filter f;
	int rc = read_filter(req, &f);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	const web_countries *names = web_countries_of(req);
	if (!v || !names)
		return PONTE_ENOMEM;
	add_filters(req, v, names, &f);
	if ((rc = add_scope(req, v, names, &f.scope)))
		return rc;
	tpl_set_bool(v, "report", report);
	if (report && (!f.year || !f.country)) {
		tpl_set_bool(v, "choose", true);
		return web_render_page(req, res, "obs_report", N_("Annual report"), v);
	}
	tpl_list *charts = tpl_set_list(v, "charts");
	struct grid g, exploitation = { 0 };
	for (size_t i = 0; i < ARRAY_LEN(CHARTS) && !rc; i++)
		if (!report || CHARTS[i].report) {
			rc = add_chart(req, names, &f, &CHARTS[i], charts, &g);
			if (strcmp(CHARTS[i].id, "exploitation") == 0)
				exploitation = g; /* its arrays live in the request's arena */
		}
	if (rc)
		return rc;
	/* Headline figures: the number of records under the threshold, the shares as
	 * obs_share_of() allows them; forced labour is also a bar of the exploitation chart,
	 * whose suppression the share must not undo, and its counts are that chart's. */
	struct share_counts children, labour;
	if (!exploitation.def &&
	    (rc = build_grid(req, chart_def("exploitation"), &f, &exploitation)))
		return rc;
	if ((rc = share_counts(req, &f, "majority", "minor", &children)))
		return rc;
	grid_share_counts(&exploitation, "forced_labour", &labour);
	int64_t k = exploitation.k;
	tpl_set(v, "records",
		children.records >= k || !children.records
		    ? web_count(req, children.records)
		    : arena_printf(req->arena, "<%lld", (long long)k));
	headline_share(req, v, "children", &children, k, false);
	size_t fl = index_of(exploitation.rows, exploitation.nrows, "forced_labour");
	headline_share(req, v, "labour", &labour, k,
		       fl < exploitation.nrows && exploitation.withheld[fl]);
	tpl_set(v, "k", arena_printf(req->arena, "%lld", (long long)k));
	/* The method (obs_method.html): a withheld count stands for at most k - 1 + D. */
	tpl_set(v, "ckm_d", arena_printf(req->arena, "%d", OBS_CKM_D));
	tpl_set(v, "k_max", arena_printf(req->arena, "%lld", (long long)(k - 1 + OBS_CKM_D)));
	if (report) {
		struct yearly y = { req, v, year_number(f.year), k };
		if ((rc =
			 obs_indicators(services_of(req)->db, &f.scope, f.country, add_yearly, &y)))
			return rc;
	}
	const char *title = report ? N_("Annual report") : N_("Observatory dashboard");
	return web_render_page(req, res, report ? "obs_report" : "obs_dashboard", title, v);
}

int web_obs_dashboard(http_request *req, http_response *res)
{
	if (obs_dp_only(services_of(req)->db))
		return web_obs_dp_only(req, res);
	return render(req, res, false);
}

int web_obs_report(http_request *req, http_response *res)
{
	if (obs_dp_only(services_of(req)->db))
		return web_obs_dp_only(req, res);
	return render(req, res, true);
}

/* ---- downloads: the numbers behind one chart ---- */

struct file_rows {
	buf *csv;
	xlsx *sheet;
};

static int add_file_row(const char *const *cells, const xlsx_type *types, size_t n, void *ctx)
{
	struct file_rows *t = ctx;
	return t->csv ? export_csv_row(t->csv, cells, n)
		      : xlsx_row_typed(t->sheet, cells, types, n);
}

static int download(http_request *req, http_response *res, bool spreadsheet)
{
	const struct chart_def *d = chart_def(http_query(req, "chart"));
	if (!d)
		return PONTE_ENOTFOUND;
	struct filter f;
	int rc = read_filter(req, &f);
	struct grid g;
	if (!rc)
		rc = build_grid(req, d, &f, &g);
	if (rc)
		return rc;
	xlsx sheet;
	xlsx_init(&sheet, 16u << 20);
	struct file_rows t = { spreadsheet ? NULL : &res->body, &sheet };
	rc = spreadsheet ? 0 : export_csv_begin(&res->body);
	if (!rc)
		rc = table_rows(req, web_countries_of(req), &g, spreadsheet ? FOR_XLSX : FOR_CSV,
				add_file_row, &t);
	if (!rc && spreadsheet)
		rc = xlsx_finish(&sheet, tr(req->lang, d->title), &res->body);
	xlsx_release(&sheet);
	if (rc)
		return rc;
	res->content_type =
	    spreadsheet ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			: "text/csv; charset=utf-8";
	http_set_header(res, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"ponte-%s%s%s.%s\"", d->id,
				     f.year ? "-" : "", f.year ? f.year : "",
				     spreadsheet ? "xlsx" : "csv"));
	return 0;
}

int web_obs_data_csv(http_request *req, http_response *res)
{
	if (obs_dp_only(services_of(req)->db))
		return web_obs_dp_only(req, res);
	return download(req, res, false);
}

int web_obs_data_xlsx(http_request *req, http_response *res)
{
	if (obs_dp_only(services_of(req)->db))
		return web_obs_dp_only(req, res);
	return download(req, res, true);
}
