/*
 * testutil.h: what every cmocka test includes first.
 *
 * System and cmocka headers come before Ponte's (whose common.h ends with banned.h).
 */
#ifndef PONTE_TESTUTIL_H
#define PONTE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/common.h"

/* A fresh private directory under /tmp; removed by test_rmtree(). */
static inline char *test_tmpdir(void)
{
	char tmpl[] = "/tmp/ponte-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static inline void test_rmtree(char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static inline char *test_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

#endif
