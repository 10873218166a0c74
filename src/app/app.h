/*
 * app.h: Ponte assembled: the route table, the services handlers reach, and the server.
 *
 * app_load_resources() parses the embedded catalogues and templates once per process;
 * app_start() opens nothing itself: it takes an open store, serves it, and app_stop() stops
 * serving gracefully. The store is the caller's to checkpoint and close.
 */
#ifndef PONTE_APP_H
#define PONTE_APP_H

#include "http/server.h"
#include "services/services.h"

extern const http_route app_routes[];
extern const size_t app_routes_count;

typedef struct app {
	services svc;
	http_app http;
	http_server *server;
} app;

/* Catalogues and templates; safe to call more than once. */
int app_load_resources(char *err, size_t errlen);
/* The http_app for a store, without a socket (tests dispatch into it directly). */
int app_init(app *a, store *db, char *err, size_t errlen);
void app_release(app *a);
int app_start(app *a, const http_server_config *cfg, char *err, size_t errlen);
/* Returns the number of requests cut off when the grace period ran out. */
unsigned app_stop(app *a);

#endif
