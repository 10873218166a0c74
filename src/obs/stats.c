/* Cross-tabulations of observatory records over one or two dimensions. */
#include "obs/obs.h"

/* Columns read for every record, in this order. */
static const char SQL_RECORDS[] =
    "SELECT r.year, r.source, r.gender, r.age_band, r.majority, r.citizenship, "
    "r.country_of_exploitation, r.exploitation, r.exploitation_known, r.control, "
    "r.control_known, r.status, o.code FROM obs_records r JOIN organisations o ON "
    "o.id = r.provider_id";

struct dimension {
	const char *name;
	int column, known; /* known: the *_known column of a multi-response variable, or -1 */
};

static const struct dimension DIMENSIONS[] = {
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

static const struct dimension *dimension(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_LEN(DIMENSIONS); i++)
		if (strcmp(DIMENSIONS[i].name, name) == 0)
			return &DIMENSIONS[i];
	return NULL;
}

bool obs_dimension_known(const char *name)
{
	return dimension(name) != NULL;
}

#define MAX_VALUES 64 /* per record and dimension */

/* The values a record has on a dimension: one for single ones ("missing" when NULL); for a
 * multi-response variable each reported code, "none" when informed without any, "missing"
 * when not informed. */
static size_t values_of(store_stmt *st, const struct dimension *d, char out[][48])
{
	if (d->known < 0) {
		if (store_col_is_null(st, d->column)) {
			snprintf(out[0], 48, "missing");
		} else {
			const char *v = store_col_text(st, d->column, NULL);
			snprintf(out[0], 48, "%s", v ? v : "missing");
		}
		return 1;
	}
	if (!store_col_int64(st, d->known)) {
		snprintf(out[0], 48, "missing");
		return 1;
	}
	const char *csv = store_col_text(st, d->column, NULL);
	size_t n = 0;
	for (const char *s = csv ? csv : ""; *s && n < MAX_VALUES;) {
		size_t len = strcspn(s, ",");
		snprintf(out[n++], 48, "%.*s", (int)len, s);
		s += len + (s[len] == ',');
	}
	if (!n)
		snprintf(out[n++], 48, "none");
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

static int add(struct table *t, const char *key)
{
	if (t->used * 2 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		struct slot *s = calloc(ncap, sizeof(*s));
		if (!s)
			return PONTE_ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].key) {
				uint32_t h = 2166136261u;
				for (const char *p = t->slots[i].key; *p; p++)
					h = (h ^ (unsigned char)*p) * 16777619u;
				size_t j = h & (ncap - 1);
				while (s[j].key)
					j = (j + 1) & (ncap - 1);
				s[j] = t->slots[i];
			}
		free(t->slots);
		t->slots = s;
		t->cap = ncap;
	}
	uint32_t h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	size_t j = h & (t->cap - 1);
	while (t->slots[j].key && strcmp(t->slots[j].key, key) != 0)
		j = (j + 1) & (t->cap - 1);
	if (!t->slots[j].key) {
		if (!(t->slots[j].key = strdup(key)))
			return PONTE_ENOMEM;
		t->used++;
	}
	t->slots[j].count++;
	return 0;
}

static bool matches(store_stmt *st, const obs_query *q)
{
	for (size_t i = 0; i < q->nwhere; i++) {
		const struct dimension *d = dimension(q->where_dim[i]);
		char vals[MAX_VALUES][48];
		size_t n = values_of(st, d, vals);
		bool hit = false;
		for (size_t k = 0; k < n && !hit; k++)
			hit = strcmp(vals[k], q->where_value[i]) == 0;
		if (!hit)
			return false;
	}
	return true;
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
	const struct dimension *d1 = dimension(q->by[0]),
			       *d2 = q->by[1] ? dimension(q->by[1]) : NULL;
	if (!d1 || (q->by[1] && !d2))
		return PONTE_EINVAL;
	for (size_t i = 0; i < q->nwhere; i++)
		if (!dimension(q->where_dim[i]))
			return PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_RECORDS, &st);
	if (rc)
		return rc;
	struct table t = { 0 };
	*records = 0;
	char v1[MAX_VALUES][48], v2[MAX_VALUES][48], key[100];
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		if (!matches(st, q))
			continue;
		(*records)++;
		size_t n1 = values_of(st, d1, v1), n2 = d2 ? values_of(st, d2, v2) : 1;
		for (size_t i = 0; i < n1 && !rc; i++)
			for (size_t k = 0; k < n2 && !rc; k++) {
				snprintf(key, sizeof(key), "%.47s\x1f%.47s", v1[i],
					 d2 ? v2[k] : "");
				rc = add(&t, key);
			}
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
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
