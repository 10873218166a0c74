#include <stdatomic.h>

#include "http/metrics.h"

static const int STATUSES[] = { 200, 201, 204, 303, 304, 400, 401, 403, 404,
				405, 409, 413, 422, 429, 431, 500, 503 };
#define NSTATUS (ARRAY_LEN(STATUSES) + 1) /* last slot: any other status */
static const double BUCKETS[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				  0.1,    0.25,  0.5,    1,     2.5,  5 };
#define NBUCKETS ARRAY_LEN(BUCKETS)

struct route_metrics {
	_Atomic uint64_t count[NSTATUS];
	_Atomic uint64_t bucket[NBUCKETS + 1];
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t other_status; /* the last status seen in the "other" slot, for the label */
};

struct http_metrics {
	const http_route *routes;
	size_t nroutes;
	struct route_metrics *per_route; /* nroutes + 1 */
};

http_metrics *http_metrics_new(const http_route *routes, size_t nroutes)
{
	if (nroutes > METRICS_MAX_ROUTES)
		return NULL;
	http_metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->per_route = calloc(nroutes + 1, sizeof(*m->per_route));
	if (!m->per_route) {
		free(m);
		return NULL;
	}
	m->routes = routes;
	m->nroutes = nroutes;
	return m;
}

void http_metrics_free(http_metrics *m)
{
	if (m)
		free(m->per_route);
	free(m);
}

void http_metrics_record(http_metrics *m, int route_index, int status, uint64_t duration_ns)
{
	size_t r =
	    route_index < 0 || (size_t)route_index >= m->nroutes ? m->nroutes : (size_t)route_index;
	struct route_metrics *rm = &m->per_route[r];
	size_t s = NSTATUS - 1;
	for (size_t i = 0; i < ARRAY_LEN(STATUSES); i++)
		if (STATUSES[i] == status)
			s = i;
	if (s == NSTATUS - 1)
		atomic_store_explicit(&rm->other_status, (uint64_t)status, memory_order_relaxed);
	atomic_fetch_add_explicit(&rm->count[s], 1, memory_order_relaxed);
	double secs = (double)duration_ns / 1e9;
	size_t b = NBUCKETS;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (secs <= BUCKETS[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&rm->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rm->sum_ns, duration_ns, memory_order_relaxed);
}

static const char *route_label(const http_metrics *m, size_t r)
{
	return r < m->nroutes ? m->routes[r].pattern : "unmatched";
}

int http_metrics_write(const http_metrics *m, buf *out)
{
	int rc =
	    buf_puts(out, "# HELP ponte_http_requests_total HTTP requests answered, by route and "
			  "status.\n# TYPE ponte_http_requests_total counter\n");
	for (size_t r = 0; r <= m->nroutes && !rc; r++) {
		const struct route_metrics *rm = &m->per_route[r];
		for (size_t s = 0; s < NSTATUS && !rc; s++) {
			uint64_t n = atomic_load_explicit(&rm->count[s], memory_order_relaxed);
			if (!n)
				continue;
			int status = s < ARRAY_LEN(STATUSES)
					 ? STATUSES[s]
					 : (int)atomic_load_explicit(&rm->other_status,
								     memory_order_relaxed);
			rc = buf_printf(
			    out, "ponte_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
			    route_label(m, r), status, (unsigned long long)n);
		}
	}
	if (!rc)
		rc = buf_puts(out, "# HELP ponte_http_request_duration_seconds Time to answer a "
				   "request, by route.\n# TYPE ponte_http_request_duration_seconds "
				   "histogram\n");
	for (size_t r = 0; r <= m->nroutes && !rc; r++) {
		const struct route_metrics *rm = &m->per_route[r];
		uint64_t cumulative = 0;
		for (size_t b = 0; b <= NBUCKETS && !rc; b++) {
			cumulative += atomic_load_explicit(&rm->bucket[b], memory_order_relaxed);
			if (b < NBUCKETS)
				rc = buf_printf(out,
						"ponte_http_request_duration_seconds_bucket{route="
						"\"%s\",le=\"%g\"} %llu\n",
						route_label(m, r), BUCKETS[b],
						(unsigned long long)cumulative);
			else
				rc = buf_printf(
				    out,
				    "ponte_http_request_duration_seconds_bucket{route=\"%s\",le=\"+"
				    "Inf\"} %llu\n"
				    "ponte_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
				    "ponte_http_request_duration_seconds_count{route=\"%s\"} "
				    "%llu\n",
				    route_label(m, r), (unsigned long long)cumulative,
				    route_label(m, r),
				    (double)atomic_load_explicit(&rm->sum_ns,
								 memory_order_relaxed) /
					1e9,
				    route_label(m, r), (unsigned long long)cumulative);
		}
	}
	return rc;
}
