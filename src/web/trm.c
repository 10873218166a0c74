/* Transnational referral pages: the wizard from a case (country, receiving instance, consent,
 * a preview of exactly what leaves the country, send) and the list of referrals sent and
 * received, where the inbound role accepts or declines. */
#include "trm/trm.h"
#include "base/clock.h"
#include "base/json_parse.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/referral.h"
#include "services/services.h"
#include "web/web.h"

struct peers {
	http_request *req;
	tpl_list *l;
	const char *country, *case_id, *selected;
	char seen[64][3];
	size_t nseen;
};

/* Countries with an active peer, once each. */
static int add_country(const trm_peer *p, void *ctx)
{
	struct peers *x = ctx;
	if (strcmp(p->state, "active") != 0)
		return 0;
	for (size_t i = 0; i < x->nseen; i++)
		if (strcmp(x->seen[i], p->country) == 0)
			return 0;
	if (x->nseen < 64)
		snprintf(x->seen[x->nseen++], 3, "%s", p->country);
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "code", p->country);
	tpl_set(v, "url",
		arena_printf(x->req->arena, "/cases/%s/transnational?country=%s", x->case_id,
			     p->country));
	tpl_set_bool(v, "current", x->country && strcmp(x->country, p->country) == 0);
	return 0;
}

static int add_peer(const trm_peer *p, void *ctx)
{
	struct peers *x = ctx;
	if (strcmp(p->state, "active") != 0 || !x->country || strcmp(p->country, x->country) != 0)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "name", p->name);
	tpl_set(v, "fingerprint", p->fingerprint);
	tpl_set(v, "url",
		arena_printf(x->req->arena, "/cases/%s/transnational?country=%s&peer=%s",
			     x->case_id, p->country, p->instance_id));
	tpl_set_bool(v, "current", x->selected && strcmp(x->selected, p->instance_id) == 0);
	return 0;
}

struct consents {
	http_request *req;
	tpl_list *l;
	const char *base;
	int64_t selected;
};

static int add_consent(const consent *c, void *ctx)
{
	struct consents *x = ctx;
	if (strcmp(c->purpose, "transnational_referral") != 0 ||
	    (c->withdrawn_on && *c->withdrawn_on))
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "categories",
		vocab_labels(x->req->arena, x->req->lang, "referral", c->categories, ", "));
	tpl_set(v, "basis", web_referral_label(x->req, c->legal_basis));
	web_set_when(x->req, v, "given_on", c->given_on, false);
	tpl_set(v, "url",
		arena_printf(x->req->arena, "%s&consent=%lld", x->base, (long long)c->id));
	tpl_set_bool(v, "current", x->selected == c->id);
	return 0;
}

/* Every field of an object of the payload, "name: value", arrays joined. */
/* The members of the person and victim an offer carries: what they are called, and the
 * vocabulary of their codes (NULL: text; "country": ISO countries). */
static const struct {
	const char *name, *label, *vocabulary;
} MEMBERS[] = {
	{ "prs_FirstName", N_("First name"), NULL },
	{ "prs_SecondName", N_("Family name"), NULL },
	{ "prs_Gender", N_("Gender"), "case.gender" },
	{ "prs_Birthdate", N_("Birth date"), NULL },
	{ "estimated_age", N_("Estimated age"), NULL },
	{ "prs_Citizenship", N_("Citizenship"), "country" },
	{ "prs_PrimaryLanguage", N_("Language"), "language" },
	{ "prs_MobilePhone", N_("Phone"), NULL },
	{ "prs_IdentityNumber", N_("Identity number"), NULL },
	{ "vic_TraffickingStatus", N_("Victim status"), "case.trafficking_status" },
	{ "vic_TypeOfExploitation", N_("Type of exploitation"), "case.exploitation" },
	{ "vic_MethodsOfControl", N_("Means of control"), "case.control" },
};

