/*
 * api.h: JSON API handlers (/api/v1/...) and the operations endpoints (/healthz, /metrics).
 *
 * Answers are JSON objects; errors are {"error":{"code":..,"message":..}} with the message in
 * the caller's language (http_dispatch renders them).
 */
#ifndef PONTE_API_H
#define PONTE_API_H

#include "http/http.h"

http_handler_fn api_healthz, api_metrics, api_instance, api_openapi;
http_handler_fn api_login, api_logout, api_users_me;
http_handler_fn api_user_get, api_user_create, api_user_2fa_reset;
http_handler_fn api_cases_list, api_cases_search;
http_handler_fn api_case_create, api_case_get, api_case_update, api_case_decisions,
    api_case_decision_add;
/* Envelopes from peer instances (fed.c). */
http_handler_fn api_fed_inbox, api_fed_identity;
/* Transnational referrals (trm.c). */
http_handler_fn api_peers;
http_handler_fn api_trm_referrals, api_trm_offer, api_trm_action, api_trm_referral,
    api_trm_document;
/* The sections of the case file (sections.c). */
http_handler_fn api_section_list, api_section_add, api_section_update;
http_handler_fn api_knowledge_list, api_knowledge_create, api_knowledge_get, api_knowledge_update,
    api_knowledge_move, api_knowledge_versions, api_knowledge_attach;
http_handler_fn api_focal_points, api_focal_point_get, api_focal_point_create,
    api_focal_point_update, api_focal_point_holder, api_focal_point_verify;
http_handler_fn api_services, api_service_create;
http_handler_fn api_case_consents, api_case_consent_add, api_consent_withdraw, api_case_disclosures;
http_handler_fn api_referrals;
http_handler_fn api_referral_create, api_referral_get, api_referral_act, api_referral_case;
/* The services delivered during a referral (referral_deliveries.c). */
http_handler_fn api_referral_deliveries, api_referral_deliver;
http_handler_fn api_case_closures, api_case_closure_request, api_closure_decide;
http_handler_fn api_case_attachments, api_case_attach, api_case_detach;

/* The observatory's tables (observatory.c). */
http_handler_fn api_obs_stats, api_obs_own_stats;

/* 422 {"error":{"code":"invalid","message":..,"fields":{field: message}}}, the messages in
 * the caller's language. */
struct field_errors;
int api_field_errors(http_request *req, http_response *res, const struct field_errors *e);

struct json_value;
/* The body as a JSON object, PONTE_EINVAL (malformed, not an object) or PONTE_ENOMEM (no
 * memory to read it: not the client's mistake, answered 503 by the caller's return). */
int api_parse_body(http_request *req, struct json_value **out);

/* The body of a route as a JSON object whose members are all named in names (a NULL-terminated
 * list): 0 with *out set, or the answer 400 written (malformed, not an object, or a member the
 * route does not take, named in "field") and *out NULL. Callers: `if (!body) return rc;`.
 * api_read_optional_body takes an empty body as {} (routes whose body is optional). (body.c) */
int api_read_body(http_request *req, http_response *res, const char *const *names,
		  struct json_value **out);
int api_read_optional_body(http_request *req, http_response *res, const char *const *names,
			   struct json_value **out);
/* The first member of obj not named in names, or NULL; for nested objects, answered with
 * api_unknown_field(req, res, "person", name) as 400 naming "person.name". */
const char *api_unknown_member(const struct json_value *obj, const char *const *names);
int api_unknown_field(http_request *req, http_response *res, const char *prefix, const char *name);

/* ---- the shape every handler shares (reply.c) ----
 * A handler that creates, attaches or changes a record: reads its body (api_read_body(), then
 * the members with api_text()/api_whole()/api_text_list(), api_malformed() when one has the
 * wrong type), calls the module, answers a refusal with api_refused(), and the record with
 * 201 and its address (api_created_at()) or its id (api_created_id()). A list is written
 * between api_list_open() and api_list_close(). */

