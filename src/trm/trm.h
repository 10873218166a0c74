/*
 * trm.h: the transnational referral mechanism between Ponte instances (docs/trm.md, the wire
 * format in docs/trm-protocol.md).
 *
 * Invariants:
 * - Every instance has one identity: a UUID, an Ed25519 signing pair and an X25519 encryption
 *   pair; the private keys are encrypted fields, never printed, logged or sent.
 * - A peer is registered only when the fingerprint given (read over the phone) is the one of
 *   the keys in its identity. Revoked peers stay listed; nothing from them is accepted.
 * - An envelope is signed by its sender (Ed25519 over the canonical bytes) and sealed to its
 *   recipient (crypto_box_seal). The recipient opens it with its own key, then checks the
 *   sender is an active peer, the signature, the recipient, the times; only then does it act.
 * - Messages leave through the outbox, written in the same transaction as the change that
 *   causes them; the inbox applies a message id once (a replay is acknowledged and ignored).
 * - Checked on entry of trm_receive() (PONTE_CHECK): the keyed store and the outputs are
 *   given; what the envelope holds is validated and refused with a code, never asserted.
 */
#ifndef PONTE_TRM_H
#define PONTE_TRM_H

#include "identity/identity.h"

#define TRM_PROTOCOL "ponte-trm/1"
#define TRM_MAX_BODY (1u << 20) /* the largest envelope on the wire */
#define TRM_CLOCK_SKEW_S 600    /* created may be this far in the future */

/* ---- this instance (identity.c) ---- */
typedef struct trm_self {
	char instance_id[CRYPTO_UUID];
	const char *name, *country, *url;
	unsigned char sign_pk[CRYPTO_SIGN_PK], box_pk[CRYPTO_BOX_PK];
	char fingerprint[CRYPTO_FINGERPRINT];
} trm_self;
/* Create the identity if the database has none (ponte init, ponte serve). */
int trm_identity_ensure(const keyed_store *env);
int trm_identity_get(const keyed_store *env, arena *a, trm_self *out);
/* The private keys, for signing and opening (wiped by the caller with crypto_wipe). */
int trm_identity_secrets(const keyed_store *env, unsigned char sign_sk[CRYPTO_SIGN_SK],
			 unsigned char box_sk[CRYPTO_BOX_SK]);
/* The public URL peers deliver to: https://..., or http:// to a loopback address (127.x or
 * [::1]: tests, or a TLS proxy on the same machine); PONTE_EINVAL otherwise. TRM_URL_RULE says
 * it in words, for the command's help and its refusal. */
#define TRM_URL_RULE                                                                               \
	"https://..., or http://127.x or http://[::1] (loopback: tests, a TLS proxy on the "       \
	"machine)"
int trm_identity_set_url(store *db, const char *url);
/* The rule of TRM_URL_RULE for the first n bytes of url (no spaces, quotes, angle brackets or
 * backslashes, at most 500 bytes), one rule for the instance's own address, a peer's
 * identity and an address to fetch an identity from. */
bool trm_url_ok(const char *url, size_t n);
/* {"instance_id","name","country","url","sign_key","box_key","fingerprint"} */
int trm_identity_json(const trm_self *s, buf *out);

/* ---- peers (peers.c) ---- */
typedef struct trm_peer {
	int64_t id;
	const char *instance_id, *name, *country, *url, *fingerprint, *state, *added_at;
	const char *keys_at; /* when its current keys were registered, announced or renewed */
	unsigned char sign_pk[CRYPTO_SIGN_PK], box_pk[CRYPTO_BOX_PK];
} trm_peer;
/* Register the identity (the JSON of trm_identity_json) if fingerprint matches its keys;
 * *why says what is wrong (PONTE_EINVAL), PONTE_EEXIST when known already. */
int trm_peer_add(store *db, const char *json, size_t n, const char *fingerprint, int64_t *id,
		 const char **why);
typedef int (*trm_peer_fn)(const trm_peer *p, void *ctx);
int trm_peer_list(store *db, arena *a, trm_peer_fn fn, void *ctx);
int trm_peer_find(store *db, arena *a, const char *instance_id, trm_peer *out);
int trm_peer_revoke(store *db, const char *instance_id);
/* Renew the trust in a registered peer (active or revoked) from its identity and the fingerprint
 * read over the phone, after it lost or changed its keys outside a rotation: its new keys are
 * taken at once, its old ones no longer, and it is active again. PONTE_EINVAL with *why (a
 * msgid) for an identity or fingerprint that does not hold or an instance not registered. */
