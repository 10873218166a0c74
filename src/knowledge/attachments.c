/* Files attached to knowledge items: checked by content, kept on disk, listed with the item. */
#include <unistd.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "files/files.h"
#include "i18n/i18n.h"
#include "knowledge/knowledge.h"

static const char SQL_ITEM[] = "SELECT status, author_id, organisation_id, owner_country, "
			       "(SELECT count(*) FROM knowledge_attachments WHERE item_id = ?1) "
			       "FROM knowledge_items WHERE id = ?1";
static const char SQL_ADD[] =
    "INSERT INTO knowledge_attachments(item_id, filename, media_type, size, stored_name, "
    "user_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_GET[] = "SELECT id, filename, media_type, size, stored_name, created_at "
			      "FROM knowledge_attachments WHERE id = ?1 AND item_id = ?2";
static const char SQL_DEL[] = "DELETE FROM knowledge_attachments WHERE id = ?1 AND item_id = ?2";

/* The item's state, for the edit check, inside the caller's transaction. */
static int item_state(store_conn *c, arena *a, int64_t id, kn_item *it, int64_t *attachments)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_ITEM, &st);
	if (rc)
		return rc;
	memset(it, 0, sizeof(*it));
	store_bind_int64(st, 1, id);
	if ((rc = store_step_one(st)))
		return rc;
	it->id = id;
	it->status = store_col_dup(a, st, 0);
	it->author_id = store_col_int64(st, 1);
	it->organisation_id = store_col_int64(st, 2);
	it->owner_country = store_col_dup(a, st, 3);
	*attachments = store_col_int64(st, 4);
	store_reset(st);
	return 0;
}

/* Whether p may change the attachments of the item: the same rule as editing it. An item p
 * cannot even see is "not found". */
static int may_change(const principal *p, const kn_item *it)
{
	if (kn_can_edit(p, it))
		return 0;
	bool visible = strcmp(it->status, "published") == 0 ||
		       principal_can_see(p, "knowledge.write", it->author_id, it->organisation_id,
					 it->owner_country) ||
		       (strcmp(it->status, "review") == 0 && principal_can(p, "knowledge.review"));
	return visible ? PONTE_EDENIED : PONTE_ENOTFOUND;
}

int kn_attach(const keyed_store *env, const principal *p, const char *dir, int64_t item,
	      const char *path, const char *filename, int64_t *id, const char **why)
{
	*why = NULL;
	const file_kind *kind = files_sniff_path(path);
	if (!kind) {
		*why =
		    N_("Attach a PDF, an office document (Word, Excel, PowerPoint, OpenDocument) "
		       "or an image; this file is none of these.");
		return PONTE_EINVAL;
	}
	char name[256];
	files_download_name(filename && utf8_valid_text(filename, strlen(filename)) ? filename : "",
			    kind, name, sizeof(name));
	arena a;
	arena_init(&a, 4096);
	store_conn *c;
	kn_item it;
	int64_t count = 0;
	int rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	rc = item_state(c, &a, item, &it, &count);
	if (!rc)
		rc = may_change(p, &it);
	if (!rc && count >= KN_ATTACHMENTS_PER_ITEM) {
		*why = N_("An item can have at most 20 attachments.");
		rc = PONTE_EINVAL;
	}
	char stored[FILES_NAME_LEN + 1] = "";
	if (!rc)
		rc = files_keep(dir, path, stored);
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_ADD, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		int fd;
		uint64_t size = 0;
		if (files_open(dir, stored, &fd, &size) == 0)
			close(fd);
		store_bind_int64(st, 1, item);
		store_bind_text(st, 2, name, strlen(name));
		store_bind_text(st, 3, kind->media_type, strlen(kind->media_type));
		store_bind_int64(st, 4, (int64_t)size);
		store_bind_text(st, 5, stored, strlen(stored));
		store_bind_int64(st, 6, p->user_id);
		store_bind_text(st, 7, now, strlen(now));
		rc = store_run(st);
	}
	if (!rc)
		*id = store_last_insert_id(c);
	if (!rc)
		rc = principal_audit(env->db, p, "knowledge.attach", "knowledge", item, "success",
				     true);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		if (stored[0])
			files_remove(dir, stored); /* nothing refers to it */
	}
	arena_release(&a);
	return rc;
}

int kn_attachment_get(const keyed_store *env, arena *a, const principal *p, int64_t item,
		      int64_t id, kn_attachment *out)
{
	kn_item it;
	int rc = kn_get(env, a, p, item, &it); /* the item's visibility rules */
	if (rc)
		return rc;
	for (size_t i = 0; i < it.nattachments; i++)
		if (it.attachments[i].id == id) {
			*out = it.attachments[i];
			return 0;
		}
	return PONTE_ENOTFOUND;
}

int kn_detach(const keyed_store *env, const principal *p, const char *dir, int64_t item, int64_t id)
{
	arena a;
	arena_init(&a, 4096);
	store_conn *c;
	kn_item it;
	int64_t count;
	char stored[FILES_NAME_LEN + 1] = "";
	int rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	rc = item_state(c, &a, item, &it, &count);
	if (!rc)
		rc = may_change(p, &it);
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_GET, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, item);
		if (!(rc = store_step_one(st))) {
			snprintf(stored, sizeof(stored), "%s", store_col_text(st, 4, NULL));
			store_reset(st);
		}
	}
	if (!rc && !(rc = store_prepare(c, SQL_DEL, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, item);
		rc = store_run(st);
	}
	if (!rc)
		rc = principal_audit(env->db, p, "knowledge.detach", "knowledge", item, "success",
				     true);
	if (!(rc = store_finish(c, rc)))
		files_remove(dir,
			     stored); /* after the commit: a crash leaves an orphan, not a hole */
	arena_release(&a);
	return rc;
}
