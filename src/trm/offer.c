/* Referrals across borders as this instance's users make them: an offer from a case carrying
 * only the categories its consent covers, the answer to an offer received, the withdrawal. */
#include "base/clock.h"
#include "base/json.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "referral/referral.h"
#include "trm/internal.h"

#define OFFER_TTL_S TRM_MESSAGE_TTL_S

/* clang-format off */
static const char SQL_OUT[] =
    "INSERT INTO trm_referrals(direction, peer_id, offer_id, case_id, state, legal_basis, "
    "created_at, updated_at, consent_id) VALUES ('out', ?1, ?2, ?3, 'sent', ?4, ?5, ?5, ?6)";
/* The offers a consent covers and that are not withdrawn yet: made under it, or (made before
 * offers remembered their consent) of its case. */
static const char SQL_UNDER_CONSENT[] =
    "SELECT id FROM trm_referrals WHERE direction = 'out' AND case_id = ?2 AND "
    "state <> 'withdrawn' AND (consent_id = ?1 OR consent_id IS NULL) ORDER BY id LIMIT 64";
/* clang-format on */

/* The case in the caller's scope and what the consent lets leave: the payload of an offer. */
static int prepare(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		   int64_t consent_id, buf *body, char basis[32], const char **why)
{
	case_record c;
	child_record k;
	int rc = child_get(env, a, p, case_id, &c, &k);
	const char *categories = "", *consented = "";
	if (!rc) {
		rc = consent_covering(env->db, a, consent_id, case_id, "transnational_referral", 0,
				      &categories, &consented);
		snprintf(basis, 32, "%s", consented);
		if (rc == PONTE_ENOTFOUND || (!rc && !*categories)) {
			*why = N_("A referral across borders needs a consent of this case for a "
				  "transnational referral that has not been withdrawn.");
			rc = PONTE_EINVAL;
		}
	}
	return rc ? rc
		  : trm_payload_write(&c, case_treated_as_child(&c, &k), categories, basis,
				      consent_id, body);
}

int trm_offer_preview(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		      int64_t consent_id, const char **json, const char **why)
{
	*why = NULL;
	if (!principal_can(p, "referral.transnational"))
		return PONTE_EDENIED;
	buf body;
	buf_init(&body, TRM_MAX_BODY / 2);
	char basis[32] = "";
	int rc = prepare(env, a, p, case_id, consent_id, &body, basis, why);
	if (!rc)
		*json = arena_strdup(a, body.data);
	buf_release(&body);
	return rc;
}

