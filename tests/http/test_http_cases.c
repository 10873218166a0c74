/* The case file over HTTP: the JSON API and the pages, as case workers use them. */
#include "httptest.h"

#include <dirent.h>

#include "base/log.h"
#include "cases/sections.h"

static struct ht_server S;
static char cw_auth[128], sup_auth[128], other_auth[128];

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	/* A case worker of another organisation, same country. */
	ht_add_org("PT-NGO-PORTO", "Porto Shelter (demo)", "PT");
	ht_add_user("porto@demo.ponte.example", "Porto Caseworker", "PT-NGO-PORTO", "case_worker");
	char token[64];
	api_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(cw_auth, sizeof(cw_auth), "Authorization: Bearer %s", token);
	api_login("supervisor@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(sup_auth, sizeof(sup_auth), "Authorization: Bearer %s", token);
	api_login("porto@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(other_auth, sizeof(other_auth), "Authorization: Bearer %s", token);
	return 0;
}

static void the_api_registers_reads_lists_and_updates_cases(void **state)
{
	(void)state;
	struct ht_resp r;
	const char *body =
	    "{\"person\":{\"prs_FirstName\":\"Aïcha\",\"prs_SecondName\":\"Diallo\","
	    "\"prs_Gender\":\"Feminine\",\"prs_Birthdate\":\"2007-03-14\",\"prs_Citizenship\":["
	    "\"NE\",\"ML\"],"
	    "\"estimated_age\":null},\"victim\":{\"vic_TypeOfExploitation\":[\"ForcedBegging\"]}}";
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases", body, &r), 201);
	char v[128], path[64], item[64];
	assert_non_null(ht_header(&r, "Location", v, sizeof(v)));
	assert_true(strncmp(v, "/api/v1/cases/", 14) == 0);
	long id = strtol(v + 14, NULL, 10);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", id);
	snprintf(item, sizeof(item), "\"items\":[{\"id\":%ld,", id);
	assert_non_null(strstr(
	    r.body, ",\"version\":1,\"phase\":\"identification\",\"cas_Status\":\"Active\""));
	assert_non_null(strstr(r.body, "\"person\":{\"prs_FirstName\":\"Aïcha\""));
	assert_non_null(strstr(r.body, "\"prs_Citizenship\":[\"NE\",\"ML\"]"));
	assert_non_null(strstr(
	    r.body, "\"victim\":{\"vic_TraffickingStatus\":\"PossibleVictimOfTrafficking\","
		    "\"vic_TypeOfExploitation\":[\"ForcedBegging\"],\"vic_MethodsOfControl\":[],"
		    "\"vic_MethodOfRecruitment\":[],\"vic_RelationshipToTrafficker\":\"\","
		    "\"vic_ForcedLabourIndustry\":\"\",\"smuggled_migrant\":null}"));
	ht_free(&r);
	/* The list finds it by its number; a name is no parameter of an address. */
	char by_number[64];
	snprintf(by_number, sizeof(by_number), "/api/v1/cases?q=%ld&limit=10", id);
	assert_int_equal(api(sup_auth, "GET", by_number, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"total\":1,"));
	assert_non_null(strstr(r.body, item));
	ht_free(&r);
	assert_int_equal(api(sup_auth, "GET", "/api/v1/cases?q=aicha%20DIALLO&limit=10", NULL, &r),
			 422);
	ht_free(&r);
	assert_int_equal(api(sup_auth, "GET", "/api/v1/cases?limit=0", NULL, &r), 422);
	ht_free(&r);
	assert_int_equal(
	    api(sup_auth, "GET", "/api/v1/cases?phase=proceedings&status=Closed", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"total\":0,"));
	ht_free(&r);
	/* Two people edit: the second, based on version 1, gets 409 and the current version. */
	assert_int_equal(
	    api(sup_auth, "PATCH", path, "{\"version\":1,\"phase\":\"protection\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"version\":2,\"phase\":\"protection\""));
	ht_free(&r);
	assert_int_equal(
	    api(cw_auth, "PATCH", path, "{\"version\":1,\"cas_Status\":\"Closed\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"code\":\"conflict\""));
	assert_non_null(strstr(r.body, "\"current_version\":2"));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "PATCH", path, "{\"cas_Status\":\"Closed\"}", &r), 422);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"cas_Status\":\"Active\""));
	ht_free(&r);
	/* Another organisation's case worker: the case does not exist for them. */
	assert_int_equal(api(other_auth, "GET", path, NULL, &r), 404);
	ht_free(&r);
	assert_int_equal(
	    api(other_auth, "PATCH", path, "{\"version\":2,\"cas_Status\":\"Closed\"}", &r), 404);
	ht_free(&r);
	assert_int_equal(api(other_auth, "GET", "/api/v1/cases", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"total\":0,"));
	ht_free(&r);
}

static void bad_input_gets_field_errors(void **state)
{
	(void)state;
	struct ht_resp r;
	const char *bad =
	    "{\"phase\":\"later\",\"person\":{\"prs_Birthdate\":\"2099-01-01\",\"prs_Gender\":"
	    "\"X\","
	    "\"prs_Citizenship\":[\"XX\"]},\"victim\":{\"vic_TypeOfExploitation\":[\"Tourism\"]}}";
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases", bad, &r), 422);
	assert_non_null(strstr(r.body, "\"fields\":{"));
	/* In the case worker's own language (Portuguese). */
	assert_non_null(strstr(
	    r.body, "\"person.prs_Birthdate\":\"A data de nascimento não pode ser no futuro.\""));
	assert_non_null(strstr(r.body, "\"victim.vic_TypeOfExploitation\""));
	assert_non_null(strstr(r.body, "\"phase\""));
	ht_free(&r);
	const char *wrong_types[] = {
		"{\"person\":\"Aïcha\"}",
		"{\"person\":{\"prs_FirstName\":42}}",
		"{\"person\":{\"prs_Citizenship\":[\"NE,ML\"]}}",
		"{\"person\":{\"estimated_age\":\"ten\"}}",
		"not json",
	};
	for (size_t i = 0; i < ARRAY_LEN(wrong_types); i++) {
		if (api(cw_auth, "POST", "/api/v1/cases", wrong_types[i], &r) != 400)
			fail_msg("body %zu: status %ld", i, r.status);
		ht_free(&r);
	}
}

