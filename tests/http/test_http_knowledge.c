/* The knowledge platform over HTTP: authors, reviewers and readers, search, bad input. */
#include "httptest.h"

#include "knowledge/knowledge.h"

#include <ctype.h>
#include <dirent.h>

#include "base/log.h"
#include "export/export.h"

static struct ht_server S;
static char sup_auth[128], rev_auth[128], cw_auth[128], fr_auth[128];

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	bearer("supervisor@demo.ponte.example", sup_auth, sizeof(sup_auth));
	bearer("reviewer@demo.ponte.example", rev_auth, sizeof(rev_auth));
	bearer("case.worker@demo.ponte.example", cw_auth, sizeof(cw_auth));
	bearer("analyst@demo.ponte.example", fr_auth, sizeof(fr_auth)); /* reads in French */
	return 0;
}

/* Audit events of an action on item id with outcome (read from outside, as an auditor's tool
 * would). */
static long audit_count(const char *action, const char *outcome, long id)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_events WHERE action = '%s' AND outcome = '%s' AND "
		 "object_type = 'knowledge' AND object_id = '%ld'",
		 action, outcome, id);
	return (long)ht_query_int(sql);
}

static const char PRACTICE[] =
    "{\"type\":\"practice\",\"language\":\"pt\",\"title\":\"Equipas móveis contra "
    "passadores\",\"summary\":\"Equipas multidisciplinares nas fronteiras "
    "terrestres\",\"body\":\"Como funcionam.\",\"countries\":[\"PT\",\"ES\"],"
    "\"evidence\":\"evaluated\",\"areas\":[\"protection\",\"prosecution\"],"
    "\"target_groups\":[\"migrants_transit\"],\"actors\":\"Polícia, ONG\","
    "\"period_start\":2019,\"translations\":{\"fr\":{\"title\":\"Équipes mobiles contre les "
    "passeurs\",\"summary\":\"Des équipes pluridisciplinaires aux frontières contre les "
    "passeurs de migrants\"}}}";

/* Create as auth; the new item's id. */
static long create(const char *auth, const char *body)
{
	struct ht_resp r;
	long s = api(auth, "POST", "/api/v1/knowledge", body, &r);
	if (s != 201)
		fail_msg("create answered %ld: %s", s, r.body);
	const char *id = strstr(r.body, "\"id\":");
	long n = id ? strtol(id + 5, NULL, 10) : 0;
	assert_non_null(strstr(r.body, "\"status\":\"draft\""));
	ht_free(&r);
	return n;
}

