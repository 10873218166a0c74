/* Case lists as CSV and XLSX (what the list shows the caller, no more), and the printable
 * summary of one case. */
#include "cases/cases.h"
#include "export/export.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/referral.h"
#include "screening/screening.h"
#include "services/services.h"
#include "web/web.h"

#define EXPORT_MAX 20000 /* cases in one file: a country's caseload, bounded */

struct table {
	http_request *req;
	buf *csv;
	xlsx *sheet;
	size_t n;
};

/* Every type of exploitation of a case, in words. */
static const char *exploitation_words(http_request *req, const char *csv)
{
	buf b;
	buf_init(&b, 1024);
	char item[64];
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		snprintf(item, sizeof(item), "%.*s", (int)(len < 63 ? len : 63), p);
		buf_printf(&b, "%s%s", b.len ? "; " : "",
			   web_case_label(req->lang, "exploitation", item));
		p += len + (p[len] == ',');
	}
	const char *s = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static int add_row(const case_record *c, void *ctx)
{
	struct table *t = ctx;
	http_request *req = t->req;
	int lang = req->lang;
	const char *cells[] = {
		arena_printf(req->arena, "%lld", (long long)c->id),
		c->first_name,
		c->second_name,
		web_case_label(lang, "gender", c->gender),
		c->birthdate,
		c->estimated_age >= 0 ? arena_printf(req->arena, "%d", c->estimated_age) : "",
		c->citizenship,
		web_case_label(lang, "status", c->status),
		web_case_label(lang, "phase", c->phase),
		web_case_label(lang, "trafficking_status", c->trafficking_status),
		exploitation_words(req, c->exploitation),
		c->organisation_code,
		arena_strndup(req->arena, c->created_at, 10),
		arena_strndup(req->arena, c->updated_at, 10),
	};
	/* For a spreadsheet: the number and age are numbers, the dates dates. */
	static const xlsx_type TYPES[ARRAY_LEN(cells)] = {
		XLSX_NUMBER, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_DATE, XLSX_NUMBER, XLSX_TEXT,
		XLSX_TEXT,   XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_TEXT, XLSX_DATE,   XLSX_DATE,
	};
	t->n++;
	return t->csv ? export_csv_row(t->csv, cells, ARRAY_LEN(cells))
		      : xlsx_row_typed(t->sheet, cells, TYPES, ARRAY_LEN(cells));
}

static int export_cases(http_request *req, http_response *res, bool spreadsheet)
{
	int lang = req->lang;
	const char *head[] = { tr(lang, N_("Case")),
			       tr(lang, N_("First name")),
			       tr(lang, N_("Family name")),
			       tr(lang, N_("Gender")),
			       tr(lang, N_("Birth date")),
			       tr(lang, N_("Estimated age")),
			       tr(lang, N_("Citizenship")),
			       tr(lang, N_("Status")),
			       tr(lang, N_("Phase")),
			       tr(lang, N_("Victim status")),
			       tr(lang, N_("Type of exploitation")),
			       tr(lang, N_("Organisation")),
			       tr(lang, N_("Registered")),
			       tr(lang, N_("Last change")) };
	/* The list's filters and order; an export never leaves out a filter it cannot read (it
	 * would give more cases than the list shows): the address is refused instead. */
	case_filter f;
	const char *bad[1], *why[1];
	size_t nbad;
	case_filter_parse(services_of(req)->db, &req->query_params, &f, bad, why, 1, &nbad);
	if (nbad)
		return PONTE_EINVAL;
	f.limit = EXPORT_MAX;
	f.lang = i18n_lang(lang)->code;
	xlsx sheet;
	xlsx_init(&sheet, 256u << 20);
	struct table t = { req, spreadsheet ? NULL : &res->body, &sheet, 0 };
	int64_t total;
	int rc =
	    spreadsheet ? xlsx_row(&sheet, head, ARRAY_LEN(head)) : export_csv_begin(&res->body);
	if (!rc && !spreadsheet)
		rc = export_csv_row(&res->body, head, ARRAY_LEN(head));
	if (!rc)
		rc = case_list(&services_of(req)->env, req->arena, principal_of(req), &f, add_row,
			       &t, &total);
	if (!rc && spreadsheet)
		rc = xlsx_finish(&sheet, tr(lang, N_("Cases")), &res->body);
	xlsx_release(&sheet);
	principal_audit_read(services_of(req)->db, principal_of(req), "case.export", "", 0,
			     rc ? "failure" : "success");
	if (rc)
		return rc;
	res->content_type =
	    spreadsheet ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			: "text/csv; charset=utf-8";
	http_set_header(res, "Content-Disposition",
			spreadsheet ? "attachment; filename=\"ponte-cases.xlsx\""
				    : "attachment; filename=\"ponte-cases.csv\"");
	/* Personal data: never kept by a browser or a proxy. */
	http_set_header(res, "Cache-Control", "no-store");
	return 0;
}

