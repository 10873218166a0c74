/* internal.h: shared inside the cases module only. */
#ifndef PONTE_CASES_INTERNAL_H
#define PONTE_CASES_INTERNAL_H

#include "cases/cases.h"

/* Record a reopening (decided as it is made) inside the caller's transaction; kind "reopen".
 * Closures are only ever recorded as requests, decided by someone else (closures.c). */
int case_closure_record(store_conn *c, int64_t case_id, const char *kind, const char *status,
			const char *reason, int64_t user_id, const char *now);

/* The case exists and the caller holds permission within its scope on it: 0, else
 * PONTE_ENOTFOUND (the case is not disclosed). Reading it is audited like any case read. */
int case_check(const identity_env *env, const principal *p, int64_t case_id,
	       const char *permission);

#endif
