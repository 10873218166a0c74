#include "i18n/po.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "i18n/i18n.h"

enum field { F_NONE, F_CTXT, F_ID, F_PLURAL, F_STR };

struct parser {
	arena *a;
	const char *p, *end;
	int line;
	char *err;
	size_t errlen;
	po_entry e;
	enum field field;
	int str_index;
	buf cur; /* the string being accumulated for the current field */
	bool have_entry;
	bool next_fuzzy;
	const char *why; /* the reason of the failure, an English msgid */
};

static int fail(struct parser *ps, const char *why)
{
	ps->why = why;
	snprintf(ps->err, ps->errlen, "line %d: %s", ps->line, why);
	return PONTE_EINVAL;
}

/* Store the accumulated string into the field it belongs to. */
static int flush_field(struct parser *ps)
{
	if (ps->field == F_NONE)
		return 0;
	char *s = arena_strndup(ps->a, ps->cur.data ? ps->cur.data : "", ps->cur.len);
	if (!s)
		return PONTE_ENOMEM;
	switch (ps->field) {
	case F_CTXT: ps->e.msgctxt = s; break;
	case F_ID: ps->e.msgid = s; break;
	case F_PLURAL: ps->e.msgid_plural = s; break;
	case F_STR:
		ps->e.msgstr[ps->str_index] = s;
		if (ps->str_index + 1 > ps->e.nstr)
			ps->e.nstr = ps->str_index + 1;
		break;
	case F_NONE: break;
	}
	buf_reset(&ps->cur);
	ps->field = F_NONE;
	return 0;
}

static int flush_entry(struct parser *ps, po_entry_fn fn, void *ctx)
{
	int rc = flush_field(ps);
	if (rc || !ps->have_entry)
		return rc;
	if (!ps->e.msgid || ps->e.nstr == 0)
		return fail(ps, N_("An entry has no msgid or no msgstr."));
	for (int i = 0; i < ps->e.nstr; i++)
		if (!ps->e.msgstr[i])
			return fail(ps, N_("A plural entry lacks one of its msgstr[N]."));
	rc = fn(&ps->e, ctx);
	memset(&ps->e, 0, sizeof(ps->e));
	ps->have_entry = false;
	return rc;
}

/* Parse a "quoted C string" at p (up to eol) and append its value to ps->cur. */
static int parse_string(struct parser *ps, const char *p, const char *eol)
{
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= eol || *p != '"')
		return fail(ps, N_("A quoted string was expected."));
	p++;
	const char *start = p;
	while (p < eol && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			if (p >= eol)
				return fail(ps, N_("A backslash ends the line."));
			char e = *p++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			default: return fail(ps, N_("Unknown escape after a backslash."));
			}
		}
		if (buf_putc(&ps->cur, c))
			return fail(ps, N_("The string is too long."));
	}
	if (p >= eol)
		return fail(ps, N_("A string is not closed with a quote."));
	p++;
	while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p != eol)
		return fail(ps, N_("There is text after the closing quote."));
	if (!utf8_valid(start, (size_t)(p - start)))
		return fail(ps, N_("The text is not valid UTF-8."));
	return 0;
}

static bool starts_with(const char *p, const char *eol, const char *kw)
{
	size_t n = strlen(kw);
	return (size_t)(eol - p) >= n && memcmp(p, kw, n) == 0;
}

