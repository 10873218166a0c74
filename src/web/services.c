/* The services directory: the list with its filters, a service's own page (who provides it,
 * for whom, in which languages, how to reach it, its places free), the provider's count of
 * places, and "Refer this person" from a service to the referral form of a case. */
#include "services/services.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/referral.h"
#include "web/web.h"

static const char *num(http_request *req, int64_t n)
{
	return arena_printf(req->arena, "%lld", (long long)n);
}

const char *web_service_places(http_request *req, int capacity, int free)
{
	if (capacity < 0)
		return "";
	const char *s = trn(req->lang, "{n} place free of {total}", "{n} places free of {total}",
			    (unsigned long)(free < 0 ? 0 : free));
	return web_fill(req, s, "n", web_count(req, free < 0 ? 0 : free), "total",
			web_count(req, capacity), NULL);
}

/* ---- the list ---- */

struct list {
	http_request *req;
	tpl_list *rows;
	size_t n;
};

static int add_service(const service *s, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	if (!v)
		return PONTE_ENOMEM;
	l->n++;
	tpl_set(v, "id", num(req, s->id));
	tpl_set(v, "name", s->name);
	tpl_set(v, "type", web_referral_label(req, s->type));
	tpl_set(v, "organisation", s->organisation_name);
	tpl_set(v, "country", s->country);
	tpl_set(v, "country_name",
		country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			      s->country));
	tpl_set(v, "area", s->area);
	tpl_set(v, "hours", s->opening_hours);
	tpl_set(v, "language_codes", s->languages);
	tpl_set(v, "languages", language_labels(req->arena, req->lang, s->languages));
	tpl_set(v, "phone", s->phone);
	tpl_set(v, "ages", arena_printf(req->arena, "%d–%d", s->min_age, s->max_age));
	if (s->capacity >= 0) {
		tpl_set(v, "room", web_service_places(req, s->capacity, s->capacity_free));
		tpl_set_bool(v, "full", s->capacity_free <= 0);
	}
	web_set_when(req, v, "verified_on", s->verified_on, false);
	return 0;
}

static void type_options(http_request *req, tpl_vars *v, const char *selected)
{
	size_t n;
	const char *const *types = service_types(&n);
	tpl_list *l = tpl_set_list(v, "types");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *o = tpl_list_add(l);
		tpl_set(o, "code", types[i]);
		tpl_set(o, "name", web_referral_label(req, types[i]));
		tpl_set_bool(o, "selected", selected && strcmp(selected, types[i]) == 0);
	}
}

int web_services(http_request *req, http_response *res)
{
	const char *age = http_query(req, "age"), *room = http_query(req, "room");
	char *end = NULL;
	long a = age && *age ? strtol(age, &end, 10) : -1;
	if (end && (*end || a < 0 || a > 120))
		a = -1;
	service_filter f = { .type = http_query(req, "type"),
			     .country = http_query(req, "country"),
			     .language = http_query(req, "language"),
			     .age = (int)a,
			     .with_room = room && strcmp(room, "1") == 0,
			     .lang = req->lang };
	tpl_vars *v = tpl_vars_new(req->arena);
	struct list l = { req, v ? tpl_set_list(v, "rows") : NULL, 0 };
	if (!v || !l.rows)
		return PONTE_ENOMEM;
	int rc = service_list(&services_of(req)->env, req->arena, &f, add_service, &l);
	if (rc)
		return rc;
	type_options(req, v, f.type);
	tpl_set(v, "age", a >= 0 ? num(req, a) : "");
	tpl_set(v, "language", f.language ? f.language : "");
	tpl_set_bool(v, "room", f.with_room);
	tpl_set(v, "total", web_count(req, (int64_t)l.n));
	return web_render_page(req, res, "services", N_("Services directory"), v);
}

/* ---- one service ---- */

static int render_service(http_request *req, http_response *res, int64_t id, const field_errors *e,
			  const char *alert, const char *capacity, const char *taken)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	service s;
	int rc = service_get(env, req->arena, id, &s);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	const char *lang = i18n_lang(req->lang)->code;
	tpl_set(v, "id", num(req, s.id));
	tpl_set(v, "version", num(req, s.version));
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "name", s.name);
	tpl_set(v, "type", web_referral_label(req, s.type));
	tpl_set(v, "type_code", s.type);
	tpl_set(v, "organisation", s.organisation_name);
	tpl_set(v, "country", s.country);
	tpl_set(v, "country_name", country_label(env->db, req->arena, lang, s.country));
	tpl_set(v, "area", s.area);
	tpl_set(v, "hours", s.opening_hours);
	tpl_set(v, "phone", s.phone);
	tpl_set(v, "email", s.email);
	tpl_set(v, "ages",
		s.min_age == 0 && s.max_age == 120
		    ? tr(req->lang, N_("All ages"))
		    : web_fill(req, N_("From {min} to {max} years old"), "min", num(req, s.min_age),
			       "max", num(req, s.max_age), NULL));
	const char *all = tr(req->lang, N_("All"));
	tpl_set(v, "sexes",
		*s.sexes ? vocab_labels(req->arena, req->lang, "case.gender", s.sexes, ", ") : all);
	tpl_set(v, "sexes_codes", s.sexes);
	tpl_set(v, "exploitation",
		*s.exploitation
		    ? vocab_labels(req->arena, req->lang, "case.exploitation", s.exploitation, ", ")
		    : all);
	tpl_set(v, "exploitation_codes", s.exploitation);
	tpl_set(v, "nationalities",
		*s.nationalities ? country_labels(env->db, req->arena, lang, s.nationalities, ", ")
				 : all);
	tpl_set(v, "nationalities_codes", s.nationalities);
	tpl_set(v, "language_codes", s.languages);
	tpl_set(v, "languages", language_labels(req->arena, req->lang, s.languages));
	web_set_when(req, v, "verified_on", s.verified_on, false);
	if (s.capacity >= 0) {
		tpl_set(v, "room", web_service_places(req, s.capacity, s.capacity_free));
		tpl_set_bool(v, "full", s.capacity_free <= 0);
	}
	bool may_count = service_may_count_places(p, &s);
	tpl_set_bool(v, "may_count", may_count);
	if (may_count) {
		tpl_set(v, "capacity",
			capacity          ? capacity
			: s.capacity >= 0 ? num(req, s.capacity)
					  : "");
		tpl_set(v, "taken",
			taken             ? taken
			: s.capacity >= 0 ? num(req, s.capacity - s.capacity_free)
					  : "");
	}
	tpl_set_bool(v, "may_refer",
		     principal_can(p, "referral.national") &&
			 principal_can(p, "case.social.write") &&
			 p->organisation_id != s.organisation_id);
	if (alert)
		tpl_set(v, "alert", tr(req->lang, alert));
	static const char *const ORDER[] = { "capacity", "taken", NULL };
	static const char *const LABELS[] = { N_("Places in all"), N_("Places taken now"), NULL };
	web_field_errors(req, v, e, ORDER, LABELS);
	rc = web_render_page(req, res, "service", s.name, v);
	if (!rc && (alert || (e && e->count)))
		http_refuse_page(res, e && e->count ? PONTE_EREJECTED : PONTE_ECONFLICT);
	return rc;
}

