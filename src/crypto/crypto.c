#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

/* argon2id cost: about 0.1 s and 64 MiB per login on a 2-core server (docs/security.md). */
#define PASSWORD_OPSLIMIT 3
#define PASSWORD_MEMLIMIT (64u << 20)

/* Sub-key ids and contexts for crypto_kdf_derive_from_key (8-byte contexts). */
#define KDF_CONTEXT "ponte-k1"
#define KDF_WRAP 1  /* wraps data keys */
#define KDF_INDEX 2 /* blind indexes */

struct crypto_keyring {
	unsigned char wrap_key[CRYPTO_KEY_BYTES];
	unsigned char index_key[CRYPTO_KEY_BYTES];
	unsigned char data[CRYPTO_MAX_KEY_VERSIONS][CRYPTO_KEY_BYTES];
	/* Set once, after data[v] is written: readers that see it see the key (a rotation may add
	 * a version while requests are decrypting). */
	_Atomic bool present[CRYPTO_MAX_KEY_VERSIONS];
	_Atomic uint32_t current;
	pthread_mutex_t lock; /* serialises additions */
};

int crypto_init(void)
{
	return sodium_init() < 0 ? PONTE_EIO : 0;
}

void crypto_random(void *out, size_t n)
{
	randombytes_buf(out, n);
}

void crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

/* ---- master key file ---- */

int crypto_master_key_create(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
		return errno == EEXIST ? PONTE_EEXIST : PONTE_EIO;
	}
	unsigned char key[CRYPTO_KEY_BYTES];
	char hex[CRYPTO_KEY_BYTES * 2 + 2];
	crypto_random(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	size_t len = strlen(hex);
	hex[len++] = '\n';
	ssize_t w = write(fd, hex, len);
	int rc = (w == (ssize_t)len && fsync(fd) == 0) ? 0 : PONTE_EIO;
	close(fd);
	crypto_wipe(key, sizeof(key));
	crypto_wipe(hex, sizeof(hex));
	if (rc) {
		unlink(path);
		snprintf(err, errlen, "cannot write key file %s", path);
	}
	return rc;
}

int crypto_master_key_load(const char *path, unsigned char key[CRYPTO_KEY_BYTES], char *err,
			   size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
		return errno == ENOENT ? PONTE_ENOTFOUND : PONTE_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "key file %s is not a regular file", path);
		return PONTE_EINVAL;
	}
	if (st.st_mode & 077) {
		close(fd);
		snprintf(err, errlen,
			 "key file %s can be read by other users (mode %03o); run chmod 600 on it",
			 path, (unsigned)(st.st_mode & 0777));
		return PONTE_EDENIED;
	}
	char hex[CRYPTO_KEY_BYTES * 2 + 8];
	ssize_t n = read(fd, hex, sizeof(hex) - 1);
	close(fd);
	int rc = PONTE_EINVAL;
	size_t bin_len = 0;
	if (n >= CRYPTO_KEY_BYTES * 2) {
		hex[n] = '\0';
		if (sodium_hex2bin(key, CRYPTO_KEY_BYTES, hex, (size_t)n, "\r\n", &bin_len, NULL) ==
			0 &&
		    bin_len == CRYPTO_KEY_BYTES)
			rc = 0;
	}
	crypto_wipe(hex, sizeof(hex));
	if (rc)
		snprintf(err, errlen, "key file %s does not hold a 256-bit key in hex", path);
	return rc;
}

/* ---- keyring ---- */

crypto_keyring *crypto_keyring_new(const unsigned char master[CRYPTO_KEY_BYTES])
{
	crypto_keyring *k = sodium_malloc(sizeof(*k));
	if (!k)
		return NULL;
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	crypto_kdf_derive_from_key(k->wrap_key, sizeof(k->wrap_key), KDF_WRAP, KDF_CONTEXT, master);
	crypto_kdf_derive_from_key(k->index_key, sizeof(k->index_key), KDF_INDEX, KDF_CONTEXT,
				   master);
	return k;
}

void crypto_keyring_free(crypto_keyring *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	sodium_free(k); /* zeroes the memory */
}

/* Wrapped key: nonce (24) || secretbox of the 32-byte key, bound to its version. */
static void version_ad(uint32_t version, unsigned char ad[8])
{
	memcpy(ad, "pkey", 4);
	ad[4] = (unsigned char)(version >> 24);
	ad[5] = (unsigned char)(version >> 16);
	ad[6] = (unsigned char)(version >> 8);
	ad[7] = (unsigned char)version;
}