static void the_pages_register_edit_and_show_conflicts(void **state)
{
	(void)state;
	throttle_reset_all();
	struct web_session w, sup;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	struct ht_resp r;
	/* Errors: a summary and a message next to each field, the typed values kept. */
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=%3Cscript%3Ealert(1)%3C%2Fscript%3E&prs_"
				   "Birthdate=2099-01-01&prs_Citizenship=ne%2C+xx",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(
	    r.body,
	    "A data de nascimento não pode ser no futuro.")); /* the case worker's language */
	assert_non_null(strstr(r.body, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
	assert_null(strstr(r.body, "<script>alert(1)"));
	ht_free(&r);
	/* The summary lists the errors in the order of the form's fields, whatever order the
	 * checks found them in: the name (first on the form, checked last) before the gender,
	 * the gender before the phase (last on the form, checked first). */
	assert_int_equal(form_post(&w, "/cases/new", "prs_Gender=Bogus&phase=nowhere", &r), 422);
	const char *name = strstr(r.body, "href=\"#prs_FirstName\"");
	const char *gender = strstr(r.body, "href=\"#prs_Gender\"");
	const char *phase = strstr(r.body, "href=\"#phase\"");
	assert_non_null(name);
	assert_non_null(gender);
	assert_non_null(phase);
	assert_true(name < gender && gender < phase);
	ht_free(&r);
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=%3Cb%3EAmina%3C%2Fb%3E&prs_SecondName=Kon%C3%A9&"
				   "prs_Gender=Feminine&vic_TypeOfExploitation=ForcedLabour&vic_"
				   "TypeOfExploitation=ForcedBegging&prs_Citizenship=ne%2C+ml",
				   &r),
			 303);
	char loc[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, loc, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "&lt;b&gt;Amina&lt;/b&gt; Koné"));
	ht_free(&r);
	/* What the whole form gave is in the case's sections. */
	char part[160];
	snprintf(part, sizeof(part), "%s/details/identification", loc);
	ht_get(S.port, part, hw, &r);
	assert_non_null(strstr(r.body, "value=\"NE,ML\""));
	ht_free(&r);
	snprintf(part, sizeof(part), "%s/details/victim", loc);
	ht_get(S.port, part, hw, &r);
	assert_non_null(strstr(r.body, "value=\"ForcedBegging\" checked"));
	ht_free(&r);
	/* The supervisor saves first; the case worker's form, based on version 1, is refused
	 * and shown again with the conflict, not saved over. */
	char path[160];
	snprintf(path, sizeof(path), "%s", loc);
	assert_int_equal(
	    form_post(&sup, path,
		      "version=1&cas_Status=FollowUp&phase=assistance&prs_FirstName=Amina", &r),
	    303);
	ht_free(&r);
	assert_int_equal(form_post(&w, path, "version=1&cas_Status=Closed&prs_FirstName=Amina", &r),
			 409);
	assert_non_null(strstr(r.body, "id=\"conflict\""));
	assert_non_null(strstr(r.body, "name=\"version\" value=\"2\""));
	ht_free(&r);
	ht_get(S.port, loc, hw, &r);
	assert_non_null(strstr(r.body, "Acompanhamento")); /* FollowUp, in Portuguese */
	ht_free(&r);
	/* The list finds it by its number. */
	char by_number[160];
	snprintf(by_number, sizeof(by_number), "/cases?q=%s", loc + strlen("/cases/"));
	ht_get(S.port, by_number, hw, &r);
	assert_non_null(strstr(r.body, "Amina"));
	ht_free(&r);
}

/* The <select> with this id on a page, copied into out ("" when absent). */
static const char *select_of(const char *page, const char *id, char *out, size_t n)
{
	char open[96];
	snprintf(open, sizeof(open), "<select id=\"%s\"", id);
	const char *a = strstr(page, open), *b = a ? strstr(a, "</select>") : NULL;
	snprintf(out, n, "%.*s", b ? (int)(b - a) : 0, b ? a : "");
	return out;
}

static size_t count_of(const char *s, const char *needle)
{
	size_t k = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		k++;
	return k;
}

static void status_decisions_over_the_api_and_the_page(void **state)
{
	(void)state;
	struct ht_resp r;
	const char *body = "{\"person\":{\"prs_FirstName\":\"Rakia\",\"prs_SecondName\":\"Hama\"}}";
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases", body, &r), 201);
	char loc[100], path[200];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	snprintf(path, sizeof(path), "%s/status-decisions", loc);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"status\":\"confirmed\",\"decided_on\":\"2026-01-10\",\"vic_"
			     "TraffickingStatusDecisionMakingOrg\":\"NGO\"}",
			     &r),
			 422);
	assert_non_null(strstr(r.body, "\"vic_TraffickingStatusDecisionMakingOrg\""));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"status\":\"confirmed\",\"decided_on\":\"2026-01-10\",\"vic_"
			     "TraffickingStatusDecisionMakingOrg\":\"Police\",\"reasons\":\"<"
			     "script>x</script>\"}",
			     &r),
			 201);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"status\":\"confirmed\""));
	assert_non_null(
	    strstr(r.body, "\"reasons\":\"\\u003cscript\\u003ex\\u003c/script\\u003e\""));
	ht_free(&r);
	assert_int_equal(api(other_auth, "GET", path, NULL, &r), 404);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", loc, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"vic_TraffickingStatus\":\"ActualVictimOfTrafficking\""));
	ht_free(&r);
	/* The page shows the history, escaped, and records a decision through its form. */
	struct web_session w;
	throttle_reset_all();
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	char page[100];
	snprintf(page, sizeof(page), "/cases/%s", loc + strlen("/api/v1/cases/"));
	snprintf(path, sizeof(path), "%s", page);
	assert_int_equal(form_post(&w, path,
				   "do=decision&status=not_considered&decided_on=2099-01-01&vic_"
				   "TraffickingStatusDecisionMakingOrg=Police",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "class=\"field-error\""));
	ht_free(&r);
	assert_int_equal(form_post(&w, path,
				   "do=decision&status=pending&decided_on=2026-02-01&vic_"
				   "TraffickingStatusDecisionMakingOrg=Police&reasons=New+evidence",
				   &r),
			 303);
	ht_free(&r);
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, page, hw, &r);
	assert_non_null(strstr(r.body, "&lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(r.body, "New evidence"));
	assert_null(strstr(r.body, "<script>x"));
	ht_free(&r);
	/* The victim's section offers every victim status, the case's own chosen (the list of
	 * decisions once took the drop-down's place). */
	snprintf(path, sizeof(path), "%s/details/victim", page);
	ht_get(S.port, path, hw, &r);
	char select[4096];
	select_of(r.body, "vic_TraffickingStatus", select, sizeof(select));
	assert_int_equal(count_of(select, "<option value=\""), 3);
	assert_int_equal(count_of(select, " selected>"), 1);
	/* The last decision, pending, makes the person a presumed victim again. */
	assert_non_null(strstr(select, "<option value=\"PossibleVictimOfTrafficking\" selected>"));
	assert_non_null(strstr(select, "<option value=\"ActualVictimOfTrafficking\""));
	assert_non_null(strstr(select, "<option value=\"NotAVictimOfTrafficking\""));
	ht_free(&r);
}

/* The list as a file holds what the list shows, defused; the summary prints one case. */
static void exports_and_the_summary_show_only_what_the_caller_may_see(void **state)
{
	(void)state;
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"=HYPERLINK(\\\"http://x\\\")\","
			     "\"prs_SecondName\":\"Formula\"}}",
			     &r),
			 201);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", "/cases/export.csv", NULL, &r), 200);
	assert_non_null(strstr(r.headers, "no-store"));
	assert_non_null(strstr(r.body, "'=HYPERLINK")); /* never a live formula */
	assert_non_null(strstr(r.body, "Formula"));
	ht_free(&r);
	/* The other organisation's case worker does not get these cases. */
	assert_int_equal(api(other_auth, "GET", "/cases/export.csv", NULL, &r), 200);
	assert_null(strstr(r.body, "Formula"));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", "/cases/export.xlsx?status=Active", NULL, &r), 200);
	assert_memory_equal(r.body, "PK\x03\x04", 4);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", "/cases/1/summary", NULL, &r), 200);
	assert_non_null(strstr(r.body, "<h1 id=\"sum-title\">"));
	ht_free(&r);
	assert_int_equal(api(other_auth, "GET", "/cases/1/summary", NULL, &r), 404);
	ht_free(&r);
}

