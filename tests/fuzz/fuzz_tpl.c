/*
 * libFuzzer: the template compiler and renderer. Any template either fails to compile with a
 * message, or renders; and a value full of markup never comes out as markup in text context.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"
#include "tpl/tpl.h"

static const tpl *no_partials(const char *name)
{
	(void)name;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tpl_set_partial_lookup(no_partials);
	arena a;
	arena_init(&a, 16 << 20);
	char err[256];
	tpl *t;
	if (tpl_compile(&a, "fuzz", (const char *)data, size, &t, err, sizeof(err)) == 0) {
		tpl_vars *v = tpl_vars_new(&a);
		const char *evil = "<script>\"'&</script>";
		tpl_set(v, "x", evil);
		tpl_set(v, "name", evil);
		tpl_set_bool(v, "yes", true);
		tpl_list *l = tpl_set_list(v, "items");
		tpl_set(tpl_list_add(l), "x", "javascript:alert(1)");
		tpl_set(tpl_list_add(l), "x", "\xFF\xFE");
		buf out;
		buf_init(&out, 8 << 20);
		tpl_render(t, v, LANG_EN, &out);
		/* The value must never come out raw, unless the template itself spells it out. */
		if (out.data && strstr(out.data, evil) && !memmem(data, size, evil, strlen(evil)))
			abort();
		buf_release(&out);
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	arena_release(&a);
	return 0;
}
