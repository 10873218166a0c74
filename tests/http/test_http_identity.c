/* Identity and access as callers meet them over HTTP: every route against every role,
 * sessions, CSRF, tokens, scopes, bad input, brute force, two-factor authentication. */
/* Route tables give the trailing upload column only where true. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "httptest.h"

#include <liboath/oath.h>

#include "audit/audit.h"
#include "base/log.h"
#include "identity/auth.h"

static struct ht_server S;

static const char *ROLE_EMAILS[][2] = {
	{ "administrator", DEMO_ADMIN_EMAIL },
	{ "national_focal_point", "focal.point@demo.ponte.example" },
	{ "case_worker", "case.worker@demo.ponte.example" },
	{ "supervisor", "supervisor@demo.ponte.example" },
	{ "police_investigator", "police@demo.ponte.example" },
	{ "prosecutor", "prosecutor@demo.ponte.example" },
	{ "observatory_analyst", "analyst@demo.ponte.example" },
	{ "data_provider", "provider@demo.ponte.example" },
	{ "auditor", "auditor@demo.ponte.example" },
	{ "regional_analyst", "regional@demo.ponte.example" },
	{ "knowledge_reviewer", "reviewer@demo.ponte.example" },
};

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	char err[256];
	/* The demo users and an administrator (as ponte init --demo makes them). */
	keyed_store env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	organisation admin_org = {
		0, "ADMIN", "Administration", "PT", "CentralGovernmentOrganisation", 0, false
	};
	assert_int_equal(org_add(S.db, &admin_org, NULL), 0);
	user_input admin = { .email = DEMO_ADMIN_EMAIL,
			     .name = "Administrator",
			     .organisation_code = "ADMIN",
			     .roles = { "administrator" },
			     .nroles = 1,
			     .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &admin, NULL, &problem), 0);
	(void)err;
	return 0;
}

/* Expected access per "METHOD pattern": hand-written, so that a change of a role's grants
 * or of a route's permission shows up here. "*" = every signed-in role. */
/* Social-service case data: never police, prosecutors, analysts, administrators. */
#define SOCIAL "national_focal_point case_worker supervisor"
#define NOT_REGIONAL                                                                               \
	"administrator national_focal_point case_worker supervisor police_investigator "           \
	"prosecutor observatory_analyst data_provider auditor"
/* Knowledge: authors and reviewers; every signed-in user reads. */
#define WRITERS                                                                                    \
	"administrator national_focal_point supervisor police_investigator prosecutor "            \
	"observatory_analyst regional_analyst knowledge_reviewer"