/* A member's value in words: its codes as their labels, countries by name. */
static const char *member_words(http_request *req, const char *vocabulary, const char *csv)
{
	return strcmp(vocabulary, "country") == 0
		   ? country_labels(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				    csv, ", ")
		   : vocab_labels(req->arena, req->lang, vocabulary, csv, ", ");
}

static void add_fields(http_request *req, tpl_list *l, const json_value *obj, const char *group)
{
	for (size_t i = 0; obj && obj->type == JSON_OBJECT && i < obj->length; i++) {
		const json_value *v = obj->items[i];
		const char *text = "";
		if (v->type == JSON_STRING || v->type == JSON_NUMBER)
			text = v->string;
		else if (v->type == JSON_ARRAY) {
			buf b;
			buf_init(&b, 4096);
			for (size_t k = 0; k < v->length; k++)
				if (v->items[k]->type == JSON_STRING)
					buf_printf(&b, "%s%s", k ? ", " : "", v->items[k]->string);
			text = arena_strdup(req->arena, b.data ? b.data : "");
			buf_release(&b);
		}
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "group",
			tr(req->lang, strcmp(group, "person") == 0 ? N_("Person") : N_("Victim")));
		tpl_set(x, "name", obj->keys[i]);
		tpl_set(x, "label", obj->keys[i]);
		tpl_set(x, "value", text);
		for (size_t m = 0; m < ARRAY_LEN(MEMBERS); m++)
			if (strcmp(MEMBERS[m].name, obj->keys[i]) == 0) {
				tpl_set(x, "label", tr(req->lang, MEMBERS[m].label));
				if (MEMBERS[m].vocabulary && v->type != JSON_NUMBER) {
					tpl_set(x, "code", text);
					/* lists come as "a, b": the codes without the spaces */
					char *csv = arena_strdup(req->arena, text), *o = csv;
					for (const char *c = text; *c; c++)
						if (*c != ' ')
							*o++ = *c;
					*o = '\0';
					tpl_set(x, "value",
						member_words(req, MEMBERS[m].vocabulary, csv));
				}
			}
	}
}

static int wizard(http_request *req, http_response *res, int64_t id, const char *error)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	case_record c;
	int rc = case_get(env, req->arena, p, id, &c);
	if (rc)
		return rc;
	const char *country = http_query(req, "country"), *peer = http_query(req, "peer"),
		   *consent_q = http_query(req, "consent");
	char *end = NULL;
	int64_t consent_id = consent_q ? strtoll(consent_q, &end, 10) : 0;
	if (consent_q && (!*consent_q || *end))
		consent_id = 0;
	tpl_vars *v = tpl_vars_new(req->arena);
	const char *cid = arena_printf(req->arena, "%lld", (long long)id);
	tpl_set(v, "case_id", cid);
	tpl_set(v, "csrf", p->csrf);
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	struct peers countries = { req, tpl_set_list(v, "countries"), country, cid, peer, { { 0 } },
				   0 };
	rc = trm_peer_list(env->db, req->arena, add_country, &countries);
	struct peers peers = { req, tpl_set_list(v, "peers"), country, cid, peer, { { 0 } }, 0 };
	if (!rc && country)
		rc = trm_peer_list(env->db, req->arena, add_peer, &peers);
	tpl_set_bool(v, "has_country", country != NULL);
	tpl_set_bool(v, "has_peer", peer != NULL);
	if (!rc && peer) {
		struct consents k = { req, tpl_set_list(v, "consents"),
				      arena_printf(req->arena,
						   "/cases/%s/transnational?country=%s&peer=%s",
						   cid, country ? country : "", peer),
				      consent_id };
		rc = consent_list(env, req->arena, p, id, add_consent, &k);
	}
	if (!rc && peer && consent_id) {
		const char *json = NULL, *why = NULL;
		int prc = trm_offer_preview(env, req->arena, p, id, consent_id, &json, &why);
		if (prc == PONTE_EINVAL)
			tpl_set(v, "error", tr(req->lang, why));
		else if (prc)
			rc = prc;
		json_value *doc;
		char err[64];
		if (!rc && json &&
		    !json_parse(req->arena, json, strlen(json), &doc, err, sizeof(err))) {
			tpl_list *l = tpl_set_list(v, "fields");
			add_fields(req, l, json_get(doc, "person"), "person");
			add_fields(req, l, json_get(doc, "victim"), "victim");
			tpl_set(v, "basis",
				web_referral_label(req, json_get_string(doc, "legal_basis")));
			tpl_set(v, "peer", peer);
			tpl_set(v, "consent", consent_q);
			tpl_set_bool(v, "can_send", true);
		}
	}
	if (!rc)
		rc = web_render_page(req, res, "trm_wizard", N_("Refer to another country"), v);
	if (!rc && error)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

