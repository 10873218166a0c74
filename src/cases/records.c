/* The shared record helper of the case file's hand-written records (contacts, safety
 * assessments, support plans, returns, closures, assistance, attachments, children, clocks): a
 * statement run with its values, its rows read one by one, the case's list of a record after the
 * case's own read check, the lists in the reader's scope, and an encrypted column read back. */
#include "base/clock.h"
#include "cases/internal.h"
#include "identity/fields.h"

static const char SQL_CASE[] = "SELECT owner_id, organisation_id, country FROM cases WHERE id = ?1";

int case_in_scope(const keyed_store *env, const principal *p, int64_t case_id,
		  const char *permission, char country[8])
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_CASE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	rc = store_step(st);
	bool seen = false;
	if (rc == STORE_ROW) {
		snprintf(country, 8, "%s", store_col_text(st, 2, NULL));
		seen = principal_can_see(p, permission, store_col_int64(st, 0),
					 store_col_int64(st, 1), country);
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	return seen ? 0 : PONTE_ENOTFOUND;
}

static int bind_all(store_stmt *st, const case_value *v, size_t n)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		int k = (int)i + 1;
		if (v[i].is_int)
			rc = store_bind_int64(st, k, v[i].i);
		else if (v[i].s)
			rc = store_bind_text(st, k, v[i].s, strlen(v[i].s));
		else
			rc = store_bind_null(st, k);
	}
	return rc;
}

int case_row_write(store_conn *c, const char *sql, const case_value *v, size_t n, int64_t *id)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	rc = bind_all(st, v, n);
	if (!rc)
		rc = store_step(st);
	store_reset(st);
	if (id)
		*id = store_last_insert_id(c);
	return rc < 0 ? rc : 0;
}

int case_row_change(store_conn *c, const char *sql, const case_value *v, size_t n)
{
	int rc = case_row_write(c, sql, v, n, NULL);
	return rc ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
}

int case_row_read(const keyed_store *env, arena *a, store_conn *c, const char *sql,
		  const case_value *v, size_t n, case_row_fn row, void *ctx, size_t *count)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	size_t seen = 0;
	rc = bind_all(st, v, n);
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		seen++;
		rc = row(env, a, st, ctx);
	}
	store_reset(st);
	if (count)
		*count = seen;
	return rc < 0 ? rc : 0;
}

static int int_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	(void)env;
	(void)a;
	*(int64_t *)ctx = store_col_int64(st, 0);
	return 0;
}

int case_row_int(store_conn *c, const char *sql, int64_t key, int64_t *out)
{
	size_t found = 0;
	int rc = case_row_read(NULL, NULL, c, sql, &CV_INT(key), 1, int_row, out, &found);
	return rc ? rc : found ? 0 : PONTE_ENOTFOUND;
}

int case_rows(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
	      const char *sql, case_row_fn row, void *ctx)
{
	case_record cr;
	int rc = case_get(env, a, p, case_id, &cr);
	store_conn *c;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = case_row_read(env, a, c, sql, &CV_INT(case_id), 1, row, ctx, NULL);
	return rc;
}

int case_scope_query(const keyed_store *env, arena *a, const principal *p, const char *permission,
		     const char *sql, const char *const *args, size_t nargs, case_row_fn row,
		     void *ctx)
{
	case_value v[8] = { CV_INT(principal_scope(p, permission)), CV_TEXT(p->country),
			    CV_INT(p->organisation_id), CV_INT(p->user_id) };
	size_t n = 4;
	for (size_t i = 0; i < nargs && n < ARRAY_LEN(v); i++)
		v[n++] = CV_TEXT(args[i]);
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	return rc ? rc : case_row_read(env, a, c, sql, v, n, row, ctx, NULL);
}

int case_write_open(const keyed_store *env, int rc, const field_errors *e, store_conn **c,
		    char *now)
{
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	if (!rc && !(rc = store_conn_get(env->db, c)))
		clock_format_rfc3339(clock_wall_ms(), now);
	return rc;
}

int case_write_begin(const keyed_store *env, int rc, const field_errors *e, store_conn **c,
		     char *now)
{
	if (!(rc = case_write_open(env, rc, e, c, now)))
		rc = store_begin(*c);
	return rc;
}

int case_write_end(const keyed_store *env, const principal *p, store_conn *c, int rc,
		   const char *action, int64_t case_id)
{
	if (!rc)
		rc = principal_audit(env->db, p, action, "case", case_id, "success", true);
	return store_finish(c, rc);
}

void case_row_fill(const keyed_store *env, arena *a, store_stmt *st, const case_col *cols, size_t n,
		   void *record)
{
	int64_t id = store_col_int64(st, 0);
	for (size_t i = 0; i < n; i++) {
		char *field = (char *)record + cols[i].at;
		int col = (int)i;
		switch (cols[i].kind) {
		case CASE_COL_INT: *(int64_t *)field = store_col_int64(st, col); break;
		case CASE_COL_BOOL: *(bool *)field = store_col_int64(st, col) != 0; break;
		case CASE_COL_TEXT: *(const char **)field = store_col_dup(a, st, col); break;
		case CASE_COL_SECRET:
			*(const char **)field =
			    case_secret_col(env, a, st, col, cols[i].table, cols[i].column, id);
			break;
		}
	}
}

const char *case_secret_col(const keyed_store *env, arena *a, store_stmt *st, int col,
			    const char *table, const char *column, int64_t id)
{
	size_t n;
	const void *b = store_col_blob(st, col, &n);
	return n ? field_decrypt(env, a, table, column, id, b, n) : "";
}
