/* The shape every API handler shares (api.h): reading members, refusals, created records and
 * lists, written once so that each route says only what is its own. */
#include "api/api.h"
#include "base/field_error.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"

int api_malformed(http_request *req, http_response *res)
{
	return http_refuse(req, res, PONTE_EINVAL, N_("Send a JSON object."));
}

const char *api_text(const json_value *body, const char *key, const char *if_null, bool *bad)
{
	const json_value *v = json_get(body, key);
	if (!v)
		return NULL;
	if (v->type == JSON_NULL)
		return if_null;
	if (v->type != JSON_STRING)
		*bad = true;
	return v->type == JSON_STRING ? v->string : NULL;
}

int64_t api_whole(const json_value *body, const char *key, int64_t missing, bool *bad)
{
	const json_value *v = json_get(body, key);
	if (!v || v->type == JSON_NULL)
		return missing;
	if (v->type != JSON_NUMBER || v->number != (double)(int64_t)v->number) {
		*bad = true;
		return missing;
	}
	return (int64_t)v->number;
}

int api_codes_of(arena *a, const json_value *v, size_t max, const char **out)
{
	*out = NULL;
	if (v->type == JSON_STRING) {
		*out = v->string;
		return 0;
	}
	if (v->type != JSON_ARRAY)
		return PONTE_EINVAL;
	buf b;
	buf_init(&b, max);
	int rc = 0;
	for (size_t i = 0; i < v->length && !rc; i++) {
		if (v->items[i]->type != JSON_STRING || strchr(v->items[i]->string, ','))
			rc = PONTE_EINVAL;
		else if (!(rc = i ? buf_putc(&b, ',') : 0))
			rc = buf_puts(&b, v->items[i]->string);
	}
	if (rc && rc != PONTE_ENOMEM)
		rc = PONTE_EINVAL; /* over max */
	if (!rc && !(*out = arena_strdup(a, b.data ? b.data : "")))
		rc = PONTE_ENOMEM;
	buf_release(&b);
	return rc;
}

const char *api_text_list(http_request *req, const json_value *body, const char *key,
			  const char *if_null, bool *bad)
{
	const json_value *v = json_get(body, key);
	if (!v)
		return NULL;
	if (v->type == JSON_NULL)
		return if_null;
	const char *s;
	if (api_codes_of(req->arena, v, 4096, &s))
		*bad = true;
	return s;
}

bool api_base_version(const json_value *body, int64_t *version)
{
	const json_value *v = json_get(body, "version");
	if (!v || v->type != JSON_NUMBER)
		return false;
	*version = (int64_t)v->number;
	return true;
}

int api_refused(http_request *req, http_response *res, int rc, const field_errors *e,
		const char *denied, const char *conflict)
{
	if (rc == PONTE_EINVAL && e)
		return api_field_errors(req, res, e);
	if (rc == PONTE_EDENIED && denied)
		return http_refuse(req, res, rc, denied);
	if (rc == PONTE_ECONFLICT && conflict)
		return http_refuse(req, res, rc, conflict);
	return rc;
}

int api_stale_version(http_request *req, http_response *res, const char *msgid, int64_t current)
{
	int rc = http_refuse(req, res, PONTE_ECONFLICT, msgid);
	if (rc)
		return rc;
	res->body.len -= 2; /* reopen {"error":{...}} for the version */
	return buf_printf(&res->body, ",\"current_version\":%lld}}", (long long)current);
}

int api_upload_refused(http_request *req, http_response *res, int rc, const char *why)
{
	if (rc == PONTE_EINVAL && why)
		return http_refuse(req, res, PONTE_EREJECTED, why);
	if (rc == PONTE_ELIMIT && why)
		return http_refuse_as(req, res, PONTE_ELIMIT, "too_large", why);
	return rc;
}

int api_no_upload(http_request *req, http_response *res)
{
	return http_refuse(req, res, PONTE_EREJECTED, N_("Send the file as multipart/form-data."));
}

void api_created_at(http_request *req, http_response *res, const char *collection, int64_t id)
{
	http_created(res);
	const char *location = arena_printf(req->arena, "%s/%lld", collection, (long long)id);
	if (location)
		http_set_header(res, "Location", location);
}

int api_created_id(http_response *res, int64_t id)
{
	http_created(res);
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld}", (long long)id);
}

int api_list_open(http_response *res, api_list *l)
{
	res->content_type = "application/json";
	l->b = &res->body;
	l->n = 0;
	return buf_puts(l->b, "{\"items\":[");
}

int api_list_of(http_request *req, http_response *res, int64_t *id, api_list *l)
{
	l->b = &res->body;
	l->n = 0;
	return http_param_id(req, 0, id) ? api_list_open(res, l) : PONTE_ENOTFOUND;
}

int api_list_next(api_list *l)
{
	return l->n++ ? buf_putc(l->b, ',') : 0;
}

int api_list_close(api_list *l, int rc)
{
	return rc ? rc : buf_puts(l->b, "]}");
}

int api_list_close_total(api_list *l, int rc, int64_t total)
{
	return rc ? rc : buf_printf(l->b, "],\"total\":%lld}", (long long)total);
}
