/* Documents exchanged on a referral, kept by one engine from descriptors: the return handover
 * (SOP 4) and the confirmation that the person was received; the ECOWAS child procedure's family
 * tracing request and result, return preparation and reintegration follow-up reports. Bodies are
 * personal data: encrypted at rest, purged with the referral, passed along a chain of hops. */
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "base/utf8.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "trm/internal.h"

/* clang-format off */
static const char SQL_ADD[] =
    "INSERT INTO trm_documents(referral_id, direction, type, message_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_BODY[] = "UPDATE trm_documents SET body_enc = ?2 WHERE id = ?1";
static const char SQL_PURGE[] = "UPDATE trm_documents SET body_enc = NULL WHERE referral_id = ?1";
static const char SQL_HAS[] =
    "SELECT count(*) FROM trm_documents WHERE referral_id = ?1 AND type = ?2";
static const char SQL_LIST[] =
    "SELECT id, direction, type, body_enc, created_at FROM trm_documents WHERE referral_id = ?1 "
    "ORDER BY id";
static const char SQL_LIVE_CHILD[] =
    "SELECT id FROM trm_referrals WHERE parent_id = ?1 AND state NOT IN ('declined', "
    "'withdrawn') ORDER BY id DESC LIMIT 1";
/* clang-format on */

static const trm_doc_type TYPES[] = {
	{ "return_handover",
	  "out",
	  NULL,
	  false,
	  "accepted,forwarded,in_service",
	  { { "departure_date", TRM_DOC_DATE, 10, NULL, true },
	    { "escort", TRM_DOC_TEXT, 200, NULL, false },
	    { "travel_documents", TRM_DOC_CODE, 16, "ready,in_progress,missing", true },
	    { "needs", TRM_DOC_TEXT, 2000, NULL, false } } },
	{ "return_received",
	  "in",
	  "return_handover",
	  false,
	  "accepted,forwarded,in_service,completed",
	  { { "received_on", TRM_DOC_DATE, 10, NULL, true },
	    { "received_by", TRM_DOC_TEXT, 200, NULL, true },
	    { "notes", TRM_DOC_TEXT, 1000, NULL, false } } },
	{ "tracing_request",
	  "out",
	  NULL,
	  true,
	  "sent,delivered,accepted,forwarded,in_service",
	  { { "family_members", TRM_DOC_TEXT, 1000, NULL, true },
	    { "last_known_place", TRM_DOC_TEXT, 200, NULL, false },
	    { "information", TRM_DOC_TEXT, 2000, NULL, false } } },
	{ "tracing_result",
	  "in",
	  "tracing_request",
	  false,
	  "delivered,accepted,forwarded,in_service",
	  { { "outcome", TRM_DOC_CODE, 16, "found,not_found,continuing", true },
	    { "family_willing", TRM_DOC_CODE, 16, "yes,no,unknown", false },
	    { "assessment", TRM_DOC_TEXT, 2000, NULL, false } } },
	{ "return_preparation",
	  "in",
	  NULL,
	  false,
	  "accepted,forwarded,in_service",
	  { { "reception", TRM_DOC_TEXT, 2000, NULL, true },
	    { "planned_on", TRM_DOC_DATE, 10, NULL, false },
	    { "guardian", TRM_DOC_TEXT, 200, NULL, false } } },
	{ "followup_report",
	  "in",
	  NULL,
	  false,
	  "in_service,forwarded,completed",
	  { { "visit_on", TRM_DOC_DATE, 10, NULL, true },
	    { "economic", TRM_DOC_CODE, 1, "1,2,3,4,5", false },
	    { "social", TRM_DOC_CODE, 1, "1,2,3,4,5", false },
	    { "psychosocial", TRM_DOC_CODE, 1, "1,2,3,4,5", false },
	    { "summary", TRM_DOC_TEXT, 2000, NULL, true } } },
};

const trm_doc_type *trm_doc_types(size_t *n)
{
	*n = ARRAY_LEN(TYPES);
	return TYPES;
}

const trm_doc_type *trm_doc_type_find(const char *type)
{
	for (size_t i = 0; type && i < ARRAY_LEN(TYPES); i++)
		if (strcmp(TYPES[i].type, type) == 0)
			return &TYPES[i];
	return NULL;
}

bool trm_doc_field_known(const trm_doc_type *t, const char *name)
{
	for (size_t k = 0; k < TRM_DOC_FIELDS && t->fields[k].name; k++)
		if (strcmp(t->fields[k].name, name) == 0)
			return true;
	return false;
}

bool trm_document_type(const char *type)
{
	return trm_doc_type_find(type) != NULL;
}

