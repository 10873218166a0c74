/* Risk assessments and safety plans: recorded at each contact, with the date of the next
 * review from the country's rule, and the reviews that are due. */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char *const RISKS[] = { "low", "medium", "high" };
static const char *const THREATS[] = {
	"trafficker_contact", "family_threat", "debt_collection", "retaliation", "re_trafficking",
	"self_harm",          "other"
};

CASE_CODE_LIST(safety_threats, THREATS)

/* clang-format off */
/* The next review's date is computed here from the country's rule (review_date()), so that
 * one text serves both stores' dialects of date arithmetic. */
static const char SQL_INSERT[] =
    "INSERT INTO safety_assessments(case_id, risk, threats, assessed_on, next_review_on, "
    "assessed_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* The case keeps the level of its latest assessment, for the case list's filter and order. */
static const char SQL_CASE_RISK[] = "UPDATE cases SET risk = ?2 WHERE id = ?1";
static const char SQL_PLAN[] = "UPDATE safety_assessments SET plan_enc = ?2 WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT id, risk, threats, plan_enc, assessed_on, next_review_on FROM safety_assessments "
    "WHERE case_id = ?1 ORDER BY id DESC";
/* The latest assessment of each open case in scope, when its review is due by ?5. */
static const char SQL_DUE[] =
    "SELECT c.id, c.first_name_enc, c.second_name_enc, s.risk, s.next_review_on "
    "FROM cases c JOIN safety_assessments s ON s.id = (SELECT max(id) FROM safety_assessments "
    "WHERE case_id = c.id) WHERE c.status IN ('Active', 'FollowUp') AND s.next_review_on <= ?5 "
    "AND " CASE_IN_SCOPE " ORDER BY s.next_review_on LIMIT 200";
/* clang-format on */

struct safety_rows {
	safety_fn fn;
	void *ctx;
};

static bool one_of(const char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

static bool threats_ok(const char *csv)
{
	char item[32];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		if (!len || len >= sizeof(item))
			return false;
		memcpy(item, p, len);
		item[len] = '\0';
		if (!one_of(THREATS, ARRAY_LEN(THREATS), item))
			return false;
		p += len + (p[len] == ',');
	}
	return true;
}

/* The date days after a valid "YYYY-MM-DD" (checked by the caller), as "YYYY-MM-DD". */
static void review_date(const char *assessed_on, int64_t days, char out[CLOCK_RFC3339_LEN])
{
	int64_t ms = 0;
	(void)clock_parse(assessed_on, &ms);
	clock_format_rfc3339(ms + days * 86400000, out);
	out[10] = '\0';
}

int safety_add(const keyed_store *env, const principal *p, int64_t case_id, const safety_input *in,
	       int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	bool future = false;
	if (!one_of(RISKS, ARRAY_LEN(RISKS), in->risk))
		field_errors_add(e, "risk", N_("Choose the level of risk."));
	if (!threats_ok(in->threats))
		field_errors_add(e, "threats", N_("Choose threats from the list."));
	if (!in->assessed_on || !case_date_valid(in->assessed_on, &future) || future)
		field_errors_add(e, "assessed_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	if (in->plan && strlen(in->plan) > 8000)
		field_errors_add(e, "plan", N_("At most 8,000 characters."));
	char country[8] = "";
	int rc = case_in_scope(env, p, case_id, "case.social.write", country);
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if ((rc = case_write_begin(env, rc, e, &c, now)))
		return rc;
	const char *rule =
	    strcmp(in->risk, "high") == 0 ? "high_risk_review_days" : "safety_review_days";
	char review[CLOCK_RFC3339_LEN];
	review_date(in->assessed_on, country_rule_value(env->db, country, rule, 30), review);
	const case_value v[] = { CV_INT(case_id),
				 CV_TEXT(in->risk),
				 CV_TEXT(in->threats ? in->threats : ""),
				 CV_TEXT(in->assessed_on),
				 CV_TEXT(review),
				 CV_INT(p->user_id),
				 CV_TEXT(now) };
	rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
	if (!rc)
		rc = case_row_write(c, SQL_CASE_RISK,
				    (case_value[]){ CV_INT(case_id), CV_TEXT(in->risk) }, 2, NULL);
	if (!rc && in->plan && *in->plan)
		rc = field_encrypt_row(env, c, SQL_PLAN, "safety_assessments", "plan", *id,
				       in->plan, 1u << 16);
	return case_write_end(env, p, c, rc, "case.safety", case_id);
}

static int assessment_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	const struct safety_rows *r = ctx;
	int64_t id = store_col_int64(st, 0);
	safety_assessment x = {
		.id = id,
		.risk = store_col_dup(a, st, 1),
		.threats = store_col_dup(a, st, 2),
		.plan = case_secret_col(env, a, st, 3, "safety_assessments", "plan", id),
		.assessed_on = store_col_dup(a, st, 4),
		.next_review_on = store_col_dup(a, st, 5),
	};
	return r->fn(&x, r->ctx);
}

int safety_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id, safety_fn fn,
		void *ctx)
{
	struct safety_rows r = { fn, ctx };
	return case_rows(env, a, p, case_id, SQL_LIST, assessment_row, &r);
}

int safety_reviews_due(const keyed_store *env, arena *a, const principal *p, const char *until,
		       safety_due_fn fn, void *ctx)
{
	struct case_clock_ctx k = { fn, ctx };
	return case_scope_query(env, a, p, "case.social.read", SQL_DUE, &until, 1, case_clock_row,
				&k);
}
