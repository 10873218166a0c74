/* /admin/peers: this instance's identity to send; the peers registered by fingerprint with how
 * the exchange with each stands (last contact, messages stuck, the age of its keys); a peer
 * added from its address (its identity fetched, its fingerprint read over the phone and typed
 * by the administrator), its trust renewed the same way or revoked after a confirmation, its
 * stuck messages tried again; and the outbox with each message's state and last error.
 *
 * Every form posts to /admin/peers with do= (fetch, register, renew, retry); revoking posts to
 * /admin/peers/revoke with confirm=yes, asked for on /admin/peers?revoke=ID first. */
#include "base/clock.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf;
	const char *revoke; /* the instance asked about (?revoke=), or NULL */
	tpl_vars *page;
};

static const char *when(http_request *req, const char *stored)
{
	return *stored ? i18n_datetime(req->arena, req->lang, stored) : tr(req->lang, N_("never"));
}

static int add_peer(const trm_peer_status *s, void *ctx)
{
	struct rows *x = ctx;
	http_request *req = x->req;
	const trm_peer *p = &s->peer;
	tpl_vars *v = tpl_list_add(x->l);
	const char *country =
	    country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code, p->country);
	tpl_set(v, "instance_id", p->instance_id);
	tpl_set(v, "name", p->name);
	tpl_set(v, "country", p->country);
	tpl_set(v, "country_name", country);
	tpl_set(v, "url", p->url);
	tpl_set(v, "fingerprint", p->fingerprint);
	bool active = strcmp(p->state, "active") == 0;
	tpl_set_bool(v, "active", active);
	tpl_set(v, "csrf", x->csrf);
	const char *keys = *p->keys_at ? p->keys_at : p->added_at;
	tpl_set(v, "keys_since", i18n_date(req->arena, req->lang, keys));
	tpl_set(v, "keys_age", i18n_relative_day(req->arena, req->lang, keys, clock_wall_ms()));
	tpl_set(v, "last_received", when(req, s->last_received));
	tpl_set(v, "last_delivered", when(req, s->last_delivered));
	tpl_set(v, "queued", i18n_number(req->arena, req->lang, s->queued));
	tpl_set(v, "retrying", i18n_number(req->arena, req->lang, s->retrying));
	tpl_set(v, "failed", i18n_number(req->arena, req->lang, s->failed));
	tpl_set_bool(v, "stuck", s->retrying + s->failed > 0);
	tpl_set_bool(v, "can_retry", active && s->retrying + s->failed > 0);
	if (x->revoke && active && strcmp(x->revoke, p->instance_id) == 0) {
		tpl_set(x->page, "revoke_id", p->instance_id);
		tpl_set(x->page, "revoke_name", p->name);
		tpl_set(x->page, "revoke_country", country);
		tpl_set(x->page, "revoke_stuck",
			i18n_number(req->arena, req->lang, s->queued + s->retrying));
	}
	return 0;
}

/* Where a message to a peer stands. */
static const vocab_term OUTBOX_STATES[] = {
	{ "pending", N_("to be sent") },
	{ "delivered", N_("delivered") },
	{ "failed", N_("not delivered") },
};
VOCABULARY(outbox_states, "outbox.state", OUTBOX_STATES);

static int add_message(const trm_outbox_row *r, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	web_set_when(x->req, v, "created", r->created_at, true);
	tpl_set(v, "peer", r->peer);
	tpl_set(v, "type", r->type);
	tpl_set(v, "state", r->state);
	tpl_set(v, "state_name", vocab_label(x->req->lang, "outbox.state", r->state));
	tpl_set(v, "attempts", arena_printf(x->req->arena, "%lld", (long long)r->attempts));
	web_set_when(x->req, v, "next", r->next_attempt_at, true);
	tpl_set(v, "error", r->last_error);
	return 0;
}

/* A peer's identity fetched from its address, to confirm: shown with its fingerprint, carried
 * in the form (the fingerprint typed is checked against its keys when it comes back). */
struct fetched {
	const char *json, *url;
	trm_peer peer;
	bool known, same_keys, revoked;
};

