/* Finding a person by name, as a case worker meets it: the form on /cases posted to
 * /cases/search and POST /api/v1/cases/search. Spellings of one name find each other (issues
 * #18, #19), only cases in the reader's scope are found, other roles and anonymous callers
 * are refused, a post without its CSRF token is refused, every search is audited, and no name
 * reaches an address or the access log. */
#include "httptest.h"

#include <fcntl.h>
#include <unistd.h>

#include "cases/cases.h"

static struct ht_server S;
static char cw[128], sup[128], fp[128], porto[128], madrid[128], police[128];
static struct web_session web_cw;
/* The case worker's cases (Lisbon NGO), one by the supervisor there, one in Porto (another
 * organisation in Portugal), one in Madrid (another country). */
static long muhammad, aissata, blessing, adeyemi, cheikh, salah, intalla, santos, arabic, sup_case,
    porto_case, madrid_case;

static long create(const char *auth, const char *first, const char *second)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"person\":{\"prs_FirstName\":\"%s\",\"prs_SecondName\":\"%s\"}}", first,
		 second);
	struct ht_resp r;
	assert_int_equal(api(auth, "POST", "/api/v1/cases", body, &r), 201);
	const char *id = strstr(r.body, "{\"id\":");
	assert_non_null(id);
	long n = strtol(id + 6, NULL, 10);
	ht_free(&r);
	return n;
}

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	ht_add_org("PT-NGO-PORTO", "Porto Shelter (demo)", "PT");
	ht_add_org("ES-NGO-MAD", "Madrid NGO (demo)", "ES");
	ht_add_user("porto@demo.ponte.example", "Porto Supervisor", "PT-NGO-PORTO", "supervisor");
	ht_add_user("madrid@demo.ponte.example", "Madrid Supervisor", "ES-NGO-MAD", "supervisor");
	bearer("case.worker@demo.ponte.example", cw, sizeof(cw));
	bearer("supervisor@demo.ponte.example", sup, sizeof(sup));
	bearer("focal.point@demo.ponte.example", fp, sizeof(fp));
	bearer("porto@demo.ponte.example", porto, sizeof(porto));
	bearer("madrid@demo.ponte.example", madrid, sizeof(madrid));
	bearer("police@demo.ponte.example", police, sizeof(police));
	muhammad = create(cw, "Muhammad", "Kébé");
	aissata = create(cw, "Aissata", "Coulibaly");
	blessing = create(cw, "Blessing", "Eze");
	adeyemi = create(cw, "Adéyẹmi", "Ọlá");
	cheikh = create(cw, "Sidi", "Ould-Cheikh");
	salah = create(cw, "Ahmed", "ben Salah");
	intalla = create(cw, "Moussa", "ag Intalla");
	santos = create(cw, "Maria", "dos Santos");
	arabic = create(cw, "محمد", "الأمين");
	sup_case = create(sup, "Mohammed", "Fofana");
	porto_case = create(porto, "Mohamed", "Sangaré");
	madrid_case = create(madrid, "Mohamed", "Camara");
	throttle_reset_all();
	assert_int_equal(
	    web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &web_cw), 303);
	assert_true(web_cw.csrf[0]);
	return 0;
}

/* The ids of the items of a search's answer, in order. */
static size_t ids_of(const char *body, long *out, size_t max)
{
	size_t n = 0;
	const char *p = strstr(body, "\"items\":[");
	while (p && n < max && (p = strstr(p, "{\"id\":"))) {
		out[n++] = strtol(p + 6, NULL, 10);
		p += 6;
	}
	return n;
}

