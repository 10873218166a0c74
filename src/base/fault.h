/*
 * fault.h: allocation failures on demand, for tests (issue 17).
 *
 * Compiled in only with -DPONTE_FAULT_ALLOC, which tests/run-all.sh gives its sanitizer
 * build (build/asan); a release build has neither the counter nor a single call to it, and
 * FAULT_ALLOC(...) is the constant false there.
 *
 * - fault_alloc_arm(n, kinds): the nth allocation of the given kinds counted from now fails,
 *   once; every other succeeds. n = 0 disarms.
 * - Kinds: FAULT_OURS (arena blocks, buffer growth, the store's own structures: arena.c,
 *   buf.c, store.c) and FAULT_SQLITE (every allocation SQLite makes, through its malloc
 *   hooks, installed before the first database is opened).
 * - fault_alloc_disarm() disarms and tells whether the armed allocation was reached.
 * - The counter is shared by every thread: tests drive one request at a time.
 * - With PONTE_FAULT_TRACE set in the environment, the allocation made to fail prints its
 *   backtrace on stderr (fault_alloc_trace()): where a finding of tests/fault/ comes from.
 */
#ifndef PONTE_FAULT_H
#define PONTE_FAULT_H

#include <stdbool.h>

enum { FAULT_OURS = 1, FAULT_SQLITE = 2 };

#ifdef PONTE_FAULT_ALLOC
void fault_alloc_arm(long n, int kinds);
bool fault_alloc_disarm(void);
/* At an allocation site of kind: true when this allocation is the one to fail. */
bool fault_alloc_fail(int kind);
/* The caller's backtrace on stderr, if PONTE_FAULT_TRACE is set. */
void fault_alloc_trace(void);
#define FAULT_ALLOC(kind) fault_alloc_fail(kind)
#else
#define FAULT_ALLOC(kind) false
#endif

#endif
