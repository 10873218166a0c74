#include <pthread.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/identity.h"

/* What the types of organisation (HTCDS org_Type, kept in the organisation_types table that
 * organisations refer to) are called. */
static const vocab_term ORG_TYPES[] = {
	{ "NGO", N_("Non-governmental organisation") },
	{ "LawEnforcement", N_("Law enforcement") },
	{ "HealthServiceOrganisation", N_("Health service") },
	{ "CentralGovernmentOrganisation", N_("Central government") },
	{ "LocalGovernmentOrganisation", N_("Local government") },
	{ "ImmigrationService", N_("Immigration service") },
	{ "LegalService", N_("Justice and legal services") },
	{ "CorporateBusiness", N_("Business") },
	{ "SchoolOrCollege", N_("School or college") },
	{ "RegionalBody", N_("Regional body") },
	{ "InternationalOrganisation", N_("International organisation") },
};
VOCABULARY(org_types, "organisation.type", ORG_TYPES);

static const char SQL_TYPE[] = "SELECT 1 FROM organisation_types WHERE code = ?1";
static const char SQL_COUNTRY[] = "SELECT 1 FROM countries WHERE code = ?1";
static const char SQL_ADD[] = "INSERT INTO organisations(code, name, country, type, parent_id, "
			      "focal_point, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
#define ORG_COLUMNS "id, code, name, country, type, coalesce(parent_id, 0), focal_point"
static const char SQL_GET[] = "SELECT " ORG_COLUMNS " FROM organisations WHERE id = ?1";
static const char SQL_FIND[] = "SELECT " ORG_COLUMNS " FROM organisations WHERE code = ?1";
static const char SQL_LIST[] = "SELECT " ORG_COLUMNS " FROM organisations";
#define COUNTRY_NAME                                                                               \
	"CASE ?1 WHEN 'fr' THEN name_fr WHEN 'pt' THEN name_pt WHEN 'es' THEN name_es "            \
	"WHEN 'ar' THEN name_ar ELSE name_en END"
static const char SQL_COUNTRIES[] = "SELECT code, " COUNTRY_NAME " FROM countries";
static const char SQL_TYPES[] = "SELECT code FROM organisation_types ORDER BY rowid";
/* In the order of the seed rows: a table never updated keeps them in that order. */
static const char SQL_TYPES_PG[] = "SELECT code FROM organisation_types ORDER BY ctid";

/* 1 when a row matches, 0 when none does, or why the store could not tell (negative). */
static int lookup(store *db, const char *sql, const char *value)
{
	store_stmt *st;
	int rc = store_stmt_get(db, sql, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, value, strlen(value));
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_ROW ? 1 : rc;
}

static bool exists(store *db, const char *sql, const char *value)
{
	return lookup(db, sql, value) == 1;
}

static const char SQL_COUNTRY_NAME[] =
    "SELECT 1 FROM countries WHERE lower(name_en) = lower(?1) OR lower(name_fr) = lower(?1) OR "
    "lower(name_pt) = lower(?1) OR lower(name_es) = lower(?1) OR name_ar = ?1 OR "
    "lower(alpha3) = lower(?1)";

bool country_name_known(store *db, const char *name)
{
	return exists(db, SQL_COUNTRY_NAME, name);
}

bool country_known(store *db, const char *code)
{
	return exists(db, SQL_COUNTRY, code);
}

int country_check(store *db, const char *code)
{
	return lookup(db, SQL_COUNTRY, code);
}

bool org_type_valid(store *db, const char *type)
{
	return exists(db, SQL_TYPE, type);
}

static bool code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = code[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

int org_add(store *db, const organisation *o, int64_t *id)
{
	size_t nlen = strlen(o->name);
	if (!code_valid(o->code) || nlen == 0 || utf8_length(o->name, nlen) > 200 ||
	    !utf8_valid_text(o->name, nlen) || strpbrk(o->name, "\r\n\t") ||
	    !exists(db, SQL_COUNTRY, o->country) || !org_type_valid(db, o->type))
		return PONTE_EINVAL;
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_ADD, &st);
	if (rc)
		return rc;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	store_bind_text(st, 1, o->code, strlen(o->code));
	store_bind_text(st, 2, o->name, nlen);
	store_bind_text(st, 3, o->country, strlen(o->country));
	store_bind_text(st, 4, o->type, strlen(o->type));
	if (o->parent_id)
		store_bind_int64(st, 5, o->parent_id);
	store_bind_int64(st, 6, o->focal_point);
	store_bind_text(st, 7, when, strlen(when));
	rc = store_step(st);
	store_reset(st);
	if (rc < 0)
		return rc; /* PONTE_EEXIST for a duplicate code */
	if (id)
		*id = 0;
	if (id) {
		organisation found;
		arena a;
		arena_init(&a, 64 * 1024);
		rc = org_find(db, &a, o->code, &found);
		*id = rc ? 0 : found.id;
		arena_release(&a);
	}
	return rc;
}

