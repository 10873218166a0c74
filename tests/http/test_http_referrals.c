/* A national referral over the API, as a Lisbon case worker and a Porto shelter meet it,
 * with the wrong ways: the other side's actions, a second accept, a referral to oneself. */
#include "httptest.h"

#include "base/clock.h"
#include "base/log.h"
#include "i18n/format.h"

static struct ht_server S;
static char cw[128], shelter[128], police[128];

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	set_setting("require_2fa_for_flagged_roles", "0");
	bearer("case.worker@demo.ponte.example", cw, sizeof(cw));
	bearer("shelter@demo.ponte.example", shelter, sizeof(shelter));
	bearer("police@demo.ponte.example", police, sizeof(police));
	return 0;
}

static void a_case_is_referred_to_a_shelter_and_served(void **state)
{
	(void)state;
	struct ht_resp r;
	/* The case, and the person's consent to be referred to the shelter. */
	assert_int_equal(
	    api(cw, "POST", "/api/v1/cases",
		"{\"person\":{\"prs_FirstName\":\"Fatoumata\",\"prs_SecondName\":"
		"\"Api\",\"prs_Gender\":\"Feminine\",\"prs_MobilePhone\":\"+351 910 "
		"000 777\",\"prs_Citizenship\":[\"NE\",\"ML\"]},\"victim\":{"
		"\"vic_TypeOfExploitation\":[\"SexualExploitation\",\"ForcedLabour\"]}}",
		&r),
	    201);
	long long case_id = ht_number(r.body, "id");
	/* How the case API writes the fields the shelter will see. */
	const char *same[] = {
		"\"prs_Citizenship\":[\"NE\",\"ML\"]", "\"prs_Birthdate\":null",
		"\"vic_TypeOfExploitation\":[\"SexualExploitation\",\"ForcedLabour\"]",
		"\"estimated_age\":null"
	};
	for (size_t i = 0; i < ARRAY_LEN(same); i++)
		if (!strstr(r.body, same[i]))
			fail_msg("the case API lacks %s: %s", same[i], r.body);
	ht_free(&r);
	/* The shelter, found in the directory with room. */
	assert_int_equal(
	    api(cw, "GET", "/api/v1/services?type=shelter&room=1&sex=Feminine&age=25", NULL, &r),
	    200);
	assert_non_null(strstr(r.body, "\"code\":\"PT-SHELTER\""));
	long long service = ht_number(r.body, "id"),
		  shelter_org = ht_number(r.body, "organisation\":{\"id");
	ht_free(&r);
	assert_int_equal(api_status(cw, "GET", "/api/v1/services?age=200", NULL), 422);
	char body[512], path[128];
	snprintf(body, sizeof(body),
		 "{\"purpose\":\"referral\",\"recipient_id\":%lld,\"categories\":[\"identity\","
		 "\"victim\"],\"legal_basis\":\"consent\",\"language\":\"fr\",\"text_version\":"
		 "\"PT-2026-1\",\"given_by\":\"person\",\"given_on\":\"2026-01-05\"}",
		 shelter_org);
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw, "POST", path, body, &r), 201);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	/* The referral: a draft, then sent. */
	snprintf(body, sizeof(body),
		 "{\"case_id\":%lld,\"service_id\":%lld,\"categories\":[\"identity\",\"victim\"],"
		 "\"consent_id\":%lld}",
		 case_id, service, consent);
	assert_int_equal(api(cw, "POST", "/api/v1/referrals", body, &r), 201);
	assert_non_null(strstr(r.body, "\"state\":\"draft\""));
	long long id = ht_number(r.body, "id");
	ht_free(&r);
	char act[128], view[128];
	snprintf(view, sizeof(view), "/api/v1/referrals/%lld/case", id);
	/* The shelter does not see a draft. */
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld", id);
	assert_int_equal(api_status(shelter, "GET", act, NULL), 404);
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/send", id);
	assert_int_equal(api(cw, "POST", act, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"sent\""));
	assert_null(strstr(r.body, "\"due_at\":\"\""));
	ht_free(&r);
	/* The shelter's work list and inbox; the case is not open to it before it accepts. */
	assert_int_equal(api(shelter, "GET", "/work", NULL, &r), 200);
	char link[64];
	snprintf(link, sizeof(link), "href=\"/referrals/%lld\"", id);
	assert_non_null(strstr(r.body, link));
	ht_free(&r);
	assert_int_equal(api(shelter, "GET", "/api/v1/referrals?box=in", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"side\":\"recipient\""));
	ht_free(&r);
	assert_int_equal(api_status(shelter, "GET", view, NULL), 403);
	/* The sender cannot accept; the police may not touch referrals. */
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/accept", id);
	assert_int_equal(api_status(cw, "POST", act, NULL), 403);
	assert_int_equal(api_status(police, "POST", act, NULL), 403);
	assert_int_equal(api_status(shelter, "POST", act, NULL), 200);
	assert_int_equal(api_status(shelter, "POST", act, NULL), 409); /* twice */
	/* What the shelter sees: the carried categories only, in the case API's shape (code
	 * lists as arrays, a birth date not known as null). */
	assert_int_equal(api(shelter, "GET", view, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"prs_FirstName\":\"Fatoumata\""));
	for (size_t i = 0; i < ARRAY_LEN(same); i++)
		if (!strstr(r.body, same[i]))
			fail_msg("the recipient's view lacks %s: %s", same[i], r.body);
	assert_null(strstr(r.body, "prs_MobilePhone"));
	assert_null(strstr(r.body, "910"));
	ht_free(&r);
	/* Served and completed, with an outcome from the list. */
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/start", id);
	assert_int_equal(api_status(shelter, "POST", act, NULL), 200);
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/complete", id);
	assert_int_equal(api(shelter, "POST", act, "{\"code\":\"great\"}", &r), 422);
	assert_non_null(strstr(r.body, "\"code\""));
	ht_free(&r);
	assert_int_equal(api(shelter, "POST", act,
			     "{\"code\":\"goals_met\",\"note\":\"<script>alert(1)</script> safe "
			     "housing found\"}",
			     &r),
			 200);
	assert_non_null(strstr(r.body, "\"state\":\"completed\""));
	assert_non_null(strstr(r.body, "\"outcome\":\"goals_met\""));
	ht_free(&r);
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/withdraw", id);
	assert_int_equal(api_status(cw, "POST", act, NULL), 409);
	/* The register says what went where; the police do not see the case. */
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/disclosures", case_id);
	assert_int_equal(api(cw, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"recipient\":\"PT-SHELTER\""));
	assert_non_null(strstr(r.body, "\"basis\":\"consent\""));
	ht_free(&r);
	assert_int_equal(api_status(police, "GET", path, NULL), 403);
	/* A second referral under the same consent, then the consent withdrawn. */
	snprintf(body, sizeof(body),
		 "{\"case_id\":%lld,\"service_id\":%lld,\"categories\":\"identity\","
		 "\"consent_id\":%lld,\"urgency\":\"urgent\"}",
		 case_id, service, consent);
	assert_int_equal(api(cw, "POST", "/api/v1/referrals", body, &r), 201);
	long long second = ht_number(r.body, "id");
	ht_free(&r);
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/send", second);
	assert_int_equal(api_status(cw, "POST", act, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/consents/%lld/withdraw", consent);
	assert_int_equal(api(cw, "POST", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"referrals_withdrawn\":1"));
	ht_free(&r);
	assert_int_equal(api_status(cw, "POST", path, NULL), 409);
	snprintf(act, sizeof(act), "/api/v1/referrals/%lld/accept", second);
	assert_int_equal(api_status(shelter, "POST", act, NULL), 409);
}

static void bad_referrals_answer_field_by_field(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(api_status(cw, "POST", "/api/v1/referrals", "[1,2]"), 400);
	assert_int_equal(api_status(cw, "POST", "/api/v1/referrals", "{\"case_id\":\"one\"}"), 400);
	/* To its own organisation, without consent or basis. */
	assert_int_equal(api(cw, "GET", "/api/v1/users/me", NULL, &r), 200);
	long long own = ht_number(r.body, "organisation\":{\"id");
	ht_free(&r);
	char body[256];
	snprintf(body, sizeof(body), "{\"case_id\":1,\"to_id\":%lld,\"categories\":[\"identity\"]}",
		 own);
	assert_int_equal(api(cw, "POST", "/api/v1/referrals", body, &r), 422);
	assert_non_null(strstr(r.body, "\"recipient\""));
	assert_non_null(strstr(r.body, "\"consent\""));
	ht_free(&r);
	assert_int_equal(api_status(cw, "POST", "/api/v1/referrals/99999/send", NULL), 404);
	assert_int_equal(api_status(cw, "POST", "/api/v1/referrals/1/fly", NULL), 404);
	assert_int_equal(api_status(cw, "GET", "/api/v1/referrals?box=spam", NULL), 422);
}

/* The form on a page around `marker` (a button's attribute, say) as a browser submits it: its
 * action into action, its hidden fields (the session's token left to form_post) followed by
 * `extra` into fields. False when the page has no such form. */
static bool form_around(const char *page, const char *marker, const char *extra, char *action,
			size_t alen, char *fields, size_t n)
{
	const char *m = strstr(page, marker), *f = NULL;
	for (const char *p = page; m && (p = strstr(p, "<form ")) && p < m; p++)
		f = p;
	const char *end = f ? strstr(f, "</form>") : NULL;
	const char *a = f ? strstr(f, "action=\"") : NULL;
	if (!end || !a || end < m)
		return false;
	a += strlen("action=\"");
	snprintf(action, alen, "%.*s", (int)(strchr(a, '"') - a), a);
	size_t o = 0;
	fields[0] = '\0';
	for (const char *p = strstr(f, "type=\"hidden\" name=\""); p && p < end;
	     p = strstr(p + 1, "type=\"hidden\" name=\"")) {
		const char *name = p + strlen("type=\"hidden\" name=\""), *q = strchr(name, '"');
		const char *value = strstr(q, "value=\"") + 7, *v_end = strchr(value, '"');
		if (strncmp(name, "csrf", 4) == 0)
			continue;
		o += (size_t)snprintf(fields + o, n - o, "%s%.*s=%.*s", o ? "&" : "",
				      (int)(q - name), name, (int)(v_end - value), value);
	}
	snprintf(fields + o, n - o, "%s%s", o && *extra ? "&" : "", extra);
	return true;
}

/* A consent withdrawn on the case's page brings the case worker back to that case's page, as
 * the store knows it: a form without the case, or naming another, once sent them to
 * /cases/0/referrals. */
static void withdrawing_a_consent_on_the_page_comes_back_to_the_case(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(
	    api(cw, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Consent\"}}", &r),
	    201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	char body[512], page[64], action[64], fields[512];
	snprintf(body, sizeof(body),
		 "{\"purpose\":\"referral\",\"categories\":[\"identity\"],\"legal_basis\":"
		 "\"consent\",\"language\":\"pt\",\"text_version\":\"PT-1\",\"given_by\":"
		 "\"person\",\"given_on\":\"2026-01-05\"}");
	snprintf(page, sizeof(page), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw, "POST", page, body, &r), 201);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	snprintf(page, sizeof(page), "/cases/%lld/referrals", case_id);
	ht_get(S.port, page, hw, &r);
	char marker[64];
	snprintf(marker, sizeof(marker), "action=\"/consents/%lld/withdraw\"", consent);
	assert_true(
	    form_around(r.body, marker, "", action, sizeof(action), fields, sizeof(fields)));
	ht_free(&r);
	char loc[128], expected[128];
	snprintf(expected, sizeof(expected), "%s", page);
	/* The form asks first, on the consent's own page; nothing is withdrawn meanwhile. */
	assert_int_equal(form_post(&w, action, fields, &r), 200);
	assert_non_null(strstr(r.body, "id=\"confirm-form\""));
	ht_free(&r);
	char confirmed[600];
	snprintf(confirmed, sizeof(confirmed), "%s&confirm=1", fields);
	const char *sent[] = { confirmed, "case_id=1&confirm=1", "case_id=&confirm=1" };
	for (size_t i = 0; i < ARRAY_LEN(sent); i++) {
		assert_int_equal(form_post(&w, action, sent[i], &r), 303);
		assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
		assert_string_equal(loc, expected);
		ht_free(&r);
	}
	/* Someone who may not see the case learns nothing of the consent. */
	struct web_session other;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &other),
			 303);
	assert_int_equal(form_post(&other, action, "", &r), 404);
	ht_free(&r);
	ht_get(S.port, loc, hw, &r);
	assert_int_equal(r.status, 200);
	/* Said once, by the first withdrawal: the later ones found it withdrawn already. */
	assert_non_null(strstr(r.body, "role=\"status\" class=\"flash\""));
	ht_free(&r);
}

