/* Peers: other instances this one trusts, registered by their identity and a fingerprint read
 * over the phone; revoked, never deleted. */
#include <curl/curl.h>

#include "base/clock.h"
#include "base/json_parse.h"
#include "i18n/i18n.h"
#include "instance/instance.h"
#include "trm/trm.h"

/* clang-format off */
static const char SQL_ADD[] =
    "INSERT INTO trm_peers(instance_id, name, country, url, sign_pk, box_pk, fingerprint, "
    "added_at, keys_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
/* Trust renewed by hand (the peers page, after a phone call): its keys now, the old ones no
 * longer (a renewal by hand usually follows a lost or leaked key), and active again. */
static const char SQL_RENEW[] =
    "UPDATE trm_peers SET name = ?2, country = ?3, url = ?4, sign_pk = ?5, box_pk = ?6, "
    "fingerprint = ?7, keys_at = ?8, state = 'active', revoked_at = NULL, prev_sign_pk = NULL, "
    "prev_until = '' WHERE instance_id = ?1";
#define PEER_COLUMNS "id, instance_id, name, country, url, sign_pk, box_pk, fingerprint, state, added_at, keys_at"
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

/* Check an identity (the JSON of trm_identity_json) and the fingerprint read over the phone
 * against its keys (unless fingerprint is NULL: a preview); p's strings point into a (the
 * caller's arena). */
static int parse_identity(store *db, arena *a, const char *json, size_t n, const char *fingerprint,
			  trm_peer *p, char fp[CRYPTO_FINGERPRINT], const char **why)
{
	json_value *v;
	char err[128];
	*p = (trm_peer){ 0 };
	int rc = json_parse(a, json, n, &v, err, sizeof(err));
	if (!rc && v->type == JSON_OBJECT) {
		p->instance_id = json_get_string(v, "instance_id");
		p->name = json_get_string(v, "name");
		p->country = json_get_string(v, "country");
		p->url = json_get_string(v, "url");
	}
	*why = NULL;
	if (rc || v->type != JSON_OBJECT)
		*why = N_("the identity is not a JSON object");
	else if (!uuid_valid(p->instance_id))
		*why = N_("instance_id is not a UUID");
	else if (!p->name || !instance_name_valid(p->name))
		*why = N_("name is missing or not text");
	else if (!p->country || !instance_country_valid(p->country) ||
		 !country_known(db, p->country))
		*why = N_("country is not an ISO 3166 code");
	else if (!p->url || !trm_url_ok(p->url, strlen(p->url)))
		*why = N_("url is not https (or a loopback address)");
	else if (!key_of(v, "sign_key", p->sign_pk, sizeof(p->sign_pk)) ||
		 !key_of(v, "box_key", p->box_pk, sizeof(p->box_pk)))
		*why = N_("sign_key or box_key is not a base64 key of 32 bytes");
	if (!*why)
		crypto_fingerprint(p->sign_pk, p->box_pk, fp);
	if (!*why && fingerprint) {
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
	return *why ? PONTE_EINVAL : 0;
}

static void bind_peer(store_stmt *st, const trm_peer *p, const char *fp, const char *now)
{
	store_bind_text(st, 1, p->instance_id, strlen(p->instance_id));
	store_bind_text(st, 2, p->name, strlen(p->name));
	store_bind_text(st, 3, p->country, strlen(p->country));
	store_bind_text(st, 4, p->url, strlen(p->url));
	store_bind_blob(st, 5, p->sign_pk, sizeof(p->sign_pk));
	store_bind_blob(st, 6, p->box_pk, sizeof(p->box_pk));
	store_bind_text(st, 7, fp, strlen(fp));
	store_bind_text(st, 8, now, strlen(now));
}

/* Write p with sql (SQL_ADD or SQL_RENEW, bound by bind_peer()); *inserted, when not NULL, the
 * new row's id. */
static int write_peer(store *db, const char *sql, const trm_peer *p, const char *fp,
		      int64_t *inserted)
{
	store_conn *c;
	store_stmt *st;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, sql, &st))) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		bind_peer(st, p, fp, now);
		rc = store_run(st);
		if (!rc && inserted)
			*inserted = store_last_insert_id(c);
	}
	return rc;
}

