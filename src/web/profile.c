/* The profile page of every user: language, password, two-factor authentication. */
#include <time.h>

#include "audit/audit.h"
#include "base/urlcode.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "identity/auth.h"
#include "services/services.h"
#include "web/web.h"

void web_audit_self(http_request *req, const char *action)
{
	const principal *p = principal_of(req);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)p->user_id);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = "user",
			  .object_id = id,
			  .outcome = "success",
			  .client = req->client_addr };
	audit_append(services_of(req)->db, &e);
}

static int add_session_vars(http_request *req, tpl_vars *v)
{
	const principal *p = principal_of(req);
	return tpl_set(v, "csrf", p ? p->csrf : "");
}

static int render_profile(http_request *req, http_response *res, const char *error)
{
	services *svc = services_of(req);
	principal *p = principal_of(req);
	user u;
	int rc = user_get(&svc->env, req->arena, p->user_id, &u);
	if (rc)
		return rc;
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	add_session_vars(req, v);
	tpl_set(v, "name", u.name);
	tpl_set(v, "email", u.email);
	tpl_set(v, "organisation", u.organisation_name);
	tpl_set(v, "country", u.country);
	tpl_set(v, "country_name",
		country_label(svc->db, req->arena, i18n_lang(req->lang)->code, u.country));
	tpl_set_bool(v, "totp_enabled", u.totp_enabled);
	tpl_set(v, "error", error ? tr(req->lang, error) : NULL);
	tpl_list *roles = tpl_set_list(v, "roles");
	for (size_t i = 0; i < u.nroles; i++) {
		tpl_vars *r = tpl_list_add(roles);
		tpl_set(r, "code", u.roles[i]);
		tpl_set(r, "role", vocab_label(req->lang, "role", u.roles[i]));
	}
	tpl_list *langs = tpl_set_list(v, "languages");
	for (int lang = 0; lang < i18n_lang_count(); lang++) {
		if (!i18n_lang_active(lang))
			continue; /* a pack withdrawn since */
		tpl_vars *item = tpl_list_add(langs);
		tpl_set(item, "code", i18n_lang(lang)->code);
		tpl_set(item, "name", i18n_lang(lang)->native_name);
		tpl_set_bool(item, "selected", strcmp(i18n_lang(lang)->code, u.language) == 0);
	}
	return web_render_page(req, res, "profile", N_("Your profile"), v);
}

int web_profile(http_request *req, http_response *res)
{
	return render_profile(req, res, NULL);
}

int web_profile_language(http_request *req, http_response *res)
{
	const char *lang = http_form(req, "language");
	if (!lang || user_set_language(services_of(req)->db, principal_of(req)->user_id, lang) != 0)
		return PONTE_EINVAL;
	web_audit_self(req, "user.language");
	/* Said in the language just chosen. */
	int chosen = i18n_lang_from_tag(lang, strlen(lang));
	if (chosen >= 0)
		req->lang = chosen;
	web_flash(req, N_("Your language has been saved."), NULL);
	/* From the header's language switch: back to the page the user was on. */
	const char *next = http_form(req, "next");
	return http_redirect(req, res, url_is_local_path(next) ? next : "/profile");
}

struct password_job {
	keyed_store env;
	int64_t user_id, session_id;
	const char *current, *fresh, *confirm;
	int problem;
	int rc;
};

static void password_work(void *arg)
{
	struct password_job *job = arg;
	job->rc = auth_change_password(job->env.db, job->user_id, job->session_id, job->current,
				       job->fresh, job->confirm, &job->problem);
}

static int profile_password(http_request *req, http_response *res)
{
	if (!req->resumed) {
		struct password_job *job = arena_alloc(req->arena, sizeof(*job));
		if (!job)
			return PONTE_ENOMEM;
		job->env = services_of(req)->env;
		job->user_id = principal_of(req)->user_id;
		job->session_id = principal_of(req)->session_id;
		job->current = http_form(req, "current");
		job->fresh = http_form(req, "new");
		job->confirm = http_form(req, "confirm");
		return http_defer(req, password_work, job);
	}
	struct password_job *job = req->deferred_arg;
	if (!job->rc) {
		web_audit_self(req, "user.password");
		web_flash(req,
			  N_("Your password has been changed. Your other sessions have been "
			     "signed out."),
			  NULL);
		return http_redirect(req, res, "/profile");
	}
	const char *error = job->rc == PONTE_EDENIED ? N_("Your current password is not right.")
			    : job->problem           ? user_problem_message(job->problem)
			    : job->rc == PONTE_EINVAL
				? N_("The new password and its confirmation are not the same.")
				: NULL;
	if (!error)
		return job->rc;
	int rc = render_profile(req, res, error);
	http_refuse_page(res, PONTE_EREJECTED);
	return rc;
}

