/*
 * field_error.h: a problem with one field of what a user sent, as every module reports it
 * (the API answers them as 422 {"fields":{...}}, pages next to each field).
 */
#ifndef PONTE_FIELD_ERROR_H
#define PONTE_FIELD_ERROR_H

typedef struct field_error {
	const char *field;   /* e.g. "person.prs_Birthdate", "title" */
	const char *message; /* a msgid */
} field_error;

#endif
