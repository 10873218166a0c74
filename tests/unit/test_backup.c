/* Backups that restore: a copy taken while a writer commits cases holds exactly the cases
 * committed before its point, byte for byte after decryption, with their attachments; a
 * damaged, cut or lengthened archive, a wrong key and an existing target are refused; an old
 * database upgrades through every migration with its data; serve upgrades only after a
 * backup. */
#include "identity_fixture.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "backup/backup.h"
#include "cases/cases.h"

static principal as(struct fixture *f, const char *email)
{
	int64_t id;
	assert_int_equal(user_find_by_email(&f->env, email, &id), 0);
	principal p;
	assert_int_equal(principal_load(f->db, id, &p), 0);
	return p;
}

static backup_key instance_key(const char *key_path)
{
	backup_key k = { .kind = BACKUP_KEY_INSTANCE, .has_master = true };
	char err[256];
	assert_int_equal(crypto_master_key_load(key_path, k.master, err, sizeof(err)), 0);
	return k;
}

static char *files_dir(const char *db_path, const char *sub)
{
	char *p = malloc(4200);
	snprintf(p, 4200, "%s.files%s%s", db_path, sub ? "/" : "", sub ? sub : "");
	mkdir(p, 0700);
	return p;
}

/* ---- the writer ---- */

#define WRITER_MAX 100000
struct writer {
	struct fixture *f;
	principal p;
	atomic_bool stop;
	atomic_size_t committed; /* ids[0..committed) are committed */
	int64_t ids[WRITER_MAX];
};

static void *write_cases(void *arg)
{
	struct writer *w = arg;
	for (size_t i = 0; i < WRITER_MAX && !atomic_load(&w->stop); i++) {
		char first[64], doc[64];
		snprintf(first, sizeof(first), "Writer%zu", i);
		snprintf(doc, sizeof(doc), "DOC-%zu-\xc3\xa9", i);
		case_input in = { .first_name = first,
				  .second_name = "Ndiaye",
				  .identity_number = doc,
				  .gender = "Feminine",
				  .citizenship = "SN",
				  .exploitation = "ForcedLabour" };
		field_errors e;
		int64_t id;
		int rc = case_create(&w->f->env, &w->p, &in, &id, &e);
		if (rc == PONTE_EBUSY)
			continue;
		assert_int_equal(rc, 0);
		w->ids[i] = id;
		atomic_store(&w->committed, i + 1);
	}
	return NULL;
}

static void wait_for(struct writer *w, size_t n)
{
	while (atomic_load(&w->committed) < n)
		usleep(1000);
}

/* Every decrypted field of case id, as one string. */
static char *case_text(keyed_store *env, const principal *p, int64_t id, int *rc)
{
	arena a;
	arena_init(&a, 1u << 20);
	case_record c;
	*rc = case_get(env, &a, p, id, &c);
	char *s = NULL;
	if (!*rc) {
		size_t n = 4096;
		s = malloc(n);
		snprintf(s, n, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld|%s",
			 c.first_name ? c.first_name : "", c.second_name ? c.second_name : "",
			 c.identity_number ? c.identity_number : "",
			 c.mobile_phone ? c.mobile_phone : "", c.gender ? c.gender : "",
			 c.citizenship ? c.citizenship : "", c.exploitation ? c.exploitation : "",
			 c.status ? c.status : "", c.created_at ? c.created_at : "",
			 (long long)c.version, c.organisation_code ? c.organisation_code : "");
	}
	arena_release(&a);
	return s;
}

static const unsigned char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0"
				   "a backup must keep every byte of this picture";

static int64_t attach(struct fixture *f, const principal *p, int64_t case_id, const char *dir,
		      int salt)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/upload.png", f->dir);
	FILE *fp = fopen(path, "wb");
	fwrite(PNG, 1, sizeof(PNG), fp);
	fprintf(fp, "%d", salt);
	fclose(fp);
	int64_t id;
	const char *why;
	assert_int_equal(attachment_add(&f->env, p, dir, case_id, path, "scan.png", &id, &why), 0);
	unlink(path);
	return id;
}

