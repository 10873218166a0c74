/* Referrals between organisations: creation, the state machine, lists, history and what the
 * recipient may see of the case. */
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "referral/internal.h"

enum side { SENDER, RECIPIENT };

/* The state machine, as data: an action, the states it leaves, where it goes, who may. */
static const struct transition {
	const char *action;
	const char *from[4];
	const char *to;
	enum side side;
	bool needs_code;
} MACHINE[] = {
	{ "send", { "draft" }, "sent", SENDER, false },
	{ "accept", { "sent" }, "accepted", RECIPIENT, false },
	{ "decline", { "sent" }, "declined", RECIPIENT, true },
	{ "start", { "accepted" }, "in_service", RECIPIENT, false },
	{ "complete", { "in_service" }, "completed", RECIPIENT, true },
	{ "discontinue", { "accepted", "in_service" }, "discontinued", RECIPIENT, true },
	{ "withdraw", { "draft", "sent", "accepted", "in_service" }, "withdrawn", SENDER, false },
};

static const char *const ACTIONS[] = { "send",     "accept",      "decline", "start",
				       "complete", "discontinue", "withdraw" };
static const char *const DECLINE[] = { "no_capacity", "not_eligible", "service_unavailable",
				       "person_declined", "other" };
static const char *const OUTCOME[] = { "goals_met", "partly_met", "person_left", "other" };
static const char *const DISCONTINUE[] = { "person_left", "person_declined", "safety", "moved_away",
					   "other" };

const char *const *referral_actions(size_t *n)
{
	*n = ARRAY_LEN(ACTIONS);
	return ACTIONS;
}

const char *const *referral_codes(const char *action, size_t *n)
{
	if (action && strcmp(action, "decline") == 0) {
		*n = ARRAY_LEN(DECLINE);
		return DECLINE;
	}
	if (action && strcmp(action, "complete") == 0) {
		*n = ARRAY_LEN(OUTCOME);
		return OUTCOME;
	}
	if (action && strcmp(action, "discontinue") == 0) {
		*n = ARRAY_LEN(DISCONTINUE);
		return DISCONTINUE;
	}
	*n = 0;
	return NULL;
}

static const struct transition *transition_of(const char *action)
{
	for (size_t i = 0; action && i < ARRAY_LEN(MACHINE); i++)
		if (strcmp(MACHINE[i].action, action) == 0)
			return &MACHINE[i];
	return NULL;
}

static bool leaves(const struct transition *t, const char *state)
{
	for (size_t i = 0; i < 4 && t->from[i]; i++)
		if (strcmp(t->from[i], state) == 0)
			return true;
	return false;
}

static bool code_known(const char *action, const char *code)
{
	size_t n;
	const char *const *codes = referral_codes(action, &n);
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(codes[i], code) == 0)
			return true;
	return false;
}

/* ---- reading ---- */

struct row {
	referral r;
	char from_country[3], to_country[3];
};

static void from_row(arena *a, store_stmt *st, struct row *x)
{
	referral *r = &x->r;
	memset(x, 0, sizeof(*x));
	r->id = store_col_int64(st, 0);
	r->case_id = store_col_int64(st, 1);
	r->from_id = store_col_int64(st, 2);
	r->to_id = store_col_int64(st, 3);
	r->service_id = store_col_int64(st, 4);
	r->consent_id = store_col_int64(st, 5);
	r->version = store_col_int64(st, 6);
	const char **texts[] = { &r->from_code, &r->from_name,    &r->to_code,
				 &r->to_name,   &r->service_name, &r->service_type,
				 &r->state,     &r->categories,   &r->legal_basis,
				 &r->urgency,   &r->reason_code,  &r->outcome,
				 &r->due_at,    &r->created_at,   &r->updated_at };
	for (int i = 0; i < 15; i++)
		*texts[i] = ref_text(a, st, 7 + i);
	snprintf(x->from_country, sizeof(x->from_country), "%s", ref_text(a, st, 22));
	snprintf(x->to_country, sizeof(x->to_country), "%s", ref_text(a, st, 23));
	char now[CLOCK_RFC3339_LEN];
	ref_now(now);
	r->overdue = strcmp(r->state, "sent") == 0 && *r->due_at && strcmp(r->due_at, now) < 0;
}

/* The caller's side, and whether they may see the referral at all: the sender (who may read
 * the case), the recipient organisation's holders of referral.national, and the focal point
 * of either country (escalations). */