/* A referral of a new case to the demo shelter, under a consent, as the case worker drafts
 * it (not sent yet): its id. */
static long long referral_drafted(const char *first_name)
{
	struct ht_resp r;
	char body[512], path[128];
	snprintf(body, sizeof(body), "{\"person\":{\"prs_FirstName\":\"%s\"}}", first_name);
	assert_int_equal(api(cw, "POST", "/api/v1/cases", body, &r), 201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long service = ht_number(r.body, "id"),
		  shelter_org = ht_number(r.body, "organisation\":{\"id");
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"purpose\":\"referral\",\"recipient_id\":%lld,\"categories\":[\"identity\"],"
		 "\"legal_basis\":\"consent\",\"language\":\"pt\",\"text_version\":\"PT-1\","
		 "\"given_by\":\"person\",\"given_on\":\"2026-01-05\"}",
		 shelter_org);
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw, "POST", path, body, &r), 201);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"case_id\":%lld,\"service_id\":%lld,\"categories\":[\"identity\"],"
		 "\"consent_id\":%lld}",
		 case_id, service, consent);
	assert_int_equal(api(cw, "POST", "/api/v1/referrals", body, &r), 201);
	long long id = ht_number(r.body, "id");
	ht_free(&r);
	return id;
}

/* A referral's action refused on its page (an outcome is needed to complete it) is answered
 * with the referral's page at the referral's own address, which the browser can load again:
 * it once stayed at /referrals/{id}/complete, which answered 405. */
