#include <ctype.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/fields.h"

static const char SQL_NEXT_ID[] = "SELECT coalesce(max(id), 0) + 1 FROM users";
static const char SQL_INSERT[] =
    "INSERT INTO users(id, email_index, email_enc, name_enc, phone_enc, organisation_id, "
    "language, status, password_hash, password_changed_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8, ?9, ?9)";
static const char SQL_ADD_ROLE[] = "INSERT INTO user_roles(user_id, role_id) VALUES (?1, ?2)";
static const char SQL_EMAIL_TAKEN[] = "SELECT id FROM users WHERE email_index = ?1";
#define USER_COLUMNS                                                                               \
	"u.id, u.email_enc, u.name_enc, u.phone_enc, u.organisation_id, o.code, o.name, "          \
	"o.country, "                                                                              \
	"u.language, u.status, u.totp_enabled, u.created_at"
static const char SQL_GET[] = "SELECT " USER_COLUMNS " FROM users u JOIN organisations o "
			      "ON o.id = u.organisation_id WHERE u.id = ?1";
static const char SQL_LIST[] = "SELECT " USER_COLUMNS " FROM users u JOIN organisations o "
			       "ON o.id = u.organisation_id ORDER BY u.id";
/* Who may write social-service cases in an organisation (?1), a country (?2) or everywhere
 * (neither given; none when ?1 < 0), and the owners of cases ?3 names, whatever their roles. */
static const char SQL_WORKERS[] =
    "SELECT u.id, u.name_enc FROM users u JOIN organisations o ON o.id = u.organisation_id "
    "WHERE (u.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role_id IN "
    "(SELECT rp.role_id FROM role_permissions rp WHERE rp.permission = 'case.social.write')) "
    "AND ?1 >= 0 AND (?1 = 0 OR u.organisation_id = ?1) AND (?2 = '' OR o.country = ?2)) "
    "OR instr(?3, ',' || u.id || ',') > 0";
static const char SQL_ROLES[] =
    "SELECT r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
    "WHERE ur.user_id = ?1 ORDER BY r.id";
static const char SQL_STATUS[] =
    "UPDATE users SET status = ?2, failed_logins = 0, locked_until = 0 "
    "WHERE id = ?1";
static const char SQL_LANGUAGE[] = "UPDATE users SET language = ?2 WHERE id = ?1";
static const char SQL_PASSWORD[] = "UPDATE users SET password_hash = ?2, password_changed_at = ?3 "
				   "WHERE id = ?1";
static const char SQL_PRINCIPAL[] =
    "SELECT u.organisation_id, o.country, u.language, u.totp_enabled, "
    "(SELECT max(r.requires_2fa) FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
    " WHERE ur.user_id = u.id), "
    "(SELECT value FROM settings WHERE key = 'require_2fa_for_flagged_roles'), u.must_enrol "
    "FROM users u JOIN organisations o ON o.id = u.organisation_id "
    "WHERE u.id = ?1 AND u.status = 'active'";
static const char SQL_GRANTS[] =
    "SELECT rp.permission, max(CASE rp.scope WHEN 'own' THEN 1 WHEN 'organisation' THEN 2 "
    "WHEN 'country' THEN 3 WHEN 'all' THEN 4 END) "
    "FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id "
    "WHERE ur.user_id = ?1 GROUP BY rp.permission ORDER BY rp.permission";

const char *user_problem_message(int problem)
{
	switch (problem) {
	case USER_BAD_EMAIL: return N_("Enter a valid e-mail address.");
	case USER_BAD_NAME: return N_("Enter a name of 1 to 200 characters.");
	case USER_BAD_PHONE: return N_("Enter a phone number of digits, spaces and + - ( ) only.");
	case USER_UNKNOWN_ORG: return N_("There is no organisation with this code.");
	case USER_UNKNOWN_ROLE: return N_("There is no role with this code.");
	case USER_NO_ROLE: return N_("Give the user at least one role.");
	case USER_EMAIL_TAKEN: return N_("Another account already uses this e-mail address.");
	case USER_BAD_LANGUAGE: return N_("Choose one of the languages of the list.");
	case USER_PASSWORD_SHORT: return N_("The password must have at least 12 characters.");
	case USER_PASSWORD_COMMON:
		return N_("This password is one of the most common ones. Choose another.");
	case USER_PASSWORD_LONG: return N_("The password must have at most 256 bytes of text.");
	default: return N_("Check the form and try again.");
	}
}

