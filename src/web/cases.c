/* Case pages: list, new case, the case with its edit form. */
#include <pthread.h>

#include "cases/sections.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

#define PAGE_SIZE 50

const char *web_case_label(int lang, const char *field, const char *code)
{
	char name[64] = "case."; /* the vocabulary of field: "case.gender" */
	size_t n = strlen(field);
	if (n >= sizeof(name) - 5)
		return code ? code : "";
	memcpy(name + 5, field, n + 1);
	return vocab_label(lang, name, code);
}

const char *web_case_organisation(http_request *req, const struct case_record *c)
{
	organisation o;
	return org_get(services_of(req)->db, req->arena, c->organisation_id, &o) == 0 && o.name
		   ? o.name
		   : c->organisation_code;
}

const char *web_full_name(arena *a, const char *first, const char *second)
{
	return arena_printf(a, "%s%s%s", first, *first && *second ? " " : "", second);
}

/* Options of a coded field, with the selected code(s) (comma-separated) marked. */
static void add_options(http_request *req, tpl_vars *v, const char *list, const char *field,
			const char *selected)
{
	size_t n;
	const case_code *codes = case_codes(field, &n);
	tpl_list *l = tpl_set_list(v, list);
	for (size_t i = 0; i < n; i++) {
		tpl_vars *item = tpl_list_add(l);
		tpl_set(item, "code", codes[i].code);
		tpl_set(item, "name", tr(req->lang, codes[i].label));
		bool on = false;
		size_t len = strlen(codes[i].code);
		for (const char *p = selected ? strstr(selected, codes[i].code) : NULL; p;
		     p = strstr(p + 1, codes[i].code))
			if ((p == selected || p[-1] == ',') && (p[len] == ',' || !p[len]))
				on = true;
		tpl_set_bool(item, "selected", on);
	}
}

/* The case form's fields, top to bottom (templates/case_form.html): the error summary lists
 * its messages in this order. */
static const char *const FORM_ORDER[] = { "person.prs_FirstName",
					  "person.prs_SecondName",
					  "person.prs_Gender",
					  "person.prs_Birthdate",
					  "person.estimated_age",
					  "person.prs_PrimaryLanguage",
					  "person.prs_Citizenship",
					  "person.prs_IdentityNumber",
					  "person.prs_MobilePhone",
					  "victim.vic_TraffickingStatus",
					  "victim.vic_TypeOfExploitation",
					  "victim.vic_MethodsOfControl",
					  "victim.vic_MethodOfRecruitment",
					  "victim.vic_RelationshipToTrafficker",
					  "victim.vic_ForcedLabourIndustry",
					  "victim.smuggled_migrant",
					  "phase",
					  "cas_Status",
					  "cas_ReasonForCaseClosure",
					  NULL };

/* The groups of the case form (templates/case_form.html), each shown by its own flag. The
 * first step of registering asks only for PART_NAMES; each section of the case's details
 * (DETAILS below) is one or two of them. */
enum {
	PART_NAMES = 1,     /* names, gender, birth date, estimated age */
	PART_LANGUAGE = 2,  /* main language */
	PART_DOCUMENTS = 4, /* citizenship, identity document number */
	PART_CONTACT = 8,   /* mobile phone */
	PART_VICTIM = 16,   /* victim status, exploitation, control, recruitment... */
	PART_CASE = 32,     /* phase and status */
	PART_ALL = 63,
};

/* The part of the form a field (as field_errors names it) is on. */
static unsigned part_of(const char *field)
{
	if (!strncmp(field, "victim.", 7))
		return PART_VICTIM;
	if (!strcmp(field, "person.prs_PrimaryLanguage"))
		return PART_LANGUAGE;
	if (!strcmp(field, "person.prs_Citizenship") || !strcmp(field, "person.prs_IdentityNumber"))
		return PART_DOCUMENTS;
	if (!strcmp(field, "person.prs_MobilePhone"))
		return PART_CONTACT;
	if (!strncmp(field, "person.", 7))
		return PART_NAMES;
	return PART_CASE;
}

static void show_parts(tpl_vars *v, unsigned parts)
{
	tpl_set_bool(v, "show_names", parts & PART_NAMES);
	tpl_set_bool(v, "show_language", parts & PART_LANGUAGE);
	tpl_set_bool(v, "show_documents", parts & PART_DOCUMENTS);
	tpl_set_bool(v, "show_contact", parts & PART_CONTACT);
	tpl_set_bool(v, "show_victim", parts & PART_VICTIM);
	tpl_set_bool(v, "show_case", parts & PART_CASE);
}

/* The form's values and, for each field with a problem, its message. */
static void fill_form(http_request *req, tpl_vars *v, const case_input *in, const field_errors *e)
{
	tpl_set(v, "first_name", in->first_name);
	tpl_set(v, "second_name", in->second_name);
	tpl_set(v, "identity_number", in->identity_number);
	tpl_set(v, "mobile_phone", in->mobile_phone);
	tpl_set(v, "birthdate", in->birthdate);
	tpl_set(v, "estimated_age", in->estimated_age);
	tpl_set(v, "citizenship", in->citizenship);
	tpl_set(v, "primary_language", in->primary_language);
	add_options(req, v, "genders", "gender", in->gender ? in->gender : "NonSpecifiedUnknown");
	/* The statuses a change may choose: the open ones, and the case's own when it is closed
	 * (a case closes only through a request someone else approves, on its closure page). */
	const char *status = in->status ? in->status : "Active";
	size_t n;
	const case_code *codes = case_codes("status", &n);
	tpl_list *statuses = tpl_set_list(v, "statuses");
	for (size_t i = 0; i < n; i++) {
		if (case_status_closed(codes[i].code) && strcmp(codes[i].code, status) != 0)
			continue;
		tpl_vars *item = tpl_list_add(statuses);
		tpl_set(item, "code", codes[i].code);
		tpl_set(item, "name", tr(req->lang, codes[i].label));
		tpl_set_bool(item, "selected", strcmp(codes[i].code, status) == 0);
	}
	add_options(req, v, "phases", "phase", in->phase ? in->phase : "identification");
	/* Not "decisions": the case page lists the status decisions under that name. */
	add_options(req, v, "victim_statuses", "trafficking_status",
		    in->trafficking_status ? in->trafficking_status
					   : "PossibleVictimOfTrafficking");
	add_options(req, v, "exploitations", "exploitation", in->exploitation);
	add_options(req, v, "controls", "control", in->control);
	add_options(req, v, "recruitments", "recruitment", in->recruitment);
	add_options(req, v, "relationships", "relationship", in->relationship);
	add_options(req, v, "sectors", "labour_sector", in->labour_sector);
	const char *sm = in->smuggled ? in->smuggled : "";
	tpl_set_bool(v, "smuggled_yes", strcmp(sm, "1") == 0);
	tpl_set_bool(v, "smuggled_no", strcmp(sm, "0") == 0);
	tpl_set_bool(v, "smuggled_unknown", !*sm);
	/* The case form's fields, top to bottom (templates/case_form.html). */
	web_field_errors(req, v, e, FORM_ORDER, NULL);
}

