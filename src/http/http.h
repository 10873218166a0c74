/*
 * http.h: requests, responses, routes and handlers, independent of any socket.
 *
 * Invariants and ownership:
 * - A handler is `int handler(http_request *, http_response *)`. It reads the request, calls
 *   services, fills the response, and returns 0 or a negative error code; http_dispatch()
 *   turns codes into status pages. Tests build a request by hand and call http_dispatch()
 *   (or the handler) directly, with no socket.
 * - Everything a request allocates lives in req->arena and dies with the request.
 * - Every route names its permission; a table with a route that names none is refused at
 *   start-up (deny by default). "public" is the only permission until identity exists.
 * - Paths and query strings are decoded strictly (base/urlcode.h) before a handler sees them;
 *   the raw query string never leaves this layer (it may carry personal data).
 */
#ifndef PONTE_HTTP_H
#define PONTE_HTTP_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/urlcode.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_RESPONSE_HEADERS 16
#define HTTP_DEFAULT_BODY_LIMIT (1u << 20)
/* An anonymous caller's body on a route that sets no limit of its own (routes that take an
 * anonymous body, the login forms and the federation inbox, set theirs). */
#define HTTP_ANONYMOUS_BODY_LIMIT (16u << 10)
#define HTTP_RESPONSE_LIMIT (16u << 20)

typedef struct http_request http_request;
typedef struct http_response http_response;
/* A handler's type: its pages and API calls are declared with it, several at a time
 * (`http_handler_fn web_case, web_case_save;`), and routes hold pointers to them. */
typedef int http_handler_fn(http_request *req, http_response *res);
typedef http_handler_fn *http_handler;

/* What a route asks of the caller: "public" (anyone), "authenticated" (anyone signed in), or a
 * permission that a role must grant (identity/identity.h). */
#define PERM_PUBLIC "public"
#define PERM_AUTHENTICATED "authenticated"

/* A handler returns this after http_defer(): it is called again, with req->resumed set, once
 * the deferred work has run on a worker thread. */
#define PONTE_DEFERRED 1
typedef void (*http_work_fn)(void *arg);

typedef struct http_route {
	unsigned methods;    /* HTTP_GET, ... (GET implies HEAD) */
	const char *pattern; /* "/api/v1/users/{id}"; also its name in logs and metrics */
	http_handler handler;
	const char *permission; /* required; NULL is refused at start-up */
	bool csrf;              /* state-changing requests with a session cookie need the token */
	size_t body_limit;      /* bytes; 0 means HTTP_DEFAULT_BODY_LIMIT */
	bool during_setup;      /* reachable while the caller must finish a setup step (2FA) */
	/* multipart/form-data with one file, spooled to disk as it arrives (req->upload);
	 * body_limit is then the largest file. */
	bool upload;
} http_route;

/* The file of an upload route, on disk in the spool directory until the request ends. */
typedef struct http_upload {
	bool present;
	const char *path;         /* the spooled file; removed when the request completes */
	uint64_t size;            /* bytes */
	const char *filename;     /* as the client named it (untrusted), at most 255 bytes */
	const char *content_type; /* as the client declared it (untrusted) */
} http_upload;

typedef struct http_header {
	const char *name;
	const char *value;
} http_header;

enum http_cache {
	CACHE_NO_STORE = 0, /* dynamic pages and API answers: the default */
	CACHE_IMMUTABLE,    /* content-hashed assets */
};

struct http_app;

