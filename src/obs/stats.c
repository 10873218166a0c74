/* Cross-tabulations of observatory records over one or two dimensions. */
#include <pthread.h>

#include "obs/cube.h"

/* Counting reads the cube (cube.h): two arrays of small codes, filtered by others. */
static const char SQL_PROVIDERS[] = "SELECT id, code, country FROM organisations";

/* In the order of the cube's dimensions (cube.h). */
#define NDIM CUBE_DIMS
static const struct dimension {
	const char *name;
	bool provider; /* multi-response or not is the cube's (cube.h) */
} DIMENSIONS[NDIM] = {
	{ "year", false },
	{ "source", false },
	{ "gender", false },
	{ "age_band", false },
	{ "majority", false },
	{ "citizenship", false },
	{ "country_of_exploitation", false },
	{ "exploitation", false },
	{ "control", false },
	{ "status", false },
	{ "provider", true },
	{ "flow", false }, /* domestic or transnational, from the two countries */
};

static int dimension(const char *name)
{
	for (int i = 0; name && i < NDIM; i++)
		if (strcmp(DIMENSIONS[i].name, name) == 0)
			return i;
	return -1;
}

bool obs_dimension_known(const char *name)
{
	return dimension(name) >= 0;
}

struct providers {
	int64_t *id;
	char (*code)[33];
	char (*country)[3];
	size_t n;
};

static int load_providers(store_conn *c, struct providers *p)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_PROVIDERS, &st);
	size_t cap = 0;
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		if (p->n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *ids = realloc(p->id, cap * sizeof(*ids));
			if (ids)
				p->id = ids;
			char(*codes)[33] = ids ? realloc(p->code, cap * sizeof(*codes)) : NULL;
			if (codes)
				p->code = codes;
			char(*countries)[3] =
			    codes ? realloc(p->country, cap * sizeof(*countries)) : NULL;
			if (!countries) {
				store_reset(st);
				return PONTE_ENOMEM;
			}
			p->country = countries;
		}
		p->id[p->n] = store_col_int64(st, 0);
		snprintf(p->code[p->n], sizeof(p->code[0]), "%s", store_col_text(st, 1, NULL));
		snprintf(p->country[p->n], sizeof(p->country[0]), "%s",
			 store_col_text(st, 2, NULL));
		p->n++;
	}
	if (rc >= 0 || rc == STORE_DONE)
		store_reset(st);
	return rc < 0 ? rc : 0;
}

static int by_values(const void *x, const void *y)
{
	const obs_cell *a = x, *b = y;
	int c = strcmp(a->value[0], b->value[0]);
	return c ? c : strcmp(a->value[1] ? a->value[1] : "", b->value[1] ? b->value[1] : "");
}

/* A filter on one dimension, as codes of the cube. */
struct filter {
	int d;
	bool multi, impossible;
	uint16_t code; /* single-valued */
	uint32_t mask; /* multi: the bit of a code; 0 with want_missing or want_none */
	bool want_missing, want_none;
};

static inline bool matches(const cube *c, const struct filter *f, size_t r)
{
	if (!f->multi)
		return c->codes[f->d][r] == f->code;
	uint32_t m = c->masks[f->d][r];
	if (f->want_missing)
		return !(m & CUBE_KNOWN);
	if (f->want_none)
		return m == CUBE_KNOWN;
	return (m & f->mask) != 0;
}

static size_t find_name(const cube *c, int d, const char *v)
{
	for (size_t i = 0; i < c->nnames[d]; i++)
		if (strcmp(c->names[d][i], v) == 0)
			return i;
	return c->nnames[d];
}

static void make_filter(const cube *c, const struct providers *p, int d, const char *v,
			struct filter *f, char *id_text, size_t id_len)
{
	*f = (struct filter){ .d = d, .multi = c->multi[d] };
	if (DIMENSIONS[d].provider) { /* named by its code; the cube holds ids */
		for (size_t k = 0; k < p->n; k++)
			if (strcmp(p->code[k], v) == 0) {
				snprintf(id_text, id_len, "%lld", (long long)p->id[k]);
				v = id_text;
			}
	}
	if (f->multi && strcmp(v, "missing") == 0) {
		f->want_missing = true;
		return;
	}
	if (f->multi && strcmp(v, "none") == 0) {
		f->want_none = true;
		return;
	}
	size_t i = strcmp(v, "missing") == 0 ? 0 : find_name(c, d, v);
	f->impossible = i == c->nnames[d];
	if (f->multi)
		f->mask = f->impossible ? 0 : 1u << i;
	else
		f->code = (uint16_t)i;
}

