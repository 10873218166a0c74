/* The sections of the case file as data: what each records, in which words, with which
 * codes (HTCDS where HTCDS has them), and who may see it. */
#include "base/clock.h"
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"

#define CODES(list) list, ARRAY_LEN(list)

/* ---- immediate needs ---- */
static const case_code NEEDS[] = {
	{ "accommodation", N_("Safe accommodation") },
	{ "food_clothing", N_("Food and clothing") },
	{ "medical", N_("Medical care") },
	{ "psychological", N_("Psychological support") },
	{ "safety", N_("Protection from threats") },
	{ "interpretation", N_("Interpretation") },
	{ "legal", N_("Legal advice") },
	{ "documents", N_("Identity or travel documents") },
	{ "family_contact", N_("Contact with family") },
	{ "money", N_("Money for daily needs") },
	{ "childcare", N_("Childcare") },
	{ "other", N_("Other") },
};
VOCABULARY(needs, "needs.need", NEEDS);
static const case_code URGENCY[] = {
	{ "immediate", N_("Immediate (today)") },
	{ "short_term", N_("Within days") },
	{ "long_term", N_("Longer term") },
};
VOCABULARY(urgency, "needs.urgency", URGENCY);
static const section_field NEED_FIELDS[] = {
	{ "need", N_("Need"), SK_CODE, true, CODES(NEEDS), 0, 0, NULL, NULL },
	{ "urgency", N_("Urgency"), SK_CODE, true, CODES(URGENCY), 0, 0, NULL, NULL },
	{ "identified_on", N_("Identified on"), SK_DATE, true, NULL, 0, 0, 0, NULL, NULL },
	{ "met_on", N_("Met on"), SK_DATE, false, NULL, 0, 0, 0, "identified_on",
	  N_("Leave empty while the need is not met.") },
	{ "note", N_("Note"), SK_SECRET, false, NULL, 0, 0, 2000, NULL, N_("Stored encrypted.") },
};

/* ---- residence status and permits ---- */
static const case_code RESIDENCE[] = {
	{ "citizen", N_("Citizen of the country") },
	{ "regular_resident", N_("Regular resident") },
	{ "irregular", N_("No residence right") },
	{ "reflection_period", N_("In the recovery and reflection period") },
	{ "victim_permit", N_("Residence permit for victims of trafficking") },
	{ "asylum_seeker", N_("Asylum seeker") },
	{ "refugee", N_("Refugee") },
	{ "subsidiary_protection", N_("Subsidiary protection") },
	{ "humanitarian_permit", N_("Humanitarian residence permit") },
	{ "work_permit", N_("Work permit") },
	{ "other", N_("Other") },
};
VOCABULARY(residence, "residence.status", RESIDENCE);
static const section_field PERMIT_FIELDS[] = {
	{ "status", N_("Residence status"), SK_CODE, true, CODES(RESIDENCE), 0, 0, NULL, NULL },
	{ "document_number", N_("Document number"), SK_SECRET, false, NULL, 0, 0, 60, NULL,
	  N_("Stored encrypted.") },
	{ "issued_on", N_("Issued on"), SK_DATE, false, NULL, 0, 0, 0, NULL, NULL },
	{ "expires_on", N_("Expires on"), SK_DATE_ANY, false, NULL, 0, 0, 0, "issued_on",
	  N_("Shown on \"Action needed\" before it expires.") },
	{ "renewal_requested_on", N_("Renewal requested on"), SK_DATE, false, NULL, 0, 0, 0,
	  "issued_on", NULL },
};

