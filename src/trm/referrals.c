/* Referrals across borders as lists: the offers sent from cases in the caller's scope, and the
 * offers received, which only holders of the inbound role (a setting, by default the national
 * focal point's) see, with their payload. */
#include "base/clock.h"
#include "base/json_parse.h"
#include "identity/fields.h"
#include "instance/instance.h"
#include "trm/internal.h"

/* clang-format off */
#define REFERRAL_COLUMNS \
    "SELECT t.id, t.direction, p.instance_id, p.name, p.country, t.offer_id, " \
    "coalesce(t.case_id, 0), t.state, t.reason, t.legal_basis, t.payload_enc, t.created_at, " \
    "t.updated_at, coalesce(t.parent_id, 0), coalesce(t.provider_org, 0), " \
    "coalesce(o.name, ''), t.provider_state, t.chain " \
    "FROM trm_referrals t JOIN trm_peers p ON p.id = t.peer_id " \
    "LEFT JOIN organisations o ON o.id = t.provider_org "
static const char SQL_LIST[] = REFERRAL_COLUMNS "ORDER BY t.id DESC LIMIT 500";
static const char SQL_GET[] = REFERRAL_COLUMNS "WHERE t.id = ?1";
/* Offers sent and not answered yet, and hops forwarded from here, oldest first: which of
 * them are past their country's answer time, and in the caller's sight, is decided in
 * trm_overdue(). */
static const char SQL_WAITING[] =
    "SELECT t.id, coalesce(t.case_id, 0), coalesce(t.parent_id, 0), p.name, p.country, "
    "t.created_at FROM trm_referrals t JOIN trm_peers p ON p.id = t.peer_id "
    "WHERE t.direction = 'out' AND t.state IN ('sent', 'delivered') ORDER BY t.created_at";
/* clang-format on */

/* Every message of a referral's hop: the offer and what answers it, both ways. */
static const char SQL_THREAD[] =
    "SELECT at, direction, type, state FROM ("
    "SELECT o.created_at AS at, 'sent' AS direction, o.type, o.state || "
    "  CASE WHEN o.delivered_at IS NOT NULL THEN ' ' || o.delivered_at ELSE '' END AS state "
    "  FROM trm_outbox o WHERE o.message_id = ?1 OR o.in_reply_to = ?1 "
    "UNION ALL SELECT i.received_at, 'received', i.type, 'applied' FROM trm_inbox i "
    "  WHERE i.message_id = ?1 OR i.in_reply_to = ?1) AS thread ORDER BY at LIMIT 200";
static const char SQL_OFFER[] = "SELECT offer_id FROM trm_referrals WHERE id = ?1";

/* What p may see of a referral row (the REFERRAL_COLUMNS of st). */
enum sight { HIDDEN, WITHOUT_PERSON, WITH_PERSON };

/* Sent from a case: who sees the case with referral.transnational. Received, or forwarded from
 * here: the inbound role. Received and handed to a provider: that organisation too, but the
 * person only once it has accepted and while the service is open (as for a national referral:
 * before, who sends and the categories offered; after a decline, nothing of the person). */
static enum sight visible(store *db, const principal *p, store_stmt *st, bool receiver)
{
	const char *direction = store_col_text(st, 1, NULL);
	case_scope from = { 0, 0, "" };
	if (strcmp(direction, "out") == 0 && store_col_int64(st, 6))
		return !case_scope_of(db, store_col_int64(st, 6), &from) &&
			       principal_can_see(p, "referral.transnational", from.owner_id,
						 from.organisation_id, from.country)
			   ? WITH_PERSON
			   : HIDDEN;
	if (receiver)
		return WITH_PERSON;
	if (strcmp(direction, "in") != 0 || !store_col_int64(st, 14) ||
	    store_col_int64(st, 14) != p->organisation_id || !principal_can(p, "referral.national"))
		return HIDDEN;
	const char *state = store_col_text(st, 7, NULL);
	bool open = strcmp(state, "accepted") == 0 || strcmp(state, "in_service") == 0 ||
		    strcmp(state, "completed") == 0;
	return open && strcmp(store_col_text(st, 16, NULL), "accepted") == 0 ? WITH_PERSON
									     : WITHOUT_PERSON;
}