#define REVIEWERS "administrator knowledge_reviewer"
/* Criminal proceedings: police read and write, prosecutors read; never social roles. */
#define PROCEEDINGS_READ "police_investigator prosecutor"
#define PROCEEDINGS_WRITE "police_investigator"
static const struct {
	const char *route;
	const char *allowed;
} EXPECT[] = {
	{ "GET /", "public" },
	{ "GET /healthz", "public" },
	{ "GET /metrics", "public" },
	{ "POST /fed/v1/inbox", "public" },
	{ "GET /fed/v1/identity", "public" },
	{ "GET /static/{hash}/{name}", "public" },
	{ "GET /login", "public" },
	{ "POST /login", "public" },
	{ "GET /api/v1/instance", "public" },
	{ "GET /api/v1/openapi.json", "public" },
	{ "POST /api/v1/auth/login", "public" },
	{ "POST /logout", "*" },
	{ "POST /logout/everywhere", "*" },
	{ "GET /profile", "*" },
	{ "POST /profile/language", "*" },
	{ "POST /profile", "*" },
	{ "GET /profile/2fa", "*" },
	{ "POST /profile/2fa", "*" },
	{ "POST /api/v1/auth/logout", "*" },
	{ "GET /api/v1/users/me", "*" },
	{ "GET /api/v1/users/{id}", NOT_REGIONAL " knowledge_reviewer" },
	{ "POST /api/v1/users", "administrator" },
	{ "POST /api/v1/users/{id}/2fa/reset", "administrator" },
	{ "GET /admin/organisations", "administrator" },
	{ "GET /admin/privacy-budgets", "administrator" },
	{ "POST /admin/privacy-budgets", "administrator" },
	{ "GET /admin/rules", "administrator" },
	{ "GET /admin/settings", "administrator" },
	{ "POST /admin/settings", "administrator" },
	{ "GET /admin/health", "administrator" },
	{ "GET /admin/languages", "administrator" },
	{ "POST /admin/languages", "administrator" },
	{ "GET /admin/languages/upload", "administrator" },
	{ "POST /admin/languages/upload", "administrator" },
	{ "GET /admin/peers", "administrator" },
	{ "POST /admin/peers", "administrator" },
	{ "POST /admin/peers/rotate", "administrator" },
	{ "POST /admin/peers/revoke", "administrator" },
	{ "POST /admin/rules", "administrator" },
	{ "POST /admin/organisations", "administrator" },
	{ "GET /admin/users", NOT_REGIONAL " knowledge_reviewer" },
	{ "POST /admin/users", "administrator" },
	{ "GET /admin/users/find", NOT_REGIONAL " knowledge_reviewer" },
	{ "POST /admin/users/find", NOT_REGIONAL " knowledge_reviewer" },
	{ "GET /admin/users/{id}", NOT_REGIONAL " knowledge_reviewer" },
	{ "POST /admin/users/{id}", "administrator" },
	{ "GET /admin/roles", "administrator national_focal_point auditor" },
	{ "POST /admin/roles", "administrator" },
	{ "GET /cases", SOCIAL },
	{ "GET /cases/search", SOCIAL },
	{ "POST /cases/search", SOCIAL },
	{ "GET /cases/new", SOCIAL },
	{ "POST /cases/new", SOCIAL },
	{ "GET /cases/{id}", SOCIAL },
	{ "POST /cases/{id}", SOCIAL },
	{ "GET /cases/{id}/details/{section}", SOCIAL },
	{ "POST /cases/{id}/details/{section}", SOCIAL },
	{ "GET /api/v1/cases", SOCIAL },
	{ "POST /api/v1/cases/search", SOCIAL },
	{ "POST /api/v1/cases", SOCIAL },
	{ "GET /api/v1/cases/{id}", SOCIAL },
	{ "PATCH /api/v1/cases/{id}", SOCIAL },
	{ "GET /api/v1/cases/{id}/status-decisions", SOCIAL },
	{ "POST /api/v1/cases/{id}/status-decisions", SOCIAL },
	{ "GET /knowledge", "*" },
	{ "GET /knowledge/new", WRITERS },
	{ "POST /knowledge/new", WRITERS },
	{ "GET /knowledge/{id}", "*" },
	{ "GET /knowledge/{id}/edit", WRITERS },
	{ "POST /knowledge/{id}/edit", WRITERS },
	{ "POST /knowledge/{id}", WRITERS }, /* submit; the reviewers' moves are checked inside */
	{ "GET /knowledge/{id}/diff", "*" },
	{ "GET /api/v1/knowledge", "*" },
	{ "POST /api/v1/knowledge", WRITERS },
	{ "GET /api/v1/knowledge/{id}", "*" },
	{ "PATCH /api/v1/knowledge/{id}", WRITERS },
	{ "GET /api/v1/knowledge/{id}/versions", "*" },
	{ "POST /api/v1/knowledge/{id}/attachments", WRITERS },
	{ "GET /knowledge/{id}/attachments", "*" },
	{ "POST /knowledge/{id}/attachments", WRITERS },
	{ "POST /knowledge/{id}/attachments/{aid}/delete", WRITERS },
	{ "GET /knowledge/{id}/attachments/{aid}", "*" },
	{ "POST /api/v1/knowledge/{id}/submit", WRITERS },
	{ "POST /api/v1/knowledge/{id}/publish", REVIEWERS },
	{ "POST /api/v1/knowledge/{id}/archive", REVIEWERS },
	{ "POST /api/v1/knowledge/{id}/return", REVIEWERS },
	{ "GET /directory", "*" },
	{ "GET /directory/export.csv", "*" },
	{ "GET /directory/export.xlsx", "*" },
	{ "GET /directory/new", "administrator national_focal_point" },
	{ "POST /directory/new", "administrator national_focal_point" },
	{ "GET /directory/{id}", "*" },
	{ "POST /directory/{id}", "administrator national_focal_point" },
	{ "GET /api/v1/focal-points", "*" },
	{ "POST /api/v1/focal-points", "administrator national_focal_point" },
	{ "GET /api/v1/focal-points/{id}", "*" },
	{ "PATCH /api/v1/focal-points/{id}", "administrator national_focal_point" },
	{ "POST /api/v1/focal-points/{id}/holders", "administrator national_focal_point" },
	{ "POST /api/v1/focal-points/{id}/verify", "administrator national_focal_point" },
	{ "GET /observatory", "national_focal_point observatory_analyst" },
	{ "GET /observatory/report", "national_focal_point observatory_analyst" },
	{ "GET /observatory/data.csv", "national_focal_point observatory_analyst" },
	{ "GET /observatory/data.xlsx", "national_focal_point observatory_analyst" },
	{ "GET /api/v1/observatory/stats", "national_focal_point observatory_analyst" },
	{ "GET /api/v1/observatory/own-stats", "data_provider observatory_analyst" },
	{ "GET /observatory/releases", "public" },
	{ "GET /observatory/releases/{id}/{file}", "public" },
	{ "GET /observatory/import", "data_provider observatory_analyst" },
	{ "POST /observatory/import", "data_provider observatory_analyst" },
	{ "GET /services", "*" },
	{ "GET /services/{id}", "*" },
	/* Counting places: every role reaches the handler, which lets the provider's staff. */
	{ "POST /services/{id}", "*" },
	{ "GET /services/{id}/refer", SOCIAL },
	{ "GET /work", "*" },
	{ "GET /cases/{id}/screening", SOCIAL },
	{ "GET /cases/{id}/summary", SOCIAL },
	{ "GET /cases/{id}/timeline", SOCIAL },
	{ "GET /cases/{id}/safety", SOCIAL },
	{ "GET /cases/{id}/contacts", SOCIAL },
	{ "GET /cases/{id}/child", SOCIAL },
	{ "GET /cases/{id}/plans", SOCIAL },
	{ "GET /cases/{id}/assistance", SOCIAL },
	{ "POST /cases/{id}/assistance", SOCIAL },
	{ "POST /cases/{id}/plans", SOCIAL },
	{ "POST /cases/{id}/child", SOCIAL },
	{ "GET /cases/{id}/return", SOCIAL },
	{ "POST /cases/{id}/return", SOCIAL },
	{ "POST /cases/{id}/contacts", SOCIAL },
	{ "POST /cases/{id}/safety", SOCIAL },
	{ "GET /cases/export.csv", SOCIAL },
	{ "GET /cases/export.xlsx", SOCIAL },
	{ "POST /cases/{id}/screening", SOCIAL },
	{ "GET /cases/{id}/referrals", SOCIAL },
	{ "GET /consents/{id}/withdraw", SOCIAL },
	{ "POST /consents/{id}/withdraw", SOCIAL },
	{ "POST /cases/{id}/referrals", SOCIAL },
	{ "GET /referrals", SOCIAL },
	{ "GET /referrals/{id}", SOCIAL },
	{ "POST /referrals/{id}", SOCIAL },
	{ "GET /api/v1/services", "*" },
	{ "POST /api/v1/services", "administrator national_focal_point supervisor" },
	{ "GET /api/v1/cases/{id}/consents", SOCIAL },
	{ "POST /api/v1/cases/{id}/consents", SOCIAL },
	{ "POST /api/v1/consents/{id}/withdraw", SOCIAL },
	{ "GET /api/v1/cases/{id}/disclosures", SOCIAL },
	{ "GET /api/v1/referrals", SOCIAL },
	{ "POST /api/v1/referrals", SOCIAL },
	{ "GET /api/v1/referrals/{id}", SOCIAL },
	{ "GET /api/v1/referrals/{id}/case", SOCIAL },
	{ "GET /api/v1/referrals/{id}/deliveries", SOCIAL },
	{ "POST /api/v1/referrals/{id}/deliveries", SOCIAL },
	{ "POST /api/v1/referrals/{id}/{action}", SOCIAL },
	{ "GET /cases/{id}/file/{section}", SOCIAL },
	{ "POST /cases/{id}/file/{section}", SOCIAL },
	{ "GET /cases/{id}/file/{section}/{entry}", SOCIAL },
	{ "POST /cases/{id}/file/{section}/{entry}", SOCIAL },
	{ "GET /api/v1/cases/{id}/file/{section}", SOCIAL },
	{ "POST /api/v1/cases/{id}/file/{section}", SOCIAL },
	{ "PATCH /api/v1/cases/{id}/file/{section}/{entry}", SOCIAL },
	{ "GET /proceedings", PROCEEDINGS_READ },
	{ "GET /api/v1/peers", "national_focal_point" },
	{ "GET /cases/{id}/transnational", "national_focal_point" },
	{ "POST /cases/{id}/transnational", "national_focal_point" },
	/* Providers a received referral is handed to reach it too; src/trm/ decides which. */
	{ "GET /trm", SOCIAL },
	{ "GET /trm/{id}", SOCIAL },
	{ "POST /trm/{id}", SOCIAL },
	{ "GET /api/v1/cases/{id}/closures", SOCIAL },
	{ "POST /api/v1/cases/{id}/closures", SOCIAL },
	{ "POST /api/v1/closures/{id}/{decision}", SOCIAL },
	{ "GET /api/v1/cases/{id}/attachments", SOCIAL },
	{ "POST /api/v1/cases/{id}/attachments", SOCIAL },
	{ "GET /api/v1/cases/{id}/attachments/{att}", SOCIAL },
	{ "POST /api/v1/cases/{id}/attachments/{att}/remove", SOCIAL },
	{ "GET /api/v1/transnational-referrals", SOCIAL },
	{ "GET /api/v1/transnational-referrals/{id}", SOCIAL },
	{ "POST /api/v1/transnational-referrals/{id}/documents", SOCIAL },
	{ "POST /api/v1/cases/{id}/transnational-referrals", "national_focal_point" },
	{ "POST /api/v1/transnational-referrals/{id}/{action}", SOCIAL },
	{ "GET /cases/{id}/closure", SOCIAL },
	{ "GET /cases/{id}/attachments", SOCIAL },
	{ "POST /cases/{id}/attachments", SOCIAL },
	{ "GET /cases/{id}/attachments/{att}", SOCIAL },
	{ "POST /cases/{id}/attachments/{att}/remove", SOCIAL },
	{ "POST /cases/{id}/closure", SOCIAL },
	{ "GET /cases/{id}/proceedings/{section}", PROCEEDINGS_READ },
	{ "POST /cases/{id}/proceedings/{section}", PROCEEDINGS_WRITE },
	{ "GET /cases/{id}/proceedings/{section}/{entry}", PROCEEDINGS_WRITE },
	{ "POST /cases/{id}/proceedings/{section}/{entry}", PROCEEDINGS_WRITE },
	{ "GET /api/v1/cases/{id}/proceedings/{section}", PROCEEDINGS_READ },
	{ "POST /api/v1/cases/{id}/proceedings/{section}", PROCEEDINGS_WRITE },
	{ "PATCH /api/v1/cases/{id}/proceedings/{section}/{entry}", PROCEEDINGS_WRITE },
	{ "GET /audit", "auditor" },
	{ "GET /audit/export.csv", "auditor" },
};

static const char *expected_for(const char *method, const char *pattern)
{
	char key[160];
	snprintf(key, sizeof(key), "%s %s", method, pattern);
	for (size_t i = 0; i < ARRAY_LEN(EXPECT); i++)
		if (strcmp(EXPECT[i].route, key) == 0)
			return EXPECT[i].allowed;
	return NULL;
}

