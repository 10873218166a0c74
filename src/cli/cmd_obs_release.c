/* `ponte obs release|releases|budget`: publishing observatory data from the command line. */

#include "app/app.h"
#include "audit/audit.h"
#include "base/json.h"
#include "cli/cli.h"
#include "obs/obs.h"

static int provider_id(store *s, const char *code, int64_t *id)
{
	arena a;
	arena_init(&a, 1u << 16);
	organisation org;
	int rc = org_find(s, &a, code, &org);
	*id = rc ? 0 : org.id;
	arena_release(&a);
	return rc;
}

static int obs_release_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *method = NULL, *provider = NULL, *qi_opt = "",
		   *sensitive_opt = "", *by[OBS_RELEASE_MAX_TABLES];
	size_t nby = 0;
	obs_release_request rq = { .max_suppressed = 0.02 };
	int64_t from = 0, to = 0;
	const cli_opt opts[] = {
		CLI_TEXT("db", &db),
		CLI_TEXT("key", &key),
		CLI_TEXT("method", &method),
		CLI_LIST("by", by, &nby, "at most 12 tables (--by)"),
		CLI_WHOLE("k", &rq.k, 2, 1000, "--k must be a whole number from 2 to 1000"),
		CLI_REAL("epsilon", &rq.epsilon, 1e-6, 10,
			 "--epsilon must be above 0 and at most 10"),
		CLI_TEXT("provider", &provider),
		CLI_TEXT("qi", &qi_opt),
		CLI_WHOLE("from", &from, 1900, 2100, "--from and --to take a year"),
		CLI_WHOLE("to", &to, 1900, 2100, "--from and --to take a year"),
		CLI_REAL("max-suppressed", &rq.max_suppressed, 0, 0.2,
			 "--max-suppressed is a share from 0 to 0.2"),
		CLI_TEXT("sensitive", &sensitive_opt),
		CLI_WHOLE("l", &rq.l, 1, 1000, "--l must be a whole number from 1 to 1000"),
	};
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	rq.year_from = (int)from;
	rq.year_to = (int)to;
	for (size_t i = 0; i < nby; i++) {
		char *comma = strchr(by[i], ',');
		if (comma)
			*comma = '\0';
		rq.tables[i][0] = by[i];
		rq.tables[i][1] = comma ? comma + 1 : NULL;
	}
	rq.ntables = nby;
	char qi[256], sensitive[256];
	snprintf(qi, sizeof(qi), "%s", qi_opt);
	snprintf(sensitive, sizeof(sensitive), "%s", sensitive_opt);
	if (!method)
		return cli_usage_error("obs", "--method must be tables, dp or microdata");
	if (strcmp(method, "tables") == 0)
		rq.method = OBS_TABLES;
	else if (strcmp(method, "dp") == 0)
		rq.method = OBS_DP;
	else if (strcmp(method, "microdata") == 0)
		rq.method = OBS_MICRODATA;
	else
		return cli_usage_error("obs", "--method must be tables, dp or microdata");
	if (rq.method == OBS_DP && !rq.epsilon)
		return cli_usage_error("obs", "a dp release needs --epsilon");
	for (char *s = qi[0] ? qi : NULL, *save = NULL, *t = s ? strtok_r(s, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		if (rq.nqi == OBS_MAX_COLUMNS)
			return cli_usage_error("obs", "at most 14 quasi-identifiers");
		rq.qi[rq.nqi++] = t;
	}
	rq.no_sensitive = strcmp(sensitive, "none") == 0;
	for (char *s = sensitive[0] && !rq.no_sensitive ? sensitive : NULL, *save = NULL,
		  *t = s ? strtok_r(s, ",", &save) : NULL;
	     t; t = strtok_r(NULL, ",", &save)) {
		if (rq.nsensitive == OBS_MAX_COLUMNS)
			return cli_usage_error("obs", "at most 14 sensitive columns");
		rq.sensitive[rq.nsensitive++] = t;
	}
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	char files[4096], err[256];
	int status = EXIT_OK;
	if (provider && provider_id(env.db, provider, &rq.provider)) {
		cli_close_keyed(&env);
		return cli_fail("no organisation with the code %s", provider);
	}
	if ((rc = app_file_dirs(env.db, files, sizeof(files), err, sizeof(err)))) {
		cli_close_keyed(&env);
		return cli_fail("%s", err);
	}
	rq.files_dir = files;
	obs_release_result *r = calloc(1, sizeof(*r));
	rc = r ? obs_release(&env, &rq, r) : PONTE_ENOMEM;
	if (rc == PONTE_EINVAL || rc == PONTE_EDENIED)
		status = cli_fail("nothing was released: %s", r->why);
	else if (rc)
		status = cli_fail("the release failed: %s", ponte_strerror(rc));
	else {
		buf out;
		buf_init(&out, 8192);
		buf_printf(&out, "{\"version\":%lld,\"method\":\"%s\",\"directory\":",
			   (long long)r->version, method);
		json_cstring(&out, r->directory);
		if (rq.method == OBS_MICRODATA)
			buf_printf(&out, ",\"records\":%zu,\"released\":%zu,\"k\":%lld,\"l\":%lld",
				   r->records, r->released, (long long)r->k_achieved,
				   (long long)r->l_achieved);
		if (rq.method == OBS_DP)
			buf_printf(&out, ",\"epsilon\":%g,\"epsilon_left\":%g", rq.epsilon,
				   r->epsilon_left < 0 ? 0 : r->epsilon_left);
		buf_puts(&out, "}\n");
		fputs(out.data, stdout);
		buf_release(&out);
	}
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)(r ? r->version : 0));
	audit_event e = { .action = "obs.release",
			  .object_type = "obs_release",
			  .object_id = rc ? "" : id,
			  .outcome = rc == PONTE_EDENIED ? "denied"
				     : rc                ? "failure"
							 : "success",
			  .client = "cli" };
	audit_append(env.db, &e);
	free(r);
	cli_close_keyed(&env);
	return status;
}

