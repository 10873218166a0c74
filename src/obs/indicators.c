/* Indicators per year: records, share of children, share of labour exploitation, and the
 * identification ratio against an estimate. */
#include "obs/obs.h"

static const char SQL_YEARS[] =
    "SELECT year, count(*), sum(majority = 'minor'), sum(majority IS NOT NULL), "
    "sum(exploitation_known AND instr(',' || exploitation || ',', ',forced_labour,') > 0), "
    "sum(exploitation_known), (SELECT estimate FROM obs_estimates e WHERE e.country = ?1 AND "
    "e.year = r.year) FROM obs_records r WHERE year IS NOT NULL AND (?1 IS NULL OR "
    "country_of_exploitation = ?1) AND (?2 IS NULL OR provider_id IN "
    "(SELECT id FROM organisations WHERE country = ?2)) AND (?3 = 0 OR provider_id = ?3) "
    "GROUP BY year ORDER BY year";
static const char SQL_ESTIMATE[] =
    "INSERT INTO obs_estimates(country, year, estimate, source) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(country, year) DO UPDATE SET estimate = excluded.estimate, "
    "source = excluded.source";

int obs_estimate_set(store *db, const char *country, int year, int64_t estimate, const char *source)
{
	if (!country_known(db, country) || year < 1900 || year > 2100 || estimate <= 0)
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_ESTIMATE, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, country, strlen(country));
	store_bind_int64(st, 2, year);
	store_bind_int64(st, 3, estimate);
	store_bind_text(st, 4, source ? source : "", source ? strlen(source) : 0);
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int obs_indicators(store *db, const obs_scope *scope, const char *country, obs_indicator_fn fn,
		   void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_YEARS, &st);
	if (rc)
		return rc;
	if (country && *country)
		store_bind_text(st, 1, country, strlen(country));
	if (scope && scope->country)
		store_bind_text(st, 2, scope->country, strlen(scope->country));
	store_bind_int64(st, 3, scope ? scope->provider : 0);
	while ((rc = store_step(st)) == STORE_ROW) {
		obs_indicator x = { .year = (int)store_col_int64(st, 0),
				    .records = store_col_int64(st, 1),
				    .children = store_col_int64(st, 2),
				    .age_informed = store_col_int64(st, 3),
				    .labour = store_col_int64(st, 4),
				    .exploitation_informed = store_col_int64(st, 5),
				    .estimate =
					store_col_is_null(st, 6) ? 0 : store_col_int64(st, 6) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* A count is small when it is below k without being zero: zero cells are published (an
 * absent category), small ones are not. */
static bool small(int64_t n, int64_t k)
{
	return n > 0 && n < k;
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
		return (obs_share){ OBS_SHARE_OF_KNOWN, (double)with / (double)known };
	}
	/* A share of all records can reveal, with their number, the count with the value and the
	 * count without it (known or not): never the small count of records not known. */
	if (small(with, k) || small(records - with, k))
		return (obs_share){ OBS_SHARE_SMALL_COUNT, 0 };
	return (obs_share){ OBS_SHARE_OF_ALL, (double)with / (double)records };
}
