/*
 * backup.h: backups that restore. One encrypted archive holds a consistent copy of the
 * database, taken while the server runs, the files folder beside it (attachments, knowledge
 * files, observatory releases) and a manifest that says what a restore must find (schema
 * version, rows per table, the audit chain's head, a checksum of every entry).
 *
 * Invariants and ownership:
 * - The archive format is docs/backup.md's. Its reader treats the file as hostile: every
 *   length is bounded before it is used, the state machine accepts one order of records
 *   only, and nothing is written to disk except through the caller's sink, under names it
 *   has checked (BACKUP_NAME_MAX, no "..", no absolute path).
 * - An archive is encrypted either to the instance's master key (restoring needs the key
 *   file) or to a separate backup key pair (the server keeps only the public half; the
 *   archive then carries the master key too, so the secret half alone restores everything
 *   when the server and its key file are lost).
 * - A restore never overwrites: the database, its files folder and its key file are built in
 *   a staging folder beside the target and moved into place only after every check passed.
 * - The `backups` table (migration 0038) is this module's: one row per backup taken.
 */
#ifndef PONTE_BACKUP_H
#define PONTE_BACKUP_H

#include "base/arena.h"
#include "base/buf.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define BACKUP_MAGIC "PONTEBAK"
#define BACKUP_FORMAT 1
#define BACKUP_NAME_MAX 512                  /* bytes of an entry's name */
#define BACKUP_CHUNK (64u << 10)             /* content bytes per record */
#define BACKUP_MAX_ENTRIES 10000000u         /* entries in one archive */
#define BACKUP_MANIFEST_MAX (256u << 20)     /* bytes of manifest */
#define BACKUP_MAX_TABLES 4096               /* tables named in a manifest */
#define BACKUP_ENTRY_MAX ((uint64_t)1 << 44) /* bytes of one entry (16 TiB) */
#define BACKUP_HEADER_BYTES (8 + 1 + 1 + 2 + 16 + 80 + 24)
/* The migration that creates the backups table (0038_backups.sql). */
#define BACKUP_TABLE_SCHEMA 38

enum backup_key_kind { BACKUP_KEY_INSTANCE = 1, BACKUP_KEY_SEPARATE = 2 };

/* Entry kinds: the database, the master key (only in archives to a separate key), a file of
 * the files folder (named "files/<path inside DB.files>"). */
enum { BACKUP_ENTRY_DATABASE = 'D', BACKUP_ENTRY_KEY = 'K', BACKUP_ENTRY_FILE = 'F' };

/* The keys a writer or reader holds. Writer: kind INSTANCE needs master; kind SEPARATE needs
 * public and master (which it stores inside). Reader: INSTANCE needs master; SEPARATE needs
 * secret (public is derived from it). Wipe with backup_key_wipe. */
typedef struct backup_key {
	enum backup_key_kind kind;
	bool has_master, has_secret;
	unsigned char master[CRYPTO_KEY_BYTES];
	unsigned char public_key[32], secret_key[32];
} backup_key;

void backup_key_wipe(backup_key *k);
/* A new backup key pair: the secret at path (mode 0600, refused if it exists), the public
 * key at path.pub. id receives the key's id (hex) as archives name it. */
int backup_key_generate(const char *path, char id[33], char *err, size_t errlen);
/* Read a backup key file: a public key (to write archives) or a secret one (to read them).
 * A secret key file that group or others can read is refused. */
int backup_key_load(const char *path, backup_key *k, char *err, size_t errlen);
/* The id of a key as the archive header carries it (hex, 32 characters). */
void backup_key_id(const backup_key *k, char id[33]);

/* ---- the archive (archive.c) ---- */
typedef struct backup_writer backup_writer;
int backup_writer_start(int fd, const backup_key *k, backup_writer **out);
int backup_writer_begin(backup_writer *w, char kind, const char *name, uint64_t size);
int backup_writer_data(backup_writer *w, const void *p, size_t n);
/* Ends the entry (its size must be what begin said); sha256 receives its checksum (hex). */
int backup_writer_end(backup_writer *w, char sha256[65]);
/* The manifest, the last record(s), tagged final; then the writer is freed. */
int backup_writer_finish(backup_writer *w, const char *manifest, size_t n);
void backup_writer_free(backup_writer *w);
/* For the fuzzer and tests only: one record exactly as given (a well-formed archive is
 * made of begin/data/end/finish). */
