/* POST /api/v1/auth/login and /logout: bearer tokens for programs. */
#include "identity/auth.h"
#include "api/api.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/field_error.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

int api_field_errors(http_request *req, http_response *res, const field_errors *e)
{
	buf_reset(&res->body);
	res->status = http_refusal_status(PONTE_EREJECTED);
	res->content_type = "application/json";
	int rc = buf_puts(&res->body, "{\"error\":{\"code\":\"invalid\"");
	if (!rc)
		rc = json_field_str(&res->body, false, "message",
				    tr(req->lang, N_("Some fields are not valid.")));
	if (!rc)
		rc = buf_puts(&res->body, ",\"fields\":{");
	for (size_t i = 0; i < e->count && !rc; i++)
		rc = json_field_str(&res->body, i == 0, e->items[i].field,
				    tr(req->lang, e->items[i].message));
	return rc ? rc : buf_puts(&res->body, "}}}");
}

int api_parse_body(http_request *req, json_value **out)
{
	char err[128];
	int rc = json_parse(req->arena, req->body ? req->body : "", req->body_len, out, err,
			    sizeof(err));
	if (rc == PONTE_ENOMEM)
		return rc;
	return rc || (*out)->type != JSON_OBJECT ? PONTE_EINVAL : 0;
}

int api_login(http_request *req, http_response *res)
{
	if (!req->resumed) {
		static const char *const fields[] = { "email", "password", "totp", NULL };
		json_value *body;
		int rc = api_parse_body(req, &body);
		if (rc == PONTE_ENOMEM)
			return rc;
		if (rc)
			return http_refuse(req, res, PONTE_EINVAL,
					   N_("Send a JSON object with email and password."));
		const char *unknown = api_unknown_member(body, fields);
		if (unknown)
			return api_unknown_field(req, res, NULL, unknown);
		login_job *job = arena_alloc(req->arena, sizeof(*job));
		if (!job)
			return PONTE_ENOMEM;
		job->env = services_of(req)->env;
		job->in = (login_request){ .email = json_get_string(body, "email"),
					   .password = json_get_string(body, "password"),
					   .totp = json_get_string(body, "totp"),
					   .client = req->client_addr,
					   .kind = AUTH_API };
		return http_defer(req, auth_login_job, job);
	}
	login_job *job = req->deferred_arg;
	if (job->rc == PONTE_ELIMIT) {
		http_set_header(res, "Retry-After",
				arena_printf(req->arena, "%d", job->out.retry_after));
		return http_refuse(req, res, PONTE_ETOOMANY,
				   N_("Too many attempts. Please wait a moment and try again."));
	}
	if (job->rc == PONTE_EDENIED)
		return http_refuse_as(req, res, PONTE_EUNAUTH,
				      job->out.second_factor_missing ? "totp_required"
								     : "invalid_credentials",
				      N_("The e-mail address, password or code is not right."));
	if (job->rc)
		return job->rc;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(job->out.expires_at * 1000, when);
	res->content_type = "application/json";
	int rc = buf_putc(&res->body, '{');
	if (!rc)
		rc = json_field_str(&res->body, true, "token", job->out.token);
	if (!rc)
		rc = json_field_str(&res->body, false, "expires_at", when);
	if (!rc)
		rc = buf_putc(&res->body, '}');
	return rc;
}

int api_logout(http_request *req, http_response *res)
{
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	const principal *p = principal_of(req);
	rc = auth_logout(services_of(req)->db, p->session_id);
	if (rc)
		return rc;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)p->user_id);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = "logout.api",
			  .object_type = "user",
			  .object_id = id,
			  .outcome = "success",
			  .client = req->client_addr };
	audit_append(services_of(req)->db, &e);
	http_no_content(res);
	return 0;
}
