/*
 * identity.h: organisations, users, roles, grants and the principal of a request.
 *
 * Invariants:
 * - A user's name, e-mail and phone are personal data: stored only encrypted (crypto.h),
 *   bound to users.<column>.<id>; the e-mail is found through its blind index (lower-case,
 *   trimmed). Nothing here logs or returns them except to a caller allowed to read the user.
 * - A principal carries the grants of all its roles; a permission's scope is the widest any
 *   role grants. Checks are deny by default: no grant, no access.
 * - Record-level checks answer "not found" for records outside the scope, so callers cannot
 *   learn whether a record exists.
 * - Strings returned live in the caller's arena.
 */
#ifndef PONTE_IDENTITY_H
#define PONTE_IDENTITY_H

#include "base/arena.h"
#include "crypto/crypto.h"
#include "store/store.h"

enum scope { SCOPE_NONE = 0, SCOPE_OWN, SCOPE_ORGANISATION, SCOPE_COUNTRY, SCOPE_ALL };

#define IDENTITY_MAX_GRANTS 64
#define IDENTITY_MAX_ROLES 16

typedef struct grant {
	char permission[40];
	int scope;
} grant;

/* Who is making a request, and what they may do. */
typedef struct principal {
	int64_t user_id;
	int64_t organisation_id;
	char country[3];
	char language[3];
	int64_t session_id;
	bool api; /* bearer token rather than a browser session */
	char csrf[CRYPTO_TOKEN_TEXT];
	grant grants[IDENTITY_MAX_GRANTS];
	size_t ngrants;
	bool needs_2fa;     /* a role requires 2FA and the user has not enrolled yet */
	char client[48];    /* the client address, for the audit trail */
	bool flash_waiting; /* a browser session with a message for its next page */
} principal;

int principal_scope(const principal *p, const char *permission);
bool principal_can(const principal *p, const char *permission);
/* Whether a record owned by (user, organisation, country) is within the scope of permission. */
bool principal_can_see(const principal *p, const char *permission, int64_t owner_user,
		       int64_t organisation_id, const char *country);
const char *scope_name(int scope);
/* Append to the audit trail that p did action to the record (type, id; id 0: none) with
 * outcome ("success", "failure", "denied"). in_transaction: inside the caller's write
 * transaction, so the record and its trace are written together. */
int principal_audit(store *db, const principal *p, const char *action, const char *type, int64_t id,
		    const char *outcome, bool in_transaction);
/* The same for a read that changed nothing: group-committed with other reads
 * (audit_append_read), so readers do not wait for a disk write each. */
int principal_audit_read(store *db, const principal *p, const char *action, const char *type,
			 int64_t id, const char *outcome);

/* The store with the keyring that opens its encrypted columns: what any module that keeps
 * personal data (identity.h: names, e-mails; cases, referrals, ...) needs to read and write it. */
typedef struct keyed_store {
	store *db;
	crypto_keyring *keys;
} keyed_store;

/* ---- organisations ---- */
typedef struct organisation {
	int64_t id;
	const char *code, *name, *country, *type;
	int64_t parent_id; /* 0 when none */
	bool focal_point;
} organisation;

bool org_type_valid(store *db, const char *type);
bool country_known(store *db, const char *code);
/* 1 when code is a known country, 0 when not, negative when the store could not tell (no
 * memory, a failure): for checks of what a user sent, where only 0 is the user's mistake. */
int country_check(store *db, const char *code);
/* Whether name is a country's name in English, French or Portuguese (any case; accents as
 * written) or its ISO alpha-3 code. */
bool country_name_known(store *db, const char *name);
int org_add(store *db, const organisation *o, int64_t *id);
int org_get(store *db, arena *a, int64_t id, organisation *out);
int org_find(store *db, arena *a, const char *code, organisation *out);
typedef int (*org_fn)(const organisation *o, void *ctx);
/* Every organisation, in the order of the names for readers of the language called lang
 * (utf8_collate(), Arabic script first for an Arabic-script language; the code between two of
 * the same name). PONTE_ELIMIT past ORG_LIST_MAX organisations. */
#define ORG_LIST_MAX 16384
int org_list(store *db, arena *a, const char *lang, org_fn fn, void *ctx);

/* Countries (code, name in lang: "fr", "pt", "es", "ar", else English), in the order of
 * the names (utf8_collate: "Égypte" with the E's); and organisation types (code, label: a
 * msgid for tr(), from the vocabulary "organisation.type"). */
typedef int (*country_fn)(const char *code, const char *name, void *ctx);
int country_list(store *db, arena *a, const char *lang, country_fn fn, void *ctx);
int org_type_list(store *db, arena *a, country_fn fn, void *ctx);
/* The name of the country code in lang, in the arena; the code itself when no country has it
 * ("" for NULL). How pages say a country: never its code. */
const char *country_label(store *db, arena *a, const char *lang, const char *code);
/* "SN,ML" as "Senegal, Mali" (names joined by sep). */
const char *country_labels(store *db, arena *a, const char *lang, const char *csv, const char *sep);

