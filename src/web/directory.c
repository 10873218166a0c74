/* The focal-point directory pages: list with map, one entry with its rotation, the forms,
 * and the CSV/XLSX downloads. */
#include "directory/directory.h"
#include "base/urlcode.h"
#include "export/export.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "map/map.h"
#include "services/services.h"
#include "web/web.h"

/* ---- country names in the reader's language ---- */

static const char *name_of(const web_countries *c, const char *code)
{
	const char *name = web_country_name(c, code);
	return name ? name : code;
}

/* For the map: every country named in the reader's language, with data or not. */
static const char *map_name(const char *code, const void *ctx)
{
	return web_country_name(ctx, code);
}

static void add_mandates(http_request *req, tpl_vars *v, const char *selected)
{
	size_t n;
	const fp_code *m = fp_mandates(&n);
	tpl_list *l = tpl_set_list(v, "mandates");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *o = tpl_list_add(l);
		tpl_set(o, "code", m[i].code);
		tpl_set(o, "name", tr(req->lang, m[i].label));
		tpl_set_bool(o, "selected", selected && strcmp(selected, m[i].code) == 0);
	}
}

static const char *current_holder(const focal_point *f)
{
	return f->nholders && !*f->holders[0].ended_on ? f->holders[0].name : "";
}

/* ---- list ---- */

struct list {
	http_request *req;
	tpl_list *rows;
	const web_countries *names;
	/* per country: which mandates have an entry (bit per mandate) */
	const char *country[300];
	unsigned mandates[300];
	size_t ncountries;
	size_t total;
};

static unsigned mandate_bit(const char *code)
{
	size_t n;
	const fp_code *m = fp_mandates(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].code, code) == 0)
			return 1u << i;
	return 0;
}

static int add_row(const focal_point *f, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	if (!v)
		return PONTE_ENOMEM;
	l->total++;
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)f->id));
	tpl_set(v, "country", name_of(l->names, f->country));
	tpl_set(v, "institution", f->organisation_name);
	tpl_set(v, "mandate", tr(req->lang, fp_mandate_label(f->mandate)));
	tpl_set(v, "holder", current_holder(f));
	tpl_set(v, "mailbox", f->mailbox);
	tpl_set(v, "phone", f->phone);
	web_set_when(req, v, "verified_on", f->verified_on, false);
	tpl_set_bool(v, "stale", f->stale);
	size_t i = 0;
	while (i < l->ncountries && strcmp(l->country[i], f->country) != 0)
		i++;
	if (i == l->ncountries && i < ARRAY_LEN(l->country))
		l->country[l->ncountries++] = f->country;
	if (i < ARRAY_LEN(l->country))
		l->mandates[i] |= mandate_bit(f->mandate);
	return 0;
}

