#include "identity_fixture.h"

#include <sqlite3.h> /* to change the configuration table, as an administrator would */

#include "cases/cases.h"

static principal as(struct fixture *f, const char *email)
{
	int64_t id;
	assert_int_equal(user_find_by_email(&f->env, email, &id), 0);
	principal p;
	assert_int_equal(principal_load(f->db, id, &p), 0);
	return p;
}

static int64_t new_case(struct fixture *f, const principal *p, const char *first,
			const char *second)
{
	case_input in = { .first_name = first,
			  .second_name = second,
			  .gender = "Feminine",
			  .birthdate = "2008-05-01",
			  .citizenship = "NE,ML",
			  .exploitation = "ForcedBegging" };
	field_errors e;
	int64_t id = 0;
	int rc = case_create(&f->env, p, &in, &id, &e);
	if (rc)
		fail_msg("case_create: %s (%zu errors)", ponte_strerror(rc), e.count);
	return id;
}

static void bad_input_is_explained_field_by_field(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	struct {
		case_input in;
		const char *field;
	} cases[] = {
		{ { .first_name = "A", .birthdate = "2099-01-01" }, "person.prs_Birthdate" },
		{ { .first_name = "A", .birthdate = "2023-02-29" }, "person.prs_Birthdate" },
		{ { .first_name = "A", .birthdate = "14/03/2007" }, "person.prs_Birthdate" },
		{ { .first_name = "A", .gender = "Robot" }, "person.prs_Gender" },
		{ { .first_name = "A", .citizenship = "NE,XX" }, "person.prs_Citizenship" },
		{ { .first_name = "A", .citizenship = "NER" }, "person.prs_Citizenship" },
		{ { .first_name = "A", .exploitation = "ForcedLabour,Tourism" },
		  "victim.vic_TypeOfExploitation" },
		{ { .first_name = "A", .trafficking_status = "Maybe" },
		  "victim.vic_TraffickingStatus" },
		{ { .first_name = "A", .phase = "later" }, "phase" },
		{ { .first_name = "A", .status = "Open" }, "cas_Status" },
		{ { .first_name = "A", .estimated_age = "200" }, "person.estimated_age" },
		{ { .first_name = "A", .primary_language = "French" },
		  "person.prs_PrimaryLanguage" },
		{ { .first_name = "A\nB" }, "person.prs_FirstName" },
		{ { .first_name = "", .second_name = "" }, "person.prs_FirstName" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		field_errors e;
		int64_t id;
		assert_int_equal(case_create(&f.env, &cw, &cases[i].in, &id, &e), PONTE_EINVAL);
		bool found = false;
		for (size_t k = 0; k < e.count; k++)
			found = found || strcmp(e.items[k].field, cases[i].field) == 0;
		if (!found)
			fail_msg("case %zu: no error on %s", i, cases[i].field);
	}
	fixture_close(&f);
}

static void scopes_decide_who_sees_a_case(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	principal sup = as(&f, "supervisor@demo.ponte.example");
	principal fp = as(&f, "focal.point@demo.ponte.example");
	principal pol = as(&f, "police@demo.ponte.example");
	principal prov = as(&f, "provider@demo.ponte.example");
	int64_t id = new_case(&f, &cw, "Aïcha", "Diallo");
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0); /* own */
	assert_string_equal(c.first_name, "Aïcha");
	assert_string_equal(c.citizenship, "NE,ML");
	assert_int_equal(case_get(&f.env, &a, &sup, id, &c), 0);                /* organisation */
	assert_int_equal(case_get(&f.env, &a, &fp, id, &c), 0);                 /* country */
	assert_int_equal(case_get(&f.env, &a, &pol, id, &c), PONTE_ENOTFOUND);  /* other tier */
	assert_int_equal(case_get(&f.env, &a, &prov, id, &c), PONTE_ENOTFOUND); /* no grant */
	/* A colleague's case is the supervisor's, not another case worker's. */
	int64_t other = new_case(&f, &sup, "Moussa", "Keita");
	assert_int_equal(case_get(&f.env, &a, &cw, other, &c), PONTE_ENOTFOUND);
	arena_release(&a);
	fixture_close(&f);
}

struct count {
	int n;
	const char *last;
};

static int count_case(const case_record *c, void *ctx)
{
	struct count *k = ctx;
	k->n++;
	k->last = c->second_name;
	return 0;
}

