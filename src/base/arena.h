/*
 * arena.h: a region allocator for everything that dies together (one request, one parse).
 *
 * Invariants:
 * - Memory from arena_alloc() is zeroed, aligned for any type, and valid until
 *   arena_release(); it is never freed one piece at a time.
 * - An arena never holds more than its ceiling: an allocation that would pass it returns
 *   NULL, exactly like running out of memory. Callers treat NULL as PONTE_ELIMIT/ENOMEM.
 * - arena_release() returns the arena to its freshly-initialised state; it may be reused.
 * - Checked on every allocation (PONTE_CHECK): the arena is initialised and within its
 *   ceiling, its current block not overrun.
 */
#ifndef PONTE_ARENA_H
#define PONTE_ARENA_H

#include "base/common.h"

struct arena_block;

typedef struct arena {
	struct arena_block *head;
	size_t used_total; /* bytes handed out + block overhead, checked against ceiling */
	size_t ceiling;
} arena;

void arena_init(arena *a, size_t ceiling);
void *arena_alloc(arena *a, size_t n);
/* n * size with overflow check. */
void *arena_calloc(arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n), or of s up to its NUL when it ends sooner (the rest of
 * the n + 1 bytes zero): never reads past either end. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena; NULL on failure or ceiling. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_release(arena *a);

#endif
