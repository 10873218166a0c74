/* k-anonymised microdata: one row per record, where every combination of the
 * quasi-identifiers that appears is shared by at least k rows.
 *
 * Generalisation is global (a variable is generalised the same way in every row) along
 * fixed hierarchies: years into 2-year then 5-year periods, ages into 0-17 / 18-29 / 30+,
 * countries into UN sub-regions then regions (the CTDC lookup, data/country_regions.csv),
 * and any variable into "*". Of all the combinations of levels (at most a few thousand), the one
 * losing the least detail is chosen among those that leave few enough records in groups
 * smaller than k to suppress them (max_suppressed of the records); those records are then
 * left out (the full-domain search of Samarati and of Incognito, without their pruning). Rows are written
 * in a random order, so that their position says nothing of the provider's files. */
#include <pthread.h>

#include "base/embedded.h"
#include "crypto/crypto.h"
#include "obs/release.h"

/* The columns of a record, in the order of release_records() (release_store.c). The first
 * NQI_ALLOWED may be quasi-identifiers. */
enum {
	C_YEAR,
	C_GENDER,
	C_AGE,
	C_MAJORITY,
	C_CITIZENSHIP,
	C_COUNTRY,
	C_SOURCE,
	C_STATUS,
	NCOLS = 14
};
#define NQI_ALLOWED 8
static const char *const COLUMNS[NCOLS] = {
	"year",
	"gender",
	"age_band",
	"majority",
	"citizenship",
	"country_of_exploitation",
	"source",
	"status",
	"exploitation",
	"control",
	"labour_sector",
	"sexual_sector",
	"recruiter_relation",
	"abduction",
};
static const int MAX_LEVEL[NQI_ALLOWED] = { 3, 1, 2, 1, 3, 3, 1, 1 };
static const char *const LEVEL_NAMES[NQI_ALLOWED][4] = {
	{ "exact", "2-year periods", "5-year periods", "suppressed" },
	{ "exact", "suppressed" },
	{ "exact", "0-17, 18-29, 30+", "suppressed" },
	{ "exact", "suppressed" },
	{ "exact", "UN sub-region", "UN region", "suppressed" },
	{ "exact", "UN sub-region", "UN region", "suppressed" },
	{ "exact", "suppressed" },
	{ "exact", "suppressed" },
};

/* ---- regions ---- */

struct region {
	char code[3];
	const char *sub, *region;
};
static struct region regions[300];
static size_t nregions;
static pthread_once_t regions_once = PTHREAD_ONCE_INIT;
static char regions_text[32768];

/* "CC,Sub-region,Region" lines; '#' comments. */
static void load_regions(void)
{
	const struct embedded_file *f = embedded_find("data/country_regions.csv");
	if (!f || f->len >= sizeof(regions_text))
		return;
	memcpy(regions_text, f->data, f->len);
	regions_text[f->len] = '\0';
	char *save, *line = strtok_r(regions_text, "\n", &save);
	for (; line && nregions < ARRAY_LEN(regions); line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (*line == '#' || !c2 || c1 - line != 2)
			continue;
		*c1 = *c2 = '\0';
		memcpy(regions[nregions].code, line, 3);
		regions[nregions].sub = c1 + 1;
		regions[nregions++].region = c2 + 1;
	}
}

static const struct region *region_of(const char *code)
{
	pthread_once(&regions_once, load_regions);
	for (size_t i = 0; i < nregions; i++)
		if (strcmp(regions[i].code, code) == 0)
			return &regions[i];
	return NULL;
}

/* ---- interning: each distinct value of a column once ---- */

