/*
 * sections.h: the parts of the case file that are lists of entries (immediate needs,
 * residence permits, compensation claims, reintegration plans and visits, trafficking events,
 * notes; proceedings, hearings, perpetrators), kept by one engine from descriptors.
 *
 * Invariants:
 * - A section is data (section_defs.c): its table, its fields with their kind, codes, limits
 *   and labels, its tier. The SQL is built once from the descriptors (never from input).
 * - Tier "file" needs case.social.read / case.social.write, tier "proceedings" needs
 *   case.proceedings.read / case.proceedings.write, each within its scope on the case's
 *   owner, organisation and country; outside it the case is "not found". A proceedings
 *   reader never needs the social file, and a social reader never sees proceedings.
 * - Secret fields are stored in <name>_enc, encrypted under (table, name, entry id), written
 *   in the same transaction as the entry.
 * - Every change raises the entry's version; an edit based on another version is
 *   PONTE_ECONFLICT and changes nothing. Reads and writes are audited (never the content).
 * - Values travel as strings: dates YYYY-MM-DD, codes as codes, several codes "a,b", booleans
 *   "1"/"0", integers in decimal; "" is "not given".
 */
#ifndef PONTE_CASES_SECTIONS_H
#define PONTE_CASES_SECTIONS_H

#include "cases/cases.h"

#define SECTION_MAX_FIELDS 12

typedef enum section_kind {
	SK_DATE,     /* a real date, not in the future */
	SK_DATE_ANY, /* a real date, future allowed (expiry, deadline, hearing) */
	SK_CODE,     /* one of codes */
	SK_CODES,    /* any of codes, comma-separated */
	SK_COUNTRY,  /* a known ISO 3166 code */
	SK_TEXT,     /* short words that do not identify (an authority, a court), at most max */
	SK_SECRET,   /* words that can identify: encrypted, at most max characters */
	SK_BOOL,     /* "1" or "0" (a form sends nothing for unticked) */
	SK_INT,      /* from min to max */
} section_kind;

typedef struct section_field {
	const char *name;  /* column (secret: name_enc), form field and JSON key */
	const char *label; /* msgid */
	section_kind kind;
	bool required;
	const case_code *codes; /* SK_CODE, SK_CODES */
	size_t ncodes;
	int min, max;           /* SK_INT range; SK_TEXT and SK_SECRET: max length */
	const char *not_before; /* a date field this date may not precede */
	const char *hint;       /* msgid or NULL */
} section_field;

typedef struct section_def {
	const char *name; /* the address segment: /cases/{id}/<tier>/<name> */
	const char *tier; /* "file" or "proceedings" */
	const char *table;
	const char *title; /* msgid */
	const char *intro; /* msgid */
	const section_field *fields;
	size_t nfields;
	const char *order_by; /* the date field entries are listed by, newest first */
	const char *summary;  /* the field the timeline shows (a code) */
	/* Defaults decided from the case (e.g. a deadline from the country's rule); may be NULL.
	 * values are in field order and may be replaced by strings from a. */
	void (*prepare)(store *db, arena *a, const char *country, const char **values);
	const char *phase; /* the SOP phase whose tab of the case page shows it */
} section_def;

typedef struct section_entry {
	int64_t id, version, created_by;
	const char *created_at, *updated_at;
	const char *values[SECTION_MAX_FIELDS]; /* field order */
} section_entry;

size_t section_count(void);
const section_def *section_at(size_t i);
/* NULL when no section of that tier has the name. */
const section_def *section_find(const char *tier, const char *name);
/* The index of a field by name, or -1. */
int section_field_index(const section_def *d, const char *name);
/* The label msgid of a code of a field, or the code itself. */
const char *section_code_label(const section_field *f, const char *code);

/* Add an entry; values in field order (NULL as ""). */
int section_add(const keyed_store *env, const principal *p, const section_def *d, int64_t case_id,
		const char *const *values, int64_t *id, field_errors *e);
/* Replace an entry's values; PONTE_ECONFLICT (and *current) when version is not its version. */
int section_update(const keyed_store *env, const principal *p, const section_def *d,
		   int64_t case_id, int64_t entry_id, int64_t version, const char *const *values,
		   field_errors *e, int64_t *current);
typedef int (*section_fn)(const section_entry *x, void *ctx);
/* Newest first. */
int section_list(const keyed_store *env, arena *a, const principal *p, const section_def *d,
		 int64_t case_id, section_fn fn, void *ctx);
int section_get(const keyed_store *env, arena *a, const principal *p, const section_def *d,
		int64_t case_id, int64_t entry_id, section_entry *out);
/* May the caller write this section of this case (for showing the forms)? */
bool section_writable(const keyed_store *env, const principal *p, const section_def *d,
		      int64_t case_id);

/* The cases in proceedings in the caller's scope of case.proceedings.read: open cases in the
 * proceedings phase and every case with a proceeding recorded, latest change first (at most
 * 200). Nothing of the social file: the phase, the status, the number of proceedings, the
 * latest change of the case or of its proceedings (valid during the call). */
typedef struct proceedings_case {
	int64_t case_id, proceedings;
	const char *phase, *status, *changed_at;
} proceedings_case;
typedef int (*proceedings_case_fn)(const proceedings_case *x, void *ctx);
int proceedings_cases(const keyed_store *env, const principal *p, proceedings_case_fn fn,
		      void *ctx);

/* ---- clocks of the sections (section_clocks.c) ---- */
typedef struct section_due {
	int64_t case_id, entry_id;
	const char *section, *what, *due_on; /* what: a code (permit status, claim route) */
} section_due;
typedef int (*section_due_fn)(const section_due *x, void *ctx);
/* Permits expiring within the country's permit_notice_days of today (or expired, while the
 * case is open) and planned compensation claims whose filing deadline is on or before until,
 * in the caller's scope (case.social.read), soonest first. */
int sections_due(const keyed_store *env, arena *a, const principal *p, const char *today,
		 const char *until, section_due_fn fn, void *ctx);

#endif
