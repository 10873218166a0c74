#include "testutil.h"

#include <ctype.h>

#include "base/embedded.h"
#include "i18n/i18n.h"
#include "tpl/escape.h"
#include "tpl/tpl.h"

static arena mem;

static char *render(const char *src, tpl_vars *v)
{
	char err[256] = "";
	tpl *t;
	int rc = tpl_compile(&mem, "test", src, strlen(src), &t, err, sizeof(err));
	if (rc)
		fail_msg("compile failed: %s", err);
	buf out;
	buf_init(&out, 1 << 20);
	assert_int_equal(tpl_render(t, v, LANG_EN, &out), 0);
	char *s = arena_strdup(&mem, out.data ? out.data : "");
	buf_release(&out);
	return s;
}

static int compile_error(const char *src, char *err, size_t errlen)
{
	tpl *t;
	return tpl_compile(&mem, "test", src, strlen(src), &t, err, errlen);
}

static const char *XSS[] = {
	"<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",  "' onmouseover='alert(1)",
	"javascript:alert(1)",       "</textarea><svg/onload=alert(1)>", "\xFF\xFE<b>",
};

static void text_context_escapes_markup(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(XSS); i++) {
		tpl_vars *v = tpl_vars_new(&mem);
		tpl_set(v, "x", XSS[i]);
		char *out = render("<p>{{x}}</p>", v);
		/* The only markup left is the template's own <p> and </p>. */
		size_t tags = 0;
		for (char *p = out; *p; p++)
			tags += *p == '<';
		assert_int_equal(tags, 2);
		assert_null(strchr(out, '"'));
		assert_null(strchr(out, '\''));
	}
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "x", "Tom & \"Jerry\" <b>'s</b>");
	assert_string_equal(render("<p>{{x}}</p>", v),
			    "<p>Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#39;s&lt;/b&gt;</p>");
}

static void attribute_context_escapes_quotes(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "x", "\" onclick=\"alert(1)");
	assert_string_equal(render("<input value=\"{{x}}\">", v),
			    "<input value=\"&quot; onclick=&quot;alert(1)\">");
	assert_string_equal(render("<input value='{{x}}'>", v),
			    "<input value='&quot; onclick=&quot;alert(1)'>");
}

static void url_attributes_refuse_dangerous_schemes(void **state)
{
	(void)state;
	const struct {
		const char *url, *expect;
	} cases[] = {
		{ "javascript:alert(1)", "<a href=\"#invalid-url\">" },
		{ " JaVaScRiPt:alert(1)", "<a href=\"#invalid-url\">" },
		{ "data:text/html,x", "<a href=\"#invalid-url\">" },
		{ "vbscript:x", "<a href=\"#invalid-url\">" },
		{ "https://example.org/a?b=1&c=2",
		  "<a href=\"https://example.org/a?b=1&amp;c=2\">" },
		{ "/cases/1?lang=fr", "<a href=\"/cases/1?lang=fr\">" },
		{ "mailto:focal@example.org", "<a href=\"mailto:focal@example.org\">" },
		{ "/a\"b c", "<a href=\"/a%22b%20c\">" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		tpl_vars *v = tpl_vars_new(&mem);
		tpl_set(v, "u", cases[i].url);
		assert_string_equal(render("<a href=\"{{u}}\">", v), cases[i].expect);
	}
	/* After a literal prefix a value is a URL component: fully percent-encoded. */
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "q", "a&b=c/d \"e\"");
	assert_string_equal(render("<a href=\"/search?q={{q}}\">", v),
			    "<a href=\"/search?q=a%26b%3Dc%2Fd%20%22e%22\">");
	tpl_set(v, "id", "javascript:alert(1)");
	assert_string_equal(render("<a href=\"/cases/{{id}}\">", v),
			    "<a href=\"/cases/javascript%3Aalert%281%29\">");
}

static void script_context_gets_a_js_string(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "x", "</script><script>alert('x')</script>");
	char *out = render("<script type=\"application/json\">{{x}}</script>", v);
	assert_null(strstr(out + 8, "</script><"));
	assert_non_null(strstr(out, "\"\\u003c/script\\u003e"));
}

