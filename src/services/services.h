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
 * app/authenticate.c. */
#define SESSION_COOKIE "ponte_session"

typedef struct services {
	store *db;
	crypto_keyring *keys;
	identity_env env; /* db and keys, as identity functions take them */
	http_metrics *metrics;
	/* When set (serve --metrics-token-file), GET /metrics answers only a request carrying
	 * "Authorization: Bearer <token>": the BLAKE2b-256 of the token is kept, not the token. */
	bool metrics_token_set;
	unsigned char metrics_token_hash[CRYPTO_HASH_BYTES];
	/* <database>.files: uploaded files, by module (knowledge/), and spool/ for uploads in
	 * progress. Created by app_init. */
	char files_dir[4096];
	char spool_dir[4096];
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
