#include <ctype.h>
#include <sodium.h>
#include <time.h>

#include "app/app.h"
#include "app/demo.h"
#include "cli/cli.h"

static void progress(long done)
{
	fprintf(stderr, "  %ld cases\n", done);
}

int cmd_demo(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *accounts = NULL, *password = NULL, *seed = NULL;
	demo_options o = { .cases = 200, .seed = 1, .progress = progress };
	int64_t cases = o.cases, knowledge = 0;
	const cli_opt opts[] = {
		CLI_TEXT("db", &db),
		CLI_TEXT("key", &key),
		CLI_WHOLE("cases", &cases, 0, 10000000,
			  "--cases must be a number from 0 to 10000000"),
		CLI_TEXT("seed", &seed),
		CLI_TEXT("password", &password),
		CLI_TEXT("accounts-json", &accounts),
		CLI_WHOLE("knowledge", &knowledge, 0, 1000000,
			  "--knowledge must be a number from 0 to 1000000"),
		CLI_TEXT("country", &o.country),
	};
	int prc = cli_parse("demo", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	o.cases = (long)cases;
	o.knowledge = (long)knowledge;
	if (o.country && (strlen(o.country) != 2 || !isupper((unsigned char)o.country[0]) ||
			  !isupper((unsigned char)o.country[1])))
		return cli_usage_error("demo",
				       "--country must be one of NE, SN, ML, NG, PT, ES, IT");
	if (seed) {
		char *end;
		errno = 0;
		o.seed = strtoull(seed, &end, 10);
		if (errno || *end)
			return cli_usage_error("demo", "--seed must be a number");
	}
	char generated[21];
	if (!password) {
		static const char alphabet[] =
		    "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
		if (crypto_init())
			return cli_fail("cannot initialise libsodium");
		for (int i = 0; i < 20; i++)
			generated[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
		generated[20] = '\0';
		password = generated;
	}
	int problem = password_policy_check(password);
	if (problem)
		return cli_fail("the demonstration password is refused: %s",
				user_problem_message(problem));
	o.password = password;
	keyed_store env;
	int rc = cli_open_keyed("demo", db, key, &env);
	if (rc)
		return rc;
	FILE *out = NULL;
	if (accounts && !(out = fopen(accounts, "w"))) {
		cli_close_keyed(&env);
		return cli_fail("cannot write %s: %s", accounts, strerror(errno));
	}
	o.accounts = out;
	char err[256];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char files[4096];
	rc = app_file_dirs(env.db, files, sizeof(files), err, sizeof(err));
	o.files_dir = files;
	if (!rc)
		rc = demo_generate(&env, &o, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (out && fclose(out) && !rc)
		rc = cli_fail("cannot write %s", accounts);
	cli_close_keyed(&env);
	if (rc)
		return cli_fail("%s", err);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o.country) {
		char lc[3] = { (char)(o.country[0] + 32), (char)(o.country[1] + 32), 0 };
		printf("demonstration data: %s, %ld cases, %.1f s\n", o.country, o.cases, secs);
		printf("accounts: ROLE.%s@demo.ponte.example (for example case.worker.%s,\n"
		       "  national.focal.point.%s, administrator.%s)%s%s\n",
		       lc, lc, lc, lc, accounts ? "; listed in " : "", accounts ? accounts : "");
	} else {
		printf("demonstration data: 7 countries, %ld cases, %.1f s\n", o.cases, secs);
	}
	if (!o.country)
		printf("accounts: ROLE.CC@demo.ponte.example (for example case.worker.ne, "
		       "supervisor.sn,\n"
		       "  national.focal.point.pt, police.investigator.ml), "
		       "regional.analyst@demo.ponte.example%s%s\n",
		       accounts ? "; listed in " : "", accounts ? accounts : "");
	if (password == generated)
		printf("password of every demonstration account: %s\n", generated);
	return EXIT_OK;
}
