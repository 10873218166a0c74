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

http_handler_fn web_home;
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
http_handler_fn web_admin_health;
http_handler_fn web_login_form, web_login;
http_handler_fn web_logout, web_logout_everywhere;
http_handler_fn web_profile, web_profile_language, web_profile_change;
http_handler_fn web_2fa_form, web_2fa_confirm;
http_handler_fn web_admin_orgs, web_admin_org_add, web_admin_users, web_admin_users_find,
    web_admin_user_add, web_admin_user, web_admin_user_change, web_admin_roles,
    web_admin_role_grant;
http_handler_fn web_audit;
http_handler_fn web_cases;
/* /cases/search (case_search.c): the name is posted, never in an address; GET shows the form. */
http_handler_fn web_cases_search_form, web_cases_search;
http_handler_fn web_case_new, web_case_create, web_case, web_case_update;
/* GET and POST /cases/{id}/details/{section}: one section of the case's details (person,
 * identification, victim, contact, case), saved on its own against the case's version. */
http_handler_fn web_case_details, web_case_details_save;
http_handler_fn web_audit_csv;
http_handler_fn web_knowledge, web_knowledge_new, web_knowledge_create, web_knowledge_item,
    web_knowledge_edit, web_knowledge_update, web_knowledge_move, web_knowledge_diff,
    web_knowledge_attach, web_knowledge_detach, web_knowledge_download;
http_handler_fn web_directory, web_directory_csv, web_directory_xlsx, web_directory_entry,
    web_directory_new, web_directory_create, web_directory_update;
http_handler_fn web_obs_import_form, web_obs_import, web_obs_dashboard, web_obs_report,
    web_obs_data_csv, web_obs_data_xlsx, web_obs_releases;
/* /admin/privacy-budgets (admin_budgets.c): each provider's budget, and changing it. */
http_handler_fn web_admin_budgets, web_admin_budget_set;
/* In DP-only mode, what a view of the observatory answers instead of counts: 403 and the
 * releases, which are then all that is published. */
http_handler_fn web_obs_dp_only;
http_handler_fn web_services;
/* A service's page, the provider's count of places on it, and "Refer this person" (services.c). */
http_handler_fn web_service, web_service_change, web_service_refer;
/* "3 places free of 12" in the reader's language; "" without a capacity (-1). */
const char *web_service_places(http_request *req, int capacity, int free);
http_handler_fn web_work;
http_handler_fn web_case_timeline;
/* Sections of the case file (sections.c): /cases/{id}/file/{section}[/{entry}] and
 * /cases/{id}/proceedings/{section}[/{entry}]. */
http_handler_fn web_section, web_section_add, web_section_entry, web_section_entry_save;
http_handler_fn web_proceedings;
/* Transnational referral (trm.c). */
http_handler_fn web_case_transnational, web_case_transnational_send;
http_handler_fn web_trm, web_trm_change, web_trm_referral;
/* A document type, field, code or state of a referral across borders in the reader's words. */
const char *web_trm_label(http_request *req, const char *name);
/* Peers and the outbox (admin_peers.c). */
http_handler_fn web_admin_peers, web_admin_peer_add, web_admin_peer_revoke, web_admin_keys_rotate;
/* /admin/settings: the installation's time zone (admin_settings.c). */
http_handler_fn web_admin_settings, web_admin_settings_change;
/* Country rules (admin_rules.c). */
http_handler_fn web_admin_rules;
/* /admin/languages: language packs, their versions, the second language (admin_languages.c). */
http_handler_fn web_admin_languages, web_admin_languages_change, web_admin_language_upload,
    web_admin_rule_set;
/* Content-Disposition for a download of name: an ASCII fallback and the UTF-8 name
 * (RFC 6266), always "attachment" (download.c). */
const char *web_disposition(arena *a, const char *name);
/* Attachments of a case (case_attachments.c). */
http_handler_fn web_case_attachments, web_case_attach, web_case_attachment, web_case_detach;
/* Closing a case (closures.c). */
http_handler_fn web_case_closure, web_case_closure_request, web_case_safety, web_case_contacts,
    web_case_child, web_case_plans, web_case_assistance, web_case_assistance_add, web_case_plan_add;
/* A support plan type in the reader's language (plans.c). */
const char *web_plan_label(http_request *req, const char *code);
http_handler_fn web_case_child_save, web_case_returns, web_case_return_decide, web_case_contact_add;
/* How a contact came about, in the reader's language (contacts.c). */
const char *web_channel_label(http_request *req, const char *code);
http_handler_fn web_case_safety_add;
/* A risk level or threat code in the reader's language (safety.c). */
const char *web_safety_label(http_request *req, const char *code);
/* A referral, consent or service code in the reader's language (referrals.c). */
const char *web_referral_label(http_request *req, const char *code);
http_handler_fn web_cases_csv, web_cases_xlsx;
http_handler_fn web_case_summary;
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
http_handler_fn web_case_screening, web_case_screening_add, web_case_referrals;
http_handler_fn web_consent_withdraw;
/* GET /consents/{id}/withdraw: what withdrawing it does, and the button that does it. */
http_handler_fn web_consent_withdraw_form;
http_handler_fn web_case_referral_create;
http_handler_fn web_referrals;
http_handler_fn web_referral, web_referral_act;
http_handler_fn web_obs_release_file;
/* Audit an action of the signed-in user on their own account (success). */
void web_audit_self(http_request *req, const char *action);
/* The Set-Cookie value that gives this browser a session token (login.c). */
const char *web_session_cookie(http_request *req, const char *token);
/* A QR code as inline SVG (qr.c); label is its accessible name. */
int web_qr_svg(buf *out, const char *text, const char *label);

#endif
