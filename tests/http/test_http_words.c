/* Codes stay codes, readers read words: walking every page as every role over the
 * demonstration data (as `make run` makes it), in English, French and Portuguese, no page
 * shows a code of a controlled vocabulary as text ("Feminine", "completed",
 * "knowledge_reviewer", "CentralGovernmentOrganisation", "NE (7)": issue #14). The codes
 * come from the vocabularies themselves (i18n/vocab.h, and those the database keeps), so a
 * new vocabulary is checked as soon as it exists. */
#include "httptest.h"
#include "walk.h"

#include <ctype.h>

#include "base/embedded.h"
#include "base/log.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "i18n/po.h"
#include "i18n/vocab.h"
#include "screening/screening.h"

static struct ht_server S;

/* Beyond the accounts of every role in Portugal, readers in a French-speaking country. */
static const char *const MORE_READERS[][2] = {
	{ "national focal point in Senegal", "national.focal.point.sn@demo.ponte.example" },
	{ "case worker in Senegal", "case.worker.sn@demo.ponte.example" },
	{ "analyst in Senegal", "observatory.analyst.sn@demo.ponte.example" },
};

static long SEEDED; /* the case with one record of each kind whose detail is a code */

/* A case, newest of all so that every walk opens it, with a victim status decided by an NGO,
 * a screening on the list adult_sexual and its closure approved: the timeline and summary
 * once showed "NGO", "adult_sexual" and "Closed". */
static void seed_case(void)
{
	char cw[128], sup[128], path[160];
	bearer("case.worker@demo.ponte.example", cw, sizeof(cw));
	bearer("supervisor@demo.ponte.example", sup, sizeof(sup));
	struct ht_resp r;
	assert_int_equal(api(cw, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Awa\",\"prs_Gender\":\"Feminine\","
			     "\"prs_Citizenship\":\"NE\",\"prs_PrimaryLanguage\":\"hau\"}}",
			     &r),
			 201);
	char loc[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	SEEDED = strtol(loc + strlen("/api/v1/cases/"), NULL, 10);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/status-decisions", SEEDED);
	assert_int_equal(api(cw, "POST", path,
			     "{\"status\":\"presumed\",\"decided_on\":\"2026-01-05\","
			     "\"vic_TraffickingStatusDecisionMakingOrg\":\"NGO\"}",
			     &r),
			 201);
	ht_free(&r);
	keyed_store env = { S.db, S.keys };
	int64_t uid, id;
	principal p;
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(S.db, uid, &p), 0);
	const scr_answer answers[] = { { "deceived_nature", "present", NULL } };
	scr_result res;
	field_errors e;
	assert_int_equal(scr_add(&env, &p, SEEDED, "adult_sexual", answers, 1, &id, &res, &e), 0);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/closures", SEEDED);
	assert_int_equal(api(cw, "POST", path,
			     "{\"cas_Status\":\"Closed\",\"cas_ReasonForCaseClosure\":\"Home\"}",
			     &r),
			 201);
	long closure = strtol(strstr(r.body, "\"id\":") + 5, NULL, 10);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/closures/%ld/approve", closure);
	assert_int_equal(api(sup, "POST", path, "{}", &r), 200);
	ht_free(&r);
}

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	keyed_store env = { S.db, S.keys };
	demo_options o = {
		.cases = 60, .seed = 1, .password = DEMO_PASSWORD, .files_dir = S.app.svc.files_dir
	};
	char err[256];
	if (demo_generate(&env, &o, err, sizeof(err)))
		fail_msg("%s", err);
	/* A reader of every country's records, as the walk-through's analyst was. */
	assert_int_equal(role_grant(S.db, "regional_analyst", "stats.read", SCOPE_ALL), 0);
	seed_case();
	return 0;
}

/* Codes that are also ordinary words of a language, which its pages rightly show as words
 * (English needs none: a code that looks like a word is not checked in English at all). */
static const char *const WORDS[][3] = {
	{ "en", "NGO", "the English abbreviation, in what people write (\"NGO mediators\")" },
	{ "fr", "en", "a preposition" },
	{ "fr", "police", "a French word (\"(police, ONG, services sociaux)\")" },
	{ "es", "NGO",
	  "an English title (\"NGO mediators\") shown as written, as the demonstration's "
	  "knowledge items have no Spanish translation" },
	{ "ar", "NGO", "the same English title, without an Arabic translation" },
};

