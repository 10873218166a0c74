/* /api/v1/cases/{id}/closures, /api/v1/closures/{id}/approve|reject and
 * /api/v1/cases/{id}/attachments: closing a case (asked, then decided by a supervisor or focal
 * point who did not ask) and its attachments (uploaded as multipart, checked by their bytes,
 * sealed on disk), as the pages do them. */
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"

struct list {
	buf *b;
	bool first;
};

static int write_closure(const case_closure *k, void *ctx)
{
	struct list *l = ctx;
	int rc = buf_printf(l->b, "%s{\"id\":%lld", l->first ? "" : ",", (long long)k->id);
	l->first = false;
	const char *f[][2] = { { "kind", k->kind },
			       { "cas_Status", k->status },
			       { "cas_ReasonForCaseClosure", k->reason },
			       { "requested_at", k->requested_at } };
	for (size_t i = 0; !rc && i < ARRAY_LEN(f); i++)
		rc = json_field_str(l->b, false, f[i][0], f[i][1] ? f[i][1] : "");
	/* Not decided yet: both null. */
	if (!rc)
		rc = json_field_date(l->b, false, "decision", k->decision);
	if (!rc)
		rc = json_field_date(l->b, false, "decided_at", k->decided_at);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_case_closures(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	res->content_type = "application/json";
	struct list l = { &res->body, true };
	int rc = buf_puts(&res->body, "{\"items\":[");
	if (!rc)
		rc = closure_list(&services_of(req)->env, req->arena, principal_of(req), id,
				  write_closure, &l);
	return rc ? rc : buf_puts(&res->body, "]}");
}

/* {"cas_Status": "Closed" | "ClosedReferred", "cas_ReasonForCaseClosure": "..."} */
int api_case_closure_request(http_request *req, http_response *res)
{
	int64_t id, closure;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "cas_Status", "cas_ReasonForCaseClosure", NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	field_errors e;
	rc = closure_request(&services_of(req)->env, principal_of(req), id,
			     json_get_string(body, "cas_Status"),
			     json_get_string(body, "cas_ReasonForCaseClosure"), &closure, &e);
	if (rc == PONTE_EINVAL)
		return api_field_errors(req, res, &e);
	if (rc == PONTE_ECONFLICT)
		return http_refuse(
		    req, res, PONTE_ECONFLICT,
		    N_("The case is closed already, or a request to close it is waiting."));
	if (rc)
		return rc;
	res->status = 201;
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld}", (long long)closure);
}

int api_closure_decide(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id) || req->nparams < 2)
		return PONTE_ENOTFOUND;
	bool approve = strcmp(req->params[1], "approve") == 0;
	if (!approve && strcmp(req->params[1], "reject") != 0)
		return PONTE_ENOTFOUND;
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	rc = closure_decide(&services_of(req)->env, principal_of(req), id, approve);
	if (rc == PONTE_ECONFLICT)
		return http_refuse(req, res, PONTE_ECONFLICT,
				   N_("This request was decided already."));
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"decision\":\"%s\"}", approve ? "approved" : "rejected");
}

static const char *dir_of(http_request *req)
{
	return arena_printf(req->arena, "%s/cases", services_of(req)->files_dir);
}

static int write_attachment(const case_attachment *x, void *ctx)
{
	struct list *l = ctx;
	int rc = buf_printf(l->b, "%s{\"id\":%lld,\"size\":%lld", l->first ? "" : ",",
			    (long long)x->id, (long long)x->size);
	l->first = false;
	if (!rc)
		rc = json_field_str(l->b, false, "filename", x->filename);
	if (!rc)
		rc = json_field_str(l->b, false, "media_type", x->media_type);
	if (!rc)
		rc = json_field_str(l->b, false, "created_at", x->created_at);
	return rc ? rc : buf_putc(l->b, '}');
}

int api_case_attachments(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	res->content_type = "application/json";
	struct list l = { &res->body, true };
	int rc = buf_puts(&res->body, "{\"items\":[");
	if (!rc)
		rc = attachment_list(&services_of(req)->env, req->arena, principal_of(req), id,
				     write_attachment, &l);
	return rc ? rc : buf_puts(&res->body, "]}");
}

int api_case_attach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (!req->upload.present)
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Send the file as multipart/form-data."));
	const char *why = NULL;
	int rc = attachment_add(&services_of(req)->env, principal_of(req), dir_of(req), id,
				req->upload.path, req->upload.filename, &att, &why);
	if ((rc == PONTE_EINVAL || rc == PONTE_ELIMIT) && why)
		return rc == PONTE_ELIMIT ? http_refuse_as(req, res, PONTE_ELIMIT, "too_large", why)
					  : http_refuse(req, res, PONTE_EREJECTED, why);
	if (rc)
		return rc;
	res->status = 201;
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"id\":%lld}", (long long)att);
}

/* The content itself, as on the page: opened from its seal, never cached. */
int api_case_attachment(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id) || !http_param_id(req, 1, &att))
		return PONTE_ENOTFOUND;
	case_attachment meta;
	int rc = attachment_read(&services_of(req)->env, req->arena, principal_of(req), dir_of(req),
				 id, att, &meta, &res->body);
	if (rc) {
		res->body.len = 0;
		return rc;
	}
	res->content_type = meta.media_type;
	res->cache = CACHE_NO_STORE;
	return http_set_header(res, "Content-Disposition",
			       http_disposition(req->arena, meta.filename));
}

int api_case_detach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id) || !http_param_id(req, 1, &att))
		return PONTE_ENOTFOUND;
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	rc = attachment_remove(&services_of(req)->env, principal_of(req), dir_of(req), id, att);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return buf_puts(&res->body, "{\"removed\":true}");
}
