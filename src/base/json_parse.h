/*
 * json_parse.h: a strict, bounded JSON parser (RFC 8259) into the caller's arena.
 *
 * Invariants: strings come out unescaped, valid UTF-8 and without NUL (a \u0000 or a lone
 * surrogate is PONTE_EINVAL); nesting is limited to JSON_MAX_DEPTH; duplicate object keys
 * are refused (they are a classic way to smuggle a second value past a check); nothing is
 * read past n. Errors say where, as a byte offset, in err.
 */
#ifndef PONTE_JSON_PARSE_H
#define PONTE_JSON_PARSE_H

#include "base/arena.h"

#define JSON_MAX_DEPTH 32

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

typedef struct json_value json_value;
struct json_value {
	enum json_type type;
	bool boolean;
	double number;
	const char *string; /* also the raw text of a number */
	size_t length;      /* string length in bytes; element count of arrays and objects */
	const char **keys;  /* objects */
	json_value **items; /* arrays and objects */
};

int json_parse(arena *a, const char *text, size_t n, json_value **out, char *err, size_t errlen);
/* The member of an object, or NULL. */
const json_value *json_get(const json_value *obj, const char *key);
/* The string member, or NULL if absent or not a string. */
const char *json_get_string(const json_value *obj, const char *key);

#endif
