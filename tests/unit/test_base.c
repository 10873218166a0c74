#include "testutil.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/field_error.h"
#include "base/json.h"
#include "base/urlcode.h"
#include "base/utf8.h"

static void buf_respects_ceiling(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10);
	/* One more byte passes the ceiling: refused, contents unchanged. */
	assert_int_equal(buf_putc(&b, 'x'), PONTE_ELIMIT);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	assert_int_equal(buf_printf(&b, "%d", 1), PONTE_ELIMIT);
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%s-%d", "ab", 42), 0);
	assert_string_equal(b.data, "ab-42");
	buf_release(&b);
	assert_null(b.data);
}

static void buf_append_overflow_is_refused(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, SIZE_MAX);
	assert_int_equal(buf_puts(&b, "abc"), 0);
	/* len + huge would wrap: must be refused, not wrap. */
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 1), PONTE_ELIMIT);
	size_t n;
	char *p = buf_detach(&b, &n);
	assert_int_equal(n, 3);
	assert_string_equal(p, "abc");
	free(p);
	buf_init(&b, 5);
	p = buf_detach(&b, &n);
	assert_non_null(p);
	assert_int_equal(n, 0);
	assert_string_equal(p, "");
	free(p);
}

static void arena_allocates_aligned_zeroed_memory_until_its_ceiling(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 64 * 1024);
	for (int i = 0; i < 100; i++) {
		unsigned char *p = arena_alloc(&a, (size_t)i + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (int k = 0; k <= i; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xAB, (size_t)i + 1);
	}
	assert_null(arena_alloc(&a, 1u << 20));         /* bigger than the ceiling */
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4)); /* n * size overflows */
	char *s = arena_printf(&a, "%s/%d", "cases", 7);
	assert_string_equal(s, "cases/7");
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	/* The date part of a date that is not there: never read past the string's end (the
	 * "Action needed" page cut an empty time to ten bytes and read a global's neighbours). */
	static const char empty[] = "";
	char *d = arena_strndup(&a, empty, 10);
	assert_string_equal(d, "");
	for (int k = 0; k <= 10; k++)
		assert_int_equal(d[k], 0); /* n bytes still readable, zeros after the end */
	assert_string_equal(arena_strndup(&a, "2026-12-02T10:00:00Z", 10), "2026-12-02");
	arena_release(&a);
	assert_null(a.head);
	/* Reusable after release. */
	assert_non_null(arena_alloc(&a, 100));
	arena_release(&a);
}

static void utf8_validation_is_strict(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{ "", true },
		{ "plain ascii", true },
		{ "Fran\xC3\xA7"
		  "ais",
		  true },
		{ "\xE2\x82\xAC", true },      /* euro sign */
		{ "\xF0\x9F\x98\x80", true },  /* emoji */
		{ "\xC0\xAF", false },         /* overlong '/' */
		{ "\xE0\x80\xAF", false },     /* overlong 3-byte */
		{ "\xF0\x80\x80\xAF", false }, /* overlong 4-byte */
		{ "\xED\xA0\x80", false },     /* surrogate U+D800 */
		{ "\xF4\x90\x80\x80", false }, /* above U+10FFFF */
		{ "\x80", false },             /* lone continuation */
		{ "\xC3", false },             /* truncated */
		{ "\xE2\x82", false },         /* truncated */
		{ "\xFF", false },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
	assert_false(utf8_valid_text("a\x01"
				     "b",
				     3));
	assert_true(utf8_valid_text("a\tb\r\n", 5));
	assert_false(utf8_valid_text("a\0b", 3));
	assert_int_equal(utf8_length("Fran\xC3\xA7"
				     "ais",
				     8),
			 7);
}

static int by_collation(const void *a, const void *b)
{
	return utf8_collate(*(const char *const *)a, *(const char *const *)b);
}

/* Country names sort as a French or Portuguese reader looks for them, accents in place. */
static void names_sort_with_their_accents_in_place(void **state)
{
	(void)state;
	const char *names[] = { "Zimbabwe",      "Égypte",  "Émirats arabes unis",
				"Espagne",       "Åland",   "Albanie",
				"Île Christmas", "Irlande", "Œil",
				"Oman",          "Ouganda", "égypte",
				"Ecuador",       "Áustria", "Índia",
				"Itália" };
	const char *sorted[] = { "Åland",
				 "Albanie",
				 "Áustria",
				 "Ecuador",
				 "Égypte",
				 "égypte",
				 "Émirats arabes unis",
				 "Espagne",
				 "Île Christmas",
				 "Índia",
				 "Irlande",
				 "Itália",
				 "Œil",
				 "Oman",
				 "Ouganda",
				 "Zimbabwe" };
	qsort(names, ARRAY_LEN(names), sizeof(names[0]), by_collation);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(names[i], sorted[i]);
	assert_true(utf8_collate("a", "ab") < 0);
	assert_true(utf8_collate("ab", "a") > 0);
	assert_int_equal(utf8_collate("Niger", "Niger"), 0);
	assert_true(utf8_collate("a÷b", "ab") > 0); /* ÷ folds to nothing, the bytes decide */
}

