/*
 * Key rotation. Resumable: the state lives in data_keys (a "retiring" version means a
 * rotation is under way) and in the ciphertexts themselves (each names its key version), so
 * after a crash `ponte keys rotate` simply continues. Servers keep running: they decrypt any
 * version and switch to the new current one within KEYS_REFRESH_SECONDS.
 */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "keys/keys.h"

#define KEYS_REFRESH_SECONDS 5
#define MAX_PASSES 30

/* Every encrypted column. A module that adds one adds it here, with its AD column name. */
struct encrypted_field {
	const char *table, *column; /* as bound into the associated data */
	const char *select_sql;     /* ?1 current version bytes, ?2 after id, ?3 limit */
	const char *update_sql;     /* ?1 new value, ?2 id, ?3 old value */
};

#define FIELD(tbl, col, name)                                                                      \
	{                                                                                          \
		tbl, name,                                                                         \
		    "SELECT id, " col " FROM " tbl " WHERE " col " IS NOT NULL AND substr(" col    \
		    ", 1, 4) <> ?1 AND id > ?2 ORDER BY id LIMIT ?3",                              \
		    "UPDATE " tbl " SET " col " = ?1 WHERE id = ?2 AND " col " = ?3"               \
	}

static const struct encrypted_field FIELDS[] = {
	FIELD("users", "email_enc", "email"),
	FIELD("users", "name_enc", "name"),
	FIELD("users", "phone_enc", "phone"),
	FIELD("users", "totp_secret_enc", "totp_secret"),
	FIELD("cases", "first_name_enc", "first_name"),
	FIELD("cases", "second_name_enc", "second_name"),
	FIELD("cases", "identity_number_enc", "identity_number"),
	FIELD("cases", "mobile_phone_enc", "mobile_phone"),
	FIELD("status_decisions", "reasons_enc", "reasons"),
	FIELD("focal_point_holders", "name_enc", "name"),
	FIELD("referral_events", "note_enc", "note"),
	FIELD("referral_deliveries", "note_enc", "note"),
	FIELD("screening_answers", "note_enc", "note"),
	FIELD("safety_assessments", "plan_enc", "plan"),
	FIELD("contacts", "place_enc", "place"),
	FIELD("child_protection", "guardian_enc", "guardian"),
	FIELD("child_protection", "tracing_notes_enc", "tracing_notes"),
	FIELD("support_plans", "objectives_enc", "objectives"),
	FIELD("support_plans", "action_plan_enc", "action_plan"),
	/* the sections of the case file (src/cases/section_defs.c) */
	FIELD("case_needs", "note_enc", "note"),
	FIELD("residence_permits", "document_number_enc", "document_number"),
	FIELD("compensation_claims", "note_enc", "note"),
	FIELD("reintegration_plans", "goals_enc", "goals"),
	FIELD("reintegration_visits", "note_enc", "note"),
	FIELD("trafficking_events", "city_enc", "city"),
	FIELD("trafficking_events", "description_enc", "description"),
	FIELD("case_notes", "note_enc", "note"),
	FIELD("proceedings", "reference_enc", "reference"),
	FIELD("proceedings", "prosecutor_enc", "prosecutor"),
	FIELD("hearings", "outcome_enc", "outcome"),
	FIELD("perpetrators", "name_enc", "name"),
	FIELD("case_attachments", "filename_enc", "filename"),
	FIELD("case_attachments", "file_key_enc", "file_key"),
	/* transnational referral (src/trm/): the instance's private keys, payloads received */
	FIELD("trm_identity", "sign_sk_enc", "sign_sk"),
	FIELD("trm_identity", "box_sk_enc", "box_sk"),
	FIELD("trm_identity", "prev_box_sk_enc", "prev_box_sk"),
	FIELD("trm_documents", "body_enc", "body"),
	FIELD("trm_referrals", "payload_enc", "payload"),
};

static const char SQL_CURRENT[] = "SELECT version FROM data_keys WHERE state = 'current'";
static const char SQL_RETIRING[] = "SELECT count(*) FROM data_keys WHERE state = 'retiring'";
static const char SQL_MAX[] = "SELECT coalesce(max(version), 0) FROM data_keys";
static const char SQL_DEMOTE[] = "UPDATE data_keys SET state = 'retiring' WHERE state = 'current'";
static const char SQL_ADD[] = "INSERT INTO data_keys(version, wrapped, state, created_at) "
			      "VALUES (?1, ?2, 'current', ?3)";
static const char SQL_RETIRE[] = "UPDATE data_keys SET state = 'retired' WHERE state = 'retiring'";

static int scalar(store_conn *c, const char *sql, int64_t *out)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	rc = store_step(st);
	*out = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static int exec_sql(store_conn *c, const char *sql)
{
	store_stmt *st;
	int rc = store_prepare(c, sql, &st);
	if (rc)
		return rc;
	return store_run(st);
}

/* Switch this process (and any server that refreshes) to a new current version. */
static int start_rotation(store *s, crypto_keyring *k, store_conn *c)
{
	int64_t retiring = 0, max = 0;
	int rc = store_begin(c);
	if (!rc)
		rc = scalar(c, SQL_RETIRING, &retiring);
	if (!rc && retiring == 0) {
		rc = scalar(c, SQL_MAX, &max);
		buf wrapped;
		buf_init(&wrapped, 256);
		if (!rc)
			rc = crypto_keyring_new_data_key(k, (uint32_t)max + 1, &wrapped);
		if (!rc)
			rc = exec_sql(c, SQL_DEMOTE);
		store_stmt *st;
		if (!rc)
			rc = store_prepare(c, SQL_ADD, &st);
		if (!rc) {
			char when[CLOCK_RFC3339_LEN];
			clock_format_rfc3339(clock_wall_ms(), when);
			store_bind_int64(st, 1, max + 1);
			store_bind_blob(st, 2, wrapped.data, wrapped.len);
			store_bind_text(st, 3, when, strlen(when));
			rc = store_run(st);
		}
		buf_release(&wrapped);
	}
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		return rc;
	}
	return keys_refresh(s, k, true);
}

