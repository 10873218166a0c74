/* Full-text search over knowledge items, with facets and highlights. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "base/utf8.h"
#include "i18n/i18n.h"
#include "knowledge/knowledge.h"

#define MAX_TERMS 16
#define MAX_TERM 64

/* ---- query words ---- */

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* The words of q, each at most MAX_TERM bytes of letters and digits. */
static size_t split_terms(const char *q, char terms[MAX_TERMS][MAX_TERM + 1])
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)q;
	while (*p && n < MAX_TERMS) {
		while (*p && !word_byte(*p))
			p++;
		size_t len = 0;
		while (word_byte(*p)) {
			if (len < MAX_TERM)
				terms[n][len++] = (char)*p;
			p++;
		}
		/* A cut in the middle of a UTF-8 sequence would make an invalid query. */
		while (len && ((unsigned char)terms[n][len - 1] & 0xC0) == 0x80 &&
		       !utf8_valid(terms[n], len))
			len--;
		if (len && ((unsigned char)terms[n][len - 1] & 0xC0) == 0xC0)
			len--;
		terms[n][len] = '\0';
		if (len && utf8_valid(terms[n], len))
			n++;
	}
	return n;
}

size_t kn_fold_arabic(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
		uint32_t cp = (c == 0xD8 || c == 0xD9) && (d & 0xC0) == 0x80
				  ? ((uint32_t)(c & 0x1F) << 6) | (d & 0x3F)
				  : 0;
		if (!cp) {
			s[o++] = (char)c;
			continue;
		}
		i++;
		if ((cp >= 0x064B && cp <= 0x0652) || cp == 0x0670 || cp == 0x0640)
			continue; /* short vowels, shadda, sukun, dagger alif, tatweel */
		if (cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671)
			cp = 0x0627; /* آ أ إ ٱ → ا */
		else if (cp == 0x0649)
			cp = 0x064A; /* ى → ي */
		else if (cp == 0x0629)
			cp = 0x0647; /* ة → ه */
		s[o++] = (char)(0xC0 | (cp >> 6));
		s[o++] = (char)(0x80 | (cp & 0x3F));
	}
	if (o < n)
		s[o] = '\0';
	return o;
}

int kn_fts_query(const char *q, buf *out)
{
	char terms[MAX_TERMS][MAX_TERM + 1];
	size_t n = split_terms(q ? q : "", terms);
	for (size_t i = 0; i < n; i++)
		kn_fold_arabic(terms[i], strlen(terms[i]));
	int rc = 0;
	/* Quoted words cannot be FTS syntax (the words hold no quote); each matches as a prefix,
	 * and all must match. */
	for (size_t i = 0; i < n && !rc; i++)
		rc = buf_printf(out, "%s\"%s\"*", i ? " " : "", terms[i]);
	return rc;
}

int kn_tsquery(const char *q, bool prefix, const char *weights, buf *out)
{
	char terms[MAX_TERMS][MAX_TERM + 1];
	size_t n = split_terms(q ? q : "", terms);
	int rc = 0;
	bool first = true;
	for (size_t i = 0; i < n && !rc; i++) {
		/* A word of marks only (short vowels, tatweel) folds to nothing, and '' is a
		 * syntax error to to_tsquery: left out, as FTS5 leaves "" out. */
		size_t len = kn_fold_arabic(terms[i], strlen(terms[i]));
		if (!len)
			continue;
		rc = buf_puts(out, first ? "'" : " & '");
		first = false;
		/* Words hold letters and digits only; a quote or backslash would still be
		 * escaped as tsquery text wants ('' and \\), never closing the word. */
		for (size_t j = 0; j < len && !rc; j++) {
			char ch = terms[i][j];
			rc = ch == '\'' || ch == '\\' ? buf_putc(out, ch) : 0;
			if (!rc)
				rc = buf_putc(out, ch);
		}
		if (!rc)
			rc = buf_putc(out, '\'');
		if (!rc && (prefix || weights))
			rc = buf_printf(out, ":%s%s", prefix ? "*" : "", weights ? weights : "");
	}
	return rc;
}

