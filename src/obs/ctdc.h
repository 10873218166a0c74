/*
 * ctdc.h (internal to obs/): the columns of the CTDC publication format and where each goes
 * in an observatory record, shared by the import and the export.
 */
#ifndef PONTE_OBS_CTDC_H
#define PONTE_OBS_CTDC_H

#include "obs/obs.h"

/* Where a column goes. */
enum target {
	T_IGNORE, /* derived (…Concatenated) or not kept */
	T_YEAR,
	T_SOURCE,
	T_GENDER,
	T_AGE,
	T_MAJORITY,
	T_CITIZENSHIP,
	T_COUNTRY,
	T_EXPLOITATION, /* flags: the code is set when the flag is 1 */
	T_CONTROL,
	T_LABOUR,
	T_SEXUAL,
	T_RECRUITER,
	T_ABDUCTION,
	T_STATUS, /* no CTDC column: the OTSH victim status, from HTCDS files */
	T_COUNT
};

struct column {
	const char *name;
	enum target target;
	const char *code; /* flags */
};

extern const struct column CTDC[];
extern const size_t CTDC_COLUMNS;
extern const char *const SOURCES[][2];
extern const size_t NSOURCES;
extern const char *const GENDERS[][2];
extern const size_t NGENDERS;
extern const char *const MAJORITY[][2];
extern const size_t NMAJORITY;
extern const char *const AGES[];
extern const size_t NAGES;
/* The index in CTDC of the flag column of (target, code), or -1. */
int ctdc_flag(enum target t, const char *code);

#define CSV_HEADER_MAX 64 /* columns of the format, with room */

#endif