/* ---- roles ---- */
typedef struct role {
	int64_t id;
	const char *code, *name;
	bool requires_2fa;
} role;
int role_find(store *db, arena *a, const char *code, role *out);
typedef int (*role_fn)(const role *r, const grant *grants, size_t ngrants, void *ctx);
int role_list(store *db, arena *a, role_fn fn, void *ctx);

/* ---- users ---- */
enum user_status { USER_ACTIVE, USER_LOCKED, USER_DISABLED };

typedef struct user {
	int64_t id;
	const char *email, *name, *phone; /* decrypted */
	int64_t organisation_id;
	const char *organisation_code, *organisation_name, *country;
	const char *language;
	int status;
	const char *roles[IDENTITY_MAX_ROLES];
	size_t nroles;
	bool totp_enabled;
	const char *created_at;
} user;

typedef struct user_input {
	const char *email, *name, *phone; /* phone may be NULL */
	const char *organisation_code;
	const char *roles[IDENTITY_MAX_ROLES];
	size_t nroles;
	const char *password;
	const char *language; /* NULL: "en" */
	/* An argon2id hash computed once for many accounts with the same password (demo data);
	 * when set, password is not hashed again (its policy is still checked). */
	const char *password_hash;
} user_input;

/* Why a user could not be created: for messages in the user's language. */
enum user_problem {
	USER_OK = 0,
	USER_BAD_EMAIL,
	USER_BAD_NAME,
	USER_BAD_PHONE,
	USER_UNKNOWN_ORG,
	USER_UNKNOWN_ROLE,
	USER_NO_ROLE,
	USER_EMAIL_TAKEN,
	USER_BAD_LANGUAGE,
	USER_PASSWORD_SHORT,
	USER_PASSWORD_COMMON,
	USER_PASSWORD_LONG,
};
const char *user_problem_message(int problem); /* a msgid */

/* Normalised e-mail (lower-case, trimmed) into out; false if it is not an address. */
bool email_normalise(const char *in, char *out, size_t outlen);
/* 0 or a USER_PASSWORD_* problem. */
int password_policy_check(const char *password);

int user_add(const keyed_store *env, const user_input *in, int64_t *id, int *problem);
int user_get(const keyed_store *env, arena *a, int64_t id, user *out);
/* The id for a login e-mail, or PONTE_ENOTFOUND. */
int user_find_by_email(const keyed_store *env, const char *email, int64_t *id);
typedef int (*user_fn)(const user *u, void *ctx);
int user_list(const keyed_store *env, arena *a, user_fn fn, void *ctx);
/* The users who may write social-service cases (a role with case.social.write) in an
 * organisation (organisation_id > 0) or a country (country not "") or anywhere (neither;
 * none of them when organisation_id < 0), and the users whose ids also lists (",3,17,": owners of cases whatever their roles now):
 * id and name, in the order of the names for readers of lang (utf8_collate(), Arabic script first for an Arabic-script language). For lists that name a case's worker. */
typedef int (*user_name_fn)(int64_t id, const char *name, void *ctx);
int user_case_workers(const keyed_store *env, arena *a, int64_t organisation_id,
		      const char *country, const char *also, const char *lang, user_name_fn fn,
		      void *ctx);
int user_set_status(store *db, int64_t id, int status);
int user_set_language(store *db, int64_t id, const char *language);
int user_set_password(store *db, int64_t id, const char *password, int *problem);
const char *user_status_name(int status);
int user_status_from_name(const char *name);

/* ---- administration (admin_store.c) ---- */
typedef struct permission_info {
	const char *name;
	const char *description; /* a msgid */
} permission_info;
const permission_info *permission_list(size_t *n);
bool permission_known(const char *name);
int scope_from_text(const char *s); /* SCOPE_NONE if not a scope name */
/* Whether the user holds the role (by its code). */
bool user_has_role(store *db, int64_t user_id, const char *role_code);
/* Replace a user's roles (at least one). */
int user_set_roles(store *db, int64_t user_id, const char *const *roles, size_t n);
/* Grant a permission to a role with a scope (or change its scope); revoke it. */
int role_grant(store *db, const char *role_code, const char *permission, int scope);
int role_revoke(store *db, const char *role_code, const char *permission);

/* ---- settings (settings_store.c) ---- */
typedef int (*setting_fn)(const char *key, const char *value, void *ctx);
int setting_list(store *db, setting_fn fn, void *ctx);
/* PONTE_ENOTFOUND for an unknown key, PONTE_EINVAL for a value out of its range. */
int setting_set(store *db, const char *key, const char *value);
/* A whole-number setting, or fallback when it is missing or unreadable. */
long setting_get_int(store *db, const char *key, long fallback);
/* A setting's text into out (n bytes, cut to fit), or fallback when it is missing. */
void setting_get_text(store *db, const char *key, const char *fallback, char *out, size_t n);

/* The grants, organisation and country of a user, for a principal. */
int principal_load(store *db, int64_t user_id, principal *p);

#endif
