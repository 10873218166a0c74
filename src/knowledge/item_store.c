/* Knowledge items: create, edit, move through the workflow, read, and keep every version. */
#include "base/clock.h"
#include "base/json.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "knowledge/knowledge.h"

#define ITEM_COLUMNS                                                                               \
	"id, version, author_id, organisation_id, type, status, language, owner_country, title, "  \
	"summary, body, countries, areas, targets, evidence, languages, coalesce(year, 0), "       \
	"coalesce(published_at, ''), created_at, updated_at, details"

static const char SQL_GET[] = "SELECT " ITEM_COLUMNS " FROM knowledge_items WHERE id = ?1";
static const char SQL_TRANSLATIONS[] =
    "SELECT language, title, summary FROM "
    "knowledge_translations WHERE item_id = ?1 ORDER BY language";
static const char SQL_ATTACHMENTS[] =
    "SELECT id, filename, media_type, size, stored_name, created_at FROM knowledge_attachments "
    "WHERE item_id = ?1 ORDER BY id";
static const char SQL_INSERT[] =
    "INSERT INTO knowledge_items(type, status, version, language, author_id, organisation_id, "
    "owner_country, title, summary, body, details, countries, areas, targets, evidence, "
    "languages, year, published_at, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)";
static const char SQL_UPDATE[] =
    "UPDATE knowledge_items SET status = ?2, version = version + 1, language = ?3, title = ?7, "
    "summary = ?8, body = ?9, details = ?10, countries = ?11, areas = ?12, targets = ?13, "
    "evidence = ?14, languages = ?15, year = ?16, published_at = ?17, updated_at = ?18 "
    "WHERE id = ?19 AND version = ?20";
static const char SQL_DEL_TRANSLATIONS[] = "DELETE FROM knowledge_translations WHERE item_id = ?1";
static const char SQL_ADD_TRANSLATION[] = "INSERT INTO knowledge_translations(item_id, language, "
					  "title, summary) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_DEL_FTS[] = "DELETE FROM knowledge_fts WHERE rowid = ?1";
static const char SQL_ADD_FTS[] = "INSERT INTO knowledge_fts(rowid, title, summary, body, extra) "
				  "VALUES (?1, ?2, ?3, ?4, ?5)";
/* PostgreSQL: the same text, and the tsvector search reads, made from it in the item's
 * language ?6 by knowledge_search_vector() (migrations/pg/0052). */
static const char SQL_ADD_FTS_PG[] =
    "INSERT INTO knowledge_fts(rowid, title, summary, body, extra, search) VALUES (?1, ?2, ?3, "
    "?4, ?5, knowledge_search_vector(?1, ?6, ?2, ?3, ?4, ?5))";
static const char SQL_ADD_VERSION[] =
    "INSERT INTO knowledge_versions(item_id, version, status, snapshot, user_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_ITEM_IDS[] =
    "SELECT id FROM knowledge_items WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_GENERATION[] = "UPDATE knowledge_generation SET value = value + 1";
static const char SQL_VERSIONS[] = "SELECT version, user_id, status, snapshot, created_at FROM "
				   "knowledge_versions WHERE item_id = ?1 ORDER BY version DESC";

/* Details that the search index reads besides title, summary and body. */
static const char *const SEARCHED[] = { "actors", "results",        "contact_institution",
					"tags",   "instrument",     "articles",
					"court",  "charges",        "sentences",
					"routes", "modus_operandi", "commentary" };

static void bind_str(store_stmt *st, int idx, const char *s)
{
	store_bind_text(st, idx, s ? s : "", s ? strlen(s) : 0);
}

static const char *col(arena *a, store_stmt *st, int i)
{
	const char *s = store_col_text(st, i, NULL);
	return arena_strdup(a, s ? s : "");
}

static int read_details(arena *a, const char *json, kn_item *it)
{
	json_value *v;
	char err[64];
	if (json_parse(a, json, strlen(json), &v, err, sizeof(err)) || v->type != JSON_OBJECT)
		return PONTE_ESTORE;
	for (size_t i = 0; i < v->length && it->ndetails < KN_MAX_DETAILS; i++)
		if (v->items[i]->type == JSON_STRING) {
			it->details[it->ndetails].name = v->keys[i];
			it->details[it->ndetails].value = v->items[i]->string;
			it->ndetails++;
		}
	return 0;
}

