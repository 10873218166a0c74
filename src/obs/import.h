/*
 * import.h (internal to obs/): what the readers of the CTDC format (import.c) and of
 * HTCDS-named files (htcds.c) share: the record being built and the checks of cells.
 */
#ifndef PONTE_OBS_IMPORT_H
#define PONTE_OBS_IMPORT_H

#include "base/csv.h"
#include "obs/ctdc.h"

struct record {
	size_t line;
	int year;                  /* 0 missing */
	const char *text[T_COUNT]; /* single values (NULL missing) */
	uint64_t multi[T_COUNT];   /* bit c: the flag column CTDC[c] is 1 */
	bool known[T_COUNT];       /* a multi-response variable was informed */
	int abduction;             /* -1 missing */
};

/* An empty cell, -99 or Unknown (any case). */
bool import_missing(const char *v);
void import_problem(obs_import_result *r, size_t line, const char *column, const char *message);
/* v without surrounding spaces, copied into out (cut at outlen). */
const char *import_trim(const char *v, char *out, size_t outlen);
int import_current_year(void);
/* Whether code (two capital letters) is a country, cached per import. */
bool import_country(store *db, const char *code);

/* HTCDS-named files (htcds.c). The header: map[i] is what column i holds (-1: a field the
 * observatory does not read); false, with problems, when the file cannot be read. */
bool htcds_header(const csv_record *h, int *map, obs_import_result *r);
/* One line into x; false, with problems, when a cell is not acceptable. */
bool htcds_row(store *db, arena *a, const csv_record *rec, const char *const *names, const int *map,
	       struct record *x, obs_import_result *r, int this_year);

#endif