struct dict {
	const char **s; /* by id */
	size_t n, cap;
	uint32_t *slots; /* id + 1, 0 empty */
	size_t nslots;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void dict_release(struct dict *d)
{
	free(d->s);
	free(d->slots);
	*d = (struct dict){ 0 };
}

/* The id of s (copied into a when new). */
static int intern(struct dict *d, arena *a, const char *s, uint32_t *id)
{
	if ((d->n + 1) * 2 > d->nslots) {
		size_t n = d->nslots ? d->nslots * 2 : 256;
		uint32_t *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return PONTE_ENOMEM;
		for (size_t i = 0; i < d->n; i++) {
			size_t j = hash(d->s[i]) & (n - 1);
			while (slots[j])
				j = (j + 1) & (n - 1);
			slots[j] = (uint32_t)i + 1;
		}
		free(d->slots);
		d->slots = slots;
		d->nslots = n;
	}
	size_t j = hash(s) & (d->nslots - 1);
	while (d->slots[j]) {
		if (strcmp(d->s[d->slots[j] - 1], s) == 0) {
			*id = d->slots[j] - 1;
			return 0;
		}
		j = (j + 1) & (d->nslots - 1);
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		const char **ns = realloc(d->s, cap * sizeof(*ns));
		if (!ns)
			return PONTE_ENOMEM;
		d->s = ns;
		d->cap = cap;
	}
	const char *copy = arena_strdup(a, s);
	if (!copy)
		return PONTE_ENOMEM;
	d->s[d->n] = copy;
	d->slots[j] = (uint32_t)d->n + 1;
	*id = (uint32_t)d->n++;
	return 0;
}

/* ---- the records ---- */

struct data {
	arena *a;
	struct dict dict[NCOLS];
	uint32_t *ids; /* NCOLS per record */
	size_t n, cap;
};

static int add_record(const char *const *values, void *ctx)
{
	struct data *d = ctx;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096;
		uint32_t *ids = realloc(d->ids, cap * NCOLS * sizeof(*ids));
		if (!ids)
			return PONTE_ENOMEM;
		d->ids = ids;
		d->cap = cap;
	}
	for (int c = 0; c < NCOLS; c++) {
		int rc = intern(&d->dict[c], d->a, values[c], &d->ids[d->n * NCOLS + c]);
		if (rc)
			return rc;
	}
	d->n++;
	return 0;
}

/* ---- generalisation ---- */

static const char *generalise(arena *a, int col, int level, const char *v)
{
	if (level == 0)
		return v;
	if (level >= MAX_LEVEL[col])
		return "*";
	if (strcmp(v, "missing") == 0)
		return v;
	switch (col) {
	case C_YEAR: {
		long y = strtol(v, NULL, 10);
		long start = level == 1 ? y - y % 2 : y - y % 5, len = level == 1 ? 2 : 5;
		return arena_printf(a, "%ld-%ld", start, start + len - 1);
	}
	case C_AGE:
		if (strcmp(v, "0--8") == 0 || strcmp(v, "9--17") == 0)
			return "0--17";
		if (strncmp(v, "18", 2) == 0 || strncmp(v, "2", 1) == 0)
			return "18--29";
		return "30+";
	case C_CITIZENSHIP:
	case C_COUNTRY: {
		const struct region *r = region_of(v);
		return !r ? "*" : level == 1 ? r->sub : r->region;
	}
	default: return "*";
	}
}

/* For each quasi-identifier, the generalised id of each raw id at its level. */
struct general {
	uint32_t *map[OBS_MAX_QI];
	size_t distinct[OBS_MAX_QI];
	struct dict names[OBS_MAX_QI];
};

static int generalise_all(struct data *d, const int *qi, size_t nqi, const int *level,
			  struct general *g)
{
	for (size_t j = 0; j < nqi; j++) {
		const struct dict *raw = &d->dict[qi[j]];
		free(g->map[j]);
		dict_release(&g->names[j]);
		g->map[j] = calloc(raw->n + 1, sizeof(*g->map[j]));
		if (!g->map[j])
			return PONTE_ENOMEM;
		for (size_t i = 0; i < raw->n; i++) {
			const char *s = generalise(d->a, qi[j], level[j], raw->s[i]);
			int rc = s ? intern(&g->names[j], d->a, s, &g->map[j][i]) : PONTE_ENOMEM;
			if (rc)
				return rc;
		}
		g->distinct[j] = g->names[j].n;
	}
	return 0;
}

/* ---- groups: records sharing every generalised quasi-identifier ---- */

struct group {
	uint32_t key[OBS_MAX_QI];
	uint32_t count; /* 0: empty slot */
};

struct groups {
	struct group *g;
	size_t cap;
};

static void key_of(const struct data *d, const struct general *g, const int *qi, size_t nqi,
		   size_t r, uint32_t *key)
{
	memset(key, 0, OBS_MAX_QI * sizeof(*key));
	for (size_t j = 0; j < nqi; j++)
		key[j] = g->map[j][d->ids[r * NCOLS + qi[j]]];
}

static struct group *find(struct groups *t, const uint32_t *key)
{
	uint32_t h = 2166136261u;
	for (size_t j = 0; j < OBS_MAX_QI; j++)
		h = (h ^ key[j]) * 16777619u;
	size_t i = h & (t->cap - 1);
	while (t->g[i].count && memcmp(t->g[i].key, key, sizeof(t->g[i].key)) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->g[i];
}

/* Count the groups; *small: the records in groups below k. */
static void count_groups(const struct data *d, const struct general *g, const int *qi, size_t nqi,
			 struct groups *t, int64_t k, size_t *small)
{
	memset(t->g, 0, t->cap * sizeof(*t->g));
	uint32_t key[OBS_MAX_QI];
	for (size_t r = 0; r < d->n; r++) {
		key_of(d, g, qi, nqi, r, key);
		struct group *x = find(t, key);
		if (!x->count)
			memcpy(x->key, key, sizeof(key));
		x->count++;
	}
	*small = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->g[i].count && t->g[i].count < k)
			*small += t->g[i].count;
}

