/* Full-text search over knowledge items, with facets and highlights. */
#include <ctype.h>

#include "base/utf8.h"
#include "knowledge/knowledge.h"

#define MAX_TERMS 16
#define MAX_TERM 64

/* Bindings shared by both statements: ?1 write scope, ?2 country, ?3 organisation, ?4 user,
 * ?5 reviewer, ?6 type, ?7 evidence, ?8 language, ?9 year, ?10 country filter, ?11 area,
 * ?12 target group, ?13 status, ?14 FTS query, ?15 limit, ?16 offset, ?17 reader language. */
#define VISIBLE                                                                                    \
	"(k.status = 'published' OR (?5 = 1 AND k.status = 'review') OR (?1 = 4 OR "               \
	"(?1 = 3 AND k.owner_country = ?2) OR (?1 = 2 AND k.organisation_id = ?3) OR "             \
	"(?1 = 1 AND k.author_id = ?4)))"
#define IN_LIST(col, param)                                                                        \
	"(" param " IS NULL OR instr(',' || " col " || ',', ',' || " param " || ',') > 0)"
#define FILTERS                                                                                                              \
	" AND (?6 IS NULL OR k.type = ?6) AND (?7 IS NULL OR k.evidence = ?7) AND " IN_LIST(                                 \
	    "k.languages",                                                                                                   \
	    "?8") " AND (?9 IS NULL OR k.year = ?9) AND " IN_LIST("k.countries",                                             \
								  "?10") " AND " IN_LIST("k."                                \
											 "areas",                            \
											 "?11") " AND " IN_LIST("k.targets", \
														"?12") " AND (CASE WHEN ?13 IS NULL THEN k.status <> 'archived' ELSE k.status = ?13 END)"
#define HIT_COLUMNS                                                                                \
	"k.id, k.version, k.type, k.status, k.language, k.title, k.summary, k.countries, "         \
	"k.evidence, coalesce(k.year, 0), coalesce(k.published_at, ''), k.updated_at, "            \
	"k.languages, "                                                                            \
	"t.title, t.summary, k.author_id"
#define TRANSLATION " LEFT JOIN knowledge_translations t ON t.item_id = k.id AND t.language = ?17"

static const char SQL_FACETS[] =
    "SELECT k.type, k.evidence, k.languages, coalesce(k.year, 0), k.countries, k.areas, "
    "k.targets FROM knowledge_items k WHERE " VISIBLE FILTERS
    " AND (?14 IS NULL OR k.id IN (SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH "
    "?14))";
static const char SQL_PAGE_RECENT[] =
    "SELECT " HIT_COLUMNS " FROM knowledge_items k" TRANSLATION " WHERE " VISIBLE FILTERS
    " AND ?14 IS NULL ORDER BY coalesce(k.published_at, k.updated_at) DESC, k.id DESC "
    "LIMIT ?15 OFFSET ?16";
static const char SQL_PAGE_RANKED[] =
    "SELECT " HIT_COLUMNS
    " FROM knowledge_fts f JOIN knowledge_items k ON k.id = f.rowid" TRANSLATION
    " WHERE knowledge_fts MATCH ?14 AND " VISIBLE FILTERS
    " ORDER BY bm25(knowledge_fts, 10.0, 5.0, 1.0, 3.0), k.id DESC LIMIT ?15 OFFSET ?16";

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

int kn_fts_query(const char *q, buf *out)
{
	char terms[MAX_TERMS][MAX_TERM + 1];
	size_t n = split_terms(q ? q : "", terms);
	int rc = 0;
	/* Quoted words cannot be FTS syntax (the words hold no quote); each matches as a prefix,
	 * and all must match. */
	for (size_t i = 0; i < n && !rc; i++)
		rc = buf_printf(out, "%s\"%s\"*", i ? " " : "", terms[i]);
	return rc;
}

/* Lower case, accents folded: "Passeurs" and "PASSÉURS" both become "passeurs". */
static size_t fold(const char *s, size_t n, char *out, size_t outlen)
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

/* ---- facets ---- */

#define SLOTS 1024 /* per facet; more distinct values than this are not counted */

struct counter {
	const char *value[SLOTS];
	int64_t count[SLOTS];
	size_t used;
};

static int count_value(arena *a, struct counter *k, const char *v, size_t len)
{
	if (!len)
		return 0;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)v[i]) * 16777619u;
	for (size_t probe = 0; probe < SLOTS; probe++) {
		size_t s = (h + probe) & (SLOTS - 1);
		if (!k->value[s]) {
			if (k->used >= SLOTS / 2)
				return 0;
			if (!(k->value[s] = arena_strndup(a, v, len)))
				return PONTE_ENOMEM;
			k->used++;
		}
		if (strlen(k->value[s]) == len && memcmp(k->value[s], v, len) == 0) {
			k->count[s]++;
			return 0;
		}
	}
	return 0;
}

static int count_list(arena *a, struct counter *k, const char *csv)
{
	int rc = 0;
	for (const char *s = csv ? csv : ""; *s && !rc;) {
		size_t len = strcspn(s, ",");
		rc = count_value(a, k, s, len);
		s += len + (s[len] == ',');
	}
	return rc;
}

static int by_count(const void *x, const void *y)
{
	const struct {
		const char *value;
		int64_t count;
	} *a = x, *b = y;
	return a->count != b->count ? (a->count < b->count ? 1 : -1) : strcmp(a->value, b->value);
}

