/*
 * httptest.h: start Ponte in-process on a free loopback port and talk to it with libcurl.
 */
#ifndef PONTE_HTTPTEST_H
#define PONTE_HTTPTEST_H

/* Route tables give the trailing upload column only where true. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "unit/testutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "app/app.h"
#include "app/demo.h"
#include "base/clock.h"
#include "base/log.h"
#include "identity/auth.h"
#include "instance/instance.h"
#include "keys/keys.h"
#include <libpq-fe.h> /* to create and drop the PostgreSQL databases of PONTE_TEST_HTTP_STORE=pg */
#include <sqlite3.h>

struct ht_server {
	char *dir;
	char *db_path; /* the SQLite file, or the URL of the server's PostgreSQL database */
	char *pg_name; /* that database's name, dropped by ht_stop() */
	char *key_path;
	store *db;
	crypto_keyring *keys;
	app app;
	http_app custom; /* when started with test routes */
	http_server *server;
	uint16_t port;
};

struct ht_resp {
	long status;
	char *body;
	size_t len;
	char headers[16384];
	size_t hlen;
};

/* PONTE_TEST_HTTP_STORE=pg: every server of the suite runs on a PostgreSQL database of its
 * own, made on the server that PONTE_TEST_PG names (tests/pg/cluster.sh) and dropped when
 * the server stops; its files go to a folder in the server's temporary folder. */
static inline bool ht_is_pg(void)
{
	const char *v = getenv("PONTE_TEST_HTTP_STORE");
	return v && strcmp(v, "pg") == 0;
}

static void ht_pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Run one statement on the PostgreSQL server's maintenance database. */
static inline void ht_pg_admin(const char *sql)
{
	const char *url = getenv("PONTE_TEST_PG");
	if (!url || !*url)
		fail_msg("PONTE_TEST_HTTP_STORE=pg needs PONTE_TEST_PG: start a server with "
			 "eval \"$(bash tests/pg/cluster.sh start)\"");
	PGconn *pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("PostgreSQL server %s: %s", url, PQerrorMessage(pg));
	PQsetNoticeProcessor(pg, ht_pg_quiet, NULL);
	PGresult *r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
	PQfinish(pg);
}

/* A new database for a server: its name in s->pg_name, its URL (the server's URL with that
 * dbname) in s->db_path. */
