/* Language packs loaded at run time: the Plural-Forms evaluator, the checks a pack passes
 * before it is stored, the word-by-word fallback, and versions in the database. */
#include "testutil.h"

#include "base/embedded.h"
#include "i18n/i18n.h"
#include "i18n/pack.h"
#include "i18n/plural.h"
#include "identity/identity.h"

static int setup(void **state)
{
	(void)state;
	char err[256] = "";
	int rc = i18n_init(err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	i18n_shutdown();
	return 0;
}

static bool parses(const char *rule, int *nplurals)
{
	plural_rule r;
	const char *why = NULL;
	int rc = plural_parse(rule, strlen(rule), &r, &why);
	if (nplurals)
		*nplurals = r.nplurals;
	return rc == 0;
}

static void plural_rules_are_evaluated_not_run(void **state)
{
	(void)state;
	plural_rule r;
	const char *why = NULL;
	const char *arabic = "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
			     "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);";
	assert_int_equal(plural_parse(arabic, strlen(arabic), &r, &why), 0);
	assert_int_equal(r.nplurals, 6);
	/* The same forms as the rule Ponte ships for Arabic, for every n that matters. */
	for (unsigned long n = 0; n < 2000; n++)
		assert_int_equal(plural_eval(&r, n), i18n_shipped_plural(LANG_AR, n));
	const char *french = "nplurals=2; plural=(n > 1);";
	assert_int_equal(plural_parse(french, strlen(french), &r, &why), 0);
	assert_int_equal(plural_eval(&r, 0), 0);
	assert_int_equal(plural_eval(&r, 2), 1);
	const char *slavic = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
			     "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);";
	assert_int_equal(plural_parse(slavic, strlen(slavic), &r, &why), 0);
	assert_int_equal(plural_eval(&r, 21), 0);
	assert_int_equal(plural_eval(&r, 23), 1);
	assert_int_equal(plural_eval(&r, 11), 2);
	int np = 0;
	assert_true(parses("nplurals=1; plural=0;", &np));
	assert_int_equal(np, 1);
	assert_true(parses("nplurals=2; plural=!(n == 1)", NULL));
	/* Refused: what is not the grammar, what divides by zero, what gives a form beyond
	 * nplurals, too many forms, too deep, too long. */
	assert_false(parses("nplurals=2; plural=system(1);", NULL));
	assert_false(parses("nplurals=2; plural=n/(n-5);", NULL));
	assert_false(parses("nplurals=2; plural=n%0;", NULL));
	assert_false(parses("nplurals=2; plural=n+1;", NULL));
	assert_false(parses("nplurals=7; plural=0;", NULL));
	assert_false(parses("nplurals=0; plural=0;", NULL));
	assert_false(parses("nplurals=2; plural=(n != 1;", NULL));
	assert_false(parses("nplurals=2; plural=n != 1; x", NULL));
	assert_false(parses("nplurals=2; plural=n = 1;", NULL));
	assert_false(parses("nplurals=2; plural=9999999999;", NULL));
	assert_false(parses("plural=(n != 1);", NULL));
	char deep[400];
	int k = snprintf(deep, sizeof(deep), "nplurals=2; plural=");
	for (int i = 0; i < 60; i++)
		deep[k++] = '(';
	deep[k++] = '0';
	for (int i = 0; i < 60; i++)
		deep[k++] = ')';
	deep[k] = '\0';
	assert_false(parses(deep, NULL));
	char lng[1200];
	k = snprintf(lng, sizeof(lng), "nplurals=2; plural=0");
	for (int i = 0; i < 120; i++)
		k += snprintf(lng + k, sizeof(lng) - (size_t)k, "*n");
	assert_false(parses(lng, NULL));
}

#define HAUSA_HEADER                                                                               \
	"msgid \"\"\n"                                                                             \
	"msgstr \"\"\n"                                                                            \
	"\"Language: ha\\n\"\n"                                                                    \
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"                                         \
	"\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"                                      \
	"\"X-Ponte-Language-Name: Hausa\\n\"\n\n"

static const char HAUSA[] =
    HAUSA_HEADER "msgid \"Home\"\nmsgstr \"Gida\"\n\n"
		 "msgid \"Sign in\"\nmsgstr \"Shiga\"\n\n"
		 "msgid \"Password\"\nmsgstr \"Kalmar sirri\"\n\n"
		 "msgid \"in {n} day\"\nmsgid_plural \"in {n} days\"\n"
		 "msgstr[0] \"cikin kwana {n}\"\n"
		 "msgstr[1] \"cikin kwanaki {n}\"\n\n"
		 "#, fuzzy\nmsgid \"Cases\"\nmsgstr \"Shari'o'i\"\n\n"
		 "msgid \"A text no version of Ponte has\"\nmsgstr \"Babu\"\n";

static int check(arena *a, const char *po, const char *lang, pack_report *r)
{
	return pack_validate(a, po, strlen(po), lang, r);
}

static bool has_problem(const pack_report *r, int line, const char *message)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if ((line < 0 || r->problems[i].line == line) &&
		    !strcmp(r->problems[i].message, message))
			return true;
	return false;
}

