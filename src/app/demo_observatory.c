/* Observatory records for the demonstration: synthetic CTDC files imported for four data
 * providers, through the same import as real files, and estimates of victims for the
 * identification ratio; and three releases made from them. */
#include "app/demo.h"
#include "obs/obs.h"

static const struct {
	const char *provider;
	size_t records;
} FILES[] = {
	{ "PT-NGO", 1500 },
	{ "ES-NGO", 1200 },
	{ "NE-NGO", 900 },
	{ "NG-NGO", 1400 },
};

/* Invented estimates of victims (the Oporto meeting quoted identification near 0.4 %). */
static const struct {
	const char *country;
	int64_t estimate;
} ESTIMATES[] = { { "PT", 52000 }, { "ES", 105000 }, { "NE", 88000 }, { "NG", 940000 } };

int demo_observatory(const keyed_store *env, int year, const char *files_dir)
{
	obs_import_result *r = calloc(1, sizeof(*r));
	if (!r)
		return PONTE_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(FILES) && !rc; i++) {
		organisation o;
		arena a;
		arena_init(&a, 1u << 16);
		buf file;
		buf_init(&file, 64u << 20);
		rc = org_find(env->db, &a, FILES[i].provider, &o);
		if (!rc)
			rc = obs_synthetic_ctdc(&file, FILES[i].records, 2016 + i);
		if (!rc)
			rc = obs_import(env, "ctdc", o.id, file.data, file.len, false, r);
		buf_release(&file);
		arena_release(&a);
	}
	for (size_t i = 0; i < ARRAY_LEN(ESTIMATES) && !rc; i++)
		for (int y = year - 3; y < year && !rc; y++)
			rc = obs_estimate_set(env->db, ESTIMATES[i].country, y,
					      ESTIMATES[i].estimate, "demonstration figure");
	free(r);
	/* What the observatory has published: tables, private counts and microdata. */
	static const obs_method METHODS[] = { OBS_TABLES, OBS_DP, OBS_MICRODATA };
	for (size_t i = 0; i < ARRAY_LEN(METHODS) && !rc && files_dir; i++) {
		obs_release_request rq = { .method = METHODS[i],
					   .epsilon = 1.0,
					   .max_suppressed = 0.02,
					   .year_from = year - 10,
					   .year_to = year - 1,
					   .files_dir = files_dir };
		obs_release_result rel;
		rc = obs_release(env, &rq, &rel);
	}
	return rc;
}
