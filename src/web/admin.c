/*
 * Administration pages: organisations, users and roles. Every change is audited; lists show
 * only what the caller's scope covers; a user outside it is "not found".
 */
#include "audit/audit.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/auth.h"
#include "services/services.h"
#include "web/web.h"

static void audit(http_request *req, const char *action, const char *type, const char *id,
		  const char *outcome)
{
	const principal *p = principal_of(req);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = type,
			  .object_id = id ? id : "",
			  .outcome = outcome,
			  .client = req->client_addr };
	audit_append(services_of(req)->db, &e);
}

static tpl_vars *page_vars(http_request *req, const char *error)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return NULL;
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "error", error ? tr(req->lang, error) : NULL);
	return v;
}

/* ---- organisations ---- */

struct list_ctx {
	http_request *req;
	tpl_list *list;
	const char *selected;
};

static int add_org(const organisation *o, void *ctx)
{
	struct list_ctx *l = ctx;
	tpl_vars *item = tpl_list_add(l->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "code", o->code);
	tpl_set(item, "name", o->name);
	tpl_set(item, "country", o->country);
	tpl_set(item, "country_name",
		country_label(services_of(l->req)->db, l->req->arena, i18n_lang(l->req->lang)->code,
			      o->country));
	tpl_set(item, "type", o->type);
	tpl_set(item, "type_name", vocab_label(l->req->lang, "organisation.type", o->type));
	tpl_set_bool(item, "focal_point", o->focal_point);
	tpl_set_bool(item, "selected", l->selected && strcmp(l->selected, o->code) == 0);
	return 0;
}

static int add_option(const char *code, const char *name, void *ctx)
{
	struct list_ctx *l = ctx;
	tpl_vars *item = tpl_list_add(l->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "code", code);
	tpl_set(item, "name", name);
	tpl_set_bool(item, "selected", l->selected && strcmp(l->selected, code) == 0);
	return 0;
}

static int add_type(const char *code, const char *label, void *ctx)
{
	struct list_ctx *l = ctx;
	return add_option(code, tr(l->req->lang, label), ctx);
}

static int render_orgs(http_request *req, http_response *res, const char *error)
{
	services *svc = services_of(req);
	tpl_vars *v = page_vars(req, error);
	if (!v)
		return PONTE_ENOMEM;
	struct list_ctx orgs = { req, tpl_set_list(v, "organisations"), NULL };
	struct list_ctx countries = { req, tpl_set_list(v, "countries"),
				      principal_of(req)->country };
	struct list_ctx types = { req, tpl_set_list(v, "types"), "NGO" };
	int rc = org_list(svc->db, req->arena, i18n_lang(req->lang)->code, add_org, &orgs);
	if (!rc)
		rc = country_list(svc->db, req->arena, i18n_lang(req->lang)->code, add_option,
				  &countries);
	if (!rc)
		rc = org_type_list(svc->db, req->arena, add_type, &types);
	return rc ? rc : web_render_page(req, res, "admin_orgs", N_("Organisations"), v);
}

int web_admin_orgs(http_request *req, http_response *res)
{
	return render_orgs(req, res, NULL);
}