/* ---- compensation claims ---- */
static const case_code ROUTES[] = {
	{ "criminal_court", N_("Civil claim in the criminal trial") },
	{ "civil_court", N_("Civil court") },
	{ "labour_court", N_("Labour court (unpaid wages)") },
	{ "state_fund", N_("State compensation fund") },
	{ "out_of_court", N_("Settlement out of court") },
};
VOCABULARY(routes, "compensation.route", ROUTES);
static const case_code CLAIM_STATES[] = {
	{ "planned", N_("Planned") },   { "filed", N_("Filed") }, { "awarded", N_("Awarded") },
	{ "rejected", N_("Rejected") }, { "paid", N_("Paid") },   { "withdrawn", N_("Withdrawn") },
};
VOCABULARY(claim_states, "compensation.state", CLAIM_STATES);
static const case_code CURRENCIES[] = {
	/* ISO 4217, of the Rabat Process countries first */
	{ "EUR", "EUR" }, { "XOF", "XOF" }, { "XAF", "XAF" }, { "NGN", "NGN" }, { "GHS", "GHS" },
	{ "GMD", "GMD" }, { "GNF", "GNF" }, { "LRD", "LRD" }, { "SLE", "SLE" }, { "CVE", "CVE" },
	{ "MRU", "MRU" }, { "MAD", "MAD" }, { "DZD", "DZD" }, { "TND", "TND" }, { "USD", "USD" },
	{ "GBP", "GBP" }, { "CHF", "CHF" },
};
VOCABULARY(currencies, "currency", CURRENCIES);
static const section_field CLAIM_FIELDS[] = {
	{ "route", N_("Route"), SK_CODE, true, CODES(ROUTES), 0, 0, NULL, NULL },
	{ "state", N_("State"), SK_CODE, true, CODES(CLAIM_STATES), 0, 0, NULL, NULL },
	{ "filing_deadline", N_("Filing deadline"), SK_DATE_ANY, false, NULL, 0, 0, 0, NULL,
	  N_("Empty: the country's filing window from today.") },
	{ "filed_on", N_("Filed on"), SK_DATE, false, NULL, 0, 0, 0, NULL, NULL },
	{ "amount_claimed", N_("Amount claimed"), SK_INT, false, NULL, 0, 0, 100000000, NULL,
	  NULL },
	{ "amount_awarded", N_("Amount awarded"), SK_INT, false, NULL, 0, 0, 100000000, NULL,
	  NULL },
	{ "currency", N_("Currency"), SK_CODE, false, CODES(CURRENCIES), 0, 0, NULL, NULL },
	{ "note", N_("Note"), SK_SECRET, false, NULL, 0, 0, 2000, NULL, N_("Stored encrypted.") },
};

/* A planned claim without a deadline gets the country's filing window from today. */
static void claim_defaults(store *db, arena *a, const char *country, const char **v)
{
	if (strcmp(v[1], "planned") != 0 || *v[2])
		return;
	static const char SQL[] =
	    "SELECT date('now', '+' || value || ' days') FROM country_rules WHERE "
	    "rule = 'compensation_filing_days' AND country IN (?1, 'ZZ') ORDER BY country = 'ZZ' "
	    "LIMIT 1";
	static const char SQL_PG[] =
	    "SELECT to_char(current_date + CAST(value AS integer), 'YYYY-MM-DD') FROM "
	    "country_rules "
	    "WHERE rule = 'compensation_filing_days' AND country IN (?1, 'ZZ') "
	    "ORDER BY country = 'ZZ' LIMIT 1";
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, store_is_pg(db) ? SQL_PG : SQL, &st))
		return;
	store_bind_text(st, 1, country, strlen(country));
	if (store_step(st) == STORE_ROW)
		v[2] = store_col_dup(a, st, 0);
	store_reset(st);
}

/* ---- reintegration ---- */
static const section_field REINTEGRATION_FIELDS[] = {
	{ "country", N_("Country of reintegration"), SK_COUNTRY, true, NULL, 0, 0, 0, NULL, NULL },
	{ "started_on", N_("Started on"), SK_DATE, true, NULL, 0, 0, 0, NULL, NULL },
	{ "partner", N_("Partner organisation"), SK_TEXT, false, NULL, 0, 0, 200, NULL, NULL },
	{ "goals", N_("Goals: economic, social, psychosocial"), SK_SECRET, true, NULL, 0, 0, 4000,
	  NULL, N_("Stored encrypted.") },
};
#define SCORE(name, label)                                                                         \
	{                                                                                          \
		name, label, SK_INT, true, NULL, 0, 1, 5, NULL,                                    \
		    N_("1: very poor, 3: getting by, 5: fully reintegrated.")                      \
	}
