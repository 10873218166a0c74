/* The assistance log: what the person received, from whom, from when to when. Completed
 * referrals write to it too, through assistance_record() (referral/referral.c). */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"

static const char *const TYPES[] = { "accommodation", "material_aid", "medical",
				     "psychological", "counselling",  "interpretation",
				     "legal_aid",     "education",    "livelihood" };

CASE_CODE_LIST(assistance_types, TYPES)

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO assistance(case_id, type, provider_id, started_on, ended_on, created_at) "
    "VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6)";
static const char SQL_LIST[] =
    "SELECT a.id, a.type, o.name, a.started_on, coalesce(a.ended_on, ''), "
    "coalesce(a.referral_id, 0) FROM assistance a JOIN organisations o ON o.id = a.provider_id "
    "WHERE a.case_id = ?1 ORDER BY a.started_on DESC, a.id DESC";
static const char SQL_RECORD[] =
    "INSERT INTO assistance(case_id, type, provider_id, referral_id, started_on, ended_on, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const case_col ASSISTANCE_COLS[] = {
    CASE_INT(assistance_item, id), CASE_TEXT(assistance_item, type), CASE_TEXT(assistance_item, provider),
    CASE_TEXT(assistance_item, started_on), CASE_TEXT(assistance_item, ended_on),
    CASE_INT(assistance_item, referral_id)
};
/* clang-format on */

int assistance_record(store *db, int64_t case_id, const char *type, int64_t provider_id,
		      int64_t referral_id, const char *started_on, const char *ended_on,
		      const char *now)
{
	store_conn *c;
	int rc = store_conn_get(db, &c);
	if (rc)
		return rc;
	/* The dates of timestamps. */
	char start[11], end[11];
	snprintf(start, sizeof(start), "%s", started_on);
	snprintf(end, sizeof(end), "%s", ended_on);
	const case_value v[] = { CV_INT(case_id),     CV_TEXT(type),  CV_INT(provider_id),
				 CV_INT(referral_id), CV_TEXT(start), CV_TEXT(end),
				 CV_TEXT(now) };
	return case_row_write(c, SQL_RECORD, v, ARRAY_LEN(v), NULL);
}

int assistance_add(const keyed_store *env, const principal *p, int64_t case_id, const char *type,
		   const char *started_on, const char *ended_on, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	bool known = false, future = false;
	for (size_t i = 0; type && i < ARRAY_LEN(TYPES); i++)
		known |= strcmp(TYPES[i], type) == 0;
	if (!known)
		field_errors_add(e, "type", N_("Choose a type of assistance."));
	if (!started_on || !case_date_valid(started_on, &future) || future)
		field_errors_add(e, "started_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	if (ended_on && *ended_on &&
	    (!case_date_valid(ended_on, &future) ||
	     (started_on && strcmp(ended_on, started_on) < 0)))
		field_errors_add(e, "ended_on", N_("The end comes after the start."));
	int rc = case_check(env, p, case_id, "case.social.write");
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if (!(rc = case_write_open(env, rc, e, &c, now))) {
		const case_value v[] = { CV_INT(case_id),
					 CV_TEXT(type),
					 CV_INT(p->organisation_id),
					 CV_TEXT(started_on),
					 CV_TEXT(ended_on ? ended_on : ""),
					 CV_TEXT(now) };
		rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
	}
	principal_audit(env->db, p, "case.assistance", "case", case_id, rc ? "failure" : "success",
			false);
	return rc;
}

CASE_RECORD_LIST(assistance_list, assistance_item, assistance_fn, SQL_LIST, ASSISTANCE_COLS)