int web_admin_org_add(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	const char *focal = http_form(req, "focal_point");
	organisation o = { 0,
			   http_form(req, "code"),
			   http_form(req, "name"),
			   http_form(req, "country"),
			   http_form(req, "type"),
			   0,
			   focal && *focal };
	int rc =
	    o.code && o.name && o.country && o.type ? org_add(svc->db, &o, NULL) : PONTE_EINVAL;
	if (rc == PONTE_EEXIST || rc == PONTE_EINVAL) {
		rc = render_orgs(req, res,
				 rc == PONTE_EEXIST
				     ? N_("An organisation with this code already exists.")
				     : N_("Check the code (letters, digits, - _ .), the name, the "
					  "country and the type."));
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	audit(req, "org.create", "organisation", o.code, "success");
	web_flash(req, N_("Organisation {name} added."), "name", o.name, NULL);
	return http_redirect(req, res, "/admin/organisations");
}

/* ---- users ---- */

static int add_role_option(const role *r, const grant *g, size_t n, void *ctx)
{
	(void)g;
	(void)n;
	struct list_ctx *l = ctx;
	tpl_vars *item = tpl_list_add(l->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "code", r->code);
	tpl_set(item, "name", tr(l->req->lang, r->name));
	bool checked = false;
	for (const char *p = l->selected; p && (p = strstr(p, r->code)); p++)
		if ((p == l->selected || p[-1] == ' ') &&
		    (p[strlen(r->code)] == ' ' || !p[strlen(r->code)]))
			checked = true;
	tpl_set_bool(item, "checked", checked);
	return 0;
}

/* The users list: every user the caller's scope covers, by name in the reader's dictionary
 * order, narrowed by organisation and status (codes, in the address) or by a part of a name or
 * e-mail address (typed, so sent in a form's body and never in an address), a page at a time. */
#define USERS_PER_PAGE 50
#define USERS_PAGE_MAX 10000
#define USERS_FIND_MAX 200 /* bytes of a typed part of a name or address */

struct users_ctx {
	http_request *req;
	const user **items;
	size_t n, cap;
	int64_t organisation_id; /* 0: every organisation */
	int status;              /* -1: every status */
	const char *find;        /* folded; NULL or "": no search */
};

static bool user_matches(const struct users_ctx *l, const user *u)
{
	if (l->organisation_id && u->organisation_id != l->organisation_id)
		return false;
	if (l->status >= 0 && u->status != l->status)
		return false;
	if (!l->find || !*l->find)
		return true;
	char name[512], email[512];
	utf8_fold(u->name ? u->name : "", name, sizeof(name));
	utf8_fold(u->email ? u->email : "", email, sizeof(email));
	return strstr(name, l->find) || strstr(email, l->find);
}

static int collect_user(const user *u, void *ctx)
{
	struct users_ctx *l = ctx;
	if (!principal_can_see(principal_of(l->req), "user.read", u->id, u->organisation_id,
			       u->country) ||
	    !user_matches(l, u))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const user **more = arena_calloc(l->req->arena, cap, sizeof(*more));
		if (!more)
			return PONTE_ENOMEM;
		if (l->n)
			memcpy(more, l->items, l->n * sizeof(*more));
		l->items = more;
		l->cap = cap;
	}
	l->items[l->n++] = u;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const user *x = *(const user *const *)a, *y = *(const user *const *)b;
	int c = utf8_collate(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int by_name_arabic_first(const void *a, const void *b)
{
	const user *x = *(const user *const *)a, *y = *(const user *const *)b;
	int c = utf8_collate_arabic_first(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int add_user(http_request *req, tpl_list *list, const user *u)
{
	tpl_vars *item = tpl_list_add(list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "id", arena_printf(req->arena, "%lld", (long long)u->id));
	tpl_set(item, "name", u->name);
	tpl_set(item, "email", u->email);
	tpl_set(item, "organisation", u->organisation_code);
	tpl_set(item, "organisation_name",
		u->organisation_name ? u->organisation_name : u->organisation_code);
	tpl_set(item, "status", vocab_label(req->lang, "user.status", user_status_name(u->status)));
	tpl_set_bool(item, "active", u->status == USER_ACTIVE);
	return 0;
}

/* The status a query names (-1 for none or one we do not know: *bad is then set). */
static int status_of(const char *s, bool *bad)
{
	if (!s || !*s)
		return -1;
	for (int st = USER_ACTIVE; st <= USER_DISABLED; st++)
		if (!strcmp(s, user_status_name(st)))
			return st;
	*bad = true;
	return -1;
}

static int add_status_options(http_request *req, tpl_vars *v, int selected)
{
	tpl_list *list = tpl_set_list(v, "statuses");
	for (int st = USER_ACTIVE; st <= USER_DISABLED; st++) {
		tpl_vars *item = tpl_list_add(list);
		if (!item)
			return PONTE_ENOMEM;
		tpl_set(item, "code", user_status_name(st));
		tpl_set(item, "name", vocab_label(req->lang, "user.status", user_status_name(st)));
		tpl_set_bool(item, "selected", st == selected);
	}
	return 0;
}

/* The languages a new user may be given: the instance's, packs loaded at run time included. */
static int add_language_options(http_request *req, tpl_vars *v)
{
	tpl_list *list = tpl_set_list(v, "languages");
	const char *chosen = http_form(req, "language");
	for (int lang = 0; lang < i18n_lang_count(); lang++) {
		if (!i18n_lang_active(lang))
			continue;
		tpl_vars *item = tpl_list_add(list);
		if (!item)
			return PONTE_ENOMEM;
		const lang_info *li = i18n_lang(lang);
		tpl_set(item, "code", li->code);
		tpl_set(item, "name", li->native_name);
		tpl_set(item, "dir", li->dir);
		tpl_set_bool(item, "selected",
			     chosen ? !strcmp(chosen, li->code) : lang == req->lang);
	}
	return 0;
}

/* The pager's links for page pg of n users under the filter's query ("" or "a=b&"). */
static void set_pager(http_request *req, tpl_vars *v, const char *query, long pg, size_t n)
{
	long pages = n ? (long)((n + USERS_PER_PAGE - 1) / USERS_PER_PAGE) : 1;
	if (pg > 1)
		tpl_set(v, "prev_url",
			arena_printf(req->arena, "/admin/users?%spage=%ld", query, pg - 1));
	if (pg > 2)
		tpl_set(v, "first_url", arena_printf(req->arena, "/admin/users?%spage=1", query));
	if (pg < pages)
		tpl_set(v, "next_url",
			arena_printf(req->arena, "/admin/users?%spage=%ld", query, pg + 1));
	tpl_set(v, "page", web_count(req, pg));
	tpl_set(v, "pages", web_count(req, pages));
}

static int render_users(http_request *req, http_response *res, const char *error)
{
	services *svc = services_of(req);
	tpl_vars *v = page_vars(req, error);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set_bool(v, "can_manage", principal_can(principal_of(req), "user.manage"));
	bool finding = req->method == HTTP_POST && http_form(req, "find") != NULL;
	struct users_ctx users = { .req = req, .status = -1 };
	bool bad = false;
	const char *org_code = finding ? NULL : http_query(req, "organisation");
	const char *status = finding ? NULL : http_query(req, "status");
	users.status = status_of(status, &bad);
	organisation org = { 0 };
	if (org_code && *org_code) {
		if (org_find(svc->db, req->arena, org_code, &org) == 0)
			users.organisation_id = org.id;
		else
			bad = true;
	}
	long pg = 1;
	const char *page = finding ? NULL : http_query(req, "page");
	if (page && *page) {
		char *end;
		pg = strtol(page, &end, 10);
		if (*end || pg < 1 || pg > USERS_PAGE_MAX) {
			pg = 1;
			bad = true;
		}
	}
	char folded[USERS_FIND_MAX * 2 + 1] = "";
	if (finding) {
		const char *typed = http_form(req, "find");
		if (strlen(typed) > USERS_FIND_MAX) {
			tpl_set(v, "find_error",
				tr(req->lang, N_("Type at most 200 characters of a name or an "
						 "e-mail address.")));
			http_refuse_page(res, PONTE_EREJECTED);
		} else {
			utf8_fold(typed, folded, sizeof(folded));
			users.find = folded;
			tpl_set(v, "find", typed);
		}
		tpl_set_bool(v, "finding", true);
	}
	if (bad)
		tpl_set(v, "filter_error",
			tr(req->lang, N_("Part of this address could not be read: every user of "
					 "your scope is shown instead.")));
	if (bad) {
		users.organisation_id = 0;
		users.status = -1;
		org_code = NULL;
		pg = 1;
	}
	struct list_ctx orgs = { req, tpl_set_list(v, "organisations"),
				 http_form(req, "organisation") };
	struct list_ctx filter_orgs = { req, tpl_set_list(v, "filter_organisations"),
					users.organisation_id ? org_code : "" };
	struct list_ctx roles = { req, tpl_set_list(v, "roles"), "" };
	tpl_set(v, "form_email", http_form(req, "email"));
	tpl_set(v, "form_name", http_form(req, "name"));
	int rc = user_list(&svc->env, req->arena, collect_user, &users);
	if (!rc)
		rc = org_list(svc->db, req->arena, i18n_lang(req->lang)->code, add_org, &orgs);
	if (!rc)
		rc = org_list(svc->db, req->arena, i18n_lang(req->lang)->code, add_org,
			      &filter_orgs);
	if (!rc)
		rc = role_list(svc->db, req->arena, add_role_option, &roles);
	if (!rc)
		rc = add_status_options(req, v, users.status);
	if (!rc)
		rc = add_language_options(req, v);
	if (rc)
		return rc;
	if (users.n)
		qsort(users.items, users.n, sizeof(*users.items),
		      i18n_arabic_script(i18n_lang(req->lang)->code) ? by_name_arabic_first
								     : by_name);
	size_t from = finding ? 0 : (size_t)(pg - 1) * USERS_PER_PAGE;
	size_t to = finding ? users.n : from + USERS_PER_PAGE;
	if (to > users.n)
		to = users.n;
	tpl_list *list = tpl_set_list(v, "users");
	for (size_t i = from; i < to && !rc; i++)
		rc = add_user(req, list, users.items[i]);
	if (rc)
		return rc;
	tpl_set(v, "total", web_count(req, (int64_t)users.n));
	tpl_set_bool(v, "past_end", from >= users.n && users.n > 0);
	if (!finding) {
		const char *query = arena_printf(
		    req->arena, "%s%s%s%s%s%s", users.organisation_id ? "organisation=" : "",
		    users.organisation_id ? org_code : "", users.organisation_id ? "&" : "",
		    users.status >= 0 ? "status=" : "",
		    users.status >= 0 ? user_status_name(users.status) : "",
		    users.status >= 0 ? "&" : "");
		if (!query)
			return PONTE_ENOMEM;
		set_pager(req, v, query, pg, users.n);
		tpl_set_bool(v, "filtered", users.organisation_id || users.status >= 0);
	}
	audit(req, "user.list", "user", "", "success");
	return web_render_page(req, res, "admin_users", N_("Users"), v);
}

int web_admin_users(http_request *req, http_response *res)
{
	return render_users(req, res, NULL);
}

/* A part of a name or an e-mail address typed into the list's search: the same page, the users
 * it matches. */
int web_admin_users_find(http_request *req, http_response *res)
{
	return render_users(req, res, NULL);
}

/* All values of a repeated form field (checkboxes). */
static size_t form_all(const http_request *req, const char *name, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < req->form.count && n < max; i++)
		if (strcmp(req->form.items[i].key, name) == 0)
			out[n++] = req->form.items[i].value;
	return n;
}

int web_admin_user_add(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	user_input in = { .email = http_form(req, "email"),
			  .name = http_form(req, "name"),
			  .phone = http_form(req, "phone"),
			  .organisation_code = http_form(req, "organisation"),
			  .password = http_form(req, "password"),
			  .language = http_form(req, "language") };
	in.nroles = form_all(req, "role", in.roles, IDENTITY_MAX_ROLES);
	organisation org = { 0 };
	int problem = 0;
	if (in.organisation_code &&
	    org_find(svc->db, req->arena, in.organisation_code, &org) == 0 &&
	    !principal_can_see(principal_of(req), "user.manage", 0, org.id, org.country))
		problem = USER_UNKNOWN_ORG;
	int64_t id = 0;
	int rc = problem ? PONTE_EINVAL : user_add(&svc->env, &in, &id, &problem);
	if (problem) {
		rc = render_users(req, res, user_problem_message(problem));
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	audit(req, "user.create", "user", arena_printf(req->arena, "%lld", (long long)id),
	      "success");
	web_flash(req, N_("User added to {org}."), "org",
		  org.name ? org.name : in.organisation_code, NULL);
	return http_redirect(req, res, "/admin/users");
}

/* The user of {id} if the caller may see it; PONTE_ENOTFOUND otherwise. */
static int visible_user(http_request *req, const char *permission, user *u)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	int rc = user_get(&services_of(req)->env, req->arena, id, u);
	if (rc)
		return rc;
	if (!principal_can_see(principal_of(req), permission, u->id, u->organisation_id,
			       u->country)) {
		audit(req, "user.read", "user", req->params[0], "denied");
		return PONTE_ENOTFOUND;
	}
	return 0;
}

static int render_user(http_request *req, http_response *res, const user *u, const char *error)
{
	tpl_vars *v = page_vars(req, error);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", req->params[0]);
	tpl_set(v, "name", u->name);
	tpl_set(v, "email", u->email);
	tpl_set(v, "phone", u->phone);
	tpl_set(v, "organisation", u->organisation_name);
	tpl_set(v, "country", u->country);
	tpl_set(v, "country_name",
		country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			      u->country));
	tpl_set(v, "language", u->language);
	tpl_set(v, "language_name", language_labels(req->arena, req->lang, u->language));
	tpl_set(v, "status", user_status_name(u->status));
	tpl_set(v, "status_name",
		vocab_label(req->lang, "user.status", user_status_name(u->status)));
	tpl_set_bool(v, "totp", u->totp_enabled);
	tpl_set_bool(v, "can_manage",
		     principal_can_see(principal_of(req), "user.manage", u->id, u->organisation_id,
				       u->country));
	char roles_text[512] = "";
	for (size_t i = 0; i < u->nroles; i++)
		snprintf(roles_text + strlen(roles_text), sizeof(roles_text) - strlen(roles_text),
			 "%s%s", i ? " " : "", u->roles[i]);
	struct list_ctx roles = { req, tpl_set_list(v, "roles"), roles_text };
	int rc = role_list(services_of(req)->db, req->arena, add_role_option, &roles);
	if (rc)
		return rc;
	audit(req, "user.read", "user", req->params[0], "success");
	return web_render_page(req, res, "admin_user", N_("User"), v);
}

int web_admin_user(http_request *req, http_response *res)
{
	user u;
	int rc = visible_user(req, "user.read", &u);
	if (rc)
		return rc;
	return render_user(req, res, &u, NULL);
}

static int user_status(http_request *req, http_response *res)
{
	user u;
	int rc = visible_user(req, "user.manage", &u);
	if (rc)
		return rc;
	const char *status = http_form(req, "status");
	int s = status ? user_status_from_name(status) : -1;
	if (s < 0)
		return PONTE_EINVAL;
	/* Locking and disabling end the user's work at once: asked first. */
	if (s != USER_ACTIVE && !web_confirmed(req)) {
		const char *back = arena_printf(req->arena, "/admin/users/%s", req->params[0]);
		return s == USER_LOCKED
			   ? web_confirm(
				 req, res, NULL, N_("Lock this account?"),
				 web_fill(req,
					  N_("This locks the account of {name}: every "
					     "session they have open ends at once, and they "
					     "cannot sign in until an administrator unlocks "
					     "it."),
					  "name", u.name, NULL),
				 N_("Lock the account"), back)
			   : web_confirm(
				 req, res, NULL, N_("Disable this account?"),
				 web_fill(req,
					  N_("This disables the account of {name}: every "
					     "session they have open ends at once and the "
					     "account is closed, for someone who has left."),
					  "name", u.name, NULL),
				 N_("Disable the account"), back);
	}
	services *svc = services_of(req);
	rc = user_set_status(svc->db, u.id, s);
	if (!rc && s != USER_ACTIVE)
		rc = auth_logout_everywhere(svc->db, u.id);
	if (rc)
		return rc;
	audit(req,
	      s == USER_ACTIVE   ? "user.unlock"
	      : s == USER_LOCKED ? "user.lock"
				 : "user.disable",
	      "user", req->params[0], "success");
	if (s == USER_ACTIVE)
		web_flash(req, N_("User unlocked: they can sign in again."), NULL);
	else if (s == USER_LOCKED)
		web_flash(req,
			  N_("User locked: their sessions have ended and they cannot sign in."),
			  NULL);
	else
		web_flash(req,
			  N_("User disabled: their sessions have ended and the account is closed."),
			  NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/admin/users/%s", req->params[0]));
}

static int user_roles(http_request *req, http_response *res)
{
	user u;
	int rc = visible_user(req, "user.manage", &u);
	if (rc)
		return rc;
	const char *roles[IDENTITY_MAX_ROLES];
	size_t n = form_all(req, "role", roles, IDENTITY_MAX_ROLES);
	rc = n ? user_set_roles(services_of(req)->db, u.id, roles, n) : PONTE_EINVAL;
	if (rc == PONTE_EINVAL) {
		rc = render_user(req, res, &u, user_problem_message(USER_NO_ROLE));
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	/* A permission change: the user's sessions end so the new roles apply at once. */
	auth_logout_everywhere(services_of(req)->db, u.id);
	audit(req, "user.roles", "user", req->params[0], "success");
	web_flash(req, N_("Roles saved: they apply from the user's next sign-in."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/admin/users/%s", req->params[0]));
}

/* A lost phone: the second factor reset with a reason, the user's sessions and tokens ended,
 * enrolment again at the next sign-in (totp_reset() records it and its audit event). */
static int user_2fa_reset(http_request *req, http_response *res)
{
	user u;
	int rc = visible_user(req, "user.manage", &u);
	if (rc)
		return rc;
	rc = totp_reset(&services_of(req)->env, principal_of(req), u.id, http_form(req, "reason"));
	if (rc == PONTE_EINVAL) {
		rc = render_user(req, res, &u,
				 N_("Write the reason for the reset in at most 500 characters."));
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req,
		  N_("Two-factor authentication has been reset: the user sets it up again at the "
		     "next sign-in."),
		  NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/admin/users/%s", req->params[0]));
}

/* The user's page: do=roles sets the roles, do=status locks, disables or unlocks, do=2fa_reset
 * resets the second factor. */
int web_admin_user_change(http_request *req, http_response *res)
{
	const char *what = web_form_do(req);
	if (strcmp(what, "2fa_reset") == 0)
		return user_2fa_reset(req, res);
	if (strcmp(what, "roles") == 0)
		return user_roles(req, res);
	if (strcmp(what, "status") == 0)
		return user_status(req, res);
	return PONTE_EINVAL;
}

/* ---- roles ---- */

struct roles_ctx {
	http_request *req;
	tpl_list *list;
};

static int add_role(const role *r, const grant *g, size_t n, void *ctx)
{
	struct roles_ctx *l = ctx;
	tpl_vars *item = tpl_list_add(l->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "code", r->code);
	tpl_set(item, "name", tr(l->req->lang, r->name));
	tpl_set_bool(item, "requires_2fa", r->requires_2fa);
	tpl_list *grants = tpl_set_list(item, "grants");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *gi = tpl_list_add(grants);
		tpl_set(gi, "permission", g[i].permission);
		tpl_set(gi, "scope", tr(l->req->lang, scope_name(g[i].scope)));
	}
	return 0;
}

static int render_roles(http_request *req, http_response *res, const char *error)
{
	tpl_vars *v = page_vars(req, error);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set_bool(v, "can_manage", principal_can(principal_of(req), "role.manage"));
	struct roles_ctx roles = { req, tpl_set_list(v, "roles") };
	int rc = role_list(services_of(req)->db, req->arena, add_role, &roles);
	if (rc)
		return rc;
	size_t n;
	const permission_info *perms = permission_list(&n);
	tpl_list *pl = tpl_set_list(v, "permissions");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *item = tpl_list_add(pl);
		tpl_set(item, "name", perms[i].name);
		tpl_set(item, "description", tr(req->lang, perms[i].description));
	}
	struct list_ctx options = { req, tpl_set_list(v, "role_options"), NULL };
	rc = role_list(services_of(req)->db, req->arena, add_role_option, &options);
	return rc ? rc : web_render_page(req, res, "admin_roles", N_("Roles"), v);
}

int web_admin_roles(http_request *req, http_response *res)
{
	return render_roles(req, res, NULL);
}

int web_admin_role_grant(http_request *req, http_response *res)
{
	const char *role_code = http_form(req, "role"), *permission = http_form(req, "permission");
	const char *scope = http_form(req, "scope");
	services *svc = services_of(req);
	int rc;
	bool revoke = scope && strcmp(scope, "none") == 0;
	if (!role_code || !permission || !scope)
		rc = PONTE_EINVAL;
	else if (revoke)
		rc = role_revoke(svc->db, role_code, permission);
	else
		rc = role_grant(svc->db, role_code, permission, scope_from_text(scope));
	if (rc == PONTE_EINVAL || rc == PONTE_ENOTFOUND) {
		rc = render_roles(req, res, N_("Choose a role, a permission and a scope."));
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	audit(req, revoke ? "role.revoke" : "role.grant", "role",
	      arena_printf(req->arena, "%s:%s:%s", role_code, permission, scope), "success");
	if (revoke)
		web_flash(req, N_("Permission {permission} taken from role {role}."), "permission",
			  permission, "role", role_code, NULL);
	else
		web_flash(req, N_("Permission {permission} given to role {role}."), "permission",
			  permission, "role", role_code, NULL);
	return http_redirect(req, res, "/admin/roles");
}
