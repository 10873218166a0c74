/* Knowledge pages: search with facets, one item, the form, the workflow, version diffs. */
#include "knowledge/knowledge.h"
#include "base/json_parse.h"
#include "base/urlcode.h"
#include "base/utf8.h"
#include "files/files.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

#define PAGE_SIZE 20

static const char *lang_name(int lang, const char *code)
{
	return tr(lang, kn_code_label("language", code));
}

/* "SN,ML" in the reader's words. */
static const char *countries_of(http_request *req, const char *csv)
{
	return country_labels(services_of(req)->db, req->arena, i18n_lang(req->lang)->code, csv,
			      ", ");
}

/* ---- highlights ---- */

struct pieces {
	http_request *req;
	tpl_list *list;
};

static int add_piece(const char *s, size_t n, bool hit, void *ctx)
{
	struct pieces *p = ctx;
	tpl_vars *v = tpl_list_add(p->list);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "text", arena_strndup(p->req->arena, s, n));
	tpl_set_bool(v, "hit", hit);
	return 0;
}

static int set_highlighted(http_request *req, tpl_vars *v, const char *key, const char *text,
			   const char *q)
{
	struct pieces p = { req, tpl_set_list(v, key) };
	return kn_highlight(text, q, add_piece, &p);
}

/* ---- search page ---- */

struct hits {
	http_request *req;
	tpl_list *list;
	const char *q;
};

static int add_hit(const kn_hit *h, void *ctx)
{
	struct hits *s = ctx;
	http_request *req = s->req;
	tpl_vars *v = tpl_list_add(s->list);
	if (!v)
		return PONTE_ENOMEM;
	const kn_item *it = h->item;
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)it->id));
	int rc = set_highlighted(req, v, "title", h->title, s->q);
	if (!rc)
		rc = set_highlighted(req, v, "summary", h->summary, s->q);
	tpl_set(v, "type", tr(req->lang, kn_code_label("type", it->type)));
	if (*it->evidence)
		tpl_set(v, "evidence", tr(req->lang, kn_code_label("evidence", it->evidence)));
	if (strcmp(it->status, "published") != 0)
		tpl_set(v, "status", tr(req->lang, kn_code_label("status", it->status)));
	if (!h->in_reader_lang)
		tpl_set(v, "original", lang_name(req->lang, it->language));
	tpl_set(v, "item_lang", it->language);
	tpl_set(v, "countries", countries_of(req, it->countries));
	if (it->year)
		tpl_set(v, "year", arena_printf(req->arena, "%d", it->year));
	return rc;
}

/* The label of a facet value, in the reader's language. */
static const char *facet_label(http_request *req, const char *facet, const char *value)
{
	static const char *const VOCAB[][2] = { { "type", "type" },
						{ "evidence", "evidence" },
						{ "lang", "language" },
						{ "area", "area" },
						{ "target", "target" } };
	for (size_t i = 0; i < ARRAY_LEN(VOCAB); i++)
		if (strcmp(VOCAB[i][0], facet) == 0)
			return tr(req->lang, kn_code_label(VOCAB[i][1], value));
	if (strcmp(facet, "country") == 0)
		return country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				     value);
	return value;
}

static void add_facets(http_request *req, tpl_vars *v, const kn_facet *facets, const kn_filter *f)
{
	static const char *const LABELS[KN_FACETS] = {
		N_("Kind"),    N_("Evidence level"), N_("Language"),     N_("Year"),
		N_("Country"), N_("Area"),           N_("Target group"),
	};
	/* The parameter each facet filters with on this page ("language": ?lang= switches the
	 * interface language). */
	static const char *const PARAMS[KN_FACETS] = { "type",    "evidence", "language", "year",
						       "country", "area",     "target" };
	const char *selected[KN_FACETS] = { f->type,    f->evidence, f->lang,  NULL,
					    f->country, f->area,     f->target };
	char year[12] = "";
	if (f->year)
		snprintf(year, sizeof(year), "%d", f->year);
	selected[3] = year;
	tpl_list *list = tpl_set_list(v, "facets");
	for (int i = 0; i < KN_FACETS; i++) {
		tpl_vars *fv = tpl_list_add(list);
		if (!fv)
			return;
		tpl_set(fv, "param", PARAMS[i]);
		tpl_set(fv, "label", tr(req->lang, LABELS[i]));
		tpl_list *values = tpl_set_list(fv, "values");
		bool found = false;
		for (size_t j = 0; j < facets[i].n; j++) {
			tpl_vars *o = tpl_list_add(values);
			const char *value = facets[i].values[j].value;
			tpl_set(o, "value", value);
			tpl_set(o, "label",
				arena_printf(req->arena, "%s (%lld)",
					     facet_label(req, facets[i].name, value),
					     (long long)facets[i].values[j].count));
			bool on = selected[i] && strcmp(selected[i], value) == 0;
			found |= on;
			tpl_set_bool(o, "selected", on);
		}
		/* A filter with no match still shows, so that it can be removed. */
		if (selected[i] && *selected[i] && !found) {
			tpl_vars *o = tpl_list_add(values);
			tpl_set(o, "value", selected[i]);
			tpl_set(o, "label",
				arena_printf(req->arena, "%s (0)",
					     facet_label(req, facets[i].name, selected[i])));
			tpl_set_bool(o, "selected", true);
		}
	}
}

