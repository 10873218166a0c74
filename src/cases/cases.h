/*
 * cases.h: the case file of a presumed or identified victim (first part: person, victim
 * status, case status and SOP phase).
 *
 * Invariants:
 * - Field names follow HTCDS (prs_*, vic_*, cas_*); codes are stored as codes.
 * - Names, the identity number and the phone are personal data: encrypted, bound to
 *   cases.<column>.<id>; a person is found by name through blind name keys (below).
 * - Reading needs case.social.read, writing case.social.write, each within its scope (own
 *   cases, organisation, country, all). A case outside the caller's scope is "not found".
 * - Every change raises `version`; an update based on another version is PONTE_ECONFLICT and
 *   changes nothing. Reads and writes are audited.
 * - Four eyes: a case is registered open and closes only when a request to close it (status
 *   and reason) is approved by a supervisor of the organisation or a focal point other than
 *   the requester. case_create() and case_update() refuse a closed status and a reason for
 *   closing (field errors), whoever the caller. Whoever writes the case may reopen it.
 *   Closures and reopenings are kept as the case's history.
 * - Checked on entry of case_list() (PONTE_CHECK): the store, the caller, the filter and
 *   the row function are given (the scope is applied from the caller: never without one).
 */
#ifndef PONTE_CASES_H
#define PONTE_CASES_H

#include "base/field_error.h"
#include "base/urlcode.h"
#include "i18n/vocab.h"
#include "identity/identity.h"

/* The former name of field_errors (base/field_error.h), the same type: for code written
 * before it was shared; new code names field_errors. */
typedef field_errors case_errors;

/* What a caller sends: NULL means "not given" (create: default; update: unchanged). */
typedef struct case_input {
	const char *status, *phase, *closure_reason;
	const char *first_name, *second_name, *identity_number, *mobile_phone;
	const char *gender, *birthdate, *estimated_age, *citizenship, *primary_language;
	const char *trafficking_status, *exploitation;
	/* HTCDS vic_MethodsOfControl, vic_MethodOfRecruitment (codes, comma-separated),
	 * vic_RelationshipToTrafficker, vic_ForcedLabourIndustry; smuggled "1", "0" or "" (not
	 * known). */
	const char *control, *recruitment, *relationship, *labour_sector, *smuggled;
} case_input;

typedef struct case_record {
	int64_t id, version, organisation_id, owner_id;
	const char *organisation_code, *owner_name, *country;
	const char *status, *phase, *closure_reason;
	const char *first_name, *second_name, *identity_number, *mobile_phone;
	const char *gender, *birthdate, *citizenship, *primary_language;
	int estimated_age; /* -1 when unknown */
	const char *trafficking_status, *exploitation;
	const char *control, *recruitment, *relationship, *labour_sector, *smuggled;
	const char *created_at, *updated_at;
	/* The level of the latest risk assessment (safety.c): low, medium, high; "" never
	 * assessed. Kept on the case by safety_add() for the list's filter and order. */
	const char *risk;
} case_record;

/* What of a case a reader sees, by the data categories of a consent or a referral. */
enum {
	CASE_PART_IDENTITY =
	    1,                 /* names, gender, birth date, estimated age, citizenship, language */
	CASE_PART_CONTACT = 2, /* mobile phone */
	CASE_PART_DOCUMENTS = 4, /* identity number */
	CASE_PART_VICTIM = 8,    /* trafficking status, types of exploitation, methods of control */
	CASE_PART_CASE = 16,     /* case status and phase (written by the caller) */
	/* recruitment, relationship to the trafficker, labour sector, smuggled migrant: for the
	 * case's own workers only, never in a category */
	CASE_PART_VICTIM_DETAIL = 32,
	CASE_PARTS_ALL = 63,
};
/* For the modules that decide access to a case themselves (referral/, trm/). Neither checks
 * the caller's scope nor audits: the caller decides (principal_can_see() on the scope, a
 * referral's state) and audits what it reads. PONTE_ENOTFOUND when there is no such case. */
