/* /admin/rules: the legal clocks of each country and who may confirm victim status, as
 * administrators set them; 'ZZ' is the default of every country without its own value. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf;
};

static int add_rule(const char *country, const char *rule, int64_t value, void *ctx)
{
	struct rows *x = ctx;
	const char *label = country_rule_label(rule, NULL);
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "country", country);
	tpl_set(v, "country_name",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      country));
	tpl_set_bool(v, "default", strcmp(country, "ZZ") == 0);
	tpl_set(v, "rule", rule);
	tpl_set(v, "label", label ? tr(x->req->lang, label) : rule);
	tpl_set(v, "value", arena_printf(x->req->arena, "%lld", (long long)value));
	tpl_set(v, "csrf", x->csrf);
	return 0;
}

static int add_confirmers(const char *country, const char *types, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "country", country);
	tpl_set(v, "country_name",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      country));
	tpl_set_bool(v, "default", strcmp(country, "ZZ") == 0);
	buf b;
	buf_init(&b, 2048);
	size_t n;
	const case_code *codes = status_decision_codes("decider", &n);
	for (const char *s = types; *s;) {
		size_t len = strcspn(s, ",");
		for (size_t i = 0; i < n; i++)
			if (strlen(codes[i].code) == len && memcmp(codes[i].code, s, len) == 0)
				buf_printf(&b, "%s%s", b.len ? ", " : "",
					   tr(x->req->lang, codes[i].label));
		s += len + (s[len] == ',');
	}
	tpl_set(v, "types", arena_strdup(x->req->arena, b.data ? b.data : ""));
	buf_release(&b); /* tpl_set keeps the pointer: the copy above lives in the arena */
	return 0;
}

static int add_country(const char *code, const char *name, void *ctx)
{
	tpl_vars *v = tpl_list_add(ctx);
	tpl_set(v, "code", code);
	tpl_set(v, "name", name);
	return 0;
}

/* The fields of the form, top to bottom, for the error summary. */
static const char *const FORM_ORDER[] = { "country", "rule", "value", "org_types", NULL };

static int render(http_request *req, http_response *res, const field_errors *e, int refusal)
{
	const principal *p = principal_of(req);
	store *db = services_of(req)->db;
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "csrf", p->csrf);
	struct rows r = { req, tpl_set_list(v, "rules"), p->csrf };
	int rc = country_rules_list(db, req->arena, add_rule, &r);
	struct rows k = { req, tpl_set_list(v, "confirmers"), p->csrf };
	if (!rc)
		rc = status_confirmers_list(db, req->arena, add_confirmers, &k);
	if (!rc)
		rc = country_list(db, req->arena, i18n_lang(req->lang)->code, add_country,
				  tpl_set_list(v, "countries"));
	tpl_list *names = tpl_set_list(v, "names");
	for (size_t i = 0; country_rule_at(i); i++) {
		int max = 0;
		tpl_vars *x = tpl_list_add(names);
		tpl_set(x, "rule", country_rule_at(i));
		tpl_set(x, "label", tr(req->lang, country_rule_label(country_rule_at(i), &max)));
		tpl_set(x, "max", web_count(req, max));
	}
	size_t n;
	const case_code *codes = status_decision_codes("decider", &n);
	tpl_list *types = tpl_set_list(v, "types");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *x = tpl_list_add(types);
		tpl_set(x, "code", codes[i].code);
		tpl_set(x, "name", tr(req->lang, codes[i].label));
	}
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	if (!rc)
		rc = web_render_page(req, res, "admin_rules", N_("Country rules"), v);
	if (!rc && refusal)
		http_refuse_page(res, refusal);
	return rc;
}

int web_admin_rules(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0);
}

static int rule_unset(http_request *req, http_response *res)
{
	int rc = country_rule_unset(services_of(req)->db, principal_of(req),
				    http_form(req, "country"), http_form(req, "rule"));
	if (rc)
		return rc;
	web_flash(req, N_("The country's rule is back to the default."), NULL);
	return http_redirect(req, res, "/admin/rules");
}

static int confirmers_set(http_request *req, http_response *res)
{
	buf b;
	buf_init(&b, 2048);
	for (size_t i = 0; i < req->form.count; i++)
		if (strcmp(req->form.items[i].key, "org_type") == 0 &&
		    !strchr(req->form.items[i].value, ','))
			buf_printf(&b, "%s%s", b.len ? "," : "", req->form.items[i].value);
	field_errors e;
	int rc = status_confirmers_set(services_of(req)->db, principal_of(req),
				       http_form(req, "country"), b.data ? b.data : "", &e);
	buf_release(&b);
	if (rc == PONTE_EINVAL)
		return render(req, res, &e, PONTE_EREJECTED);
	if (rc)
		return rc;
	web_flash(req, N_("Saved: who may confirm victim status."), NULL);
	return http_redirect(req, res, "/admin/rules");
}

/* The rules page: its main form sets a country's value; do=remove goes back to the default,
 * do=confirmers sets who confirms victim status. */
int web_admin_rule_set(http_request *req, http_response *res)
{
	const char *what = web_form_do(req);
	if (strcmp(what, "remove") == 0)
		return rule_unset(req, res);
	if (strcmp(what, "confirmers") == 0)
		return confirmers_set(req, res);
	field_errors e;
	int rc =
	    country_rule_set(services_of(req)->db, principal_of(req), http_form(req, "country"),
			     http_form(req, "rule"), http_form(req, "value"), &e);
	if (rc == PONTE_EINVAL)
		return render(req, res, &e, PONTE_EREJECTED);
	if (rc)
		return rc;
	web_flash(req, N_("The country's rule has been saved."), NULL);
	return http_redirect(req, res, "/admin/rules");
}