static bool sides(const principal *p, store *db, struct row *x)
{
	case_scope o;
	bool national = principal_can(p, "referral.national");
	/* Whoever may write the case acts for the sender: its worker, a supervisor, the focal
	 * point. One look at the case's owner. */
	x->r.sender = national && !case_scope_of(db, x->r.case_id, &o) && ref_may_write(p, &o);
	x->r.recipient = national && p->organisation_id == x->r.to_id;
	bool focal =
	    principal_scope(p, "referral.national") >= SCOPE_COUNTRY &&
	    (strcmp(p->country, x->from_country) == 0 || strcmp(p->country, x->to_country) == 0);
	return x->r.sender || (x->r.recipient && strcmp(x->r.state, "draft") != 0) || focal;
}

static int load(store_conn *c, arena *a, int64_t id, struct row *x)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_REFERRAL_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if ((rc = store_step_one(st)))
		return rc;
	from_row(a, st, x);
	store_reset(st);
	return 0;
}

int referral_get(const keyed_store *env, arena *a, const principal *p, int64_t id, referral *out)
{
	store_conn *c;
	struct row x;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = load(c, a, id, &x);
	if (!rc && !sides(p, env->db, &x))
		rc = PONTE_ENOTFOUND;
	if (!rc)
		*out = x.r;
	return rc;
}

int referral_list(const keyed_store *env, arena *a, const principal *p, const char *box,
		  int64_t case_id, referral_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	const char *sql = strcmp(box, "in") == 0        ? SQL_REFERRAL_LIST_IN
			  : strcmp(box, "out") == 0     ? SQL_REFERRAL_LIST_OUT
			  : strcmp(box, "overdue") == 0 ? SQL_REFERRAL_LIST_OVERDUE
							: SQL_REFERRAL_LIST_CASE;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	char now[CLOCK_RFC3339_LEN];
	ref_now(now);
	if (sql == SQL_REFERRAL_LIST_OVERDUE) {
		store_bind_text(st, 1, p->country, strlen(p->country));
		store_bind_text(st, 2, now, strlen(now));
	} else {
		store_bind_int64(st, 1,
				 sql == SQL_REFERRAL_LIST_CASE ? case_id : p->organisation_id);
	}
	/* Rows first, then the checks: sides() asks the database too. */
	size_t n = 0, cap = 64;
	struct row *rows = malloc(cap * sizeof(*rows));
	while (rows && (rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			struct row *more = realloc(rows, cap * 2 * sizeof(*rows));
			if (!more)
				break;
			rows = more;
			cap *= 2;
		}
		from_row(a, st, &rows[n++]);
	}
	store_reset(st);
	rc = !rows ? PONTE_ENOMEM : rc < 0 ? rc : 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (sides(p, env->db, &rows[i]))
			rc = fn(&rows[i].r, ctx);
	free(rows);
	return rc;
}

/* ---- creating ---- */

static const char *const BASES[] = { "vital_interest", "legal_obligation", "public_interest" };