/* The categories a payload says it carries, comma-separated ("" when it does not parse). */
static const char *categories_of(arena *a, const char *payload)
{
	json_value *v;
	char err[64];
	if (!*payload || json_parse(a, payload, strlen(payload), &v, err, sizeof(err)) ||
	    v->type != JSON_OBJECT)
		return "";
	const json_value *list = json_get(v, "categories");
	buf b;
	buf_init(&b, 256);
	for (size_t i = 0; list && list->type == JSON_ARRAY && i < list->length; i++)
		if (list->items[i]->type == JSON_STRING)
			buf_printf(&b, "%s%s", b.len ? "," : "", list->items[i]->string);
	const char *out = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static int decode(const keyed_store *env, arena *a, store_stmt *st, enum sight sight,
		  trm_referral *r)
{
	*r = (trm_referral){ .id = store_col_int64(st, 0),
			     .direction = store_col_dup(a, st, 1),
			     .peer_instance = store_col_dup(a, st, 2),
			     .peer_name = store_col_dup(a, st, 3),
			     .peer_country = store_col_dup(a, st, 4),
			     .offer_id = store_col_dup(a, st, 5),
			     .case_id = store_col_int64(st, 6),
			     .state = store_col_dup(a, st, 7),
			     .reason = store_col_dup(a, st, 8),
			     .legal_basis = store_col_dup(a, st, 9),
			     .created_at = store_col_dup(a, st, 11),
			     .updated_at = store_col_dup(a, st, 12),
			     .parent_id = store_col_int64(st, 13),
			     .provider = store_col_dup(a, st, 15),
			     .provider_state = store_col_dup(a, st, 16),
			     .chain = store_col_dup(a, st, 17),
			     .payload = "",
			     .categories = "" };
	size_t n;
	const void *b = store_col_blob(st, 10, &n);
	if (strcmp(r->direction, "in") == 0 && n) {
		const char *plain = field_decrypt(env, a, "trm_referrals", "payload", r->id, b, n);
		if (!plain)
			return PONTE_ESTORE;
		r->categories = categories_of(a, plain);
		if (sight == WITH_PERSON)
			r->payload = plain;
		else /* decrypted only for the categories: gone from memory at once */
			crypto_wipe((void *)(uintptr_t)plain, strlen(plain));
	}
	return 0;
}

/* One referral if p may see it, decoded into out (or only checked when out is NULL); *person
 * says whether p may read the person (its payload and documents). */
static int one(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
	       trm_referral *out, bool *person)
{
	bool receiver = trm_receives(env->db, p);
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref_id);
	rc = store_step(st);
	enum sight sight = rc == STORE_ROW ? visible(env->db, p, st, receiver) : HIDDEN;
	if (person)
		*person = sight == WITH_PERSON;
	if (rc == STORE_ROW)
		rc = sight == HIDDEN ? PONTE_ENOTFOUND : out ? decode(env, a, st, sight, out) : 0;
	else
		rc = rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	store_reset(st);
	return rc;
}

int trm_referral_get(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
		     trm_referral *out)
{
	int rc = one(env, a, p, ref_id, out, NULL);
	if (!rc && *out->payload)
		principal_audit_read(env->db, p, "trm.referral_read", "trm_referral", ref_id,
				     "success");
	return rc;
}

int trm_may_see(const keyed_store *env, const principal *p, int64_t ref_id)
{
	return one(env, NULL, p, ref_id, NULL, NULL);
}

int trm_may_read_person(const keyed_store *env, const principal *p, int64_t ref_id, bool *person)
{
	return one(env, NULL, p, ref_id, NULL, person);
}

