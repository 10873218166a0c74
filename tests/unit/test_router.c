/* Route tables give the trailing upload column only where true. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "testutil.h"

#include "app/app.h"
#include "base/embedded.h"
#include "base/json_parse.h"
#include "http/http.h"
#include "i18n/i18n.h"

static int ok_handler(http_request *req, http_response *res)
{
	(void)req;
	return buf_puts(&res->body, "ok");
}

static int fail_busy(http_request *req, http_response *res)
{
	(void)req;
	(void)res;
	return PONTE_EBUSY;
}

static int fail_missing(http_request *req, http_response *res)
{
	(void)req;
	(void)res;
	return PONTE_ENOTFOUND;
}

static const http_route ROUTES[] = {
	{ HTTP_GET, "/", ok_handler, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/cases", ok_handler, PERM_PUBLIC, false, 0, false },
	{ HTTP_POST, "/cases", ok_handler, PERM_PUBLIC, true, 16, false },
	{ HTTP_GET | HTTP_PUT, "/cases/{id}", ok_handler, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/cases/{id}/notes/{note}", ok_handler, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/busy", fail_busy, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/api/v1/missing", fail_missing, PERM_PUBLIC, false, 0, false },
};

static void literal_and_parameter_routes_match(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	int idx;
	const char *params[HTTP_MAX_PARAMS];
	size_t np;
	unsigned allowed;
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET, "/", &idx,
					  params, &np, &allowed),
			 ROUTE_FOUND);
	assert_int_equal(idx, 0);
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_POST, "/cases", &idx,
					  params, &np, &allowed),
			 ROUTE_FOUND);
	assert_int_equal(idx, 2);
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET, "/cases/42",
					  &idx, params, &np, &allowed),
			 ROUTE_FOUND);
	assert_int_equal(idx, 3);
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "42");
	/* Parameters are percent-decoded; a decoded '/' cannot smuggle a new segment. */
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET,
					  "/cases/a%20b/notes/%C3%A9", &idx, params, &np, &allowed),
			 ROUTE_FOUND);
	assert_int_equal(idx, 4);
	assert_string_equal(params[0], "a b");
	assert_string_equal(params[1], "\xC3\xA9");
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET, "/cases/a%2Fb",
					  &idx, params, &np, &allowed),
			 ROUTE_BAD_PATH);
	/* GET routes answer HEAD. */
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_HEAD, "/cases", &idx,
					  params, &np, &allowed),
			 ROUTE_FOUND);
	arena_release(&a);
}

static void unknown_paths_wrong_methods_and_bad_paths(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	int idx;
	const char *params[HTTP_MAX_PARAMS];
	size_t np;
	unsigned allowed = 0;
	const char *not_found[] = { "/nope", "/cases/",        "/cases/1/",
				    "//",    "/cases/1/notes", "/CASES" };
	for (size_t i = 0; i < ARRAY_LEN(not_found); i++)
		assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET,
						  not_found[i], &idx, params, &np, &allowed),
				 ROUTE_NOT_FOUND);
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_DELETE, "/cases/7",
					  &idx, params, &np, &allowed),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_int_equal(allowed, HTTP_GET | HTTP_HEAD | HTTP_PUT);
	char text[64];
	http_methods_format(allowed, text, sizeof(text));
	assert_string_equal(text, "GET, HEAD, PUT");
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET, "nope", &idx,
					  params, &np, &allowed),
			 ROUTE_BAD_PATH);
	assert_int_equal(http_route_match(&a, ROUTES, ARRAY_LEN(ROUTES), HTTP_GET, "/cases/%zz",
					  &idx, params, &np, &allowed),
			 ROUTE_BAD_PATH);
	assert_int_equal(http_method_from_name("BREW"), 0);
	arena_release(&a);
}

static void route_without_permission_is_refused(void **state)
{
	(void)state;
	char err[256];
	const http_route bad[] = { { HTTP_GET, "/secret", ok_handler, NULL, false, 0, false } };
	assert_int_equal(http_routes_validate(bad, 1, err, sizeof(err)), PONTE_EINVAL);
	assert_non_null(strstr(err, "/secret"));
	const http_route bad2[] = { { HTTP_GET, "secret", ok_handler, PERM_PUBLIC, false, 0,
				      false } };
	assert_int_equal(http_routes_validate(bad2, 1, err, sizeof(err)), PONTE_EINVAL);
	assert_int_equal(http_routes_validate(ROUTES, ARRAY_LEN(ROUTES), err, sizeof(err)), 0);
}

