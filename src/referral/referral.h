/*
 * referral.h: the national referral mechanism: services of provider organisations, consents,
 * referrals between organisations and the register of disclosures.
 *
 * Invariants:
 * - A referral moves only along the state machine of docs/referrals.md, by compare-and-set
 *   on its state in one write transaction: an action not allowed in the current state (a
 *   second accept, accepting a withdrawn referral) is PONTE_ECONFLICT and changes nothing.
 * - The sending side is whoever may write the case and holds referral.national; the
 *   receiving side is the recipient organisation's holders of referral.national. The other
 *   side's actions are PONTE_EDENIED; a referral the caller may not see is PONTE_ENOTFOUND.
 * - A referral is sent only under a consent that covers it (not withdrawn, purpose
 *   referral, its recipient or any, every category it carries) or a recorded legal basis;
 *   sending writes the disclosure register in the same transaction. Withdrawing a consent
 *   withdraws every open referral it covered, national and (through trm/) abroad.
 * - The recipient sees the case only after accepting, and only the categories carried.
 * - Free text (reasons, feedback) is encrypted; codes are stored as codes.
 * - Checked on entry of referral_act() and consent_covering() (PONTE_CHECK): the store, the
 *   caller and the action or purpose are given.
 */
#ifndef PONTE_REFERRAL_H
#define PONTE_REFERRAL_H

#include "base/field_error.h"
#include "cases/cases.h"
#include "identity/identity.h"

/* Data categories: identity (names, birth date, gender, citizenship, language), contact
 * (phone), documents (identity number), victim (status, exploitation), case (status, phase). */
bool ref_categories_valid(const char *csv);
/* A legal basis for sharing: consent, vital_interest, legal_obligation, public_interest. */
bool ref_legal_basis_valid(const char *basis);
/* Whether every category of need is in have (comma-separated lists). */
bool ref_categories_cover(const char *have, const char *need);

/* ---- services (services.c) ---- */
typedef struct service_input {
	const char *organisation; /* code; NULL: the caller's */
	const char *type, *name, *sexes, *exploitation, *nationalities, *languages, *area,
	    *opening_hours, *phone, *email;
	int min_age, max_age;        /* -1: not given */
	int capacity, capacity_free; /* -1: not given */
} service_input;

typedef struct service {
	int64_t id, organisation_id, version;
	const char *organisation_code, *organisation_name, *country;
	const char *type, *name, *sexes, *exploitation, *nationalities, *languages, *area,
	    *opening_hours, *phone, *email, *verified_on;
	int min_age, max_age, capacity, capacity_free; /* capacity: -1 unknown */
} service;

typedef struct service_filter {
	const char *type, *country, *sex, *exploitation, *nationality, *language;
	int age;        /* -1: any */
	bool with_room; /* only services with capacity free (or without capacity) */
	int lang;       /* the reader's language: the order of the list */
} service_filter;

const char *const *service_types(size_t *n);
int service_add(const keyed_store *env, const principal *p, const service_input *in, int64_t *id,
		field_errors *e);
int service_get(const keyed_store *env, arena *a, int64_t id, service *out);
typedef int (*service_fn)(const service *s, void *ctx);
/* At most 500 services that pass f, in the order a reader of f->lang reads them: by the name of
 * their type (the vocabulary "referral"), then the service's name, then its organisation's
 * (utf8_collate(), Arabic script first for an Arabic-script language). */
int service_list(const keyed_store *env, arena *a, const service_filter *f, service_fn fn,
		 void *ctx);
/* Who keeps a service's count of places: its own organisation's staff, and who manages the
 * directory over it (service.manage in scope). */
bool service_may_count_places(const principal *p, const service *s);
/* The provider's count: capacity places, taken of them now (places free: the difference),
 * read at version (PONTE_ECONFLICT, nothing changed, when someone counted meanwhile);
 * PONTE_EDENIED for who may not keep it, PONTE_EINVAL with e for numbers out of range. Marks
 * the service verified today; audited as service.places. */
