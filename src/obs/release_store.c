/* The SQL of observatory releases: records as released, versions, the privacy ledger. */
#include "base/clock.h"
#include "base/utf8.h"
#include "obs/release.h"

/* clang-format off */
static const char SQL_RECORDS[] =
    "SELECT year, gender, age_band, majority, citizenship, country_of_exploitation, source, "
    "status, CASE WHEN exploitation_known <> 0 THEN replace(exploitation, ',', ';') END, "
    "CASE WHEN control_known <> 0 THEN replace(control, ',', ';') END, "
    "CASE WHEN exploitation_known <> 0 THEN replace(labour_sector, ',', ';') END, "
    "CASE WHEN exploitation_known <> 0 THEN replace(sexual_sector, ',', ';') END, "
    "replace(recruiter_relation, ',', ';'), abduction "
    "FROM obs_records WHERE CAST(?1 AS BIGINT) IS NULL OR provider_id = ?1";
static const char SQL_NEXT_VERSION[] = "SELECT coalesce(max(version), 0) + 1 FROM obs_releases";
static const char SQL_DATASETS[] =
    "SELECT DISTINCT provider_id FROM obs_records WHERE CAST(?1 AS BIGINT) IS NULL OR "
    "provider_id = ?1 ORDER BY provider_id";
static const char SQL_BUDGET[] =
    "SELECT coalesce((SELECT epsilon FROM obs_privacy_budgets WHERE provider_id = ?1), "
    "?2), (SELECT coalesce(sum(epsilon), 0.0) FROM obs_privacy_spent WHERE provider_id = ?1)";
static const char SQL_INSERT[] =
    "INSERT INTO obs_releases(version, method, provider_id, manifest, created_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_SPEND[] =
    "INSERT INTO obs_privacy_spent(release_id, provider_id, epsilon) VALUES (?1, ?2, ?3)";
static const char SQL_BUDGET_CHANGE[] =
    "INSERT INTO obs_privacy_budget_changes(provider_id, epsilon_before, epsilon, reason, "
    "changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_SET_BUDGET[] =
    "INSERT INTO obs_privacy_budgets(provider_id, epsilon) VALUES (?1, ?2) "
    "ON CONFLICT(provider_id) DO UPDATE SET epsilon = excluded.epsilon";
static const char SQL_ORGANISATION[] = "SELECT 1 FROM organisations WHERE id = ?1";
static const char SQL_BUDGETS[] =
    "SELECT o.id, o.code, o.name, coalesce(b.epsilon, ?1), (SELECT coalesce(sum(epsilon), 0.0) FROM "
    "obs_privacy_spent s WHERE s.provider_id = o.id) FROM organisations o "
    "LEFT JOIN obs_privacy_budgets b ON b.provider_id = o.id "
    "WHERE b.provider_id IS NOT NULL OR EXISTS (SELECT 1 FROM obs_records r "
    "WHERE r.provider_id = o.id) ORDER BY o.code";
static const char SQL_BUDGET_CHANGES[] =
    "SELECT c.provider_id, coalesce(o.code, ''), c.epsilon_before, c.epsilon, c.reason, "
    "c.changed_by, c.changed_at FROM obs_privacy_budget_changes c "
    "LEFT JOIN organisations o ON o.id = c.provider_id "
    "WHERE CAST(?1 AS BIGINT) IS NULL OR c.provider_id = ?1 ORDER BY c.id DESC";
static const char SQL_LIST[] =
    "SELECT r.version, r.method, r.created_at, coalesce(o.code, ''), r.manifest "
    "FROM obs_releases r LEFT JOIN organisations o ON o.id = r.provider_id "
    "ORDER BY r.version DESC";
/* clang-format on */

static void bind_provider(store_stmt *st, int idx, int64_t provider)
{
	if (provider)
		store_bind_int64(st, idx, provider);
	else
		store_bind_null(st, idx);
}

static const char *text_or(store_stmt *st, int col, const char *missing)
{
	return store_col_is_null(st, col) ? missing : store_col_text(st, col, NULL);
}

int release_records(store *db, int64_t provider, release_record_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_RECORDS, &st);
	if (rc)
		return rc;
	bind_provider(st, 1, provider);
	while ((rc = store_step(st)) == STORE_ROW) {
		char year[16], abduction[4];
		snprintf(year, sizeof(year), "%lld", (long long)store_col_int64(st, 0));
		snprintf(abduction, sizeof(abduction), "%lld", (long long)store_col_int64(st, 13));
		const char *v[14];
		v[0] = store_col_is_null(st, 0) ? "missing" : year;
		for (int i = 1; i < 13; i++) {
			v[i] = text_or(st, i, "missing");
			if (i >= 8 && i <= 12 && !*v[i])
				v[i] = "none";
		}
		v[13] = store_col_is_null(st, 13) ? "missing" : abduction;
		if ((rc = fn(v, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int one_int(store_conn *c, const char *sql, int64_t *out)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	if (rc == STORE_ROW)
		*out = store_col_int64(st, 0);
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ESTORE;
}

int release_next_version(store_conn *c, int64_t *version)
{
	return one_int(c, SQL_NEXT_VERSION, version);
}

int release_datasets(store_conn *c, int64_t provider, int64_t *ids, size_t max, size_t *n)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_DATASETS, &st);
	if (rc)
		return rc;
	bind_provider(st, 1, provider);
	*n = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == max) {
			rc = PONTE_ELIMIT;
			break;
		}
		ids[(*n)++] = store_col_int64(st, 0);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* The budget of a dataset without its own: the setting obs_epsilon_budget, else 3. */
static double default_budget(store *db)
{
	char value[32];
	setting_get_text(db, "obs_epsilon_budget", "", value, sizeof(value));
	return *value ? strtod(value, NULL) : 3.0;
}

int release_budget(store *db, int64_t provider, double *budget, double *spent)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_BUDGET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, provider);
	store_bind_double(st, 2, default_budget(db));
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*budget = store_col_double(st, 0);
		*spent = store_col_double(st, 1);
	}
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ESTORE;
}

