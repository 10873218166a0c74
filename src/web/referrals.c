/* Referral pages: the services directory, a case's consents, referrals and disclosures, the
 * inbox and outbox of an organisation, and one referral with its history and actions. */
#include "base/clock.h"
#include "base/utf8.h"
#include "cases/sections.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/referral.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

/* ---- words for codes ---- */

static const vocab_term LABELS[] = {
	{ "draft", N_("Draft") },
	{ "sent", N_("Sent") },
	{ "accepted", N_("Accepted") },
	{ "declined", N_("Declined") },
	{ "in_service", N_("In service") },
	{ "completed", N_("Completed") },
	{ "discontinued", N_("Discontinued") },
	{ "withdrawn", N_("Withdrawn") },
	{ "send", N_("Send") },
	{ "accept", N_("Accept") },
	{ "decline", N_("Decline") },
	{ "start", N_("Start the service") },
	{ "complete", N_("Complete") },
	{ "discontinue", N_("Discontinue") },
	{ "withdraw", N_("Withdraw") },
	{ "no_capacity", N_("No place free") },
	{ "not_eligible", N_("Not eligible for the service") },
	{ "service_unavailable", N_("Service not available") },
	{ "person_declined", N_("The person declined") },
	{ "other", N_("Other") },
	{ "goals_met", N_("Goals met") },
	{ "partly_met", N_("Goals partly met") },
	{ "person_left", N_("The person left") },
	{ "safety", N_("For the person's safety") },
	{ "moved_away", N_("The person moved away") },
	{ "consent_withdrawn", N_("Consent withdrawn") },
	{ "identity", N_("Identity") },
	{ "contact", N_("Contact") },
	{ "documents", N_("Identity documents") },
	{ "victim", N_("Victim status and exploitation") },
	{ "case", N_("Case status and phase") },
	{ "shelter", N_("Shelter") },
	{ "medical", N_("Medical care") },
	{ "psychosocial", N_("Psychosocial support") },
	{ "legal_aid", N_("Legal aid") },
	{ "interpretation", N_("Interpretation") },
	{ "education", N_("Education") },
	{ "livelihood", N_("Livelihood") },
	{ "family_tracing", N_("Family tracing") },
	{ "return_assistance", N_("Return assistance") },
	{ "child_protection", N_("Child protection") },
	{ "consent", N_("Consent") },
	{ "vital_interest", N_("Vital interest") },
	{ "legal_obligation", N_("Legal obligation") },
	{ "public_interest", N_("Public interest") },
	{ "urgent", N_("Urgent") },
	{ "normal", N_("Normal") },
	/* What a provider records as given (referral_delivery_types(); interpretation and other
	 * are above). */
	{ "accommodation", N_("Accommodation") },
	{ "meals", N_("Meals") },
	{ "medical_care", N_("Medical care given") },
	{ "counselling", N_("Counselling session") },
	{ "legal_advice", N_("Legal advice given") },
	{ "accompaniment", N_("Accompaniment (to an office, a hearing)") },
	{ "training", N_("Training or schooling") },
	{ "cash_assistance", N_("Cash assistance") },
	{ "family_contact", N_("Contact with family") },
};
VOCABULARY(labels, "referral", LABELS);

const char *web_referral_label(http_request *req, const char *code)
{
	return vocab_label(req->lang, "referral", code);
}

static const char *const CATEGORIES[] = { "identity", "contact", "documents", "victim", "case" };

