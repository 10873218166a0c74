/* What an accepted envelope does, by type, inside the inbox's transaction: one table of the
 * message types (TYPES, below), each with its handler, what it checks and who may send it. */
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

static int reply(const keyed_store *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
		 const char *type, int64_t now_ms)
{
	char id[CRYPTO_UUID];
	return trm_send(env, c, peer->id, type, e->id, "{}", REPLY_TTL_S, now_ms, id);
}

/* An offer received: its payload checked and written back member by member, kept encrypted. */
static int offer(const keyed_store *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
		 int64_t now_ms, const char **why, const char **field)
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
		rc = store_run(st);
		id = store_last_insert_id(c);
	}
	/* The minimised case data, encrypted at rest like any personal field. */
	if (!rc)
		rc = field_encrypt_row(env, c, SQL_PAYLOAD, "trm_referrals", "payload", id,
				       plain.data, TRM_MAX_BODY + 4096);
	if (plain.data)
		crypto_wipe(plain.data, plain.len);
	buf_release(&plain);
	return rc ? rc : reply(env, c, peer, e, "delivered", now_ms);
}

/* A hop this instance sent moved: follow it upstream when it was forwarded from here. */
static int changed(const keyed_store *env, store_conn *c, const trm_peer *peer,
		   const trm_envelope *e, int64_t now_ms)
{
	trm_row out;
	int rc = trm_row_by_offer(c, e->in_reply_to, peer->id, &out);
	if (rc == PONTE_ENOTFOUND || (!rc && strcmp(out.direction, "out") != 0))
		return 0;
	return rc ? rc : trm_chain_changed(env, c, &out, now_ms);
}

/* delivered, accepted, declined: the state is the type. */
static int answer(const keyed_store *env, store_conn *c, const trm_peer *peer,
		  const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	(void)env;
	const char *state = e->type;
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

/* What a status update may say; SQL_STATUS moves each only forward. */
#define STATUS_STATES "forwarded,in_service,completed,discontinued"

static int status_update(const keyed_store *env, store_conn *c, const trm_peer *peer,
			 const trm_envelope *e, int64_t now_ms, const char **why,
			 const char **field)
{
	(void)env;
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
	if (!state || !trm_listed(STATUS_STATES, state)) {
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
		rc = store_run(st);
	}
	arena_release(&a);
	return rc;
}

static int withdrawal(const keyed_store *env, store_conn *c, const trm_peer *peer,
		      const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	(void)why;
	(void)field;
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

static int chain(const keyed_store *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
		 int64_t now_ms, const char **why, const char **field)
{
	(void)field;
	return trm_chain_apply(env, c, peer, e, now_ms, why);
}

static int key_rotation(const keyed_store *env, store_conn *c, const trm_peer *peer,
			const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	(void)env;
	(void)field;
	return trm_key_rotation_apply(c, peer, e, now_ms, why);
}

/* Recorded in the inbox, nothing more: the sender's proof the payload is gone. */
static int purged(const keyed_store *env, store_conn *c, const trm_peer *peer,
		  const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	(void)env;
	(void)c;
	(void)peer;
	(void)e;
	(void)now_ms;
	(void)why;
	(void)field;
	return 0;
}

/* Checks the payload (*why, and *field naming a member, on PONTE_EINVAL), then applies it. */
typedef int (*apply_fn)(const keyed_store *env, store_conn *c, const trm_peer *peer,
			const trm_envelope *e, int64_t now_ms, const char **why,
			const char **field);

/* Every message type this instance takes (documents on a referral are the other ones: their
 * descriptors are in documents.c). Who may send a type is enforced by its handler: a message
 * about a referral names it by in_reply_to, and only the peer on the other side of that
 * referral moves it (anything else changes nothing). */
static const struct trm_type {
	const char *type;
	apply_fn apply;
	bool upstream; /* a hop this instance sent moved: follow it where it came from */
	const char *sender;
} TYPES[] = {
	/* the payload checked member by member (trm_offer_check), kept encrypted; answered
	 * "delivered" */
	{ "referral_offer", offer, false, "any connected peer" },
	/* a reason (a decline's, a code), at most 100 characters; the states only move on */
	{ "delivered", answer, true, "the peer an offer was sent to" },
	{ "accepted", answer, true, "the peer an offer was sent to" },
	{ "declined", answer, true, "the peer an offer was sent to" },
	/* state forwarded, in_service, completed or discontinued; feedback at most 500 */
	{ "status_update", status_update, true, "the peer an offer was sent to" },
	/* the hops beyond a hop sent from here (chain.c) */
	{ "chain", chain, false, "the peer an offer was sent to" },
	/* the peer's new keys, signed by its current ones (keys.c) */
	{ "key_rotation", key_rotation, false, "any connected peer, of its own keys" },
	/* the offer and its documents gone, and every copy forwarded from here */
	{ "withdrawal", withdrawal, false, "the peer an offer came from" },
	{ "purged", purged, false, "the peer a withdrawal was sent to" },
};

int trm_apply(const keyed_store *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
	      int64_t now_ms, const char **why, const char **field)
{
	*why = NULL;
	*field = NULL;
	for (size_t i = 0; i < ARRAY_LEN(TYPES); i++) {
		if (strcmp(e->type, TYPES[i].type) != 0)
			continue;
		int rc = TYPES[i].apply(env, c, peer, e, now_ms, why, field);
		return rc || !TYPES[i].upstream ? rc : changed(env, c, peer, e, now_ms);
	}
	if (trm_document_type(e->type))
		return trm_document_apply(env, c, peer, e, now_ms, why, field);
	*why = "a message type this instance does not take";
	return PONTE_EINVAL;
}
