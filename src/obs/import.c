/* Importing observatory records: the CTDC publication format, validated before anything is
 * written. */
#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "audit/audit.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "obs/obs.h"

#include "obs/import.h"

bool import_missing(const char *v)
{
	return !*v || strcmp(v, "-99") == 0 || strcasecmp(v, "unknown") == 0;
}

static const char *lookup(const char *const (*table)[2], size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(table[i][0], v) == 0)
			return table[i][1];
	return NULL;
}

void import_problem(obs_import_result *r, size_t line, const char *column, const char *message)
{
	r->total_problems++;
	if (r->nproblems < OBS_MAX_PROBLEMS) {
		r->problems[r->nproblems].line = line;
		snprintf(r->problems[r->nproblems].column, sizeof(r->problems[0].column), "%s",
			 column);
		r->problems[r->nproblems].message = message;
		r->nproblems++;
	}
}

/* Trimmed copy in out (spreadsheets pad cells with spaces); longer values are cut, which
 * only ever turns them into a reported problem. */
const char *import_trim(const char *v, char *out, size_t outlen)
{
	while (*v == ' ')
		v++;
	size_t n = strlen(v);
	while (n && v[n - 1] == ' ')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	return out;
}

int import_current_year(void)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	return (int)strtol(now, NULL, 10);
}

/* Whether code is a country, asked of the database once per code and import (a file has a
 * few dozen distinct codes and hundreds of thousands of cells). */
static signed char country_state[26][26]; /* 0 unknown, 1 a country, -1 not */
static const store *country_db;

bool import_country(store *db, const char *code)
{
	if (country_db != db) {
		memset(country_state, 0, sizeof(country_state));
		country_db = db;
	}
	int a = code[0] - 'A', b = code[1] - 'A';
	if (a < 0 || a >= 26 || b < 0 || b >= 26)
		return false;
	if (!country_state[a][b])
		country_state[a][b] = country_known(db, code) ? 1 : -1;
	return country_state[a][b] > 0;
}

/* One cell into rec; false (and a problem) when it is not acceptable. */
static bool cell(store *db, arena *a, const struct column *col, const char *raw, struct record *rec,
		 obs_import_result *r, int this_year)
{
	if (!utf8_valid_text(raw, strlen(raw))) {
		import_problem(r, rec->line, col->name,
			       N_("not valid UTF-8 text (save the file as UTF-8)"));
		return false;
	}
	char buffer[256];
	const char *v = import_trim(raw, buffer, sizeof(buffer));
	switch (col->target) {
	case T_IGNORE: return true;
	case T_YEAR: {
		if (import_missing(v))
			return true;
		char *end;
		long y = strtol(v, &end, 10);
		if (*end || y < 1900 || y > this_year) {
			import_problem(
			    r, rec->line, col->name,
			    N_("a year of registration must be a year from 1900 to this year"));
			return false;
		}
		rec->year = (int)y;
		return true;
	}
	case T_SOURCE:
	case T_GENDER:
	case T_MAJORITY: {
		if (import_missing(v))
			return true;
		const char *code = col->target == T_SOURCE   ? lookup(SOURCES, NSOURCES, v)
				   : col->target == T_GENDER ? lookup(GENDERS, NGENDERS, v)
							     : lookup(MAJORITY, NMAJORITY, v);
		if (!code) {
			import_problem(r, rec->line, col->name,
				       N_("not a value of this column's list"));
			return false;
		}
		rec->text[col->target] = code;
		return true;
	}
	case T_AGE:
		if (import_missing(v))
			return true;
		for (size_t i = 0; i < NAGES; i++)
			if (strcmp(AGES[i], v) == 0) {
				rec->text[T_AGE] = AGES[i];
				return true;
			}
		import_problem(r, rec->line, col->name,
			       N_("not an age range of the CTDC format (e.g. 9--17)"));
		return false;
	case T_CITIZENSHIP:
	case T_COUNTRY: {
		if (import_missing(v) || strcmp(v, "00") == 0)
			return true;
		char code[3] = { 0 };
		if (strlen(v) == 2) {
			code[0] = (char)toupper((unsigned char)v[0]);
			code[1] = (char)toupper((unsigned char)v[1]);
		}
		if (!code[0] || !import_country(db, code) || strcmp(code, "ZZ") == 0) {
			import_problem(r, rec->line, col->name, N_("not an ISO 3166 country code"));
			return false;
		}
		rec->text[col->target] = arena_strdup(a, code);
		return true;
	}
	case T_ABDUCTION:
	case T_EXPLOITATION:
	case T_CONTROL:
	case T_LABOUR:
	case T_SEXUAL:
	case T_RECRUITER: {
		if (import_missing(v))
			return true;
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
			import_problem(r, rec->line, col->name,
				       N_("a flag must be 0, 1, -99 or empty"));
			return false;
		}
		bool on = v[0] == '1';
		if (col->target == T_ABDUCTION) {
			rec->abduction = on;
			return true;
		}
		rec->known[col->target] = true;
		if (on)
			rec->multi[col->target] |= 1ull << (col - CTDC);
		return true;
	}
	case T_STATUS:
	case T_COUNT: break;
	}
	return true;
}

