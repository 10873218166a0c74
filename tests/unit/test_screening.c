/* Indicator screening: the rules are configuration, the lists speak three languages, bad
 * answers are refused, notes never reach the disk in clear. */
#include "identity_fixture.h"

#include <sqlite3.h>

#include "cases/cases.h"
#include "screening/screening.h"

static struct fixture F;
static principal cw, police;
static int64_t case_id;

static int setup(void **state)
{
	(void)state;
	fixture_open(&F);
	int64_t uid;
	assert_int_equal(user_find_by_email(&F.env, "case.worker@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &cw), 0);
	assert_int_equal(user_find_by_email(&F.env, "police@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(F.db, uid, &police), 0);
	case_input in = { .first_name = "Screened", .second_name = "Person" };
	field_errors e;
	assert_int_equal(case_create(&F.env, &cw, &in, &case_id, &e), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_close(&F);
	return 0;
}

static void sql(const char *statement)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, statement, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

struct names {
	size_t n;
	bool french;
};

static int count_list(const scr_list *l, void *ctx)
{
	struct names *x = ctx;
	x->n++;
	x->french |= strcmp(l->code, "child_sexual") == 0 &&
		     strcmp(l->name, "Enfants, exploitation sexuelle") == 0;
	return 0;
}

static void four_lists_in_three_languages(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	struct names x = { 0 };
	assert_int_equal(scr_lists(F.db, &a, "fr", count_list, &x), 0);
	assert_int_equal(x.n, 4);
	assert_true(x.french);
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t n;
	assert_int_equal(scr_items(F.db, &a, "adult_sexual", "pt", &info, items, &n), 0);
	assert_true(n > 15);
	assert_string_equal(items[0].dimension_text, "Recrutamento enganoso");
	assert_int_equal(scr_items(F.db, &a, "nonsense", "en", &info, items, &n), PONTE_ENOTFOUND);
	arena_release(&a);
}

static scr_result evaluate(const char *list, const scr_answer *answers, size_t n)
{
	arena a;
	arena_init(&a, 1 << 20);
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t nitems;
	assert_int_equal(scr_items(F.db, &a, list, "en", &info, items, &nitems), 0);
	scr_result r;
	field_errors e = { 0 };
	assert_int_equal(scr_evaluate(&info, items, nitems, answers, n, &r, &e), 0);
	arena_release(&a);
	return r;
}

static void the_rules_are_configuration(void **state)
{
	(void)state;
	const scr_answer two[] = { { "deceived_nature", "present", NULL },
				   { "excessive_hours", "present", NULL },
				   { "violence", "absent", NULL } };
	scr_result r = evaluate("adult_labour", two, 3);
	assert_true(r.indicated);
	assert_string_equal(r.dimensions_met, "deceptive_recruitment,exploitative_conditions");
	/* One dimension is not enough for an adult; it is for a child. */
	r = evaluate("adult_labour", two, 1);
	assert_false(r.indicated);
	r = evaluate("child_labour", two, 1);
	assert_true(r.indicated);
	/* Two medium indicators meet a dimension; one does not. */
	const scr_answer medium[] = { { "irregular_status", "present", NULL },
				      { "language_isolation", "present", NULL } };
	assert_string_equal(evaluate("adult_labour", medium, 2).dimensions_met,
			    "abuse_of_vulnerability");
	assert_int_equal(evaluate("adult_labour", medium, 1).met, 0);
	/* Changing the data changes the result: no code involved. */
	sql("UPDATE indicator_lists SET min_dimensions = 3 WHERE code = 'adult_labour'");
	assert_false(evaluate("adult_labour", two, 3).indicated);
	sql("UPDATE indicator_dimensions SET min_medium = 3 WHERE code = 'abuse_of_vulnerability'");
	assert_int_equal(evaluate("adult_labour", medium, 2).met, 0);
	sql("UPDATE indicator_lists SET min_dimensions = 2 WHERE code = 'adult_labour'");
	sql("UPDATE indicator_dimensions SET min_medium = 2 WHERE code = 'abuse_of_vulnerability'");
}

static int collect(const scr_record *s, void *ctx)
{
	scr_record *out = ctx;
	if (!out->id)
		*out = *s;
	return 0;
}

static void a_screening_is_recorded_with_its_result(void **state)
{
	(void)state;
	const scr_answer answers[] = {
		{ "deceived_conditions", "present",
		  "Promised a job in a hotel, Confidential-7731" },
		{ "forced_sexual_services", "present", NULL },
		{ "documents_withheld", "unknown", NULL },
	};
	int64_t id;
	scr_result r;
	field_errors e;
	assert_int_equal(scr_add(&F.env, &cw, case_id, "adult_sexual", answers, 3, &id, &r, &e), 0);
	assert_true(r.indicated);
	arena a;
	arena_init(&a, 1 << 20);
	scr_record s = { 0 };
	assert_int_equal(scr_history(&F.env, &a, &cw, case_id, "fr", collect, &s), 0);
	assert_int_equal(s.id, id);
	assert_true(s.indicated);
	assert_string_equal(s.list_name, "Adultes, exploitation sexuelle");
	arena_release(&a);
	const char *probe[] = { "Confidential-7731" };
	store_checkpoint(F.db);
	assert_not_on_disk(F.db_path, probe, 1);
}

static void bad_screenings_are_refused(void **state)
{
	(void)state;
	int64_t id;
	scr_result r;
	field_errors e;
	const scr_answer unknown[] = { { "likes_football", "present", NULL } };
	assert_int_equal(scr_add(&F.env, &cw, case_id, "adult_labour", unknown, 1, &id, &r, &e),
			 PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "answers");
	const scr_answer maybe[] = { { "violence", "maybe", NULL } };
	assert_int_equal(scr_add(&F.env, &cw, case_id, "adult_labour", maybe, 1, &id, &r, &e),
			 PONTE_EINVAL);
	assert_int_equal(scr_add(&F.env, &cw, case_id, "no_list", maybe, 0, &id, &r, &e),
			 PONTE_EINVAL);
	assert_string_equal(e.items[0].field, "list");
	/* The police do not see social-service cases. */
	assert_int_equal(scr_add(&F.env, &police, case_id, "adult_labour", maybe, 0, &id, &r, &e),
			 PONTE_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(four_lists_in_three_languages),
		cmocka_unit_test(the_rules_are_configuration),
		cmocka_unit_test(a_screening_is_recorded_with_its_result),
		cmocka_unit_test(bad_screenings_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
