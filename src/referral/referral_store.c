/* The SQL of the referral module. */
#include "referral/sql.h"

/* clang-format off */

#define SERVICE_COLUMNS \
	"s.id, s.organisation_id, s.version, o.code, o.name, o.country, s.type, s.name, s.sexes, " \
	"s.exploitation, s.nationalities, s.languages, s.area, s.opening_hours, s.phone, s.email, " \
	"s.verified_on, s.min_age, s.max_age, coalesce(s.capacity, -1), coalesce(s.capacity_free, -1)"
const char SQL_SERVICE_INSERT[] =
    "INSERT INTO services(organisation_id, type, name, min_age, max_age, sexes, exploitation, "
    "nationalities, languages, area, opening_hours, phone, email, capacity, capacity_free, "
    "verified_on, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, substr(?16, 1, 10), ?16, ?16)";
const char SQL_SERVICE_GET[] =
    "SELECT " SERVICE_COLUMNS " FROM services s JOIN organisations o ON o.id = s.organisation_id "
    "WHERE s.id = ?1";
/* ?1 type ?2 country ?3 age ?4 sex ?5 exploitation ?6 nationality ?7 language ?8 with room */
const char SQL_SERVICE_LIST[] =
    "SELECT " SERVICE_COLUMNS " FROM services s JOIN organisations o ON o.id = s.organisation_id "
    "WHERE (CAST(?1 AS TEXT) IS NULL OR s.type = ?1) AND (CAST(?2 AS TEXT) IS NULL OR o.country = ?2) "
    "AND (CAST(?3 AS BIGINT) IS NULL OR ?3 BETWEEN s.min_age AND s.max_age) "
    /* A code in a comma-separated list: replace() finds it in both dialects (instr is
     * SQLite's, strpos PostgreSQL's). */
    "AND (CAST(?4 AS TEXT) IS NULL OR s.sexes = '' OR replace(',' || s.sexes || ',', ',' || ?4 || ',', '') <> ',' || s.sexes || ',') "
    "AND (CAST(?5 AS TEXT) IS NULL OR s.exploitation = '' OR replace(',' || s.exploitation || ',', ',' || ?5 || ',', '') <> ',' || s.exploitation || ',') "
    "AND (CAST(?6 AS TEXT) IS NULL OR s.nationalities = '' OR replace(',' || s.nationalities || ',', ',' || ?6 || ',', '') <> ',' || s.nationalities || ',') "
    "AND (CAST(?7 AS TEXT) IS NULL OR replace(',' || s.languages || ',', ',' || ?7 || ',', '') <> ',' || s.languages || ',') "
    "AND (?8 = 0 OR s.capacity_free IS NULL OR s.capacity_free > 0) "
    "ORDER BY s.id LIMIT 500";
/* ?1 service ?2 capacity ?3 free ?4 now ?5 the version counted from */
const char SQL_SERVICE_PLACES[] =
    "UPDATE services SET capacity = ?2, capacity_free = ?3, verified_on = substr(?4, 1, 10), "
    "updated_at = ?4, version = version + 1 WHERE id = ?1 AND version = ?5";

#define CONSENT_COLUMNS \
	"c.id, c.case_id, coalesce(c.recipient_id, 0), c.purpose, coalesce(o.code, ''), " \
	"c.categories, c.legal_basis, c.language, c.text_version, c.given_by, c.given_on, " \
	"coalesce(c.withdrawn_on, ''), coalesce(o.name, '')"
const char SQL_CONSENT_INSERT[] =
    "INSERT INTO consents(case_id, purpose, recipient_id, categories, legal_basis, language, "
    "text_version, given_by, given_on, recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11)";
const char SQL_CONSENT_GET[] =
    "SELECT " CONSENT_COLUMNS " FROM consents c LEFT JOIN organisations o ON o.id = c.recipient_id "
    "WHERE c.id = ?1";
const char SQL_CONSENT_LIST[] =
    "SELECT " CONSENT_COLUMNS " FROM consents c LEFT JOIN organisations o ON o.id = c.recipient_id "
    "WHERE c.case_id = ?1 ORDER BY c.id DESC";
/* ?1 consent ?2 case ?3 purpose ?4 recipient (0: any) */
const char SQL_CONSENT_COVERING[] =
    "SELECT categories, legal_basis FROM consents WHERE id = ?1 AND case_id = ?2 AND "
    "purpose = ?3 AND coalesce(withdrawn_on, '') = '' AND "
    "(?4 = 0 OR coalesce(recipient_id, 0) IN (0, ?4))";
const char SQL_CONSENT_WITHDRAW[] =
    "UPDATE consents SET withdrawn_on = ?2 WHERE id = ?1 AND withdrawn_on IS NULL";
