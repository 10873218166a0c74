/* ponte i18n: language packs loaded at run time (docs/i18n.md, "Language packs"). */
#include <limits.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "i18n/pack.h"
#include "identity/identity.h"

struct args {
	const char *db, *file, *lang;
	int version;
};

static int parse(const char *cmd, int argc, char **argv, struct args *a)
{
	int64_t version = 0;
	const cli_opt opts[] = {
		CLI_TEXT("db", &a->db), CLI_TEXT("file", &a->file), CLI_TEXT("lang", &a->lang),
		CLI_WHOLE("version", &version, 1, INT_MAX, "--version must be a number from 1")
	};
	int rc = cli_parse(cmd, argc, argv, opts, ARRAY_LEN(opts), NULL);
	a->version = (int)version;
	return rc;
}

static void audit_pack(store *s, const char *action, const char *lang, int version)
{
	char id[32];
	snprintf(id, sizeof(id), "%s v%d", lang, version);
	audit_event e = { .action = action,
			  .object_type = "language_pack",
			  .object_id = id,
			  .outcome = "success",
			  .client = "cli" };
	audit_append(s, &e);
}

/* The file, whole, at most PACK_MAX_BYTES + 1 bytes (one more tells it is too large). */
static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = malloc(PACK_MAX_BYTES + 2);
	*n = data ? fread(data, 1, PACK_MAX_BYTES + 1, f) : 0;
	if (data)
		data[*n] = '\0';
	fclose(f);
	return data;
}

static int load(store *s, const struct args *a)
{
	size_t n = 0;
	char *po = read_file(a->file, &n);
	if (!po)
		return cli_fail("cannot read %s: %s", a->file, strerror(errno));
	arena mem;
	arena_init(&mem, 64u << 20);
	pack_report *r = arena_alloc(&mem, sizeof(*r));
	int rc = r ? pack_validate(&mem, po, n, a->lang, r) : PONTE_ENOMEM;
	if (rc == PONTE_EINVAL) {
		for (size_t i = 0; i < r->nproblems; i++)
			fprintf(stderr, "%s:%d: %s%s%s\n", a->file, r->problems[i].line,
				r->problems[i].message, r->problems[i].detail ? " -- " : "",
				r->problems[i].detail ? r->problems[i].detail : "");
		if (r->more_problems)
			fprintf(stderr, "%s: %zu more problems\n", a->file, r->more_problems);
		free(po);
		arena_release(&mem);
		return cli_fail("%s was not loaded: nothing changed", a->file);
	}
	int version = 0;
	if (!rc && !r->shipped && i18n_lang_from_tag(r->lang, strlen(r->lang)) < 0 &&
	    i18n_lang_count() >= LANG_MAX)
		rc = PONTE_ELIMIT;
	if (!rc)
		rc = pack_store_add(s, r, po, n, 0, &version);
	if (!rc) {
		audit_pack(s, "language_pack.load", r->lang, version);
		printf("%s (%s) version %d: %zu of %zu texts translated", r->lang, r->name, version,
		       r->translated, i18n_word_count());
		if (r->unknown)
			printf("; %zu entries for texts this version does not have left aside",
			       r->unknown);
		printf("\n");
	}
	free(po);
	arena_release(&mem);
	return rc ? cli_fail("cannot load %s: %s", a->file, ponte_strerror(rc)) : EXIT_OK;
}

static int print_version(const pack_version *v, void *ctx)
{
	(void)ctx;
	printf("%-4s v%-3d %-8s %-3s %6lld  %s  %s%s", v->lang, v->version, v->action,
	       v->rtl ? "rtl" : "ltr", (long long)v->entries, v->loaded_at, v->name,
	       v->current ? "  (current)" : "");
	if (v->rolled_back_to)
		printf("  (words of v%d)", v->rolled_back_to);
	if (v->loaded_by)
		printf("  (user %lld)", (long long)v->loaded_by);
	printf("\n");
	return 0;
}

int cmd_i18n(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("i18n", "expected load, list, rollback or withdraw");
	const char *what = argv[1];
	struct args a = { 0 };
	int rc = parse("i18n", argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	bool is_load = !strcmp(what, "load"), is_list = !strcmp(what, "list");
	bool is_rollback = !strcmp(what, "rollback"), is_withdraw = !strcmp(what, "withdraw");
	if (!is_load && !is_list && !is_rollback && !is_withdraw)
		return cli_usage_error("i18n", "expected load, list, rollback or withdraw");
	if (is_load && !a.file)
		return cli_usage_error("i18n", "load needs --file");
	if ((is_rollback && (!a.lang || !a.version)) || (is_withdraw && !a.lang))
		return cli_usage_error("i18n", "%s needs --lang%s", what,
				       is_rollback ? " and --version" : "");
	char err[256];
	if (i18n_init(err, sizeof(err)))
		return cli_fail("cannot read the catalogues: %s", err);
	store *s;
	rc = cli_open("i18n", a.db, NULL, &s, NULL);
	if (rc)
		return rc;
	char second[8];
	setting_get_text(s, "second_language", "en", second, sizeof(second));
	pack_reload(s, second, err, sizeof(err));
	int version = 0;
	if (is_load) {
		rc = load(s, &a);
		cli_close(s, NULL);
		return rc;
	}
	if (is_list) {
		arena mem;
		arena_init(&mem, 1u << 20);
		rc = pack_store_versions(s, &mem, NULL, print_version, NULL);
		arena_release(&mem);
		for (int lang = 0; !rc && lang < i18n_lang_count(); lang++)
			if (i18n_lang_active(lang))
				printf("%s: %zu of %zu texts translated%s\n", i18n_lang(lang)->code,
				       i18n_translated_count(lang), i18n_word_count(),
				       lang >= LANG_COUNT ? "" : " (shipped)");
		cli_close(s, NULL);
		return rc ? cli_fail("cannot list the packs: %s", ponte_strerror(rc)) : EXIT_OK;
	}
	rc = is_rollback ? pack_store_rollback(s, a.lang, a.version, 0, &version)
			 : pack_store_withdraw(s, a.lang, 0, &version);
	if (!rc)
		audit_pack(s, is_rollback ? "language_pack.rollback" : "language_pack.withdraw",
			   a.lang, version);
	cli_close(s, NULL);
	if (rc == PONTE_ENOTFOUND && is_rollback)
		return cli_fail("%s has no version %d with words", a.lang, a.version);
	if (rc == PONTE_ENOTFOUND)
		return cli_fail("%s has no pack to withdraw", a.lang);
	if (rc)
		return cli_fail("cannot change the pack: %s", ponte_strerror(rc));
	printf("%s version %d\n", a.lang, version);
	return EXIT_OK;
}
