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

const char *const *safety_threats(size_t *n)
{
	*n = ARRAY_LEN(THREATS);
	return THREATS;
}

/* clang-format off */
static const char SQL_CASE[] =
    "SELECT owner_id, organisation_id, country FROM cases WHERE id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO safety_assessments(case_id, risk, threats, assessed_on, next_review_on, "
    "assessed_by, created_at) VALUES (?1, ?2, ?3, ?4, date(?4, '+' || coalesce((SELECT value "
    "FROM country_rules WHERE rule = ?6 AND country IN (?5, 'ZZ') ORDER BY country = 'ZZ' "
    "LIMIT 1), 30) || ' days'), ?7, ?8)";
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

int safety_add(const identity_env *env, const principal *p, int64_t case_id, const safety_input *in,
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
	store_conn *c;
	store_stmt *st;
	int64_t owner = 0, org = 0;
	char country[3] = "";
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_CASE, &st))) {
		store_bind_int64(st, 1, case_id);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			owner = store_col_int64(st, 0);
			org = store_col_int64(st, 1);
			snprintf(country, sizeof(country), "%s", store_col_text(st, 2, NULL));
		}
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	}
	if (!rc && !principal_can_see(p, "case.social.write", owner, org, country))
		rc = PONTE_ENOTFOUND;
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	if (!rc)
		rc = store_begin(c);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	const char *rule =
	    strcmp(in->risk, "high") == 0 ? "high_risk_review_days" : "safety_review_days";
	if (!(rc = store_prepare(c, SQL_INSERT, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, in->risk, strlen(in->risk));
		store_bind_text(st, 3, in->threats ? in->threats : "",
				in->threats ? strlen(in->threats) : 0);
		store_bind_text(st, 4, in->assessed_on, strlen(in->assessed_on));
		store_bind_text(st, 5, country, strlen(country));
		store_bind_text(st, 6, rule, strlen(rule));
		store_bind_int64(st, 7, p->user_id);
		store_bind_text(st, 8, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	if (!rc && !(rc = store_prepare(c, SQL_CASE_RISK, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, in->risk, strlen(in->risk));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && in->plan && *in->plan)
		rc = field_encrypt_row(env, c, SQL_PLAN, "safety_assessments", "plan", *id,
				       in->plan, 1u << 16);
	if (!rc)
		rc = principal_audit(env->db, p, "case.safety", "case", case_id, "success", true);
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
	return rc;
}

int safety_list(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		safety_fn fn, void *ctx)
{
	case_record cr;
	int rc = case_get(env, a, p, case_id, &cr);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		size_t n;
		const void *b = store_col_blob(st, 3, &n);
		safety_assessment s = {
			.id = id,
			.risk = store_col_dup(a, st, 1),
			.threats = store_col_dup(a, st, 2),
			.plan =
			    n ? field_decrypt(env, a, "safety_assessments", "plan", id, b, n) : "",
			.assessed_on = store_col_dup(a, st, 4),
			.next_review_on = store_col_dup(a, st, 5),
		};
		if ((rc = fn(&s, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int safety_reviews_due(const identity_env *env, arena *a, const principal *p, const char *until,
		       safety_due_fn fn, void *ctx)
{
	struct case_clock_ctx k = { fn, ctx };
	return case_due_query(env, a, p, SQL_DUE, &until, 1, case_clock_row, &k);
}
