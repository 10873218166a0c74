/* Contacts with the person: the first one identifies, the later ones follow up. */
#include "base/clock.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char *const CHANNELS[] = { "self_referral",    "hotline",          "outreach",
					"border_operation", "police_operation", "labour_inspection",
					"asylum_procedure", "health_service",   "other" };

const char *const *contact_channels(size_t *n)
{
	*n = ARRAY_LEN(CHANNELS);
	return CHANNELS;
}

/* clang-format off */
static const char SQL_INSERT[] =
    "INSERT INTO contacts(case_id, contact_on, channel, organisation_id, interpreter, language, "
    "rights_informed, rights_language, recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10)";
static const char SQL_PLACE[] = "UPDATE contacts SET place_enc = ?2 WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT k.id, k.contact_on, k.place_enc, k.channel, o.name, k.interpreter, k.language, "
    "k.rights_informed, k.rights_language FROM contacts k JOIN organisations o ON "
    "o.id = k.organisation_id WHERE k.case_id = ?1 ORDER BY k.contact_on, k.id";
/* clang-format on */

static bool language_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n && (n < 2 || n > 3))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return true;
}

int contact_add(const identity_env *env, const principal *p, int64_t case_id,
		const contact_input *in, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	bool future = false, known = false;
	for (size_t i = 0; in->channel && i < ARRAY_LEN(CHANNELS); i++)
		known |= strcmp(CHANNELS[i], in->channel) == 0;
	if (!known)
		field_errors_add(e, "channel", N_("Choose how the contact came about."));
	if (!in->contact_on || !case_date_valid(in->contact_on, &future) || future)
		field_errors_add(e, "contact_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	if (!language_ok(in->language) || !language_ok(in->rights_language))
		field_errors_add(e, "language",
				 N_("Give a language as its ISO 639 code (fr, hau, wo...)."));
	if (in->place && strlen(in->place) > 500)
		field_errors_add(e, "place", N_("At most 500 characters."));
	arena a;
	arena_init(&a, 1u << 20);
	case_record cr;
	int rc = case_get(env, &a, p, case_id, &cr);
	if (!rc &&
	    !principal_can_see(p, "case.social.write", cr.owner_id, cr.organisation_id, cr.country))
		rc = PONTE_ENOTFOUND;
	arena_release(&a);
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_begin(c);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	if (!(rc = store_prepare(c, SQL_INSERT, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, in->contact_on, strlen(in->contact_on));
		store_bind_text(st, 3, in->channel, strlen(in->channel));
		store_bind_int64(st, 4, p->organisation_id);
		store_bind_int64(st, 5, in->interpreter);
		const char *l1 = in->language ? in->language : "";
		const char *l2 = in->rights_language ? in->rights_language : "";
		store_bind_text(st, 6, l1, strlen(l1));
		store_bind_int64(st, 7, in->rights_informed);
		store_bind_text(st, 8, l2, strlen(l2));
		store_bind_int64(st, 9, p->user_id);
		store_bind_text(st, 10, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	if (!rc && in->place && *in->place)
		rc = field_encrypt_row(env, c, SQL_PLACE, "contacts", "place", *id, in->place,
				       1u << 14);
	if (!rc)
		rc = principal_audit(env->db, p, "case.contact", "case", case_id, "success", true);
	if (!rc)
		rc = store_commit(c);
	if (rc)
		store_rollback(c);
	return rc;
}

int contact_list(const identity_env *env, arena *a, const principal *p, int64_t case_id,
		 contact_fn fn, void *ctx)
{
	case_record cr;
	int rc = case_get(env, a, p, case_id, &cr);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		size_t n;
		const void *b = store_col_blob(st, 2, &n);
		contact k = { .id = id,
			      .contact_on = store_col_dup(a, st, 1),
			      .place =
				  n ? field_decrypt(env, a, "contacts", "place", id, b, n) : "",
			      .channel = store_col_dup(a, st, 3),
			      .organisation = store_col_dup(a, st, 4),
			      .interpreter = store_col_int64(st, 5) != 0,
			      .language = store_col_dup(a, st, 6),
			      .rights_informed = store_col_int64(st, 7) != 0,
			      .rights_language = store_col_dup(a, st, 8) };
		if ((rc = fn(&k, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