static inline void ht_pg_create(struct ht_server *s)
{
	static unsigned made;
	char name[64], sql[128];
	snprintf(name, sizeof(name), "ponte_http_%ld_%u", (long)getpid(), ++made);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	ht_pg_admin(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	ht_pg_admin(sql);
	const char *url = getenv("PONTE_TEST_PG"), *q = strchr(url, '?');
	size_t n = strlen(url) + strlen(name) + 32;
	s->db_path = malloc(n);
	s->pg_name = strdup(name);
	assert_true(s->db_path && s->pg_name);
	snprintf(s->db_path, n, "postgresql:///%s%s", name, q ? q : "");
}

static inline void ht_make_db(struct ht_server *s)
{
	char err[512];
	s->dir = test_tmpdir();
	store_options opt = { 0 };
	char *files = NULL;
	if (ht_is_pg()) {
		ht_pg_create(s);
		files = test_path(s->dir, "ponte.files");
		opt.files_dir = files;
	} else {
		s->db_path = test_path(s->dir, "ponte.db");
	}
	int rc = store_create(s->db_path, &opt, &s->db, err, sizeof(err));
	free(files);
	if (rc)
		fail_msg("store_create %s: %s", s->db_path, err);
	store_migration_report r;
	if (store_migrate(s->db, &r))
		fail_msg("migrations: %s", r.message);
	assert_int_equal(instance_set(s->db, "Observatório <Teste> & \"Lda\"", "PT"), 0);
	assert_int_equal(crypto_init(), 0);
	s->key_path = test_path(s->dir, "ponte.key");
	rc = keys_setup(s->db, s->key_path, &s->keys, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
}

/* Start the real application; with routes, a custom table served with the same services. */
static inline void ht_start_with(struct ht_server *s, const http_route *routes, size_t n,
				 unsigned grace_ms)
{
	char err[512];
	memset(s, 0, sizeof(*s));
	ht_make_db(s);
	assert_int_equal(app_load_resources(err, sizeof(err)), 0);
	assert_int_equal(app_init(&s->app, s->db, s->keys, err, sizeof(err)), 0);
	http_server_config cfg;
	http_server_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 2;
	cfg.shutdown_grace_ms = grace_ms;
	cfg.metrics = s->app.svc.metrics;
	cfg.spool_dir = s->app.svc.spool_dir;
	const http_app *served = &s->app.http;
	if (routes) {
		s->custom = s->app.http;
		s->custom.routes = routes;
		s->custom.nroutes = n;
		served = &s->custom;
		cfg.metrics = NULL;
	}
	int rc = http_server_start(served, &cfg, &s->server, err, sizeof(err));
	if (rc)
		fail_msg("server did not start: %s", err);
	s->port = http_server_port(s->server);
	assert_true(s->port > 0);
}

static inline void ht_start(struct ht_server *s)
{
	ht_start_with(s, NULL, 0, 5000);
}

static inline void ht_stop(struct ht_server *s)
{
	if (s->server)
		http_server_stop(s->server);
	s->server = NULL;
	store_checkpoint(s->db);
	store_close(s->db);
	s->db = NULL;
	app_release(&s->app);
	crypto_keyring_free(s->keys);
	free(s->key_path);
	free(s->db_path);
	if (s->pg_name) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", s->pg_name);
		ht_pg_admin(sql);
		free(s->pg_name);
		s->pg_name = NULL;
	}
	test_rmtree(s->dir);
}

static size_t ht_body_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct ht_resp *r = ctx;
	size_t add = size * n;
	char *b = realloc(r->body, r->len + add + 1);
	assert_non_null(b);
	memcpy(b + r->len, p, add);
	r->len += add;
	b[r->len] = '\0';
	r->body = b;
	return add;
}

static size_t ht_header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct ht_resp *r = ctx;
	size_t add = size * n;
	if (r->hlen + add < sizeof(r->headers)) {
		memcpy(r->headers + r->hlen, p, add);
		r->hlen += add;
		r->headers[r->hlen] = '\0';
	}
	return add;
}

/* method NULL = GET; headers is a NULL-terminated list of "Name: value". */
static inline CURLcode ht_request(uint16_t port, const char *method, const char *path,
				  const char *body, long body_len, const char **headers,
				  struct ht_resp *r)
{
	memset(r, 0, sizeof(*r));
	char url[2048];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	for (const char **h = headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ht_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (method && strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, body_len);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (!r->body)
		r->body = strdup("");
	return rc;
}

static inline void ht_get(uint16_t port, const char *path, const char **headers, struct ht_resp *r)
{
	CURLcode rc = ht_request(port, NULL, path, NULL, 0, headers, r);
	if (rc != CURLE_OK)
		fail_msg("GET %s: %s", path, curl_easy_strerror(rc));
}

static inline void ht_free(struct ht_resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* The value of a response header (case-insensitive name), copied into out; NULL if absent. */
static inline const char *ht_header(const struct ht_resp *r, const char *name, char *out,
				    size_t outlen)
{
	size_t n = strlen(name);
	for (const char *line = r->headers; *line;) {
		const char *eol = strstr(line, "\r\n");
		if (!eol)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, outlen, "%.*s", (int)(eol - v), v);
			return out;
		}
		line = eol + 2;
	}
	return NULL;
}

