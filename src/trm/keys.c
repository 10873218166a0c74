/* Key rotation: an instance takes new keys and tells every active peer in a message signed with
 * its old key; for as long as a message lives, it still opens what was sealed to its old key,
 * and its peers still accept its old signature (the outbox may hold messages signed before). */
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "identity/fields.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_PEERS[] = "SELECT id FROM trm_peers WHERE state = 'active' ORDER BY id";
static const char SQL_ROTATE[] =
    "UPDATE trm_identity SET prev_box_pk = box_pk, prev_box_sk_enc = ?1, prev_until = ?2, "
    "sign_pk = ?3, box_pk = ?4, sign_sk_enc = ?5, box_sk_enc = ?6 WHERE id = 1";
static const char SQL_PREV_BOX[] =
    "SELECT prev_box_pk, prev_box_sk_enc FROM trm_identity WHERE id = 1 AND prev_until > ?1";
static const char SQL_PEER_PREV[] =
    "SELECT prev_sign_pk FROM trm_peers WHERE id = ?1 AND prev_until > ?2";
static const char SQL_PEER_ROTATE[] =
    "UPDATE trm_peers SET prev_sign_pk = sign_pk, prev_until = ?2, sign_pk = ?3, box_pk = ?4, "
    "fingerprint = ?5, keys_at = ?6 WHERE id = ?1";
/* clang-format on */

static int announce(const keyed_store *env, store_conn *c, const unsigned char spk[CRYPTO_SIGN_PK],
		    const unsigned char bpk[CRYPTO_BOX_PK], int64_t now_ms)
{
	buf body, k;
	buf_init(&body, 1024);
	buf_init(&k, 256);
	char fp[CRYPTO_FINGERPRINT], id[CRYPTO_UUID];
	crypto_fingerprint(spk, bpk, fp);
	int rc = buf_putc(&body, '{');
	if (!rc && !(rc = crypto_base64_encode(spk, CRYPTO_SIGN_PK, &k)))
		rc = json_field_str(&body, true, "sign_key", k.data);
	k.len = 0;
	if (!rc && !(rc = crypto_base64_encode(bpk, CRYPTO_BOX_PK, &k)))
		rc = json_field_str(&body, false, "box_key", k.data);
	if (!rc && !(rc = json_field_str(&body, false, "fingerprint", fp)))
		rc = buf_putc(&body, '}');
	store_stmt *st;
	int64_t peers[256];
	size_t n = 0;
	if (!rc && !(rc = store_prepare(c, SQL_PEERS, &st))) {
		while (n < ARRAY_LEN(peers) && (rc = store_step(st)) == STORE_ROW)
			peers[n++] = store_col_int64(st, 0);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	/* Queued before the new keys are written: signed with the old one. */
	for (size_t i = 0; !rc && i < n; i++)
		rc = trm_send(env, c, peers[i], "key_rotation", "", body.data, TRM_MESSAGE_TTL_S,
			      now_ms, id);
	buf_release(&k);
	buf_release(&body);
	return rc;
}

int trm_keys_rotate(const keyed_store *env, int64_t now_ms)
{
	unsigned char spk[CRYPTO_SIGN_PK], ssk[CRYPTO_SIGN_SK], bpk[CRYPTO_BOX_PK],
	    bsk[CRYPTO_BOX_SK], old_ssk[CRYPTO_SIGN_SK], old_bsk[CRYPTO_BOX_SK];
	crypto_instance_keys(NULL, spk, ssk, bpk, bsk);
	buf prev, es, eb;
	buf_init(&prev, 4096);
	buf_init(&es, 4096);
	buf_init(&eb, 4096);
	store_conn *c;
	store_stmt *st;
	int rc = store_begin_on(env->db, &c);
	bool begun = !rc;
	if (!rc)
		rc = trm_identity_secrets(env, old_ssk, old_bsk);
	if (!rc)
		rc = announce(env, c, spk, bpk, now_ms);
	if (!rc && !(rc = trm_secret_seal(env, "prev_box_sk", old_bsk, sizeof(old_bsk), &prev)) &&
	    !(rc = trm_secret_seal(env, "sign_sk", ssk, sizeof(ssk), &es)) &&
	    !(rc = trm_secret_seal(env, "box_sk", bsk, sizeof(bsk), &eb)) &&
	    !(rc = store_prepare(c, SQL_ROTATE, &st))) {
		char until[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(now_ms + TRM_KEY_GRACE_S * 1000LL, until);
		store_bind_blob(st, 1, prev.data, prev.len);
		store_bind_text(st, 2, until, strlen(until));
		store_bind_blob(st, 3, spk, sizeof(spk));
		store_bind_blob(st, 4, bpk, sizeof(bpk));
		store_bind_blob(st, 5, es.data, es.len);
		store_bind_blob(st, 6, eb.data, eb.len);
		rc = store_run(st);
	}
	rc = trm_change_end(c, begun, rc);
	crypto_wipe(ssk, sizeof(ssk));
	crypto_wipe(bsk, sizeof(bsk));
	crypto_wipe(old_ssk, sizeof(old_ssk));
	crypto_wipe(old_bsk, sizeof(old_bsk));
	buf_release(&prev);
	buf_release(&es);
	buf_release(&eb);
	return rc;
}

int trm_identity_open_previous(const keyed_store *env, const void *box, size_t n, int64_t now_ms,
			       buf *out)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	arena a;
	arena_init(&a, 4096);
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_PREV_BOX, &st);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	store_bind_text(st, 1, now, strlen(now));
	rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t pn, sn;
		const void *pk = store_col_blob(st, 0, &pn), *b = store_col_blob(st, 1, &sn);
		unsigned char sk[CRYPTO_BOX_SK];
		rc = pn == CRYPTO_BOX_PK &&
			     trm_secret_open(env, &a, "prev_box_sk", b, sn, sk, sizeof(sk))
			 ? crypto_seal_open_for(box, n, pk, sk, out)
			 : PONTE_ESTORE;
		crypto_wipe(sk, sizeof(sk));
	} else {
		rc = rc == STORE_DONE ? PONTE_EINVAL : rc;
	}
	store_reset(st);
	arena_release(&a);
	return rc;
}

