/* Language packs over HTTP (issue #19): an administrator loads a small Hausa pack on
 * /admin/languages, a case worker chooses Hausa and reads its words, with the words it lacks
 * in French (the instance's second language); the administrator's own French word for a
 * legal term shows at once, without a restart; a bad pack is refused with its lines; a
 * roll-back brings earlier words back; who is not an administrator is refused, and the
 * forms need their CSRF token. */
#include "httptest.h"

#include "base/log.h"
#include "i18n/i18n.h"

static struct ht_server S;
static struct web_session admin, worker;

static const char HAUSA[] = "# Hausa words for Ponte's sign-in and home pages.\n"
			    "msgid \"\"\nmsgstr \"\"\n"
			    "\"Language: ha\\n\"\n"
			    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
			    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
			    "\"X-Ponte-Language-Name: Hausa\\n\"\n\n"
			    "msgid \"Home\"\nmsgstr \"Gida\"\n\n"
			    "msgid \"Sign in\"\nmsgstr \"Shiga\"\n\n"
			    "msgid \"Sign out\"\nmsgstr \"Fita\"\n\n"
			    "msgid \"Password\"\nmsgstr \"Kalmar sirri\"\n\n"
			    "msgid \"Your profile\"\nmsgstr \"Bayananka\"\n\n"
			    "msgid \"Language\"\nmsgstr \"Harshe\"\n";

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	assert_int_equal(web_login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, NULL, &admin), 303);
	assert_int_equal(web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &worker),
			 303);
	return 0;
}

static long get(const struct web_session *w, const char *path, const char *extra, struct ht_resp *r)
{
	const char *h[] = { w ? w->cookie : extra, w ? extra : NULL, NULL };
	ht_get(S.port, path, h, r);
	return r->status;
}

static bool page_has(const struct web_session *w, const char *path, const char *extra,
		     const char *text)
{
	struct ht_resp r;
	get(w, path, extra, &r);
	bool yes = r.status == 200 && strstr(r.body, text) != NULL;
	if (!yes)
		print_message("%s: %ld, no \"%s\"\n", path, r.status, text);
	ht_free(&r);
	return yes;
}

static long load_pack(const struct web_session *w, const char *fields, const char *po,
		      struct ht_resp *r)
{
	return upload(w->cookie, "/admin/languages/upload", fields, "pack.po", po, strlen(po), r);
}

