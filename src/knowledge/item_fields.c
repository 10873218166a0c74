/* The fields of each knowledge item type, their vocabularies, and validation. */
#include <ctype.h>

#include "base/utf8.h"
#include "i18n/i18n.h"
#include "knowledge/knowledge.h"

static const kn_code TYPES[] = {
	{ "practice", N_("Good practice") },
	{ "legislation", N_("Legislation") },
	{ "caselaw", N_("Case law") },
	{ "manual", N_("Manual or training material") },
};
VOCABULARY(types, "knowledge.type", TYPES);
static const kn_code STATUSES[] = {
	{ "draft", N_("Draft") },
	{ "review", N_("In review") },
	{ "published", N_("Published") },
	{ "archived", N_("Archived") },
};
VOCABULARY(statuses, "knowledge.status", STATUSES);
static const kn_code LANGUAGES[] = {
	{ "en", N_("English") }, { "fr", N_("French") }, { "pt", N_("Portuguese") },
	{ "es", N_("Spanish") }, { "ar", N_("Arabic") },
};
VOCABULARY(languages, "knowledge.language", LANGUAGES);
_Static_assert(sizeof(LANGUAGES) / sizeof(LANGUAGES[0]) == KN_LANGS,
	       "an item holds a translation in every language");
/* The four Ps, and the five domains of the Rabat Process action plan. */
static const kn_code AREAS[] = {
	{ "prevention", N_("Prevention") },
	{ "protection", N_("Protection") },
	{ "prosecution", N_("Prosecution") },
	{ "partnership", N_("Partnership") },
	{ "legal_migration", N_("Legal migration and mobility") },
	{ "irregular_migration", N_("Irregular migration, smuggling and trafficking") },
	{ "international_protection", N_("International protection") },
	{ "migration_development", N_("Migration and development") },
	{ "return_readmission", N_("Return, readmission and reintegration") },
};
VOCABULARY(areas, "knowledge.area", AREAS);
static const kn_code TARGETS[] = {
	{ "adults", N_("Adults") },
	{ "children", N_("Children") },
	{ "women", N_("Women and girls") },
	{ "migrants_transit", N_("Migrants in transit") },
	{ "workers", N_("Migrant workers") },
	{ "communities", N_("Communities of origin") },
	{ "professionals", N_("Professionals") },
};
VOCABULARY(targets, "knowledge.target", TARGETS);
/* Beyond the anchors: how far a practice has been shown to work. */
static const kn_code EVIDENCE[] = {
	{ "described", N_("Described") },
	{ "monitored", N_("Monitored") },
	{ "evaluated", N_("Evaluated") },
	{ "replicated", N_("Replicated elsewhere") },
};
VOCABULARY(evidence, "knowledge.evidence", EVIDENCE);
static const kn_code BUDGETS[] = {
	{ "under_50k", N_("Under 50,000 EUR") },
	{ "50k_250k", N_("50,000 to 250,000 EUR") },
	{ "250k_1m", N_("250,000 to 1 million EUR") },
	{ "over_1m", N_("Over 1 million EUR") },
};
VOCABULARY(budgets, "knowledge.budget", BUDGETS);
static const kn_code COVERS[] = {
	{ "trafficking", N_("Trafficking in human beings") },
	{ "smuggling", N_("Smuggling of migrants") },
	{ "child_protection", N_("Child protection") },
	{ "victim_protection", N_("Victim protection") },
	{ "non_punishment", N_("Non-punishment of victims") },
};
VOCABULARY(covers, "knowledge.covers", COVERS);
static const kn_code PALERMO[] = {
	{ "ratified", N_("Ratified or acceded") },
	{ "signed", N_("Signed, not ratified") },
	{ "not_party", N_("Not a party") },
};
VOCABULARY(palermo, "knowledge.palermo", PALERMO);
static const kn_code VERDICTS[] = {
	{ "convicted", N_("Convicted") },
	{ "acquitted", N_("Acquitted") },
	{ "mixed", N_("Some convicted, some acquitted") },
	{ "pending", N_("Appeal pending") },
};
VOCABULARY(verdicts, "knowledge.verdict", VERDICTS);
static const kn_code AUDIENCES[] = {
	{ "magistrates", N_("Magistrates") },
	{ "prosecutors", N_("Prosecutors") },
	{ "police", N_("Police") },
	{ "border_guards", N_("Border guards") },
	{ "labour_inspectors", N_("Labour inspectors") },
	{ "social_workers", N_("Social workers") },
	{ "teachers", N_("Teachers") },
	{ "journalists", N_("Journalists") },
};
VOCABULARY(audiences, "knowledge.audience", AUDIENCES);
static const kn_code FORMATS[] = {
	{ "handbook", N_("Handbook") }, { "course", N_("Training course") },
	{ "toolkit", N_("Toolkit") },   { "guidelines", N_("Guidelines") },
	{ "video", N_("Video") },
};
VOCABULARY(formats, "knowledge.format", FORMATS);

