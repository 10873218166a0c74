/*
 * cube.h (internal to obs/): the observatory records as columns of small codes, for counting.
 *
 * A cross-tabulation reads two columns of a million records; decoding them from SQLite rows
 * costs more than the counting. The cube holds each dimension as an array of 16-bit codes
 * (single-valued variables, code 0 = missing) or of 32-bit masks (multi-response variables:
 * bit i = the i-th code, CUBE_KNOWN = informed), with the strings of the codes, built by one
 * scan of obs_records and cached beside the database (<db>.obs-cube, written to a temporary
 * name and renamed).
 *
 * Invariants:
 * - A cube is valid for the number of records and the version of obs_state it was built
 *   from. Records are never updated in place (a trigger refuses it; a change is a delete and
 *   an insert), and triggers move the version with every insert and delete, in the same
 *   transaction: any change makes the cache stale, and it is rebuilt.
 * - Providers are kept as their ids; codes are looked up when a table is printed.
 */
#ifndef PONTE_OBS_CUBE_H
#define PONTE_OBS_CUBE_H

#include "obs/obs.h"

#define CUBE_DIMS 12 /* in the order of DIMENSIONS (stats.c) */
#define CUBE_KNOWN (1u << 31)
#define CUBE_MAX_VALUES 1024 /* distinct values of a single-valued dimension */
#define CUBE_MAX_CODES 31    /* codes of a multi-response variable */

typedef struct cube {
	size_t n;
	bool multi[CUBE_DIMS];
	uint16_t *codes[CUBE_DIMS]; /* single-valued */
	uint32_t *masks[CUBE_DIMS]; /* multi-response */
	const char **names[CUBE_DIMS];
	size_t nnames[CUBE_DIMS];
	unsigned char *mem; /* everything above points into it */
} cube;

/* The cube of the current records: from the cache when it is current, else built (and the
 * cache written when the directory allows). */
int cube_load(store *db, cube *c);
void cube_release(cube *c);

#endif
