/* The earlier microdata releases a new one is checked against (kanon.h).
 *
 * What an earlier release published is read from its own files, as anyone can download them,
 * and its data file is checked against the SHA-256 its manifest recorded: the check works on
 * what people hold, not on what the database says it should be. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/json_parse.h"
#include "crypto/crypto.h"
#include "obs/kanon.h"

#define MAX_DATA_FILE (1u << 30)

void kanon_history_release(struct kanon_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		for (int c = 0; c < KANON_COLUMNS; c++)
			kanon_dict_release(&h->e[i].values[c]);
		free(h->e[i].ids);
	}
	free(h->e);
	*h = (struct kanon_history){ 0 };
}

bool kanon_comparable(const int *level, const struct kanon_earlier *e)
{
	bool coarser = true, finer = true;
	for (int c = 0; c < KANON_COLUMNS; c++) {
		coarser &= level[c] >= e->level[c];
		finer &= level[c] <= e->level[c];
	}
	return coarser || finer;
}

static int read_file(const char *path, buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_ENOTFOUND;
	char chunk[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = PONTE_EIO;
			break;
		}
		if (n == 0 || (rc = buf_append(out, chunk, (size_t)n)))
			break;
	}
	close(fd);
	return rc;
}

/* The SHA-256 the manifest recorded for data.csv, or NULL. */
static const char *recorded_sum(const json_value *manifest)
{
	const json_value *files = json_get(manifest, "files");
	for (size_t i = 0; files && files->type == JSON_ARRAY && i < files->length; i++) {
		const char *name = json_get_string(files->items[i], "name");
		if (name && strcmp(name, "data.csv") == 0)
			return json_get_string(files->items[i], "sha256");
	}
	return NULL;
}

/* The level at which a release published col: "columns" says it; releases made before it
 * named the levels of their quasi-identifiers under "generalisation" and published the
 * other columns as recorded. -1 when the manifest does not make sense. */
static int level_in(const json_value *privacy, int col)
{
	const json_value *cols = json_get(privacy, "columns");
	if (cols) {
		const json_value *level = json_get(json_get(cols, KANON_COLUMN[col]), "level");
		if (!level || level->type != JSON_NUMBER || level->number < 0 ||
		    level->number > kanon_top(col))
			return -1;
		return (int)level->number;
	}
	const char *name = json_get_string(json_get(privacy, "generalisation"), KANON_COLUMN[col]);
	return name ? kanon_level_of_name(col, name) : 0;
}