static bool listed(const char *list, const char *who)
{
	size_t n = strlen(who);
	for (const char *p = strstr(list, who); p; p = strstr(p + 1, who))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void concrete_path(const char *pattern, char *out, size_t n)
{
	const char *id = strstr(pattern, "{id}");
	const char *aid = strstr(pattern, "{aid}");
	if (id && aid)
		snprintf(out, n, "%.*s3%.*s1%s", (int)(id - pattern), pattern, (int)(aid - id - 4),
			 id + 4, aid + 5);
	else if (id)
		snprintf(out, n, "%.*s3%s", (int)(id - pattern), pattern, id + 4);
	else if (strcmp(pattern, "/static/{hash}/{name}") == 0)
		snprintf(out, n, "/static/0/app.css");
	else
		snprintf(out, n, "%s", pattern);
}

/* One API token and one browser session per role, renewed after a route that signs out. */
struct role_sessions {
	char bearer[128];
	char cookie[160];
	char csrf[96];
};

static void sign_in_role(size_t k, struct role_sessions *rs, bool api, bool web)
{
	char token[64];
	if (api) {
		api_login(ROLE_EMAILS[k][1], DEMO_PASSWORD, NULL, token, sizeof(token));
		assert_true(token[0]);
		snprintf(rs->bearer, sizeof(rs->bearer), "Authorization: Bearer %s", token);
	}
	if (!web)
		return;
	struct web_session w;
	web_login(ROLE_EMAILS[k][1], DEMO_PASSWORD, NULL, &w);
	assert_true(w.cookie[0]);
	snprintf(rs->cookie, sizeof(rs->cookie), "%s", w.cookie);
	snprintf(rs->csrf, sizeof(rs->csrf), "X-CSRF-Token: %s", w.csrf);
}

static void every_route_against_every_role(void **state)
{
	(void)state;
	set_setting("require_2fa_for_flagged_roles", "0"); /* 2FA has its own test */
	struct role_sessions sessions[ARRAY_LEN(ROLE_EMAILS)];
	for (size_t k = 0; k < ARRAY_LEN(ROLE_EMAILS); k++)
		sign_in_role(k, &sessions[k], true, true);
	for (size_t i = 0; i < app_routes_count; i++) {
		const http_route *r = &app_routes[i];
		const char *method = r->methods & HTTP_POST    ? "POST"
				     : r->methods & HTTP_PATCH ? "PATCH"
							       : "GET";
		const char *allowed = expected_for(method, r->pattern);
		if (!allowed)
			fail_msg(
			    "route %s %s has no expected access in this test: add it to EXPECT",
			    method, r->pattern);
		bool api = strncmp(r->pattern, "/api/", 5) == 0;
		char path[128];
		concrete_path(r->pattern, path, sizeof(path));
		for (size_t k = 0; k <= ARRAY_LEN(ROLE_EMAILS); k++) {
			bool anonymous = k == ARRAY_LEN(ROLE_EMAILS);
			const char *who = anonymous ? "anonymous" : ROLE_EMAILS[k][0];
			const char *auth = "X-None: 1", *csrf = "X-None: 2";
			if (!anonymous) {
				auth = api ? sessions[k].bearer : sessions[k].cookie;
				csrf = api ? "X-None: 2" : sessions[k].csrf;
			}
			const char *h[] = { auth, csrf,
					    "Content-Type: application/x-www-form-urlencoded",
					    NULL };
			struct ht_resp resp;
			assert_int_equal(ht_request(S.port, method, path, "x=1", 3, h, &resp),
					 CURLE_OK);
			bool is_public = strcmp(allowed, "public") == 0;
			bool should =
			    is_public ||
			    (!anonymous && (strcmp(allowed, "*") == 0 || listed(allowed, who)));
			/* On public routes a 401 is a failed login, not a refusal of access. */
			bool denied = (resp.status == 401 && !is_public) || resp.status == 403 ||
				      (resp.status == 303 && strstr(resp.headers, "/login?next="));
			if (should == denied)
				fail_msg("%s %s as %s: status %ld, expected %s", method, path, who,
					 resp.status, should ? "allowed" : "denied");
			ht_free(&resp);
			throttle_reset_all(); /* the bogus bodies above are failed logins */
			if (!anonymous && strstr(r->pattern, "logout"))
				sign_in_role(k, &sessions[k],
					     api || strstr(r->pattern, "everywhere"), !api);
		}
	}
	set_setting("require_2fa_for_flagged_roles", "1");
}

static void csrf_is_required_for_cookie_sessions_only(void **state)
{
	(void)state;
	struct web_session w;
	assert_int_equal(web_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	const char *form = "Content-Type: application/x-www-form-urlencoded";
	const char *h1[] = { w.cookie, form, NULL };
	struct ht_resp r;
	ht_request(S.port, "POST", "/profile/language", "language=pt", 11, h1, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	ht_request(S.port, "POST", "/profile/language",
		   "language=pt&csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 55, h1, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	char body[128];
	snprintf(body, sizeof(body), "language=pt&csrf=%s", w.csrf);
	ht_request(S.port, "POST", "/profile/language", body, (long)strlen(body), h1, &r);
	assert_int_equal(r.status, 303);
	ht_free(&r);
	/* Bearer tokens are not sent by browsers on their own: no CSRF token needed. */
	char token[64], auth[128];
	api_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h2[] = { auth, NULL };
	ht_request(S.port, "POST", "/api/v1/auth/logout", "", 0, h2, &r);
	assert_int_equal(r.status, 204);
	ht_free(&r);
	/* A revoked token is anonymous. */
	ht_get(S.port, "/api/v1/users/me", h2, &r);
	assert_int_equal(r.status, 401);
	char v[64];
	assert_string_equal(ht_header(&r, "WWW-Authenticate", v, sizeof(v)), "Bearer");
	ht_free(&r);
}

static void login_rotates_the_session(void **state)
{
	(void)state;
	/* An attacker signs in, then plants their session cookie in the victim's browser. */
	struct web_session attacker, victim;
	assert_int_equal(web_login("police@demo.ponte.example", DEMO_PASSWORD, NULL, &attacker),
			 303);
	const char *planted = attacker.cookie + strlen("Cookie: ");
	assert_int_equal(
	    web_login("supervisor@demo.ponte.example", DEMO_PASSWORD, planted, &victim), 303);
	assert_string_not_equal(victim.cookie, attacker.cookie);
	/* The planted session is over, and the victim's session is the victim's. */
	struct ht_resp r;
	const char *ha[] = { attacker.cookie, NULL };
	ht_get(S.port, "/profile", ha, &r);
	assert_int_equal(r.status, 303);
	ht_free(&r);
	const char *hv[] = { victim.cookie, NULL };
	ht_get(S.port, "/profile", hv, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Carla Supervisor"));
	ht_free(&r);
	/* A made-up session cookie is simply anonymous. */
	const char *fake[] = { "Cookie: ponte_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			       NULL };
	ht_get(S.port, "/profile", fake, &r);
	assert_int_equal(r.status, 303);
	ht_free(&r);
}

static void wrong_unknown_and_locked_accounts_look_the_same(void **state)
{
	(void)state;
	const char *bodies[] = {
		"{\"email\":\"prosecutor@demo.ponte.example\",\"password\":\"Wrong-password-123\"}",
		"{\"email\":\"nobody-here@demo.ponte.example\",\"password\":\"Wrong-password-"
		"123\"}",
	};
	char first[512] = "";
	for (size_t i = 0; i < ARRAY_LEN(bodies); i++) {
		struct ht_resp r;
		ht_request(S.port, "POST", "/api/v1/auth/login", bodies[i], (long)strlen(bodies[i]),
			   NULL, &r);
		assert_int_equal(r.status, 401);
		if (!first[0])
			snprintf(first, sizeof(first), "%s", r.body);
		assert_string_equal(r.body, first);
		ht_free(&r);
	}
	struct web_session w;
	assert_int_equal(
	    web_login("prosecutor%40demo.ponte.example", "Wrong-password-123", NULL, &w), 401);
	assert_false(w.cookie[0]);
}

static void brute_force_is_slowed_down(void **state)
{
	(void)state;
	throttle_reset_all();
	const char *body =
	    "{\"email\":\"analyst@demo.ponte.example\",\"password\":\"Guess-number-0001\"}";
	struct ht_resp r;
	long last = 0;
	for (int i = 0; i < 7; i++) {
		ht_request(S.port, "POST", "/api/v1/auth/login", body, (long)strlen(body), NULL,
			   &r);
		last = r.status;
		ht_free(&r);
	}
	assert_int_equal(last, 429);
	ht_request(S.port, "POST", "/api/v1/auth/login", body, (long)strlen(body), NULL, &r);
	char v[32];
	assert_non_null(ht_header(&r, "Retry-After", v, sizeof(v)));
	assert_non_null(strstr(r.body, "too_many_attempts"));
	ht_free(&r);
	throttle_reset_all();
}

static void users_outside_the_scope_do_not_exist(void **state)
{
	(void)state;
	char token[64], auth[128];
	api_login("case.worker@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h[] = { auth, NULL };
	struct ht_resp r;
	ht_get(S.port, "/api/v1/users/me", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"roles\":[\"case_worker\"]"));
	assert_non_null(strstr(r.body, "\"language\":\"pt\""));
	ht_free(&r);
	/* Supervisor (same organisation): visible. Police (other organisation) and a
	 * non-existent id: the same 404. */
	ht_get(S.port, "/api/v1/users/3", h, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	char other[64], missing[64];
	ht_get(S.port, "/api/v1/users/4", h, &r);
	assert_int_equal(r.status, 404);
	snprintf(other, sizeof(other), "%s", r.body);
	ht_free(&r);
	ht_get(S.port, "/api/v1/users/999", h, &r);
	assert_int_equal(r.status, 404);
	snprintf(missing, sizeof(missing), "%s", r.body);
	ht_free(&r);
	assert_string_equal(other, missing);
}

static void bad_input_is_refused_and_payloads_stay_data(void **state)
{
	(void)state;
	set_setting("require_2fa_for_flagged_roles", "0");
	char token[64], auth[128];
	api_login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h[] = { auth, NULL };
	struct ht_resp r;
	const char *bad[] = {
		"not json",
		"{\"email\":\"a@b.pt\",\"email\":\"c@d.pt\"}",
		"{\"name\":\"\xC3\x28\"}",
		"{\"name\":\"\\ud800\"}",
		"[1,2,3]",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ht_request(S.port, "POST", "/api/v1/users", bad[i], (long)strlen(bad[i]), h, &r);
		if (r.status != 400)
			fail_msg("body %zu: status %ld", i, r.status);
		ht_free(&r);
	}
	char longname[400];
	memset(longname, 'a', 300);
	longname[300] = '\0';
	char body[1024];
	snprintf(
	    body, sizeof(body),
	    "{\"email\":\"long@demo.ponte.example\",\"name\":\"%s\",\"organisation\":\"PT-POL\","
	    "\"roles\":[\"police_investigator\"],\"password\":\"Correct-horse-battery-9\"}",
	    longname);
	ht_request(S.port, "POST", "/api/v1/users", body, (long)strlen(body), h, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "1 to 200"));
	ht_free(&r);
	/* XSS and SQL payloads are stored as they are and shown escaped. */
	const char *xss = "{\"email\":\"xss@demo.ponte.example\",\"name\":\"<img src=x "
			  "onerror=alert(1)>'; DROP TABLE users;--\","
			  "\"organisation\":\"PT-POL\",\"roles\":[\"police_investigator\"],"
			  "\"password\":\"Correct-horse-battery-9\",\"language\":\"en\"}";
	ht_request(S.port, "POST", "/api/v1/users", xss, (long)strlen(xss), h, &r);
	assert_int_equal(r.status, 201);
	ht_free(&r);
	struct web_session w;
	assert_int_equal(web_login("xss%40demo.ponte.example", "Correct-horse-battery-9", NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	ht_get(S.port, "/profile", hw, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "<img src=x"));
	assert_non_null(
	    strstr(r.body, "&lt;img src=x onerror=alert(1)&gt;&#39;; DROP TABLE users;--"));
	ht_free(&r);
	/* A form with bytes that are not UTF-8 is refused. */
	const char *form[] = { w.cookie, "Content-Type: application/x-www-form-urlencoded", NULL };
	char fbody[128];
	snprintf(fbody, sizeof(fbody), "language=%%C3%%28&csrf=%s", w.csrf);
	ht_request(S.port, "POST", "/profile/language", fbody, (long)strlen(fbody), form, &r);
	assert_int_equal(r.status, 400);
	ht_free(&r);
	set_setting("require_2fa_for_flagged_roles", "1");
}

/* What an administrator creates through the API is never written in clear. */
static void personal_data_is_not_on_disk_in_clear(void **state)
{
	(void)state;
	set_setting("require_2fa_for_flagged_roles", "0");
	char token[64], auth[128];
	api_login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h[] = { auth, NULL };
	const char *body = "{\"email\":\"ximena.vantablack@probe-domain.example\",\"name\":"
			   "\"Ximena Vantablackprobe\","
			   "\"phone\":\"+351 911 222 "
			   "333\",\"organisation\":\"PT-NGO-LX\",\"roles\":[\"case_worker\"],"
			   "\"password\":\"Correct-horse-battery-9\"}";
	struct ht_resp r;
	ht_request(S.port, "POST", "/api/v1/users", body, (long)strlen(body), h, &r);
	assert_int_equal(r.status, 201);
	ht_free(&r);
	/* Read it back (the server decrypts it for an allowed caller)... */
	ht_get(S.port, "/api/v1/users/me", h, &r);
	ht_free(&r);
	/* ...and look for it in the database's files (SQLite: the file, the WAL and the shared
	 * memory; PostgreSQL: the database's folder and the write-ahead log). */
	const char *probes[] = { "Vantablackprobe", "ximena", "probe-domain", "911 222 333" };
	int files;
	const char *found = ht_on_disk(probes, ARRAY_LEN(probes), &files);
	if (found)
		fail_msg("\"%s\" found in the database's files", found);
	assert_true(files >= 2);
	set_setting("require_2fa_for_flagged_roles", "1");
}

static void totp_code(const char *secret_b32, time_t when, char out[7])
{
	char *secret;
	size_t len;
	oath_init();
	assert_int_equal(oath_base32_decode(secret_b32, strlen(secret_b32), &secret, &len),
			 OATH_OK);
	assert_int_equal(
	    oath_totp_generate(secret, len, when, OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 6, out),
	    OATH_OK);
	free(secret);
}

struct outcomes {
	int failure, denied, success;
};

static int count_outcomes(const audit_event *e, void *ctx)
{
	struct outcomes *o = ctx;
	if (!strcmp(e->outcome, "failure"))
		o->failure++;
	else if (!strcmp(e->outcome, "denied"))
		o->denied++;
	else if (!strcmp(e->outcome, "success"))
		o->success++;
	return 0;
}

static void enrolments(int64_t uid, struct outcomes *o)
{
	arena a;
	arena_init(&a, 1 << 20);
	audit_filter f = { .action = "user.2fa.enable", .user_id = uid };
	assert_int_equal(audit_query(S.db, &a, &f, count_outcomes, o), 0);
	arena_release(&a);
}

static long enrol(const struct web_session *w, const char *password, const char *code,
		  struct ht_resp *r)
{
	char body[256];
	snprintf(body, sizeof(body), "password=%s&code=%s", password, code);
	return form_post(w, "/profile/2fa?lang=en", body, r); /* messages in English */
}

static int count_resets(const audit_event *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int resets_of(int64_t uid, const char *outcome)
{
	arena a;
	arena_init(&a, 1 << 20);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)uid);
	audit_filter f = { .action = "user.2fa_reset", .object_type = "user", .object_id = id };
	int n = 0;
	assert_int_equal(audit_query(S.db, &a, &f, count_resets, &n), 0);
	arena_release(&a);
	(void)outcome;
	return n;
}

/* A user lost the phone: an administrator resets the second factor with a reason, on the
 * user's page or over the API. Every session and token of the user ends at once, the user must
 * set up two-factor authentication again at the next sign-in (not a focal point: whatever the
 * roles), and the trail records who did it; nobody else may, and a reset needs a reason. */
static void administrators_reset_a_lost_second_factor(void **state)
{
	(void)state;
	throttle_reset_all();
	/* No role of the user (nor the administrator) requires 2FA here: the reset does. */
	set_setting("require_2fa_for_flagged_roles", "0");
	keyed_store env = { S.db, S.keys };
	user_input in = { .email = "lost.phone@demo.ponte.example",
			  .name = "Lost Phone",
			  .organisation_code = "PT-NGO-LX",
			  .roles = { "case_worker" },
			  .nroles = 1,
			  .password = DEMO_PASSWORD };
	int problem;
	int64_t uid;
	assert_int_equal(user_add(&env, &in, &uid, &problem), 0);
	/* The user turns 2FA on, then signs in on a browser and a program. */
	arena a;
	arena_init(&a, 1 << 16);
	const char *secret;
	assert_int_equal(totp_begin(&env, &a, uid, &secret), 0);
	char b32[64], code[7], codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT];
	snprintf(b32, sizeof(b32), "%s", secret);
	arena_release(&a);
	time_t now = time(NULL);
	totp_code(b32, now - 30, code);
	assert_int_equal(totp_confirm(&env, uid, code, codes, now), 0);
	totp_code(b32, now, code);
	char pw[128], token[64], auth[128];
	snprintf(pw, sizeof(pw), "%s&code=%s", DEMO_PASSWORD, code);
	struct web_session w;
	assert_int_equal(web_login("lost.phone%40demo.ponte.example", pw, NULL, &w), 303);
	assert_int_equal(api_status(w.cookie, "GET", "/cases", NULL), 200);
	totp_code(b32, now + 30, code);
	api_login("lost.phone@demo.ponte.example", DEMO_PASSWORD, code, token, sizeof(token));
	assert_true(token[0]);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	assert_int_equal(api_status(auth, "GET", "/api/v1/cases", NULL), 200);
	/* Nobody but an administrator may: not a supervisor, not the user. */
	char path[96], other[128];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/2fa/reset", (long long)uid);
	static const char body[] = "{\"reason\":\"Phone lost on a field visit\"}";
	bearer("supervisor@demo.ponte.example", other, sizeof(other));
	const char *ho[] = { other, "Content-Type: application/json", NULL };
	struct ht_resp r;
	assert_int_equal(ht_request(S.port, "POST", path, body, (long)strlen(body), ho, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	const char *hu[] = { auth, "Content-Type: application/json", NULL };
	assert_int_equal(ht_request(S.port, "POST", path, body, (long)strlen(body), hu, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	struct web_session sup;
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	char page[64];
	snprintf(page, sizeof(page), "/admin/users/%lld", (long long)uid);
	assert_int_equal(form_post(&sup, page, "do=2fa_reset&reason=Lost", &r), 403);
	ht_free(&r);
	assert_int_equal(api_status(auth, "GET", "/api/v1/cases", NULL),
			 200); /* nothing happened */
	assert_int_equal(resets_of(uid, "success"), 0);
	/* An administrator, on the user's page: a reason is needed. */
	struct web_session admin;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &admin), 303);
	const char *ha[] = { admin.cookie, NULL };
	ht_get(S.port, page, ha, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "value=\"2fa_reset\""));
	ht_free(&r);
	assert_int_equal(form_post(&admin, page, "do=2fa_reset&reason=+++", &r), 422);
	assert_non_null(strstr(r.body, "role=\"alert\""));
	ht_free(&r);
	assert_int_equal(api_status(w.cookie, "GET", "/cases", NULL), 200);
	assert_int_equal(form_post(&admin, page, "do=2fa_reset&reason=Phone+stolen+in+Lisbon", &r),
			 303);
	ht_free(&r);
	/* The user's browser and program are signed out at once; the trail has it. */
	assert_int_equal(api_status(w.cookie, "GET", "/cases", NULL), 303);
	assert_int_equal(api_status(auth, "GET", "/api/v1/cases", NULL), 401);
	assert_int_equal(resets_of(uid, "success"), 1);
	bool enabled;
	arena_init(&a, 1 << 16);
	assert_int_equal(totp_state(&env, &a, uid, &secret, &enabled), 0);
	assert_false(enabled);
	assert_null(secret);
	arena_release(&a);
	/* The old authenticator and the recovery codes are worth nothing; the password signs in
	 * only to set up two-factor authentication again. */
	throttle_reset_all();
	assert_int_equal(recovery_code_use(S.db, uid, codes[0]), PONTE_EDENIED);
	api_login("lost.phone@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	assert_true(token[0]);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	ht_get(S.port, "/api/v1/cases", (const char *[]){ auth, NULL }, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "setup_required"));
	ht_free(&r);
	struct web_session again;
	assert_int_equal(web_login("lost.phone%40demo.ponte.example", DEMO_PASSWORD, NULL, &again),
			 303);
	const char *hg[] = { again.cookie, NULL };
	ht_get(S.port, "/cases", hg, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.headers, "Location: /profile/2fa"));
	ht_free(&r);
	/* Over the API too, with the reason kept encrypted: nowhere in clear on disk. */
	char admin_auth[128];
	bearer(DEMO_ADMIN_EMAIL, admin_auth, sizeof(admin_auth));
	const char *hb[] = { admin_auth, "Content-Type: application/json", NULL };
	assert_int_equal(ht_request(S.port, "POST", path, "{\"reason\":\"\"}", 13, hb, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 422);
	ht_free(&r);
	assert_int_equal(ht_request(S.port, "POST", path, "{\"why\":\"x\"}", 11, hb, &r), CURLE_OK);
	assert_int_equal(r.status, 400);
	ht_free(&r);
	assert_int_equal(ht_request(S.port, "POST", path, body, (long)strlen(body), hb, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"must_enrol\":true"));
	ht_free(&r);
	assert_int_equal(api_status(again.cookie, "GET", "/profile/2fa", NULL),
			 303); /* ended again */
	assert_int_equal(resets_of(uid, "success"), 2);
	assert_int_equal(ht_request(S.port, "POST", "/api/v1/users/999999/2fa/reset", body,
				    (long)strlen(body), hb, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	const char *reasons[] = { "Phone stolen in Lisbon", "Phone lost on a field visit" };
	int files;
	assert_null(ht_on_disk(reasons, ARRAY_LEN(reasons), &files));
	assert_true(files >= 1);
	set_setting("require_2fa_for_flagged_roles", "1");
}

/* A focal point must turn on 2FA. Turning it on takes the password again (a stolen session
 * cookie is not enough), ends every session and token opened before, and a session or token
 * opened with the password alone is never honoured once 2FA is on. */
static void focal_points_must_enrol_in_two_factor_authentication(void **state)
{
	(void)state;
	throttle_reset_all();
	const char *email = "focal.point@demo.ponte.example";
	keyed_store env = { S.db, S.keys };
	int64_t uid;
	assert_int_equal(user_find_by_email(&env, email, &uid), 0);
	struct outcomes before = { 0 };
	enrolments(uid, &before);
	/* Before enrolment: two browsers and a program, each with the password alone. */
	struct web_session w, other;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &other),
			 303);
	char token[64], early[128];
	api_login(email, DEMO_PASSWORD, NULL, token, sizeof(token));
	assert_true(token[0]);
	snprintf(early, sizeof(early), "Authorization: Bearer %s", token);
	/* Limited to setting up 2FA: pages send the browser there, the API says so. */
	struct ht_resp r;
	const char *h[] = { w.cookie, NULL };
	ht_get(S.port, "/profile", h, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.headers, "Location: /profile/2fa"));
	ht_free(&r);
	const char *he[] = { early, NULL };
	ht_get(S.port, "/api/v1/cases", he, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "setup_required"));
	ht_free(&r);
	ht_get(S.port, "/profile/2fa", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<svg"));
	assert_non_null(strstr(r.body, "autocomplete=\"current-password\""));
	const char *k = strstr(r.body, "<code class=\"secret\">");
	assert_non_null(k);
	char secret[64];
	snprintf(secret, sizeof(secret), "%.*s", (int)strcspn(k + 21, "<"), k + 21);
	ht_free(&r);
	time_t now = time(NULL);
	char code[7];
	totp_code(secret, now, code);
	/* A wrong code, then the right code without the password or with a wrong one: 422, and
	 * nothing changes (the code is not even spent). */
	assert_int_equal(enrol(&w, DEMO_PASSWORD, "000000", &r), 422);
	assert_non_null(strstr(r.body, "This code is not right"));
	ht_free(&r);
	char body[160];
	snprintf(body, sizeof(body), "code=%s", code);
	assert_int_equal(form_post(&w, "/profile/2fa?lang=en", body, &r), 422);
	assert_non_null(strstr(r.body, "Your current password is not right."));
	ht_free(&r);
	assert_int_equal(enrol(&w, "Not-the-password-1", code, &r), 422);
	assert_non_null(strstr(r.body, "Your current password is not right."));
	ht_free(&r);
	assert_int_equal(api_status(other.cookie, "GET", "/profile/2fa", NULL), 200);
	assert_int_equal(api_status(early, "GET", "/api/v1/users/me", NULL), 200);
	/* The password again and the code: 2FA is on, with recovery codes and a new session. */
	assert_int_equal(enrol(&w, DEMO_PASSWORD, code, &r), 200);
	const char *rc = strstr(r.body, "<ul class=\"codes\"><li><code>");
	assert_non_null(rc);
	char recovery[16];
	snprintf(recovery, sizeof(recovery), "%.11s", rc + 28);
	char v[256], fresh[160];
	/* The session cookie, beside the ?lang= one (both are set). */
	assert_non_null(ht_header(&r, "Set-Cookie", v, sizeof(v)));
	assert_true(strncmp(v, "ponte_session=", 14) == 0);
	assert_non_null(strstr(v, "HttpOnly"));
	assert_non_null(strstr(r.headers, "Set-Cookie: ponte_lang=en"));
	snprintf(fresh, sizeof(fresh), "Cookie: %.*s", (int)strcspn(v, ";"), v);
	assert_string_not_equal(fresh, w.cookie);
	ht_free(&r);
	assert_int_equal(api_status(fresh, "GET", "/profile", NULL), 200);
	assert_int_equal(api_status(fresh, "GET", "/cases", NULL), 200);
	/* Every session and token from before is over, this browser's old one too. */
	assert_int_equal(api_status(w.cookie, "GET", "/profile", NULL), 303);
	assert_int_equal(api_status(other.cookie, "GET", "/profile", NULL), 303);
	assert_int_equal(api_status(early, "GET", "/api/v1/users/me", NULL), 401);
	/* Even one that escaped the revocation (a login still checking the password while 2FA
	 * was turned on, simulated here by clearing the flag) stays without rights. */
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "UPDATE sessions SET revoked = 0 WHERE user_id = %lld AND second_factor = 0",
		 (long long)uid);
	assert_true(ht_exec(sql) >= 3);
	assert_int_equal(api_status(early, "GET", "/api/v1/users/me", NULL), 401);
	assert_int_equal(api_status(early, "GET", "/api/v1/cases", NULL), 401);
	assert_int_equal(api_status(w.cookie, "GET", "/cases", NULL), 303);
	assert_int_equal(api_status(other.cookie, "GET", "/profile", NULL), 303);
	/* From now on the password alone is not enough. */
	api_login(email, DEMO_PASSWORD, NULL, token, sizeof(token));
	assert_false(token[0]);
	/* The code used at enrolment cannot be replayed; the next one works, with full rights. */
	api_login(email, DEMO_PASSWORD, code, token, sizeof(token));
	assert_false(token[0]);
	totp_code(secret, now + 30, code);
	api_login(email, DEMO_PASSWORD, code, token, sizeof(token));
	assert_true(token[0]);
	char later[128];
	snprintf(later, sizeof(later), "Authorization: Bearer %s", token);
	assert_int_equal(api_status(later, "GET", "/api/v1/cases", NULL), 200);
	/* A recovery code works once. */
	throttle_reset_all();
	api_login(email, DEMO_PASSWORD, recovery, token, sizeof(token));
	assert_true(token[0]);
	api_login(email, DEMO_PASSWORD, recovery, token, sizeof(token));
	assert_false(token[0]);
	/* The trail has the two wrong passwords and the enrolment. */
	struct outcomes after = { 0 };
	enrolments(uid, &after);
	assert_int_equal(after.failure - before.failure, 2);
	assert_int_equal(after.success - before.success, 1);
	throttle_reset_all();
}

static int count_events(const audit_event *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void administrators_manage_organisations_users_and_roles(void **state)
{
	(void)state;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session admin, amina;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &admin), 303);
	struct ht_resp r;
	assert_int_equal(form_post(&admin, "/admin/organisations",
				   "code=NE-ANLTP&name=Agence+nationale+%28demo%29&country=NE&type="
				   "CentralGovernmentOrganisation&focal_point=1",
				   &r),
			 303);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/organisations",
				   "code=NE-ANLTP&name=Again&country=NE&type=NGO", &r),
			 422);
	assert_non_null(strstr(r.body, "already exists"));
	ht_free(&r);
	assert_int_equal(
	    form_post(&admin, "/admin/users",
		      "email=amina%40demo.ne&name=Amina+%28demo%29&organisation=NE-ANLTP&role=case_"
		      "worker&language=fr&password=Niger-river-bridge-77",
		      &r),
	    303);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/users",
				   "email=amina%40demo.ne&name=Twice&organisation=NE-ANLTP&role="
				   "case_worker&password=Niger-river-bridge-77",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "already uses this e-mail"));
	ht_free(&r);
	/* The new user signs in; a role change ends that session so the new rights apply. */
	assert_int_equal(web_login("amina%40demo.ne", "Niger-river-bridge-77", NULL, &amina), 303);
	int64_t id;
	keyed_store env = { S.db, S.keys };
	assert_int_equal(user_find_by_email(&env, "amina@demo.ne", &id), 0);
	char path[64];
	snprintf(path, sizeof(path), "/admin/users/%lld", (long long)id);
	assert_int_equal(
	    form_post(&admin, path, "do=roles&role=supervisor&role=national_focal_point", &r), 303);
	ht_free(&r);
	const char *ha[] = { amina.cookie, NULL };
	ht_get(S.port, "/profile", ha, &r);
	assert_int_equal(r.status, 303); /* signed out */
	ht_free(&r);
	assert_int_equal(form_post(&admin, path, "do=roles", &r), 422); /* no role */
	ht_free(&r);
	assert_int_equal(form_post(&admin, path, "do=status&status=locked&confirm=1", &r), 303);
	ht_free(&r);
	assert_int_equal(web_login("amina%40demo.ne", "Niger-river-bridge-77", NULL, &amina), 401);
	/* A grant takes effect; removing it takes it away. */
	char token[64], auth[128];
	api_login("regional@demo.ponte.example", DEMO_PASSWORD, NULL, token, sizeof(token));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *hr[] = { auth, NULL };
	ht_get(S.port, "/api/v1/users/3", hr, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/roles",
				   "role=regional_analyst&permission=user.read&scope=all", &r),
			 303);
	ht_free(&r);
	ht_get(S.port, "/api/v1/users/3", hr, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/roles",
				   "role=regional_analyst&permission=user.read&scope=none", &r),
			 303);
	ht_free(&r);
	ht_get(S.port, "/api/v1/users/3", hr, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/roles",
				   "role=regional_analyst&permission=launch.missiles&scope=all",
				   &r),
			 422);
	ht_free(&r);
	set_setting("require_2fa_for_flagged_roles", "1");
}

