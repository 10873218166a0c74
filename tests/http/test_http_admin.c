/* The administration pages as the administrator opens them: every GET page under /admin of the
 * route table, each checked against what the store holds. Run by the AddressSanitizer build
 * too, where reading a dead stack frame or freed memory while rendering aborts the test. */
#include "httptest.h"

#include "base/log.h"
#include "base/utf8.h"
#include "crypto/crypto.h"

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
	ht_start_demo(&S);
	keyed_store env = { S.db, S.keys };
	int64_t id;
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &id), 0);
	snprintf(case_worker_id, sizeof(case_worker_id), "%lld", (long long)id);
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
	keyed_store env = { S.db, S.keys };
	arena a;
	arena_init(&a, 1 << 20);
	if (strcmp(path, "/admin/roles") == 0) {
		struct roles_check k = { body, 0 };
		assert_int_equal(role_list(S.db, &a, check_role, &k), 0);
		assert_true(k.roles >= 10);
	} else if (strcmp(path, "/admin/users") == 0 || strcmp(path, "/admin/users/find") == 0) {
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

/* Rows of the users table on a page. */
static int user_rows(const char *body)
{
	const char *t = strstr(body, "id=\"users-list\"");
	int n = 0;
	for (const char *p = t; p && (p = strstr(p, "<tr><td><a href=\"/admin/users/")); p++)
		n++;
	return n;
}

/* An administrator with a few hundred colleagues finds one: the list is paged by name in the
 * reader's order, narrowed by organisation and status through the address (codes only), and
 * searched by a typed part of a name or address sent in a form's body, accents ignored. */
static void users_list_pages_filters_and_finds(void **state)
{
	(void)state;
	keyed_store env = { S.db, S.keys };
	organisation org = { 0, "FIELD", "Equipe de terrain", "PT", "CentralGovernmentOrganisation",
			     0, false };
	assert_int_equal(org_add(S.db, &org, NULL), 0);
	char hash[128];
	assert_int_equal(crypto_password_hash(DEMO_PASSWORD, hash), 0);
	for (int i = 0; i < 70; i++) {
		char email[64], name[64];
		snprintf(email, sizeof(email), "agent%02d@field.example", i);
		snprintf(name, sizeof(name), "Zé Agent %02d", i);
		user_input in = { .email = email,
				  .name = i == 37 ? "Aïssata Traoré" : name,
				  .organisation_code = "FIELD",
				  .roles = { "case_worker" },
				  .nroles = 1,
				  .password = DEMO_PASSWORD,
				  .password_hash = hash,
				  .language = "fr" };
		int problem;
		assert_int_equal(user_add(&env, &in, NULL, &problem), 0);
	}
	const char *h[] = { admin.cookie, NULL };
	struct ht_resp r;
	ht_get(S.port, "/admin/users?organisation=FIELD&lang=en", h, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(user_rows(r.body), 50);
	assert_non_null(strstr(r.body, "Users found: 70"));
	assert_non_null(strstr(r.body, "Page 1 / 2"));
	/* By name in dictionary order: the accented A first, Z last. */
	const char *a = strstr(r.body, "Aïssata Traoré"), *z = strstr(r.body, "Zé Agent 00");
	assert_true(a && z && a < z);
	assert_non_null(strstr(r.body, "data-code=\"FIELD\">Equipe de terrain</td>"));
	assert_non_null(strstr(r.body, "href=\"/admin/users?organisation=FIELD&amp;page=2\""));
	assert_null(strstr(r.body, "@demo.ponte.example")); /* the filter holds */
	ht_free(&r);
	ht_get(S.port, "/admin/users?organisation=FIELD&page=2&lang=en", h, &r);
	assert_int_equal(user_rows(r.body), 20);
	assert_non_null(strstr(r.body, "Zé Agent 69"));
	assert_null(strstr(r.body, "rel=\"next\""));
	ht_free(&r);
	ht_get(S.port, "/admin/users?status=disabled&lang=en", h, &r);
	assert_int_equal(user_rows(r.body), 0);
	assert_non_null(strstr(r.body, "No user matches."));
	ht_free(&r);
	/* An address that cannot be read shows every user, and says so. */
	char all[64], shown[64];
	ht_get(S.port, "/admin/users?lang=en", h, &r);
	assert_non_null(between(r.body, "Users found: ", "<", all, sizeof(all)));
	assert_null(strstr(r.body, "could not be read"));
	ht_free(&r);
	ht_get(S.port, "/admin/users?organisation=NOWHERE&lang=en", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "could not be read"));
	assert_non_null(between(r.body, "Users found: ", "<", shown, sizeof(shown)));
	assert_string_equal(all, shown);
	ht_free(&r);
	/* A part of a name, accents and case ignored; a part of an address. */
	assert_int_equal(form_post(&admin, "/admin/users/find?lang=en", "find=AISSATA", &r), 200);
	assert_int_equal(user_rows(r.body), 1);
	assert_non_null(strstr(r.body, "Aïssata Traoré"));
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/users/find?lang=en", "find=traor%C3%A9", &r),
			 200);
	assert_int_equal(user_rows(r.body), 1);
	ht_free(&r);
	assert_int_equal(form_post(&admin, "/admin/users/find?lang=en", "find=agent4", &r), 200);
	assert_int_equal(user_rows(r.body), 10); /* agent40..agent49 by address */
	assert_null(strstr(r.body, "class=\"pager\""));
	ht_free(&r);
	char longer[400] = "find=";
	memset(longer + 5, 'a', 201);
	assert_int_equal(form_post(&admin, "/admin/users/find?lang=en", longer, &r), 422);
	assert_non_null(strstr(r.body, "at most 200 characters"));
	ht_free(&r);
	/* Without the form's token nothing is searched. */
	const char *hh[] = { admin.cookie, "Content-Type: application/x-www-form-urlencoded",
			     NULL };
	assert_int_equal(ht_request(S.port, "POST", "/admin/users/find", "find=agent", 10, hh, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	/* A new user may be given any of the instance's languages. */
	ht_get(S.port, "/admin/users?lang=en", h, &r);
	assert_non_null(strstr(r.body, "<option value=\"ar\" lang=\"ar\" dir=\"rtl\""));
	assert_non_null(strstr(r.body, "<option value=\"es\""));
	ht_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_admin_page_shows_what_the_store_holds),
		cmocka_unit_test(users_list_pages_filters_and_finds),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