typedef struct case_scope {
	int64_t owner_id, organisation_id;
	char country[3];
} case_scope;
int case_scope_of(store *db, int64_t case_id, case_scope *out);
/* Only the given parts of a case (CASE_PART_IDENTITY .. CASE_PART_CASE) filled in, the
 * others left empty: what a referral discloses to its recipient. */
int case_disclose(const keyed_store *env, arena *a, int64_t case_id, unsigned parts,
		  case_record *out);
/* The parts of "identity,contact,documents,victim,case" (unknown names add nothing). */
unsigned case_parts_of(const char *categories);
/* "person":{...}[,"victim":{...}]: the HTCDS fields of c that parts shows, as every answer
 * and payload writes them: code lists as arrays, a birth date or age not known as null. The
 * person is always written (perhaps {}); the victim only with CASE_PART_VICTIM. */
int case_write_json(buf *b, const case_record *c, unsigned parts);

/* ---- the case list (case_list.c) ----
 *
 * Which cases a reader finds, in which order, a page at a time. Every filter and order is a
 * code, a number or a date, never a name: a filter can be written into an address (and is
 * saved per user) without saying anything about a person. The scope of case.social.read
 * decides first; no filter widens it. A list reads one page of ids from its scope's index,
 * then those cases; its count stops at CASE_COUNT_CAP. */
enum case_sort {
	CASE_SORT_UPDATED, /* the last change (the default, newest first) */
	CASE_SORT_REGISTERED,
	CASE_SORT_NUMBER,
	CASE_SORT_PHASE,         /* in the order of the SOP */
	CASE_SORT_STATUS,        /* in the order of the vocabulary */
	CASE_SORT_VICTIM_STATUS, /* presumed, confirmed, not a victim */
	CASE_SORT_RISK,          /* low to high; never assessed last */
	CASE_SORT_NATIONALITY,   /* by the first country's name in the reader's language */
	CASE_SORT_WORKER,        /* by the case owner's name */
	CASE_SORT_COUNT
};
#define CASE_COUNT_CAP 1000
#define CASE_LIST_MAX 500       /* cases in one answer (the API's limit) */
#define CASE_OFFSET_MAX 1000000 /* the deepest offset a list reads */
#define CASE_EXPORT_MAX 20000   /* cases in one export */
#define CASE_DATE_LEN 11        /* YYYY-MM-DD and its NUL */

typedef struct case_filter {
	const char *status, *phase; /* codes, or NULL for any */
	const char *risk;           /* low, medium, high, or "none" (never assessed) */
	const char *nationality;    /* an ISO 3166-1 code among the person's citizenships */
	int64_t number;             /* a case number (q); 0 for any */
	int64_t worker;             /* the case owner (cas_CaseOwner), a user id; 0 for any */
	/* Calendar days in the installation's time zone, inclusive; "" for open ends. */
	char registered_from[CASE_DATE_LEN], registered_to[CASE_DATE_LEN];
	char updated_from[CASE_DATE_LEN], updated_to[CASE_DATE_LEN];
	int sort;         /* enum case_sort */
	bool ascending;   /* else descending */
	int limit;        /* 1..CASE_EXPORT_MAX; 0 for 50 */
	int offset;       /* 0..CASE_OFFSET_MAX */
	const char *lang; /* the reader's language code, for the orders by names */
} case_filter;

/* The list's parameters, in the order an address carries them (codes and numbers only). */
#define CASE_FILTER_PARAMS                                                                         \
	"q", "status", "phase", "risk", "nationality", "worker", "registered_from",                \
	    "registered_to", "updated_from", "updated_to", "sort", "dir"

/* The filter of a query (status=, phase=, ... sort=, dir=; an empty value is "any"; limit and
 * offset are the caller's). Every value that cannot be read is left at its default and named
 * in bad[] (at most nbad_max, *nbad of them) with why in problems[] (a msgid): a page shows
 * what it could read and says so, the API refuses. Unknown parameters are the caller's. */
