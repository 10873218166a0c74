/* The vocabularies declared with VOCABULARY(), found through the section the linker gathers
 * them in. */
#include "i18n/vocab.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/buf.h"
#include "i18n/i18n.h"

/* The linker defines these for a section whose name is a C identifier. Weak, so that a
 * program with no vocab_table at all still links (both are then NULL). */
extern const vocab_table *const __start_ponte_vocab[] __attribute__((weak));
extern const vocab_table *const __stop_ponte_vocab[] __attribute__((weak));

size_t vocab_count(void)
{
	return __start_ponte_vocab ? (size_t)(__stop_ponte_vocab - __start_ponte_vocab) : 0;
}

const vocab_table *vocab_at(size_t i)
{
	return i < vocab_count() ? __start_ponte_vocab[i] : NULL;
}

/* The vocabularies by name, sorted once: a list page names a term of several vocabularies on
 * each of its rows, and a linear search over sixty names was thousands of strcmp() a page. */
enum { SORTED_MAX = 512 };
static const vocab_table *sorted[SORTED_MAX];
static size_t nsorted; /* 0 when there are more than SORTED_MAX: then searched in order */
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_name(const void *x, const void *y)
{
	return strcmp((*(const vocab_table *const *)x)->name,
		      (*(const vocab_table *const *)y)->name);
}

static void sort_tables(void)
{
	size_t n = vocab_count();
	if (n == 0 || n > SORTED_MAX)
		return;
	memcpy(sorted, __start_ponte_vocab, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	nsorted = n;
}

const vocab_table *vocab_find(const char *name)
{
	if (!name)
		return NULL;
	pthread_once(&sorted_once, sort_tables);
	if (nsorted == 0) {
		for (size_t i = 0, n = vocab_count(); i < n; i++)
			if (strcmp(__start_ponte_vocab[i]->name, name) == 0)
				return __start_ponte_vocab[i];
		return NULL;
	}
	size_t lo = 0, hi = nsorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(sorted[mid]->name, name);
		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const vocab_term *vocab_term_of(const vocab_table *v, const char *code)
{
	for (size_t i = 0; v && code && i < v->n; i++)
		if (strcmp(v->terms[i].code, code) == 0)
			return &v->terms[i];
	return NULL;
}

const char *vocab_label(int lang, const char *name, const char *code)
{
	const vocab_term *t = vocab_term_of(vocab_find(name), code);
	return t ? tr(lang, t->label) : code ? code : "";
}

const char *vocab_labels(arena *a, int lang, const char *name, const char *csv, const char *sep)
{
	const vocab_table *v = vocab_find(name);
	buf b;
	buf_init(&b, 8192);
	char code[128];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		snprintf(code, sizeof(code), "%.*s",
			 (int)(len < sizeof(code) - 1 ? len : sizeof(code) - 1), p);
		const vocab_term *t = vocab_term_of(v, code);
		if (len)
			buf_printf(&b, "%s%s", b.len ? sep : "", t ? tr(lang, t->label) : code);
		p += len + (p[len] == ',');
	}
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}
