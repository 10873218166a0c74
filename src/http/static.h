/*
 * static.h: the web assets compiled into the binary (static/ and htmx).
 *
 * An asset is addressed as /static/<content-hash>/<name>: when its content changes its URL
 * changes, so it can be cached forever (Cache-Control: immutable) and validated by ETag.
 */
#ifndef PONTE_STATIC_H
#define PONTE_STATIC_H

#include "http/http.h"

/* "/static/<hash>/app.css" for "app.css", in the request's arena; NULL if no such asset. */
const char *static_url(arena *a, const char *name);
/* Handler for GET /static/{hash}/{name}. */
int static_serve(http_request *req, http_response *res);

#endif
