/* `ponte obs import|stats`: the observatory from the command line. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/json.h"
#include "cli/cli.h"
#include "obs/obs.h"

/* In DP-only mode no count of the records is published but by private releases. */
#define DP_ONLY                                                                                    \
	"the observatory runs in DP-only mode (setting obs_dp_only): its counts are published "    \
	"only by differentially private releases (ponte obs release --method dp)"

static int obs_import_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *format = NULL, *provider = NULL;
	bool skip = false;
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("key", &key),
				 CLI_TEXT("format", &format), CLI_TEXT("provider", &provider),
				 CLI_FLAG("skip-invalid", &skip) };
	int first;
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), &first);
	if (prc)
		return prc;
	if (!format || (strcmp(format, "ctdc") != 0 && strcmp(format, "htcds") != 0))
		return cli_usage_error("obs", "--format must be ctdc or htcds");
	if (!provider)
		return cli_usage_error("obs", "--provider ORG is required");
	if (first + 1 != argc)
		return cli_usage_error("obs", "give exactly one FILE to import");
	const char *path = argv[first];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail("cannot open %s", path);
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cli_fail("%s is not a regular file", path);
	}
	if ((uint64_t)sb.st_size > OBS_MAX_FILE) {
		close(fd);
		return cli_fail("%s is larger than 100 MiB; nothing was imported", path);
	}
	size_t n = (size_t)sb.st_size;
	void *map = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (map == MAP_FAILED)
		return cli_fail("cannot read %s", path);
	const char *data = map ? map : "";
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc) {
		if (map)
			munmap(map, n);
		return rc;
	}
	arena a;
	arena_init(&a, 4096);
	organisation org;
	obs_import_result *r = calloc(1, sizeof(*r));
	int status = EXIT_OK;
	if (!r) {
		status = cli_fail("out of memory");
	} else if (org_find(env.db, &a, provider, &org)) {
		status = cli_fail("no organisation with code %s", provider);
	} else {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)org.id);
		audit_event e = { .action = "obs.import",
				  .object_type = "organisation",
				  .object_id = id,
				  .outcome = "success",
				  .client = "cli" };
		rc = obs_import_audited(&env, format, org.id, data, n, skip, &e, r);
		for (size_t i = 0; i < r->nproblems; i++)
			fprintf(stderr, "%s:%zu:%s%s %s\n", path, r->problems[i].line,
				r->problems[i].column, *r->problems[i].column ? ":" : "",
				r->problems[i].message);
		if (r->total_problems > r->nproblems)
			fprintf(stderr, "%s: %zu more problems not shown\n", path,
				r->total_problems - r->nproblems);
		printf("{\"read\":%zu,\"imported\":%zu,\"rejected\":%zu}\n", r->read, r->imported,
		       r->rejected);
		if (rc == PONTE_EINVAL)
			status =
			    cli_fail("%s was not imported: correct the problems above, or give "
				     "--skip-invalid to import the valid records only",
				     path);
		else if (rc)
			status = cli_fail("import failed: %s", ponte_strerror(rc));
		/* A success was written with the records; a refusal or failure is written now. */
		if (rc) {
			e.outcome = "failure";
			audit_append(env.db, &e);
		}
	}
	free(r);
	arena_release(&a);
	cli_close_keyed(&env);
	if (map)
		munmap(map, n);
	return status;
}

