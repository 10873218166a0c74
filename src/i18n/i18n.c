#include <pthread.h>
#include <strings.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/embedded.h"
#include "i18n/i18n.h"
#include "i18n/plural.h"
#include "i18n/po.h"
#include "i18n/vocab.h"

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

struct runtime;
static struct runtime *current;
static struct runtime *retired;
static pthread_mutex_t apply_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* Plural rules of the shipped languages (CLDR): French counts 0 and 1 as singular; Arabic
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

int i18n_shipped_plural(int lang, unsigned long n)
{
	return plural_index(lang, n);
}

int i18n_shipped_nplurals(int lang)
{
	return lang == LANG_AR ? 6 : 2;
}

/* Packs loaded at run time (language_packs, i18n/pack_store.c): the words of a language
 * Ponte does not ship, or an instance's own words over a shipped catalogue. A runtime is
 * built whole and then published by one atomic store, so a lookup never takes a lock; the
 * one it replaces is kept for RETIRE_MS, longer than any request keeps a translation, and
 * freed at a later change. A language keeps its index from one runtime to the next, so a
 * request that chose it before a change still names it after. */
#define RETIRE_MS (10 * 60 * 1000)

struct pack {
	bool present; /* a pack of this language is loaded */
	char code[4]; /* kept after a withdrawal, so the index is not reused at once */
	char name[PACK_NAME_MAX];
	char dir[4];
	lang_info info;
	bool has_rule; /* run-time languages: the rule of their Plural-Forms header */
	plural_rule rule;
	struct catalogue words;
};

struct runtime {
	int count;  /* LANG_COUNT + the run-time languages ever loaded, withdrawn ones included */
	int second; /* the language missing words of a run-time pack come from; 0: English */
	struct pack packs[LANG_MAX];
	struct runtime *retired_next;
	int64_t retired_at;
};

static const struct runtime *runtime_now(void)
{
	return __atomic_load_n(&current, __ATOMIC_ACQUIRE);
}

static void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	for (int i = 0; i < LANG_MAX; i++)
		catalogue_free(&rt->packs[i].words);
	free(rt);
}

static struct msg *find_in(const struct catalogue *c, const char *msgid)
{
	struct msg *m = find_slot((struct catalogue *)(uintptr_t)c, msgid);
	return m && m->id ? m : NULL;
}

/* A language's own words: its pack's, then its shipped catalogue's. */
static const struct msg *own(const struct runtime *rt, int lang, const char *msgid)
{
	if (rt && lang >= 0 && lang < rt->count && rt->packs[lang].present) {
		const struct msg *m = find_in(&rt->packs[lang].words, msgid);
		if (m)
			return m;
	}
	if (lang > 0 && lang < LANG_COUNT)
		return find_in(&catalogues[lang], msgid);
	return NULL;
}

static int plural_of(const struct runtime *rt, int lang, unsigned long n)
{
	if (lang < LANG_COUNT)
		return plural_index(lang, n);
	if (rt && lang < rt->count && rt->packs[lang].has_rule)
		return plural_eval(&rt->packs[lang].rule, n);
	return n != 1;
}

/* Where a word is looked for, in order: the language, then (for a run-time language) the
 * instance's second language; English, the msgid, last. */
static int chain(const struct runtime *rt, int lang, int out[2])
{
	int k = 0;
	out[k++] = lang;
	if (rt && lang >= LANG_COUNT && rt->second > 0 && rt->second != lang)
		out[k++] = rt->second;
	return k;
}

const char *tr(int lang, const char *msgid)
{
	const struct runtime *rt = runtime_now();
	int langs[2], k = chain(rt, lang, langs);
	for (int i = 0; i < k; i++) {
		const struct msg *m = own(rt, langs[i], msgid);
		if (m)
			return m->str[0];
	}
	return msgid;
}

const char *trn(int lang, const char *singular, const char *plural, unsigned long n)
{
	const struct runtime *rt = runtime_now();
	int langs[2], k = chain(rt, lang, langs);
	for (int i = 0; i < k; i++) {
		const struct msg *m = own(rt, langs[i], singular);
		int idx = plural_of(rt, langs[i], n);
		if (m && idx < m->nstr && m->str[idx][0])
			return m->str[idx];
	}
	return n != 1 ? plural : singular;
}