/* The columns of the header, in file order; -1 for each, and problems, on trouble. */
static bool header(const csv_record *h, int *map, obs_import_result *r)
{
	bool ok = true, seen[CSV_MAX_FIELDS] = { false };
	for (size_t i = 0; i < h->n; i++) {
		map[i] = -1;
		const char *name = h->fields[i];
		while (*name == ' ')
			name++;
		for (size_t c = 0; c < CTDC_COLUMNS; c++)
			if (strncasecmp(CTDC[c].name, name, strlen(CTDC[c].name)) == 0 &&
			    strspn(name + strlen(CTDC[c].name), " ") ==
				strlen(name + strlen(CTDC[c].name)))
				map[i] = (int)c;
		if (map[i] < 0) {
			import_problem(r, 1, h->fields[i], N_("not a column of the CTDC format"));
			ok = false;
		} else if (seen[map[i]]) {
			import_problem(r, 1, h->fields[i], N_("this column appears twice"));
			ok = false;
		} else {
			seen[map[i]] = true;
		}
	}
	for (size_t c = 0; c < CTDC_COLUMNS; c++)
		if (!seen[c]) {
			import_problem(r, 1, CTDC[c].name,
				       N_("this column of the CTDC format is missing"));
			ok = false;
		}
	return ok;
}

static const char SQL_INSERT[] =
    "INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, "
    "majority, citizenship, country_of_exploitation, exploitation, exploitation_known, control, "
    "control_known, labour_sector, sexual_sector, recruiter_relation, abduction, created_at, "
    "status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "?18, ?19) ON CONFLICT DO NOTHING";

static void bind_opt(store_stmt *st, int i, const char *v)
{
	if (v)
		store_bind_text(st, i, v, strlen(v));
}

/* The codes of the flag columns set in bits, comma-separated, in the format's order. */
static void codes_of(uint64_t bits, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t c = 0; c < CTDC_COLUMNS && c < 64; c++)
		if (bits & (1ull << c))
			len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s",
						len ? "," : "", CTDC[c].code);
}

static int write_records(const keyed_store *env, int64_t provider, const unsigned char *file_hash,
			 const struct record *recs, size_t n, const audit_event *success,
			 obs_import_result *r)
{
	store_conn *c;
	int rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct record *x = &recs[i];
		unsigned char key_src[8 + CRYPTO_HASH_BYTES + 8], key[CRYPTO_HASH_BYTES];
		uint64_t line = x->line;
		memcpy(key_src, &provider, 8);
		memcpy(key_src + 8, file_hash, CRYPTO_HASH_BYTES);
		memcpy(key_src + 8 + CRYPTO_HASH_BYTES, &line, 8);
		crypto_digest(key_src, sizeof(key_src), key);
		store_stmt *st;
		if ((rc = store_prepare(c, SQL_INSERT, &st)))
			break;
		store_bind_int64(st, 1, provider);
		store_bind_blob(st, 2, key, sizeof(key));
		if (x->year)
			store_bind_int64(st, 3, x->year);
		bind_opt(st, 4, x->text[T_SOURCE]);
		bind_opt(st, 5, x->text[T_GENDER]);
		bind_opt(st, 6, x->text[T_AGE]);
		bind_opt(st, 7, x->text[T_MAJORITY]);
		bind_opt(st, 8, x->text[T_CITIZENSHIP]);
		bind_opt(st, 9, x->text[T_COUNTRY]);
		char codes[5][512];
		static const enum target MULTI[5] = { T_EXPLOITATION, T_CONTROL, T_LABOUR, T_SEXUAL,
						      T_RECRUITER };
		for (int m = 0; m < 5; m++)
			codes_of(x->multi[MULTI[m]], codes[m], sizeof(codes[m]));
		bind_opt(st, 10, codes[0]);
		store_bind_int64(st, 11, x->known[T_EXPLOITATION]);
		bind_opt(st, 12, codes[1]);
		store_bind_int64(st, 13, x->known[T_CONTROL]);
		bind_opt(st, 14, codes[2]);
		bind_opt(st, 15, codes[3]);
		bind_opt(st, 16, codes[4]);
		if (x->abduction >= 0)
			store_bind_int64(st, 17, x->abduction);
		store_bind_text(st, 18, now, strlen(now));
		bind_opt(st, 19, x->text[T_STATUS]);
		rc = store_run(st);
		if (!rc)
			r->imported += (size_t)store_changes(c);
	}
	/* The import's trace is written with its records: a crash after the commit cannot leave
	 * records that the audit trail does not account for. */
	if (!rc && success)
		rc = audit_append_in_transaction(env->db, success);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		r->imported = 0;
	}
	return rc;
}

