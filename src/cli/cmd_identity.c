/* ponte org ..., ponte user ..., ponte role ...: the administrator's command line. */
#include "audit/audit.h"
#include "cli/cli.h"
#include "i18n/i18n.h"
#include "identity/auth.h"

struct opts {
	const char *db, *key, *code, *name, *country, *type, *parent, *email, *org, *password_file,
	    *phone, *language;
	const char *roles[IDENTITY_MAX_ROLES];
	size_t nroles;
	bool focal_point;
};

static int parse(const char *cmd, int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	const cli_opt opts[] = { CLI_TEXT("db", &o->db),
				 CLI_TEXT("key", &o->key),
				 CLI_TEXT("code", &o->code),
				 CLI_TEXT("name", &o->name),
				 CLI_TEXT("country", &o->country),
				 CLI_TEXT("type", &o->type),
				 CLI_TEXT("parent", &o->parent),
				 CLI_FLAG("focal-point", &o->focal_point),
				 CLI_TEXT("email", &o->email),
				 CLI_TEXT("org", &o->org),
				 CLI_LIST("role", o->roles, &o->nroles, "too many --role options"),
				 CLI_TEXT("password-file", &o->password_file),
				 CLI_TEXT("phone", &o->phone),
				 CLI_TEXT("language", &o->language) };
	return cli_parse(cmd, argc, argv, opts, ARRAY_LEN(opts), NULL);
}

static void audit_cli(store *db, const char *action, const char *type, const char *id)
{
	audit_event e = { .action = action,
			  .object_type = type,
			  .object_id = id,
			  .outcome = "success",
			  .client = "cli" };
	audit_append(db, &e);
}

/* ---- org ---- */

static int print_org(const organisation *o, void *ctx)
{
	(void)ctx;
	printf("%-16s %-2s %-30s %s%s\n", o->code, o->country, o->type, o->name,
	       o->focal_point ? " [focal point]" : "");
	return 0;
}

int cmd_org(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("org", "expected add or list");
	const char *verb = argv[1];
	struct opts o;
	int rc = parse("org", argc - 1, argv + 1, &o);
	if (rc)
		return rc;
	store *s;
	if (!strcmp(verb, "list")) {
		if ((rc = cli_open("org", o.db, NULL, &s, NULL)))
			return rc;
		arena a;
		arena_init(&a, 16u << 20);
		rc = org_list(s, &a, "en", print_org, NULL);
		arena_release(&a);
		cli_close(s, NULL);
		return rc ? cli_fail("cannot list organisations: %s", ponte_strerror(rc)) : EXIT_OK;
	}
	if (strcmp(verb, "add") != 0)
		return cli_usage_error("org", "unknown action \"%s\" (expected add or list)", verb);
	if (!o.code || !o.name || !o.country || !o.type)
		return cli_usage_error("org", "add needs --code, --name, --country and --type");
	if ((rc = cli_open("org", o.db, NULL, &s, NULL)))
		return rc;
	organisation org = { 0, o.code, o.name, o.country, o.type, 0, o.focal_point };
	arena a;
	arena_init(&a, 1 << 20);
	organisation parent;
	int exit = EXIT_OK;
	if (o.parent && org_find(s, &a, o.parent, &parent) != 0) {
		exit = cli_fail("there is no organisation with code %s", o.parent);
	} else {
		org.parent_id = o.parent ? parent.id : 0;
		if (!org_type_valid(s, o.type))
			exit = cli_fail("unknown organisation type %s", o.type);
		else if ((rc = org_add(s, &org, NULL)) == PONTE_EEXIST)
			exit = cli_fail("an organisation with code %s already exists", o.code);
		else if (rc)
			exit = cli_fail(
			    "invalid organisation (code: letters, digits, - _ .; name: 1 to 200 "
			    "characters; country: ISO code)");
		else
			audit_cli(s, "org.create", "organisation", o.code);
	}
	arena_release(&a);
	cli_close(s, NULL);
	if (exit == EXIT_OK)
		printf("organisation %s added\n", o.code);
	return exit;
}

/* ---- user ---- */

static int print_user(const user *u, void *ctx)
{
	(void)ctx;
	printf("%-5lld %-36s %-10s %-12s %s [", (long long)u->id, u->email,
	       user_status_name(u->status), u->organisation_code, u->name);
	for (size_t i = 0; i < u->nroles; i++)
		printf("%s%s", i ? " " : "", u->roles[i]);
	printf("]\n");
	return 0;
}

