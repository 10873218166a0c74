#include <ctype.h>
#include <strings.h>

#include "base/utf8.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "tpl/escape.h"
#include "tpl/tpl.h"

#define TPL_MAX_DEPTH 16 /* nested blocks, partials and each-scopes */

/* ESC_TEXT: a value between tags where markup may stand, isolated when its direction is not
 * the page's (<bdi>); ESC_HTML: the same escaping in an attribute value or in the text of
 * <title>, <textarea> and <option>, where a tag would be text or dropped. */
enum esc { ESC_HTML, ESC_TEXT, ESC_URL, ESC_URL_PART, ESC_JS };
enum node_kind { N_TEXT, N_VAR, N_RAW, N_TR, N_IF, N_EACH, N_PARTIAL };

struct node {
	enum node_kind kind;
	enum esc esc;
	bool negate;      /* unless */
	const char *text; /* literal, name, msgid or partial name */
	size_t len;
	uint32_t hash; /* a name's key_hash(), so that lookups compare strings only on a match */
	int up;        /* a name's scope: 0 its own, n for n "../", UP_ROOT for "@root." */
	struct node *body, *alt; /* if/each body, else branch */
	struct node *next;
};

struct tpl {
	const char *name;
	struct node *first;
};

/* ---- HTML context tracking ---------------------------------------------------------- */

enum hstate {
	H_TEXT,
	H_TAG_OPEN, /* after '<', reading the tag name */
	H_TAG,      /* inside a tag, between attributes */
	H_ATTR_NAME,
	H_AFTER_ATTR, /* after an attribute name */
	H_BEFORE_VALUE,
	H_VALUE_DQ,
	H_VALUE_SQ,
	H_VALUE_UNQ,
	H_COMMENT,
	H_RAWTEXT,     /* inside <script> or <style> */
	H_MARKUP_DECL, /* <!DOCTYPE ...> */
};

enum attr_kind { A_NORMAL, A_URL, A_FORBIDDEN };

struct hctx {
	enum hstate state;
	enum attr_kind attr;
	bool value_started;
	bool closing_tag;
	bool script; /* which raw-text element we are in, or the tag being read */
	bool plain;  /* inside <title>, <textarea> or <option>: text only */
	char tag[12];
	size_t tag_len;
	char attr_name[24];
	size_t attr_len;
	size_t comment_dashes;
	size_t raw_match; /* how much of "</script" / "</style" has been matched */
};

/* Two contexts are the same for escaping purposes: the attribute kind only matters inside a
 * value, the raw-text element only inside raw text. */
static bool hctx_equal(const struct hctx *a, const struct hctx *b)
{
	if (a->state != b->state)
		return false;
	if (a->state == H_VALUE_DQ || a->state == H_VALUE_SQ || a->state == H_VALUE_UNQ)
		return a->attr == b->attr;
	if (a->state == H_RAWTEXT)
		return a->script == b->script;
	return true;
}