static int print_release(const obs_release_info *x, void *ctx)
{
	(void)ctx;
	printf("v%lld\t%s\t%s\t%s\n", (long long)x->version, x->method, x->created_at,
	       *x->provider ? x->provider : "all providers");
	return 0;
}

static int obs_releases_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	const cli_opt opts[] = { CLI_TEXT("db", &db), CLI_TEXT("key", &key) };
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 64u << 20);
	rc = obs_release_list(env.db, &a, print_release, NULL);
	arena_release(&a);
	cli_close_keyed(&env);
	return rc ? cli_fail("cannot list the releases: %s", ponte_strerror(rc)) : EXIT_OK;
}

/* The principal of the account an operator names with --as: the command line runs with the
 * database and its key, so --as does not prove who types; it names the administrator who
 * takes the decision, whose permissions are checked and who answers for it in the trail. */
static int principal_named(store *s, crypto_keyring *keys, const char *email, principal *p)
{
	keyed_store env = { s, keys };
	int64_t id;
	arena a;
	arena_init(&a, 1u << 16);
	user u;
	int rc = user_find_by_email(&env, email, &id);
	if (!rc)
		rc = user_get(&env, &a, id, &u);
	if (!rc && u.status != USER_ACTIVE)
		rc = PONTE_ENOTFOUND;
	if (!rc)
		rc = principal_load(s, id, p);
	if (!rc)
		snprintf(p->client, sizeof(p->client), "cli");
	arena_release(&a);
	return rc;
}

static int print_change(const obs_budget_change_info *x, void *ctx)
{
	(void)ctx;
	buf out;
	buf_init(&out, 4096);
	buf_printf(&out,
		   "{\"changed_at\":\"%s\",\"before\":%g,\"budget\":%g,\"by\":%lld,"
		   "\"reason\":",
		   x->changed_at, x->before, x->budget, (long long)x->changed_by);
	json_cstring(&out, x->reason);
	buf_puts(&out, "}\n");
	fputs(out.data ? out.data : "", stdout);
	buf_release(&out);
	return 0;
}

/* Show the privacy budget of a provider's records, its changes with --history, or set it:
 * --epsilon with --reason and --as, an administrator's decision. */
static int obs_budget_cmd(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *provider = NULL, *reason = NULL, *as = NULL;
	double epsilon = 0;
	bool history = false;
	const cli_opt opts[] = { CLI_TEXT("db", &db),
				 CLI_TEXT("key", &key),
				 CLI_TEXT("provider", &provider),
				 CLI_REAL("epsilon", &epsilon, 1e-6, 100,
					  "--epsilon must be above 0 and at most 100"),
				 CLI_TEXT("reason", &reason),
				 CLI_TEXT("as", &as),
				 CLI_FLAG("history", &history) };
	int prc = cli_parse("obs", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	if (!provider)
		return cli_usage_error("obs", "--provider ORG is required");
	if (epsilon && (!reason || !as))
		return cli_usage_error("obs", "changing a budget needs --reason TEXT and --as "
					      "EMAIL, the administrator who decides it");
	if (!epsilon && (reason || as))
		return cli_usage_error("obs", "--reason and --as go with --epsilon");
	keyed_store env;
	int rc = cli_open_keyed("obs", db, key, &env);
	if (rc)
		return rc;
	int64_t id;
	double budget = 0, spent = 0;
	int status = EXIT_OK;
	principal *p = calloc(1, sizeof(*p));
	if (!p)
		status = cli_fail("out of memory");
	else if (provider_id(env.db, provider, &id))
		status = cli_fail("no organisation with the code %s", provider);
	else if (epsilon && principal_named(env.db, env.keys, as, p))
		status = cli_fail("no active account %s", as);
	else if (epsilon && (rc = obs_budget_change(env.db, p, id, epsilon, reason)))
		status = rc == PONTE_EDENIED
			     ? cli_fail("%s may not change a privacy budget: it is an "
					"administrator's decision (permission obs.budget)",
					as)
			 : rc == PONTE_EINVAL
			     ? cli_fail("the reason must be %d to %d characters of text",
					OBS_REASON_MIN, OBS_REASON_MAX)
			     : cli_fail("cannot change the budget: %s", ponte_strerror(rc));
	else if ((rc = obs_budget_get(env.db, id, &budget, &spent)))
		status = cli_fail("cannot read the budget: %s", ponte_strerror(rc));
	else if (history) {
		arena a;
		arena_init(&a, 16u << 20);
		if ((rc = obs_budget_changes(env.db, &a, id, print_change, NULL)))
			status = cli_fail("cannot read the changes: %s", ponte_strerror(rc));
		arena_release(&a);
	} else {
		buf out;
		buf_init(&out, 1024);
		buf_puts(&out, "{\"provider\":");
		json_cstring(&out, provider);
		buf_printf(&out, ",\"budget\":%g,\"spent\":%g,\"left\":%g}\n", budget, spent,
			   budget - spent > 0 ? budget - spent : 0);
		fputs(out.data, stdout);
		buf_release(&out);
	}
	free(p);
	cli_close_keyed(&env);
	return status;
}

int cmd_obs_release(int argc, char **argv)
{
	if (strcmp(argv[0], "release") == 0)
		return obs_release_cmd(argc, argv);
	if (strcmp(argv[0], "releases") == 0)
		return obs_releases_cmd(argc, argv);
	return obs_budget_cmd(argc, argv);
}