/* The safety page: refused field by field, then recorded and on the timeline. */
static void a_risk_assessment_from_the_page(void **state)
{
	(void)state;
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	struct ht_resp r;
	assert_int_equal(
	    form_post(&w, "/cases/1/safety", "risk=extreme&assessed_on=2026-01-10", &r), 422);
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/cases/1/safety",
		      "risk=high&threat=trafficker_contact&threat=retaliation&plan=%3Cb%3E"
		      "changed+phone%3C%2Fb%3E&assessed_on=2026-01-10",
		      &r),
	    303);
	ht_free(&r);
	const char *h[] = { w.cookie, NULL };
	ht_get(S.port, "/cases/1/safety", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "data-risk=\"high\""));
	assert_non_null(strstr(r.body, "&lt;b&gt;changed phone&lt;/b&gt;")); /* escaped */
	assert_non_null(strstr(r.body, "2026-01-17"));                       /* 7 days: high */
	ht_free(&r);
	ht_get(S.port, "/cases/1/timeline", h, &r);
	assert_non_null(strstr(r.body, "data-kind=\"safety\""));
	ht_free(&r);
	/* The first contact: refused without a channel, then recorded; the place encrypted. */
	assert_int_equal(
	    form_post(&w, "/cases/1/contacts", "contact_on=2026-01-09&language=fr", &r), 422);
	ht_free(&r);
	assert_int_equal(form_post(&w, "/cases/1/contacts",
				   "contact_on=2026-01-09&channel=labour_inspection&place=Quinta+"
				   "Secret-Farm-4471&interpreter=1&language=ff&rights=1&"
				   "rights_language=fr",
				   &r),
			 303);
	ht_free(&r);
	ht_get(S.port, "/cases/1/contacts", h, &r);
	assert_non_null(strstr(r.body, "Secret-Farm-4471"));
	ht_free(&r);
	const char *place[] = { "Secret-Farm-4471" };
	int files;
	assert_null(ht_on_disk(place, 1, &files));
	assert_true(files > 0);
	/* Return: decided, then refused until an assessment shows no threat (the high-risk
	 * one above predates the decision), then scheduled. */
	assert_int_equal(form_post(&w, "/cases/1/return",
				   "destination=SN&decided_on=2026-01-12&information_given=1", &r),
			 303);
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/cases/1/return", "do=schedule&return_id=1&departure_on=2026-02-01", &r),
	    422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	ht_free(&r);
	assert_int_equal(form_post(&w, "/cases/1/safety", "risk=low&assessed_on=2026-01-14", &r),
			 303);
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/cases/1/return", "do=schedule&return_id=1&departure_on=2026-02-01", &r),
	    303);
	ht_free(&r);
	ht_get(S.port, "/cases/1/return", h, &r);
	assert_non_null(strstr(r.body, "2026-02-01"));
	ht_free(&r);
	/* A disputed age: treated as a child, screened with the children's list. */
	assert_int_equal(form_post(&w, "/cases/1/child",
				   "version=0&age_disputed=1&tracing=requested&placement=shelter&"
				   "placement_since=2026-01-11",
				   &r),
			 303);
	ht_free(&r);
	ht_get(S.port, "/cases/1/child", h, &r);
	assert_non_null(strstr(r.body, "id=\"treated-as-child\""));
	ht_free(&r);
	ht_get(S.port, "/cases/1/screening", h, &r);
	assert_non_null(strstr(r.body, "name=\"list\" value=\"child_labour\""));
	ht_free(&r);
	/* Assistance: the end before the start is refused; then recorded and listed. */
	assert_int_equal(form_post(&w, "/cases/1/assistance",
				   "type=medical&started_on=2026-01-10&ended_on=2026-01-02", &r),
			 422);
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/cases/1/assistance", "type=medical&started_on=2026-01-10", &r), 303);
	ht_free(&r);
	ht_get(S.port, "/cases/1/assistance", h, &r);
	assert_non_null(strstr(r.body, "2026-01-10"));
	ht_free(&r);
	/* Saved again from the same page: the second save is a conflict. */
	assert_int_equal(
	    form_post(&w, "/cases/1/child", "version=0&age_disputed=1&tracing=found", &r), 409);
	ht_free(&r);
}

/* The sections of the case file: JSON with the descriptors' names, field errors, stale edits,
 * the proceedings tier apart from the social file; the pages with the same rules. */
