/* National referrals: every state x action x role, consent, the disclosure register and what
 * the recipient sees. */
#include "identity_fixture.h"

#include <sqlite3.h>
#include <time.h>

#include "base/clock.h"
#include "cases/cases.h"
#include "referral/referral.h"
#include "trm/trm.h"

static struct fixture F;
static principal cw, shelter, police, nfp;
static int64_t case_id, consent_id, shelter_service;

static void load_principal(const char *email, principal *p)
{
	int64_t id;
	assert_int_equal(user_find_by_email(&F.env, email, &id), 0);
	assert_int_equal(principal_load(F.db, id, p), 0);
}

static int setup(void **state)
{
	(void)state;
	fixture_open(&F);
	load_principal("case.worker@demo.ponte.example", &cw);
	load_principal("shelter@demo.ponte.example", &shelter);
	load_principal("police@demo.ponte.example", &police);
	load_principal("focal.point@demo.ponte.example", &nfp);
	case_input in = { .first_name = "Aissatou",
			  .second_name = "Referred",
			  .gender = "Feminine",
			  .mobile_phone = "+351 910 000 001",
			  .exploitation = "SexualExploitation" };
	field_errors ce;
	assert_int_equal(case_create(&F.env, &cw, &in, &case_id, &ce), 0);
	arena a;
	arena_init(&a, 1 << 16);
	organisation o;
	assert_int_equal(org_find(F.db, &a, "PT-SHELTER", &o), 0);
	consent_input c = { "referral", o.id,        "identity,victim", "consent",
			    "pt",       "PT-2026-1", "person",          "2026-01-02" };
	field_errors e;
	assert_int_equal(consent_add(&F.env, &cw, case_id, &c, &consent_id, &e), 0);
	shelter_service = 1; /* the demo's Casa Porto shelter */
	service s;
	assert_int_equal(service_get(&F.env, &a, shelter_service, &s), 0);
	assert_string_equal(s.organisation_code, "PT-SHELTER");
	arena_release(&a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_close(&F);
	return 0;
}

static int64_t new_referral(void)
{
	referral_input in = { .case_id = case_id,
			      .service_id = shelter_service,
			      .categories = "identity,victim",
			      .consent_id = consent_id };
	int64_t id;
	field_errors e;
	assert_int_equal(referral_create(&F.env, &cw, &in, &id, &e), 0);
	return id;
}

static const char *code_for(const char *action)
{
	return strcmp(action, "decline") == 0       ? "no_capacity"
	       : strcmp(action, "complete") == 0    ? "goals_met"
	       : strcmp(action, "discontinue") == 0 ? "safety"
						    : NULL;
}

static void act_ok(int64_t id, const principal *p, const char *action)
{
	field_errors e;
	int rc = referral_act(&F.env, p, id, action, code_for(action), NULL, &e);
	if (rc)
		fail_msg("%s: %d", action, rc);
}

/* A fresh referral in a state, reached by the right people. */
static int64_t in_state(const char *state)
{
	int64_t id = new_referral();
	static const struct {
		const char *state;
		const char *path[3];
	} PATHS[] = {
		{ "draft", { NULL } },
		{ "sent", { "send" } },
		{ "accepted", { "send", "accept" } },
		{ "declined", { "send", "decline" } },
		{ "in_service", { "send", "accept", "start" } },
		{ "completed", { "send", "accept", "start" } },
		{ "discontinued", { "send", "accept", "discontinue" } },
		{ "withdrawn", { "withdraw" } },
	};
	for (size_t i = 0; i < ARRAY_LEN(PATHS); i++) {
		if (strcmp(PATHS[i].state, state) != 0)
			continue;
		for (int k = 0; k < 3 && PATHS[i].path[k]; k++) {
			const char *a = PATHS[i].path[k];
			act_ok(id,
			       strcmp(a, "send") == 0 || strcmp(a, "withdraw") == 0 ? &cw
										    : &shelter,
			       a);
		}
		if (strcmp(state, "completed") == 0)
			act_ok(id, &shelter, "complete");
	}
	return id;
}

static const char *const STATES[] = { "draft",      "sent",      "accepted",     "declined",
				      "in_service", "completed", "discontinued", "withdrawn" };
static const char *const ACTIONS[] = { "send",     "accept",      "decline", "start",
				       "complete", "discontinue", "withdraw" };

/* The machine, written out by hand: the state an action leaves from. */
static bool allowed(const char *state, const char *action)
{
	static const char *const T[][2] = {
		{ "send", "draft" },
		{ "accept", "sent" },
		{ "decline", "sent" },
		{ "start", "accepted" },
		{ "complete", "in_service" },
		{ "discontinue", "accepted" },
		{ "discontinue", "in_service" },
		{ "withdraw", "draft" },
		{ "withdraw", "sent" },
		{ "withdraw", "accepted" },
		{ "withdraw", "in_service" },
	};
	for (size_t i = 0; i < ARRAY_LEN(T); i++)
		if (strcmp(T[i][0], action) == 0 && strcmp(T[i][1], state) == 0)
			return true;
	return false;
}

static void every_state_action_and_role(void **state)
{
	(void)state;
	struct {
		const char *name;
		const principal *p;
		bool sender, recipient;
	} roles[] = { { "case worker", &cw, true, false },
		      { "shelter", &shelter, false, true },
		      { "police", &police, false, false },
		      { "focal point", &nfp, true, false } };
	size_t checked = 0;
	for (size_t s = 0; s < ARRAY_LEN(STATES); s++)
		for (size_t a = 0; a < ARRAY_LEN(ACTIONS); a++)
			for (size_t r = 0; r < ARRAY_LEN(roles); r++) {
				int64_t id = in_state(STATES[s]);
				bool sender_action = strcmp(ACTIONS[a], "send") == 0 ||
						     strcmp(ACTIONS[a], "withdraw") == 0;
				bool sees = roles[r].sender ||
					    (roles[r].recipient && strcmp(STATES[s], "draft") != 0);
				int want = !sees                              ? PONTE_ENOTFOUND
					   : sender_action != roles[r].sender ? PONTE_EDENIED
					   : !allowed(STATES[s], ACTIONS[a])  ? PONTE_ECONFLICT
									      : 0;
				field_errors e;
				int got = referral_act(&F.env, roles[r].p, id, ACTIONS[a],
						       code_for(ACTIONS[a]), "a note", &e);
				if (got != want)
					fail_msg("%s %s by %s: %d, expected %d", STATES[s],
						 ACTIONS[a], roles[r].name, got, want);
				checked++;
			}
	assert_int_equal(checked, 8 * 7 * 4);
}

static void codes_are_required_and_checked(void **state)
{
	(void)state;
	int64_t id = in_state("sent");
	field_errors e;
	assert_int_equal(referral_act(&F.env, &shelter, id, "decline", NULL, NULL, &e),
			 PONTE_EINVAL);
	assert_int_equal(referral_act(&F.env, &shelter, id, "decline", "bored", NULL, &e),
			 PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "code");
	assert_int_equal(referral_act(&F.env, &shelter, id, "fly", NULL, NULL, &e),
			 PONTE_ENOTFOUND);
}

static void bad_referrals_are_explained(void **state)
{
	(void)state;
	field_errors e;
	int64_t id;
	/* To its own organisation. */
	referral_input self = { .case_id = case_id,
				.to_id = cw.organisation_id,
				.categories = "identity",
				.legal_basis = "vital_interest" };
	assert_int_equal(referral_create(&F.env, &cw, &self, &id, &e), PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "recipient");
	/* Without consent or legal basis; unknown category. */
	referral_input bare = { .case_id = case_id,
				.service_id = shelter_service,
				.categories = "identity,secrets" };
	assert_int_equal(referral_create(&F.env, &cw, &bare, &id, &e), PONTE_EINVAL);
	assert_int_equal(e.count, 2);
	/* Police may not refer social-service cases: the case does not exist for them. */
	referral_input ok = { .case_id = case_id,
			      .service_id = shelter_service,
			      .categories = "identity",
			      .consent_id = consent_id };
	assert_int_equal(referral_create(&F.env, &police, &ok, &id, &e), PONTE_ENOTFOUND);
	/* More categories than the consent covers: created, but not sent. */
	referral_input more = { .case_id = case_id,
				.service_id = shelter_service,
				.categories = "identity,contact",
				.consent_id = consent_id };
	assert_int_equal(referral_create(&F.env, &cw, &more, &id, &e), 0);
	assert_int_equal(referral_act(&F.env, &cw, id, "send", NULL, NULL, &e), PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "consent");
}

static int count_disclosure(const disclosure *d, void *ctx)
{
	size_t *n = ctx;
	if (strcmp(d->recipient_code, "PT-SHELTER") == 0 && strcmp(d->basis, "consent") == 0 &&
	    strcmp(d->categories, "identity,victim") == 0)
		(*n)++;
	return 0;
}

static void the_recipient_sees_what_was_carried_after_accepting(void **state)
{
	(void)state;
	int64_t id = in_state("sent");
	arena a;
	arena_init(&a, 1 << 20);
	referral_case_view v;
	assert_int_equal(referral_case(&F.env, &a, &shelter, id, &v), PONTE_EDENIED);
	act_ok(id, &shelter, "accept");
	assert_int_equal(referral_case(&F.env, &a, &shelter, id, &v), 0);
	assert_string_equal(v.c.first_name, "Aissatou");
	assert_string_equal(v.c.exploitation, "SexualExploitation");
	assert_null(v.c.mobile_phone); /* contact was not carried */
	assert_null(v.c.status);
	/* The police see nothing; the sender is not the recipient. */
	assert_int_equal(referral_case(&F.env, &a, &police, id, &v), PONTE_ENOTFOUND);
	assert_int_equal(referral_case(&F.env, &a, &cw, id, &v), PONTE_EDENIED);
	/* Every send is in the register, which the case worker reads. */
	size_t n = 0;
	assert_int_equal(disclosure_list(&F.env, &a, &cw, case_id, count_disclosure, &n), 0);
	assert_true(n > 10);
	assert_int_equal(disclosure_list(&F.env, &a, &police, case_id, count_disclosure, &n),
			 PONTE_ENOTFOUND);
	arena_release(&a);
}

static int count_state(const referral *r, void *ctx)
{
	size_t *n = ctx;
	(*n) += strcmp(r->state, "withdrawn") == 0;
	return 0;
}

static void withdrawing_consent_withdraws_open_referrals(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	organisation o;
	assert_int_equal(org_find(F.db, &a, "PT-SHELTER", &o), 0);
	consent_input c = { "referral", o.id,        "identity", "consent",
			    "fr",       "PT-2026-1", "guardian", "2026-02-01" };
	int64_t consent2;
	field_errors e;
	assert_int_equal(consent_add(&F.env, &cw, case_id, &c, &consent2, &e), 0);
	referral_input in = { .case_id = case_id,
			      .service_id = shelter_service,
			      .categories = "identity",
			      .consent_id = consent2 };
	int64_t sent, accepted, draft, done;
	assert_int_equal(referral_create(&F.env, &cw, &in, &sent, &e), 0);
	act_ok(sent, &cw, "send");
	assert_int_equal(referral_create(&F.env, &cw, &in, &accepted, &e), 0);
	act_ok(accepted, &cw, "send");
	act_ok(accepted, &shelter, "accept");
	assert_int_equal(referral_create(&F.env, &cw, &in, &draft, &e), 0);
	assert_int_equal(referral_create(&F.env, &cw, &in, &done, &e), 0);
	act_ok(done, &cw, "send");
	act_ok(done, &shelter, "decline");
	size_t withdrawn, abroad;
	assert_int_equal(trm_consent_withdraw(&F.env, &cw, consent2, 0, &withdrawn, &abroad), 0);
	assert_int_equal(withdrawn, 3); /* not the declined one */
	referral r;
	assert_int_equal(referral_get(&F.env, &a, &cw, accepted, &r), 0);
	assert_string_equal(r.state, "withdrawn");
	assert_string_equal(r.reason_code, "consent_withdrawn");
	assert_int_equal(referral_get(&F.env, &a, &cw, done, &r), 0);
	assert_string_equal(r.state, "declined");
	/* Accepting a withdrawn referral, withdrawing twice. */
	assert_int_equal(referral_act(&F.env, &shelter, sent, "accept", NULL, NULL, &e),
			 PONTE_ECONFLICT);
	assert_int_equal(trm_consent_withdraw(&F.env, &cw, consent2, 0, &withdrawn, &abroad),
			 PONTE_ECONFLICT);
	size_t n = 0;
	assert_int_equal(referral_list(&F.env, &a, &shelter, "in", 0, count_state, &n), 0);
	assert_true(n >= 3);
	arena_release(&a);
}

static int count(const referral *r, void *ctx)
{
	size_t *n = ctx;
	(*n) += r->overdue;
	return 0;
}

/* A referral not answered in the country's time is flagged to the focal point. */
static void late_answers_are_escalated(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO country_rules(country, rule, value) VALUES "
				      "('PT', 'referral_answer_hours', 0)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	int64_t id = in_state("sent");
	struct timespec ms = { 0, 5 * 1000 * 1000 };
	nanosleep(&ms, NULL);
	arena a;
	arena_init(&a, 1 << 20);
	referral r;
	assert_int_equal(referral_get(&F.env, &a, &cw, id, &r), 0);
	assert_true(r.overdue);
	size_t n = 0;
	assert_int_equal(referral_list(&F.env, &a, &nfp, "overdue", 0, count, &n), 0);
	assert_true(n >= 1);
	arena_release(&a);
}

/* Completing records the assistance. */
static void completing_records_the_assistance(void **state)
{
	(void)state;
	int64_t id = in_state("completed");
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT type FROM assistance WHERE referral_id = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "shelter");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- the reflection period, a legal clock from data ---- */

static void days_ago(int days, char *out, size_t n)
{
	char s[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms() - (int64_t)days * 24 * 3600 * 1000, s);
	snprintf(out, n, "%.10s", s);
}

static int count_clock(const case_clock *k, void *ctx)
{
	int64_t *want = ctx;
	if (k->case_id == want[0])
		want[1]++;
	return 0;
}

static void reflection_periods_follow_the_country_rule(void **state)
{
	(void)state;
	case_input in = { .first_name = "Reflection", .second_name = "Clock" };
	field_errors ce;
	int64_t id, did;
	assert_int_equal(case_create(&F.env, &cw, &in, &id, &ce), 0);
	char on[16], week[16];
	days_ago(55, on, sizeof(on));
	days_ago(-7, week, sizeof(week));
	status_decision_input presumed = { "presumed", on, "NGO", NULL };
	assert_int_equal(status_decision_add(&F.env, &cw, id, &presumed, &ce, &did), 0);
	arena a;
	arena_init(&a, 1 << 20);
	/* Portugal: 60 days, so 5 days left: within the week. */
	int64_t seen[2] = { id, 0 };
	assert_int_equal(case_reflection_ending(&F.env, &a, &cw, week, count_clock, seen), 0);
	assert_int_equal(seen[1], 1);
	/* A rule of 90 days puts it out of the week; the rule is data. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
			 "UPDATE country_rules SET value = 90 WHERE country = 'PT' AND "
			 "rule = 'reflection_days'",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	seen[1] = 0;
	assert_int_equal(case_reflection_ending(&F.env, &a, &cw, week, count_clock, seen), 0);
	assert_int_equal(seen[1], 0);
	assert_int_equal(
	    sqlite3_exec(db,
			 "UPDATE country_rules SET value = 60 WHERE country = 'PT' AND "
			 "rule = 'reflection_days'",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	/* Decided: no longer waiting. Others' cases are never listed. */
	days_ago(1, on, sizeof(on));
	status_decision_input confirmed = { "confirmed", on, "Police", NULL };
	assert_int_equal(status_decision_add(&F.env, &cw, id, &confirmed, &ce, &did), 0);
	seen[1] = 0;
	assert_int_equal(case_reflection_ending(&F.env, &a, &cw, week, count_clock, seen), 0);
	assert_int_equal(seen[1], 0);
	arena_release(&a);
}

/* ---- risk assessments: reviews fall due by the country's rule ---- */

static void safety_reviews_fall_due_by_the_rule(void **state)
{
	(void)state;
	case_input in = { .first_name = "Safety", .second_name = "Review" };
	field_errors ce;
	int64_t id, sid;
	assert_int_equal(case_create(&F.env, &cw, &in, &id, &ce), 0);
	char ten_days_ago[16], week[16], today[16];
	days_ago(10, ten_days_ago, sizeof(ten_days_ago));
	days_ago(-7, week, sizeof(week));
	days_ago(0, today, sizeof(today));
	/* High risk: reviewed after 7 days, so 3 days overdue. */
	safety_input high = { "high", "trafficker_contact,family_threat",
			      "Moved to the Porto shelter; phone changed; Secret-Plan-9917",
			      ten_days_ago };
	assert_int_equal(safety_add(&F.env, &cw, id, &high, &sid, &ce), 0);
	arena a;
	arena_init(&a, 1 << 20);
	int64_t seen[2] = { id, 0 };
	assert_int_equal(safety_reviews_due(&F.env, &a, &cw, week, count_clock, seen), 0);
	assert_int_equal(seen[1], 1);
	/* Reviewed today, low risk: 30 days ahead, not due this week. */
	safety_input low = { "low", "", NULL, today };
	assert_int_equal(safety_add(&F.env, &cw, id, &low, &sid, &ce), 0);
	seen[1] = 0;
	assert_int_equal(safety_reviews_due(&F.env, &a, &cw, week, count_clock, seen), 0);
	assert_int_equal(seen[1], 0);
	/* Bad input, field by field; the police cannot assess. */
	safety_input bad = { "extreme", "ghosts", NULL, "2999-01-01" };
	assert_int_equal(safety_add(&F.env, &cw, id, &bad, &sid, &ce), PONTE_EINVAL);
	assert_int_equal(ce.count, 3);
	assert_int_equal(safety_add(&F.env, &police, id, &low, &sid, &ce), PONTE_ENOTFOUND);
	arena_release(&a);
	const char *probe[] = { "Secret-Plan-9917" };
	store_checkpoint(F.db);
	assert_not_on_disk(F.db_path, probe, 1);
}

/* ---- return: no departure before an assessment that shows no threat ---- */

static void a_return_waits_for_an_assessment_without_threat(void **state)
{
	(void)state;
	case_input in = { .first_name = "Going", .second_name = "Home" };
	field_errors ce;
	int64_t id, rid, sid;
	assert_int_equal(case_create(&F.env, &cw, &in, &id, &ce), 0);
	char old[16], decided[16], today[16], soon[16];
	days_ago(20, old, sizeof(old));
	days_ago(5, decided, sizeof(decided));
	days_ago(0, today, sizeof(today));
	days_ago(-14, soon, sizeof(soon));
	/* An assessment before the decision does not count. */
	safety_input before = { "low", "", NULL, old };
	assert_int_equal(safety_add(&F.env, &cw, id, &before, &sid, &ce), 0);
	assert_int_equal(return_decide(&F.env, &cw, id, "SN", decided, false, &rid, &ce),
			 PONTE_EINVAL);
	assert_string_equal(ce.items[0].field, "information_given");
	assert_int_equal(return_decide(&F.env, &cw, id, "SN", decided, true, &rid, &ce), 0);
	assert_int_equal(return_schedule(&F.env, &cw, rid, soon, &ce), PONTE_EINVAL);
	assert_string_equal(ce.items[0].field, "assessment");
	/* Since the decision: high risk, then low with a threat: still refused. */
	safety_input high = { "high", "", NULL, today };
	assert_int_equal(safety_add(&F.env, &cw, id, &high, &sid, &ce), 0);
	assert_int_equal(return_schedule(&F.env, &cw, rid, soon, &ce), PONTE_EINVAL);
	safety_input threat = { "low", "family_threat", NULL, today };
	assert_int_equal(safety_add(&F.env, &cw, id, &threat, &sid, &ce), 0);
	assert_int_equal(return_schedule(&F.env, &cw, rid, soon, &ce), PONTE_EINVAL);
	/* No threat: scheduled, once. */
	safety_input clear = { "low", "", NULL, today };
	assert_int_equal(safety_add(&F.env, &cw, id, &clear, &sid, &ce), 0);
	assert_int_equal(return_schedule(&F.env, &cw, rid, old, &ce), PONTE_EINVAL); /* before */
	assert_int_equal(return_schedule(&F.env, &cw, rid, soon, &ce), 0);
	assert_int_equal(return_schedule(&F.env, &cw, rid, soon, &ce), PONTE_ECONFLICT);
	assert_int_equal(return_schedule(&F.env, &police, rid, soon, &ce), PONTE_ENOTFOUND);
}

/* ---- children: a disputed age is a child until assessed ---- */

static void a_disputed_age_is_a_child_until_assessed(void **state)
{
	(void)state;
	case_input in = { .first_name = "Moussa",
			  .second_name = "Disputed",
			  .estimated_age = "19" };
	field_errors ce;
	int64_t id, current;
	assert_int_equal(case_create(&F.env, &cw, &in, &id, &ce), 0);
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	child_record k;
	assert_int_equal(child_get(&F.env, &a, &cw, id, &c, &k), 0);
	assert_false(k.exists);
	assert_false(case_treated_as_child(&c, &k)); /* 19 */
	child_input disputed = { .age_disputed = true,
				 .guardian = "Ibrahima Guardian-5512",
				 .guardian_appointed_on = "2026-01-03",
				 .tracing = "requested" };
	assert_int_equal(child_save(&F.env, &cw, id, 0, &disputed, &ce, &current), 0);
	assert_int_equal(child_get(&F.env, &a, &cw, id, &c, &k), 0);
	assert_true(case_treated_as_child(&c, &k));
	assert_string_equal(k.guardian, "Ibrahima Guardian-5512");
	/* A stale version is refused; assessed as an adult, no longer a child. */
	child_input adult = disputed;
	adult.age_assessment = "adult";
	adult.age_assessed_on = "2026-01-10";
	assert_int_equal(child_save(&F.env, &cw, id, 0, &adult, &ce, &current), PONTE_ECONFLICT);
	assert_int_equal(current, 1);
	assert_int_equal(child_save(&F.env, &cw, id, 1, &adult, &ce, &current), 0);
	assert_int_equal(child_get(&F.env, &a, &cw, id, &c, &k), 0);
	assert_false(case_treated_as_child(&c, &k));
	/* Bad input: a determination before the assessment, an unknown placement, a guardian's
	 * date without a name. */
	child_input bad = { .bia_on = "2026-01-10",
			    .bid_on = "2026-01-05",
			    .placement = "hotel",
			    .guardian_appointed_on = "2026-01-03",
			    .tracing = "requested" };
	assert_int_equal(child_save(&F.env, &cw, id, 2, &bad, &ce, &current), PONTE_EINVAL);
	assert_int_equal(ce.count, 3);
	assert_int_equal(child_save(&F.env, &police, id, 2, &adult, &ce, &current),
			 PONTE_ENOTFOUND);
	arena_release(&a);
	const char *probe[] = { "Guardian-5512" };
	store_checkpoint(F.db);
	assert_not_on_disk(F.db_path, probe, 1);
}

/* ---- support plans: four eyes ---- */

static int count_pending(int64_t plan_id, int64_t of_case, const char *type, const char *created_at,
			 void *ctx)
{
	(void)of_case;
	(void)type;
	(void)created_at;
	int64_t *x = ctx;
	x[1] += plan_id == x[0];
	return 0;
}

static void a_plan_is_approved_by_someone_else(void **state)
{
	(void)state;
	principal sup;
	load_principal("supervisor@demo.ponte.example", &sup);
	field_errors ce;
	int64_t pid;
	assert_int_equal(plan_add(&F.env, &cw, case_id, "Livelihood",
				  "Vocational training in tailoring, Secret-Objective-3307",
				  "Enrol by March", &pid, &ce),
			 0);
	assert_int_equal(plan_add(&F.env, &cw, case_id, "Magic", "", NULL, &pid, &ce),
			 PONTE_EINVAL);
	assert_int_equal(ce.count, 2);
	assert_int_equal(plan_add(&F.env, &cw, case_id, "Health", "Dental care", NULL, &pid, &ce),
			 0);
	arena a;
	arena_init(&a, 1 << 20);
	int64_t seen[2] = { pid, 0 };
	assert_int_equal(plans_pending(&F.env, &a, &sup, count_pending, seen), 0);
	assert_int_equal(seen[1], 1);
	/* A case worker (own scope) cannot approve; the supervisor can, once. */
	assert_int_equal(plan_approve(&F.env, &cw, pid), PONTE_EDENIED);
	assert_int_equal(plan_approve(&F.env, &sup, pid), 0);
	assert_int_equal(plan_approve(&F.env, &sup, pid), PONTE_ECONFLICT);
	seen[1] = 0;
	assert_int_equal(plans_pending(&F.env, &a, &sup, count_pending, seen), 0);
	assert_int_equal(seen[1], 0);
	/* The supervisor's own plan waits for someone else. */
	int64_t own;
	assert_int_equal(
	    plan_add(&F.env, &sup, case_id, "Legal", "Residence permit", NULL, &own, &ce), 0);
	assert_int_equal(plan_approve(&F.env, &sup, own), PONTE_EDENIED);
	assert_int_equal(plan_approve(&F.env, &police, own), PONTE_ENOTFOUND);
	arena_release(&a);
	const char *probe[] = { "Secret-Objective-3307" };
	store_checkpoint(F.db);
	assert_not_on_disk(F.db_path, probe, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_action_and_role),
		cmocka_unit_test(codes_are_required_and_checked),
		cmocka_unit_test(bad_referrals_are_explained),
		cmocka_unit_test(the_recipient_sees_what_was_carried_after_accepting),
		cmocka_unit_test(withdrawing_consent_withdraws_open_referrals),
		cmocka_unit_test(completing_records_the_assistance),
		cmocka_unit_test(late_answers_are_escalated),
		cmocka_unit_test(reflection_periods_follow_the_country_rule),
		cmocka_unit_test(safety_reviews_fall_due_by_the_rule),
		cmocka_unit_test(a_return_waits_for_an_assessment_without_threat),
		cmocka_unit_test(a_disputed_age_is_a_child_until_assessed),
		cmocka_unit_test(a_plan_is_approved_by_someone_else),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
