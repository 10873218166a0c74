/* /admin/health: what an administrator looks at first: accounts locked, peer instances whose
 * messages are stuck, how old the data key is. Each line links to the page that fixes it. */
#include "backup/backup.h"
#include "base/clock.h"
#include "i18n/i18n.h"
#include "keys/keys.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

/* A data key older than this is worth rotating (`ponte keys rotate`). */
#define KEY_AGE_ADVISED_DAYS 365

struct rows {
	http_request *req;
	tpl_list *l;
	size_t n;
};

static int add_locked(const user *u, void *ctx)
{
	struct rows *x = ctx;
	if (u->status != USER_LOCKED)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)u->id));
	tpl_set(v, "name", u->name);
	tpl_set(v, "organisation", u->organisation_name);
	x->n++;
	return 0;
}

static int add_stuck(const trm_stuck_peer *s, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "peer", arena_strdup(x->req->arena, s->peer));
	tpl_set(v, "country", arena_strdup(x->req->arena, s->country));
	tpl_set(v, "country_name",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      s->country));
	tpl_set(v, "retrying", web_count(x->req, s->retrying));
	tpl_set(v, "failed", web_count(x->req, s->failed));
	tpl_set_bool(v, "has_failed", s->failed > 0);
	tpl_set(v, "oldest", web_datetime(x->req, s->oldest));
	tpl_set(v, "error", arena_strdup(x->req->arena, s->last_error));
	x->n++;
	return 0;
}

int web_admin_health(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	struct rows locked = { req, tpl_set_list(v, "locked"), 0 };
	int rc = user_list(&svc->env, req->arena, add_locked, &locked);
	struct rows stuck = { req, tpl_set_list(v, "stuck"), 0 };
	if (!rc)
		rc = trm_outbox_stuck(svc->db, add_stuck, &stuck);
	if (rc)
		return rc;
	tpl_set(v, "locked_count", web_count(req, (int64_t)locked.n));
	tpl_set(v, "stuck_count", web_count(req, (int64_t)stuck.n));
	tpl_set_bool(v, "has_locked", locked.n > 0);
	tpl_set_bool(v, "has_stuck", stuck.n > 0);
	uint32_t version;
	char created[40];
	int64_t made;
	if (keys_current(svc->db, &version, created) == 0 && clock_parse(created, &made)) {
		int64_t days = (clock_wall_ms() - made) / 86400000;
		tpl_set(v, "key_version", arena_printf(req->arena, "%u", version));
		tpl_set(v, "key_created", web_date(req, created));
		tpl_set(v, "key_age", web_count(req, days));
		tpl_set_bool(v, "key_old", days >= KEY_AGE_ADVISED_DAYS);
	}
	/* The last good backup: none, or older than a day and a half (a daily timer missed); on
	 * PostgreSQL, which tools take the backups Ponte does not see. */
	char backup_at[32];
	int64_t backup_age;
	if (!backup_available(svc->db)) {
		tpl_set_bool(v, "backup_elsewhere", true);
	} else if (backup_last_good_age(svc->db, backup_at, &backup_age) == 0) {
		tpl_set_bool(v, "backup_known", true);
		if (backup_age < 0) {
			tpl_set_bool(v, "backup_none", true);
		} else {
			tpl_set(v, "backup_at", web_datetime(req, backup_at));
			tpl_set(v, "backup_iso", backup_at);
			tpl_set_bool(v, "backup_old", backup_age > 36 * 3600);
		}
	}
	return web_render_page(req, res, "admin_health", N_("Health of this installation"), v);
}
