/* Support plans of a case: prepared by the case worker, approved by a supervisor. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term TYPES[] = {
	{ "Education", N_("Education") },
	{ "Financial", N_("Financial support") },
	{ "Health", N_("Health") },
	{ "LabourExploitationRehabilitation", N_("Recovery from labour exploitation") },
	{ "Legal", N_("Legal") },
	{ "Livelihood", N_("Livelihood") },
	{ "RightsBasedTraining", N_("Rights-based training") },
	{ "SexualExploitationRehabilitation", N_("Recovery from sexual exploitation") },
	{ "SocialCare", N_("Social care") },
};
VOCABULARY(types, "plan.type", TYPES);

const char *web_plan_label(http_request *req, const char *code)
{
	return vocab_label(req->lang, "plan.type", code);
}

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf;
	bool can_approve;
};

static int add_plan(const support_plan *x, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *v = tpl_list_add(r->l);
	tpl_set(v, "id", arena_printf(r->req->arena, "%lld", (long long)x->id));
	tpl_set(v, "type", web_plan_label(r->req, x->type));
	tpl_set(v, "objectives", x->objectives);
	tpl_set(v, "action_plan", x->action_plan);
	web_set_when(r->req, v, "created", x->created_at, false);
	web_set_when(r->req, v, "approved", x->approved_at, false);
	tpl_set_bool(v, "pending", !*x->approved_at);
	tpl_set_bool(v, "can_approve", r->can_approve && !*x->approved_at);
	tpl_set(v, "csrf", r->csrf);
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "type", "objectives", "action_plan", NULL };

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e,
		  const char *alert)
{
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", p->csrf);
	struct rows r = { req, tpl_set_list(v, "plans"), p->csrf,
			  principal_scope(p, "case.social.write") >= SCOPE_ORGANISATION };
	int rc = plan_list(&services_of(req)->env, req->arena, p, id, add_plan, &r);
	if (rc)
		return rc;
	tpl_list *tl = tpl_set_list(v, "types");
	for (size_t i = 0; i < ARRAY_LEN(TYPES); i++) {
		tpl_vars *o = tpl_list_add(tl);
		tpl_set(o, "code", TYPES[i].code);
		tpl_set(o, "name", tr(req->lang, TYPES[i].label));
	}
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	if (alert)
		tpl_set(v, "alert", tr(req->lang, alert));
	rc = web_render_page(req, res, "plans", N_("Support plans"), v);
	if (!rc && (alert || (e && e->count)))
		http_refuse_page(res, e && e->count ? PONTE_EREJECTED : PONTE_EDENIED);
	return rc;
}

int web_case_plans(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL, NULL) : PONTE_ENOTFOUND;
}

static int plan_approve_form(http_request *req, http_response *res, int64_t id);

/* The plans page: its main form prepares a plan; do=approve approves one. */
int web_case_plan_add(http_request *req, http_response *res)
{
	int64_t id, pid;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (strcmp(web_form_do(req), "approve") == 0)
		return plan_approve_form(req, res, id);
	field_errors e;
	int rc = plan_add(&services_of(req)->env, principal_of(req), id, http_form(req, "type"),
			  http_form(req, "objectives"), http_form(req, "action_plan"), &pid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e, NULL);
	if (!rc)
		web_flash(req, N_("Support plan added: it waits for a supervisor's approval."),
			  NULL);
	return rc ? rc
		  : http_redirect(req, res,
				  arena_printf(req->arena, "/cases/%lld/plans", (long long)id));
}

static int plan_approve_form(http_request *req, http_response *res, int64_t id)
{
	int64_t pid = web_form_id(req, "plan_id");
	if (!pid)
		return PONTE_ENOTFOUND;
	int rc = plan_approve(&services_of(req)->env, principal_of(req), pid);
	if (rc == PONTE_EDENIED)
		return render(req, res, id, NULL,
			      N_("A plan is approved by a supervisor who did not prepare it."));
	if (rc && rc != PONTE_ECONFLICT)
		return rc;
	if (!rc)
		web_flash(req, N_("Support plan approved."), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld/plans", (long long)id));
}
