#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"

static const char SQL_LAST[] = "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit_events(id, time, user_id, organisation_id, action, object_type, "
    "object_id, outcome, client, prev_hash, hash) "
    "VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_ALL[] =
    "SELECT id, time, coalesce(user_id, 0), coalesce(organisation_id, 0), "
    "action, object_type, object_id, outcome, client, prev_hash, hash "
    "FROM audit_events ORDER BY id";
static const char SQL_QUERY[] =
    "SELECT id, time, coalesce(user_id, 0), coalesce(organisation_id, 0), action, object_type, "
    "object_id, outcome, client FROM audit_events "
    "WHERE (?1 = 0 OR user_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR action = ?2) "
    "AND (CAST(?3 AS TEXT) IS NULL OR object_type = ?3) "
    "AND (CAST(?4 AS TEXT) IS NULL OR object_id = ?4) "
    "AND (CAST(?5 AS TEXT) IS NULL OR time >= ?5) AND (CAST(?6 AS TEXT) IS NULL OR time < ?6) "
    "ORDER BY id DESC LIMIT ?7";

static void put_field(crypto_generichash_state *h, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				 (unsigned char)(n >> 8), (unsigned char)n };
	crypto_generichash_update(h, len, 4);
	crypto_generichash_update(h, (const unsigned char *)s, n);
}

static void put_int(crypto_generichash_state *h, int64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)v);
	put_field(h, text);
}

/* hash = BLAKE2b-256(prev || id, time, user, organisation, action, object type, object id,
 * outcome, client), each field length-prefixed. */
static void event_hash(const unsigned char prev[32], const audit_event *e, unsigned char out[32])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, prev, 32);
	put_int(&h, e->id);
	put_field(&h, e->time);
	put_int(&h, e->user_id);
	put_int(&h, e->organisation_id);
	put_field(&h, e->action);
	put_field(&h, e->object_type ? e->object_type : "");
	put_field(&h, e->object_id ? e->object_id : "");
	put_field(&h, e->outcome);
	put_field(&h, e->client ? e->client : "");
	crypto_generichash_final(&h, out, 32);
}

/* The last event's id and hash (0 and 32 zero bytes when the trail is empty). */
static int read_last(store_conn *c, int64_t *last_id, unsigned char prev[32])
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_LAST, &st);
	if (rc)
		return rc;
	memset(prev, 0, 32);
	*last_id = 0;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t n;
		const void *h = store_col_blob(st, 1, &n);
		*last_id = store_col_int64(st, 0);
		if (n == 32)
			memcpy(prev, h, 32);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Insert e (its id and time set) after prev; hash receives its hash. */
static int insert_event(store_conn *c, const audit_event *e, const unsigned char prev[32],
			unsigned char hash[32])
{
	store_stmt *st;
	event_hash(prev, e, hash);
	int rc = store_prepare(c, SQL_INSERT, &st);
	if (rc)
		return rc;
	const char *ot = e->object_type ? e->object_type : "",
		   *oi = e->object_id ? e->object_id : "", *cl = e->client ? e->client : "";
	store_bind_int64(st, 1, e->id);
	store_bind_text(st, 2, e->time, strlen(e->time));
	store_bind_int64(st, 3, e->user_id);
	store_bind_int64(st, 4, e->organisation_id);
	store_bind_text(st, 5, e->action, strlen(e->action));
	store_bind_text(st, 6, ot, strlen(ot));
	store_bind_text(st, 7, oi, strlen(oi));
	store_bind_text(st, 8, e->outcome, strlen(e->outcome));
	store_bind_text(st, 9, cl, strlen(cl));
	store_bind_blob(st, 10, prev, 32);
	store_bind_blob(st, 11, hash, 32);
	return store_run(st);
}

int audit_append_in_transaction(store *db, const audit_event *in)
{
	store_conn *c;
	int64_t last_id;
	unsigned char prev[32], hash[32];
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = read_last(c, &last_id, prev);
	if (rc)
		return rc;
	audit_event e = *in;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	e.id = last_id + 1;
	e.time = when;
	return insert_event(c, &e, prev, hash);
}