int trm_peer_add(store *db, const char *json, size_t n, const char *fingerprint, int64_t *id,
		 const char **why)
{
	if (!fingerprint)
		fingerprint = "";
	arena a;
	arena_init(&a, 1u << 16);
	trm_peer p;
	char fp[CRYPTO_FINGERPRINT];
	int rc = parse_identity(db, &a, json, n, fingerprint, &p, fp, why);
	if (!rc)
		rc = write_peer(db, SQL_ADD, &p, fp, id);
	arena_release(&a);
	return rc;
}

int trm_peer_renew(store *db, const char *json, size_t n, const char *fingerprint, int64_t *id,
		   const char **why)
{
	if (!fingerprint)
		fingerprint = "";
	arena a;
	arena_init(&a, 1u << 16);
	trm_peer p, known;
	char fp[CRYPTO_FINGERPRINT];
	int rc = parse_identity(db, &a, json, n, fingerprint, &p, fp, why);
	if (!rc && (rc = trm_peer_find(db, &a, p.instance_id, &known)) == PONTE_ENOTFOUND) {
		*why = N_("This instance is not registered: register it first.");
		rc = PONTE_EINVAL;
	}
	if (!rc && !(rc = write_peer(db, SQL_RENEW, &p, fp, NULL)))
		*id = known.id;
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
			 .instance_id = store_col_dup(a, st, 1),
			 .name = store_col_dup(a, st, 2),
			 .country = store_col_dup(a, st, 3),
			 .url = store_col_dup(a, st, 4),
			 .fingerprint = store_col_dup(a, st, 7),
			 .state = store_col_dup(a, st, 8),
			 .added_at = store_col_dup(a, st, 9),
			 .keys_at = store_col_dup(a, st, 10) };
	memcpy(p->sign_pk, s, n1);
	memcpy(p->box_pk, b, n2);
	return 0;
}

int trm_peer_list(store *db, arena *a, trm_peer_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_LIST, &st);
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
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_FIND, &st);
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

/* ---- the administrator's page ---- */

/* clang-format off */
static const char SQL_STATUS[] =
    "SELECT " PEER_COLUMNS ", "
    "(SELECT max(received_at) FROM trm_inbox i WHERE i.peer_id = trm_peers.id), "
    "(SELECT max(delivered_at) FROM trm_outbox o WHERE o.peer_id = trm_peers.id AND "
    "o.state = 'delivered'), "
    "(SELECT count(*) FROM trm_outbox o WHERE o.peer_id = trm_peers.id AND o.state = 'pending' "
    "AND o.attempts = 0), "
    "(SELECT count(*) FROM trm_outbox o WHERE o.peer_id = trm_peers.id AND o.state = 'pending' "
    "AND o.attempts > 0), "
    "(SELECT count(*) FROM trm_outbox o WHERE o.peer_id = trm_peers.id AND o.state = 'failed' "
    "AND o.last_error <> 'withdrawn before delivery') "
    "FROM trm_peers ORDER BY country, name";
static const char SQL_PEER_STATE[] = "SELECT id, state FROM trm_peers WHERE instance_id = ?1";
static const char SQL_RETRY_PENDING[] =
    "UPDATE trm_outbox SET next_attempt_at = ?2 WHERE peer_id = ?1 AND state = 'pending' AND "
    "attempts > 0";
/* What the outbox gave up for a reason that may have passed (a refusal, the peer revoked at the
 * time); never what a withdrawal stopped (the person's consent) nor what expired. */
static const char SQL_RETRY_FAILED[] =
    "UPDATE trm_outbox SET state = 'pending', next_attempt_at = ?2 WHERE peer_id = ?1 AND "
    "state = 'failed' AND expires_at > ?2 AND last_error NOT IN ('withdrawn before delivery', "
    "'expired before delivery')";
/* clang-format on */