/* /knowledge?... with the current filters and another page. */
static const char *page_url(http_request *req, const kn_filter *f, long page)
{
	const char *params[][2] = {
		{ "q", f->q },           { "type", f->type },       { "evidence", f->evidence },
		{ "language", f->lang }, { "country", f->country }, { "area", f->area },
		{ "target", f->target }, { "status", f->status }
	};
	buf b;
	buf_init(&b, 8192);
	int rc = buf_printf(&b, "/knowledge?page=%ld", page);
	if (f->year)
		rc = buf_printf(&b, "&year=%d", f->year);
	for (size_t i = 0; i < ARRAY_LEN(params) && !rc; i++) {
		if (!params[i][1] || !*params[i][1])
			continue;
		rc = buf_printf(&b, "&%s=", params[i][0]);
		if (!rc)
			rc = url_encode_component(&b, params[i][1], strlen(params[i][1]));
	}
	const char *s = rc ? "/knowledge" : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return s;
}

int web_knowledge(http_request *req, http_response *res)
{
	kn_filter f;
	const char *problem;
	if (!kn_filter_parse(&req->query_params, &f, &problem))
		return PONTE_EINVAL;
	f.lang = http_query(req, "language");
	const char *page = http_query(req, "page");
	long p = page ? strtol(page, NULL, 10) : 1;
	if (p < 1 || p > 10000)
		p = 1;
	f.limit = PAGE_SIZE;
	f.offset = (int)(p - 1) * PAGE_SIZE;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	struct hits hits = { req, tpl_set_list(v, "items"), f.q };
	int64_t total = 0;
	kn_facet facets[KN_FACETS];
	int rc = kn_search(&services_of(req)->env, req->arena, principal_of(req),
			   i18n_lang(req->lang)->code, &f, add_hit, &hits, &total, facets);
	if (rc)
		return rc;
	add_facets(req, v, facets, &f);
	tpl_set(v, "q", f.q ? f.q : "");
	tpl_set(v, "total", web_count(req, total));
	tpl_set_bool(v, "can_write", principal_can(principal_of(req), "knowledge.write"));
	const principal *who = principal_of(req);
	if (who &&
	    (principal_can(who, "knowledge.write") || principal_can(who, "knowledge.review"))) {
		tpl_list *statuses = tpl_set_list(v, "statuses");
		size_t n;
		const kn_code *codes = kn_codes("status", &n);
		for (size_t i = 0; i < n; i++) {
			tpl_vars *o = tpl_list_add(statuses);
			tpl_set(o, "code", codes[i].code);
			tpl_set(o, "name", tr(req->lang, codes[i].label));
			tpl_set_bool(o, "selected",
				     f.status && strcmp(f.status, codes[i].code) == 0);
		}
	}
	if (p > 1)
		tpl_set(v, "prev_url", page_url(req, &f, p - 1));
	if (p * PAGE_SIZE < total)
		tpl_set(v, "next_url", page_url(req, &f, p + 1));
	tpl_set(v, "page", web_count(req, p));
	return web_render_page(req, res, "knowledge", N_("Knowledge"), v);
}

/* ---- the form ---- */

static const char *detail_value(const kn_input *in, const char *name)
{
	for (size_t i = 0; i < in->ndetails; i++)
		if (strcmp(in->details[i].name, name) == 0)
			return in->details[i].value ? in->details[i].value : "";
	return "";
}

