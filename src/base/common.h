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

#include "base/banned.h"

#endif
