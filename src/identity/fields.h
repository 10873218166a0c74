/*
 * fields.h: encrypted columns (internal to modules that store personal data).
 *
 * The associated data is (table, column, row id): a ciphertext copied to another row or
 * column does not decrypt. Decrypted strings live in the caller's arena; NULL means the
 * value is absent or could not be decrypted (which callers treat as an error).
 */
#ifndef PONTE_FIELDS_H
#define PONTE_FIELDS_H

#include "identity/identity.h"

int field_encrypt(const keyed_store *env, const char *table, const char *column, int64_t id,
		  const char *plain, buf *out);
/* The second half of "insert, then encrypt under the row id" (the id is in the ciphertext's
 * associated data, so the row is inserted first): encrypt plain under (table, column, id), in
 * at most max bytes, and run sql, an UPDATE with the row id as ?1 and the ciphertext as ?2. */
int field_encrypt_row(const keyed_store *env, store_conn *c, const char *sql, const char *table,
		      const char *column, int64_t id, const char *plain, size_t max);
const char *field_decrypt(const keyed_store *env, arena *a, const char *table, const char *column,
			  int64_t id, const void *cipher, size_t n);

#endif
