/* Validation of a language pack before it is stored (pack.h states the rules). */
#include <strings.h>

#include "base/utf8.h"
#include "i18n/pack.h"
#include "i18n/plural.h"
#include "i18n/po.h"
#include "i18n/vocab.h"

#define MAX_PLACEHOLDERS 16

struct seen {
	const char *msgid;
	int line;
};

struct check {
	arena *a;
	pack_report *r;
	const char *header;
	int header_line;
	size_t entries;
	struct seen *seen; /* open addressing over msgids, for duplicates */
	size_t seen_size;
	/* The entries, kept until the header (which may come anywhere) is known. */
	po_entry *list;
	size_t nlist;
};

static void problem(pack_report *r, int line, const char *message, const char *detail)
{
	if (r->nproblems >= PACK_MAX_PROBLEMS) {
		r->more_problems++;
		return;
	}
	r->problems[r->nproblems++] = (pack_problem){ line, message, detail };
}

/* The English text an entry is about, cut to 80 characters for a list of problems. */
static const char *excerpt(arena *a, const char *s)
{
	size_t n = strlen(s), cut = utf8_prefix(s, n, 80);
	return cut < n ? arena_printf(a, "%.*s…", (int)cut, s) : s;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The line of an earlier entry with this msgid, or 0 (and it is remembered). */
static int seen_before(struct check *c, const char *msgid, int line)
{
	size_t i = hash_str(msgid) & (c->seen_size - 1);
	while (c->seen[i].msgid) {
		if (!strcmp(c->seen[i].msgid, msgid))
			return c->seen[i].line;
		i = (i + 1) & (c->seen_size - 1);
	}
	c->seen[i] = (struct seen){ msgid, line };
	return 0;
}

/* Placeholders. A printf conversion is %[N$][-+#0']*[width][.precision][length]conversion
 * ("% of records" is text: a space is not taken as a flag); {name} and {{name}} are named. */
struct placeholder {
	char text[24]; /* without its N$ */
	int pos;       /* N of %N$..., 0 without */
	bool named;
};

static int scan_printf(const char *s, struct placeholder *ph)
{
	const char *p = s + 1;
	int pos = 0;
	const char *q = p;
	while (*q >= '0' && *q <= '9')
		q++;
	if (q > p && *q == '$' && q - p <= 2) {
		pos = (int)strtol(p, NULL, 10);
		p = q + 1;
	}
	const char *start = p;
	while (*p && strchr("-+#0'", *p))
		p++;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	while (*p && strchr("hlLqjzt", *p))
		p++;
	if (!*p || !strchr("diouxXeEfFgGaAcspn", *p) || p - start > 12)
		return 0; /* not a conversion: a percent sign in the text */
	ph->pos = pos;
	ph->named = false;
	snprintf(ph->text, sizeof(ph->text), "%%%.*s", (int)(p - start + 1), start);
	return (int)(p - s + 1);
}

static int scan_named(const char *s, struct placeholder *ph)
{
	int braces = s[1] == '{' ? 2 : 1;
	const char *p = s + braces, *start = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_' || *p == '.' || (braces == 2 && *p == ' '))
		p++;
	if (p == start || p - start > 20 || (braces == 2 ? strncmp(p, "}}", 2) : *p != '}'))
		return 0;
	ph->pos = 0;
	ph->named = true;
	snprintf(ph->text, sizeof(ph->text), "%.*s", (int)(p + braces - s), s);
	return (int)(p + braces - s);
}

/* All placeholders of s, in order; -1 when there are more than MAX_PLACEHOLDERS. */
static int placeholders(const char *s, struct placeholder *out)
{
	int n = 0;
	for (const char *p = s; *p;) {
		struct placeholder ph;
		int len = 0;
		if (p[0] == '%' && p[1] == '%') {
			p += 2;
			continue;
		}
		if (*p == '%')
			len = scan_printf(p, &ph);
		else if (*p == '{')
			len = scan_named(p, &ph);
		if (len > 0) {
			if (n >= MAX_PLACEHOLDERS)
				return -1;
			out[n++] = ph;
			p += len;
		} else {
			p++;
		}
	}
	return n;
}

/* The printf conversions in the order of their arguments: positional ones by N (each once,
 * 1..k), others as they come; mixing both is refused. Named ones go, sorted, to names. */
static int arguments(const struct placeholder *ph, int n, const char *args[], const char *names[],
		     int *nnames)
{
	int nargs = 0, positional = 0, plain = 0;
	*nnames = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].named) {
			int k = (*nnames)++;
			while (k > 0 && strcmp(names[k - 1], ph[i].text) > 0) {
				names[k] = names[k - 1];
				k--;
			}
			names[k] = ph[i].text;
		} else if (ph[i].pos) {
			positional++;
		} else {
			args[nargs++] = ph[i].text;
			plain++;
		}
	}
	if (positional && plain)
		return -1;
	if (positional) {
		for (int i = 0; i < positional; i++)
			args[i] = NULL;
		for (int i = 0; i < n; i++) {
			if (ph[i].named)
				continue;
			if (ph[i].pos > positional || args[ph[i].pos - 1])
				return -1;
			args[ph[i].pos - 1] = ph[i].text;
		}
		nargs = positional;
	}
	return nargs;
}

