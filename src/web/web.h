/*
 * web.h: the HTML pages.
 *
 * Handlers decode the request, call services and render a template into the layout. All
 * markup comes from templates/ (escaping by context, see tpl/tpl.h); no handler writes a
 * user string into HTML by hand.
 */
#ifndef PONTE_WEB_H
#define PONTE_WEB_H

#include "base/field_error.h"
#include "http/http.h"
#include "tpl/tpl.h"

/* Render templates/<name>.html inside the layout, with the page title (a msgid). */
int web_render_page(http_request *req, http_response *res, const char *name, const char *title,
		    tpl_vars *vars);
/* The error page for status, in the request's language (http_app.render_error). */
int web_render_error(http_request *req, http_response *res, int status);
/* Every country's name in the reader's language, read once into the request's arena (NULL
 * without memory); web_country_name() is NULL for a code it does not hold. */
typedef struct web_countries {
	const char *code[300], *name[300];
	size_t n;
} web_countries;
web_countries *web_countries_of(http_request *req);
const char *web_country_name(const web_countries *c, const char *code);
/* Every form of a page posts to the page's own address, so that a form answered with its
 * page (field errors, a conflict) leaves the browser at an address that shows that page
 * again when reloaded or opened. A page with several forms tells them apart by their "do"
 * field: web_form_do() is it, or "" for the page's main form. */
const char *web_form_do(const http_request *req);

/* A form's errors (base/field_error.h) on its page: the list "errors" of {field, message} for
 * the summary above the form, in the order of the form's fields `order` (their names top to
 * bottom, NULL-terminated; NULL: as reported; a field it does not name comes last), and
 * "error_<field>" for the message beside each field, where <field> is the part of a dotted
 * name after its last dot ("person.prs_Birthdate": prs_Birthdate). With labels (msgids, one
 * for each name of order), each item also has the "label" of its field ("" when order does
 * not name it). Messages are translated. Nothing is set when e is NULL or empty. */
void web_field_errors(http_request *req, tpl_vars *v, const field_errors *e,
		      const char *const *order, const char *const *labels);
/* After a POST that changed something, before its redirect: say on the browser's next page
 * what was done, once ("Referral sent to {org}"). msgid is translated into the reader's
 * language, then each "{name}" is replaced by the value that follows name in the
 * NULL-terminated list of name, value pairs. Kept with the session on the server (never in
 * the address or a cookie), at most SESSION_FLASH_MAX bytes, and shown in the layout's
 * role="status" region by the next page rendered, which clears it. Name an organisation, a
 * case or referral number, a count: never a person. API calls and anonymous requests keep
 * nothing. web_flash_n chooses the singular or a plural form by n and writes it for {n}. */
void web_flash(http_request *req, const char *msgid, ...) __attribute__((sentinel));
void web_flash_n(http_request *req, const char *singular, const char *plural, int64_t n, ...)
    __attribute__((sentinel));
/* An action that cannot be taken back (withdrawing a consent or a referral, locking a user,
 * archiving) asks first, on a page of its own that works without JavaScript: the handler
 * goes ahead only when web_confirmed() (the form's confirm=1); otherwise it answers
 * web_confirm(), which renders templates/confirm.html: the heading (a msgid), what will
 * happen in words (translated already: "This withdraws 2 open referrals..."), a form posting
 * the same fields again with confirm=1 to action (NULL: the request's path) under a red button
 * (a msgid), and a way back. Nothing is changed by the first post. */
bool web_confirmed(const http_request *req);
/* msgid in the reader's language with its "{name}"s filled as web_flash() does. */
const char *web_fill(http_request *req, const char *msgid, ...) __attribute__((sentinel));
int web_confirm(http_request *req, http_response *res, const char *action, const char *heading,
		const char *consequence, const char *button, const char *back);
/* A positive whole number in a form field, else 0. */
int64_t web_form_id(const http_request *req, const char *name);

int web_home(http_request *req, http_response *res);
/* Where a signed-in user starts (home.c): the page of their work, decided by what their roles
 * permit, in this order: cases and referrals ("Action needed"), proceedings, the
 * installation's health (administrators), the review queue, the observatory, the observatory's
 * data, the published releases (regional bodies), the audit trail; "/" for anyone else. */
struct principal;
const char *web_start_path(const struct principal *p);
/* Stored dates, times and counts as the reader writes them (i18n/format.h), for templates:
 * "28 nov. 2026", "28 nov. 2026, 14:05", "in 3 days", "5 208". */
const char *web_date(http_request *req, const char *stored);
const char *web_datetime(http_request *req, const char *stored);
const char *web_relative_day(http_request *req, const char *stored);
const char *web_count(http_request *req, int64_t n);
/* A stored date or time for <time datetime="{{key_iso}}">{{key}}</time>: key is the date
 * (with_time false) or date and time as the reader writes them, key_iso the stored value the
 * datetime attribute keeps for machines. Empty when stored is NULL or empty. */
