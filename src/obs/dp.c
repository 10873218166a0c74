/* Differentially private counts: the two-sided geometric mechanism over the whole domain of
 * each table.
 *
 * Why the whole domain: publishing only the cells that have records would reveal, by a
 * cell's presence, that someone is in it. Every combination of the domain's values is
 * released, zeros included, each with its own noise.
 *
 * Why this mechanism: counts are integers; the geometric mechanism (a discrete Laplace) adds
 * integer noise with P(x) proportional to exp(-epsilon |x| / sensitivity), which gives
 * epsilon-differential privacy for a table whose cells change by at most `sensitivity` in
 * total when one record is added or removed. The noise is drawn by inverting the geometric
 * distribution from 53 random bits of libsodium's generator; no floating-point Laplace
 * sample is rounded (the weakness Mironov described). */
#include <math.h>

#include "base/json.h"
#include "crypto/crypto.h"
#include "obs/ctdc.h"
#include "obs/release.h"

/* Failures before the first success, success probability 1 - alpha: P(G >= k) = alpha^k. */
static int64_t geometric(double alpha)
{
	uint64_t bits;
	crypto_random(&bits, sizeof(bits));
	double u = (double)((bits >> 11) + 1) * 0x1.0p-53; /* (0, 1] */
	double g = floor(log(u) / log(alpha));
	return g > 1e9 ? 1000000000 : (int64_t)g;
}

int64_t obs_geometric_noise(double epsilon, double sensitivity)
{
	double alpha = exp(-epsilon / sensitivity);
	return geometric(alpha) - geometric(alpha);
}

/* The x such that |noise| <= x for 95 % of the draws. */
static int64_t interval95(double epsilon, double sensitivity)
{
	double alpha = exp(-epsilon / sensitivity);
	/* P(|X| >= w) = 2 alpha^w / (1 + alpha) */
	double w = ceil(log(0.05 * (1 + alpha) / 2) / log(alpha));
	return w < 1 ? 0 : (int64_t)w - 1;
}

/* ---- domains ---- */

static const char *const STATUSES[] = { "presumed", "pending", "confirmed", "not_confirmed",
					"not_considered" };

struct domain {
	const char **v;
	size_t n;
	size_t sensitivity; /* the values one record may count in */
};

static int add(struct domain *d, const char *v, size_t cap)
{
	if (d->n >= cap)
		return PONTE_ELIMIT;
	d->v[d->n++] = v;
	return 0;
}

struct country_ctx {
	arena *a;
	struct domain *d;
	size_t cap;
};

static int add_country(const char *code, const char *name, void *ctx)
{
	(void)name;
	struct country_ctx *c = ctx;
	return add(c->d, arena_strdup(c->a, code), c->cap);
}

static int flags_of(struct domain *d, enum target t, size_t cap)
{
	int rc = 0;
	for (size_t i = 0; i < CTDC_COLUMNS && !rc; i++)
		if (CTDC[i].target == t)
			rc = add(d, CTDC[i].code, cap);
	d->sensitivity = d->n;
	if (!rc)
		rc = add(d, "none", cap);
	return rc;
}

