/* Dates, times and numbers in the reader's language (format.h). The shapes are CLDR's
 * medium date and short time for each language; month abbreviations are CLDR's too. */
#include "i18n/format.h"

#include <ctype.h>

#include "base/clock.h"
#include "base/tz.h"
#include "i18n/i18n.h"

struct shape {
	const char *code;
	const char *months[12]; /* NULL: numeric dd/mm/yyyy */
	const char *date_time;  /* between the date and the time */
	const char *group;      /* thousands separator */
	int min_grouping;       /* digits before grouping starts (CLDR minimumGroupingDigits) */
	const char *decimal;    /* the decimal mark */
	const char *percent;    /* what follows the number of a percentage (CLDR percentFormat) */
};

static const struct shape SHAPES[] = {
	{ "en",
	  { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" },
	  ", ",
	  ",",
	  4,
	  ".",
	  "%" },
	{ "fr",
	  { "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
	    "nov.", "déc." },
	  ", ",
	  "\u202f", /* narrow no-break space */
	  4,
	  ",",
	  "\u202f%" },
	{ "pt", { NULL }, " ", ".", 4, ",", "%" },
	/* CLDR's medium Arabic date is numeric too (dd/MM/y), which the instance's choice of
	 * Eastern Arabic digits then writes ٢٨/١١/٢٠٢٦ (tpl.h). */
	{ "ar", { NULL }, " ", ",", 4, ".", "%" },
	{ "es",
	  { "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic" },
	  ", ",
	  ".",
	  5,
	  ",",
	  "\u00a0%" }, /* a no-break space */
};
static const struct shape NUMERIC = { "", { NULL }, " ", ",", 4, ".", "%" };

static const struct shape *shape_of(int lang);
const char *i18n_number(arena *a, int lang, int64_t n);

static const struct shape *shape_of(int lang)
{
	const char *code = i18n_lang(lang)->code;
	for (size_t i = 0; i < ARRAY_LEN(SHAPES); i++)
		if (strcmp(SHAPES[i].code, code) == 0)
			return &SHAPES[i];
	return &NUMERIC;
}

/* The installation's zone: shared, immutable (tz.h); NULL is UTC. */
static const tz_zone *zone;

void i18n_format_init(void)
{
	__atomic_store_n(&zone, NULL, __ATOMIC_RELEASE);
}

bool i18n_zone_set(const char *name)
{
	const tz_zone *z = tz_get(name);
	if (z)
		__atomic_store_n(&zone, z, __ATOMIC_RELEASE);
	return z != NULL;
}

/* Seconds since the epoch as the installation's wall clock reads them, as if it were UTC. */
static int64_t local_secs(int64_t secs)
{
	return secs + tz_offset(__atomic_load_n(&zone, __ATOMIC_ACQUIRE), secs);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

struct when {
	int64_t y;
	unsigned m, d, hh, mm;
	bool has_time;
};

/* A stored value as a local calendar date and time; false if it is not one. */
static bool read_when(const char *stored, struct when *w)
{
	int64_t ms;
	if (!clock_parse(stored, &ms))
		return false;
	w->has_time = strlen(stored) > 10;
	if (!w->has_time) {
		clock_civil_from_days(ms / 86400000, &w->y, &w->m, &w->d);
		w->hh = w->mm = 0;
		return true;
	}
	int64_t local = local_secs(floor_div(ms, 1000));
	int64_t day = floor_div(local, 86400), rest = local - day * 86400;
	clock_civil_from_days(day, &w->y, &w->m, &w->d);
	w->hh = (unsigned)(rest / 3600);
	w->mm = (unsigned)(rest % 3600 / 60);
	return true;
}

void i18n_today(char out[11])
{
	int64_t day = floor_div(local_secs(floor_div(clock_wall_ms(), 1000)), 86400), y;
	unsigned m, d;
	clock_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04lld-%02u-%02u", (long long)y, m, d);
}

bool i18n_day_of(const char *stored, char out[11])
{
	struct when w;
	out[0] = '\0';
	if (!stored || !read_when(stored, &w))
		return false;
	snprintf(out, 11, "%04lld-%02u-%02u", (long long)w.y, w.m, w.d);
	return true;
}

/* The digits of v, at least width of them (zero first), at p; the end. */
static char *put_digits(char *p, uint64_t v, int width)
{
	char d[24];
	int n = 0;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(d));
	while (n < width && n < (int)sizeof(d))
		d[n++] = '0';
	while (n)
		*p++ = d[--n];
	return p;
}

/* "28 nov. 2026" or "28/11/2026". Written without printf: a list page shows a hundred dates,
 * and printf's parsing of its format was a tenth of the case list's time. */
static const char *date_text(arena *a, const struct shape *s, const struct when *w)
{
	if (w->y < 0)
		return NULL;
	const char *month = s->months[0] ? s->months[w->m - 1] : NULL;
	size_t mlen = month ? strlen(month) : 0;
	char *out = arena_alloc(a, mlen + 3 * 24);
	if (!out)
		return NULL;
	char *p = out;
	if (month) {
		p = put_digits(p, w->d, 1);
		*p++ = ' ';
		memcpy(p, month, mlen);
		p += mlen;
		*p++ = ' ';
		p = put_digits(p, (uint64_t)w->y, 1);
	} else {
		p = put_digits(p, w->d, 2);
		*p++ = '/';
		p = put_digits(p, w->m, 2);
		*p++ = '/';
		p = put_digits(p, (uint64_t)w->y, 4);
	}
	*p = 0;
	return out;
}

bool i18n_day_start(const char *date, int days, char out[CLOCK_RFC3339_LEN])
{
	int64_t ms;
	if (!date || strlen(date) != 10 || !clock_parse(date, &ms))
		return false;
	int64_t y;
	unsigned m, d;
	clock_civil_from_days(ms / 86400000, &y, &m, &d);
	/* Midnight of that day on the installation's wall clock (tz.h: a skipped midnight is
	 * read in the offset before the change). */
	int64_t local = (clock_days_from_civil(y, m, d) + days) * 86400;
	int64_t t = tz_local_to_utc(__atomic_load_n(&zone, __ATOMIC_ACQUIRE), local);
	clock_format_rfc3339(t * 1000, out);
	return true;
}

const char *i18n_date(arena *a, int lang, const char *stored)
{
	struct when w;
	if (!stored || !read_when(stored, &w))
		return stored;
	const char *s = date_text(a, shape_of(lang), &w);
	return s ? s : stored;
}

const char *i18n_datetime(arena *a, int lang, const char *stored)
{
	struct when w;
	if (!stored || !read_when(stored, &w))
		return stored;
	const struct shape *sh = shape_of(lang);
	const char *d = date_text(a, sh, &w);
	if (!d || !w.has_time)
		return d ? d : stored;
	const char *s = arena_printf(a, "%s%s%02u:%02u", d, sh->date_time, w.hh, w.mm);
	return s ? s : stored;
}

/* text with its "{n}" replaced by n as the language writes it. */
static const char *with_number(arena *a, int lang, const char *text, int64_t n)
{
	const char *at = strstr(text, "{n}");
	if (!at)
		return text;
	return arena_printf(a, "%.*s%s%s", (int)(at - text), text, i18n_number(a, lang, n), at + 3);
}

const char *i18n_relative_day(arena *a, int lang, const char *stored, int64_t now_ms)
{
	struct when w;
	if (!stored || !read_when(stored, &w))
		return stored;
	/* Today in the installation's time zone. */
	int64_t today = floor_div(local_secs(floor_div(now_ms, 1000)), 86400);
	int64_t diff = clock_days_from_civil(w.y, w.m, w.d) - today;
	if (diff == 0)
		return tr(lang, N_("today"));
	if (diff == 1)
		return tr(lang, N_("tomorrow"));
	if (diff == -1)
		return tr(lang, N_("yesterday"));
	if (diff > 1 && diff <= 60)
		return with_number(
		    a, lang, trn(lang, "in {n} day", "in {n} days", (unsigned long)diff), diff);
	if (diff < -1 && diff >= -60)
		return with_number(
		    a, lang, trn(lang, "{n} day ago", "{n} days ago", (unsigned long)-diff), -diff);
	return i18n_date(a, lang, stored);
}

const char *i18n_number(arena *a, int lang, int64_t n)
{
	char out[I18N_NUMBER_MAX];
	return arena_strdup(a, i18n_number_to(lang, n, out));
}

const char *i18n_number_to(int lang, int64_t n, char out[I18N_NUMBER_MAX])
{
	const struct shape *s = shape_of(lang);
	char digits[24];
	uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
	size_t o = 0, glen = strlen(s->group);
	if (n < 0)
		out[o++] = '-';
	bool group = len >= s->min_grouping;
	for (int i = 0; i < len; i++) {
		out[o++] = digits[i];
		int left = len - 1 - i;
		if (group && left > 0 && left % 3 == 0) {
			memcpy(out + o, s->group, glen);
			o += glen;
		}
	}
	out[o] = '\0';
	return out;
}

const char *i18n_percent(arena *a, int lang, double percent, int decimals)
{
	const struct shape *s = shape_of(lang);
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	char text[64];
	snprintf(text, sizeof(text), "%.*f", decimals, percent);
	char *dot = strchr(text, '.');
	int64_t whole = (int64_t)strtoll(text, NULL, 10);
	char grouped[I18N_NUMBER_MAX];
	i18n_number_to(lang, whole, grouped);
	/* -0.4 rounds to "-0": the sign is the text's, not the whole part's. */
	const char *sign = text[0] == '-' && whole == 0 ? "-" : "";
	return arena_printf(a, "%s%s%s%s%s", sign, grouped, dot ? s->decimal : "",
			    dot ? dot + 1 : "", s->percent);
}

const char *i18n_before_mark(int lang)
{
	return strcmp(i18n_lang(lang)->code, "fr") == 0 ? "\u202f" : "";
}

/* The month a typed word names in the language: the longest abbreviation it starts with,
 * dots aside ("nov", "novembre", "Nov.", "November"); 0 when none. */
static unsigned month_named(const struct shape *s, const char *w, size_t n)
{
	unsigned best = 0;
	size_t best_len = 0;
	for (unsigned m = 0; m < 12 && s->months[0]; m++) {
		const char *a = s->months[m];
		size_t len = strcspn(a, ".");
		if (len > n || len <= best_len)
			continue;
		bool same = true;
		for (size_t i = 0; i < len && same; i++)
			same = tolower((unsigned char)a[i]) == tolower((unsigned char)w[i]);
		if (same) {
			best = m + 1;
			best_len = len;
		}
	}
	return best;
}

/* typed with Arabic-Indic digits (U+0660..U+0669, as an Arabic keyboard types them, and the
 * Persian U+06F0..U+06F9) written as ASCII digits and the Arabic comma (U+060C) as a comma,
 * into out (n bytes); false when it does not fit. */
static bool western_digits(const char *typed, char *out, size_t n)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)typed; *p; p++) {
		char c = (char)*p;
		if ((p[0] == 0xD9 && p[1] >= 0xA0 && p[1] <= 0xA9) ||
		    (p[0] == 0xDB && p[1] >= 0xB0 && p[1] <= 0xB9)) {
			c = (char)('0' + (p[1] & 0x0F));
			p++;
		} else if (p[0] == 0xD8 && p[1] == 0x8C) {
			c = ',';
			p++;
		}
		if (o + 1 >= n)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

bool i18n_date_read(int lang, const char *typed, char out[11])
{
	char western[64];
	if (!typed || !western_digits(typed, western, sizeof(western)))
		return false;
	typed = western;
	while (*typed == ' ')
		typed++;
	/* Three parts: numbers, or a month's name in the middle. */
	long part[3] = { 0 };
	int digits[3] = { 0 };
	unsigned named = 0;
	size_t np = 0;
	const char *p = typed;
	while (*p && np < 3) {
		if (isdigit((unsigned char)*p)) {
			char *end;
			part[np] = strtol(p, &end, 10);
			digits[np] = (int)(end - p);
			p = end;
			np++;
		} else if (np == 1 && !named && (unsigned char)*p > ' ' && !strchr("/.-,", *p)) {
			const char *w = p;
			while (*p && *p != ' ' && !isdigit((unsigned char)*p))
				p++;
			named = month_named(shape_of(lang), w, (size_t)(p - w));
			if (!named)
				return false;
			part[np++] = named;
		} else if (strchr("/.-, ", *p)) {
			p++;
		} else {
			return false;
		}
	}
	while (*p == ' ')
		p++;
	if (np != 3 || *p)
		return false;
	long y, m, d;
	if (digits[0] == 4 && !named) { /* 2026-11-28, as a date picker sends it */
		y = part[0], m = part[1], d = part[2];
	} else { /* 28/11/2026, 28.11.2026, 28 nov. 2026: the day first, as every language
		  * Ponte speaks writes it */
		d = part[0], m = part[1], y = part[2];
		if (digits[2] != 4)
			return false;
	}
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int64_t day = clock_days_from_civil(y, (unsigned)m, (unsigned)d);
	int64_t yy;
	unsigned mm, dd;
	clock_civil_from_days(day, &yy, &mm, &dd);
	if (yy != y || mm != (unsigned)m || dd != (unsigned)d)
		return false; /* 31/02 */
	snprintf(out, 11, "%04ld-%02ld-%02ld", y, m, d);
	return true;
}
