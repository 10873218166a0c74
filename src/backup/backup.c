/* Taking a backup while the server runs, checking an archive, restoring it (docs/backup.md).
 *
 * The point of a backup is the moment SQLite's VACUUM INTO begins its read transaction: every
 * commit before it is in the archive, none after. Files are immutable once kept (named by
 * random bits, written under a temporary name then renamed), so copying the files folder
 * after the snapshot copies every file the snapshot refers to, unless one is removed in
 * between; the attachments' seals are checked after the copy, so such a backup fails
 * instead of passing for good. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "backup/backup.h"
#include "base/clock.h"
#include "base/fd.h"
#include "cases/cases.h"
#include "keys/keys.h"

#define MAX_DEPTH 8
#define FILES_MAX_ENTRIES 100000000u

bool backup_entry_name_valid(char kind, const char *name, size_t n);

static void say(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}
#define WHY(...) say(r->why, sizeof(r->why), __VA_ARGS__)

static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_tree(const char *path)
{
	if (path && *path)
		nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_dir_of(const char *path)
{
	char d[4096];
	snprintf(d, sizeof(d), "%s", path);
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	int rc = fsync(fd) == 0 ? 0 : PONTE_EIO;
	close(fd);
	return rc;
}

/* ---- what a database holds: the checks of a backup and of a restore ---- */

typedef struct counts {
	arena *a;
	backup_table_count *v;
	size_t n, cap;
} counts;

static int count_one(const char *table, int64_t rows, void *ctx)
{
	counts *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 128;
		if (cap > BACKUP_MAX_TABLES)
			return PONTE_ELIMIT;
		backup_table_count *v = arena_calloc(c->a, cap, sizeof(*v));
		if (!v)
			return PONTE_ENOMEM;
		if (c->n)
			memcpy(v, c->v, c->n * sizeof(*v));
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (backup_table_count){ .name = arena_strdup(c->a, table), .rows = rows };
	return c->v[c->n - 1].name ? 0 : PONTE_ENOMEM;
}

/* Integrity, schema version, rows per table and the audit chain of the database at path. */
static int check_database(const char *path, arena *a, backup_manifest *m, backup_report *r)
{
	store *s;
	char err[512];
	int rc = store_open(path, NULL, &s, err, sizeof(err));
	if (rc) {
		WHY("the database does not open: %s", err);
		return PONTE_EINVAL;
	}
	char why[400];
	if ((rc = store_integrity_check(s, why, sizeof(why)))) {
		WHY("PRAGMA integrity_check failed: %s",
		    rc == PONTE_EINVAL ? why : ponte_strerror(rc));
		rc = PONTE_EINVAL;
		goto out;
	}
	int current, latest;
	if ((rc = store_schema_version(s, &current, &latest))) {
		WHY("the database's migrations cannot be read, or a newer Ponte wrote it");
		rc = PONTE_EINVAL;
		goto out;
	}
	m->schema_version = current;
	counts c = { .a = a };
	if ((rc = store_table_counts(s, count_one, &c))) {
		WHY("cannot count the rows of the database: %s", ponte_strerror(rc));
		goto out;
	}
	m->tables = c.v;
	m->ntables = c.n;
	for (size_t i = 0; i < c.n; i++)
		if (strcmp(c.v[i].name, "cases") == 0)
			r->cases = c.v[i].rows;
	audit_verify_result av;
	if ((rc = audit_verify(s, &av))) {
		if (rc == PONTE_EINVAL)
			WHY("the audit trail is broken at event %lld: %s",
			    (long long)av.first_bad_id, av.why);
		else
			WHY("cannot read the audit trail: %s", ponte_strerror(rc));
		rc = PONTE_EINVAL;
		goto out;
	}
	m->audit_events = av.events;
	snprintf(m->audit_head, sizeof(m->audit_head), "%s", av.head);
out:
	store_close(s);
	return rc;
}

