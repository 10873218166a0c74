/*
 * vocab.h: controlled vocabularies, and the one way to say a code in the reader's language.
 *
 * Ponte stores codes ("Feminine", "completed", "knowledge_reviewer") and shows words: the
 * label of a code is an English msgid, translated with tr() when it is shown, so a record
 * written in French reads in Portuguese. Pages keep the code itself where a machine reads it
 * (data- attributes, option values, exports and the API).
 *
 * Each module declares its tables where they live, with VOCABULARY(); the linker gathers
 * every declared vocabulary into one section, so vocab_find() and vocab_at() see all of
 * them without a central list to keep up to date, and the test that walks every page in
 * every language (tests/http/test_http_pages.c) knows every code that must never be shown
 * as text. Tables are constant and read-only: everything here is thread-safe.
 *
 * The linker only takes from libponte.a the files something calls: a vocabulary declared in
 * a file that has nothing else anyone uses would silently not exist. Declare it beside the
 * functions that use it (as languages.c does with language_labels()).
 *
 * Vocabularies kept in the database rather than the code (countries and their names,
 * organisation types' validity, screening lists with their own texts) have their own
 * accessors; country names are identity/identity.h's country_name() and country_list().
 */
#ifndef PONTE_VOCAB_H
#define PONTE_VOCAB_H

#include "base/arena.h"
#include "base/common.h"

typedef struct vocab_term {
	const char *code;
	const char *label; /* English msgid, translated at display */
} vocab_term;

typedef struct vocab_table {
	const char *name; /* e.g. "case.gender"; unique */
	const vocab_term *terms;
	size_t n;
} vocab_table;

/* Declare table (an array of vocab_term) as the vocabulary called name. At file scope. */
#define VOCABULARY(ident, vname, table)                                                            \
	static const vocab_table ident##_vocabulary = { vname, table, ARRAY_LEN(table) };          \
	static const vocab_table *const ident##_vocabulary_entry                                   \
	    __attribute__((used, section("ponte_vocab"))) = &ident##_vocabulary

/* The vocabulary called name, or NULL. */
const vocab_table *vocab_find(const char *name);
/* Every vocabulary linked into the program, in no particular order. */
size_t vocab_count(void);
const vocab_table *vocab_at(size_t i);
/* The term of code in v, or NULL (also for a NULL v or code). */
const vocab_term *vocab_term_of(const vocab_table *v, const char *code);
/* The label of code in the vocabulary called name, in lang; the code itself when the
 * vocabulary does not know it (a code from a newer version, or free text), "" for NULL. */
const char *vocab_label(int lang, const char *name, const char *code);
/* The same for a comma-separated list of codes: labels joined by sep, in the arena. */
const char *vocab_labels(arena *a, int lang, const char *name, const char *csv, const char *sep);

/* ISO 639 codes ("fr", "hau"; comma-separated) as the languages' names in lang
 * (languages.c, the vocabulary "language"). */
const char *language_labels(arena *a, int lang, const char *csv);
/* Whether code is one of the vocabulary "language" (languages.c): what a form that takes a
 * language accepts. Calling it also links the vocabulary in. */
bool language_known(const char *code);

#endif
