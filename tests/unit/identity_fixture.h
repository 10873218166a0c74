/* A fresh database with keys and the demo organisations and users, for identity tests. */
#ifndef PONTE_IDENTITY_FIXTURE_H
#define PONTE_IDENTITY_FIXTURE_H

#include "testutil.h"

#include "app/demo.h"
#include "instance/instance.h"
#include "keys/keys.h"

struct fixture {
	char *dir, *db_path, *key_path;
	store *db;
	crypto_keyring *keys;
	keyed_store env;
};

/* Built once per test program (argon2id makes users slow to create), then copied. */
static char *fixture_template_dir;

static inline void fixture_build(const char *dir)
{
	char err[512];
	char *db_path = test_path(dir, "p.db"), *key_path = test_path(dir, "p.key");
	store *db;
	crypto_keyring *keys;
	assert_int_equal(store_create(db_path, NULL, &db, err, sizeof(err)), 0);
	store_migration_report r;
	assert_int_equal(store_migrate(db, &r), 0);
	assert_int_equal(instance_set(db, "Test", "PT"), 0);
	int rc = keys_setup(db, key_path, &keys, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	keyed_store env = { db, keys };
	assert_int_equal(demo_fill(&env), 0);
	organisation admin_org = {
		0, "ADMIN", "Administration", "PT", "CentralGovernmentOrganisation", 0, false
	};
	assert_int_equal(org_add(db, &admin_org, NULL), 0);
	user_input admin = { .email = DEMO_ADMIN_EMAIL,
			     .name = "Administrator",
			     .organisation_code = "ADMIN",
			     .roles = { "administrator" },
			     .nroles = 1,
			     .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &admin, NULL, &problem), 0);
	crypto_keyring_free(keys);
	store_checkpoint(db);
	store_close(db);
	free(db_path);
	free(key_path);
}

static inline void fixture_open(struct fixture *f)
{
	char err[512], cmd[1024];
	memset(f, 0, sizeof(*f));
	assert_int_equal(crypto_init(), 0);
	if (!fixture_template_dir) {
		fixture_template_dir = test_tmpdir();
		fixture_build(fixture_template_dir);
	}
	f->dir = test_tmpdir();
	snprintf(cmd, sizeof(cmd), "cp -p '%s/p.db' '%s/p.key' '%s/'", fixture_template_dir,
		 fixture_template_dir, f->dir);
	assert_int_equal(system(cmd), 0);
	f->db_path = test_path(f->dir, "p.db");
	f->key_path = test_path(f->dir, "p.key");
	assert_int_equal(store_open(f->db_path, NULL, &f->db, err, sizeof(err)), 0);
	int rc = keys_load(f->db, f->key_path, &f->keys, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	f->env = (keyed_store){ f->db, f->keys };
}

/* Fail if any probe string is found in the database file, its WAL or its shared memory. */
static inline void assert_not_on_disk(const char *db_path, const char *const *probes, size_t n)
{
	const char *suffixes[] = { "", "-wal", "-shm" };
	for (size_t s = 0; s < 3; s++) {
		char path[600];
		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[s]);
		FILE *fp = fopen(path, "rb");
		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		long len = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		char *data = malloc((size_t)len + 1);
		assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
		fclose(fp);
		for (size_t p = 0; p < n; p++)
			if (memmem(data, (size_t)len, probes[p], strlen(probes[p])))
				fail_msg("%s found in %s", probes[p], path);
		free(data);
	}
}

static inline void fixture_close(struct fixture *f)
{
	crypto_keyring_free(f->keys);
	store_checkpoint(f->db);
	store_close(f->db);
	free(f->db_path);
	free(f->key_path);
	test_rmtree(f->dir);
}

#endif
