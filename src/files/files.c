/* Sniffing, keeping and opening uploaded files. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "files/files.h"

static const file_kind PDF = { "application/pdf", "pdf" };
static const file_kind PNG = { "image/png", "png" };
static const file_kind JPEG = { "image/jpeg", "jpg" };
static const file_kind GIF = { "image/gif", "gif" };
static const file_kind WEBP = { "image/webp", "webp" };
static const file_kind DOCX = {
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
};
static const file_kind XLSX = { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				"xlsx" };
static const file_kind PPTX = {
	"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"
};
static const file_kind ODT = { "application/vnd.oasis.opendocument.text", "odt" };
static const file_kind ODS = { "application/vnd.oasis.opendocument.spreadsheet", "ods" };
static const file_kind ODP = { "application/vnd.oasis.opendocument.presentation", "odp" };
static const file_kind OLE = { "application/vnd.ms-office", "doc" };

static bool starts(const unsigned char *p, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

/* Whether a ZIP local file header in head names an entry starting with prefix. Headers are
 * found by their signature rather than by walking sizes, which entries written with a data
 * descriptor (sizes after the data) do not give. */
static bool zip_has(const unsigned char *p, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);
	for (const unsigned char *h = p; h && (size_t)(h - p) + 30 <= n;) {
		size_t at = (size_t)(h - p);
		size_t name_len = h[26] | (size_t)h[27] << 8;
		if (at + 30 + name_len <= n && name_len >= plen &&
		    memcmp(h + 30, prefix, plen) == 0)
			return true;
		h = memmem(h + 4, n - at - 4, "PK\x03\x04", 4);
	}
	return false;
}

static const file_kind *sniff_zip(const unsigned char *p, size_t n)
{
	/* OpenDocument: a stored "mimetype" entry first, its content right after the header. */
	static const struct {
		const char *mime;
		const file_kind *kind;
	} ODF[] = { { "application/vnd.oasis.opendocument.text", &ODT },
		    { "application/vnd.oasis.opendocument.spreadsheet", &ODS },
		    { "application/vnd.oasis.opendocument.presentation", &ODP } };
	if (n > 38 + 8 && memcmp(p + 30, "mimetype", 8) == 0)
		for (size_t i = 0; i < ARRAY_LEN(ODF); i++) {
			size_t m = strlen(ODF[i].mime);
			if (n >= 38 + m && memcmp(p + 38, ODF[i].mime, m) == 0 &&
			    (n == 38 + m || p[38 + m] != '-'))
				return ODF[i].kind;
		}
	if (!zip_has(p, n, "[Content_Types].xml"))
		return NULL;
	if (zip_has(p, n, "word/"))
		return &DOCX;
	if (zip_has(p, n, "xl/"))
		return &XLSX;
	if (zip_has(p, n, "ppt/"))
		return &PPTX;
	return NULL;
}

const file_kind *files_sniff(const unsigned char *p, size_t n)
{
	if (starts(p, n, "%PDF-", 5))
		return &PDF;
	if (starts(p, n, "\x89PNG\r\n\x1a\n", 8))
		return &PNG;
	if (starts(p, n, "\xFF\xD8\xFF", 3))
		return &JPEG;
	if (starts(p, n, "GIF87a", 6) || starts(p, n, "GIF89a", 6))
		return &GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return &WEBP;
	if (starts(p, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return &OLE;
	if (starts(p, n, "PK\x03\x04", 4))
		return sniff_zip(p, n);
	return NULL;
}

const file_kind *files_sniff_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	unsigned char *head = malloc(FILES_SNIFF_BYTES);
	ssize_t n = head ? read(fd, head, FILES_SNIFF_BYTES) : -1;
	close(fd);
	const file_kind *k = n > 0 ? files_sniff(head, (size_t)n) : NULL;
	free(head);
	return k;
}

static void random_name(char *name)
{
	unsigned char r[FILES_NAME_LEN / 2];
	crypto_random(r, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(name + 2 * i, 3, "%02x", r[i]);
}

static int copy_fd(int in, int out)
{
	char block[64 * 1024];
	for (;;) {
		ssize_t n = read(in, block, sizeof(block));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PONTE_EIO;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, block + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return PONTE_EIO;
			off += w;
		}
	}
}

/* Seal in into out under key (files_keep_sealed), or copy it as it is. */
static int transfer(int in, int out, const unsigned char *key)
{
	return key ? crypto_seal_file(in, out, key) : copy_fd(in, out);
}

static int keep(const char *dir, const char *path, char *name, const unsigned char *key);

int files_keep(const char *dir, const char *path, char *name)
{
	return keep(dir, path, name, NULL);
}

int files_keep_sealed(const char *dir, const char *path, const unsigned char key[32], char *name)
{
	return keep(dir, path, name, key);
}

int files_open_sealed(const char *dir, const char *name, const unsigned char key[32], size_t max,
		      buf *out)
{
	int fd;
	uint64_t size;
	int rc = files_open(dir, name, &fd, &size);
	if (rc)
		return rc;
	rc = crypto_open_file(fd, key, max, out);
	close(fd);
	return rc;
}

static int keep(const char *dir, const char *path, char *name, const unsigned char *key)
{
	char tmp[4096], final[4096];
	random_name(name);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(final, sizeof(final), "%s/%s", dir, name) >= sizeof(final))
		return PONTE_ELIMIT;
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return PONTE_EIO;
	int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return PONTE_EIO;
	}
	int rc = transfer(in, out, key);
	close(in);
	if (!rc && fsync(out) != 0)
		rc = PONTE_EIO;
	if (close(out) != 0 && !rc)
		rc = PONTE_EIO;
	if (!rc && rename(tmp, final) != 0)
		rc = PONTE_EIO;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d >= 0) {
		fsync(d); /* the rename itself survives a crash */
		close(d);
	}
	return 0;
}

static bool name_ok(const char *name)
{
	return strlen(name) == FILES_NAME_LEN && strspn(name, "0123456789abcdef") == FILES_NAME_LEN;
}

int files_open(const char *dir, const char *name, int *fd, uint64_t *size)
{
	char path[4096];
	if (!name_ok(name) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return PONTE_ENOTFOUND;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return PONTE_ENOTFOUND;
	struct stat sb;
	if (fstat(*fd, &sb) != 0) {
		close(*fd);
		return PONTE_EIO;
	}
	*size = (uint64_t)sb.st_size;
	return 0;
}

int files_remove(const char *dir, const char *name)
{
	char path[4096];
	if (!name_ok(name) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return PONTE_ENOTFOUND;
	return unlink(path) == 0 || errno == ENOENT ? 0 : PONTE_EIO;
}

void files_download_name(const char *given, const file_kind *kind, char *out, size_t outlen)
{
	const char *base = given ? given : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* Keep the stem (before the last dot), at most 100 bytes, without a cut character. */
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (stem > 100)
		stem = 100;
	while (stem && ((unsigned char)base[stem] & 0xC0) == 0x80)
		stem--;
	size_t o = 0;
	for (size_t i = 0; i < stem && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)base[i];
		out[o++] = c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '/' || c == ';'
			       ? '_'
			       : (char)c;
	}
	if (o == 0 && outlen > 9) {
		memcpy(out, "document", 8);
		o = 8;
	}
	snprintf(out + o, outlen - o, ".%s", kind->extension);
}
