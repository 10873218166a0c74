/* The backup archive (docs/backup.md): a fixed header that names the key, then
 * length-prefixed records sealed with libsodium's secretstream (XChaCha20-Poly1305), the last
 * one tagged final. The header is the associated data of the first record, so changing any
 * byte of it, cutting, reordering or appending records fails authentication. */
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/backup.h"
#include "base/fd.h"
#include "base/json.h"
#include "base/json_parse.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define RECORD_MAX (1 + BACKUP_CHUNK)      /* plaintext of one record */
#define FRAME_MAX (RECORD_MAX + SS_ABYTES) /* ciphertext of one record */
#define WRAP_BYTES 80
#define KEY_ID_BYTES 16

static const char WRAP_CONTEXT[] = "ponte backup wrap v1";
static const char ID_CONTEXT[] = "ponte backup key id v1";
static const char PUBLIC_LABEL[] = "ponte-backup-public-v1 ";
static const char SECRET_LABEL[] = "ponte-backup-secret-v1 ";

struct backup_writer {
	int fd;
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[BACKUP_HEADER_BYTES];
	bool first;
	unsigned char plain[RECORD_MAX], cipher[FRAME_MAX + 4];
	size_t fill; /* content bytes waiting in plain[1..] */
	bool in_entry;
	uint64_t size, written;
	crypto_hash_sha256_state hash;
};

void backup_key_wipe(backup_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

static void derive(const unsigned char master[CRYPTO_KEY_BYTES], const char *context,
		   unsigned char *out, size_t n)
{
	crypto_generichash(out, n, (const unsigned char *)context, strlen(context), master,
			   CRYPTO_KEY_BYTES);
}

static void key_id_bytes(const backup_key *k, unsigned char id[KEY_ID_BYTES])
{
	if (k->kind == BACKUP_KEY_INSTANCE)
		derive(k->master, ID_CONTEXT, id, KEY_ID_BYTES);
	else
		crypto_generichash(id, KEY_ID_BYTES, k->public_key, sizeof(k->public_key),
				   (const unsigned char *)ID_CONTEXT, strlen(ID_CONTEXT));
}

void backup_key_id(const backup_key *k, char id[33])
{
	unsigned char b[KEY_ID_BYTES];
	key_id_bytes(k, b);
	sodium_bin2hex(id, 33, b, sizeof(b));
}

/* ---- key files ---- */

static int write_key_file(const char *path, const char *label, const unsigned char key[32],
			  mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? PONTE_EEXIST : PONTE_EIO;
	char line[128], hex[65];
	sodium_bin2hex(hex, sizeof(hex), key, 32);
	int n = snprintf(line, sizeof(line), "%s%s\n", label, hex);
	int rc = fd_write_all(fd, line, (size_t)n);
	if (!rc && fsync(fd) != 0)
		rc = PONTE_EIO;
	close(fd);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(hex, sizeof(hex));
	if (rc)
		unlink(path);
	return rc;
}

int backup_key_generate(const char *path, char id[33], char *err, size_t errlen)
{
	char pub[4200];
	if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", path) >= sizeof(pub)) {
		snprintf(err, errlen, "the key path is too long");
		return PONTE_ELIMIT;
	}
	backup_key k = { .kind = BACKUP_KEY_SEPARATE, .has_secret = true };
	crypto_box_keypair(k.public_key, k.secret_key);
	int rc = write_key_file(path, SECRET_LABEL, k.secret_key, 0600);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 rc == PONTE_EEXIST ? "it exists already" : strerror(errno));
	} else if ((rc = write_key_file(pub, PUBLIC_LABEL, k.public_key, 0644))) {
		snprintf(err, errlen, "cannot create %s: %s", pub,
			 rc == PONTE_EEXIST ? "it exists already" : strerror(errno));
		unlink(path);
	}
	if (!rc)
		backup_key_id(&k, id);
	backup_key_wipe(&k);
	return rc;
}

