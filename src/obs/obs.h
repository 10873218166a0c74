/*
 * obs.h: the observatory: de-identified records of registered victims, imported from
 * providers, and the statistics computed from them.
 *
 * Invariants:
 * - A record holds no direct identifier: the CTDC/HTCDS variables only (year, source,
 *   gender, age band, majority, citizenship, country of exploitation, exploitation types,
 *   means of control, sectors, recruiter relation, abduction, victim status).
 * - An import validates the whole file first and reports every problem as line, column and
 *   message; nothing is written unless the whole file is valid, or skip_invalid is set (the
 *   valid records are written, the others reported). Importing the same file again for the
 *   same provider adds nothing.
 * - Missing values ("", "-99", "Unknown", "00") are NULL, counted as their own category.
 * - Checked on entry of obs_stats() and obs_release() (PONTE_CHECK): the keyed store and every
 *   output are given.
 */
#ifndef PONTE_OBS_H
#define PONTE_OBS_H

#include "identity/identity.h"

#define OBS_MAX_FILE (100u << 20)
#define OBS_MAX_PROBLEMS 1000 /* reported; all are counted */

typedef struct obs_problem {
	size_t line;
	char column[64];     /* "" for the whole line; copied, as the file's text is gone */
	const char *message; /* a msgid: English on the command line, translated on pages */
} obs_problem;

typedef struct obs_import_result {
	size_t read, imported, rejected;
	obs_problem problems[OBS_MAX_PROBLEMS];
	size_t nproblems, total_problems;
} obs_import_result;

/* format: "ctdc" (the 63-column CTDC publication format) or "htcds" (columns named by the
 * HTCDS; fields identifying a person are refused). PONTE_EINVAL when the file is refused
 * (problems in r). */
int obs_import(const keyed_store *env, const char *format, int64_t provider, const char *data,
	       size_t n, bool skip_invalid, obs_import_result *r);
struct audit_event;
/* The same, with success (when not NULL) appended to the audit trail in the transaction that
 * writes the records: the records and their trace are committed together or not at all. The
 * caller audits a refusal or a failure itself. */
int obs_import_audited(const keyed_store *env, const char *format, int64_t provider,
		       const char *data, size_t n, bool skip_invalid,
		       const struct audit_event *success, obs_import_result *r);

/* Every record of provider (0: all) in the CTDC format, header first, as import reads it:
 * flags of a variable not informed are empty; the Concatenated columns are rebuilt. */
int obs_export_ctdc(const keyed_store *env, int64_t provider, buf *out);
/* The same records with HTCDS field names, as the htcds import reads them: HTCDS has no
 * year of registration or age band, which go in the CTDC columns yearOfRegistration and
 * ageBroad; codes without an HTCDS value become Other; one labour sector and one recruiter
 * relation (HTCDS has single picklists for them). */
int obs_export_htcds(const keyed_store *env, int64_t provider, buf *out);

/* ---- scope ---- */
/* Whose records a reader's figures count: a record belongs to its data provider (an
 * organisation) and to that organisation's country, as cases belong to theirs. country NULL
 * and provider 0: every record. The country of exploitation is a variable of the record, not
 * its owner: a reader of one country counts the records of that country's providers, wherever
 * the victims were exploited. */
typedef struct obs_scope {
	const char *country; /* the providers' country, or NULL */
	int64_t provider;    /* one provider, or 0 */
} obs_scope;
/* The scope of a reader holding permission (stats.read) with the given scope (identity.h
 * SCOPE_*): all, country or organisation; PONTE_EDENIED for own records (observatory records
 * have no owner user) and none. */
int obs_scope_of(int scope, const char *country, int64_t organisation_id, obs_scope *out);

/* ---- indicators (indicators.c) ---- */
typedef struct obs_indicator {
	int year;
	int64_t records;
	int64_t children, age_informed;        /* share of children: of informed records */
	int64_t labour, exploitation_informed; /* share of forced labour: likewise */
	int64_t estimate;                      /* victims estimated for the country; 0 none */
} obs_indicator;
typedef int (*obs_indicator_fn)(const obs_indicator *x, void *ctx);
/* One row per year of registration, of the records in scope (NULL: all) exploited in country
 * (NULL: all, and then no estimate applies), in year order. Every count is published as
 * obs_stats() publishes it (perturbed by the cell key method, the same figure as the pages'
 * for the same records); the informed counts are the records minus the published count of
 * "missing". A count from 1 to the caller's threshold - 1 must be withheld by the caller, as
 * must a share of it. */
