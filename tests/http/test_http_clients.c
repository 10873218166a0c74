/* Who the client is and how much each client may hold: over the per-address limit a
 * connection is answered 503 with Retry-After (never reset); X-Forwarded-For names the client
 * only when a trusted proxy sent it, for limits, login throttling and the audit trail. */
#include "httptest.h"

#include "base/log.h"
#include "http/clients.h"

static struct ht_server S;

/* The real application with a chosen per-address limit and trusted proxies. */
static void start(unsigned per_ip, const char *trusted)
{
	char err[512];
	memset(&S, 0, sizeof(S));
	ht_make_db(&S);
	assert_int_equal(app_load_resources(err, sizeof(err)), 0);
	assert_int_equal(app_init(&S.app, S.db, S.keys, err, sizeof(err)), 0);
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	http_server_config cfg;
	http_server_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 2;
	cfg.per_ip_connections = per_ip;
	cfg.trusted_proxies = trusted;
	cfg.metrics = S.app.svc.metrics;
	cfg.spool_dir = S.app.svc.spool_dir;
	if (http_server_start(&S.app.http, &cfg, &S.server, err, sizeof(err)))
		fail_msg("server did not start: %s", err);
	S.port = http_server_port(S.server);
	ht_current = &S;
	throttle_reset_all();
}

static int open_connection(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(S.port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* One GET /healthz on fd; the answer's head into out. */
static int get_on(int fd, char *out, size_t n)
{
	const char *rq = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(send(fd, rq, strlen(rq), MSG_NOSIGNAL), (ssize_t)strlen(rq));
	ssize_t got = recv(fd, out, n - 1, 0);
	out[got > 0 ? got : 0] = '\0';
	return got > 0 ? ht_raw_status(out) : -1;
}

static void the_client_address_is_the_peer_unless_a_trusted_proxy_forwards(void **state)
{
	(void)state;
	http_clients *c;
	char err[256], out[HTTP_ADDRESS_LEN];
	assert_int_equal(http_clients_new(4, "10.0.0.1, ::1", &c, err, sizeof(err)), 0);
	/* A spoofed header from an untrusted peer is ignored. */
	http_clients_address(c, "198.51.100.9", "203.0.113.7", out);
	assert_string_equal(out, "198.51.100.9");
	/* The trusted proxy's right-most entry is the client, whatever the client prepended. */
	http_clients_address(c, "10.0.0.1", "1.2.3.4, 203.0.113.7", out);
	assert_string_equal(out, "203.0.113.7");
	/* Two trusted proxies in a row: the entry before them. */
	http_clients_address(c, "::1", "203.0.113.7 , 10.0.0.1", out);
	assert_string_equal(out, "203.0.113.7");
	/* Garbage stops the walk at the last trusted hop. */
	http_clients_address(c, "10.0.0.1", "203.0.113.7, not-an-address", out);
	assert_string_equal(out, "10.0.0.1");
	http_clients_address(c, "10.0.0.1", "", out);
	assert_string_equal(out, "10.0.0.1");
	http_clients_address(c, "10.0.0.1", NULL, out);
	assert_string_equal(out, "10.0.0.1");
	/* Slots: at most the limit per key, given back. */
	for (int i = 0; i < 4; i++)
		assert_true(http_clients_take(c, "c:1.1.1.1"));
	assert_false(http_clients_take(c, "c:1.1.1.1"));
	assert_true(http_clients_take(c, "c:2.2.2.2"));
	http_clients_give(c, "c:1.1.1.1");
	assert_int_equal(http_clients_held(c, "c:1.1.1.1"), 3);
	assert_true(http_clients_take(c, "c:1.1.1.1"));
	/* Many addresses coming and going never fill the table. */
	for (int i = 0; i < 50000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "c:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_true(http_clients_take(c, key));
		http_clients_give(c, key);
	}
	assert_int_equal(http_clients_held(c, "c:1.1.1.1"), 4);
	http_clients_free(c);
	assert_int_equal(http_clients_new(4, "10.0.0.1,example.org", &c, err, sizeof(err)),
			 PONTE_EINVAL);
	assert_non_null(strstr(err, "example.org"));
}

static void over_the_limit_a_connection_is_answered_503_not_reset(void **state)
{
	(void)state;
	start(4, NULL);
	int held[4];
	char head[4096];
	for (int i = 0; i < 4; i++) {
		held[i] = open_connection();
		assert_int_equal(get_on(held[i], head, sizeof(head)), 200);
	}
	int extra = open_connection();
	assert_int_equal(get_on(extra, head, sizeof(head)), 503);
	assert_non_null(strcasestr(head, "Retry-After: "));
	assert_non_null(strcasestr(head, "Connection: close"));
	close(extra);
	/* The connections within the limit keep working; one closed frees its place. */
	assert_int_equal(get_on(held[0], head, sizeof(head)), 200);
	close(held[3]);
	int ok = -1;
	for (int tries = 0; tries < 100 && ok != 200; tries++) {
		struct timespec pause = { 0, 10 * 1000000L };
		nanosleep(&pause, NULL);
		int fd = open_connection();
		ok = get_on(fd, head, sizeof(head));
		close(fd);
	}
	assert_int_equal(ok, 200);
	for (int i = 0; i < 3; i++)
		close(held[i]);
	ht_stop(&S);
}

static int64_t login_events_from(const char *client)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_events WHERE action = 'login.api' AND client = '%s'",
		 client);
	return ht_query_int(sql);
}