static void a_good_pack_passes_and_says_what_it_holds(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 64u << 20);
	pack_report r;
	assert_int_equal(check(&a, HAUSA, NULL, &r), 0);
	assert_string_equal(r.lang, "ha");
	assert_string_equal(r.name, "Hausa");
	assert_false(r.shipped);
	assert_false(r.rtl);
	assert_string_equal(r.plural_forms, "nplurals=2; plural=(n != 1);");
	assert_int_equal(r.translated, 4);
	assert_int_equal(r.unknown, 1);
	assert_int_equal(r.untranslated, 1);
	/* --lang agrees with the header, or replaces a missing one ("ha_NG" is Hausa). */
	assert_int_equal(check(&a, HAUSA, "ha", &r), 0);
	assert_int_equal(check(&a, HAUSA, "wo", &r), PONTE_EINVAL);
	assert_true(
	    has_problem(&r, 1, "The Language header names another language than the one chosen."));
	/* Ajami (Hausa in Arabic script) reads right to left, found from its words. */
	const char ajami[] = "msgid \"\"\nmsgstr \"Language: ha_NG\\nPlural-Forms: nplurals=2; "
			     "plural=(n != 1);\\n\"\n\nmsgid \"Home\"\nmsgstr \"گِدَا\"\n";
	assert_int_equal(check(&a, ajami, NULL, &r), 0);
	assert_string_equal(r.lang, "ha");
	assert_true(r.rtl);
	arena_release(&a);
}

/* Every shipped catalogue passes the checks a pack must pass: they are the reference of
 * what a good catalogue is (Arabic's six forms, "% of records", {n}). */
static void the_shipped_catalogues_pass_as_packs(void **state)
{
	(void)state;
	const char *names[] = { "po/fr.po", "po/pt.po", "po/es.po", "po/ar.po" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const struct embedded_file *f = embedded_find(names[i]);
		assert_non_null(f);
		arena a;
		arena_init(&a, 64u << 20);
		pack_report r;
		int rc = pack_validate(&a, f->data, f->len, NULL, &r);
		if (rc)
			fail_msg("%s: line %d: %s", names[i], r.problems[0].line,
				 r.problems[0].message);
		assert_true(r.shipped);
		assert_int_equal(r.translated, i18n_word_count());
		arena_release(&a);
	}
}