static bool has(const long *ids, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The API's search for name as auth: the ids found (at most 64), the status in *status. */
static size_t api_search(const char *auth, const char *name, long *ids, long *status)
{
	char body[1024];
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	struct ht_resp r;
	*status = api(auth, "POST", "/api/v1/cases/search", body, &r);
	size_t n = *status == 200 ? ids_of(r.body, ids, 64) : 0;
	ht_free(&r);
	return n;
}

static void form_field(const char *name, char *out, size_t n)
{
	CURL *c = curl_easy_init();
	char *escaped = curl_easy_escape(c, name, 0);
	snprintf(out, n, "name=%s", escaped);
	curl_free(escaped);
	curl_easy_cleanup(c);
}

/* The page's search for name as the signed-in case worker: the answer in r. */
static long web_search(const char *name, struct ht_resp *r)
{
	char fields[1024];
	form_field(name, fields, sizeof(fields));
	return form_post(&web_cw, "/cases/search", fields, r);
}

static bool links_to(const char *html, long id)
{
	char href[64];
	snprintf(href, sizeof(href), "href=\"/cases/%ld\"", id);
	return strstr(html, href) != NULL;
}

static const struct {
	const char *query;
	long *id;
	const char *shown; /* the name as the page shows it, decrypted */
} SPELLINGS[] = {
	{ "Mohamed", &muhammad, "Muhammad Kébé" },
	{ "Aïssata", &aissata, "Aissata Coulibaly" },
	{ "Blesing", &blessing, "Blessing Eze" },
	{ "blessing", &blessing, "Blessing Eze" },
	{ "Adeyemi", &adeyemi, "Adéyẹmi Ọlá" },
	{ "Cheikh", &cheikh, "Sidi Ould-Cheikh" },
	{ "Sidi ould Cheikh", &cheikh, "Sidi Ould-Cheikh" },
	{ "Salah", &salah, "Ahmed ben Salah" },
	{ "Intalla", &intalla, "Moussa ag Intalla" },
	{ "Santos", &santos, "Maria dos Santos" },
	{ "محمد", &muhammad, "Muhammad Kébé" },
	{ "محمّد", &arabic, "محمد الأمين" },
	{ "Mohamed Al-Amin", &arabic, "محمد الأمين" },
	{ "Muham", &muhammad, "Muhammad Kébé" },
};

static void spellings_of_a_name_find_the_person_on_the_api(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(SPELLINGS); i++) {
		long ids[64], status;
		size_t n = api_search(cw, SPELLINGS[i].query, ids, &status);
		assert_int_equal(status, 200);
		if (!has(ids, n, *SPELLINGS[i].id))
			fail_msg("\"%s\" did not find case %ld", SPELLINGS[i].query,
				 *SPELLINGS[i].id);
	}
	/* The items are the case list's: the person's names decrypted, HTCDS names. */
	struct ht_resp r;
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", "{\"name\":\"Aïssata\"}", &r),
			 200);
	assert_non_null(strstr(r.body, "\"prs_FirstName\":\"Aissata\""));
	assert_non_null(strstr(r.body, "\"cas_Status\":\"Active\""));
	assert_non_null(strstr(r.body, "\"total\":1}"));
	ht_free(&r);
	/* Distinct people stay apart; a particle alone finds no one. */
	long ids[64], status;
	size_t n = api_search(cw, "Mamadou", ids, &status);
	assert_int_equal(status, 200);
	assert_false(has(ids, n, muhammad));
	n = api_search(cw, "ould", ids, &status);
	assert_int_equal(status, 200);
	assert_false(has(ids, n, cheikh));
}

static void spellings_of_a_name_find_the_person_on_the_page(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(SPELLINGS); i++) {
		struct ht_resp r;
		assert_int_equal(web_search(SPELLINGS[i].query, &r), 200);
		if (!links_to(r.body, *SPELLINGS[i].id) || !strstr(r.body, SPELLINGS[i].shown))
			fail_msg("\"%s\" did not show case %ld (%s)", SPELLINGS[i].query,
				 *SPELLINGS[i].id, SPELLINGS[i].shown);
		/* What was typed stays in the field to be corrected. */
		assert_non_null(strstr(r.body, "id=\"name\" name=\"name\" value=\""));
		ht_free(&r);
	}
	/* Portuguese, the case worker's language. */
	struct ht_resp r;
	assert_int_equal(web_search("Mohamed", &r), 200);
	assert_non_null(strstr(r.body, "Encontrar uma pessoa"));
	ht_free(&r);
}

static void only_cases_in_scope_are_found(void **state)
{
	(void)state;
	long ids[64], status;
	/* The case worker sees their own cases: not their supervisor's, not another
	 * organisation's. */
	size_t n = api_search(cw, "Mohamed", ids, &status);
	assert_int_equal(status, 200);
	assert_true(has(ids, n, muhammad));
	assert_false(has(ids, n, sup_case));
	assert_false(has(ids, n, porto_case));
	assert_false(has(ids, n, madrid_case));
	struct ht_resp r;
	assert_int_equal(web_search("Mohamed", &r), 200);
	assert_false(links_to(r.body, porto_case));
	assert_false(links_to(r.body, madrid_case));
	assert_null(strstr(r.body, "Sangaré"));
	assert_null(strstr(r.body, "Camara"));
	ht_free(&r);
	/* The supervisor, the organisation's. */
	n = api_search(sup, "Mohamed", ids, &status);
	assert_true(has(ids, n, muhammad) && has(ids, n, sup_case));
	assert_false(has(ids, n, porto_case) || has(ids, n, madrid_case));
	/* Porto's supervisor, Porto's only. */
	n = api_search(porto, "Mohamed", ids, &status);
	assert_true(n == 1 && ids[0] == porto_case);
	/* The national focal point, the country's: Lisbon and Porto, not Madrid. */
	n = api_search(fp, "Mohamed", ids, &status);
	assert_true(has(ids, n, muhammad) && has(ids, n, sup_case) && has(ids, n, porto_case));
	assert_false(has(ids, n, madrid_case));
	n = api_search(madrid, "Mohamed", ids, &status);
	assert_true(n == 1 && ids[0] == madrid_case);
}