int audit_append(store *db, const audit_event *e)
{
	store_conn *c;
	int rc = store_begin_on(db, &c);
	if (rc)
		return rc;
	rc = audit_append_in_transaction(db, e);
	return store_finish(c, rc);
}

/*
 * The group-commit writer. Readers copy their event into a ring under the process's audit
 * lock; the writer thread takes everything in the ring, appends it in one transaction (one
 * fsync) while new events keep arriving behind it, and only then frees the slots. So memory
 * is bounded by the ring, a failed commit keeps its events for the next try, and the events
 * lost by a crash are those queued since the last commit.
 */
#define AUDIT_QUEUE 8192    /* events waiting at most; a reader waits when it is full */
#define AUDIT_BATCH 2048    /* events per transaction at most */
#define AUDIT_WAIT_MS 5000  /* how long a reader or a flush waits for the writer */
#define AUDIT_STOP_TRIES 20 /* failed commits tolerated at stop before giving up */
/* A batch starts at most this long after the previous one, unless the queue is half full or
 * someone waits for it (a flush, a stop). Every commit makes each other connection drop its
 * page cache and file mapping at its next read (SQLite resets a reader whose WAL changed), so
 * a commit per read would cost every reader its cache; one per window does not. */
#define AUDIT_WINDOW_MS 50

typedef struct queued_event {
	int64_t user_id, organisation_id;
	char time[CLOCK_RFC3339_LEN];
	char action[64], object_type[32], object_id[32], outcome[16], client[64];
} queued_event;

struct audit_writer {
	store *db;
	queued_event *ring;
	size_t head, count;
	uint64_t queued, committed; /* events ever queued, ever committed */
	bool stopping;
	unsigned flushing; /* flushes waiting: commit without waiting for the window */
	uint64_t last_commit_ns;
	pthread_t thread;
	pthread_cond_t work;    /* the writer waits for events or the stop */
	pthread_cond_t changed; /* readers and flushes wait for slots or commits */
	audit_writer *next;
};

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static audit_writer *writers; /* under writers_lock, like everything in them */

static audit_writer *writer_of(const store *db)
{
	for (audit_writer *w = writers; w; w = w->next)
		if (w->db == db)
			return w;
	return NULL;
}

static bool copy_field(char *dst, size_t n, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len >= n)
		return false;
	memcpy(dst, s ? s : "", len);
	dst[len] = '\0';
	return true;
}