/* Whether a translation keeps the English text's placeholders: the same printf arguments
 * and the same names; a plural form (partial) may leave names out, and a lone number. */
bool pack_placeholders_match(const char *english, const char *translation, bool partial)
{
	struct placeholder pe[MAX_PLACEHOLDERS], pt[MAX_PLACEHOLDERS];
	int ne = placeholders(english, pe), nt = placeholders(translation, pt);
	if (ne < 0 || nt < 0)
		return false;
	const char *ae[MAX_PLACEHOLDERS], *at[MAX_PLACEHOLDERS];
	const char *me[MAX_PLACEHOLDERS], *mt[MAX_PLACEHOLDERS];
	int nme, nmt;
	int nae = arguments(pe, ne, ae, me, &nme), nat = arguments(pt, nt, at, mt, &nmt);
	if (nae < 0 || nat < 0)
		return false;
	if (!(nae == nat || (partial && nae == 1 && nat == 0)))
		return false;
	for (int i = 0; i < nat; i++)
		if (strcmp(ae[i], at[i]) != 0)
			return false;
	if (!partial) {
		if (nme != nmt)
			return false;
		for (int i = 0; i < nme; i++)
			if (strcmp(me[i], mt[i]) != 0)
				return false;
		return true;
	}
	/* Every name of the form is one of the English text's. */
	for (int i = 0, j = 0; i < nmt; i++) {
		while (j < nme && strcmp(me[j], mt[i]) < 0)
			j++;
		if (j >= nme || strcmp(me[j], mt[i]) != 0)
			return false;
		j++;
	}
	return true;
}

/* Markup: a translation may hold '<' only in tags the English text has, the same ones. */
static int tags(const char *s, const char *out[], int max)
{
	int n = 0;
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		if (n >= max)
			return -1;
		out[n++] = p;
	}
	return n;
}

static size_t tag_len(const char *p)
{
	const char *end = strchr(p, '>');
	return end ? (size_t)(end - p + 1) : strlen(p);
}

bool pack_markup_match(const char *english, const char *translation)
{
	if (!strchr(translation, '<'))
		return true;
	const char *te[32], *tt[32];
	int ne = tags(english, te, 32), nt = tags(translation, tt, 32);
	if (ne < 0 || nt < 0 || ne != nt)
		return false;
	bool used[32] = { false };
	for (int i = 0; i < nt; i++) {
		size_t len = tag_len(tt[i]);
		bool found = false;
		for (int j = 0; j < ne && !found; j++)
			if (!used[j] && tag_len(te[j]) == len && memcmp(te[j], tt[i], len) == 0 &&
			    tt[i][len - 1] == '>')
				used[j] = found = true;
		if (!found)
			return false;
	}
	return true;
}

static int collect(const po_entry *e, void *ctx)
{
	struct check *c = ctx;
	if (e->msgid[0] == '\0') {
		if (c->header)
			problem(c->r, e->line, N_("The file has two headers."), NULL);
		c->header = e->msgstr[0];
		c->header_line = e->line;
		return 0;
	}
	if (++c->entries > PACK_MAX_ENTRIES)
		return 0; /* counted, reported once below */
	c->list[c->nlist++] = *e;
	return 0;
}

