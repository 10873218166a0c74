#include "testutil.h"

#include "base/clock.h"
#include "base/embedded.h"
#include "cases/cases.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/po.h"
#include "i18n/vocab.h"

struct collected {
	int count;
	po_entry last;
	po_entry all[16];
};

static int collect(const po_entry *e, void *ctx)
{
	struct collected *c = ctx;
	if (c->count < 16)
		c->all[c->count] = *e;
	c->last = *e;
	c->count++;
	return 0;
}

static void po_parser_reads_escapes_continuations_plurals_and_flags(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	const char po[] = "# comment\n"
			  "msgid \"\"\n"
			  "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n"
			  "\n"
			  "#: src/x.c:1\n"
			  "msgid \"Two \"\n"
			  "\"lines\"\r\n"
			  "msgstr \"Deux \\\"lignes\\\"\\n\"\n"
			  "\n"
			  "#, fuzzy\n"
			  "msgid \"Fuzzy\"\n"
			  "msgstr \"Flou\"\n"
			  "msgid \"%d case\"\n"
			  "msgid_plural \"%d cases\"\n"
			  "msgstr[0] \"%d dossier\"\n"
			  "msgstr[1] \"%d dossiers\"\n"
			  "msgctxt \"menu\"\n"
			  "msgid \"Open\"\n"
			  "msgstr \"Ouvrir\"";
	struct collected c = { 0 };
	char err[128];
	assert_int_equal(po_parse(&a, po, strlen(po), collect, &c, err, sizeof(err)), 0);
	assert_int_equal(c.count, 5);
	assert_string_equal(c.all[1].msgid, "Two lines");
	assert_string_equal(c.all[1].msgstr[0], "Deux \"lignes\"\n");
	assert_true(c.all[2].fuzzy);
	assert_false(c.all[1].fuzzy);
	assert_string_equal(c.all[3].msgid_plural, "%d cases");
	assert_int_equal(c.all[3].nstr, 2);
	assert_string_equal(c.all[3].msgstr[1], "%d dossiers");
	assert_string_equal(c.all[4].msgctxt, "menu");
	arena_release(&a);
}

static void po_parser_reports_line_and_reason(void **state)
{
	(void)state;
	const char *bad[] = {
		"msgid \"a\"\nmsgstr \"unterminated\n",
		"msgstr \"before id\"\n",
		"msgid \"a\"\nmsgstr \"x\" trailing\n",
		"msgid \"a\"\nmsgstr \"\\q\"\n",
		"msgid \"a\"\nbogus \"x\"\n",
		"\"orphan continuation\"\n",
		"msgid \"a\"\nmsgstr[0] \"x\"\n",
		"msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[9] \"x\"\n",
		"msgid \"a\"\n",
		"msgid \"\xC3\x28\"\nmsgstr \"x\"\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		arena a;
		arena_init(&a, 1 << 20);
		struct collected c = { 0 };
		char err[128] = "";
		if (po_parse(&a, bad[i], strlen(bad[i]), collect, &c, err, sizeof(err)) !=
		    PONTE_EINVAL)
			fail_msg("accepted malformed PO #%zu", i);
		assert_non_null(strstr(err, "line "));
		arena_release(&a);
	}
}