static void the_case_file_sections_over_the_api_and_the_pages(void **state)
{
	(void)state;
	throttle_reset_all();
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Sections\"}}", &r),
			 201);
	char loc[128], path[128], entry[160];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	long id = strtol(loc + 14, NULL, 10);
	ht_free(&r);
	/* The trafficking facts of the victim, with HTCDS names; bad codes are field errors. */
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", id);
	assert_int_equal(
	    api(cw_auth, "PATCH", path,
		"{\"version\":1,\"victim\":{\"vic_MethodsOfControl\":[\"DebtBondage\","
		"\"WithholdsDocuments\"],\"vic_MethodOfRecruitment\":[\"AtWork\"],"
		"\"vic_RelationshipToTrafficker\":\"Acquainted\",\"vic_ForcedLabourIndustry\":"
		"\"A_AgricultureForestryAndFishing\",\"smuggled_migrant\":true}}",
		&r),
	    200);
	assert_non_null(
	    strstr(r.body, "\"vic_MethodsOfControl\":[\"DebtBondage\",\"WithholdsDocuments\"]"));
	assert_non_null(strstr(r.body, "\"smuggled_migrant\":true"));
	ht_free(&r);
	assert_int_equal(
	    api(cw_auth, "PATCH", path,
		"{\"version\":2,\"victim\":{\"vic_MethodsOfControl\":[\"Spells\"],"
		"\"vic_ForcedLabourIndustry\":\"Z_Nothing\",\"smuggled_migrant\":\"maybe\"}}",
		&r),
	    400);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "PATCH", path,
			     "{\"version\":2,\"victim\":{\"vic_MethodsOfControl\":[\"Spells\"],"
			     "\"vic_ForcedLabourIndustry\":\"Z_Nothing\"}}",
			     &r),
			 422);
	assert_non_null(strstr(r.body, "victim.vic_MethodsOfControl"));
	assert_non_null(strstr(r.body, "victim.vic_ForcedLabourIndustry"));
	ht_free(&r);
	/* The observatory's record of the case carries them as CTDC codes. */
	{
		store_conn *c;
		store_stmt *st;
		static const char q[] = "SELECT control, labour_sector, recruiter_relation FROM "
					"obs_records WHERE row_key = ?1";
		char key[32];
		int n = snprintf(key, sizeof(key), "case:%ld", id);
		assert_int_equal(store_conn_get(S.db, &c), 0);
		assert_int_equal(store_prepare(c, q, &st), 0);
		store_bind_blob(st, 1, key, (size_t)n);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_string_equal(store_col_text(st, 0, NULL),
				    "debt_bondage,withholds_documents");
		assert_string_equal(store_col_text(st, 1, NULL), "agriculture");
		assert_string_equal(store_col_text(st, 2, NULL), "friend");
		store_reset(st);
	}
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/file/needs", id);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"need\":\"medical\",\"urgency\":\"immediate\","
			     "\"identified_on\":\"2026-01-10\",\"note\":\"<script>x</script>\"}",
			     &r),
			 201);
	assert_non_null(strstr(r.body, "\"version\":1"));
	assert_non_null(strstr(r.body, "\"need\":\"medical\""));
	long eid = strtol(strstr(r.body, "\"id\":") + 5, NULL, 10);
	ht_free(&r);
	/* Field errors, a wrong type, an unknown field. */
	assert_int_equal(
	    api(cw_auth, "POST", path, "{\"need\":\"pizza\",\"identified_on\":\"2026-02-30\"}", &r),
	    422);
	assert_non_null(strstr(r.body, "\"need\""));
	assert_non_null(strstr(r.body, "\"identified_on\""));
	assert_non_null(strstr(r.body, "\"urgency\""));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path, "{\"need\":3}", &r), 400);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path, "{\"needs\":\"medical\"}", &r), 400);
	ht_free(&r);
	/* An edit on version 1 passes once; the second on version 1 is a conflict. */
	snprintf(entry, sizeof(entry), "%s/%ld", path, eid);
	assert_int_equal(
	    api(cw_auth, "PATCH", entry, "{\"version\":1,\"met_on\":\"2026-01-12\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"met_on\":\"2026-01-12\""));
	assert_non_null(strstr(r.body, "\"need\":\"medical\"")); /* the rest kept */
	ht_free(&r);
	assert_int_equal(api(sup_auth, "PATCH", entry, "{\"version\":1,\"met_on\":\"\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"current_version\":2"));
	ht_free(&r);
	/* The refused edit is in the audit trail, as a failure. */
	{
		store_conn *c;
		store_stmt *st;
		static const char q[] =
		    "SELECT count(*) FROM audit_events WHERE action = "
		    "'case.needs.edit' AND object_id = ?1 AND outcome = 'failure'";
		assert_int_equal(store_conn_get(S.db, &c), 0);
		char object[24];
		int n = snprintf(object, sizeof(object), "%ld", id);
		assert_int_equal(store_prepare(c, q, &st), 0);
		store_bind_text(st, 1, object, (size_t)n);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_int_equal(store_col_int64(st, 0), 1);
		store_reset(st);
	}
	/* Another organisation's case worker: not found. A section of the other tier or none. */
	assert_int_equal(api(other_auth, "GET", path, NULL, &r), 404);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/file/proceedings", id);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 404);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/file/horoscope", id);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 404);
	ht_free(&r);
	/* Proceedings: the police write them, the case worker may not even ask. */
	char police[128];
	bearer("police@demo.ponte.example", police, sizeof(police));
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/proceedings/proceedings", id);
	assert_int_equal(api(police, "POST", path,
			     "{\"kind\":\"criminal\",\"person_role\":\"witness\","
			     "\"authority\":\"DIAP Lisboa\",\"opened_on\":\"2026-02-01\","
			     "\"protection\":[\"anonymity\",\"video_testimony\"],"
			     "\"non_punishment\":true}",
			     &r),
			 201);
	assert_non_null(strstr(r.body, "\"protection\":[\"anonymity\",\"video_testimony\"]"));
	assert_non_null(strstr(r.body, "\"non_punishment\":true"));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 403);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/file/needs", id);
	assert_int_equal(api(police, "GET", path, NULL, &r), 403);
	ht_free(&r);

	/* The pages: errors in the user's language next to the fields, text escaped, conflicts
	 * shown instead of overwriting. */
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	snprintf(path, sizeof(path), "/cases/%ld/file/needs", id);
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "&lt;script&gt;x&lt;/script&gt;"));
	assert_null(strstr(r.body, "<script>x"));
	assert_non_null(strstr(r.body, "Cuidados médicos")); /* the code, in Portuguese */
	ht_free(&r);
	assert_int_equal(form_post(&w, path, "need=medical&urgency=&identified_on=2099-01-01", &r),
			 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "href=\"#identified_on\""));
	assert_non_null(strstr(r.body, "value=\"2099-01-01\"")); /* what was typed, kept */
	ht_free(&r);
	snprintf(entry, sizeof(entry), "%s/%ld", path, eid);
	assert_int_equal(form_post(&w, entry,
				   "version=2&need=medical&urgency=short_term&identified_on=2026-"
				   "01-10&note=checked",
				   &r),
			 303);
	ht_free(&r);
	assert_int_equal(form_post(&w, entry,
				   "version=2&need=medical&urgency=long_term&identified_on=2026-"
				   "01-10&note=mine",
				   &r),
			 409);
	assert_non_null(strstr(r.body, "id=\"conflict\""));
	assert_non_null(strstr(r.body, "name=\"version\" value=\"3\""));
	assert_non_null(strstr(r.body, ">mine</textarea>"));
	ht_free(&r);
	/* The victim's section shows the facts; the case page links the file's sections, not
	 * the proceedings. */
	snprintf(path, sizeof(path), "/cases/%ld/details/victim", id);
	ht_get(S.port, path, hw, &r);
	assert_non_null(strstr(r.body, "value=\"DebtBondage\" checked"));
	assert_non_null(strstr(r.body, "value=\"Acquainted\" selected"));
	assert_non_null(
	    strstr(r.body, "id=\"sm-1\" name=\"smuggled_migrant\" value=\"1\" checked"));
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%ld", id);
	ht_get(S.port, path, hw, &r);
	/* One tab per phase, the case's own open: identification holds the events. */
	snprintf(entry, sizeof(entry), "/cases/%ld/file/events", id);
	assert_non_null(strstr(r.body, entry));
	assert_non_null(strstr(r.body, "aria-current=\"page\" class=\"current\">Identificação"));
	snprintf(entry, sizeof(entry), "/cases/%ld/file/compensation", id);
	assert_null(strstr(r.body, entry));
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%ld?tab=assistance", id);
	ht_get(S.port, path, hw, &r);
	assert_non_null(strstr(r.body, entry));
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%ld?tab=proceedings", id);
	ht_get(S.port, path, hw, &r);
	assert_null(strstr(r.body, "/proceedings/"));
	ht_free(&r);
	/* The police find the case on their list of proceedings. */
	struct web_session pw;
	assert_int_equal(web_login("police%40demo.ponte.example", DEMO_PASSWORD, NULL, &pw), 303);
	const char *hp[] = { pw.cookie, NULL };
	ht_get(S.port, "/proceedings", hp, &r);
	assert_int_equal(r.status, 200);
	snprintf(entry, sizeof(entry), "/cases/%ld/proceedings/proceedings", id);
	assert_non_null(strstr(r.body, entry));
	ht_free(&r);
	ht_get(S.port, entry, hp, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "DIAP Lisboa"));
	ht_free(&r);
}