int backup_key_load(const char *path, backup_key *k, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PONTE_EIO;
	}
	char line[160];
	size_t got;
	int rc = fd_read_full(fd, line, sizeof(line) - 1, &got);
	close(fd);
	line[rc ? 0 : got] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	size_t pl = strlen(PUBLIC_LABEL), sl = strlen(SECRET_LABEL);
	const char *hex = NULL;
	if (strncmp(line, PUBLIC_LABEL, pl) == 0) {
		hex = line + pl;
	} else if (strncmp(line, SECRET_LABEL, sl) == 0) {
		hex = line + sl;
		k->has_secret = true;
	}
	unsigned char key[32];
	if (!hex || !crypto_unhex(hex, key, sizeof(key))) {
		snprintf(err, errlen,
			 "%s is not a backup key file (make one with `ponte backup --generate-key "
			 "FILE`)",
			 path);
		sodium_memzero(line, sizeof(line));
		return PONTE_EINVAL;
	}
	sodium_memzero(line, sizeof(line));
	if (k->has_secret && (sb.st_mode & 077)) {
		sodium_memzero(key, sizeof(key));
		k->has_secret = false;
		snprintf(err, errlen,
			 "%s is a secret key that other users of this machine can read; run chmod "
			 "600 %s",
			 path, path);
		return PONTE_EDENIED;
	}
	k->kind = BACKUP_KEY_SEPARATE;
	if (k->has_secret) {
		memcpy(k->secret_key, key, 32);
		crypto_scalarmult_base(k->public_key, k->secret_key);
	} else {
		memcpy(k->public_key, key, 32);
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* ---- writing ---- */

int backup_writer_start(int fd, const backup_key *k, backup_writer **out)
{
	if (!k->has_master || (k->kind != BACKUP_KEY_INSTANCE && k->kind != BACKUP_KEY_SEPARATE))
		return PONTE_EINVAL;
	backup_writer *w = sodium_malloc(sizeof(*w));
	if (!w)
		return PONTE_ENOMEM;
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->first = true;
	unsigned char *h = w->header, stream_key[32];
	memcpy(h, BACKUP_MAGIC, 8);
	h[8] = BACKUP_FORMAT;
	h[9] = (unsigned char)k->kind;
	h[10] = h[11] = 0;
	key_id_bytes(k, h + 12);
	unsigned char *wrap = h + 12 + KEY_ID_BYTES;
	crypto_secretstream_xchacha20poly1305_keygen(stream_key);
	if (k->kind == BACKUP_KEY_INSTANCE) {
		unsigned char wk[32];
		derive(k->master, WRAP_CONTEXT, wk, sizeof(wk));
		randombytes_buf(wrap, crypto_secretbox_NONCEBYTES);
		crypto_secretbox_easy(wrap + crypto_secretbox_NONCEBYTES, stream_key, 32, wrap, wk);
		sodium_memzero(wk, sizeof(wk));
		/* 24 + 48 = 72 bytes; the rest of the field stays zero. */
	} else {
		crypto_box_seal(wrap, stream_key, 32, k->public_key); /* 32 + 48 = 80 bytes */
	}
	crypto_secretstream_xchacha20poly1305_init_push(&w->st, h + 12 + KEY_ID_BYTES + WRAP_BYTES,
							stream_key);
	sodium_memzero(stream_key, sizeof(stream_key));
	int rc = fd_write_all(fd, h, BACKUP_HEADER_BYTES);
	if (rc) {
		backup_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void backup_writer_free(backup_writer *w)
{
	if (w)
		sodium_free(w); /* wipes */
}

int backup_writer_record(backup_writer *w, const void *p, size_t n, bool final)
{
	if (n > RECORD_MAX)
		return PONTE_ELIMIT;
	unsigned long long clen;
	crypto_secretstream_xchacha20poly1305_push(
	    &w->st, w->cipher + 4, &clen, p, n, w->first ? w->header : NULL,
	    w->first ? BACKUP_HEADER_BYTES : 0,
	    final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
	w->first = false;
	w->cipher[0] = (unsigned char)(clen >> 24);
	w->cipher[1] = (unsigned char)(clen >> 16);
	w->cipher[2] = (unsigned char)(clen >> 8);
	w->cipher[3] = (unsigned char)clen;
	return fd_write_all(w->fd, w->cipher, (size_t)clen + 4);
}

int backup_writer_begin(backup_writer *w, char kind, const char *name, uint64_t size)
{
	size_t len = strlen(name);
	if (w->in_entry || len == 0 || len > BACKUP_NAME_MAX || size > BACKUP_ENTRY_MAX)
		return PONTE_EINVAL;
	unsigned char *p = w->plain;
	p[0] = 'B';
	p[1] = (unsigned char)kind;
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	memcpy(p + 4, name, len);
	for (int i = 0; i < 8; i++)
		p[4 + len + (size_t)i] = (unsigned char)(size >> (56 - 8 * i));
	w->in_entry = true;
	w->size = size;
	w->written = 0;
	w->fill = 0;
	crypto_hash_sha256_init(&w->hash);
	return backup_writer_record(w, p, 4 + len + 8, false);
}

static int flush_content(backup_writer *w)
{
	if (!w->fill)
		return 0;
	w->plain[0] = 'C';
	int rc = backup_writer_record(w, w->plain, 1 + w->fill, false);
	w->fill = 0;
	return rc;
}

int backup_writer_data(backup_writer *w, const void *p, size_t n)
{
	if (!w->in_entry || n > w->size - w->written)
		return PONTE_EINVAL;
	crypto_hash_sha256_update(&w->hash, p, n);
	w->written += n;
	const unsigned char *c = p;
	while (n) {
		size_t take = BACKUP_CHUNK - w->fill < n ? BACKUP_CHUNK - w->fill : n;
		memcpy(w->plain + 1 + w->fill, c, take);
		w->fill += take;
		c += take;
		n -= take;
		if (w->fill == BACKUP_CHUNK) {
			int rc = flush_content(w);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int backup_writer_end(backup_writer *w, char sha256[65])
{
	if (!w->in_entry || w->written != w->size)
		return PONTE_EINVAL;
	int rc = flush_content(w);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&w->hash, h);
	sodium_bin2hex(sha256, 65, h, sizeof(h));
	w->in_entry = false;
	unsigned char e = 'E';
	return rc ? rc : backup_writer_record(w, &e, 1, false);
}

int backup_writer_finish(backup_writer *w, const char *manifest, size_t n)
{
	int rc = w->in_entry || n == 0 || n > BACKUP_MANIFEST_MAX ? PONTE_EINVAL : 0;
	while (!rc && n) {
		size_t take = n > BACKUP_CHUNK ? BACKUP_CHUNK : n;
		w->plain[0] = 'M';
		memcpy(w->plain + 1, manifest, take);
		manifest += take;
		n -= take;
		rc = backup_writer_record(w, w->plain, 1 + take, n == 0);
	}
	backup_writer_free(w);
	return rc;
}

/* ---- reading ---- */

/* A name inside the archive: "database", "key", or "files/" and up to 8 components of
 * [A-Za-z0-9._-], none "." or "..". Nothing else can reach the file system. */
static bool name_valid(char kind, const char *name, size_t n)
{
	if (kind == BACKUP_ENTRY_DATABASE)
		return n == 8 && memcmp(name, "database", 8) == 0;
	if (kind == BACKUP_ENTRY_KEY)
		return n == 3 && memcmp(name, "key", 3) == 0;
	if (kind != BACKUP_ENTRY_FILE || n <= 6 || memcmp(name, "files/", 6) != 0)
		return false;
	int parts = 0;
	for (size_t i = 6; i < n;) {
		size_t j = i;
		while (j < n && name[j] != '/') {
			char c = name[j];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
				return false;
			j++;
		}
		size_t len = j - i;
		if (len == 0 || len > 128 || (len == 1 && name[i] == '.') ||
		    (len == 2 && name[i] == '.' && name[i + 1] == '.') || ++parts > 8)
			return false;
		if (j < n && j + 1 == n)
			return false; /* a trailing slash */
		i = j + 1;
	}
	return parts > 0;
}

bool backup_entry_name_valid(char kind, const char *name, size_t n);
bool backup_entry_name_valid(char kind, const char *name, size_t n)
{
	return name_valid(kind, name, n);
}

static bool is_hex(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool integer_of(const json_value *v, int64_t min, int64_t max, int64_t *out)
{
	/* The range first: converting a double outside int64_t's (1e300) is undefined. */
	if (!v || v->type != JSON_NUMBER ||
	    !(v->number >= (double)min && v->number <= (double)max) ||
	    v->number != (double)(int64_t)v->number)
		return false;
	*out = (int64_t)v->number;
	return true;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(why, whylen, __VA_ARGS__);                                                \
		return PONTE_EINVAL;                                                               \
	} while (0)

int backup_manifest_parse(arena *a, const char *text, size_t n, backup_manifest *m, char *why,
			  size_t whylen)
{
	memset(m, 0, sizeof(*m));
	json_value *v;
	char err[128];
	if (json_parse(a, text, n, &v, err, sizeof(err)))
		FAIL("the manifest is not JSON: %s", err);
	if (v->type != JSON_OBJECT)
		FAIL("the manifest is not an object");
	const char *format = json_get_string(v, "format"), *key = json_get_string(v, "key");
	int64_t version;
	if (!format || strcmp(format, "ponte-backup") != 0 ||
	    !integer_of(json_get(v, "version"), 1, 1, &version))
		FAIL("the manifest is not a Ponte backup manifest of version %d", BACKUP_FORMAT);
	m->created_at = json_get_string(v, "created_at");
	m->ponte_version = json_get_string(v, "ponte");
	if (!m->created_at || !m->ponte_version || strlen(m->created_at) > 40 ||
	    strlen(m->ponte_version) > 64)
		FAIL("the manifest lacks its date or Ponte version");
	if (!key || (strcmp(key, "instance") != 0 && strcmp(key, "backup") != 0))
		FAIL("the manifest does not say which key the archive is for");
	m->key_kind = strcmp(key, "instance") == 0 ? BACKUP_KEY_INSTANCE : BACKUP_KEY_SEPARATE;
	if (!integer_of(json_get(v, "schema_version"), 1, 1000000, &m->schema_version))
		FAIL("the manifest lacks the schema version");
	const json_value *audit = json_get(v, "audit"), *tables = json_get(v, "tables"),
			 *entries = json_get(v, "entries");
	const char *head =
	    audit && audit->type == JSON_OBJECT ? json_get_string(audit, "head") : NULL;
	if (!head || !(is_hex(head, 64) || *head == '\0') ||
	    !integer_of(json_get(audit, "events"), 0, INT64_C(1) << 53, &m->audit_events))
		FAIL("the manifest lacks the audit chain's head");
	memcpy(m->audit_head, head, strlen(head) + 1);
	if (!integer_of(json_get(v, "sealed_attachments"), 0, INT64_C(1) << 53,
			&m->sealed_attachments))
		FAIL("the manifest lacks the count of sealed attachments");
	if (!tables || tables->type != JSON_OBJECT || tables->length > BACKUP_MAX_TABLES)
		FAIL("the manifest's tables are missing or too many");
	m->ntables = tables->length;
	m->tables = arena_calloc(a, m->ntables ? m->ntables : 1, sizeof(*m->tables));
	if (!m->tables)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < m->ntables; i++) {
		const char *t = tables->keys[i];
		size_t tl = strlen(t);
		bool ok = tl > 0 && tl <= 64;
		for (size_t j = 0; ok && j < tl; j++)
			ok = (t[j] >= 'a' && t[j] <= 'z') || (t[j] >= '0' && t[j] <= '9') ||
			     t[j] == '_';
		if (!ok || !integer_of(tables->items[i], 0, INT64_C(1) << 53, &m->tables[i].rows))
			FAIL("the manifest's table %zu is malformed", i + 1);
		m->tables[i].name = t;
	}
	if (!entries || entries->type != JSON_ARRAY || entries->length > BACKUP_MAX_ENTRIES)
		FAIL("the manifest's entries are missing or too many");
	m->nentries = entries->length;
	m->entries = arena_calloc(a, m->nentries ? m->nentries : 1, sizeof(*m->entries));
	if (!m->entries)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < m->nentries; i++) {
		const json_value *e = entries->items[i];
		const char *name = e->type == JSON_OBJECT ? json_get_string(e, "name") : NULL,
			   *kind = e->type == JSON_OBJECT ? json_get_string(e, "kind") : NULL,
			   *sum = e->type == JSON_OBJECT ? json_get_string(e, "sha256") : NULL;
		int64_t size;
		if (!name || !kind || strlen(kind) != 1 ||
		    !name_valid(kind[0], name, strlen(name)) || !is_hex(sum, 64) ||
		    !integer_of(json_get(e, "size"), 0, (int64_t)BACKUP_ENTRY_MAX, &size))
			FAIL("the manifest's entry %zu is malformed", i + 1);
		m->entries[i] =
		    (backup_entry){ .kind = kind[0], .name = name, .size = (uint64_t)size };
		memcpy(m->entries[i].sha256, sum, 65);
	}
	return 0;
}

int backup_manifest_write(const backup_manifest *m, buf *out)
{
	int rc = buf_puts(out, "{");
	rc = rc ? rc : json_field_str(out, true, "format", "ponte-backup");
	rc = rc ? rc : json_field_int(out, false, "version", BACKUP_FORMAT);
	rc = rc ? rc : json_field_str(out, false, "ponte", m->ponte_version);
	rc = rc ? rc : json_field_str(out, false, "created_at", m->created_at);
	rc = rc ? rc
		: json_field_str(out, false, "key",
				 m->key_kind == BACKUP_KEY_INSTANCE ? "instance" : "backup");
	rc = rc ? rc : json_field_int(out, false, "schema_version", m->schema_version);
	rc = rc ? rc
		: buf_printf(out, ",\"audit\":{\"events\":%lld,\"head\":\"%s\"}",
			     (long long)m->audit_events, m->audit_head);
	rc = rc ? rc : json_field_int(out, false, "sealed_attachments", m->sealed_attachments);
	rc = rc ? rc : buf_puts(out, ",\"tables\":{");
	for (size_t i = 0; !rc && i < m->ntables; i++)
		rc = json_field_int(out, i == 0, m->tables[i].name, m->tables[i].rows);
	rc = rc ? rc : buf_puts(out, "},\"entries\":[");
	for (size_t i = 0; !rc && i < m->nentries; i++) {
		const backup_entry *e = &m->entries[i];
		char kind[2] = { e->kind, '\0' };
		rc = buf_puts(out, i ? ",\n{" : "\n{");
		rc = rc ? rc : json_field_str(out, true, "kind", kind);
		rc = rc ? rc : json_field_str(out, false, "name", e->name);
		rc = rc ? rc : json_field_int(out, false, "size", (long long)e->size);
		rc = rc ? rc : json_field_str(out, false, "sha256", e->sha256);
		rc = rc ? rc : buf_puts(out, "}");
	}
	return rc ? rc : buf_puts(out, "]}\n");
}

/* What the reader has seen, to compare with the manifest at the end. */
typedef struct seen {
	backup_entry *v;
	size_t n, cap;
} seen;

static int seen_add(arena *a, seen *s, const backup_entry *e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		if (cap > BACKUP_MAX_ENTRIES)
			cap = BACKUP_MAX_ENTRIES;
		if (s->n == cap)
			return PONTE_ELIMIT;
		backup_entry *v = arena_calloc(a, cap, sizeof(*v));
		if (!v)
			return PONTE_ENOMEM;
		if (s->n)
			memcpy(v, s->v, s->n * sizeof(*v));
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *e;
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const backup_entry *)x)->name, ((const backup_entry *)y)->name);
}

#undef FAIL
#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		snprintf(why, whylen, __VA_ARGS__);                                                \
		rc = (code);                                                                       \
		goto out;                                                                          \
	} while (0)

int backup_archive_read(int fd, const backup_key *k, const backup_sink *sink, arena *a,
			backup_manifest *m, char *why, size_t whylen)
{
	int rc = 0;
	memset(m, 0, sizeof(*m));
	unsigned char h[BACKUP_HEADER_BYTES], stream_key[32];
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *frame = malloc(FRAME_MAX), *plain = malloc(RECORD_MAX);
	buf manifest;
	buf_init(&manifest, BACKUP_MANIFEST_MAX);
	seen got = { 0 };
	size_t n;
	if (!frame || !plain)
		FAIL(PONTE_ENOMEM, "out of memory");
	if ((rc = fd_read_full(fd, h, sizeof(h), &n)))
		FAIL(rc, "cannot read the archive: %s", strerror(errno));
	if (n < sizeof(h) || memcmp(h, BACKUP_MAGIC, 8) != 0)
		FAIL(PONTE_EINVAL, "this is not a Ponte backup archive");
	if (h[8] != BACKUP_FORMAT || h[10] || h[11])
		FAIL(PONTE_EINVAL, "this archive has format %u; this Ponte reads format %d",
		     (unsigned)h[8], BACKUP_FORMAT);
	if (h[9] != BACKUP_KEY_INSTANCE && h[9] != BACKUP_KEY_SEPARATE)
		FAIL(PONTE_EINVAL, "this archive names an unknown kind of key");
	if (h[9] != k->kind)
		FAIL(PONTE_EDENIED, "this archive is encrypted to %s; give %s",
		     h[9] == BACKUP_KEY_INSTANCE ? "the instance's key file"
						 : "a separate backup key",
		     h[9] == BACKUP_KEY_INSTANCE ? "--key with the instance's key file"
						 : "--backup-key with its secret key file");
	unsigned char id[KEY_ID_BYTES];
	key_id_bytes(k, id);
	if (!crypto_equal(id, h + 12, sizeof(id))) {
		char want[33], have[33];
		sodium_bin2hex(want, sizeof(want), h + 12, KEY_ID_BYTES);
		sodium_bin2hex(have, sizeof(have), id, KEY_ID_BYTES);
		FAIL(PONTE_EDENIED, "this archive is encrypted to key %s, not to this key (%s)",
		     want, have);
	}
	const unsigned char *wrap = h + 12 + KEY_ID_BYTES;
	if (k->kind == BACKUP_KEY_INSTANCE) {
		unsigned char wk[32];
		derive(k->master, WRAP_CONTEXT, wk, sizeof(wk));
		int bad = crypto_secretbox_open_easy(stream_key, wrap + crypto_secretbox_NONCEBYTES,
						     32 + crypto_secretbox_MACBYTES, wrap, wk);
		sodium_memzero(wk, sizeof(wk));
		for (size_t i = 24 + 48; i < WRAP_BYTES; i++)
			bad |= wrap[i];
		if (bad)
			FAIL(PONTE_EDENIED, "the archive's key does not open with this key");
	} else if (!k->has_secret || crypto_box_seal_open(stream_key, wrap, WRAP_BYTES,
							  k->public_key, k->secret_key) != 0) {
		FAIL(PONTE_EDENIED, "the archive's key does not open with this key%s",
		     k->has_secret ? ""
				   : " (a public key cannot read archives: give the secret one)");
	}
	if (crypto_secretstream_xchacha20poly1305_init_pull(&st, wrap + WRAP_BYTES, stream_key))
		FAIL(PONTE_EINVAL, "the archive's header is damaged");
	bool first = true, final = false, in_entry = false, manifest_started = false;
	bool have_db = false;
	backup_entry cur = { 0 };
	uint64_t content = 0;
	crypto_hash_sha256_state hash;
	uint64_t records = 0;
	while (!final) {
		unsigned char len4[4];
		if ((rc = fd_read_full(fd, len4, 4, &n)))
			FAIL(rc, "cannot read the archive: %s", strerror(errno));
		if (n < 4)
			FAIL(PONTE_EINVAL,
			     "the archive is truncated after %llu records (no final record)",
			     (unsigned long long)records);
		uint32_t len = (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 |
			       (uint32_t)len4[2] << 8 | len4[3];
		if (len < SS_ABYTES + 1 || len > FRAME_MAX)
			FAIL(PONTE_EINVAL, "record %llu has an impossible length (%u)",
			     (unsigned long long)records + 1, len);
		if ((rc = fd_read_full(fd, frame, len, &n)))
			FAIL(rc, "cannot read the archive: %s", strerror(errno));
		if (n < len)
			FAIL(PONTE_EINVAL, "the archive is truncated in record %llu",
			     (unsigned long long)records + 1);
		unsigned long long plen;
		unsigned char tag;
		if (crypto_secretstream_xchacha20poly1305_pull(&st, plain, &plen, &tag, frame, len,
							       first ? h : NULL,
							       first ? sizeof(h) : 0) != 0)
			FAIL(PONTE_EINVAL, "record %llu was changed (authentication failed)",
			     (unsigned long long)records + 1);
		first = false;
		records++;
		final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		if (tag != 0 && !final)
			FAIL(PONTE_EINVAL, "record %llu carries an unknown tag",
			     (unsigned long long)records);
		char type = (char)plain[0];
		if (final && type != 'M')
			FAIL(PONTE_EINVAL, "the archive ends inside its entries");
		if (manifest_started && type != 'M')
			FAIL(PONTE_EINVAL, "record %llu follows the manifest",
			     (unsigned long long)records);
		switch (type) {
		case 'B': {
			if (in_entry)
				FAIL(PONTE_EINVAL, "record %llu begins an entry inside another",
				     (unsigned long long)records);
			if (plen < 4)
				FAIL(PONTE_EINVAL, "record %llu is too short",
				     (unsigned long long)records);
			size_t nl = (size_t)plain[2] << 8 | plain[3];
			if (nl == 0 || nl > BACKUP_NAME_MAX || plen != 4 + nl + 8)
				FAIL(PONTE_EINVAL, "record %llu has a malformed entry name",
				     (unsigned long long)records);
			char kind = (char)plain[1];
			const char *name = (const char *)plain + 4;
			if (!name_valid(kind, name, nl))
				FAIL(PONTE_EINVAL, "record %llu names an entry that is not allowed",
				     (unsigned long long)records);
			uint64_t size = 0;
			for (int i = 0; i < 8; i++)
				size = size << 8 | plain[4 + nl + (size_t)i];
			if (size > BACKUP_ENTRY_MAX || (kind == BACKUP_ENTRY_KEY && size != 32))
				FAIL(PONTE_EINVAL, "entry %.*s has an impossible size", (int)nl,
				     name);
			if (kind == BACKUP_ENTRY_DATABASE && have_db)
				FAIL(PONTE_EINVAL, "the archive holds two databases");
			if (kind == BACKUP_ENTRY_KEY && k->kind != BACKUP_KEY_SEPARATE)
				FAIL(PONTE_EINVAL, "an archive to the instance key holds a key");
			have_db |= kind == BACKUP_ENTRY_DATABASE;
			cur = (backup_entry){ .kind = kind,
					      .name = arena_strndup(a, name, nl),
					      .size = size };
			if (!cur.name)
				FAIL(PONTE_ENOMEM, "out of memory");
			content = 0;
			in_entry = true;
			crypto_hash_sha256_init(&hash);
			if (sink && sink->begin &&
			    (rc = sink->begin(sink->ctx, kind, cur.name, size)))
				FAIL(rc, "cannot write entry %s", cur.name);
			break;
		}
		case 'C':
			if (!in_entry || plen < 2 || plen - 1 > cur.size - content)
				FAIL(PONTE_EINVAL, "record %llu holds content out of place",
				     (unsigned long long)records);
			content += plen - 1;
			crypto_hash_sha256_update(&hash, plain + 1, plen - 1);
			if (sink && sink->data && (rc = sink->data(sink->ctx, plain + 1, plen - 1)))
				FAIL(rc, "cannot write entry %s", cur.name);
			break;
		case 'E': {
			if (!in_entry || plen != 1 || content != cur.size)
				FAIL(PONTE_EINVAL, "record %llu ends an entry that is not complete",
				     (unsigned long long)records);
			unsigned char d[crypto_hash_sha256_BYTES];
			crypto_hash_sha256_final(&hash, d);
			sodium_bin2hex(cur.sha256, sizeof(cur.sha256), d, sizeof(d));
			in_entry = false;
			if ((rc = seen_add(a, &got, &cur)))
				FAIL(rc, "the archive holds too many entries");
			if (sink && sink->end && (rc = sink->end(sink->ctx)))
				FAIL(rc, "cannot write entry %s", cur.name);
			break;
		}
		case 'M':
			if (in_entry)
				FAIL(PONTE_EINVAL, "the manifest begins inside an entry");
			manifest_started = true;
			if (buf_append(&manifest, plain + 1, plen - 1))
				FAIL(PONTE_ELIMIT, "the manifest is larger than %u bytes",
				     BACKUP_MANIFEST_MAX);
			break;
		default:
			FAIL(PONTE_EINVAL, "record %llu is of an unknown type",
			     (unsigned long long)records);
		}
	}
	if ((rc = fd_read_full(fd, frame, 1, &n)) || n)
		FAIL(PONTE_EINVAL, "bytes follow the archive's final record");
	if (!have_db)
		FAIL(PONTE_EINVAL, "the archive holds no database");
	if ((rc = backup_manifest_parse(a, manifest.data ? manifest.data : "", manifest.len, m, why,
					whylen)))
		goto out;
	if (m->key_kind != k->kind)
		FAIL(PONTE_EINVAL, "the manifest names another key than the header");
	if (m->nentries != got.n)
		FAIL(PONTE_EINVAL, "the manifest lists %zu entries, the archive holds %zu",
		     m->nentries, got.n);
	for (size_t i = 0; i < got.n; i++) {
		const backup_entry *x = &got.v[i], *y = &m->entries[i];
		if (x->kind != y->kind || strcmp(x->name, y->name) != 0 || x->size != y->size ||
		    strcmp(x->sha256, y->sha256) != 0)
			FAIL(PONTE_EINVAL, "entry %s does not match the manifest", x->name);
	}
	if (got.n > 1) {
		qsort(got.v, got.n, sizeof(*got.v), by_name);
		for (size_t i = 1; i < got.n; i++)
			if (strcmp(got.v[i - 1].name, got.v[i].name) == 0)
				FAIL(PONTE_EINVAL, "the archive holds %s twice", got.v[i].name);
	}
out:
	sodium_memzero(stream_key, sizeof(stream_key));
	sodium_memzero(&st, sizeof(st));
	if (plain)
		sodium_memzero(plain, RECORD_MAX);
	free(plain);
	free(frame);
	buf_release(&manifest);
	return rc;
}
