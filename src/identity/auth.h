/*
 * auth.h: logging in and out, sessions and API tokens.
 *
 * Invariants:
 * - Tokens are 256-bit random values; the database stores only their BLAKE2b-256 hash.
 *   A web session has an idle timeout (30 min) and an absolute lifetime (12 h); an API token
 *   expires after 12 h; all are configurable in the settings table and can be revoked.
 * - A login fails with one answer (PONTE_EDENIED) whatever the reason: unknown account,
 *   wrong password, wrong or missing second factor, locked or disabled account. An unknown
 *   account still costs one argon2id verification, so timing tells nothing either.
 * - Repeated failures per account (by the blind index of the e-mail, known or not) and per
 *   client address back off exponentially (PONTE_ELIMIT with a retry delay), up to 15 min.
 *   Each attempt is reserved before its password is checked, so parallel attempts never get
 *   more password checks than the allowance.
 * - Every attempt, success or failure, is in the audit trail, without the e-mail address.
 */
#ifndef PONTE_AUTH_H
#define PONTE_AUTH_H

#include "identity/identity.h"

enum auth_kind { AUTH_WEB, AUTH_API };

typedef struct auth_settings {
	int idle_minutes;
	int absolute_hours;
	int api_hours;
} auth_settings;

int auth_settings_load(store *db, auth_settings *s);

typedef struct login_request {
	const char *email;
	const char *password;
	const char *totp; /* NULL or "" when not given */
	const char *client;
	int kind;
	int64_t now; /* seconds since the epoch; 0 = now */
} login_request;

typedef struct login_result {
	char token[CRYPTO_TOKEN_TEXT];
	int64_t expires_at;
	int64_t user_id;
	int retry_after;            /* seconds, when throttled */
	bool second_factor_missing; /* the account needs a TOTP code and none was given */
} login_result;

int auth_login(const keyed_store *env, const login_request *in, login_result *out);

/* A login to run off the request thread (http_defer): fill env and in, then pass
 * auth_login_job as the work function; rc and out hold the result. */
typedef struct login_job {
	keyed_store env;
	login_request in;
	login_result out;
	int rc;
} login_job;
void auth_login_job(void *job);
/* Validate a token and load its principal; PONTE_EDENIED if unknown, expired or revoked. */
int auth_session(const keyed_store *env, const char *token, int kind, int64_t now, principal *p);
int auth_logout(store *db, int64_t session_id);
int auth_logout_everywhere(store *db, int64_t user_id);
/* The message a browser session's next page shows once, saying what its last change did
 * (web_flash()): set replaces any earlier one (1 to SESSION_FLASH_MAX bytes, else
 * PONTE_EINVAL); take returns it (in a) and clears it in one statement, so two pages never
 * both show it; *text is NULL when there is none. It may name an organisation or a case
 * number, never a person: it is stored in clear with the session. */
#define SESSION_FLASH_MAX 500
int session_flash_set(store *db, int64_t session_id, const char *text);
int session_flash_take(store *db, arena *a, int64_t session_id, const char **text);
/* Check a TOTP code for a user (login and enrolment), refusing a replayed time step. */
int auth_totp_check(const keyed_store *env, int64_t user_id, const char *secret_base32,
		    const char *code, int64_t now);

/* Two-factor enrolment and recovery codes (totp_store.c). */
#define TOTP_RECOVERY_CODES 10
#define TOTP_RECOVERY_TEXT 12 /* "abcde-fghjk" + NUL */
int totp_state(const keyed_store *env, arena *a, int64_t user_id, const char **secret,
	       bool *enabled);
/* The pending secret (base32), created on first call; 2FA is not on until confirmed. */
int totp_begin(const keyed_store *env, arena *a, int64_t user_id, const char **secret);
/* Check a code against the pending secret, turn 2FA on, issue fresh recovery codes and end
 * every session and token of the user, in one transaction. Callers check the password first
 * (auth_enrol_totp). PONTE_EDENIED: wrong or replayed code; PONTE_EINVAL: nothing pending. */
int totp_confirm(const keyed_store *env, int64_t user_id, const char *code,
		 char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT], int64_t now);

/* Turning 2FA on (the enrolment form): the user's password typed again (throttled like a
 * login), then a code from the new authenticator app. On success every earlier session and
 * token of the user is over, and a new one of kind, opened with the second factor, is
 * returned with the recovery codes (shown once; wipe them after use). PONTE_ELIMIT with
 * retry_after; PONTE_EDENIED with wrong_password, or for a wrong code; PONTE_EINVAL when no
 * enrolment is pending. */
typedef struct enrol_request {
	int64_t user_id;
	const char *password;
	const char *code;
	const char *client;
	int kind;
	int64_t now; /* seconds since the epoch; 0 = now */
} enrol_request;

typedef struct enrol_result {
	char token[CRYPTO_TOKEN_TEXT];
	int64_t expires_at;
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT];
	int retry_after;
	bool wrong_password;
} enrol_result;

int auth_enrol_totp(const keyed_store *env, const enrol_request *in, enrol_result *out);

/* An enrolment to run off the request thread (http_defer), as login_job. */
typedef struct enrol_job {
	keyed_store env;
	enrol_request in;
	enrol_result out;
	int rc;
} enrol_job;
void auth_enrol_job(void *job);
/* An administrator resets a user's second factor (a lost phone), with a reason of 1 to
 * TOTP_RESET_REASON_MAX characters: the secret and the recovery codes go, every session and
 * token of the user ends, the user must enrol again at the next sign-in whatever the roles,
 * and the reset is recorded (who, when, the reason encrypted) with its audit event
 * "user.2fa_reset", in one transaction. The caller checks that by may manage the user.
 * PONTE_EINVAL: no reason, or too long; PONTE_ENOTFOUND: no such user. */
#define TOTP_RESET_REASON_MAX 500
int totp_reset(const keyed_store *env, const principal *by, int64_t user_id, const char *reason);
/* Spend a recovery code (each works once). */
int recovery_code_use(store *db, int64_t user_id, const char *code);
int auth_logout_others(store *db, int64_t user_id, int64_t keep_session);
/* A user changes their own password (argon2id twice: run it off the request thread): the
 * current one must be right (PONTE_EDENIED), the new one typed twice alike (PONTE_EINVAL,
 * *problem 0) and within the policy (PONTE_EINVAL, *problem an enum user_problem); then every
 * other session and token of the user ends (keep_session stays). */
int auth_change_password(store *db, int64_t user_id, int64_t keep_session, const char *current,
			 const char *fresh, const char *confirm, int *problem);

/* Throttling (throttle.c), in memory: keys are hashes, never addresses or e-mails. */
#define THROTTLE_ACCOUNT_FREE 5
#define THROTTLE_CLIENT_FREE 20
typedef struct throttle_key {
	unsigned char hash[32];
	int free_failures;     /* failures allowed before the back-off starts */
	bool success_forgives; /* a success forgets earlier failures (an account), or only
				  gives back its own reservation (an address) */
} throttle_key;
/* Reserve one attempt against every key at once, before the password is checked: 0 when
 * all of them allow it (it then counts as a failure of each until settled), or the seconds
 * to wait, with nothing reserved. Every 0 must be followed by exactly one throttle_settle. */
int throttle_reserve(const throttle_key *keys, size_t n, int64_t now_ms);
void throttle_settle(const throttle_key *keys, size_t n, int64_t now_ms, bool success);
void throttle_reset_all(void);

#endif