/* The item as stored, without any visibility check. */
static int load(store_conn *c, arena *a, int64_t id, kn_item *it)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_GET, &st);
	if (rc)
		return rc;
	memset(it, 0, sizeof(*it));
	store_bind_int64(st, 1, id);
	if (!(rc = store_step_one(st))) {
		it->id = store_col_int64(st, 0);
		it->version = store_col_int64(st, 1);
		it->author_id = store_col_int64(st, 2);
		it->organisation_id = store_col_int64(st, 3);
		it->type = col(a, st, 4);
		it->status = col(a, st, 5);
		it->language = col(a, st, 6);
		it->owner_country = col(a, st, 7);
		it->title = col(a, st, 8);
		it->summary = col(a, st, 9);
		it->body = col(a, st, 10);
		it->countries = col(a, st, 11);
		it->areas = col(a, st, 12);
		it->targets = col(a, st, 13);
		it->evidence = col(a, st, 14);
		it->languages = col(a, st, 15);
		it->year = (int)store_col_int64(st, 16);
		it->published_at = col(a, st, 17);
		it->created_at = col(a, st, 18);
		it->updated_at = col(a, st, 19);
		rc = read_details(a, col(a, st, 20), it);
		store_reset(st);
	}
	if (rc || (rc = store_prepare(c, SQL_TRANSLATIONS, &st)))
		return rc;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == STORE_ROW && it->ntranslations < KN_LANGS) {
		kn_translation *t = &it->translations[it->ntranslations++];
		t->language = col(a, st, 0);
		t->title = col(a, st, 1);
		t->summary = col(a, st, 2);
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	if ((rc = store_prepare(c, SQL_ATTACHMENTS, &st)))
		return rc;
	store_bind_int64(st, 1, id);
	size_t cap = 0;
	while ((rc = store_step(st)) == STORE_ROW && it->nattachments < KN_ATTACHMENTS_PER_ITEM) {
		if (it->nattachments == cap) {
			kn_attachment *more =
			    arena_calloc(a, KN_ATTACHMENTS_PER_ITEM, sizeof(*more));
			if (!more) {
				rc = PONTE_ENOMEM;
				break;
			}
			it->attachments = more;
			cap = KN_ATTACHMENTS_PER_ITEM;
		}
		kn_attachment *at = &it->attachments[it->nattachments++];
		at->id = store_col_int64(st, 0);
		at->filename = col(a, st, 1);
		at->media_type = col(a, st, 2);
		at->size = store_col_int64(st, 3);
		at->stored_name = col(a, st, 4);
		at->created_at = col(a, st, 5);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

bool kn_public_read(store *db)
{
	return setting_get_int(db, "knowledge_public_read", 0) == 1;
}

static bool visible(const principal *p, const kn_item *it)
{
	if (strcmp(it->status, "published") == 0)
		return true;
	if (!p)
		return false;
	if (strcmp(it->status, "review") == 0 && principal_can(p, "knowledge.review"))
		return true;
	return principal_can_see(p, "knowledge.write", it->author_id, it->organisation_id,
				 it->owner_country);
}

bool kn_can_edit(const principal *p, const kn_item *it)
{
	if (!p)
		return false;
	if (strcmp(it->status, "review") == 0)
		return principal_can(p, "knowledge.review");
	return strcmp(it->status, "draft") == 0 &&
	       principal_can_see(p, "knowledge.write", it->author_id, it->organisation_id,
				 it->owner_country);
}

int kn_get(const keyed_store *env, arena *a, const principal *p, int64_t id, kn_item *out)
{
	if (!p && !kn_public_read(env->db))
		return PONTE_EUNAUTH;
	store_conn *c;
	int rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_begin_read(c);
	if (rc)
		return rc;
	rc = load(c, a, id, out);
	store_commit(c);
	return !rc && !visible(p, out) ? PONTE_ENOTFOUND : rc;
}

/* ---- JSON ---- */

int kn_item_json(buf *b, const kn_item *it)
{
	int rc = buf_printf(b, "{\"id\":%lld,\"version\":%lld", (long long)it->id,
			    (long long)it->version);
	const struct {
		const char *key, *value;
	} strings[] = { { "type", it->type },
			{ "status", it->status },
			{ "language", it->language },
			{ "title", it->title },
			{ "summary", it->summary },
			{ "body", it->body },
			{ "owner_country", it->owner_country },
			{ "created_at", it->created_at },
			{ "updated_at", it->updated_at } };
	for (size_t i = 0; i < ARRAY_LEN(strings) && !rc; i++)
		rc = json_field_str(b, false, strings[i].key, strings[i].value);
	if (!rc) /* not published yet: null, as every date not known */
		rc = json_field_date(b, false, "published_at", it->published_at);
	if (!rc)
		rc = buf_printf(b, ",\"author\":%lld,\"organisation\":%lld",
				(long long)it->author_id, (long long)it->organisation_id);
	if (!rc)
		rc = it->year ? buf_printf(b, ",\"year\":%d", it->year)
			      : buf_puts(b, ",\"year\":null");
	if (!rc)
		rc = json_field_list(b, false, "countries", it->countries);
	if (!rc)
		rc = json_field_list(b, false, "languages", it->languages);
	size_t n;
	const kn_field *fields = kn_fields(&n);
	for (size_t i = 0; i < n && !rc; i++) {
		if (strcmp(fields[i].type, it->type) != 0)
			continue;
		const char *v = kn_detail(it, fields[i].name);
		rc = fields[i].kind == KN_CODES  ? json_field_list(b, false, fields[i].name, v)
		     : fields[i].kind == KN_DATE ? json_field_date(b, false, fields[i].name, v)
						 : json_field_str(b, false, fields[i].name, v);
	}
	if (!rc)
		rc = buf_puts(b, ",\"attachments\":[");
	for (size_t i = 0; i < it->nattachments && !rc; i++) {
		const kn_attachment *at = &it->attachments[i];
		rc = buf_printf(b, "%s{\"id\":%lld,\"size\":%lld", i ? "," : "", (long long)at->id,
				(long long)at->size);
		if (!rc)
			rc = json_field_str(b, false, "filename", at->filename);
		if (!rc)
			rc = json_field_str(b, false, "media_type", at->media_type);
		if (!rc)
			rc = buf_printf(b, ",\"url\":\"/knowledge/%lld/attachments/%lld\"}",
					(long long)it->id, (long long)at->id);
	}
	if (!rc)
		rc = buf_puts(b, "],\"translations\":{");
	for (size_t i = 0; i < it->ntranslations && !rc; i++) {
		const kn_translation *t = &it->translations[i];
		rc = (i ? buf_putc(b, ',') : 0);
		if (!rc)
			rc = json_cstring(b, t->language);
		if (!rc)
			rc = buf_puts(b, ":{");
		if (!rc)
			rc = json_field_str(b, true, "title", t->title);
		if (!rc)
			rc = json_field_str(b, false, "summary", t->summary);
		if (!rc)
			rc = buf_putc(b, '}');
	}
	return rc ? rc : buf_puts(b, "}}");
}

/* ---- writing ---- */

void kn_input_of(const kn_item *it, kn_input *in)
{
	memset(in, 0, sizeof(*in));
	in->type = it->type;
	in->language = it->language;
	in->title = it->title;
	in->summary = it->summary;
	in->body = it->body;
	in->countries = it->countries;
	memcpy(in->details, it->details, sizeof(in->details));
	in->ndetails = it->ndetails;
	memcpy(in->translations, it->translations, sizeof(in->translations));
	in->ntranslations = it->ntranslations;
}

/* Apply what an update gives onto the current values. */
static void merge(kn_input *cur, const kn_input *in)
{
	const char **dst[] = { &cur->language, &cur->title, &cur->summary, &cur->body,
			       &cur->countries };
	const char *src[] = { in->language, in->title, in->summary, in->body, in->countries };
	for (size_t i = 0; i < ARRAY_LEN(src); i++)
		if (src[i])
			*dst[i] = src[i];
	for (size_t i = 0; i < in->ndetails; i++) {
		size_t j = 0;
		while (j < cur->ndetails && strcmp(cur->details[j].name, in->details[i].name) != 0)
			j++;
		if (j == cur->ndetails && cur->ndetails < KN_MAX_DETAILS)
			cur->ndetails++;
		if (j < KN_MAX_DETAILS)
			cur->details[j] = in->details[i];
	}
	if (in->translations_given) {
		memcpy(cur->translations, in->translations, sizeof(cur->translations));
		cur->ntranslations = in->ntranslations;
	}
}

static const char *detail_in(const kn_input *in, const char *name)
{
	for (size_t i = 0; i < in->ndetails; i++)
		if (strcmp(in->details[i].name, name) == 0 && in->details[i].value)
			return in->details[i].value;
	return "";
}

/* The year an item is filed under: when the practice began, the law was adopted, the court
 * decided, the manual appeared. */
static int item_year(const kn_input *in)
{
	static const char *const FROM[] = { "period_start", "adopted_on", "decision_date",
					    "published_year" };
	for (size_t i = 0; i < ARRAY_LEN(FROM); i++) {
		const char *v = detail_in(in, FROM[i]);
		if (strlen(v) >= 4)
			return (int)strtol(v, NULL, 10);
	}
	return 0;
}

static int details_json(const kn_input *in, buf *b)
{
	int rc = buf_putc(b, '{');
	bool first = true;
	for (size_t i = 0; i < in->ndetails && !rc; i++) {
		if (!in->details[i].value || !*in->details[i].value)
			continue;
		rc = json_field_str(b, first, in->details[i].name, in->details[i].value);
		first = false;
	}
	return rc ? rc : buf_putc(b, '}');
}

/* The text as the index keeps it: Arabic folded (kn_fold_arabic), in a copy. */
static void bind_folded(store_stmt *st, int idx, const char *s, size_t n, buf *tmp)
{
	buf_reset(tmp);
	if (!s || buf_append(tmp, s, n)) {
		store_bind_text(st, idx, s ? s : "", s ? n : 0);
		return;
	}
	store_bind_text(st, idx, tmp->data, kn_fold_arabic(tmp->data, tmp->len));
}

static int write_index(store_conn *c, bool pg, int64_t id, const kn_input *in)
{
	buf extra, t2, t3, t4, t5;
	buf_init(&extra, 1u << 20);
	int rc = 0;
	for (size_t i = 0; i < in->ntranslations && !rc; i++)
		rc = buf_printf(&extra, "%s\n%s\n", in->translations[i].title,
				in->translations[i].summary);
	for (size_t i = 0; i < ARRAY_LEN(SEARCHED) && !rc; i++)
		rc = buf_printf(&extra, "%s\n", detail_in(in, SEARCHED[i]));
	store_stmt *st;
	if (!rc && !(rc = store_prepare(c, SQL_DEL_FTS, &st))) {
		store_bind_int64(st, 1, id);
		rc = store_step(st);
		store_reset(st);
	}
	if (rc >= 0 && !(rc = store_prepare(c, pg ? SQL_ADD_FTS_PG : SQL_ADD_FTS, &st))) {
		buf_init(&t2, 1u << 20);
		buf_init(&t3, 1u << 20);
		buf_init(&t4, 8u << 20);
		buf_init(&t5, 1u << 20);
		store_bind_int64(st, 1, id);
		bind_folded(st, 2, in->title, in->title ? strlen(in->title) : 0, &t2);
		bind_folded(st, 3, in->summary, in->summary ? strlen(in->summary) : 0, &t3);
		bind_folded(st, 4, in->body, in->body ? strlen(in->body) : 0, &t4);
		bind_folded(st, 5, extra.data ? extra.data : "", extra.len, &t5);
		if (pg)
			bind_str(st, 6, in->language);
		rc = store_step(st);
		store_reset(st);
		buf_release(&t2);
		buf_release(&t3);
		buf_release(&t4);
		buf_release(&t5);
	}
	buf_release(&extra);
	return rc < 0 ? rc : 0;
}

static int write_translations(store_conn *c, int64_t id, const kn_input *in)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_DEL_TRANSLATIONS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	store_reset(st);
	for (size_t i = 0; i < in->ntranslations && rc >= 0; i++) {
		if ((rc = store_prepare(c, SQL_ADD_TRANSLATION, &st)))
			return rc;
		store_bind_int64(st, 1, id);
		bind_str(st, 2, in->translations[i].language);
		bind_str(st, 3, in->translations[i].title);
		bind_str(st, 4, in->translations[i].summary);
		rc = store_step(st);
		store_reset(st);
	}
	return rc < 0 ? rc : 0;
}

static int add_version(store_conn *c, arena *a, int64_t id, int64_t user_id, const char *now)
{
	kn_item it;
	int rc = load(c, a, id, &it);
	if (rc)
		return rc;
	buf snap;
	buf_init(&snap, 1u << 21);
	store_stmt *st;
	rc = kn_item_json(&snap, &it);
	if (!rc && !(rc = store_prepare(c, SQL_ADD_VERSION, &st))) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, it.version);
		bind_str(st, 3, it.status);
		store_bind_text(st, 4, snap.data, snap.len);
		store_bind_int64(st, 5, user_id);
		bind_str(st, 6, now);
		rc = store_step(st);
		store_reset(st);
	}
	buf_release(&snap);
	return rc < 0 ? rc : 0;
}

