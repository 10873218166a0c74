/*
 * Login throttling: a fixed table of recent failures keyed by hash (of an e-mail's blind
 * index, or of a client address). Past the free allowance (5 for an account, 20 for an
 * address, since a whole office may share one) each new failure doubles the wait, from 1 s
 * up to 15 min. The table is bounded; when full, the stalest entry is replaced.
 */
#include <pthread.h>

#include "identity/auth.h"

#define SLOTS 4096
#define MAX_WAIT_MS (15 * 60 * 1000)

struct slot {
	unsigned char key[32];
	bool used;
	int failures;
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

/* The slot for key, or NULL; with create, a new or the stalest slot nearby. */
static struct slot *find(const unsigned char key[32], bool create)
{
	size_t h = home(key);
	struct slot *stalest = NULL;
	for (size_t i = 0; i < 16; i++) {
		struct slot *s = &slots[(h + i) % SLOTS];
		if (s->used && memcmp(s->key, key, 32) == 0)
			return s;
		if (!stalest || !s->used || (stalest->used && s->last_ms < stalest->last_ms))
			stalest = s;
	}
	if (!create)
		return NULL;
	memset(stalest, 0, sizeof(*stalest));
	memcpy(stalest->key, key, 32);
	stalest->used = true;
	return stalest;
}

int throttle_check(const unsigned char key[32], int64_t now_ms)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(key, false);
	int64_t wait = s && s->blocked_until_ms > now_ms ? s->blocked_until_ms - now_ms : 0;
	pthread_mutex_unlock(&lock);
	return (int)((wait + 999) / 1000);
}

void throttle_failure(const unsigned char key[32], int64_t now_ms, int free_failures)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(key, true);
	/* Failures older than the longest wait are forgotten. */
	if (s->last_ms && now_ms - s->last_ms > MAX_WAIT_MS)
		s->failures = 0;
	s->failures++;
	s->last_ms = now_ms;
	if (s->failures >= free_failures) {
		int shift = s->failures - free_failures;
		int64_t wait = shift >= 20 ? MAX_WAIT_MS : (int64_t)1000 << shift;
		s->blocked_until_ms = now_ms + (wait > MAX_WAIT_MS ? MAX_WAIT_MS : wait);
	}
	pthread_mutex_unlock(&lock);
}

void throttle_success(const unsigned char key[32])
{
	pthread_mutex_lock(&lock);
	struct slot *s = find(key, false);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lock);
}

void throttle_reset_all(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&lock);
}
