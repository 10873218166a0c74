/* `ponte db copy --from SRC --to DST`: an installation moved between stores (SQLite file or
 * postgres:// URL, either way), proved by the row counts and the audit chain. */
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "knowledge/knowledge.h"
#include "store/store.h"

struct tally {
	int tables;
	int64_t rows;
};

static int heard(const char *table, int64_t rows, void *ctx)
{
	struct tally *t = ctx;
	t->tables++;
	t->rows += rows;
	printf("  %-36s %lld\n", table, (long long)rows);
	return 0;
}

static bool is_url(const char *s)
{
	return strncmp(s, "postgres://", 11) == 0 || strncmp(s, "postgresql://", 13) == 0;
}

/* A new SQLite file that the copy could not fill is removed, so that the command can run
 * again; a PostgreSQL schema keeps its empty tables (say so). */
static void forget_destination(const char *to)
{
	if (is_url(to)) {
		fprintf(stderr,
			"ponte db copy: %s now has Ponte's tables without rows; drop them (or "
			"use an empty database) before trying again\n",
			to);
		return;
	}
	char side[4200];
	unlink(to);
	snprintf(side, sizeof(side), "%.4000s-wal", to);
	unlink(side);
	snprintf(side, sizeof(side), "%.4000s-shm", to);
	unlink(side);
}

static int verify_chains(store *from, store *to)
{
	audit_verify_result a, b;
	int rc = audit_verify(from, &a);
	if (rc)
		return cli_fail("the source's audit trail does not verify (%s): nothing to compare "
				"the copy with",
				rc == PONTE_EINVAL ? a.why : ponte_strerror(rc));
	rc = audit_verify(to, &b);
	if (rc)
		return cli_fail("the copy's audit trail does not verify: %s",
				rc == PONTE_EINVAL ? b.why : ponte_strerror(rc));
	if (a.events != b.events || strcmp(a.head, b.head) != 0)
		return cli_fail("the copy's audit trail differs from the source's (%lld events, "
				"head %s; the source: %lld, %s)",
				(long long)b.events, b.head, (long long)a.events, a.head);
	printf("audit trail intact in both: %lld events, head %s\n", (long long)b.events, b.head);
	return EXIT_OK;
}

static int copy(const char *from_path, const char *to_path)
{
	char err[1024];
	if (crypto_init())
		return cli_fail("cannot initialise libsodium");
	store *from, *to;
	int rc = store_open(from_path, NULL, &from, err, sizeof(err));
	if (rc)
		return cli_fail("%s", err);
	if ((rc = store_create(to_path, NULL, &to, err, sizeof(err)))) {
		store_close(from);
		return cli_fail("%s (the destination must be new: a file that does not exist, or "
				"an empty PostgreSQL database)",
				err);
	}
	store_migration_report r;
	arena a;
	arena_init(&a, 256u << 20);
	struct tally t = { 0, 0 };
	int64_t items = 0;
	rc = store_migrate(to, &r);
	if (rc)
		snprintf(err, sizeof(err), "%s", r.message);
	printf("copying %s into %s\n", store_display(from), store_display(to));
	if (!rc)
		rc = store_copy(from, to, &a, heard, &t, err, sizeof(err));
	if (!rc && (rc = kn_reindex(to, &items)))
		snprintf(err, sizeof(err), "the knowledge search index could not be written: %s",
			 ponte_strerror(rc));
	int code = rc ? cli_fail("%s", err) : verify_chains(from, to);
	if (code == EXIT_OK) {
		audit_event e = { .action = "store.copy",
				  .object_type = "store",
				  .object_id = store_is_pg(from) ? "postgresql" : "sqlite",
				  .outcome = "success",
				  .client = "cli" };
		audit_append(to, &e);
		printf("copied %d tables, %lld rows%s\n", t.tables, (long long)t.rows,
		       store_is_pg(to) ? "" : "; the knowledge search index written again");
		const char *files = store_files_dir(from);
		printf("serve the copy with the source's key file (--key); attachments and "
		       "observatory releases are files: copy %s to the copy's files folder\n",
		       files ? files : "the source's files folder (--files)");
	}
	arena_release(&a);
	store_checkpoint(to);
	store_close(to);
	store_close(from);
	if (code != EXIT_OK)
		forget_destination(to_path);
	return code;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "copy") != 0)
		return cli_usage_error("db", "expected copy");
	const char *from = NULL, *to = NULL;
	const cli_opt opts[] = { CLI_TEXT("from", &from), CLI_TEXT("to", &to) };
	int rc = cli_parse("db", argc - 1, argv + 1, opts, ARRAY_LEN(opts), NULL);
	if (rc)
		return rc;
	if (!from || !to || !*from || !*to)
		return cli_usage_error("db", "db copy needs --from and --to");
	if (strcmp(from, to) == 0)
		return cli_usage_error("db", "--from and --to name the same database");
	return copy(from, to);
}
