/* What users do with a route: the inbound role forwards an offer received to another instance
 * or hands it to a provider organisation of this instance; the provider answers, then follows
 * the service like the inbound role would. */
#include "base/clock.h"
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_CHILD[] =
    "INSERT INTO trm_referrals(direction, peer_id, offer_id, parent_id, state, legal_basis, "
    "created_at, updated_at) SELECT 'out', ?2, ?3, id, 'sent', legal_basis, ?4, ?4 "
    "FROM trm_referrals WHERE id = ?1";
static const char SQL_LIVE_CHILD[] =
    "SELECT count(*) FROM trm_referrals WHERE parent_id = ?1 AND state NOT IN ('declined', "
    "'withdrawn')";
static const char SQL_PAYLOAD[] = "SELECT payload_enc FROM trm_referrals WHERE id = ?1";
static const char SQL_ORG[] = "SELECT 1 FROM organisations WHERE id = ?1";
static const char SQL_ASSIGN[] =
    "UPDATE trm_referrals SET provider_org = ?2, provider_state = 'assigned', updated_at = ?3 "
    "WHERE id = ?1 AND direction = 'in' AND state = 'accepted' AND provider_state IN ('', "
    "'declined')";
static const char SQL_PROVIDER_ANSWER[] =
    "UPDATE trm_referrals SET provider_state = ?2, updated_at = ?3 WHERE id = ?1 AND "
    "provider_state = 'assigned'";
/* clang-format on */