void case_filter_parse(store *db, const url_params *query, case_filter *f, const char **bad,
		       const char **problems, size_t nbad_max, size_t *nbad);
/* The filter as an address's query (without limit, offset or a page): the parameters that are
 * not at their default, in CASE_FILTER_PARAMS's order; "" for the default list. */
const char *case_filter_query(arena *a, const case_filter *f);
/* A sort's name in addresses ("updated" ...), and back (-1 when unknown). */
const char *case_sort_name(int sort);
int case_sort_from_name(const char *name);
/* Whether an order, chosen without a direction, starts ascending (dates and risks start with
 * the newest and the highest). */
bool case_sort_starts_ascending(int sort);

/* Vocabularies (case_fields.c): the codes, and a msgid for each. */
typedef vocab_term case_code; /* code and label (a msgid): i18n/vocab.h */
const case_code *case_codes(const char *field, size_t *n);

int case_create(const keyed_store *env, const principal *p, const case_input *in, int64_t *id,
		field_errors *errors);
int case_get(const keyed_store *env, arena *a, const principal *p, int64_t id, case_record *out);
/* case_get() of a case the caller may also write (case.social.write in scope), else
 * PONTE_ENOTFOUND (the read is audited all the same). */
int case_get_to_write(const keyed_store *env, arena *a, const principal *p, int64_t id,
		      case_record *out);
/* PONTE_ECONFLICT (and *current set) when version is not the case's version. */
int case_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
		const case_input *in, field_errors *errors, int64_t *current);
typedef int (*case_fn)(const case_record *c, void *ctx);
/* The cases of f in the caller's scope of case.social.read, f->limit of them from f->offset,
 * in f's order, each given to fn; *total counts the cases of f up to CASE_COUNT_CAP + 1
 * (more than the cap when it is CASE_COUNT_CAP + 1). Audited as case.list. */
int case_list(const keyed_store *env, arena *a, const principal *p, const case_filter *f,
	      case_fn fn, void *ctx, int64_t *total);

/* The filter a user last used on the case list (case_filter_query()'s form), "" when none;
 * and saving it ("" forgets it). Saved only when it changed. */
int case_list_saved(store *db, arena *a, int64_t user_id, const char **query);
int case_list_save(store *db, int64_t user_id, const char *query);

/* Victim status decisions (status_decisions.c). */
typedef struct status_decision_input {
	const char *status;     /* presumed, pending, confirmed, not_confirmed, not_considered */
	const char *decided_on; /* YYYY-MM-DD, not in the future */
	const char *decision_org_type; /* HTCDS vic_TraffickingStatusDecisionMakingOrg */
	const char *reasons;           /* free text, encrypted; may be NULL */
} status_decision_input;

typedef struct status_decision {
	int64_t id, decided_by;
	const char *status, *decided_on, *decision_org_type, *reasons, *created_at;
} status_decision;

/* Record a decision (and set the case's vic_TraffickingStatus from it). */
int status_decision_add(const keyed_store *env, const principal *p, int64_t case_id,
			const status_decision_input *in, field_errors *errors, int64_t *id);
typedef int (*status_decision_fn)(const status_decision *d, void *ctx);
/* Newest first; PONTE_ENOTFOUND outside the caller's scope. */
int status_decision_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
			 status_decision_fn fn, void *ctx);
/* field "decision" or "decider". */
const case_code *status_decision_codes(const char *field, size_t *n);
/* YYYY-MM-DD, a real date; *future when after today in the installation's time zone. */
bool case_date_valid(const char *s, bool *future);

/* Validation (case_fields.c): fills errors; true when there are none. False with
 * errors->failed set when a check could not be made (no memory, the store failing). */
bool case_validate(store *db, const case_input *in, bool creating, field_errors *errors);