bool i18n_has(int lang, const char *msgid)
{
	return lang == LANG_EN || own(runtime_now(), lang, msgid) != NULL;
}

const lang_info *i18n_lang(int lang)
{
	if (lang >= 0 && lang < LANG_COUNT)
		return &LANGS[lang];
	const struct runtime *rt = runtime_now();
	if (rt && lang >= LANG_COUNT && lang < rt->count && rt->packs[lang].present)
		return &rt->packs[lang].info;
	return &LANGS[LANG_EN];
}

bool i18n_arabic_script(const char *code)
{
	int lang = code ? i18n_lang_from_tag(code, strlen(code)) : -1;
	return lang >= 0 && strcmp(i18n_lang(lang)->dir, "rtl") == 0;
}

int i18n_lang_count(void)
{
	const struct runtime *rt = runtime_now();
	return rt ? rt->count : LANG_COUNT;
}

bool i18n_lang_active(int lang)
{
	const struct runtime *rt = runtime_now();
	return (lang >= 0 && lang < LANG_COUNT) ||
	       (rt && lang >= LANG_COUNT && lang < rt->count && rt->packs[lang].present);
}

bool i18n_lang_has_pack(int lang)
{
	const struct runtime *rt = runtime_now();
	return rt && lang >= 0 && lang < rt->count && rt->packs[lang].present;
}

int i18n_second_language(void)
{
	const struct runtime *rt = runtime_now();
	return rt ? rt->second : LANG_EN;
}

/* A shipped language's code, or a loaded pack's, of 2 or 3 letters; -1 otherwise. */
int i18n_lang_from_tag(const char *tag, size_t n)
{
	size_t primary = 0;
	while (primary < n && tag[primary] != '-' && tag[primary] != '_')
		primary++;
	if (primary != 2 && primary != 3)
		return -1;
	for (int lang = 0; lang < LANG_COUNT; lang++)
		if (primary == 2 && strncasecmp(tag, LANGS[lang].code, 2) == 0)
			return lang;
	const struct runtime *rt = runtime_now();
	for (int lang = LANG_COUNT; rt && lang < rt->count; lang++)
		if (rt->packs[lang].present && strlen(rt->packs[lang].code) == primary &&
		    strncasecmp(tag, rt->packs[lang].code, primary) == 0)
			return lang;
	return -1;
}

bool i18n_is_word(const char *msgid)
{
	for (int lang = 1; lang < LANG_COUNT; lang++)
		if (find_in(&catalogues[lang], msgid))
			return true;
	return false;
}

size_t i18n_word_count(void)
{
	size_t words = 0;
	for (int lang = 1; lang < LANG_COUNT; lang++)
		for (size_t i = 0; i < catalogues[lang].size; i++) {
			const char *id = catalogues[lang].slots[i].id;
			bool earlier = false;
			for (int k = 1; k < lang && !earlier; k++)
				earlier = find_in(&catalogues[k], id ? id : "") != NULL;
			words += id && !earlier;
		}
	return words;
}

size_t i18n_translated_count(int lang)
{
	if (lang == LANG_EN)
		return i18n_word_count();
	const struct runtime *rt = runtime_now();
	size_t n = lang > 0 && lang < LANG_COUNT ? catalogues[lang].count : 0;
	if (rt && lang >= 0 && lang < rt->count && rt->packs[lang].present) {
		const struct catalogue *c = &rt->packs[lang].words;
		for (size_t i = 0; i < c->size; i++)
			if (c->slots[i].id &&
			    !(lang < LANG_COUNT && find_in(&catalogues[lang], c->slots[i].id)))
				n++;
	}
	return n;
}

/* A pack's entry: kept when it translates a word of this version. */
static int add_pack_entry(const po_entry *e, void *ctx)
{
	if (e->msgid[0] == '\0' || e->fuzzy || e->msgctxt || e->msgstr[0][0] == '\0' ||
	    !i18n_is_word(e->msgid))
		return 0;
	return add_entry(e, ctx);
}

