/* Children's procedures: disputed age, guardian, best interests, placement, family tracing. */
#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

static const char *const PLACEMENTS[] = { "",        "family",         "foster_family",
					  "shelter", "childrens_home", "independent_living" };
static const char *const TRACING[] = { "not_started", "requested", "found", "not_found",
				       "not_in_best_interests" };
static const char *const FAMILY[] = { "", "safe", "not_safe", "pending" };
static const char *const ASSESSMENT[] = { "", "child", "adult" };

const char *const *child_codes(const char *field, size_t *n)
{
	if (strcmp(field, "placement") == 0) {
		*n = ARRAY_LEN(PLACEMENTS);
		return PLACEMENTS;
	}
	if (strcmp(field, "tracing") == 0) {
		*n = ARRAY_LEN(TRACING);
		return TRACING;
	}
	if (strcmp(field, "family_assessment") == 0) {
		*n = ARRAY_LEN(FAMILY);
		return FAMILY;
	}
	*n = ARRAY_LEN(ASSESSMENT);
	return ASSESSMENT;
}

/* clang-format off */
static const char SQL_GET[] =
    "SELECT id, version, age_disputed, coalesce(age_assessed_on, ''), age_assessment, guardian_enc, "
    "coalesce(guardian_appointed_on, ''), coalesce(bia_on, ''), coalesce(bid_on, ''), placement, "
    "coalesce(placement_since, ''), tracing, tracing_notes_enc, family_assessment "
    "FROM child_protection WHERE case_id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO child_protection(case_id, age_disputed, age_assessed_on, age_assessment, "
    "guardian_appointed_on, bia_on, bid_on, placement, placement_since, tracing, "
    "family_assessment, updated_by, updated_at) VALUES (?1, ?2, nullif(?3, ''), ?4, "
    "nullif(?5, ''), nullif(?6, ''), nullif(?7, ''), ?8, nullif(?9, ''), ?10, ?11, ?12, ?13)";
static const char SQL_UPDATE[] =
    "UPDATE child_protection SET age_disputed = ?2, age_assessed_on = nullif(?3, ''), "
    "age_assessment = ?4, guardian_appointed_on = nullif(?5, ''), bia_on = nullif(?6, ''), "
    "bid_on = nullif(?7, ''), placement = ?8, placement_since = nullif(?9, ''), tracing = ?10, "
    "family_assessment = ?11, updated_by = ?12, updated_at = ?13, version = version + 1 "
    "WHERE case_id = ?1 AND version = ?14";
static const char SQL_SECRETS[] =
    "UPDATE child_protection SET guardian_enc = ?2, tracing_notes_enc = ?3 WHERE id = ?1";
static const char SQL_ID[] = "SELECT id FROM child_protection WHERE case_id = ?1";
/* clang-format on */

static bool one_of(const char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

static const char *dec(const keyed_store *env, arena *a, store_stmt *st, int col, const char *name,
		       int64_t id)
{
	return case_secret_col(env, a, st, col, "child_protection", name, id);
}

static int child_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	child_record *k = ctx;
	int64_t id = store_col_int64(st, 0);
	k->exists = true;
	k->version = store_col_int64(st, 1);
	k->age_disputed = store_col_int64(st, 2) != 0;
	k->age_assessed_on = store_col_dup(a, st, 3);
	k->age_assessment = store_col_dup(a, st, 4);
	k->guardian = dec(env, a, st, 5, "guardian", id);
	k->guardian_appointed_on = store_col_dup(a, st, 6);
	k->bia_on = store_col_dup(a, st, 7);
	k->bid_on = store_col_dup(a, st, 8);
	k->placement = store_col_dup(a, st, 9);
	k->placement_since = store_col_dup(a, st, 10);
	k->tracing = store_col_dup(a, st, 11);
	k->tracing_notes = dec(env, a, st, 12, "tracing_notes", id);
	k->family_assessment = store_col_dup(a, st, 13);
	return 0;
}

/* The row, without a scope check (callers check the case). */
static int load(const keyed_store *env, arena *a, int64_t case_id, child_record *k)
{
	memset(k, 0, sizeof(*k));
	k->tracing = "not_started";
	k->age_assessment = k->placement = k->family_assessment = "";
	k->age_assessed_on = k->guardian = k->guardian_appointed_on = k->bia_on = k->bid_on =
	    k->placement_since = k->tracing_notes = "";
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	return rc ? rc : case_row_read(env, a, c, SQL_GET, &CV_INT(case_id), 1, child_row, k, NULL);
}

int child_get(const keyed_store *env, arena *a, const principal *p, int64_t case_id, case_record *c,
	      child_record *k)
{
	int rc = case_get(env, a, p, case_id, c);
	return rc ? rc : load(env, a, case_id, k);
}

/* The age of the person at registration, or -1. */
static int age_of(const case_record *c)
{
	if (c->birthdate && strlen(c->birthdate) == 10 && c->created_at) {
		int by = (int)strtol(c->birthdate, NULL, 10),
		    ry = (int)strtol(c->created_at, NULL, 10);
		return ry - by - (strncmp(c->created_at + 5, c->birthdate + 5, 5) < 0);
	}
	return c->estimated_age;
}