int web_cases_csv(http_request *req, http_response *res)
{
	return export_cases(req, res, false);
}

int web_cases_xlsx(http_request *req, http_response *res)
{
	return export_cases(req, res, true);
}

/* ---- the printable summary ---- */

struct lists {
	http_request *req;
	tpl_list *l;
};

static int add_decision(const status_decision *d, void *ctx)
{
	struct lists *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	size_t n;
	const case_code *codes = status_decision_codes("decision", &n);
	const char *name = d->status;
	for (size_t i = 0; i < n; i++)
		if (strcmp(codes[i].code, d->status) == 0)
			name = tr(x->req->lang, codes[i].label);
	web_set_when(x->req, v, "on", d->decided_on, false);
	tpl_set(v, "status", name);
	tpl_set(v, "by", vocab_label(x->req->lang, "decision.decider", d->decision_org_type));
	return 0;
}

static int add_screening(const scr_record *s, void *ctx)
{
	struct lists *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	web_set_when(x->req, v, "at", s->created_at, false);
	tpl_set(v, "list", s->list_name);
	tpl_set_bool(v, "indicated", s->indicated);
	return 0;
}

static int add_referral(const referral *r, void *ctx)
{
	struct lists *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "to", r->to_name);
	tpl_set(v, "service", r->service_name);
	tpl_set(v, "state_code", r->state);
	tpl_set(v, "state", web_referral_label(x->req, r->state));
	web_set_when(x->req, v, "updated", r->updated_at, false);
	return 0;
}

int web_case_summary(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	case_record c;
	int rc = case_get(env, req->arena, p, id, &c);
	if (rc)
		return rc;
	int lang = req->lang;
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "name", web_full_name(req->arena, c.first_name, c.second_name));
	const char *facts[][2] = {
		{ N_("Gender"), web_case_label(lang, "gender", c.gender) },
		{ N_("Birth date"), web_date(req, c.birthdate) },
		{ N_("Estimated age"),
		  c.estimated_age >= 0 ? arena_printf(req->arena, "%d", c.estimated_age) : "" },
		{ N_("Citizenship"),
		  country_labels(env->db, req->arena, i18n_lang(lang)->code, c.citizenship, ", ") },
		{ N_("Language"), language_labels(req->arena, lang, c.primary_language) },
		{ N_("Status"), web_case_label(lang, "status", c.status) },
		{ N_("Phase"), web_case_label(lang, "phase", c.phase) },
		{ N_("Victim status"),
		  web_case_label(lang, "trafficking_status", c.trafficking_status) },
		{ N_("Type of exploitation"), exploitation_words(req, c.exploitation) },
		{ N_("Organisation"), web_case_organisation(req, &c) },
		{ N_("Registered"), web_date(req, c.created_at) },
		{ N_("Last change"), web_datetime(req, c.updated_at) },
	};
	tpl_list *fl = tpl_set_list(v, "facts");
	for (size_t i = 0; i < ARRAY_LEN(facts); i++)
		if (facts[i][1] && *facts[i][1]) {
			tpl_vars *x = tpl_list_add(fl);
			tpl_set(x, "name", tr(lang, facts[i][0]));
			tpl_set(x, "value", facts[i][1]);
		}
	struct lists d = { req, tpl_set_list(v, "decisions") };
	struct lists s = { req, tpl_set_list(v, "screenings") };
	struct lists r = { req, tpl_set_list(v, "referrals") };
	if (!(rc = status_decision_list(env, req->arena, p, id, add_decision, &d)) &&
	    !(rc = scr_history(env, req->arena, p, id, i18n_lang(lang)->code, add_screening, &s)))
		rc = referral_list(env, req->arena, p, "case", id, add_referral, &r);
	if (rc)
		return rc;
	principal_audit_read(services_of(req)->db, p, "case.print", "case", id, "success");
	http_set_header(res, "Cache-Control", "no-store");
	return web_render_page(req, res, "case_summary", N_("Case summary"), v);
}
