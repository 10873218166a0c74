#include "i18n/i18n.h"
#include "web/web.h"

int web_render_error(http_request *req, http_response *res, int status)
{
	const char *title, *message;
	switch (status) {
	case 400:
		title = N_("Bad request");
		message = N_("The request was malformed. Check the address and try again.");
		break;
	case 403:
		title = N_("Not allowed");
		message = N_("You are not allowed to do this.");
		break;
	case 404:
		title = N_("Page not found");
		message = N_("The page you asked for does not exist.");
		break;
	case 405:
		title = N_("Not allowed");
		message = N_("This address does not accept this kind of request.");
		break;
	case 413:
		title = N_("Too large");
		message = N_("What you sent is too large.");
		break;
	case 431:
		title = N_("Bad request");
		message = N_("The request headers are too large.");
		break;
	case 503:
		title = N_("Service busy");
		message = N_("The service is busy. Please try again in a moment.");
		break;
	default:
		title = N_("Something went wrong");
		message = N_("Something went wrong on our side. The error has been logged.");
		break;
	}
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	char *code = arena_printf(req->arena, "%d", status);
	tpl_set(v, "status", code);
	tpl_set(v, "heading", tr(req->lang, title));
	tpl_set(v, "message", tr(req->lang, message));
	buf_reset(&res->body);
	int rc = web_render_page(req, res, "error", title, v);
	res->status = status;
	return rc;
}
