#include "base/common.h"

const char *ponte_strerror(int err)
{
	switch (err) {
	case PONTE_OK: return "success";
	case PONTE_ENOMEM: return "out of memory";
	case PONTE_ELIMIT: return "size limit reached";
	case PONTE_EINVAL: return "invalid input";
	case PONTE_ENOTFOUND: return "not found";
	case PONTE_EBUSY: return "database busy";
	case PONTE_EIO: return "input/output error";
	case PONTE_ESTORE: return "database error";
	case PONTE_EEXIST: return "already exists";
	case PONTE_ESCHEMA: return "not a usable Ponte database";
	case PONTE_EDENIED: return "permission denied";
	case PONTE_EUNAUTH: return "authentication required";
	case PONTE_ECONFLICT: return "changed by someone else";
	case PONTE_ENOSPC: return "the disk is full";
	case PONTE_EREJECTED: return "refused by a rule";
	case PONTE_ETOOMANY: return "too many attempts";
	}
	return "unknown error";
}

void ponte_check_failed(const char *condition, const char *file, int line, const char *function)
{
	/* One line, then abort: a core dump or the sanitizer's report says the rest. */
	fprintf(stderr, "ponte: invariant broken at %s:%d in %s(): %s\n", file, line, function,
		condition);
	fflush(stderr);
	abort();
}
