/* "Action needed": what waits for the signed-in user: referrals to answer, referrals not
 * answered in time (for focal points), reflection periods ending within seven days. */
#include "base/clock.h"
#include "cases/sections.h"
#include "i18n/i18n.h"
#include "referral/referral.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	size_t n;
	const char *today;
};

static int add_to_answer(const referral *r, void *ctx)
{
	struct rows *x = ctx;
	if (strcmp(r->state, "sent") != 0 && strcmp(r->state, "accepted") != 0)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)r->id));
	tpl_set(v, "from", r->from_name);
	tpl_set(v, "service", r->service_name);
	tpl_set(v, "due", arena_strndup(x->req->arena, r->due_at, 16));
	tpl_set_bool(v, "overdue", r->overdue);
	tpl_set_bool(v, "accepted", strcmp(r->state, "accepted") == 0);
	x->n++;
	return 0;
}

static int add_late(const referral *r, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)r->id));
	tpl_set(v, "from", r->from_name);
	tpl_set(v, "to", r->to_name);
	tpl_set(v, "due", arena_strndup(x->req->arena, r->due_at, 16));
	x->n++;
	return 0;
}

static int add_clock(const case_clock *k, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)k->case_id));
	tpl_set(v, "name", web_full_name(x->req->arena, k->first_name, k->second_name));
	tpl_set(v, "since", k->since);
	tpl_set(v, "ends", k->ends);
	tpl_set_bool(v, "passed", strcmp(k->ends, x->today) < 0);
	x->n++;
	return 0;
}

static int add_review(const case_clock *k, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)k->case_id));
	tpl_set(v, "name", web_full_name(x->req->arena, k->first_name, k->second_name));
	tpl_set(v, "risk", web_safety_label(x->req, k->since));
	tpl_set(v, "due", k->ends);
	tpl_set_bool(v, "passed", strcmp(k->ends, x->today) < 0);
	x->n++;
	return 0;
}

static int add_plan(int64_t plan_id, int64_t case_id, const char *type, const char *created_at,
		    void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)plan_id));
	tpl_set(v, "case_id", arena_printf(x->req->arena, "%lld", (long long)case_id));
	tpl_set(v, "type", web_plan_label(x->req, type));
	tpl_set(v, "created", arena_strndup(x->req->arena, created_at, 10));
	x->n++;
	return 0;
}

/* A permit about to expire, or a compensation claim to file. */
static int add_due(const section_due *k, void *ctx)
{
	struct rows *x = ctx;
	const section_def *d = section_find("file", k->section);
	if (!d)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "case_id", arena_printf(x->req->arena, "%lld", (long long)k->case_id));
	tpl_set(v, "url",
		arena_printf(x->req->arena, "/cases/%lld/file/%s/%lld", (long long)k->case_id,
			     d->name, (long long)k->entry_id));
	tpl_set(v, "section", tr(x->req->lang, d->title));
	tpl_set(v, "what", tr(x->req->lang, section_code_label(&d->fields[0], k->what)));
	tpl_set(v, "due", k->due_on);
	tpl_set_bool(v, "passed", strcmp(k->due_on, x->today) < 0);
	x->n++;
	return 0;
}

static int add_closure(int64_t closure_id, int64_t case_id, const char *status,
		       const char *requested_at, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)closure_id));
	tpl_set(v, "case_id", arena_printf(x->req->arena, "%lld", (long long)case_id));
	tpl_set(v, "status", web_case_label(x->req->lang, "status", status));
	tpl_set(v, "asked", arena_strndup(x->req->arena, requested_at, 10));
	x->n++;
	return 0;
}

static int add_abroad(int64_t ref_id, int64_t case_id, const char *peer, const char *country,
		      const char *created_at, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)ref_id));
	if (case_id) /* else a hop forwarded from here */
		tpl_set(v, "case_id", arena_printf(x->req->arena, "%lld", (long long)case_id));
	tpl_set(v, "peer", peer);
	tpl_set(v, "country",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      country));
	tpl_set(v, "sent", arena_strndup(x->req->arena, created_at, 10));
	x->n++;
	return 0;
}

