/* Legal clocks of cases: the recovery and reflection period, from the first time the person
 * was presumed a victim (reasonable grounds), for the number of days of the case's country
 * (country_rules 'reflection_days'; 'ZZ' the default). During it no removal may happen and
 * the victim status should be decided before it ends. */
#include "cases/internal.h"
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
    "AND ends <= ?5 AND " CASE_IN_SCOPE " ORDER BY ends LIMIT 200";
/* PostgreSQL: date arithmetic of its own, and no output name in WHERE. */
static const char SQL_REFLECTION_PG[] =
    "SELECT id, first_name_enc, second_name_enc, decided_on, ends FROM ("
    "SELECT c.id, c.first_name_enc, c.second_name_enc, g.decided_on, "
    "to_char(CAST(substr(g.decided_on, 1, 10) AS date) + CAST(coalesce((SELECT value FROM "
    "country_rules r WHERE r.rule = 'reflection_days' AND r.country IN (c.country, 'ZZ') "
    "ORDER BY r.country = 'ZZ' LIMIT 1), 30) AS integer), 'YYYY-MM-DD') AS ends "
    "FROM cases c JOIN status_decisions g ON g.id = (SELECT min(id) FROM status_decisions "
    "WHERE case_id = c.id AND status = 'presumed') "
    "WHERE c.status IN ('Active', 'FollowUp') AND (SELECT status FROM status_decisions "
    "WHERE case_id = c.id ORDER BY id DESC LIMIT 1) IN ('presumed', 'pending') "
    "AND " CASE_IN_SCOPE ") AS clocks WHERE ends <= ?5 ORDER BY ends LIMIT 200";
static const char SQL_PERSON[] =
    "SELECT owner_id, organisation_id, country, first_name_enc, second_name_enc "
    "FROM cases WHERE id = ?1";
/* clang-format on */

int case_clock_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	const struct case_clock_ctx *k = ctx;
	int64_t id = store_col_int64(st, 0);
	case_clock x = {
		.case_id = id,
		.first_name = case_secret_col(env, a, st, 1, "cases", "first_name", id),
		.second_name = case_secret_col(env, a, st, 2, "cases", "second_name", id),
		.since = store_col_dup(a, st, 3),
		.ends = store_col_dup(a, st, 4),
	};
	return k->fn(&x, k->ctx);
}

int case_reflection_ending(const keyed_store *env, arena *a, const principal *p, const char *until,
			   case_clock_fn fn, void *ctx)
{
	struct case_clock_ctx k = { fn, ctx };
	return case_scope_query(env, a, p, "case.social.read",
				store_is_pg(env->db) ? SQL_REFLECTION_PG : SQL_REFLECTION, &until,
				1, case_clock_row, &k);
}

int case_person_name(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
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
		const char *f = case_secret_col(env, a, st, 3, "cases", "first_name", case_id);
		const char *s = case_secret_col(env, a, st, 4, "cases", "second_name", case_id);
		*first = f ? f : "";
		*second = s ? s : "";
		rc = 0;
	} else if (rc == STORE_ROW || rc == STORE_DONE) {
		rc = PONTE_ENOTFOUND;
	}
	store_reset(st);
	return rc;
}
