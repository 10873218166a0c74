/* XLSX workbooks: Office Open XML parts in a ZIP of deflated entries. */
#include <strings.h>
#define ZLIB_CONST
#include <zlib.h>

#include "base/utf8.h"
#include "export/export.h"

uint32_t export_crc32(const void *data, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	const Bytef *p = data;
	/* zlib takes a uInt length: feed a large buffer in steps. */
	while (n > 0) {
		uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, step);
		p += step;
		n -= step;
	}
	return (uint32_t)c;
}

void xlsx_init(xlsx *x, size_t max_bytes)
{
	buf_init(&x->sheet, max_bytes);
	x->rows = 0;
	x->ncols = 0;
	memset(x->width, 0, sizeof(x->width));
}

void xlsx_release(xlsx *x)
{
	buf_release(&x->sheet);
}

/* The style of a cell: indexes into cellXfs of STYLES. */
enum { STYLE_NORMAL, STYLE_DATE, STYLE_PERCENT, STYLE_HEADER };

/* Text for XML: & < > " escaped; what XML 1.0 cannot carry (control characters other than tab
 * and LF, U+FFFE, U+FFFF) and bytes that are not UTF-8 are dropped, so that a reader never
 * meets a byte it must refuse. */
static int xml_text(buf *b, const char *s)
{
	int rc = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && !rc) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
		size_t have = strnlen((const char *)p, n);
		if (n > 1 && (have < n || !utf8_valid((const char *)p, n) ||
			      (n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE))) {
			p++; /* not a character: skip the byte */
			continue;
		}
		switch (*p) {
		case '&': rc = buf_puts(b, "&amp;"); break;
		case '<': rc = buf_puts(b, "&lt;"); break;
		case '>': rc = buf_puts(b, "&gt;"); break;
		case '"': rc = buf_puts(b, "&quot;"); break;
		default:
			if (n > 1 || *p >= 0x20 || *p == '\t' || *p == '\n')
				rc = buf_append(b, p, n);
		}
		p += n;
	}
	return rc;
}

/* A decimal number a spreadsheet reads back exactly: an optional minus, an integer part without
 * leading zeros, an optional fraction; at most 15 significant digits. */
static bool decimal_number(const char *s)
{
	const char *p = s + (*s == '-');
	size_t whole = strspn(p, "0123456789");
	if (!whole || (p[0] == '0' && whole > 1))
		return false;
	size_t frac = 0;
	if (p[whole] == '.') {
		frac = strspn(p + whole + 1, "0123456789");
		if (!frac)
			return false;
	}
	return p[whole + (frac ? frac + 1 : 0)] == '\0' && whole + frac <= 15;
}

/* The serial number of a date "YYYY-MM-DD" (days since 30 December 1899, as spreadsheets
 * count from 1 March 1900), or -1 when s is not a date from then to 9999. */
static long date_serial(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
	    strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2)
		return -1;
	long y = strtol(s, NULL, 10), m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
	static const int DAYS[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > DAYS[m - 1] + (m == 2 && leap))
		return -1;
	if (y < 1900 || (y == 1900 && m < 3))
		return -1;
	/* Days from civil (H. Hinnant), from 1970-01-01; 25569 is that day's serial. */
	long yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 + 25569;
}

/* "A", "B", ... "Z", "AA" .. "ZZ" */
static void column_name(size_t col, char out[4])
{
	if (col < 26) {
		out[0] = (char)('A' + col);
		out[1] = '\0';
	} else {
		out[0] = (char)('A' + col / 26 - 1);
		out[1] = (char)('A' + col % 26);
		out[2] = '\0';
	}
}

static void note_width(xlsx *x, size_t col, size_t chars)
{
	if (col >= x->ncols)
		x->ncols = col + 1;
	if (chars > x->width[col])
		x->width[col] = (uint16_t)(chars > 255 ? 255 : chars);
}

