/* The sections of the case file: every section takes, shows and changes its entries; bad
 * values are explained field by field; stale edits are refused; proceedings and the social
 * file stay apart; secrets are encrypted and rotated; deadlines and the observatory follow. */
#include "identity_fixture.h"

#include <sqlite3.h>

#include "app/app.h"
#include "base/clock.h"
#include "base/embedded.h"
#include "base/json_parse.h"
#include "cases/sections.h"
#include "timeline/timeline.h"

static struct fixture F;
static principal cw, police, other_cw;
static int64_t case_id;

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
	load_principal("police@demo.ponte.example", &police);
	load_principal("shelter@demo.ponte.example", &other_cw); /* another organisation */
	case_input in = { .first_name = "Mariama", .second_name = "Sectioned" };
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

static void day(int from_today, char *out)
{
	char s[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms() + (int64_t)from_today * 24 * 3600 * 1000, s);
	snprintf(out, 11, "%.10s", s);
}

/* A valid entry for each section, with the words to look for on disk. */
struct sample {
	const char *section;
	const char *values[SECTION_MAX_FIELDS];
};
static const struct sample SAMPLES[] = {
	{ "needs", { "medical", "immediate", "2026-01-10", "", "Probe-need-insulin" } },
	{ "events",
	  { "Exploitation", "ES", "Probe-town-Almeria", "2025-06-01", "Probe-greenhouse-story" } },
	{ "residence", { "victim_permit", "Probe-permit-778", "2026-01-01", "2027-01-01", "" } },
	{ "compensation",
	  { "labour_court", "filed", "", "2026-02-01", "12000", "", "EUR", "Probe-claim-note" } },
	{ "reintegration",
	  { "SN", "2026-03-01", "Dakar women's cooperative", "Probe-goals-shop" } },
	{ "visits", { "2026-04-01", "3", "4", "2", "Probe-visit-note" } },
	{ "notes", { "safety", "Probe-note-threat-call" } },
	{ "proceedings",
	  { "criminal", "victim", "Almeria court", "Probe-ref-2026-55", "Probe-prosecutor-Ruiz",
	    "2026-01-20", "video_testimony,anonymity", "trafficking for labour", "pending", "",
	    "1" } },
	{ "hearings", { "2026-05-10", "Almeria court", "1", "Probe-hearing-outcome" } },
	{ "perpetrators",
	  { "RecruiterOrIntermediary,Exploiter", "Probe-perp-Alias", "Masculine", "ES",
	    "Acquainted", "charged" } },
};

static const principal *writer_of(const section_def *d)
{
	return strcmp(d->tier, "proceedings") == 0 ? &police : &cw;
}

struct seen {
	int n;
	section_entry last;
};

static int keep(const section_entry *x, void *ctx)
{
	struct seen *s = ctx;
	s->n++;
	s->last = *x;
	return 0;
}

static void every_section_adds_lists_and_edits(void **state)
{
	(void)state;
	assert_int_equal(section_count(), ARRAY_LEN(SAMPLES));
	for (size_t i = 0; i < ARRAY_LEN(SAMPLES); i++) {
		const section_def *d = section_at(i);
		assert_string_equal(d->name, SAMPLES[i].section);
		const principal *p = writer_of(d);
		field_errors e;
		int64_t id;
		int rc = section_add(&F.env, p, d, case_id, SAMPLES[i].values, &id, &e);
		if (rc)
			fail_msg("%s: %s, %s %s", d->name, ponte_strerror(rc),
				 e.count ? e.items[0].field : "",
				 e.count ? e.items[0].message : "");
		arena a;
		arena_init(&a, 1 << 20);
		struct seen s = { 0 };
		assert_int_equal(section_list(&F.env, &a, p, d, case_id, keep, &s), 0);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.last.version, 1);
		for (size_t k = 0; k < d->nfields; k++) {
			const char *want = SAMPLES[i].values[k] ? SAMPLES[i].values[k] : "";
			if (d->fields[k].kind == SK_BOOL && !*want)
				want = "0";
			/* a default decided by the section (a deadline) fills an empty value */
			if (*want || !*s.last.values[k])
				assert_string_equal(s.last.values[k], want);
		}
		/* Edit: the version moves; an edit based on the old one is refused. */
		const char *v[SECTION_MAX_FIELDS];
		memcpy(v, s.last.values, sizeof(v));
		int64_t current;
		assert_int_equal(section_update(&F.env, p, d, case_id, id, 1, v, &e, &current), 0);
		assert_int_equal(current, 2);
		assert_int_equal(section_update(&F.env, p, d, case_id, id, 1, v, &e, &current),
				 PONTE_ECONFLICT);
		assert_int_equal(current, 2);
		section_entry x;
		assert_int_equal(section_get(&F.env, &a, p, d, case_id, id, &x), 0);
		assert_int_equal(x.version, 2);
		/* An entry of another case is not found through this one. */
		assert_int_equal(section_get(&F.env, &a, p, d, case_id + 1000, id, &x),
				 PONTE_ENOTFOUND);
		arena_release(&a);
	}
}