int trm_peer_renew(store *db, const char *json, size_t n, const char *fingerprint, int64_t *id,
		   const char **why);

/* ---- peers on the administrator's page (peers.c) ---- */
/* GET <url>/fed/v1/identity, the identity every instance publishes (api_fed_identity), within
 * TRM_FETCH_TIMEOUT_S, connecting and answering included, so that a peer that is down or does
 * not answer never holds the page. *json receives the identity as it came (at most 16 KiB, in
 * a) and *out what it says (name, country, url, keys and their fingerprint, to be read over the
 * phone before registering it); PONTE_EINVAL with *why (a msgid) for an address outside
 * TRM_URL_RULE, no answer in time, an answer that is not an identity, or one naming another
 * address than url (a trailing '/' aside). Nothing is registered. */
#define TRM_FETCH_TIMEOUT_S 5
int trm_identity_fetch(store *db, arena *a, const char *url, const char **json, trm_peer *out,
		       const char **why);
/* A peer and how the exchange with it stands. */
typedef struct trm_peer_status {
	trm_peer peer;
	const char *last_received;  /* its last message applied here, "" if none */
	const char *last_delivered; /* our last message it acknowledged, "" if none */
	int64_t queued;             /* pending, not tried yet */
	int64_t retrying;           /* pending, tried at least once without an acknowledgement */
	int64_t failed; /* given up (expired, refused, peer revoked); not those withdrawn */
} trm_peer_status;
typedef int (*trm_peer_status_fn)(const trm_peer_status *s, void *ctx);
int trm_peer_status_list(store *db, arena *a, trm_peer_status_fn fn, void *ctx);
/* Try a peer's stuck messages again now: those retrying are due at once, and those given up
 * (refused, or the peer revoked at the time) that have not expired are pending again, in their
 * order. Never what a withdrawal stopped, nor what expired. *n counts them; PONTE_ENOTFOUND for
 * a peer that is not registered, PONTE_ECONFLICT for one revoked. */
int trm_outbox_retry(store *db, const char *instance_id, int64_t now_ms, int64_t *n);
/* A lower-case RFC 4122 text UUID. */
bool trm_uuid_valid(const char *s);

/* ---- envelopes (envelope.c) ---- */
typedef struct trm_envelope {
	char id[CRYPTO_UUID];
	const char *type, *from, *to, *created, *expires, *in_reply_to;
	const char *payload; /* JSON */
	size_t payload_len;
} trm_envelope;
/* The bytes that are signed (docs/trm-protocol.md). PONTE_EINVAL for a field with a line
 * break or a type that is not a lower-case word. */
int trm_canonical(const trm_envelope *e, buf *out);
/* Parse canonical bytes back; strings point into text (which must stay alive). */
int trm_parse_canonical(char *text, size_t n, trm_envelope *e);
/* Sign, seal and wrap: {"v":1,"from":..,"to":..,"sealed":"base64"}. */
int trm_seal(const trm_envelope *e, const unsigned char sign_sk[CRYPTO_SIGN_SK],
	     const unsigned char box_pk[CRYPTO_BOX_PK], buf *wire);

/* ---- referrals across borders (offer.c) ---- */
/* Offer a case to a peer under a transnational-referral consent of the case (not withdrawn):
 * the payload carries only the consent's categories, with HTCDS names. Needs
 * referral.transnational and the case in the caller's scope; the offer is queued in the same
 * transaction as the referral row. *why explains PONTE_EINVAL (a msgid). */
int trm_offer(const keyed_store *env, const principal *p, int64_t case_id,
	      const char *peer_instance, int64_t consent_id, int64_t now_ms, int64_t *ref_id,
	      const char **why);
/* What an offer of this case under this consent would carry, as the JSON that would leave
 * (the wizard's preview); nothing is sent. */
int trm_offer_preview(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		      int64_t consent_id, const char **json, const char **why);
/* Accept or decline an offer received (state delivered); the sender is told. A decline's
 * reason is one of the national mechanism's codes (referral_codes("decline")): PONTE_EINVAL
 * otherwise. */
bool trm_decline_reason_valid(const char *code);
int trm_answer(const keyed_store *env, const principal *p, int64_t ref_id, bool accept,
	       const char *reason, int64_t now_ms);