/* The checkboxes of a field joined with commas ("" when none is ticked). */
static const char *joined(http_request *req, const char *name)
{
	buf b;
	buf_init(&b, 4096);
	for (size_t i = 0; i < req->form.count; i++)
		if (strcmp(req->form.items[i].key, name) == 0 &&
		    !strchr(req->form.items[i].value, ','))
			buf_printf(&b, "%s%s", b.len ? "," : "", req->form.items[i].value);
	const char *s = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

/* The form as posted (checkboxes joined with commas). */
static void read_form(http_request *req, case_input *in)
{
	memset(in, 0, sizeof(*in));
	in->first_name = http_form(req, "prs_FirstName");
	in->second_name = http_form(req, "prs_SecondName");
	in->identity_number = http_form(req, "prs_IdentityNumber");
	in->mobile_phone = http_form(req, "prs_MobilePhone");
	in->gender = http_form(req, "prs_Gender");
	in->birthdate = http_form(req, "prs_Birthdate");
	in->estimated_age = http_form(req, "estimated_age");
	in->primary_language = http_form(req, "prs_PrimaryLanguage");
	in->status = http_form(req, "cas_Status");
	in->phase = http_form(req, "phase");
	in->closure_reason = http_form(req, "cas_ReasonForCaseClosure");
	in->trafficking_status = http_form(req, "vic_TraffickingStatus");
	/* Citizenship typed as "NE, ml" becomes "NE,ML". */
	const char *cz = http_form(req, "prs_Citizenship");
	if (cz) {
		char *out = arena_alloc(req->arena, strlen(cz) + 1);
		size_t o = 0;
		for (const char *p = cz; out && *p; p++)
			if (*p != ' ')
				out[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (out)
			out[o] = '\0';
		in->citizenship = out;
	}
	in->exploitation = joined(req, "vic_TypeOfExploitation");
	in->control = joined(req, "vic_MethodsOfControl");
	in->recruitment = joined(req, "vic_MethodOfRecruitment");
	in->relationship = http_form(req, "vic_RelationshipToTrafficker");
	in->labour_sector = http_form(req, "vic_ForcedLabourIndustry");
	in->smuggled = http_form(req, "smuggled_migrant");
}

static void input_from_record(const case_record *c, case_input *in, arena *a)
{
	memset(in, 0, sizeof(*in));
	in->first_name = c->first_name;
	in->second_name = c->second_name;
	in->identity_number = c->identity_number;
	in->mobile_phone = c->mobile_phone;
	in->gender = c->gender;
	in->birthdate = c->birthdate;
	in->estimated_age = c->estimated_age >= 0 ? arena_printf(a, "%d", c->estimated_age) : "";
	in->citizenship = c->citizenship;
	in->primary_language = c->primary_language;
	in->status = c->status;
	in->phase = c->phase;
	in->closure_reason = c->closure_reason;
	in->trafficking_status = c->trafficking_status;
	in->exploitation = c->exploitation;
	in->control = c->control;
	in->recruitment = c->recruitment;
	in->relationship = c->relationship;
	in->labour_sector = c->labour_sector;
	in->smuggled = c->smuggled;
}

static bool given(const char *s)
{
	return s && *s;
}

/* The parts of the form a post gave a value for. */
static unsigned parts_given(const case_input *in)
{
	unsigned parts = 0;
	if (given(in->first_name) || given(in->second_name) || given(in->birthdate) ||
	    given(in->estimated_age) || given(in->gender))
		parts |= PART_NAMES;
	if (given(in->primary_language))
		parts |= PART_LANGUAGE;
	if (given(in->citizenship) || given(in->identity_number))
		parts |= PART_DOCUMENTS;
	if (given(in->mobile_phone))
		parts |= PART_CONTACT;
	if (given(in->trafficking_status) || given(in->exploitation) || given(in->control) ||
	    given(in->recruitment) || given(in->relationship) || given(in->labour_sector) ||
	    given(in->smuggled))
		parts |= PART_VICTIM;
	if (given(in->phase) || given(in->status) || given(in->closure_reason))
		parts |= PART_CASE;
	return parts;
}

/* Only the fields of parts kept, the others "not given" (NULL): a section's form changes
 * nothing outside it, whatever else the post carries. */
static void keep_parts(case_input *in, unsigned parts)
{
	if (!(parts & PART_NAMES))
		in->first_name = in->second_name = in->gender = in->birthdate = in->estimated_age =
		    NULL;
	if (!(parts & PART_LANGUAGE))
		in->primary_language = NULL;
	if (!(parts & PART_DOCUMENTS))
		in->citizenship = in->identity_number = NULL;
	if (!(parts & PART_CONTACT))
		in->mobile_phone = NULL;
	if (!(parts & PART_VICTIM))
		in->trafficking_status = in->exploitation = in->control = in->recruitment =
		    in->relationship = in->labour_sector = in->smuggled = NULL;
	if (!(parts & PART_CASE))
		in->phase = in->status = NULL;
	in->closure_reason = NULL; /* given only when asking to close (closure.c) */
}

/* The parts of the form that hold a field with a problem: shown, so that every message of
 * the summary links to its field. */
static unsigned parts_with_errors(const field_errors *e)
{
	unsigned parts = 0;
	for (size_t i = 0; e && i < e->count; i++)
		parts |= part_of(e->items[i].field);
	return parts;
}

/* ---- list ---- */

/* The list's columns that sort, in the table's order (the name does not: it is encrypted). */
static const struct {
	int sort;
	const char *label;
} SORTABLE[] = {
	{ CASE_SORT_NUMBER, N_("Case number") },
	{ CASE_SORT_NATIONALITY, N_("Nationality") },
	{ CASE_SORT_PHASE, N_("Phase") },
	{ CASE_SORT_STATUS, N_("Status") },
	{ CASE_SORT_VICTIM_STATUS, N_("Victim status") },
	{ CASE_SORT_RISK, N_("Level of risk") },
	{ CASE_SORT_WORKER, N_("Case worker") },
	{ CASE_SORT_REGISTERED, N_("Registered") },
	{ CASE_SORT_UPDATED, N_("Last change") },
};

/* Workers by id, for the worker column and its filter. */
struct workers {
	http_request *req;
	tpl_list *options;
	int64_t selected;
	size_t n, cap;
	int64_t *ids;
	const char **names;
};

static int add_worker(int64_t id, const char *name, void *ctx)
{
	struct workers *w = ctx;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		int64_t *ids = arena_calloc(w->req->arena, cap, sizeof(*ids));
		const char **names = arena_calloc(w->req->arena, cap, sizeof(*names));
		if (!ids || !names)
			return PONTE_ENOMEM;
		if (w->n) {
			memcpy(ids, w->ids, w->n * sizeof(*ids));
			memcpy(names, w->names, w->n * sizeof(*names));
		}
		w->ids = ids;
		w->names = names;
		w->cap = cap;
	}
	w->ids[w->n] = id;
	w->names[w->n++] = name;
	tpl_vars *item = w->options ? tpl_list_add(w->options) : NULL;
	if (w->options && !item)
		return PONTE_ENOMEM;
	if (item) {
		tpl_set(item, "code", arena_printf(w->req->arena, "%lld", (long long)id));
		tpl_set(item, "name", name);
		tpl_set_bool(item, "selected", id == w->selected);
	}
	return 0;
}

static const char *worker_name(struct workers *w, int64_t id)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->ids[i] == id)
			return w->names[i];
	return NULL;
}

