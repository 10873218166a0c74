/*
 * The PostgreSQL driver (libpq), behind the same functions as SQLite (driver.h).
 *
 * - One libpq connection per thread (the front keeps them), with lock_timeout set to the
 *   store's busy timeout: a lock held too long is PONTE_EBUSY, never a hang.
 * - Ponte's SQL numbers its parameters the SQLite way (?1, ?2, or ? for "one more than the
 *   largest so far"); each statement is rewritten once, at prepare, into $1, $2..., outside
 *   string literals, quoted identifiers and comments. Nothing is ever spliced.
 * - Parameters go in binary (integers, reals, blobs) or as untyped text (so the server
 *   infers the type from the column, as SQLite's affinity does); NULLs are untyped. The
 *   server-side prepared statement is made at the first step, once the kinds of the bound
 *   values are known, and made again only when they change.
 * - Results come back as text; bytea columns are decoded on demand and stay valid until
 *   the next step or reset, booleans read as 1 and 0.
 * - Write transactions are serialised with each other by one transaction-scoped advisory
 *   lock, as SQLite's BEGIN IMMEDIATE serialises writers: code written for SQLite (a
 *   max(id) + 1, a read-then-write check) keeps its meaning. Read transactions are
 *   REPEATABLE READ, one snapshot for all their statements, as SQLite's are.
 * - A lost connection (the server killed, restarted or failed over: libpq's CONNECTION_BAD,
 *   SQLSTATE class 08 or an administrator's shutdown) fails the command with PONTE_EIO and is
 *   made again, with the same URL, at the connection's next use; its server-side statements
 *   are prepared again. A connection lost while a transaction was open fails every further
 *   statement until the caller's ROLLBACK (or COMMIT, which fails): the rest of a cut
 *   transaction never runs on its own on the new connection, so nothing is half-applied.
 *   Nothing is sent twice, except what cannot have changed anything: a BEGIN, a statement's
 *   prepare, and a SELECT outside a transaction, each tried once more on the new connection.
 */
#include <endian.h>
#include <libpq-fe.h>
#include <strings.h>

#include "base/log.h"
#include "store/driver.h"

/* Type oids of the built-in types (pg_type.h is server-side; these never change). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_NUMERIC 1700
#define OID_TEXT 25
#define OID_FLOAT8 701

/* Parameters one statement may have: Ponte's largest has 40-odd. */
#define PG_MAX_PARAMS 128

/* The advisory lock key every write transaction takes ('PONT' as in STORE_APPLICATION_ID). */
#define WRITER_LOCK "SELECT pg_advisory_xact_lock(1347374676)"

/* Longest table name an INSERT may name for store_last_insert_id(). */
#define PG_TABLE_MAX 64

typedef struct pg_conn {
	PGconn *pg;
	int busy_ms;
	/* Counts the reconnections: statements prepared in an earlier one are gone. */
	uint64_t generation;
	bool in_tx;      /* a transaction was open when the current command was sent */
	bool lost;       /* the connection broke; made again at the next use */
	bool lost_in_tx; /* it broke with a transaction open: refused until ROLLBACK or COMMIT */
	int64_t changes;
	char last_insert_table[PG_TABLE_MAX]; /* of the last INSERT stepped, "" for none */
	uint64_t next_name;                   /* for server-side statement names */
	char err[512];
} pg_conn;

typedef struct pg_stmt {
	pg_conn *c;
	char *sql; /* rewritten with $n */
	int nparams;
	/* Numbers below nparams the text never names (SQLite allows the gap): sent as text,
	 * since PostgreSQL cannot infer a type for them. */
	bool unnamed[PG_MAX_PARAMS];
	char name[32];
	char insert_table[PG_TABLE_MAX]; /* the table an INSERT adds to, else "" */
	bool prepared;
	uint64_t prepared_generation; /* of the connection it was prepared in */
	Oid prepared_types[PG_MAX_PARAMS];
	/* Bound values: binary for integers, reals and blobs, text otherwise; NULL when unset. */
	char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS], formats[PG_MAX_PARAMS];
	Oid types[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	/* bytea columns of the current row, decoded on demand */
	unsigned char **blobs;
	size_t *blob_lens;
	int nblobs;
} pg_stmt;

