/* Observatory releases: compute the data by one method, write the files once, record the
 * release and what it spent of the privacy budget, in one transaction.
 *
 * Files are written into a hidden directory, synced, and renamed into place before the
 * transaction commits: a crash leaves either nothing, or a directory no release row names,
 * which the next release of that version removes. Files are read-only once written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "obs/release.h"

const char *const RELEASE_STANDARD[][2] = {
	{ "year", NULL },
	{ "year", "gender" },
	{ "year", "age_band" },
	{ "year", "citizenship" },
	{ "year", "country_of_exploitation" },
	{ "year", "exploitation" },
};
const size_t RELEASE_NSTANDARD = ARRAY_LEN(RELEASE_STANDARD);

static const char *const FILES[] = { "data.csv",      "data.xlsx",      "data.json",
				     "manifest.json", "methodology.md", "SHA256SUMS" };
#define XLSX_MAX_ROWS 1048576 /* a spreadsheet's limit */

bool obs_release_file_known(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_LEN(FILES); i++)
		if (strcmp(FILES[i], name) == 0)
			return true;
	return false;
}

/* ---- the data file in three forms ---- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* What a column of a release holds, by its name: counts and values (years among them) are
 * numbers when they read as numbers; the rest is text. */
static xlsx_type column_type(const char *name)
{
	static const char *const NUMBERS[] = { "count", "value_1", "value_2", "year" };
	for (size_t i = 0; i < ARRAY_LEN(NUMBERS); i++)
		if (strcmp(name, NUMBERS[i]) == 0)
			return XLSX_NUMBER;
	return XLSX_TEXT;
}

_Static_assert(OBS_RELEASE_MAX_TABLES <= XLSX_MAX_SHEETS, "a sheet for every table");

/* The row in the spreadsheet: the rows of a table (its name in the first column, the rows of
 * one table together) go to the table's own sheet, which starts with the header again. */
static int sheet_row(struct release_out *o, const char *const *cells, size_t n)
{
	size_t k = n < ARRAY_LEN(o->types) ? n : ARRAY_LEN(o->types);
	if (o->rows == 0 || strcmp(o->head[0], "table") != 0)
		return o->rows < XLSX_MAX_ROWS ? xlsx_row_typed(&o->sheet, cells, o->types, k) : 0;
	xlsx *s = o->ntables ? &o->tables[o->ntables - 1] : NULL;
	if (!s || strcmp(o->table_names[o->ntables - 1], cells[0]) != 0) {
		if (o->ntables == ARRAY_LEN(o->tables))
			return PONTE_ELIMIT;
		s = &o->tables[o->ntables];
		xlsx_init(s, 1u << 30);
		snprintf(o->table_names[o->ntables], sizeof(o->table_names[0]), "%s", cells[0]);
		o->ntables++;
		size_t kh = o->nhead < ARRAY_LEN(o->types) ? o->nhead : ARRAY_LEN(o->types);
		int rc = xlsx_row_typed(s, o->head, o->types, kh);
		if (rc)
			return rc;
	}
	return s->rows < XLSX_MAX_ROWS ? xlsx_row_typed(s, cells, o->types, k) : 0;
}

int release_row(struct release_out *o, const char *const *cells, size_t n)
{
	PONTE_CHECK(cells && n >= 1 && (o->rows == 0 || o->head));
	if (o->rows == 0)
		for (size_t i = 0; i < n && i < ARRAY_LEN(o->types); i++)
			o->types[i] = column_type(cells[i]);
	int rc = export_csv_row(&o->csv, cells, n);
	if (!rc)
		rc = sheet_row(o, cells, n);
	if (rc)
		return rc;
	if (o->rows++ == 0) {
		o->head = cells;
		o->nhead = n;
		return buf_puts(&o->json, "[");
	}
	rc = buf_puts(&o->json, o->rows > 2 ? ",\n{" : "\n{");
	for (size_t i = 0; i < n && i < o->nhead && !rc; i++) {
		if (strcmp(o->head[i], "count") != 0 || !all_digits(cells[i])) {
			rc = json_field_str(&o->json, i == 0, o->head[i], cells[i]);
			continue;
		}
		rc = buf_puts(&o->json, i ? ",\"count\":" : "\"count\":"); /* a number */
		if (!rc)
			rc = buf_puts(&o->json, cells[i]);
	}
	return rc ? rc : buf_puts(&o->json, "}");
}

