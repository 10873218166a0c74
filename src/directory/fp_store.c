/* The focal-point directory: institutions, their channels, and who held the function when. */
#include <ctype.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "directory/directory.h"
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "identity/identity.h"

/* Verified more than 12 months ago, in each dialect. */
#define FP_STALE_SQLITE "f.verified_on < date('now', '-12 months')"
#define FP_STALE_PG "f.verified_on < to_char(current_date - interval '12 months', 'YYYY-MM-DD')"
#define FP_COLUMNS                                                                                 \
	"f.id, f.version, f.organisation_id, o.code, o.name, o.type, f.mandate, f.country, "       \
	"f.languages, f.mailbox, f.phone, f.instance_url, f.verified_on, f.updated_at, "
#define FP_FROM " FROM focal_points f JOIN organisations o ON o.id = f.organisation_id"
#define FP_LIST_WHERE                                                                              \
	" WHERE (CAST(?1 AS TEXT) IS NULL OR f.country = ?1) AND "                                 \
	"(CAST(?2 AS TEXT) IS NULL OR f.mandate = ?2) AND (?3 = 0 OR "

static const char SQL_GET[] = "SELECT " FP_COLUMNS FP_STALE_SQLITE FP_FROM " WHERE f.id = ?1";
static const char SQL_GET_PG[] = "SELECT " FP_COLUMNS FP_STALE_PG FP_FROM " WHERE f.id = ?1";
static const char SQL_LIST[] =
    "SELECT " FP_COLUMNS FP_STALE_SQLITE FP_FROM FP_LIST_WHERE FP_STALE_SQLITE ") ORDER BY f.id";
static const char SQL_LIST_PG[] =
    "SELECT " FP_COLUMNS FP_STALE_PG FP_FROM FP_LIST_WHERE FP_STALE_PG ") ORDER BY f.id";
static const char SQL_HOLDERS[] =
    "SELECT id, name_enc, position, started_on, coalesce(ended_on, '') FROM "
    "focal_point_holders WHERE focal_point_id = ?1 ORDER BY started_on DESC, id DESC";
static const char SQL_INSERT[] =
    "INSERT INTO focal_points(organisation_id, mandate, country, languages, mailbox, phone, "
    "instance_url, verified_on, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?9)";
static const char SQL_UPDATE[] =
    "UPDATE focal_points SET version = version + 1, languages = ?3, mailbox = ?4, phone = ?5, "
    "instance_url = ?6, verified_on = ?7, updated_at = ?8 WHERE id = ?1 AND version = ?2";
static const char SQL_VERIFY[] = "UPDATE focal_points SET version = version + 1, verified_on = "
				 "date('now'), updated_at = ?2 WHERE id = ?1";
static const char SQL_VERIFY_PG[] =
    "UPDATE focal_points SET version = version + 1, verified_on = "
    "to_char(current_date, 'YYYY-MM-DD'), updated_at = ?2 WHERE id = ?1";
static const char SQL_END_CURRENT[] =
    "UPDATE focal_point_holders SET ended_on = ?2 WHERE focal_point_id = ?1 AND ended_on IS "
    "NULL AND started_on <= ?2";
static const char SQL_LATEST_START[] =
    "SELECT coalesce(max(started_on), '') FROM focal_point_holders WHERE focal_point_id = ?1";
static const char SQL_NEXT_HOLDER[] = "SELECT coalesce(max(id), 0) + 1 FROM focal_point_holders";
static const char SQL_ADD_HOLDER[] =
    "INSERT INTO focal_point_holders(id, focal_point_id, name_enc, position, started_on) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_STALE[] = "SELECT count(*) FROM focal_points f WHERE " FP_STALE_SQLITE
				" AND (?1 = 4 OR (?1 = 3 AND country = ?2))";
static const char SQL_STALE_PG[] = "SELECT count(*) FROM focal_points f WHERE " FP_STALE_PG
				   " AND (?1 = 4 OR (?1 = 3 AND country = ?2))";

