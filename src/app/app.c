#include "app/app.h"
#include "i18n/i18n.h"
#include "tpl/tpl.h"
#include "web/web.h"

int app_load_resources(char *err, size_t errlen)
{
	int rc = i18n_init(err, errlen);
	if (!rc)
		rc = tpl_registry_init(err, errlen);
	return rc;
}

int app_init(app *a, store *db, crypto_keyring *keys, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	int rc = http_routes_validate(app_routes, app_routes_count, err, errlen);
	if (rc)
		return rc;
	a->svc.db = db;
	a->svc.keys = keys;
	a->svc.env = (identity_env){ db, keys };
	a->svc.metrics = http_metrics_new(app_routes, app_routes_count);
	if (!a->svc.metrics)
		return PONTE_ENOMEM;
	a->http.routes = app_routes;
	a->http.nroutes = app_routes_count;
	a->http.ctx = &a->svc;
	a->http.render_error = web_render_error;
	a->http.authenticate = app_authenticate;
	a->http.permits = app_permits;
	a->http.csrf_token = app_csrf_token;
	a->http.must_visit = app_must_visit;
	a->http.login_path = "/login";
	return 0;
}

void app_release(app *a)
{
	http_metrics_free(a->svc.metrics);
	a->svc.metrics = NULL;
}

int app_start(app *a, const http_server_config *cfg, char *err, size_t errlen)
{
	http_server_config c = *cfg;
	c.metrics = a->svc.metrics;
	return http_server_start(&a->http, &c, &a->server, err, errlen);
}

unsigned app_stop(app *a)
{
	unsigned left = http_server_stop(a->server);
	a->server = NULL;
	return left;
}
