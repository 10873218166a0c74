/*
 * release.h (internal to obs/): what the three release methods produce, for release.c to
 * write as files.
 *
 * A method fills the data file in three forms (CSV, XLSX, JSON) row by row, and describes its
 * parameters and guarantees as JSON members for the manifest and as facts for the
 * methodology note.
 */
#ifndef PONTE_OBS_RELEASE_H
#define PONTE_OBS_RELEASE_H

#include "export/export.h"
#include "obs/obs.h"

struct release_out {
	const char *provider_code; /* the dataset released, NULL for every provider's */
	buf csv;
	xlsx sheet;          /* the rows, when they are not tables (microdata) */
	xlsx_type types[32]; /* of the columns, from their names in the first row */
	/* Rows whose first column is "table": one sheet per table, the header on each. */
	xlsx tables[XLSX_MAX_SHEETS];
	char table_names[XLSX_MAX_SHEETS][64];
	size_t ntables;
	buf json; /* the rows: a JSON array being written */
	size_t rows;
	const char *const *head; /* the first row: the JSON keys; the method keeps it alive */
	size_t nhead;
	buf manifest; /* the method's members of the manifest: "parameters":{..},"privacy":{..} */
	buf note;     /* the method's paragraph of the methodology note (Markdown, English) */
};

/* Append one row (the first is the header) to the three forms. */
int release_row(struct release_out *o, const char *const *cells, size_t n);

int release_tables(const keyed_store *env, const obs_release_request *rq, obs_release_result *r,
		   struct release_out *o);
int release_dp(const keyed_store *env, const obs_release_request *rq, double epsilon_each,
	       obs_release_result *r, struct release_out *o);
int release_microdata(const keyed_store *env, const obs_release_request *rq, obs_release_result *r,
		      struct release_out *o);

/* ---- release_store.c ---- */
/* Every record of provider (0: all), 14 values each: year, gender, age_band, majority,
 * citizenship, country_of_exploitation, source, status, exploitation, control,
 * labour_sector, sexual_sector, recruiter_relation, abduction; "missing" when not recorded,
 * "none" for a multi-response variable informed without any value, several values joined
 * by ';'. */
typedef int (*release_record_fn)(const char *const *values, void *ctx);
int release_records(store *db, int64_t provider, release_record_fn fn, void *ctx);
/* Inside the caller's write transaction. */
int release_next_version(store_conn *c, int64_t *version);
/* The datasets a release spends on: provider, or every provider with records. */
int release_datasets(store_conn *c, int64_t provider, int64_t *ids, size_t max, size_t *n);
int release_budget(store *db, int64_t provider, double *budget, double *spent);
int release_insert(store_conn *c, int64_t version, const char *method, int64_t provider,
		   const char *manifest, int64_t user_id, int64_t *id);
int release_spend(store_conn *c, int64_t release_id, int64_t provider, double epsilon);

/* The standard tables of a release without --by: by year alone and with each other
 * published dimension. */
extern const char *const RELEASE_STANDARD[][2];
extern const size_t RELEASE_NSTANDARD;

#endif
