/*
 * tz.h: a time zone of the system's tz database, read once into a table.
 *
 * Pages show stored times (UTC) in the installation's time zone, an instance setting that an
 * administrator changes while the server runs. localtime_r() follows the process's TZ, which
 * only setenv() changes, and setenv() races with every thread reading the environment; so
 * Ponte reads the zone's TZif file itself (RFC 8536: /usr/share/zoneinfo/Africa/Niamey),
 * once, into an immutable table of transitions plus the POSIX TZ rule of its footer for the
 * years after the last transition, and answers "what is the offset at this instant" from it
 * without locks or the environment.
 *
 * Invariants:
 * - A zone from tz_parse() belongs to the caller (tz_free()); one from tz_get() is shared,
 *   immutable and lives as long as the process (at most TZ_CACHE_MAX names are kept).
 * - tz_parse() refuses, with PONTE_EINVAL, anything that is not a well-formed TZif file within
 *   the ceilings below; it never reads past n bytes.
 * - Leap-second files ("right/...") are refused: Ponte's stored times are POSIX times.
 */
#ifndef PONTE_TZ_H
#define PONTE_TZ_H

#include "base/common.h"

#define TZ_NAME_MAX 64
#define TZ_FILE_MAX (256 * 1024)
#define TZ_MAX_TIMES 4096
#define TZ_MAX_TYPES 256
#define TZ_CACHE_MAX 32
#define TZ_DIR "/usr/share/zoneinfo"

typedef struct tz_zone tz_zone;

/* Parse a TZif file (versions 1 to 4) of n bytes. */
int tz_parse(const void *data, size_t n, tz_zone **out);
void tz_free(tz_zone *z);

/* Whether name looks like a zone name: letters, digits and _ + - in components separated by
 * '/', none empty or starting with a dot, at most TZ_NAME_MAX - 1 bytes. Nothing is read. */
bool tz_name_valid(const char *name);
/* The zone called name, read from TZ_DIR the first time it is asked for ("UTC" needs no
 * file). NULL when the name is not valid, no such file exists or it is not a TZif file. */
const tz_zone *tz_get(const char *name);

/* Seconds east of UTC at the instant secs (seconds since the epoch). A NULL zone is UTC. */
int32_t tz_offset(const tz_zone *z, int64_t secs);
/* The instant at which local wall-clock time local_secs (seconds since the epoch as if the
 * zone were UTC) happens; a time skipped by a change of offset is taken in the offset before
 * the change. */
int64_t tz_local_to_utc(const tz_zone *z, int64_t local_secs);

#endif
