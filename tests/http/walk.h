/*
 * walk.h: walk the pages of the server under test as a reader does, from the home page,
 * following every link (test_http_pages.c: every link answers 200; test_http_words.c: no
 * page shows a code where a word belongs). Include after httptest.h, with ht_current set.
 */
#ifndef PONTE_WALK_H
#define PONTE_WALK_H

/* The demonstration accounts of demo_fill(), one per default role, and the administrator
 * the suites add (DEMO_ADMIN_EMAIL in the organisation ADMIN). */
static const char *const WALK_ROLES[][2] __attribute__((unused)) = {
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
	{ "shelter supervisor", "shelter@demo.ponte.example" },
};

#define MAX_URLS 600
#ifndef PER_SHAPE
#define PER_SHAPE 3 /* pages of the same form (/cases/N/...) opened per role */
#endif

struct walk {
	char *url[MAX_URLS], *from[MAX_URLS];
	size_t n;
};

/* Downloads, files and other languages of the same page: not pages to walk. */
static inline bool worth_opening(const char *u)
{
	static const char *skip[] = { "/static/", "lang=",         ".csv",       ".xlsx",
				      ".svg",     "/attachments/", "/releases/", "/export" };
	for (size_t i = 0; i < ARRAY_LEN(skip); i++)
		if (strstr(u, skip[i]))
			return false;
	return u[0] == '/' && u[1] != '/';
}

/* /cases/12/file/needs?tab=x → /cases/N/file/needs: pages of one form. */
static inline void shape_of(const char *u, char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = u; *p && *p != '?' && *p != '#' && o + 2 < n; p++) {
		if (*p >= '0' && *p <= '9') {
			out[o++] = 'N';
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static inline void add_url(struct walk *w, const char *u, size_t len, const char *from)
{
	char url[512];
	size_t o = 0;
	/* Attribute values come escaped: &amp; is &. */
	for (size_t i = 0; i < len && o + 1 < sizeof(url); i++) {
		if (u[i] == '#')
			break;
		if (strncmp(u + i, "&amp;", 5) == 0 && i + 5 <= len) {
			url[o++] = '&';
			i += 4;
		} else {
			url[o++] = u[i];
		}
	}
	url[o] = '\0';
	if (!worth_opening(url))
		return;
	char shape[512], other[512];
	shape_of(url, shape, sizeof(shape));
	size_t same = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (strcmp(w->url[i], url) == 0)
			return;
		shape_of(w->url[i], other, sizeof(other));
		same += strcmp(shape, other) == 0;
	}
	if (same >= PER_SHAPE || w->n == MAX_URLS)
		return;
	w->url[w->n] = strdup(url);
	w->from[w->n] = strdup(from);
	w->n++;
}

/* What a walk checks on each HTML page it opens: the number of problems it found. */
typedef size_t (*walk_check)(const char *who, const char *url, const char *html, void *ctx);

/* Every page reachable from / answers 200 to this reader: no link leads to a refusal. With
 * lang, every page is opened in that language (?lang=, which wins over the reader's saved
 * language); with check, every HTML page is checked. The number of links refused and of
 * problems found. */
static inline size_t walk_as(const char *who, const char *email, const char *lang, walk_check check,
			     void *ctx)
{
	char auth[128];
	bearer(email, auth, sizeof(auth));
	const char *h[] = { auth, NULL };
	struct walk w = { .n = 0 };
	add_url(&w, "/", 1, "(start)");
	size_t refused = 0;
	for (size_t i = 0; i < w.n; i++) {
		struct ht_resp r;
		char url[600];
		snprintf(url, sizeof(url), "%s%s%s", w.url[i],
			 !lang                   ? ""
			 : strchr(w.url[i], '?') ? "&lang="
						 : "?lang=",
			 lang ? lang : "");
		ht_get(ht_current->port, url, h, &r);
		if (r.status != 200) {
			print_message("%s: %s links to %s, which answers %ld\n", who, w.from[i],
				      w.url[i], r.status);
			refused++;
		}
		const char *ct = strstr(r.headers, "text/html");
		if (ct && check && r.body)
			refused += check(who, url, r.body, ctx);
		for (const char *p = ct ? strstr(r.body, "href=\"") : NULL; p;
		     p = strstr(p + 1, "href=\"")) {
			const char *v = p + 6, *end = strchr(v, '"');
			if (end)
				add_url(&w, v, (size_t)(end - v), w.url[i]);
		}
		ht_free(&r);
	}
	for (size_t i = 0; i < w.n; i++) {
		free(w.url[i]);
		free(w.from[i]);
	}
	assert_true(w.n > 3);
	print_message("%s%s%s: %zu pages\n", who, lang ? " in " : "", lang ? lang : "", w.n);
	return refused;
}

#endif
