/* form_errors.c: a form's field errors on its page, the same way on every page. */
#include "base/arena.h"
#include "i18n/i18n.h"
#include "web/web.h"

#include <string.h>

/* Where a field stands on the form (its index in order), or n when order does not name it. */
static size_t rank(const char *const *order, const char *field)
{
	size_t i = 0;
	for (; order && order[i]; i++)
		if (strcmp(order[i], field) == 0)
			return i;
	return i;
}

/* The name of a field on the page: the part of a dotted name after its last dot. */
static const char *key_of(const char *field)
{
	const char *dot = strrchr(field, '.');
	return dot ? dot + 1 : field;
}

void web_field_errors(http_request *req, tpl_vars *v, const field_errors *e,
		      const char *const *order, const char *const *labels)
{
	if (!e || !e->count)
		return;
	/* A stable insertion sort by the field's place on the form: a few items at most. */
	size_t idx[FIELD_ERRORS_MAX], r[FIELD_ERRORS_MAX], n = 0;
	for (size_t i = 0; i < e->count && i < FIELD_ERRORS_MAX; i++) {
		size_t k = rank(order, e->items[i].field);
		size_t j = n++;
		while (j > 0 && r[j - 1] > k) {
			idx[j] = idx[j - 1];
			r[j] = r[j - 1];
			j--;
		}
		idx[j] = i;
		r[j] = k;
	}
	tpl_list *l = tpl_set_list(v, "errors");
	for (size_t i = 0; i < n; i++) {
		const field_error *f = &e->items[idx[i]];
		tpl_vars *x = tpl_list_add(l);
		tpl_set(x, "field", key_of(f->field));
		tpl_set(x, "message", tr(req->lang, f->message));
		if (labels)
			tpl_set(x, "label", order[r[i]] ? tr(req->lang, labels[r[i]]) : "");
	}
	/* Beside a field, its first message: set last, as the last value set is the one shown. */
	for (size_t i = n; i-- > 0;) {
		const field_error *f = &e->items[idx[i]];
		tpl_set(v, arena_printf(req->arena, "error_%s", key_of(f->field)),
			tr(req->lang, f->message));
	}
}