/* Lower case, accents folded: "Passeurs" and "PASSÉURS" both become "passeurs"; Arabic as
 * kn_fold_arabic() does. */
static size_t fold_latin(const char *s, size_t n, char *out, size_t outlen);

static size_t fold(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = fold_latin(s, n, out, outlen);
	return kn_fold_arabic(out, o);
}

static size_t fold_latin(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 3 < outlen; i++) {
		const unsigned char *p = (const unsigned char *)s + i;
		const char *f = i + 1 < n ? utf8_fold_latin(p) : NULL;
		if (f) {
			while (*f && o + 3 < outlen)
				out[o++] = *f++;
			i++;
		} else {
			out[o++] = (char)tolower(*p);
		}
	}
	out[o] = '\0';
	return o;
}

int kn_highlight(const char *text, const char *q, kn_piece_fn fn, void *ctx)
{
	char terms[MAX_TERMS][MAX_TERM + 1], folded[MAX_TERMS][MAX_TERM * 2 + 4];
	size_t n = split_terms(q ? q : "", terms);
	for (size_t i = 0; i < n; i++)
		fold(terms[i], strlen(terms[i]), folded[i], sizeof(folded[i]));
	const char *plain = text;
	const char *p = text;
	int rc = 0;
	while (*p && !rc) {
		while (*p && !word_byte((unsigned char)*p))
			p++;
		const char *start = p;
		while (word_byte((unsigned char)*p))
			p++;
		if (p == start)
			break;
		char word[MAX_TERM * 2 + 4];
		size_t wl = fold(start, (size_t)(p - start), word, sizeof(word));
		bool hit = false;
		for (size_t i = 0; i < n && !hit; i++) {
			size_t tl = strlen(folded[i]);
			hit = tl && tl <= wl && memcmp(word, folded[i], tl) == 0;
		}
		if (!hit)
			continue;
		if (start > plain)
			rc = fn(plain, (size_t)(start - plain), false, ctx);
		if (!rc)
			rc = fn(start, (size_t)(p - start), true, ctx);
		plain = p;
	}
	if (!rc && *plain)
		rc = fn(plain, strlen(plain), false, ctx);
	return rc;
}

/* ---- the in-memory copy of what search filters on ----
 *
 * One entry per item, in list order (last change first), built from the covering index
 * knowledge_items_search and rebuilt when knowledge_generation moves. A search reads the
 * full-text index (rowids and scores) and this copy only: visibility, filters and all seven
 * facets are decided here, and only the rows of the page shown are read from the table. */

enum { F_TYPE, F_EVIDENCE, F_LANG, F_YEAR, F_COUNTRY, F_AREA, F_TARGET };

struct entry {
	int64_t id, organisation_id, author_id;
	const char *status, *type, *evidence, *languages, *countries, *areas, *targets;
	char owner_country[3];
	int year;
};

struct snapshot {
	_Atomic int refs;
	uint64_t db; /* store_serial */
	int64_t generation;
	arena a; /* the strings of the entries */
	struct entry *entries;
	size_t n;
	int32_t *position; /* by id: index in entries, or -1 */
	int64_t max_id;
};

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;

static const char SQL_GENERATION[] = "SELECT value FROM knowledge_generation";
static const char SQL_ENTRIES[] =
    "SELECT rowid, status, type, evidence, languages, coalesce(year, 0), countries, areas, "
    "targets, owner_country, organisation_id, author_id FROM knowledge_items "
    "INDEXED BY knowledge_items_search ORDER BY updated_at DESC, rowid DESC";
/* PostgreSQL has neither rowid (id is the same number) nor INDEXED BY. */
static const char SQL_ENTRIES_PG[] =
    "SELECT id, status, type, evidence, languages, coalesce(year, 0), countries, areas, "
    "targets, owner_country, organisation_id, author_id FROM knowledge_items "
    "ORDER BY updated_at DESC, id DESC";
