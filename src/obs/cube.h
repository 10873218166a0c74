/*
 * cube.h (internal to obs/): the observatory records as columns of small codes, for counting.
 *
 * A cross-tabulation reads two columns of a million records; decoding them from SQLite rows
 * costs more than the counting. The cube holds each dimension as an array of 16-bit codes
 * (single-valued variables, code 0 = missing) or of 32-bit masks (multi-response variables:
 * bit i = the i-th code, CUBE_KNOWN = informed), the strings of the codes, and each record's
 * secret key for the cell key method (obs.h), built by one scan of obs_records and cached
 * beside the database (<db>.obs-cube, mode 0600, written to a temporary name and renamed).
 *
 * Invariants:
 * - A cube is valid for the database (obs_state's nonce) and the version of obs_state it was
 *   built from. Records are never updated in place (a trigger refuses it; a change is a delete
 *   and an insert), and triggers move the version with every insert and delete, in the same
 *   transaction: any change makes the cache stale, and it is rebuilt.
 * - cube_acquire() shares one cube per process among its threads: it is read-only once
 *   built, counted by references, and replaced (not changed) when the version moves; the old
 *   one is freed by its last reader's cube_put().
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
	uint32_t *keys;             /* each record's key (cell key method): never published */
	const char **names[CUBE_DIMS];
	size_t nnames[CUBE_DIMS];
	unsigned char *mem; /* everything above points into it */
	/* the shared copy (cube_acquire) */
	int64_t version, nonce;
	uint64_t generation; /* unique to each shared cube of the process, never reused */
	size_t refs;
	char path[4200];
} cube;

/* The cube of the current records, shared: from memory when it is current, else from the
 * cache file when that is, else built (and the file written when the directory allows).
 * Give it back with cube_put(). */
int cube_acquire(store *db, const cube **c);
void cube_put(const cube *c);

/* A private cube, read from the cache file when it is current (every code checked against its
 * names), else built and the file written: what cube_acquire() shares. Outside the shared
 * copy only the fuzzer of the cache file uses it. Free it with cube_release(). */
int cube_load(store *db, cube *c);
void cube_release(cube *c);

#endif
