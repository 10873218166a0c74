/*
 * The refusal table: the one place where Ponte's error codes become HTTP statuses.
 *
 * A handler that refuses a request says why with a PONTE_E* code; the status comes from here,
 * and the machine-readable code and default message from http_status_message(). http_dispatch()
 * maps the codes handlers return through the same table.
 */
#include "http/http.h"

static const struct refusal {
	int err;
	int status;
} REFUSALS[] = {
	{ PONTE_EINVAL, 400 },    /* the request cannot be read: not JSON, a bad parameter */
	{ PONTE_EUNAUTH, 401 },   /* sign in first */
	{ PONTE_EDENIED, 403 },   /* not for this caller */
	{ PONTE_ENOTFOUND, 404 }, /* no such record (or outside the caller's scope) */
	{ PONTE_ECONFLICT, 409 }, /* the record changed, or its state does not allow it */
	{ PONTE_ELIMIT, 413 },    /* payload_too_large */
	{ PONTE_EREJECTED, 422 }, /* read, but a field or rule refuses it */
	{ PONTE_ETOOMANY, 429 },  /* too many attempts: wait */
	{ PONTE_EBUSY, 503 },     /* the store is locked: try again */
	{ PONTE_ENOMEM, 503 },    /* no memory now: busy, not broken; try again */
	{ PONTE_ENOSPC, 507 },    /* the disk is full */
};

int http_refusal_status(int err)
{
	for (size_t i = 0; i < sizeof(REFUSALS) / sizeof(REFUSALS[0]); i++)
		if (REFUSALS[i].err == err)
			return REFUSALS[i].status;
	return 500;
}

void http_refuse_page(http_response *res, int err)
{
	res->status = http_refusal_status(err);
}

int http_refuse_as(http_request *req, http_response *res, int err, const char *code,
		   const char *message)
{
	const char *dflt_code, *dflt_msg;
	int status = http_refusal_status(err);
	http_status_message(status, &dflt_code, &dflt_msg);
	return http_json_error(req, res, status, code ? code : dflt_code,
			       message ? message : dflt_msg);
}

int http_refuse(http_request *req, http_response *res, int err, const char *message)
{
	return http_refuse_as(req, res, err, NULL, message);
}
