/* The timeline of a case: every event in order, in the reader's language. */
#include "timeline/timeline.h"
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

static const char *const KINDS[][2] = {
	{ "registered", N_("Case registered") },
	{ "decision", N_("Victim status decision") },
	{ "screening", N_("Indicator screening") },
	{ "consent", N_("Consent recorded") },
	{ "consent_withdrawn", N_("Consent withdrawn") },
	{ "referral", N_("Referral") },
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

static const char *kind_label(http_request *req, const char *code)
{
	for (size_t i = 0; i < ARRAY_LEN(KINDS); i++)
		if (strcmp(KINDS[i][0], code) == 0)
			return tr(req->lang, KINDS[i][1]);
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
};

static int add_event(const timeline_event *e, void *ctx)
{
	struct rows *r = ctx;
	http_request *req = r->req;
	tpl_vars *v = tpl_list_add(r->l);
	tpl_set(v, "at", arena_strndup(req->arena, e->at, 16));
	tpl_set(v, "kind", kind_label(req, e->kind));
	tpl_set(v, "kind_code", e->kind);
	tpl_set(v, "what", code_label(req, e));
	tpl_set(v, "detail", e->detail);
	if (strcmp(e->kind, "referral") == 0 && e->ref)
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
	struct rows r = { req, tpl_set_list(v, "events") };
	int rc = timeline_of_case(&services_of(req)->env, req->arena, principal_of(req), id,
				  add_event, &r);
	if (rc)
		return rc;
	tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)id));
	return web_render_page(req, res, "case_timeline", N_("Case timeline"), v);
}