static bool in_list(const char *list, const char *code)
{
	size_t len = strlen(code);
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (n == len && memcmp(s, code, n) == 0)
			return true;
		s += n + (s[n] == ',');
	}
	return false;
}

static void add_codes(http_request *req, tpl_vars *v, const char *key, const char *vocabulary,
		      const char *selected)
{
	size_t n;
	const kn_code *codes = kn_codes(vocabulary, &n);
	tpl_list *l = tpl_set_list(v, key);
	for (size_t i = 0; i < n; i++) {
		tpl_vars *o = tpl_list_add(l);
		tpl_set(o, "code", codes[i].code);
		tpl_set(o, "name", tr(req->lang, codes[i].label));
		tpl_set_bool(o, "selected", selected && in_list(selected, codes[i].code));
	}
}

static void fill_form(http_request *req, tpl_vars *v, const kn_input *given, const field_errors *e)
{
	int lang = req->lang;
	kn_input copy = *given; /* a form posted without a kind shows an empty one */
	const kn_input *in = &copy;
	copy.type = given->type ? given->type : "";
	tpl_set(v, "type", in->type);
	tpl_set(v, "type_name", tr(lang, kn_code_label("type", in->type)));
	tpl_set(v, "title", in->title);
	tpl_set(v, "summary", in->summary);
	tpl_set(v, "body", in->body);
	tpl_set(v, "countries", in->countries);
	add_codes(req, v, "languages", "language", in->language ? in->language : "en");
	size_t n;
	const kn_field *fields = kn_fields(&n);
	/* The summary in the form's order: the fields every item has, its type's, translations. */
	static const char *const COMMON[] = { "type",    "language", "title",
					      "summary", "body",     "countries" };
	const char **order = arena_alloc(req->arena, (ARRAY_LEN(COMMON) + n + 2) * sizeof(*order));
	size_t k = 0;
	for (size_t i = 0; i < ARRAY_LEN(COMMON); i++)
		order[k++] = COMMON[i];
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].type, in->type) == 0)
			order[k++] = fields[i].name;
	order[k++] = "translations";
	web_field_errors(req, v, e, order, NULL);
	tpl_list *list = tpl_set_list(v, "fields");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i].type, in->type) != 0)
			continue;
		tpl_vars *f = tpl_list_add(list);
		const char *value = detail_value(in, fields[i].name);
		tpl_set(f, "field", fields[i].name);
		tpl_set(f, "label", tr(lang, fields[i].label));
		tpl_set(f, "value", value);
		tpl_set_bool(f, "required", fields[i].required);
		tpl_set_bool(f, "is_longtext", fields[i].kind == KN_LONGTEXT);
		tpl_set_bool(f, "is_code", fields[i].kind == KN_CODE);
		tpl_set_bool(f, "is_codes", fields[i].kind == KN_CODES);
		tpl_set_bool(f, "is_input",
			     fields[i].kind != KN_LONGTEXT && fields[i].kind != KN_CODE &&
				 fields[i].kind != KN_CODES);
		tpl_set(f, "input_type",
			fields[i].kind == KN_DATE   ? "date"
			: fields[i].kind == KN_URL  ? "url"
			: fields[i].kind == KN_YEAR ? "number"
						    : "text");
		if (fields[i].kind == KN_INITIALS)
			tpl_set(f, "hint",
				tr(lang, N_("Initials only, with sex and nationality: "
					    "K.M. (M, NG); A.B. (F, NE).")));
		if (fields[i].vocabulary)
			add_codes(req, f, "codes", fields[i].vocabulary, value);
		const char *m = field_errors_find(e, fields[i].name);
		if (m)
			tpl_set(f, "error", tr(lang, m));
	}
	/* Translations into the other languages, empty unless given: a name left unset would
	 * read the item's own title and summary from the page's scope. */
	tpl_list *tl = tpl_set_list(v, "translations");
	size_t nl;
	const kn_code *langs = kn_codes("language", &nl);
	for (size_t i = 0; i < nl; i++) {
		if (in->language && strcmp(langs[i].code, in->language) == 0)
			continue;
		tpl_vars *t = tpl_list_add(tl);
		tpl_set(t, "code", langs[i].code);
		tpl_set(t, "name", tr(lang, langs[i].label));
		tpl_set(t, "title", "");
		tpl_set(t, "summary", "");
		for (size_t j = 0; j < in->ntranslations; j++)
			if (strcmp(in->translations[j].language, langs[i].code) == 0) {
				tpl_set(t, "title", in->translations[j].title);
				tpl_set(t, "summary", in->translations[j].summary);
			}
	}
	tpl_set(v, "csrf", principal_of(req)->csrf);
}