static void lookups_fall_back_to_the_msgid(void **state)
{
	(void)state;
	char err[128];
	const char po[] = "msgid \"Hello\"\nmsgstr \"Olá\"\n"
			  "msgid \"Untranslated\"\nmsgstr \"\"\n"
			  "#, fuzzy\nmsgid \"Fuzzy\"\nmsgstr \"Difuso\"\n"
			  "msgid \"one case\"\nmsgid_plural \"many cases\"\nmsgstr[0] \"um "
			  "processo\"\nmsgstr[1] \"vários processos\"\n";
	assert_int_equal(i18n_load_catalogue(LANG_PT, po, strlen(po), err, sizeof(err)), 0);
	assert_string_equal(tr(LANG_PT, "Hello"), "Olá");
	assert_string_equal(tr(LANG_EN, "Hello"), "Hello");
	assert_string_equal(tr(LANG_PT, "Untranslated"), "Untranslated");
	assert_string_equal(tr(LANG_PT, "Fuzzy"), "Fuzzy");
	assert_string_equal(tr(LANG_PT, "Unknown"), "Unknown");
	assert_string_equal(trn(LANG_PT, "one case", "many cases", 1), "um processo");
	assert_string_equal(trn(LANG_PT, "one case", "many cases", 0), "vários processos");
	assert_string_equal(trn(LANG_EN, "one case", "many cases", 2), "many cases");
	/* A broken catalogue is refused and the previous one stays. */
	assert_int_equal(i18n_load_catalogue(LANG_PT, "msgid", 5, err, sizeof(err)), PONTE_EINVAL);
	assert_string_equal(tr(LANG_PT, "Hello"), "Olá");
	i18n_shutdown();
}

static void french_plural_counts_zero_as_singular(void **state)
{
	(void)state;
	char err[128];
	const char po[] = "msgid \"one case\"\nmsgid_plural \"many cases\"\nmsgstr[0] \"un "
			  "dossier\"\nmsgstr[1] \"des dossiers\"\n";
	assert_int_equal(i18n_load_catalogue(LANG_FR, po, strlen(po), err, sizeof(err)), 0);
	assert_string_equal(trn(LANG_FR, "one case", "many cases", 0), "un dossier");
	assert_string_equal(trn(LANG_FR, "one case", "many cases", 1), "un dossier");
	assert_string_equal(trn(LANG_FR, "one case", "many cases", 2), "des dossiers");
	i18n_shutdown();
}