struct save {
	int64_t id;      /* 0: create */
	int64_t version; /* the version the change is based on */
	const char *status, *published_at;
	bool pg; /* the store is PostgreSQL's */
};

/* Write the item, its translations, its index entry and a version, in the caller's
 * transaction. PONTE_ECONFLICT when the version moved on. */
static int save(store_conn *c, arena *a, const principal *p, struct save *s, const kn_input *in)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	buf details, langs;
	buf_init(&details, 1u << 20);
	buf_init(&langs, 64);
	int rc = details_json(in, &details);
	if (!rc)
		rc = buf_puts(&langs, in->language);
	for (size_t i = 0; i < in->ntranslations && !rc; i++)
		rc = buf_printf(&langs, ",%s", in->translations[i].language);
	store_stmt *st;
	if (!rc)
		rc = store_prepare(c, s->id ? SQL_UPDATE : SQL_INSERT, &st);
	if (rc) {
		buf_release(&details);
		buf_release(&langs);
		return rc;
	}
	bool practice = strcmp(in->type, "practice") == 0;
	bind_str(st, 1, in->type);
	bind_str(st, 2, s->status);
	bind_str(st, 3, in->language);
	store_bind_int64(st, 4, p->user_id);
	store_bind_int64(st, 5, p->organisation_id);
	bind_str(st, 6, p->country);
	bind_str(st, 7, in->title);
	bind_str(st, 8, in->summary);
	bind_str(st, 9, in->body);
	store_bind_text(st, 10, details.data, details.len);
	bind_str(st, 11, in->countries);
	bind_str(st, 12, practice ? detail_in(in, "areas") : "");
	bind_str(st, 13, practice ? detail_in(in, "target_groups") : "");
	bind_str(st, 14, practice ? detail_in(in, "evidence") : "");
	store_bind_text(st, 15, langs.data, langs.len);
	int year = item_year(in);
	if (year)
		store_bind_int64(st, 16, year);
	if (s->published_at && *s->published_at)
		bind_str(st, 17, s->published_at);
	bind_str(st, 18, now);
	if (s->id) {
		store_bind_int64(st, 19, s->id);
		store_bind_int64(st, 20, s->version);
	}
	rc = store_step(st);
	store_reset(st);
	buf_release(&details);
	buf_release(&langs);
	if (rc < 0)
		return rc;
	if (s->id && store_changes(c) == 0)
		return PONTE_ECONFLICT;
	if (!s->id)
		s->id = store_last_insert_id(c);
	rc = write_translations(c, s->id, in);
	if (!rc)
		rc = write_index(c, s->pg, s->id, in);
	if (!rc && !(rc = store_prepare(c, SQL_GENERATION, &st))) {
		rc = store_step(st); /* search's in-memory copy is now stale */
		store_reset(st);
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = add_version(c, a, s->id, p->user_id, now);
	return rc;
}