static int finish_facet(arena *a, const struct counter *k, const char *name, kn_facet *out)
{
	out->name = name;
	out->n = 0;
	out->values = arena_calloc(a, k->used ? k->used : 1, sizeof(*out->values));
	if (!out->values)
		return PONTE_ENOMEM;
	for (size_t s = 0; s < SLOTS; s++)
		if (k->value[s]) {
			out->values[out->n].value = k->value[s];
			out->values[out->n].count = k->count[s];
			out->n++;
		}
	qsort(out->values, out->n, sizeof(*out->values), by_count);
	return 0;
}

/* ---- search ---- */

static void bind_text(store_stmt *st, int idx, const char *s)
{
	if (s && *s)
		store_bind_text(st, idx, s, strlen(s));
}

static void bind_all(store_stmt *st, const principal *p, const kn_filter *f, const char *fts,
		     const char *reader_lang)
{
	store_bind_int64(st, 1, p ? principal_scope(p, "knowledge.write") : SCOPE_NONE);
	store_bind_text(st, 2, p ? p->country : "", p ? strlen(p->country) : 0);
	store_bind_int64(st, 3, p ? p->organisation_id : 0);
	store_bind_int64(st, 4, p ? p->user_id : 0);
	store_bind_int64(st, 5, p && principal_can(p, "knowledge.review"));
	bind_text(st, 6, f->type);
	bind_text(st, 7, f->evidence);
	bind_text(st, 8, f->lang);
	if (f->year)
		store_bind_int64(st, 9, f->year);
	bind_text(st, 10, f->country);
	bind_text(st, 11, f->area);
	bind_text(st, 12, f->target);
	bind_text(st, 13, f->status);
	bind_text(st, 14, fts);
	store_bind_int64(st, 15, f->limit > 0 ? f->limit : 20);
	store_bind_int64(st, 16, f->offset);
	bind_text(st, 17, reader_lang);
}

static int facets(store_conn *c, arena *a, const principal *p, const kn_filter *f, const char *fts,
		  int64_t *total, kn_facet *out)
{
	static const char *const NAMES[KN_FACETS] = { "type",    "evidence", "lang",  "year",
						      "country", "area",     "target" };
	struct counter *k = calloc(KN_FACETS, sizeof(*k));
	store_stmt *st;
	int rc = k ? store_prepare(c, SQL_FACETS, &st) : PONTE_ENOMEM;
	if (rc) {
		free(k);
		return rc;
	}
	bind_all(st, p, f, fts, NULL);
	*total = 0;
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		(*total)++;
		char year[12];
		int64_t y = store_col_int64(st, 3);
		snprintf(year, sizeof(year), "%lld", (long long)y);
		const char *type = store_col_text(st, 0, NULL);
		const char *evidence = store_col_text(st, 1, NULL);
		rc = count_value(a, &k[0], type, type ? strlen(type) : 0);
		if (!rc)
			rc = count_value(a, &k[1], evidence, evidence ? strlen(evidence) : 0);
		if (!rc)
			rc = count_list(a, &k[2], store_col_text(st, 2, NULL));
		if (!rc && y)
			rc = count_value(a, &k[3], year, strlen(year));
		for (int i = 4; i < 7 && !rc; i++)
			rc = count_list(a, &k[i], store_col_text(st, i, NULL));
	}
	store_reset(st);
	for (int i = 0; i < KN_FACETS && rc >= 0; i++)
		rc = finish_facet(a, &k[i], NAMES[i], &out[i]);
	free(k);
	return rc < 0 ? rc : 0;
}

static const char *dup(arena *a, store_stmt *st, int i)
{
	const char *s = store_col_text(st, i, NULL);
	return arena_strdup(a, s ? s : "");
}

int kn_search(const identity_env *env, arena *a, const principal *p, const char *reader_lang,
	      const kn_filter *f, kn_hit_fn fn, void *ctx, int64_t *total, kn_facet *facet_out)
{
	if (!p && !kn_public_read(env->db))
		return PONTE_EUNAUTH;
	buf fts;
	buf_init(&fts, 4096);
	int rc = kn_fts_query(f->q, &fts);
	const char *query = fts.len ? arena_strdup(a, fts.data) : NULL;
	buf_release(&fts);
	store_conn *c;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc)
		return rc;
	rc = facets(c, a, p, f, query, total, facet_out);
	store_stmt *st;
	if (!rc)
		rc = store_prepare(c, query ? SQL_PAGE_RANKED : SQL_PAGE_RECENT, &st);
	if (rc) {
		store_commit(c);
		return rc;
	}
	bind_all(st, p, f, query, reader_lang);
	while ((rc = store_step(st)) == STORE_ROW) {
		kn_item *it = arena_calloc(a, 1, sizeof(*it));
		if (!it) {
			rc = PONTE_ENOMEM;
			break;
		}
		it->id = store_col_int64(st, 0);
		it->version = store_col_int64(st, 1);
		it->type = dup(a, st, 2);
		it->status = dup(a, st, 3);
		it->language = dup(a, st, 4);
		it->title = dup(a, st, 5);
		it->summary = dup(a, st, 6);
		it->countries = dup(a, st, 7);
		it->evidence = dup(a, st, 8);
		it->year = (int)store_col_int64(st, 9);
		it->published_at = dup(a, st, 10);
		it->updated_at = dup(a, st, 11);
		it->languages = dup(a, st, 12);
		it->author_id = store_col_int64(st, 15);
		kn_hit h = { .item = it, .title = it->title, .summary = it->summary };
		bool own = reader_lang && strcmp(reader_lang, it->language) == 0;
		if (!store_col_is_null(st, 13)) {
			h.title = dup(a, st, 13);
			h.summary = dup(a, st, 14);
			own = true;
		}
		h.in_reader_lang = own;
		if ((rc = fn(&h, ctx)))
			break;
	}
	store_reset(st);
	store_commit(c);
	return rc < 0 ? rc : 0;
}