static void bad_values_are_explained_field_by_field(void **state)
{
	(void)state;
	char tomorrow[11];
	day(1, tomorrow);
	struct {
		const char *section, *field, *value;
	} bad[] = {
		{ "needs", "need", "pizza" },
		{ "needs", "identified_on", "2026-02-30" },
		{ "needs", "identified_on", tomorrow },
		{ "needs", "met_on", "2026-01-01" }, /* before identified_on */
		{ "needs", "urgency", "" },
		{ "events", "country", "XX" },
		{ "events", "country", "ESP" },
		{ "events", "city", NULL }, /* too long, below */
		{ "compensation", "amount_claimed", "12.5" },
		{ "compensation", "amount_claimed", "-3" },
		{ "compensation", "amount_claimed", "1e9" },
		{ "compensation", "currency", "euro" },
		{ "visits", "economic", "6" },
		{ "visits", "social", "" },
		{ "proceedings", "protection", "anonymity,shouting" },
		{ "proceedings", "protection", "anonymity," },
		{ "proceedings", "non_punishment", "yes" },
		{ "hearings", "held_on", "10/05/2026" },
		{ "perpetrators", "role", "Mastermind" },
	};
	char long_text[300];
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const section_def *d =
		    section_find(strcmp(bad[i].section, "proceedings") == 0 ||
					 strcmp(bad[i].section, "hearings") == 0 ||
					 strcmp(bad[i].section, "perpetrators") == 0
				     ? "proceedings"
				     : "file",
				 bad[i].section);
		assert_non_null(d);
		const char *v[SECTION_MAX_FIELDS];
		size_t s = 0;
		while (strcmp(SAMPLES[s].section, bad[i].section) != 0)
			s++;
		memcpy(v, SAMPLES[s].values, sizeof(v));
		int k = section_field_index(d, bad[i].field);
		assert_true(k >= 0);
		v[k] = bad[i].value ? bad[i].value : long_text;
		field_errors e;
		int64_t id;
		assert_int_equal(section_add(&F.env, writer_of(d), d, case_id, v, &id, &e),
				 PONTE_EINVAL);
		assert_int_equal(e.count, 1);
		assert_string_equal(e.items[0].field, bad[i].field);
	}
}

static void proceedings_and_the_social_file_stay_apart(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1 << 20);
	struct seen s = { 0 };
	const section_def *proc = section_find("proceedings", "proceedings");
	const section_def *notes = section_find("file", "notes");
	/* The case worker does not see proceedings; the police do not see the social file. */
	assert_int_equal(section_list(&F.env, &a, &cw, proc, case_id, keep, &s), PONTE_ENOTFOUND);
	assert_int_equal(section_list(&F.env, &a, &police, notes, case_id, keep, &s),
			 PONTE_ENOTFOUND);
	assert_false(section_writable(&F.env, &cw, proc, case_id));
	assert_true(section_writable(&F.env, &police, proc, case_id));
	/* Sections are found only in their tier. */
	assert_null(section_find("file", "proceedings"));
	assert_null(section_find("proceedings", "notes"));
	/* A supervisor of another organisation sees nothing of the case. */
	assert_int_equal(section_list(&F.env, &a, &other_cw, notes, case_id, keep, &s),
			 PONTE_ENOTFOUND);
	const char *v[SECTION_MAX_FIELDS] = { "general", "written elsewhere" };
	field_errors e;
	int64_t id;
	assert_int_equal(section_add(&F.env, &other_cw, notes, case_id, v, &id, &e),
			 PONTE_ENOTFOUND);
	arena_release(&a);
}

/* Every *_enc column of the schema, after a rotation, holds ciphertexts of one key version:
 * a column missing from the rotation would keep the old version. */
