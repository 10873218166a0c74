/* Attachments of a case: the list, the upload form, downloads opened from their seal, removal. */
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

static const char *dir_of(http_request *req)
{
	return arena_printf(req->arena, "%s/cases", services_of(req)->files_dir);
}

struct rows {
	http_request *req;
	tpl_list *l;
	const char *case_id, *csrf;
	bool can_write;
};

static int add_row(const case_attachment *x, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *v = tpl_list_add(r->l);
	tpl_set(v, "id", arena_printf(r->req->arena, "%lld", (long long)x->id));
	tpl_set(v, "case_id", r->case_id);
	tpl_set(v, "name", x->filename);
	tpl_set(v, "type", x->media_type);
	tpl_set(v, "size",
		arena_printf(r->req->arena, "%lld kB", (long long)(x->size + 1023) / 1024));
	web_set_when(r->req, v, "added", x->created_at, false);
	tpl_set(v, "csrf", r->csrf);
	tpl_set_bool(v, "can_write", r->can_write);
	return 0;
}

static int render(http_request *req, http_response *res, int64_t id, const char *error, int refusal)
{
	const principal *p = principal_of(req);
	case_record c;
	int rc = case_get(&services_of(req)->env, req->arena, p, id, &c);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	const char *cid = arena_printf(req->arena, "%lld", (long long)id);
	bool can_write =
	    principal_can_see(p, "case.social.write", c.owner_id, c.organisation_id, c.country);
	tpl_set(v, "case_id", cid);
	tpl_set(v, "csrf", p->csrf);
	tpl_set_bool(v, "can_write", can_write);
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	struct rows r = { req, tpl_set_list(v, "attachments"), cid, p->csrf, can_write };
	rc = attachment_list(&services_of(req)->env, req->arena, p, id, add_row, &r);
	if (!rc)
		rc = web_render_page(req, res, "case_attachments", N_("Attachments"), v);
	if (!rc && refusal)
		http_refuse_page(res, refusal);
	return rc;
}

struct named {
	int64_t id;
	const char *name;
};

static int find_named(const case_attachment *x, void *ctx)
{
	struct named *n = ctx;
	if (x->id == n->id)
		n->name = x->filename;
	return 0;
}

/* Removing a file deletes its only stored copy, so the attachments' page asks first
 * (?remove=ATT), naming the file; the form it shows posts the removal with confirm=1. */
static int confirm_removal(http_request *req, http_response *res, int64_t id, const char *att)
{
	char *end;
	long long n = strtoll(att, &end, 10);
	if (*end || n <= 0)
		return PONTE_ENOTFOUND;
	struct named f = { n, NULL };
	int rc = attachment_list(&services_of(req)->env, req->arena, principal_of(req), id,
				 find_named, &f);
	if (rc)
		return rc;
	if (!f.name)
		return PONTE_ENOTFOUND;
	return web_confirm(
	    req, res,
	    arena_printf(req->arena, "/cases/%lld/attachments/%lld/remove", (long long)id, n),
	    N_("Remove this file from the case?"),
	    web_fill(req,
		     N_("{file} is deleted: nobody can open or download it again. The audit trail "
			"keeps who removed it and when."),
		     "file", f.name, NULL),
	    N_("Remove the file"),
	    arena_printf(req->arena, "/cases/%lld/attachments", (long long)id));
}

int web_case_attachments(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *remove = http_query(req, "remove");
	return remove ? confirm_removal(req, res, id, remove) : render(req, res, id, NULL, 0);
}

int web_case_attach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (!req->upload.present)
		return render(req, res, id, N_("Choose a file to attach."), PONTE_EREJECTED);
	const char *why = NULL;
	int rc = attachment_add(&services_of(req)->env, principal_of(req), dir_of(req), id,
				req->upload.path, req->upload.filename, &att, &why);
	if ((rc == PONTE_EINVAL || rc == PONTE_ELIMIT) && why)
		return render(req, res, id, why,
			      rc == PONTE_ELIMIT ? PONTE_ELIMIT : PONTE_EREJECTED);
	if (!rc)
		web_flash(req, N_("File attached to the case."), NULL);
	return rc ? rc
		  : http_redirect(
			req, res,
			arena_printf(req->arena, "/cases/%lld/attachments", (long long)id));
}

int web_case_attachment(http_request *req, http_response *res)
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
	http_set_header(res, "Content-Disposition", web_disposition(req->arena, meta.filename));
	return 0;
}

int web_case_detach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id) || !http_param_id(req, 1, &att))
		return PONTE_ENOTFOUND;
	if (!web_confirmed(req))
		return http_redirect(req, res,
				     arena_printf(req->arena, "/cases/%lld/attachments?remove=%lld",
						  (long long)id, (long long)att));
	int rc = attachment_remove(&services_of(req)->env, principal_of(req), dir_of(req), id, att);
	if (!rc)
		web_flash(req, N_("File removed from the case."), NULL);
	return rc ? rc
		  : http_redirect(
			req, res,
			arena_printf(req->arena, "/cases/%lld/attachments", (long long)id));
}