/* The form as posted, for an item of the given type. */
static void read_form(http_request *req, kn_input *in, const char *type)
{
	memset(in, 0, sizeof(*in));
	in->type = type;
	in->language = http_form(req, "language");
	in->title = http_form(req, "title");
	in->summary = http_form(req, "summary");
	in->body = http_form(req, "body");
	/* "pt, es" → "PT,ES" */
	const char *cz = http_form(req, "countries");
	if (cz) {
		char *out = arena_alloc(req->arena, strlen(cz) + 1);
		size_t o = 0;
		for (const char *p = cz; out && *p; p++)
			if (*p != ' ' && !(*p == ',' && (o == 0 || out[o - 1] == ',')))
				out[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		while (out && o && out[o - 1] == ',')
			o--;
		if (out)
			out[o] = '\0';
		in->countries = out;
	}
	size_t n;
	const kn_field *fields = kn_fields(&n);
	for (size_t i = 0; i < n && in->ndetails < KN_MAX_DETAILS; i++) {
		if (!in->type || strcmp(fields[i].type, in->type) != 0)
			continue;
		const char *value = "";
		if (fields[i].kind == KN_CODES) {
			buf b;
			buf_init(&b, 4096);
			for (size_t k = 0; k < req->form.count; k++)
				if (strcmp(req->form.items[k].key, fields[i].name) == 0 &&
				    !strchr(req->form.items[k].value, ','))
					buf_printf(&b, "%s%s", b.len ? "," : "",
						   req->form.items[k].value);
			value = arena_strdup(req->arena, b.data ? b.data : "");
			buf_release(&b);
		} else {
			value = http_form(req, fields[i].name);
		}
		in->details[in->ndetails].name = fields[i].name;
		in->details[in->ndetails].value = value ? value : "";
		in->ndetails++;
	}
	in->translations_given = true;
	size_t nl;
	const kn_code *langs = kn_codes("language", &nl);
	for (size_t i = 0; i < nl && in->ntranslations < KN_LANGS; i++) {
		const char *t =
		    http_form(req, arena_printf(req->arena, "tr_%s_title", langs[i].code));
		const char *s =
		    http_form(req, arena_printf(req->arena, "tr_%s_summary", langs[i].code));
		if ((t && *t) || (s && *s)) {
			kn_translation *tt = &in->translations[in->ntranslations++];
			tt->language = langs[i].code;
			tt->title = t ? t : "";
			tt->summary = s ? s : "";
		}
	}
}

static int render_form(http_request *req, http_response *res, const kn_input *in,
		       const field_errors *e, int64_t id, int64_t version)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	fill_form(req, v, in, e);
	/* The form posts to its own page, so that the page answered with errors can be
	 * reloaded. */
	if (id) {
		tpl_set(v, "action",
			arena_printf(req->arena, "/knowledge/%lld/edit", (long long)id));
		tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)version));
		tpl_set(v, "back", arena_printf(req->arena, "/knowledge/%lld", (long long)id));
	} else {
		tpl_set(v, "action",
			in->type ? arena_printf(req->arena, "/knowledge/new?type=%s", in->type)
				 : "/knowledge/new");
		tpl_set(v, "back", "/knowledge");
	}
	tpl_set_bool(v, "editing", id != 0);
	int rc = web_render_page(req, res, "knowledge_form",
				 id ? N_("Edit the item") : N_("New item"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_knowledge_new(http_request *req, http_response *res)
{
	const char *type = http_query(req, "type");
	size_t n;
	const kn_code *types = kn_codes("type", &n);
	bool known = false;
	for (size_t i = 0; type && i < n; i++)
		known |= strcmp(types[i].code, type) == 0;
	if (!known) {
		tpl_vars *v = tpl_vars_new(req->arena);
		if (!v)
			return PONTE_ENOMEM;
		add_codes(req, v, "types", "type", NULL);
		return web_render_page(req, res, "knowledge_new", N_("New item"), v);
	}
	kn_input in = { .type = type, .language = i18n_lang(req->lang)->code };
	return render_form(req, res, &in, NULL, 0, 0);
}

int web_knowledge_create(http_request *req, http_response *res)
{
	kn_input in;
	read_form(req, &in, http_form(req, "type"));
	field_errors e;
	int64_t id;
	int rc = kn_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc == PONTE_EINVAL)
		return render_form(req, res, &in, &e, 0, 0);
	if (rc)
		return rc;
	web_flash(req, N_("Draft saved: submit it for review when it is ready."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/knowledge/%lld", (long long)id));
}

int web_knowledge_edit(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	kn_item it;
	int rc = kn_get(&services_of(req)->env, req->arena, principal_of(req), id, &it);
	if (rc)
		return rc;
	if (!kn_can_edit(principal_of(req), &it))
		return PONTE_EDENIED;
	kn_input in;
	kn_input_of(&it, &in);
	return render_form(req, res, &in, NULL, id, it.version);
}

int web_knowledge_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	kn_item it;
	int rc = kn_get(&services_of(req)->env, req->arena, principal_of(req), id, &it);
	if (rc)
		return rc;
	kn_input in;
	read_form(req, &in, it.type); /* the kind never changes */
	const char *version = http_form(req, "version");
	field_errors e;
	int64_t current = 0;
	rc = kn_update(&services_of(req)->env, principal_of(req), id,
		       version ? strtoll(version, NULL, 10) : -1, &in, &e, &current);
	if (rc == PONTE_EINVAL)
		return render_form(req, res, &in, &e, id, it.version);
	if (rc == PONTE_ECONFLICT) {
		e.count = 1;
		e.items[0].field = "title";
		e.items[0].message = N_("Someone else changed this item while you were editing. "
					"Your text is below; the current version is on the item's "
					"page.");
		rc = render_form(req, res, &in, &e, id, current);
		http_refuse_page(res, PONTE_ECONFLICT);
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Saved as a new version."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/knowledge/%lld", (long long)id));
}

/* ---- one item ---- */

static void add_details(http_request *req, tpl_vars *v, const kn_item *it)
{
	size_t n;
	const kn_field *fields = kn_fields(&n);
	tpl_list *list = tpl_set_list(v, "details");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i].type, it->type) != 0)
			continue;
		const char *value = kn_detail(it, fields[i].name);
		if (!*value)
			continue;
		tpl_vars *d = tpl_list_add(list);
		tpl_set(d, "label", tr(req->lang, fields[i].label));
		if (fields[i].kind == KN_URL) {
			tpl_set(d, "url", value);
		} else if (fields[i].vocabulary) {
			buf b;
			buf_init(&b, 8192);
			for (const char *s = value; *s;) {
				size_t len = strcspn(s, ",");
				char code[48];
				snprintf(code, sizeof(code), "%.*s", (int)len, s);
				buf_printf(
				    &b, "%s%s", b.len ? ", " : "",
				    tr(req->lang, kn_code_label(fields[i].vocabulary, code)));
				s += len + (s[len] == ',');
			}
			tpl_set(d, "value", arena_strdup(req->arena, b.data ? b.data : ""));
			buf_release(&b);
		} else {
			tpl_set(d, "value", value);
		}
	}
}

