/* Transnational referral pages: the wizard from a case (country, receiving instance, consent,
 * a preview of exactly what leaves the country, send) and the list of referrals sent and
 * received, where the inbound role accepts or declines. */
#include "trm/trm.h"
#include "base/clock.h"
#include "base/json_parse.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
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
	tpl_set(v, "categories", c->categories);
	tpl_set(v, "basis", c->legal_basis);
	tpl_set(v, "given_on", c->given_on);
	tpl_set(v, "url",
		arena_printf(x->req->arena, "%s&consent=%lld", x->base, (long long)c->id));
	tpl_set_bool(v, "current", x->selected == c->id);
	return 0;
}

/* Every field of an object of the payload, "name: value", arrays joined. */
static void add_fields(http_request *req, tpl_list *l, const json_value *obj, const char *group)
{
	for (size_t i = 0; obj && obj->type == JSON_OBJECT && i < obj->length; i++) {
		const json_value *v = obj->items[i];
		const char *text = "";
		if (v->type == JSON_STRING)
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
		tpl_set(x, "group", group);
		tpl_set(x, "name", obj->keys[i]);
		tpl_set(x, "value", text);
	}
}

static int wizard(http_request *req, http_response *res, int64_t id, const char *error)
{
	const identity_env *env = &services_of(req)->env;
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
			tpl_set(v, "error", why);
		else if (prc)
			rc = prc;
		json_value *doc;
		char err[64];
		if (!rc && json &&
		    !json_parse(req->arena, json, strlen(json), &doc, err, sizeof(err))) {
			tpl_list *l = tpl_set_list(v, "fields");
			add_fields(req, l, json_get(doc, "person"), "person");
			add_fields(req, l, json_get(doc, "victim"), "victim");
			tpl_set(v, "basis", json_get_string(doc, "legal_basis"));
			tpl_set(v, "peer", peer);
			tpl_set(v, "consent", consent_q);
			tpl_set_bool(v, "can_send", true);
		}
	}
	if (!rc)
		rc = web_render_page(req, res, "trm_wizard", N_("Refer to another country"), v);
	if (!rc && error)
		res->status = 422;
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
	return rc ? rc : http_redirect(req, res, "/trm");
}

struct rows {
	http_request *req;
	tpl_list *in, *out;
	const char *csrf;
	size_t nin, nout;
};

static int add_referral(const trm_referral *r, void *ctx)
{
	struct rows *x = ctx;
	http_request *req = x->req;
	bool out = strcmp(r->direction, "out") == 0;
	tpl_vars *v = tpl_list_add(out ? x->out : x->in);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)r->id));
	tpl_set(v, "peer", r->peer_name);
	tpl_set(v, "country", r->peer_country);
	tpl_set(v, "state", r->state);
	tpl_set(v, "reason", r->reason);
	tpl_set(v, "basis", r->legal_basis);
	tpl_set(v, "updated", arena_strndup(req->arena, r->updated_at, 16));
	tpl_set(v, "csrf", x->csrf);
	if (out)
		tpl_set(v, "case_id", arena_printf(req->arena, "%lld", (long long)r->case_id));
	tpl_set_bool(v, "can_answer", !out && strcmp(r->state, "delivered") == 0);
	tpl_set_bool(v, "can_start", !out && strcmp(r->state, "accepted") == 0);
	tpl_set_bool(
	    v, "can_finish",
	    !out && (strcmp(r->state, "accepted") == 0 || strcmp(r->state, "in_service") == 0));
	tpl_set_bool(v, "can_withdraw",
		     out && (strcmp(r->state, "sent") == 0 || strcmp(r->state, "delivered") == 0 ||
			     strcmp(r->state, "accepted") == 0));
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
	struct rows r = {
		req, tpl_set_list(v, "received"), tpl_set_list(v, "sent"), p->csrf, 0, 0
	};
	int rc = trm_referral_list(&services_of(req)->env, req->arena, p, add_referral, &r);
	tpl_set_bool(v, "receiver", trm_receives(services_of(req)->db, p));
	tpl_set_bool(v, "has_received", r.nin > 0);
	tpl_set_bool(v, "has_sent", r.nout > 0);
	return rc ? rc : web_render_page(req, res, "trm", N_("Referrals across borders"), v);
}

int web_trm_action(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id) || req->nparams < 2)
		return PONTE_ENOTFOUND;
	const char *action = req->params[1], *reason = http_form(req, "reason");
	const identity_env *env = &services_of(req)->env;
	int rc;
	if (strcmp(action, "accept") == 0 || strcmp(action, "decline") == 0)
		rc = trm_answer(env, principal_of(req), id, strcmp(action, "accept") == 0,
				reason ? reason : "", clock_wall_ms());
	else if (strcmp(action, "withdraw") == 0)
		rc = trm_withdraw(env, principal_of(req), id, clock_wall_ms());
	else if (strcmp(action, "in_service") == 0 || strcmp(action, "completed") == 0 ||
		 strcmp(action, "discontinued") == 0)
		rc = trm_update(env, principal_of(req), id, action, reason ? reason : "",
				clock_wall_ms());
	else
		return PONTE_ENOTFOUND;
	if (rc == PONTE_ECONFLICT)
		rc = 0; /* decided already: the list shows how */
	return rc ? rc : http_redirect(req, res, "/trm");
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
	tpl_set(v, "at", arena_strndup(x->req->arena, at, 19));
	tpl_set_bool(v, "sent", strcmp(direction, "sent") == 0);
	tpl_set(v, "type", type);
	tpl_set(v, "state", state);
	return 0;
}

int web_trm_referral(http_request *req, http_response *res)
{
	int64_t id;
	if (!http_param_id(req, 0, &id))
		return PONTE_ENOTFOUND;
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "id", arena_printf(req->arena, "%lld", (long long)id));
	struct thread t = { req, tpl_set_list(v, "messages") };
	int rc =
	    trm_thread(&services_of(req)->env, req->arena, principal_of(req), id, add_message, &t);
	return rc ? rc
		  : web_render_page(req, res, "trm_referral", N_("Referral across borders"), v);
}
