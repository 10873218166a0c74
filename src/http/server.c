#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/urlcode.h"
#include "http/clients.h"
#include "http/server.h"

#define REQUEST_ARENA_CEILING (32u << 20)
#define DISCARD_CEILING (16u << 20)     /* body bytes read and dropped after a 413 decision */
#define UPLOAD_FIELDS_LIMIT (64u << 10) /* the other fields of an upload form */

#define WORK_QUEUE 256 /* deferred jobs waiting; more is 503 */
#define WORK_THREADS 2

struct http_server {
	struct MHD_Daemon *daemon;
	/* Deferred work (password hashing): a small pool, off the request threads. */
	pthread_t workers[WORK_THREADS];
	pthread_mutex_t work_lock;
	pthread_cond_t work_ready;
	struct req_state *queue[WORK_QUEUE];
	size_t queue_head, queue_len;
	bool workers_stop;
	const http_app *app;
	http_server_config cfg;
	http_metrics *metrics;
	_Atomic unsigned in_flight;
	_Atomic bool draining;
	uint16_t port;
	http_clients *clients; /* per-address connections, per-client requests */
	/* 503 made at start, for a request that cannot get the memory to be answered otherwise:
	 * queuing it allocates nothing of ours. */
	struct MHD_Response *unavailable;
};

static const char UNAVAILABLE[] = "The service is busy. Please try again in a moment.\n";

static struct MHD_Response *make_unavailable(void)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof(UNAVAILABLE) - 1, (void *)(uintptr_t)UNAVAILABLE, MHD_RESPMEM_PERSISTENT);
	if (r) {
		MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
		MHD_add_response_header(r, "Retry-After", "5");
		MHD_add_response_header(r, "Cache-Control", "no-store");
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
		MHD_add_response_header(r, "Connection", "close");
	}
	return r;
}

/* What the server knows of a connection from its first byte. */
struct conn_state {
	char peer[HTTP_ADDRESS_LEN + 2]; /* "c:" + the peer's address: its connection slot key */
	bool counted;                    /* holds a connection slot */
	bool over;                       /* beyond the per-address limit: every request 503 */
	bool proxy;                      /* a trusted proxy: requests are counted per client */
};

struct req_state {
	arena arena;
	http_request req;
	http_response res;
	buf body;
	http_header *headers;
	size_t nheaders;
	bool headers_overflow;
	bool too_large;
	bool no_memory; /* with too_large: the body was dropped for want of memory, 503 not 413 */
	size_t discarded;
	bool answered;
	uint64_t start_ns;
	struct MHD_Connection *conn;
	http_server *srv;
	_Atomic bool work_done;
	bool refused; /* admission said no on the headers: answer without reading a body */
	/* Upload routes: the multipart parser and the spooled file. */
	struct MHD_PostProcessor *pp;
	int spool_fd;
	char spool_path[PATH_MAX];
	uint64_t spooled, upload_limit;
	bool upload_bad;
	bool csrf_refused; /* the file began before a valid CSRF token: nothing was written */
	const char *file_key;
	char client_key[HTTP_ADDRESS_LEN + 2]; /* "r:" + client, when a request slot is held */
};

void http_server_config_defaults(http_server_config *cfg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->listen = "127.0.0.1:8080";
	cfg->threads = cpus > 0 && cpus < 64 ? (unsigned)cpus : 2;
	cfg->connection_memory = 32 * 1024;
	cfg->connection_timeout = 30;
	cfg->per_ip_connections = 256;
	cfg->max_connections = 1024;
	cfg->shutdown_grace_ms = 10000;
	cfg->metrics = NULL;
	cfg->spool_dir = NULL;
	cfg->trusted_proxies = NULL;
}

int http_parse_listen(const char *listen, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return PONTE_EINVAL;
	const char *h = listen;
	size_t hlen = (size_t)(colon - listen);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0) {
		h = "0.0.0.0";
		hlen = 7;
	}
	if (hlen >= hostlen)
		return PONTE_EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p > 65535)
		return PONTE_EINVAL;
	*port = (uint16_t)p;
	return 0;
}

