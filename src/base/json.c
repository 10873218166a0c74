#include "base/json.h"
#include "base/utf8.h"

int json_string(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int rc = buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			rc = buf_append(b, e, 2);
		} else if (c == '\n') {
			rc = buf_append(b, "\\n", 2);
		} else if (c == '\r') {
			rc = buf_append(b, "\\r", 2);
		} else if (c == '\t') {
			rc = buf_append(b, "\\t", 2);
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7F) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			rc = buf_append(b, e, 6);
		} else if (c < 0x80) {
			rc = buf_putc(b, (char)c);
		} else {
			/* Copy a whole valid sequence, or replace one bad byte with U+FFFD. */
			size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			if (len <= n - i && utf8_valid(s + i, len)) {
				if (len == 3 && c == 0xE2 && p[i + 1] == 0x80 &&
				    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))
					rc = buf_puts(b, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
				else
					rc = buf_append(b, s + i, len);
				i += len - 1;
			} else {
				rc = buf_append(b, "\xEF\xBF\xBD", 3);
			}
		}
	}
	if (!rc)
		rc = buf_putc(b, '"');
	return rc;
}

int json_cstring(buf *b, const char *s)
{
	return json_string(b, s, strlen(s));
}

int json_field_str(buf *b, bool first, const char *key, const char *value)
{
	int rc = first ? 0 : buf_putc(b, ',');
	if (!rc)
		rc = json_cstring(b, key);
	if (!rc)
		rc = buf_putc(b, ':');
	if (!rc)
		rc = value ? json_cstring(b, value) : buf_puts(b, "null");
	return rc;
}

int json_fields_str(buf *b, const char *const fields[][2], size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = json_field_str(b, false, fields[i][0], fields[i][1]);
	return rc;
}

int json_field_int(buf *b, bool first, const char *key, long long value)
{
	int rc = first ? 0 : buf_putc(b, ',');
	if (!rc)
		rc = json_cstring(b, key);
	if (!rc)
		rc = buf_printf(b, ":%lld", value);
	return rc;
}

int json_field_date(buf *b, bool first, const char *key, const char *value)
{
	return json_field_str(b, first, key, value && *value ? value : NULL);
}

int json_field_list(buf *b, bool first, const char *key, const char *csv)
{
	int rc = first ? 0 : buf_putc(b, ',');
	if (!rc)
		rc = json_cstring(b, key);
	if (!rc)
		rc = buf_puts(b, ":[");
	for (const char *s = csv; s && *s && !rc;) {
		size_t len = strcspn(s, ",");
		rc = s != csv ? buf_putc(b, ',') : 0;
		if (!rc)
			rc = json_string(b, s, len);
		s += len + (s[len] == ',');
	}
	return rc ? rc : buf_putc(b, ']');
}
