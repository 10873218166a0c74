/*
 * The route table: every address Ponte answers, with the permission it requires.
 *
 * Deny by default: http_routes_validate() refuses a route without a permission, and
 * tests/http/test_permissions.c enumerates this table against every default role.
 * Columns: methods, pattern, handler, permission, CSRF check, body limit, reachable while
 * two-factor setup is pending.
 */
#include "api/api.h"
#include "app/app.h"
#include "http/static.h"
#include "web/web.h"

#define SMALL_BODY (16 * 1024) /* login and profile forms */
#define ITEM_BODY (512 * 1024) /* a knowledge item with its body and translations */

const http_route app_routes[] = {
	{ HTTP_GET, "/", web_home, PERM_PUBLIC, false, 0, true },
	{ HTTP_GET, "/healthz", api_healthz, PERM_PUBLIC, false, 0, true },
	{ HTTP_GET, "/metrics", api_metrics, PERM_PUBLIC, false, 0, true },
	{ HTTP_GET, "/static/{hash}/{name}", static_serve, PERM_PUBLIC, false, 0, true },
	{ HTTP_GET, "/login", web_login_form, PERM_PUBLIC, false, 0, true },
	{ HTTP_POST, "/login", web_login, PERM_PUBLIC, false, SMALL_BODY, true },
	{ HTTP_POST, "/logout", web_logout, PERM_AUTHENTICATED, true, SMALL_BODY, true },
	{ HTTP_POST, "/logout/everywhere", web_logout_everywhere, PERM_AUTHENTICATED, true,
	  SMALL_BODY, true },
	{ HTTP_GET, "/profile", web_profile, PERM_AUTHENTICATED, false, 0, false },
	{ HTTP_POST, "/profile/language", web_profile_language, PERM_AUTHENTICATED, true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/profile/password", web_profile_password, PERM_AUTHENTICATED, true,
	  SMALL_BODY, false },
	{ HTTP_GET, "/profile/2fa", web_2fa_form, PERM_AUTHENTICATED, false, 0, true },
	{ HTTP_POST, "/profile/2fa", web_2fa_confirm, PERM_AUTHENTICATED, true, SMALL_BODY, true },
	{ HTTP_GET, "/admin/organisations", web_admin_orgs, "org.manage", false, 0, false },
	{ HTTP_POST, "/admin/organisations", web_admin_org_add, "org.manage", true, SMALL_BODY,
	  false },
	{ HTTP_GET, "/admin/users", web_admin_users, "user.read", false, 0, false },
	{ HTTP_POST, "/admin/users", web_admin_user_add, "user.manage", true, SMALL_BODY, false },
	{ HTTP_GET, "/admin/users/{id}", web_admin_user, "user.read", false, 0, false },
	{ HTTP_POST, "/admin/users/{id}/status", web_admin_user_status, "user.manage", true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/admin/users/{id}/roles", web_admin_user_roles, "user.manage", true,
	  SMALL_BODY, false },
	{ HTTP_GET, "/admin/roles", web_admin_roles, "role.read", false, 0, false },
	{ HTTP_POST, "/admin/roles", web_admin_role_grant, "role.manage", true, SMALL_BODY, false },
	{ HTTP_GET, "/cases", web_cases, "case.social.read", false, 0, false },
	{ HTTP_GET, "/cases/new", web_case_new, "case.social.write", false, 0, false },
	{ HTTP_POST, "/cases", web_case_create, "case.social.write", true, SMALL_BODY, false },
	{ HTTP_GET, "/cases/{id}", web_case, "case.social.read", false, 0, false },
	{ HTTP_POST, "/cases/{id}", web_case_update, "case.social.write", true, SMALL_BODY, false },
	{ HTTP_POST, "/cases/{id}/status-decisions", web_case_decision, "case.social.write", true,
	  SMALL_BODY, false },
	{ HTTP_GET, "/audit", web_audit, "audit.read", false, 0, false },
	{ HTTP_GET, "/audit/export.csv", web_audit_csv, "audit.read", false, 0, false },
	{ HTTP_GET, "/knowledge", web_knowledge, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/knowledge/new", web_knowledge_new, "knowledge.write", false, 0, false },
	{ HTTP_POST, "/knowledge", web_knowledge_create, "knowledge.write", true, ITEM_BODY,
	  false },
	{ HTTP_GET, "/knowledge/{id}", web_knowledge_item, PERM_PUBLIC, false, 0, false },
	{ HTTP_GET, "/knowledge/{id}/edit", web_knowledge_edit, "knowledge.write", false, 0,
	  false },
	{ HTTP_POST, "/knowledge/{id}", web_knowledge_update, "knowledge.write", true, ITEM_BODY,
	  false },
	{ HTTP_GET, "/knowledge/{id}/diff", web_knowledge_diff, PERM_AUTHENTICATED, false, 0,
	  false },
	{ HTTP_POST, "/knowledge/{id}/submit", web_knowledge_submit, "knowledge.write", true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/knowledge/{id}/publish", web_knowledge_publish, "knowledge.review", true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/knowledge/{id}/archive", web_knowledge_archive, "knowledge.review", true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/knowledge/{id}/return", web_knowledge_return, "knowledge.review", true,
	  SMALL_BODY, false },
	{ HTTP_GET, "/api/v1/instance", api_instance, PERM_PUBLIC, false, 0, true },
	{ HTTP_GET, "/api/v1/openapi.json", api_openapi, PERM_PUBLIC, false, 0, true },
	{ HTTP_POST, "/api/v1/auth/login", api_login, PERM_PUBLIC, false, SMALL_BODY, true },
	{ HTTP_POST, "/api/v1/auth/logout", api_logout, PERM_AUTHENTICATED, true, SMALL_BODY,
	  true },
	{ HTTP_GET, "/api/v1/users/me", api_users_me, PERM_AUTHENTICATED, false, 0, true },
	{ HTTP_GET, "/api/v1/users/{id}", api_user_get, "user.read", false, 0, false },
	{ HTTP_POST, "/api/v1/users", api_user_create, "user.manage", true, SMALL_BODY, false },
	{ HTTP_GET, "/api/v1/cases", api_cases_list, "case.social.read", false, 0, false },
	{ HTTP_POST, "/api/v1/cases", api_case_create, "case.social.write", true, SMALL_BODY,
	  false },
	{ HTTP_GET, "/api/v1/cases/{id}", api_case_get, "case.social.read", false, 0, false },
	{ HTTP_PATCH, "/api/v1/cases/{id}", api_case_update, "case.social.write", true, SMALL_BODY,
	  false },
	{ HTTP_GET, "/api/v1/cases/{id}/status-decisions", api_case_decisions, "case.social.read",
	  false, 0, false },
	{ HTTP_POST, "/api/v1/cases/{id}/status-decisions", api_case_decision_add,
	  "case.social.write", true, SMALL_BODY, false },
	/* Knowledge: reading is open to every signed-in user, and to anyone when the setting
	 * knowledge_public_read is 1 (the handlers check it). */
	{ HTTP_GET, "/api/v1/knowledge", api_knowledge_list, PERM_PUBLIC, false, 0, false },
	{ HTTP_POST, "/api/v1/knowledge", api_knowledge_create, "knowledge.write", true, ITEM_BODY,
	  false },
	{ HTTP_GET, "/api/v1/knowledge/{id}", api_knowledge_get, PERM_PUBLIC, false, 0, false },
	{ HTTP_PATCH, "/api/v1/knowledge/{id}", api_knowledge_update, "knowledge.write", true,
	  ITEM_BODY, false },
	{ HTTP_GET, "/api/v1/knowledge/{id}/versions", api_knowledge_versions, PERM_AUTHENTICATED,
	  false, 0, false },
	{ HTTP_POST, "/api/v1/knowledge/{id}/submit", api_knowledge_submit, "knowledge.write", true,
	  SMALL_BODY, false },
	{ HTTP_POST, "/api/v1/knowledge/{id}/publish", api_knowledge_publish, "knowledge.review",
	  true, SMALL_BODY, false },
	{ HTTP_POST, "/api/v1/knowledge/{id}/archive", api_knowledge_archive, "knowledge.review",
	  true, SMALL_BODY, false },
	{ HTTP_POST, "/api/v1/knowledge/{id}/return", api_knowledge_return, "knowledge.review",
	  true, SMALL_BODY, false },
};

const size_t app_routes_count = ARRAY_LEN(app_routes);