static void unsafe_contexts_are_compile_errors(void **state)
{
	(void)state;
	const char *bad[] = {
		"<a {{x}}>",                       /* attribute name */
		"<{{x}}>",                         /* tag name */
		"<a href={{x}}>",                  /* unquoted value */
		"<a onclick=\"{{x}}\">",           /* event handler */
		"<p style=\"{{x}}\">",             /* style */
		"<!-- {{x}} -->",                  /* comment */
		"<style>{{x}}</style>",            /* CSS */
		"<p title=\"{{> part}}\">",        /* partial inside an attribute */
		"<p title=\"{{{x}}}\">",           /* raw inside an attribute */
		"{{#if a}}<p title=\"{{/if}}\">",  /* block leaves an open attribute */
		"{{#if a}}<b>{{else}}<i {{/if}}>", /* branches end in different contexts */
		"<p title=\"x",                    /* ends inside an attribute */
		"{{#if a}}x",                      /* unclosed block */
		"{{/if}}",                         /* closer without block */
		"{{#if a}}x{{/each}}",             /* mismatched closer */
		"{{x",                             /* unclosed tag */
		"{{bad name}}",
		"{{t unquoted}}",
		"{{#each xs}}a{{else}}b{{/each}}",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char err[256] = "";
		if (compile_error(bad[i], err, sizeof(err)) != PONTE_EINVAL)
			fail_msg("template compiled but should not: %s", bad[i]);
		assert_non_null(strstr(err, "test:"));
	}
}

static void blocks_loops_and_raw_html(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set_bool(v, "yes", true);
	tpl_set_bool(v, "no", false);
	tpl_set(v, "empty", "");
	tpl_set(v, "outer", "O");
	tpl_list *l = tpl_set_list(v, "items");
	const char *names[] = { "a<", "b", "c" };
	for (int i = 0; i < 3; i++) {
		tpl_vars *item = tpl_list_add(l);
		tpl_set(item, "name", names[i]);
		tpl_set_bool(item, "first", i == 0);
	}
	tpl_set_html(v, "html", "<em>trusted</em>", 16);
	tpl_set(v, "plain", "<em>untrusted</em>");
	assert_string_equal(render("{{#if yes}}Y{{else}}N{{/if}}{{#if "
				   "no}}Y{{else}}N{{/if}}{{#unless empty}}U{{/unless}}",
				   v),
			    "YNU");
	assert_string_equal(render("<ul>{{#each items}}<li{{#if first}} "
				   "class=\"first\"{{/if}}>{{name}}{{../outer}}</li>{{/each}}</ul>",
				   v),
			    "<ul><li class=\"first\">a&lt;O</li><li>bO</li><li>cO</li></ul>");
	assert_string_equal(render("{{{html}}}|{{{plain}}}|{{! a comment }}{{missing}}", v),
			    "<em>trusted</em>|&lt;em&gt;untrusted&lt;/em&gt;|");
	assert_string_equal(render("{{#each nothing}}x{{/each}}{{#if items}}has{{/if}}", v), "has");
}

static void translations_follow_the_language(void **state)
{
	(void)state;
	char err[256];
	const char po[] = "msgid \"Hello\"\nmsgstr \"Bonjour \\\"toi\\\"\"\n";
	assert_int_equal(i18n_load_catalogue(LANG_FR, po, strlen(po), err, sizeof(err)), 0);
	tpl *t;
	const char *src = "<p title=\"{{t \"Hello\"}}\">{{t \"Hello\"}}</p>";
	assert_int_equal(tpl_compile(&mem, "t", src, strlen(src), &t, err, sizeof(err)), 0);
	buf out;
	buf_init(&out, 4096);
	assert_int_equal(tpl_render(t, tpl_vars_new(&mem), LANG_FR, &out), 0);
	assert_string_equal(out.data,
			    "<p title=\"Bonjour &quot;toi&quot;\">Bonjour &quot;toi&quot;</p>");
	buf_reset(&out);
	assert_int_equal(tpl_render(t, tpl_vars_new(&mem), LANG_EN, &out), 0);
	assert_string_equal(out.data, "<p title=\"Hello\">Hello</p>");
	buf_release(&out);
	i18n_shutdown();
}

static const tpl *test_partial;
static const tpl *lookup_partial(const char *name)
{
	return strcmp(name, "part") == 0 ? test_partial : NULL;
}