void web_set_when(http_request *req, tpl_vars *v, const char *key, const char *stored,
		  bool with_time);
/* GET /admin/health: users locked, peers with messages stuck, the data key's age. */
int web_admin_health(http_request *req, http_response *res);
int web_login_form(http_request *req, http_response *res);
int web_login(http_request *req, http_response *res);
int web_logout(http_request *req, http_response *res);
int web_logout_everywhere(http_request *req, http_response *res);
int web_profile(http_request *req, http_response *res);
int web_profile_language(http_request *req, http_response *res);
int web_profile_change(http_request *req, http_response *res);
int web_2fa_form(http_request *req, http_response *res);
int web_2fa_confirm(http_request *req, http_response *res);
int web_admin_orgs(http_request *req, http_response *res);
int web_admin_org_add(http_request *req, http_response *res);
int web_admin_users(http_request *req, http_response *res);
int web_admin_users_find(http_request *req, http_response *res);
int web_admin_user_add(http_request *req, http_response *res);
int web_admin_user(http_request *req, http_response *res);
int web_admin_user_change(http_request *req, http_response *res);
int web_admin_roles(http_request *req, http_response *res);
int web_admin_role_grant(http_request *req, http_response *res);
int web_audit(http_request *req, http_response *res);
int web_cases(http_request *req, http_response *res);
/* /cases/search (case_search.c): the name is posted, never in an address; GET shows the form. */
int web_cases_search_form(http_request *req, http_response *res);
int web_cases_search(http_request *req, http_response *res);
int web_case_new(http_request *req, http_response *res);
int web_case_create(http_request *req, http_response *res);
int web_case(http_request *req, http_response *res);
int web_case_update(http_request *req, http_response *res);
/* GET and POST /cases/{id}/details/{section}: one section of the case's details (person,
 * identification, victim, contact, case), saved on its own against the case's version. */
int web_case_details(http_request *req, http_response *res);
int web_case_details_save(http_request *req, http_response *res);
int web_audit_csv(http_request *req, http_response *res);
int web_knowledge(http_request *req, http_response *res);
int web_knowledge_new(http_request *req, http_response *res);
int web_knowledge_create(http_request *req, http_response *res);
int web_knowledge_item(http_request *req, http_response *res);
int web_knowledge_edit(http_request *req, http_response *res);
int web_knowledge_update(http_request *req, http_response *res);
int web_knowledge_move(http_request *req, http_response *res);
int web_knowledge_diff(http_request *req, http_response *res);
int web_knowledge_attach(http_request *req, http_response *res);
int web_knowledge_detach(http_request *req, http_response *res);
int web_knowledge_download(http_request *req, http_response *res);
int web_directory(http_request *req, http_response *res);
int web_directory_csv(http_request *req, http_response *res);
int web_directory_xlsx(http_request *req, http_response *res);
int web_directory_entry(http_request *req, http_response *res);
int web_directory_new(http_request *req, http_response *res);
int web_directory_create(http_request *req, http_response *res);
int web_directory_update(http_request *req, http_response *res);
int web_obs_import_form(http_request *req, http_response *res);
int web_obs_import(http_request *req, http_response *res);
int web_obs_dashboard(http_request *req, http_response *res);
int web_obs_report(http_request *req, http_response *res);
int web_obs_data_csv(http_request *req, http_response *res);
int web_obs_data_xlsx(http_request *req, http_response *res);
int web_obs_releases(http_request *req, http_response *res);
/* /admin/privacy-budgets (admin_budgets.c): each provider's budget, and changing it. */
int web_admin_budgets(http_request *req, http_response *res);
int web_admin_budget_set(http_request *req, http_response *res);
/* In DP-only mode, what a view of the observatory answers instead of counts: 403 and the
 * releases, which are then all that is published. */
int web_obs_dp_only(http_request *req, http_response *res);
int web_services(http_request *req, http_response *res);
/* A service's page, the provider's count of places on it, and "Refer this person" (services.c). */
int web_service(http_request *req, http_response *res);
int web_service_change(http_request *req, http_response *res);
int web_service_refer(http_request *req, http_response *res);
/* "3 places free of 12" in the reader's language; "" without a capacity (-1). */
const char *web_service_places(http_request *req, int capacity, int free);
int web_work(http_request *req, http_response *res);
int web_case_timeline(http_request *req, http_response *res);
/* Sections of the case file (sections.c): /cases/{id}/file/{section}[/{entry}] and
 * /cases/{id}/proceedings/{section}[/{entry}]. */
