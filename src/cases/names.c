/* names.c: the search keys of a person's names (see the names section of cases.h and
 * docs/cases.md, "Finding a person"). Pure functions: no database, no keys. */
#include "base/utf8.h"
#include "cases/cases.h"

/* ---- letters: fold to plain lower-case Latin, or to one Arabic form ---- */

/* U+00C0..U+017F folded to plain letters ("" drops the character). */
static const char *const FOLD_LATIN1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
	"d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
	"d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};
/* U+0100..U+017F, by pairs of capital and small letter, as one letter each. */
static const char FOLD_EXT_A[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii"
				 "jjjjkkklllllllllllnnnnnnnnnoooooo"
				 "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* Arabic letters U+0621..U+064A: the form kept in a token (as a code point, 0 to drop) and
 * the sound class of the skeleton ('V' a vowel, or the Latin class letter). */
static const struct arabic_letter {
	uint32_t form;
	char cls;
} ARABIC[] = {
	/* 0621 ء */ { 0, 'V' },
	/* 0622 آ */ { 0x0627, 'V' },
	/* 0623 أ */ { 0x0627, 'V' },
	/* 0624 ؤ */ { 0x0648, 'V' },
	/* 0625 إ */ { 0x0627, 'V' },
	/* 0626 ئ */ { 0x064A, 'V' },
	/* 0627 ا */ { 0x0627, 'V' },
	/* 0628 ب */ { 0x0628, 'b' },
	/* 0629 ة */ { 0x0647, 'h' },
	/* 062A ت */ { 0x062A, 't' },
	/* 062B ث */ { 0x062B, 't' },
	/* 062C ج */ { 0x062C, 'j' },
	/* 062D ح */ { 0x062D, 'h' },
	/* 062E خ */ { 0x062E, 'h' },
	/* 062F د */ { 0x062F, 't' },
	/* 0630 ذ */ { 0x0630, 't' },
	/* 0631 ر */ { 0x0631, 'r' },
	/* 0632 ز */ { 0x0632, 's' },
	/* 0633 س */ { 0x0633, 's' },
	/* 0634 ش */ { 0x0634, 'x' },
	/* 0635 ص */ { 0x0635, 's' },
	/* 0636 ض */ { 0x0636, 't' },
	/* 0637 ط */ { 0x0637, 't' },
	/* 0638 ظ */ { 0x0638, 's' },
	/* 0639 ع */ { 0x0639, 'V' },
	/* 063A غ */ { 0x063A, 'g' },
	/* 063B..063F */ { 0, 0 },     { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 },
	/* 0640 ـ tatweel */ { 0, 0 },
	/* 0641 ف */ { 0x0641, 'f' },
	/* 0642 ق */ { 0x0642, 'k' },
	/* 0643 ك */ { 0x0643, 'k' },
	/* 0644 ل */ { 0x0644, 'l' },
	/* 0645 م */ { 0x0645, 'm' },
	/* 0646 ن */ { 0x0646, 'n' },
	/* 0647 ه */ { 0x0647, 'h' },
	/* 0648 و */ { 0x0648, 'V' },
	/* 0649 ى */ { 0x064A, 'V' },
	/* 064A ي */ { 0x064A, 'V' },
};

/* What a code point is to a name. */
enum letter_kind { L_SEPARATOR, L_APOSTROPHE, L_SKIP, L_LATIN, L_ARABIC, L_OTHER };

/* Classify cp; for a Latin letter, its folded form into latin (at most 3 bytes and a NUL);
 * for an Arabic letter, its normalised code point into *arabic. */
static enum letter_kind classify(uint32_t cp, char latin[4], uint32_t *arabic)
{
	latin[0] = '\0';
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
		latin[0] = (char)(cp | 0x20);
		latin[1] = '\0';
		return L_LATIN;
	}
	if (cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC ||
	    cp == 0x02BB || cp == 0x02BE || cp == 0x02BF || cp == 0x00B4)
		return L_APOSTROPHE;
	if (cp >= 0xC0 && cp <= 0xFF) {
		snprintf(latin, 4, "%s", FOLD_LATIN1[cp - 0xC0]);
		return latin[0] ? L_LATIN : L_SEPARATOR;
	}
	if (cp >= 0x100 && cp <= 0x17F) {
		if (cp == 0x132 || cp == 0x133) {
			snprintf(latin, 4, "ij");
		} else if (cp == 0x152 || cp == 0x153) {
			snprintf(latin, 4, "oe");
		} else {
			latin[0] = FOLD_EXT_A[cp - 0x100];
			latin[1] = '\0';
		}
		return L_LATIN;
	}
	/* Letters of West African alphabets (Hausa, Fulfulde, Wolof, Yoruba, Ewe...) and the dots
	 * and lines under letters of Arabic transliteration, to their plain letters. */
	static const struct {
		uint32_t cp;
		char latin[3];
	} extra[] = {
		{ 0x0181, "b" },  { 0x0253, "b" },  { 0x018A, "d" }, { 0x0257, "d" },
		{ 0x0198, "k" },  { 0x0199, "k" },  { 0x01B3, "y" }, { 0x01B4, "y" },
		{ 0x0190, "e" },  { 0x025B, "e" },  { 0x0186, "o" }, { 0x0254, "o" },
		{ 0x019D, "ny" }, { 0x0272, "ny" }, { 0x01DD, "e" }, { 0x0259, "e" },
		{ 0x1E0C, "d" },  { 0x1E0D, "d" },  { 0x1E0E, "d" }, { 0x1E0F, "d" },
		{ 0x1E24, "h" },  { 0x1E25, "h" },  { 0x1E2A, "h" }, { 0x1E2B, "h" },
		{ 0x1E96, "h" },  { 0x1E62, "s" },  { 0x1E63, "s" }, { 0x1E6C, "t" },
		{ 0x1E6D, "t" },  { 0x1E6E, "t" },  { 0x1E6F, "t" }, { 0x1E92, "z" },
		{ 0x1E93, "z" },  { 0x1EB8, "e" },  { 0x1EB9, "e" }, { 0x1ECC, "o" },
		{ 0x1ECD, "o" },  { 0x1EBC, "e" },  { 0x1EBD, "e" }, { 0x1E44, "n" },
		{ 0x1E45, "n" },  { 0x1E46, "n" },  { 0x1E47, "n" }, { 0x1E94, "z" },
		{ 0x1E95, "z" },
	};
	for (size_t i = 0; i < ARRAY_LEN(extra); i++)
		if (extra[i].cp == cp) {
			snprintf(latin, 4, "%s", extra[i].latin);
			return L_LATIN;
		}
	/* Combining marks (a name typed decomposed), Arabic harakat, tashkeel and tatweel. */
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 ||
	    cp == 0x0640 || (cp >= 0x06D6 && cp <= 0x06ED) || cp == 0x200C || cp == 0x200D ||
	    cp == 0x200E || cp == 0x200F)
		return L_SKIP;
	if (cp >= 0x0621 && cp <= 0x064A) {
		*arabic = ARABIC[cp - 0x0621].form;
		return *arabic || ARABIC[cp - 0x0621].cls ? L_ARABIC : L_SKIP;
	}
	/* Persian and Urdu forms of Arabic letters, and the wasla alef. */
	static const uint32_t arabic_extra[][2] = {
		{ 0x0671, 0x0627 }, { 0x06CC, 0x064A }, { 0x06A9, 0x0643 }, { 0x06AF, 0x06AF },
		{ 0x067E, 0x067E }, { 0x0686, 0x0686 }, { 0x0698, 0x0698 }, { 0x06C1, 0x0647 },
		{ 0x06D5, 0x0647 }, { 0x06BE, 0x0647 },
	};
	for (size_t i = 0; i < ARRAY_LEN(arabic_extra); i++)
		if (arabic_extra[i][0] == cp) {
			*arabic = arabic_extra[i][1];
			return L_ARABIC;
		}
	if (cp < 0x80 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x0600 && cp <= 0x06FF) ||
	    cp == 0xA0 || cp == 0x3000)
		return L_SEPARATOR; /* spaces, digits, punctuation, Arabic digits and marks */
	return L_OTHER;
}