/* Send raw bytes, read the answer (up to outlen - 1 bytes). Returns bytes read. */
static inline size_t ht_raw(uint16_t port, const char *data, size_t len, char *out, size_t outlen)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t off = 0;
	while (off < len) {
		ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may close early (413): that is fine */
		off += (size_t)w;
	}
	size_t got = 0;
	while (got + 1 < outlen) {
		ssize_t r = recv(fd, out + got, outlen - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (strstr(out, "\r\n\r\n") && got > 12) {
			/* Stop once headers and any short body have arrived. */
			out[got] = '\0';
			const char *cl = strcasestr(out, "Content-Length:");
			const char *end = strstr(out, "\r\n\r\n") + 4;
			if (cl && (size_t)(out + got - end) >= strtoul(cl + 15, NULL, 10))
				break;
		}
	}
	out[got] = '\0';
	close(fd);
	return got;
}

static inline int ht_raw_status(const char *answer)
{
	if (strncmp(answer, "HTTP/1.", 7) != 0)
		return 0;
	return (int)strtol(answer + 9, NULL, 10);
}

/* ---- Signing in, for suites that need callers (identity, cases) ---- */

/* The server the helpers below talk to; a suite sets it in its setup. */
static struct ht_server *ht_current __attribute__((unused));
#define S (*ht_current)

/* Change a setting in the current server's database, as from outside its pages. */
static inline void set_setting(const char *key, const char *value)
{
	static const char SQL[] = "UPDATE settings SET value = ?1 WHERE key = ?2";
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(S.db, &c), 0);
	assert_int_equal(store_prepare(c, SQL, &st), 0);
	store_bind_text(st, 1, value, strlen(value));
	store_bind_text(st, 2, key, strlen(key));
	int rc = store_step(st);
	store_reset(st);
	assert_int_equal(rc, STORE_DONE);
}

/* Run one statement on the current server's database from outside the server (a harness
 * simulating what no page can do): the number of rows it changed. */
