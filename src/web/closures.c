/* Closing a case: the history of closures and reopenings, the request form, and the
 * approver's decision. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf, *case_id;
	bool approver, pending;
};

static int add_closure(const case_closure *k, void *ctx)
{
	struct rows *x = ctx;
	http_request *req = x->req;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)k->id));
	tpl_set(v, "what",
		tr(req->lang, strcmp(k->kind, "reopen") == 0 ? N_("Reopened") : N_("Closure")));
	tpl_set(v, "status", web_case_label(req->lang, "status", k->status));
	tpl_set(v, "reason", k->reason);
	web_set_when(req, v, "requested", k->requested_at, false);
	tpl_set(v, "decision",
		!*k->decision                          ? tr(req->lang, N_("waiting for approval"))
		: strcmp(k->decision, "approved") == 0 ? tr(req->lang, N_("approved"))
						       : tr(req->lang, N_("rejected")));
	web_set_when(req, v, "decided", k->decided_at, false);
	bool open = !*k->decision;
	x->pending |= open;
	tpl_set_bool(v, "can_decide", open && x->approver);
	tpl_set(v, "csrf", x->csrf);
	tpl_set(v, "case_id", x->case_id);
	return 0;
}

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e,
		  const char *alert)
{
	const principal *p = principal_of(req);
	const keyed_store *env = &services_of(req)->env;
	case_record c;
	int rc = case_get(env, req->arena, p, id, &c);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	const char *cid = arena_printf(req->arena, "%lld", (long long)id);
	tpl_set(v, "case_id", cid);
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "status", web_case_label(req->lang, "status", c.status));
	struct rows r = {
		req, tpl_set_list(v, "closures"), p->csrf, cid, case_may_close(p), false
	};
	if ((rc = closure_list(env, req->arena, p, id, add_closure, &r)))
		return rc;
	bool writer =
	    principal_can_see(p, "case.social.write", c.owner_id, c.organisation_id, c.country);
	tpl_set_bool(v, "can_request", writer && !case_status_closed(c.status) && !r.pending);
	tpl_set_bool(v, "closed", case_status_closed(c.status));
	tpl_set(v, "reason", http_form(req, "cas_ReasonForCaseClosure"));
	if (alert)
		tpl_set(v, "alert", tr(req->lang, alert));
	static const char *const ORDER[] = { "cas_Status", "cas_ReasonForCaseClosure", NULL };
	web_field_errors(req, v, e, ORDER, NULL);
	rc = web_render_page(req, res, "closure", N_("Closing the case"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	else if (!rc && alert)
		http_refuse_page(res, PONTE_ECONFLICT);
	return rc;
}

int web_case_closure(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL, NULL) : PONTE_ENOTFOUND;
}

static int decide(http_request *req, http_response *res, int64_t case_id, bool approve);

/* The closure page: its main form asks to close the case; do=approve or do=reject decides a
 * request (closure_id). */
int web_case_closure_request(http_request *req, http_response *res)
{
	int64_t id, cid;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *what = web_form_do(req);
	if (strcmp(what, "approve") == 0 || strcmp(what, "reject") == 0)
		return decide(req, res, id, strcmp(what, "approve") == 0);
	field_errors e;
	int rc = closure_request(&services_of(req)->env, principal_of(req), id,
				 http_form(req, "cas_Status"),
				 http_form(req, "cas_ReasonForCaseClosure"), &cid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e, NULL);
	if (rc == PONTE_ECONFLICT)
		return render(
		    req, res, id, NULL,
		    N_("The case is closed already, or a request to close it is waiting."));
	if (!rc)
		web_flash(req, N_("Closing the case has been asked: a supervisor decides."), NULL);
	return rc ? rc
		  : http_redirect(req, res,
				  arena_printf(req->arena, "/cases/%lld/closure", (long long)id));
}

static int decide(http_request *req, http_response *res, int64_t case_id, bool approve)
{
	int64_t id = web_form_id(req, "closure_id");
	if (!id)
		return PONTE_ENOTFOUND;
	int rc = closure_decide(&services_of(req)->env, principal_of(req), id, approve);
	if (rc == PONTE_ECONFLICT)
		return render(req, res, case_id, NULL, N_("This request was decided already."));
	if (rc)
		return rc;
	if (approve)
		web_flash(req, N_("Case {case} closed."), "case", web_count(req, case_id), NULL);
	else
		web_flash(req, N_("The request to close the case has been refused: it stays open."),
			  NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld/closure", (long long)case_id));
}