static const fp_code MANDATES[] = {
	{ "thb", N_("Trafficking in human beings") },
	{ "smuggling", N_("Smuggling of migrants") },
	{ "child_protection", N_("Child protection") },
	{ "judicial_cooperation", N_("Judicial cooperation") },
	{ "observatory", N_("Data and observatory") },
};
VOCABULARY(mandates, "directory.mandate", MANDATES);

const fp_code *fp_mandates(size_t *n)
{
	*n = ARRAY_LEN(MANDATES);
	return MANDATES;
}

const char *fp_mandate_label(const char *code)
{
	for (size_t i = 0; i < ARRAY_LEN(MANDATES); i++)
		if (strcmp(MANDATES[i].code, code) == 0)
			return MANDATES[i].label;
	return code;
}

bool fp_can_manage(const principal *p, const char *country)
{
	return p && principal_can_see(p, "directory.manage", 0, 0, country) &&
	       principal_scope(p, "directory.manage") >= SCOPE_COUNTRY;
}

static bool date_ok(const char *s)
{
	int y, m, d;
	char extra;
	return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 &&
	       s[4] == '-' && s[7] == '-' && y >= 1990 && y <= 2100 && m >= 1 && m <= 12 &&
	       d >= 1 && d <= 31;
}

static void today(char out[11])
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

/* "fr, EN" is written "fr,en": lower-case ISO 639 codes of 2 or 3 letters. */
static bool languages_ok(const char *s)
{
	if (!*s)
		return true;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, ",");
		if (n < 2 || n > 3)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!islower((unsigned char)p[i]))
				return false;
		p += n + (p[n] == ',');
	}
	return true;
}

static void validate(const fp_input *in, field_errors *e)
{
	if (in->languages && !languages_ok(in->languages))
		field_errors_add(e, "languages",
				 N_("Use language codes separated by commas, e.g. fr,en."));
	if (in->mailbox && *in->mailbox &&
	    (!strchr(in->mailbox, '@') || strlen(in->mailbox) > 200 ||
	     strpbrk(in->mailbox, " <>\"")))
		field_errors_add(
		    e, "mailbox",
		    N_("Enter the functional mailbox, e.g. referrals@agency.example."));
	if (in->phone &&
	    (strlen(in->phone) > 40 || strspn(in->phone, "+0123456789 ()-") != strlen(in->phone)))
		field_errors_add(e, "phone", N_("Enter a phone number with digits, spaces and +."));
	if (in->instance_url && *in->instance_url &&
	    ((strncmp(in->instance_url, "https://", 8) != 0 &&
	      strncmp(in->instance_url, "http://", 7) != 0) ||
	     strlen(in->instance_url) > 300 || strpbrk(in->instance_url, " <>\"")))
		field_errors_add(e, "instance_url", N_("Enter a link starting with https://."));
	if (in->verified_on && *in->verified_on && !date_ok(in->verified_on))
		field_errors_add(e, "verified_on", N_("Enter a date as YYYY-MM-DD."));
}

static void bind_str(store_stmt *st, int idx, const char *s)
{
	store_bind_text(st, idx, s ? s : "", s ? strlen(s) : 0);
}

