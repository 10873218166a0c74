#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>

#include "http/clients.h"

#define TABLE_SIZE (2 * HTTP_CLIENTS_SLOTS) /* open addressing stays at most half full */
#define KEY_LEN 56

struct entry {
	char key[KEY_LEN]; /* "" never used; a key with count 0 is a tombstone */
	unsigned count;
};

struct trusted_address {
	int family;
	unsigned char bytes[16];
};

struct http_clients {
	pthread_mutex_t lock;
	unsigned limit;
	size_t used; /* entries with a key (live or tombstone) */
	size_t live; /* entries with count > 0 */
	struct trusted_address trusted[HTTP_TRUSTED_PROXIES];
	size_t ntrusted;
	struct entry table[TABLE_SIZE];
};

static bool parse_address(const char *s, size_t n, struct trusted_address *out)
{
	char text[HTTP_ADDRESS_LEN];
	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

int http_clients_new(unsigned limit, const char *trusted, http_clients **out, char *err,
		     size_t errlen)
{
	*out = NULL;
	http_clients *c = calloc(1, sizeof(*c));
	if (!c)
		return PONTE_ENOMEM;
	c->limit = limit ? limit : 1;
	for (const char *p = trusted ? trusted : ""; *p;) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		if (!n)
			break;
		if (c->ntrusted == HTTP_TRUSTED_PROXIES) {
			snprintf(err, errlen, "at most %d trusted proxies", HTTP_TRUSTED_PROXIES);
			free(c);
			return PONTE_EINVAL;
		}
		if (!parse_address(p, n, &c->trusted[c->ntrusted])) {
			snprintf(err, errlen,
				 "a trusted proxy must be a numeric IPv4 or IPv6 address, not "
				 "\"%.*s\"",
				 (int)(n > 64 ? 64 : n), p);
			free(c);
			return PONTE_EINVAL;
		}
		c->ntrusted++;
		p += n;
	}
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

void http_clients_free(http_clients *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static bool is_trusted(const http_clients *c, const char *s, size_t n)
{
	struct trusted_address a;
	if (!c->ntrusted || !parse_address(s, n, &a))
		return false;
	for (size_t i = 0; i < c->ntrusted; i++)
		if (c->trusted[i].family == a.family &&
		    memcmp(c->trusted[i].bytes, a.bytes, a.family == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

bool http_clients_trusted(const http_clients *c, const char *peer)
{
	return peer && is_trusted(c, peer, strlen(peer));
}

void http_clients_address(const http_clients *c, const char *peer, const char *xff, char *out)
{
	snprintf(out, HTTP_ADDRESS_LEN, "%s", peer ? peer : "");
	if (!xff || !http_clients_trusted(c, peer))
		return;
	/* From the right: each trusted proxy vouches for the entry before it. */
	size_t end = strlen(xff);
	for (;;) {
		while (end && (xff[end - 1] == ' ' || xff[end - 1] == '\t'))
			end--;
		size_t start = end;
		while (start && xff[start - 1] != ',')
			start--;
		size_t s = start;
		while (s < end && (xff[s] == ' ' || xff[s] == '\t'))
			s++;
		struct trusted_address a;
		if (!parse_address(xff + s, end - s, &a))
			return; /* malformed: the last trusted hop is the client */
		snprintf(out, HTTP_ADDRESS_LEN, "%.*s", (int)(end - s), xff + s);
		if (!is_trusted(c, xff + s, end - s) || start == 0)
			return;
		end = start - 1;
	}
}

static size_t hash(const char *key)
{
	size_t h = 1469598103934665603u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

/* The entry of key, or where it would go (NULL when neither exists). Under the lock. */
static struct entry *find(http_clients *c, const char *key, bool insert)
{
	struct entry *tomb = NULL;
	for (size_t i = hash(key) % TABLE_SIZE, probes = 0; probes < TABLE_SIZE;
	     i = (i + 1) % TABLE_SIZE, probes++) {
		struct entry *e = &c->table[i];
		if (!e->key[0]) {
			if (!insert)
				return NULL;
			if (tomb)
				return tomb;
			if (c->used >= TABLE_SIZE / 2 + TABLE_SIZE / 4)
				return NULL;
			c->used++;
			return e;
		}
		if (strcmp(e->key, key) == 0)
			return e;
		if (!e->count && !tomb)
			tomb = e;
	}
	return insert ? tomb : NULL;
}

/* Tombstones make probes long: when they pile up, put the live keys back in place. */
static void rebuild(http_clients *c)
{
	struct entry *live = malloc(sizeof(c->table));
	if (!live)
		return; /* longer probes, still correct */
	size_t n = 0;
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (c->table[i].count)
			live[n++] = c->table[i];
	memset(c->table, 0, sizeof(c->table));
	c->used = 0;
	for (size_t i = 0; i < n; i++) {
		struct entry *e = find(c, live[i].key, true);
		*e = live[i];
	}
	free(live);
}

bool http_clients_take(http_clients *c, const char *key)
{
	if (strlen(key) >= KEY_LEN)
		return false;
	pthread_mutex_lock(&c->lock);
	if (c->used - c->live > TABLE_SIZE / 4)
		rebuild(c);
	struct entry *e = find(c, key, true);
	bool ok = e && e->count < c->limit && c->live < HTTP_CLIENTS_SLOTS;
	if (ok) {
		if (!e->key[0] || strcmp(e->key, key) != 0)
			snprintf(e->key, sizeof(e->key), "%s", key);
		if (!e->count++)
			c->live++;
	} else if (e && e->count == 0 && !e->key[0]) {
		c->used--; /* a fresh slot found but not used */
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

void http_clients_give(http_clients *c, const char *key)
{
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key, false);
	if (e && e->count && !--e->count)
		c->live--;
	pthread_mutex_unlock(&c->lock);
}

unsigned http_clients_held(http_clients *c, const char *key)
{
	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, key, false);
	unsigned n = e ? e->count : 0;
	pthread_mutex_unlock(&c->lock);
	return n;
}
