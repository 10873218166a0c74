/* Downloads: the Content-Disposition every attachment and export is served with. */
#include "base/utf8.h"
#include "http/http.h"

const char *http_disposition(arena *a, const char *name)
{
	/* The fallback folds accents ("Avaliação" → "Avaliacao"); other characters become _. */
	char ascii[256];
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 3 < sizeof(ascii);) {
		const char *f = utf8_fold_latin(p);
		if (f) {
			while (*f && o + 3 < sizeof(ascii))
				ascii[o++] = *f++;
			p += 2;
		} else if (*p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f) {
			ascii[o++] = (char)*p++;
		} else if (*p < 0x80) {
			ascii[o++] = '_'; /* a quote or a control character would end the field */
			p++;
		} else {
			ascii[o++] = '_';
			for (p++; (*p & 0xC0) == 0x80; p++)
				;
		}
	}
	ascii[o] = '\0';
	buf b;
	buf_init(&b, 2048);
	int rc = buf_printf(&b, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
	if (!rc)
		rc = url_encode_component(&b, name, strlen(name));
	const char *s = rc ? "attachment" : arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}