/* The receiver follows the service: accepted → in_service → completed | discontinued (also
 * from accepted), with feedback to the sender. */
int trm_update(const keyed_store *env, const principal *p, int64_t ref_id, const char *state,
	       const char *feedback, int64_t now_ms);
/* Withdraw an offer sent (consent withdrawn): the recipient purges the payload and confirms. */
int trm_withdraw(const keyed_store *env, const principal *p, int64_t ref_id, int64_t now_ms);
/* Withdraw a consent of a case (who may write the case; PONTE_ECONFLICT when withdrawn already)
 * and, in the same transaction, every open national referral it covered (*national) and every
 * offer across borders made under it, whatever its state (*abroad): each is told to its peer,
 * which purges the payload along the route. The one entry for the pages and the API. */
int trm_consent_withdraw(const keyed_store *env, const principal *p, int64_t consent_id,
			 int64_t now_ms, size_t *national, size_t *abroad);

/* Does p hold the role that receives inbound referrals (setting trm_inbound_role)? */
bool trm_receives(store *db, const principal *p);
typedef struct trm_referral {
	int64_t id, case_id; /* case_id: of an offer sent, else 0 */
	int64_t parent_id;   /* a hop forwarded: the offer received it continues, else 0 */
	const char *direction, *peer_instance, *peer_name, *peer_country, *offer_id, *state,
	    *reason, *legal_basis, *created_at, *updated_at;
	const char *payload;        /* received: the minimised case data as JSON ("" once purged, or
				 * for a provider that has not accepted it) */
	const char *categories;     /* received: the data categories offered, comma-separated */
	const char *provider;       /* received and handed to a provider here: its name, else "" */
	const char *provider_state; /* "", assigned, accepted, declined */
	const char *chain;          /* the hops beyond this one as reported: a JSON array */
} trm_referral;
typedef int (*trm_referral_fn)(const trm_referral *r, void *ctx);
/* Sent offers of cases in the caller's referral.transnational scope, and received offers (with
 * the hops forwarded from them) for holders of the inbound role, and for the provider
 * organisation a received offer was handed to (the person only once it has accepted); newest
 * first. */
int trm_referral_list(const keyed_store *env, arena *a, const principal *p, trm_referral_fn fn,
		      void *ctx);
/* One referral for whoever may see it (PONTE_ENOTFOUND otherwise). */
int trm_referral_get(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
		     trm_referral *out);
/* 0 when p may see the referral, PONTE_ENOTFOUND otherwise. */
int trm_may_see(const keyed_store *env, const principal *p, int64_t ref_id);
/* The same, and *person: whether p may read the person (payload, documents). A provider
 * organisation reads it only after accepting, while the service is open. */
int trm_may_read_person(const keyed_store *env, const principal *p, int64_t ref_id, bool *person);

/* ---- routes through focal points (forward.c, chain.c) ---- */
/* The inbound role forwards an offer received (delivered, accepted, or forwarded before and
 * declined further on) to another peer: the payload goes on unchanged, a hop of its own. */
int trm_forward(const keyed_store *env, const principal *p, int64_t ref_id,
		const char *peer_instance, int64_t now_ms, const char **why);
/* The inbound role hands an accepted offer to a provider organisation of this instance. */
int trm_assign(const keyed_store *env, const principal *p, int64_t ref_id, int64_t org_id,
	       int64_t now_ms, const char **why);
/* The provider (referral.national in that organisation) accepts or declines it; once it has
 * accepted, it reads the person, follows the service with trm_update and sends documents. */
int trm_provider_answer(const keyed_store *env, const principal *p, int64_t ref_id, bool accept,
			int64_t now_ms);
bool trm_provides(store *db, const principal *p, int64_t ref_id);
/* What a user does, by name: accept, decline (arg: reason), withdraw, in_service, completed,
 * discontinued (arg: feedback), forward (arg: the peer's instance id), assign (arg: the
 * organisation's code), provider_accept, provider_decline. PONTE_ENOTFOUND for another name. */
int trm_act(const keyed_store *env, const principal *p, int64_t ref_id, const char *action,
	    const char *arg, int64_t now_ms, const char **why);
/* The route of a referral as this instance knows it, hop by hop from the first: the hop it
 * sent or received, then what lies beyond (reported, or forwarded from here). */