int fp_create(const keyed_store *env, const principal *p, const fp_input *in, int64_t *id,
	      field_errors *e)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1 << 16);
	organisation org;
	bool known = in->organisation && org_find(env->db, &a, in->organisation, &org) == 0;
	if (!known)
		field_errors_add(e, "organisation", N_("Choose an organisation."));
	bool mandate_ok = false;
	for (size_t i = 0; in->mandate && i < ARRAY_LEN(MANDATES); i++)
		mandate_ok |= strcmp(MANDATES[i].code, in->mandate) == 0;
	if (!mandate_ok)
		field_errors_add(e, "mandate", N_("Choose a mandate."));
	validate(in, e);
	if (known && !fp_can_manage(p, org.country)) {
		arena_release(&a);
		return PONTE_EDENIED;
	}
	if (e->count) {
		arena_release(&a);
		return PONTE_EINVAL;
	}
	char day[11], now[CLOCK_RFC3339_LEN];
	today(day);
	clock_format_rfc3339(clock_wall_ms(), now);
	store_conn *c;
	store_stmt *st;
	int rc = store_begin_on(env->db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_INSERT, &st))) {
		store_bind_int64(st, 1, org.id);
		bind_str(st, 2, in->mandate);
		bind_str(st, 3, org.country);
		bind_str(st, 4, in->languages);
		bind_str(st, 5, in->mailbox);
		bind_str(st, 6, in->phone);
		bind_str(st, 7, in->instance_url);
		bind_str(st, 8, in->verified_on && *in->verified_on ? in->verified_on : day);
		bind_str(st, 9, now);
		rc = store_step(st);
		store_reset(st);
		if (rc == PONTE_EEXIST) {
			field_errors_add(
			    e, "mandate",
			    N_("This organisation already holds this mandate in the directory."));
			rc = PONTE_EINVAL;
		}
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		*id = store_last_insert_id(c);
	if (!rc)
		rc = principal_audit(env->db, p, "focal_point.create", "focal_point", *id,
				     "success", true);
	rc = store_finish(c, rc);
	arena_release(&a);
	return rc;
}