/* The codes of record r on dimension d: one for a single-valued one; for a multi-response
 * one each code, then NONE or MISSING (as indexes nnames and nnames + 1). */
static inline size_t codes_of(const cube *c, int d, size_t r, uint32_t *out)
{
	if (!c->multi[d]) {
		out[0] = c->codes[d][r];
		return 1;
	}
	uint32_t m = c->masks[d][r];
	if (!(m & CUBE_KNOWN)) {
		out[0] = (uint32_t)c->nnames[d] + 1;
		return 1;
	}
	size_t n = 0;
	for (uint32_t bits = m & ~CUBE_KNOWN; bits; bits &= bits - 1)
		out[n++] = (uint32_t)__builtin_ctz(bits);
	if (!n)
		out[n++] = (uint32_t)c->nnames[d];
	return n;
}

static const char *name_of(const cube *c, int d, uint32_t code, const struct providers *p)
{
	if (c->multi[d] && code >= c->nnames[d])
		return code == c->nnames[d] ? "none" : "missing";
	const char *v = c->names[d][code];
	if (DIMENSIONS[d].provider && code) {
		int64_t id = strtoll(v, NULL, 10);
		for (size_t k = 0; k < p->n; k++)
			if (p->id[k] == id)
				return p->code[k];
		return "missing";
	}
	return v;
}

int obs_scope_of(int scope, const char *country, int64_t organisation_id, obs_scope *out)
{
	*out = (obs_scope){ 0 };
	switch (scope) {
	case SCOPE_ALL: return 0;
	case SCOPE_COUNTRY: out->country = country; return country && *country ? 0 : PONTE_EDENIED;
	case SCOPE_ORGANISATION:
		out->provider = organisation_id;
		return organisation_id ? 0 : PONTE_EDENIED;
	default: return PONTE_EDENIED;
	}
}

/* Which codes of the cube's provider dimension the scope keeps (NULL: all of them). The cube
 * names providers by id; an id that is no longer an organisation is kept by no scope. */
static int scope_filter(const cube *c, const struct providers *p, const obs_scope *s, bool **keep)
{
	*keep = NULL;
	if (!s->country && !s->provider)
		return 0;
	int d = dimension("provider");
	if (!(*keep = calloc(c->nnames[d] + 1, sizeof(**keep))))
		return PONTE_ENOMEM;
	for (size_t i = 1; i < c->nnames[d]; i++) { /* 0 is "missing" */
		int64_t id = strtoll(c->names[d][i], NULL, 10);
		for (size_t k = 0; k < p->n; k++)
			if (p->id[k] == id)
				(*keep)[i] = s->provider ? id == s->provider
							 : strcmp(p->country[k], s->country) == 0;
	}
	return 0;
}

bool obs_withheld(const obs_query *q, int64_t value)
{
	return !q->exact && value > 0 && value < q->suppress;
}

/* Counting: per cell of the table, the records and the sum of their keys (mod 2^32). */
struct tally {
	int64_t *count;
	uint32_t *key;
	int64_t total;
	uint32_t total_key;
};

/* The last selection of records of each thread. A page asks a dozen tables of the same
 * records (the dashboard: every chart of one year, one country, one reader's scope), and
 * selecting them is a pass over every record, which costs more than counting the few kept.
 * A selection is valid for the same cube (the shared one, by its generation: a new version
 * of the records or another database is a new cube), the same codes of providers kept (read
 * from the organisations at each query, so a provider changing country is seen at once) and
 * the same filters. Freed with its thread. */
struct selection {
	uint64_t generation; /* 0: none yet */
	size_t n;
	bool *keep; /* NULL: every provider */
	size_t nkeep;
	struct filter f[OBS_MAX_WHERE];
	size_t nf;
	uint32_t *rows;
	size_t nrows;
};

