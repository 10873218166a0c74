#include "audit/audit.h"
#include "base/tz.h"
#include "cli/cli.h"
#include "identity/identity.h"
#include "keys/keys.h"

/* --db, and --key and --batch where key and batch are not NULL. */
static int one_db_option(const char *cmd, int argc, char **argv, const char **db, const char **key,
			 int *batch)
{
	int64_t n = batch ? *batch : 0;
	cli_opt opts[3] = { CLI_TEXT("db", db) };
	size_t nopts = 1;
	if (key)
		opts[nopts++] = (cli_opt)CLI_TEXT("key", key);
	if (batch)
		opts[nopts++] = (cli_opt)CLI_WHOLE("batch", &n, 1, 100000,
						   "--batch must be a number from 1 to 100000");
	int rc = cli_parse(cmd, argc, argv, opts, nopts, NULL);
	if (!rc && batch)
		*batch = (int)n;
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return cli_usage_error("audit", "expected verify");
	const char *db = NULL;
	int rc = one_db_option("audit", argc - 1, argv + 1, &db, NULL, NULL);
	if (rc)
		return rc;
	store *s;
	if ((rc = cli_open("audit", db, NULL, &s, NULL)))
		return rc;
	audit_verify_result r;
	rc = audit_verify(s, &r);
	cli_close(s, NULL);
	if (rc == PONTE_EINVAL)
		return cli_fail("audit trail broken at event %lld: %s", (long long)r.first_bad_id,
				r.why);
	if (rc)
		return cli_fail("cannot read the audit trail: %s", ponte_strerror(rc));
	printf("audit trail intact: %lld events, head %s\n", (long long)r.events, r.head);
	return EXIT_OK;
}

static void show_progress(const char *table, int64_t done, void *ctx)
{
	(void)ctx;
	printf("  %s: %lld values re-encrypted\n", table, (long long)done);
	fflush(stdout);
}

/* The audit event of a replacement, in its transaction: the trail says when the key that
 * opens everything changed, or nothing changed. */
static int audit_replacement(store *s, void *ctx)
{
	(void)ctx;
	audit_event e = { .action = "keys.replace_master",
			  .object_type = "master_key",
			  .object_id = "",
			  .outcome = "success",
			  .client = "" };
	return audit_append_in_transaction(s, &e);
}

/* `ponte keys replace-master`: a new key file for a lost or exposed one (keys.h). */
static int replace_master(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *new_key = NULL;
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("key", &key),
				 CLI_TEXT("new-key", &new_key) };
	int rc = cli_parse("keys", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (rc)
		return rc;
	if (!new_key || !*new_key)
		return cli_usage_error("keys", "replace-master needs --new-key FILE, the new key "
					       "file to create");
	store *s;
	if ((rc = cli_open("keys", db, key, &s, NULL)))
		return rc;
	char old_path[4096], err[1024];
	keys_path_for(key, cli_db_path("keys", db), old_path, sizeof(old_path));
	uint32_t n = 0;
	rc = keys_replace_master(s, old_path, new_key, audit_replacement, NULL, &n, err,
				 sizeof(err));
	if (rc) {
		cli_close(s, NULL);
		return cli_fail("%s", err);
	}
	/* Proof before saying so: the new file opens every key, the old one none. */
	crypto_keyring *k = NULL;
	int with_new = keys_load(s, new_key, &k, err, sizeof(err));
	crypto_keyring_free(k);
	k = NULL;
	int with_old = keys_load(s, old_path, &k, err, sizeof(err));
	crypto_keyring_free(k);
	cli_close(s, NULL);
	if (with_new || !with_old)
		return cli_fail("the keys were rewrapped, but %s does not open them: keep both "
				"files and report this",
				new_key);
	printf("the master key is replaced: %s now opens this database (%u data keys and the "
	       "index key rewrapped); %s no longer does.\n"
	       "Put %s where serve reads its key (--key, PONTE_KEY or the database path plus "
	       ".key), keep copies of it where the old one was kept, and restart serve.\n"
	       "Backups taken before now restore only with the old key file: keep it with them "
	       "until they expire, and nowhere else.\n",
	       new_key, n, old_path, new_key);
	return EXIT_OK;
}

int cmd_keys(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "replace-master") == 0)
		return replace_master(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "rotate") != 0)
		return cli_usage_error("keys", "expected rotate or replace-master");
	const char *db = NULL, *key = NULL;
	int batch = 500;
	int rc = one_db_option("keys", argc - 1, argv + 1, &db, &key, &batch);
	if (rc)
		return rc;
	keyed_store env;
	if ((rc = cli_open_keyed("keys", db, key, &env)))
		return rc;
	char err[512];
	rc = keys_rotate(env.db, env.keys, batch, show_progress, NULL, err, sizeof(err));
	uint32_t v = crypto_keyring_current(env.keys);
	cli_close_keyed(&env);
	if (rc)
		return cli_fail("%s", err);
	printf("every encrypted value is now under key version %u\n", v);
	return EXIT_OK;
}

static int print_setting(const char *key, const char *value, void *ctx)
{
	(void)ctx;
	printf("%-32s %s\n", key, value);
	return 0;
}

int cmd_settings(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "set") != 0))
		return cli_usage_error("settings", "expected list or set");
	bool set = strcmp(argv[1], "set") == 0;
	const char *db = NULL, *name = NULL, *value = NULL;
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("name", &name),
				 CLI_TEXT("value", &value) };
	int rc = cli_parse("settings", argc - 1, argv + 1, opts, ARRAY_LEN(opts), NULL);
	if (rc)
		return rc;
	if (set && (!name || !value))
		return cli_usage_error("settings", "set needs --name and --value");
	store *s;
	rc = cli_open("settings", db, NULL, &s, NULL);
	if (rc)
		return rc;
	if (!set) {
		rc = setting_list(s, print_setting, NULL);
		cli_close(s, NULL);
		return rc ? cli_fail("cannot read the settings: %s", ponte_strerror(rc)) : EXIT_OK;
	}
	rc = setting_set(s, name, value);
	if (!rc) {
		audit_event e = { .action = "setting.change",
				  .object_type = "setting",
				  .object_id = name,
				  .outcome = "success",
				  .client = "cli" };
		audit_append(s, &e);
	}
	cli_close(s, NULL);
	if (rc == PONTE_ENOTFOUND)
		return cli_fail("unknown setting %s (see ponte settings --help)", name);
	if (rc == PONTE_EINVAL && !strcmp(name, "time_zone"))
		return cli_fail("%s is not a time zone of the tz database (%s): write its name as "
				"the database does, for example Africa/Niamey or Europe/Lisbon",
				value, TZ_DIR);
	if (rc == PONTE_EINVAL)
		return cli_fail("%s is not an allowed value for %s (see ponte settings --help)",
				value, name);
	if (rc)
		return cli_fail("cannot change the setting: %s", ponte_strerror(rc));
	printf("%s = %s\n", name, value);
	return EXIT_OK;
}
