/* The outbox: messages sealed when the change that causes them commits, delivered by the
 * sender of `ponte serve` until acknowledged, with back-off and jitter, or failed at expiry. */
#include <curl/curl.h>

#include "base/clock.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_PEER[] =
    "SELECT instance_id, box_pk FROM trm_peers WHERE id = ?1 AND state = 'active'";
static const char SQL_QUEUE[] =
    "INSERT INTO trm_outbox(message_id, peer_id, type, body, next_attempt_at, expires_at, "
    "created_at, in_reply_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7)";
static const char SQL_DUE[] =
    "SELECT o.id, o.body, o.attempts, o.expires_at, p.url, p.state FROM trm_outbox o "
    "JOIN trm_peers p ON p.id = o.peer_id WHERE o.state = 'pending' AND "
    "o.next_attempt_at <= ?1 AND NOT EXISTS (SELECT 1 FROM trm_outbox q WHERE q.state = "
    "'pending' AND q.peer_id = o.peer_id AND q.id < o.id) ORDER BY o.next_attempt_at, o.id "
    "LIMIT ?2";
static const char SQL_DONE[] =
    "UPDATE trm_outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
    "last_error = '' WHERE id = ?1 AND state = 'pending'";
static const char SQL_RETRY[] =
    "UPDATE trm_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
    "WHERE id = ?1 AND state = 'pending'";
static const char SQL_FAIL[] =
    "UPDATE trm_outbox SET state = 'failed', attempts = attempts + ?4, last_error = ?3, "
    "next_attempt_at = ?2 WHERE id = ?1 AND state = 'pending'";
/* What has not left yet about an offer to that peer (the offer, a document after it): its
 * consent withdrawn, it never leaves. */
static const char SQL_CANCEL[] =
    "UPDATE trm_outbox SET state = 'failed', last_error = 'withdrawn before delivery' WHERE "
    "peer_id = ?1 AND state = 'pending' AND (message_id = ?2 OR in_reply_to = ?2)";
static const char SQL_LIST[] =
    "SELECT o.id, o.message_id, p.name, o.type, o.state, o.attempts, o.next_attempt_at, "
    "o.last_error, o.created_at FROM trm_outbox o JOIN trm_peers p ON p.id = o.peer_id "
    "ORDER BY o.id DESC LIMIT 500";
static const char SQL_STUCK[] =
    "SELECT p.name, p.country, sum(CASE WHEN o.state = 'pending' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN o.state = 'failed' THEN 1 ELSE 0 END), "
    "min(o.created_at), (SELECT last_error FROM trm_outbox l WHERE l.peer_id = p.id AND "
    "l.state <> 'delivered' ORDER BY l.id DESC LIMIT 1) FROM trm_outbox o JOIN trm_peers p "
    "ON p.id = o.peer_id WHERE o.state = 'failed' OR (o.state = 'pending' AND o.attempts > 0) "
    "GROUP BY p.id ORDER BY 4 DESC, 3 DESC, 5 LIMIT 100";
/* clang-format on */

int trm_change_end(store_conn *c, bool begun, int rc)
{
	if (begun && !rc)
		rc = store_commit(c);
	if (begun && rc)
		store_rollback(c);
	if (!rc)
		trm_sender_poke();
	return rc;
}

