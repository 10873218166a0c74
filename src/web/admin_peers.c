/* /admin/peers: this instance's identity to send, the peers registered by fingerprint, their
 * revocation, and the outbox with each message's state and last error. */
#include "base/clock.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "services/services.h"
#include "trm/trm.h"
#include "web/web.h"

struct rows {
	http_request *req;
	tpl_list *l;
	const char *csrf;
};

static int add_peer(const trm_peer *p, void *ctx)
{
	struct rows *x = ctx;
	tpl_vars *v = tpl_list_add(x->l);
	tpl_set(v, "instance_id", p->instance_id);
	tpl_set(v, "name", p->name);
	tpl_set(v, "country", p->country);
	tpl_set(v, "country_name",
		country_label(services_of(x->req)->db, x->req->arena, i18n_lang(x->req->lang)->code,
			      p->country));
	tpl_set(v, "url", p->url);
	tpl_set(v, "fingerprint", p->fingerprint);
	tpl_set_bool(v, "active", strcmp(p->state, "active") == 0);
	tpl_set(v, "csrf", x->csrf);
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
	tpl_set(v, "created", arena_strndup(x->req->arena, r->created_at, 16));
	tpl_set(v, "peer", r->peer);
	tpl_set(v, "type", r->type);
	tpl_set(v, "state", r->state);
	tpl_set(v, "state_name", vocab_label(x->req->lang, "outbox.state", r->state));
	tpl_set(v, "attempts", arena_printf(x->req->arena, "%lld", (long long)r->attempts));
	tpl_set(v, "next", arena_strndup(x->req->arena, r->next_attempt_at, 16));
	tpl_set(v, "error", r->last_error);
	return 0;
}

static int render(http_request *req, http_response *res, const char *error, int status)
{
	const identity_env *env = &services_of(req)->env;
	const principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	tpl_set(v, "csrf", p->csrf);
	if (error)
		tpl_set(v, "error", error);
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
		buf_release(&json);
	}
	struct rows peers = { req, tpl_set_list(v, "peers"), p->csrf };
	if (!rc)
		rc = trm_peer_list(env->db, req->arena, add_peer, &peers);
	struct rows outbox = { req, tpl_set_list(v, "outbox"), p->csrf };
	if (!rc)
		rc = trm_outbox_list(env->db, req->arena, add_message, &outbox);
	if (!rc)
		rc = web_render_page(req, res, "admin_peers", N_("Peer instances"), v);
	if (!rc && status)
		res->status = status;
	return rc;
}

int web_admin_peers(http_request *req, http_response *res)
{
	return render(req, res, NULL, 0);
}

int web_admin_peer_add(http_request *req, http_response *res)
{
	const char *json = http_form(req, "identity"), *fp = http_form(req, "fingerprint");
	int64_t id;
	const char *why = NULL;
	int rc = trm_peer_add(services_of(req)->db, json ? json : "", json ? strlen(json) : 0, fp,
			      &id, &why);
	if (rc == PONTE_EINVAL)
		return render(req, res, tr(req->lang, why), 422);
	if (rc == PONTE_EEXIST)
		return render(req, res, tr(req->lang, N_("This instance is registered already.")),
			      409);
	if (rc)
		return rc;
	principal_audit(services_of(req)->db, principal_of(req), "trm.peer_added", "peer", id,
			"success", false);
	web_flash(req, N_("Peer instance registered: referrals can now be exchanged with it."),
		  NULL);
	return http_redirect(req, res, "/admin/peers");
}

int web_admin_peer_revoke(http_request *req, http_response *res)
{
	int rc =
	    trm_peer_revoke(services_of(req)->db,
			    http_form(req, "instance_id") ? http_form(req, "instance_id") : "");
	if (rc)
		return rc;
	principal_audit(services_of(req)->db, principal_of(req), "trm.peer_revoked", "", 0,
			"success", false);
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
