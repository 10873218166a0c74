/*
 * files.h: uploaded files (attachments): what they are, decided by their content, and where
 * they are kept.
 *
 * Invariants:
 * - A file's kind is decided from its bytes only, never from its name or declared type: PDF,
 *   PNG, JPEG, GIF, WebP, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods, odp)
 *   and legacy Office (doc, xls, ppt). Anything else (executables, scripts, HTML, archives)
 *   is refused. The kind gives the type and extension a download is served with.
 * - Files are kept under a directory of the installation, named by 128 random bits (never by
 *   user input): written to a temporary name, flushed, then renamed, so a crash leaves either
 *   the whole file or no file.
 */
#ifndef PONTE_FILES_H
#define PONTE_FILES_H

#include "base/buf.h"
#include "base/common.h"

#define FILES_NAME_LEN 32 /* hex characters of a stored file's name */
#define FILES_SNIFF_BYTES (64u << 10)

typedef struct file_kind {
	const char *media_type, *extension;
} file_kind;

/* The kind of a file from its first bytes (up to FILES_SNIFF_BYTES), or NULL if refused. */
const file_kind *files_sniff(const unsigned char *head, size_t n);
/* Read the head of the file at path and sniff it. */
const file_kind *files_sniff_path(const char *path);
/* Copy path into dir under a new random name (name: FILES_NAME_LEN + 1 bytes). */
int files_keep(const char *dir, const char *path, char *name);
/* Open a kept file for reading. */
int files_open(const char *dir, const char *name, int *fd, uint64_t *size);
/* The same, sealed under a key of the file's own (crypto_seal_file): what is on disk says
 * nothing of the content. Opening reads the whole content (at most max bytes) into out;
 * PONTE_EINVAL when the file was changed, truncated or extended. */
int files_keep_sealed(const char *dir, const char *path, const unsigned char key[32], char *name);
int files_open_sealed(const char *dir, const char *name, const unsigned char key[32], size_t max,
		      buf *out);
int files_remove(const char *dir, const char *name);
/* A file name safe for Content-Disposition: the basename, control characters, quotes, slashes
 * and backslashes replaced, the extension set to the kind's. */
void files_download_name(const char *given, const file_kind *kind, char *out, size_t outlen);

#endif