static void a_refused_action_answers_at_the_referrals_own_address(void **state)
{
	(void)state;
	struct ht_resp r;
	char path[128];
	long long id = referral_drafted("Reload");
	const char *steps[][2] = { { "send", cw }, { "accept", shelter }, { "start", shelter } };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		snprintf(path, sizeof(path), "/api/v1/referrals/%lld/%s", id, steps[i][0]);
		assert_int_equal(api_status(steps[i][1], "POST", path, NULL), 200);
	}
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	const char *hw[] = { w.cookie, NULL };
	char page[64], action[128], fields[256];
	snprintf(page, sizeof(page), "/referrals/%lld", id);
	ht_get(S.port, page, hw, &r);
	assert_true(form_around(r.body, "data-action=\"complete\"", "code=&note=Done", action,
				sizeof(action), fields, sizeof(fields)));
	ht_free(&r);
	assert_string_equal(action, page);
	assert_int_equal(form_post(&w, action, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	ht_free(&r);
	/* Loading the address again shows the referral, still in service. */
	ht_get(S.port, action, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "data-action=\"complete\""));
	ht_free(&r);
	/* The same form with an outcome completes it. */
	assert_true(strstr(fields, "code=&") != NULL);
	char done[256];
	snprintf(done, sizeof(done), "%.*scode=goals_met&note=Done",
		 (int)(strstr(fields, "code=&") - fields), fields);
	assert_int_equal(form_post(&w, action, done, &r), 303);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld", id);
	assert_int_equal(api(cw, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"completed\""));
	ht_free(&r);
}