static void bad_entries_are_refused_with_their_lines(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 64u << 20);
	pack_report r;
	/* Line numbers: the header takes 7 lines, then one entry per 3 lines from line 8. */
	const char po[] =
	    HAUSA_HEADER "msgid \"Home\"\nmsgstr \"<b>Gida</b>\"\n\n"           /* 8 */
			 "msgid \"Sign in\"\nmsgstr \"Shiga\"\n\n"              /* 11 */
			 "msgid \"Sign in\"\nmsgstr \"Shiga ciki\"\n\n"         /* 14 */
			 "msgid \"in {n} day\"\nmsgid_plural \"in {n} days\"\n" /* 17 */
			 "msgstr[0] \"cikin kwana {m}\"\nmsgstr[1] \"cikin kwanaki {n}\"\n\n"
			 "msgid \"{n} day ago\"\nmsgid_plural \"{n} days ago\"\n" /* 22 */
			 "msgstr[0] \"kwana {n} da suka wuce\"\n\n"
			 "msgid \"Password\"\nmsgstr \"Kalmar\001sirri\"\n\n"; /* 26 */
	assert_int_equal(check(&a, po, NULL, &r), PONTE_EINVAL);
	assert_true(has_problem(
	    &r, 8, "The translation has markup (<...>) that the English text does not have."));
	assert_true(
	    has_problem(&r, 14, "This English text was already translated earlier in the file."));
	assert_string_equal(r.problems[1].detail, "Sign in");
	assert_true(has_problem(
	    &r, 17, "The translation does not keep the placeholders of the English text."));
	assert_true(has_problem(
	    &r, 22, "The number of plural forms is not the one of the Plural-Forms header."));
	assert_true(has_problem(&r, 26, "The translation has control characters."));
	assert_int_equal(r.nproblems, 5);

	/* The same tags as the English text are allowed (none of today's texts has any, so
	 * the rule is checked on its own below); a plural form may leave the number out. */
	assert_true(pack_placeholders_match("in {n} days", "cikin kwanaki {n}", false));
	assert_true(pack_placeholders_match("in {n} days", "gobe", true));
	assert_false(pack_placeholders_match("in {n} days", "gobe", false));
	assert_false(pack_placeholders_match("{a} of {b}", "{a} na {a}", false));
	assert_true(pack_placeholders_match("{a} of {b}", "{b} na {a}", false));
	assert_true(pack_placeholders_match("%s sent %d files", "%s ya aika fayiloli %d", false));
	assert_false(pack_placeholders_match("%s sent %d files", "fayiloli %d: %s", false));
	assert_true(pack_placeholders_match("%s sent %d files", "fayiloli %2$d: %1$s", false));
	assert_false(pack_placeholders_match("%s sent %d files", "fayiloli %2$s: %1$d", false));
	assert_false(pack_placeholders_match("%s sent %d files", "%2$d %s", false));
	assert_false(pack_placeholders_match("%s", "%s %s", false));
	assert_false(pack_placeholders_match("% of records", "%n of records", false));
	assert_true(pack_placeholders_match("% of records", "% des enregistrements", false));
	assert_true(pack_placeholders_match("100%% sure", "100%% tabbas", false));
	assert_true(
	    pack_markup_match("Read <a href=\"/x\">this</a>", "Karanta <a href=\"/x\">wannan</a>"));
	assert_false(
	    pack_markup_match("Read <a href=\"/x\">this</a>", "<a href=\"//evil\">wannan</a>"));
	assert_false(pack_markup_match("Home", "<script>x</script>"));
	assert_false(pack_markup_match("Home", "Gida <"));
	arena_release(&a);
}

static void headers_sizes_and_syntax_are_checked(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 64u << 20);
	pack_report r;
	/* A new language needs its plural rule; a bad one is named. */
	const char no_rule[] = "msgid \"\"\nmsgstr \"Language: wo\\n\"\n\nmsgid \"Home\"\n"
			       "msgstr \"Kër\"\n";
	assert_int_equal(check(&a, no_rule, NULL, &r), PONTE_EINVAL);
	assert_true(has_problem(&r, 1, "A new language needs a Plural-Forms header."));
	const char bad_rule[] = "msgid \"\"\nmsgstr \"Language: wo\\nPlural-Forms: nplurals=2; "
				"plural=n/0;\\n\"\n\nmsgid \"Home\"\nmsgstr \"Kër\"\n";
	assert_int_equal(check(&a, bad_rule, NULL, &r), PONTE_EINVAL);
	assert_true(has_problem(&r, 1, "The plural rule divides by zero."));
	/* A shipped language keeps the rule Ponte applies to it. */
	const char french[] = "msgid \"\"\nmsgstr \"Language: fr\\nPlural-Forms: nplurals=2; "
			      "plural=(n != 1);\\n\"\n\nmsgid \"Presumed victim\"\n"
			      "msgstr \"Victime potentielle\"\n";
	assert_int_equal(check(&a, french, NULL, &r), PONTE_EINVAL);
	assert_true(
	    has_problem(&r, 1, "The plural rule is not the one Ponte applies to this language."));
	const char override[] =
	    "msgid \"\"\nmsgstr \"Language: fr\\n\"\n\nmsgid \"Presumed victim\"\n"
	    "msgstr \"Victime potentielle\"\n";
	assert_int_equal(check(&a, override, NULL, &r), 0);
	assert_true(r.shipped);
	assert_string_equal(r.name, "Français");
	/* No language at all; a code that is not one. */
	const char nameless[] = "msgid \"Home\"\nmsgstr \"Gida\"\n";
	assert_int_equal(check(&a, nameless, NULL, &r), PONTE_EINVAL);
	assert_int_equal(check(&a, nameless, "hausa", &r), PONTE_EINVAL);
	assert_int_equal(check(&a, nameless, "h1", &r), PONTE_EINVAL);
	/* Syntax: the line and the reason of the parser. */
	const char broken[] = HAUSA_HEADER "msgid \"Home\"\nmsgstr \"Gida\n";
	assert_int_equal(check(&a, broken, NULL, &r), PONTE_EINVAL);
	assert_int_equal(r.nproblems, 1);
	assert_int_equal(r.problems[0].line, 9);
	assert_string_equal(r.problems[0].message, "A string is not closed with a quote.");
	/* Sizes: a translation over PACK_MAX_STRING, a file over PACK_MAX_BYTES. */
	size_t big = PACK_MAX_STRING + 100;
	char *po = malloc(sizeof(HAUSA_HEADER) + big + 64);
	int k = snprintf(po, 200, "%smsgid \"Home\"\nmsgstr \"", HAUSA_HEADER);
	memset(po + k, 'a', big);
	snprintf(po + k + big, 8, "\"\n");
	assert_int_equal(check(&a, po, NULL, &r), PONTE_EINVAL);
	assert_true(has_problem(&r, 8, "The translation is too long."));
	free(po);
	char *huge = malloc(PACK_MAX_BYTES + 2);
	memset(huge, '#', PACK_MAX_BYTES + 1);
	huge[PACK_MAX_BYTES + 1] = '\0';
	assert_int_equal(pack_validate(&a, huge, PACK_MAX_BYTES + 1, "ha", &r), PONTE_EINVAL);
	assert_true(has_problem(&r, 0, "The file is larger than 1 MB."));
	free(huge);
	/* A file that translates nothing of Ponte's. */
	const char nothing[] = HAUSA_HEADER "msgid \"Not a text of Ponte\"\nmsgstr \"Babu\"\n";
	assert_int_equal(check(&a, nothing, NULL, &r), PONTE_EINVAL);
	assert_true(has_problem(&r, 0, "The file translates none of Ponte's texts."));
	arena_release(&a);
}

