/* /api/v1/knowledge: practices, legislation, case law and manuals as JSON. */
#include "knowledge/knowledge.h"
#include "api/api.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "services/services.h"

static int respond_item(http_request *req, http_response *res, int64_t id)
{
	kn_item it;
	int rc = kn_get(&services_of(req)->env, req->arena, principal_of(req), id, &it);
	if (rc)
		return rc;
	res->content_type = "application/json";
	return kn_item_json(&res->body, &it);
}

/* A JSON string or array of strings as "a,b"; NULL when absent; "\x01" when malformed. */
static const char *read_list(http_request *req, const json_value *v)
{
	const char *s;
	return !v ? NULL : api_codes_of(req->arena, v, 64 * 1024, &s) ? "\x01" : s;
}

static const char *read_string(const json_value *obj, const char *key, bool *bad)
{
	const json_value *v = json_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return v ? "" : NULL;
	if (v->type == JSON_STRING)
		return v->string;
	if (v->type == JSON_NUMBER) /* a year may come as a number */
		return v->string;
	*bad = true;
	return NULL;
}

static int read_translations(const json_value *v, kn_input *in)
{
	if (!v)
		return 0;
	if (v->type != JSON_OBJECT || v->length > KN_LANGS)
		return PONTE_EINVAL;
	in->translations_given = true;
	bool bad = false;
	for (size_t i = 0; i < v->length; i++) {
		if (v->items[i]->type != JSON_OBJECT)
			return PONTE_EINVAL;
		kn_translation *t = &in->translations[in->ntranslations++];
		t->language = v->keys[i];
		t->title = read_string(v->items[i], "title", &bad);
		t->summary = read_string(v->items[i], "summary", &bad);
	}
	return bad ? PONTE_EINVAL : 0;
}

/* The body of a create or an update; type-specific fields sit beside the common ones. */
static int read_input(http_request *req, const json_value *body, kn_input *in)
{
	bool bad = false;
	memset(in, 0, sizeof(*in));
	in->type = read_string(body, "type", &bad);
	in->language = read_string(body, "language", &bad);
	in->title = read_string(body, "title", &bad);
	in->summary = read_string(body, "summary", &bad);
	in->body = read_string(body, "body", &bad);
	in->countries = read_list(req, json_get(body, "countries"));
	if (in->countries && in->countries[0] == '\x01')
		bad = true;
	size_t n;
	const kn_field *fields = kn_fields(&n);
	for (size_t i = 0; i < n && !bad; i++) {
		const json_value *v = json_get(body, fields[i].name);
		if (!v || in->ndetails == KN_MAX_DETAILS)
			continue;
		/* The same name in two types (none today) would be read once. */
		bool seen = false;
		for (size_t j = 0; j < in->ndetails; j++)
			seen |= strcmp(in->details[j].name, fields[i].name) == 0;
		if (seen)
			continue;
		const char *value = fields[i].kind == KN_CODES
					? read_list(req, v)
					: read_string(body, fields[i].name, &bad);
		if (value && value[0] == '\x01')
			bad = true;
		in->details[in->ndetails].name = fields[i].name;
		in->details[in->ndetails].value = value ? value : "";
		in->ndetails++;
	}
	if (bad || read_translations(json_get(body, "translations"), in))
		return PONTE_EINVAL;
	return 0;
}

/* Whether the body has a member that no item has (its name in *name, within *prefix
 * "translations.xx" when in a translation). Details of another type than the item's are
 * known fields: the engine refuses them with a field error. */
static bool unknown_member(http_request *req, const json_value *body, bool update,
			   const char **prefix, const char **name)
{
	static const char *const common[] = { "version",   "type",         "language",
					      "title",     "summary",      "body",
					      "countries", "translations", NULL };
	static const char *const translation[] = { "title", "summary", NULL };
	size_t n;
	const kn_field *fields = kn_fields(&n);
	*prefix = NULL;
	for (size_t i = 0; i < body->length; i++) {
		const char *key = body->keys[i];
		bool known = false;
		for (const char *const *c = common + !update; *c && !known; c++)
			known = strcmp(*c, key) == 0;
		for (size_t f = 0; f < n && !known; f++)
			known = strcmp(fields[f].name, key) == 0;
		if (!known) {
			*name = key;
			return true;
		}
	}
	const json_value *t = json_get(body, "translations");
	for (size_t i = 0; t && t->type == JSON_OBJECT && i < t->length; i++)
		if ((*name = api_unknown_member(t->items[i], translation))) {
			*prefix = arena_printf(req->arena, "translations.%s", t->keys[i]);
			return true;
		}
	return false;
}

int api_knowledge_get(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return respond_item(req, res, id);
}

/* The body of a create or an update as the engine's input, or the answer 400 written (*body
 * NULL). */
static int read_request(http_request *req, http_response *res, bool update, json_value **body,
			kn_input *in)
{
	const char *prefix, *unknown;
	int rc = api_parse_body(req, body);
	if (rc == PONTE_ENOMEM) {
		*body = NULL;
		return rc;
	}
	if (!rc && unknown_member(req, *body, update, &prefix, &unknown)) {
		*body = NULL;
		return api_unknown_field(req, res, prefix, unknown);
	}
	if (rc || read_input(req, *body, in)) {
		*body = NULL;
		return api_malformed(req, res);
	}
	return 0;
}

#define ONLY_DRAFTS                                                                                \
	N_("Only drafts can be edited, by their author's side, and items in review by a "          \
	   "reviewer.")

