/*
 * knowledge.h: the knowledge platform: good practices, legislation, case law and manuals
 * shared across the partner countries, with a review workflow and full-text search.
 *
 * Invariants:
 * - An item has a type (practice, legislation, caselaw, manual), a language, a title, a
 *   summary, a body, the countries it concerns, and type-specific details validated against
 *   the field table of item_fields.c (codes from fixed vocabularies, dates, years, URLs).
 * - Workflow: draft → review (submit) → published (publish) → archived (archive); a reviewer
 *   may send an item in review back to draft (return). Authors edit drafts only; publishing
 *   needs knowledge.review, and a reviewer may not publish their own item unless the setting
 *   knowledge_self_publish is 1.
 * - Who sees what: published items every signed-in user (and anyone when the setting
 *   knowledge_public_read is 1: principal NULL); drafts and archived items only writers
 *   within their knowledge.write scope (own, organisation, country, all); items in review
 *   also reviewers. An item the caller may not see is "not found".
 * - Every saved version is kept as the JSON the API answers (knowledge_versions), and every
 *   change is audited (never the content itself).
 * - The full-text index (knowledge_fts, rowid = id) is rewritten in the transaction that
 *   changes the item, so search never sees a half-saved item. SQLite: an FTS5 table;
 *   PostgreSQL: the same columns plus a tsvector (`search`, migrations/pg/0052).
 * - Case-law parties are recorded by initials only: a word that looks like a name is refused.
 */
#ifndef PONTE_KNOWLEDGE_H
#define PONTE_KNOWLEDGE_H

#include "base/field_error.h"
#include "base/urlcode.h"
#include "i18n/vocab.h"
#include "identity/identity.h"

#define KN_MAX_DETAILS 16
/* The languages an item can be written and translated in (LANGUAGES in item_fields.c). */
#define KN_LANGS 5

typedef struct kn_pair {
	const char *name, *value; /* code lists as "a,b" */
} kn_pair;

typedef struct kn_translation {
	const char *language, *title, *summary;
} kn_translation;

/* What a caller sends: NULL means "not given" (create: empty; update: unchanged). Details
 * given replace those fields only; translations given replace all translations. */
typedef struct kn_input {
	const char *type, *language, *title, *summary, *body, *countries;
	kn_pair details[KN_MAX_DETAILS];
	size_t ndetails;
	kn_translation translations[KN_LANGS];
	size_t ntranslations;
	bool translations_given;
} kn_input;

typedef struct kn_attachment {
	int64_t id, size;
	const char *filename, *media_type, *stored_name, *created_at;
} kn_attachment;

typedef struct kn_item {
	int64_t id, version, author_id, organisation_id;
	const char *type, *status, *language, *owner_country;
	const char *title, *summary, *body, *countries;
	const char *areas, *targets, *evidence, *languages;
	int year; /* 0 when unknown */
	const char *published_at, *created_at, *updated_at;
	kn_pair details[KN_MAX_DETAILS];
	size_t ndetails;
	kn_translation translations[KN_LANGS];
	size_t ntranslations;
	kn_attachment *attachments;
	size_t nattachments;
} kn_item;

/* ---- fields and vocabularies (item_fields.c) ---- */
typedef vocab_term kn_code; /* code and label (a msgid): i18n/vocab.h */

enum kn_kind { KN_TEXT, KN_LONGTEXT, KN_CODE, KN_CODES, KN_DATE, KN_YEAR, KN_URL, KN_INITIALS };

typedef struct kn_field {
	const char *type; /* the item type it belongs to */
	const char *name;
	enum kn_kind kind;
	bool required;
	const char *vocabulary; /* KN_CODE and KN_CODES */
	const char *label;      /* a msgid */
} kn_field;

const kn_field *kn_fields(size_t *n);
/* "type", "status", "language", "area", "target", "evidence", "budget", "covers",
 * "palermo", "verdict", "audience", "format"; NULL when unknown. */
const kn_code *kn_codes(const char *vocabulary, size_t *n);
const char *kn_code_label(const char *vocabulary, const char *code); /* msgid or code */
const char *kn_detail(const kn_item *it, const char *name);          /* "" when absent */
/* Validate a complete item (after merging an update). */
bool kn_validate(store *db, const kn_input *in, field_errors *e);
/* Whether text (a case-law party field) names a person rather than giving initials: two or
 * more capitalised words in a row ("Kofi Mensah"), unless is_place says the run is a place
 * ("Burkina Faso", "Sierra Leone"); is_place may be NULL. */
typedef bool (*kn_place_fn)(const char *run, void *ctx);
bool kn_looks_like_name(const char *text, kn_place_fn is_place, void *ctx);

/* ---- items (item_store.c) ---- */
/* SQLite's search index of every item written again from the items, *items of them (after
 * `ponte db copy`, which does not copy the index); nothing to do on PostgreSQL. */
int kn_reindex(store *db, int64_t *items);
int kn_create(const keyed_store *env, const principal *p, const kn_input *in, int64_t *id,
	      field_errors *e);
/* The input that saves it again as it is (its fields, details and translations, pointing into it):
 * where an edit of one part starts. */
