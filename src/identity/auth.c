#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "audit/audit.h"
#include "base/clock.h"
#include "identity/auth.h"
#include "identity/fields.h"

static const char SQL_SETTINGS[] = "SELECT key, value FROM settings";
static const char SQL_ACCOUNT[] = "SELECT password_hash, status, totp_enabled, totp_secret_enc, "
				  "organisation_id FROM users WHERE id = ?1";
static const char SQL_HASH[] = "SELECT password_hash FROM users WHERE id = ?1";
static const char SQL_NEW_SESSION[] =
    "INSERT INTO sessions(token_hash, user_id, kind, csrf, created_at, last_seen, expires_at, "
    "second_factor) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)";
static const char SQL_SESSION[] =
    "SELECT s.id, s.user_id, s.kind, s.csrf, s.created_at, s.last_seen, s.expires_at, "
    "s.revoked, s.second_factor, u.totp_enabled, s.flash IS NOT NULL "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = ?1";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen = ?2 WHERE id = ?1";
static const char SQL_FLASH_SET[] = "UPDATE sessions SET flash = ?2 WHERE id = ?1";
static const char SQL_FLASH_GET[] =
    "SELECT flash FROM sessions WHERE id = ?1 AND flash IS NOT NULL";
/* Compare-and-set: only the page that clears this very message shows it. */
static const char SQL_FLASH_CLEAR[] =
    "UPDATE sessions SET flash = NULL WHERE id = ?1 AND flash = ?2 "
    "RETURNING id";
static const char SQL_REVOKE[] = "UPDATE sessions SET revoked = 1 WHERE id = ?1";
static const char SQL_REVOKE_ALL[] = "UPDATE sessions SET revoked = 1 WHERE user_id = ?1";
static const char SQL_REVOKE_OTHERS[] = "UPDATE sessions SET revoked = 1 WHERE user_id = ?1 "
					"AND id <> ?2";
static const char SQL_TOTP_STEP[] = "UPDATE users SET totp_last_step = ?2 "
				    "WHERE id = ?1 AND totp_last_step < ?2";

int auth_settings_load(store *db, auth_settings *s)
{
	*s = (auth_settings){ 30, 12, 12 };
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_SETTINGS, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *k = store_col_text(st, 0, NULL), *v = store_col_text(st, 1, NULL);
		long n = v ? strtol(v, NULL, 10) : 0;
		if (n <= 0 || n > 24 * 365)
			continue;
		if (!strcmp(k, "session_idle_minutes"))
			s->idle_minutes = (int)n;
		else if (!strcmp(k, "session_absolute_hours"))
			s->absolute_hours = (int)n;
		else if (!strcmp(k, "api_token_hours"))
			s->api_hours = (int)n;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* A hash to compare against when the account does not exist, so that the time spent is the
 * same as for a wrong password. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
	crypto_password_hash("ponte-no-such-account-placeholder", dummy_hash);
}

static void hash_key(const char *purpose, const char *value, unsigned char out[32])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_generichash_update(&h, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&h, out, 32);
}

struct account {
	char hash[128];
	int status;
	bool totp_enabled;
	const char *totp_secret;
	int64_t organisation_id;
};

static int load_account(const keyed_store *env, arena *a, int64_t id, struct account *acc)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_ACCOUNT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if (!(rc = store_step_one(st))) {
		snprintf(acc->hash, sizeof(acc->hash), "%s", store_col_text(st, 0, NULL));
		acc->status = user_status_from_name(store_col_text(st, 1, NULL));
		acc->totp_enabled = store_col_int64(st, 2) != 0;
		size_t n;
		const void *b = store_col_blob(st, 3, &n);
		acc->totp_secret =
		    n ? field_decrypt(env, a, "users", "totp_secret", id, b, n) : NULL;
		acc->organisation_id = store_col_int64(st, 4);
		store_reset(st);
	}
	return rc;
}

/* second_factor: the session was opened with a TOTP or recovery code, not the password alone. */
static int new_session(store *db, int64_t user_id, int kind, int64_t now, int64_t expires,
		       bool second_factor, char token[CRYPTO_TOKEN_TEXT])
{
	unsigned char hash[CRYPTO_HASH_BYTES], csrf_hash[CRYPTO_HASH_BYTES];
	char csrf[CRYPTO_TOKEN_TEXT];
	crypto_token_new(token, hash);
	crypto_token_new(csrf, csrf_hash);
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_NEW_SESSION, &st);
	if (rc)
		return rc;
	const char *k = kind == AUTH_API ? "api" : "web";
	store_bind_blob(st, 1, hash, sizeof(hash));
	store_bind_int64(st, 2, user_id);
	store_bind_text(st, 3, k, strlen(k));
	store_bind_text(st, 4, csrf, strlen(csrf));
	store_bind_int64(st, 5, now);
	store_bind_int64(st, 6, expires);
	store_bind_int64(st, 7, second_factor ? 1 : 0);
	return store_run(st);
}

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static void init_oath(void)
{
	oath_init();
}

