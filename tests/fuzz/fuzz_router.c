/* libFuzzer: route matching and path-parameter decoding on arbitrary paths and methods. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Route tables give the trailing upload column only where true. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "http/http.h"

static int h(http_request *req, http_response *res)
{
	(void)req;
	(void)res;
	return 0;
}

static const http_route ROUTES[] = {
	{ HTTP_GET, "/", h, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET | HTTP_POST, "/cases/{id}", h, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/cases/{id}/notes/{note}", h, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/static/{hash}/{name}", h, PERM_PUBLIC, false, 0, false },
	{ HTTP_DELETE, "/api/v1/users/{id}", h, PERM_PUBLIC, false, 0, false },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned method = 1u << (data[0] % 7);
	char *path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	arena a;
	arena_init(&a, 1 << 20);
	int idx;
	const char *params[HTTP_MAX_PARAMS];
	size_t np = 0;
	unsigned allowed;
	enum route_match m = http_route_match(&a, ROUTES, sizeof(ROUTES) / sizeof(ROUTES[0]),
					      method, path, &idx, params, &np, &allowed);
	if (m == ROUTE_FOUND)
		for (size_t i = 0; i < np; i++)
			if (strlen(params[i]) > size)
				abort();
	arena_release(&a);
	free(path);
	return 0;
}