static void lists_show_only_the_callers_scope(void **state)
{
	(void)state;
	struct web_session sup;
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &sup),
			 303);
	const char *h[] = { sup.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/admin/users", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "case.worker@demo.ponte.example"));
	assert_null(strstr(r.body, "police@demo.ponte.example")); /* another organisation */
	assert_null(strstr(r.body, "id=\"user-add-title\""));     /* no user.manage: no form */
	ht_free(&r);
	ht_get(S.port, "/admin/users/5", h, &r); /* the police investigator */
	assert_int_equal(r.status, 404);
	ht_free(&r);
}

static void auditors_filter_and_export_the_trail(void **state)
{
	(void)state;
	/* An audit field that looks like a spreadsheet formula must not become one. */
	audit_event e = { .action = "=HYPERLINK(\"http://evil\")",
			  .outcome = "denied",
			  .client = "-1+1" };
	assert_int_equal(audit_append(S.db, &e), 0);
	struct web_session aud;
	assert_int_equal(web_login("auditor%40demo.ponte.example", DEMO_PASSWORD, NULL, &aud), 303);
	const char *h[] = { aud.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/audit?action=login&user=9", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<code>login</code>"));
	assert_null(strstr(r.body, "<code>user.create</code>"));
	ht_free(&r);
	ht_get(S.port, "/audit/export.csv", h, &r);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_non_null(strstr(ht_header(&r, "Content-Type", v, sizeof(v)), "text/csv"));
	assert_non_null(strstr(ht_header(&r, "Content-Disposition", v, sizeof(v)), "attachment"));
	/* For a spreadsheet program: a byte order mark, then the header. */
	assert_true(strncmp(r.body,
			    "\xEF\xBB\xBF"
			    "id,time,user_id,organisation_id,action,object_type,object_id,outcome,"
			    "client\r\n",
			    78) == 0);
	assert_non_null(strstr(r.body, "\"'=HYPERLINK(\"\"http://evil\"\")\""));
	assert_non_null(strstr(r.body, "\"'-1+1\""));
	assert_null(strstr(r.body, ",=HYPERLINK"));
	ht_free(&r);
	/* Reading and exporting are themselves in the trail, and it still verifies. */
	audit_verify_result vr;
	assert_int_equal(audit_verify(S.db, &vr), 0);
	arena a;
	arena_init(&a, 1 << 20);
	int found = 0;
	audit_filter f = { .action = "audit.export" };
	assert_int_equal(audit_query(S.db, &a, &f, count_events, &found), 0);
	assert_true(found >= 1);
	arena_release(&a);
	/* Others may not read the trail. */
	struct web_session cw;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &cw),
			 303);
	const char *hc[] = { cw.cookie, NULL };
	ht_get(S.port, "/audit/export.csv", hc, &r);
	assert_int_equal(r.status, 403);
	ht_free(&r);
}

