/* Two-factor enrolment (TOTP, RFC 6238) and recovery codes. */
#include <ctype.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "identity/auth.h"
#include "identity/fields.h"

static const char SQL_SECRET[] = "SELECT totp_secret_enc, totp_enabled FROM users WHERE id = ?1";
static const char SQL_SET_SECRET[] = "UPDATE users SET totp_secret_enc = ?2, totp_enabled = 0 "
				     "WHERE id = ?1";
static const char SQL_ENABLE[] = "UPDATE users SET totp_enabled = 1, must_enrol = 0 WHERE id = ?1";
/* A reset by an administrator: no secret, no codes, enrolment required at the next sign-in. */
static const char SQL_RESET[] = "UPDATE users SET totp_secret_enc = NULL, totp_enabled = 0, "
				"totp_last_step = 0, must_enrol = 1 WHERE id = ?1";
static const char SQL_RESET_ADD[] = "INSERT INTO second_factor_resets(user_id, by_user_id, "
				    "reason_enc, reset_at) VALUES (?1, ?2, ?4, ?3)";
static const char SQL_RESET_REASON[] =
    "UPDATE second_factor_resets SET reason_enc = ?2 WHERE id = ?1";
static const char SQL_CLEAR_CODES[] = "DELETE FROM recovery_codes WHERE user_id = ?1";
static const char SQL_ADD_CODE[] = "INSERT INTO recovery_codes(user_id, code_hash) VALUES (?1, ?2)";
/* Sessions opened before enrolment had the password alone: they end when 2FA starts. */
static const char SQL_END_SESSIONS[] = "UPDATE sessions SET revoked = 1 WHERE user_id = ?1";
static const char SQL_USE_CODE[] = "UPDATE recovery_codes SET used_at = ?3 WHERE user_id = ?1 "
				   "AND code_hash = ?2 AND used_at IS NULL";

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static void init_oath(void)
{
	oath_init();
}

/* The user's TOTP secret (base32) and whether 2FA is on; secret NULL when none yet. */
int totp_state(const keyed_store *env, arena *a, int64_t user_id, const char **secret,
	       bool *enabled)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_SECRET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	rc = store_step(st);
	*secret = NULL;
	*enabled = false;
	if (rc == STORE_ROW) {
		size_t n;
		const void *b = store_col_blob(st, 0, &n);
		*secret = n ? field_decrypt(env, a, "users", "totp_secret", user_id, b, n) : NULL;
		*enabled = store_col_int64(st, 1) != 0;
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = PONTE_ENOTFOUND;
	}
	store_reset(st);
	return rc;
}

int totp_begin(const keyed_store *env, arena *a, int64_t user_id, const char **secret)
{
	bool enabled;
	int rc = totp_state(env, a, user_id, secret, &enabled);
	if (rc || *secret)
		return rc; /* keep a pending secret: a reload must not invalidate a scanned code */
	pthread_once(&oath_once, init_oath);
	unsigned char raw[20];
	crypto_random(raw, sizeof(raw));
	char *b32 = NULL;
	size_t b32len = 0;
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &b32len) != OATH_OK)
		return PONTE_ENOMEM;
	crypto_wipe(raw, sizeof(raw));
	while (b32len && b32[b32len - 1] == '=')
		b32[--b32len] = '\0';
	buf enc;
	buf_init(&enc, 4096);
	rc = field_encrypt(env, "users", "totp_secret", user_id, b32, &enc);
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_SET_SECRET, &st);
	if (!rc) {
		store_bind_int64(st, 1, user_id);
		store_bind_blob(st, 2, enc.data, enc.len);
		rc = store_run(st);
	}
	buf_release(&enc);
	*secret = rc ? NULL : arena_strdup(a, b32);
	sodium_memzero(b32, b32len);
	free(b32);
	return rc;
}

static void code_hash(const char *code, unsigned char out[32])
{
	char norm[32];
	size_t n = 0;
	for (const char *p = code; *p && n + 1 < sizeof(norm); p++)
		if (isalnum((unsigned char)*p))
			norm[n++] = (char)tolower((unsigned char)*p);
	norm[n] = '\0';
	crypto_generichash(out, 32, (const unsigned char *)norm, n, NULL, 0);
}