/* Declining a referral cannot be taken back: the page asks first, naming the sender, and the
 * first post changes nothing; the decline without a reason is refused before it asks. */
static void declining_a_referral_asks_first(void **state)
{
	(void)state;
	long long id = referral_drafted("Decline");
	char path[128], page[64];
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/send", id);
	assert_int_equal(api_status(cw, "POST", path, NULL), 200);
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	snprintf(page, sizeof(page), "/referrals/%lld?lang=en", id);
	struct ht_resp r;
	assert_int_equal(form_post(&w, page, "do=decline&code=", &r), 422);
	ht_free(&r);
	assert_int_equal(form_post(&w, page, "do=decline&code=no_capacity&note=Full", &r), 200);
	assert_non_null(strstr(r.body, "id=\"confirm-form\""));
	assert_non_null(strstr(r.body, "Decline the referral"));
	assert_non_null(strstr(r.body, "name=\"code\" value=\"no_capacity\""));
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld", id);
	assert_int_equal(api(cw, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"sent\""));
	ht_free(&r);
	assert_int_equal(form_post(&w, page, "do=decline&code=no_capacity&note=Full&confirm=1", &r),
			 303);
	ht_free(&r);
	assert_int_equal(api(cw, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"declined\""));
	ht_free(&r);
}

/* A service has its page: who provides it, for whom, its places free; the shelter's staff
 * count its places (not another organisation, not with numbers that cannot be, not over a
 * count made meanwhile), and a case worker refers a person from it to the case's referral
 * form with the service chosen. */
