/* Finding a person by name: /cases/search (and the same form on /cases).
 *
 * The name is typed into a form that is posted, and the answer is rendered from the post: a
 * name never goes into an address, which browsers keep in their history and servers and
 * proxies in their logs. GET shows the form alone, so that the page's address opens it again.
 * The search itself (cases/name_search.c) finds the cases in the reader's scope only and is
 * audited as a whole, as the case list is. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct found {
	http_request *req;
	tpl_list *list;
};

static int add_match(const case_record *c, int score, void *ctx)
{
	(void)score;
	struct found *f = ctx;
	http_request *req = f->req;
	tpl_vars *item = web_case_row(req, f->list, c);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "number", web_count(req, c->id));
	return 0;
}

static int render(http_request *req, http_response *res, tpl_vars *v, const char *name)
{
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "name", name);
	return web_render_page(req, res, "case_search", N_("Find a person"), v);
}

int web_cases_search_form(http_request *req, http_response *res)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	return v ? render(req, res, v, "") : PONTE_ENOMEM;
}

int web_cases_search(http_request *req, http_response *res)
{
	const char *name = http_form(req, "name");
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	field_errors e;
	if (!case_search_name_valid(name, &e)) {
		static const char *const ORDER[] = { "name", NULL };
		web_field_errors(req, v, &e, ORDER, NULL);
		int rc = render(req, res, v, name ? name : "");
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	struct found f = { req, tpl_set_list(v, "matches") };
	int64_t found = 0;
	int rc = case_find_by_name(&services_of(req)->env, req->arena, principal_of(req), name,
				   CASE_SEARCH_MAX, add_match, &f, &found);
	if (rc)
		return rc;
	tpl_set_bool(v, "searched", true);
	tpl_set(v, "total", web_count(req, found));
	if (found > CASE_SEARCH_MAX)
		tpl_set(v, "more",
			web_fill(req, N_("The best {n} are shown: type more of the name."), "n",
				 web_count(req, CASE_SEARCH_MAX), NULL));
	return render(req, res, v, name);
}
