/*
 * escape.h: escaping by output context (after cgit's html.c and Go's html/template).
 *
 * Each function appends s to b so that, in its context, the result is data and never markup
 * or code. Templates choose among them automatically (tpl.h); handlers that build HTML by
 * hand must call them too. Invalid UTF-8 is replaced by U+FFFD in every context.
 */
#ifndef PONTE_ESCAPE_H
#define PONTE_ESCAPE_H

#include "base/buf.h"

/* Text between tags, and quoted attribute values: & < > " ' become character references. */
int escape_html(buf *b, const char *s, size_t n);
/* A whole URL in an href/src/action attribute: only http, https, mailto and relative URLs are
 * kept; anything else (javascript:, data:, ...) becomes "#invalid-url". Attribute-escaped. */
int escape_url(buf *b, const char *s, size_t n);
/* One component inside a URL (after "?q=" or "/cases/"): percent-encoded. */
int escape_url_part(buf *b, const char *s, size_t n);
/* A JavaScript string literal, quotes included, safe inside <script>. */
int escape_js_string(buf *b, const char *s, size_t n);

#endif
