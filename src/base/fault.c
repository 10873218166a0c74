/* Allocation failures on demand for tests: see fault.h. Empty unless -DPONTE_FAULT_ALLOC. */
#include "base/fault.h"

#ifdef PONTE_FAULT_ALLOC
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#else
#include <execinfo.h>
#include <unistd.h>
#endif

static _Atomic long countdown;
static _Atomic int armed_kinds;
static atomic_bool fired;

void fault_alloc_arm(long n, int kinds)
{
	atomic_store(&armed_kinds, 0);
	atomic_store(&fired, false);
	atomic_store(&countdown, n);
	atomic_store(&armed_kinds, n > 0 ? kinds : 0);
}

bool fault_alloc_disarm(void)
{
	atomic_store(&armed_kinds, 0);
	atomic_store(&countdown, 0);
	return atomic_load(&fired);
}

bool fault_alloc_fail(int kind)
{
	if (!(atomic_load_explicit(&armed_kinds, memory_order_relaxed) & kind))
		return false;
	if (atomic_fetch_sub(&countdown, 1) != 1)
		return false;
	atomic_store(&fired, true);
	fault_alloc_trace();
	return true;
}

void fault_alloc_trace(void)
{
	static _Atomic int wanted =
	    -1; /* read once: the environment does not change under a test */
	if (wanted < 0)
		wanted = getenv("PONTE_FAULT_TRACE") != NULL;
	if (!wanted)
		return;
	fputs("fault: this allocation fails:\n", stderr);
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_print_stack_trace();
#else
	void *frames[32];
	backtrace_symbols_fd(frames, backtrace(frames, 32), STDERR_FILENO);
#endif
}
#else
typedef int fault_not_compiled_in; /* ISO C wants something in every file */
#endif
