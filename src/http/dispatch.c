/*
 * http_dispatch(): the one path every request takes, with or without a socket.
 *
 * It maps the error codes handlers return through the refusal table (refuse.c), the one place
 * that turns codes into HTTP statuses, and it is the only place that adds
 * the security headers, so no handler can forget them.
 */
#include <unistd.h>

#include <strings.h>

#include "base/json.h"
#include "base/utf8.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "i18n/i18n.h"

#define LANG_COOKIE "ponte_lang"
#define MAX_QUERY_LEN 8192

/* Strict CSP: nothing inline, nothing from elsewhere. htmx is served from 'self'. */
static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
			  "data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
			  "frame-ancestors 'none'; base-uri 'none'";

/* A download is never a page: no script, no plugin, no form, no frame, its own opaque origin. */
static const char DOWNLOAD_CSP[] = "default-src 'none'; sandbox; frame-ancestors 'none'; "
				   "base-uri 'none'; form-action 'none'";

void http_response_init(http_response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	res->file_fd = -1;
	buf_init(&res->body, HTTP_RESPONSE_LIMIT);
}

void http_response_release(http_response *res)
{
	buf_release(&res->body);
	if (res->file_fd >= 0)
		close(res->file_fd);
	res->file_fd = -1;
}

int http_set_header(http_response *res, const char *name, const char *value)
{
	bool cookie = strcasecmp(name, "Set-Cookie") == 0;
	for (size_t i = 0; i < res->nheaders && !cookie; i++) {
		if (strcasecmp(res->headers[i].name, name) == 0) {
			res->headers[i].value = value;
			return 0;
		}
	}
	if (res->nheaders == HTTP_MAX_RESPONSE_HEADERS)
		return PONTE_ELIMIT;
	res->headers[res->nheaders].name = name;
	res->headers[res->nheaders].value = value;
	res->nheaders++;
	return 0;
}

const char *http_header_get(const http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

const char *http_query(const http_request *req, const char *name)
{
	return url_params_get(&req->query_params, name);
}

const char *http_cookie(const http_request *req, const char *name)
{
	return url_params_get(&req->cookies, name);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	}
	return "Unknown";
}

void http_status_message(int status, const char **code, const char **msg)
{
	switch (status) {
	case 400:
		*code = "bad_request";
		*msg = N_("The request was malformed. Check the address and try again.");
		break;
	case 401:
		*code = "unauthenticated";
		*msg = N_("Please sign in to continue.");
		break;
	case 403:
		*code = "forbidden";
		*msg = N_("You are not allowed to do this.");
		break;
	case 404:
		*code = "not_found";
		*msg = N_("The page you asked for does not exist.");
		break;
	case 405:
		*code = "method_not_allowed";
		*msg = N_("This address does not accept this kind of request.");
		break;
	case 409:
		*code = "conflict";
		*msg =
		    N_("Someone else changed this entry. Reload it and apply your change again.");
		break;
	case 413:
		*code = "payload_too_large";
		*msg = N_("What you sent is too large.");
		break;
	case 422:
		*code = "invalid";
		*msg = N_("Check the form and try again.");
		break;
	case 429:
		*code = "too_many_attempts";
		*msg = N_("Too many attempts. Please wait a moment and try again.");
		break;
	case 431:
		*code = "headers_too_large";
		*msg = N_("The request headers are too large.");
		break;
	case 503:
		*code = "unavailable";
		*msg = N_("The service is busy. Please try again in a moment.");
		break;
	case 507:
		*code = "insufficient_storage";
		*msg =
		    N_("The server's disk is full, so nothing was saved. Tell your administrator; "
		       "you can go on reading in the meantime.");
		break;
	default:
		*code = "internal_error";
		*msg = N_("Something went wrong on our side. The error has been logged.");
		break;
	}
}

int http_json_error(http_request *req, http_response *res, int status, const char *code,
		    const char *message)
{
	buf_reset(&res->body);
	res->status = status;
	res->content_type = "application/json";
	int rc = buf_puts(&res->body, "{\"error\":{");
	if (!rc)
		rc = json_field_str(&res->body, true, "code", code);
	if (!rc)
		rc = json_field_str(&res->body, false, "message", tr(req->lang, message));
	if (!rc)
		rc = buf_puts(&res->body, "}}");
	return rc;
}