static int user_add_cmd(struct opts *o)
{
	if (!o->email || !o->name || !o->org || !o->nroles || !o->password_file)
		return cli_usage_error(
		    "user", "add needs --email, --name, --org, --role and --password-file");
	char password[300];
	int rc = cli_read_secret_file(o->password_file, password, sizeof(password));
	if (rc)
		return rc;
	keyed_store env;
	if ((rc = cli_open_keyed("user", o->db, o->key, &env)))
		return rc;
	user_input in = { .email = o->email,
			  .name = o->name,
			  .phone = o->phone,
			  .organisation_code = o->org,
			  .nroles = o->nroles,
			  .password = password,
			  .language = o->language };
	memcpy(in.roles, o->roles, sizeof(in.roles));
	int problem = 0;
	int64_t id = 0;
	rc = user_add(&env, &in, &id, &problem);
	crypto_wipe(password, sizeof(password));
	if (!rc) {
		char idtext[24];
		snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
		audit_cli(env.db, "user.create", "user", idtext);
	}
	cli_close_keyed(&env);
	if (rc)
		return cli_fail("%s", problem ? user_problem_message(problem) : ponte_strerror(rc));
	printf("user %lld added\n", (long long)id);
	return EXIT_OK;
}

static int user_status_cmd(struct opts *o, int status, const char *action)
{
	if (!o->email)
		return cli_usage_error("user", "this action needs --email");
	keyed_store env;
	int rc = cli_open_keyed("user", o->db, o->key, &env);
	if (rc)
		return rc;
	int64_t id;
	rc = user_find_by_email(&env, o->email, &id);
	if (!rc)
		rc = user_set_status(env.db, id, status);
	if (!rc && status != USER_ACTIVE)
		rc = auth_logout_everywhere(env.db, id);
	if (!rc) {
		char idtext[24];
		snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
		audit_cli(env.db, action, "user", idtext);
	}
	cli_close_keyed(&env);
	if (rc == PONTE_ENOTFOUND)
		return cli_fail("there is no user with this e-mail address");
	if (rc)
		return cli_fail("cannot change the user: %s", ponte_strerror(rc));
	printf("user %lld is now %s\n", (long long)id, user_status_name(status));
	return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("user", "expected add, list, lock, unlock or disable");
	const char *verb = argv[1];
	struct opts o;
	int rc = parse("user", argc - 1, argv + 1, &o);
	if (rc)
		return rc;
	if (!strcmp(verb, "add"))
		return user_add_cmd(&o);
	if (!strcmp(verb, "lock"))
		return user_status_cmd(&o, USER_LOCKED, "user.lock");
	if (!strcmp(verb, "unlock"))
		return user_status_cmd(&o, USER_ACTIVE, "user.unlock");
	if (!strcmp(verb, "disable"))
		return user_status_cmd(&o, USER_DISABLED, "user.disable");
	if (strcmp(verb, "list") != 0)
		return cli_usage_error("user", "unknown action \"%s\"", verb);
	keyed_store env;
	if ((rc = cli_open_keyed("user", o.db, o.key, &env)))
		return rc;
	arena a;
	arena_init(&a, 64u << 20);
	rc = user_list(&env, &a, print_user, NULL);
	arena_release(&a);
	audit_cli(env.db, "user.list", "user", "");
	cli_close_keyed(&env);
	return rc ? cli_fail("cannot list users: %s", ponte_strerror(rc)) : EXIT_OK;
}

/* ---- role ---- */

static int print_role(const role *r, const grant *g, size_t n, void *ctx)
{
	(void)ctx;
	printf("%s (%s)%s\n", r->code, r->name, r->requires_2fa ? " [two-factor required]" : "");
	for (size_t i = 0; i < n; i++)
		printf("    %-26s %s\n", g[i].permission, scope_name(g[i].scope));
	return 0;
}

int cmd_role(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "list") != 0)
		return cli_usage_error("role", "expected list");
	struct opts o;
	int rc = parse("role", argc - 1, argv + 1, &o);
	if (rc)
		return rc;
	store *s;
	if ((rc = cli_open("role", o.db, NULL, &s, NULL)))
		return rc;
	arena a;
	arena_init(&a, 1 << 20);
	rc = role_list(s, &a, print_role, NULL);
	arena_release(&a);
	cli_close(s, NULL);
	return rc ? cli_fail("cannot list roles: %s", ponte_strerror(rc)) : EXIT_OK;
}