struct rows {
	http_request *req;
	tpl_list *list;
	struct workers *workers;
	/* Rows whose owner is not among the scope's workers, and those owners (",3,17,"). */
	tpl_vars *unnamed[PAGE_SIZE];
	int64_t unnamed_owner[PAGE_SIZE];
	size_t nunnamed;
	buf missing;
};

tpl_vars *web_case_row(http_request *req, tpl_list *l, const case_record *c)
{
	tpl_vars *item = tpl_list_add(l);
	if (!item)
		return NULL;
	tpl_set(item, "id", arena_printf(req->arena, "%lld", (long long)c->id));
	tpl_set(item, "name", web_full_name(req->arena, c->first_name, c->second_name));
	tpl_set(item, "nationality",
		country_labels(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			       c->citizenship, ", "));
	tpl_set(item, "phase", web_case_label(req->lang, "phase", c->phase));
	tpl_set(item, "status", web_case_label(req->lang, "status", c->status));
	tpl_set(item, "registered", web_date(req, c->created_at));
	tpl_set(item, "registered_iso", arena_strndup(req->arena, c->created_at, 10));
	tpl_set(item, "updated", web_date(req, c->updated_at));
	tpl_set(item, "updated_iso", arena_strndup(req->arena, c->updated_at, 10));
	return item;
}

static int add_row(const case_record *c, void *ctx)
{
	struct rows *r = ctx;
	http_request *req = r->req;
	tpl_vars *item = web_case_row(req, r->list, c);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "decision",
		web_case_label(req->lang, "trafficking_status", c->trafficking_status));
	tpl_set(item, "risk",
		*c->risk ? web_case_label(req->lang, "risk", c->risk)
			 : tr(req->lang, N_("Not assessed")));
	tpl_set_bool(item, "high_risk", strcmp(c->risk, "high") == 0);
	tpl_set(item, "owner_id", arena_printf(req->arena, "%lld", (long long)c->owner_id));
	const char *worker = worker_name(r->workers, c->owner_id);
	tpl_set(item, "worker", worker);
	if (!worker && r->nunnamed < PAGE_SIZE) {
		r->unnamed[r->nunnamed] = item;
		r->unnamed_owner[r->nunnamed++] = c->owner_id;
		buf_printf(&r->missing, "%s%lld,", r->missing.len ? "" : ",",
			   (long long)c->owner_id);
	}
	return 0;
}

/* "more than {n}" and the like, with n as the reader writes numbers. */
static const char *with_count(http_request *req, const char *msgid, int64_t n)
{
	const char *text = tr(req->lang, msgid), *at = strstr(text, "{n}");
	if (!at)
		return text;
	return arena_printf(req->arena, "%.*s%s%s", (int)(at - text), text, web_count(req, n),
			    at + 3);
}

/* Whether the address names any of the list's filters (even empty, as a form sends them). */
static bool filter_given(http_request *req)
{
	static const char *const params[] = { CASE_FILTER_PARAMS, "page" };
	for (size_t i = 0; i < ARRAY_LEN(params); i++)
		if (http_query(req, params[i]))
			return true;
	return false;
}