/* SQLSTATE classes to Ponte's errors. */
static int map_state(const char *state)
{
	if (!state)
		return PONTE_EIO; /* no answer: the connection is gone */
	if (strncmp(state, "23", 2) == 0)
		return PONTE_EEXIST; /* integrity constraint violation */
	if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "57014") == 0)
		return PONTE_EBUSY; /* lock timeout, deadlock, serialization, cancelled */
	if (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0)
		return PONTE_EIO; /* the server shuts down, crashed, or is not accepting yet */
	if (strcmp(state, "53100") == 0)
		return PONTE_ENOSPC; /* disk full */
	if (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0 ||
	    strncmp(state, "08", 2) == 0)
		return PONTE_EIO; /* out of resources, I/O, connection */
	return PONTE_ESTORE;
}

/* PONTE_PG_TRACE set: every failed statement on stderr with the server's message, even where
 * logs are silenced (the HTTP suites): how a module's SQL is brought to PostgreSQL. */
static void trace_failure(const pg_conn *c, const char *sql)
{
	static int on = -1;
	if (on < 0)
		on = getenv("PONTE_PG_TRACE") != NULL;
	if (on)
		fprintf(stderr, "PONTE_PG_TRACE: %s\n  in: %s\n", c->err, sql);
}

/* The outcome of one command: 0, or the mapped error with the server's message kept. A
 * command that found the connection gone marks it lost (and its transaction with it). */