#define XSS "\"><script>alert(1)</script><img src=x onerror=alert(2)>' OR '1'='1"
#define XSS_FORM                                                                                   \
	"%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%3Cimg+src%3Dx+onerror%3Dalert(2)%3E%27+OR+%"    \
	"271%27%3D%271"

/* The raw payload must never come back as markup; its escaped form must. */
static void assert_escaped(const char *body)
{
	assert_null(strstr(body, "<script>alert(1)"));
	assert_null(strstr(body, "<img src=x"));
	assert_non_null(strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}

static void payloads_in_every_form_field_are_shown_escaped(void **state)
{
	(void)state;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct ht_resp r;
	/* The login form echoes the e-mail address it was given. */
	const char *login =
	    "email=" XSS_FORM "&password=" XSS_FORM "&code=" XSS_FORM "&next=" XSS_FORM;
	ht_request(S.port, "POST", "/login", login, (long)strlen(login), NULL, &r);
	assert_int_equal(r.status, 401);
	assert_escaped(r.body);
	ht_free(&r);
	/* ?next= with a payload stays a local path in a hidden field. */
	ht_get(S.port, "/login?next=" XSS_FORM, NULL, &r);
	assert_null(strstr(r.body, "<script>alert(1)"));
	ht_free(&r);
	struct web_session admin;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &admin), 303);
	/* Organisation name (the code is validated: letters, digits, - _ . only). */
	assert_int_equal(form_post(&admin, "/admin/organisations",
				   "code=XSS-ORG&name=" XSS_FORM "&country=PT&type=NGO", &r),
			 303);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/organisations",
				   "code=" XSS_FORM "&name=x&country=PT&type=NGO", &r),
			 422);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/organisations",
				   "code=X2&name=x&country=" XSS_FORM "&type=" XSS_FORM, &r),
			 422);
	ht_free(&r);
	const char *ha[] = { admin.cookie, NULL };
	ht_get(S.port, "/admin/organisations", ha, &r);
	assert_escaped(r.body);
	ht_free(&r);
	/* User name, and the form re-shown with a refused e-mail address and phone. */
	assert_int_equal(
	    form_post(&admin, "/admin/users",
		      "email=xss2%40demo.ponte.example&name=" XSS_FORM
		      "&organisation=XSS-ORG&role=case_worker&password=Correct-horse-battery-9",
		      &r),
	    303);
	ht_free(&r);
	assert_int_equal(
	    form_post(&admin, "/admin/users",
		      "email=" XSS_FORM "&name=" XSS_FORM
		      "&organisation=XSS-ORG&role=case_worker&password=Correct-horse-battery-9",
		      &r),
	    422);
	assert_escaped(r.body);
	ht_free(&r);
	assert_int_equal(
	    form_post(&admin, "/admin/users",
		      "email=xss3%40demo.ponte.example&name=x&phone=" XSS_FORM
		      "&organisation=XSS-ORG&role=case_worker&password=Correct-horse-battery-9",
		      &r),
	    422);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/users",
				   "email=xss4%40demo.ponte.example&name=x&organisation=" XSS_FORM
				   "&role=" XSS_FORM "&password=" XSS_FORM,
				   &r),
			 422);
	ht_free(&r);
	ht_get(S.port, "/admin/users", ha, &r);
	assert_escaped(r.body);
	ht_free(&r);
	/* Role form and profile forms with payloads are refused, not stored. */
	assert_int_equal(form_post(&admin, "/admin/roles",
				   "role=" XSS_FORM "&permission=" XSS_FORM "&scope=" XSS_FORM, &r),
			 422);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/profile/language", "language=" XSS_FORM, &r), 400);
	ht_free(&r);
	assert_int_equal(
	    form_post(&admin, "/profile",
		      "do=password&current=" XSS_FORM "&new=" XSS_FORM "&confirm=" XSS_FORM, &r),
	    422);
	ht_free(&r);
	/* The auditor's filters are reflected into the form (a "since" that is no day refused
	 * as such, what was typed shown back). */
	struct web_session aud;
	assert_int_equal(web_login("auditor%40demo.ponte.example", DEMO_PASSWORD, NULL, &aud), 303);
	const char *hd[] = { aud.cookie, NULL };
	ht_get(S.port, "/audit?action=" XSS_FORM "&object_type=" XSS_FORM "&since=" XSS_FORM, hd,
	       &r);
	assert_int_equal(r.status, 422);
	assert_null(strstr(r.body, "<script>alert(1)"));
	assert_non_null(strstr(r.body, "&quot;&gt;&lt;script&gt;"));
	ht_free(&r);
	set_setting("require_2fa_for_flagged_roles", "1");
}

