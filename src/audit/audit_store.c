#include <sodium.h>

#include "audit/audit.h"
#include "base/clock.h"

static const char SQL_LAST[] = "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit_events(id, time, user_id, organisation_id, action, object_type, "
    "object_id, outcome, client, prev_hash, hash) "
    "VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_ALL[] =
    "SELECT id, time, coalesce(user_id, 0), coalesce(organisation_id, 0), "
    "action, object_type, object_id, outcome, client, prev_hash, hash "
    "FROM audit_events ORDER BY rowid";
static const char SQL_QUERY[] =
    "SELECT id, time, coalesce(user_id, 0), coalesce(organisation_id, 0), action, object_type, "
    "object_id, outcome, client FROM audit_events "
    "WHERE (?1 = 0 OR user_id = ?1) AND (?2 IS NULL OR action = ?2) "
    "AND (?3 IS NULL OR object_type = ?3) AND (?4 IS NULL OR object_id = ?4) "
    "AND (?5 IS NULL OR time >= ?5) AND (?6 IS NULL OR time < ?6) "
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

int audit_append_in_transaction(store *db, const audit_event *in)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_LAST, &st);
	if (rc)
		return rc;
	unsigned char prev[32] = { 0 };
	int64_t last_id = 0;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t n;
		const void *h = store_col_blob(st, 1, &n);
		last_id = store_col_int64(st, 0);
		if (n == 32)
			memcpy(prev, h, 32);
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	audit_event e = *in;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	e.id = last_id + 1;
	e.time = when;
	unsigned char hash[32];
	event_hash(prev, &e, hash);
	rc = store_prepare(c, SQL_INSERT, &st);
	if (rc)
		return rc;
	const char *ot = e.object_type ? e.object_type : "", *oi = e.object_id ? e.object_id : "",
		   *cl = e.client ? e.client : "";
	store_bind_int64(st, 1, e.id);
	store_bind_text(st, 2, e.time, strlen(e.time));
	store_bind_int64(st, 3, e.user_id);
	store_bind_int64(st, 4, e.organisation_id);
	store_bind_text(st, 5, e.action, strlen(e.action));
	store_bind_text(st, 6, ot, strlen(ot));
	store_bind_text(st, 7, oi, strlen(oi));
	store_bind_text(st, 8, e.outcome, strlen(e.outcome));
	store_bind_text(st, 9, cl, strlen(cl));
	store_bind_blob(st, 10, prev, 32);
	store_bind_blob(st, 11, hash, 32);
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int audit_append(store *db, const audit_event *e)
{
	store_conn *c;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_begin(c);
	if (rc)
		return rc;
	rc = audit_append_in_transaction(db, e);
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
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
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_ALL, &st);
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
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_QUERY, &st);
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