/* Every value a dimension can take, "missing" last. */
static int domain_of(store *db, arena *a, const char *dim, const obs_release_request *rq,
		     struct domain *d)
{
	size_t cap = 400;
	d->v = arena_calloc(a, cap, sizeof(*d->v));
	d->n = 0;
	d->sensitivity = 1;
	if (!d->v)
		return PONTE_ENOMEM;
	int rc = 0;
	if (strcmp(dim, "year") == 0) {
		/* The records counted are those of these years: no "missing". */
		for (int y = rq->year_from; y <= rq->year_to && !rc; y++)
			rc = add(d, arena_printf(a, "%d", y), cap);
		return rc;
	} else if (strcmp(dim, "gender") == 0) {
		for (size_t i = 0; i < NGENDERS && !rc; i++)
			rc = add(d, GENDERS[i][1], cap);
	} else if (strcmp(dim, "age_band") == 0) {
		for (size_t i = 0; i < NAGES && !rc; i++)
			rc = add(d, AGES[i], cap);
	} else if (strcmp(dim, "majority") == 0) {
		for (size_t i = 0; i < NMAJORITY && !rc; i++)
			rc = add(d, MAJORITY[i][1], cap);
	} else if (strcmp(dim, "source") == 0) {
		for (size_t i = 0; i < NSOURCES && !rc; i++)
			rc = add(d, SOURCES[i][1], cap);
	} else if (strcmp(dim, "flow") == 0) {
		rc = add(d, "domestic", cap);
		if (!rc)
			rc = add(d, "transnational", cap);
	} else if (strcmp(dim, "status") == 0) {
		for (size_t i = 0; i < ARRAY_LEN(STATUSES) && !rc; i++)
			rc = add(d, STATUSES[i], cap);
	} else if (strcmp(dim, "citizenship") == 0 || strcmp(dim, "country_of_exploitation") == 0) {
		struct country_ctx c = { a, d, cap };
		rc = country_list(db, a, "en", add_country, &c);
	} else if (strcmp(dim, "exploitation") == 0) {
		rc = flags_of(d, T_EXPLOITATION, cap);
	} else if (strcmp(dim, "control") == 0) {
		rc = flags_of(d, T_CONTROL, cap);
	} else {
		return PONTE_EINVAL; /* provider: the datasets themselves */
	}
	return rc ? rc : add(d, "missing", cap);
}

static size_t index_in(const struct domain *d, const char *v)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i], v) == 0)
			return i;
	return d->n;
}

/* The exact counts of a table over the records of the release's years: a table by year
 * leaves the other years out by its domain, any other table is counted year by year, so
 * that every table of a release counts the same records. */
static int exact_counts(const keyed_store *env, const obs_release_request *rq,
			const char *const *by, const struct release_out *o, arena *a,
			const struct domain *d1, const struct domain *d2, int64_t *exact)
{
	size_t n2 = by[1] ? d2->n : 1;
	bool timed = strcmp(by[0], "year") == 0 || (by[1] && strcmp(by[1], "year") == 0);
	int rc = 0;
	for (int year = rq->year_from; year <= (timed ? rq->year_from : rq->year_to) && !rc;
	     year++) {
		obs_query q = { .by = { by[0], by[1] }, .exact = true }; /* the noise comes after */
		if (o->provider_code) {
			q.where_dim[q.nwhere] = "provider";
			q.where_value[q.nwhere++] = o->provider_code;
		}
		if (!timed) {
			q.where_dim[q.nwhere] = "year";
			q.where_value[q.nwhere++] = arena_printf(a, "%d", year);
		}
		obs_cell *cells;
		size_t n;
		int64_t records;
		if ((rc = obs_stats(env, a, &q, &cells, &n, &records)))
			break;
		for (size_t i = 0; i < n; i++) {
			size_t x = index_in(d1, cells[i].value[0]);
			size_t y = by[1] ? index_in(d2, cells[i].value[1]) : 0;
			if (x < d1->n && y < n2) /* outside the domain (other years) */
				exact[x * n2 + y] += cells[i].count;
		}
	}
	return rc;
}

/* One table: exact counts, then noise on every cell of the domain; a negative count becomes
 * 0 (post-processing, which keeps the guarantee). */
static int dp_table(const keyed_store *env, const obs_release_request *rq, const char *const *by,
		    double epsilon, struct release_out *o, arena *a, bool first)
{
	struct domain d1, d2 = { 0 };
	int rc = domain_of(env->db, a, by[0], rq, &d1);
	if (!rc && by[1])
		rc = domain_of(env->db, a, by[1], rq, &d2);
	if (rc)
		return rc;
	size_t n2 = by[1] ? d2.n : 1;
	int64_t *exact = arena_calloc(a, d1.n * n2, sizeof(*exact));
	if (!exact)
		return PONTE_ENOMEM;
	if ((rc = exact_counts(env, rq, by, o, a, &d1, &d2, exact)))
		return rc;
	double sensitivity = (double)d1.sensitivity * (double)(by[1] ? d2.sensitivity : 1);
	for (size_t x = 0; x < d1.n && !rc; x++)
		for (size_t y = 0; y < n2 && !rc; y++) {
			int64_t v = exact[x * n2 + y] + obs_geometric_noise(epsilon, sensitivity);
			char count[24];
			snprintf(count, sizeof(count), "%lld", (long long)(v < 0 ? 0 : v));
			const char *row[] = { by[1] ? arena_printf(a, "%s_by_%s", by[0], by[1])
						    : by[0],
					      by[0],
					      d1.v[x],
					      by[1] ? by[1] : "",
					      by[1] ? d2.v[y] : "",
					      count };
			rc = release_row(o, row, ARRAY_LEN(row));
		}
	if (!rc)
		rc = buf_printf(&o->manifest,
				"%s{\"by\":[\"%s\"%s%s%s],\"cells\":%zu,\"sensitivity\":%.0f,"
				"\"epsilon\":%.6g,\"noise_scale\":%.6g,\"interval95\":%lld}",
				first ? "" : ",", by[0], by[1] ? ",\"" : "", by[1] ? by[1] : "",
				by[1] ? "\"" : "", d1.n * n2, sensitivity, epsilon,
				sensitivity / epsilon, (long long)interval95(epsilon, sensitivity));
	return rc;
}

