#include "cli/cli.h"
#include "keys/keys.h"

int cli_open(const char *cmd, const char *db_opt, const char *key_opt, store **s,
	     crypto_keyring **keys)
{
	const char *path = cli_db_path(cmd, db_opt);
	if (!path)
		return EXIT_USAGE;
	char err[512];
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");
	int rc = store_open(path, NULL, s, err, sizeof(err));
	if (rc)
		return cli_fail("%s", err);
	store_migration_report r;
	if (store_migrate(*s, &r)) {
		store_close(*s);
		return cli_fail("%s", r.message);
	}
	if (keys) {
		char key_path[4096];
		keys_path_for(key_opt, path, key_path, sizeof(key_path));
		rc = keys_load(*s, key_path, keys, err, sizeof(err));
		if (rc) {
			store_close(*s);
			return cli_fail("%s", err);
		}
	}
	return EXIT_OK;
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