/* ---- finding a person by name (names.c: the keys; name_search.c: the index, the search) ----
 *
 * A name is found by any of its parts, spelled as another hand or another script writes it,
 * without the database ever holding a name in clear: each first and second name gives a
 * bounded set of keys (at most NAME_KEYS_MAX), and each key is stored only as its blind index
 * (keyed BLAKE2b under the instance's index key, domain NAME_KEY_PURPOSE, cut to
 * NAME_KEY_HASH_BYTES) in case_name_keys, written in the same transaction as the case.
 * - A token: a word of the name, folded (lower case, no accents; Arabic script without
 *   harakat or tatweel, alef forms as ا, ى as ي, ة as ه, a joined article ال dropped).
 *   Particles (ould, ben, ibn, ag, dos, da, de, el, al-, ولد, بن...) give no key unless a
 *   field holds nothing else; "Abd al-Qadir", "Abou Bakr" give the joined name and each half.
 * - A skeleton: how the token sounds, the same for Latin and Arabic script ("Mohamed",
 *   "Muhammad", "Mahamat", "محمد" are "mhmt"): see docs/cases.md for the rules.
 * - Prefixes: the first 3 and 4 letters of a token, for a name typed in part.
 * A query gives the same keys (prefix: the longest it has); a case ranks by the sum over the
 * query's words of the best kind each matched (token 4, skeleton 2, prefix 1). */
#define NAME_KEYS_MAX 64
#define NAME_UNITS_MAX 16
#define NAME_KEY_TEXT 64
#define NAME_KEY_HASH_BYTES 16
#define NAME_KEY_PURPOSE "cases.name_key.v1"
enum { NAME_KEY_TOKEN = 't', NAME_KEY_SKELETON = 's', NAME_KEY_PREFIX = 'p' };
typedef struct name_key {
	char kind;                /* NAME_KEY_TOKEN, _SKELETON or _PREFIX */
	int unit;                 /* which word of the name (or query) it comes from */
	char text[NAME_KEY_TEXT]; /* in clear: never stored, never logged */
} name_key;
typedef struct name_keys {
	name_key items[NAME_KEYS_MAX];
	size_t n;
	int units;
} name_keys;
/* The keys of a person's first and second name (either may be NULL or ""). */
void name_keys_of(const char *first, const char *second, name_keys *out);
/* The keys of what someone typed to find a person. */
void name_keys_of_query(const char *query, name_keys *out);
int name_key_weight(char kind);
/* The stored form of a key. */
void name_key_hash(const crypto_keyring *keys, const name_key *k,
		   unsigned char out[NAME_KEY_HASH_BYTES]);

/* What someone typed to find a person: at most CASE_SEARCH_NAME_MAX characters of text on
 * one line, with a word of two letters or more. True when it is; otherwise a field error on
 * "name" says why (missing or empty, too long, not one line of text, too short). */
#define CASE_SEARCH_NAME_MAX 100
bool case_search_name_valid(const char *name, field_errors *errors);
/* A case found by name, with its score (the sum of the weights its keys matched). */
typedef int (*case_match_fn)(const case_record *c, int score, void *ctx);
#define CASE_SEARCH_MAX 100
/* Cases in the caller's scope of case.social.read (exactly as case_list()) whose names share
 * keys with query, best first then newest, at most limit (1..CASE_SEARCH_MAX); *found is how
 * many cases in scope matched at all. PONTE_EINVAL when the query has no word of two letters
 * or more. Audited as case.search (never with the query). */
int case_find_by_name(const keyed_store *env, arena *a, const principal *p, const char *query,
		      int limit, case_match_fn fn, void *ctx, int64_t *found);
/* Give keys to the cases that have none (cases registered before the keys existed), in
 * transactions of at most batch cases; *filled counts them. Idempotent: a second run finds
 * nothing to do. `ponte serve` runs it before listening. */
int case_name_keys_fill(const keyed_store *env, int batch, int64_t *filled);

/* ---- legal clocks (clocks.c) ---- */
typedef struct case_clock {
	int64_t case_id;
	const char *first_name, *second_name;
	const char *since, *ends; /* YYYY-MM-DD */
} case_clock;
typedef int (*case_clock_fn)(const case_clock *k, void *ctx);
/* Open cases in the caller's scope whose reflection period ends on or before until
 * (YYYY-MM-DD) while the victim status is still presumed or pending, soonest first. */