static int country_of(store_conn *c, arena *a, int64_t id, const char **country)
{
	static const char SQL[] = "SELECT country FROM focal_points WHERE id = ?1";
	store_stmt *st;
	int rc = store_prepare(c, SQL, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if ((rc = store_step_one(st)))
		return rc;
	*country = store_col_dup(a, st, 0);
	store_reset(st);
	return 0;
}

/* Begin a write on entry id that p may manage. */
static int begin_write(const keyed_store *env, const principal *p, int64_t id, store_conn **c)
{
	arena a;
	arena_init(&a, 4096);
	const char *country = "";
	int rc = store_conn_get(env->db, c);
	if (!rc)
		rc = store_begin(*c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	rc = country_of(*c, &a, id, &country);
	if (!rc && !fp_can_manage(p, country))
		rc = PONTE_EDENIED;
	if (rc)
		store_rollback(*c);
	arena_release(&a);
	return rc;
}

int fp_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
	      const fp_input *in, field_errors *e, int64_t *current)
{
	field_errors_clear(e);
	validate(in, e);
	if (e->count)
		return PONTE_EINVAL;
	arena a;
	arena_init(&a, 1 << 20);
	focal_point cur;
	int rc = fp_get(env, &a, id, &cur);
	store_conn *c;
	if (!rc)
		rc = begin_write(env, p, id, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	store_stmt *st;
	if (!(rc = store_prepare(c, SQL_UPDATE, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, version);
		bind_str(st, 3, in->languages ? in->languages : cur.languages);
		bind_str(st, 4, in->mailbox ? in->mailbox : cur.mailbox);
		bind_str(st, 5, in->phone ? in->phone : cur.phone);
		bind_str(st, 6, in->instance_url ? in->instance_url : cur.instance_url);
		bind_str(st, 7,
			 in->verified_on && *in->verified_on ? in->verified_on : cur.verified_on);
		bind_str(st, 8, now);
		rc = store_run(st);
	}
	if (!rc && store_changes(c) == 0) {
		*current = cur.version;
		rc = PONTE_ECONFLICT;
	}
	if (!rc)
		rc = principal_audit(env->db, p, "focal_point.update", "focal_point", id, "success",
				     true);
	rc = store_finish(c, rc);
	arena_release(&a);
	return rc;
}

int fp_verify(const keyed_store *env, const principal *p, int64_t id)
{
	store_conn *c;
	int rc = begin_write(env, p, id, &c);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	store_stmt *st;
	if (!(rc = store_prepare(c, store_is_pg(env->db) ? SQL_VERIFY_PG : SQL_VERIFY, &st))) {
		store_bind_int64(st, 1, id);
		bind_str(st, 2, now);
		rc = store_run(st);
	}
	if (!rc)
		rc = principal_audit(env->db, p, "focal_point.verify", "focal_point", id, "success",
				     true);
	return store_finish(c, rc);
}

int fp_add_holder(const keyed_store *env, const principal *p, int64_t id, const char *name,
		  const char *position, const char *started_on, field_errors *e)
{
	field_errors_clear(e);
	if (!name || !*name || strlen(name) > 200 || !utf8_valid_text(name, strlen(name)))
		field_errors_add(e, "name", N_("Enter the person's name."));
	if (position && (strlen(position) > 200 || !utf8_valid_text(position, strlen(position))))
		field_errors_add(e, "position", N_("Keep the position under 200 characters."));
	if (!date_ok(started_on))
		field_errors_add(e, "started_on", N_("Enter a date as YYYY-MM-DD."));
	if (e->count)
		return PONTE_EINVAL;
	store_conn *c;
	int rc = begin_write(env, p, id, &c);
	if (rc)
		return rc;
	store_stmt *st;
	/* A period never starts before the one it follows. */
	if (!(rc = store_prepare(c, SQL_LATEST_START, &st))) {
		store_bind_int64(st, 1, id);
		if (store_step(st) == STORE_ROW &&
		    strcmp(started_on, store_col_text(st, 0, NULL)) < 0) {
			field_errors_add(e, "started_on",
					 N_("The new holder cannot start before the current one."));
			rc = PONTE_EINVAL;
		}
		store_reset(st);
	}
	if (!rc && !(rc = store_prepare(c, SQL_END_CURRENT, &st))) {
		store_bind_int64(st, 1, id);
		bind_str(st, 2, started_on);
		rc = store_run(st);
	}
	int64_t hid = 0;
	if (!rc && !(rc = store_prepare(c, SQL_NEXT_HOLDER, &st))) {
		rc = store_step(st) == STORE_ROW ? 0 : PONTE_ESTORE;
		hid = store_col_int64(st, 0);
		store_reset(st);
	}
	buf enc;
	buf_init(&enc, 4096);
	if (!rc)
		rc = field_encrypt(env, "focal_point_holders", "name", hid, name, &enc);
	if (!rc && !(rc = store_prepare(c, SQL_ADD_HOLDER, &st))) {
		store_bind_int64(st, 1, hid);
		store_bind_int64(st, 2, id);
		store_bind_blob(st, 3, enc.data, enc.len);
		bind_str(st, 4, position);
		bind_str(st, 5, started_on);
		rc = store_run(st);
	}
	buf_release(&enc);
	if (!rc)
		rc = principal_audit(env->db, p, "focal_point.holder", "focal_point", id, "success",
				     true);
	return store_finish(c, rc);
}

static const char *col(arena *a, store_stmt *st, int i)
{
	const char *s = store_col_text(st, i, NULL);
	return arena_strdup(a, s ? s : "");
}

static void from_row(arena *a, store_stmt *st, focal_point *f)
{
	memset(f, 0, sizeof(*f));
	f->id = store_col_int64(st, 0);
	f->version = store_col_int64(st, 1);
	f->organisation_id = store_col_int64(st, 2);
	f->organisation_code = col(a, st, 3);
	f->organisation_name = col(a, st, 4);
	f->organisation_type = col(a, st, 5);
	f->mandate = col(a, st, 6);
	f->country = col(a, st, 7);
	f->languages = col(a, st, 8);
	f->mailbox = col(a, st, 9);
	f->phone = col(a, st, 10);
	f->instance_url = col(a, st, 11);
	f->verified_on = col(a, st, 12);
	f->updated_at = col(a, st, 13);
	f->stale = store_col_int64(st, 14) != 0;
}

static int load_holders(const keyed_store *env, store_conn *c, arena *a, focal_point *f)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_HOLDERS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, f->id);
	size_t cap = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (f->nholders == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			fp_holder *h = arena_calloc(a, ncap, sizeof(*h));
			if (!h) {
				rc = PONTE_ENOMEM;
				break;
			}
			if (cap)
				memcpy(h, f->holders, cap * sizeof(*h));
			f->holders = h;
			cap = ncap;
		}
		fp_holder *h = &f->holders[f->nholders++];
		h->id = store_col_int64(st, 0);
		size_t n;
		const void *blob = store_col_blob(st, 1, &n);
		h->name = field_decrypt(env, a, "focal_point_holders", "name", h->id, blob, n);
		if (!h->name) {
			rc = PONTE_ESTORE;
			break;
		}
		h->position = col(a, st, 2);
		h->started_on = col(a, st, 3);
		h->ended_on = col(a, st, 4);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int fp_get(const keyed_store *env, arena *a, int64_t id, focal_point *out)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, store_is_pg(env->db) ? SQL_GET_PG : SQL_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		from_row(a, st, out);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	return load_holders(env, c, a, out);
}

struct fp_row {
	focal_point *fp;
	const char *country_name;
};

static int fp_by_name(const void *a, const void *b, void *arabic_first)
{
	const struct fp_row *x = a, *y = b;
	bool ar = *(const bool *)arabic_first;
	int c = utf8_collate_as(x->country_name, y->country_name, ar);
	if (!c)
		c = utf8_collate_as(x->fp->organisation_name, y->fp->organisation_name, ar);
	if (!c)
		c = strcmp(x->fp->mandate, y->fp->mandate);
	return c ? c : (x->fp->id > y->fp->id) - (x->fp->id < y->fp->id);
}

/* rows in the reader's order (fp_list()). */
static int fp_sort(const keyed_store *env, arena *a, const char *lang, focal_point *rows, size_t n,
		   struct fp_row **out)
{
	struct fp_row *order = n ? arena_calloc(a, n, sizeof(*order)) : NULL;
	if (n && !order)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		order[i].fp = &rows[i];
		order[i].country_name = country_label(env->db, a, lang, rows[i].country);
		if (!order[i].country_name || !rows[i].organisation_name || !rows[i].mandate)
			return PONTE_ENOMEM;
	}
	bool arabic_first = i18n_arabic_script(lang);
	if (n)
		qsort_r(order, n, sizeof(*order), fp_by_name, &arabic_first);
	*out = order;
	return 0;
}