int web_case_transnational(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? wizard(req, res, id, NULL) : PONTE_ENOTFOUND;
}

int web_case_transnational_send(http_request *req, http_response *res)
{
	int64_t id, ref;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *consent_f = http_form(req, "consent");
	char *end = NULL;
	int64_t consent_id = consent_f ? strtoll(consent_f, &end, 10) : 0;
	const char *why = NULL;
	int rc = trm_offer(&services_of(req)->env, principal_of(req), id, http_form(req, "peer"),
			   consent_f && end && !*end ? consent_id : 0, clock_wall_ms(), &ref, &why);
	if (rc == PONTE_EINVAL || (rc == PONTE_ENOTFOUND && why))
		return wizard(req, res, id,
			      N_("The referral could not be sent: check the receiving "
				 "instance and the consent."));
	if (rc)
		return rc;
	trm_peer peer;
	if (trm_peer_find(services_of(req)->db, req->arena, http_form(req, "peer"), &peer) == 0)
		web_flash(req, N_("Referral sent to {peer}: it leaves with the next delivery."),
			  "peer", peer.name, NULL);
	return http_redirect(req, res, "/trm");
}

/* The reasons for declining, as codes with their words, for a select. */
static void decline_reasons(http_request *req, tpl_vars *v)
{
	size_t n;
	const char *const *codes = referral_codes("decline", &n);
	tpl_list *l = tpl_set_list(v, "reasons");
	for (size_t i = 0; i < n; i++) {
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "code", codes[i]);
		tpl_set(x, "label", web_referral_label(req, codes[i]));
	}
}