int case_reflection_ending(const keyed_store *env, arena *a, const principal *p, const char *until,
			   case_clock_fn fn, void *ctx);
/* The person's names on a case in the caller's scope of case.social.read ("" when not
 * recorded), for lists of tasks that say whom a task is about; PONTE_ENOTFOUND outside it. */
int case_person_name(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		     const char **first, const char **second);

/* ---- risk assessments and safety plans (safety.c) ---- */
typedef struct safety_input {
	const char *risk;        /* low, medium, high */
	const char *threats;     /* codes of safety_threats(), comma-separated */
	const char *plan;        /* the safety measures in words (encrypted), or NULL */
	const char *assessed_on; /* YYYY-MM-DD, not in the future */
} safety_input;
typedef struct safety_assessment {
	int64_t id;
	const char *risk, *threats, *plan, *assessed_on, *next_review_on;
} safety_assessment;
const char *const *safety_threats(size_t *n);
/* Record an assessment; its review falls due after the country's safety_review_days (or
 * high_risk_review_days for a high risk). */
int safety_add(const keyed_store *env, const principal *p, int64_t case_id, const safety_input *in,
	       int64_t *id, field_errors *e);
typedef int (*safety_fn)(const safety_assessment *s, void *ctx);
int safety_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id, safety_fn fn,
		void *ctx);
/* Open cases in scope whose latest assessment is due for review by until (k->since holds the
 * risk, k->ends the review date). */
typedef case_clock_fn safety_due_fn;
int safety_reviews_due(const keyed_store *env, arena *a, const principal *p, const char *until,
		       safety_due_fn fn, void *ctx);

/* ---- contacts: identification and follow-up (contacts.c) ---- */
typedef struct contact_input {
	const char *contact_on; /* YYYY-MM-DD, not in the future */
	const char *place;      /* words, encrypted (a place can identify) */
	const char *channel;    /* one of contact_channels() */
	bool interpreter;
	const char *language; /* of the interview, ISO 639 */
	bool rights_informed;
	const char *rights_language;
} contact_input;
typedef struct contact {
	int64_t id;
	const char *contact_on, *place, *channel, *organisation, *language, *rights_language;
	bool interpreter, rights_informed;
} contact;
const char *const *contact_channels(size_t *n);
/* By the caller's organisation, on a case the caller may write. */
int contact_add(const keyed_store *env, const principal *p, int64_t case_id,
		const contact_input *in, int64_t *id, field_errors *e);
typedef int (*contact_fn)(const contact *k, void *ctx);
int contact_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		 contact_fn fn, void *ctx);

/* ---- return (returns.c) ---- */
typedef struct return_record {
	int64_t id, assessment_id;
	const char *destination, *decided_on, *state, *departure_on;
} return_record;
/* The person's voluntary decision to return to destination, once informed (informed must be
 * true: the information given is part of the decision). */
int return_decide(const keyed_store *env, const principal *p, int64_t case_id,
		  const char *destination, const char *decided_on, bool informed, int64_t *id,
		  field_errors *e);
/* Schedule the departure: refused (PONTE_EINVAL, field "assessment") unless the case's latest
 * risk assessment made on or after the decision is low with no threat; that assessment is
 * kept with the return. PONTE_ECONFLICT when it is scheduled already. */
int return_schedule(const keyed_store *env, const principal *p, int64_t return_id,
		    const char *departure_on, field_errors *e);
typedef int (*return_fn)(const return_record *r, void *ctx);
int return_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id, return_fn fn,
		void *ctx);

