/* Finding a person by name: the keys of names (spellings, particles, Arabic script), and the
 * search over a database (found, ranked, scoped, keys filled for old cases). */
#include "identity_fixture.h"

#include <sqlite3.h> /* to look at what the database holds, as someone who stole it would */

#include "base/utf8.h"
#include "cases/cases.h"

/* The score the search gives a case named (first, second) for query: for each word of the
 * query, the best kind of key it shares with the name; summed (computed on the keys' texts;
 * the database search computes it on their blind indexes). */
static int score(const char *first, const char *second, const char *query)
{
	static name_keys s, q;
	name_keys_of(first, second, &s);
	name_keys_of_query(query, &q);
	int best[NAME_UNITS_MAX] = { 0 }, sum = 0;
	for (size_t i = 0; i < q.n; i++)
		for (size_t j = 0; j < s.n; j++)
			if (q.items[i].kind == s.items[j].kind &&
			    !strcmp(q.items[i].text, s.items[j].text) &&
			    name_key_weight(q.items[i].kind) > best[q.items[i].unit])
				best[q.items[i].unit] = name_key_weight(q.items[i].kind);
	for (int u = 0; u < NAME_UNITS_MAX; u++)
		sum += best[u];
	return sum;
}

static const char *skeleton_of(const char *name)
{
	static name_keys k;
	name_keys_of(name, NULL, &k);
	for (size_t i = 0; i < k.n; i++)
		if (k.items[i].kind == NAME_KEY_SKELETON)
			return k.items[i].text;
	return "";
}

/* A person as registered, what someone types to find them, and the least score it must
 * reach: 4 the same word, 2 the same sound (skeleton), 1 a beginning typed. */
static const struct spelling {
	const char *first, *second, *query;
	int least;
} FOUND[] = {
	/* transliterations of Arabic names */
	{ "Mohamed", "Diallo", "Muhammad", 2 },
	{ "Mohammed", "", "Mahamat", 2 },
	{ "Mouhamed", "Sow", "Mohamed Sow", 6 },
	{ "Oumar", "Sy", "Umar", 2 },
	{ "Omar", "", "Oumar", 2 },
	{ "Youssouf", "Maiga", "Yusuf", 2 },
	{ "Ousmane", "", "Usman", 2 },
	{ "Aïcha", "Diallo", "Aisha", 2 },
	{ "Mariama", "Bah", "Maryam", 2 },
	{ "Abdelkader", "", "Abd al-Qadir", 2 },
	{ "Abdoulaye", "Wade", "Abdallah", 2 },
	{ "Aboubacar", "", "Abubakar", 2 },
	{ "Seydou", "Keita", "Seidou", 2 },
	/* accents and case */
	{ "Aïssata", "Traoré", "Aissata", 4 },
	{ "Aissata", "Traore", "AÏSSATA TRAORÉ", 8 },
	{ "João", "da Silva", "Joao Silva", 8 },
	{ "Adéyẹmi", "Ọlá", "Adeyemi", 4 },
	{ "Blessing", "Okafor", "Blesing", 2 },
	{ "Blessing", "Okafor", "blessing okafor", 8 },
	/* particles: ould, ben, ag, dos, da, el, al- */
	{ "Mohamed", "ould Abdallahi", "Abdallahi", 4 },
	{ "Mohamed", "Ould-Abdallahi", "Mohamed ould Abdallahi", 8 },
	{ "Sidi", "Ould-Cheikh", "Cheikh", 4 },
	{ "Ahmed", "ben Salah", "Ben Salah", 4 },
	{ "Moussa", "ag Intalla", "Intalla", 4 },
	{ "Maria", "dos Santos", "Santos", 4 },
	{ "Rui", "de Souza", "Sousa", 2 },
	{ "El Hadji Malick", "Sy", "Malick Sy", 8 },
	{ "Amadou", "N'Diaye", "Ndiaye", 4 },
	{ "Awa", "Ndiaye", "Njie", 2 },
	{ "Fatou", "Diallo", "Jallow", 2 },
	{ "Fatima", "", "Fadima", 2 },
	/* Arabic script and Latin script */
	{ "Mohamed", "", "محمد", 2 },
	{ "مُحَمَّد", "", "Mohamed", 2 },
	{ "Khadija", "", "خديجة", 2 },
	{ "Ibrahim", "", "إبراهيم", 2 },
	{ "Aïcha", "", "عائشة", 2 },
	{ "Yacouba", "", "يعقوب", 2 },
	{ "Maryam", "", "مريم", 2 },
	{ "Al-Amin", "", "الأمين", 2 },
	{ "عبد الرحمن", "", "Abdulrahman", 2 },
	{ "أبو بكر", "", "Aboubacar", 2 },
	{ "محمد", "الأمين", "محمّد الامين", 8 },
	{ "Hadiza", "Garba", "hadiza garba", 8 },
	/* typed in part */
	{ "Aminata", "Coulibaly", "Amin", 1 },
	{ "Abdallahi", "", "Abda", 1 },
	{ "Chidinma", "Okonkwo", "Oko", 1 },
};