/* The categories offered ("identity,victim"), in words. */
static const char *categories_words(http_request *req, const char *csv)
{
	buf b;
	buf_init(&b, 1024);
	for (const char *s = csv; *s;) {
		size_t len = strcspn(s, ",");
		const char *code = arena_strndup(req->arena, s, len);
		buf_printf(&b, "%s%s", b.len ? ", " : "", web_referral_label(req, code));
		s += len + (s[len] == ',');
	}
	const char *out = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

/* A declined referral's reason is a code: in words. Feedback is the receiver's own text. */
static const char *reason_words(http_request *req, const trm_referral *r)
{
	return strcmp(r->state, "declined") == 0 && trm_decline_reason_valid(r->reason)
		   ? web_referral_label(req, r->reason)
		   : r->reason;
}

struct rows {
	http_request *req;
	tpl_list *in, *out;
	const char *csrf;
	size_t nin, nout;
	bool receiver;
};

static int add_referral(const trm_referral *r, void *ctx)
{
	struct rows *x = ctx;
	http_request *req = x->req;
	bool out = strcmp(r->direction, "out") == 0;
	tpl_vars *v = tpl_list_add(out ? x->out : x->in);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)r->id));
	tpl_set(v, "peer", r->peer_name);
	tpl_set(v, "country",
		country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
			      r->peer_country));
	tpl_set(v, "state", web_trm_label(req, r->state));
	tpl_set(v, "state_code", r->state);
	tpl_set(v, "reason", reason_words(req, r));
	tpl_set(v, "basis", web_referral_label(req, r->legal_basis));
	tpl_set(v, "categories", categories_words(req, r->categories));
	web_set_when(req, v, "updated", r->updated_at, true);
	if (!out && x->receiver && strcmp(r->state, "delivered") == 0)
		decline_reasons(req, v);
	tpl_set(v, "csrf", x->csrf);
	if (out && r->case_id)
		tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)r->case_id));
	if (out && r->parent_id) /* a hop forwarded from an offer received here */
		tpl_set(v, "parent_id", arena_printf(req->arena, "%lld", (long long)r->parent_id));
	/* The inbound role answers and follows; a provider follows once it has accepted (its
	 * answer is on the referral's page). */
	bool follows = !out && (x->receiver || strcmp(r->provider_state, "accepted") == 0);
	tpl_set_bool(v, "can_answer", !out && x->receiver && strcmp(r->state, "delivered") == 0);
	tpl_set_bool(v, "can_start", follows && strcmp(r->state, "accepted") == 0);
	tpl_set_bool(
	    v, "can_finish",
	    follows && (strcmp(r->state, "accepted") == 0 || strcmp(r->state, "in_service") == 0));
	tpl_set_bool(v, "can_withdraw",
		     out && r->case_id &&
			 (strcmp(r->state, "sent") == 0 || strcmp(r->state, "delivered") == 0 ||
			  strcmp(r->state, "accepted") == 0 || strcmp(r->state, "forwarded") == 0));
	json_value *doc;
	char err[64];
	if (!out && *r->payload &&
	    !json_parse(req->arena, r->payload, strlen(r->payload), &doc, err, sizeof(err))) {
		tpl_list *l = tpl_set_list(v, "fields");
		add_fields(req, l, json_get(doc, "person"), "person");
		add_fields(req, l, json_get(doc, "victim"), "victim");
	}
	if (out)
		x->nout++;
	else
		x->nin++;
	return 0;
}

int web_trm(http_request *req, http_response *res)
{
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	bool receiver = trm_receives(services_of(req)->db, p);
	struct rows r = {
		req, tpl_set_list(v, "received"), tpl_set_list(v, "sent"), p->csrf, 0, 0, receiver
	};
	int rc = trm_referral_list(&services_of(req)->env, req->arena, p, add_referral, &r);
	/* The inbound role, or a provider with referrals handed to it. */
	tpl_set_bool(v, "receiver", receiver || r.nin > 0);
	tpl_set_bool(v, "has_received", r.nin > 0);
	tpl_set_bool(v, "has_sent", r.nout > 0);
	return rc ? rc : web_render_page(req, res, "trm", N_("Referrals across borders"), v);
}

static int referral_page(http_request *req, http_response *res, int64_t id, const char *error,
			 const char *doc_type, const char *doc_field);

/* What an action on a referral across borders did, said on the next page. */
static void flash_action(http_request *req, const char *action)
{
	static const struct {
		const char *action, *done;
	} DONE[] = {
		{ "accept", N_("Referral accepted.") },
		{ "decline", N_("Referral declined: the sender is told why.") },
		{ "forward", N_("Referral forwarded to the next country.") },
		{ "assign", N_("Referral handed to the provider.") },
		{ "provider_accept", N_("Referral accepted.") },
		{ "provider_decline", N_("Referral declined: the sender is told why.") },
		{ "in_service", N_("Service started: the sender is told.") },
		{ "completed", N_("Referral completed: the sender is told.") },
		{ "discontinued", N_("Referral discontinued: the sender is told.") },
		{ "withdraw", N_("Referral withdrawn: the receiving side is asked to delete what "
				 "it received.") },
	};
	for (size_t i = 0; i < ARRAY_LEN(DONE); i++)
		if (strcmp(DONE[i].action, action) == 0) {
			web_flash(req, DONE[i].done, NULL);
			return;
		}
}