static void a_service_has_a_page_with_places_and_refer_this_person(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long service = ht_number(r.body, "id");
	ht_free(&r);
	throttle_reset_all();
	struct web_session w, sh;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &sh), 303);
	const char *hw[] = { w.cookie, NULL }, *hs[] = { sh.cookie, NULL };
	char page[64], link[64];
	/* In the menu, on the list with a link to its page, and its page. */
	ht_get(S.port, "/services?lang=en", hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "href=\"/services\""));
	snprintf(link, sizeof(link), "href=\"/services/%lld\"", service);
	assert_non_null(strstr(r.body, link));
	assert_non_null(strstr(r.body, "places free of"));
	ht_free(&r);
	snprintf(page, sizeof(page), "/services/%lld?lang=en", service);
	ht_get(S.port, page, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Casa Porto shelter"));
	assert_non_null(strstr(r.body, "id=\"refer-this-person\""));
	assert_null(strstr(r.body, "id=\"places-form\"")); /* another organisation's count */
	ht_free(&r);
	ht_get(S.port, "/services/99999", hw, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	/* The shelter's page for its own staff: the count, and no "Refer this person". */
	ht_get(S.port, page, hs, &r);
	assert_non_null(strstr(r.body, "id=\"places-form\""));
	assert_null(strstr(r.body, "id=\"refer-this-person\""));
	const char *vp = strstr(r.body, "name=\"version\" value=\"");
	assert_non_null(vp);
	long long version = strtoll(vp + 22, NULL, 10);
	ht_free(&r);
	char fields[256];
	/* Someone of another organisation may not count them. */
	snprintf(fields, sizeof(fields), "do=places&version=%lld&capacity=12&taken=2", version);
	assert_int_equal(form_post(&w, page, fields, &r), 403);
	ht_free(&r);
	/* Numbers that cannot be: said field by field, in the summary, nothing changed. */
	snprintf(fields, sizeof(fields), "do=places&version=%lld&capacity=12&taken=13", version);
	assert_int_equal(form_post(&sh, page, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "There cannot be more places taken than places."));
	ht_free(&r);
	snprintf(fields, sizeof(fields), "do=places&version=%lld&capacity=lots&taken=-1", version);
	assert_int_equal(form_post(&sh, page, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"capacity-error\""));
	assert_non_null(strstr(r.body, "id=\"taken-error\""));
	ht_free(&r);
	/* Counted: 12 places, 10 taken, 2 free, on the list, the page and the picker. */
	snprintf(fields, sizeof(fields), "do=places&version=%lld&capacity=12&taken=10", version);
	assert_int_equal(form_post(&sh, page, fields, &r), 303);
	ht_free(&r);
	ht_get(S.port, page, hs, &r);
	assert_non_null(strstr(r.body, "2 places free of 12"));
	assert_non_null(strstr(r.body, "class=\"flash\""));
	ht_free(&r);
	/* The same form again, read before that count: refused, the newer numbers shown. */
	snprintf(fields, sizeof(fields), "do=places&version=%lld&capacity=12&taken=0", version);
	assert_int_equal(form_post(&sh, page, fields, &r), 409);
	assert_non_null(strstr(r.body, "Someone counted the places meanwhile"));
	assert_non_null(strstr(r.body, "name=\"taken\" inputmode=\"numeric\" value=\"10\""));
	ht_free(&r);
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"capacity\":12"));
	ht_free(&r);
	/* Refer this person: the case worker's cases, then the case's form with the service. */
	assert_int_equal(
	    api(cw, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Chooser\"}}", &r),
	    201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	snprintf(page, sizeof(page), "/services/%lld/refer?lang=en", service);
	ht_get(S.port, page, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Chooser"));
	ht_free(&r);
	char path[128], loc[160], expected[160];
	snprintf(path, sizeof(path), "/services/%lld/refer?case=%lld", service, case_id);
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	snprintf(expected, sizeof(expected), "/cases/%lld/referrals?service=%lld#referral-form",
		 case_id, service);
	assert_string_equal(loc, expected);
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%lld/referrals?service=%lld&lang=en", case_id,
		 service);
	ht_get(S.port, path, hw, &r);
	char chosen[64];
	snprintf(chosen, sizeof(chosen), "<option value=\"%lld\" selected>", service);
	assert_non_null(strstr(r.body, chosen));
	assert_non_null(strstr(r.body, "2 places free of 12"));
	ht_free(&r);
	/* A case that is not theirs, or no case: asked again, not redirected. */
	const char *wrong[] = { "case=99999", "case=", "number=abc", "case=0" };
	for (size_t i = 0; i < ARRAY_LEN(wrong); i++) {
		snprintf(path, sizeof(path), "/services/%lld/refer?lang=en&%s", service, wrong[i]);
		ht_get(S.port, path, hw, &r);
		assert_int_equal(r.status, 422);
		assert_non_null(strstr(r.body, "id=\"error-summary\""));
		ht_free(&r);
	}
	/* The police do not refer. */
	struct web_session pw;
	assert_int_equal(web_login("police%40demo.ponte.example", DEMO_PASSWORD, NULL, &pw), 303);
	const char *hp[] = { pw.cookie, NULL };
	ht_get(S.port, page, hp, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

/* The referral form offers the services that take the person: for a 15-year-old boy with an
 * open need of psychological support, the counselling comes first, the women's shelter for
 * adults is listed apart with why, and so is the case's own organisation's legal aid. */
static void the_service_list_is_chosen_for_the_person(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(api(cw, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Picker\",\"prs_Gender\":"
			     "\"Masculine\",\"estimated_age\":15,\"prs_Citizenship\":[\"NE\"]}}",
			     &r),
			 201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%lld/file/needs", case_id);
	assert_int_equal(api(cw, "POST", path,
			     "{\"need\":\"psychological\",\"urgency\":\"immediate\","
			     "\"identified_on\":\"2026-01-05\"}",
			     &r),
			 201);
	ht_free(&r);
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long shelter_service = ht_number(r.body, "id");
	ht_free(&r);
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	snprintf(path, sizeof(path), "/cases/%lld/referrals?lang=en&service=%lld", case_id,
		 shelter_service);
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	/* Consent first: the consent step comes before the service, and says none is open. */
	const char *consent = strstr(r.body, "id=\"step-consent\""),
		   *service = strstr(r.body, "id=\"step-service\"");
	assert_non_null(consent);
	assert_non_null(service);
	assert_true(consent < service);
	assert_non_null(strstr(r.body, "id=\"consent-first\""));
	/* What the list is chosen by. */
	assert_non_null(strstr(r.body, "15 years old"));
	assert_non_null(strstr(r.body, "Open needs: Psychological support."));
	/* Counselling meets the open need; the shelter is not in the list but said why. */
	const char *select = strstr(r.body, "id=\"service_id\""),
		   *end = select ? strstr(select, "</select>") : NULL;
	assert_non_null(end);
	const char *meets = strstr(select, "label=\"Meets an open need\"");
	assert_true(meets && meets < end);
	const char *counselling = strstr(select, "Trauma counselling");
	assert_true(counselling && counselling < end);
	const char *women = strstr(select, "Casa Porto shelter (demo)");
	assert_true(!women || women > end);
	const char *apart = strstr(r.body, "id=\"not-offered\"");
	assert_non_null(apart);
	assert_non_null(strstr(apart, "for ages 18 to 120; for Female, Transgender"));
	assert_non_null(strstr(apart, "offered by the case&#39;s own organisation"));
	/* Asked for from the shelter's page, it says why it is not offered. */
	assert_non_null(strstr(r.body, "id=\"chosen-unsuited\""));
	ht_free(&r);
	/* The same in French, with its own typography. */
	snprintf(path, sizeof(path), "/cases/%lld/referrals?lang=fr", case_id);
	ht_get(S.port, path, hw, &r);
	assert_non_null(strstr(r.body, "Besoins ouverts\u202f: "));
	ht_free(&r);
	/* A consent recorded for the counselling leads to step 2 with it chosen. */
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=psychosocial", NULL, &r), 200);
	long long counselling_service = ht_number(r.body, "id");
	ht_free(&r);
	char fields[512], loc[160], expected[160];
	snprintf(fields, sizeof(fields),
		 "do=consent&recipient_service=%lld&cat_identity=1&given_by=person&language=pt&"
		 "text_version=PT-1&given_on=2026-01-05",
		 counselling_service);
	snprintf(path, sizeof(path), "/cases/%lld/referrals", case_id);
	assert_int_equal(form_post(&w, path, fields, &r), 303);
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	snprintf(expected, sizeof(expected), "/cases/%lld/referrals?service=%lld#referral-form",
		 case_id, counselling_service);
	assert_string_equal(loc, expected);
	ht_free(&r);
	/* A case of another organisation: not found. */
	struct web_session sh;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &sh), 303);
	const char *hs[] = { sh.cookie, NULL };
	ht_get(S.port, path, hs, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
}

/* The shelter records the services it gave while the person is in its care: on the page and
 * over the API, with the wrong ways (the sender, a date in the future or before the referral,
 * a type not in the list, a form read before the referral moved); both sides read them, and
 * the case's timeline shows them. */
static void the_provider_records_the_services_delivered(void **state)
{
	(void)state;
	struct ht_resp r;
	char path[128], body[256];
	long long id = referral_drafted("Delivered");
	const char *steps[][2] = { { "send", cw }, { "accept", shelter } };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		snprintf(path, sizeof(path), "/api/v1/referrals/%lld/%s", id, steps[i][0]);
		assert_int_equal(api_status(steps[i][1], "POST", path, NULL), 200);
	}
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld", id);
	assert_int_equal(api(shelter, "GET", path, NULL, &r), 200);
	long long version = ht_number(r.body, "version"), case_id = ht_number(r.body, "case_id");
	ht_free(&r);
	char deliveries[128];
	snprintf(deliveries, sizeof(deliveries), "/api/v1/referrals/%lld/deliveries", id);
	/* Over the API: the sender may not; wrong values field by field; a stale version. */
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"2026-01-06\",\"type\":\"meals\"}", version);
	assert_int_equal(api_status(cw, "POST", deliveries, body), 403);
	assert_int_equal(api_status(police, "POST", deliveries, body), 403);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"2999-01-01\",\"type\":\"flying\"}", version);
	assert_int_equal(api(shelter, "POST", deliveries, body, &r), 422);
	assert_non_null(strstr(r.body, "\"delivered_on\""));
	assert_non_null(strstr(r.body, "\"type\""));
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"2020-02-30\",\"type\":\"meals\"}", version);
	assert_int_equal(api_status(shelter, "POST", deliveries, body), 422);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"2020-01-01\",\"type\":\"meals\"}", version);
	assert_int_equal(api_status(shelter, "POST", deliveries, body), 422); /* before it */
	assert_int_equal(api_status(shelter, "POST", deliveries, "{\"version\":\"x\"}"), 400);
	char today[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), today);
	today[10] = '\0';
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"meals\"}", version + 5,
		 today);
	assert_int_equal(api_status(shelter, "POST", deliveries, body), 409);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"counselling\",\"note\":"
		 "\"First session <b>calm</b>\"}",
		 version, today);
	assert_int_equal(api(shelter, "POST", deliveries, body, &r), 201);
	assert_non_null(strstr(r.body, "\"type\":\"counselling\""));
	ht_free(&r);
	/* The sender reads what its person was given. */
	assert_int_equal(api(cw, "GET", deliveries, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"note\":\"First session "));
	ht_free(&r);
	/* On the page: the shelter's form, the list, errors in the summary, a flash. */
	throttle_reset_all();
	struct web_session w, sw;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &sw), 303);
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hs[] = { sw.cookie, NULL }, *hw[] = { w.cookie, NULL };
	char page[64], fields[256];
	snprintf(page, sizeof(page), "/referrals/%lld?lang=en", id);
	ht_get(S.port, page, hs, &r);
	assert_non_null(strstr(r.body, "id=\"delivery-form\""));
	assert_non_null(strstr(r.body, "Counselling session"));
	assert_non_null(strstr(r.body, "First session &lt;b&gt;calm&lt;/b&gt;"));
	ht_free(&r);
	ht_get(S.port, page, hw, &r);
	assert_null(strstr(r.body, "id=\"delivery-form\"")); /* the sender reads only */
	assert_non_null(strstr(r.body, "Counselling session"));
	ht_free(&r);
	snprintf(fields, sizeof(fields),
		 "do=deliver&version=%lld&delivered_on=tomorrow&type=", version);
	assert_int_equal(form_post(&sw, page, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "id=\"delivered_on-error\""));
	assert_non_null(strstr(r.body, "id=\"type-error\""));
	assert_non_null(strstr(r.body, "value=\"tomorrow\"")); /* what was typed, kept */
	ht_free(&r);
	snprintf(fields, sizeof(fields), "do=deliver&version=%lld&delivered_on=%s&type=meals",
		 version, today);
	assert_int_equal(form_post(&sw, page, fields, &r), 303);
	ht_free(&r);
	ht_get(S.port, page, hs, &r);
	assert_non_null(strstr(r.body, "Recorded: Meals on"));
	ht_free(&r);
	/* The referral moves on (service started): the form read before it is stale. */
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/start", id);
	assert_int_equal(api_status(shelter, "POST", path, NULL), 200);
	assert_int_equal(form_post(&sw, page, fields, &r), 409);
	assert_non_null(strstr(r.body, "The referral changed meanwhile"));
	ht_free(&r);
	/* The case's timeline tells each service given, with its provider. */
	snprintf(path, sizeof(path), "/cases/%lld/timeline?lang=en", case_id);
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "data-kind=\"delivery\""));
	assert_non_null(strstr(r.body, "Service delivered"));
	ht_free(&r);
	/* Once completed, nothing more is recorded. */
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/complete", id);
	assert_int_equal(api(shelter, "POST", path, "{\"code\":\"goals_met\"}", &r), 200);
	version = ht_number(r.body, "version");
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"meals\"}", version, today);
	assert_int_equal(api_status(shelter, "POST", deliveries, body), 409);
}

