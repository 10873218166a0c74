/* /admin/languages: the languages of this installation. An administrator loads a language
 * pack (a PO file: a language Ponte does not ship, or the instance's own words over a
 * shipped one), sees how much of Ponte each language translates, rolls a pack back to an
 * earlier version or withdraws it, and chooses the second language (where a pack's missing
 * words come from) and the digits of Arabic pages. Every change is audited and takes effect
 * at once, without a restart (i18n/pack.h). */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/audit.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/pack.h"
#include "services/services.h"
#include "web/web.h"

static void audit_pack(http_request *req, const char *action, const char *lang, int version,
		       const char *outcome)
{
	const principal *p = principal_of(req);
	char id[32];
	snprintf(id, sizeof(id), "%s v%d", lang, version);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = "language_pack",
			  .object_id = id,
			  .outcome = outcome,
			  .client = req->client_addr };
	audit_append(services_of(req)->db, &e);
}

/* The lookup table again, from the database and the second language, for every next page. */
static int rebuild(http_request *req)
{
	store *db = services_of(req)->db;
	char second[8], err[256];
	setting_get_text(db, "second_language", "en", second, sizeof(second));
	int rc = pack_reload(db, second, err, sizeof(err));
	return rc < 0 ? rc : 0;
}

static const char *percent(http_request *req, size_t part, size_t whole)
{
	return i18n_percent(req->arena, req->lang,
			    whole ? (double)((part * 100 + whole / 2) / whole) : 0.0, 0);
}

struct versions {
	http_request *req;
	tpl_list *list;
	bool names; /* the reader may read users: their names, else their number */
};

static int add_version(const pack_version *pv, void *ctx)
{
	struct versions *x = ctx;
	http_request *req = x->req;
	tpl_vars *v = tpl_list_add(x->list);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "lang", pv->lang);
	tpl_set(v, "name", pv->name);
	tpl_set(v, "dir", pv->rtl ? "rtl" : "ltr");
	tpl_set(v, "version", arena_printf(req->arena, "%d", pv->version));
	tpl_set(v, "entries", web_count(req, pv->entries));
	tpl_set(v, "loaded_at", web_datetime(req, pv->loaded_at));
	tpl_set(v, "loaded_at_iso", pv->loaded_at);
	tpl_set_bool(v, "current", pv->current);
	tpl_set_bool(v, "withdrawn", !strcmp(pv->action, "withdraw"));
	tpl_set_bool(v, "may_roll_back", !pv->current && strcmp(pv->action, "withdraw") != 0);
	tpl_set_bool(v, "may_withdraw", pv->current && strcmp(pv->action, "withdraw") != 0);
	const char *action = !strcmp(pv->action, "load")       ? N_("Loaded")
			     : !strcmp(pv->action, "rollback") ? N_("Rolled back")
							       : N_("Withdrawn");
	tpl_set(v, "action", tr(req->lang, action));
	if (pv->rolled_back_to)
		tpl_set(v, "from", arena_printf(req->arena, "%d", pv->rolled_back_to));
	const char *who = tr(req->lang, N_("Command line"));
	if (pv->loaded_by) {
		user u;
		who = arena_printf(req->arena, "%s %lld", tr(req->lang, N_("User")),
				   (long long)pv->loaded_by);
		if (x->names && !user_get(&services_of(req)->env, req->arena, pv->loaded_by, &u))
			who = u.name;
	}
	tpl_set(v, "who", who);
	return 0;
}