struct http_request {
	arena *arena;
	const struct http_app *app;
	enum http_method method;
	const char *method_name;
	const char *path;  /* raw, as received, without the query */
	const char *query; /* raw query string without '?', or "" */
	const http_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
	const char *client_addr; /* for rate limits and audit; never logged with the path */
	/* Filled by http_dispatch(): */
	const http_route *route;
	int route_index;
	const char *params[HTTP_MAX_PARAMS]; /* decoded path parameters, in pattern order */
	size_t nparams;
	url_params query_params;
	url_params cookies;
	int lang;
	bool is_api;
	const char *query_lang;
	url_params form;   /* decoded application/x-www-form-urlencoded body */
	bool body_is_form; /* the server re-encoded a multipart body's fields as a form */
	http_upload upload;
	/* Filled by the app's authenticate hook: */
	void *principal;     /* NULL when anonymous */
	bool cookie_session; /* authenticated by the session cookie (CSRF applies) */
	bool admitted;       /* http_dispatch_admit() let the body in */
	/* Deferred work (http_defer): */
	http_work_fn deferred_work;
	void *deferred_arg;
	bool resumed;
	bool (*defer_hook)(http_request *req); /* set by the server; NULL runs work inline */
	void *defer_ctx;
};

struct http_response {
	int status;
	buf body;
	const char *content_type;
	http_header headers[HTTP_MAX_RESPONSE_HEADERS];
	size_t nheaders;
	enum http_cache cache;
	const char *etag;
	bool deferred; /* the server must run the deferred work, then http_dispatch_resume */
	/* A file to send instead of body (downloads): the server owns the descriptor once set;
	 * -1 when none. */
	int file_fd;
	uint64_t file_size;
};

typedef struct http_app {
	const http_route *routes;
	size_t nroutes;
	void *ctx; /* the services handlers may call (web/, api/) */
	/* Renders an HTML error page for status into res (body and content type). */
	int (*render_error)(http_request *req, http_response *res, int status);
	bool tls; /* served over TLS: cookies get Secure */
	/* Identify the caller: set req->principal (and cookie_session), or leave it NULL. A
	 * non-zero return is an error (e.g. PONTE_EBUSY). */
	int (*authenticate)(http_request *req);
	/* Whether the caller holds a permission. */
	bool (*permits)(const http_request *req, const char *permission);
	/* The caller's CSRF token, for cookie sessions. */
	const char *(*csrf_token)(const http_request *req);
	/* A page the caller must visit before anything else (2FA enrolment), or NULL. */
	const char *(*must_visit)(const http_request *req);
	const char *login_path; /* where anonymous visitors of protected pages are sent */
} http_app;

/* Check a route table: every route has a permission, a handler and a valid pattern. */
int http_routes_validate(const http_route *routes, size_t n, char *err, size_t errlen);

/*
 * Admission, from the request line and headers alone, before any body is read: route (400,
 * 404, 405), caller (session cookie or bearer token), permission (401 or the login page, 403),
 * a pending 2FA setup, and CSRF when the token comes as the X-CSRF-Token header. true: the
 * body may be read (req->admitted); false: res holds the answer, security headers included,
 * and the body should not be read at all. The server calls it when the headers are in;
 * http_dispatch() calls it itself for a request that did not go through it.
 */
bool http_dispatch_admit(const http_app *app, http_request *req, http_response *res);
/* The largest body an admitted request may send: the route's limit, else 1 MiB for a signed-in
 * caller and HTTP_ANONYMOUS_BODY_LIMIT for an anonymous one. On upload routes, the file's. */
size_t http_body_limit(const http_request *req);
/* On an upload route, before the first byte of the file is written: whether a cookie session
 * has shown its CSRF token, in the header or in the form fields sent before the file
 * (fields: what arrived so far, form-encoded). Always true where CSRF does not apply. */
bool http_upload_csrf_ok(const http_request *req, const char *fields, size_t len);
/* Admit (unless the server did), decode the form body, check its size and CSRF token, call the
 * handler, map errors, add security headers. */
void http_dispatch(const http_app *app, http_request *req, http_response *res);
/* Run work(arg) off the request thread, then call the handler again (req->resumed). The
 * handler returns what this returns (PONTE_DEFERRED). */
int http_defer(http_request *req, http_work_fn work, void *arg);
/* Finish a request whose deferred work has run (the server calls it). */
void http_dispatch_resume(const http_app *app, http_request *req, http_response *res);
/* Path parameter i as a record number (a positive integer); false for anything else, which
 * handlers answer with 404 like an unknown record. */
