/*
 * instance.h: this installation of Ponte, as users and peers see it.
 *
 * Invariants: exactly one instance row exists once `ponte init` has run; its name is 1..200
 * characters of valid UTF-8 text and its country an ISO 3166-1 alpha-2 code in upper case.
 * Strings returned live in the caller's arena.
 */
#ifndef PONTE_INSTANCE_H
#define PONTE_INSTANCE_H

#include "base/arena.h"
#include "store/store.h"

typedef struct instance_info {
	const char *name;
	const char *country;
	const char *created_at;
} instance_info;

/* Validate and write the instance row (insert or replace). */
int instance_set(store *s, const char *name, const char *country);
int instance_get(store *s, arena *a, instance_info *out);
/* The validation instance_set applies, for forms and the CLI. */
bool instance_name_valid(const char *name);
bool instance_country_valid(const char *country);

#endif