/* ---- tables under the cell key method ---- */

/* The perturbation table itself, for the manifest: it is public, the record keys are not. */
static int manifest_ptable(buf *m)
{
	size_t n;
	const obs_ptable_row *t = obs_ptable(&n);
	int rc = buf_puts(m, ",\"ptable\":[");
	for (size_t r = 0; r < n && !rc; r++) {
		rc = buf_printf(m, "%s{\"i\":%lld%s,\"j\":[", r ? "," : "", (long long)t[r].i,
				r + 1 == n ? ",\"and_above\":true" : "");
		for (size_t k = 0; k < t[r].n && !rc; k++)
			rc = buf_printf(m, "%s%lld", k ? "," : "", (long long)t[r].j[k]);
		if (!rc)
			rc = buf_puts(m, "],\"p\":[");
		for (size_t k = 0; k < t[r].n && !rc; k++)
			rc = buf_printf(m, "%s%.6f", k ? "," : "", t[r].p[k]);
		if (!rc)
			rc = buf_printf(m, "],\"variance\":%.6f}", t[r].variance);
	}
	return rc ? rc : buf_puts(m, "]");
}

int release_tables(const keyed_store *env, const obs_release_request *rq, obs_release_result *r,
		   struct release_out *o)
{
	static const char *const head[] = { "table",   "dimension_1", "value_1", "dimension_2",
					    "value_2", "count",       "flag" };
	obs_query method = { .suppress = rq->k };
	int rc = release_row(o, head, ARRAY_LEN(head));
	if (!rc)
		rc = buf_puts(&o->manifest, "\"privacy\":{\"method\":");
	if (!rc)
		rc = obs_method_json(&o->manifest, &method);
	if (!rc)
		rc = manifest_ptable(&o->manifest);
	if (!rc)
		rc = buf_puts(&o->manifest, ",\"tables\":[");
	char withheld[32];
	snprintf(withheld, sizeof(withheld), "<%lld", (long long)rq->k);
	for (size_t t = 0; t < rq->ntables && !rc; t++) {
		const char *const *by = rq->tables[t];
		arena a;
		arena_init(&a, 64u << 20);
		obs_query q = { .by = { by[0], by[1] }, .suppress = rq->k };
		if (o->provider_code) {
			q.where_dim[0] = "provider";
			q.where_value[0] = o->provider_code;
			q.nwhere = 1;
		}
		obs_cell *cells;
		size_t n, hidden = 0;
		int64_t records;
		rc = obs_stats(env, &a, &q, &cells, &n, &records);
		const char *name = by[1] ? arena_printf(&a, "%s_by_%s", by[0], by[1]) : by[0];
		for (size_t i = 0; i < n && !rc; i++) {
			char count[24];
			snprintf(count, sizeof(count), "%lld", (long long)cells[i].count);
			hidden += cells[i].suppressed;
			const char *row[] = { name,
					      by[0],
					      cells[i].value[0],
					      by[1] ? by[1] : "",
					      by[1] ? cells[i].value[1] : "",
					      cells[i].suppressed ? withheld : count,
					      cells[i].suppressed ? OBS_FLAG_WITHHELD : "" };
			rc = release_row(o, row, ARRAY_LEN(row));
		}
		/* The records counted, published like every cell (the same value in each table). */
		if (!rc)
			rc = buf_printf(&o->manifest, "%s{\"by\":[\"%s\"%s%s%s],", t ? "," : "",
					by[0], by[1] ? ",\"" : "", by[1] ? by[1] : "",
					by[1] ? "\"" : "");
		if (!rc && obs_withheld(&q, records))
			rc = buf_printf(&o->manifest, "\"records\":null,\"records_flag\":\"%s\",",
					OBS_FLAG_WITHHELD);
		else if (!rc)
			rc = buf_printf(&o->manifest, "\"records\":%lld,", (long long)records);
		if (!rc)
			rc = buf_printf(&o->manifest, "\"cells\":%zu,\"withheld\":%zu}", n, hidden);
		if (!rc && records > 0 && (size_t)records > r->records &&
		    !obs_withheld(&q, records))
			r->records = (size_t)records;
		arena_release(&a);
	}
	if (!rc)
		rc = buf_puts(&o->manifest, "]}");
	if (!rc)
		rc = buf_printf(
		    &o->note,
		    "## Method: tables protected by the cell key method\n\n"
		    "Counts of registered victims by one or two variables. Every count, totals "
		    "included, is perturbed by the cell key method (Australian Bureau of "
		    "Statistics; Thompson, Broadfoot and Elazar 2013; Giessing 2016): each record "
		    "has a secret random key, a count's perturbation is looked up in a public "
		    "table "
		    "by the count and the sum of its records' keys, so the same victims always "
		    "give "
		    "the same figure, in this release, in every other release and on the "
		    "observatory's pages, and subtracting one published figure from another gives "
		    "noise, not a count. A published count differs from the true one by at most %d "
		    "(variance %g, no bias); no count of 1 to %d is ever published (a cell that "
		    "small is published as 0 or as %d or more), and an empty cell stays empty. A "
		    "perturbed count below %lld is withheld, shown as %s and flagged `%s`; it "
		    "stands for at most %lld victims. Counts of one table need not add up exactly "
		    "to another's total. A variable that can hold several values per person (type "
		    "of exploitation, means of control) counts the person once for each value, "
		    "\"none\" when it was recorded without any; \"missing\" is its own category. "
		    "The perturbation table is in `manifest.json`.\n\n",
		    OBS_CKM_D, OBS_CKM_V, OBS_CKM_JS, OBS_CKM_JS + 1, (long long)rq->k, withheld,
		    OBS_FLAG_WITHHELD, (long long)rq->k - 1 + OBS_CKM_D);
	return rc;
}

