/* A one-sheet XLSX workbook: Office Open XML parts in a ZIP of stored entries. */
#include <pthread.h>

#include "export/export.h"

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t export_crc32(const void *data, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, crc_init);
	const unsigned char *p = data;
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

void xlsx_init(xlsx *x, size_t max_bytes)
{
	buf_init(&x->sheet, max_bytes);
	x->rows = 0;
}

void xlsx_release(xlsx *x)
{
	buf_release(&x->sheet);
}

/* Text for XML: & < > " escaped; control characters other than tab and LF dropped. */
static int xml_text(buf *b, const char *s)
{
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
		switch (*p) {
		case '&': rc = buf_puts(b, "&amp;"); break;
		case '<': rc = buf_puts(b, "&lt;"); break;
		case '>': rc = buf_puts(b, "&gt;"); break;
		case '"': rc = buf_puts(b, "&quot;"); break;
		default:
			if (*p >= 0x20 || *p == '\t' || *p == '\n')
				rc = buf_putc(b, (char)*p);
		}
	}
	return rc;
}

static bool whole_number(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 15 || (s[0] == '0' && n > 1))
		return false;
	return strspn(s, "0123456789") == n;
}

/* "A", "B", ... "Z", "AA" */
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

int xlsx_row(xlsx *x, const char *const *cells, size_t n)
{
	x->rows++;
	int rc = buf_printf(&x->sheet, "<row r=\"%zu\">", x->rows);
	for (size_t i = 0; i < n && i < 26 * 27 && !rc; i++) {
		const char *v = cells[i] ? cells[i] : "";
		char col[4];
		column_name(i, col);
		if (whole_number(v)) {
			rc = buf_printf(&x->sheet, "<c r=\"%s%zu\"><v>%s</v></c>", col, x->rows, v);
			continue;
		}
		rc = buf_printf(&x->sheet,
				"<c r=\"%s%zu\" t=\"inlineStr\"><is><t xml:space=\"preserve\">",
				col, x->rows);
		if (!rc)
			rc = xml_text(&x->sheet, v);
		if (!rc)
			rc = buf_puts(&x->sheet, "</t></is></c>");
	}
	return rc ? rc : buf_puts(&x->sheet, "</row>");
}

struct entry {
	const char *name;
	const char *data;
	size_t len;
	uint32_t crc, offset;
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

/* 1 January 2026, 00:00, in MS-DOS form: the file is the same for the same data. */
#define DOS_TIME 0
#define DOS_DATE ((2026 - 1980) << 9 | 1 << 5 | 1)

static int zip(buf *out, struct entry *e, size_t n)
{
	size_t start = out->len;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		e[i].crc = export_crc32(e[i].data, e[i].len);
		e[i].offset = (uint32_t)(out->len - start);
		size_t name_len = strlen(e[i].name);
		rc = put32(out, 0x04034b50);
		rc = rc ? rc : put16(out, 20);     /* version needed */
		rc = rc ? rc : put16(out, 0x0800); /* names are UTF-8 */
		rc = rc ? rc : put16(out, 0);      /* stored */
		rc = rc ? rc : put16(out, DOS_TIME);
		rc = rc ? rc : put16(out, DOS_DATE);
		rc = rc ? rc : put32(out, e[i].crc);
		rc = rc ? rc : put32(out, (uint32_t)e[i].len);
		rc = rc ? rc : put32(out, (uint32_t)e[i].len);
		rc = rc ? rc : put16(out, (unsigned)name_len);
		rc = rc ? rc : put16(out, 0);
		rc = rc ? rc : buf_append(out, e[i].name, name_len);
		rc = rc ? rc : buf_append(out, e[i].data, e[i].len);
	}
	size_t dir = out->len - start;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t name_len = strlen(e[i].name);
		rc = put32(out, 0x02014b50);
		rc = rc ? rc : put16(out, 20); /* made by */
		rc = rc ? rc : put16(out, 20);
		rc = rc ? rc : put16(out, 0x0800);
		rc = rc ? rc : put16(out, 0);
		rc = rc ? rc : put16(out, DOS_TIME);
		rc = rc ? rc : put16(out, DOS_DATE);
		rc = rc ? rc : put32(out, e[i].crc);
		rc = rc ? rc : put32(out, (uint32_t)e[i].len);
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

static const char CONTENT_TYPES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    "<Override PartName=\"/xl/styles.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
    "</Types>";
static const char RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
static const char WORKBOOK_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/></Relationships>";
static const char STYLES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    "<fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>"
    "<borders count=\"1\"><border/></borders>"
    "<cellStyleXfs count=\"1\"><xf/></cellStyleXfs>"
    "<cellXfs count=\"1\"><xf/></cellXfs></styleSheet>";

int xlsx_finish(xlsx *x, const char *sheet_name, buf *out)
{
	buf workbook, sheet;
	buf_init(&workbook, 4096);
	buf_init(&sheet, x->sheet.max + 4096);
	int rc = buf_puts(&workbook,
			  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
			  "main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
			  "relationships\"><sheets><sheet name=\"");
	/* Sheet names: at most 31 characters, none of []:*?/\ */
	char name[32];
	size_t k = 0;
	for (const char *p = sheet_name; *p && k < 31; p++)
		if (!strchr("[]:*?/\\", *p))
			name[k++] = *p;
	name[k] = '\0';
	if (!rc)
		rc = xml_text(&workbook, k ? name : "Sheet1");
	if (!rc)
		rc = buf_puts(&workbook, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
	if (!rc)
		rc = buf_puts(&sheet,
			      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			      "<worksheet xmlns=\"http://schemas.openxmlformats.org/"
			      "spreadsheetml/2006/main\"><sheetData>");
	if (!rc && x->sheet.len)
		rc = buf_append(&sheet, x->sheet.data, x->sheet.len);
	if (!rc)
		rc = buf_puts(&sheet, "</sheetData></worksheet>");
	if (!rc) {
		struct entry e[] = {
			{ "[Content_Types].xml", CONTENT_TYPES, sizeof(CONTENT_TYPES) - 1, 0, 0 },
			{ "_rels/.rels", RELS, sizeof(RELS) - 1, 0, 0 },
			{ "xl/workbook.xml", workbook.data, workbook.len, 0, 0 },
			{ "xl/_rels/workbook.xml.rels", WORKBOOK_RELS, sizeof(WORKBOOK_RELS) - 1, 0,
			  0 },
			{ "xl/styles.xml", STYLES, sizeof(STYLES) - 1, 0, 0 },
			{ "xl/worksheets/sheet1.xml", sheet.data, sheet.len, 0, 0 },
		};
		rc = zip(out, e, ARRAY_LEN(e));
	}
	buf_release(&workbook);
	buf_release(&sheet);
	return rc;
}