/* Distinct people: not one key in common. */
static const struct spelling NOT_FOUND[] = {
	{ "Mamadou", "", "Mohamed", 0 },
	{ "Aïcha", "", "Aissata", 0 },
	{ "Fatoumata", "", "Aminata", 0 },
	{ "Fatima", "", "Fatou", 0 },
	{ "Moussa", "", "Mustapha", 0 },
	{ "Diallo", "", "Diop", 0 },
	{ "Blessing", "", "Precious", 0 },
	{ "Adeyemi", "", "Adebayo", 0 },
	{ "Traoré", "", "Touré", 0 },
	{ "Maria", "da Silva", "Santos", 0 },
	{ "أحمد", "", "محمد", 0 },
	{ "Ahmed", "", "Mohamed", 0 },
	{ "Ibrahim", "", "Ismail", 0 },
	{ "Kadiatou", "Barry", "Hadiza Garba", 0 },
	/* a particle alone finds no one: it is in every other Moorish name */
	{ "Mohamed", "ould Abdallahi", "ould", 0 },
	{ "Ahmed", "ben Salah", "ben", 0 },
};

static void spellings_of_one_person_meet(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(FOUND); i++) {
		int s = score(FOUND[i].first, FOUND[i].second, FOUND[i].query);
		if (s < FOUND[i].least)
			fail_msg("\"%s %s\" by \"%s\": score %d, at least %d expected",
				 FOUND[i].first, FOUND[i].second, FOUND[i].query, s,
				 FOUND[i].least);
	}
	for (size_t i = 0; i < ARRAY_LEN(NOT_FOUND); i++) {
		int s = score(NOT_FOUND[i].first, NOT_FOUND[i].second, NOT_FOUND[i].query);
		if (s != 0)
			fail_msg("\"%s %s\" by \"%s\": score %d, none expected", NOT_FOUND[i].first,
				 NOT_FOUND[i].second, NOT_FOUND[i].query, s);
	}
	/* An exact name outranks a sound-alike, which outranks a beginning. */
	assert_true(score("Mohamed", "Diallo", "Mohamed Diallo") >
		    score("Muhammad", "Diallo", "Mohamed Diallo"));
	assert_true(score("Muhammad", "Diallo", "Mohamed Diallo") >
		    score("Mohand", "Diallo", "Mohamed Diallo"));
}

static void skeletons_are_as_documented(void **state)
{
	(void)state;
	/* docs/cases.md gives these examples. */
	const char *pairs[][2] = {
		{ "Mohamed", "mhmt" },   { "Muhammad", "mhmt" }, { "Mahamat", "mhmt" },
		{ "محمد", "mhmt" },      { "Aïssata", "ast" },   { "Aicha", "ax" },
		{ "Diallo", "jl" },      { "Jallow", "jl" },     { "Khadija", "htj" },
		{ "خديجة", "htj" },      { "Sousa", "ss" },      { "Abdallah", "abtl" },
		{ "عبدالله", "abtl" },   { "Ibrahim", "abrhm" }, { "إبراهيم", "abrhm" },
		{ "Blessing", "blsng" }, { "Adeyemi", "atm" },
	};
	for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
		if (strcmp(skeleton_of(pairs[i][0]), pairs[i][1]) != 0)
			fail_msg("skeleton of %s: %s, %s expected", pairs[i][0],
				 skeleton_of(pairs[i][0]), pairs[i][1]);
}