static void secrets_are_encrypted_and_every_column_rotated(void **state)
{
	(void)state;
	const char *probes[] = { "Probe-need-insulin", "Probe-town-Almeria", "Probe-permit-778",
				 "Probe-claim-note",   "Probe-goals-shop",   "Probe-visit-note",
				 "Probe-note-threat",  "Probe-ref-2026",     "Probe-prosecutor",
				 "Probe-hearing",      "Probe-perp-Alias",   "Probe-greenhouse" };
	store_checkpoint(F.db);
	assert_not_on_disk(F.db_path, probes, ARRAY_LEN(probes));
	char err[256];
	assert_int_equal(keys_rotate(F.db, F.keys, 100, NULL, NULL, err, sizeof(err)), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	sqlite3_stmt *cols;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT m.name, p.name FROM sqlite_schema m, "
			       "pragma_table_info(m.name) p WHERE m.type = 'table' AND "
			       "p.name LIKE '%\\_enc' ESCAPE '\\'",
			       -1, &cols, NULL),
	    SQLITE_OK);
	char sql[512];
	int columns = 0, versions = 0;
	buf all;
	buf_init(&all, 1 << 20);
	while (sqlite3_step(cols) == SQLITE_ROW) {
		columns++;
		snprintf(sql, sizeof(sql),
			 "SELECT DISTINCT hex(substr(%s, 1, 4)) FROM %s WHERE %s IS NOT NULL",
			 sqlite3_column_text(cols, 1), sqlite3_column_text(cols, 0),
			 sqlite3_column_text(cols, 1));
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *hex = (const char *)sqlite3_column_text(st, 0);
			if (!strstr(all.data ? all.data : "", hex)) {
				buf_printf(&all, "%s %s.%s;", hex, sqlite3_column_text(cols, 0),
					   sqlite3_column_text(cols, 1));
				versions++;
			}
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(cols);
	sqlite3_close(db);
	assert_true(columns >= 30);
	if (versions != 1)
		fail_msg("key versions after rotation: %s", all.data);
	buf_release(&all);
	/* And they still open. */
	arena a;
	arena_init(&a, 1 << 20);
	struct seen s = { 0 };
	assert_int_equal(section_list(&F.env, &a, &police,
				      section_find("proceedings", "perpetrators"), case_id, keep,
				      &s),
			 0);
	assert_string_equal(s.last.values[1], "Probe-perp-Alias");
	arena_release(&a);
}

struct dues {
	int permits, claims;
	const char *deadline;
};

static int count_due(const section_due *x, void *ctx)
{
	struct dues *d = ctx;
	if (x->case_id != case_id)
		return 0;
	if (strcmp(x->section, "residence") == 0)
		d->permits++;
	else {
		d->claims++;
		d->deadline = x->due_on;
	}
	return 0;
}

static void permits_and_claims_fall_due(void **state)
{
	(void)state;
	const section_def *permits = section_find("file", "residence");
	const section_def *claims = section_find("file", "compensation");
	char today[11], soon[11], week[11], later[11], year[11];
	day(0, today);
	day(10, soon);
	day(7, week);
	day(90, later);
	day(365, year);
	field_errors e;
	int64_t id, claim;
	arena a;
	arena_init(&a, 1 << 20);
	struct dues d = { 0 };
	/* A permit expiring in ten days is within the 30 days' notice. */
	const char *p1[SECTION_MAX_FIELDS] = { "victim_permit", "", "2026-01-01", soon, "" };
	assert_int_equal(section_add(&F.env, &cw, permits, case_id, p1, &id, &e), 0);
	assert_int_equal(sections_due(&F.env, &a, &cw, today, week, count_due, &d), 0);
	assert_int_equal(d.permits, 1);
	/* Renewal requested: no longer to act on. */
	const char *p2[SECTION_MAX_FIELDS] = { "victim_permit", "", "2026-01-01", soon, today };
	int64_t current;
	assert_int_equal(section_update(&F.env, &cw, permits, case_id, id, 1, p2, &e, &current), 0);
	d = (struct dues){ 0 };
	assert_int_equal(sections_due(&F.env, &a, &cw, today, week, count_due, &d), 0);
	assert_int_equal(d.permits, 0);
	/* A planned claim without a deadline gets the country's window (365 days). */
	const char *c1[SECTION_MAX_FIELDS] = { "state_fund", "planned" };
	assert_int_equal(section_add(&F.env, &cw, claims, case_id, c1, &claim, &e), 0);
	section_entry x;
	assert_int_equal(section_get(&F.env, &a, &cw, claims, case_id, claim, &x), 0);
	assert_string_equal(x.values[2], year);
	d = (struct dues){ 0 };
	assert_int_equal(sections_due(&F.env, &a, &cw, today, week, count_due, &d), 0);
	assert_int_equal(d.claims, 0);
	/* Due in three days: on the list. */
	char three[11];
	day(3, three);
	const char *c2[SECTION_MAX_FIELDS] = { "state_fund", "planned", three };
	assert_int_equal(section_update(&F.env, &cw, claims, case_id, claim, 1, c2, &e, &current),
			 0);
	d = (struct dues){ 0 };
	assert_int_equal(sections_due(&F.env, &a, &cw, today, week, count_due, &d), 0);
	assert_int_equal(d.claims, 1);
	assert_string_equal(d.deadline, three);
	/* Not in another organisation's scope. */
	d = (struct dues){ 0 };
	assert_int_equal(sections_due(&F.env, &a, &other_cw, today, week, count_due, &d), 0);
	assert_int_equal(d.claims + d.permits, 0);
	(void)later;
	arena_release(&a);
}