static int obs_stats_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *format = "csv", *by_opt = "";
	const char *where[OBS_MAX_WHERE];
	size_t nwhere = 0;
	obs_query q = { .suppress = -1 };
	const cli_opt opts[] = {
		CLI_TEXT("db", &db),
		CLI_TEXT("key", &key),
		CLI_TEXT("by", &by_opt),
		CLI_LIST("where", where, &nwhere, "--where takes DIM=VALUE (at most 8)"),
		CLI_WHOLE("suppress", &q.suppress, 0, 1000,
			  "--suppress must be a number from 0 to 1000"),
		CLI_FLAG("exact", &q.exact),
		CLI_TEXT("format", &format),
	};
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	for (size_t i = 0; i < nwhere; i++) {
		char *eq = strchr(where[i], '=');
		if (!eq)
			return cli_usage_error("obs", "--where takes DIM=VALUE (at most 8)");
		*eq = '\0';
		q.where_dim[q.nwhere] = where[i];
		q.where_value[q.nwhere++] = eq + 1;
	}
	char by[128];
	snprintf(by, sizeof(by), "%s", by_opt);
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("obs", "--format must be csv or json");
	char *comma = strchr(by, ',');
	if (comma)
		*comma = '\0';
	q.by[0] = by;
	q.by[1] = comma ? comma + 1 : NULL;
	for (int i = 0; i < 2; i++)
		if (q.by[i] && !obs_dimension_known(q.by[i]))
			return cli_usage_error(
			    "obs",
			    "unknown dimension \"%s\" (year, source, gender, age_band, majority, "
			    "citizenship, country_of_exploitation, exploitation, control, "
			    "status, provider, flow)",
			    q.by[i]);
	for (size_t i = 0; i < q.nwhere; i++)
		if (!obs_dimension_known(q.where_dim[i]))
			return cli_usage_error("obs", "unknown dimension \"%s\" in --where",
					       q.where_dim[i]);
	if (!*by)
		return cli_usage_error("obs", "--by DIM[,DIM2] is required");
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	if (obs_dp_only(env.db) && !q.exact) { /* --exact is the operator's, not published */
		cli_close_keyed(&env);
		return cli_fail(DP_ONLY " (--exact gives the operator exact counts, not for "
					"publication)");
	}
	/* The pages' threshold unless told otherwise: the same cells are withheld. */
	if (q.suppress < 0)
		q.suppress = q.exact ? 0 : setting_get_int(env.db, "obs_min_count", 5);
	arena a;
	arena_init(&a, 1u << 30);
	obs_cell *cells;
	size_t n;
	int64_t records;
	rc = obs_stats(&env, &a, &q, &cells, &n, &records);
	if (rc) {
		arena_release(&a);
		cli_close_keyed(&env);
		return cli_fail("statistics failed: %s", ponte_strerror(rc));
	}
	buf out;
	buf_init(&out, 1u << 28);
	rc = strcmp(format, "csv") == 0 ? obs_table_csv(&out, &q, cells, n)
					: obs_table_json(&out, &q, cells, n, records);
	if (!rc)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	arena_release(&a);
	cli_close_keyed(&env);
	return rc ? cli_fail("statistics failed: %s", ponte_strerror(rc)) : EXIT_OK;
}

static int obs_export_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *format = "ctdc", *provider = NULL;
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("key", &key),
				 CLI_TEXT("format", &format), CLI_TEXT("provider", &provider) };
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	if (strcmp(format, "ctdc") != 0 && strcmp(format, "htcds") != 0)
		return cli_usage_error("obs", "--format must be ctdc or htcds");
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 4096);
	organisation org = { 0 };
	buf out;
	buf_init(&out, 1u << 30);
	int status = EXIT_OK;
	if (provider && org_find(env.db, &a, provider, &org))
		status = cli_fail("no organisation with code %s", provider);
	else if ((rc = strcmp(format, "htcds") == 0
			   ? obs_export_htcds(&env, provider ? org.id : 0, &out)
			   : obs_export_ctdc(&env, provider ? org.id : 0, &out)))
		status = cli_fail("export failed: %s", ponte_strerror(rc));
	else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		status = cli_fail("cannot write the export");
	buf_release(&out);
	arena_release(&a);
	cli_close_keyed(&env);
	return status;
}

struct indicator_out {
	int64_t suppress;
};

/* A share of the records where the variable is known, as the pages decide it (obs_share_of()):
 * none when it would give a count below the threshold away, including the records where the
 * variable is not known (records - known), which a share of the known ones would reveal. The
 * pages then give a share of all records, said beside it; this column is of the known ones
 * only, so it is left empty. */