/* "identity,victim" in words. */
static const char *categories_label(http_request *req, const char *csv)
{
	buf b;
	buf_init(&b, 1024);
	for (size_t i = 0; i < ARRAY_LEN(CATEGORIES); i++)
		if (ref_categories_cover(csv, CATEGORIES[i]))
			buf_printf(&b, "%s%s", b.len ? ", " : "",
				   web_referral_label(req, CATEGORIES[i]));
	const char *s = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static void fill_errors(http_request *req, tpl_vars *v, const field_errors *e)
{
	/* The fields of the referral, consent and answer forms, top to bottom. */
	static const char *const ORDER[] = {
		"service",      "consent",      "categories",  "urgency",
		"recipient",    "purpose",      "legal_basis", "given_by",
		"language",     "text_version", "given_on",    "code",
		"delivered_on", "type",         "note",        NULL
	};
	web_field_errors(req, v, e, ORDER, NULL);
}

static const char *num(http_request *req, int64_t n)
{
	return arena_printf(req->arena, "%lld", (long long)n);
}

struct list {
	http_request *req;
	tpl_list *rows;
	size_t n;
};

/* ---- a case's consents, referrals and disclosures ---- */

static int add_consent(const consent *c, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	tpl_set(v, "id", num(req, c->id));
	tpl_set(v, "recipient", *c->recipient_name ? c->recipient_name : tr(req->lang, N_("Any")));
	tpl_set(v, "categories", categories_label(req, c->categories));
	tpl_set(v, "basis", web_referral_label(req, c->legal_basis));
	tpl_set(v, "given",
		arena_printf(req->arena, "%s (%s, %s)", web_date(req, c->given_on),
			     language_labels(req->arena, req->lang, c->language), c->text_version));
	web_set_when(req, v, "withdrawn_on", c->withdrawn_on, false);
	tpl_set_bool(v, "open", !*c->withdrawn_on);
	l->n += !*c->withdrawn_on;
	return 0;
}

static int add_referral(const referral *r, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	tpl_set(v, "id", num(req, r->id));
	tpl_set(v, "case_id", num(req, r->case_id));
	tpl_set(v, "from", r->from_name);
	tpl_set(v, "to", r->to_name);
	tpl_set(v, "service",
		*r->service_name ? r->service_name : web_referral_label(req, r->service_type));
	tpl_set(v, "state", web_referral_label(req, r->state));
	tpl_set(v, "state_code", r->state);
	web_set_when(req, v, "updated", r->updated_at, true);
	tpl_set_bool(v, "overdue", r->overdue);
	tpl_set_bool(v, "urgent", strcmp(r->urgency, "urgent") == 0);
	l->n++;
	return 0;
}

static int add_disclosure(const disclosure *d, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	tpl_set(v, "recipient", d->recipient_name);
	tpl_set(v, "categories", categories_label(req, d->categories));
	tpl_set(v, "basis", web_referral_label(req, d->basis));
	web_set_when(req, v, "at", d->at, true);
	tpl_set(v, "referral_id", d->referral_id ? num(req, d->referral_id) : "");
	return 0;
}

static const char *service_option_name(http_request *req, const service *s)
{
	const char *name =
	    arena_printf(req->arena, "%s — %s (%s)", web_referral_label(req, s->type), s->name,
			 s->organisation_name);
	if (s->capacity >= 0)
		name = arena_printf(req->arena, "%s · %s", name,
				    web_service_places(req, s->capacity, s->capacity_free));
	return name;
}

/* The service chosen already: from "Refer this person" on the service's page (?service=), or
 * the consent's recipient just recorded. */
static bool service_chosen(http_request *req, const service *s)
{
	const char *chosen = http_query(req, "service");
	return chosen && strcmp(chosen, num(req, s->id)) == 0;
}

static int add_service_option(const service *s, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	tpl_set(v, "id", num(req, s->id));
	tpl_set(v, "name", service_option_name(req, s));
	tpl_set_bool(v, "selected", service_chosen(req, s));
	return 0;
}

/* The referral form's services: those of the case's country that suit what is known of the
 * person, the ones meeting an open need first; those that do not suit are listed apart with
 * why, never silently left out. */
struct picker {
	http_request *req;
	service_person who;
	const char *country;
	int64_t own_organisation; /* the case's */
	const char *needs;        /* ",type=need label,..." of the case's open needs */
	tpl_list *consent_options, *matching, *others, *unsuited;
	size_t n_matching, n_others, n_unsuited, n_abroad;
	const char *chosen_unsuited; /* why the service asked for does not suit */
};

/* Why a service does not suit, in words: "For ages 18 to 120; No place free now". */
static const char *unsuited_words(http_request *req, const service *s, unsigned why)
{
	const char *lang = i18n_lang(req->lang)->code;
	const char *parts[5];
	size_t n = 0;
	if (why & SERVICE_NOT_AGE)
		parts[n++] = web_fill(req, N_("for ages {min} to {max}"), "min",
				      num(req, s->min_age), "max", num(req, s->max_age), NULL);
	if (why & SERVICE_NOT_GENDER)
		parts[n++] = web_fill(
		    req, N_("for {genders} only"), "genders",
		    vocab_labels(req->arena, req->lang, "case.gender", s->sexes, ", "), NULL);
	if (why & SERVICE_NOT_EXPLOITATION)
		parts[n++] = web_fill(
		    req, N_("for other types of exploitation: {types}"), "types",
		    vocab_labels(req->arena, req->lang, "case.exploitation", s->exploitation, ", "),
		    NULL);
	if (why & SERVICE_NOT_NATIONALITY)
		parts[n++] = web_fill(
		    req, N_("for nationals of {countries}"), "countries",
		    country_labels(services_of(req)->db, req->arena, lang, s->nationalities, ", "),
		    NULL);
	if (why & SERVICE_NO_PLACE)
		parts[n++] = tr(req->lang, N_("no place free now"));
	const char *out = "", *sep = arena_printf(req->arena, "%s; ", i18n_before_mark(req->lang));
	for (size_t i = 0; i < n; i++)
		out = arena_printf(req->arena, "%s%s%s", out, i ? sep : "", parts[i]);
	return out;
}

static int add_picker_service(const service *s, void *ctx)
{
	struct picker *k = ctx;
	http_request *req = k->req;
	struct list all = { req, k->consent_options, 0 };
	int rc = add_service_option(s, &all);
	if (rc)
		return rc;
	if (k->country && *k->country && strcmp(s->country, k->country) != 0) {
		k->n_abroad++;
		return 0;
	}
	unsigned why = service_unsuited(s, &k->who);
	bool own = s->organisation_id == k->own_organisation;
	char key[64];
	snprintf(key, sizeof(key), ",%s=", s->type);
	const char *need = strstr(k->needs, key);
	tpl_list *into = why || own ? k->unsuited : need ? k->matching : k->others;
	tpl_vars *v = tpl_list_add(into);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", num(req, s->id));
	tpl_set(v, "name", service_option_name(req, s));
	tpl_set_bool(v, "selected", service_chosen(req, s));
	if (why || own) {
		/* The case's own organisation serves the person without a referral. */
		const char *words =
		    own ? tr(req->lang, N_("offered by the case's own organisation"))
			: unsuited_words(req, s, why);
		tpl_set(v, "service", s->name);
		tpl_set(v, "organisation", s->organisation_name);
		tpl_set(v, "why", words);
		if (service_chosen(req, s))
			k->chosen_unsuited =
			    web_fill(req, N_("{service} is not offered for this person: {why}."),
				     "service", s->name, "why", words, NULL);
		k->n_unsuited++;
	} else if (need) {
		need += strlen(key);
		tpl_set(v, "meets", arena_strndup(req->arena, need, strcspn(need, ",")));
		k->n_matching++;
	} else {
		k->n_others++;
	}
	return 0;
}

/* The open needs of the case file (needs without a date met), as ",type=label,": each need a
 * service type meets. */
struct needs {
	http_request *req;
	const section_def *d;
	buf b, words;
};

static int add_need(const section_entry *x, void *ctx)
{
	struct needs *n = ctx;
	const char *need = x->values[section_field_index(n->d, "need")],
		   *met = x->values[section_field_index(n->d, "met_on")];
	if (met && *met)
		return 0;
	const char *label = vocab_label(n->req->lang, "needs.need", need);
	buf_printf(&n->words, "%s%s", n->words.len ? ", " : "", label);
	const char *type = service_type_for_need(need);
	if (type)
		buf_printf(&n->b, "%s=%s,", type, label);
	return 0;
}

/* What of the person the list of services is chosen by, read from the case: age, gender,
 * exploitation, citizenship, country and open needs; and the sentence that says so. */
static int picker_of_case(http_request *req, int64_t case_id, struct picker *k, tpl_vars *v)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	case_record c;
	int rc = case_get(env, req->arena, p, case_id, &c);
	if (rc)
		return rc;
	k->who.age = c.estimated_age;
	if (c.birthdate && strlen(c.birthdate) >= 10) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		int age = (int)strtol(now, NULL, 10) - (int)strtol(c.birthdate, NULL, 10);
		if (strncmp(now + 5, c.birthdate + 5, 5) < 0)
			age--;
		if (age >= 0 && age <= 130)
			k->who.age = age;
	}
	k->who.gender = c.gender;
	k->who.exploitation = c.exploitation;
	k->who.citizenship = c.citizenship;
	k->country = arena_strdup(req->arena, c.country ? c.country : "");
	k->own_organisation = c.organisation_id;
	struct needs n = { .req = req, .d = section_find("file", "needs") };
	buf_init(&n.b, 4096);
	buf_init(&n.words, 4096);
	buf_printf(&n.b, ",");
	if (n.d)
		rc = section_list(env, req->arena, p, n.d, case_id, add_need, &n);
	k->needs = arena_strdup(req->arena, n.b.data ? n.b.data : ",");
	const char *needs = arena_strdup(req->arena, n.words.data ? n.words.data : "");
	buf_release(&n.b);
	buf_release(&n.words);
	if (rc)
		return rc;
	/* The facts the list was chosen by, those known. */
	const char *lang = i18n_lang(req->lang)->code;
	const char *facts = "";
	if (k->who.age >= 0)
		facts = web_fill(req, N_("{age} years old"), "age", num(req, k->who.age), NULL);
	const char *more[] = {
		c.gender && *c.gender
		    ? vocab_labels(req->arena, req->lang, "case.gender", c.gender, ", ")
		    : NULL,
		c.exploitation && *c.exploitation
		    ? vocab_labels(req->arena, req->lang, "case.exploitation", c.exploitation, ", ")
		    : NULL,
		c.citizenship && *c.citizenship
		    ? country_labels(env->db, req->arena, lang, c.citizenship, ", ")
		    : NULL,
	};
	const char *sep = arena_printf(req->arena, "%s; ", i18n_before_mark(req->lang));
	for (size_t i = 0; i < ARRAY_LEN(more); i++)
		if (more[i])
			facts =
			    arena_printf(req->arena, "%s%s%s", facts, *facts ? sep : "", more[i]);
	const char *where = country_label(env->db, req->arena, lang, k->country);
	const char *hint =
	    *facts ? web_fill(req, N_("Services in {country} that take this person ({facts})."),
			      "country", where, "facts", facts, NULL)
		   : web_fill(req, N_("Services in {country}."), "country", where, NULL);
	if (*needs)
		hint =
		    arena_printf(req->arena, "%s %s", hint,
				 web_fill(req, N_("Open needs: {needs}."), "needs", needs, NULL));
	tpl_set(v, "picker_hint", hint);
	return 0;
}