/* Closing from the pages: the case worker asks, the supervisor finds it on "Action needed"
 * and approves; the case worker cannot approve. */
static void closing_a_case_from_the_pages(void **state)
{
	(void)state;
	throttle_reset_all();
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Closing\"}}", &r),
			 201);
	char loc[128], path[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	long id = strtol(loc + 14, NULL, 10);
	ht_free(&r);
	struct web_session w, sup;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	snprintf(path, sizeof(path), "/cases/%ld/closure", id);
	assert_int_equal(form_post(&w, path, "cas_Status=Closed&cas_ReasonForCaseClosure=", &r),
			 422);
	assert_non_null(strstr(r.body, "href=\"#cas_ReasonForCaseClosure\""));
	ht_free(&r);
	assert_int_equal(form_post(&w, path,
				   "cas_Status=Closed&cas_ReasonForCaseClosure=Back+home+and+safe",
				   &r),
			 303);
	ht_free(&r);
	const char *hs[] = { sup.cookie, NULL };
	ht_get(S.port, "/work", hs, &r);
	assert_non_null(strstr(r.body, path));
	const char *found = strstr(r.body, "id=\"approvals-tasks\"");
	assert_non_null(found);
	ht_free(&r);
	ht_get(S.port, path, hs, &r);
	const char *form = strstr(r.body, "name=\"closure_id\" value=\"");
	assert_non_null(form);
	long cid = strtol(form + strlen("name=\"closure_id\" value=\""), NULL, 10);
	ht_free(&r);
	/* The decision is a form of the closure page, posted to the page's own address. */
	char approve[64], back[48];
	snprintf(approve, sizeof(approve), "/cases/%ld/closure", id);
	snprintf(back, sizeof(back), "do=approve&closure_id=%ld", cid);
	assert_int_equal(form_post(&w, approve, back, &r), 403); /* not the one who asked */
	ht_free(&r);
	assert_int_equal(form_post(&sup, approve, back, &r), 303);
	ht_free(&r);
	assert_int_equal(form_post(&sup, approve, back, &r), 409); /* decided already */
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", id);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"cas_Status\":\"Closed\""));
	assert_non_null(strstr(r.body, "\"cas_ReasonForCaseClosure\":\"Back home and safe\""));
	ht_free(&r);
	/* The timeline: registered (by whom, not with today's status), then the closure. */
	const char *hw[] = { w.cookie, NULL };
	snprintf(path, sizeof(path), "/cases/%ld/timeline", id);
	ht_get(S.port, path, hw, &r);
	char line[512];
	const char *reg = strstr(r.body, "<li data-kind=\"registered\">");
	assert_non_null(reg);
	snprintf(line, sizeof(line), "%.*s", (int)(strstr(reg, "</li>") - reg), reg);
	assert_null(strstr(line, "Encerrado")); /* Closed, in Portuguese */
	assert_null(strstr(line, "Closed"));
	assert_non_null(strstr(line, "Safe Bridge Association, Lisbon (demo)"));
	assert_non_null(strstr(r.body, "<li data-kind=\"closure\">"));
	ht_free(&r);
}

/* Four eyes on every path: the new-case page offers no status, and neither the page nor the
 * API registers a closed case or closes one by changing it, supervisor or not. */