static bool query_safe(const char *q)
{
	for (const char *p = q; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_-=&", *p)))
			return false;
	return true;
}

/* The table's headings (each sortable one a link that sorts by it, or turns its order round)
 * and the same orders as the form's options. */
static void add_sort_links(http_request *req, tpl_vars *v, const case_filter *f, bool own)
{
	tpl_list *heads = tpl_set_list(v, "heads"), *options = tpl_set_list(v, "sorts");
	for (size_t i = 0; i < ARRAY_LEN(SORTABLE); i++) {
		if (own && SORTABLE[i].sort == CASE_SORT_WORKER)
			continue;
		if (i == 1) /* the name, after the number: encrypted, it does not sort */
			tpl_set(tpl_list_add(heads), "label", tr(req->lang, N_("Name")));
		case_filter other = *f;
		other.sort = SORTABLE[i].sort;
		bool current = f->sort == other.sort;
		other.ascending = current ? !f->ascending : case_sort_starts_ascending(other.sort);
		const char *q = case_filter_query(req->arena, &other),
			   *label = tr(req->lang, SORTABLE[i].label);
		tpl_vars *h = tpl_list_add(heads);
		tpl_set(h, "label", label);
		tpl_set(h, "head_url", arena_printf(req->arena, "/cases%s%s", *q ? "?" : "", q));
		if (current) {
			tpl_set(h, "head_sort", f->ascending ? "ascending" : "descending");
			/* An arrow that points along the order: up for ascending. */
			tpl_set(h, "head_arrow", f->ascending ? "\u25B2" : "\u25BC");
		}
		tpl_vars *o = tpl_list_add(options);
		tpl_set(o, "code", case_sort_name(other.sort));
		tpl_set(o, "name", label);
		tpl_set_bool(o, "selected", current);
	}
	tpl_set_bool(v, "sort_ascending", f->ascending);
}

/* The countries in the order of their names, per language, read once: the nationality
 * filter lists all of them on every page of the list, and the countries are reference data
 * that only a migration changes. */
#define COUNTRIES_MAX 300
static struct country_names {
	size_t n;
	char code[COUNTRIES_MAX][3];
	char *name[COUNTRIES_MAX];
	bool ready;
} country_names[LANG_COUNT];
static pthread_mutex_t country_names_lock = PTHREAD_MUTEX_INITIALIZER;

static int keep_country(const char *code, const char *name, void *ctx)
{
	struct country_names *c = ctx;
	if (c->n == COUNTRIES_MAX || strlen(code) != 2)
		return 0;
	char *copy = strdup(name);
	if (!copy)
		return PONTE_ENOMEM;
	memcpy(c->code[c->n], code, 3);
	c->name[c->n++] = copy;
	return 0;
}

static const struct country_names *countries_in(http_request *req)
{
	struct country_names *c = &country_names[req->lang];
	pthread_mutex_lock(&country_names_lock);
	if (!c->ready) {
		for (size_t i = 0; i < c->n; i++)
			free(c->name[i]);
		c->n = 0;
		c->ready = country_list(services_of(req)->db, req->arena,
					i18n_lang(req->lang)->code, keep_country, c) == 0;
	}
	pthread_mutex_unlock(&country_names_lock);
	return c->ready ? c : NULL;
}

/* The list's days, as the form names them top to bottom. */
static const char *const DAY_FIELDS[] = { "registered_from", "registered_to", "updated_from",
					  "updated_to", NULL };

static bool is_day_field(const char *name)
{
	for (size_t i = 0; DAY_FIELDS[i]; i++)
		if (strcmp(DAY_FIELDS[i], name) == 0)
			return true;
	return false;
}

/* A copy of in whose days are read as the reader types them in their language ("28/11/2026",
 * "28 nov. 2026") and carried as YYYY-MM-DD, what the filter and its saved address hold. A
 * day that cannot be read is left out of the copy, named in e and kept in shown[] (in
 * DAY_FIELDS's order) as it was typed, so that its field shows it back beside the message. */
static int read_typed_days(http_request *req, const url_params *in, url_params *out,
			   field_errors *e, const char *shown[4])
{
	out->count = 0;
	out->items = in->count ? arena_calloc(req->arena, in->count, sizeof(*out->items)) : NULL;
	if (in->count && !out->items)
		return PONTE_ENOMEM;
	for (size_t i = 0; i < in->count; i++) {
		url_param param = in->items[i];
		if (is_day_field(param.key) && *param.value) {
			char day[11];
			if (i18n_date_read(req->lang, param.value, day)) {
				param.value = arena_strndup(req->arena, day, 10);
				if (!param.value)
					return PONTE_ENOMEM;
				param.value_len = 10;
			} else {
				field_errors_add(e, param.key,
						 N_("Enter a day, for example 28/11/2026."));
				for (size_t k = 0; DAY_FIELDS[k]; k++)
					if (!strcmp(DAY_FIELDS[k], param.key))
						shown[k] = param.value;
				continue;
			}
		}
		out->items[out->count++] = param;
	}
	return 0;
}

int web_cases(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	const principal *p = principal_of(req);
	/* The list without a filter in its address shows the user's last filter (saved below),
	 * with the address that shows it to anyone in scope; "clear" is a filter of its own:
	 * none, which forgets the saved one. */
	const url_params *params = &req->query_params;
	url_params saved_params = { 0 };
	const char *saved = "";
	if (!filter_given(req) && !http_query(req, "clear")) {
		int rc = case_list_saved(svc->db, req->arena, p->user_id, &saved);
		if (rc)
			return rc;
		if (*saved && query_safe(saved) &&
		    url_parse_params(req->arena, saved, strlen(saved), &URL_LIMITS_DEFAULT,
				     &saved_params) == 0)
			params = &saved_params;
		else
			saved = "";
	}
	field_errors day_errors;
	field_errors_clear(&day_errors);
	const char *typed_days[4] = { NULL, NULL, NULL, NULL };
	url_params days_read;
	int rc = read_typed_days(req, params, &days_read, &day_errors, typed_days);
	if (rc)
		return rc;
	case_filter f;
	const char *bad[16], *why[16];
	size_t nbad;
	case_filter_parse(svc->db, &days_read, &f, bad, why, ARRAY_LEN(bad), &nbad);
	/* A period that ends before it starts is said at its field; the rest above the form. */
	for (size_t i = 0; i < nbad && i < ARRAY_LEN(bad); i++)
		if (is_day_field(bad[i])) {
			field_errors_add(&day_errors, bad[i], why[i]);
			bad[i] = NULL;
		}
	size_t nbad_left = nbad;
	for (size_t i = 0; i < nbad && i < ARRAY_LEN(bad); i++)
		if (!bad[i])
			nbad_left--;
	nbad = nbad_left;
	f.lang = i18n_lang(req->lang)->code;
	const char *page = http_query(req, "page");
	long pg = 1;
	if (page && *page) {
		char *end;
		pg = strtol(page, &end, 10);
		if (*end || pg < 1 || pg > CASE_OFFSET_MAX / PAGE_SIZE + 1) {
			pg = 1;
			nbad++;
		}
	}
	f.limit = PAGE_SIZE;
	f.offset = (int)(pg - 1) * PAGE_SIZE;
	const char *query = case_filter_query(req->arena, &f);
	rc = case_list_save(svc->db, p->user_id, query);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	int scope = principal_scope(p, "case.social.read");
	bool own = scope == SCOPE_OWN;
	struct workers workers = { .req = req,
				   .options = own ? NULL : tpl_set_list(v, "workers"),
				   .selected = f.worker };
	rc = user_case_workers(&svc->env, req->arena,
			       scope == SCOPE_ORGANISATION ? p->organisation_id
			       : own                       ? -1
							   : 0,
			       scope == SCOPE_COUNTRY ? p->country : "",
			       arena_printf(req->arena, ",%lld,", (long long)p->user_id),
			       i18n_lang(req->lang)->code, add_worker, &workers);
	if (rc)
		return rc;
	workers.options = NULL;
	struct rows *rows = arena_calloc(req->arena, 1, sizeof(*rows));
	if (!rows)
		return PONTE_ENOMEM;
	rows->req = req;
	rows->list = tpl_set_list(v, "cases");
	rows->workers = &workers;
	buf_init(&rows->missing, 1 << 16);
	int64_t total = 0;
	rc = case_list(&svc->env, req->arena, p, &f, add_row, rows, &total);
	/* Owners who are no longer among the scope's workers (another role, another
	 * organisation) are still named. */
	if (!rc && rows->missing.len)
		rc = user_case_workers(&svc->env, req->arena, -1, "", rows->missing.data,
				       i18n_lang(req->lang)->code, add_worker, &workers);
	for (size_t i = 0; !rc && i < rows->nunnamed; i++)
		tpl_set(rows->unnamed[i], "worker", worker_name(&workers, rows->unnamed_owner[i]));
	buf_release(&rows->missing);
	if (rc)
		return rc;
	tpl_set_bool(v, "show_worker", !own);
	tpl_set_bool(v, "problems", nbad > 0);
	tpl_set(v, "q", f.number ? arena_printf(req->arena, "%lld", (long long)f.number) : "");
	add_options(req, v, "statuses", "status", f.status);
	add_options(req, v, "phases", "phase", f.phase);
	add_options(req, v, "risks", "risk", f.risk);
	tpl_set_bool(v, "risk_none", f.risk && strcmp(f.risk, "none") == 0);
	const struct country_names *names = countries_in(req);
	if (!names)
		return PONTE_ESTORE;
	tpl_list *countries = tpl_set_list(v, "countries");
	for (size_t i = 0; i < names->n; i++) {
		tpl_vars *item = tpl_list_add(countries);
		tpl_set(item, "code", names->code[i]);
		tpl_set(item, "name", names->name[i]);
		tpl_set_bool(item, "selected",
			     f.nationality && !strcmp(f.nationality, names->code[i]));
	}
	/* Each day as read (YYYY-MM-DD, what a date input shows), or as typed when unreadable;
	 * the end of a period that ends before it starts stays shown beside its message. */
	for (size_t i = 0; DAY_FIELDS[i]; i++) {
		const char *day = url_params_get(&days_read, DAY_FIELDS[i]);
		tpl_set(v, DAY_FIELDS[i], typed_days[i] ? typed_days[i] : day ? day : "");
	}
	web_field_errors(req, v, &day_errors, DAY_FIELDS, NULL);
	add_sort_links(req, v, &f, own);
	tpl_set(v, "total",
		total > CASE_COUNT_CAP ? with_count(req, N_("more than {n}"), CASE_COUNT_CAP)
				       : web_count(req, total));
	tpl_set_bool(v, "can_write", principal_can(p, "case.social.write"));
	tpl_set(v, "csrf", p->csrf); /* the form that finds a person by name posts */
	if (*saved)
		tpl_set(v, "saved_url", arena_printf(req->arena, "/cases?%s", query));
	const char *amp = *query ? "&" : "", *qmark = *query ? "?" : "";
	tpl_set(v, "csv_url", arena_printf(req->arena, "/cases/export.csv%s%s", qmark, query));
	tpl_set(v, "xlsx_url", arena_printf(req->arena, "/cases/export.xlsx%s%s", qmark, query));
	if (pg > 1)
		tpl_set(v, "prev_url",
			arena_printf(req->arena, "/cases?%s%spage=%ld", query, amp, pg - 1));
	if (pg > 2)
		tpl_set(v, "first_url", arena_printf(req->arena, "/cases?%s%spage=1", query, amp));
	if (pg * PAGE_SIZE < total && pg < CASE_OFFSET_MAX / PAGE_SIZE + 1)
		tpl_set(v, "next_url",
			arena_printf(req->arena, "/cases?%s%spage=%ld", query, amp, pg + 1));
	tpl_set(v, "page", web_count(req, pg));
	if (total <= CASE_COUNT_CAP && total > 0)
		tpl_set(v, "pages", web_count(req, (total + PAGE_SIZE - 1) / PAGE_SIZE));
	tpl_set_bool(v, "past_end", pg > 1 && (int64_t)(pg - 1) * PAGE_SIZE >= total);
	return web_render_page(req, res, "cases", N_("Cases"), v);
}

/* ---- new ---- */

static int render_new(http_request *req, http_response *res, const case_input *in,
		      const field_errors *e)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "csrf", principal_of(req)->csrf);
	fill_form(req, v, in, e);
	/* The first step asks only for who the person is; the rest of the case's details are
	 * sections of the case page, filled in when they are known. A post that carries more
	 * (an older form, a script) is shown again whole. */
	show_parts(v, PART_NAMES | parts_given(in) | parts_with_errors(e));
	tpl_set_bool(v, "registering", true); /* registered open: no status to choose */
	tpl_set(v, "action", "/cases/new");
	return web_render_page(req, res, "case_new", N_("New case"), v);
}

