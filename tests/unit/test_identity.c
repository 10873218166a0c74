#include "identity_fixture.h"

#include <sqlite3.h> /* to tamper with the file from outside, as an attacker would */
#include <sys/stat.h>

#include "audit/audit.h"
#include "base/urlcode.h"
#include "identity/auth.h"

static void fields_are_bound_to_their_row_and_column(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	buf c, p;
	buf_init(&c, 4096);
	buf_init(&p, 4096);
	crypto_ad ad = { "users", "name", 7 };
	assert_int_equal(
	    crypto_field_encrypt(f.keys, &ad, "Aïcha Diallo", strlen("Aïcha Diallo"), &c), 0);
	assert_int_equal(crypto_field_decrypt(f.keys, &ad, c.data, c.len, &p), 0);
	assert_string_equal(p.data, "Aïcha Diallo");
	crypto_ad other_row = { "users", "name", 8 }, other_col = { "users", "email", 7 };
	buf_reset(&p);
	assert_int_equal(crypto_field_decrypt(f.keys, &other_row, c.data, c.len, &p), PONTE_EINVAL);
	assert_int_equal(crypto_field_decrypt(f.keys, &other_col, c.data, c.len, &p), PONTE_EINVAL);
	c.data[c.len - 1] ^= 1; /* tampered */
	assert_int_equal(crypto_field_decrypt(f.keys, &ad, c.data, c.len, &p), PONTE_EINVAL);
	c.data[c.len - 1] ^= 1;
	c.data[3] = 9; /* unknown key version */
	assert_int_equal(crypto_field_decrypt(f.keys, &ad, c.data, c.len, &p), PONTE_EINVAL);
	assert_int_equal(crypto_field_decrypt(f.keys, &ad, "short", 5, &p), PONTE_EINVAL);
	unsigned char i1[32], i2[32], i3[32];
	crypto_blind_index(f.keys, "users.email", "a@b.pt", 6, i1);
	crypto_blind_index(f.keys, "users.email", "a@b.pt", 6, i2);
	crypto_blind_index(f.keys, "login.throttle", "a@b.pt", 6, i3);
	assert_memory_equal(i1, i2, 32);
	assert_memory_not_equal(i1, i3, 32);
	buf_release(&c);
	buf_release(&p);
	fixture_close(&f);
}

static void key_file_must_be_private_and_right(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char err[512];
	crypto_keyring *k;
	assert_int_equal(keys_load(f.db, f.key_path, &k, err, sizeof(err)), 0);
	crypto_keyring_free(k);
	chmod(f.key_path, 0644);
	assert_int_equal(keys_load(f.db, f.key_path, &k, err, sizeof(err)), PONTE_EDENIED);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(f.key_path, 0600);
	/* Another installation's key does not open these keys. */
	char *other = test_path(f.dir, "other.key");
	assert_int_equal(crypto_master_key_create(other, err, sizeof(err)), 0);
	assert_int_equal(keys_load(f.db, other, &k, err, sizeof(err)), PONTE_EDENIED);
	assert_non_null(strstr(err, "wrong key file"));
	assert_int_equal(crypto_master_key_create(other, err, sizeof(err)), PONTE_EEXIST);
	char *missing = test_path(f.dir, "none.key");
	assert_int_equal(keys_load(f.db, missing, &k, err, sizeof(err)), PONTE_ENOTFOUND);
	free(other);
	free(missing);
	fixture_close(&f);
}