/* ---- files ---- */

static int write_file(int dirfd, const char *name, const void *data, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return PONTE_EIO;
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return PONTE_EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	int rc = fsync(fd) == 0 ? 0 : PONTE_EIO;
	return close(fd) == 0 ? rc : PONTE_EIO;
}

/* A release directory: only the files a release holds are removed, then the directory. */
static void remove_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (size_t i = 0; i < ARRAY_LEN(FILES); i++)
		unlinkat(fd, FILES[i], 0);
	close(fd);
	rmdir(path);
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	int rc = fsync(fd) == 0 ? 0 : PONTE_EIO;
	close(fd);
	return rc;
}

struct file {
	const char *name;
	const buf *data;
};

static int manifest_files(buf *m, const struct file *files, size_t n)
{
	int rc = buf_puts(m, ",\"files\":[");
	for (size_t i = 0; i < n && !rc; i++) {
		char hex[65];
		crypto_sha256_hex(files[i].data->data, files[i].data->len, hex);
		rc = buf_printf(m, "%s{\"name\":\"%s\",\"bytes\":%zu,\"sha256\":\"%s\"}",
				i ? "," : "", files[i].name, files[i].data->len, hex);
	}
	return rc ? rc : buf_puts(m, "]}\n");
}

static int sums(buf *out, const struct file *files, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char hex[65];
		crypto_sha256_hex(files[i].data->data, files[i].data->len, hex);
		rc = buf_printf(out, "%s  %s\n", hex, files[i].name);
	}
	return rc;
}

