/* Closing a case: requested by whoever writes it, approved by a supervisor of the organisation
 * or a focal point who did not ask; reopenings and direct closures by approvers are recorded in
 * the same history. */
#include "base/clock.h"
#include "base/utf8.h"
#include "cases/internal.h"
#include "i18n/i18n.h"

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO case_closures(case_id, kind, status, reason, requested_by, requested_at, "
    "decision, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_GET[] =
    "SELECT case_id, status, reason, requested_by, decision IS NOT NULL FROM case_closures "
    "WHERE id = ?1 AND kind = 'close'";
static const char SQL_DECIDE[] =
    "UPDATE case_closures SET decision = ?2, decided_by = ?3, decided_at = ?4 "
    "WHERE id = ?1 AND decision IS NULL AND requested_by <> ?3";
static const char SQL_CLOSE_CASE[] =
    "UPDATE cases SET version = version + 1, status = ?2, closure_reason = ?3, updated_at = ?4 "
    "WHERE id = ?1 AND status NOT IN ('Closed', 'ClosedReferred')";
static const char SQL_LIST[] =
    "SELECT id, kind, status, reason, requested_at, coalesce(decision, ''), "
    "coalesce(decided_at, '') FROM case_closures WHERE case_id = ?1 ORDER BY id DESC";
static const char SQL_PENDING[] =
    "SELECT k.id, k.case_id, k.status, k.requested_at FROM case_closures k JOIN cases c ON "
    "c.id = k.case_id WHERE k.decision IS NULL AND k.requested_by <> ?5 AND "
    "(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3)) "
    "ORDER BY k.id LIMIT 200";
/* clang-format on */

bool case_status_closed(const char *status)
{
	return status && (strcmp(status, "Closed") == 0 || strcmp(status, "ClosedReferred") == 0);
}

bool case_may_close(const principal *p)
{
	return principal_scope(p, "case.social.write") >= SCOPE_ORGANISATION;
}

int case_closure_record(store_conn *c, int64_t case_id, const char *kind, const char *status,
			const char *reason, int64_t user_id, const char *now)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_INSERT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	store_bind_text(st, 2, kind, strlen(kind));
	store_bind_text(st, 3, status, strlen(status));
	store_bind_text(st, 4, reason, strlen(reason));
	store_bind_int64(st, 5, user_id);
	store_bind_text(st, 6, now, strlen(now));
	/* Reopenings and closures by an approver are decided as they are made. */
	static const char approved[] = "approved";
	store_bind_text(st, 7, approved, strlen(approved));
	store_bind_int64(st, 8, user_id);
	store_bind_text(st, 9, now, strlen(now));
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int closure_request(const identity_env *env, const principal *p, int64_t case_id,
		    const char *status, const char *reason, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	if (!case_status_closed(status))
		field_errors_add(e, "cas_Status", N_("Choose Closed or Closed (referred)."));
	if (!reason || !*reason || !utf8_valid_text(reason, strlen(reason)) ||
	    utf8_length(reason, strlen(reason)) > 200 || strpbrk(reason, "\r\n\t"))
		field_errors_add(
		    e, "cas_ReasonForCaseClosure",
		    N_("Give the reason for closing, on one line (at most 200 characters)."));
	arena a;
	arena_init(&a, 1 << 16);
	case_record cr;
	int rc = case_get(env, &a, p, case_id, &cr);
	if (!rc &&
	    !principal_can_see(p, "case.social.write", cr.owner_id, cr.organisation_id, cr.country))
		rc = PONTE_ENOTFOUND;
	if (!rc && case_status_closed(cr.status))
		rc = PONTE_ECONFLICT;
	arena_release(&a);
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)) &&
	    !(rc = store_prepare(c, SQL_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, "close", 5);
		store_bind_text(st, 3, status, strlen(status));
		store_bind_text(st, 4, reason, strlen(reason));
		store_bind_int64(st, 5, p->user_id);
		store_bind_text(st, 6, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		/* A request is already waiting for this case. */
		rc = rc == PONTE_EEXIST ? PONTE_ECONFLICT : rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	principal_audit(env->db, p, "case.closure_requested", "case", case_id,
			rc ? "failure" : "success", false);
	return rc;
}

int closure_decide(const identity_env *env, const principal *p, int64_t closure_id, bool approve)
{
	store_conn *c;
	store_stmt *st;
	int64_t case_id = 0, requested_by = 0;
	bool decided = false;
	char status[24] = "", reason[256 * 4] = "";
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_GET, &st))) {
		store_bind_int64(st, 1, closure_id);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			case_id = store_col_int64(st, 0);
			snprintf(status, sizeof(status), "%s", store_col_text(st, 1, NULL));
			snprintf(reason, sizeof(reason), "%s", store_col_text(st, 2, NULL));
			requested_by = store_col_int64(st, 3);
			decided = store_col_int64(st, 4) != 0;
		}
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	}
	arena a;
	arena_init(&a, 1 << 16);
	case_record cr;
	if (!rc)
		rc = case_get(env, &a, p, case_id, &cr);
	arena_release(&a);
	if (!rc && (!case_may_close(p) || requested_by == p->user_id))
		rc = PONTE_EDENIED;
	if (!rc && decided)
		rc = PONTE_ECONFLICT;
	if (!rc)
		rc = store_begin(c);
	if (rc)
		goto out;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	if (!(rc = store_prepare(c, SQL_DECIDE, &st))) {
		const char *d = approve ? "approved" : "rejected";
		store_bind_int64(st, 1, closure_id);
		store_bind_text(st, 2, d, strlen(d));
		store_bind_int64(st, 3, p->user_id);
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	if (!rc && approve && !(rc = store_prepare(c, SQL_CLOSE_CASE, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, status, strlen(status));
		store_bind_text(st, 3, reason, strlen(reason));
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		/* Closed meanwhile by someone else: the request has nothing left to close. */
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
out:
	principal_audit(env->db, p, approve ? "case.closure_approved" : "case.closure_rejected",
			"case", case_id,
			rc == PONTE_EDENIED ? "denied"
			: rc                ? "failure"
					    : "success",
			false);
	return rc;
}

int closure_list(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		 closure_fn fn, void *ctx)
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
		case_closure k = { .id = store_col_int64(st, 0),
				   .kind = store_col_dup(a, st, 1),
				   .status = store_col_dup(a, st, 2),
				   .reason = store_col_dup(a, st, 3),
				   .requested_at = store_col_dup(a, st, 4),
				   .decision = store_col_dup(a, st, 5),
				   .decided_at = store_col_dup(a, st, 6) };
		if ((rc = fn(&k, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int closures_pending(const identity_env *env, arena *a, const principal *p, closure_pending_fn fn,
		     void *ctx)
{
	if (!case_may_close(p))
		return 0;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PENDING, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, principal_scope(p, "case.social.write"));
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