int auth_totp_check(const keyed_store *env, int64_t user_id, const char *secret_base32,
		    const char *code, int64_t now)
{
	if (!secret_base32 || !code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return PONTE_EDENIED;
	pthread_once(&oath_once, init_oath);
	char *secret = NULL;
	size_t secret_len = 0;
	if (oath_base32_decode(secret_base32, strlen(secret_base32), &secret, &secret_len) !=
	    OATH_OK)
		return PONTE_EDENIED;
	int pos = 0;
	uint64_t counter = 0;
	/* One step of clock drift either way. */
	int r = oath_totp_validate3(secret, secret_len, (time_t)now,
				    OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 1, &pos, &counter, code);
	sodium_memzero(secret, secret_len);
	free(secret);
	if (r < 0)
		return PONTE_EDENIED;
	/* Each time step is accepted once: a code seen on the wire cannot be replayed. */
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_TOTP_STEP, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	store_bind_int64(st, 2, (int64_t)counter);
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc;
	return store_changes(c) == 1 ? 0 : PONTE_EDENIED;
}

/* A user's own action on their account (user_id 0: an account that is not known). */
static void audit_account(store *db, const char *action, int64_t user_id, int64_t org_id,
			  const char *outcome, const char *client)
{
	audit_event e = { .user_id = user_id,
			  .organisation_id = org_id,
			  .action = action,
			  .object_type = user_id ? "user" : "",
			  .outcome = outcome,
			  .client = client };
	char id[24] = "";
	if (user_id)
		snprintf(id, sizeof(id), "%lld", (long long)user_id);
	e.object_id = id;
	audit_append(db, &e);
}

static void audit_login(store *db, int64_t user_id, int64_t org_id, const char *outcome,
			const char *client, int kind)
{
	audit_account(db, kind == AUTH_API ? "login.api" : "login", user_id, org_id, outcome,
		      client);
}

/* The throttle keys of an attempt with an account's password: the account (by the blind
 * index of its e-mail, known or not) and the client address. Logins and the password typed
 * again at enrolment count against the same keys. */
static void attempt_keys(const keyed_store *env, const char *email, const char *client,
			 throttle_key keys[2])
{
	memset(keys, 0, 2 * sizeof(*keys));
	keys[0].free_failures = THROTTLE_ACCOUNT_FREE;
	keys[0].success_forgives = true;
	keys[1].free_failures = THROTTLE_CLIENT_FREE;
	char norm[256];
	if (email_normalise(email, norm, sizeof(norm)))
		crypto_blind_index(env->keys, "login.throttle", norm, strlen(norm), keys[0].hash);
	else
		hash_key("login.throttle.raw", email, keys[0].hash);
	hash_key("login.client", client, keys[1].hash);
}

int auth_login(const keyed_store *env, const login_request *in, login_result *out)
{
	memset(out, 0, sizeof(*out));
	pthread_once(&dummy_once, make_dummy);
	int64_t now = in->now ? in->now : (int64_t)time(NULL);
	int64_t now_ms = now * 1000;
	const char *email = in->email ? in->email : "",
		   *password = in->password ? in->password : "";
	const char *client = in->client ? in->client : "";

	throttle_key keys[2];
	attempt_keys(env, email, client, keys);
	/* Reserved before the password is checked, so that parallel guesses cannot all pass. */
	out->retry_after = throttle_reserve(keys, ARRAY_LEN(keys), now_ms);
	if (out->retry_after) {
		audit_login(env->db, 0, 0, "denied", client, in->kind);
		return PONTE_ELIMIT;
	}

	arena a;
	arena_init(&a, 1 << 20);
	int64_t id = 0;
	struct account acc = { 0 };
	bool known =
	    user_find_by_email(env, email, &id) == 0 && load_account(env, &a, id, &acc) == 0;
	bool ok = crypto_password_verify(known ? acc.hash : dummy_hash, password) == 0 && known;
	ok = ok && acc.status == USER_ACTIVE;
	if (ok && acc.totp_enabled) {
		if (!in->totp || !*in->totp) {
			out->second_factor_missing = true;
			ok = false;
		} else if (strlen(in->totp) == 6 && strspn(in->totp, "0123456789") == 6) {
			ok = auth_totp_check(env, id, acc.totp_secret, in->totp, now) == 0;
		} else {
			ok = recovery_code_use(env->db, id, in->totp) == 0;
		}
	}
	arena_release(&a);
	/* The attempt's outcome is known now (argon2id took a while): its back-off runs from here. */
	throttle_settle(keys, ARRAY_LEN(keys), in->now ? now_ms : clock_wall_ms(), ok);
	if (!ok) {
		audit_login(env->db, known ? id : 0, known ? acc.organisation_id : 0, "failure",
			    client, in->kind);
		return PONTE_EDENIED;
	}
	auth_settings s;
	int rc = auth_settings_load(env->db, &s);
	if (rc)
		return rc;
	int64_t expires = now + (in->kind == AUTH_API ? s.api_hours : s.absolute_hours) * 3600;
	/* ok with 2FA on means a code was checked above. */
	rc = new_session(env->db, id, in->kind, now, expires, acc.totp_enabled, out->token);
	if (rc)
		return rc;
	if (crypto_password_needs_rehash(acc.hash)) {
		int problem;
		user_set_password(env->db, id, password, &problem);
	}
	out->expires_at = expires;
	out->user_id = id;
	audit_login(env->db, id, acc.organisation_id, "success", client, in->kind);
	return 0;
}

/* The reads of auth_session, in one read transaction. */
static int session_read(const keyed_store *env, const unsigned char hash[CRYPTO_HASH_BYTES],
			int kind, int64_t now, principal *p, int64_t *last_seen)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_SESSION, &st);
	if (rc)
		return rc;
	store_bind_blob(st, 1, hash, CRYPTO_HASH_BYTES);
	rc = store_step(st);
	if (rc != STORE_ROW) {
		store_reset(st);
		return rc < 0 ? rc : PONTE_EDENIED;
	}
	int64_t session_id = store_col_int64(st, 0), user_id = store_col_int64(st, 1);
	bool right_kind =
	    strcmp(store_col_text(st, 2, NULL), kind == AUTH_API ? "api" : "web") == 0;
	char csrf[CRYPTO_TOKEN_TEXT];
	snprintf(csrf, sizeof(csrf), "%s", store_col_text(st, 3, NULL));
	*last_seen = store_col_int64(st, 5);
	int64_t expires = store_col_int64(st, 6);
	bool revoked = store_col_int64(st, 7) != 0;
	/* Opened with the password alone while 2FA is on: before enrolment, or by a login that
	 * was still checking the password when enrolment ended the others. Never honoured. */
	bool password_only = store_col_int64(st, 8) == 0 && store_col_int64(st, 9) != 0;
	bool flash = store_col_int64(st, 10) != 0;
	store_reset(st);
	auth_settings s;
	rc = auth_settings_load(env->db, &s);
	if (rc)
		return rc;
	if (!right_kind || revoked || password_only || now >= expires ||
	    (kind == AUTH_WEB && now - *last_seen > (int64_t)s.idle_minutes * 60))
		return PONTE_EDENIED;
	rc = principal_load(env->db, user_id, p);
	if (rc)
		return rc == PONTE_ENOTFOUND ? PONTE_EDENIED : rc; /* locked or disabled since */
	p->session_id = session_id;
	p->api = kind == AUTH_API;
	p->flash_waiting = flash && kind == AUTH_WEB;
	memcpy(p->csrf, csrf, sizeof(csrf));
	return 0;
}

