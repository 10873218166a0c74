/*
 * field_error.h: the problems with the fields of what a user sent, as every module reports
 * them (the API answers them as 422 {"fields":{...}} through api_field_errors(), pages as a
 * summary above the form and a message beside each field through web_field_errors()).
 */
#ifndef PONTE_FIELD_ERROR_H
#define PONTE_FIELD_ERROR_H

#include <stddef.h>

/* More than any form has fields to get wrong at once; further errors are dropped. */
#define FIELD_ERRORS_MAX 24

typedef struct field_error {
	const char *field;   /* e.g. "person.prs_Birthdate", "title" */
	const char *message; /* a msgid */
} field_error;

/* The list a check fills; zero it (or field_errors_clear()) before use. */
typedef struct field_errors {
	field_error items[FIELD_ERRORS_MAX];
	size_t count;
	/* 0, or why a check could not be made at all (PONTE_ENOMEM, PONTE_ESTORE...): then the
	 * list says nothing about the fields, and the caller answers that error (503, 500), not
	 * 422. Set by field_errors_failed(); cleared with the list. */
	int failed;
} field_errors;

static inline void field_errors_clear(field_errors *e)
{
	e->count = 0;
	e->failed = 0;
}

/* A check that could not be made (rc < 0); the first such reason is kept. NULL list allowed. */
static inline void field_errors_failed(field_errors *e, int rc)
{
	if (e && rc < 0 && !e->failed)
		e->failed = rc;
}

/* Adds a problem (a msgid, not translated; both strings must outlive the list). A NULL list
 * is allowed: the caller does not want to know. */
void field_errors_add(field_errors *e, const char *field, const char *message);

/* The message (a msgid) of the first error of `field`, or NULL. */
const char *field_errors_find(const field_errors *e, const char *field);

#endif
