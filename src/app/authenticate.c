/*
 * The HTTP layer's questions about callers, answered by identity: who is this (session
 * cookie for browsers, bearer token for the API), may they do this, what is their CSRF token,
 * must they set up two-factor authentication first.
 */
#include <strings.h>

#include "app/app.h"
#include "i18n/i18n.h"
#include "identity/auth.h"

static const char *bearer_token(const http_request *req)
{
	const char *h = http_header_get(req, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

int app_authenticate(http_request *req)
{
	services *svc = services_of(req);
	app_languages_refresh(svc->db, false);
	const char *bearer = bearer_token(req);
	const char *cookie = bearer ? NULL : http_cookie(req, svc->session_cookie);
	if (!bearer && !cookie)
		return 0;
	principal *p = arena_alloc(req->arena, sizeof(*p));
	if (!p)
		return PONTE_ENOMEM;
	int rc =
	    auth_session(&svc->env, bearer ? bearer : cookie, bearer ? AUTH_API : AUTH_WEB, 0, p);
	if (rc == PONTE_EDENIED)
		return 0; /* an expired or unknown token is simply anonymous */
	if (rc)
		return rc;
	snprintf(p->client, sizeof(p->client), "%s", req->client_addr ? req->client_addr : "");
	req->principal = p;
	req->cookie_session = !bearer;
	/* The user's saved language now comes before the cookie and the browser's; an explicit
	 * ?lang= for this request still comes first (i18n_negotiate states the order). */
	req->lang = i18n_negotiate(p->language, req->query_lang, i18n_lang(req->lang)->code, NULL);
	return 0;
}

bool app_permits(const http_request *req, const char *permission)
{
	return principal_can(principal_of(req), permission);
}

const char *app_csrf_token(const http_request *req)
{
	const principal *p = principal_of(req);
	return p && !p->api ? p->csrf : NULL;
}

const char *app_must_visit(const http_request *req)
{
	const principal *p = principal_of(req);
	return p && p->needs_2fa ? "/profile/2fa" : NULL;
}
