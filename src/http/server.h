/*
 * server.h: serving an http_app over libmicrohttpd.
 *
 * Invariants:
 * - Worker threads (an epoll thread pool) call http_dispatch(); each request owns an arena
 *   released when libmicrohttpd reports the request complete.
 * - Every limit is set explicitly here, never left to library defaults.
 * - One JSON line is logged per request: time, method, route pattern, status, duration and
 *   bytes. Never the raw path or query string (they can carry personal data).
 * - http_server_stop() stops accepting, lets in-flight requests finish within the grace
 *   period, then stops the threads. The caller checkpoints and closes the store afterwards.
 */
#ifndef PONTE_SERVER_H
#define PONTE_SERVER_H

#include "http/http.h"
#include "http/metrics.h"

typedef struct http_server http_server;

typedef struct http_server_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"; port 0 = any */
	unsigned threads;         /* worker threads (default: number of CPUs) */
	size_t connection_memory; /* per-connection buffer for request line and headers */
	unsigned connection_timeout; /* seconds of inactivity before a connection is closed */
	/* Concurrent connections from one address; behind a trusted proxy, concurrent requests
	 * from one client. Beyond it: 503 with Retry-After, never a reset. */
	unsigned per_ip_connections;
	unsigned max_connections;   /* concurrent connections in total */
	unsigned shutdown_grace_ms; /* how long in-flight requests may take at shutdown */
	http_metrics *metrics;      /* where to count requests; the caller owns it (NULL: none) */
	const char *spool_dir;      /* where uploads are written as they arrive (NULL: P_tmpdir) */
	/* Numeric addresses of reverse proxies whose X-Forwarded-For names the client (see
	 * http/clients.h); NULL or "": none, the header is ignored. */
	const char *trusted_proxies;
} http_server_config;

void http_server_config_defaults(http_server_config *cfg);
/* Parse "ADDR:PORT"; returns PONTE_EINVAL on anything else. */
int http_parse_listen(const char *listen, char *host, size_t hostlen, uint16_t *port);

int http_server_start(const http_app *app, const http_server_config *cfg, http_server **out,
		      char *err, size_t errlen);
uint16_t http_server_port(const http_server *s);
/* Requests currently being handled (for tests and shutdown). */
unsigned http_server_in_flight(const http_server *s);
/* Graceful stop; returns the number of requests still in flight when the grace ran out. */
unsigned http_server_stop(http_server *s);

#endif