static int load(const obs_release_request *rq, int64_t version, const char *manifest_text, arena *a,
		struct kanon_earlier *e, obs_release_result *r)
{
	arena tmp;
	arena_init(&tmp, 1u << 30);
	buf data;
	buf_init(&data, MAX_DATA_FILE);
	json_value *manifest;
	char err[128], path[4096], hex[65];
	e->version = version;
	int rc =
	    json_parse(&tmp, manifest_text, strlen(manifest_text), &manifest, err, sizeof(err));
	const char *sum = rc ? NULL : recorded_sum(manifest);
	int l = snprintf(path, sizeof(path), "%s/releases/v%lld/data.csv", rq->files_dir,
			 (long long)version);
	if (!rc && (l < 0 || (size_t)l >= sizeof(path)))
		rc = PONTE_ELIMIT;
	if (!rc)
		rc = read_file(path, &data);
	if (!rc)
		crypto_sha256_hex(data.data ? data.data : "", data.len, hex);
	if (rc || !sum || strcmp(sum, hex) != 0) {
		snprintf(
		    r->why, sizeof(r->why),
		    "the data file of microdata release v%lld is missing or was changed: a new "
		    "release must be compared with what it published (restore the file from a "
		    "copy)",
		    (long long)version);
		rc = PONTE_EINVAL;
	}
	csv_reader cr;
	csv_record rec;
	const char *problem;
	int cols[CSV_MAX_FIELDS];
	size_t ncols = 0;
	if (!rc) {
		csv_init(&cr, data.data ? data.data : "", data.len);
		if (csv_next(&cr, &tmp, &rec, &problem) != 1)
			rc = PONTE_EINVAL;
		for (size_t i = 0; !rc && i < rec.n; i++)
			cols[ncols++] = kanon_column(rec.fields[i]);
	}
	const json_value *privacy = rc ? NULL : json_get(manifest, "privacy");
	for (int c = 0; c < KANON_COLUMNS && !rc; c++) {
		e->level[c] = kanon_top(c);
		for (size_t i = 0; i < ncols; i++)
			e->published[c] |= cols[i] == c;
		if (e->published[c] && (e->level[c] = level_in(privacy, c)) < 0)
			rc = PONTE_EINVAL;
	}
	size_t cap = 0;
	while (!rc) {
		int got = csv_next(&cr, &tmp, &rec, &problem);
		if (got == 0)
			break;
		if (got != 1 || rec.n != ncols) {
			rc = PONTE_EINVAL;
			break;
		}
		if (e->rows == cap) {
			cap = cap ? cap * 2 : 4096;
			uint32_t *ids = realloc(e->ids, cap * KANON_COLUMNS * sizeof(*ids));
			if (!ids) {
				rc = PONTE_ENOMEM;
				break;
			}
			e->ids = ids;
		}
		uint32_t *row = &e->ids[e->rows * KANON_COLUMNS];
		memset(row, 0, KANON_COLUMNS * sizeof(*row));
		for (size_t i = 0; i < ncols && !rc; i++)
			if (cols[i] >= 0)
				rc = kanon_intern(&e->values[cols[i]], a, rec.fields[i],
						  &row[cols[i]]);
		e->rows++;
	}
	if (rc == PONTE_EINVAL && !r->why[0])
		snprintf(r->why, sizeof(r->why),
			 "microdata release v%lld cannot be read back (its manifest or data file "
			 "is not what a release writes)",
			 (long long)version);
	buf_release(&data);
	arena_release(&tmp);
	return rc;
}

struct collect {
	const obs_release_request *rq;
	const char *scope; /* "" for every provider */
	arena *a;
	struct kanon_history *h;
	obs_release_result *r;
	size_t cap;
};

static int each(const obs_release_info *x, void *ctx)
{
	struct collect *c = ctx;
	if (strcmp(x->method, "microdata") != 0)
		return 0;
	if (strcmp(x->provider, c->scope) != 0) {
		if (*x->provider && *c->scope)
			return 0; /* another provider's records: none in common */
		snprintf(c->r->why, sizeof(c->r->why),
			 "microdata of %s%s was published in release v%lld: microdata of %s%s "
			 "as well would let one be subtracted from the other to single out the "
			 "other providers' records",
			 *x->provider ? "the records of " : "every provider's records", x->provider,
			 (long long)x->version,
			 *c->scope ? "the records of " : "every provider's records", c->scope);
		return PONTE_EINVAL;
	}
	if (c->h->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct kanon_earlier *e = realloc(c->h->e, cap * sizeof(*e));
		if (!e)
			return PONTE_ENOMEM;
		c->h->e = e;
		c->cap = cap;
	}
	struct kanon_earlier *e = &c->h->e[c->h->n++];
	*e = (struct kanon_earlier){ 0 };
	return load(c->rq, x->version, x->manifest, c->a, e, c->r);
}

int kanon_history_load(const keyed_store *env, const obs_release_request *rq,
		       const char *provider_code, arena *a, struct kanon_history *h,
		       obs_release_result *r)
{
	struct collect c = { rq, provider_code ? provider_code : "", a, h, r, 0 };
	arena list;
	arena_init(&list, 256u << 20);
	int rc = obs_release_list(env->db, &list, each, &c);
	arena_release(&list);
	return rc;
}
