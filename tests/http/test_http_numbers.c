/* Numbers as a person reads them (issue #18): walking every page as every role over a
 * demonstration large enough for four-digit counts (a case worker with more than a thousand
 * cases (the list counts to 1,000), the observatory's 5,000 records, an audit trail of thousands of events), in English
 * and in French, no page shows a count or a figure of 1,000 or more ungrouped ("1664" where
 * "1,664" or "1 664" belongs). Identifiers are not counts: a case's or an event's number is
 * written as it is stored, and the walk knows one as a number that the page's links (or its
 * own address) are made of, or that stands in an element of class "ref" (an audit event's
 * number, its object's). Years (1900 to 2100) and numbers with a leading zero (references
 * such as "0042") are not counts either. In French, the walk also finds : ; ! and ? written without the narrow
 * no-break space before them. */
#include "httptest.h"
#include "walk.h"

#include <ctype.h>

#include "base/log.h"
#include "cases/cases.h"

static struct ht_server S;

static int setup(void **state)
{
	(void)state;
	ht_start_demo(&S);
	keyed_store env = { S.db, S.keys };
	demo_options o = {
		.cases = 60, .seed = 1, .password = DEMO_PASSWORD, .files_dir = S.app.svc.files_dir
	};
	char err[256];
	if (demo_generate(&env, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(role_grant(S.db, "regional_analyst", "stats.read", SCOPE_ALL), 0);
	/* A case worker with more than a thousand cases: the list's total and its pages. */
	int64_t uid, id;
	principal p;
	assert_int_equal(user_find_by_email(&env, "case.worker@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(S.db, uid, &p), 0);
	for (int i = 0; i < 1010; i++) {
		case_input in = { .first_name = "Awa",
				  .second_name = "Count",
				  .gender = "Feminine" };
		field_errors e;
		assert_int_equal(case_create(&env, &p, &in, &id, &e), 0);
	}
	return 0;
}

/* The digit runs of the page's addresses (href, action, src) and of its own: identifiers. */
struct ids {
	char *run[4096];
	size_t n;
};

static void add_runs(struct ids *ids, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || (i && isdigit((unsigned char)s[i - 1])))
			continue;
		size_t j = i;
		while (j < len && isdigit((unsigned char)s[j]))
			j++;
		if (j - i >= 4 && ids->n < ARRAY_LEN(ids->run))
			ids->run[ids->n++] = strndup(s + i, j - i);
	}
}

static void collect_ids(struct ids *ids, const char *url, const char *html)
{
	add_runs(ids, url, strlen(url));
	static const char *const ATTRS[] = { "href=\"", "action=\"", "src=\"", "value=\"" };
	for (size_t a = 0; a < ARRAY_LEN(ATTRS); a++)
		for (const char *p = strstr(html, ATTRS[a]); p; p = strstr(p + 1, ATTRS[a])) {
			const char *v = p + strlen(ATTRS[a]), *end = strchr(v, '"');
			if (end)
				add_runs(ids, v, (size_t)(end - v));
		}
}

static bool is_id(const struct ids *ids, const char *run, size_t len)
{
	for (size_t i = 0; i < ids->n; i++)
		if (strlen(ids->run[i]) == len && !strncmp(ids->run[i], run, len))
			return true;
	return false;
}

/* Where the page's text shows a number of 1,000 or more without grouping (Spanish: 10,000 or
 * more, CLDR's minimumGroupingDigits 2), or NULL. */
static const char *ungrouped(const char *html, const struct ids *ids, size_t min_digits)
{
	bool tag = false, ref = false;
	const char *tag_start = NULL;
	for (const char *p = html; *p; p++) {
		if (*p == '<') {
			tag = true;
			tag_start = p;
			/* What a program reads, not a person: scripts and styles. */
			if (!strncasecmp(p, "<script", 7) || !strncasecmp(p, "<style", 6)) {
				const char *end = strstr(
				    p, !strncasecmp(p, "<script", 7) ? "</script>" : "</style>");
				if (!end)
					return NULL;
				p = end;
			}
			continue;
		}
		if (*p == '>' && tag) {
			tag = false;
			/* <td class="ref">1234</td>: an identifier standing alone. */
			size_t n = (size_t)(p - tag_start);
			char t[256];
			snprintf(t, sizeof(t), "%.*s", (int)(n < sizeof(t) ? n : sizeof(t) - 1),
				 tag_start);
			ref = strstr(t, "class=\"ref\"") != NULL;
			continue;
		}
		if (tag || ref || !isdigit((unsigned char)*p))
			continue;
		if (p > html && (isalnum((unsigned char)p[-1]) || strchr(".,:/-#_", p[-1])))
			goto skip;
		size_t len = 0;
		while (isdigit((unsigned char)p[len]))
			len++;
		if (len >= min_digits && p[0] != '0' && !isalpha((unsigned char)p[len]) &&
		    !strchr("-/:_", p[len])) {
			long long v = strtoll(p, NULL, 10);
			if (!(len == 4 && v >= 1900 && v <= 2100) && !is_id(ids, p, len))
				return p;
		}
	skip:
		while (isdigit((unsigned char)p[1]))
			p++;
	}
	return NULL;
}

/* Where a Spanish page's text groups a number of four digits ("5.208", which Spanish writes
 * 5208), or NULL: a dot between a lone digit group of one to three and three digits, not
 * part of a longer grouped number, a decimal or a date. */
static const char *four_digits_grouped(const char *html)
{
	bool tag = false;
	for (const char *p = html; *p; p++) {
		if (*p == '<' || *p == '>') {
			tag = *p == '<';
			continue;
		}
		if (tag || *p != '.' || p == html || !isdigit((unsigned char)p[-1]))
			continue;
		const char *start = p;
		while (start > html && isdigit((unsigned char)start[-1]))
			start--;
		if (p - start > 1 || (start > html && strchr(".,/:-", start[-1])))
			continue;
		if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]) && !isdigit((unsigned char)p[4]) &&
		    !strchr(".,/:-", p[4]))
			return start;
	}
	return NULL;
}

