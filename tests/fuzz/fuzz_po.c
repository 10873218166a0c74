/* libFuzzer: the PO catalogue parser, catalogue loading, and the checks of a language pack
 * an administrator uploads (pack_validate: header fields, Plural-Forms, placeholders,
 * markup), then the pack built into the lookup table with its own plural rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"
#include "i18n/pack.h"

static int initialised;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	if (!initialised) {
		if (i18n_init(err, sizeof(err)) != 0)
			abort();
		initialised = 1;
	}
	/* The shipped Portuguese catalogue is replaced by the input (the French, Spanish and
	 * Arabic ones still say which texts are Ponte's). */
	if (i18n_load_catalogue(LANG_PT, (const char *)data, size, err, sizeof(err)) == 0) {
		(void)tr(LANG_PT, "Home");
		(void)trn(LANG_PT, "a", "b", 2);
	} else if (!err[0]) {
		abort();
	}

	arena a;
	arena_init(&a, 64u << 20);
	pack_report *r = arena_alloc(&a, sizeof(*r));
	if (r && pack_validate(&a, (const char *)data, size, NULL, r) == 0) {
		/* A pack that passes loads, and its lookups answer. */
		i18n_pack_src src = { r->lang, r->name, r->rtl, r->plural_forms, (const char *)data,
				      size };
		if (i18n_apply_packs(&src, 1, "fr", err, sizeof(err)) != 0)
			abort();
		int lang = i18n_lang_from_tag(r->lang, strlen(r->lang));
		if (lang < 0)
			abort();
		(void)tr(lang, "Home");
		for (unsigned long n = 0; n < 200; n += 7)
			(void)trn(lang, "in {n} day", "in {n} days", n);
		/* Tables replaced are kept for minutes (requests may hold their words): start
		 * afresh instead, so that a long run does not gather them. */
		i18n_shutdown();
		initialised = 0;
	} else if (r && r->nproblems == 0 && r->more_problems == 0) {
		abort(); /* a refusal always says why */
	}
	arena_release(&a);
	return 0;
}