static enum attr_kind classify_attr(const char *name, size_t n)
{
	static const char *url_attrs[] = { "href",     "src",      "action",    "formaction",
					   "poster",   "cite",     "data",      "srcset",
					   "hx-get",   "hx-post",  "hx-put",    "hx-delete",
					   "hx-patch", "manifest", "background" };
	if ((n >= 2 && strncasecmp(name, "on", 2) == 0) ||
	    (n == 5 && !strncasecmp(name, "style", 5)) ||
	    (n == 6 && !strncasecmp(name, "srcdoc", 6)))
		return A_FORBIDDEN;
	for (size_t i = 0; i < ARRAY_LEN(url_attrs); i++)
		if (strlen(url_attrs[i]) == n && strncasecmp(name, url_attrs[i], n) == 0)
			return A_URL;
	return A_NORMAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_plain_element(const struct hctx *h)
{
	return (h->tag_len == 5 && !strncasecmp(h->tag, "title", 5)) ||
	       (h->tag_len == 8 && !strncasecmp(h->tag, "textarea", 8)) ||
	       (h->tag_len == 6 && !strncasecmp(h->tag, "option", 6));
}

static void tag_finished(struct hctx *h)
{
	if (is_plain_element(h))
		h->plain = !h->closing_tag;
	/* <script> and <style> contents are raw text until their closing tag. */
	if (!h->closing_tag && ((h->tag_len == 6 && !strncasecmp(h->tag, "script", 6)) ||
				(h->tag_len == 5 && !strncasecmp(h->tag, "style", 5)))) {
		h->state = H_RAWTEXT;
		h->script = h->tag_len == 6;
		h->raw_match = 0;
	} else {
		h->state = H_TEXT;
	}
}

static void hctx_feed(struct hctx *h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (h->state) {
		case H_TEXT:
			if (c == '<') {
				h->state = H_TAG_OPEN;
				h->tag_len = 0;
				h->closing_tag = false;
			}
			break;
		case H_TAG_OPEN:
			if (c == '/' && h->tag_len == 0 && !h->closing_tag) {
				h->closing_tag = true;
			} else if (c == '!' && h->tag_len == 0) {
				if (n - i >= 3 && s[i + 1] == '-' && s[i + 2] == '-') {
					h->state = H_COMMENT;
					h->comment_dashes = 0;
					i += 2;
				} else {
					h->state = H_MARKUP_DECL;
				}
			} else if (is_space(c) || c == '/') {
				h->state = H_TAG;
			} else if (c == '>') {
				tag_finished(h);
			} else if (h->tag_len < sizeof(h->tag)) {
				h->tag[h->tag_len++] = c;
			}
			break;
		case H_TAG:
			if (c == '>')
				tag_finished(h);
			else if (!is_space(c) && c != '/') {
				h->state = H_ATTR_NAME;
				h->attr_len = 0;
				h->attr_name[h->attr_len++] = c;
			}
			break;
		case H_ATTR_NAME:
			if (c == '=' || is_space(c) || c == '>' || c == '/') {
				h->attr = classify_attr(h->attr_name, h->attr_len);
				h->state = c == '=' ? H_BEFORE_VALUE : H_AFTER_ATTR;
				if (c == '>')
					tag_finished(h);
				else if (c == '/')
					h->state = H_TAG;
			} else if (h->attr_len < sizeof(h->attr_name)) {
				h->attr_name[h->attr_len++] = c;
			}
			break;
		case H_AFTER_ATTR:
			if (c == '=')
				h->state = H_BEFORE_VALUE;
			else if (c == '>')
				tag_finished(h);
			else if (!is_space(c)) {
				h->state = H_ATTR_NAME;
				h->attr_len = 0;
				h->attr_name[h->attr_len++] = c;
			}
			break;
		case H_BEFORE_VALUE:
			h->value_started = false;
			if (c == '"')
				h->state = H_VALUE_DQ;
			else if (c == '\'')
				h->state = H_VALUE_SQ;
			else if (c == '>')
				tag_finished(h);
			else if (!is_space(c)) {
				h->state = H_VALUE_UNQ;
				h->value_started = true;
			}
			break;
		case H_VALUE_DQ:
		case H_VALUE_SQ:
			if (c == (h->state == H_VALUE_DQ ? '"' : '\''))
				h->state = H_TAG;
			else
				h->value_started = true;
			break;
		case H_VALUE_UNQ:
			if (is_space(c))
				h->state = H_TAG;
			else if (c == '>')
				tag_finished(h);
			break;
		case H_COMMENT:
			if (c == '-')
				h->comment_dashes++;
			else if (c == '>' && h->comment_dashes >= 2)
				h->state = H_TEXT;
			else
				h->comment_dashes = 0;
			break;
		case H_MARKUP_DECL:
			if (c == '>')
				h->state = H_TEXT;
			break;
		case H_RAWTEXT: {
			const char *end = h->script ? "</script" : "</style";
			size_t len = strlen(end);
			if (tolower((unsigned char)c) == end[h->raw_match]) {
				if (++h->raw_match == len) {
					h->state = H_TAG;
					h->closing_tag = true;
					h->tag_len = 0;
				}
			} else {
				h->raw_match = c == '<' ? 1 : 0;
			}
			break;
		}
		}
	}
}