#define HIT_COLUMNS                                                                                \
	"k.id, k.version, k.type, k.status, k.language, k.title, k.summary, k.countries, "         \
	"k.evidence, coalesce(k.year, 0), coalesce(k.published_at, ''), k.updated_at, "            \
	"k.languages, t.title, t.summary, k.author_id"
static const char SQL_HIT[] = "SELECT " HIT_COLUMNS " FROM knowledge_items k LEFT JOIN "
			      "knowledge_translations t ON t.item_id = k.id AND t.language = ?2 "
			      "WHERE k.id = ?1";
static const char SQL_MATCH[] = "SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH ?1";
static const char SQL_SCORED[] = "SELECT rowid, bm25(knowledge_fts, 10.0, 5.0, 1.0, 3.0) FROM "
				 "knowledge_fts WHERE knowledge_fts MATCH ?1";
/* PostgreSQL (migrations/pg/0052): knowledge_fts.search holds every word as written and
 * its stem in the item's language (or a translation's). ?1 is the words as prefixes, read as
 * written (ponte_simple: SQLite's matches); ?2 the words whole, read as stems in each
 * language, so that "victims" also finds "victim". Both are bound tsquery text (kn_tsquery). */
#define PG_TSQUERY                                                                                 \
	"(SELECT to_tsquery('ponte_simple', ?1) || to_tsquery('ponte_english', ?2) || "            \
	"to_tsquery('ponte_french', ?2) || to_tsquery('ponte_portuguese', ?2) || "                 \
	"to_tsquery('ponte_spanish', ?2) AS q) AS q"
static const char SQL_MATCH_PG[] =
    "SELECT f.rowid FROM knowledge_fts f, " PG_TSQUERY " WHERE f.search @@ q.q";
/* bm25's column weights (title 10, summary 5, translations and details 3, body 1) as
 * ts_rank's, {D, C, B, A}; normalised by the log of the length as bm25 favours shorter
 * text; negated so that lower is better, as bm25. */
static const char SQL_SCORED_PG[] =
    "SELECT f.rowid, -ts_rank('{0.1, 0.3, 0.5, 1.0}', f.search, q.q, 1) FROM knowledge_fts "
    "f, " PG_TSQUERY " WHERE f.search @@ q.q";

/* The words of a search in the store's dialect: FTS5's query, or PostgreSQL's two. */
struct words {
	bool pg;
	const char *q;      /* as typed */
	const char *fts;    /* SQLite: kn_fts_query() */
	const char *prefix; /* PostgreSQL: kn_tsquery(q, true, NULL) */
	const char *whole;  /* PostgreSQL: kn_tsquery(q, false, NULL) */
};

static int words_bind(store_stmt *st, const struct words *w, const char *fts, const char *prefix,
		      const char *whole)
{
	if (!w->pg)
		return store_bind_text(st, 1, fts, strlen(fts));
	store_bind_text(st, 1, prefix, strlen(prefix));
	return store_bind_text(st, 2, whole, strlen(whole));
}

/* Above this many full-text matches the words are in a large share of the collection, where
 * bm25 says little (its inverse document frequency is near zero) and costs about a
 * microsecond per match: matches are then ranked by where the words are (title, then summary,
 * translations and details, then body), newest first within each. */
static _Atomic size_t bm25_max_matches = 4000;

bool kn_filter_parse(const url_params *query, kn_filter *f, const char **problem)
{
	memset(f, 0, sizeof(*f));
	f->q = url_params_get(query, "q");
	f->type = url_params_get(query, "type");
	f->country = url_params_get(query, "country");
	f->area = url_params_get(query, "area");
	f->target = url_params_get(query, "target");
	f->evidence = url_params_get(query, "evidence");
	f->lang = url_params_get(query, "lang");
	f->status = url_params_get(query, "status");
	const char *year = url_params_get(query, "year"), *limit = url_params_get(query, "limit"),
		   *offset = url_params_get(query, "offset");
	char *end;
	if (year && *year) {
		f->year = (int)strtol(year, &end, 10);
		if (*end || f->year < 1900 || f->year > 2100) {
			*problem = N_("year must be a year between 1900 and 2100.");
			return false;
		}
	}
	f->limit = 20;
	if (limit) {
		f->limit = (int)strtol(limit, &end, 10);
		if (*end || f->limit < 1 || f->limit > 100) {
			*problem = N_("limit must be a number from 1 to 100.");
			return false;
		}
	}
	if (offset) {
		f->offset = (int)strtol(offset, &end, 10);
		if (*end || f->offset < 0 || f->offset > 1000000) {
			*problem = N_("offset must be a number of 0 or more.");
			return false;
		}
	}
	return true;
}

