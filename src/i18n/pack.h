/*
 * pack.h: language packs an administrator loads at run time, without a rebuild: the words
 * of a language Ponte does not ship (Hausa, Wolof...), or an instance's own words over a
 * shipped catalogue (a country's legal term: "victime potentielle" for "victime présumée").
 *
 * pack_validate() reads a PO file and refuses it, listing every bad entry with its line,
 * unless: it parses; it is at most PACK_MAX_BYTES with at most PACK_MAX_ENTRIES entries of
 * at most PACK_MAX_STRING bytes each; its header names the language (or the caller does,
 * and both agree) and, for a language Ponte does not ship, gives a Plural-Forms rule
 * (i18n/plural.h); a shipped language's rule, if given, is the one Ponte applies; every
 * translation keeps its English text's placeholders exactly (printf conversions, which may
 * be reordered as %1$s, and {name} / {{name}}; a plural form may leave out the number), has
 * no markup unless the English has the very same tags, no control characters, and no msgid
 * twice. Entries Ponte has no word for (an older or newer version's) are counted and left
 * aside, as are fuzzy and empty ones. What is rendered is escaped by the template engine
 * whatever the pack says.
 *
 * Packs are stored whole in language_packs (pack_store.c), one row per version: each load
 * is a new version (who, when), a roll-back is a new version with an earlier one's words,
 * a withdrawal a version without words. The current version of each language is the
 * highest; pack_reload() builds them into the lookup table (i18n_apply_packs()).
 * Problems' messages are English msgids: translate them with tr() for the reader.
 */
#ifndef PONTE_PACK_H
#define PONTE_PACK_H

#include "base/arena.h"
#include "i18n/i18n.h"
#include "store/store.h"

#define PACK_MAX_BYTES (1u << 20)
#define PACK_MAX_ENTRIES 5000
#define PACK_MAX_STRING 4096
#define PACK_MAX_PROBLEMS 100

typedef struct pack_problem {
	int line;            /* 0: the file as a whole */
	const char *message; /* an English msgid */
	const char *detail;  /* the English text concerned (cut), or NULL */
} pack_problem;

typedef struct pack_report {
	char lang[4];
	char name[PACK_NAME_MAX];
	bool rtl;
	bool shipped;             /* a shipped language: the pack overrides its words */
	const char *plural_forms; /* the header's rule ("" for a shipped language) */
	size_t translated;        /* words of this version the pack translates */
	size_t unknown;           /* entries for texts this version does not have (left aside) */
	size_t untranslated;      /* empty or fuzzy entries (left aside) */
	pack_problem problems[PACK_MAX_PROBLEMS];
	size_t nproblems;
	size_t more_problems; /* beyond PACK_MAX_PROBLEMS */
} pack_report;

/* Validate a PO file. lang may be NULL (the header's Language then decides). 0 when the
 * pack may be stored, PONTE_EINVAL with r->problems otherwise; allocations in a. */
int pack_validate(arena *a, const char *po, size_t n, const char *lang, pack_report *r);

/* The rules on one translation, for tests: its placeholders are the English text's (partial:
 * a plural form, which may leave out names and a lone number), its markup the same tags. */
bool pack_placeholders_match(const char *english, const char *translation, bool partial);
bool pack_markup_match(const char *english, const char *translation);

typedef struct pack_version {
	const char *lang;
	int version;
	const char *name;
	bool rtl;
	const char *action; /* "load", "rollback", "withdraw" */
	int rolled_back_to; /* for a roll-back: the version whose words it restores */
	int64_t entries;
	int64_t loaded_by; /* user id; 0 from the command line */
	const char *loaded_at;
	bool current;
} pack_version;

typedef int (*pack_version_fn)(const pack_version *v, void *ctx);

/* Store a validated pack as its language's next version; *version gets its number. */
int pack_store_add(store *db, const pack_report *r, const char *po, size_t n, int64_t user_id,
		   int *version);
/* A new version of lang with the words of its version `to`; PONTE_ENOTFOUND if none. */
int pack_store_rollback(store *db, const char *lang, int to, int64_t user_id, int *version);
/* A new version of lang without words: the language goes (or its overrides do). */
int pack_store_withdraw(store *db, const char *lang, int64_t user_id, int *version);
/* Every version, by language then newest first (lang NULL), or one language's. */
int pack_store_versions(store *db, arena *a, const char *lang, pack_version_fn fn, void *ctx);
/* Build the current version of every language into the lookup table, with `second` (a
 * shipped code or NULL) for missing words. Returns how many packs were left out (reason
 * in err), or a negative error. */
int pack_reload(store *db, const char *second, char *err, size_t errlen);
/* The same, only when a version was stored or the second language changed since the last
 * reload (one small query): how a server notices a pack the command line loaded. */
int pack_reload_if_changed(store *db, const char *second, char *err, size_t errlen);

#endif
