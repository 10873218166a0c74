#include "identity/identity.h"

static const char SQL_FIND[] = "SELECT id, code, name, requires_2fa FROM roles WHERE code = ?1";
static const char SQL_LIST[] = "SELECT id, code, name, requires_2fa FROM roles ORDER BY id";
static const char SQL_GRANTS[] =
    "SELECT permission, scope FROM role_permissions WHERE role_id = ?1 "
    "ORDER BY permission";

static int scope_from_name(const char *s)
{
	if (!strcmp(s, "own"))
		return SCOPE_OWN;
	if (!strcmp(s, "organisation"))
		return SCOPE_ORGANISATION;
	if (!strcmp(s, "country"))
		return SCOPE_COUNTRY;
	if (!strcmp(s, "all"))
		return SCOPE_ALL;
	return SCOPE_NONE;
}

static void role_from_row(store_stmt *st, arena *a, role *r)
{
	r->id = store_col_int64(st, 0);
	r->code = store_col_dup(a, st, 1);
	r->name = store_col_dup(a, st, 2);
	r->requires_2fa = store_col_int64(st, 3) != 0;
}

int role_find(store *db, arena *a, const char *code, role *out)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_FIND, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, code, strlen(code));
	if (!(rc = store_step_one(st))) {
		role_from_row(st, a, out);
		store_reset(st);
	}
	return rc;
}

static int load_grants(store_conn *c, int64_t role_id, grant *g, size_t max, size_t *n)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_GRANTS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, role_id);
	*n = 0;
	while ((rc = store_step(st)) == STORE_ROW && *n < max) {
		snprintf(g[*n].permission, sizeof(g[*n].permission), "%s",
			 store_col_text(st, 0, NULL));
		g[*n].scope = scope_from_name(store_col_text(st, 1, NULL));
		(*n)++;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int role_list(store *db, arena *a, role_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	/* Read the roles first: the grants query needs the connection while we iterate. */
	role roles[64];
	size_t nroles = 0;
	while ((rc = store_step(st)) == STORE_ROW && nroles < ARRAY_LEN(roles))
		role_from_row(st, a, &roles[nroles++]);
	store_reset(st);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nroles; i++) {
		grant g[IDENTITY_MAX_GRANTS];
		size_t ng;
		rc = load_grants(c, roles[i].id, g, ARRAY_LEN(g), &ng);
		if (!rc)
			rc = fn(&roles[i], g, ng, ctx);
		if (rc)
			return rc;
	}
	return 0;
}
