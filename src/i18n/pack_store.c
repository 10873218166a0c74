/* Language packs in the database (table language_packs, migration 0045): versions, roll-back,
 * withdrawal, and the reload of the current ones into the lookup table. */
#include <pthread.h>

#include "base/clock.h"
#include "i18n/pack.h"

/* clang-format off */
static const char SQL_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM language_packs WHERE lang = ?1";
static const char SQL_ADD[] =
    "INSERT INTO language_packs(lang, version, name, direction, plural_forms, po, entries, "
    "action, rolled_back_to, loaded_by, loaded_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10)";
static const char SQL_ROLLBACK[] =
    "INSERT INTO language_packs(lang, version, name, direction, plural_forms, po, entries, "
    "action, rolled_back_to, loaded_by, loaded_at) "
    "SELECT lang, ?3, name, direction, plural_forms, po, entries, 'rollback', version, ?4, ?5 "
    "FROM language_packs WHERE lang = ?1 AND version = ?2 AND action <> 'withdraw'";
static const char SQL_WITHDRAW[] =
    "INSERT INTO language_packs(lang, version, name, direction, plural_forms, po, entries, "
    "action, rolled_back_to, loaded_by, loaded_at) "
    "SELECT lang, ?2, name, direction, '', '', 0, 'withdraw', NULL, ?3, ?4 "
    "FROM language_packs WHERE lang = ?1 AND version = ?2 - 1 AND action <> 'withdraw'";
static const char SQL_CURRENT[] =
    "SELECT p.lang, p.name, p.direction, p.plural_forms, p.po FROM language_packs p "
    "WHERE p.action <> 'withdraw' "
    "AND p.version = (SELECT MAX(q.version) FROM language_packs q WHERE q.lang = p.lang) "
    "ORDER BY p.id";
static const char SQL_VERSIONS[] =
    "SELECT p.lang, p.version, p.name, p.direction, p.action, p.rolled_back_to, p.entries, "
    "p.loaded_by, p.loaded_at, "
    "p.version = (SELECT MAX(q.version) FROM language_packs q WHERE q.lang = p.lang) "
    "FROM language_packs p WHERE CAST(?1 AS TEXT) IS NULL OR p.lang = ?1 ORDER BY p.lang, p.version DESC";
static const char SQL_GENERATION[] = "SELECT COALESCE(MAX(id), 0) FROM language_packs";
/* clang-format on */

/* What the lookup table was last built from: the store, its last version, the second
 * language. */
static pthread_mutex_t applied_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t applied_store;
static int64_t applied_generation = -1;
static char applied_second[8];

static void now_text(char out[CLOCK_RFC3339_LEN])
{
	clock_format_rfc3339(clock_wall_ms(), out);
}

static int next_version(store_conn *c, const char *lang, int *version)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_NEXT, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, lang, strlen(lang));
	rc = store_step(st);
	*version = rc == STORE_ROW ? (int)store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static void bind_user(store_stmt *st, int idx, int64_t user_id)
{
	if (user_id > 0)
		store_bind_int64(st, idx, user_id);
	else
		store_bind_null(st, idx);
}

int pack_store_add(store *db, const pack_report *r, const char *po, size_t n, int64_t user_id,
		   int *version)
{
	store_conn *c;
	store_stmt *st;
	char now[CLOCK_RFC3339_LEN];
	now_text(now);
	int rc = store_begin_on(db, &c);
	if (rc)
		return rc;
	rc = next_version(c, r->lang, version);
	if (!rc)
		rc = store_prepare(c, SQL_ADD, &st);
	if (!rc) {
		const char *dir = r->rtl ? "rtl" : "ltr";
		store_bind_text(st, 1, r->lang, strlen(r->lang));
		store_bind_int64(st, 2, *version);
		store_bind_text(st, 3, r->name, strlen(r->name));
		store_bind_text(st, 4, dir, 3);
		store_bind_text(st, 5, r->plural_forms, strlen(r->plural_forms));
		store_bind_text(st, 6, po, n);
		store_bind_int64(st, 7, (int64_t)r->translated);
		store_bind_text(st, 8, "load", 4);
		bind_user(st, 9, user_id);
		store_bind_text(st, 10, now, strlen(now));
		rc = store_run(st);
	}
	if (!rc)
		return store_commit(c);
	store_rollback(c);
	return rc;
}

