/* libFuzzer: query-string and form decoding (url_parse_params, url_decode), re-encoding, and
 * the local-path check of redirect targets (url_is_local_path). */
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
			/* A redirect target accepted as local stays local once a browser has dropped
			 * tabs and newlines and read '\\' as '/', and once decoded again. */
			const char *v = p.items[i].value;
			if (url_is_local_path(v)) {
				if (strpbrk(v, "\t\n\r\\") || v[1] == '/')
					abort();
				char *again = malloc(p.items[i].value_len + 1);
				size_t n;
				if (url_decode(v, p.items[i].value_len, false, again, &n) == 0 &&
				    (again[1] == '/' || again[1] == '\\' ||
				     strpbrk(again, "\t\n\r")))
					abort();
				free(again);
			}
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