int trm_send(const keyed_store *env, store_conn *c, int64_t peer_id, const char *type,
	     const char *in_reply_to, const char *payload, int64_t ttl_s, int64_t now_ms,
	     char message_id[CRYPTO_UUID])
{
	arena a;
	arena_init(&a, 4096);
	trm_self self;
	int rc = trm_identity_get(env, &a, &self);
	store_stmt *st;
	char to[CRYPTO_UUID] = "";
	unsigned char box_pk[CRYPTO_BOX_PK];
	if (!rc && !(rc = store_prepare(c, SQL_PEER, &st))) {
		store_bind_int64(st, 1, peer_id);
		rc = store_step(st);
		size_t n = 0;
		const void *k = rc == STORE_ROW ? store_col_blob(st, 1, &n) : NULL;
		if (rc == STORE_ROW && n == CRYPTO_BOX_PK) {
			snprintf(to, sizeof(to), "%s", store_col_text(st, 0, NULL));
			memcpy(box_pk, k, n);
		}
		store_reset(st);
		rc = rc < 0 ? rc : *to ? 0 : PONTE_ENOTFOUND;
	}
	char created[CLOCK_RFC3339_LEN], expires[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, created);
	clock_format_rfc3339(now_ms + ttl_s * 1000, expires);
	trm_envelope e = { .type = type,
			   .from = self.instance_id,
			   .to = to,
			   .created = created,
			   .expires = expires,
			   .in_reply_to = in_reply_to ? in_reply_to : "",
			   .payload = payload,
			   .payload_len = strlen(payload) };
	crypto_uuid(e.id);
	unsigned char sign_sk[CRYPTO_SIGN_SK], box_sk[CRYPTO_BOX_SK];
	buf wire;
	buf_init(&wire, 2 * TRM_MAX_BODY);
	if (!rc && !(rc = trm_identity_secrets(env, sign_sk, box_sk)))
		rc = trm_seal(&e, sign_sk, box_pk, &wire);
	crypto_wipe(sign_sk, sizeof(sign_sk));
	crypto_wipe(box_sk, sizeof(box_sk));
	if (!rc && !(rc = store_prepare(c, SQL_QUEUE, &st))) {
		store_bind_text(st, 1, e.id, strlen(e.id));
		store_bind_int64(st, 2, peer_id);
		store_bind_text(st, 3, type, strlen(type));
		store_bind_blob(st, 4, wire.data, wire.len);
		store_bind_text(st, 5, created, strlen(created));
		store_bind_text(st, 6, expires, strlen(expires));
		store_bind_text(st, 7, e.in_reply_to, strlen(e.in_reply_to));
		rc = store_run(st);
	}
	if (!rc)
		memcpy(message_id, e.id, CRYPTO_UUID);
	buf_release(&wire);
	arena_release(&a);
	return rc;
}

int trm_outbox_cancel(store_conn *c, int64_t peer_id, const char *offer_id)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_CANCEL, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, peer_id);
	store_bind_text(st, 2, offer_id, strlen(offer_id));
	return store_run(st);
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	buf *b = ctx;
	size_t len = size * n;
	return buf_append(b, p, len) ? 0 : len;
}

/* POST the envelope on h, a handle kept between messages (its connection stays open to the
 * peer: no new handle, connection and name lookup per message); the HTTP status (0 when the
 * peer could not be reached) and its answer. */
static long post(CURL *h, const char *url, const void *body, size_t n, char *err, size_t errlen)
{
	char target[600];
	snprintf(target, sizeof(target), "%s/fed/v1/inbox", url);
	curl_easy_reset(h); /* the options of the last message go, its open connection stays */
	buf answer;
	buf_init(&answer, 4096);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, target);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	else
		snprintf(err, errlen, "HTTP %ld %.200s", status, answer.data ? answer.data : "");
	curl_slist_free_all(headers);
	buf_release(&answer);
	return status;
}

/* Exponential back-off from 2 s up to an hour, with ±50 % jitter so that instances coming back
 * after an outage are not all hit at once. */
static int64_t backoff_ms(int64_t attempts)
{
	int64_t base = attempts >= 11 ? 3600000 : (int64_t)2000 << attempts;
	if (base > 3600000)
		base = 3600000;
	uint32_t r;
	crypto_random(&r, sizeof(r));
	return base / 2 + (int64_t)(r % (uint32_t)base);
}

static int mark(store_conn *c, const char *sql, int64_t id, const char *when, const char *error,
		int extra)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, when, strlen(when));
	if (error)
		store_bind_text(st, 3, error, strlen(error));
	if (extra >= 0)
		store_bind_int64(st, 4, extra);
	return store_run(st);
}

struct due {
	int64_t id, attempts;
	char *body;
	size_t len;
	char expires[CLOCK_RFC3339_LEN], url[512], peer_state[16];
};

/* One message per peer, the oldest pending: a peer receives in the order things happened (a
 * key rotation before what is signed with the new key, a status before the next). *done counts
 * the messages that left the queue (delivered or failed). */
