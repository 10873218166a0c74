/*
 * app.h: Ponte assembled: the route table, the services handlers reach, and the server.
 *
 * app_load_resources() parses the embedded catalogues and templates once per process;
 * app_start() opens nothing itself: it takes an open store, serves it, and app_stop() stops
 * serving gracefully. The store is the caller's to checkpoint and close.
 */
#ifndef PONTE_APP_H
#define PONTE_APP_H

#include "audit/audit.h"
#include "http/server.h"
#include "services/services.h"

extern const http_route app_routes[];
extern const size_t app_routes_count;

typedef struct app {
	services svc;
	http_app http;
	http_server *server;
	audit_writer *audit; /* group commit of read events while serving */
} app;

/* Catalogues and templates; safe to call more than once. */
int app_load_resources(char *err, size_t errlen);
/* The http_app for a store and its keys, without a socket (tests dispatch into it directly).
 * The caller keeps ownership of both. */
int app_init(app *a, store *db, crypto_keyring *keys, char *err, size_t errlen);
/* The store's files folder (<database>.files for SQLite, store_files_dir()) and its
 * knowledge/, cases/ and spool/ directories (0700), created if missing; the first is
 * written to files_dir. A PostgreSQL store opened without a folder is PONTE_EINVAL. */
int app_file_dirs(store *db, char *files_dir, size_t n, char *err, size_t errlen);
void app_release(app *a);
/* Starts the audit trail's group-commit writer, then the server. */
int app_start(app *a, const http_server_config *cfg, char *err, size_t errlen);
/* Stops the server, then commits every queued audit event.
 * Returns the number of requests cut off when the grace period ran out. */
unsigned app_stop(app *a);

/* Rebuild the language packs if they changed (force: now, else at most every 5 seconds). */
void app_languages_refresh(store *db, bool force);

/* Hooks for the HTTP layer (authenticate.c). */
int app_authenticate(http_request *req);
bool app_permits(const http_request *req, const char *permission);
const char *app_csrf_token(const http_request *req);
const char *app_must_visit(const http_request *req);

#endif