static void list_filters_search_and_pages(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal sup = as(&f, "supervisor@demo.ponte.example");
	arena a;
	arena_init(&a, 4 << 20);
	struct count k = { 0 };
	int64_t total, before;
	case_filter all = { .limit = 5 };
	assert_int_equal(case_list(&f.env, &a, &sup, &all, count_case, &k, &before), 0);
	for (int i = 0; i < 12; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Person%02d", i);
		new_case(&f, &sup, "Test", name);
	}
	int64_t aicha = new_case(&f, &sup, "Aïcha", "Diallo");
	k = (struct count){ 0 };
	assert_int_equal(case_list(&f.env, &a, &sup, &all, count_case, &k, &total), 0);
	assert_int_equal(total, before + 13);
	assert_int_equal(k.n, 5);
	k = (struct count){ 0 };
	case_filter last = { .limit = 5, .offset = (int)total - 3 };
	assert_int_equal(case_list(&f.env, &a, &sup, &last, count_case, &k, &total), 0);
	assert_int_equal(k.n, 3);
	k = (struct count){ 0 };
	/* A case number is one case; a name is never a filter of the list. */
	case_filter search = { .number = aicha };
	assert_int_equal(case_list(&f.env, &a, &sup, &search, count_case, &k, &total), 0);
	assert_int_equal(total, 1);
	assert_string_equal(k.last, "Diallo");
	k = (struct count){ 0 };
	case_filter closed = { .status = "Closed", .phase = "proceedings" };
	assert_int_equal(case_list(&f.env, &a, &sup, &closed, count_case, &k, &total), 0);
	assert_int_equal(total, 0);
	/* Nothing outside the scope, even with a matching search. */
	principal cw = as(&f, "case.worker@demo.ponte.example");
	assert_int_equal(case_list(&f.env, &a, &cw, &search, count_case, &k, &total), 0);
	assert_int_equal(total, 0);
	arena_release(&a);
	fixture_close(&f);
}

static void stale_updates_are_refused(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	principal sup = as(&f, "supervisor@demo.ponte.example");
	int64_t id = new_case(&f, &cw, "Aïcha", "Diallo");
	field_errors e;
	int64_t current = 0;
	case_input phase = { .phase = "protection" };
	assert_int_equal(case_update(&f.env, &sup, id, 1, &phase, &e, &current), 0);
	/* The case worker saves a change based on version 1: refused, nothing changes. */
	case_input close = { .status = "FollowUp", .second_name = "Overwritten" };
	assert_int_equal(case_update(&f.env, &cw, id, 1, &close, &e, &current), PONTE_ECONFLICT);
	assert_int_equal(current, 2);
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_int_equal(c.version, 2);
	assert_string_equal(c.status, "Active");
	assert_string_equal(c.phase, "protection");
	assert_string_equal(c.second_name, "Diallo");
	/* Based on the current version, it goes through; unchanged fields stay. */
	assert_int_equal(case_update(&f.env, &cw, id, 2, &close, &e, &current), 0);
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_int_equal(c.version, 3);
	assert_string_equal(c.status, "FollowUp");
	assert_string_equal(c.second_name, "Overwritten");
	assert_string_equal(c.first_name, "Aïcha");
	assert_string_equal(c.birthdate, "2008-05-01");
	/* Someone outside the scope cannot write, and learns nothing. */
	principal pol = as(&f, "police@demo.ponte.example");
	assert_int_equal(case_update(&f.env, &pol, id, 3, &close, &e, &current), PONTE_ENOTFOUND);
	case_input bad = { .birthdate = "2099-12-31" };
	assert_int_equal(case_update(&f.env, &cw, id, 3, &bad, &e, &current), PONTE_EINVAL);
	arena_release(&a);
	fixture_close(&f);
}

static void case_fields_are_encrypted_and_rotated(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	case_input in = { .first_name = "Quintessa",
			  .second_name = "Zebulonmarker",
			  .identity_number = "P-778899-PROBE",
			  .mobile_phone = "+227 90 11 22 33" };
	field_errors e;
	int64_t id;
	assert_int_equal(case_create(&f.env, &cw, &in, &id, &e), 0);
	char err[256];
	assert_int_equal(keys_rotate(f.db, f.keys, 10, NULL, NULL, err, sizeof(err)), 0);
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.identity_number, "P-778899-PROBE");
	arena_release(&a);
	const char *probes[] = { "Zebulonmarker", "Quintessa", "778899", "90 11 22 33" };
	assert_not_on_disk(f.db_path, probes, ARRAY_LEN(probes));
	fixture_close(&f);
}

struct history {
	int n;
	const char *first_status, *first_reasons;
};

static int collect_decision(const status_decision *d, void *ctx)
{
	struct history *h = ctx;
	if (h->n++ == 0) {
		h->first_status = d->status;
		h->first_reasons = d->reasons;
	}
	return 0;
}

