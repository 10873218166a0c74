/*
 * timeline.h: every event of a case in order: registration, victim status decisions,
 * screenings, consents and their withdrawal, each step of each referral, assistance given,
 * disclosures.
 *
 * Invariants:
 * - Read only, from the records themselves (nothing is copied into a separate log), so the
 *   timeline cannot disagree with them. It holds codes and organisation names, never the
 *   encrypted texts (reasons, notes), which stay on their own pages.
 * - The case must be in the caller's read scope (PONTE_ENOTFOUND otherwise, audited).
 */
#ifndef PONTE_TIMELINE_H
#define PONTE_TIMELINE_H

#include "identity/identity.h"

typedef struct timeline_event {
	const char *at;     /* RFC 3339 or a date */
	const char *kind;   /* registered, decision, screening, consent, consent_withdrawn,
			       referral, delivery (a service given during a referral),
			       assistance, disclosure, safety, contact */
	const char *code;   /* the decision, the referral action, the service type... ("" for
			       the registration) */
	const char *detail; /* an organisation (the registering one for the registration), a
			       list: words, never personal data */
	int64_t ref;        /* the referral, screening... it belongs to (0: none) */
} timeline_event;
typedef int (*timeline_fn)(const timeline_event *e, void *ctx);

int timeline_of_case(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		     timeline_fn fn, void *ctx);

#endif