int web_service(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render_service(req, res, id, NULL, NULL, NULL, NULL)
					  : PONTE_ENOTFOUND;
}

/* A whole number typed in a form, or -1 (nothing, or not a number). */
static int form_count(http_request *req, const char *name, const char **raw)
{
	const char *s = http_form(req, name);
	*raw = s ? s : "";
	char *end = NULL;
	long n = s && *s ? strtol(s, &end, 10) : -1;
	return end && !*end && n >= 0 && n <= 1000000 ? (int)n : -1;
}

/* The service's page: do=places counts its places. */
int web_service_change(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id) || strcmp(web_form_do(req), "places") != 0)
		return PONTE_ENOTFOUND;
	const char *capacity_raw, *taken_raw;
	int capacity = form_count(req, "capacity", &capacity_raw),
	    taken = form_count(req, "taken", &taken_raw);
	field_errors e;
	int rc = service_count_places(&services_of(req)->env, principal_of(req), id,
				      web_form_id(req, "version"), capacity, taken, &e);
	if (rc == PONTE_EINVAL)
		return render_service(req, res, id, &e, NULL, capacity_raw, taken_raw);
	if (rc == PONTE_ECONFLICT)
		return render_service(req, res, id, NULL,
				      N_("Someone counted the places meanwhile: here are their "
					 "numbers. Count again if yours are newer."),
				      NULL, NULL);
	if (rc)
		return rc;
	web_flash(req, N_("Places counted: {free} free."), "free", web_count(req, capacity - taken),
		  NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/services/%lld", (long long)id));
}

/* ---- refer this person ---- */

struct cases {
	http_request *req;
	tpl_list *rows;
	int64_t selected;
};

static int add_case(const case_record *c, void *ctx)
{
	struct cases *l = ctx;
	tpl_vars *v = tpl_list_add(l->rows);
	if (!v)
		return PONTE_ENOMEM;
	const char *name = web_full_name(l->req->arena, c->first_name, c->second_name);
	tpl_set(v, "id", num(l->req, c->id));
	tpl_set(v, "name",
		arena_printf(l->req->arena, "%s %lld%s%s", tr(l->req->lang, N_("Case")),
			     (long long)c->id, name && *name ? " — " : "", name ? name : ""));
	tpl_set_bool(v, "selected", c->id == l->selected);
	return 0;
}

/* GET /services/{id}/refer: choose the case (the cases the reader may see, latest first, or a
 * number), then the case's referral form with the service chosen. */
int web_service_refer(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	service s;
	int rc = service_get(env, req->arena, id, &s);
	if (rc)
		return rc;
	/* A number typed wins over the list's choice. */
	const char *chosen = http_query(req, "number");
	if (!chosen || !*chosen)
		chosen = http_query(req, "case");
	char *end = NULL;
	long long case_id = chosen && *chosen ? strtoll(chosen, &end, 10) : 0;
	field_errors e;
	field_errors_clear(&e);
	if (chosen) {
		case_scope o;
		if (end && !*end && case_id > 0 && !case_scope_of(env->db, case_id, &o) &&
		    principal_can_see(p, "case.social.write", o.owner_id, o.organisation_id,
				      o.country))
			return http_redirect(
			    req, res,
			    arena_printf(req->arena,
					 "/cases/%lld/referrals?service=%lld#referral-form",
					 case_id, (long long)id));
		field_errors_add(&e, "case",
				 N_("Choose one of the cases you work on, or type its number."));
	}
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", num(req, id));
	tpl_set(v, "name", s.name);
	tpl_set(v, "organisation", s.organisation_name);
	const char *typed = http_query(req, "number");
	tpl_set(v, "typed", typed ? typed : "");
	case_filter f = { .limit = 50, .lang = i18n_lang(req->lang)->code };
	struct cases l = { req, tpl_set_list(v, "cases"), case_id };
	int64_t total = 0;
	if ((rc = case_list(env, req->arena, p, &f, add_case, &l, &total)))
		return rc;
	static const char *const ORDER[] = { "case", NULL };
	web_field_errors(req, v, &e, ORDER, NULL);
	rc = web_render_page(req, res, "service_refer", N_("Refer this person"), v);
	if (!rc && e.count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}
