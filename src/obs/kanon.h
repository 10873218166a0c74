/*
 * kanon.h (internal to obs/): the columns of a microdata release, their generalisation
 * hierarchies, and what kanon.c and kanon_history.c share.
 *
 * Invariants:
 * - Each column's hierarchy is a chain of nested partitions: a value at one level falls in
 *   exactly one value at every higher level, so values published at different levels can
 *   always be brought to the coarser one (a 2-year period lies in one decade, a UN
 *   sub-region in one region). The top level is "*" (nothing said).
 * - kanon_generalise() accepts a value at any level up to the one asked and is idempotent:
 *   generalising an already generalised value to its own level gives it back.
 * - "missing" (not recorded) and "none" (informed, nothing reported) stay as they are below
 *   the top level.
 */
#ifndef PONTE_OBS_KANON_H
#define PONTE_OBS_KANON_H

#include "obs/release.h"

/* The columns of a record, in the order of release_records() (release_store.c). */
enum {
	C_YEAR,
	C_GENDER,
	C_AGE,
	C_MAJORITY,
	C_CITIZENSHIP,
	C_COUNTRY,
	C_SOURCE,
	C_STATUS,
	C_EXPLOITATION,
	C_CONTROL,
	C_LABOUR,
	C_SEXUAL,
	C_RECRUITER,
	C_ABDUCTION,
	KANON_COLUMNS
};
#define KANON_MAX_LEVELS 4

extern const char *const KANON_COLUMN[KANON_COLUMNS];
/* The index of a column's name, or -1. */
int kanon_column(const char *name);
/* The top level ("*") of a column's hierarchy. */
int kanon_top(int col);
/* What a level does, for the manifest and the note ("2-year periods"). */
const char *kanon_level_name(int col, int level);
/* The level a manifest's name stands for (older releases' names included), or -1. */
int kanon_level_of_name(int col, const char *name);
/* Whether the column may hold several values joined by ';'. */
bool kanon_multi(int col);
/* v (a value of col at any level up to level) at level; NULL when out of memory. */
const char *kanon_generalise(arena *a, int col, int level, const char *v);

/* Each distinct string of a column once, by id (kanon.c). */
struct kanon_dict {
	const char **s; /* by id */
	size_t n, cap;
	uint32_t *slots; /* id + 1, 0 empty */
	size_t nslots;
};
/* The id of s, copied into a when new. */
int kanon_intern(struct kanon_dict *d, arena *a, const char *s, uint32_t *id);
void kanon_dict_release(struct kanon_dict *d);

/* ---- earlier releases (kanon_history.c) ---- */

/* An earlier microdata release of the same records, as its files say: its levels (the top
 * for a column it did not publish) and its rows, each value by its id in that column. */
struct kanon_earlier {
	int64_t version;
	int level[KANON_COLUMNS];
	bool published[KANON_COLUMNS];
	struct kanon_dict values[KANON_COLUMNS];
	uint32_t *ids; /* rows x KANON_COLUMNS */
	size_t rows;
};

struct kanon_history {
	struct kanon_earlier *e;
	size_t n;
};
void kanon_history_release(struct kanon_history *h);

/* The microdata releases before this one whose records overlap it (the same dataset: every
 * provider, or the same provider), read from their published files and checked against
 * their manifests. PONTE_EINVAL with r->why when a release of another, overlapping scope
 * exists (their difference would single out the other providers' records) or an earlier
 * file is missing or altered. */
int kanon_history_load(const keyed_store *env, const obs_release_request *rq,
		       const char *provider_code, arena *a, struct kanon_history *h,
		       obs_release_result *r);
/* Whether levels are a coarsening or a refinement of an earlier release's in every column:
 * two releases generalised in crossing ways could be intersected into a finer one. */
bool kanon_comparable(const int *level, const struct kanon_earlier *e);

#endif