int crypto_keyring_new_data_key(crypto_keyring *k, uint32_t version, buf *wrapped)
{
	if (version == 0 || version >= CRYPTO_MAX_KEY_VERSIONS)
		return PONTE_ELIMIT;
	unsigned char key[CRYPTO_KEY_BYTES];
	unsigned char out[24 + CRYPTO_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char ad[8];
	crypto_random(key, sizeof(key));
	crypto_random(out, 24);
	version_ad(version, ad);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 24, &clen, key, sizeof(key), ad,
						   sizeof(ad), NULL, out, k->wrap_key);
	memcpy(k->data[version], key, sizeof(key));
	k->present[version] = true;
	crypto_wipe(key, sizeof(key));
	return buf_append(wrapped, out, 24 + (size_t)clen);
}

int crypto_keyring_add(crypto_keyring *k, uint32_t version, const void *wrapped, size_t n)
{
	const unsigned char *w = wrapped;
	if (version == 0 || version >= CRYPTO_MAX_KEY_VERSIONS ||
	    n != 24 + CRYPTO_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return PONTE_EINVAL;
	unsigned char ad[8];
	version_ad(version, ad);
	unsigned long long plen;
	unsigned char key[CRYPTO_KEY_BYTES];
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &plen, NULL, w + 24, n - 24, ad,
						       sizeof(ad), w, k->wrap_key) != 0)
		return PONTE_EDENIED; /* wrong master key, or a tampered key row */
	pthread_mutex_lock(&k->lock);
	if (!k->present[version]) {
		memcpy(k->data[version], key, sizeof(key));
		k->present[version] = true;
	}
	pthread_mutex_unlock(&k->lock);
	crypto_wipe(key, sizeof(key));
	return 0;
}

static int wrap_under(const unsigned char key[CRYPTO_KEY_BYTES], const unsigned char ad[8],
		      const unsigned char wrap_key[CRYPTO_KEY_BYTES], buf *wrapped)
{
	unsigned char out[24 + CRYPTO_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned long long clen;
	crypto_random(out, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 24, &clen, key, CRYPTO_KEY_BYTES, ad, 8,
						   NULL, out, wrap_key);
	return buf_append(wrapped, out, 24 + (size_t)clen);
}

int crypto_keyring_wrap_for(const crypto_keyring *k, uint32_t version, const crypto_keyring *under,
			    buf *wrapped)
{
	if (!crypto_keyring_has(k, version))
		return PONTE_ENOTFOUND;
	unsigned char ad[8];
	version_ad(version, ad);
	return wrap_under(k->data[version], ad, under->wrap_key, wrapped);
}

static const unsigned char INDEX_AD[8] = { 'p', 'i', 'd', 'x', 0, 0, 0, 0 };

int crypto_keyring_wrap_index_for(const crypto_keyring *k, const crypto_keyring *under,
				  buf *wrapped)
{
	return wrap_under(k->index_key, INDEX_AD, under->wrap_key, wrapped);
}

int crypto_keyring_set_index(crypto_keyring *k, const void *wrapped, size_t n)
{
	const unsigned char *w = wrapped;
	if (n != 24 + CRYPTO_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return PONTE_EINVAL;
	unsigned long long plen;
	unsigned char key[CRYPTO_KEY_BYTES];
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &plen, NULL, w + 24, n - 24, INDEX_AD,
						       sizeof(INDEX_AD), w, k->wrap_key) != 0)
		return PONTE_EDENIED;
	memcpy(k->index_key, key, sizeof(key));
	crypto_wipe(key, sizeof(key));
	return 0;
}

bool crypto_keyring_has(const crypto_keyring *k, uint32_t version)
{
	return version > 0 && version < CRYPTO_MAX_KEY_VERSIONS && k->present[version];
}

void crypto_keyring_set_current(crypto_keyring *k, uint32_t version)
{
	k->current = version;
}

uint32_t crypto_keyring_current(const crypto_keyring *k)
{
	return k->current;
}

/* ---- fields ---- */

static int field_ad(const crypto_ad *ad, uint32_t version, unsigned char *out, size_t outlen,
		    size_t *len)
{
	size_t t = strlen(ad->table), c = strlen(ad->column);
	if (t + c + 2 + 8 + 4 > outlen)
		return PONTE_ELIMIT;
	size_t o = 0;
	memcpy(out + o, ad->table, t + 1);
	o += t + 1;
	memcpy(out + o, ad->column, c + 1);
	o += c + 1;
	uint64_t id = (uint64_t)ad->row_id;
	for (int i = 7; i >= 0; i--)
		out[o++] = (unsigned char)(id >> (i * 8));
	for (int i = 3; i >= 0; i--)
		out[o++] = (unsigned char)(version >> (i * 8));
	*len = o;
	return 0;
}

