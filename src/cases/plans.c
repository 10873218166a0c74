/* Support plans: prepared by whoever writes the case, approved by someone else who may assign
 * cases in the organisation (a supervisor) or a focal point; the four-eyes rule is also a
 * database check. */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char *const TYPES[] = { "Education",
				     "Financial",
				     "Health",
				     "LabourExploitationRehabilitation",
				     "Legal",
				     "Livelihood",
				     "RightsBasedTraining",
				     "SexualExploitationRehabilitation",
				     "SocialCare" };

CASE_CODE_LIST(plan_types, TYPES)

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO support_plans(case_id, type, prepared_by, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_OBJECTIVES[] = "UPDATE support_plans SET objectives_enc = ?2 WHERE id = ?1";
static const char SQL_ACTION_PLAN[] = "UPDATE support_plans SET action_plan_enc = ?2 WHERE id = ?1";
static const char SQL_GET[] =
    "SELECT case_id, prepared_by, approved_at IS NOT NULL FROM support_plans WHERE id = ?1";
static const char SQL_APPROVE[] =
    "UPDATE support_plans SET approved_by = ?2, approved_at = ?3 WHERE id = ?1 AND "
    "approved_at IS NULL AND prepared_by <> ?2";
static const char SQL_LIST[] =
    "SELECT id, type, objectives_enc, action_plan_enc, coalesce(approved_at, ''), created_at "
    "FROM support_plans WHERE case_id = ?1 ORDER BY id DESC";
static const char SQL_PENDING[] =
    "SELECT p.id, p.case_id, p.type, p.created_at FROM support_plans p JOIN cases c ON "
    "c.id = p.case_id WHERE p.approved_at IS NULL AND p.prepared_by <> ?4 AND "
    "(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3)) "
    "ORDER BY p.id LIMIT 200";
/* clang-format on */

int plan_add(const keyed_store *env, const principal *p, int64_t case_id, const char *type,
	     const char *objectives, const char *action_plan, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	bool known = false;
	for (size_t i = 0; type && i < ARRAY_LEN(TYPES); i++)
		known |= strcmp(TYPES[i], type) == 0;
	if (!known)
		field_errors_add(e, "type", N_("Choose a type of plan from the list."));
	if (!objectives || !*objectives || strlen(objectives) > 4000)
		field_errors_add(e, "objectives",
				 N_("Write the objectives (at most 4,000 characters)."));
	if (action_plan && strlen(action_plan) > 8000)
		field_errors_add(e, "action_plan", N_("At most 8,000 characters."));
	int rc = case_check(env, p, case_id, "case.social.write");
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if ((rc = case_write_begin(env, rc, e, &c, now)))
		return rc;
	const case_value v[] = { CV_INT(case_id), CV_TEXT(type), CV_INT(p->user_id), CV_TEXT(now) };
	rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
	if (!rc)
		rc = field_encrypt_row(env, c, SQL_OBJECTIVES, "support_plans", "objectives", *id,
				       objectives, 1u << 16);
	if (!rc && action_plan && *action_plan)
		rc = field_encrypt_row(env, c, SQL_ACTION_PLAN, "support_plans", "action_plan", *id,
				       action_plan, 1u << 16);
	return case_write_end(env, p, c, rc, "case.plan", case_id);
}

struct plan_state {
	int64_t case_id, prepared_by;
	bool approved;
};

static int state_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	(void)a;
	struct plan_state *x = ctx;
	*x = (struct plan_state){ store_col_int64(st, 0), store_col_int64(st, 1),
				  store_col_int64(st, 2) != 0 };
	return 0;
}

int plan_approve(const keyed_store *env, const principal *p, int64_t plan_id)
{
	store_conn *c;
	struct plan_state x = { 0 };
	size_t found = 0;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = case_row_read(env, NULL, c, SQL_GET, &CV_INT(plan_id), 1, state_row, &x,
				   &found);
	if (!rc && !found)
		rc = PONTE_ENOTFOUND;
	if (!rc)
		rc = case_check(env, p, x.case_id, "case.social.read");
	/* Approving is a supervisor's or focal point's act, never the author's own. */
	if (!rc && (principal_scope(p, "case.social.write") < SCOPE_ORGANISATION ||
		    x.prepared_by == p->user_id))
		rc = PONTE_EDENIED;
	if (!rc && x.approved)
		rc = PONTE_ECONFLICT;
	if (!rc) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		const case_value v[] = { CV_INT(plan_id), CV_INT(p->user_id), CV_TEXT(now) };
		rc = case_row_change(c, SQL_APPROVE, v, ARRAY_LEN(v));
	}
	principal_audit(env->db, p, "case.plan_approved", "case", x.case_id,
			rc == PONTE_EDENIED ? "denied"
			: rc                ? "failure"
					    : "success",
			false);
	return rc;
}

struct plan_rows {
	plan_fn fn;
	plan_pending_fn pending;
	void *ctx;
};

static int plan_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	const struct plan_rows *r = ctx;
	int64_t id = store_col_int64(st, 0);
	support_plan x = { .id = id,
			   .type = store_col_dup(a, st, 1),
			   .objectives =
			       case_secret_col(env, a, st, 2, "support_plans", "objectives", id),
			   .action_plan =
			       case_secret_col(env, a, st, 3, "support_plans", "action_plan", id),
			   .approved_at = store_col_dup(a, st, 4),
			   .created_at = store_col_dup(a, st, 5) };
	return r->fn(&x, r->ctx);
}

int plan_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id, plan_fn fn,
	      void *ctx)
{
	int rc = case_check(env, p, case_id, "case.social.read");
	struct plan_rows r = { .fn = fn, .ctx = ctx };
	store_conn *c;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = case_row_read(env, a, c, SQL_LIST, &CV_INT(case_id), 1, plan_row, &r, NULL);
	return rc;
}

static int pending_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	const struct plan_rows *r = ctx;
	return r->pending(store_col_int64(st, 0), store_col_int64(st, 1), store_col_dup(a, st, 2),
			  store_col_dup(a, st, 3), r->ctx);
}

int plans_pending(const keyed_store *env, arena *a, const principal *p, plan_pending_fn fn,
		  void *ctx)
{
	if (principal_scope(p, "case.social.write") < SCOPE_ORGANISATION)
		return 0; /* approving is for supervisors and focal points */
	struct plan_rows r = { .pending = fn, .ctx = ctx };
	return case_scope_query(env, a, p, "case.social.write", SQL_PENDING, NULL, 0, pending_row,
				&r);
}
