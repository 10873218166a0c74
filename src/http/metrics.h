/*
 * metrics.h: request counters and duration histograms in Prometheus text format.
 *
 * Counters are lock-free atomics indexed by route (the route table's order; one extra slot
 * for requests that matched no route), by the request's method and by status code. Labels
 * are route patterns, method names and numeric statuses only, never anything from the
 * request. Two routes may share a pattern (GET and POST /login): the method label keeps
 * every series (name and label set) unique, which Prometheus requires.
 */
#ifndef PONTE_METRICS_H
#define PONTE_METRICS_H

#include "base/buf.h"
#include "http/http.h"

#define METRICS_MAX_ROUTES 256

typedef struct http_metrics http_metrics;

http_metrics *http_metrics_new(const http_route *routes, size_t nroutes);
void http_metrics_free(http_metrics *m);
/* route_index -1 means "no route matched"; method is an enum http_method bit (0: other). */
void http_metrics_record(http_metrics *m, int route_index, unsigned method, int status,
			 uint64_t duration_ns);
int http_metrics_write(const http_metrics *m, buf *out);

#endif
