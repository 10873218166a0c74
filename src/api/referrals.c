/* /api/v1/services, consents, disclosures and /api/v1/referrals: the national referral
 * mechanism as JSON. */
#include "api/api.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "referral/referral.h"
#include "services/services.h"
#include "trm/trm.h"

/* The refusals every handler of this file answers the same way. */
static int failed(http_request *req, http_response *res, int rc, const field_errors *e)
{
	return api_refused(req, res, rc, e, N_("This is for the other side of the referral."),
			   N_("This cannot be done in the referral's current state."));
}

/* ---- services ---- */

static int write_service(buf *b, const service *s)
{
	int rc = buf_printf(b, "{\"id\":%lld,\"organisation\":{\"id\":%lld", (long long)s->id,
			    (long long)s->organisation_id);
	const char *const provider[][2] = { { "code", s->organisation_code },
					    { "name", s->organisation_name },
					    { "country", s->country } };
	if (!rc)
		rc = json_fields_str(b, provider, ARRAY_LEN(provider));
	if (!rc)
		rc = buf_putc(b, '}');
	const char *const strings[][2] = {
		{ "type", s->type },   { "name", s->name },
		{ "area", s->area },   { "opening_hours", s->opening_hours },
		{ "phone", s->phone }, { "email", s->email }
	};
	if (!rc)
		rc = json_fields_str(b, strings, ARRAY_LEN(strings));
	if (!rc)
		rc = json_field_date(b, false, "verified_on", s->verified_on);
	const char *lists[][2] = { { "sexes", s->sexes },
				   { "exploitation", s->exploitation },
				   { "nationalities", s->nationalities },
				   { "languages", s->languages } };
	for (size_t i = 0; i < ARRAY_LEN(lists) && !rc; i++)
		rc = json_field_list(b, false, lists[i][0], lists[i][1]);
	if (!rc)
		rc = buf_printf(b, ",\"min_age\":%d,\"max_age\":%d", s->min_age, s->max_age);
	if (!rc)
		rc = s->capacity < 0 ? buf_puts(b, ",\"capacity\":null,\"capacity_free\":null")
				     : buf_printf(b, ",\"capacity\":%d,\"capacity_free\":%d",
						  s->capacity, s->capacity_free);
	return rc ? rc : buf_putc(b, '}');
}

static int add_service(const service *s, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	return rc ? rc : write_service(l->b, s);
}

int api_services(http_request *req, http_response *res)
{
	const char *age = http_query(req, "age"), *room = http_query(req, "room");
	char *end = NULL;
	long a = age && *age ? strtol(age, &end, 10) : -1;
	if (end && (*end || a < 0 || a > 120))
		return http_refuse(req, res, PONTE_EREJECTED, N_("An age is from 0 to 120."));
	service_filter f = { .type = http_query(req, "type"),
			     .country = http_query(req, "country"),
			     .sex = http_query(req, "sex"),
			     .exploitation = http_query(req, "exploitation"),
			     .nationality = http_query(req, "nationality"),
			     .language = http_query(req, "language"),
			     .age = (int)a,
			     .with_room = room && strcmp(room, "1") == 0,
			     .lang = req->lang };
	api_list l;
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = service_list(&services_of(req)->env, req->arena, &f, add_service, &l);
	return api_list_close_total(&l, rc, (int64_t)l.n);
}

int api_service_create(http_request *req, http_response *res)
{
	static const char *const fields[] = {
		"organisation",  "type",          "name",          "sexes",
		"exploitation",  "nationalities", "languages",     "area",
		"opening_hours", "phone",         "email",         "min_age",
		"max_age",       "capacity",      "capacity_free", NULL
	};
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	service_input in = {
		.organisation = api_text(body, "organisation", NULL, &bad),
		.type = api_text(body, "type", NULL, &bad),
		.name = api_text(body, "name", NULL, &bad),
		.sexes = api_text_list(req, body, "sexes", NULL, &bad),
		.exploitation = api_text_list(req, body, "exploitation", NULL, &bad),
		.nationalities = api_text_list(req, body, "nationalities", NULL, &bad),
		.languages = api_text_list(req, body, "languages", NULL, &bad),
		.area = api_text(body, "area", NULL, &bad),
		.opening_hours = api_text(body, "opening_hours", NULL, &bad),
		.phone = api_text(body, "phone", NULL, &bad),
		.email = api_text(body, "email", NULL, &bad),
		.min_age = (int)api_whole(body, "min_age", -1, &bad),
		.max_age = (int)api_whole(body, "max_age", -1, &bad),
		.capacity = (int)api_whole(body, "capacity", -1, &bad),
		.capacity_free = (int)api_whole(body, "capacity_free", -1, &bad),
	};
	if (bad)
		return api_malformed(req, res);
	field_errors e;
	int64_t id = 0;
	rc = service_add(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc)
		return failed(req, res, rc, &e);
	service s;
	if ((rc = service_get(&services_of(req)->env, req->arena, id, &s)))
		return rc;
	http_created(res);
	res->content_type = "application/json";
	return write_service(&res->body, &s);
}

