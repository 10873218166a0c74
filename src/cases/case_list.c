/* The case list (cases.h): a filter read from an address, one page of the cases of a scope in
 * an order, a count that stops at CASE_COUNT_CAP, and the filter each user last used. */
#include <pthread.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/format.h"
#include "i18n/i18n.h"

static const char *const SORT_NAMES[CASE_SORT_COUNT] = {
	[CASE_SORT_UPDATED] = "updated", [CASE_SORT_REGISTERED] = "registered",
	[CASE_SORT_NUMBER] = "number",   [CASE_SORT_PHASE] = "phase",
	[CASE_SORT_STATUS] = "status",   [CASE_SORT_VICTIM_STATUS] = "victim_status",
	[CASE_SORT_RISK] = "risk",       [CASE_SORT_NATIONALITY] = "nationality",
	[CASE_SORT_WORKER] = "worker",
};

/* What each order sorts on: the last change in the order of the scope's index (migration
 * 0047); a registration by the case number, which follows the order of registration; the
 * phase in the order of the SOP, the status, victim status and risk in the order of their
 * vocabularies; a country and a worker by the place of its code or id in an order given with
 * the statement (?15: country codes in the order of their names in the reader's language,
 * "PT,ES,NE,"; worker ids in the order of their names, ",3,17,"). What an order does not name
 * (no assessment, no citizenship, a worker gone) comes last either way. */
static const struct {
	const char *key;
	bool nulls; /* the key may be NULL: those come last */
} SORT_KEYS[CASE_SORT_COUNT] = {
	[CASE_SORT_UPDATED] = { "c.updated_at", false },
	[CASE_SORT_REGISTERED] = { "c.id", false },
	[CASE_SORT_NUMBER] = { "c.id", false },
	[CASE_SORT_PHASE] = { "CASE c.phase WHEN 'identification' THEN 1 WHEN 'protection' THEN 2 "
			      "WHEN 'assistance' THEN 3 WHEN 'return' THEN 4 ELSE 5 END",
			      false },
	[CASE_SORT_STATUS] = { "CASE c.status WHEN 'Active' THEN 1 WHEN 'FollowUp' THEN 2 "
			       "WHEN 'Closed' THEN 3 ELSE 4 END",
			       false },
	[CASE_SORT_VICTIM_STATUS] = { "CASE c.trafficking_status WHEN "
				      "'PossibleVictimOfTrafficking' THEN 1 WHEN "
				      "'ActualVictimOfTrafficking' THEN 2 ELSE 3 END",
				      false },
	[CASE_SORT_RISK] = { "CASE c.risk WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' "
			     "THEN 3 END",
			     true },
	/* Codes of two capital letters between commas: one matches only at a code's place. */
	[CASE_SORT_NATIONALITY] = { "nullif(instr(?15, nullif(substr(c.citizenship, 1, 2), "
				    "'')), 0)",
				    true },
	[CASE_SORT_WORKER] = { "nullif(instr(?15, ',' || c.owner_id || ','), 0)", true },
};

const char *case_sort_name(int sort)
{
	return sort >= 0 && sort < CASE_SORT_COUNT ? SORT_NAMES[sort] : SORT_NAMES[0];
}

int case_sort_from_name(const char *name)
{
	for (int i = 0; name && i < CASE_SORT_COUNT; i++)
		if (strcmp(SORT_NAMES[i], name) == 0)
			return i;
	return -1;
}

bool case_sort_starts_ascending(int sort)
{
	/* Dates newest first and risks highest first; the rest from the start of their order. */
	return sort != CASE_SORT_UPDATED && sort != CASE_SORT_REGISTERED && sort != CASE_SORT_RISK;
}

