#include <getopt.h>

#include "cli/cli.h"
#include "instance/instance.h"
#include "store/store.h"

/* What `make run` shows on first start. Modules add their demonstration records to init --demo
 * as they arrive; all demo data is synthetic. */
#define DEMO_INSTANCE_NAME "Ponte demonstration (Portugal)"
#define DEMO_INSTANCE_COUNTRY "PT"

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "name", required_argument, NULL, 'n' },
					      { "country", required_argument, NULL, 'c' },
					      { "demo", no_argument, NULL, 'D' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *name = NULL, *country = NULL;
	bool demo = false;
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'n': name = optarg; break;
		case 'c': country = optarg; break;
		case 'D': demo = true; break;
		default:
			return cli_usage_error("init", "unknown or incomplete option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("init", "unexpected argument \"%s\"", argv[optind]);
	const char *path = cli_db_path("init", db);
	if (!path)
		return EXIT_USAGE;
	if (!name)
		name = demo ? DEMO_INSTANCE_NAME : "Ponte";
	if (!country)
		country = demo ? DEMO_INSTANCE_COUNTRY : "ZZ";
	if (!instance_name_valid(name))
		return cli_usage_error("init", "--name must be 1 to 200 characters of text");
	if (!instance_country_valid(country))
		return cli_usage_error(
		    "init", "--country must be a two-letter ISO 3166-1 code in capitals");

	char err[512];
	store *s;
	int rc = store_create(path, NULL, &s, err, sizeof(err));
	if (rc)
		return cli_fail("%s", err);
	store_migration_report r;
	rc = store_migrate(s, &r);
	if (rc) {
		store_close(s);
		return cli_fail("%s", r.message);
	}
	rc = instance_set(s, name, country);
	store_checkpoint(s);
	store_close(s);
	if (rc)
		return cli_fail("cannot write the new database %s: %s", path, ponte_strerror(rc));
	printf("created %s (schema version %d)\n", path, r.current);
	return EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL;
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'd')
			return cli_usage_error("migrate", "unknown or incomplete option \"%s\"",
					       argv[optind - 1]);
		db = optarg;
	}
	if (optind < argc)
		return cli_usage_error("migrate", "unexpected argument \"%s\"", argv[optind]);
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
