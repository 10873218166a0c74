/*
 * cli.h: the `ponte` command and its subcommands.
 *
 * Subcommands come from one table (cli.c). Each parses its own options, calls services, and
 * prints. Exit codes: 0 success, 1 failure (one clear line on stderr), 2 usage error.
 */
#ifndef PONTE_CLI_H
#define PONTE_CLI_H

#include "base/common.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "store/store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage; /* full --help text */
} cli_command;

int cli_main(int argc, char **argv);

/* Shared by subcommands (cli.c). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --db, else $PONTE_DB; NULL (after a usage message) when neither is given. */
const char *cli_db_path(const char *cmd, const char *opt);
/* Whether argv asks for --help / -h. */
bool cli_wants_help(int argc, char **argv);
const cli_command *cli_find(const char *name);

/* A subcommand's options, as one table (options.c): each entry names an option (--name) and
 * where its value goes. Numbers are checked against their range as they are read; a value
 * out of range, a list given too often, an unknown option or one without its value is a usage
 * error (exit 2). A later --name VALUE replaces an earlier one, except for lists. */
enum cli_opt_kind {
	CLI_OPT_TEXT,  /* --name VALUE into *text */
	CLI_OPT_FLAG,  /* --name sets *flag */
	CLI_OPT_WHOLE, /* --name N, digits, min <= N <= max, into *whole */
	CLI_OPT_REAL,  /* --name X, a finite number, min <= X <= max, into *real */
	CLI_OPT_LIST,  /* --name VALUE, repeatable: text[(*count)++], at most max times */
};

typedef struct cli_opt {
	const char *name;
	enum cli_opt_kind kind;
	const char **text;
	bool *flag;
	int64_t *whole;
	double *real;
	size_t *count;
	double min, max;
	const char *bad; /* WHOLE, REAL, LIST: the usage message when the value is refused */
} cli_opt;

#define CLI_TEXT(n, p)                                                                             \
	{                                                                                          \
		.name = (n), .kind = CLI_OPT_TEXT, .text = (p)                                     \
	}
#define CLI_FLAG(n, p)                                                                             \
	{                                                                                          \
		.name = (n), .kind = CLI_OPT_FLAG, .flag = (p)                                     \
	}
#define CLI_WHOLE(n, p, lo, hi, msg)                                                               \
	{                                                                                          \
		.name = (n), .kind = CLI_OPT_WHOLE, .whole = (p), .min = (lo), .max = (hi),        \
		.bad = (msg)                                                                       \
	}
#define CLI_REAL(n, p, lo, hi, msg)                                                                \
	{                                                                                          \
		.name = (n), .kind = CLI_OPT_REAL, .real = (p), .min = (lo), .max = (hi),          \
		.bad = (msg)                                                                       \
	}
#define CLI_LIST(n, arr, cnt, msg)                                                                 \
	{                                                                                          \
		.name = (n), .kind = CLI_OPT_LIST, .text = (arr), .count = (cnt),                  \
		.max = ARRAY_LEN(arr), .bad = (msg)                                                \
	}
#define CLI_MAX_OPTS 32

/* Read argv[1..argc) against opts (n entries). With rest NULL, any argument that is not an
 * option is a usage error ("unexpected argument"); else *rest is the index of the first such
 * argument (they are moved after the options). EXIT_OK, or EXIT_USAGE after the message. */
int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, size_t n, int *rest);

/* Open an existing database with its files folder (files: --files or PONTE_FILES, for a
 * PostgreSQL database only; an SQLite file's is PATH.files, which backups take). An exit code;
 * on EXIT_OK the caller owns *s. */
int cli_store_open(const char *cmd, const char *path, const char *files, store **s);
/* Open an existing database (migrated) and, with keys non-NULL, its keys (open.c). Returns an
 * exit code; on EXIT_OK the caller owns both and releases them with cli_close. */
int cli_open(const char *cmd, const char *db_opt, const char *key_opt, store **s,
	     crypto_keyring **keys);
void cli_close(store *s, crypto_keyring *keys);
/* The same for a command that reads or writes encrypted columns: the database with its keys,
 * as modules take them; released with cli_close_keyed. Same messages and exit codes. */
int cli_open_keyed(const char *cmd, const char *db_opt, const char *key_opt, keyed_store *env);
void cli_close_keyed(keyed_store *env);
/* The first line of a file, without its newline (passwords are never taken as arguments). */
int cli_read_secret_file(const char *path, char *out, size_t outlen);

int cmd_init(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_role(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_settings(int argc, char **argv);
/* Language packs: load, list, rollback, withdraw (cmd_i18n.c). */
int cmd_i18n(int argc, char **argv);
int cmd_obs(int argc, char **argv);
/* obs release, releases and budget (cmd_obs_release.c); argv[0] is the subcommand. */
int cmd_obs_release(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
/* db copy: an installation moved between stores (cmd_db_copy.c). */
int cmd_db(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* peer id|add|list|revoke and trm outbox (cmd_peer.c). */
int cmd_peer(int argc, char **argv);
int cmd_trm(int argc, char **argv);
/* backup and restore (cmd_backup.c). */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
struct backup_report;
/* Take a backup of s into out (to the backup key file, else to the instance's key), record
 * it in s and audit it; an exit code. */
int cli_take_backup(store *s, const char *key_path, const char *backup_key_path, const char *out,
		    struct backup_report *r);
/* Before migrations are applied to an existing database: 0 when allowed (nothing pending, a
 * recent good backup, or one just taken into backup_dir), else the exit code after a message
 * naming the command to run. */
int cli_upgrade_gate(const char *cmd, store *s, const char *key_path, const char *backup_dir,
		     const char *backup_key_path);

#endif
