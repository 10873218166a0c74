/* Clocks of the case-file sections: residence permits about to expire (the country's
 * permit_notice_days ahead) and compensation claims still to file before their deadline. */
#include "cases/internal.h"
#include "cases/sections.h"

struct section_due_ctx {
	section_due_fn fn;
	void *ctx;
};

/* clang-format off */
/* The country's notice days after ?5, in each dialect. */
#define NOTICE_DAYS "coalesce((SELECT value FROM country_rules r WHERE r.rule = " \
    "'permit_notice_days' AND r.country IN (c.country, 'ZZ') ORDER BY r.country = 'ZZ' LIMIT 1), 30)"
#define NOTICE_SQLITE "date(?5, '+' || " NOTICE_DAYS " || ' days') "
#define NOTICE_PG "to_char(CAST(?5 AS date) + CAST(" NOTICE_DAYS " AS integer), 'YYYY-MM-DD') "
#define SQL_DUE(notice) \
    "SELECT case_id, id, section, what, due_on FROM (" \
    "SELECT p.case_id, p.id, 'residence' AS section, p.status AS what, p.expires_on AS due_on " \
    "  FROM residence_permits p JOIN cases c ON c.id = p.case_id " \
    "  WHERE p.expires_on <> '' AND p.renewal_requested_on = '' AND p.id = (SELECT max(id) " \
    "  FROM residence_permits WHERE case_id = p.case_id) AND p.expires_on <= " notice \
    "  AND c.status IN ('Active', 'FollowUp') AND " CASE_IN_SCOPE " " \
    "UNION ALL SELECT k.case_id, k.id, 'compensation', k.route, k.filing_deadline " \
    "  FROM compensation_claims k JOIN cases c ON c.id = k.case_id " \
    "  WHERE k.state = 'planned' AND k.filing_deadline <> '' AND k.filing_deadline <= ?6 " \
    "  AND " CASE_IN_SCOPE " " \
    ") AS due ORDER BY due_on, case_id LIMIT 200"
static const char SQL_DUE_SQLITE[] = SQL_DUE(NOTICE_SQLITE);
static const char SQL_DUE_PG[] = SQL_DUE(NOTICE_PG);
/* clang-format on */

static int due_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	const struct section_due_ctx *k = ctx;
	section_due x = { .case_id = store_col_int64(st, 0),
			  .entry_id = store_col_int64(st, 1),
			  .section = store_col_dup(a, st, 2),
			  .what = store_col_dup(a, st, 3),
			  .due_on = store_col_dup(a, st, 4) };
	return k->fn(&x, k->ctx);
}

int sections_due(const keyed_store *env, arena *a, const principal *p, const char *today,
		 const char *until, section_due_fn fn, void *ctx)
{
	const char *dates[] = { today, until };
	struct section_due_ctx k = { fn, ctx };
	return case_scope_query(env, a, p, "case.social.read",
				store_is_pg(env->db) ? SQL_DUE_PG : SQL_DUE_SQLITE, dates, 2,
				due_row, &k);
}