int service_count_places(const keyed_store *env, const principal *p, int64_t id, int64_t version,
			 int capacity, int taken, field_errors *e);

/* Whom a service takes, checked against what is known of a person: a criterion about what
 * is not known (age -1, a NULL or empty list) excludes nothing, since a case worker often
 * refers before everything is recorded. */
typedef struct service_person {
	int age;                                         /* -1: not known */
	const char *gender, *exploitation, *citizenship; /* codes, comma-separated */
} service_person;
enum {
	SERVICE_NOT_AGE = 1,          /* outside the service's ages */
	SERVICE_NOT_GENDER = 2,       /* the service takes other genders only */
	SERVICE_NOT_EXPLOITATION = 4, /* none of the person's types of exploitation */
	SERVICE_NOT_NATIONALITY = 8,  /* none of the person's citizenships */
	SERVICE_NO_PLACE = 16,        /* a capacity, and no place free */
};
/* Why s does not suit the person: 0 when it does, else SERVICE_NOT_* and SERVICE_NO_PLACE. */
unsigned service_unsuited(const service *s, const service_person *who);
/* The type of service that meets an immediate need (the case file's needs.need codes, such as
 * accommodation: shelter), or NULL when none does. */
const char *service_type_for_need(const char *need);

/* ---- consents (consent.c) ---- */
typedef struct consent_input {
	const char *purpose; /* referral, transnational_referral, return, statistics, proceedings */
	int64_t recipient_id;    /* 0: any recipient for the purpose */
	const char *categories;  /* comma-separated */
	const char *legal_basis; /* consent, vital_interest, legal_obligation, public_interest */
	const char *language, *text_version, *given_by, *given_on;
} consent_input;

typedef struct consent {
	int64_t id, case_id, recipient_id;
	const char *purpose, *recipient_code, *recipient_name, *categories, *legal_basis, *language,
	    *text_version, *given_by, *given_on, *withdrawn_on;
} consent;

int consent_add(const keyed_store *env, const principal *p, int64_t case_id,
		const consent_input *in, int64_t *id, field_errors *e);
/* Withdraw the consent (today) and every open national referral it covered, inside the
 * caller's write transaction c (who may write the case; PONTE_ECONFLICT when withdrawn
 * already); *x is the consent (strings in a), *withdrawn counts the referrals. Pages and the
 * API withdraw through trm_consent_withdraw (trm/), which calls this and withdraws the
 * referrals abroad made under the consent in the same transaction. */
int consent_withdraw_in(const keyed_store *env, store_conn *c, arena *a, const principal *p,
			int64_t id, consent *x, size_t *withdrawn);
/* The rule "the consent covers it", for national referrals and referrals across borders
 * (trm/): consent_id is a consent of case_id for purpose, not withdrawn, and given for
 * recipient_id or for any recipient (recipient_id 0: whoever receives, as across borders).
 * Then 0, with what it lets leave: its categories and legal basis (strings in a); otherwise
 * PONTE_ENOTFOUND. No scope check: the caller has checked that p may act on the case. */
int consent_covering(store *db, arena *a, int64_t consent_id, int64_t case_id, const char *purpose,
		     int64_t recipient_id, const char **categories, const char **basis);
/* One consent, for who may read its case (PONTE_ENOTFOUND otherwise). */
int consent_get(const keyed_store *env, arena *a, const principal *p, int64_t id, consent *out);
typedef int (*consent_fn)(const consent *c, void *ctx);
int consent_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		 consent_fn fn, void *ctx);

/* ---- referrals (referral.c) ---- */
typedef struct referral_input {
	int64_t case_id;
	int64_t service_id; /* the service asked for; its organisation is the recipient */
	int64_t to_id;      /* without a service: the recipient organisation */
	const char *categories;
	int64_t consent_id;      /* or */
	const char *legal_basis; /* vital_interest, legal_obligation, public_interest */
	const char *urgency;     /* normal (default) or urgent */
} referral_input;