static pthread_key_t selection_key;
static pthread_once_t selection_once = PTHREAD_ONCE_INIT;
static bool selection_ok;

static void selection_free(void *p)
{
	struct selection *s = p;
	if (s) {
		free(s->keep);
		free(s->rows);
		free(s);
	}
}

static void selection_init(void)
{
	selection_ok = pthread_key_create(&selection_key, selection_free) == 0;
}

static struct selection *selection_of_thread(void)
{
	pthread_once(&selection_once, selection_init);
	if (!selection_ok)
		return NULL;
	struct selection *s = pthread_getspecific(selection_key);
	if (!s && (s = calloc(1, sizeof(*s))) != NULL && pthread_setspecific(selection_key, s)) {
		free(s);
		s = NULL;
	}
	return s;
}

static bool same_filter(const struct filter *a, const struct filter *b)
{
	return a->d == b->d && a->multi == b->multi && a->impossible == b->impossible &&
	       a->code == b->code && a->mask == b->mask && a->want_missing == b->want_missing &&
	       a->want_none == b->want_none;
}

static bool same_selection(const struct selection *s, const cube *c, const bool *keep, size_t nkeep,
			   const struct filter *f, size_t nf)
{
	if (!s->rows || s->generation != c->generation || s->n != c->n || s->nf != nf ||
	    !s->keep != !keep ||
	    (keep && (s->nkeep != nkeep || memcmp(s->keep, keep, nkeep * sizeof(*keep)) != 0)))
		return false;
	for (size_t i = 0; i < nf; i++)
		if (!same_filter(&s->f[i], &f[i]))
			return false;
	return true;
}

/* The records in the reader's scope (keep: its provider codes, NULL for every record) that
 * pass the filters, as row numbers: *rows is NULL when every record does. The rows belong to
 * the thread's selection: valid until its next query. */
static int select_rows(const cube *c, const bool *keep, const struct filter *f, size_t nf,
		       const uint32_t **rows, size_t *nrows)
{
	*rows = NULL;
	*nrows = c->n;
	if (!keep && !nf)
		return 0;
	int pd = dimension("provider");
	size_t nkeep = c->nnames[pd] + 1;
	struct selection *s = selection_of_thread();
	if (!s)
		return PONTE_ENOMEM;
	if (same_selection(s, c, keep, nkeep, f, nf)) {
		*rows = s->rows;
		*nrows = s->nrows;
		return 0;
	}
	uint32_t *r = malloc((c->n ? c->n : 1) * sizeof(*r));
	bool *k = keep ? malloc(nkeep * sizeof(*k)) : NULL;
	if (!r || (keep && !k)) {
		free(r);
		free(k);
		return PONTE_ENOMEM;
	}
	const uint16_t *provider = c->codes[pd];
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool ok = !keep || keep[provider[i]];
		for (size_t j = 0; ok && j < nf; j++)
			ok = matches(c, &f[j], i);
		if (ok)
			r[m++] = (uint32_t)i;
	}
	free(s->rows);
	free(s->keep);
	if (keep)
		memcpy(k, keep, nkeep * sizeof(*k));
	*s = (struct selection){ .generation = c->generation,
				 .n = c->n,
				 .keep = k,
				 .nkeep = nkeep,
				 .nf = nf,
				 .rows = r,
				 .nrows = m };
	for (size_t j = 0; j < nf; j++)
		s->f[j] = f[j];
	*rows = r;
	*nrows = m;
	return 0;
}

/* Count the selected records into the cells of dimensions i1 and i2 (-1: none). One pass over
 * two columns of small codes; a multi-response dimension counts a record once per value.
 * Exact counts leave the keys alone, which makes them the measure of what protection costs
 * (bench/obs.sh). */
