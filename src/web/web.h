/*
 * web.h: the HTML pages.
 *
 * Handlers decode the request, call services and render a template into the layout. All
 * markup comes from templates/ (escaping by context, see tpl/tpl.h); no handler writes a
 * user string into HTML by hand.
 */
#ifndef PONTE_WEB_H
#define PONTE_WEB_H

#include "http/http.h"
#include "tpl/tpl.h"

/* Render templates/<name>.html inside the layout, with the page title (a msgid). */
int web_render_page(http_request *req, http_response *res, const char *name, const char *title,
		    tpl_vars *vars);
/* The error page for status, in the request's language (http_app.render_error). */
int web_render_error(http_request *req, http_response *res, int status);

int web_home(http_request *req, http_response *res);

#endif
