/* The engine of the case-file sections: validation from the descriptors, SQL built once from
 * them (statements are cached by address, so the text must live as long as the process),
 * the scope of the case checked with the section's tier, secrets encrypted under the entry. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>

#include "base/clock.h"
#include "cases/internal.h"
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

#define MAX_SECTIONS 16
#define SQL_LEN 1024

struct section_sql {
	char insert[SQL_LEN], secrets[SQL_LEN], update[SQL_LEN], list[SQL_LEN], get[SQL_LEN];
	char version[SQL_LEN];
};
static struct section_sql SQL[MAX_SECTIONS];
static pthread_once_t SQL_ONCE = PTHREAD_ONCE_INIT;

/* clang-format off */
static const char SQL_PROCEEDINGS_CASES[] =
    "SELECT c.id, c.phase, c.status, count(t.id), CASE WHEN coalesce(max(t.updated_at), '') > "
    "c.updated_at THEN coalesce(max(t.updated_at), '') ELSE c.updated_at END AS changed FROM cases c LEFT JOIN proceedings t ON t.case_id = c.id "
    "WHERE " CASE_IN_SCOPE " AND ((c.phase = 'proceedings' AND c.status IN "
    "('Active', 'FollowUp')) OR EXISTS (SELECT 1 FROM proceedings q WHERE q.case_id = c.id)) "
    "GROUP BY c.id ORDER BY changed DESC, c.id DESC LIMIT 200";
/* clang-format on */

static bool secret(const section_field *f)
{
	return f->kind == SK_SECRET;
}

/* Appends to a fixed buffer; the descriptors are small and known, so truncation is a bug
 * caught by the first test that uses the section. */
static void put(char *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(char *s, const char *fmt, ...)
{
	size_t n = strlen(s);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s + n, SQL_LEN - n, fmt, ap);
	va_end(ap);
}

/* The column list in field order, secrets as <name>_enc. */
static void columns(char *s, const section_def *d)
{
	for (size_t i = 0; i < d->nfields; i++)
		put(s, ", %s%s", d->fields[i].name, secret(&d->fields[i]) ? "_enc" : "");
}

static void build_one(struct section_sql *q, const section_def *d)
{
	/* Plain values go in with the insert (?5...), secrets after it, under the new id. */
	put(q->insert, "INSERT INTO %s(case_id, created_by, created_at, updated_at", d->table);
	for (size_t i = 0; i < d->nfields; i++)
		if (!secret(&d->fields[i]))
			put(q->insert, ", %s", d->fields[i].name);
	put(q->insert, ") VALUES (?1, ?2, ?3, ?3");
	for (size_t i = 0, k = 4; i < d->nfields; i++)
		if (!secret(&d->fields[i]))
			put(q->insert, ", ?%zu", k++);
	put(q->insert, ")");

	put(q->secrets, "UPDATE %s SET id = id", d->table);
	for (size_t i = 0; i < d->nfields; i++)
		if (secret(&d->fields[i]))
			put(q->secrets, ", %s_enc = ?%zu", d->fields[i].name, i + 2);
	put(q->secrets, " WHERE id = ?1");

	put(q->update, "UPDATE %s SET version = version + 1, updated_at = ?4", d->table);
	for (size_t i = 0; i < d->nfields; i++)
		put(q->update, ", %s%s = ?%zu", d->fields[i].name,
		    secret(&d->fields[i]) ? "_enc" : "", i + 5);
	put(q->update, " WHERE id = ?1 AND case_id = ?2 AND version = ?3");

	put(q->list, "SELECT id, version, created_by, created_at, updated_at");
	columns(q->list, d);
	put(q->list, " FROM %s WHERE case_id = ?1 ORDER BY %s DESC, id DESC LIMIT 500", d->table,
	    d->order_by ? d->order_by : "id");

	put(q->get, "SELECT id, version, created_by, created_at, updated_at");
	columns(q->get, d);
	put(q->get, " FROM %s WHERE case_id = ?1 AND id = ?2", d->table);

	put(q->version, "SELECT version FROM %s WHERE case_id = ?1 AND id = ?2", d->table);
}