static void a_draft_goes_through_review_to_readers(void **state)
{
	(void)state;
	long id = create(sup_auth, PRACTICE);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld", id);
	/* A draft is its author's side's alone. */
	assert_int_equal(api_status(cw_auth, "GET", path, NULL), 404);
	assert_int_equal(api_status(rev_auth, "GET", path, NULL), 200); /* writer scope: all */
	struct ht_resp r;
	assert_int_equal(api(cw_auth, "GET", "/api/v1/knowledge?q=passadores", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"total\":0"));
	ht_free(&r);
	/* Publishing straight from draft is not a move the workflow has. */
	char act[128];
	snprintf(act, sizeof(act), "%s/publish", path);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 409);
	snprintf(act, sizeof(act), "%s/submit", path);
	assert_int_equal(api_status(sup_auth, "POST", act, ""), 200);
	/* In review, the author no longer edits; a reviewer may. */
	assert_int_equal(api_status(sup_auth, "PATCH", path, "{\"version\":2,\"body\":\"x\"}"),
			 403);
	assert_int_equal(api(rev_auth, "PATCH", path,
			     "{\"version\":2,\"body\":\"Como funcionam, passo a passo.\"}", &r),
			 200);
	assert_non_null(strstr(r.body, "\"version\":3"));
	assert_non_null(strstr(r.body, "\"status\":\"review\""));
	ht_free(&r);
	snprintf(act, sizeof(act), "%s/publish", path);
	assert_int_equal(api_status(cw_auth, "POST", act, ""), 403); /* not a reviewer */
	assert_int_equal(api(rev_auth, "POST", act, "", &r), 200);
	assert_non_null(strstr(r.body, "\"status\":\"published\""));
	assert_null(strstr(r.body, "\"published_at\":\"\""));
	ht_free(&r);
	/* Every reader finds it now, in every language it is written or translated in. */
	assert_int_equal(api(cw_auth, "GET", path, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"translations\":{\"fr\":{\"title\":\"Équipes mobiles"));
	assert_non_null(strstr(r.body, "\"areas\":[\"protection\",\"prosecution\"]"));
	assert_non_null(strstr(r.body, "\"year\":2019"));
	ht_free(&r);
	/* Published items are not edited in place. */
	assert_int_equal(api_status(rev_auth, "PATCH", path, "{\"version\":4,\"body\":\"y\"}"),
			 403);
	/* Four versions, each with the item as it was. */
	char versions[128];
	snprintf(versions, sizeof(versions), "%s/versions", path);
	assert_int_equal(api(cw_auth, "GET", versions, NULL, &r), 200);
	assert_non_null(strstr(r.body, "{\"items\":[{\"version\":4,"));
	assert_non_null(strstr(r.body, "\"version\":1,\"user\":"));
	assert_non_null(strstr(r.body, "\"body\":\"Como funcionam.\""));
	ht_free(&r);
	snprintf(act, sizeof(act), "%s/archive", path);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	assert_int_equal(api(cw_auth, "GET", "/api/v1/knowledge?q=passadores", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"total\":0")); /* archived: out of the default list */
	ht_free(&r);
	/* The audit trail names each step, never the content. */
	const char *steps[] = { "knowledge.create", "knowledge.submit", "knowledge.update",
				"knowledge.publish", "knowledge.archive" };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++)
		if (audit_count(steps[i], "success", id) != 1)
			fail_msg("%s of item %ld is not in the audit trail once", steps[i], id);
	/* The two refused edits (in review by the author, published by a reviewer) too. */
	assert_int_equal(audit_count("knowledge.update", "denied", id), 2);
}

static void reviewers_do_not_publish_their_own_work_unless_allowed(void **state)
{
	(void)state;
	long id = create(rev_auth, PRACTICE);
	char act[128];
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/submit", id);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/publish", id);
	struct ht_resp r;
	assert_int_equal(api(rev_auth, "POST", act, "", &r), 403);
	assert_non_null(strstr(r.body, "\"code\":\"forbidden\""));
	ht_free(&r);
	set_setting("knowledge_self_publish", "1");
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	set_setting("knowledge_self_publish", "0");
}

