/* libFuzzer: the PO catalogue parser and catalogue loading. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	if (i18n_load_catalogue(LANG_FR, (const char *)data, size, err, sizeof(err)) == 0) {
		/* Lookups work on whatever loaded. */
		(void)tr(LANG_FR, "Home");
		(void)trn(LANG_FR, "a", "b", 2);
	} else if (!err[0]) {
		abort();
	}
	i18n_shutdown();
	return 0;
}
