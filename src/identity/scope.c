#include "audit/audit.h"
#include "identity/identity.h"

const char *scope_name(int scope)
{
	static const char *names[] = { "none", "own", "organisation", "country", "all" };
	return scope >= 0 && scope <= SCOPE_ALL ? names[scope] : "none";
}

int principal_scope(const principal *p, const char *permission)
{
	int best = SCOPE_NONE;
	if (!p)
		return best;
	for (size_t i = 0; i < p->ngrants; i++)
		if (strcmp(p->grants[i].permission, permission) == 0 && p->grants[i].scope > best)
			best = p->grants[i].scope;
	return best;
}

bool principal_can(const principal *p, const char *permission)
{
	return principal_scope(p, permission) != SCOPE_NONE;
}

bool principal_can_see(const principal *p, const char *permission, int64_t owner_user,
		       int64_t organisation_id, const char *country)
{
	switch (principal_scope(p, permission)) {
	case SCOPE_ALL: return true;
	case SCOPE_COUNTRY: return country && strcmp(country, p->country) == 0;
	case SCOPE_ORGANISATION: return organisation_id == p->organisation_id;
	case SCOPE_OWN: return owner_user == p->user_id;
	default: return false;
	}
}

enum audit_way { AUDIT_OWN_TRANSACTION, AUDIT_IN_TRANSACTION, AUDIT_READ };

static int audit_as(store *db, const principal *p, const char *action, const char *type, int64_t id,
		    const char *outcome, enum audit_way way)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = id ? type : "",
			  .object_id = id ? text : "",
			  .outcome = outcome,
			  .client = p->client };
	switch (way) {
	case AUDIT_IN_TRANSACTION: return audit_append_in_transaction(db, &e);
	case AUDIT_READ: return audit_append_read(db, &e);
	default: return audit_append(db, &e);
	}
}

int principal_audit(store *db, const principal *p, const char *action, const char *type, int64_t id,
		    const char *outcome, bool in_transaction)
{
	return audit_as(db, p, action, type, id, outcome,
			in_transaction ? AUDIT_IN_TRANSACTION : AUDIT_OWN_TRANSACTION);
}

int principal_audit_read(store *db, const principal *p, const char *action, const char *type,
			 int64_t id, const char *outcome)
{
	return audit_as(db, p, action, type, id, outcome, AUDIT_READ);
}
