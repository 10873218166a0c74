/*
 * bench/json_parse.c: Ponte's JSON parser (base/json_parse.c) against jansson 2.14, Debian 12's
 * libjansson-dev, on the same inputs in the same run.
 *
 * The inputs are the API's largest bodies: a federation envelope (2 MiB, the route's limit:
 * a few members and one long base64 string), a transnational document payload of about 1 MiB
 * (an array of records with short text members, French and Arabic names, escapes, numbers),
 * and a login body (the most frequent small body), parsed many times.
 *
 * Each parser is asked for what Ponte needs: duplicate keys refused (jansson:
 * JSON_REJECT_DUPLICATES), the whole text one value. "jansson + tree" also copies jansson's
 * result into Ponte's json_value tree in an arena, which is what every caller reads today:
 * that is the cost of moving to the library without rewriting the 20 callers.
 *
 * Build and run: bash bench/json.sh [runs]
 */
#include <time.h>

#include "base/json_parse.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int append(char **s, size_t *n, size_t *cap, const char *t)
{
	size_t k = strlen(t);
	while (*n + k + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		char *more = realloc(*s, *cap);
		if (!more)
			return -1;
		*s = more;
	}
	memcpy(*s + *n, t, k + 1);
	*n += k;
	return 0;
}

static char *envelope(size_t *n)
{
	size_t cap = 0;
	char *s = NULL;
	*n = 0;
	append(&s, n, &cap,
	       "{\"v\":1,\"from\":\"0b7e4a52-8f0e-4c4e-9a55-2f3c1d0e9b11\","
	       "\"to\":\"5d1f7c3a-2b6e-4f8d-8c1a-9e0b7d6c5a42\",\"sealed\":\"");
	static const char B64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char chunk[65];
	for (size_t i = 0; *n < (2u << 20) - 200; i++) {
		for (size_t k = 0; k < 64; k++)
			chunk[k] = B64[(i * 7 + k * 13) % 64];
		chunk[64] = '\0';
		append(&s, n, &cap, chunk);
	}
	append(&s, n, &cap, "\",\"sig\":\"AAAA\"}");
	return s;
}

static char *document(size_t *n)
{
	size_t cap = 0;
	char *s = NULL, row[1024];
	*n = 0;
	append(&s, n, &cap, "{\"type\":\"referral\",\"version\":3,\"records\":[");
	for (int i = 0; *n < (1u << 20) - 1024; i++) {
		snprintf(row, sizeof(row),
			 "%s{\"id\":%d,\"name\":\"Aïcha Benkirane-Lefèvre\","
			 "\"name_ar\":\"عائشة بن كيران\",\"born\":\"1998-04-%02d\","
			 "\"nationality\":\"MA\",\"score\":%d.%d,\"child\":%s,"
			 "\"needs\":[\"shelter\",\"medical\",\"legal\"],"
			 "\"note\":\"Arrivée le 3 mai \\u2014 \\\"accompagnée\\\"\\n"
			 "par l'ONG; besoin d'un interprète\",\"contact\":null}",
			 i ? "," : "", i, i % 28 + 1, i % 100, i % 10, i % 2 ? "true" : "false");
		append(&s, n, &cap, row);
	}
	append(&s, n, &cap, "]}");
	return s;
}

/* The tree builder bench/json_jansson.c calls (jansson's header and json_parse.h both name
 * JSON_OBJECT and friends, so the two cannot share a file: an adoption would rename ours). */
void *bench_node(arena *a, int kind, size_t length, const char *s, double number)
{
	static const enum json_type KIND[] = { JSON_NULL, JSON_BOOL, JSON_BOOL, JSON_NUMBER,
					       JSON_STRING, JSON_ARRAY, JSON_OBJECT };
	json_value *v = arena_alloc(a, sizeof(*v));
	if (!v)
		return NULL;
	v->type = KIND[kind];
	v->boolean = kind == 2;
	v->number = number;
	v->length = length;
	if (kind == 4 && !(v->string = arena_strndup(a, s, length)))
		return NULL;
	if (kind >= 5 && !(v->items = arena_calloc(a, length ? length : 1, sizeof(*v->items))))
		return NULL;
	if (kind == 6 && !(v->keys = arena_calloc(a, length ? length : 1, sizeof(*v->keys))))
		return NULL;
	return v;
}

int bench_set(arena *a, void *container, size_t i, const char *key, void *item)
{
	json_value *v = container;
	if (!item)
		return -1;
	v->items[i] = item;
	if (key && !(v->keys[i] = arena_strndup(a, key, strlen(key))))
		return -1;
	return 0;
}

int bench_jansson(arena *a, const char *text, size_t n, bool tree);

enum which { OURS, JANSSON, JANSSON_TREE };

static double run(enum which w, const char *text, size_t n, int reps)
{
	double t0 = now_s();
	for (int r = 0; r < reps; r++) {
		arena a;
		arena_init(&a, 64u << 20);
		if (w == OURS) {
			json_value *v;
			char err[128];
			if (json_parse(&a, text, n, &v, err, sizeof(err)) != 0) {
				fprintf(stderr, "ours refused: %s\n", err);
				exit(1);
			}
		} else {
			if (bench_jansson(&a, text, n, w == JANSSON_TREE) != 0)
				exit(1);
		}
		arena_release(&a);
	}
	return (now_s() - t0) / reps;
}

int main(void)
{
	size_t ne, nd;
	char *env = envelope(&ne), *doc = document(&nd);
	static const char LOGIN[] = "{\"email\":\"amina.diallo@ngo.example\",\"password\":"
				    "\"correct horse battery staple\",\"totp\":\"123456\"}";
	struct {
		const char *name;
		const char *text;
		size_t n;
		int reps;
	} in[] = {
		{ "envelope", env, ne, 50 },
		{ "document", doc, nd, 20 },
		{ "login", LOGIN, sizeof(LOGIN) - 1, 200000 },
	};
	static const char *const WHO[] = { "ours", "jansson", "jansson+tree" };
	for (size_t i = 0; i < ARRAY_LEN(in); i++)
		for (int w = OURS; w <= JANSSON_TREE; w++) {
			double s = run((enum which)w, in[i].text, in[i].n, in[i].reps);
			printf("%s\t%zu\t%s\t%.3f us\t%.1f MB/s\n", in[i].name, in[i].n, WHO[w],
			       s * 1e6, (double)in[i].n / s / 1e6);
		}
	free(env);
	free(doc);
	return 0;
}
