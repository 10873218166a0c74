/* "Action needed": the start page of case workers, supervisors and focal points, a list of
 * tasks grouped as the work comes (new referrals, reviews, deadlines this week, approvals,
 * late answers), each group counted. A task says whom it is about (the person's name where
 * the reader may see it), what is due, since or until when, and links to the page that does
 * it. */
#include "base/clock.h"
#include "cases/sections.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "referral/referral.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

struct group {
	http_request *req;
	tpl_vars *vars;
	tpl_list *tasks;
	size_t n;
	const char *today, *id, *title;
};

static struct group group_open(http_request *req, tpl_list *groups, const char *id,
			       const char *title, const char *hint, const char *today)
{
	tpl_vars *v = tpl_list_add(groups);
	tpl_set(v, "id", id);
	tpl_set(v, "title", tr(req->lang, title));
	if (hint)
		tpl_set(v, "hint", tr(req->lang, hint));
	return (
	    struct group){ req, v, tpl_set_list(v, "tasks"), 0, today, id, tr(req->lang, title) };
}

static void group_close(struct group *g, tpl_list *summary)
{
	tpl_set(g->vars, "count", web_count(g->req, (int64_t)g->n));
	tpl_set_bool(g->vars, "empty", g->n == 0);
	tpl_vars *s = tpl_list_add(summary);
	tpl_set(s, "id", g->id);
	tpl_set(s, "title", g->title);
	tpl_set(s, "count", web_count(g->req, (int64_t)g->n));
	tpl_set_bool(s, "some", g->n > 0);
}

/* One task: who (and the page about them), what is due, when (a stored date or time, told
 * relative to today), whether it is late, and the link that does it. */
static tpl_vars *task(struct group *g, const char *who, const char *who_url, const char *what,
		      const char *when_label, const char *when, bool late, const char *do_url,
		      const char *do_text)
{
	http_request *req = g->req;
	tpl_vars *v = tpl_list_add(g->tasks);
	tpl_set(v, "who", who);
	tpl_set(v, "who_url", who_url);
	tpl_set(v, "what", what);
	tpl_set(v, "when_label", when_label ? tr(req->lang, when_label) : NULL);
	/* The date, and how far it is from today where that says more ("in 3 days"). */
	const char *date = web_date(req, when), *relative = web_relative_day(req, when);
	tpl_set(v, "when_date", date);
	if (relative && date && strcmp(relative, date) != 0)
		tpl_set(v, "when_relative", relative);
	tpl_set(v, "when_iso", arena_strndup(req->arena, when ? when : "", 10));
	tpl_set_bool(v, "late", late);
	tpl_set(v, "do_url", do_url);
	tpl_set(v, "do_text", tr(req->lang, do_text));
	g->n++;
	return v;
}

/* The person a case is about, as the reader may see them, else "Case 12". */
static const char *person(http_request *req, int64_t case_id)
{
	const char *first, *second;
	if (case_person_name(&services_of(req)->env, req->arena, principal_of(req), case_id, &first,
			     &second) == 0 &&
	    (*first || *second))
		return web_full_name(req->arena, first, second);
	return arena_printf(req->arena, "%s %lld", tr(req->lang, N_("Case")), (long long)case_id);
}

static const char *case_url(http_request *req, int64_t case_id, const char *tail)
{
	return arena_printf(req->arena, "/cases/%lld%s", (long long)case_id, tail);
}

static int add_new_referral(const referral *r, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	if (strcmp(r->state, "sent") != 0 && strcmp(r->state, "accepted") != 0)
		return 0;
	const char *url = arena_printf(req->arena, "/referrals/%lld", (long long)r->id);
	const char *who = arena_printf(req->arena, "%s %lld · %s", tr(req->lang, N_("Referral")),
				       (long long)r->id, r->from_name);
	if (strcmp(r->state, "accepted") == 0)
		task(g, who, url, r->service_name, N_("accepted on"), r->updated_at, false, url,
		     N_("Start the service"));
	else
		task(g, who, url, r->service_name, N_("answer due"), r->due_at, r->overdue, url,
		     N_("Accept or decline"));
	return 0;
}