static void render_error(http_request *req, http_response *res, int status)
{
	const char *code, *msg;
	http_status_message(status, &code, &msg);
	res->status = status;
	res->etag = NULL;
	res->cache = CACHE_NO_STORE;
	if (req->is_api || !req->app->render_error ||
	    req->app->render_error(req, res, status) != 0) {
		http_json_error(req, res, status, code, msg);
		if (!req->is_api && req->app->render_error) {
			/* The error page itself failed: fall back to plain text. */
			buf_reset(&res->body);
			buf_puts(&res->body, tr(req->lang, msg));
			res->content_type = "text/plain; charset=utf-8";
		}
	}
	res->status = status;
	if (status == 503)
		http_set_header(res, "Retry-After", "5");
}

static const char *response_header(const http_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return NULL;
}

static bool type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);
	return strncasecmp(content_type, type, n) == 0 &&
	       (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

bool http_is_download(const http_response *res)
{
	if (res->file_fd >= 0 || response_header(res, "Content-Disposition"))
		return true;
	if (res->cache == CACHE_IMMUTABLE || !res->content_type || res->status == 304)
		return false; /* embedded assets, and bodiless answers */
	/* What Ponte writes itself: pages from its templates, JSON, plain text (/metrics). */
	return !type_is(res->content_type, "text/html") &&
	       !type_is(res->content_type, "application/json") &&
	       !type_is(res->content_type, "text/plain");
}

static void add_security_headers(const http_request *req, http_response *res)
{
	bool download = http_is_download(res);
	if (download) {
		/* Whatever the handler said ("inline", nothing): saved, never shown. */
		const char *d = response_header(res, "Content-Disposition");
		if (d && strncasecmp(d, "inline", 6) == 0 && (!d[6] || d[6] == ';'))
			d = arena_printf(req->arena, "attachment%s", d + 6);
		else if (!d || strncasecmp(d, "attachment", 10) != 0 || (d[10] && d[10] != ';'))
			d = "attachment";
		http_set_header(res, "Content-Disposition", d ? d : "attachment");
	}
	http_set_header(res, "Content-Security-Policy", download ? DOWNLOAD_CSP : CSP);
	http_set_header(res, "X-Content-Type-Options", "nosniff");
	http_set_header(res, "Referrer-Policy", "no-referrer");
	http_set_header(res, "X-Frame-Options", "DENY");
	http_set_header(res, "Cross-Origin-Opener-Policy", "same-origin");
	http_set_header(res, "Cross-Origin-Resource-Policy", "same-origin");
	http_set_header(res, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
	if (res->cache == CACHE_IMMUTABLE) {
		http_set_header(res, "Cache-Control", "public, max-age=31536000, immutable");
	} else {
		http_set_header(res, "Cache-Control", "no-store");
		if (!req->is_api)
			http_set_header(res, "Vary", "Cookie, Accept-Language");
	}
	if (req->app->tls)
		http_set_header(res, "Strict-Transport-Security", "max-age=31536000");
}

/* ?lang= chosen by the user is remembered in a cookie, so every later page follows it. */
static void remember_language(http_request *req, http_response *res, const char *query_lang)
{
	if (!query_lang || i18n_lang_from_tag(query_lang, strlen(query_lang)) < 0)
		return;
	const char *cookie =
	    arena_printf(req->arena,
			 LANG_COOKIE "=%s; Path=/; Max-Age=31536000; "
				     "SameSite=Lax; HttpOnly%s",
			 i18n_lang(req->lang)->code, req->app->tls ? "; Secure" : "");
	if (cookie)
		http_set_header(res, "Set-Cookie", cookie);
}

/* The JSON API, and the federation inbox where peer instances post (answered in JSON too,
 * a 413 included). */
static bool path_is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	       strncmp(path, "/fed/", 5) == 0;
}

/* What every request needs before routing: its language, cookies and decoded query. Returns
 * whether the query string was valid. */
/* 0, or why the query string could not be read (PONTE_ENOMEM: no memory, not a bad query). */
static int prepare(const http_app *app, http_request *req, const char **query_lang)
{
	req->app = app;
	req->route_index = -1;
	req->route = NULL;
	req->lang = LANG_EN;
	req->is_api = req->path && path_is_api(req->path);
	if (!req->query)
		req->query = "";
	/* Cookies from other applications on the host may be malformed: they are skipped. */
	http_parse_cookies(req->arena, http_header_get(req, "Cookie"), &req->cookies);
	size_t qlen = strlen(req->query);
	int query_rc = qlen > MAX_QUERY_LEN
			   ? PONTE_ELIMIT
			   : url_parse_params(req->arena, req->query, qlen, &URL_LIMITS_DEFAULT,
					      &req->query_params);
	*query_lang = query_rc == 0 ? url_params_get(&req->query_params, "lang") : NULL;
	/* Language first, so that even errors speak the user's language. */
	req->lang = i18n_negotiate(NULL, *query_lang, http_cookie(req, LANG_COOKIE),
				   http_header_get(req, "Accept-Language"));
	return query_rc;
}

bool http_param_id(const http_request *req, size_t i, int64_t *id)
{
	/* strtoll would skip leading spaces and accept a sign: only digits are an id. */
	if (i >= req->nparams || req->params[i][0] < '0' || req->params[i][0] > '9')
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(req->params[i], &end, 10);
	*id = v;
	return !errno && !*end && end != req->params[i] && v > 0;
}

const char *http_form(const http_request *req, const char *name)
{
	return url_params_get(&req->form, name);
}

int http_redirect(http_request *req, http_response *res, const char *location)
{
	(void)req;
	res->status = 303;
	buf_reset(&res->body);
	return http_set_header(res, "Location", location);
}

void http_created(http_response *res)
{
	res->status = 201;
}

void http_no_content(http_response *res)
{
	res->status = 204;
	buf_reset(&res->body);
}

int http_defer(http_request *req, http_work_fn work, void *arg)
{
	req->deferred_work = work;
	req->deferred_arg = arg;
	return PONTE_DEFERRED;
}

void http_dispatch_status(const http_app *app, http_request *req, http_response *res, int status)
{
	const char *query_lang;
	if (!req->admitted) /* else the caller and their language are known already */
		prepare(app, req, &query_lang);
	render_error(req, res, status);
	add_security_headers(req, res);
}

static bool is_form(const http_request *req)
{
	const char *ct = http_header_get(req, "Content-Type");
	return req->body_is_form ||
	       (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0);
}

/* Anonymous caller of a protected route: pages go to the login form, the API says 401. */
static void unauthenticated(http_request *req, http_response *res)
{
	if (!req->is_api && req->app->login_path && (req->method & (HTTP_GET | HTTP_HEAD))) {
		buf next;
		buf_init(&next, 4096);
		url_encode_component(&next, req->path, strlen(req->path));
		const char *loc = arena_printf(req->arena, "%s?next=%s", req->app->login_path,
					       next.data ? next.data : "%2F");
		buf_release(&next);
		if (loc) {
			http_redirect(req, res, loc);
			return;
		}
	}
	render_error(req, res, 401);
	if (req->is_api)
		http_set_header(res, "WWW-Authenticate", "Bearer");
}

/* State-changing requests of a cookie session on a route that asks for the token. */
static bool needs_csrf(const http_request *req)
{
	return req->route->csrf && req->cookie_session && !(req->method & (HTTP_GET | HTTP_HEAD));
}

/* A browser says where a request comes from (Fetch Metadata): a state-changing request of a
 * cookie session sent by another site's page is a forgery whatever its body holds, so it is
 * refused on its headers. Clients that do not send the header are judged by the token. */
static bool cross_site(const http_request *req)
{
	const char *site = http_header_get(req, "Sec-Fetch-Site");
	return site && strcasecmp(site, "same-origin") != 0;
}

/* The token from the X-CSRF-Token header, else from form (the decoded body when NULL). */
static bool csrf_ok(const http_request *req, const url_params *form)
{
	const char *want = req->app->csrf_token ? req->app->csrf_token(req) : NULL;
	const char *got = http_header_get(req, "X-CSRF-Token");
	if (!got)
		got = url_params_get(form ? form : &req->form, "csrf");
	return want && got && strlen(want) == strlen(got) && crypto_equal(want, got, strlen(want));
}

/* The access rules of a matched route that the headers decide: caller, permission, a pending
 * setup step and, when the token came as a header, CSRF. true when the body may be read. */
static bool admit(http_request *req, http_response *res)
{
	const http_route *r = req->route;
	if (strcmp(r->permission, PERM_PUBLIC) == 0)
		return true;
	if (!req->principal) {
		unauthenticated(req, res);
		return false;
	}
	if (strcmp(r->permission, PERM_AUTHENTICATED) != 0 &&
	    !(req->app->permits && req->app->permits(req, r->permission))) {
		render_error(req, res, 403);
		return false;
	}
	const char *setup =
	    req->app->must_visit && !r->during_setup ? req->app->must_visit(req) : NULL;
	if (setup) {
		if (req->is_api)
			http_refuse_as(req, res, PONTE_EDENIED, "setup_required",
				       N_("Set up two-factor authentication before you continue."));
		else
			http_redirect(req, res, setup);
		return false;
	}
	if (needs_csrf(req) &&
	    (cross_site(req) || (http_header_get(req, "X-CSRF-Token") && !csrf_ok(req, NULL)))) {
		render_error(req, res, 403);
		return false;
	}
	return true;
}

bool http_dispatch_admit(const http_app *app, http_request *req, http_response *res)
{
	int query_rc = prepare(app, req, &req->query_lang);
	bool query_ok = query_rc == 0;
	unsigned allowed = 0;
	enum route_match m = ROUTE_BAD_PATH;
	if (req->path && utf8_valid(req->path, strlen(req->path)))
		m = http_route_match(req->arena, app->routes, app->nroutes, req->method, req->path,
				     &req->route_index, req->params, &req->nparams, &allowed);
	if (m == ROUTE_FOUND)
		req->route = &app->routes[req->route_index];
	int auth_rc =
	    m == ROUTE_FOUND && query_ok && app->authenticate ? app->authenticate(req) : 0;
	if (m == ROUTE_FOUND && query_rc == PONTE_ENOMEM) {
		render_error(req, res,
			     503); /* no memory to read the query: not the client's fault */
	} else if (m == ROUTE_BAD_PATH || (m == ROUTE_FOUND && !query_ok)) {
		render_error(req, res, 400);
	} else if (m == ROUTE_NOT_FOUND) {
		render_error(req, res, 404);
	} else if (m == ROUTE_METHOD_NOT_ALLOWED) {
		render_error(req, res, 405);
		char *allow = arena_alloc(req->arena, 64);
		if (allow) {
			http_methods_format(allowed, allow, 64);
			http_set_header(res, "Allow", allow);
		}
	} else if (auth_rc) {
		render_error(req, res, http_refusal_status(auth_rc));
	} else if (admit(req, res)) {
		req->admitted = true;
		return true;
	}
	add_security_headers(req, res);
	return false;
}

size_t http_body_limit(const http_request *req)
{
	const http_route *r = req->route;
	if (!r)
		return 0;
	if (r->body_limit)
		return r->body_limit;
	return req->principal ? HTTP_DEFAULT_BODY_LIMIT : HTTP_ANONYMOUS_BODY_LIMIT;
}

bool http_upload_csrf_ok(const http_request *req, const char *fields, size_t len)
{
	if (!needs_csrf(req))
		return true;
	url_params form = { 0 };
	if (!http_header_get(req, "X-CSRF-Token") &&
	    url_parse_params(req->arena, fields ? fields : "", len, &URL_LIMITS_DEFAULT, &form) !=
		0)
		return false;
	return csrf_ok(req, &form);
}

static void finish(http_request *req, http_response *res, int rc)
{
	if (rc == PONTE_EUNAUTH)
		unauthenticated(req, res); /* a public route that found it must not be */
	else if (rc)
		render_error(req, res, http_refusal_status(rc));
	else
		remember_language(req, res, req->query_lang);
	add_security_headers(req, res);
}

static void run_handler(http_request *req, http_response *res)
{
	int rc = req->route->handler(req, res);
	if (rc == PONTE_DEFERRED) {
		if (req->defer_hook && req->defer_hook(req)) {
			res->deferred = true; /* the server resumes with http_dispatch_resume */
			return;
		}
		req->deferred_work(req->deferred_arg);
		req->resumed = true;
		rc = req->route->handler(req, res);
	}
	finish(req, res, rc);
}

void http_dispatch_resume(const http_app *app, http_request *req, http_response *res)
{
	(void)app;
	req->resumed = true;
	res->deferred = false;
	finish(req, res, req->route->handler(req, res));
}

void http_dispatch(const http_app *app, http_request *req, http_response *res)
{
	if (!req->admitted && !http_dispatch_admit(app, req, res))
		return;
	size_t limit = http_body_limit(req);
	int form_rc = 0;
	/* Form bodies are for pages; the API reads JSON whatever a client labels it. */
	if (!req->is_api && req->body_len <= limit && is_form(req))
		form_rc = url_parse_params(req->arena, req->body ? req->body : "", req->body_len,
					   &URL_LIMITS_DEFAULT, &req->form);
	if (req->body_len > limit) {
		render_error(req, res, 413);
	} else if (form_rc == PONTE_ENOMEM) {
		render_error(req, res, 503);
	} else if (form_rc) {
		render_error(req, res, 400);
	} else if (needs_csrf(req) && !csrf_ok(req, NULL)) {
		render_error(req, res, 403);
	} else {
		run_handler(req, res);
		return;
	}
	add_security_headers(req, res);
}
