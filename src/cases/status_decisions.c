/*
 * Victim status decisions: presumed, pending (under investigation), confirmed, not confirmed,
 * not considered; each with its date, reasons and the type of the deciding organisation. Only
 * the organisation types configured for the case's country may confirm. The latest decision
 * sets the case's vic_TraffickingStatus.
 */
#include "audit/audit.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/fields.h"

static const case_code DECISIONS[] = {
	{ "presumed", N_("Presumed victim (flagged)") },
	{ "pending", N_("Pending or under investigation") },
	{ "confirmed", N_("Confirmed by the competent authority") },
	{ "not_confirmed", N_("Not confirmed") },
	{ "not_considered", N_("Not considered") },
};
VOCABULARY(decisions, "decision.status", DECISIONS);
static const case_code DECIDERS[] = {
	{ "Police", N_("Police") },
	{ "NGO", N_("Non-governmental organisation") },
	{ "CourtOrProsecution", N_("Court or prosecution") },
	{ "NonPoliceGovernmentalOrganization", N_("Government body other than the police") },
	{ "Other", N_("Other") },
};
VOCABULARY(deciders, "decision.decider", DECIDERS);

static const char SQL_CONFIRMS[] =
    "SELECT 1 FROM status_confirmers WHERE org_type = ?2 AND country = CASE WHEN EXISTS "
    "(SELECT 1 FROM status_confirmers WHERE country = ?1) THEN ?1 ELSE 'ZZ' END";
static const char SQL_NEXT[] = "SELECT coalesce(max(id), 0) + 1 FROM status_decisions";
static const char SQL_INSERT[] = "INSERT INTO status_decisions(id, case_id, status, decided_on, "
				 "decision_org_type, reasons_enc, decided_by, created_at) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_CASE_STATUS[] =
    "UPDATE cases SET version = version + 1, trafficking_status = ?2, "
    "updated_at = ?3 WHERE id = ?1";
static const char SQL_HISTORY[] =
    "SELECT d.id, d.status, d.decided_on, d.decision_org_type, d.reasons_enc, "
    "d.decided_by, d.created_at FROM status_decisions d WHERE d.case_id = ?1 "
    "ORDER BY d.id DESC";

const case_code *status_decision_codes(const char *field, size_t *n)
{
	if (!strcmp(field, "decision")) {
		*n = ARRAY_LEN(DECISIONS);
		return DECISIONS;
	}
	*n = ARRAY_LEN(DECIDERS);
	return DECIDERS;
}

static bool known(const case_code *codes, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (!strcmp(codes[i].code, v))
			return true;
	return false;
}

static bool may_confirm(store *db, const char *country, const char *org_type)
{
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, SQL_CONFIRMS, &st))
		return false;
	store_bind_text(st, 1, country, strlen(country));
	store_bind_text(st, 2, org_type, strlen(org_type));
	bool ok = store_step(st) == STORE_ROW;
	store_reset(st);
	return ok;
}

static const char *vic_status(const char *decision)
{
	if (!strcmp(decision, "confirmed"))
		return "ActualVictimOfTrafficking";
	if (!strcmp(decision, "not_confirmed") || !strcmp(decision, "not_considered"))
		return "NotAVictimOfTrafficking";
	return "PossibleVictimOfTrafficking";
}

int status_decision_add(const keyed_store *env, const principal *p, int64_t case_id,
			const status_decision_input *in, field_errors *e, int64_t *id)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	int rc = case_get_to_write(env, &a, p, case_id, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	if (!known(DECISIONS, ARRAY_LEN(DECISIONS), in->status))
		field_errors_add(e, "status", N_("Choose a decision from the list."));
	if (!known(DECIDERS, ARRAY_LEN(DECIDERS), in->decision_org_type))
		field_errors_add(e, "vic_TraffickingStatusDecisionMakingOrg",
				 N_("Choose who decided from the list."));
	else if (in->status && !strcmp(in->status, "confirmed") &&
		 !may_confirm(env->db, c.country, in->decision_org_type))
		field_errors_add(
		    e, "vic_TraffickingStatusDecisionMakingOrg",
		    N_("In this country, this type of organisation cannot confirm victim status."));
	bool future = false;
	if (!in->decided_on || !case_date_valid(in->decided_on, &future))
		field_errors_add(e, "decided_on", N_("Enter the date as YYYY-MM-DD."));
	else if (future)
		field_errors_add(e, "decided_on",
				 N_("The date of the decision cannot be in the future."));
	if (in->reasons && (!utf8_valid_text(in->reasons, strlen(in->reasons)) ||
			    utf8_length(in->reasons, strlen(in->reasons)) > 4000))
		field_errors_add(e, "reasons", N_("Use at most 4000 characters of text."));
	arena_release(&a);
	if (e->count)
		return PONTE_EINVAL;

	store_conn *sc;
	store_stmt *st;
	rc = store_conn_get(env->db, &sc);
	if (!rc)
		rc = store_begin(sc);
	if (rc)
		return rc;
	int64_t new_id = 0;
	if (!(rc = store_prepare(sc, SQL_NEXT, &st))) {
		rc = store_step(st) == STORE_ROW ? 0 : PONTE_ESTORE;
		new_id = store_col_int64(st, 0);
		store_reset(st);
	}
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	buf reasons;
	buf_init(&reasons, 1 << 16);
	if (!rc && in->reasons && *in->reasons)
		rc = field_encrypt(env, "status_decisions", "reasons", new_id, in->reasons,
				   &reasons);
	if (!rc && !(rc = store_prepare(sc, SQL_INSERT, &st))) {
		store_bind_int64(st, 1, new_id);
		store_bind_int64(st, 2, case_id);
		store_bind_text(st, 3, in->status, strlen(in->status));
		store_bind_text(st, 4, in->decided_on, strlen(in->decided_on));
		store_bind_text(st, 5, in->decision_org_type, strlen(in->decision_org_type));
		if (reasons.len)
			store_bind_blob(st, 6, reasons.data, reasons.len);
		store_bind_int64(st, 7, p->user_id);
		store_bind_text(st, 8, when, strlen(when));
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	if (!rc && !(rc = store_prepare(sc, SQL_CASE_STATUS, &st))) {
		const char *vs = vic_status(in->status);
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, vs, strlen(vs));
		store_bind_text(st, 3, when, strlen(when));
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	buf_release(&reasons);
	if (!rc)
		rc = store_commit(sc);
	if (rc) {
		store_rollback(sc);
		return rc;
	}
	principal_audit(env->db, p, "case.status_decision", "case", case_id, "success", false);
	*id = new_id;
	return 0;
}

int status_decision_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
			 status_decision_fn fn, void *ctx)
{
	case_record c;
	int rc = case_get(env, a, p, case_id, &c); /* scope check, audited */
	if (rc)
		return rc;
	store_conn *sc;
	store_stmt *st;
	rc = store_conn_get(env->db, &sc);
	if (!rc)
		rc = store_prepare(sc, SQL_HISTORY, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		status_decision d = { .id = store_col_int64(st, 0) };
		d.status = store_col_dup(a, st, 1);
		d.decided_on = store_col_dup(a, st, 2);
		d.decision_org_type = store_col_dup(a, st, 3);
		size_t n;
		const void *b = store_col_blob(st, 4, &n);
		d.reasons =
		    n ? field_decrypt(env, a, "status_decisions", "reasons", d.id, b, n) : "";
		d.decided_by = store_col_int64(st, 5);
		d.created_at = store_col_dup(a, st, 6);
		if (!d.reasons) {
			rc = PONTE_ESTORE;
			break;
		}
		rc = fn(&d, ctx);
		if (rc)
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
