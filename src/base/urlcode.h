/*
 * urlcode.h: percent-decoding of paths, query strings and form bodies, and percent-encoding.
 *
 * Invariants:
 * - Decoding is strict: a '%' not followed by two hex digits, a decoded NUL, or a result that
 *   is not valid UTF-8 is PONTE_EINVAL. Nothing half-decoded is ever returned.
 * - A decoded string is never longer than its source, so out needs n + 1 bytes.
 * - Parsed parameter lists live in the caller's arena and are bounded in count and size.
 */
#ifndef PONTE_URLCODE_H
#define PONTE_URLCODE_H

#include "base/arena.h"
#include "base/buf.h"

/* Decode s[0..n) into out (n + 1 bytes). plus_is_space for query and form encoding. */
int url_decode(const char *s, size_t n, bool plus_is_space, char *out, size_t *out_len);

typedef struct url_param {
	const char *key;
	const char *value;
	size_t value_len;
} url_param;

typedef struct url_params {
	url_param *items;
	size_t count;
} url_params;

typedef struct url_limits {
	size_t max_params; /* more parameters than this: PONTE_ELIMIT */
	size_t max_key;    /* longest key in bytes (encoded) */
	size_t max_value;  /* longest value in bytes (encoded) */
} url_limits;

extern const url_limits URL_LIMITS_DEFAULT;

/*
 * Parse "a=1&b=two" (application/x-www-form-urlencoded, also query strings). Empty pairs
 * ("a=1&&b=2") are skipped; a pair without '=' has an empty value.
 */
int url_parse_params(arena *a, const char *s, size_t n, const url_limits *lim, url_params *out);
/* The first value of key, or NULL. */
const char *url_params_get(const url_params *p, const char *key);

/* Percent-encode everything except RFC 3986 unreserved characters. */
int url_encode_component(buf *b, const char *s, size_t n);

#define URL_LOCAL_PATH_MAX 1024
/*
 * Whether s (already decoded from its form or query) may be the target of a redirect back
 * into this site, such as a `next` parameter: one '/' followed by anything but '/' or '\',
 * printable ASCII only (no space, control character or backslash anywhere), at most
 * URL_LOCAL_PATH_MAX bytes, and every percent-escape well formed and encoding neither a
 * control character, '/', '\' nor '%'. Browsers drop tabs and newlines from a URL and read
 * '\' as '/', so "/<tab>/host" or "/\host" would leave the site: anything that could turn
 * into "//host", whether written plainly or encoded once more, is refused.
 */
bool url_is_local_path(const char *s);

#endif
