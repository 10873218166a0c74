/* The pages of the case-file sections, drawn from their descriptors: the entries as a table,
 * a form to add one, a form to change one that shows a conflict instead of overwriting. */
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct page {
	http_request *req;
	const section_def *d;
	int64_t case_id;
	const char *tier;
	bool can_write;
	tpl_list *entries;
};

static const char *list_url(const struct page *g)
{
	return arena_printf(g->req->arena, "/cases/%lld/%s/%s", (long long)g->case_id, g->tier,
			    g->d->name);
}

/* A stored value as a reader sees it: codes in words, booleans as yes/no. */
static const char *shown(http_request *req, const section_field *f, const char *v)
{
	if (!*v)
		return "";
	if (f->kind == SK_BOOL)
		return tr(req->lang, strcmp(v, "1") == 0 ? N_("Yes") : N_("No"));
	if (f->kind == SK_CODE)
		return tr(req->lang, section_code_label(f, v));
	if (f->kind == SK_CODES) {
		buf b;
		buf_init(&b, 4096);
		for (const char *s = v; *s;) {
			size_t len = strcspn(s, ",");
			const char *code = arena_strndup(req->arena, s, len);
			buf_printf(&b, "%s%s", b.len ? ", " : "",
				   tr(req->lang, section_code_label(f, code)));
			s += len + (s[len] == ',');
		}
		const char *out = arena_strdup(req->arena, b.data ? b.data : "");
		buf_release(&b);
		return out;
	}
	if (f->kind == SK_COUNTRY)
		return country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				     v);
	if (f->kind == SK_DATE || f->kind == SK_DATE_ANY)
		return web_date(req, v);
	return v;
}

static int add_entry(const section_entry *x, void *ctx)
{
	struct page *g = ctx;
	tpl_vars *v = tpl_list_add(g->entries);
	tpl_set(v, "id", arena_printf(g->req->arena, "%lld", (long long)x->id));
	tpl_list *cells = tpl_set_list(v, "cells");
	for (size_t i = 0; i < g->d->nfields; i++) {
		const section_field *f = &g->d->fields[i];
		tpl_vars *cell = tpl_list_add(cells);
		tpl_set(cell, "value", shown(g->req, f, x->values[i]));
		if (f->kind == SK_CODE || f->kind == SK_CODES || f->kind == SK_COUNTRY)
			tpl_set(cell, "code", x->values[i]);
		if ((f->kind == SK_DATE || f->kind == SK_DATE_ANY) && *x->values[i])
			tpl_set(cell, "iso", x->values[i]);
		/* Dates, numbers and yes/no are never broken across lines, words from a list
		 * only between words; what people typed, anywhere it must. */
		tpl_set_bool(cell, "whole",
			     f->kind == SK_DATE || f->kind == SK_DATE_ANY || f->kind == SK_INT ||
				 f->kind == SK_BOOL);
		tpl_set_bool(cell, "typed", f->kind == SK_TEXT || f->kind == SK_SECRET);
	}
	web_set_when(g->req, v, "recorded", x->updated_at, false);
	tpl_set_bool(v, "can_write", g->can_write);
	tpl_set(v, "edit_url",
		arena_printf(g->req->arena, "%s/%lld", list_url(g), (long long)x->id));
	return 0;
}