static int cell(xlsx *x, size_t col, const char *v, xlsx_type type)
{
	char ref[24], name[4];
	column_name(col, name);
	snprintf(ref, sizeof(ref), "%s%zu", name, x->rows);
	if (x->rows == 1) /* the header */
		type = XLSX_TEXT;
	if (type == XLSX_NUMBER && decimal_number(v)) {
		note_width(x, col, strlen(v));
		return buf_printf(&x->sheet, "<c r=\"%s\"><v>%s</v></c>", ref, v);
	}
	if (type == XLSX_PERCENT && decimal_number(v)) {
		note_width(x, col, 7); /* "100.0%" */
		return buf_printf(&x->sheet, "<c r=\"%s\" s=\"%d\"><v>%s</v></c>", ref,
				  STYLE_PERCENT, v);
	}
	long serial = type == XLSX_DATE ? date_serial(v) : -1;
	if (serial >= 0) {
		note_width(x, col, 10);
		return buf_printf(&x->sheet, "<c r=\"%s\" s=\"%d\"><v>%ld</v></c>", ref, STYLE_DATE,
				  serial);
	}
	if (!*v)
		return 0; /* an empty cell is no cell */
	note_width(x, col, utf8_length(v, strlen(v)));
	int rc = x->rows == 1 ? buf_printf(&x->sheet, "<c r=\"%s\" s=\"%d\" t=\"inlineStr\">", ref,
					   STYLE_HEADER)
			      : buf_printf(&x->sheet, "<c r=\"%s\" t=\"inlineStr\">", ref);
	if (!rc)
		rc = buf_puts(&x->sheet, "<is><t xml:space=\"preserve\">");
	if (!rc)
		rc = xml_text(&x->sheet, v);
	return rc ? rc : buf_puts(&x->sheet, "</t></is></c>");
}

int xlsx_row_typed(xlsx *x, const char *const *cells, const xlsx_type *types, size_t n)
{
	PONTE_CHECK(x && (cells || n == 0) && n <= XLSX_MAX_COLS);
	PONTE_CHECK(x->sheet.len <= x->sheet.cap);
	x->rows++;
	int rc = buf_printf(&x->sheet, "<row r=\"%zu\">", x->rows);
	for (size_t i = 0; i < n && i < XLSX_MAX_COLS && !rc; i++)
		rc = cell(x, i, cells[i] ? cells[i] : "", types ? types[i] : XLSX_NUMBER);
	return rc ? rc : buf_puts(&x->sheet, "</row>");
}

int xlsx_row(xlsx *x, const char *const *cells, size_t n)
{
	return xlsx_row_typed(x, cells, NULL, n);
}

/* ---- the ZIP ---- */

/* An entry's data is up to three pieces written one after the other (a sheet's head, its
 * rows, its tail), so that the rows are deflated where they are, never copied. */
struct piece {
	const char *data;
	size_t len;
};

struct entry {
	const char *name;
	struct piece part[3];
	size_t len;
	uint32_t crc, offset, compressed;
};

static int put16(buf *b, unsigned v)
{
	char c[2] = { (char)(v & 0xFF), (char)((v >> 8) & 0xFF) };
	return buf_append(b, c, 2);
}

static int put32(buf *b, uint32_t v)
{
	char c[4] = { (char)(v & 0xFF), (char)((v >> 8) & 0xFF), (char)((v >> 16) & 0xFF),
		      (char)((v >> 24) & 0xFF) };
	return buf_append(b, c, 4);
}

static void patch32(buf *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->data[at + (size_t)i] = (char)((v >> (8 * i)) & 0xFF);
}

/* Raw deflate (RFC 1951, as ZIP method 8) of the entry's pieces, appended to out in steps;
 * its CRC-32 and length on the way. */