/* Open every attachment of the database at path from files/cases with the key file. */
static int check_seals(const char *path, const char *key_path, const char *files_dir,
		       int64_t *sealed, backup_report *r)
{
	store *s;
	char err[512], dir[4200];
	snprintf(dir, sizeof(dir), "%.4000s/cases", files_dir);
	int rc = store_open(path, NULL, &s, err, sizeof(err));
	crypto_keyring *keys = NULL;
	if (rc) {
		WHY("the database does not open: %s", err);
		return PONTE_EINVAL;
	}
	if ((rc = keys_load(s, key_path, &keys, err, sizeof(err)))) {
		WHY("the database's keys do not open with the master key: %s", err);
		store_close(s);
		return PONTE_EDENIED;
	}
	keyed_store env = { s, keys };
	int64_t bad = 0;
	rc = attachment_verify_seals(&env, dir, sealed, &bad);
	if (rc == PONTE_EINVAL)
		WHY("the file of case attachment %lld is missing or does not open (its seal is "
		    "broken)",
		    (long long)bad);
	else if (rc)
		WHY("cannot check the attachments: %s", ponte_strerror(rc));
	crypto_keyring_free(keys);
	store_close(s);
	return rc;
}

/* ---- taking ---- */

typedef struct taking {
	backup_writer *w;
	arena *a;
	backup_entry *entries;
	size_t n, cap;
	unsigned char *io;
	backup_report *r;
} taking;

static int add_entry(taking *t, char kind, const char *name, uint64_t size, const char *sha)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		if (cap > FILES_MAX_ENTRIES)
			return PONTE_ELIMIT;
		backup_entry *v = arena_calloc(t->a, cap, sizeof(*v));
		if (!v)
			return PONTE_ENOMEM;
		if (t->n)
			memcpy(v, t->entries, t->n * sizeof(*v));
		t->entries = v;
		t->cap = cap;
	}
	backup_entry *e = &t->entries[t->n];
	*e = (backup_entry){ .kind = kind, .name = arena_strdup(t->a, name), .size = size };
	memcpy(e->sha256, sha, 65);
	if (!e->name)
		return PONTE_ENOMEM;
	t->n++;
	return 0;
}

/* One file into the archive, exactly its size at open (files are never modified in place). */
static int put_file(taking *t, int fd, char kind, const char *name)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return PONTE_EIO;
	int rc = backup_writer_begin(t->w, kind, name, (uint64_t)sb.st_size);
	uint64_t left = (uint64_t)sb.st_size;
	while (!rc && left) {
		ssize_t got = read(fd, t->io, left < BACKUP_CHUNK ? left : BACKUP_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rc = PONTE_EIO;
			break;
		}
		rc = backup_writer_data(t->w, t->io, (size_t)got);
		left -= (uint64_t)got;
	}
	char sha[65];
	if (!rc)
		rc = backup_writer_end(t->w, sha);
	if (!rc)
		rc = add_entry(t, kind, name, (uint64_t)sb.st_size, sha);
	return rc;
}

/* The files folder, recursively, except spool/ (uploads in progress) and hidden names
 * (files being written). rel is the name inside the archive ("files/..."). */
static int put_tree(taking *t, const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT && depth == 0 ? 0 : PONTE_EIO;
	int rc = 0;
	for (struct dirent *e = readdir(d); !rc && e; e = readdir(d)) {
		if (e->d_name[0] == '.' || (depth == 0 && strcmp(e->d_name, "spool") == 0))
			continue;
		char path[4400], name[BACKUP_NAME_MAX + 2];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    (size_t)snprintf(name, sizeof(name), "%s/%s", rel, e->d_name) >= sizeof(name)) {
			say(t->r->why, sizeof(t->r->why), "a path in %s is too long", dir);
			rc = PONTE_ELIMIT;
			break;
		}
		struct stat sb;
		if (lstat(path, &sb) != 0)
			continue; /* removed meanwhile */
		if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 >= MAX_DEPTH) {
				say(t->r->why, sizeof(t->r->why),
				    "%s is nested too deep to back up", path);
				rc = PONTE_ELIMIT;
			} else {
				rc = put_tree(t, path, name, depth + 1);
			}
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue; /* sockets, links: nothing Ponte writes */
		if (!backup_entry_name_valid(BACKUP_ENTRY_FILE, name, strlen(name))) {
			say(t->r->why, sizeof(t->r->why),
			    "%s has a name a backup cannot hold (letters, digits, . _ - only)",
			    path);
			rc = PONTE_EINVAL;
			break;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue; /* removed meanwhile; the seal check below decides */
		rc = put_file(t, fd, BACKUP_ENTRY_FILE, name);
		close(fd);
		if (rc && !t->r->why[0])
			say(t->r->why, sizeof(t->r->why), "cannot copy %s: %s", path,
			    ponte_strerror(rc));
	}
	closedir(d);
	return rc;
}