static int deliver_round(const keyed_store *env, CURL *h, int64_t now_ms, size_t max, size_t *sent,
			 size_t *done)
{
	struct due items[64];
	size_t n = 0;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_DUE, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, now, strlen(now));
	store_bind_int64(st, 2, (int64_t)max);
	while (n < max && (rc = store_step(st)) == STORE_ROW) {
		struct due *d = &items[n];
		size_t len;
		const void *b = store_col_blob(st, 1, &len);
		d->id = store_col_int64(st, 0);
		d->attempts = store_col_int64(st, 2);
		d->body = malloc(len + 1);
		if (!d->body)
			break;
		memcpy(d->body, b, len);
		d->len = len;
		snprintf(d->expires, sizeof(d->expires), "%s", store_col_text(st, 3, NULL));
		snprintf(d->url, sizeof(d->url), "%s", store_col_text(st, 4, NULL));
		snprintf(d->peer_state, sizeof(d->peer_state), "%s", store_col_text(st, 5, NULL));
		n++;
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	/* No transaction is held while talking to peers. What the marks below record need not
	 * reach the disk before the next message leaves: a mark lost in a power cut leaves the
	 * message pending, and sending it again is answered "duplicate" by the peer's inbox, which
	 * applies a message id once. So they are committed without waiting for the disk (the next
	 * durable commit of the database carries them), which halves the disk waits on a peer's
	 * queue, where each message waits for the one before it. */
	if (n)
		store_commits_wait_for_disk(c, false);
	for (size_t i = 0; i < n && !rc; i++) {
		struct due *d = &items[i];
		char err[300] = "", next[CLOCK_RFC3339_LEN];
		if (strcmp(d->expires, now) <= 0) {
			rc = mark(c, SQL_FAIL, d->id, now, "expired before delivery", 0);
			(*done)++;
			continue;
		}
		if (strcmp(d->peer_state, "active") != 0) {
			rc = mark(c, SQL_FAIL, d->id, now, "the peer was revoked", 0);
			(*done)++;
			continue;
		}
		long status = post(h, d->url, d->body, d->len, err, sizeof(err));
		if (status == 200) {
			rc = mark(c, SQL_DONE, d->id, now, NULL, -1);
			(*sent)++;
			(*done)++;
		} else if (status >= 400 && status < 500 && status != 408 && status != 429) {
			/* Refused by the peer: sending it again would be refused again. */
			rc = mark(c, SQL_FAIL, d->id, now, err, 1);
			(*done)++;
		} else {
			clock_format_rfc3339(now_ms + backoff_ms(d->attempts), next);
			rc = mark(c, SQL_RETRY, d->id, next, err, -1);
		}
	}
	if (n)
		store_commits_wait_for_disk(c, true);
	for (size_t i = 0; i < n; i++)
		free(items[i].body);
	return rc;
}

int trm_deliver_due(const keyed_store *env, int64_t now_ms, size_t max, size_t *sent)
{
	CURL *h = curl_easy_init();
	if (!h)
		return PONTE_ENOMEM;
	int rc = trm_deliver_due_on(env, h, now_ms, max, sent);
	curl_easy_cleanup(h);
	return rc;
}

int trm_deliver_due_on(const keyed_store *env, void *conn, int64_t now_ms, size_t max, size_t *sent)
{
	CURL *h = conn;
	*sent = 0;
	if (max > 64)
		max = 64;
	/* Rounds until nothing moves: each round frees the next message of each peer's queue. */
	size_t done = 1, total = 0;
	int rc = 0;
	for (int round = 0; !rc && done && total < max && round < 64; round++) {
		size_t round_sent = 0;
		done = 0;
		rc = deliver_round(env, h, now_ms, max - total, &round_sent, &done);
		*sent += round_sent;
		total += done;
	}
	return rc;
}

int trm_outbox_list(store *db, arena *a, trm_outbox_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		trm_outbox_row r = { .id = store_col_int64(st, 0),
				     .message_id = store_col_dup(a, st, 1),
				     .peer = store_col_dup(a, st, 2),
				     .type = store_col_dup(a, st, 3),
				     .state = store_col_dup(a, st, 4),
				     .attempts = store_col_int64(st, 5),
				     .next_attempt_at = store_col_dup(a, st, 6),
				     .last_error = store_col_dup(a, st, 7),
				     .created_at = store_col_dup(a, st, 8) };
		if ((rc = fn(&r, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int trm_outbox_stuck(store *db, trm_stuck_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_STUCK, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		trm_stuck_peer s = { .peer = store_col_text(st, 0, NULL),
				     .country = store_col_text(st, 1, NULL),
				     .retrying = store_col_int64(st, 2),
				     .failed = store_col_int64(st, 3),
				     .oldest = store_col_text(st, 4, NULL),
				     .last_error = store_col_text(st, 5, NULL) };
		if (!s.last_error)
			s.last_error = "";
		if ((rc = fn(&s, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
