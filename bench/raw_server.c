/*
 * raw_server.c: the baseline Ponte's read figures are compared with, on the same machine in
 * the same run. libmicrohttpd in epoll thread-pool mode, like Ponte; every request answers a
 * random row of a 10,000-row SQLite table (WAL, one connection and prepared statement per
 * thread) as JSON. No sessions, permissions, templates, encryption or audit.
 *
 *   cc -O2 -o raw_server bench/raw_server.c $(pkg-config --cflags --libs libmicrohttpd sqlite3)
 *   raw_server DB PORT THREADS      (creates and fills DB's table if it is empty)
 */
#define _GNU_SOURCE
#include <microhttpd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROWS 10000

static const char *db_path;
static __thread sqlite3 *db;
static __thread sqlite3_stmt *row;
static __thread unsigned seed;

static int fill(void)
{
	sqlite3 *d;
	if (sqlite3_open(db_path, &d) != SQLITE_OK)
		return -1;
	int rc =
	    sqlite3_exec(d,
			 "PRAGMA journal_mode=WAL;"
			 "CREATE TABLE IF NOT EXISTS people(id INTEGER PRIMARY KEY, name TEXT, "
			 "country TEXT, status TEXT, updated TEXT);"
			 "BEGIN;"
			 "INSERT INTO people SELECT value, 'Person ' || value, 'NE', "
			 "'Active', '2026-12-01T10:00:00Z' FROM generate_series(1, 10000) "
			 "WHERE (SELECT count(*) FROM people) = 0;"
			 "COMMIT;",
			 NULL, NULL, NULL);
	if (rc != SQLITE_OK) /* generate_series is not in every build: a recursive CTE then */
		rc = sqlite3_exec(
		    d,
		    "ROLLBACK; BEGIN; WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL "
		    "SELECT v + 1 FROM n WHERE v < 10000) INSERT INTO people SELECT v, "
		    "'Person ' || v, 'NE', 'Active', '2026-12-01T10:00:00Z' FROM n "
		    "WHERE (SELECT count(*) FROM people) = 0; COMMIT;",
		    NULL, NULL, NULL);
	sqlite3_close(d);
	return rc == SQLITE_OK ? 0 : -1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
	(void)state;
	if (!db) {
		seed = (unsigned)(uintptr_t)&seed ^ (unsigned)getpid();
		if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				    NULL) != SQLITE_OK ||
		    sqlite3_prepare_v3(db,
				       "SELECT id, name, country, status, updated FROM people "
				       "WHERE id = ?1",
				       -1, SQLITE_PREPARE_PERSISTENT, &row, NULL) != SQLITE_OK)
			return MHD_NO;
	}
	char body[512];
	int n = 0;
	sqlite3_bind_int(row, 1, (int)(rand_r(&seed) % ROWS) + 1);
	if (sqlite3_step(row) == SQLITE_ROW)
		n = snprintf(body, sizeof(body),
			     "{\"id\":%d,\"name\":\"%s\",\"country\":\"%s\",\"status\":\"%s\","
			     "\"updated\":\"%s\"}",
			     sqlite3_column_int(row, 0), sqlite3_column_text(row, 1),
			     sqlite3_column_text(row, 2), sqlite3_column_text(row, 3),
			     sqlite3_column_text(row, 4));
	sqlite3_reset(row);
	struct MHD_Response *r =
	    MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ok = MHD_queue_response(c, n ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
	MHD_destroy_response(r);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: raw_server DB PORT THREADS\n");
		return 2;
	}
	db_path = argv[1];
	if (fill()) {
		fprintf(stderr, "raw_server: cannot fill %s\n", db_path);
		return 1;
	}
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO,
	    (uint16_t)atoi(argv[2]), NULL, NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)atoi(argv[3]), MHD_OPTION_CONNECTION_LIMIT, 4096u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "raw_server: cannot listen on %s\n", argv[2]);
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