static int one(store_stmt *st, int64_t *n)
{
	int rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* The row of a received offer handed to p's organisation (holding referral.national). */
static bool provider_row(store *db, const principal *p, int64_t ref_id, trm_row *r)
{
	store_conn *c;
	return p && principal_can(p, "referral.national") && !store_conn_get(db, &c) &&
	       !trm_row_get(c, ref_id, r) && strcmp(r->direction, "in") == 0 &&
	       r->provider_org == p->organisation_id;
}

bool trm_provides(store *db, const principal *p, int64_t ref_id)
{
	trm_row r;
	return provider_row(db, p, ref_id, &r);
}

bool trm_provider_serves(store *db, const principal *p, int64_t ref_id)
{
	trm_row r;
	return provider_row(db, p, ref_id, &r) && strcmp(r.provider_state, "accepted") == 0;
}

/* Forward inside the caller's transaction: the next hop, the received one marked forwarded, the
 * instance before told. */
static int forward(const keyed_store *env, store_conn *c, const trm_row *r, const trm_peer *to,
		   int64_t now_ms, const char **why)
{
	store_stmt *st;
	int64_t live = 0;
	int rc = store_prepare(c, SQL_LIVE_CHILD, &st);
	if (!rc) {
		store_bind_int64(st, 1, r->id);
		rc = one(st, &live);
	}
	if (!rc && live) {
		*why = N_("The referral is already on its way to another instance.");
		return PONTE_ECONFLICT;
	}
	/* The payload goes on as it came: a forwarding instance cannot add to it. */
	arena a;
	arena_init(&a, TRM_MAX_BODY + 4096);
	const char *payload = NULL;
	if (!rc && !(rc = store_prepare(c, SQL_PAYLOAD, &st))) {
		store_bind_int64(st, 1, r->id);
		if ((rc = store_step(st)) == STORE_ROW) {
			size_t n;
			const void *b = store_col_blob(st, 0, &n);
			payload =
			    n ? field_decrypt(env, &a, "trm_referrals", "payload", r->id, b, n)
			      : NULL;
		}
		store_reset(st);
		rc = rc < 0 ? rc : payload ? 0 : PONTE_ESTORE;
	}
	char message[CRYPTO_UUID], now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	if (!rc)
		rc = trm_send(env, c, to->id, "referral_offer", "", payload, TRM_MESSAGE_TTL_S,
			      now_ms, message);
	if (payload)
		crypto_wipe((void *)(uintptr_t)payload, strlen(payload));
	arena_release(&a);
	if (!rc && !(rc = store_prepare(c, SQL_CHILD, &st))) {
		store_bind_int64(st, 1, r->id);
		store_bind_int64(st, 2, to->id);
		store_bind_text(st, 3, message, strlen(message));
		store_bind_text(st, 4, now, strlen(now));
		rc = store_run(st);
	}
	if (!rc && strcmp(r->state, "forwarded") != 0 &&
	    !(rc = trm_row_move(c, r->id, r->state, "forwarded", "", now_ms)))
		rc = trm_send(env, c, r->peer_id, "status_update", r->offer_id,
			      "{\"state\":\"forwarded\",\"feedback\":\"\"}", TRM_MESSAGE_TTL_S,
			      now_ms, message);
	return rc ? rc : trm_chain_report(env, c, r->id, now_ms);
}

/* Run fn in a transaction after the row is read; audit as action on the referral. */
typedef int (*step_fn)(const keyed_store *env, store_conn *c, const trm_row *r, const void *arg,
		       int64_t now_ms, const char **why);

static int in_transaction(const keyed_store *env, const principal *p, int64_t ref_id,
			  const char *action, step_fn fn, const void *arg, int64_t now_ms,
			  const char **why)
{
	store_conn *c;
	trm_row r;
	int rc = store_begin_on(env->db, &c);
	bool begun = !rc;
	if (!rc && !(rc = trm_row_get(c, ref_id, &r)) && strcmp(r.direction, "in") != 0)
		rc = PONTE_ENOTFOUND;
	if (!rc)
		rc = fn(env, c, &r, arg, now_ms, why);
	if (!rc)
		rc = principal_audit(env->db, p, action, "trm_referral", ref_id, "success", true);
	rc = trm_change_end(c, begun, rc);
	return rc;
}

static int forward_step(const keyed_store *env, store_conn *c, const trm_row *r, const void *arg,
			int64_t now_ms, const char **why)
{
	const trm_peer *to = arg;
	if (strcmp(r->state, "delivered") != 0 && strcmp(r->state, "accepted") != 0 &&
	    strcmp(r->state, "forwarded") != 0)
		return PONTE_ECONFLICT;
	if (to->id == r->peer_id) {
		*why = N_("The referral cannot go back to the instance it came from.");
		return PONTE_EINVAL;
	}
	return forward(env, c, r, to, now_ms, why);
}

int trm_forward(const keyed_store *env, const principal *p, int64_t ref_id,
		const char *peer_instance, int64_t now_ms, const char **why)
{
	*why = NULL;
	if (!trm_receives(env->db, p))
		return PONTE_EDENIED;
	arena a;
	arena_init(&a, 1u << 14);
	trm_peer to;
	int rc = trm_peer_find(env->db, &a, peer_instance ? peer_instance : "", &to);
	if (rc == PONTE_ENOTFOUND) {
		*why = N_("Choose a connected instance.");
		rc = PONTE_EINVAL;
	} else if (!rc && strcmp(to.state, "active") != 0) {
		*why = N_("This instance is no longer connected.");
		rc = PONTE_EINVAL;
	}
	if (!rc)
		rc = in_transaction(env, p, ref_id, "trm.forward", forward_step, &to, now_ms, why);
	arena_release(&a);
	return rc;
}

static int assign_step(const keyed_store *env, store_conn *c, const trm_row *r, const void *arg,
		       int64_t now_ms, const char **why)
{
	const int64_t *org = arg;
	store_stmt *st;
	int64_t known = 0;
	int rc = store_prepare(c, SQL_ORG, &st);
	if (!rc) {
		store_bind_int64(st, 1, *org);
		rc = one(st, &known);
	}
	if (!rc && !known) {
		*why = N_("Choose an organisation.");
		return PONTE_EINVAL;
	}
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	if (!rc && !(rc = store_prepare(c, SQL_ASSIGN, &st))) {
		store_bind_int64(st, 1, r->id);
		store_bind_int64(st, 2, *org);
		store_bind_text(st, 3, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	return rc ? rc : trm_chain_report(env, c, r->id, now_ms);
}

int trm_assign(const keyed_store *env, const principal *p, int64_t ref_id, int64_t org_id,
	       int64_t now_ms, const char **why)
{
	*why = NULL;
	if (!trm_receives(env->db, p))
		return PONTE_EDENIED;
	return in_transaction(env, p, ref_id, "trm.assign", assign_step, &org_id, now_ms, why);
}

static int provider_step(const keyed_store *env, store_conn *c, const trm_row *r, const void *arg,
			 int64_t now_ms, const char **why)
{
	(void)why;
	const char *state = arg;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int rc = store_prepare(c, SQL_PROVIDER_ANSWER, &st);
	if (!rc) {
		store_bind_int64(st, 1, r->id);
		store_bind_text(st, 2, state, strlen(state));
		store_bind_text(st, 3, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	return rc ? rc : trm_chain_report(env, c, r->id, now_ms);
}

int trm_provider_answer(const keyed_store *env, const principal *p, int64_t ref_id, bool accept,
			int64_t now_ms)
{
	if (!trm_provides(env->db, p, ref_id))
		return PONTE_ENOTFOUND; /* not this organisation's: as if it did not exist */
	const char *why = NULL;
	return in_transaction(env, p, ref_id,
			      accept ? "trm.provider_accept" : "trm.provider_decline",
			      provider_step, accept ? "accepted" : "declined", now_ms, &why);
}
