/* internal.h: shared inside the trm module only. */
#ifndef PONTE_TRM_INTERNAL_H
#define PONTE_TRM_INTERNAL_H

#include "cases/cases.h"
#include "trm/trm.h"

#define TRM_MESSAGE_TTL_S (14 * 24 * 3600) /* how long any message is tried, and lives */

/* A reason or feedback: text (tabs and line breaks allowed), at most max_chars characters
 * (rows.c). The same rule for what users type here and what peers send. */
#define TRM_FEEDBACK_MAX 500
bool trm_text_valid(const char *s, size_t max_chars);

/* Apply a checked envelope from peer inside the caller's transaction (c); PONTE_EINVAL with
 * *why for a type or payload this instance does not take, and *field when a member of the
 * payload fails the rules of local input (the inbox answers 422 then, 400 otherwise). */
int trm_apply(const keyed_store *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
	      int64_t now_ms, const char **why, const char **field);

/* The payload of an offer of the case c under a consent (payload.c): only the categories'
 * members, HTCDS names, codes as codes. */
int trm_payload_write(const case_record *c, bool child, const char *categories, const char *basis,
		      int64_t consent_id, buf *b);
/* trm_offer_normalise, with the legal basis it carries (a code) in basis_out. */
int trm_offer_check(store *db, const char *json, size_t n, buf *out, char basis_out[32],
		    const char **field, const char **why);

/* One referral row as the state machine needs it. */
typedef struct trm_row {
	int64_t id, peer_id, parent_id, provider_org, case_id;
	char direction[4], offer_id[CRYPTO_UUID], state[16], provider_state[12];
} trm_row;
/* By id, or by the offer id of a hop with that peer (PONTE_ENOTFOUND). */
int trm_row_get(store_conn *c, int64_t id, trm_row *r);
int trm_row_by_offer(store_conn *c, const char *offer_id, int64_t peer_id, trm_row *r);
/* Set the state of a row (and reason) if it is still from_state: PONTE_ECONFLICT otherwise. */
int trm_row_move(store_conn *c, int64_t id, const char *from_state, const char *to_state,
		 const char *reason, int64_t now_ms);

/* Has p's organisation accepted the received offer it was handed (forward.c)? Only then does
 * it follow the service and send documents. */
bool trm_provider_serves(store *db, const principal *p, int64_t ref_id);

/* Tell the instance an offer came from where it went next (chain.c): the hops beyond the
 * received offer in_id, as this instance knows them. No-op for a row that is not 'in'. */
int trm_chain_report(const keyed_store *env, store_conn *c, int64_t in_id, int64_t now_ms);
/* A hop this instance sent changed (answer, status, chain, documents): follow it upstream when
 * it was a forwarded offer (the parent's state for completion, the route, documents). */
int trm_chain_changed(const keyed_store *env, store_conn *c, const trm_row *out, int64_t now_ms);
/* Apply a chain report for the hop out (offer sent to peer). */
int trm_chain_apply(const keyed_store *env, store_conn *c, const trm_peer *peer,
		    const trm_envelope *e, int64_t now_ms, const char **why);
/* Withdraw the forwarded hops of a received offer being purged. */
/* A withdrawal stops what has not left yet about the offer offer_id to peer_id (the offer
 * itself, the documents after it), inside the caller's transaction: it never leaves. The
 * withdrawal is still sent after it, for an offer that was on its way at that moment. */
int trm_outbox_cancel(store_conn *c, int64_t peer_id, const char *offer_id);
/* trm_deliver_due on conn, a libcurl easy handle the caller keeps between calls (the sender's),
 * so that its connections to the peers stay open. */
int trm_deliver_due_on(const keyed_store *env, void *conn, int64_t now_ms, size_t max,
		       size_t *sent);
int trm_chain_withdraw(const keyed_store *env, store_conn *c, int64_t in_id, int64_t now_ms);

/* A peer's new keys, announced with its old signing key (keys.c). */
int trm_key_rotation_apply(store_conn *c, const trm_peer *peer, const trm_envelope *e,
			   int64_t now_ms, const char **why);

/* A private key of this instance as an encrypted field of the identity row named name, and
 * back (identity.c). */
int trm_secret_seal(const keyed_store *env, const char *name, const unsigned char *k, size_t n,
		    buf *out);
bool trm_secret_open(const keyed_store *env, arena *a, const char *name, const void *blob,
		     size_t len, unsigned char *k, size_t n);

/* What a peer sealed to this instance's previous key, while it lives; PONTE_EINVAL otherwise. */
int trm_identity_open_previous(const keyed_store *env, const void *box, size_t n, int64_t now_ms,
			       buf *out);
/* A signature by the peer's previous key, while it lives. */
bool trm_peer_previous_signature(store *db, int64_t peer_id, const void *m, size_t n,
				 const unsigned char sig[CRYPTO_SIGNATURE], int64_t now_ms);

/* Store a document received on a referral and pass it along a chain (documents.c). */
int trm_document_apply(const keyed_store *env, store_conn *c, const trm_peer *peer,
		       const trm_envelope *e, int64_t now_ms, const char **why, const char **field);
/* Forget the bodies of a referral's documents (withdrawal). */
int trm_documents_purge(store_conn *c, int64_t ref_id);
/* Is type a document type (documents.c)? */
bool trm_document_type(const char *type);

/* The end of a change that queued messages (begun: its transaction was opened): committed
 * when rc is 0, and the sender woken to deliver them; else rolled back. rc, or the commit's
 * failure (outbox.c). */
int trm_change_end(store_conn *c, bool begun, int rc);

#endif