int web_file_section(http_request *req, http_response *res);
int web_file_section_add(http_request *req, http_response *res);
int web_file_entry(http_request *req, http_response *res);
int web_file_entry_save(http_request *req, http_response *res);
int web_proceedings_section(http_request *req, http_response *res);
int web_proceedings_section_add(http_request *req, http_response *res);
int web_proceedings_entry(http_request *req, http_response *res);
int web_proceedings_entry_save(http_request *req, http_response *res);
int web_proceedings(http_request *req, http_response *res);
/* Transnational referral (trm.c). */
int web_case_transnational(http_request *req, http_response *res);
int web_case_transnational_send(http_request *req, http_response *res);
int web_trm(http_request *req, http_response *res);
int web_trm_change(http_request *req, http_response *res);
int web_trm_referral(http_request *req, http_response *res);
/* A document type, field, code or state of a referral across borders in the reader's words. */
const char *web_trm_label(http_request *req, const char *name);
/* Peers and the outbox (admin_peers.c). */
int web_admin_peers(http_request *req, http_response *res);
int web_admin_peer_add(http_request *req, http_response *res);
int web_admin_peer_revoke(http_request *req, http_response *res);
int web_admin_keys_rotate(http_request *req, http_response *res);
/* /admin/settings: the installation's time zone (admin_settings.c). */
int web_admin_settings(http_request *req, http_response *res);
int web_admin_settings_change(http_request *req, http_response *res);
/* Country rules (admin_rules.c). */
int web_admin_rules(http_request *req, http_response *res);
/* /admin/languages: language packs, their versions, the second language (admin_languages.c). */
int web_admin_languages(http_request *req, http_response *res);
int web_admin_languages_change(http_request *req, http_response *res);
int web_admin_language_upload(http_request *req, http_response *res);
int web_admin_rule_set(http_request *req, http_response *res);
/* Content-Disposition for a download of name: an ASCII fallback and the UTF-8 name
 * (RFC 6266), always "attachment" (download.c). */
const char *web_disposition(arena *a, const char *name);
/* Attachments of a case (case_attachments.c). */
int web_case_attachments(http_request *req, http_response *res);
int web_case_attach(http_request *req, http_response *res);
int web_case_attachment(http_request *req, http_response *res);
int web_case_detach(http_request *req, http_response *res);
/* Closing a case (closures.c). */
int web_case_closure(http_request *req, http_response *res);
int web_case_closure_request(http_request *req, http_response *res);
int web_case_safety(http_request *req, http_response *res);
int web_case_contacts(http_request *req, http_response *res);
int web_case_child(http_request *req, http_response *res);
int web_case_plans(http_request *req, http_response *res);
int web_case_assistance(http_request *req, http_response *res);
int web_case_assistance_add(http_request *req, http_response *res);
int web_case_plan_add(http_request *req, http_response *res);
/* A support plan type in the reader's language (plans.c). */
const char *web_plan_label(http_request *req, const char *code);
int web_case_child_save(http_request *req, http_response *res);
int web_case_returns(http_request *req, http_response *res);
int web_case_return_decide(http_request *req, http_response *res);
int web_case_contact_add(http_request *req, http_response *res);
/* How a contact came about, in the reader's language (contacts.c). */
const char *web_channel_label(http_request *req, const char *code);
int web_case_safety_add(http_request *req, http_response *res);
/* A risk level or threat code in the reader's language (safety.c). */
const char *web_safety_label(http_request *req, const char *code);
/* A referral, consent or service code in the reader's language (referrals.c). */
const char *web_referral_label(http_request *req, const char *code);
int web_cases_csv(http_request *req, http_response *res);
int web_cases_xlsx(http_request *req, http_response *res);
int web_case_summary(http_request *req, http_response *res);
/* A case code in the reader's language (cases.c), and "first second". */
const char *web_case_label(int lang, const char *field, const char *code);
const char *web_full_name(arena *a, const char *first, const char *second);
/* A case's organisation by its name, as a reader knows it (its code, which exports and the API
 * keep, when the name cannot be read). */
struct case_record;
const char *web_case_organisation(http_request *req, const struct case_record *c);
/* A row of a list of cases (the case list, a search by name), added to l: id, name, nationality,
 * phase, status, registered and updated (each with its _iso date); NULL when out of memory. */
tpl_vars *web_case_row(http_request *req, tpl_list *l, const struct case_record *c);
int web_case_screening(http_request *req, http_response *res);
int web_case_screening_add(http_request *req, http_response *res);
int web_case_referrals(http_request *req, http_response *res);
int web_consent_withdraw(http_request *req, http_response *res);
/* GET /consents/{id}/withdraw: what withdrawing it does, and the button that does it. */
int web_consent_withdraw_form(http_request *req, http_response *res);
int web_case_referral_create(http_request *req, http_response *res);
int web_referrals(http_request *req, http_response *res);
int web_referral(http_request *req, http_response *res);
int web_referral_act(http_request *req, http_response *res);
int web_obs_release_file(http_request *req, http_response *res);
/* Audit an action of the signed-in user on their own account (success). */
void web_audit_self(http_request *req, const char *action);
/* The Set-Cookie value that gives this browser a session token (login.c). */
const char *web_session_cookie(http_request *req, const char *token);
/* A QR code as inline SVG (qr.c); label is its accessible name. */
int web_qr_svg(buf *out, const char *text, const char *label);

#endif
