/* What an accepted envelope does, by type, inside the inbox's transaction. */
#include "base/clock.h"
#include "base/json_parse.h"
#include "base/utf8.h"
#include "identity/fields.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_IN[] =
    "INSERT INTO trm_referrals(direction, peer_id, offer_id, state, legal_basis, created_at, "
    "updated_at) VALUES ('in', ?1, ?2, 'delivered', ?3, ?4, ?4)";
static const char SQL_PAYLOAD[] = "UPDATE trm_referrals SET payload_enc = ?2 WHERE id = ?1";
/* An answer moves an offer this instance sent to that peer, in the order of the states. */
static const char SQL_ANSWER[] =
    "UPDATE trm_referrals SET state = ?3, reason = ?4, updated_at = ?5 WHERE offer_id = ?1 "
    "AND peer_id = ?2 AND direction = 'out' AND (state IN ('sent', 'delivered') OR "
    "(?3 = 'declined' AND state = 'forwarded')) AND (?3 <> 'delivered' OR state = 'sent')";
/* Status updates after acceptance, forward only. */
static const char SQL_STATUS[] =
    "UPDATE trm_referrals SET state = ?3, reason = ?4, updated_at = ?5 WHERE offer_id = ?1 "
    "AND peer_id = ?2 AND direction = 'out' AND ((?3 = 'in_service' AND state = 'accepted') OR "
    "(?3 = 'forwarded' AND state IN ('sent', 'delivered', 'accepted')) OR "
    "(?3 IN ('completed', 'discontinued') AND state IN ('accepted', 'in_service', "
    "'forwarded')))";
static const char SQL_PURGE[] =
    "UPDATE trm_referrals SET payload_enc = NULL, state = 'withdrawn', updated_at = ?3 "
    "WHERE offer_id = ?1 AND peer_id = ?2 AND direction = 'in' RETURNING id";
/* clang-format on */

#define REPLY_TTL_S TRM_MESSAGE_TTL_S

static int reply(const identity_env *env, store_conn *c, const trm_peer *peer,
		 const trm_envelope *e, const char *type, int64_t now_ms)
{
	char id[CRYPTO_UUID];
	return trm_send(env, c, peer->id, type, e->id, "{}", REPLY_TTL_S, now_ms, id);
}