static bool has_code(const char *csv, const char *code)
{
	size_t n = strlen(code);
	for (const char *s = csv; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && memcmp(s, code, n) == 0)
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

struct countries {
	tpl_list *l;
	const char *selected;
};

static int add_country(const char *code, const char *name, void *ctx)
{
	struct countries *k = ctx;
	tpl_vars *v = tpl_list_add(k->l);
	tpl_set(v, "code", code);
	tpl_set(v, "name", name);
	tpl_set_bool(v, "selected", strcmp(code, k->selected) == 0);
	return 0;
}

/* The form's fields with values (NULL: empty) and errors. */
static int add_fields(struct page *g, tpl_vars *v, const char *const *values, const field_errors *e)
{
	http_request *req = g->req;
	tpl_list *l = tpl_set_list(v, "fields");
	for (size_t i = 0; i < g->d->nfields; i++) {
		const section_field *f = &g->d->fields[i];
		const char *value = values && values[i] ? values[i] : "";
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "name", f->name);
		tpl_set(x, "label", tr(req->lang, f->label));
		tpl_set(x, "value", value);
		tpl_set_bool(x, "required", f->required);
		if (f->hint)
			tpl_set(x, "hint", tr(req->lang, f->hint));
		const char *err = field_errors_find(e, f->name);
		if (err)
			tpl_set(x, "error", tr(req->lang, err));
		bool date = f->kind == SK_DATE || f->kind == SK_DATE_ANY;
		tpl_set_bool(x, "is_date", date);
		tpl_set_bool(x, "is_int", f->kind == SK_INT);
		tpl_set_bool(x, "is_bool", f->kind == SK_BOOL);
		tpl_set_bool(x, "checked", strcmp(value, "1") == 0);
		tpl_set_bool(x, "is_codes", f->kind == SK_CODES);
		tpl_set_bool(x, "is_select", f->kind == SK_CODE || f->kind == SK_COUNTRY);
		tpl_set_bool(x, "is_area", f->kind == SK_SECRET && f->max > 200);
		tpl_set_bool(x, "is_input",
			     date || f->kind == SK_INT || f->kind == SK_TEXT ||
				 (f->kind == SK_SECRET && f->max <= 200));
		tpl_list *opts = tpl_set_list(x, "options");
		for (size_t k = 0; k < f->ncodes; k++) {
			tpl_vars *o = tpl_list_add(opts);
			tpl_set(o, "field", f->name);
			tpl_set(o, "code", f->codes[k].code);
			tpl_set(o, "name", tr(req->lang, f->codes[k].label));
			tpl_set_bool(o, "selected",
				     f->kind == SK_CODES ? has_code(value, f->codes[k].code)
							 : strcmp(value, f->codes[k].code) == 0);
		}
		if (f->kind == SK_COUNTRY) {
			struct countries k = { opts, value };
			int rc = country_list(services_of(req)->db, req->arena,
					      i18n_lang(req->lang)->code, add_country, &k);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The page: the entries (not while editing), the form, errors and an alert. */
static int render(struct page *g, http_response *res, const section_entry *editing,
		  const char *const *values, const field_errors *e, const char *alert)
{
	http_request *req = g->req;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)g->case_id));
	tpl_set_bool(v, "proceedings", strcmp(g->tier, "proceedings") == 0);
	tpl_set(v, "title", tr(req->lang, g->d->title));
	tpl_set(v, "intro", tr(req->lang, g->d->intro));
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "list_url", list_url(g));
	tpl_set_bool(v, "can_write", g->can_write);
	tpl_set_bool(v, "editing", editing != NULL);
	if (alert)
		tpl_set(v, "alert", alert);
	tpl_list *cols = tpl_set_list(v, "columns");
	for (size_t i = 0; i < g->d->nfields; i++)
		tpl_set(tpl_list_add(cols), "label", tr(req->lang, g->d->fields[i].label));
	g->entries = tpl_set_list(v, "entries");
	int rc = 0;
	if (editing) {
		tpl_set(v, "action",
			arena_printf(req->arena, "%s/%lld", list_url(g), (long long)editing->id));
		tpl_set(v, "version",
			arena_printf(req->arena, "%lld", (long long)editing->version));
		/* The entry as stored now, above the form: a conflict shows both. */
		if (alert)
			rc = add_entry(editing, g);
	} else {
		tpl_set(v, "action", list_url(g));
		rc = section_list(&services_of(req)->env, req->arena, p, g->d, g->case_id,
				  add_entry, g);
	}
	if (!rc)
		rc = add_fields(g, v, values ? values : editing ? editing->values : NULL, e);
	if (!rc && e && e->count) {
		/* The summary in the order of the descriptor's fields, each with its label. */
		const char **names = arena_alloc(req->arena, (g->d->nfields + 1) * sizeof(*names));
		const char **labels =
		    arena_alloc(req->arena, (g->d->nfields + 1) * sizeof(*labels));
		for (size_t i = 0; i < g->d->nfields; i++) {
			names[i] = g->d->fields[i].name;
			labels[i] = g->d->fields[i].label;
		}
		names[g->d->nfields] = labels[g->d->nfields] = NULL;
		web_field_errors(req, v, e, names, labels);
	}
	if (!rc)
		rc = web_render_page(req, res, "section", g->d->title, v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	else if (!rc && alert)
		http_refuse_page(res, PONTE_ECONFLICT);
	return rc;
}

/* The case, tier and section of the address; PONTE_ENOTFOUND for a section of another tier. */
/* The page of the route's section: its tier is the part of the case file the route's pattern
 * names ("/cases/{id}/file/..." or "/cases/{id}/proceedings/..."). */
static int page_of(http_request *req, struct page *g)
{
	memset(g, 0, sizeof(*g));
	g->req = req;
	g->tier = strstr(req->route->pattern, "/proceedings/") ? "proceedings" : "file";
	if (!http_param_id(req, 0, &g->case_id) ||
	    !(g->d = section_find(g->tier, req->nparams > 1 ? req->params[1] : NULL)))
		return PONTE_ENOTFOUND;
	g->can_write =
	    section_writable(&services_of(req)->env, principal_of(req), g->d, g->case_id);
	return 0;
}

/* The form's values in field order: several checkboxes of a field joined with commas. */
static const char **form_values(http_request *req, const section_def *d)
{
	const char **v = arena_alloc(req->arena, sizeof(*v) * SECTION_MAX_FIELDS);
	if (!v)
		return NULL;
	for (size_t i = 0; i < d->nfields; i++) {
		const section_field *f = &d->fields[i];
		if (f->kind != SK_CODES) {
			const char *s = http_form(req, f->name);
			v[i] = s ? s : f->kind == SK_BOOL ? "0" : "";
			continue;
		}
		buf b;
		buf_init(&b, 4096);
		for (size_t k = 0; k < req->form.count; k++)
			if (strcmp(req->form.items[k].key, f->name) == 0 &&
			    !strchr(req->form.items[k].value, ','))
				buf_printf(&b, "%s%s", b.len ? "," : "", req->form.items[k].value);
		v[i] = arena_strdup(req->arena, b.data ? b.data : "");
		buf_release(&b);
	}
	return v;
}