static void only_administrators_load_packs_and_with_their_token(void **state)
{
	(void)state;
	struct ht_resp r;
	char csrf[96];
	snprintf(csrf, sizeof(csrf), "csrf=%s", worker.csrf);
	assert_int_equal(get(&worker, "/admin/languages", NULL, &r), 403);
	ht_free(&r);
	assert_int_equal(load_pack(&worker, csrf, HAUSA, &r), 403);
	ht_free(&r);
	assert_int_equal(
	    form_post(&worker, "/admin/languages", "do=settings&second_language=fr", &r), 403);
	ht_free(&r);
	/* The administrator without the token, or with another's. */
	assert_int_equal(load_pack(&admin, NULL, HAUSA, &r), 403);
	ht_free(&r);
	assert_int_equal(load_pack(&admin, csrf, HAUSA, &r), 403);
	ht_free(&r);
	const char *h[] = { admin.cookie, "Content-Type: application/x-www-form-urlencoded", NULL };
	const char body[] = "do=settings&second_language=fr";
	assert_int_equal(
	    ht_request(S.port, "POST", "/admin/languages", body, sizeof(body) - 1, h, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	/* Nothing changed: no Hausa, no second language. */
	assert_int_equal(i18n_lang_from_tag("ha", 2), -1);
	assert_true(
	    page_has(&admin, "/admin/languages", NULL, "No language pack has been loaded yet."));
}

static void a_bad_pack_is_refused_with_its_lines_in_the_admins_language(void **state)
{
	(void)state;
	struct ht_resp r;
	char csrf[96];
	snprintf(csrf, sizeof(csrf), "csrf=%s", admin.csrf);
	const char bad[] = "msgid \"\"\nmsgstr \"Language: ha\\n\"\n\n" /* no Plural-Forms */
			   "msgid \"Home\"\nmsgstr \"<script>alert(1)</script>\"\n"; /* line 4 */
	assert_int_equal(load_pack(&admin, csrf, bad, &r), 422);
	assert_non_null(strstr(r.body, "A new language needs a Plural-Forms header."));
	assert_non_null(strstr(r.body, "<td>4</td>"));
	assert_non_null(strstr(r.body, "The translation has markup"));
	assert_null(strstr(r.body, "<script>alert"));
	ht_free(&r);
	/* In French for an administrator reading French. */
	char fields[128];
	snprintf(fields, sizeof(fields), "csrf=%s", admin.csrf);
	const char *h[] = { admin.cookie, "Content-Type: multipart/form-data; boundary=XyZ", NULL };
	char body[2048];
	size_t n = multipart(body, sizeof(body), fields, "pack.po", bad, strlen(bad));
	assert_int_equal(
	    ht_request(S.port, "POST", "/admin/languages/upload?lang=fr", body, (long)n, h, &r),
	    CURLE_OK);
	assert_int_equal(r.status, 422);
	/* "Une nouvelle langue a besoin d'un en-tête Plural-Forms.", its apostrophe escaped. */
	char french[256];
	const char *fr = tr(LANG_FR, "A new language needs a Plural-Forms header.");
	size_t k = 0;
	for (const char *c = fr; *c && k + 6 < sizeof(french); c++)
		k += (size_t)snprintf(french + k, sizeof(french) - k, *c == '\'' ? "&#39;" : "%c",
				      *c);
	assert_string_not_equal(fr, "A new language needs a Plural-Forms header.");
	assert_non_null(strstr(r.body, french));
	assert_null(strstr(r.body, "A new language needs a Plural-Forms header."));
	ht_free(&r);
	assert_int_equal(i18n_lang_from_tag("ha", 2), -1);
}

static void a_hausa_pack_is_chosen_and_falls_back_to_french(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(
	    form_post(&admin, "/admin/languages", "do=settings&second_language=fr", &r), 303);
	ht_free(&r);
	char csrf[96];
	snprintf(csrf, sizeof(csrf), "csrf=%s", admin.csrf);
	assert_int_equal(load_pack(&admin, csrf, HAUSA, &r), 303);
	ht_free(&r);
	/* The administrator's page: Hausa, its version, its share of Ponte's texts. */
	get(&admin, "/admin/languages", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(
	    strstr(r.body, "<tr data-code=\"ha\"><td lang=\"ha\" dir=\"ltr\">Hausa</td>"));
	assert_non_null(strstr(r.body, "data-code=\"ha\" data-version=\"1\""));
	assert_non_null(strstr(r.body, "Administrator"));
	char share[64];
	snprintf(share, sizeof(share), "<td>6 (%zu%%)</td>", /* Portuguese: 5%, no space */
		 (600 + i18n_word_count() / 2) / i18n_word_count());
	assert_non_null(strstr(r.body, share));
	ht_free(&r);

	/* A visitor asking for Hausa; the browser's Accept-Language too. */
	assert_true(page_has(NULL, "/login?lang=ha", NULL, "<html lang=\"ha\" dir=\"ltr\">"));
	assert_true(page_has(NULL, "/login?lang=ha", NULL, ">Shiga<"));
	assert_true(page_has(NULL, "/login?lang=ha", NULL, tr(LANG_FR, "E-mail address")));
	assert_true(page_has(NULL, "/login", "Accept-Language: ha-NG, fr;q=0.5", ">Kalmar sirri<"));
	/* The case worker chooses Hausa in the profile: listed there, saved, followed. */
	assert_true(page_has(&worker, "/profile", NULL, "<option value=\"ha\""));
	assert_int_equal(form_post(&worker, "/profile/language", "language=ha", &r), 303);
	ht_free(&r);
	get(&worker, "/", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html lang=\"ha\" dir=\"ltr\">"));
	assert_non_null(strstr(r.body, ">Gida<"));
	assert_non_null(strstr(r.body, ">Fita<"));
	/* What the pack lacks is French, not English. */
	char french[128];
	snprintf(french, sizeof(french), ">%s<", tr(LANG_FR, "Action needed"));
	assert_non_null(strstr(r.body, french));
	assert_null(strstr(r.body, ">Action needed<"));
	ht_free(&r);
}

static void a_french_legal_term_is_overridden_without_a_restart(void **state)
{
	(void)state;
	struct ht_resp r;
	char csrf[96];
	snprintf(csrf, sizeof(csrf), "csrf=%s", admin.csrf);
	assert_string_equal(tr(LANG_FR, "Presumed victim"), "Victime présumée");
	assert_true(page_has(&worker, "/?lang=fr", NULL, ">Action requise<") ||
		    page_has(&worker, "/?lang=fr", NULL, tr(LANG_FR, "Action needed")));
	const char fr[] = "msgid \"\"\nmsgstr \"Language: fr\\n\"\n\n"
			  "msgid \"Presumed victim\"\nmsgstr \"Victime potentielle\"\n\n"
			  "msgid \"Action needed\"\nmsgstr \"À traiter\"\n";
	assert_int_equal(load_pack(&admin, csrf, fr, &r), 303);
	ht_free(&r);
	assert_string_equal(tr(LANG_FR, "Presumed victim"), "Victime potentielle");
	/* The French reader sees it; so does the Hausa reader, whose pack lacks the word. */
	assert_true(page_has(&worker, "/?lang=fr", NULL, ">À traiter<"));
	assert_true(page_has(&worker, "/", NULL, ">À traiter<"));
	assert_true(page_has(&worker, "/?lang=fr", NULL, tr(LANG_FR, "Sign out")));
	/* Back to version 1 of Hausa after a second load; French back without its own words. */
	const char two[] = "msgid \"\"\nmsgstr \"Language: ha\\nPlural-Forms: nplurals=2; "
			   "plural=(n != 1);\\n\"\n\nmsgid \"Home\"\nmsgstr \"Shafin farko\"\n";
	assert_int_equal(load_pack(&admin, csrf, two, &r), 303);
	ht_free(&r);
	assert_true(page_has(&worker, "/", NULL, ">Shafin farko<"));
	assert_int_equal(form_post(&admin, "/admin/languages", "do=rollback&lang=ha&version=1", &r),
			 303);
	ht_free(&r);
	assert_true(page_has(&worker, "/", NULL, ">Gida<"));
	assert_int_equal(form_post(&admin, "/admin/languages", "do=withdraw&lang=fr", &r), 303);
	ht_free(&r);
	assert_string_equal(tr(LANG_FR, "Presumed victim"), "Victime présumée");
	assert_int_equal(
	    form_post(&admin, "/admin/languages", "do=rollback&lang=ha&version=99", &r), 404);
	ht_free(&r);
	/* Every change is in the audit trail. */
	assert_int_equal(ht_query_int("SELECT count(*) FROM audit_events WHERE action LIKE "
				      "'language_pack.%' AND outcome = 'success'"),
			 5); /* ha, fr, ha v2, roll-back, withdrawal */
}

static void eastern_digits_are_set_on_the_page(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_false(page_has(&admin, "/admin/languages", NULL, "value=\"1\" checked"));
	/* The number of Ponte's texts (over a thousand): "1,4.." in Western digits, then "١٬٤..". */
	assert_true(page_has(&admin, "/admin/languages?lang=ar", NULL, ": 1,"));
	assert_int_equal(form_post(&admin, "/admin/languages",
				   "do=settings&second_language=fr&arabic_eastern_digits=1", &r),
			 303);
	ht_free(&r);
	assert_true(page_has(&admin, "/admin/languages", NULL, "value=\"1\" checked"));
	/* An Arabic page now writes the count of texts in Eastern digits. */
	assert_true(page_has(&admin, "/admin/languages?lang=ar", NULL, ": \u0661\u066c"));
	assert_int_equal(
	    form_post(&admin, "/admin/languages", "do=settings&second_language=xx", &r), 422);
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_administrators_load_packs_and_with_their_token),
		cmocka_unit_test(a_bad_pack_is_refused_with_its_lines_in_the_admins_language),
		cmocka_unit_test(a_hausa_pack_is_chosen_and_falls_back_to_french),
		cmocka_unit_test(a_french_legal_term_is_overridden_without_a_restart),
		cmocka_unit_test(eastern_digits_are_set_on_the_page),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