/* A block boundary ends an attribute name ("{{#if x}} selected{{/if}}>"): a boolean attribute.
 * Whatever follows is then read as a new attribute; a value placed there is refused. */
static void end_attribute_name(struct hctx *h)
{
	if (h->state == H_ATTR_NAME || h->state == H_AFTER_ATTR)
		h->state = H_TAG;
}

/* ---- Compilation ------------------------------------------------------------------- */

struct compiler {
	arena *a;
	const char *name;
	const char *p, *end, *src;
	struct hctx h;
	char *err;
	size_t errlen;
	int depth;
};

static int line_of(const struct compiler *c)
{
	int line = 1;
	for (const char *q = c->src; q < c->p; q++)
		line += *q == '\n';
	return line;
}

static int fail(struct compiler *c, const char *why)
{
	snprintf(c->err, c->errlen, "%s:%d: %s", c->name, line_of(c), why);
	return PONTE_EINVAL;
}

/* FNV-1a of a name: a page looks up each name in lists of a hundred values or more, once per
 * row of a table; comparing hashes first keeps that from being a strcmp() per value. */
static uint32_t key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static struct node *new_node(struct compiler *c, enum node_kind kind)
{
	struct node *n = arena_alloc(c->a, sizeof(*n));
	if (n)
		n->kind = kind;
	return n;
}

/* The escaping for a value placed at the current position, or -1 if none is safe. */
static int escaping_here(const struct hctx *h)
{
	switch (h->state) {
	case H_TEXT: return h->plain ? ESC_HTML : ESC_TEXT;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (h->attr == A_FORBIDDEN)
			return -1;
		if (h->attr == A_URL)
			return h->value_started ? ESC_URL_PART : ESC_URL;
		return ESC_HTML;
	case H_RAWTEXT: return h->script ? ESC_JS : -1;
	default: return -1;
	}
}

#define UP_ROOT (-1)

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static int parse_nodes(struct compiler *c, struct node **first, const char **closer,
		       size_t *closer_len);

/* {{t "text"}}: the msgid with \" and \\ unescaped. */
static int parse_tr(struct compiler *c, const char *s, size_t n, struct node *node)
{
	trim(&s, &n);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return fail(c, "{{t}} needs one quoted string");
	char *out = arena_alloc(c->a, n);
	if (!out)
		return PONTE_ENOMEM;
	size_t o = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] == '\\' && i + 2 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		else if (s[i] == '"')
			return fail(c, "unescaped quote in {{t}}");
		out[o++] = s[i];
	}
	out[o] = '\0';
	node->text = out;
	node->len = o;
	return 0;
}

/* A reference to a value: name, ../name (the scope around the current {{#each}}, repeatable)
 * or @root.name (the page's own scope). Sets node's text, len and up; false when malformed. */
static bool parse_ref(struct compiler *c, struct node *node, const char *s, size_t n)
{
	int up = 0;
	if (n > 6 && memcmp(s, "@root.", 6) == 0) {
		up = UP_ROOT;
		s += 6;
		n -= 6;
	} else {
		while (n > 3 && memcmp(s, "../", 3) == 0 && up < TPL_MAX_DEPTH) {
			up++;
			s += 3;
			n -= 3;
		}
	}
	if (!valid_name(s, n))
		return false;
	node->text = arena_strndup(c->a, s, n);
	node->len = n;
	node->hash = key_hash(s, n);
	node->up = up;
	return true;
}