static void count_records(const cube *c, const uint32_t *rows, size_t nrows, int i1, int i2,
			  size_t n2, bool exact, struct tally *t)
{
	const uint32_t *keys = c->keys;
	int64_t *count = t->count;
	uint32_t *key = t->key, total_key = 0;
	bool simple = !c->multi[i1] && (i2 < 0 || !c->multi[i2]);
	if (simple && exact) {
		const uint16_t *c1 = c->codes[i1], *c2 = i2 >= 0 ? c->codes[i2] : NULL;
		for (size_t i = 0; i < nrows; i++) {
			size_t r = rows ? rows[i] : i;
			count[c2 ? (size_t)c1[r] * n2 + c2[r] : c1[r]]++;
		}
	} else if (simple) { /* the common case: a cell per record */
		const uint16_t *c1 = c->codes[i1], *c2 = i2 >= 0 ? c->codes[i2] : NULL;
		for (size_t i = 0; i < nrows; i++) {
			size_t r = rows ? rows[i] : i;
			size_t cell = c2 ? (size_t)c1[r] * n2 + c2[r] : c1[r];
			count[cell]++;
			key[cell] += keys[r];
			total_key += keys[r];
		}
	} else if (i2 < 0) { /* one multi-response variable: its bits, then none or missing */
		const uint32_t *m1 = c->masks[i1];
		size_t none = c->nnames[i1], missing = none + 1;
		for (size_t i = 0; i < nrows; i++) {
			size_t r = rows ? rows[i] : i;
			uint32_t m = m1[r], k = exact ? 0 : keys[r];
			uint32_t bits = m & CUBE_KNOWN ? m & ~CUBE_KNOWN : 0;
			if (!bits) {
				size_t cell = m & CUBE_KNOWN ? none : missing;
				count[cell]++;
				key[cell] += k;
			}
			for (; bits; bits &= bits - 1) {
				unsigned b = (unsigned)__builtin_ctz(bits);
				count[b]++;
				key[b] += k;
			}
			total_key += k;
		}
	} else {
		for (size_t i = 0; i < nrows; i++) {
			size_t r = rows ? rows[i] : i;
			uint32_t v1[33], v2[33]; /* not cleared: a memset per record costs more */
			size_t k1 = codes_of(c, i1, r, v1), k2 = 1;
			if (i2 >= 0)
				k2 = codes_of(c, i2, r, v2);
			else
				v2[0] = 0;
			uint32_t k = exact ? 0 : keys[r];
			for (size_t x = 0; x < k1; x++)
				for (size_t y = 0; y < k2; y++) {
					count[v1[x] * n2 + v2[y]]++;
					key[v1[x] * n2 + v2[y]] += k;
				}
			total_key += k;
		}
	}
	t->total = (int64_t)nrows;
	t->total_key = total_key;
}

/* The margins of the shared cube: each dimension counted over every record, with the sums of
 * the keys, once per cube (per version of the records) and dimension, the first time a table
 * of that dimension alone is asked without scope or filter. Such tables are most of a
 * dashboard page of every record (its charts, its lists of years and countries), which then
 * costs a copy of a few hundred cells rather than a pass over every record each. Kept apart
 * from the cube, under their own lock, for the cube's generation. */
static struct {
	pthread_mutex_t lock;
	uint64_t generation;
	int64_t *count[NDIM];
	uint32_t *key[NDIM];
	uint32_t total_key[NDIM];
} margins = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void count_records(const cube *c, const uint32_t *rows, size_t nrows, int i1, int i2,
			  size_t n2, bool exact, struct tally *t);

/* Copy the margin of dimension d (n cells: its codes, none and missing) into t; false when it
 * cannot be had (memory), and t is then to be counted. */
static bool margin_of(const cube *c, int d, size_t n, struct tally *t)
{
	pthread_mutex_lock(&margins.lock);
	if (margins.generation != c->generation) {
		for (int i = 0; i < NDIM; i++) {
			free(margins.count[i]);
			free(margins.key[i]);
			margins.count[i] = NULL;
			margins.key[i] = NULL;
		}
		margins.generation = c->generation;
	}
	if (!margins.count[d]) {
		struct tally m = { calloc(n, sizeof(*m.count)), calloc(n, sizeof(*m.key)), 0, 0 };
		if (m.count && m.key) {
			count_records(c, NULL, c->n, d, -1, 1, false, &m);
			margins.count[d] = m.count;
			margins.key[d] = m.key;
			margins.total_key[d] = m.total_key;
		} else {
			free(m.count);
			free(m.key);
		}
	}
	bool ok = margins.count[d] != NULL;
	if (ok) {
		memcpy(t->count, margins.count[d], n * sizeof(*t->count));
		memcpy(t->key, margins.key[d], n * sizeof(*t->key));
		t->total = (int64_t)c->n;
		t->total_key = margins.total_key[d];
	}
	pthread_mutex_unlock(&margins.lock);
	return ok;
}

