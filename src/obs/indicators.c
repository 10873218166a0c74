/* Indicators per year: records, share of children, share of labour exploitation, and the
 * identification ratio against an estimate. */
#include "obs/obs.h"

static const char SQL_ESTIMATES[] =
    "SELECT year, estimate FROM obs_estimates WHERE country = ?1 ORDER BY year";
static const char SQL_ESTIMATE[] =
    "INSERT INTO obs_estimates(country, year, estimate, source) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(country, year) DO UPDATE SET estimate = excluded.estimate, "
    "source = excluded.source";

int obs_estimate_set(store *db, const char *country, int year, int64_t estimate, const char *source)
{
	if (!country_known(db, country) || year < 1900 || year > 2100 || estimate <= 0)
		return PONTE_EINVAL;
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_ESTIMATE, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, country, strlen(country));
	store_bind_int64(st, 2, year);
	store_bind_int64(st, 3, estimate);
	store_bind_text(st, 4, source ? source : "", source ? strlen(source) : 0);
	return store_run(st);
}

/* The published count of cell (a, b) of a table, 0 when it is not listed. */
static int64_t published(const obs_cell *cells, size_t n, const char *a, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].value[0], a) == 0 && (!b || strcmp(cells[i].value[1], b) == 0))
			return cells[i].count;
	return 0;
}

static int64_t estimate_of(store *db, const char *country, int year)
{
	store_conn *c;
	store_stmt *st;
	int64_t estimate = 0;
	if (!country || store_conn_get(db, &c) || store_prepare(c, SQL_ESTIMATES, &st))
		return 0;
	store_bind_text(st, 1, country, strlen(country));
	while (store_step(st) == STORE_ROW)
		if (store_col_int64(st, 0) == year)
			estimate = store_col_int64(st, 1);
	store_reset(st);
	return estimate;
}

int obs_indicators(store *db, const obs_scope *scope, const char *country, obs_indicator_fn fn,
		   void *ctx)
{
	/* Three tables, published like every other: records by year, by year and majority, by
	 * year and type of exploitation. */
	keyed_store env = { db, NULL };
	obs_query q[3] = { { .by = { "year", NULL } },
			   { .by = { "year", "majority" } },
			   { .by = { "year", "exploitation" } } };
	obs_cell *cells[3];
	size_t n[3];
	int64_t records;
	arena a;
	arena_init(&a, 16u << 20);
	int rc = 0;
	for (int t = 0; t < 3 && !rc; t++) {
		if (scope)
			q[t].scope = *scope;
		if (country && *country) {
			q[t].where_dim[0] = "country_of_exploitation";
			q[t].where_value[0] = country;
			q[t].nwhere = 1;
		}
		rc = obs_stats(&env, &a, &q[t], &cells[t], &n[t], &records);
	}
	for (size_t i = 0; !rc && i < n[0]; i++) {
		const char *year = cells[0][i].value[0];
		if (strcmp(year, "missing") == 0)
			continue;
		obs_indicator x = { .year = (int)strtol(year, NULL, 10),
				    .records = cells[0][i].count };
		x.children = published(cells[1], n[1], year, "minor");
		x.age_informed = x.records - published(cells[1], n[1], year, "missing");
		x.labour = published(cells[2], n[2], year, "forced_labour");
		x.exploitation_informed = x.records - published(cells[2], n[2], year, "missing");
		if (x.age_informed < 0)
			x.age_informed = 0;
		if (x.exploitation_informed < 0)
			x.exploitation_informed = 0;
		x.estimate = country && *country ? estimate_of(db, country, x.year) : 0;
		rc = fn(&x, ctx);
	}
	arena_release(&a);
	return rc;
}

/* A count is small when it is below k without being zero: zero cells are published (an
 * absent category), small ones are not. */
static bool small(int64_t n, int64_t k)
{
	return n > 0 && n < k;
}

double obs_fraction(int64_t count, int64_t base)
{
	if (base <= 0 || count <= 0)
		return 0;
	return count >= base ? 1.0 : (double)count / (double)base;
}

obs_share obs_share_of(int64_t with, int64_t known, int64_t records, int64_t k)
{
	if (records <= 0)
		return (obs_share){ OBS_SHARE_NO_RECORDS, 0 };
	if (records < k)
		return (obs_share){ OBS_SHARE_FEW_RECORDS, 0 };
	if (known <= 0)
		return (obs_share){ OBS_SHARE_NOT_KNOWN, 0 };
	if (!small(records - known, k)) {
		if (small(with, k) || small(known - with, k))
			return (obs_share){ OBS_SHARE_SMALL_COUNT, 0 };
		return (obs_share){ OBS_SHARE_OF_KNOWN, obs_fraction(with, known) };
	}
	/* A share of all records can reveal, with their number, the count with the value and the
	 * count without it (known or not): never the small count of records not known. */
	if (small(with, k) || small(records - with, k))
		return (obs_share){ OBS_SHARE_SMALL_COUNT, 0 };
	return (obs_share){ OBS_SHARE_OF_ALL, obs_fraction(with, records) };
}
