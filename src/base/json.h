/*
 * json.h: writing JSON text into a bounded buffer.
 *
 * Only writing: Ponte emits JSON for the API, logs and metrics. Strings are escaped so that
 * the output is valid JSON and safe inside HTML too ('<', '>', '&' and U+2028/9 become \u
 * escapes). Input strings must be valid UTF-8; invalid bytes are replaced by U+FFFD.
 */
#ifndef PONTE_JSON_H
#define PONTE_JSON_H

#include "base/buf.h"

/* Append s as a quoted JSON string. */
int json_string(buf *b, const char *s, size_t n);
int json_cstring(buf *b, const char *s);
/* Append "key":"value" with a leading comma when first is false. */
int json_field_str(buf *b, bool first, const char *key, const char *value);
int json_field_int(buf *b, bool first, const char *key, long long value);
/* Append ,"key":"value" for each of n pairs { key, value } (a NULL value: null): the text
 * members of a record, named in a table where its answer is written. */
int json_fields_str(buf *b, const char *const fields[][2], size_t n);
/* Append "key":"value", or "key":null when value is NULL or "": a date or time that is not
 * known is null in every answer, never "" (which no date format admits). */
int json_field_date(buf *b, bool first, const char *key, const char *value);
/* Append "key":["a","b"] from the comma-separated list csv ("" or NULL: []): code lists are
 * stored as "a,b" and answered as arrays, in every answer. */
int json_field_list(buf *b, bool first, const char *key, const char *csv);

#endif
