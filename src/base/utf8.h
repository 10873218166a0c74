/*
 * utf8.h: strict UTF-8 validation.
 *
 * Every string that enters Ponte from outside (paths, queries, forms, headers we read, files
 * we import) is validated before use. "Valid" means RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF. NUL bytes are reported separately because C strings
 * cannot carry them.
 */
#ifndef PONTE_UTF8_H
#define PONTE_UTF8_H

#include "base/common.h"

bool utf8_valid(const char *s, size_t n);
/* Valid UTF-8 with no NUL and no C0 control characters other than tab, LF and CR. */
bool utf8_valid_text(const char *s, size_t n);
/* The code point starting s (n bytes) into *cp: its length in bytes, or 0 when s does not start
 * with a valid sequence (*cp is then unchanged). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s, size_t n);
/* The bytes of the first chars code points of s (n when it has fewer): a cut there never
 * splits a character. */
size_t utf8_prefix(const char *s, size_t n, size_t chars);
/* The plain lower-case letters of a Latin letter with diacritics (U+00C0..U+00FF) starting at
 * p, e.g. "é" → "e", "Æ" → "ae"; NULL when p does not start one (it is then 1 byte, or another
 * character). The fold behind accent-insensitive names and search highlights. */
const char *utf8_fold_latin(const unsigned char *p);
/* Order two names as a dictionary of a Latin-script language does, whatever the locales the
 * system has: letters compare without case and accents first ("Égypte" with E, "Åland"
 * before "Albanie", "Œuf" as "oeuf"), and Arabic as an Arabic dictionary does (أحمد with
 * احمد, vowel marks and the tatweel ignored, ة with ت, ى with ي), then as bytes, so that the
 * order is total. Latin script sorts before Arabic. Other characters compare as their bytes.
 * For qsort-style comparisons (<0, 0, >0). */
int utf8_collate(const char *a, const char *b);
/* utf8_collate() for a page in Arabic script: the reader's own script first, as CLDR's
 * Arabic collation reorders it (Arabic-script names before Latin ones, "مصر" before
 * "Maroc"); within each script, the same order. Digits and punctuation still come first. */
int utf8_collate_arabic_first(const char *a, const char *b);
/* utf8_collate_arabic_first() when arabic_first, else utf8_collate(): for comparators that carry
 * the reader's script as their context (qsort_r). */
int utf8_collate_as(const char *a, const char *b, bool arabic_first);
/* s folded as utf8_collate() compares it (lower case, Latin accents removed, "œ" as "oe",
 * Arabic letters as above)
 * into out (outlen bytes, always NUL-terminated; a letter that does not fit is left out): the
 * form in which a typed part of a name is looked for in a list. */
void utf8_fold(const char *s, char *out, size_t outlen);

#endif