/* The sound class of an Arabic code point (as classify() leaves them). */
static char arabic_class(uint32_t cp)
{
	if (cp >= 0x0621 && cp <= 0x064A)
		return ARABIC[cp - 0x0621].cls;
	switch (cp) {
	case 0x06AF: return 'g';
	case 0x067E: return 'p';
	case 0x0686: return 'x';
	case 0x0698: return 'j';
	}
	return 0;
}

/* ---- tokens ---- */

#define TOKEN_BYTES 96
#define TOKENS_MAX 12

typedef struct token {
	char s[TOKEN_BYTES];
	size_t len;
	unsigned letters;
	bool arabic; /* Arabic script (else Latin, or another script kept as typed) */
	int field;   /* 0 first name, 1 second name (a query is one field) */
} token;

typedef struct tokens {
	token t[TOKENS_MAX];
	size_t n;
} tokens;

static void put_cp(token *t, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (t->len + n >= sizeof(t->s))
		return; /* a name part longer than a token holds is cut, never overrun */
	memcpy(t->s + t->len, u, n);
	t->len += n;
	t->s[t->len] = '\0';
	t->letters++;
}

static void end_token(tokens *ts)
{
	if (ts->n < TOKENS_MAX && ts->t[ts->n].letters)
		ts->n++;
	if (ts->n < TOKENS_MAX)
		memset(&ts->t[ts->n], 0, sizeof(ts->t[ts->n]));
}