static int parse_block(struct compiler *c, const char *tag, size_t n, struct node **out)
{
	bool is_each = n > 5 && strncmp(tag, "each", 4) == 0 && is_space(tag[4]);
	bool is_if = n > 3 && strncmp(tag, "if", 2) == 0 && is_space(tag[2]);
	bool is_unless = n > 7 && strncmp(tag, "unless", 6) == 0 && is_space(tag[6]);
	if (!is_each && !is_if && !is_unless)
		return fail(c, "unknown block (use #if, #unless or #each)");
	const char *kw = is_each ? "each" : is_if ? "if" : "unless";
	const char *name = tag + strlen(kw);
	size_t name_len = n - strlen(kw);
	trim(&name, &name_len);
	struct node *node = new_node(c, is_each ? N_EACH : N_IF);
	if (!node)
		return PONTE_ENOMEM;
	if (!parse_ref(c, node, name, name_len))
		return fail(c, "bad name in block");
	node->negate = is_unless;
	if (++c->depth > TPL_MAX_DEPTH)
		return fail(c, "blocks nested too deeply");
	/* A block ends a tag name: "<li{{#if x}} class=..{{/if}}>" is inside the tag. */
	if (c->h.state == H_TAG_OPEN && c->h.tag_len > 0)
		c->h.state = H_TAG;
	struct hctx start = c->h;
	const char *closer;
	size_t closer_len;
	int rc = parse_nodes(c, &node->body, &closer, &closer_len);
	if (rc)
		return rc;
	end_attribute_name(&c->h);
	if (closer_len == 4 && memcmp(closer, "else", 4) == 0) {
		if (is_each)
			return fail(c, "{{else}} inside {{#each}}");
		struct hctx then_end = c->h;
		c->h = start;
		rc = parse_nodes(c, &node->alt, &closer, &closer_len);
		if (rc)
			return rc;
		end_attribute_name(&c->h);
		if (!hctx_equal(&then_end, &c->h))
			return fail(
			    c, "the branches of this block leave the markup in different contexts");
	} else if (!hctx_equal(&start, &c->h)) {
		/* A block that may be skipped or repeated must not change the context. */
		return fail(
		    c, "this block changes the HTML context (close every tag and quote it opens)");
	}
	if (!closer || closer_len != strlen(kw) + 1 || closer[0] != '/' ||
	    memcmp(closer + 1, kw, strlen(kw)) != 0)
		return fail(c, "block not closed by its matching {{/...}}");
	c->depth--;
	*out = node;
	return 0;
}

