/* What administrators change: a user's roles, a role's grants. */
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/identity.h"

static const char SQL_CLEAR_ROLES[] = "DELETE FROM user_roles WHERE user_id = ?1";
static const char SQL_ADD_ROLE[] =
    "INSERT INTO user_roles(user_id, role_id) "
    "SELECT ?1, id FROM roles WHERE code = ?2 ON CONFLICT DO NOTHING";
static const char SQL_HAS_ROLE[] =
    "SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?1 AND "
    "r.code = ?2";
static const char SQL_GRANT[] =
    "INSERT INTO role_permissions(role_id, permission, scope) "
    "SELECT id, ?2, ?3 FROM roles WHERE code = ?1 "
    "ON CONFLICT(role_id, permission) DO UPDATE SET scope = excluded.scope";
static const char SQL_REVOKE[] = "DELETE FROM role_permissions WHERE permission = ?2 "
				 "AND role_id = (SELECT id FROM roles WHERE code = ?1)";

/* Every permission Ponte knows, with what it allows (a msgid). */
static const permission_info PERMISSIONS[] = {
	{ "user.read", N_("See users and their details") },
	{ "user.manage", N_("Create users, change their roles, lock and unlock them") },
	{ "org.manage", N_("Create organisations") },
	{ "role.read", N_("See roles and what they grant") },
	{ "role.manage", N_("Change what roles grant") },
	{ "audit.read", N_("Read the audit trail") },
	{ "case.social.read", N_("Read social-service case data") },
	{ "case.social.write", N_("Write social-service case data") },
	{ "case.proceedings.read", N_("Read criminal-proceedings data") },
	{ "case.proceedings.write", N_("Write criminal-proceedings data") },
	{ "case.assign", N_("Assign cases") },
	{ "referral.national", N_("Make and receive national referrals") },
	{ "referral.transnational", N_("Make and receive transnational referrals") },
	{ "victim.status.decide", N_("Decide on victim status") },
	{ "network.read", N_("Read information on criminal networks") },
	{ "network.write", N_("Record information on criminal networks") },
	{ "obs.submit", N_("Submit data to the observatory") },
	{ "obs.analyse", N_("Analyse observatory data") },
	{ "obs.budget", N_("Change the privacy budget of observatory data") },
	{ "stats.read", N_("Read statistics") },
	{ "stats.aggregate", N_("Read aggregate statistics across countries") },
	{ "knowledge.write", N_("Write drafts of practices, legislation, case law and manuals") },
	{ "knowledge.review", N_("Publish and archive knowledge items") },
	{ "directory.manage", N_("Keep the focal-point directory up to date") },
};

/* The names of the built-in roles (their name in the roles table is the same English): a
 * role is shown by its label, a role an administrator added by its stored name. */
static const vocab_term ROLES[] = {
	{ "administrator", N_("Administrator") },
	{ "national_focal_point", N_("National focal point") },
	{ "case_worker", N_("Case worker") },
	{ "supervisor", N_("Supervisor") },
	{ "police_investigator", N_("Police investigator") },
	{ "prosecutor", N_("Prosecutor") },
	{ "observatory_analyst", N_("Observatory analyst") },
	{ "data_provider", N_("Data provider") },
	{ "auditor", N_("Auditor") },
	{ "regional_analyst", N_("Regional analyst") },
	{ "knowledge_reviewer", N_("Knowledge reviewer") },
};
VOCABULARY(roles, "role", ROLES);

const permission_info *permission_list(size_t *n)
{
	*n = ARRAY_LEN(PERMISSIONS);
	return PERMISSIONS;
}

bool permission_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(PERMISSIONS); i++)
		if (strcmp(PERMISSIONS[i].name, name) == 0)
			return true;
	return false;
}

int scope_from_text(const char *s)
{
	static const char *names[] = { "none", "own", "organisation", "country", "all" };
	for (int i = SCOPE_OWN; i <= SCOPE_ALL; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return SCOPE_NONE;
}

static int run(store_conn *c, const char *sql, int64_t id, const char *a, const char *b,
	       const char *t)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	int i = 1;
	if (id)
		store_bind_int64(st, i++, id);
	if (a)
		store_bind_text(st, i++, a, strlen(a));
	if (b)
		store_bind_text(st, i++, b, strlen(b));
	if (t)
		store_bind_text(st, i++, t, strlen(t));
	return store_run(st);
}

bool user_has_role(store *db, int64_t user_id, const char *role_code)
{
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, SQL_HAS_ROLE, &st))
		return false;
	store_bind_int64(st, 1, user_id);
	store_bind_text(st, 2, role_code, strlen(role_code));
	bool yes = store_step(st) == STORE_ROW;
	store_reset(st);
	return yes;
}

int user_set_roles(store *db, int64_t user_id, const char *const *roles, size_t n)
{
	if (n == 0)
		return PONTE_EINVAL;
	arena a;
	arena_init(&a, 64 * 1024);
	for (size_t i = 0; i < n; i++) {
		role r;
		if (role_find(db, &a, roles[i], &r) != 0) {
			arena_release(&a);
			return PONTE_EINVAL;
		}
	}
	arena_release(&a);
	store_conn *c;
	int rc = store_begin_on(db, &c);
	if (rc)
		return rc;
	rc = run(c, SQL_CLEAR_ROLES, user_id, NULL, NULL, NULL);
	for (size_t i = 0; i < n && !rc; i++)
		rc = run(c, SQL_ADD_ROLE, user_id, roles[i], NULL, NULL);
	return store_finish(c, rc);
}

int role_grant(store *db, const char *role_code, const char *permission, int scope)
{
	if (!permission_known(permission) || scope < SCOPE_OWN || scope > SCOPE_ALL)
		return PONTE_EINVAL;
	arena a;
	arena_init(&a, 64 * 1024);
	role r;
	int rc = role_find(db, &a, role_code, &r);
	arena_release(&a);
	if (rc)
		return rc;
	store_conn *c;
	rc = store_conn_get(db, &c);
	return rc ? rc : run(c, SQL_GRANT, 0, role_code, permission, scope_name(scope));
}

int role_revoke(store *db, const char *role_code, const char *permission)
{
	store_conn *c;
	int rc = store_conn_get(db, &c);
	if (rc)
		return rc;
	rc = run(c, SQL_REVOKE, 0, role_code, permission, NULL);
	return rc ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
}