static void org_from_row(store_stmt *st, arena *a, organisation *o)
{
	o->id = store_col_int64(st, 0);
	o->code = store_col_dup(a, st, 1);
	o->name = store_col_dup(a, st, 2);
	o->country = store_col_dup(a, st, 3);
	o->type = store_col_dup(a, st, 4);
	o->parent_id = store_col_int64(st, 5);
	o->focal_point = store_col_int64(st, 6) != 0;
}

static int org_one(store *db, arena *a, const char *sql, const char *text, int64_t id,
		   organisation *out)
{
	store_stmt *st;
	int rc = store_stmt_get(db, sql, &st);
	if (rc)
		return rc;
	if (text)
		store_bind_text(st, 1, text, strlen(text));
	else
		store_bind_int64(st, 1, id);
	if (!(rc = store_step_one(st))) {
		org_from_row(st, a, out);
		rc = out->code && out->name && out->country && out->type ? 0 : PONTE_ENOMEM;
		store_reset(st);
	}
	return rc;
}

int org_get(store *db, arena *a, int64_t id, organisation *out)
{
	return org_one(db, a, SQL_GET, NULL, id, out);
}

int org_find(store *db, arena *a, const char *code, organisation *out)
{
	return org_one(db, a, SQL_FIND, code, 0, out);
}

/* Organisations by name for the reader, the code between two of the same name. */
static int org_by_name(const void *a, const void *b, void *arabic_first)
{
	const organisation *x = a, *y = b;
	int c = utf8_collate_as(x->name, y->name, *(const bool *)arabic_first);
	return c ? c : strcmp(x->code, y->code);
}

int org_list(store *db, arena *a, const char *lang, org_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
	if (rc)
		return rc;
	/* Read them all, then sort by the reader's alphabet: the database's order puts "École"
	 * after "Zorg" and Latin names before Arabic ones on an Arabic page. */
	organisation *rows = NULL;
	size_t n = 0, cap = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			organisation *more =
			    ncap <= ORG_LIST_MAX ? arena_calloc(a, ncap, sizeof(*more)) : NULL;
			if (!more) {
				rc = ncap <= ORG_LIST_MAX ? PONTE_ENOMEM : PONTE_ELIMIT;
				break;
			}
			if (n)
				memcpy(more, rows, n * sizeof(*rows));
			rows = more;
			cap = ncap;
		}
		org_from_row(st, a, &rows[n]);
		if (!rows[n].code || !rows[n].name || !rows[n].country || !rows[n].type) {
			rc = PONTE_ENOMEM;
			break;
		}
		n++;
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	bool arabic_first = i18n_arabic_script(lang);
	if (n)
		qsort_r(rows, n, sizeof(*rows), org_by_name, &arabic_first);
	for (size_t i = 0; i < n; i++)
		if ((rc = fn(&rows[i], ctx)))
			return rc < 0 ? rc : 0;
	return 0;
}

struct country_row {
	const char *code, *name;
};

static int by_name(const void *a, const void *b)
{
	return utf8_collate(((const struct country_row *)a)->name,
			    ((const struct country_row *)b)->name);
}

static int by_name_arabic_first(const void *a, const void *b)
{
	return utf8_collate_arabic_first(((const struct country_row *)a)->name,
					 ((const struct country_row *)b)->name);
}

int country_list(store *db, arena *a, const char *lang, country_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_COUNTRIES, &st);
	if (rc)
		return rc;
	/* Read them all, then sort by the language's alphabet: SQLite's own order puts
	 * "Égypte" after "Zimbabwe". */
	struct country_row rows[300];
	size_t n = 0;
	store_bind_text(st, 1, lang, strlen(lang));
	while ((rc = store_step(st)) == STORE_ROW && n < ARRAY_LEN(rows)) {
		rows[n].code = store_col_dup(a, st, 0);
		rows[n].name = store_col_dup(a, st, 1);
		if (!rows[n].code || !rows[n].name)
			rc = PONTE_ENOMEM;
		else
			n++;
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	qsort(rows, n, sizeof(rows[0]), i18n_arabic_script(lang) ? by_name_arabic_first : by_name);
	for (size_t i = 0; i < n; i++)
		if ((rc = fn(rows[i].code, rows[i].name, ctx)))
			return rc;
	return 0;
}

