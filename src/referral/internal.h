/*
 * internal.h (internal to referral/): helpers the module's files share.
 */
#ifndef PONTE_REFERRAL_INTERNAL_H
#define PONTE_REFERRAL_INTERNAL_H

#include "base/clock.h"
#include "referral/referral.h"
#include "referral/sql.h"

void ref_error(ref_errors *e, const char *field, const char *message);
void ref_now(char out[CLOCK_RFC3339_LEN]);
/* Bind s, or NULL when s is NULL or empty. */
void ref_bind_opt(store_stmt *st, int idx, const char *s);
const char *ref_text(arena *a, store_stmt *st, int col);

struct case_owner {
	int64_t owner_id, organisation_id;
	char country[3];
};
int ref_case_owner(store_conn *c, int64_t case_id, struct case_owner *o);
/* Whether p may write the case (and so refer it, record its consents). */
bool ref_may_write(const principal *p, const struct case_owner *o);
/* Whether p may read the case. */
bool ref_may_read(const principal *p, const struct case_owner *o);

#endif
