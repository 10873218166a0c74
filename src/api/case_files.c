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

static int write_closure(const case_closure *k, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"id\":%lld", (long long)k->id);
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

API_RECORD_LIST(api_case_closures, closure_list, write_closure)

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
	if (rc)
		return api_refused(
		    req, res, rc, &e, NULL,
		    N_("The case is closed already, or a request to close it is waiting."));
	return api_created_id(res, closure);
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
	if (rc)
		return api_refused(req, res, rc, NULL, NULL,
				   N_("This request was decided already."));
	res->content_type = "application/json";
	return buf_printf(&res->body, "{\"decision\":\"%s\"}", approve ? "approved" : "rejected");
}

static const char *dir_of(http_request *req)
{
	return arena_printf(req->arena, "%s/cases", services_of(req)->files_dir);
}

static int write_attachment(const case_attachment *x, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"id\":%lld,\"size\":%lld", (long long)x->id,
				(long long)x->size);
	const char *const f[][2] = { { "filename", x->filename },
				     { "media_type", x->media_type },
				     { "created_at", x->created_at } };
	if (!rc)
		rc = json_fields_str(l->b, f, ARRAY_LEN(f));
	return rc ? rc : buf_putc(l->b, '}');
}

API_RECORD_LIST(api_case_attachments, attachment_list, write_attachment)

int api_case_attach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (!req->upload.present)
		return api_no_upload(req, res);
	const char *why = NULL;
	int rc = attachment_add(&services_of(req)->env, principal_of(req), dir_of(req), id,
				req->upload.path, req->upload.filename, &att, &why);
	return rc ? api_upload_refused(req, res, rc, why) : api_created_id(res, att);
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