bool trm_listed(const char *csv, const char *item)
{
	size_t n = strlen(item);
	for (const char *s = csv; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && memcmp(s, item, n) == 0)
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

/* Check one value: NULL when it is right, otherwise what is wrong (an English message the
 * pages translate). */
static const char *field_problem(const trm_doc_field *f, const char *v)
{
	if (!v || !*v)
		return f->required ? N_("This field is required.") : NULL;
	size_t len = strlen(v);
	if (len > f->max || !utf8_valid_text(v, len))
		return N_("Too long.");
	bool future = false;
	if (f->kind == TRM_DOC_DATE && !case_date_valid(v, &future))
		return N_("Not a date (YYYY-MM-DD).");
	if (f->kind == TRM_DOC_CODE && !trm_listed(f->codes, v))
		return N_("Choose one of the listed values.");
	return NULL;
}

/* The body as JSON, in the descriptor's order; the first field that is wrong in *field. */
static int body_of(const trm_doc_type *t, trm_doc_get get, void *ctx, buf *b, const char **field,
		   const char **why)
{
	int rc = buf_putc(b, '{');
	bool first = true;
	for (size_t i = 0; !rc && i < TRM_DOC_FIELDS && t->fields[i].name; i++) {
		const trm_doc_field *f = &t->fields[i];
		const char *v = get(ctx, f->name);
		if ((*why = field_problem(f, v))) {
			*field = f->name;
			return PONTE_EINVAL;
		}
		if (v && *v) {
			rc = json_field_str(b, first, f->name, v);
			first = false;
		}
	}
	return rc ? rc : buf_putc(b, '}');
}

static int count(store_conn *c, int64_t ref, const char *type, int64_t *n)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_HAS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref);
	store_bind_text(st, 2, type, strlen(type));
	rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Keep a document on a referral (sent or received), its body encrypted under its row. */
static int keep(const keyed_store *env, store_conn *c, int64_t ref, const char *direction,
		const char *type, const char *message, const char *body, int64_t now_ms)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int rc = store_prepare(c, SQL_ADD, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref);
	store_bind_text(st, 2, direction, strlen(direction));
	store_bind_text(st, 3, type, strlen(type));
	store_bind_text(st, 4, message, strlen(message));
	store_bind_text(st, 5, now, strlen(now));
	rc = store_run(st);
	int64_t id = store_last_insert_id(c);
	return rc ? rc
		  : field_encrypt_row(env, c, SQL_BODY, "trm_documents", "body", id, body,
				      strlen(body) + 4096);
}

/* Send a document on row r (inside c) and keep a copy as sent. */
static int send_on(const keyed_store *env, store_conn *c, const trm_row *r, const char *type,
		   const char *body, int64_t now_ms)
{
	char message[CRYPTO_UUID];
	int rc = trm_send(env, c, r->peer_id, type, r->offer_id, body, TRM_MESSAGE_TTL_S, now_ms,
			  message);
	return rc ? rc : keep(env, c, r->id, "sent", type, message, body, now_ms);
}

/* May p send a document of type t on row r? The offer's side: who may see its case (with
 * referral.transnational); the receiving side: the inbound role or the provider. */
static int may_send(const keyed_store *env, const principal *p, const trm_row *r,
		    const trm_doc_type *t, const char **why)
{
	if (strcmp(t->side, r->direction) != 0) {
		*why = N_("This document comes from the other side of the referral.");
		return PONTE_EINVAL;
	}
	/* A provider answers for the person once it has accepted to serve them. */
	if (strcmp(r->direction, "in") == 0)
		return trm_receives(env->db, p) || trm_provider_serves(env->db, p, r->id)
			   ? 0
			   : PONTE_ENOTFOUND;
	if (!r->case_id || !principal_can(p, "referral.transnational"))
		return PONTE_ENOTFOUND;
	arena a;
	arena_init(&a, 1u << 16);
	case_record cr;
	child_record k;
	int rc = child_get(env, &a, p, r->case_id, &cr, &k);
	if (!rc && t->child && !case_treated_as_child(&cr, &k)) {
		*why = N_("The family tracing procedure is for children.");
		rc = PONTE_EINVAL;
	}
	arena_release(&a);
	return rc;
}

