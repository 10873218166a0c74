/* libFuzzer: Accept-Language parsing and language negotiation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	int lang = i18n_from_accept_language(s);
	if (lang < -1 || lang >= LANG_COUNT)
		abort();
	lang = i18n_negotiate(NULL, s, s, s);
	if (lang < 0 || lang >= LANG_COUNT)
		abort();
	free(s);
	return 0;
}