int referral_create(const keyed_store *env, const principal *p, const referral_input *in,
		    int64_t *id, field_errors *e)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1u << 16);
	store_conn *c;
	case_scope o;
	int rc = store_conn_get(env->db, &c);
	if (!rc && !(rc = case_scope_of(env->db, in->case_id, &o)) &&
	    (!ref_may_write(p, &o) || !principal_can(p, "referral.national")))
		rc = PONTE_ENOTFOUND;
	int64_t to = in->to_id;
	service s;
	if (!rc && in->service_id) {
		if (service_get(env, &a, in->service_id, &s))
			field_errors_add(e, "service", N_("Choose a service from the directory."));
		else
			to = s.organisation_id;
	}
	organisation org;
	if (!rc && (!to || org_get(env->db, &a, to, &org)))
		field_errors_add(e, "recipient", N_("Choose the organisation to refer to."));
	else if (!rc && to == o.organisation_id)
		field_errors_add(e, "recipient",
				 N_("A case cannot be referred to its own organisation."));
	if (!rc && !ref_categories_valid(in->categories))
		field_errors_add(e, "categories",
				 N_("Choose the categories of data the referral carries."));
	bool basis_ok = false;
	for (size_t i = 0; in->legal_basis && i < ARRAY_LEN(BASES); i++)
		basis_ok |= strcmp(BASES[i], in->legal_basis) == 0;
	if (!rc && !in->consent_id && !basis_ok)
		field_errors_add(e, "consent",
				 N_("Choose the consent that covers this referral, or record "
				    "its legal basis."));
	const char *urgency = in->urgency && *in->urgency ? in->urgency : "normal";
	if (strcmp(urgency, "normal") != 0 && strcmp(urgency, "urgent") != 0)
		field_errors_add(e, "urgency", N_("Choose normal or urgent."));
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_REFERRAL_INSERT, &st))) {
		char now[CLOCK_RFC3339_LEN];
		ref_now(now);
		store_bind_int64(st, 1, in->case_id);
		store_bind_int64(st, 2, o.organisation_id);
		store_bind_int64(st, 3, to);
		if (in->service_id)
			store_bind_int64(st, 4, in->service_id);
		store_bind_text(st, 5, in->categories, strlen(in->categories));
		if (in->consent_id)
			store_bind_int64(st, 6, in->consent_id);
		const char *basis = in->consent_id || !basis_ok ? "" : in->legal_basis;
		store_bind_text(st, 7, basis, strlen(basis));
		store_bind_text(st, 8, urgency, strlen(urgency));
		store_bind_int64(st, 9, p->user_id);
		store_bind_text(st, 10, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		if (rc < 0 && in->consent_id) {
			field_errors_add(e, "consent",
					 N_("Choose the consent that covers this referral, or "
					    "record its legal basis."));
			rc = PONTE_EINVAL;
		}
		rc = rc < 0 ? rc : 0;
		if (!rc)
			*id = store_last_insert_id(c);
	}
	principal_audit(env->db, p, "referral.create", "case", in->case_id,
			rc == PONTE_ENOTFOUND ? "denied"
			: rc                  ? "failure"
					      : "success",
			false);
	arena_release(&a);
	return rc;
}

/* ---- acting ---- */

/* Sending: the consent must cover it now; the register records the disclosure. */
static int check_consent(store *db, arena *a, const referral *r, field_errors *e)
{
	if (!r->consent_id)
		return 0; /* a recorded legal basis */
	const char *categories, *basis;
	int rc = consent_covering(db, a, r->consent_id, r->case_id, "referral", r->to_id,
				  &categories, &basis);
	if (rc && rc != PONTE_ENOTFOUND)
		return rc;
	if (rc || !ref_categories_cover(categories, r->categories)) {
		field_errors_add(e, "consent",
				 N_("The consent does not cover this referral (withdrawn, "
				    "another recipient or fewer categories)."));
		return PONTE_EINVAL;
	}
	return 0;
}

static int disclose(store_conn *c, const principal *p, const referral *r, const char *now)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_DISCLOSURE_INSERT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, r->case_id);
	store_bind_int64(st, 2, r->to_id);
	store_bind_text(st, 3, r->categories, strlen(r->categories));
	const char *basis = r->consent_id ? "consent" : r->legal_basis;
	store_bind_text(st, 4, basis, strlen(basis));
	if (r->consent_id)
		store_bind_int64(st, 5, r->consent_id);
	store_bind_int64(st, 6, r->id);
	store_bind_int64(st, 7, p->user_id);
	store_bind_text(st, 8, now, strlen(now));
	return store_run(st);
}

/* When the answer is due: now plus the country's time for this urgency. */
static void due_at(store *db, const char *country, const referral *r, char out[CLOCK_RFC3339_LEN])
{
	const char *rule = strcmp(r->urgency, "urgent") == 0 ? "urgent_referral_answer_hours"
							     : "referral_answer_hours";
	int64_t hours = country_rule_value(db, country, rule, 72);
	clock_format_rfc3339(clock_wall_ms() + hours * 3600 * 1000, out);
}

/* The service given, in the case's assistance log (cases/ keeps it), since it started. */
static int record_assistance(store *db, const referral *r, const char *now)
{
	const char *type = *r->service_type ? r->service_type : "other";
	return assistance_record(db, r->case_id, type, r->to_id, r->id, r->updated_at, now, now);
}

/* The step in the history; words are encrypted under the event's own number (as key
 * rotation re-encrypts them), so the row comes first. */
static int event(const keyed_store *env, store_conn *c, const principal *p, const referral *r,
		 const struct transition *t, const char *code, const char *note, const char *now)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_REFERRAL_EVENT, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, r->id);
	store_bind_text(st, 2, t->action, strlen(t->action));
	store_bind_text(st, 3, r->state, strlen(r->state));
	store_bind_text(st, 4, t->to, strlen(t->to));
	store_bind_text(st, 5, code ? code : "", code ? strlen(code) : 0);
	store_bind_int64(st, 7, p->user_id);
	store_bind_text(st, 8, now, strlen(now));
	rc = store_step(st);
	store_reset(st);
	if (rc < 0 || !note || !*note)
		return rc < 0 ? rc : 0;
	return field_encrypt_row(env, c, SQL_REFERRAL_EVENT_NOTE, "referral_events", "note",
				 store_last_insert_id(c), note, 1u << 16);
}

