/* The children's procedures page of a case: disputed age, guardian, best interests,
 * placement, family tracing. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term LABELS[] = {
	{ "child", N_("A child") },
	{ "adult", N_("An adult") },
	{ "family", N_("With the family") },
	{ "foster_family", N_("Foster family") },
	{ "shelter", N_("Shelter") },
	{ "childrens_home", N_("Children's home") },
	{ "independent_living", N_("Supported independent living") },
	{ "not_started", N_("Not started") },
	{ "requested", N_("Requested") },
	{ "found", N_("Family found") },
	{ "not_found", N_("Family not found") },
	{ "not_in_best_interests", N_("Not in the child's best interests") },
	{ "safe", N_("Safe for the child") },
	{ "not_safe", N_("Not safe for the child") },
	{ "pending", N_("Being assessed") },
};
VOCABULARY(labels, "child", LABELS);

static const char *label(http_request *req, const char *code)
{
	return vocab_label(req->lang, "child", code);
}

static void options(http_request *req, tpl_vars *v, const char *field, const char *selected)
{
	size_t n;
	const char *const *codes = child_codes(field, &n);
	tpl_list *l = tpl_set_list(v, arena_printf(req->arena, "%s_options", field));
	for (size_t i = 0; i < n; i++) {
		tpl_vars *o = tpl_list_add(l);
		tpl_set(o, "code", codes[i]);
		tpl_set(o, "name", *codes[i] ? label(req, codes[i]) : tr(req->lang, N_("Not yet")));
		tpl_set_bool(o, "selected", selected && strcmp(selected, codes[i]) == 0);
	}
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "age_assessed_on",
					  "guardian",
					  "guardian_appointed_on",
					  "bia_on",
					  "bid_on",
					  "placement",
					  "placement_since",
					  "tracing",
					  "tracing_notes",
					  "family_assessment",
					  NULL };

static int render(http_request *req, http_response *res, int64_t id, const child_input *in,
		  const field_errors *e, const char *alert)
{
	case_record c;
	child_record k;
	int rc = child_get(&services_of(req)->env, req->arena, principal_of(req), id, &c, &k);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)k.version));
	tpl_set_bool(v, "child", case_treated_as_child(&c, &k));
	/* The form shows what was typed after a refusal, else what is saved. */
	child_input shown = { .age_disputed = k.age_disputed,
			      .age_assessed_on = k.age_assessed_on,
			      .age_assessment = k.age_assessment,
			      .guardian = k.guardian,
			      .guardian_appointed_on = k.guardian_appointed_on,
			      .bia_on = k.bia_on,
			      .bid_on = k.bid_on,
			      .placement = k.placement,
			      .placement_since = k.placement_since,
			      .tracing = k.tracing,
			      .tracing_notes = k.tracing_notes,
			      .family_assessment = k.family_assessment };
	if (in)
		shown = *in;
	tpl_set_bool(v, "age_disputed", shown.age_disputed);
	const char *texts[][2] = { { "age_assessed_on", shown.age_assessed_on },
				   { "guardian", shown.guardian },
				   { "guardian_appointed_on", shown.guardian_appointed_on },
				   { "bia_on", shown.bia_on },
				   { "bid_on", shown.bid_on },
				   { "placement_since", shown.placement_since },
				   { "tracing_notes", shown.tracing_notes } };
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		tpl_set(v, texts[i][0], texts[i][1] ? texts[i][1] : "");
	options(req, v, "age_assessment", shown.age_assessment);
	options(req, v, "placement", shown.placement);
	options(req, v, "tracing", shown.tracing);
	options(req, v, "family_assessment", shown.family_assessment);
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	if (alert)
		tpl_set(v, "alert", tr(req->lang, alert));
	rc = web_render_page(req, res, "children", N_("Child protection"), v);
	if (!rc && (alert || (e && e->count)))
		http_refuse_page(res, e && e->count ? PONTE_EREJECTED : PONTE_ECONFLICT);
	return rc;
}

int web_case_child(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render(req, res, id, NULL, NULL, NULL)
					  : PONTE_ENOTFOUND;
}

int web_case_child_save(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *disputed = http_form(req, "age_disputed"), *version = http_form(req, "version");
	child_input in = { .age_disputed = disputed && strcmp(disputed, "1") == 0,
			   .age_assessed_on = http_form(req, "age_assessed_on"),
			   .age_assessment = http_form(req, "age_assessment"),
			   .guardian = http_form(req, "guardian"),
			   .guardian_appointed_on = http_form(req, "guardian_appointed_on"),
			   .bia_on = http_form(req, "bia_on"),
			   .bid_on = http_form(req, "bid_on"),
			   .placement = http_form(req, "placement"),
			   .placement_since = http_form(req, "placement_since"),
			   .tracing = http_form(req, "tracing"),
			   .tracing_notes = http_form(req, "tracing_notes"),
			   .family_assessment = http_form(req, "family_assessment") };
	field_errors e;
	int64_t current = 0;
	int rc = child_save(&services_of(req)->env, principal_of(req), id,
			    version ? strtoll(version, NULL, 10) : -1, &in, &e, &current);
	if (rc == PONTE_EINVAL)
		return render(req, res, id, &in, &e, NULL);
	if (rc == PONTE_ECONFLICT)
		return render(
		    req, res, id, &in, NULL,
		    N_("Someone else saved this page meanwhile. Check what is saved now and "
		       "save again."));
	if (rc)
		return rc;
	web_flash(req, N_("Child protection saved."), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld/child", (long long)id));
}
