/* What a change did, said once on the next page: the layout's role="status" region after a
 * POST and its redirect (web_flash()), for a sample of the actions of every kind of user,
 * kept in the session (never the address or a cookie), shown once, in the user's language. */
#include "httptest.h"

#include "base/log.h"

static struct ht_server S;
static char cw_api[128];

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	bearer("case.worker@demo.ponte.example", cw_api, sizeof(cw_api));
	return 0;
}

static void sign_in(const char *email, struct web_session *w)
{
	throttle_reset_all();
	assert_int_equal(web_login(email, DEMO_PASSWORD, NULL, w), 303);
}

/* The text of the page's status region ("" when empty), from the layout's one region. */
static void status_of(const char *body, char *out, size_t n)
{
	const char *p = strstr(body, "<div id=\"flash\" role=\"status\"");
	assert_non_null(p);
	p = strchr(p, '>');
	assert_non_null(p);
	p++;
	const char *end = strstr(p, "</div>");
	assert_non_null(end);
	snprintf(out, n, "%.*s", (int)(end - p), p);
}

/* GET path as w: the status region's text. */
static void shown(const struct web_session *w, const char *path, char *out, size_t n)
{
	const char *h[] = { w->cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, path, h, &r);
	assert_int_equal(r.status, 200);
	status_of(r.body, out, n);
	ht_free(&r);
}

/* POST fields to path as w, expecting a redirect; the address it goes to in loc. */
static void post_redirected(const struct web_session *w, const char *path, const char *fields,
			    char *loc, size_t n)
{
	struct ht_resp r;
	long status = form_post(w, path, fields, &r);
	if (status != 303)
		fail_msg("POST %s answered %ld: %s", path, status,
			 strstr(r.body, "<main") ? strstr(r.body, "<main") : r.body);
	/* Nothing of the message travels in the address or a cookie (?lang= is remembered in
	 * one, as on every page). */
	char v[256];
	if (ht_header(&r, "Set-Cookie", v, sizeof(v)))
		assert_int_equal(strncmp(v, "ponte_lang=", 11), 0);
	assert_non_null(ht_header(&r, "Location", loc, n));
	/* At most the service a recorded consent leads to (a number, not the message). */
	const char *q = strchr(loc, '?');
	assert_true(!q || (strncmp(q, "?service=", 9) == 0 && strspn(q + 9, "0123456789") > 0 &&
			   (!q[9 + strspn(q + 9, "0123456789")] ||
			    q[9 + strspn(q + 9, "0123456789")] == '#')));
	ht_free(&r);
}

/* The message once on the page the POST leads to, then no more on that page or another. */
static void said_once(const struct web_session *w, const char *loc, const char *expected)
{
	char text[600];
	shown(w, loc, text, sizeof(text));
	if (strcmp(text, expected) != 0)
		fail_msg("on %s: \"%s\", expected \"%s\"", loc, text, expected);
	shown(w, loc, text, sizeof(text));
	assert_string_equal(text, "");
	shown(w, "/profile", text, sizeof(text));
	assert_string_equal(text, "");
}

static void registering_a_case_says_so_once(void **state)
{
	(void)state;
	struct web_session w;
	sign_in("case.worker%40demo.ponte.example", &w);
	char loc[128], expected[128];
	/* Nothing said before anything is done. */
	shown(&w, "/cases", expected, sizeof(expected));
	assert_string_equal(expected, "");
	post_redirected(&w, "/cases/new?lang=en", "prs_FirstName=Flash&prs_Gender=Feminine", loc,
			sizeof(loc));
	long long id = strtoll(loc + strlen("/cases/"), NULL, 10);
	assert_true(id > 0);
	snprintf(expected, sizeof(expected), "Case %lld registered.", id);
	said_once(&w, loc, expected);
	/* In the user's own language (Portuguese) when nothing else is asked. */
	post_redirected(&w, "/cases/new", "prs_FirstName=Flash&prs_Gender=Feminine", loc,
			sizeof(loc));
	id = strtoll(loc + strlen("/cases/"), NULL, 10);
	snprintf(expected, sizeof(expected), "Caso %lld registado.", id);
	said_once(&w, loc, expected);
}

/* The message belongs to the browser session that acted: another session of the same user
 * (a phone beside the laptop) does not show it, nor take it. */