static void percent(int64_t with, int64_t known, int64_t records, int64_t k, char *out, size_t n)
{
	obs_share s = obs_share_of(with, known, records, k);
	if (s.kind == OBS_SHARE_OF_KNOWN)
		snprintf(out, n, "%.1f", 100.0 * s.value);
	else
		snprintf(out, n, "%s", "");
}

static int print_indicator(const obs_indicator *x, void *ctx)
{
	const struct indicator_out *o = ctx;
	if (x->records > 0 && x->records < o->suppress) {
		printf("%d,<%lld,,,,\n", x->year, (long long)o->suppress);
		return 0;
	}
	char children[16], labour[16], ratio[16] = "", estimate[24] = "";
	percent(x->children, x->age_informed, x->records, o->suppress, children, sizeof(children));
	percent(x->labour, x->exploitation_informed, x->records, o->suppress, labour,
		sizeof(labour));
	if (x->estimate) {
		snprintf(estimate, sizeof(estimate), "%lld", (long long)x->estimate);
		snprintf(ratio, sizeof(ratio), "%.2f",
			 100.0 * (double)x->records / (double)x->estimate);
	}
	printf("%d,%lld,%s,%s,%s,%s\n", x->year, (long long)x->records, children, labour, estimate,
	       ratio);
	return 0;
}

static int obs_indicators_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *country = NULL;
	struct indicator_out o = { .suppress = -1 };
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("key", &key),
				 CLI_TEXT("country", &country),
				 CLI_WHOLE("suppress", &o.suppress, 0, 1000,
					   "--suppress must be a number from 0 to 1000") };
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	if (obs_dp_only(env.db)) {
		cli_close_keyed(&env);
		return cli_fail(DP_ONLY);
	}
	/* The pages' threshold unless told otherwise, and the method said on a last line, as
	 * obs stats says it: the counts are those of every other output for the same records. */
	if (o.suppress < 0)
		o.suppress = setting_get_int(env.db, "obs_min_count", 5);
	printf("year,records,children_pct,forced_labour_pct,estimate,identified_pct\n");
	rc = obs_indicators(env.db, NULL, country, print_indicator, &o);
	obs_query method = { .suppress = o.suppress };
	buf note;
	buf_init(&note, 4096);
	if (!rc && !(rc = obs_method_note(&note, &method)))
		printf("# %s\n", note.data);
	buf_release(&note);
	cli_close_keyed(&env);
	return rc ? cli_fail("indicators failed: %s", ponte_strerror(rc)) : EXIT_OK;
}

#define ESTIMATE_USAGE                                                                             \
	"give --country CC, --year (1900-2100) and --value (victims estimated, above 0)"

static int obs_estimate_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *country = NULL, *source = NULL;
	int64_t year = 0, value = 0;
	const cli_opt opts[] = { CLI_TEXT("db", &db),
				 CLI_TEXT("key", &key),
				 CLI_TEXT("country", &country),
				 CLI_WHOLE("year", &year, 1900, 2100, ESTIMATE_USAGE),
				 CLI_WHOLE("value", &value, 1, 9e18, ESTIMATE_USAGE),
				 CLI_TEXT("source", &source) };
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	if (!country || !year || !value)
		return cli_usage_error("obs", ESTIMATE_USAGE);
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	rc = obs_estimate_set(env.db, country, (int)year, value, source);
	cli_close_keyed(&env);
	if (rc == PONTE_EINVAL)
		return cli_fail("%s is not a country code", country);
	return rc ? cli_fail("cannot record the estimate: %s", ponte_strerror(rc)) : EXIT_OK;
}

int cmd_obs(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("obs", "give a subcommand: import, export or stats");
	if (strcmp(argv[1], "import") == 0)
		return obs_import_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return obs_stats_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return obs_export_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "indicators") == 0)
		return obs_indicators_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "estimate") == 0)
		return obs_estimate_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "release") == 0 || strcmp(argv[1], "releases") == 0 ||
	    strcmp(argv[1], "budget") == 0)
		return cmd_obs_release(argc - 1, argv + 1);
	return cli_usage_error("obs",
			       "unknown subcommand \"%s\" (import, export, stats, indicators, "
			       "estimate, release, releases or budget)",
			       argv[1]);
}