static void keys_are_bounded(void **state)
{
	(void)state;
	char longname[4096];
	size_t o = 0;
	for (int i = 0; i < 200 && o + 30 < sizeof(longname); i++)
		o += (size_t)snprintf(longname + o, sizeof(longname) - o, "Name%cword%d-",
				      'a' + i % 26, i);
	static name_keys k;
	name_keys_of(longname, longname, &k);
	assert_true(k.n > 0 && k.n <= NAME_KEYS_MAX);
	for (size_t i = 0; i < k.n; i++)
		assert_true(strlen(k.items[i].text) < NAME_KEY_TEXT);
	/* One very long word, in Arabic: cut on a character, never overrun. */
	char arabic[3000] = "";
	for (o = 0; o + 2 < 2000; o += 2)
		memcpy(arabic + o, "\xD9\x85", 2); /* م */
	arabic[o] = '\0';
	name_keys_of(arabic, NULL, &k);
	assert_true(k.n >= 1);
	assert_true(utf8_valid(k.items[0].text, strlen(k.items[0].text)));
	/* Nothing to search by: punctuation, one letter. */
	name_keys_of_query("?!", &k);
	assert_int_equal(k.n, 0);
	/* Two keys of the same text but another kind hash apart. */
	name_key t = { .kind = NAME_KEY_TOKEN, .text = "moha" },
		 p = { .kind = NAME_KEY_PREFIX, .text = "moha" };
	struct fixture f;
	fixture_open(&f);
	unsigned char ht[NAME_KEY_HASH_BYTES], hp[NAME_KEY_HASH_BYTES];
	name_key_hash(f.keys, &t, ht);
	name_key_hash(f.keys, &p, hp);
	assert_memory_not_equal(ht, hp, sizeof(ht));
	fixture_close(&f);
}

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
	case_input in = { .first_name = first, .second_name = second, .gender = "Feminine" };
	field_errors e;
	int64_t id = 0;
	int rc = case_create(&f->env, p, &in, &id, &e);
	if (rc)
		fail_msg("case_create: %s (%zu errors)", ponte_strerror(rc), e.count);
	return id;
}

struct results {
	int64_t ids[CASE_SEARCH_MAX];
	int scores[CASE_SEARCH_MAX];
	size_t n;
};

static int keep(const case_record *c, int score, void *ctx)
{
	struct results *r = ctx;
	r->ids[r->n] = c->id;
	r->scores[r->n++] = score;
	return 0;
}

static bool has(const struct results *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->ids[i] == id)
			return true;
	return false;
}

static struct results find(struct fixture *f, const principal *p, const char *query)
{
	struct results r = { .n = 0 };
	arena a;
	arena_init(&a, 1u << 20);
	int64_t found;
	int rc = case_find_by_name(&f->env, &a, p, query, 50, keep, &r, &found);
	if (rc)
		fail_msg("case_find_by_name(%s): %s", query, ponte_strerror(rc));
	assert_int_equal((int64_t)r.n, found < 50 ? found : 50);
	arena_release(&a);
	return r;
}

