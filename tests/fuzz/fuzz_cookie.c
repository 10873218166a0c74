/* libFuzzer: Cookie header parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = malloc(size + 1);
	memcpy(header, data, size);
	header[size] = '\0';
	arena a;
	arena_init(&a, 4 << 20);
	url_params p;
	if (http_parse_cookies(&a, header, &p) == 0)
		for (size_t i = 0; i < p.count; i++)
			if (!p.items[i].key[0] || strlen(p.items[i].value) != p.items[i].value_len)
				abort();
	arena_release(&a);
	free(header);
	return 0;
}
