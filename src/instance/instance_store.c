#include "base/clock.h"
#include "base/utf8.h"
#include "instance/instance.h"

static const char SQL_GET[] = "SELECT name, country, created_at FROM instance WHERE id = 1";
static const char SQL_SET[] =
    "INSERT INTO instance(id, name, country, created_at) VALUES (1, ?1, ?2, ?3) "
    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, country = excluded.country";

bool instance_name_valid(const char *name)
{
	size_t n = strlen(name);
	size_t chars = utf8_length(name, n);
	return n > 0 && chars <= 200 && utf8_valid_text(name, n) && !strpbrk(name, "\r\n\t");
}

bool instance_country_valid(const char *country)
{
	return strlen(country) == 2 && country[0] >= 'A' && country[0] <= 'Z' &&
	       country[1] >= 'A' && country[1] <= 'Z';
}

int instance_set(store *s, const char *name, const char *country)
{
	if (!instance_name_valid(name) || !instance_country_valid(country))
		return PONTE_EINVAL;
	store_stmt *st;
	int rc = store_stmt_get(s, SQL_SET, &st);
	if (rc)
		return rc;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	store_bind_text(st, 1, name, strlen(name));
	store_bind_text(st, 2, country, 2);
	store_bind_text(st, 3, when, strlen(when));
	return store_run(st);
}

int instance_get(store *s, arena *a, instance_info *out)
{
	store_stmt *st;
	int rc = store_stmt_get(s, SQL_GET, &st);
	if (rc)
		return rc;
	if (!(rc = store_step_one(st))) {
		size_t n;
		const char *v = store_col_text(st, 0, &n);
		out->name = arena_strndup(a, v ? v : "", n);
		v = store_col_text(st, 1, &n);
		out->country = arena_strndup(a, v ? v : "", n);
		v = store_col_text(st, 2, &n);
		out->created_at = arena_strndup(a, v ? v : "", n);
		rc = out->name && out->country && out->created_at ? 0 : PONTE_ENOMEM;
		store_reset(st);
	}
	return rc;
}