static void backup_under_write_load_restores_what_was_committed_before_its_point(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char *cases_dir = files_dir(f.db_path, NULL);
	free(cases_dir);
	cases_dir = files_dir(f.db_path, "cases");
	struct writer *w = calloc(1, sizeof(*w));
	w->f = &f;
	w->p = as(&f, "case.worker@demo.ponte.example");
	/* Attachments on a few cases before the writer starts. */
	case_input in = { .first_name = "Amina", .second_name = "Diallo", .gender = "Feminine" };
	field_errors e;
	int64_t with_files[3], att[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(case_create(&f.env, &w->p, &in, &with_files[i], &e), 0);
		att[i] = attach(&f, &w->p, with_files[i], cases_dir, i);
	}
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, write_cases, w), 0);
	wait_for(w, 30);
	size_t before = atomic_load(&w->committed);
	char *out = test_path(f.dir, "load.pbk");
	backup_key k = instance_key(f.key_path);
	backup_report r;
	int rc = backup_take(f.db, f.key_path, &k, out, &r);
	size_t after = atomic_load(&w->committed);
	if (rc)
		fail_msg("%s", r.why);
	wait_for(w, after + 20); /* and more after the backup */
	atomic_store(&w->stop, true);
	pthread_join(t, NULL);
	size_t total = atomic_load(&w->committed);
	assert_true(total > after);
	assert_int_equal(r.sealed_attachments, 3);
	assert_int_equal(backup_record(f.db, &r, out, true), 0);

	char *restored = test_path(f.dir, "restored.db");
	backup_report rr;
	rc = backup_restore(out, &k, restored, &rr);
	if (rc)
		fail_msg("%s", rr.why);
	assert_string_equal(rr.audit_head, r.audit_head);
	struct fixture g = { 0 };
	char err[512];
	char *rkey = test_path(f.dir, "restored.db.key");
	assert_int_equal(store_open(restored, NULL, &g.db, err, sizeof(err)), 0);
	assert_int_equal(keys_load(g.db, rkey, &g.keys, err, sizeof(err)), 0);
	g.env = (keyed_store){ g.db, g.keys };
	principal p2;
	assert_int_equal(principal_load(g.db, w->p.user_id, &p2), 0);
	/* Committed before the backup began: present and identical. Committed after it
	 * returned: absent. Between: a prefix (the backup's point), never a gap. */
	size_t present = 0;
	bool gap = false;
	for (size_t i = 0; i < total; i++) {
		int a_rc, b_rc;
		char *a = case_text(&f.env, &w->p, w->ids[i], &a_rc);
		char *b = case_text(&g.env, &p2, w->ids[i], &b_rc);
		assert_int_equal(a_rc, 0);
		if (i < before) {
			if (b_rc)
				fail_msg("case %lld committed before the backup is missing",
					 (long long)w->ids[i]);
		}
		if (i >= after && b_rc != PONTE_ENOTFOUND)
			fail_msg("case %lld committed after the backup is in it",
				 (long long)w->ids[i]);
		if (b_rc == 0) {
			if (gap)
				fail_msg("case %lld is restored after a missing one",
					 (long long)w->ids[i]);
			assert_string_equal(a, b);
			present++;
		} else {
			gap = true;
		}
		free(a);
		free(b);
	}
	assert_true(present >= before && present <= after);
	/* The attachments, byte for byte. */
	char *rcases = files_dir(restored, "cases");
	for (int i = 0; i < 3; i++) {
		arena a;
		arena_init(&a, 1u << 20);
		case_attachment m1, m2;
		buf c1, c2;
		buf_init(&c1, CASE_ATTACHMENT_MAX);
		buf_init(&c2, CASE_ATTACHMENT_MAX);
		assert_int_equal(
		    attachment_read(&f.env, &a, &w->p, cases_dir, with_files[i], att[i], &m1, &c1),
		    0);
		assert_int_equal(
		    attachment_read(&g.env, &a, &p2, rcases, with_files[i], att[i], &m2, &c2), 0);
		assert_int_equal(c1.len, c2.len);
		assert_memory_equal(c1.data, c2.data, c1.len);
		assert_string_equal(m1.filename, m2.filename);
		buf_release(&c1);
		buf_release(&c2);
		arena_release(&a);
	}
	/* The record of the backup in the live database. */
	char when[32];
	int64_t version;
	assert_int_equal(backup_last_good(f.db, when, &version), 0);
	assert_string_equal(when, r.created_at);
	crypto_keyring_free(g.keys);
	store_close(g.db);
	backup_key_wipe(&k);
	free(rcases);
	free(rkey);
	free(restored);
	free(out);
	free(cases_dir);
	free(w);
	fixture_close(&f);
}

