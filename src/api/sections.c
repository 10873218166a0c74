/* /api/v1/cases/{id}/file/{section} and /api/v1/cases/{id}/proceedings/{section}: the
 * sections of the case file as JSON, keyed by the descriptors' field names. */
#include "cases/sections.h"
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

/* The section of the address; the route's permission matched its tier. */
static const section_def *section_of(http_request *req, int64_t *case_id)
{
	if (!http_param_id(req, 0, case_id) || req->nparams < 2)
		return NULL;
	return section_find(strstr(req->path, "/file/") ? "file" : "proceedings", req->params[1]);
}

static int write_value(buf *b, const section_field *f, const char *v)
{
	int rc = buf_putc(b, ',');
	if (!rc)
		rc = json_cstring(b, f->name);
	if (!rc)
		rc = buf_putc(b, ':');
	if (rc)
		return rc;
	if (f->kind == SK_BOOL)
		return buf_puts(b, strcmp(v, "1") == 0 ? "true" : "false");
	/* A number or a date not known is null, never "" (which neither admits). */
	if (f->kind == SK_INT || ((f->kind == SK_DATE || f->kind == SK_DATE_ANY) && !*v))
		return *v ? buf_puts(b, v) : buf_puts(b, "null");
	if (f->kind != SK_CODES)
		return json_cstring(b, v);
	rc = buf_putc(b, '[');
	for (const char *s = v; *s && !rc;) {
		size_t len = strcspn(s, ",");
		rc = (s != v ? buf_putc(b, ',') : 0) || json_string(b, s, len);
		s += len + (s[len] == ',');
	}
	return rc ? rc : buf_putc(b, ']');
}

struct list {
	api_list items;
	const section_def *d;
};

static int write_entry(const section_entry *x, void *ctx)
{
	struct list *l = ctx;
	buf *b = l->items.b;
	int rc = api_list_next(&l->items);
	if (!rc)
		rc = buf_printf(b, "{\"id\":%lld,\"version\":%lld", (long long)x->id,
				(long long)x->version);
	if (!rc)
		rc = json_field_str(b, false, "created_at", x->created_at);
	if (!rc)
		rc = json_field_str(b, false, "updated_at", x->updated_at);
	for (size_t i = 0; !rc && i < l->d->nfields; i++)
		rc = write_value(b, &l->d->fields[i], x->values[i]);
	return rc ? rc : buf_putc(b, '}');
}

int api_section_list(http_request *req, http_response *res)
{
	int64_t case_id;
	const section_def *d = section_of(req, &case_id);
	if (!d)
		return PONTE_ENOTFOUND;
	struct list l = { .d = d };
	int rc = api_list_open(res, &l.items);
	if (!rc)
		rc = section_list(&services_of(req)->env, req->arena, principal_of(req), d, case_id,
				  write_entry, &l);
	return api_list_close(&l.items, rc);
}

/* The body's value of a field as the engine's string; false when of the wrong JSON type. */
static bool read_value(http_request *req, const section_field *f, const json_value *v,
		       const char **out)
{
	if (v->type == JSON_NULL) {
		*out = f->kind == SK_BOOL ? "0" : "";
		return true;
	}
	if (f->kind == SK_BOOL) {
		*out = v->type == JSON_BOOL && v->boolean ? "1" : "0";
		return v->type == JSON_BOOL;
	}
	if (f->kind == SK_INT) {
		*out = v->string; /* the number as written; the engine checks the range */
		return v->type == JSON_NUMBER;
	}
	if (f->kind != SK_CODES) {
		*out = v->string;
		return v->type == JSON_STRING;
	}
	return api_codes_of(req->arena, v, 4096, out) == 0;
}

/* A member of the body that is not a field of the section (nor "id", "version"), or NULL. */
static const char *unknown_member(const section_def *d, const json_value *body)
{
	for (size_t i = 0; i < body->length; i++) {
		const char *key = body->keys[i];
		if (strcmp(key, "version") != 0 && strcmp(key, "id") != 0 &&
		    section_field_index(d, key) < 0)
			return key;
	}
	return NULL;
}

/* Overlay the body's fields on values; false when one is of the wrong type. */
static bool read_body(http_request *req, const section_def *d, const json_value *body,
		      const char **values)
{
	for (size_t i = 0; i < body->length; i++) {
		int k = section_field_index(d, body->keys[i]);
		if (k >= 0 && !read_value(req, &d->fields[k], body->items[i], &values[k]))
			return false;
	}
	return true;
}

static int respond_entry(http_request *req, http_response *res, const section_def *d,
			 int64_t case_id, int64_t id)
{
	section_entry x;
	int rc =
	    section_get(&services_of(req)->env, req->arena, principal_of(req), d, case_id, id, &x);
	if (rc)
		return rc;
	res->content_type = "application/json";
	struct list l = { { &res->body, 0 }, d };
	return write_entry(&x, &l);
}

/* The body of an add or an update into values, or the answer 400 written (*body NULL). */
static int read_request(http_request *req, http_response *res, const section_def *d,
			json_value **body, const char **values)
{
	int rc = api_parse_body(req, body);
	if (rc == PONTE_ENOMEM) {
		*body = NULL;
		return rc;
	}
	const char *unknown = rc ? NULL : unknown_member(d, *body);
	if (unknown) {
		*body = NULL;
		return api_unknown_field(req, res, NULL, unknown);
	}
	if (rc || !read_body(req, d, *body, values)) {
		*body = NULL;
		return http_refuse(req, res, PONTE_EINVAL,
				   N_("Send a JSON object with the section's fields."));
	}
	return 0;
}

int api_section_add(http_request *req, http_response *res)
{
	int64_t case_id, id;
	const section_def *d = section_of(req, &case_id);
	if (!d)
		return PONTE_ENOTFOUND;
	json_value *body;
	const char *values[SECTION_MAX_FIELDS] = { 0 };
	int rc = read_request(req, res, d, &body, values);
	if (!body)
		return rc;
	field_errors e;
	rc = section_add(&services_of(req)->env, principal_of(req), d, case_id, values, &id, &e);
	if (rc)
		return api_refused(req, res, rc, &e, NULL, NULL);
	http_created(res);
	return respond_entry(req, res, d, case_id, id);
}

int api_section_update(http_request *req, http_response *res)
{
	int64_t case_id, id;
	const section_def *d = section_of(req, &case_id);
	if (!d || !http_param_id(req, 2, &id))
		return PONTE_ENOTFOUND;
	section_entry x;
	int rc =
	    section_get(&services_of(req)->env, req->arena, principal_of(req), d, case_id, id, &x);
	if (rc)
		return rc;
	json_value *body;
	const char *values[SECTION_MAX_FIELDS];
	memcpy(values, x.values, sizeof(values));
	rc = read_request(req, res, d, &body, values);
	if (!body)
		return rc;
	int64_t version;
	if (!api_base_version(body, &version))
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Send the version of the entry your change is based on."));
	field_errors e;
	int64_t current;
	rc = section_update(&services_of(req)->env, principal_of(req), d, case_id, id, version,
			    values, &e, &current);
	if (rc == PONTE_EINVAL)
		return api_field_errors(req, res, &e);
	if (rc == PONTE_ECONFLICT)
		return api_stale_version(
		    req, res,
		    N_("Someone else changed this entry. Reload it and apply your change again."),
		    current);
	return rc ? rc : respond_entry(req, res, d, case_id, id);
}