int kn_create(const keyed_store *env, const principal *p, const kn_input *in, int64_t *id,
	      field_errors *e)
{
	if (!kn_validate(env->db, in, e))
		return PONTE_EINVAL;
	arena a;
	arena_init(&a, 8u << 20);
	store_conn *c;
	int rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	struct save s = { .status = "draft", .pg = store_is_pg(env->db) };
	rc = save(c, &a, p, &s, in);
	if (!rc)
		rc = principal_audit(env->db, p, "knowledge.create", "knowledge", s.id, "success",
				     true);
	if (!(rc = store_finish(c, rc)))
		*id = s.id;
	arena_release(&a);
	return rc;
}

/* An item's change in one transaction: write_begin() begins it on *c (NULL, the arena released,
 * when it could not) and loads the item (PONTE_ENOTFOUND when p may not see it); write_end()
 * writes the audit event action (success, or denied after the rollback), commits or rolls back
 * and releases the arena. */
static int write_begin(const keyed_store *env, const principal *p, int64_t id, arena *a,
		       store_conn **c, kn_item *it)
{
	arena_init(a, 8u << 20);
	int rc = store_begin_on(env->db, c);
	if (rc) {
		*c = NULL;
		arena_release(a);
		return rc;
	}
	rc = load(*c, a, id, it);
	return !rc && !visible(p, it) ? PONTE_ENOTFOUND : rc;
}