/* One statement that copies a version into the next one: 0 rows means no such version. */
static int copy_version(store *db, const char *sql, const char *lang, int to, int64_t user_id,
			int *version)
{
	store_conn *c;
	store_stmt *st;
	char now[CLOCK_RFC3339_LEN];
	now_text(now);
	int rc = store_begin_on(db, &c);
	if (rc)
		return rc;
	rc = next_version(c, lang, version);
	if (!rc)
		rc = store_prepare(c, sql, &st);
	if (!rc) {
		store_bind_text(st, 1, lang, strlen(lang));
		if (sql == SQL_ROLLBACK) {
			store_bind_int64(st, 2, to);
			store_bind_int64(st, 3, *version);
			bind_user(st, 4, user_id);
			store_bind_text(st, 5, now, strlen(now));
		} else {
			store_bind_int64(st, 2, *version);
			bind_user(st, 3, user_id);
			store_bind_text(st, 4, now, strlen(now));
		}
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
	}
	if (!rc)
		return store_commit(c);
	store_rollback(c);
	return rc;
}

int pack_store_rollback(store *db, const char *lang, int to, int64_t user_id, int *version)
{
	return copy_version(db, SQL_ROLLBACK, lang, to, user_id, version);
}

int pack_store_withdraw(store *db, const char *lang, int64_t user_id, int *version)
{
	return copy_version(db, SQL_WITHDRAW, lang, 0, user_id, version);
}

int pack_store_versions(store *db, arena *a, const char *lang, pack_version_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_VERSIONS, &st);
	if (rc)
		return rc;
	if (lang)
		store_bind_text(st, 1, lang, strlen(lang));
	else
		store_bind_null(st, 1);
	while ((rc = store_step(st)) == STORE_ROW) {
		pack_version v = {
			.lang = store_col_dup(a, st, 0),
			.version = (int)store_col_int64(st, 1),
			.name = store_col_dup(a, st, 2),
			.rtl = !strcmp(store_col_text(st, 3, NULL), "rtl"),
			.action = store_col_dup(a, st, 4),
			.rolled_back_to = (int)store_col_int64(st, 5),
			.entries = store_col_int64(st, 6),
			.loaded_by = store_col_int64(st, 7),
			.loaded_at = store_col_dup(a, st, 8),
			.current = store_col_int64(st, 9) != 0,
		};
		if (!v.lang || !v.name || !v.action || !v.loaded_at) {
			rc = PONTE_ENOMEM;
			break;
		}
		rc = fn(&v, ctx);
		if (rc)
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int generation(store_conn *c, int64_t *gen)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_GENERATION, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	*gen = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int reload_locked(store *db, const char *second, char *err, size_t errlen)
{
	arena a;
	arena_init(&a, (size_t)(LANG_MAX + 1) * (PACK_MAX_BYTES + 4096));
	i18n_pack_src src[LANG_MAX];
	size_t n = 0;
	int64_t gen = 0;
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	rc = generation(c, &gen);
	if (!rc)
		rc = store_prepare(c, SQL_CURRENT, &st);
	if (rc) {
		store_commit(c);
		arena_release(&a);
		return rc;
	}
	while ((rc = store_step(st)) == STORE_ROW && n < LANG_MAX) {
		size_t len = 0;
		const char *po = store_col_text(st, 4, &len);
		i18n_pack_src *s = &src[n];
		s->code = store_col_dup(&a, st, 0);
		s->name = store_col_dup(&a, st, 1);
		s->rtl = !strcmp(store_col_text(st, 2, NULL), "rtl");
		s->plural_forms = store_col_dup(&a, st, 3);
		s->po = arena_strndup(&a, po ? po : "", len);
		s->n = len;
		if (!s->code || !s->name || !s->plural_forms || !s->po) {
			rc = PONTE_ENOMEM;
			break;
		}
		n++;
	}
	store_reset(st);
	store_commit(c);
	if (rc >= 0)
		rc = i18n_apply_packs(src, n, second, err, errlen);
	if (rc >= 0) {
		applied_store = store_serial(db);
		applied_generation = gen;
		snprintf(applied_second, sizeof(applied_second), "%s", second ? second : "en");
	}
	arena_release(&a);
	return rc;
}

int pack_reload(store *db, const char *second, char *err, size_t errlen)
{
	pthread_mutex_lock(&applied_lock);
	int rc = reload_locked(db, second, err, errlen);
	pthread_mutex_unlock(&applied_lock);
	return rc;
}

int pack_reload_if_changed(store *db, const char *second, char *err, size_t errlen)
{
	store_conn *c;
	int64_t gen = 0;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = generation(c, &gen);
	if (rc)
		return rc;
	pthread_mutex_lock(&applied_lock);
	if (applied_store != store_serial(db) || applied_generation != gen ||
	    strcmp(applied_second, second ? second : "en") != 0)
		rc = reload_locked(db, second, err, errlen);
	pthread_mutex_unlock(&applied_lock);
	return rc;
}
