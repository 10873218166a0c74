/* The observatory's tables over the API: the figures of the pages, protected the same way, and
 * a provider's exact view of its own records. */
#include "api/api.h"
#include "base/json.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "obs/obs.h"
#include "services/services.h"

/* The query: by=DIM[,DIM2], a filter DIM=VALUE per dimension and format=json|csv (lang chooses
 * the language of errors). Anything else is refused with 400 naming it, as unknown fields of a
 * body are. */
static int read_query(http_request *req, http_response *res, obs_query *q, bool *csv,
		      bool *answered)
{
	*answered = false;
	const url_params *p = &req->query_params;
	for (size_t i = 0; i < p->count; i++) {
		const char *key = p->items[i].key;
		if (strcmp(key, "by") == 0 || strcmp(key, "lang") == 0 ||
		    strcmp(key, "format") == 0)
			continue;
		if (!obs_dimension_known(key) || q->nwhere == OBS_MAX_WHERE) {
			*answered = true;
			return api_unknown_field(req, res, NULL, key);
		}
		q->where_dim[q->nwhere] = key;
		q->where_value[q->nwhere++] = p->items[i].value;
	}
	const char *by = http_query(req, "by");
	char *copy = by ? arena_strdup(req->arena, by) : NULL,
	     *comma = copy ? strchr(copy, ',') : NULL;
	if (comma)
		*comma = '\0';
	q->by[0] = copy;
	q->by[1] = comma ? comma + 1 : NULL;
	const char *format = http_query(req, "format");
	*csv = format && strcmp(format, "csv") == 0;
	if (format && !*csv && strcmp(format, "json") != 0) {
		*answered = true;
		return http_refuse(req, res, PONTE_EINVAL, N_("Give format=json or format=csv."));
	}
	if (!copy || !obs_dimension_known(q->by[0]) ||
	    (q->by[1] && !obs_dimension_known(q->by[1]))) {
		*answered = true;
		return http_refuse(req, res, PONTE_EINVAL,
				   N_("Give by=DIM or by=DIM,DIM2 with dimensions of the "
				      "observatory."));
	}
	return 0;
}

/* The table as JSON, or as CSV with the method on its last line (obs_table_csv()): either way
 * the counts, the flags and the method of the command line's obs stats. */
static int answer(http_request *req, http_response *res, const obs_query *q, bool csv)
{
	obs_cell *cells;
	size_t n;
	int64_t records;
	int rc = obs_stats(&services_of(req)->env, req->arena, q, &cells, &n, &records);
	if (rc)
		return rc;
	if (csv) {
		res->content_type = "text/csv; charset=utf-8";
		http_set_header(res, "Content-Disposition",
				"attachment; filename=\"ponte-observatory.csv\"");
		return obs_table_csv(&res->body, q, cells, n);
	}
	res->content_type = "application/json";
	return obs_table_json(&res->body, q, cells, n, records);
}

/* GET /api/v1/observatory/stats: the records in the scope of the caller's stats.read (as the
 * dashboard counts them), published by the cell key method with the instance's threshold; in
 * DP-only mode, as the pages, nothing (403): the records are published only by private
 * releases. */
int api_obs_stats(http_request *req, http_response *res)
{
	const principal *p = principal_of(req);
	if (obs_dp_only(services_of(req)->db))
		return http_refuse(req, res, PONTE_EDENIED,
				   N_("This observatory publishes its figures only as releases "
				      "with differential privacy: dashboards, reports and "
				      "downloads of its counts are not available."));
	obs_query q = { .suppress = setting_get_int(services_of(req)->db, "obs_min_count", 5) };
	int rc = obs_scope_of(principal_scope(p, "stats.read"), p->country, p->organisation_id,
			      &q.scope);
	bool answered, csv;
	if (!rc)
		rc = read_query(req, res, &q, &csv, &answered);
	return rc || answered ? rc : answer(req, res, &q, csv);
}

/* GET /api/v1/observatory/own-stats: exact counts of the records the caller's own organisation
 * provided, for obs.submit (a data provider, an analyst for the records of its own body): they
 * are its own data, which it holds anyway. Whatever the filters, never another organisation's
 * records: the scope is the caller's organisation, not the permission's wider scope. */
int api_obs_own_stats(http_request *req, http_response *res)
{
	const principal *p = principal_of(req);
	obs_query q = { .exact = true, .scope = { .provider = p->organisation_id } };
	if (!p->organisation_id)
		return PONTE_EDENIED;
	bool answered, csv;
	int rc = read_query(req, res, &q, &csv, &answered);
	return rc || answered ? rc : answer(req, res, &q, csv);
}
