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
/* Format a wall-clock time in milliseconds; out must hold CLOCK_RFC3339_LEN bytes. */
void clock_format_rfc3339(int64_t ms, char out[CLOCK_RFC3339_LEN]);

#endif
