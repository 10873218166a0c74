/* The assistance log page of a case. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term TYPES[] = {
	{ "accommodation", N_("Accommodation") }, { "material_aid", N_("Material aid") },
	{ "medical", N_("Medical care") },        { "psychological", N_("Psychological care") },
	{ "counselling", N_("Counselling") },     { "interpretation", N_("Interpretation") },
	{ "legal_aid", N_("Legal aid") },         { "education", N_("Education") },
	{ "livelihood", N_("Livelihood") },
};
VOCABULARY(types, "assistance.type", TYPES);

static const char *type_label(http_request *req, const char *code)
{
	const vocab_term *t = vocab_term_of(&types_vocabulary, code);
	return t ? tr(req->lang, t->label)
		 : web_referral_label(req, code); /* service types of completed referrals */
}

struct rows {
	http_request *req;
	tpl_list *l;
};

static int add_item(const assistance_item *x, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *v = tpl_list_add(r->l);
	tpl_set(v, "type", type_label(r->req, x->type));
	tpl_set(v, "provider", x->provider);
	web_set_when(r->req, v, "from", x->started_on, false);
	web_set_when(r->req, v, "to", x->ended_on, false);
	if (x->referral_id)
		tpl_set(v, "referral",
			arena_printf(r->req->arena, "%lld", (long long)x->referral_id));
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "type", "started_on", "ended_on", NULL };

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", principal_of(req)->csrf);
	struct rows r = { req, tpl_set_list(v, "items") };
	int rc = assistance_list(&services_of(req)->env, req->arena, principal_of(req), id,
				 add_item, &r);
	if (rc)
		return rc;
	tpl_list *tl = tpl_set_list(v, "types");
	for (size_t i = 0; i < ARRAY_LEN(TYPES); i++) {
		tpl_vars *o = tpl_list_add(tl);
		tpl_set(o, "code", TYPES[i].code);
		tpl_set(o, "name", tr(req->lang, TYPES[i].label));
	}
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	rc = web_render_page(req, res, "assistance", N_("Assistance given"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_assistance(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL) : PONTE_ENOTFOUND;
}

int web_case_assistance_add(http_request *req, http_response *res)
{
	int64_t id, aid;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	field_errors e;
	int rc =
	    assistance_add(&services_of(req)->env, principal_of(req), id, http_form(req, "type"),
			   http_form(req, "started_on"), http_form(req, "ended_on"), &aid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e);
	if (!rc)
		web_flash(req, N_("Assistance recorded."), NULL);
	return rc ? rc
		  : http_redirect(
			req, res,
			arena_printf(req->arena, "/cases/%lld/assistance", (long long)id));
}