static const section_field VISIT_FIELDS[] = {
	{ "visited_on", N_("Visited on"), SK_DATE, true, NULL, 0, 0, 0, NULL, NULL },
	SCORE("economic", N_("Economic (income, work, housing)")),
	SCORE("social", N_("Social (family, community, safety)")),
	SCORE("psychosocial", N_("Psychosocial (health, well-being)")),
	{ "note", N_("Note"), SK_SECRET, false, NULL, 0, 0, 2000, NULL, N_("Stored encrypted.") },
};

/* ---- trafficking events (HTCDS hte_*) ---- */
static const case_code EVENT_TYPES[] = {
	{ "Recruitment", N_("Recruitment") },
	{ "Transit", N_("Transit") },
	{ "Exploitation", N_("Exploitation") },
};
VOCABULARY(event_types, "events.type", EVENT_TYPES);
static const section_field EVENT_FIELDS[] = {
	{ "type", N_("Stage"), SK_CODE, true, CODES(EVENT_TYPES), 0, 0, NULL, NULL },
	{ "country", N_("Country"), SK_COUNTRY, true, NULL, 0, 0, 0, NULL,
	  N_("The country of the latest exploitation reaches the observatory, never the place.") },
	{ "city", N_("Town or place"), SK_SECRET, false, NULL, 0, 0, 200, NULL,
	  N_("Stored encrypted.") },
	{ "event_on", N_("Date (or its beginning)"), SK_DATE, false, NULL, 0, 0, 0, NULL, NULL },
	{ "description", N_("What happened"), SK_SECRET, false, NULL, 0, 0, 4000, NULL,
	  N_("Stored encrypted.") },
};

/* ---- notes ---- */
static const case_code TOPICS[] = {
	{ "general", N_("General") }, { "contact", N_("Contact with the person") },
	{ "safety", N_("Safety") },   { "health", N_("Health") },
	{ "legal", N_("Legal") },     { "family", N_("Family") },
};
VOCABULARY(topics, "notes.topic", TOPICS);
static const section_field NOTE_FIELDS[] = {
	{ "topic", N_("Topic"), SK_CODE, false, CODES(TOPICS), 0, 0, NULL, NULL },
	{ "note", N_("Note"), SK_SECRET, true, NULL, 0, 0, 8000, NULL, N_("Stored encrypted.") },
};

