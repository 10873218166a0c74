/* /api/v1/referrals/{id}/deliveries: the services a provider delivered during a referral. */
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "referral/referral.h"
#include "services/services.h"

struct rows {
	buf *b;
	size_t n;
};

static int write_delivery(const referral_delivery *d, void *ctx)
{
	struct rows *l = ctx;
	int rc = buf_puts(l->b, l->n++ ? ",{" : "{");
	if (!rc)
		rc = json_field_int(l->b, true, "id", (long long)d->id);
	if (!rc)
		rc = json_field_date(l->b, false, "delivered_on", d->delivered_on);
	if (!rc)
		rc = json_field_str(l->b, false, "type", d->type);
	if (!rc)
		rc = json_field_str(l->b, false, "note", d->note);
	if (!rc)
		rc = json_field_str(l->b, false, "recorded_at", d->created_at);
	return rc ? rc : buf_putc(l->b, '}');
}

/* GET: {"referral_id":N,"items":[{"id","delivered_on","type","note","recorded_at"}]}, by day,
 * for both sides of the referral. */
int api_referral_deliveries(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	buf *b = &res->body;
	int rc = buf_printf(b, "{\"referral_id\":%lld,\"items\":[", (long long)id);
	struct rows l = { b, 0 };
	if (!rc)
		rc = referral_delivery_list(&services_of(req)->env, req->arena, principal_of(req),
					    id, write_delivery, &l);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_puts(b, "]}");
}

/* POST {"version","delivered_on","type","note"}: 201 with the list; 409 when the referral
 * moved since version or is no longer accepted or in service; 403 for the sending side. */
int api_referral_deliver(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "version", "delivered_on", "type", "note", NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	const json_value *version = json_get(body, "version"), *on = json_get(body, "delivered_on"),
			 *type = json_get(body, "type"), *note = json_get(body, "note");
	bool bad = !version || version->type != JSON_NUMBER ||
		   version->number != (double)(int64_t)version->number ||
		   (on && on->type != JSON_STRING) || (type && type->type != JSON_STRING) ||
		   (note && note->type != JSON_STRING && note->type != JSON_NULL);
	if (bad)
		return http_refuse(req, res, PONTE_EINVAL,
				   N_("Send the referral's version as a number, and the date, type "
				      "and note as strings."));
	field_errors e;
	int64_t did;
	rc = referral_delivery_add(
	    &services_of(req)->env, principal_of(req), id, (int64_t)version->number,
	    on ? on->string : NULL, type ? type->string : NULL,
	    note && note->type == JSON_STRING ? note->string : NULL, &did, &e);
	if (rc == PONTE_EINVAL)
		return api_field_errors(req, res, &e);
	if (rc == PONTE_EDENIED)
		return http_refuse(
		    req, res, PONTE_EDENIED,
		    N_("Only the organisation the person was referred to records the "
		       "services it gave."));
	if (rc == PONTE_ECONFLICT)
		return http_refuse(
		    req, res, PONTE_ECONFLICT,
		    N_("The referral changed meanwhile, or is no longer accepted or in "
		       "service: read it again."));
	if (rc)
		return rc;
	rc = api_referral_deliveries(req, res);
	http_created(res);
	return rc;
}
