#include <time.h>

#include "base/clock.h"

uint64_t clock_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t wall_shift_ms;

void clock_wall_shift(int64_t ms)
{
	__atomic_store_n(&wall_shift_ms, ms, __ATOMIC_RELAXED);
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
	       __atomic_load_n(&wall_shift_ms, __ATOMIC_RELAXED);
}

void clock_format_rfc3339(int64_t ms, char out[CLOCK_RFC3339_LEN])
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, CLOCK_RFC3339_LEN, "1970-01-01T00:00:00.000Z");
		return;
	}
	/* Format generously, then keep the fixed-width result (years 0..9999 only). */
	char tmp[96];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (int)(ms % 1000));
	memcpy(out, tmp, CLOCK_RFC3339_LEN - 1);
	out[CLOCK_RFC3339_LEN - 1] = '\0';
}

int64_t clock_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void clock_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool clock_parse(const char *s, int64_t *ms)
{
	if (!s)
		return false;
	int y = digits(s, 4), mo = -1, d = -1, h = 0, mi = 0, sec = 0, frac = 0;
	if (y < 0 || s[4] != '-' || (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1)
		return false;
	static const unsigned char month_days[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > month_days[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	const char *t = s + 10;
	if (*t == 'T' || *t == ' ') {
		if ((h = digits(t + 1, 2)) < 0 || h > 23 || t[3] != ':' ||
		    (mi = digits(t + 4, 2)) < 0 || mi > 59)
			return false;
		t += 6;
		if (*t == ':') {
			if ((sec = digits(t + 1, 2)) < 0 || sec > 60)
				return false;
			t += 3;
			if (*t == '.') {
				int n = 0;
				for (t++; *t >= '0' && *t <= '9'; t++, n++)
					if (n < 3)
						frac = frac * 10 + (*t - '0');
				if (!n)
					return false;
				for (; n < 3; n++)
					frac *= 10;
			}
		}
		if (*t == 'Z')
			t++;
	}
	if (*t)
		return false;
	int64_t days = clock_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + frac;
	return true;
}