struct language_option {
	const char *code, *name;
};

static int language_by_name(const void *a, const void *b)
{
	return utf8_collate(((const struct language_option *)a)->name,
			    ((const struct language_option *)b)->name);
}

static int language_by_name_arabic_first(const void *a, const void *b)
{
	return utf8_collate_arabic_first(((const struct language_option *)a)->name,
					 ((const struct language_option *)b)->name);
}

/* The languages a person may be informed in, as a list to choose from ("languages"): by
 * their names in the reader's language and alphabet (the page's script first), each
 * language once (the vocabulary knows most by a two- and a three-letter code: the first is
 * offered), the one selected marked. */
static int add_language_picker(http_request *req, tpl_vars *v, const char *selected)
{
	const vocab_table *t = vocab_find("language");
	if (!t)
		return PONTE_ENOTFOUND;
	struct language_option *o = arena_calloc(req->arena, t->n ? t->n : 1, sizeof(*o));
	if (!o)
		return PONTE_ENOMEM;
	size_t n = 0;
	const char *chosen = NULL; /* the label of selected, for its other code */
	for (size_t i = 0; i < t->n; i++) {
		if (selected && !strcmp(selected, t->terms[i].code))
			chosen = t->terms[i].label;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(t->terms[j].label, t->terms[i].label);
		if (!seen)
			o[n++] = (struct language_option){ t->terms[i].code,
							   tr(req->lang, t->terms[i].label) };
	}
	qsort(o, n, sizeof(*o),
	      i18n_arabic_script(i18n_lang(req->lang)->code) ? language_by_name_arabic_first
							     : language_by_name);
	tpl_list *l = tpl_set_list(v, "languages");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "code", o[i].code);
		tpl_set(x, "name", o[i].name);
		tpl_set_bool(x, "selected", chosen && !strcmp(tr(req->lang, chosen), o[i].name));
	}
	return 0;
}