static void no_one_closes_a_case_alone(void **state)
{
	(void)state;
	throttle_reset_all();
	struct web_session sup;
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	const char *hs[] = { sup.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/cases/new", hs, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "name=\"cas_Status\""));
	assert_null(strstr(r.body, "name=\"cas_ReasonForCaseClosure\""));
	ht_free(&r);
	assert_int_equal(
	    form_post(&sup, "/cases/new",
		      "prs_FirstName=Alone&cas_Status=Closed&cas_ReasonForCaseClosure=Done", &r),
	    422);
	assert_non_null(strstr(r.body, "href=\"#cas_Status\""));
	ht_free(&r);
	const char *closed[] = {
		"{\"person\":{\"prs_FirstName\":\"Alone\"},\"cas_Status\":\"Closed\"}",
		"{\"person\":{\"prs_FirstName\":\"Alone\"},\"cas_Status\":\"ClosedReferred\"}",
		"{\"person\":{\"prs_FirstName\":\"Alone\"},\"cas_ReasonForCaseClosure\":\"Done\"}",
	};
	for (size_t i = 0; i < ARRAY_LEN(closed); i++) {
		if (api(sup_auth, "POST", "/api/v1/cases", closed[i], &r) != 422)
			fail_msg("body %zu: status %ld", i, r.status);
		assert_non_null(
		    strstr(r.body, i < 2 ? "\"cas_Status\"" : "\"cas_ReasonForCaseClosure\""));
		ht_free(&r);
	}
	/* Registered open; the supervisor's change to closed is refused on the page and over
	 * the API, and the page offers only open statuses. */
	assert_int_equal(form_post(&sup, "/cases/new", "prs_FirstName=Alone", &r), 303);
	char loc[128], path[160];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	long id = strtol(loc + strlen("/cases/"), NULL, 10);
	snprintf(path, sizeof(path), "%s/details/case", loc);
	ht_get(S.port, path, hs, &r);
	char select[4096];
	select_of(r.body, "cas_Status", select, sizeof(select));
	assert_int_equal(count_of(select, "<option value=\""), 2);
	assert_null(strstr(select, "Closed"));
	snprintf(path, sizeof(path), "href=\"/cases/%ld/closure\"", id);
	assert_non_null(strstr(r.body, path));
	ht_free(&r);
	ht_get(S.port, loc, hs, &r);
	assert_non_null(strstr(r.body, path));
	ht_free(&r);
	assert_int_equal(
	    form_post(&sup, loc, "version=1&cas_Status=Closed&prs_FirstName=Alone", &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld", id);
	assert_int_equal(
	    api(sup_auth, "PATCH", path, "{\"version\":1,\"cas_Status\":\"Closed\"}", &r), 422);
	assert_non_null(strstr(r.body, "\"cas_Status\""));
	ht_free(&r);
	assert_int_equal(api(sup_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"cas_Status\":\"Active\""));
	assert_non_null(strstr(r.body, "\"version\":1"));
	ht_free(&r);
}

/* Bytes of every file under dir contain needle? */
static bool dir_contains(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	bool found = false;
	for (struct dirent *e = d ? readdir(d) : NULL; e && !found; e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		static char data[1 << 20];
		size_t n = f ? fread(data, 1, sizeof(data), f) : 0;
		if (f)
			fclose(f);
		found = memmem(data, n, needle, strlen(needle)) != NULL;
	}
	if (d)
		closedir(d);
	return found;
}

/* The only file under dir (its path), or false. */
static bool only_file(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	int count = 0;
	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
		if (e->d_name[0] != '.' && count++ == 0)
			snprintf(out, n, "%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	return count == 1;
}

/* Attachments: checked by content, sealed on disk, opened only for who may read the case;
 * a file changed on disk is an error, never content. */
static void case_attachments_are_sealed_on_disk(void **state)
{
	(void)state;
	throttle_reset_all();
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Attached\"}}", &r),
			 201);
	char loc[128], path[128], dir[700], csrf[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	long id = strtol(loc + 14, NULL, 10);
	ht_free(&r);
	snprintf(dir, sizeof(dir), "%s/cases", store_files_dir(S.db));
	struct web_session w, porto;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("porto%40demo.ponte.example", DEMO_PASSWORD, NULL, &porto), 303);
	snprintf(csrf, sizeof(csrf), "csrf=%s", w.csrf);
	snprintf(path, sizeof(path), "/cases/%ld/attachments", id);
	static const char pdf[] = "%PDF-1.7\n1 0 obj <<>> endobj\nPROBE-MEDICAL-CERT-77\n%%EOF\n";
	assert_int_equal(
	    upload(w.cookie, path, csrf, "Atestado <Probe> médico.pdf", pdf, sizeof(pdf) - 1, &r),
	    303);
	ht_free(&r);
	/* Nothing of the content or the name on disk; the name shown escaped. */
	assert_false(dir_contains(dir, "PROBE-MEDICAL-CERT"));
	const char *probes[] = { "PROBE-MEDICAL-CERT", "Atestado" };
	int files;
	assert_null(ht_on_disk(probes, 2, &files));
	assert_true(files > 0);
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, path, hw, &r);
	assert_non_null(strstr(r.body, "Atestado &lt;Probe&gt; médico.pdf"));
	const char *link = strstr(r.body, "/attachments/");
	assert_non_null(link);
	char download[160];
	snprintf(download, sizeof(download), "%s/%ld", path, strtol(link + 13, NULL, 10));
	ht_free(&r);
	ht_get(S.port, download, hw, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(pdf) - 1);
	assert_memory_equal(r.body, pdf, sizeof(pdf) - 1);
	char disp[256];
	assert_non_null(ht_header(&r, "Content-Disposition", disp, sizeof(disp)));
	assert_true(strncmp(disp, "attachment;", 11) == 0);
	ht_free(&r);
	/* Another organisation: not found. */
	const char *hp[] = { porto.cookie, NULL };
	ht_get(S.port, download, hp, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	/* A disguised executable, a file too large. */
	static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00This program cannot be run";
	assert_int_equal(upload(w.cookie, path, csrf, "scan.pdf", exe, sizeof(exe) - 1, &r), 422);
	ht_free(&r);
	size_t big = (10u << 20) + 4096;
	char *huge = malloc(big);
	memset(huge, 'A', big);
	memcpy(huge, "%PDF-1.7\n", 9);
	assert_int_equal(upload(w.cookie, path, csrf, "huge.pdf", huge, big, &r), 413);
	ht_free(&r);
	free(huge);
	/* One byte changed on disk: refused, nothing shown. */
	char sealed[1024];
	assert_true(only_file(dir, sealed, sizeof(sealed)));
	FILE *f = fopen(sealed, "r+b");
	assert_non_null(f);
	fseek(f, 40, SEEK_SET);
	int ch = fgetc(f);
	fseek(f, 40, SEEK_SET);
	fputc(ch ^ 1, f);
	fclose(f);
	ht_get(S.port, download, hw, &r);
	assert_int_equal(r.status, 500);
	assert_null(memmem(r.body, r.len, "PROBE", 5));
	ht_free(&r);
	/* Removing asks first, naming the file: the first post changes nothing. */
	char remove[200], ask[200];
	snprintf(remove, sizeof(remove), "%s/remove", download);
	assert_int_equal(form_post(&w, remove, "x=1", &r), 303);
	assert_non_null(ht_header(&r, "Location", ask, sizeof(ask)));
	ht_free(&r);
	assert_true(only_file(dir, sealed, sizeof(sealed)));
	assert_non_null(strstr(ask, "/attachments?remove="));
	ht_get(S.port, ask, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "id=\"confirm-form\""));
	assert_non_null(strstr(r.body, "Atestado &lt;Probe&gt; médico.pdf"));
	char action[220];
	snprintf(action, sizeof(action), "action=\"%s\"", remove);
	assert_non_null(strstr(r.body, action));
	ht_free(&r);
	/* Asking about a file of another case, or none: not found. */
	char other[200];
	snprintf(other, sizeof(other), "%s?remove=999999", path);
	ht_get(S.port, other, hw, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	/* Confirmed: the file is gone and the download not found. */
	assert_int_equal(form_post(&w, remove, "confirm=1", &r), 303);
	ht_free(&r);
	assert_false(only_file(dir, sealed, sizeof(sealed)));
	ht_get(S.port, download, hw, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
}

/* The same over the API, for the systems agencies connect: a closure asked with a field
 * error first, refused to its requester, approved once; an attachment uploaded, listed,
 * downloaded byte for byte, a disguised one refused, another organisation kept out, removed. */
static void closures_and_attachments_over_the_api(void **state)
{
	(void)state;
	throttle_reset_all();
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Api-Closing\"}}", &r),
			 201);
	char loc[128], path[160];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	long id = strtol(loc + 14, NULL, 10);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/closures", id);
	assert_int_equal(api(cw_auth, "POST", path, "{\"cas_Status\":\"Closed\"}", &r), 422);
	assert_non_null(strstr(r.body, "cas_ReasonForCaseClosure"));
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path, "[1]", &r), 400);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"cas_Status\":\"Closed\",\"cas_ReasonForCaseClosure\":\"Home\"}",
			     &r),
			 201);
	long cid = strtol(strstr(r.body, "\"id\":") + 5, NULL, 10);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"cas_Status\":\"Closed\",\"cas_ReasonForCaseClosure\":\"Again\"}",
			     &r),
			 409); /* one request waits already */
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"cas_ReasonForCaseClosure\":\"Home\""));
	ht_free(&r);
	char decide[96];
	snprintf(decide, sizeof(decide), "/api/v1/closures/%ld/approve", cid);
	assert_int_equal(api(cw_auth, "POST", decide, "{}", &r), 403);
	ht_free(&r);
	assert_int_equal(api(sup_auth, "POST", decide, "{}", &r), 200);
	ht_free(&r);
	assert_int_equal(api(sup_auth, "POST", decide, "{}", &r), 409);
	ht_free(&r);
	snprintf(decide, sizeof(decide), "/api/v1/closures/%ld/maybe", cid);
	assert_int_equal(api(sup_auth, "POST", decide, "{}", &r), 404);
	ht_free(&r);
	/* Attachments (the case is closed now; attaching still works for its file). */
	snprintf(path, sizeof(path), "/api/v1/cases/%ld/attachments", id);
	static const char pdf[] = "%PDF-1.7\n1 0 obj <<>> endobj\nAPI-CERT-31\n%%EOF\n";
	assert_int_equal(upload(cw_auth, path, NULL, "certificate.pdf", pdf, sizeof(pdf) - 1, &r),
			 201);
	long att = strtol(strstr(r.body, "\"id\":") + 5, NULL, 10);
	ht_free(&r);
	static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00This program cannot be run";
	assert_int_equal(upload(cw_auth, path, NULL, "scan.pdf", exe, sizeof(exe) - 1, &r), 422);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"filename\":\"certificate.pdf\""));
	assert_non_null(strstr(r.body, "\"media_type\":\"application/pdf\""));
	ht_free(&r);
	char one[200];
	snprintf(one, sizeof(one), "%s/%ld", path, att);
	assert_int_equal(api(cw_auth, "GET", one, NULL, &r), 200);
	assert_int_equal(r.len, sizeof(pdf) - 1);
	assert_memory_equal(r.body, pdf, sizeof(pdf) - 1);
	ht_free(&r);
	assert_int_equal(api(other_auth, "GET", one, NULL, &r), 404);
	ht_free(&r);
	snprintf(one, sizeof(one), "%s/%ld/remove", path, att);
	assert_int_equal(api(other_auth, "POST", one, "{}", &r), 404);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", one, "{}", &r), 200);
	ht_free(&r);
	snprintf(one, sizeof(one), "%s/%ld", path, att);
	assert_int_equal(api(cw_auth, "GET", one, NULL, &r), 404);
	ht_free(&r);
}