int referral_act(const keyed_store *env, const principal *p, int64_t id, const char *action,
		 const char *code, const char *note, field_errors *e)
{
	PONTE_CHECK(env && env->db && p && action && e);
	field_errors_clear(e);
	const struct transition *t = transition_of(action);
	if (!t)
		return PONTE_ENOTFOUND;
	arena a;
	arena_init(&a, 1u << 16);
	store_conn *c;
	struct row x;
	int rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	if (!(rc = load(c, &a, id, &x)) && !sides(p, env->db, &x))
		rc = PONTE_ENOTFOUND;
	referral *r = &x.r;
	if (!rc && !(t->side == SENDER ? r->sender : r->recipient))
		rc = PONTE_EDENIED;
	if (!rc && !leaves(t, r->state))
		rc = PONTE_ECONFLICT;
	if (!rc && t->needs_code && !code_known(action, code)) {
		field_errors_add(e, "code", N_("Choose a reason or an outcome from the list."));
		rc = PONTE_EINVAL;
	}
	if (!rc && note && strlen(note) > 4000) {
		field_errors_add(e, "note", N_("At most 4,000 characters."));
		rc = PONTE_EINVAL;
	}
	char now[CLOCK_RFC3339_LEN], due[CLOCK_RFC3339_LEN] = "";
	ref_now(now);
	bool send = strcmp(t->action, "send") == 0;
	if (!rc && send && !(rc = check_consent(env->db, &a, r, e)))
		rc = disclose(c, p, r, now);
	if (!rc && send)
		due_at(env->db, x.from_country, r, due);
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_REFERRAL_SET_STATE, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_text(st, 2, r->state, strlen(r->state));
		store_bind_text(st, 3, t->to, strlen(t->to));
		store_bind_text(st, 4, code ? code : "", code ? strlen(code) : 0);
		ref_bind_opt(st, 5, due);
		store_bind_text(st, 6, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	if (!rc)
		rc = event(env, c, p, r, t, code, note, now);
	if (!rc && strcmp(t->to, "completed") == 0)
		rc = record_assistance(env->db, r, now);
	if (!rc) {
		char what[48];
		snprintf(what, sizeof(what), "referral.%s", t->action);
		rc = principal_audit(env->db, p, what, "referral", id, "success", true);
	}
	rc = store_finish(c, rc);
	if (rc == PONTE_EDENIED || rc == PONTE_ECONFLICT) {
		char what[48];
		snprintf(what, sizeof(what), "referral.%s", t->action);
		principal_audit(env->db, p, what, "referral", id, "denied", false);
	}
	arena_release(&a);
	return rc;
}

/* ---- history ---- */

int referral_history(const keyed_store *env, arena *a, const principal *p, int64_t id,
		     referral_event_fn fn, void *ctx)
{
	referral r;
	int rc = referral_get(env, a, p, id, &r);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_REFERRAL_EVENTS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t n;
		const void *blob = store_col_blob(st, 5, &n);
		referral_event ev = {
			.action = ref_text(a, st, 1),
			.from_state = ref_text(a, st, 2),
			.to_state = ref_text(a, st, 3),
			.code = ref_text(a, st, 4),
			.note = n ? field_decrypt(env, a, "referral_events", "note",
						  store_col_int64(st, 0), blob, n)
				  : "",
			.user_name = "",
			.at = ref_text(a, st, 6),
		};
		if ((rc = fn(&ev, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* ---- what the recipient sees ---- */

int referral_case(const keyed_store *env, arena *a, const principal *p, int64_t id,
		  referral_case_view *out)
{
	referral r;
	int rc = referral_get(env, a, p, id, &r);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->c.estimated_age = -1;
	bool open = strcmp(r.state, "accepted") == 0 || strcmp(r.state, "in_service") == 0 ||
		    strcmp(r.state, "completed") == 0;
	if (!r.recipient || !open)
		return PONTE_EDENIED;
	out->parts = case_parts_of(r.categories);
	rc = case_disclose(env, a, r.case_id, out->parts, &out->c);
	principal_audit_read(env->db, p, "referral.case_read", "referral", id,
			     rc ? "failure" : "success");
	return rc;
}
