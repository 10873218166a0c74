/* The risk assessment and safety plan page of a case. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term LABELS[] = {
	{ "low", N_("Low") },
	{ "medium", N_("Medium") },
	{ "high", N_("High") },
	{ "trafficker_contact", N_("Contact by the traffickers") },
	{ "family_threat", N_("Threats against the family") },
	{ "debt_collection", N_("Debt being collected") },
	{ "retaliation", N_("Retaliation for cooperating") },
	{ "re_trafficking", N_("Risk of being trafficked again") },
	{ "self_harm", N_("Risk of self-harm") },
	{ "other", N_("Other") },
};
VOCABULARY(labels, "safety", LABELS);

const char *web_safety_label(http_request *req, const char *code)
{
	return vocab_label(req->lang, "safety", code);
}

static const char *threat_words(http_request *req, const char *csv)
{
	buf b;
	buf_init(&b, 1024);
	char item[32];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		snprintf(item, sizeof(item), "%.*s", (int)(len < 31 ? len : 31), p);
		buf_printf(&b, "%s%s", b.len ? "; " : "", web_safety_label(req, item));
		p += len + (p[len] == ',');
	}
	const char *s = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

struct rows {
	http_request *req;
	tpl_list *l;
};

static int add_assessment(const safety_assessment *s, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *v = tpl_list_add(r->l);
	web_set_when(r->req, v, "on", s->assessed_on, false);
	tpl_set(v, "risk", web_safety_label(r->req, s->risk));
	tpl_set(v, "risk_code", s->risk);
	tpl_set(v, "threats", threat_words(r->req, s->threats));
	tpl_set(v, "plan", s->plan);
	web_set_when(r->req, v, "review", s->next_review_on, false);
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "risk", "threats", "plan", "assessed_on", NULL };

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", principal_of(req)->csrf);
	struct rows r = { req, tpl_set_list(v, "assessments") };
	int rc = safety_list(&services_of(req)->env, req->arena, principal_of(req), id,
			     add_assessment, &r);
	if (rc)
		return rc;
	size_t n;
	const char *const *threats = safety_threats(&n);
	tpl_list *tl = tpl_set_list(v, "threat_options");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *o = tpl_list_add(tl);
		tpl_set(o, "code", threats[i]);
		tpl_set(o, "name", web_safety_label(req, threats[i]));
	}
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	rc = web_render_page(req, res, "safety", N_("Risk assessment and safety plan"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_safety(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return render(req, res, id, NULL);
}

int web_case_safety_add(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	buf b;
	buf_init(&b, 1024);
	for (size_t i = 0; i < req->form.count; i++)
		if (strcmp(req->form.items[i].key, "threat") == 0 &&
		    !strchr(req->form.items[i].value, ','))
			buf_printf(&b, "%s%s", b.len ? "," : "", req->form.items[i].value);
	safety_input in = { .risk = http_form(req, "risk"),
			    .threats = arena_strdup(req->arena, b.data ? b.data : ""),
			    .plan = http_form(req, "plan"),
			    .assessed_on = http_form(req, "assessed_on") };
	buf_release(&b);
	field_errors e;
	int64_t sid;
	int rc = safety_add(&services_of(req)->env, principal_of(req), id, &in, &sid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e);
	if (rc)
		return rc;
	web_flash(req, N_("The assessment has been recorded."), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld/safety", (long long)id));
}
