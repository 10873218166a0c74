/* libFuzzer: search words typed by anyone become an FTS query, PostgreSQL tsquery text and
 * highlights. */
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
	/* PostgreSQL's: 'word':*BC joined by " & ", each word closed by its own quote (a quote
	 * inside doubled), valid UTF-8. */
	buf_init(&b, 1 << 16);
	if (kn_tsquery(s, true, "BC", &b) == 0 && b.len) {
		if (!utf8_valid(b.data, b.len))
			abort();
		for (size_t i = 0; i < b.len;) {
			if (b.data[i++] != '\'')
				abort();
			size_t start = i;
			while (i < b.len && !(b.data[i] == '\'' && b.data[i + 1] != '\'')) {
				if (b.data[i] == '\'' || b.data[i] == '\\')
					i++; /* '' or \\ */
				i++;
			}
			if (i == start || i >= b.len || strncmp(b.data + i, "':*BC", 5) != 0)
				abort();
			i += 5;
			if (i < b.len && strncmp(b.data + i, " & ", 3) != 0)
				abort();
			i += i < b.len ? 3 : 0;
		}
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
