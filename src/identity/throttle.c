/*
 * Login throttling: a fixed table of recent failures keyed by hash (of an e-mail's blind
 * index, or of a client address). Past the free allowance (5 for an account, 20 for an
 * address, since a whole office may share one) each new failure doubles the wait, from 1 s
 * up to 15 min. The table is bounded; when full, the stalest entry is replaced.
 *
 * An attempt is reserved, under the lock, before its password is checked, and counts as a
 * failure until it is settled: parallel guesses cannot all pass the check while the first
 * ones are still verifying (argon2id takes a tenth of a second off the request threads).
 */
#include <pthread.h>

#include "identity/auth.h"

#define SLOTS 4096
#define PROBES 16
#define MAX_WAIT_MS (15 * 60 * 1000)

struct slot {
	unsigned char key[32];
	bool used;
	int failures; /* settled failures and attempts still in flight */
	int in_flight;
	int64_t last_ms;
	int64_t blocked_until_ms;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t home(const unsigned char key[32])
{
	size_t h;
	memcpy(&h, key, sizeof(h));
	return h % SLOTS;
}

/* The slot for key, or NULL; with create, a new or the stalest slot nearby (one with an
 * attempt in flight only when every slot nearby has one). */
static struct slot *find(const unsigned char key[32], bool create)
{
	size_t h = home(key);
	struct slot *stalest = NULL;
	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + i) % SLOTS];
		if (s->used && memcmp(s->key, key, 32) == 0)
			return s;
		if (!stalest || !s->used ||
		    (stalest->used &&
		     (s->in_flight < stalest->in_flight ||
		      (s->in_flight == stalest->in_flight && s->last_ms < stalest->last_ms))))
			stalest = s;
	}
	if (!create)
		return NULL;
	memset(stalest, 0, sizeof(*stalest));
	memcpy(stalest->key, key, 32);
	stalest->used = true;
	return stalest;
}

/* The back-off that failures past the allowance call for, counted from now_ms. */
static void block(struct slot *s, const throttle_key *k, int64_t now_ms)
{
	if (s->failures < k->free_failures) {
		s->blocked_until_ms = 0;
		return;
	}
	int shift = s->failures - k->free_failures;
	int64_t wait = shift >= 20 ? MAX_WAIT_MS : (int64_t)1000 << shift;
	s->blocked_until_ms = now_ms + (wait > MAX_WAIT_MS ? MAX_WAIT_MS : wait);
}

/* Seconds key must wait before another attempt, or 0. */
static int64_t wait_ms(const struct slot *s, const throttle_key *k, int64_t now_ms)
{
	if (!s)
		return 0;
	if (s->blocked_until_ms > now_ms)
		return s->blocked_until_ms - now_ms;
	/* At the allowance with attempts still verifying: their outcome decides the next wait. */
	if (s->in_flight && s->failures >= k->free_failures)
		return 1000;
	return 0;
}

int throttle_reserve(const throttle_key *keys, size_t n, int64_t now_ms)
{
	pthread_mutex_lock(&lock);
	int64_t wait = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t w = wait_ms(find(keys[i].hash, false), &keys[i], now_ms);
		wait = w > wait ? w : wait;
	}
	for (size_t i = 0; i < n && !wait; i++) {
		struct slot *s = find(keys[i].hash, true);
		/* Failures older than the longest wait are forgotten. */
		if (!s->in_flight && s->last_ms && now_ms - s->last_ms > MAX_WAIT_MS)
			s->failures = 0;
		s->failures++;
		s->in_flight++;
		s->last_ms = now_ms;
		block(s, &keys[i], now_ms);
	}
	pthread_mutex_unlock(&lock);
	return (int)((wait + 999) / 1000);
}

void throttle_settle(const throttle_key *keys, size_t n, int64_t now_ms, bool success)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n; i++) {
		struct slot *s = find(keys[i].hash, false);
		if (!s)
			continue; /* replaced meanwhile by a busier table */
		if (s->in_flight)
			s->in_flight--;
		if (success && keys[i].success_forgives) {
			memset(s, 0, sizeof(*s));
		} else if (success) {
			/* The reservation was not a failure after all. */
			if (s->failures)
				s->failures--;
			if (s->failures < keys[i].free_failures)
				s->blocked_until_ms = 0;
		} else {
			/* A failure waits from when it was known, not from when it was reserved. */
			s->last_ms = now_ms;
			block(s, &keys[i], now_ms);
		}
	}
	pthread_mutex_unlock(&lock);
}

void throttle_reset_all(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&lock);
}