/* ---- criminal and civil proceedings ---- */
static const case_code PROCEEDING_KINDS[] = {
	{ "criminal", N_("Criminal") },
	{ "civil", N_("Civil") },
	{ "labour", N_("Labour") },
	{ "administrative", N_("Administrative") },
};
VOCABULARY(proceeding_kinds, "proceedings.kind", PROCEEDING_KINDS);
static const case_code PERSON_ROLES[] = {
	{ "victim", N_("Victim") },
	{ "witness", N_("Witness") },
	{ "civil_party", N_("Civil party") },
	{ "suspect", N_("Suspect (non-punishment to consider)") },
};
VOCABULARY(person_roles, "proceedings.person_role", PERSON_ROLES);
static const case_code PROTECTION[] = {
	{ "anonymity", N_("Anonymity") },
	{ "video_testimony", N_("Testimony by video") },
	{ "closed_hearing", N_("Hearing in camera") },
	{ "police_protection", N_("Police protection") },
	{ "relocation", N_("Relocation") },
	{ "witness_programme", N_("Witness protection programme") },
	{ "no_contact_order", N_("No-contact order") },
};
VOCABULARY(protection, "proceedings.protection", PROTECTION);
static const case_code VERDICTS[] = {
	{ "pending", N_("Pending") },     { "convicted", N_("Convicted") },
	{ "acquitted", N_("Acquitted") }, { "dismissed", N_("Dismissed") },
	{ "settled", N_("Settled") },
};
VOCABULARY(verdicts, "proceedings.verdict", VERDICTS);
static const section_field PROCEEDING_FIELDS[] = {
	{ "kind", N_("Proceedings"), SK_CODE, true, CODES(PROCEEDING_KINDS), 0, 0, NULL, NULL },
	{ "person_role", N_("Role of the person"), SK_CODE, true, CODES(PERSON_ROLES), 0, 0, NULL,
	  NULL },
	{ "authority", N_("Investigating authority or court"), SK_TEXT, true, NULL, 0, 0, 200, NULL,
	  NULL },
	{ "reference", N_("Case number"), SK_SECRET, false, NULL, 0, 0, 100, NULL,
	  N_("Stored encrypted.") },
	{ "prosecutor", N_("Prosecutor"), SK_SECRET, false, NULL, 0, 0, 200, NULL,
	  N_("Stored encrypted.") },
	{ "opened_on", N_("Opened on"), SK_DATE, true, NULL, 0, 0, 0, NULL, NULL },
	{ "protection", N_("Protection measures"), SK_CODES, false, CODES(PROTECTION), 0, 0, NULL,
	  NULL },
	{ "charges", N_("Charges"), SK_TEXT, false, NULL, 0, 0, 500, NULL, NULL },
	{ "verdict", N_("Verdict"), SK_CODE, false, CODES(VERDICTS), 0, 0, NULL, NULL },
	{ "sentence", N_("Sentence"), SK_TEXT, false, NULL, 0, 0, 500, NULL, NULL },
	{ "non_punishment", N_("Non-punishment applied"), SK_BOOL, false, NULL, 0, 0, 0, NULL,
	  N_("The person was not punished for offences they were compelled to commit.") },
};
static const section_field HEARING_FIELDS[] = {
	{ "held_on", N_("Date"), SK_DATE_ANY, true, NULL, 0, 0, 0, NULL, NULL },
	{ "court", N_("Court or authority"), SK_TEXT, true, NULL, 0, 0, 200, NULL, NULL },
	{ "attended", N_("The person attended"), SK_BOOL, false, NULL, 0, 0, 0, NULL, NULL },
	{ "outcome", N_("Outcome"), SK_SECRET, false, NULL, 0, 0, 2000, NULL,
	  N_("Stored encrypted.") },
};
static const case_code PERPETRATOR_ROLES[] = {
	/* HTCDS per_RoleInProcess */
	{ "RecruiterOrIntermediary", N_("Recruiter or intermediary") },
	{ "Transporter", N_("Transporter") },
	{ "BrokerTravelAgent", N_("Broker or travel agent") },
	{ "Exploiter", N_("Exploiter") },
	{ "ControlledIndividual", N_("Controlled the person") },
	{ "HarbouredIndividual", N_("Harboured the person") },
	{ "SoldIndividual", N_("Sold the person") },
	{ "BoughtIndividual", N_("Bought the person") },
	{ "Smuggler", N_("Smuggler") },
	{ "Abuser", N_("Abuser") },
	{ "Kidnapper", N_("Kidnapper") },
	{ "TravellingPartner", N_("Travelling partner") },
	{ "Other", N_("Other") },
};
VOCABULARY(perpetrator_roles, "perpetrators.role", PERPETRATOR_ROLES);
static const case_code GENDERS[] = {
	{ "Feminine", N_("Female") },
	{ "Masculine", N_("Male") },
	{ "NonSpecifiedUnknown", N_("Unknown") },
};
VOCABULARY(genders, "perpetrators.gender", GENDERS);
static const case_code RELATIONSHIPS[] = {
	/* HTCDS vic_RelationshipToTrafficker */
	{ "Familial", N_("Family") },
	{ "Acquainted", N_("Known to the person") },
	{ "Unaquainted", N_("A stranger") },
};
VOCABULARY(relationships, "perpetrators.relationship", RELATIONSHIPS);
static const case_code PERPETRATOR_STATES[] = {
	{ "suspected", N_("Suspected") }, { "charged", N_("Charged") },
	{ "convicted", N_("Convicted") }, { "acquitted", N_("Acquitted") },
	{ "at_large", N_("At large") },
};
VOCABULARY(perpetrator_states, "perpetrators.status", PERPETRATOR_STATES);
static const section_field PERPETRATOR_FIELDS[] = {
	{ "role", N_("Role"), SK_CODES, true, CODES(PERPETRATOR_ROLES), 0, 0, NULL, NULL },
	{ "name", N_("Name or alias"), SK_SECRET, false, NULL, 0, 0, 200, NULL,
	  N_("Stored encrypted.") },
	{ "gender", N_("Gender"), SK_CODE, false, CODES(GENDERS), 0, 0, NULL, NULL },
	{ "citizenship", N_("Citizenship"), SK_COUNTRY, false, NULL, 0, 0, 0, NULL, NULL },
	{ "relationship", N_("Relationship to the person"), SK_CODE, false, CODES(RELATIONSHIPS), 0,
	  0, NULL, NULL },
	{ "status", N_("Status"), SK_CODE, true, CODES(PERPETRATOR_STATES), 0, 0, NULL, NULL },
};

