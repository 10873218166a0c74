/* Keys and messages between Ponte instances: Ed25519 signatures, X25519 sealed boxes
 * (libsodium crypto_sign and crypto_box_seal), fingerprints to read aloud, UUIDs, base64. */
#include <sodium.h>

#include "crypto/crypto.h"

_Static_assert(crypto_sign_PUBLICKEYBYTES == CRYPTO_SIGN_PK, "ed25519 public key");
_Static_assert(crypto_sign_SECRETKEYBYTES == CRYPTO_SIGN_SK, "ed25519 secret key");
_Static_assert(crypto_sign_BYTES == CRYPTO_SIGNATURE, "ed25519 signature");
_Static_assert(crypto_box_PUBLICKEYBYTES == CRYPTO_BOX_PK, "x25519 public key");
_Static_assert(crypto_box_SECRETKEYBYTES == CRYPTO_BOX_SK, "x25519 secret key");
_Static_assert(crypto_box_SEALBYTES == CRYPTO_SEAL_OVERHEAD, "sealed box overhead");

void crypto_instance_keys(const unsigned char *seed, unsigned char sign_pk[CRYPTO_SIGN_PK],
			  unsigned char sign_sk[CRYPTO_SIGN_SK],
			  unsigned char box_pk[CRYPTO_BOX_PK], unsigned char box_sk[CRYPTO_BOX_SK])
{
	if (!seed) {
		crypto_sign_keypair(sign_pk, sign_sk);
		crypto_box_keypair(box_pk, box_sk);
		return;
	}
	/* Test vectors: both key pairs from one seed, each under its own derivation. */
	unsigned char s[32];
	crypto_generichash(s, sizeof(s), seed, 32, (const unsigned char *)"ponte-sign", 10);
	crypto_sign_seed_keypair(sign_pk, sign_sk, s);
	crypto_generichash(s, sizeof(s), seed, 32, (const unsigned char *)"ponte-box", 9);
	crypto_box_seed_keypair(box_pk, box_sk, s);
	sodium_memzero(s, sizeof(s));
}

void crypto_signature(const void *m, size_t n, const unsigned char sk[CRYPTO_SIGN_SK],
		      unsigned char sig[CRYPTO_SIGNATURE])
{
	crypto_sign_detached(sig, NULL, m, n, sk);
}

bool crypto_signature_valid(const void *m, size_t n, const unsigned char sig[CRYPTO_SIGNATURE],
			    const unsigned char pk[CRYPTO_SIGN_PK])
{
	return crypto_sign_verify_detached(sig, m, n, pk) == 0;
}

int crypto_seal_for(const void *m, size_t n, const unsigned char pk[CRYPTO_BOX_PK], buf *out)
{
	out->len = 0;
	if (n > SIZE_MAX - CRYPTO_SEAL_OVERHEAD || buf_reserve(out, n + CRYPTO_SEAL_OVERHEAD))
		return PONTE_ELIMIT;
	if (crypto_box_seal((unsigned char *)out->data, m, n, pk) != 0)
		return PONTE_EINVAL;
	out->len = n + CRYPTO_SEAL_OVERHEAD;
	out->data[out->len] = '\0';
	return 0;
}

int crypto_seal_open_for(const void *c, size_t n, const unsigned char pk[CRYPTO_BOX_PK],
			 const unsigned char sk[CRYPTO_BOX_SK], buf *out)
{
	out->len = 0;
	if (n < CRYPTO_SEAL_OVERHEAD)
		return PONTE_EINVAL;
	if (buf_reserve(out, n - CRYPTO_SEAL_OVERHEAD + 1))
		return PONTE_ELIMIT;
	if (crypto_box_seal_open((unsigned char *)out->data, c, n, pk, sk) != 0)
		return PONTE_EINVAL;
	out->len = n - CRYPTO_SEAL_OVERHEAD;
	out->data[out->len] = '\0';
	return 0;
}

/* RFC 4648 base32 of 10 bytes (80 bits): 16 letters and digits, in groups of four. */
void crypto_fingerprint(const unsigned char sign_pk[CRYPTO_SIGN_PK],
			const unsigned char box_pk[CRYPTO_BOX_PK], char out[CRYPTO_FINGERPRINT])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char h[32], keys[CRYPTO_SIGN_PK + CRYPTO_BOX_PK];
	memcpy(keys, sign_pk, CRYPTO_SIGN_PK);
	memcpy(keys + CRYPTO_SIGN_PK, box_pk, CRYPTO_BOX_PK);
	crypto_generichash(h, sizeof(h), keys, sizeof(keys), (const unsigned char *)"ponte-peer-1",
			   12);
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = ((unsigned)h[byte] << 8 | h[byte + 1]) >> (11 - shift);
		if (i && i % 4 == 0)
			out[o++] = '-';
		out[o++] = alphabet[v & 31];
	}
	out[o] = '\0';
}

void crypto_hex(const unsigned char *p, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, p, n);
}

bool crypto_unhex(const char *s, unsigned char *out, size_t n)
{
	size_t len = 0;
	return s && strlen(s) == 2 * n && sodium_hex2bin(out, n, s, 2 * n, NULL, &len, NULL) == 0 &&
	       len == n;
}

void crypto_uuid(char out[CRYPTO_UUID])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	snprintf(out, CRYPTO_UUID,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

int crypto_base64_encode(const void *p, size_t n, buf *out)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	out->len = 0;
	if (buf_reserve(out, len))
		return PONTE_ELIMIT;
	sodium_bin2base64(out->data, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	out->len = len - 1;
	return 0;
}

int crypto_base64_decode(const char *s, size_t n, buf *out)
{
	out->len = 0;
	if (buf_reserve(out, n / 4 * 3 + 3))
		return PONTE_ELIMIT;
	size_t len;
	if (sodium_base642bin((unsigned char *)out->data, n / 4 * 3 + 3, s, n, NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return PONTE_EINVAL;
	out->len = len;
	out->data[len] = '\0';
	return 0;
}
