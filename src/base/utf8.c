#include "base/utf8.h"

/* Length of the sequence starting at s[0], or 0 if it is not a valid sequence. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0; /* continuation byte, overlong 2-byte lead, or above U+10FFFF */
	size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (c == 0xE0 && s[1] < 0xA0)
		return 0; /* overlong 3-byte */
	if (c == 0xED && s[1] > 0x9F)
		return 0; /* UTF-16 surrogate */
	if (c == 0xF0 && s[1] < 0x90)
		return 0; /* overlong 4-byte */
	if (c == 0xF4 && s[1] > 0x8F)
		return 0; /* above U+10FFFF */
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t len = utf8_sequence(p + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

bool utf8_valid_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
			return false;
	}
	return utf8_valid(s, n);
}

size_t utf8_length(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

size_t utf8_prefix(const char *s, size_t n, size_t chars)
{
	size_t i = 0, count = 0;
	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && count++ == chars)
			break;
	return i;
}

/* Latin letters with diacritics (U+00C0..U+00FF) folded to plain letters, so that "Aïcha",
 * "AICHA" and "aicha" are the same name whatever keyboard typed it. */
static const char *const FOLD_C3[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
	"d", "n", "o", "o", "o", "o", "o",  "x", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
	"d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

const char *utf8_fold_latin(const unsigned char *p)
{
	return p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF ? FOLD_C3[p[1] - 0x80] : NULL;
}
