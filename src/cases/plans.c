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

const char *const *plan_types(size_t *n)
{
	*n = ARRAY_LEN(TYPES);
	return TYPES;
}

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO support_plans(case_id, type, prepared_by, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TEXTS[] =
    "UPDATE support_plans SET objectives_enc = ?2, action_plan_enc = ?3 WHERE id = ?1";
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
    "c.id = p.case_id WHERE p.approved_at IS NULL AND p.prepared_by <> ?5 AND "
    "(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3)) "
    "ORDER BY p.id LIMIT 200";
/* clang-format on */

int plan_add(const identity_env *env, const principal *p, int64_t case_id, const char *type,
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
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_begin(c);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	if (!(rc = store_prepare(c, SQL_INSERT, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, type, strlen(type));
		store_bind_int64(st, 3, p->user_id);
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	buf o, ap;
	buf_init(&o, 1u << 16);
	buf_init(&ap, 1u << 16);
	if (!rc && !(rc = field_encrypt(env, "support_plans", "objectives", *id, objectives, &o)) &&
	    !(rc = action_plan && *action_plan
		       ? field_encrypt(env, "support_plans", "action_plan", *id, action_plan, &ap)
		       : 0) &&
	    !(rc = store_prepare(c, SQL_TEXTS, &st))) {
		store_bind_int64(st, 1, *id);
		store_bind_blob(st, 2, o.data, o.len);
		if (ap.len)
			store_bind_blob(st, 3, ap.data, ap.len);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	buf_release(&o);
	buf_release(&ap);
	if (!rc)
		rc = principal_audit(env->db, p, "case.plan", "case", case_id, "success", true);
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
	return rc;
}

int plan_approve(const identity_env *env, const principal *p, int64_t plan_id)
{
	store_conn *c;
	store_stmt *st;
	int64_t case_id = 0, prepared_by = 0;
	bool approved = false;
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_GET, &st))) {
		store_bind_int64(st, 1, plan_id);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			case_id = store_col_int64(st, 0);
			prepared_by = store_col_int64(st, 1);
			approved = store_col_int64(st, 2) != 0;
		}
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	}
	if (!rc)
		rc = case_check(env, p, case_id, "case.social.read");
	/* Approving is a supervisor's or focal point's act, never the author's own. */
	if (!rc && (principal_scope(p, "case.social.write") < SCOPE_ORGANISATION ||
		    prepared_by == p->user_id))
		rc = PONTE_EDENIED;
	if (!rc && approved)
		rc = PONTE_ECONFLICT;
	if (!rc && !(rc = store_prepare(c, SQL_APPROVE, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, plan_id);
		store_bind_int64(st, 2, p->user_id);
		store_bind_text(st, 3, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	principal_audit(env->db, p, "case.plan_approved", "case", case_id,
			rc == PONTE_EDENIED ? "denied"
			: rc                ? "failure"
					    : "success",
			false);
	return rc;
}

static const char *dec(const identity_env *env, arena *a, store_stmt *st, int col, const char *name,
		       int64_t id)
{
	size_t n;
	const void *b = store_col_blob(st, col, &n);
	return n ? field_decrypt(env, a, "support_plans", name, id, b, n) : "";
}

int plan_list(const identity_env *env, arena *a, const principal *p, int64_t case_id, plan_fn fn,
	      void *ctx)
{
	int rc = case_check(env, p, case_id, "case.social.read");
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		support_plan x = { .id = id,
				   .type = store_col_dup(a, st, 1),
				   .objectives = dec(env, a, st, 2, "objectives", id),
				   .action_plan = dec(env, a, st, 3, "action_plan", id),
				   .approved_at = store_col_dup(a, st, 4),
				   .created_at = store_col_dup(a, st, 5) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int plans_pending(const identity_env *env, arena *a, const principal *p, plan_pending_fn fn,
		  void *ctx)
{
	int scope = principal_scope(p, "case.social.write");
	if (scope < SCOPE_ORGANISATION)
		return 0; /* approving is for supervisors and focal points */
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PENDING, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, scope);
	store_bind_text(st, 2, p->country, strlen(p->country));
	store_bind_int64(st, 3, p->organisation_id);
	store_bind_int64(st, 5, p->user_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		if ((rc = fn(store_col_int64(st, 0), store_col_int64(st, 1),
			     store_col_dup(a, st, 2), store_col_dup(a, st, 3), ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