static const struct {
	const char *name;
	const kn_code *codes;
	size_t n;
} VOCABULARIES[] = {
	{ "type", TYPES, ARRAY_LEN(TYPES) },
	{ "status", STATUSES, ARRAY_LEN(STATUSES) },
	{ "language", LANGUAGES, ARRAY_LEN(LANGUAGES) },
	{ "area", AREAS, ARRAY_LEN(AREAS) },
	{ "target", TARGETS, ARRAY_LEN(TARGETS) },
	{ "evidence", EVIDENCE, ARRAY_LEN(EVIDENCE) },
	{ "budget", BUDGETS, ARRAY_LEN(BUDGETS) },
	{ "covers", COVERS, ARRAY_LEN(COVERS) },
	{ "palermo", PALERMO, ARRAY_LEN(PALERMO) },
	{ "verdict", VERDICTS, ARRAY_LEN(VERDICTS) },
	{ "audience", AUDIENCES, ARRAY_LEN(AUDIENCES) },
	{ "format", FORMATS, ARRAY_LEN(FORMATS) },
};

/* The type-specific fields, in the order forms show them. */
static const kn_field FIELDS[] = {
	{ "practice", "evidence", KN_CODE, true, "evidence", N_("Evidence level") },
	{ "practice", "evaluation_url", KN_URL, false, NULL, N_("Evaluation (link)") },
	{ "practice", "areas", KN_CODES, true, "area", N_("Areas") },
	{ "practice", "target_groups", KN_CODES, true, "target", N_("Target groups") },
	{ "practice", "actors", KN_TEXT, true, NULL, N_("Implementing actors") },
	{ "practice", "results", KN_LONGTEXT, false, NULL, N_("Results") },
	{ "practice", "period_start", KN_YEAR, true, NULL, N_("First year") },
	{ "practice", "period_end", KN_YEAR, false, NULL, N_("Last year") },
	{ "practice", "budget", KN_CODE, false, "budget", N_("Budget range") },
	{ "practice", "contact_institution", KN_TEXT, false, NULL, N_("Contact institution") },
	{ "practice", "tags", KN_TEXT, false, NULL, N_("Tags") },
	{ "legislation", "instrument", KN_TEXT, true, NULL, N_("Instrument") },
	{ "legislation", "articles", KN_TEXT, false, NULL, N_("Articles") },
	{ "legislation", "adopted_on", KN_DATE, true, NULL, N_("Adopted on") },
	{ "legislation", "in_force_on", KN_DATE, false, NULL, N_("In force since") },
	{ "legislation", "covers", KN_CODES, true, "covers", N_("What it covers") },
	{ "legislation", "palermo_trafficking", KN_CODE, false, "palermo",
	  N_("Trafficking Protocol (Palermo)") },
	{ "legislation", "palermo_smuggling", KN_CODE, false, "palermo",
	  N_("Smuggling Protocol (Palermo)") },
	{ "legislation", "official_url", KN_URL, false, NULL, N_("Official text (link)") },
	{ "caselaw", "court", KN_TEXT, true, NULL, N_("Court") },
	{ "caselaw", "decision_date", KN_DATE, true, NULL, N_("Date of decision") },
	{ "caselaw", "case_number", KN_TEXT, false, NULL, N_("Case number") },
	{ "caselaw", "charges", KN_LONGTEXT, false, NULL, N_("Charges and legal provisions") },
	{ "caselaw", "verdict", KN_CODE, true, "verdict", N_("Verdict") },
	{ "caselaw", "sentences", KN_LONGTEXT, false, NULL, N_("Sentences") },
	{ "caselaw", "defendants", KN_INITIALS, false, NULL,
	  N_("Defendants (initials, sex, nationality)") },
	{ "caselaw", "victims", KN_INITIALS, false, NULL,
	  N_("Victims (initials, sex, nationality)") },
	{ "caselaw", "routes", KN_TEXT, false, NULL, N_("Routes and countries involved") },
	{ "caselaw", "modus_operandi", KN_TEXT, false, NULL, N_("Modus operandi (keywords)") },
	{ "caselaw", "commentary", KN_LONGTEXT, false, NULL, N_("Commentary") },
	{ "manual", "audiences", KN_CODES, true, "audience", N_("Audience") },
	{ "manual", "format", KN_CODE, true, "format", N_("Format") },
	{ "manual", "published_year", KN_YEAR, false, NULL, N_("Year of publication") },
};

