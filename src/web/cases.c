/* Case pages: list, new case, the case with its edit form. */
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "web/web.h"

#define PAGE_SIZE 50

const char *web_case_label(int lang, const char *field, const char *code)
{
	char name[64]; /* the vocabulary of field: "case.gender" */
	snprintf(name, sizeof(name), "case.%s", field);
	return vocab_label(lang, name, code);
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
	static const char *const ORDER[] = { "person.prs_FirstName",
					     "person.prs_SecondName",
					     "person.prs_Gender",
					     "person.prs_Birthdate",
					     "person.estimated_age",
					     "person.prs_Citizenship",
					     "person.prs_PrimaryLanguage",
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
	web_field_errors(req, v, e, ORDER, NULL);
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

/* ---- list ---- */

struct rows {
	http_request *req;
	tpl_list *list;
};

static int add_row(const case_record *c, void *ctx)
{
	struct rows *r = ctx;
	tpl_vars *item = tpl_list_add(r->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "id", arena_printf(r->req->arena, "%lld", (long long)c->id));
	tpl_set(item, "name", web_full_name(r->req->arena, c->first_name, c->second_name));
	tpl_set(item, "phase", web_case_label(r->req->lang, "phase", c->phase));
	tpl_set(item, "status", web_case_label(r->req->lang, "status", c->status));
	tpl_set(item, "decision",
		web_case_label(r->req->lang, "trafficking_status", c->trafficking_status));
	tpl_set(item, "updated", arena_strndup(r->req->arena, c->updated_at, 10));
	return 0;
}

int web_cases(http_request *req, http_response *res)
{
	const char *page = http_query(req, "page");
	long p = page ? strtol(page, NULL, 10) : 1;
	if (p < 1 || p > 100000)
		p = 1;
	case_filter f = { .status = http_query(req, "status"),
			  .phase = http_query(req, "phase"),
			  .q = http_query(req, "q"),
			  .limit = PAGE_SIZE,
			  .offset = (int)(p - 1) * PAGE_SIZE };
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	struct rows rows = { req, tpl_set_list(v, "cases") };
	int64_t total = 0;
	int rc = case_list(&services_of(req)->env, req->arena, principal_of(req), &f, add_row,
			   &rows, &total);
	if (rc)
		return rc;
	tpl_set(v, "q", f.q);
	add_options(req, v, "statuses", "status", f.status);
	add_options(req, v, "phases", "phase", f.phase);
	tpl_set(v, "total", arena_printf(req->arena, "%lld", (long long)total));
	tpl_set_bool(v, "can_write", principal_can(principal_of(req), "case.social.write"));
	/* Paging links keep the filters (encoded by the template as URL parts). */
	tpl_set(v, "status", f.status ? f.status : "");
	tpl_set(v, "phase", f.phase ? f.phase : "");
	tpl_set(v, "q_value", f.q ? f.q : "");
	if (p > 1)
		tpl_set(v, "prev_page", arena_printf(req->arena, "%ld", p - 1));
	if (p * PAGE_SIZE < total)
		tpl_set(v, "next_page", arena_printf(req->arena, "%ld", p + 1));
	tpl_set(v, "page", arena_printf(req->arena, "%ld", p));
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
		res->status = 422;
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
	tpl_set(item, "decided_on", d->decided_on);
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

static int render_case_full(http_request *req, http_response *res, const case_record *c,
			    const case_input *form, const field_errors *e, const char *alert,
			    const field_errors *de, const status_decision_input *dform);

static int render_case(http_request *req, http_response *res, const case_record *c,
		       const case_input *form, const field_errors *e, const char *alert)
{
	return render_case_full(req, res, c, form, e, alert, NULL, NULL);
}

static int render_case_full(http_request *req, http_response *res, const case_record *c,
			    const case_input *form, const field_errors *e, const char *alert,
			    const field_errors *de, const status_decision_input *dform)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const principal *p = principal_of(req);
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)c->id));
	tpl_set(v, "version", arena_printf(req->arena, "%lld", (long long)c->version));
	tpl_set(v, "name", web_full_name(req->arena, c->first_name, c->second_name));
	tpl_set(v, "phase_label", web_case_label(req->lang, "phase", c->phase));
	tpl_set(v, "status_label", web_case_label(req->lang, "status", c->status));
	tpl_set(v, "decision_label",
		web_case_label(req->lang, "trafficking_status", c->trafficking_status));
	tpl_set(v, "gender_label", web_case_label(req->lang, "gender", c->gender));
	tpl_set(v, "organisation", c->organisation_code);
	tpl_set(v, "updated", c->updated_at);
	tpl_set(v, "alert", alert ? tr(req->lang, alert) : NULL);
	tpl_set_bool(
	    v, "can_write",
	    principal_can_see(p, "case.social.write", c->owner_id, c->organisation_id, c->country));
	case_input current;
	input_from_record(c, &current, req->arena);
	fill_form(req, v, form ? form : &current, e);
	tpl_set(v, "action", arena_printf(req->arena, "/cases/%lld", (long long)c->id));
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
	return render_case(req, res, &c, NULL, NULL, NULL);
}

static int case_decision(http_request *req, http_response *res);

/* The case's page: its main form changes the case; do=decision records a status decision. */
int web_case_update(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (strcmp(web_form_do(req), "decision") == 0)
		return case_decision(req, res);
	const char *version = http_form(req, "version");
	case_input in;
	read_form(req, &in);
	field_errors e = { 0 };
	int64_t current = 0;
	services *svc = services_of(req);
	int rc = version ? case_update(&svc->env, principal_of(req), id, strtoll(version, NULL, 10),
				       &in, &e, &current)
			 : PONTE_EINVAL;
	if (rc == PONTE_EINVAL || rc == PONTE_ECONFLICT) {
		case_record c;
		int grc = case_get(&svc->env, req->arena, principal_of(req), id, &c);
		if (grc)
			return grc;
		/* A conflict: show what is saved now, and keep the user's values in the form with
		 * the current version, so that saving again is a deliberate choice. */
		rc = render_case(req, res, &c, &in, rc == PONTE_EINVAL ? &e : NULL,
				 rc == PONTE_ECONFLICT
				     ? N_("Someone else changed this case while you were editing "
					  "it. What is saved now is shown above; your changes are "
					  "still in the form below. Check them and save again.")
				     : NULL);
		res->status = e.count ? 422 : 409;
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Case {case} saved."), "case", web_count(req, id), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/cases/%lld", (long long)id));
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
		rc = render_case_full(req, res, &c, NULL, NULL, NULL, &e, &in);
		res->status = 422;
		return rc;
	}
	if (rc)
		return rc;
	web_flash(req, N_("Victim status decision recorded."), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/cases/%lld#decisions", (long long)id));
}
