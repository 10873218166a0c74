/* Attachments of a case: the kind decided from the bytes, the file sealed on disk under a key of
 * its own, that key and the file's name encrypted in the database under the attachment's row. */
#include <sys/stat.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "cases/internal.h"
#include "files/files.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

/* clang-format off */
static const char SQL_ADD[] =
    "INSERT INTO case_attachments(case_id, stored_name, media_type, extension, size, "
    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_FILENAME[] = "UPDATE case_attachments SET filename_enc = ?2 WHERE id = ?1";
static const char SQL_FILE_KEY[] = "UPDATE case_attachments SET file_key_enc = ?2 WHERE id = ?1";
static const char SQL_COUNT[] =
    "SELECT count(*) FROM case_attachments WHERE case_id = ?1 AND removed_at IS NULL";
static const char SQL_LIST[] =
    "SELECT id, media_type, size, filename_enc, created_at FROM case_attachments "
    "WHERE case_id = ?1 AND removed_at IS NULL ORDER BY id DESC";
static const char SQL_GET[] =
    "SELECT stored_name, media_type, size, filename_enc, file_key_enc, created_at "
    "FROM case_attachments WHERE id = ?1 AND case_id = ?2 AND removed_at IS NULL";
static const char SQL_REMOVE[] =
    "UPDATE case_attachments SET removed_by = ?3, removed_at = ?4 WHERE id = ?1 AND "
    "case_id = ?2 AND removed_at IS NULL";
/* clang-format on */

static int count_of(store_conn *c, int64_t case_id, int64_t *n)
{
	int rc = case_row_int(c, SQL_COUNT, case_id, n);
	return rc == PONTE_ENOTFOUND ? PONTE_ESTORE : rc;
}

/* The row's secrets: the file's name and key, encrypted under its id. */
static int seal_row(const keyed_store *env, store_conn *c, int64_t id, const char *name,
		    const char *key_hex)
{
	int rc =
	    field_encrypt_row(env, c, SQL_FILENAME, "case_attachments", "filename", id, name, 4096);
	return rc ? rc
		  : field_encrypt_row(env, c, SQL_FILE_KEY, "case_attachments", "file_key", id,
				      key_hex, 4096);
}

int attachment_add(const keyed_store *env, const principal *p, const char *dir, int64_t case_id,
		   const char *path, const char *filename, int64_t *id, const char **why)
{
	*why = NULL;
	int rc = case_check(env, p, case_id, "case.social.write");
	if (rc)
		return rc;
	const file_kind *kind = files_sniff_path(path);
	struct stat sb;
	if (!kind || stat(path, &sb) != 0) {
		*why =
		    N_("Attach a PDF, an office document (Word, Excel, PowerPoint, OpenDocument) "
		       "or an image; this file is none of these.");
		return PONTE_EINVAL;
	}
	if ((uint64_t)sb.st_size > CASE_ATTACHMENT_MAX) {
		*why = N_("A case attachment is at most 10 MB.");
		return PONTE_ELIMIT;
	}
	char name[256], key_hex[2 * CRYPTO_KEY_BYTES + 1];
	files_download_name(filename && utf8_valid_text(filename, strlen(filename)) ? filename : "",
			    kind, name, sizeof(name));
	unsigned char key[CRYPTO_KEY_BYTES];
	crypto_random(key, sizeof(key));
	crypto_hex(key, sizeof(key), key_hex);
	char stored[FILES_NAME_LEN + 1] = "";
	rc = files_keep_sealed(dir, path, key, stored);
	crypto_wipe(key, sizeof(key));
	store_conn *c;
	bool begun = false;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		begun = !(rc = store_begin(c));
	int64_t n = 0;
	if (!rc && !(rc = count_of(c, case_id, &n)) && n >= CASE_ATTACHMENTS_PER_CASE) {
		*why = N_("A case can have at most 100 attachments.");
		rc = PONTE_EINVAL;
	}
	if (!rc) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		const case_value v[] = { CV_INT(case_id),
					 CV_TEXT(stored),
					 CV_TEXT(kind->media_type),
					 CV_TEXT(kind->extension),
					 CV_INT((int64_t)sb.st_size),
					 CV_INT(p->user_id),
					 CV_TEXT(now) };
		rc = case_row_write(c, SQL_ADD, v, ARRAY_LEN(v), id);
	}
	if (!rc)
		rc = seal_row(env, c, *id, name, key_hex);
	crypto_wipe(key_hex, sizeof(key_hex));
	if (!rc)
		rc = principal_audit(env->db, p, "case.attach", "case", case_id, "success", true);
	if (begun && !rc)
		rc = store_commit(c);
	if (begun && rc)
		store_rollback(c);
	if (rc && stored[0])
		files_remove(dir, stored); /* nothing refers to it */
	return rc;
}

/* A secret of the row; NULL when missing too (a file always has its name and key). */
static const char *dec(const keyed_store *env, arena *a, store_stmt *st, int col, const char *name,
		       int64_t id)
{
	size_t n;
	store_col_blob(st, col, &n);
	return n ? case_secret_col(env, a, st, col, "case_attachments", name, id) : NULL;
}