/* Split one field into folded tokens. Spaces, hyphens and punctuation separate; a change of
 * script separates. An apostrophe after one letter is French elision: d' and l' are dropped
 * as particles ("d'Almeida"), n' and m' join the name ("N'Diaye" is "ndiaye"); inside a
 * longer word it marks an ain or a hamza in transliteration ("Sa'id" is "said"). */
static void split(tokens *ts, const char *s, int field)
{
	if (ts->n < TOKENS_MAX)
		memset(&ts->t[ts->n], 0, sizeof(ts->t[ts->n]));
	size_t n = strlen(s);
	for (size_t i = 0; i < n && ts->n < TOKENS_MAX;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k) { /* not UTF-8: the byte separates */
			end_token(ts);
			i++;
			continue;
		}
		i += k;
		token *t = &ts->t[ts->n];
		char latin[4];
		uint32_t ar = 0;
		enum letter_kind kind = classify(cp, latin, &ar);
		if (kind == L_SKIP)
			continue;
		if (kind == L_APOSTROPHE) {
			if (t->letters == 1 && !t->arabic && (t->s[0] == 'd' || t->s[0] == 'l')) {
				memset(t, 0, sizeof(*t));
			}
			continue; /* otherwise the word goes on */
		}
		if (kind == L_SEPARATOR) {
			end_token(ts);
			continue;
		}
		bool arabic = kind == L_ARABIC;
		if (t->letters && (t->arabic != arabic)) {
			end_token(ts);
			if (ts->n >= TOKENS_MAX)
				break;
			t = &ts->t[ts->n];
		}
		t->arabic = arabic;
		t->field = field;
		if (arabic) {
			put_cp(t, ar);
		} else if (kind == L_LATIN) {
			for (const char *l = latin; *l; l++)
				put_cp(t, (unsigned char)*l);
		} else {
			put_cp(t, cp); /* another script: kept as typed, found only as typed */
		}
	}
	end_token(ts);
}

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Words between names that say "son of", "daughter of", "of", "the", "and": ould (Moorish
 * Hassaniya), ag and welet (Tamasheq), ben, bin, ibn, bint, mint (Arabic), dos, da, de, das,
 * do, du, del, e, y (Portuguese, French, Spanish), el and al (the Arabic article written
 * apart); and the same in Arabic script. */
static const char *const PARTICLES[] = {
	"ould", "ag", "welet", "walet", "ben", "bin", "ibn", "bint",  "mint", "dos",
	"da",   "de", "das",   "do",    "du",  "des", "del", "della", "e",    "y",
	"el",   "al", "ul",    "wuld",  "ولد", "بن",  "ابن", "بنت",   "ال",   NULL,
};
/* First halves of composed names ("Abd al-Qadir", "Abou Bakr"), joined with what follows. */
static const char *const FIRST_HALVES[] = {
	"abd",   "abdel", "abdal", "abdul", "abdoul", "abdel", "abdil",
	"abdol", "abu",   "abou",  "abo",   "عبد",    "ابو",   NULL,
};

static bool is_particle(const token *t)
{
	return is_one_of(t->s, PARTICLES);
}

/* ---- skeleton: the consonants of a name as they sound ---- */

static bool latin_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'w';
}