/* Every route of the real table declares a permission (deny by default). */
static void every_application_route_declares_a_permission(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(http_routes_validate(app_routes, app_routes_count, err, sizeof(err)), 0);
	for (size_t i = 0; i < app_routes_count; i++) {
		assert_non_null(app_routes[i].permission);
		assert_non_null(app_routes[i].handler);
	}
}

/* In-process dispatch: no socket. */
struct call {
	arena a;
	http_request req;
	http_response res;
	http_header headers[4];
};

static void call_init(struct call *c, unsigned method, const char *path, const char *query)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->a, 1 << 20);
	c->req.arena = &c->a;
	c->req.method = method;
	c->req.method_name = "GET";
	c->req.path = path;
	c->req.query = query;
	c->req.headers = c->headers;
	http_response_init(&c->res);
}

static void call_release(struct call *c)
{
	http_response_release(&c->res);
	arena_release(&c->a);
}

static const char *res_header(const http_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return NULL;
}

static const http_app APP = { .routes = ROUTES, .nroutes = ARRAY_LEN(ROUTES) };

static void dispatch_maps_errors_to_statuses_with_security_headers(void **state)
{
	(void)state;
	struct {
		unsigned method;
		const char *path, *query;
		size_t body_len;
		int status;
	} cases[] = {
		{ HTTP_GET, "/", "", 0, 200 },
		{ HTTP_GET, "/nope", "", 0, 404 },
		{ HTTP_DELETE, "/cases", "", 0, 405 },
		{ HTTP_POST, "/cases", "", 17, 413 }, /* route limit is 16 bytes */
		{ HTTP_POST, "/cases", "", 16, 200 },
		{ HTTP_GET, "/busy", "", 0, 503 },
		{ HTTP_GET, "/cases", "q=%zz", 0, 400 },
		{ HTTP_GET, "/caf\xC3", "", 0, 400 }, /* invalid UTF-8 in the path */
		{ HTTP_GET, "/api/v1/missing", "", 0, 404 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct call c;
		call_init(&c, cases[i].method, cases[i].path, cases[i].query);
		c.req.body = "";
		c.req.body_len = cases[i].body_len;
		http_dispatch(&APP, &c.req, &c.res);
		assert_int_equal(c.res.status, cases[i].status);
		assert_non_null(strstr(res_header(&c.res, "Content-Security-Policy"),
				       "frame-ancestors 'none'"));
		assert_string_equal(res_header(&c.res, "X-Content-Type-Options"), "nosniff");
		assert_string_equal(res_header(&c.res, "Referrer-Policy"), "no-referrer");
		assert_string_equal(res_header(&c.res, "Cache-Control"), "no-store");
		if (cases[i].status == 405)
			assert_string_equal(res_header(&c.res, "Allow"), "GET, HEAD, POST");
		if (cases[i].status == 503)
			assert_non_null(res_header(&c.res, "Retry-After"));
		call_release(&c);
	}
}

static void api_errors_are_json_in_the_callers_language(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(app_load_resources(err, sizeof(err)), 0);
	struct call c;
	call_init(&c, HTTP_GET, "/api/v1/missing", "");
	c.headers[0] = (http_header){ "Accept-Language", "pt-PT,pt;q=0.9,en;q=0.5" };
	c.req.nheaders = 1;
	http_dispatch(&APP, &c.req, &c.res);
	assert_int_equal(c.res.status, 404);
	assert_string_equal(c.res.content_type, "application/json");
	assert_string_equal(
	    c.res.body.data,
	    "{\"error\":{\"code\":\"not_found\",\"message\":\"A página que pediu não existe.\"}}");
	call_release(&c);
}

static void query_lang_sets_a_cookie_and_the_cookie_is_followed(void **state)
{
	(void)state;
	struct call c;
	call_init(&c, HTTP_GET, "/", "lang=fr");
	http_dispatch(&APP, &c.req, &c.res);
	assert_int_equal(c.req.lang, LANG_FR);
	const char *cookie = res_header(&c.res, "Set-Cookie");
	assert_non_null(cookie);
	assert_non_null(strstr(cookie, "ponte_lang=fr"));
	assert_non_null(strstr(cookie, "SameSite=Lax"));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_null(strstr(cookie, "Secure")); /* not over TLS */
	call_release(&c);

	call_init(&c, HTTP_GET, "/", "");
	c.headers[0] = (http_header){ "Cookie", "other=1; ponte_lang=pt; broken" };
	c.headers[1] = (http_header){ "Accept-Language", "fr" };
	c.req.nheaders = 2;
	http_dispatch(&APP, &c.req, &c.res);
	assert_int_equal(c.req.lang, LANG_PT); /* cookie beats Accept-Language */
	assert_null(res_header(&c.res, "Set-Cookie"));
	call_release(&c);

	call_init(&c, HTTP_GET, "/", "lang=xx");
	http_dispatch(&APP, &c.req, &c.res);
	assert_int_equal(c.req.lang, LANG_EN);
	assert_null(res_header(&c.res, "Set-Cookie")); /* unsupported: nothing remembered */
	call_release(&c);
}

static void cookies_are_parsed_leniently(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	url_params p;
	assert_int_equal(http_parse_cookies(&a, "a=1; b=\"two\"; =bad; c; d=x\x01y; e=ok ", &p), 0);
	assert_int_equal(p.count, 3);
	assert_string_equal(url_params_get(&p, "a"), "1");
	assert_string_equal(url_params_get(&p, "b"), "two");
	assert_string_equal(url_params_get(&p, "e"), "ok");
	assert_null(url_params_get(&p, "d"));
	assert_int_equal(http_parse_cookies(&a, NULL, &p), 0);
	assert_int_equal(p.count, 0);
	arena_release(&a);
}

static void path_ids_are_positive_integers_only(void **state)
{
	(void)state;
	const char *good[] = { "1", "42", "9223372036854775807" };
	const char *bad[] = { "0", "-3", "abc", "12x", "", "99999999999999999999", " 7" };
	http_request req = { .nparams = 1 };
	int64_t id;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		req.params[0] = good[i];
		assert_true(http_param_id(&req, 0, &id));
		assert_true(id > 0);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		req.params[0] = bad[i];
		if (http_param_id(&req, 0, &id))
			fail_msg("\"%s\" accepted as an id", bad[i]);
	}
	assert_false(http_param_id(&req, 1, &id)); /* no such parameter */
}

