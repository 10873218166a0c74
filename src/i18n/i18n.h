/*
 * i18n.h: translations, chosen per request.
 *
 * Catalogues are the gettext PO files in po/, compiled into the binary and parsed once at
 * start-up by i18n_init(); after that everything here is read-only and thread-safe. Nothing
 * depends on the system's locales: a request carries its language as an index, so two
 * requests in two languages never share state.
 *
 * Mark strings for translation in C with tr(lang, "text") (and N_("text") where only the
 * marking is needed); templates use {{t "text"}}. `make i18n-check` extracts every marked
 * string and fails if a catalogue lacks one.
 */
#ifndef PONTE_I18N_H
#define PONTE_I18N_H

#include "base/common.h"

/* Supported languages; the first is the fallback. */
enum lang { LANG_EN = 0, LANG_FR, LANG_PT, LANG_ES, LANG_AR, LANG_COUNT };

#define N_(s) (s)

typedef struct lang_info {
	const char *code;        /* BCP 47 primary tag, e.g. "fr" */
	const char *native_name; /* as speakers write it, e.g. "Français" */
	const char *dir;         /* the direction of its script: "ltr" or "rtl" */
} lang_info;

const lang_info *i18n_lang(int lang);

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

/* "fr", "FR", "fr-SN", "pt_PT" → the language; -1 if unsupported. */
int i18n_lang_from_tag(const char *tag, size_t n);
/* The best supported language in an Accept-Language header, or -1. */
int i18n_from_accept_language(const char *header);

/* Choose the language of a request: ?lang= (an explicit choice for this very request), then
 * the signed-in user's preference, then the language cookie, then Accept-Language, then
 * English. Any argument may be NULL. */
int i18n_negotiate(const char *user_pref, const char *query_lang, const char *cookie_lang,
		   const char *accept_language);

#endif
