#include "base/embedded.h"
#include "tpl/tpl.h"

#define TEMPLATE_PREFIX "templates/"
#define MAX_TEMPLATES 128

static arena registry_mem;
static const tpl *templates[MAX_TEMPLATES];
static size_t template_count;

int tpl_registry_init(char *err, size_t errlen)
{
	tpl_registry_shutdown();
	arena_init(&registry_mem, 64u << 20);
	size_t plen = strlen(TEMPLATE_PREFIX);
	for (size_t i = 0; i < embedded_files_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		if (strncmp(f->name, TEMPLATE_PREFIX, plen) != 0)
			continue;
		if (template_count == MAX_TEMPLATES) {
			snprintf(err, errlen, "more than %d templates", MAX_TEMPLATES);
			return PONTE_ELIMIT;
		}
		/* "templates/home.html" is registered as "home". */
		const char *base = f->name + plen;
		const char *dot = strrchr(base, '.');
		char *name =
		    arena_strndup(&registry_mem, base, dot ? (size_t)(dot - base) : strlen(base));
		tpl *t;
		if (!name)
			return PONTE_ENOMEM;
		int rc = tpl_compile(&registry_mem, name, f->data, f->len, &t, err, errlen);
		if (rc)
			return rc;
		templates[template_count++] = t;
	}
	return 0;
}

void tpl_registry_shutdown(void)
{
	arena_release(&registry_mem);
	template_count = 0;
}

const tpl *tpl_get(const char *name)
{
	for (size_t i = 0; i < template_count; i++)
		if (strcmp(tpl_name(templates[i]), name) == 0)
			return templates[i];
	return NULL;
}
