/* name_search.c: the blind name keys of cases (case_name_keys) and finding a person by them.
 * The keys themselves come from names.c; nothing here sees a name in clear but the keys'
 * texts on their way to being hashed, and the names decrypted to fill missing keys. */
#include <stdlib.h>

#include "base/utf8.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char SQL_KEYS_DELETE[] = "DELETE FROM case_name_keys WHERE case_id = ?1";
static const char SQL_KEY_INSERT[] =
    "INSERT INTO case_name_keys(case_id, key, kind) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
/* The cases holding one key, newest first, read from the key's index alone. The scope is
 * applied after (below), from an index of the scope's column: checking it on each case's row
 * touched a page of the cases table for every key of every candidate, a page fault each on a
 * database larger than the cache (bench/RESULTS.md, "Finding a person by name"). */
static const char SQL_KEY_MATCH[] =
    "SELECT case_id FROM case_name_keys WHERE key = ?1 ORDER BY case_id DESC LIMIT ?2";
/* The ids of the cases in a scope (own cases, organisation, country), from the indexes whose
 * first column is the scope's (cases_own_find, cases_organisation, cases_country). */
static const char SQL_IN_OWN[] = "SELECT id FROM cases WHERE owner_id = ?1";
static const char SQL_IN_ORGANISATION[] = "SELECT id FROM cases WHERE organisation_id = ?1";
static const char SQL_IN_COUNTRY[] = "SELECT id FROM cases WHERE country = ?1";
static const char SQL_WITHOUT_KEYS[] =
    "SELECT c.id, c.first_name_enc, c.second_name_enc FROM cases c WHERE c.id > ?1 AND NOT "
    "EXISTS (SELECT 1 FROM case_name_keys k WHERE k.case_id = c.id) ORDER BY c.id LIMIT ?2";

/* Candidates read per key at most, in every scope: a key shared by more cases than this (a
 * prefix such as "moh" in a national database) still finds the newest of them. */
#define MATCHES_PER_KEY 50000

static int stored_kind(char kind)
{
	return kind == NAME_KEY_TOKEN ? 1 : kind == NAME_KEY_SKELETON ? 2 : 3;
}

int case_name_keys_write(const keyed_store *env, store_conn *c, int64_t case_id, const char *first,
			 const char *second)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_KEYS_DELETE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc;
	name_keys *k = malloc(sizeof(*k));
	if (!k)
		return PONTE_ENOMEM;
	name_keys_of(first, second, k);
	rc = 0;
	for (size_t i = 0; !rc && i < k->n; i++) {
		unsigned char h[NAME_KEY_HASH_BYTES];
		if ((rc = store_prepare(c, SQL_KEY_INSERT, &st)) != 0)
			break;
		name_key_hash(env->keys, &k->items[i], h);
		store_bind_int64(st, 1, case_id);
		store_bind_blob(st, 2, h, sizeof(h));
		store_bind_int64(st, 3, stored_kind(k->items[i].kind));
		rc = store_run(st);
	}
	crypto_wipe(k, sizeof(*k));
	free(k);
	return rc;
}

/* ---- filling the keys of cases that have none ---- */

struct missing {
	int64_t id;
	const char *first, *second;
};