/* Latin letters to sound classes: consonant classes are letters, 'V' any vowel. */
static size_t latin_stream(const char *s, char *out, size_t max)
{
	size_t o = 0, n = strlen(s);
	for (size_t i = 0; i < n && o + 1 < max;) {
		char c = s[i], c1 = i + 1 < n ? s[i + 1] : 0, c2 = i + 2 < n ? s[i + 2] : 0;
		char cls = 0;
		size_t step = 1;
		if ((c == 't' || c == 's') && c1 == 'c' && c2 == 'h') {
			cls = 'x', step = 3; /* Tchiroma, Schmidt */
		} else if ((c == 's' || c == 'c') && c1 == 'h') {
			cls = 'x', step = 2; /* Aicha, Aisha */
		} else if (c == 'x') {
			cls = 'x'; /* Xavier, Xadi */
		} else if (c == 'k' && c1 == 'h') {
			cls = 'h', step = 2; /* Khadija: خ */
		} else if (c == 'g' && c1 == 'h') {
			cls = 'g', step = 2; /* Ghali: غ */
		} else if (c == 'p' && c1 == 'h') {
			cls = 'f', step = 2;
		} else if ((c == 't' || c == 'd') && c1 == 'h') {
			cls = 't', step = 2; /* Othman: ث, Dhahabi: ذ */
		} else if (c == 'd' && c1 == 'j') {
			cls = 'j', step = 2; /* Djibril */
		} else if (c == 'd' && c1 == 'i' && latin_vowel(c2) &&
			   (i == 0 || s[i - 1] == 'n')) {
			cls = 'j', step = 2; /* Diallo and Jallow, Ndiaye and Njie */
		} else if ((c == 'n' || c == 'l') && c1 == 'h') {
			cls = c, step = 2; /* Portuguese nh, lh */
		} else if (c == 'c' && c1 == 'k') {
			cls = 'k', step = 2;
		} else if (c == 'c') {
			cls = c1 == 'e' || c1 == 'i' || c1 == 'y' ? 's' : 'k';
		} else if (c == 'q') {
			cls = 'k';
		} else if (c == 'z') {
			cls = 's';
		} else if (c == 'd') {
			cls = 't'; /* Fadima and Fatima, Mahamat and Mohamed */
		} else if (latin_vowel(c)) {
			cls = 'V';
		} else if (c >= 'a' && c <= 'z') {
			cls = c;
		}
		if (cls)
			out[o++] = cls;
		i += step;
	}
	out[o] = '\0';
	return o;
}

static size_t arabic_stream(const char *s, char *out, size_t max)
{
	size_t o = 0, n = strlen(s);
	for (size_t i = 0; i < n && o + 1 < max;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k)
			break;
		i += k;
		char cls = arabic_class(cp);
		if (cls)
			out[o++] = cls;
	}
	out[o] = '\0';
	return o;
}

/* The skeleton of a token ("" when it has none): the sound classes with doubled ones as one,
 * vowels dropped but for a leading one (written 'a'), and a last h dropped. */
static void skeleton(const token *t, char *out, size_t max)
{
	char stream[TOKEN_BYTES];
	size_t n = t->arabic ? arabic_stream(t->s, stream, sizeof(stream))
			     : latin_stream(t->s, stream, sizeof(stream));
	size_t o = 0;
	char last = 0;
	for (size_t i = 0; i < n && o + 1 < max; i++) {
		char c = stream[i];
		if (c == last)
			continue;
		last = c;
		if (c == 'V') {
			if (i == 0)
				out[o++] = 'a';
			continue;
		}
		out[o++] = c;
	}
	if (o > 1 && out[o - 1] == 'h')
		o--;
	out[o] = '\0';
}

/* ---- keys ---- */

static void add_key(name_keys *k, char kind, int unit, const char *text, size_t len)
{
	if (!len || len >= NAME_KEY_TEXT)
		return;
	for (size_t i = 0; i < k->n; i++)
		if (k->items[i].kind == kind && !strncmp(k->items[i].text, text, len) &&
		    !k->items[i].text[len]) {
			/* One key, the unit that weighs it most; for a query, the first unit. */
			return;
		}
	if (k->n >= NAME_KEYS_MAX)
		return;
	name_key *x = &k->items[k->n++];
	x->kind = kind;
	x->unit = unit;
	memcpy(x->text, text, len);
	x->text[len] = '\0';
}

/* A token without the Arabic article written joined ("الأمين" as "امين"), when enough of it
 * remains. */
static const char *without_article(const token *t)
{
	static const char AL[] = "\xD8\xA7\xD9\x84"; /* ال */
	if (t->arabic && t->letters >= 4 && !strncmp(t->s, AL, 4))
		return t->s + 4;
	return t->s;
}