int api_knowledge_create(http_request *req, http_response *res)
{
	json_value *body;
	kn_input in;
	int rc = read_request(req, res, false, &body, &in);
	if (!body)
		return rc;
	field_errors e;
	int64_t id;
	rc = kn_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc)
		return api_refused(req, res, rc, &e, NULL, NULL);
	api_created_at(req, res, "/api/v1/knowledge", id);
	return respond_item(req, res, id);
}

int api_knowledge_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	json_value *body;
	kn_input in;
	int rc = read_request(req, res, true, &body, &in);
	if (!body)
		return rc;
	int64_t version;
	if (!api_base_version(body, &version))
		return http_refuse(req, res, PONTE_EREJECTED,
				   N_("Send the version of the item your change is based on."));
	field_errors e;
	int64_t current = 0;
	rc = kn_update(&services_of(req)->env, principal_of(req), id, version, &in, &e, &current);
	if (rc)
		return api_refused(req, res, rc, &e, ONLY_DRAFTS,
				   N_("Someone else changed this item. Reload it and apply your "
				      "change again."));
	return respond_item(req, res, id);
}

/* POST /api/v1/knowledge/{id}/{submit,return,publish,archive}: the action is the last word of
 * the route's pattern, each route holding the permission of its action. */
int api_knowledge_move(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	static const char *const none[] = { NULL };
	json_value *body;
	int rc = api_read_optional_body(req, res, none, &body);
	if (!body)
		return rc;
	const char *why = NULL, *action = strrchr(req->route->pattern, '/') + 1;
	rc = kn_transition(&services_of(req)->env, principal_of(req), id, action, &why);
	return rc ? api_refused(req, res, rc, NULL, why, why) : respond_item(req, res, id);
}

/* ---- versions ---- */

static int write_version(const kn_version *v, void *ctx)
{
	api_list *l = ctx;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(l->b, "{\"version\":%lld,\"user\":%lld", (long long)v->version,
				(long long)v->user_id);
	const char *const f[][2] = { { "status", v->status }, { "created_at", v->created_at } };
	if (!rc)
		rc = json_fields_str(l->b, f, ARRAY_LEN(f));
	if (!rc)
		rc = buf_printf(l->b, ",\"item\":%s}", v->snapshot);
	return rc;
}

API_RECORD_LIST(api_knowledge_versions, kn_versions, write_version)

/* ---- search ---- */

static int write_hit(const kn_hit *h, void *ctx)
{
	api_list *l = ctx;
	buf *b = l->b;
	const kn_item *it = h->item;
	int rc = api_list_next(l);
	if (!rc)
		rc = buf_printf(b, "{\"id\":%lld,\"version\":%lld", (long long)it->id,
				(long long)it->version);
	const char *const strings[][2] = { { "type", it->type },
					   { "status", it->status },
					   { "language", it->language },
					   { "title", h->title },
					   { "summary", h->summary },
					   { "evidence", it->evidence },
					   { "updated_at", it->updated_at } };
	if (!rc)
		rc = json_fields_str(b, strings, ARRAY_LEN(strings));
	if (!rc)
		rc = json_field_date(b, false, "published_at", it->published_at);
	if (!rc)
		rc = buf_printf(b, ",\"in_reader_language\":%s",
				h->in_reader_lang ? "true" : "false");
	if (!rc)
		rc = it->year ? buf_printf(b, ",\"year\":%d", it->year)
			      : buf_puts(b, ",\"year\":null");
	if (!rc)
		rc = json_field_list(b, false, "countries", it->countries);
	return rc ? rc : buf_putc(b, '}');
}

static int write_facets(buf *b, const kn_facet *f)
{
	int rc = buf_puts(b, ",\"facets\":{");
	for (int i = 0; i < KN_FACETS && !rc; i++) {
		rc = buf_printf(b, "%s\"%s\":[", i ? "," : "", f[i].name);
		for (size_t j = 0; j < f[i].n && !rc; j++) {
			rc = buf_printf(b, "%s{", j ? "," : "");
			if (!rc)
				rc = json_field_str(b, true, "value", f[i].values[j].value);
			if (!rc)
				rc = buf_printf(b, ",\"count\":%lld}",
						(long long)f[i].values[j].count);
		}
		if (!rc)
			rc = buf_putc(b, ']');
	}
	return rc ? rc : buf_putc(b, '}');
}

int api_knowledge_list(http_request *req, http_response *res)
{
	kn_filter f;
	const char *problem;
	if (!kn_filter_parse(&req->query_params, &f, &problem))
		return http_refuse(req, res, PONTE_EREJECTED, problem);
	api_list l;
	int64_t total = 0;
	kn_facet facets[KN_FACETS];
	int rc = api_list_open(res, &l);
	if (!rc)
		rc = kn_search(&services_of(req)->env, req->arena, principal_of(req),
			       i18n_lang(req->lang)->code, &f, write_hit, &l, &total, facets);
	if (!rc)
		rc = buf_printf(&res->body, "],\"total\":%lld", (long long)total);
	if (!rc)
		rc = write_facets(&res->body, facets);
	return rc ? rc : buf_putc(&res->body, '}');
}

/* POST /api/v1/knowledge/{id}/attachments: multipart/form-data with one file. */
int api_knowledge_attach(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (!req->upload.present)
		return api_no_upload(req, res);
	const char *why = NULL;
	int64_t att;
	int rc = kn_attach(&services_of(req)->env, principal_of(req),
			   arena_printf(req->arena, "%s/knowledge", services_of(req)->files_dir),
			   id, req->upload.path, req->upload.filename, &att, &why);
	if (rc == PONTE_EDENIED)
		return http_refuse(req, res, PONTE_EDENIED, ONLY_DRAFTS);
	if (rc)
		return api_upload_refused(req, res, rc, why);
	http_created(res);
	return respond_item(req, res, id);
}