int case_name_keys_fill(const keyed_store *env, int batch, int64_t *filled)
{
	*filled = 0;
	if (batch < 1 || batch > 10000)
		batch = 500;
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	int64_t after = 0;
	for (bool more = true; !rc && more;) {
		arena a;
		arena_init(&a, 1u << 20);
		struct missing *waiting = arena_calloc(&a, (size_t)batch, sizeof(*waiting));
		int n = 0;
		store_stmt *st;
		if (!waiting)
			rc = PONTE_ENOMEM;
		if (!rc)
			rc = store_begin(c);
		bool begun = !rc;
		if (!rc)
			rc = store_prepare(c, SQL_WITHOUT_KEYS, &st);
		if (!rc) {
			store_bind_int64(st, 1, after);
			store_bind_int64(st, 2, batch);
			while ((rc = store_step(st)) == STORE_ROW) {
				struct missing *m = &waiting[n++];
				m->id = store_col_int64(st, 0);
				size_t len;
				const void *b = store_col_blob(st, 1, &len);
				m->first = len ? field_decrypt(env, &a, "cases", "first_name",
							       m->id, b, len)
					       : "";
				b = store_col_blob(st, 2, &len);
				m->second = len ? field_decrypt(env, &a, "cases", "second_name",
								m->id, b, len)
						: "";
				after = m->id;
			}
			store_reset(st);
			rc = rc < 0 ? rc : 0;
		}
		/* A name that does not decrypt gets no key: it is not guessed at. */
		for (int i = 0; !rc && i < n; i++)
			if (waiting[i].first && waiting[i].second) {
				rc = case_name_keys_write(env, c, waiting[i].id, waiting[i].first,
							  waiting[i].second);
				if (!rc)
					++*filled;
			}
		if (begun)
			rc = rc ? (store_rollback(c), rc) : store_commit(c);
		more = n == batch;
		arena_release(&a);
	}
	return rc;
}

/* ---- search ---- */

struct hit {
	int64_t case_id;
	int unit, weight;
};

struct candidate {
	int64_t case_id;
	int score;
};

static int by_case_then_unit(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;
	if (a->case_id != b->case_id)
		return a->case_id < b->case_id ? -1 : 1;
	return a->unit - b->unit;
}

static int by_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* The ids of the cases in the caller's scope, sorted, into *ids (NULL with *n 0 for every
 * case: SCOPE_ALL). */
static int scope_ids(store_conn *c, const principal *p, int scope, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (scope == SCOPE_ALL)
		return 0;
	store_stmt *st;
	int rc = store_prepare(c,
			       scope == SCOPE_OWN            ? SQL_IN_OWN
			       : scope == SCOPE_ORGANISATION ? SQL_IN_ORGANISATION
							     : SQL_IN_COUNTRY,
			       &st);
	if (rc)
		return rc;
	if (scope == SCOPE_COUNTRY)
		store_bind_text(st, 1, p->country, strlen(p->country));
	else
		store_bind_int64(st, 1, scope == SCOPE_OWN ? p->user_id : p->organisation_id);
	size_t cap = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			size_t more = cap ? 2 * cap : 4096;
			int64_t *bigger = realloc(*ids, more * sizeof(**ids));
			if (!bigger) {
				rc = PONTE_ENOMEM;
				break;
			}
			*ids = bigger;
			cap = more;
		}
		(*ids)[(*n)++] = store_col_int64(st, 0);
	}
	store_reset(st);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return rc;
	}
	if (*n)
		qsort(*ids, *n, sizeof(**ids), by_id);
	return 0;
}

static int by_score_then_newest(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->score != b->score)
		return b->score - a->score;
	return a->case_id < b->case_id ? 1 : a->case_id > b->case_id ? -1 : 0;
}

/* A query someone may search by: at least one word of two letters or more. */
static bool searchable(const name_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->items[i].kind == NAME_KEY_TOKEN &&
		    utf8_length(k->items[i].text, strlen(k->items[i].text)) >= 2)
			return true;
	return false;
}

bool case_search_name_valid(const char *name, field_errors *errors)
{
	memset(errors, 0, sizeof(*errors));
	size_t n = name ? strlen(name) : 0;
	const char *why = NULL;
	if (!n)
		why = N_("Type a name, or a part of one, to find a person.");
	else if (!utf8_valid_text(name, n) || strpbrk(name, "\r\n\t"))
		why = N_("Type a name on one line.");
	else if (utf8_length(name, n) > CASE_SEARCH_NAME_MAX)
		why = N_("Type at most 100 characters of a name.");
	else {
		name_keys *k = malloc(sizeof(*k));
		if (!k)
			return false;
		name_keys_of_query(name, k);
		if (!searchable(k))
			why = N_("Type at least two letters of a name: fewer would find almost "
				 "everyone.");
		crypto_wipe(k, sizeof(*k));
		free(k);
	}
	if (why)
		field_errors_add(errors, "name", why);
	return !why;
}