struct attachment_rows {
	attachment_fn fn;
	void *ctx;
};

static int attachment_row(const keyed_store *env, arena *a, store_stmt *st, void *ctx)
{
	const struct attachment_rows *r = ctx;
	case_attachment x = { .id = store_col_int64(st, 0),
			      .media_type = store_col_dup(a, st, 1),
			      .size = store_col_int64(st, 2),
			      .created_at = store_col_dup(a, st, 4) };
	x.filename = dec(env, a, st, 3, "filename", x.id);
	return x.filename ? r->fn(&x, r->ctx) : PONTE_ESTORE;
}

int attachment_list(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		    attachment_fn fn, void *ctx)
{
	int rc = case_check(env, p, case_id, "case.social.read");
	struct attachment_rows r = { fn, ctx };
	store_conn *c;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = case_row_read(env, a, c, SQL_LIST, &CV_INT(case_id), 1, attachment_row, &r,
				   NULL);
	return rc;
}

int attachment_read(const keyed_store *env, arena *a, const principal *p, const char *dir,
		    int64_t case_id, int64_t id, case_attachment *meta, buf *content)
{
	int rc = case_check(env, p, case_id, "case.social.read");
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, case_id);
	rc = store_step(st);
	const char *stored = NULL, *key_hex = NULL;
	if (rc == STORE_ROW) {
		stored = store_col_dup(a, st, 0);
		*meta = (case_attachment){ .id = id,
					   .media_type = store_col_dup(a, st, 1),
					   .size = store_col_int64(st, 2),
					   .filename = dec(env, a, st, 3, "filename", id),
					   .created_at = store_col_dup(a, st, 5) };
		key_hex = dec(env, a, st, 4, "file_key", id);
	}
	store_reset(st);
	rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	unsigned char key[CRYPTO_KEY_BYTES];
	if (!rc && (!meta->filename || !crypto_unhex(key_hex, key, sizeof(key))))
		rc = PONTE_ESTORE;
	if (!rc) {
		/* A file changed on disk is an error, never content shown. */
		rc = files_open_sealed(dir, stored, key, CASE_ATTACHMENT_MAX, content);
		if (rc == PONTE_EINVAL)
			rc = PONTE_ESTORE;
	}
	crypto_wipe(key, sizeof(key));
	principal_audit_read(env->db, p, "case.attachment_read", "case", case_id,
			     rc ? "failure" : "success");
	return rc;
}

int attachment_remove(const keyed_store *env, const principal *p, const char *dir, int64_t case_id,
		      int64_t id)
{
	arena a;
	arena_init(&a, 1u << 16);
	int rc = case_check(env, p, case_id, "case.social.write");
	store_conn *c;
	store_stmt *st;
	char stored[FILES_NAME_LEN + 1] = "";
	if (!rc && !(rc = store_conn_get(env->db, &c)) && !(rc = store_prepare(c, SQL_GET, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, case_id);
		if (!(rc = store_step_one(st))) {
			snprintf(stored, sizeof(stored), "%s", store_col_text(st, 0, NULL));
			store_reset(st);
		}
	}
	if (!rc && !(rc = store_prepare(c, SQL_REMOVE, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, case_id);
		store_bind_int64(st, 3, p->user_id);
		store_bind_text(st, 4, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
	}
	/* The row first, then the file: a crash between leaves a sealed file nobody can open. */
	if (!rc)
		files_remove(dir, stored);
	arena_release(&a);
	principal_audit(env->db, p, "case.detach", "case", case_id, rc ? "failure" : "success",
			false);
	return rc;
}

/* clang-format off */
static const char SQL_ALL[] =
    "SELECT id, stored_name, file_key_enc FROM case_attachments WHERE removed_at IS NULL "
    "ORDER BY id";
/* clang-format on */

int attachment_verify_seals(const keyed_store *env, const char *dir, int64_t *checked, int64_t *bad)
{
	*checked = *bad = 0;
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_ALL, &st);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 1u << 20);
	buf content;
	buf_init(&content, CASE_ATTACHMENT_MAX);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		char stored[FILES_NAME_LEN + 1];
		snprintf(stored, sizeof(stored), "%s", store_col_text(st, 1, NULL));
		const char *key_hex = dec(env, &a, st, 2, "file_key", id);
		unsigned char key[CRYPTO_KEY_BYTES];
		bool ok = key_hex && crypto_unhex(key_hex, key, sizeof(key));
		buf_reset(&content);
		ok = ok && files_open_sealed(dir, stored, key, CASE_ATTACHMENT_MAX, &content) == 0;
		crypto_wipe(key, sizeof(key));
		if (content.data)
			crypto_wipe(content.data, content.len);
		arena_release(&a);
		arena_init(&a, 1u << 20);
		if (!ok) {
			*bad = id;
			rc = PONTE_EINVAL;
			break;
		}
		++*checked;
	}
	store_reset(st);
	buf_release(&content);
	arena_release(&a);
	return rc < 0 ? rc : 0;
}
