/*
 * clock.h: time as Ponte stores and prints it.
 *
 * Stored and logged times are UTC, RFC 3339 with milliseconds ("2026-11-28T09:15:02.123Z").
 * Durations are measured on the monotonic clock, never on wall time.
 */
#ifndef PONTE_CLOCK_H
#define PONTE_CLOCK_H

#include "base/common.h"

#define CLOCK_RFC3339_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* Monotonic nanoseconds, for durations. */
uint64_t clock_monotonic_ns(void);
/* Wall-clock milliseconds since the Unix epoch. */
int64_t clock_wall_ms(void);
/* For tests only: from now on the wall clock reads ms later (earlier when negative) than the
 * system's, for every thread; 0 puts it back. It lets a test stand just after midnight in a
 * given time zone; nothing in the program calls it. */
void clock_wall_shift(int64_t ms);
/* Format a wall-clock time in milliseconds; out must hold CLOCK_RFC3339_LEN bytes. */
void clock_format_rfc3339(int64_t ms, char out[CLOCK_RFC3339_LEN]);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t clock_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The date of a day number: year, month 1-12, day 1-31. */
void clock_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* A stored time to milliseconds since the epoch: "YYYY-MM-DD" (midnight UTC) or
 * "YYYY-MM-DDTHH:MM[:SS[.fff]][Z]" (UTC). false for anything else, or an impossible date. */
bool clock_parse(const char *s, int64_t *ms);

#endif