static int deflate_into(buf *out, struct entry *e)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return PONTE_ENOMEM;
	size_t start = out->len;
	uLong crc = crc32(0L, Z_NULL, 0);
	e->len = 0;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(e->part) && !rc; i++) {
		const struct piece *p = &e->part[i];
		bool last = i + 1 == ARRAY_LEN(e->part);
		if (p->len > UINT32_MAX / 2 - e->len) {
			rc = PONTE_ELIMIT; /* ZIP without its 64-bit extension */
			break;
		}
		if (p->len) {
			crc = crc32(crc, (const Bytef *)p->data, (uInt)p->len);
			e->len += p->len;
		}
		z.next_in = (const Bytef *)(p->data ? p->data : "");
		z.avail_in = (uInt)p->len;
		int zr = Z_OK;
		/* Until this piece is taken in (and, after the last, the stream is finished). */
		while (!rc && (last ? zr != Z_STREAM_END : z.avail_in > 0)) {
			if ((rc = buf_reserve(out, 1u << 16)))
				break;
			size_t room = out->cap - out->len - 1;
			z.next_out = (Bytef *)out->data + out->len;
			z.avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
			zr = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
			out->len = (size_t)((char *)z.next_out - out->data);
			out->data[out->len] = '\0';
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				rc = PONTE_EIO;
		}
	}
	deflateEnd(&z);
	e->crc = (uint32_t)crc;
	e->compressed = (uint32_t)(out->len - start);
	return rc;
}

/* 1 January 2026, 00:00, in MS-DOS form: the file is the same for the same data. */
#define DOS_TIME 0
#define DOS_DATE ((2026 - 1980) << 9 | 1 << 5 | 1)
#define ZIP_UTF8 0x0800
#define ZIP_DEFLATE 8

static int zip(buf *out, struct entry *e, size_t n)
{
	size_t start = out->len;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		e[i].offset = (uint32_t)(out->len - start);
		size_t name_len = strlen(e[i].name), sums = out->len + 14;
		rc = put32(out, 0x04034b50);
		rc = rc ? rc : put16(out, 20); /* version needed: deflate */
		rc = rc ? rc : put16(out, ZIP_UTF8);
		rc = rc ? rc : put16(out, ZIP_DEFLATE);
		rc = rc ? rc : put16(out, DOS_TIME);
		rc = rc ? rc : put16(out, DOS_DATE);
		rc = rc ? rc : put32(out, 0); /* CRC-32, compressed and plain sizes, once known */
		rc = rc ? rc : put32(out, 0);
		rc = rc ? rc : put32(out, 0);
		rc = rc ? rc : put16(out, (unsigned)name_len);
		rc = rc ? rc : put16(out, 0);
		rc = rc ? rc : buf_append(out, e[i].name, name_len);
		rc = rc ? rc : deflate_into(out, &e[i]);
		if (!rc) {
			patch32(out, sums, e[i].crc);
			patch32(out, sums + 4, e[i].compressed);
			patch32(out, sums + 8, (uint32_t)e[i].len);
		}
	}
	size_t dir = out->len - start;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t name_len = strlen(e[i].name);
		rc = put32(out, 0x02014b50);
		rc = rc ? rc : put16(out, 20); /* made by */
		rc = rc ? rc : put16(out, 20);
		rc = rc ? rc : put16(out, ZIP_UTF8);
		rc = rc ? rc : put16(out, ZIP_DEFLATE);
		rc = rc ? rc : put16(out, DOS_TIME);
		rc = rc ? rc : put16(out, DOS_DATE);
		rc = rc ? rc : put32(out, e[i].crc);
		rc = rc ? rc : put32(out, e[i].compressed);
		rc = rc ? rc : put32(out, (uint32_t)e[i].len);
		rc = rc ? rc : put16(out, (unsigned)name_len);
		rc = rc ? rc : put16(out, 0); /* extra */
		rc = rc ? rc : put16(out, 0); /* comment */
		rc = rc ? rc : put16(out, 0); /* disk */
		rc = rc ? rc : put16(out, 0); /* internal attributes */
		rc = rc ? rc : put32(out, 0); /* external attributes */
		rc = rc ? rc : put32(out, e[i].offset);
		rc = rc ? rc : buf_append(out, e[i].name, name_len);
	}
	size_t dir_len = out->len - start - dir;
	rc = rc ? rc : put32(out, 0x06054b50);
	rc = rc ? rc : put16(out, 0);
	rc = rc ? rc : put16(out, 0);
	rc = rc ? rc : put16(out, (unsigned)n);
	rc = rc ? rc : put16(out, (unsigned)n);
	rc = rc ? rc : put32(out, (uint32_t)dir_len);
	rc = rc ? rc : put32(out, (uint32_t)dir);
	return rc ? rc : put16(out, 0);
}