/* An action on a referral (accept, decline, forward, assign, provider_accept, in_service,
 * completed, withdraw...): a refusal answers with the referral's page, at its address. */
static int trm_action(http_request *req, http_response *res, int64_t id, const char *action)
{
	const char *from_page = http_form(req, "from");
	if (strcmp(action, "withdraw") == 0 && !web_confirmed(req))
		return web_confirm(
		    req, res, NULL, N_("Withdraw this referral across borders?"),
		    tr(req->lang,
		       N_("This withdraws the referral: the receiving country is asked to "
			  "delete what it received, and the referral cannot be sent "
			  "again.")),
		    N_("Withdraw the referral"),
		    from_page && strcmp(from_page, "page") == 0
			? arena_printf(req->arena, "/trm/%lld", (long long)id)
			: "/trm");
	const char *arg = http_form(req, "reason");
	if (strcmp(action, "forward") == 0)
		arg = http_form(req, "peer");
	else if (strcmp(action, "assign") == 0)
		arg = http_form(req, "organisation");
	const char *why = NULL;
	int rc = trm_act(&services_of(req)->env, principal_of(req), id, action, arg,
			 clock_wall_ms(), &why);
	if ((rc == PONTE_EINVAL || rc == PONTE_ECONFLICT) && why)
		return referral_page(req, res, id, why, NULL, NULL);
	if (rc == PONTE_ECONFLICT)
		rc = 0; /* decided already: the page shows how */
	else if (!rc)
		flash_action(req, action);
	const char *from = http_form(req, "from");
	return rc ? rc
		  : http_redirect(req, res,
				  from && strcmp(from, "page") == 0
				      ? arena_printf(req->arena, "/trm/%lld", (long long)id)
				      : "/trm");
}

static const char *form_value(void *ctx, const char *field)
{
	return http_form(ctx, field);
}

/* A document (type=...) sent along the route: fields refused answer with the referral's page,
 * what was typed kept. */
static int send_document(http_request *req, http_response *res, int64_t id)
{
	const char *type = http_form(req, "type");
	if (!type || !*type)
		return PONTE_EINVAL;
	const char *field = NULL, *why = NULL;
	int rc = trm_document_send(&services_of(req)->env, principal_of(req), id, type, form_value,
				   req, clock_wall_ms(), &field, &why);
	if ((rc == PONTE_EINVAL || rc == PONTE_ECONFLICT) && why)
		return referral_page(req, res, id, why, type, field);
	if (!rc)
		web_flash(req, N_("Document sent: {type}."), "type", web_trm_label(req, type),
			  NULL);
	return rc ? rc
		  : http_redirect(req, res, arena_printf(req->arena, "/trm/%lld", (long long)id));
}

/* Every form about a referral posts to its page, /trm/{id} (from the list too), told apart by
 * do=: do=document&type=... sends a document, any other do= is an action (trm_act() says
 * which exist and who may). */
int web_trm_change(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	const char *what = web_form_do(req);
	if (!*what)
		return PONTE_EINVAL;
	if (strcmp(what, "document") == 0)
		return send_document(req, res, id);
	return trm_action(req, res, id, what);
}

struct thread {
	http_request *req;
	tpl_list *l;
};

static int add_message(const char *at, const char *direction, const char *type, const char *state,
		       void *ctx)
{
	struct thread *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	web_set_when(x->req, v, "at", at, true);
	tpl_set_bool(v, "sent", strcmp(direction, "sent") == 0);
	tpl_set(v, "type", type);
	tpl_set(v, "state", web_trm_label(x->req, state));
	tpl_set(v, "state_code", state);
	return 0;
}

int web_trm_referral(http_request *req, http_response *res)
{
	int64_t id;
	return http_param_id(req, 0, &id) ? referral_page(req, res, id, NULL, NULL, NULL)
					  : PONTE_ENOTFOUND;
}