struct versions {
	http_request *req;
	tpl_list *list;
	int64_t id;
	int64_t newer;
};

static int add_version(const kn_version *ver, void *ctx)
{
	struct versions *s = ctx;
	arena *a = s->req->arena;
	tpl_vars *v = tpl_list_add(s->list);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "version", arena_printf(a, "%lld", (long long)ver->version));
	tpl_set(v, "status", tr(s->req->lang, kn_code_label("status", ver->status)));
	web_set_when(s->req, v, "date", ver->created_at, true);
	if (ver->version > 1)
		tpl_set(v, "diff_url",
			arena_printf(a, "/knowledge/%lld/diff?from=%lld&to=%lld", (long long)s->id,
				     (long long)ver->version - 1, (long long)ver->version));
	return 0;
}

int web_knowledge_item(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const principal *p = principal_of(req);
	kn_item it;
	int rc = kn_get(&services_of(req)->env, req->arena, p, id, &it);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const char *reader = i18n_lang(req->lang)->code;
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "type", tr(req->lang, kn_code_label("type", it.type)));
	tpl_set(v, "status", tr(req->lang, kn_code_label("status", it.status)));
	tpl_set_bool(v, "published", strcmp(it.status, "published") == 0);
	tpl_set(v, "item_lang", it.language);
	tpl_set(v, "language", lang_name(req->lang, it.language));
	tpl_set(v, "title", it.title);
	tpl_set(v, "summary", it.summary);
	tpl_set(v, "body", it.body);
	tpl_set(v, "countries", countries_of(req, it.countries));
	if (*it.evidence)
		tpl_set(v, "evidence", tr(req->lang, kn_code_label("evidence", it.evidence)));
	if (it.year)
		tpl_set(v, "year", arena_printf(req->arena, "%d", it.year));
	for (size_t i = 0; i < it.ntranslations; i++)
		if (strcmp(it.translations[i].language, reader) == 0) {
			tpl_set(v, "tr_lang", reader);
			tpl_set(v, "tr_title", it.translations[i].title);
			tpl_set(v, "tr_summary", it.translations[i].summary);
		}
	add_details(req, v, &it);
	tpl_list *files = tpl_set_list(v, "attachments");
	for (size_t i = 0; i < it.nattachments; i++) {
		tpl_vars *f = tpl_list_add(files);
		tpl_set(f, "url",
			arena_printf(req->arena, "/knowledge/%lld/attachments/%lld", (long long)id,
				     (long long)it.attachments[i].id));
		tpl_set(f, "name", it.attachments[i].filename);
		tpl_set(f, "size",
			arena_printf(req->arena, "%.1f",
				     (double)it.attachments[i].size / (1024.0 * 1024.0)));
	}
	if (p) {
		tpl_set(v, "csrf", p->csrf);
		tpl_set_bool(v, "can_edit", kn_can_edit(p, &it));
		bool writer = principal_can_see(p, "knowledge.write", it.author_id,
						it.organisation_id, it.owner_country);
		bool reviewer = principal_can(p, "knowledge.review");
		tpl_set_bool(v, "can_submit", writer && strcmp(it.status, "draft") == 0);
		tpl_set_bool(v, "can_review", reviewer && strcmp(it.status, "review") == 0);
		tpl_set_bool(v, "can_archive", reviewer && strcmp(it.status, "published") == 0);
		struct versions vs = { req, tpl_set_list(v, "versions"), id, 0 };
		rc = kn_versions(&services_of(req)->env, req->arena, p, id, add_version, &vs);
		if (rc)
			return rc;
	}
	return web_render_page(req, res, "knowledge_item", N_("Knowledge"), v);
}