/* ---- the parts ---- */

static const char RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
/* The cell formats, in the order of the STYLE_* indexes: normal, date (ISO 8601, readable in
 * every language), percentage with one decimal, header (bold); and the "Normal" cell style
 * every spreadsheet expects. */
static const char STYLES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.0%\"/></numFmts>"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>"
    "</cellStyleXfs>"
    "<cellXfs count=\"4\">"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
    "</cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
    "</cellStyles></styleSheet>";

/* A sheet name spreadsheets accept: none of []:*?/\, no apostrophe at either end, at most 31
 * characters (characters, not bytes: a cut never splits one); "Sheet<i>" when nothing is
 * left. cap is at least 128. */
static void sheet_name(const char *in, size_t i, char *out, size_t cap)
{
	size_t k = 0;
	for (const char *p = in ? in : ""; *p && k + 1 < cap; p++)
		if (!strchr("[]:*?/\\", *p))
			out[k++] = *p;
	out[k] = '\0';
	size_t start = 0;
	while (out[start] == '\'')
		start++;
	memmove(out, out + start, k - start + 1);
	k = utf8_prefix(out, k - start, 31);
	while (k > 0 && out[k - 1] == '\'')
		k--;
	out[k] = '\0';
	if (!k)
		snprintf(out, cap, "Sheet%zu", i + 1);
}

/* Spreadsheets refuse two sheets of one name, whatever their case: a later one is cut to 27
 * characters and numbered, "name (2)". */
static void sheet_name_unique(char names[][128], size_t i)
{
	for (unsigned n = 2;; n++) {
		bool taken = false;
		for (size_t j = 0; j < i && !taken; j++)
			taken = strcasecmp(names[j], names[i]) == 0;
		if (!taken)
			return;
		size_t k = utf8_prefix(names[i], strlen(names[i]), 26);
		while (k > 0 && names[i][k - 1] == '\'')
			k--;
		char *cut = names[i] + k;
		char *open = strstr(names[i], " (");
		if (open && n > 2)
			cut = open; /* renumber rather than stack numbers */
		snprintf(cut, (size_t)(names[i] + 128 - cut), " (%u)", n);
	}
}

/* What comes before a sheet's rows: the header stays in view, each column as wide as its
 * widest cell (in characters, with a margin, within reason). */
static int worksheet_head(const xlsx *x, buf *head)
{
	int rc = buf_puts(head, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				"<worksheet xmlns=\"http://schemas.openxmlformats.org/"
				"spreadsheetml/2006/main\">");
	if (!rc && x->rows > 1)
		rc =
		    buf_puts(head, "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" "
				   "topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
				   "</sheetView></sheetViews>");
	if (!rc && x->ncols)
		rc = buf_puts(head, "<cols>");
	for (size_t i = 0; i < x->ncols && !rc; i++) {
		size_t w = x->width[i] + 2;
		rc = buf_printf(head,
				"<col min=\"%zu\" max=\"%zu\" width=\"%zu\" customWidth=\"1\"/>",
				i + 1, i + 1,
				w < 8    ? 8
				: w > 60 ? 60
					 : w);
	}
	if (!rc && x->ncols)
		rc = buf_puts(head, "</cols>");
	return rc ? rc : buf_puts(head, "<sheetData>");
}

static const char WORKSHEET_TAIL[] = "</sheetData></worksheet>";

