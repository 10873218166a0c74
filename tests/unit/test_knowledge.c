/* The knowledge module's pure parts: query words, highlights, names among initials. */
#include "testutil.h"

#include "base/embedded.h"
#include "base/json_parse.h"
#include "knowledge/knowledge.h"

static void fts_queries_are_quoted_words_only(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "passeur", "\"passeur\"*" },
		{ "  Équipes   mobiles ", "\"Équipes\"* \"mobiles\"*" },
		{ "\"passeur\" OR NEAR(x*", "\"passeur\"* \"OR\"* \"NEAR\"* \"x\"*" },
		{ "'; DROP TABLE--", "\"DROP\"* \"TABLE\"*" },
		{ "*()\":^-+", "" },
		{ "", "" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		buf b;
		buf_init(&b, 4096);
		assert_int_equal(kn_fts_query(cases[i][0], &b), 0);
		assert_string_equal(b.data ? b.data : "", cases[i][1]);
		buf_release(&b);
	}
	/* At most 16 words, each cut to 64 bytes without splitting a character. */
	char many[4096] = "";
	for (int i = 0; i < 40; i++)
		memcpy(many + 4 * i, "mot ", 5);
	buf b;
	buf_init(&b, 4096);
	kn_fts_query(many, &b);
	size_t words = 0;
	for (const char *p = b.data; (p = strstr(p, "\"*")); p++)
		words++;
	assert_int_equal(words, 16);
	buf_release(&b);
	char long_word[200] = "";
	for (int i = 0; i < 40; i++)
		memcpy(long_word + 2 * i, "é", 3); /* 80 bytes */
	buf_init(&b, 4096);
	kn_fts_query(long_word, &b);
	assert_int_equal(b.len, 1 + 64 + 2); /* "word"* */
	buf_release(&b);
}

