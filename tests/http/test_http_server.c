#include "httptest.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "base/log.h"

static struct ht_server S;

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1); /* quiet: request logging has its own test */
	ht_start(&S);
	ht_current = &S; /* what ht_teardown() stops */
	return 0;
}

static void healthz_reports_ok_and_version(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/healthz", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\",\"version\":\"" PONTE_VERSION "\"}");
	char v[128];
	assert_string_equal(ht_header(&r, "Content-Type", v, sizeof(v)), "application/json");
	ht_free(&r);
}

static void home_page_has_security_headers_and_escaped_data(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/", NULL, &r);
	assert_int_equal(r.status, 200);
	char v[1024];
	assert_non_null(ht_header(&r, "Content-Security-Policy", v, sizeof(v)));
	assert_non_null(strstr(v, "default-src 'none'"));
	assert_non_null(strstr(v, "script-src 'self'"));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_null(strstr(v, "unsafe-inline"));
	assert_string_equal(ht_header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
	assert_string_equal(ht_header(&r, "Referrer-Policy", v, sizeof(v)), "no-referrer");
	assert_string_equal(ht_header(&r, "Cache-Control", v, sizeof(v)), "no-store");
	assert_string_equal(ht_header(&r, "Content-Type", v, sizeof(v)),
			    "text/html; charset=utf-8");
	/* The instance name from the database, escaped. */
	assert_non_null(strstr(r.body, "Observatório &lt;Teste&gt; &amp; &quot;Lda&quot;"));
	assert_null(strstr(r.body, "<Teste>"));
	assert_non_null(strstr(r.body, "<html lang=\"en\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, "<main id=\"main\""));
	/* No inline script or style anywhere. */
	assert_null(strstr(r.body, "<script>"));
	assert_null(strstr(r.body, "<style"));
	assert_null(strstr(r.body, "style=\""));
	ht_free(&r);
}

static void unknown_routes_are_404_in_the_users_language(void **state)
{
	(void)state;
	struct ht_resp r;
	const char *fr[] = { "Accept-Language: fr-FR,fr;q=0.9", NULL };
	ht_get(S.port, "/nowhere", fr, &r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "<html lang=\"fr\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, "Page introuvable"));
	char v[256];
	assert_non_null(ht_header(&r, "Content-Security-Policy", v, sizeof(v)));
	ht_free(&r);
	const char *pt[] = { "Accept-Language: pt", NULL };
	ht_get(S.port, "/api/v1/nothing", pt, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(
	    r.body,
	    "{\"error\":{\"code\":\"not_found\",\"message\":\"A página que pediu não existe.\"}}");
	ht_free(&r);
}

static void wrong_method_is_405_with_allow(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(ht_request(S.port, "POST", "/healthz", "x", 1, NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 405);
	char v[128];
	assert_string_equal(ht_header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
	ht_free(&r);
	assert_int_equal(ht_request(S.port, "DELETE", "/api/v1/instance", NULL, 0, NULL, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.body, "\"code\":\"method_not_allowed\""));
	ht_free(&r);
}

static void head_answers_without_a_body(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(ht_request(S.port, "HEAD", "/", NULL, 0, NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	ht_free(&r);
}

static void malformed_requests_are_400(void **state)
{
	(void)state;
	char out[8192];
	const char *bad[] = {
		"GET /?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n",       /* bad escape in the query */
		"GET /caf\xC3 HTTP/1.1\r\nHost: x\r\n\r\n",      /* invalid UTF-8 in the path */
		"GET /?name=%C3%28 HTTP/1.1\r\nHost: x\r\n\r\n", /* decodes to invalid UTF-8 */
		"GET /?a=%00 HTTP/1.1\r\nHost: x\r\n\r\n",       /* NUL */
		"GET /\r\n\r\n",                                 /* no protocol version */
		"GET / FOO/1.1\r\nHost: x\r\n\r\n",              /* not HTTP */
		"GET / HTTP/1.1\r\n\r\n",                        /* HTTP/1.1 without Host */
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", /* header without colon */
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ht_raw(S.port, bad[i], strlen(bad[i]), out, sizeof(out));
		int status = ht_raw_status(out);
		if (status != 400)
			fail_msg("request %zu: expected 400, got %d: %.80s", i, status, out);
	}
	/* A line that is not a request at all is dropped without an answer (libmicrohttpd
	 * closes the connection); it must never be served. */
	ht_raw(S.port, "GARBAGE\r\n\r\n", 11, out, sizeof(out));
	assert_true(ht_raw_status(out) == 0 || ht_raw_status(out) == 400);
	/* The server is still fine. */
	struct ht_resp r;
	ht_get(S.port, "/healthz", NULL, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
}

/* Two lengths for one body is how requests are smuggled past a proxy that reads the other
 * one: refused before any body is read, whatever the route. */
static void conflicting_body_lengths_are_400(void **state)
{
	(void)state;
	char out[8192];
	const char *bad[] = {
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
		"\r\nContent-Length: 5\r\nContent-Length: "
		"40\r\n\r\nemail=a%40b.c&password=xxxxxxxxxx",
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nContent-Length: 5\r\n\r\n"
		"email=a%40b.c&password=xxxxxxxxxxxxxxxxx",
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 40\r\n\r\nemail",
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
		"Transfer-Encoding: chunked\r\n\r\n5\r\nemail\r\n0\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: "
		"1\r\n\r\nx",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ht_raw(S.port, bad[i], strlen(bad[i]), out, sizeof(out));
		int status = ht_raw_status(out);
		if (status != 400)
			fail_msg("request %zu: expected 400, got %d: %.80s", i, status, out);
	}
	/* The same length twice is one length (RFC 9110, 8.6). */
	const char *same = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
			   "Content-Length: 0\r\nConnection: close\r\n\r\n";
	ht_raw(S.port, same, strlen(same), out, sizeof(out));
	assert_int_equal(ht_raw_status(out), 200);
}

static void too_many_or_too_large_headers_are_refused(void **state)
{
	(void)state;
	char *req = malloc(200 * 1024);
	size_t off = (size_t)snprintf(req, 1024, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 100; i++)
		off += (size_t)snprintf(req + off, 64, "X-H%d: %d\r\n", i, i);
	off += (size_t)snprintf(req + off, 8, "\r\n");
	char out[8192];
	ht_raw(S.port, req, off, out, sizeof(out));
	assert_int_equal(ht_raw_status(out), 431);
	/* One header larger than the connection's memory. */
	off = (size_t)snprintf(req, 1024, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + off, 'a', 100 * 1024);
	off += 100 * 1024;
	off += (size_t)snprintf(req + off, 8, "\r\n\r\n");
	ht_raw(S.port, req, off, out, sizeof(out));
	int status = ht_raw_status(out);
	assert_true(status == 431 || status == 413 || status == 400);
	free(req);
}

static void language_follows_query_then_cookie(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/?lang=pt", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html lang=\"pt\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, "Esta instalação"));
	char v[256];
	assert_non_null(ht_header(&r, "Set-Cookie", v, sizeof(v)));
	assert_non_null(strstr(v, "ponte_lang=pt"));
	ht_free(&r);
	const char *cookie[] = { "Cookie: ponte_lang=fr", "Accept-Language: pt", NULL };
	ht_get(S.port, "/", cookie, &r);
	assert_non_null(strstr(r.body, "<html lang=\"fr\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, "Cette installation"));
	ht_free(&r);
	ht_get(S.port, "/?lang=zz", NULL, &r);
	assert_non_null(strstr(r.body, "<html lang=\"en\" dir=\"ltr\">"));
	assert_null(ht_header(&r, "Set-Cookie", v, sizeof(v)));
	ht_free(&r);
	/* Spanish from a Latin American browser, and from the address. */
	const char *mx[] = { "Accept-Language: es-MX,es;q=0.9,en;q=0.5", NULL };
	ht_get(S.port, "/", mx, &r);
	assert_non_null(strstr(r.body, "<html lang=\"es\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, "Esta instalación"));
	ht_free(&r);
	ht_get(S.port, "/?lang=es", NULL, &r);
	assert_non_null(strstr(r.body, "Saltar al contenido principal"));
	assert_non_null(strstr(r.body, ">Español<"));
	assert_non_null(ht_header(&r, "Set-Cookie", v, sizeof(v)));
	assert_non_null(strstr(v, "ponte_lang=es"));
	ht_free(&r);
}

static void static_assets_are_cached_by_content_hash(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/", NULL, &r);
	const char *p = strstr(r.body, "href=\"/static/");
	assert_non_null(p);
	char path[128];
	snprintf(path, sizeof(path), "%.*s", (int)(strchr(p + 6, '"') - (p + 6)), p + 6);
	ht_free(&r);
	assert_non_null(strstr(path, "/app.css"));
	ht_get(S.port, path, NULL, &r);
	assert_int_equal(r.status, 200);
	char v[256], etag[64];
	assert_string_equal(ht_header(&r, "Cache-Control", v, sizeof(v)),
			    "public, max-age=31536000, immutable");
	assert_string_equal(ht_header(&r, "Content-Type", v, sizeof(v)), "text/css; charset=utf-8");
	assert_non_null(ht_header(&r, "ETag", etag, sizeof(etag)));
	assert_true(r.len > 100);
	ht_free(&r);
	char inm[128];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	const char *h[] = { inm, NULL };
	ht_get(S.port, path, h, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	ht_free(&r);
	ht_get(S.port, "/static/0000000000000000/app.css", NULL, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	ht_get(S.port, "/static/x/..%2F..%2Fetc%2Fpasswd", NULL, &r);
	assert_true(r.status == 400 || r.status == 404);
	ht_free(&r);
	/* htmx is embedded too. */
	ht_get(S.port, "/", NULL, &r);
	p = strstr(r.body, "src=\"/static/");
	snprintf(path, sizeof(path), "%.*s", (int)(strchr(p + 5, '"') - (p + 5)), p + 5);
	ht_free(&r);
	ht_get(S.port, path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "htmx"));
	ht_free(&r);
}

static void metrics_count_requests_by_route_and_status(void **state)
{
	(void)state;
	struct ht_resp r;
	for (int i = 0; i < 3; i++) {
		ht_get(S.port, "/healthz", NULL, &r);
		ht_free(&r);
	}
	ht_get(S.port, "/definitely/missing", NULL, &r);
	ht_free(&r);
	ht_get(S.port, "/metrics", NULL, &r);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_non_null(strstr(ht_header(&r, "Content-Type", v, sizeof(v)), "text/plain"));
	const char *healthz =
	    "ponte_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} ";
	const char *line = strstr(r.body, healthz);
	assert_non_null(line);
	assert_true(strtol(line + strlen(healthz), NULL, 10) >= 3);
	assert_non_null(
	    strstr(r.body,
		   "ponte_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"));
	assert_non_null(strstr(r.body, "# TYPE ponte_http_request_duration_seconds histogram"));
	assert_non_null(strstr(r.body, "ponte_http_request_duration_seconds_bucket{route=\"/"
				       "healthz\",method=\"GET\",le=\"+Inf\"}"));
	assert_null(strstr(r.body, "missing")); /* labels never carry request data */
	ht_free(&r);
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* GET and POST /login are two routes with one pattern: Prometheus keeps only the first of two
 * samples with the same name and labels, so each must be its own series. */
static void every_metrics_series_is_unique_and_labelled_by_method(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/login", NULL, &r);
	ht_free(&r);
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	for (int i = 0; i < 2; i++) {
		ht_request(S.port, "POST", "/login", "email=nobody%40example.org&password=x", 37,
			   form, &r);
		ht_free(&r);
	}
	ht_request(S.port, "HEAD", "/healthz", NULL, 0, NULL, &r);
	ht_free(&r);
	/* A request is counted when its connection is done with it (MHD's completion callback),
	 * which may come just after the client has its answer: ask again until the HEAD is in. */
	for (int i = 0;; i++) {
		ht_get(S.port, "/metrics", NULL, &r);
		assert_int_equal(r.status, 200);
		if (i == 100 || strstr(r.body, "route=\"/healthz\",method=\"HEAD\""))
			break;
		ht_free(&r);
		struct timespec pause = { 0, 10 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	char *series[20000];
	size_t n = 0;
	for (char *save, *line = strtok_r(r.body, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		char *value = strrchr(line, ' ');
		assert_non_null(value);
		*value = '\0'; /* the series: name and label set */
		assert_true(n < ARRAY_LEN(series));
		series[n++] = line;
	}
	assert_true(n > 0);
	qsort(series, n, sizeof(series[0]), compare_lines);
	for (size_t i = 1; i < n; i++)
		if (strcmp(series[i - 1], series[i]) == 0)
			fail_msg("series printed twice: %s", series[i]);
	/* The failed sign-ins are counted under POST, the form under GET. */
	bool post = false, get = false, head = false;
	for (size_t i = 0; i < n; i++) {
		post |=
		    strncmp(series[i],
			    "ponte_http_requests_total{route=\"/login\",method=\"POST\",", 55) == 0;
		get |=
		    strncmp(series[i], "ponte_http_requests_total{route=\"/login\",method=\"GET\",",
			    54) == 0;
		head |=
		    strstr(series[i], "{route=\"/healthz\",method=\"HEAD\",le=\"+Inf\"}") != NULL;
	}
	assert_true(post);
	assert_true(get);
	assert_true(head);
	ht_free(&r);
}

static void api_instance_is_json(void **state)
{
	(void)state;
	struct ht_resp r;
	ht_get(S.port, "/api/v1/instance", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body,
			    "{\"name\":\"Observatório \\u003cTeste\\u003e \\u0026 "
			    "\\\"Lda\\\"\",\"country\":\"PT\",\"version\":\"" PONTE_VERSION "\"}");
	ht_free(&r);
}

struct worker {
	int ok;
	int n;
};

static void *hammer(void *p)
{
	struct worker *w = p;
	for (int i = 0; i < w->n; i++) {
		struct ht_resp r;
		if (ht_request(S.port, NULL, i % 2 ? "/" : "/api/v1/instance", NULL, 0, NULL, &r) ==
			CURLE_OK &&
		    r.status == 200 && strstr(r.body, "Observat"))
			w->ok++;
		ht_free(&r);
	}
	return NULL;
}

static void concurrent_clients_all_get_answers(void **state)
{
	(void)state;
	pthread_t t[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){ 0, 50 };
		pthread_create(&t[i], NULL, hammer, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ok, 50);
	}
}

/* ---- A second server with the demo's users, for what needs callers ---- */

static struct ht_server D;

static int demo_setup(void **state)
{
	(void)state;
	log_set_fd(-1);
	ht_start(&D);
	ht_current = &D;
	keyed_store env = { D.db, D.keys };
	assert_int_equal(demo_fill(&env), 0);
	set_setting("require_2fa_for_flagged_roles", "0");
	return 0;
}

static int demo_teardown(void **state)
{
	(void)state;
	ht_stop(&D);
	ht_current = NULL;
	log_set_fd(2);
	return 0;
}

/* Watches the spool folder: any file created or written there while it watches. */
static int watch_spool(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(inotify_add_watch(fd, D.app.svc.spool_dir, IN_CREATE | IN_MODIFY) >= 0);
	return fd;
}

static bool spool_was_touched(int fd)
{
	char events[4096];
	ssize_t n = read(fd, events, sizeof(events));
	close(fd);
	return n > 0;
}

/* An upload's headers, a 60 MiB length and only the start of its body: the answer must come
 * without the rest being sent. */
static int upload_headers_only(const char *auth)
{
	char request[2048], answer[8192];
	int n = snprintf(request, sizeof(request),
			 "POST /observatory/import HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
			 "Content-Type: multipart/form-data; boundary=XyZ\r\n"
			 "Content-Length: 62914560\r\n\r\n--XyZ\r\nContent-Disposition: form-data; "
			 "name=\"file\"; filename=\"big.csv\"\r\n\r\nyearOfRegistration,",
			 auth);
	ht_raw(D.port, request, (size_t)n, answer, sizeof(answer));
	return ht_raw_status(answer);
}

/* Admission is decided on the headers: an anonymous caller, a caller without the permission
 * and a cookie session without its CSRF token are answered before the file is read, and not a
 * byte of it reaches the spool folder. */
static void uploads_are_refused_on_their_headers_before_anything_is_spooled(void **state)
{
	(void)state;
	struct web_session provider, worker;
	web_login("provider@demo.ponte.example", DEMO_PASSWORD, NULL, &provider);
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &worker);
	assert_true(provider.cookie[0] && worker.cookie[0]);
	size_t big = 8u << 20;
	char *data = malloc(big);
	memset(data, 'x', big);
	char fields[128];
	struct ht_resp r;

	int spool = watch_spool();
	/* Anonymous: 401 at once, with 60 MiB announced and not sent. */
	assert_int_equal(upload_headers_only("X-Nobody: 1"), 401);
	/* A signed-in user without obs.submit: 403, likewise. */
	assert_int_equal(upload_headers_only(worker.cookie), 403);
	/* And as a browser sends them, whole. */
	assert_int_equal(
	    upload("X-Nobody: 1", "/observatory/import", NULL, "big.csv", data, big, &r), 401);
	ht_free(&r);
	snprintf(fields, sizeof(fields), "csrf=%s", worker.csrf);
	assert_int_equal(
	    upload(worker.cookie, "/observatory/import", fields, "big.csv", data, big, &r), 403);
	ht_free(&r);
	/* The right user's cookie, sent by another site's form (the browser says so): 403 on the
	 * headers. */
	char forged[512];
	snprintf(forged, sizeof(forged), "%s\r\nSec-Fetch-Site: cross-site", provider.cookie);
	assert_int_equal(upload_headers_only(forged), 403);
	/* Without the CSRF token (a forged form from a client that does not say where it comes
	 * from): 403 as soon as the file begins, nothing written. */
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", NULL, "big.csv", data, big, &r), 403);
	ht_free(&r);
	snprintf(fields, sizeof(fields), "csrf=%s", worker.csrf);
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", fields, "big.csv", data, big, &r), 403);
	ht_free(&r);
	if (spool_was_touched(spool))
		fail_msg("a refused upload was written to the spool folder");

	/* The provider with the token does reach the spool (so the watch above can see). */
	spool = watch_spool();
	snprintf(fields, sizeof(fields), "csrf=%s", provider.csrf);
	upload(provider.cookie, "/observatory/import", fields, "small.csv", "a,b\n1,2\n", 8, &r);
	ht_free(&r);
	assert_true(spool_was_touched(spool));
	free(data);
}

/* An anonymous caller gets a small body, whatever the route's default: 413 before reading. */
static void anonymous_bodies_are_small(void **state)
{
	(void)state;
	char request[512], answer[8192];
	int n = snprintf(request, sizeof(request),
			 "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %u\r\n\r\nx",
			 HTTP_ANONYMOUS_BODY_LIMIT + 1);
	ht_raw(D.port, request, (size_t)n, answer, sizeof(answer));
	assert_int_equal(ht_raw_status(answer), 413);
	/* A signed-in caller may send the route's 1 MiB. */
	struct web_session w;
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	size_t len = HTTP_ANONYMOUS_BODY_LIMIT + 1;
	char *body = malloc(len);
	memset(body, 'x', len);
	const char *h[] = { w.cookie, "Content-Type: text/plain", NULL };
	struct ht_resp r;
	assert_int_equal(ht_request(D.port, "GET", "/", body, (long)len, h, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	free(body);
}

/* ---- Downloads: every file Ponte sends is saved, never rendered as one of its pages ---- */

static bool is_our_page_type(const char *ct)
{
	return !strncasecmp(ct, "text/html", 9) || !strncasecmp(ct, "application/json", 16) ||
	       !strncasecmp(ct, "text/plain", 10);
}

/* A download by what the browser sees: a Content-Disposition, or a type that is not one of
 * Ponte's own pages (an embedded asset aside). Such an answer must be an attachment, unsniffed,
 * in a sandbox. Returns whether it was a download. */
static bool check_download(const struct ht_resp *r, const char *path)
{
	char ct[256], cd[1024], v[512];
	bool has_cd = ht_header(r, "Content-Disposition", cd, sizeof(cd)) != NULL;
	bool has_ct = ht_header(r, "Content-Type", ct, sizeof(ct)) != NULL;
	if (!has_cd && (!has_ct || is_our_page_type(ct) || strncmp(path, "/static/", 8) == 0))
		return false;
	if (!has_cd || strncasecmp(cd, "attachment", 10) != 0)
		fail_msg("GET %s (%ld, %s): Content-Disposition is \"%s\", not attachment", path,
			 r->status, has_ct ? ct : "no type", has_cd ? cd : "");
	if (!ht_header(r, "X-Content-Type-Options", v, sizeof(v)) || strcmp(v, "nosniff") != 0)
		fail_msg("GET %s: no X-Content-Type-Options: nosniff", path);
	if (!ht_header(r, "Content-Security-Policy", v, sizeof(v)) || !strstr(v, "sandbox"))
		fail_msg("GET %s: its Content-Security-Policy has no sandbox", path);
	return true;
}

static long json_id(const char *body, const char *key)
{
	const char *p = strstr(body, key);
	assert_non_null(p);
	return strtol(p + strlen(key), NULL, 10);
}

static const char *const DOWNLOAD_ROUTES[] = {
	"/cases/export.csv",
	"/cases/export.xlsx",
	"/audit/export.csv",
	"/cases/{id}/attachments/{att}",
	"/api/v1/cases/{id}/attachments/{att}",
	"/knowledge/{id}/attachments/{aid}",
	"/directory/export.csv",
	"/directory/export.xlsx",
	"/observatory/data.csv",
	"/observatory/data.xlsx",
	"/observatory/releases/{id}/{file}",
};

static const char *const RELEASE_FILES[] = { "data.csv",      "data.xlsx",      "data.json",
					     "manifest.json", "methodology.md", "SHA256SUMS" };

/* pattern with its parameters filled: the case, attachment, item and release made below. */
static void fill_pattern(const char *pattern, long case_id, long att, long item, long aid,
			 const char *file, char *out, size_t n)
{
	bool is_case = !strncmp(pattern, "/cases/", 7) || !strncmp(pattern, "/api/v1/cases/", 14);
	bool is_item =
	    !strncmp(pattern, "/knowledge/", 11) || !strncmp(pattern, "/api/v1/knowledge/", 18);
	size_t o = 0;
	for (const char *p = pattern; *p && o + 32 < n;) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		size_t len = strcspn(p, "}") + 1;
		char v[64] = "x";
		if (!strncmp(p, "{id}", len))
			snprintf(v, sizeof(v), "%ld", is_case ? case_id : is_item ? item : 1);
		else if (!strncmp(p, "{att}", len))
			snprintf(v, sizeof(v), "%ld", att);
		else if (!strncmp(p, "{aid}", len))
			snprintf(v, sizeof(v), "%ld", aid);
		else if (!strncmp(p, "{file}", len))
			snprintf(v, sizeof(v), "%s", file);
		else if (!strncmp(p, "{section}", len))
			snprintf(v, sizeof(v), "needs");
		else if (!strncmp(p, "{entry}", len))
			snprintf(v, sizeof(v), "1");
		else if (!strncmp(p, "{name}", len))
			snprintf(v, sizeof(v), "app.css");
		o += (size_t)snprintf(out + o, n - o, "%s", v);
		p += len;
	}
	out[o] = '\0';
	/* Downloads that name what they hold in the query. */
	if (!strncmp(pattern, "/observatory/data.", 18))
		snprintf(out + o, n - o, "?chart=years");
}

/* Every GET route of the application, as every role and anonymously: whatever answers with a
 * file (an attachment, an export, a release) answers with an attachment in a sandbox. The
 * routes known to send files must be among them, so the walk cannot pass by seeing none. */
static void every_download_route_sends_an_attachment_in_a_sandbox(void **state)
{
	(void)state;
	/* One user per default role (demo_fill has no administrator: init makes that one). */
	static const char *const emails[] = {
		"focal.point@demo.ponte.example", "case.worker@demo.ponte.example",
		"supervisor@demo.ponte.example",  "police@demo.ponte.example",
		"prosecutor@demo.ponte.example",  "analyst@demo.ponte.example",
		"provider@demo.ponte.example",    "auditor@demo.ponte.example",
		"regional@demo.ponte.example",    "reviewer@demo.ponte.example",
	};
	enum { N = ARRAY_LEN(emails) };
	char bearers[N][128];
	struct web_session web[N];
	for (size_t k = 0; k < N; k++) {
		throttle_reset_all(); /* many sign-ins from one address in a row */
		bearer(emails[k], bearers[k], sizeof(bearers[k]));
		web_login(emails[k], DEMO_PASSWORD, NULL, &web[k]);
		assert_true(web[k].cookie[0]);
	}
	static const char pdf[] = "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";
	struct ht_resp r;
	char path[256];
	/* A case attachment, by the API. */
	const char *worker[] = { bearers[1], NULL };
	ht_get(D.port, "/api/v1/cases?limit=1", worker, &r);
	assert_int_equal(r.status, 200);
	long case_id = json_id(r.body, "\"id\":");
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/attachments", case_id);
	assert_int_equal(upload(bearers[1], path, NULL, "Relatório.pdf", pdf, sizeof(pdf) - 1, &r),
			 201);
	long att = json_id(r.body, "\"id\":");
	ht_free(&r);
	/* A knowledge item's attachment. */
	static const char item_json[] =
	    "{\"type\":\"practice\",\"language\":\"en\",\"title\":\"Mobile teams\",\"summary\":"
	    "\"Short.\",\"body\":\"Long.\",\"countries\":[\"PT\"],\"evidence\":\"described\","
	    "\"areas\":[\"prevention\"],\"target_groups\":[\"adults\"],\"actors\":\"NGO\","
	    "\"period_start\":2020}";
	const char *sup[] = { bearers[2], "Content-Type: application/json", NULL };
	assert_int_equal(ht_request(D.port, "POST", "/api/v1/knowledge", item_json,
				    (long)strlen(item_json), sup, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 201);
	long item = json_id(r.body, "\"id\":");
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld/attachments", item);
	assert_int_equal(upload(bearers[2], path, NULL, "Evaluation.pdf", pdf, sizeof(pdf) - 1, &r),
			 201);
	long aid = json_id(r.body, "\"id\":");
	ht_free(&r);
	/* A published release's files, as `ponte obs release` leaves them. */
	char dir[4200], file[4300];
	snprintf(dir, sizeof(dir), "%s/releases", D.app.svc.files_dir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/releases/v1", D.app.svc.files_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < ARRAY_LEN(RELEASE_FILES); i++) {
		snprintf(file, sizeof(file), "%s/%s", dir, RELEASE_FILES[i]);
		FILE *f = fopen(file, "w");
		assert_non_null(f);
		fputs("<html><script>alert(document.cookie)</script></html>\n", f);
		fclose(f);
	}

	bool seen[ARRAY_LEN(DOWNLOAD_ROUTES)] = { false };
	size_t downloads = 0;
	for (size_t i = 0; i < app_routes_count; i++) {
		const http_route *route = &app_routes[i];
		if (!(route->methods & HTTP_GET))
			continue;
		bool api = strncmp(route->pattern, "/api/", 5) == 0;
		size_t nfiles = strstr(route->pattern, "{file}") ? ARRAY_LEN(RELEASE_FILES) : 1;
		for (size_t f = 0; f < nfiles; f++) {
			fill_pattern(route->pattern, case_id, att, item, aid, RELEASE_FILES[f],
				     path, sizeof(path));
			for (size_t k = 0; k <= N; k++) {
				const char *h[] = { k == N ? "X-Nobody: 1"
						    : api  ? bearers[k]
							   : web[k].cookie,
						    NULL };
				ht_get(D.port, path, h, &r);
				if (check_download(&r, path)) {
					downloads++;
					for (size_t d = 0; d < ARRAY_LEN(DOWNLOAD_ROUTES); d++)
						seen[d] |=
						    strcmp(DOWNLOAD_ROUTES[d], route->pattern) == 0;
				}
				ht_free(&r);
			}
		}
	}
	for (size_t d = 0; d < ARRAY_LEN(DOWNLOAD_ROUTES); d++)
		if (!seen[d])
			fail_msg("%s sent no file in the walk", DOWNLOAD_ROUTES[d]);
	assert_true(downloads >= ARRAY_LEN(DOWNLOAD_ROUTES));
}

/* The guarantee is the dispatcher's, not each handler's: a handler that forgets the header,
 * or asks for "inline", still sends an attachment in a sandbox. */
static int svg_forgetting_disposition(http_request *req, http_response *res)
{
	(void)req;
	res->content_type = "image/svg+xml";
	return buf_puts(&res->body, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
				    "onload=\"alert(document.cookie)\"/>");
}

static int pdf_inline(http_request *req, http_response *res)
{
	(void)req;
	res->content_type = "application/pdf";
	http_set_header(res, "Content-Disposition", "inline; filename=\"r.pdf\"");
	return buf_puts(&res->body, "%PDF-1.7\n%%EOF\n");
}

static int html_page(http_request *req, http_response *res)
{
	(void)req;
	res->content_type = "text/html; charset=utf-8";
	return buf_puts(&res->body, "<p>a page</p>");
}

static int file_from_descriptor(http_request *req, http_response *res)
{
	(void)req;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	res->file_fd = fd;
	res->file_size = 16;
	res->content_type = "text/html";
	return 0;
}

static const http_route FORGETFUL_ROUTES[] = {
	{ HTTP_GET, "/svg", svg_forgetting_disposition, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/pdf", pdf_inline, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/page", html_page, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/fd", file_from_descriptor, PERM_PUBLIC, false, 0, false },
};

static void a_handler_cannot_forget_to_send_a_file_as_an_attachment(void **state)
{
	(void)state;
	struct ht_server f;
	ht_start_with(&f, FORGETFUL_ROUTES, ARRAY_LEN(FORGETFUL_ROUTES), 5000);
	struct ht_resp r;
	char v[512];
	const char *paths[] = { "/svg", "/pdf", "/fd" };
	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		ht_get(f.port, paths[i], NULL, &r);
		assert_int_equal(r.status, 200);
		assert_true(check_download(&r, paths[i]));
		ht_free(&r);
	}
	/* "inline" became "attachment", and the name stayed. */
	ht_get(f.port, "/pdf", NULL, &r);
	assert_string_equal(ht_header(&r, "Content-Disposition", v, sizeof(v)),
			    "attachment; filename=\"r.pdf\"");
	ht_free(&r);
	/* A page is still a page, under the page's policy. */
	ht_get(f.port, "/page", NULL, &r);
	assert_null(ht_header(&r, "Content-Disposition", v, sizeof(v)));
	assert_null(strstr(ht_header(&r, "Content-Security-Policy", v, sizeof(v)), "sandbox"));
	ht_free(&r);
	ht_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthz_reports_ok_and_version),
		cmocka_unit_test(home_page_has_security_headers_and_escaped_data),
		cmocka_unit_test(unknown_routes_are_404_in_the_users_language),
		cmocka_unit_test(wrong_method_is_405_with_allow),
		cmocka_unit_test(head_answers_without_a_body),
		cmocka_unit_test(malformed_requests_are_400),
		cmocka_unit_test(conflicting_body_lengths_are_400),
		cmocka_unit_test(too_many_or_too_large_headers_are_refused),
		cmocka_unit_test(language_follows_query_then_cookie),
		cmocka_unit_test(static_assets_are_cached_by_content_hash),
		cmocka_unit_test(metrics_count_requests_by_route_and_status),
		cmocka_unit_test(every_metrics_series_is_unique_and_labelled_by_method),
		cmocka_unit_test(api_instance_is_json),
		cmocka_unit_test(concurrent_clients_all_get_answers),
	};
	const struct CMUnitTest with_users[] = {
		cmocka_unit_test(uploads_are_refused_on_their_headers_before_anything_is_spooled),
		cmocka_unit_test(anonymous_bodies_are_small),
		cmocka_unit_test(every_download_route_sends_an_attachment_in_a_sandbox),
		cmocka_unit_test(a_handler_cannot_forget_to_send_a_file_as_an_attachment),
	};
	int failed = cmocka_run_group_tests(tests, setup, ht_teardown);
	return failed + cmocka_run_group_tests(with_users, demo_setup, demo_teardown);
}
