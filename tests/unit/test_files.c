/* Uploaded files: kinds by content, safe download names, keeping; and the export formats. */
#include "testutil.h"

#include <unistd.h>

#include "export/export.h"
#include "files/files.h"

static const char *kind(const char *bytes, size_t n)
{
	const file_kind *k = files_sniff((const unsigned char *)bytes, n);
	return k ? k->extension : "refused";
}

static void kinds_come_from_content_only(void **state)
{
	(void)state;
	assert_string_equal(kind("%PDF-1.4\n", 9), "pdf");
	assert_string_equal(kind("\x89PNG\r\n\x1a\n....", 12), "png");
	assert_string_equal(kind("\xFF\xD8\xFF\xE0", 4), "jpg");
	assert_string_equal(kind("GIF89a", 6), "gif");
	assert_string_equal(kind("RIFF\0\0\0\0WEBPVP8 ", 16), "webp");
	assert_string_equal(kind("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), "doc");
	/* Executables, scripts, markup, archives and near-misses are refused. */
	const char *refused[] = { "\x7f"
				  "ELF\x02",
				  "MZ\x90\x00",
				  "#!/bin/sh",
				  "<html>",
				  "<?xml",
				  "PK\x03\x04",
				  "%PD",
				  "",
				  "\xCA\xFE\xBA\xBE",
				  "{\\rtf1" };
	for (size_t i = 0; i < ARRAY_LEN(refused); i++)
		assert_string_equal(kind(refused[i], strlen(refused[i])), "refused");
	/* A spreadsheet as Ponte writes it is an XLSX; a plain zip is not an office file. */
	xlsx x;
	xlsx_init(&x, 1 << 20);
	const char *cells[] = { "a", "1" };
	xlsx_row(&x, cells, 2);
	buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(xlsx_finish(&x, "S", &b), 0);
	assert_string_equal(kind(b.data, b.len), "xlsx");
	/* An OpenDocument text: a stored "mimetype" entry first. */
	char odt[128] = "PK\x03\x04";
	memcpy(odt + 26, "\x08\x00\x00\x00", 4);
	memcpy(odt + 30, "mimetype", 8);
	memcpy(odt + 38, "application/vnd.oasis.opendocument.text", 39);
	assert_string_equal(kind(odt, 38 + 39), "odt");
	xlsx_release(&x);
	buf_release(&b);
}

static void download_names_are_safe(void **state)
{
	(void)state;
	const file_kind *pdf = files_sniff((const unsigned char *)"%PDF-", 5);
	const char *cases[][2] = {
		{ "Relatório final.pdf", "Relatório final.pdf" },
		{ "../../etc/passwd", "passwd.pdf" },
		{ "C:\\Users\\x\\evil.exe", "evil.pdf" },
		{ "quote\"semi;colon.doc", "quote_semi_colon.pdf" },
		{ "", "document.pdf" },
		{ ".hidden", ".hidden.pdf" },
		{ "line\r\nbreak.pdf", "line__break.pdf" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[256];
		files_download_name(cases[i][0], pdf, out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	char longname[400];
	memset(longname, 'a', 300);
	memcpy(longname + 300, ".pdf", 5);
	char out[256];
	files_download_name(longname, pdf, out, sizeof(out));
	assert_int_equal(strlen(out), 104);
}

static void kept_files_are_whole_and_named_by_chance(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *src = test_path(dir, "in.pdf");
	FILE *f = fopen(src, "wb");
	fputs("%PDF-1.4 hello", f);
	fclose(f);
	char a[FILES_NAME_LEN + 1], b[FILES_NAME_LEN + 1];
	assert_int_equal(files_keep(dir, src, a), 0);
	assert_int_equal(files_keep(dir, src, b), 0);
	assert_string_not_equal(a, b);
	int fd;
	uint64_t size;
	assert_int_equal(files_open(dir, a, &fd, &size), 0);
	assert_int_equal(size, 14);
	close(fd);
	/* Names that are not ours are never opened: no path tricks. */
	assert_int_equal(files_open(dir, "../in.pdf", &fd, &size), PONTE_ENOTFOUND);
	assert_int_equal(files_open(dir, "in.pdf", &fd, &size), PONTE_ENOTFOUND);
	assert_int_equal(files_remove(dir, a), 0);
	assert_int_equal(files_open(dir, a, &fd, &size), PONTE_ENOTFOUND);
	free(src);
	free(dir);
}

static void csv_and_xlsx_exports(void **state)
{
	(void)state;
	assert_int_equal(export_crc32("123456789", 9), 0xCBF43926u);
	buf b;
	buf_init(&b, 4096);
	const char *row[] = { "plain", "a,b", "say \"hi\"", "=HYPERLINK(\"x\")", "+351 21", "" };
	assert_int_equal(export_csv_row(&b, row, ARRAY_LEN(row)), 0);
	assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\","
				    "\"'+351 21\",\r\n");
	buf_release(&b);
	/* A tab or a carriage return before a formula is defused too; a download for people
	 * starts with the byte order mark, and an Arabic name goes through as it is. */
	buf_init(&b, 4096);
	const char *sly[] = { "\t=1+1", "\r=1+1", "@SUM(A1)", "-2+3",
			      "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF" };
	assert_int_equal(export_csv_begin(&b), 0);
	assert_int_equal(export_csv_row(&b, sly, ARRAY_LEN(sly)), 0);
	assert_string_equal(b.data, "\xEF\xBB\xBF\"'\t=1+1\",\"'\r=1+1\",\"'@SUM(A1)\",\"'-2+3\","
				    "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF\r\n");
	buf_release(&b);
	/* XML-unsafe text is escaped, control characters and bytes that are not UTF-8 dropped;
	 * below the header (text, bold), numbers are numbers, dates dates, percentages numbers
	 * with a percent format, and what does not read as its type stays text. */
	xlsx x;
	xlsx_init(&x, 1 << 16);
	const char *head[] = { "A", "42", "Date", "%" };
	const char *cells[] = { "<b>&\x01\xC3\xA9\xC3", "42", "2026-03-01", "0.125" };
	const char *odd[] = { "007", "<5", "2026-02-30", "12,5 %" };
	const xlsx_type types[] = { XLSX_TEXT, XLSX_NUMBER, XLSX_DATE, XLSX_PERCENT };
	assert_int_equal(xlsx_row_typed(&x, head, types, 4), 0);
	assert_int_equal(xlsx_row_typed(&x, cells, types, 4), 0);
	assert_int_equal(xlsx_row_typed(&x, odd, types, 4), 0);
	assert_non_null(strstr(x.sheet.data, "<c r=\"B1\" s=\"3\" t=\"inlineStr\">"));
	assert_non_null(
	    strstr(x.sheet.data, "<t xml:space=\"preserve\">&lt;b&gt;&amp;\xC3\xA9</t>"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"B2\"><v>42</v></c>"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"C2\" s=\"1\"><v>46082</v></c>"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"D2\" s=\"2\"><v>0.125</v></c>"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"A3\" t=\"inlineStr\">"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"B3\" t=\"inlineStr\">"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"C3\" t=\"inlineStr\">"));
	assert_non_null(strstr(x.sheet.data, "<c r=\"D3\" t=\"inlineStr\">"));
	/* The entries are deflated (method 8), their names UTF-8 (flag 0x0800). */
	buf file;
	buf_init(&file, 1 << 20);
	assert_int_equal(xlsx_finish(&x, "Victimes enregistrées par année [FR]", &file), 0);
	assert_non_null(memmem(file.data, file.len, "PK\x03\x04\x14\x00\x00\x08\x08\x00", 10));
	xlsx_release(&x);
	buf_release(&file);
}

/* A workbook of one sheet per table, read back as a spreadsheet would read it (python3's
 * zipfile): every entry whole (CRC-32 and sizes right), the sheets in order; names that
 * spreadsheets would take for the same (whatever the case, or equal once cut at 31
 * characters) are numbered. */
static void one_sheet_per_table(void **state)
{
	(void)state;
	xlsx t[4];
	xlsx *sheets[4];
	const char *names[] = { "Cases", "CASES", "year_by_country_of_exploitation_and_more",
				"year_by_country_of_exploitation_and_less" };
	for (size_t i = 0; i < 4; i++) {
		xlsx_init(&t[i], 1 << 16);
		sheets[i] = &t[i];
		const char *head[] = { "table", "count" }, *row[] = { names[i], "7" };
		assert_int_equal(xlsx_row(&t[i], head, 2), 0);
		assert_int_equal(xlsx_row(&t[i], row, 2), 0);
	}
	buf file;
	buf_init(&file, 1 << 20);
	assert_int_equal(xlsx_finish_book(sheets, names, 4, &file), 0);
	char path[] = "/tmp/ponte-test-book-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, file.data, file.len), (ssize_t)file.len);
	close(fd);
	char cmd[512], out[4096] = "";
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, zipfile, re; z = zipfile.ZipFile(sys.argv[1]); "
		 "print(z.testzip(), sorted(n for n in z.namelist() if n.startswith(\"xl/w\") and "
		 "n.count(chr(47)) == 2), re.findall(\"name=.([^\\x22]*)\", "
		 "z.read(\"xl/workbook.xml\").decode()))' %s",
		 path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_string_equal(out,
			    "None ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', "
			    "'xl/worksheets/sheet3.xml', 'xl/worksheets/sheet4.xml'] ['Cases', "
			    "'CASES (2)', 'year_by_country_of_exploitation', "
			    "'year_by_country_of_exploit (2)']\n");
	for (size_t i = 0; i < 4; i++)
		xlsx_release(&t[i]);
	buf_release(&file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_come_from_content_only),
		cmocka_unit_test(download_names_are_safe),
		cmocka_unit_test(kept_files_are_whole_and_named_by_chance),
		cmocka_unit_test(csv_and_xlsx_exports),
		cmocka_unit_test(one_sheet_per_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
