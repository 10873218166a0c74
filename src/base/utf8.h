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
/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s, size_t n);

#endif