/* Labels of document types, their fields and codes (the wire keeps the names). */
static const vocab_term LABELS[] = {
	{ "return_handover", N_("Return handover") },
	{ "return_received", N_("Person received") },
	{ "tracing_request", N_("Family tracing request") },
	{ "tracing_result", N_("Family tracing result") },
	{ "return_preparation", N_("Return preparation") },
	{ "followup_report", N_("Reintegration follow-up report") },
	{ "departure_date", N_("Departure date") },
	{ "escort", N_("Escort") },
	{ "travel_documents", N_("Travel documents") },
	{ "needs", N_("Needs shared under the consent") },
	{ "received_on", N_("Received on") },
	{ "received_by", N_("Received by") },
	{ "notes", N_("Notes") },
	{ "family_members", N_("Family members sought") },
	{ "last_known_place", N_("Last known place") },
	{ "information", N_("What is known") },
	{ "outcome", N_("Outcome") },
	{ "family_willing", N_("Family willing to receive the child") },
	{ "assessment", N_("Family assessment") },
	{ "reception", N_("Reception arrangements") },
	{ "planned_on", N_("Planned return date") },
	{ "guardian", N_("Guardian or carer") },
	{ "visit_on", N_("Visit date") },
	{ "economic", N_("Economic (1-5)") },
	{ "social", N_("Social (1-5)") },
	{ "psychosocial", N_("Psychosocial (1-5)") },
	{ "summary", N_("Summary") },
	{ "ready", N_("ready") },
	{ "in_progress", N_("in progress") },
	{ "missing", N_("missing") },
	{ "found", N_("found") },
	{ "not_found", N_("not found") },
	{ "continuing", N_("continuing") },
	{ "yes", N_("yes") },
	{ "no", N_("no") },
	{ "unknown", N_("unknown") },
	/* the states of a referral across borders */
	{ "sent", N_("sent") },
	{ "delivered", N_("delivered") },
	{ "accepted", N_("accepted") },
	{ "declined", N_("declined") },
	{ "forwarded", N_("forwarded") },
	{ "in_service", N_("in service") },
	{ "completed", N_("completed") },
	{ "discontinued", N_("discontinued") },
	{ "withdrawn", N_("withdrawn") },
	{ "assigned", N_("handed to the provider") },
};
VOCABULARY(labels, "trm", LABELS);

static const char *label(http_request *req, const char *name)
{
	return vocab_label(req->lang, "trm", name);
}

const char *web_trm_label(http_request *req, const char *name)
{
	return label(req, name);
}

static int add_hop(const trm_hop *h, void *ctx)
{
	struct thread *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	const char *lang = i18n_lang(x->req->lang)->code;
	store *db = services_of(x->req)->db;
	tpl_set(v, "from", h->from);
	tpl_set(v, "from_country", country_label(db, x->req->arena, lang, h->from_country));
	tpl_set(v, "to", h->to);
	tpl_set(v, "to_country", country_label(db, x->req->arena, lang, h->to_country));
	tpl_set(v, "state", label(x->req, h->state));
	tpl_set(v, "state_code", h->state);
	web_set_when(x->req, v, "at", h->at, true);
	return 0;
}

static int add_document(const trm_document *d, void *ctx)
{
	struct thread *x = ctx;
	http_request *req = x->req;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "type", d->type);
	tpl_set(v, "label", label(req, d->type));
	tpl_set_bool(v, "sent", strcmp(d->direction, "sent") == 0);
	web_set_when(req, v, "at", d->created_at, true);
	json_value *doc;
	char err[64];
	tpl_list *l = tpl_set_list(v, "fields");
	if (!json_parse(req->arena, d->body, strlen(d->body), &doc, err, sizeof(err)) &&
	    doc->type == JSON_OBJECT)
		for (size_t i = 0; i < doc->length; i++)
			if (doc->items[i]->type == JSON_STRING) {
				tpl_vars *f = tpl_list_add(l);
				tpl_set(f, "name", label(req, doc->keys[i]));
				tpl_set(f, "value", label(req, doc->items[i]->string));
			}
	return 0;
}