static int render_case_referrals(http_request *req, http_response *res, int64_t case_id,
				 const field_errors *e)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "case_id", num(req, case_id));
	tpl_set(v, "csrf", p->csrf);
	struct list consents = { req, tpl_set_list(v, "consents"), 0 };
	int rc = consent_list(env, req->arena, p, case_id, add_consent, &consents);
	struct list refs = { req, tpl_set_list(v, "referrals"), 0 };
	if (!rc)
		rc = referral_list(env, req->arena, p, "case", case_id, add_referral, &refs);
	struct list disc = { req, tpl_set_list(v, "disclosures"), 0 };
	if (!rc)
		rc = disclosure_list(env, req->arena, p, case_id, add_disclosure, &disc);
	service_filter all = { .age = -1, .lang = req->lang };
	struct picker k = { .req = req,
			    .consent_options = tpl_set_list(v, "services"),
			    .matching = tpl_set_list(v, "matching"),
			    .others = tpl_set_list(v, "others"),
			    .unsuited = tpl_set_list(v, "unsuited") };
	if (!rc)
		rc = picker_of_case(req, case_id, &k, v);
	if (!rc)
		rc = service_list(env, req->arena, &all, add_picker_service, &k);
	if (rc)
		return rc;
	tpl_set_bool(v, "has_matching", k.n_matching > 0);
	tpl_set_bool(v, "has_others", k.n_others > 0);
	tpl_set_bool(v, "has_unsuited", k.n_unsuited > 0);
	tpl_set(v, "n_unsuited", web_count(req, (int64_t)k.n_unsuited));
	if (k.n_abroad)
		tpl_set(
		    v, "abroad",
		    web_fill(req,
			     trn(req->lang,
				 "{n} service in another country: refer across borders for it.",
				 "{n} services in other countries: refer across borders for them.",
				 (unsigned long)k.n_abroad),
			     "n", web_count(req, (int64_t)k.n_abroad), NULL));
	if (k.chosen_unsuited)
		tpl_set(v, "chosen_unsuited", k.chosen_unsuited);
	tpl_set_bool(v, "has_open_consent", consents.n > 0);
	tpl_list *cats = tpl_set_list(v, "categories");
	for (size_t i = 0; i < ARRAY_LEN(CATEGORIES); i++) {
		tpl_vars *o = tpl_list_add(cats);
		tpl_set(o, "code", CATEGORIES[i]);
		tpl_set(o, "name", web_referral_label(req, CATEGORIES[i]));
	}
	tpl_set_bool(v, "can_refer", principal_can(p, "referral.national"));
	/* The consent form: what was typed back after an error, else today in the
	 * installation's zone. */
	bool consent_posted = e && !strcmp(web_form_do(req), "consent");
	if ((rc = add_language_picker(req, v, consent_posted ? http_form(req, "language") : NULL)))
		return rc;
	const char *given_on = consent_posted ? http_form(req, "given_on") : NULL;
	char today[11];
	i18n_today(today);
	tpl_set(v, "given_on", given_on ? given_on : arena_strdup(req->arena, today));
	tpl_set(v, "text_version", consent_posted ? http_form(req, "text_version") : "");
	fill_errors(req, v, e);
	rc = web_render_page(req, res, "case_referrals", N_("Referrals and consents"), v);
	if (!rc && e && e->count)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_referrals(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	return render_case_referrals(req, res, id, NULL);
}