void kn_search_tune(size_t bm25_max)
{
	atomic_store(&bm25_max_matches, bm25_max);
}
#define MAX_RANKED 10000 /* offset + limit of a ranked search */

static void snapshot_release(struct snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		arena_release(&s->a);
		free(s->entries);
		free(s->position);
		free(s);
	}
}

static const char *keep(arena *a, store_stmt *st, int col)
{
	const char *v = store_col_text(st, col, NULL);
	return arena_strdup(a, v ? v : "");
}

static int build(store_conn *c, uint64_t db, bool pg, int64_t generation, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	if (!s)
		return PONTE_ENOMEM;
	atomic_init(&s->refs, 1);
	s->db = db;
	s->generation = generation;
	arena_init(&s->a, 1u << 30);
	store_stmt *st;
	int rc = store_prepare(c, pg ? SQL_ENTRIES_PG : SQL_ENTRIES, &st);
	bool prepared = rc == 0;
	size_t cap = 0;
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		if (s->n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct entry *more = realloc(s->entries, ncap * sizeof(*more));
			if (!more) {
				rc = PONTE_ENOMEM;
				break;
			}
			s->entries = more;
			cap = ncap;
		}
		struct entry *e = &s->entries[s->n++];
		e->id = store_col_int64(st, 0);
		e->status = keep(&s->a, st, 1);
		e->type = keep(&s->a, st, 2);
		e->evidence = keep(&s->a, st, 3);
		e->languages = keep(&s->a, st, 4);
		e->year = (int)store_col_int64(st, 5);
		e->countries = keep(&s->a, st, 6);
		e->areas = keep(&s->a, st, 7);
		e->targets = keep(&s->a, st, 8);
		snprintf(e->owner_country, sizeof(e->owner_country), "%s",
			 store_col_text(st, 9, NULL) ? store_col_text(st, 9, NULL) : "");
		e->organisation_id = store_col_int64(st, 10);
		e->author_id = store_col_int64(st, 11);
		if (!e->targets)
			rc = PONTE_ENOMEM;
		if (e->id > s->max_id)
			s->max_id = e->id;
	}
	if (prepared)
		store_reset(st);
	rc = rc < 0 ? rc : 0;
	if (!rc) {
		s->position = malloc(((size_t)s->max_id + 1) * sizeof(*s->position));
		if (!s->position)
			rc = PONTE_ENOMEM;
		for (int64_t i = 0; !rc && i <= s->max_id; i++)
			s->position[i] = -1;
		for (size_t i = 0; !rc && i < s->n; i++)
			s->position[s->entries[i].id] = (int32_t)i;
	}
	if (rc) {
		snapshot_release(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* The copy for db as of the caller's read transaction (refs taken: release it). */
static int snapshot_get(store_conn *c, const store *st_db, struct snapshot **out)
{
	uint64_t db = store_serial(st_db);
	store_stmt *st;
	int rc = store_prepare(c, SQL_GENERATION, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	int64_t generation = rc == STORE_ROW ? store_col_int64(st, 0) : -1;
	store_reset(st);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&snapshot_lock);
	if (current && current->db == db && current->generation == generation) {
		atomic_fetch_add(&current->refs, 1);
		*out = current;
		pthread_mutex_unlock(&snapshot_lock);
		return 0;
	}
	pthread_mutex_unlock(&snapshot_lock);
	struct snapshot *fresh;
	if ((rc = build(c, db, store_is_pg(st_db), generation, &fresh)))
		return rc;
	pthread_mutex_lock(&snapshot_lock);
	if (!current || current->db != db || current->generation < generation) {
		snapshot_release(current);
		atomic_fetch_add(&fresh->refs, 1); /* one for `current` */
		current = fresh;
	}
	pthread_mutex_unlock(&snapshot_lock);
	*out = fresh;
	return 0;
}

/* ---- filters and facets ---- */

static bool in_list(const char *csv, const char *value)
{
	size_t len = strlen(value);
	for (const char *s = csv; *s;) {
		size_t n = strcspn(s, ",");
		if (n == len && memcmp(s, value, n) == 0)
			return true;
		s += n + (s[n] == ',');
	}
	return false;
}

struct who {
	const principal *p;
	int write_scope;
	bool reviewer;
};

static bool visible(const struct who *w, const struct entry *e)
{
	if (strcmp(e->status, "published") == 0)
		return true;
	if (!w->p)
		return false;
	if (w->reviewer && strcmp(e->status, "review") == 0)
		return true;
	switch (w->write_scope) {
	case SCOPE_ALL: return true;
	case SCOPE_COUNTRY: return strcmp(e->owner_country, w->p->country) == 0;
	case SCOPE_ORGANISATION: return e->organisation_id == w->p->organisation_id;
	case SCOPE_OWN: return e->author_id == w->p->user_id;
	default: return false;
	}
}

static bool set(const char *s)
{
	return s && *s;
}

static bool passes(const struct who *w, const kn_filter *f, const struct entry *e)
{
	if (set(f->status) ? strcmp(e->status, f->status) != 0 : strcmp(e->status, "archived") == 0)
		return false;
	return visible(w, e) && (!set(f->type) || strcmp(e->type, f->type) == 0) &&
	       (!set(f->evidence) || strcmp(e->evidence, f->evidence) == 0) &&
	       (!set(f->lang) || in_list(e->languages, f->lang)) &&
	       (!f->year || e->year == f->year) &&
	       (!set(f->country) || in_list(e->countries, f->country)) &&
	       (!set(f->area) || in_list(e->areas, f->area)) &&
	       (!set(f->target) || in_list(e->targets, f->target));
}

#define SLOTS 1024 /* per facet; more distinct values than this are not counted */

struct counter {
	const char *value[SLOTS];
	size_t len[SLOTS];
	int64_t count[SLOTS];
	size_t used;
};

static void count_value(struct counter *k, const char *v, size_t len)
{
	if (!len)
		return;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)v[i]) * 16777619u;
	for (size_t probe = 0; probe < SLOTS; probe++) {
		size_t s = (h + probe) & (SLOTS - 1);
		if (!k->value[s]) {
			if (k->used >= SLOTS / 2)
				return;
			k->value[s] = v; /* points into the snapshot, which outlives the count */
			k->len[s] = len;
			k->used++;
		}
		if (k->len[s] == len && memcmp(k->value[s], v, len) == 0) {
			k->count[s]++;
			return;
		}
	}
}

