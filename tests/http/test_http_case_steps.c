/* Registering a case in steps: a short first step, then the case's details section by
 * section from the case page, each saved on its own, as a case worker on a phone does it. */
#include "httptest.h"

#include <stdarg.h>

#include "audit/audit.h"

static struct ht_server S;
static struct web_session w, sup, porto, police;

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	/* A case worker of another organisation of the same country. */
	ht_add_org("PT-NGO-PORTO", "Porto Shelter (demo)", "PT");
	ht_add_user("porto@demo.ponte.example", "Porto Caseworker", "PT-NGO-PORTO", "case_worker");
	throttle_reset_all();
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	assert_int_equal(web_login("porto%40demo.ponte.example", DEMO_PASSWORD, NULL, &porto), 303);
	assert_int_equal(web_login("police%40demo.ponte.example", DEMO_PASSWORD, NULL, &police),
			 303);
	return 0;
}

/* A count read from outside the server once the audit writer has committed its queue. */
static int64_t count_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t count_sql(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_int_equal(audit_flush(S.db), 0);
	return ht_query_int(sql);
}

static long get(const struct web_session *s, const char *path, struct ht_resp *r)
{
	const char *h[] = { s->cookie, NULL };
	ht_get(S.port, path, h, r);
	return r->status;
}

/* Where a page's answer sends the browser. */
static const char *location(struct ht_resp *r, char *out, size_t n)
{
	assert_non_null(ht_header(r, "Location", out, n));
	return out;
}

/* The state a section has on the case page ("not-started", "in-progress", "complete"). */
static void assert_state(const char *page, const char *section, const char *state)
{
	char needle[160];
	snprintf(needle, sizeof(needle), "class=\"tag task-state %s\" id=\"state-%s\"", state,
		 section);
	if (!strstr(page, needle))
		fail_msg("section %s is not %s", section, state);
}

static long case_id;
static char case_page[64];

static void path_of(char *out, size_t n, const char *section)
{
	snprintf(out, n, "/cases/%ld/details/%s", case_id, section);
}

static void the_first_step_asks_only_who_the_person_is(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(get(&w, "/cases/new", &r), 200);
	assert_non_null(strstr(r.body, "id=\"prs_FirstName\""));
	assert_non_null(strstr(r.body, "id=\"prs_Birthdate\""));
	assert_non_null(strstr(r.body, "id=\"estimated_age\""));
	assert_null(strstr(r.body, "id=\"prs_Citizenship\""));
	assert_null(strstr(r.body, "id=\"prs_MobilePhone\""));
	assert_null(strstr(r.body, "id=\"vic_TraffickingStatus\""));
	assert_null(strstr(r.body, "id=\"phase\""));
	ht_free(&r);
	/* No name: refused, the message in the summary, what was typed kept, still one step. */
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=&prs_SecondName=&prs_Gender=Feminine&prs_"
				   "Birthdate=&estimated_age=16",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "href=\"#prs_FirstName\""));
	assert_non_null(strstr(r.body, "maxlength=\"3\" value=\"16\""));
	assert_null(strstr(r.body, "id=\"vic_TraffickingStatus\""));
	ht_free(&r);
	/* A name is enough to register: the case is usable at once. */
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=Fatoumata&prs_SecondName=&prs_Gender="
				   "NonSpecifiedUnknown&prs_Birthdate=&estimated_age=",
				   &r),
			 303);
	char loc[64];
	location(&r, loc, sizeof(loc));
	ht_free(&r);
	assert_true(strncmp(loc, "/cases/", 7) == 0);
	case_id = strtol(loc + 7, NULL, 10);
	assert_true(case_id > 0);
	snprintf(case_page, sizeof(case_page), "/cases/%ld", case_id);
	/* The case page lists the sections and their state, each linked to its form. */
	assert_int_equal(get(&w, case_page, &r), 200);
	char link[96];
	path_of(link, sizeof(link), "victim");
	assert_non_null(strstr(r.body, link));
	assert_state(r.body, "person", "in-progress");
	assert_state(r.body, "identification", "not-started");
	assert_state(r.body, "victim", "not-started");
	assert_state(r.body, "contact", "not-started");
	assert_state(r.body, "case", "complete");
	assert_non_null(strstr(r.body, "1 de 5")); /* sections completed, in Portuguese */
	ht_free(&r);
}