bool case_treated_as_child(const case_record *c, const child_record *k)
{
	if (k && strcmp(k->age_assessment, "adult") == 0)
		return false;
	if (k && (strcmp(k->age_assessment, "child") == 0 || k->age_disputed))
		return true; /* disputed: a child until assessed */
	int age = age_of(c);
	return age >= 0 && age < 18;
}

static void check_date(const char *s, const char *field, field_errors *e)
{
	bool future = false;
	if (s && *s && (!case_date_valid(s, &future) || future))
		field_errors_add(e, field, N_("Give a real date, not in the future (YYYY-MM-DD)."));
}

static void check(const child_input *in, field_errors *e)
{
	const char *dates[][2] = { { in->age_assessed_on, "age_assessed_on" },
				   { in->guardian_appointed_on, "guardian_appointed_on" },
				   { in->bia_on, "bia_on" },
				   { in->bid_on, "bid_on" },
				   { in->placement_since, "placement_since" } };
	for (size_t i = 0; i < ARRAY_LEN(dates); i++)
		check_date(dates[i][0], dates[i][1], e);
	size_t n;
	const char *const *codes;
	const char *fields[][2] = { { "age_assessment", in->age_assessment },
				    { "placement", in->placement },
				    { "tracing", in->tracing },
				    { "family_assessment", in->family_assessment } };
	for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
		codes = child_codes(fields[i][0], &n);
		if (!one_of(codes, n, fields[i][1] ? fields[i][1] : ""))
			field_errors_add(e, fields[i][0], N_("Choose a value from the list."));
	}
	bool has = in->age_assessment && *in->age_assessment;
	if (has && !(in->age_assessed_on && *in->age_assessed_on))
		field_errors_add(e, "age_assessed_on", N_("Give the date of the age assessment."));
	if (in->guardian_appointed_on && *in->guardian_appointed_on &&
	    !(in->guardian && *in->guardian))
		field_errors_add(e, "guardian", N_("Name the guardian appointed."));
	if (in->bid_on && *in->bid_on &&
	    (!in->bia_on || !*in->bia_on || strcmp(in->bid_on, in->bia_on) < 0))
		field_errors_add(e, "bid_on",
				 N_("The best interests are determined after they are assessed."));
	if (((in->guardian && strlen(in->guardian) > 200) ||
	     (in->tracing_notes && strlen(in->tracing_notes) > 4000)))
		field_errors_add(e, "tracing_notes", N_("At most 4,000 characters."));
}

static int encrypt(const keyed_store *env, int64_t id, const char *name, const char *plain,
		   buf *out)
{
	return plain && *plain ? field_encrypt(env, "child_protection", name, id, plain, out) : 0;
}

static int row_id(store_conn *c, int64_t case_id, int64_t *id)
{
	int rc = case_row_int(c, SQL_ID, case_id, id);
	return rc == PONTE_ENOTFOUND ? PONTE_ESTORE : rc;
}

int child_save(const keyed_store *env, const principal *p, int64_t case_id, int64_t version,
	       const child_input *in, field_errors *e, int64_t *current)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1u << 20);
	case_record c;
	child_record k;
	int rc = child_get(env, &a, p, case_id, &c, &k);
	if (!rc &&
	    !principal_can_see(p, "case.social.write", c.owner_id, c.organisation_id, c.country))
		rc = PONTE_ENOTFOUND;
	if (!rc)
		check(in, e);
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	if (!rc && k.version != version) {
		*current = k.version;
		rc = PONTE_ECONFLICT;
	}
	arena_release(&a);
	store_conn *conn;
	store_stmt *st;
	char now[CLOCK_RFC3339_LEN];
	if ((rc = case_write_begin(env, rc, e, &conn, now)))
		return rc;
	const char *t[] = { in->age_assessed_on,
			    in->age_assessment,
			    in->guardian_appointed_on,
			    in->bia_on,
			    in->bid_on,
			    in->placement,
			    in->placement_since,
			    in->tracing ? in->tracing : "not_started",
			    in->family_assessment };
	case_value v[14] = { CV_INT(case_id), CV_INT(in->age_disputed) };
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		v[2 + i] = CV_TEXT(t[i] ? t[i] : "");
	v[11] = CV_INT(p->user_id);
	v[12] = CV_TEXT(now);
	v[13] = CV_INT(version);
	rc = case_row_change(conn, k.exists ? SQL_UPDATE : SQL_INSERT, v, k.exists ? 14 : 13);
	buf g, tn;
	buf_init(&g, 1u << 12);
	buf_init(&tn, 1u << 14);
	int64_t row = 0;
	if (!rc && !(rc = row_id(conn, case_id, &row)) &&
	    !(rc = encrypt(env, row, "guardian", in->guardian, &g)) &&
	    !(rc = encrypt(env, row, "tracing_notes", in->tracing_notes, &tn)) &&
	    !(rc = store_prepare(conn, SQL_SECRETS, &st))) {
		store_bind_int64(st, 1, row);
		if (g.len)
			store_bind_blob(st, 2, g.data, g.len);
		if (tn.len)
			store_bind_blob(st, 3, tn.data, tn.len);
		rc = store_run(st);
	}
	buf_release(&g);
	buf_release(&tn);
	return case_write_end(env, p, conn, rc, "case.child", case_id);
}