static int keyword_line(struct parser *ps, const char *p, const char *eol, po_entry_fn fn,
			void *ctx)
{
	int rc;
	/* A msgctxt or msgid after a msgstr starts a new entry. */
	bool starts_entry = starts_with(p, eol, "msgctxt ") || starts_with(p, eol, "msgid ");
	if (starts_entry && ps->have_entry && ps->e.nstr + (ps->field == F_STR) > 0) {
		rc = flush_entry(ps, fn, ctx);
		if (rc)
			return rc;
	}
	rc = flush_field(ps);
	if (rc)
		return rc;
	if (starts_entry && !ps->have_entry) {
		ps->have_entry = true;
		ps->e.fuzzy = ps->next_fuzzy;
		ps->next_fuzzy = false;
	}
	if (!ps->have_entry)
		return fail(ps, N_("A msgstr comes before its msgid."));
	if (starts_with(p, eol, "msgctxt ")) {
		if (ps->e.msgid)
			return fail(ps, N_("A msgctxt comes after its msgid."));
		ps->field = F_CTXT;
		return parse_string(ps, p + 8, eol);
	}
	if (starts_with(p, eol, "msgid_plural ")) {
		if (!ps->e.msgid || ps->e.msgid_plural)
			return fail(ps, N_("A msgid_plural is out of place."));
		ps->field = F_PLURAL;
		return parse_string(ps, p + 13, eol);
	}
	if (starts_with(p, eol, "msgid ")) {
		if (ps->e.msgid)
			return fail(ps, N_("An entry has two msgid."));
		ps->e.line = ps->line;
		ps->field = F_ID;
		return parse_string(ps, p + 6, eol);
	}
	if (starts_with(p, eol, "msgstr[")) {
		const char *q = p + 7;
		if (q >= eol || *q < '0' || *q >= '0' + PO_MAX_PLURALS || q + 1 >= eol ||
		    q[1] != ']')
			return fail(ps, N_("A msgstr[N] has a bad index."));
		int idx = *q - '0';
		if (!ps->e.msgid_plural || ps->e.msgstr[idx])
			return fail(ps, N_("A msgstr[N] is out of place."));
		ps->field = F_STR;
		ps->str_index = idx;
		return parse_string(ps, q + 2, eol);
	}
	if (starts_with(p, eol, "msgstr ")) {
		if (!ps->e.msgid || ps->e.msgid_plural || ps->e.nstr)
			return fail(ps, N_("A msgstr is out of place."));
		ps->field = F_STR;
		ps->str_index = 0;
		return parse_string(ps, p + 7, eol);
	}
	return fail(ps, N_("A line starts with an unknown keyword."));
}

int po_parse(arena *a, const char *text, size_t n, po_entry_fn fn, void *ctx, char *err,
	     size_t errlen)
{
	po_error e;
	int rc = po_parse_detailed(a, text, n, fn, ctx, &e);
	if (rc && e.why)
		snprintf(err, errlen, "line %d: %s", e.line, e.why);
	else if (rc)
		snprintf(err, errlen, "line %d: %s", e.line, ponte_strerror(rc));
	return rc;
}

int po_parse_detailed(arena *a, const char *text, size_t n, po_entry_fn fn, void *ctx, po_error *e)
{
	char err[8];
	struct parser ps = {
		.a = a, .p = text, .end = text + n, .line = 0, .err = err, .errlen = sizeof(err)
	};
	buf_init(&ps.cur, 64 * 1024);
	int rc = 0;
	while (ps.p < ps.end && !rc) {
		const char *eol = memchr(ps.p, '\n', (size_t)(ps.end - ps.p));
		if (!eol)
			eol = ps.end;
		const char *line_end = eol;
		if (line_end > ps.p && line_end[-1] == '\r')
			line_end--;
		ps.line++;
		const char *p = ps.p;
		while (p < line_end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == line_end) {
			/* blank line: ends nothing by itself; entries end at the next keyword */
		} else if (*p == '#') {
			if (line_end - p >= 2 && p[1] == ',') {
				const char *f = p + 2;
				for (; f + 5 <= line_end; f++)
					if (memcmp(f, "fuzzy", 5) == 0)
						ps.next_fuzzy = true;
			}
		} else if (*p == '"') {
			if (ps.field == F_NONE)
				rc = fail(&ps, N_("A continued string follows no keyword."));
			else
				rc = parse_string(&ps, p, line_end);
		} else {
			rc = keyword_line(&ps, p, line_end, fn, ctx);
		}
		ps.p = eol < ps.end ? eol + 1 : ps.end;
	}
	if (!rc)
		rc = flush_entry(&ps, fn, ctx);
	buf_release(&ps.cur);
	e->line = ps.line;
	e->why = rc ? ps.why : NULL;
	return rc;
}
