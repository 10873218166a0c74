/*
 * The client of bench/trm.sh: offers cases from one instance to another and accepts them at
 * the other as they arrive, over the JSON API, with keep-alive connections (one libcurl easy
 * handle per thread, reused), instead of one curl process per request.
 *
 *   trm_client FROM_URL TO_URL FROM_TOKEN TO_TOKEN PEER_ID PAIRS_FILE THREADS
 *   trm_client setup FROM_URL WORKER_TOKEN N THREADS > PAIRS_FILE
 *
 * With TO_URL "-" it only posts the offers (nobody accepts them).
 *
 * The second form makes the cases to offer first (not measured): N cases of FROM, each with a
 * transnational-referral consent, by a case worker, and prints the pairs.
 *
 * PAIRS_FILE holds one "case_id consent_id" per line (cases of FROM with a transnational-
 * referral consent). THREADS threads post the offers to FROM (POST
 * /api/v1/cases/{id}/transnational-referrals); one thread lists TO's referrals (GET
 * /api/v1/transnational-referrals) and queues those delivered and not answered, which THREADS
 * threads accept (POST /api/v1/transnational-referrals/{id}/accept). It stops when every offer
 * has been accepted, or after 10 minutes. Prints, on one line: offers posted, seconds to post
 * them, accepted, seconds from the first offer to the last acceptance posted, list requests.
 *
 *   cc -O2 -pthread -o build/bench/trm_client bench/trm_client.c $(pkg-config --cflags --libs libcurl)
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 100000
#define MAX_THREADS 64

static const char *from_url, *to_url, *peer_id;
static char from_auth[256], to_auth[256];
static long cases[MAX_PAIRS], consents[MAX_PAIRS];
static size_t npairs;
static size_t next_offer;  /* the next pair to offer */
static size_t offers_done; /* 201 answers */
static size_t accepted;    /* 200 answers */
static size_t failures;
static bool stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
/* Received referral ids to accept (a ring), and which were queued already. */
static long queue[MAX_PAIRS];
static size_t q_head, q_tail;
static bool *seen; /* by received id, up to MAX_PAIRS * 4 */
#define SEEN_MAX (MAX_PAIRS * 4)

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct body {
	char *data;
	size_t len, cap;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n;
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

static long request_once(CURL *h, const char *url, const char *auth, const char *post,
			 struct body *b);

/* One request on a kept-alive handle: the status, the answer in b. A server that says it is
 * busy (503, Retry-After) is asked again a little later, at most 20 times. */
static long request(CURL *h, const char *url, const char *auth, const char *post, struct body *b)
{
	long st = 0;
	for (int i = 0; i < 20 && (st = request_once(h, url, auth, post, b)) == 503; i++)
		usleep(100000);
	return st;
}

static long request_once(CURL *h, const char *url, const char *auth, const char *post,
			 struct body *b)
{
	struct curl_slist *hd = curl_slist_append(NULL, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hd);
	return status;
}

static void *offerer(void *arg)
{
	(void)arg;
	CURL *h = curl_easy_init();
	struct body b = { 0 };
	char url[512], post[256];
	for (;;) {
		pthread_mutex_lock(&lock);
		size_t i = next_offer < npairs ? next_offer++ : npairs;
		pthread_mutex_unlock(&lock);
		if (i >= npairs)
			break;
		snprintf(url, sizeof(url), "%s/api/v1/cases/%ld/transnational-referrals", from_url,
			 cases[i]);
		snprintf(post, sizeof(post), "{\"peer\":\"%s\",\"consent\":%ld}", peer_id,
			 consents[i]);
		long st = request(h, url, from_auth, post, &b);
		pthread_mutex_lock(&lock);
		if (st == 201)
			offers_done++;
		else if (failures++ < 5)
			fprintf(stderr, "offer %ld: HTTP %ld %.200s\n", cases[i], st,
				b.data ? b.data : "");
		pthread_mutex_unlock(&lock);
	}
	free(b.data);
	curl_easy_cleanup(h);
	return NULL;
}

static size_t lists;

/* Lists the receiver's referrals and queues those delivered (not answered) once. */
static void *lister(void *arg)
{
	(void)arg;
	CURL *h = curl_easy_init();
	struct body b = { 0 };
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v1/transnational-referrals", to_url);
	double deadline = now_s() + 600;
	while (now_s() < deadline) {
		pthread_mutex_lock(&lock);
		bool done = accepted + failures >= npairs;
		pthread_mutex_unlock(&lock);
		if (done)
			break;
		long st = request(h, url, to_auth, NULL, &b);
		lists++;
		size_t found = 0;
		for (const char *p = b.data; st == 200 && p && (p = strstr(p, "{\"id\":"));) {
			long id = strtol(p + 6, NULL, 10);
			const char *end = strstr(p + 6, "{\"id\":");
			const char *dir = strstr(p, "\"direction\":\"in\"");
			const char *state = strstr(p, "\"state\":\"delivered\"");
			bool in = dir && (!end || dir < end), waiting = state && (!end || state < end);
			if (in && waiting && id > 0 && id < SEEN_MAX && !seen[id]) {
				seen[id] = true;
				pthread_mutex_lock(&lock);
				queue[q_tail++ % MAX_PAIRS] = id;
				pthread_cond_signal(&more);
				pthread_mutex_unlock(&lock);
				found++;
			}
			p += 6;
		}
		if (!found)
			usleep(20000);
	}
	pthread_mutex_lock(&lock);
	stop = true;
	pthread_cond_broadcast(&more);
	pthread_mutex_unlock(&lock);
	free(b.data);
	curl_easy_cleanup(h);
	return NULL;
}

static void *acceptor(void *arg)
{
	(void)arg;
	CURL *h = curl_easy_init();
	struct body b = { 0 };
	char url[512];
	for (;;) {
		pthread_mutex_lock(&lock);
		while (q_head == q_tail && !stop)
			pthread_cond_wait(&more, &lock);
		if (q_head == q_tail && stop) {
			pthread_mutex_unlock(&lock);
			break;
		}
		long id = queue[q_head++ % MAX_PAIRS];
		pthread_mutex_unlock(&lock);
		snprintf(url, sizeof(url), "%s/api/v1/transnational-referrals/%ld/accept", to_url,
			 id);
		long st = request(h, url, to_auth, "{}", &b);
		pthread_mutex_lock(&lock);
		if (st == 200)
			accepted++;
		else if (failures++ < 5)
			fprintf(stderr, "accept %ld: HTTP %ld %.200s\n", id, st,
				b.data ? b.data : "");
		pthread_mutex_unlock(&lock);
	}
	free(b.data);
	curl_easy_cleanup(h);
	return NULL;
}

static long setup_n;
static long setup_next;

/* The first "id": of an answer. */
static long id_of(const struct body *b)
{
	const char *p = b->data ? strstr(b->data, "\"id\":") : NULL;
	return p ? strtol(p + 5, NULL, 10) : 0;
}

static void *maker(void *arg)
{
	(void)arg;
	CURL *h = curl_easy_init();
	struct body b = { 0 };
	char url[512], post[512];
	for (;;) {
		pthread_mutex_lock(&lock);
		long i = setup_next < setup_n ? setup_next++ : -1;
		pthread_mutex_unlock(&lock);
		if (i < 0)
			break;
		snprintf(url, sizeof(url), "%s/api/v1/cases", from_url);
		snprintf(post, sizeof(post),
			 "{\"person\":{\"prs_FirstName\":\"Bench %ld\",\"prs_Gender\":"
			 "\"Feminine\",\"prs_Citizenship\":[\"NE\"]}}",
			 i + 1);
		long case_id = request(h, url, from_auth, post, &b) == 201 ? id_of(&b) : 0;
		long consent = 0;
		if (case_id) {
			snprintf(url, sizeof(url), "%s/api/v1/cases/%ld/consents", from_url,
				 case_id);
			consent = request(h, url, from_auth,
					  "{\"purpose\":\"transnational_referral\",\"categories\":["
					  "\"identity\",\"victim\"],\"legal_basis\":\"consent\","
					  "\"language\":\"ha\",\"text_version\":\"v1\",\"given_by\":"
					  "\"person\",\"given_on\":\"2026-01-10\"}",
					  &b) == 201
				      ? id_of(&b)
				      : 0;
		}
		pthread_mutex_lock(&lock);
		if (case_id && consent) {
			cases[i] = case_id;
			consents[i] = consent;
		} else {
			failures++;
			fprintf(stderr, "setup %ld: %.200s\n", i, b.data ? b.data : "");
		}
		pthread_mutex_unlock(&lock);
	}
	free(b.data);
	curl_easy_cleanup(h);
	return NULL;
}

static int setup(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: trm_client setup FROM_URL WORKER_TOKEN N THREADS\n");
		return 2;
	}
	from_url = argv[2];
	snprintf(from_auth, sizeof(from_auth), "Authorization: Bearer %s", argv[3]);
	setup_n = atol(argv[4]);
	int threads = atoi(argv[5]);
	if (setup_n < 1 || setup_n > MAX_PAIRS || threads < 1 || threads > MAX_THREADS)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t t[MAX_THREADS];
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, maker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	for (long i = 0; i < setup_n && !failures; i++)
		printf("%ld %ld\n", cases[i], consents[i]);
	curl_global_cleanup();
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "setup") == 0)
		return setup(argc, argv);
	if (argc != 8) {
		fprintf(stderr, "usage: trm_client FROM_URL TO_URL FROM_TOKEN TO_TOKEN PEER_ID "
				"PAIRS_FILE THREADS\n");
		return 2;
	}
	from_url = argv[1];
	to_url = argv[2];
	snprintf(from_auth, sizeof(from_auth), "Authorization: Bearer %s", argv[3]);
	snprintf(to_auth, sizeof(to_auth), "Authorization: Bearer %s", argv[4]);
	peer_id = argv[5];
	int threads = atoi(argv[7]);
	if (threads < 1 || threads > MAX_THREADS)
		threads = 4;
	FILE *f = fopen(argv[6], "r");
	if (!f) {
		perror(argv[6]);
		return 1;
	}
	while (npairs < MAX_PAIRS && fscanf(f, "%ld %ld", &cases[npairs], &consents[npairs]) == 2)
		npairs++;
	fclose(f);
	seen = calloc(SEEN_MAX, sizeof(*seen));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* TO_URL "-": the offers only, nobody accepts them (tests/pg/two-serve.sh). */
	bool accepting = strcmp(to_url, "-") != 0;
	pthread_t off[MAX_THREADS], acc[MAX_THREADS], lst;
	double t0 = now_s();
	if (accepting)
		pthread_create(&lst, NULL, lister, NULL);
	for (int i = 0; i < threads; i++) {
		pthread_create(&off[i], NULL, offerer, NULL);
		if (accepting)
			pthread_create(&acc[i], NULL, acceptor, NULL);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(off[i], NULL);
	double t_offers = now_s() - t0;
	for (int i = 0; accepting && i < threads; i++)
		pthread_join(acc[i], NULL);
	if (accepting)
		pthread_join(lst, NULL);
	double t_all = now_s() - t0;
	printf("%zu %.2f %zu %.2f %zu\n", offers_done, t_offers, accepted, t_all, lists);
	free(seen);
	curl_global_cleanup();
	return offers_done == npairs && (!accepting || accepted == npairs) ? 0 : 1;
}
