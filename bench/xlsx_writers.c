/*
 * bench/xlsx_writers.c: Ponte's XLSX writer (export/xlsx.c) against libxlsxwriter 1.1.4,
 * Debian 12's libxlsxwriter-dev, on the same rows in the same run.
 *
 * The rows are those of the largest download, the case list (14 columns: a number, names in
 * French and Arabic, dates, labels), at its cap of 20,000 cases and at 200,000 rows (the
 * size of a large observatory release). Both write what users get today: typed cells (numbers,
 * dates as dates), a bold header row kept in view, widths fitted to the widest cell.
 * libxlsxwriter 1.1.4 can only write to a named file (no memory buffer, no autofit), so its
 * time includes writing the file to /tmp; ours ends with the file in memory.
 *
 * Build and run: bash bench/xlsx.sh [runs]
 */
#include <time.h>

#include "base/utf8.h"
#include "export/export.h"

int bench_libxlsxwriter(const char *path, const char *const *head, size_t rows, size_t cols,
			const char *(*cell)(size_t row, size_t col, char *tmp),
			const int *types);

static const char *const HEAD[] = { "Case",        "First name",    "Family name", "Gender",
				    "Birth date",  "Estimated age", "Citizenship", "Status",
				    "Phase",       "Victim status", "Exploitation", "Organisation",
				    "Registered",  "Last change" };
static const xlsx_type TYPES[] = { XLSX_NUMBER, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_DATE,
				   XLSX_NUMBER, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT,
				   XLSX_TEXT,   XLSX_TEXT, XLSX_DATE, XLSX_DATE };

static const char *cell(size_t row, size_t col, char *tmp)
{
	static const char *const FIRST[] = { "Aïcha", "عائشة", "Hélène", "Fatoumata", "Zoë" };
	static const char *const LAST[] = { "Benkirane", "بن كيران", "Lefèvre", "Diallo",
					    "N'Guessan" };
	switch (col) {
	case 0: snprintf(tmp, 32, "%zu", row + 1); return tmp;
	case 1: return FIRST[row % 5];
	case 2: return LAST[(row / 5) % 5];
	case 3: return row % 3 ? "Femme" : "Homme";
	case 4: snprintf(tmp, 32, "19%02zu-%02zu-%02zu", 60 + row % 40, 1 + row % 12, 1 + row % 28); return tmp;
	case 5: snprintf(tmp, 32, "%zu", 14 + row % 50); return tmp;
	case 6: return row % 2 ? "NG" : "MA";
	case 7: return "Ouvert";
	case 8: return "Identification";
	case 9: return "Victime présumée";
	case 10: return "Exploitation sexuelle; travail forcé";
	case 11: return "ONG-NE-01";
	default: snprintf(tmp, 32, "2026-%02zu-%02zu", 1 + row % 12, 1 + row % 28); return tmp;
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double ours(size_t rows, size_t *bytes)
{
	double t0 = now_s();
	xlsx x;
	xlsx_init(&x, 1u << 30);
	buf out;
	buf_init(&out, 1u << 30);
	const char *cells[ARRAY_LEN(HEAD)];
	char tmp[ARRAY_LEN(HEAD)][32];
	int rc = xlsx_row(&x, HEAD, ARRAY_LEN(HEAD));
	for (size_t r = 0; r < rows && !rc; r++) {
		for (size_t c = 0; c < ARRAY_LEN(HEAD); c++)
			cells[c] = cell(r, c, tmp[c]);
		rc = xlsx_row_typed(&x, cells, TYPES, ARRAY_LEN(HEAD));
	}
	if (!rc)
		rc = xlsx_finish(&x, "Cases", &out);
	if (rc)
		exit(1);
	*bytes = out.len;
	FILE *f = fopen("/tmp/ponte-bench-ours.xlsx", "wb");
	if (f) {
		fwrite(out.data, 1, out.len, f);
		fclose(f);
	}
	xlsx_release(&x);
	buf_release(&out);
	return now_s() - t0;
}

static double library(size_t rows, size_t *bytes)
{
	double t0 = now_s();
	if (bench_libxlsxwriter("/tmp/ponte-bench-lib.xlsx", HEAD, rows, ARRAY_LEN(HEAD), cell,
				(const int *)TYPES))
		exit(1);
	double t = now_s() - t0;
	FILE *f = fopen("/tmp/ponte-bench-lib.xlsx", "rb");
	fseek(f, 0, SEEK_END);
	*bytes = (size_t)ftell(f);
	fclose(f);
	return t;
}

int main(void)
{
	static const size_t ROWS[] = { 20000, 200000 };
	for (size_t i = 0; i < ARRAY_LEN(ROWS); i++) {
		size_t b1, b2;
		double t1 = ours(ROWS[i], &b1), t2 = library(ROWS[i], &b2);
		printf("%zu\tours\t%.1f ms\t%zu\n", ROWS[i], t1 * 1e3, b1);
		printf("%zu\tlibxlsxwriter\t%.1f ms\t%zu\n", ROWS[i], t2 * 1e3, b2);
	}
	return 0;
}