/* Where a French page's text writes a percentage without the narrow no-break space (U+202F)
 * before % ("12,5%", "12,5 %" with a plain space), or NULL. */
static const char *unspaced_percent(const char *html)
{
	for (const char *p = strchr(html, '%'); p; p = strchr(p + 1, '%')) {
		if (p - html >= 3 && !memcmp(p - 3, "\u202f", 3))
			continue;
		const char *q = p;
		while (q > html && q[-1] == ' ')
			q--;
		if (q > html && isdigit((unsigned char)q[-1]))
			return q - 1;
	}
	return NULL;
}

/* Where a French page's text puts : ; ! or ? after a word without the narrow no-break space
 * (U+202F) French writes there ("Dossiers trouvés: 165", "Dossiers trouvés : 165"), or
 * NULL. Marks not followed by a space, a tag or the end (times, URLs), and code, are not
 * punctuation. */
static const char *unspaced_mark(const char *html)
{
	bool tag = false;
	for (const char *p = html; *p; p++) {
		if (*p == '<') {
			static const char *const SKIP[][2] = { { "<script", "</script>" },
							       { "<style", "</style>" },
							       { "<code", "</code>" },
							       { "<pre", "</pre>" },
							       { "<textarea", "</textarea>" } };
			for (size_t i = 0; i < ARRAY_LEN(SKIP); i++)
				if (!strncasecmp(p, SKIP[i][0], strlen(SKIP[i][0]))) {
					const char *end = strstr(p, SKIP[i][1]);
					if (!end)
						return NULL;
					p = end;
				}
			/* Text in another language keeps its own typography: <h1 lang="en">..</h1>. */
			const char *gt = strchr(p, '>'), *lang = strstr(p, " lang=\"");
			if (gt && lang && lang < gt && strncmp(lang + 7, "fr\"", 3) &&
			    p[1] != '/') {
				char close[32];
				size_t n = strcspn(p + 1, " >");
				snprintf(close, sizeof(close), "</%.*s>", (int)(n < 20 ? n : 20),
					 p + 1);
				const char *end = strstr(gt, close);
				if (end) {
					p = end + strlen(close) - 1;
					continue;
				}
			}
			tag = true;
			continue;
		}
		if (*p == '>') {
			tag = false;
			continue;
		}
		if (tag || !strchr(":;!?", *p) || p == html)
			continue;
		if (p[1] && p[1] != ' ' && p[1] != '<' && p[1] != '\n')
			continue;
		if (*p == ';') { /* the end of "&amp;", "&#39;" */
			const char *amp = p - 1;
			while (amp > html && p - amp < 10 &&
			       (isalnum((unsigned char)*amp) || *amp == '#'))
				amp--;
			if (*amp == '&')
				continue;
		}
		bool nnbsp = p - html >= 3 && !memcmp(p - 3, "\u202f", 3);
		if (!nnbsp && (isalnum((unsigned char)p[-1]) || p[-1] == ' ' || p[-1] == ')' ||
			       (unsigned char)p[-1] >= 0x80))
			return p;
	}
	return NULL;
}