static int check_result(pg_conn *c, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return 0;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
	snprintf(c->err, sizeof(c->err), "%s", msg && *msg ? msg : "no answer from the server");
	size_t n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n'))
		c->err[--n] = 0;
	int rc = map_state(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
	if (PQstatus(c->pg) == CONNECTION_BAD || rc == PONTE_EIO) {
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		bool gone = PQstatus(c->pg) == CONNECTION_BAD || !state ||
			    strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0;
		if (gone && !c->lost) {
			c->lost = true;
			c->lost_in_tx = c->in_tx;
			log_msg(LOG_WARN, "store_connection_lost",
				c->in_tx ? "connection to PostgreSQL lost during a transaction"
					 : "connection to PostgreSQL lost");
		}
		if (gone)
			rc = PONTE_EIO;
	}
	return rc;
}

static int usable(pg_conn *c);

static int run(pg_conn *c, const char *sql)
{
	int rc = usable(c);
	if (rc)
		return rc;
	PGresult *r = PQexec(c->pg, sql);
	rc = check_result(c, r);
	if (!rc && PQresultStatus(r) == PGRES_COMMAND_OK)
		c->changes = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

/* The session's settings, on a new connection and again on each reconnection. */
static int configure(pg_conn *c)
{
	char set[160];
	snprintf(set, sizeof(set),
		 "SET lock_timeout = %d; SET client_min_messages = warning; SET TIME ZONE 'UTC'",
		 c->busy_ms);
	return run(c, set);
}

/* A lost connection made again with the same URL (libpq's PQreset tries every host of a
 * multi-host URL again, with its target_session_attrs: after a failover, the promoted one). */
static int reconnect(pg_conn *c)
{
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(c->pg);
		snprintf(c->err, sizeof(c->err), "cannot reconnect to PostgreSQL: %s",
			 msg && *msg ? msg : "no answer");
		return PONTE_EIO;
	}
	c->lost = false;
	c->generation++;
	int rc = configure(c);
	if (rc)
		return rc;
	log_msg(LOG_INFO, "store_reconnected", "connection to PostgreSQL made again");
	return 0;
}

/* Before each command: the connection, made again if it was lost and no transaction went with
 * it; and whether a transaction is open now, in case this command finds the connection gone. */
static int usable(pg_conn *c)
{
	if (c->lost && c->lost_in_tx) {
		snprintf(c->err, sizeof(c->err),
			 "the connection to PostgreSQL was lost during this transaction");
		return PONTE_EIO;
	}
	if (c->lost || PQstatus(c->pg) != CONNECTION_OK) {
		int rc = reconnect(c);
		if (rc)
			return rc;
	}
	PGTransactionStatusType t = PQtransactionStatus(c->pg);
	c->in_tx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
	return 0;
}

/* Whether a command that failed may be sent once more on a new connection: it found the
 * connection gone, no transaction went with it, and it cannot have changed anything. */
static bool retry_after_loss(pg_conn *c, int rc)
{
	return rc == PONTE_EIO && c->lost && !c->lost_in_tx;
}

static int connect_to(const char *url, int busy_ms, pg_conn **out, char *err, size_t errlen)
{
	pg_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return PONTE_ENOMEM;
	c->busy_ms = busy_ms;
	c->pg = PQconnectdb(url);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(c->pg));
		PQfinish(c->pg);
		free(c);
		return PONTE_EIO;
	}
	int rc = configure(c);
	if (rc) {
		snprintf(err, errlen, "cannot configure the PostgreSQL session: %s", c->err);
		PQfinish(c->pg);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void conn_close(void *db)
{
	pg_conn *c = db;
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

static int conn_open(store *s, void **out)
{
	char err[512];
	pg_conn *c;
	int rc = connect_to(s->path, s->opt.busy_timeout_ms, &c, err, sizeof(err));
	if (rc) {
		log_msg(LOG_ERROR, "store_connect_failed", err);
		return rc;
	}
	*out = c;
	return 0;
}

/* ---- statements ---- */

/* ?NNN → $NNN and ? → $(largest + 1), outside '...', "..." and -- comments. The result is at
 * most twice as long (each ? may become $NNN); nparams is the largest number, named[n - 1]
 * whether $n appears. */
static char *rewrite(const char *sql, int *nparams, bool named[PG_MAX_PARAMS])
{
	size_t n = strlen(sql), cap = n * 4 + 1;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t o = 0;
	int largest = 0;
	for (size_t i = 0; i < n;) {
		char ch = sql[i];
		if (ch == '\'' || ch == '"') {
			size_t j = i + 1;
			while (j < n && sql[j] != ch)
				j++;
			j = j < n ? j + 1 : n;
			memcpy(out + o, sql + i, j - i);
			o += j - i;
			i = j;
		} else if (ch == '-' && i + 1 < n && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				out[o++] = sql[i++];
		} else if (ch == '?') {
			size_t j = i + 1;
			int num = 0;
			while (j < n && sql[j] >= '0' && sql[j] <= '9' && num < 100000)
				num = num * 10 + (sql[j++] - '0');
			if (j == i + 1)
				num = largest + 1;
			if (num < 1 || num > PG_MAX_PARAMS) {
				free(out);
				return NULL;
			}
			if (num > largest)
				largest = num;
			named[num - 1] = true;
			o += (size_t)snprintf(out + o, cap - o, "$%d", num);
			i = j;
		} else {
			out[o++] = sql[i++];
		}
	}
	out[o] = 0;
	*nparams = largest;
	return out;
}

/* The table of "INSERT INTO name..." (a plain lower-case name, as Ponte's are), or "". */
static void insert_table_of(const char *sql, char out[PG_TABLE_MAX])
{
	out[0] = '\0';
	sql += strspn(sql, " \t\n");
	if (strncasecmp(sql, "INSERT", 6) != 0)
		return;
	sql += 6;
	sql += strspn(sql, " \t\n");
	if (strncasecmp(sql, "INTO", 4) != 0)
		return;
	sql += 4;
	sql += strspn(sql, " \t\n");
	size_t n = strspn(sql, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n && n < PG_TABLE_MAX) {
		memcpy(out, sql, n);
		out[n] = '\0';
	}
}

static int prepare(void *db, const char *sql, void **h)
{
	pg_conn *c = db;
	pg_stmt *st = calloc(1, sizeof(*st));
	if (!st)
		return PONTE_ENOMEM;
	st->c = c;
	bool named[PG_MAX_PARAMS] = { false };
	st->sql = rewrite(sql, &st->nparams, named);
	insert_table_of(sql, st->insert_table);
	for (int i = 0; i < st->nparams; i++)
		st->unnamed[i] = !named[i];
	if (!st->sql) {
		log_msg(LOG_ERROR, "store_prepare_failed", "parameter number out of range");
		free(st);
		return PONTE_ESTORE;
	}
	snprintf(st->name, sizeof(st->name), "p%llu", (unsigned long long)++c->next_name);
	*h = st;
	return 0;
}

static void forget_row(pg_stmt *st)
{
	for (int i = 0; i < st->nblobs; i++) {
		if (st->blobs[i])
			PQfreemem(st->blobs[i]);
		st->blobs[i] = NULL;
	}
}

static void forget_result(pg_stmt *st)
{
	forget_row(st);
	free(st->blobs);
	free(st->blob_lens);
	st->blobs = NULL;
	st->blob_lens = NULL;
	st->nblobs = 0;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

static void clear_bindings(pg_stmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = 0;
		st->formats[i] = 0;
		st->types[i] = 0;
	}
}

static void reset(void *h)
{
	pg_stmt *st = h;
	forget_result(st);
	clear_bindings(st);
}

static void finalize(void *h)
{
	pg_stmt *st = h;
	if (!st)
		return;
	reset(st);
	if (st->prepared && st->prepared_generation == st->c->generation && !st->c->lost &&
	    PQstatus(st->c->pg) == CONNECTION_OK) {
		char sql[64];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		/* Inside a failed transaction this fails too; the name is never reused. */
		PQclear(PQexec(st->c->pg, sql));
	}
	free(st->sql);
	free(st);
}

/* Store a copy of one value for parameter idx. */
static int bind(pg_stmt *st, int idx, const void *p, size_t n, int format, Oid type)
{
	if (!st || idx < 1 || idx > st->nparams)
		return PONTE_ESTORE;
	if (n > INT32_MAX)
		return PONTE_ELIMIT;
	int i = idx - 1;
	free(st->values[i]);
	st->values[i] = NULL;
	if (p) {
		st->values[i] = malloc(n + 1);
		if (!st->values[i])
			return PONTE_ENOMEM;
		memcpy(st->values[i], p, n);
		st->values[i][n] = 0;
	}
	st->lengths[i] = (int)n;
	st->formats[i] = format;
	st->types[i] = type;
	return 0;
}

static int bind_text(void *h, int idx, const char *s, size_t n)
{
	/* Text goes as text, NUL-terminated: PostgreSQL's text cannot hold a NUL byte. */
	if (memchr(s, 0, n))
		return PONTE_EINVAL;
	return bind(h, idx, s, n, 0, 0);
}

static int bind_int64(void *h, int idx, int64_t v)
{
	uint64_t be = htobe64((uint64_t)v);
	return bind(h, idx, &be, sizeof(be), 1, OID_INT8);
}

static int bind_double(void *h, int idx, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	bits = htobe64(bits);
	return bind(h, idx, &bits, sizeof(bits), 1, OID_FLOAT8);
}

static int bind_blob(void *h, int idx, const void *p, size_t n)
{
	static const char none;
	return bind(h, idx, n ? p : &none, n, 1, OID_BYTEA);
}

static int bind_null(void *h, int idx)
{
	return bind(h, idx, NULL, 0, 0, 0);
}

/* Prepare on the server for the kinds of values bound now (again if they changed). */
static int ensure_prepared(pg_stmt *st)
{
	for (int i = 0; i < st->nparams; i++)
		if (st->unnamed[i] && !st->types[i])
			st->types[i] = OID_TEXT;
	if (st->prepared && st->prepared_generation != st->c->generation)
		st->prepared = false; /* made in a connection since lost */
	if (st->prepared &&
	    memcmp(st->prepared_types, st->types, (size_t)st->nparams * sizeof(Oid)) == 0)
		return 0;
	pg_conn *c = st->c;
	if (st->prepared) {
		char sql[64];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		int rc = run(c, sql);
		if (rc)
			return rc;
		st->prepared = false;
		snprintf(st->name, sizeof(st->name), "p%llu", (unsigned long long)++c->next_name);
	}
	PGresult *r = PQprepare(c->pg, st->name, st->sql, st->nparams, st->types);
	int rc = check_result(c, r);
	PQclear(r);
	if (retry_after_loss(c, rc) && !(rc = usable(c))) {
		r = PQprepare(c->pg, st->name, st->sql, st->nparams, st->types);
		rc = check_result(c, r);
		PQclear(r);
	}
	if (rc) {
		log_msg(LOG_ERROR, "store_prepare_failed", c->err);
		trace_failure(c, st->sql);
		return rc;
	}
	memcpy(st->prepared_types, st->types, (size_t)st->nparams * sizeof(Oid));
	st->prepared = true;
	st->prepared_generation = c->generation;
	return 0;
}

/* A SELECT (outside a transaction, sent again after a lost connection: reads change nothing). */
static bool is_select(const char *sql)
{
	sql += strspn(sql, " \t\n(");
	return strncasecmp(sql, "SELECT", 6) == 0;
}

static PGresult *exec_prepared(pg_stmt *st)
{
	return PQexecPrepared(st->c->pg, st->name, st->nparams, (const char *const *)st->values,
			      st->lengths, st->formats, 0);
}

static int step(void *h)
{
	pg_stmt *st = h;
	if (!st->res) {
		int rc = usable(st->c);
		if (!rc)
			rc = ensure_prepared(st);
		if (rc)
			return rc;
		PGresult *r = exec_prepared(st);
		rc = check_result(st->c, r);
		if (retry_after_loss(st->c, rc) && is_select(st->sql) && !(rc = usable(st->c)) &&
		    !(rc = ensure_prepared(st))) {
			PQclear(r);
			r = exec_prepared(st);
			rc = check_result(st->c, r);
		}
		if (rc) {
			trace_failure(st->c, st->sql);
			PQclear(r);
			return rc;
		}
		st->res = r;
		st->row = -1;
		st->nrows = PQntuples(r);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			st->c->changes = strtoll(PQcmdTuples(r), NULL, 10);
		if (st->insert_table[0])
			memcpy(st->c->last_insert_table, st->insert_table, PG_TABLE_MAX);
		st->nblobs = PQnfields(r);
		if (st->nblobs) {
			st->blobs = calloc((size_t)st->nblobs, sizeof(*st->blobs));
			st->blob_lens = calloc((size_t)st->nblobs, sizeof(*st->blob_lens));
			if (!st->blobs || !st->blob_lens)
				return PONTE_ENOMEM;
		}
	}
	forget_row(st);
	if (st->row + 1 >= st->nrows) {
		st->row = st->nrows;
		return STORE_DONE;
	}
	st->row++;
	return STORE_ROW;
}

/* The current row's cell, or NULL when there is none or it is NULL. */
static bool has_cell(const pg_stmt *st, int col)
{
	return st && st->res && st->row >= 0 && st->row < st->nrows && col >= 0 &&
	       col < PQnfields(st->res) && !PQgetisnull(st->res, st->row, col);
}

static const char *col_text(void *h, int col, size_t *len)
{
	pg_stmt *st = h;
	if (!has_cell(st, col)) {
		if (len)
			*len = 0;
		return NULL;
	}
	const char *v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) == OID_BOOL)
		v = *v == 't' ? "1" : "0";
	if (len)
		*len = strlen(v);
	return v;
}