/* ---- the release ---- */

static int qi_index(const char *name)
{
	for (int c = 0; c < NQI_ALLOWED; c++)
		if (strcmp(COLUMNS[c], name) == 0)
			return c;
	return -1;
}

static int write_rows(struct data *d, const struct general *g, const int *qi, size_t nqi,
		      struct groups *t, int64_t k, obs_release_result *r, struct release_out *o)
{
	int rc = release_row(o, COLUMNS, NCOLS);
	/* A random order (Fisher-Yates with libsodium's generator). */
	size_t *order = malloc((d->n ? d->n : 1) * sizeof(*order));
	if (!order)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		order[i] = i;
	for (size_t i = d->n; i > 1; i--) {
		uint32_t x;
		crypto_random(&x, sizeof(x));
		size_t j = (size_t)(((uint64_t)x * i) >> 32), tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	r->k_achieved = 0;
	uint32_t key[OBS_MAX_QI];
	for (size_t i = 0; i < d->n && !rc; i++) {
		size_t row = order[i];
		key_of(d, g, qi, nqi, row, key);
		uint32_t count = find(t, key)->count;
		if (count < k)
			continue; /* suppressed */
		if (!r->k_achieved || count < r->k_achieved)
			r->k_achieved = count;
		const char *cells[NCOLS];
		for (int c = 0; c < NCOLS; c++)
			cells[c] = d->dict[c].s[d->ids[row * NCOLS + c]];
		for (size_t j = 0; j < nqi; j++)
			cells[qi[j]] = g->names[j].s[g->map[j][d->ids[row * NCOLS + qi[j]]]];
		rc = release_row(o, cells, NCOLS);
		r->released++;
	}
	free(order);
	return rc;
}

/* ---- the search ---- */

/* How much detail a combination of levels loses: the sum of each variable's share of its
 * hierarchy climbed (a year in 2-year periods loses 1/3, a gender suppressed loses 1). */
static double loss_of(const int *qi, size_t nqi, const int *level)
{
	double l = 0;
	for (size_t j = 0; j < nqi; j++)
		l += (double)level[j] / (double)MAX_LEVEL[qi[j]];
	return l;
}

struct node {
	int level[OBS_MAX_QI];
	double loss;
};

static int by_loss(const void *x, const void *y)
{
	const struct node *a = x, *b = y;
	return a->loss < b->loss ? -1 : a->loss > b->loss;
}

/* Every combination of levels, in order of the detail lost: the first that leaves few
 * enough records in small groups wins, and among those losing as much, the one leaving the
 * fewest out. Generalising more never makes a group smaller, so the all-"*" combination
 * always ends the search. */
static int search(struct data *d, const int *qi, size_t nqi, const obs_release_request *rq,
		  int *level, struct general *g, struct groups *t, size_t *small)
{
	size_t n = 1;
	for (size_t j = 0; j < nqi; j++)
		n *= (size_t)MAX_LEVEL[qi[j]] + 1;
	struct node *nodes = calloc(n, sizeof(*nodes));
	if (!nodes)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t x = i;
		for (size_t j = 0; j < nqi; j++) {
			nodes[i].level[j] = (int)(x % ((size_t)MAX_LEVEL[qi[j]] + 1));
			x /= (size_t)MAX_LEVEL[qi[j]] + 1;
		}
		nodes[i].loss = loss_of(qi, nqi, nodes[i].level);
	}
	qsort(nodes, n, sizeof(*nodes), by_loss);
	size_t allowed = (size_t)(rq->max_suppressed * (double)d->n), best = n, best_small = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (best < n && nodes[i].loss > nodes[best].loss + 1e-9)
			break;
		if ((rc = generalise_all(d, qi, nqi, nodes[i].level, g)))
			break;
		count_groups(d, g, qi, nqi, t, rq->k, small);
		if (*small <= allowed && (best == n || *small < best_small)) {
			best = i;
			best_small = *small;
		}
	}
	if (!rc)
		memcpy(level, nodes[best < n ? best : n - 1].level, sizeof(int) * nqi);
	free(nodes);
	return rc;
}

