/* /admin/settings: the installation's settings an administrator changes on a page; today its
 * time zone, in which every page shows dates and times (i18n/format.h). */
#include "audit/audit.h"
#include "base/clock.h"
#include "base/tz.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "services/services.h"
#include "web/web.h"

static const char *const FORM_ORDER[] = { "time_zone", NULL };

static int render(http_request *req, http_response *res, const char *typed, const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	char zone[TZ_NAME_MAX];
	setting_get_text(services_of(req)->db, "time_zone", "UTC", zone, sizeof(zone));
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "time_zone", typed ? typed : zone);
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	tpl_set(v, "now_iso", now);
	tpl_set(v, "now", web_datetime(req, now));
	web_field_errors(req, v, e, FORM_ORDER, NULL);
	int rc = web_render_page(req, res, "admin_settings", N_("Installation settings"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_admin_settings(http_request *req, http_response *res)
{
	return render(req, res, NULL, NULL);
}

int web_admin_settings_change(http_request *req, http_response *res)
{
	store *db = services_of(req)->db;
	const char *zone = http_form(req, "time_zone");
	if (!zone)
		zone = "";
	field_errors e = { .count = 0 };
	int rc = setting_set(db, "time_zone", zone);
	if (rc == PONTE_EINVAL) {
		field_errors_add(
		    &e, "time_zone",
		    *zone ? N_("This is not a time zone of the time zone database. Write "
			       "its name as the database does, for example Africa/Niamey "
			       "or Europe/Lisbon (capitals and slash included).")
			  : N_("Enter the installation's time zone, for example "
			       "Africa/Niamey."));
		return render(req, res, zone, &e);
	}
	if (rc)
		return rc;
	i18n_zone_set(zone);
	const principal *p = principal_of(req);
	audit_event ev = { .user_id = p->user_id,
			   .organisation_id = p->organisation_id,
			   .action = "setting.change",
			   .object_type = "setting",
			   .object_id = "time_zone",
			   .outcome = "success",
			   .client = req->client_addr };
	audit_append(db, &ev);
	web_flash(req, N_("Time zone saved: {zone}."), "zone", zone, NULL);
	return http_redirect(req, res, "/admin/settings");
}
