/*
 * log.h: structured logging as JSON lines on stderr.
 *
 * One event is one line, written with a single write(2) so lines from different threads
 * never interleave. Callers pass only what is safe to log: route patterns, codes, counts,
 * durations. Never personal data, never a raw query string, never a secret.
 */
#ifndef PONTE_LOG_H
#define PONTE_LOG_H

#include "base/common.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Events below this level are dropped (default LOG_INFO; PONTE_LOG_LEVEL=debug|info|warn|error). */
void log_set_level(enum log_level level);
void log_set_fd(int fd);
int log_get_fd(void);
bool log_enabled(enum log_level level);

/* {"time":..,"level":..,"event":..} plus the fields given as a pre-rendered JSON fragment
 * (",\"k\":v..." or "" ); msg is a fixed English string, not user data. */
void log_event(enum log_level level, const char *event, const char *json_fields);
/* Convenience: an event with a "message" field. */
void log_msg(enum log_level level, const char *event, const char *message);

#endif
