/*
 * crypto.h: every use of cryptography in Ponte, on libsodium primitives only.
 *
 * Invariants and ownership:
 * - The master key lives in a file outside the database (mode 0600, never group- or
 *   world-readable), is read once at start-up, used to unwrap the data keys, and wiped with
 *   sodium_memzero. It is never logged or stored in the database.
 * - Data keys (one per key version) are random, stored in the database wrapped under a key
 *   derived from the master key. A keyring holds the unwrapped keys in locked memory.
 * - A field ciphertext is: version (4 bytes, big-endian) || nonce (24) || XChaCha20-Poly1305
 *   ciphertext and tag. The associated data binds it to its table, column and row id, so a
 *   ciphertext copied to another row or column does not decrypt.
 * - Blind indexes are keyed BLAKE2b-256 of a normalised value: equal inputs give equal
 *   indexes, nothing else can be learnt without the index key.
 * - Passwords are argon2id strings (crypto_pwhash_str). Tokens are 256-bit random values,
 *   stored only as their BLAKE2b-256 hash.
 */
#ifndef PONTE_CRYPTO_H
#define PONTE_CRYPTO_H

#include "base/buf.h"

#define CRYPTO_KEY_BYTES 32
#define CRYPTO_HASH_BYTES 32
#define CRYPTO_TOKEN_BYTES 32
#define CRYPTO_TOKEN_TEXT 44 /* base64url without padding, plus NUL */
#define CRYPTO_FIELD_OVERHEAD (4 + 24 + 16)
#define CRYPTO_MAX_KEY_VERSIONS 64

#define CRYPTO_SEAL_CHUNK (64u << 10)

int crypto_init(void);

/* ---- master key file ---- */
/* Create a new random master key at path (mode 0600). Refuses an existing file. */
int crypto_master_key_create(const char *path, char *err, size_t errlen);
/* Read the master key; refuses a file readable by group or others. */
int crypto_master_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES], char *err,
			   size_t errlen);

/* ---- keyring: unwrapped data keys by version ---- */
typedef struct crypto_keyring crypto_keyring;

crypto_keyring *crypto_keyring_new(const unsigned char master[CRYPTO_KEY_BYTES]);
void crypto_keyring_free(crypto_keyring *k);
/* Wrap a fresh random data key for storage; out receives the wrapped bytes. */
int crypto_keyring_new_data_key(crypto_keyring *k, uint32_t version, buf *wrapped);
/* Unwrap and add a stored data key. */
int crypto_keyring_add(crypto_keyring *k, uint32_t version, const void *wrapped, size_t n);
bool crypto_keyring_has(const crypto_keyring *k, uint32_t version);
/* Replacing the master key: data key `version` of k (which must hold it) wrapped under the
 * wrapping key of `under`, a keyring opened from the new master key. */
int crypto_keyring_wrap_for(const crypto_keyring *k, uint32_t version, const crypto_keyring *under,
			    buf *wrapped);
/* The blind-index key survives a new master key, so that every stored index still matches:
 * k's index key wrapped under `under`'s wrapping key, kept in the database; and, at load,
 * the stored one put in place of the one derived from the master key (PONTE_EDENIED if it
 * does not open with k's master key). */
int crypto_keyring_wrap_index_for(const crypto_keyring *k, const crypto_keyring *under,
				  buf *wrapped);
int crypto_keyring_set_index(crypto_keyring *k, const void *wrapped, size_t n);
void crypto_keyring_set_current(crypto_keyring *k, uint32_t version);
uint32_t crypto_keyring_current(const crypto_keyring *k);

/* ---- fields ---- */
typedef struct crypto_ad {
	const char *table;
	const char *column;
	int64_t row_id;
} crypto_ad;

/* Encrypt under the current key version. */
int crypto_field_encrypt(const crypto_keyring *k, const crypto_ad *ad, const void *plain, size_t n,
			 buf *out);
/* Decrypt; PONTE_EINVAL if forged, moved or the key version is unknown (see
 * crypto_field_version to fetch a missing key first). out is NUL-terminated. */
int crypto_field_decrypt(const crypto_keyring *k, const crypto_ad *ad, const void *cipher, size_t n,
			 buf *out);
/* The key version of a ciphertext, or 0 if malformed. */
uint32_t crypto_field_version(const void *cipher, size_t n);