void kn_input_of(const kn_item *it, kn_input *in);
/* PONTE_ECONFLICT (and *current) when version is stale; PONTE_EDENIED when the item is not
 * a draft the caller may edit (an item in review may be edited by a reviewer). */
int kn_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
	      const kn_input *in, field_errors *e, int64_t *current);
/* action: submit, publish, archive, return. PONTE_ECONFLICT when the item is not in the state
 * the action starts from; PONTE_EDENIED when the caller may not (*why: a msgid). */
int kn_transition(const keyed_store *env, const principal *p, int64_t id, const char *action,
		  const char **why);
/* p may be NULL (anonymous reader, only when public read is on). */
int kn_get(const keyed_store *env, arena *a, const principal *p, int64_t id, kn_item *out);
bool kn_can_edit(const principal *p, const kn_item *it);
bool kn_public_read(store *db);

typedef struct kn_version {
	int64_t version, user_id;
	const char *status, *snapshot, *created_at;
} kn_version;
typedef int (*kn_version_fn)(const kn_version *v, void *ctx);
/* Newest first, after the same visibility check as kn_get. */
int kn_versions(const keyed_store *env, arena *a, const principal *p, int64_t id, kn_version_fn fn,
		void *ctx);

/* The item as the API answers it (also the stored snapshot of each version). */
int kn_item_json(buf *b, const kn_item *it);

/* ---- attachments (attachments.c) ---- */
#define KN_ATTACHMENT_MAX (20u << 20)
#define KN_ATTACHMENTS_PER_ITEM 20
/* Keep the uploaded file at path (already size-limited) with an item p may edit. Refused
 * (PONTE_EINVAL, *why a msgid) unless its content is a PDF, an office document or an image. */
int kn_attach(const keyed_store *env, const principal *p, const char *dir, int64_t item,
	      const char *path, const char *filename, int64_t *id, const char **why);
/* An attachment of an item the caller may see (p NULL: anonymous, public read only). */
int kn_attachment_get(const keyed_store *env, arena *a, const principal *p, int64_t item,
		      int64_t id, kn_attachment *out);
int kn_detach(const keyed_store *env, const principal *p, const char *dir, int64_t item,
	      int64_t id);

/* ---- search (search.c) ---- */
typedef struct kn_filter {
	const char *q; /* words; FTS syntax is not interpreted */
	const char *type, *country, *area, *target, *evidence, *lang, *status;
	int year;
	int limit, offset;
} kn_filter;

/* The filter from a query string's parameters (q, type, country, area, target, evidence,
 * lang, status, year, limit, offset); false with *problem (a msgid) when a value is
 * malformed. The strings stay those of query. */
bool kn_filter_parse(const url_params *query, kn_filter *f, const char **problem);

#define KN_FACETS 7
/* One facet's counts: values and their counts, most frequent first. */
typedef struct kn_facet {
	const char *name; /* type, country, area, target, evidence, lang, year */
	size_t n;
	struct {
		const char *value;
		int64_t count;
	} * values;
} kn_facet;

typedef struct kn_hit {
	const kn_item *item;         /* the columns of the list (no details or translations) */
	const char *title, *summary; /* in the reader's language when translated */
	bool in_reader_lang;         /* false: shown in the original language (marked) */
} kn_hit;
typedef int (*kn_hit_fn)(const kn_hit *h, void *ctx);

/* Matching items the caller may see, best first (by rank with q, newest otherwise); total
 * counts all matches; facets (KN_FACETS entries) are counted over all matches. */
int kn_search(const keyed_store *env, arena *a, const principal *p, const char *reader_lang,
	      const kn_filter *f, kn_hit_fn fn, void *ctx, int64_t *total, kn_facet *facets);
/* Above bm25_max matches, rank by where the words are (title, then summary, translations
 * and details, then body), newest first within each, instead of bm25 (default 4000). */
void kn_search_tune(size_t bm25_max);
/* q reduced to an FTS5 query of quoted words ("passeur"*), or "" when it has none. */
int kn_fts_query(const char *q, buf *out);
/* q reduced to PostgreSQL tsquery text over the same words, for to_tsquery() with the text
 * bound, never spliced: each word quoted ('passeur'), a prefix when prefix is true
 * ('passeur':*), restricted to the index's weights when weights is not NULL (letters A to D:
 * 'passeur':*A), all words joined with &; "" when q has none. */
int kn_tsquery(const char *q, bool prefix, const char *weights, buf *out);
/* Arabic as search reads it, in place: hamza forms of alef (أ إ آ ٱ) as ا, ى as ي, ة as ه,
 * short vowels, shadda and tatweel left out; other text unchanged. Returns the new length
 * (never longer; NUL-terminated when shorter). Applied to the indexed text and to queries,
 * so "المرأة" finds "المراه" and the other way round. Spanish needs nothing more than the
 * index's own accent folding ("victima" finds "víctima"). */
size_t kn_fold_arabic(char *s, size_t n);
/* Split text into pieces, marking those that match a word of q (accent- and case-
 * insensitive, prefix). Calls fn for each piece in order. */
typedef int (*kn_piece_fn)(const char *s, size_t n, bool hit, void *ctx);
int kn_highlight(const char *text, const char *q, kn_piece_fn fn, void *ctx);

#endif