/* Re-encrypt one batch of a field; *moved counts values changed, *cursor advances. */
static int rotate_batch(store_conn *c, crypto_keyring *k, store *s, const struct encrypted_field *f,
			int batch, int64_t *cursor, int64_t *moved, int64_t *seen)
{
	uint32_t v = crypto_keyring_current(k);
	unsigned char vb[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
				(unsigned char)(v >> 8), (unsigned char)v };
	store_stmt *sel, *upd;
	int rc = store_begin(c);
	if (!rc)
		rc = store_prepare(c, f->select_sql, &sel);
	if (rc) {
		store_rollback(c);
		return rc;
	}
	store_bind_blob(sel, 1, vb, 4);
	store_bind_int64(sel, 2, *cursor);
	store_bind_int64(sel, 3, batch);
	/* Collect the batch first: the update needs the connection. */
	struct item {
		int64_t id;
		buf old;
	} *items = calloc((size_t)batch, sizeof(*items));
	int n = 0;
	while (items && (rc = store_step(sel)) == STORE_ROW && n < batch) {
		size_t len;
		const void *b = store_col_blob(sel, 1, &len);
		items[n].id = store_col_int64(sel, 0);
		buf_init(&items[n].old, 1 << 20);
		buf_append(&items[n].old, b, len);
		n++;
	}
	store_reset(sel);
	rc = !items ? PONTE_ENOMEM : rc < 0 ? rc : 0;
	for (int i = 0; i < n && !rc; i++) {
		crypto_ad ad = { f->table, f->column, items[i].id };
		buf plain, fresh;
		buf_init(&plain, 1 << 20);
		buf_init(&fresh, 1 << 20);
		uint32_t old_v = crypto_field_version(items[i].old.data, items[i].old.len);
		rc = keys_ensure(s, k, old_v);
		if (!rc)
			rc = crypto_field_decrypt(k, &ad, items[i].old.data, items[i].old.len,
						  &plain);
		if (!rc)
			rc = crypto_field_encrypt(k, &ad, plain.data ? plain.data : "", plain.len,
						  &fresh);
		if (!rc)
			rc = store_prepare(c, f->update_sql, &upd);
		if (!rc) {
			store_bind_blob(upd, 1, fresh.data, fresh.len);
			store_bind_int64(upd, 2, items[i].id);
			store_bind_blob(upd, 3, items[i].old.data, items[i].old.len);
			rc = store_step(upd);
			store_reset(upd);
			rc = rc < 0 ? rc : 0;
			/* 0 rows: a server rewrote it meanwhile; the next pass looks again. */
			*moved += store_changes(c);
		}
		if (plain.data)
			crypto_wipe(plain.data, plain.len);
		buf_release(&plain);
		buf_release(&fresh);
		*cursor = items[i].id;
	}
	for (int i = 0; items && i < n; i++)
		buf_release(&items[i].old);
	free(items);
	*seen += n;
	return store_finish(c, rc);
}

int keys_rotate(store *s, crypto_keyring *k, int batch, keys_progress_fn progress, void *ctx,
		char *err, size_t errlen)
{
	store_conn *c;
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = start_rotation(s, k, c);
	if (rc) {
		snprintf(err, errlen, "cannot start the rotation: %s", ponte_strerror(rc));
		return rc;
	}
	/* Pass over every field until a whole pass finds nothing left under an old key. */
	for (int pass = 0; pass < MAX_PASSES; pass++) {
		int64_t left = 0;
		for (size_t i = 0; i < ARRAY_LEN(FIELDS); i++) {
			int64_t cursor = 0, moved = 0, seen;
			do {
				seen = 0;
				rc = rotate_batch(c, k, s, &FIELDS[i], batch, &cursor, &moved,
						  &seen);
				if (rc) {
					snprintf(err, errlen, "re-encrypting %s.%s failed: %s",
						 FIELDS[i].table, FIELDS[i].column,
						 ponte_strerror(rc));
					return rc;
				}
			} while (seen == batch);
			left += moved;
			if (progress && moved)
				progress(FIELDS[i].table, moved, ctx);
		}
		if (left == 0) {
			rc = exec_sql(c, SQL_RETIRE);
			if (rc)
				snprintf(err, errlen, "cannot retire the old keys: %s",
					 ponte_strerror(rc));
			return rc;
		}
		/* Servers may still write under the old key until they refresh. */
		if (pass > 0)
			sleep(1);
	}
	snprintf(err, errlen, "values under old keys keep appearing; run the rotation again");
	return PONTE_EBUSY;
}

int keys_refresh(store *s, crypto_keyring *k, bool force)
{
	PONTE_CHECK(s && k);
	static _Atomic int64_t last_check;
	int64_t now = (int64_t)time(NULL);
	if (!force && now - atomic_load(&last_check) < KEYS_REFRESH_SECONDS)
		return 0;
	atomic_store(&last_check, now);
	store_conn *c;
	int64_t v = 0;
	int rc = store_conn_get(s, &c);
	if (!rc)
		rc = scalar(c, SQL_CURRENT, &v);
	if (!rc && v > 0 && (uint32_t)v != crypto_keyring_current(k)) {
		rc = keys_ensure(s, k, (uint32_t)v);
		if (!rc)
			crypto_keyring_set_current(k, (uint32_t)v);
	}
	return rc;
}