/* Parse until end of input or a closing tag ({{/x}} or {{else}}), which is returned. */
static int parse_nodes(struct compiler *c, struct node **first, const char **closer,
		       size_t *closer_len)
{
	struct node **tail = first;
	*closer = NULL;
	*closer_len = 0;
	while (c->p < c->end) {
		const char *open = NULL;
		for (const char *q = c->p; q + 1 < c->end; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		const char *text_end = open ? open : c->end;
		if (text_end > c->p) {
			struct node *t = new_node(c, N_TEXT);
			if (!t)
				return PONTE_ENOMEM;
			t->text = c->p;
			t->len = (size_t)(text_end - c->p);
			hctx_feed(&c->h, t->text, t->len);
			*tail = t;
			tail = &t->next;
			c->p = text_end;
		}
		if (!open)
			break;
		bool triple = c->end - open >= 3 && open[2] == '{';
		const char *inner = open + (triple ? 3 : 2);
		const char *close = NULL;
		for (const char *q = inner; q + 1 < c->end; q++)
			if (q[0] == '}' && q[1] == '}') {
				close = q;
				break;
			}
		if (!close || (triple && (c->end - close < 3 || close[2] != '}')))
			return fail(c, "unclosed {{");
		const char *tag = inner;
		size_t n = (size_t)(close - inner);
		c->p = close + (triple ? 3 : 2);
		trim(&tag, &n);
		if (n == 0)
			return fail(c, "empty {{}}");
		if (triple) {
			if (c->h.state != H_TEXT)
				return fail(c, "{{{ }}} is only allowed between tags");
			struct node *r = new_node(c, N_RAW);
			if (!r)
				return PONTE_ENOMEM;
			if (!parse_ref(c, r, tag, n))
				return fail(c, "bad name in {{{ }}}");
			*tail = r;
			tail = &r->next;
			continue;
		}
		if (tag[0] == '!')
			continue;
		if (tag[0] == '/' || (n == 4 && memcmp(tag, "else", 4) == 0)) {
			*closer = tag;
			*closer_len = n;
			return 0;
		}
		struct node *node = NULL;
		int rc = 0;
		if (tag[0] == '#') {
			rc = parse_block(c, tag + 1, n - 1, &node);
		} else if (tag[0] == '>') {
			const char *pname = tag + 1;
			size_t plen = n - 1;
			trim(&pname, &plen);
			if (!valid_name(pname, plen))
				return fail(c, "bad partial name");
			if (c->h.state != H_TEXT)
				return fail(c, "partials are only allowed between tags");
			node = new_node(c, N_PARTIAL);
			if (node) {
				node->text = arena_strndup(c->a, pname, plen);
				node->len = plen;
			}
		} else {
			bool is_tr = n > 2 && tag[0] == 't' && is_space(tag[1]);
			int esc = escaping_here(&c->h);
			if (esc < 0)
				return fail(
				    c,
				    "a value cannot be placed here safely (tag or attribute name, "
				    "unquoted or event/style attribute, comment or <style>)");
			node = new_node(c, is_tr ? N_TR : N_VAR);
			if (node) {
				node->esc = (enum esc)esc;
				if (is_tr) {
					rc = parse_tr(c, tag + 2, n - 2, node);
				} else if (!parse_ref(c, node, tag, n)) {
					return fail(c, "bad name in {{ }}");
				}
			}
			/* A value makes an attribute value non-empty: later ones are URL parts. */
			if (c->h.state == H_VALUE_DQ || c->h.state == H_VALUE_SQ)
				c->h.value_started = true;
		}
		if (rc)
			return rc;
		if (!node)
			return PONTE_ENOMEM;
		*tail = node;
		tail = &node->next;
	}
	return 0;
}

int tpl_compile(arena *a, const char *name, const char *src, size_t n, tpl **out, char *err,
		size_t errlen)
{
	struct compiler c = { .a = a,
			      .name = name,
			      .p = src,
			      .end = src + n,
			      .src = src,
			      .err = err,
			      .errlen = errlen };
	tpl *t = arena_alloc(a, sizeof(*t));
	if (!t)
		return PONTE_ENOMEM;
	t->name = arena_strdup(a, name);
	const char *closer;
	size_t closer_len;
	int rc = parse_nodes(&c, &t->first, &closer, &closer_len);
	if (rc)
		return rc;
	if (closer)
		return fail(&c, "{{/...}} or {{else}} without an open block");
	if (c.h.state != H_TEXT)
		return fail(&c, "the template ends inside a tag, attribute, comment or script");
	*out = t;
	return 0;
}

const char *tpl_name(const tpl *t)
{
	return t->name;
}

/* ---- Values ------------------------------------------------------------------------ */

enum val_kind { V_STR, V_BOOL, V_HTML, V_LIST };

struct tpl_var {
	const char *key;
	uint32_t hash; /* key_hash(key) */
	enum val_kind kind;
	const char *s;
	size_t n;
	bool b;
	tpl_list *list;
	struct tpl_var *next;
};

struct tpl_vars {
	arena *a;
	struct tpl_var *head;
};

struct tpl_list {
	arena *a;
	tpl_vars **items;
	size_t count, cap;
};

tpl_vars *tpl_vars_new(arena *a)
{
	tpl_vars *v = arena_alloc(a, sizeof(*v));
	if (v)
		v->a = a;
	return v;
}

/* Keys and values are copied into the context's arena: whatever the caller passed (a stack
 * buffer, a row of a statement about to be stepped, a buffer about to be released) may be gone
 * or changed by the time the page renders. A copy that does not fit leaves the value unset. */
static struct tpl_var *add_var(tpl_vars *v, const char *key, enum val_kind kind)
{
	if (!v || !key)
		return NULL;
	struct tpl_var *x = arena_alloc(v->a, sizeof(*x));
	if (!x || !(x->key = arena_strdup(v->a, key)))
		return NULL;
	x->hash = key_hash(key, strlen(key));
	x->kind = kind;
	return x;
}

static void link_var(tpl_vars *v, struct tpl_var *x)
{
	x->next = v->head;
	v->head = x;
}

static int set_text(tpl_vars *v, const char *key, enum val_kind kind, const char *value, size_t n)
{
	struct tpl_var *x = add_var(v, key, kind);
	if (!x)
		return PONTE_ENOMEM;
	x->n = value ? n : 0;
	x->s = arena_strndup(v->a, value ? value : "", x->n);
	if (!x->s)
		return PONTE_ENOMEM;
	link_var(v, x);
	return 0;
}

int tpl_set_n(tpl_vars *v, const char *key, const char *value, size_t n)
{
	return set_text(v, key, V_STR, value, n);
}

int tpl_set(tpl_vars *v, const char *key, const char *value)
{
	return tpl_set_n(v, key, value, value ? strlen(value) : 0);
}

int tpl_set_bool(tpl_vars *v, const char *key, bool value)
{
	struct tpl_var *x = add_var(v, key, V_BOOL);
	if (!x)
		return PONTE_ENOMEM;
	x->b = value;
	link_var(v, x);
	return 0;
}

int tpl_set_html(tpl_vars *v, const char *key, const char *html, size_t n)
{
	return set_text(v, key, V_HTML, html, n);
}

tpl_list *tpl_set_list(tpl_vars *v, const char *key)
{
	struct tpl_var *x = add_var(v, key, V_LIST);
	if (!x || !(x->list = arena_alloc(v->a, sizeof(*x->list))))
		return NULL;
	x->list->a = v->a;
	link_var(v, x);
	return x->list;
}

tpl_vars *tpl_list_add(tpl_list *l)
{
	if (!l)
		return NULL;
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		tpl_vars **items = arena_calloc(l->a, cap, sizeof(*items));
		if (!items)
			return NULL;
		if (l->count)
			memcpy(items, l->items, l->count * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	tpl_vars *v = tpl_vars_new(l->a);
	if (v)
		l->items[l->count++] = v;
	return v;
}

/* ---- Rendering --------------------------------------------------------------------- */

static tpl_lookup_fn partial_lookup = tpl_get;

void tpl_set_partial_lookup(tpl_lookup_fn fn)
{
	partial_lookup = fn ? fn : tpl_get;
}

struct render {
	const tpl_vars *scopes[TPL_MAX_DEPTH * 2];
	int nscopes;
	int lang;
	bool rtl, eastern_digits;
	int depth;
	buf *out;
};

static const struct tpl_var *find(const tpl_vars *v, const struct node *n)
{
	for (const struct tpl_var *x = v ? v->head : NULL; x; x = x->next)
		if (x->hash == n->hash && strcmp(x->key, n->text) == 0)
			return x;
	return NULL;
}

/* scopes[0] and [1] are the page's (outer, then its own values, which come first); each
 * {{#each}} adds its item. A name is looked up in one scope only: the current item's, the one
 * n levels out for ../ (the page's at the top), the page's for @root., so that a name an item
 * lacks never reads another record's or the page's value. */
static const struct tpl_var *lookup(const struct render *r, const struct node *n)
{
	int level = r->nscopes - 2 - (n->up == UP_ROOT ? r->nscopes : n->up);
	if (level > 0)
		return find(r->scopes[1 + level], n);
	if (level < 0 && n->up != UP_ROOT)
		return NULL; /* more ../ than scopes */
	const struct tpl_var *x = find(r->scopes[1], n);
	return x ? x : find(r->scopes[0], n);
}

static bool truthy(const struct tpl_var *x)
{
	if (!x)
		return false;
	switch (x->kind) {
	case V_BOOL: return x->b;
	case V_LIST: return x->list && x->list->count > 0;
	default: return x->n > 0;
	}
}

/* The first letter of s with a direction: 1 right to left (Hebrew, Arabic, Syriac, Thaana,
 * N'Ko and their presentation forms), -1 left to right, 0 none (digits, punctuation). */
static int first_strong(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
				return -1;
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0)
			return 0;
		i += len;
		if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
		    (cp >= 0xFE70 && cp <= 0xFEFF))
			return 1;
		if ((cp >= 0x00C0 && cp <= 0x058F) || (cp >= 0x0900 && cp <= 0x1FFF) ||
		    (cp >= 0x3040 && cp <= 0x9FFF))
			return -1;
	}
	return 0;
}