/* Keep paths and query strings raw: base/urlcode.c decodes them strictly, once. */
static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
	UNUSED(cls);
	UNUSED(c);
	return strlen(s);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	UNUSED(cls);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_msg(LOG_WARN, "http_library", msg);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	UNUSED(kind);
	struct req_state *st = cls;
	if (st->nheaders == HTTP_MAX_HEADERS) {
		st->headers_overflow = true;
		return MHD_NO;
	}
	st->headers[st->nheaders].name = key;
	st->headers[st->nheaders].value = value ? value : "";
	st->nheaders++;
	return MHD_YES;
}

struct query_builder {
	buf *b;
	int rc; /* PONTE_ELIMIT: too long; PONTE_ENOMEM: no memory to hold it */
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	UNUSED(kind);
	struct query_builder *q = cls;
	int rc = q->b->len ? buf_putc(q->b, '&') : 0;
	if (!rc)
		rc = buf_puts(q->b, key);
	if (!rc && value) {
		rc = buf_putc(q->b, '=');
		if (!rc)
			rc = buf_puts(q->b, value);
	}
	if (rc) {
		q->rc = rc;
		return MHD_NO;
	}
	return MHD_YES;
}

static void peer_address(struct MHD_Connection *conn, char text[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	text[0] = '\0';
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
				  INET6_ADDRSTRLEN);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
				  INET6_ADDRSTRLEN);
	}
}

/* The last X-Forwarded-For header (a proxy appends to the last one). */
static const char *forwarded_for(const struct req_state *st)
{
	const char *v = NULL;
	for (size_t i = 0; i < st->nheaders; i++)
		if (strcasecmp(st->headers[i].name, "X-Forwarded-For") == 0)
			v = st->headers[i].value;
	return v;
}

/* The client: the peer, or whom a trusted proxy forwarded for (http/clients.h). */
static const char *client_address(http_server *srv, struct MHD_Connection *conn,
				  const struct req_state *st, arena *a)
{
	char peer[INET6_ADDRSTRLEN], client[HTTP_ADDRESS_LEN];
	peer_address(conn, peer);
	http_clients_address(srv->clients, peer, forwarded_for(st), client);
	return arena_strdup(a, client);
}

/* Count connections per address from the first byte; a connection beyond the limit is
 * answered 503 with Retry-After on its first request and closed, not reset. A trusted
 * proxy's connections are not counted: every client shares them, so its clients are
 * counted by request instead. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	http_server *srv = cls;
	struct conn_state *cs = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		cs = calloc(1, sizeof(*cs));
		*socket_context = cs;
		if (!cs)
			return;
		char peer[INET6_ADDRSTRLEN];
		peer_address(conn, peer);
		snprintf(cs->peer, sizeof(cs->peer), "c:%s", peer);
		cs->proxy = http_clients_trusted(srv->clients, peer);
		if (!cs->proxy) {
			cs->counted = http_clients_take(srv->clients, cs->peer);
			cs->over = !cs->counted;
		}
		return;
	}
	if (cs && cs->counted)
		http_clients_give(srv->clients, cs->peer);
	free(cs);
	*socket_context = NULL;
}

static struct conn_state *conn_state_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* RFC 9112, 6.3: a body has one length. Two different Content-Length values, a list of them,
 * or a length beside Transfer-Encoding are refused, because a proxy in front of Ponte may have
 * framed the body by the other one (request smuggling). The same value twice is one length. */
static bool one_body_length(const struct req_state *st)
{
	const char *length = NULL;
	bool transfer_encoding = false;
	for (size_t i = 0; i < st->nheaders; i++) {
		const http_header *h = &st->headers[i];
		if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			transfer_encoding = true;
		} else if (strcasecmp(h->name, "Content-Length") == 0) {
			if (!h->value[0] || h->value[strspn(h->value, "0123456789")] != '\0')
				return false;
			if (length && strcmp(length, h->value) != 0)
				return false;
			length = h->value;
		}
	}
	return !(length && transfer_encoding);
}