/* PostgreSQL's query text: the same words, quoted, never tsquery syntax of the user's. */
static void tsqueries_are_quoted_words_only(void **state)
{
	(void)state;
	const struct {
		const char *q;
		bool prefix;
		const char *weights, *want;
	} cases[] = {
		{ "passeur", true, NULL, "'passeur':*" },
		{ "  Équipes   mobiles ", true, NULL, "'Équipes':* & 'mobiles':*" },
		{ "\"passeur\" OR NEAR(x*", true, NULL, "'passeur':* & 'OR':* & 'NEAR':* & 'x':*" },
		{ "'; DROP TABLE--", true, NULL, "'DROP':* & 'TABLE':*" },
		{ "a:* | !b & c<->d", false, NULL, "'a' & 'b' & 'c' & 'd'" },
		{ "victims trafficking", false, "A", "'victims':A & 'trafficking':A" },
		{ "passeur", true, "BC", "'passeur':*BC" },
		{ "المرأة", true, NULL, "'المراه':*" },
		{ "\u064E\u0640 المرأة \u0651", true, NULL, "'المراه':*" }, /* marks alone */
		{ "\\'*()\":^-+&|!<>", true, NULL, "" },
		{ "", true, NULL, "" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		buf b;
		buf_init(&b, 4096);
		assert_int_equal(kn_tsquery(cases[i].q, cases[i].prefix, cases[i].weights, &b), 0);
		assert_string_equal(b.data ? b.data : "", cases[i].want);
		buf_release(&b);
	}
	/* At most 16 words, as for SQLite. */
	char many[4096] = "";
	for (int i = 0; i < 40; i++)
		memcpy(many + 4 * i, "mot ", 5);
	buf b;
	buf_init(&b, 4096);
	assert_int_equal(kn_tsquery(many, true, NULL, &b), 0);
	size_t words = 0;
	for (const char *p = b.data; (p = strstr(p, "':*")); p++)
		words++;
	assert_int_equal(words, 16);
	buf_release(&b);
}

struct out {
	char text[512];
};

static int collect(const char *s, size_t n, bool hit, void *ctx)
{
	struct out *o = ctx;
	size_t len = strlen(o->text);
	snprintf(o->text + len, sizeof(o->text) - len, "%s%.*s%s", hit ? "[" : "", (int)n, s,
		 hit ? "]" : "");
	return 0;
}

static void highlights_fold_accents_and_case(void **state)
{
	(void)state;
	struct out o = { "" };
	kn_highlight("Des équipes contre les PASSEURS de migrants.", "passeur equipe", collect, &o);
	assert_string_equal(o.text, "Des [équipes] contre les [PASSEURS] de migrants.");
	memset(&o, 0, sizeof(o));
	kn_highlight("Nothing here", "passeur", collect, &o);
	assert_string_equal(o.text, "Nothing here");
	memset(&o, 0, sizeof(o));
	kn_highlight("café <b>", "", collect, &o);
	assert_string_equal(o.text, "café <b>");
}

/* Arabic as search reads it: hamza forms of alef, alef maqsura, ta marbuta, short vowels. */
static void arabic_is_folded_for_search(void **state)
{
	(void)state;
	char s[128];
	snprintf(s, sizeof(s), "%s", "الْمَرْأَة إِتْجَار آمن مستشفى");
	kn_fold_arabic(s, strlen(s));
	assert_string_equal(s, "المراه اتجار امن مستشفي");
	snprintf(s, sizeof(s), "%s", "Víctima trata");
	assert_int_equal(kn_fold_arabic(s, strlen(s)), strlen("Víctima trata"));
	assert_string_equal(s, "Víctima trata");
	buf b;
	buf_init(&b, 4096);
	assert_int_equal(kn_fts_query("المرأة", &b), 0);
	assert_string_equal(b.data, "\"المراه\"*");
	buf_release(&b);
	struct out o = { "" };
	kn_highlight("حماية المرأة الضحية", "المراه", collect, &o);
	assert_string_equal(o.text, "حماية [المرأة] الضحية");
	assert_non_null(kn_code_label("language", "es"));
	assert_non_null(kn_code_label("language", "ar"));
}

static bool two_word_countries(const char *run, void *ctx)
{
	(void)ctx;
	return strcmp(run, "Burkina Faso") == 0 || strcmp(run, "Sierra Leone") == 0;
}

static void names_are_told_from_initials(void **state)
{
	(void)state;
	const char *names[] = { "Kofi Mensah", "K.M. and Aminata Traoré", "Élodie Durand (F, FR)",
				"A.B. (F, NE); Moussa Diop", "Jean-Pierre Kaboré" };
	const char *initials[] = { "K.M. (M, NG); A.B. (F, NE)",
				   "KM, AB",
				   "3 defendants (M, GH)",
				   "",
				   "20 (M, divers pays d'Afrique de l'Ouest)",
				   "O.I. (F, Nigeria)",
				   "K.M. (M, Burkina Faso); S.L. (F, Sierra Leone)",
				   "X.Y.Z.",
				   "Moussa" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!kn_looks_like_name(names[i], two_word_countries, NULL))
			fail_msg("%s was taken for initials", names[i]);
	for (size_t i = 0; i < ARRAY_LEN(initials); i++)
		if (kn_looks_like_name(initials[i], two_word_countries, NULL))
			fail_msg("%s was taken for a name", initials[i]);
	assert_true(kn_looks_like_name("Burkina Faso", NULL, NULL));
}

/* The OpenAPI document describes every detail of every type, answered and sent, with the codes
 * the engine accepts: an item's answer refuses undescribed members, so a new detail must be
 * described before an API client sees it. */
static void the_openapi_document_describes_every_detail(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find("api/openapi.json");
	assert_non_null(f);
	arena a;
	arena_init(&a, 1 << 24);
	json_value *doc;
	char err[128];
	assert_int_equal(json_parse(&a, f->data, f->len, &doc, err, sizeof(err)), 0);
	const json_value *schemas = json_get(json_get(doc, "components"), "schemas");
	const char *names[] = { "KnowledgeItem", "KnowledgeInput" };
	size_t n;
	const kn_field *fields = kn_fields(&n);
	for (size_t s = 0; s < ARRAY_LEN(names); s++) {
		const json_value *props = json_get(json_get(schemas, names[s]), "properties");
		if (!props)
			fail_msg("api/openapi.json has no schema %s", names[s]);
		for (size_t i = 0; i < n; i++) {
			const json_value *p = json_get(props, fields[i].name);
			if (!p)
				fail_msg("%s has no property %s", names[s], fields[i].name);
			if (!fields[i].vocabulary)
				continue;
			const json_value *e =
			    json_get(fields[i].kind == KN_CODES ? json_get(p, "items") : p, "enum");
			size_t ncodes;
			const kn_code *codes = kn_codes(fields[i].vocabulary, &ncodes);
			for (size_t c = 0; c < ncodes; c++) {
				bool found = false;
				for (size_t k = 0; e && k < e->length; k++)
					found |= e->items[k]->type == JSON_STRING &&
						 strcmp(e->items[k]->string, codes[c].code) == 0;
				if (!found)
					fail_msg("%s.%s lacks the code %s", names[s],
						 fields[i].name, codes[c].code);
			}
		}
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fts_queries_are_quoted_words_only),
		cmocka_unit_test(tsqueries_are_quoted_words_only),
		cmocka_unit_test(arabic_is_folded_for_search),
		cmocka_unit_test(highlights_fold_accents_and_case),
		cmocka_unit_test(names_are_told_from_initials),
		cmocka_unit_test(the_openapi_document_describes_every_detail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