static void the_message_stays_with_its_session(void **state)
{
	(void)state;
	struct web_session laptop, phone;
	sign_in("case.worker%40demo.ponte.example", &laptop);
	sign_in("case.worker%40demo.ponte.example", &phone);
	char loc[128], text[600], expected[192];
	post_redirected(&laptop, "/cases/new?lang=en", "prs_FirstName=Flash&prs_Gender=Masculine",
			loc, sizeof(loc));
	shown(&phone, loc, text, sizeof(text));
	assert_string_equal(text, "");
	snprintf(expected, sizeof(expected), "Case %s registered.", loc + strlen("/cases/"));
	said_once(&laptop, loc, expected);
	/* A change over the API leaves nothing for a page. */
	struct ht_resp r;
	assert_int_equal(
	    api(cw_api, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Api\"}}", &r),
	    201);
	ht_free(&r);
	shown(&laptop, "/cases", text, sizeof(text));
	assert_string_equal(text, "");
	/* A change refused (a field wrong) says nothing on the next page either. */
	assert_int_equal(form_post(&laptop, "/cases/new?lang=en", "prs_Birthdate=2099-01-01", &r),
			 422);
	ht_free(&r);
	shown(&laptop, "/cases", text, sizeof(text));
	assert_string_equal(text, "");
}

/* A referral sent names the organisation it went to; withdrawing the consent counts the
 * referrals withdrawn with it. */