/* ---- uploads: multipart/form-data, the file spooled to disk as it arrives ---- */

static int open_spool(struct req_state *st)
{
	const char *dir = st->srv->cfg.spool_dir ? st->srv->cfg.spool_dir : P_tmpdir;
	int n = snprintf(st->spool_path, sizeof(st->spool_path), "%s/upload-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(st->spool_path))
		return -1;
	st->spool_fd = mkostemp(st->spool_path, O_CLOEXEC);
	if (st->spool_fd < 0)
		st->spool_path[0] = '\0';
	return st->spool_fd;
}

static void drop_spool(struct req_state *st)
{
	if (st->spool_fd >= 0)
		close(st->spool_fd);
	st->spool_fd = -1;
	if (st->spool_path[0])
		unlink(st->spool_path);
	st->spool_path[0] = '\0';
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* One piece of a multipart field: the file goes to the spool, other fields into st->body as
 * an application/x-www-form-urlencoded form (dispatch then decodes them as usual). */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	UNUSED(kind);
	UNUSED(transfer_encoding);
	struct req_state *st = cls;
	if (!key)
		return MHD_YES;
	if (filename) {
		if (off == 0 && !st->file_key) {
			/* The first file field is the upload; a second is refused. Not a byte of it
			 * is written before a cookie session has shown its CSRF token, in a header or
			 * in the fields sent before the file (every upload form puts it first). */
			if (!http_upload_csrf_ok(&st->req, st->body.data, st->body.len)) {
				st->csrf_refused = true;
				return MHD_NO;
			}
			if (open_spool(st) < 0) {
				st->upload_bad = true;
				return MHD_NO;
			}
			st->file_key = arena_strdup(&st->arena, key);
			st->req.upload.filename =
			    arena_strndup(&st->arena, filename, strnlen(filename, 255));
			st->req.upload.content_type =
			    arena_strdup(&st->arena, content_type ? content_type : "");
		} else if (!st->file_key || strcmp(st->file_key, key) != 0 || off == 0) {
			st->upload_bad = true;
			return MHD_NO;
		}
		if (st->spooled + size > st->upload_limit) {
			st->too_large = true;
			drop_spool(st);
			return MHD_NO;
		}
		if (size && !write_all(st->spool_fd, data, size)) {
			st->upload_bad = true;
			return MHD_NO;
		}
		st->spooled += size;
		return MHD_YES;
	}
	int rc = 0;
	if (off == 0) {
		if (st->body.len)
			rc = buf_putc(&st->body, '&');
		if (!rc)
			rc = url_encode_component(&st->body, key, strlen(key));
		if (!rc)
			rc = buf_putc(&st->body, '=');
	}
	if (!rc && size)
		rc = url_encode_component(&st->body, data, size);
	if (rc) {
		st->too_large = true;
		st->no_memory = rc == PONTE_ENOMEM;
		return MHD_NO;
	}
	return MHD_YES;
}

/* First call of an upload route: a multipart body is parsed as it arrives; any other body is
 * read as usual (small), and the handler finds no file. */
static bool start_upload(struct MHD_Connection *conn, struct req_state *st)
{
	st->upload_limit = http_body_limit(&st->req);
	const char *ct = http_header_get(&st->req, "Content-Type");
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		st->upload_limit = 0;
		return true;
	}
	st->pp = MHD_create_post_processor(conn, 16 * 1024, on_part, st);
	return st->pp != NULL;
}

/* The last call of an upload: hand the spooled file to the request. */
static int finish_upload(struct req_state *st)
{
	MHD_destroy_post_processor(st->pp);
	st->pp = NULL;
	if (st->too_large)
		return st->no_memory ? 503 : 413;
	if (st->csrf_refused)
		return 403;
	if (st->upload_bad)
		return 400;
	if (st->spool_fd >= 0) {
		close(st->spool_fd);
		st->spool_fd = -1;
		st->req.upload.present = true;
		st->req.upload.path = st->spool_path;
		st->req.upload.size = st->spooled;
	}
	st->req.body_is_form = true;
	return 0;
}

