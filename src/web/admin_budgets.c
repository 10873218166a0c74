/* /admin/privacy-budgets: the privacy budget of each data provider's records, and changing
 * it. Raising a spent budget undoes what it protects, so it is an administrator's decision
 * (obs.budget) with a reason, kept with who took it and audited (obs_budget_change()). */
#include <errno.h>
#include <math.h>

#include "i18n/i18n.h"
#include "obs/obs.h"
#include "services/services.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *list;
};

static const char *number(arena *a, double x)
{
	return arena_printf(a, "%g", x);
}

static int add_budget(const obs_budget_info *x, void *ctx)
{
	struct rows *r = ctx;
	arena *a = r->req->arena;
	tpl_vars *v = tpl_list_add(r->list);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", arena_printf(a, "%lld", (long long)x->provider_id));
	tpl_set(v, "code", x->provider);
	tpl_set(v, "name", x->name);
	tpl_set(v, "budget", number(a, x->budget));
	tpl_set(v, "spent", number(a, x->spent));
	tpl_set(v, "left", number(a, x->budget > x->spent ? x->budget - x->spent : 0));
	return 0;
}

static int add_change(const obs_budget_change_info *x, void *ctx)
{
	struct rows *r = ctx;
	arena *a = r->req->arena;
	tpl_vars *v = tpl_list_add(r->list);
	if (!v)
		return PONTE_ENOMEM;
	keyed_store env = services_of(r->req)->env;
	user u;
	web_set_when(r->req, v, "date", x->changed_at, false);
	tpl_set(v, "provider", x->provider);
	tpl_set(v, "before", number(a, x->before));
	tpl_set(v, "after", number(a, x->budget));
	tpl_set(v, "reason", x->reason);
	tpl_set(v, "by",
		user_get(&env, a, x->changed_by, &u) == 0
		    ? u.name
		    : arena_printf(a, "#%lld", (long long)x->changed_by));
	return 0;
}

static int render(http_request *req, http_response *res, const char *error, int refusal)
{
	const principal *p = principal_of(req);
	store *db = services_of(req)->db;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "csrf", p->csrf);
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	struct rows budgets = { req, tpl_set_list(v, "budgets") };
	struct rows changes = { req, tpl_set_list(v, "changes") };
	int rc = obs_budget_list(db, req->arena, add_budget, &budgets);
	if (!rc)
		rc = obs_budget_changes(db, req->arena, 0, add_change, &changes);
	if (!rc)
		rc = web_render_page(req, res, "admin_budgets", N_("Privacy budgets"), v);
	if (!rc && refusal)
		http_refuse_page(res, refusal);
	return rc;
}

int web_admin_budgets(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0);
}

/* A budget as typed: a decimal comma is a decimal point. */
static bool parse_budget(const char *text, double *out)
{
	char copy[32];
	if (!text || !*text || strlen(text) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *c = copy; *c; c++)
		if (*c == ',')
			*c = '.';
	char *end;
	errno = 0;
	*out = strtod(copy, &end);
	return !errno && !*end && isfinite(*out) && *out > 0 && *out <= 100;
}

int web_admin_budget_set(http_request *req, http_response *res)
{
	const char *provider = http_form(req, "provider");
	char *end;
	errno = 0;
	long long id = provider ? strtoll(provider, &end, 10) : 0;
	if (!provider || errno || *end || id <= 0)
		return render(req, res, N_("Choose a data provider."), PONTE_EREJECTED);
	double budget;
	if (!parse_budget(http_form(req, "budget"), &budget))
		return render(req, res, N_("The budget is a number above 0 and at most 100."),
			      PONTE_EREJECTED);
	int rc = obs_budget_change(services_of(req)->db, principal_of(req), id, budget,
				   http_form(req, "reason"));
	if (rc == PONTE_EINVAL)
		return render(req, res, N_("Say why, in 10 to 500 characters."), PONTE_EREJECTED);
	if (rc == PONTE_ENOTFOUND)
		return render(req, res, N_("Choose a data provider."), PONTE_EREJECTED);
	if (rc)
		return rc;
	web_flash(req, N_("Privacy budget changed to {budget}."), "budget",
		  http_form(req, "budget"), NULL);
	return http_redirect(req, res, "/admin/privacy-budgets");
}
