/* The observatory's published releases: a public list and the files of each version.
 *
 * Releases are what the observatory publishes, disclosure-controlled by construction
 * (suppressed tables, differentially private counts, k-anonymous microdata): anyone may read
 * them, without signing in, as they would on the observatory's website. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_parse.h"
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

/* ---- the methodology note as a page ---- */

struct one {
	int64_t version;
	obs_release_info found;
	bool ok;
};

static int find_release(const obs_release_info *x, void *ctx)
{
	struct one *o = ctx;
	if (x->version == o->version) {
		o->found = *x;
		o->ok = true;
	}
	return 0;
}

static double number_at(const json_value *obj, const char *key, double otherwise)
{
	const json_value *v = json_get(obj, key);
	return v && v->type == JSON_NUMBER ? v->number : otherwise;
}

/* "Year × Gender": a table's variables in the reader's language. */
static const char *table_by(http_request *req, const json_value *by)
{
	const char *out = "";
	for (size_t i = 0; by && by->type == JSON_ARRAY && i < by->length; i++)
		if (by->items[i]->type == JSON_STRING)
			out =
			    arena_printf(req->arena, "%s%s%s", out, i ? " × " : "",
					 tr(req->lang, obs_dimension_label(by->items[i]->string)));
	return out;
}

/* The tables of a release with how each was protected: withheld cells (tables) or the
 * half-width of 95 % of the noise (differential privacy). */
static void add_tables(http_request *req, tpl_vars *v, const json_value *tables, bool dp)
{
	tpl_list *rows = tables && tables->type == JSON_ARRAY && tables->length
			     ? tpl_set_list(v, "tables")
			     : NULL;
	for (size_t i = 0; rows && i < tables->length; i++) {
		const json_value *t = tables->items[i];
		tpl_vars *x = tpl_list_add(rows);
		tpl_set(x, "by", table_by(req, json_get(t, "by")));
		tpl_set(x, "cells", web_count(req, (int64_t)number_at(t, "cells", 0)));
		tpl_set(x, "protection",
			dp ? arena_printf(req->arena, "± %s",
					  web_count(req, (int64_t)number_at(t, "interval95", 0)))
			   : web_count(req, (int64_t)number_at(t, "withheld", 0)));
	}
}

/* /observatory/releases/{version}/methodology: how the release was made and how it protects
 * the people in it, in the reader's language and printable; the note as published
 * (methodology.md, in English) stays a download beside the data. */
static int method_page(http_request *req, http_response *res, int64_t version)
{
	struct one o = { .version = version };
	int rc = obs_release_list(services_of(req)->db, req->arena, find_release, &o);
	if (rc)
		return rc;
	if (!o.ok)
		return PONTE_ENOTFOUND;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const obs_release_info *x = &o.found;
	tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)x->version));
	tpl_set(v, "method", tr(req->lang, method_label(x->method)));
	web_set_when(req, v, "date", x->created_at, false);
	tpl_set(v, "dataset", *x->provider ? x->provider : tr(req->lang, N_("All providers")));
	json_value *m = NULL;
	char err[64];
	if (x->manifest &&
	    json_parse(req->arena, x->manifest, strlen(x->manifest), &m, err, sizeof(err)) != 0)
		m = NULL;
	const json_value *source = m ? json_get(m, "source") : NULL,
			 *privacy = m ? json_get(m, "privacy") : NULL;
	if (source)
		tpl_set(v, "records", web_count(req, (int64_t)number_at(source, "records", 0)));
	bool dp = strcmp(x->method, "dp") == 0, microdata = strcmp(x->method, "microdata") == 0;
	if (dp) {
		tpl_set_bool(v, "dp", true);
		tpl_set(v, "epsilon",
			arena_printf(req->arena, "%g", number_at(privacy, "epsilon", 0)));
		const json_value *years = privacy ? json_get(privacy, "years") : NULL;
		if (years && years->type == JSON_ARRAY && years->length == 2)
			tpl_set(v, "years",
				arena_printf(req->arena, "%.0f–%.0f", years->items[0]->number,
					     years->items[1]->number));
	} else if (microdata) {
		tpl_set_bool(v, "microdata", true);
		tpl_set(v, "k", web_count(req, (int64_t)number_at(privacy, "k", 0)));
		tpl_set(v, "l", web_count(req, (int64_t)number_at(privacy, "l", 0)));
		tpl_set(v, "released", web_count(req, (int64_t)number_at(privacy, "released", 0)));
		tpl_set(v, "suppressed",
			web_count(req, (int64_t)number_at(privacy, "suppressed", 0)));
	} else {
		const json_value *ckm = privacy ? json_get(privacy, "method") : NULL;
		int64_t k = (int64_t)number_at(ckm, "threshold", 0),
			d = (int64_t)number_at(ckm, "D", OBS_CKM_D);
		tpl_set_bool(v, "cell_key", true);
		tpl_set(v, "k", web_count(req, k));
		tpl_set(v, "ckm_d", web_count(req, d));
		tpl_set(v, "k_max", web_count(req, k - 1 + d));
	}
	add_tables(req, v, privacy ? json_get(privacy, "tables") : NULL, dp);
	return web_render_page(req, res, "obs_release_method", N_("Methodology note"), v);
}

/* /observatory/releases/{version}/{file}: one of the files a release holds, as a download, or
 * its methodology note as a page. */
int web_obs_release_file(http_request *req, http_response *res)
{
	int64_t version;
	const char *name = req->nparams > 1 ? req->params[1] : NULL;
	if (!http_param_id(req, 0, &version))
		return PONTE_ENOTFOUND;
	if (name && strcmp(name, "methodology") == 0)
		return method_page(req, res, version);
	if (!obs_release_file_known(name))
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