static void count_list(struct counter *k, const char *csv)
{
	for (const char *s = csv; *s;) {
		size_t len = strcspn(s, ",");
		count_value(k, s, len);
		s += len + (s[len] == ',');
	}
}

static const char *YEARS[2101 - 1900];

static void count_entry(struct counter *k, const struct entry *e)
{
	count_value(&k[F_TYPE], e->type, strlen(e->type));
	count_value(&k[F_EVIDENCE], e->evidence, strlen(e->evidence));
	count_list(&k[F_LANG], e->languages);
	if (e->year >= 1900 && e->year <= 2100)
		count_value(&k[F_YEAR], YEARS[e->year - 1900], 4);
	count_list(&k[F_COUNTRY], e->countries);
	count_list(&k[F_AREA], e->areas);
	count_list(&k[F_TARGET], e->targets);
}

static void years_init(void)
{
	static char text[2101 - 1900][12];
	for (int y = 1900; y <= 2100; y++) {
		snprintf(text[y - 1900], sizeof(text[0]), "%d", y);
		YEARS[y - 1900] = text[y - 1900];
	}
}

struct value_count {
	const char *value;
	int64_t count;
};

static int by_count(const void *x, const void *y)
{
	const struct value_count *a = x, *b = y;
	return a->count != b->count ? (a->count < b->count ? 1 : -1) : strcmp(a->value, b->value);
}