/* A phishing link to our login page with next=/<tab>/evil.example must not send the person
 * who signs in to evil.example (a browser drops the tab and reads //evil.example). */
static void sign_in_never_sends_the_browser_to_another_site(void **state)
{
	(void)state;
	throttle_reset_all();
	static const char *const hostile[] = {
		"/%09/evil.example",       "%2F%09%2Fevil.example", "/%0A/evil.example",
		"//evil.example",          "/%5Cevil.example",      "/%5C%5Cevil.example",
		"/%252F%252Fevil.example", "https://evil.example",  "%20//evil.example",
	};
	char body[512], v[256];
	struct ht_resp r;
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
		/* The link itself: the form carries a harmless value on. */
		snprintf(body, sizeof(body), "/login?next=%s", hostile[i]);
		ht_get(S.port, body, NULL, &r);
		assert_int_equal(r.status, 200);
		if (!strstr(r.body, "name=\"next\" value=\"/\""))
			fail_msg("login form kept next=%s", hostile[i]);
		ht_free(&r);
		/* Signing in, even with the value posted straight back. */
		snprintf(body, sizeof(body),
			 "email=supervisor%%40demo.ponte.example&password=%s&next=%s",
			 DEMO_PASSWORD, hostile[i]);
		ht_request(S.port, "POST", "/login", body, (long)strlen(body), form, &r);
		assert_int_equal(r.status, 303);
		/* To the supervisor's start page, never where the link said. */
		if (strcmp(ht_header(&r, "Location", v, sizeof(v)), "/work") != 0)
			fail_msg("after sign-in with next=%s, sent to \"%s\"", hostile[i], v);
		ht_free(&r);
	}
	/* A path on this site is kept, so the login still returns where the user was going. */
	snprintf(body, sizeof(body),
		 "email=supervisor%%40demo.ponte.example&password=%s&next=%%2Fcases%%3Fpage%%3D2",
		 DEMO_PASSWORD);
	ht_request(S.port, "POST", "/login", body, (long)strlen(body), form, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(ht_header(&r, "Location", v, sizeof(v)), "/cases?page=2");
	ht_free(&r);
	/* The language switch of a signed-in user goes back with the same check. */
	struct web_session w;
	assert_int_equal(web_login("supervisor%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
		snprintf(body, sizeof(body), "language=en&next=%s", hostile[i]);
		assert_int_equal(form_post(&w, "/profile/language", body, &r), 303);
		if (strcmp(ht_header(&r, "Location", v, sizeof(v)), "/profile") != 0)
			fail_msg("language switch with next=%s sent to \"%s\"", hostile[i], v);
		ht_free(&r);
	}
	assert_int_equal(form_post(&w, "/profile/language", "language=en&next=/work", &r), 303);
	assert_string_equal(ht_header(&r, "Location", v, sizeof(v)), "/work");
	ht_free(&r);
}

static void html_lang(const struct web_session *w, const char *path, char out[3])
{
	const char *h[] = { w->cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, path, h, &r);
	assert_int_equal(r.status, 200);
	const char *l = strstr(r.body, "<html lang=\"");
	assert_non_null(l);
	snprintf(out, 3, "%.2s", l + 12);
	ht_free(&r);
}

/* A signed-in user's ?lang= is an explicit choice for that page and wins over their saved
 * language; the header's switch saves the choice, so the next pages follow it. */
static void signed_in_users_switch_language(void **state)
{
	(void)state;
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	char lang[3];
	html_lang(&w, "/work", lang);
	assert_string_equal(lang, "pt"); /* the demo case worker's own language */
	html_lang(&w, "/work?lang=fr", lang);
	assert_string_equal(lang, "fr");
	html_lang(&w, "/profile?lang=en", lang);
	assert_string_equal(lang, "en");
	/* Following a link changes nothing stored: the saved language still applies. */
	html_lang(&w, "/work", lang);
	assert_string_equal(lang, "pt");
	/* The switch in the header (a form on every page) saves it and returns to the page. */
	struct ht_resp r;
	char v[64];
	assert_int_equal(form_post(&w, "/profile/language", "language=fr&next=%2Fwork", &r), 303);
	assert_string_equal(ht_header(&r, "Location", v, sizeof(v)), "/work");
	ht_free(&r);
	html_lang(&w, "/work", lang);
	assert_string_equal(lang, "fr");
	html_lang(&w, "/work?lang=pt", lang);
	assert_string_equal(lang, "pt");
	/* Spanish is saved like the others (the database once accepted en, fr and pt only). */
	assert_int_equal(form_post(&w, "/profile/language", "language=es", &r), 303);
	ht_free(&r);
	html_lang(&w, "/work", lang);
	assert_string_equal(lang, "es");
	assert_int_equal(form_post(&w, "/profile/language", "language=pt", &r), 303);
	ht_free(&r);
	/* Signing in at /login?lang=fr sets both cookies: the session is not lost to the
	 * language. */
	char body[160];
	snprintf(body, sizeof(body), "email=case.worker%%40demo.ponte.example&password=%s",
		 DEMO_PASSWORD);
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	ht_request(S.port, "POST", "/login?lang=fr", body, (long)strlen(body), form, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.headers, "Set-Cookie: ponte_session="));
	assert_non_null(strstr(r.headers, "Set-Cookie: ponte_lang=fr"));
	ht_free(&r);
}

