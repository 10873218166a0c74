/*
 * export.h: tables as CSV and as XLSX spreadsheets, for the downloads of every list.
 *
 * Invariants:
 * - CSV follows RFC 4180 (CRLF, quotes doubled) and defuses cells that a spreadsheet would
 *   run as a formula (leading = + - @ get a quote mark), so an exported value never executes.
 * - XLSX is a minimal Office Open XML workbook of one sheet, written as a ZIP of stored
 *   (uncompressed) entries with CRC-32: no library, no temporary file. Cells are inline
 *   strings, except whole numbers, which are numbers. XML is escaped and characters XML
 *   cannot carry are dropped. Formulas are never written.
 */
#ifndef PONTE_EXPORT_H
#define PONTE_EXPORT_H

#include "base/buf.h"

int export_csv_field(buf *b, const char *s, bool last);
int export_csv_row(buf *b, const char *const *cells, size_t n);

typedef struct xlsx {
	buf sheet; /* the rows of sheet1.xml */
	size_t rows;
} xlsx;

void xlsx_init(xlsx *x, size_t max_bytes);
int xlsx_row(xlsx *x, const char *const *cells, size_t n);
/* Append the whole .xlsx file to out. */
int xlsx_finish(xlsx *x, const char *sheet_name, buf *out);
void xlsx_release(xlsx *x);

/* CRC-32 (ISO-HDLC, as ZIP uses). */
uint32_t export_crc32(const void *data, size_t n);

#endif
