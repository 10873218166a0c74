/*
 * csv.h: reading CSV files (RFC 4180 and what spreadsheets really write).
 *
 * Accepted: a UTF-8 byte order mark, CRLF or LF line ends (mixed too), quoted fields holding
 * commas, quotes ("" for one) and line breaks (kept as written), a quote inside an unquoted
 * field (kept), and a last line without a line end. Completely empty lines are skipped.
 *
 * Invariants:
 * - A record's fields are copied, unquoted, into the caller's arena, NUL-terminated; a field
 *   holding a NUL byte is an error, never a silent cut.
 * - Limits: CSV_MAX_FIELDS fields per record, CSV_MAX_FIELD bytes per field. Past them, or on
 *   text after a closing quote, or a quoted field that never ends, csv_next() fails with the physical line where the record started and a
 *   message (a msgid). Reading can go on with the next record after an error.
 * - UTF-8 validity is the caller's to check per field (it knows which column is which).
 */
#ifndef PONTE_CSV_H
#define PONTE_CSV_H

#include "base/arena.h"

#define CSV_MAX_FIELDS 256
#define CSV_MAX_FIELD (64u << 10)

typedef struct csv_reader {
	const char *p, *end;
	size_t line; /* the physical line the next record starts on (1-based) */
} csv_reader;

typedef struct csv_record {
	size_t line; /* where it started */
	size_t n;
	const char *fields[CSV_MAX_FIELDS];
	size_t lens[CSV_MAX_FIELDS];
} csv_record;

void csv_init(csv_reader *r, const char *data, size_t n);
/* 1: a record in rec; 0: the end; PONTE_EINVAL: a malformed record (*problem, a msgid, and
 * rec->line set), after which the reader stands at the next line. */
int csv_next(csv_reader *r, arena *a, csv_record *rec, const char **problem);
/* The separator a header line most likely uses (',' ';' '\t' '|'), from its first line. */
char csv_guess_separator(const char *data, size_t n);

#endif
