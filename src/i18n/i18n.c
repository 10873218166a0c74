#include <pthread.h>
#include <strings.h>

#include "base/arena.h"
#include "base/embedded.h"
#include "i18n/i18n.h"
#include "i18n/po.h"

static const lang_info LANGS[LANG_COUNT] = {
	[LANG_EN] = { "en", "English", "ltr" },   [LANG_FR] = { "fr", "Français", "ltr" },
	[LANG_PT] = { "pt", "Português", "ltr" }, [LANG_ES] = { "es", "Español", "ltr" },
	[LANG_AR] = { "ar", "العربية", "rtl" },
};

struct msg {
	const char *id;
	const char *str[PO_MAX_PLURALS];
	int nstr;
};

/* Open addressing, power-of-two size, at most half full. */
struct catalogue {
	arena mem;
	struct msg *slots;
	size_t size;
	size_t count;
};

static struct catalogue catalogues[LANG_COUNT];

const lang_info *i18n_lang(int lang)
{
	return lang >= 0 && lang < LANG_COUNT ? &LANGS[lang] : &LANGS[LANG_EN];
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct msg *find_slot(struct catalogue *c, const char *id)
{
	if (!c->slots)
		return NULL;
	size_t i = hash_str(id) & (c->size - 1);
	while (c->slots[i].id && strcmp(c->slots[i].id, id) != 0)
		i = (i + 1) & (c->size - 1);
	return &c->slots[i];
}

static int grow(struct catalogue *c)
{
	size_t size = c->size ? c->size * 2 : 256;
	struct msg *slots = arena_calloc(&c->mem, size, sizeof(*slots));
	if (!slots)
		return PONTE_ENOMEM;
	struct catalogue tmp = { .slots = slots, .size = size };
	for (size_t i = 0; i < c->size; i++)
		if (c->slots[i].id)
			*find_slot(&tmp, c->slots[i].id) = c->slots[i];
	c->slots = slots;
	c->size = size;
	return 0;
}

static int add_entry(const po_entry *e, void *ctx)
{
	struct catalogue *c = ctx;
	/* The header (empty msgid), fuzzy and untranslated entries are not translations. */
	if (e->msgid[0] == '\0' || e->fuzzy || e->msgstr[0][0] == '\0')
		return 0;
	/* Context is not used by Ponte's catalogues; entries with one are ignored. */
	if (e->msgctxt)
		return 0;
	if ((c->count + 1) * 2 > c->size) {
		int rc = grow(c);
		if (rc)
			return rc;
	}
	struct msg *m = find_slot(c, e->msgid);
	if (!m->id)
		c->count++;
	m->id = e->msgid;
	m->nstr = e->nstr;
	for (int i = 0; i < e->nstr; i++)
		m->str[i] = e->msgstr[i];
	return 0;
}

static void catalogue_free(struct catalogue *c)
{
	arena_release(&c->mem);
	memset(c, 0, sizeof(*c));
}

int i18n_load_catalogue(int lang, const char *po, size_t n, char *err, size_t errlen)
{
	if (lang < 0 || lang >= LANG_COUNT)
		return PONTE_EINVAL;
	struct catalogue c = { 0 };
	arena_init(&c.mem, 64u << 20);
	int rc = grow(&c);
	if (!rc)
		rc = po_parse(&c.mem, po, n, add_entry, &c, err, errlen);
	if (rc) {
		catalogue_free(&c);
		return rc;
	}
	catalogue_free(&catalogues[lang]);
	catalogues[lang] = c;
	return 0;
}

int i18n_init(char *err, size_t errlen)
{
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		char name[64];
		snprintf(name, sizeof(name), "po/%s.po", LANGS[lang].code);
		const struct embedded_file *f = embedded_find(name);
		if (!f)
			continue; /* English needs no catalogue: msgids are English. */
		char why[256];
		int rc = i18n_load_catalogue(lang, f->data, f->len, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "%s: %s", name, why);
			return rc;
		}
	}
	return 0;
}

