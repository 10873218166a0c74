/*
 * tpl.h: HTML templates whose escaping follows the HTML context.
 *
 * Syntax (Mustache-like):
 *   {{name}}               a value, escaped for where it stands
 *   {{t "Some text"}}      a translation into the request's language, escaped likewise
 *   {{{name}}}             trusted HTML: only values set with tpl_set_html() (the output of
 *                          another render); a plain string here is escaped anyway
 *   {{#if name}}..{{else}}..{{/if}}, {{#unless name}}..{{/unless}}
 *   {{#each list}}..{{/each}}   names inside are the item's alone (never the page's or
 *                          another record's): {{../name}} is the scope around the block,
 *                          {{@root.name}} the page's (and for #if, #unless, #each, {{{ }}})
 *   {{> other}}            include templates/other.html
 *   {{! comment }}
 *
 * Invariants:
 * - The escaping of every placeholder is decided at compile time from where it stands:
 *   text → HTML escaping; quoted attribute → attribute escaping; href/src/action/... → URL
 *   rules (whole URL or component); inside <script> → JS string. Placeholders anywhere else
 *   (tag or attribute names, unquoted values, event-handler or style attributes, comments,
 *   <style>) are compile errors, as are branches that leave the markup in different
 *   contexts. So no template can print a user string raw.
 * - Compiled templates are immutable and shared by all threads.
 * - A context owns its values: tpl_set*() copy the key and the value into the context's arena,
 *   so a value may come from a stack buffer, a database row or a buffer released before the
 *   render. A context lives as long as the arena given to tpl_vars_new(). A setter that cannot
 *   copy (arena ceiling) returns PONTE_ENOMEM and leaves the name unset; a NULL context is
 *   refused the same way.
 */
#ifndef PONTE_TPL_H
#define PONTE_TPL_H

#include "base/arena.h"
#include "base/buf.h"

typedef struct tpl tpl;
typedef struct tpl_vars tpl_vars;
typedef struct tpl_list tpl_list;

int tpl_compile(arena *a, const char *name, const char *src, size_t n, tpl **out, char *err,
		size_t errlen);
const char *tpl_name(const tpl *t);

tpl_vars *tpl_vars_new(arena *a);
/* A NULL value is the empty string. */
int tpl_set(tpl_vars *v, const char *key, const char *value);
int tpl_set_n(tpl_vars *v, const char *key, const char *value, size_t n);
int tpl_set_bool(tpl_vars *v, const char *key, bool value);
/* Trusted HTML: only the output of another render, placed with {{{name}}}. */
int tpl_set_html(tpl_vars *v, const char *key, const char *html, size_t n);
/* NULL when the arena is full; tpl_list_add(NULL) is NULL and setters refuse a NULL context. */
tpl_list *tpl_set_list(tpl_vars *v, const char *key);
tpl_vars *tpl_list_add(tpl_list *l);

/* Render with translations in lang. Partials come from the registry. */
int tpl_render(const tpl *t, const tpl_vars *vars, int lang, buf *out);
/* The same, a name not set in vars being looked up in outer (NULL: none), as if outer were the
 * scope around the template: how every page sees what the reader may open. */
int tpl_render_scoped(const tpl *t, const tpl_vars *outer, const tpl_vars *vars, int lang,
		      buf *out);

/* How a page is written: its language (whose direction decides which values are isolated in
 * <bdi>: a value between tags that starts in the other direction) and, for Arabic, whether
 * numbers and dates standing alone as values take Eastern Arabic digits (٠١٢٣, an instance
 * setting) rather than Western ones. */
typedef struct tpl_locale {
	int lang;
	bool eastern_digits;
} tpl_locale;
int tpl_render_in(const tpl *t, const tpl_vars *outer, const tpl_vars *vars, tpl_locale loc,
		  buf *out);

/* Registry of the embedded templates/ (tpl/registry.c). */
int tpl_registry_init(char *err, size_t errlen);
void tpl_registry_shutdown(void);
/* "home" → templates/home.html, or NULL. */
const tpl *tpl_get(const char *name);
/* For tests: use this lookup for partials instead of the registry. */
typedef const tpl *(*tpl_lookup_fn)(const char *name);
void tpl_set_partial_lookup(tpl_lookup_fn fn);

#endif