struct findings {
	size_t pages;
	char seen[8192];
};

static size_t check(const char *who, const char *url, const char *html, void *ctx)
{
	struct findings *f = ctx;
	f->pages++;
	struct ids ids = { .n = 0 };
	collect_ids(&ids, url, html);
	bool es = strstr(url, "lang=es") != NULL;
	const char *at = ungrouped(html, &ids, es ? 5 : 4);
	for (size_t i = 0; i < ids.n; i++)
		free(ids.run[i]);
	const char *what = "an ungrouped number";
	if (!at && es) {
		at = four_digits_grouped(html);
		what = "a number of four digits grouped";
	}
	if (!at && strstr(url, "lang=fr")) {
		at = unspaced_mark(html);
		what = "a mark without the narrow no-break space";
		if (!at) {
			at = unspaced_percent(html);
			what = "a percentage without the narrow no-break space";
		}
	}
	if (!at)
		return 0;
	char shape[512];
	shape_of(url, shape, sizeof(shape));
	if (strstr(f->seen, shape))
		return 1;
	size_t used = strlen(f->seen);
	snprintf(f->seen + used, sizeof(f->seen) - used, "%s;", shape);
	const char *from = at - 60 > html ? at - 60 : html;
	print_message("%s: %s shows %s: ...%.*s...\n", who, url, what, (int)(at - from + 20), from);
	return 1;
}

static void every_count_is_grouped(const char *lang)
{
	struct findings f = { 0 };
	size_t problems = 0;
	for (size_t i = 0; i < ARRAY_LEN(WALK_ROLES); i++)
		problems += walk_as(WALK_ROLES[i][0], WALK_ROLES[i][1], lang, check, &f);
	assert_true(f.pages > 100);
	if (problems)
		fail_msg("%zu pages in %s show a number as a database writes it, or (French) a "
			 "mark without its space",
			 problems, lang);
}

static void every_count_is_grouped_in_english(void **state)
{
	(void)state;
	every_count_is_grouped("en");
}

/* And French pages space : ; ! ? as French does. */
static void every_count_is_grouped_in_french(void **state)
{
	(void)state;
	every_count_is_grouped("fr");
}

/* And Spanish pages group from five digits on: 5208, but 15.208. */
static void every_count_is_grouped_in_spanish(void **state)
{
	(void)state;
	every_count_is_grouped("es");
}

/* The figures the walk must meet, so that it cannot pass by seeing none: the case worker's
 * total and the observatory's records, grouped as each language groups them. */