int obs_indicators(store *db, const obs_scope *scope, const char *country, obs_indicator_fn fn,
		   void *ctx);
/* Record (or replace) the estimate of victims of a country and year. */
int obs_estimate_set(store *db, const char *country, int year, int64_t estimate,
		     const char *source);

/* A share as published: of the records where the variable is known, unless that would give
 * away a count below k.
 * - OBS_SHARE_OF_KNOWN: with / known.
 * - OBS_SHARE_OF_ALL: with / records, when the records where the variable is not known are
 *   fewer than k (but some): with the number of records, a share of the known ones would let
 *   that count be worked out.
 * - otherwise no share, and why: no records; fewer records than k; the variable known for
 *   none; or the share would reveal a count below k (of the records with the value, or of
 *   those without it).
 * k <= 0: exact, a share of the known records whenever there are some. */
typedef enum obs_share_kind {
	OBS_SHARE_OF_KNOWN,
	OBS_SHARE_OF_ALL,
	OBS_SHARE_NO_RECORDS,
	OBS_SHARE_FEW_RECORDS,
	OBS_SHARE_NOT_KNOWN,
	OBS_SHARE_SMALL_COUNT,
} obs_share_kind;
typedef struct obs_share {
	obs_share_kind kind;
	double value; /* 0..1, for the first two kinds */
} obs_share;
obs_share obs_share_of(int64_t with, int64_t known, int64_t records, int64_t k);
/* count / base as a share of 0..1 (0 when base <= 0). Published counts are perturbed one by
 * one, so a category's count can exceed the perturbed count of the records it is part of:
 * such a share reads 100%, never more. */
double obs_fraction(int64_t count, int64_t base);

/* ---- disclosure control: the cell key method (ckm.c) ----
 * Every record has a fixed random 32-bit key, drawn when it is first written and kept in
 * obs_record_keys (never published, never changed). A cell's key is the sum of its records'
 * keys modulo 2^32; its published value is looked up in the perturbation table by (count,
 * cell key). The same records give the same value in every table, filter, page and release,
 * so differencing two outputs yields noise, not a count, and asking again gains nothing.
 * The parameters are constants: changing them would give every cell a second, independent
 * value, which an analyst could average. */
#define OBS_CKM_D 3   /* no published count differs from the true one by more than D */
#define OBS_CKM_V 1.0 /* the variance of the noise of every count above js */
#define OBS_CKM_JS 2  /* no count from 1 to js is ever published: they become 0 or > js */
typedef struct obs_ptable_row {
	int64_t i; /* the original count (the last row: this count and every larger one) */
	size_t n;
	int64_t j[2 * OBS_CKM_D + 1];     /* the values it may be published as, ascending */
	double p[2 * OBS_CKM_D + 1];      /* their probabilities */
	uint64_t upto[2 * OBS_CKM_D + 1]; /* a cell key below upto[k] and not below upto[k-1]
					     publishes j[k]; upto[n-1] = 2^32 */
	double mean, variance;            /* of the noise j - i */
} obs_ptable_row;
/* The perturbation table, computed once (thread-safe): rows 0 .. D + js + 1. */
const obs_ptable_row *obs_ptable(size_t *nrows);
/* The published value of a cell of count records whose keys sum to cell_key: 0 for 0. */
int64_t obs_ckm_value(int64_t count, uint32_t cell_key);

/* ---- statistics (stats.c) ---- */
#define OBS_MAX_WHERE 8
typedef struct obs_query {
	const char *by[2]; /* dimension names; by[1] may be NULL */
	const char *where_dim[OBS_MAX_WHERE], *where_value[OBS_MAX_WHERE];
	size_t nwhere;
	/* Published values below this are withheld (the setting obs_min_count; 0: none). */
	int64_t suppress;
	/* Exact counts, unprotected: only for the operator (the command line) and for a provider
	 * reading its own records, and for the private release's input (dp.c). */
	bool exact;
	obs_scope scope; /* the records counted at all (zero: every record) */
} obs_query;

