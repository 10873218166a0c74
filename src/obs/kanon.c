/* k-anonymous, l-diverse microdata: one row per record, where every row is shared by at least
 * k rows over every published column, and every group of rows sharing the quasi-identifiers
 * holds at least l different values of each sensitive column.
 *
 * Why every column: someone who knows a person's sector of work or means of control from a
 * news report can use it as well as their age; a row unique over the whole file singles the
 * person out, whatever was declared a quasi-identifier. Why l: rows alike on what is known of
 * a person must not all tell the same thing about them (the homogeneity attack of
 * Machanavajjhala et al.); for a column holding several values, no single value may be held
 * by every row of the group either.
 *
 * Generalisation is global (a column is generalised the same way in every row) along the
 * hierarchies of generalise.c. Of all the combinations of levels of the published columns,
 * the one losing the least detail is chosen among those that leave at most max_suppressed of
 * the records out (the full-domain search of Samarati and of Incognito, without their
 * pruning); the records of rows shared by fewer than k, then of groups not l-diverse, are
 * left out. Then the earlier microdata releases of the same records (kanon_history.c): the
 * levels must be a coarsening or a refinement of each one's, and brought to the coarser of
 * the two, the rows of the new release and of the earlier one must not differ, for any
 * combination of values, by fewer than k: such a difference would single out the records
 * added, or left out of one release and not the other. The records of such combinations are
 * left out too, and the whole counts against max_suppressed.
 *
 * Rows are written in a random order, so that their position says nothing of the provider's
 * files. The manifest reports sdcMicro's risk measures before and after. */
#include <math.h>

#include "crypto/crypto.h"
#include "obs/kanon.h"

/* ---- interning: each distinct value of a column once ---- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void kanon_dict_release(struct kanon_dict *d)
{
	free(d->s);
	free(d->slots);
	*d = (struct kanon_dict){ 0 };
}

int kanon_intern(struct kanon_dict *d, arena *a, const char *s, uint32_t *id)
{
	if ((d->n + 1) * 2 > d->nslots) {
		size_t n = d->nslots ? d->nslots * 2 : 256;
		uint32_t *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return PONTE_ENOMEM;
		for (size_t i = 0; i < d->n; i++) {
			size_t j = hash_str(d->s[i]) & (n - 1);
			while (slots[j])
				j = (j + 1) & (n - 1);
			slots[j] = (uint32_t)i + 1;
		}
		free(d->slots);
		d->slots = slots;
		d->nslots = n;
	}
	size_t j = hash_str(s) & (d->nslots - 1);
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
	struct kanon_dict dict[KANON_COLUMNS];
	uint32_t *ids; /* KANON_COLUMNS per record */
	size_t n, cap;
};

static int add_record(const char *const *values, void *ctx)
{
	struct data *d = ctx;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096;
		uint32_t *ids = realloc(d->ids, cap * KANON_COLUMNS * sizeof(*ids));
		if (!ids)
			return PONTE_ENOMEM;
		d->ids = ids;
		d->cap = cap;
	}
	for (int c = 0; c < KANON_COLUMNS; c++) {
		int rc =
		    kanon_intern(&d->dict[c], d->a, values[c], &d->ids[d->n * KANON_COLUMNS + c]);
		if (rc)
			return rc;
	}
	d->n++;
	return 0;
}

/* ---- every value at every level, computed once ---- */

struct level_map {
	uint32_t *map; /* raw id -> id among names */
	struct kanon_dict names;
	uint64_t *elements; /* per id among names (as built): its values, one bit each */
	uint8_t *missing;   /* per id among names (as built): not recorded, or "*" */
};

struct hier {
	struct level_map m[KANON_COLUMNS][KANON_MAX_LEVELS];
	struct kanon_dict tokens[KANON_COLUMNS];
};

/* The bits of the ';'-separated values of v ("none", "missing" and "*" have none). */
static int elements_of(struct kanon_dict *tokens, arena *a, const char *v, uint64_t *bits)
{
	*bits = 0;
	if (strcmp(v, "none") == 0 || strcmp(v, "missing") == 0 || strcmp(v, "*") == 0)
		return 0;
	char one[128];
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ";");
		snprintf(one, sizeof(one), "%.*s", (int)(len < sizeof(one) ? len : sizeof(one) - 1),
			 p);
		uint32_t id;
		int rc = kanon_intern(tokens, a, one, &id);
		if (rc)
			return rc;
		*bits |=
		    1ull << (id < 63 ? id : 63); /* sharing a bit only makes the check stricter */
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

