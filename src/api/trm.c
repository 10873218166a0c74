/* /api/v1/peers and /api/v1/transnational-referrals: referrals across borders over the API. */
#include "trm/trm.h"
#include "api/api.h"
#include "base/clock.h"
#include "base/field_error.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

static int write_peer(const trm_peer *p, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_putc(l->b, '{');
	const char *const f[][2] = { { "instance_id", p->instance_id }, { "name", p->name },
				     { "country", p->country },         { "url", p->url },
				     { "fingerprint", p->fingerprint }, { "state", p->state } };
	for (size_t i = 0; !rc && i < ARRAY_LEN(f); i++)
		rc = json_field_str(l->b, i == 0, f[i][0], f[i][1]);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_peers(http_request *req, http_response *res)
{
	api_list l;
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = trm_peer_list(services_of(req)->db, req->arena, write_peer, &l);
	return api_list_close(&l, rc);
}

static int write_referral(const trm_referral *r, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"id\":%lld", (long long)r->id);
	const char *const f[][2] = {
		{ "direction", r->direction },   { "peer", r->peer_instance },
		{ "peer_name", r->peer_name },   { "peer_country", r->peer_country },
		{ "offer_id", r->offer_id },     { "state", r->state },
		{ "reason", r->reason },         { "legal_basis", r->legal_basis },
		{ "created_at", r->created_at }, { "updated_at", r->updated_at }
	};
	if (!rc)
		rc = json_fields_str(l->b, f, ARRAY_LEN(f));
	if (!rc && r->case_id)
		rc = buf_printf(l->b, ",\"case_id\":%lld", (long long)r->case_id);
	/* Received: what is offered, for whoever sees the referral, before the person. */
	if (!rc && *r->categories && !(rc = buf_puts(l->b, ",\"categories\":[")))
		for (const char *s = r->categories; !rc && *s;) {
			size_t len = strcspn(s, ",");
			rc = (s != r->categories ? buf_putc(l->b, ',') : 0) ||
			     json_string(l->b, s, len);
			s += len + (s[len] == ',');
		}
	if (!rc && *r->categories)
		rc = buf_putc(l->b, ']');
	/* The payload is JSON already (parsed when it arrived). */
	if (!rc && *r->payload)
		rc = buf_printf(l->b, ",\"payload\":%s", r->payload);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_trm_referrals(http_request *req, http_response *res)
{
	api_list l;
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = trm_referral_list(&services_of(req)->env, req->arena, principal_of(req),
				       write_referral, &l);
	return api_list_close(&l, rc);
}

int api_trm_offer(http_request *req, http_response *res)
{
	int64_t case_id, ref;
	if (!http_param_id(req, 0, &case_id))
		return PONTE_ENOTFOUND;
	static const char *const members[] = { "peer", "consent", NULL };
	json_value *body;
	int rc = api_read_body(req, res, members, &body);
	if (!body)
		return rc;
	const char *peer = json_get_string(body, "peer");
	const json_value *consent = json_get(body, "consent");
	if (!peer || !consent || consent->type != JSON_NUMBER)
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Give the receiving instance and the consent."));
	const char *why = NULL;
	rc = trm_offer(&services_of(req)->env, principal_of(req), case_id, peer,
		       (int64_t)consent->number, clock_wall_ms(), &ref, &why);
	if (rc == PONTE_EINVAL || (rc == PONTE_ENOTFOUND && why))
		return http_refuse(req, res, PONTE_EREJECTED, why ? why : "");
	if (rc)
		return rc;
	http_created(res);
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld,\"state\":\"sent\"}", (long long)ref);
}

int api_trm_action(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id) || req->nparams < 2)
		return PONTE_ENOTFOUND;
	const char *action = req->params[1], *arg = "";
	const char *key = strcmp(action, "forward") == 0  ? "peer"
			  : strcmp(action, "assign") == 0 ? "organisation"
							  : "reason";
	const char *const members[] = { key, NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, members, &body);
	if (!body)
		return rc;
	if (json_get_string(body, key))
		arg = json_get_string(body, key);
	const char *why = NULL;
	rc = trm_act(&services_of(req)->env, principal_of(req), id, action, arg, clock_wall_ms(),
		     &why);
	if (rc == PONTE_EINVAL)
		return http_refuse(req, res, PONTE_EREJECTED,
				   why ? why : N_("This action does not apply here."));
	if (rc == PONTE_ECONFLICT)
		return http_refuse(req, res, PONTE_ECONFLICT,
				   why ? why
				       : N_("This referral is not in a state that allows it."));
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_puts(&res->body, "{\"done\":true}");
}

