/* ponte backup and ponte restore (docs/backup.md). */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "backup/backup.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "keys/keys.h"

/* The key an archive is written to: the separate backup key (its public half suffices)
 * or the instance's master key; either way the master key is read, to check the
 * attachments' seals and, for a separate key, to travel inside the archive. */
static int writer_key(const char *cmd, const char *key_path, const char *backup_key_path,
		      backup_key *k)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	if (backup_key_path && backup_key_load(backup_key_path, k, err, sizeof(err)))
		return cli_fail("%s", err);
	if (!backup_key_path)
		k->kind = BACKUP_KEY_INSTANCE;
	if (crypto_master_key_load(key_path, k->master, err, sizeof(err))) {
		backup_key_wipe(k);
		return cli_fail("%s: %s", cmd, err);
	}
	k->has_master = true;
	return EXIT_OK;
}

/* The key an archive is read with: a backup key's secret half, or the instance's key file. */
static int reader_key(const char *cmd, const char *key_path, const char *backup_key_path,
		      backup_key *k)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	if (backup_key_path) {
		if (backup_key_load(backup_key_path, k, err, sizeof(err)))
			return cli_fail("%s", err);
		if (!k->has_secret) {
			backup_key_wipe(k);
			return cli_fail("%s is the public half of a backup key; reading an archive "
					"needs the secret half",
					backup_key_path);
		}
		return EXIT_OK;
	}
	if (!key_path)
		return cli_usage_error(cmd, "give --key (the instance's key file) or --backup-key "
					    "(the secret backup key)");
	if (crypto_master_key_load(key_path, k->master, err, sizeof(err)))
		return cli_fail("%s", err);
	k->kind = BACKUP_KEY_INSTANCE;
	k->has_master = true;
	return EXIT_OK;
}

static void print_report(const char *what, const char *path, const backup_report *r)
{
	printf("%s %s: taken %s, schema %lld, %lld cases, %lld audit events (head %.16s), "
	       "%lld files, %lld sealed attachments opened, %llu bytes\n",
	       what, path, r->created_at, (long long)r->schema_version, (long long)r->cases,
	       (long long)r->audit_events, r->audit_head, (long long)r->files,
	       (long long)r->sealed_attachments, (unsigned long long)r->bytes);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the newest `keep` archives named ponte-<time>.pbk in dir (names sort by time); those
 * taken before an upgrade (ponte-schemaN-...) are never removed. */
static void prune(const char *dir, int keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char *names[4096];
	size_t n = 0;
	for (struct dirent *e = readdir(d); e && n < ARRAY_LEN(names); e = readdir(d)) {
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, "ponte-", 6) == 0 && l > 10 && e->d_name[6] >= '0' &&
		    e->d_name[6] <= '9' && strcmp(e->d_name + l - 4, ".pbk") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (names[i] && i + (size_t)keep < n) {
			char p[4400];
			snprintf(p, sizeof(p), "%.4000s/%s", dir, names[i]);
			if (unlink(p) == 0)
				printf("removed %s (more than %d backups)\n", p, keep);
		}
		free(names[i]);
	}
}

int cli_take_backup(store *s, const char *key_path, const char *backup_key_path, const char *out,
		    backup_report *r)
{
	/* A store ponte backup cannot copy is refused by backup_take, saying which tools copy
	 * it, before any key is read. */
	backup_key k = { 0 };
	int rc = backup_available(s) ? writer_key("backup", key_path, backup_key_path, &k) : 0;
	if (rc)
		return rc;
	rc = backup_take(s, key_path, &k, out, r);
	backup_key_wipe(&k);
	if (r->created_at[0])
		backup_record(s, r, out, rc == 0);
	audit_event e = { .action = "backup.create",
			  .object_type = "backup",
			  .object_id = "",
			  .outcome = rc ? "failure" : "success",
			  .client = "cli" };
	audit_append(s, &e);
	if (rc)
		return cli_fail("backup failed: %s", r->why);
	return EXIT_OK;
}