static void partials_render_and_recursion_is_bounded(void **state)
{
	(void)state;
	char err[256];
	tpl *part, *self;
	assert_int_equal(tpl_compile(&mem, "part", "<b>{{x}}</b>", 12, &part, err, sizeof(err)), 0);
	test_partial = part;
	tpl_set_partial_lookup(lookup_partial);
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "x", "<i>");
	assert_string_equal(render("[{{> part}}]", v), "[<b>&lt;i&gt;</b>]");
	/* A template that includes itself stops at the depth limit instead of looping. */
	assert_int_equal(tpl_compile(&mem, "part", "x{{> part}}", 11, &self, err, sizeof(err)), 0);
	test_partial = self;
	buf out;
	buf_init(&out, 4096);
	assert_int_equal(tpl_render(self, v, LANG_EN, &out), PONTE_ELIMIT);
	buf_release(&out);
	tpl_set_partial_lookup(NULL);
}

static void the_shipped_templates_compile(void **state)
{
	(void)state;
	char err[256] = "";
	int rc = tpl_registry_init(err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_non_null(tpl_get("layout"));
	assert_non_null(tpl_get("home"));
	assert_non_null(tpl_get("error"));
	assert_null(tpl_get("nope"));
	tpl_registry_shutdown();
}

static void escape_functions_replace_invalid_utf8(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 256);
	assert_int_equal(escape_html(&b,
				     "a\xC3"
				     "b\0c",
				     5),
			 0);
	assert_int_equal(memcmp(b.data,
				"a\xEF\xBF\xBD"
				"b\xEF\xBF\xBD"
				"c",
				9),
			 0);
	buf_release(&b);
}

static int setup(void **state)
{
	(void)state;
	arena_init(&mem, 64u << 20);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_release(&mem);
	return 0;
}

/* A context owns its values: the buffers they came from may be reused or freed before the
 * render (the roles page once showed a loop's reused stack array as its permissions). */
static void values_are_copied_when_set(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_list *l = tpl_set_list(v, "items");
	char scratch[32], key[8];
	for (int i = 0; i < 3; i++) {
		snprintf(scratch, sizeof(scratch), "perm.%d", i);
		tpl_set(tpl_list_add(l), "name", scratch);
	}
	snprintf(key, sizeof(key), "k");
	char *html = strdup("<b>kept</b>");
	tpl_set(v, key, "value");
	tpl_set_html(v, "h", html, strlen(html));
	memset(scratch, 'X', sizeof(scratch) - 1);
	memset(key, 'Y', sizeof(key) - 1);
	memcpy(html, "<i>gone</i>!", 12);
	free(html);
	assert_string_equal(render("{{#each items}}{{name}} {{/each}}{{k}} {{{h}}}", v),
			    "perm.0 perm.1 perm.2 value <b>kept</b>");
	/* A context that could not be made refuses values instead of crashing. */
	assert_int_equal(tpl_set(NULL, "x", "y"), PONTE_ENOMEM);
	assert_null(tpl_list_add(tpl_set_list(NULL, "x")));
}