/* Now as these tables keep it, to the second: "YYYY-MM-DDTHH:MM:SSZ" at ?idx. */
static void bind_now(store_stmt *st, int idx)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	now[19] = 'Z';
	store_bind_text(st, idx, now, 20);
}

int release_insert(store_conn *c, int64_t version, const char *method, int64_t provider,
		   const char *manifest, int64_t user_id, int64_t *id)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_INSERT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, version);
	store_bind_text(st, 2, method, strlen(method));
	bind_provider(st, 3, provider);
	store_bind_text(st, 4, manifest, strlen(manifest));
	bind_provider(st, 5, user_id);
	bind_now(st, 6);
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc;
	*id = store_last_insert_id(c);
	return 0;
}

int release_spend(store_conn *c, int64_t release_id, int64_t provider, double epsilon)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_SPEND, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, release_id);
	store_bind_int64(st, 2, provider);
	store_bind_double(st, 3, epsilon);
	return store_run(st);
}

bool obs_dp_only(store *db)
{
	return setting_get_int(db, "obs_dp_only", 0) == 1;
}

int obs_budget_get(store *db, int64_t provider, double *budget, double *spent)
{
	return release_budget(db, provider, budget, spent);
}

/* A reason says something: valid text of at most OBS_REASON_MAX bytes, and at least
 * OBS_REASON_MIN characters once the spaces around it are set aside. */
static bool reason_valid(const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;
	if (!n || n > OBS_REASON_MAX || !utf8_valid_text(reason, n))
		return false;
	const char *start = reason, *end = reason + n;
	while (start < end && strchr(" \t\r\n", *start))
		start++;
	while (end > start && strchr(" \t\r\n", end[-1]))
		end--;
	return utf8_length(start, (size_t)(end - start)) >= OBS_REASON_MIN;
}

int obs_budget_change(store *db, const principal *by, int64_t provider, double budget,
		      const char *reason)
{
	if (!principal_can(by, "obs.budget")) {
		principal_audit(db, by, "obs.budget.change", "organisation", provider, "denied",
				false);
		return PONTE_EDENIED;
	}
	if (!(budget > 0) || budget > 100 || !reason_valid(reason))
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	double before, spent;
	int rc = store_begin_on(db, &c);
	if (rc)
		return rc;
	int64_t known = 0;
	if (!(rc = store_prepare(c, SQL_ORGANISATION, &st))) {
		store_bind_int64(st, 1, provider);
		rc = store_step(st);
		known = rc == STORE_ROW;
		store_reset(st);
		rc = rc < 0 ? rc : known ? 0 : PONTE_ENOTFOUND;
	}
	if (!rc)
		rc = release_budget(db, provider, &before, &spent);
	if (!rc && !(rc = store_prepare(c, SQL_BUDGET_CHANGE, &st))) {
		store_bind_int64(st, 1, provider);
		store_bind_double(st, 2, before);
		store_bind_double(st, 3, budget);
		store_bind_text(st, 4, reason, strlen(reason));
		store_bind_int64(st, 5, by->user_id);
		bind_now(st, 6);
		rc = store_run(st);
	}
	if (!rc && !(rc = store_prepare(c, SQL_SET_BUDGET, &st))) {
		store_bind_int64(st, 1, provider);
		store_bind_double(st, 2, budget);
		rc = store_run(st);
	}
	if (!rc)
		rc = principal_audit(db, by, "obs.budget.change", "organisation", provider,
				     "success", true);
	return store_finish(c, rc);
}

int obs_budget_list(store *db, arena *a, obs_budget_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_BUDGETS, &st);
	if (rc)
		return rc;
	store_bind_double(st, 1, default_budget(db));
	while ((rc = store_step(st)) == STORE_ROW) {
		obs_budget_info x = { .provider_id = store_col_int64(st, 0),
				      .provider = store_col_dup(a, st, 1),
				      .name = store_col_dup(a, st, 2),
				      .budget = store_col_double(st, 3),
				      .spent = store_col_double(st, 4) };
		if (!x.provider || !x.name) {
			rc = PONTE_ENOMEM;
			break;
		}
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int obs_budget_changes(store *db, arena *a, int64_t provider, obs_budget_change_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_BUDGET_CHANGES, &st);
	if (rc)
		return rc;
	bind_provider(st, 1, provider);
	while ((rc = store_step(st)) == STORE_ROW) {
		obs_budget_change_info x = {
			.provider_id = store_col_int64(st, 0),
			.provider = store_col_dup(a, st, 1),
			.before = store_col_double(st, 2),
			.budget = store_col_double(st, 3),
			.reason = store_col_dup(a, st, 4),
			.changed_by = store_col_int64(st, 5),
			.changed_at = store_col_dup(a, st, 6),
		};
		if (!x.provider || !x.reason || !x.changed_at) {
			rc = PONTE_ENOMEM;
			break;
		}
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int obs_release_list(store *db, arena *a, obs_release_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		obs_release_info x = { .version = store_col_int64(st, 0),
				       .method = store_col_dup(a, st, 1),
				       .created_at = store_col_dup(a, st, 2),
				       .provider = store_col_dup(a, st, 3),
				       .manifest = store_col_dup(a, st, 4) };
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