/* The checked categories of a form, as "a,b". */
static const char *form_categories(http_request *req)
{
	buf b;
	buf_init(&b, 256);
	for (size_t i = 0; i < ARRAY_LEN(CATEGORIES); i++) {
		const char *on = http_form(req, arena_printf(req->arena, "cat_%s", CATEGORIES[i]));
		if (on && strcmp(on, "1") == 0)
			buf_printf(&b, "%s%s", b.len ? "," : "", CATEGORIES[i]);
	}
	const char *s = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static int case_consent_add(http_request *req, http_response *res, int64_t id)
{
	service s;
	int64_t service_id = web_form_id(req, "recipient_service");
	consent_input in = { .purpose = "referral",
			     .categories = form_categories(req),
			     .legal_basis = "consent",
			     .language = http_form(req, "language"),
			     .text_version = http_form(req, "text_version"),
			     .given_by = http_form(req, "given_by"),
			     .given_on = http_form(req, "given_on") };
	/* The day as the reader typed it (28/11/2026, 28 nov. 2026) or as the date picker
	 * sends it; what is no day goes on, to be refused with its message. */
	char day[11];
	if (in.given_on && i18n_date_read(req->lang, in.given_on, day))
		in.given_on = arena_strdup(req->arena, day);
	if (service_id && !service_get(&services_of(req)->env, req->arena, service_id, &s))
		in.recipient_id = s.organisation_id;
	field_errors e;
	int64_t cid;
	int rc = consent_add(&services_of(req)->env, principal_of(req), id, &in, &cid, &e);
	if (rc == PONTE_EINVAL)
		return render_case_referrals(req, res, id, &e);
	if (rc)
		return rc;
	web_flash(req, N_("The consent has been recorded."), NULL);
	/* Step 2 next, with the service the consent names chosen. */
	return http_redirect(
	    req, res,
	    service_id
		? arena_printf(req->arena, "/cases/%lld/referrals?service=%lld#referral-form",
			       (long long)id, (long long)service_id)
		: arena_printf(req->arena, "/cases/%lld/referrals#referral-form", (long long)id));
}

/* The open national referrals made under a consent, which withdrawing it withdraws. */
struct open_under {
	int64_t consent_id;
	size_t n;
};

static int count_open_under(const referral *r, void *ctx)
{
	struct open_under *o = ctx;
	static const char *const OPEN[] = { "draft", "sent", "accepted", "in_service" };
	for (size_t i = 0; i < ARRAY_LEN(OPEN) && r->consent_id == o->consent_id; i++)
		if (strcmp(r->state, OPEN[i]) == 0)
			o->n++;
	return 0;
}

/* Withdrawing a consent asks first, saying what goes with it: its open referrals, and for a
 * consent to refer abroad, what the receiving countries received. */
static int consent_withdraw_confirm(http_request *req, http_response *res, const consent *x)
{
	const char *back = arena_printf(req->arena, "/cases/%lld/referrals", (long long)x->case_id);
	if (*x->withdrawn_on)
		return http_redirect(req, res, back);
	struct open_under o = { x->id, 0 };
	int rc = referral_list(&services_of(req)->env, req->arena, principal_of(req), "case",
			       x->case_id, count_open_under, &o);
	if (rc)
		return rc;
	const char *what =
	    arena_printf(req->arena, "%s%s%s",
			 web_fill(req, N_("This withdraws consent {id}, given on {date}."), "id",
				  num(req, x->id), "date", web_date(req, x->given_on), NULL),
			 " ",
			 trn(req->lang,
			     "It withdraws {n} open referral made under it: its recipient can no "
			     "longer see the case.",
			     "It withdraws {n} open referrals made under it: their recipients can "
			     "no longer see the case.",
			     (unsigned long)o.n));
	what = web_fill(req, what, "n", web_count(req, (int64_t)o.n), NULL);
	if (strcmp(x->purpose, "transnational_referral") == 0)
		what =
		    arena_printf(req->arena, "%s %s", what,
				 tr(req->lang, N_("Every referral across borders made under it is "
						  "withdrawn too, and the receiving countries are "
						  "asked to delete what they received.")));
	return web_confirm(req, res,
			   arena_printf(req->arena, "/consents/%lld/withdraw", (long long)x->id),
			   N_("Withdraw this consent?"), what, N_("Withdraw the consent"), back);
}

int web_consent_withdraw_form(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	consent x;
	int rc = consent_get(&services_of(req)->env, req->arena, principal_of(req), id, &x);
	return rc ? rc : consent_withdraw_confirm(req, res, &x);
}

int web_consent_withdraw(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	/* Back to the consent's own case, as the store has it: not to a case the form names. */
	consent x;
	int rc = consent_get(&services_of(req)->env, req->arena, principal_of(req), id, &x);
	if (rc)
		return rc;
	if (!web_confirmed(req))
		return consent_withdraw_confirm(req, res, &x);
	/* The referrals abroad made under the consent go with it (trm/). */
	size_t national, abroad;
	rc = trm_consent_withdraw(&services_of(req)->env, principal_of(req), id, clock_wall_ms(),
				  &national, &abroad);
	if (rc && rc != PONTE_ECONFLICT)
		return rc;
	if (!rc)
		web_flash_n(req, "Consent withdrawn: {n} referral withdrawn.",
			    "Consent withdrawn: {n} referrals withdrawn.",
			    (int64_t)(national + abroad), NULL);
	return http_redirect(
	    req, res, arena_printf(req->arena, "/cases/%lld/referrals", (long long)x.case_id));
}

/* The case's referrals page: its main form prepares a referral (for who handles referrals);
 * do=consent records a consent. */
int web_case_referral_create(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	if (strcmp(web_form_do(req), "consent") == 0)
		return case_consent_add(req, res, id);
	if (!principal_can(principal_of(req), "referral.national"))
		return PONTE_EDENIED;
	const char *basis = http_form(req, "basis");
	referral_input in = { .case_id = id,
			      .service_id = web_form_id(req, "service_id"),
			      .categories = form_categories(req),
			      .consent_id = web_form_id(req, "consent_id"),
			      .legal_basis = basis && *basis ? basis : NULL,
			      .urgency = http_form(req, "urgency") };
	field_errors e;
	int64_t rid;
	int rc = referral_create(&services_of(req)->env, principal_of(req), &in, &rid, &e);
	if (rc == PONTE_EINVAL)
		return render_case_referrals(req, res, id, &e);
	if (rc)
		return rc;
	web_flash(req, N_("Referral prepared: check it, then send it."), NULL);
	return http_redirect(req, res, arena_printf(req->arena, "/referrals/%lld", (long long)rid));
}

/* ---- the inbox and outbox ---- */

int web_referrals(http_request *req, http_response *res)
{
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	static const char *const BOXES[] = { "in", "out", "overdue" };
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(BOXES) && !rc; i++) {
		if (strcmp(BOXES[i], "overdue") == 0 &&
		    principal_scope(p, "referral.national") < SCOPE_COUNTRY)
			continue;
		struct list l = { req, tpl_set_list(v, BOXES[i]), 0 };
		rc = referral_list(&services_of(req)->env, req->arena, p, BOXES[i], 0, add_referral,
				   &l);
		tpl_set_bool(v, arena_printf(req->arena, "has_%s", BOXES[i]), l.n > 0);
	}
	tpl_set_bool(v, "focal_point", principal_scope(p, "referral.national") >= SCOPE_COUNTRY);
	return rc ? rc : web_render_page(req, res, "referrals", N_("Referrals"), v);
}