/* What the states of an account are called. */
static const vocab_term USER_STATUSES[] = {
	{ "active", N_("active") },
	{ "locked", N_("locked") },
	{ "disabled", N_("disabled") },
};
VOCABULARY(user_statuses, "user.status", USER_STATUSES);

const char *user_status_name(int status)
{
	return status == USER_LOCKED ? "locked" : status == USER_DISABLED ? "disabled" : "active";
}

int user_status_from_name(const char *name)
{
	if (!strcmp(name, "active"))
		return USER_ACTIVE;
	if (!strcmp(name, "locked"))
		return USER_LOCKED;
	if (!strcmp(name, "disabled"))
		return USER_DISABLED;
	return -1;
}

bool email_normalise(const char *in, char *out, size_t outlen)
{
	while (*in == ' ' || *in == '\t')
		in++;
	size_t n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n < 3 || n > 254 || n >= outlen || !utf8_valid_text(in, n))
		return false;
	size_t at = 0, ats = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
		    c == '\\')
			return false;
		if (c == '@') {
			at = i;
			ats++;
		}
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	const char *domain = out + at + 1;
	return ats == 1 && at > 0 && at <= 64 && strchr(domain, '.') && domain[0] != '.' &&
	       out[n - 1] != '.';
}

static bool name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 0 && utf8_length(name, n) <= 200 && utf8_valid_text(name, n) &&
	       !strpbrk(name, "\r\n\t");
}

static bool phone_valid(const char *phone)
{
	size_t n = strlen(phone);
	if (n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789 +-().", phone[i]))
			return false;
	return true;
}

static void email_index(const keyed_store *env, const char *normalised, unsigned char out[32])
{
	crypto_blind_index(env->keys, "users.email", normalised, strlen(normalised), out);
}

int user_find_by_email(const keyed_store *env, const char *email, int64_t *id)
{
	char norm[256];
	if (!email_normalise(email, norm, sizeof(norm)))
		return PONTE_ENOTFOUND;
	unsigned char idx[32];
	email_index(env, norm, idx);
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_EMAIL_TAKEN, &st);
	if (rc)
		return rc;
	store_bind_blob(st, 1, idx, sizeof(idx));
	if (!(rc = store_step_one(st))) {
		*id = store_col_int64(st, 0);
		store_reset(st);
	}
	return rc;
}

static int validate(const keyed_store *env, const user_input *in, arena *a, char *norm,
		    size_t normlen, int64_t *org_id, int64_t *role_ids)
{
	if (!email_normalise(in->email ? in->email : "", norm, normlen))
		return USER_BAD_EMAIL;
	if (!name_valid(in->name))
		return USER_BAD_NAME;
	if (in->phone && *in->phone && !phone_valid(in->phone))
		return USER_BAD_PHONE;
	if (in->language && i18n_lang_from_tag(in->language, strlen(in->language)) < 0)
		return USER_BAD_LANGUAGE;
	organisation o;
	if (!in->organisation_code || org_find(env->db, a, in->organisation_code, &o) != 0)
		return USER_UNKNOWN_ORG;
	*org_id = o.id;
	if (in->nroles == 0)
		return USER_NO_ROLE;
	for (size_t i = 0; i < in->nroles; i++) {
		role r;
		if (role_find(env->db, a, in->roles[i], &r) != 0)
			return USER_UNKNOWN_ROLE;
		role_ids[i] = r.id;
	}
	int64_t existing;
	if (user_find_by_email(env, norm, &existing) == 0)
		return USER_EMAIL_TAKEN;
	return password_policy_check(in->password ? in->password : "");
}

static int next_id(store_conn *c, int64_t *id)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_NEXT_ID, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ESTORE;
}

