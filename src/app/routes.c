/*
 * The route table: every address Ponte answers, with the permission it requires.
 *
 * Deny by default: http_routes_validate() refuses a route without a permission, and the
 * route tests enumerate this table.
 */
#include "api/api.h"
#include "app/app.h"
#include "http/static.h"
#include "web/web.h"

const http_route app_routes[] = {
	{ HTTP_GET, "/", web_home, PERM_PUBLIC, false, 0 },
	{ HTTP_GET, "/healthz", api_healthz, PERM_PUBLIC, false, 0 },
	{ HTTP_GET, "/metrics", api_metrics, PERM_PUBLIC, false, 0 },
	{ HTTP_GET, "/static/{hash}/{name}", static_serve, PERM_PUBLIC, false, 0 },
	{ HTTP_GET, "/api/v1/instance", api_instance, PERM_PUBLIC, false, 0 },
};

const size_t app_routes_count = ARRAY_LEN(app_routes);