static int render(http_request *req, http_response *res, const pack_report *r, const char *error,
		  int refusal)
{
	const principal *p = principal_of(req);
	store *db = services_of(req)->db;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "csrf", p->csrf);
	size_t words = i18n_word_count();
	tpl_set(v, "words", web_count(req, (int64_t)words));
	tpl_list *langs = tpl_set_list(v, "languages");
	for (int lang = 0; lang < i18n_lang_count(); lang++) {
		if (!i18n_lang_active(lang))
			continue;
		const lang_info *li = i18n_lang(lang);
		size_t own = i18n_translated_count(lang);
		tpl_vars *x = tpl_list_add(langs);
		tpl_set(x, "code", li->code);
		tpl_set(x, "name", li->native_name);
		tpl_set(x, "dir", li->dir);
		tpl_set(x, "direction",
			tr(req->lang,
			   !strcmp(li->dir, "rtl") ? N_("Right to left") : N_("Left to right")));
		tpl_set(x, "source",
			tr(req->lang, lang >= LANG_COUNT ? N_("Loaded pack")
				      : i18n_lang_has_pack(lang)
					  ? N_("Shipped, with this instance's words")
					  : N_("Shipped")));
		tpl_set(x, "translated", web_count(req, (int64_t)own));
		tpl_set(x, "percent", percent(req, own, words));
		tpl_set(x, "missing", web_count(req, (int64_t)(words > own ? words - own : 0)));
	}
	char second[8];
	setting_get_text(db, "second_language", "en", second, sizeof(second));
	tpl_list *shipped = tpl_set_list(v, "shipped");
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		tpl_vars *x = tpl_list_add(shipped);
		tpl_set(x, "code", i18n_lang(lang)->code);
		tpl_set(x, "name", i18n_lang(lang)->native_name);
		tpl_set(x, "dir", i18n_lang(lang)->dir);
		tpl_set_bool(x, "selected", !strcmp(second, i18n_lang(lang)->code));
	}
	tpl_set_bool(v, "eastern", setting_get_int(db, "arabic_eastern_digits", 0) == 1);
	struct versions vs = { req, tpl_set_list(v, "versions"), principal_can(p, "user.read") };
	int rc = pack_store_versions(db, req->arena, NULL, add_version, &vs);
	if (rc)
		return rc;
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	const char *done = http_query(req, "done");
	if (done && !strcmp(done, "settings"))
		tpl_set(v, "notice", tr(req->lang, N_("The settings have been saved.")));
	else if (done && !strcmp(done, "pack"))
		tpl_set(v, "notice", tr(req->lang, N_("The language pack has been loaded.")));
	else if (done && !strcmp(done, "rollback"))
		tpl_set(v, "notice", tr(req->lang, N_("The earlier words are back.")));
	else if (done && !strcmp(done, "withdraw"))
		tpl_set(v, "notice", tr(req->lang, N_("The language pack has been withdrawn.")));
	if (r && r->nproblems) {
		tpl_list *l = tpl_set_list(v, "problems");
		for (size_t i = 0; i < r->nproblems; i++) {
			tpl_vars *x = tpl_list_add(l);
			tpl_set(x, "line",
				r->problems[i].line
				    ? arena_printf(req->arena, "%d", r->problems[i].line)
				    : "");
			tpl_set(x, "message", tr(req->lang, r->problems[i].message));
			tpl_set(x, "detail", r->problems[i].detail);
		}
		if (r->more_problems)
			tpl_set(v, "more", web_count(req, (int64_t)r->more_problems));
	}
	rc = web_render_page(req, res, "admin_languages", N_("Languages"), v);
	if (!rc && refusal)
		http_refuse_page(res, refusal);
	return rc;
}

int web_admin_languages(http_request *req, http_response *res)
{
	return render(req, res, NULL, NULL, 0);
}

/* The uploaded PO file: checked whole, stored as its language's next version, built into
 * the lookup table; refused with every problem and its line, changing nothing. */