static bool queue_entry(queued_event *q, const audit_event *e)
{
	q->user_id = e->user_id;
	q->organisation_id = e->organisation_id;
	clock_format_rfc3339(clock_wall_ms(), q->time);
	return copy_field(q->action, sizeof(q->action), e->action) &&
	       copy_field(q->object_type, sizeof(q->object_type), e->object_type) &&
	       copy_field(q->object_id, sizeof(q->object_id), e->object_id) &&
	       copy_field(q->outcome, sizeof(q->outcome), e->outcome) &&
	       copy_field(q->client, sizeof(q->client), e->client);
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int audit_append_read(store *db, const audit_event *e)
{
	struct timespec until;
	bool timed = false;
	pthread_mutex_lock(&writers_lock);
	audit_writer *w = writer_of(db);
	while (w && !w->stopping && w->count == AUDIT_QUEUE) {
		if (!timed)
			deadline_in(&until, AUDIT_WAIT_MS);
		timed = true;
		if (pthread_cond_timedwait(&w->changed, &writers_lock, &until) == ETIMEDOUT)
			break;
		w = writer_of(db); /* it may have stopped meanwhile */
	}
	if (w && !w->stopping && w->count < AUDIT_QUEUE) {
		queued_event *q = &w->ring[(w->head + w->count) % AUDIT_QUEUE];
		if (queue_entry(q, e)) {
			w->count++;
			w->queued++;
			pthread_cond_signal(&w->work);
			pthread_mutex_unlock(&writers_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&writers_lock);
	/* No writer, a writer stuck for seconds, or a field too long for a slot: write it now. */
	return audit_append(db, e);
}

/* Append ring[from .. from + n) in one transaction. Called without the lock: those slots are
 * not touched by anyone until the writer frees them. */
static int write_batch(audit_writer *w, size_t from, size_t n)
{
	store_conn *c;
	int64_t last_id;
	unsigned char prev[32], hash[32];
	int rc = store_begin_on(w->db, &c);
	if (rc)
		return rc;
	rc = read_last(c, &last_id, prev);
	for (size_t i = 0; !rc && i < n; i++) {
		const queued_event *q = &w->ring[(from + i) % AUDIT_QUEUE];
		audit_event e = { .id = ++last_id,
				  .time = q->time,
				  .user_id = q->user_id,
				  .organisation_id = q->organisation_id,
				  .action = q->action,
				  .object_type = q->object_type,
				  .object_id = q->object_id,
				  .outcome = q->outcome,
				  .client = q->client };
		rc = insert_event(c, &e, prev, hash);
		memcpy(prev, hash, 32);
	}
	return store_finish(c, rc);
}

static void *writer_main(void *arg)
{
	audit_writer *w = arg;
	unsigned failures = 0;
	pthread_mutex_lock(&writers_lock);
	for (;;) {
		while (!w->count && !w->stopping)
			pthread_cond_wait(&w->work, &writers_lock);
		if (!w->count)
			break;
		uint64_t due = w->last_commit_ns + (uint64_t)AUDIT_WINDOW_MS * 1000000u;
		if (!w->stopping && !w->flushing && w->count < AUDIT_QUEUE / 2 &&
		    clock_monotonic_ns() < due) {
			struct timespec until;
			deadline_in(&until, (long)((due - clock_monotonic_ns()) / 1000000u) + 1);
			pthread_cond_timedwait(&w->work, &writers_lock, &until);
			continue;
		}
		size_t from = w->head, n = w->count < AUDIT_BATCH ? w->count : AUDIT_BATCH;
		pthread_mutex_unlock(&writers_lock);
		uint64_t started = clock_monotonic_ns();
		int rc = write_batch(w, from, n);
		pthread_mutex_lock(&writers_lock);
		w->last_commit_ns = started;
		if (!rc) {
			w->head = (w->head + n) % AUDIT_QUEUE;
			w->count -= n;
			w->committed += n;
			failures = 0;
			pthread_cond_broadcast(&w->changed);
			continue;
		}
		char fields[160];
		snprintf(fields, sizeof(fields), ",\"events\":%zu,\"error\":\"%s\"", w->count,
			 ponte_strerror(rc));
		log_event(LOG_ERROR, "audit_batch_failed", fields);
		if (w->stopping && ++failures >= AUDIT_STOP_TRIES)
			break;
		/* Busy or failing disk: keep the events and try again shortly. */
		struct timespec until;
		deadline_in(&until, 100);
		pthread_cond_timedwait(&w->changed, &writers_lock, &until);
	}
	pthread_mutex_unlock(&writers_lock);
	return NULL;
}

int audit_writer_start(store *db, audit_writer **out)
{
	*out = NULL;
	audit_writer *w = calloc(1, sizeof(*w));
	if (w)
		w->ring = calloc(AUDIT_QUEUE, sizeof(*w->ring));
	if (!w || !w->ring) {
		free(w);
		return PONTE_ENOMEM;
	}
	w->db = db;
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->changed, NULL);
	pthread_mutex_lock(&writers_lock);
	int rc = writer_of(db) ? PONTE_EEXIST : 0;
	if (!rc && pthread_create(&w->thread, NULL, writer_main, w) != 0)
		rc = PONTE_ENOMEM;
	if (!rc) {
		w->next = writers;
		writers = w;
	}
	pthread_mutex_unlock(&writers_lock);
	if (rc) {
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->changed);
		free(w->ring);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

size_t audit_writer_stop(audit_writer *w)
{
	if (!w)
		return 0;
	pthread_mutex_lock(&writers_lock);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&writers_lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(&writers_lock);
	for (audit_writer **p = &writers; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	size_t lost = w->count;
	/* Flushes waiting on this writer see it gone and return. */
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&writers_lock);
	if (lost) {
		char fields[64];
		snprintf(fields, sizeof(fields), ",\"events\":%zu", lost);
		log_event(LOG_ERROR, "audit_events_lost", fields);
	}
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->changed);
	free(w->ring);
	free(w);
	return lost;
}

int audit_flush(store *db)
{
	struct timespec until;
	deadline_in(&until, AUDIT_WAIT_MS);
	int rc = 0;
	pthread_mutex_lock(&writers_lock);
	audit_writer *w = writer_of(db);
	uint64_t target = w ? w->queued : 0;
	if (w && w->committed < target) {
		w->flushing++;
		pthread_cond_signal(&w->work);
	}
	audit_writer *asked = w && w->committed < target ? w : NULL;
	while (w && w->committed < target) {
		if (pthread_cond_timedwait(&w->changed, &writers_lock, &until) == ETIMEDOUT) {
			rc = PONTE_EBUSY;
			break;
		}
		w = writer_of(db);
	}
	if (asked && asked == writer_of(db) && asked->flushing)
		asked->flushing--;
	pthread_mutex_unlock(&writers_lock);
	return rc;
}

static const char *col(store_stmt *st, int i)
{
	const char *s = store_col_text(st, i, NULL);
	return s ? s : "";
}

int audit_verify(store *db, audit_verify_result *r)
{
	memset(r, 0, sizeof(*r));
	audit_flush(db);
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_ALL, &st);
	if (rc)
		return rc;
	unsigned char prev[32] = { 0 };
	int64_t expected_id = 1;
	while ((rc = store_step(st)) == STORE_ROW) {
		audit_event e = { .id = store_col_int64(st, 0),
				  .time = col(st, 1),
				  .user_id = store_col_int64(st, 2),
				  .organisation_id = store_col_int64(st, 3),
				  .action = col(st, 4),
				  .object_type = col(st, 5),
				  .object_id = col(st, 6),
				  .outcome = col(st, 7),
				  .client = col(st, 8) };
		size_t plen, hlen;
		const unsigned char *p = store_col_blob(st, 9, &plen),
				    *h = store_col_blob(st, 10, &hlen);
		unsigned char want[32];
		event_hash(prev, &e, want);
		const char *why = NULL;
		if (e.id != expected_id)
			why = e.id > expected_id ? "events are missing before this one"
						 : "events are out of order";
		else if (plen != 32 || sodium_memcmp(p, prev, 32) != 0)
			why = "it does not follow the previous event (deleted or reordered events)";
		else if (hlen != 32 || sodium_memcmp(h, want, 32) != 0)
			why = "its content does not match its hash (edited)";
		if (why) {
			r->first_bad_id = e.id;
			snprintf(r->why, sizeof(r->why), "%s", why);
			store_reset(st);
			return PONTE_EINVAL;
		}
		memcpy(prev, h, 32);
		expected_id++;
		r->events++;
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	sodium_bin2hex(r->head, sizeof(r->head), prev, 32);
	return 0;
}

int audit_query(store *db, arena *a, const audit_filter *f, audit_fn fn, void *ctx)
{
	audit_flush(db);
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_QUERY, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, f->user_id);
	const char *texts[] = { f->action, f->object_type, f->object_id, f->since, f->until };
	for (int i = 0; i < 5; i++)
		if (texts[i] && *texts[i])
			store_bind_text(st, i + 2, texts[i], strlen(texts[i]));
	store_bind_int64(st, 7, f->limit > 0 ? f->limit : 1000);
	while ((rc = store_step(st)) == STORE_ROW) {
		audit_event e = { .id = store_col_int64(st, 0),
				  .time = arena_strdup(a, col(st, 1)),
				  .user_id = store_col_int64(st, 2),
				  .organisation_id = store_col_int64(st, 3),
				  .action = arena_strdup(a, col(st, 4)),
				  .object_type = arena_strdup(a, col(st, 5)),
				  .object_id = arena_strdup(a, col(st, 6)),
				  .outcome = arena_strdup(a, col(st, 7)),
				  .client = arena_strdup(a, col(st, 8)) };
		rc = fn(&e, ctx);
		if (rc)
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