/* ---- statements ----
 *
 * A statement names only the filters a list uses, so that SQLite can use an index's equality
 * (a status and a phase in an organisation are counted from cases_organisation's range) and
 * checks nothing else per case; one per scope (a condition that ORs over the scopes would
 * make SQLite read every case), order, direction and set of filters, made from the constants
 * below the first time it is needed and kept (the statement cache knows a statement by its
 * address). Every value is bound: ?2 country, ?3 organisation, ?4 user (the scope), ?5
 * status, ?6 phase, ?7 risk, ?8 nationality, ?9 worker, ?10 case number, ?11 registered
 * from, ?12 registered before, ?13 changed from, ?14 changed before (stored times), ?15 the
 * order of a country or worker sort, ?16 limit, ?17 offset.
 *
 * A page reads its ids first, from the scope's index alone (every column a filter or an
 * order reads is in it), then only those cases: skipping to a page never reads or decrypts
 * the cases before it. The count stops at CASE_COUNT_CAP + 1. */
static const char *const SCOPES[5] = { NULL, "c.owner_id = ?4", "c.organisation_id = ?3",
				       "c.country = ?2", "1 = 1" };
enum {
	F_STATUS = 1 << 0,
	F_PHASE = 1 << 1,
	F_RISK = 1 << 2,
	F_NOT_ASSESSED = 1 << 3,
	F_NATIONALITY = 1 << 4,
	F_WORKER = 1 << 5,
	F_NUMBER = 1 << 6,
	F_REGISTERED_FROM = 1 << 7,
	F_REGISTERED_TO = 1 << 8,
	F_UPDATED_FROM = 1 << 9,
	F_UPDATED_TO = 1 << 10,
	F_COUNT = 11,
};
static const char *const FILTERS[F_COUNT] = {
	" AND c.status = ?5",
	" AND c.phase = ?6",
	" AND c.risk = ?7",
	" AND c.risk IS NULL",
	/* Codes of two capital letters between commas: one matches only at a code's place. */
	" AND instr(c.citizenship, ?8) > 0",
	" AND c.owner_id = ?9",
	" AND c.id = ?10",
	" AND c.created_at >= ?11",
	" AND c.created_at < ?12",
	" AND c.updated_at >= ?13",
	" AND c.updated_at < ?14",
};
static const char LIST_HEAD[] =
    "SELECT " CASE_COLUMNS " FROM cases c JOIN organisations o ON o.id = c.organisation_id "
    "WHERE c.id IN (SELECT c.id FROM cases c WHERE ";
static const char COUNT_HEAD[] = "SELECT count(*) FROM (SELECT 1 FROM cases c WHERE ";

/* SQL text in the store's dialect: PostgreSQL's instr() is strpos(), same arguments. */
static int put_sql(buf *b, const char *sql, bool pg)
{
	const char *at;
	int rc = 0;
	while (!rc && pg && (at = strstr(sql, "instr("))) {
		rc = buf_printf(b, "%.*sstrpos(", (int)(at - sql), sql);
		sql = at + 6;
	}
	return rc ? rc : buf_puts(b, sql);
}

/* Made statements, by key; a full table makes no more (the list still answers, see below). */
#define STATEMENTS_MAX 1024
static struct {
	uint32_t key;
	char *sql;
} statements[STATEMENTS_MAX];
static pthread_mutex_t statements_lock = PTHREAD_MUTEX_INITIALIZER;

static int add_order(buf *b, int sort, bool ascending, bool pg)
{
	const char *dir = ascending ? " ASC" : " DESC";
	int rc = 0;
	if (SORT_KEYS[sort].nulls) {
		rc = buf_puts(b, "(");
		if (!rc)
			rc = put_sql(b, SORT_KEYS[sort].key, pg);
		if (!rc)
			rc = buf_puts(b, ") IS NULL, ");
	}
	if (!rc)
		rc = put_sql(b, SORT_KEYS[sort].key, pg);
	if (!rc)
		rc = buf_puts(b, dir);
	if (!rc && strcmp(SORT_KEYS[sort].key, "c.id") != 0)
		rc = buf_printf(b, ", c.id%s", dir);
	return rc;
}