bool http_param_id(const http_request *req, size_t i, int64_t *id);
/* A field of the decoded form body, or NULL. */
const char *http_form(const http_request *req, const char *name);
/* 303 to a local path. */
int http_redirect(http_request *req, http_response *res, const char *location);
/* A success other than 200, for the handler that made something (201) or has nothing to say
 * (204, body emptied); refusals go through http_refuse() and http_refuse_page(). */
void http_created(http_response *res);
void http_no_content(http_response *res);
/* Answer with an error status decided before routing (413, 431), rendered like any other. */
void http_dispatch_status(const http_app *app, http_request *req, http_response *res, int status);

void http_response_init(http_response *res);
void http_response_release(http_response *res);
/* Set a response header, replacing one of the same name; Set-Cookie is added each time, since a
 * response may set several cookies (a session and the ?lang= choice). */
int http_set_header(http_response *res, const char *name, const char *value);
const char *http_header_get(const http_request *req, const char *name);
/* The decoded query parameter, or NULL. */
const char *http_query(const http_request *req, const char *name);
const char *http_cookie(const http_request *req, const char *name);
/* An error answer {"error":{"code","message"}} with a status decided by the HTTP layer itself
 * (dispatch.c, refuse.c); handlers refuse with http_refuse() instead. */
int http_json_error(http_request *req, http_response *res, int status, const char *code,
		    const char *message);

/*
 * Refusals (refuse.c): the one table from PONTE_E* codes to HTTP statuses (EINVAL 400,
 * EUNAUTH 401, EDENIED 403, ENOTFOUND 404, ECONFLICT 409, ELIMIT 413, EREJECTED 422,
 * ETOOMANY 429, EBUSY 503, ENOMEM 503, ENOSPC 507, anything else 500). Messages are msgids, translated
 * into the request's language.
 */
int http_refusal_status(int err);
/* An API refusal: err's status, the status's code and message (NULL: the status's own). */
int http_refuse(http_request *req, http_response *res, int err, const char *message);
/* The same with a code of its own that clients tell apart (totp_required, unknown_field). */
int http_refuse_as(http_request *req, http_response *res, int err, const char *code,
		   const char *message);
/* A page that refuses what was posted: err's status on the page the handler renders. */
void http_refuse_page(http_response *res, int err);

/* Route matching (router.c). */
enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED, ROUTE_BAD_PATH };
/* On ROUTE_FOUND sets *index and params; on ROUTE_METHOD_NOT_ALLOWED sets *allowed. */
enum route_match http_route_match(arena *a, const http_route *routes, size_t n, unsigned method,
				  const char *path, int *index, const char **params,
				  size_t *nparams, unsigned *allowed);
unsigned http_method_from_name(const char *name);
/* "GET, HEAD, POST" for an allowed mask; out must hold 64 bytes. */
void http_methods_format(unsigned mask, char *out, size_t outlen);

/*
 * Downloads (download.c). Every response that is not Ponte's own page, JSON or embedded asset
 * (a file someone uploaded, an export, anything sent from a file descriptor or with a
 * Content-Disposition) is a download: http_dispatch() sends it with "Content-Disposition:
 * attachment" (whatever the handler set), "X-Content-Type-Options: nosniff" and a CSP with
 * "sandbox", so a browser never renders it as a page of this origin (a PDF with JavaScript,
 * an image with a script). Handlers name the file with http_disposition().
 */
/* "attachment; filename=..." for name: an ASCII fallback and the UTF-8 name (RFC 6266). */
const char *http_disposition(arena *a, const char *name);
/* Whether res is a download in the sense above. */
bool http_is_download(const http_response *res);

/* Cookies (cookie.c): parse a Cookie header leniently: malformed pairs are skipped. */
int http_parse_cookies(arena *a, const char *header, url_params *out);

/* The machine-readable code ("not_found") and the user-facing message (a msgid) of an
 * error status. */
void http_status_message(int status, const char **code, const char **msg);
/* Reason phrase for logs and pages. */
const char *http_status_text(int status);

#endif