/* ---- what else is published of the same records ---- */

struct others {
	const char *scope; /* "" for every provider */
	buf *manifest, *list;
	size_t n;
};

/* A release that is not private, of records this one counts too (the same provider's, or
 * every provider's on either side). */
static int other_release(const obs_release_info *x, void *ctx)
{
	struct others *o = ctx;
	if (strcmp(x->method, "dp") == 0)
		return 0; /* accounted for by the budget */
	if (*x->provider && *o->scope && strcmp(x->provider, o->scope) != 0)
		return 0;
	int rc = buf_printf(o->manifest,
			    "%s{\"version\":%lld,\"method\":\"%s\",\"dataset\":", o->n ? "," : "",
			    (long long)x->version, x->method);
	if (!rc)
		rc = json_cstring(o->manifest, *x->provider ? x->provider : "all providers");
	if (!rc)
		rc = buf_puts(o->manifest, "}");
	if (!rc)
		rc = buf_printf(o->list, "%sv%lld (%s)", o->n ? ", " : "", (long long)x->version,
				x->method);
	o->n++;
	return rc;
}

/* The query every view of the observatory publishes its counts with: the cell key method and
 * the instance's threshold (what the dashboard, the downloads and obs stats apply). */
static obs_query views_query(store *db)
{
	return (obs_query){ .suppress = setting_get_int(db, "obs_min_count", 5) };
}

/* The manifest's also_published and a paragraph of the note: a private release protects
 * nothing that another publication of the same records gives away, so it says what they
 * are, or that there are none (DP-only mode). */
static int also_published(const keyed_store *env, struct release_out *o, arena *a)
{
	bool dp_only = obs_dp_only(env->db);
	obs_query q = views_query(env->db);
	buf method;
	buf_init(&method, 4096);
	int rc = dp_only ? 0 : obs_method_note(&method, &q);
	const char *views =
	    dp_only ? "none: the observatory runs in DP-only mode (setting obs_dp_only), "
		      "its dashboards, downloads, reports and statistics publish no "
		      "count of these records"
		    : arena_printf(a,
				   "the observatory's dashboards, chart downloads, annual "
				   "reports, indicators and statistics (command line and "
				   "API) publish counts of the same records under the cell key "
				   "method, not differential privacy. %s",
				   method.data ? method.data : "");
	buf_release(&method);
	buf list;
	buf_init(&list, 1u << 16);
	if (!rc)
		rc = buf_puts(&o->manifest, ",\"also_published\":{\"dp_only\":");
	if (!rc)
		rc = buf_puts(&o->manifest, dp_only ? "true" : "false");
	if (!rc)
		rc = buf_puts(&o->manifest, ",\"views\":");
	if (!rc)
		rc = views ? json_cstring(&o->manifest, views) : PONTE_ENOMEM;
	if (!rc && !dp_only)
		rc = buf_puts(&o->manifest, ",\"views_method\":");
	if (!rc && !dp_only)
		rc = obs_method_json(&o->manifest, &q);
	if (!rc)
		rc = buf_puts(&o->manifest, ",\"releases\":[");
	struct others x = { o->provider_code ? o->provider_code : "", &o->manifest, &list, 0 };
	arena l;
	arena_init(&l, 256u << 20);
	if (!rc)
		rc = obs_release_list(env->db, &l, other_release, &x);
	arena_release(&l);
	if (!rc)
		rc = buf_puts(&o->manifest, "]}");
	if (!rc)
		rc = buf_printf(&o->note, "## What else is published of these records\n\n%s%s%s",
				dp_only ? "Nothing but private releases: " : "Elsewhere, ", views,
				dp_only ? "." : "");
	if (!rc && x.n)
		rc = buf_printf(&o->note,
				" Releases of the same records that are not private, made "
				"earlier: %s.",
				list.data);
	if (!rc)
		rc = buf_puts(&o->note,
			      dp_only && !x.n
				  ? "\n\n"
				  : " The guarantee of this release covers this release, and the "
				    "other private releases through the budget; it does not cover "
				    "what those publications reveal, and someone who combines them "
				    "with this release learns at least as much as they do.\n\n");
	buf_release(&list);
	return rc;
}

