/* Referrals routed through focal points: an offer received may be forwarded to another
 * instance or handed to a provider organisation here; every hop keeps its own state and
 * acknowledgements, and each instance reports the route beyond its hop to the one before, so
 * the sender sees the whole chain. Nothing about the person travels in a report: instance and
 * organisation names, countries, states and times. */
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "identity/fields.h"
#include "trm/internal.h"

#define MAX_HOPS 16
#define MAX_WORD 200

/* clang-format off */
static const char SQL_CHILDREN[] =
    "SELECT t.id, t.state, t.updated_at, t.chain, p.name, p.country, t.peer_id, t.offer_id, "
    "t.reason FROM trm_referrals t JOIN trm_peers p ON p.id = t.peer_id WHERE t.parent_id = ?1 "
    "ORDER BY t.id";
static const char SQL_PROVIDER[] =
    "SELECT o.name, o.country, t.provider_state, t.state, t.updated_at FROM trm_referrals t "
    "JOIN organisations o ON o.id = t.provider_org WHERE t.id = ?1";
static const char SQL_SET_CHAIN[] =
    "UPDATE trm_referrals SET chain = ?2, chain_at = ?3 WHERE id = ?1 AND chain_at <= ?3";
static const char SQL_REASON[] = "SELECT reason FROM trm_referrals WHERE id = ?1";
static const char SQL_WITHDRAW_CHILD[] =
    "UPDATE trm_referrals SET state = 'withdrawn', updated_at = ?2 WHERE id = ?1";
/* clang-format on */

static int hop(buf *b, bool first, const char *from, const char *from_country, const char *to,
	       const char *to_country, const char *state, const char *at)
{
	int rc = buf_puts(b, first ? "{" : ",{");
	if (!rc)
		rc = json_field_str(b, true, "from", from);
	if (!rc)
		rc = json_field_str(b, false, "from_country", from_country);
	if (!rc)
		rc = json_field_str(b, false, "to", to);
	if (!rc)
		rc = json_field_str(b, false, "to_country", to_country);
	if (!rc)
		rc = json_field_str(b, false, "state", state);
	if (!rc)
		rc = json_field_str(b, false, "at", at);
	return rc ? rc : buf_putc(b, '}');
}

static const char *word(const json_value *o, const char *key)
{
	const char *s = json_get_string(o, key);
	return s && strlen(s) <= MAX_WORD && !strpbrk(s, "\r\n") ? s : NULL;
}

/* Append the hops of a reported chain (a JSON array) after *n hops; PONTE_EINVAL when it is
 * not an array of hops. Re-written field by field: nothing else is kept. */
