/* The pages as each role walks them: starting from the home page and following every link, a
 * reader only ever meets links to pages they may open, breadcrumbs included (police and
 * prosecutors once met "Cases", which they may not list). */
#include "httptest.h"
#include "walk.h"

#include "base/log.h"

static struct ht_server S;

/* Demo data, an administrator, proceedings on a case (for the police and prosecutors to
 * walk to) and a referral sent to the shelter (for both sides to see). */
static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	char police[128], cw[128];
	bearer("police@demo.ponte.example", police, sizeof(police));
	bearer("case.worker@demo.ponte.example", cw, sizeof(cw));
	struct ht_resp r;
	assert_int_equal(
	    api(police, "POST", "/api/v1/cases/1/proceedings/proceedings",
		"{\"kind\":\"criminal\",\"person_role\":\"witness\",\"authority\":"
		"\"DIAP Lisboa\",\"opened_on\":\"2026-02-01\",\"non_punishment\":true}",
		&r),
	    201);
	ht_free(&r);
	assert_int_equal(api(cw, "GET", "/api/v1/services?type=shelter", NULL, &r), 200);
	long long service = ht_number(r.body, "id"),
		  shelter = ht_number(r.body, "organisation\":{\"id");
	ht_free(&r);
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"purpose\":\"referral\",\"recipient_id\":%lld,\"categories\":[\"identity\"],"
		 "\"legal_basis\":\"consent\",\"language\":\"pt\",\"text_version\":\"PT-1\","
		 "\"given_by\":\"person\",\"given_on\":\"2026-01-05\"}",
		 shelter);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/1/consents", body, &r), 201);
	long long consent = ht_number(r.body, "id");
	ht_free(&r);
	snprintf(body, sizeof(body),
		 "{\"case_id\":1,\"service_id\":%lld,\"categories\":[\"identity\"],"
		 "\"consent_id\":%lld}",
		 service, consent);
	assert_int_equal(api(cw, "POST", "/api/v1/referrals", body, &r), 201);
	char send[64];
	snprintf(send, sizeof(send), "/api/v1/referrals/%lld/send", ht_number(r.body, "id"));
	ht_free(&r);
	assert_int_equal(api(cw, "POST", send, NULL, &r), 200);
	ht_free(&r);
	return 0;
}

static void every_link_leads_to_a_page_its_reader_may_open(void **state)
{
	(void)state;
	size_t refused = 0;
	for (size_t i = 0; i < ARRAY_LEN(WALK_ROLES); i++)
		refused += walk_as(WALK_ROLES[i][0], WALK_ROLES[i][1], NULL, NULL, NULL);
	assert_int_equal(refused, 0);
}

/* The page addresses that take a POST and are not pages themselves. Each answers a form with
 * a redirect to its page (or an error status), never with a page that reloading could not
 * fetch again; the others are forms of their own page, posted to its address. */
static const char *const POST_ONLY[][2] = {
	{ "/logout", "redirects to the sign-in page" },
	{ "/logout/everywhere", "redirects to the sign-in page" },
	{ "/profile/language", "redirects back" },
	{ "/admin/peers/rotate", "redirects to /admin/peers" },
	{ "/admin/peers/revoke", "redirects to /admin/peers" },
	{ "/knowledge/{id}/attachments/{aid}/delete", "redirects to the item" },
	{ "/cases/{id}/attachments/{att}/remove", "redirects to the attachments" },
};

static void every_form_posts_to_a_page_that_can_be_loaded_again(void **state)
{
	(void)state;
	const http_route *routes = S.app.http.routes;
	size_t n = S.app.http.nroutes, problems = 0;
	for (size_t i = 0; i < n; i++) {
		const char *pattern = routes[i].pattern;
		if (!(routes[i].methods & HTTP_POST) || strncmp(pattern, "/api/", 5) == 0 ||
		    strncmp(pattern, "/fed/", 5) == 0)
			continue;
		bool page = false, listed = false;
		for (size_t k = 0; k < n; k++)
			page |=
			    (routes[k].methods & HTTP_GET) && !strcmp(routes[k].pattern, pattern);
		for (size_t k = 0; k < ARRAY_LEN(POST_ONLY); k++)
			listed |= strcmp(POST_ONLY[k][0], pattern) == 0;
		if (!page && !listed) {
			print_message("POST %s is no page: post the form to its page's address "
				      "(with a do= field), or redirect whatever happens\n",
				      pattern);
			problems++;
		} else if (page && listed) {
			print_message("POST %s is a page now: take it off POST_ONLY\n", pattern);
			problems++;
		}
	}
	assert_int_equal(problems, 0);
}

/* The class, not only the list: each POST-only address, posted a form it refuses (no fields,
 * unknown values) or one it takes, by each role that may post it, answers with a redirect or
 * an error status, never with a page (200, or 422 with the form's errors) that the browser
 * would then hold at an address it cannot load again. */
static void post_only_addresses_redirect_whatever_happens(void **state)
{
	(void)state;
	static const char *const who[] = { "admin%40demo.ponte.example",
					   "case.worker%40demo.ponte.example",
					   "focal.point%40demo.ponte.example" };
	static const char *const forms[] = { "", "do=x&id=999999&peer=zz&language=zz&reason=",
					     "language=en&id=1&peer=1" };
	size_t problems = 0;
	for (size_t k = 0; k < ARRAY_LEN(POST_ONLY); k++) {
		char path[160];
		size_t o = 0;
		for (const char *p = POST_ONLY[k][0]; *p && o + 2 < sizeof(path); p++) {
			if (*p == '{') { /* every parameter: the first of its kind */
				path[o++] = '1';
				while (*p && *p != '}')
					p++;
			} else {
				path[o++] = *p;
			}
		}
		path[o] = '\0';
		for (size_t u = 0; u < ARRAY_LEN(who); u++)
			for (size_t f = 0; f < ARRAY_LEN(forms); f++) {
				throttle_reset_all();
				struct web_session w;
				assert_int_equal(web_login(who[u], DEMO_PASSWORD, NULL, &w), 303);
				struct ht_resp r;
				long status = form_post(&w, path, forms[f], &r);
				ht_free(&r);
				if ((status >= 300 && status < 400) ||
				    (status >= 400 && status != 422))
					continue;
				print_message("POST %s as %s with \"%s\" answered %ld: %s\n", path,
					      who[u], forms[f], status, POST_ONLY[k][1]);
				problems++;
			}
	}
	assert_int_equal(problems, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_link_leads_to_a_page_its_reader_may_open),
		cmocka_unit_test(every_form_posts_to_a_page_that_can_be_loaded_again),
		cmocka_unit_test(post_only_addresses_redirect_whatever_happens),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