/* ---- a damaged archive ---- */

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static long file_size(const char *p)
{
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	return (long)sb.st_size;
}

static void flip(const char *p, long off)
{
	FILE *fp = fopen(p, "r+b");
	fseek(fp, off, SEEK_SET);
	int c = fgetc(fp);
	fseek(fp, off, SEEK_SET);
	fputc(c ^ 0x20, fp);
	fclose(fp);
}

static void damaged_cut_or_lengthened_archives_are_refused(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char *cases_dir = files_dir(f.db_path, NULL);
	free(cases_dir);
	cases_dir = files_dir(f.db_path, "cases");
	principal p = as(&f, "case.worker@demo.ponte.example");
	case_input in = { .first_name = "Amina", .gender = "Feminine" };
	field_errors e;
	int64_t id;
	assert_int_equal(case_create(&f.env, &p, &in, &id, &e), 0);
	attach(&f, &p, id, cases_dir, 1);
	char *out = test_path(f.dir, "good.pbk"), *bad = test_path(f.dir, "bad.pbk");
	backup_key k = instance_key(f.key_path);
	backup_report r;
	assert_int_equal(backup_take(f.db, f.key_path, &k, out, &r), 0);
	assert_int_equal(backup_verify(out, &k, f.dir, &r), 0);
	long n = file_size(out);
	long offsets[] = { 0,   7,   8,   9,   12,   20,    40,    100,     110,    130,
			   131, 132, 136, 200, 4000, n / 3, n / 2, n - 200, n - 17, n - 1 };
	for (size_t i = 0; i < ARRAY_LEN(offsets); i++) {
		copy_file(out, bad);
		flip(bad, offsets[i]);
		int rc = backup_verify(bad, &k, f.dir, &r);
		if (rc == 0)
			fail_msg("a byte changed at %ld was not noticed", offsets[i]);
		unlink(bad);
	}
	long cuts[] = { 0, 5, 131, 132, 136, 1000, n / 2, n - 18, n - 1 };
	for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
		copy_file(out, bad);
		assert_int_equal(truncate(bad, cuts[i]), 0);
		int rc = backup_verify(bad, &k, f.dir, &r);
		if (rc == 0)
			fail_msg("an archive cut at %ld was not noticed", cuts[i]);
		if (cuts[i] > 200 && !strstr(r.why, "truncated"))
			fail_msg("cut at %ld: %s", cuts[i], r.why);
		unlink(bad);
	}
	copy_file(out, bad);
	FILE *fp = fopen(bad, "ab");
	fputc('x', fp);
	fclose(fp);
	assert_int_equal(backup_verify(bad, &k, f.dir, &r), PONTE_EINVAL);
	/* Nothing of the checks is left in the working folder. */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "ls -d %s/ponte-verify-* 2>/dev/null | grep -q .", f.dir);
	assert_int_not_equal(system(cmd), 0);
	backup_key_wipe(&k);
	free(out);
	free(bad);
	free(cases_dir);
	fixture_close(&f);
}

