/* The sender of `ponte serve`: once a second, deliver what the outbox holds that is due; with
 * several processes on one database, only the one holding the sender's role. */
#include <curl/curl.h>
#include <pthread.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "trm/internal.h"

struct trm_sender {
	keyed_store env;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, poked;
	bool sending; /* held the sender's role at the last round (for the log) */
	CURL *conn;   /* kept between rounds: the connections to peers stay open */
};

/* The sender of this process, for trm_sender_poke (one per `ponte serve`). */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static trm_sender *current;

void trm_sender_poke(void)
{
	pthread_mutex_lock(&current_lock);
	if (current) {
		pthread_mutex_lock(&current->lock);
		current->poked = true;
		pthread_cond_signal(&current->wake);
		pthread_mutex_unlock(&current->lock);
	}
	pthread_mutex_unlock(&current_lock);
}

static void *run(void *arg)
{
	trm_sender *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		pthread_mutex_unlock(&s->lock);
		size_t sent = 0;
		/* With several processes on one PostgreSQL database, one sender delivers: two would
		 * both post each message (the peer's inbox would apply it once, answer the second
		 * "duplicate", and the attempts would double). The others wait for the role, asked
		 * once a second, and take it within a second of the holder's end. */
		bool sender = false;
		int rc = store_hold_role(s->env.db, STORE_ROLE_OUTBOX_SENDER, &sender);
		if (rc)
			log_msg(LOG_ERROR, "trm_sender_role", ponte_strerror(rc));
		if (!rc && sender != s->sending)
			log_msg(LOG_INFO, sender ? "trm_sender_elected" : "trm_sender_role_lost",
				sender ? "this process delivers the outbox"
				       : "another process delivers the outbox");
		s->sending = !rc && sender;
		if (s->sending)
			rc = trm_deliver_due_on(&s->env, s->conn, clock_wall_ms(), 32, &sent);
		if (rc)
			log_msg(LOG_ERROR, "trm_delivery_failed", ponte_strerror(rc));
		pthread_mutex_lock(&s->lock);
		if (s->stop || (sent > 0 && !rc) || s->poked) {
			s->poked = false;
			continue; /* the next of a peer's queue is due, or more was queued: again */
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
		s->poked = false;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int trm_sender_start(const keyed_store *env, trm_sender **out)
{
	trm_sender *s = calloc(1, sizeof(*s));
	if (!s)
		return PONTE_ENOMEM;
	s->env = *env;
	if (!(s->conn = curl_easy_init())) {
		free(s);
		return PONTE_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		curl_easy_cleanup(s->conn);
		free(s);
		return PONTE_ENOMEM;
	}
	pthread_mutex_lock(&current_lock);
	current = s;
	pthread_mutex_unlock(&current_lock);
	*out = s;
	return 0;
}

void trm_sender_stop(trm_sender *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&current_lock);
	if (current == s)
		current = NULL;
	pthread_mutex_unlock(&current_lock);
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	curl_easy_cleanup(s->conn);
	free(s);
}
