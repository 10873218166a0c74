#include "http/http.h"

unsigned http_method_from_name(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} methods[] = { { "GET", HTTP_GET },        { "HEAD", HTTP_HEAD },
			{ "POST", HTTP_POST },      { "PUT", HTTP_PUT },
			{ "PATCH", HTTP_PATCH },    { "DELETE", HTTP_DELETE },
			{ "OPTIONS", HTTP_OPTIONS } };
	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].bit;
	return 0;
}

void http_methods_format(unsigned mask, char *out, size_t outlen)
{
	static const char *names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (!(mask & (1u << i)))
			continue;
		int w = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= outlen - o)
			break;
		o += (size_t)w;
	}
}

/* The next segment of a path or pattern starting after a '/'. */
static const char *segment_end(const char *s)
{
	const char *e = strchr(s, '/');
	return e ? e : s + strlen(s);
}

static bool is_param(const char *seg, size_t n)
{
	return n >= 3 && seg[0] == '{' && seg[n - 1] == '}';
}

int http_routes_validate(const http_route *routes, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const http_route *r = &routes[i];
		if (!r->pattern || r->pattern[0] != '/') {
			snprintf(err, errlen, "route %zu: pattern must start with '/'", i);
			return PONTE_EINVAL;
		}
		if (!r->permission || !r->permission[0]) {
			snprintf(err, errlen, "route %s declares no permission (deny by default)",
				 r->pattern);
			return PONTE_EINVAL;
		}
		if (!r->handler || !r->methods) {
			snprintf(err, errlen, "route %s has no handler or method", r->pattern);
			return PONTE_EINVAL;
		}
		size_t params = 0;
		for (const char *p = r->pattern + 1;; p++) {
			const char *e = segment_end(p);
			if (is_param(p, (size_t)(e - p)))
				params++;
			if (!*e)
				break;
			p = e;
		}
		if (params > HTTP_MAX_PARAMS) {
			snprintf(err, errlen, "route %s has too many parameters", r->pattern);
			return PONTE_EINVAL;
		}
	}
	return 0;
}

/* Does path match pattern? Literal segments compare byte for byte with the raw path;
 * parameter segments are percent-decoded (a bad escape makes the whole path bad). */
static int match_one(arena *a, const char *pattern, const char *path, const char **params,
		     size_t *nparams)
{
	const char *p = pattern + 1, *q = path + 1;
	size_t np = 0;
	for (;;) {
		const char *pe = segment_end(p), *qe = segment_end(q);
		size_t plen = (size_t)(pe - p), qlen = (size_t)(qe - q);
		if (is_param(p, plen)) {
			if (qlen == 0)
				return 0;
			char *v = arena_alloc(a, qlen + 1);
			size_t vlen;
			if (!v || url_decode(q, qlen, false, v, &vlen) != 0 || memchr(v, '/', vlen))
				return -1;
			params[np++] = v;
		} else if (plen != qlen || memcmp(p, q, plen) != 0) {
			return 0;
		}
		if (!*pe || !*qe)
			break;
		p = pe + 1;
		q = qe + 1;
	}
	if (*segment_end(p) || *segment_end(q))
		return 0;
	*nparams = np;
	return 1;
}

enum route_match http_route_match(arena *a, const http_route *routes, size_t n, unsigned method,
				  const char *path, int *index, const char **params,
				  size_t *nparams, unsigned *allowed)
{
	if (!path || path[0] != '/')
		return ROUTE_BAD_PATH;
	unsigned allow = 0;
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		const char *tmp[HTTP_MAX_PARAMS];
		size_t ntmp = 0;
		int m = match_one(a, routes[i].pattern, path, tmp, &ntmp);
		if (m < 0) {
			bad = true;
			continue;
		}
		if (m == 0)
			continue;
		unsigned methods = routes[i].methods;
		if (methods & HTTP_GET)
			methods |= HTTP_HEAD;
		if (methods & method) {
			*index = (int)i;
			for (size_t k = 0; k < ntmp; k++)
				params[k] = tmp[k];
			*nparams = ntmp;
			return ROUTE_FOUND;
		}
		allow |= methods;
	}
	if (allow) {
		*allowed = allow;
		return ROUTE_METHOD_NOT_ALLOWED;
	}
	return bad ? ROUTE_BAD_PATH : ROUTE_NOT_FOUND;
}