/* Just after midnight in a zone ahead of UTC (Niamey, an hour ahead all year), today is
 * Niamey's day, while UTC's is still yesterday: a service given today is recorded, the form
 * offers today, and tomorrow is still the future. The clock stands at 23:30 UTC (00:30 in
 * Niamey), the last such instant before the real time. */
static void a_delivery_just_after_midnight_ahead_of_utc_is_today(void **state)
{
	(void)state;
	int64_t now = clock_wall_ms(), day = 86400000;
	int64_t at = (now / day) * day + day - 30 * 60000; /* 23:30 UTC today */
	if (at > now)
		at -= day;
	clock_wall_shift(at - now);
	/* The instance's setting too: the server reads it again every few seconds, and a test
	 * slowed by a busy machine would otherwise be back in UTC halfway through. */
	assert_int_equal(setting_set(S.db, "time_zone", "Africa/Niamey"), 0);
	assert_true(i18n_zone_set("Africa/Niamey"));
	char utc_today[CLOCK_RFC3339_LEN], niamey_today[CLOCK_RFC3339_LEN],
	    niamey_tomorrow[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(at, utc_today);
	clock_format_rfc3339(at + day, niamey_today);
	clock_format_rfc3339(at + 2 * day, niamey_tomorrow);
	utc_today[10] = niamey_today[10] = niamey_tomorrow[10] = '\0';
	long long id = referral_drafted("Midnight");
	char path[128], body[256];
	struct ht_resp r;
	const char *steps[][2] = { { "send", cw }, { "accept", shelter } };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		snprintf(path, sizeof(path), "/api/v1/referrals/%lld/%s", id, steps[i][0]);
		assert_int_equal(api_status(steps[i][1], "POST", path, NULL), 200);
	}
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld", id);
	assert_int_equal(api(shelter, "GET", path, NULL, &r), 200);
	long long version = ht_number(r.body, "version");
	ht_free(&r);
	/* The form offers Niamey's today. */
	throttle_reset_all();
	struct web_session sw;
	assert_int_equal(web_login("shelter%40demo.ponte.example", DEMO_PASSWORD, NULL, &sw), 303);
	const char *hs[] = { sw.cookie, NULL };
	char page[64], value[64];
	snprintf(page, sizeof(page), "/referrals/%lld?lang=en", id);
	ht_get(S.port, page, hs, &r);
	assert_int_equal(r.status, 200);
	snprintf(value, sizeof(value), "value=\"%s\"", niamey_today);
	if (!strstr(r.body, value))
		fail_msg("the delivery form does not offer %s", niamey_today);
	ht_free(&r);
	/* Tomorrow in Niamey is refused; today in Niamey is recorded. */
	snprintf(path, sizeof(path), "/api/v1/referrals/%lld/deliveries", id);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"meals\"}", version,
		 niamey_tomorrow);
	assert_int_equal(api(shelter, "POST", path, body, &r), 422);
	assert_non_null(strstr(r.body, "\"delivered_on\""));
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"meals\"}", version,
		 niamey_today);
	long status = api(shelter, "POST", path, body, &r);
	if (status != 201)
		fail_msg("%s in Niamey at 00:30 (UTC %s): %ld %s", niamey_today, utc_today, status,
			 r.body);
	ht_free(&r);
	/* Back in UTC at 23:30, the same day is tomorrow. */
	assert_int_equal(setting_set(S.db, "time_zone", "UTC"), 0);
	assert_true(i18n_zone_set("UTC"));
	snprintf(body, sizeof(body),
		 "{\"version\":%lld,\"delivered_on\":\"%s\",\"type\":\"meals\"}", version,
		 niamey_today);
	assert_int_equal(api(shelter, "POST", path, body, &r), 422);
	assert_non_null(strstr(r.body, "\"delivered_on\""));
	ht_free(&r);
	clock_wall_shift(0);
}