struct code {
	char *code, *vocab;
	bool word; /* looks like a word: a finding only where it stands on its own */
};

struct codes {
	struct code *v;
	size_t n, cap;
	int lang;
	/* The English text of the catalogue's entries that the language translates otherwise,
	 * sorted: a text node of a page in that language equal to one was left untranslated. */
	const char **english, **translated;
	size_t nenglish, capenglish, ntranslated;
	arena po;
	char seen[16384]; /* "code@page;" already reported */
};

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/* A code that no language writes as a word: with _ or a digit, or a capital letter after its
 * first ("FollowUp", "NGO", "NE"). */
static bool unlike_a_word(const char *code)
{
	for (size_t i = 0; code[i]; i++)
		if (code[i] == '_' || (code[i] >= '0' && code[i] <= '9') ||
		    (i > 0 && code[i] >= 'A' && code[i] <= 'Z'))
			return true;
	return false;
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct code *)a)->code, ((const struct code *)b)->code);
}

/* Check code of vocab (label: its English msgid, or NULL) in c->lang, unless a page may
 * rightly show it there. */
static void add_code(struct codes *c, const char *code, const char *vocab, const char *label)
{
	bool letters = false;
	for (const char *p = code; *p; p++)
		letters |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
	if (!letters || strlen(code) < 2)
		return; /* "0--8", "48+": numbers read the same in every language */
	if (label && strcmp(tr(c->lang, label), code) == 0)
		return; /* "EUR" is the word for EUR */
	if (c->lang == LANG_EN && !unlike_a_word(code))
		return; /* "completed" is English */
	for (size_t i = 0; i < ARRAY_LEN(WORDS); i++)
		if (!strcmp(WORDS[i][0], i18n_lang(c->lang)->code) && !strcmp(WORDS[i][1], code))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 512;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	c->v[c->n++] = (struct code){ strdup(code), strdup(vocab), !unlike_a_word(code) };
}

static int add_db_code(void *ctx, int ncol, char **col, char **names)
{
	(void)ncol;
	(void)names;
	add_code(ctx, col[0], col[1], NULL);
	return 0;
}

/* Every code of every vocabulary: those of the code (vocab.h) and those the database keeps
 * (countries, organisation types, the built-in roles, the screening lists). */
static void collect_codes(struct codes *c)
{
	for (size_t i = 0; i < vocab_count(); i++) {
		const vocab_table *v = vocab_at(i);
		for (size_t k = 0; k < v->n; k++)
			add_code(c, v->terms[k].code, v->name, v->terms[k].label);
	}
	ht_query_rows("SELECT code, 'country' FROM countries UNION ALL "
		      "SELECT code, 'organisation type' FROM organisation_types UNION ALL "
		      "SELECT code, 'role' FROM roles WHERE builtin <> 0 UNION ALL "
		      "SELECT code, 'screening list' FROM indicator_lists UNION ALL "
		      "SELECT code, 'screening dimension' FROM indicator_dimensions UNION ALL "
		      "SELECT code, 'indicator' FROM indicators UNION ALL "
		      "SELECT code, 'organisation' FROM organisations",
		      add_db_code, c);
	qsort(c->v, c->n, sizeof(*c->v), by_code);
}

/* Elements whose content is not text to read as words: scripts and styles, computer code
 * shown as such, which a reader types or copies (<code>NE</code> as an example of what a
 * field takes, a role's code beside its name), and the value of a text area (what someone
 * typed, or this instance's identity for an administrator to send). */
static const char *const UNREAD[] = { "script", "style", "code", "pre", "kbd", "samp", "textarea" };

/* "</code>" for "code". */
static const char *closing_tag(const char *element)
{
	static char out[16];
	snprintf(out, sizeof(out), "</%s>", element);
	return out;
}

/* The text a reader sees: outside tags, comments and UNREAD elements, entities decoded;
 * every tag ends a line. Free with free(). */
