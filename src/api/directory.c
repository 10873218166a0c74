/* /api/v1/focal-points: the focal-point directory as JSON. */
#include "directory/directory.h"
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

static int write_holder(buf *b, const fp_holder *h)
{
	const char *const f[][2] = { { "position", h->position }, { "started_on", h->started_on } };
	int rc = json_field_str(b, true, "name", h->name);
	if (!rc)
		rc = json_fields_str(b, f, ARRAY_LEN(f));
	if (!rc)
		rc = *h->ended_on ? json_field_str(b, false, "ended_on", h->ended_on)
				  : buf_puts(b, ",\"ended_on\":null");
	return rc ? rc : buf_putc(b, '}');
}

static int write_focal_point(buf *b, const focal_point *f)
{
	int rc = buf_printf(b, "{\"id\":%lld,\"version\":%lld,\"institution\":{\"id\":%lld",
			    (long long)f->id, (long long)f->version, (long long)f->organisation_id);
	const char *const institution[][2] = { { "code", f->organisation_code },
					       { "name", f->organisation_name },
					       { "type", f->organisation_type } };
	if (!rc)
		rc = json_fields_str(b, institution, ARRAY_LEN(institution));
	if (!rc)
		rc = buf_putc(b, '}');
	const char *const strings[][2] = { { "mandate", f->mandate },
					   { "country", f->country },
					   { "mailbox", f->mailbox },
					   { "phone", f->phone },
					   { "instance_url", f->instance_url } };
	if (!rc)
		rc = json_fields_str(b, strings, ARRAY_LEN(strings));
	if (!rc)
		rc = json_field_date(b, false, "verified_on", f->verified_on);
	if (!rc)
		rc = json_field_list(b, false, "languages", f->languages);
	if (!rc)
		rc =
		    buf_printf(b, ",\"stale\":%s,\"current_holder\":", f->stale ? "true" : "false");
	bool current = f->nholders && !*f->holders[0].ended_on;
	if (!rc)
		rc = current ? buf_putc(b, '{') : buf_puts(b, "null");
	if (!rc && current)
		rc = write_holder(b, &f->holders[0]);
	if (!rc)
		rc = buf_puts(b, ",\"holders\":[");
	for (size_t i = 0; i < f->nholders && !rc; i++) {
		rc = buf_puts(b, i ? ",{" : "{");
		if (!rc)
			rc = write_holder(b, &f->holders[i]);
	}
	return rc ? rc : buf_puts(b, "]}");
}

static int respond(http_request *req, http_response *res, int64_t id)
{
	focal_point f;
	int rc = fp_get(&services_of(req)->env, req->arena, id, &f);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return write_focal_point(&res->body, &f);
}

static int write_item(const focal_point *f, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	return rc ? rc : write_focal_point(l->b, f);
}

int api_focal_points(http_request *req, http_response *res)
{
	fp_filter f = { .country = http_query(req, "country"),
			.mandate = http_query(req, "mandate"),
			.stale_only = http_query(req, "stale") != NULL,
			.lang = i18n_lang(req->lang)->code };
	api_list l;
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = fp_list(&services_of(req)->env, req->arena, &f, write_item, &l);
	return api_list_close(&l, rc);
}

int api_focal_point_get(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return respond(req, res, id);
}

/* The members of an entry's body: "version" (updates only) first, then the fields. */
static const char *const FP_FIELDS[] = { "version",      "organisation", "mandate",
					 "languages",    "mailbox",      "phone",
					 "instance_url", "verified_on",  NULL };

static bool read_input(http_request *req, const json_value *body, fp_input *in)
{
	bool bad = false;
	memset(in, 0, sizeof(*in));
	in->organisation = api_text(body, "organisation", "", &bad);
	in->mandate = api_text(body, "mandate", "", &bad);
	in->languages = api_text_list(req, body, "languages", "", &bad);
	in->mailbox = api_text(body, "mailbox", "", &bad);
	in->phone = api_text(body, "phone", "", &bad);
	in->instance_url = api_text(body, "instance_url", "", &bad);
	in->verified_on = api_text(body, "verified_on", "", &bad);
	return !bad;
}

/* The entry as it is now, or the refusal of a change. */
static int answer(http_request *req, http_response *res, int rc, const field_errors *e, int64_t id)
{
	if (rc)
		return api_refused(req, res, rc, e,
				   N_("You may change the directory of your own country only."),
				   N_("Someone else changed this entry. Reload it and apply "
				      "your change again."));
	return respond(req, res, id);
}

int api_focal_point_create(http_request *req, http_response *res)
{
	json_value *body;
	fp_input in;
	int rc = api_read_body(req, res, FP_FIELDS + 1, &body);
	if (!body)
		return rc;
	if (!read_input(req, body, &in))
		return api_malformed(req, res);
	field_errors e;
	int64_t id = 0;
	rc = fp_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (!rc)
		api_created_at(req, res, "/api/v1/focal-points", id);
	return answer(req, res, rc, &e, id);
}

int api_focal_point_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	json_value *body;
	fp_input in;
	int rc = api_read_body(req, res, FP_FIELDS, &body);
	if (!body)
		return rc;
	if (!read_input(req, body, &in))
		return api_malformed(req, res);
	int64_t version;
	if (!api_base_version(body, &version))
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Send the version of the entry your change is based on."));
	field_errors e;
	int64_t current = 0;
	rc = fp_update(&services_of(req)->env, principal_of(req), id, version, &in, &e, &current);
	return answer(req, res, rc, &e, id);
}

int api_focal_point_holder(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "name", "position", "started_on", NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	const char *name = api_text(body, "name", "", &bad),
		   *position = api_text(body, "position", "", &bad),
		   *started = api_text(body, "started_on", "", &bad);
	if (bad)
		return api_malformed(req, res);
	field_errors e;
	rc = fp_add_holder(&services_of(req)->env, principal_of(req), id, name, position, started,
			   &e);
	if (!rc)
		http_created(res);
	return answer(req, res, rc, &e, id);
}

int api_focal_point_verify(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	field_errors e = { .count = 0 };
	return answer(req, res, fp_verify(&services_of(req)->env, principal_of(req), id), &e, id);
}
