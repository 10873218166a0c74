/* The timeline of a case: every event in order, in the reader's language. */
#include "timeline/timeline.h"
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "screening/screening.h"
#include "services/services.h"
#include "web/web.h"

static const vocab_term KINDS[] = {
	{ "registered", N_("Case registered") },
	{ "decision", N_("Victim status decision") },
	{ "screening", N_("Indicator screening") },
	{ "consent", N_("Consent recorded") },
	{ "consent_withdrawn", N_("Consent withdrawn") },
	{ "referral", N_("Referral") },
	{ "delivery", N_("Service delivered") },
	{ "assistance", N_("Assistance") },
	{ "disclosure", N_("Data disclosed") },
	{ "safety", N_("Risk assessment") },
	{ "contact", N_("Contact") },
	{ "return", N_("Return") },
	{ "plan", N_("Support plan") },
	{ "approved", N_("approved") },
	{ "decided", N_("decided by the person") },
	{ "scheduled", N_("departure scheduled") },
	{ "indicated", N_("indicators of trafficking") },
	{ "not_indicated", N_("not enough indicators") },
	{ "create", N_("prepared") },
	{ "closure", N_("Closing the case") },
	{ "close", N_("asked") },
	{ "reopen", N_("Reopened") },
	{ "rejected", N_("rejected") },
	{ "abroad", N_("Referral across borders") },
};
VOCABULARY(kinds, "timeline", KINDS);

static const char *kind_label(http_request *req, const char *code)
{
	const vocab_term *t = vocab_term_of(&kinds_vocabulary, code);
	if (t)
		return tr(req->lang, t->label);
	const section_def *d = section_find("file", code);
	return d ? tr(req->lang, d->title) : NULL;
}

/* The code of an event in words: a decision, an action, a service type, categories. */
static const char *code_label(http_request *req, const timeline_event *e)
{
	if (strcmp(e->kind, "decision") == 0) {
		size_t n;
		const case_code *codes = status_decision_codes("decision", &n);
		for (size_t i = 0; i < n; i++)
			if (strcmp(codes[i].code, e->code) == 0)
				return tr(req->lang, codes[i].label);
	}
	if (strcmp(e->kind, "safety") == 0)
		return web_safety_label(req, e->code);
	if (strcmp(e->kind, "contact") == 0)
		return web_channel_label(req, e->code);
	const section_def *d = section_find("file", e->kind);
	if (d) { /* the section's summary field, a code, in words */
		int k = d->summary ? section_field_index(d, d->summary) : -1;
		return k >= 0 && d->fields[k].ncodes
			   ? tr(req->lang, section_code_label(&d->fields[k], e->code))
			   : e->code;
	}
	if (strcmp(e->kind, "abroad") == 0)
		return web_trm_label(req, e->code);
	const char *k = kind_label(req, e->code);
	if (k)
		return k;
	if (strcmp(e->kind, "disclosure") == 0) { /* categories, each in words */
		buf b;
		buf_init(&b, 512);
		char item[32];
		for (const char *p = e->code; *p;) {
			size_t len = strcspn(p, ",");
			snprintf(item, sizeof(item), "%.*s", (int)(len < 31 ? len : 31), p);
			buf_printf(&b, "%s%s", b.len ? ", " : "", web_referral_label(req, item));
			p += len + (p[len] == ',');
		}
		const char *s = arena_strdup(req->arena, b.data ? b.data : "");
		buf_release(&b);
		return s;
	}
	return web_referral_label(req, e->code);
}

struct rows {
	http_request *req;
	tpl_list *l;
	const char *list_code[16], *list_name[16]; /* the screening lists, in the reader's words */
	size_t nlists;
};

static int add_list(const scr_list *x, void *ctx)
{
	struct rows *r = ctx;
	if (r->nlists < ARRAY_LEN(r->list_code)) {
		r->list_code[r->nlists] = x->code;
		r->list_name[r->nlists++] = x->name;
	}
	return 0;
}

/* The detail of an event in words where it is a code: who decided, which screening list,
 * the status a closure gives, the plan's type, the country of a return. */
static const char *detail_label(struct rows *r, const timeline_event *e)
{
	http_request *req = r->req;
	if (strcmp(e->kind, "decision") == 0)
		return vocab_label(req->lang, "decision.decider", e->detail);
	if (strcmp(e->kind, "closure") == 0)
		return web_case_label(req->lang, "status", e->detail);
	if (strcmp(e->kind, "plan") == 0)
		return web_plan_label(req, e->detail);
	if (strcmp(e->kind, "return") == 0 && strcmp(e->code, "decided") == 0)
		return country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				     e->detail);
	if (strcmp(e->kind, "screening") == 0)
		for (size_t i = 0; i < r->nlists; i++)
			if (strcmp(r->list_code[i], e->detail) == 0)
				return r->list_name[i];
	return e->detail;
}

static int add_event(const timeline_event *e, void *ctx)
{
	struct rows *r = ctx;
	http_request *req = r->req;
	tpl_vars *v = tpl_list_add(r->l);
	web_set_when(req, v, "at", e->at, true);
	tpl_set(v, "kind", kind_label(req, e->kind));
	tpl_set(v, "kind_code", e->kind);
	tpl_set(v, "what", code_label(req, e));
	tpl_set(v, "detail", detail_label(r, e));
	if ((strcmp(e->kind, "referral") == 0 || strcmp(e->kind, "delivery") == 0) && e->ref)
		tpl_set(v, "referral", arena_printf(req->arena, "%lld", (long long)e->ref));
	if (strcmp(e->kind, "abroad") == 0 && e->ref)
		tpl_set(v, "abroad", arena_printf(req->arena, "%lld", (long long)e->ref));
	return 0;
}

int web_case_timeline(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	tpl_vars *v = tpl_vars_new(req->arena);
	struct rows r = { req, tpl_set_list(v, "events"), { 0 }, { 0 }, 0 };
	int rc =
	    scr_lists(services_of(req)->db, req->arena, i18n_lang(req->lang)->code, add_list, &r);
	if (!rc)
		rc = timeline_of_case(&services_of(req)->env, req->arena, principal_of(req), id,
				      add_event, &r);
	if (rc)
		return rc;
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	return web_render_page(req, res, "case_timeline", N_("Case timeline"), v);
}
