/*
 * api.h: JSON API handlers (/api/v1/...) and the operations endpoints (/healthz, /metrics).
 *
 * Answers are JSON objects; errors are {"error":{"code":..,"message":..}} with the message in
 * the caller's language (http_dispatch renders them).
 */
#ifndef PONTE_API_H
#define PONTE_API_H

#include "http/http.h"

int api_healthz(http_request *req, http_response *res);
int api_metrics(http_request *req, http_response *res);
int api_instance(http_request *req, http_response *res);
int api_openapi(http_request *req, http_response *res);
int api_login(http_request *req, http_response *res);
int api_logout(http_request *req, http_response *res);
int api_users_me(http_request *req, http_response *res);
int api_user_get(http_request *req, http_response *res);
int api_user_create(http_request *req, http_response *res);
int api_user_2fa_reset(http_request *req, http_response *res);
int api_cases_list(http_request *req, http_response *res);
int api_cases_search(http_request *req, http_response *res);
int api_case_create(http_request *req, http_response *res);
int api_case_get(http_request *req, http_response *res);
int api_case_update(http_request *req, http_response *res);
int api_case_decisions(http_request *req, http_response *res);
int api_case_decision_add(http_request *req, http_response *res);
/* Envelopes from peer instances (fed.c). */
int api_fed_inbox(http_request *req, http_response *res);
int api_fed_identity(http_request *req, http_response *res);
/* Transnational referrals (trm.c). */
int api_peers(http_request *req, http_response *res);
int api_trm_referrals(http_request *req, http_response *res);
int api_trm_offer(http_request *req, http_response *res);
int api_trm_action(http_request *req, http_response *res);
int api_trm_referral(http_request *req, http_response *res);
int api_trm_document(http_request *req, http_response *res);
/* The sections of the case file (sections.c). */
int api_section_list(http_request *req, http_response *res);
int api_section_add(http_request *req, http_response *res);
int api_section_update(http_request *req, http_response *res);
int api_knowledge_list(http_request *req, http_response *res);
int api_knowledge_create(http_request *req, http_response *res);
int api_knowledge_get(http_request *req, http_response *res);
int api_knowledge_update(http_request *req, http_response *res);
int api_knowledge_submit(http_request *req, http_response *res);
int api_knowledge_publish(http_request *req, http_response *res);
int api_knowledge_archive(http_request *req, http_response *res);
int api_knowledge_return(http_request *req, http_response *res);
int api_knowledge_versions(http_request *req, http_response *res);
int api_knowledge_attach(http_request *req, http_response *res);
int api_focal_points(http_request *req, http_response *res);
int api_focal_point_get(http_request *req, http_response *res);
int api_focal_point_create(http_request *req, http_response *res);
int api_focal_point_update(http_request *req, http_response *res);
int api_focal_point_holder(http_request *req, http_response *res);
int api_focal_point_verify(http_request *req, http_response *res);
int api_services(http_request *req, http_response *res);
int api_service_create(http_request *req, http_response *res);
int api_case_consents(http_request *req, http_response *res);
int api_case_consent_add(http_request *req, http_response *res);
int api_consent_withdraw(http_request *req, http_response *res);
int api_case_disclosures(http_request *req, http_response *res);
int api_referrals(http_request *req, http_response *res);
int api_referral_create(http_request *req, http_response *res);
int api_referral_get(http_request *req, http_response *res);
int api_referral_act(http_request *req, http_response *res);
int api_referral_case(http_request *req, http_response *res);
/* The services delivered during a referral (referral_deliveries.c). */
int api_referral_deliveries(http_request *req, http_response *res);
int api_referral_deliver(http_request *req, http_response *res);
int api_case_closures(http_request *req, http_response *res);
int api_case_closure_request(http_request *req, http_response *res);
int api_closure_decide(http_request *req, http_response *res);
int api_case_attachments(http_request *req, http_response *res);
int api_case_attach(http_request *req, http_response *res);
int api_case_attachment(http_request *req, http_response *res);
int api_case_detach(http_request *req, http_response *res);

/* The observatory's tables (observatory.c). */
int api_obs_stats(http_request *req, http_response *res);
int api_obs_own_stats(http_request *req, http_response *res);

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

#endif