/* The item's page: do=submit, publish, return or archive moves it along its review;
 * kn_transition() decides who may (reviewers for all but submit). */
int web_knowledge_move(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *action = web_form_do(req);
	if (strcmp(action, "archive") == 0 && !web_confirmed(req))
		return web_confirm(
		    req, res, NULL, N_("Archive this item?"),
		    tr(req->lang, N_("This archives the item: lists show it only when "
				     "archived items are asked for.")),
		    N_("Archive the item"),
		    arena_printf(req->arena, "/knowledge/%lld", (long long)id));
	const char *why = NULL;
	int rc = kn_transition(&services_of(req)->env, principal_of(req), id, action, &why);
	if (rc == PONTE_EDENIED || rc == PONTE_ECONFLICT) {
		tpl_vars *v = tpl_vars_new(req->arena);
		if (!v)
			return PONTE_ENOMEM;
		tpl_set(v, "message", tr(req->lang, why));
		tpl_set(v, "back", arena_printf(req->arena, "/knowledge/%lld", (long long)id));
		rc = web_render_page(req, res, "knowledge_refused", N_("Not done"), v);
		http_refuse_page(res, PONTE_EDENIED);
		return rc;
	}
	if (rc)
		return rc;
	if (strcmp(action, "publish") == 0)
		web_flash(req, N_("Published: every user can now find it."), NULL);
	else if (strcmp(action, "submit") == 0)
		web_flash(req, N_("Submitted: a reviewer will look at it."), NULL);
	else if (strcmp(action, "return") == 0)
		web_flash(req, N_("Returned to its author as a draft."), NULL);
	else if (strcmp(action, "archive") == 0)
		web_flash(req,
			  N_("Archived: lists show it only when archived items are asked for."),
			  NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/knowledge/%lld", (long long)id));
}

/* ---- diff of two versions ---- */

struct flat {
	const char *key[128];
	const char *value[128];
	size_t n;
};

/* Flatten a snapshot: translations.fr.title, countries "PT, ES", ... */
static void flatten(arena *a, const json_value *v, const char *prefix, struct flat *out)
{
	if (v->type == JSON_OBJECT) {
		for (size_t i = 0; i < v->length; i++)
			flatten(a, v->items[i],
				*prefix ? arena_printf(a, "%s.%s", prefix, v->keys[i]) : v->keys[i],
				out);
		return;
	}
	if (out->n == ARRAY_LEN(out->key))
		return;
	const char *text = "";
	if (v->type == JSON_STRING || v->type == JSON_NUMBER) {
		text = v->string;
	} else if (v->type == JSON_ARRAY) {
		buf b;
		buf_init(&b, 64 * 1024);
		for (size_t i = 0; i < v->length; i++)
			if (v->items[i]->type == JSON_STRING)
				buf_printf(&b, "%s%s", i ? ", " : "", v->items[i]->string);
		text = arena_strdup(a, b.data ? b.data : "");
		buf_release(&b);
	}
	out->key[out->n] = prefix;
	out->value[out->n++] = text;
}

struct pick {
	int64_t from, to;
	const char *from_snap, *to_snap;
};

static int pick_versions(const kn_version *v, void *ctx)
{
	struct pick *p = ctx;
	if (v->version == p->from)
		p->from_snap = v->snapshot;
	if (v->version == p->to)
		p->to_snap = v->snapshot;
	return 0;
}

static const char *find(const struct flat *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->value[i];
	return "";
}

/* The fields of a version every type has, what they are called, and the vocabulary of their
 * codes (NULL: text; "country", "language": names of countries and languages). */
static const struct {
	const char *key, *label, *vocabulary;
} COMMON_FIELDS[] = {
	{ "type", N_("Kind"), "knowledge.type" },
	{ "status", N_("Status"), "knowledge.status" },
	{ "language", N_("Written in"), "knowledge.language" },
	{ "title", N_("Title"), NULL },
	{ "summary", N_("Summary"), NULL },
	{ "body", N_("Full description"), NULL },
	{ "owner_country", N_("Country"), "country" },
	{ "published_at", N_("Published"), NULL },
	{ "year", N_("Year"), NULL },
	{ "countries", N_("Countries"), "country" },
	{ "languages", N_("Languages"), "language" },
	{ "attachments", N_("Attachments"), NULL },
};

/* A changed field of the diff, named and valued in the reader's words: "status" is
 * "Status", "translations.fr.title" is "Title (French)", a code its label. */
static void diff_row(http_request *req, tpl_vars *r, const char *key, const char *before,
		     const char *after)
{
	const char *label = key, *vocabulary = NULL, *lang = i18n_lang(req->lang)->code;
	char code[8];
	if (sscanf(key, "translations.%7[a-z].", code) == 1) {
		const char *what = strrchr(key, '.') + 1;
		label = arena_printf(
		    req->arena, "%s (%s)",
		    tr(req->lang, strcmp(what, "title") == 0 ? N_("Title") : N_("Summary")),
		    tr(req->lang, kn_code_label("language", code)));
	}
	for (size_t i = 0; i < ARRAY_LEN(COMMON_FIELDS); i++)
		if (strcmp(COMMON_FIELDS[i].key, key) == 0) {
			label = tr(req->lang, COMMON_FIELDS[i].label);
			vocabulary = COMMON_FIELDS[i].vocabulary;
		}
	size_t n;
	const kn_field *fields = kn_fields(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, key) == 0) {
			label = tr(req->lang, fields[i].label);
			if (fields[i].vocabulary)
				vocabulary =
				    arena_printf(req->arena, "knowledge.%s", fields[i].vocabulary);
		}
	const char *value[2] = { before, after };
	for (int i = 0; i < 2 && vocabulary; i++) {
		char *csv = arena_strdup(req->arena, value[i]), *o = csv;
		for (const char *p = value[i]; *p; p++) /* lists come as "a, b" */
			if (*p != ' ')
				*o++ = *p;
		*o = '\0';
		value[i] = strcmp(vocabulary, "country") == 0
			       ? country_labels(services_of(req)->db, req->arena, lang, csv, ", ")
			       : vocab_labels(req->arena, req->lang, vocabulary, csv, ", ");
	}
	tpl_set(r, "key", key);
	tpl_set(r, "field", label);
	tpl_set(r, "before", value[0]);
	tpl_set(r, "after", value[1]);
}