static int kinds(const timeline_event *e, void *ctx)
{
	buf *b = ctx;
	return buf_printf(b, "%s:%s;", e->kind, e->code);
}

static void events_reach_the_timeline_and_the_observatory(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(F.db_path, &db), SQLITE_OK);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT country_of_exploitation FROM obs_records WHERE row_key = "
		 "CAST('case:%lld' AS BLOB)",
		 (long long)case_id);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ES");
	sqlite3_finalize(st);
	/* A later exploitation in Portugal becomes the country of exploitation. */
	const char *v[SECTION_MAX_FIELDS] = { "Exploitation", "PT", "", "2025-09-01", "" };
	field_errors e;
	int64_t id;
	assert_int_equal(
	    section_add(&F.env, &cw, section_find("file", "events"), case_id, v, &id, &e), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "PT");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* The timeline shows the file's sections, never the proceedings. */
	arena a;
	arena_init(&a, 1 << 20);
	buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(timeline_of_case(&F.env, &a, &cw, case_id, kinds, &b), 0);
	assert_non_null(strstr(b.data, "needs:medical;"));
	assert_non_null(strstr(b.data, "events:Exploitation;"));
	assert_non_null(strstr(b.data, "notes:safety;"));
	assert_null(strstr(b.data, "proceedings"));
	assert_null(strstr(b.data, "hearings"));
	buf_release(&b);
	arena_release(&a);
}

/* The OpenAPI document describes every field of every section, with the codes the engine
 * accepts: documentation that cannot drift from the descriptors. */
static void the_openapi_document_describes_every_section(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find("api/openapi.json");
	assert_non_null(f);
	arena a;
	arena_init(&a, 1 << 24);
	json_value *doc;
	char err[128];
	assert_int_equal(json_parse(&a, f->data, f->len, &doc, err, sizeof(err)), 0);
	const json_value *schemas = json_get(json_get(doc, "components"), "schemas");
	assert_non_null(schemas);
	for (size_t i = 0; i < section_count(); i++) {
		const section_def *d = section_at(i);
		char name[64];
		snprintf(name, sizeof(name), "Section_%s", d->name);
		const json_value *props = json_get(json_get(schemas, name), "properties");
		if (!props)
			fail_msg("api/openapi.json has no schema %s", name);
		assert_int_equal(props->length, d->nfields);
		for (size_t k = 0; k < d->nfields; k++) {
			const json_value *p = json_get(props, d->fields[k].name);
			if (!p)
				fail_msg("%s has no property %s", name, d->fields[k].name);
			const json_value *e = json_get(
			    d->fields[k].kind == SK_CODES ? json_get(p, "items") : p, "enum");
			for (size_t c = 0; c < d->fields[k].ncodes; c++) {
				bool found = false;
				for (size_t j = 0; e && j < e->length; j++)
					found |= strcmp(e->items[j]->string,
							d->fields[k].codes[c].code) == 0;
				if (!found)
					fail_msg("%s.%s lacks the code %s", name, d->fields[k].name,
						 d->fields[k].codes[c].code);
			}
		}
	}
	/* And every route of the API is in it, with each of its methods. */
	const json_value *paths = json_get(doc, "paths");
	static const struct {
		unsigned bit;
		const char *name;
	} methods[] = { { HTTP_GET, "get" },
			{ HTTP_POST, "post" },
			{ HTTP_PUT, "put" },
			{ HTTP_PATCH, "patch" },
			{ HTTP_DELETE, "delete" } };
	for (size_t i = 0; i < app_routes_count; i++) {
		const http_route *r = &app_routes[i];
		if (strncmp(r->pattern, "/api/", 5) != 0)
			continue;
		const json_value *path = json_get(paths, r->pattern);
		if (!path)
			fail_msg("api/openapi.json does not describe %s", r->pattern);
		for (size_t m = 0; m < ARRAY_LEN(methods); m++)
			if ((r->methods & methods[m].bit) && !json_get(path, methods[m].name))
				fail_msg("api/openapi.json lacks %s %s", methods[m].name,
					 r->pattern);
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_section_adds_lists_and_edits),
		cmocka_unit_test(bad_values_are_explained_field_by_field),
		cmocka_unit_test(proceedings_and_the_social_file_stay_apart),
		cmocka_unit_test(secrets_are_encrypted_and_every_column_rotated),
		cmocka_unit_test(permits_and_claims_fall_due),
		cmocka_unit_test(events_reach_the_timeline_and_the_observatory),
		cmocka_unit_test(the_openapi_document_describes_every_section),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