static int finish_facets(arena *a, const struct counter *k, kn_facet *out)
{
	static const char *const NAMES[KN_FACETS] = { "type",    "evidence", "lang",  "year",
						      "country", "area",     "target" };
	for (int f = 0; f < KN_FACETS; f++) {
		out[f].name = NAMES[f];
		out[f].n = 0;
		out[f].values = arena_calloc(a, k[f].used ? k[f].used : 1, sizeof(*out[f].values));
		if (!out[f].values)
			return PONTE_ENOMEM;
		for (size_t s = 0; s < SLOTS; s++)
			if (k[f].value[s]) {
				out[f].values[out[f].n].value =
				    arena_strndup(a, k[f].value[s], k[f].len[s]);
				out[f].values[out[f].n].count = k[f].count[s];
				out[f].n++;
			}
		qsort(out[f].values, out[f].n, sizeof(*out[f].values), by_count);
	}
	return 0;
}

/* ---- ranking: the best offset + limit matches, by score (lower bm25 is better) ---- */

struct ranked {
	int64_t id;
	double score;
	size_t order; /* list position: ties go to the newer item */
};

struct top {
	struct ranked *heap; /* a max-heap on (score, order): the worst kept match on top */
	size_t n, cap;
};

static bool worse(const struct ranked *a, const struct ranked *b)
{
	return a->score != b->score ? a->score > b->score : a->order > b->order;
}

static void sift_down(struct top *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < t->n && worse(&t->heap[l], &t->heap[w]))
			w = l;
		if (r < t->n && worse(&t->heap[r], &t->heap[w]))
			w = r;
		if (w == i)
			return;
		struct ranked tmp = t->heap[i];
		t->heap[i] = t->heap[w];
		t->heap[w] = tmp;
		i = w;
	}
}

static void offer(struct top *t, struct ranked r)
{
	if (!t->cap)
		return;
	if (t->n < t->cap) {
		size_t i = t->n++;
		t->heap[i] = r;
		while (i && worse(&t->heap[i], &t->heap[(i - 1) / 2])) {
			struct ranked tmp = t->heap[i];
			t->heap[i] = t->heap[(i - 1) / 2];
			t->heap[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
	} else if (worse(&t->heap[0], &r)) {
		t->heap[0] = r;
		sift_down(t, 0);
	}
}

static int best_first(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	return worse(a, b) ? 1 : worse(b, a) ? -1 : 0;
}

/* Each match of query: its position in the copy, when it passes the filters (counted). */
static int matches(store_conn *c, const struct snapshot *s, const struct who *w, const kn_filter *f,
		   const struct words *q, struct counter *k, int32_t **out, size_t *n, size_t *seen)
{
	store_stmt *st;
	int rc = store_prepare(c, q->pg ? SQL_MATCH_PG : SQL_MATCH, &st);
	if (rc)
		return rc;
	words_bind(st, q, q->fts, q->prefix, q->whole);
	size_t cap = 0;
	*out = NULL;
	*n = *seen = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		(*seen)++;
		if (id < 0 || id > s->max_id || s->position[id] < 0)
			continue; /* written after the copy was taken */
		int32_t pos = s->position[id];
		if (!passes(w, f, &s->entries[pos]))
			continue;
		count_entry(k, &s->entries[pos]);
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			int32_t *more = realloc(*out, ncap * sizeof(*more));
			if (!more) {
				rc = PONTE_ENOMEM;
				break;
			}
			*out = more;
			cap = ncap;
		}
		(*out)[(*n)++] = pos;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Add weight to the score of every match of the words restricted to columns (SQLite's
 * names; PostgreSQL's weights: title A, summary B, translations and details C). */
static int weigh(store_conn *c, const struct snapshot *s, const char *columns, const char *weights,
		 const struct words *q, double weight, double *score)
{
	char filtered[4200];
	buf prefix, whole;
	buf_init(&prefix, 4096);
	buf_init(&whole, 4096);
	int rc = 0;
	if (!q->pg && (size_t)snprintf(filtered, sizeof(filtered), "{%s} : (%s)", columns,
				       q->fts) >= sizeof(filtered))
		rc = PONTE_ELIMIT;
	if (!rc && q->pg && !(rc = kn_tsquery(q->q, true, weights, &prefix)))
		rc = kn_tsquery(q->q, false, weights, &whole);
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, q->pg ? SQL_MATCH_PG : SQL_MATCH, &st))) {
		words_bind(st, q, filtered, prefix.data ? prefix.data : "",
			   whole.data ? whole.data : "");
		while ((rc = store_step(st)) == STORE_ROW) {
			int64_t id = store_col_int64(st, 0);
			if (id >= 0 && id <= s->max_id && s->position[id] >= 0)
				score[s->position[id]] -= weight;
		}
		store_reset(st);
	}
	buf_release(&prefix);
	buf_release(&whole);
	return rc < 0 ? rc : 0;
}

