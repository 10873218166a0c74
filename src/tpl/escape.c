#include <strings.h>

#include "base/json.h"
#include "base/urlcode.h"
#include "base/utf8.h"
#include "tpl/escape.h"

/* Append s with invalid UTF-8 sequences replaced, calling emit for each valid byte run. */
static int append_valid(buf *b, const char *s, size_t n, int (*emit)(buf *, const char *, size_t))
{
	size_t i = 0, start = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) { /* most of a page: no call to check a byte that is always valid */
			i++;
			continue;
		}
		size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len > n - i || !utf8_valid(s + i, len)) {
			int rc = emit(b, s + start, i - start);
			if (!rc)
				rc = buf_append(b, "\xEF\xBF\xBD", 3);
			if (rc)
				return rc;
			i++;
			start = i;
			continue;
		}
		i += len;
	}
	return emit(b, s + start, i - start);
}

static int emit_html(buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = "\xEF\xBF\xBD"; break;
		default: continue;
		}
		int rc = buf_append(b, s + start, i - start);
		if (!rc)
			rc = buf_puts(b, rep);
		if (rc)
			return rc;
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

int escape_html(buf *b, const char *s, size_t n)
{
	return append_valid(b, s, n, emit_html);
}

/* A URL is safe when it has no scheme (relative) or one of the allowed schemes. */
static bool url_scheme_allowed(const char *s, size_t n)
{
	size_t i = 0;
	/* Browsers ignore leading spaces and control characters before the scheme. */
	while (i < n && (unsigned char)s[i] <= 0x20)
		i++;
	size_t start = i;
	for (; i < n; i++) {
		char c = s[i];
		if (c == ':') {
			size_t len = i - start;
			return (len == 4 && strncasecmp(s + start, "http", 4) == 0) ||
			       (len == 5 && strncasecmp(s + start, "https", 5) == 0) ||
			       (len == 6 && strncasecmp(s + start, "mailto", 6) == 0);
		}
		if (c == '/' || c == '?' || c == '#')
			return true;
	}
	return true;
}

static int emit_url(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		if (c <= 0x20 || c == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' ||
		    c == '`' || c == '\\') {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = buf_append(b, e, 3);
		} else if (c == '&') {
			rc = buf_puts(b, "&amp;");
		} else {
			rc = buf_putc(b, (char)c);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int escape_url(buf *b, const char *s, size_t n)
{
	if (!url_scheme_allowed(s, n))
		return buf_puts(b, "#invalid-url");
	return append_valid(b, s, n, emit_url);
}

int escape_url_part(buf *b, const char *s, size_t n)
{
	return url_encode_component(b, s, n);
}

int escape_js_string(buf *b, const char *s, size_t n)
{
	/* JSON string escaping already turns <, >, &, quotes and U+2028/9 into escapes. */
	int rc = json_string(b, s, n);
	if (rc)
		return rc;
	/* json_string leaves ' and / alone; neither can end a double-quoted string, and
	 * "</script" cannot appear because '<' is escaped. */
	return 0;
}
