/* /api/v1/cases: the case file as JSON, with HTCDS field names. */
#include "cases/cases.h"
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

static int write_case(buf *b, const case_record *c)
{
	int rc =
	    buf_printf(b, "{\"id\":%lld,\"version\":%lld", (long long)c->id, (long long)c->version);
	const char *const state[][2] = { { "phase", c->phase }, { "cas_Status", c->status } };
	const char *const rest[][2] = { { "cas_ReasonForCaseClosure", c->closure_reason },
					{ "organisation", c->organisation_code },
					{ "country", c->country },
					{ "created_at", c->created_at },
					{ "updated_at", c->updated_at } };
	if (!rc)
		rc = json_fields_str(b, state, ARRAY_LEN(state));
	if (!rc)
		rc = buf_printf(b, ",\"cas_CaseOwner\":%lld", (long long)c->owner_id);
	if (!rc)
		rc = json_fields_str(b, rest, ARRAY_LEN(rest));
	/* The level of the latest risk assessment; null when never assessed. */
	if (!rc)
		rc = c->risk && *c->risk ? json_field_str(b, false, "risk", c->risk)
					 : buf_puts(b, ",\"risk\":null");
	if (!rc)
		rc = buf_putc(b, ',');
	if (!rc)
		rc = case_write_json(b, c, CASE_PARTS_ALL);
	return rc ? rc : buf_putc(b, '}');
}

/* The case as the caller sees it now, as the JSON answer. */
static int respond_case(http_request *req, http_response *res, int64_t id)
{
	case_record c;
	int rc = case_get(&services_of(req)->env, req->arena, principal_of(req), id, &c);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return write_case(&res->body, &c);
}

/* A JSON string or array of strings as "a,b"; NULL when absent; "\x01" when malformed (or
 * too long); "\x02" when there was no memory to read it (not the client's mistake). */
static const char *read_list(http_request *req, const json_value *v)
{
	const char *s;
	int rc = v ? api_codes_of(req->arena, v, 4096, &s) : 0;
	return !v ? NULL : rc == PONTE_ENOMEM ? "\x02" : rc ? "\x01" : s;
}

/* The members a case's body may have: "version" (updates only) first, then the fields. */
static const char *const CASE_FIELDS[] = {
	"version", "cas_Status", "phase", "cas_ReasonForCaseClosure", "person", "victim", NULL
};
static const char *const PERSON_FIELDS[] = { "prs_FirstName",       "prs_SecondName",
					     "prs_IdentityNumber",  "prs_MobilePhone",
					     "prs_Gender",          "prs_Birthdate",
					     "estimated_age",       "prs_Citizenship",
					     "prs_PrimaryLanguage", NULL };
static const char *const VICTIM_FIELDS[] = { "vic_TraffickingStatus",
					     "vic_TypeOfExploitation",
					     "vic_MethodsOfControl",
					     "vic_MethodOfRecruitment",
					     "vic_RelationshipToTrafficker",
					     "vic_ForcedLabourIndustry",
					     "smuggled_migrant",
					     NULL };

/* A member of person or victim that a case does not have (in *part), or NULL. */
static const char *unknown_member(const json_value *body, const char **part)
{
	const char *const *names[] = { PERSON_FIELDS, VICTIM_FIELDS };
	const char *parts[] = { "person", "victim" };
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		const char *unknown = api_unknown_member(json_get(body, parts[i]), names[i]);
		if (unknown) {
			*part = parts[i];
			return unknown;
		}
	}
	return NULL;
}

static int read_input(http_request *req, const json_value *body, case_input *in)
{
	bool bad = false;
	const json_value *person = json_get(body, "person"), *victim = json_get(body, "victim");
	memset(in, 0, sizeof(*in));
	in->status = api_text(body, "cas_Status", "", &bad);
	in->phase = api_text(body, "phase", "", &bad);
	in->closure_reason = api_text(body, "cas_ReasonForCaseClosure", "", &bad);
	if (person) {
		in->first_name = api_text(person, "prs_FirstName", "", &bad);
		in->second_name = api_text(person, "prs_SecondName", "", &bad);
		in->identity_number = api_text(person, "prs_IdentityNumber", "", &bad);
		in->mobile_phone = api_text(person, "prs_MobilePhone", "", &bad);
		in->gender = api_text(person, "prs_Gender", "", &bad);
		in->birthdate = api_text(person, "prs_Birthdate", "", &bad);
		in->primary_language = api_text(person, "prs_PrimaryLanguage", "", &bad);
		in->citizenship = read_list(req, json_get(person, "prs_Citizenship"));
		const json_value *age = json_get(person, "estimated_age");
		if (age && age->type == JSON_NUMBER)
			in->estimated_age = age->string;
		else if (age && age->type == JSON_NULL)
			in->estimated_age = "";
		else if (age)
			bad = true;
	}
	if (victim) {
		in->trafficking_status = api_text(victim, "vic_TraffickingStatus", "", &bad);
		in->exploitation = read_list(req, json_get(victim, "vic_TypeOfExploitation"));
		in->control = read_list(req, json_get(victim, "vic_MethodsOfControl"));
		in->recruitment = read_list(req, json_get(victim, "vic_MethodOfRecruitment"));
		in->relationship = api_text(victim, "vic_RelationshipToTrafficker", "", &bad);
		in->labour_sector = api_text(victim, "vic_ForcedLabourIndustry", "", &bad);
		const json_value *sm = json_get(victim, "smuggled_migrant");
		if (sm && sm->type == JSON_BOOL)
			in->smuggled = sm->boolean ? "1" : "0";
		else if (sm && sm->type == JSON_NULL)
			in->smuggled = "";
		else if (sm)
			bad = true;
	}
	const char *lists[] = { in->citizenship, in->exploitation, in->control, in->recruitment };
	for (size_t i = 0; i < ARRAY_LEN(lists); i++)
		if (lists[i] && lists[i][0] == '\x02')
			return PONTE_ENOMEM;
	if ((in->citizenship && in->citizenship[0] == '\x01') ||
	    (in->exploitation && in->exploitation[0] == '\x01') ||
	    (in->control && in->control[0] == '\x01') ||
	    (in->recruitment && in->recruitment[0] == '\x01') ||
	    (person && person->type != JSON_OBJECT) || (victim && victim->type != JSON_OBJECT))
		bad = true;
	return bad ? PONTE_EINVAL : 0;
}