/* ---- one referral ---- */

static int add_event(const referral_event *ev, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	web_set_when(req, v, "at", ev->at, true);
	tpl_set(v, "action", web_referral_label(req, ev->action));
	tpl_set(v, "state", web_referral_label(req, ev->to_state));
	tpl_set(v, "code", *ev->code ? web_referral_label(req, ev->code) : "");
	tpl_set(v, "note", ev->note);
	return 0;
}

static void add_actions(http_request *req, tpl_vars *v, const referral *r)
{
	/* How each looks: the way forward is the main button; declining is secondary; what ends
	 * the referral early is red and asks first (web_referral_act). */
	static const struct {
		const char *action, *states;
		bool sender;
		const char *style;
	} ALLOWED[] = {
		{ "send", ",draft,", true, "" },
		{ "accept", ",sent,", false, "" },
		{ "decline", ",sent,", false, "secondary" },
		{ "start", ",accepted,", false, "" },
		{ "complete", ",in_service,", false, "" },
		{ "discontinue", ",accepted,in_service,", false, "danger" },
		{ "withdraw", ",draft,sent,accepted,in_service,", true, "danger" },
	};
	tpl_list *l = tpl_set_list(v, "actions");
	char state[32];
	snprintf(state, sizeof(state), ",%s,", r->state);
	for (size_t i = 0; i < ARRAY_LEN(ALLOWED); i++) {
		if (!strstr(ALLOWED[i].states, state) ||
		    !(ALLOWED[i].sender ? r->sender : r->recipient))
			continue;
		tpl_vars *a = tpl_list_add(l);
		tpl_set(a, "action", ALLOWED[i].action);
		tpl_set(a, "style", ALLOWED[i].style);
		tpl_set(a, "label", web_referral_label(req, ALLOWED[i].action));
		size_t n;
		const char *const *codes = referral_codes(ALLOWED[i].action, &n);
		tpl_set_bool(a, "has_codes", n > 0);
		tpl_list *cl = tpl_set_list(a, "codes");
		for (size_t k = 0; k < n; k++) {
			tpl_vars *c = tpl_list_add(cl);
			tpl_set(c, "code", codes[k]);
			tpl_set(c, "name", web_referral_label(req, codes[k]));
		}
	}
}

static int add_delivery(const referral_delivery *d, void *ctx)
{
	struct list *l = ctx;
	http_request *req = l->req;
	tpl_vars *v = tpl_list_add(l->rows);
	if (!v)
		return PONTE_ENOMEM;
	l->n++;
	web_set_when(req, v, "on", d->delivered_on, false);
	tpl_set(v, "type", web_referral_label(req, d->type));
	tpl_set(v, "type_code", d->type);
	tpl_set(v, "note", d->note);
	return 0;
}

/* form: the delivery form was posted (its values are shown again with its errors). */
static int render_referral_form(http_request *req, http_response *res, int64_t id,
				const field_errors *e, const char *alert, bool form);

static int render_referral(http_request *req, http_response *res, int64_t id, const field_errors *e,
			   const char *alert)
{
	return render_referral_form(req, res, id, e, alert, false);
}

