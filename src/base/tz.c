/* A time zone read from its TZif file into a table (tz.h; RFC 8536). */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/tz.h"

/* One date of a POSIX TZ rule: Jn (1-365, 29 February never counted), n (0-365) or Mm.w.d,
 * at time seconds after local midnight. */
struct rule_date {
	char kind; /* 'J', 'D' or 'M' */
	int n, m, w, d;
	int32_t time;
};

struct rule {
	int32_t std_off, dst_off; /* seconds east of UTC */
	bool has_dst;
	struct rule_date start, end;
};

struct tz_zone {
	size_t ntimes, ntypes;
	int64_t *times; /* ascending */
	uint8_t *idx;   /* the type from times[i] on */
	int32_t *offs;  /* each type's offset */
	bool has_rule;  /* after the last transition, the footer's rule */
	struct rule rule;
};

/* ---- reading the file ----------------------------------------------------------------- */

struct reader {
	const uint8_t *p;
	size_t left;
};

static bool take(struct reader *r, size_t n, const uint8_t **at)
{
	if (n > r->left)
		return false;
	*at = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool read_header(struct reader *r, struct header *h)
{
	const uint8_t *p;
	if (!take(r, 44, &p) || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = (char)p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '4'))
		return false;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return h->typecnt >= 1 && h->typecnt <= TZ_MAX_TYPES && h->timecnt <= TZ_MAX_TIMES &&
	       h->charcnt >= 1 && h->charcnt <= TZ_MAX_TYPES * 8 &&
	       (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
	       (h->isstdcnt == 0 || h->isstdcnt == h->typecnt) && h->leapcnt <= 1000;
}

/* The size of a data block with times of width bytes (4 or 8). */
static size_t block_size(const struct header *h, size_t width)
{
	return (size_t)h->timecnt * width + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
	       (size_t)h->leapcnt * (width + 4) + h->isstdcnt + h->isutcnt;
}

/* ---- the POSIX TZ rule of the footer ------------------------------------------------------ */

static bool parse_name(const char **s)
{
	const char *p = *s;
	if (*p == '<') {
		const char *q = p + 1;
		while (*q && *q != '>' &&
		       ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
			(*q >= '0' && *q <= '9') || *q == '+' || *q == '-'))
			q++;
		if (*q != '>' || q - p - 1 < 3)
			return false;
		*s = q + 1;
		return true;
	}
	const char *q = p;
	while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
		q++;
	if (q - p < 3)
		return false;
	*s = q;
	return true;
}

static bool parse_num(const char **s, int max_digits, int lo, int hi, int *out)
{
	const char *p = *s;
	int v = 0, n = 0;
	while (*p >= '0' && *p <= '9' && n < max_digits) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return false;
	*s = p;
	*out = v;
	return true;
}

/* [+-]hh[:mm[:ss]], hours up to max_hours; seconds into out. */
static bool parse_hms(const char **s, int max_hours, int32_t *out)
{
	const char *p = *s;
	int sign = 1, h, m = 0, sec = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!parse_num(&p, 3, 0, max_hours, &h))
		return false;
	if (*p == ':') {
		p++;
		if (!parse_num(&p, 2, 0, 59, &m))
			return false;
		if (*p == ':') {
			p++;
			if (!parse_num(&p, 2, 0, 59, &sec))
				return false;
		}
	}
	*s = p;
	*out = sign * (h * 3600 + m * 60 + sec);
	return true;
}

static bool parse_date(const char **s, struct rule_date *d)
{
	const char *p = *s;
	memset(d, 0, sizeof(*d));
	if (*p == 'J') {
		p++;
		d->kind = 'J';
		if (!parse_num(&p, 3, 1, 365, &d->n))
			return false;
	} else if (*p == 'M') {
		p++;
		d->kind = 'M';
		if (!parse_num(&p, 2, 1, 12, &d->m) || *p++ != '.' ||
		    !parse_num(&p, 1, 1, 5, &d->w) || *p++ != '.' || !parse_num(&p, 1, 0, 6, &d->d))
			return false;
	} else {
		d->kind = 'D';
		if (!parse_num(&p, 3, 0, 365, &d->n))
			return false;
	}
	d->time = 2 * 3600;
	if (*p == '/') {
		p++;
		if (!parse_hms(&p, 167, &d->time))
			return false;
	}
	*s = p;
	return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]]; an empty footer is no rule. */