static void bad_input_is_explained_field_by_field(void **state)
{
	(void)state;
	struct ht_resp r;
	/* Everything missing. */
	assert_int_equal(api(sup_auth, "POST", "/api/v1/knowledge", "{\"type\":\"practice\"}", &r),
			 422);
	const char *fields[] = { "\"language\":",  "\"title\":",    "\"summary\":",
				 "\"countries\":", "\"evidence\":", "\"areas\":" };
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		if (!strstr(r.body, fields[i]))
			fail_msg("no error for %s in %s", fields[i], r.body);
	ht_free(&r);
	/* A practice without an evidence level, in the caller's language (French). */
	char body[2048];
	snprintf(body, sizeof(body), "%s", PRACTICE);
	char *ev = strstr(body, "\"evidence\":\"evaluated\",");
	memmove(ev, ev + 23, strlen(ev + 23) + 1);
	assert_int_equal(api(fr_auth, "POST", "/api/v1/knowledge", body, &r), 422);
	assert_non_null(strstr(r.body, "\"fields\":{\"evidence\":\"Ce champ est obligatoire.\"}"));
	ht_free(&r);
	/* A full name where only initials belong. */
	const char *caselaw =
	    "{\"type\":\"caselaw\",\"language\":\"en\",\"title\":\"State v. K.M.\",\"summary\":"
	    "\"Forced labour on farms.\",\"countries\":[\"NG\"],\"court\":\"High Court, "
	    "Lagos\",\"decision_date\":\"2021-06-30\",\"verdict\":\"convicted\","
	    "\"defendants\":\"Kofi Mensah (M, GH)\"}";
	assert_int_equal(api(sup_auth, "POST", "/api/v1/knowledge", caselaw, &r), 422);
	assert_non_null(strstr(r.body, "\"defendants\":\"Indique apenas iniciais")); /* pt */
	ht_free(&r);
	char ok[1024];
	snprintf(ok, sizeof(ok), "%s", caselaw);
	char *name = strstr(ok, "Kofi Mensah");
	memcpy(name, "K.M.       ", 11);
	assert_int_equal(api_status(sup_auth, "POST", "/api/v1/knowledge", ok), 201);
	/* Codes, dates, countries and types from outside the vocabularies. */
	const char *bad[] = {
		"{\"type\":\"recipe\",\"language\":\"en\",\"title\":\"t\",\"summary\":\"s\","
		"\"countries\":[\"PT\"]}",
		"{\"type\":\"legislation\",\"language\":\"en\",\"title\":\"t\",\"summary\":\"s\","
		"\"countries\":[\"XX\"],\"instrument\":\"Law\",\"adopted_on\":\"2019-02-30\","
		"\"covers\":[\"trafficking\"]}",
		"{\"type\":\"manual\",\"language\":\"en\",\"title\":\"t\",\"summary\":\"s\","
		"\"countries\":[\"PT\"],\"audiences\":[\"astronauts\"],\"format\":\"handbook\"}",
		"{\"type\":\"manual\",\"language\":\"en\",\"title\":\"t\",\"summary\":\"s\","
		"\"countries\":[\"PT\"],\"audiences\":[\"police\"],\"format\":\"handbook\","
		"\"translations\":{\"en\":{\"title\":\"same language\",\"summary\":\"x\"}}}",
		"{\"type\":\"practice\",\"language\":\"en\",\"title\":\"t\",\"summary\":\"s\","
		"\"countries\":[\"PT\"],\"court\":\"not a practice field\"}",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		long s = api(sup_auth, "POST", "/api/v1/knowledge", bad[i], &r);
		if (s != 422)
			fail_msg("case %zu answered %ld: %s", i, s, r.body);
		ht_free(&r);
	}
	/* Not JSON, or the wrong JSON types. */
	assert_int_equal(api_status(sup_auth, "POST", "/api/v1/knowledge", "{\"type\":"), 400);
	assert_int_equal(api_status(sup_auth, "POST", "/api/v1/knowledge", "{\"countries\":7}"),
			 400);
	assert_int_equal(api_status(sup_auth, "POST", "/api/v1/knowledge", "[1,2]"), 400);
	/* A stale version. */
	long id = create(sup_auth, PRACTICE);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld", id);
	assert_int_equal(api_status(sup_auth, "PATCH", path, "{\"version\":1,\"title\":\"A\"}"),
			 200);
	assert_int_equal(api(sup_auth, "PATCH", path, "{\"version\":1,\"title\":\"B\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"code\":\"conflict\""));
	ht_free(&r);
	assert_int_equal(api_status(sup_auth, "PATCH", path, "{\"title\":\"no version\"}"), 422);
	assert_int_equal(api_status(sup_auth, "PATCH", path, "{\"version\":2,\"type\":\"manual\"}"),
			 422);
	/* Query parameters. */
	assert_int_equal(api_status(cw_auth, "GET", "/api/v1/knowledge?limit=0", NULL), 422);
	assert_int_equal(api_status(cw_auth, "GET", "/api/v1/knowledge?year=1850", NULL), 422);
	assert_int_equal(api_status(cw_auth, "GET", "/api/v1/knowledge/99999", NULL), 404);
}

/* Publish PRACTICE (as the supervisor, reviewed by the reviewer); its id. */
static long published(void)
{
	long id = create(sup_auth, PRACTICE);
	char act[128];
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/submit", id);
	assert_int_equal(api_status(sup_auth, "POST", act, ""), 200);
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/publish", id);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	return id;
}