static enum MHD_Result queue(struct MHD_Connection *conn, http_server *srv, struct req_state *st)
{
	http_response *res = &st->res;
	size_t len = 0;
	struct MHD_Response *r;
	if (res->file_fd >= 0) {
		/* A download: libmicrohttpd sends the file and closes the descriptor. */
		r = MHD_create_response_from_fd64(res->file_size, res->file_fd);
		if (!r)
			return MHD_NO;
		res->file_fd = -1;
		len = (size_t)res->file_size;
		buf_release(&res->body);
	} else {
		char *body = buf_detach(&res->body, &len);
		r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
		if (!r) {
			free(body);
			return MHD_NO;
		}
	}
	for (size_t i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	if (atomic_load_explicit(&srv->draining, memory_order_relaxed))
		MHD_add_response_header(r, "Connection", "close");
	st->answered = true;
	/* Keep the length for the log line: the body now belongs to libmicrohttpd. */
	res->body.len = len;
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* An answer decided before the handler runs (too large, too many headers). */
static enum MHD_Result answer_early(struct MHD_Connection *conn, http_server *srv,
				    struct req_state *st, int status)
{
	http_dispatch_status(srv->app, &st->req, &st->res, status);
	return queue(conn, srv, st);
}

/* Runs deferred jobs, then wakes their connections. */
static void *work_loop(void *arg)
{
	http_server *srv = arg;
	for (;;) {
		pthread_mutex_lock(&srv->work_lock);
		while (!srv->queue_len && !srv->workers_stop)
			pthread_cond_wait(&srv->work_ready, &srv->work_lock);
		if (!srv->queue_len) {
			pthread_mutex_unlock(&srv->work_lock);
			return NULL;
		}
		struct req_state *st = srv->queue[srv->queue_head];
		srv->queue_head = (srv->queue_head + 1) % WORK_QUEUE;
		srv->queue_len--;
		pthread_mutex_unlock(&srv->work_lock);
		st->req.deferred_work(st->req.deferred_arg);
		atomic_store(&st->work_done, true);
		MHD_resume_connection(st->conn);
	}
}

/* http_defer() from a handler lands here: queue the job; false (run inline) if full. */
static bool defer_request(http_request *req)
{
	struct req_state *st = req->defer_ctx;
	http_server *srv = st->srv;
	pthread_mutex_lock(&srv->work_lock);
	bool queued = srv->queue_len < WORK_QUEUE && !srv->workers_stop;
	if (queued) {
		srv->queue[(srv->queue_head + srv->queue_len) % WORK_QUEUE] = st;
		srv->queue_len++;
		pthread_cond_signal(&srv->work_ready);
	}
	pthread_mutex_unlock(&srv->work_lock);
	return queued;
}

static struct req_state *begin_request(http_server *srv, struct MHD_Connection *conn,
				       const char *url, const char *method)
{
	struct req_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->start_ns = clock_monotonic_ns();
	atomic_fetch_add(&srv->in_flight, 1);
	arena_init(&st->arena, REQUEST_ARENA_CEILING);
	http_response_init(&st->res);
	http_request *req = &st->req;
	req->arena = &st->arena;
	req->method = http_method_from_name(method);
	req->method_name = req->method ? method : "OTHER";
	req->path = url;
	st->headers = arena_calloc(&st->arena, HTTP_MAX_HEADERS, sizeof(*st->headers));
	if (st->headers)
		MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, st);
	req->headers = st->headers;
	req->nheaders = st->nheaders;
	buf qb;
	buf_init(&qb, 8192);
	struct query_builder q = { .b = &qb };
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &q);
	/* An over-long query becomes an invalid one, which dispatch answers with 400; one that
	 * could not be held for want of memory stays NULL, answered 503 (on_request). */
	req->query = q.rc == PONTE_ENOMEM ? NULL
		     : q.rc               ? "%"
			    : arena_strndup(&st->arena, qb.data ? qb.data : "", qb.len);
	buf_release(&qb);
	req->client_addr = client_address(srv, conn, st, &st->arena);
	req->defer_hook = defer_request;
	req->defer_ctx = st;
	st->conn = conn;
	st->srv = srv;
	st->spool_fd = -1;
	buf_init(&st->body, 0); /* sized once the request is admitted */
	return st;
}