static void a_wrong_key_is_refused(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char err[512], id[33];
	char *out = test_path(f.dir, "a.pbk"), *sep = test_path(f.dir, "b.pbk"),
	     *other_key = test_path(f.dir, "other.key"), *bk = test_path(f.dir, "backup.key"),
	     *bk_pub = test_path(f.dir, "backup.key.pub"), *bk2 = test_path(f.dir, "other.bk");
	backup_key k = instance_key(f.key_path);
	backup_report r;
	assert_int_equal(backup_take(f.db, f.key_path, &k, out, &r), 0);
	/* Another instance's key. */
	assert_int_equal(crypto_master_key_create(other_key, err, sizeof(err)), 0);
	backup_key other = instance_key(other_key);
	assert_int_equal(backup_verify(out, &other, f.dir, &r), PONTE_EDENIED);
	assert_non_null(strstr(r.why, "not to this key"));
	/* A separate backup key. */
	assert_int_equal(backup_key_generate(bk, id, err, sizeof(err)), 0);
	assert_int_equal(backup_key_generate(bk2, id, err, sizeof(err)), 0);
	assert_int_equal(backup_key_generate(bk, id, err, sizeof(err)), PONTE_EEXIST);
	backup_key pub, secret, secret2;
	assert_int_equal(backup_key_load(bk_pub, &pub, err, sizeof(err)), 0);
	assert_false(pub.has_secret);
	memcpy(pub.master, k.master, sizeof(k.master));
	pub.has_master = true;
	assert_int_equal(backup_take(f.db, f.key_path, &pub, sep, &r), 0);
	assert_int_equal(backup_key_load(bk, &secret, err, sizeof(err)), 0);
	assert_int_equal(backup_key_load(bk2, &secret2, err, sizeof(err)), 0);
	assert_int_equal(backup_verify(sep, &secret, f.dir, &r), 0);
	assert_int_equal(backup_verify(sep, &secret2, f.dir, &r), PONTE_EDENIED);
	assert_int_equal(backup_verify(sep, &pub, f.dir, &r), PONTE_EDENIED);
	assert_int_equal(backup_verify(sep, &k, f.dir, &r), PONTE_EDENIED);
	assert_int_equal(backup_verify(out, &secret, f.dir, &r), PONTE_EDENIED);
	/* A secret key others can read is refused. */
	chmod(bk, 0644);
	assert_int_equal(backup_key_load(bk, &secret2, err, sizeof(err)), PONTE_EDENIED);
	/* The secret half alone restores everything, the instance's key included. */
	char *restored = test_path(f.dir, "r.db"), *rkey = test_path(f.dir, "r.db.key");
	assert_int_equal(backup_restore(sep, &secret, restored, &r), 0);
	backup_key got = instance_key(rkey);
	assert_memory_equal(got.master, k.master, sizeof(k.master));
	backup_key_wipe(&k);
	backup_key_wipe(&other);
	backup_key_wipe(&pub);
	backup_key_wipe(&secret);
	backup_key_wipe(&got);
	free(restored);
	free(rkey);
	free(out);
	free(sep);
	free(other_key);
	free(bk);
	free(bk_pub);
	free(bk2);
	fixture_close(&f);
}

