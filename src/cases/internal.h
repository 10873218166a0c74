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

/* The list of codes of a record's field (assistance_types(), ...): name(&n) is list and its
 * length. */
#define CASE_CODE_LIST(name, list)                                                                 \
	const char *const *name(size_t *n)                                                         \
	{                                                                                          \
		*n = ARRAY_LEN(list);                                                              \
		return list;                                                                       \
	}

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
/* case_write_begin() without the transaction, for a record written by one statement. */
int case_write_open(const keyed_store *env, int rc, const field_errors *e, store_conn **c,
		    char *now);
int case_write_end(const keyed_store *env, const principal *p, store_conn *c, int rc,
		   const char *action, int64_t case_id);
/* An encrypted column of a row whose id the ciphertext is bound to: "" when empty, NULL when
 * it does not decrypt. */
const char *case_secret_col(const keyed_store *env, arena *a, store_stmt *st, int col,
			    const char *table, const char *column, int64_t id);

/* A column of a record's list, read into the field of the record (a struct of cases.h) that it
 * names: a number, a yes/no, a text, or the encrypted text of table.column bound to the row's
 * id, which is column 0. Each CASE_* checks when compiled that the field has its kind's C type. */
typedef enum case_col_kind {
	CASE_COL_INT,
	CASE_COL_BOOL,
	CASE_COL_TEXT,
	CASE_COL_SECRET
} case_col_kind;
typedef struct case_col {
	size_t at;
	case_col_kind kind;
	const char *table, *column;
} case_col;
/* clang-format off */
#define CASE_COL_OF(T, f, type) \
	(offsetof(T, f) + 0 * sizeof(char[_Generic(((T *)0)->f, type: 1, default: -1)]))
#define CASE_INT(T, f) { CASE_COL_OF(T, f, int64_t), CASE_COL_INT, NULL, NULL }
#define CASE_BOOL(T, f) { CASE_COL_OF(T, f, bool), CASE_COL_BOOL, NULL, NULL }
#define CASE_TEXT(T, f) { CASE_COL_OF(T, f, const char *), CASE_COL_TEXT, NULL, NULL }
#define CASE_SECRET(T, f, table) { CASE_COL_OF(T, f, const char *), CASE_COL_SECRET, table, #f }
/* clang-format on */
/* The n columns cols of the row st (column i of the statement into cols[i]) read into record,
 * texts copied into a; an encrypted text that does not decrypt is NULL. */
void case_row_fill(const keyed_store *env, arena *a, store_stmt *st, const case_col *cols, size_t n,
		   void *record);
/* A record's list on a case as cases.h declares it, name(env, a, p, case_id, fn, ctx): sql read
 * with case_rows(), each row read by the columns cols into a record of type, given to fn. */
#define CASE_RECORD_LIST(name, type, fn_type, sql, cols)                                           \
	struct name##_rows {                                                                       \
		fn_type fn;                                                                        \
		void *ctx;                                                                         \
	};                                                                                         \
	static int name##_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)         \
	{                                                                                          \
		const struct name##_rows *r = ctx;                                                 \
		type x;                                                                            \
		case_row_fill(env, a, st, cols, ARRAY_LEN(cols), &x);                              \
		return r->fn(&x, r->ctx);                                                          \
	}                                                                                          \
	int name(const keyed_store *env, arena *a, const principal *p, int64_t case_id,            \
		 fn_type fn, void *ctx)                                                            \
	{                                                                                          \
		struct name##_rows r = { fn, ctx };                                                \
		return case_rows(env, a, p, case_id, sql, name##_row, &r);                         \
	}

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