static char *visible_text(const char *html)
{
	static const char *const ENT[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
					      { "&gt;", ">" },  { "&quot;", "\"" },
					      { "&#39;", "'" }, { "&#x27;", "'" },
					      { "&nbsp;", " " } };
	size_t n = strlen(html), o = 0;
	char *out = malloc(n + 1);
	assert_non_null(out);
	for (size_t i = 0; i < n;) {
		if (html[i] == '<') {
			const char *end =
			    !strncmp(html + i, "<!--", 4) ? strstr(html + i, "-->") : NULL;
			for (size_t k = 0; !end && k < ARRAY_LEN(UNREAD); k++) {
				size_t len = strlen(UNREAD[k]);
				if (!strncmp(html + i + 1, UNREAD[k], len) &&
				    (html[i + 1 + len] == '>' || html[i + 1 + len] == ' '))
					end = strstr(html + i, closing_tag(UNREAD[k]));
			}
			if (end)
				i = (size_t)(end - html) + 1;
			char quote = 0;
			for (; i < n && (quote || html[i] != '>'); i++)
				if (quote ? html[i] == quote : html[i] == '"' || html[i] == '\'')
					quote = quote ? 0 : html[i];
			i++;
			out[o++] = '\n';
		} else if (html[i] == '&') {
			size_t k = 0;
			while (k < ARRAY_LEN(ENT) &&
			       strncmp(html + i, ENT[k][0], strlen(ENT[k][0])))
				k++;
			out[o++] = k < ARRAY_LEN(ENT) ? ENT[k][1][0] : '&';
			i += k < ARRAY_LEN(ENT) ? strlen(ENT[k][0]) : 1;
		} else {
			out[o++] = html[i++];
		}
	}
	out[o] = '\0';
	return out;
}

/* Whether a word ends just before p, spaces aside: a word-like code at p is then part of a
 * sentence someone wrote ("Casa Porto shelter"), not a label standing on its own. */