int crypto_field_encrypt(const crypto_keyring *k, const crypto_ad *ad, const void *plain, size_t n,
			 buf *out)
{
	uint32_t v = k->current;
	if (!crypto_keyring_has(k, v))
		return PONTE_EINVAL;
	if (n > 16u << 20)
		return PONTE_ELIMIT;
	unsigned char a[256];
	size_t alen;
	int rc = field_ad(ad, v, a, sizeof(a), &alen);
	if (rc)
		return rc;
	size_t total = CRYPTO_FIELD_OVERHEAD + n;
	unsigned char *c = malloc(total);
	if (!c)
		return PONTE_ENOMEM;
	c[0] = (unsigned char)(v >> 24);
	c[1] = (unsigned char)(v >> 16);
	c[2] = (unsigned char)(v >> 8);
	c[3] = (unsigned char)v;
	crypto_random(c + 4, 24);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(c + 28, &clen, plain, n, a, alen, NULL, c + 4,
						   k->data[v]);
	rc = buf_append(out, c, 28 + (size_t)clen);
	free(c);
	return rc;
}

uint32_t crypto_field_version(const void *cipher, size_t n)
{
	const unsigned char *c = cipher;
	if (n < CRYPTO_FIELD_OVERHEAD)
		return 0;
	return (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
}

int crypto_field_decrypt(const crypto_keyring *k, const crypto_ad *ad, const void *cipher, size_t n,
			 buf *out)
{
	uint32_t v = crypto_field_version(cipher, n);
	if (!crypto_keyring_has(k, v))
		return PONTE_EINVAL;
	unsigned char a[256];
	size_t alen;
	int rc = field_ad(ad, v, a, sizeof(a), &alen);
	if (rc)
		return rc;
	const unsigned char *c = cipher;
	size_t plen = n - CRYPTO_FIELD_OVERHEAD;
	unsigned char *p = malloc(plen + 1);
	if (!p)
		return PONTE_ENOMEM;
	unsigned long long got;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &got, NULL, c + 28, n - 28, a, alen,
						       c + 4, k->data[v]) != 0) {
		free(p);
		return PONTE_EINVAL;
	}
	rc = buf_append(out, p, (size_t)got);
	crypto_wipe(p, plen);
	free(p);
	return rc;
}

void crypto_blind_index(const crypto_keyring *k, const char *purpose, const void *value, size_t n,
			unsigned char out[CRYPTO_HASH_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, k->index_key, sizeof(k->index_key), CRYPTO_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_generichash_update(&st, value, n);
	crypto_generichash_final(&st, out, CRYPTO_HASH_BYTES);
}

/* ---- passwords ---- */

int crypto_password_hash(const char *password, char out[128])
{
	_Static_assert(crypto_pwhash_STRBYTES <= 128, "password hash buffer");
	return crypto_pwhash_str_alg(out, password, strlen(password), PASSWORD_OPSLIMIT,
				     PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) == 0
		   ? 0
		   : PONTE_ENOMEM;
}

int crypto_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : PONTE_EDENIED;
}

bool crypto_password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}

/* ---- tokens ---- */

void crypto_digest(const void *data, size_t n, unsigned char hash[CRYPTO_HASH_BYTES])
{
	crypto_generichash(hash, CRYPTO_HASH_BYTES, data, n, NULL, 0);
}

void crypto_sha256_hex(const void *data, size_t n, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, n);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

void crypto_token_hash(const char *text, unsigned char hash[CRYPTO_HASH_BYTES])
{
	crypto_generichash(hash, CRYPTO_HASH_BYTES, (const unsigned char *)text, strlen(text), NULL,
			   0);
}

void crypto_token_new(char text[CRYPTO_TOKEN_TEXT], unsigned char hash[CRYPTO_HASH_BYTES])
{
	unsigned char raw[CRYPTO_TOKEN_BYTES];
	crypto_random(raw, sizeof(raw));
	sodium_bin2base64(text, CRYPTO_TOKEN_TEXT, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_wipe(raw, sizeof(raw));
	crypto_token_hash(text, hash);
}