int web_case_new(http_request *req, http_response *res)
{
	case_input in = { 0 };
	return render_new(req, res, &in, NULL);
}

int web_case_create(http_request *req, http_response *res)
{
	case_input in;
	read_form(req, &in);
	field_errors e;
	int64_t id;
	int rc = case_create(&services_of(req)->env, principal_of(req), &in, &id, &e);
	if (rc == PONTE_EINVAL) {
		rc = render_new(req, res, &in, &e);
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Case {case} registered."), "case", web_count(req, id), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/cases/%lld", (long long)id));
}

/* ---- one case ---- */

struct history {
	http_request *req;
	tpl_list *list;
};

static const char *decision_label(int lang, const char *field, const char *code)
{
	size_t n;
	const case_code *codes = status_decision_codes(field, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(codes[i].code, code))
			return tr(lang, codes[i].label);
	return code;
}

static int add_decision(const status_decision *d, void *ctx)
{
	struct history *h = ctx;
	tpl_vars *item = tpl_list_add(h->list);
	if (!item)
		return PONTE_ENOMEM;
	web_set_when(h->req, item, "decided_on", d->decided_on, false);
	tpl_set(item, "status", decision_label(h->req->lang, "decision", d->status));
	tpl_set(item, "decider", decision_label(h->req->lang, "decider", d->decision_org_type));
	tpl_set(item, "reasons", d->reasons);
	return 0;
}

