/* The JSON API's contract as a program meets it: a field the route does not take is refused
 * with 400 naming it, and changes nothing. (tests/e2e/api.test.mjs checks every route against
 * the OpenAPI document.) */
#include "httptest.h"

#include "base/log.h"

static struct ht_server S;
static char cw_auth[128], fp_auth[128], admin_auth[128];

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	bearer("case.worker@demo.ponte.example", cw_auth, sizeof(cw_auth));
	bearer("focal.point@demo.ponte.example", fp_auth, sizeof(fp_auth));
	bearer(DEMO_ADMIN_EMAIL, admin_auth, sizeof(admin_auth));
	return 0;
}

/* One row's values (bytes of each, its column number) hashed alone: the rows' hashes are
 * added, so the fingerprint does not depend on the order a table returns its rows in
 * (PostgreSQL moves a row it rewrites). */
static uint64_t row_hash(int c, const unsigned char *v, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ v[i]) * 1099511628211ull;
	return (h ^ (uint64_t)c) * 1099511628211ull;
}

#define FNV_BASIS 1469598103934665603ull

static uint64_t fingerprint_pg(void)
{
	uint64_t sum = 0;
	PGconn *pg = PQconnectdb(S.db_path);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PGresult *tables = PQexec(pg, "SELECT table_name FROM information_schema.tables WHERE "
				      "table_schema = current_schema() AND table_type = 'BASE "
				      "TABLE' AND table_name NOT IN ('audit_events', 'sessions') "
				      "ORDER BY table_name");
	assert_int_equal(PQresultStatus(tables), PGRES_TUPLES_OK);
	assert_true(PQntuples(tables) > 50);
	for (int t = 0; t < PQntuples(tables); t++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", PQgetvalue(tables, t, 0));
		PGresult *rows = PQexec(pg, sql);
		assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
		for (int i = 0; i < PQntuples(rows); i++) {
			uint64_t h = FNV_BASIS ^ (uint64_t)t;
			for (int c = 0; c < PQnfields(rows); c++)
				h = row_hash(c, (const unsigned char *)PQgetvalue(rows, i, c),
					     (size_t)PQgetlength(rows, i, c), h);
			sum += h;
		}
		PQclear(rows);
	}
	PQclear(tables);
	PQfinish(pg);
	return sum;
}

/* What the database holds, less what every request writes (the audit trail, the sessions):
 * equal before and after a refused request when it changed nothing. */
static uint64_t fingerprint(void)
{
	if (ht_is_pg())
		return fingerprint_pg();
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;
	uint64_t sum = 0;
	int t = 0;
	assert_int_equal(sqlite3_open_v2(S.db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_master WHERE type = 'table' "
					    "AND name NOT IN ('audit_events', 'sessions') "
					    "AND name NOT LIKE 'sqlite_%' ORDER BY name",
					    -1, &tables, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", sqlite3_column_text(tables, 0));
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			uint64_t h = FNV_BASIS ^ (uint64_t)t;
			for (int c = 0; c < sqlite3_column_count(rows); c++)
				h = row_hash(c, sqlite3_column_blob(rows, c),
					     (size_t)sqlite3_column_bytes(rows, c), h);
			sum += h;
		}
		sqlite3_finalize(rows);
		t++;
	}
	assert_true(t > 50);
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return sum;
}

/* A body the route takes, with one more member where: refused with 400 naming it, nothing
 * changed; then the same body without it is taken (so the member was the only fault). */
struct probe {
	const char *auth, *method, *path;
	const char *good;  /* the body the route takes */
	const char *bad;   /* the same with a member it does not take */
	const char *field; /* named in the answer */
	long status;       /* the answer to the good body */
};

static void run_probe(const struct probe *p)
{
	struct ht_resp r;
	uint64_t before = fingerprint();
	if (api(p->auth, p->method, p->path, p->bad, &r) != 400)
		fail_msg("%s %s with %s answered %ld: %s", p->method, p->path, p->bad, r.status,
			 r.body);
	char want[128];
	snprintf(want, sizeof(want), "\"field\":\"%s\"", p->field);
	if (!strstr(r.body, want) || !strstr(r.body, "\"code\":\"unknown_field\""))
		fail_msg("%s %s: %s", p->method, p->path, r.body);
	ht_free(&r);
	if (fingerprint() != before)
		fail_msg("%s %s with %s changed the database", p->method, p->path, p->bad);
	if (api(p->auth, p->method, p->path, p->good, &r) != p->status)
		fail_msg("%s %s with %s answered %ld: %s", p->method, p->path, p->good, r.status,
			 r.body);
	ht_free(&r);
}