const kn_field *kn_fields(size_t *n)
{
	*n = ARRAY_LEN(FIELDS);
	return FIELDS;
}

const kn_code *kn_codes(const char *vocabulary, size_t *n)
{
	for (size_t i = 0; i < ARRAY_LEN(VOCABULARIES); i++)
		if (strcmp(VOCABULARIES[i].name, vocabulary) == 0) {
			*n = VOCABULARIES[i].n;
			return VOCABULARIES[i].codes;
		}
	*n = 0;
	return NULL;
}

const char *kn_code_label(const char *vocabulary, const char *code)
{
	size_t n;
	const kn_code *c = kn_codes(vocabulary, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].code, code) == 0)
			return c[i].label;
	return code;
}

static bool code_in(const char *vocabulary, const char *code, size_t len)
{
	size_t n;
	const kn_code *c = kn_codes(vocabulary, &n);
	for (size_t i = 0; i < n; i++)
		if (strlen(c[i].code) == len && memcmp(c[i].code, code, len) == 0)
			return true;
	return false;
}

/* "a,b" where every element is a code of the vocabulary (or a known country when vocabulary
 * is NULL), none repeated. */
static bool codes_valid(store *db, const char *vocabulary, const char *list)
{
	if (!*list)
		return false;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (!len || len > 40)
			return false;
		char code[48];
		memcpy(code, p, len);
		code[len] = '\0';
		if (vocabulary ? !code_in(vocabulary, p, len) : !country_known(db, code))
			return false;
		for (const char *q = list; q < p; q += strcspn(q, ",") + 1)
			if (strcspn(q, ",") == len && memcmp(q, p, len) == 0)
				return false;
		p += len;
		if (*p == ',' && !*++p)
			return false;
	}
	return true;
}

static bool date_valid(const char *s)
{
	int y, m, d;
	char extra;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || s[4] != '-')
		return false;
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static bool year_valid(const char *s)
{
	char *end;
	long y = strtol(s, &end, 10);
	return strlen(s) == 4 && !*end && y >= 1900 && y <= 2100;
}

static bool url_valid(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
	       strlen(s) <= 2000 && !strpbrk(s, " \t\r\n\"<>");
}

/* A capitalised word: an upper-case letter (ASCII or Latin-1 in UTF-8) then at least one
 * lower-case letter. "K.M." and "NG" are not; "Kofi" and "Élodie" are. */
static size_t capitalised_word(const unsigned char *p)
{
	size_t i = 0;
	bool upper = isupper(p[0]) || (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E);
	if (!upper)
		return 0;
	i = p[0] == 0xC3 ? 2 : 1;
	size_t lower = 0;
	while (islower(p[i]) || (p[i] == 0xC3 && p[i + 1] >= 0x9F && p[i + 1] <= 0xBF)) {
		i += p[i] == 0xC3 ? 2 : 1;
		lower++;
	}
	return lower && !isalnum(p[i]) && p[i] < 0x80 ? i : 0;
}

bool kn_looks_like_name(const char *text, kn_place_fn is_place, void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		/* A run of capitalised words separated by single spaces or hyphens. */
		const unsigned char *start = p;
		size_t words = 0, len;
		const unsigned char *end = p;
		while ((len = capitalised_word(end)) > 0) {
			words++;
			end += len;
			if ((*end == ' ' || *end == '-') && capitalised_word(end + 1))
				end++;
			else
				break;
		}
		if (words >= 2) {
			char run[256];
			size_t n = (size_t)(end - start) < sizeof(run) - 1 ? (size_t)(end - start)
									   : sizeof(run) - 1;
			memcpy(run, start, n);
			run[n] = '\0';
			if (!is_place || !is_place(run, ctx))
				return true;
		}
		if (end > p)
			p = end;
		else if (isalnum(*p) || *p >= 0x80)
			while (*p && (isalnum(*p) || *p >= 0x80)) /* a word that is no name */
				p++;
		else
			p++;
	}
	return false;
}

static bool place_in_db(const char *run, void *ctx)
{
	return country_name_known(ctx, run);
}

static const char *detail_of(const kn_input *in, const char *name)
{
	for (size_t i = 0; i < in->ndetails; i++)
		if (strcmp(in->details[i].name, name) == 0)
			return in->details[i].value ? in->details[i].value : "";
	return "";
}

