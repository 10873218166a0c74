/* Indicator screening: reading the configured lists, applying their rules, recording. */
#include "screening/screening.h"
#include "base/clock.h"
#include "cases/cases.h"
#include "i18n/i18n.h"
#include "identity/fields.h"
#include "screening/sql.h"

static void bind_lang(store_stmt *st, const char *lang)
{
	const char *l = lang && *lang ? lang : "en";
	store_bind_text(st, 9, l, strlen(l));
}

static void list_row(arena *a, store_stmt *st, scr_list *l)
{
	l->code = store_col_dup(a, st, 0);
	l->audience = store_col_dup(a, st, 1);
	l->exploitation = store_col_dup(a, st, 2);
	l->min_dimensions = (int)store_col_int64(st, 3);
	l->version = store_col_dup(a, st, 4);
	l->name = store_col_dup(a, st, 5);
}

int scr_lists(store *db, arena *a, const char *lang, scr_list_fn fn, void *ctx)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SCR_SQL_LISTS, &st);
	if (rc)
		return rc;
	bind_lang(st, lang);
	while ((rc = store_step(st)) == STORE_ROW) {
		scr_list l;
		list_row(a, st, &l);
		if ((rc = fn(&l, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

struct fit {
	const char *audience, *exploitation;
	const char *code, *first;
};

static int pick(const scr_list *l, void *ctx)
{
	struct fit *f = ctx;
	if (!f->first)
		f->first = l->code;
	if (!f->code && strcmp(l->audience, f->audience) == 0 &&
	    strcmp(l->exploitation, f->exploitation) == 0)
		f->code = l->code;
	return 0;
}

/* Which list fits is data (indicator_lists' audience and exploitation), not code: a country
 * that adds lists changes rows only. */
const char *scr_list_for(store *db, arena *a, bool child, const char *exploitation)
{
	bool sexual = false;
	for (const char *p = exploitation ? exploitation : ""; *p;) {
		size_t n = strcspn(p, ",");
		sexual |=
		    n == strlen("SexualExploitation") && strncmp(p, "SexualExploitation", n) == 0;
		p += n + (p[n] == ',');
	}
	struct fit f = { child ? "child" : "adult", sexual ? "sexual" : "labour", NULL, NULL };
	if (scr_lists(db, a, "en", pick, &f))
		return NULL;
	return f.code ? f.code : f.first;
}

int scr_items(store *db, arena *a, const char *list, const char *lang, scr_list *info,
	      scr_item *items, size_t *n)
{
	store_conn *c;
	store_stmt *st;
	*n = 0;
	int rc = store_conn_get(db, &c);
	if (!rc)
		rc = store_prepare(c, SCR_SQL_LIST, &st);
	if (rc)
		return rc;
	store_bind_text(st, 1, list ? list : "", list ? strlen(list) : 0);
	bind_lang(st, lang);
	rc = store_step(st);
	if (rc == STORE_ROW)
		list_row(a, st, info);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? PONTE_ENOTFOUND : rc;
	if ((rc = store_prepare(c, SCR_SQL_ITEMS, &st)))
		return rc;
	store_bind_text(st, 1, list, strlen(list));
	bind_lang(st, lang);
	while ((rc = store_step(st)) == STORE_ROW && *n < SCR_MAX_ITEMS) {
		scr_item *it = &items[(*n)++];
		it->code = store_col_dup(a, st, 0);
		it->dimension = store_col_dup(a, st, 1);
		it->strength = store_col_dup(a, st, 2);
		it->min_strong = (int)store_col_int64(st, 3);
		it->min_medium = (int)store_col_int64(st, 4);
		it->text = store_col_dup(a, st, 5);
		it->dimension_text = store_col_dup(a, st, 6);
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}

static const char *answer_of(const scr_answer *answers, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (answers[i].indicator && strcmp(answers[i].indicator, code) == 0)
			return answers[i].answer;
	return "unknown";
}

int scr_evaluate(const scr_list *info, const scr_item *items, size_t nitems,
		 const scr_answer *answers, size_t n, scr_result *r, field_errors *e)
{
	memset(r, 0, sizeof(*r));
	/* Every answer names an indicator of the list, with a known value. */
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; k < nitems && !known; k++)
			known = answers[i].indicator &&
				strcmp(items[k].code, answers[i].indicator) == 0;
		if (!known)
			field_errors_add(
			    e, "answers",
			    N_("An answer names an indicator that is not in this list."));
		const char *v = answers[i].answer;
		if (!v || (strcmp(v, "present") != 0 && strcmp(v, "absent") != 0 &&
			   strcmp(v, "unknown") != 0))
			field_errors_add(e, "answers", N_("Answer present, absent or unknown."));
		if (answers[i].note && strlen(answers[i].note) > 2000)
			field_errors_add(e, "answers", N_("A note is at most 2,000 characters."));
	}
	if (e->count)
		return PONTE_EINVAL;
	/* Dimensions in list order: items of a dimension are consecutive. */
	size_t len = 0;
	for (size_t k = 0; k < nitems;) {
		const scr_item *d = &items[k];
		int strong = 0, medium = 0;
		for (; k < nitems && strcmp(items[k].dimension, d->dimension) == 0; k++) {
			if (strcmp(answer_of(answers, n, items[k].code), "present") != 0)
				continue;
			strong += strcmp(items[k].strength, "strong") == 0;
			medium += strcmp(items[k].strength, "medium") == 0;
		}
		if (strong >= d->min_strong || medium >= d->min_medium) {
			r->met++;
			len += (size_t)snprintf(
			    r->dimensions_met + len,
			    len < sizeof(r->dimensions_met) ? sizeof(r->dimensions_met) - len : 0,
			    "%s%s", len ? "," : "", d->dimension);
		}
	}
	r->indicated = r->met >= (size_t)info->min_dimensions;
	return 0;
}

static int insert_answer(const keyed_store *env, store_conn *c, int64_t screening,
			 const char *indicator, const char *answer, const char *note)
{
	store_stmt *st;
	int rc = store_prepare(c, SCR_SQL_ANSWER, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, screening);
	store_bind_text(st, 2, indicator, strlen(indicator));
	store_bind_text(st, 3, answer, strlen(answer));
	rc = store_step(st);
	store_reset(st);
	if (rc < 0 || !note || !*note)
		return rc < 0 ? rc : 0;
	return field_encrypt_row(env, c, SCR_SQL_NOTE, "screening_answers", "note",
				 store_last_insert_id(c), note, 1u << 16);
}

int scr_add(const keyed_store *env, const principal *p, int64_t case_id, const char *list,
	    const scr_answer *answers, size_t n, int64_t *id, scr_result *r, field_errors *e)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1u << 20);
	case_record cr;
	scr_list info;
	scr_item items[SCR_MAX_ITEMS];
	size_t nitems;
	int rc = case_get_to_write(env, &a, p, case_id, &cr);
	if (!rc &&
	    (rc = scr_items(env->db, &a, list, "en", &info, items, &nitems)) == PONTE_ENOTFOUND) {
		field_errors_add(e, "list", N_("Choose a list of indicators."));
		rc = PONTE_EINVAL;
	}
	if (!rc)
		rc = scr_evaluate(&info, items, nitems, answers, n, r, e);
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = store_begin_on(env->db, &c);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	char now[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), now);
	if (!(rc = store_prepare(c, SCR_SQL_INSERT, &st))) {
		store_bind_int64(st, 1, case_id);
		store_bind_text(st, 2, info.code, strlen(info.code));
		store_bind_text(st, 3, info.version, strlen(info.version));
		store_bind_text(st, 4, r->dimensions_met, strlen(r->dimensions_met));
		store_bind_int64(st, 5, r->indicated);
		store_bind_int64(st, 6, p->user_id);
		store_bind_text(st, 7, now, strlen(now));
		rc = store_run(st);
		*id = store_last_insert_id(c);
	}
	for (size_t k = 0; k < nitems && !rc; k++) {
		const char *note = NULL, *answer = "unknown";
		for (size_t i = 0; i < n; i++)
			if (strcmp(answers[i].indicator, items[k].code) == 0) {
				answer = answers[i].answer;
				note = answers[i].note;
			}
		rc = insert_answer(env, c, *id, items[k].code, answer, note);
	}
	if (!rc)
		rc =
		    principal_audit(env->db, p, "case.screening", "case", case_id, "success", true);
	rc = store_finish(c, rc);
	arena_release(&a);
	return rc;
}

int scr_history(const keyed_store *env, arena *a, const principal *p, int64_t case_id,
		const char *lang, scr_record_fn fn, void *ctx)
{
	case_record cr;
	int rc = case_get(env, a, p, case_id, &cr);
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SCR_SQL_HISTORY, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	bind_lang(st, lang);
	while ((rc = store_step(st)) == STORE_ROW) {
		scr_record s = { .id = store_col_int64(st, 0),
				 .list = store_col_dup(a, st, 1),
				 .list_name = store_col_dup(a, st, 2),
				 .dimensions_met = store_col_dup(a, st, 3),
				 .indicated = store_col_int64(st, 4) != 0,
				 .created_at = store_col_dup(a, st, 5) };
		if ((rc = fn(&s, ctx)))
			break;
	}
	store_reset(st);
	return rc < 0 ? rc : 0;
}