/* The administrator changes a country's clocks and who confirms victim status; the case file
 * follows at once; removing the country's value returns to the default. */
static void administrators_set_the_country_rules(void **state)
{
	(void)state;
	throttle_reset_all();
	struct web_session adm;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &adm), 303);
	struct ht_resp r;
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "country=PT&rule=reflection_days&value=99999", &r),
	    422);
	ht_free(&r);
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "country=XX&rule=reflection_days&value=9", &r), 422);
	ht_free(&r);
	assert_int_equal(form_post(&adm, "/admin/rules", "country=PT&rule=bedtime&value=9", &r),
			 422);
	ht_free(&r);
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "country=PT&rule=reflection_days&value=90", &r), 303);
	ht_free(&r);
	const char *ha[] = { adm.cookie, NULL };
	ht_get(S.port, "/admin/rules", ha, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body,
			       "<td><span data-code=\"PT\">Portugal</span></td><td>Recovery "
			       "and reflection period (days)</td><td>90</td>"));
	ht_free(&r);
	/* In Portugal only the courts now confirm: the police's confirmation is refused. */
	assert_int_equal(form_post(&adm, "/admin/rules",
				   "do=confirmers&country=PT&org_type=CourtOrProsecution", &r),
			 303);
	ht_free(&r);
	assert_int_equal(
	    api(cw_auth, "POST", "/api/v1/cases", "{\"person\":{\"prs_FirstName\":\"Ruled\"}}", &r),
	    201);
	char loc[128], path[160];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	snprintf(path, sizeof(path), "%s/status-decisions", loc);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"status\":\"confirmed\",\"decided_on\":\"2026-01-05\","
			     "\"vic_TraffickingStatusDecisionMakingOrg\":\"Police\"}",
			     &r),
			 422);
	ht_free(&r);
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "do=confirmers&country=PT&org_type=Police", &r), 303);
	ht_free(&r);
	assert_int_equal(api(cw_auth, "POST", path,
			     "{\"status\":\"confirmed\",\"decided_on\":\"2026-01-05\","
			     "\"vic_TraffickingStatusDecisionMakingOrg\":\"Police\"}",
			     &r),
			 201);
	ht_free(&r);
	/* Back to the default: the country's line is gone; the defaults cannot be removed. */
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "do=remove&country=PT&rule=reflection_days", &r), 303);
	ht_free(&r);
	assert_int_equal(
	    form_post(&adm, "/admin/rules", "do=remove&country=ZZ&rule=reflection_days", &r), 404);
	ht_free(&r);
	/* Case workers do not reach the page. */
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(
	    form_post(&w, "/admin/rules", "country=PT&rule=reflection_days&value=1", &r), 403);
	ht_free(&r);
}

