/* The observatory's import page: a provider uploads a CTDC file for its organisation. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "i18n/i18n.h"
#include "obs/obs.h"
#include "services/services.h"
#include "web/web.h"

/* Analysts (obs.submit over their country or more) import for any provider in that scope;
 * providers for their own organisation. */
static bool may_import_for(const principal *p, const organisation *o)
{
	return principal_can_see(p, "obs.submit", 0, o->id, o->country);
}

struct providers {
	http_request *req;
	tpl_list *list;
	int64_t selected;
};

static int add_provider(const organisation *o, void *ctx)
{
	struct providers *c = ctx;
	if (!may_import_for(principal_of(c->req), o))
		return 0;
	tpl_vars *x = tpl_list_add(c->list);
	if (!x)
		return PONTE_ENOMEM;
	tpl_set(x, "id", arena_printf(c->req->arena, "%lld", (long long)o->id));
	tpl_set(x, "name", arena_printf(c->req->arena, "%s (%s)", o->name, o->code));
	tpl_set_bool(x, "selected", o->id == c->selected);
	return 0;
}

static int render(http_request *req, http_response *res, const obs_import_result *r, int rc,
		  const char *error)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const principal *p = principal_of(req);
	tpl_set(v, "csrf", p->csrf);
	if (principal_scope(p, "obs.submit") >= SCOPE_COUNTRY) {
		const char *chosen = http_form(req, "provider");
		struct providers c = { req, tpl_set_list(v, "providers"),
				       chosen ? strtoll(chosen, NULL, 10) : p->organisation_id };
		int lrc = org_list(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				   add_provider, &c);
		if (lrc)
			return lrc;
	}
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	if (r) {
		tpl_set_bool(v, "done", true);
		tpl_set_bool(v, "written", rc == 0);
		tpl_set(v, "read", web_count(req, (int64_t)r->read));
		tpl_set(v, "imported", web_count(req, (int64_t)r->imported));
		tpl_set(v, "rejected", web_count(req, (int64_t)r->rejected));
		tpl_list *l = tpl_set_list(v, "problems");
		for (size_t i = 0; i < r->nproblems; i++) {
			tpl_vars *x = tpl_list_add(l);
			tpl_set(x, "line", arena_printf(req->arena, "%zu", r->problems[i].line));
			tpl_set(x, "column", r->problems[i].column);
			tpl_set(x, "message", tr(req->lang, r->problems[i].message));
		}
		if (r->total_problems > r->nproblems)
			tpl_set(v, "more",
				web_count(req, (int64_t)(r->total_problems - r->nproblems)));
	}
	rc = web_render_page(req, res, "obs_import", N_("Import observatory data"), v);
	if (!rc && (error || (r && r->total_problems && !r->imported)))
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_obs_import_form(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0, NULL);
}

/* The records go to the caller's own organisation (a provider submits its data), or to the
 * provider an analyst chose. */
int web_obs_import(http_request *req, http_response *res)
{
	const principal *p = principal_of(req);
	int64_t provider = p->organisation_id;
	const char *chosen = http_form(req, "provider");
	if (chosen && *chosen) {
		organisation o;
		char *end;
		long long id = strtoll(chosen, &end, 10);
		if (*end || org_get(services_of(req)->db, req->arena, id, &o) ||
		    !may_import_for(p, &o))
			return render(req, res, NULL, 0, N_("Choose a data provider."));
		provider = id;
	}
	if (!req->upload.present || !req->upload.size)
		return render(req, res, NULL, 0, N_("Choose a CSV file to import."));
	int fd = open(req->upload.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	size_t n = (size_t)req->upload.size;
	void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return PONTE_EIO;
	obs_import_result *r = arena_calloc(req->arena, 1, sizeof(*r));
	const char *skip = http_form(req, "skip_invalid");
	const char *format = http_form(req, "format");
	if (!format || strcmp(format, "htcds") != 0)
		format = "ctdc";
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)provider);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = "obs.import",
			  .object_type = "organisation",
			  .object_id = id,
			  .outcome = "success",
			  .client = p->client };
	/* A success is audited in the transaction that writes the records. */
	int rc = r ? obs_import_audited(&services_of(req)->env, format, provider, map, n,
					skip && strcmp(skip, "1") == 0, &e, r)
		   : PONTE_ENOMEM;
	munmap(map, n);
	if (rc)
		principal_audit(services_of(req)->db, p, "obs.import", "organisation", provider,
				"failure", false);
	if (rc && rc != PONTE_EINVAL)
		return rc;
	return render(req, res, r, rc, NULL);
}