const char SQL_CONSENT_OPEN_REFERRALS[] =
    "SELECT id, state FROM referrals WHERE consent_id = ?1 "
    "AND state IN ('draft', 'sent', 'accepted', 'in_service')";

#define REFERRAL_COLUMNS \
	"r.id, r.case_id, r.from_id, r.to_id, coalesce(r.service_id, 0), coalesce(r.consent_id, 0), " \
	"r.version, f.code, f.name, t.code, t.name, coalesce(s.name, ''), coalesce(s.type, ''), " \
	"r.state, r.categories, r.legal_basis, r.urgency, r.reason_code, r.outcome, " \
	"coalesce(r.due_at, ''), r.created_at, r.updated_at, f.country, t.country"
#define REFERRAL_FROM \
	" FROM referrals r JOIN organisations f ON f.id = r.from_id " \
	"JOIN organisations t ON t.id = r.to_id LEFT JOIN services s ON s.id = r.service_id "
const char SQL_REFERRAL_INSERT[] =
    "INSERT INTO referrals(case_id, from_id, to_id, service_id, categories, consent_id, "
    "legal_basis, urgency, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?10)";
const char SQL_REFERRAL_GET[] = "SELECT " REFERRAL_COLUMNS REFERRAL_FROM "WHERE r.id = ?1";
/* Compare-and-set: only from the state the action was checked against. */
const char SQL_REFERRAL_SET_STATE[] =
    "UPDATE referrals SET state = ?3, reason_code = CASE WHEN ?4 <> '' AND ?3 IN ('declined', 'withdrawn', "
    "'discontinued') THEN ?4 ELSE reason_code END, outcome = CASE WHEN ?3 = 'completed' THEN ?4 "
    "ELSE outcome END, due_at = coalesce(?5, due_at), version = version + 1, updated_at = ?6 "
    "WHERE id = ?1 AND state = ?2";
const char SQL_REFERRAL_EVENT[] =
    "INSERT INTO referral_events(referral_id, action, from_state, to_state, code, note_enc, "
    "user_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const char SQL_REFERRAL_EVENT_NOTE[] =
    "UPDATE referral_events SET note_enc = ?2 WHERE id = ?1";
const char SQL_REFERRAL_EVENTS[] =
    "SELECT e.id, e.action, e.from_state, e.to_state, e.code, e.note_enc, e.at "
    "FROM referral_events e WHERE e.referral_id = ?1 ORDER BY e.id";
const char SQL_REFERRAL_LIST_IN[] =
    "SELECT " REFERRAL_COLUMNS REFERRAL_FROM "WHERE r.to_id = ?1 AND r.state <> 'draft' "
    "ORDER BY r.updated_at DESC LIMIT 500";
const char SQL_REFERRAL_LIST_OUT[] =
    "SELECT " REFERRAL_COLUMNS REFERRAL_FROM "WHERE r.from_id = ?1 ORDER BY r.updated_at DESC "
    "LIMIT 500";
const char SQL_REFERRAL_LIST_OVERDUE[] =
    "SELECT " REFERRAL_COLUMNS REFERRAL_FROM "WHERE r.state = 'sent' AND r.due_at < ?2 "
    "AND f.country = ?1 ORDER BY r.due_at LIMIT 500";
const char SQL_REFERRAL_LIST_CASE[] =
    "SELECT " REFERRAL_COLUMNS REFERRAL_FROM "WHERE r.case_id = ?1 ORDER BY r.id DESC";

const char SQL_DISCLOSURE_INSERT[] =
    "INSERT INTO disclosures(case_id, recipient_id, categories, basis, consent_id, referral_id, "
    "disclosed_by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const char SQL_DISCLOSURE_LIST[] =
    "SELECT d.id, coalesce(d.referral_id, 0), coalesce(d.consent_id, 0), o.code, o.name, "
    "d.categories, d.basis, d.at FROM disclosures d JOIN organisations o ON o.id = d.recipient_id "
    "WHERE d.case_id = ?1 ORDER BY d.id";

const char SQL_DELIVERY_INSERT[] =
    "INSERT INTO referral_deliveries(referral_id, delivered_on, type, recorded_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
const char SQL_DELIVERY_NOTE[] = "UPDATE referral_deliveries SET note_enc = ?2 WHERE id = ?1";
const char SQL_DELIVERY_LIST[] =
    "SELECT id, referral_id, delivered_on, type, note_enc, created_at FROM referral_deliveries "
    "WHERE referral_id = ?1 ORDER BY delivered_on, id";
/* The referral as the form read it, still open to deliveries: a row, or none. */
const char SQL_REFERRAL_VERSION[] =
    "SELECT 1 FROM referrals WHERE id = ?1 AND version = ?2 "
    "AND state IN ('accepted', 'in_service')";
/* clang-format on */