static int add_from_abroad(int64_t ref_id, const char *peer, const char *country,
			   const char *provider_state, const char *state, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "id", arena_printf(x->req->arena, "%lld", (long long)ref_id));
	tpl_set(v, "peer", peer);
	tpl_set(v, "country",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      country));
	tpl_set_bool(v, "to_answer", strcmp(provider_state, "assigned") == 0);
	tpl_set(v, "state", web_trm_label(x->req, state));
	x->n++;
	return 0;
}

int web_work(http_request *req, http_response *res)
{
	const identity_env *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	char now[CLOCK_RFC3339_LEN], week[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	clock_format_rfc3339(clock_wall_ms() + 7LL * 24 * 3600 * 1000, week);
	const char *today = arena_strndup(req->arena, now, 10);
	int rc = 0;
	if (principal_can(p, "referral.national")) {
		struct rows in = { req, tpl_set_list(v, "to_answer"), 0, today };
		rc = referral_list(env, req->arena, p, "in", 0, add_to_answer, &in);
		tpl_set_bool(v, "referrals", true);
		tpl_set_bool(v, "has_to_answer", in.n > 0);
		/* Received from abroad and handed to this organisation by the focal point. */
		struct rows abroad = { req, tpl_set_list(v, "from_abroad"), 0, today };
		if (!rc)
			rc = trm_provider_queue(env, req->arena, p, add_from_abroad, &abroad);
		tpl_set_bool(v, "has_from_abroad", abroad.n > 0);
		if (!rc && principal_scope(p, "referral.national") >= SCOPE_COUNTRY) {
			struct rows late = { req, tpl_set_list(v, "late"), 0, today };
			rc = referral_list(env, req->arena, p, "overdue", 0, add_late, &late);
			tpl_set_bool(v, "focal_point", true);
			tpl_set_bool(v, "has_late", late.n > 0);
		}
	}
	if (!rc && principal_scope(p, "referral.transnational") >= SCOPE_COUNTRY) {
		struct rows abroad = { req, tpl_set_list(v, "abroad"), 0, today };
		rc = trm_overdue(env, req->arena, p, clock_wall_ms(), add_abroad, &abroad);
		tpl_set_bool(v, "transnational", true);
		tpl_set_bool(v, "has_abroad", abroad.n > 0);
	}
	if (!rc && principal_can(p, "case.social.read")) {
		struct rows clocks = { req, tpl_set_list(v, "reflection"), 0, today };
		rc = case_reflection_ending(env, req->arena, p, arena_strndup(req->arena, week, 10),
					    add_clock, &clocks);
		tpl_set_bool(v, "cases", true);
		tpl_set_bool(v, "has_reflection", clocks.n > 0);
		struct rows reviews = { req, tpl_set_list(v, "reviews"), 0, today };
		if (!rc)
			rc = safety_reviews_due(env, req->arena, p,
						arena_strndup(req->arena, week, 10), add_review,
						&reviews);
		tpl_set_bool(v, "has_reviews", reviews.n > 0);
		struct rows due = { req, tpl_set_list(v, "deadlines"), 0, today };
		if (!rc)
			rc = sections_due(env, req->arena, p, today,
					  arena_strndup(req->arena, week, 10), add_due, &due);
		tpl_set_bool(v, "has_deadlines", due.n > 0);
		struct rows plans = { req, tpl_set_list(v, "plans"), 0, today };
		if (!rc)
			rc = plans_pending(env, req->arena, p, add_plan, &plans);
		tpl_set_bool(v, "approver",
			     principal_scope(p, "case.social.write") >= SCOPE_ORGANISATION);
		tpl_set_bool(v, "has_plans", plans.n > 0);
		struct rows closures = { req, tpl_set_list(v, "closures"), 0, today };
		if (!rc)
			rc = closures_pending(env, req->arena, p, add_closure, &closures);
		tpl_set_bool(v, "has_closures", closures.n > 0);
	}
	return rc ? rc : web_render_page(req, res, "work", N_("Action needed"), v);
}