static void sending_a_referral_and_withdrawing_the_consent(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(
	    api(cw_api, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Refer\"}}", &r),
	    201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	assert_int_equal(api(cw_api, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long service = ht_number(r.body, "id");
	ht_free(&r);
	struct web_session w;
	sign_in("case.worker%40demo.ponte.example", &w);
	char page[64], path[192], fields[256], loc[128], text[600];
	snprintf(page, sizeof(page), "/cases/%lld/referrals", case_id);
	snprintf(path, sizeof(path), "%s?lang=en", page);
	snprintf(fields, sizeof(fields),
		 "do=consent&recipient_service=%lld&cat_identity=1&given_by=person&language=pt&"
		 "text_version=PT-1&given_on=2026-01-05",
		 service);
	post_redirected(&w, path, fields, loc, sizeof(loc));
	/* On to step 2, the referral form, with the consent's service chosen. */
	char step2[160];
	snprintf(step2, sizeof(step2), "%s?service=%lld#referral-form", page, service);
	assert_string_equal(loc, step2);
	said_once(&w, loc, "The consent has been recorded.");
	/* The consent's number, from the case's consents over the API. */
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw_api, "GET", path, NULL, &r), 200);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	snprintf(path, sizeof(path), "%s?lang=en", page);
	snprintf(fields, sizeof(fields),
		 "service_id=%lld&cat_identity=1&consent_id=%lld&urgency=normal", service, consent);
	post_redirected(&w, path, fields, loc, sizeof(loc));
	said_once(&w, loc, "Referral prepared: check it, then send it.");
	snprintf(path, sizeof(path), "%s?lang=en", loc);
	post_redirected(&w, path, "do=send", loc, sizeof(loc));
	said_once(&w, loc, "Referral sent to Casa Porto shelter for survivors (demo).");
	/* A second referral under the same consent, sent too: both go with the consent. */
	snprintf(path, sizeof(path), "%s?lang=en", page);
	post_redirected(&w, path, fields, loc, sizeof(loc));
	snprintf(path, sizeof(path), "%s?lang=en", loc);
	post_redirected(&w, path, "do=send", loc, sizeof(loc));
	shown(&w, loc, text, sizeof(text));
	snprintf(path, sizeof(path), "/consents/%lld/withdraw?lang=en", consent);
	post_redirected(&w, path, "confirm=1", loc, sizeof(loc));
	assert_string_equal(loc, page);
	said_once(&w, loc, "Consent withdrawn: 2 referrals withdrawn.");
}

static long long user_id_of(const char *email)
{
	keyed_store env = { S.db, S.keys };
	int64_t id = 0;
	assert_int_equal(user_find_by_email(&env, email, &id), 0);
	return (long long)id;
}

static void an_administrator_locks_a_user(void **state)
{
	(void)state;
	struct web_session admin;
	sign_in("admin%40demo.ponte.example", &admin);
	char path[96], loc[128];
	snprintf(path, sizeof(path), "/admin/users/%lld?lang=en",
		 user_id_of("prosecutor@demo.ponte.example"));
	post_redirected(&admin, path, "do=status&status=locked&confirm=1", loc, sizeof(loc));
	said_once(&admin, loc, "User locked: their sessions have ended and they cannot sign in.");
	post_redirected(&admin, path, "do=status&status=active", loc, sizeof(loc));
	said_once(&admin, loc, "User unlocked: they can sign in again.");
}

static void a_reviewer_publishes_and_an_author_submits(void **state)
{
	(void)state;
	struct web_session author, reviewer;
	sign_in("analyst%40demo.ponte.example", &author);
	char loc[128], path[160];
	post_redirected(&author, "/knowledge/new",
			"type=practice&language=fr&title=Flash+practice&summary=R%C3%A9sum%C3%A9&"
			"countries=sn&evidence=monitored&areas=protection&target_groups=children&"
			"actors=CNLTP&period_start=2020",
			loc, sizeof(loc));
	/* The analyst reads French. */
	said_once(&author, loc,
		  "Brouillon enregistré\u202f: soumettez-le à la relecture quand il sera prêt.");
	snprintf(path, sizeof(path), "%s?lang=en", loc);
	post_redirected(&author, path, "do=submit", path, sizeof(path));
	assert_string_equal(path, loc);
	said_once(&author, loc, "Submitted: a reviewer will look at it.");
	sign_in("reviewer%40demo.ponte.example", &reviewer);
	snprintf(path, sizeof(path), "%s?lang=en", loc);
	post_redirected(&reviewer, path, "do=publish", path, sizeof(path));
	said_once(&reviewer, loc, "Published: every user can now find it.");
}

static void a_password_change_says_so_in_the_language_chosen(void **state)
{
	(void)state;
	struct web_session w;
	sign_in("auditor%40demo.ponte.example", &w);
	char loc[128];
	post_redirected(&w, "/profile",
			"do=password&current=" DEMO_PASSWORD
			"&new=a+long+new+passphrase+42&confirm=a+long+new+passphrase+42",
			loc, sizeof(loc));
	said_once(&w, loc,
		  "Your password has been changed. Your other sessions have been signed out.");
	/* Choosing a language says so in the language chosen, on the page the user was on. */
	post_redirected(&w, "/profile/language", "language=es&next=%2Fknowledge", loc, sizeof(loc));
	assert_string_equal(loc, "/knowledge");
	said_once(&w, loc, "Su idioma se ha guardado.");
}

/* ---- what cannot be taken back asks first ---- */

/* POST fields to path as w: the confirmation page (200, nothing done), its consequence. */
static void asks_first(const struct web_session *w, const char *path, const char *fields,
		       char *consequence, size_t n)
{
	struct ht_resp r;
	long status = form_post(w, path, fields, &r);
	if (status != 200)
		fail_msg("POST %s (%s) answered %ld, not the confirmation", path, fields, status);
	assert_non_null(strstr(r.body, "id=\"confirm-form\""));
	assert_non_null(strstr(r.body, "<input type=\"hidden\" name=\"confirm\" value=\"1\">"));
	assert_non_null(strstr(r.body, "class=\"button danger\" id=\"confirm-button\""));
	const char *c = strstr(r.body, "id=\"consequence\">");
	assert_non_null(c);
	c += strlen("id=\"consequence\">");
	snprintf(consequence, n, "%.*s", (int)(strstr(c, "</p>") - c), c);
	ht_free(&r);
}

static void state_of(long long id, const char *auth, const char *expected)
{
	char path[64], want[64];
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld", id);
	snprintf(want, sizeof(want), "\"state\":\"%s\"", expected);
	struct ht_resp r;
	assert_int_equal(api(auth, "GET", path, NULL, &r), 200);
	if (!strstr(r.body, want))
		fail_msg("referral %lld: %s, expected %s", id, r.body, expected);
	ht_free(&r);
}

/* A consent with two open referrals under it: its withdrawal says so first and withdraws
 * nothing until confirmed; a referral's recipient sees "complete" and "discontinue" as two
 * different buttons, and discontinuing asks first, naming the sender. */
static void withdrawing_and_discontinuing_ask_first(void **state)
{
	(void)state;
	char shelter_api[128];
	bearer("shelter@demo.ponte.example", shelter_api, sizeof(shelter_api));
	struct ht_resp r;
	assert_int_equal(
	    api(cw_api, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Ask\"}}", &r),
	    201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	assert_int_equal(api(cw_api, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long service = ht_number(r.body, "id"),
		  shelter_org = ht_number(r.body, "organisation\":{\"id");
	ht_free(&r);
	char body[512], path[128];
	snprintf(body, sizeof(body),
		 "{\"purpose\":\"referral\",\"recipient_id\":%lld,\"categories\":[\"identity\"],"
		 "\"legal_basis\":\"consent\",\"language\":\"pt\",\"text_version\":\"PT-1\","
		 "\"given_by\":\"person\",\"given_on\":\"2026-01-05\"}",
		 shelter_org);
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw_api, "POST", path, body, &r), 201);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	long long refs[2];
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"case_id\":%lld,\"service_id\":%lld,\"categories\":[\"identity\"],"
			 "\"consent_id\":%lld}",
			 case_id, service, consent);
		assert_int_equal(api(cw_api, "POST", "/api/v1/referrals", body, &r), 201);
		refs[i] = ht_number(r.body, "id");
		ht_free(&r);
		snprintf(path, sizeof(path), "/api/v1/referrals/%lld/send", refs[i]);
		assert_int_equal(api(cw_api, "POST", path, NULL, &r), 200);
		ht_free(&r);
	}
	/* The shelter takes up the first one. */
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/accept", refs[0]);
	assert_int_equal(api(shelter_api, "POST", path, NULL, &r), 200);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/start", refs[0]);
	assert_int_equal(api(shelter_api, "POST", path, NULL, &r), 200);
	ht_free(&r);

	struct web_session shelter;
	sign_in("shelter%40demo.ponte.example", &shelter);
	char page[64], text[600], expected[400], loc[128];
	snprintf(page, sizeof(page), "/referrals/%lld", refs[0]);
	const char *hs[] = { shelter.cookie, NULL };
	ht_get(S.port, page, hs, &r);
	assert_non_null(strstr(r.body, "class=\"button\" data-action=\"complete\""));
	assert_non_null(strstr(r.body, "class=\"button danger\" data-action=\"discontinue\""));
	ht_free(&r);
	snprintf(path, sizeof(path), "%s?lang=en", page);
	asks_first(&shelter, path, "do=discontinue&code=person_left&note=", text, sizeof(text));
	snprintf(expected, sizeof(expected),
		 "This ends referral %lld before its service is complete: Safe Bridge Association, "
		 "Lisbon (demo) is told, with the reason chosen, and the referral cannot be "
		 "resumed.",
		 refs[0]);
	assert_string_equal(text, expected);
	state_of(refs[0], cw_api, "in_service");
	post_redirected(&shelter, path, "do=discontinue&code=person_left&note=&confirm=1", loc,
			sizeof(loc));
	state_of(refs[0], cw_api, "discontinued");

	/* The consent now covers one open referral (the other was discontinued). */
	struct web_session w;
	sign_in("case.worker%40demo.ponte.example", &w);
	snprintf(path, sizeof(path), "/consents/%lld/withdraw?lang=en", consent);
	asks_first(&w, path, "", text, sizeof(text));
	if (!strstr(text, "It withdraws 1 open referral made under it: its recipient can no "
			  "longer see the case."))
		fail_msg("%s", text);
	/* The same page is the consent's own, to open again. */
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "id=\"confirm-form\""));
	ht_free(&r);
	state_of(refs[1], cw_api, "sent");
	post_redirected(&w, path, "confirm=1", loc, sizeof(loc));
	said_once(&w, loc, "Consent withdrawn: 1 referral withdrawn.");
	state_of(refs[1], cw_api, "withdrawn");
	/* Withdrawn already: the page goes back to the case. */
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 303);
	ht_free(&r);
}