static int render_referral_form(http_request *req, http_response *res, int64_t id,
				const field_errors *e, const char *alert, bool form)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	referral r;
	int rc = referral_get(env, req->arena, p, id, &r);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "id", num(req, id));
	tpl_set(v, "csrf", p->csrf);
	tpl_set(v, "case_id", num(req, r.case_id));
	tpl_set_bool(v, "sender", r.sender);
	tpl_set(v, "from", r.from_name);
	tpl_set(v, "to", r.to_name);
	tpl_set(v, "service",
		*r.service_name ? r.service_name : web_referral_label(req, r.service_type));
	tpl_set(v, "state", web_referral_label(req, r.state));
	tpl_set(v, "categories", categories_label(req, r.categories));
	tpl_set(v, "basis",
		r.consent_id ? web_referral_label(req, "consent")
			     : web_referral_label(req, r.legal_basis));
	tpl_set(v, "urgency", web_referral_label(req, r.urgency));
	web_set_when(req, v, "due", r.due_at, true);
	if (*r.due_at)
		tpl_set(v, "due_relative", web_relative_day(req, r.due_at));
	tpl_set_bool(v, "overdue", r.overdue);
	if (*r.reason_code)
		tpl_set(v, "reason", web_referral_label(req, r.reason_code));
	if (*r.outcome)
		tpl_set(v, "outcome", web_referral_label(req, r.outcome));
	add_actions(req, v, &r);
	tpl_set(v, "version", num(req, r.version));
	struct list given = { req, tpl_set_list(v, "deliveries"), 0 };
	if ((rc = referral_delivery_list(env, req->arena, p, id, add_delivery, &given)))
		return rc;
	tpl_set_bool(v, "has_deliveries", given.n > 0);
	bool open = strcmp(r.state, "accepted") == 0 || strcmp(r.state, "in_service") == 0;
	tpl_set_bool(v, "may_deliver", r.recipient && open);
	if (r.recipient && open) {
		size_t n;
		const char *const *types = referral_delivery_types(&n);
		const char *typed = form ? http_form(req, "type") : NULL;
		tpl_list *tl = tpl_set_list(v, "delivery_types");
		for (size_t i = 0; i < n; i++) {
			tpl_vars *o = tpl_list_add(tl);
			tpl_set(o, "code", types[i]);
			tpl_set(o, "name", web_referral_label(req, types[i]));
			tpl_set_bool(o, "selected", typed && strcmp(typed, types[i]) == 0);
		}
		const char *on = form ? http_form(req, "delivered_on") : NULL;
		const char *note = form ? http_form(req, "note") : NULL;
		char today[11];
		i18n_today(today);
		tpl_set(v, "delivered_on", on ? on : arena_strdup(req->arena, today));
		tpl_set(v, "delivery_note", note ? note : "");
		/* The note's error beside the delivery form's note, not the actions' notes. */
		for (size_t i = 0; form && e && i < e->count; i++)
			if (strcmp(e->items[i].field, "note") == 0)
				tpl_set(v, "error_delivery_note",
					tr(req->lang, e->items[i].message));
	}
	struct list events = { req, tpl_set_list(v, "events"), 0 };
	if ((rc = referral_history(env, req->arena, p, id, add_event, &events)))
		return rc;
	/* The recipient's view of the case, once accepted. */
	referral_case_view cv;
	if (r.recipient && referral_case(env, req->arena, p, id, &cv) == 0) {
		tpl_set_bool(v, "view", true);
		/* Each with the vocabulary of its code: NULL for text, "country" for ISO codes. */
		const char *rows[][3] = {
			{ N_("First name"), cv.c.first_name, NULL },
			{ N_("Family name"), cv.c.second_name, NULL },
			{ N_("Birth date"), cv.c.birthdate, NULL },
			{ N_("Gender"), cv.c.gender, "case.gender" },
			{ N_("Citizenship"), cv.c.citizenship, "country" },
			{ N_("Language"), cv.c.primary_language, "language" },
			{ N_("Phone"), cv.c.mobile_phone, NULL },
			{ N_("Identity number"), cv.c.identity_number, NULL },
			{ N_("Victim status"), cv.c.trafficking_status, "case.trafficking_status" },
			{ N_("Type of exploitation"), cv.c.exploitation, "case.exploitation" },
		};
		tpl_list *l = tpl_set_list(v, "view_rows");
		for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
			const char *value = rows[i][1], *vocabulary = rows[i][2];
			if (!value || !*value)
				continue;
			tpl_vars *x = tpl_list_add(l);
			tpl_set(x, "name", tr(req->lang, rows[i][0]));
			if (vocabulary)
				tpl_set(x, "code", value);
			tpl_set(x, "value",
				!vocabulary ? value
				: strcmp(vocabulary, "country") == 0
				    ? country_labels(env->db, req->arena,
						     i18n_lang(req->lang)->code, value, ", ")
				    : vocab_labels(req->arena, req->lang, vocabulary, value, ", "));
		}
	}
	if (alert)
		tpl_set(v, "alert", tr(req->lang, alert));
	fill_errors(req, v, e);
	rc = web_render_page(req, res, "referral", N_("Referral"), v);
	if (!rc && (alert || (e && e->count)))
		http_refuse_page(res, e && e->count ? PONTE_EREJECTED : PONTE_ECONFLICT);
	return rc;
}