/* ---- consents and disclosures ---- */

static int write_consent(buf *b, const consent *c)
{
	int rc =
	    buf_printf(b, "{\"id\":%lld,\"case_id\":%lld", (long long)c->id, (long long)c->case_id);
	const char *const strings[][2] = {
		{ "purpose", c->purpose },           { "recipient", c->recipient_code },
		{ "legal_basis", c->legal_basis },   { "language", c->language },
		{ "text_version", c->text_version }, { "given_by", c->given_by },
		{ "given_on", c->given_on }
	};
	if (!rc)
		rc = json_fields_str(b, strings, ARRAY_LEN(strings));
	if (!rc)
		rc = json_field_list(b, false, "categories", c->categories);
	if (!rc)
		rc = *c->withdrawn_on ? json_field_str(b, false, "withdrawn_on", c->withdrawn_on)
				      : buf_puts(b, ",\"withdrawn_on\":null");
	return rc ? rc : buf_putc(b, '}');
}

static int add_consent(const consent *c, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	return rc ? rc : write_consent(l->b, c);
}

API_RECORD_LIST(api_case_consents, consent_list, add_consent)

int api_case_consent_add(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "purpose",     "recipient_id", "categories",
					      "legal_basis", "language",     "text_version",
					      "given_by",    "given_on",     NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	consent_input in = { .purpose = api_text(body, "purpose", NULL, &bad),
			     .recipient_id = api_whole(body, "recipient_id", 0, &bad),
			     .categories = api_text_list(req, body, "categories", NULL, &bad),
			     .legal_basis = api_text(body, "legal_basis", NULL, &bad),
			     .language = api_text(body, "language", NULL, &bad),
			     .text_version = api_text(body, "text_version", NULL, &bad),
			     .given_by = api_text(body, "given_by", NULL, &bad),
			     .given_on = api_text(body, "given_on", NULL, &bad) };
	if (bad)
		return api_malformed(req, res);
	field_errors e;
	int64_t cid = 0;
	rc = consent_add(&services_of(req)->env, principal_of(req), id, &in, &cid, &e);
	if (rc)
		return failed(req, res, rc, &e);
	return api_created_id(res, cid);
}

int api_consent_withdraw(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	/* The referrals abroad made under the consent go with it (trm/). */
	size_t national, abroad;
	rc = trm_consent_withdraw(&services_of(req)->env, principal_of(req), id, clock_wall_ms(),
				  &national, &abroad);
	if (rc == PONTE_ECONFLICT)
		return http_refuse(req, res, PONTE_ECONFLICT,
				   N_("This consent was withdrawn already."));
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_printf(
	    &res->body, "{\"id\":%lld,\"referrals_withdrawn\":%zu,\"transnational_withdrawn\":%zu}",
	    (long long)id, national + abroad, abroad);
}

static int add_disclosure(const disclosure *d, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"id\":%lld", (long long)d->id);
	const char *const to[][2] = { { "recipient", d->recipient_code },
				      { "recipient_name", d->recipient_name } };
	if (!rc)
		rc = json_fields_str(l->b, to, ARRAY_LEN(to));
	if (!rc)
		rc = json_field_list(l->b, false, "categories", d->categories);
	if (!rc)
		rc = json_field_str(l->b, false, "basis", d->basis);
	if (!rc)
		rc = buf_printf(l->b, ",\"referral_id\":%lld", (long long)d->referral_id);
	if (!rc)
		rc = json_field_str(l->b, false, "at", d->at);
	return rc ? rc : buf_putc(l->b, '}');
}

API_RECORD_LIST(api_case_disclosures, disclosure_list, add_disclosure)

/* ---- referrals ---- */