static int64_t col_int64(void *h, int col)
{
	const char *v = col_text(h, col, NULL);
	return v ? strtoll(v, NULL, 10) : 0;
}

static double col_double(void *h, int col)
{
	const char *v = col_text(h, col, NULL);
	return v ? strtod(v, NULL) : 0;
}

static const void *col_blob(void *h, int col, size_t *len)
{
	pg_stmt *st = h;
	*len = 0;
	if (!has_cell(st, col))
		return NULL;
	if (PQftype(st->res, col) != OID_BYTEA)
		return col_text(h, col, len);
	if (!st->blobs[col]) {
		size_t n = 0;
		st->blobs[col] =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
		if (!st->blobs[col])
			return NULL;
		st->blob_lens[col] = n;
	}
	*len = st->blob_lens[col];
	return st->blobs[col];
}

static bool col_is_null(void *h, int col)
{
	return !has_cell(h, col);
}

static int col_count(void *h)
{
	pg_stmt *st = h;
	return st && st->res ? PQnfields(st->res) : 0;
}

/* PostgreSQL's types as the kinds SQLite has (Ponte's schemas use bigint, double precision,
 * text and bytea, and one boolean read as 0 or 1). */
static int col_kind(void *h, int col)
{
	pg_stmt *st = h;
	if (!has_cell(st, col))
		return STORE_KIND_NULL;
	switch (PQftype(st->res, col)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8: return STORE_KIND_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC: return STORE_KIND_REAL;
	case OID_BYTEA: return STORE_KIND_BLOB;
	default: return STORE_KIND_TEXT;
	}
}