static bool after_word(const char *text, const char *p)
{
	while (p > text && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	const unsigned char *u = (const unsigned char *)p;
	if (p - text >= 2 && u[-2] == 0xC2 && (u[-1] == 0xB7 || u[-1] == 0xAB || u[-1] == 0xBB))
		return false; /* · « » */
	if (p - text >= 3 && u[-3] == 0xE2 && u[-2] == 0x80 && u[-1] >= 0x93 && u[-1] <= 0x94)
		return false; /* – — */
	if (p - text >= 3 && u[-3] == 0xE2 && u[-2] == 0x80 && u[-1] == 0x99)
		return true; /* ’ as in d’exploitation */
	return p > text && (word_char(u[-1]) || u[-1] == '\'');
}

/* Whether a word starts at p, spaces aside. */
static bool before_word(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return word_char((unsigned char)*p);
}

/* The text around p, on one line, for a message. */
static const char *context(const char *text, const char *p, size_t len)
{
	static char out[200];
	const char *from = p - text > 60 ? p - 60 : text, *to = p + len;
	for (size_t i = 0; i < 40 && *to; i++)
		to++;
	size_t o = 0;
	for (const char *q = from; q < to && o + 1 < sizeof(out); q++)
		if (!(isspace((unsigned char)*q) && o && out[o - 1] == ' '))
			out[o++] = isspace((unsigned char)*q) ? ' ' : *q;
	out[o] = '\0';
	return out;
}

static int add_english(const po_entry *e, void *ctx)
{
	struct codes *c = ctx;
	if (!e->msgid[0] || !strcmp(e->msgid, e->msgstr[0]))
		return 0;
	if (c->nenglish == c->capenglish) {
		c->capenglish = c->capenglish ? 2 * c->capenglish : 2048;
		c->english = realloc(c->english, c->capenglish * sizeof(*c->english));
		c->translated = realloc(c->translated, c->capenglish * sizeof(*c->translated));
		assert_non_null(c->english);
		assert_non_null(c->translated);
	}
	c->english[c->nenglish++] = e->msgid;
	c->translated[c->ntranslated++] = e->msgstr[0];
	return 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_english(struct codes *c)
{
	if (c->lang == LANG_EN)
		return;
	char name[32], err[128];
	snprintf(name, sizeof(name), "po/%s.po", i18n_lang(c->lang)->code);
	const struct embedded_file *f = embedded_find(name);
	assert_non_null(f);
	arena_init(&c->po, 64u << 20);
	assert_int_equal(po_parse(&c->po, f->data, f->len, add_english, c, err, sizeof(err)), 0);
	assert_true(c->nenglish > 1000);
	qsort(c->english, c->nenglish, sizeof(*c->english), by_string);
	qsort(c->translated, c->ntranslated, sizeof(*c->translated), by_string);
}

/* Text of the demonstration data that people wrote in English, the same on every page. */
static const char *const WRITTEN_IN_ENGLISH[][2] = {
	{ "Administrator", "the name of the test suite's administrator" },
	{ "Home", "the reason for closing the seeded case, as its case worker typed it" },
};

/* Whether line, a text node of a page in c->lang, is what a page in that language may show:
 * not the English of an entry, or also the word of the language ("Data" is the Portuguese
 * for a date), a language's name in itself (the language switch: "English"), or text
 * someone wrote. */
static bool may_show(const struct codes *c, const char *line)
{
	if (!bsearch(&line, c->english, c->nenglish, sizeof(*c->english), by_string))
		return true;
	if (bsearch(&line, c->translated, c->ntranslated, sizeof(*c->translated), by_string))
		return true;
	for (int lang = 0; lang < LANG_COUNT; lang++)
		if (!strcmp(line, i18n_lang(lang)->native_name))
			return true;
	for (size_t i = 0; i < ARRAY_LEN(WRITTEN_IN_ENGLISH); i++)
		if (!strcmp(line, WRITTEN_IN_ENGLISH[i][0]))
			return true;
	return false;
}

/* Every page says its language and direction on <html>, and none of its text nodes is the
 * English of a catalogue entry the language translates: a word someone added without tr(),
 * or with a catalogue that misses it. */
static size_t english_in_page(const char *who, const char *url, const char *html,
			      const struct codes *c)
{
	const lang_info *li = i18n_lang(c->lang);
	char root[64];
	snprintf(root, sizeof(root), "<html lang=\"%s\" dir=\"%s\">", li->code, li->dir);
	size_t found = 0;
	if (!strstr(html, root)) {
		print_message("%s, %s: %s does not start with %s\n", li->code, who, url, root);
		found++;
	}
	if (c->lang == LANG_EN)
		return found;
	char *text = visible_text(html);
	for (char *line = text; line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		while (isspace((unsigned char)*line))
			line++;
		size_t len = strlen(line);
		while (len && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (len && !may_show(c, line)) {
			print_message("%s, %s: %s shows \"%s\" in English\n", li->code, who, url,
				      line);
			found++;
		}
		line = end ? end + 1 : NULL;
	}
	free(text);
	return found;
}

/* The codes in the text of a page, each reported once per page of the same form. A token is
 * a run of letters, digits and _, with . - @ / between them: "PT-NGO-LX", an e-mail address
 * or "case.social.read" are not the codes they contain. */
static size_t codes_in_page(const char *who, const char *url, const char *html, void *ctx)
{
	struct codes *c = ctx;
	size_t english = english_in_page(who, url, html, c);
	char *text = visible_text(html);
	char shape[512];
	shape_of(url, shape, sizeof(shape));
	size_t found = 0;
	for (const char *p = text; *p;) {
		if (!word_char((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t len = 0;
		while (word_char((unsigned char)p[len]) ||
		       (p[len] && strchr(".-@/", p[len]) && word_char((unsigned char)p[len + 1])))
			len++;
		char word[128];
		snprintf(word, sizeof(word), "%.*s", (int)(len < 127 ? len : 127), p);
		struct code key = { word, NULL, false };
		const struct code *hit = bsearch(&key, c->v, c->n, sizeof(*c->v), by_code);
		if (hit && hit->word && (after_word(text, p) || before_word(p + len)))
			hit = NULL;
		/* An organisation's code after its name, "Casa Abrigo Porto (PT-SHELTER)", where an
		 * administrator or an analyst picks the organisation a file or a user belongs to:
		 * the code is what import files and the API name it by. */
		if (hit && strcmp(hit->vocab, "organisation") == 0 && p > text && p[-1] == '(' &&
		    p[len] == ')')
			hit = NULL;
		if (hit) {
			found++;
			char mark[700];
			snprintf(mark, sizeof(mark), "%s@%s;", word, shape);
			if (!strstr(c->seen, mark)) {
				size_t used = strlen(c->seen);
				snprintf(c->seen + used, sizeof(c->seen) - used, "%s", mark);
				print_message("%s, %s: %s shows the code \"%s\" (%s): \"%s\"\n",
					      i18n_lang(c->lang)->code, who, url, word, hit->vocab,
					      context(text, p, len));
			}
		}
		p += len;
	}
	free(text);
	return found + english;
}

/* The seeded case's pages, whether or not a walk reached them. */
static size_t seeded_pages(struct codes *c)
{
	static const char *const PAGES[] = { "", "/timeline", "/summary", "/screening" };
	char auth[128], url[160];
	bearer("case.worker@demo.ponte.example", auth, sizeof(auth));
	const char *h[] = { auth, NULL };
	size_t found = 0;
	for (size_t i = 0; i < ARRAY_LEN(PAGES); i++) {
		snprintf(url, sizeof(url), "/cases/%ld%s?lang=%s", SEEDED, PAGES[i],
			 i18n_lang(c->lang)->code);
		struct ht_resp r;
		ht_get(S.port, url, h, &r);
		assert_int_equal(r.status, 200);
		found += codes_in_page("case worker", url, r.body, c);
		ht_free(&r);
	}
	return found;
}

static void no_page_shows_a_code_where_a_word_belongs(void **state)
{
	(void)state;
	size_t found = 0;
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		struct codes c = { .lang = lang };
		collect_codes(&c);
		collect_english(&c);
		assert_true(c.n > 100);
		for (size_t i = 0; i < ARRAY_LEN(WALK_ROLES); i++)
			found += walk_as(WALK_ROLES[i][0], WALK_ROLES[i][1], i18n_lang(lang)->code,
					 codes_in_page, &c);
		for (size_t i = 0; i < ARRAY_LEN(MORE_READERS); i++)
			found += walk_as(MORE_READERS[i][0], MORE_READERS[i][1],
					 i18n_lang(lang)->code, codes_in_page, &c);
		found += seeded_pages(&c);
		for (size_t i = 0; i < c.n; i++) {
			free(c.v[i].code);
			free(c.v[i].vocab);
		}
		free(c.v);
		free(c.english);
		free(c.translated);
		if (lang != LANG_EN)
			arena_release(&c.po);
	}
	assert_int_equal(found, 0);
}

/* vocab_label() finds a vocabulary by its name: two with one name would hide one. */
static void vocabularies_have_one_name_each(void **state)
{
	(void)state;
	assert_true(vocab_count() > 40);
	for (size_t i = 0; i < vocab_count(); i++) {
		assert_true(vocab_at(i)->n > 0);
		assert_ptr_equal(vocab_find(vocab_at(i)->name), vocab_at(i));
	}
	assert_string_equal(vocab_label(LANG_FR, "case.gender", "Feminine"), "Féminin");
	assert_string_equal(vocab_label(LANG_PT, "role", "knowledge_reviewer"),
			    tr(LANG_PT, "Knowledge reviewer"));
	assert_string_equal(vocab_label(LANG_FR, "case.gender", "Robot"), "Robot");
}

/* ---- country names ---- */

static char *get_page(const char *email, const char *url)
{
	char auth[128];
	bearer(email, auth, sizeof(auth));
	const char *h[] = { auth, NULL };
	struct ht_resp r;
	ht_get(S.port, url, h, &r);
	assert_int_equal(r.status, 200);
	char *body = strdup(r.body);
	ht_free(&r);
	return body;
}

/* The texts of the options of the select with this id, in order (at most max). */
static size_t options_of(const char *html, const char *id, char out[][96], size_t max)
{
	char key[64];
	snprintf(key, sizeof(key), "<select id=\"%s\"", id);
	const char *p = strstr(html, key), *end = p ? strstr(p, "</select>") : NULL;
	assert_non_null(end);
	size_t n = 0;
	for (p = strstr(p, "<option"); p && p < end && n < max; p = strstr(p + 1, "<option")) {
		const char *t = strchr(p, '>') + 1, *e = strstr(t, "</option>");
		snprintf(out[n++], 96, "%.*s", (int)(e - t), t);
	}
	return n;
}

/* Whether the options from the first, as read, follow the alphabet of the reader. */
static void assert_in_alphabetical_order(char names[][96], size_t n, size_t first)
{
	for (size_t i = first + 1; i < n; i++)
		if (utf8_collate(names[i - 1], names[i]) > 0)
			fail_msg("\"%s\" before \"%s\"", names[i - 1], names[i]);
}

static size_t index_of(char names[][96], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	fail_msg("no option \"%s\"", name);
	return 0;
}

/* Country lists read in each language's alphabet, accents in place ("Égypte" among the E's,
 * not after "Zimbabwe"), with names a reader of that language uses ("Irão", "Syrie"). */
static void country_lists_follow_the_readers_alphabet(void **state)
{
	(void)state;
	static char names[300][96];
	char *html = get_page(DEMO_ADMIN_EMAIL, "/admin/organisations?lang=fr");
	size_t n = options_of(html, "country", names, 300);
	assert_true(n > 240);
	assert_in_alphabetical_order(names, n, 0);
	assert_true(index_of(names, n, "Danemark") < index_of(names, n, "Égypte"));
	assert_true(index_of(names, n, "Égypte") < index_of(names, n, "Espagne"));
	index_of(names, n, "Syrie");
	index_of(names, n, "Turquie");
	index_of(names, n, "Russie");
	free(html);
	html = get_page(DEMO_ADMIN_EMAIL, "/admin/organisations?lang=pt");
	n = options_of(html, "country", names, 300);
	assert_in_alphabetical_order(names, n, 0);
	assert_true(index_of(names, n, "Irão") < index_of(names, n, "Irlanda"));
	assert_true(index_of(names, n, "Índia") < index_of(names, n, "Irão"));
	index_of(names, n, "Síria");
	free(html);
	html = get_page(DEMO_ADMIN_EMAIL, "/admin/organisations?lang=es");
	n = options_of(html, "country", names, 300);
	assert_in_alphabetical_order(names, n, 0);
	assert_true(index_of(names, n, "Egipto") < index_of(names, n, "España"));
	free(html);
	/* Arabic: the hamza on alef is a mark, so Spain (إسبانيا) and Germany (ألمانيا) stand
	 * among the alefs in the alphabet's order, not after every other alef by code point. */
	html = get_page(DEMO_ADMIN_EMAIL, "/admin/organisations?lang=ar");
	n = options_of(html, "country", names, 300);
	assert_true(n > 240);
	assert_in_alphabetical_order(names, n, 0);
	assert_true(index_of(names, n, "إسبانيا") < index_of(names, n, "البرتغال"));
	assert_true(index_of(names, n, "البرتغال") < index_of(names, n, "ألمانيا"));
	assert_true(index_of(names, n, "ألمانيا") < index_of(names, n, "النيجر"));
	assert_true(index_of(names, n, "النيجر") < index_of(names, n, "تونس"));
	free(html);
	/* The observatory's countries of exploitation: by name, not by code (BE, DE, ES...). */
	const char *const urls[] = { "/observatory?lang=fr", "/observatory?lang=pt",
				     "/observatory?lang=en" };
	for (size_t i = 0; i < ARRAY_LEN(urls); i++) {
		html = get_page("regional@demo.ponte.example", urls[i]);
		n = options_of(html, "country", names, 300);
		assert_true(n > 10);
		assert_in_alphabetical_order(names, n, 1); /* after "All countries" */
		free(html);
	}
}

/* The texts of the cells of column col (from 0) of the first table after marker, in order;
 * markup inside a cell is left out. */
static size_t cells_of(const char *html, const char *marker, int col, char out[][96], size_t max)
{
	const char *p = strstr(html, marker), *end = p ? strstr(p, "</tbody>") : NULL;
	assert_non_null(end);
	size_t n = 0;
	for (p = strstr(p, "<tr>"); p && p < end && n < max; p = strstr(p + 1, "<tr>")) {
		const char *cell = p;
		for (int i = 0; i <= col; i++)
			cell = strstr(cell + 1, "<td");
		cell = strchr(cell, '>') + 1;
		const char *stop = strstr(cell, "</td>");
		size_t k = 0;
		for (bool tag = false; cell < stop && k + 1 < 96; cell++) {
			if (*cell == '<')
				tag = true;
			else if (*cell == '>')
				tag = false;
			else if (!tag)
				out[n][k++] = *cell;
		}
		out[n++][k] = '\0';
	}
	return n;
}

static void assert_in_arabic_readers_order(char names[][96], size_t n, size_t first)
{
	for (size_t i = first + 1; i < n; i++)
		if (utf8_collate_arabic_first(names[i - 1], names[i]) > 0)
			fail_msg("\"%s\" before \"%s\"", names[i - 1], names[i]);
}

/* Organisations are listed in the reader's alphabet wherever they are listed, not in the
 * database's order: "École" among the E's in French, Arabic names first on an Arabic page. */
static void organisation_lists_follow_the_readers_alphabet(void **state)
{
	(void)state;
	ht_add_org("ZED", "Zorg Aid", "PT");
	ht_add_org("EAGLE", "Eagle Aid", "FR");
	ht_add_org("ECOLE", "École des droits", "FR");
	ht_add_org("FOND", "Fondation Lumière", "FR");
	ht_add_org("AMAL", "جمعية الأمل", "MA");
	static char names[400][96];
	/* The administrator's list and pickers, the directory's. */
	static const struct {
		const char *url, *select; /* NULL: the table's second column */
		size_t first;             /* options before the organisations */
		bool suffixed;            /* "name (code or country)" */
	} LISTS[] = {
		{ "/admin/organisations", NULL, 0, false },
		{ "/admin/organisations", "parent", 1, true },
		{ "/admin/users", "filter-organisation", 1, false },
		{ "/admin/users", "organisation", 0, false },
		{ "/directory/new", "organisation", 1, true },
	};
	for (size_t i = 0; i < ARRAY_LEN(LISTS); i++) {
		char url[128];
		snprintf(url, sizeof(url), "%s?lang=fr", LISTS[i].url);
		char *html = get_page(DEMO_ADMIN_EMAIL, url);
		size_t n = LISTS[i].select ? options_of(html, LISTS[i].select, names, 400)
					   : cells_of(html, "<tbody>", 1, names, 400);
		if (LISTS[i].suffixed)
			for (size_t k = LISTS[i].first; k < n; k++) /* "name (CODE)" */
				*strrchr(names[k], ' ') = '\0';
		assert_true(n > 10);
		assert_in_alphabetical_order(names, n, LISTS[i].first);
		assert_true(index_of(names, n, "Eagle Aid") <
			    index_of(names, n, "École des droits"));
		assert_true(index_of(names, n, "École des droits") <
			    index_of(names, n, "Fondation Lumière"));
		assert_true(index_of(names, n, "Fondation Lumière") <
			    index_of(names, n, "Zorg Aid"));
		free(html);
		snprintf(url, sizeof(url), "%s?lang=ar", LISTS[i].url);
		html = get_page(DEMO_ADMIN_EMAIL, url);
		n = LISTS[i].select ? options_of(html, LISTS[i].select, names, 400)
				    : cells_of(html, "<tbody>", 1, names, 400);
		if (LISTS[i].suffixed)
			for (size_t k = LISTS[i].first; k < n; k++)
				*strrchr(names[k], ' ') = '\0';
		assert_in_arabic_readers_order(names, n, LISTS[i].first);
		if (index_of(names, n, "جمعية الأمل") != LISTS[i].first)
			fail_msg("%s: the Arabic name is not first on the Arabic page", url);
		assert_true(index_of(names, n, "École des droits") <
			    index_of(names, n, "Fondation Lumière"));
		free(html);
		/* In English too the database's order was wrong: "École" after "Zorg". */
		snprintf(url, sizeof(url), "%s?lang=en", LISTS[i].url);
		html = get_page(DEMO_ADMIN_EMAIL, url);
		n = LISTS[i].select ? options_of(html, LISTS[i].select, names, 400)
				    : cells_of(html, "<tbody>", 1, names, 400);
		if (LISTS[i].suffixed)
			for (size_t k = LISTS[i].first; k < n; k++)
				*strrchr(names[k], ' ') = '\0';
		assert_in_alphabetical_order(names, n, LISTS[i].first);
		assert_true(index_of(names, n, "جمعية الأمل") == n - 1);
		free(html);
	}
	/* The services directory, as a reader reads its rows: by the type's name in the
	 * reader's language, then the service's name. */
	static char types[400][96], service_names[400][96];
	const char *const langs[] = { "fr", "ar", "pt" };
	for (size_t l = 0; l < ARRAY_LEN(langs); l++) {
		char url[64];
		snprintf(url, sizeof(url), "/services?lang=%s", langs[l]);
		char *html = get_page("case.worker@demo.ponte.example", url);
		const char *p = strstr(html, "<tbody>");
		assert_non_null(p);
		size_t n = 0;
		while ((p = strstr(p, "<a href=\"/services/")) && n < 400) {
			const char *t = strchr(p, '>') + 1, *e = strstr(t, "</a>");
			snprintf(service_names[n], 96, "%.*s", (int)(e - t), t);
			t = strstr(e, "class=\"meta\">") + strlen("class=\"meta\">");
			e = strstr(t, "</span>");
			snprintf(types[n], 96, "%.*s", (int)(e - t), t);
			n++;
			p = e;
		}
		assert_true(n > 5);
		for (size_t i = 1; i < n; i++) {
			int c = strcmp(langs[l], "ar")
				    ? utf8_collate(types[i - 1], types[i])
				    : utf8_collate_arabic_first(types[i - 1], types[i]);
			if (c > 0 ||
			    (c == 0 && utf8_collate(service_names[i - 1], service_names[i]) > 0))
				fail_msg("%s: \"%s\" (%s) before \"%s\" (%s)", url,
					 service_names[i - 1], types[i - 1], service_names[i],
					 types[i]);
		}
		free(html);
	}
}

/* The title of the country on a map (what pointing at it shows), up to the first ':' and the
 * narrow no-break space French writes before it. */
static void map_title(const char *html, const char *country, char *out, size_t n)
{
	char key[32];
	snprintf(key, sizeof(key), "data-country=\"%s\"", country);
	const char *p = strstr(html, key);
	assert_non_null(p);
	p = strstr(p, "<title>") + 7;
	size_t len = strcspn(p, ":<");
	if (len >= 3 && !memcmp(p + len - 3, "\u202f", 3))
		len -= 3;
	snprintf(out, n, "%.*s", (int)len, p);
}

/* Every country of a map is named in the reader's language when pointed at, whether it has
 * data or not (countries without any once kept their English name). */
static void maps_name_every_country_in_the_readers_language(void **state)
{
	(void)state;
	static const struct {
		const char *url, *country, *name;
	} CASES[] = {
		{ "/directory?lang=fr", "DE", "Allemagne" },   /* no focal point */
		{ "/directory?lang=fr", "SN", "Sénégal" },     /* focal points */
		{ "/directory?lang=pt", "EG", "Egito" },       /* none */
		{ "/directory?lang=pt", "NE", "Níger" },       /* some */
		{ "/observatory?lang=fr", "DZ", "Algérie" },   /* no record */
		{ "/observatory?lang=fr", "DE", "Allemagne" }, /* records */
		{ "/observatory?lang=pt", "SY", "Síria" },
		{ "/observatory?lang=en", "RU", "Russia" },
	};
	char title[128];
	for (size_t i = 0; i < ARRAY_LEN(CASES); i++) {
		char *html = get_page("regional@demo.ponte.example", CASES[i].url);
		map_title(html, CASES[i].country, title, sizeof(title));
		if (strcmp(title, CASES[i].name) != 0)
			fail_msg("%s: %s is called \"%s\", not \"%s\"", CASES[i].url,
				 CASES[i].country, title, CASES[i].name);
		free(html);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vocabularies_have_one_name_each),
		cmocka_unit_test(no_page_shows_a_code_where_a_word_belongs),
		cmocka_unit_test(country_lists_follow_the_readers_alphabet),
		cmocka_unit_test(maps_name_every_country_in_the_readers_language),
		cmocka_unit_test(organisation_lists_follow_the_readers_alphabet),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
