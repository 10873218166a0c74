/* libFuzzer: the canonical bytes of transnational envelopes, as opened from a peer. Whatever
 * parses must print back to exactly the same bytes (one encoding per envelope, so a signature
 * covers one meaning). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trm/trm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	trm_envelope e;
	if (trm_parse_canonical(text, size, &e) == 0) {
		buf out;
		buf_init(&out, size + 64);
		if (trm_canonical(&e, &out) || out.len != size || memcmp(out.data, data, size))
			abort();
		buf_release(&out);
	}
	free(text);
	return 0;
}
