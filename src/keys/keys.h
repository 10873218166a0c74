/*
 * keys.h: the keys that protect personal data, as stored for this installation.
 *
 * Invariants:
 * - The master key file is separate from the database (default: the database path plus
 *   ".key"; --key or PONTE_KEY to put it elsewhere, e.g. on another disk). It is created by
 *   `ponte init` with mode 0600 and refused at start-up if group or others can read it.
 * - The database holds data keys wrapped under the master key, one per version; exactly one
 *   is "current" (new encryptions), older ones stay until `ponte keys rotate` has
 *   re-encrypted every field, then they are "retired".
 * - The blind-index key is derived from the master key until the master key is first
 *   replaced; from then on it is the one in index_keys, wrapped under the master key, so that
 *   the indexes already stored keep matching.
 * - Replacing the master key (keys_replace_master) rewraps every data key and the index key
 *   in one transaction: before its commit only the old file opens the database, after it
 *   only the new one. A keyring loaded before keeps working (its keys are unwrapped), but
 *   cannot unwrap a version added later under the new file.
 * - A keyring loaded here can decrypt every version still in use; versions added later by a
 *   rotation running beside the server are fetched on demand (keys_ensure).
 * - Checked on entry (PONTE_CHECK): the store, the key path and the keyring are given.
 */
#ifndef PONTE_KEYS_H
#define PONTE_KEYS_H

#include "crypto/crypto.h"
#include "store/store.h"

/* The key file path for a database: explicit, else $PONTE_KEY, else DB + ".key". */
const char *keys_path_for(const char *explicit_path, const char *db_path, char *out, size_t outlen);

/* For a new database: create (or reuse) the master key file and store the first data key. */
int keys_setup(store *s, const char *key_path, crypto_keyring **out, char *err, size_t errlen);
/* For an existing database: load the master key and every data key in use. */
int keys_load(store *s, const char *key_path, crypto_keyring **out, char *err, size_t errlen);
/* Make sure the keyring knows version v (added by a concurrent rotation). */
int keys_ensure(store *s, crypto_keyring *k, uint32_t version);

/* Follow the current version chosen by a rotation (at most every few seconds unless force). */
int keys_refresh(store *s, crypto_keyring *k, bool force);

/* The current data key's version and when it was made (RFC 3339), for the administrator's
 * view of the installation's health. */
int keys_current(store *s, uint32_t *version, char created_at[40]);

/* The first schema with the index_keys table (databases from older archives have none). */
#define KEYS_INDEX_TABLE_SCHEMA 51

/* Replacing the master key (master.c): old_path must open the database; new_path must not
 * exist; it is created (mode 0600, synced with its folder), then every data key, retired ones
 * included, and the blind-index key are rewrapped under it in one transaction, in which
 * in_tx (if given) also runs, e.g. to append the audit event. On failure nothing changed in
 * the database and err says which file opens it. *rewrapped: data keys rewrapped. */
typedef int (*keys_in_transaction_fn)(store *s, void *ctx);
int keys_replace_master(store *s, const char *old_path, const char *new_path,
			keys_in_transaction_fn in_tx, void *ctx, uint32_t *rewrapped, char *err,
			size_t errlen);

/* Rotation (rotate.c): add a new current version, re-encrypt every field in batches of
 * `batch` rows, each batch in its own transaction, then retire the old versions. Resumable:
 * started again after a crash, it continues where it stopped. progress may be NULL. */
typedef void (*keys_progress_fn)(const char *table, int64_t done, void *ctx);
int keys_rotate(store *s, crypto_keyring *k, int batch, keys_progress_fn progress, void *ctx,
		char *err, size_t errlen);

#endif
