/*
 * Encrypted columns of identity tables: encrypt with the current key, decrypt with whichever
 * version the ciphertext names (fetching a version added by a rotation in progress).
 */
#include "identity/fields.h"
#include "keys/keys.h"

int field_encrypt(const keyed_store *env, const char *table, const char *column, int64_t id,
		  const char *plain, buf *out)
{
	keys_refresh(env->db, env->keys, false);
	crypto_ad ad = { table, column, id };
	buf_reset(out);
	return crypto_field_encrypt(env->keys, &ad, plain, strlen(plain), out);
}

int field_encrypt_row(const keyed_store *env, store_conn *c, const char *sql, const char *table,
		      const char *column, int64_t id, const char *plain, size_t max)
{
	buf cipher;
	buf_init(&cipher, max);
	store_stmt *st;
	int rc = field_encrypt(env, table, column, id, plain, &cipher);
	if (!rc && !(rc = store_prepare(c, sql, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_blob(st, 2, cipher.data, cipher.len);
		rc = store_run(st);
	}
	buf_release(&cipher);
	return rc;
}

const char *field_decrypt(const keyed_store *env, arena *a, const char *table, const char *column,
			  int64_t id, const void *cipher, size_t n)
{
	if (!cipher || n == 0)
		return NULL;
	uint32_t v = crypto_field_version(cipher, n);
	if (!crypto_keyring_has(env->keys, v) && keys_ensure(env->db, env->keys, v) != 0)
		return NULL;
	crypto_ad ad = { table, column, id };
	buf plain;
	buf_init(&plain, 1 << 20);
	const char *s = NULL;
	if (crypto_field_decrypt(env->keys, &ad, cipher, n, &plain) == 0)
		s = arena_strndup(a, plain.data ? plain.data : "", plain.len);
	if (plain.data)
		crypto_wipe(plain.data, plain.len);
	buf_release(&plain);
	return s;
}