int trm_offer(const keyed_store *env, const principal *p, int64_t case_id,
	      const char *peer_instance, int64_t consent_id, int64_t now_ms, int64_t *ref_id,
	      const char **why)
{
	*why = NULL;
	if (!principal_can(p, "referral.transnational"))
		return PONTE_EDENIED;
	arena a;
	arena_init(&a, 1u << 20);
	trm_peer peer;
	int rc = trm_peer_find(env->db, &a, peer_instance ? peer_instance : "", &peer);
	/* *why is a msgid: the pages and the API say it in the caller's language. */
	if (rc == PONTE_ENOTFOUND)
		*why = N_("Choose a connected instance.");
	if (!rc && strcmp(peer.state, "active") != 0) {
		*why = N_("This instance is no longer connected.");
		rc = PONTE_EINVAL;
	}
	buf body;
	buf_init(&body, TRM_MAX_BODY / 2);
	char basis[32] = "";
	if (!rc)
		rc = prepare(env, &a, p, case_id, consent_id, &body, basis, why);
	store_conn *conn = NULL;
	store_stmt *st;
	bool begun = !rc && !(rc = store_conn_get(env->db, &conn)) && !(rc = store_begin(conn));
	char message[CRYPTO_UUID];
	if (!rc)
		rc = trm_send(env, conn, peer.id, "referral_offer", "", body.data, OFFER_TTL_S,
			      now_ms, message);
	if (!rc && !(rc = store_prepare(conn, SQL_OUT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(now_ms, now);
		store_bind_int64(st, 1, peer.id);
		store_bind_text(st, 2, message, strlen(message));
		store_bind_int64(st, 3, case_id);
		store_bind_text(st, 4, basis, strlen(basis));
		store_bind_text(st, 5, now, strlen(now));
		store_bind_int64(st, 6, consent_id);
		rc = store_run(st);
		*ref_id = store_last_insert_id(conn);
	}
	if (!rc)
		rc = principal_audit(env->db, p, "trm.offer", "case", case_id, "success", true);
	rc = trm_change_end(conn, begun, rc);
	crypto_wipe(body.data, body.len);
	buf_release(&body);
	arena_release(&a);
	return rc;
}

/* Move a referral from one state to the next and tell the peer, inside the caller's
 * transaction (c); a received offer also reports its route to the instance before (who may
 * have forwarded it). The caller has checked who may. */
static int move_in(const keyed_store *env, store_conn *c, const principal *p, int64_t ref_id,
		   const char *direction, const char *from_state, const char *to_state,
		   const char *type, const char *reason, int64_t now_ms)
{
	trm_row r;
	int rc = trm_row_get(c, ref_id, &r);
	if (!rc && strcmp(r.direction, direction) != 0)
		rc = PONTE_ENOTFOUND;
	if (!rc && strcmp(r.state, from_state) != 0 &&
	    !(strcmp(from_state, "delivered") == 0 && strcmp(r.state, "sent") == 0 &&
	      strcmp(direction, "out") == 0))
		rc = PONTE_ECONFLICT;
	if (!rc)
		rc = trm_row_move(c, ref_id, r.state, to_state, reason, now_ms);
	buf body;
	buf_init(&body, 1024);
	char message[CRYPTO_UUID];
	bool update = strcmp(type, "status_update") == 0;
	if (!rc && !(rc = buf_puts(&body, "{")) &&
	    !(rc = update ? json_field_str(&body, true, "state", to_state)
			  : json_field_str(&body, true, "reason", reason)) &&
	    !(rc = update ? json_field_str(&body, false, "feedback", reason) : 0) &&
	    !(rc = buf_putc(&body, '}')))
		rc = trm_send(env, c, r.peer_id, type, r.offer_id, body.data, OFFER_TTL_S, now_ms,
			      message);
	buf_release(&body);
	if (!rc && strcmp(direction, "in") == 0)
		rc = trm_chain_report(env, c, ref_id, now_ms);
	if (!rc)
		rc = principal_audit(env->db, p, type, "trm_referral", ref_id, "success", true);
	return rc;
}

/* move_in() in a transaction of its own. */
static int move(const keyed_store *env, const principal *p, int64_t ref_id, const char *direction,
		const char *from_state, const char *to_state, const char *type, const char *reason,
		int64_t now_ms)
{
	store_conn *c;
	int rc = store_begin_on(env->db, &c);
	bool begun = !rc;
	if (!rc)
		rc = move_in(env, c, p, ref_id, direction, from_state, to_state, type, reason,
			     now_ms);
	rc = trm_change_end(c, begun, rc);
	return rc;
}

bool trm_decline_reason_valid(const char *code)
{
	size_t n;
	const char *const *codes = referral_codes("decline", &n);
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(codes[i], code) == 0)
			return true;
	return false;
}

int trm_answer(const keyed_store *env, const principal *p, int64_t ref_id, bool accept,
	       const char *reason, int64_t now_ms)
{
	if (!trm_receives(env->db, p))
		return PONTE_EDENIED; /* the inbound role answers, whoever holds it */
	/* A decline says why with a code (the national mechanism's), read in any language. */
	if (!accept && !trm_decline_reason_valid(reason))
		return PONTE_EINVAL;
	int rc = move(env, p, ref_id, "in", "delivered", accept ? "accepted" : "declined",
		      accept ? "accepted" : "declined", reason ? reason : "", now_ms);
	/* A forwarded offer that nobody further on takes may still be declined. */
	if (rc == PONTE_ECONFLICT && !accept)
		rc = move(env, p, ref_id, "in", "forwarded", "declined", "declined",
			  reason ? reason : "", now_ms);
	return rc;
}

int trm_update(const keyed_store *env, const principal *p, int64_t ref_id, const char *state,
	       const char *feedback, int64_t now_ms)
{
	/* The inbound role, or the provider organisation that accepted the referral. */
	if (!trm_receives(env->db, p) && !trm_provider_serves(env->db, p, ref_id))
		return PONTE_EDENIED;
	if (!state || (strcmp(state, "in_service") != 0 && strcmp(state, "completed") != 0 &&
		       strcmp(state, "discontinued") != 0))
		return PONTE_EINVAL;
	if (feedback && !trm_text_valid(feedback, TRM_FEEDBACK_MAX))
		return PONTE_EINVAL; /* the peer would refuse it */
	/* The payload says the new state; move() tells the peer with the reason as feedback. */
	const char *from = strcmp(state, "in_service") == 0 ? "accepted" : "in_service";
	int rc = move(env, p, ref_id, "in", from, state, "status_update", feedback ? feedback : "",
		      now_ms);
	if (rc == PONTE_ECONFLICT && strcmp(state, "discontinued") == 0)
		rc = move(env, p, ref_id, "in", "accepted", state, "status_update",
			  feedback ? feedback : "", now_ms);
	return rc;
}

/* Withdraw an offer sent inside the caller's transaction: whatever it became, the consent
 * covered it, so the recipient must purge it. */
static int withdraw_in(const keyed_store *env, store_conn *c, const principal *p, int64_t ref_id,
		       int64_t now_ms)
{
	trm_row r;
	int rc = trm_row_get(c, ref_id, &r);
	if (!rc && (strcmp(r.direction, "out") != 0 || !r.case_id))
		rc = PONTE_ENOTFOUND;
	if (!rc && strcmp(r.state, "withdrawn") == 0)
		rc = PONTE_ECONFLICT;
	/* An offer still waiting for its peer (down, say) never leaves; the withdrawal follows
	 * it all the same, in case it was leaving at this very moment. */
	if (!rc)
		rc = trm_outbox_cancel(c, r.peer_id, r.offer_id);
	return rc ? rc
		  : move_in(env, c, p, ref_id, "out", r.state, "withdrawn", "withdrawal",
			    "consent withdrawn", now_ms);
}

int trm_withdraw(const keyed_store *env, const principal *p, int64_t ref_id, int64_t now_ms)
{
	if (!principal_can(p, "referral.transnational"))
		return PONTE_EDENIED;
	/* The case of the offer must be in the caller's scope. */
	store_conn *c;
	trm_row r;
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = trm_row_get(c, ref_id, &r)) && (strcmp(r.direction, "out") || !r.case_id))
		rc = PONTE_ENOTFOUND;
	arena a;
	arena_init(&a, 1u << 16);
	case_record cr;
	if (!rc)
		rc = case_get(env, &a, p, r.case_id, &cr);
	arena_release(&a);
	bool begun = !rc && !(rc = store_begin(c));
	if (!rc)
		rc = withdraw_in(env, c, p, ref_id, now_ms);
	rc = trm_change_end(c, begun, rc);
	return rc;
}

