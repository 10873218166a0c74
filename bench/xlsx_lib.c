/* bench/xlsx_lib.c: libxlsxwriter's side of bench/xlsx_writers.c (see there). */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

/* The same values as export.h's xlsx_type, which this file cannot include (its names
 * would meet libxlsxwriter's). */
enum { T_NUMBER, T_TEXT, T_DATE, T_PERCENT };

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int bench_libxlsxwriter(const char *path, const char *const *head, size_t rows, size_t cols,
			const char *(*cell)(size_t row, size_t col, char *tmp), const int *types)
{
	lxw_workbook_options o = { .constant_memory = LXW_TRUE, .tmpdir = "/tmp" };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Cases");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	size_t width[64] = { 0 };
	char tmp[32];
	/* Widths first: in constant-memory mode rows go straight to the file, and 1.1.4 has no
	 * autofit, so the rows are walked twice. */
	for (size_t c = 0; c < cols; c++)
		width[c] = utf8_chars(head[c]);
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++) {
			size_t w = types[c] == T_DATE ? 10 : utf8_chars(cell(r, c, tmp));
			if (w > width[c])
				width[c] = w;
		}
	for (size_t c = 0; c < cols; c++) {
		double w = (double)width[c] + 2;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w < 8 ? 8 : w > 60 ? 60 : w,
				     NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t c = 0; c < cols; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], bold);
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++) {
			const char *v = cell(r, c, tmp);
			lxw_row_t row = (lxw_row_t)(r + 1);
			if (types[c] == T_NUMBER) {
				worksheet_write_number(ws, row, (lxw_col_t)c, strtod(v, NULL), NULL);
			} else if (types[c] == T_DATE) {
				lxw_datetime d = { atoi(v), atoi(v + 5), atoi(v + 8), 0, 0, 0 };
				worksheet_write_datetime(ws, row, (lxw_col_t)c, &d, date);
			} else {
				worksheet_write_string(ws, row, (lxw_col_t)c, v, NULL);
			}
		}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}
