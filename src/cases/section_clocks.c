/* Clocks of the case-file sections: residence permits about to expire (the country's
 * permit_notice_days ahead) and compensation claims still to file before their deadline. */
#include "cases/sections.h"

/* clang-format off */
#define SCOPE "(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3) " \
    "OR (?1 = 1 AND c.owner_id = ?4)) "
static const char SQL_DUE[] =
    "SELECT case_id, id, section, what, due_on FROM ("
    "SELECT p.case_id, p.id, 'residence' AS section, p.status AS what, p.expires_on AS due_on "
    "  FROM residence_permits p JOIN cases c ON c.id = p.case_id "
    "  WHERE p.expires_on <> '' AND p.renewal_requested_on = '' AND p.id = (SELECT max(id) "
    "  FROM residence_permits WHERE case_id = p.case_id) AND p.expires_on <= date(?5, '+' || "
    "  coalesce((SELECT value FROM country_rules r WHERE r.rule = 'permit_notice_days' AND "
    "  r.country IN (c.country, 'ZZ') ORDER BY r.country = 'ZZ' LIMIT 1), 30) || ' days') "
    "  AND c.status IN ('Active', 'FollowUp') AND " SCOPE
    "UNION ALL SELECT k.case_id, k.id, 'compensation', k.route, k.filing_deadline "
    "  FROM compensation_claims k JOIN cases c ON c.id = k.case_id "
    "  WHERE k.state = 'planned' AND k.filing_deadline <> '' AND k.filing_deadline <= ?6 "
    "  AND " SCOPE
    ") ORDER BY due_on, case_id LIMIT 200";
/* clang-format on */

int sections_due(const identity_env *env, arena *a, const principal *p, const char *today,
		 const char *until, section_due_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_DUE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, principal_scope(p, "case.social.read"));
	store_bind_text(st, 2, p->country, strlen(p->country));
	store_bind_int64(st, 3, p->organisation_id);
	store_bind_int64(st, 4, p->user_id);
	store_bind_text(st, 5, today, strlen(today));
	store_bind_text(st, 6, until, strlen(until));
	while ((rc = store_step(st)) == STORE_ROW) {
		section_due x = { .case_id = store_col_int64(st, 0),
				  .entry_id = store_col_int64(st, 1),
				  .section = store_col_dup(a, st, 2),
				  .what = store_col_dup(a, st, 3),
				  .due_on = store_col_dup(a, st, 4) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