static void search_is_forgiving_and_faceted(void **state)
{
	(void)state;
	long id = published();
	char want[64];
	snprintf(want, sizeof(want), "{\"id\":%ld,", id);
	struct ht_resp r;
	/* Accents, case, prefixes, and the French translation of a Portuguese practice. */
	const char *found[] = {
		"passeur", "PASSEURS", "equipas%20moveis", "équipes", "frontières%20passeur",
		"polícia"
	};
	for (size_t i = 0; i < ARRAY_LEN(found); i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/knowledge?q=%s", found[i]);
		assert_int_equal(api(fr_auth, "GET", path, NULL, &r), 200);
		if (!strstr(r.body, want))
			fail_msg("q=%s did not find the practice: %s", found[i], r.body);
		ht_free(&r);
	}
	/* FTS syntax typed by a user is never an error. */
	const char *odd[] = {
		"%22passeur",         "passeur%22%20OR%20%22",     "NEAR(passeur", "*", "%27%3B--",
		"a%20AND%20OR%20NOT", "%E2%80%9Cpasseur%E2%80%9D", "%22%22%22"
	};
	for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/knowledge?q=%s", odd[i]);
		long s = api(fr_auth, "GET", path, NULL, &r);
		if (s != 200)
			fail_msg("q=%s answered %ld: %s", odd[i], s, r.body);
		ht_free(&r);
	}
	/* The French reader gets the French title, marked as in their language. */
	assert_int_equal(api(fr_auth, "GET", "/api/v1/knowledge?q=passeur&type=practice", NULL, &r),
			 200);
	assert_non_null(strstr(r.body, "\"title\":\"Équipes mobiles contre les passeurs\""));
	assert_non_null(strstr(r.body, "\"in_reader_language\":true"));
	assert_non_null(strstr(r.body, "\"facets\":{\"type\":[{\"value\":\"practice\",\"count\":"));
	assert_non_null(strstr(r.body, "\"evidence\":[{\"value\":\"evaluated\""));
	ht_free(&r);
	/* An English reader gets the original, marked as such. */
	char en_auth[128];
	bearer("auditor@demo.ponte.example", en_auth, sizeof(en_auth));
	assert_int_equal(api(en_auth, "GET", "/api/v1/knowledge?q=passeur", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"title\":\"Equipas móveis contra passadores\""));
	assert_non_null(strstr(r.body, "\"in_reader_language\":false"));
	ht_free(&r);
	/* Filters narrow, and an empty filter result is an empty list. */
	assert_int_equal(
	    api(fr_auth, "GET", "/api/v1/knowledge?q=passeur&evidence=described", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"items\":[],\"total\":0"));
	ht_free(&r);
	assert_int_equal(
	    api(fr_auth, "GET", "/api/v1/knowledge?country=ES&area=protection&year=2019", NULL, &r),
	    200);
	assert_non_null(strstr(r.body, want));
	ht_free(&r);
	/* The page highlights what matched, escaped. */
	struct web_session w;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	ht_get(S.port, "/knowledge?q=passeur%20%3C%2Fa%3E&evidence=evaluated", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<mark>passeurs</mark>"));
	assert_non_null(strstr(r.body, "value=\"passeur &lt;/a&gt;\""));
	assert_null(strstr(r.body, "passeur </a>"));
	ht_free(&r);
}

/* Publish a practice with the given title and body as the supervisor; its id. */
static long publish_text(const char *title, const char *body)
{
	char json[1024];
	snprintf(json, sizeof(json),
		 "{\"type\":\"practice\",\"language\":\"en\",\"title\":\"%s\",\"summary\":"
		 "\"Short.\",\"body\":\"%s\",\"countries\":[\"PT\"],\"evidence\":\"described\","
		 "\"areas\":[\"prevention\"],\"target_groups\":[\"adults\"],\"actors\":\"NGO\","
		 "\"period_start\":2020}",
		 title, body);
	long id = create(sup_auth, json);
	char act[128];
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/submit", id);
	assert_int_equal(api_status(sup_auth, "POST", act, ""), 200);
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/publish", id);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	return id;
}

