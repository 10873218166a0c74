/*
 * common.h: the first project header every Ponte source includes, after its system headers.
 *
 * It brings the standard headers every file uses, the error codes shared by all layers, and
 * finally banned.h, so that a banned function cannot be called anywhere below.
 */
#ifndef PONTE_COMMON_H
#define PONTE_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

/*
 * PONTE_CHECK(condition): an invariant a module's header states, checked where the module is
 * entered, in every build (release, sanitizers, fuzzers). It is for programmer errors only (a
 * NULL where the contract says never, a count past a fixed capacity, a buffer whose length
 * passes its capacity): when it fails, the program is wrong and continuing would corrupt data
 * or memory, so it prints the condition and where (never a value: values may be personal
 * data) and aborts. What a user or a peer sends is never checked with it: that is
 * validation, answered with an error code. Checks are kept cheap: a comparison or two, no
 * loop.
 */
#define PONTE_CHECK(condition)                                                                     \
	((condition) ? (void)0 : ponte_check_failed(#condition, __FILE__, __LINE__, __func__))
_Noreturn void ponte_check_failed(const char *condition, const char *file, int line,
				  const char *function);

#include "base/banned.h"

#endif