int backup_writer_record(backup_writer *w, const void *p, size_t n, bool final);

typedef struct backup_table_count {
	const char *name;
	int64_t rows;
} backup_table_count;

typedef struct backup_entry {
	char kind;
	const char *name;
	uint64_t size;
	char sha256[65];
} backup_entry;

typedef struct backup_manifest {
	const char *created_at, *ponte_version;
	int64_t schema_version;
	enum backup_key_kind key_kind;
	size_t ntables;
	backup_table_count *tables;
	int64_t audit_events;
	char audit_head[65];
	int64_t sealed_attachments;
	size_t nentries;
	backup_entry *entries;
} backup_manifest;

/* Where a reader puts the entries' content; any callback may refuse (non-zero). */
typedef struct backup_sink {
	int (*begin)(void *ctx, char kind, const char *name, uint64_t size);
	int (*data)(void *ctx, const void *p, size_t n);
	int (*end)(void *ctx);
	void *ctx;
} backup_sink;

/* Read a whole archive: header, records, manifest; 0 only when the archive is complete,
 * authentic under k and every entry matches the manifest. The manifest lives in a. Errors:
 * PONTE_EDENIED (another key), PONTE_EINVAL (damaged, truncated, out of order, or a
 * manifest that does not match), PONTE_ELIMIT (a bound), the sink's error. why says which. */
int backup_archive_read(int fd, const backup_key *k, const backup_sink *sink, arena *a,
			backup_manifest *m, char *why, size_t whylen);
/* Parse and check a manifest's text (the archive reader uses it; so does the fuzzer). */
int backup_manifest_parse(arena *a, const char *text, size_t n, backup_manifest *m, char *why,
			  size_t whylen);
/* The manifest as JSON (entries and tables from m). */
int backup_manifest_write(const backup_manifest *m, buf *out);

/* ---- taking, checking and restoring (backup.c) ---- */
typedef struct backup_report {
	int64_t schema_version;
	int64_t cases, audit_events, sealed_attachments, files;
	uint64_t bytes; /* of the archive */
	char audit_head[65];
	char created_at[32];
	char why[512]; /* on failure */
} backup_report;

/* Whether backup_take can copy db: an SQLite file, yes; a PostgreSQL database no: it is
 * backed up with PostgreSQL's own tools (pg_basebackup with WAL archiving, or pg_dump),
 * which Ponte neither runs nor sees (docs/deploy.md, "On PostgreSQL"). */
bool backup_available(const store *db);

/* Take a backup of the database db (while a server may be writing to it) into the archive
 * out (refused if it exists), encrypted as k says; PONTE_EINVAL, saying which tools to use
 * instead, on a store backup_available() refuses. key_path is the master key file, used to
 * check the attachments' seals (and stored in separate-key archives). */
int backup_take(store *db, const char *key_path, const backup_key *k, const char *out,
		backup_report *r);
/* Check an archive without restoring: everything a restore checks, in a scratch folder
 * under work_dir (NULL: $TMPDIR or /tmp) removed afterwards. master_key_path: the key file
 * of the instance when the archive is to the instance key. */
int backup_verify(const char *archive, const backup_key *k, const char *work_dir, backup_report *r);
/* Restore into new_db (which, like new_db.files and new_db.key, must not exist). */
int backup_restore(const char *archive, const backup_key *k, const char *new_db, backup_report *r);

/* ---- the record of backups (backup_store.c) ---- */
int backup_record(store *db, const backup_report *r, const char *archive, bool good);
/* The time (RFC 3339) of the last good backup, "" when there is none. */
int backup_last_good(store *db, char when[32], int64_t *schema_version);
/* The last good backup's time and age in seconds (-1 and "" when there is none). */
int backup_last_good_age(store *db, char when[32], int64_t *seconds);
/* Whether migrations may be applied to db now: 0 when none are pending or the database is
 * new (no table yet), or a good backup of its current schema was taken in the last 24
 * hours; PONTE_EDENIED otherwise, with the schema versions in *from and *to. */
int backup_upgrade_allowed(store *db, int *from, int *to);

#endif
