/*
 * errors.h: one error convention for every layer.
 *
 * Functions return 0 on success or one of these negative codes. A layer never invents its
 * own numbering: it maps what it gets from below (SQLite, libmicrohttpd, the OS) onto these,
 * and the HTTP layer maps these onto status codes in exactly one place (http/refuse.c).
 */
#ifndef PONTE_ERRORS_H
#define PONTE_ERRORS_H

enum ponte_error {
	PONTE_OK = 0,
	PONTE_ENOMEM = -1,     /* allocation failed */
	PONTE_ELIMIT = -2,     /* a ceiling was reached (buffer, body, field, count) */
	PONTE_EINVAL = -3,     /* input is malformed or fails validation */
	PONTE_ENOTFOUND = -4,  /* no such record, route or file */
	PONTE_EBUSY = -5,      /* the store is locked by someone else; try again later */
	PONTE_EIO = -6,        /* the operating system refused a read or write */
	PONTE_ESTORE = -7,     /* the database answered with an unexpected error */
	PONTE_EEXIST = -8,     /* the thing to create already exists */
	PONTE_ESCHEMA = -9,    /* the database is not one this program can use as it is */
	PONTE_EDENIED = -10,   /* the caller may not do this */
	PONTE_EUNAUTH = -11,   /* the caller must sign in first */
	PONTE_ECONFLICT = -12, /* the record changed since the caller read it */
	PONTE_ENOSPC = -13,    /* the disk is full: nothing was written */
	PONTE_EREJECTED = -14, /* the input was read but a rule refuses it (a field, a state) */
	PONTE_ETOOMANY = -15,  /* too many attempts: the caller must wait */
};

/* A short English description for logs and the command line (never shown to end users). */
const char *ponte_strerror(int err);

#endif