static int write_end(const keyed_store *env, const principal *p, store_conn *c, int rc,
		     const char *action, int64_t id, arena *a)
{
	if (!c)
		return rc;
	if (!rc)
		rc = principal_audit(env->db, p, action, "knowledge", id, "success", true);
	rc = store_finish(c, rc);
	if (rc == PONTE_EDENIED)
		principal_audit(env->db, p, action, "knowledge", id, "denied", false);
	arena_release(a);
	return rc;
}

int kn_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
	      const kn_input *in, field_errors *e, int64_t *current)
{
	arena a;
	store_conn *c;
	kn_item it;
	int rc = write_begin(env, p, id, &a, &c, &it);
	if (!rc && !kn_can_edit(p, &it))
		rc = PONTE_EDENIED;
	else if (!rc && it.version != version) {
		*current = it.version;
		rc = PONTE_ECONFLICT;
	}
	kn_input merged;
	if (!rc) {
		kn_input_of(&it, &merged);
		merge(&merged, in);
		field_errors_clear(e);
		if (in->type && strcmp(in->type, it.type) != 0) {
			e->items[0].field = "type";
			e->items[0].message = N_("The kind of an item cannot change.");
			e->count = 1;
			rc = PONTE_EINVAL;
		} else if (!kn_validate(env->db, &merged, e)) {
			rc = PONTE_EINVAL;
		}
	}
	if (!rc) {
		struct save s = { .id = id,
				  .version = version,
				  .status = it.status,
				  .pg = store_is_pg(env->db) };
		rc = save(c, &a, p, &s, &merged);
		if (rc == PONTE_ECONFLICT)
			*current = it.version;
	}
	return write_end(env, p, c, rc, "knowledge.update", id, &a);
}

