/*
 * embedded.h: files compiled into the binary (templates, catalogues, migrations, assets).
 *
 * The table is generated at build time by tools/embed.c and sorted by name. Contents are
 * read-only, live for the whole process and are NUL-terminated (the NUL is not counted).
 */
#ifndef PONTE_EMBEDDED_H
#define PONTE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* e.g. "templates/home.html", "static/app.css" */
	const char *data;
	size_t len;
	const char *hash; /* 16 hex digits of a content hash */
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

/* The file with this exact name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