/* Whether the request announces a body (a length above zero, or chunks). */
static bool has_body(const struct req_state *st)
{
	const char *cl = http_header_get(&st->req, "Content-Length");
	return (cl && strspn(cl, "0") != strlen(cl)) ||
	       http_header_get(&st->req, "Transfer-Encoding");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	http_server *srv = cls;
	struct req_state *st = *con_cls;
	if (!st) {
		st = begin_request(srv, conn, url, method);
		if (st)
			*con_cls = st;
		/* No memory to take the request in: 503, never a silently closed connection. */
		if (!st || !st->headers || !st->req.query || !st->req.client_addr)
			return MHD_queue_response(conn, 503, srv->unavailable);
		if (st->headers_overflow)
			return answer_early(conn, srv, st, 431);
		if (!one_body_length(st))
			return answer_early(conn, srv, st, 400);
		/* Over the client's limit: 503, come back later (never a reset connection). */
		struct conn_state *cs = conn_state_of(conn);
		if (cs && cs->over) {
			http_set_header(&st->res, "Connection", "close");
			return answer_early(conn, srv, st, 503);
		}
		if (cs && cs->proxy) {
			snprintf(st->client_key, sizeof(st->client_key), "r:%s",
				 st->req.client_addr);
			if (!http_clients_take(srv->clients, st->client_key)) {
				st->client_key[0] = '\0';
				return answer_early(conn, srv, st, 503);
			}
		}
		/* HTTP/1.1 requires Host (RFC 9112, 3.2); libmicrohttpd does not insist. */
		if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
		    !http_header_get(&st->req, "Host"))
			return answer_early(conn, srv, st, 400);
		/* Admission on the headers: nobody's body is read, let alone spooled, before the
		 * route, the caller, the permission and a header CSRF token are checked. */
		if (!http_dispatch_admit(srv->app, &st->req, &st->res)) {
			/* A refused body is never read (libmicrohttpd closes the connection after the
			 * answer); a request without one is answered on the next call, which keeps
			 * the connection alive. */
			if (has_body(st))
				return queue(conn, srv, st);
			st->refused = true;
			return MHD_YES;
		}
		size_t limit = http_body_limit(&st->req);
		bool upload = st->req.route->upload;
		buf_init(&st->body, upload ? UPLOAD_FIELDS_LIMIT : limit);
		if (upload && !start_upload(conn, st))
			return answer_early(conn, srv, st,
					    400); /* a multipart type without boundary */
		const char *cl = http_header_get(&st->req, "Content-Length");
		if (cl) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(cl, &end, 10);
			size_t max = upload ? st->upload_limit + UPLOAD_FIELDS_LIMIT : limit;
			if (errno || *end || n > max)
				return answer_early(conn, srv, st, 413);
		}
		/* Answer on a later call, never this one, or keep-alive is lost. */
		return MHD_YES;
	}
	if (st->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->refused)
		return queue(conn, srv, st);
	if (st->pp && *upload_data_size) {
		if (!st->too_large && !st->upload_bad && !st->csrf_refused &&
		    MHD_post_process(st->pp, upload_data, *upload_data_size) != MHD_YES &&
		    !st->too_large && !st->csrf_refused)
			st->upload_bad = true;
		if (st->too_large || st->upload_bad || st->csrf_refused) {
			st->discarded += *upload_data_size;
			if (st->discarded > DISCARD_CEILING)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->pp) {
		int status = finish_upload(st);
		if (status)
			return answer_early(conn, srv, st, status);
	}
	if (*upload_data_size) {
		/* A body without a declared length (chunked) that passes the limit: libmicrohttpd
		 * cannot answer mid-upload, so the rest is read and dropped, and 413 goes out at
		 * the end. Past DISCARD_CEILING the connection is simply closed. */
		int rc = st->too_large ? 0 : buf_append(&st->body, upload_data, *upload_data_size);
		if (rc) {
			st->too_large = true;
			st->no_memory = rc == PONTE_ENOMEM;
			buf_release(&st->body);
		}
		if (st->too_large) {
			st->discarded += *upload_data_size;
			if (st->discarded > DISCARD_CEILING)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->too_large)
		return answer_early(conn, srv, st, st->no_memory ? 503 : 413);
	if (st->res.deferred) {
		/* Woken by the worker: finish the request with the job's result. */
		if (!atomic_load(&st->work_done))
			return MHD_YES;
		http_dispatch_resume(srv->app, &st->req, &st->res);
		return queue(conn, srv, st);
	}
	st->req.body = st->body.data ? st->body.data : "";
	st->req.body_len = st->body.len;
	http_dispatch(srv->app, &st->req, &st->res);
	if (st->res.deferred) {
		/* The job may already be done: suspend first; resume then wakes us at once. */
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue(conn, srv, st);
}

static void log_request(const struct req_state *st, uint64_t duration_ns)
{
	if (!log_enabled(LOG_INFO))
		return;
	char fields[512];
	const char *route = st->req.route ? st->req.route->pattern : "unmatched";
	snprintf(
	    fields, sizeof(fields),
	    ",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"duration_ms\":%.3f,\"bytes\":%zu",
	    st->req.method_name ? st->req.method_name : "OTHER", route, st->res.status,
	    (double)duration_ns / 1e6, st->answered ? st->res.body.len : 0);
	log_event(LOG_INFO, "request", fields);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	UNUSED(conn);
	UNUSED(toe);
	http_server *srv = cls;
	struct req_state *st = *con_cls;
	if (!st)
		return;
	uint64_t duration = clock_monotonic_ns() - st->start_ns;
	if (st->answered && srv->metrics) {
		http_metrics_record(srv->metrics, st->req.route ? st->req.route_index : -1,
				    st->req.method, st->res.status, duration);
		log_request(st, duration);
	}
	if (st->client_key[0])
		http_clients_give(srv->clients, st->client_key);
	if (st->pp)
		MHD_destroy_post_processor(st->pp);
	drop_spool(st); /* whatever the handler did not take */
	buf_release(&st->body);
	http_response_release(&st->res);
	arena_release(&st->arena);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void stop_workers(http_server *s)
{
	pthread_mutex_lock(&s->work_lock);
	s->workers_stop = true;
	pthread_cond_broadcast(&s->work_ready);
	pthread_mutex_unlock(&s->work_lock);
	for (int i = 0; i < WORK_THREADS; i++)
		pthread_join(s->workers[i], NULL);
	pthread_mutex_destroy(&s->work_lock);
	pthread_cond_destroy(&s->work_ready);
}

/* The listening socket, opened here rather than by libmicrohttpd so that its failure can be
 * told precisely. SO_REUSEADDR lets a restarted server bind while old connections linger in
 * TIME_WAIT; SO_REUSEPORT is never set, so a second server on the same port fails here
 * instead of silently sharing the port's traffic with the first. */
static int open_listener(const struct sockaddr_storage *ss, const char *listen_text, uint16_t *port,
			 char *err, size_t errlen)
{
	int family = ss->ss_family;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_text, strerror(errno));
		return -1;
	}
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	socklen_t len =
	    family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		if (e == EADDRINUSE)
			snprintf(
			    err, errlen,
			    "cannot listen on %s: the address is already in use (another "
			    "`ponte serve`, or another program, listens on this port); stop it "
			    "or choose another port with --listen",
			    listen_text);
		else if (e == EACCES)
			snprintf(err, errlen,
				 "cannot listen on %s: permission denied (ports below 1024 need "
				 "privileges; use a higher port behind a proxy)",
				 listen_text);
		else
			snprintf(err, errlen, "cannot listen on %s: %s", listen_text, strerror(e));
		close(fd);
		return -1;
	}
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	if (getsockname(fd, (struct sockaddr *)&bound, &blen) == 0)
		*port = ntohs(family == AF_INET6
				  ? ((const struct sockaddr_in6 *)(const void *)&bound)->sin6_port
				  : ((const struct sockaddr_in *)(const void *)&bound)->sin_port);
	return fd;
}