static char *make_statement(int scope, int sort, bool ascending, unsigned mask, bool count, bool pg)
{
	buf b;
	buf_init(&b, 1 << 16);
	int rc = buf_puts(&b, count ? COUNT_HEAD : LIST_HEAD);
	if (!rc)
		rc = buf_puts(&b, SCOPES[scope]);
	for (int i = 0; i < F_COUNT && !rc; i++)
		if (mask & (1u << i))
			rc = put_sql(&b, FILTERS[i], pg);
	if (count && !rc)
		rc = buf_puts(&b, " LIMIT ?16) AS page");
	if (!count && !rc) {
		rc = buf_puts(&b, " ORDER BY ");
		if (!rc)
			rc = add_order(&b, sort, ascending, pg);
		if (!rc)
			rc = buf_puts(&b, " LIMIT ?16 OFFSET ?17) ORDER BY ");
		if (!rc)
			rc = add_order(&b, sort, ascending, pg);
	}
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return b.data; /* kept for the life of the process, as the statement cache keeps it */
}

/* The statement for a list (or its count), made once; NULL when out of memory or room. */
static const char *statement(int scope, int sort, bool ascending, unsigned mask, bool count,
			     bool pg)
{
	uint32_t key = 1u | (uint32_t)scope << 1 | (uint32_t)sort << 4 | (uint32_t)ascending << 8 |
		       (uint32_t)count << 9 | (uint32_t)mask << 10 | (uint32_t)pg << 21;
	uint32_t h = (key * 2654435761u) % STATEMENTS_MAX;
	const char *sql = NULL;
	pthread_mutex_lock(&statements_lock);
	for (uint32_t i = 0; i < STATEMENTS_MAX; i++) {
		uint32_t at = (h + i) % STATEMENTS_MAX;
		if (statements[at].key == key) {
			sql = statements[at].sql;
			break;
		}
		if (statements[at].key == 0) {
			char *made = make_statement(scope, sort, ascending, mask, count, pg);
			if (made) {
				statements[at].key = key;
				statements[at].sql = made;
			}
			sql = made;
			break;
		}
	}
	pthread_mutex_unlock(&statements_lock);
	return sql;
}

/* ---- reading a filter ---- */