/* On a lost connection no transaction is open any more: a ROLLBACK is done (the server
 * dropped the transaction), the COMMIT of one the loss cut fails (not committed, or not
 * known to be). Either ends it, and the connection is made again at the next command. */
static int exec(void *db, const char *sql)
{
	pg_conn *c = db;
	if (c->lost && strcasecmp(sql, "ROLLBACK") == 0) {
		c->lost_in_tx = false;
		return 0;
	}
	if (c->lost && c->lost_in_tx && strcasecmp(sql, "COMMIT") == 0) {
		c->lost_in_tx = false;
		snprintf(c->err, sizeof(c->err),
			 "the connection to PostgreSQL was lost before "
			 "COMMIT: the transaction was not committed");
		return PONTE_EIO;
	}
	return run(c, sql);
}

static int begin_once(pg_conn *c, bool write)
{
	if (!write)
		return run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	int rc = run(c, "BEGIN ISOLATION LEVEL READ COMMITTED");
	if (!rc && (rc = run(c, WRITER_LOCK))) {
		if (c->lost)
			c->lost_in_tx = false; /* the server dropped it; nothing ran in it */
		else
			PQclear(PQexec(c->pg, "ROLLBACK"));
	}
	return rc;
}

/* A new transaction forgets one a lost connection took (its caller never rolled it back);
 * a BEGIN that finds the connection gone is sent again on a new one. */
