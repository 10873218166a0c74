/* The inbox: open, check, then apply once. Every rejection is audited and changes nothing. */
#include "audit/audit.h"
#include "base/clock.h"
#include "base/json_parse.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_SEEN[] =
    "INSERT INTO trm_inbox(message_id, peer_id, type, in_reply_to, received_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
/* clang-format on */

/* A time as Ponte writes it: 2026-11-30T10:00:00.000Z. */
static bool time_valid(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (!s || strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pattern[i])
			return false;
	return true;
}

/* Audited as trm.reject.<code> on the sender's instance id (never the content). */
static int reject(store *db, const char *from, int *refusal, const char **why, int code,
		  const char *what, const char *reason)
{
	char action[64];
	snprintf(action, sizeof(action), "trm.reject.%s", what);
	audit_event e = { .action = action,
			  .object_type = from ? "instance" : "",
			  .object_id = from ? from : "",
			  .outcome = "denied",
			  .client = "" };
	audit_append(db, &e);
	*refusal = code;
	*why = reason;
	return 0;
}

/* Everything refused before the sender is proven (recipient, seal, sender, signature) gets
 * this one answer, so that nobody learns from it which instance ids are registered here; the
 * reason is in the audit trail. */
#define REFUSED_AS(reason) PONTE_EDENIED, reason, "envelope refused"

