/* What the referral module's files share: errors, time and who may act on a case. */
#include "referral/internal.h"

void ref_now(char out[CLOCK_RFC3339_LEN])
{
	clock_format_rfc3339(clock_wall_ms(), out);
}

void ref_bind_opt(store_stmt *st, int idx, const char *s)
{
	if (s && *s)
		store_bind_text(st, idx, s, strlen(s));
	else
		store_bind_null(st, idx);
}

const char *ref_text(arena *a, store_stmt *st, int col)
{
	const char *s = store_col_is_null(st, col) ? "" : store_col_text(st, col, NULL);
	return arena_strdup(a, s ? s : "");
}

bool ref_may_write(const principal *p, const case_scope *o)
{
	return principal_can_see(p, "case.social.write", o->owner_id, o->organisation_id,
				 o->country);
}

bool ref_may_read(const principal *p, const case_scope *o)
{
	return principal_can_see(p, "case.social.read", o->owner_id, o->organisation_id,
				 o->country);
}