#define XSS "%3Cscript%3Ealert(1)%3C%2Fscript%3E"

/* Every section, from its descriptor: a payload in every field of words is stored and shown
 * escaped; payloads in every field re-show the form escaped with its errors. */
static void payloads_in_every_section_field_are_shown_escaped(void **state)
{
	(void)state;
	throttle_reset_all();
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "POST", "/api/v1/cases",
			     "{\"person\":{\"prs_FirstName\":\"Escaped\"}}", &r),
			 201);
	char loc[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	long id = strtol(loc + 14, NULL, 10);
	ht_free(&r);
	struct web_session w, pw;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("police%40demo.ponte.example", DEMO_PASSWORD, NULL, &pw), 303);
	for (size_t i = 0; i < section_count(); i++) {
		const section_def *d = section_at(i);
		const struct web_session *who = strcmp(d->tier, "file") == 0 ? &w : &pw;
		char path[160], good[1800] = "", bad[1800] = "";
		snprintf(path, sizeof(path), "/cases/%ld/%s/%s", id, d->tier, d->name);
		size_t g = 0, b = 0;
		for (size_t k = 0; k < d->nfields; k++) {
			const section_field *f = &d->fields[k];
			const char *v = f->kind == SK_TEXT || f->kind == SK_SECRET ? XSS
					: f->kind == SK_CODE || f->kind == SK_CODES
					    ? f->codes[0].code
					: f->kind == SK_COUNTRY ? "PT"
					: f->kind == SK_BOOL    ? "1"
					: f->kind == SK_INT     ? "3"
								: "2026-01-01";
			g += (size_t)snprintf(good + g, sizeof(good) - g, "%s%s=%s", k ? "&" : "",
					      f->name, v);
			b += (size_t)snprintf(bad + b, sizeof(bad) - b, "%s%s=%s", k ? "&" : "",
					      f->name, XSS);
		}
		assert_int_equal(form_post(who, path, good, &r), 303);
		ht_free(&r);
		const char *h[] = { who->cookie, NULL };
		ht_get(S.port, path, h, &r);
		assert_int_equal(r.status, 200);
		assert_null(strstr(r.body, "<script>alert(1)"));
		assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		ht_free(&r);
		assert_int_equal(form_post(who, path, bad, &r), 422);
		assert_null(strstr(r.body, "<script>alert(1)"));
		assert_non_null(strstr(r.body, "id=\"error-summary\""));
		ht_free(&r);
	}
}

/* The screening page opens on the list that fits the person (sexual exploitation, an adult:
 * the adults' list of sexual exploitation), keeps the notes typed when the form comes back,
 * and shows its result as a result, not as an error. */
static void screening_fits_the_case_and_keeps_what_was_typed(void **state)
{
	(void)state;
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	struct ht_resp r;
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=Grace&prs_Gender=Feminine&estimated_age=24&"
				   "vic_TypeOfExploitation=ForcedLabour&vic_TypeOfExploitation="
				   "SexualExploitation",
				   &r),
			 303);
	char loc[128], path[160];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	snprintf(path, sizeof(path), "%s/screening", loc);
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "name=\"list\" value=\"adult_sexual\""));
	/* The first indicator of the list, as the form names it. */
	const char *a = strstr(r.body, "name=\"a_");
	assert_non_null(a);
	char code[64];
	assert_int_equal(sscanf(a, "name=\"a_%63[^\"]", code), 1);
	ht_free(&r);
	char fields[512];
	snprintf(fields, sizeof(fields),
		 "list=adult_sexual&a_%s=maybe&n_%s=Seen+at+the+bar+%%3Cb%%3E", code, code);
	assert_int_equal(form_post(&w, path, fields, &r), 422);
	assert_non_null(strstr(r.body, "value=\"Seen at the bar &lt;b&gt;\""));
	ht_free(&r);
	snprintf(fields, sizeof(fields), "list=adult_sexual&a_%s=present&n_%s=Seen+again", code,
		 code);
	assert_int_equal(form_post(&w, path, fields, &r), 200);
	const char *res = strstr(r.body, "id=\"screening-result\"");
	assert_non_null(res);
	assert_non_null(strstr(r.body, "class=\"result"));
	assert_null(strstr(r.body, "class=\"alert\" role=\"status\""));
	ht_free(&r);
	/* A child with the same facts: the children's list of sexual exploitation. */
	assert_int_equal(form_post(&w, "/cases/new",
				   "prs_FirstName=Joy&prs_Gender=Feminine&estimated_age=15&"
				   "vic_TypeOfExploitation=SexualExploitation",
				   &r),
			 303);
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	snprintf(path, sizeof(path), "%s/screening", loc);
	ht_get(S.port, path, hw, &r);
	assert_non_null(strstr(r.body, "name=\"list\" value=\"child_sexual\""));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_api_registers_reads_lists_and_updates_cases),
		cmocka_unit_test(bad_input_gets_field_errors),
		cmocka_unit_test(the_pages_register_edit_and_show_conflicts),
		cmocka_unit_test(status_decisions_over_the_api_and_the_page),
		cmocka_unit_test(exports_and_the_summary_show_only_what_the_caller_may_see),
		cmocka_unit_test(a_risk_assessment_from_the_page),
		cmocka_unit_test(the_case_file_sections_over_the_api_and_the_pages),
		cmocka_unit_test(closing_a_case_from_the_pages),
		cmocka_unit_test(no_one_closes_a_case_alone),
		cmocka_unit_test(case_attachments_are_sealed_on_disk),
		cmocka_unit_test(closures_and_attachments_over_the_api),
		cmocka_unit_test(administrators_set_the_country_rules),
		cmocka_unit_test(payloads_in_every_section_field_are_shown_escaped),
		cmocka_unit_test(screening_fits_the_case_and_keeps_what_was_typed),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
