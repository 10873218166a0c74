/* libFuzzer: the JSON parser. Accepted text yields valid UTF-8 strings without NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_parse.h"
#include "base/utf8.h"

static void check(const json_value *v, int depth)
{
	if (depth > JSON_MAX_DEPTH + 1)
		abort();
	if (v->type == JSON_STRING &&
	    (!utf8_valid(v->string, v->length) || strlen(v->string) != v->length))
		abort();
	if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
		for (size_t i = 0; i < v->length; i++)
			check(v->items[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a;
	arena_init(&a, 64 << 20);
	json_value *v;
	char err[128] = "";
	if (json_parse(&a, (const char *)data, size, &v, err, sizeof(err)) == 0)
		check(v, 0);
	else if (!err[0] && a.used_total < (64u << 20) - 4096)
		abort();
	arena_release(&a);
	return 0;
}