static void user_validation_explains_each_problem(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	struct {
		user_input in;
		int problem;
	} cases[] = {
		{ { .email = "not-an-address",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_BAD_EMAIL },
		{ { .email = "a@b.pt",
		    .name = "",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_BAD_NAME },
		{ { .email = "a@b.pt",
		    .name = "A\xC3",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_BAD_NAME },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .phone = "call me",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_BAD_PHONE },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "NOPE",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_UNKNOWN_ORG },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "wizard" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_UNKNOWN_ROLE },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .nroles = 0,
		    .password = "Correct-horse-battery-9" },
		  USER_NO_ROLE },
		{ { .email = "Case.Worker@DEMO.ponte.example",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9" },
		  USER_EMAIL_TAKEN },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "short-pw" },
		  USER_PASSWORD_SHORT },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "qwertyuiopasdfghjkl" },
		  USER_PASSWORD_COMMON },
		{ { .email = "a@b.pt",
		    .name = "A",
		    .organisation_code = "PT-POL",
		    .roles = { "case_worker" },
		    .nroles = 1,
		    .password = "Correct-horse-battery-9",
		    .language = "de" },
		  USER_BAD_LANGUAGE },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int problem = 0;
		assert_int_equal(user_add(&f.env, &cases[i].in, NULL, &problem), PONTE_EINVAL);
		if (problem != cases[i].problem)
			fail_msg("case %zu: problem %d, expected %d", i, problem, cases[i].problem);
		assert_non_null(user_problem_message(problem));
	}
	/* Injection and markup are data. */
	user_input ok = { .email = "o'hara-or-1=1--@b.pt",
			  .name = "<script>alert(1)</script>",
			  .organisation_code = "PT-POL",
			  .roles = { "police_investigator", "prosecutor" },
			  .nroles = 2,
			  .password = "Correct-horse-battery-9",
			  .language = "fr" };
	int problem;
	int64_t id;
	assert_int_equal(user_add(&f.env, &ok, &id, &problem), 0);
	arena a;
	arena_init(&a, 1 << 20);
	user u;
	assert_int_equal(user_get(&f.env, &a, id, &u), 0);
	assert_string_equal(u.name, "<script>alert(1)</script>");
	assert_string_equal(u.email, "o'hara-or-1=1--@b.pt");
	assert_string_equal(u.language, "fr");
	assert_int_equal(u.nroles, 2);
	assert_int_equal(user_get(&f.env, &a, 9999, &u), PONTE_ENOTFOUND);
	arena_release(&a);
	fixture_close(&f);
}

static void grants_and_scopes(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	int64_t cw, sup, fp, admin;
	assert_int_equal(user_find_by_email(&f.env, "case.worker@demo.ponte.example", &cw), 0);
	assert_int_equal(user_find_by_email(&f.env, "supervisor@demo.ponte.example", &sup), 0);
	assert_int_equal(user_find_by_email(&f.env, "focal.point@demo.ponte.example", &fp), 0);
	assert_int_equal(user_find_by_email(&f.env, "ADMIN@demo.ponte.example ", &admin), 0);
	principal p;
	assert_int_equal(principal_load(f.db, cw, &p), 0);
	assert_int_equal(principal_scope(&p, "case.social.read"), SCOPE_OWN);
	assert_false(principal_can(&p, "case.proceedings.read")); /* purpose tiers */
	assert_false(principal_can(&p, "user.manage"));
	assert_true(principal_can_see(&p, "case.social.read", cw, 0, "PT"));
	assert_false(principal_can_see(&p, "case.social.read", sup, p.organisation_id, "PT"));
	assert_false(p.needs_2fa);
	assert_int_equal(principal_load(f.db, sup, &p), 0);
	assert_true(principal_can_see(&p, "case.social.read", cw, p.organisation_id, "PT"));
	assert_false(principal_can_see(&p, "case.social.read", cw, p.organisation_id + 1, "PT"));
	assert_int_equal(principal_load(f.db, fp, &p), 0);
	assert_true(principal_can_see(&p, "case.social.read", 1, 999, "PT"));
	assert_false(principal_can_see(&p, "case.social.read", 1, 999, "NE"));
	assert_true(p.needs_2fa); /* focal points must enrol */
	assert_int_equal(principal_load(f.db, admin, &p), 0);
	assert_int_equal(principal_scope(&p, "user.manage"), SCOPE_ALL);
	assert_false(principal_can(&p, "case.social.read")); /* administrators see no case data */
	assert_int_equal(user_set_status(f.db, cw, USER_LOCKED), 0);
	assert_int_equal(principal_load(f.db, cw, &p), PONTE_ENOTFOUND);
	fixture_close(&f);
}

