#include "backup/backup.h"
#include "directory/directory.h"
#include "i18n/i18n.h"
#include "instance/instance.h"
#include "services/services.h"
#include "web/web.h"

const char *web_start_path(const principal *p)
{
	if (!p)
		return "/";
	if (principal_can(p, "case.social.read") || principal_can(p, "referral.national"))
		return "/work";
	if (principal_can(p, "case.proceedings.read"))
		return "/proceedings";
	if (principal_can(p, "org.manage"))
		return "/admin/health";
	if (principal_can(p, "knowledge.review"))
		return "/knowledge?status=review";
	if (principal_can(p, "stats.read"))
		return "/observatory";
	if (principal_can(p, "obs.submit"))
		return "/observatory/import";
	if (principal_can(p, "stats.aggregate")) /* regional bodies: the published releases */
		return "/observatory/releases";
	if (principal_can(p, "audit.read"))
		return "/audit";
	return "/";
}

/* GET /: who this installation is (read from the database) and what Ponte is for. */
int web_home(http_request *req, http_response *res)
{
	instance_info info;
	int rc = instance_get(services_of(req)->db, req->arena, &info);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "instance_name", info.name);
	tpl_set(v, "country", info.country);
	tpl_set(v, "country_name",
		country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			      info.country));
	/* Directory entries to check are flagged to whoever keeps the directory. */
	const principal *p = principal_of(req);
	if (p && principal_scope(p, "directory.manage") >= SCOPE_COUNTRY) {
		int64_t stale = fp_stale_count(&services_of(req)->env, p);
		if (stale)
			tpl_set(v, "stale_entries", web_count(req, stale));
	}
	/* Administrators see how old the last good backup is, and an alert when there is none
	 * of the last day and a half (a daily timer missed its run); on PostgreSQL, that its
	 * backups are PostgreSQL's tools' to take, which Ponte does not see. */
	if (p && principal_scope(p, "user.manage") >= SCOPE_ALL) {
		char when[32];
		int64_t age;
		if (!backup_available(services_of(req)->db)) {
			tpl_set(v, "backup_elsewhere", "1");
		} else if (backup_last_good_age(services_of(req)->db, when, &age) == 0) {
			if (age < 0) {
				tpl_set(v, "backup_none", "1");
			} else {
				tpl_set(v, "backup_at", arena_strdup(req->arena, when));
				if (age > 36 * 3600)
					tpl_set(v, "backup_old", "1");
				const char *unit = age < 2 * 3600    ? "minutes"
						   : age < 48 * 3600 ? "hours"
								     : "days";
				long long n = age < 2 * 3600    ? age / 60
					      : age < 48 * 3600 ? age / 3600
								: age / 86400;
				tpl_set(v, arena_printf(req->arena, "backup_%s", unit),
					web_count(req, n));
			}
		}
	}
	if (p && strcmp(web_start_path(p), "/") != 0)
		tpl_set(v, "start_url", web_start_path(p));
	return web_render_page(req, res, "home", N_("Home"), v);
}
