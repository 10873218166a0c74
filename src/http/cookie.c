/*
 * Cookie header parsing (RFC 6265 section 5.4 syntax, leniently).
 *
 * Browsers send cookies set by every application on the same host, so a malformed pair from
 * someone else must not break Ponte: such pairs are skipped, not rejected. Limits bound the
 * work: at most 64 cookies and 4 KiB per value are kept.
 */
#include "base/utf8.h"
#include "http/http.h"

#define MAX_COOKIES 64
#define MAX_COOKIE_VALUE 4096

static bool token_char(char c)
{
	return c > 0x20 && c < 0x7F && !strchr("()<>@,;:\\\"/[]?={}", c);
}

int http_parse_cookies(arena *a, const char *header, url_params *out)
{
	out->items = NULL;
	out->count = 0;
	if (!header || !*header)
		return 0;
	url_param *items = arena_calloc(a, MAX_COOKIES, sizeof(*items));
	if (!items)
		return PONTE_ENOMEM;
	size_t count = 0;
	const char *p = header;
	while (*p && count < MAX_COOKIES) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *start = p;
		const char *end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		p = end;
		const char *eq = memchr(start, '=', (size_t)(end - start));
		if (!eq || eq == start)
			continue;
		bool ok = true;
		for (const char *k = start; k < eq; k++)
			ok = ok && token_char(*k);
		const char *v = eq + 1, *ve = end;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		size_t vlen = (size_t)(ve - v);
		if (!ok || vlen > MAX_COOKIE_VALUE || !utf8_valid_text(v, vlen) ||
		    memchr(v, '"', vlen))
			continue;
		items[count].key = arena_strndup(a, start, (size_t)(eq - start));
		items[count].value = arena_strndup(a, v, vlen);
		items[count].value_len = vlen;
		if (!items[count].key || !items[count].value)
			return PONTE_ENOMEM;
		count++;
	}
	out->items = items;
	out->count = count;
	return 0;
}