/* Write every file of the release into dir/vN. */
static int write_release(const char *dir, int64_t version, struct file *files, size_t n,
			 obs_release_result *r)
{
	char tmp[sizeof(r->directory)];
	int l1 = snprintf(r->directory, sizeof(r->directory), "%s/v%lld", dir, (long long)version);
	int l2 = snprintf(tmp, sizeof(tmp), "%s/.v%lld.tmp", dir, (long long)version);
	if (l1 < 0 || l2 < 0 || (size_t)l1 >= sizeof(tmp) || (size_t)l2 >= sizeof(tmp)) {
		r->directory[0] = '\0';
		return PONTE_ELIMIT;
	}
	remove_dir(tmp);
	remove_dir(r->directory); /* left by a release that never committed */
	if (mkdir(tmp, 0755) != 0)
		return PONTE_EIO;
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = fd < 0 ? PONTE_EIO : 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = write_file(fd, files[i].name, files[i].data->data, files[i].data->len);
	if (fd >= 0) {
		if (!rc && fsync(fd) != 0)
			rc = PONTE_EIO;
		close(fd);
	}
	if (!rc && rename(tmp, r->directory) != 0)
		rc = PONTE_EIO;
	if (!rc)
		rc = sync_dir(dir);
	if (rc)
		remove_dir(tmp);
	return rc;
}

/* ---- the release ---- */

static const char *method_name(obs_method m)
{
	return m == OBS_DP ? "dp" : m == OBS_MICRODATA ? "microdata" : "tables";
}

static int check(obs_release_request *rq, obs_release_result *r)
{
	if (!rq->ntables && rq->method != OBS_MICRODATA) {
		for (size_t t = 0; t < RELEASE_NSTANDARD; t++) {
			rq->tables[t][0] = RELEASE_STANDARD[t][0];
			rq->tables[t][1] = RELEASE_STANDARD[t][1];
		}
		rq->ntables = RELEASE_NSTANDARD;
	}
	for (size_t t = 0; t < rq->ntables; t++)
		for (int i = 0; i < 2; i++)
			if ((i == 0 || rq->tables[t][i]) &&
			    !obs_dimension_known(rq->tables[t][i])) {
				snprintf(r->why, sizeof(r->why), "%s is not a dimension",
					 rq->tables[t][i] ? rq->tables[t][i] : "(none)");
				return PONTE_EINVAL;
			}
	if (!rq->k)
		rq->k = rq->method == OBS_MICRODATA ? 10 : 5;
	if (rq->k < 2 || rq->k > 1000) {
		snprintf(r->why, sizeof(r->why), "k must be from 2 to 1000");
		return PONTE_EINVAL;
	}
	if (rq->method == OBS_DP && !(rq->epsilon > 0 && rq->epsilon <= 10)) {
		snprintf(r->why, sizeof(r->why), "epsilon must be above 0 and at most 10");
		return PONTE_EINVAL;
	}
	if (!rq->year_to) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		rq->year_to = (int)strtol(now, NULL, 10);
	}
	if (!rq->year_from)
		rq->year_from = rq->year_to - 9;
	if (rq->year_from < 1900 || rq->year_from > rq->year_to ||
	    rq->year_to - rq->year_from > 50) {
		snprintf(r->why, sizeof(r->why),
			 "the years must be a range of at most 50 from 1900");
		return PONTE_EINVAL;
	}
	if (!(rq->max_suppressed >= 0 && rq->max_suppressed <= 0.2)) {
		snprintf(r->why, sizeof(r->why), "at most 20%% of the records may be left out");
		return PONTE_EINVAL;
	}
	return 0;
}

/* Inside the write transaction: every dataset must have epsilon left. */
static int check_budget(store *db, store_conn *c, const obs_release_request *rq, int64_t *ids,
			size_t *n, obs_release_result *r)
{
	int rc = release_datasets(c, rq->provider, ids, 1024, n);
	r->epsilon_left = -1;
	for (size_t i = 0; i < *n && !rc; i++) {
		double budget, spent;
		if ((rc = release_budget(db, ids[i], &budget, &spent)))
			break;
		double left = budget - spent;
		if (rq->epsilon > left + 1e-9) {
			arena a;
			arena_init(&a, 1u << 16);
			organisation org;
			snprintf(r->why, sizeof(r->why),
				 "the release needs epsilon %.6g but the records of %s have %.6g "
				 "left of their budget of %.6g",
				 rq->epsilon,
				 org_get(db, &a, ids[i], &org) ? "a provider" : org.code,
				 left < 0 ? 0 : left, budget);
			arena_release(&a);
			return PONTE_EDENIED;
		}
		if (r->epsilon_left < 0 || left - rq->epsilon < r->epsilon_left)
			r->epsilon_left = left - rq->epsilon;
	}
	return rc;
}