static void audit_detects_edits_deletions_and_reordering(void **state)
{
	(void)state;
	/* Tamperings of our five events (numbered base+1 .. base+5 after what the fixture made),
	 * and the first event each must be reported at. */
	const char *tamper[] = {
		"UPDATE audit_events SET outcome = 'success' WHERE id = (SELECT v FROM b) + 3",
		"DELETE FROM audit_events WHERE id = (SELECT v FROM b) + 3",
		"UPDATE audit_events SET id = id + 100 WHERE id IN ((SELECT v FROM b) + 2, (SELECT "
		"v FROM b) + 3); "
		"UPDATE audit_events SET id = (SELECT v FROM b) + 3 WHERE id = (SELECT v FROM b) + "
		"102; "
		"UPDATE audit_events SET id = (SELECT v FROM b) + 2 WHERE id = (SELECT v FROM b) + "
		"103",
		"UPDATE audit_events SET client = '10.0.0.1' WHERE id = (SELECT v FROM b) + 5",
	};
	const int64_t first_bad[] = { 3, 4, 2, 5 };
	for (size_t i = 0; i < ARRAY_LEN(tamper); i++) {
		struct fixture f;
		fixture_open(&f);
		audit_verify_result r;
		assert_int_equal(audit_verify(f.db, &r), 0);
		long long base = (long long)r.events;
		for (int k = 0; k < 5; k++) {
			audit_event e = { .user_id = k + 1,
					  .action = "user.read",
					  .object_type = "user",
					  .object_id = "7",
					  .outcome = k == 2 ? "denied" : "success",
					  .client = "127.0.0.1" };
			assert_int_equal(audit_append(f.db, &e), 0);
		}
		assert_int_equal(audit_verify(f.db, &r), 0);
		assert_int_equal(r.events, base + 5);
		store_checkpoint(f.db);
		char base_sql[128];
		snprintf(base_sql, sizeof(base_sql),
			 "CREATE TEMP TABLE b(v INTEGER); INSERT INTO b VALUES (%lld);", base);
		sqlite3 *db;
		assert_int_equal(sqlite3_open(f.db_path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, base_sql, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, tamper[i], NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(audit_verify(f.db, &r), PONTE_EINVAL);
		if (r.first_bad_id != base + first_bad[i])
			fail_msg("tampering %zu: first bad event %lld, expected %lld (%s)", i,
				 (long long)r.first_bad_id, base + first_bad[i], r.why);
		fixture_close(&f);
	}
}

static void login_sessions_and_their_limits(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	throttle_reset_all();
	int64_t t0 = 1800000000;
	login_request in = { .email = "Case.Worker@demo.ponte.example",
			     .password = DEMO_PASSWORD,
			     .client = "127.0.0.1",
			     .kind = AUTH_WEB,
			     .now = t0 };
	login_result out;
	assert_int_equal(auth_login(&f.env, &in, &out), 0);
	principal p;
	assert_int_equal(auth_session(&f.env, out.token, AUTH_WEB, t0 + 60, &p), 0);
	assert_int_equal(p.user_id, out.user_id);
	assert_int_equal(strlen(p.csrf), CRYPTO_TOKEN_TEXT - 1);
	/* The wrong kind, an idle session, an expired one, a revoked one: all refused. */
	assert_int_equal(auth_session(&f.env, out.token, AUTH_API, t0 + 60, &p), PONTE_EDENIED);
	assert_int_equal(auth_session(&f.env, out.token, AUTH_WEB, t0 + 60 + 31 * 60, &p),
			 PONTE_EDENIED);
	char token[CRYPTO_TOKEN_TEXT];
	memcpy(token, out.token, sizeof(token));
	assert_int_equal(auth_login(&f.env, &in, &out), 0);
	for (int64_t t = t0; t < t0 + 12 * 3600; t += 20 * 60)
		assert_int_equal(auth_session(&f.env, out.token, AUTH_WEB, t, &p), 0);
	assert_int_equal(auth_session(&f.env, out.token, AUTH_WEB, t0 + 12 * 3600 + 1, &p),
			 PONTE_EDENIED);
	in.kind = AUTH_API;
	assert_int_equal(auth_login(&f.env, &in, &out), 0);
	assert_int_equal(auth_session(&f.env, out.token, AUTH_API, t0 + 3600, &p), 0);
	assert_true(p.api);
	assert_int_equal(auth_logout(f.db, p.session_id), 0);
	assert_int_equal(auth_session(&f.env, out.token, AUTH_API, t0 + 3600, &p), PONTE_EDENIED);
	assert_int_equal(auth_session(&f.env, "not-a-token", AUTH_API, t0, &p), PONTE_EDENIED);
	/* Wrong password, unknown account, locked account: the same answer. */
	in.password = "Wrong-password-123";
	assert_int_equal(auth_login(&f.env, &in, &out), PONTE_EDENIED);
	in.email = "nobody@demo.ponte.example";
	in.password = DEMO_PASSWORD;
	assert_int_equal(auth_login(&f.env, &in, &out), PONTE_EDENIED);
	int64_t sup;
	assert_int_equal(user_find_by_email(&f.env, "supervisor@demo.ponte.example", &sup), 0);
	assert_int_equal(user_set_status(f.db, sup, USER_LOCKED), 0);
	in.email = "supervisor@demo.ponte.example";
	assert_int_equal(auth_login(&f.env, &in, &out), PONTE_EDENIED);
	/* Logins are audited, without the e-mail address. */
	audit_verify_result r;
	assert_int_equal(audit_verify(f.db, &r), 0);
	assert_true(r.events >= 6);
	fixture_close(&f);
}

static void repeated_failures_back_off(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	throttle_reset_all();
	int64_t t = 1800000000;
	login_request in = { .email = "police@demo.ponte.example",
			     .password = "Wrong-password-123",
			     .client = "192.0.2.1",
			     .kind = AUTH_API,
			     .now = t };
	login_result out;
	for (int i = 0; i < 5; i++)
		assert_int_equal(auth_login(&f.env, &in, &out), PONTE_EDENIED);
	/* Now even the right password waits. */
	in.password = DEMO_PASSWORD;
	assert_int_equal(auth_login(&f.env, &in, &out), PONTE_ELIMIT);
	assert_true(out.retry_after >= 1);
	/* Unknown accounts are throttled the same way (no existence oracle). */
	in.email = "ghost@demo.ponte.example";
	in.client = "192.0.2.2";
	in.password = "Wrong-password-123";
	for (int i = 0; i < 5; i++)
		assert_int_equal(auth_login(&f.env, &in, &out), PONTE_EDENIED);
	assert_int_equal(auth_login(&f.env, &in, &out), PONTE_ELIMIT);
	/* After the wait, the right password works again. */
	in.email = "police@demo.ponte.example";
	in.password = DEMO_PASSWORD;
	in.client = "192.0.2.3";
	in.now = t + 120;
	assert_int_equal(auth_login(&f.env, &in, &out), 0);
	fixture_close(&f);
}

static int count_rows(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void rotation_reencrypts_everything_and_is_resumable(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char err[512];
	/* A complete rotation, in batches of 3 rows. */
	assert_int_equal(keys_rotate(f.db, f.keys, 3, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(crypto_keyring_current(f.keys), 2);
	store_checkpoint(f.db);
	assert_int_equal(
	    count_rows(f.db_path,
		       "SELECT count(*) FROM users WHERE substr(name_enc, 1, 4) <> x'00000002'"),
	    0);

	/* Now the state a crash leaves: key 3 created and current, key 2 retiring, and only one
	 * row re-encrypted (by hand here, as the rotation would have). */
	buf wrapped;
	buf_init(&wrapped, 256);
	assert_int_equal(crypto_keyring_new_data_key(f.keys, 3, &wrapped), 0);
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(f.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE data_keys SET state = 'retiring' WHERE version = 2",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO data_keys VALUES (3, ?1, 'current', 'now')", -1,
			       &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(st, 1, wrapped.data, (int)wrapped.len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	buf_release(&wrapped);
	store_close(f.db);
	crypto_keyring_free(f.keys);
	assert_int_equal(store_open(f.db_path, NULL, &f.db, err, sizeof(err)), 0);
	assert_int_equal(keys_load(f.db, f.key_path, &f.keys, err, sizeof(err)), 0);
	f.env = (keyed_store){ f.db, f.keys };
	assert_int_equal(crypto_keyring_current(f.keys), 3);
	int64_t id;
	arena a;
	arena_init(&a, 1 << 20);
	user u;
	/* Mid-rotation, a fresh process reads values under either key. */
	assert_int_equal(user_find_by_email(&f.env, "auditor@demo.ponte.example", &id), 0);
	assert_int_equal(user_get(&f.env, &a, id, &u), 0);
	assert_string_equal(u.name, "Helena Auditor (demo)");
	int problem;
	user_input in = { .email = "during@rotation.example",
			  .name = "Written during rotation",
			  .organisation_code = "PT-POL",
			  .roles = { "police_investigator" },
			  .nroles = 1,
			  .password = "Correct-horse-battery-9" };
	assert_int_equal(user_add(&f.env, &in, NULL, &problem), 0);
	/* Running the command again finishes the job: no new key, everything under key 3. */
	assert_int_equal(keys_rotate(f.db, f.keys, 4, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(crypto_keyring_current(f.keys), 3);
	store_checkpoint(f.db);
	assert_int_equal(count_rows(f.db_path,
				    "SELECT count(*) FROM users WHERE substr(name_enc, 1, 4) <> "
				    "x'00000003' OR substr(email_enc, 1, 4) <> x'00000003'"),
			 0);
	assert_int_equal(
	    count_rows(f.db_path, "SELECT count(*) FROM data_keys WHERE state = 'current'"), 1);
	assert_int_equal(
	    count_rows(f.db_path, "SELECT count(*) FROM data_keys WHERE state = 'retired'"), 2);
	assert_int_equal(user_get(&f.env, &a, id, &u), 0);
	assert_string_equal(u.name, "Helena Auditor (demo)");
	arena_release(&a);
	fixture_close(&f);
}

/* Personal data never reaches the disk in clear: not the database, its WAL or its shm. */
static void no_plaintext_on_disk(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	user_input in = { .email = "zephyrine.quixote@plaintext-probe.example",
			  .name = "Zéphyrine Quixotemarker",
			  .phone = "+351 987 654 321",
			  .organisation_code = "PT-NGO-LX",
			  .roles = { "case_worker" },
			  .nroles = 1,
			  .password = "Correct-horse-battery-9" };
	int problem;
	assert_int_equal(user_add(&f.env, &in, NULL, &problem), 0);
	const char *probes[] = { "Quixotemarker", "zephyrine", "plaintext-probe", "987 654 321" };
	assert_not_on_disk(f.db_path, probes, ARRAY_LEN(probes));
	fixture_close(&f);
}

/* The throttle counts an attempt before its password is checked, so attempts in flight at the
 * same moment cannot all slip under the allowance. */
static void attempts_are_reserved_before_the_password_is_checked(void **state)
{
	(void)state;
	throttle_reset_all();
	int64_t t = 1800000000000;
	throttle_key account = { .free_failures = THROTTLE_ACCOUNT_FREE, .success_forgives = true };
	memset(account.hash, 1, sizeof(account.hash));
	/* Five guesses at once: the sixth waits before any of them has failed. */
	for (int i = 0; i < THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(throttle_reserve(&account, 1, t), 0);
	assert_int_equal(throttle_reserve(&account, 1, t), 1);
	/* Still verifying once the first wait is over: their outcome decides, so still wait. */
	assert_int_equal(throttle_reserve(&account, 1, t + 5000), 1);
	/* They fail: the wait runs from when that was known. */
	for (int i = 0; i < THROTTLE_ACCOUNT_FREE; i++)
		throttle_settle(&account, 1, t + 5000, false);
	assert_int_equal(throttle_reserve(&account, 1, t + 5500), 1);
	assert_int_equal(throttle_reserve(&account, 1, t + 6000), 0);
	assert_int_equal(throttle_reserve(&account, 1, t + 6000), 2); /* the next wait doubles */
	/* The right password forgives the account. */
	throttle_settle(&account, 1, t + 6100, true);
	assert_int_equal(throttle_reserve(&account, 1, t + 6100), 0);
	throttle_settle(&account, 1, t + 6100, true);

	/* An office behind one address: twenty colleagues signing in at once leave no trace. */
	throttle_key office = { .free_failures = THROTTLE_CLIENT_FREE };
	memset(office.hash, 2, sizeof(office.hash));
	for (int i = 0; i < THROTTLE_CLIENT_FREE; i++)
		assert_int_equal(throttle_reserve(&office, 1, t), 0);
	for (int i = 0; i < THROTTLE_CLIENT_FREE; i++)
		throttle_settle(&office, 1, t + 100, true);
	for (int i = 0; i < 2 * THROTTLE_CLIENT_FREE; i++) {
		assert_int_equal(throttle_reserve(&office, 1, t + 200), 0);
		throttle_settle(&office, 1, t + 200, true);
	}

	/* All keys or none: a refusal by one reserves nothing against the others. */
	throttle_key pair[2] = { { .free_failures = THROTTLE_ACCOUNT_FREE }, account };
	memset(pair[0].hash, 3, sizeof(pair[0].hash));
	for (int i = 0; i < THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(throttle_reserve(&pair[1], 1, t + 7000), 0);
	for (int i = 0; i < 10; i++)
		assert_true(throttle_reserve(pair, 2, t + 7000) > 0);
	for (int i = 0; i < THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(throttle_reserve(&pair[0], 1, t + 7000), 0);
	throttle_reset_all();
}

/* Where the login form and the language switch may send the browser back to: values as
 * they arrive after the form or query is decoded. A browser drops tabs and newlines and reads
 * '\' as '/', so each hostile value below would, followed as a Location, leave the site. */
static void sign_in_returns_only_to_local_paths(void **state)
{
	(void)state;
	static const char *const hostile[] = {
		"",
		"evil.example",
		"http://evil.example/",
		"https:/evil.example",
		"javascript:alert(1)",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\/evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r/evil.example",
		"/\r\n/evil.example",
		"/\v/evil.example",
		"/\f/evil.example",
		"/\x01/evil.example",
		"/\x1f/evil.example",
		"/\x7f/evil.example",
		" //evil.example",
		"\t//evil.example",
		"/ /evil.example",
		"/cases/\\..\\..\\/evil.example",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0D%0A/evil.example",
		"/%2F/evil.example",
		"/%2fevil.example",
		"/%5Cevil.example",
		"/%5c%5cevil.example",
		"/%252F%252Fevil.example",
		"/%25%32%46evil.example",
		"/%7F/evil.example",
		"/%",
		"/%2",
		"/%zz",
		"/\xc2\xa0/evil.example",     /* no-break space */
		"/\xe3\x80\x80/evil.example", /* ideographic space */
		"/\xef\xbc\x8f/evil.example", /* fullwidth solidus */
	};
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++)
		if (url_is_local_path(hostile[i]))
			fail_msg("accepted as a local path: \"%s\" (entry %zu)", hostile[i], i);
	assert_false(url_is_local_path(NULL));
	static const char *const local[] = {
		"/",
		"/cases",
		"/cases/3",
		"/cases/3/plans?saved=1",
		"/knowledge/12#attachments",
		"/search?q=caf%C3%A9&page=2",
		"/profile/2fa",
		"/a%20b",
		"/@evil.example", /* a path on this site, not a host */
	};
	for (size_t i = 0; i < ARRAY_LEN(local); i++)
		if (!url_is_local_path(local[i]))
			fail_msg("refused as a local path: \"%s\"", local[i]);
	/* Bounded: a path longer than the ceiling is refused rather than copied around. */
	char longer[URL_LOCAL_PATH_MAX + 2];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = '\0';
	assert_false(url_is_local_path(longer));
	longer[URL_LOCAL_PATH_MAX] = '\0';
	assert_true(url_is_local_path(longer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_are_bound_to_their_row_and_column),
		cmocka_unit_test(key_file_must_be_private_and_right),
		cmocka_unit_test(user_validation_explains_each_problem),
		cmocka_unit_test(grants_and_scopes),
		cmocka_unit_test(audit_detects_edits_deletions_and_reordering),
		cmocka_unit_test(login_sessions_and_their_limits),
		cmocka_unit_test(repeated_failures_back_off),
		cmocka_unit_test(attempts_are_reserved_before_the_password_is_checked),
		cmocka_unit_test(sign_in_returns_only_to_local_paths),
		cmocka_unit_test(rotation_reencrypts_everything_and_is_resumable),
		cmocka_unit_test(no_plaintext_on_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
