/*
 * services.h: what a web or API handler can reach.
 *
 * The app layer builds one `services` at start-up and hands it to the HTTP layer as the
 * app context; handlers get it with services_of(req). It only holds handles; the rules live
 * in the modules (instance/, and later identity/, cases/, ...).
 */
#ifndef PONTE_SERVICES_H
#define PONTE_SERVICES_H

#include "http/http.h"
#include "http/metrics.h"
#include "identity/identity.h"
#include "store/store.h"

/* The cookie of a signed-in browser: set by the login page (web/login.c), read by
 * app/authenticate.c. Its name is services.session_cookie: this one, unless PONTE_SESSION_COOKIE
 * names another (several installations on one host, as make run-region runs them: a browser
 * keeps one cookie per host name whatever the port, so each needs its own name). */
#define SESSION_COOKIE "ponte_session"
#define SESSION_COOKIE_MAX 33

typedef struct services {
	store *db;
	crypto_keyring *keys;
	keyed_store env; /* db and keys, as identity functions take them */
	http_metrics *metrics;
	/* When set (serve --metrics-token-file), GET /metrics answers only a request carrying
	 * "Authorization: Bearer <token>": the BLAKE2b-256 of the token is kept, not the token. */
	bool metrics_token_set;
	unsigned char metrics_token_hash[CRYPTO_HASH_BYTES];
	/* <database>.files: uploaded files, by module (knowledge/), and spool/ for uploads in
	 * progress. Created by app_init. */
	char files_dir[4096];
	char spool_dir[4096];
	char session_cookie[SESSION_COOKIE_MAX]; /* SESSION_COOKIE or PONTE_SESSION_COOKIE */
} services;

static inline services *services_of(const http_request *req)
{
	return req->app->ctx;
}

/* The signed-in caller, or NULL (set by app/authenticate.c). */
static inline principal *principal_of(const http_request *req)
{
	return req->principal;
}

#endif