/* The page of a search with words: every match counted, the best offset + limit kept. */
static int ranked_page(store_conn *c, const struct snapshot *s, const struct who *w,
		       const kn_filter *f, const struct words *query, struct counter *k,
		       int64_t *total, size_t offset, size_t limit, int64_t *page, size_t *npage)
{
	int32_t *hits = NULL;
	size_t n = 0, seen = 0;
	int rc = matches(c, s, w, f, query, k, &hits, &n, &seen);
	*total = (int64_t)n;
	struct top t = { NULL, 0, offset + limit <= MAX_RANKED ? offset + limit : 0 };
	double *score = calloc(s->n ? s->n : 1, sizeof(*score));
	t.heap = calloc(t.cap ? t.cap : 1, sizeof(*t.heap));
	if (!rc && (!score || !t.heap))
		rc = PONTE_ENOMEM;
	/* bm25 is computed for every full-text match, whatever the filters keep. */
	if (!rc && seen <= atomic_load(&bm25_max_matches)) {
		/* bm25, for the matches that passed (others keep the NAN mark). */
		for (size_t i = 0; i < s->n; i++)
			score[i] = NAN;
		for (size_t i = 0; i < n; i++)
			score[hits[i]] = 0;
		store_stmt *st;
		if (!(rc = store_prepare(c, query->pg ? SQL_SCORED_PG : SQL_SCORED, &st))) {
			words_bind(st, query, query->fts, query->prefix, query->whole);
			while ((rc = store_step(st)) == STORE_ROW) {
				int64_t id = store_col_int64(st, 0);
				if (id >= 0 && id <= s->max_id && s->position[id] >= 0 &&
				    !isnan(score[s->position[id]]))
					score[s->position[id]] = store_col_double(st, 1);
			}
			store_reset(st);
			rc = rc < 0 ? rc : 0;
		}
	} else if (!rc) {
		rc = weigh(c, s, "title", "A", query, 4, score);
		if (!rc)
			rc = weigh(c, s, "summary extra", "BC", query, 2, score);
	}
	for (size_t i = 0; i < n && !rc; i++)
		offer(&t,
		      (struct ranked){ s->entries[hits[i]].id, score[hits[i]], (size_t)hits[i] });
	if (!rc) {
		qsort(t.heap, t.n, sizeof(*t.heap), best_first);
		for (size_t i = offset; i < t.n && *npage < limit; i++)
			page[(*npage)++] = t.heap[i].id;
	}
	free(t.heap);
	free(score);
	free(hits);
	return rc;
}

/* ---- search ---- */

