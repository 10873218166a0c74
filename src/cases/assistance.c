/* The assistance log: what the person received, from whom, from when to when. Completed
 * referrals write to it too, through assistance_record() (referral/referral.c). */
#include "base/clock.h"
#include "cases/cases.h"
#include "i18n/i18n.h"

static const char *const TYPES[] = { "accommodation", "material_aid", "medical",
				     "psychological", "counselling",  "interpretation",
				     "legal_aid",     "education",    "livelihood" };

const char *const *assistance_types(size_t *n)
{
	*n = ARRAY_LEN(TYPES);
	return TYPES;
}

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO assistance(case_id, type, provider_id, started_on, ended_on, created_at) "
    "VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6)";
static const char SQL_LIST[] =
    "SELECT a.id, a.type, o.name, a.started_on, coalesce(a.ended_on, ''), "
    "coalesce(a.referral_id, 0) FROM assistance a JOIN organisations o ON o.id = a.provider_id "
    "WHERE a.case_id = ?1 ORDER BY a.started_on DESC, a.id DESC";
static const char SQL_RECORD[] =
    "INSERT INTO assistance(case_id, type, provider_id, referral_id, started_on, ended_on, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* clang-format on */

int assistance_record(store *db, int64_t case_id, const char *type, int64_t provider_id,
		      int64_t referral_id, const char *started_on, const char *ended_on,
		      const char *now)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_RECORD, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	store_bind_text(st, 2, type, strlen(type));
	store_bind_int64(st, 3, provider_id);
	store_bind_int64(st, 4, referral_id);
	store_bind_text(st, 5, started_on, strnlen(started_on, 10));
	store_bind_text(st, 6, ended_on, strnlen(ended_on, 10));
	store_bind_text(st, 7, now, strlen(now));
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int assistance_add(const identity_env *env, const principal *p, int64_t case_id, const char *type,
		   const char *started_on, const char *ended_on, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	bool known = false, future = false;
	for (size_t i = 0; type && i < ARRAY_LEN(TYPES); i++)
		known |= strcmp(TYPES[i], type) == 0;
	if (!known)
		field_errors_add(e, "type", N_("Choose a type of assistance."));
	if (!started_on || !case_date_valid(started_on, &future) || future)
		field_errors_add(e, "started_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	if (ended_on && *ended_on &&
	    (!case_date_valid(ended_on, &future) ||
	     (started_on && strcmp(ended_on, started_on) < 0)))
		field_errors_add(e, "ended_on", N_("The end comes after the start."));
	arena a;
	arena_init(&a, 1u << 20);
	case_record c;
	int rc = case_get(env, &a, p, case_id, &c);
	if (!rc &&
	    !principal_can_see(p, "case.social.write", c.owner_id, c.organisation_id, c.country))
		rc = PONTE_ENOTFOUND;
	arena_release(&a);
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *conn;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &conn)) &&
	    !(rc = store_prepare(conn, SQL_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, type, strlen(type));
		store_bind_int64(st, 3, p->organisation_id);
		store_bind_text(st, 4, started_on, strlen(started_on));
		store_bind_text(st, 5, ended_on ? ended_on : "", ended_on ? strlen(ended_on) : 0);
		store_bind_text(st, 6, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(conn);
	}
	principal_audit(env->db, p, "case.assistance", "case", case_id, rc ? "failure" : "success",
			false);
	return rc;
}

int assistance_list(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		    assistance_fn fn, void *ctx)
{
	case_record c;
	int rc = case_get(env, a, p, case_id, &c);
	store_conn *conn;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &conn)))
		rc = store_prepare(conn, SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		assistance_item x = { .id = store_col_int64(st, 0),
				      .type = store_col_dup(a, st, 1),
				      .provider = store_col_dup(a, st, 2),
				      .started_on = store_col_dup(a, st, 3),
				      .ended_on = store_col_dup(a, st, 4),
				      .referral_id = store_col_int64(st, 5) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