static void matches_come_best_first_then_newest(void **state)
{
	(void)state;
	long ids[64], status;
	/* Two people with the same name: the newer first. */
	long older = create(sup, "Grace", "Adjoa"), newer = create(sup, "Grace", "Adjoa");
	size_t n = api_search(sup, "Grace Adjoa", ids, &status);
	assert_true(n >= 2 && ids[0] == newer && ids[1] == older);
	/* The name as written before a name that only sounds alike, whatever their age. */
	long sounds = create(sup, "Grase", "Adjoa");
	n = api_search(sup, "Grace Adjoa", ids, &status);
	assert_true(n >= 3 && ids[0] == newer && ids[1] == older && ids[2] == sounds);
}

static void bad_names_are_explained(void **state)
{
	(void)state;
	struct ht_resp r;
	/* API: 422 naming the field, in the caller's language. */
	static const char *const bodies[] = { "{}", "{\"name\":\"\"}", "{\"name\":null}",
					      "{\"name\":\"a\"}", "{\"name\":\"  -  \"}" };
	for (size_t i = 0; i < ARRAY_LEN(bodies); i++) {
		assert_int_equal(api(cw, "POST", "/api/v1/cases/search", bodies[i], &r), 422);
		assert_non_null(strstr(r.body, "\"fields\":{\"name\":\""));
		ht_free(&r);
	}
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", "{}", &r), 422);
	assert_non_null(strstr(r.body, "Escreva um nome"));
	ht_free(&r);
	/* Ten words of ten characters: 100, the most a name may have; one letter more is too long. */
	char body[512], name[256];
	for (int i = 0; i < 10; i++)
		memcpy(name + 10 * i, "Abdoulaye ", 10);
	memcpy(name + 100, "a", 2);
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", body, &r), 422);
	assert_non_null(strstr(r.body, "100"));
	ht_free(&r);
	name[100] = '\0';
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", body, &r), 200);
	ht_free(&r);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", "{\"name\":7}", &r), 400);
	ht_free(&r);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", "{\"q\":\"Mohamed\"}", &r), 400);
	ht_free(&r);
	/* The page: 422, the message beside the field and in the summary, in Portuguese. */
	assert_int_equal(web_search("", &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "id=\"err-name\""));
	assert_non_null(strstr(r.body, "Escreva um nome"));
	ht_free(&r);
	assert_int_equal(web_search("M", &r), 422);
	assert_non_null(strstr(r.body, "duas letras"));
	assert_non_null(strstr(r.body, "value=\"M\""));
	ht_free(&r);
	assert_int_equal(web_search(name, &r), 200);
	ht_free(&r);
	name[100] = 'a';
	assert_int_equal(web_search(name, &r), 422);
	ht_free(&r);
	/* In French for a French reader. */
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search?lang=fr", "{}", &r), 422);
	assert_non_null(strstr(r.body, "Saisissez un nom"));
	ht_free(&r);
}