static void nothing_is_ever_overwritten(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char *out = test_path(f.dir, "a.pbk");
	backup_key k = instance_key(f.key_path);
	backup_report r;
	FILE *fp = fopen(out, "w");
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(backup_take(f.db, f.key_path, &k, out, &r), PONTE_EEXIST);
	assert_int_equal(file_size(out), 8);
	unlink(out);
	assert_int_equal(backup_take(f.db, f.key_path, &k, out, &r), 0);
	const char *taken[] = { "t1.db", "t2.db.files", "t3.db.key" };
	const char *target[] = { "t1.db", "t2.db", "t3.db" };
	for (size_t i = 0; i < ARRAY_LEN(taken); i++) {
		char *p = test_path(f.dir, taken[i]), *db = test_path(f.dir, target[i]);
		if (strstr(taken[i], ".files"))
			mkdir(p, 0700);
		else {
			fp = fopen(p, "w");
			fputs("precious", fp);
			fclose(fp);
		}
		assert_int_equal(backup_restore(out, &k, db, &r), PONTE_EEXIST);
		assert_non_null(strstr(r.why, "never overwrites"));
		free(p);
		free(db);
	}
	/* Only what was there, plus nothing half-restored. */
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && ls -d *.restore-* t1.db.files t2.db t3.db.files "
		 "2>/dev/null | grep -q .",
		 f.dir);
	assert_int_not_equal(system(cmd), 0);
	/* A restore that fails its checks leaves nothing either. */
	char *bad = test_path(f.dir, "bad.pbk"), *db = test_path(f.dir, "t4.db");
	copy_file(out, bad);
	flip(bad, file_size(bad) / 2);
	assert_int_equal(backup_restore(bad, &k, db, &r), PONTE_EINVAL);
	snprintf(cmd, sizeof(cmd), "cd %s && ls -d t4.* 2>/dev/null | grep -q .", f.dir);
	assert_int_not_equal(system(cmd), 0);
	backup_key_wipe(&k);
	free(bad);
	free(db);
	free(out);
	fixture_close(&f);
}

/* ---- upgrades ---- */

struct table_rows {
	char name[65];
	int64_t rows;
};
struct snapshot {
	struct table_rows t[512];
	size_t n;
};

static int keep_count(const char *table, int64_t rows, void *ctx)
{
	struct snapshot *s = ctx;
	if (s->n < ARRAY_LEN(s->t)) {
		snprintf(s->t[s->n].name, sizeof(s->t[s->n].name), "%s", table);
		s->t[s->n++].rows = rows;
	}
	return 0;
}

static void an_old_database_upgrades_through_every_migration_with_its_data(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), 0);
	char *dir = test_tmpdir(), *db_path = test_path(dir, "old.db"),
	     *key_path = test_path(dir, "old.key");
	char err[512];
	store *s;
	store_migration_report rep;
	assert_int_equal(store_create(db_path, NULL, &s, err, sizeof(err)), 0);
	int current, latest;
	assert_int_equal(store_migrate_to(s, 1, &rep), 0);
	assert_int_equal(store_schema_version(s, &current, &latest), 0);
	assert_int_equal(current, 1);
	assert_true(latest >= BACKUP_TABLE_SCHEMA);
	/* Data as the first schema held it. */
	assert_int_equal(instance_set(s, "Observatoire de Niamey", "NE"), 0);
	for (int v = 2; v <= latest; v++) {
		struct snapshot before = { 0 }, after = { 0 };
		assert_int_equal(store_table_counts(s, keep_count, &before), 0);
		if (store_migrate_to(s, v, &rep))
			fail_msg("migration %d: %s", v, rep.message);
		assert_int_equal(store_schema_version(s, &current, &latest), 0);
		assert_int_equal(current, v);
		char why[256];
		if (store_integrity_check(s, why, sizeof(why)))
			fail_msg("after migration %d: %s", v, why);
		assert_int_equal(store_table_counts(s, keep_count, &after), 0);
		/* No migration loses rows of a table that was there before it. */
		for (size_t i = 0; i < before.n; i++)
			for (size_t j = 0; j < after.n; j++)
				if (!strcmp(before.t[i].name, after.t[j].name) &&
				    after.t[j].rows < before.t[i].rows)
					fail_msg("migration %d dropped rows of %s (%lld -> %lld)",
						 v, before.t[i].name, (long long)before.t[i].rows,
						 (long long)after.t[j].rows);
		if (v == 3) {
			/* Keys, an organisation and an administrator as schema 3 held them. */
			crypto_keyring *keys;
			assert_int_equal(keys_setup(s, key_path, &keys, err, sizeof(err)), 0);
			crypto_keyring_free(keys);
		}
	}
	/* Everything the first schema held reads back through today's code. */
	arena a;
	arena_init(&a, 1u << 16);
	instance_info info;
	assert_int_equal(instance_get(s, &a, &info), 0);
	assert_string_equal(info.name, "Observatoire de Niamey");
	assert_string_equal(info.country, "NE");
	crypto_keyring *keys;
	assert_int_equal(keys_load(s, key_path, &keys, err, sizeof(err)), 0);
	keyed_store env = { s, keys };
	assert_int_equal(demo_fill(&env), 0); /* and the upgraded schema takes today's data */
	crypto_keyring_free(keys);
	arena_release(&a);
	store_close(s);
	free(db_path);
	free(key_path);
	test_rmtree(dir);
}

