/* Legal clocks of cases: the recovery and reflection period, from the first time the person
 * was presumed a victim (reasonable grounds), for the number of days of the case's country
 * (country_rules 'reflection_days'; 'ZZ' the default). During it no removal may happen and
 * the victim status should be decided before it ends. */
#include "cases/cases.h"
#include "identity/fields.h"

/* clang-format off */
static const char SQL_REFLECTION[] =
    "SELECT c.id, c.first_name_enc, c.second_name_enc, g.decided_on, "
    "date(g.decided_on, '+' || coalesce((SELECT value FROM country_rules r WHERE "
    "r.rule = 'reflection_days' AND r.country IN (c.country, 'ZZ') ORDER BY r.country = 'ZZ' "
    "LIMIT 1), 30) || ' days') AS ends "
    "FROM cases c JOIN status_decisions g ON g.id = (SELECT min(id) FROM status_decisions "
    "WHERE case_id = c.id AND status = 'presumed') "
    "WHERE c.status IN ('Active', 'FollowUp') AND (SELECT status FROM status_decisions "
    "WHERE case_id = c.id ORDER BY id DESC LIMIT 1) IN ('presumed', 'pending') "
    "AND ends <= ?5 AND (?1 = 4 OR (?1 = 3 AND c.country = ?2) OR "
    "(?1 = 2 AND c.organisation_id = ?3) OR (?1 = 1 AND c.owner_id = ?4)) "
    "ORDER BY ends LIMIT 200";
static const char SQL_PERSON[] =
    "SELECT owner_id, organisation_id, country, first_name_enc, second_name_enc "
    "FROM cases WHERE id = ?1";
/* clang-format on */

int case_reflection_ending(const identity_env *env, arena *a, const principal *p, const char *until,
			   case_clock_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_REFLECTION, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, principal_scope(p, "case.social.read"));
	store_bind_text(st, 2, p->country, strlen(p->country));
	store_bind_int64(st, 3, p->organisation_id);
	store_bind_int64(st, 4, p->user_id);
	store_bind_text(st, 5, until, strlen(until));
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		size_t n1, n2;
		const void *b1 = store_col_blob(st, 1, &n1), *b2 = store_col_blob(st, 2, &n2);
		case_clock k = {
			.case_id = id,
			.first_name =
			    n1 ? field_decrypt(env, a, "cases", "first_name", id, b1, n1) : "",
			.second_name =
			    n2 ? field_decrypt(env, a, "cases", "second_name", id, b2, n2) : "",
			.since = store_col_dup(a, st, 3),
			.ends = store_col_dup(a, st, 4),
		};
		if ((rc = fn(&k, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int case_person_name(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		     const char **first, const char **second)
{
	store_conn *c;
	store_stmt *st;
	*first = *second = "";
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PERSON, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	rc = store_step(st);
	if (rc == STORE_ROW &&
	    principal_can_see(p, "case.social.read", store_col_int64(st, 0), store_col_int64(st, 1),
			      store_col_text(st, 2, NULL))) {
		size_t n1, n2;
		const void *b1 = store_col_blob(st, 3, &n1), *b2 = store_col_blob(st, 4, &n2);
		const char *f =
		    n1 ? field_decrypt(env, a, "cases", "first_name", case_id, b1, n1) : "";
		const char *s =
		    n2 ? field_decrypt(env, a, "cases", "second_name", case_id, b2, n2) : "";
		*first = f ? f : "";
		*second = s ? s : "";
		rc = 0;
	} else if (rc == STORE_ROW || rc == STORE_DONE) {
		rc = PONTE_ENOTFOUND;
	}
	store_reset(st);
	return rc;
}
