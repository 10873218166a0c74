/* The indicator screening page of a case: a configured list of indicators answered present,
 * absent or unknown, the result by dimension, and the screenings before. */
#include "screening/screening.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct lists {
	http_request *req;
	tpl_list *l;
	const char *current, *case_id;
};

static int add_list(const scr_list *x, void *ctx)
{
	struct lists *c = ctx;
	tpl_vars *v = tpl_list_add(c->l);
	tpl_set(v, "code", x->code);
	tpl_set(v, "name", x->name);
	tpl_set(v, "case_id", c->case_id);
	tpl_set_bool(v, "current", strcmp(x->code, c->current) == 0);
	return 0;
}

/* The names of the dimensions met, from the list's words. */
static const char *met_names(http_request *req, const char *list, const char *codes)
{
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t n;
	const char *lang = i18n_lang(req->lang)->code;
	if (!*codes || scr_items(services_of(req)->db, req->arena, list, lang, &info, items, &n))
		return codes;
	buf b;
	buf_init(&b, 1024);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(items[i].dimension);
		const char *p = strstr(codes, items[i].dimension);
		bool whole = p && (p == codes || p[-1] == ',') && (p[len] == ',' || !p[len]);
		bool first_of_dimension = !i || strcmp(items[i - 1].dimension, items[i].dimension);
		if (whole && first_of_dimension)
			buf_printf(&b, "%s%s", b.len ? "; " : "", items[i].dimension_text);
	}
	const char *s = arena_strdup(req->arena, b.data ? b.data : codes);
	buf_release(&b);
	return s;
}

struct history {
	http_request *req;
	tpl_list *l;
};

static int add_record(const scr_record *s, void *ctx)
{
	struct history *h = ctx;
	tpl_vars *v = tpl_list_add(h->l);
	web_set_when(h->req, v, "at", s->created_at, true);
	tpl_set(v, "list", s->list_name);
	tpl_set(v, "met", met_names(h->req, s->list, s->dimensions_met));
	tpl_set_bool(v, "indicated", s->indicated);
	return 0;
}

static int render(http_request *req, http_response *res, int64_t case_id, const char *list,
		  const scr_result *result, const field_errors *e)
{
	const char *lang = i18n_lang(req->lang)->code;
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t n;
	int rc = scr_items(services_of(req)->db, req->arena, list, lang, &info, items, &n);
	if (rc == PONTE_ENOTFOUND)
		rc = scr_items(services_of(req)->db, req->arena, list = "adult_labour", lang, &info,
			       items, &n);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	const char *cid = arena_printf(req->arena, "%lld", (long long)case_id);
	tpl_set(v, "case_id", cid);
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "list", info.code);
	tpl_set(v, "list_name", info.name);
	struct lists ls = { req, tpl_set_list(v, "lists"), info.code, cid };
	if ((rc = scr_lists(services_of(req)->db, req->arena, lang, add_list, &ls)))
		return rc;
	/* Indicators grouped by dimension. */
	tpl_list *dims = tpl_set_list(v, "dimensions");
	tpl_vars *d = NULL;
	tpl_list *its = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(items[i - 1].dimension, items[i].dimension) != 0) {
			d = tpl_list_add(dims);
			tpl_set(d, "name", items[i].dimension_text);
			its = tpl_set_list(d, "items");
		}
		tpl_vars *x = tpl_list_add(its);
		tpl_set(x, "code", items[i].code);
		tpl_set(x, "text", items[i].text);
		tpl_set_bool(x, "strong", strcmp(items[i].strength, "strong") == 0);
		const char *given = http_form(req, arena_printf(req->arena, "a_%s", items[i].code));
		tpl_set_bool(x, "present", given && strcmp(given, "present") == 0);
		tpl_set_bool(x, "absent", given && strcmp(given, "absent") == 0);
		tpl_set_bool(x, "unknown", !given || strcmp(given, "unknown") == 0);
		/* What was typed stays when the form comes back (errors, or another look). */
		const char *note = http_form(req, arena_printf(req->arena, "n_%s", items[i].code));
		tpl_set(x, "note", note ? note : "");
	}
	if (result) {
		tpl_set_bool(v, "done", true);
		tpl_set_bool(v, "indicated", result->indicated);
		tpl_set(v, "met",
			*result->dimensions_met ? met_names(req, info.code, result->dimensions_met)
						: tr(req->lang, N_("none")));
	}
	web_field_errors(req, v, e, NULL, NULL);
	struct history h = { req, tpl_set_list(v, "history") };
	if ((rc = scr_history(&services_of(req)->env, req->arena, principal_of(req), case_id, lang,
			      add_record, &h)))
		return rc;
	rc = web_render_page(req, res, "screening", N_("Indicator screening"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_screening(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *list = http_query(req, "list");
	if (!list || !*list) {
		/* The list that fits the person: a child (or a disputed age) gets the children's
		 * lists, sexual exploitation its own list. */
		case_record c;
		child_record k;
		int rc =
		    child_get(&services_of(req)->env, req->arena, principal_of(req), id, &c, &k);
		if (rc)
			return rc;
		list = scr_list_for(services_of(req)->db, req->arena, case_treated_as_child(&c, &k),
				    c.exploitation);
	}
	return render(req, res, id, list, NULL, NULL);
}

int web_case_screening_add(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *list = http_form(req, "list");
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t n;
	int rc = scr_items(services_of(req)->db, req->arena, list, "en", &info, items, &n);
	if (rc)
		return rc == PONTE_ENOTFOUND ? PONTE_EINVAL : rc;
	scr_answer answers[SCR_MAX_ITEMS];
	size_t na = 0;
	for (size_t i = 0; i < n; i++) {
		const char *a = http_form(req, arena_printf(req->arena, "a_%s", items[i].code));
		const char *note = http_form(req, arena_printf(req->arena, "n_%s", items[i].code));
		if (a)
			answers[na++] = (scr_answer){ items[i].code, a, note };
	}
	int64_t sid;
	scr_result r;
	field_errors e;
	rc =
	    scr_add(&services_of(req)->env, principal_of(req), id, list, answers, na, &sid, &r, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, list, NULL, &e);
	return rc ? rc : render(req, res, id, list, &r, NULL);
}