/* ---- country names, read once per store ----
 * The countries table is reference data that only migrations write, and a store is migrated
 * before it serves: its names are read once, in every language, and kept for the store's life
 * (keyed by store_serial(), so that a store opened later at the same address reads its own).
 * A page that names a country on each of its rows (the case list, 50 rows) then runs no
 * statement per row. One store at a time is kept: a process serves one. */
enum { COUNTRY_LANGS = 5, COUNTRIES_MAX = 400 };
static const char *const COUNTRY_LANG_CODES[COUNTRY_LANGS] = { "en", "fr", "pt", "es", "ar" };
static const char SQL_COUNTRY_NAMES[] =
    "SELECT code, name_en, name_fr, name_pt, name_es, name_ar FROM countries";
struct country_names {
	char code[3];
	const char *name[COUNTRY_LANGS];
};
static struct {
	uint64_t store; /* 0: nothing read */
	size_t n;
	struct country_names row[COUNTRIES_MAX]; /* by code, in strcmp()'s order */
	char *text;                              /* every name, one after the other */
} names;
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

/* Rows compare by their code, which comes first; a code alone compares the same way. */
static int by_code(const void *x, const void *y)
{
	return strcmp(x, y);
}

static void names_forget(void)
{
	free(names.text);
	names.text = NULL;
	names.n = 0;
	names.store = 0;
}

/* Under names_lock. */
static int names_read(store *db)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_COUNTRY_NAMES, &st);
	if (rc)
		return rc;
	names_forget();
	buf text;
	buf_init(&text, 1 << 20);
	size_t at[COUNTRIES_MAX][COUNTRY_LANGS], n = 0;
	while ((rc = store_step(st)) == STORE_ROW && n < COUNTRIES_MAX) {
		size_t len;
		const char *code = store_col_text(st, 0, &len);
		if (len != 2)
			continue; /* the table's check makes every code two letters */
		memcpy(names.row[n].code, code, 2);
		names.row[n].code[2] = 0;
		int err = 0;
		for (int l = 0; l < COUNTRY_LANGS && !err; l++) {
			const char *name = store_col_text(st, 1 + l, &len);
			at[n][l] = text.len;
			err = buf_append(&text, name ? name : "", name ? len : 0);
			if (!err)
				err = buf_append(&text, "", 1);
		}
		if (err) {
			rc = err;
			break;
		}
		n++;
	}
	store_reset(st);
	if (rc < 0 || (rc == STORE_ROW && n == COUNTRIES_MAX)) {
		buf_release(&text);
		return rc < 0 ? rc : PONTE_ELIMIT;
	}
	names.text = text.data; /* kept until another store is read */
	for (size_t i = 0; i < n; i++)
		for (int l = 0; l < COUNTRY_LANGS; l++)
			names.row[i].name[l] = names.text + at[i][l];
	/* The database's order of codes may follow a locale: the search needs strcmp()'s. */
	qsort(names.row, n, sizeof(names.row[0]), by_code);
	names.n = n;
	names.store = store_serial(db);
	return 0;
}

const char *country_label(store *db, arena *a, const char *lang, const char *code)
{
	if (!code || !*code)
		return code ? code : "";
	int l = 0;
	while (l < COUNTRY_LANGS && strcmp(COUNTRY_LANG_CODES[l], lang ? lang : "") != 0)
		l++;
	if (l == COUNTRY_LANGS)
		l = 0; /* a language without names of its own reads English's */
	const char *name = NULL;
	pthread_mutex_lock(&names_lock);
	if (names.store == store_serial(db) || names_read(db) == 0) {
		const struct country_names *row =
		    bsearch(code, names.row, names.n, sizeof(names.row[0]), by_code);
		if (row)
			name = arena_strdup(a, row->name[l]);
	}
	pthread_mutex_unlock(&names_lock);
	return name ? name : code;
}

const char *country_labels(store *db, arena *a, const char *lang, const char *csv, const char *sep)
{
	buf b;
	buf_init(&b, 8192);
	char code[8];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		snprintf(code, sizeof(code), "%.*s",
			 (int)(len < sizeof(code) ? len : sizeof(code) - 1), p);
		while (code[0] == ' ')
			memmove(code, code + 1, strlen(code));
		if (*code)
			buf_printf(&b, "%s%s", b.len ? sep : "", country_label(db, a, lang, code));
		p += len + (p[len] == ',');
	}
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

int org_type_list(store *db, arena *a, country_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, store_is_pg(db) ? SQL_TYPES_PG : SQL_TYPES, &st);
	if (rc)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *code = store_col_dup(a, st, 0);
		const vocab_term *t = vocab_term_of(&org_types_vocabulary, code);
		rc = fn(code, t ? t->label : code, ctx);
		if (rc)
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
