#include "base/clock.h"
#include "keys/keys.h"

static const char SQL_INSERT[] = "INSERT INTO data_keys(version, wrapped, state, created_at) "
				 "VALUES (?1, ?2, 'current', ?3)";
static const char SQL_LOAD[] = "SELECT version, wrapped, state FROM data_keys "
			       "WHERE state <> 'retired' ORDER BY version";
static const char SQL_CURRENT[] =
    "SELECT version, created_at FROM data_keys WHERE state = 'current' ORDER BY version DESC "
    "LIMIT 1";
static const char SQL_ONE[] = "SELECT wrapped FROM data_keys WHERE version = ?1";
static const char SQL_INDEX[] = "SELECT wrapped FROM index_keys WHERE id = 1";

/* The index key kept by a replacement of the master key, if there was one. */
static int load_index_key(store *s, crypto_keyring *k)
{
	int current = 0, latest = 0;
	int rc = store_schema_version(s, &current, &latest);
	if (rc || current < KEYS_INDEX_TABLE_SCHEMA)
		return rc;
	store_stmt *st;
	if ((rc = store_stmt_get(s, SQL_INDEX, &st)) != 0)
		return rc;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t n;
		const void *w = store_col_blob(st, 0, &n);
		rc = crypto_keyring_set_index(k, w, n);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

const char *keys_path_for(const char *explicit_path, const char *db_path, char *out, size_t outlen)
{
	const char *env = getenv("PONTE_KEY");
	if (explicit_path && *explicit_path)
		snprintf(out, outlen, "%s", explicit_path);
	else if (env && *env)
		snprintf(out, outlen, "%s", env);
	else
		snprintf(out, outlen, "%s.key", db_path);
	return out;
}

static int open_keyring(const char *key_path, crypto_keyring **out, char *err, size_t errlen)
{
	unsigned char master[CRYPTO_KEY_BYTES];
	int rc = crypto_master_key_load(key_path, master, err, errlen);
	if (rc)
		return rc;
	*out = crypto_keyring_new(master);
	crypto_wipe(master, sizeof(master));
	return *out ? 0 : PONTE_ENOMEM;
}

int keys_setup(store *s, const char *key_path, crypto_keyring **out, char *err, size_t errlen)
{
	PONTE_CHECK(s && key_path && out && err && errlen > 0);
	int rc = crypto_master_key_create(key_path, err, errlen);
	if (rc && rc != PONTE_EEXIST)
		return rc;
	crypto_keyring *k;
	rc = open_keyring(key_path, &k, err, errlen);
	if (rc)
		return rc;
	buf wrapped;
	buf_init(&wrapped, 256);
	store_conn *c;
	store_stmt *st;
	rc = crypto_keyring_new_data_key(k, 1, &wrapped);
	if (!rc)
		rc = store_conn_get(s, &c);
	if (!rc)
		rc = store_prepare(c, SQL_INSERT, &st);
	if (!rc) {
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		store_bind_int64(st, 1, 1);
		store_bind_blob(st, 2, wrapped.data, wrapped.len);
		store_bind_text(st, 3, when, strlen(when));
		rc = store_run(st);
	}
	buf_release(&wrapped);
	if (rc) {
		snprintf(err, errlen, "cannot store the first data key: %s", ponte_strerror(rc));
		crypto_keyring_free(k);
		return rc;
	}
	crypto_keyring_set_current(k, 1);
	*out = k;
	return 0;
}

int keys_load(store *s, const char *key_path, crypto_keyring **out, char *err, size_t errlen)
{
	PONTE_CHECK(s && key_path && out && err && errlen > 0);
	crypto_keyring *k;
	int rc = open_keyring(key_path, &k, err, errlen);
	if (rc)
		return rc;
	store_conn *c;
	store_stmt *st;
	rc = store_conn_get(s, &c);
	if (!rc)
		rc = store_prepare(c, SQL_LOAD, &st);
	uint32_t current = 0;
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		uint32_t v = (uint32_t)store_col_int64(st, 0);
		size_t n;
		const void *w = store_col_blob(st, 1, &n);
		rc = crypto_keyring_add(k, v, w, n);
		if (!rc && strcmp(store_col_text(st, 2, NULL), "current") == 0)
			current = v;
	}
	if (!rc || rc == STORE_DONE)
		store_reset(st);
	if (rc == STORE_DONE)
		rc = load_index_key(s, k);
	if (rc == PONTE_EDENIED)
		snprintf(err, errlen,
			 "the key file %s does not open this database's keys "
			 "(wrong key file, or the keys were tampered with)",
			 key_path);
	else if (rc < 0)
		snprintf(err, errlen, "cannot read the data keys: %s", ponte_strerror(rc));
	else if (!current) {
		snprintf(err, errlen, "the database has no current data key");
		rc = PONTE_ESCHEMA;
	}
	if (rc < 0 || !current) {
		crypto_keyring_free(k);
		return rc < 0 ? rc : PONTE_ESCHEMA;
	}
	crypto_keyring_set_current(k, current);
	*out = k;
	return 0;
}

int keys_ensure(store *s, crypto_keyring *k, uint32_t version)
{
	PONTE_CHECK(s && k);
	if (crypto_keyring_has(k, version))
		return 0;
	store_stmt *st;
	int rc = store_stmt_get(s, SQL_ONE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, version);
	if (!(rc = store_step_one(st))) {
		size_t n;
		const void *w = store_col_blob(st, 0, &n);
		rc = crypto_keyring_add(k, version, w, n);
		store_reset(st);
	}
	return rc;
}

int keys_current(store *s, uint32_t *version, char created_at[40])
{
	store_conn *c;
	store_stmt *st;
	*version = 0;
	created_at[0] = '\0';
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = store_prepare(c, SQL_CURRENT, &st);
	if (rc)
		return rc;
	if (!(rc = store_step_one(st))) {
		*version = (uint32_t)store_col_int64(st, 0);
		snprintf(created_at, 40, "%s", store_col_text(st, 1, NULL));
		store_reset(st);
	}
	return rc;
}
