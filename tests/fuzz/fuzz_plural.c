/* libFuzzer: the Plural-Forms rule of a language pack's header, parsed and evaluated (a
 * small bounded evaluator: nothing is ever run as code). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/plural.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plural_rule r;
	const char *why = NULL;
	int rc = plural_parse((const char *)data, size, &r, &why);
	if (rc == 0) {
		if (r.nplurals < 1 || r.nplurals > 6 || r.count > PLURAL_MAX_NODES)
			abort();
		static const unsigned long N[] = {
			0, 1, 2, 3, 11, 21, 101, 1000001, 4294967295UL, (unsigned long)-1
		};
		for (size_t i = 0; i < sizeof(N) / sizeof(N[0]); i++) {
			int form = plural_eval(&r, N[i]);
			if (form < 0 || form >= r.nplurals)
				abort();
		}
	} else if (!why) {
		abort(); /* a refusal always says why */
	}
	return 0;
}
