/* The embedded country outlines, parsed once, drawn as SVG. */
#include <pthread.h>

#include "base/embedded.h"
#include "i18n/format.h"
#include "map/map.h"
#include "tpl/escape.h"

#define MAX_COUNTRIES 300

struct outline {
	char code[3];
	const char *name, *path; /* into the embedded file */
	size_t name_len, path_len;
};

static struct outline outlines[MAX_COUNTRIES];
static size_t noutlines;
static int width, height;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool path_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("MLZ0123456789.- ", s[i]))
			return false;
	return true;
}

/* "CC\tname\tpath" lines after "viewBox\tW\tH"; a malformed line is skipped. */
static void load(void)
{
	const struct embedded_file *f = embedded_find("data/map.txt");
	if (!f)
		return;
	const char *p = (const char *)f->data, *end = p + f->len;
	if (sscanf(p, "viewBox\t%d\t%d", &width, &height) != 2)
		return;
	while (p < end && noutlines < MAX_COUNTRIES) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *t1 = memchr(p, '\t', (size_t)(eol - p));
		const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1)) : NULL;
		if (t1 && t2 && t1 - p == 2 && path_safe(t2 + 1, (size_t)(eol - t2 - 1))) {
			struct outline *o = &outlines[noutlines++];
			memcpy(o->code, p, 2);
			o->code[2] = '\0';
			o->name = t1 + 1;
			o->name_len = (size_t)(t2 - t1 - 1);
			o->path = t2 + 1;
			o->path_len = (size_t)(eol - t2 - 1);
		}
		p = eol + 1;
	}
}

bool map_has_country(const char *country)
{
	pthread_once(&once, load);
	for (size_t i = 0; i < noutlines; i++)
		if (strcmp(outlines[i].code, country) == 0)
			return true;
	return false;
}

static const map_area *area_of(const map_area *areas, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (areas[i].country && strcmp(areas[i].country, code) == 0)
			return &areas[i];
	return NULL;
}

int map_svg(buf *out, const char *id, const char *title, const char *desc, const map_area *areas,
	    size_t n, map_name_fn name_of, const void *ctx, int lang)
{
	pthread_once(&once, load);
	if (!noutlines)
		return PONTE_ENOTFOUND;
	int rc = buf_printf(out,
			    "<svg class=\"map\" viewBox=\"0 0 %d %d\" role=\"img\" "
			    "aria-labelledby=\"%s-t %s-d\" xmlns=\"http://www.w3.org/2000/svg\">"
			    "<title id=\"%s-t\">",
			    width, height, id, id, id);
	if (!rc)
		rc = escape_html(out, title, strlen(title));
	if (!rc)
		rc = buf_printf(out, "</title><desc id=\"%s-d\">", id);
	if (!rc)
		rc = escape_html(out, desc, strlen(desc));
	if (!rc)
		rc = buf_puts(out, "</desc>");
	for (size_t i = 0; i < noutlines && !rc; i++) {
		const struct outline *o = &outlines[i];
		const map_area *a = area_of(areas, n, o->code);
		int level = a && a->level >= 0 && a->level <= 4 ? a->level : 0;
		rc = buf_printf(out, "<path class=\"map-%d\" data-country=\"%s\" d=\"", level,
				o->code);
		if (!rc)
			rc = buf_append(out, o->path, o->path_len);
		if (!rc)
			rc = buf_puts(out, "\"><title>");
		const char *name = a && a->name ? a->name : name_of ? name_of(o->code, ctx) : NULL;
		if (!rc)
			rc = name ? escape_html(out, name, strlen(name))
				  : escape_html(out, o->name, o->name_len);
		if (!rc && a && a->label && *a->label) {
			rc = buf_printf(out, "%s: ", i18n_before_mark(lang));
			if (!rc)
				rc = escape_html(out, a->label, strlen(a->label));
		}
		if (!rc)
			rc = buf_puts(out, "</title></path>");
	}
	return rc ? rc : buf_puts(out, "</svg>");
}