static void trail_outcomes(const char *action, struct outcomes *o)
{
	arena a;
	arena_init(&a, 16 << 20);
	audit_filter f = { .action = action, .limit = 1000000 };
	assert_int_equal(audit_query(S.db, &a, &f, count_outcomes, o), 0);
	arena_release(&a);
}

#define PARALLEL_LOGINS 40

/* Send n copies of one login at the same moment, each on its own connection; count the
 * answers by status. */
static void parallel_logins(const char *path, const char *body, const char *content_type, int n,
			    int *n401, int *n429, int *other)
{
	CURLM *m = curl_multi_init();
	CURL *easy[PARALLEL_LOGINS];
	struct ht_resp resp[PARALLEL_LOGINS];
	struct curl_slist *hl = curl_slist_append(NULL, content_type);
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", S.port, path);
	assert_true(n <= PARALLEL_LOGINS);
	for (int i = 0; i < n; i++) {
		memset(&resp[i], 0, sizeof(resp[i]));
		easy[i] = curl_easy_init();
		curl_easy_setopt(easy[i], CURLOPT_URL, url);
		curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, ht_body_cb);
		curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &resp[i]);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(easy[i], CURLOPT_FORBID_REUSE, 1L);
		curl_multi_add_handle(m, easy[i]);
	}
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	int running = 1;
	while (running) {
		assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	*n401 = *n429 = *other = 0;
	for (int i = 0; i < n; i++) {
		long status = 0;
		curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
		if (status == 401)
			(*n401)++;
		else if (status == 429)
			(*n429)++;
		else
			(*other)++;
		curl_multi_remove_handle(m, easy[i]);
		curl_easy_cleanup(easy[i]);
		free(resp[i].body);
	}
	curl_slist_free_all(hl);
	curl_multi_cleanup(m);
}

