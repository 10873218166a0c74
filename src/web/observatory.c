/* The observatory's import page: a provider uploads a CTDC file for its organisation. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n/i18n.h"
#include "obs/obs.h"
#include "services/services.h"
#include "web/web.h"

static int render(http_request *req, http_response *res, const obs_import_result *r, int rc,
		  const char *error)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "csrf", principal_of(req)->csrf);
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	if (r) {
		tpl_set_bool(v, "done", true);
		tpl_set_bool(v, "written", rc == 0);
		tpl_set(v, "read", arena_printf(req->arena, "%zu", r->read));
		tpl_set(v, "imported", arena_printf(req->arena, "%zu", r->imported));
		tpl_set(v, "rejected", arena_printf(req->arena, "%zu", r->rejected));
		tpl_list *l = tpl_set_list(v, "problems");
		for (size_t i = 0; i < r->nproblems; i++) {
			tpl_vars *p = tpl_list_add(l);
			tpl_set(p, "line", arena_printf(req->arena, "%zu", r->problems[i].line));
			tpl_set(p, "column", r->problems[i].column);
			tpl_set(p, "message", tr(req->lang, r->problems[i].message));
		}
		if (r->total_problems > r->nproblems)
			tpl_set(v, "more",
				arena_printf(req->arena, "%zu", r->total_problems - r->nproblems));
	}
	rc = web_render_page(req, res, "obs_import", N_("Import observatory data"), v);
	if (!rc && (error || (r && r->total_problems && !r->imported)))
		res->status = 422;
	return rc;
}

int web_obs_import_form(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0, NULL);
}

/* The records go to the caller's own organisation: a provider submits its data. */
int web_obs_import(http_request *req, http_response *res)
{
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
	const principal *p = principal_of(req);
	const char *skip = http_form(req, "skip_invalid");
	int rc = r ? obs_import(&services_of(req)->env, "ctdc", p->organisation_id, map, n,
				skip && strcmp(skip, "1") == 0, r)
		   : PONTE_ENOMEM;
	munmap(map, n);
	principal_audit(services_of(req)->db, p, "obs.import", "organisation", p->organisation_id,
			rc ? "failure" : "success", false);
	if (rc && rc != PONTE_EINVAL)
		return rc;
	return render(req, res, r, rc, NULL);
}