static int write_referral(buf *b, const referral *r)
{
	int rc = buf_printf(b,
			    "{\"id\":%lld,\"version\":%lld,\"case_id\":%lld,\"service_id\":%lld,"
			    "\"consent_id\":%lld",
			    (long long)r->id, (long long)r->version, (long long)r->case_id,
			    (long long)r->service_id, (long long)r->consent_id);
	const char *const strings[][2] = {
		{ "state", r->state },
		{ "from", r->from_code },
		{ "from_name", r->from_name },
		{ "to", r->to_code },
		{ "to_name", r->to_name },
		{ "service", r->service_name },
		{ "service_type", r->service_type },
		{ "legal_basis", r->legal_basis },
		{ "urgency", r->urgency },
		{ "reason_code", r->reason_code },
		{ "outcome", r->outcome },
		{ "created_at", r->created_at },
		{ "updated_at", r->updated_at },
	};
	if (!rc)
		rc = json_fields_str(b, strings, ARRAY_LEN(strings));
	if (!rc) /* a draft has no answer due yet */
		rc = json_field_date(b, false, "due_at", r->due_at);
	if (!rc)
		rc = json_field_list(b, false, "categories", r->categories);
	if (!rc)
		rc =
		    buf_printf(b, ",\"overdue\":%s,\"side\":\"%s\"}", r->overdue ? "true" : "false",
			       r->sender      ? "sender"
			       : r->recipient ? "recipient"
					      : "observer");
	return rc;
}

static int add_referral(const referral *r, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	return rc ? rc : write_referral(l->b, r);
}

int api_referrals(http_request *req, http_response *res)
{
	const char *box = http_query(req, "box");
	if (!box || !*box)
		box = "in";
	if (strcmp(box, "in") != 0 && strcmp(box, "out") != 0 && strcmp(box, "overdue") != 0)
		return http_refuse(req, res, PONTE_EREJECTED, N_("box is in, out or overdue."));
	api_list l;
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = referral_list(&services_of(req)->env, req->arena, principal_of(req), box, 0,
				   add_referral, &l);
	return api_list_close_total(&l, rc, (int64_t)l.n);
}

static int respond(http_request *req, http_response *res, int64_t id)
{
	referral r;
	int rc = referral_get(&services_of(req)->env, req->arena, principal_of(req), id, &r);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return write_referral(&res->body, &r);
}

int api_referral_get(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? respond(req, res, id) : PONTE_ENOTFOUND;
}

int api_referral_create(http_request *req, http_response *res)
{
	static const char *const fields[] = { "case_id",    "service_id",  "to_id",   "categories",
					      "consent_id", "legal_basis", "urgency", NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	referral_input in = { .case_id = api_whole(body, "case_id", 0, &bad),
			      .service_id = api_whole(body, "service_id", 0, &bad),
			      .to_id = api_whole(body, "to_id", 0, &bad),
			      .categories = api_text_list(req, body, "categories", NULL, &bad),
			      .consent_id = api_whole(body, "consent_id", 0, &bad),
			      .legal_basis = api_text(body, "legal_basis", NULL, &bad),
			      .urgency = api_text(body, "urgency", NULL, &bad) };
	if (bad)
		return api_malformed(req, res);
	field_errors e;
	int64_t id = 0;
	rc = referral_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc)
		return failed(req, res, rc, &e);
	api_created_at(req, res, "/api/v1/referrals", id);
	return respond(req, res, id);
}

/* POST /api/v1/referrals/{id}/{action} with {"code","note"} (both optional). */
int api_referral_act(http_request *req, http_response *res)
{
	int64_t id;
	const char *action = req->nparams > 1 ? req->params[1] : NULL;
	if (!http_param_id(req, 0, &id) || !action)
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "code", "note", NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	const char *code = api_text(body, "code", NULL, &bad),
		   *note = api_text(body, "note", NULL, &bad);
	if (bad)
		return api_malformed(req, res);
	field_errors e;
	rc = referral_act(&services_of(req)->env, principal_of(req), id, action, code, note, &e);
	return rc ? failed(req, res, rc, &e) : respond(req, res, id);
}

/* What the recipient may see of the case, after accepting. */
int api_referral_case(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	referral_case_view v;
	int rc = referral_case(&services_of(req)->env, req->arena, principal_of(req), id, &v);
	if (rc == PONTE_EDENIED)
		return http_refuse(req, res, PONTE_EDENIED,
				   N_("The recipient sees the case once it has accepted."));
	if (rc)
		return rc;
	buf *b = &res->body;
	rc = buf_printf(b, "{\"referral_id\":%lld,", (long long)id);
	if (!rc)
		rc = case_write_json(b, &v.c, v.parts);
	if (!rc && (v.parts & CASE_PART_CASE))
		rc = json_field_str(b, false, "cas_Status", v.c.status);
	if (!rc && (v.parts & CASE_PART_CASE))
		rc = json_field_str(b, false, "phase", v.c.phase);
	res->content_type = "application/json";
	return rc ? rc : buf_putc(b, '}');
}