typedef struct referral {
	int64_t id, case_id, from_id, to_id, service_id, consent_id, version;
	const char *from_code, *from_name, *to_code, *to_name, *service_name, *service_type;
	const char *state, *categories, *legal_basis, *urgency, *reason_code, *outcome;
	const char *due_at, *created_at, *updated_at;
	bool overdue;           /* sent and not answered in time */
	bool sender, recipient; /* the caller's side */
} referral;

/* Actions: send, accept, decline (code: a reason), start, complete (code: an outcome),
 * discontinue (code: a reason), withdraw. note: words for the other side, or NULL. */
const char *const *referral_actions(size_t *n);
const char *const *referral_codes(const char *action, size_t *n);
int referral_create(const keyed_store *env, const principal *p, const referral_input *in,
		    int64_t *id, field_errors *e);
int referral_act(const keyed_store *env, const principal *p, int64_t id, const char *action,
		 const char *code, const char *note, field_errors *e);
int referral_get(const keyed_store *env, arena *a, const principal *p, int64_t id, referral *out);
/* box: "in" (to the caller's organisation), "out" (from it), "overdue" (sent and late, in
 * the caller's country: the focal point's escalations), or "case" (of case_id). */
typedef int (*referral_fn)(const referral *r, void *ctx);
int referral_list(const keyed_store *env, arena *a, const principal *p, const char *box,
		  int64_t case_id, referral_fn fn, void *ctx);

typedef struct referral_event {
	const char *action, *from_state, *to_state, *code, *note, *user_name, *at;
} referral_event;
typedef int (*referral_event_fn)(const referral_event *e, void *ctx);
int referral_history(const keyed_store *env, arena *a, const principal *p, int64_t id,
		     referral_event_fn fn, void *ctx);

/* What the recipient sees of the case, after accepting: the fields of the categories the
 * referral carries (parts, CASE_PART_*), every other field NULL (estimated_age -1). */
typedef struct referral_case_view {
	case_record c;
	unsigned parts;
} referral_case_view;
int referral_case(const keyed_store *env, arena *a, const principal *p, int64_t id,
		  referral_case_view *out);

/* ---- services delivered during a referral (deliveries.c) ---- */
typedef struct referral_delivery {
	int64_t id, referral_id;
	const char *delivered_on, *type, *note, *created_at;
} referral_delivery;
/* What a provider records as given: accommodation (nights), meals, medical_care, counselling,
 * legal_advice, accompaniment, interpretation, training, cash_assistance, family_contact,
 * other. */
const char *const *referral_delivery_types(size_t *n);
/* The receiving organisation's staff record a service given to the person while the referral
 * is accepted or in service: on (YYYY-MM-DD, not in the future, not before the referral was
 * made), a type of referral_delivery_types(), a note (encrypted, at most 2,000 characters, or
 * NULL). version is the referral's as the form read it: PONTE_ECONFLICT, nothing recorded,
 * when the referral moved meanwhile or is not accepted or in service; the sending side is
 * PONTE_EDENIED, a referral the caller may not see PONTE_ENOTFOUND. Audited as
 * referral.delivery. */
int referral_delivery_add(const keyed_store *env, const principal *p, int64_t referral_id,
			  int64_t version, const char *on, const char *type, const char *note,
			  int64_t *id, field_errors *e);
/* The services delivered, by day: for both sides of the referral (the sender learns what its
 * person was given). */
typedef int (*referral_delivery_fn)(const referral_delivery *d, void *ctx);
int referral_delivery_list(const keyed_store *env, arena *a, const principal *p,
			   int64_t referral_id, referral_delivery_fn fn, void *ctx);

/* ---- the disclosure register (consent.c) ---- */
typedef struct disclosure {
	int64_t id, referral_id, consent_id;
	const char *recipient_code, *recipient_name, *categories, *basis, *at;
} disclosure;
typedef int (*disclosure_fn)(const disclosure *d, void *ctx);
int disclosure_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		    disclosure_fn fn, void *ctx);

#endif