static bool parse_rule(const char *s, struct rule *r, bool *has)
{
	*has = false;
	if (!*s)
		return true;
	int32_t off;
	if (!parse_name(&s) || !parse_hms(&s, 24, &off))
		return false;
	r->std_off = -off; /* POSIX counts west of Greenwich */
	r->has_dst = false;
	if (*s) {
		if (!parse_name(&s))
			return false;
		r->dst_off = r->std_off + 3600;
		if (*s != ',') {
			if (!parse_hms(&s, 24, &off))
				return false;
			r->dst_off = -off;
		}
		if (*s++ != ',' || !parse_date(&s, &r->start) || *s++ != ',' ||
		    !parse_date(&s, &r->end) || *s)
			return false;
		r->has_dst = true;
	}
	*has = true;
	return true;
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (days since the epoch) a rule date falls on in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
	int64_t jan1 = clock_days_from_civil(y, 1, 1);
	if (d->kind == 'J')
		return jan1 + d->n - 1 + (leap_year(y) && d->n >= 60 ? 1 : 0);
	if (d->kind == 'D')
		return jan1 + d->n;
	static const int LEN[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int len = LEN[d->m - 1] + (d->m == 2 && leap_year(y) ? 1 : 0);
	int64_t first = clock_days_from_civil(y, (unsigned)d->m, 1);
	int weekday = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	int day = 1 + (d->d - weekday + 7) % 7 + 7 * (d->w - 1);
	while (day > len)
		day -= 7;
	return first + day - 1;
}

static int32_t rule_offset(const struct rule *r, int64_t secs)
{
	if (!r->has_dst)
		return r->std_off;
	int64_t y;
	unsigned m, d;
	int64_t local = secs + r->std_off;
	clock_civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &d);
	/* The start is given in standard time, the end in summer time. */
	int64_t start = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	int64_t end = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	bool dst = start < end ? secs >= start && secs < end : !(secs >= end && secs < start);
	return dst ? r->dst_off : r->std_off;
}

/* ---- the zone ------------------------------------------------------------------------------ */

int tz_parse(const void *data, size_t n, tz_zone **out)
{
	*out = NULL;
	if (!data || n > TZ_FILE_MAX)
		return PONTE_EINVAL;
	struct reader r = { data, n };
	struct header h;
	const uint8_t *block;
	if (!read_header(&r, &h) || !take(&r, block_size(&h, 4), &block))
		return PONTE_EINVAL;
	size_t width = 4;
	if (h.version) { /* the 64-bit block that follows is the one to read */
		if (!read_header(&r, &h) || !take(&r, block_size(&h, 8), &block))
			return PONTE_EINVAL;
		width = 8;
	}
	if (h.leapcnt)
		return PONTE_EINVAL;
	struct rule rule = { 0 };
	bool has_rule = false;
	if (h.version) {
		/* "\n" rule "\n", the rule at most 256 bytes */
		const uint8_t *nl;
		char text[257];
		if (!take(&r, 1, &nl) || *nl != '\n')
			return PONTE_EINVAL;
		size_t len = 0;
		while (len < r.left && r.p[len] != '\n')
			len++;
		if (len >= r.left || len >= sizeof(text) || memchr(r.p, '\0', len))
			return PONTE_EINVAL;
		memcpy(text, r.p, len);
		text[len] = '\0';
		if (!parse_rule(text, &rule, &has_rule))
			return PONTE_EINVAL;
	}
	size_t bytes = sizeof(tz_zone) + (size_t)h.timecnt * (sizeof(int64_t) + 1) +
		       (size_t)h.typecnt * sizeof(int32_t);
	tz_zone *z = calloc(1, bytes);
	if (!z)
		return PONTE_ENOMEM;
	z->ntimes = h.timecnt;
	z->ntypes = h.typecnt;
	z->times = (int64_t *)(z + 1);
	z->offs = (int32_t *)(z->times + h.timecnt);
	z->idx = (uint8_t *)(z->offs + h.typecnt);
	z->has_rule = has_rule;
	z->rule = rule;
	const uint8_t *p = block;
	for (size_t i = 0; i < h.timecnt; i++, p += width) {
		z->times[i] = width == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			goto bad;
	}
	for (size_t i = 0; i < h.timecnt; i++, p++) {
		if (*p >= h.typecnt)
			goto bad;
		z->idx[i] = *p;
	}
	for (size_t i = 0; i < h.typecnt; i++, p += 6) {
		int32_t off = (int32_t)be32(p);
		/* RFC 8536: -89999 to 93599 (less than 25 hours either side); isdst 0 or 1; the
		 * designation's index within the characters. */
		if (off < -89999 || off > 93599 || p[4] > 1 || p[5] >= h.charcnt)
			goto bad;
		z->offs[i] = off;
	}
	*out = z;
	return 0;
bad:
	free(z);
	return PONTE_EINVAL;
}

