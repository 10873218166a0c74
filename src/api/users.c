/* /api/v1/users: the caller, one user (within the caller's scope), creating users. */
#include "api/api.h"
#include "audit/audit.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "identity/auth.h"
#include "services/services.h"

static void audit(http_request *req, const char *action, int64_t id, const char *outcome)
{
	const principal *p = principal_of(req);
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = "user",
			  .object_id = text,
			  .outcome = outcome,
			  .client = req->client_addr };
	/* Reading a user changes nothing: its event is group-committed with other reads. */
	if (strcmp(action, "user.read") == 0)
		audit_append_read(services_of(req)->db, &e);
	else
		audit_append(services_of(req)->db, &e);
}

static int write_user(buf *b, const user *u)
{
	int rc = buf_printf(b, "{\"id\":%lld", (long long)u->id);
	if (!rc)
		rc = json_field_str(b, false, "name", u->name);
	if (!rc)
		rc = json_field_str(b, false, "email", u->email);
	if (!rc)
		rc = buf_printf(b, ",\"organisation\":{\"id\":%lld", (long long)u->organisation_id);
	if (!rc)
		rc = json_field_str(b, false, "code", u->organisation_code);
	if (!rc)
		rc = json_field_str(b, false, "name", u->organisation_name);
	if (!rc)
		rc = json_field_str(b, false, "country", u->country);
	if (!rc)
		rc = buf_puts(b, "},\"roles\":[");
	for (size_t i = 0; i < u->nroles && !rc; i++) {
		if (i)
			rc = buf_putc(b, ',');
		if (!rc)
			rc = json_cstring(b, u->roles[i]);
	}
	if (!rc)
		rc = buf_putc(b, ']');
	if (!rc)
		rc = json_field_str(b, false, "language", u->language);
	if (!rc)
		rc = json_field_str(b, false, "status", user_status_name(u->status));
	if (!rc)
		rc = buf_putc(b, '}');
	return rc;
}

int api_users_me(http_request *req, http_response *res)
{
	user u;
	int rc = user_get(&services_of(req)->env, req->arena, principal_of(req)->user_id, &u);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return write_user(&res->body, &u);
}

int api_user_get(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	user u;
	int rc = user_get(&services_of(req)->env, req->arena, id, &u);
	if (rc)
		return rc;
	/* Outside the caller's scope the user does not exist, as far as the caller can tell. */
	if (!principal_can_see(principal_of(req), "user.read", u.id, u.organisation_id,
			       u.country)) {
		audit(req, "user.read", id, "denied");
		return PONTE_ENOTFOUND;
	}
	audit(req, "user.read", id, "success");
	res->content_type = "application/json";
	return write_user(&res->body, &u);
}

int api_user_create(http_request *req, http_response *res)
{
	static const char *const fields[] = { "email",    "name",     "phone", "organisation",
					      "password", "language", "roles", NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	services *svc = services_of(req);
	user_input in = { .email = json_get_string(body, "email"),
			  .name = json_get_string(body, "name"),
			  .phone = json_get_string(body, "phone"),
			  .organisation_code = json_get_string(body, "organisation"),
			  .password = json_get_string(body, "password"),
			  .language = json_get_string(body, "language") };
	const json_value *roles = json_get(body, "roles");
	for (size_t i = 0; roles && roles->type == JSON_ARRAY && i < roles->length; i++) {
		if (in.nroles == IDENTITY_MAX_ROLES || roles->items[i]->type != JSON_STRING)
			return http_refuse(req, res, PONTE_EREJECTED,
					   N_("There is no role with this code."));
		in.roles[in.nroles++] = roles->items[i]->string;
	}
	/* The new user's organisation must be within the caller's user.manage scope. */
	organisation org;
	if (in.organisation_code &&
	    org_find(svc->db, req->arena, in.organisation_code, &org) == 0 &&
	    !principal_can_see(principal_of(req), "user.manage", 0, org.id, org.country))
		return http_refuse(req, res, PONTE_EREJECTED,
				   user_problem_message(USER_UNKNOWN_ORG));
	int problem = 0;
	int64_t id = 0;
	rc = user_add(&svc->env, &in, &id, &problem);
	if (problem)
		return http_refuse(req, res, PONTE_EREJECTED, user_problem_message(problem));
	if (rc)
		return rc;
	audit(req, "user.create", id, "success");
	return api_created_id(res, id);
}

/* A lost phone: {"reason": "..."}; the user's second factor reset, every session and token
 * ended, enrolment again at the next sign-in (totp_reset() records and audits it). Outside
 * the caller's user.manage scope the user does not exist. */
int api_user_2fa_reset(http_request *req, http_response *res)
{
	static const char *const fields[] = { "reason", NULL };
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	services *svc = services_of(req);
	user u;
	rc = user_get(&svc->env, req->arena, id, &u);
	if (rc)
		return rc;
	if (!principal_can_see(principal_of(req), "user.manage", u.id, u.organisation_id,
			       u.country)) {
		audit(req, "user.2fa_reset", id, "denied");
		return PONTE_ENOTFOUND;
	}
	rc = totp_reset(&svc->env, principal_of(req), id, json_get_string(body, "reason"));
	if (rc == PONTE_EINVAL)
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Write the reason for the reset in at most 500 characters."));
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld,\"must_enrol\":true}", (long long)id);
}