int obs_import(const keyed_store *env, const char *format, int64_t provider, const char *data,
	       size_t n, bool skip_invalid, obs_import_result *r)
{
	return obs_import_audited(env, format, provider, data, n, skip_invalid, NULL, r);
}

int obs_import_audited(const keyed_store *env, const char *format, int64_t provider,
		       const char *data, size_t n, bool skip_invalid, const audit_event *success,
		       obs_import_result *r)
{
	memset(r, 0, sizeof(*r));
	country_db = NULL;
	bool htcds = strcmp(format, "htcds") == 0;
	if (!htcds && strcmp(format, "ctdc") != 0) {
		import_problem(r, 0, "", N_("unknown format (ctdc or htcds)"));
		return PONTE_EINVAL;
	}
	if (n > OBS_MAX_FILE) {
		import_problem(r, 0, "", N_("the file is larger than 100 MiB"));
		return PONTE_EINVAL;
	}
	char sep = csv_guess_separator(data, n);
	if (sep != ',') {
		import_problem(r, 1, "",
			       sep == ';'
				   ? N_("the columns are separated by semicolons: save the file as "
					"comma-separated values")
				   : N_("the columns are not separated by commas: save the file as "
					"comma-separated values"));
		return PONTE_EINVAL;
	}
	arena a;
	arena_init(&a, 1u << 30);
	csv_reader reader;
	csv_init(&reader, data, n);
	csv_record *rec = arena_calloc(&a, 1, sizeof(*rec));
	int map[CSV_MAX_FIELDS];
	const char *why;
	int rc = rec ? csv_next(&reader, &a, rec, &why) : PONTE_ENOMEM;
	if (rc != 1) {
		import_problem(r, 1, "", rc == 0 ? N_("the file is empty") : why);
		arena_release(&a);
		return rc == PONTE_ENOMEM ? rc : PONTE_EINVAL;
	}
	size_t ncols = rec->n;
	const char **names = arena_calloc(&a, ncols + 1, sizeof(*names));
	if (!names || !(htcds ? htcds_header(rec, map, r) : header(rec, map, r))) {
		arena_release(&a);
		return names ? PONTE_EINVAL : PONTE_ENOMEM;
	}
	for (size_t i = 0; i < ncols; i++)
		names[i] = rec->fields[i];
	/* Pass 1: read and check everything. */
	size_t cap = 1024, nvalid = 0;
	struct record *valid = malloc(cap * sizeof(*valid));
	int this_year = import_current_year();
	arena cells;
	arena_init(&cells, 1u << 30);
	while (valid && (rc = csv_next(&reader, &cells, rec, &why)) != 0) {
		r->read++;
		if (rc == PONTE_ENOMEM)
			break;
		if (rc == PONTE_EINVAL) {
			import_problem(r, rec->line, "", why);
			r->rejected++;
			continue;
		}
		if (rec->n != ncols) {
			import_problem(r, rec->line, "",
				       N_("this line does not have as many fields as the header"));
			r->rejected++;
			continue;
		}
		struct record x;
		memset(&x, 0, sizeof(x));
		x.line = rec->line;
		x.abduction = -1;
		bool ok = true;
		if (htcds)
			ok = htcds_row(env->db, &a, rec, names, map, &x, r, this_year);
		for (size_t i = 0; !htcds && i < rec->n; i++)
			ok &= cell(env->db, &a, &CTDC[map[i]], rec->fields[i], &x, r, this_year);
		if (!ok) {
			r->rejected++;
			continue;
		}
		if (nvalid == cap) {
			struct record *more = realloc(valid, cap * 2 * sizeof(*more));
			if (!more)
				break;
			valid = more;
			cap *= 2;
		}
		valid[nvalid++] = x;
		arena_release(&cells); /* the kept values live in a */
		arena_init(&cells, 1u << 30);
	}
	rc = valid ? 0 : PONTE_ENOMEM;
	if (!rc && r->rejected && !skip_invalid)
		rc = PONTE_EINVAL;
	if (!rc) {
		unsigned char hash[CRYPTO_HASH_BYTES];
		crypto_digest(data, n, hash);
		rc = write_records(env, provider, hash, valid, nvalid, success, r);
	}
	free(valid);
	arena_release(&cells);
	arena_release(&a);
	return rc;
}
