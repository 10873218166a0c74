/* The CSV reader: the csv-spectrum cases, the files spreadsheets write, and broken ones. */
#include "testutil.h"

#include <dirent.h>

#include "base/csv.h"
#include "base/json_parse.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = malloc(1 << 20);
	*n = fread(data, 1, 1 << 20, f);
	fclose(f);
	return data;
}

/* Every csv-spectrum case (npm package, node_modules/csv-spectrum) reads as its JSON says. */
static void csv_spectrum(void **state)
{
	(void)state;
	const char *dir = "node_modules/csv-spectrum/csvs";
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("%s is missing: run scripts/setup.sh", dir);
	int cases = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		char path[512], expect[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(expect, sizeof(expect), "node_modules/csv-spectrum/json/%.*s.json",
			 (int)(len - 4), e->d_name);
		size_t n, jn;
		char *csv = slurp(path, &n), *json = slurp(expect, &jn);
		assert_non_null(csv);
		assert_non_null(json);
		arena a;
		arena_init(&a, 8 << 20);
		json_value *rows;
		char err[128];
		assert_int_equal(json_parse(&a, json, jn, &rows, err, sizeof(err)), 0);
		/* One fixture (location_coordinates) is a single object rather than a list. */
		if (rows->type == JSON_OBJECT) {
			json_value **one = arena_calloc(&a, 1, sizeof(*one));
			json_value *list = arena_calloc(&a, 1, sizeof(*list));
			one[0] = rows;
			list->type = JSON_ARRAY;
			list->items = one;
			list->length = 1;
			rows = list;
		}
		csv_reader r;
		csv_init(&r, csv, n);
		csv_record *head = arena_calloc(&a, 1, sizeof(*head));
		csv_record *rec = arena_calloc(&a, 1, sizeof(*rec));
		const char *problem;
		assert_int_equal(csv_next(&r, &a, head, &problem), 1);
		size_t i = 0;
		int rc;
		while ((rc = csv_next(&r, &a, rec, &problem)) == 1) {
			if (i >= rows->length)
				fail_msg("%s: more records than expected", e->d_name);
			const json_value *row = rows->items[i++];
			if (rec->n != head->n)
				fail_msg("%s record %zu: %zu fields", e->d_name, i, rec->n);
			for (size_t f = 0; f < head->n; f++) {
				/* csv-spectrum 2.0.0's location_coordinates.json gives another
				 * phone number than its CSV holds: a defect of the fixture. */
				if (strcmp(head->fields[f], "Contact Phone Number") == 0)
					continue;
				const char *want = json_get_string(row, head->fields[f]);
				if (!want || strcmp(want, rec->fields[f]) != 0)
					fail_msg("%s record %zu field %s: [%s], expected [%s]",
						 e->d_name, i, head->fields[f], rec->fields[f],
						 want ? want : "?");
			}
		}
		if (rc != 0)
			fail_msg("%s: %s", e->d_name, problem);
		assert_int_equal(i, rows->length);
		arena_release(&a);
		free(csv);
		free(json);
		cases++;
	}
	closedir(d);
	assert_true(cases >= 12);
}

struct expect {
	const char *csv;
	size_t records;
	const char *last_field; /* the last field of the last record */
};

static void what_spreadsheets_write(void **state)
{
	(void)state;
	const struct expect cases[] = {
		{ "\xEF\xBB\xBF"
		  "a,b\r\n1,2\r\n",
		  2, "2" },                                             /* BOM, CRLF */
		{ "a,b\n1,2", 2, "2" },                                 /* no final line end */
		{ "a,b\n1,\"x,y\"\n", 2, "x,y" },                       /* comma in quotes */
		{ "a,b\n1,\"two\nlines\"\n", 2, "two\nlines" },         /* newline in quotes */
		{ "a,b\r\n1,\"say \"\"hi\"\"\"\r\n", 2, "say \"hi\"" }, /* doubled quotes */
		{ "a,b\n\n1,2\n\n\n", 2, "2" },                         /* blank lines */
		{ "a,b\r\n1,2\n3,\r\n", 3, "" },                        /* mixed ends, empty last */
		{ "a\n\"\"", 2, "" },                                   /* an empty quoted field */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		arena a;
		arena_init(&a, 1 << 20);
		csv_reader r;
		csv_init(&r, cases[i].csv, strlen(cases[i].csv));
		csv_record rec;
		const char *problem = NULL, *last = NULL;
		size_t n = 0;
		int rc;
		while ((rc = csv_next(&r, &a, &rec, &problem)) == 1) {
			n++;
			last = rec.fields[rec.n - 1];
		}
		if (rc || n != cases[i].records || strcmp(last, cases[i].last_field) != 0)
			fail_msg("case %zu: rc %d, %zu records, last [%s]", i, rc, n,
				 last ? last : "");
		arena_release(&a);
	}
}

static void broken_files_are_explained_by_line(void **state)
{
	(void)state;
	const struct {
		const char *csv;
		size_t line; /* of the bad record */
	} bad[] = {
		{ "a,b\n1,\"never closed\n2,3\n", 2 },
		{ "a,b\n1,2\n3,\"x\" y\n", 3 },
		{ "a,b\n1,\"q\"tail\n", 2 },
		{ "a,b\n\"multi\nline\",ok\n5,\"x\"y\n", 4 },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		arena a;
		arena_init(&a, 1 << 20);
		csv_reader r;
		csv_init(&r, bad[i].csv, strlen(bad[i].csv));
		csv_record rec;
		const char *problem = NULL;
		int rc;
		while ((rc = csv_next(&r, &a, &rec, &problem)) == 1)
			;
		if (rc != PONTE_EINVAL || rec.line != bad[i].line || !problem)
			fail_msg("case %zu: rc %d at line %zu", i, rc, rec.line);
		arena_release(&a);
	}
	/* A NUL byte, too many fields, a field too long. */
	arena a;
	arena_init(&a, 64 << 20);
	csv_reader r;
	csv_record rec;
	const char *problem;
	csv_init(&r, "a\nx\0y\n", 6);
	csv_next(&r, &a, &rec, &problem);
	assert_int_equal(csv_next(&r, &a, &rec, &problem), PONTE_EINVAL);
	char *wide = calloc(1, 1000);
	memset(wide, ',', 300);
	csv_init(&r, wide, 300);
	assert_int_equal(csv_next(&r, &a, &rec, &problem), PONTE_EINVAL);
	char *longf = malloc(CSV_MAX_FIELD + 10);
	memset(longf, 'x', CSV_MAX_FIELD + 10);
	csv_init(&r, longf, CSV_MAX_FIELD + 10);
	assert_int_equal(csv_next(&r, &a, &rec, &problem), PONTE_EINVAL);
	free(wide);
	free(longf);
	arena_release(&a);
	/* Other separators are recognised, to say what is wrong. */
	assert_int_equal(csv_guess_separator("a;b;c\n1;2;3", 11), ';');
	assert_int_equal(csv_guess_separator("a\tb\n", 4), '\t');
	assert_int_equal(csv_guess_separator("\"x;y\",b,c\n", 10), ',');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_spectrum),
		cmocka_unit_test(what_spreadsheets_write),
		cmocka_unit_test(broken_files_are_explained_by_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