/* The value of a header field ("Language: ha\n"), or NULL. */
static const char *header_field(arena *a, const char *header, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = header; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
			const char *v = p + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t vlen = len - (size_t)(v - p);
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\r'))
				vlen--;
			return arena_strndup(a, v, vlen);
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* A language code: 2 or 3 lower-case letters (ISO 639-1 or -3), from "ha", "ha_NG",
 * "HA-ng"; false otherwise. */
static bool language_code(const char *s, char out[4])
{
	size_t n = 0;
	while (s[n] && s[n] != '_' && s[n] != '-' && s[n] != '@')
		n++;
	if (n < 2 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = (char)(s[i] | 0x20);
		if (ch < 'a' || ch > 'z')
			return false;
		out[i] = ch;
	}
	out[n] = '\0';
	return true;
}

/* Right to left when most translations start with a letter of a right-to-left script. */
static bool mostly_rtl(const po_entry *list, size_t n)
{
	size_t rtl = 0, ltr = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = list[i].msgstr[0];
		for (size_t k = 0; s[k];) {
			uint32_t cp;
			size_t len = utf8_decode(s + k, strlen(s + k), &cp);
			if (!len)
				break;
			k += len;
			if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
			    (cp >= 0xFE70 && cp <= 0xFEFF)) {
				rtl++;
				break;
			}
			if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
			    (cp >= 0x00C0 && cp <= 0x058F) || (cp >= 0x0900 && cp <= 0x1FFF)) {
				ltr++;
				break;
			}
		}
	}
	return rtl > ltr;
}

static int header_checks(struct check *c, const char *lang)
{
	pack_report *r = c->r;
	arena *a = c->a;
	const char *h = c->header ? c->header : "";
	int line = c->header ? c->header_line : 0;
	const char *language = header_field(a, h, "Language");
	char from_header[4] = "", given[4] = "";
	if (language && *language && !language_code(language, from_header))
		problem(r, line, N_("The Language header is not a language code."), language);
	if (lang && *lang && !language_code(lang, given)) {
		problem(r, 0, N_("The language code must be two or three letters (ISO 639)."),
			lang);
		return PONTE_EINVAL;
	}
	if (given[0] && from_header[0] && strcmp(given, from_header) != 0)
		problem(r, line,
			N_("The Language header names another language than the one chosen."),
			language);
	snprintf(r->lang, sizeof(r->lang), "%s", given[0] ? given : from_header);
	if (!r->lang[0]) {
		problem(r, line, N_("Say which language the file is for (its Language header)."),
			NULL);
		return PONTE_EINVAL;
	}
	int shipped = -1;
	for (int i = 0; i < LANG_COUNT; i++)
		if (!strcmp(i18n_lang(i)->code, r->lang))
			shipped = i;
	r->shipped = shipped >= 0;
	const char *charset = header_field(a, h, "Content-Type");
	if (charset && !strcasestr(charset, "charset=utf-8"))
		problem(r, line, N_("The file must be in UTF-8 (charset=UTF-8)."), charset);

	const char *name = header_field(a, h, "X-Ponte-Language-Name");
	if (shipped >= 0)
		name = i18n_lang(shipped)->native_name;
	else if (!name || !*name)
		name = vocab_label(LANG_EN, "language", r->lang);
	if (strlen(name) >= sizeof(r->name) || strchr(name, '<') ||
	    !utf8_valid_text(name, strlen(name)) || strchr(name, '\n'))
		problem(r, line,
			N_("The language's name is too long or has characters it may not have."),
			NULL);
	else
		snprintf(r->name, sizeof(r->name), "%s", name);

	const char *dir = header_field(a, h, "X-Ponte-Direction");
	if (shipped >= 0)
		r->rtl = !strcmp(i18n_lang(shipped)->dir, "rtl");
	else if (dir && !strcmp(dir, "rtl"))
		r->rtl = true;
	else if (dir && !strcmp(dir, "ltr"))
		r->rtl = false;
	else if (dir)
		problem(r, line, N_("X-Ponte-Direction is ltr or rtl."), dir);
	else
		r->rtl = mostly_rtl(c->list, c->nlist);

	const char *plural = header_field(a, h, "Plural-Forms");
	r->plural_forms = "";
	plural_rule rule;
	const char *why = NULL;
	if (shipped < 0 && (!plural || !*plural)) {
		problem(r, line, N_("A new language needs a Plural-Forms header."), NULL);
	} else if (plural && *plural && plural_parse(plural, strlen(plural), &rule, &why)) {
		problem(r, line, why, plural);
	} else if (plural && *plural && shipped >= 0) {
		bool same = rule.nplurals == i18n_shipped_nplurals(shipped);
		for (unsigned long n = 0; n <= 1000 && same; n++)
			same = plural_eval(&rule, n) == i18n_shipped_plural(shipped, n);
		if (!same)
			problem(
			    r, line,
			    N_("The plural rule is not the one Ponte applies to this language."),
			    plural);
	} else if (plural) {
		r->plural_forms = plural;
	}
	return 0;
}

