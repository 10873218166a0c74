/* /api/v1/peers and /api/v1/transnational-referrals: referrals across borders over the API. */
#include "trm/trm.h"
#include "api/api.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

struct list {
	buf *b;
	bool first;
};

static int write_peer(const trm_peer *p, void *ctx)
{
	struct list *l = ctx;
	int rc = buf_puts(l->b, l->first ? "{" : ",{");
	l->first = false;
	const char *f[][2] = { { "instance_id", p->instance_id }, { "name", p->name },
			       { "country", p->country },         { "url", p->url },
			       { "fingerprint", p->fingerprint }, { "state", p->state } };
	for (size_t i = 0; !rc && i < ARRAY_LEN(f); i++)
		rc = json_field_str(l->b, i == 0, f[i][0], f[i][1]);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_peers(http_request *req, http_response *res)
{
	res->content_type = "application/json";
	struct list l = { &res->body, true };
	int rc = buf_puts(&res->body, "{\"items\":[");
	if (!rc)
		rc = trm_peer_list(services_of(req)->db, req->arena, write_peer, &l);
	return rc ? rc : buf_puts(&res->body, "]}");
}

static int write_referral(const trm_referral *r, void *ctx)
{
	struct list *l = ctx;
	int rc = buf_printf(l->b, "%s{\"id\":%lld", l->first ? "" : ",", (long long)r->id);
	l->first = false;
	const char *f[][2] = { { "direction", r->direction },   { "peer", r->peer_instance },
			       { "peer_name", r->peer_name },   { "peer_country", r->peer_country },
			       { "offer_id", r->offer_id },     { "state", r->state },
			       { "reason", r->reason },         { "legal_basis", r->legal_basis },
			       { "created_at", r->created_at }, { "updated_at", r->updated_at } };
	for (size_t i = 0; !rc && i < ARRAY_LEN(f); i++)
		rc = json_field_str(l->b, false, f[i][0], f[i][1]);
	if (!rc && r->case_id)
		rc = buf_printf(l->b, ",\"case_id\":%lld", (long long)r->case_id);
	/* The payload is JSON already (parsed when it arrived). */
	if (!rc && *r->payload)
		rc = buf_printf(l->b, ",\"payload\":%s", r->payload);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_trm_referrals(http_request *req, http_response *res)
{
	res->content_type = "application/json";
	struct list l = { &res->body, true };
	int rc = buf_puts(&res->body, "{\"items\":[");
	if (!rc)
		rc = trm_referral_list(&services_of(req)->env, req->arena, principal_of(req),
				       write_referral, &l);
	return rc ? rc : buf_puts(&res->body, "]}");
}

int api_trm_offer(http_request *req, http_response *res)
{
	int64_t case_id, ref;
	if (!http_param_id(req, 0, &case_id))
		return PONTE_ENOTFOUND;
	json_value *body;
	if (api_parse_body(req, &body) || body->type != JSON_OBJECT)
		return http_json_error(req, res, 400, "bad_request", N_("Send a JSON object."));
	const char *peer = json_get_string(body, "peer");
	const json_value *consent = json_get(body, "consent");
	if (!peer || !consent || consent->type != JSON_NUMBER)
		return http_json_error(req, res, 422, "invalid",
				       N_("Give the receiving instance and the consent."));
	const char *why = NULL;
	int rc = trm_offer(&services_of(req)->env, principal_of(req), case_id, peer,
			   (int64_t)consent->number, clock_wall_ms(), &ref, &why);
	if (rc == PONTE_EINVAL || (rc == PONTE_ENOTFOUND && why))
		return http_json_error(req, res, 422, "invalid", why ? why : "");
	if (rc)
		return rc;
	res->status = 201;
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld,\"state\":\"sent\"}", (long long)ref);
}

int api_trm_action(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id) || req->nparams < 2)
		return PONTE_ENOTFOUND;
	const char *action = req->params[1], *reason = "";
	json_value *body;
	if (req->body_len && !api_parse_body(req, &body) && body->type == JSON_OBJECT &&
	    json_get_string(body, "reason"))
		reason = json_get_string(body, "reason");
	int rc;
	int64_t now = clock_wall_ms();
	if (strcmp(action, "accept") == 0)
		rc = trm_answer(&services_of(req)->env, principal_of(req), id, true, reason, now);
	else if (strcmp(action, "decline") == 0)
		rc = trm_answer(&services_of(req)->env, principal_of(req), id, false, reason, now);
	else if (strcmp(action, "withdraw") == 0)
		rc = trm_withdraw(&services_of(req)->env, principal_of(req), id, now);
	else if (strcmp(action, "in_service") == 0 || strcmp(action, "completed") == 0 ||
		 strcmp(action, "discontinued") == 0)
		rc = trm_update(&services_of(req)->env, principal_of(req), id, action, reason, now);
	else
		return PONTE_ENOTFOUND;
	if (rc == PONTE_ECONFLICT)
		return http_json_error(req, res, 409, "conflict",
				       N_("This referral is not in a state that allows it."));
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_puts(&res->body, "{\"done\":true}");
}