int web_referral(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? render_referral(req, res, id, NULL, NULL)
					  : PONTE_ENOTFOUND;
}

/* What an action on a referral did, said on its page next: the organisation it went to when
 * sent. */
static void flash_action(http_request *req, int64_t id, const char *action)
{
	static const struct {
		const char *action, *done;
	} DONE[] = {
		{ "send", N_("Referral sent to {org}.") },
		{ "accept", N_("Referral accepted: the case's shared data is below.") },
		{ "decline", N_("Referral declined: {org} is told why.") },
		{ "start", N_("Service started.") },
		{ "complete", N_("Referral completed: {org} is told the outcome.") },
		{ "discontinue", N_("Referral discontinued: {org} is told why.") },
		{ "withdraw", N_("Referral withdrawn: {org} can no longer see the case.") },
	};
	referral r;
	if (referral_get(&services_of(req)->env, req->arena, principal_of(req), id, &r))
		return;
	for (size_t i = 0; i < ARRAY_LEN(DONE); i++)
		if (strcmp(DONE[i].action, action) == 0) {
			/* The other side: the recipient for what the sender does, and back. */
			web_flash(req, DONE[i].done, "org", r.sender ? r.to_name : r.from_name,
				  NULL);
			return;
		}
}

/* do=deliver: the provider records a service given. */
static int referral_deliver(http_request *req, http_response *res, int64_t id)
{
	const char *on = http_form(req, "delivered_on"), *type = http_form(req, "type"),
		   *note = http_form(req, "note");
	field_errors e;
	int64_t did;
	int rc = referral_delivery_add(&services_of(req)->env, principal_of(req), id,
				       web_form_id(req, "version"), on, type, note, &did, &e);
	if (rc == PONTE_EINVAL)
		return render_referral_form(req, res, id, &e, NULL, true);
	if (rc == PONTE_ECONFLICT)
		return render_referral_form(req, res, id, NULL,
					    N_("The referral changed meanwhile (someone acted on "
					       "it): nothing was recorded. "
					       "Check it, then record the service again."),
					    true);
	if (rc)
		return rc;
	web_flash(req, N_("Recorded: {type} on {date}."), "type", web_referral_label(req, type),
		  "date", web_date(req, on), NULL);
	return http_redirect(req, res,
			     arena_printf(req->arena, "/referrals/%lld#deliveries", (long long)id));
}

/* The referral's page: each action is a form with do=<action>; do=deliver records a service
 * given. */
int web_referral_act(http_request *req, http_response *res)
{
	int64_t id;
	const char *action = web_form_do(req);
	if (!http_param_id(req, 0, &id) || !*action)
		return PONTE_ENOTFOUND;
	if (strcmp(action, "deliver") == 0)
		return referral_deliver(req, res, id);
	const char *code = http_form(req, "code"), *note = http_form(req, "note");
	/* Ending a referral early asks first, once what it needs is given (a reason). */
	bool withdraw = strcmp(action, "withdraw") == 0,
	     discontinue = strcmp(action, "discontinue") == 0 && code && *code,
	     decline = strcmp(action, "decline") == 0 && code && *code;
	if ((withdraw || discontinue || decline) && !web_confirmed(req)) {
		referral r;
		int grc =
		    referral_get(&services_of(req)->env, req->arena, principal_of(req), id, &r);
		if (grc)
			return grc;
		const char *rid = num(req, id),
			   *back = arena_printf(req->arena, "/referrals/%s", rid);
		if (decline)
			return web_confirm(
			    req, res, NULL, N_("Decline this referral?"),
			    web_fill(
				req,
				N_("This declines referral {id}: {org} is told, with the reason "
				   "chosen, and your organisation can no longer accept it."),
				"id", rid, "org", r.from_name, NULL),
			    N_("Decline the referral"), back);
		return withdraw ? web_confirm(
				      req, res, NULL, N_("Withdraw this referral?"),
				      web_fill(req,
					       N_("This withdraws referral {id}: {org} can no "
						  "longer see the case, and the referral cannot be "
						  "sent again."),
					       "id", rid, "org", r.to_name, NULL),
				      N_("Withdraw the referral"), back)
				: web_confirm(
				      req, res, NULL, N_("Discontinue this referral?"),
				      web_fill(req,
					       N_("This ends referral {id} before its service is "
						  "complete: {org} is told, with the reason "
						  "chosen, and the referral cannot be resumed."),
					       "id", rid, "org", r.from_name, NULL),
				      N_("Discontinue the referral"), back);
	}
	field_errors e;
	int rc = referral_act(&services_of(req)->env, principal_of(req), id, action,
			      code && *code ? code : NULL, note, &e);
	if (rc == PONTE_EINVAL)
		return render_referral(req, res, id, &e, NULL);
	if (rc == PONTE_ECONFLICT)
		return render_referral(req, res, id, NULL,
				       N_("This cannot be done in the referral's current state: "
					  "someone may have acted on it meanwhile."));
	if (rc)
		return rc;
	flash_action(req, id, action);
	return http_redirect(req, res, arena_printf(req->arena, "/referrals/%lld", (long long)id));
}