int http_server_start(const http_app *app, const http_server_config *cfg, http_server **out,
		      char *err, size_t errlen)
{
	int rc = http_routes_validate(app->routes, app->nroutes, err, errlen);
	if (rc)
		return rc;
	char host[128];
	uint16_t port;
	if (http_parse_listen(cfg->listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "cannot parse listen address \"%s\" (expected ADDR:PORT)",
			 cfg->listen);
		return PONTE_EINVAL;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen,
			 "listen address must be a numeric IPv4 or IPv6 address, not \"%s\"", host);
		return PONTE_EINVAL;
	}
	int listen_fd = open_listener(&ss, cfg->listen, &port, err, errlen);
	if (listen_fd < 0)
		return PONTE_EIO;
	http_server *s = calloc(1, sizeof(*s));
	if (!s) {
		close(listen_fd);
		return PONTE_ENOMEM;
	}
	rc = http_clients_new(cfg->per_ip_connections, cfg->trusted_proxies, &s->clients, err,
			      errlen);
	if (rc) {
		close(listen_fd);
		free(s);
		return rc;
	}
	s->app = app;
	s->cfg = *cfg;
	s->unavailable = make_unavailable();
	if (!s->unavailable) {
		snprintf(err, errlen, "out of memory");
		close(listen_fd);
		http_clients_free(s->clients);
		free(s);
		return PONTE_ENOMEM;
	}
	pthread_mutex_init(&s->work_lock, NULL);
	pthread_cond_init(&s->work_ready, NULL);
	for (int i = 0; i < WORK_THREADS; i++)
		pthread_create(&s->workers[i], NULL, work_loop, s);
	s->metrics = cfg->metrics;
	unsigned threads = cfg->threads ? cfg->threads : 1;
	s->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->connection_memory, MHD_OPTION_CONNECTION_LIMIT,
	    cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, s, MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot serve on %s (the HTTP library refused to start)",
			 cfg->listen);
		close(listen_fd);
		stop_workers(s);
		http_clients_free(s->clients);
		MHD_destroy_response(s->unavailable);
		free(s);
		return PONTE_EIO;
	}
	s->port = port;
	*out = s;
	return 0;
}

uint16_t http_server_port(const http_server *s)
{
	return s->port;
}

unsigned http_server_in_flight(const http_server *s)
{
	return atomic_load(&s->in_flight);
}

unsigned http_server_stop(http_server *s)
{
	if (!s)
		return 0;
	atomic_store(&s->draining, true);
	/* New connections stop here; the socket is closed only after MHD_stop_daemon(): the
	 * pool's threads take it out of their epoll sets a moment later, and one that found it
	 * already closed aborted the whole process ("Failed to remove listen FD from epoll set",
	 * seen once in make check; libmicrohttpd's documentation of MHD_quiesce_daemon). */
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	uint64_t deadline = clock_monotonic_ns() + (uint64_t)s->cfg.shutdown_grace_ms * 1000000u;
	while (atomic_load(&s->in_flight) > 0 && clock_monotonic_ns() < deadline) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	unsigned left = atomic_load(&s->in_flight);
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	stop_workers(s);
	http_clients_free(s->clients);
	MHD_destroy_response(s->unavailable);
	free(s);
	return left;
}
