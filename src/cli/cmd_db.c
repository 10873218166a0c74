#include <sodium.h>
#include <unistd.h>

#include "app/demo.h"
#include "cli/cli.h"
#include "instance/instance.h"
#include "keys/keys.h"
#include "store/store.h"
#include "trm/trm.h"

#define ADMIN_ORG_CODE "ADMIN"

struct init_options {
	const char *db, *key, *name, *country, *admin_email, *admin_name, *admin_password_file;
	bool demo;
};

/* A password of 20 characters from an alphabet without look-alikes (about 110 bits). */
static void generate_password(char out[21])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[20] = '\0';
}

static int create_admin(const keyed_store *env, const struct init_options *o, const char *password)
{
	organisation org = {
		0, ADMIN_ORG_CODE, o->name, o->country, "CentralGovernmentOrganisation", 0, false
	};
	int rc = org_add(env->db, &org, NULL);
	if (rc)
		return cli_fail("cannot create the administrators' organisation: %s",
				ponte_strerror(rc));
	user_input in = { .email = o->admin_email,
			  .name = o->admin_name,
			  .organisation_code = ADMIN_ORG_CODE,
			  .roles = { "administrator" },
			  .nroles = 1,
			  .password = password,
			  .language = "en" };
	int problem = 0;
	rc = user_add(env, &in, NULL, &problem);
	if (rc)
		return cli_fail("cannot create the administrator: %s",
				problem ? user_problem_message(problem) : ponte_strerror(rc));
	return EXIT_OK;
}

static int init_database(const struct init_options *o, const char *path, const char *key_path,
			 const char *password)
{
	char err[512];
	store *s;
	int rc = store_create(path, NULL, &s, err, sizeof(err));
	if (rc)
		return cli_fail("%s", err);
	store_migration_report r;
	crypto_keyring *keys = NULL;
	int exit = EXIT_FAIL;
	if (store_migrate(s, &r)) {
		cli_fail("%s", r.message);
	} else if ((rc = instance_set(s, o->name, o->country)) != 0) {
		cli_fail("cannot write the new database %s: %s", path, ponte_strerror(rc));
	} else if ((rc = keys_setup(s, key_path, &keys, err, sizeof(err))) != 0) {
		cli_fail("%s", err);
	} else {
		keyed_store env = { s, keys };
		exit = create_admin(&env, o, password);
		/* The instance's identity for referrals across borders: its id and keys. */
		if (exit == EXIT_OK && (rc = trm_identity_ensure(&env)) != 0)
			exit = cli_fail("cannot create the instance's identity: %s",
					ponte_strerror(rc));
		if (exit == EXIT_OK && o->demo && (rc = demo_fill(&env)) != 0)
			exit =
			    cli_fail("cannot add the demonstration data: %s", ponte_strerror(rc));
	}
	crypto_keyring_free(keys);
	store_checkpoint(s);
	store_close(s);
	if (exit != EXIT_OK)
		return exit;
	printf(
	    "created %s (schema version %d)\nkey file %s: keep it secret and back it up apart from "
	    "the database\n",
	    path, r.current, key_path);
	return EXIT_OK;
}

int cmd_init(int argc, char **argv)
{
	struct init_options o = { 0 };
	const cli_opt opts[] = { CLI_TEXT("db", &o.db),
				 CLI_TEXT("key", &o.key),
				 CLI_TEXT("name", &o.name),
				 CLI_TEXT("country", &o.country),
				 CLI_TEXT("admin-email", &o.admin_email),
				 CLI_TEXT("admin-name", &o.admin_name),
				 CLI_TEXT("admin-password-file", &o.admin_password_file),
				 CLI_FLAG("demo", &o.demo) };
	int prc = cli_parse("init", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	const char *path = cli_db_path("init", o.db);
	if (!path)
		return EXIT_USAGE;
	if (!o.name)
		o.name = o.demo ? DEMO_INSTANCE_NAME : "Ponte";
	if (!o.country)
		o.country = o.demo ? DEMO_INSTANCE_COUNTRY : "ZZ";
	if (!o.admin_email)
		o.admin_email = o.demo ? DEMO_ADMIN_EMAIL : "admin@ponte.invalid";
	if (!o.admin_name)
		o.admin_name = "Administrator";
	if (!instance_name_valid(o.name))
		return cli_usage_error("init", "--name must be 1 to 200 characters of text");
	if (!instance_country_valid(o.country))
		return cli_usage_error(
		    "init", "--country must be a two-letter ISO 3166-1 code in capitals");
	char norm[256];
	if (!email_normalise(o.admin_email, norm, sizeof(norm)))
		return cli_usage_error("init", "--admin-email is not an e-mail address");
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");

	char password[300];
	bool generated = false;
	if (o.admin_password_file) {
		int rc = cli_read_secret_file(o.admin_password_file, password, sizeof(password));
		if (rc)
			return rc;
	} else if (o.demo) {
		snprintf(password, sizeof(password), "%s", DEMO_PASSWORD);
	} else {
		generate_password(password);
		generated = true;
	}
	int problem = password_policy_check(password);
	if (problem)
		return cli_fail("the administrator password is refused: %s",
				user_problem_message(problem));
	char key_path[4096];
	keys_path_for(o.key, path, key_path, sizeof(key_path));
	bool key_existed = access(key_path, F_OK) == 0;
	bool db_existed = access(path, F_OK) == 0;
	int rc = init_database(&o, path, key_path, password);
	if (rc != EXIT_OK) {
		/* Leave nothing half-made behind (a database without its administrator is useless),
		 * but never remove a file that was there before: init refused to touch it. */
		if (!db_existed && access(path, F_OK) == 0) {
			char extra[4200];
			unlink(path);
			snprintf(extra, sizeof(extra), "%s-wal", path);
			unlink(extra);
			snprintf(extra, sizeof(extra), "%s-shm", path);
			unlink(extra);
			if (!key_existed)
				unlink(key_path);
		}
		return rc;
	}
	printf("administrator: %s\n", norm);
	if (generated)
		printf(
		    "password: %s\n(shown only now: write it down, and change it after the first "
		    "login)\n",
		    password);
	sodium_memzero(password, sizeof(password));
	return EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
	const char *db = NULL;
	const cli_opt opts[] = { CLI_TEXT("db", &db) };
	int prc = cli_parse("migrate", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	const char *path = cli_db_path("migrate", db);
	if (!path)
		return EXIT_USAGE;
	char err[512];
	store *s;
	int rc = store_open(path, NULL, &s, err, sizeof(err));
	if (rc)
		return cli_fail("%s", err);
	store_migration_report r;
	rc = store_migrate(s, &r);
	store_checkpoint(s);
	store_close(s);
	if (rc)
		return cli_fail("%s", r.message);
	printf("%s: %d migration%s applied, schema version %d\n", path, r.applied,
	       r.applied == 1 ? "" : "s", r.current);
	return EXIT_OK;
}
