/* A CSV reader over a buffer (a mapped file): one record at a time, fields into an arena. */
#include "base/csv.h"
#include "base/buf.h"

#define N_(s) (s)

void csv_init(csv_reader *r, const char *data, size_t n)
{
	r->p = data;
	r->end = data + n;
	r->line = 1;
	if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

/* Skip to the start of the next line (after an error). */
static void skip_line(csv_reader *r)
{
	while (r->p < r->end && *r->p != '\n')
		r->p++;
	if (r->p < r->end) {
		r->p++;
		r->line++;
	}
}

static bool at_line_end(const csv_reader *r)
{
	return r->p == r->end || *r->p == '\n' ||
	       (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'));
}

static void eat_line_end(csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
	}
}

/* A quoted field starting after its opening quote; copies into b. */
static int quoted(csv_reader *r, buf *b, const char **problem)
{
	for (;;) {
		if (r->p == r->end) {
			*problem = N_("A quoted field is never closed.");
			return PONTE_EINVAL;
		}
		const char *q = memchr(r->p, '"', (size_t)(r->end - r->p));
		const char *stop = q ? q : r->end;
		for (const char *c = r->p; c < stop; c++)
			if (*c == '\n')
				r->line++;
		if (buf_append(b, r->p, (size_t)(stop - r->p))) {
			*problem = N_("A field is longer than 64 KiB.");
			return PONTE_EINVAL;
		}
		r->p = stop;
		if (!q) {
			*problem = N_("A quoted field is never closed.");
			return PONTE_EINVAL;
		}
		r->p++; /* the quote */
		if (r->p < r->end && *r->p == '"') {
			if (buf_putc(b, '"')) {
				*problem = N_("A field is longer than 64 KiB.");
				return PONTE_EINVAL;
			}
			r->p++;
			continue;
		}
		/* Closed: only a separator or a line end may follow. */
		if (r->p < r->end && *r->p != ',' && !at_line_end(r)) {
			*problem = N_("Text follows the closing quote of a field.");
			return PONTE_EINVAL;
		}
		return 0;
	}
}

static int unquoted(csv_reader *r, buf *b, const char **problem)
{
	const char *start = r->p;
	/* A quote inside an unquoted field is kept as it is (spreadsheets and csv-spectrum
	 * agree: 37°36'37.8"N). */
	while (r->p < r->end && *r->p != ',' && !at_line_end(r))
		r->p++;
	if (buf_append(b, start, (size_t)(r->p - start))) {
		*problem = N_("A field is longer than 64 KiB.");
		return PONTE_EINVAL;
	}
	return 0;
}

int csv_next(csv_reader *r, arena *a, csv_record *rec, const char **problem)
{
	/* Completely empty lines are not records. */
	while (r->p < r->end && (*r->p == '\n' || (*r->p == '\r' && at_line_end(r))))
		eat_line_end(r);
	if (r->p >= r->end)
		return 0;
	rec->line = r->line;
	rec->n = 0;
	buf b;
	buf_init(&b, CSV_MAX_FIELD);
	int rc = 0;
	for (;;) {
		buf_reset(&b);
		if (rec->n == CSV_MAX_FIELDS) {
			*problem = N_("A line has more than 256 fields.");
			rc = PONTE_EINVAL;
			break;
		}
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			rc = quoted(r, &b, problem);
		} else {
			rc = unquoted(r, &b, problem);
		}
		if (rc)
			break;
		if (b.len && memchr(b.data, '\0', b.len)) {
			*problem = N_("A field holds a NUL byte.");
			rc = PONTE_EINVAL;
			break;
		}
		char *copy = arena_strndup(a, b.data ? b.data : "", b.len);
		if (!copy) {
			rc = PONTE_ENOMEM;
			break;
		}
		rec->fields[rec->n] = copy;
		rec->lens[rec->n] = b.len;
		rec->n++;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		eat_line_end(r);
		break;
	}
	buf_release(&b);
	if (rc == PONTE_EINVAL)
		skip_line(r);
	return rc ? rc : 1;
}

char csv_guess_separator(const char *data, size_t n)
{
	static const char CANDIDATES[] = { ',', ';', '\t', '|' };
	size_t counts[4] = { 0 };
	bool in_quotes = false;
	for (size_t i = 0; i < n && (in_quotes || data[i] != '\n'); i++) {
		if (data[i] == '"')
			in_quotes = !in_quotes;
		for (size_t k = 0; k < 4 && !in_quotes; k++)
			counts[k] += data[i] == CANDIDATES[k];
	}
	size_t best = 0;
	for (size_t k = 1; k < 4; k++)
		if (counts[k] > counts[best])
			best = k;
	return counts[best] ? CANDIDATES[best] : ',';
}