static void the_large_figures_are_there_grouped(void **state)
{
	(void)state;
	char auth[128];
	bearer("case.worker@demo.ponte.example", auth, sizeof(auth));
	const char *h[] = { auth, NULL };
	struct ht_resp r;
	ht_get(S.port, "/cases?lang=fr", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "1\u202f000")); /* "plus de 1 000" */
	ht_free(&r);
	ht_get(S.port, "/cases?lang=en", h, &r);
	assert_non_null(strstr(r.body, "1,000")); /* "more than 1,000" */
	ht_free(&r);
	bearer("analyst@demo.ponte.example", auth, sizeof(auth));
	ht_get(S.port, "/observatory?lang=en", h, &r);
	assert_int_equal(r.status, 200);
	bool four_digits = false;
	for (const char *p = r.body; (p = strchr(p + 1, ',')) && !four_digits;)
		four_digits = isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1]) &&
			      isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
			      !isdigit((unsigned char)p[4]);
	assert_true(four_digits);
	ht_free(&r);
	/* The downloads keep numbers as programs read them. */
	ht_get(S.port, "/observatory/data.csv?chart=exploitation&lang=fr", h, &r);
	assert_int_equal(r.status, 200);
	for (const char *p = r.body; (p = strstr(p, "\u202f")); p += 3)
		if (p > r.body && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[3]))
			fail_msg("the CSV download groups a number: %.20s", p - 5);
	ht_free(&r);
}

/* The observatory's shares as each language writes a percentage: "12.5%", "12,5 %" (French,
 * a narrow no-break space), "12,5 %" (Spanish, a no-break space), "12,5%" (Portuguese),
 * "12.5%" (Arabic); and its four-digit count of records in Spanish, ungrouped. */
static void percentages_follow_the_language(void **state)
{
	(void)state;
	char auth[128];
	bearer("analyst@demo.ponte.example", auth, sizeof(auth));
	const char *h[] = { auth, NULL };
	const struct {
		const char *lang, *before, *mark;
	} shapes[] = {
		{ "en", "", "." }, { "fr", "\u202f", "," }, { "es", "\u00a0", "," },
		{ "pt", "", "," }, { "ar", "", "." },
	};
	for (size_t i = 0; i < ARRAY_LEN(shapes); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/observatory?lang=%s", shapes[i].lang);
		struct ht_resp r;
		ht_get(S.port, path, h, &r);
		assert_int_equal(r.status, 200);
		/* Every share of the page (a digit, a decimal mark, a digit, then whatever space
		 * before %), outside tags: its mark and its space as the language writes them. */
		size_t seen = 0;
		for (const char *p = strchr(r.body, '%'); p; p = strchr(p + 1, '%')) {
			const char *lt = p, *gt = p;
			while (lt > r.body && *lt != '<')
				lt--;
			while (gt > r.body && *gt != '>')
				gt--;
			if (lt > gt)
				continue; /* inside a tag: a style, an address */
			const char *q = p;
			while (q - r.body > 3) {
				if (q[-1] == ' ')
					q--;
				else if (!memcmp(q - 2, "\u00a0", 2))
					q -= 2;
				else if (!memcmp(q - 3, "\u202f", 3))
					q -= 3;
				else
					break;
			}
			if (q - r.body < 3 || !isdigit((unsigned char)q[-1]) ||
			    !strchr(".,", q[-2]) || !isdigit((unsigned char)q[-3]))
				continue;
			if ((size_t)(p - q) != strlen(shapes[i].before) ||
			    memcmp(q, shapes[i].before, (size_t)(p - q)) ||
			    q[-2] != shapes[i].mark[0])
				fail_msg("%s: a percentage written \"%.*s\"", path,
					 (int)(p - q + 5), q - 4);
			seen++;
		}
		if (!seen)
			fail_msg("%s: no percentage seen", path);
		/* The records counted, four digits: Spanish leaves them ungrouped. */
		if (!strcmp(shapes[i].lang, "es") && four_digits_grouped(r.body))
			fail_msg("%s: %.12s", path, four_digits_grouped(r.body));
		ht_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_large_figures_are_there_grouped),
		cmocka_unit_test(every_count_is_grouped_in_english),
		cmocka_unit_test(every_count_is_grouped_in_french),
		cmocka_unit_test(every_count_is_grouped_in_spanish),
		cmocka_unit_test(percentages_follow_the_language),
	};
	return cmocka_run_group_tests(tests, setup, ht_teardown);
}