int web_section(http_request *req, http_response *res)
{
	struct page g;
	int rc = page_of(req, &g);
	return rc ? rc : render(&g, res, NULL, NULL, NULL, NULL);
}

int web_section_add(http_request *req, http_response *res)
{
	struct page g;
	int rc = page_of(req, &g);
	const char **v = rc ? NULL : form_values(req, g.d);
	if (!rc && !v)
		rc = PONTE_ENOMEM;
	if (rc)
		return rc;
	field_errors e;
	int64_t id;
	rc = section_add(&services_of(req)->env, principal_of(req), g.d, g.case_id, v, &id, &e);
	if (rc == PONTE_EINVAL)
		return render(&g, res, NULL, v, &e, NULL);
	if (rc)
		return rc;
	web_flash(req, N_("Entry added to {section}."), "section", tr(req->lang, g.d->title), NULL);
	return http_redirect(req, res, list_url(&g));
}

static int entry_of(http_request *req, struct page *g, section_entry *x)
{
	int64_t eid;
	if (!http_param_id(req, 2, &eid))
		return PONTE_ENOTFOUND;
	return section_get(&services_of(req)->env, req->arena, principal_of(req), g->d, g->case_id,
			   eid, x);
}

int web_section_entry(http_request *req, http_response *res)
{
	struct page g;
	section_entry x;
	int rc = page_of(req, &g);
	if (!rc)
		rc = entry_of(req, &g, &x);
	if (!rc && !g.can_write)
		rc = PONTE_EDENIED;
	return rc ? rc : render(&g, res, &x, NULL, NULL, NULL);
}

int web_section_entry_save(http_request *req, http_response *res)
{
	struct page g;
	section_entry x;
	int rc = page_of(req, &g);
	if (!rc)
		rc = entry_of(req, &g, &x);
	const char **v = rc ? NULL : form_values(req, g.d);
	if (!rc && !v)
		rc = PONTE_ENOMEM;
	if (rc)
		return rc;
	const char *version = http_form(req, "version");
	char *end = NULL;
	long long based_on = version ? strtoll(version, &end, 10) : 0;
	if (!version || !*version || *end)
		based_on = -1;
	field_errors e;
	int64_t current;
	rc = section_update(&services_of(req)->env, principal_of(req), g.d, g.case_id, x.id,
			    based_on, v, &e, &current);
	if (rc == PONTE_EINVAL)
		return render(&g, res, &x, v, &e, NULL);
	if (rc == PONTE_ECONFLICT) {
		/* Show what is stored now and keep what this person typed, with the new version:
		 * saving again is a decision taken knowing the other change. */
		section_entry now;
		rc = entry_of(req, &g, &now);
		return rc ? rc
			  : render(
				&g, res, &now, v, NULL,
				tr(req->lang, N_("Someone else changed this entry while you were "
						 "editing it. Here it is as it stands now; your "
						 "changes are still in the form. Save again to "
						 "replace it.")));
	}
	if (rc)
		return rc;
	web_flash(req, N_("Entry saved in {section}."), "section", tr(req->lang, g.d->title), NULL);
	return http_redirect(req, res, list_url(&g));
}

/* /proceedings: the way in for those who hold only the proceedings permission (they cannot
 * list cases): the cases with proceedings in their scope, and a case number to open. */
struct listed {
	http_request *req;
	tpl_list *l;
};

static int add_case(const proceedings_case *c, void *ctx)
{
	struct listed *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)c->case_id));
	tpl_set(v, "n", web_count(x->req, c->proceedings));
	tpl_set(v, "phase", web_case_label(x->req->lang, "phase", c->phase));
	tpl_set(v, "status", web_case_label(x->req->lang, "status", c->status));
	tpl_set(v, "changed", web_date(x->req, arena_strdup(x->req->arena, c->changed_at)));
	tpl_set(v, "changed_iso", arena_strndup(x->req->arena, c->changed_at, 10));
	return 0;
}

int web_proceedings(http_request *req, http_response *res)
{
	const char *number = http_query(req, "case");
	char *end = NULL;
	long long id = number ? strtoll(number, &end, 10) : 0;
	if (number && *number && !*end && id > 0)
		return http_redirect(
		    req, res, arena_printf(req->arena, "/cases/%lld/proceedings/proceedings", id));
	tpl_vars *v = tpl_vars_new(req->arena);
	struct listed x = { req, tpl_set_list(v, "cases") };
	int rc = proceedings_cases(&services_of(req)->env, principal_of(req), add_case, &x);
	if (number)
		tpl_set(v, "alert", tr(req->lang, N_("Give a case number.")));
	return rc ? rc : web_render_page(req, res, "proceedings", N_("Proceedings"), v);
}