static int header(buf *m, const obs_release_request *rq, int64_t version, const char *created,
		  const struct release_out *o, const obs_release_result *r)
{
	int rc = buf_printf(m, "{\"version\":%lld,\"method\":\"%s\",\"created_at\":\"%s\",",
			    (long long)version, method_name(rq->method), created);
	if (!rc)
		rc = buf_puts(m, "\"dataset\":");
	if (!rc)
		rc = json_cstring(m, o->provider_code ? o->provider_code : "all providers");
	/* An exact count of records would bypass the noise of a private release. */
	if (!rc && rq->method != OBS_DP)
		rc = buf_printf(m, ",\"source\":{\"records\":%zu}", r->records);
	if (!rc && rq->method == OBS_MICRODATA)
		rc = buf_printf(m, ",\"rows\":%zu", r->released);
	return rc ? rc : buf_printf(m, ",%s", o->manifest.data);
}

static int note(buf *n, int64_t version, const char *created, const struct release_out *o)
{
	return buf_printf(n,
			  "# Observatory release %lld\n\n"
			  "Published %s from the records of %s, registered victims of trafficking "
			  "in human beings reported by data providers. The records hold no names, "
			  "contacts or other direct identifiers.\n\n%s"
			  "## Files\n\n"
			  "- `data.csv`, `data.xlsx`, `data.json`: the same rows in three "
			  "formats (the spreadsheet has one sheet per table and holds at most "
			  "%d rows in a sheet).\n"
			  "- `manifest.json`: the method, its parameters, the date, the source and "
			  "the SHA-256 checksum of each file.\n"
			  "- `SHA256SUMS`: the checksums, for `sha256sum -c SHA256SUMS`.\n\n"
			  "A release is never changed: a correction is a new release.\n",
			  (long long)version, created,
			  o->provider_code ? o->provider_code : "every data provider",
			  o->note.data ? o->note.data : "", XLSX_MAX_ROWS - 1);
}

static void out_init(struct release_out *o)
{
	buf_init(&o->csv, 1u << 30);
	xlsx_init(&o->sheet, 1u << 30);
	buf_init(&o->json, 1u << 30);
	buf_init(&o->manifest, 1u << 20);
	buf_init(&o->note, 1u << 16);
}

static void out_release(struct release_out *o)
{
	buf_release(&o->csv);
	xlsx_release(&o->sheet);
	for (size_t i = 0; i < o->ntables; i++)
		xlsx_release(&o->tables[i]);
	buf_release(&o->json);
	buf_release(&o->manifest);
	buf_release(&o->note);
}

static int commit_release(const keyed_store *env, const obs_release_request *rq,
			  struct release_out *o, buf *xlsx_file, obs_release_result *r)
{
	store_conn *c;
	int64_t ids[1024], version, id;
	size_t nids = 0;
	int rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	if (!(rc = release_next_version(c, &version)) && rq->method == OBS_DP)
		rc = check_budget(env->db, c, rq, ids, &nids, r);
	char created[CLOCK_RFC3339_LEN], dir[2048];
	clock_format_rfc3339(clock_wall_ms(), created);
	int l = snprintf(dir, sizeof(dir), "%s/releases", rq->files_dir);
	if (!rc && (l < 0 || (size_t)l >= sizeof(dir)))
		rc = PONTE_ELIMIT;
	buf manifest, methodology, checksums;
	buf_init(&manifest, 4u << 20);
	buf_init(&methodology, 1u << 20);
	buf_init(&checksums, 1u << 16);
	struct file files[] = { { "data.csv", &o->csv },
				{ "data.xlsx", xlsx_file },
				{ "data.json", &o->json },
				{ "manifest.json", &manifest },
				{ "methodology.md", &methodology },
				{ "SHA256SUMS", &checksums } };
	if (!rc)
		rc = note(&methodology, version, created, o);
	if (!rc)
		rc = header(&manifest, rq, version, created, o, r);
	if (!rc)
		rc = manifest_files(&manifest, files, 3);
	if (!rc)
		rc = sums(&checksums, files, 5);
	if (!rc && mkdir(dir, 0755) != 0 && errno != EEXIST)
		rc = PONTE_EIO;
	if (!rc)
		rc = write_release(dir, version, files, ARRAY_LEN(files), r);
	if (!rc)
		rc = release_insert(c, version, method_name(rq->method), rq->provider,
				    manifest.data, rq->user_id, &id);
	for (size_t i = 0; i < nids && !rc; i++)
		rc = release_spend(c, id, ids[i], rq->epsilon);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		if (r->directory[0] && rc != PONTE_EDENIED)
			remove_dir(r->directory);
	} else {
		r->version = version;
	}
	buf_release(&manifest);
	buf_release(&methodology);
	buf_release(&checksums);
	return rc;
}

