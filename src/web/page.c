#include <stdarg.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/static.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "identity/auth.h"
#include "instance/instance.h"
#include "services/services.h"
#include "web/web.h"

static int add_country(const char *code, const char *name, void *ctx)
{
	web_countries *c = ctx;
	if (c->n < ARRAY_LEN(c->code)) {
		c->code[c->n] = code;
		c->name[c->n++] = name;
	}
	return 0;
}

web_countries *web_countries_of(http_request *req)
{
	web_countries *c = arena_calloc(req->arena, 1, sizeof(*c));
	if (c)
		country_list(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			     add_country, c);
	return c;
}

const char *web_country_name(const web_countries *c, const char *code)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->code[i], code) == 0)
			return c->name[i];
	return NULL;
}

const char *web_date(http_request *req, const char *stored)
{
	return i18n_date(req->arena, req->lang, stored);
}

const char *web_datetime(http_request *req, const char *stored)
{
	return i18n_datetime(req->arena, req->lang, stored);
}

const char *web_relative_day(http_request *req, const char *stored)
{
	return i18n_relative_day(req->arena, req->lang, stored, clock_wall_ms());
}

const char *web_count(http_request *req, int64_t n)
{
	return i18n_number(req->arena, req->lang, n);
}

void web_set_when(http_request *req, tpl_vars *v, const char *key, const char *stored,
		  bool with_time)
{
	if (!stored)
		stored = "";
	tpl_set(v, arena_printf(req->arena, "%s_iso", key), stored);
	tpl_set(v, key, with_time ? web_datetime(req, stored) : web_date(req, stored));
}

const char *web_form_do(const http_request *req)
{
	const char *s = http_form(req, "do");
	return s ? s : "";
}

int64_t web_form_id(const http_request *req, const char *name)
{
	const char *s = http_form(req, name);
	char *end = NULL;
	long long v = s && *s ? strtoll(s, &end, 10) : 0;
	return end && !*end && v > 0 ? v : 0;
}

/* text with each "{name}" replaced by the value after name in the NULL-ended pairs of ap;
 * a placeholder without a value stays as it is. */
static const char *fill(arena *a, const char *text, va_list ap)
{
	const char *names[8], *values[8];
	size_t n = 0;
	for (const char *name; n < ARRAY_LEN(names) && (name = va_arg(ap, const char *)); n++) {
		names[n] = name;
		values[n] = va_arg(ap, const char *);
		if (!values[n])
			values[n] = "";
	}
	buf b;
	buf_init(&b, SESSION_FLASH_MAX * 4);
	for (const char *s = text; *s;) {
		size_t k = n;
		if (*s == '{')
			for (k = 0; k < n; k++) {
				size_t len = strlen(names[k]);
				if (!strncmp(s + 1, names[k], len) && s[1 + len] == '}')
					break;
			}
		if (k < n) {
			buf_append(&b, values[k], strlen(values[k]));
			s += strlen(names[k]) + 2;
		} else {
			buf_append(&b, s, 1);
			s++;
		}
	}
	const char *out = b.data ? arena_strdup(a, b.data) : "";
	buf_release(&b);
	return out;
}

/* Keep the message within the session's ceiling, cut at a character's start. */
static void flash_store(http_request *req, const char *text)
{
	const principal *p = principal_of(req);
	if (!p || p->api || !text || !*text)
		return;
	size_t n = strlen(text);
	if (n > SESSION_FLASH_MAX) {
		n = SESSION_FLASH_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
		text = arena_strndup(req->arena, text, n);
	}
	/* The change is made; a message that cannot be kept only goes unsaid. */
	if (text && session_flash_set(services_of(req)->db, p->session_id, text))
		log_msg(LOG_WARN, "web.flash", "the message for the next page could not be kept");
}

const char *web_fill(http_request *req, const char *msgid, ...)
{
	va_list ap;
	va_start(ap, msgid);
	const char *text = fill(req->arena, tr(req->lang, msgid), ap);
	va_end(ap);
	return text;
}

void web_flash(http_request *req, const char *msgid, ...)
{
	va_list ap;
	va_start(ap, msgid);
	const char *text = fill(req->arena, tr(req->lang, msgid), ap);
	va_end(ap);
	flash_store(req, text);
}

void web_flash_n(http_request *req, const char *singular, const char *plural, int64_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	const char *text = fill(req->arena, trn(req->lang, singular, plural, (unsigned long)n), ap);
	va_end(ap);
	/* {n} as the reader writes numbers, after the named values. */
	const char *at = text ? strstr(text, "{n}") : NULL;
	if (at)
		text = arena_printf(req->arena, "%.*s%s%s", (int)(at - text), text,
				    i18n_number(req->arena, req->lang, n), at + 3);
	flash_store(req, text);
}

bool web_confirmed(const http_request *req)
{
	const char *c = http_form(req, "confirm");
	return c && strcmp(c, "1") == 0;
}