static int hier_build(struct hier *h, struct data *d, int col)
{
	for (int lev = 0; lev <= kanon_top(col); lev++) {
		struct level_map *m = &h->m[col][lev];
		const struct kanon_dict *raw = &d->dict[col];
		if (!(m->map = calloc(raw->n + 1, sizeof(*m->map))))
			return PONTE_ENOMEM;
		for (size_t i = 0; i < raw->n; i++) {
			const char *s = kanon_generalise(d->a, col, lev, raw->s[i]);
			int rc = s ? kanon_intern(&m->names, d->a, s, &m->map[i]) : PONTE_ENOMEM;
			if (rc)
				return rc;
		}
		m->elements = calloc(m->names.n + 1, sizeof(*m->elements));
		m->missing = calloc(m->names.n + 1, sizeof(*m->missing));
		if (!m->elements || !m->missing)
			return PONTE_ENOMEM;
		for (size_t i = 0; i < m->names.n; i++) {
			/* Neither "missing" nor "*" says anything of a person. */
			m->missing[i] = strcmp(m->names.s[i], "missing") == 0 ||
					strcmp(m->names.s[i], "*") == 0;
			int rc = kanon_multi(col) ? elements_of(&h->tokens[col], d->a,
								m->names.s[i], &m->elements[i])
						  : 0;
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void hier_release(struct hier *h)
{
	for (int c = 0; c < KANON_COLUMNS; c++) {
		for (int l = 0; l < KANON_MAX_LEVELS; l++) {
			free(h->m[c][l].map);
			free(h->m[c][l].elements);
			free(h->m[c][l].missing);
			kanon_dict_release(&h->m[c][l].names);
		}
		kanon_dict_release(&h->tokens[c]);
	}
}

/* ---- tables of keys; a slot is empty unless it carries the current generation ---- */

struct slot {
	uint32_t key[KANON_COLUMNS];
	uint32_t gen;
	uint32_t count, other; /* records; a second count, or the group's number */
};

struct table {
	struct slot *s;
	size_t cap;
	uint32_t gen;
};

static int table_init(struct table *t, size_t n)
{
	t->cap = 1024;
	while (t->cap < n * 2)
		t->cap *= 2;
	t->gen = 0;
	t->s = calloc(t->cap, sizeof(*t->s));
	return t->s ? 0 : PONTE_ENOMEM;
}

static void table_clear(struct table *t)
{
	if (++t->gen == 0) { /* wrapped: really clear */
		memset(t->s, 0, t->cap * sizeof(*t->s));
		t->gen = 1;
	}
}

static uint32_t table_find(struct table *t, const uint32_t *key, bool *fresh)
{
	uint32_t h = 2166136261u;
	for (size_t j = 0; j < KANON_COLUMNS; j++)
		h = (h ^ key[j]) * 16777619u;
	size_t i = h & (t->cap - 1);
	while (t->s[i].gen == t->gen && memcmp(t->s[i].key, key, sizeof(t->s[i].key)) != 0)
		i = (i + 1) & (t->cap - 1);
	*fresh = t->s[i].gen != t->gen;
	if (*fresh) {
		memcpy(t->s[i].key, key, sizeof(t->s[i].key));
		t->s[i].gen = t->gen;
		t->s[i].count = t->s[i].other = 0;
	}
	return (uint32_t)i;
}

/* ---- evaluating a combination of levels ---- */

struct plan {
	int col[KANON_COLUMNS]; /* the published columns, quasi-identifiers first */
	size_t ncols, nqi;
	int level[KANON_COLUMNS]; /* by column; the top for a column not published */
	int64_t k, l;
};

struct work {
	struct data *d;
	struct hier *h;
	struct plan *p;
	struct kanon_history *hist;
	struct table t, pairs;
	uint8_t *out;       /* per record: left out */
	uint32_t *slot_of;  /* per record: its slot in t */
	uint32_t *klass;    /* per record: the rows identical to its own */
	uint32_t *group;    /* per record: the rows sharing its quasi-identifiers */
	uint32_t *distinct; /* per group and sensitive column */
	uint64_t *common;   /* likewise: the values every recorded row holds */
	uint8_t *recorded;  /* likewise: some row has a value */
	uint32_t **emap;    /* per earlier release, column and level: its ids at that level */
	int64_t l_achieved[KANON_COLUMNS];
};

static uint32_t id_at(const struct work *w, size_t r, int col, int level)
{
	return w->h->m[col][level].map[w->d->ids[r * KANON_COLUMNS + col]];
}

/* Leave out the records of rows shared by fewer than k; each record's klass is its row's
 * count. The number newly left out. */
static size_t k_pass(struct work *w)
{
	table_clear(&w->t);
	uint32_t key[KANON_COLUMNS] = { 0 };
	bool fresh;
	for (size_t r = 0; r < w->d->n; r++) {
		if (w->out[r])
			continue;
		for (size_t j = 0; j < w->p->ncols; j++)
			key[j] = id_at(w, r, w->p->col[j], w->p->level[w->p->col[j]]);
		w->slot_of[r] = table_find(&w->t, key, &fresh);
		w->t.s[w->slot_of[r]].count++;
	}
	size_t newly = 0;
	for (size_t r = 0; r < w->d->n; r++) {
		if (w->out[r])
			continue;
		w->klass[r] = w->t.s[w->slot_of[r]].count;
		if ((int64_t)w->klass[r] < w->p->k) {
			w->out[r] = 1;
			newly++;
		}
	}
	return newly;
}

/* Group the records left by their quasi-identifiers (group sizes in w->group), then leave out
 * the groups where a sensitive column has fewer than l distinct recorded values, or where a
 * multi-response column has a value every recorded row holds. The number newly left out. */
static size_t l_pass(struct work *w)
{
	const struct plan *p = w->p;
	size_t nsens = p->ncols - p->nqi, ngroups = 0;
	table_clear(&w->t);
	uint32_t key[KANON_COLUMNS] = { 0 };
	bool fresh;
	for (size_t r = 0; r < w->d->n; r++) {
		if (w->out[r])
			continue;
		for (size_t j = 0; j < p->nqi; j++)
			key[j] = id_at(w, r, p->col[j], p->level[p->col[j]]);
		uint32_t s = w->slot_of[r] = table_find(&w->t, key, &fresh);
		if (fresh)
			w->t.s[s].other = (uint32_t)ngroups++;
		w->t.s[s].count++;
	}
	for (size_t r = 0; r < w->d->n; r++)
		if (!w->out[r])
			w->group[r] = w->t.s[w->slot_of[r]].count;
	for (size_t j = 0; j < KANON_COLUMNS; j++)
		w->l_achieved[j] = 0;
	if (!nsens)
		return 0;
	memset(w->distinct, 0, ngroups * nsens * sizeof(*w->distinct));
	memset(w->recorded, 0, ngroups * nsens * sizeof(*w->recorded));
	for (size_t i = 0; i < ngroups * nsens; i++)
		w->common[i] = ~0ull;
	for (size_t j = 0; j < nsens; j++) {
		int col = p->col[p->nqi + j], lev = p->level[col];
		const struct level_map *m = &w->h->m[col][lev];
		table_clear(&w->pairs);
		for (size_t r = 0; r < w->d->n; r++) {
			if (w->out[r])
				continue;
			uint32_t v = m->map[w->d->ids[r * KANON_COLUMNS + col]];
			if (m->missing[v])
				continue;
			size_t g = w->t.s[w->slot_of[r]].other, at = g * nsens + j;
			uint32_t pair[KANON_COLUMNS] = { (uint32_t)g, v };
			table_find(&w->pairs, pair, &fresh);
			w->distinct[at] += fresh;
			w->common[at] &= m->elements[v];
			w->recorded[at] = 1;
		}
	}
	/* A group fails when any of its sensitive columns does. */
	uint8_t *fails = calloc(ngroups + 1, 1);
	if (!fails)
		return SIZE_MAX;
	for (size_t g = 0; g < ngroups; g++)
		for (size_t j = 0; j < nsens; j++) {
			size_t at = g * nsens + j;
			int col = p->col[p->nqi + j];
			if (!w->recorded[at])
				continue;
			if (p->l >= 2 && ((int64_t)w->distinct[at] < p->l ||
					  (kanon_multi(col) && w->common[at])))
				fails[g] = 1;
		}
	size_t newly = 0;
	for (size_t r = 0; r < w->d->n; r++)
		if (!w->out[r] && fails[w->t.s[w->slot_of[r]].other]) {
			w->out[r] = 1;
			newly++;
		}
	/* The fewest distinct values among the groups published. */
	for (size_t g = 0; g < ngroups; g++)
		for (size_t j = 0; j < nsens && !fails[g]; j++) {
			size_t at = g * nsens + j;
			int col = p->col[p->nqi + j];
			if (w->recorded[at] &&
			    (!w->l_achieved[col] || (int64_t)w->distinct[at] < w->l_achieved[col]))
				w->l_achieved[col] = w->distinct[at];
		}
	free(fails);
	return newly;
}

/* The ids of an earlier release's values of col at level (cached). */
static const uint32_t *earlier_ids(struct work *w, size_t e, int col, int level)
{
	uint32_t **slot =
	    &w->emap[(e * KANON_COLUMNS + (size_t)col) * KANON_MAX_LEVELS + (size_t)level];
	if (*slot)
		return *slot;
	const struct kanon_dict *v = &w->hist->e[e].values[col];
	uint32_t *ids = calloc(v->n + 1, sizeof(*ids));
	if (!ids)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		const char *s = kanon_generalise(w->d->a, col, level, v->s[i]);
		if (!s || kanon_intern(&w->h->m[col][level].names, w->d->a, s, &ids[i])) {
			free(ids);
			return NULL;
		}
	}
	return *slot = ids;
}

/* Bring the rows left and those of each earlier release to the coarser of their levels, over
 * the columns both publish; leave out the records of every combination of values whose
 * counts differ by fewer than k. The number newly left out (SIZE_MAX: out of memory). */
static size_t history_pass(struct work *w)
{
	const struct plan *p = w->p;
	size_t newly = 0;
	for (size_t e = 0; e < w->hist->n; e++) {
		const struct kanon_earlier *E = &w->hist->e[e];
		int cmp[KANON_COLUMNS], lev[KANON_COLUMNS];
		const uint32_t *emaps[KANON_COLUMNS];
		size_t ncmp = 0;
		for (size_t j = 0; j < p->ncols; j++) {
			int c = p->col[j],
			    jl = p->level[c] > E->level[c] ? p->level[c] : E->level[c];
			if (!E->published[c] || jl >= kanon_top(c))
				continue;
			cmp[ncmp] = c;
			lev[ncmp] = jl;
			if (!(emaps[ncmp++] = earlier_ids(w, e, c, jl)))
				return SIZE_MAX;
		}
		if (!ncmp)
			continue; /* nothing in common to tell rows apart by */
		table_clear(&w->t);
		uint32_t key[KANON_COLUMNS] = { 0 };
		bool fresh;
		for (size_t row = 0; row < E->rows; row++) {
			for (size_t j = 0; j < ncmp; j++)
				key[j] = emaps[j][E->ids[row * KANON_COLUMNS + (size_t)cmp[j]]];
			w->t.s[table_find(&w->t, key, &fresh)].other++;
		}
		for (size_t r = 0; r < w->d->n; r++) {
			if (w->out[r])
				continue;
			for (size_t j = 0; j < ncmp; j++)
				key[j] = id_at(w, r, cmp[j], lev[j]);
			w->slot_of[r] = table_find(&w->t, key, &fresh);
			w->t.s[w->slot_of[r]].count++;
		}
		for (size_t r = 0; r < w->d->n; r++) {
			if (w->out[r])
				continue;
			const struct slot *s = &w->t.s[w->slot_of[r]];
			int64_t diff = (int64_t)s->count - (int64_t)s->other;
			if (diff != 0 && llabs(diff) < p->k) {
				w->out[r] = 1;
				newly++;
			}
		}
	}
	return newly;
}

/* Everything a combination of levels leaves out, into w->out; the count (SIZE_MAX: out of
 * memory). *by_history: how many because of earlier releases. With own_only, the earlier
 * releases are not looked at. Once more than enough are out, the rest is not worked out. */
static size_t evaluate(struct work *w, bool own_only, size_t enough, size_t *by_history)
{
	memset(w->out, 0, w->d->n);
	*by_history = 0;
	size_t out = k_pass(w), x;
	if (out > enough)
		return out;
	if ((x = l_pass(w)) == SIZE_MAX)
		return SIZE_MAX;
	out += x;
	while (!own_only && w->hist->n) {
		size_t h = history_pass(w);
		if (h == SIZE_MAX)
			return SIZE_MAX;
		if (!h)
			break;
		*by_history += h;
		out += h;
		if ((x = l_pass(w)) == SIZE_MAX)
			return SIZE_MAX;
		out += x;
	}
	return out;
}

/* ---- risk, as sdcMicro measures it ---- */

/* For a whole population (no sampling weights), sdcMicro's individual risk of a record is
 * 1/f, f the records sharing its key; the global risk is their mean and the expected number
 * of re-identifications their sum. A record is "at risk" when its risk is above 0.1 and
 * above the median plus twice the median absolute deviation (scaled by 1.4826, as R's mad()
 * does), as sdcMicro reports it. */
struct risk {
	double expected, global, max;
	size_t at_risk, unique, below_k, records;
};

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int risk_measure(const uint32_t *f, size_t n, int64_t k, struct risk *out)
{
	*out = (struct risk){ .records = n };
	if (!n)
		return 0;
	double *r = malloc(n * sizeof(*r)), *dev = malloc(n * sizeof(*dev));
	if (!r || !dev) {
		free(r);
		free(dev);
		return PONTE_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		r[i] = 1.0 / (double)f[i];
		out->expected += r[i];
		out->unique += f[i] == 1;
		out->below_k += (int64_t)f[i] < k;
		if (r[i] > out->max)
			out->max = r[i];
	}
	out->global = out->expected / (double)n;
	double med = median_of(r, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(r[i] - med);
	double mad = 1.4826 * median_of(dev, n), cut = med + 2 * mad;
	for (size_t i = 0; i < n; i++)
		out->at_risk += r[i] > 0.1 && r[i] > cut;
	free(r);
	free(dev);
	return 0;
}

static int risk_json(buf *b, const char *name, const struct risk *x)
{
	return buf_printf(b,
			  "\"%s\":{\"records\":%zu,\"expected_reidentifications\":%.6g,"
			  "\"global_risk\":%.6g,\"individual_risk_max\":%.6g,"
			  "\"records_at_risk\":%zu,\"unique\":%zu,\"below_k\":%zu}",
			  name, x->records, x->expected, x->global, x->max, x->at_risk, x->unique,
			  x->below_k);
}

/* The risk over the quasi-identifiers and over every published column, of the records left
 * in (w->out). */
static int risk_now(struct work *w, int64_t k, struct risk *qi, struct risk *all)
{
	uint32_t *f = malloc((w->d->n + 1) * sizeof(*f)), *g = malloc((w->d->n + 1) * sizeof(*g));
	size_t m = 0;
	int rc = f && g ? 0 : PONTE_ENOMEM;
	for (size_t r = 0; r < w->d->n && !rc; r++)
		if (!w->out[r]) {
			f[m] = w->klass[r];
			g[m++] = w->group[r];
		}
	if (!rc)
		rc = risk_measure(g, m, k, qi);
	if (!rc)
		rc = risk_measure(f, m, k, all);
	free(f);
	free(g);
	return rc;
}

/* ---- the search ---- */

/* How much detail a combination loses: the sum of each column's share of its hierarchy
 * climbed (a year in 2-year periods loses 1/3, a gender suppressed loses 1), a sensitive
 * column counting double as it is what the file is published for; in sixths, so that equal
 * losses compare equal (hierarchies are 1, 2 or 3 levels high). */
struct node {
	uint32_t index; /* the levels, in mixed radix over the published columns */
	uint32_t loss;
};

static void levels_of(const struct plan *p, uint32_t index, int *level)
{
	for (size_t j = 0; j < p->ncols; j++) {
		uint32_t radix = (uint32_t)kanon_top(p->col[j]) + 1;
		level[p->col[j]] = (int)(index % radix);
		index /= radix;
	}
}

static int by_loss(const void *x, const void *y)
{
	const struct node *a = x, *b = y;
	if (a->loss != b->loss)
		return a->loss < b->loss ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Which levels of two columns, the others suppressed, already leave more than allowed out
 * by k alone: every combination holding those levels or finer ones does too, as
 * generalising merges rows and never splits them (the pruning of Incognito, over pairs).
 * fails[(i * ncols + j) * 16 + li * 4 + lj] for the i-th and j-th published columns. */
static uint8_t *doomed_pairs(struct work *w, size_t allowed)
{
	struct plan *p = w->p;
	uint8_t *fails = calloc(p->ncols * p->ncols * 16 + 1, 1);
	if (!fails)
		return NULL;
	int saved[KANON_COLUMNS];
	memcpy(saved, p->level, sizeof(saved));
	for (size_t i = 0; i < p->ncols; i++)
		for (size_t j = i + 1; j < p->ncols; j++) {
			int ci = p->col[i], cj = p->col[j];
			for (int li = 0; li <= kanon_top(ci); li++)
				for (int lj = 0; lj <= kanon_top(cj); lj++) {
					for (size_t x = 0; x < p->ncols; x++)
						p->level[p->col[x]] = kanon_top(p->col[x]);
					p->level[ci] = li;
					p->level[cj] = lj;
					memset(w->out, 0, w->d->n);
					fails[(i * p->ncols + j) * 16 + (size_t)(li * 4 + lj)] =
					    k_pass(w) > allowed;
				}
		}
	memcpy(p->level, saved, sizeof(saved));
	return fails;
}

static bool doomed(const struct plan *p, const uint8_t *fails)
{
	for (size_t i = 0; i < p->ncols; i++)
		for (size_t j = i + 1; j < p->ncols; j++)
			if (fails[(i * p->ncols + j) * 16 +
				  (size_t)(p->level[p->col[i]] * 4 + p->level[p->col[j]])])
				return true;
	return false;
}

/* Every combination of levels comparable with the earlier releases', in order of the detail
 * lost: the first that leaves few enough records out wins, and among those losing as much,
 * the one leaving the fewest out. PONTE_EINVAL (r->why) when none does. */
static int search(struct work *w, double max_suppressed, obs_release_result *r)
{
	struct plan *p = w->p;
	size_t n = 1;
	for (size_t j = 0; j < p->ncols; j++)
		n *= (size_t)kanon_top(p->col[j]) + 1;
	struct node *nodes = calloc(n, sizeof(*nodes));
	if (!nodes)
		return PONTE_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		levels_of(p, (uint32_t)i, p->level);
		bool ok = true;
		for (size_t e = 0; e < w->hist->n && ok; e++)
			ok = kanon_comparable(p->level, &w->hist->e[e]);
		if (!ok)
			continue;
		uint32_t loss = 0;
		for (size_t j = 0; j < p->ncols; j++)
			loss += (uint32_t)(p->level[p->col[j]] * (6 / kanon_top(p->col[j]))) *
				(j < p->nqi ? 1 : 2);
		nodes[m++] = (struct node){ (uint32_t)i, loss };
	}
	qsort(nodes, m, sizeof(*nodes), by_loss);
	size_t allowed = (size_t)(max_suppressed * (double)w->d->n), best = m, best_out = 0;
	uint8_t *fails = doomed_pairs(w, allowed);
	int rc = fails ? 0 : PONTE_ENOMEM;
	for (size_t i = 0; i < m && !rc; i++) {
		if (best < m && nodes[i].loss > nodes[best].loss)
			break;
		levels_of(p, nodes[i].index, p->level);
		if (doomed(p, fails))
			continue;
		size_t hist, out = evaluate(w, true, allowed, &hist);
		if (out != SIZE_MAX && out <= allowed && w->hist->n)
			out = evaluate(w, false, SIZE_MAX - 1, &hist);
		if (out == SIZE_MAX) {
			rc = PONTE_ENOMEM;
			break;
		}
		if (out <= allowed && (best == m || out < best_out)) {
			best = i;
			best_out = out;
		}
	}
	if (!rc && best == m) {
		snprintf(r->why, sizeof(r->why),
			 "no generalisation leaves at most %.1f%% of the records out with k = %lld "
			 "and l = %lld%s; allow more to be left out (--max-suppressed), lower k or "
			 "l, or publish fewer columns",
			 max_suppressed * 100, (long long)p->k, (long long)p->l,
			 w->hist->n ? " that is consistent with the earlier microdata releases"
				    : "");
		rc = PONTE_EINVAL;
	}
	if (!rc)
		levels_of(p, nodes[best].index, p->level);
	free(fails);
	free(nodes);
	return rc;
}

/* ---- the release ---- */

static int write_rows(struct work *w, obs_release_result *r, struct release_out *o, arena *a)
{
	const struct plan *p = w->p;
	/* The header: the published columns in the order of a record. */
	const char **head = arena_calloc(a, KANON_COLUMNS, sizeof(*head));
	int cols[KANON_COLUMNS];
	size_t n = 0;
	if (!head)
		return PONTE_ENOMEM;
	for (int c = 0; c < KANON_COLUMNS; c++)
		for (size_t j = 0; j < p->ncols; j++)
			if (p->col[j] == c) {
				cols[n] = c;
				head[n++] = KANON_COLUMN[c];
			}
	int rc = release_row(o, head, n);
	/* A random order (Fisher-Yates with libsodium's generator). */
	size_t *order = malloc((w->d->n ? w->d->n : 1) * sizeof(*order));
	if (!order)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < w->d->n; i++)
		order[i] = i;
	for (size_t i = w->d->n; i > 1; i--) {
		uint32_t x;
		crypto_random(&x, sizeof(x));
		size_t j = (size_t)(((uint64_t)x * i) >> 32), tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	r->k_achieved = 0;
	for (size_t i = 0; i < w->d->n && !rc; i++) {
		size_t row = order[i];
		if (w->out[row])
			continue;
		if (!r->k_achieved || w->klass[row] < r->k_achieved)
			r->k_achieved = w->klass[row];
		const char *cells[KANON_COLUMNS];
		for (size_t j = 0; j < n; j++) {
			const struct level_map *m = &w->h->m[cols[j]][p->level[cols[j]]];
			cells[j] = m->names.s[id_at(w, row, cols[j], p->level[cols[j]])];
		}
		rc = release_row(o, cells, n);
		r->released++;
	}
	free(order);
	return rc;
}

/* The quasi-identifiers and sensitive columns asked for, with their defaults. */
static int plan_columns(const obs_release_request *rq, struct plan *p, obs_release_result *r)
{
	static const char *const DEFAULT_QI[] = { "year",        "gender",
						  "age_band",    "majority",
						  "citizenship", "country_of_exploitation" };
	static const char *const DEFAULT_SENSITIVE[] = { "exploitation", "control", "status" };
	bool taken[KANON_COLUMNS] = { false };
	for (int pass = 0; pass < 2; pass++) {
		bool qi = pass == 0, given = qi ? rq->nqi > 0 : rq->nsensitive > 0;
		size_t n = given ? (qi ? rq->nqi : rq->nsensitive)
			   : qi  ? ARRAY_LEN(DEFAULT_QI)
				 : ARRAY_LEN(DEFAULT_SENSITIVE);
		if (!qi && rq->no_sensitive)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			const char *name = given ? (qi ? rq->qi[i] : rq->sensitive[i])
					   : qi  ? DEFAULT_QI[i]
						 : DEFAULT_SENSITIVE[i];
			int c = kanon_column(name);
			if (c < 0) {
				snprintf(
				    r->why, sizeof(r->why),
				    "%s is not a column of the records (year, gender, age_band, "
				    "majority, citizenship, country_of_exploitation, source, "
				    "status, exploitation, control, labour_sector, sexual_sector, "
				    "recruiter_relation, abduction)",
				    name);
				return PONTE_EINVAL;
			}
			if (taken[c]) {
				/* A default sensitive column the caller made a quasi-identifier. */
				if (!qi && !given)
					continue;
				snprintf(r->why, sizeof(r->why), "%s is named twice", name);
				return PONTE_EINVAL;
			}
			taken[c] = true;
			p->col[p->ncols++] = c;
			p->nqi += qi;
		}
	}
	for (int c = 0; c < KANON_COLUMNS; c++)
		p->level[c] = kanon_top(c);
	return 0;
}

static int manifest(struct release_out *o, const struct work *w, const obs_release_request *rq,
		    const obs_release_result *r, const struct risk *risk)
{
	const struct plan *p = w->p;
	size_t records = w->d->n;
	buf *m = &o->manifest;
	int rc = buf_printf(m,
			    "\"privacy\":{\"method\":\"k-anonymity over every published column "
			    "and l-diversity, by global generalisation and suppression\","
			    "\"k\":%lld,\"l\":%lld,\"k_achieved\":%lld,\"l_achieved\":%lld,"
			    "\"records\":%zu,\"released\":%zu,\"suppressed\":%zu,"
			    "\"suppressed_for_earlier_releases\":%zu,\"max_suppressed\":%.4g,"
			    "\"columns\":{",
			    (long long)p->k, (long long)p->l, (long long)r->k_achieved,
			    (long long)r->l_achieved, records, r->released, records - r->released,
			    r->left_by_history, rq->max_suppressed);
	for (size_t j = 0; j < p->ncols && !rc; j++) {
		int c = p->col[j];
		rc = buf_printf(
		    m, "%s\"%s\":{\"role\":\"%s\",\"level\":%d,\"generalisation\":\"%s\"",
		    j ? "," : "", KANON_COLUMN[c], j < p->nqi ? "quasi-identifier" : "sensitive",
		    p->level[c], kanon_level_name(c, p->level[c]));
		if (!rc && j >= p->nqi)
			rc = buf_printf(m, ",\"l_achieved\":%lld", (long long)w->l_achieved[c]);
		if (!rc)
			rc = buf_puts(m, "}");
	}
	if (!rc)
		rc = buf_puts(m, "},\"not_published\":[");
	bool first = true;
	for (int c = 0; c < KANON_COLUMNS && !rc; c++) {
		bool published = false;
		for (size_t j = 0; j < p->ncols; j++)
			published |= p->col[j] == c;
		if (!published) {
			rc = buf_printf(m, "%s\"%s\"", first ? "" : ",", KANON_COLUMN[c]);
			first = false;
		}
	}
	if (!rc)
		rc = buf_puts(m, "],\"earlier_releases\":[");
	for (size_t e = 0; e < w->hist->n && !rc; e++)
		rc = buf_printf(m, "%s%lld", e ? "," : "", (long long)w->hist->e[e].version);
	if (!rc)
		rc = buf_puts(m, "],\"risk\":{\"model\":\"sdcMicro, a whole population without "
				 "weights: individual risk 1/f, f the rows sharing the key; global "
				 "risk their mean; expected re-identifications their sum; at risk: "
				 "above 0.1 and above the median plus twice the median absolute "
				 "deviation; below_k: rows sharing the key with fewer than "
				 "k\",\"quasi_identifiers\":{");
	if (!rc)
		rc = risk_json(m, "released", &risk[0]);
	if (!rc)
		rc = buf_puts(m, ",");
	if (!rc)
		rc = risk_json(m, "original", &risk[2]);
	if (!rc)
		rc = buf_puts(m, "},\"all_columns\":{");
	if (!rc)
		rc = risk_json(m, "released", &risk[1]);
	if (!rc)
		rc = buf_puts(m, ",");
	if (!rc)
		rc = risk_json(m, "original", &risk[3]);
	return rc ? rc : buf_puts(m, "}}}");
}

static int note(struct release_out *o, const struct work *w, const obs_release_request *rq,
		const obs_release_result *r, const struct risk *risk)
{
	const struct plan *p = w->p;
	buf *b = &o->note;
	int rc = buf_puts(b, "## Method: k-anonymous, l-diverse microdata\n\n"
			     "One row per registered victim, without names or other direct "
			     "identifiers. The quasi-identifiers, what someone could know about a "
			     "person from elsewhere, are:");
	for (size_t j = 0; j < p->nqi && !rc; j++)
		rc = buf_printf(b, "%s %s (%s)", j ? "," : "", KANON_COLUMN[p->col[j]],
				kanon_level_name(p->col[j], p->level[p->col[j]]));
	if (!rc)
		rc = buf_puts(b, ". The sensitive columns, what the release must not reveal about "
				 "anyone, are:");
	for (size_t j = p->nqi; j < p->ncols && !rc; j++)
		rc = buf_printf(b, "%s %s (%s)", j > p->nqi ? "," : "", KANON_COLUMN[p->col[j]],
				kanon_level_name(p->col[j], p->level[p->col[j]]));
	if (!rc && p->ncols == p->nqi)
		rc = buf_puts(b, " none");
	if (!rc)
		rc = buf_printf(
		    b,
		    ". No other column is published.\n\n"
		    "Every row of the file is identical, over all its columns, to at least %lld "
		    "rows (k = %lld was asked), so that whatever someone knows of a person, no row "
		    "can be told apart from %lld others. Every group of rows sharing the "
		    "quasi-identifiers holds at least %lld different recorded values of each "
		    "sensitive column (l = %lld was asked; for a column holding several values, "
		    "none of them is held by every row of the group), so that knowing what a "
		    "person's row says of the quasi-identifiers does not tell what the rest says. "
		    "Columns were generalised the same way in every row, choosing, of all the ways "
		    "to do so, the one losing the least detail that left at most %.1f%% of the "
		    "records out; %zu records were left out",
		    (long long)r->k_achieved, (long long)p->k,
		    (long long)(r->k_achieved ? r->k_achieved - 1 : 0),
		    (long long)(r->l_achieved ? r->l_achieved : p->l), (long long)p->l,
		    rq->max_suppressed * 100, w->d->n - r->released);
	if (!rc && w->hist->n)
		rc = buf_printf(b,
				", %zu of them so that this file and the earlier microdata "
				"releases of the same records, compared, do not differ by fewer "
				"than %lld rows for any combination of values (which would single "
				"out the records added or left out in between)",
				r->left_by_history, (long long)p->k);
	if (!rc)
		rc = buf_printf(b,
				". Risk, as sdcMicro measures it for a whole population, over the "
				"quasi-identifiers: %.1f re-identifications expected in this file "
				"against %.1f in the records before protection, where %zu records "
				"were unique; %zu records at risk (%zu before); no row now has a "
				"risk above 1/%lld. The manifest gives these measures over every "
				"published column too. Rows are in a random order.\n\n",
				risk[0].expected, risk[2].expected, risk[2].unique, risk[0].at_risk,
				risk[2].at_risk, (long long)(r->k_achieved ? r->k_achieved : p->k));
	return rc;
}

int release_microdata(const keyed_store *env, const obs_release_request *rq, obs_release_result *r,
		      struct release_out *o)
{
	struct plan p = { .k = rq->k, .l = rq->l ? rq->l : 2 };
	int rc = plan_columns(rq, &p, r);
	if (rc)
		return rc;
	if (p.l < 1 || p.l > p.k) {
		snprintf(r->why, sizeof(r->why), "l must be from 1 to k");
		return PONTE_EINVAL;
	}
	arena a;
	arena_init(&a, 512u << 20);
	struct data d = { .a = &a };
	struct hier *h = calloc(1, sizeof(*h));
	struct kanon_history hist = { 0 };
	struct work w = { .d = &d, .h = h, .p = &p, .hist = &hist };
	struct risk risk[4];
	rc = h ? release_records(env->db, rq->provider, add_record, &d) : PONTE_ENOMEM;
	if (!rc)
		rc = kanon_history_load(env, rq, o->provider_code, &a, &hist, r);
	for (size_t j = 0; j < p.ncols && !rc; j++)
		rc = hier_build(h, &d, p.col[j]);
	if (!rc) {
		r->records = d.n;
		size_t n = d.n + 1, nsens = p.ncols - p.nqi + 1;
		w.out = calloc(n, 1);
		w.slot_of = calloc(n, sizeof(*w.slot_of));
		w.klass = calloc(n, sizeof(*w.klass));
		w.group = calloc(n, sizeof(*w.group));
		w.distinct = calloc(n * nsens, sizeof(*w.distinct));
		w.common = calloc(n * nsens, sizeof(*w.common));
		w.recorded = calloc(n * nsens, 1);
		w.emap = calloc(hist.n * KANON_COLUMNS * KANON_MAX_LEVELS + 1, sizeof(*w.emap));
		if (!w.out || !w.slot_of || !w.klass || !w.group || !w.distinct || !w.common ||
		    !w.recorded || !w.emap)
			rc = PONTE_ENOMEM;
	}
	if (!rc)
		rc = table_init(&w.t, d.n);
	if (!rc)
		rc = table_init(&w.pairs, d.n);
	/* The risk of the records as they are, over the same columns. */
	size_t hist_out = 0;
	if (!rc) {
		int64_t k = p.k, l = p.l;
		p.k = p.l = 0;
		for (size_t j = 0; j < p.ncols; j++)
			p.level[p.col[j]] = 0;
		if (evaluate(&w, true, SIZE_MAX - 1, &hist_out) == SIZE_MAX)
			rc = PONTE_ENOMEM;
		if (!rc)
			rc = risk_now(&w, k, &risk[2], &risk[3]);
		p.k = k;
		p.l = l;
	}
	if (!rc)
		rc = search(&w, rq->max_suppressed, r);
	if (!rc && evaluate(&w, false, SIZE_MAX - 1, &hist_out) == SIZE_MAX)
		rc = PONTE_ENOMEM;
	if (!rc) {
		/* The sizes of what is published: rows and groups, once nothing more leaves. */
		r->left_by_history = hist_out;
		k_pass(&w);
		if (l_pass(&w) == SIZE_MAX)
			rc = PONTE_ENOMEM;
	}
	r->l_achieved = 0;
	for (size_t j = p.nqi; j < p.ncols && !rc; j++)
		if (w.l_achieved[p.col[j]] &&
		    (!r->l_achieved || w.l_achieved[p.col[j]] < r->l_achieved))
			r->l_achieved = w.l_achieved[p.col[j]];
	if (!rc)
		rc = write_rows(&w, r, o, &a);
	if (!rc)
		rc = risk_now(&w, p.k, &risk[0], &risk[1]);
	if (!rc)
		rc = manifest(o, &w, rq, r, risk);
	if (!rc)
		rc = note(o, &w, rq, r, risk);
	for (size_t i = 0; w.emap && i < hist.n * KANON_COLUMNS * KANON_MAX_LEVELS; i++)
		free(w.emap[i]);
	free(w.emap);
	free(w.out);
	free(w.slot_of);
	free(w.klass);
	free(w.group);
	free(w.distinct);
	free(w.common);
	free(w.recorded);
	free(w.t.s);
	free(w.pairs.s);
	kanon_history_release(&hist);
	if (h)
		hier_release(h);
	free(h);
	for (int c = 0; c < KANON_COLUMNS; c++)
		kanon_dict_release(&d.dict[c]);
	free(d.ids);
	arena_release(&a);
	return rc;
}