bool backup_available(const store *db)
{
	return !store_is_pg(db);
}

int backup_take(store *db, const char *key_path, const backup_key *k, const char *out,
		backup_report *r)
{
	memset(r, 0, sizeof(*r));
	if (!backup_available(db)) {
		WHY("this installation's database is PostgreSQL, which ponte backup does not "
		    "copy: back it up with PostgreSQL's own tools (pg_basebackup with WAL "
		    "archiving, or pg_dump -Fc), with the files folder and, kept apart, the key "
		    "file (docs/deploy.md, \"On PostgreSQL\")");
		return PONTE_EINVAL;
	}
	if (exists(out)) {
		WHY("%s exists already; a backup never overwrites a file", out);
		return PONTE_EEXIST;
	}
	char tmp[4200], snap[4300], partial[4300], files_dir[4200];
	const char *db_path = store_path(db);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.backup-XXXXXX", db_path) >= sizeof(tmp) ||
	    (size_t)snprintf(partial, sizeof(partial), "%s.partial-XXXXXX", out) >=
		sizeof(partial)) {
		WHY("the path is too long");
		return PONTE_ELIMIT;
	}
	snprintf(files_dir, sizeof(files_dir), "%.4000s.files", db_path);
	if (!mkdtemp(tmp)) {
		WHY("cannot create a working folder beside %s: %s", db_path, strerror(errno));
		return PONTE_EIO;
	}
	snprintf(snap, sizeof(snap), "%s/snapshot", tmp);
	arena a;
	arena_init(&a, (size_t)1 << 31);
	taking t = { .a = &a, .r = r, .io = malloc(BACKUP_CHUNK) };
	backup_manifest m = { .ponte_version = PONTE_VERSION, .key_kind = k->kind };
	int fd = -1, snap_fd = -1;
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	snprintf(r->created_at, sizeof(r->created_at), "%s", when);
	m.created_at = r->created_at;
	int rc = t.io ? 0 : PONTE_ENOMEM;
	if (!rc && (rc = store_snapshot(db, snap)))
		WHY("cannot copy the database: %s", ponte_strerror(rc));
	if (!rc)
		rc = check_database(snap, &a, &m, r);
	if (!rc && (fd = mkstemp(partial)) < 0) {
		WHY("cannot create %s: %s", partial, strerror(errno));
		rc = PONTE_EIO;
	}
	if (!rc && (rc = backup_writer_start(fd, k, &t.w)))
		WHY("cannot write %s: %s", partial, ponte_strerror(rc));
	if (!rc && (snap_fd = open(snap, O_RDONLY | O_CLOEXEC)) < 0)
		rc = PONTE_EIO;
	if (!rc && (rc = put_file(&t, snap_fd, BACKUP_ENTRY_DATABASE, "database")))
		WHY("cannot write %s: %s", partial, ponte_strerror(rc));
	if (!rc && k->kind == BACKUP_KEY_SEPARATE) {
		/* The master key inside, for the holder of the backup key's secret half. */
		char sha[65];
		rc = backup_writer_begin(t.w, BACKUP_ENTRY_KEY, "key", CRYPTO_KEY_BYTES);
		if (!rc)
			rc = backup_writer_data(t.w, k->master, CRYPTO_KEY_BYTES);
		if (!rc)
			rc = backup_writer_end(t.w, sha);
		if (!rc)
			rc = add_entry(&t, BACKUP_ENTRY_KEY, "key", CRYPTO_KEY_BYTES, sha);
	}
	size_t before_files = t.n;
	if (!rc)
		rc = put_tree(&t, files_dir, "files", 0);
	r->files = (int64_t)(t.n - before_files);
	if (!rc)
		rc = check_seals(snap, key_path, files_dir, &m.sealed_attachments, r);
	m.entries = t.entries;
	m.nentries = t.n;
	buf man;
	buf_init(&man, BACKUP_MANIFEST_MAX);
	if (!rc && (rc = backup_manifest_write(&m, &man)))
		WHY("the manifest is too large");
	if (!rc) {
		rc = backup_writer_finish(t.w, man.data, man.len);
		t.w = NULL;
	}
	buf_release(&man);
	if (!rc && fsync(fd) != 0)
		rc = PONTE_EIO;
	struct stat sb;
	if (!rc && fstat(fd, &sb) == 0)
		r->bytes = (uint64_t)sb.st_size;
	/* link() refuses an existing name: a file created at out meanwhile is never replaced. */
	if (!rc && link(partial, out) != 0) {
		WHY("cannot create %s: %s", out, strerror(errno));
		rc = errno == EEXIST ? PONTE_EEXIST : PONTE_EIO;
	} else if (!rc) {
		fsync_dir_of(out);
	}
	if (rc && !r->why[0])
		WHY("cannot write %s: %s", out, ponte_strerror(rc));
	backup_writer_free(t.w);
	if (fd >= 0) {
		close(fd);
		unlink(partial);
	}
	if (snap_fd >= 0)
		close(snap_fd);
	r->schema_version = m.schema_version;
	r->audit_events = m.audit_events;
	r->sealed_attachments = m.sealed_attachments;
	snprintf(r->audit_head, sizeof(r->audit_head), "%s", m.audit_head);
	remove_tree(tmp);
	free(t.io);
	arena_release(&a);
	return rc;
}