static int insert_user(const keyed_store *env, store_conn *c, int64_t id, const user_input *in,
		       const char *norm, int64_t org_id, const int64_t *role_ids, const char *hash)
{
	buf email, name, phone;
	buf_init(&email, 4096);
	buf_init(&name, 4096);
	buf_init(&phone, 4096);
	unsigned char idx[32];
	email_index(env, norm, idx);
	bool has_phone = in->phone && *in->phone;
	int rc = field_encrypt(env, "users", "email", id, norm, &email);
	if (!rc)
		rc = field_encrypt(env, "users", "name", id, in->name, &name);
	if (!rc && has_phone)
		rc = field_encrypt(env, "users", "phone", id, in->phone, &phone);
	store_stmt *st;
	if (!rc)
		rc = store_prepare(c, SQL_INSERT, &st);
	if (!rc) {
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		const char *lang =
		    in->language
			? i18n_lang(i18n_lang_from_tag(in->language, strlen(in->language)))->code
			: "en";
		store_bind_int64(st, 1, id);
		store_bind_blob(st, 2, idx, sizeof(idx));
		store_bind_blob(st, 3, email.data, email.len);
		store_bind_blob(st, 4, name.data, name.len);
		if (has_phone)
			store_bind_blob(st, 5, phone.data, phone.len);
		store_bind_int64(st, 6, org_id);
		store_bind_text(st, 7, lang, strlen(lang));
		store_bind_text(st, 8, hash, strlen(hash));
		store_bind_text(st, 9, when, strlen(when));
		rc = store_run(st);
	}
	for (size_t i = 0; !rc && i < in->nroles; i++) {
		rc = store_prepare(c, SQL_ADD_ROLE, &st);
		if (rc)
			break;
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, role_ids[i]);
		rc = store_step(st);
		store_reset(st);
		/* The same role twice is harmless. */
		rc = rc < 0 && rc != PONTE_EEXIST ? rc : 0;
	}
	buf_release(&email);
	buf_release(&name);
	buf_release(&phone);
	return rc;
}

int user_add(const keyed_store *env, const user_input *in, int64_t *id, int *problem)
{
	arena a;
	arena_init(&a, 1 << 20);
	char norm[256];
	int64_t org_id = 0, role_ids[IDENTITY_MAX_ROLES];
	*problem = in->nroles > IDENTITY_MAX_ROLES
		       ? USER_UNKNOWN_ROLE
		       : validate(env, in, &a, norm, sizeof(norm), &org_id, role_ids);
	arena_release(&a);
	if (*problem)
		return PONTE_EINVAL;
	/* Hash before the transaction: argon2id takes a while and needs no lock. */
	char hash[128];
	int rc = 0;
	if (in->password_hash)
		snprintf(hash, sizeof(hash), "%s", in->password_hash);
	else
		rc = crypto_password_hash(in->password, hash);
	if (rc)
		return rc;
	store_conn *c;
	rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	int64_t new_id = 0;
	rc = next_id(c, &new_id);
	if (!rc)
		rc = insert_user(env, c, new_id, in, norm, org_id, role_ids, hash);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		if (rc == PONTE_EEXIST)
			*problem = USER_EMAIL_TAKEN;
		return rc;
	}
	if (id)
		*id = new_id;
	return 0;
}

static int load_roles(store_conn *c, arena *a, user *u)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_ROLES, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, u->id);
	u->nroles = 0;
	while ((rc = store_step(st)) == STORE_ROW && u->nroles < IDENTITY_MAX_ROLES)
		u->roles[u->nroles++] = store_col_dup(a, st, 0);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int user_from_row(const keyed_store *env, store_stmt *st, arena *a, user *u)
{
	size_t n;
	const void *b;
	memset(u, 0, sizeof(*u));
	u->id = store_col_int64(st, 0);
	b = store_col_blob(st, 1, &n);
	u->email = field_decrypt(env, a, "users", "email", u->id, b, n);
	b = store_col_blob(st, 2, &n);
	u->name = field_decrypt(env, a, "users", "name", u->id, b, n);
	b = store_col_blob(st, 3, &n);
	u->phone = n ? field_decrypt(env, a, "users", "phone", u->id, b, n) : "";
	u->organisation_id = store_col_int64(st, 4);
	u->organisation_code = store_col_dup(a, st, 5);
	u->organisation_name = store_col_dup(a, st, 6);
	u->country = store_col_dup(a, st, 7);
	u->language = store_col_dup(a, st, 8);
	u->status = user_status_from_name(store_col_text(st, 9, NULL));
	u->totp_enabled = store_col_int64(st, 10) != 0;
	u->created_at = store_col_dup(a, st, 11);
	/* A field that does not decrypt means a wrong key or tampering: never show garbage. */
	return u->email && u->name && u->phone && u->organisation_code ? 0 : PONTE_ESTORE;
}

int user_get(const keyed_store *env, arena *a, int64_t id, user *out)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if (!(rc = store_step_one(st))) {
		rc = user_from_row(env, st, a, out);
		store_reset(st);
	}
	if (!rc)
		rc = load_roles(c, a, out);
	return rc;
}

struct named {
	int64_t id;
	const char *name;
};

