/* Reading JSON bodies: each route names the members it takes, and a body with any other
 * member is refused with 400 naming it. A misspelt or unknown field silently dropped would let
 * a client believe a change was made that was not, and would still raise the version. */
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"

const char *api_unknown_member(const json_value *obj, const char *const *names)
{
	for (size_t i = 0; obj && obj->type == JSON_OBJECT && i < obj->length; i++) {
		bool known = false;
		for (const char *const *n = names; *n && !known; n++)
			known = strcmp(*n, obj->keys[i]) == 0;
		if (!known)
			return obj->keys[i];
	}
	return NULL;
}

int api_unknown_field(http_request *req, http_response *res, const char *prefix, const char *name)
{
	int rc = http_refuse_as(req, res, PONTE_EINVAL, "unknown_field",
				N_("This address does not take this field."));
	if (rc)
		return rc;
	const char *field = prefix ? arena_printf(req->arena, "%s.%s", prefix, name) : name;
	if (!field)
		return PONTE_ENOMEM;
	res->body.len -= 2; /* reopen {"error":{...}} for the field's name */
	rc = json_field_str(&res->body, false, "field", field);
	return rc ? rc : buf_puts(&res->body, "}}");
}

static int read_body(http_request *req, http_response *res, const char *const *names, bool optional,
		     json_value **out)
{
	*out = NULL;
	json_value *body;
	int rc;
	if (optional && req->body_len == 0) {
		body = arena_alloc(req->arena, sizeof(*body));
		if (!body)
			return PONTE_ENOMEM;
		body->type = JSON_OBJECT;
	} else if ((rc = api_parse_body(req, &body)) == PONTE_ENOMEM) {
		return rc;
	} else if (rc) {
		return http_refuse(req, res, PONTE_EINVAL, N_("Send a JSON object."));
	}
	const char *unknown = api_unknown_member(body, names);
	if (unknown)
		return api_unknown_field(req, res, NULL, unknown);
	*out = body;
	return 0;
}

int api_read_body(http_request *req, http_response *res, const char *const *names, json_value **out)
{
	return read_body(req, res, names, false, out);
}

int api_read_optional_body(http_request *req, http_response *res, const char *const *names,
			   json_value **out)
{
	return read_body(req, res, names, true, out);
}