int obs_release(const keyed_store *env, const obs_release_request *request, obs_release_result *r)
{
	PONTE_CHECK(env && env->db && request && r);
	obs_release_request rq = *request;
	memset(r, 0, sizeof(*r));
	int rc = check(&rq, r);
	if (rc)
		return rc;
	if (rq.method != OBS_DP && obs_dp_only(env->db)) {
		snprintf(r->why, sizeof(r->why),
			 "the observatory runs in DP-only mode (setting obs_dp_only): only "
			 "differentially private releases are made");
		return PONTE_EINVAL;
	}
	/* Tables are the pages' figures: a lower threshold would publish counts the pages
	 * withhold, so a release never goes below the instance's (and takes it by default). */
	int64_t threshold = setting_get_int(env->db, "obs_min_count", 5);
	if (rq.method == OBS_TABLES && !request->k)
		rq.k = threshold;
	if (rq.method == OBS_TABLES && rq.k < threshold) {
		snprintf(r->why, sizeof(r->why),
			 "k must be at least the threshold of the observatory's pages (setting "
			 "obs_min_count, %lld): a release may not publish a count they withhold",
			 (long long)threshold);
		return PONTE_EINVAL;
	}
	struct release_out o = { 0 };
	arena a;
	arena_init(&a, 1u << 16);
	organisation org;
	if (rq.provider) {
		if (org_get(env->db, &a, rq.provider, &org)) {
			arena_release(&a);
			snprintf(r->why, sizeof(r->why), "no such provider");
			return PONTE_EINVAL;
		}
		o.provider_code = org.code;
	}
	out_init(&o);
	/* A private release spends its epsilon equally on its tables. */
	switch (rq.method) {
	case OBS_TABLES: rc = release_tables(env, &rq, r, &o); break;
	case OBS_DP: rc = release_dp(env, &rq, rq.epsilon / (double)rq.ntables, r, &o); break;
	case OBS_MICRODATA: rc = release_microdata(env, &rq, r, &o); break;
	}
	if (!rc && !o.json.data)
		rc = buf_puts(&o.json, "[");
	if (!rc)
		rc = buf_puts(&o.json, "\n]\n");
	buf xlsx_file;
	buf_init(&xlsx_file, 1u << 30);
	xlsx *sheets[XLSX_MAX_SHEETS];
	const char *names[XLSX_MAX_SHEETS];
	for (size_t i = 0; i < o.ntables; i++) {
		sheets[i] = &o.tables[i];
		names[i] = o.table_names[i];
	}
	if (!rc && o.ntables)
		rc = xlsx_finish_book(sheets, names, o.ntables, &xlsx_file);
	else if (!rc)
		rc = xlsx_finish(&o.sheet, "data", &xlsx_file);
	if (!rc)
		rc = commit_release(env, &rq, &o, &xlsx_file, r);
	buf_release(&xlsx_file);
	out_release(&o);
	arena_release(&a);
	return rc;
}