static void titles_rank_first_with_bm25_and_for_very_common_words(void **state)
{
	(void)state;
	long in_title = publish_text("Zanzibar corridor", "Nothing else.");
	long in_body = publish_text("Another practice", "It mentions zanzibar once."); /* newer */
	char want[160];
	snprintf(want, sizeof(want), "\"items\":[{\"id\":%ld,", in_title);
	for (size_t limit = 4000; limit != (size_t)-1; limit = limit ? 0 : (size_t)-1) {
		kn_search_tune(limit); /* 0: every search takes the common-word path */
		struct ht_resp r;
		assert_int_equal(api(cw_auth, "GET", "/api/v1/knowledge?q=zanzibar", NULL, &r),
				 200);
		if (!strstr(r.body, want))
			fail_msg("with bm25 up to %zu matches: %s", limit, r.body);
		assert_non_null(strstr(r.body, "\"total\":2"));
		char second[64];
		snprintf(second, sizeof(second), "{\"id\":%ld,", in_body);
		assert_non_null(strstr(r.body, second));
		ht_free(&r);
	}
	kn_search_tune(4000);
}

/* Publish a practice written in lang with the given title and summary; its id. */
static long publish_in(const char *lang, const char *title, const char *summary)
{
	char json[1024];
	snprintf(json, sizeof(json),
		 "{\"type\":\"practice\",\"language\":\"%s\",\"title\":\"%s\",\"summary\":"
		 "\"%s\",\"body\":\"\",\"countries\":[\"PT\"],\"evidence\":\"described\","
		 "\"areas\":[\"prevention\"],\"target_groups\":[\"adults\"],\"actors\":\"NGO\","
		 "\"period_start\":2021}",
		 lang, title, summary);
	long id = create(sup_auth, json);
	char act[128];
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/submit", id);
	assert_int_equal(api_status(sup_auth, "POST", act, ""), 200);
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/publish", id);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	return id;
}

/* Whether the search for q (as typed: percent-encoded here, as a browser does) lists item
 * id. */
static bool search_finds(const char *q, long id)
{
	char path[512] = "/api/v1/knowledge?limit=100&q=", want[64];
	size_t n = strlen(path);
	for (const unsigned char *p = (const unsigned char *)q; *p && n + 4 < sizeof(path); p++)
		n += (size_t)(isalnum(*p) ? snprintf(path + n, sizeof(path) - n, "%c", *p)
					  : snprintf(path + n, sizeof(path) - n, "%%%02X", *p));
	snprintf(want, sizeof(want), "{\"id\":%ld,", id);
	struct ht_resp r;
	long s = api(fr_auth, "GET", path, NULL, &r);
	if (s != 200)
		fail_msg("q=%s answered %ld: %s", q, s, r.body);
	bool found = strstr(r.body, want) != NULL;
	ht_free(&r);
	return found;
}

/* Arabic and Spanish items, searched with and without their marks, on either store. */
static void search_reads_arabic_and_accents_either_way(void **state)
{
	(void)state;
	/* Written with short vowels, hamza on alef and ta marbuta. */
	long ar =
	    publish_in("ar", "حماية الْمَرْأَة من الإتجار بالبشر", "برنامج لإيواء الضحايا في المستشفى");
	long es = publish_in("es", "Protección de las VÍCTIMAS de trata en España",
			     "Centros de acogida para niños no acompañados");
	const char *finds_ar[] = { "المرأة",
				   "المراه",
				   "الْمَرْأَة",
				   "حمايه المراة",
				   "الاتجار",
				   "المستشفى",
				   "الضحايا برنامج",
				   "\u064E\u0640 المرأة" /* a "word" of marks only is left out */ };
	for (size_t i = 0; i < ARRAY_LEN(finds_ar); i++)
		if (!search_finds(finds_ar[i], ar))
			fail_msg("q=%s did not find the Arabic practice", finds_ar[i]);
	const char *finds_es[] = { "victimas", "Víctima", "VICTIMAS trata",    "espana",
				   "ESPAÑA",   "ninos",   "niños acompañados", "proteccion" };
	for (size_t i = 0; i < ARRAY_LEN(finds_es); i++)
		if (!search_finds(finds_es[i], es))
			fail_msg("q=%s did not find the Spanish practice", finds_es[i]);
	/* Every word must match, and a word is not found inside another. */
	const char *misses[] = { "المراه مدرسة", "مراه",      "victimas escuela",
				 "ictimas",      "españoles", "trata-x" };
	for (size_t i = 0; i < ARRAY_LEN(misses); i++)
		if (search_finds(misses[i], ar) || search_finds(misses[i], es))
			fail_msg("q=%s found a practice it should not", misses[i]);
	/* The page marks the words as written, whatever marks the query had. */
	struct web_session w;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/knowledge?q=%D8%A7%D9%84%D9%85%D8%B1%D8%A7%D9%87", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<mark><bdi>الْمَرْأَة</bdi></mark>")); /* isolated: RTL */
	ht_free(&r);
	ht_get(S.port, "/knowledge?q=victimas%20espana", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<mark>VÍCTIMAS</mark>"));
	assert_non_null(strstr(r.body, "<mark>España</mark>"));
	ht_free(&r);
	/* PostgreSQL also reads each word as a stem of the item's language, whole (docs/store.md):
	 * "victima" is a prefix of "víctimas" on both; "acogidas" finds "acogida" there only. */
	assert_int_equal(search_finds("acogidas", es), store_is_pg(S.db));
}