/* The forms of the documents this side may send now; the one refused keeps what was typed. */
static void document_forms(http_request *req, tpl_vars *v, const trm_referral *r,
			   const char *doc_type, const char *doc_field, const char *why)
{
	size_t n;
	const trm_doc_type *types = trm_doc_types(&n);
	tpl_list *forms = tpl_set_list(v, "doc_forms");
	for (size_t i = 0; i < n; i++) {
		const trm_doc_type *t = &types[i];
		if (strcmp(t->side, r->direction) != 0 || !trm_listed(t->states, r->state))
			continue;
		bool again = doc_type && strcmp(doc_type, t->type) == 0;
		tpl_vars *f = tpl_list_add(forms);
		tpl_set(f, "type", t->type);
		tpl_set(f, "label", label(req, t->type));
		tpl_set(f, "id", arena_printf(req->arena, "%lld", (long long)r->id));
		tpl_set(f, "csrf", principal_of(req)->csrf);
		tpl_set_bool(f, "open", again);
		tpl_list *fields = tpl_set_list(f, "fields");
		for (size_t k = 0; k < TRM_DOC_FIELDS && t->fields[k].name; k++) {
			const trm_doc_field *d = &t->fields[k];
			tpl_vars *x = tpl_list_add(fields);
			const char *typed = again ? http_form(req, d->name) : NULL;
			tpl_set(x, "name", d->name);
			tpl_set(x, "form_id", arena_printf(req->arena, "%s-%s", t->type, d->name));
			tpl_set(x, "label", label(req, d->name));
			tpl_set(x, "value", typed ? typed : "");
			tpl_set(x, "max", arena_printf(req->arena, "%zu", d->max));
			tpl_set_bool(x, "required", d->required);
			tpl_set_bool(x, "date", d->kind == TRM_DOC_DATE);
			tpl_set_bool(x, "long", d->kind == TRM_DOC_TEXT && d->max > 200);
			tpl_set_bool(x, "short", d->kind == TRM_DOC_TEXT && d->max <= 200);
			if (again && doc_field && strcmp(doc_field, d->name) == 0)
				tpl_set(x, "error", tr(req->lang, why));
			if (d->kind != TRM_DOC_CODE)
				continue;
			tpl_list *codes = tpl_set_list(x, "codes");
			for (const char *s = d->codes; *s;) {
				size_t len = strcspn(s, ",");
				const char *code = arena_strndup(req->arena, s, len);
				tpl_vars *c = tpl_list_add(codes);
				tpl_set(c, "code", code);
				tpl_set(c, "label", label(req, code));
				tpl_set_bool(c, "selected", typed && strcmp(typed, code) == 0);
				s += len + (s[len] == ',');
			}
		}
	}
}

struct choices {
	http_request *req;
	tpl_list *l;
	const char *except, *country;
};

static int add_forward_peer(const trm_peer *p, void *ctx)
{
	struct choices *x = ctx;
	if (strcmp(p->state, "active") != 0 || strcmp(p->instance_id, x->except) == 0)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "value", p->instance_id);
	tpl_set(v, "label",
		arena_printf(x->req->arena, "%s (%s) · %s", p->name, p->country, p->fingerprint));
	return 0;
}

static int add_org(const organisation *o, void *ctx)
{
	struct choices *x = ctx;
	if (strcmp(o->country, x->country) != 0)
		return 0;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "value", o->code);
	tpl_set(v, "label", o->name);
	return 0;
}