static const struct {
	const char *action, *from, *to;
} MOVES[] = {
	{ "submit", "draft", "review" },
	{ "return", "review", "draft" },
	{ "publish", "review", "published" },
	{ "archive", "published", "archived" },
};

/* Whether p may take action on it; *why says why not. */
static bool may_move(const keyed_store *env, const principal *p, const kn_item *it,
		     const char *action, const char **why)
{
	if (strcmp(action, "submit") == 0) {
		*why = N_("Only the author's side may submit this draft.");
		return principal_can_see(p, "knowledge.write", it->author_id, it->organisation_id,
					 it->owner_country);
	}
	*why = N_("Only a reviewer may do this.");
	if (!principal_can(p, "knowledge.review"))
		return false;
	if (strcmp(action, "publish") == 0 && it->author_id == p->user_id &&
	    setting_get_int(env->db, "knowledge_self_publish", 0) != 1) {
		*why = N_("Another reviewer must publish what you wrote.");
		return false;
	}
	return true;
}

int kn_transition(const keyed_store *env, const principal *p, int64_t id, const char *action,
		  const char **why)
{
	size_t m = 0;
	while (m < ARRAY_LEN(MOVES) && strcmp(MOVES[m].action, action) != 0)
		m++;
	if (m == ARRAY_LEN(MOVES))
		return PONTE_ENOTFOUND;
	*why = NULL;
	arena a;
	store_conn *c;
	kn_item it;
	int rc = write_begin(env, p, id, &a, &c, &it);
	if (!rc && strcmp(it.status, MOVES[m].from) != 0) {
		*why = N_("This item is not in a state where that can be done.");
		rc = PONTE_ECONFLICT;
	} else if (!rc && !may_move(env, p, &it, action, why))
		rc = PONTE_EDENIED;
	if (!rc) {
		kn_input in;
		kn_input_of(&it, &in);
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		struct save s = { .id = id,
				  .version = it.version,
				  .status = MOVES[m].to,
				  .published_at =
				      strcmp(action, "publish") == 0 ? now : it.published_at,
				  .pg = store_is_pg(env->db) };
		rc = save(c, &a, p, &s, &in);
	}
	char what[32];
	snprintf(what, sizeof(what), "knowledge.%s", action);
	return write_end(env, p, c, rc, what, id, &a);
}