int release_dp(const keyed_store *env, const obs_release_request *rq, double epsilon_each,
	       obs_release_result *r, struct release_out *o)
{
	(void)r;
	for (size_t t = 0; t < rq->ntables; t++)
		for (int i = 0; i < 2; i++)
			if (rq->tables[t][i] && strcmp(rq->tables[t][i], "provider") == 0) {
				snprintf(r->why, sizeof(r->why),
					 "a differentially private release cannot count by "
					 "provider: providers are its datasets");
				return PONTE_EINVAL;
			}
	const char *head[] = {
		"table", "dimension_1", "value_1", "dimension_2", "value_2", "count"
	};
	int rc = release_row(o, head, ARRAY_LEN(head));
	if (!rc)
		rc =
		    buf_printf(&o->manifest,
			       "\"privacy\":{\"mechanism\":\"two-sided geometric (discrete "
			       "Laplace)\",\"epsilon\":%.6g,\"composition\":\"sequential over "
			       "the tables, parallel over the providers\",\"negative_counts\":"
			       "\"set to 0\",\"years\":[%d,%d],\"records_counted\":\"those "
			       "registered from %d to %d, in every table; records without a year "
			       "of registration are not counted\",\"tables\":[",
			       rq->epsilon, rq->year_from, rq->year_to, rq->year_from, rq->year_to);
	arena a;
	arena_init(&a, 64u << 20);
	for (size_t t = 0; t < rq->ntables && !rc; t++) {
		rc = dp_table(env, rq, rq->tables[t], epsilon_each, o, &a, t == 0);
		arena_release(&a);
	}
	if (!rc)
		rc = buf_puts(&o->manifest, "]");
	if (!rc)
		rc = buf_printf(
		    &o->note,
		    "## Method: differentially private counts\n\n"
		    "Every count was computed exactly and then given random noise from the "
		    "two-sided geometric mechanism (a discrete Laplace distribution), drawn from "
		    "a cryptographic random generator. The release as a whole satisfies "
		    "epsilon-differential privacy with epsilon = %.6g: whether or not any one "
		    "person's record is in the data changes the probability of any result by a "
		    "factor of at most e^epsilon. The epsilon is shared equally among the %zu "
		    "tables (%.6g each). Each table lists every combination of its values, zeros "
		    "included, so that a cell's presence reveals nothing; a table whose variable "
		    "can hold several values per person (type of exploitation, means of control) "
		    "has more noise, in proportion. Every table counts the records registered "
		    "from %d to %d, whether or not it is by year; records without a year of "
		    "registration are not counted. Negative results were "
		    "set to 0. The manifest gives, for each table, the noise scale and the "
		    "half-width within which 95%% of the noise falls: small counts are not "
		    "reliable, and totals of noisy cells add their noise. Each release spends "
		    "privacy budget of the data providers' datasets; when a dataset's budget is "
		    "spent, no further private release is made from it.\n\n",
		    rq->epsilon, rq->ntables, epsilon_each, rq->year_from, rq->year_to);
	if (!rc)
		rc = also_published(env, o, &a);
	arena_release(&a);
	return rc ? rc : buf_puts(&o->manifest, "}");
}
