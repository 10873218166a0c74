/* Peers: other instances this one trusts, registered by their identity and a fingerprint read
 * over the phone; revoked, never deleted. */
#include "base/clock.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "instance/instance.h"
#include "trm/trm.h"

/* clang-format off */
static const char SQL_ADD[] =
    "INSERT INTO trm_peers(instance_id, name, country, url, sign_pk, box_pk, fingerprint, "
    "added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
#define PEER_COLUMNS "id, instance_id, name, country, url, sign_pk, box_pk, fingerprint, state, added_at"
static const char SQL_LIST[] = "SELECT " PEER_COLUMNS " FROM trm_peers ORDER BY country, name";
static const char SQL_FIND[] = "SELECT " PEER_COLUMNS " FROM trm_peers WHERE instance_id = ?1";
static const char SQL_REVOKE[] =
    "UPDATE trm_peers SET state = 'revoked', revoked_at = ?2 WHERE instance_id = ?1 AND "
    "state = 'active'";
/* clang-format on */

static bool uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

bool trm_uuid_valid(const char *s)
{
	return uuid_valid(s);
}

static bool key_of(const json_value *obj, const char *name, unsigned char *out, size_t n)
{
	const char *s = json_get_string(obj, name);
	buf b;
	buf_init(&b, 256);
	bool ok = s && !crypto_base64_decode(s, strlen(s), &b) && b.len == n;
	if (ok)
		memcpy(out, b.data, n);
	buf_release(&b);
	return ok;
}

int trm_peer_add(store *db, const char *json, size_t n, const char *fingerprint, int64_t *id,
		 const char **why)
{
	arena a;
	arena_init(&a, 1u << 16);
	json_value *v;
	char err[128];
	trm_peer p = { 0 };
	int rc = json_parse(&a, json, n, &v, err, sizeof(err));
	if (!rc && v->type == JSON_OBJECT) {
		p.instance_id = json_get_string(v, "instance_id");
		p.name = json_get_string(v, "name");
		p.country = json_get_string(v, "country");
		p.url = json_get_string(v, "url");
	}
	*why = NULL;
	if (rc || v->type != JSON_OBJECT)
		*why = N_("the identity is not a JSON object");
	else if (!uuid_valid(p.instance_id))
		*why = N_("instance_id is not a UUID");
	else if (!p.name || !instance_name_valid(p.name))
		*why = N_("name is missing or not text");
	else if (!p.country || !instance_country_valid(p.country) || !country_known(db, p.country))
		*why = N_("country is not an ISO 3166 code");
	else if (!p.url ||
		 (strncmp(p.url, "https://", 8) != 0 && strncmp(p.url, "http://127.", 11) != 0) ||
		 strlen(p.url) > 500)
		*why = N_("url is not https (or a loopback address)");
	else if (!key_of(v, "sign_key", p.sign_pk, sizeof(p.sign_pk)) ||
		 !key_of(v, "box_key", p.box_pk, sizeof(p.box_pk)))
		*why = N_("sign_key or box_key is not a base64 key of 32 bytes");
	char fp[CRYPTO_FINGERPRINT];
	if (!*why) {
		crypto_fingerprint(p.sign_pk, p.box_pk, fp);
		/* What is read over the phone: case and dashes do not matter. */
		char given[CRYPTO_FINGERPRINT] = "";
		size_t g = 0;
		for (const char *s = fingerprint ? fingerprint : ""; *s && g + 1 < sizeof(given);
		     s++)
			if (*s != '-' && *s != ' ')
				given[g++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
		given[g] = '\0';
		char expect[CRYPTO_FINGERPRINT] = "";
		size_t e = 0;
		for (const char *s = fp; *s; s++)
			if (*s != '-')
				expect[e++] = *s;
		expect[e] = '\0';
		if (strcmp(given, expect) != 0)
			*why = N_(
			    "the fingerprint does not match the keys: do not register this peer");
	}
	if (*why) {
		arena_release(&a);
		return PONTE_EINVAL;
	}
	store_conn *c;
	store_stmt *st;
	if (!(rc = store_conn_get(db, &c)) && !(rc = store_prepare(c, SQL_ADD, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_text(st, 1, p.instance_id, strlen(p.instance_id));
		store_bind_text(st, 2, p.name, strlen(p.name));
		store_bind_text(st, 3, p.country, strlen(p.country));
		store_bind_text(st, 4, p.url, strlen(p.url));
		store_bind_blob(st, 5, p.sign_pk, sizeof(p.sign_pk));
		store_bind_blob(st, 6, p.box_pk, sizeof(p.box_pk));
		store_bind_text(st, 7, fp, strlen(fp));
		store_bind_text(st, 8, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : 0;
		*id = store_last_insert_id(c);
	}
	arena_release(&a);
	return rc;
}

static int from_row(arena *a, store_stmt *st, trm_peer *p)
{
	size_t n1, n2;
	const void *s = store_col_blob(st, 5, &n1), *b = store_col_blob(st, 6, &n2);
	if (n1 != CRYPTO_SIGN_PK || n2 != CRYPTO_BOX_PK)
		return PONTE_ESTORE;
	*p = (trm_peer){ .id = store_col_int64(st, 0),
			 .instance_id = arena_strdup(a, store_col_text(st, 1, NULL)),
			 .name = arena_strdup(a, store_col_text(st, 2, NULL)),
			 .country = arena_strdup(a, store_col_text(st, 3, NULL)),
			 .url = arena_strdup(a, store_col_text(st, 4, NULL)),
			 .fingerprint = arena_strdup(a, store_col_text(st, 7, NULL)),
			 .state = arena_strdup(a, store_col_text(st, 8, NULL)),
			 .added_at = arena_strdup(a, store_col_text(st, 9, NULL)) };
	memcpy(p->sign_pk, s, n1);
	memcpy(p->box_pk, b, n2);
	return 0;
}

int trm_peer_list(store *db, arena *a, trm_peer_fn fn, void *ctx)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_LIST, &st);
	if (rc)
		return rc;
	trm_peer p;
	while ((rc = store_step(st)) == STORE_ROW)
		if ((rc = from_row(a, st, &p)) || (rc = fn(&p, ctx)))
			break;
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int trm_peer_find(store *db, arena *a, const char *instance_id, trm_peer *out)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_FIND, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, instance_id, strlen(instance_id));
	rc = store_step(st);
	rc = rc == STORE_ROW ? from_row(a, st, out) : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	store_reset(st);
	return rc;
}

int trm_peer_revoke(store *db, const char *instance_id)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_REVOKE, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_bind_text(st, 1, instance_id, strlen(instance_id));
		store_bind_text(st, 2, now, strlen(now));
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ENOTFOUND;
	}
	return rc;
}