int trm_thread(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
	       trm_thread_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	char offer[CRYPTO_UUID] = "";
	int rc = trm_may_see(env, p, ref_id);
	if (!rc && !(rc = store_conn_get(env->db, &c)) &&
	    !(rc = store_prepare(c, SQL_OFFER, &st))) {
		store_bind_int64(st, 1, ref_id);
		if ((rc = store_step(st)) == STORE_ROW)
			snprintf(offer, sizeof(offer), "%s", store_col_text(st, 0, NULL));
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = store_prepare(c, SQL_THREAD, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, offer, strlen(offer));
	while ((rc = store_step(st)) == STORE_ROW)
		if ((rc = fn(store_col_dup(a, st, 0), store_col_dup(a, st, 1),
			     store_col_dup(a, st, 2), store_col_dup(a, st, 3), ctx)))
			break;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int trm_overdue(const keyed_store *env, arena *a, const principal *p, int64_t now_ms,
		trm_overdue_fn fn, void *ctx)
{
	bool receiver = trm_receives(env->db, p);
	instance_info here = { .country = "" };
	if (instance_get(env->db, a, &here) || !here.country)
		here.country = ""; /* not set up yet: the default answer time */
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_WAITING, &st);
	if (rc)
		return rc;
	int64_t whole_s = now_ms / 1000 * 1000;
	size_t shown = 0;
	while (shown < 200 && (rc = store_step(st)) == STORE_ROW) {
		int64_t case_id = store_col_int64(st, 1);
		case_scope from;
		bool of_case = case_id && !case_scope_of(env->db, case_id, &from);
		/* Sent from a case in the caller's scope, or forwarded from here (the inbound role) */
		if (!(of_case && principal_can_see(p, "referral.transnational", from.owner_id,
						   from.organisation_id, from.country)) &&
		    !(store_col_int64(st, 2) && receiver))
			continue;
		/* past the answer time of the case's country (of this instance for a hop) */
		int64_t days = country_rule_value(env->db, of_case ? from.country : here.country,
						  "trm_answer_days", 7);
		char before[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(whole_s - days * 86400 * 1000, before);
		if (strcmp(store_col_text(st, 5, NULL), before) >= 0)
			continue;
		shown++;
		if ((rc = fn(store_col_int64(st, 0), case_id, store_col_dup(a, st, 3),
			     store_col_dup(a, st, 4), store_col_dup(a, st, 5), ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

bool trm_receives(store *db, const principal *p)
{
	char inbound[64];
	setting_get_text(db, "trm_inbound_role", "national_focal_point", inbound, sizeof(inbound));
	return p && user_has_role(db, p->user_id, inbound);
}

int trm_referral_list(const keyed_store *env, arena *a, const principal *p, trm_referral_fn fn,
		      void *ctx)
{
	bool receiver = trm_receives(env->db, p);
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_LIST, &st);
	if (rc)
		return rc;
	bool read = false;
	while ((rc = store_step(st)) == STORE_ROW) {
		enum sight sight = visible(env->db, p, st, receiver);
		if (sight == HIDDEN)
			continue;
		trm_referral r;
		if ((rc = decode(env, a, st, sight, &r)) || (rc = fn(&r, ctx)))
			break;
		read = read || *r.payload;
	}
	store_reset(st);
	if (rc >= 0 && read)
		principal_audit_read(env->db, p, "trm.inbox_read", "", 0, "success");
	return rc < 0 ? rc : 0;
}

/* clang-format off */
static const char SQL_PROVIDER_QUEUE[] =
    "SELECT t.id, p.name, p.country, t.provider_state, t.state FROM trm_referrals t "
    "JOIN trm_peers p ON p.id = t.peer_id WHERE t.provider_org = ?1 AND t.direction = 'in' "
    "AND t.provider_state IN ('assigned', 'accepted') AND t.state IN ('accepted', "
    "'in_service') ORDER BY t.id LIMIT 200";
/* clang-format on */

int trm_provider_queue(const keyed_store *env, arena *a, const principal *p, trm_queue_fn fn,
		       void *ctx)
{
	if (!principal_can(p, "referral.national"))
		return 0;
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_PROVIDER_QUEUE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, p->organisation_id);
	while ((rc = store_step(st)) == STORE_ROW)
		if ((rc = fn(store_col_int64(st, 0), store_col_dup(a, st, 1),
			     store_col_dup(a, st, 2), store_col_dup(a, st, 3),
			     store_col_dup(a, st, 4), ctx)))
			break;
	store_reset(st);
	return rc < 0 ? rc : 0;
}