int fp_list(const keyed_store *env, arena *a, const fp_filter *f, fp_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc)
		return rc;
	if ((rc = store_prepare(c, store_is_pg(env->db) ? SQL_LIST_PG : SQL_LIST, &st))) {
		store_commit(c);
		return rc;
	}
	if (f->country && *f->country)
		store_bind_text(st, 1, f->country, strlen(f->country));
	if (f->mandate && *f->mandate)
		store_bind_text(st, 2, f->mandate, strlen(f->mandate));
	store_bind_int64(st, 3, f->stale_only);
	/* Rows first, holders after: one statement at a time per connection. */
	focal_point *rows = NULL;
	size_t n = 0, cap = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			focal_point *r = arena_calloc(a, ncap, sizeof(*r));
			if (!r) {
				rc = PONTE_ENOMEM;
				break;
			}
			if (cap)
				memcpy(r, rows, cap * sizeof(*r));
			rows = r;
			cap = ncap;
		}
		from_row(a, st, &rows[n++]);
	}
	store_reset(st);
	rc = rc < 0 ? rc : 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = load_holders(env, c, a, &rows[i]);
	store_commit(c);
	struct fp_row *order = NULL;
	if (!rc)
		rc = fp_sort(env, a, f->lang ? f->lang : "en", rows, n, &order);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fn(order[i].fp, ctx);
	return rc;
}

int64_t fp_stale_count(const keyed_store *env, const principal *p)
{
	int scope = p ? principal_scope(p, "directory.manage") : SCOPE_NONE;
	if (scope < SCOPE_COUNTRY)
		return 0;
	store_conn *c;
	store_stmt *st;
	if (store_conn_get(env->db, &c) ||
	    store_prepare(c, store_is_pg(env->db) ? SQL_STALE_PG : SQL_STALE, &st))
		return 0;
	store_bind_int64(st, 1, scope);
	store_bind_text(st, 2, p->country, strlen(p->country));
	int64_t n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return n;
}
