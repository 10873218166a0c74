#include <stdatomic.h>

#include "http/metrics.h"

static const int STATUSES[] = { 200, 201, 204, 303, 304, 400, 401, 403, 404,
				405, 409, 413, 422, 429, 431, 500, 503 };
#define NSTATUS (ARRAY_LEN(STATUSES) + 1) /* last slot: any other status */
static const double BUCKETS[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				  0.1,    0.25,  0.5,    1,     2.5,  5 };
#define NBUCKETS ARRAY_LEN(BUCKETS)

/* The method label: one per bit of enum http_method, then anything else. */
static const char *const METHOD_NAMES[] = { "GET",   "HEAD",   "POST",    "PUT",
					    "PATCH", "DELETE", "OPTIONS", "OTHER" };
#define NMETHODS ARRAY_LEN(METHOD_NAMES)
#define ANY_METHOD ((1u << NMETHODS) - 1)

struct series {
	_Atomic uint64_t count[NSTATUS];
	_Atomic uint64_t bucket[NBUCKETS + 1];
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t other_status; /* the last status seen in the "other" slot, for the label */
};

/* One route (or "unmatched") and the methods it answers, each method its own series. */
struct route_metrics {
	unsigned methods;      /* bits of METHOD_NAMES this route answers */
	struct series *series; /* one per bit set in methods, in bit order */
};

struct http_metrics {
	const http_route *routes;
	size_t nroutes;
	struct route_metrics per_route[]; /* nroutes + 1: the last is "unmatched" */
};

static size_t method_bit(unsigned method)
{
	for (size_t b = 0; b + 1 < NMETHODS; b++)
		if (method == 1u << b)
			return b;
	return NMETHODS - 1;
}

static size_t popcount(unsigned v)
{
	size_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

http_metrics *http_metrics_new(const http_route *routes, size_t nroutes)
{
	if (nroutes > METRICS_MAX_ROUTES)
		return NULL;
	http_metrics *m = calloc(1, sizeof(*m) + (nroutes + 1) * sizeof(m->per_route[0]));
	if (!m)
		return NULL;
	m->routes = routes;
	m->nroutes = nroutes;
	for (size_t r = 0; r <= nroutes; r++) {
		unsigned methods = ANY_METHOD;
		if (r < nroutes) {
			methods = routes[r].methods & (ANY_METHOD >> 1);
			if (methods & HTTP_GET)
				methods |= HTTP_HEAD; /* GET implies HEAD (router.c) */
		}
		m->per_route[r].methods = methods;
		m->per_route[r].series =
		    calloc(popcount(methods) ? popcount(methods) : 1, sizeof(struct series));
		if (!m->per_route[r].series) {
			http_metrics_free(m);
			return NULL;
		}
	}
	return m;
}

void http_metrics_free(http_metrics *m)
{
	if (!m)
		return;
	for (size_t r = 0; r <= m->nroutes; r++)
		free(m->per_route[r].series);
	free(m);
}

void http_metrics_record(http_metrics *m, int route_index, unsigned method, int status,
			 uint64_t duration_ns)
{
	size_t r =
	    route_index < 0 || (size_t)route_index >= m->nroutes ? m->nroutes : (size_t)route_index;
	struct route_metrics *rm = &m->per_route[r];
	size_t bit = method_bit(method);
	if (!(rm->methods & (1u << bit))) {
		/* A route only records methods it answers; anything else counts as unmatched. */
		rm = &m->per_route[m->nroutes];
	}
	struct series *se = &rm->series[popcount(rm->methods & ((1u << bit) - 1))];
	size_t s = NSTATUS - 1;
	for (size_t i = 0; i < ARRAY_LEN(STATUSES); i++)
		if (STATUSES[i] == status)
			s = i;
	if (s == NSTATUS - 1)
		atomic_store_explicit(&se->other_status, (uint64_t)status, memory_order_relaxed);
	atomic_fetch_add_explicit(&se->count[s], 1, memory_order_relaxed);
	double secs = (double)duration_ns / 1e9;
	size_t b = NBUCKETS;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (secs <= BUCKETS[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&se->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&se->sum_ns, duration_ns, memory_order_relaxed);
}

static const char *route_label(const http_metrics *m, size_t r)
{
	return r < m->nroutes ? m->routes[r].pattern : "unmatched";
}

/* Calls fn for every (route, method) series, with its labels rendered. */
typedef int (*series_fn)(buf *out, const char *labels, const struct series *se);

static int each_series(const http_metrics *m, buf *out, series_fn fn)
{
	int rc = 0;
	for (size_t r = 0; r <= m->nroutes && !rc; r++) {
		const struct route_metrics *rm = &m->per_route[r];
		size_t k = 0;
		for (size_t bit = 0; bit < NMETHODS && !rc; bit++) {
			if (!(rm->methods & (1u << bit)))
				continue;
			char labels[512];
			snprintf(labels, sizeof(labels), "route=\"%s\",method=\"%s\"",
				 route_label(m, r), METHOD_NAMES[bit]);
			rc = fn(out, labels, &rm->series[k++]);
		}
	}
	return rc;
}

static int write_counts(buf *out, const char *labels, const struct series *se)
{
	int rc = 0;
	for (size_t s = 0; s < NSTATUS && !rc; s++) {
		uint64_t n = atomic_load_explicit(&se->count[s], memory_order_relaxed);
		if (!n)
			continue;
		int status =
		    s < ARRAY_LEN(STATUSES)
			? STATUSES[s]
			: (int)atomic_load_explicit(&se->other_status, memory_order_relaxed);
		rc = buf_printf(out, "ponte_http_requests_total{%s,status=\"%d\"} %llu\n", labels,
				status, (unsigned long long)n);
	}
	return rc;
}

static int write_histogram(buf *out, const char *labels, const struct series *se)
{
	uint64_t total = 0;
	for (size_t b = 0; b <= NBUCKETS; b++)
		total += atomic_load_explicit(&se->bucket[b], memory_order_relaxed);
	/* A series appears with its first request, as the counters do: a route that answers
	 * GET and HEAD, or the eight methods of "unmatched", print no empty histograms. */
	if (!total)
		return 0;
	uint64_t cumulative = 0;
	int rc = 0;
	for (size_t b = 0; b <= NBUCKETS && !rc; b++) {
		cumulative += atomic_load_explicit(&se->bucket[b], memory_order_relaxed);
		if (b < NBUCKETS)
			rc = buf_printf(
			    out, "ponte_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
			    labels, BUCKETS[b], (unsigned long long)cumulative);
	}
	if (!rc)
		rc = buf_printf(out,
				"ponte_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n"
				"ponte_http_request_duration_seconds_sum{%s} %.6f\n"
				"ponte_http_request_duration_seconds_count{%s} %llu\n",
				labels, (unsigned long long)cumulative, labels,
				(double)atomic_load_explicit(&se->sum_ns, memory_order_relaxed) /
				    1e9,
				labels, (unsigned long long)cumulative);
	return rc;
}

int http_metrics_write(const http_metrics *m, buf *out)
{
	int rc = buf_puts(out, "# HELP ponte_http_requests_total HTTP requests answered, by route, "
			       "method and status.\n# TYPE ponte_http_requests_total counter\n");
	if (!rc)
		rc = each_series(m, out, write_counts);
	if (!rc)
		rc = buf_puts(out, "# HELP ponte_http_request_duration_seconds Time to answer a "
				   "request, by route and method.\n# TYPE "
				   "ponte_http_request_duration_seconds histogram\n");
	if (!rc)
		rc = each_series(m, out, write_histogram);
	return rc;
}