int kn_versions(const keyed_store *env, arena *a, const principal *p, int64_t id, kn_version_fn fn,
		void *ctx)
{
	kn_item it;
	int rc = kn_get(env, a, p, id, &it);
	if (rc)
		return rc;
	store_conn *c;
	store_stmt *st;
	if ((rc = store_conn_get(env->db, &c)) || (rc = store_prepare(c, SQL_VERSIONS, &st)))
		return rc;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == STORE_ROW) {
		kn_version v = { .version = store_col_int64(st, 0),
				 .user_id = store_col_int64(st, 1),
				 .status = col(a, st, 2),
				 .snapshot = col(a, st, 3),
				 .created_at = col(a, st, 4) };
		if ((rc = fn(&v, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

/* Items are written one transaction at a time per KN_REINDEX_BATCH, so a large library does
 * not hold SQLite's write lock for the whole rebuild. */
#define KN_REINDEX_BATCH 200

int kn_reindex(store *db, int64_t *items)
{
	*items = 0;
	store_conn *c;
	int rc = store_conn_get(db, &c);
	if (rc)
		return rc;
	int64_t after = 0;
	for (;;) {
		/* The next batch's ids, read before writing. */
		int64_t ids[KN_REINDEX_BATCH];
		size_t n = 0;
		store_stmt *st;
		if ((rc = store_prepare(c, SQL_ITEM_IDS, &st)))
			return rc;
		store_bind_int64(st, 1, after);
		store_bind_int64(st, 2, KN_REINDEX_BATCH);
		while ((rc = store_step(st)) == STORE_ROW && n < KN_REINDEX_BATCH)
			ids[n++] = store_col_int64(st, 0);
		store_reset(st);
		if (rc < 0)
			return rc;
		if (!n)
			return 0;
		if ((rc = store_begin(c)))
			return rc;
		for (size_t i = 0; i < n && !rc; i++) {
			arena a;
			arena_init(&a, 64u << 20);
			kn_item it;
			kn_input in;
			if (!(rc = load(c, &a, ids[i], &it))) {
				kn_input_of(&it, &in);
				rc = write_index(c, store_is_pg(db), ids[i], &in);
			}
			arena_release(&a);
		}
		if (!rc)
			rc = store_exec(c, SQL_GENERATION);
		if (rc) {
			store_rollback(c);
			return rc;
		}
		if ((rc = store_commit(c)))
			return rc;
		*items += (int64_t)n;
		after = ids[n - 1];
	}
}