static int append_chain(arena *a, const char *text, size_t len, buf *b, size_t *n)
{
	json_value *v;
	char err[64];
	if (json_parse(a, text, len, &v, err, sizeof(err)) || v->type != JSON_ARRAY ||
	    v->length > MAX_HOPS)
		return PONTE_EINVAL;
	for (size_t i = 0; i < v->length; i++) {
		const json_value *o = v->items[i];
		if (o->type != JSON_OBJECT)
			return PONTE_EINVAL;
		const char *f = word(o, "from"), *fc = word(o, "from_country"), *t = word(o, "to"),
			   *tc = word(o, "to_country"), *s = word(o, "state"), *at = word(o, "at");
		if (!f || !fc || !t || !tc || !s || !at || *n >= MAX_HOPS)
			return PONTE_EINVAL;
		int rc = hop(b, *n == 0, f, fc, t, tc, s, at);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

int trm_chain_normalise(arena *a, const char *text, size_t n, buf *out)
{
	size_t hops = 0;
	int rc = buf_putc(out, '[');
	if (!rc)
		rc = append_chain(a, text, n, out, &hops);
	return rc ? rc : buf_putc(out, ']');
}

/* The route beyond the received offer in_id: its forwarded hops and what lies beyond each,
 * then the provider organisation it was handed to. */
static int route(const keyed_store *env, store_conn *c, arena *a, int64_t in_id, buf *b)
{
	trm_self self;
	int rc = trm_identity_get(env, a, &self);
	store_stmt *st;
	size_t n = 0;
	if (!rc)
		rc = buf_putc(b, '[');
	if (!rc && !(rc = store_prepare(c, SQL_CHILDREN, &st))) {
		store_bind_int64(st, 1, in_id);
		while (!rc && (rc = store_step(st)) == STORE_ROW) {
			size_t len;
			const char *chain = store_col_text(st, 3, &len);
			rc = n < MAX_HOPS
				 ? hop(b, n == 0, self.name, self.country,
				       store_col_text(st, 4, NULL), store_col_text(st, 5, NULL),
				       store_col_text(st, 1, NULL), store_col_text(st, 2, NULL))
				 : 0;
			n++;
			/* A chain stored was checked when it came: it cannot fail here, but a
			 * route that grows too long is cut, never refused. */
			if (!rc)
				(void)append_chain(a, chain, len, b, &n);
		}
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && !(rc = store_prepare(c, SQL_PROVIDER, &st))) {
		store_bind_int64(st, 1, in_id);
		if ((rc = store_step(st)) == STORE_ROW) {
			/* The provider's own answer, then the service it gives; withdrawn
			 * whatever it was. */
			const char *ps = store_col_text(st, 2, NULL),
				   *s = store_col_text(st, 3, NULL);
			bool service =
			    (strcmp(ps, "accepted") == 0 && strcmp(s, "accepted") != 0) ||
			    strcmp(s, "withdrawn") == 0;
			rc = hop(b, n == 0, self.name, self.country, store_col_text(st, 0, NULL),
				 store_col_text(st, 1, NULL), service ? s : ps,
				 store_col_text(st, 4, NULL));
		}
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	return rc ? rc : buf_putc(b, ']');
}

int trm_chain_report(const keyed_store *env, store_conn *c, int64_t in_id, int64_t now_ms)
{
	trm_row r;
	int rc = trm_row_get(c, in_id, &r);
	if (rc || strcmp(r.direction, "in") != 0)
		return rc;
	arena a;
	arena_init(&a, 1u << 16);
	buf b;
	buf_init(&b, 1u << 16);
	char id[CRYPTO_UUID];
	rc = route(env, c, &a, in_id, &b);
	/* Nothing beyond this hop (never forwarded nor handed over): nothing to report. Once
	 * there is, there always is (hops and providers are kept), so nothing goes stale. */
	if (!rc && strcmp(b.data, "[]") != 0)
		rc = trm_send(env, c, r.peer_id, "chain", r.offer_id, b.data, TRM_MESSAGE_TTL_S,
			      now_ms, id);
	buf_release(&b);
	arena_release(&a);
	return rc;
}

int trm_chain_apply(const keyed_store *env, store_conn *c, const trm_peer *peer,
		    const trm_envelope *e, int64_t now_ms, const char **why)
{
	trm_row out;
	int rc = trm_row_by_offer(c, e->in_reply_to, peer->id, &out);
	if (rc == PONTE_ENOTFOUND || (!rc && strcmp(out.direction, "out") != 0))
		return 0; /* a report on nothing this instance sent changes nothing */
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 1u << 16);
	buf b;
	buf_init(&b, 1u << 16);
	if ((rc = trm_chain_normalise(&a, e->payload, e->payload_len, &b)) == PONTE_EINVAL)
		*why = "a chain report is a list of hops";
	store_stmt *st;
	/* Reports may arrive out of order after retries: the newer one (by the signed creation
	 * time) is kept. */
	if (!rc && !(rc = store_prepare(c, SQL_SET_CHAIN, &st))) {
		store_bind_int64(st, 1, out.id);
		store_bind_text(st, 2, b.data, b.len);
		store_bind_text(st, 3, e->created, strlen(e->created));
		rc = store_run(st);
	}
	buf_release(&b);
	arena_release(&a);
	return rc ? rc : trm_chain_changed(env, c, &out, now_ms);
}

int trm_chain_changed(const keyed_store *env, store_conn *c, const trm_row *out, int64_t now_ms)
{
	if (!out->parent_id)
		return 0;
	trm_row fresh, parent;
	int rc = trm_row_get(c, out->id, &fresh);
	if (!rc)
		rc = trm_row_get(c, out->parent_id, &parent);
	if (rc)
		return rc;
	/* The service ended at the end of the route: so did the hop that forwarded it, and the
	 * instance before learns how, with the feedback. */
	if ((strcmp(fresh.state, "completed") == 0 || strcmp(fresh.state, "discontinued") == 0) &&
	    strcmp(parent.state, "forwarded") == 0) {
		char feedback[TRM_FEEDBACK_MAX * 4 + 1] = ""; /* whole, never cut */
		store_stmt *st;
		if (!(rc = store_prepare(c, SQL_REASON, &st))) {
			store_bind_int64(st, 1, fresh.id);
			if (store_step(st) == STORE_ROW)
				snprintf(feedback, sizeof(feedback), "%s",
					 store_col_text(st, 0, NULL));
			store_reset(st);
		}
		buf body;
		buf_init(&body, 1024);
		char id[CRYPTO_UUID];
		if (!rc)
			rc = trm_row_move(c, parent.id, "forwarded", fresh.state, feedback, now_ms);
		if (!rc && !(rc = buf_putc(&body, '{')) &&
		    !(rc = json_field_str(&body, true, "state", fresh.state)) &&
		    !(rc = json_field_str(&body, false, "feedback", feedback)) &&
		    !(rc = buf_putc(&body, '}')))
			rc = trm_send(env, c, parent.peer_id, "status_update", parent.offer_id,
				      body.data, TRM_MESSAGE_TTL_S, now_ms, id);
		buf_release(&body);
		if (rc)
			return rc;
	}
	return trm_chain_report(env, c, parent.id, now_ms);
}

int trm_chain_withdraw(const keyed_store *env, store_conn *c, int64_t in_id, int64_t now_ms)
{
	typedef struct {
		int64_t id, peer;
		char offer[CRYPTO_UUID];
		bool ended; /* withdrawn already: nothing to tell */
	} child;
	child live[MAX_HOPS];
	size_t n = 0;
	store_stmt *st;
	int rc = store_prepare(c, SQL_CHILDREN, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, in_id);
	while (n < MAX_HOPS && (rc = store_step(st)) == STORE_ROW) {
		const char *state = store_col_text(st, 1, NULL);
		/* A hop that was declined still holds the payload there: it is told too. */
		live[n].ended = strcmp(state, "withdrawn") == 0;
		live[n].id = store_col_int64(st, 0);
		live[n].peer = store_col_int64(st, 6);
		snprintf(live[n].offer, sizeof(live[n].offer), "%s", store_col_text(st, 7, NULL));
		n++;
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	char now[CLOCK_RFC3339_LEN], id[CRYPTO_UUID];
	clock_format_rfc3339(now_ms, now);
	/* The consent covers every copy: the documents that came back along each hop go, and
	 * each instance the offer went on to purges it too. */
	for (size_t i = 0; !rc && i < n; i++) {
		if ((rc = trm_documents_purge(c, live[i].id)) || live[i].ended)
			continue;
		if (!(rc = store_prepare(c, SQL_WITHDRAW_CHILD, &st))) {
			store_bind_int64(st, 1, live[i].id);
			store_bind_text(st, 2, now, strlen(now));
			rc = store_run(st);
		}
		/* A forwarded offer still waiting for the next instance never leaves. */
		if (!rc)
			rc = trm_outbox_cancel(c, live[i].peer, live[i].offer);
		if (!rc)
			rc = trm_send(env, c, live[i].peer, "withdrawal", live[i].offer,
				      "{\"reason\":\"consent withdrawn\"}", TRM_MESSAGE_TTL_S,
				      now_ms, id);
	}
	return rc;
}

/* clang-format off */
static const char SQL_HOP[] =
    "SELECT t.direction, t.state, t.updated_at, t.chain, p.name, p.country FROM trm_referrals t "
    "JOIN trm_peers p ON p.id = t.peer_id WHERE t.id = ?1";
/* clang-format on */

static int each_hop(arena *a, const char *json, trm_hop_fn fn, void *ctx)
{
	json_value *v;
	char err[64];
	if (json_parse(a, json, strlen(json), &v, err, sizeof(err)) || v->type != JSON_ARRAY)
		return 0; /* nothing reported yet */
	int rc = 0;
	for (size_t i = 0; !rc && i < v->length; i++) {
		const json_value *o = v->items[i];
		trm_hop h = { json_get_string(o, "from"),  json_get_string(o, "from_country"),
			      json_get_string(o, "to"),    json_get_string(o, "to_country"),
			      json_get_string(o, "state"), json_get_string(o, "at") };
		if (h.from && h.from_country && h.to && h.to_country && h.state && h.at)
			rc = fn(&h, ctx);
	}
	return rc;
}

int trm_route(const keyed_store *env, arena *a, const principal *p, int64_t ref_id, trm_hop_fn fn,
	      void *ctx)
{
	int rc = trm_may_see(env, p, ref_id);
	trm_self self;
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = trm_identity_get(env, a, &self);
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_HOP, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref_id);
	rc = store_step(st);
	if (rc != STORE_ROW) {
		store_reset(st);
		return rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	}
	bool out = strcmp(store_col_text(st, 0, NULL), "out") == 0;
	const char *peer = store_col_dup(a, st, 4), *country = store_col_dup(a, st, 5);
	trm_hop first = { out ? self.name : peer,  out ? self.country : country,
			  out ? peer : self.name,  out ? country : self.country,
			  store_col_dup(a, st, 1), store_col_dup(a, st, 2) };
	const char *chain = store_col_dup(a, st, 3);
	store_reset(st);
	if ((rc = fn(&first, ctx)))
		return rc;
	if (out)
		return each_hop(a, chain, fn, ctx);
	buf b;
	buf_init(&b, 1u << 16);
	rc = route(env, c, a, ref_id, &b);
	if (!rc)
		rc = each_hop(a, arena_strdup(a, b.data), fn, ctx);
	buf_release(&b);
	return rc;
}