static inline long ht_exec(const char *sql)
{
	long changed = -1;
	if (ht_is_pg()) {
		PGconn *pg = PQconnectdb(S.db_path);
		assert_int_equal(PQstatus(pg), CONNECTION_OK);
		PGresult *r = PQexec(pg, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(pg));
		changed = strtol(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		PQfinish(pg);
		return changed;
	}
	sqlite3 *db;
	assert_int_equal(sqlite3_open(S.db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	changed = sqlite3_changes(db);
	sqlite3_close(db);
	return changed;
}

/* The integer in the first column of the first row of a query on the current server's
 * database, read from outside the server as an auditor's tool would (the text may be built
 * at run time: the suite's store caches statements by address); fails without a row. */
static inline int64_t ht_query_int(const char *sql)
{
	int64_t v = 0;
	if (ht_is_pg()) {
		PGconn *pg = PQconnectdb(S.db_path);
		assert_int_equal(PQstatus(pg), CONNECTION_OK);
		PGresult *r = PQexec(pg, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
			fail_msg("%s: %s", sql, PQerrorMessage(pg));
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(pg);
		return v;
	}
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(S.db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Each row of a query on the current server's database, read from outside the server:
 * row() is called as sqlite3_exec() calls it, with the values as text (NULL for a null) and
 * the columns' names; it returns 0 to go on. */
typedef int (*ht_row_fn)(void *ctx, int ncols, char **values, char **names);
static inline void ht_query_rows(const char *sql, ht_row_fn row, void *ctx)
{
	if (!ht_is_pg()) {
		sqlite3 *db;
		assert_int_equal(sqlite3_open(S.db_path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 2000);
		if (sqlite3_exec(db, sql, row, ctx, NULL) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_close(db);
		return;
	}
	PGconn *pg = PQconnectdb(S.db_path);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PGresult *r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	int ncols = PQnfields(r);
	char **values = calloc((size_t)ncols + 1, sizeof(*values));
	char **names = calloc((size_t)ncols + 1, sizeof(*names));
	assert_true(values && names);
	for (int c = 0; c < ncols; c++)
		names[c] = PQfname(r, c);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int c = 0; c < ncols; c++)
			values[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
		if (row(ctx, ncols, values, names))
			break;
	}
	free(values);
	free(names);
	PQclear(r);
	PQfinish(pg);
}

/* The writers' lock of a server's database, held from outside as another process holds it
 * (a key rotation, a restore's check, an administrator's shell): on SQLite its write lock
 * (BEGIN IMMEDIATE). On PostgreSQL the advisory lock every write transaction of Ponte takes
 * first (WRITER_LOCK in src/store/pg.c, keyed by STORE_APPLICATION_ID), and every table
 * locked IN EXCLUSIVE MODE, which a write made outside a transaction (a session, a
 * throttling count) meets too, as it meets SQLite's lock. Readers go on; a writer waits for
 * it, up to the store's busy timeout. */
struct ht_writers_lock {
	sqlite3 *db;
	PGconn *pg;
};

static inline void ht_lock_writers(const struct ht_server *s, struct ht_writers_lock *l)
{
	memset(l, 0, sizeof(*l));
	if (!ht_is_pg()) {
		assert_int_equal(sqlite3_open(s->db_path, &l->db), SQLITE_OK);
		sqlite3_busy_timeout(l->db, 5000);
		if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			fail_msg("BEGIN IMMEDIATE: %s", sqlite3_errmsg(l->db));
		return;
	}
	char sql[512];
	snprintf(
	    sql, sizeof(sql),
	    "BEGIN; SELECT pg_advisory_xact_lock(%lld); "
	    "DO $$ BEGIN EXECUTE (SELECT 'LOCK TABLE ' || string_agg(format('%%I', tablename), "
	    "', ') || ' IN EXCLUSIVE MODE' FROM pg_tables WHERE schemaname = "
	    "current_schema()); END $$",
	    (long long)STORE_APPLICATION_ID);
	l->pg = PQconnectdb(s->db_path);
	assert_int_equal(PQstatus(l->pg), CONNECTION_OK);
	PGresult *r = PQexec(l->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(l->pg));
	PQclear(r);
}

static inline void ht_unlock_writers(struct ht_writers_lock *l)
{
	if (l->db) {
		assert_int_equal(sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(l->db);
	}
	if (l->pg) {
		PGresult *r = PQexec(l->pg, "COMMIT");
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(l->pg);
	}
	memset(l, 0, sizeof(*l));
}

/* The first of probes found in one file, or NULL; *files counts the files read. */
static inline const char *ht_file_holds(const char *path, const char *const *probes, size_t n,
					int *files)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	(*files)++;
	fseek(fp, 0, SEEK_END);
	long len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *data = malloc((size_t)len + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	const char *found = NULL;
	for (size_t p = 0; p < n && !found; p++)
		if (memmem(data, (size_t)len, probes[p], strlen(probes[p])))
			found = probes[p];
	free(data);
	return found;
}

/* Whether one of probes is stored in clear by the current server's database: SQLite's file,
 * its WAL and shared memory; PostgreSQL's folder of the database and its write-ahead log,
 * after a checkpoint. The probe found or NULL; *files counts the files read. */
static inline const char *ht_on_disk(const char *const *probes, size_t n, int *files)
{
	*files = 0;
	const char *found = NULL;
	if (!ht_is_pg()) {
		store_checkpoint(S.db);
		const char *suffixes[] = { "", "-wal", "-shm" };
		for (size_t s = 0; s < 3 && !found; s++) {
			char path[600];
			snprintf(path, sizeof(path), "%s%s", S.db_path, suffixes[s]);
			found = ht_file_holds(path, probes, n, files);
		}
		return found;
	}
	ht_pg_admin("CHECKPOINT");
	PGconn *pg = PQconnectdb(S.db_path);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PGresult *r = PQexec(pg, "SELECT oid FROM pg_database WHERE datname = current_database()");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	char dirs[2][600];
	const char *data = getenv("PONTE_TEST_PG_DIR");
	assert_non_null(data);
	snprintf(dirs[0], sizeof(dirs[0]), "%s/data/base/%s", data, PQgetvalue(r, 0, 0));
	snprintf(dirs[1], sizeof(dirs[1]), "%s/data/pg_wal", data);
	PQclear(r);
	PQfinish(pg);
	for (size_t d = 0; d < 2 && !found; d++) {
		DIR *dir = opendir(dirs[d]);
		assert_non_null(dir);
		for (struct dirent *e = readdir(dir); e && !found; e = readdir(dir)) {
			char path[1300];
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name) >=
			    sizeof(path))
				continue;
			struct stat sb;
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
				found = ht_file_holds(path, probes, n, files);
		}
		closedir(dir);
	}
	return found;
}

/* A suite's server with the demonstration data and an administrator, made current, 2FA
 * left to its own tests: the setup of the suites that sign in as the demo's roles. */
static inline void ht_start_demo(struct ht_server *s)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(s);
	ht_current = s;
	keyed_store env = { s->db, s->keys };
	assert_int_equal(demo_fill(&env), 0);
	organisation admin_org = {
		0, "ADMIN", "Administration", "PT", "CentralGovernmentOrganisation", 0, false
	};
	assert_int_equal(org_add(s->db, &admin_org, NULL), 0);
	user_input admin = { .email = DEMO_ADMIN_EMAIL,
			     .name = "Administrator",
			     .organisation_code = "ADMIN",
			     .roles = { "administrator" },
			     .nroles = 1,
			     .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &admin, NULL, &problem), 0);
	set_setting("require_2fa_for_flagged_roles", "0");
}

/* An organisation of type NGO added to the current server (another organisation to test
 * scopes against), and a user of any organisation with one role and the demo's password. */
static inline void ht_add_org(const char *code, const char *name, const char *country)
{
	organisation o = { 0, code, name, country, "NGO", 0, false };
	assert_int_equal(org_add(ht_current->db, &o, NULL), 0);
}

static inline void ht_add_user(const char *email, const char *name, const char *org,
			       const char *role_code)
{
	keyed_store env = { ht_current->db, ht_current->keys };
	user_input in = { .email = email,
			  .name = name,
			  .organisation_code = org,
			  .roles = { role_code },
			  .nroles = 1,
			  .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &in, NULL, &problem), 0);
}

/* A request to the API of the current server as auth ("Authorization: ..." or NULL), with a
 * JSON body or none: the status, the answer in r (ht_free it). */
static inline long api(const char *auth, const char *method, const char *path, const char *body,
		       struct ht_resp *r)
{
	const char *h[] = { auth, "Content-Type: application/json", NULL };
	assert_int_equal(
	    ht_request(S.port, method, path, body, body ? (long)strlen(body) : 0, h, r), CURLE_OK);
	return r->status;
}

/* The status alone of such a request. */
static inline long api_status(const char *auth, const char *method, const char *path,
			      const char *body)
{
	struct ht_resp r;
	long status = api(auth, method, path, body, &r);
	ht_free(&r);
	return status;
}

/* The number after "key": in a JSON body (which must hold it). */
static inline long long ht_number(const char *body, const char *key)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":", key);
	const char *p = strstr(body, k);
	assert_non_null(p);
	return strtoll(p + strlen(k), NULL, 10);
}

/* The group teardown of a suite with one server, the current one: stopped, logs on stderr
 * again. */
static inline int ht_teardown(void **state)
{
	(void)state;
	ht_stop(&S);
	log_set_fd(2);
	return 0;
}

/* Bearer token for an account, or "" when refused. */
static inline void api_login(const char *email, const char *password, const char *totp, char *token,
			     size_t n)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"%s%s%s}", email,
		 password, totp ? ",\"totp\":\"" : "", totp ? totp : "", totp ? "\"" : "");
	struct ht_resp r;
	assert_int_equal(
	    ht_request(S.port, "POST", "/api/v1/auth/login", body, (long)strlen(body), NULL, &r),
	    CURLE_OK);
	token[0] = '\0';
	const char *t = strstr(r.body, "\"token\":\"");
	if (r.status == 200 && t)
		snprintf(token, n, "%.43s", t + 9);
	ht_free(&r);
}

