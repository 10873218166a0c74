/* The observatory's published releases: a public list and the files of each version.
 *
 * Releases are what the observatory publishes, disclosure-controlled by construction
 * (suppressed tables, differentially private counts, k-anonymous microdata): anyone may read
 * them, without signing in, as they would on the observatory's website. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n/i18n.h"
#include "obs/obs.h"
#include "services/services.h"
#include "web/web.h"

static const char *method_label(const char *method)
{
	if (strcmp(method, "dp") == 0)
		return N_("Counts with differential privacy");
	if (strcmp(method, "microdata") == 0)
		return N_("k-anonymised records");
	return N_("Tables with small counts withheld");
}

struct list {
	http_request *req;
	tpl_list *rows;
};

static int add_release(const obs_release_info *x, void *ctx)
{
	struct list *l = ctx;
	tpl_vars *v = tpl_list_add(l->rows);
	if (!v)
		return PONTE_ENOMEM;
	arena *a = l->req->arena;
	tpl_set(v, "version", arena_printf(a, "%lld", (long long)x->version));
	tpl_set(v, "method", tr(l->req->lang, method_label(x->method)));
	web_set_when(l->req, v, "date", x->created_at, false);
	tpl_set(v, "dataset", *x->provider ? x->provider : tr(l->req->lang, N_("All providers")));
	return 0;
}

static int releases_page(http_request *req, http_response *res, bool refused)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	struct list l = { req, v ? tpl_set_list(v, "releases") : NULL };
	if (!v || !l.rows)
		return PONTE_ENOMEM;
	if (refused)
		tpl_set(v, "dp_only", "1");
	int rc = obs_release_list(services_of(req)->db, req->arena, add_release, &l);
	if (rc)
		return rc;
	if (refused)
		http_refuse_page(res, PONTE_EDENIED);
	return web_render_page(req, res, "obs_releases", N_("Published observatory data"), v);
}

int web_obs_releases(http_request *req, http_response *res)
{
	return releases_page(req, res, false);
}

int web_obs_dp_only(http_request *req, http_response *res)
{
	return releases_page(req, res, true);
}

static const char *media_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return "text/plain; charset=utf-8";
	if (strcmp(dot, ".csv") == 0)
		return "text/csv; charset=utf-8";
	if (strcmp(dot, ".json") == 0)
		return "application/json";
	if (strcmp(dot, ".md") == 0)
		return "text/markdown; charset=utf-8";
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

/* /observatory/releases/{version}/{file}: one of the files a release holds, as a download. */
int web_obs_release_file(http_request *req, http_response *res)
{
	int64_t version;
	const char *name = req->nparams > 1 ? req->params[1] : NULL;
	if (!http_param_id(req, 0, &version) || !obs_release_file_known(name))
		return PONTE_ENOTFOUND;
	char path[4300];
	snprintf(path, sizeof(path), "%s/releases/v%lld/%s", services_of(req)->files_dir,
		 (long long)version, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return PONTE_ENOTFOUND;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return PONTE_ENOTFOUND;
	}
	res->file_fd = fd;
	res->file_size = (uint64_t)sb.st_size;
	res->content_type = media_type(name);
	http_set_header(res, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"ponte-release-%lld-%s\"",
				     (long long)version, name));
	return 0;
}