int cmd_backup(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *dir = NULL, *key = NULL, *bkey = NULL, *verify = NULL,
		   *work = NULL, *generate = NULL;
	int64_t keep = 0;
	const cli_opt opts[] = { CLI_TEXT("db", &db),
				 CLI_TEXT("out", &out),
				 CLI_TEXT("dir", &dir),
				 CLI_WHOLE("keep", &keep, 1, 1000,
					   "--keep must be a number from 1 to 1000"),
				 CLI_TEXT("key", &key),
				 CLI_TEXT("backup-key", &bkey),
				 CLI_TEXT("verify", &verify),
				 CLI_TEXT("work", &work),
				 CLI_TEXT("generate-key", &generate) };
	int prc = cli_parse("backup", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");
	char err[512];
	if (generate) {
		char id[33];
		if (backup_key_generate(generate, id, err, sizeof(err)))
			return cli_fail("%s", err);
		printf("backup key %s: secret half in %s (keep it off the server), public half in "
		       "%s.pub (give it to ponte backup --backup-key)\n",
		       id, generate, generate);
		return EXIT_OK;
	}
	if (verify) {
		backup_key k;
		int rc = reader_key("backup", key ? key : getenv("PONTE_KEY"), bkey, &k);
		if (rc)
			return rc;
		backup_report r;
		rc = backup_verify(verify, &k, work, &r);
		backup_key_wipe(&k);
		if (rc)
			return cli_fail("%s is not a good backup: %s", verify, r.why);
		print_report("good backup", verify, &r);
		return EXIT_OK;
	}
	if (!out == !dir)
		return cli_usage_error("backup", "give either --out FILE or --dir DIR");
	if (keep && !dir)
		return cli_usage_error("backup", "--keep goes with --dir");
	const char *path = cli_db_path("backup", db);
	if (!path)
		return EXIT_USAGE;
	char key_path[4096], named[4400];
	keys_path_for(key, path, key_path, sizeof(key_path));
	if (dir) {
		char when[CLOCK_RFC3339_LEN], stamp[32];
		clock_format_rfc3339(clock_wall_ms(), when);
		/* 2026-12-02T11:20:07.123Z -> 20261202T112007.123Z: sorts by time */
		size_t j = 0;
		for (size_t i = 0; when[i] && j + 1 < sizeof(stamp); i++)
			if (when[i] != '-' && when[i] != ':')
				stamp[j++] = when[i];
		stamp[j] = '\0';
		snprintf(named, sizeof(named), "%.4000s/ponte-%s.pbk", dir, stamp);
		out = named;
	}
	/* Opened as it is: a database about to be upgraded is backed up at its own schema. */
	store *s;
	if (store_open(path, NULL, &s, err, sizeof(err)))
		return cli_fail("%s", err);
	backup_report r;
	int rc = cli_take_backup(s, key_path, bkey, out, &r);
	store_checkpoint(s);
	store_close(s);
	if (rc)
		return rc;
	print_report("backup", out, &r);
	if (dir && keep)
		prune(dir, (int)keep);
	return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
	const char *archive = NULL, *db = NULL, *key = NULL, *bkey = NULL;
	const cli_opt opts[] = { CLI_TEXT("archive", &archive), CLI_TEXT("db", &db),
				 CLI_TEXT("key", &key), CLI_TEXT("backup-key", &bkey) };
	int prc = cli_parse("restore", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	if (!archive || !db)
		return cli_usage_error("restore", "give --archive FILE and --db NEWPATH");
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");
	backup_key k;
	int rc = reader_key("restore", key ? key : getenv("PONTE_KEY"), bkey, &k);
	if (rc)
		return rc;
	backup_report r;
	rc = backup_restore(archive, &k, db, &r);
	backup_key_wipe(&k);
	if (rc)
		return cli_fail("nothing restored: %s", r.why);
	print_report("restored", db, &r);
	printf("start it with: ponte serve --db %s (its key file is %s.key)\n", db, db);
	return EXIT_OK;
}
