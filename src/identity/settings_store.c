/* Settings an administrator may change: session lifetimes, the 2FA policy, the knowledge base's
 * and the observatory's. */
#include "base/tz.h"
#include "i18n/i18n.h"
#include "identity/identity.h"

static const char SQL_LIST[] = "SELECT key, value FROM settings ORDER BY key";
static const char SQL_GET[] = "SELECT value FROM settings WHERE key = ?1";
static const char SQL_SET[] = "UPDATE settings SET value = ?2 WHERE key = ?1";

/* Each setting and its allowed range; all are whole numbers. */
static const struct {
	const char *key;
	long min, max;
} KNOWN[] = {
	{ "session_idle_minutes", 1, 24 * 60 },
	{ "session_absolute_hours", 1, 24 * 30 },
	{ "api_token_hours", 1, 24 * 365 },
	{ "require_2fa_for_flagged_roles", 0, 1 },
	{ "knowledge_public_read", 0, 1 },
	{ "knowledge_self_publish", 0, 1 },
	{ "obs_dp_only", 0, 1 },
	/* Perturbed counts are never 1 or 2 (OBS_CKM_JS): a threshold of 3 withholds nothing. */
	{ "obs_min_count", 3, 100 },
	/* Arabic pages: numbers and dates in Eastern Arabic digits (1) or Western ones (0). */
	{ "arabic_eastern_digits", 0, 1 },
};

static int store_value(store *db, const char *key, const char *text)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_SET, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, key, strlen(key));
	store_bind_text(st, 2, text, strlen(text));
	return store_run(st);
}

int setting_set(store *db, const char *key, const char *value)
{
	/* The language a language pack's missing words come from before English: one of the
	 * shipped languages, whose catalogues are complete (docs/i18n.md). */
	if (!strcmp(key, "second_language")) {
		for (int lang = 0; lang < LANG_COUNT; lang++)
			if (!strcmp(value, i18n_lang(lang)->code))
				return store_value(db, key, value);
		return PONTE_EINVAL;
	}
	/* The installation's time zone, in which pages show times: a zone of the system's tz
	 * database that can be read (i18n/format.h). */
	if (!strcmp(key, "time_zone"))
		return tz_get(value) ? store_value(db, key, value) : PONTE_EINVAL;
	for (size_t i = 0; i < ARRAY_LEN(KNOWN); i++) {
		if (strcmp(KNOWN[i].key, key) != 0)
			continue;
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || *end || end == value || v < KNOWN[i].min || v > KNOWN[i].max)
			return PONTE_EINVAL;
		char text[24];
		snprintf(text, sizeof(text), "%ld", v);
		return store_value(db, key, text);
	}
	return PONTE_ENOTFOUND;
}

int setting_list(store *db, setting_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		rc = fn(store_col_text(st, 0, NULL), store_col_text(st, 1, NULL), ctx);
		if (rc)
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

long setting_get_int(store *db, const char *key, long fallback)
{
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(db, &c) || store_prepare(c, SQL_GET, &st))
		return fallback;
	store_bind_text(st, 1, key, strlen(key));
	long v = fallback;
	if (store_step(st) == STORE_ROW) {
		const char *text = store_col_text(st, 0, NULL);
		char *end;
		long n = text ? strtol(text, &end, 10) : 0;
		if (text && *text && !*end)
			v = n;
	}
	store_reset(st);
	return v;
}

void setting_get_text(store *db, const char *key, const char *fallback, char *out, size_t n)
{
	store_conn *c;
	store_stmt *st;
	snprintf(out, n, "%s", fallback);
	if (store_conn_get(db, &c) || store_prepare(c, SQL_GET, &st))
		return;
	store_bind_text(st, 1, key, strlen(key));
	if (store_step(st) == STORE_ROW && !store_col_is_null(st, 0))
		snprintf(out, n, "%s", store_col_text(st, 0, NULL));
	store_reset(st);
}
