/* libFuzzer: query-string and form decoding (url_parse_params, url_decode) and re-encoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/urlcode.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a;
	arena_init(&a, 4 << 20);
	url_params p;
	if (url_parse_params(&a, (const char *)data, size, &URL_LIMITS_DEFAULT, &p) == 0) {
		for (size_t i = 0; i < p.count; i++) {
			/* Decoded values are valid UTF-8 without NUL, and round-trip through encoding. */
			if (!utf8_valid(p.items[i].value, p.items[i].value_len) ||
			    memchr(p.items[i].value, 0, p.items[i].value_len))
				abort();
			buf b;
			buf_init(&b, 1 << 20);
			if (url_encode_component(&b, p.items[i].value, p.items[i].value_len) == 0) {
				char *back = malloc(b.len + 1);
				size_t n;
				if (url_decode(b.data ? b.data : "", b.len, false, back, &n) != 0 ||
				    n != p.items[i].value_len ||
				    memcmp(back, p.items[i].value, n) != 0)
					abort();
				free(back);
			}
			buf_release(&b);
		}
	}
	arena_release(&a);
	return 0;
}
