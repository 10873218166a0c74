/* Consents and the disclosure register. */
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/internal.h"

static const char *const CATEGORIES[] = { "identity", "contact", "documents", "victim", "case" };
static const char *const PURPOSES[] = { "referral", "transnational_referral", "return",
					"statistics", "proceedings" };
static const char *const BASES[] = { "consent", "vital_interest", "legal_obligation",
				     "public_interest" };

static bool one_of(const char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* Each item of a comma-separated list, with a callback; false as soon as one fails. */
static bool each(const char *csv, bool (*ok)(const char *item, const void *ctx), const void *ctx)
{
	char item[32];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		if (!len || len >= sizeof(item))
			return false;
		memcpy(item, p, len);
		item[len] = '\0';
		if (!ok(item, ctx))
			return false;
		p += len + (p[len] == ',');
	}
	return true;
}

static bool is_category(const char *item, const void *ctx)
{
	(void)ctx;
	return one_of(CATEGORIES, ARRAY_LEN(CATEGORIES), item);
}

bool ref_categories_valid(const char *csv)
{
	return csv && *csv && each(csv, is_category, NULL);
}

static bool in_list(const char *item, const void *ctx)
{
	const char *have = ctx;
	size_t n = strlen(item);
	for (const char *p = have; (p = strstr(p, item)) != NULL; p += n)
		if ((p == have || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

bool ref_legal_basis_valid(const char *basis)
{
	return one_of(BASES, ARRAY_LEN(BASES), basis);
}

bool ref_categories_cover(const char *have, const char *need)
{
	return each(need, in_list, have);
}

/* YYYY-MM-DD, not after today. */
/* A real day (not 31 February), not after today in the installation's time zone. */
static bool past_date(const char *s)
{
	bool future = true;
	return s && case_date_valid(s, &future) && !future;
}

int consent_add(const keyed_store *env, const principal *p, int64_t case_id,
		const consent_input *in, int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	if (!one_of(PURPOSES, ARRAY_LEN(PURPOSES), in->purpose))
		field_errors_add(e, "purpose", N_("Choose a purpose from the list."));
	if (!ref_categories_valid(in->categories))
		field_errors_add(e, "categories",
				 N_("Choose the categories of data the consent covers."));
	if (!one_of(BASES, ARRAY_LEN(BASES), in->legal_basis))
		field_errors_add(e, "legal_basis", N_("Choose a legal basis from the list."));
	if (!in->language || strlen(in->language) < 2 || strlen(in->language) > 3 ||
	    !language_known(in->language))
		field_errors_add(e, "language",
				 N_("Give the language the person was informed in."));
	if (!in->text_version || !*in->text_version || strlen(in->text_version) > 40)
		field_errors_add(e, "text_version",
				 N_("Give the version of the consent text read."));
	if (!in->given_by ||
	    (strcmp(in->given_by, "person") != 0 && strcmp(in->given_by, "guardian") != 0))
		field_errors_add(e, "given_by",
				 N_("Say whether the person or a guardian consented."));
	if (!past_date(in->given_on))
		field_errors_add(e, "given_on",
				 N_("Give a real date, not in the future (YYYY-MM-DD)."));
	store_conn *c;
	case_scope o;
	int rc = store_conn_get(env->db, &c);
	if (!rc && (rc = case_scope_of(env->db, case_id, &o)) == 0 && !ref_may_write(p, &o))
		rc = PONTE_ENOTFOUND;
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_CONSENT_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		ref_now(now);
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, in->purpose, strlen(in->purpose));
		if (in->recipient_id)
			store_bind_int64(st, 3, in->recipient_id);
		const char *texts[] = { in->categories,   in->legal_basis, in->language,
					in->text_version, in->given_by,    in->given_on };
		for (int i = 0; i < 6; i++)
			store_bind_text(st, 4 + i, texts[i], strlen(texts[i]));
		store_bind_int64(st, 10, p->user_id);
		store_bind_text(st, 11, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc == STORE_DONE ? 0 : rc < 0 ? (in->recipient_id ? PONTE_EINVAL : rc) : 0;
		if (rc == PONTE_EINVAL)
			field_errors_add(e, "recipient", N_("No organisation has this code."));
		if (!rc)
			*id = store_last_insert_id(c);
	}
	principal_audit(env->db, p, "consent.create", "case", case_id,
			rc == PONTE_ENOTFOUND ? "denied"
			: rc                  ? "failure"
					      : "success",
			false);
	return rc;
}

static void consent_row(arena *a, store_stmt *st, consent *x)
{
	x->id = store_col_int64(st, 0);
	x->case_id = store_col_int64(st, 1);
	x->recipient_id = store_col_int64(st, 2);
	const char **texts[] = { &x->purpose,       &x->recipient_code, &x->categories,
				 &x->legal_basis,   &x->language,       &x->text_version,
				 &x->given_by,      &x->given_on,       &x->withdrawn_on,
				 &x->recipient_name };
	for (int i = 0; i < 10; i++)
		*texts[i] = ref_text(a, st, 3 + i);
}

/* The consent id, on the caller's connection: PONTE_ENOTFOUND when there is none. */
static int load(store_conn *c, arena *a, int64_t id, consent *x)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_CONSENT_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if (!(rc = store_step_one(st))) {
		consent_row(a, st, x);
		store_reset(st);
	}
	return rc;
}

/* 0 when p may read the case's consents and disclosures, else PONTE_ENOTFOUND (or an error):
 * outside the caller's scope a case does not exist. */
static int readable(const keyed_store *env, const principal *p, int64_t case_id)
{
	case_scope o;
	int rc = case_scope_of(env->db, case_id, &o);
	return rc ? rc : ref_may_read(p, &o) ? 0 : PONTE_ENOTFOUND;
}

/* Withdrawing: the consent ends today, and every open referral it covered is withdrawn, each
 * step in the referral's history, all inside the caller's transaction. */
int consent_withdraw_in(const keyed_store *env, store_conn *c, arena *a, const principal *p,
			int64_t id, consent *x, size_t *withdrawn)
{
	*withdrawn = 0;
	store_stmt *st;
	case_scope o;
	int rc = load(c, a, id, x);
	if (!rc && !(rc = case_scope_of(env->db, x->case_id, &o)) && !ref_may_write(p, &o))
		rc = PONTE_ENOTFOUND;
	if (!rc && *x->withdrawn_on)
		rc = PONTE_ECONFLICT;
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	ref_now(now);
	if (!(rc = store_prepare(c, SQL_CONSENT_WITHDRAW, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_text(st, 2, now, 10);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	int64_t ids[256];
	char states[256][16];
	size_t n = 0;
	if (!rc && !(rc = store_prepare(c, SQL_CONSENT_OPEN_REFERRALS, &st))) {
		store_bind_int64(st, 1, id);
		while ((rc = store_step(st)) == STORE_ROW && n < ARRAY_LEN(ids)) {
			ids[n] = store_col_int64(st, 0);
			snprintf(states[n++], sizeof(states[0]), "%s", store_col_text(st, 1, NULL));
		}
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		if (!(rc = store_prepare(c, SQL_REFERRAL_SET_STATE, &st))) {
			store_bind_int64(st, 1, ids[i]);
			store_bind_text(st, 2, states[i], strlen(states[i]));
			store_bind_text(st, 3, "withdrawn", 9);
			store_bind_text(st, 4, "consent_withdrawn", 17);
			store_bind_null(st, 5);
			store_bind_text(st, 6, now, strlen(now));
			rc = store_run(st);
		}
		if (!rc && !(rc = store_prepare(c, SQL_REFERRAL_EVENT, &st))) {
			store_bind_int64(st, 1, ids[i]);
			store_bind_text(st, 2, "withdraw", 8);
			store_bind_text(st, 3, states[i], strlen(states[i]));
			store_bind_text(st, 4, "withdrawn", 9);
			store_bind_text(st, 5, "consent_withdrawn", 17);
			store_bind_int64(st, 7, p->user_id);
			store_bind_text(st, 8, now, strlen(now));
			rc = store_run(st);
		}
	}
	if (!rc)
		rc = principal_audit(env->db, p, "consent.withdraw", "case", x->case_id, "success",
				     true);
	if (!rc)
		*withdrawn = n;
	return rc;
}

int consent_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		 consent_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = readable(env, p, case_id);
	if (!rc)
		rc = store_stmt_get(env->db, SQL_CONSENT_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		consent x;
		consent_row(a, st, &x);
		if ((rc = fn(&x, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int consent_get(const keyed_store *env, arena *a, const principal *p, int64_t id, consent *out)
{
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = load(c, a, id, out);
	return rc ? rc : readable(env, p, out->case_id);
}

/* The register of one person: what went to whom, when, on what basis. Reading it is audited
 * (it is what a subject-access request answers). */
int disclosure_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		    disclosure_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = readable(env, p, case_id);
	if (!rc)
		rc = store_stmt_get(env->db, SQL_DISCLOSURE_LIST, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		disclosure d = { .id = store_col_int64(st, 0),
				 .referral_id = store_col_int64(st, 1),
				 .consent_id = store_col_int64(st, 2),
				 .recipient_code = ref_text(a, st, 3),
				 .recipient_name = ref_text(a, st, 4),
				 .categories = ref_text(a, st, 5),
				 .basis = ref_text(a, st, 6),
				 .at = ref_text(a, st, 7) };
		if ((rc = fn(&d, ctx)))
			break;
	}
	store_reset(st);
	principal_audit_read(env->db, p, "disclosure.read", "case", case_id,
			     rc < 0 ? "failure" : "success");
	return rc < 0 ? rc : 0;
}

int consent_covering(store *db, arena *a, int64_t consent_id, int64_t case_id, const char *purpose,
		     int64_t recipient_id, const char **categories, const char **basis)
{
	PONTE_CHECK(db && a && purpose && categories && basis);
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_CONSENT_COVERING, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, consent_id);
	store_bind_int64(st, 2, case_id);
	store_bind_text(st, 3, purpose, strlen(purpose));
	store_bind_int64(st, 4, recipient_id);
	if ((rc = store_step_one(st)))
		return rc;
	*categories = ref_text(a, st, 0);
	*basis = ref_text(a, st, 1);
	store_reset(st);
	return 0;
}