int web_knowledge_diff(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	struct pick pk = { from ? strtoll(from, NULL, 10) : 0, to ? strtoll(to, NULL, 10) : 0, NULL,
			   NULL };
	int rc = kn_versions(&services_of(req)->env, req->arena, principal_of(req), id,
			     pick_versions, &pk);
	if (rc)
		return rc;
	if (!pk.from_snap || !pk.to_snap)
		return PONTE_ENOTFOUND;
	json_value *a, *b;
	char err[64];
	if (json_parse(req->arena, pk.from_snap, strlen(pk.from_snap), &a, err, sizeof(err)) ||
	    json_parse(req->arena, pk.to_snap, strlen(pk.to_snap), &b, err, sizeof(err)))
		return PONTE_ESTORE;
	struct flat *fa = arena_calloc(req->arena, 2, sizeof(*fa));
	if (!fa)
		return PONTE_ENOMEM;
	flatten(req->arena, a, "", &fa[0]);
	flatten(req->arena, b, "", &fa[1]);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_list *rows = tpl_set_list(v, "changes");
	static const char *const SKIP[] = { "version", "updated_at" };
	for (int side = 1; side >= 0; side--)
		for (size_t i = 0; i < fa[side].n; i++) {
			const char *key = fa[side].key[i];
			bool skip = side == 0 && *find(&fa[1], key); /* listed from the newer */
			for (size_t s = 0; s < ARRAY_LEN(SKIP); s++)
				skip |= strcmp(SKIP[s], key) == 0;
			const char *before = find(&fa[0], key), *after = find(&fa[1], key);
			if (skip || strcmp(before, after) == 0)
				continue;
			diff_row(req, tpl_list_add(rows), key, before, after);
		}
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "from", arena_printf(req->arena, "%lld", (long long)pk.from));
	tpl_set(v, "to", arena_printf(req->arena, "%lld", (long long)pk.to));
	return web_render_page(req, res, "knowledge_diff", N_("Changes between two versions"), v);
}

