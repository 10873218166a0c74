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
    "c.id = k.case_id WHERE k.decision IS NULL AND k.requested_by <> ?4 AND "
    "(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3)) "
    "ORDER BY k.id LIMIT 200";
static const case_col CLOSURE_COLS[] = {
    CASE_INT(case_closure, id), CASE_TEXT(case_closure, kind), CASE_TEXT(case_closure, status),
    CASE_TEXT(case_closure, reason), CASE_TEXT(case_closure, requested_at),
    CASE_TEXT(case_closure, decision), CASE_TEXT(case_closure, decided_at)
};
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
	/* Reopenings and closures by an approver are decided as they are made. */
	const case_value v[] = { CV_INT(case_id),     CV_TEXT(kind),   CV_TEXT(status),
				 CV_TEXT(reason),     CV_INT(user_id), CV_TEXT(now),
				 CV_TEXT("approved"), CV_INT(user_id), CV_TEXT(now) };
	return case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), NULL);
}

int closure_request(const keyed_store *env, const principal *p, int64_t case_id, const char *status,
		    const char *reason, int64_t *id, field_errors *e)
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
	int rc = case_get_to_write(env, &a, p, case_id, &cr);
	if (!rc && case_status_closed(cr.status))
		rc = PONTE_ECONFLICT;
	arena_release(&a);
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if (!(rc = case_write_open(env, rc, e, &c, now))) {
		/* Decided later, by someone else: no decision yet. */
		const case_value v[] = { CV_INT(case_id), CV_TEXT("close"),   CV_TEXT(status),
					 CV_TEXT(reason), CV_INT(p->user_id), CV_TEXT(now),
					 CV_TEXT(NULL),   CV_TEXT(NULL),      CV_TEXT(NULL) };
		rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
		/* A request is already waiting for this case. */
		rc = rc == PONTE_EEXIST ? PONTE_ECONFLICT : rc;
	}
	principal_audit(env->db, p, "case.closure_requested", "case", case_id,
			rc ? "failure" : "success", false);
	return rc;
}

struct closure_state {
	int64_t case_id, requested_by;
	bool decided;
	char status[24], reason[256 * 4];
};

static int state_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	(void)a;
	struct closure_state *x = ctx;
	x->case_id = store_col_int64(st, 0);
	snprintf(x->status, sizeof(x->status), "%s", store_col_text(st, 1, NULL));
	snprintf(x->reason, sizeof(x->reason), "%s", store_col_text(st, 2, NULL));
	x->requested_by = store_col_int64(st, 3);
	x->decided = store_col_int64(st, 4) != 0;
	return 0;
}

int closure_decide(const keyed_store *env, const principal *p, int64_t closure_id, bool approve)
{
	store_conn *c;
	struct closure_state x = { 0 };
	size_t found = 0;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = case_row_read(env, NULL, c, SQL_GET, &CV_INT(closure_id), 1, state_row, &x,
				   &found);
	if (!rc && !found)
		rc = PONTE_ENOTFOUND;
	int64_t case_id = x.case_id;
	arena a;
	arena_init(&a, 1 << 16);
	case_record cr;
	if (!rc)
		rc = case_get(env, &a, p, case_id, &cr);
	arena_release(&a);
	if (!rc && (!case_may_close(p) || x.requested_by == p->user_id))
		rc = PONTE_EDENIED;
	if (!rc && x.decided)
		rc = PONTE_ECONFLICT;
	if (!rc)
		rc = store_begin(c);
	if (rc)
		goto out;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	const case_value decision[] = { CV_INT(closure_id),
					CV_TEXT(approve ? "approved" : "rejected"),
					CV_INT(p->user_id), CV_TEXT(now) };
	rc = case_row_change(c, SQL_DECIDE, decision, ARRAY_LEN(decision));
	/* Closed meanwhile by someone else: the request has nothing left to close. */
	const case_value closing[] = { CV_INT(case_id), CV_TEXT(x.status), CV_TEXT(x.reason),
				       CV_TEXT(now) };
	if (!rc && approve)
		rc = case_row_change(c, SQL_CLOSE_CASE, closing, ARRAY_LEN(closing));
	rc = store_finish(c, rc);
out:
	principal_audit(env->db, p, approve ? "case.closure_approved" : "case.closure_rejected",
			"case", case_id,
			rc == PONTE_EDENIED ? "denied"
			: rc                ? "failure"
					    : "success",
			false);
	return rc;
}

CASE_RECORD_LIST(closure_list, case_closure, closure_fn, SQL_LIST, CLOSURE_COLS)

struct pending_rows {
	closure_pending_fn fn;
	void *ctx;
};

static int pending_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	const struct pending_rows *r = ctx;
	return r->fn(store_col_int64(st, 0), store_col_int64(st, 1), store_col_dup(a, st, 2),
		     store_col_dup(a, st, 3), r->ctx);
}

int closures_pending(const keyed_store *env, arena *a, const principal *p, closure_pending_fn fn,
		     void *ctx)
{
	if (!case_may_close(p))
		return 0;
	struct pending_rows r = { fn, ctx };
	return case_scope_query(env, a, p, "case.social.write", SQL_PENDING, NULL, 0, pending_row,
				&r);
}