void auth_login_job(void *arg)
{
	login_job *job = arg;
	job->rc = auth_login(&job->env, &job->in, &job->out);
}

int auth_enrol_totp(const keyed_store *env, const enrol_request *in, enrol_result *out)
{
	memset(out, 0, sizeof(*out));
	int64_t now = in->now ? in->now : (int64_t)time(NULL);
	int64_t now_ms = now * 1000;
	const char *client = in->client ? in->client : "";
	arena a;
	arena_init(&a, 1 << 20);
	user u;
	struct account acc = { 0 };
	int rc = user_get(env, &a, in->user_id, &u);
	if (!rc)
		rc = load_account(env, &a, in->user_id, &acc);
	if (rc)
		goto out;
	/* The password typed again is a guess like a login's, and counts against the same keys:
	 * a stolen session cookie alone does not turn 2FA on, nor try passwords for free. */
	throttle_key keys[2];
	attempt_keys(env, u.email, client, keys);
	out->retry_after = throttle_reserve(keys, ARRAY_LEN(keys), now_ms);
	if (out->retry_after) {
		audit_account(env->db, "user.2fa.enable", in->user_id, u.organisation_id, "denied",
			      client);
		rc = PONTE_ELIMIT;
		goto out;
	}
	bool right = crypto_password_verify(acc.hash, in->password ? in->password : "") == 0;
	throttle_settle(keys, ARRAY_LEN(keys), in->now ? now_ms : clock_wall_ms(), right);
	if (!right) {
		out->wrong_password = true;
		audit_account(env->db, "user.2fa.enable", in->user_id, u.organisation_id, "failure",
			      client);
		rc = PONTE_EDENIED;
		goto out;
	}
	/* Turns 2FA on and ends every session and token the user had, in one transaction. */
	rc = totp_confirm(env, in->user_id, in->code ? in->code : "", out->codes, now);
	if (rc)
		goto out;
	audit_account(env->db, "user.2fa.enable", in->user_id, u.organisation_id, "success",
		      client);
	auth_settings s;
	rc = auth_settings_load(env->db, &s);
	if (rc)
		goto out;
	out->expires_at = now + (in->kind == AUTH_API ? s.api_hours : s.absolute_hours) * 3600;
	rc = new_session(env->db, in->user_id, in->kind, now, out->expires_at, true, out->token);
out:
	arena_release(&a);
	return rc;
}

