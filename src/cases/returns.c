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
static const case_col RETURN_COLS[] = {
    CASE_INT(return_record, id), CASE_TEXT(return_record, destination),
    CASE_TEXT(return_record, decided_on), CASE_TEXT(return_record, state),
    CASE_TEXT(return_record, departure_on), CASE_INT(return_record, assessment_id)
};
/* clang-format on */

int return_decide(const keyed_store *env, const principal *p, int64_t case_id,
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
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if (!(rc = case_write_open(env, rc, e, &c, now))) {
		const case_value v[] = { CV_INT(case_id), CV_TEXT(destination), CV_TEXT(decided_on),
					 CV_INT(p->user_id), CV_TEXT(now) };
		rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
	}
	principal_audit(env->db, p, "case.return_decided", "case", case_id,
			rc ? "failure" : "success", false);
	return rc;
}

struct return_state {
	int64_t case_id, assessment;
	char decided[16], state[16];
};

static int state_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	(void)a;
	struct return_state *x = ctx;
	x->case_id = store_col_int64(st, 0);
	snprintf(x->decided, sizeof(x->decided), "%s", store_col_text(st, 1, NULL));
	snprintf(x->state, sizeof(x->state), "%s", store_col_text(st, 2, NULL));
	return 0;
}

/* The gate: a risk assessment since the decision, low, with no threat. */
static int assessment_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	(void)a;
	struct return_state *x = ctx;
	if (strcmp(store_col_text(st, 1, NULL), "low") == 0 && !*store_col_text(st, 2, NULL))
		x->assessment = store_col_int64(st, 0);
	return 0;
}

int return_schedule(const keyed_store *env, const principal *p, int64_t return_id,
		    const char *departure_on, field_errors *e)
{
	field_errors_clear(e);
	store_conn *c;
	struct return_state x = { 0 };
	size_t found = 0;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = case_row_read(env, NULL, c, SQL_GET, &CV_INT(return_id), 1, state_row, &x,
				   &found);
	if (!rc && !found)
		rc = PONTE_ENOTFOUND;
	if (!rc)
		rc = case_check(env, p, x.case_id, "case.social.write");
	if (!rc && strcmp(x.state, "decided") != 0)
		rc = PONTE_ECONFLICT;
	bool future = false;
	if (!rc && (!departure_on || !case_date_valid(departure_on, &future) ||
		    strcmp(departure_on, x.decided) < 0))
		field_errors_add(e, "departure_on",
				 N_("Give the date of departure, after the decision."));
	if (!rc) {
		const case_value v[] = { CV_INT(x.case_id), CV_TEXT(x.decided) };
		rc = case_row_read(env, NULL, c, SQL_ASSESSMENT, v, ARRAY_LEN(v), assessment_row,
				   &x, NULL);
	}
	if (!rc && !x.assessment)
		field_errors_add(
		    e, "assessment",
		    N_("A return can be scheduled only after a pre-return risk assessment, "
		       "made since the decision, shows no threat."));
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	if (!rc) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		const case_value v[] = { CV_INT(return_id), CV_TEXT(departure_on),
					 CV_INT(x.assessment), CV_TEXT(now) };
		rc = case_row_change(c, SQL_SCHEDULE, v, ARRAY_LEN(v));
	}
	principal_audit(env->db, p, "case.return_scheduled", "case", x.case_id,
			rc ? "failure" : "success", false);
	return rc;
}

CASE_RECORD_LIST(return_list, return_record, return_fn, SQL_LIST, RETURN_COLS)