/* 400 "Send a JSON object.": a body whose members do not have the types the route takes. */
http_handler_fn api_malformed;
/* A member as text: NULL when absent, if_null when null; anything but a string sets *bad. */
const char *api_text(const struct json_value *body, const char *key, const char *if_null,
		     bool *bad);
/* A whole number member: missing when absent or null; anything else sets *bad. */
int64_t api_whole(const struct json_value *body, const char *key, int64_t missing, bool *bad);
/* A list, an array of strings or the text "a,b", as "a,b" in a (at most max bytes): 0,
 * PONTE_EINVAL (another type, an item that is not a string or holds a comma, too long) or
 * PONTE_ENOMEM. */
int api_codes_of(arena *a, const struct json_value *v, size_t max, const char **out);
/* A list member, as api_codes_of() reads it (at most 4 KiB):
 * NULL when absent, if_null when null; an item that is not a string or holds a comma, or
 * another type, sets *bad. */
const char *api_text_list(http_request *req, const struct json_value *body, const char *key,
			  const char *if_null, bool *bad);
/* The version a change is based on: the member "version", a number. */
bool api_base_version(const struct json_value *body, int64_t *version);

/* A module's refusal of a create, attach or change: its field errors as 422 (PONTE_EINVAL
 * with e), PONTE_EDENIED and PONTE_ECONFLICT with the route's message; anything else, or
 * a NULL message, returned for http_dispatch() to map. */
int api_refused(http_request *req, http_response *res, int rc, const struct field_errors *e,
		const char *denied, const char *conflict);
/* 409 for a change based on an old version: msgid, and the version it is at now
 * ("current_version"), for the client to reload and apply its change again. */
int api_stale_version(http_request *req, http_response *res, const char *msgid, int64_t current);
/* An upload route's file refused: what it is not (PONTE_EINVAL, 422) or too large
 * (PONTE_ELIMIT, 413 "too_large"), saying why; anything else returned. */
int api_upload_refused(http_request *req, http_response *res, int rc, const char *why);
/* 422: an upload route called without a file. */
http_handler_fn api_no_upload;

/* 201 with Location: the record's address, its collection's and its id
 * ("/api/v1/referrals", 7: "/api/v1/referrals/7"); the caller writes the record. It cannot
 * fail: the record exists, and a client told of a failure would create it again (without
 * memory for the header, the answer goes without it). */
void api_created_at(http_request *req, http_response *res, const char *collection, int64_t id);
/* 201 {"id":id}: a record answered by its number. */
int api_created_id(http_response *res, int64_t id);

typedef struct api_list {
	buf *b;
	size_t n; /* items written */
} api_list;
/* {"items":[ as a JSON answer. */
int api_list_open(http_response *res, api_list *l);
/* The list of a record's items (/api/v1/cases/{id}/consents): the record's id from the
 * address's first parameter (PONTE_ENOTFOUND when it is not one), then api_list_open(). */
int api_list_of(http_request *req, http_response *res, int64_t *id, api_list *l);
/* Before each item: the comma after the one before. */
int api_list_next(api_list *l);
/* ]} after the items, unless rc (returned) stopped them; api_list_close_total() ends with
 * "total": total. */
int api_list_close(api_list *l, int rc);
int api_list_close_total(api_list *l, int rc, int64_t total);
/* The handler of a record's list whose module call has the usual shape, list(env, arena,
 * caller, id, item, &l) with item writing one item after api_list_next(): one line per route
 * instead of the same ten. */
#define API_RECORD_LIST(handler, list, item)                                                       \
	int handler(http_request *req, http_response *res)                                         \
	{                                                                                          \
		int64_t id;                                                                        \
		api_list l;                                                                        \
		int rc = api_list_of(req, res, &id, &l);                                           \
		if (!rc)                                                                           \
			rc = list(&services_of(req)->env, req->arena, principal_of(req), id, item, \
				  &l);                                                             \
		return api_list_close(&l, rc);                                                     \
	}

#endif