static void build(void)
{
	for (size_t i = 0; i < section_count() && i < MAX_SECTIONS; i++)
		build_one(&SQL[i], section_at(i));
}

static const struct section_sql *sql_of(const section_def *d)
{
	pthread_once(&SQL_ONCE, build);
	return &SQL[d - section_at(0)];
}

static const char *permission(const section_def *d, bool write)
{
	if (strcmp(d->tier, "proceedings") == 0)
		return write ? "case.proceedings.write" : "case.proceedings.read";
	return write ? "case.social.write" : "case.social.read";
}

/* The case, for the caller's right to read or write this section; its country for the
 * section's defaults. Not the case get of the social file: a proceedings reader may not read
 * names. */
static int scope(const keyed_store *env, const principal *p, const section_def *d, int64_t case_id,
		 bool write, char country[8])
{
	return case_in_scope(env, p, case_id, permission(d, write), country);
}

bool section_writable(const keyed_store *env, const principal *p, const section_def *d,
		      int64_t case_id)
{
	char country[8];
	return scope(env, p, d, case_id, true, country) == 0;
}

static bool code_known(const section_field *f, const char *code, size_t len)
{
	for (size_t i = 0; i < f->ncodes; i++)
		if (strlen(f->codes[i].code) == len && memcmp(f->codes[i].code, code, len) == 0)
			return true;
	return false;
}

static bool codes_known(const section_field *f, const char *csv)
{
	for (const char *s = csv;;) {
		size_t len = strcspn(s, ",");
		if (!code_known(f, s, len))
			return false;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

static bool int_valid(const section_field *f, const char *v)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	return !errno && end != v && !*end && n >= f->min && n <= f->max;
}

/* One field's value against its kind; v is never NULL, "" is "not given". */
static void check_field(store *db, const section_def *d, const section_field *f, const char **v,
			size_t i, field_errors *e)
{
	const char *s = v[i];
	bool future = false;
	if (!*s) {
		if (f->required)
			field_errors_add(e, f->name, N_("This is needed."));
		return;
	}
	switch (f->kind) {
	case SK_DATE:
	case SK_DATE_ANY:
		if (!case_date_valid(s, &future) || (future && f->kind == SK_DATE))
			field_errors_add(
			    e, f->name,
			    f->kind == SK_DATE
				? N_("Give a real date, not in the future (YYYY-MM-DD).")
				: N_("Give a real date (YYYY-MM-DD)."));
		else if (f->not_before) {
			int j = section_field_index(d, f->not_before);
			if (j >= 0 && *v[j] && strcmp(s, v[j]) < 0)
				field_errors_add(e, f->name,
						 N_("This date is before the one it follows."));
		}
		break;
	case SK_CODE:
		if (!code_known(f, s, strlen(s)))
			field_errors_add(e, f->name, N_("Choose from the list."));
		break;
	case SK_CODES:
		if (!codes_known(f, s))
			field_errors_add(e, f->name, N_("Choose from the list."));
		break;
	case SK_COUNTRY:
		if (!country_known(db, s))
			field_errors_add(e, f->name, N_("Choose a country from the list."));
		break;
	case SK_TEXT:
	case SK_SECRET:
		if (strlen(s) > (size_t)f->max)
			field_errors_add(e, f->name, N_("This is too long."));
		break;
	case SK_BOOL:
		if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
			field_errors_add(e, f->name, N_("Tick it or leave it."));
		break;
	case SK_INT:
		if (!int_valid(f, s))
			field_errors_add(e, f->name, N_("Give a whole number in the range shown."));
		break;
	}
}

/* Copies values (NULL as "") into v, fills the section's defaults, checks every field. */
static int validate(const keyed_store *env, arena *a, const section_def *d, const char *country,
		    const char *const *values, const char **v, field_errors *e)
{
	field_errors_clear(e);
	for (size_t i = 0; i < d->nfields; i++)
		v[i] = values[i] ? values[i] : "";
	if (d->prepare)
		d->prepare(env->db, a, country, v);
	for (size_t i = 0; i < d->nfields; i++)
		check_field(env->db, d, &d->fields[i], v, i, e);
	return e->count ? PONTE_EINVAL : 0;
}

static int bind_value(store_stmt *st, int k, const section_field *f, const char *s)
{
	if (f->kind == SK_BOOL)
		return store_bind_int64(st, k, strcmp(s, "1") == 0);
	if (f->kind == SK_INT)
		return *s ? store_bind_int64(st, k, strtol(s, NULL, 10)) : store_bind_null(st, k);
	return store_bind_text(st, k, s, strlen(s));
}

/* Each secret of the entry, encrypted under its id, bound at ?(i + base). */
static int bind_secrets(const keyed_store *env, const section_def *d, store_stmt *st, int64_t id,
			const char **v, int base)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < d->nfields; i++) {
		if (!secret(&d->fields[i]))
			continue;
		if (!*v[i]) {
			rc = store_bind_null(st, (int)i + base);
			continue;
		}
		buf b;
		buf_init(&b, 1u << 16);
		rc = field_encrypt(env, d->table, d->fields[i].name, id, v[i], &b);
		if (!rc)
			rc = store_bind_blob(st, (int)i + base, b.data, b.len);
		buf_release(&b);
	}
	return rc;
}

