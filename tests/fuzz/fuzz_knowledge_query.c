/* libFuzzer: search words typed by anyone become an FTS query and highlights. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "knowledge/knowledge.h"

static int piece(const char *s, size_t n, bool hit, void *ctx)
{
	size_t *total = ctx;
	if (n == 0 && hit)
		abort();
	(void)s;
	*total += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	buf b;
	buf_init(&b, 1 << 16);
	if (kn_fts_query(s, &b) == 0 && b.len) {
		/* Only quoted words, each followed by *, valid UTF-8. */
		if (!utf8_valid(b.data, b.len) || b.data[0] != '"' || b.data[b.len - 1] != '*')
			abort();
		size_t quotes = 0;
		for (size_t i = 0; i < b.len; i++)
			quotes += b.data[i] == '"';
		if (quotes % 2)
			abort();
	}
	buf_release(&b);
	/* The pieces of a highlight put back together are the text. */
	size_t total = 0;
	kn_highlight(s, s, piece, &total);
	if (total != strlen(s))
		abort();
	free(s);
	return 0;
}
