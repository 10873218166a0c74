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

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = n ? utf8_sequence(p, n) : 0;
	static const unsigned char LEAD_MASK[5] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	if (len) {
		uint32_t v = p[0] & LEAD_MASK[len];
		for (size_t i = 1; i < len; i++)
			v = (v << 6) | (p[i] & 0x3F);
		*cp = v;
	}
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

/* An Arabic letter (U+0600..U+06FF) as an Arabic dictionary orders it, CLDR's Arabic
 * collation at its first level: the hamza and madda carried by alef, waw and yeh are marks on
 * that letter (أحمد and احمد together), teh marbuta sorts with teh and alef maksura with yeh,
 * Persian keheh and Farsi yeh as Arabic kaf and yeh, short vowels, shadda and the tatweel
 * (a stretching stroke) are nothing, Arabic-Indic digits are digits. What is left is ordered
 * by its code point, which in this block is the alphabet's order (ء ا ب ت ... ن ه و ي).
 * Returns the code point to compare, 0 for nothing. */
static uint32_t fold_arabic(uint32_t c)
{
	switch (c) {
	case 0x0622: /* آ */
	case 0x0623: /* أ */
	case 0x0625: /* إ */
	case 0x0671: /* ٱ */ return 0x0627;
	case 0x0624: /* ؤ */ return 0x0648;
	case 0x0626: /* ئ */
	case 0x0649: /* ى */
	case 0x06CC: /* ی */ return 0x064A;
	case 0x0629: /* ة */ return 0x062A;
	case 0x06A9: /* ک */ return 0x0643;
	case 0x0640: /* ـ */
	case 0x0670: /* superscript alef */ return 0;
	default: break;
	}
	if (c >= 0x064B && c <= 0x065F) /* harakat, shadda, sukun, hamza marks */
		return 0;
	if (c >= 0x0660 && c <= 0x0669)
		return '0' + (c - 0x0660);
	if (c >= 0x06F0 && c <= 0x06F9) /* Eastern Arabic-Indic (Persian, Urdu) digits */
		return '0' + (c - 0x06F0);
	return c;
}

/* out (at least 3 bytes) as the UTF-8 of c, below U+0800; empty for 0. */
static void encode_short(uint32_t c, char out[4])
{
	if (!c) {
		out[0] = '\0';
	} else if (c < 0x80) {
		out[0] = (char)c;
		out[1] = '\0';
	} else {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		out[2] = '\0';
	}
}

/* The next letter of *p folded (lower case, no accent) into out (at most 3 bytes and a NUL),
 * advancing *p past it. */
static void fold_next(const unsigned char **p, char out[4])
{
	const unsigned char *s = *p;
	const char *f = utf8_fold_latin(s);
	uint32_t c;
	if (s[0] >= 0xD8 && s[0] <= 0xDB && utf8_decode((const char *)s, 2, &c) == 2) {
		encode_short(fold_arabic(c), out);
		*p = s + 2;
	} else if (f) {
		snprintf(out, 4, "%s", f);
		*p = s + 2;
	} else if (s[0] == 0xC5 && (s[1] == 0x92 || s[1] == 0x93)) { /* Œ œ */
		snprintf(out, 4, "oe");
		*p = s + 2;
	} else {
		out[0] = (char)(s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32 : s[0]);
		out[1] = '\0';
		*p = s + 1;
	}
}

void utf8_fold(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	if (!outlen)
		return;
	while (p && *p) {
		char f[4];
		fold_next(&p, f);
		size_t n = strlen(f);
		if (o + n >= outlen)
			break;
		memcpy(out + o, f, n);
		o += n;
	}
	out[o] = '\0';
}

/* A folded byte's place in the order, one to one: the byte's own order, except that with
 * arabic_first the lead byte of an Arabic letter (0xD8..0xDB, U+0600..U+06FF) comes just
 * before the Latin letters (folded to 'a'..'z'), after digits and punctuation. */
static unsigned rank(unsigned char x, bool arabic_first)
{
	if (arabic_first && x >= 0xD8 && x <= 0xDB)
		return ((unsigned)'a' << 3) - 4 + (unsigned)(x - 0xD8);
	return (unsigned)x << 3;
}

static int collate(const char *a, const char *b, bool arabic_first)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	char fa[4] = "", fb[4] = "";
	size_t ia = 0, ib = 0; /* position in the folded letter of each side */
	for (;;) {
		if (!fa[ia]) { /* the next letter, skipping any that folds to nothing (÷) */
			ia = 0;
			fa[0] = '\0';
			while (*p && !fa[0])
				fold_next(&p, fa);
		}
		if (!fb[ib]) { /* the next letter, skipping any that folds to nothing (÷) */
			ib = 0;
			fb[0] = '\0';
			while (*q && !fb[0])
				fold_next(&q, fb);
		}
		unsigned char x = (unsigned char)fa[ia], y = (unsigned char)fb[ib];
		if (x != y)
			return rank(x, arabic_first) < rank(y, arabic_first) ? -1 : 1;
		if (!x)
			break;
		ia++;
		ib++;
	}
	return strcmp(a, b);
}

int utf8_collate(const char *a, const char *b)
{
	return collate(a, b, false);
}

int utf8_collate_arabic_first(const char *a, const char *b)
{
	return collate(a, b, true);
}

int utf8_collate_as(const char *a, const char *b, bool arabic_first)
{
	return collate(a, b, arabic_first);
}