/* "Authorization: Bearer ..." for an account with the demo password. */
static inline void bearer(const char *email, char *out, size_t n)
{
	char token[64];
	api_login(email, DEMO_PASSWORD, NULL, token, sizeof(token));
	assert_true(token[0]);
	snprintf(out, n, "Authorization: Bearer %s", token);
}

struct web_session {
	char cookie[128]; /* "Cookie: ponte_session=..." */
	char csrf[64];
};

static inline long web_login(const char *email, const char *password, const char *extra_cookie,
			     struct web_session *w)
{
	char body[512], cookie_header[256];
	snprintf(body, sizeof(body), "email=%s&password=%s", email, password);
	const char *h[] = { cookie_header, NULL };
	snprintf(cookie_header, sizeof(cookie_header), "Cookie: %s",
		 extra_cookie ? extra_cookie : "x=1");
	struct ht_resp r;
	assert_int_equal(ht_request(S.port, "POST", "/login", body, (long)strlen(body), h, &r),
			 CURLE_OK);
	char v[256];
	w->cookie[0] = w->csrf[0] = '\0';
	if (ht_header(&r, "Set-Cookie", v, sizeof(v))) {
		assert_non_null(strstr(v, "HttpOnly"));
		assert_non_null(strstr(v, "SameSite=Strict"));
		snprintf(w->cookie, sizeof(w->cookie), "Cookie: %.*s", (int)strcspn(v, ";"), v);
	}
	long status = r.status;
	ht_free(&r);
	if (!w->cookie[0])
		return status;
	/* The CSRF token, as the browser finds it in any form. */
	const char *hh[] = { w->cookie, NULL };
	ht_get(S.port, "/profile/2fa", hh, &r);
	const char *c = strstr(r.body, "name=\"csrf\" value=\"");
	if (c)
		snprintf(w->csrf, sizeof(w->csrf), "%.43s", c + 19);
	ht_free(&r);
	return status;
}

