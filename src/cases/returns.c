/* Return: the voluntary decision, and scheduling only after a pre-return risk assessment
 * that shows no threat. */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO returns(case_id, destination, decided_on, information_given, created_by, "
    "created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)";
static const char SQL_GET[] =
    "SELECT case_id, decided_on, state FROM returns WHERE id = ?1";
/* The latest assessment of the case made on or after the decision. */
static const char SQL_ASSESSMENT[] =
    "SELECT id, risk, threats FROM safety_assessments WHERE case_id = ?1 AND assessed_on >= ?2 "
    "ORDER BY id DESC LIMIT 1";
static const char SQL_SCHEDULE[] =
    "UPDATE returns SET state = 'scheduled', departure_on = ?2, assessment_id = ?3, "
    "updated_at = ?4 WHERE id = ?1 AND state = 'decided'";
static const char SQL_LIST[] =
    "SELECT id, destination, decided_on, state, coalesce(departure_on, ''), "
    "coalesce(assessment_id, 0) FROM returns WHERE case_id = ?1 ORDER BY id DESC";
/* clang-format on */

int return_decide(const identity_env *env, const principal *p, int64_t case_id,
		  const char *destination, const char *decided_on, bool informed, int64_t *id,
		  field_errors *e)
{
	field_errors_clear(e);
	bool future = false;
	if (!destination || !country_known(env->db, destination))
		field_errors_add(e, "destination", N_("Choose the country of return."));
	if (!decided_on || !case_date_valid(decided_on, &future) || future)
		field_errors_add(e, "decided_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	if (!informed)
		field_errors_add(
		    e, "information_given",
		    N_("A return is decided by the person once informed of the conditions, "
		       "risks and support: record that the information was given."));
	int rc = case_check(env, p, case_id, "case.social.write");
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)) &&
	    !(rc = store_prepare(c, SQL_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, destination, strlen(destination));
		store_bind_text(st, 3, decided_on, strlen(decided_on));
		store_bind_int64(st, 4, p->user_id);
		store_bind_text(st, 5, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	principal_audit(env->db, p, "case.return_decided", "case", case_id,
			rc ? "failure" : "success", false);
	return rc;
}

int return_schedule(const identity_env *env, const principal *p, int64_t return_id,
		    const char *departure_on, field_errors *e)
{
	field_errors_clear(e);
	store_conn *c;
	store_stmt *st;
	int64_t case_id = 0;
	char decided[16] = "", state[16] = "";
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_GET, &st))) {
		store_bind_int64(st, 1, return_id);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			case_id = store_col_int64(st, 0);
			snprintf(decided, sizeof(decided), "%s", store_col_text(st, 1, NULL));
			snprintf(state, sizeof(state), "%s", store_col_text(st, 2, NULL));
		}
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	}
	if (!rc)
		rc = case_check(env, p, case_id, "case.social.write");
	if (!rc && strcmp(state, "decided") != 0)
		rc = PONTE_ECONFLICT;
	bool future = false;
	if (!rc && (!departure_on || !case_date_valid(departure_on, &future) ||
		    strcmp(departure_on, decided) < 0))
		field_errors_add(e, "departure_on",
				 N_("Give the date of departure, after the decision."));
	/* The gate: a risk assessment since the decision, low, with no threat. */
	int64_t assessment = 0;
	if (!rc && !(rc = store_prepare(c, SQL_ASSESSMENT, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, decided, strlen(decided));
		rc = store_step(st);
		if (rc == STORE_ROW && strcmp(store_col_text(st, 1, NULL), "low") == 0 &&
		    !*store_col_text(st, 2, NULL))
			assessment = store_col_int64(st, 0);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && !assessment)
		field_errors_add(
		    e, "assessment",
		    N_("A return can be scheduled only after a pre-return risk assessment, "
		       "made since the decision, shows no threat."));
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	if (!rc && !(rc = store_prepare(c, SQL_SCHEDULE, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, return_id);
		store_bind_text(st, 2, departure_on, strlen(departure_on));
		store_bind_int64(st, 3, assessment);
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	principal_audit(env->db, p, "case.return_scheduled", "case", case_id,
			rc ? "failure" : "success", false);
	return rc;
}

int return_list(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		return_fn fn, void *ctx)
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
		return_record r = { .id = store_col_int64(st, 0),
				    .destination = store_col_dup(a, st, 1),
				    .decided_on = store_col_dup(a, st, 2),
				    .state = store_col_dup(a, st, 3),
				    .departure_on = store_col_dup(a, st, 4),
				    .assessment_id = store_col_int64(st, 5) };
		if ((rc = fn(&r, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
