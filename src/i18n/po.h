/*
 * po.h: a parser for gettext PO catalogues (the po/ files embedded in the binary).
 *
 * Supports what our catalogues use: comments, the "#, fuzzy" flag, msgctxt, msgid,
 * msgid_plural, msgstr and msgstr[N], C escapes and strings continued over several lines.
 * Malformed input is PONTE_EINVAL with "line N: reason" in err; the parser never reads past
 * n and never allocates outside the given arena.
 */
#ifndef PONTE_PO_H
#define PONTE_PO_H

#include "base/arena.h"

#define PO_MAX_PLURALS 6 /* Arabic has six forms */

typedef struct po_entry {
	const char *msgctxt; /* NULL when absent */
	const char *msgid;
	const char *msgid_plural; /* NULL when absent */
	const char *msgstr[PO_MAX_PLURALS];
	int nstr;
	bool fuzzy;
	int line; /* line of the msgid */
} po_entry;

typedef int (*po_entry_fn)(const po_entry *e, void *ctx);

/* Where and why parsing stopped: why is an English msgid (translate it for the reader), NULL
 * when the callback or the arena failed. */
typedef struct po_error {
	int line;
	const char *why;
} po_error;

int po_parse_detailed(arena *a, const char *text, size_t n, po_entry_fn fn, void *ctx, po_error *e);
int po_parse(arena *a, const char *text, size_t n, po_entry_fn fn, void *ctx, char *err,
	     size_t errlen);

#endif