/* The decision history and the form to record one (with its errors). */
static int add_decisions(http_request *req, tpl_vars *v, int64_t case_id, const field_errors *e,
			 const status_decision_input *form)
{
	struct history h = { req, tpl_set_list(v, "decisions") };
	int rc = status_decision_list(&services_of(req)->env, req->arena, principal_of(req),
				      case_id, add_decision, &h);
	if (rc)
		return rc;
	const char *fields[] = { "decision", "decider" };
	const char *lists[] = { "decision_options", "decider_options" };
	const char *chosen[] = { form ? form->status : NULL,
				 form ? form->decision_org_type : NULL };
	for (int k = 0; k < 2; k++) {
		size_t n;
		const case_code *codes = status_decision_codes(fields[k], &n);
		tpl_list *l = tpl_set_list(v, lists[k]);
		for (size_t i = 0; i < n; i++) {
			tpl_vars *item = tpl_list_add(l);
			tpl_set(item, "code", codes[i].code);
			tpl_set(item, "name", tr(req->lang, codes[i].label));
			tpl_set_bool(item, "selected",
				     chosen[k] && !strcmp(chosen[k], codes[i].code));
		}
	}
	tpl_set(v, "decided_on", form ? form->decided_on : NULL);
	tpl_set(v, "reasons", form ? form->reasons : NULL);
	for (size_t i = 0; e && i < e->count; i++)
		tpl_set(v, arena_printf(req->arena, "derror_%s", e->items[i].field),
			tr(req->lang, e->items[i].message));
	return 0;
}

/* The pages of the case file that are not sections, by SOP phase ("": every phase). */
static const struct {
	const char *phase, *path, *title;
} PAGES[] = {
	{ "identification", "contacts", N_("Contacts") },
	{ "identification", "screening", N_("Indicator screening") },
	{ "identification", "child", N_("Child protection") },
	{ "protection", "safety", N_("Risk assessment and safety plan") },
	{ "protection", "referrals", N_("Referrals and consents") },
	{ "protection", "assistance", N_("Assistance given") },
	{ "assistance", "plans", N_("Support plans") },
	{ "return", "return", N_("Return") },
	{ "", "attachments", N_("Attachments") },
	{ "", "closure", N_("Closing the case") },
	{ "", "timeline", N_("Case timeline") },
	{ "", "summary", N_("Printable summary") },
};

static void add_link(http_request *req, tpl_list *l, const case_record *c, const char *path,
		     const char *title)
{
	tpl_vars *x = tpl_list_add(l);
	tpl_set(x, "url", arena_printf(req->arena, "/cases/%lld/%s", (long long)c->id, path));
	tpl_set(x, "title", tr(req->lang, title));
}

/* One tab per SOP phase (?tab=, else the case's phase) with that phase's pages and sections;
 * proceedings only for who may read them; the pages of every phase below. */
static void add_phase_tabs(http_request *req, tpl_vars *v, const case_record *c)
{
	const principal *p = principal_of(req);
	size_t n;
	const case_code *phases = case_codes("phase", &n);
	const char *tab = http_query(req, "tab");
	bool known = false;
	for (size_t i = 0; tab && i < n; i++)
		known |= strcmp(phases[i].code, tab) == 0;
	if (!known)
		tab = c->phase;
	tpl_list *tabs = tpl_set_list(v, "phase_tabs");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *x = tpl_list_add(tabs);
		tpl_set(x, "name", tr(req->lang, phases[i].label));
		tpl_set(x, "url",
			arena_printf(req->arena, "/cases/%lld?tab=%s#phase-panel", (long long)c->id,
				     phases[i].code));
		tpl_set_bool(x, "current", strcmp(phases[i].code, tab) == 0);
	}
	tpl_list *links = tpl_set_list(v, "tab_links"), *general = tpl_set_list(v, "general_links");
	for (size_t i = 0; i < ARRAY_LEN(PAGES); i++)
		if (!*PAGES[i].phase || strcmp(PAGES[i].phase, tab) == 0)
			add_link(req, *PAGES[i].phase ? links : general, c, PAGES[i].path,
				 PAGES[i].title);
	if (strcmp(tab, "protection") == 0 && principal_can(p, "referral.transnational"))
		add_link(req, links, c, "transnational", N_("Refer to another country"));
	bool proceedings = principal_can_see(p, "case.proceedings.read", c->owner_id,
					     c->organisation_id, c->country);
	for (size_t i = 0; i < section_count(); i++) {
		const section_def *d = section_at(i);
		if (strcmp(d->phase, tab) != 0 && *d->phase)
			continue;
		if (strcmp(d->tier, "file") != 0 && !proceedings)
			continue;
		add_link(req, *d->phase ? links : general, c,
			 arena_printf(req->arena, "%s/%s", d->tier, d->name), d->title);
	}
}

/* ---- the case's details, section by section ---- */

/* The sections of the case's details, in the order "Save and continue" walks them: each a
 * short form saved on its own (the case page lists them with their state). */
static const struct detail_section {
	const char *name, *title;
	unsigned parts;
} DETAILS[] = {
	{ "person", N_("Person"), PART_NAMES | PART_LANGUAGE },
	{ "identification", N_("Identity documents"), PART_DOCUMENTS },
	{ "victim", N_("Victim status and exploitation"), PART_VICTIM },
	{ "contact", N_("Contact"), PART_CONTACT },
	{ "case", N_("Phase and status"), PART_CASE },
};

static const struct detail_section *detail_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_LEN(DETAILS); i++)
		if (strcmp(DETAILS[i].name, name) == 0)
			return &DETAILS[i];
	return NULL;
}

enum { DETAIL_NOT_STARTED, DETAIL_IN_PROGRESS, DETAIL_COMPLETE };

/* A section's state, from what the case holds: not started when none of its questions has an
 * answer, complete when each has one, in progress between. The questions: a name, the gender
 * (not "not specified"), a birth date or an age, the main language; citizenship, an identity
 * document; types of exploitation, means of control, recruitment, relationship to the
 * trafficker, smuggled or not; a phone. The sector of forced labour and the victim status (a
 * presumed victim by default) are not questions every case answers. Phase and status always
 * hold a value. */
static int detail_state(const case_record *c, unsigned parts)
{
	int asked = 0, answered = 0;
#define QUESTION(x) (asked++, answered += (x) ? 1 : 0)
	if (parts & PART_NAMES) {
		QUESTION(given(c->first_name) || given(c->second_name));
		QUESTION(given(c->gender) && strcmp(c->gender, "NonSpecifiedUnknown") != 0);
		QUESTION(given(c->birthdate) || c->estimated_age >= 0);
	}
	if (parts & PART_LANGUAGE)
		QUESTION(given(c->primary_language));
	if (parts & PART_DOCUMENTS) {
		QUESTION(given(c->citizenship));
		QUESTION(given(c->identity_number));
	}
	if (parts & PART_CONTACT)
		QUESTION(given(c->mobile_phone));
	if (parts & PART_VICTIM) {
		QUESTION(given(c->exploitation));
		QUESTION(given(c->control));
		QUESTION(given(c->recruitment));
		QUESTION(given(c->relationship));
		QUESTION(given(c->smuggled));
	}
	if (parts & PART_CASE)
		QUESTION(true);
#undef QUESTION
	return answered == 0       ? DETAIL_NOT_STARTED
	       : answered == asked ? DETAIL_COMPLETE
				   : DETAIL_IN_PROGRESS;
}