int trm_receive(const keyed_store *env, const char *body, size_t n, int64_t now_ms, int *refusal,
		const char **why, const char **field)
{
	PONTE_CHECK(env && env->db && (body || n == 0) && refusal && why && field);
	*field = NULL;
	arena a;
	arena_init(&a, TRM_MAX_BODY * 3);
	json_value *v;
	char err[128];
	int rc = 0;
	const char *from = NULL, *to = NULL, *sealed = NULL;
	const json_value *version = NULL;
	if (!json_parse(&a, body, n, &v, err, sizeof(err)) && v->type == JSON_OBJECT) {
		version = json_get(v, "v");
		from = json_get_string(v, "from");
		to = json_get_string(v, "to");
		sealed = json_get_string(v, "sealed");
	}
	trm_self self;
	trm_peer peer;
	buf box, msg;
	buf_init(&box, TRM_MAX_BODY);
	buf_init(&msg, TRM_MAX_BODY);
	unsigned char sign_sk[CRYPTO_SIGN_SK], box_sk[CRYPTO_BOX_SK];
	trm_envelope e;
	char now[CLOCK_RFC3339_LEN], soon[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	clock_format_rfc3339(now_ms + TRM_CLOCK_SKEW_S * 1000LL, soon);
	if (!from || !to || !sealed || !version || !trm_uuid_valid(from) || !trm_uuid_valid(to)) {
		rc = reject(env->db, NULL, refusal, why, PONTE_EINVAL, "malformed",
			    "malformed envelope");
		goto out;
	}
	/* Version 1 is the only one this instance speaks (docs/trm-protocol.md). */
	if (version->type != JSON_NUMBER || strcmp(version->string, "1") != 0) {
		rc = reject(env->db, from, refusal, why, PONTE_EINVAL, "version",
			    "unknown protocol version");
		goto out;
	}
	if ((rc = trm_identity_get(env, &a, &self)))
		goto out;
	if (strcmp(to, self.instance_id) != 0) {
		rc = reject(env->db, from, refusal, why, REFUSED_AS("recipient"));
		goto out;
	}
	/* Sealed to this instance's key, or to its previous key while that lives (a peer that
	 * has not heard of a rotation yet). Opened before the sender is looked up, so that an
	 * unknown sender costs what a registered one does. */
	if (crypto_base64_decode(sealed, strlen(sealed), &box) ||
	    (rc = trm_identity_secrets(env, sign_sk, box_sk)) != 0 ||
	    (crypto_seal_open_for(box.data, box.len, self.box_pk, box_sk, &msg) &&
	     trm_identity_open_previous(env, box.data, box.len, now_ms, &msg)) ||
	    msg.len < CRYPTO_SIGNATURE) {
		crypto_wipe(box_sk, sizeof(box_sk));
		crypto_wipe(sign_sk, sizeof(sign_sk));
		rc = rc ? rc : reject(env->db, from, refusal, why, REFUSED_AS("seal"));
		goto out;
	}
	crypto_wipe(box_sk, sizeof(box_sk));
	crypto_wipe(sign_sk, sizeof(sign_sk));
	rc = trm_peer_find(env->db, &a, from, &peer);
	if (rc && rc != PONTE_ENOTFOUND)
		goto out;
	bool known = !rc, active = known && strcmp(peer.state, "active") == 0;
	rc = 0;
	/* An unknown sender's signature is checked against this instance's own key (it cannot
	 * match): the same work, the same answer. */
	size_t signed_len = msg.len - CRYPTO_SIGNATURE;
	const unsigned char *sig = (const unsigned char *)msg.data + signed_len;
	bool signed_ok = crypto_signature_valid(msg.data, signed_len, sig,
						known ? peer.sign_pk : self.sign_pk) ||
			 (known && trm_peer_previous_signature(env->db, peer.id, msg.data,
							       signed_len, sig, now_ms));
	if (!known || !active || !signed_ok) {
		rc = reject(env->db, from, refusal, why,
			    REFUSED_AS(!known    ? "unknown"
				       : !active ? "revoked"
						 : "signature"));
		goto out;
	}
	msg.data[signed_len] = '\0';
	if (trm_parse_canonical(msg.data, signed_len, &e) || !time_valid(e.created) ||
	    !time_valid(e.expires) || (*e.in_reply_to && !trm_uuid_valid(e.in_reply_to))) {
		rc = reject(env->db, from, refusal, why, PONTE_EINVAL, "malformed",
			    "malformed envelope");
		goto out;
	}
	/* The addressing inside is the one signed: it must be the one outside. */
	if (strcmp(e.from, from) != 0 || strcmp(e.to, self.instance_id) != 0) {
		rc = reject(env->db, from, refusal, why, PONTE_EDENIED, "addressing",
			    "addressing does not match the signature");
		goto out;
	}
	if (strcmp(e.created, soon) > 0 || strcmp(e.expires, now) <= 0) {
		rc = reject(env->db, from, refusal, why, PONTE_EDENIED, "time", "stale or expired");
		goto out;
	}
	store_conn *c;
	store_stmt *st;
	if ((rc = store_begin_on(env->db, &c)))
		goto out;
	if (!(rc = store_prepare(c, SQL_SEEN, &st))) {
		store_bind_text(st, 1, e.id, strlen(e.id));
		store_bind_int64(st, 2, peer.id);
		store_bind_text(st, 3, e.type, strlen(e.type));
		store_bind_text(st, 4, e.in_reply_to, strlen(e.in_reply_to));
		store_bind_text(st, 5, now, strlen(now));
		rc = store_run(st);
	}
	if (rc == PONTE_EEXIST) { /* applied before: acknowledge, change nothing */
		store_rollback(c);
		*refusal = 0;
		*why = "duplicate";
		rc = 0;
		goto out;
	}
	if (!rc)
		rc = trm_apply(env, c, &peer, &e, now_ms, why, field);
	/* A member that fails the rules of local input: 422, naming it; a type or payload this
	 * instance does not take: 400. Nothing changes either way. */
	if (rc == PONTE_EINVAL) {
		store_rollback(c);
		rc = *field ? reject(env->db, from, refusal, why, PONTE_EREJECTED, "invalid",
				     *why ? *why : "a member fails the rules")
			    : reject(env->db, from, refusal, why, PONTE_EINVAL, "apply",
				     *why ? *why : "cannot apply");
		goto out;
	}
	if (!rc) {
		audit_event ev = { .action = "trm.received",
				   .object_type = "instance",
				   .object_id = from,
				   .outcome = "success",
				   .client = "" };
		rc = audit_append_in_transaction(env->db, &ev);
	}
	if (!(rc = store_finish(c, rc))) {
		*refusal = 0;
		*why = "applied";
		trm_sender_poke(); /* the acknowledgement it queued */
	}
out:
	crypto_wipe(msg.data, msg.len);
	buf_release(&box);
	buf_release(&msg);
	arena_release(&a);
	return rc;
}