int web_confirm(http_request *req, http_response *res, const char *action, const char *heading,
		const char *consequence, const char *button, const char *back)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const principal *p = principal_of(req);
	tpl_set(v, "csrf", p ? p->csrf : "");
	tpl_set(v, "action", action ? action : req->path);
	tpl_set(v, "heading", tr(req->lang, heading));
	tpl_set(v, "consequence", consequence);
	tpl_set(v, "button", tr(req->lang, button));
	tpl_set(v, "back", back);
	/* What the first form said, said again with the confirmation. */
	tpl_list *fields = tpl_set_list(v, "fields");
	for (size_t i = 0; i < req->form.count; i++) {
		const char *name = req->form.items[i].key;
		if (!strcmp(name, "csrf") || !strcmp(name, "confirm"))
			continue;
		tpl_vars *f = tpl_list_add(fields);
		if (!f)
			return PONTE_ENOMEM;
		tpl_set(f, "name", name);
		tpl_set(f, "value", req->form.items[i].value);
	}
	return web_render_page(req, res, "confirm", heading, v);
}

/* The language switch: the same page in each language (?lang= is remembered by a cookie). */
static int add_languages(http_request *req, tpl_vars *v)
{
	tpl_list *langs = tpl_set_list(v, "languages");
	for (int lang = 0; lang < i18n_lang_count(); lang++) {
		if (!i18n_lang_active(lang))
			continue; /* a pack withdrawn since */
		tpl_vars *item = tpl_list_add(langs);
		if (!item)
			return PONTE_ENOMEM;
		const lang_info *li = i18n_lang(lang);
		const char *url = arena_printf(req->arena, "%s?lang=%s", req->path, li->code);
		if (!url)
			return PONTE_ENOMEM;
		tpl_set(item, "code", li->code);
		tpl_set(item, "name", li->native_name);
		tpl_set(item, "url", url);
		tpl_set(item, "dir", li->dir);
		tpl_set_bool(item, "current", lang == req->lang);
	}
	return 0;
}

/* The menu, grouped by task: each entry shows under the permission of its page's route
 * (src/app/routes.c), a group only when it has an entry, and the entry whose address is the
 * longest prefix of the page's is the current one. Home and the reader's own account are
 * written in the layout. */
struct menu_entry {
	const char *label, *href, *permission; /* NULL: any signed-in reader */
};
struct menu_group {
	const char *id, *label;
	/* Ends at the first entry without a label: one more than the largest group has. */
	struct menu_entry entries[12];
};
static const struct menu_group MENU[] = {
	{ "menu-casework",
	  N_("Casework"),
	  { { N_("Action needed"), "/work", "referral.national" },
	    { N_("Cases"), "/cases", "case.social.read" },
	    { N_("Referrals"), "/referrals", "referral.national" },
	    { N_("Services"), "/services", NULL },
	    { N_("Proceedings"), "/proceedings", "case.proceedings.read" },
	    { N_("Across borders"), "/trm", "referral.transnational" } } },
	{ "menu-statistics",
	  N_("Statistics"),
	  { { N_("Observatory"), "/observatory", "stats.read" },
	    { N_("Published observatory data"), "/observatory/releases", "stats.read" },
	    { N_("Observatory data"), "/observatory/import", "obs.submit" } } },
	{ "menu-knowledge",
	  N_("Knowledge and contacts"),
	  { { N_("Knowledge"), "/knowledge", NULL }, { N_("Directory"), "/directory", NULL } } },
	{ "menu-admin",
	  N_("Installation administration"),
	  { { N_("Installation health"), "/admin/health", "org.manage" },
	    { N_("Users"), "/admin/users", "user.read" },
	    { N_("Organisations"), "/admin/organisations", "org.manage" },
	    { N_("Roles"), "/admin/roles", "role.read" },
	    { N_("Installation settings"), "/admin/settings", "org.manage" },
	    { N_("Country rules"), "/admin/rules", "org.manage" },
	    { N_("Languages"), "/admin/languages", "org.manage" },
	    { N_("Peer instances"), "/admin/peers", "org.manage" },
	    { N_("Privacy budgets"), "/admin/privacy-budgets", "obs.budget" },
	    { N_("Audit trail"), "/audit", "audit.read" } } },
};

/* The length of href when it is path or a folder above it ("/cases" for "/cases/12"), else 0. */
static size_t menu_match(const char *href, const char *path)
{
	size_t n = strlen(href);
	return strncmp(path, href, n) == 0 && (path[n] == '\0' || path[n] == '/') ? n : 0;
}

static int add_menu(http_request *req, tpl_vars *v)
{
	const principal *p = principal_of(req);
	if (!p)
		return 0;
	size_t best = 0;
	for (size_t g = 0; g < ARRAY_LEN(MENU); g++)
		for (const struct menu_entry *e = MENU[g].entries; e->label; e++) {
			size_t n = menu_match(e->href, req->path);
			if (n > best && (!e->permission || principal_can(p, e->permission)))
				best = n;
		}
	tpl_list *groups = tpl_set_list(v, "menu");
	for (size_t g = 0; g < ARRAY_LEN(MENU); g++) {
		tpl_vars *group = NULL;
		tpl_list *entries = NULL;
		for (const struct menu_entry *e = MENU[g].entries; e->label; e++) {
			if (e->permission && !principal_can(p, e->permission))
				continue;
			if (!group) {
				group = tpl_list_add(groups);
				if (!group)
					return PONTE_ENOMEM;
				tpl_set(group, "id", MENU[g].id);
				tpl_set(group, "label", tr(req->lang, MENU[g].label));
				entries = tpl_set_list(group, "entries");
			}
			tpl_vars *item = tpl_list_add(entries);
			if (!item)
				return PONTE_ENOMEM;
			tpl_set(item, "label", tr(req->lang, e->label));
			tpl_set(item, "href", e->href);
			if (best && menu_match(e->href, req->path) == best)
				tpl_set(item, "current",
					strcmp(e->href, req->path) == 0 ? "page" : "true");
		}
	}
	return 0;
}

