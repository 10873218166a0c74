/* POST /fed/v1/inbox: envelopes from peer instances (docs/trm-protocol.md). Anyone may knock;
 * only a sealed, signed envelope from an active peer, for this instance, in time, is applied. */
#include "api/api.h"
#include "base/clock.h"
#include "base/json.h"
#include "services/services.h"
#include "trm/trm.h"

int api_fed_inbox(http_request *req, http_response *res)
{
	int refusal = PONTE_EIO; /* 500 unless the inbox says otherwise */
	const char *why = "", *field = NULL;
	int rc = trm_receive(&services_of(req)->env, req->body ? req->body : "", req->body_len,
			     clock_wall_ms(), &refusal, &why, &field);
	if (rc)
		return rc;
	res->content_type = "application/json";
	if (!refusal) {
		int wrc = buf_puts(&res->body, "{");
		if (!wrc)
			wrc = json_field_str(&res->body, true, "status", why);
		return wrc ? wrc : buf_putc(&res->body, '}');
	}
	http_refuse_page(res, refusal);
	/* The reason in English for the peer's operators: no user reads it. */
	int wrc = buf_puts(&res->body, "{\"error\":{");
	if (!wrc)
		wrc = json_field_str(&res->body, true, "code",
				     refusal == PONTE_EINVAL      ? "bad_request"
				     : refusal == PONTE_EREJECTED ? "invalid"
								  : "forbidden");
	if (!wrc)
		wrc = json_field_str(&res->body, false, "message", why);
	if (!wrc && field)
		wrc = json_field_str(&res->body, false, "field", field);
	return wrc ? wrc : buf_puts(&res->body, "}}");
}

/* GET /fed/v1/identity: what `ponte peer id` prints (instance id, name, country, address, public
 * keys, fingerprint), for an administrator adding this instance from its address. Public like
 * the keys themselves; the fingerprint is still read over the phone before anyone trusts it. */
int api_fed_identity(http_request *req, http_response *res)
{
	const keyed_store *env = &services_of(req)->env;
	trm_self self;
	int rc = trm_identity_ensure(env);
	if (!rc)
		rc = trm_identity_get(env, req->arena, &self);
	if (!rc)
		rc = trm_identity_json(&self, &res->body);
	if (!rc)
		res->content_type = "application/json";
	return rc;
}