typedef struct trm_hop {
	const char *from, *from_country, *to, *to_country, *state, *at;
} trm_hop;
typedef int (*trm_hop_fn)(const trm_hop *h, void *ctx);
int trm_route(const keyed_store *env, arena *a, const principal *p, int64_t ref_id, trm_hop_fn fn,
	      void *ctx);
/* Received offers handed to the caller's organisation and not finished, for "Action needed". */
typedef int (*trm_queue_fn)(int64_t ref_id, const char *peer, const char *country,
			    const char *provider_state, const char *state, void *ctx);
int trm_provider_queue(const keyed_store *env, arena *a, const principal *p, trm_queue_fn fn,
		       void *ctx);

/* ---- documents on a referral (documents.c) ---- */
#define TRM_DOC_FIELDS 5
/* What a document's field holds, as a case section's fields say it (cases/sections.h). */
typedef enum trm_doc_kind {
	TRM_DOC_DATE, /* a real date, YYYY-MM-DD; future allowed (a departure is planned) */
	TRM_DOC_TEXT, /* words, at most max characters */
	TRM_DOC_CODE, /* one of codes */
} trm_doc_kind;
typedef struct trm_doc_field {
	const char *name;
	trm_doc_kind kind;
	size_t max;
	const char *codes; /* comma-separated */
	bool required;
} trm_doc_field;
typedef struct trm_doc_type {
	const char *type;
	const char *side;   /* "out": sent by who made the offer; "in": by who received it */
	const char *after;  /* a document that must have come first, or NULL */
	bool child;         /* for a child only (the ECOWAS procedure) */
	const char *states; /* the referral states it may be sent in, comma-separated */
	trm_doc_field fields[TRM_DOC_FIELDS];
} trm_doc_type;
const trm_doc_type *trm_doc_types(size_t *n);
/* Is item one of a comma-separated list (states, codes, categories)? */
bool trm_listed(const char *csv, const char *item);
const trm_doc_type *trm_doc_type_find(const char *type);
bool trm_doc_field_known(const trm_doc_type *t, const char *name);
typedef const char *(*trm_doc_get)(void *ctx, const char *field);
/* Send a document on a referral; *field and *why say what is wrong (PONTE_EINVAL), or why not
 * now (PONTE_ECONFLICT). */
int trm_document_send(const keyed_store *env, const principal *p, int64_t ref_id, const char *type,
		      trm_doc_get get, void *ctx, int64_t now_ms, const char **field,
		      const char **why);
typedef struct trm_document {
	int64_t id;
	const char *direction, *type, *created_at;
	const char *body; /* JSON object; "{}" once purged */
} trm_document;
typedef int (*trm_document_fn)(const trm_document *d, void *ctx);
/* The documents of a referral for whoever may read its person (none for a provider that has
 * not accepted it); PONTE_ENOTFOUND for whoever may not see it. */
int trm_documents_list(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
		       trm_document_fn fn, void *ctx);

/* ---- what peers send, checked and re-written (for the inbox and the fuzzers) ---- */
/* A chain report: a JSON array of at most 16 hops of six short strings; written back field by
 * field. PONTE_EINVAL otherwise. */
int trm_chain_normalise(arena *a, const char *text, size_t n, buf *out);
/* A document's fields: a JSON object of strings, each a field of the type, checked like a
 * form (dates, codes, lengths, required); written back in the type's order. */
int trm_document_normalise(const char *type, const char *json, size_t n, buf *out,
			   const char **field, const char **why);
/* A referral offer's payload: a JSON object of exactly the members of docs/trm-protocol.md
 * (legal_basis, consent, child, categories, person, and victim when that category is carried),
 * each member of person and victim of a category carried, once, checked with the rules of the
 * case file's input (case_validate: codes, lengths, dates, countries); written back member by
 * member. PONTE_EINVAL with *why, and *field naming the member when one fails the rules. */
int trm_offer_normalise(store *db, const char *json, size_t n, buf *out, const char **field,
			const char **why);
/* The offer's own members, in the order of the protocol's table. */
const char *const *trm_offer_members(size_t *n);
/* A key rotation's payload: the two keys and the fingerprint they must have. */
int trm_key_rotation_parse(const char *json, size_t n, unsigned char sign_pk[CRYPTO_SIGN_PK],
			   unsigned char box_pk[CRYPTO_BOX_PK],
			   char fingerprint[CRYPTO_FINGERPRINT]);

