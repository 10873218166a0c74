/* The administration pages as the administrator opens them: every GET page under /admin of the
 * route table, each checked against what the store holds. Run by the AddressSanitizer build
 * too, where reading a dead stack frame or freed memory while rendering aborts the test. */
#include "httptest.h"

#include "base/log.h"
#include "base/utf8.h"

/* Under AddressSanitizer, a value read from a stack frame that has returned is reported (the
 * roles page once rendered the grants of a loop's local array after the loop had ended). */
const char *__asan_default_options(void)
{
	return "detect_stack_use_after_return=1";
}

static struct ht_server S;
static struct web_session admin;
static char case_worker_id[24];

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	ht_start(&S);
	ht_current = &S;
	identity_env env = { S.db, S.keys };
	assert_int_equal(demo_fill(&env), 0);
	organisation org = { 0, "ADMIN", "Administration", "PT", "CentralGovernmentOrganisation",
			     0, false };
	assert_int_equal(org_add(S.db, &org, NULL), 0);
	user_input in = { .email = DEMO_ADMIN_EMAIL,
			  .name = "Administrator",
			  .organisation_code = "ADMIN",
			  .roles = { "administrator" },
			  .nroles = 1,
			  .password = DEMO_PASSWORD,
			  .language = "en" };
	int problem;
	assert_int_equal(user_add(&env, &in, NULL, &problem), 0);
	int64_t id;
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &id), 0);
	snprintf(case_worker_id, sizeof(case_worker_id), "%lld", (long long)id);
	set_setting("require_2fa_for_flagged_roles", "0"); /* 2FA has its own tests */
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &admin), 303);
	return 0;
}

/* The text between the first `from` at or after p and the next `to`, copied into out. */
static const char *between(const char *p, const char *from, const char *to, char *out, size_t n)
{
	const char *a = p ? strstr(p, from) : NULL;
	const char *b = a ? strstr(a + strlen(from), to) : NULL;
	if (!b)
		return NULL;
	a += strlen(from);
	snprintf(out, n, "%.*s", (int)(b - a), a);
	return b + strlen(to);
}

struct roles_check {
	const char *page;
	int roles;
};

/* Each role's table on the page lists exactly the role's grants, in order, with their scope. */
static int check_role(const role *r, const grant *g, size_t n, void *ctx)
{
	struct roles_check *k = ctx;
	char heading[128], tbody[8192];
	snprintf(heading, sizeof(heading), "<code>%s</code>", r->code);
	const char *at = strstr(k->page, heading);
	if (!at)
		fail_msg("role %s is not on the page", r->code);
	if (!between(at, "<tbody>", "</tbody>", tbody, sizeof(tbody)))
		fail_msg("role %s has no table", r->code);
	char expected[8192] = "";
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(expected + len, sizeof(expected) - len,
					"<tr><td><code>%s</code></td><td>%s</td></tr>",
					g[i].permission, scope_name(g[i].scope));
	if (strcmp(tbody, expected) != 0)
		fail_msg("role %s shows\n%s\ninstead of\n%s", r->code, tbody, expected);
	k->roles++;
	return 0;
}

/* The page is whole, valid UTF-8 text: nothing read from memory that was not a value. */
static void assert_clean_page(const char *path, const struct ht_resp *r)
{
	if (r->status != 200)
		fail_msg("GET %s: %ld", path, r->status);
	if (!utf8_valid(r->body, r->len) || strlen(r->body) != r->len)
		fail_msg("GET %s: the page is not valid UTF-8 text", path);
	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->body[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			fail_msg("GET %s: control character %#x at %zu", path, c, i);
	}
	if (!strstr(r->body, "</html>"))
		fail_msg("GET %s: the page is cut short", path);
}

static void check_page(const char *path, const char *body)
{
	identity_env env = { S.db, S.keys };
	arena a;
	arena_init(&a, 1 << 20);
	if (strcmp(path, "/admin/roles") == 0) {
		struct roles_check k = { body, 0 };
		assert_int_equal(role_list(S.db, &a, check_role, &k), 0);
		assert_true(k.roles >= 10);
	} else if (strcmp(path, "/admin/users") == 0) {
		assert_non_null(strstr(body, "case.worker@demo.ponte.example"));
		assert_non_null(strstr(body, "police@demo.ponte.example"));
	} else if (strncmp(path, "/admin/users/", 13) == 0) {
		/* The user's roles ticked, and only those. */
		user u;
		assert_int_equal(user_get(&env, &a, strtoll(path + 13, NULL, 10), &u), 0);
		assert_non_null(strstr(body, u.email));
		size_t checked = 0;
		for (const char *p = strstr(body, " checked"); p; p = strstr(p + 1, " checked"))
			checked++;
		assert_int_equal(checked, u.nroles);
		for (size_t i = 0; i < u.nroles; i++) {
			char box[128];
			snprintf(box, sizeof(box), "value=\"%s\" checked", u.roles[i]);
			assert_non_null(strstr(body, box));
		}
	}
	arena_release(&a);
}

/* Every GET page under /admin that the route table serves, as the administrator opens it. */
static void every_admin_page_shows_what_the_store_holds(void **state)
{
	(void)state;
	const char *h[] = { admin.cookie, NULL };
	size_t pages = 0;
	for (size_t i = 0; i < S.app.http.nroutes; i++) {
		const http_route *rt = &S.app.http.routes[i];
		if (!(rt->methods & HTTP_GET) || strncmp(rt->pattern, "/admin", 6) != 0)
			continue;
		char path[256];
		size_t o = 0;
		for (const char *p = rt->pattern; *p && o + 32 < sizeof(path); p++) {
			if (*p != '{') {
				path[o++] = *p;
				continue;
			}
			/* A new parameter needs a value here: the test then covers its page too. */
			if (strncmp(p, "{id}", 4) != 0 || strncmp(rt->pattern, "/admin/users/", 13))
				fail_msg("%s: give its parameter a value in this test",
					 rt->pattern);
			o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", case_worker_id);
			p += 3;
		}
		path[o] = '\0';
		struct ht_resp r;
		ht_get(S.port, path, h, &r);
		assert_clean_page(path, &r);
		check_page(path, r.body);
		ht_free(&r);
		pages++;
	}
	assert_true(pages >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_admin_page_shows_what_the_store_holds),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
