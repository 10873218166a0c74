/*
 * i18n.h: translations, chosen per request.
 *
 * Catalogues are the gettext PO files in po/, compiled into the binary and parsed once at
 * start-up by i18n_init(). Packs an administrator loads at run time (i18n/pack.h) add
 * languages after the shipped ones (indexes LANG_COUNT and up) or their own words over a
 * shipped catalogue; i18n_apply_packs() builds them into a new table and publishes it at
 * once, so lookups stay lock-free and never touch the database. Nothing depends on the
 * system's locales: a request carries its language as an index, so two requests in two
 * languages never share state.
 *
 * A word is looked for in the language's pack, then its shipped catalogue, then (for a
 * language Ponte does not ship) the instance's second language, then English (the msgid).
 *
 * Mark strings for translation in C with tr(lang, "text") (and N_("text") where only the
 * marking is needed); templates use {{t "text"}}. `make i18n-check` extracts every marked
 * string and fails if a catalogue lacks one.
 */
#ifndef PONTE_I18N_H
#define PONTE_I18N_H

#include "base/common.h"

/* Shipped languages; the first is the fallback. Packs loaded at run time take the indexes
 * from LANG_COUNT to LANG_MAX - 1. */
enum lang { LANG_EN = 0, LANG_FR, LANG_PT, LANG_ES, LANG_AR, LANG_COUNT };
#define LANG_MAX 24
#define PACK_NAME_MAX 64

#define N_(s) (s)

typedef struct lang_info {
	const char *code;        /* BCP 47 primary tag, e.g. "fr" */
	const char *native_name; /* as speakers write it, e.g. "Français" */
	const char *dir;         /* the direction of its script: "ltr" or "rtl" */
} lang_info;

/* A language's code, name and direction; English's for an index that names none. */
const lang_info *i18n_lang(int lang);
/* Whether the language called code ("ar") is written in Arabic script: Arabic, and a pack
 * loaded at run time that reads right to left. Lists sorted for its readers put names in
 * Arabic script first (utf8_collate_arabic_first()). */
bool i18n_arabic_script(const char *code);
/* Languages are 0 .. i18n_lang_count() - 1; those withdrawn since are not active. */
int i18n_lang_count(void);
bool i18n_lang_active(int lang);
/* Whether a pack loaded at run time gives words of this language (its own or overrides). */
bool i18n_lang_has_pack(int lang);
/* The language missing words of a run-time language come from (LANG_EN when none). */
int i18n_second_language(void);
/* A shipped language's plural form for n, and its number of forms. */
int i18n_shipped_plural(int lang, unsigned long n);
int i18n_shipped_nplurals(int lang);

/* Whether msgid is a word of this version (a shipped catalogue translates it), how many
 * words there are, and how many a language translates itself (fallbacks not counted). */
bool i18n_is_word(const char *msgid);
size_t i18n_word_count(void);
size_t i18n_translated_count(int lang);

/* One pack as stored: its code (2 or 3 letters), name in the language itself, direction,
 * Plural-Forms rule (languages Ponte does not ship) and PO text, already validated. */
typedef struct i18n_pack_src {
	const char *code;
	const char *name;
	bool rtl;
	const char *plural_forms;
	const char *po;
	size_t n;
} i18n_pack_src;

/* Replace every run-time pack with these, and set the second language (a shipped code, or
 * NULL/"en" for none). A pack that fails to load is left out, the first reason in err.
 * Returns how many were left out, or a negative error. Thread-safe; lookups in progress
 * keep the table they started with. */
int i18n_apply_packs(const i18n_pack_src *packs, size_t n, const char *second, char *err,
		     size_t errlen);

/* Parse the embedded catalogues. Returns 0, or PONTE_EINVAL with the reason in err. */
int i18n_init(char *err, size_t errlen);
/* For tests and fuzzing: (re)load one catalogue from PO text. */
int i18n_load_catalogue(int lang, const char *po, size_t n, char *err, size_t errlen);
void i18n_shutdown(void);

/* The translation of msgid, or msgid itself when there is none. */
const char *tr(int lang, const char *msgid);
const char *trn(int lang, const char *singular, const char *plural, unsigned long n);
/* Whether the catalogue has a non-empty translation (used by tests). */
bool i18n_has(int lang, const char *msgid);

/* "fr", "FR", "fr-SN", "pt_PT", "ha" (a loaded pack) → the language; -1 if unsupported. */
int i18n_lang_from_tag(const char *tag, size_t n);
/* The best supported language in an Accept-Language header, or -1. */
int i18n_from_accept_language(const char *header);

/* Choose the language of a request: ?lang= (an explicit choice for this very request), then
 * the signed-in user's preference, then the language cookie, then Accept-Language, then
 * English. Any argument may be NULL. */
int i18n_negotiate(const char *user_pref, const char *query_lang, const char *cookie_lang,
		   const char *accept_language);

#endif