/* The profile page's own forms: do=password changes the password (a refusal answers with the
 * page at /profile, which loads again). The language has its own address: it always
 * redirects back. */
int web_profile_change(http_request *req, http_response *res)
{
	if (strcmp(web_form_do(req), "password") == 0)
		return profile_password(req, res);
	return PONTE_EINVAL;
}

/* Two-factor enrolment: show the secret as a QR code, then confirm one code. */
static int render_2fa(http_request *req, http_response *res, const char *error)
{
	services *svc = services_of(req);
	principal *p = principal_of(req);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	add_session_vars(req, v);
	const char *secret;
	bool enabled;
	int rc = totp_state(&svc->env, req->arena, p->user_id, &secret, &enabled);
	if (!rc && !enabled)
		rc = totp_begin(&svc->env, req->arena, p->user_id, &secret);
	if (rc)
		return rc;
	tpl_set_bool(v, "enabled", enabled);
	tpl_set_bool(v, "required", p->needs_2fa);
	tpl_set(v, "error", error ? tr(req->lang, error) : NULL);
	if (!enabled) {
		user u;
		rc = user_get(&svc->env, req->arena, p->user_id, &u);
		if (rc)
			return rc;
		buf uri, svg;
		buf_init(&uri, 4096);
		buf_init(&svg, 1 << 20);
		buf_puts(&uri, "otpauth://totp/Ponte:");
		url_encode_component(&uri, u.email, strlen(u.email));
		buf_printf(&uri, "?secret=%s&issuer=Ponte", secret);
		rc =
		    web_qr_svg(&svg, uri.data, tr(req->lang, "QR code for your authenticator app"));
		if (!rc) {
			tpl_set_html(v, "qr", arena_strndup(req->arena, svg.data, svg.len),
				     svg.len);
			tpl_set(v, "secret", secret);
		}
		buf_release(&uri);
		buf_release(&svg);
		if (rc)
			return rc;
	}
	return web_render_page(req, res, "twofactor", N_("Two-factor authentication"), v);
}

int web_2fa_form(http_request *req, http_response *res)
{
	return render_2fa(req, res, NULL);
}

/* Turning 2FA on takes the password typed again (argon2id, off the request thread) and a
 * code; it ends every other session and token, and this browser continues on a new session
 * opened with the second factor. */
int web_2fa_confirm(http_request *req, http_response *res)
{
	if (!req->resumed) {
		enrol_job *job = arena_alloc(req->arena, sizeof(*job));
		if (!job)
			return PONTE_ENOMEM;
		job->env = services_of(req)->env;
		job->in = (enrol_request){ .user_id = principal_of(req)->user_id,
					   .password = http_form(req, "password"),
					   .code = http_form(req, "code"),
					   .client = req->client_addr,
					   .kind = AUTH_WEB };
		return http_defer(req, auth_enrol_job, job);
	}
	enrol_job *job = req->deferred_arg;
	int rc = job->rc;
	const char *error =
	    rc == PONTE_ELIMIT        ? N_("Too many attempts. Please wait a moment and try again.")
	    : job->out.wrong_password ? N_("Your current password is not right.")
	    : rc == PONTE_EDENIED || rc == PONTE_EINVAL
		? N_("This code is not right. Check the time on your phone and try the next code.")
		: NULL;
	if (error) {
		rc = render_2fa(req, res, error);
		http_refuse_page(res, job->rc == PONTE_ELIMIT ? PONTE_ETOOMANY : PONTE_EREJECTED);
		if (job->rc == PONTE_ELIMIT)
			http_set_header(res, "Retry-After",
					arena_printf(req->arena, "%d", job->out.retry_after));
		return rc;
	}
	if (rc)
		return rc;
	http_set_header(res, "Set-Cookie", web_session_cookie(req, job->out.token));
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		rc = PONTE_ENOMEM;
	tpl_list *list = v ? tpl_set_list(v, "codes") : NULL;
	for (int i = 0; list && i < TOTP_RECOVERY_CODES; i++)
		tpl_set(tpl_list_add(list), "code", job->out.codes[i]);
	crypto_wipe(job->out.codes, sizeof(job->out.codes));
	crypto_wipe(job->out.token, sizeof(job->out.token));
	return rc ? rc : web_render_page(req, res, "recovery", N_("Your recovery codes"), v);
}