int api_case_get(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return respond_case(req, res, id);
}

static int write_item(const case_record *c, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	return rc ? rc : write_case(l->b, c);
}

/* GET /api/v1/cases: the filters of the case list (cases.h), limit and offset. A parameter
 * the list does not take is refused with 400 naming it; a value it cannot read with 422 and
 * the message of each. */
int api_cases_list(http_request *req, http_response *res)
{
	static const char *const known[] = { CASE_FILTER_PARAMS, "limit", "offset", "lang" };
	const url_params *q = &req->query_params;
	for (size_t i = 0; i < q->count; i++) {
		bool ok = false;
		for (size_t k = 0; k < ARRAY_LEN(known) && !ok; k++)
			ok = strcmp(q->items[i].key, known[k]) == 0;
		if (!ok)
			return api_unknown_field(req, res, NULL, q->items[i].key);
	}
	case_filter f;
	field_errors problems = { 0 };
	const char *bad[16], *why[16];
	size_t n;
	case_filter_parse(services_of(req)->db, q, &f, bad, why, ARRAY_LEN(bad) - 2, &n);
	const char *limit = http_query(req, "limit"), *offset = http_query(req, "offset");
	char *end;
	if (limit) {
		long l = strtol(limit, &end, 10);
		if (*end || !*limit || l < 1 || l > CASE_LIST_MAX) {
			bad[n] = "limit";
			why[n++] = N_("limit must be a number from 1 to 500.");
		} else
			f.limit = (int)l;
	}
	if (offset) {
		long o = strtol(offset, &end, 10);
		if (*end || !*offset || o < 0 || o > CASE_OFFSET_MAX) {
			bad[n] = "offset";
			why[n++] = N_("offset must be a number from 0 to 1,000,000.");
		} else
			f.offset = (int)o;
	}
	for (size_t i = 0; i < n; i++)
		field_errors_add(&problems, bad[i], why[i]);
	if (n)
		return api_field_errors(req, res, &problems);
	f.lang = i18n_lang(req->lang)->code;
	api_list l;
	int rc = api_list_open(res, &l);
	int64_t total = 0;
	if (!rc)
		rc = case_list(&services_of(req)->env, req->arena, principal_of(req), &f,
			       write_item, &l, &total);
	return rc ? rc
		  : buf_printf(&res->body, "],\"total\":%lld,\"total_capped\":%s}",
			       (long long)(total > CASE_COUNT_CAP ? CASE_COUNT_CAP : total),
			       total > CASE_COUNT_CAP ? "true" : "false");
}

/* The body's case fields (of fields) into in. *body is NULL when the answer is given already (a
 * body too large, a member unknown, a value malformed): return what this returns. */
static int read_case(http_request *req, http_response *res, const char *const *fields,
		     json_value **body, case_input *in)
{
	int rc = api_read_body(req, res, fields, body);
	if (!*body)
		return rc;
	const char *part, *unknown = unknown_member(*body, &part);
	if (!unknown && !(rc = read_input(req, *body, in)))
		return 0;
	*body = NULL;
	if (unknown)
		return api_unknown_field(req, res, part, unknown);
	return rc == PONTE_ENOMEM ? rc : api_malformed(req, res);
}