int case_find_by_name(const keyed_store *env, arena *a, const principal *p, const char *query,
		      int limit, case_match_fn fn, void *ctx, int64_t *found)
{
	*found = 0;
	if (!query || strlen(query) > 400)
		return PONTE_EINVAL;
	if (limit < 1 || limit > CASE_SEARCH_MAX)
		limit = CASE_SEARCH_MAX;
	int scope = principal_scope(p, "case.social.read");
	name_keys *k = malloc(sizeof(*k));
	if (!k)
		return PONTE_ENOMEM;
	name_keys_of_query(query, k);
	int rc = searchable(k) ? 0 : PONTE_EINVAL;
	if (rc || scope == SCOPE_NONE)
		goto out;
	store_conn *c;
	store_stmt *st;
	size_t cap = 4096, n = 0;
	struct hit *hits = malloc(cap * sizeof(*hits));
	if (!hits) {
		rc = PONTE_ENOMEM;
		goto out;
	}
	rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	bool reading = !rc;
	for (size_t i = 0; !rc && i < k->n; i++) {
		unsigned char h[NAME_KEY_HASH_BYTES];
		if ((rc = store_prepare(c, SQL_KEY_MATCH, &st)) != 0)
			break;
		name_key_hash(env->keys, &k->items[i], h);
		store_bind_blob(st, 1, h, sizeof(h));
		store_bind_int64(st, 2, MATCHES_PER_KEY);
		while ((rc = store_step(st)) == STORE_ROW) {
			if (n == cap) {
				struct hit *more = realloc(hits, 2 * cap * sizeof(*hits));
				if (!more) {
					rc = PONTE_ENOMEM;
					break;
				}
				hits = more;
				cap *= 2;
			}
			hits[n++] = (struct hit){ store_col_int64(st, 0), k->items[i].unit,
						  name_key_weight(k->items[i].kind) };
		}
		rc = rc < 0 ? rc : 0;
		store_reset(st);
	}
	/* Score: for each word of the query, the best kind of key it matched; summed. Only the
	 * cases in the caller's scope are candidates. */
	struct candidate *cands = NULL;
	size_t nc = 0, nin = 0;
	int64_t *in_scope = NULL;
	if (!rc && n)
		rc = scope_ids(c, p, scope, &in_scope, &nin);
	if (!rc && n) {
		qsort(hits, n, sizeof(*hits), by_case_then_unit);
		cands = malloc(n * sizeof(*cands));
		if (!cands)
			rc = PONTE_ENOMEM;
		for (size_t i = 0; !rc && i < n;) {
			int64_t id = hits[i].case_id;
			int score = 0;
			while (i < n && hits[i].case_id == id) {
				int unit = hits[i].unit, best = 0;
				for (; i < n && hits[i].case_id == id && hits[i].unit == unit; i++)
					if (hits[i].weight > best)
						best = hits[i].weight;
				score += best;
			}
			if (scope == SCOPE_ALL ||
			    (nin && bsearch(&id, in_scope, nin, sizeof(*in_scope), by_id)))
				cands[nc++] = (struct candidate){ id, score };
		}
	}
	free(in_scope);
	free(hits);
	if (!rc) {
		if (nc) /* qsort of NULL, even for no element, is undefined */
			qsort(cands, nc, sizeof(*cands), by_score_then_newest);
		*found = (int64_t)nc;
	}
	for (size_t i = 0; !rc && i < nc && i < (size_t)limit; i++) {
		case_record r;
		rc = case_get_unaudited(env, a, p, cands[i].case_id, &r);
		if (rc == PONTE_ENOTFOUND) { /* gone or moved out of scope since: not shown */
			rc = 0;
			continue;
		}
		if (!rc)
			rc = fn(&r, cands[i].score, ctx);
	}
	free(cands);
	if (reading)
		store_commit(c);
out:
	crypto_wipe(k, sizeof(*k));
	free(k);
	if (rc != PONTE_EINVAL)
		principal_audit_read(env->db, p, "case.search", "case", 0,
				     rc < 0 ? "failure" : "success");
	return rc < 0 ? rc : 0;
}
