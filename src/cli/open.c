#include <sys/stat.h>

#include "backup/backup.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/log.h"
#include "cli/cli.h"
#include "keys/keys.h"

/* The folder serve backs up into before an upgrade: a missing one (and its missing parents)
 * is created for the serving user alone, and the log says so, since a typo in
 * PONTE_BACKUP_DIR then shows as a new folder in the log rather than as a refusal at the
 * next upgrade. Returns 0, or EXIT_FAIL after a message naming the folder and why. */
static int backup_dir_ensure(const char *cmd, const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return cli_fail("%s: --backup-dir is too long", cmd);
	struct stat sb;
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return 0;
		return cli_fail("%s: --backup-dir %s is not a folder", cmd, dir);
	}
	/* Each missing component in turn, from the top, as `mkdir -p -m 700` would. */
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			return cli_fail("%s: cannot create the backup folder %s: %s", cmd, path,
					strerror(errno));
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cli_fail("%s: --backup-dir %s is not a folder", cmd, dir);
	buf f;
	buf_init(&f, 8192);
	int rc = buf_puts(&f, ",\"path\":");
	if (!rc)
		rc = json_string(&f, dir, strlen(dir));
	if (!rc)
		rc = buf_puts(&f, ",\"mode\":\"0700\",\"message\":\"the backup folder did not "
				  "exist: created for this user alone\"");
	log_event(LOG_INFO, "backup_dir_created", rc ? "" : f.data);
	buf_release(&f);
	return 0;
}

int cli_upgrade_gate(const char *cmd, store *s, const char *key_path, const char *backup_dir,
		     const char *backup_key_path)
{
	int from = 0, to = 0;
	int rc = backup_upgrade_allowed(s, &from, &to);
	if (rc == 0)
		return EXIT_OK;
	if (rc != PONTE_EDENIED)
		return EXIT_OK; /* store_migrate reports what is wrong with the database */
	const char *path = store_display(s);
	/* Ponte takes no backup of a PostgreSQL database (backup_available()): the
	 * administrator takes one with PostgreSQL's tools, then applies the migrations on
	 * purpose with `ponte migrate`, which does not ask. The URL is not repeated: it may
	 * hold a password. */
	if (store_is_pg(s))
		return cli_fail(
		    "%s: %s is at schema %d and this Ponte brings it to %d; back the "
		    "database up with PostgreSQL's own tools first (pg_dump -Fc, or "
		    "pg_basebackup with WAL archiving; docs/deploy.md, On PostgreSQL), "
		    "with the files folder, then apply the migrations with `ponte migrate "
		    "--db URL` (the same URL) and start again",
		    cmd, path, from, to);
	if (backup_dir && *backup_dir) {
		if (backup_dir_ensure(cmd, backup_dir))
			return cli_fail("%s: no migration applied, since the backup before them "
					"failed",
					cmd);
		char when[CLOCK_RFC3339_LEN], out[4400];
		clock_format_rfc3339(clock_wall_ms(), when);
		snprintf(out, sizeof(out), "%.4000s/ponte-schema%d-%.10s-%.2s%.2s%.2s.pbk",
			 backup_dir, from, when, when + 11, when + 14, when + 17);
		backup_report r;
		if (cli_take_backup(s, key_path, backup_key_path, out, &r))
			return cli_fail("%s: no migration applied, since the backup before them "
					"failed",
					cmd);
		printf("backup before upgrading from schema %d to %d: %s\n", from, to, out);
		return EXIT_OK;
	}
	return cli_fail(
	    "%s: %s is at schema %d and this Ponte brings it to %d; take a backup "
	    "first: `ponte backup --db %s --out FILE`, then %s (or give --backup-dir DIR "
	    "to `ponte serve` to take it automatically)",
	    cmd, path, from, to, path,
	    from >= BACKUP_TABLE_SCHEMA ? "run this command again" : "`ponte migrate --db PATH`");
}

int cli_store_open(const char *cmd, const char *path, const char *files, store **s)
{
	char err[512];
	const store_options opt = { .files_dir = files };
	int rc = store_open(path, &opt, s, err, sizeof(err));
	if (rc == PONTE_ENOTFOUND)
		return cli_fail("no database at %s; create one with `ponte init --db %s`", path,
				path);
	if (rc)
		return cli_fail("%s", err);
	if (files && *files && !store_is_pg(*s)) {
		store_close(*s);
		return cli_usage_error(cmd, "--files (or PONTE_FILES) is for a postgresql:// "
					    "database: an SQLite file keeps its files in "
					    "PATH.files, where backups take them");
	}
	return EXIT_OK;
}

int cli_open(const char *cmd, const char *db_opt, const char *key_opt, store **s,
	     crypto_keyring **keys)
{
	const char *path = cli_db_path(cmd, db_opt);
	if (!path)
		return EXIT_USAGE;
	char err[512];
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");
	int rc = cli_store_open(cmd, path, getenv("PONTE_FILES"), s);
	if (rc)
		return rc;
	char key_path[4096];
	keys_path_for(key_opt, path, key_path, sizeof(key_path));
	if ((rc = cli_upgrade_gate(cmd, *s, key_path, NULL, NULL))) {
		store_close(*s);
		return rc;
	}
	store_migration_report r;
	if (store_migrate(*s, &r)) {
		store_close(*s);
		return cli_fail("%s", r.message);
	}
	if (keys) {
		rc = keys_load(*s, key_path, keys, err, sizeof(err));
		if (rc) {
			store_close(*s);
			return cli_fail("%s", err);
		}
	}
	return EXIT_OK;
}

int cli_open_keyed(const char *cmd, const char *db_opt, const char *key_opt, keyed_store *env)
{
	return cli_open(cmd, db_opt, key_opt, &env->db, &env->keys);
}

void cli_close_keyed(keyed_store *env)
{
	cli_close(env->db, env->keys);
}

void cli_close(store *s, crypto_keyring *keys)
{
	crypto_keyring_free(keys);
	store_checkpoint(s);
	store_close(s);
}

int cli_read_secret_file(const char *path, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_fail("cannot read %s: %s", path, strerror(errno));
	if (!fgets(out, (int)outlen, f)) {
		fclose(f);
		return cli_fail("%s is empty", path);
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return EXIT_OK;
}