static int load_pack(struct pack *p, const i18n_pack_src *src, bool shipped, char *err,
		     size_t errlen)
{
	arena_init(&p->words.mem, 16u << 20);
	int rc = grow(&p->words);
	if (!rc)
		rc = po_parse(&p->words.mem, src->po, src->n, add_pack_entry, &p->words, err,
			      errlen);
	if (!rc && !shipped) {
		const char *why = NULL;
		if (plural_parse(src->plural_forms, strlen(src->plural_forms), &p->rule, &why)) {
			snprintf(err, errlen, "%s", why);
			rc = PONTE_EINVAL;
		}
		p->has_rule = !rc;
	}
	if (rc) {
		catalogue_free(&p->words);
		return rc;
	}
	p->present = true;
	snprintf(p->name, sizeof(p->name), "%s", src->name && *src->name ? src->name : src->code);
	snprintf(p->dir, sizeof(p->dir), "%s", src->rtl ? "rtl" : "ltr");
	p->info = (lang_info){ p->code, p->name, p->dir };
	return 0;
}

static bool code_wanted(const i18n_pack_src *src, size_t n, const char *code)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(src[k].code, code))
			return true;
	return false;
}

int i18n_apply_packs(const i18n_pack_src *src, size_t n, const char *second, char *err,
		     size_t errlen)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return PONTE_ENOMEM;
	pthread_mutex_lock(&apply_lock);
	const struct runtime *old = current;
	rt->count = old ? old->count : LANG_COUNT;
	for (int i = 0; i < LANG_COUNT; i++)
		snprintf(rt->packs[i].code, sizeof(rt->packs[i].code), "%s", LANGS[i].code);
	for (int i = LANG_COUNT; old && i < old->count; i++)
		memcpy(rt->packs[i].code, old->packs[i].code, sizeof(rt->packs[i].code));
	int skipped = 0;
	if (err && errlen)
		err[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(src[k].code);
		int idx = -1;
		for (int i = 0; i < rt->count && idx < 0; i++)
			if (!strcmp(rt->packs[i].code, src[k].code))
				idx = i;
		for (int i = LANG_COUNT; i < rt->count && idx < 0; i++)
			if (!rt->packs[i].present && !code_wanted(src, n, rt->packs[i].code))
				idx = i; /* a withdrawn language's place */
		if (idx < 0 && rt->count < LANG_MAX)
			idx = rt->count++;
		char why[256] = "";
		int rc = idx < 0 ? PONTE_ELIMIT : (len < 2 || len > 3) ? PONTE_EINVAL : 0;
		if (!rc) {
			struct pack *p = &rt->packs[idx];
			catalogue_free(&p->words);
			memset(p, 0, sizeof(*p));
			memcpy(p->code, src[k].code, len + 1);
			rc = load_pack(p, &src[k], idx < LANG_COUNT, why, sizeof(why));
			if (!rc && idx < LANG_COUNT)
				p->info = LANGS[idx];
		}
		if (rc) {
			skipped++;
			if (err && errlen && !err[0])
				snprintf(err, errlen, "%s: %s", src[k].code,
					 why[0] ? why : ponte_strerror(rc));
		}
	}
	int second_lang = LANG_EN;
	for (int i = 1; second && i < LANG_COUNT; i++)
		if (!strcmp(second, LANGS[i].code))
			second_lang = i;
	rt->second = second_lang;
	struct runtime *previous = __atomic_exchange_n(&current, rt, __ATOMIC_ACQ_REL);
	int64_t now = (int64_t)(clock_monotonic_ns() / 1000000u);
	/* Free what was retired long enough ago; retire the runtime just replaced. */
	struct runtime **link = &retired;
	while (*link) {
		if (now - (*link)->retired_at > RETIRE_MS) {
			struct runtime *gone = *link;
			*link = gone->retired_next;
			runtime_free(gone);
		} else {
			link = &(*link)->retired_next;
		}
	}
	if (previous) {
		previous->retired_at = now;
		previous->retired_next = retired;
		retired = previous;
	}
	pthread_mutex_unlock(&apply_lock);
	return skipped;
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

void i18n_shutdown(void)
{
	pthread_mutex_lock(&apply_lock);
	runtime_free(__atomic_exchange_n(&current, NULL, __ATOMIC_ACQ_REL));
	while (retired) {
		struct runtime *next = retired->retired_next;
		runtime_free(retired);
		retired = next;
	}
	pthread_mutex_unlock(&apply_lock);
	for (int lang = 0; lang < LANG_COUNT; lang++)
		catalogue_free(&catalogues[lang]);
}
