/* Two real `ponte serve` processes on loopback, Portugal and Niger, connected the way operators
 * connect them (peer id, a fingerprint, peer add). Portugal offers a case while Niger is down
 * and is killed with SIGKILL while retrying; restarted, it delivers the offer once. */
#include "testutil.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bin(void)
{
	const char *b = getenv("PONTE_BIN");
	return b && *b ? b : "build/ponte";
}

static void slurp(const char *path, char *dst, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = f ? fread(dst, 1, n - 1, f) : 0;
	dst[got] = '\0';
	if (f)
		fclose(f);
}

static char out[65536];

static int run(const char *dir, const char *args)
{
	char cmd[4096], o[600];
	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>&1 </dev/null", bin(), args, o);
	int st = system(cmd);
	slurp(o, out, sizeof(out));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A port nobody listens on now (loopback only). */
static unsigned free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t n = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &n);
	close(s);
	return ntohs(a.sin_port);
}

static pid_t serve(const char *db, unsigned port, const char *log)
{
	char listen[32], url[64];
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(log, "a", stderr);
		(void)f;
		execl(bin(), "ponte", "serve", "--db", db, "--listen", listen, "--threads", "2",
		      "--public-url", url, (char *)NULL);
		_exit(127);
	}
	char text[65536] = "";
	for (int i = 0; i < 1000 && !strstr(text, "\"listening\""); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		slurp(log, text, sizeof(text));
	}
	assert_non_null(strstr(text, "\"listening\""));
	return pid;
}

static void stop(pid_t pid, int sig)
{
	kill(pid, sig);
	int st;
	waitpid(pid, &st, 0);
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	char *dst = ctx;
	size_t have = strlen(dst), len = size * n;
	if (have + len >= 65536)
		len = 65535 - have;
	memcpy(dst + have, p, len);
	dst[have + len] = '\0';
	return size * n;
}

static char body[65536];

static long http(unsigned port, const char *method, const char *path, const char *auth,
		 const char *data)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	CURL *h = curl_easy_init();
	struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
	if (auth)
		hs = curl_slist_append(hs, auth);
	body[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	if (data)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(h);
	return status;
}

static void login(unsigned port, const char *email, char *auth, size_t n)
{
	char data[256];
	snprintf(data, sizeof(data), "{\"email\":\"%s\",\"password\":\"Ponte-demo-Lisboa-2026\"}",
		 email);
	assert_int_equal(http(port, "POST", "/api/v1/auth/login", NULL, data), 200);
	const char *t = strstr(body, "\"token\":\"");
	assert_non_null(t);
	t += 9;
	snprintf(auth, n, "Authorization: Bearer %.*s", (int)strcspn(t, "\""), t);
}