int trm_peer_status_list(store *db, arena *a, trm_peer_status_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_STATUS, &st);
	if (rc)
		return rc;
	trm_peer_status s;
	while ((rc = store_step(st)) == STORE_ROW) {
		memset(&s, 0, sizeof(s));
		if ((rc = from_row(a, st, &s.peer)))
			break;
		s.last_received = store_col_dup(a, st, 11);
		s.last_delivered = store_col_dup(a, st, 12);
		s.queued = store_col_int64(st, 13);
		s.retrying = store_col_int64(st, 14);
		s.failed = store_col_int64(st, 15);
		if ((rc = fn(&s, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

int trm_outbox_retry(store *db, const char *instance_id, int64_t now_ms, int64_t *n)
{
	*n = 0;
	store_conn *c;
	store_stmt *st;
	int64_t peer_id = 0;
	bool active = false;
	int rc = store_conn_get(db, &c);
	if (!rc && !(rc = store_prepare(c, SQL_PEER_STATE, &st))) {
		store_bind_text(st, 1, instance_id, strlen(instance_id));
		if ((rc = store_step(st)) == STORE_ROW) {
			peer_id = store_col_int64(st, 0);
			active = strcmp(store_col_text(st, 1, NULL), "active") == 0;
		}
		store_reset(st);
		rc = rc < 0 ? rc : peer_id ? 0 : PONTE_ENOTFOUND;
	}
	if (!rc && !active)
		rc = PONTE_ECONFLICT;
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	if (!rc)
		rc = store_begin(c);
	const char *sql[] = { SQL_RETRY_PENDING, SQL_RETRY_FAILED };
	for (size_t i = 0; !rc && i < ARRAY_LEN(sql); i++) {
		if ((rc = store_prepare(c, sql[i], &st)))
			break;
		store_bind_int64(st, 1, peer_id);
		store_bind_text(st, 2, now, strlen(now));
		rc = store_run(st);
		*n += rc ? 0 : store_changes(c);
	}
	if (!rc && active)
		rc = store_commit(c);
	else if (active && peer_id)
		store_rollback(c);
	return rc;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	buf *b = ctx;
	size_t len = size * n;
	return buf_append(b, p, len) ? 0 : len; /* past the ceiling: the transfer stops */
}

int trm_identity_fetch(store *db, arena *a, const char *url, const char **json, trm_peer *out,
		       const char **why)
{
	*why = NULL;
	*json = NULL;
	size_t n = url ? strlen(url) : 0;
	while (n > 0 && url[n - 1] == '/')
		n--;
	/* An identity is fetched from the instance's own address: no query, no fragment. */
	if (n == 0 || !trm_url_ok(url, n) || memchr(url, '?', n) || memchr(url, '#', n)) {
		*why =
		    N_("The address must be https://..., or http://127.x for an instance on this "
		       "machine.");
		return PONTE_EINVAL;
	}
	char base[512], target[600];
	snprintf(base, sizeof(base), "%.*s", (int)n, url);
	snprintf(target, sizeof(target), "%s/fed/v1/identity", base);
	CURL *h = curl_easy_init();
	if (!h)
		return PONTE_ENOMEM;
	buf answer;
	buf_init(&answer, 16384);
	curl_easy_setopt(h, CURLOPT_URL, target);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)TRM_FETCH_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TRM_FETCH_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	int rc = 0;
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		*why = N_("The instance at this address did not answer within 5 seconds. Check the "
			  "address, or ask its administrator whether it is running.");
	} else if (cc != CURLE_OK) {
		*why = N_("No instance could be reached at this address. Check the address, or ask "
			  "its administrator whether it is running.");
	} else if (status != 200) {
		*why =
		    N_("The server at this address answered, but not with a Ponte identity. Check "
		       "the address.");
	} else {
		const char *copy = arena_strndup(a, answer.data ? answer.data : "", answer.len);
		char fp[CRYPTO_FINGERPRINT];
		rc = copy ? parse_identity(db, a, copy, answer.len, NULL, out, fp, why)
			  : PONTE_ENOMEM;
		if (rc == PONTE_EINVAL)
			*why = N_("The server at this address answered, but not with a Ponte "
				  "identity. Check the address.");
		size_t m = out->url ? strlen(out->url) : 0;
		while (!rc && m > 0 && out->url[m - 1] == '/')
			m--;
		if (!rc && (m != n || strncmp(out->url, base, n) != 0)) {
			*why =
			    N_("The instance at this address gives another address as its own: do "
			       "not register it.");
			rc = PONTE_EINVAL;
		}
		if (!rc) {
			out->fingerprint = arena_strdup(a, fp);
			*json = copy;
		}
	}
	buf_release(&answer);
	return *why ? PONTE_EINVAL : rc;
}
