/* Cross-tabulations of observatory records over one or two dimensions. */
#include "obs/obs.h"

/* One pass over the records, reading only the columns a table needs: SQLite's GROUP BY would
 * sort a million rows; counting in a hash table does not. Columns, in this order: */
static const char SQL_SCAN[] =
    "SELECT CASE WHEN ?1 THEN year END, CASE WHEN ?2 THEN source END, CASE WHEN ?3 THEN gender "
    "END, CASE WHEN ?4 THEN age_band END, CASE WHEN ?5 THEN majority END, CASE WHEN ?6 THEN "
    "citizenship END, CASE WHEN ?7 THEN country_of_exploitation END, CASE WHEN ?8 THEN "
    "exploitation END, CASE WHEN ?8 THEN exploitation_known END, CASE WHEN ?9 THEN control "
    "END, CASE WHEN ?9 THEN control_known END, CASE WHEN ?10 THEN status END, CASE WHEN ?11 "
    "THEN provider_id END FROM obs_records";
/* (?N is 1 for the dimensions a table needs: the others are not decoded at all.) */
static const char SQL_PROVIDERS[] = "SELECT id, code FROM organisations";

#define NDIM 11
static const struct dimension {
	const char *name;
	int column, known; /* known: the *_known column of a multi-response variable, or -1 */
} DIMENSIONS[NDIM] = {
	{ "year", 0, -1 },
	{ "source", 1, -1 },
	{ "gender", 2, -1 },
	{ "age_band", 3, -1 },
	{ "majority", 4, -1 },
	{ "citizenship", 5, -1 },
	{ "country_of_exploitation", 6, -1 },
	{ "exploitation", 7, 8 },
	{ "control", 9, 10 },
	{ "status", 11, -1 },
	{ "provider", 12, -1 },
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

#define MAX_VALUES 64 /* per record and dimension */

struct value {
	const char *s;
	size_t n;
};

struct providers {
	int64_t *id;
	char (*code)[33];
	size_t n;
};

/* The values of a record on a dimension: one for single ones ("missing" when NULL); for a
 * multi-response variable each reported code, "none" when informed without any, "missing"
 * when not informed. Strings point into the statement's row or are constants. */
static size_t values_of(store_stmt *st, const struct dimension *d, const struct providers *p,
			struct value *out)
{
	if (d->known >= 0 && !store_col_int64(st, d->known)) {
		out[0] = (struct value){ "missing", 7 };
		return 1;
	}
	size_t len;
	const char *v =
	    store_col_is_null(st, d->column) ? NULL : store_col_text(st, d->column, &len);
	if (!v) {
		out[0] = (struct value){ "missing", 7 };
		return 1;
	}
	if (d->column == 12) { /* provider: its organisation's code */
		int64_t id = store_col_int64(st, 12);
		for (size_t i = 0; i < p->n; i++)
			if (p->id[i] == id) {
				out[0] = (struct value){ p->code[i], strlen(p->code[i]) };
				return 1;
			}
		out[0] = (struct value){ "missing", 7 };
		return 1;
	}
	if (d->known < 0) {
		out[0] = (struct value){ v, len };
		return 1;
	}
	size_t n = 0;
	for (const char *s = v, *end = v + len; s < end && n < MAX_VALUES;) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t l = comma ? (size_t)(comma - s) : (size_t)(end - s);
		out[n++] = (struct value){ s, l };
		s += l + 1;
	}
	if (!n)
		out[n++] = (struct value){ "none", 4 };
	return n;
}

struct slot {
	char *key; /* "v1\x1fv2" */
	int64_t count;
};

struct table {
	struct slot *slots;
	size_t cap, used;
};

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static int add(struct table *t, const char *key, size_t n, int64_t count)
{
	if (t->used * 2 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		struct slot *s = calloc(ncap, sizeof(*s));
		if (!s)
			return PONTE_ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].key) {
				size_t j =
				    fnv(t->slots[i].key, strlen(t->slots[i].key)) & (ncap - 1);
				while (s[j].key)
					j = (j + 1) & (ncap - 1);
				s[j] = t->slots[i];
			}
		free(t->slots);
		t->slots = s;
		t->cap = ncap;
	}
	size_t j = fnv(key, n) & (t->cap - 1);
	while (t->slots[j].key &&
	       (strncmp(t->slots[j].key, key, n) != 0 || t->slots[j].key[n] != '\0'))
		j = (j + 1) & (t->cap - 1);
	if (!t->slots[j].key) {
		if (!(t->slots[j].key = strndup(key, n)))
			return PONTE_ENOMEM;
		t->used++;
	}
	t->slots[j].count += count;
	return 0;
}