static void accept_language_picks_the_best_supported(void **state)
{
	(void)state;
	const struct {
		const char *header;
		int lang;
	} cases[] = {
		{ "fr-SN,fr;q=0.9,en;q=0.8", LANG_FR },
		{ "de-DE,de;q=0.9,pt-PT;q=0.7,en;q=0.5", LANG_PT },
		{ "en;q=0.2, pt-BR;q=0.8", LANG_PT },
		{ "de, it", -1 },
		{ "es-419,es;q=0.9,en;q=0.5", LANG_ES },
		{ "it;q=0.9, es-MX;q=0.8, fr;q=0.7", LANG_ES },
		{ "fr;q=0", -1 },
		{ "FR", LANG_FR },
		{ "*", -1 },
		{ "", -1 },
		{ "fr;q=abc, pt", LANG_PT },
		{ "fr;q=1.0, pt;q=1", LANG_FR },
		{ ";;;,,,==", -1 },
		{ "pt_PT", LANG_PT },
		{ "ptx", -1 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (i18n_from_accept_language(cases[i].header) != cases[i].lang)
			fail_msg("Accept-Language \"%s\": expected %d", cases[i].header,
				 cases[i].lang);
	assert_int_equal(i18n_from_accept_language(NULL), -1);
}

static void negotiation_order_is_query_user_cookie_header_english(void **state)
{
	(void)state;
	assert_int_equal(i18n_negotiate("pt", "fr", "en", "fr"), LANG_FR);
	assert_int_equal(i18n_negotiate("pt", NULL, "en", "fr"), LANG_PT);
	assert_int_equal(i18n_negotiate("pt", "xx", "en", "fr"), LANG_PT);
	assert_int_equal(i18n_negotiate(NULL, "fr", "pt", "en"), LANG_FR);
	assert_int_equal(i18n_negotiate(NULL, "xx", "pt", "fr"), LANG_PT);
	assert_int_equal(i18n_negotiate(NULL, NULL, NULL, "pt;q=0.5, fr;q=0.9"), LANG_FR);
	assert_int_equal(i18n_negotiate(NULL, NULL, NULL, "de"), LANG_EN);
	assert_int_equal(i18n_negotiate("fr", "es", NULL, NULL), LANG_ES);
	assert_int_equal(i18n_negotiate("es", NULL, "fr", "pt"), LANG_ES);
	assert_int_equal(i18n_negotiate(NULL, NULL, NULL, NULL), LANG_EN);
	assert_string_equal(i18n_lang(LANG_FR)->code, "fr");
	assert_string_equal(i18n_lang(99)->code, "en");
}

static void shipped_catalogues_load_and_translate(void **state)
{
	(void)state;
	char err[256] = "";
	int rc = i18n_init(err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_non_null(embedded_find("po/fr.po"));
	assert_non_null(embedded_find("po/pt.po"));
	assert_non_null(embedded_find("po/es.po"));
	assert_string_equal(tr(LANG_FR, "Home"), "Accueil");
	assert_string_equal(tr(LANG_PT, "Home"), "Início");
	assert_string_equal(tr(LANG_ES, "Home"), "Inicio");
	assert_string_equal(tr(LANG_ES, "Presumed victim"), "Presunta víctima");
	assert_true(i18n_has(LANG_ES, "Page not found"));
	assert_string_equal(i18n_lang(LANG_ES)->native_name, "Español");
	assert_true(i18n_has(LANG_FR, "Page not found"));
	assert_true(i18n_has(LANG_PT, "Page not found"));
	i18n_shutdown();
}

/* Dates, times and numbers as each language writes them, in the installation's time zone. */
/* Every vocabulary is found by its name, and only by it: names are unique, and a name that
 * sorts between two others, or before or after all, finds nothing. */
static void every_vocabulary_is_found_by_its_name(void **state)
{
	(void)state;
	size_t n = vocab_count();
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		const vocab_table *v = vocab_at(i);
		assert_ptr_equal(vocab_find(v->name), v);
		char next[128];
		snprintf(next, sizeof(next), "%s!", v->name);
		const vocab_table *w = vocab_find(next);
		assert_true(w == NULL || strcmp(w->name, next) == 0);
	}
	assert_null(vocab_find(""));
	assert_null(vocab_find("~~~"));
	assert_null(vocab_find(NULL));
	assert_string_equal(vocab_label(0, "case.phase", "no such code"), "no such code");
}

static void dates_and_numbers_read_as_the_language_writes_them(void **state)
{
	(void)state;
	char err[256] = "";
	if (i18n_init(err, sizeof(err)))
		fail_msg("%s", err);
	i18n_format_init();
	assert_true(i18n_zone_set("Europe/Lisbon"));
	arena a;
	arena_init(&a, 1 << 16);
	assert_string_equal(i18n_datetime(&a, LANG_EN, "2026-11-28T14:05:09.123Z"),
			    "28 Nov 2026, 14:05");
	assert_string_equal(i18n_datetime(&a, LANG_FR, "2026-11-28T14:05:09.123Z"),
			    "28 nov. 2026, 14:05");
	assert_string_equal(i18n_datetime(&a, LANG_PT, "2026-11-28T14:05:09.123Z"),
			    "28/11/2026 14:05");
	assert_string_equal(i18n_datetime(&a, LANG_ES, "2026-11-28T14:05:09.123Z"),
			    "28 nov 2026, 14:05");
	assert_string_equal(i18n_datetime(&a, LANG_AR, "2026-11-28T14:05:09.123Z"),
			    "28/11/2026 14:05");
	/* Summer time in Lisbon is an hour ahead of UTC; the date may change with it. */
	assert_string_equal(i18n_datetime(&a, LANG_EN, "2026-07-01T23:30:00Z"),
			    "2 Jul 2026, 00:30");
	/* A calendar date stays the date it is, whatever the time zone. */
	assert_string_equal(i18n_date(&a, LANG_FR, "2026-02-01"), "1 févr. 2026");
	assert_string_equal(i18n_datetime(&a, LANG_PT, "2026-02-01"), "01/02/2026");
	/* What is not a date is shown as it is. */
	assert_string_equal(i18n_date(&a, LANG_EN, "2026-02-30"), "2026-02-30");
	assert_string_equal(i18n_date(&a, LANG_EN, "soon"), "soon");
	assert_string_equal(i18n_date(&a, LANG_EN, ""), "");
	assert_null(i18n_date(&a, LANG_EN, NULL));
	/* Relative to today. */
	int64_t now;
	assert_true(clock_parse("2026-11-28T10:00:00Z", &now));
	assert_string_equal(i18n_relative_day(&a, LANG_EN, "2026-12-01", now), "in 3 days");
	assert_string_equal(i18n_relative_day(&a, LANG_FR, "2026-12-01", now), "dans 3 jours");
	assert_string_equal(i18n_relative_day(&a, LANG_PT, "2026-11-27", now), "ontem");
	assert_string_equal(i18n_relative_day(&a, LANG_FR, "2026-11-27", now), "hier");
	assert_string_equal(i18n_relative_day(&a, LANG_EN, "2026-11-26", now), "2 days ago");
	assert_string_equal(i18n_relative_day(&a, LANG_EN, "2026-11-28T23:59:00Z", now), "today");
	assert_string_equal(i18n_relative_day(&a, LANG_EN, "2027-06-01", now), "1 Jun 2027");
	/* Numbers grouped by the language: a narrow no-break space in French. */
	assert_string_equal(i18n_number(&a, LANG_EN, 5208), "5,208");
	assert_string_equal(i18n_number(&a, LANG_FR, 5208), "5\u202f208");
	assert_string_equal(i18n_number(&a, LANG_PT, 5208), "5.208");
	assert_string_equal(i18n_number(&a, LANG_EN, -1234567), "-1,234,567");
	/* Spanish groups from five digits on. */
	assert_string_equal(i18n_number(&a, LANG_ES, 5208), "5208");
	assert_string_equal(i18n_number(&a, LANG_ES, 52080), "52.080");
	assert_string_equal(i18n_number(&a, LANG_EN, 999), "999");
	assert_string_equal(i18n_number(&a, LANG_EN, INT64_MIN), "-9,223,372,036,854,775,808");
	char big[I18N_NUMBER_MAX];
	assert_string_equal(i18n_number_to(LANG_FR, INT64_MIN, big),
			    "-9\u202f223\u202f372\u202f036\u202f854\u202f775\u202f808");
	/* French spaces : ; ! ? off the word before them; the others do not. */
	assert_string_equal(i18n_before_mark(LANG_FR), "\u202f");
	assert_string_equal(i18n_before_mark(LANG_EN), "");
	assert_string_equal(i18n_before_mark(LANG_PT), "");
	/* Days as people type them: a date picker's, the day first, the month named. */
	static const char *const DAYS[][3] = {
		{ "en", "2026-11-28", "2026-11-28" },
		{ "en", "28/11/2026", "2026-11-28" },
		{ "pt", "28.11.2026", "2026-11-28" },
		{ "fr", " 1/2/2026 ", "2026-02-01" },
		{ "en", "28 Nov 2026", "2026-11-28" },
		{ "en", "28 November 2026", "2026-11-28" },
		{ "fr", "28 nov. 2026", "2026-11-28" },
		{ "fr", "1 juillet 2026", "2026-07-01" },
		{ "fr", "1 juin 2026", "2026-06-01" },
		{ "es", "3 ene 2026", "2026-01-03" },
		{ "en", "29/02/2028", "2028-02-29" },
		/* An Arabic keyboard's digits, Arabic-Indic and Persian. */
		{ "ar", "٢٨/١١/٢٠٢٦", "2026-11-28" },
		{ "ar", "۲۸-۱۱-۲۰۲۶", "2026-11-28" },
	};
	for (size_t i = 0; i < ARRAY_LEN(DAYS); i++) {
		char day[11] = "";
		if (!i18n_date_read(i18n_lang_from_tag(DAYS[i][0], 2), DAYS[i][1], day))
			fail_msg("%s: \"%s\" not read", DAYS[i][0], DAYS[i][1]);
		assert_string_equal(day, DAYS[i][2]);
	}
	static const char *const NOT_DAYS[] = { "",
						"31/02/2026",
						"29/02/2027",
						"2026-13-01",
						"28/11/26",
						"28 Brumaire 2026",
						"2026-11-28T10:00:00Z",
						"yesterday",
						"28/11/2026 x",
						"0/11/2026",
						"٣١/٠٢/٢٠٢٦",
						"28/11/2026١" };
	for (size_t i = 0; i < ARRAY_LEN(NOT_DAYS); i++) {
		char day[11] = "";
		if (i18n_date_read(LANG_EN, NOT_DAYS[i], day))
			fail_msg("\"%s\" read as %s", NOT_DAYS[i], day);
	}
	assert_false(i18n_date_read(LANG_EN, NULL, (char[11]){ 0 }));
	/* Another zone, no summer time: Niamey is an hour ahead of UTC all year. */
	assert_true(i18n_zone_set("Africa/Niamey"));
	assert_string_equal(i18n_datetime(&a, LANG_EN, "2026-07-01T23:30:00Z"),
			    "2 Jul 2026, 00:30");
	assert_string_equal(i18n_datetime(&a, LANG_EN, "2026-01-01T22:59:00Z"),
			    "1 Jan 2026, 23:59");
	char start[CLOCK_RFC3339_LEN];
	assert_true(i18n_day_start("2026-03-01", 0, start));
	assert_string_equal(start, "2026-02-28T23:00:00.000Z");
	/* Just after midnight in Niamey (23:30 UTC): today is Niamey's day, not UTC's. */
	int64_t at;
	assert_true(clock_parse("2026-07-01T23:30:00Z", &at));
	clock_wall_shift(at - clock_wall_ms());
	char today[11], day[11];
	i18n_today(today);
	assert_string_equal(today, "2026-07-02");
	bool future = true;
	assert_true(case_date_valid("2026-07-02", &future));
	assert_false(future);
	assert_true(case_date_valid("2026-07-03", &future));
	assert_true(future);
	assert_true(i18n_day_of("2026-07-01T23:30:00.000Z", day));
	assert_string_equal(day, "2026-07-02");
	assert_true(i18n_day_of("2026-07-01", day));
	assert_string_equal(day, "2026-07-01");
	assert_false(i18n_day_of("yesterday", day));
	assert_string_equal(day, "");
	assert_true(i18n_zone_set("UTC"));
	i18n_today(today);
	assert_string_equal(today, "2026-07-01");
	assert_true(case_date_valid("2026-07-02", &future));
	assert_true(future);
	assert_true(i18n_zone_set("Africa/Niamey"));
	clock_wall_shift(0);
	/* A name that is no zone changes nothing. */
	assert_false(i18n_zone_set("Mars/Olympus_Mons"));
	assert_string_equal(i18n_datetime(&a, LANG_EN, "2026-01-01T22:59:00Z"),
			    "1 Jan 2026, 23:59");
	i18n_format_init();
	arena_release(&a);
	i18n_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(po_parser_reads_escapes_continuations_plurals_and_flags),
		cmocka_unit_test(po_parser_reports_line_and_reason),
		cmocka_unit_test(lookups_fall_back_to_the_msgid),
		cmocka_unit_test(french_plural_counts_zero_as_singular),
		cmocka_unit_test(accept_language_picks_the_best_supported),
		cmocka_unit_test(negotiation_order_is_query_user_cookie_header_english),
		cmocka_unit_test(shipped_catalogues_load_and_translate),
		cmocka_unit_test(dates_and_numbers_read_as_the_language_writes_them),
		cmocka_unit_test(every_vocabulary_is_found_by_its_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