static int run_ponte(const char *args, char *out, size_t n)
{
	const char *b = getenv("PONTE_BIN");
	char cmd[4096], o[64];
	snprintf(o, sizeof(o), "/tmp/ponte-backup-out.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>&1 </dev/null", b && *b ? b : "build/ponte", args,
		 o);
	int st = system(cmd);
	FILE *fp = fopen(o, "r");
	size_t got = fp ? fread(out, 1, n - 1, fp) : 0;
	out[got] = '\0';
	if (fp)
		fclose(fp);
	unlink(o);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A database one migration behind: every command refuses to upgrade it until a good backup
 * of its schema was taken, naming the command; serve --backup-dir takes it itself. */
static void an_upgrade_waits_for_a_backup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), 0);
	char *dir = test_tmpdir(), *db_path = test_path(dir, "p.db"),
	     *key_path = test_path(dir, "p.db.key"), *bdir = test_path(dir, "backups");
	char err[512], out[8192], args[2048];
	store *s;
	store_migration_report rep;
	int current, latest;
	assert_int_equal(store_create(db_path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s, &current, &latest), 0);
	assert_int_equal(store_migrate_to(s, latest - 1, &rep), 0);
	crypto_keyring *keys;
	assert_int_equal(keys_setup(s, key_path, &keys, err, sizeof(err)), 0);
	crypto_keyring_free(keys);
	store_checkpoint(s);
	store_close(s);
	snprintf(args, sizeof(args), "role list --db %s", db_path);
	assert_int_equal(run_ponte(args, out, sizeof(out)), 1);
	char want[4200];
	snprintf(want, sizeof(want), "take a backup first: `ponte backup --db %s --out FILE`",
		 db_path);
	if (!strstr(out, want))
		fail_msg("%s", out);
	/* serve refuses too, before listening. */
	snprintf(args, sizeof(args), "serve --db %s --listen 127.0.0.1:0", db_path);
	assert_int_equal(run_ponte(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, want));
	/* With a backup folder, serve takes the backup, then upgrades. A folder that cannot be
	 * made (here under a file) stops it, naming the folder. */
	snprintf(args, sizeof(args), "serve --db %s --listen 127.0.0.1:0 --backup-dir %s/x",
		 db_path, db_path);
	assert_int_equal(run_ponte(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no migration applied"));
	snprintf(want, sizeof(want), "cannot create the backup folder %s/x: Not a directory",
		 db_path);
	if (!strstr(out, want))
		fail_msg("%s", out);
	mkdir(bdir, 0700);
	snprintf(args, sizeof(args), "backup --db %s --dir %s --keep 2", db_path, bdir);
	assert_int_equal(run_ponte(args, out, sizeof(out)), 0);
	/* Before the backups table existed there is nowhere to record it: migrate explicitly. */
	if (latest - 1 < BACKUP_TABLE_SCHEMA) {
		snprintf(args, sizeof(args), "migrate --db %s", db_path);
		assert_int_equal(run_ponte(args, out, sizeof(out)), 0);
	} else {
		snprintf(args, sizeof(args), "role list --db %s", db_path);
		assert_int_equal(run_ponte(args, out, sizeof(out)), 0);
	}
	assert_int_equal(store_open(db_path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s, &current, &latest), 0);
	assert_int_equal(current, latest);
	store_close(s);
	/* --keep: the newest two stay. */
	for (int i = 0; i < 3; i++) {
		snprintf(args, sizeof(args), "backup --db %s --dir %s --keep 2", db_path, bdir);
		assert_int_equal(run_ponte(args, out, sizeof(out)), 0);
	}
	snprintf(args, sizeof(args), "test $(ls %s | grep -c '^ponte-.*\\.pbk$') -eq 2", bdir);
	assert_int_equal(system(args), 0);
	free(db_path);
	free(key_path);
	free(bdir);
	test_rmtree(dir);
}

/* serve --backup-dir naming a folder that does not exist yet (a fresh installation's
 * PONTE_BACKUP_DIR): it is created, with its missing parent, for the serving user alone, the
 * log says so, the backup lands in it and the upgrade goes on. */
static void serve_creates_a_missing_backup_folder(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), 0);
	char *dir = test_tmpdir(), *db_path = test_path(dir, "p.db"),
	     *key_path = test_path(dir, "p.db.key"), *log = test_path(dir, "serve.log");
	char err[512], bdir[4400], parent[4200], text[16384] = "";
	snprintf(parent, sizeof(parent), "%s/var", dir);
	snprintf(bdir, sizeof(bdir), "%s/upgrade-backups", parent);
	store *s;
	store_migration_report rep;
	int current, latest;
	assert_int_equal(store_create(db_path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s, &current, &latest), 0);
	assert_int_equal(store_migrate_to(s, latest - 1, &rep), 0);
	crypto_keyring *keys;
	assert_int_equal(keys_setup(s, key_path, &keys, err, sizeof(err)), 0);
	crypto_keyring_free(keys);
	store_checkpoint(s);
	store_close(s);
	const char *b = getenv("PONTE_BIN");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(log, "w", stderr);
		f = freopen("/dev/null", "w", stdout);
		(void)f;
		umask(022); /* the usual umask: the folder is 0700 all the same */
		execl(b && *b ? b : "build/ponte", "ponte", "serve", "--db", db_path, "--listen",
		      "127.0.0.1:0", "--backup-dir", bdir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 2000 && !strstr(text, "\"listening\""); i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		FILE *f = fopen(log, "r");
		size_t got = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		text[got] = '\0';
		if (f)
			fclose(f);
	}
	int st;
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!strstr(text, "\"listening\""))
		fail_msg("serve did not start: %s", text);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	char want[4600];
	snprintf(want, sizeof(want), "\"event\":\"backup_dir_created\",\"path\":\"%s\"", bdir);
	if (!strstr(text, want))
		fail_msg("%s", text);
	struct stat sb;
	assert_int_equal(stat(bdir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(sb.st_uid, getuid());
	assert_int_equal(stat(parent, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	char cmd[4800];
	snprintf(cmd, sizeof(cmd), "test $(ls %s | grep -c '^ponte-schema%d-.*\\.pbk$') -eq 1",
		 bdir, latest - 1);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(db_path, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s, &current, &latest), 0);
	assert_int_equal(current, latest);
	store_close(s);
	free(db_path);
	free(key_path);
	free(log);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    backup_under_write_load_restores_what_was_committed_before_its_point),
		cmocka_unit_test(damaged_cut_or_lengthened_archives_are_refused),
		cmocka_unit_test(a_wrong_key_is_refused),
		cmocka_unit_test(nothing_is_ever_overwritten),
		cmocka_unit_test(an_old_database_upgrades_through_every_migration_with_its_data),
		cmocka_unit_test(an_upgrade_waits_for_a_backup),
		cmocka_unit_test(serve_creates_a_missing_backup_folder),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (fixture_template_dir)
		test_rmtree(fixture_template_dir);
	return rc;
}