/* What a cell of count records whose keys sum to key is published as. */
static int64_t published(const obs_query *q, int64_t count, uint32_t key)
{
	return q->exact ? count : obs_ckm_value(count, key);
}

int obs_stats(const keyed_store *env, arena *a, const obs_query *q, obs_cell **cells, size_t *n,
	      int64_t *records)
{
	PONTE_CHECK(env && env->db && a && q && cells && n && records);
	int i1 = dimension(q->by[0]), i2 = q->by[1] ? dimension(q->by[1]) : -1;
	if (i1 < 0 || (q->by[1] && i2 < 0))
		return PONTE_EINVAL;
	for (size_t i = 0; i < q->nwhere; i++)
		if (dimension(q->where_dim[i]) < 0)
			return PONTE_EINVAL;
	const cube *c = NULL;
	struct providers p = { 0 };
	store_conn *conn;
	int rc = cube_acquire(env->db, &c);
	if (!rc && !(rc = store_conn_get(env->db, &conn)))
		rc = load_providers(conn, &p);
	bool *keep = NULL;
	if (!rc)
		rc = scope_filter(c, &p, &q->scope, &keep);
	struct filter f[OBS_MAX_WHERE];
	char ids[OBS_MAX_WHERE][24];
	bool impossible = false;
	for (size_t i = 0; !rc && i < q->nwhere; i++) {
		make_filter(c, &p, dimension(q->where_dim[i]), q->where_value[i], &f[i], ids[i],
			    sizeof(ids[i]));
		impossible |= f[i].impossible;
	}
	size_t n1 = rc ? 0 : c->nnames[i1] + 2, n2 = !rc && i2 >= 0 ? c->nnames[i2] + 2 : 1;
	struct tally t = { 0 };
	if (!rc && (!(t.count = calloc(n1 * n2, sizeof(*t.count))) ||
		    !(t.key = calloc(n1 * n2, sizeof(*t.key)))))
		rc = PONTE_ENOMEM;
	const uint32_t *rows = NULL;
	size_t nrows = 0;
	bool margin =
	    !rc && !impossible && !keep && !q->nwhere && i2 < 0 && margin_of(c, i1, n1, &t);
	if (!rc && !impossible && !margin &&
	    !(rc = select_rows(c, keep, f, q->nwhere, &rows, &nrows)))
		count_records(c, rows, nrows, i1, i2, n2, q->exact, &t);
	/* Each cell, and the total, as published: a perturbed count of 0 is left out like a
	 * true 0, so that the two cannot be told apart. */
	size_t used = 0;
	for (size_t i = 0; !rc && i < n1 * n2; i++)
		used += t.count[i] && published(q, t.count[i], t.key[i]) != 0;
	*cells = rc ? NULL : arena_calloc(a, used ? used : 1, sizeof(**cells));
	*n = 0;
	if (!rc && !*cells)
		rc = PONTE_ENOMEM;
	for (size_t i = 0; !rc && i < n1 * n2; i++) {
		int64_t value = t.count[i] ? published(q, t.count[i], t.key[i]) : 0;
		if (!value)
			continue;
		obs_cell *cell = &(*cells)[(*n)++];
		cell->value[0] = arena_strdup(a, name_of(c, i1, (uint32_t)(i / n2), &p));
		cell->value[1] =
		    i2 >= 0 ? arena_strdup(a, name_of(c, i2, (uint32_t)(i % n2), &p)) : NULL;
		cell->count = value;
		cell->suppressed = obs_withheld(q, value);
	}
	*records = rc ? 0 : published(q, t.total, t.total_key);
	free(t.count);
	free(t.key);
	free(p.id);
	free(p.code);
	free(p.country);
	free(keep);
	cube_put(c);
	if (!rc)
		qsort(*cells, *n, sizeof(**cells), by_values);
	return rc;
}