static int add_from_abroad(int64_t ref_id, const char *peer, const char *country,
			   const char *provider_state, const char *state, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	const char *url = arena_printf(req->arena, "/trm/%lld", (long long)ref_id);
	const char *who = arena_printf(
	    req->arena, "%s %lld · %s (%s)", tr(req->lang, N_("Referral across borders")),
	    (long long)ref_id, peer,
	    country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code, country));
	bool to_answer = strcmp(provider_state, "assigned") == 0;
	tpl_vars *v = task(
	    g, who, url,
	    to_answer ? tr(req->lang, N_("to accept or decline")) : web_trm_label(req, state), NULL,
	    NULL, false, url, to_answer ? N_("Accept or decline") : N_("Open the referral"));
	tpl_set_bool(v, "no_when", true);
	return 0;
}

static int add_late(const referral *r, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	const char *url = arena_printf(req->arena, "/referrals/%lld", (long long)r->id);
	task(g,
	     arena_printf(req->arena, "%s %lld · %s → %s", tr(req->lang, N_("Referral")),
			  (long long)r->id, r->from_name, r->to_name),
	     url, r->service_name, N_("answer due"), r->due_at, true, url, N_("Follow it up"));
	return 0;
}

static int add_abroad(int64_t ref_id, int64_t case_id, const char *peer, const char *country,
		      const char *created_at, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	const char *url = arena_printf(req->arena, "/trm/%lld", (long long)ref_id);
	const char *who =
	    case_id ? person(req, case_id)
		    : arena_printf(req->arena, "%s %lld",
				   tr(req->lang, N_("Referral across borders")), (long long)ref_id);
	task(g, who, case_id ? case_url(req, case_id, "") : url,
	     arena_printf(req->arena, "%s%s: %s (%s)", tr(req->lang, N_("not answered by")),
			  i18n_before_mark(req->lang), peer,
			  country_label(services_of(req)->db, req->arena,
					i18n_lang(req->lang)->code, country)),
	     N_("sent"), created_at, true, url, N_("Follow it up"));
	return 0;
}

static int add_reflection(const case_clock *k, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	task(g, web_full_name(req->arena, k->first_name, k->second_name),
	     case_url(req, k->case_id, ""),
	     tr(req->lang, N_("Reflection period ends: decide the victim status")), N_("ends"),
	     k->ends, strcmp(k->ends, g->today) < 0, case_url(req, k->case_id, "#decisions"),
	     N_("Decide the status"));
	return 0;
}

static int add_review(const case_clock *k, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	bool late = strcmp(k->ends, g->today) < 0;
	task(g, web_full_name(req->arena, k->first_name, k->second_name),
	     case_url(req, k->case_id, ""),
	     arena_printf(req->arena, "%s (%s%s: %s)", tr(req->lang, N_("Safety review")),
			  tr(req->lang, N_("Level of risk")), i18n_before_mark(req->lang),
			  web_safety_label(req, k->since)),
	     late ? N_("overdue since") : N_("due"), k->ends, late,
	     case_url(req, k->case_id, "/safety"), N_("Review the safety plan"));
	return 0;
}

/* A permit about to expire, or a compensation claim to file. */
static int add_due(const section_due *k, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	const section_def *d = section_find("file", k->section);
	if (!d)
		return 0;
	bool late = strcmp(k->due_on, g->today) < 0;
	task(g, person(req, k->case_id), case_url(req, k->case_id, ""),
	     arena_printf(req->arena, "%s%s: %s", tr(req->lang, d->title),
			  i18n_before_mark(req->lang),
			  tr(req->lang, section_code_label(&d->fields[0], k->what))),
	     late ? N_("passed") : N_("due"), k->due_on, late,
	     arena_printf(req->arena, "/cases/%lld/file/%s/%lld", (long long)k->case_id, d->name,
			  (long long)k->entry_id),
	     N_("Update it"));
	return 0;
}

static int add_plan(int64_t plan_id, int64_t case_id, const char *type, const char *created_at,
		    void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	(void)plan_id;
	task(g, person(req, case_id), case_url(req, case_id, ""),
	     arena_printf(req->arena, "%s%s: %s", tr(req->lang, N_("Plan to approve")),
			  i18n_before_mark(req->lang), web_plan_label(req, type)),
	     N_("since"), created_at, false, case_url(req, case_id, "/plans"),
	     N_("Approve or return the plan"));
	return 0;
}