static int by_collation_arabic_first(const void *a, const void *b)
{
	return utf8_collate_arabic_first(*(const char *const *)a, *(const char *const *)b);
}

/* A list that mixes scripts puts the page's own first: on an Arabic page the names in
 * Arabic script, then the Latin ones (each script in its own order); on the others Latin
 * first. Digits come before both. */
static void mixed_scripts_sort_the_pages_own_first(void **state)
{
	(void)state;
	const char *names[] = { "Zinder", "مصر",      "Agadez", "تونس",
				"Émile",  "2 Niamey", "أحمد",   "ahmed" };
	const char *arabic[] = { "2 Niamey", "أحمد",  "تونس",  "مصر",
				 "Agadez",   "ahmed", "Émile", "Zinder" };
	const char *latin[] = { "2 Niamey", "Agadez", "ahmed", "Émile",
				"Zinder",   "أحمد",   "تونس",  "مصر" };
	qsort(names, ARRAY_LEN(names), sizeof(names[0]), by_collation_arabic_first);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(names[i], arabic[i]);
	qsort(names, ARRAY_LEN(names), sizeof(names[0]), by_collation);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(names[i], latin[i]);
	/* The same names compare equal either way; a longer name after its prefix. */
	assert_int_equal(utf8_collate_arabic_first("مصر", "مصر"), 0);
	assert_true(utf8_collate_arabic_first("مص", "مصر") < 0);
	assert_true(utf8_collate_arabic_first("Maroc", "مصر") > 0);
	assert_true(utf8_collate("Maroc", "مصر") < 0);
}

/* Arabic country names as an Arabic atlas lists them: the hamza on alef is a mark (إسبانيا
 * and ألمانيا under alef), and the alphabet's order, not the code points', decides where the
 * teh marbuta and alef maksura go. */
static void collation_orders_arabic_as_a_dictionary(void **state)
{
	(void)state;
	const char *names[] = { "موريتانيا", "تونس",   "ألمانيا", "النيجر",   "مصر",
				"إسبانيا",   "المغرب", "ليبيا",   "البرتغال", "الأردن" };
	const char *sorted[] = { "إسبانيا", "الأردن", "البرتغال", "ألمانيا", "المغرب",
				 "النيجر",  "تونس",   "ليبيا",    "مصر",     "موريتانيا" };
	qsort(names, ARRAY_LEN(names), sizeof(names[0]), by_collation);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(names[i], sorted[i]);

	char a[64], b[64];
	static const char *const same[][2] = {
		{ "أحمد", "احمد" },       /* hamza on alef */
		{ "إبراهيم", "ابراهيم" }, /* hamza below alef */
		{ "مُحَمَّد", "محمد" },       /* vowels and shadda */
		{ "مـحـمـد", "محمد" },    /* tatweel */
		{ "فاطمة", "فاطمت" },     /* teh marbuta with teh */
		{ "مصطفى", "مصطفي" },     /* alef maksura with yeh */
		{ "١٢٣", "123" },         /* Arabic-Indic digits */
	};
	for (size_t i = 0; i < ARRAY_LEN(same); i++) {
		utf8_fold(same[i][0], a, sizeof(a));
		utf8_fold(same[i][1], b, sizeof(b));
		assert_string_equal(a, b);
	}
	/* teh marbuta sorts after beh (it is teh), before theh; alef maksura after waw */
	assert_true(utf8_collate("ة", "ب") > 0);
	assert_true(utf8_collate("ة", "ث") < 0);
	assert_true(utf8_collate("ى", "و") > 0);
	/* the same letters compare equal first, then the bytes make the order total */
	assert_true(utf8_collate("أحمد", "احمد") != 0);
	assert_true(utf8_collate("أحمد", "احمدي") < 0);
	/* Latin script before Arabic; a lone lead byte is compared as a byte */
	assert_true(utf8_collate("Zimbabwe", "أ") < 0);
	assert_true(utf8_collate("\xD8", "\xD8\xA7") < 0);
}

static void url_decode_accepts_valid_and_rejects_bad_escapes(void **state)
{
	(void)state;
	char out[64];
	size_t n;
	assert_int_equal(url_decode("a%20b+c", 7, true, out, &n), 0);
	assert_string_equal(out, "a b c");
	assert_int_equal(url_decode("a%20b+c", 7, false, out, &n), 0);
	assert_string_equal(out, "a b+c");
	assert_int_equal(url_decode("caf%C3%A9", 9, false, out, &n), 0);
	assert_string_equal(out, "caf\xC3\xA9");
	assert_int_equal(n, 5);
	assert_int_equal(url_decode("%zz", 3, false, out, &n), PONTE_EINVAL);
	assert_int_equal(url_decode("%4", 2, false, out, &n), PONTE_EINVAL);
	assert_int_equal(url_decode("%", 1, false, out, &n), PONTE_EINVAL);
	assert_int_equal(url_decode("a%00b", 5, false, out, &n), PONTE_EINVAL);  /* NUL */
	assert_int_equal(url_decode("%C3%28", 6, false, out, &n), PONTE_EINVAL); /* bad UTF-8 */
	assert_int_equal(url_decode("%FF", 3, false, out, &n), PONTE_EINVAL);
}