static void public_read_is_a_setting(void **state)
{
	(void)state;
	long id = published();
	long draft = create(sup_auth, PRACTICE);
	struct ht_resp r;
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld", id);
	assert_int_equal(api_status("X-Anonymous: 1", "GET", "/api/v1/knowledge", NULL), 401);
	assert_int_equal(api_status("X-Anonymous: 1", "GET", path, NULL), 401);
	ht_get(S.port, "/knowledge", NULL, &r);
	assert_int_equal(r.status, 303); /* the page sends to sign-in */
	ht_free(&r);
	set_setting("knowledge_public_read", "1");
	assert_int_equal(api_status("X-Anonymous: 1", "GET", path, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld", draft);
	assert_int_equal(api_status("X-Anonymous: 1", "GET", path, NULL), 404);
	assert_int_equal(api("X-Anonymous: 1", "GET", "/api/v1/knowledge?status=draft", NULL, &r),
			 200);
	assert_non_null(strstr(r.body, "\"total\":0"));
	ht_free(&r);
	ht_get(S.port, "/knowledge?q=passeur", NULL, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	/* Writing is never anonymous. */
	assert_int_equal(api_status("X-Anonymous: 1", "POST", "/api/v1/knowledge", PRACTICE), 401);
	set_setting("knowledge_public_read", "0");
}

static void the_form_explains_errors_and_saves_drafts(void **state)
{
	(void)state;
	struct web_session w;
	web_login("analyst@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	struct ht_resp r;
	const char *h[] = { w.cookie, NULL };
	ht_get(S.port, "/knowledge/new?type=caselaw", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "name=\"defendants\""));
	ht_free(&r);
	assert_int_equal(form_post(&w, "/knowledge/new",
				   "type=caselaw&language=fr&title=&summary=x&countries=sn&"
				   "court=Tribunal&decision_date=2022-13-01&verdict=convicted&"
				   "defendants=Moussa+Diop",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "Ce champ est obligatoire."));
	assert_non_null(strstr(r.body, "value=\"Moussa Diop\"")); /* what was typed stays */
	/* and nothing is typed for the user: the translations stay empty, not the item's text. */
	assert_non_null(
	    strstr(r.body, "name=\"tr_es_title\" lang=\"es\" maxlength=\"300\" value=\"\""));
	assert_non_null(
	    strstr(r.body, "name=\"tr_ar_summary\" lang=\"ar\" rows=\"3\"></textarea>"));
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/knowledge/new",
		      "type=practice&language=fr&title=Brigades+mobiles&summary=R%C3%A9"
		      "sum%C3%A9&countries=sn,+ml&evidence=monitored&areas=protection&"
		      "areas=partnership&target_groups=children&actors=CNLTP&"
		      "period_start=2020&tr_pt_title=Brigadas&tr_pt_summary=Resumo",
		      &r),
	    303);
	char loc[128];
	assert_non_null(ht_header(&r, "Location", loc, sizeof(loc)));
	ht_free(&r);
	ht_get(S.port, loc, h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Brigades mobiles"));
	assert_non_null(
	    strstr(r.body, "Sénégal, Mali")); /* "sn, ml" kept as codes, shown by name */
	ht_free(&r);
	/* Translations in every other language (and one in its own, refused by name) fit. */
	assert_int_equal(
	    form_post(&w, "/knowledge/new",
		      "type=practice&language=fr&title=Brigades&summary=R&countries=sn&"
		      "evidence=monitored&areas=protection&target_groups=children&actors=CNLTP&"
		      "period_start=2020&tr_en_title=E&tr_en_summary=E&tr_pt_title=P&"
		      "tr_pt_summary=P&tr_es_title=S&tr_es_summary=S&tr_ar_title=A&"
		      "tr_ar_summary=A&tr_fr_title=F&tr_fr_summary=F",
		      &r),
	    422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	ht_free(&r);
	assert_int_equal(
	    form_post(&w, "/knowledge/new",
		      "type=practice&language=fr&title=Brigades&summary=R&countries=sn&"
		      "evidence=monitored&areas=protection&target_groups=children&actors=CNLTP&"
		      "period_start=2020&tr_en_title=E&tr_en_summary=E&tr_pt_title=P&"
		      "tr_pt_summary=P&tr_es_title=S&tr_es_summary=S&tr_ar_title=A&"
		      "tr_ar_summary=A",
		      &r),
	    303);
	ht_free(&r);
	/* The moves are forms of the item's page, posted to its address. */
	assert_int_equal(form_post(&w, loc, "do=submit", &r), 303);
	ht_free(&r);
	/* The author cannot publish: the page says why, in French. */
	assert_int_equal(form_post(&w, loc, "do=publish", &r), 403);
	assert_non_null(strstr(r.body, "Seul un relecteur peut faire cela."));
	ht_free(&r);
}

/* ---- attachments ---- */

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void attachments_are_checked_by_content_and_served_safely(void **state)
{
	(void)state;
	long id = create(sup_auth, PRACTICE);
	char path[128], kept[700], spool[700];
	snprintf(path, sizeof(path), "/api/v1/knowledge/%ld/attachments", id);
	snprintf(kept, sizeof(kept), "%s/knowledge", store_files_dir(S.db));
	snprintf(spool, sizeof(spool), "%s/spool", store_files_dir(S.db));
	int before = count_files(kept);
	struct ht_resp r;
	static const char pdf[] = "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";
	assert_int_equal(
	    upload(sup_auth, path, NULL, "Avaliação final.pdf", pdf, sizeof(pdf) - 1, &r), 201);
	assert_non_null(strstr(r.body, "\"filename\":\"Avaliação final.pdf\""));
	assert_non_null(strstr(r.body, "\"media_type\":\"application/pdf\""));
	const char *url = strstr(r.body, "\"url\":\"");
	assert_non_null(url);
	char download[128];
	snprintf(download, sizeof(download), "%.*s", (int)strcspn(url + 7, "\""), url + 7);
	ht_free(&r);
	assert_int_equal(count_files(kept), before + 1);
	/* The author's side downloads it as an attachment, never rendered inline. */
	const char *h[] = { sup_auth, NULL };
	ht_get(S.port, download, h, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(pdf) - 1);
	assert_memory_equal(r.body, pdf, r.len);
	char v[256];
	assert_string_equal(ht_header(&r, "Content-Type", v, sizeof(v)), "application/pdf");
	assert_non_null(strstr(
	    ht_header(&r, "Content-Disposition", v, sizeof(v)),
	    "attachment; filename=\"Avaliacao final.pdf\"; filename*=UTF-8''Avalia%C3%A7%C3%A3o"));
	assert_string_equal(ht_header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
	ht_free(&r);
	/* A reader of another organisation does not see a draft's files. */
	const char *hc[] = { cw_auth, NULL };
	ht_get(S.port, download, hc, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	/* An executable renamed .pdf, an HTML page, a zip that is no office document. */
	const char *bad[][2] = { { "\x7f"
				   "ELF\x02\x01\x01",
				   "report.pdf" },
				 { "<html><script>alert(1)</script>", "page.pdf" },
				 { "PK\x03\x04\x14\x00\x00\x00\x00\x00", "archive.docx" },
				 { "MZ\x90\x00\x03", "setup.pdf" } };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		long s = upload(sup_auth, path, NULL, bad[i][1], bad[i][0], strlen(bad[i][0]), &r);
		if (s != 422)
			fail_msg("%s answered %ld", bad[i][1], s);
		assert_non_null(strstr(r.body, "\"code\":\"invalid\""));
		ht_free(&r);
	}
	/* Too large: refused, nothing kept, nothing left in the spool. */
	size_t big = KN_ATTACHMENT_MAX + 1;
	char *huge = calloc(1, big);
	memcpy(huge, "%PDF-", 5);
	assert_int_equal(upload(sup_auth, path, NULL, "huge.pdf", huge, big, &r), 413);
	ht_free(&r);
	free(huge);
	assert_int_equal(count_files(kept), before + 1);
	assert_int_equal(count_files(spool), 0);
	/* Not a form with a file. */
	assert_int_equal(api_status(sup_auth, "POST", path, "{\"file\":\"x\"}"), 422);
	/* A spreadsheet (as Ponte itself writes them) is an office document. */
	xlsx x;
	xlsx_init(&x, 1 << 20);
	const char *cells[] = { "País", "Casos" };
	xlsx_row(&x, cells, 2);
	buf file;
	buf_init(&file, 1 << 20);
	assert_int_equal(xlsx_finish(&x, "Dados", &file), 0);
	assert_int_equal(upload(sup_auth, path, NULL, "dados", file.data, file.len, &r), 201);
	assert_non_null(strstr(r.body, "\"filename\":\"dados.xlsx\""));
	ht_free(&r);
	xlsx_release(&x);
	buf_release(&file);
	/* Once published, files are read by all but changed by none. */
	char act[128];
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/submit", id);
	assert_int_equal(api_status(sup_auth, "POST", act, ""), 200);
	snprintf(act, sizeof(act), "/api/v1/knowledge/%ld/publish", id);
	assert_int_equal(api_status(rev_auth, "POST", act, ""), 200);
	ht_get(S.port, download, hc, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	assert_int_equal(upload(sup_auth, path, NULL, "late.pdf", pdf, sizeof(pdf) - 1, &r), 403);
	ht_free(&r);
}

static void the_item_page_uploads_with_the_form(void **state)
{
	(void)state;
	struct web_session w;
	web_login("supervisor@demo.ponte.example", DEMO_PASSWORD, NULL, &w);
	long id = create(sup_auth, PRACTICE);
	char path[128], fields[128];
	snprintf(path, sizeof(path), "/knowledge/%ld/attachments", id);
	static const char png[] = "\x89PNG\r\n\x1a\n0000IHDR";
	struct ht_resp r;
	/* Without the CSRF token the upload is refused. */
	assert_int_equal(upload(w.cookie, path, NULL, "map.png", png, sizeof(png) - 1, &r), 403);
	ht_free(&r);
	snprintf(fields, sizeof(fields), "csrf=%s", w.csrf);
	assert_int_equal(upload(w.cookie, path, fields, "map.png", png, sizeof(png) - 1, &r), 303);
	ht_free(&r);
	const char *h[] = { w.cookie, NULL };
	snprintf(path, sizeof(path), "/knowledge/%ld", id);
	ht_get(S.port, path, h, &r);
	assert_non_null(strstr(r.body, ">map.png</a>"));
	assert_non_null(strstr(r.body, "enctype=\"multipart/form-data\""));
	ht_free(&r);
	/* A refused file is explained on a page in the user's language (Portuguese). */
	snprintf(path, sizeof(path), "/knowledge/%ld/attachments", id);
	assert_int_equal(upload(w.cookie, path, fields, "x.pdf", "#!/bin/sh\n", 10, &r), 422);
	assert_non_null(strstr(r.body, "Anexe um PDF"));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_draft_goes_through_review_to_readers),
		cmocka_unit_test(reviewers_do_not_publish_their_own_work_unless_allowed),
		cmocka_unit_test(bad_input_is_explained_field_by_field),
		cmocka_unit_test(search_is_forgiving_and_faceted),
		cmocka_unit_test(titles_rank_first_with_bm25_and_for_very_common_words),
		cmocka_unit_test(search_reads_arabic_and_accents_either_way),
		cmocka_unit_test(public_read_is_a_setting),
		cmocka_unit_test(the_form_explains_errors_and_saves_drafts),
		cmocka_unit_test(attachments_are_checked_by_content_and_served_safely),
		cmocka_unit_test(the_item_page_uploads_with_the_form),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
