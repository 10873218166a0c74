/* Route tables give the trailing upload column only where true. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "httptest.h"

#include <fcntl.h>

#include "base/log.h"

static int echo(http_request *req, http_response *res)
{
	res->content_type = "text/plain";
	return buf_append(&res->body, req->body, req->body_len);
}

static int slow(http_request *req, http_response *res)
{
	(void)req;
	struct timespec ts = { 0, 600 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	return buf_puts(&res->body, "finished");
}

static const http_route TEST_ROUTES[] = {
	{ HTTP_POST, "/echo", echo, PERM_PUBLIC, false, 16, false },
	{ HTTP_POST, "/big", echo, PERM_PUBLIC, false, HTTP_DEFAULT_BODY_LIMIT, false },
	{ HTTP_POST, "/anonymous", echo, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/slow", slow, PERM_PUBLIC, false, 0, false },
};

static void bodies_over_the_route_limit_are_413(void **state)
{
	(void)state;
	struct ht_server s;
	ht_start_with(&s, TEST_ROUTES, ARRAY_LEN(TEST_ROUTES), 5000);
	struct ht_resp r;
	const char *octets[] = { "Content-Type: application/octet-stream", NULL };
	assert_int_equal(ht_request(s.port, "POST", "/echo", "0123456789abcdef", 16, octets, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "0123456789abcdef");
	ht_free(&r);
	assert_int_equal(ht_request(s.port, "POST", "/echo", "0123456789abcdefX", 17, octets, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 413);
	ht_free(&r);
	/* A declared length over the limit is refused before reading. */
	char out[4096];
	const char *huge = "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n";
	ht_raw(s.port, huge, strlen(huge), out, sizeof(out));
	assert_int_equal(ht_raw_status(out), 413);
	/* A route without a limit of its own takes 16 KiB from an anonymous caller (1 MiB from a
	 * signed-in one, tests/http/test_http_server.c). */
	const char *anonymous =
	    "POST /anonymous HTTP/1.1\r\nHost: x\r\nContent-Length: 16385\r\n\r\n";
	ht_raw(s.port, anonymous, strlen(anonymous), out, sizeof(out));
	assert_int_equal(ht_raw_status(out), 413);
	/* Chunked bodies have no declared length: they are cut off when they pass the limit. */
	const char *chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
	ht_raw(s.port, chunked, strlen(chunked), out, sizeof(out));
	assert_int_equal(ht_raw_status(out), 413);
	/* A 1 MiB body is accepted. */
	char *mib = malloc(1 << 20);
	memset(mib, 'a', 1 << 20);
	assert_int_equal(ht_request(s.port, "POST", "/big", mib, 1 << 20, octets, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 1 << 20);
	ht_free(&r);
	free(mib);
	ht_stop(&s);
}

struct bg {
	uint16_t port;
	struct ht_resp r;
	CURLcode rc;
};

static void *background_get(void *p)
{
	struct bg *b = p;
	b->rc = ht_request(b->port, NULL, "/slow", NULL, 0, NULL, &b->r);
	return NULL;
}