static const char *method_key(unsigned methods)
{
	return methods & HTTP_POST     ? "post"
	       : methods & HTTP_PATCH  ? "patch"
	       : methods & HTTP_PUT    ? "put"
	       : methods & HTTP_DELETE ? "delete"
				       : "get";
}

/* The OpenAPI document describes every API route, and nothing that is not one. */
static void openapi_covers_every_api_route(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find("api/openapi.json");
	assert_non_null(f);
	arena a;
	arena_init(&a, 4 << 20);
	json_value *doc;
	char err[128];
	if (json_parse(&a, f->data, f->len, &doc, err, sizeof(err)))
		fail_msg("api/openapi.json: %s", err);
	const json_value *paths = json_get(doc, "paths");
	assert_non_null(paths);
	size_t api_routes = 0;
	for (size_t i = 0; i < app_routes_count; i++) {
		const http_route *r = &app_routes[i];
		if (strncmp(r->pattern, "/api/", 5) != 0)
			continue;
		api_routes++;
		const json_value *path = json_get(paths, r->pattern);
		if (!path || !json_get(path, method_key(r->methods)))
			fail_msg("%s %s is not in api/openapi.json", method_key(r->methods),
				 r->pattern);
	}
	size_t documented = 0;
	for (size_t i = 0; i < paths->length; i++) {
		const json_value *ops = paths->items[i];
		for (size_t k = 0; k < ops->length; k++) {
			documented++;
			bool found = false;
			for (size_t j = 0; j < app_routes_count; j++)
				found =
				    found ||
				    (strcmp(app_routes[j].pattern, paths->keys[i]) == 0 &&
				     strcmp(method_key(app_routes[j].methods), ops->keys[k]) == 0);
			if (!found)
				fail_msg("api/openapi.json documents %s %s, which is not a route",
					 ops->keys[k], paths->keys[i]);
		}
	}
	assert_int_equal(documented, api_routes);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_and_parameter_routes_match),
		cmocka_unit_test(unknown_paths_wrong_methods_and_bad_paths),
		cmocka_unit_test(route_without_permission_is_refused),
		cmocka_unit_test(every_application_route_declares_a_permission),
		cmocka_unit_test(dispatch_maps_errors_to_statuses_with_security_headers),
		cmocka_unit_test(api_errors_are_json_in_the_callers_language),
		cmocka_unit_test(query_lang_sets_a_cookie_and_the_cookie_is_followed),
		cmocka_unit_test(cookies_are_parsed_leniently),
		cmocka_unit_test(openapi_covers_every_api_route),
		cmocka_unit_test(path_ids_are_positive_integers_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
