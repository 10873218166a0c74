/*
 * screening.h: indicator screening of a case: lists of indicators grouped in dimensions,
 * answered present, absent or unknown, and the result per dimension and for the whole.
 *
 * Invariants:
 * - Lists, dimensions, indicators, their words (EN/FR/PT) and the rules are data
 *   (migrations/0018_screening.sql), never code: a dimension is met when at least min_strong
 *   strong or min_medium medium indicators are present; the screening indicates trafficking
 *   when at least the list's min_dimensions dimensions are met.
 * - A screening keeps the list's version and the result as computed when it was taken, so a
 *   later change of the rules does not rewrite history. Notes are encrypted.
 * - Only who may write the case screens it; reading follows the case's scope.
 */
#ifndef PONTE_SCREENING_H
#define PONTE_SCREENING_H

#include "base/field_error.h"
#include "identity/identity.h"

#define SCR_MAX_ITEMS 64

typedef struct scr_list {
	const char *code, *audience, *exploitation, *name, *version;
	int min_dimensions;
} scr_list;
typedef int (*scr_list_fn)(const scr_list *l, void *ctx);
int scr_lists(store *db, arena *a, const char *lang, scr_list_fn fn, void *ctx);
/* The code of the list that fits a person: the children's lists for a child, the list of
 * sexual exploitation when the types of exploitation (HTCDS codes, comma-separated) include
 * it, the labour list otherwise; the first list configured when none matches. NULL when no
 * list is configured. */
const char *scr_list_for(store *db, arena *a, bool child, const char *exploitation);

typedef struct scr_item {
	const char *code, *dimension, *strength, *text, *dimension_text;
	int min_strong, min_medium;
} scr_item;
/* The indicators of a list, by dimension; PONTE_ENOTFOUND for an unknown list. */
int scr_items(store *db, arena *a, const char *list, const char *lang, scr_list *info,
	      scr_item *items, size_t *n);

typedef struct scr_answer {
	const char *indicator, *answer, *note; /* answer: present, absent, unknown */
} scr_answer;

typedef struct scr_result {
	char dimensions_met[512]; /* codes, comma-separated */
	size_t met;
	bool indicated;
} scr_result;

/* Compute the result of answers against the list's rules (no writing). */
int scr_evaluate(const scr_list *info, const scr_item *items, size_t nitems,
		 const scr_answer *answers, size_t n, scr_result *r, field_errors *e);
/* Record a screening of the case; unanswered indicators are unknown. */
int scr_add(const keyed_store *env, const principal *p, int64_t case_id, const char *list,
	    const scr_answer *answers, size_t n, int64_t *id, scr_result *r, field_errors *e);

typedef struct scr_record {
	int64_t id;
	const char *list, *list_name, *dimensions_met, *created_at;
	bool indicated;
} scr_record;
typedef int (*scr_record_fn)(const scr_record *s, void *ctx);
int scr_history(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		const char *lang, scr_record_fn fn, void *ctx);

#endif