/* The consent form: the language chosen by its name in the reader's language from a list in
 * the reader's alphabet (never a code to type), the day from a date picker or typed as people
 * write it, today offered; a language not in the list, a day that is no day or in the future
 * refused beside their fields, what was typed kept. */
static void the_consent_form_picks_a_language_and_a_day(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(
	    api(cw, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Picker\"}}", &r),
	    201);
	long long case_id = ht_number(r.body, "id");
	ht_free(&r);
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	char page[96], today_value[64], fields[512];
	snprintf(page, sizeof(page), "/cases/%lld/referrals?lang=fr", case_id);
	ht_get(S.port, page, hw, &r);
	assert_int_equal(r.status, 200);
	const char *select = strstr(r.body, "<select id=\"language\" name=\"language\">");
	assert_non_null(select);
	const char *end = strstr(select, "</select>");
	/* French names in French order, each language once (not "fr" and "fra"). */
	const char *de = strstr(select, "<option value=\"de\">Allemand</option>"),
		   *en = strstr(select, "<option value=\"en\">Anglais</option>"),
		   *ar = strstr(select, "<option value=\"ar\">Arabe</option>"),
		   *wo = strstr(select, "<option value=\"wo\">Wolof</option>");
	assert_true(de && en && ar && wo && de < en && en < ar && ar < wo && wo < end);
	assert_null(strstr(select, "value=\"fra\""));
	char today[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), today); /* the test server's zone is UTC */
	snprintf(today_value, sizeof(today_value),
		 "type=\"date\" id=\"given_on\" name=\"given_on\" value=\"%.10s\"", today);
	assert_non_null(strstr(r.body, today_value));
	ht_free(&r);
	/* Wrong: a code not in the list, 31 February typed, a version; all kept, said in French. */
	snprintf(page, sizeof(page), "/cases/%lld/referrals?lang=fr", case_id);
	snprintf(fields, sizeof(fields),
		 "do=consent&recipient_service=&cat_identity=1&given_by=person&language=xx&"
		 "text_version=PT-9&given_on=31%%2F02%%2F2026");
	assert_int_equal(form_post(&w, page, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"language-error\""));
	assert_non_null(strstr(r.body, "id=\"given_on-error\""));
	assert_non_null(strstr(r.body, "value=\"31/02/2026\""));
	assert_non_null(strstr(r.body, "value=\"PT-9\""));
	assert_non_null(strstr(r.body, "Indiquez la langue"));
	ht_free(&r);
	/* Tomorrow, chosen in the picker: the future. */
	char tomorrow[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms() + 86400000, tomorrow);
	snprintf(fields, sizeof(fields),
		 "do=consent&recipient_service=&cat_identity=1&given_by=person&language=ha&"
		 "text_version=PT-9&given_on=%.10s",
		 tomorrow);
	assert_int_equal(form_post(&w, page, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"given_on-error\""));
	assert_non_null(strstr(r.body, "<option value=\"ha\" selected>Haoussa</option>"));
	ht_free(&r);
	/* Right: Hausa by its name, the day typed the French way. */
	snprintf(fields, sizeof(fields),
		 "do=consent&recipient_service=&cat_identity=1&given_by=person&language=ha&"
		 "text_version=PT-9&given_on=5+janv.+2026");
	assert_int_equal(form_post(&w, page, fields, &r), 303);
	ht_free(&r);
	char consents[64];
	snprintf(consents, sizeof(consents), "/api/v1/cases/%lld/consents", case_id);
	assert_int_equal(api(cw, "GET", consents, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"language\":\"ha\""));
	assert_non_null(strstr(r.body, "\"given_on\":\"2026-01-05\""));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_case_is_referred_to_a_shelter_and_served),
		cmocka_unit_test(bad_referrals_answer_field_by_field),
		cmocka_unit_test(withdrawing_a_consent_on_the_page_comes_back_to_the_case),
		cmocka_unit_test(a_refused_action_answers_at_the_referrals_own_address),
		cmocka_unit_test(declining_a_referral_asks_first),
		cmocka_unit_test(a_service_has_a_page_with_places_and_refer_this_person),
		cmocka_unit_test(the_service_list_is_chosen_for_the_person),
		cmocka_unit_test(the_provider_records_the_services_delivered),
		cmocka_unit_test(a_delivery_just_after_midnight_ahead_of_utc_is_today),
		cmocka_unit_test(the_consent_form_picks_a_language_and_a_day),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