typedef struct obs_cell {
	const char *value[2];
	int64_t count;   /* as published: perturbed by the cell key method unless exact */
	bool suppressed; /* withheld: its published value is below the threshold */
} obs_cell;

/* Whether name is a dimension: year, source, gender, age_band, majority, citizenship,
 * country_of_exploitation, exploitation, control, status, provider, flow (domestic when the
 * citizenship is the country of exploitation, else transnational; missing when either is). */
bool obs_dimension_known(const char *name);
/* The cells of the table, sorted by value, each published by the cell key method (or exact
 * when q->exact): a cell whose published value is 0 is left out, like an empty one; one below
 * q->suppress is marked suppressed (its count must then not be shown). *records is the number
 * of records that matched, published the same way: it is the cell of the filters alone, and
 * is withheld when obs_withheld() says so. */
int obs_stats(const keyed_store *env, arena *a, const obs_query *q, obs_cell **cells, size_t *n,
	      int64_t *records);
/* Whether a published value of q is withheld (below the threshold, and not exact). */
bool obs_withheld(const obs_query *q, int64_t value);

/* ---- saying how a table was protected (method.c) ---- */
#define OBS_FLAG_WITHHELD "c" /* Eurostat's flag for a confidential value */
/* {"name":"cell_key","D":..,"V":..,"js":..,"threshold":K,"flags":{"c":".."}}, or
 * {"name":"exact",...}. */
int obs_method_json(buf *b, const obs_query *q);
/* The same as English sentences (CSV footnotes, notes of releases). */
int obs_method_note(buf *b, const obs_query *q);
/* A table as the command line and the API give it: {"method":{..},"records":N,"rows":[..]}
 * (a withheld count is null with "flag":"c", a withheld total "records":null with
 * "records_flag"); or CSV, DIM[,DIM2],count,flag rows (a withheld count is "<K" flagged c)
 * and the method on a last line starting with "#". */
int obs_table_json(buf *b, const obs_query *q, const obs_cell *cells, size_t n, int64_t records);
int obs_table_csv(buf *b, const obs_query *q, const obs_cell *cells, size_t n);

/* ---- releases (release.c, release_store.c, kanon.c, dp.c) ---- */
typedef enum obs_method {
	OBS_TABLES,    /* cross-tabulations with small-cell and complementary suppression */
	OBS_DP,        /* differentially private counts over the whole domain of each table */
	OBS_MICRODATA, /* one row per record, k-anonymous over every published column */
} obs_method;

#define OBS_RELEASE_MAX_TABLES 12
#define OBS_MAX_COLUMNS 14 /* of a microdata row */

typedef struct obs_release_request {
	obs_method method;
	const char *tables[OBS_RELEASE_MAX_TABLES][2]; /* none: the standard set */
	size_t ntables;
	int64_t provider;       /* 0: every provider's records */
	int64_t k;              /* tables: threshold (default 5); microdata: k (default 10) */
	double epsilon;         /* dp: spent by the whole release, shared among its tables */
	int year_from, year_to; /* dp: the years counted (default: the last ten) */
	/* microdata: the quasi-identifiers, what someone may know of a person (default: year,
	 * gender, age_band, majority, citizenship, country_of_exploitation), and the sensitive
	 * columns, what the release must not reveal of them (default: exploitation, control,
	 * status; no_sensitive: none). Both are published, generalised as needed; every other
	 * column is left out of the file. */
	const char *qi[OBS_MAX_COLUMNS];
	size_t nqi;
	const char *sensitive[OBS_MAX_COLUMNS];
	size_t nsensitive;
	bool no_sensitive;
	int64_t l;             /* microdata: distinct values of each sensitive column in every
				  group of quasi-identifiers (default 2; 1: not required) */
	double max_suppressed; /* microdata: share of records that may be left out (0.02) */
	int64_t user_id;       /* who asked (0: the command line) */
	const char *files_dir; /* <database>.files */
} obs_release_request;