/* What the reader may open, for the menu and for every page's links and breadcrumbs: the
 * permission each page's route requires (src/app/routes.c). */
static tpl_vars *reader_vars(http_request *req)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	const principal *p = principal_of(req);
	tpl_set_bool(v, "signed_in", p != NULL);
	tpl_set_bool(v, "can_orgs", principal_can(p, "org.manage"));
	tpl_set_bool(v, "can_users", principal_can(p, "user.read"));
	tpl_set_bool(v, "can_roles", principal_can(p, "role.read"));
	tpl_set_bool(v, "can_budgets", principal_can(p, "obs.budget"));
	tpl_set_bool(v, "can_audit", principal_can(p, "audit.read"));
	tpl_set_bool(v, "can_cases", principal_can(p, "case.social.read"));
	tpl_set_bool(v, "can_proceedings", principal_can(p, "case.proceedings.read"));
	tpl_set_bool(v, "can_trm", principal_can(p, "referral.transnational"));
	tpl_set_bool(v, "can_obs_submit", principal_can(p, "obs.submit"));
	tpl_set_bool(v, "can_obs_read", principal_can(p, "stats.read"));
	tpl_set_bool(v, "can_referrals", principal_can(p, "referral.national"));
	return v;
}

int web_render_page(http_request *req, http_response *res, const char *name, const char *title,
		    tpl_vars *vars)
{
	const tpl *page = tpl_get(name), *layout = tpl_get("layout");
	if (!page || !layout)
		return PONTE_ENOTFOUND;
	tpl_vars *reader = reader_vars(req), *v = tpl_vars_new(req->arena);
	if (!reader || !v)
		return PONTE_ENOMEM;
	/* Arabic pages write numbers and dates in the digits the instance chose (Western by
	 * default, as the Maghreb writes them; Eastern, ٠١٢٣, as in Egypt). */
	tpl_locale loc = { .lang = req->lang };
	if (!strcmp(i18n_lang(req->lang)->code, "ar"))
		loc.eastern_digits =
		    setting_get_int(services_of(req)->db, "arabic_eastern_digits", 0) == 1;
	buf content;
	buf_init(&content, HTTP_RESPONSE_LIMIT);
	int rc = tpl_render_in(page, reader, vars, loc, &content);
	if (rc) {
		buf_release(&content);
		return rc;
	}
	tpl_set(v, "lang", i18n_lang(req->lang)->code);
	tpl_set(v, "dir", i18n_lang(req->lang)->dir);
	tpl_set(v, "title", tr(req->lang, title));
	tpl_set(v, "css_url", static_url(req->arena, "app.css"));
	tpl_set(v, "htmx_url", static_url(req->arena, "htmx.min.js"));
	tpl_set(v, "icon_url", static_url(req->arena, "favicon.svg"));
	tpl_set(v, "version", PONTE_VERSION);
	/* Which installation this is, in the header: several countries' tabs side by side. */
	instance_info inst;
	if (instance_get(services_of(req)->db, req->arena, &inst) == 0)
		tpl_set(v, "instance_name", inst.name);
	/* On paper, which installation printed the page and on what day (app.css shows it only
	 * there; a day, not a time, so that the page stays the same all day). */
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	tpl_set(v, "printed", web_date(req, now)); /* the day in the installation's zone */
	now[10] = '\0';
	tpl_set(v, "printed_iso", now);
	tpl_set_bool(v, "at_home", strcmp(req->path, "/") == 0);
	tpl_set(v, "path", req->path);
	tpl_set_bool(v, "at_profile", strncmp(req->path, "/profile", 8) == 0);
	const principal *p = principal_of(req);
	tpl_set(v, "session_csrf", p ? p->csrf : "");
	/* What the last change did, shown once: taking it clears it. */
	const char *flash = NULL;
	if (p && p->flash_waiting &&
	    session_flash_take(services_of(req)->db, req->arena, p->session_id, &flash))
		flash = NULL;
	tpl_set(v, "flash", flash);
	rc = tpl_set_html(v, "content", content.data, content.len);
	buf_release(&content); /* the context holds its own copy */
	if (!rc)
		rc = add_languages(req, v);
	if (!rc)
		rc = add_menu(req, v);
	if (!rc)
		rc = tpl_render_in(layout, reader, v, loc, &res->body);
	if (!rc)
		res->content_type = "text/html; charset=utf-8";
	return rc;
}