#define FIELDS(list) list, ARRAY_LEN(list)
static const section_def SECTIONS[] = {
	{ "needs", "file", "case_needs", N_("Immediate needs"),
	  N_("What the person needs first, how urgently, and when it was met."),
	  FIELDS(NEED_FIELDS), "identified_on", "need", NULL, "protection" },

	{ "events", "file", "trafficking_events", N_("Trafficking events"),
	  N_("Where and when the person was recruited, moved and exploited."), FIELDS(EVENT_FIELDS),
	  "event_on", "type", NULL, "identification" },

	{ "residence", "file", "residence_permits", N_("Residence status and permits"),
	  N_("The person's right to stay, and the permits with their expiry."),
	  FIELDS(PERMIT_FIELDS), "issued_on", "status", NULL, "protection" },

	{ "compensation", "file", "compensation_claims", N_("Compensation claims"),
	  N_("Claims for compensation and unpaid wages, with their deadlines."),
	  FIELDS(CLAIM_FIELDS), "filing_deadline", "state", claim_defaults, "assistance" },

	{ "reintegration", "file", "reintegration_plans", N_("Reintegration plan"),
	  N_("Where the person rebuilds their life, with whom, towards which goals."),
	  FIELDS(REINTEGRATION_FIELDS), "started_on", "country", NULL, "return" },

	{ "visits", "file", "reintegration_visits", N_("Monitoring visits"),
	  N_("Each visit scores how the person is doing, from 1 to 5."), FIELDS(VISIT_FIELDS),
	  "visited_on", NULL, NULL, "return" },

	{ "notes", "file", "case_notes", N_("Notes"), N_("Notes on the case, stored encrypted."),
	  FIELDS(NOTE_FIELDS), NULL, "topic", NULL, "" },

	{ "proceedings", "proceedings", "proceedings", N_("Criminal and civil proceedings"),
	  N_("Visible only to those who hold the criminal-proceedings permission."),
	  FIELDS(PROCEEDING_FIELDS), "opened_on", "kind", NULL, "proceedings" },

	{ "hearings", "proceedings", "hearings", N_("Hearings"),
	  N_("Hearings of the proceedings, past and to come."), FIELDS(HEARING_FIELDS), "held_on",
	  NULL, NULL, "proceedings" },

	{ "perpetrators", "proceedings", "perpetrators", N_("Perpetrators"),
	  N_("The people who took part, by their role (HTCDS per_RoleInProcess)."),
	  FIELDS(PERPETRATOR_FIELDS), NULL, "status", NULL, "proceedings" },
};

size_t section_count(void)
{
	return ARRAY_LEN(SECTIONS);
}

const section_def *section_at(size_t i)
{
	return i < ARRAY_LEN(SECTIONS) ? &SECTIONS[i] : NULL;
}

const section_def *section_find(const char *tier, const char *name)
{
	for (size_t i = 0; tier && name && i < ARRAY_LEN(SECTIONS); i++)
		if (strcmp(SECTIONS[i].tier, tier) == 0 && strcmp(SECTIONS[i].name, name) == 0)
			return &SECTIONS[i];
	return NULL;
}

int section_field_index(const section_def *d, const char *name)
{
	for (size_t i = 0; name && i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *section_code_label(const section_field *f, const char *code)
{
	for (size_t i = 0; code && i < f->ncodes; i++)
		if (strcmp(f->codes[i].code, code) == 0)
			return f->codes[i].label;
	return code;
}