/* The value of "key":"..." in text. */
static void json_value_of(const char *text, const char *key, char *v, size_t n)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":\"", key);
	const char *p = strstr(text, k);
	assert_non_null(p);
	p += strlen(k);
	snprintf(v, n, "%.*s", (int)strcspn(p, "\""), p);
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void an_instance_killed_while_delivering_loses_nothing_and_duplicates_nothing(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char *dir = test_tmpdir(), args[2048], pt[600], ne[600], log_pt[600], log_ne[600];
	snprintf(pt, sizeof(pt), "%s/pt.db", dir);
	snprintf(ne, sizeof(ne), "%s/ne.db", dir);
	snprintf(log_pt, sizeof(log_pt), "%s/pt.log", dir);
	snprintf(log_ne, sizeof(log_ne), "%s/ne.log", dir);
	unsigned p_pt = free_port(), p_ne = free_port();
	const char *dbs[] = { pt, ne }, *countries[] = { "PT", "NE" };
	unsigned ports[] = { p_pt, p_ne };
	char ids[2][4096], fps[2][32], iid[2][64];
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "init --db %s --country %s --name Test%s --demo",
			 dbs[i], countries[i], countries[i]);
		assert_int_equal(run(dir, args), 0);
		snprintf(args, sizeof(args),
			 "settings set --db %s --name require_2fa_for_flagged_roles --value 0",
			 dbs[i]);
		assert_int_equal(run(dir, args), 0);
		snprintf(args, sizeof(args), "peer id --db %s --url http://127.0.0.1:%u", dbs[i],
			 ports[i]);
		assert_int_equal(run(dir, args), 0);
		assert_true(strlen(out) < sizeof(ids[i]));
		memcpy(ids[i], out, strlen(out) + 1);
		json_value_of(out, "fingerprint", fps[i], sizeof(fps[i]));
		json_value_of(out, "instance_id", iid[i], sizeof(iid[i]));
	}
	for (int i = 0; i < 2; i++) { /* each registers the other */
		char file[600];
		snprintf(file, sizeof(file), "%s/identity-%d.json", dir, 1 - i);
		FILE *f = fopen(file, "w");
		fputs(ids[1 - i], f);
		fclose(f);
		char misread[32]; /* one letter heard wrong over the phone */
		snprintf(misread, sizeof(misread), "%s", fps[1 - i]);
		misread[0] = misread[0] == 'A' ? 'B' : 'A';
		snprintf(args, sizeof(args), "peer add --db %s --identity %s --fingerprint %s",
			 dbs[i], file, misread);
		assert_int_equal(run(dir, args), 1); /* a fingerprint misread: refused */
		assert_non_null(strstr(out, "fingerprint"));
		snprintf(args, sizeof(args), "peer add --db %s --identity %s --fingerprint %s",
			 dbs[i], file, fps[1 - i]);
		assert_int_equal(run(dir, args), 0);
	}
	/* Portugal runs; Niger is down. A case, its consent, the offer. */
	pid_t spt = serve(pt, p_pt, log_pt);
	char cw[256], fp[256], path[128];
	login(p_pt, "case.worker@demo.ponte.example", cw, sizeof(cw));
	login(p_pt, "focal.point@demo.ponte.example", fp, sizeof(fp));
	assert_int_equal(http(p_pt, "POST", "/api/v1/cases", cw,
			      "{\"person\":{\"prs_FirstName\":\"Rakia\",\"prs_SecondName\":"
			      "\"Probe-Killed-9\"}}"),
			 201);
	long case_id = strtol(strstr(body, "\"id\":") + 5, NULL, 10);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/consents", case_id);
	assert_int_equal(
	    http(p_pt, "POST", path, cw,
		 "{\"purpose\":\"transnational_referral\",\"categories\":[\"identity\"],"
		 "\"legal_basis\":\"consent\",\"language\":\"ha\",\"text_version\":\"v1\","
		 "\"given_by\":\"person\",\"given_on\":\"2026-01-10\"}"),
	    201);
	long consent = strtol(strstr(body, "\"id\":") + 5, NULL, 10);
	char offer[256];
	snprintf(offer, sizeof(offer), "{\"peer\":\"%s\",\"consent\":%ld}", iid[1], consent);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/transnational-referrals", case_id);
	assert_int_equal(http(p_pt, "POST", path, fp, offer), 201);
	/* The sender tries, fails, and is killed in the middle of its retries. */
	struct timespec ts = { 1, 500 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	stop(spt, SIGKILL);
	snprintf(args, sizeof(args), "trm outbox --db %s", pt);
	assert_int_equal(run(dir, args), 0);
	assert_non_null(strstr(out, "referral_offer\tpending")); /* kept across the crash */
	/* Niger comes back, then Portugal. */
	pid_t sne = serve(ne, p_ne, log_ne);
	spt = serve(pt, p_pt, log_pt);
	char nfp[256];
	login(p_ne, "focal.point@demo.ponte.example", nfp, sizeof(nfp));
	int received = 0;
	for (int i = 0; i < 300 && !received; i++) {
		assert_int_equal(http(p_ne, "GET", "/api/v1/transnational-referrals", nfp, NULL),
				 200);
		received = count(body, "\"direction\":\"in\"");
		if (!received) {
			struct timespec w = { 0, 100 * 1000 * 1000 };
			nanosleep(&w, NULL);
		}
	}
	assert_int_equal(received, 1);
	assert_non_null(strstr(body, "Probe-Killed-9")); /* the focal point reads the person */
	/* Niger's acknowledgement reaches Portugal; nothing more is sent, nothing applied twice. */
	int delivered = 0;
	for (int i = 0; i < 300 && !delivered; i++) {
		assert_int_equal(http(p_pt, "GET", "/api/v1/transnational-referrals", fp, NULL),
				 200);
		delivered = count(body, "\"state\":\"delivered\"");
		if (!delivered) {
			struct timespec w = { 0, 100 * 1000 * 1000 };
			nanosleep(&w, NULL);
		}
	}
	assert_int_equal(delivered, 1);
	nanosleep(&ts, NULL);
	assert_int_equal(http(p_ne, "GET", "/api/v1/transnational-referrals", nfp, NULL), 200);
	assert_int_equal(count(body, "\"direction\":\"in\""), 1);
	/* Portugal rotates its keys while both run: Niger learns the new ones from a message
	 * signed with the old, and its acceptance, sealed to the new key, reaches Portugal. */
	snprintf(args, sizeof(args), "peer rotate --db %s", pt);
	assert_int_equal(run(dir, args), 0);
	char new_fp[32] = "";
	assert_int_equal(sscanf(out, "new fingerprint %24[A-Z2-7-]", new_fp), 1);
	assert_string_not_equal(new_fp, fps[0]);
	bool learnt = false;
	for (int i = 0; i < 300 && !learnt; i++) {
		snprintf(args, sizeof(args), "peer list --db %s", ne);
		assert_int_equal(run(dir, args), 0);
		learnt = strstr(out, new_fp) != NULL;
		if (!learnt) {
			struct timespec w = { 0, 100 * 1000 * 1000 };
			nanosleep(&w, NULL);
		}
	}
	assert_true(learnt);
	long in_id = strtol(strstr(body, "\"id\":") + 5, NULL, 10);
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%ld/accept", in_id);
	assert_int_equal(http(p_ne, "POST", path, nfp, "{}"), 200);
	int accepted = 0;
	for (int i = 0; i < 300 && !accepted; i++) {
		assert_int_equal(http(p_pt, "GET", "/api/v1/transnational-referrals", fp, NULL),
				 200);
		accepted = count(body, "\"state\":\"accepted\"");
		if (!accepted) {
			struct timespec w = { 0, 100 * 1000 * 1000 };
			nanosleep(&w, NULL);
		}
	}
	assert_int_equal(accepted, 1);
	stop(spt, SIGTERM);
	stop(sne, SIGTERM);
	snprintf(args, sizeof(args), "trm outbox --db %s", pt);
	assert_int_equal(run(dir, args), 0);
	assert_non_null(strstr(out, "referral_offer\tdelivered"));
	assert_null(strstr(out, "pending"));
	test_rmtree(dir);
}

