/* The legal clocks and confirmation rules of each country, as data administrators change:
 * 'ZZ' holds the defaults every country follows unless it has its own value. */
#include "cases/cases.h"
#include "i18n/i18n.h"

static const struct {
	const char *rule, *label;
	int max;
} RULES[] = {
	{ "reflection_days", N_("Recovery and reflection period (days)"), 365 },
	{ "referral_answer_hours", N_("Time to answer a referral (hours)"), 720 },
	{ "urgent_referral_answer_hours", N_("Time to answer an urgent referral (hours)"), 720 },
	{ "safety_review_days", N_("Safety plan review interval (days)"), 365 },
	{ "high_risk_review_days", N_("Review interval at high risk (days)"), 365 },
	{ "permit_notice_days", N_("Notice before a residence permit expires (days)"), 365 },
	{ "compensation_filing_days", N_("Compensation filing window (days)"), 3650 },
	{ "trm_answer_days", N_("Time to answer a referral from another country (days)"), 90 },
};

/* clang-format off */
static const char SQL_LIST[] =
    "SELECT country, rule, value FROM country_rules ORDER BY country = 'ZZ' DESC, country, rule";
static const char SQL_SET[] =
    "INSERT INTO country_rules(country, rule, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(country, rule) DO UPDATE SET value = excluded.value";
static const char SQL_UNSET[] =
    "DELETE FROM country_rules WHERE country = ?1 AND rule = ?2 AND country <> 'ZZ'";
static const char SQL_CONFIRMERS[] =
    "SELECT country, group_concat(org_type, ',') FROM (SELECT country, org_type FROM "
    "status_confirmers ORDER BY country = 'ZZ' DESC, country, org_type) GROUP BY country "
    "ORDER BY country = 'ZZ' DESC, country";
static const char SQL_CONFIRMERS_PG[] =
    "SELECT country, string_agg(org_type, ',' ORDER BY org_type) FROM status_confirmers "
    "GROUP BY country ORDER BY country = 'ZZ' DESC, country";
static const char SQL_CLEAR_CONFIRMERS[] = "DELETE FROM status_confirmers WHERE country = ?1";
static const char SQL_ADD_CONFIRMER[] =
    "INSERT INTO status_confirmers(country, org_type) VALUES (?1, ?2)";
static const char SQL_VALUE[] =
    "SELECT value FROM country_rules WHERE rule = ?2 AND country IN (?1, 'ZZ') "
    "ORDER BY country = 'ZZ' LIMIT 1";
/* clang-format on */

int64_t country_rule_value(store *db, const char *country, const char *rule, int64_t fallback)
{
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, SQL_VALUE, &st))
		return fallback;
	store_bind_text(st, 1, country, strlen(country));
	store_bind_text(st, 2, rule, strlen(rule));
	int64_t value = fallback;
	if (store_step(st) == STORE_ROW)
		value = store_col_int64(st, 0);
	store_reset(st);
	return value;
}

const char *country_rule_label(const char *rule, int *max)
{
	for (size_t i = 0; rule && i < ARRAY_LEN(RULES); i++)
		if (strcmp(RULES[i].rule, rule) == 0) {
			if (max)
				*max = RULES[i].max;
			return RULES[i].label;
		}
	return NULL;
}

const char *country_rule_at(size_t i)
{
	return i < ARRAY_LEN(RULES) ? RULES[i].rule : NULL;
}

int country_rules_list(store *db, arena *a, country_rule_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW)
		if ((rc = fn(store_col_dup(a, st, 0), store_col_dup(a, st, 1),
			     store_col_int64(st, 2), ctx)))
			break;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int check_country(store *db, const char *country, field_errors *e)
{
	if (!country || (strcmp(country, "ZZ") != 0 && !country_known(db, country))) {
		field_errors_add(e, "country", N_("Choose a country from the list."));
		return PONTE_EINVAL;
	}
	return 0;
}

int country_rule_set(store *db, const principal *p, const char *country, const char *rule,
		     const char *value, field_errors *e)
{
	field_errors_clear(e);
	int max = 0;
	check_country(db, country, e);
	if (!country_rule_label(rule, &max))
		field_errors_add(e, "rule", N_("Choose from the list."));
	char *end = NULL;
	long v = value ? strtol(value, &end, 10) : -1;
	if (!value || !*value || *end || v < 0 || (max && v > max))
		field_errors_add(e, "value", N_("Give a whole number in the range shown."));
	if (e->count)
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_SET, &st))) {
		store_bind_text(st, 1, country, strlen(country));
		store_bind_text(st, 2, rule, strlen(rule));
		store_bind_int64(st, 3, v);
		rc = store_run(st);
	}
	principal_audit(db, p, "rules.set", "country_rule", 0, rc ? "failure" : "success", false);
	return rc;
}

int country_rule_unset(store *db, const principal *p, const char *country, const char *rule)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_UNSET, &st))) {
		store_bind_text(st, 1, country ? country : "", country ? strlen(country) : 0);
		store_bind_text(st, 2, rule ? rule : "", rule ? strlen(rule) : 0);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
	}
	principal_audit(db, p, "rules.unset", "country_rule", 0, rc ? "failure" : "success", false);
	return rc;
}

int status_confirmers_list(store *db, arena *a, confirmers_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, store_is_pg(db) ? SQL_CONFIRMERS_PG : SQL_CONFIRMERS, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW)
		if ((rc = fn(store_col_dup(a, st, 0), store_col_dup(a, st, 1), ctx)))
			break;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int status_confirmers_set(store *db, const principal *p, const char *country, const char *org_types,
			  field_errors *e)
{
	field_errors_clear(e);
	check_country(db, country, e);
	size_t n;
	const case_code *codes = status_decision_codes("decider", &n);
	const char *types = org_types ? org_types : "";
	for (const char *s = types; *s && !e->count;) {
		size_t len = strcspn(s, ",");
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= strlen(codes[i].code) == len && memcmp(codes[i].code, s, len) == 0;
		if (!known)
			field_errors_add(e, "org_types", N_("Choose from the list."));
		s += len + (s[len] == ',');
	}
	if (!e->count && strcmp(country, "ZZ") == 0 && !*types)
		field_errors_add(e, "org_types",
				 N_("The defaults need at least one type of organisation."));
	if (e->count)
		return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_begin_on(db, &c);
	bool begun = !rc;
	if (!rc && !(rc = store_prepare(c, SQL_CLEAR_CONFIRMERS, &st))) {
		store_bind_text(st, 1, country, strlen(country));
		rc = store_run(st);
	}
	/* None listed: the country follows the defaults again. */
	for (const char *s = types; !rc && *s;) {
		size_t len = strcspn(s, ",");
		if (!(rc = store_prepare(c, SQL_ADD_CONFIRMER, &st))) {
			store_bind_text(st, 1, country, strlen(country));
			store_bind_text(st, 2, s, len);
			rc = store_run(st);
		}
		s += len + (s[len] == ',');
	}
	if (!rc)
		rc = principal_audit(db, p, "rules.confirmers", "country_rule", 0, "success", true);
	if (begun && !rc)
		rc = store_commit(c);
	if (begun && rc)
		store_rollback(c);
	return rc;
}