static void entry_checks(struct check *c, const po_entry *e, int nplurals)
{
	pack_report *r = c->r;
	const char *what = excerpt(c->a, e->msgid);
	int first = seen_before(c, e->msgid, e->line);
	if (first) {
		problem(r, e->line,
			N_("This English text was already translated earlier in the file."), what);
		return;
	}
	if (e->msgctxt) {
		problem(r, e->line, N_("Ponte's texts have no context (msgctxt)."), what);
		return;
	}
	bool empty = true;
	for (int i = 0; i < e->nstr; i++)
		empty = empty && !e->msgstr[i][0];
	if (empty || e->fuzzy) {
		r->untranslated++;
		return;
	}
	if (!i18n_is_word(e->msgid)) {
		r->unknown++;
		return;
	}
	if (e->msgid_plural && nplurals > 0 && e->nstr != nplurals) {
		problem(r, e->line,
			N_("The number of plural forms is not the one of the Plural-Forms header."),
			what);
		return;
	}
	for (int i = 0; i < e->nstr; i++) {
		const char *s = e->msgstr[i];
		const char *english = e->msgid_plural && i > 0 ? e->msgid_plural : e->msgid;
		if (e->msgid_plural && !s[0])
			continue; /* a missing form falls back */
		if (strlen(s) > PACK_MAX_STRING) {
			problem(r, e->line, N_("The translation is too long."), what);
			return;
		}
		if (!utf8_valid_text(s, strlen(s))) {
			problem(r, e->line, N_("The translation has control characters."), what);
			return;
		}
		if (!pack_placeholders_match(english, s, e->msgid_plural != NULL)) {
			problem(r, e->line,
				N_("The translation does not keep the placeholders of the English "
				   "text."),
				what);
			return;
		}
		if (!pack_markup_match(english, s)) {
			problem(r, e->line,
				N_("The translation has markup (<...>) that the English text does "
				   "not have."),
				what);
			return;
		}
	}
	r->translated++;
}

int pack_validate(arena *a, const char *po, size_t n, const char *lang, pack_report *r)
{
	memset(r, 0, sizeof(*r));
	if (n > PACK_MAX_BYTES) {
		problem(r, 0, N_("The file is larger than 1 MB."), NULL);
		return PONTE_EINVAL;
	}
	struct check c = { .a = a, .r = r };
	c.list = arena_calloc(a, PACK_MAX_ENTRIES, sizeof(*c.list));
	c.seen_size = 16384; /* a power of two above twice PACK_MAX_ENTRIES */
	c.seen = arena_calloc(a, c.seen_size, sizeof(*c.seen));
	if (!c.list || !c.seen)
		return PONTE_ENOMEM;
	po_error pe;
	int rc = po_parse_detailed(a, po, n, collect, &c, &pe);
	if (rc) {
		if (!pe.why)
			return rc;
		problem(r, pe.line, pe.why, NULL);
		return PONTE_EINVAL;
	}
	if (c.entries > PACK_MAX_ENTRIES) {
		problem(r, 0, N_("The file has more than 5000 entries."), NULL);
		return PONTE_EINVAL;
	}
	rc = header_checks(&c, lang);
	if (rc)
		return rc;
	int nplurals = 0;
	if (r->shipped) {
		for (int i = 0; i < LANG_COUNT; i++)
			if (!strcmp(i18n_lang(i)->code, r->lang))
				nplurals = i18n_shipped_nplurals(i);
	} else if (r->plural_forms[0]) {
		plural_rule rule;
		const char *why;
		if (!plural_parse(r->plural_forms, strlen(r->plural_forms), &rule, &why))
			nplurals = rule.nplurals;
	}
	for (size_t i = 0; i < c.nlist; i++)
		entry_checks(&c, &c.list[i], nplurals);
	if (!r->nproblems && r->translated == 0)
		problem(r, 0, N_("The file translates none of Ponte's texts."), NULL);
	return r->nproblems || r->more_problems ? PONTE_EINVAL : 0;
}