static bool digits_only(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool code_of(const char *field, const char *value)
{
	size_t n;
	const case_code *codes = case_codes(field, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(codes[i].code, value) == 0)
			return true;
	return false;
}

struct problems {
	const char **bad, **why;
	size_t max, n;
};

static void problem(struct problems *p, const char *param, const char *why)
{
	if (p->n < p->max) {
		p->bad[p->n] = param;
		p->why[p->n] = why;
	}
	p->n++;
}

/* A day (YYYY-MM-DD) into out, or a problem. */
static void read_day(const url_params *q, const char *param, char out[CASE_DATE_LEN],
		     struct problems *p)
{
	const char *v = url_params_get(q, param);
	bool future;
	if (!v || !*v)
		return;
	if (case_date_valid(v, &future))
		snprintf(out, CASE_DATE_LEN, "%s", v);
	else
		problem(p, param, N_("Write dates as YYYY-MM-DD, for example 2026-11-28."));
}

void case_filter_parse(store *db, const url_params *q, case_filter *f, const char **bad,
		       const char **problems, size_t nbad_max, size_t *nbad)
{
	memset(f, 0, sizeof(*f));
	f->sort = CASE_SORT_UPDATED;
	struct problems p = { bad, problems, nbad_max, 0 };
	const char *v;
	if ((v = url_params_get(q, "q")) && *v) {
		const char *digits = *v == '#' ? v + 1 : v;
		if (digits_only(digits, 18) && strtoll(digits, NULL, 10) > 0)
			f->number = strtoll(digits, NULL, 10);
		else
			problem(&p, "q", N_("q is a case number: digits only."));
	}
	if ((v = url_params_get(q, "status")) && *v) {
		if (code_of("status", v))
			f->status = v;
		else
			problem(&p, "status", N_("Choose a status from the list."));
	}
	if ((v = url_params_get(q, "phase")) && *v) {
		if (code_of("phase", v))
			f->phase = v;
		else
			problem(&p, "phase", N_("Choose a phase from the list."));
	}
	if ((v = url_params_get(q, "risk")) && *v) {
		if (code_of("risk", v) || strcmp(v, "none") == 0)
			f->risk = v;
		else
			problem(&p, "risk", N_("Choose a level of risk from the list."));
	}
	if ((v = url_params_get(q, "nationality")) && *v) {
		if (strlen(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z' &&
		    country_known(db, v))
			f->nationality = v;
		else
			problem(&p, "nationality", N_("Choose a country from the list."));
	}
	if ((v = url_params_get(q, "worker")) && *v) {
		if (digits_only(v, 18) && strtoll(v, NULL, 10) > 0)
			f->worker = strtoll(v, NULL, 10);
		else
			problem(&p, "worker", N_("Choose a worker from the list."));
	}
	read_day(q, "registered_from", f->registered_from, &p);
	read_day(q, "registered_to", f->registered_to, &p);
	read_day(q, "updated_from", f->updated_from, &p);
	read_day(q, "updated_to", f->updated_to, &p);
	const char *range = N_("A period ends on or after the day it starts.");
	if (*f->registered_from && *f->registered_to &&
	    strcmp(f->registered_from, f->registered_to) > 0) {
		problem(&p, "registered_to", range);
		f->registered_to[0] = '\0';
	}
	if (*f->updated_from && *f->updated_to && strcmp(f->updated_from, f->updated_to) > 0) {
		problem(&p, "updated_to", range);
		f->updated_to[0] = '\0';
	}
	if ((v = url_params_get(q, "sort")) && *v) {
		int s = case_sort_from_name(v);
		if (s >= 0)
			f->sort = s;
		else
			problem(&p, "sort", N_("Choose an order from the list."));
	}
	f->ascending = case_sort_starts_ascending(f->sort);
	if ((v = url_params_get(q, "dir")) && *v) {
		if (strcmp(v, "asc") == 0 || strcmp(v, "desc") == 0)
			f->ascending = v[0] == 'a';
		else
			problem(&p, "dir", N_("dir is asc or desc."));
	}
	*nbad = p.n < nbad_max ? p.n : nbad_max;
}

const char *case_filter_query(arena *a, const case_filter *f)
{
	buf b;
	buf_init(&b, 4096);
#define ADD(name, fmt, value) buf_printf(&b, "%s" name "=" fmt, b.len ? "&" : "", value)
	if (f->number)
		ADD("q", "%lld", (long long)f->number);
	if (f->status)
		ADD("status", "%s", f->status);
	if (f->phase)
		ADD("phase", "%s", f->phase);
	if (f->risk)
		ADD("risk", "%s", f->risk);
	if (f->nationality)
		ADD("nationality", "%s", f->nationality);
	if (f->worker)
		ADD("worker", "%lld", (long long)f->worker);
	if (*f->registered_from)
		ADD("registered_from", "%s", f->registered_from);
	if (*f->registered_to)
		ADD("registered_to", "%s", f->registered_to);
	if (*f->updated_from)
		ADD("updated_from", "%s", f->updated_from);
	if (*f->updated_to)
		ADD("updated_to", "%s", f->updated_to);
	if (f->sort != CASE_SORT_UPDATED)
		ADD("sort", "%s", case_sort_name(f->sort));
	if (f->ascending != case_sort_starts_ascending(f->sort))
		ADD("dir", "%s", f->ascending ? "asc" : "desc");
#undef ADD
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

/* ---- the list ---- */

static int add_code(const char *code, const char *name, void *ctx)
{
	(void)name;
	return strlen(code) == 2 ? buf_printf(ctx, "%s,", code) : 0;
}

static int add_user(int64_t id, const char *name, void *ctx)
{
	(void)name;
	return buf_printf(ctx, "%lld,", (long long)id);
}

/* The order of a country or worker sort ("PT,ES,NE," or ",3,17,"), in b. */
static int name_order(const keyed_store *env, arena *a, const principal *p, int scope,
		      const case_filter *f, buf *b)
{
	if (f->sort == CASE_SORT_NATIONALITY)
		return country_list(env->db, a, f->lang ? f->lang : "en", add_code, b);
	int rc = buf_putc(b, ',');
	return rc ? rc
		  : user_case_workers(env, a,
				      scope == SCOPE_ORGANISATION ? p->organisation_id
				      : scope == SCOPE_OWN        ? -1
								  : 0,
				      scope == SCOPE_COUNTRY ? p->country : "",
				      arena_printf(a, ",%lld,", (long long)p->user_id),
				      f->lang ? f->lang : "en", add_user, b);
}

struct bound {
	unsigned mask;
	char registered_from[CLOCK_RFC3339_LEN], registered_to[CLOCK_RFC3339_LEN];
	char updated_from[CLOCK_RFC3339_LEN], updated_to[CLOCK_RFC3339_LEN];
};

/* Which filters f uses, with its days as stored times. */
static void filters_of(const case_filter *f, struct bound *b)
{
	memset(b, 0, sizeof(*b));
	if (f->status && *f->status)
		b->mask |= F_STATUS;
	if (f->phase && *f->phase)
		b->mask |= F_PHASE;
	if (f->risk && *f->risk)
		b->mask |= strcmp(f->risk, "none") == 0 ? F_NOT_ASSESSED : F_RISK;
	if (f->nationality && *f->nationality)
		b->mask |= F_NATIONALITY;
	if (f->worker)
		b->mask |= F_WORKER;
	if (f->number)
		b->mask |= F_NUMBER;
	if (*f->registered_from && i18n_day_start(f->registered_from, 0, b->registered_from))
		b->mask |= F_REGISTERED_FROM;
	if (*f->registered_to && i18n_day_start(f->registered_to, 1, b->registered_to))
		b->mask |= F_REGISTERED_TO;
	if (*f->updated_from && i18n_day_start(f->updated_from, 0, b->updated_from))
		b->mask |= F_UPDATED_FROM;
	if (*f->updated_to && i18n_day_start(f->updated_to, 1, b->updated_to))
		b->mask |= F_UPDATED_TO;
}

static void bind_text(store_stmt *st, int idx, const char *v)
{
	store_bind_text(st, idx, v, strlen(v));
}

/* The scope and the filters the statement names (binding another would be refused). */
static void bind_filter(store_stmt *st, const principal *p, const case_filter *f,
			const struct bound *b, int scope)
{
	if (scope == SCOPE_COUNTRY)
		bind_text(st, 2, p->country);
	if (scope == SCOPE_ORGANISATION)
		store_bind_int64(st, 3, p->organisation_id);
	if (scope == SCOPE_OWN)
		store_bind_int64(st, 4, p->user_id);
	if (b->mask & F_STATUS)
		bind_text(st, 5, f->status);
	if (b->mask & F_PHASE)
		bind_text(st, 6, f->phase);
	if (b->mask & F_RISK)
		bind_text(st, 7, f->risk);
	if (b->mask & F_NATIONALITY)
		bind_text(st, 8, f->nationality);
	if (b->mask & F_WORKER)
		store_bind_int64(st, 9, f->worker);
	if (b->mask & F_NUMBER)
		store_bind_int64(st, 10, f->number);
	if (b->mask & F_REGISTERED_FROM)
		bind_text(st, 11, b->registered_from);
	if (b->mask & F_REGISTERED_TO)
		bind_text(st, 12, b->registered_to);
	if (b->mask & F_UPDATED_FROM)
		bind_text(st, 13, b->updated_from);
	if (b->mask & F_UPDATED_TO)
		bind_text(st, 14, b->updated_to);
}

int case_list(const keyed_store *env, arena *a, const principal *p, const case_filter *f,
	      case_fn fn, void *ctx, int64_t *total)
{
	PONTE_CHECK(env && env->db && a && p && f && fn && total);
	int scope = principal_scope(p, "case.social.read");
	*total = 0;
	if (scope == SCOPE_NONE)
		return 0;
	int sort = f->sort >= 0 && f->sort < CASE_SORT_COUNT ? f->sort : CASE_SORT_UPDATED;
	struct bound b;
	filters_of(f, &b);
	bool pg = store_is_pg(env->db);
	const char *list = statement(scope, sort, f->ascending, b.mask, false, pg),
		   *count = statement(scope, sort, f->ascending, b.mask, true, pg);
	if (!list || !count)
		return PONTE_ENOMEM;
	buf order;
	buf_init(&order, 1 << 20);
	int rc = sort == CASE_SORT_NATIONALITY || sort == CASE_SORT_WORKER
		     ? name_order(env, a, p, scope, f, &order)
		     : 0;
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc) {
		buf_release(&order);
		return rc;
	}
	if (!(rc = store_prepare(c, count, &st))) {
		bind_filter(st, p, f, &b, scope);
		store_bind_int64(st, 16, CASE_COUNT_CAP + 1);
		rc = store_step(st);
		*total = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
		rc = rc < 0 ? rc : 0;
		store_reset(st);
	}
	if (!rc)
		rc = store_prepare(c, list, &st);
	if (!rc) {
		bind_filter(st, p, f, &b, scope);
		if (order.len)
			store_bind_text(st, 15, order.data, order.len);
		store_bind_int64(st, 16,
				 f->limit > 0 && f->limit <= CASE_EXPORT_MAX ? f->limit : 50);
		store_bind_int64(st, 17,
				 f->offset > 0 && f->offset <= CASE_OFFSET_MAX ? f->offset : 0);
		while ((rc = store_step(st)) == STORE_ROW) {
			case_record r;
			rc = case_from_row(env, a, st, &r);
			if (!rc)
				rc = fn(&r, ctx);
			if (rc)
				break;
		}
		store_reset(st);
	}
	store_commit(c);
	buf_release(&order);
	principal_audit_read(env->db, p, "case.list", "case", 0, rc < 0 ? "failure" : "success");
	return rc < 0 ? rc : 0;
}

/* ---- the filter each user last used ---- */

static const char SQL_SAVED[] = "SELECT query FROM case_list_filters WHERE user_id = ?1";
static const char SQL_SAVE[] =
    "INSERT INTO case_list_filters(user_id, query, saved_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(user_id) DO UPDATE SET query = excluded.query, saved_at = excluded.saved_at";
static const char SQL_FORGET[] = "DELETE FROM case_list_filters WHERE user_id = ?1";

int case_list_saved(store *db, arena *a, int64_t user_id, const char **query)
{
	store_conn *c;
	store_stmt *st;
	*query = "";
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_SAVED, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, user_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		const char *copy = store_col_dup(a, st, 0);
		rc = copy ? 0 : PONTE_ENOMEM;
		if (copy)
			*query = copy;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int case_list_save(store *db, int64_t user_id, const char *query)
{
	arena a;
	arena_init(&a, 8192);
	const char *now;
	int rc = case_list_saved(db, &a, user_id, &now);
	if (!rc && strcmp(now, query) != 0) {
		store_conn *c;
		store_stmt *st;
		rc = store_conn_get(db, &c);
		if (!rc)
			rc = store_prepare(c, *query ? SQL_SAVE : SQL_FORGET, &st);
		if (!rc) {
			store_bind_int64(st, 1, user_id);
			if (*query) {
				char when[CLOCK_RFC3339_LEN];
				clock_format_rfc3339(clock_wall_ms(), when);
				store_bind_text(st, 2, query, strlen(query));
				store_bind_text(st, 3, when, strlen(when));
			}
			rc = store_run(st);
		}
	}
	arena_release(&a);
	return rc;
}
