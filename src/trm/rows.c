/* Referral rows as the state machine reads and moves them. */
#include "base/clock.h"
#include "base/utf8.h"
#include "trm/internal.h"

/* clang-format off */
#define ROW_COLUMNS \
    "SELECT id, peer_id, coalesce(parent_id, 0), coalesce(provider_org, 0), " \
    "coalesce(case_id, 0), direction, offer_id, state, provider_state FROM trm_referrals "
static const char SQL_BY_ID[] = ROW_COLUMNS "WHERE id = ?1";
static const char SQL_BY_OFFER[] = ROW_COLUMNS "WHERE offer_id = ?1 AND peer_id = ?2";
static const char SQL_MOVE[] =
    "UPDATE trm_referrals SET state = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1 AND "
    "state = ?5";
/* clang-format on */

static int row(store_stmt *st, trm_row *r)
{
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		r->id = store_col_int64(st, 0);
		r->peer_id = store_col_int64(st, 1);
		r->parent_id = store_col_int64(st, 2);
		r->provider_org = store_col_int64(st, 3);
		r->case_id = store_col_int64(st, 4);
		snprintf(r->direction, sizeof(r->direction), "%s", store_col_text(st, 5, NULL));
		snprintf(r->offer_id, sizeof(r->offer_id), "%s", store_col_text(st, 6, NULL));
		snprintf(r->state, sizeof(r->state), "%s", store_col_text(st, 7, NULL));
		snprintf(r->provider_state, sizeof(r->provider_state), "%s",
			 store_col_text(st, 8, NULL));
	}
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
}

int trm_row_get(store_conn *c, int64_t id, trm_row *r)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_BY_ID, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	return row(st, r);
}

int trm_row_by_offer(store_conn *c, const char *offer_id, int64_t peer_id, trm_row *r)
{
	store_stmt *st;
	int rc = store_prepare(c, SQL_BY_OFFER, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, offer_id, strlen(offer_id));
	store_bind_int64(st, 2, peer_id);
	return row(st, r);
}

bool trm_text_valid(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	return utf8_valid_text(s, n) && utf8_length(s, n) <= max_chars;
}

int trm_row_move(store_conn *c, int64_t id, const char *from_state, const char *to_state,
		 const char *reason, int64_t now_ms)
{
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(now_ms, now);
	store_stmt *st;
	int rc = store_prepare(c, SQL_MOVE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, to_state, strlen(to_state));
	store_bind_text(st, 3, reason, strlen(reason)); /* checked where it was typed */
	store_bind_text(st, 4, now, strlen(now));
	store_bind_text(st, 5, from_state, strlen(from_state));
	rc = store_step(st);
	store_reset(st);
	return rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
}