static void locking_a_user_asks_first(void **state)
{
	(void)state;
	struct web_session admin;
	sign_in("admin%40demo.ponte.example", &admin);
	char path[96], text[600], loc[128], token[64];
	snprintf(path, sizeof(path), "/admin/users/%lld?lang=en",
		 user_id_of("auditor@demo.ponte.example"));
	asks_first(&admin, path, "do=status&status=disabled", text, sizeof(text));
	assert_string_equal(text, "This disables the account of Helena Auditor (demo): every "
				  "session they have open ends at once and the account is closed, "
				  "for someone who has left.");
	/* Nothing done yet: the auditor still signs in. */
	throttle_reset_all();
	api_login("auditor@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	if (!token[0]) /* the password test may have changed it */
		api_login("auditor@demo.ponte.example", "a long new passphrase 42", NULL, token,
			  sizeof(token));
	assert_true(token[0]);
	/* Unlocking is no loss: done at once. */
	post_redirected(&admin, path, "do=status&status=active", loc, sizeof(loc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registering_a_case_says_so_once),
		cmocka_unit_test(the_message_stays_with_its_session),
		cmocka_unit_test(sending_a_referral_and_withdrawing_the_consent),
		cmocka_unit_test(an_administrator_locks_a_user),
		cmocka_unit_test(a_reviewer_publishes_and_an_author_submits),
		cmocka_unit_test(a_password_change_says_so_in_the_language_chosen),
		cmocka_unit_test(withdrawing_and_discontinuing_ask_first),
		cmocka_unit_test(locking_a_user_asks_first),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
