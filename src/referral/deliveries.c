/* Services a provider delivered to the person during a referral: the day, what, a note. */
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "referral/internal.h"

static const char *const TYPES[] = { "accommodation",  "meals",        "medical_care",
				     "counselling",    "legal_advice", "accompaniment",
				     "interpretation", "training",     "cash_assistance",
				     "family_contact", "other" };

const char *const *referral_delivery_types(size_t *n)
{
	*n = ARRAY_LEN(TYPES);
	return TYPES;
}

static bool type_known(const char *t)
{
	for (size_t i = 0; t && i < ARRAY_LEN(TYPES); i++)
		if (strcmp(TYPES[i], t) == 0)
			return true;
	return false;
}

int referral_delivery_add(const keyed_store *env, const principal *p, int64_t referral_id,
			  int64_t version, const char *on, const char *type, const char *note,
			  int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1u << 14);
	referral r;
	int rc = referral_get(env, &a, p, referral_id, &r);
	if (!rc && !r.recipient)
		rc = PONTE_EDENIED;
	if (!rc) {
		bool future = false;
		char made_on[11]; /* the day the referral was made, where it was made */
		if (!i18n_day_of(r.created_at, made_on))
			snprintf(made_on, sizeof(made_on), "%.10s", r.created_at);
		if (!on || !case_date_valid(on, &future) || future)
			field_errors_add(e, "delivered_on",
					 N_("Give a real date, not in the future (YYYY-MM-DD)."));
		else if (strcmp(on, made_on) < 0)
			field_errors_add(e, "delivered_on",
					 N_("The date cannot be before the referral was made."));
		if (!type_known(type))
			field_errors_add(e, "type", N_("Choose what was given from the list."));
		if (note && strlen(note) > 2000)
			field_errors_add(e, "note", N_("At most 2,000 characters."));
		if (e->count)
			rc = PONTE_EINVAL;
	}
	store_conn *c = NULL;
	bool began = false;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		began = !(rc = store_begin(c));
	store_stmt *st;
	/* The referral as the form saw it, still accepted or in service. */
	if (!rc && !(rc = store_prepare(c, SQL_REFERRAL_VERSION, &st))) {
		store_bind_int64(st, 1, referral_id);
		store_bind_int64(st, 2, version);
		rc = store_step(st);
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ECONFLICT : rc;
	}
	if (!rc && !(rc = store_prepare(c, SQL_DELIVERY_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		ref_now(now);
		store_bind_int64(st, 1, referral_id);
		store_bind_text(st, 2, on, strlen(on));
		store_bind_text(st, 3, type, strlen(type));
		store_bind_int64(st, 4, p->user_id);
		store_bind_text(st, 5, now, strlen(now));
		rc = store_run(st);
		if (!rc)
			*id = store_last_insert_id(c);
	}
	/* Words are encrypted under the row's own number, as key rotation re-encrypts them. */
	if (!rc && note && *note)
		rc = field_encrypt_row(env, c, SQL_DELIVERY_NOTE, "referral_deliveries", "note",
				       *id, note, 1u << 14);
	if (!rc)
		rc = principal_audit(env->db, p, "referral.delivery", "referral", referral_id,
				     "success", true);
	if (!rc)
		rc = store_commit(c);
	else if (began)
		store_rollback(c);
	if (rc == PONTE_EDENIED || rc == PONTE_ECONFLICT)
		principal_audit(env->db, p, "referral.delivery", "referral", referral_id, "denied",
				false);
	arena_release(&a);
	return rc;
}

int referral_delivery_list(const keyed_store *env, arena *a, const principal *p,
			   int64_t referral_id, referral_delivery_fn fn, void *ctx)
{
	referral r;
	int rc = referral_get(env, a, p, referral_id, &r);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_DELIVERY_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, referral_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t n;
		const void *blob = store_col_blob(st, 4, &n);
		int64_t id = store_col_int64(st, 0);
		referral_delivery d = {
			.id = id,
			.referral_id = store_col_int64(st, 1),
			.delivered_on = ref_text(a, st, 2),
			.type = ref_text(a, st, 3),
			.note =
			    n ? field_decrypt(env, a, "referral_deliveries", "note", id, blob, n)
			      : "",
			.created_at = ref_text(a, st, 5),
		};
		if (!d.note)
			d.note = "";
		if ((rc = fn(&d, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
