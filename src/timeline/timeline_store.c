/* The timeline of a case: one statement over the records that make it. */
#include <pthread.h>

#include "cases/sections.h"
#include "timeline/timeline.h"

/* clang-format off */
static const char SQL_HEAD[] =
    "SELECT at, kind, code, detail, ref FROM ("
    /* The registration and who made it; not the status, which the case does not keep from
     * then (its closures and reopenings have their own events below). */
    "SELECT c.created_at AS at, 'registered' AS kind, '' AS code, o.name AS detail, 0 AS ref "
    "  FROM cases c JOIN organisations o ON o.id = c.organisation_id WHERE c.id = ?1 "
    "UNION ALL SELECT d.created_at, 'decision', d.status, d.decision_org_type, d.id "
    "  FROM status_decisions d WHERE d.case_id = ?1 "
    "UNION ALL SELECT s.created_at, 'screening', CASE WHEN s.indicated <> 0 THEN 'indicated' "
    "  ELSE 'not_indicated' END, s.list, s.id FROM screenings s WHERE s.case_id = ?1 "
    "UNION ALL SELECT c.created_at, 'consent', c.purpose, coalesce(o.name, ''), c.id "
    "  FROM consents c LEFT JOIN organisations o ON o.id = c.recipient_id WHERE c.case_id = ?1 "
    "UNION ALL SELECT c.withdrawn_on, 'consent_withdrawn', c.purpose, coalesce(o.name, ''), c.id "
    "  FROM consents c LEFT JOIN organisations o ON o.id = c.recipient_id "
    "  WHERE c.case_id = ?1 AND c.withdrawn_on IS NOT NULL "
    "UNION ALL SELECT e.at, 'referral', e.action, t.name, r.id FROM referral_events e "
    "  JOIN referrals r ON r.id = e.referral_id JOIN organisations t ON t.id = r.to_id "
    "  WHERE r.case_id = ?1 "
    "UNION ALL SELECT r.created_at, 'referral', 'create', t.name, r.id FROM referrals r "
    "  JOIN organisations t ON t.id = r.to_id WHERE r.case_id = ?1 "
    "UNION ALL SELECT v.delivered_on, 'delivery', v.type, t.name, r.id "
    "  FROM referral_deliveries v JOIN referrals r ON r.id = v.referral_id "
    "  JOIN organisations t ON t.id = r.to_id WHERE r.case_id = ?1 "
    "UNION ALL SELECT a.created_at, 'assistance', a.type, o.name, a.id FROM assistance a "
    "  JOIN organisations o ON o.id = a.provider_id WHERE a.case_id = ?1 "
    "UNION ALL SELECT k.contact_on, 'contact', k.channel, o.name, k.id FROM contacts k "
    "  JOIN organisations o ON o.id = k.organisation_id WHERE k.case_id = ?1 "
    "UNION ALL SELECT r.created_at, 'return', 'decided', r.destination, r.id FROM returns r "
    "  WHERE r.case_id = ?1 "
    "UNION ALL SELECT r.updated_at, 'return', 'scheduled', r.departure_on, r.id FROM returns r "
    "  WHERE r.case_id = ?1 AND r.state = 'scheduled' "
    "UNION ALL SELECT p.created_at, 'plan', 'prepared', p.type, p.id FROM support_plans p "
    "  WHERE p.case_id = ?1 "
    "UNION ALL SELECT p.approved_at, 'plan', 'approved', p.type, p.id FROM support_plans p "
    "  WHERE p.case_id = ?1 AND p.approved_at IS NOT NULL "
    "UNION ALL SELECT s.created_at, 'safety', s.risk, s.next_review_on, s.id "
    "  FROM safety_assessments s WHERE s.case_id = ?1 "
    "UNION ALL SELECT k.requested_at, 'closure', CASE WHEN k.kind = 'close' AND "
    "  k.decided_at = k.requested_at THEN 'approved' ELSE k.kind END, k.status, k.id "
    "  FROM case_closures k "
    "  WHERE k.case_id = ?1 "
    "UNION ALL SELECT k.decided_at, 'closure', k.decision, k.status, k.id FROM case_closures k "
    "  WHERE k.case_id = ?1 AND k.kind = 'close' AND k.decided_at > k.requested_at "
    "UNION ALL SELECT d.at, 'disclosure', d.categories, o.name, coalesce(d.referral_id, 0) "
    "  FROM disclosures d JOIN organisations o ON o.id = d.recipient_id WHERE d.case_id = ?1 "
    /* Referrals across borders from the case: sent, where each stands, documents exchanged. */
    "UNION ALL SELECT t.created_at, 'abroad', 'sent', p.name, t.id FROM trm_referrals t "
    "  JOIN trm_peers p ON p.id = t.peer_id WHERE t.case_id = ?1 "
    "UNION ALL SELECT t.updated_at, 'abroad', t.state, p.name, t.id FROM trm_referrals t "
    "  JOIN trm_peers p ON p.id = t.peer_id WHERE t.case_id = ?1 AND t.state <> 'sent' "
    "UNION ALL SELECT d.created_at, 'abroad', d.type, p.name, t.id FROM trm_documents d "
    "  JOIN trm_referrals t ON t.id = d.referral_id JOIN trm_peers p ON p.id = t.peer_id "
    "  WHERE t.case_id = ?1";
static const char SQL_TAIL[] = ") AS events ORDER BY at, kind LIMIT 2000";
/* clang-format on */

/* The statement above with one part per section of the social file (never the proceedings,
 * which a social reader may not see), built once: statements are cached by address. */
static char SQL_TIMELINE[8192];
static pthread_once_t SQL_ONCE = PTHREAD_ONCE_INIT;

static void build(void)
{
	size_t n = (size_t)snprintf(SQL_TIMELINE, sizeof(SQL_TIMELINE), "%s", SQL_HEAD);
	for (size_t i = 0; i < section_count() && n < sizeof(SQL_TIMELINE); i++) {
		const section_def *d = section_at(i);
		if (strcmp(d->tier, "file") != 0)
			continue;
		n += (size_t)snprintf(
		    SQL_TIMELINE + n, sizeof(SQL_TIMELINE) - n,
		    " UNION ALL SELECT coalesce(nullif(%s, ''), created_at), '%s', "
		    "%s, '', id FROM %s WHERE case_id = ?1",
		    d->order_by ? d->order_by : "created_at", d->name,
		    d->summary ? d->summary : "''", d->table);
	}
	if (n < sizeof(SQL_TIMELINE))
		snprintf(SQL_TIMELINE + n, sizeof(SQL_TIMELINE) - n, "%s", SQL_TAIL);
}

int timeline_of_case(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		     timeline_fn fn, void *ctx)
{
	case_record c;
	int rc = case_get(env, a, p, case_id, &c); /* the scope, and the audit of the read */
	store_conn *conn;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &conn)))
		rc = pthread_once(&SQL_ONCE, build) ? PONTE_ENOMEM
						    : store_prepare(conn, SQL_TIMELINE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		timeline_event e = {
			.at = store_col_dup(a, st, 0),
			.kind = store_col_dup(a, st, 1),
			.code = store_col_dup(a, st, 2),
			.detail = store_col_dup(a, st, 3),
			.ref = store_col_int64(st, 4),
		};
		if ((rc = fn(&e, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