void tz_free(tz_zone *z)
{
	free(z);
}

int32_t tz_offset(const tz_zone *z, int64_t secs)
{
	if (!z)
		return 0;
	if (z->ntimes == 0 || secs < z->times[0])
		return z->ntimes == 0 && z->has_rule ? rule_offset(&z->rule, secs) : z->offs[0];
	size_t lo = 0, hi = z->ntimes; /* the last transition at or before secs */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= secs)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == z->ntimes - 1 && z->has_rule)
		return rule_offset(&z->rule, secs);
	return z->offs[z->idx[lo]];
}

int64_t tz_local_to_utc(const tz_zone *z, int64_t local_secs)
{
	/* First the offset a day earlier (before any change near this time): a time that happens
	 * twice is its first occurrence, a skipped time is read in the offset before the change. */
	int32_t before = tz_offset(z, local_secs - 86400);
	int64_t guess = local_secs - before;
	int32_t at = tz_offset(z, guess);
	if (at == before)
		return guess;
	int64_t other = local_secs - at;
	return tz_offset(z, other) == at ? other : guess;
}

bool tz_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= TZ_NAME_MAX)
		return false;
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '/') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (start && (c == '.' || c == '-'))
			return false;
		start = false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return !start;
}

static tz_zone *load(const char *name)
{
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 1];
	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	tz_zone *z = NULL;
	uint8_t *data = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= TZ_FILE_MAX && (data = malloc((size_t)st.st_size))) {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t k = read(fd, data + got, (size_t)st.st_size - got);
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (got == (size_t)st.st_size && tz_parse(data, got, &z))
			z = NULL;
	}
	free(data);
	close(fd);
	return z;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[TZ_NAME_MAX];
	tz_zone *zone;
} cache[TZ_CACHE_MAX];
static size_t cached;

const tz_zone *tz_get(const char *name)
{
	if (!tz_name_valid(name))
		return NULL;
	pthread_mutex_lock(&cache_lock);
	const tz_zone *z = NULL;
	for (size_t i = 0; i < cached && !z; i++)
		if (!strcmp(cache[i].name, name))
			z = cache[i].zone;
	if (!z && cached < TZ_CACHE_MAX) {
		tz_zone *loaded = NULL;
		if (strcmp(name, "UTC") != 0) {
			loaded = load(name);
		} else if ((loaded = calloc(1, sizeof(tz_zone) + sizeof(int32_t)))) {
			loaded->ntypes = 1; /* one type, offset 0, no transitions */
			loaded->offs = (int32_t *)(loaded + 1);
		}
		if (loaded) {
			snprintf(cache[cached].name, TZ_NAME_MAX, "%s", name);
			cache[cached++].zone = loaded;
			z = loaded;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return z;
}
