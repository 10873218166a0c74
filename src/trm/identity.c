/* This instance's identity: its UUID, its public keys, its private keys as encrypted fields. */
#include "base/clock.h"
#include "base/json.h"
#include "identity/fields.h"
#include "instance/instance.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_GET[] =
    "SELECT instance_id, url, sign_pk, box_pk FROM trm_identity WHERE id = 1";
static const char SQL_SECRETS[] =
    "SELECT sign_sk_enc, box_sk_enc FROM trm_identity WHERE id = 1";
static const char SQL_INSERT[] =
    "INSERT INTO trm_identity(id, instance_id, sign_pk, box_pk, sign_sk_enc, box_sk_enc, "
    "created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING";
static const char SQL_URL[] = "UPDATE trm_identity SET url = ?1 WHERE id = 1";
/* clang-format on */

/* A private key as an encrypted field of the identity row (hex under the data keys). */
int trm_secret_seal(const keyed_store *env, const char *name, const unsigned char *k, size_t n,
		    buf *out)
{
	char hex[2 * CRYPTO_SIGN_SK + 1];
	if (n > CRYPTO_SIGN_SK)
		return PONTE_EINVAL;
	crypto_hex(k, n, hex);
	int rc = field_encrypt(env, "trm_identity", name, 1, hex, out);
	crypto_wipe(hex, sizeof(hex));
	return rc;
}

/* Back: exactly n bytes of key, or false; the plaintext hex is wiped from the arena. */
bool trm_secret_open(const keyed_store *env, arena *a, const char *name, const void *blob,
		     size_t len, unsigned char *k, size_t n)
{
	const char *hex = field_decrypt(env, a, "trm_identity", name, 1, blob, len);
	bool ok = hex && crypto_unhex(hex, k, n);
	if (hex)
		crypto_wipe((void *)(uintptr_t)hex, strlen(hex)); /* arena memory we own */
	return ok;
}

int trm_identity_ensure(const keyed_store *env)
{
	arena a;
	arena_init(&a, 4096);
	trm_self s;
	int rc = trm_identity_get(env, &a, &s);
	arena_release(&a);
	if (rc != PONTE_ENOTFOUND)
		return rc;
	unsigned char spk[CRYPTO_SIGN_PK], ssk[CRYPTO_SIGN_SK], bpk[CRYPTO_BOX_PK],
	    bsk[CRYPTO_BOX_SK];
	char id[CRYPTO_UUID];
	crypto_instance_keys(NULL, spk, ssk, bpk, bsk);
	crypto_uuid(id);
	buf es, eb;
	buf_init(&es, 4096);
	buf_init(&eb, 4096);
	rc = trm_secret_seal(env, "sign_sk", ssk, sizeof(ssk), &es);
	if (!rc)
		rc = trm_secret_seal(env, "box_sk", bsk, sizeof(bsk), &eb);
	crypto_wipe(ssk, sizeof(ssk));
	crypto_wipe(bsk, sizeof(bsk));
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)) &&
	    !(rc = store_prepare(c, SQL_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_text(st, 1, id, strlen(id));
		store_bind_blob(st, 2, spk, sizeof(spk));
		store_bind_blob(st, 3, bpk, sizeof(bpk));
		store_bind_blob(st, 4, es.data, es.len);
		store_bind_blob(st, 5, eb.data, eb.len);
		store_bind_text(st, 6, now, strlen(now));
		rc = store_run(st);
	}
	buf_release(&es);
	buf_release(&eb);
	return rc;
}

int trm_identity_get(const keyed_store *env, arena *a, trm_self *out)
{
	memset(out, 0, sizeof(*out));
	instance_info info;
	int rc = instance_get(env->db, a, &info);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_GET, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t n1, n2;
		const void *spk = store_col_blob(st, 2, &n1), *bpk = store_col_blob(st, 3, &n2);
		snprintf(out->instance_id, sizeof(out->instance_id), "%s",
			 store_col_text(st, 0, NULL));
		out->url = store_col_dup(a, st, 1);
		if (n1 == CRYPTO_SIGN_PK && n2 == CRYPTO_BOX_PK) {
			memcpy(out->sign_pk, spk, n1);
			memcpy(out->box_pk, bpk, n2);
		} else {
			rc = PONTE_ESTORE;
		}
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	if (rc != STORE_ROW)
		return PONTE_ENOTFOUND;
	out->name = info.name;
	out->country = info.country;
	crypto_fingerprint(out->sign_pk, out->box_pk, out->fingerprint);
	return 0;
}

int trm_identity_secrets(const keyed_store *env, unsigned char sign_sk[CRYPTO_SIGN_SK],
			 unsigned char box_sk[CRYPTO_BOX_SK])
{
	arena a;
	arena_init(&a, 4096);
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_SECRETS, &st);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	if (!(rc = store_step_one(st))) {
		size_t n1, n2;
		const void *b1 = store_col_blob(st, 0, &n1), *b2 = store_col_blob(st, 1, &n2);
		rc = trm_secret_open(env, &a, "sign_sk", b1, n1, sign_sk, CRYPTO_SIGN_SK) &&
			     trm_secret_open(env, &a, "box_sk", b2, n2, box_sk, CRYPTO_BOX_SK)
			 ? 0
			 : PONTE_ESTORE;
		store_reset(st);
	}
	arena_release(&a);
	return rc;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && memcmp(s, prefix, p) == 0;
}

bool trm_url_ok(const char *url, size_t n)
{
	/* https for peers; http only to a loopback address. */
	if (!url || n > 500 || memchr(url, '\0', n) ||
	    !(starts(url, n, "https://") || starts(url, n, "http://127.") ||
	      starts(url, n, "http://[::1]")))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr(" \t\r\n\"<>\\", url[i]))
			return false;
	return true;
}

int trm_identity_set_url(store *db, const char *url)
{
	if (!url || !trm_url_ok(url, strlen(url)))
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_URL, &st))) {
		store_bind_text(st, 1, url, strlen(url));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
	}
	return rc;
}

static int key_field(buf *out, const char *name, const unsigned char *k, size_t n)
{
	buf b;
	buf_init(&b, 256);
	int rc = crypto_base64_encode(k, n, &b);
	if (!rc)
		rc = json_field_str(out, false, name, b.data);
	buf_release(&b);
	return rc;
}

int trm_identity_json(const trm_self *s, buf *out)
{
	int rc = buf_putc(out, '{');
	if (!rc)
		rc = json_field_str(out, true, "instance_id", s->instance_id);
	if (!rc)
		rc = json_field_str(out, false, "name", s->name);
	if (!rc)
		rc = json_field_str(out, false, "country", s->country);
	if (!rc)
		rc = json_field_str(out, false, "url", s->url);
	if (!rc)
		rc = key_field(out, "sign_key", s->sign_pk, sizeof(s->sign_pk));
	if (!rc)
		rc = key_field(out, "box_key", s->box_pk, sizeof(s->box_pk));
	if (!rc)
		rc = json_field_str(out, false, "fingerprint", s->fingerprint);
	return rc ? rc : buf_putc(out, '}');
}
