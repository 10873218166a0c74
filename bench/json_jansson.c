/* bench/json_jansson.c: jansson's side of bench/json_parse.c (see there). */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct arena arena;
void *bench_node(arena *a, int kind, size_t length, const char *s, double number);
int bench_set(arena *a, void *container, size_t i, const char *key, void *item);
int bench_jansson(arena *a, const char *text, size_t n, bool tree);

/* jansson's value as Ponte's tree, as an adoption that keeps the callers would need. */
static void *copy_tree(arena *a, json_t *j)
{
	void *v = NULL;
	size_t i = 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		if (!(v = bench_node(a, 6, json_object_size(j), NULL, 0)))
			return NULL;
		json_object_foreach(j, key, m)
		{
			if (bench_set(a, v, i++, key, copy_tree(a, m)))
				return NULL;
		}
		return v;
	}
	case JSON_ARRAY:
		if (!(v = bench_node(a, 5, json_array_size(j), NULL, 0)))
			return NULL;
		for (i = 0; i < json_array_size(j); i++)
			if (bench_set(a, v, i, NULL, copy_tree(a, json_array_get(j, i))))
				return NULL;
		return v;
	case JSON_STRING:
		return bench_node(a, 4, json_string_length(j), json_string_value(j), 0);
	case JSON_INTEGER:
	case JSON_REAL: return bench_node(a, 3, 0, NULL, json_number_value(j));
	case JSON_TRUE: return bench_node(a, 2, 0, NULL, 0);
	case JSON_FALSE: return bench_node(a, 1, 0, NULL, 0);
	case JSON_NULL: return bench_node(a, 0, 0, NULL, 0);
	}
	return NULL;
}

int bench_jansson(arena *a, const char *text, size_t n, bool tree)
{
	json_error_t e;
	json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		fprintf(stderr, "jansson refused: %s\n", e.text);
		return -1;
	}
	int rc = tree && !copy_tree(a, j) ? -1 : 0;
	json_decref(j);
	return rc;
}