int trm_document_send(const keyed_store *env, const principal *p, int64_t ref_id, const char *type,
		      trm_doc_get get, void *ctx, int64_t now_ms, const char **field,
		      const char **why)
{
	*field = NULL;
	*why = NULL;
	const trm_doc_type *t = trm_doc_type_find(type);
	if (!t)
		return PONTE_ENOTFOUND;
	store_conn *c;
	trm_row r;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = trm_row_get(c, ref_id, &r);
	if (!rc)
		rc = may_send(env, p, &r, t, why);
	if (!rc && !trm_listed(t->states, r.state)) {
		*why = N_("This document cannot be sent at this point of the referral.");
		rc = PONTE_ECONFLICT;
	}
	int64_t before = 1;
	if (!rc && t->after && !(rc = count(c, r.id, t->after, &before)) && !before) {
		*why = N_("This answers a document that has not been received.");
		rc = PONTE_ECONFLICT;
	}
	buf body;
	buf_init(&body, 8192);
	if (!rc)
		rc = body_of(t, get, ctx, &body, field, why);
	bool begun = !rc && !(rc = store_begin(c));
	if (!rc)
		rc = send_on(env, c, &r, type, body.data, now_ms);
	if (!rc)
		rc = principal_audit(env->db, p, "trm.document", "trm_referral", ref_id, "success",
				     true);
	rc = trm_change_end(c, begun, rc);
	crypto_wipe(body.data, body.len);
	buf_release(&body);
	return rc;
}

static const char *json_member(void *ctx, const char *name)
{
	return json_get_string(ctx, name);
}

int trm_document_normalise(const char *type, const char *json, size_t n, buf *out,
			   const char **field, const char **why)
{
	const trm_doc_type *t = trm_doc_type_find(type);
	if (!t)
		return PONTE_EINVAL;
	arena a;
	arena_init(&a, 1u << 16);
	json_value *v;
	char err[64];
	int rc = PONTE_EINVAL;
	*field = NULL;
	*why = NULL;
	if (!json_parse(&a, json, n, &v, err, sizeof(err)) && v->type == JSON_OBJECT) {
		/* Every member is a field of the type, a string: nothing else is taken. */
		rc = 0;
		for (size_t i = 0; !rc && i < v->length; i++)
			if (!trm_doc_field_known(t, v->keys[i]) || v->items[i]->type != JSON_STRING)
				rc = PONTE_EINVAL;
		if (!rc)
			rc = body_of(t, json_member, v, out, field, why);
	}
	arena_release(&a);
	return rc;
}

int trm_document_apply(const keyed_store *env, store_conn *c, const trm_peer *peer,
		       const trm_envelope *e, int64_t now_ms, const char **why, const char **field)
{
	const trm_doc_type *t = trm_doc_type_find(e->type);
	trm_row r;
	int rc = trm_row_by_offer(c, e->in_reply_to, peer->id, &r);
	/* A document comes from the other side of the hop. */
	if (rc == PONTE_ENOTFOUND || (!rc && strcmp(t->side, r.direction) == 0)) {
		*why = "a document on no referral of this instance";
		return PONTE_EINVAL;
	}
	if (rc)
		return rc;
	buf body;
	buf_init(&body, 8192);
	/* Refused with the field that fails the rules, or "payload" when its members are not the
	 * type's (422 to the peer either way). */
	if (trm_document_normalise(t->type, e->payload, e->payload_len, &body, field, why)) {
		if (!*field) {
			*field = "payload";
			*why = "a document with fields this instance does not take";
		}
		rc = PONTE_EINVAL;
	}
	if (!rc)
		rc = keep(env, c, r.id, "received", e->type, e->id, body.data, now_ms);
	/* Along a chain: from the offer's side on down the route, from the far side back up. */
	trm_row next;
	int64_t next_id = 0;
	store_stmt *st;
	if (!rc && strcmp(r.direction, "in") == 0 &&
	    !(rc = store_prepare(c, SQL_LIVE_CHILD, &st))) {
		store_bind_int64(st, 1, r.id);
		next_id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
		store_reset(st);
	} else if (!rc && strcmp(r.direction, "out") == 0)
		next_id = r.parent_id;
	if (!rc && next_id && !(rc = trm_row_get(c, next_id, &next)))
		rc = send_on(env, c, &next, e->type, body.data, now_ms);
	crypto_wipe(body.data, body.len);
	buf_release(&body);
	return rc;
}

int trm_documents_purge(store_conn *c, int64_t ref_id)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_PURGE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref_id);
	return store_run(st);
}

int trm_documents_list(const keyed_store *env, arena *a, const principal *p, int64_t ref_id,
		       trm_document_fn fn, void *ctx)
{
	bool person = false;
	int rc = trm_may_read_person(env, p, ref_id, &person);
	store_conn *c;
	store_stmt *st;
	/* Documents are about the person: none for who may not read it (yet). */
	if (!rc && !person)
		return 0;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, ref_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		trm_document d = { .id = store_col_int64(st, 0),
				   .direction = store_col_dup(a, st, 1),
				   .type = store_col_dup(a, st, 2),
				   .created_at = store_col_dup(a, st, 4),
				   .body = "{}" };
		size_t n;
		const void *b = store_col_blob(st, 3, &n);
		if (n && !(d.body = field_decrypt(env, a, "trm_documents", "body", d.id, b, n))) {
			rc = PONTE_ESTORE;
			break;
		}
		if ((rc = fn(&d, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