/* Keyed BLAKE2b-256 of a value already normalised by the caller. */
void crypto_blind_index(const crypto_keyring *k, const char *purpose, const void *value, size_t n,
			unsigned char out[CRYPTO_HASH_BYTES]);

/* ---- passwords ---- */
int crypto_password_hash(const char *password, char out[128]);
/* 0 if it matches, PONTE_EDENIED if not, another error if the hash is unusable. */
int crypto_password_verify(const char *hash, const char *password);
/* Whether the stored hash should be recomputed with today's parameters. */
bool crypto_password_needs_rehash(const char *hash);

/* ---- tokens ---- */
/* A new random token as text (base64url) and its hash for storage. */
void crypto_token_new(char text[CRYPTO_TOKEN_TEXT], unsigned char hash[CRYPTO_HASH_BYTES]);
void crypto_token_hash(const char *text, unsigned char hash[CRYPTO_HASH_BYTES]);
/* BLAKE2b of bytes (fingerprints of imported files, never of secrets). */
void crypto_digest(const void *data, size_t n, unsigned char hash[CRYPTO_HASH_BYTES]);
/* SHA-256 of bytes as lowercase hex, as `sha256sum` prints it (checksums of published
 * files, which readers verify with common tools). */
void crypto_sha256_hex(const void *data, size_t n, char hex[65]);
/* Constant-time comparison of equal-length secrets. */
bool crypto_equal(const void *a, const void *b, size_t n);
void crypto_random(void *out, size_t n);
void crypto_wipe(void *p, size_t n);

/* Between instances (peer.c): an Ed25519 signing pair and an X25519 encryption pair per
 * instance (from a 32-byte seed for test vectors, else random); detached signatures; sealed
 * boxes (the recipient's public key; the sender is anonymous until the signature inside is
 * checked); a fingerprint of both public keys short enough to read over the phone
 * ("ABCD-EFGH-IJKL-MNOP", 80 bits); random UUIDs; base64. */
#define CRYPTO_SIGN_PK 32
#define CRYPTO_SIGN_SK 64
#define CRYPTO_SIGNATURE 64
#define CRYPTO_BOX_PK 32
#define CRYPTO_BOX_SK 32
#define CRYPTO_SEAL_OVERHEAD 48
#define CRYPTO_FINGERPRINT 20
#define CRYPTO_UUID 37
void crypto_instance_keys(const unsigned char *seed, unsigned char sign_pk[CRYPTO_SIGN_PK],
			  unsigned char sign_sk[CRYPTO_SIGN_SK],
			  unsigned char box_pk[CRYPTO_BOX_PK], unsigned char box_sk[CRYPTO_BOX_SK]);
void crypto_signature(const void *m, size_t n, const unsigned char sk[CRYPTO_SIGN_SK],
		      unsigned char sig[CRYPTO_SIGNATURE]);
bool crypto_signature_valid(const void *m, size_t n, const unsigned char sig[CRYPTO_SIGNATURE],
			    const unsigned char pk[CRYPTO_SIGN_PK]);
int crypto_seal_for(const void *m, size_t n, const unsigned char pk[CRYPTO_BOX_PK], buf *out);
/* PONTE_EINVAL when the box was not sealed for this key pair or was changed. */
int crypto_seal_open_for(const void *c, size_t n, const unsigned char pk[CRYPTO_BOX_PK],
			 const unsigned char sk[CRYPTO_BOX_SK], buf *out);
void crypto_fingerprint(const unsigned char sign_pk[CRYPTO_SIGN_PK],
			const unsigned char box_pk[CRYPTO_BOX_PK], char out[CRYPTO_FINGERPRINT]);
void crypto_uuid(char out[CRYPTO_UUID]);
/* Lower-case hex of n bytes into out (2n + 1 bytes); back, exactly n bytes or false. */
void crypto_hex(const unsigned char *p, size_t n, char *out);
bool crypto_unhex(const char *s, unsigned char *out, size_t n);
int crypto_base64_encode(const void *p, size_t n, buf *out);
int crypto_base64_decode(const char *s, size_t n, buf *out);

/* Files sealed under a key of their own (sealed_file.c): secretstream chunks, the last tagged
 * final. Opening fails (PONTE_EINVAL) on any change, truncation or addition, and
 * PONTE_ELIMIT past max bytes of content. */
int crypto_seal_file(int in, int out, const unsigned char key[CRYPTO_KEY_BYTES]);
int crypto_open_file(int in, const unsigned char key[CRYPTO_KEY_BYTES], size_t max, buf *out);

#endif
