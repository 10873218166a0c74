/*
 * internal.h (internal to referral/): helpers the module's files share.
 */
#ifndef PONTE_REFERRAL_INTERNAL_H
#define PONTE_REFERRAL_INTERNAL_H

#include "base/clock.h"
#include "referral/referral.h"
#include "referral/sql.h"

void ref_now(char out[CLOCK_RFC3339_LEN]);
/* Bind s, or NULL when s is NULL or empty. */
void ref_bind_opt(store_stmt *st, int idx, const char *s);
const char *ref_text(arena *a, store_stmt *st, int col);

/* Whether p may write the case (and so refer it, record its consents). */
bool ref_may_write(const principal *p, const case_scope *o);
/* Whether p may read the case. */
bool ref_may_read(const principal *p, const case_scope *o);

#endif