typedef struct obs_release_result {
	int64_t version;
	char directory[4096];
	size_t records;         /* in scope */
	size_t released;        /* microdata rows written */
	int64_t k_achieved;     /* microdata: the smallest group of identical rows */
	int64_t l_achieved;     /* microdata: the fewest values of a sensitive column in a group */
	size_t left_by_history; /* microdata: left out so as not to differ from an earlier one */
	double epsilon_left;    /* dp: the smallest budget left among the datasets spent on */
	char why[256];          /* why a release was refused (English, for the command line) */
} obs_release_result;

/* Compute, write and record a release. PONTE_EINVAL: a parameter is wrong; PONTE_EDENIED:
 * the release would spend more than a dataset's budget left. Both explain in r->why, and
 * then nothing is written or spent. */
int obs_release(const keyed_store *env, const obs_release_request *rq, obs_release_result *r);

typedef struct obs_release_info {
	int64_t version;
	const char *method, *created_at, *provider; /* provider code, "" for all */
	const char *manifest;
} obs_release_info;
typedef int (*obs_release_fn)(const obs_release_info *x, void *ctx);
/* Newest first. */
int obs_release_list(store *db, arena *a, obs_release_fn fn, void *ctx);
/* The files a release may hold; a download names one of them. */
bool obs_release_file_known(const char *name);

/* Whether the observatory runs in DP-only mode (setting obs_dp_only): no count of its records
 * is published but by differentially private releases. */
bool obs_dp_only(store *db);

/* The budget of a provider's dataset and what releases spent on it. */
int obs_budget_get(store *db, int64_t provider, double *budget, double *spent);
/* Set the total budget of a provider's dataset (raise an exhausted one, or lower it): an
 * administrator's decision (permission obs.budget), with a reason of OBS_REASON_MIN to
 * OBS_REASON_MAX, kept with who took it, when and the budget before, and audited
 * (obs.budget.change) in the same transaction. PONTE_EDENIED, audited as denied, without the
 * permission; PONTE_EINVAL for a budget outside (0, 100] or no proper reason;
 * PONTE_ENOTFOUND for no such organisation. */
#define OBS_REASON_MIN 10  /* characters */
#define OBS_REASON_MAX 500 /* bytes */
int obs_budget_change(store *db, const principal *by, int64_t provider, double budget,
		      const char *reason);
typedef struct obs_budget_info {
	int64_t provider_id;
	const char *provider, *name; /* the organisation's code and name */
	double budget, spent;
} obs_budget_info;
typedef int (*obs_budget_fn)(const obs_budget_info *x, void *ctx);
/* Every provider's dataset (an organisation with records or a budget of its own), by code. */
int obs_budget_list(store *db, arena *a, obs_budget_fn fn, void *ctx);
typedef struct obs_budget_change_info {
	int64_t provider_id;
	const char *provider; /* its code */
	double before, budget;
	const char *reason;
	int64_t changed_by; /* a user */
	const char *changed_at;
} obs_budget_change_info;
typedef int (*obs_budget_change_fn)(const obs_budget_change_info *x, void *ctx);
/* The changes of a provider's budget (0: every provider's), newest first. */
int obs_budget_changes(store *db, arena *a, int64_t provider, obs_budget_change_fn fn, void *ctx);

/* Two-sided geometric noise, P(x) proportional to exp(-epsilon |x| / sensitivity), from
 * libsodium's generator (dp.c). */
int64_t obs_geometric_noise(double epsilon, double sensitivity);

/* n synthetic records in the CTDC format, header first, the same for the same seed
 * (synthetic.c): demonstrations and measurements. */
int obs_synthetic_ctdc(buf *out, size_t n, uint64_t seed);

/* ---- labels (labels.c) ---- */
/* The msgid naming a code ("forced_labour" gives "Forced labour"; "missing" gives "Not
 * recorded"), or NULL for years, countries and providers. */
const char *obs_label(const char *code);
/* The msgid naming a dimension ("age_band" gives "Age"). */
const char *obs_dimension_label(const char *dim);
/* Where a code sorts among the values of its variable (age bands in age order); codes
 * without a place sort after those with one, "missing" last of all. */
int obs_code_rank(const char *code);

#endif