/* Wait (at most a second) until the slow request is being handled. */
static void wait_until_in_flight(http_server *srv)
{
	for (int i = 0; i < 200 && http_server_in_flight(srv) == 0; i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static void shutdown_lets_in_flight_requests_finish(void **state)
{
	(void)state;
	struct ht_server s;
	ht_start_with(&s, TEST_ROUTES, ARRAY_LEN(TEST_ROUTES), 5000);
	struct bg b = { .port = s.port };
	pthread_t t;
	pthread_create(&t, NULL, background_get, &b);
	wait_until_in_flight(s.server);
	assert_int_equal(http_server_in_flight(s.server), 1);
	unsigned cut = http_server_stop(s.server);
	s.server = NULL;
	assert_int_equal(cut, 0);
	pthread_join(t, NULL);
	assert_int_equal(b.rc, CURLE_OK);
	assert_int_equal(b.r.status, 200);
	assert_string_equal(b.r.body, "finished");
	ht_free(&b.r);
	/* No longer accepting. */
	struct ht_resp r;
	assert_int_not_equal(ht_request(s.port, NULL, "/slow", NULL, 0, NULL, &r), CURLE_OK);
	ht_free(&r);
	ht_stop(&s);
}

static void shutdown_grace_is_bounded(void **state)
{
	(void)state;
	struct ht_server s;
	ht_start_with(&s, TEST_ROUTES, ARRAY_LEN(TEST_ROUTES), 100);
	struct bg b = { .port = s.port };
	pthread_t t;
	pthread_create(&t, NULL, background_get, &b);
	wait_until_in_flight(s.server);
	uint64_t t0 = clock_monotonic_ns();
	unsigned cut = http_server_stop(s.server);
	s.server = NULL;
	/* The grace (100 ms) ran out while the handler (600 ms) was still busy. */
	assert_int_equal(cut, 1);
	assert_true(clock_monotonic_ns() - t0 < 3000000000ull);
	pthread_join(t, NULL);
	ht_free(&b.r);
	ht_stop(&s);
}

/* Another process (a key rotation, a restore's check, an administrator's shell) holds the
 * database's writers' lock longer than the server's busy timeout: a request that must write
 * is answered 503 with Retry-After in the reader's language, while reading goes on (SQLite in
 * WAL mode and PostgreSQL alike: a writer never blocks readers). A connection that holds its
 * read lock for life cannot be shut out by an exclusive lock, so this is the lock a server
 * meets. */
static void locked_database_gives_503_with_retry_after(void **state)
{
	(void)state;
	struct ht_server s;
	memset(&s, 0, sizeof(s));
	ht_make_db(&s);
	keyed_store env = { s.db, s.keys };
	organisation org = { 0, "ORG", "Organisation", "PT", "CentralGovernmentOrganisation",
			     0, false };
	assert_int_equal(org_add(s.db, &org, NULL), 0);
	user_input u = { .email = "worker@example.org",
			 .name = "Worker",
			 .organisation_code = "ORG",
			 .roles = { "case_worker" },
			 .nroles = 1,
			 .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &u, NULL, &problem), 0);
	store_checkpoint(s.db);
	store_close(s.db);
	/* Reopen with a short busy timeout and start serving. */
	char err[512];
	char *files = test_path(s.dir, "ponte.files");
	store_options opt = { .busy_timeout_ms = 50, .files_dir = ht_is_pg() ? files : NULL };
	assert_int_equal(store_open(s.db_path, &opt, &s.db, err, sizeof(err)), 0);
	free(files);
	assert_int_equal(app_load_resources(err, sizeof(err)), 0);
	assert_int_equal(app_init(&s.app, s.db, s.keys, err, sizeof(err)), 0);
	http_server_config cfg;
	http_server_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.metrics = s.app.svc.metrics;
	assert_int_equal(http_server_start(&s.app.http, &cfg, &s.server, err, sizeof(err)), 0);
	s.port = http_server_port(s.server);
	struct ht_writers_lock lock;
	ht_lock_writers(&s, &lock);

	/* Signing in writes a session: it cannot, and says so. */
	struct ht_resp r;
	char v[64];
	const char *body = "email=worker%40example.org&password=" DEMO_PASSWORD;
	const char *fr[] = { "Accept-Language: fr",
			     "Content-Type: application/x-www-form-urlencoded", NULL };
	assert_int_equal(ht_request(s.port, "POST", "/login", body, (long)strlen(body), fr, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 503);
	assert_non_null(ht_header(&r, "Retry-After", v, sizeof(v)));
	assert_non_null(strstr(r.body, "Service occupé"));
	ht_free(&r);
	const char *json = "{\"email\":\"worker@example.org\",\"password\":\"" DEMO_PASSWORD "\"}";
	assert_int_equal(
	    ht_request(s.port, "POST", "/api/v1/auth/login", json, (long)strlen(json), NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 503);
	assert_non_null(ht_header(&r, "Retry-After", v, sizeof(v)));
	assert_non_null(strstr(r.body, "\"code\":\"unavailable\""));
	ht_free(&r);
	/* Reading goes on. */
	ht_get(s.port, "/healthz", NULL, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	ht_get(s.port, "/api/v1/instance", NULL, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);

	ht_unlock_writers(&lock);
	assert_int_equal(
	    ht_request(s.port, "POST", "/api/v1/auth/login", json, (long)strlen(json), NULL, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	ht_stop(&s);
}

static void request_log_names_the_route_never_the_query(void **state)
{
	(void)state;
	char path[] = "/tmp/ponte-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	log_set_fd(fd);
	struct ht_server s;
	ht_start(&s);
	struct ht_resp r;
	ht_get(s.port, "/?lang=fr&name=Maria%20Secret", NULL, &r);
	ht_free(&r);
	ht_get(s.port, "/static/abc/Maria-Secret.css", NULL, &r);
	ht_free(&r);
	ht_stop(&s);
	log_set_fd(2);
	char text[8192] = "";
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	text[n] = '\0';
	assert_null(strstr(text, "Maria"));
	assert_null(strstr(text, "Secret"));
	assert_non_null(strstr(text, "\"event\":\"request\",\"method\":\"GET\",\"route\":\"/"
				     "\",\"status\":200,\"duration_ms\":"));
	assert_non_null(strstr(text, "\"route\":\"/static/{hash}/{name}\",\"status\":404"));
	assert_non_null(strstr(text, "\"bytes\":"));
	assert_non_null(strstr(text, "\"time\":\"20"));
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bodies_over_the_route_limit_are_413),
		cmocka_unit_test(shutdown_lets_in_flight_requests_finish),
		cmocka_unit_test(shutdown_grace_is_bounded),
		cmocka_unit_test(locked_database_gives_503_with_retry_after),
		cmocka_unit_test(request_log_names_the_route_never_the_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