static void each_section_is_saved_on_its_own(void **state)
{
	(void)state;
	struct ht_resp r;
	char path[96], loc[96], fields[512];
	path_of(path, sizeof(path), "person");
	assert_int_equal(get(&w, path, &r), 200);
	assert_non_null(strstr(r.body, "id=\"prs_PrimaryLanguage\""));
	assert_null(strstr(r.body, "id=\"vic_TraffickingStatus\""));
	assert_non_null(strstr(r.body, "name=\"version\" value=\"1\""));
	ht_free(&r);
	/* Wrong input: every message, in the order of the form's fields, what was typed kept. */
	assert_int_equal(form_post(&w, path,
				   "version=1&prs_FirstName=Fatoumata&prs_SecondName=&prs_Gender="
				   "Feminine&prs_PrimaryLanguage=Bambara&estimated_age=200&prs_"
				   "Birthdate=2099-01-01",
				   &r),
			 422);
	const char *birth = strstr(r.body, "href=\"#prs_Birthdate\"");
	const char *age = strstr(r.body, "href=\"#estimated_age\"");
	const char *lang = strstr(r.body, "href=\"#prs_PrimaryLanguage\"");
	assert_non_null(birth);
	assert_non_null(age);
	assert_non_null(lang);
	assert_true(birth < age && age < lang);
	assert_non_null(strstr(r.body, "value=\"Bambara\""));
	assert_non_null(strstr(r.body, "value=\"2099-01-01\""));
	ht_free(&r);
	/* "Save and continue" saves and goes on to the next section. */
	assert_int_equal(
	    form_post(&w, path,
		      "version=1&prs_FirstName=Fatoumata&prs_SecondName=Traor%C3%A9&"
		      "prs_Gender=Feminine&prs_PrimaryLanguage=bm&estimated_age=16&prs_"
		      "Birthdate=&next=continue",
		      &r),
	    303);
	path_of(path, sizeof(path), "identification");
	assert_string_equal(location(&r, loc, sizeof(loc)), path);
	ht_free(&r);
	/* A section's post changes only that section, whatever else it carries. */
	assert_int_equal(
	    form_post(&w, path,
		      "version=2&prs_Citizenship=ml&prs_IdentityNumber=&phase=return&"
		      "vic_TypeOfExploitation=ForcedBegging&prs_FirstName=Other&next=case",
		      &r),
	    303);
	snprintf(fields, sizeof(fields), "%s#details", case_page);
	assert_string_equal(location(&r, loc, sizeof(loc)), fields);
	ht_free(&r);
	char bearer_auth[128], api_path[64];
	bearer("case.worker@demo.ponte.example", bearer_auth, sizeof(bearer_auth));
	snprintf(api_path, sizeof(api_path), "/api/v1/cases/%ld", case_id);
	assert_int_equal(api(bearer_auth, "GET", api_path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"version\":3,\"phase\":\"identification\""));
	assert_non_null(
	    strstr(r.body, "\"prs_FirstName\":\"Fatoumata\",\"prs_SecondName\":\"Traoré\""));
	assert_non_null(strstr(r.body, "\"prs_Citizenship\":[\"ML\"]"));
	assert_non_null(strstr(r.body, "\"estimated_age\":16"));
	assert_non_null(strstr(r.body, "\"vic_TypeOfExploitation\":[]"));
	ht_free(&r);
	/* The victim's section: ticked boxes saved, unticked ones cleared. */
	path_of(path, sizeof(path), "victim");
	assert_int_equal(
	    form_post(&w, path,
		      "version=3&vic_TraffickingStatus=PossibleVictimOfTrafficking&vic_"
		      "TypeOfExploitation=ForcedBegging&vic_MethodsOfControl=DebtBondage&"
		      "vic_MethodOfRecruitment=ThroughFamilyOrFamilyEvents&vic_"
		      "RelationshipToTrafficker=Familial&vic_ForcedLabourIndustry=&"
		      "smuggled_migrant=0&next=continue",
		      &r),
	    303);
	ht_free(&r);
	assert_int_equal(get(&w, path, &r), 200);
	assert_non_null(strstr(r.body, "value=\"ForcedBegging\" checked"));
	assert_non_null(strstr(r.body, "value=\"DebtBondage\" checked"));
	assert_non_null(
	    strstr(r.body, "id=\"sm-0\" name=\"smuggled_migrant\" value=\"0\" checked"));
	ht_free(&r);
	/* The case page shows the progress. */
	assert_int_equal(get(&w, case_page, &r), 200);
	assert_state(r.body, "person", "complete");
	assert_state(r.body, "identification", "in-progress");
	assert_state(r.body, "victim", "complete");
	assert_state(r.body, "contact", "not-started");
	assert_non_null(strstr(r.body, "3 de 5"));
	ht_free(&r);
	/* Each save is in the audit trail as a change of the case, each view as a read. */
	assert_int_equal(count_sql("SELECT count(*) FROM audit_events WHERE action = "
				   "'case.update' AND object_id = '%ld' AND outcome = 'success'",
				   case_id),
			 3);
	assert_true(count_sql("SELECT count(*) FROM audit_events WHERE action = 'case.read' AND "
			      "object_id = '%ld'",
			      case_id) >= 4);
}

