#include <stdarg.h>
#include <sys/stat.h>

#include "base/log.h"
#include "cli/cli.h"
#include "trm/trm.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command COMMANDS[] = {
	{ "help", cmd_help, "Show help for ponte or one of its commands",
	  "usage: ponte help [COMMAND]\n\nShow the list of commands, or the help of one "
	  "command.\n" },
	{ "version", cmd_version, "Print the version",
	  "usage: ponte version\n\nPrint the version of this ponte binary (also: ponte "
	  "--version).\n" },
	{ "init", cmd_init, "Create a new Ponte database",
	  "usage: ponte init --db PATH [--key PATH] [--name NAME] [--country CC]\n"
	  "                  [--admin-email E] [--admin-name N] [--admin-password-file F] "
	  "[--demo]\n\n"
	  "Create the database file PATH (its directory must exist, the file must not), apply\n"
	  "every migration, create the key file that protects personal data and the first\n"
	  "administrator. Refuses to touch an existing database file of any kind.\n\n"
	  "  --db PATH       database file (default: $PONTE_DB)\n"
	  "  --key PATH      master key file (default: $PONTE_KEY, else PATH.key); reused if "
	  "present\n"
	  "  --name NAME     the name of this installation, shown to users (default: Ponte)\n"
	  "  --country CC    ISO 3166-1 alpha-2 code of the country it serves (default: ZZ, "
	  "unknown)\n"
	  "  --admin-email E the administrator's login (default: admin@ponte.invalid)\n"
	  "  --admin-password-file F  the administrator's password (first line); without it a\n"
	  "                  password is generated and printed once\n"
	  "  --demo          add demonstration organisations and users (synthetic)\n" },
	{ "migrate", cmd_migrate, "Apply pending migrations to a database",
	  "usage: ponte migrate --db PATH\n\n"
	  "Apply the migrations this binary carries that PATH does not have yet, each in its own\n"
	  "transaction. Refuses a database whose past migrations were changed, or that a newer\n"
	  "Ponte wrote.\n\n"
	  "  --db PATH       database file (default: $PONTE_DB)\n" },
	{ "db", cmd_db, "Copy an installation into another store (SQLite or PostgreSQL)",
	  "usage: ponte db copy --from SRC --to DST\n\n"
	  "Copy every row of the database SRC into the new database DST, each a SQLite file or a\n"
	  "postgres:// URL, in one transaction: all of it or nothing. SRC must be at this\n"
	  "Ponte's schema version (ponte migrate) and should not be served meanwhile; DST must\n"
	  "not exist yet (a file) or be an empty database. Values arrive byte for byte, so the\n"
	  "copy is served with the source's key file. Checked before it says yes: the rows of\n"
	  "every table and the audit chain (same events, same head). Attachments and observatory\n"
	  "releases are files: copy the files folder yourself.\n" },
	{ "org", cmd_org, "Add or list organisations",
	  "usage: ponte org add --db PATH --code C --name N --country CC --type T [--parent C]\n"
	  "                     [--focal-point]\n"
	  "       ponte org list --db PATH\n\n"
	  "Types are the HTCDS organisation types: NGO, LawEnforcement, "
	  "HealthServiceOrganisation,\n"
	  "CentralGovernmentOrganisation, LocalGovernmentOrganisation, ImmigrationService,\n"
	  "LegalService, CorporateBusiness, SchoolOrCollege, plus RegionalBody and\n"
	  "InternationalOrganisation. --focal-point marks the national focal point.\n" },
	{ "user", cmd_user, "Add, list, lock, unlock or disable users",
	  "usage: ponte user add --db PATH --email E --name N --org C --role R [--role R2 ...]\n"
	  "                      --password-file F [--phone P] [--language en|fr|pt] [--key PATH]\n"
	  "       ponte user list --db PATH [--key PATH]\n"
	  "       ponte user lock|unlock|disable --db PATH --email E [--key PATH]\n\n"
	  "Passwords are read from the first line of a file, never from the command line. Locking\n"
	  "or disabling a user ends all their sessions. Every change is audited.\n" },
	{ "role", cmd_role, "List roles and what they grant",
	  "usage: ponte role list --db PATH\n\n"
	  "Each role with its permissions and their data scope (own, organisation, country, "
	  "all).\n" },
	{ "audit", cmd_audit, "Verify the audit trail",
	  "usage: ponte audit verify --db PATH\n\n"
	  "Recompute the hash chain of the audit trail. Exit 0 when it is intact, 1 naming the\n"
	  "first event that was edited, deleted or moved.\n" },
	{ "keys", cmd_keys, "Rotate the data key, or replace the master key",
	  "usage: ponte keys rotate --db PATH [--key PATH] [--batch N]\n"
	  "       ponte keys replace-master --db PATH [--key OLD] --new-key NEW\n\n"
	  "rotate: create a new data key and re-encrypt every encrypted value under it, N rows\n"
	  "per transaction (default 500), while the server keeps running. If interrupted, run\n"
	  "it again: it continues where it stopped. The old key is retired when nothing uses "
	  "it.\n\n"
	  "replace-master: create the key file NEW (mode 0600; an existing file is refused) and\n"
	  "rewrap every data key and the blind-index key under it in one transaction; from then\n"
	  "on only NEW opens the database and OLD (default: $PONTE_KEY, else PATH.key) opens\n"
	  "nothing in it. Interrupted, OLD still opens it: remove NEW and run again. Run it with\n"
	  "serve stopped, then start serve with NEW. Backups taken before restore with OLD.\n" },
	{ "settings", cmd_settings, "Show or change the installation's settings",
	  "usage: ponte settings list --db PATH\n"
	  "       ponte settings set --db PATH --name NAME --value V\n\n"
	  "  session_idle_minutes           idle timeout of browser sessions (1-1440, default 30)\n"
	  "  session_absolute_hours         lifetime of browser sessions (1-720, default 12)\n"
	  "  api_token_hours                lifetime of API tokens (1-8760, default 12)\n"
	  "  require_2fa_for_flagged_roles  1: administrators and focal points must use 2FA\n"
	  "                                 (default), 0: optional\n"
	  "  obs_dp_only                    1: the observatory publishes counts only by\n"
	  "                                 differentially private releases (no dashboard,\n"
	  "                                 download, report, stats, table or microdata\n"
	  "                                 release), 0: every view (default)\n"
	  "  obs_min_count                  the observatory's threshold: a perturbed count\n"
	  "                                 below it is withheld everywhere (3-100, default 5)\n"
	  "  arabic_eastern_digits          1: Arabic pages write numbers and dates in Eastern\n"
	  "                                 Arabic digits, 0: Western ones (default)\n"
	  "  second_language                where a language pack's missing words come from\n"
	  "                                 before English: en (default), fr, pt, es or ar\n"
	  "  time_zone                      the zone in which pages show dates and times, a\n"
	  "                                 name of the tz database (/usr/share/zoneinfo):\n"
	  "                                 Africa/Niamey, Europe/Lisbon... (default UTC)\n"
	  "Running servers pick changes up within 5 seconds. Changes are audited.\n" },
	{ "i18n", cmd_i18n, "Load, list, roll back or withdraw language packs",
	  "usage: ponte i18n load --db PATH --file FILE.po [--lang CODE]\n"
	  "       ponte i18n list --db PATH\n"
	  "       ponte i18n rollback --db PATH --lang CODE --version N\n"
	  "       ponte i18n withdraw --db PATH --lang CODE\n\n"
	  "load checks a PO file (syntax, Plural-Forms, placeholders, markup, sizes) and stores\n"
	  "it as the next version of its language: a language Ponte does not ship (ha, wo...)\n"
	  "becomes one users can choose, a shipped one (fr...) takes its words over the shipped\n"
	  "ones. Each problem is printed as FILE:LINE: message, and nothing changes. The language\n"
	  "is --lang, else the file's Language header. Missing words come from the setting\n"
	  "second_language, then English.\n\n"
	  "list prints every version (who, when) and the share of texts each language translates.\n"
	  "rollback makes a new version with the words of version N; withdraw one without words.\n"
	  "Running servers pick changes up within 5 seconds. Changes are audited.\n" },
	{ "demo", cmd_demo, "Fill a database with fictional demonstration data",
	  "usage: ponte demo --db PATH [--cases N] [--knowledge K] [--seed S] [--password P]\n"
	  "                  [--accounts-json FILE] [--country CC] [--key PATH]\n\n"
	  "Add fictional organisations and one account per default role in Niger, Senegal, Mali,\n"
	  "Nigeria, Portugal, Spain and Italy, their services and focal-point directory with\n"
	  "rotation history, referrals in every state, observatory records and releases,\n"
	  "24 published knowledge items in English, French and Portuguese, N cases (default 200)\n"
	  "spread over phases, statuses, children and adults, and K synthetic knowledge items\n"
	  "(default 0, for measurements). The same seed gives the same data. Without --password a\n"
	  "password is generated and printed; --accounts-json writes the accounts as\n"
	  "[{\"email\",\"role\",\"org\",\"country\"}]. --country CC makes one country's\n"
	  "installation (make run-region): only its organisations, accounts, services, directory\n"
	  "and cases, no knowledge items nor observatory records. Never use it on a real\n"
	  "installation.\n" },
	{ "obs", cmd_obs, "Import observatory records and compute statistics",
	  "usage: ponte obs import --db PATH --format ctdc|htcds --provider ORG [--skip-invalid]\n"
	  "                        FILE\n"
	  "       ponte obs export --db PATH [--format ctdc|htcds] [--provider ORG] > FILE\n"
	  "       ponte obs indicators --db PATH [--country CC] [--suppress K]\n"
	  "       ponte obs estimate --db PATH --country CC --year Y --value N [--source S]\n"
	  "       ponte obs stats --db PATH --by DIM[,DIM2] [--where DIM=VALUE ...]\n"
	  "                       [--suppress K] [--format csv|json]\n"
	  "       ponte obs release --db PATH --method tables|dp|microdata [--by DIM[,DIM2] ...]\n"
	  "                         [--provider ORG] [--k K] [--epsilon E] [--from Y --to Y]\n"
	  "                         [--qi COL,...] [--sensitive COL,...|none] [--l L]\n"
	  "                         [--max-suppressed SHARE]\n"
	  "       ponte obs releases --db PATH\n"
	  "       ponte obs budget --db PATH --provider ORG [--history]\n"
	  "       ponte obs budget --db PATH --provider ORG --epsilon TOTAL --reason TEXT\n"
	  "                        --as EMAIL [--key PATH]\n\n"
	  "import reads a file in the 63-column CTDC publication format, or with columns named\n"
	  "by the HTCDS (fields that identify a person are refused), for the provider\n"
	  "organisation ORG. Everything is checked first; each problem is printed as\n"
	  "FILE:LINE:COLUMN: message, and nothing is written unless the whole file is valid\n"
	  "(or --skip-invalid: the valid records are written). Importing the same file again adds\n"
	  "nothing. It prints {\"read\":N,\"imported\":N,\"rejected\":N}.\n\n"
	  "export writes the records (of one provider, or all) in the same format.\n\n"
	  "indicators prints, per year of registration, the records, the share of children and\n"
	  "of forced labour among informed records, and with --country the estimate recorded by\n"
	  "estimate and the share of estimated victims identified. Years with fewer than K\n"
	  "records (default 5) are withheld.\n\n"
	  "stats counts records over one or two dimensions: year, source, gender, age_band,\n"
	  "majority, citizenship, country_of_exploitation, exploitation, control, status,\n"
	  "provider, flow (domestic or transnational). Missing values are their own category\n"
	  "(missing); multi-response variables\n"
	  "count a record once per value (none: informed, nothing reported). Counts below K\n"
	  "(default 5) are shown as <K; --suppress 0 gives exact counts. CSV: "
	  "DIM[,DIM2],count.\n\n"
	  "release publishes a new, immutable version under <database>.files/releases/vN:\n"
	  "data.csv, data.xlsx, data.json, manifest.json (method, parameters, date, source,\n"
	  "SHA-256 of each file), methodology.md and SHA256SUMS. tables: suppressed tables\n"
	  "(threshold K, default 5); dp: every cell of each table's domain with geometric noise,\n"
	  "EPSILON shared among the tables, refused if a provider's dataset lacks the budget;\n"
	  "microdata: one row per record, each identical over all its columns to at least K-1\n"
	  "others (default 10), each group of rows sharing the quasi-identifiers (default year,\n"
	  "gender, age_band, majority, citizenship, country_of_exploitation) with at least L\n"
	  "values (default 2) of each sensitive column (default exploitation, control, status);\n"
	  "other columns are not published; refused or adapted so that it cannot be compared\n"
	  "with an earlier microdata release of the same records to single anyone out.\n"
	  "Without --by: year, and year with gender, age_band, citizenship,\n"
	  "country_of_exploitation and exploitation. budget shows the total epsilon of a\n"
	  "provider's records (default: the setting obs_epsilon_budget, 3), what releases spent\n"
	  "and, with --history, each change of it; with --epsilon it sets it, an administrator's\n"
	  "decision: --as names the administrator (permission obs.budget) and --reason says why\n"
	  "(10 to 500 characters); both are kept and audited, anyone else is refused.\n" },
	{ "peer", cmd_peer,
	  "Show this instance's identity; register, list or revoke peers; rotate the keys",
	  "usage: ponte peer id --db PATH [--key PATH] [--url URL]\n"
	  "       ponte peer add --db PATH --identity FILE --fingerprint FP\n"
	  "       ponte peer list --db PATH\n"
	  "       ponte peer revoke --db PATH --instance ID\n"
	  "       ponte peer rotate --db PATH [--key PATH]\n\n"
	  "id prints this instance's public identity as JSON (instance_id, name, country, url,\n"
	  "sign_key, box_key, fingerprint), creating its keys the first time; --url sets the\n"
	  "address peers deliver to:\n"
	  "  " TRM_URL_RULE ".\n"
	  "Send the JSON to the other country's administrator and read the fingerprint to them\n"
	  "over the phone. add registers a peer's identity only if FP (as they read it to you)\n"
	  "matches its keys. revoke stops accepting anything from a peer; it stays listed. rotate\n"
	  "gives this instance new keys and tells every active peer in a message signed with the\n"
	  "old key; the old keys stay valid for 14 days.\n"
	  "See docs/trm.md.\n" },
	{ "trm", cmd_trm, "Show the messages waiting to leave for peers",
	  "usage: ponte trm outbox --db PATH\n\n"
	  "Lists the outbox, newest first: when, to which peer, the type, pending, delivered or\n"
	  "failed, the attempts, the next attempt and the last error.\n" },
	{ "backup", cmd_backup, "Back up the database and its files into one encrypted archive",
	  "usage: ponte backup --db PATH --out FILE [--key PATH] [--backup-key FILE.pub]\n"
	  "       ponte backup --db PATH --dir DIR [--keep N] [--key PATH] [--backup-key "
	  "FILE.pub]\n"
	  "       ponte backup --verify FILE [--key PATH | --backup-key FILE] [--work DIR]\n"
	  "       ponte backup --generate-key FILE\n\n"
	  "Copy the database while the server keeps running (every commit before the copy\n"
	  "began, none after), with the files folder PATH.files (attachments, knowledge files,\n"
	  "observatory releases), into one archive with a manifest (schema version, rows per\n"
	  "table, the audit chain's head, a checksum of every file). The copy is checked\n"
	  "before it is written (integrity_check, the audit chain, every attachment's seal).\n"
	  "The archive is encrypted to the instance's key file, or with --backup-key to a\n"
	  "separate backup key whose secret half is kept off the server: it then carries the\n"
	  "instance's key too, so the secret half alone restores it if the server is lost.\n"
	  "An existing FILE is never overwritten. --dir names the archive\n"
	  "DIR/ponte-YYYYMMDDTHHMMSS.mmmZ.pbk and, with --keep N, removes all but the newest N\n"
	  "afterwards. Each backup is recorded (the administrator's start page shows the age\n"
	  "of the last good one) and audited.\n\n"
	  "--verify checks an archive as a restore would, without restoring: authenticity,\n"
	  "manifest, integrity_check, the audit chain, every attachment's seal.\n"
	  "--generate-key writes a new backup key: FILE (secret, 0600) and FILE.pub.\n\n"
	  "  --key PATH         the instance's key file (default: $PONTE_KEY, else PATH.key)\n"
	  "  --backup-key FILE  a backup key: the public half to write, the secret one to read\n"
	  "  --work DIR         where --verify unpacks (default: $TMPDIR, else /tmp)\n" },
	{ "restore", cmd_restore, "Restore a backup into a new database",
	  "usage: ponte restore --archive FILE --db NEWPATH [--key PATH | --backup-key FILE]\n\n"
	  "Unpack the archive beside NEWPATH and check everything (authenticity, manifest,\n"
	  "PRAGMA integrity_check, rows per table, the audit chain, every attachment's seal)\n"
	  "before it says yes; only then NEWPATH, NEWPATH.files and NEWPATH.key appear. It\n"
	  "never overwrites: any of them existing is refused. --key is the instance's key file\n"
	  "for an archive to the instance's key (default: $PONTE_KEY); --backup-key the secret\n"
	  "half of the backup key it was encrypted to.\n" },
	{ "serve", cmd_serve, "Serve the web application and API",
	  "usage: ponte serve --db PATH [--key PATH] [--files DIR] [--listen ADDR:PORT]\n"
	  "                   [--threads N] [--public-url URL]\n"
	  "                   [--backup-dir DIR [--backup-key FILE.pub]]\n"
	  "                   [--metrics-token-file FILE]\n"
	  "                   [--trusted-proxy ADDR[,ADDR...]]\n\n"
	  "Serve Ponte over HTTP. Pending migrations are applied first. SIGTERM or SIGINT stop it\n"
	  "gracefully: no new connections, in-flight requests finish (up to 10 s), the database\n"
	  "is checkpointed, exit status 0. One JSON line per request is logged on stderr.\n\n"
	  "  --db PATH          database file or postgresql:// URL (default: $PONTE_DB)\n"
	  "  --key PATH         master key file (default: $PONTE_KEY, else PATH.key)\n"
	  "  --files DIR        folder of attachments, knowledge files and observatory\n"
	  "                     releases (default: $PONTE_FILES, else PATH.files; required\n"
	  "                     with a postgresql:// URL)\n"
	  "  --listen ADDR:PORT address to listen on (default: $PONTE_LISTEN, else "
	  "127.0.0.1:8080;\n"
	  "                     port 0 picks a free port)\n"
	  "  --threads N        worker threads (default: number of CPUs)\n"
	  "  --backup-dir DIR   before applying migrations, take a backup into DIR (default:\n"
	  "                     $PONTE_BACKUP_DIR; created, mode 0700, if missing); without\n"
	  "                     it, an upgrade is refused until a backup of the current\n"
	  "                     schema was taken in the last 24 hours\n"
	  "  --backup-key FILE  that backup is encrypted to this public backup key\n"
	  "  --metrics-token-file FILE  /metrics only with \"Authorization: Bearer\" and the\n"
	  "                     file's first line (default: $PONTE_METRICS_TOKEN_FILE)\n"
	  "  --public-url URL   the address users reach, e.g. https://ponte.example.org behind a\n"
	  "                     TLS proxy (default: $PONTE_PUBLIC_URL); https makes cookies "
	  "Secure\n"
	  "                     and adds Strict-Transport-Security\n"
	  "  --trusted-proxy A  reverse proxies (numeric addresses, comma-separated) whose\n"
	  "                     X-Forwarded-For names the client for limits, login throttling\n"
	  "                     and the audit trail (default: $PONTE_TRUSTED_PROXIES, else none:\n"
	  "                     the header is ignored)\n\n"
	  "Environment: PONTE_LOG_LEVEL=debug|info|warn|error (default info).\n" },
};

const cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(COMMANDS); i++)
		if (strcmp(COMMANDS[i].name, name) == 0)
			return &COMMANDS[i];
	return NULL;
}

static void print_overview(FILE *out)
{
	fprintf(out, "usage: ponte COMMAND [OPTIONS]\n\n"
		     "Ponte: cooperation against trafficking in human beings and the smuggling of "
		     "migrants.\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(COMMANDS); i++)
		fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
	fprintf(out, "\nRun `ponte COMMAND --help` for the options of a command.\n"
		     "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc <= 1) {
		print_overview(stdout);
		return EXIT_OK;
	}
	const cli_command *c = cli_find(argv[1]);
	if (!c)
		return cli_usage_error("help", "unknown command \"%s\"", argv[1]);
	fputs(c->usage, stdout);
	return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	UNUSED(argv);
	if (argc > 1)
		return cli_usage_error("version", "takes no arguments");
	printf("ponte %s (%s)\n", PONTE_VERSION, PONTE_REVISION);
	return EXIT_OK;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ponte %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see `ponte %s --help`)\n", cmd);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ponte: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_FAIL;
}

const char *cli_db_path(const char *cmd, const char *opt)
{
	const char *p = opt && *opt ? opt : getenv("PONTE_DB");
	if (!p || !*p) {
		cli_usage_error(cmd, "no database given: use --db PATH or set PONTE_DB");
		return NULL;
	}
	return p;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static void configure_logging(void)
{
	const char *level = getenv("PONTE_LOG_LEVEL");
	if (!level)
		return;
	if (!strcmp(level, "debug"))
		log_set_level(LOG_DEBUG);
	else if (!strcmp(level, "warn"))
		log_set_level(LOG_WARN);
	else if (!strcmp(level, "error"))
		log_set_level(LOG_ERROR);
}

int cli_main(int argc, char **argv)
{
	/* Everything Ponte creates (the database, its -wal and -shm, the files folder, keys,
	 * exports) holds victims' data: readable by its owner only, whatever the shell's umask. */
	umask(077);
	configure_logging();
	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "-V"))
		name = "version";
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		print_overview(stdout);
		return EXIT_OK;
	}
	const cli_command *c = cli_find(name);
	if (!c) {
		fprintf(stderr, "ponte: unknown command \"%s\" (see `ponte help`)\n", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		fputs(c->usage, stdout);
		return EXIT_OK;
	}
	return c->run(argc - 1, argv + 1);
}