/* ---- children (children.c) ---- */
typedef struct child_input {
	bool age_disputed;
	const char *age_assessed_on, *age_assessment; /* "", child, adult */
	const char *guardian, *guardian_appointed_on; /* the guardian's name is encrypted */
	const char *bia_on, *bid_on;                  /* best-interests assessment, determination */
	const char *placement, *placement_since;
	const char *tracing;           /* not_started, requested, found, not_found, ... */
	const char *tracing_notes;     /* encrypted */
	const char *family_assessment; /* "", safe, not_safe, pending */
} child_input;
typedef struct child_record {
	bool exists, age_disputed;
	int64_t version; /* 0 before the first save */
	const char *age_assessed_on, *age_assessment, *guardian, *guardian_appointed_on, *bia_on,
	    *bid_on, *placement, *placement_since, *tracing, *tracing_notes, *family_assessment;
} child_record;
/* The codes of placement, tracing, family_assessment or age_assessment. */
const char *const *child_codes(const char *field, size_t *n);
int child_get(const keyed_store *env, arena *a, const principal *p, int64_t case_id, case_record *c,
	      child_record *k);
/* Replace the record; version is the one read (0 for none): PONTE_ECONFLICT otherwise. */
int child_save(const keyed_store *env, const principal *p, int64_t case_id, int64_t version,
	       const child_input *in, field_errors *e, int64_t *current);
/* Under 18 at registration, or an age disputed and not assessed as adult: a child. */
bool case_treated_as_child(const case_record *c, const child_record *k);

/* ---- support plans (plans.c) ---- */
typedef struct support_plan {
	int64_t id;
	const char *type, *objectives, *action_plan, *approved_at, *created_at;
} support_plan;
const char *const *plan_types(size_t *n); /* HTCDS spl_Type */
int plan_add(const keyed_store *env, const principal *p, int64_t case_id, const char *type,
	     const char *objectives, const char *action_plan, int64_t *id, field_errors *e);
/* By a supervisor or focal point who did not prepare it: PONTE_EDENIED otherwise,
 * PONTE_ECONFLICT when approved already. */
int plan_approve(const keyed_store *env, const principal *p, int64_t plan_id);
typedef int (*plan_fn)(const support_plan *x, void *ctx);
int plan_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id, plan_fn fn,
	      void *ctx);
/* Plans others prepared, waiting for the caller's approval, in the caller's scope. */
typedef int (*plan_pending_fn)(int64_t plan_id, int64_t case_id, const char *type,
			       const char *created_at, void *ctx);
int plans_pending(const keyed_store *env, arena *a, const principal *p, plan_pending_fn fn,
		  void *ctx);

/* ---- the assistance log (assistance.c) ---- */
typedef struct assistance_item {
	int64_t id, referral_id; /* referral_id: written by a completed referral, else 0 */
	const char *type, *provider, *started_on, *ended_on;
} assistance_item;
const char *const *assistance_types(size_t *n);
/* Given by the caller's organisation; ended_on may be NULL (still going). */
int assistance_add(const keyed_store *env, const principal *p, int64_t case_id, const char *type,
		   const char *started_on, const char *ended_on, int64_t *id, field_errors *e);
typedef int (*assistance_fn)(const assistance_item *x, void *ctx);
int assistance_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		    assistance_fn fn, void *ctx);

/* Assistance a completed referral gave (referral/ calls it inside its own transaction):
 * started_on and ended_on are YYYY-MM-DD, now RFC 3339. No scope check: the referral's state
 * machine decided that the provider gave it. */
int assistance_record(store *db, int64_t case_id, const char *type, int64_t provider_id,
		      int64_t referral_id, const char *started_on, const char *ended_on,
		      const char *now);

/* ---- per-country rules (rules.c): clocks and who confirms victim status ---- */
/* The value of rule in country: the country's own, else the default ('ZZ'), else fallback. */
int64_t country_rule_value(store *db, const char *country, const char *rule, int64_t fallback);
/* The rules administrators may set, by index (NULL past the last); the label msgid and the
 * largest value of one. */