static char *audit_action(char out[64], const section_def *d, const char *what)
{
	snprintf(out, 64, "case.%s.%s", d->name, what);
	return out;
}

int section_add(const keyed_store *env, const principal *p, const section_def *d, int64_t case_id,
		const char *const *values, int64_t *id, field_errors *e)
{
	const struct section_sql *q = sql_of(d);
	char country[8] = "", action[64];
	const char *v[SECTION_MAX_FIELDS];
	arena a;
	arena_init(&a, 4096);
	field_errors_clear(e);
	int rc = scope(env, p, d, case_id, true, country);
	if (!rc)
		rc = validate(env, &a, d, country, values, v, e);
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	if (!(rc = store_prepare(c, q->insert, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_int64(st, 2, p->user_id);
		store_bind_text(st, 3, now, strlen(now));
		for (size_t i = 0, k = 4; !rc && i < d->nfields; i++)
			if (!secret(&d->fields[i]))
				rc = bind_value(st, (int)k++, &d->fields[i], v[i]);
		if (!rc)
			rc = store_run(st);
		*id = store_last_insert_id(c);
	}
	if (!rc && !(rc = store_prepare(c, q->secrets, &st))) {
		store_bind_int64(st, 1, *id);
		rc = bind_secrets(env, d, st, *id, v, 2);
		if (!rc)
			rc = store_run(st);
	}
	if (!rc)
		rc = principal_audit(env->db, p, audit_action(action, d, "add"), "case", case_id,
				     "success", true);
	rc = store_finish(c, rc);
	arena_release(&a);
	return rc;
}

static int current_version(store_conn *c, const struct section_sql *q, int64_t case_id,
			   int64_t entry_id, int64_t *version)
{
	store_stmt *st;
	int rc = store_prepare(c, q->version, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	store_bind_int64(st, 2, entry_id);
	rc = store_step(st);
	*version = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
}

int section_update(const keyed_store *env, const principal *p, const section_def *d,
		   int64_t case_id, int64_t entry_id, int64_t version, const char *const *values,
		   field_errors *e, int64_t *current)
{
	const struct section_sql *q = sql_of(d);
	char country[8] = "", action[64];
	const char *v[SECTION_MAX_FIELDS];
	arena a;
	arena_init(&a, 4096);
	field_errors_clear(e);
	*current = 0;
	int rc = scope(env, p, d, case_id, true, country);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = current_version(c, q, case_id, entry_id, current);
	if (!rc && *current != version)
		rc = PONTE_ECONFLICT;
	if (!rc)
		rc = validate(env, &a, d, country, values, v, e);
	if (!rc && !(rc = store_prepare(c, q->update, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, entry_id);
		store_bind_int64(st, 2, case_id);
		store_bind_int64(st, 3, version);
		store_bind_text(st, 4, now, strlen(now));
		for (size_t i = 0; !rc && i < d->nfields; i++)
			if (!secret(&d->fields[i]))
				rc = bind_value(st, (int)i + 5, &d->fields[i], v[i]);
		if (!rc)
			rc = bind_secrets(env, d, st, entry_id, v, 5);
		if (!rc)
			rc = store_step(st);
		store_reset(st);
		/* Another edit between the read and this write: the version moved. */
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
		if (!rc)
			*current = version + 1;
		else if (rc == PONTE_ECONFLICT)
			current_version(c, q, case_id, entry_id, current);
	}
	/* A conflict is a refused edit: "failure" (the trail's outcomes are success, failure
	 * and denied; anything else is refused by its check and the event lost). */
	if (rc != PONTE_ENOTFOUND)
		principal_audit(env->db, p, audit_action(action, d, "edit"), "case", case_id,
				rc ? "failure" : "success", false);
	arena_release(&a);
	return rc;
}

static int from_row(const keyed_store *env, arena *a, const section_def *d, store_stmt *st,
		    section_entry *x)
{
	memset(x, 0, sizeof(*x));
	x->id = store_col_int64(st, 0);
	x->version = store_col_int64(st, 1);
	x->created_by = store_col_int64(st, 2);
	x->created_at = store_col_dup(a, st, 3);
	x->updated_at = store_col_dup(a, st, 4);
	for (size_t i = 0; i < d->nfields; i++) {
		int col = (int)i + 5;
		if (secret(&d->fields[i])) {
			size_t n;
			const void *b = store_col_blob(st, col, &n);
			x->values[i] =
			    n ? field_decrypt(env, a, d->table, d->fields[i].name, x->id, b, n)
			      : "";
			if (!x->values[i])
				return PONTE_ESTORE; /* a ciphertext that does not open */
		} else {
			x->values[i] = store_col_dup(a, st, col);
		}
	}
	return 0;
}

/* sql (a section's list or get) prepared with ?1 the case's id, once the case is in the caller's
 * scope of reading the section. */
static int prepare_read(const keyed_store *env, const principal *p, const section_def *d,
			int64_t case_id, const char *sql, store_stmt **st)
{
	char country[8];
	int rc = scope(env, p, d, case_id, false, country);
	if (!rc)
		rc = store_stmt_get(env->db, sql, st);
	if (!rc)
		store_bind_int64(*st, 1, case_id);
	return rc;
}

int section_list(const keyed_store *env, arena *a, const principal *p, const section_def *d,
		 int64_t case_id, section_fn fn, void *ctx)
{
	char action[64];
	store_stmt *st;
	int rc = prepare_read(env, p, d, case_id, sql_of(d)->list, &st);
	if (rc)
		return rc;
	section_entry x;
	while ((rc = store_step(st)) == STORE_ROW) {
		if ((rc = from_row(env, a, d, st, &x)) || (rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	principal_audit_read(env->db, p, audit_action(action, d, "read"), "case", case_id,
			     rc ? "failure" : "success");
	return rc;
}

int section_get(const keyed_store *env, arena *a, const principal *p, const section_def *d,
		int64_t case_id, int64_t entry_id, section_entry *out)
{
	store_stmt *st;
	int rc = prepare_read(env, p, d, case_id, sql_of(d)->get, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 2, entry_id);
	if (!(rc = store_step_one(st))) {
		rc = from_row(env, a, d, st, out);
		store_reset(st);
	}
	return rc;
}

int proceedings_cases(const keyed_store *env, const principal *p, proceedings_case_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int scope_of = principal_scope(p, "case.proceedings.read");
	if (scope_of <= 0)
		return 0;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_PROCEEDINGS_CASES, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, scope_of);
	store_bind_text(st, 2, p->country, strlen(p->country));
	store_bind_int64(st, 3, p->organisation_id);
	store_bind_int64(st, 4, p->user_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		proceedings_case x = { .case_id = store_col_int64(st, 0),
				       .phase = store_col_text(st, 1, NULL),
				       .status = store_col_text(st, 2, NULL),
				       .proceedings = store_col_int64(st, 3),
				       .changed_at = store_col_text(st, 4, NULL) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
