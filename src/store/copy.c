/* Copying every row of one store into another (`ponte db copy`): an installation moving from
 * its SQLite file to PostgreSQL, or back. See store.h (store_copy) for what it promises.
 *
 * How: the tables are the destination's (both stores are at the same schema version, so the
 * same tables and columns in each dialect), less the store's own bookkeeping and the
 * full-text index (SQLite: a virtual table and its shadow tables; PostgreSQL: a table with a
 * tsvector column), which the knowledge module writes again afterwards: kn_reindex. They
 * are put in an order where every table comes after the tables its foreign keys name,
 * emptied in the reverse order (a new database has its seeded reference rows), then filled
 * in that order, each value bound again as the kind the source read (integer, real, text,
 * bytes, null): a value arrives unchanged, so ciphertext, blind indexes and the audit
 * chain's hashes stay what they were. The destination's own triggers
 * are off during the copy (the observatory's would otherwise write rows the copy brings
 * anyway): SQLite has no switch, so they are dropped and made again from their SQL before
 * the transaction commits; PostgreSQL disables and enables them (ALTER TABLE ... TRIGGER
 * USER, which the tables' owner may do). Identity columns on PostgreSQL continue after the
 * highest id copied.
 *
 * The statements name tables, so they are made at run time, from the catalogue's names only
 * (plain identifiers, checked), and kept in the caller's arena until both stores are closed:
 * the statement cache knows a statement by its text's address. */
#include <stdarg.h>

#include "store/store.h"

#include "base/arena.h"
#include "base/buf.h"

#define COPY_MAX_TABLES 256
#define COPY_MAX_COLUMNS 128

struct table {
	const char *name;
	const char *columns[COPY_MAX_COLUMNS];
	int ncolumns;
	bool placed;
};

struct plan {
	struct table tables[COPY_MAX_TABLES];
	int ntables;
	int order[COPY_MAX_TABLES]; /* parents first */
	/* Foreign keys: child[i] names parent[i]. */
	int child[COPY_MAX_TABLES * 4], parent[COPY_MAX_TABLES * 4];
	int nkeys;
};

static const char SQL_TABLES_SQLITE[] =
    "SELECT t.name FROM sqlite_schema t WHERE t.type = 'table' "
    "AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND t.sql NOT LIKE 'CREATE VIRTUAL%' "
    "AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.type = 'table' "
    "AND v.sql LIKE 'CREATE VIRTUAL%' AND t.name LIKE v.name || '\\_%' ESCAPE '\\') "
    "ORDER BY t.name";
/* A table holding a tsvector is a full-text index, as SQLite's virtual tables are: its
 * module writes it again (knowledge_fts on PostgreSQL). */
static const char SQL_TABLES_PG[] =
    "SELECT t.table_name FROM information_schema.tables t "
    "WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
    "AND NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = "
    "t.table_schema AND c.table_name = t.table_name AND c.data_type = 'tsvector') "
    "ORDER BY t.table_name";
static const char SQL_COLUMNS_SQLITE[] = "SELECT name FROM pragma_table_info(?1) ORDER BY cid";
static const char SQL_COLUMNS_PG[] =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND table_name = ?1 ORDER BY ordinal_position";
static const char SQL_KEYS_SQLITE[] =
    "SELECT m.name, f.\"table\" FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f "
    "WHERE m.type = 'table'";
static const char SQL_KEYS_PG[] =
    "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
    "JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE c.contype = 'f' AND n.nspname = current_schema()";
static const char SQL_TRIGGERS_SQLITE[] =
    "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY rowid";
static const char SQL_IDENTITIES_PG[] =
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND is_identity = 'YES'";

/* Tables that belong to the store itself: each side keeps its own. */
static bool bookkeeping(const char *name)
{
	return strcmp(name, "schema_migrations") == 0 || strcmp(name, "ponte_store") == 0;
}