/* ---- checking and restoring ---- */

typedef struct unpacking {
	const char *root; /* the staging folder */
	int fd;
	char path[4800];
	bool have_key, in_key;
	unsigned char master[CRYPTO_KEY_BYTES]; /* the key entry, kept out of any file */
	size_t master_len;
} unpacking;

static int make_parents(const char *root, const char *rel)
{
	char p[4800];
	int n = snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(p))
		return PONTE_ELIMIT;
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return PONTE_EIO;
		*s = '/';
	}
	return 0;
}

static int unpack_begin(void *ctx, char kind, const char *name, uint64_t size)
{
	(void)size;
	unpacking *u = ctx;
	if (kind == BACKUP_ENTRY_KEY) { /* the reader checked its size: CRYPTO_KEY_BYTES */
		u->in_key = u->have_key = true;
		u->master_len = 0;
		return 0;
	}
	/* The reader checked the name: "database", "key", or "files/" and plain components. */
	int rc = make_parents(u->root, name);
	if (rc)
		return rc;
	snprintf(u->path, sizeof(u->path), "%s/%s", u->root, name);
	u->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	return u->fd < 0 ? PONTE_EIO : 0;
}

static int unpack_data(void *ctx, const void *p, size_t n)
{
	unpacking *u = ctx;
	if (u->in_key) {
		if (n > sizeof(u->master) - u->master_len)
			return PONTE_EINVAL;
		memcpy(u->master + u->master_len, p, n);
		u->master_len += n;
		return 0;
	}
	return fd_write_all(u->fd, p, n);
}

static int unpack_end(void *ctx)
{
	unpacking *u = ctx;
	if (u->in_key) {
		u->in_key = false;
		return 0;
	}
	int rc = fsync(u->fd) == 0 ? 0 : PONTE_EIO;
	close(u->fd);
	u->fd = -1;
	return rc;
}

/* The key file of the restored database: the master key from the archive (to a separate
 * backup key) or the one the reader was given (to the instance key). */
