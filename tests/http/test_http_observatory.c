/* The observatory's import page, as a data provider uses it. */
#include "httptest.h"

#include <sqlite3.h> /* to count what was written, from outside */

#include "base/log.h"

static struct ht_server S;
static struct web_session provider;
static char *sample;
static size_t sample_len;

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	identity_env env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	web_login("provider@demo.ponte.example", DEMO_PASSWORD, NULL, &provider);
	assert_true(provider.cookie[0]);
	FILE *f = fopen("tests/data/ctdc_format_synthetic_sample.csv", "rb");
	assert_non_null(f);
	sample = malloc(1 << 20);
	sample_len = fread(sample, 1, 1 << 20, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(sample);
	ht_stop(&S);
	log_set_fd(2);
	return 0;
}

static long records(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(S.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM obs_records", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void a_provider_imports_a_file_once(void **state)
{
	(void)state;
	char fields[128];
	snprintf(fields, sizeof(fields), "csrf=%s", provider.csrf);
	struct ht_resp r;
	assert_int_equal(upload(provider.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 200);
	assert_non_null(strstr(r.body, ": 1000")); /* read and imported */
	ht_free(&r);
	assert_int_equal(records(), 1000);
	/* The same file again adds nothing. */
	assert_int_equal(upload(provider.cookie, "/observatory/import", fields, "ctdc.csv", sample,
				sample_len, &r),
			 200);
	ht_free(&r);
	assert_int_equal(records(), 1000);
}

static void a_bad_file_is_explained_and_nothing_is_written(void **state)
{
	(void)state;
	char *bad = malloc(sample_len);
	memcpy(bad, sample, sample_len);
	/* The year of the first record becomes 1850. */
	char *line2 = strchr(bad, '\n') + 1;
	memcpy(line2, "1850", 4);
	char fields[128];
	snprintf(fields, sizeof(fields), "csrf=%s", provider.csrf);
	struct ht_resp r;
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", fields, "bad.csv", bad, sample_len, &r),
	    422);
	/* In the provider's language (Portuguese), with the line and the column. */
	assert_non_null(strstr(r.body, "Nada foi escrito"));
	assert_non_null(strstr(r.body, "<td>2</td><td>yearOfRegistration</td>"));
	ht_free(&r);
	assert_int_equal(records(), 1000);
	/* Without the CSRF token, nothing happens. */
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", NULL, "bad.csv", bad, sample_len, &r),
	    403);
	ht_free(&r);
	/* With "valid records only": 999 more. */
	snprintf(fields, sizeof(fields), "csrf=%s&skip_invalid=1", provider.csrf);
	assert_int_equal(
	    upload(provider.cookie, "/observatory/import", fields, "bad.csv", bad, sample_len, &r),
	    200);
	ht_free(&r);
	assert_int_equal(records(), 1999);
	free(bad);
}

static void a_200_mb_upload_is_refused_before_it_is_read(void **state)
{
	(void)state;
	char request[1024], answer[4096];
	int n = snprintf(request, sizeof(request),
			 "POST /observatory/import HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
			 "Content-Type: multipart/form-data; boundary=XyZ\r\n"
			 "Content-Length: 209715200\r\n\r\n--XyZ\r\n",
			 provider.cookie);
	ht_raw(S.port, request, (size_t)n, answer, sizeof(answer));
	assert_int_equal(ht_raw_status(answer), 413);
	assert_int_equal(records(), 1999);
}

static void other_roles_cannot_import(void **state)
{
	(void)state;
	struct web_session w;
	web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/observatory/import", h, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_provider_imports_a_file_once),
		cmocka_unit_test(a_bad_file_is_explained_and_nothing_is_written),
		cmocka_unit_test(a_200_mb_upload_is_refused_before_it_is_read),
		cmocka_unit_test(other_roles_cannot_import),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