int web_admin_language_upload(http_request *req, http_response *res)
{
	if (!req->upload.present || !req->upload.size)
		return render(req, res, NULL, N_("Choose a PO file to load."), PONTE_EREJECTED);
	if (req->upload.size > PACK_MAX_BYTES)
		return render(req, res, NULL, N_("The file is larger than 1 MB."), PONTE_EREJECTED);
	int fd = open(req->upload.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	size_t n = (size_t)req->upload.size;
	char *po = arena_alloc(req->arena, n + 1);
	ssize_t got = po ? read(fd, po, n) : -1;
	close(fd);
	if (got < 0 || (size_t)got != n)
		return po ? PONTE_EIO : PONTE_ENOMEM;
	po[n] = '\0';
	const char *lang = http_form(req, "lang");
	pack_report *r = arena_alloc(req->arena, sizeof(*r));
	if (!r)
		return PONTE_ENOMEM;
	int rc = pack_validate(req->arena, po, n, lang && *lang ? lang : NULL, r);
	if (rc == PONTE_EINVAL) {
		audit_pack(req, "language_pack.load", r->lang[0] ? r->lang : "?", 0, "failure");
		return render(
		    req, res, r,
		    N_("The file was not loaded: correct the problems below. Nothing has changed."),
		    PONTE_EREJECTED);
	}
	if (rc)
		return rc;
	if (!r->shipped && i18n_lang_from_tag(r->lang, strlen(r->lang)) < 0 &&
	    i18n_lang_count() >= LANG_MAX)
		return render(req, res, NULL,
			      N_("This installation has as many languages as it can hold: withdraw "
				 "one first."),
			      PONTE_EREJECTED);
	int version = 0;
	rc = pack_store_add(services_of(req)->db, r, po, n, principal_of(req)->user_id, &version);
	if (rc)
		return rc;
	audit_pack(req, "language_pack.load", r->lang, version, "success");
	if ((rc = rebuild(req)))
		return rc;
	return http_redirect(req, res, "/admin/languages?done=pack");
}

static int change_settings(http_request *req, http_response *res)
{
	store *db = services_of(req)->db;
	const char *second = http_form(req, "second_language");
	const char *eastern = http_form(req, "arabic_eastern_digits");
	int rc = setting_set(db, "second_language", second ? second : "");
	if (rc == PONTE_EINVAL)
		return render(req, res, NULL, N_("Choose one of the languages Ponte ships."),
			      PONTE_EREJECTED);
	if (!rc)
		rc = setting_set(db, "arabic_eastern_digits",
				 eastern && !strcmp(eastern, "1") ? "1" : "0");
	if (rc)
		return rc;
	const principal *p = principal_of(req);
	const char *keys[] = { "second_language", "arabic_eastern_digits" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		audit_event e = { .user_id = p->user_id,
				  .organisation_id = p->organisation_id,
				  .action = "setting.change",
				  .object_type = "setting",
				  .object_id = keys[i],
				  .outcome = "success",
				  .client = req->client_addr };
		audit_append(db, &e);
	}
	if ((rc = rebuild(req)))
		return rc;
	return http_redirect(req, res, "/admin/languages?done=settings");
}

/* do=settings, do=rollback (lang, version), do=withdraw (lang). */
int web_admin_languages_change(http_request *req, http_response *res)
{
	const char *what = web_form_do(req);
	if (!strcmp(what, "settings"))
		return change_settings(req, res);
	const char *lang = http_form(req, "lang");
	if (!lang || !*lang || strlen(lang) > 3)
		return PONTE_EINVAL;
	int version = 0, rc;
	if (!strcmp(what, "rollback")) {
		int64_t to = web_form_id(req, "version");
		if (!to || to > 1000000)
			return PONTE_EINVAL;
		rc = pack_store_rollback(services_of(req)->db, lang, (int)to,
					 principal_of(req)->user_id, &version);
	} else if (!strcmp(what, "withdraw")) {
		rc = pack_store_withdraw(services_of(req)->db, lang, principal_of(req)->user_id,
					 &version);
	} else {
		return PONTE_EINVAL;
	}
	if (rc)
		return rc;
	audit_pack(req,
		   !strcmp(what, "rollback") ? "language_pack.rollback" : "language_pack.withdraw",
		   lang, version, "success");
	if ((rc = rebuild(req)))
		return rc;
	return http_redirect(req, res,
			     !strcmp(what, "rollback") ? "/admin/languages?done=rollback"
						       : "/admin/languages?done=withdraw");
}