static int popcount(unsigned v)
{
	int n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* The map: with a mandate chosen, whether each country has it; otherwise how many of the
 * five mandates each country covers. */
static int render_map(http_request *req, tpl_vars *v, const struct list *l, const char *mandate)
{
	map_area *areas =
	    arena_calloc(req->arena, l->ncountries ? l->ncountries : 1, sizeof(*areas));
	if (!areas)
		return PONTE_ENOMEM;
	tpl_list *legend_rows = tpl_set_list(v, "map_rows");
	for (size_t i = 0; i < l->ncountries; i++) {
		int count = popcount(l->mandates[i]);
		areas[i].country = l->country[i];
		areas[i].name = name_of(l->names, l->country[i]);
		areas[i].level = mandate ? 4 : count >= 5 ? 4 : count >= 3 ? 3 : count;
		areas[i].label = mandate ? tr(req->lang, N_("has a focal point"))
					 : arena_printf(req->arena, "%d/5", count);
		tpl_vars *r = tpl_list_add(legend_rows);
		tpl_set(r, "country", areas[i].name);
		tpl_set(r, "value", areas[i].label);
		tpl_set_bool(r, "off_map", !map_has_country(l->country[i]));
	}
	buf svg;
	buf_init(&svg, 1u << 20);
	const char *title = mandate ? tr(req->lang, N_("Countries with a focal point for this "
						       "mandate"))
				    : tr(req->lang, N_("Mandates covered by focal points, by "
						       "country"));
	int rc = map_svg(&svg, "fp-map", title,
			 tr(req->lang, N_("Map of Africa and Europe. The same figures are in the "
					  "table below the map.")),
			 areas, l->ncountries, map_name, l->names, req->lang);
	if (!rc)
		rc = tpl_set_html(v, "map", svg.data, svg.len);
	tpl_set(v, "map_title", title);
	buf_release(&svg);
	return rc == PONTE_ENOTFOUND ? 0 : rc;
}

static const char *filter_query(http_request *req, const fp_filter *f)
{
	buf b;
	buf_init(&b, 1024);
	int rc = buf_puts(&b, "?");
	if (!rc && f->country && *f->country) {
		rc = buf_puts(&b, "country=");
		if (!rc)
			rc = url_encode_component(&b, f->country, strlen(f->country));
	}
	if (!rc && f->mandate && *f->mandate) {
		rc = buf_puts(&b, "&mandate=");
		if (!rc)
			rc = url_encode_component(&b, f->mandate, strlen(f->mandate));
	}
	const char *s = rc ? "" : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return s;
}

static void read_filter(http_request *req, fp_filter *f)
{
	f->country = http_query(req, "country");
	f->mandate = http_query(req, "mandate");
	f->stale_only = http_query(req, "stale") != NULL;
	f->lang = i18n_lang(req->lang)->code;
	if (f->country && !*f->country)
		f->country = NULL;
	if (f->mandate && !*f->mandate)
		f->mandate = NULL;
}

int web_directory(http_request *req, http_response *res)
{
	fp_filter f;
	read_filter(req, &f);
	tpl_vars *v = tpl_vars_new(req->arena);
	struct list *l = arena_calloc(req->arena, 1, sizeof(*l));
	if (!v || !l)
		return PONTE_ENOMEM;
	l->req = req;
	l->rows = tpl_set_list(v, "rows");
	l->names = web_countries_of(req);
	int rc = fp_list(&services_of(req)->env, req->arena, &f, add_row, l);
	if (!rc)
		rc = render_map(req, v, l, f.mandate);
	if (rc)
		return rc;
	add_mandates(req, v, f.mandate);
	tpl_list *countries = tpl_set_list(v, "countries");
	for (size_t i = 0; l->names && i < l->names->n; i++) {
		tpl_vars *o = tpl_list_add(countries);
		tpl_set(o, "code", l->names->code[i]);
		tpl_set(o, "name", l->names->name[i]);
		tpl_set_bool(o, "selected", f.country && strcmp(f.country, l->names->code[i]) == 0);
	}
	tpl_set(v, "total", web_count(req, (int64_t)l->total));
	const principal *p = principal_of(req);
	tpl_set_bool(v, "can_manage", principal_scope(p, "directory.manage") >= SCOPE_COUNTRY);
	int64_t stale = fp_stale_count(&services_of(req)->env, p);
	if (stale)
		tpl_set(v, "stale_count", web_count(req, stale));
	tpl_set_bool(v, "stale_only", f.stale_only);
	const char *q = filter_query(req, &f);
	tpl_set(v, "csv_url", arena_printf(req->arena, "/directory/export.csv%s", q));
	tpl_set(v, "xlsx_url", arena_printf(req->arena, "/directory/export.xlsx%s", q));
	return web_render_page(req, res, "directory", N_("Focal-point directory"), v);
}

/* ---- downloads ---- */

struct table {
	http_request *req;
	const web_countries *names;
	buf *csv;
	xlsx *sheet;
};

static int add_table_row(const focal_point *f, void *ctx)
{
	struct table *t = ctx;
	int lang = t->req->lang;
	const char *cells[] = { f->country,
				name_of(t->names, f->country),
				f->organisation_name,
				f->organisation_code,
				tr(lang, fp_mandate_label(f->mandate)),
				current_holder(f),
				f->languages,
				f->mailbox,
				f->phone,
				f->instance_url,
				f->verified_on,
				f->stale ? tr(lang, N_("Yes")) : tr(lang, N_("No")) };
	/* For a spreadsheet: text (phone numbers too), and the date of verification a date. */
	static const xlsx_type TYPES[ARRAY_LEN(cells)] = {
		XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT,
		XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_DATE, XLSX_TEXT,
	};
	return t->csv ? export_csv_row(t->csv, cells, ARRAY_LEN(cells))
		      : xlsx_row_typed(t->sheet, cells, TYPES, ARRAY_LEN(cells));
}

static int export_table(http_request *req, http_response *res, bool spreadsheet)
{
	fp_filter f;
	read_filter(req, &f);
	int lang = req->lang;
	const char *head[] = {
		tr(lang, N_("Country code")),  tr(lang, N_("Country")),
		tr(lang, N_("Institution")),   tr(lang, N_("Organisation code")),
		tr(lang, N_("Mandate")),       tr(lang, N_("Current holder")),
		tr(lang, N_("Languages")),     tr(lang, N_("Functional mailbox")),
		tr(lang, N_("Phone")),         tr(lang, N_("Ponte instance")),
		tr(lang, N_("Last verified")), tr(lang, N_("Not verified for 12 months"))
	};
	xlsx sheet;
	xlsx_init(&sheet, 16u << 20);
	struct table t = { req, web_countries_of(req), spreadsheet ? NULL : &res->body, &sheet };
	int rc =
	    spreadsheet ? xlsx_row(&sheet, head, ARRAY_LEN(head)) : export_csv_begin(&res->body);
	if (!rc && !spreadsheet)
		rc = export_csv_row(&res->body, head, ARRAY_LEN(head));
	if (!rc)
		rc = fp_list(&services_of(req)->env, req->arena, &f, add_table_row, &t);
	if (!rc && spreadsheet)
		rc = xlsx_finish(&sheet, tr(lang, N_("Focal points")), &res->body);
	xlsx_release(&sheet);
	if (rc)
		return rc;
	res->content_type =
	    spreadsheet ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			: "text/csv; charset=utf-8";
	http_set_header(res, "Content-Disposition",
			spreadsheet ? "attachment; filename=\"ponte-focal-points.xlsx\""
				    : "attachment; filename=\"ponte-focal-points.csv\"");
	return 0;
}

int web_directory_csv(http_request *req, http_response *res)
{
	return export_table(req, res, false);
}

int web_directory_xlsx(http_request *req, http_response *res)
{
	return export_table(req, res, true);
}

/* ---- one entry ---- */

static void fill_errors(http_request *req, tpl_vars *v, const field_errors *e)
{
	/* The fields of the entry's forms, top to bottom. */
	static const char *const ORDER[] = { "organisation", "mandate",     "name",  "position",
					     "started_on",   "mailbox",     "phone", "languages",
					     "instance_url", "verified_on", NULL };
	web_field_errors(req, v, e, ORDER, NULL);
}

static int render_entry(http_request *req, http_response *res, int64_t id, const fp_input *in,
			const field_errors *e, const char *holder_name, const char *holder_position,
			const char *holder_start)
{
	focal_point f;
	int rc = fp_get(&services_of(req)->env, req->arena, id, &f);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const web_countries *names = web_countries_of(req);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)f.version));
	tpl_set(v, "institution", f.organisation_name);
	tpl_set(v, "country", name_of(names, f.country));
	tpl_set(v, "mandate", tr(req->lang, fp_mandate_label(f.mandate)));
	tpl_set(v, "languages", in && in->languages ? in->languages : f.languages);
	tpl_set(v, "language_codes", f.languages);
	tpl_set(v, "language_names", language_labels(req->arena, req->lang, f.languages));
	tpl_set(v, "mailbox", in && in->mailbox ? in->mailbox : f.mailbox);
	tpl_set(v, "phone", in && in->phone ? in->phone : f.phone);
	tpl_set(v, "instance_url", in && in->instance_url ? in->instance_url : f.instance_url);
	web_set_when(req, v, "verified_on", f.verified_on, false);
	tpl_set_bool(v, "stale", f.stale);
	if (*f.mailbox)
		tpl_set(v, "mailto", arena_printf(req->arena, "mailto:%s", f.mailbox));
	tpl_list *holders = tpl_set_list(v, "holders");
	for (size_t i = 0; i < f.nholders; i++) {
		tpl_vars *h = tpl_list_add(holders);
		tpl_set(h, "name", f.holders[i].name);
		tpl_set(h, "position", f.holders[i].position);
		web_set_when(req, h, "started_on", f.holders[i].started_on, false);
		web_set_when(req, h, "ended_on", f.holders[i].ended_on, false);
	}
	const principal *p = principal_of(req);
	tpl_set_bool(v, "can_manage", fp_can_manage(p, f.country));
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "holder_name", holder_name);
	tpl_set(v, "holder_position", holder_position);
	tpl_set(v, "holder_start", holder_start);
	fill_errors(req, v, e);
	rc = web_render_page(req, res, "directory_entry", N_("Focal-point directory"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_directory_entry(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return render_entry(req, res, id, NULL, NULL, NULL, NULL, NULL);
}

static void read_channels(http_request *req, fp_input *in)
{
	memset(in, 0, sizeof(*in));
	in->organisation = http_form(req, "organisation");
	in->mandate = http_form(req, "mandate");
	in->languages = http_form(req, "languages");
	in->mailbox = http_form(req, "mailbox");
	in->phone = http_form(req, "phone");
	in->instance_url = http_form(req, "instance_url");
	/* "fr, EN" → "fr,en" */
	if (in->languages) {
		char *out = arena_alloc(req->arena, strlen(in->languages) + 1);
		size_t o = 0;
		for (const char *s = in->languages; out && *s; s++)
			if (*s != ' ')
				out[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
		if (out)
			out[o] = '\0';
		in->languages = out;
	}
}

/* Back to the entry, saying what was done (msgid), or the error. */
static int denied_or(http_request *req, http_response *res, int rc, int64_t id, const char *done)
{
	if (rc)
		return rc;
	web_flash(req, done, NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/directory/%lld", (long long)id));
}

static int directory_holder(http_request *req, http_response *res, int64_t id);

/* The entry's page: its main form changes the channels; do=holder records who holds the
 * mandate now, do=verify marks the entry verified today. */
int web_directory_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *what = web_form_do(req);
	if (strcmp(what, "holder") == 0)
		return directory_holder(req, res, id);
	if (strcmp(what, "verify") == 0)
		return denied_or(req, res, fp_verify(&services_of(req)->env, principal_of(req), id),
				 id, N_("Entry marked as verified today."));
	fp_input in;
	read_channels(req, &in);
	const char *version = http_form(req, "version");
	field_errors e;
	int64_t current = 0;
	int rc = fp_update(&services_of(req)->env, principal_of(req), id,
			   version ? strtoll(version, NULL, 10) : -1, &in, &e, &current);
	if (rc == PONTE_EINVAL)
		return render_entry(req, res, id, &in, &e, NULL, NULL, NULL);
	if (rc == PONTE_ECONFLICT) {
		e.count = 1;
		e.items[0].field = "mailbox";
		e.items[0].message = N_("Someone else changed this entry. Reload it and apply your "
					"change again.");
		rc = render_entry(req, res, id, &in, &e, NULL, NULL, NULL);
		http_refuse_page(res, PONTE_ECONFLICT);
		return rc;
	}
	return denied_or(req, res, rc, id, N_("Entry saved."));
}

static int directory_holder(http_request *req, http_response *res, int64_t id)
{
	const char *name = http_form(req, "name"), *position = http_form(req, "position"),
		   *start = http_form(req, "started_on");
	field_errors e;
	int rc =
	    fp_add_holder(&services_of(req)->env, principal_of(req), id, name, position, start, &e);
	if (rc == PONTE_EINVAL)
		return render_entry(req, res, id, NULL, &e, name, position, start);
	return denied_or(req, res, rc, id,
			 N_("The new holder of the mandate has been recorded; the former one is "
			    "kept in the history."));
}

/* ---- new entry ---- */

struct orgs {
	http_request *req;
	tpl_list *list;
	const char *selected;
};

static int add_org(const organisation *o, void *ctx)
{
	struct orgs *s = ctx;
	if (!fp_can_manage(principal_of(s->req), o->country))
		return 0;
	tpl_vars *v = tpl_list_add(s->list);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "code", o->code);
	tpl_set(v, "name",
		arena_printf(s->req->arena, "%s (%s)", o->name,
			     country_label(services_of(s->req)->db, s->req->arena,
					   i18n_lang(s->req->lang)->code, o->country)));
	tpl_set_bool(v, "selected", s->selected && strcmp(s->selected, o->code) == 0);
	return 0;
}

static int render_new(http_request *req, http_response *res, const fp_input *in,
		      const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	struct orgs o = { req, tpl_set_list(v, "organisations"), in ? in->organisation : NULL };
	int rc =
	    org_list(services_of(req)->db, req->arena, i18n_lang(req->lang)->code, add_org, &o);
	if (rc)
		return rc;
	add_mandates(req, v, in ? in->mandate : NULL);
	if (in) {
		tpl_set(v, "languages", in->languages);
		tpl_set(v, "mailbox", in->mailbox);
		tpl_set(v, "phone", in->phone);
		tpl_set(v, "instance_url", in->instance_url);
	}
	tpl_set(v, "csrf", principal_of(req)->csrf);
	fill_errors(req, v, e);
	rc = web_render_page(req, res, "directory_new", N_("New directory entry"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_directory_new(http_request *req, http_response *res)
{
	return render_new(req, res, NULL, NULL);
}

int web_directory_create(http_request *req, http_response *res)
{
	fp_input in;
	read_channels(req, &in);
	field_errors e;
	int64_t id = 0;
	int rc = fp_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc == PONTE_EINVAL)
		return render_new(req, res, &in, &e);
	return denied_or(req, res, rc, id, N_("Entry added to the directory."));
}