static long login_from(const char *xff, int account)
{
	char body[256], header[128];
	snprintf(body, sizeof(body),
		 "{\"email\":\"nobody%d@example.org\",\"password\":\"wrong-password-123\"}",
		 account);
	snprintf(header, sizeof(header), "X-Forwarded-For: %s", xff);
	const char *h[] = { header, "Content-Type: application/json", NULL };
	struct ht_resp r;
	assert_int_equal(
	    ht_request(S.port, "POST", "/api/v1/auth/login", body, (long)strlen(body), h, &r),
	    CURLE_OK);
	long status = r.status;
	ht_free(&r);
	return status;
}

/* Behind a trusted proxy, throttling and the audit trail see the forwarded client: one
 * client past the allowance of its address does not lock out the next one. */
static void a_trusted_proxy_names_the_client_for_throttling_and_audit(void **state)
{
	(void)state;
	start(256, "127.0.0.1");
	long status = 0;
	int tries = 0;
	/* 20 failures per address are free; distinct accounts, so only the address counts. */
	while (tries < 40 && (status = login_from("198.51.100.1, 203.0.113.7", tries)) != 429)
		tries++;
	assert_int_equal(status, 429);
	assert_true(tries >= 20);
	assert_int_equal(login_from("203.0.113.8", 100), 401);
	assert_true(login_events_from("203.0.113.7") >= 20);
	assert_int_equal(login_events_from("203.0.113.8"), 1);
	assert_int_equal(login_events_from("198.51.100.1"), 0);
	assert_int_equal(login_events_from("127.0.0.1"), 0);
	ht_stop(&S);
}

/* From a peer that is not a trusted proxy, the header is a client's claim: ignored. */
static void a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(void **state)
{
	(void)state;
	start(256, "10.9.9.9");
	assert_int_equal(login_from("203.0.113.7", 1), 401);
	assert_int_equal(login_from("203.0.113.9", 2), 401);
	assert_int_equal(login_events_from("127.0.0.1"), 2);
	assert_int_equal(login_events_from("203.0.113.7"), 0);
	assert_int_equal(login_events_from("203.0.113.9"), 0);
	ht_stop(&S);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_client_address_is_the_peer_unless_a_trusted_proxy_forwards),
		cmocka_unit_test(over_the_limit_a_connection_is_answered_503_not_reset),
		cmocka_unit_test(a_trusted_proxy_names_the_client_for_throttling_and_audit),
		cmocka_unit_test(a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