static void unknown_fields_are_refused_and_change_nothing(void **state)
{
	(void)state;
	struct ht_resp r;
	/* The finding: a misspelt field answered 200 and raised the version. */
	assert_int_equal(api(cw_auth, "GET", "/api/v1/cases/1", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"version\":1,"));
	ht_free(&r);
	const struct probe probes[] = {
		{ cw_auth, "PATCH", "/api/v1/cases/1", "{\"version\":1,\"phase\":\"protection\"}",
		  "{\"version\":1,\"phase\":\"protection\",\"prs_FirstName\":\"X\"}",
		  "prs_FirstName", 200 },
		{ cw_auth, "PATCH", "/api/v1/cases/1",
		  "{\"version\":2,\"person\":{\"prs_FirstName\":\"Amina\"}}",
		  "{\"version\":2,\"person\":{\"prs_FirstName\":\"Amina\",\"prs_Firstname\":\"X\"}"
		  "}",
		  "person.prs_Firstname", 200 },
		{ cw_auth, "PATCH", "/api/v1/cases/1",
		  "{\"version\":3,\"victim\":{\"smuggled_migrant\":false}}",
		  "{\"version\":3,\"victim\":{\"smuggled_migrant\":false,\"smuggled\":true}}",
		  "victim.smuggled", 200 },
		{ cw_auth, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Awa\"}}",
		  "{\"person\":{\"prs_FirstName\":\"Awa\"},\"status\":\"Active\"}", "status", 201 },
		{ cw_auth, "POST", "/api/v1/cases/2/status-decisions",
		  "{\"status\":\"presumed\",\"decided_on\":\"2026-01-05\",\"vic_"
		  "TraffickingStatusDecisionMakingOrg\":\"NGO\"}",
		  "{\"status\":\"presumed\",\"decided_on\":\"2026-01-05\",\"vic_"
		  "TraffickingStatusDecisionMakingOrg\":\"NGO\","
		  "\"decided_by\":3}",
		  "decided_by", 201 },
		{ cw_auth, "POST", "/api/v1/cases/2/file/needs",
		  "{\"need\":\"accommodation\",\"urgency\":\"immediate\","
		  "\"identified_on\":\"2026-01-05\"}",
		  "{\"need\":\"accommodation\",\"urgency\":\"immediate\","
		  "\"identified_on\":\"2026-01-05\",\"priority\":\"high\"}",
		  "priority", 201 },
		{ fp_auth, "POST", "/api/v1/focal-points",
		  "{\"organisation\":\"PT-OTSH\",\"mandate\":\"thb\","
		  "\"languages\":[\"pt\"],\"mailbox\":\"otsh@demo.ponte.example\"}",
		  "{\"organisation\":\"PT-OTSH\",\"mandate\":\"thb\","
		  "\"languages\":[\"pt\"],\"mailbox\":\"otsh@demo.ponte.example\",\"email\":\"x\"}",
		  "email", 201 },
		{ admin_auth, "POST", "/api/v1/users",
		  "{\"email\":\"new@demo.ponte.example\",\"name\":\"New (demo)\","
		  "\"organisation\":\"PT-NGO-LX\",\"roles\":[\"case_worker\"],"
		  "\"password\":\"a long enough passphrase 42\"}",
		  "{\"email\":\"new@demo.ponte.example\",\"name\":\"New (demo)\","
		  "\"organisation\":\"PT-NGO-LX\",\"roles\":[\"case_worker\"],"
		  "\"password\":\"a long enough passphrase 42\",\"role\":\"admin\"}",
		  "role", 201 },
		{ cw_auth, "POST", "/api/v1/cases/3/closures",
		  "{\"cas_Status\":\"Closed\",\"cas_ReasonForCaseClosure\":\"Moved abroad\"}",
		  "{\"cas_Status\":\"Closed\",\"cas_ReasonForCaseClosure\":\"Moved abroad\","
		  "\"approve\":true}",
		  "approve", 201 },
	};
	for (size_t i = 0; i < ARRAY_LEN(probes); i++)
		run_probe(&probes[i]);
	/* A route that takes no body refuses one with members too, rather than ignore it. */
	uint64_t before = fingerprint();
	assert_int_equal(api(cw_auth, "POST", "/api/v1/auth/logout", "{\"everywhere\":true}", &r),
			 400);
	ht_free(&r);
	assert_int_equal(fingerprint(), before);
	assert_int_equal(api(cw_auth, "GET", "/api/v1/users/me", NULL, &r), 200);
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_fields_are_refused_and_change_nothing),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