static int write_master(const char *path, const unsigned char key[CRYPTO_KEY_BYTES])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return PONTE_EIO;
	char hex[2 * CRYPTO_KEY_BYTES + 2]; /* as crypto_master_key_create writes it */
	crypto_hex(key, CRYPTO_KEY_BYTES, hex);
	hex[2 * CRYPTO_KEY_BYTES] = '\n';
	ssize_t w = write(fd, hex, sizeof(hex) - 1);
	int rc = w == (ssize_t)sizeof(hex) - 1 && fsync(fd) == 0 ? 0 : PONTE_EIO;
	close(fd);
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* Unpack into staging (which exists) and check everything; 0 when the archive is good. */
static int unpack_and_check(const char *archive, const backup_key *k, const char *staging,
			    backup_report *r)
{
	char db[4300], key[4300], files[4300];
	snprintf(db, sizeof(db), "%.4200s/database", staging);
	snprintf(key, sizeof(key), "%.4200s/key", staging);
	snprintf(files, sizeof(files), "%.4200s/files", staging);
	if (mkdir(files, 0700) != 0) {
		WHY("cannot create %s: %s", files, strerror(errno));
		return PONTE_EIO;
	}
	int fd = open(archive, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		WHY("cannot read %s: %s", archive, strerror(errno));
		return PONTE_EIO;
	}
	arena a;
	arena_init(&a, (size_t)1 << 31);
	unpacking u = { .root = staging, .fd = -1 };
	backup_sink sink = { unpack_begin, unpack_data, unpack_end, &u };
	backup_manifest m = { 0 };
	int rc = backup_archive_read(fd, k, &sink, &a, &m, r->why, sizeof(r->why));
	close(fd);
	if (u.fd >= 0)
		close(u.fd);
	if (!rc && k->kind == BACKUP_KEY_SEPARATE && (!u.have_key || u.master_len != 32)) {
		WHY("the archive lacks the instance's key");
		rc = PONTE_EINVAL;
	}
	if (!rc && (rc = write_master(key, u.have_key ? u.master : k->master)))
		WHY("cannot write %s", key);
	sodium_memzero(u.master, sizeof(u.master));
	backup_manifest found = { 0 };
	if (!rc) {
		snprintf(r->created_at, sizeof(r->created_at), "%s", m.created_at);
		rc = check_database(db, &a, &found, r);
	}
	if (!rc && found.schema_version != m.schema_version) {
		WHY("the database is at schema %lld, the manifest says %lld",
		    (long long)found.schema_version, (long long)m.schema_version);
		rc = PONTE_EINVAL;
	}
	if (!rc && found.ntables != m.ntables) {
		WHY("the database has %zu tables, the manifest %zu", found.ntables, m.ntables);
		rc = PONTE_EINVAL;
	}
	for (size_t i = 0; !rc && i < m.ntables; i++) {
		if (strcmp(found.tables[i].name, m.tables[i].name) != 0 ||
		    found.tables[i].rows != m.tables[i].rows) {
			WHY("table %s has %lld rows, the manifest says %s has %lld",
			    found.tables[i].name, (long long)found.tables[i].rows, m.tables[i].name,
			    (long long)m.tables[i].rows);
			rc = PONTE_EINVAL;
		}
	}
	if (!rc &&
	    (found.audit_events != m.audit_events || strcmp(found.audit_head, m.audit_head) != 0)) {
		WHY("the audit chain ends at %s after %lld events; the manifest says %s after %lld",
		    found.audit_head, (long long)found.audit_events, m.audit_head,
		    (long long)m.audit_events);
		rc = PONTE_EINVAL;
	}
	int64_t sealed = 0;
	if (!rc)
		rc = check_seals(db, key, files, &sealed, r);
	if (!rc && sealed != m.sealed_attachments) {
		WHY("%lld attachments open, the manifest says %lld", (long long)sealed,
		    (long long)m.sealed_attachments);
		rc = PONTE_EINVAL;
	}
	r->schema_version = m.schema_version;
	r->audit_events = m.audit_events;
	r->sealed_attachments = sealed;
	r->files = 0;
	for (size_t i = 0; i < m.nentries; i++)
		r->files += m.entries[i].kind == BACKUP_ENTRY_FILE;
	snprintf(r->audit_head, sizeof(r->audit_head), "%s", m.audit_head);
	arena_release(&a);
	return rc;
}

