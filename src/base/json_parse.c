#include <math.h>

#include "base/json_parse.h"
#include "base/utf8.h"

struct parser {
	arena *a;
	const char *p, *start, *end;
	int depth;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *why)
{
	snprintf(ps->err, ps->errlen, "%s at byte %zu", why, (size_t)(ps->p - ps->start));
	return PONTE_EINVAL;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int parse_value(struct parser *ps, json_value **out);

static int hex4(struct parser *ps, unsigned *out)
{
	if (ps->end - ps->p < 4)
		return fail(ps, "short \\u escape");
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(ps, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int parse_string(struct parser *ps, const char **out, size_t *len)
{
	ps->p++; /* opening quote */
	const char *q = ps->p;
	while (q < ps->end && *q != '"')
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	/* Unescaped text is never longer than its source. */
	char *o = arena_alloc(ps->a, (size_t)(q - ps->p) + 1);
	if (!o)
		return PONTE_ENOMEM;
	size_t n = 0;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20)
			return fail(ps, "control character in string");
		if (c != '\\') {
			o[n++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		char e = *ps->p++;
		switch (e) {
		case '"': o[n++] = '"'; break;
		case '\\': o[n++] = '\\'; break;
		case '/': o[n++] = '/'; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u': {
			unsigned cp;
			int rc = hex4(ps, &cp);
			if (rc)
				return rc;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				unsigned lo;
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
					return fail(ps, "lone surrogate");
				ps->p += 2;
				if ((rc = hex4(ps, &lo)))
					return rc;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(ps, "lone surrogate");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return fail(ps, "lone surrogate");
			}
			if (cp == 0)
				return fail(ps, "NUL in string");
			n += put_utf8(o + n, cp);
			break;
		}
		default: return fail(ps, "bad escape");
		}
	}
	ps->p++; /* closing quote */
	o[n] = '\0';
	if (!utf8_valid(o, n))
		return fail(ps, "invalid UTF-8 in string");
	*out = o;
	*len = n;
	return 0;
}

static int parse_number(struct parser *ps, json_value *v)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end)
		return fail(ps, "bad number");
	if (*ps->p == '0') {
		ps->p++;
	} else if (*ps->p >= '1' && *ps->p <= '9') {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	} else {
		return fail(ps, "bad number");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "bad number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "bad number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v->type = JSON_NUMBER;
	v->string = arena_strndup(ps->a, s, (size_t)(ps->p - s));
	if (!v->string)
		return PONTE_ENOMEM;
	v->length = (size_t)(ps->p - s);
	v->number = strtod(v->string, NULL);
	if (!isfinite(v->number))
		return fail(ps, "number out of range");
	return 0;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "unexpected token");
	ps->p += n;
	return 0;
}

/* Grow a pointer array in the arena (doubling). */
static int push(arena *a, void ***items, size_t *n, size_t *cap, void *item)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void **more = arena_calloc(a, c, sizeof(*more));
		if (!more)
			return PONTE_ENOMEM;
		if (*n)
			memcpy(more, *items, *n * sizeof(*more));
		*items = more;
		*cap = c;
	}
	(*items)[(*n)++] = item;
	return 0;
}

static int parse_container(struct parser *ps, json_value *v, bool object)
{
	if (++ps->depth > JSON_MAX_DEPTH)
		return fail(ps, "nested too deeply");
	ps->p++;
	v->type = object ? JSON_OBJECT : JSON_ARRAY;
	size_t cap = 0, kcap = 0, kn = 0;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (object) {
			const char *key;
			size_t klen;
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a key");
			int rc = parse_string(ps, &key, &klen);
			if (rc)
				return rc;
			for (size_t i = 0; i < kn; i++)
				if (strcmp(v->keys[i], key) == 0)
					return fail(ps, "duplicate key");
			if (kn == kcap) {
				size_t c = kcap ? kcap * 2 : 8;
				const char **more = arena_calloc(ps->a, c, sizeof(*more));
				if (!more)
					return PONTE_ENOMEM;
				if (kn)
					memcpy(more, v->keys, kn * sizeof(*more));
				v->keys = more;
				kcap = c;
			}
			v->keys[kn++] = key;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		json_value *item;
		int rc = parse_value(ps, &item);
		if (rc)
			return rc;
		if ((rc = push(ps->a, (void ***)&v->items, &v->length, &cap, item)))
			return rc;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, json_value **out)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	json_value *v = arena_alloc(ps->a, sizeof(*v));
	if (!v)
		return PONTE_ENOMEM;
	*out = v;
	switch (*ps->p) {
	case '{': return parse_container(ps, v, true);
	case '[': return parse_container(ps, v, false);
	case '"': v->type = JSON_STRING; return parse_string(ps, &v->string, &v->length);
	case 't':
		v->type = JSON_BOOL;
		v->boolean = true;
		return literal(ps, "true");
	case 'f': v->type = JSON_BOOL; return literal(ps, "false");
	case 'n': v->type = JSON_NULL; return literal(ps, "null");
	default: return parse_number(ps, v);
	}
}

int json_parse(arena *a, const char *text, size_t n, json_value **out, char *err, size_t errlen)
{
	struct parser ps = {
		.a = a, .p = text, .start = text, .end = text + n, .err = err, .errlen = errlen
	};
	int rc = parse_value(&ps, out);
	if (rc)
		return rc;
	skip_ws(&ps);
	return ps.p == ps.end ? 0 : fail(&ps, "text after the value");
}

const json_value *json_get(const json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->length; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const char *json_get_string(const json_value *obj, const char *key)
{
	const json_value *v = json_get(obj, key);
	return v && v->type == JSON_STRING ? v->string : NULL;
}