/* The scope around a page: its own names win, the outer ones fill in. */
static void an_outer_scope_fills_in_names(void **state)
{
	(void)state;
	tpl_vars *outer = tpl_vars_new(&mem), *v = tpl_vars_new(&mem);
	tpl_set_bool(outer, "can", true);
	tpl_set(outer, "name", "outer");
	tpl_set(v, "name", "page");
	char err[256] = "";
	tpl *t;
	const char *src = "{{#if can}}<a href=\"/x\">{{name}}</a>{{/if}}";
	assert_int_equal(tpl_compile(&mem, "t", src, strlen(src), &t, err, sizeof(err)), 0);
	buf out;
	buf_init(&out, 1 << 10);
	assert_int_equal(tpl_render_scoped(t, outer, v, LANG_EN, &out), 0);
	assert_memory_equal(out.data, "<a href=\"/x\">page</a>", out.len);
	buf_reset(&out);
	assert_int_equal(tpl_render_scoped(t, NULL, v, LANG_EN, &out), 0);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

/* Inside {{#each}} a name is the item's alone: one the item lacks is empty, never the page's
 * or another record's; ../name and @root.name reach the scopes around it, by name. */
static void each_items_read_only_their_own_names(void **state)
{
	(void)state;
	tpl_vars *outer = tpl_vars_new(&mem), *v = tpl_vars_new(&mem);
	tpl_set(outer, "csrf", "C");
	tpl_set(v, "title", "page");
	tpl_set(v, "lang", "pt");
	tpl_list *records = tpl_set_list(v, "records");
	tpl_vars *first = tpl_list_add(records), *second = tpl_list_add(records);
	tpl_set(first, "title", "one");
	tpl_set(first, "summary", "first's own");
	tpl_set(second, "title", "two"); /* no summary, no lang */
	tpl_list *tr = tpl_set_list(first, "translations");
	tpl_set(tpl_list_add(tr), "lang", "es");
	tpl_list_add(tr); /* a translation with nothing set */
	static const struct {
		const char *src, *want;
	} cases[] = {
		/* A name the item lacks reads nothing, not the page's nor the first record's. */
		{ "{{#each records}}[{{title}}:{{summary}}:{{lang}}]{{/each}}",
		  "[one:first&#39;s own:][two::]" },
		{ "{{#each records}}{{#if summary}}S{{else}}-{{/if}}{{/each}}", "S-" },
		/* ../ is the scope around the block, @root. the page's, the outer scope included. */
		{ "{{#each records}}{{../title}}{{@root.lang}}{{@root.csrf}} {{/each}}",
		  "pageptC pageptC " },
		{ "{{#each records}}{{#each translations}}({{lang}}|{{title}}|{{../title}}|"
		  "{{../../title}}){{/each}}{{/each}}",
		  "(es||one|page)(||one|page)" },
		{ "{{#each records}}{{#if ../lang}}{{{../title}}}{{/if}}{{/each}}", "pagepage" },
		/* More ../ than scopes reads nothing; at the top a name reads the page, then outer. */
		{ "{{#each records}}{{../../title}}{{/each}}{{title}}{{csrf}}{{@root.title}}",
		  "pageCpage" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[256] = "";
		tpl *t;
		if (tpl_compile(&mem, "t", cases[i].src, strlen(cases[i].src), &t, err,
				sizeof(err)))
			fail_msg("compile failed: %s", err);
		buf out;
		buf_init(&out, 1 << 10);
		assert_int_equal(tpl_render_scoped(t, outer, v, LANG_EN, &out), 0);
		assert_int_equal(buf_puts(&out, ""), 0);
		if (strcmp(out.data, cases[i].want) != 0)
			fail_msg("%s gave %s, not %s", cases[i].src, out.data, cases[i].want);
		buf_release(&out);
	}
	static const char *const bad[] = {
		"{{@root.}}",  "{{../}}",   "{{.../x}}", "{{@roo.x}}", "{{#each ../}}x{{/each}}",
		"{{{@root}}}", "{{x/../y}}"
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char err[256] = "";
		if (compile_error(bad[i], err, sizeof(err)) != PONTE_EINVAL)
			fail_msg("template compiled but should not: %s", bad[i]);
	}
}

static char *render_in(const char *src, tpl_vars *v, int lang, bool eastern)
{
	char err[256] = "";
	tpl *t;
	if (tpl_compile(&mem, "test", src, strlen(src), &t, err, sizeof(err)))
		fail_msg("compile failed: %s", err);
	buf out;
	buf_init(&out, 1 << 20);
	tpl_locale loc = { .lang = lang, .eastern_digits = eastern };
	assert_int_equal(tpl_render_in(t, NULL, v, loc, &out), 0);
	char *s = arena_strdup(&mem, out.data ? out.data : "");
	buf_release(&out);
	return s;
}

/* A name in the other direction than the page's is isolated, once, by the template engine:
 * an Arabic name on a French page, a French one on an Arabic page; never where a tag would be
 * text (<title>, <option>, <textarea>) nor in an attribute. */
static void values_of_the_other_direction_are_isolated(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "ar", "محمد الأمين");
	tpl_set(v, "fr", "Jean-Noël Dupont");
	tpl_set(v, "n", "12");
	const char *src = "<p>{{ar}}, {{fr}}, {{n}}</p><option>{{ar}}</option><title>{{fr}}</title>"
			  "<input value=\"{{ar}}\"><textarea>{{fr}}</textarea>";
	assert_string_equal(render_in(src, v, LANG_FR, false),
			    "<p><bdi>محمد الأمين</bdi>, Jean-Noël Dupont, 12</p>"
			    "<option>محمد الأمين</option><title>Jean-Noël Dupont</title>"
			    "<input value=\"محمد الأمين\"><textarea>Jean-Noël Dupont</textarea>");
	assert_string_equal(render_in(src, v, LANG_AR, false),
			    "<p>محمد الأمين, <bdi>Jean-Noël Dupont</bdi>, 12</p>"
			    "<option>محمد الأمين</option><title>Jean-Noël Dupont</title>"
			    "<input value=\"محمد الأمين\"><textarea>Jean-Noël Dupont</textarea>");
	/* Markup in a value stays text inside the isolation. */
	tpl_set(v, "x", "علي <script>");
	assert_string_equal(render_in("<p>{{x}}</p>", v, LANG_EN, false),
			    "<p><bdi>علي &lt;script&gt;</bdi></p>");
}

/* Arabic numbers and dates in Eastern digits when the instance chooses them: values that are a
 * number or a date only, never codes, names or URLs. */
static void arabic_pages_may_write_eastern_digits(void **state)
{
	(void)state;
	tpl_vars *v = tpl_vars_new(&mem);
	tpl_set(v, "n", "1,234.5");
	tpl_set(v, "d", "2026-01-05");
	tpl_set(v, "code", "PT-NGO-7");
	const char *src = "<p>{{n}} {{d}} {{code}}</p><a href=\"/cases/{{d}}\">x</a>";
	assert_string_equal(
	    render_in(src, v, LANG_AR, true),
	    "<p>١٬٢٣٤٫٥ ٢٠٢٦-٠١-٠٥ <bdi>PT-NGO-7</bdi></p><a href=\"/cases/2026-01-05\">x</a>");
	assert_string_equal(
	    render_in(src, v, LANG_AR, false),
	    "<p>1,234.5 2026-01-05 <bdi>PT-NGO-7</bdi></p><a href=\"/cases/2026-01-05\">x</a>");
}

/* The style sheet names no physical side, so that right-to-left pages mirror: margin-left,
 * padding-right, border-left, left:, text-align: right and float: left are refused (their
 * logical forms are margin-inline-start, padding-inline-end, inset-inline-start, start...). */
static void the_style_sheet_has_logical_sides_only(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find("static/app.css");
	assert_non_null(f);
	char *css = arena_strndup(&mem, f->data, f->len);
	/* Comments are words, not rules. */
	for (char *c = strstr(css, "/*"); c; c = strstr(c, "/*")) {
		char *end = strstr(c + 2, "*/");
		assert_non_null(end);
		memset(c, ' ', (size_t)(end + 2 - c));
	}
	static const char *const PHYSICAL[] = {
		"margin-left", "margin-right", "padding-left",     "padding-right",
		"border-left", "border-right", "text-align: left", "text-align: right",
		"float: left", "float: right", "clear: left",      "clear: right"
	};
	size_t found = 0;
	for (size_t i = 0; i < ARRAY_LEN(PHYSICAL); i++)
		for (const char *p = strstr(css, PHYSICAL[i]); p; p = strstr(p + 1, PHYSICAL[i])) {
			print_message("static/app.css: %s\n", PHYSICAL[i]);
			found++;
		}
	/* left: / right: as properties (not inside another word such as inset-inline-start). */
	for (const char *p = css; *p; p++)
		if ((!strncmp(p, "left:", 5) || !strncmp(p, "right:", 6)) &&
		    (p == css || !(isalnum((unsigned char)p[-1]) || p[-1] == '-'))) {
			print_message("static/app.css: %.12s\n", p);
			found++;
		}
	assert_int_equal(found, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_context_escapes_markup),
		cmocka_unit_test(attribute_context_escapes_quotes),
		cmocka_unit_test(url_attributes_refuse_dangerous_schemes),
		cmocka_unit_test(script_context_gets_a_js_string),
		cmocka_unit_test(unsafe_contexts_are_compile_errors),
		cmocka_unit_test(blocks_loops_and_raw_html),
		cmocka_unit_test(translations_follow_the_language),
		cmocka_unit_test(partials_render_and_recursion_is_bounded),
		cmocka_unit_test(the_shipped_templates_compile),
		cmocka_unit_test(escape_functions_replace_invalid_utf8),
		cmocka_unit_test(values_are_copied_when_set),
		cmocka_unit_test(an_outer_scope_fills_in_names),
		cmocka_unit_test(each_items_read_only_their_own_names),
		cmocka_unit_test(values_of_the_other_direction_are_isolated),
		cmocka_unit_test(arabic_pages_may_write_eastern_digits),
		cmocka_unit_test(the_style_sheet_has_logical_sides_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
