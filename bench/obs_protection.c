/* What the cell key method costs a table, measured as the server counts it: obs_stats() over
 * the shared in-memory cube, exact and protected in turn on the same records, in the same run.
 * Built and run by bench/obs.sh against build/libponte.a:
 *
 *   obs_protection DB RUNS
 *
 * prints one Markdown row per table: median exact, median protected (ms of the thread's CPU
 * time, which the load of a shared machine disturbs less than the wall clock), and their
 * ratio. */
#include <time.h>

#include "obs/obs.h"
#include "store/store.h"

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_double);
	return v[n / 2];
}

static double once(const keyed_store *env, obs_query *q)
{
	arena a;
	arena_init(&a, 64u << 20);
	obs_cell *cells;
	size_t n;
	int64_t records;
	struct timespec t0, t1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	if (obs_stats(env, &a, q, &cells, &n, &records) != 0) {
		fprintf(stderr, "obs_protection: obs_stats failed\n");
		exit(1);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	arena_release(&a);
	return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: obs_protection DB RUNS\n");
		return 2;
	}
	char err[256];
	store *db;
	if (store_open(argv[1], NULL, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "obs_protection: %s\n", err);
		return 1;
	}
	size_t runs = (size_t)strtoul(argv[2], NULL, 10);
	if (runs < 1 || runs > 1000)
		runs = 5;
	keyed_store env = { db, NULL };
	static const struct {
		const char *what, *by[2], *where[2];
	} TABLES[] = {
		{ "citizenship x gender", { "citizenship", "gender" }, { NULL, NULL } },
		{ "exploitation (multi-response) x year",
		  { "exploitation", "year" },
		  { NULL, NULL } },
		{ "country of exploitation x means of control, minors",
		  { "country_of_exploitation", "control" },
		  { "majority", "minor" } },
		{ "gender, one year", { "gender", NULL }, { "year", "2016" } },
	};
	double *exact = calloc(runs, sizeof(*exact)), *protected = calloc(runs, sizeof(*protected));
	for (size_t t = 0; t < sizeof(TABLES) / sizeof(TABLES[0]); t++) {
		obs_query q = { .by = { TABLES[t].by[0], TABLES[t].by[1] }, .suppress = 5 };
		if (TABLES[t].where[0]) {
			q.where_dim[0] = TABLES[t].where[0];
			q.where_value[0] = TABLES[t].where[1];
			q.nwhere = 1;
		}
		once(&env, &q); /* the cube is loaded (or built) once, then shared */
		for (size_t r = 0; r < runs; r++) {
			q.exact = true;
			exact[r] = once(&env, &q);
			q.exact = false;
			protected[r] = once(&env, &q);
		}
		double e = median(exact, runs), p = median(protected, runs);
		printf("| %s | `obs_stats()` in process (CPU time), %zu runs | %.2f ms | %.2f ms | "
		       "%.2fx |\n",
		       TABLES[t].what, runs, e, p, p / e);
	}
	free(exact);
	free(protected);
	store_close(db);
	return 0;
}
