/* field_error.c: the one list of field errors every module fills. */
#include "base/field_error.h"

#include <string.h>

void field_errors_add(field_errors *e, const char *field, const char *message)
{
	if (e && e->count < FIELD_ERRORS_MAX)
		e->items[e->count++] = (field_error){ field, message };
}

const char *field_errors_find(const field_errors *e, const char *field)
{
	for (size_t i = 0; e && i < e->count; i++)
		if (strcmp(e->items[i].field, field) == 0)
			return e->items[i].message;
	return NULL;
}
