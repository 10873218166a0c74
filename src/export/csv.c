/* CSV cells and rows (RFC 4180), safe to open in a spreadsheet. */
#include "export/export.h"

int export_csv_begin(buf *b)
{
	return buf_puts(b, "\xEF\xBB\xBF");
}

/* Quoted when needed; what a spreadsheet would start a formula with (= + - @, and a tab or a
 * carriage return before one) is defused so spreadsheets do not run it. */
int export_csv_field(buf *b, const char *s, bool last)
{
	int rc = 0;
	bool formula = s[0] && strchr("=+-@\t\r", s[0]);
	if (strpbrk(s, ",\"\r\n") || formula) {
		rc = buf_putc(b, '"');
		if (!rc && formula)
			rc = buf_putc(b, '\'');
		for (const char *p = s; *p && !rc; p++)
			rc = *p == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *p);
		if (!rc)
			rc = buf_putc(b, '"');
	} else {
		rc = buf_puts(b, s);
	}
	return rc ? rc : buf_puts(b, last ? "\r\n" : ",");
}

int export_csv_row(buf *b, const char *const *cells, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = export_csv_field(b, cells[i] ? cells[i] : "", i + 1 == n);
	return rc;
}
