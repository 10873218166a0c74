/* The contacts page of a case: the first contact that identified the person, and later
 * ones, with the interpreter and the rights information given. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term CHANNELS[] = {
	{ "self_referral", N_("The person came forward") },
	{ "hotline", N_("Hotline") },
	{ "outreach", N_("Outreach") },
	{ "border_operation", N_("Border operation") },
	{ "police_operation", N_("Police operation") },
	{ "labour_inspection", N_("Labour inspection") },
	{ "asylum_procedure", N_("Asylum procedure") },
	{ "health_service", N_("Health service") },
	{ "other", N_("Other") },
};
VOCABULARY(channels, "contact.channel", CHANNELS);

const char *web_channel_label(http_request *req, const char *code)
{
	return vocab_label(req->lang, "contact.channel", code);
}

struct rows {
	http_request *req;
	tpl_list *l;
};

static int add_contact(const contact *k, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *v = tpl_list_add(r->l);
	web_set_when(r->req, v, "on", k->contact_on, false);
	tpl_set(v, "channel", web_channel_label(r->req, k->channel));
	tpl_set(v, "place", k->place);
	tpl_set(v, "organisation", k->organisation);
	tpl_set(v, "language", k->language);
	tpl_set_bool(v, "interpreter", k->interpreter);
	tpl_set_bool(v, "rights", k->rights_informed);
	tpl_set(v, "rights_language", k->rights_language);
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "contact_on", "channel", "place", "language", NULL };

static int render(http_request *req, http_response *res, int64_t id, const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", principal_of(req)->csrf);
	struct rows r = { req, tpl_set_list(v, "contacts") };
	int rc = contact_list(&services_of(req)->env, req->arena, principal_of(req), id,
			      add_contact, &r);
	if (rc)
		return rc;
	tpl_list *cl = tpl_set_list(v, "channels");
	for (size_t i = 0; i < ARRAY_LEN(CHANNELS); i++) {
		tpl_vars *o = tpl_list_add(cl);
		tpl_set(o, "code", CHANNELS[i].code);
		tpl_set(o, "name", tr(req->lang, CHANNELS[i].label));
	}
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	rc = web_render_page(req, res, "contacts", N_("Contacts"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_contacts(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL) : PONTE_ENOTFOUND;
}

int web_case_contact_add(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *interp = http_form(req, "interpreter"), *rights = http_form(req, "rights");
	contact_input in = { .contact_on = http_form(req, "contact_on"),
			     .place = http_form(req, "place"),
			     .channel = http_form(req, "channel"),
			     .interpreter = interp && strcmp(interp, "1") == 0,
			     .language = http_form(req, "language"),
			     .rights_informed = rights && strcmp(rights, "1") == 0,
			     .rights_language = http_form(req, "rights_language") };
	field_errors e;
	int64_t cid;
	int rc = contact_add(&services_of(req)->env, principal_of(req), id, &in, &cid, &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &e);
	if (!rc)
		web_flash(req, N_("Contact recorded."), NULL);
	return rc ? rc
		  : http_redirect(req, res,
				  arena_printf(req->arena, "/cases/%lld/contacts", (long long)id));
}
