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
	"c.control, c.recruitment, c.relationship, c.labour_sector, "                              \
	"coalesce(CAST(c.smuggled AS TEXT), ''), coalesce(c.risk, '')"
/* A row of CASE_COLUMNS, its personal fields decrypted into a; PONTE_ESTORE when one does
 * not decrypt (never shown as something else). */
int case_from_row(const keyed_store *env, arena *a, store_stmt *st, case_record *c);

/* Record a reopening (decided as it is made) inside the caller's transaction; kind "reopen".
 * Closures are only ever recorded as requests, decided by someone else (closures.c). */
int case_closure_record(store_conn *c, int64_t case_id, const char *kind, const char *status,
			const char *reason, int64_t user_id, const char *now);

/* The case exists and the caller holds permission within its scope on it: 0, else
 * PONTE_ENOTFOUND (the case is not disclosed). Reading it is audited like any case read. */
int case_check(const keyed_store *env, const principal *p, int64_t case_id, const char *permission);

/* The scope test of every read of cases c, with ?1 the caller's scope of the permission
 * (1 own .. 4 all), ?2 country, ?3 organisation, ?4 user. */
#define CASE_IN_SCOPE                                                                              \
	"(?1 = 4 OR (?1 = 3 AND c.country = ?2) OR (?1 = 2 AND c.organisation_id = ?3) OR "        \
	"(?1 = 1 AND c.owner_id = ?4))"

/* ---- the shared record helper (records.c) of the hand-written records ---- */
/* The case exists and the caller holds permission within its scope on it: 0 and its country,
 * else PONTE_ENOTFOUND. Not audited, and not the read of the social file: a proceedings
 * reader may not read names (the sections' engine), nor need a safety review's author. */
int case_in_scope(const keyed_store *env, const principal *p, int64_t case_id,
		  const char *permission, char country[8]);
/* A value bound to a statement's parameter: a number, a text, or NULL (CV_TEXT(NULL)). */
typedef struct case_value {
	bool is_int;
	int64_t i;
	const char *s;
} case_value;
#define CV_INT(v) ((case_value){ .is_int = true, .i = (v) })
#define CV_TEXT(v) ((case_value){ .s = (v) })
/* Called for each row read; a non-zero return stops the reading and is returned when it is an
 * error (negative), 0 otherwise (as the list callbacks of cases.h do). */
typedef int (*case_row_fn)(const keyed_store *env, arena *a, store_stmt *st, void *ctx);

/* Runs sql (an INSERT or UPDATE) with the n values bound at ?1, ?2 ...; *id (id may be NULL)
 * is then the id of the row inserted. */
int case_row_write(store_conn *c, const char *sql, const case_value *v, size_t n, int64_t *id);
/* case_row_write() of an UPDATE that must change exactly one row: PONTE_ECONFLICT when it
 * changed none (the row moved on meanwhile). */
int case_row_change(store_conn *c, const char *sql, const case_value *v, size_t n);
/* Runs the query sql with the n values bound at ?1 ...; row for each row; *count (count may be
 * NULL) the rows read. */
int case_row_read(const keyed_store *env, arena *a, store_conn *c, const char *sql,
		  const case_value *v, size_t n, case_row_fn row, void *ctx, size_t *count);
/* The number in the first column of the first row of sql with key at ?1 (an id, a count):
 * PONTE_ENOTFOUND when there is no row. */
int case_row_int(store_conn *c, const char *sql, int64_t key, int64_t *out);
/* A record's list on a case: the case read as case_get() reads it (audited; PONTE_ENOTFOUND
 * outside the caller's scope of case.social.read), then sql with ?1 the case's id. */
int case_rows(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
	      const char *sql, case_row_fn row, void *ctx);
/* A list across cases c in the caller's scope of permission (deadlines, approvals waiting):
 * ?1 to ?4 bound as CASE_IN_SCOPE wants them, then the nargs texts of args at ?5, ?6 ... */
int case_scope_query(const keyed_store *env, arena *a, const principal *p, const char *permission,
		     const char *sql, const char *const *args, size_t nargs, case_row_fn row,
		     void *ctx);
/* A record's write in one transaction. case_write_begin(): rc is the case's check (0 when the
 * caller may write it); PONTE_EINVAL when e holds errors, else a transaction begun on *c and
 * now (CLOCK_RFC3339_LEN) the time of the write.
 * case_write_end(): with rc 0, the audit event action on the case (success) and the commit;
 * on any error the rollback. Each returns rc or what failed. */
int case_write_begin(const keyed_store *env, int rc, const field_errors *e, store_conn **c,
		     char *now);
int case_write_end(const keyed_store *env, const principal *p, store_conn *c, int rc,
		   const char *action, int64_t case_id);
/* An encrypted column of a row whose id the ciphertext is bound to: "" when empty, NULL when
 * it does not decrypt. */
const char *case_secret_col(const keyed_store *env, arena *a, store_stmt *st, int col,
			    const char *table, const char *column, int64_t id);

/* The row of a case_clock_fn query (clocks.c): the case's id, first_name_enc,
 * second_name_enc, then since and ends; ctx is a struct case_clock_ctx. */
struct case_clock_ctx {
	case_clock_fn fn;
	void *ctx;
};
int case_clock_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx);

/* case_get() without its audit event, for reads audited as a whole (a search). */
int case_get_unaudited(const keyed_store *env, arena *a, const principal *p, int64_t id,
		       case_record *out);

/* Replace the name keys of a case (name_search.c), inside the caller's transaction. */
int case_name_keys_write(const keyed_store *env, store_conn *c, int64_t case_id, const char *first,
			 const char *second);

#endif