int api_case_create(http_request *req, http_response *res)
{
	json_value *body;
	case_input in;
	int rc = read_case(req, res, CASE_FIELDS + 1, &body, &in);
	if (!body)
		return rc;
	/* The room for the Location and a short answer is taken before the case is created:
	 * once it is, the answer is 201 with its Location whatever memory is left, so that a
	 * client never creates the case again because it was told of a failure. */
	enum { LOCATION_LEN = 48, SHORT_ANSWER = 64 };
	char *location = arena_alloc(req->arena, LOCATION_LEN);
	if (!location || buf_reserve(&res->body, SHORT_ANSWER))
		return PONTE_ENOMEM;
	field_errors errors;
	int64_t id;
	rc = case_create(&services_of(req)->env, principal_of(req), &in, &id, &errors);
	if (rc == PONTE_EINVAL)
		return api_field_errors(req, res, &errors);
	if (rc)
		return rc;
	http_created(res);
	snprintf(location, LOCATION_LEN, "/api/v1/cases/%lld", (long long)id);
	http_set_header(res, "Location", location);
	if (respond_case(req, res, id) != 0) {
		/* Created, but it could not be read back: its number, and the address to read. */
		buf_reset(&res->body);
		res->content_type = "application/json";
		buf_printf(&res->body, "{\"id\":%lld}", (long long)id);
	}
	return 0;
}

int api_case_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	json_value *body;
	case_input in;
	int rc = read_case(req, res, CASE_FIELDS, &body, &in);
	if (!body)
		return rc;
	int64_t version;
	if (!api_base_version(body, &version))
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Send the version of the case your change is based on."));
	field_errors errors;
	int64_t current = 0;
	rc = case_update(&services_of(req)->env, principal_of(req), id, version, &in, &errors,
			 &current);
	if (rc == PONTE_EINVAL)
		return api_field_errors(req, res, &errors);
	if (rc == PONTE_ECONFLICT)
		return api_stale_version(
		    req, res,
		    N_("Someone else changed this case. Reload it and apply your change again."),
		    current);
	if (rc)
		return rc;
	return respond_case(req, res, id);
}

/* /api/v1/cases/{id}/status-decisions */
static int write_decision(const status_decision *d, void *ctx)
{
	api_list *l = ctx;
	buf *b = l->b;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(b, "{\"id\":%lld", (long long)d->id);
	const char *const f[][2] = { { "status", d->status },
				     { "decided_on", d->decided_on },
				     { "vic_TraffickingStatusDecisionMakingOrg",
				       d->decision_org_type },
				     { "reasons", d->reasons } };
	if (!rc)
		rc = json_fields_str(b, f, ARRAY_LEN(f));
	if (!rc)
		rc = buf_printf(b, ",\"decided_by\":%lld", (long long)d->decided_by);
	if (!rc)
		rc = json_field_str(b, false, "created_at", d->created_at);
	return rc ? rc : buf_putc(b, '}');
}

API_RECORD_LIST(api_case_decisions, status_decision_list, write_decision)

int api_case_decision_add(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const fields[] = { "status", "decided_on",
					      "vic_TraffickingStatusDecisionMakingOrg", "reasons",
					      NULL };
	json_value *body;
	int rc = api_read_body(req, res, fields, &body);
	if (!body)
		return rc;
	bool bad = false;
	status_decision_input in = { .status = api_text(body, "status", "", &bad),
				     .decided_on = api_text(body, "decided_on", "", &bad),
				     .decision_org_type = api_text(
					 body, "vic_TraffickingStatusDecisionMakingOrg", "", &bad),
				     .reasons = api_text(body, "reasons", "", &bad) };
	if (bad)
		return api_malformed(req, res);
	field_errors errors;
	int64_t decision;
	rc = status_decision_add(&services_of(req)->env, principal_of(req), id, &in, &errors,
				 &decision);
	return rc ? api_refused(req, res, rc, &errors, NULL, NULL) : api_created_id(res, decision);
}

static int write_match(const case_record *c, int score, void *ctx)
{
	(void)score;
	return write_item(c, ctx);
}

/* POST /api/v1/cases/search {"name":"..."}: the cases in the caller's scope whose person has
 * a name like it (cases.h, case_find_by_name), best match first, then newest; at most
 * CASE_SEARCH_MAX, "total" counting every match. The name is in the body, never the address
 * (addresses are logged). A name missing, empty, too long or too short is 422 on "name". */
int api_cases_search(http_request *req, http_response *res)
{
	static const char *const names[] = { "name", NULL };
	json_value *body;
	int rc = api_read_body(req, res, names, &body);
	if (!body)
		return rc;
	const json_value *name = json_get(body, "name");
	if (body->type != JSON_OBJECT ||
	    (name && name->type != JSON_STRING && name->type != JSON_NULL))
		return api_malformed(req, res);
	const char *text = name && name->type == JSON_STRING ? name->string : "";
	field_errors problems;
	if (!case_search_name_valid(text, &problems))
		return api_field_errors(req, res, &problems);
	api_list l;
	rc = api_list_open(res, &l);
	int64_t found = 0;
	if (!rc)
		rc = case_find_by_name(&services_of(req)->env, req->arena, principal_of(req), text,
				       CASE_SEARCH_MAX, write_match, &l, &found);
	return api_list_close_total(&l, rc, found);
}