static int64_t count_rows(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void the_database_finds_every_spelling_in_scope(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	principal sup = as(&f, "supervisor@demo.ponte.example");
	int64_t ids[ARRAY_LEN(FOUND)];
	for (size_t i = 0; i < ARRAY_LEN(FOUND); i++)
		ids[i] = new_case(&f, &cw, FOUND[i].first, FOUND[i].second);
	for (size_t i = 0; i < ARRAY_LEN(FOUND); i++) {
		struct results r = find(&f, &cw, FOUND[i].query);
		if (!has(&r, ids[i]))
			fail_msg("\"%s %s\" not found by \"%s\"", FOUND[i].first, FOUND[i].second,
				 FOUND[i].query);
	}
	/* Best first: the exact name before the sound-alike before the beginning. */
	int64_t exact = new_case(&f, &cw, "Zeinabou", "Hamidou"),
		alike = new_case(&f, &cw, "Zaynabou", "Hamidou"),
		begins = new_case(&f, &cw, "Zeinab", "Kane");
	struct results r = find(&f, &cw, "Zeinabou Hamidou");
	assert_true(r.n >= 3);
	assert_int_equal(r.ids[0], exact);
	assert_int_equal(r.ids[1], alike);
	assert_true(has(&r, begins));
	assert_true(r.scores[0] > r.scores[1]);
	/* A name changed: found by the new one, not by the old one. */
	case_input rename = { .first_name = "Zouera" };
	field_errors e;
	int64_t current;
	assert_int_equal(case_update(&f.env, &cw, exact, 1, &rename, &e, &current), 0);
	r = find(&f, &cw, "Zouera");
	assert_true(has(&r, exact));
	r = find(&f, &cw, "Zeinabou");
	assert_false(has(&r, exact));
	/* Nothing to search by is refused; nothing found is an empty answer. */
	arena a;
	arena_init(&a, 1u << 16);
	int64_t found;
	struct results none = { .n = 0 };
	assert_int_equal(case_find_by_name(&f.env, &a, &cw, "a", 50, keep, &none, &found),
			 PONTE_EINVAL);
	assert_int_equal(case_find_by_name(&f.env, &a, &cw, "Xqzvw", 50, keep, &none, &found), 0);
	assert_int_equal(found, 0);
	arena_release(&a);
	/* Scope: the supervisor of another organisation (a shelter) finds none of them. */
	principal other = as(&f, "shelter@demo.ponte.example");
	r = find(&f, &other, "Zouera");
	assert_false(has(&r, exact));
	r = find(&f, &other, "Muhammad");
	assert_false(has(&r, ids[0]));
	/* ... and the supervisor of the worker's organisation finds them. */
	r = find(&f, &sup, "Muhammad");
	assert_true(has(&r, ids[0]));
	/* Each search is audited, never with what was typed. */
	assert_true(count_rows(f.db_path,
			       "SELECT count(*) FROM audit_events WHERE action = 'case.search'") >
		    0);
	/* The database holds the keys as 16-byte blind indexes, never a key's text. */
	const char *probes[] = { "Zouera", "zouera", "mhmt", "abdallahi", "Abdallahi", "zoue" };
	store_checkpoint(f.db);
	assert_not_on_disk(f.db_path, probes, ARRAY_LEN(probes));
	fixture_close(&f);
}

static void cases_without_keys_get_them_once(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	principal cw = as(&f, "case.worker@demo.ponte.example");
	int64_t a1 = new_case(&f, &cw, "Hawa", "Konaté"), a2 = new_case(&f, &cw, "Salif", "Keïta");
	/* As a database upgraded from before the keys: none at all. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f.db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM case_name_keys", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	struct results r = find(&f, &cw, "Konate");
	assert_false(has(&r, a1));
	int64_t all = count_rows(f.db_path, "SELECT count(*) FROM cases"), filled;
	/* Batches of 2: several transactions. */
	assert_int_equal(case_name_keys_fill(&f.env, 2, &filled), 0);
	assert_int_equal(filled, all);
	r = find(&f, &cw, "Konate");
	assert_true(has(&r, a1));
	r = find(&f, &cw, "Keita");
	assert_true(has(&r, a2));
	int64_t rows = count_rows(f.db_path, "SELECT count(*) FROM case_name_keys");
	/* Again: nothing to do, nothing changed. */
	assert_int_equal(case_name_keys_fill(&f.env, 2, &filled), 0);
	assert_int_equal(filled, 0);
	assert_int_equal(count_rows(f.db_path, "SELECT count(*) FROM case_name_keys"), rows);
	assert_int_equal(
	    count_rows(f.db_path, "SELECT count(DISTINCT case_id) FROM case_name_keys"), all);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spellings_of_one_person_meet),
		cmocka_unit_test(skeletons_are_as_documented),
		cmocka_unit_test(keys_are_bounded),
		cmocka_unit_test(the_database_finds_every_spelling_in_scope),
		cmocka_unit_test(cases_without_keys_get_them_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