static void other_roles_and_strangers_are_refused(void **state)
{
	(void)state;
	struct ht_resp r;
	/* No one signed in: the API answers 401, the page sends to the login. */
	assert_int_equal(api(NULL, "POST", "/api/v1/cases/search", "{\"name\":\"Mohamed\"}", &r),
			 401);
	ht_free(&r);
	const char *h[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	assert_int_equal(ht_request(S.port, "POST", "/cases/search", "name=Mohamed", 12, h, &r),
			 CURLE_OK);
	assert_true(r.status == 303 || r.status == 401 || r.status == 403);
	assert_null(strstr(r.body, "Muhammad"));
	ht_free(&r);
	/* A police investigator has no access to the social file. */
	assert_int_equal(api(police, "POST", "/api/v1/cases/search", "{\"name\":\"Mohamed\"}", &r),
			 403);
	ht_free(&r);
	struct web_session w;
	throttle_reset_all();
	assert_int_equal(web_login("police%40demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	assert_int_equal(form_post(&w, "/cases/search", "name=Mohamed", &r), 403);
	assert_null(strstr(r.body, "Muhammad"));
	ht_free(&r);
}

static void a_post_without_its_csrf_token_is_refused(void **state)
{
	(void)state;
	struct ht_resp r;
	const char *h[] = { web_cw.cookie, "Content-Type: application/x-www-form-urlencoded",
			    NULL };
	assert_int_equal(ht_request(S.port, "POST", "/cases/search", "name=Mohamed", 12, h, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	assert_null(strstr(r.body, "Muhammad"));
	ht_free(&r);
	const char *body = "name=Mohamed&csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	assert_int_equal(
	    ht_request(S.port, "POST", "/cases/search", body, (long)strlen(body), h, &r), CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	/* Another site's post, even with the token. */
	char with_token[256];
	snprintf(with_token, sizeof(with_token), "name=Mohamed&csrf=%s", web_cw.csrf);
	const char *cross[] = { web_cw.cookie, "Content-Type: application/x-www-form-urlencoded",
				"Sec-Fetch-Site: cross-site", NULL };
	assert_int_equal(ht_request(S.port, "POST", "/cases/search", with_token,
				    (long)strlen(with_token), cross, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

static int count_audit(const char *where)
{
	char q[256];
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit_events WHERE %s", where);
	return (int)ht_query_int(q);
}

static void every_search_is_audited_and_no_name_is_logged(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *path = test_path(dir, "access.log");
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	assert_true(fd >= 0);
	int before = count_audit("action = 'case.search' AND outcome = 'success'");
	log_set_fd(fd);
	struct ht_resp r;
	assert_int_equal(web_search("Aïssata Coulibaly", &r), 200);
	ht_free(&r);
	assert_int_equal(web_search("محمد", &r), 200);
	ht_free(&r);
	assert_int_equal(web_search("M", &r), 422); /* refused: nothing read */
	ht_free(&r);
	assert_int_equal(api(cw, "POST", "/api/v1/cases/search", "{\"name\":\"Blessing Eze\"}", &r),
			 200);
	ht_free(&r);
	/* A request's line is written once its answer has gone: wait for the last one's. */
	char log[65536];
	ssize_t n = 0;
	for (int i = 0; i < 100; i++) {
		n = pread(fd, log, sizeof(log) - 1, 0);
		log[n > 0 ? n : 0] = '\0';
		if (strstr(log, "\"/api/v1/cases/search\""))
			break;
		struct timespec pause = { 0, 50 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	log_set_fd(-1);
	assert_int_equal(count_audit("action = 'case.search' AND outcome = 'success'"), before + 3);
	/* Audited as the case list is: an action and the reader, never the name. */
	assert_int_equal(count_audit("action = 'case.search' AND (object_id NOT IN ('', '0') OR "
				     "client LIKE '%Aissata%' OR client LIKE '%Blessing%')"),
			 0);
	close(fd);
	assert_true(n > 0);
	assert_non_null(strstr(log, "\"/cases/search\""));
	assert_non_null(strstr(log, "\"/api/v1/cases/search\""));
	static const char *const names[] = { "Aïssata",      "Aissata",  "Coulibaly",
					     "محمد",         "Blessing", "Eze",
					     "A%C3%AFssata", "%D9%85",   "name=" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strstr(log, names[i]))
			fail_msg("the access log holds \"%s\": %s", names[i], log);
	test_rmtree(dir);
	free(path);
	/* The forms that find a person post to an address without a name. */
	const char *h[] = { web_cw.cookie, NULL };
	ht_get(S.port, "/cases", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/cases/search\""));
	ht_free(&r);
	ht_get(S.port, "/cases/search", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/cases/search\""));
	ht_free(&r);
	/* A name in the address is not read: the page shows the empty form. */
	ht_get(S.port, "/cases/search?name=Mohamed", h, &r);
	assert_non_null(strstr(r.body, "id=\"name\" name=\"name\" value=\"\""));
	assert_null(strstr(r.body, "name-matches"));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spellings_of_a_name_find_the_person_on_the_api),
		cmocka_unit_test(spellings_of_a_name_find_the_person_on_the_page),
		cmocka_unit_test(only_cases_in_scope_are_found),
		cmocka_unit_test(matches_come_best_first_then_newest),
		cmocka_unit_test(bad_names_are_explained),
		cmocka_unit_test(other_roles_and_strangers_are_refused),
		cmocka_unit_test(a_post_without_its_csrf_token_is_refused),
		cmocka_unit_test(every_search_is_audited_and_no_name_is_logged),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