/* An offer received: its payload checked and written back member by member, kept encrypted. */
static int offer(const identity_env *env, store_conn *c, const trm_peer *peer,
		 const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	buf plain;
	buf_init(&plain, TRM_MAX_BODY);
	char basis[32] = ""; /* kept beside the payload, in clear: a code */
	int rc = trm_offer_check(env->db, e->payload, e->payload_len, &plain, basis, field, why);
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int64_t id = 0;
	if (!rc && !(rc = store_prepare(c, SQL_IN, &st))) {
		store_bind_int64(st, 1, peer->id);
		store_bind_text(st, 2, e->id, strlen(e->id));
		store_bind_text(st, 3, basis, strlen(basis));
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		id = store_last_insert_id(c);
	}
	/* The minimised case data, encrypted at rest like any personal field. */
	buf enc;
	buf_init(&enc, TRM_MAX_BODY + 4096);
	if (!rc && !(rc = field_encrypt(env, "trm_referrals", "payload", id, plain.data, &enc)) &&
	    !(rc = store_prepare(c, SQL_PAYLOAD, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_blob(st, 2, enc.data, enc.len);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (plain.data)
		crypto_wipe(plain.data, plain.len);
	buf_release(&plain);
	buf_release(&enc);
	return rc ? rc : reply(env, c, peer, e, "delivered", now_ms);
}

/* A hop this instance sent moved: follow it upstream when it was forwarded from here. */
static int changed(const identity_env *env, store_conn *c, const trm_peer *peer,
		   const trm_envelope *e, int64_t now_ms)
{
	trm_row out;
	int rc = trm_row_by_offer(c, e->in_reply_to, peer->id, &out);
	if (rc == PONTE_ENOTFOUND || (!rc && strcmp(out.direction, "out") != 0))
		return 0;
	return rc ? rc : trm_chain_changed(env, c, &out, now_ms);
}

static int answer(store_conn *c, const trm_peer *peer, const trm_envelope *e, const char *state,
		  int64_t now_ms, const char **why, const char **field)
{
	arena a;
	arena_init(&a, 1u << 16);
	json_value *v;
	char err[128], now[CLOCK_RFC3339_LEN];
	const char *reason = "";
	if (!json_parse(&a, e->payload, e->payload_len, &v, err, sizeof(err)) &&
	    v->type == JSON_OBJECT && json_get_string(v, "reason"))
		reason = json_get_string(v, "reason");
	/* A decline's reason is a code; a peer's word this instance does not know reads "other". */
	if (strcmp(state, "declined") == 0 && !trm_decline_reason_valid(reason))
		reason = "other";
	if (!trm_text_valid(reason, 100)) {
		arena_release(&a);
		*field = "reason";
		*why = "a reason is at most 100 characters of text";
		return PONTE_EINVAL;
	}
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int rc = store_prepare(c, SQL_ANSWER, &st);
	if (!rc) {
		store_bind_text(st, 1, e->in_reply_to, strlen(e->in_reply_to));
		store_bind_int64(st, 2, peer->id);
		store_bind_text(st, 3, state, strlen(state));
		store_bind_text(st, 4, reason, strlen(reason));
		store_bind_text(st, 5, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0; /* an answer to something unknown or later changes nothing */
	}
	arena_release(&a);
	return rc;
}

static int status_update(store_conn *c, const trm_peer *peer, const trm_envelope *e, int64_t now_ms,
			 const char **why, const char **field)
{
	arena a;
	arena_init(&a, 1u << 16);
	json_value *v;
	char err[128], now[CLOCK_RFC3339_LEN];
	const char *state = NULL, *feedback = "";
	if (!json_parse(&a, e->payload, e->payload_len, &v, err, sizeof(err)) &&
	    v->type == JSON_OBJECT) {
		state = json_get_string(v, "state");
		if (json_get_string(v, "feedback"))
			feedback = json_get_string(v, "feedback");
	}
	if (!state || (strcmp(state, "in_service") != 0 && strcmp(state, "completed") != 0 &&
		       strcmp(state, "discontinued") != 0 && strcmp(state, "forwarded") != 0)) {
		arena_release(&a);
		*why = "a status update is forwarded, in_service, completed or discontinued";
		return PONTE_EINVAL;
	}
	/* Feedback is kept as the receiving side typed it, with the rule it was typed under:
	 * nothing is cut. */
	if (!trm_text_valid(feedback, TRM_FEEDBACK_MAX)) {
		arena_release(&a);
		*field = "feedback";
		*why = "feedback is at most 500 characters of text";
		return PONTE_EINVAL;
	}
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int rc = store_prepare(c, SQL_STATUS, &st);
	if (!rc) {
		store_bind_text(st, 1, e->in_reply_to, strlen(e->in_reply_to));
		store_bind_int64(st, 2, peer->id);
		store_bind_text(st, 3, state, strlen(state));
		store_bind_text(st, 4, feedback, strlen(feedback));
		store_bind_text(st, 5, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	arena_release(&a);
	return rc;
}

static int withdrawal(const identity_env *env, store_conn *c, const trm_peer *peer,
		      const trm_envelope *e, int64_t now_ms)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int64_t id = 0;
	int rc = store_prepare(c, SQL_PURGE, &st);
	if (!rc) {
		store_bind_text(st, 1, e->in_reply_to, strlen(e->in_reply_to));
		store_bind_int64(st, 2, peer->id);
		store_bind_text(st, 3, now, strlen(now));
		rc = store_step(st);
		id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	/* Its documents go with it, and so does every copy forwarded from here. */
	if (!rc && id && !(rc = trm_documents_purge(c, id)))
		rc = trm_chain_withdraw(env, c, id, now_ms);
	/* The sender is told the payload is gone, and how the route beyond stands now (hops
	 * withdrawn, the provider's service ended), as after any other change. */
	if (!rc)
		rc = reply(env, c, peer, e, "purged", now_ms);
	return rc || !id ? rc : trm_chain_report(env, c, id, now_ms);
}

int trm_apply(const identity_env *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
	      int64_t now_ms, const char **why, const char **field)
{
	*why = NULL;
	*field = NULL;
	if (strcmp(e->type, "referral_offer") == 0)
		return offer(env, c, peer, e, now_ms, why, field);
	int rc;
	if (strcmp(e->type, "delivered") == 0 || strcmp(e->type, "accepted") == 0 ||
	    strcmp(e->type, "declined") == 0)
		return (rc = answer(c, peer, e, e->type, now_ms, why, field))
			   ? rc
			   : changed(env, c, peer, e, now_ms);
	if (strcmp(e->type, "status_update") == 0)
		return (rc = status_update(c, peer, e, now_ms, why, field))
			   ? rc
			   : changed(env, c, peer, e, now_ms);
	if (strcmp(e->type, "chain") == 0)
		return trm_chain_apply(env, c, peer, e, now_ms, why);
	if (trm_document_type(e->type))
		return trm_document_apply(env, c, peer, e, now_ms, why, field);
	if (strcmp(e->type, "key_rotation") == 0)
		return trm_key_rotation_apply(c, peer, e, now_ms, why);
	if (strcmp(e->type, "withdrawal") == 0)
		return withdrawal(env, c, peer, e, now_ms);
	if (strcmp(e->type, "purged") == 0)
		return 0; /* recorded in the inbox: the sender's proof the payload is gone */
	*why = "a message type this instance does not take";
	return PONTE_EINVAL;
}