void i18n_shutdown(void)
{
	for (int lang = 0; lang < LANG_COUNT; lang++)
		catalogue_free(&catalogues[lang]);
}

static const struct msg *lookup(int lang, const char *msgid)
{
	if (lang <= 0 || lang >= LANG_COUNT)
		return NULL;
	struct msg *m = find_slot(&catalogues[lang], msgid);
	return m && m->id ? m : NULL;
}

const char *tr(int lang, const char *msgid)
{
	const struct msg *m = lookup(lang, msgid);
	return m ? m->str[0] : msgid;
}

/* Plural rules of the supported languages (CLDR): French counts 0 and 1 as singular; Arabic
 * has six forms (zero, one, two, few: 3-10, many: 11-99, other), as po/ar.po's header says. */
static int plural_index(int lang, unsigned long n)
{
	if (lang == LANG_FR)
		return n > 1;
	if (lang == LANG_AR) {
		unsigned long r = n % 100;
		return n == 0              ? 0
		       : n == 1            ? 1
		       : n == 2            ? 2
		       : r >= 3 && r <= 10 ? 3
		       : r >= 11           ? 4
					   : 5;
	}
	return n != 1;
}

const char *trn(int lang, const char *singular, const char *plural, unsigned long n)
{
	int idx = plural_index(lang, n);
	const struct msg *m = lookup(lang, singular);
	if (m && idx < m->nstr && m->str[idx][0])
		return m->str[idx];
	return idx ? plural : singular;
}

bool i18n_has(int lang, const char *msgid)
{
	return lang == LANG_EN || lookup(lang, msgid) != NULL;
}

int i18n_lang_from_tag(const char *tag, size_t n)
{
	size_t primary = 0;
	while (primary < n && tag[primary] != '-' && tag[primary] != '_')
		primary++;
	if (primary != 2)
		return -1;
	for (int lang = 0; lang < LANG_COUNT; lang++)
		if (strncasecmp(tag, LANGS[lang].code, 2) == 0)
			return lang;
	return -1;
}

/* q-value "q=0.8" → 0..1000; malformed → -1. */
static int parse_q(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return -1;
	p += 2;
	int q = 0, digits = 0;
	if (*p == '1') {
		q = 1000;
		p++;
		if (p < end && *p == '.')
			for (p++; p < end && *p == '0' && digits < 3; p++)
				digits++;
	} else if (*p == '0') {
		p++;
		if (p < end && *p == '.') {
			int scale = 100;
			for (p++; p < end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++) {
				q += (*p - '0') * scale;
				scale /= 10;
			}
		}
	} else {
		return -1;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end ? q : -1;
}

int i18n_from_accept_language(const char *header)
{
	if (!header)
		return -1;
	int best = -1, best_q = 0, items = 0;
	const char *p = header;
	while (*p && items < 64) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		items++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *semi = NULL;
		for (const char *q = p; q < end && !semi; q++)
			if (*q == ';')
				semi = q;
		const char *tag_end = semi ? semi : end;
		while (tag_end > p && (tag_end[-1] == ' ' || tag_end[-1] == '\t'))
			tag_end--;
		int q = semi ? parse_q(semi + 1, end) : 1000;
		int lang = i18n_lang_from_tag(p, (size_t)(tag_end - p));
		/* Earlier entries win ties, as the header lists preferences in order. */
		if (lang >= 0 && q > best_q) {
			best = lang;
			best_q = q;
		}
		p = *end ? end + 1 : end;
	}
	return best;
}

static int from_code(const char *code)
{
	return code ? i18n_lang_from_tag(code, strlen(code)) : -1;
}

int i18n_negotiate(const char *user_pref, const char *query_lang, const char *cookie_lang,
		   const char *accept_language)
{
	int lang = from_code(query_lang);
	if (lang < 0)
		lang = from_code(user_pref);
	if (lang < 0)
		lang = from_code(cookie_lang);
	if (lang < 0)
		lang = i18n_from_accept_language(accept_language);
	return lang < 0 ? LANG_EN : lang;
}
