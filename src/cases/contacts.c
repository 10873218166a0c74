/* Contacts with the person: the first one identifies, the later ones follow up. */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char *const CHANNELS[] = { "self_referral",    "hotline",          "outreach",
					"border_operation", "police_operation", "labour_inspection",
					"asylum_procedure", "health_service",   "other" };

CASE_CODE_LIST(contact_channels, CHANNELS)

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
static const case_col CONTACT_COLS[] = {
    CASE_INT(contact, id), CASE_TEXT(contact, contact_on), CASE_SECRET(contact, place, "contacts"),
    CASE_TEXT(contact, channel), CASE_TEXT(contact, organisation), CASE_BOOL(contact, interpreter),
    CASE_TEXT(contact, language), CASE_BOOL(contact, rights_informed),
    CASE_TEXT(contact, rights_language)
};
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

int contact_add(const keyed_store *env, const principal *p, int64_t case_id,
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
	int rc = case_check(env, p, case_id, "case.social.write");
	store_conn *c;
	char now[CLOCK_RFC3339_LEN];
	if ((rc = case_write_begin(env, rc, e, &c, now)))
		return rc;
	const case_value v[] = { CV_INT(case_id),
				 CV_TEXT(in->contact_on),
				 CV_TEXT(in->channel),
				 CV_INT(p->organisation_id),
				 CV_INT(in->interpreter),
				 CV_TEXT(in->language ? in->language : ""),
				 CV_INT(in->rights_informed),
				 CV_TEXT(in->rights_language ? in->rights_language : ""),
				 CV_INT(p->user_id),
				 CV_TEXT(now) };
	rc = case_row_write(c, SQL_INSERT, v, ARRAY_LEN(v), id);
	if (!rc && in->place && *in->place)
		rc = field_encrypt_row(env, c, SQL_PLACE, "contacts", "place", *id, in->place,
				       1u << 14);
	return case_write_end(env, p, c, rc, "case.contact", case_id);
}

CASE_RECORD_LIST(contact_list, contact, contact_fn, SQL_LIST, CONTACT_COLS)