static i18n_pack_src src_of(const char *code, const char *name, bool rtl, const char *plural,
			    const char *po)
{
	return (i18n_pack_src){ code, name, rtl, plural, po, strlen(po) };
}

static void missing_words_fall_back_word_by_word(void **state)
{
	(void)state;
	char err[256] = "";
	i18n_pack_src packs[] = {
		src_of("ha", "Hausa", false, "nplurals=2; plural=(n != 1);", HAUSA),
		src_of("fr", "Français", false, "",
		       "msgid \"Presumed victim\"\nmsgstr \"Victime potentielle\"\n"),
	};
	assert_int_equal(i18n_apply_packs(packs, 2, "fr", err, sizeof(err)), 0);
	int ha = i18n_lang_from_tag("ha", 2);
	assert_true(ha >= LANG_COUNT);
	assert_int_equal(i18n_lang_from_tag("ha-NG", 5), ha);
	assert_int_equal(i18n_negotiate(NULL, NULL, NULL, "ha;q=0.9, fr;q=0.5"), ha);
	assert_string_equal(i18n_lang(ha)->code, "ha");
	assert_string_equal(i18n_lang(ha)->native_name, "Hausa");
	assert_string_equal(i18n_lang(ha)->dir, "ltr");
	/* Its own words; a missing one in French (the second language), then English. */
	assert_string_equal(tr(ha, "Home"), "Gida");
	assert_string_equal(tr(ha, "Sign out"), tr(LANG_FR, "Sign out"));
	assert_string_equal(tr(ha, "Sign out"), "Se déconnecter");
	assert_string_equal(tr(ha, "No such text anywhere"), "No such text anywhere");
	/* A fuzzy entry is no translation. */
	assert_string_equal(tr(ha, "Cases"), tr(LANG_FR, "Cases"));
	/* Plurals follow the pack's own rule. */
	assert_string_equal(trn(ha, "in {n} day", "in {n} days", 1), "cikin kwana {n}");
	assert_string_equal(trn(ha, "in {n} day", "in {n} days", 0), "cikin kwanaki {n}");
	assert_string_equal(trn(ha, "{n} day ago", "{n} days ago", 0), "il y a {n} jour");
	/* An override replaces one shipped word, the others stay. */
	assert_string_equal(tr(LANG_FR, "Presumed victim"), "Victime potentielle");
	assert_string_equal(tr(LANG_FR, "Home"), "Accueil");
	assert_string_equal(tr(LANG_PT, "Presumed victim"), "Vítima presumida");
	/* Coverage: the pack's own words only. */
	assert_int_equal(i18n_translated_count(ha), 4);
	assert_int_equal(i18n_translated_count(LANG_FR), i18n_word_count());
	assert_true(i18n_lang_has_pack(LANG_FR));

	/* Without a second language, English; Hausa keeps its index when packs change. */
	assert_int_equal(i18n_apply_packs(packs, 1, "en", err, sizeof(err)), 0);
	assert_int_equal(i18n_lang_from_tag("ha", 2), ha);
	assert_string_equal(tr(ha, "Sign out"), "Sign out");
	assert_string_equal(tr(LANG_FR, "Presumed victim"), "Victime présumée");
	assert_false(i18n_lang_has_pack(LANG_FR));
	/* Withdrawn: no longer a language one can choose. */
	assert_int_equal(i18n_apply_packs(NULL, 0, "en", err, sizeof(err)), 0);
	assert_int_equal(i18n_lang_from_tag("ha", 2), -1);
	assert_false(i18n_lang_active(ha));
	assert_string_equal(tr(ha, "Home"), "Home");
	/* A pack that does not load is left out and named; the others load. */
	i18n_pack_src bad[] = {
		src_of("wo", "Wolof", false, "nplurals=2; plural=n/0;", HAUSA),
		src_of("ha", "Hausa", true, "nplurals=2; plural=(n != 1);", HAUSA),
	};
	assert_int_equal(i18n_apply_packs(bad, 2, "fr", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "wo"));
	assert_int_equal(i18n_lang_from_tag("wo", 2), -1);
	assert_int_equal(i18n_lang_from_tag("ha", 2), ha);
	assert_string_equal(i18n_lang(ha)->dir, "rtl");
}

