/* internal.h: shared inside the trm module only. */
#ifndef PONTE_TRM_INTERNAL_H
#define PONTE_TRM_INTERNAL_H

#include "trm/trm.h"

/* Apply a checked envelope from peer inside the caller's transaction (c); PONTE_EINVAL with
 * *why for a type or payload this instance does not take. */
int trm_apply(const identity_env *env, store_conn *c, const trm_peer *peer, const trm_envelope *e,
	      int64_t now_ms, const char **why);

#endif