/* The task list of the case page: each section, its state and (for who may change the case)
 * a link to its form; how many are complete. */
static void add_details(http_request *req, tpl_vars *v, const case_record *c)
{
	static const char *const STATES[] = { N_("Not yet started"), N_("In progress"),
					      N_("Filled in") };
	static const char *const CLASSES[] = { "not-started", "in-progress", "complete" };
	tpl_list *l = tpl_set_list(v, "details");
	int64_t done = 0;
	for (size_t i = 0; i < ARRAY_LEN(DETAILS); i++) {
		int state = detail_state(c, DETAILS[i].parts);
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "name", DETAILS[i].name);
		tpl_set(x, "title", tr(req->lang, DETAILS[i].title));
		tpl_set(x, "url",
			arena_printf(req->arena, "/cases/%lld/details/%s", (long long)c->id,
				     DETAILS[i].name));
		tpl_set(x, "state", tr(req->lang, STATES[state]));
		tpl_set(x, "state_class", CLASSES[state]);
		done += state == DETAIL_COMPLETE;
	}
	tpl_set(v, "details_progress",
		web_fill(req, N_("{done} of {total} sections filled in"), "done",
			 web_count(req, done), "total", web_count(req, ARRAY_LEN(DETAILS)), NULL));
}

static int render_case_full(http_request *req, http_response *res, const case_record *c,
			    const field_errors *de, const status_decision_input *dform)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const principal *p = principal_of(req);
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)c->id));
	tpl_set(v, "name", web_full_name(req->arena, c->first_name, c->second_name));
	tpl_set(v, "phase_label", web_case_label(req->lang, "phase", c->phase));
	tpl_set(v, "status_label", web_case_label(req->lang, "status", c->status));
	tpl_set(v, "decision_label",
		web_case_label(req->lang, "trafficking_status", c->trafficking_status));
	tpl_set(v, "gender_label", web_case_label(req->lang, "gender", c->gender));
	tpl_set(v, "organisation", web_case_organisation(req, c));
	tpl_set(v, "organisation_code", c->organisation_code);
	web_set_when(req, v, "updated", c->updated_at, true);
	tpl_set_bool(
	    v, "can_write",
	    principal_can_see(p, "case.social.write", c->owner_id, c->organisation_id, c->country));
	tpl_set(v, "action", arena_printf(req->arena, "/cases/%lld", (long long)c->id));
	add_details(req, v, c);
	add_phase_tabs(req, v, c);
	int rc = add_decisions(req, v, c->id, de, dform);
	return rc ? rc : web_render_page(req, res, "case", N_("Case"), v);
}

int web_case(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	case_record c;
	int rc = case_get(&services_of(req)->env, req->arena, principal_of(req), id, &c);
	if (rc)
		return rc;
	return render_case_full(req, res, &c, NULL, NULL);
}

/* A list of codes ("NE,ML") by their names, joined with commas. */
static const char *labels_of(http_request *req, const char *field, const char *codes)
{
	if (!given(codes))
		return "";
	buf b;
	buf_init(&b, 4096);
	for (const char *p = codes; *p;) {
		size_t len = strcspn(p, ",");
		const char *code = arena_strndup(req->arena, p, len);
		buf_printf(&b, "%s%s", b.len ? ", " : "",
			   code ? web_case_label(req->lang, field, code) : "");
		p += len + (p[len] == ',');
	}
	const char *out = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static void add_saved(http_request *req, tpl_list *l, const char *label, const char *value)
{
	tpl_vars *x = tpl_list_add(l);
	tpl_set(x, "label", tr(req->lang, label));
	tpl_set(x, "value", given(value) ? value : "\u2014");
}

/* What the case holds now for the fields of parts, as the reader reads it: shown above a
 * form that was based on an older version. */
static void add_saved_values(http_request *req, tpl_vars *v, const case_record *c, unsigned parts)
{
	tpl_list *l = tpl_set_list(v, "saved");
	if (parts & PART_NAMES) {
		add_saved(req, l, N_("First name"), c->first_name);
		add_saved(req, l, N_("Family name"), c->second_name);
		add_saved(req, l, N_("Gender"), web_case_label(req->lang, "gender", c->gender));
		add_saved(req, l, N_("Birth date (YYYY-MM-DD)"), c->birthdate);
		add_saved(req, l, N_("Estimated age, when the birth date is not known"),
			  c->estimated_age >= 0 ? arena_printf(req->arena, "%d", c->estimated_age)
						: "");
	}
	if (parts & PART_LANGUAGE)
		add_saved(req, l, N_("Main language (ISO code)"), c->primary_language);
	if (parts & PART_DOCUMENTS) {
		add_saved(req, l, N_("Citizenship (country codes)"), c->citizenship);
		add_saved(req, l, N_("Identity document number"), c->identity_number);
	}
	if (parts & PART_CONTACT)
		add_saved(req, l, N_("Mobile phone"), c->mobile_phone);
	if (parts & PART_VICTIM) {
		add_saved(req, l, N_("Victim status"),
			  web_case_label(req->lang, "trafficking_status", c->trafficking_status));
		add_saved(req, l, N_("Types of exploitation"),
			  labels_of(req, "exploitation", c->exploitation));
		add_saved(req, l, N_("Methods of control"), labels_of(req, "control", c->control));
		add_saved(req, l, N_("How the person was recruited"),
			  labels_of(req, "recruitment", c->recruitment));
		add_saved(req, l, N_("Relationship to the trafficker"),
			  labels_of(req, "relationship", c->relationship));
		add_saved(req, l, N_("Sector of forced labour"),
			  labels_of(req, "labour_sector", c->labour_sector));
		add_saved(req, l, N_("Also a smuggled migrant"),
			  tr(req->lang, !given(c->smuggled)             ? N_("Not known")
					: strcmp(c->smuggled, "1") == 0 ? N_("Yes")
									: N_("No")));
	}
	if (parts & PART_CASE) {
		add_saved(req, l, N_("Phase"), web_case_label(req->lang, "phase", c->phase));
		add_saved(req, l, N_("Status"), web_case_label(req->lang, "status", c->status));
	}
}

/* A section's form (d NULL: the whole form, for a post to the case's own address), with
 * form's values (NULL: the case's) and their errors; conflict: the case changed since the
 * form was loaded, what it holds now is shown above the user's values. */
static int render_details(http_request *req, http_response *res, const case_record *c,
			  const struct detail_section *d, const case_input *form,
			  const field_errors *e, bool conflict)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	unsigned parts = d ? d->parts : PART_ALL;
	tpl_set(v, "csrf", principal_of(req)->csrf);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)c->id));
	tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)c->version));
	tpl_set(v, "name", web_full_name(req->arena, c->first_name, c->second_name));
	tpl_set(v, "title", tr(req->lang, d ? d->title : N_("Change the case")));
	case_input current;
	input_from_record(c, &current, req->arena);
	fill_form(req, v, form ? form : &current, e);
	show_parts(v, parts);
	if (d) {
		size_t i = (size_t)(d - DETAILS);
		tpl_set(v, "step",
			web_fill(req, N_("Section {n} of {total}"), "n", web_count(req, i + 1),
				 "total", web_count(req, ARRAY_LEN(DETAILS)), NULL));
		tpl_set(
		    v, "action",
		    arena_printf(req->arena, "/cases/%lld/details/%s", (long long)c->id, d->name));
		tpl_set_bool(v, "has_next", i + 1 < ARRAY_LEN(DETAILS));
	} else {
		tpl_set(v, "action", arena_printf(req->arena, "/cases/%lld", (long long)c->id));
	}
	if (conflict) {
		tpl_set(v, "alert",
			tr(req->lang, N_("Someone else changed this case while you were editing "
					 "it. What is saved now is shown above; your changes are "
					 "still in the form below. Check them and save again.")));
		add_saved_values(req, v, c, parts);
	}
	return web_render_page(req, res, "case_details", d ? d->title : N_("Change the case"), v);
}

