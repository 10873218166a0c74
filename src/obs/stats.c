/* Cross-tabulations of observatory records over one or two dimensions. */
#include "obs/obs.h"

/* One pass over the records, reading only the two columns a table needs (one statement per
 * pair of dimensions, so nothing else is decoded) with the filters in SQL: SQLite's GROUP BY
 * would sort a million rows; counting in a hash table does not. A multi-response column
 * reads as NULL when the variable was not informed. */
/* The SQL macros below are laid out by hand. */
/* clang-format off */
#define C_YEAR "r.year"
#define C_SOURCE "r.source"
#define C_GENDER "r.gender"
#define C_AGE "r.age_band"
#define C_MAJORITY "r.majority"
#define C_CITIZENSHIP "r.citizenship"
#define C_COUNTRY "r.country_of_exploitation"
#define C_EXPLOITATION "CASE WHEN r.exploitation_known THEN r.exploitation END"
#define C_CONTROL "CASE WHEN r.control_known THEN r.control END"
#define C_STATUS "r.status"
#define C_PROVIDER "r.provider_id"
#define C_NONE "NULL"
/* Filters: ?1 .. ?11, one per dimension, NULL when not filtered; "missing" matches NULL. */
#define EQ(n, c) "(?" #n " IS NULL OR coalesce(CAST(" c " AS TEXT), 'missing') = ?" #n ")"
#define HAS(n, col) \
	"(?" #n " IS NULL OR CASE WHEN ?" #n " = 'missing' THEN NOT r." col "_known WHEN ?" #n \
	" = 'none' THEN r." col "_known AND r." col " = '' ELSE r." col "_known AND instr(',' || " \
	"r." col " || ',', ',' || ?" #n " || ',') > 0 END)"
#define WHERE \
	EQ(1, C_YEAR) " AND " EQ(2, C_SOURCE) " AND " EQ(3, C_GENDER) " AND " EQ(4, C_AGE) \
	" AND " EQ(5, C_MAJORITY) " AND " EQ(6, C_CITIZENSHIP) " AND " EQ(7, C_COUNTRY) \
	" AND " HAS(8, "exploitation") " AND " HAS(9, "control") " AND " EQ(10, C_STATUS) \
	" AND " EQ(11, C_PROVIDER)
#define Q(a, b) "SELECT " a ", " b " FROM obs_records r WHERE " WHERE
#define ROW(a) \
	{ Q(a, C_YEAR), Q(a, C_SOURCE), Q(a, C_GENDER), Q(a, C_AGE), Q(a, C_MAJORITY), \
	  Q(a, C_CITIZENSHIP), Q(a, C_COUNTRY), Q(a, C_EXPLOITATION), Q(a, C_CONTROL), \
	  Q(a, C_STATUS), Q(a, C_PROVIDER), Q(a, C_NONE) }
/* clang-format on */
#define NDIM 11
static const char *const SQL_TABLE[NDIM][NDIM + 1] = {
	ROW(C_YEAR),     ROW(C_SOURCE),      ROW(C_GENDER),   ROW(C_AGE),
	ROW(C_MAJORITY), ROW(C_CITIZENSHIP), ROW(C_COUNTRY),  ROW(C_EXPLOITATION),
	ROW(C_CONTROL),  ROW(C_STATUS),      ROW(C_PROVIDER),
};
static const char SQL_PROVIDERS[] = "SELECT id, code FROM organisations";

#define NDIM 11
/* In the order of the statements and of the filter parameters. */
static const struct dimension {
	const char *name;
	bool multi, provider;
} DIMENSIONS[NDIM] = {
	{ "year", false, false },
	{ "source", false, false },
	{ "gender", false, false },
	{ "age_band", false, false },
	{ "majority", false, false },
	{ "citizenship", false, false },
	{ "country_of_exploitation", false, false },
	{ "exploitation", true, false },
	{ "control", true, false },
	{ "status", false, false },
	{ "provider", false, true },
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
static size_t values_of(store_stmt *st, int col, const struct dimension *d,
			const struct providers *p, struct value *out)
{
	size_t len;
	const char *v = store_col_is_null(st, col) ? NULL : store_col_text(st, col, &len);
	if (!v) {
		out[0] = (struct value){ "missing", 7 };
		return 1;
	}
	if (d->provider) { /* its organisation's code */
		int64_t id = store_col_int64(st, col);
		for (size_t i = 0; i < p->n; i++)
			if (p->id[i] == id) {
				out[0] = (struct value){ p->code[i], strlen(p->code[i]) };
				return 1;
			}
		out[0] = (struct value){ "missing", 7 };
		return 1;
	}
	if (!d->multi) {
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
		rc = store_prepare(c, SQL_TABLE[i1][i2], &st);
	for (size_t i = 0; !rc && i < q->nwhere; i++) {
		int d = dimension(q->where_dim[i]);
		const char *v = q->where_value[i];
		/* A provider is named by its code; the records hold its id. */
		if (DIMENSIONS[d].provider) {
			for (size_t k = 0; k < p.n; k++)
				if (strcmp(p.code[k], v) == 0)
					v = arena_printf(a, "%lld", (long long)p.id[k]);
		}
		store_bind_text(st, d + 1, v, strlen(v));
	}
	struct table t = { 0 };
	*records = 0;
	struct value v1[MAX_VALUES], v2[MAX_VALUES];
	char key[200];
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		(*records)++;
		size_t n1 = values_of(st, 0, d1, &p, v1),
		       n2 = d2 ? values_of(st, 1, d2, &p, v2) : 1;
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