static bool has_error(const field_errors *e, const char *field)
{
	for (size_t i = 0; i < e->count; i++)
		if (!strcmp(e->items[i].field, field))
			return true;
	return false;
}

static void status_decisions_follow_the_countrys_rules(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	int64_t id = new_case(&f, &cw, "Aïcha", "Diallo"), did;
	field_errors e;
	/* In Portugal only law enforcement confirms: an NGO cannot. */
	status_decision_input ngo = { "confirmed", "2026-01-10", "NGO",
				      "Assessment by the shelter" };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &ngo, &e, &did), PONTE_EINVAL);
	assert_true(has_error(&e, "vic_TraffickingStatusDecisionMakingOrg"));
	status_decision_input pending = { "pending", "2026-01-05", "NGO",
					  "Referred to the police" };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &pending, &e, &did), 0);
	status_decision_input police = { "confirmed", "2026-01-20", "Police",
					 "Investigation concluded" };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &police, &e, &did), 0);
	arena a;
	arena_init(&a, 1 << 20);
	case_record c;
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.trafficking_status, "ActualVictimOfTrafficking");
	assert_int_equal(c.version, 3);
	struct history h = { 0 };
	assert_int_equal(status_decision_list(&f.env, &a, &cw, id, collect_decision, &h), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.first_status, "confirmed");
	assert_string_equal(h.first_reasons, "Investigation concluded");
	/* The rule is configuration: allow prosecutors too, and they can. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f.db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	assert_int_equal(
	    sqlite3_exec(db, "INSERT INTO status_confirmers VALUES ('PT', 'CourtOrProsecution')",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	status_decision_input court = { "confirmed", "2026-02-01", "CourtOrProsecution", NULL };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &court, &e, &did), 0);
	/* Bad input is explained field by field. */
	status_decision_input bad = { "maybe", "2099-01-01", "Neighbours", NULL };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &bad, &e, &did), PONTE_EINVAL);
	assert_true(has_error(&e, "status"));
	assert_true(has_error(&e, "decided_on"));
	assert_true(has_error(&e, "vic_TraffickingStatusDecisionMakingOrg"));
	status_decision_input bad_date = { "pending", "2026-02-30", "Police", NULL };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &bad_date, &e, &did), PONTE_EINVAL);
	/* Not confirmed: the case says so. */
	status_decision_input no = { "not_confirmed", "2026-03-01", "Police", NULL };
	assert_int_equal(status_decision_add(&f.env, &cw, id, &no, &e, &did), 0);
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.trafficking_status, "NotAVictimOfTrafficking");
	/* Outside the scope, the case does not exist. */
	principal pol = as(&f, "police@demo.ponte.example");
	assert_int_equal(status_decision_add(&f.env, &pol, id, &pending, &e, &did),
			 PONTE_ENOTFOUND);
	assert_int_equal(status_decision_list(&f.env, &a, &pol, id, collect_decision, &h),
			 PONTE_ENOTFOUND);
	arena_release(&a);
	fixture_close(&f);
}

struct closures {
	int n;
	const char *last_kind, *last_decision;
};

static int keep_closure(const case_closure *k, void *ctx)
{
	struct closures *h = ctx;
	if (h->n++ == 0) {
		h->last_kind = k->kind;
		h->last_decision = k->decision;
	}
	return 0;
}

static int count_pending(int64_t closure_id, int64_t case_id, const char *status,
			 const char *requested_at, void *ctx)
{
	(void)closure_id, (void)case_id, (void)status, (void)requested_at;
	(*(int *)ctx)++;
	return 0;
}

/* A case worker asks to close; a supervisor (never the one who asked) approves; the case
 * closes in the same step; reopening is kept in the history. No one closes a case alone:
 * not when registering it, not by changing it, not as a supervisor. */