static int emit(store_conn *c, arena *a, const char *reader_lang, int64_t id, kn_hit_fn fn,
		void *ctx)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_HIT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if (reader_lang)
		store_bind_text(st, 2, reader_lang, strlen(reader_lang));
	rc = store_step(st);
	if (rc != STORE_ROW) {
		store_reset(st);
		return rc < 0 ? rc : 0;
	}
	kn_item *it = arena_calloc(a, 1, sizeof(*it));
	if (!it) {
		store_reset(st);
		return PONTE_ENOMEM;
	}
	it->id = store_col_int64(st, 0);
	it->version = store_col_int64(st, 1);
	it->type = keep(a, st, 2);
	it->status = keep(a, st, 3);
	it->language = keep(a, st, 4);
	it->title = keep(a, st, 5);
	it->summary = keep(a, st, 6);
	it->countries = keep(a, st, 7);
	it->evidence = keep(a, st, 8);
	it->year = (int)store_col_int64(st, 9);
	it->published_at = keep(a, st, 10);
	it->updated_at = keep(a, st, 11);
	it->languages = keep(a, st, 12);
	it->author_id = store_col_int64(st, 15);
	kn_hit h = { .item = it, .title = it->title, .summary = it->summary };
	bool own = reader_lang && strcmp(reader_lang, it->language) == 0;
	if (!store_col_is_null(st, 13)) {
		h.title = keep(a, st, 13);
		h.summary = keep(a, st, 14);
		own = true;
	}
	h.in_reader_lang = own;
	store_reset(st);
	return fn(&h, ctx);
}

int kn_search(const keyed_store *env, arena *a, const principal *p, const char *reader_lang,
	      const kn_filter *f, kn_hit_fn fn, void *ctx, int64_t *total, kn_facet *facet_out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, years_init);
	if (!p && !kn_public_read(env->db))
		return PONTE_EUNAUTH;
	struct words words = { .pg = store_is_pg(env->db), .q = f->q ? f->q : "" };
	buf fts, whole;
	buf_init(&fts, 4096);
	buf_init(&whole, 4096);
	int rc = words.pg ? kn_tsquery(words.q, true, NULL, &fts) : kn_fts_query(words.q, &fts);
	if (!rc && words.pg)
		rc = kn_tsquery(words.q, false, NULL, &whole);
	const char *query = fts.len ? arena_strdup(a, fts.data) : NULL;
	if (words.pg) {
		words.prefix = query;
		words.whole = whole.len ? arena_strdup(a, whole.data) : "";
	} else {
		words.fts = query;
	}
	buf_release(&fts);
	buf_release(&whole);
	size_t limit = f->limit > 0 ? (size_t)f->limit : 20, offset = (size_t)f->offset;
	struct counter *k = calloc(KN_FACETS, sizeof(*k));
	store_conn *c;
	if (!rc && !k)
		rc = PONTE_ENOMEM;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc) {
		free(k);
		return rc;
	}
	struct snapshot *s = NULL;
	rc = snapshot_get(c, env->db, &s);
	struct who w = { p, p ? principal_scope(p, "knowledge.write") : SCOPE_NONE,
			 p && principal_can(p, "knowledge.review") };
	int64_t *page = arena_calloc(a, limit, sizeof(*page));
	size_t npage = 0;
	*total = 0;
	if (!rc && !page)
		rc = PONTE_ENOMEM;
	if (!rc && !query) {
		/* Last change first: the order of the copy. */
		for (size_t i = 0; i < s->n; i++) {
			const struct entry *e = &s->entries[i];
			if (!passes(&w, f, e))
				continue;
			count_entry(k, e);
			if ((size_t)*total >= offset && npage < limit)
				page[npage++] = e->id;
			(*total)++;
		}
	} else if (!rc) {
		rc = ranked_page(c, s, &w, f, &words, k, total, offset, limit, page, &npage);
	}
	if (!rc)
		rc = finish_facets(a, k, facet_out);
	for (size_t i = 0; i < npage && !rc; i++)
		rc = emit(c, a, reader_lang, page[i], fn, ctx);
	store_commit(c);
	snapshot_release(s);
	free(k);
	return rc;
}