/* Forty wrong passwords for one account sent at once: no more than the free allowance of
 * five may reach a password check, the rest wait (429), and the trail shows the same. */
static void parallel_guesses_get_no_more_checks_than_the_limit(void **state)
{
	(void)state;
	struct {
		const char *path, *body, *type, *email, *action;
	} runs[] = {
		{ "/api/v1/auth/login",
		  "{\"email\":\"prosecutor@demo.ponte.example\",\"password\":\"Guess-number-"
		  "0002\"}",
		  "Content-Type: application/json", "prosecutor@demo.ponte.example", "login.api" },
		{ "/login", "email=police%40demo.ponte.example&password=Guess-number-0003",
		  "Content-Type: application/x-www-form-urlencoded", "police@demo.ponte.example",
		  "login" },
	};
	for (size_t k = 0; k < ARRAY_LEN(runs); k++) {
		throttle_reset_all();
		keyed_store env = { S.db, S.keys };
		int64_t uid;
		assert_int_equal(user_find_by_email(&env, runs[k].email, &uid), 0);
		struct outcomes before = { 0 }, after = { 0 };
		trail_outcomes(runs[k].action, &before);
		int n401, n429, other;
		parallel_logins(runs[k].path, runs[k].body, runs[k].type, PARALLEL_LOGINS, &n401,
				&n429, &other);
		if (n401 > THROTTLE_ACCOUNT_FREE || n401 + n429 != PARALLEL_LOGINS)
			fail_msg("%s: %d x 401, %d x 429, %d other (at most %d password checks)",
				 runs[k].path, n401, n429, other, THROTTLE_ACCOUNT_FREE);
		/* What the trail says the server did: as many checks as 401s, the rest refused. */
		trail_outcomes(runs[k].action, &after);
		assert_int_equal(after.failure - before.failure, n401);
		assert_int_equal(after.denied - before.denied, n429);
		assert_int_equal(after.success - before.success, 0);
	}
	throttle_reset_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_against_every_role),
		cmocka_unit_test(csrf_is_required_for_cookie_sessions_only),
		cmocka_unit_test(login_rotates_the_session),
		cmocka_unit_test(wrong_unknown_and_locked_accounts_look_the_same),
		cmocka_unit_test(users_outside_the_scope_do_not_exist),
		cmocka_unit_test(bad_input_is_refused_and_payloads_stay_data),
		cmocka_unit_test(personal_data_is_not_on_disk_in_clear),
		cmocka_unit_test(focal_points_must_enrol_in_two_factor_authentication),
		cmocka_unit_test(administrators_manage_organisations_users_and_roles),
		cmocka_unit_test(administrators_reset_a_lost_second_factor),
		cmocka_unit_test(lists_show_only_the_callers_scope),
		cmocka_unit_test(auditors_filter_and_export_the_trail),
		cmocka_unit_test(payloads_in_every_form_field_are_shown_escaped),
		cmocka_unit_test(brute_force_is_slowed_down),
		cmocka_unit_test(parallel_guesses_get_no_more_checks_than_the_limit),
		cmocka_unit_test(sign_in_never_sends_the_browser_to_another_site),
		cmocka_unit_test(signed_in_users_switch_language),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