static int by_name(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = utf8_collate(a->name, b->name);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

static int by_name_arabic_first(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = utf8_collate_arabic_first(a->name, b->name);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

int user_case_workers(const keyed_store *env, arena *a, int64_t organisation_id,
		      const char *country, const char *also, const char *lang, user_name_fn fn,
		      void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_WORKERS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, organisation_id);
	store_bind_text(st, 2, country ? country : "", country ? strlen(country) : 0);
	store_bind_text(st, 3, also ? also : "", also ? strlen(also) : 0);
	size_t cap = 32, n = 0;
	struct named *all = arena_calloc(a, cap, sizeof(*all));
	while (all && (rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			struct named *more = arena_calloc(a, cap * 2, sizeof(*more));
			if (more)
				memcpy(more, all, n * sizeof(*all));
			all = more;
			cap *= 2;
			if (!all)
				break;
		}
		size_t len;
		const void *enc = store_col_blob(st, 1, &len);
		all[n].id = store_col_int64(st, 0);
		all[n].name = field_decrypt(env, a, "users", "name", all[n].id, enc, len);
		if (!all[n].name) {
			rc = PONTE_ESTORE;
			break;
		}
		n++;
	}
	store_reset(st);
	if (!all)
		return PONTE_ENOMEM;
	if (rc < 0)
		return rc;
	qsort(all, n, sizeof(*all), i18n_arabic_script(lang) ? by_name_arabic_first : by_name);
	for (size_t i = 0; i < n; i++)
		if ((rc = fn(all[i].id, all[i].name, ctx)))
			return rc;
	return 0;
}

int user_list(const keyed_store *env, arena *a, user_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	/* Collect ids first so the role query can use the connection. */
	size_t cap = 64, n = 0;
	user *users = arena_calloc(a, cap, sizeof(*users));
	while (users && (rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			user *more = arena_calloc(a, cap * 2, sizeof(*more));
			if (!more) {
				users = NULL;
				break;
			}
			memcpy(more, users, n * sizeof(*users));
			users = more;
			cap *= 2;
		}
		rc = user_from_row(env, st, a, &users[n]);
		if (rc)
			break;
		n++;
	}
	store_reset(st);
	if (!users)
		return PONTE_ENOMEM;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = load_roles(c, a, &users[i]);
		if (!rc)
			rc = fn(&users[i], ctx);
		if (rc)
			return rc;
	}
	return 0;
}

static int update_one(store *db, const char *sql, int64_t id, const char *v2, const char *v3)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, v2, strlen(v2));
	if (v3)
		store_bind_text(st, 3, v3, strlen(v3));
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc;
	return store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
}

int user_set_status(store *db, int64_t id, int status)
{
	return update_one(db, SQL_STATUS, id, user_status_name(status), NULL);
}

int user_set_language(store *db, int64_t id, const char *language)
{
	int lang = i18n_lang_from_tag(language, strlen(language));
	if (lang < 0)
		return PONTE_EINVAL;
	return update_one(db, SQL_LANGUAGE, id, i18n_lang(lang)->code, NULL);
}

int user_set_password(store *db, int64_t id, const char *password, int *problem)
{
	*problem = password_policy_check(password);
	if (*problem)
		return PONTE_EINVAL;
	char hash[128], when[CLOCK_RFC3339_LEN];
	int rc = crypto_password_hash(password, hash);
	if (rc)
		return rc;
	clock_format_rfc3339(clock_wall_ms(), when);
	return update_one(db, SQL_PASSWORD, id, hash, when);
}

int principal_load(store *db, int64_t user_id, principal *p)
{
	store_conn *c;
	store_stmt *st;
	memset(p, 0, sizeof(*p));
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PRINCIPAL, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		p->user_id = user_id;
		p->organisation_id = store_col_int64(st, 0);
		snprintf(p->country, sizeof(p->country), "%s", store_col_text(st, 1, NULL));
		snprintf(p->language, sizeof(p->language), "%s", store_col_text(st, 2, NULL));
		bool enrolled = store_col_int64(st, 3) != 0;
		bool role_requires = store_col_int64(st, 4) != 0;
		const char *policy = store_col_text(st, 5, NULL);
		/* Required by a role (and the policy), or again after a reset (totp_reset()). */
		bool must_enrol = store_col_int64(st, 6) != 0;
		p->needs_2fa =
		    !enrolled &&
		    ((role_requires && policy && strcmp(policy, "1") == 0) || must_enrol);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = PONTE_ENOTFOUND; /* unknown, locked or disabled */
	}
	store_reset(st);
	if (rc)
		return rc;
	rc = store_prepare(c, SQL_GRANTS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	while ((rc = store_step(st)) == STORE_ROW && p->ngrants < IDENTITY_MAX_GRANTS) {
		grant *g = &p->grants[p->ngrants++];
		snprintf(g->permission, sizeof(g->permission), "%s", store_col_text(st, 0, NULL));
		g->scope = (int)store_col_int64(st, 1);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
