/* libFuzzer: files providers upload to the observatory, read as CTDC or HTCDS, and the column
 * cache read back from disk. The first byte chooses: bit 0 the format (CTDC, HTCDS), bit 1
 * --skip-invalid, bit 2 the cache instead (the rest after a valid header). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs/cube.h"

static store *db;
static int64_t provider;
static char dir[] = "/tmp/ponte-fuzz-obs-XXXXXX", cube_path[4200];

/* The database of the run goes with it. */
static void cleanup(void)
{
	static const char *const files[] = { "f.db", "f.db-wal", "f.db-shm", "f.db.obs-cube" };
	char path[4200];
	if (db)
		store_close(db);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
	remove(dir);
}

static void setup(void)
{
	char path[4200], err[256];
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/f.db", dir);
	snprintf(cube_path, sizeof(cube_path), "%s.obs-cube", path);
	store_migration_report r;
	if (store_create(path, NULL, &db, err, sizeof(err)) || store_migrate(db, &r))
		abort();
	organisation o = { 0, "FZ-NGO", "Fuzzing (test)", "PT", "NGO", 0, false };
	if (org_add(db, &o, &provider))
		abort();
}

/* A cache file: a current header followed by the input. */
static void cache_file(const uint8_t *data, size_t size)
{
	cube c;
	if (cube_load(db, &c) == 0) /* builds and writes a current one */
		cube_release(&c);
	FILE *f = fopen(cube_path, "r+b");
	if (!f)
		return;
	unsigned char header[16 + 8 * 3 + 8 * CUBE_DIMS + 8];
	size_t n = fread(header, 1, sizeof(header), f);
	fclose(f);
	if (!(f = fopen(cube_path, "wb")))
		return;
	fwrite(header, 1, n, f);
	fwrite(data, 1, size, f);
	fclose(f);
	if (cube_load(db, &c) == 0) {
		for (int d = 0; d < CUBE_DIMS; d++)
			for (size_t i = 0; !c.multi[d] && i < c.n; i++)
				if (c.codes[d][i] >= c.nnames[d])
					abort();
		cube_release(&c);
	}
	remove(cube_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		setup();
	if (!size)
		return 0;
	if (data[0] & 4) {
		cache_file(data + 1, size - 1);
		return 0;
	}
	keyed_store env = { db, NULL };
	obs_import_result *r = calloc(1, sizeof(*r));
	bool skip = data[0] & 2;
	int rc = obs_import(&env, data[0] & 1 ? "htcds" : "ctdc", provider, (const char *)data + 1,
			    size - 1, skip, r);
	if (r->imported > r->read || r->rejected > r->read || r->nproblems > r->total_problems ||
	    r->nproblems > OBS_MAX_PROBLEMS)
		abort();
	if (rc == 0 && !skip && r->rejected)
		abort(); /* a refused line without --skip-invalid writes nothing */
	if (rc != 0 && r->imported)
		abort();
	free(r);
	return 0;
}