/* A number or a date, nothing else: digits with . , : - / % + and spaces. */
static bool numeric(const char *s, size_t n)
{
	bool digit = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (!strchr(".,:-/%+ ", s[i]) || !s[i])
			return false;
	}
	return digit;
}

/* A number or date in Eastern Arabic digits (٠١٢...), with the Arabic decimal and thousands
 * separators between digits. */
static int escape_eastern(buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool between = i > 0 && i + 1 < n && s[i - 1] >= '0' && s[i - 1] <= '9' &&
			       s[i + 1] >= '0' && s[i + 1] <= '9';
		int rc;
		if (s[i] >= '0' && s[i] <= '9') {
			char d[2] = { (char)0xD9, (char)(0xA0 + (s[i] - '0')) }; /* U+0660 + d */
			rc = buf_append(b, d, 2);
		} else if (between && s[i] == '.') {
			rc = buf_append(b, "\xD9\xAB", 2); /* U+066B */
		} else if (between && s[i] == ',') {
			rc = buf_append(b, "\xD9\xAC", 2); /* U+066C */
		} else {
			rc = escape_html(b, s + i, 1);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* A value between tags: isolated in <bdi> when it starts in the other direction than the page
 * (an Arabic name on a French page, a French one on an Arabic page), so that it never
 * scrambles the sentence around it; numbers and dates in the digits the instance chose for
 * Arabic. */
static int emit_text(const struct render *r, const char *s, size_t n)
{
	if (r->eastern_digits && numeric(s, n))
		return escape_eastern(r->out, s, n);
	int dir = first_strong(s, n);
	if (dir == 0 || (dir > 0) == r->rtl)
		return escape_html(r->out, s, n);
	int rc = buf_append(r->out, "<bdi>", 5);
	if (!rc)
		rc = escape_html(r->out, s, n);
	if (!rc)
		rc = buf_append(r->out, "</bdi>", 6);
	return rc;
}

static int emit_escaped(buf *b, enum esc esc, const char *s, size_t n)
{
	switch (esc) {
	case ESC_TEXT:
	case ESC_HTML: return escape_html(b, s, n);
	case ESC_URL: return escape_url(b, s, n);
	case ESC_URL_PART: return escape_url_part(b, s, n);
	case ESC_JS: return escape_js_string(b, s, n);
	}
	return PONTE_EINVAL;
}

static int render_nodes(struct render *r, const struct node *n);

static int render_node(struct render *r, const struct node *n)
{
	const struct tpl_var *x;
	switch (n->kind) {
	case N_TEXT: return buf_append(r->out, n->text, n->len);
	case N_VAR:
		x = lookup(r, n);
		if (!x || x->kind == V_LIST)
			return 0;
		if (x->kind == V_BOOL)
			return emit_escaped(r->out, n->esc, x->b ? "true" : "false", x->b ? 4 : 5);
		if (n->esc == ESC_TEXT)
			return emit_text(r, x->s, x->n);
		return emit_escaped(r->out, n->esc, x->s, x->n);
	case N_RAW:
		x = lookup(r, n);
		if (!x || (x->kind != V_HTML && x->kind != V_STR))
			return 0;
		return x->kind == V_HTML ? buf_append(r->out, x->s, x->n)
					 : escape_html(r->out, x->s, x->n);
	case N_TR: {
		const char *s = tr(r->lang, n->text);
		return emit_escaped(r->out, n->esc, s, strlen(s));
	}
	case N_IF: return render_nodes(r, truthy(lookup(r, n)) != n->negate ? n->body : n->alt);
	case N_EACH: {
		x = lookup(r, n);
		if (!x || x->kind != V_LIST || !x->list)
			return 0;
		if (r->nscopes >= (int)ARRAY_LEN(r->scopes))
			return PONTE_ELIMIT;
		int rc = 0;
		for (size_t i = 0; i < x->list->count && !rc; i++) {
			r->scopes[r->nscopes++] = x->list->items[i];
			rc = render_nodes(r, n->body);
			r->nscopes--;
		}
		return rc;
	}
	case N_PARTIAL: {
		const tpl *p = partial_lookup(n->text);
		if (!p)
			return PONTE_ENOTFOUND;
		if (r->depth >= TPL_MAX_DEPTH)
			return PONTE_ELIMIT;
		r->depth++;
		int rc = render_nodes(r, p->first);
		r->depth--;
		return rc;
	}
	}
	return PONTE_EINVAL;
}

/* Whether the text after a value starts with a mark that the language spaces off the word
 * before it: French writes "Dossiers trouvés : 165" (a narrow no-break space), where a
 * template says {{t "Cases found"}}: {{total}}. */
static bool spaced_mark_after(const struct node *prev, const struct node *n)
{
	if (!prev || n->kind != N_TEXT || !n->len || !strchr(":;!?", n->text[0]))
		return false;
	/* After a value, or a block that ends with one ({{#if a}}{{t "A"}}{{else}}..{{/if}}: ). */
	if (prev->kind != N_TR && prev->kind != N_VAR && prev->kind != N_IF)
		return false;
	if (prev->kind != N_IF && prev->esc != ESC_TEXT && prev->esc != ESC_HTML)
		return false;
	return n->len == 1 || n->text[1] == ' ' || n->text[1] == '<' || n->text[1] == '\n';
}

static int render_nodes(struct render *r, const struct node *n)
{
	const char *space = i18n_before_mark(r->lang);
	for (const struct node *prev = NULL; n; prev = n, n = n->next) {
		int rc = *space && spaced_mark_after(prev, n) ? buf_puts(r->out, space) : 0;
		if (!rc)
			rc = render_node(r, n);
		if (rc)
			return rc;
	}
	return 0;
}

int tpl_render_in(const tpl *t, const tpl_vars *outer, const tpl_vars *vars, tpl_locale loc,
		  buf *out)
{
	struct render r = { .lang = loc.lang,
			    .rtl = !strcmp(i18n_lang(loc.lang)->dir, "rtl"),
			    .eastern_digits = loc.eastern_digits,
			    .out = out,
			    .nscopes = 2 };
	r.scopes[0] = outer;
	r.scopes[1] = vars;
	return render_nodes(&r, t->first);
}

int tpl_render_scoped(const tpl *t, const tpl_vars *outer, const tpl_vars *vars, int lang, buf *out)
{
	struct render r = {
		.lang = lang, .rtl = !strcmp(i18n_lang(lang)->dir, "rtl"), .out = out, .nscopes = 2
	};
	r.scopes[0] = outer;
	r.scopes[1] = vars;
	return render_nodes(&r, t->first);
}

int tpl_render(const tpl *t, const tpl_vars *vars, int lang, buf *out)
{
	return tpl_render_scoped(t, NULL, vars, lang, out);
}
