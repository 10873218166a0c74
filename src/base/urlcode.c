#include "base/urlcode.h"
#include "base/utf8.h"

const url_limits URL_LIMITS_DEFAULT = { .max_params = 256, .max_key = 256, .max_value = 65536 };

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(const char *s, size_t n, bool plus_is_space, char *out, size_t *out_len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (n - i < 3)
				return PONTE_EINVAL;
			int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return PONTE_EINVAL;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return PONTE_EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		return PONTE_EINVAL;
	*out_len = o;
	return 0;
}

static int decode_into_arena(arena *a, const char *s, size_t n, const char **out, size_t *len)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return PONTE_ENOMEM;
	int rc = url_decode(s, n, true, p, len);
	if (rc)
		return rc;
	*out = p;
	return 0;
}

int url_parse_params(arena *a, const char *s, size_t n, const url_limits *lim, url_params *out)
{
	out->items = NULL;
	out->count = 0;
	if (n == 0)
		return 0;
	/* Count pairs first so the array is allocated once. */
	size_t pairs = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '&')
			pairs++;
	if (pairs > lim->max_params * 2 + 16)
		return PONTE_ELIMIT;
	url_param *items = arena_calloc(a, pairs, sizeof(*items));
	if (!items)
		return PONTE_ENOMEM;
	size_t count = 0, start = 0;
	while (start <= n) {
		const char *amp = memchr(s + start, '&', n - start);
		size_t end = amp ? (size_t)(amp - s) : n;
		if (end > start) {
			if (count == lim->max_params)
				return PONTE_ELIMIT;
			const char *pair = s + start;
			size_t plen = end - start;
			const char *eq = memchr(pair, '=', plen);
			size_t klen = eq ? (size_t)(eq - pair) : plen;
			size_t vlen = eq ? plen - klen - 1 : 0;
			if (klen > lim->max_key || vlen > lim->max_value)
				return PONTE_ELIMIT;
			size_t dummy;
			int rc = decode_into_arena(a, pair, klen, &items[count].key, &dummy);
			if (rc)
				return rc;
			rc = decode_into_arena(a, eq ? eq + 1 : pair + plen, vlen,
					       &items[count].value, &items[count].value_len);
			if (rc)
				return rc;
			count++;
		}
		start = end + 1;
	}
	out->items = items;
	out->count = count;
	return 0;
}

const char *url_params_get(const url_params *p, const char *key)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].key, key) == 0)
			return p->items[i].value;
	return NULL;
}

int url_encode_component(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			rc = buf_putc(b, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = buf_append(b, enc, 3);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* A byte that must not appear in a local path, plainly or percent-encoded. */
static bool unsafe_in_path(unsigned char c, bool encoded)
{
	if (c < 0x20 || c == 0x7f || c == '\\')
		return true;
	if (encoded)
		return c == '/' || c == '%';
	return c == ' ' || c > 0x7e;
}

bool url_is_local_path(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return false;
	size_t n = strnlen(s, URL_LOCAL_PATH_MAX + 1);
	if (n > URL_LOCAL_PATH_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unsafe_in_path(c, false))
			return false;
		if (c != '%')
			continue;
		int hi = i + 2 < n ? hex_value(s[i + 1]) : -1,
		    lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || unsafe_in_path((unsigned char)(hi * 16 + lo), true))
			return false;
		i += 2;
	}
	return true;
}