/* ---- key rotation (keys.c) ---- */
/* New keys for this instance; every active peer is told by a message signed with the old key.
 * The old encryption key still opens what was sealed to it for TRM_KEY_GRACE_S. */
#define TRM_KEY_GRACE_S (14 * 24 * 3600)
int trm_keys_rotate(const keyed_store *env, int64_t now_ms);

/* The messages of a referral's hop in order (at, "sent" or "received", type, state):
 * the offer, its acknowledgement, the answers, status updates, withdrawal and purge; for who
 * may see the referral (PONTE_ENOTFOUND otherwise). */
typedef int (*trm_thread_fn)(const char *at, const char *direction, const char *type,
			     const char *state, void *ctx);
int trm_thread(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
	       trm_thread_fn fn, void *ctx);
/* Offers sent, not answered within the case country's trm_answer_days (default 7), for the
 * sender's focal points (referral.transnational scope), and hops forwarded from here (case_id
 * 0) for the inbound role, oldest first. */
typedef int (*trm_overdue_fn)(int64_t ref_id, int64_t case_id, const char *peer,
			      const char *country, const char *created_at, void *ctx);
int trm_overdue(const keyed_store *env, arena *a, const principal *p, int64_t now_ms,
		trm_overdue_fn fn, void *ctx);

/* ---- the inbox (inbox.c) ---- */
/* Receive a wire envelope: *refusal is 0 when it was applied or is a duplicate, else the
 * refusal the HTTP layer answers (http/refuse.c): PONTE_EINVAL (400) malformed or an unknown
 * protocol version, or a type or payload this instance does not take; PONTE_EDENIED (403)
 * "envelope refused", one answer for every refusal before the sender is proven (another
 * recipient, a seal that does not open, an unknown or revoked sender, a bad signature), so
 * that unknown and registered sender ids look alike, and addressing or times that do not
 * hold; PONTE_EREJECTED (422) a payload member that fails the rules of local input, named in
 * *field. *why is a short English reason for the log and the sender's operators. Rejections
 * are audited with their own reason and change nothing. now_ms is the clock (tests move it). */
int trm_receive(const keyed_store *env, const char *body, size_t n, int64_t now_ms, int *refusal,
		const char **why, const char **field);

/* ---- the outbox (outbox.c) ---- */
/* Queue a message to a peer inside the caller's transaction (c): sealed now, delivered later.
 * message_id receives the new id. */
int trm_send(const keyed_store *env, store_conn *c, int64_t peer_id, const char *type,
	     const char *in_reply_to, const char *payload, int64_t ttl_s, int64_t now_ms,
	     char message_id[CRYPTO_UUID]);
/* Deliver what is due at now_ms (at most max messages): POST to the peer's /fed/v1/inbox;
 * acknowledged → delivered; otherwise retried with exponential back-off and jitter; past its
 * expiry → failed. *sent counts deliveries. */
int trm_deliver_due(const keyed_store *env, int64_t now_ms, size_t max, size_t *sent);
/* The background sender of `ponte serve` (sender.c): trm_deliver_due once a second. */
typedef struct trm_sender trm_sender;
int trm_sender_start(const keyed_store *env, trm_sender **out);
void trm_sender_stop(trm_sender *s);
/* Something was queued and committed: deliver now rather than within the second (no-op
 * without a running sender, as in tests that drive trm_deliver_due themselves). */
void trm_sender_poke(void);
typedef struct trm_outbox_row {
	int64_t id, attempts;
	const char *message_id, *peer, *type, *state, *next_attempt_at, *last_error, *created_at;
} trm_outbox_row;
typedef int (*trm_outbox_fn)(const trm_outbox_row *r, void *ctx);
int trm_outbox_list(store *db, arena *a, trm_outbox_fn fn, void *ctx);
/* Peers with messages not delivered: pending (tried at least once: retrying) or failed at
 * expiry, the oldest undelivered message's time and the last error, most stuck first. */
typedef struct trm_stuck_peer {
	int64_t retrying, failed;
	const char *peer, *country, *oldest, *last_error; /* valid during the call */
} trm_stuck_peer;
typedef int (*trm_stuck_fn)(const trm_stuck_peer *s, void *ctx);
int trm_outbox_stuck(store *db, trm_stuck_fn fn, void *ctx);

#endif