static bool plain_name(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *text_or_empty(store_stmt *st, int col)
{
	const char *s = store_col_text(st, col, NULL);
	return s ? s : "";
}

static int find_table(const struct plan *pl, const char *name)
{
	for (int i = 0; i < pl->ntables; i++)
		if (strcmp(pl->tables[i].name, name) == 0)
			return i;
	return -1;
}

/* The destination's tables and their columns. */
static int read_tables(store_conn *c, bool pg, arena *a, struct plan *pl, char *err, size_t errlen)
{
	store_stmt *st;
	int rc = store_prepare(c, pg ? SQL_TABLES_PG : SQL_TABLES_SQLITE, &st);
	if (rc)
		return rc;
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		const char *name = store_col_dup(a, st, 0);
		if (!name)
			rc = PONTE_ENOMEM;
		else if (bookkeeping(name))
			rc = 0;
		else if (!plain_name(name))
			rc = fail(err, errlen, PONTE_EINVAL,
				  "a table with an unexpected name: %.64s", name);
		else if (pl->ntables == COPY_MAX_TABLES)
			rc = fail(err, errlen, PONTE_ELIMIT, "more tables than a copy handles");
		else {
			pl->tables[pl->ntables++].name = name;
			rc = 0;
		}
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	for (int i = 0; i < pl->ntables && !rc; i++) {
		struct table *t = &pl->tables[i];
		if ((rc = store_prepare(c, pg ? SQL_COLUMNS_PG : SQL_COLUMNS_SQLITE, &st)))
			break;
		store_bind_text(st, 1, t->name, strlen(t->name));
		while ((rc = store_step(st)) == STORE_ROW) {
			const char *col = store_col_dup(a, st, 0);
			if (!col || !plain_name(col) || t->ncolumns == COPY_MAX_COLUMNS) {
				rc = fail(err, errlen, PONTE_EINVAL,
					  "table %s: a column the copy cannot name", t->name);
				break;
			}
			t->columns[t->ncolumns++] = col;
		}
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

static int read_keys(store_conn *c, bool pg, struct plan *pl)
{
	store_stmt *st;
	int rc = store_prepare(c, pg ? SQL_KEYS_PG : SQL_KEYS_SQLITE, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int child = find_table(pl, text_or_empty(st, 0));
		int parent = find_table(pl, text_or_empty(st, 1));
		if (child < 0 || parent < 0 || child == parent)
			continue; /* a row's key to its own table: rows keep their order */
		if (pl->nkeys == (int)ARRAY_LEN(pl->child)) {
			rc = PONTE_ELIMIT;
			break;
		}
		pl->child[pl->nkeys] = child;
		pl->parent[pl->nkeys++] = parent;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Parents first; PONTE_EINVAL when the keys go round in a circle. */
static int order_tables(struct plan *pl, char *err, size_t errlen)
{
	int n = 0;
	while (n < pl->ntables) {
		int before = n;
		for (int i = 0; i < pl->ntables; i++) {
			if (pl->tables[i].placed)
				continue;
			bool ready = true;
			for (int k = 0; k < pl->nkeys && ready; k++)
				if (pl->child[k] == i && !pl->tables[pl->parent[k]].placed)
					ready = false;
			if (ready) {
				pl->tables[i].placed = true;
				pl->order[n++] = i;
			}
		}
		if (n == before)
			return fail(err, errlen, PONTE_EINVAL,
				    "the foreign keys between tables form a circle");
	}
	return 0;
}

/* "a, b, c" or "?1, ?2, ?3". */
static const char *column_list(arena *a, const struct table *t, bool params)
{
	buf b;
	buf_init(&b, 64 * 1024);
	int rc = 0;
	for (int i = 0; i < t->ncolumns && !rc; i++)
		rc = params ? buf_printf(&b, "%s?%d", i ? ", " : "", i + 1)
			    : buf_printf(&b, "%s%s", i ? ", " : "", t->columns[i]);
	const char *s = rc || !b.data ? NULL : arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* The source's value of column i bound as parameter i + 1, as the kind it was read. */
static int bind_same(store_stmt *from, store_stmt *to, int i)
{
	size_t n;
	switch (store_col_kind(from, i)) {
	case STORE_KIND_INT: return store_bind_int64(to, i + 1, store_col_int64(from, i));
	case STORE_KIND_REAL: return store_bind_double(to, i + 1, store_col_double(from, i));
	case STORE_KIND_TEXT: {
		const char *s = store_col_text(from, i, &n);
		return store_bind_text(to, i + 1, s ? s : "", n);
	}
	case STORE_KIND_BLOB: {
		const void *p = store_col_blob(from, i, &n);
		return store_bind_blob(to, i + 1, p, n);
	}
	default: return store_bind_null(to, i + 1);
	}
}

static int copy_table(store_conn *src, store_conn *dst, arena *a, const struct table *t,
		      int64_t *rows, char *err, size_t errlen)
{
	const char *cols = column_list(a, t, false), *params = column_list(a, t, true);
	if (!cols || !params)
		return PONTE_ENOMEM;
	const char *select = arena_printf(a, "SELECT %s FROM %s", cols, t->name);
	const char *insert =
	    arena_printf(a, "INSERT INTO %s(%s) VALUES (%s)", t->name, cols, params);
	if (!select || !insert)
		return PONTE_ENOMEM;
	store_stmt *from, *to;
	int rc = store_prepare(src, select, &from);
	if (rc)
		return fail(
		    err, errlen, rc,
		    "table %s: the source does not have the destination's columns (are both "
		    "at the same schema version?)",
		    t->name);
	*rows = 0;
	while ((rc = store_step(from)) == STORE_ROW) {
		if ((rc = store_prepare(dst, insert, &to)))
			break;
		for (int i = 0; i < t->ncolumns && !rc; i++)
			rc = bind_same(from, to, i);
		if (!rc)
			rc = store_step(to);
		store_reset(to);
		if (rc < 0) {
			fail(err, errlen, rc,
			     "table %s: row %lld was refused by the destination: %s", t->name,
			     (long long)*rows + 1, store_errmsg(dst));
			break;
		}
		rc = 0;
		(*rows)++;
	}
	store_reset(from);
	return rc < 0 ? rc : 0;
}

/* SQLite: the destination's triggers, dropped now and made again by restore_triggers. */
static int set_triggers_aside(store_conn *c, arena *a, const char ***sqls, int *n)
{
	store_stmt *st;
	const char *names[COPY_MAX_TABLES];
	*n = 0;
	*sqls = arena_calloc(a, COPY_MAX_TABLES, sizeof(**sqls));
	if (!*sqls)
		return PONTE_ENOMEM;
	int rc = store_prepare(c, SQL_TRIGGERS_SQLITE, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == COPY_MAX_TABLES) {
			rc = PONTE_ELIMIT;
			break;
		}
		names[*n] = store_col_dup(a, st, 0);
		(*sqls)[*n] = store_col_dup(a, st, 1);
		if (!names[*n] || !(*sqls)[*n] || !plain_name(names[*n])) {
			rc = PONTE_EINVAL;
			break;
		}
		(*n)++;
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	for (int i = 0; i < *n && !rc; i++) {
		const char *drop = arena_printf(a, "DROP TRIGGER %s", names[i]);
		rc = drop ? store_exec(c, drop) : PONTE_ENOMEM;
	}
	return rc;
}

static int restore_triggers(store_conn *c, const char **sqls, int n)
{
	int rc = 0;
	for (int i = 0; i < n && !rc; i++)
		rc = store_exec(c, sqls[i]);
	return rc;
}

/* PostgreSQL: a table's own triggers off for the copy, or on again (in the transaction;
 * the foreign keys' triggers are the system's and stay on). */
static int pg_triggers(store_conn *c, arena *a, const char *table, bool on)
{
	const char *sql =
	    arena_printf(a, "ALTER TABLE %s %s TRIGGER USER", table, on ? "ENABLE" : "DISABLE");
	return sql ? store_exec(c, sql) : PONTE_ENOMEM;
}

/* PostgreSQL: every identity column continues after the highest id copied. */
static int continue_identities(store_conn *c, arena *a)
{
	store_stmt *st;
	const char *tables[COPY_MAX_TABLES] = { 0 }, *cols[COPY_MAX_TABLES] = { 0 };
	int n = 0;
	int rc = store_prepare(c, SQL_IDENTITIES_PG, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == COPY_MAX_TABLES) {
			rc = PONTE_ELIMIT;
			break;
		}
		tables[n] = store_col_dup(a, st, 0);
		cols[n] = store_col_dup(a, st, 1);
		if (!tables[n] || !cols[n] || !plain_name(tables[n]) || !plain_name(cols[n])) {
			rc = PONTE_EINVAL;
			break;
		}
		n++;
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	for (int i = 0; i < n && !rc; i++) {
		const char *sql = arena_printf(
		    a,
		    "SELECT setval(pg_get_serial_sequence('%s', '%s'), max(%s)) FROM %s "
		    "HAVING max(%s) IS NOT NULL",
		    tables[i], cols[i], cols[i], tables[i], cols[i]);
		if (!sql)
			return PONTE_ENOMEM;
		if (!(rc = store_prepare(c, sql, &st))) {
			rc = store_step(st);
			rc = rc < 0 ? rc : 0;
			store_reset(st);
		}
	}
	return rc;
}

static int count_rows(store_conn *c, arena *a, const char *table, int64_t *n)
{
	const char *sql = arena_printf(a, "SELECT count(*) FROM %s", table);
	store_stmt *st;
	int rc = sql ? store_prepare(c, sql, &st) : PONTE_ENOMEM;
	if (rc)
		return rc;
	rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int64(st, 0) : -1;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int store_copy(store *from, store *to, arena *a, store_count_fn fn, void *ctx, char *err,
	       size_t errlen)
{
	int cur_from, cur_to, latest;
	if (errlen)
		err[0] = '\0';
	if (store_schema_version(from, &cur_from, &latest) || cur_from != latest)
		return fail(err, errlen, PONTE_EINVAL,
			    "the source is not at this Ponte's schema version: run `ponte migrate` "
			    "on it first");
	if (store_schema_version(to, &cur_to, &latest) || cur_to != latest)
		return fail(err, errlen, PONTE_EINVAL,
			    "the destination is not at this Ponte's schema version");
	struct plan *pl = arena_calloc(a, 1, sizeof(*pl));
	if (!pl)
		return PONTE_ENOMEM;
	store_conn *src, *dst;
	bool pg = store_is_pg(to);
	int rc = store_conn_get(from, &src);
	if (!rc)
		rc = store_conn_get(to, &dst);
	if (!rc)
		rc = read_tables(dst, pg, a, pl, err, errlen);
	if (!rc)
		rc = read_keys(dst, pg, pl);
	if (!rc)
		rc = order_tables(pl, err, errlen);
	if (rc)
		return rc;
	/* One snapshot of the source; one transaction on the destination. */
	if ((rc = store_begin_read(src)))
		return rc;
	if ((rc = store_begin(dst))) {
		store_commit(src);
		return rc;
	}
	const char **triggers = NULL;
	int ntriggers = 0;
	if (!pg)
		rc = set_triggers_aside(dst, a, &triggers, &ntriggers);
	for (int k = 0; pg && k < pl->ntables && !rc; k++)
		rc = pg_triggers(dst, a, pl->tables[k].name, false);
	for (int k = pl->ntables - 1; k >= 0 && !rc; k--) {
		const char *name = pl->tables[pl->order[k]].name;
		const char *sql = arena_printf(a, "DELETE FROM %s", name);
		if ((rc = sql ? store_exec(dst, sql) : PONTE_ENOMEM))
			fail(err, errlen, rc,
			     "the new database's table %s could not be emptied: %s", name,
			     store_errmsg(dst));
	}
	for (int k = 0; k < pl->ntables && !rc; k++) {
		const struct table *t = &pl->tables[pl->order[k]];
		int64_t rows = 0, source_rows = 0;
		rc = copy_table(src, dst, a, t, &rows, err, errlen);
		if (!rc)
			rc = count_rows(src, a, t->name, &source_rows);
		if (!rc && rows != source_rows)
			rc = fail(err, errlen, PONTE_EINVAL,
				  "table %s: rows changed during the copy", t->name);
		if (!rc && fn)
			rc = fn(t->name, rows, ctx);
	}
	if (!rc && !pg)
		rc = restore_triggers(dst, triggers, ntriggers);
	for (int k = 0; pg && k < pl->ntables && !rc; k++)
		rc = pg_triggers(dst, a, pl->tables[k].name, true);
	if (!rc && pg)
		rc = continue_identities(dst, a);
	store_commit(src);
	if (rc) {
		if (!*err)
			snprintf(err, errlen, "the copy failed: %s (%s); nothing was written",
				 ponte_strerror(rc), store_errmsg(dst));
		store_rollback(dst);
		return rc;
	}
	if ((rc = store_commit(dst)))
		snprintf(err, errlen, "the copy could not be committed: %s", store_errmsg(dst));
	return rc;
}