static inline long form_post(const struct web_session *w, const char *path, const char *fields,
			     struct ht_resp *r)
{
	char body[2048];
	snprintf(body, sizeof(body), "%s&csrf=%s", fields, w->csrf);
	const char *h[] = { w->cookie, "Content-Type: application/x-www-form-urlencoded", NULL };
	assert_int_equal(ht_request(S.port, "POST", path, body, (long)strlen(body), h, r),
			 CURLE_OK);
	return r->status;
}

/* ---- Uploads ---- */

/* A multipart/form-data body with fields (name=value pairs, may be NULL) and one file. */
static inline size_t multipart(char *out, size_t cap, const char *fields, const char *filename,
			       const void *data, size_t len)
{
	size_t n = 0;
	if (fields) {
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", fields);
		for (char *save, *kv = strtok_r(copy, "&", &save); kv;
		     kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			*eq = '\0';
			n += (size_t)snprintf(
			    out + n, cap - n,
			    "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
			    kv, eq + 1);
		}
	}
	n += (size_t)snprintf(
	    out + n, cap - n,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
	    "Content-Type: application/pdf\r\n\r\n",
	    filename);
	assert_true(n + len + 16 < cap);
	memcpy(out + n, data, len);
	n += len;
	n += (size_t)snprintf(out + n, cap - n, "\r\n--XyZ--\r\n");
	return n;
}

static inline long upload(const char *auth, const char *path, const char *fields,
			  const char *filename, const void *data, size_t len, struct ht_resp *r)
{
	size_t cap = len + 4096;
	char *body = malloc(cap);
	size_t n = multipart(body, cap, fields, filename, data, len);
	const char *h[] = { auth, "Content-Type: multipart/form-data; boundary=XyZ", NULL };
	assert_int_equal(ht_request(ht_current->port, "POST", path, body, (long)n, h, r), CURLE_OK);
	free(body);
	return r->status;
}

#undef S

#endif