const char *kn_detail(const kn_item *it, const char *name)
{
	for (size_t i = 0; i < it->ndetails; i++)
		if (strcmp(it->details[i].name, name) == 0)
			return it->details[i].value;
	return "";
}

static bool text_ok(const char *s, size_t max)
{
	return utf8_valid_text(s, strlen(s)) && strlen(s) <= max;
}

static void validate_detail(store *db, const kn_field *f, const char *v, field_errors *e)
{
	(void)db;
	if (!*v) {
		if (f->required)
			field_errors_add(e, f->name, N_("This field is required."));
		return;
	}
	bool ok = true;
	switch (f->kind) {
	case KN_TEXT: ok = text_ok(v, 1000); break;
	case KN_LONGTEXT: ok = text_ok(v, 20000); break;
	case KN_CODE: ok = code_in(f->vocabulary, v, strlen(v)); break;
	case KN_CODES: ok = codes_valid(db, f->vocabulary, v); break;
	case KN_DATE: ok = date_valid(v); break;
	case KN_YEAR: ok = year_valid(v); break;
	case KN_URL: ok = url_valid(v); break;
	case KN_INITIALS:
		if (text_ok(v, 2000) && kn_looks_like_name(v, place_in_db, db)) {
			field_errors_add(
			    e, f->name,
			    N_("Give initials only (for example K.M., M, NG), never a name."));
			return;
		}
		ok = text_ok(v, 2000);
		break;
	}
	if (!ok)
		field_errors_add(
		    e, f->name,
		    f->kind == KN_DATE   ? N_("Enter a date as YYYY-MM-DD.")
		    : f->kind == KN_YEAR ? N_("Enter a year between 1900 and 2100.")
		    : f->kind == KN_URL  ? N_("Enter a link starting with https://.")
		    : f->kind == KN_CODE || f->kind == KN_CODES
			? N_("Choose from the list.")
			: N_("This text is too long or contains characters that are not allowed."));
}

bool kn_validate(store *db, const kn_input *in, field_errors *e)
{
	field_errors_clear(e);
	const char *type = in->type ? in->type : "";
	if (!code_in("type", type, strlen(type)))
		field_errors_add(e, "type", N_("Choose the kind of item."));
	const char *lang = in->language ? in->language : "";
	if (!code_in("language", lang, strlen(lang)))
		field_errors_add(e, "language", N_("Choose the language the item is written in."));
	const char *title = in->title ? in->title : "";
	if (!*title)
		field_errors_add(e, "title", N_("This field is required."));
	else if (!text_ok(title, 300))
		field_errors_add(e, "title", N_("Keep the title under 300 characters."));
	const char *summary = in->summary ? in->summary : "";
	if (!*summary)
		field_errors_add(e, "summary", N_("This field is required."));
	else if (!text_ok(summary, 3000))
		field_errors_add(e, "summary", N_("Keep the summary under 3,000 characters."));
	if (in->body && !text_ok(in->body, 200000))
		field_errors_add(e, "body",
				 N_("This text is too long or contains characters that are not "
				    "allowed."));
	if (!in->countries || !*in->countries)
		field_errors_add(e, "countries", N_("Name at least one country."));
	else if (!codes_valid(db, NULL, in->countries))
		field_errors_add(e, "countries",
				 N_("Use two-letter country codes, for example PT, NE."));
	for (size_t i = 0; i < in->ntranslations; i++) {
		const kn_translation *t = &in->translations[i];
		if (!t->language || !code_in("language", t->language, strlen(t->language)) ||
		    strcmp(t->language, lang) == 0 || !t->title || !*t->title ||
		    !text_ok(t->title, 300) || !t->summary || !text_ok(t->summary, 3000))
			field_errors_add(
			    e, "translations",
			    N_("A translation needs another language, a title and a summary."));
	}
	/* Unknown details are refused rather than silently dropped. */
	for (size_t i = 0; i < in->ndetails; i++) {
		bool known = false;
		for (size_t f = 0; f < ARRAY_LEN(FIELDS); f++)
			known |= strcmp(FIELDS[f].type, type) == 0 &&
				 strcmp(FIELDS[f].name, in->details[i].name) == 0;
		if (!known && e->count == 0)
			field_errors_add(e, in->details[i].name,
					 N_("This field does not belong to this kind "
					    "of item."));
	}
	for (size_t f = 0; f < ARRAY_LEN(FIELDS); f++)
		if (strcmp(FIELDS[f].type, type) == 0)
			validate_detail(db, &FIELDS[f], detail_of(in, FIELDS[f].name), e);
	return e->count == 0;
}