int backup_verify(const char *archive, const backup_key *k, const char *work_dir, backup_report *r)
{
	memset(r, 0, sizeof(*r));
	const char *base = work_dir && *work_dir ? work_dir : getenv("TMPDIR");
	char staging[4200];
	if ((size_t)snprintf(staging, sizeof(staging), "%s/ponte-verify-XXXXXX",
			     base && *base ? base : "/tmp") >= sizeof(staging)) {
		WHY("the path is too long");
		return PONTE_ELIMIT;
	}
	if (!mkdtemp(staging)) {
		WHY("cannot create a working folder %s: %s", staging, strerror(errno));
		return PONTE_EIO;
	}
	int rc = unpack_and_check(archive, k, staging, r);
	struct stat sb;
	if (stat(archive, &sb) == 0)
		r->bytes = (uint64_t)sb.st_size;
	remove_tree(staging);
	return rc;
}

static int move_into_place(const char *from, const char *to, backup_report *r)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	WHY("cannot create %s: %s", to, strerror(errno));
	return errno == EEXIST ? PONTE_EEXIST : PONTE_EIO;
}

int backup_restore(const char *archive, const backup_key *k, const char *new_db, backup_report *r)
{
	memset(r, 0, sizeof(*r));
	char files[4200], key[4200], wal[4200], staging[4300];
	if ((size_t)snprintf(files, sizeof(files), "%s.files", new_db) >= sizeof(files) ||
	    (size_t)snprintf(staging, sizeof(staging), "%s.restore-XXXXXX", new_db) >=
		sizeof(staging)) {
		WHY("the path is too long");
		return PONTE_ELIMIT;
	}
	snprintf(key, sizeof(key), "%s.key", new_db);
	snprintf(wal, sizeof(wal), "%s-wal", new_db);
	const char *taken[] = { new_db, files, key, wal };
	for (size_t i = 0; i < ARRAY_LEN(taken); i++) {
		if (exists(taken[i])) {
			WHY("%s exists already; a restore never overwrites (choose a new path)",
			    taken[i]);
			return PONTE_EEXIST;
		}
	}
	if (!mkdtemp(staging)) {
		WHY("cannot create a working folder beside %s: %s", new_db, strerror(errno));
		return PONTE_EIO;
	}
	int rc = unpack_and_check(archive, k, staging, r);
	char p[4400];
	if (!rc) {
		/* Back to WAL mode, as `ponte init` leaves a database. */
		store *s;
		char err[512];
		snprintf(p, sizeof(p), "%s/database", staging);
		if (!(rc = store_open(p, NULL, &s, err, sizeof(err)))) {
			rc = store_set_wal(s);
			store_checkpoint(s);
			store_close(s);
		}
		if (rc)
			WHY("cannot prepare the restored database: %s", ponte_strerror(rc));
	}
	bool moved_key = false, moved_files = false;
	if (!rc) {
		snprintf(p, sizeof(p), "%s/key", staging);
		rc = move_into_place(p, key, r);
		moved_key = !rc;
	}
	if (!rc) {
		snprintf(p, sizeof(p), "%s/files", staging);
		rc = move_into_place(p, files, r);
		moved_files = !rc;
	}
	if (!rc) { /* the database last: it is what makes the restore visible */
		snprintf(p, sizeof(p), "%s/database", staging);
		rc = move_into_place(p, new_db, r);
	}
	if (rc) { /* take back what was moved: nothing half-restored stays */
		if (moved_key)
			unlink(key);
		snprintf(p, sizeof(p), "%s/files", staging);
		if (moved_files)
			rename(files, p);
	}
	if (!rc)
		fsync_dir_of(new_db);
	struct stat sb;
	if (stat(archive, &sb) == 0)
		r->bytes = (uint64_t)sb.st_size;
	remove_tree(staging);
	return rc;
}