static int write_hop(const trm_hop *h, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_putc(l->b, '{');
	const char *const f[][2] = { { "from", h->from },   { "from_country", h->from_country },
				     { "to", h->to },       { "to_country", h->to_country },
				     { "state", h->state }, { "at", h->at } };
	for (size_t i = 0; !rc && i < ARRAY_LEN(f); i++)
		rc = json_field_str(l->b, i == 0, f[i][0], f[i][1]);
	return rc ? rc : buf_putc(l->b, '}');
}

static int write_document(const trm_document *d, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"id\":%lld", (long long)d->id);
	const char *const f[][2] = { { "direction", d->direction },
				     { "type", d->type },
				     { "created_at", d->created_at } };
	if (!rc)
		rc = json_fields_str(l->b, f, ARRAY_LEN(f));
	/* The body is JSON written by this instance (checked field by field when it came). */
	if (!rc)
		rc = buf_printf(l->b, ",\"fields\":%s}", d->body);
	return rc;
}

/* One referral with its route, hop by hop, and its documents. */
int api_trm_referral(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const keyed_store *env = &services_of(req)->env;
	trm_referral r;
	int rc = trm_referral_get(env, req->arena, principal_of(req), id, &r);
	if (rc)
		return rc;
	res->content_type = "application/json";
	api_list l = { &res->body, 0 };
	rc = write_referral(&r, &l);
	if (!rc) {
		res->body.len--; /* reopen the object for the route and the documents */
		rc = json_field_str(&res->body, false, "provider", r.provider);
	}
	if (!rc)
		rc = json_field_str(&res->body, false, "provider_state", r.provider_state);
	l.n = 0;
	if (!rc && !(rc = buf_puts(&res->body, ",\"route\":[")))
		rc = trm_route(env, req->arena, principal_of(req), id, write_hop, &l);
	l.n = 0;
	if (!rc && !(rc = buf_puts(&res->body, "],\"documents\":[")))
		rc = trm_documents_list(env, req->arena, principal_of(req), id, write_document, &l);
	return rc ? rc : buf_puts(&res->body, "]}");
}

static const char *json_field(void *ctx, const char *name)
{
	return json_get_string(ctx, name);
}

/* {"type": "...", "fields": {"name": "value", ...}}: 201, or 422 naming the field. */
int api_trm_document(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const members[] = { "type", "fields", NULL };
	json_value *body;
	int rc = api_read_body(req, res, members, &body);
	if (!body)
		return rc;
	const char *type = json_get_string(body, "type");
	const json_value *fields = json_get(body, "fields");
	if (!type || !trm_doc_type_find(type) || !fields || fields->type != JSON_OBJECT)
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Give a document type and its fields."));
	/* A field of a type this API does not know is refused rather than dropped. */
	const trm_doc_type *t = trm_doc_type_find(type);
	for (size_t i = 0; i < fields->length; i++) {
		if (!trm_doc_field_known(t, fields->keys[i]) ||
		    fields->items[i]->type != JSON_STRING)
			return http_refuse(req, res, PONTE_EREJECTED,
					   N_("Give a document type and its fields."));
	}
	const char *field = NULL, *why = NULL;
	rc = trm_document_send(&services_of(req)->env, principal_of(req), id, type, json_field,
			       (void *)(uintptr_t)fields, clock_wall_ms(), &field, &why);
	if (rc == PONTE_EINVAL && field) {
		field_errors e = { .count = 0 };
		field_errors_add(&e, field, why);
		return api_field_errors(req, res, &e);
	}
	if (rc == PONTE_EINVAL || rc == PONTE_ECONFLICT)
		return http_refuse(req, res, rc == PONTE_EINVAL ? PONTE_EREJECTED : PONTE_ECONFLICT,
				   why ? why : "");
	if (rc)
		return rc;
	http_created(res);
	res->content_type = "application/json";
	return buf_puts(&res->body, "{\"sent\":true}");
}
