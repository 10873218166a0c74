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

int cmd_keys(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "rotate") != 0)
		return cli_usage_error("keys", "expected rotate");
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