static void closing_a_case_needs_a_supervisor(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	principal sup = as(&f, "supervisor@demo.ponte.example");
	principal fp = as(&f, "focal.point@demo.ponte.example");
	field_errors e;
	int64_t current, req, none = 0;
	const char *closed[] = { "Closed", "ClosedReferred" };
	for (size_t i = 0; i < ARRAY_LEN(closed); i++) {
		case_input born_closed = { .first_name = "Born", .status = closed[i] };
		assert_int_equal(case_create(&f.env, &sup, &born_closed, &none, &e), PONTE_EINVAL);
		assert_int_equal(e.count, 1);
		assert_string_equal(e.items[0].field, "cas_Status");
	}
	case_input with_reason = { .first_name = "Born", .closure_reason = "Done" };
	assert_int_equal(case_create(&f.env, &sup, &with_reason, &none, &e), PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "cas_ReasonForCaseClosure");
	assert_int_equal(none, 0);
	int64_t id = new_case(&f, &cw, "Closing", "Case");
	case_input close = { .status = "Closed", .closure_reason = "Reintegrated" };
	assert_int_equal(case_update(&f.env, &cw, id, 1, &close, &e, &current), PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "cas_Status");
	assert_int_equal(case_update(&f.env, &sup, id, 1, &close, &e, &current), PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "cas_Status");
	assert_string_equal(e.items[1].field, "cas_ReasonForCaseClosure");
	case_input reason_only = { .closure_reason = "Reintegrated" };
	assert_int_equal(case_update(&f.env, &sup, id, 1, &reason_only, &e, &current),
			 PONTE_EINVAL);
	/* The request: a reason is needed, and one request at a time. */
	assert_int_equal(closure_request(&f.env, &cw, id, "Closed", "", &req, &e), PONTE_EINVAL);
	assert_int_equal(closure_request(&f.env, &cw, id, "Active", "done", &req, &e),
			 PONTE_EINVAL);
	assert_int_equal(
	    closure_request(&f.env, &cw, id, "Closed", "Reintegrated at home", &req, &e), 0);
	int64_t again;
	assert_int_equal(closure_request(&f.env, &cw, id, "Closed", "Twice", &again, &e),
			 PONTE_ECONFLICT);
	int pending = 0;
	arena a;
	arena_init(&a, 1 << 20);
	assert_int_equal(closures_pending(&f.env, &a, &sup, count_pending, &pending), 0);
	assert_int_equal(pending, 1);
	pending = 0;
	assert_int_equal(closures_pending(&f.env, &a, &cw, count_pending, &pending), 0);
	assert_int_equal(pending, 0);
	/* The case worker cannot approve their own request. */
	assert_int_equal(closure_decide(&f.env, &cw, req, true), PONTE_EDENIED);
	assert_int_equal(closure_decide(&f.env, &sup, req, true), 0);
	assert_int_equal(closure_decide(&f.env, &sup, req, false), PONTE_ECONFLICT);
	case_record c;
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.status, "Closed");
	assert_string_equal(c.closure_reason, "Reintegrated at home");
	assert_int_equal(c.version, 2);
	/* Reopened by the case worker: allowed, and kept. */
	case_input reopen = { .status = "Active" };
	assert_int_equal(case_update(&f.env, &cw, id, 2, &reopen, &e, &current), 0);
	struct closures h = { 0 };
	assert_int_equal(closure_list(&f.env, &a, &cw, id, keep_closure, &h), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.last_kind, "reopen");
	/* A rejected request leaves the case open; a supervisor asks like anyone else and
	 * cannot approve their own request: a focal point does. */
	assert_int_equal(closure_request(&f.env, &cw, id, "ClosedReferred", "Moved away", &req, &e),
			 0);
	assert_int_equal(closure_decide(&f.env, &sup, req, false), 0);
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.status, "Active");
	assert_int_equal(case_update(&f.env, &sup, id, 3, &close, &e, &current), PONTE_EINVAL);
	assert_int_equal(closure_request(&f.env, &sup, id, "Closed", "Reintegrated", &req, &e), 0);
	assert_int_equal(closure_decide(&f.env, &sup, req, true), PONTE_EDENIED);
	assert_int_equal(closure_decide(&f.env, &fp, req, true), 0);
	assert_int_equal(case_get(&f.env, &a, &cw, id, &c), 0);
	assert_string_equal(c.status, "Closed");
	h = (struct closures){ 0 };
	assert_int_equal(closure_list(&f.env, &a, &cw, id, keep_closure, &h), 0);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.last_kind, "close");
	assert_string_equal(h.last_decision, "approved");
	/* Closed, it stays closed under changes that keep its status and reason. */
	case_input same = { .status = "Closed",
			    .closure_reason = "Reintegrated",
			    .phase = "return" };
	assert_int_equal(case_update(&f.env, &cw, id, 4, &same, &e, &current), 0);
	case_input other_kind = { .status = "ClosedReferred" };
	assert_int_equal(case_update(&f.env, &cw, id, 5, &other_kind, &e, &current), PONTE_EINVAL);
	arena_release(&a);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_input_is_explained_field_by_field),
		cmocka_unit_test(scopes_decide_who_sees_a_case),
		cmocka_unit_test(list_filters_search_and_pages),
		cmocka_unit_test(stale_updates_are_refused),
		cmocka_unit_test(case_fields_are_encrypted_and_rotated),
		cmocka_unit_test(closing_a_case_needs_a_supervisor),
		cmocka_unit_test(status_decisions_follow_the_countrys_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