/* ---- attachments ---- */

static int refused(http_request *req, http_response *res, int64_t id, const char *why, int refusal)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "message", tr(req->lang, why));
	tpl_set(v, "back", arena_printf(req->arena, "/knowledge/%lld", (long long)id));
	int rc = web_render_page(req, res, "knowledge_refused", N_("Not done"), v);
	http_refuse_page(res, refusal);
	return rc;
}

int web_knowledge_attach(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (!req->upload.present)
		return refused(req, res, id, N_("Choose a file to attach."), PONTE_EREJECTED);
	const char *why = NULL;
	int64_t att;
	int rc = kn_attach(&services_of(req)->env, principal_of(req),
			   arena_printf(req->arena, "%s/knowledge", services_of(req)->files_dir),
			   id, req->upload.path, req->upload.filename, &att, &why);
	if (rc == PONTE_EINVAL)
		return refused(req, res, id, why, PONTE_EREJECTED);
	if (rc == PONTE_EDENIED)
		return refused(req, res, id,
			       N_("Only drafts can be edited, by their author's side, and items in "
				  "review by a reviewer."),
			       PONTE_EDENIED);
	if (rc)
		return rc;
	web_flash(req, N_("File attached."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/knowledge/%lld", (long long)id));
}

int web_knowledge_detach(http_request *req, http_response *res)
{
	int64_t id, att;
	if (!http_param_id(req, 0, &id) || !http_param_id(req, 1, &att))
		return PONTE_ENOTFOUND;
	int rc = kn_detach(&services_of(req)->env, principal_of(req),
			   arena_printf(req->arena, "%s/knowledge", services_of(req)->files_dir),
			   id, att);
	if (rc)
		return rc;
	web_flash(req, N_("File removed."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/knowledge/%lld", (long long)id));
}

int web_knowledge_download(http_request *req, http_response *res)
{
	if (!principal_of(req) && !kn_public_read(services_of(req)->db))
		return PONTE_EUNAUTH;
	int64_t id, att;
	if (!http_param_id(req, 0, &id) || !http_param_id(req, 1, &att))
		return PONTE_ENOTFOUND;
	kn_attachment a;
	int rc =
	    kn_attachment_get(&services_of(req)->env, req->arena, principal_of(req), id, att, &a);
	int fd;
	uint64_t size;
	if (!rc)
		rc = files_open(
		    arena_printf(req->arena, "%s/knowledge", services_of(req)->files_dir),
		    a.stored_name, &fd, &size);
	if (rc)
		return rc;
	res->file_fd = fd;
	res->file_size = size;
	res->content_type = a.media_type;
	http_set_header(res, "Content-Disposition", web_disposition(req->arena, a.filename));
	return 0;
}