int release_microdata(const identity_env *env, const obs_release_request *rq, obs_release_result *r,
		      struct release_out *o)
{
	static const char *const DEFAULT_QI[] = { "year",        "gender",
						  "age_band",    "majority",
						  "citizenship", "country_of_exploitation" };
	int qi[OBS_MAX_QI], level[OBS_MAX_QI] = { 0 };
	size_t nqi = rq->nqi ? rq->nqi : ARRAY_LEN(DEFAULT_QI);
	for (size_t j = 0; j < nqi; j++) {
		const char *name = rq->nqi ? rq->qi[j] : DEFAULT_QI[j];
		if ((qi[j] = qi_index(name)) < 0) {
			snprintf(r->why, sizeof(r->why),
				 "%s cannot be a quasi-identifier (one of year, gender, age_band, "
				 "majority, citizenship, country_of_exploitation, source, status)",
				 name);
			return PONTE_EINVAL;
		}
	}
	arena a;
	arena_init(&a, 256u << 20);
	struct data d = { .a = &a };
	struct general g = { 0 };
	struct groups t = { 0 };
	int rc = release_records(env->db, rq->provider, add_record, &d);
	if (!rc) {
		r->records = d.n;
		t.cap = 1024;
		while (t.cap < d.n * 2)
			t.cap *= 2;
		if (!(t.g = calloc(t.cap, sizeof(*t.g))))
			rc = PONTE_ENOMEM;
	}
	size_t small = 0;
	if (!rc)
		rc = search(&d, qi, nqi, rq, level, &g, &t, &small);
	if (!rc)
		rc = generalise_all(&d, qi, nqi, level, &g);
	if (!rc)
		count_groups(&d, &g, qi, nqi, &t, rq->k, &small);
	if (!rc)
		rc = write_rows(&d, &g, qi, nqi, &t, rq->k, r, o);
	/* The manifest: k, what was generalised, how many were left out. */
	if (!rc)
		rc = buf_printf(&o->manifest,
				"\"privacy\":{\"method\":\"k-anonymity by global generalisation "
				"and suppression\",\"k\":%lld,\"k_achieved\":%lld,"
				"\"records\":%zu,\"released\":%zu,\"suppressed\":%zu,"
				"\"max_suppressed\":%.4g,\"generalisation\":{",
				(long long)rq->k, (long long)r->k_achieved, d.n, r->released,
				d.n - r->released, rq->max_suppressed);
	for (size_t j = 0; j < nqi && !rc; j++)
		rc = buf_printf(&o->manifest, "%s\"%s\":\"%s\"", j ? "," : "", COLUMNS[qi[j]],
				LEVEL_NAMES[qi[j]][level[j]]);
	if (!rc)
		rc = buf_puts(&o->manifest, "}}");
	if (!rc) {
		rc = buf_printf(
		    &o->note,
		    "## Method: k-anonymised microdata\n\n"
		    "One row per registered victim, without names or other direct identifiers. "
		    "The quasi-identifiers, the variables someone could know about a person from "
		    "elsewhere, are:");
		for (size_t j = 0; j < nqi && !rc; j++)
			rc = buf_printf(&o->note, "%s %s (%s)", j ? "," : "", COLUMNS[qi[j]],
					LEVEL_NAMES[qi[j]][level[j]]);
		if (!rc)
			rc = buf_printf(&o->note,
					". Every combination of their values that appears in the "
					"file is shared "
					"by at least %lld rows (k = %lld was asked; the smallest "
					"group has %lld "
					"rows), so no row can be told apart from %lld others by "
					"these variables. "
					"Variables were generalised the same way in every row, "
					"choosing, of all the "
					"ways to do so, the one losing the least detail that left "
					"at most %.1f%% of the "
					"records in smaller groups; those %zu records were left "
					"out. The other variables "
					"are released as recorded: k-anonymity does not stop "
					"someone who knows a "
					"person is in a group from learning what the whole group "
					"shares. Rows are "
					"in a random order.\n\n",
					(long long)r->k_achieved, (long long)rq->k,
					(long long)r->k_achieved,
					(long long)(r->k_achieved ? r->k_achieved - 1 : 0),
					rq->max_suppressed * 100, d.n - r->released);
	}
	for (size_t j = 0; j < OBS_MAX_QI; j++) {
		free(g.map[j]);
		dict_release(&g.names[j]);
	}
	for (int c = 0; c < NCOLS; c++)
		dict_release(&d.dict[c]);
	free(d.ids);
	free(t.g);
	arena_release(&a);
	return rc;
}
