/*
 * format.h: dates, times and numbers as a reader writes them.
 *
 * Stored times are UTC (RFC 3339, base/clock.h) and stored dates are calendar dates
 * ("YYYY-MM-DD"). A time is shown in the installation's time zone, the setting time_zone
 * (a name of the tz database, "Africa/Niamey"; UTC by default), which i18n_zone_set() makes
 * current for every thread at once: the zone is a table read from its TZif file (base/tz.h),
 * never the process's TZ, which only setenv() could change and setenv() races with threads.
 * A date is shown as the calendar date it is. The shape follows the reader's language ("28 Nov
 * 2026, 14:05", "28 nov. 2026, 14:05", "28/11/2026 14:05", "28 nov 2026, 14:05" in Spanish,
 * Arabic the numeric one as CLDR's medium Arabic date), any other language the numeric one;
 * numbers are grouped as the language groups them ("5,208", "5 208", "5.208").
 *
 * Every function returns a string in the arena, or the stored text itself when it is not a
 * date (never NULL when given a string: what cannot be read is shown as it is).
 */
#ifndef PONTE_I18N_FORMAT_H
#define PONTE_I18N_FORMAT_H

#include "base/arena.h"
#include "base/clock.h"
#include "base/common.h"

/* Back to UTC; called once at start-up, before the worker threads. */
void i18n_format_init(void);
/* Make the zone called name (tz.h) the installation's; false, changing nothing, when there is
 * no such zone. Safe while other threads format. */
bool i18n_zone_set(const char *name);

/* "28 Nov 2026" (the date of a stored time in the installation's time zone). */
const char *i18n_date(arena *a, int lang, const char *stored);
/* "28 Nov 2026, 14:05"; a bare date is shown as i18n_date. */
const char *i18n_datetime(arena *a, int lang, const char *stored);
/* A day relative to today (now_ms): "today", "tomorrow", "yesterday", "in 3 days",
 * "3 days ago"; beyond 60 days the date itself. */
const char *i18n_relative_day(arena *a, int lang, const char *stored, int64_t now_ms);
/* The first instant of the calendar day date ("YYYY-MM-DD") plus days, in the installation's
 * time zone, as a stored time (UTC, RFC 3339) into out: what a filter "from this day" compares
 * stored times with. False when date is not a real day. */
bool i18n_day_start(const char *date, int days, char out[CLOCK_RFC3339_LEN]);
/* Today's date in the installation's time zone, "YYYY-MM-DD", into out: the day the people
 * of the installation live in, which "not in the future" and a form's default day mean (just
 * after midnight in Niamey it is still yesterday in UTC). */
void i18n_today(char out[11]);
/* The date of a stored time (UTC) in the installation's time zone, "YYYY-MM-DD", into out; a
 * bare date is itself. False, out empty, when stored is neither. */
bool i18n_day_of(const char *stored, char out[11]);
/* A day as a person types it, into out as "YYYY-MM-DD": what a date picker sends
 * (2026-11-28), the day first with / . - or spaces (28/11/2026, 28.11.2026), or with the
 * month named in the language ("28 nov. 2026", "28 November 2026"). False when it is not a
 * real day of a year from 1900 to 2200. */
bool i18n_date_read(int lang, const char *typed, char out[11]);
/* What the language writes between a word and the mark : ; ! or ? after it: French a
 * narrow no-break space (U+202F), the others nothing. */
const char *i18n_before_mark(int lang);
/* 5208 → "5,208" / "5 208" (a narrow no-break space) / "5.208". */
const char *i18n_number(arena *a, int lang, int64_t n);
/* A percentage (12.5 for 12.5 %) with decimals digits after the mark, as the language writes
 * it (CLDR's percentFormat): "12.5%", "12,5 %" in French with a narrow no-break space (U+202F),
 * "12,5 %" in Spanish with a no-break space (U+00A0), "12,5%" in Portuguese, "12.5%" in
 * Arabic. */
const char *i18n_percent(arena *a, int lang, double percent, int decimals);
/* The same into out, which it returns: for code without an arena (charts). 19 digits, a sign
 * and six separators of up to 3 bytes fit. */
#define I18N_NUMBER_MAX 48
const char *i18n_number_to(int lang, int64_t n, char out[I18N_NUMBER_MAX]);

#endif
