/* Replacing the master key (keys.h): every wrapped key of the database rewrapped under a new
 * key file in one transaction, so that exactly one of the two files opens the database at
 * any moment, a kill -9 included. */
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>

#include "base/clock.h"
#include "keys/keys.h"

static const char SQL_ALL[] = "SELECT version, wrapped FROM data_keys ORDER BY version";
static const char SQL_REWRAP[] = "UPDATE data_keys SET wrapped = ?2 WHERE version = ?1";
static const char SQL_INDEX_PUT[] =
    "INSERT INTO index_keys(id, wrapped, created_at) VALUES (1, ?1, ?2) "
    "ON CONFLICT(id) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at";

/* The new key file's name in its folder survives a power cut before the database says it is
 * the one: a database whose only key is a file lost from the folder would be lost too. */
static int sync_folder_of(const char *path)
{
	char copy[4096];
	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return PONTE_EINVAL;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PONTE_EIO;
	int rc = fsync(fd) == 0 ? 0 : PONTE_EIO;
	close(fd);
	return rc;
}

struct wrapped_row {
	uint32_t version;
	buf wrapped;
};

int keys_replace_master(store *s, const char *old_path, const char *new_path,
			keys_in_transaction_fn in_tx, void *ctx, uint32_t *rewrapped, char *err,
			size_t errlen)
{
	crypto_keyring *old = NULL, *fresh = NULL;
	store_conn *c;
	store_stmt *st = NULL;
	unsigned char master[CRYPTO_KEY_BYTES];
	struct wrapped_row rows[CRYPTO_MAX_KEY_VERSIONS];
	size_t nrows = 0;
	buf index;
	buf_init(&index, 256);
	*rewrapped = 0;
	/* The old file must open this database before anything is made: a wrong file leaves
	 * nothing behind. */
	int rc = keys_load(s, old_path, &old, err, errlen);
	if (rc)
		goto out;
	rc = crypto_master_key_create(new_path, err, errlen);
	if (rc == PONTE_EEXIST) {
		snprintf(err, errlen,
			 "%s exists; a new master key is never written over a file (if an "
			 "interrupted replacement left it, %s still opens the database: remove %s "
			 "and run again)",
			 new_path, old_path, new_path);
		goto out;
	}
	if (rc)
		goto out;
	if ((rc = sync_folder_of(new_path)) != 0) {
		snprintf(err, errlen, "cannot make %s durable: %s", new_path, ponte_strerror(rc));
		goto out;
	}
	rc = crypto_master_key_load(new_path, master, err, errlen);
	if (rc)
		goto out;
	fresh = crypto_keyring_new(master);
	crypto_wipe(master, sizeof(master));
	if (!fresh) {
		rc = PONTE_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	if ((rc = store_conn_get(s, &c)) != 0 || (rc = store_begin(c)) != 0) {
		snprintf(err, errlen, "cannot start the transaction: %s", ponte_strerror(rc));
		goto out;
	}
	/* Every data key, the retired ones too: none may stay readable with the old file. */
	rc = store_prepare(c, SQL_ALL, &st);
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		uint32_t v = (uint32_t)store_col_int64(st, 0);
		size_t n;
		const void *w = store_col_blob(st, 1, &n);
		if (nrows == CRYPTO_MAX_KEY_VERSIONS) {
			rc = PONTE_ELIMIT;
			break;
		}
		rows[nrows].version = v;
		buf_init(&rows[nrows].wrapped, 256);
		nrows++;
		rc = crypto_keyring_add(old, v, w, n);
		if (!rc)
			rc = crypto_keyring_wrap_for(old, v, fresh, &rows[nrows - 1].wrapped);
	}
	if (rc == STORE_DONE)
		rc = 0;
	if (st)
		store_reset(st);
	for (size_t i = 0; !rc && i < nrows; i++) {
		if ((rc = store_prepare(c, SQL_REWRAP, &st)) != 0)
			break;
		store_bind_int64(st, 1, rows[i].version);
		store_bind_blob(st, 2, rows[i].wrapped.data, rows[i].wrapped.len);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = crypto_keyring_wrap_index_for(old, fresh, &index);
	if (!rc && (rc = store_prepare(c, SQL_INDEX_PUT, &st)) == 0) {
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		store_bind_blob(st, 1, index.data, index.len);
		store_bind_text(st, 2, when, strlen(when));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && in_tx)
		rc = in_tx(s, ctx);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		snprintf(
		    err, errlen,
		    "the keys were not rewrapped (%s): %s still opens the database and %s does "
		    "not; remove %s before trying again",
		    ponte_strerror(rc), old_path, new_path, new_path);
		goto out;
	}
	*rewrapped = (uint32_t)nrows;
out:
	for (size_t i = 0; i < nrows; i++)
		buf_release(&rows[i].wrapped);
	buf_release(&index);
	crypto_keyring_free(old);
	crypto_keyring_free(fresh);
	return rc;
}