int trm_consent_withdraw(const keyed_store *env, const principal *p, int64_t consent_id,
			 int64_t now_ms, size_t *national, size_t *abroad)
{
	*national = *abroad = 0;
	store_conn *c;
	store_stmt *st;
	arena a;
	arena_init(&a, 1u << 16);
	consent x;
	int rc = store_begin_on(env->db, &c);
	bool begun = !rc;
	if (!rc)
		rc = consent_withdraw_in(env, c, &a, p, consent_id, &x, national);
	/* Only a consent for transnational referral covers offers across borders. The one who
	 * records the withdrawal need not refer abroad themselves: the consent decides. */
	bool covers = !rc && strcmp(x.purpose, "transnational_referral") == 0;
	size_t n = 0, batch = covers;
	/* In batches: each one withdrawn leaves the query, until none is left. */
	while (!rc && batch) {
		int64_t ids[64];
		batch = 0;
		if (!(rc = store_prepare(c, SQL_UNDER_CONSENT, &st))) {
			store_bind_int64(st, 1, consent_id);
			store_bind_int64(st, 2, x.case_id);
			while (batch < ARRAY_LEN(ids) && (rc = store_step(st)) == STORE_ROW)
				ids[batch++] = store_col_int64(st, 0);
			store_reset(st);
			rc = rc < 0 ? rc : 0;
		}
		for (size_t i = 0; !rc && i < batch; i++)
			rc = withdraw_in(env, c, p, ids[i], now_ms);
		n += batch;
	}
	if (begun && !rc)
		rc = store_commit(c);
	if (begun && rc)
		store_rollback(c);
	if (rc)
		*national = 0;
	else {
		*abroad = n;
		if (n)
			trm_sender_poke();
	}
	arena_release(&a);
	return rc;
}