void auth_enrol_job(void *arg)
{
	enrol_job *job = arg;
	job->rc = auth_enrol_totp(&job->env, &job->in, &job->out);
}

int auth_session(const keyed_store *env, const char *token, int kind, int64_t now, principal *p)
{
	if (!token || strlen(token) != CRYPTO_TOKEN_TEXT - 1)
		return PONTE_EDENIED;
	if (!now)
		now = (int64_t)time(NULL);
	unsigned char hash[CRYPTO_HASH_BYTES];
	crypto_token_hash(token, hash);
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc)
		return rc;
	int64_t last_seen = 0;
	rc = session_read(env, hash, kind, now, p, &last_seen);
	store_commit(c);
	if (rc)
		return rc;
	/* Record activity at most once a minute, outside the read: reads stay reads. */
	store_stmt *st;
	if (now - last_seen >= 60 && store_prepare(c, SQL_TOUCH, &st) == 0) {
		store_bind_int64(st, 1, p->session_id);
		store_bind_int64(st, 2, now);
		store_step(st);
		store_reset(st);
	}
	return 0;
}

int session_flash_set(store *db, int64_t session_id, const char *text)
{
	if (!text || !*text || strlen(text) > SESSION_FLASH_MAX)
		return PONTE_EINVAL;
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_FLASH_SET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, session_id);
	store_bind_text(st, 2, text, strlen(text));
	return store_run(st);
}

int session_flash_take(store *db, arena *a, int64_t session_id, const char **text)
{
	*text = NULL;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_FLASH_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, session_id);
	const char *seen = NULL;
	rc = store_step(st);
	if (rc == STORE_ROW && !(seen = store_col_dup(a, st, 0)))
		rc = PONTE_ENOMEM;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : 0;
	if ((rc = store_prepare(c, SQL_FLASH_CLEAR, &st)))
		return rc;
	store_bind_int64(st, 1, session_id);
	store_bind_text(st, 2, seen, strlen(seen));
	rc = store_step(st);
	store_reset(st);
	if (rc == STORE_ROW)
		*text = seen; /* another page took it first: STORE_DONE, nothing shown */
	return rc < 0 ? rc : 0;
}

static int revoke(store *db, const char *sql, int64_t id)
{
	store_stmt *st;
	int rc = store_stmt_get(db, sql, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	return store_run(st);
}

int auth_logout(store *db, int64_t session_id)
{
	return revoke(db, SQL_REVOKE, session_id);
}

int auth_logout_others(store *db, int64_t user_id, int64_t keep_session)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_REVOKE_OTHERS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	store_bind_int64(st, 2, keep_session);
	return store_run(st);
}

int auth_logout_everywhere(store *db, int64_t user_id)
{
	return revoke(db, SQL_REVOKE_ALL, user_id);
}

int auth_change_password(store *db, int64_t user_id, int64_t keep_session, const char *current,
			 const char *fresh, const char *confirm, int *problem)
{
	*problem = 0;
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_HASH, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	char hash[128] = "";
	if (store_step(st) == STORE_ROW)
		snprintf(hash, sizeof(hash), "%s", store_col_text(st, 0, NULL));
	store_reset(st);
	if (crypto_password_verify(hash, current ? current : "") != 0)
		return PONTE_EDENIED;
	if (!fresh || !confirm || strcmp(fresh, confirm) != 0)
		return PONTE_EINVAL;
	rc = user_set_password(db, user_id, fresh, problem);
	return rc ? rc : auth_logout_others(db, user_id, keep_session);
}
