/* The return page of a case: the person's decision, and the departure scheduled only after a
 * pre-return risk assessment that shows no threat. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf, *case_id;
};

static int add_return(const return_record *r, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)r->id));
	tpl_set(v, "destination", r->destination);
	web_set_when(x->req, v, "decided_on", r->decided_on, false);
	web_set_when(x->req, v, "departure_on", r->departure_on, false);
	tpl_set_bool(v, "open", strcmp(r->state, "decided") == 0);
	tpl_set(v, "csrf", x->csrf);
	tpl_set(v, "case_id", x->case_id);
	return 0;
}

struct names {
	tpl_list *l;
};

static int add_country(const char *code, const char *name, void *ctx)
{
	struct names *n = ctx;
	tpl_vars *v = tpl_list_add(n->l);
	tpl_set(v, "code", code);
	tpl_set(v, "name", name);
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "departure_on", "assessment",        "destination",
					  "decided_on",   "information_given", NULL };

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	const char *cid = arena_printf(req->arena, "%lld", (long long)id);
	tpl_set(v, "case_id", cid);
	tpl_set(v, "csrf", principal_of(req)->csrf);
	struct rows r = { req, tpl_set_list(v, "returns"), principal_of(req)->csrf, cid };
	int rc =
	    return_list(&services_of(req)->env, req->arena, principal_of(req), id, add_return, &r);
	struct names n = { tpl_set_list(v, "countries") };
	if (!rc)
		rc = country_list(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				  add_country, &n);
	if (rc)
		return rc;
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	rc = web_render_page(req, res, "returns", N_("Return"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_returns(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL) : PONTE_ENOTFOUND;
}

static int return_schedule_form(http_request *req, http_response *res, int64_t id);

/* The return page: its main form records the decision; do=schedule schedules a departure. */
int web_case_return_decide(http_request *req, http_response *res)
{
	int64_t id, rid;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (strcmp(web_form_do(req), "schedule") == 0)
		return return_schedule_form(req, res, id);
	const char *informed = http_form(req, "information_given");
	field_errors e;
	int rc = return_decide(&services_of(req)->env, principal_of(req), id,
			       http_form(req, "destination"), http_form(req, "decided_on"),
			       informed && strcmp(informed, "1") == 0, &rid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e);
	if (!rc)
		web_flash(req, N_("Return decision recorded."), NULL);
	return rc ? rc
		  : http_redirect(req, res,
				  arena_printf(req->arena, "/cases/%lld/return", (long long)id));
}

static int return_schedule_form(http_request *req, http_response *res, int64_t id)
{
	int64_t rid = web_form_id(req, "return_id");
	if (!rid)
		return PONTE_ENOTFOUND;
	field_errors e;
	int rc = return_schedule(&services_of(req)->env, principal_of(req), rid,
				 http_form(req, "departure_on"), &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e);
	if (rc == PONTE_ECONFLICT)
		rc = 0; /* scheduled already: show it */
	else if (!rc)
		web_flash(req, N_("Departure date recorded."), NULL);
	return rc ? rc
		  : http_redirect(req, res,
				  arena_printf(req->arena, "/cases/%lld/return", (long long)id));
}