static void a_stale_section_keeps_what_was_typed(void **state)
{
	(void)state;
	struct ht_resp r;
	char path[96];
	path_of(path, sizeof(path), "contact");
	/* The supervisor saves a phone first; the case worker's form, loaded before, is refused
	 * with what she typed still in it, what is saved now above it, and the new version. */
	assert_int_equal(
	    form_post(&sup, path, "version=4&prs_MobilePhone=%2B351900000001&next=case", &r), 303);
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, path, "version=4&prs_MobilePhone=%2B351911111111&next=case", &r), 409);
	assert_non_null(strstr(r.body, "id=\"conflict\""));
	assert_non_null(strstr(r.body, "<dd>+351900000001</dd>"));
	assert_non_null(strstr(r.body, "value=\"+351911111111\""));
	assert_non_null(strstr(r.body, "name=\"version\" value=\"5\""));
	ht_free(&r);
	/* Saving again is a deliberate choice, and then it goes through. */
	assert_int_equal(
	    form_post(&w, path, "version=5&prs_MobilePhone=%2B351911111111&next=case", &r), 303);
	ht_free(&r);
	/* Without a version the form is stale too: nothing is saved over. */
	assert_int_equal(form_post(&w, path, "prs_MobilePhone=%2B351922222222", &r), 409);
	ht_free(&r);
	assert_int_equal(get(&w, case_page, &r), 200);
	assert_state(r.body, "contact", "complete");
	ht_free(&r);
	/* The case's own address still takes the whole form, and shows it whole when refused. */
	assert_int_equal(form_post(&w, case_page, "version=1&phase=assistance", &r), 409);
	assert_non_null(strstr(r.body, "id=\"prs_MobilePhone\""));
	assert_non_null(strstr(r.body, "id=\"vic_TraffickingStatus\""));
	assert_non_null(strstr(r.body, "name=\"phase\""));
	ht_free(&r);
}

static void only_who_may_change_the_case_sees_its_sections(void **state)
{
	(void)state;
	struct ht_resp r;
	char path[96];
	path_of(path, sizeof(path), "person");
	/* Another organisation's case worker: no such case, and nothing saved. */
	assert_int_equal(get(&porto, path, &r), 404);
	ht_free(&r);
	assert_int_equal(form_post(&porto, path, "version=6&prs_FirstName=Changed", &r), 404);
	ht_free(&r);
	/* The police hold no social-service permission. */
	assert_int_equal(get(&police, path, &r), 403);
	ht_free(&r);
	assert_int_equal(form_post(&police, path, "version=6&prs_FirstName=Changed", &r), 403);
	ht_free(&r);
	/* A section that does not exist. */
	path_of(path, sizeof(path), "horoscope");
	assert_int_equal(get(&w, path, &r), 404);
	ht_free(&r);
	assert_int_equal(form_post(&w, path, "version=6&prs_FirstName=Changed", &r), 404);
	ht_free(&r);
	/* Without the form's token nothing is saved. */
	path_of(path, sizeof(path), "person");
	const char *h[] = { w.cookie, "Content-Type: application/x-www-form-urlencoded", NULL };
	const char *body = "version=6&prs_FirstName=Changed";
	assert_int_equal(ht_request(S.port, "POST", path, body, (long)strlen(body), h, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	assert_int_equal(get(&w, case_page, &r), 200);
	assert_non_null(strstr(r.body, "Fatoumata Traoré"));
	assert_null(strstr(r.body, "Changed"));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_step_asks_only_who_the_person_is),
		cmocka_unit_test(each_section_is_saved_on_its_own),
		cmocka_unit_test(a_stale_section_keeps_what_was_typed),
		cmocka_unit_test(only_who_may_change_the_case_sees_its_sections),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