bool trm_peer_previous_signature(store *db, int64_t peer_id, const void *m, size_t n,
				 const unsigned char sig[CRYPTO_SIGNATURE], int64_t now_ms)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, SQL_PEER_PREV, &st))
		return false;
	store_bind_int64(st, 1, peer_id);
	store_bind_text(st, 2, now, strlen(now));
	bool ok = false;
	if (store_step(st) == STORE_ROW) {
		size_t k;
		const void *pk = store_col_blob(st, 0, &k);
		ok = k == CRYPTO_SIGN_PK && crypto_signature_valid(m, n, sig, pk);
	}
	store_reset(st);
	return ok;
}

static bool key(const json_value *v, const char *name, unsigned char *out, size_t n)
{
	const char *s = json_get_string(v, name);
	buf b;
	buf_init(&b, 128);
	bool ok = s && !crypto_base64_decode(s, strlen(s), &b) && b.len == n;
	if (ok)
		memcpy(out, b.data, n);
	buf_release(&b);
	return ok;
}

int trm_key_rotation_parse(const char *json, size_t n, unsigned char sign_pk[CRYPTO_SIGN_PK],
			   unsigned char box_pk[CRYPTO_BOX_PK],
			   char fingerprint[CRYPTO_FINGERPRINT])
{
	arena a;
	arena_init(&a, 8192);
	json_value *v;
	char err[64];
	const char *said = NULL;
	bool ok = !json_parse(&a, json, n, &v, err, sizeof(err)) && v->type == JSON_OBJECT &&
		  key(v, "sign_key", sign_pk, CRYPTO_SIGN_PK) &&
		  key(v, "box_key", box_pk, CRYPTO_BOX_PK) &&
		  (said = json_get_string(v, "fingerprint")) != NULL;
	/* The fingerprint it states must be the one of its new keys. */
	if (ok) {
		crypto_fingerprint(sign_pk, box_pk, fingerprint);
		ok = strcmp(fingerprint, said) == 0;
	}
	arena_release(&a);
	return ok ? 0 : PONTE_EINVAL;
}

int trm_key_rotation_apply(store_conn *c, const trm_peer *peer, const trm_envelope *e,
			   int64_t now_ms, const char **why)
{
	unsigned char spk[CRYPTO_SIGN_PK], bpk[CRYPTO_BOX_PK];
	char fp[CRYPTO_FINGERPRINT];
	if (trm_key_rotation_parse(e->payload, e->payload_len, spk, bpk, fp)) {
		*why = "a key rotation carries two keys and their fingerprint";
		return PONTE_EINVAL;
	}
	char until[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms + TRM_KEY_GRACE_S * 1000LL, until);
	store_stmt *st;
	int rc = store_prepare(c, SQL_PEER_ROTATE, &st);
	if (!rc) {
		store_bind_int64(st, 1, peer->id);
		store_bind_text(st, 2, until, strlen(until));
		store_bind_blob(st, 3, spk, sizeof(spk));
		store_bind_blob(st, 4, bpk, sizeof(bpk));
		store_bind_text(st, 5, fp, strlen(fp));
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(now_ms, now);
		store_bind_text(st, 6, now, strlen(now));
		rc = store_run(st);
	}
	return rc;
}