static int render(http_request *req, http_response *res, const char *error, int refusal,
		  const struct fetched *f, const char *typed_url)
{
	const keyed_store *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "csrf", p->csrf);
	if (error)
		tpl_set(v, "error", error);
	if (typed_url)
		tpl_set(v, "typed_url", typed_url);
	const char *retried = http_query(req, "retried");
	if (retried && strspn(retried, "0123456789") == strlen(retried) && strlen(retried) < 6)
		tpl_set(v, "retried",
			i18n_number(req->arena, req->lang, (int64_t)strtoul(retried, NULL, 10)));
	if (f) {
		tpl_set(v, "fetched_json", f->json);
		tpl_set(v, "fetched_name", f->peer.name);
		tpl_set(v, "fetched_country",
			country_label(services_of(req)->db, req->arena, i18n_lang(req->lang)->code,
				      f->peer.country));
		tpl_set(v, "fetched_url", f->peer.url);
		tpl_set(v, "fetched_fingerprint", f->peer.fingerprint);
		tpl_set_bool(v, "fetched_known", f->known);
		tpl_set_bool(v, "fetched_same", f->known && f->same_keys && !f->revoked);
	}
	trm_self self;
	int rc = trm_identity_ensure(env);
	if (!rc)
		rc = trm_identity_get(env, req->arena, &self);
	if (!rc) {
		buf json;
		buf_init(&json, 4096);
		rc = trm_identity_json(&self, &json);
		tpl_set(v, "identity", arena_strdup(req->arena, json.data ? json.data : ""));
		tpl_set(v, "fingerprint", self.fingerprint);
		/* Peers refuse an identity without an address they may deliver to. */
		tpl_set_bool(v, "no_address", !self.url || !*self.url);
		buf_release(&json);
	}
	const char *revoke = http_query(req, "revoke");
	struct rows peers = { req, tpl_set_list(v, "peers"), p->csrf,
			      revoke && trm_uuid_valid(revoke) ? revoke : NULL, v };
	if (!rc)
		rc = trm_peer_status_list(env->db, req->arena, add_peer, &peers);
	struct rows outbox = { req, tpl_set_list(v, "outbox"), p->csrf, NULL, v };
	if (!rc)
		rc = trm_outbox_list(env->db, req->arena, add_message, &outbox);
	if (!rc)
		rc = web_render_page(req, res, "admin_peers", N_("Peer instances"), v);
	if (!rc && refusal)
		http_refuse_page(res, refusal);
	return rc;
}

int web_admin_peers(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0, NULL, NULL);
}

/* Fetching a peer's identity waits for the network: off the request thread (http_defer). */
typedef struct fetch_job {
	store *db;
	arena *a;
	const char *url;
	const char *json;
	trm_peer peer;
	const char *why;
	int rc;
} fetch_job;

static void fetch_work(void *arg)
{
	fetch_job *j = arg;
	j->rc = trm_identity_fetch(j->db, j->a, j->url, &j->json, &j->peer, &j->why);
}

static int fetch(http_request *req, http_response *res)
{
	store *db = services_of(req)->db;
	if (!req->resumed) {
		fetch_job *j = arena_alloc(req->arena, sizeof(*j));
		if (!j)
			return PONTE_ENOMEM;
		*j = (fetch_job){ .db = db, .a = req->arena, .url = http_form(req, "url") };
		if (!j->url || !*j->url)
			return render(req, res,
				      tr(req->lang, N_("Give the address of the other instance.")),
				      PONTE_EREJECTED, NULL, NULL);
		return http_defer(req, fetch_work, j);
	}
	fetch_job *j = req->deferred_arg;
	if (j->rc == PONTE_EINVAL)
		return render(req, res, tr(req->lang, j->why), PONTE_EREJECTED, NULL, j->url);
	if (j->rc)
		return j->rc;
	struct fetched f = { .json = j->json, .url = j->url, .peer = j->peer };
	trm_peer known;
	if (trm_peer_find(db, req->arena, j->peer.instance_id, &known) == 0) {
		f.known = true;
		f.same_keys = strcmp(known.fingerprint, j->peer.fingerprint) == 0;
		f.revoked = strcmp(known.state, "active") != 0;
	}
	return render(req, res, NULL, 0, &f, j->url);
}

/* Register (do=register, or a form without do=) or renew (do=renew) from an identity and the
 * fingerprint read over the phone. */
