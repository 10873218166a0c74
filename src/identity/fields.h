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

int field_encrypt(const identity_env *env, const char *table, const char *column, int64_t id,
		  const char *plain, buf *out);
const char *field_decrypt(const identity_env *env, arena *a, const char *table, const char *column,
			  int64_t id, const void *cipher, size_t n);

#endif