static int begin(void *db, bool write)
{
	pg_conn *c = db;
	c->lost_in_tx = false;
	int rc = begin_once(c, write);
	if (retry_after_loss(c, rc))
		rc = begin_once(c, write);
	return rc;
}

static bool in_transaction(void *db)
{
	pg_conn *c = db;
	PGTransactionStatusType t = PQtransactionStatus(c->pg);
	return (c->lost && c->lost_in_tx) || t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* The id the last INSERT drew from its own table's identity sequence: currval() of that
 * sequence, not lastval(), which a trigger's INSERT into another table moves (adding a
 * trafficking event replaces the case's observatory record, whose id lastval() would give,
 * as SQLite's last_insert_rowid() never does). Asked inside a savepoint when a transaction
 * is open: with the sequence not used yet in this session the question fails, and a failure
 * would abort the caller's transaction. */
static int64_t last_insert_id(void *db)
{
	pg_conn *c = db;
	if (c->lost)
		return 0; /* the INSERT's connection is gone, and the id with it */
	bool in_tx = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
	if (in_tx)
		PQclear(PQexec(c->pg, "SAVEPOINT ponte_lastval"));
	const char *table = c->last_insert_table;
	PGresult *r = *table
			  ? PQexecParams(c->pg, "SELECT currval(pg_get_serial_sequence($1, 'id'))",
					 1, NULL, &table, NULL, NULL, 0)
			  : PQexec(c->pg, "SELECT lastval()");
	int64_t id = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
			 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
			 : 0;
	PQclear(r);
	if (in_tx)
		PQclear(PQexec(c->pg, id ? "RELEASE SAVEPOINT ponte_lastval"
					 : "ROLLBACK TO SAVEPOINT ponte_lastval"));
	return id;
}

static int64_t changes(void *db)
{
	return ((pg_conn *)db)->changes;
}

static const char *errmsg(void *db)
{
	return ((pg_conn *)db)->err;
}

static int checkpoint(void *db)
{
	(void)db; /* the server checkpoints on its own */
	return 0;
}

static int not_here(const char *what)
{
	log_msg(LOG_ERROR, "store_not_available_on_postgresql", what);
	return PONTE_EINVAL;
}

static int snapshot(void *db, const char *path)
{
	(void)db;
	(void)path;
	return not_here("snapshot (use pg_basebackup or pg_dump)");
}

static int set_wal(void *db)
{
	(void)db;
	return 0;
}

static int integrity_check(void *db, char *why, size_t whylen)
{
	(void)db;
	snprintf(why, whylen, "integrity_check is SQLite's; PostgreSQL checks with amcheck");
	return not_here("integrity_check");
}

static int table_counts(void *db, store_count_fn fn, void *ctx)
{
	pg_conn *c = db;
	int rc = usable(c);
	if (rc)
		return rc;
	PGresult *names = PQexec(c->pg, "SELECT table_name FROM information_schema.tables "
					"WHERE table_schema = current_schema() AND table_type = "
					"'BASE TABLE' ORDER BY table_name");
	rc = check_result(c, names);
	for (int i = 0; !rc && i < PQntuples(names); i++) {
		const char *name = PQgetvalue(names, i, 0);
		char *quoted = PQescapeIdentifier(c->pg, name, strlen(name));
		if (!quoted) {
			rc = PONTE_ENOMEM;
			break;
		}
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", quoted);
		PQfreemem(quoted);
		PGresult *r = PQexec(c->pg, sql);
		rc = check_result(c, r);
		if (!rc)
			rc = fn(name, strtoll(PQgetvalue(r, 0, 0), NULL, 10), ctx);
		PQclear(r);
	}
	PQclear(names);
	return rc;
}

/* ---- the store's database: Ponte's, or empty when created ---- */

static const char SQL_MARK[] =
    "CREATE TABLE ponte_store (application_id bigint NOT NULL, created_at timestamptz NOT NULL "
    "DEFAULT now())";
static const char SQL_TABLES[] =
    "SELECT count(*), count(*) FILTER (WHERE table_name = 'ponte_store') FROM "
    "information_schema.tables WHERE table_schema = current_schema()";

/* Ponte's mark is a table ponte_store holding STORE_APPLICATION_ID (SQLite keeps it in the
 * file header): a database of another program is never modified, and a new store is made
 * only in a schema with no table at all. */
int store_pg_check(store *s, bool create, char *err, size_t errlen)
{
	pg_conn *c;
	int rc = connect_to(s->path, s->opt.busy_timeout_ms, &c, err, errlen);
	if (rc)
		return rc;
	/* A hot standby is read-only, and Ponte writes on every access (its audit trail): said
	 * here, rather than as the first write's failure. */
	PGresult *r = PQexec(c->pg, "SELECT pg_is_in_recovery()");
	rc = check_result(c, r);
	bool standby = !rc && PQntuples(r) == 1 && *PQgetvalue(r, 0, 0) == 't';
	PQclear(r);
	if (!rc && standby) {
		snprintf(
		    err, errlen,
		    "%s is a standby server (read-only, in recovery); Ponte needs the primary: "
		    "name every server with target_session_attrs=read-write, or promote it",
		    s->display);
		conn_close(c);
		return PONTE_EINVAL;
	}
	r = PQexec(c->pg, SQL_TABLES);
	rc = check_result(c, r);
	long tables = rc ? 0 : strtol(PQgetvalue(r, 0, 0), NULL, 10);
	bool marked = !rc && strtol(PQgetvalue(r, 0, 1), NULL, 10) == 1;
	PQclear(r);
	if (rc) {
		snprintf(err, errlen, "%s: %s", s->display, c->err);
	} else if (create && tables) {
		snprintf(err, errlen,
			 "%s already has tables; Ponte creates its store only in an empty schema",
			 s->display);
		rc = marked ? PONTE_EEXIST : PONTE_ESCHEMA;
	} else if (create) {
		char mark[512];
		snprintf(mark, sizeof(mark),
			 "BEGIN; %s; INSERT INTO ponte_store(application_id) VALUES (%lld); COMMIT",
			 SQL_MARK, (long long)STORE_APPLICATION_ID);
		if ((rc = run(c, mark)))
			snprintf(err, errlen, "cannot create the store in %s: %s", s->display,
				 c->err);
	} else if (!marked) {
		snprintf(err, errlen,
			 "%s is not a Ponte database (no ponte_store table); refusing to use it",
			 s->display);
		rc = tables ? PONTE_ESCHEMA : PONTE_ENOTFOUND;
	} else {
		r = PQexec(c->pg, "SELECT application_id FROM ponte_store");
		rc = check_result(c, r);
		if (!rc && (PQntuples(r) != 1 ||
			    strtoll(PQgetvalue(r, 0, 0), NULL, 10) != STORE_APPLICATION_ID)) {
			snprintf(err, errlen, "%s belongs to another program; refusing to use it",
				 s->display);
			rc = PONTE_ESCHEMA;
		}
		PQclear(r);
	}
	conn_close(c);
	return rc;
}

const store_driver store_pg_driver = { .name = "postgresql", STORE_DRIVER_OPERATIONS };