int totp_confirm(const keyed_store *env, int64_t user_id, const char *code,
		 char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT], int64_t now)
{
	arena a;
	arena_init(&a, 64 * 1024);
	const char *secret;
	bool enabled;
	int rc = totp_state(env, &a, user_id, &secret, &enabled);
	if (!rc && (!secret || enabled))
		rc = PONTE_EINVAL;
	pthread_once(&oath_once, init_oath);
	if (!rc)
		rc =
		    auth_totp_check(env, user_id, secret, code, now ? now : clock_wall_ms() / 1000);
	arena_release(&a);
	if (rc)
		return rc;
	store_conn *c;
	store_stmt *st;
	rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	if (!(rc = store_prepare(c, SQL_ENABLE, &st))) {
		store_bind_int64(st, 1, user_id);
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	if (!rc && !(rc = store_prepare(c, SQL_END_SESSIONS, &st))) {
		store_bind_int64(st, 1, user_id);
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	if (!rc && !(rc = store_prepare(c, SQL_CLEAR_CODES, &st))) {
		store_bind_int64(st, 1, user_id);
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	/* Ten codes of 10 characters from an unambiguous alphabet, shown once, stored hashed. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	for (int i = 0; !rc && i < TOTP_RECOVERY_CODES; i++) {
		char *t = codes[i];
		for (int k = 0, o = 0; k < 10; k++) {
			if (k == 5)
				t[o++] = '-';
			t[o++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
			t[o] = '\0';
		}
		unsigned char h[32];
		code_hash(t, h);
		if (!(rc = store_prepare(c, SQL_ADD_CODE, &st))) {
			store_bind_int64(st, 1, user_id);
			store_bind_blob(st, 2, h, 32);
			rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
			store_reset(st);
		}
	}
	return store_finish(c, rc);
}

int recovery_code_use(store *db, int64_t user_id, const char *code)
{
	unsigned char h[32];
	code_hash(code, h);
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_USE_CODE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	store_bind_blob(st, 2, h, 32);
	store_bind_text(st, 3, when, strlen(when));
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc;
	return store_changes(c) == 1 ? 0 : PONTE_EDENIED;
}

/* One statement of a reset on the user (or the reset row), inside the transaction. */
static int reset_step(store_conn *c, const char *sql, int64_t id)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
	store_reset(st);
	return rc;
}

int totp_reset(const keyed_store *env, const principal *by, int64_t user_id, const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		blank &= isspace((unsigned char)reason[i]) != 0;
	if (blank || !utf8_valid_text(reason, n) || utf8_length(reason, n) > TOTP_RESET_REASON_MAX)
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	if (!(rc = reset_step(c, SQL_RESET, user_id)) && store_changes(c) != 1)
		rc = PONTE_ENOTFOUND;
	if (!rc)
		rc = reset_step(c, SQL_CLEAR_CODES, user_id);
	if (!rc)
		rc = reset_step(c, SQL_END_SESSIONS, user_id);
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	int64_t id = 0;
	if (!rc && !(rc = store_prepare(c, SQL_RESET_ADD, &st))) {
		store_bind_int64(st, 1, user_id);
		store_bind_int64(st, 2, by->user_id);
		store_bind_text(st, 3, when, strlen(when));
		static const unsigned char none; /* an empty reason until it is encrypted below */
		store_bind_blob(st, 4, &none, 0);
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
		id = store_last_insert_id(c);
	}
	buf cipher;
	buf_init(&cipher, 1024);
	if (!rc)
		rc = field_encrypt(env, "second_factor_resets", "reason_enc", id, reason, &cipher);
	if (!rc && !(rc = store_prepare(c, SQL_RESET_REASON, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_blob(st, 2, cipher.data, cipher.len);
		rc = store_step(st) < 0 ? PONTE_ESTORE : 0;
		store_reset(st);
	}
	buf_release(&cipher);
	if (!rc)
		rc = principal_audit(env->db, by, "user.2fa_reset", "user", user_id, "success",
				     true);
	return store_finish(c, rc);
}
