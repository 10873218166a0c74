#include "api/api.h"
#include "base/embedded.h"
#include "base/json.h"
#include "services/services.h"

/* 200 when the database answers a read, 503 otherwise: what a load balancer needs. */
int api_healthz(http_request *req, http_response *res)
{
	int rc = store_ping(services_of(req)->db);
	res->content_type = "application/json";
	if (rc) {
		http_refuse_page(res, PONTE_EBUSY);
		http_set_header(res, "Retry-After", "5");
		return buf_printf(&res->body, "{\"status\":\"unavailable\",\"version\":\"%s\"}",
				  PONTE_VERSION);
	}
	return buf_printf(&res->body, "{\"status\":\"ok\",\"version\":\"%s\"}", PONTE_VERSION);
}

int api_metrics(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	if (!svc->metrics)
		return PONTE_ENOTFOUND;
	if (svc->metrics_token_set) {
		/* Not found rather than refused: a scraper without the token learns nothing. */
		const char *auth = http_header_get(req, "Authorization");
		unsigned char h[CRYPTO_HASH_BYTES];
		if (!auth || strncmp(auth, "Bearer ", 7) != 0)
			return PONTE_ENOTFOUND;
		crypto_token_hash(auth + 7, h);
		if (!crypto_equal(h, svc->metrics_token_hash, sizeof(h)))
			return PONTE_ENOTFOUND;
	}
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return http_metrics_write(svc->metrics, &res->body);
}

/* GET /api/v1/openapi.json: the API described (api/openapi.json, compiled in). */
int api_openapi(http_request *req, http_response *res)
{
	(void)req;
	const struct embedded_file *f = embedded_find("api/openapi.json");
	if (!f)
		return PONTE_ENOTFOUND;
	res->content_type = "application/json";
	return buf_append(&res->body, f->data, f->len);
}
