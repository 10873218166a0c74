/*
 * export.h: tables as CSV and as XLSX spreadsheets, for the downloads of every list.
 *
 * Invariants:
 * - CSV follows RFC 4180 (CRLF, quotes doubled) and defuses cells that a spreadsheet would
 *   run as a formula (leading = + - @, tab or carriage return get a quote mark), so an
 *   exported value never executes. A file downloaded from a page, for people, starts with a
 *   UTF-8 byte order mark (export_csv_begin()), without which spreadsheet programs read
 *   Arabic names and accented words as another encoding; a file for programs (the API, the
 *   observatory's CTDC files) has none.
 * - XLSX is a minimal Office Open XML workbook, written as a ZIP of deflated entries with
 *   CRC-32 (zlib) in memory: no temporary file, and a sheet's rows are deflated where they
 *   are, never copied. One sheet per table (xlsx_finish_book(), at most XLSX_MAX_SHEETS):
 *   a download of several tables gives each its own sheet. The first row is the header: text, bold,
 *   kept in view. Below it each cell has a type (xlsx_type): numbers are numbers, dates are
 *   dates, percentages numbers shown with %, and what does not read as its type stays text.
 *   Columns are as wide as their widest cell; the styles hold the "Normal" cell style every
 *   spreadsheet expects. XML is escaped; characters XML cannot carry and bytes that are not
 *   UTF-8 are dropped. Formulas are never written.
 * - A sheet name is cut at 31 characters (never inside one) and loses []:*?/\ and apostrophes
 *   at either end, as spreadsheets require; a name met before in the workbook (whatever its
 *   case) is cut shorter and numbered, "name (2)".
 * - Checked (PONTE_CHECK): a row is not longer than XLSX_MAX_COLS, the sheet's buffer length
 *   within its capacity, a workbook has 1 to XLSX_MAX_SHEETS sheets.
 */
#ifndef PONTE_EXPORT_H
#define PONTE_EXPORT_H

#include "base/buf.h"

/* The byte order mark that starts a CSV file downloaded from a page. */
int export_csv_begin(buf *b);
int export_csv_field(buf *b, const char *s, bool last);
int export_csv_row(buf *b, const char *const *cells, size_t n);

/* What the cells of a column hold. */
typedef enum xlsx_type {
	XLSX_NUMBER, /* a decimal number ("12", "-3.5") is a number; other text ("<5") stays text */
	XLSX_TEXT,   /* always text: codes, names, phone numbers */
	XLSX_DATE,   /* "YYYY-MM-DD" (from 1 March 1900) is a date; other text stays text */
	XLSX_PERCENT, /* a fraction ("0.125") is a number shown as a percentage (12.5%) */
} xlsx_type;

#define XLSX_MAX_COLS (26 * 27) /* A .. ZZ */
#define XLSX_MAX_SHEETS 16

typedef struct xlsx {
	buf sheet; /* the rows of sheet1.xml */
	size_t rows;
	size_t ncols;
	uint16_t width[XLSX_MAX_COLS]; /* the widest cell of each column, in characters */
} xlsx;

void xlsx_init(xlsx *x, size_t max_bytes);
/* Append a row; types[i] is the type of cells[i] (NULL: every cell XLSX_NUMBER). The first
 * row is the header, text whatever the types. */
int xlsx_row_typed(xlsx *x, const char *const *cells, const xlsx_type *types, size_t n);
int xlsx_row(xlsx *x, const char *const *cells, size_t n);
/* Append the whole .xlsx file of one sheet to out. */
int xlsx_finish(xlsx *x, const char *sheet_name, buf *out);
/* Append a workbook of n sheets (1 to XLSX_MAX_SHEETS), in this order, named after names. */
int xlsx_finish_book(xlsx *const *sheets, const char *const *names, size_t n, buf *out);
void xlsx_release(xlsx *x);

/* CRC-32 (ISO-HDLC, as ZIP uses). */
uint32_t export_crc32(const void *data, size_t n);

#endif