/* The address peers deliver to, as `ponte peer id --help`, the refusal and docs/cli.md say it
 * and as the command takes it: https, or http to a loopback address (127.x or [::1]). */
static void the_peer_url_rule_is_the_one_help_and_docs_give(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[2048], db[600];
	snprintf(db, sizeof(db), "%s/u.db", dir);
	snprintf(args, sizeof(args), "init --db %s --country PT --name UrlTest", db);
	assert_int_equal(run(dir, args), 0);
	assert_int_equal(run(dir, "peer id --help"), 0);
	const char *forms[] = { "https://", "http://127.", "http://[::1]" };
	for (size_t i = 0; i < ARRAY_LEN(forms); i++)
		if (!strstr(out, forms[i]))
			fail_msg("peer id --help does not give %s: %s", forms[i], out);
	FILE *f = fopen("docs/cli.md", "rb");
	assert_non_null(f);
	static char doc[1 << 17];
	doc[fread(doc, 1, sizeof(doc) - 1, f)] = '\0';
	fclose(f);
	const char *peer_id = strstr(doc, "`peer id` prints");
	assert_non_null(peer_id);
	for (size_t i = 0; i < ARRAY_LEN(forms); i++)
		if (!strstr(peer_id, forms[i]))
			fail_msg("docs/cli.md does not give %s for peer id --url", forms[i]);
	const char *taken[] = { "https://ponte.example.pt", "http://127.0.0.1:8080",
				"http://[::1]:8080" };
	for (size_t i = 0; i < ARRAY_LEN(taken); i++) {
		snprintf(args, sizeof(args), "peer id --db %s --url %s", db, taken[i]);
		if (run(dir, args) != 0)
			fail_msg("%s refused: %s", taken[i], out);
		char want[128];
		snprintf(want, sizeof(want), "\"url\":\"%s\"", taken[i]);
		assert_non_null(strstr(out, want));
	}
	const char *refused[] = { "http://ponte.example.pt", "http://localhost:8080",
				  "ftp://127.0.0.1" };
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		snprintf(args, sizeof(args), "peer id --db %s --url %s", db, refused[i]);
		assert_int_equal(run(dir, args), 1);
		/* The refusal gives the same rule. */
		for (size_t k = 0; k < ARRAY_LEN(forms); k++)
			assert_non_null(strstr(out, forms[k]));
	}
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    an_instance_killed_while_delivering_loses_nothing_and_duplicates_nothing),
		cmocka_unit_test(the_peer_url_rule_is_the_one_help_and_docs_give),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
