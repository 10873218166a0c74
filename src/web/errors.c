#include "i18n/i18n.h"
#include "web/web.h"

/* The page title of an error status (a msgid); the message is the HTTP layer's. */
static const char *error_title(int status)
{
	switch (status) {
	case 400:
	case 431: return N_("Bad request");
	case 403:
	case 405: return N_("Not allowed");
	case 404: return N_("Page not found");
	case 413: return N_("Too large");
	case 503: return N_("Service busy");
	case 507: return N_("Disk full");
	default: return N_("Something went wrong");
	}
}

int web_render_error(http_request *req, http_response *res, int status)
{
	const char *code, *message, *title = error_title(status);
	http_status_message(status, &code, &message);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "status", arena_printf(req->arena, "%d", status));
	tpl_set(v, "heading", tr(req->lang, title));
	tpl_set(v, "message", tr(req->lang, message));
	buf_reset(&res->body);
	int rc = web_render_page(req, res, "error", title, v);
	res->status = status;
	return rc;
}