static bool matches(store_stmt *st, const obs_query *q, const struct providers *p)
{
	struct value vals[MAX_VALUES];
	for (size_t i = 0; i < q->nwhere; i++) {
		size_t n = values_of(st, &DIMENSIONS[dimension(q->where_dim[i])], p, vals);
		size_t want = strlen(q->where_value[i]);
		bool hit = false;
		for (size_t k = 0; k < n && !hit; k++)
			hit = vals[k].n == want && memcmp(vals[k].s, q->where_value[i], want) == 0;
		if (!hit)
			return false;
	}
	return true;
}

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
			char(*codes)[33] = ids ? realloc(p->code, cap * sizeof(*codes)) : NULL;
			if (ids)
				p->id = ids;
			if (!codes)
				return PONTE_ENOMEM;
			p->code = codes;
		}
		p->id[p->n] = store_col_int64(st, 0);
		snprintf(p->code[p->n], sizeof(p->code[0]), "%s", store_col_text(st, 1, NULL));
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

int obs_stats(const identity_env *env, arena *a, const obs_query *q, obs_cell **cells, size_t *n,
	      int64_t *records)
{
	int i1 = dimension(q->by[0]), i2 = q->by[1] ? dimension(q->by[1]) : NDIM;
	if (i1 < 0 || i2 < 0)
		return PONTE_EINVAL;
	for (size_t i = 0; i < q->nwhere; i++)
		if (dimension(q->where_dim[i]) < 0)
			return PONTE_EINVAL;
	const struct dimension *d1 = &DIMENSIONS[i1], *d2 = i2 < NDIM ? &DIMENSIONS[i2] : NULL;
	struct providers p = { 0 };
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc)
		return rc;
	if (!(rc = load_providers(c, &p)))
		rc = store_prepare(c, SQL_SCAN, &st);
	if (!rc) {
		store_bind_int64(st, i1 + 1, 1);
		if (i2 < NDIM)
			store_bind_int64(st, i2 + 1, 1);
		for (size_t i = 0; i < q->nwhere; i++)
			store_bind_int64(st, dimension(q->where_dim[i]) + 1, 1);
	}
	struct table t = { 0 };
	*records = 0;
	struct value v1[MAX_VALUES], v2[MAX_VALUES];
	char key[200];
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		if (q->nwhere && !matches(st, q, &p))
			continue;
		(*records)++;
		size_t n1 = values_of(st, d1, &p, v1), n2 = d2 ? values_of(st, d2, &p, v2) : 1;
		for (size_t i = 0; i < n1 && !rc; i++)
			for (size_t k = 0; k < n2 && !rc; k++) {
				size_t l1 = v1[i].n < 90 ? v1[i].n : 90;
				size_t l2 = d2 ? (v2[k].n < 90 ? v2[k].n : 90) : 0;
				memcpy(key, v1[i].s, l1);
				key[l1] = '\x1f';
				if (l2)
					memcpy(key + l1 + 1, v2[k].s, l2);
				rc = add(&t, key, l1 + 1 + l2, 1);
			}
	}
	if (rc >= 0 || rc == STORE_DONE)
		store_reset(st);
	store_commit(c);
	rc = rc < 0 ? rc : 0;
	free(p.id);
	free(p.code);
	*cells = rc ? NULL : arena_calloc(a, t.used ? t.used : 1, sizeof(**cells));
	*n = 0;
	if (!rc && !*cells)
		rc = PONTE_ENOMEM;
	for (size_t i = 0; i < t.cap; i++) {
		if (!t.slots[i].key)
			continue;
		if (!rc) {
			obs_cell *cell = &(*cells)[(*n)++];
			char *sep = strchr(t.slots[i].key, '\x1f');
			cell->value[0] =
			    arena_strndup(a, t.slots[i].key, (size_t)(sep - t.slots[i].key));
			cell->value[1] = d2 ? arena_strdup(a, sep + 1) : NULL;
			cell->count = t.slots[i].count;
		}
		free(t.slots[i].key);
	}
	free(t.slots);
	if (!rc) {
		qsort(*cells, *n, sizeof(**cells), by_values);
		obs_suppress(*cells, *n, d2 != NULL, q->suppress);
	}
	return rc;
}