/* The case as its reader may change it: 404 when they may not (as for a case outside their
 * scope). */
static int writable_case(http_request *req, int64_t id, case_record *c)
{
	const principal *p = principal_of(req);
	int rc = case_get(&services_of(req)->env, req->arena, p, id, c);
	if (!rc &&
	    !principal_can_see(p, "case.social.write", c->owner_id, c->organisation_id, c->country))
		rc = PONTE_ENOTFOUND;
	return rc;
}

int web_case_details(http_request *req, http_response *res)
{
	int64_t id;
	const struct detail_section *d = detail_find(req->nparams > 1 ? req->params[1] : NULL);
	if (!http_param_id(req, 0, &id) || !d)
		return PONTE_ENOTFOUND;
	case_record c;
	int rc = writable_case(req, id, &c);
	return rc ? rc : render_details(req, res, &c, d, NULL, NULL, false);
}

/* Saves the fields of d (NULL: whatever the post gives) against the version the form was
 * loaded with; a refused form is shown again with what was typed: 422 with its errors, 409
 * when someone saved in between. */
static int save_details(http_request *req, http_response *res, const struct detail_section *d,
			const char *done_url)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *version = http_form(req, "version");
	case_input in;
	read_form(req, &in);
	if (d)
		keep_parts(&in, d->parts);
	field_errors e = { 0 };
	int64_t current = 0;
	services *svc = services_of(req);
	int rc = version ? case_update(&svc->env, principal_of(req), id, strtoll(version, NULL, 10),
				       &in, &e, &current)
			 : PONTE_ECONFLICT;
	if (rc == PONTE_EINVAL || rc == PONTE_ECONFLICT) {
		case_record c;
		int grc = case_get(&svc->env, req->arena, principal_of(req), id, &c);
		if (grc)
			return grc;
		/* A conflict: show what is saved now, and keep the user's values in the form with
		 * the current version, so that saving again is a deliberate choice. */
		rc = render_details(req, res, &c, d, &in, rc == PONTE_EINVAL ? &e : NULL,
				    rc == PONTE_ECONFLICT);
		http_refuse_page(res, e.count ? PONTE_EREJECTED : PONTE_ECONFLICT);
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Case {case} saved."), "case", web_count(req, id), NULL);
	return http_redirect(req, res, done_url);
}

int web_case_details_save(http_request *req, http_response *res)
{
	int64_t id;
	const struct detail_section *d = detail_find(req->nparams > 1 ? req->params[1] : NULL);
	if (!http_param_id(req, 0, &id) || !d)
		return PONTE_ENOTFOUND;
	/* "Save and continue" goes on to the next section; the last one, and "Save and return
	 * to the case", to the case page. */
	const char *next = http_form(req, "next");
	size_t i = (size_t)(d - DETAILS);
	const char *url = next && strcmp(next, "continue") == 0 && i + 1 < ARRAY_LEN(DETAILS)
			      ? arena_printf(req->arena, "/cases/%lld/details/%s", (long long)id,
					     DETAILS[i + 1].name)
			      : arena_printf(req->arena, "/cases/%lld#details", (long long)id);
	return save_details(req, res, d, url);
}

static int case_decision(http_request *req, http_response *res);

/* The case's own address: do=decision records a status decision; otherwise the post changes
 * any of the case's fields (the form of earlier versions, kept working), shown again whole
 * when refused. */
int web_case_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (strcmp(web_form_do(req), "decision") == 0)
		return case_decision(req, res);
	return save_details(req, res, NULL, arena_printf(req->arena, "/cases/%lld", (long long)id));
}

static int case_decision(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	status_decision_input in = { .status = http_form(req, "status"),
				     .decided_on = http_form(req, "decided_on"),
				     .decision_org_type =
					 http_form(req, "vic_TraffickingStatusDecisionMakingOrg"),
				     .reasons = http_form(req, "reasons") };
	field_errors e;
	int64_t decision;
	services *svc = services_of(req);
	int rc = status_decision_add(&svc->env, principal_of(req), id, &in, &e, &decision);
	if (rc == PONTE_EINVAL) {
		case_record c;
		int grc = case_get(&svc->env, req->arena, principal_of(req), id, &c);
		if (grc)
			return grc;
		rc = render_case_full(req, res, &c, &e, &in);
		http_refuse_page(res, PONTE_EREJECTED);
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Victim status decision recorded."), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld#decisions", (long long)id));
}