static void token_keys(name_keys *k, int unit, const token *t, const char *text, bool query)
{
	token bare = *t;
	if (text != t->s) {
		snprintf(bare.s, sizeof(bare.s), "%s", text);
		bare.len = strlen(bare.s);
		bare.letters = (unsigned)utf8_length(bare.s, bare.len);
	}
	add_key(k, NAME_KEY_TOKEN, unit, bare.s, bare.len);
	char sk[NAME_KEY_TEXT];
	skeleton(&bare, sk, sizeof(sk));
	if (strlen(sk) >= 2)
		add_key(k, NAME_KEY_SKELETON, unit, sk, strlen(sk));
	/* Prefixes for names typed in part: a name keeps its first 3 and 4 letters, a query
	 * the longest of them it has. */
	for (unsigned len = 3; len <= 4; len++) {
		if (bare.letters < len || (query && len == 3 && bare.letters >= 4))
			continue;
		add_key(k, NAME_KEY_PREFIX, unit, bare.s, utf8_prefix(bare.s, bare.len, len));
	}
}

static void fill_keys(const tokens *ts, bool query, name_keys *k)
{
	memset(k, 0, sizeof(*k));
	/* Particles are dropped unless a field holds nothing else ("Ben" as a first name). */
	bool keep[TOKENS_MAX];
	for (int field = 0; field < 2; field++) {
		bool only = true;
		for (size_t i = 0; i < ts->n; i++)
			if (ts->t[i].field == field && !is_particle(&ts->t[i]))
				only = false;
		for (size_t i = 0; i < ts->n; i++)
			if (ts->t[i].field == field)
				keep[i] = only || !is_particle(&ts->t[i]);
	}
	int unit = 0;
	for (size_t i = 0; i < ts->n && unit < NAME_UNITS_MAX; i++) {
		const token *t = &ts->t[i];
		if (!keep[i])
			continue;
		/* "Abd al-Qadir", "Abdel Kader", "عبد الله", "Abou Bakr": the joined name (as
		 * written joined, "Abdelkader", "عبدالله"), and each half alone. */
		size_t j = i + 1;
		if (is_one_of(t->s, FIRST_HALVES) && j < ts->n && ts->t[j].field == t->field &&
		    ts->t[j].arabic == t->arabic) {
			bool article = (!strcmp(ts->t[j].s, "el") || !strcmp(ts->t[j].s, "al") ||
					!strcmp(ts->t[j].s, "ul"));
			if (article && j + 1 < ts->n && ts->t[j + 1].field == t->field &&
			    ts->t[j + 1].arabic == t->arabic)
				j++;
			else
				article = false;
			if (!is_particle(&ts->t[j])) {
				token joined = *t;
				snprintf(joined.s, sizeof(joined.s), "%s%s%s", t->s,
					 article ? ts->t[j - 1].s : "", ts->t[j].s);
				joined.len = strlen(joined.s);
				joined.letters = (unsigned)utf8_length(joined.s, joined.len);
				/* Only the joined form's token and skeleton: its prefix is the first
				 * half's. */
				add_key(k, NAME_KEY_TOKEN, unit, joined.s, joined.len);
				char sk[NAME_KEY_TEXT];
				skeleton(&joined, sk, sizeof(sk));
				if (strlen(sk) >= 2)
					add_key(k, NAME_KEY_SKELETON, unit, sk, strlen(sk));
				if (++unit >= NAME_UNITS_MAX)
					break;
				token_keys(k, unit++, t, t->s, query);
				if (unit >= NAME_UNITS_MAX)
					break;
				token_keys(k, unit++, &ts->t[j], without_article(&ts->t[j]), query);
				i = j;
				continue;
			}
		}
		token_keys(k, unit++, t, without_article(t), query);
	}
	k->units = unit;
}

void name_keys_of(const char *first, const char *second, name_keys *out)
{
	tokens ts = { .n = 0 };
	split(&ts, first ? first : "", 0);
	split(&ts, second ? second : "", 1);
	fill_keys(&ts, false, out);
}

void name_keys_of_query(const char *query, name_keys *out)
{
	tokens ts = { .n = 0 };
	split(&ts, query ? query : "", 0);
	fill_keys(&ts, true, out);
}

int name_key_weight(char kind)
{
	return kind == NAME_KEY_TOKEN ? 4 : kind == NAME_KEY_SKELETON ? 2 : 1;
}

void name_key_hash(const crypto_keyring *keys, const name_key *k,
		   unsigned char out[NAME_KEY_HASH_BYTES])
{
	char input[NAME_KEY_TEXT + 2];
	int n = snprintf(input, sizeof(input), "%c:%s", k->kind, k->text);
	unsigned char full[CRYPTO_HASH_BYTES];
	crypto_blind_index(keys, NAME_KEY_PURPOSE, input, (size_t)n, full);
	memcpy(out, full, NAME_KEY_HASH_BYTES);
	crypto_wipe(full, sizeof(full));
}
