#include <strings.h>

#include "base/embedded.h"
#include "http/static.h"

static const struct embedded_file *find_asset(const char *name)
{
	char path[256];
	if (strchr(name, '/') || name[0] == '.' ||
	    (size_t)snprintf(path, sizeof(path), "static/%s", name) >= sizeof(path))
		return NULL;
	return embedded_find(path);
}

const char *static_url(arena *a, const char *name)
{
	const struct embedded_file *f = find_asset(name);
	return f ? arena_printf(a, "/static/%s/%s", f->hash, name) : NULL;
}

static const char *content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".json"))
		return "application/json";
	return "application/octet-stream";
}

int static_serve(http_request *req, http_response *res)
{
	const char *hash = req->params[0], *name = req->params[1];
	const struct embedded_file *f = find_asset(name);
	/* An old hash means an old page: it gets 404, never different content under its URL. */
	if (!f || strcmp(hash, f->hash) != 0)
		return PONTE_ENOTFOUND;
	res->cache = CACHE_IMMUTABLE;
	res->etag = arena_printf(req->arena, "\"%s\"", f->hash);
	if (!res->etag)
		return PONTE_ENOMEM;
	http_set_header(res, "ETag", res->etag);
	res->content_type = content_type(name);
	const char *inm = http_header_get(req, "If-None-Match");
	if (inm && strstr(inm, res->etag)) {
		res->status = 304;
		return 0;
	}
	return buf_append(&res->body, f->data, f->len);
}
