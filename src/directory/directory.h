/*
 * directory.h: the focal-point directory. Institutions, not persons, are the focal points.
 *
 * Invariants:
 * - A focal point is an organisation holding a mandate (thb, smuggling, child_protection,
 *   judicial_cooperation, observatory) in its country, with functional channels (mailbox,
 *   phone, the Ponte instance it operates) and the date it was last verified. One per
 *   organisation and mandate.
 * - Persons hold the function for a period (holders). Naming a new holder ends the current
 *   holder's period the same day, so the history of rotation is complete and the
 *   institution's channel never depends on one person. Holder names are personal data:
 *   encrypted, bound to focal_point_holders.name.<id>.
 * - Every signed-in user reads the directory; directory.manage (within its scope: country or
 *   all) writes it. Every change is audited. Entries not verified for 12 months are stale.
 */
#ifndef PONTE_DIRECTORY_H
#define PONTE_DIRECTORY_H

#include "base/field_error.h"
#include "i18n/vocab.h"
#include "identity/identity.h"

#define FP_STALE_DAYS 365

typedef struct fp_input {
	const char *organisation; /* organisation code (create only) */
	const char *mandate;      /* create only */
	const char *languages;    /* "fr,en" */
	const char *mailbox, *phone, *instance_url;
	const char *verified_on; /* YYYY-MM-DD; default today on create */
} fp_input;

typedef struct fp_holder {
	int64_t id;
	const char *name, *position, *started_on, *ended_on; /* ended_on "" while current */
} fp_holder;

typedef struct focal_point {
	int64_t id, version, organisation_id;
	const char *organisation_code, *organisation_name, *organisation_type;
	const char *mandate, *country, *languages, *mailbox, *phone, *instance_url;
	const char *verified_on, *updated_at;
	bool stale;
	fp_holder *holders; /* newest first */
	size_t nholders;
} focal_point;

typedef struct fp_filter {
	const char *country, *mandate;
	bool stale_only;
	const char *lang; /* the reader's language ("fr"): the order of the list; NULL: "en" */
} fp_filter;

typedef vocab_term fp_code; /* code and label (a msgid): i18n/vocab.h */
const fp_code *fp_mandates(size_t *n);
const char *fp_mandate_label(const char *code);

int fp_create(const keyed_store *env, const principal *p, const fp_input *in, int64_t *id,
	      field_errors *e);
/* PONTE_ECONFLICT (and *current) when version is stale. */
int fp_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
	      const fp_input *in, field_errors *e, int64_t *current);
/* Record that the entry was checked today. */
int fp_verify(const keyed_store *env, const principal *p, int64_t id);
/* A new holder from started_on; the current one's period ends that day. */
int fp_add_holder(const keyed_store *env, const principal *p, int64_t id, const char *name,
		  const char *position, const char *started_on, field_errors *e);
int fp_get(const keyed_store *env, arena *a, int64_t id, focal_point *out);
typedef int (*fp_fn)(const focal_point *fp, void *ctx);
/* By the country's name, then the organisation's, then the mandate, as readers of f->lang
 * read them (utf8_collate(), Arabic script first for an Arabic-script language); with
 * holders. */
int fp_list(const keyed_store *env, arena *a, const fp_filter *f, fp_fn fn, void *ctx);
/* Whether p may change the entries of this country. */
bool fp_can_manage(const principal *p, const char *country);
/* The number of stale entries p may manage. */
int64_t fp_stale_count(const keyed_store *env, const principal *p);

#endif