static int register_peer(http_request *req, http_response *res, bool renew)
{
	const char *json = http_form(req, "identity"), *fp = http_form(req, "fingerprint");
	int64_t id = 0;
	const char *why = NULL;
	store *db = services_of(req)->db;
	int rc = renew
		     ? trm_peer_renew(db, json ? json : "", json ? strlen(json) : 0, fp, &id, &why)
		     : trm_peer_add(db, json ? json : "", json ? strlen(json) : 0, fp, &id, &why);
	if (rc == PONTE_EINVAL) {
		/* Refused: audited too (a misread fingerprint may be a tampered identity). */
		principal_audit(db, principal_of(req),
				renew ? "trm.peer_renewed" : "trm.peer_added", "peer", 0, "failure",
				false);
		return render(req, res, tr(req->lang, why), PONTE_EREJECTED, NULL, NULL);
	}
	if (rc == PONTE_EEXIST)
		return render(req, res,
			      tr(req->lang, N_("This instance is registered already: check its "
					       "identity from the list to renew the trust in it.")),
			      PONTE_ECONFLICT, NULL, NULL);
	if (rc)
		return rc;
	principal_audit(db, principal_of(req), renew ? "trm.peer_renewed" : "trm.peer_added",
			"peer", id, "success", false);
	web_flash(req,
		  renew ? N_("Trust renewed: its new keys are the ones registered now.")
			: N_("Peer instance registered: referrals can now be exchanged with it."),
		  NULL);
	return http_redirect(req, res, "/admin/peers");
}

static int retry(http_request *req, http_response *res)
{
	const char *instance = http_form(req, "instance_id");
	if (!instance || !trm_uuid_valid(instance))
		return PONTE_ENOTFOUND;
	int64_t n = 0;
	store *db = services_of(req)->db;
	int rc = trm_outbox_retry(db, instance, clock_wall_ms(), &n);
	if (rc == PONTE_ECONFLICT)
		return render(req, res,
			      tr(req->lang, N_("This peer is revoked: nothing is sent to it. Renew "
					       "the trust in it first.")),
			      PONTE_ECONFLICT, NULL, NULL);
	if (rc)
		return rc;
	trm_peer p;
	if (trm_peer_find(db, req->arena, instance, &p) == 0)
		principal_audit(db, principal_of(req), "trm.outbox_retried", "peer", p.id,
				"success", false);
	trm_sender_poke();
	return http_redirect(req, res,
			     arena_printf(req->arena, "/admin/peers?retried=%lld", (long long)n));
}

int web_admin_peer_add(http_request *req, http_response *res)
{
	const char *action = http_form(req, "do");
	if (!action || !strcmp(action, "register"))
		return register_peer(req, res, false);
	if (!strcmp(action, "renew"))
		return register_peer(req, res, true);
	if (!strcmp(action, "fetch"))
		return fetch(req, res);
	if (!strcmp(action, "retry"))
		return retry(req, res);
	return PONTE_ENOTFOUND;
}

/* Revoking needs confirm=yes, which only the confirmation on /admin/peers?revoke=ID sends. */
int web_admin_peer_revoke(http_request *req, http_response *res)
{
	const char *instance = http_form(req, "instance_id");
	if (!instance || !trm_uuid_valid(instance))
		return http_redirect(req, res, "/admin/peers");
	const char *confirm = http_form(req, "confirm");
	if (!confirm || strcmp(confirm, "yes") != 0)
		return http_redirect(
		    req, res, arena_printf(req->arena, "/admin/peers?revoke=%s#confirm", instance));
	store *db = services_of(req)->db;
	int rc = trm_peer_revoke(db, instance);
	if (rc == PONTE_ENOTFOUND)
		return http_redirect(req, res, "/admin/peers"); /* unknown, or revoked already */
	if (rc)
		return rc;
	trm_peer p;
	if (trm_peer_find(db, req->arena, instance, &p) == 0)
		principal_audit(db, principal_of(req), "trm.peer_revoked", "peer", p.id, "success",
				false);
	web_flash(req, N_("Peer instance revoked: nothing more is sent to it or accepted from it."),
		  NULL);
	return http_redirect(req, res, "/admin/peers");
}

/* New keys for this instance; the peers are told with the old key (src/trm/keys.c). */
int web_admin_keys_rotate(http_request *req, http_response *res)
{
	int rc = trm_keys_rotate(&services_of(req)->env, clock_wall_ms());
	if (rc)
		return rc;
	principal_audit(services_of(req)->db, principal_of(req), "trm.keys_rotated", "", 0,
			"success", false);
	web_flash(req, N_("New keys made: the peer instances are being told."), NULL);
	return http_redirect(req, res, "/admin/peers");
}