/* The parts that name the sheets: [Content_Types].xml, the workbook and its relationships. */
static int workbook_parts(char names[][128], size_t n, buf *types, buf *book, buf *rels)
{
	int rc = buf_puts(
	    types, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		   "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		   "<Default Extension=\"rels\" "
		   "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		   "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		   "<Override PartName=\"/xl/workbook.xml\" "
		   "ContentType=\"application/"
		   "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
		   "<Override PartName=\"/xl/styles.xml\" "
		   "ContentType=\"application/"
		   "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
	if (!rc)
		rc =
		    buf_puts(book, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				   "<workbook xmlns=\"http://schemas.openxmlformats.org/"
				   "spreadsheetml/2006/main\" xmlns:r=\"http://"
				   "schemas.openxmlformats.org/officeDocument/2006/relationships\">"
				   "<bookViews><workbookView/></bookViews><sheets>");
	if (!rc)
		rc = buf_puts(
		    rels, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
			  "2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"
			  "schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
			  "Target=\"styles.xml\"/>");
	for (size_t i = 0; i < n && !rc; i++) {
		rc = buf_printf(types,
				"<Override PartName=\"/xl/worksheets/sheet%zu.xml\" "
				"ContentType=\"application/vnd.openxmlformats-officedocument."
				"spreadsheetml.worksheet+xml\"/>",
				i + 1);
		if (!rc)
			rc = buf_puts(book, "<sheet name=\"");
		if (!rc)
			rc = xml_text(book, names[i]);
		if (!rc)
			rc = buf_printf(book, "\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", i + 1, i + 2);
		if (!rc)
			rc = buf_printf(
			    rels,
			    "<Relationship Id=\"rId%zu\" Type=\"http://"
			    "schemas.openxmlformats.org/officeDocument/2006/"
			    "relationships/worksheet\" Target=\"worksheets/sheet%zu.xml\"/>",
			    i + 2, i + 1);
	}
	if (!rc)
		rc = buf_puts(types, "</Types>");
	if (!rc)
		rc = buf_puts(book, "</sheets></workbook>");
	return rc ? rc : buf_puts(rels, "</Relationships>");
}

int xlsx_finish_book(xlsx *const *sheets, const char *const *names, size_t n, buf *out)
{
	PONTE_CHECK(n >= 1 && n <= XLSX_MAX_SHEETS);
	char title[XLSX_MAX_SHEETS][128], part[XLSX_MAX_SHEETS][40];
	buf types, book, rels, head[XLSX_MAX_SHEETS];
	buf_init(&types, 64u << 10);
	buf_init(&book, 64u << 10);
	buf_init(&rels, 64u << 10);
	struct entry e[5 + XLSX_MAX_SHEETS];
	memset(e, 0, sizeof(e));
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		buf_init(&head[i], 1u << 20);
		snprintf(part[i], sizeof(part[i]), "xl/worksheets/sheet%zu.xml", i + 1);
		sheet_name(names[i], i, title[i], sizeof(title[i]));
		sheet_name_unique(title, i);
		if (!rc)
			rc = worksheet_head(sheets[i], &head[i]);
	}
	if (!rc)
		rc = workbook_parts(title, n, &types, &book, &rels);
	if (!rc) {
		e[0] = (struct entry){ .name = "[Content_Types].xml",
				       .part = { { types.data, types.len } } };
		e[1] =
		    (struct entry){ .name = "_rels/.rels", .part = { { RELS, sizeof(RELS) - 1 } } };
		e[2] = (struct entry){ .name = "xl/workbook.xml",
				       .part = { { book.data, book.len } } };
		e[3] = (struct entry){ .name = "xl/_rels/workbook.xml.rels",
				       .part = { { rels.data, rels.len } } };
		e[4] = (struct entry){ .name = "xl/styles.xml",
				       .part = { { STYLES, sizeof(STYLES) - 1 } } };
		for (size_t i = 0; i < n; i++)
			e[5 + i] = (struct entry){
				.name = part[i],
				.part = { { head[i].data, head[i].len },
					  { sheets[i]->sheet.data, sheets[i]->sheet.len },
					  { WORKSHEET_TAIL, sizeof(WORKSHEET_TAIL) - 1 } }
			};
		rc = zip(out, e, 5 + n);
	}
	for (size_t i = 0; i < n; i++)
		buf_release(&head[i]);
	buf_release(&types);
	buf_release(&book);
	buf_release(&rels);
	return rc;
}

int xlsx_finish(xlsx *x, const char *name, buf *out)
{
	return xlsx_finish_book(&x, &name, 1, out);
}