static int add_closure(int64_t closure_id, int64_t case_id, const char *status,
		       const char *requested_at, void *ctx)
{
	struct group *g = ctx;
	http_request *req = g->req;
	(void)closure_id;
	task(g, person(req, case_id), case_url(req, case_id, ""),
	     arena_printf(req->arena, "%s%s: %s", tr(req->lang, N_("Closure to approve")),
			  i18n_before_mark(req->lang), web_case_label(req->lang, "status", status)),
	     N_("asked on"), requested_at, false, case_url(req, case_id, "/closure"),
	     N_("Approve or refuse the closure"));
	return 0;
}

int web_work(http_request *req, http_response *res)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_list *groups = tpl_set_list(v, "groups"), *summary = tpl_set_list(v, "summary");
	/* Days as the installation lives them: just after midnight in Niamey, today is not
	 * UTC's yesterday. */
	char now[11], week[CLOCK_RFC3339_LEN];
	int64_t today_ms = 0;
	i18n_today(now);
	clock_parse(now, &today_ms);
	clock_format_rfc3339(today_ms + 7LL * 24 * 3600 * 1000, week);
	const char *today = arena_strdup(req->arena, now);
	const char *in_a_week = arena_strndup(req->arena, week, 10);
	struct group g;
	size_t total = 0;
	int rc = 0;
	if (principal_can(p, "referral.national")) {
		g = group_open(req, groups, "new-referrals", N_("New referrals"),
			       N_("Referrals to your organisation to answer, and those accepted "
				  "whose service is to start."),
			       today);
		rc = referral_list(env, req->arena, p, "in", 0, add_new_referral, &g);
		/* Received from abroad and handed to this organisation by the focal point. */
		if (!rc)
			rc = trm_provider_queue(env, req->arena, p, add_from_abroad, &g);
		group_close(&g, summary);
		total += g.n;
	}
	if (!rc && principal_can(p, "case.social.read")) {
		g = group_open(req, groups, "reviews", N_("Reviews due"),
			       N_("Safety reviews overdue or due within seven days."), today);
		rc = safety_reviews_due(env, req->arena, p, in_a_week, add_review, &g);
		group_close(&g, summary);
		total += g.n;
		g = group_open(
		    req, groups, "deadlines", N_("Deadlines this week"),
		    N_("Reflection periods ending (no removal during the period, and the victim "
		       "status should be decided before it ends), residence permits within the "
		       "country's notice period, compensation claims due."),
		    today);
		if (!rc)
			rc = case_reflection_ending(env, req->arena, p, in_a_week, add_reflection,
						    &g);
		if (!rc)
			rc = sections_due(env, req->arena, p, today, in_a_week, add_due, &g);
		group_close(&g, summary);
		total += g.n;
		if (principal_scope(p, "case.social.write") >= SCOPE_ORGANISATION) {
			g = group_open(req, groups, "approvals", N_("Approvals"),
				       N_("Plans and closures others prepared, waiting for your "
					  "decision."),
				       today);
			if (!rc)
				rc = plans_pending(env, req->arena, p, add_plan, &g);
			if (!rc)
				rc = closures_pending(env, req->arena, p, add_closure, &g);
			group_close(&g, summary);
			total += g.n;
		}
	}
	bool focal = principal_scope(p, "referral.national") >= SCOPE_COUNTRY;
	bool transnational = principal_scope(p, "referral.transnational") >= SCOPE_COUNTRY;
	if (!rc && (focal || transnational)) {
		g = group_open(req, groups, "late", N_("Referrals not answered in time"),
			       N_("In your country, and those sent abroad."), today);
		if (focal)
			rc = referral_list(env, req->arena, p, "overdue", 0, add_late, &g);
		if (!rc && transnational)
			rc = trm_overdue(env, req->arena, p, clock_wall_ms(), add_abroad, &g);
		group_close(&g, summary);
		total += g.n;
	}
	tpl_set(v, "total", web_count(req, (int64_t)total));
	tpl_set_bool(v, "nothing", total == 0);
	return rc ? rc : web_render_page(req, res, "work", N_("Action needed"), v);
}