static void versions_roll_back_and_withdraw(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = test_path(dir, "db"), err[256];
	store *s;
	store_migration_report rep;
	assert_int_equal(store_create(path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_migrate(s, &rep), 0);
	arena a;
	arena_init(&a, 64u << 20);
	pack_report r;
	int v = 0;
	assert_int_equal(check(&a, HAUSA, NULL, &r), 0);
	assert_int_equal(pack_store_add(s, &r, HAUSA, strlen(HAUSA), 0, &v), 0);
	assert_int_equal(v, 1);
	const char two[] = HAUSA_HEADER "msgid \"Home\"\nmsgstr \"Gidan farko\"\n";
	assert_int_equal(check(&a, two, NULL, &r), 0);
	assert_int_equal(pack_store_add(s, &r, two, strlen(two), 0, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(pack_reload(s, "fr", err, sizeof(err)), 0);
	int ha = i18n_lang_from_tag("ha", 2);
	assert_string_equal(tr(ha, "Home"), "Gidan farko");
	assert_string_equal(tr(ha, "Sign in"), tr(LANG_FR, "Sign in"));
	/* Back to version 1: a new version 3 with its words. */
	assert_int_equal(pack_store_rollback(s, "ha", 1, 0, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(pack_store_rollback(s, "ha", 9, 0, &v), PONTE_ENOTFOUND);
	assert_int_equal(pack_reload_if_changed(s, "fr", err, sizeof(err)), 0);
	assert_string_equal(tr(ha, "Home"), "Gida");
	assert_string_equal(tr(ha, "Sign in"), "Shiga");
	assert_int_equal(pack_store_withdraw(s, "ha", 0, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(pack_store_withdraw(s, "ha", 0, &v), PONTE_ENOTFOUND);
	assert_int_equal(pack_reload_if_changed(s, "fr", err, sizeof(err)), 0);
	assert_int_equal(i18n_lang_from_tag("ha", 2), -1);
	/* The second language is a setting: a shipped language only. */
	assert_int_equal(setting_set(s, "second_language", "pt"), 0);
	assert_int_equal(setting_set(s, "second_language", "ha"), PONTE_EINVAL);
	assert_int_equal(setting_set(s, "second_language", "xx"), PONTE_EINVAL);
	arena_release(&a);
	store_close(s);
	free(path);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plural_rules_are_evaluated_not_run),
		cmocka_unit_test(a_good_pack_passes_and_says_what_it_holds),
		cmocka_unit_test(the_shipped_catalogues_pass_as_packs),
		cmocka_unit_test(bad_entries_are_refused_with_their_lines),
		cmocka_unit_test(headers_sizes_and_syntax_are_checked),
		cmocka_unit_test(missing_words_fall_back_word_by_word),
		cmocka_unit_test(versions_roll_back_and_withdraw),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
