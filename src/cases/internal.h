/* internal.h: shared inside the cases module only. */
#ifndef PONTE_CASES_INTERNAL_H
#define PONTE_CASES_INTERNAL_H

#include "cases/cases.h"

/* The columns of a case as case_from_row() reads them (c: cases, o: its organisation). */
#define CASE_COLUMNS                                                                               \
	"c.id, c.version, c.organisation_id, c.owner_id, o.code, c.country, c.status, c.phase, "   \
	"c.closure_reason, c.first_name_enc, c.second_name_enc, c.identity_number_enc, "           \
	"c.mobile_phone_enc, c.gender, c.birthdate, coalesce(c.estimated_age, -1), "               \
	"c.citizenship, "                                                                          \
	"c.primary_language, c.trafficking_status, c.exploitation, c.created_at, c.updated_at, "   \
	"c.control, c.recruitment, c.relationship, c.labour_sector, coalesce(c.smuggled, ''), "    \
	"coalesce(c.risk, '')"
/* A row of CASE_COLUMNS, its personal fields decrypted into a; PONTE_ESTORE when one does
 * not decrypt (never shown as something else). */
int case_from_row(const identity_env *env, arena *a, store_stmt *st, case_record *c);

/* Record a reopening (decided as it is made) inside the caller's transaction; kind "reopen".
 * Closures are only ever recorded as requests, decided by someone else (closures.c). */
int case_closure_record(store_conn *c, int64_t case_id, const char *kind, const char *status,
			const char *reason, int64_t user_id, const char *now);

/* The case exists and the caller holds permission within its scope on it: 0, else
 * PONTE_ENOTFOUND (the case is not disclosed). Reading it is audited like any case read. */
int case_check(const identity_env *env, const principal *p, int64_t case_id,
	       const char *permission);

/* The scope test of every read of cases c, with ?1 the caller's scope of the permission
 * (1 own .. 4 all), ?2 country, ?3 organisation, ?4 user. */
#define CASE_IN_SCOPE                                                                              \
	"(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3) OR "        \
	"(?1 = 1 AND c.owner_id = ?4))"

/* ---- deadlines (clocks.c): one query helper for every list of what falls due ---- */
/* Called for each row of a deadline query; return non-zero to stop (that value is returned). */
typedef int (*case_due_row_fn)(const identity_env *env, arena *a, store_stmt *st, void *ctx);
/* Runs sql, a query of the cases c in the caller's scope of case.social.read: ?1 to ?4 bound as
 * CASE_IN_SCOPE wants them, then each of the nargs dates of args at ?5, ?6, ...; row for each
 * row, in the query's order. */
int case_due_query(const identity_env *env, arena *a, const principal *p, const char *sql,
		   const char *const *args, size_t nargs, case_due_row_fn row, void *ctx);
/* The row of a case_clock_fn query: the case's id, first_name_enc, second_name_enc, then
 * since and ends; ctx is a struct case_clock_ctx. */
struct case_clock_ctx {
	case_clock_fn fn;
	void *ctx;
};
int case_clock_row(const identity_env *env, arena *a, store_stmt *st, void *ctx);

/* case_get() without its audit event, for reads audited as a whole (a search). */
int case_get_unaudited(const identity_env *env, arena *a, const principal *p, int64_t id,
		       case_record *out);

/* Replace the name keys of a case (name_search.c), inside the caller's transaction. */
int case_name_keys_write(const identity_env *env, store_conn *c, int64_t case_id, const char *first,
			 const char *second);

#endif