static void form_parsing_decodes_and_bounds(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	url_params p;
	const char *q = "name=Ana+Silva&empty=&flag&&city=S%C3%A3o%20Tom%C3%A9&name=second";
	assert_int_equal(url_parse_params(&a, q, strlen(q), &URL_LIMITS_DEFAULT, &p), 0);
	assert_int_equal(p.count, 5);
	assert_string_equal(url_params_get(&p, "name"), "Ana Silva"); /* first wins */
	assert_string_equal(url_params_get(&p, "empty"), "");
	assert_string_equal(url_params_get(&p, "flag"), "");
	assert_string_equal(url_params_get(&p, "city"), "S\xC3\xA3o Tom\xC3\xA9");
	assert_null(url_params_get(&p, "missing"));
	assert_int_equal(url_parse_params(&a, "", 0, &URL_LIMITS_DEFAULT, &p), 0);
	assert_int_equal(p.count, 0);
	assert_int_equal(url_parse_params(&a, "a=%zz", 5, &URL_LIMITS_DEFAULT, &p), PONTE_EINVAL);

	url_limits small = { .max_params = 2, .max_key = 4, .max_value = 4 };
	assert_int_equal(url_parse_params(&a, "a=1&b=2&c=3", 11, &small, &p), PONTE_ELIMIT);
	assert_int_equal(url_parse_params(&a, "a=12345", 7, &small, &p), PONTE_ELIMIT);
	assert_int_equal(url_parse_params(&a, "abcde=1", 7, &small, &p), PONTE_ELIMIT);
	assert_int_equal(url_parse_params(&a, "a=1&b=2", 7, &small, &p), 0);
	arena_release(&a);
}

static void url_encode_component_keeps_only_unreserved(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 1024);
	assert_int_equal(url_encode_component(&b, "a b/c?d=é&<>\"'", strlen("a b/c?d=é&<>\"'")), 0);
	assert_string_equal(b.data, "a%20b%2Fc%3Fd%3D%C3%A9%26%3C%3E%22%27");
	buf_release(&b);
}

static void json_strings_are_escaped_for_json_and_html(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 1024);
	const char *s = "a\"b\\c\n</script>&\x01\xE2\x80\xA8";
	assert_int_equal(json_string(&b, s, strlen(s)), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u003c/script\\u003e\\u0026\\u0001\\u2028\"");
	buf_reset(&b);
	assert_int_equal(json_string(&b,
				     "\xFF"
				     "x",
				     2),
			 0); /* invalid byte replaced */
	assert_string_equal(b.data, "\"\xEF\xBF\xBDx\"");
	buf_release(&b);
}

static void clock_formats_rfc3339_utc(void **state)
{
	(void)state;
	char out[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	clock_format_rfc3339(1795000000123LL, out);
	assert_string_equal(out, "2026-11-18T11:06:40.123Z");
	uint64_t a = clock_monotonic_ns(), b = clock_monotonic_ns();
	assert_true(b >= a);
}

static void field_errors_are_kept_found_and_bounded(void **state)
{
	(void)state;
	field_errors e = { .count = 0 };
	field_errors_add(&e, "title", "first");
	field_errors_add(&e, "body", "second");
	field_errors_add(&e, "title", "third");
	assert_int_equal(e.count, 3);
	assert_string_equal(field_errors_find(&e, "title"), "first");
	assert_string_equal(field_errors_find(&e, "body"), "second");
	assert_null(field_errors_find(&e, "summary"));
	assert_null(field_errors_find(NULL, "title"));
	for (int i = 0; i < 2 * FIELD_ERRORS_MAX; i++)
		field_errors_add(&e, "x", "more");
	assert_int_equal(e.count, FIELD_ERRORS_MAX);
	field_errors_add(NULL, "x", "nobody asked");
	field_errors_clear(&e);
	assert_int_equal(e.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_respects_ceiling),
		cmocka_unit_test(buf_append_overflow_is_refused),
		cmocka_unit_test(arena_allocates_aligned_zeroed_memory_until_its_ceiling),
		cmocka_unit_test(utf8_validation_is_strict),
		cmocka_unit_test(names_sort_with_their_accents_in_place),
		cmocka_unit_test(mixed_scripts_sort_the_pages_own_first),
		cmocka_unit_test(collation_orders_arabic_as_a_dictionary),
		cmocka_unit_test(url_decode_accepts_valid_and_rejects_bad_escapes),
		cmocka_unit_test(form_parsing_decodes_and_bounds),
		cmocka_unit_test(url_encode_component_keeps_only_unreserved),
		cmocka_unit_test(json_strings_are_escaped_for_json_and_html),
		cmocka_unit_test(clock_formats_rfc3339_utc),
		cmocka_unit_test(field_errors_are_kept_found_and_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