const char *country_rule_at(size_t i);
const char *country_rule_label(const char *rule, int *max);
typedef int (*country_rule_fn)(const char *country, const char *rule, int64_t value, void *ctx);
/* Defaults ('ZZ') first, then each country's own values. */
int country_rules_list(store *db, arena *a, country_rule_fn fn, void *ctx);
/* Set a value for a country ('ZZ': the default); field errors country, rule, value. */
int country_rule_set(store *db, const principal *p, const char *country, const char *rule,
		     const char *value, field_errors *e);
/* A country's own value removed: it follows the default again. The defaults stay. */
int country_rule_unset(store *db, const principal *p, const char *country, const char *rule);
typedef int (*confirmers_fn)(const char *country, const char *org_types, void *ctx);
int status_confirmers_list(store *db, arena *a, confirmers_fn fn, void *ctx);
/* The organisation types that may confirm victim status in a country (comma-separated
 * vic_TraffickingStatusDecisionMakingOrg codes; none: the defaults apply). */
int status_confirmers_set(store *db, const principal *p, const char *country, const char *org_types,
			  field_errors *e);

/* ---- attachments (attachments.c) ---- */
#define CASE_ATTACHMENT_MAX (10u << 20)
#define CASE_ATTACHMENTS_PER_CASE 100
typedef struct case_attachment {
	int64_t id, size;
	const char *filename, *media_type, *created_at;
} case_attachment;
/* Keep the file at path (an upload) sealed in dir: its kind decided from its bytes (*why and
 * PONTE_EINVAL otherwise), at most CASE_ATTACHMENT_MAX bytes (PONTE_ELIMIT). */
int attachment_add(const keyed_store *env, const principal *p, const char *dir, int64_t case_id,
		   const char *path, const char *filename, int64_t *id, const char **why);
typedef int (*attachment_fn)(const case_attachment *x, void *ctx);
int attachment_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		    attachment_fn fn, void *ctx);
/* The content, opened into content (initialised by the caller with room for
 * CASE_ATTACHMENT_MAX); a file changed on disk is PONTE_ESTORE. Audited. */
int attachment_read(const keyed_store *env, arena *a, const principal *p, const char *dir,
		    int64_t case_id, int64_t id, case_attachment *meta, buf *content);
/* Backups: open every attachment that was not removed, from dir, with its own key (sealed
 * files fail on any change, cut or addition). *checked counts those opened; the id of the first
 * that does not open is *bad (then PONTE_EINVAL). */
int attachment_verify_seals(const keyed_store *env, const char *dir, int64_t *checked,
			    int64_t *bad);
int attachment_remove(const keyed_store *env, const principal *p, const char *dir, int64_t case_id,
		      int64_t id);

/* ---- closing and reopening (closures.c) ---- */
typedef struct case_closure {
	int64_t id;
	const char *kind; /* close, reopen */
	const char *status, *reason, *requested_at;
	const char *decision; /* "", approved, rejected */
	const char *decided_at;
} case_closure;
bool case_status_closed(const char *status);
/* Supervisors of the organisation and focal points approve closures (never their own). */
bool case_may_close(const principal *p);
/* Ask to close a case (status Closed or ClosedReferred, with the reason). PONTE_ECONFLICT when
 * the case is closed or a request waits already. */
int closure_request(const keyed_store *env, const principal *p, int64_t case_id, const char *status,
		    const char *reason, int64_t *id, field_errors *e);
/* Approve (the case is closed with the requested status and reason, in the same transaction)
 * or reject. PONTE_EDENIED for the requester or someone who may not close cases;
 * PONTE_ECONFLICT when decided already. */
int closure_decide(const keyed_store *env, const principal *p, int64_t closure_id, bool approve);
typedef int (*closure_fn)(const case_closure *k, void *ctx);
/* The closures and reopenings of a case, newest first. */
int closure_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		 closure_fn fn, void *ctx);
typedef int (*closure_pending_fn)(int64_t closure_id, int64_t case_id, const char *status,
				  const char *requested_at, void *ctx);
/* Requests others made, waiting for the caller's decision, in the caller's scope. */
int closures_pending(const keyed_store *env, arena *a, const principal *p, closure_pending_fn fn,
		     void *ctx);

#endif
