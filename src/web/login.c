/* Signing in and out in the browser. */
#include "audit/audit.h"
#include "base/urlcode.h"
#include "i18n/i18n.h"
#include "identity/auth.h"
#include "services/services.h"
#include "web/web.h"

/* Only local paths: an open redirect would let a phishing link borrow our login page. */
static const char *safe_next(const char *next)
{
	return url_is_local_path(next) ? next : "/";
}

static int render_form(http_request *req, http_response *res, const char *email, const char *error)
{
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "email", email ? email : "");
	tpl_set(
	    v, "next",
	    safe_next(http_query(req, "next") ? http_query(req, "next") : http_form(req, "next")));
	tpl_set(v, "error", error ? tr(req->lang, error) : NULL);
	return web_render_page(req, res, "login", N_("Sign in"), v);
}

int web_login_form(http_request *req, http_response *res)
{
	return render_form(req, res, NULL, NULL);
}

const char *web_session_cookie(http_request *req, const char *token)
{
	return arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
			    services_of(req)->session_cookie, token,
			    req->app->tls ? "; Secure" : "");
}

int web_login(http_request *req, http_response *res)
{
	services *svc = services_of(req);
	if (!req->resumed) {
		login_job *job = arena_alloc(req->arena, sizeof(*job));
		if (!job)
			return PONTE_ENOMEM;
		job->env = svc->env;
		job->in = (login_request){ .email = http_form(req, "email"),
					   .password = http_form(req, "password"),
					   .totp = http_form(req, "code"),
					   .client = req->client_addr,
					   .kind = AUTH_WEB };
		return http_defer(req, auth_login_job, job);
	}
	login_job *job = req->deferred_arg;
	if (job->rc == PONTE_ELIMIT) {
		http_refuse_page(res, PONTE_ETOOMANY);
		http_set_header(res, "Retry-After",
				arena_printf(req->arena, "%d", job->out.retry_after));
		int rc = render_form(req, res, job->in.email,
				     N_("Too many attempts. Please wait a moment and try again."));
		http_refuse_page(res, PONTE_ETOOMANY);
		return rc;
	}
	if (job->rc == PONTE_EDENIED) {
		const char *msg = job->out.second_factor_missing
				      ? N_("Enter the 6-digit code from your authenticator app, or "
					   "a recovery code.")
				      : N_("The e-mail address, password or code is not right.");
		int rc = render_form(req, res, job->in.email, msg);
		http_refuse_page(res, PONTE_EUNAUTH);
		return rc;
	}
	if (job->rc)
		return job->rc;
	/* A session the browser already had (possibly planted by someone else) ends here: the
	 * new session gets a new token. */
	if (principal_of(req))
		auth_logout(svc->db, principal_of(req)->session_id);
	http_set_header(res, "Set-Cookie", web_session_cookie(req, job->out.token));
	/* Signed in from the sign-in page itself (not sent there by a protected page): to the
	 * page of the user's work, which the roles of the new session decide. */
	const char *next = safe_next(http_form(req, "next"));
	if (strcmp(next, "/") == 0) {
		principal *p = arena_alloc(req->arena, sizeof(*p));
		if (p && auth_session(&svc->env, job->out.token, AUTH_WEB, 0, p) == 0 &&
		    !p->needs_2fa)
			next = web_start_path(p);
	}
	return http_redirect(req, res, next);
}

static int logout(http_request *req, http_response *res, bool everywhere)
{
	services *svc = services_of(req);
	principal *p = principal_of(req);
	int rc = everywhere ? auth_logout_everywhere(svc->db, p->user_id)
			    : auth_logout(svc->db, p->session_id);
	if (rc)
		return rc;
	web_audit_self(req, everywhere ? "logout.everywhere" : "logout");
	http_set_header(res, "Set-Cookie",
			arena_printf(req->arena,
				     "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
				     svc->session_cookie));
	return http_redirect(req, res, "/");
}

int web_logout(http_request *req, http_response *res)
{
	return logout(req, res, false);
}

int web_logout_everywhere(http_request *req, http_response *res)
{
	return logout(req, res, true);
}