static int referral_page(http_request *req, http_response *res, int64_t id, const char *error,
			 const char *doc_type, const char *doc_field)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	trm_referral r;
	int rc = trm_referral_get(env, req->arena, p, id, &r);
	if (rc)
		return rc;
	bool out = strcmp(r.direction, "out") == 0, receiver = trm_receives(env->db, p),
	     provides = !out && trm_provides(env->db, p, id),
	     follows = receiver || (provides && strcmp(r.provider_state, "accepted") == 0);
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	tpl_set(v, "csrf", p->csrf);
	if (error)
		tpl_set(v, "error", tr(req->lang, error));
	tpl_set_bool(v, "out", out);
	tpl_set(v, "peer", r.peer_name);
	tpl_set(v, "country",
		country_label(env->db, req->arena, i18n_lang(req->lang)->code, r.peer_country));
	tpl_set(v, "state", label(req, r.state));
	tpl_set(v, "state_code", r.state);
	tpl_set(v, "reason", reason_words(req, &r));
	decline_reasons(req, v);
	tpl_set(v, "basis", web_referral_label(req, r.legal_basis));
	tpl_set(v, "categories", categories_words(req, r.categories));
	tpl_set(v, "provider", r.provider);
	tpl_set(v, "provider_state", label(req, r.provider_state));
	if (r.case_id)
		tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)r.case_id));
	json_value *doc;
	char err[64];
	if (!out && *r.payload &&
	    !json_parse(req->arena, r.payload, strlen(r.payload), &doc, err, sizeof(err))) {
		tpl_list *l = tpl_set_list(v, "fields");
		add_fields(req, l, json_get(doc, "person"), "person");
		add_fields(req, l, json_get(doc, "victim"), "victim");
		const json_value *child = json_get(doc, "child");
		tpl_set_bool(v, "child", child && child->type == JSON_BOOL && child->boolean);
	}
	const char *s = r.state;
	tpl_set_bool(v, "can_answer", !out && receiver && strcmp(s, "delivered") == 0);
	tpl_set_bool(
	    v, "can_forward",
	    !out && receiver &&
		(!strcmp(s, "delivered") || !strcmp(s, "accepted") || !strcmp(s, "forwarded")));
	tpl_set_bool(v, "can_assign",
		     !out && receiver && strcmp(s, "accepted") == 0 &&
			 (!*r.provider_state || strcmp(r.provider_state, "declined") == 0));
	tpl_set_bool(v, "can_provider_answer",
		     provides && strcmp(r.provider_state, "assigned") == 0);
	tpl_set_bool(v, "can_start", !out && follows && strcmp(s, "accepted") == 0);
	tpl_set_bool(v, "can_finish",
		     !out && follows && (!strcmp(s, "accepted") || !strcmp(s, "in_service")));
	tpl_set_bool(v, "can_withdraw",
		     out && r.case_id && strcmp(s, "withdrawn") != 0 &&
			 principal_can(p, "referral.transnational"));
	struct choices peers = { req, tpl_set_list(v, "forward_peers"), r.peer_instance, "" };
	if (!rc && !out && receiver)
		rc = trm_peer_list(env->db, req->arena, add_forward_peer, &peers);
	struct choices orgs = { req, tpl_set_list(v, "organisations"), "", p->country };
	if (!rc && !out && receiver)
		rc = org_list(env->db, req->arena, i18n_lang(req->lang)->code, add_org, &orgs);
	struct thread hops = { req, tpl_set_list(v, "hops") };
	if (!rc)
		rc = trm_route(env, req->arena, p, id, add_hop, &hops);
	struct thread docs = { req, tpl_set_list(v, "documents") };
	if (!rc)
		rc = trm_documents_list(env, req->arena, p, id, add_document, &docs);
	if (!rc && (out ? principal_can(p, "referral.transnational") : follows))
		document_forms(req, v, &r, doc_type, doc_field, error);
	struct thread t = { req, tpl_set_list(v, "messages") };
	if (!rc)
		rc = trm_thread(env, req->arena, p, id, add_message, &t);
	if (!rc)
		rc = web_render_page(req, res, "trm_referral", N_("Referral across borders"), v);
	if (!rc && error)
		http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}
