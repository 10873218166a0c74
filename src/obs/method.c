/* How a table was protected, said with the table in every output: the method, its
 * parameters and the flag of a withheld value, in the manner of Eurostat's flags. */
#include "base/json.h"
#include "obs/obs.h"

int obs_method_json(buf *b, const obs_query *q)
{
	if (q->exact)
		return buf_puts(b, "{\"name\":\"exact\",\"note\":\"exact counts, not protected: an "
				   "internal view, not for publication\"}");
	int rc = buf_printf(b,
			    "{\"name\":\"cell_key\",\"D\":%d,\"V\":%g,\"js\":%d,\"threshold\":%lld,"
			    "\"flags\":{",
			    OBS_CKM_D, OBS_CKM_V, OBS_CKM_JS, (long long)q->suppress);
	if (!rc && q->suppress > 0)
		rc = buf_printf(b, "\"%s\":\"withheld: the perturbed count is below %lld\"",
				OBS_FLAG_WITHHELD, (long long)q->suppress);
	return rc ? rc : buf_puts(b, "}}");
}

int obs_method_note(buf *b, const obs_query *q)
{
	if (q->exact)
		return buf_puts(b, "Exact counts, not protected: an internal view, not for "
				   "publication.");
	int rc =
	    buf_printf(b,
		       "Counts perturbed by the cell key method: each differs from the true "
		       "count by at most %d (variance %g), no count from 1 to %d is published, "
		       "zeros stay zeros, and the same records always give the same value.",
		       OBS_CKM_D, OBS_CKM_V, OBS_CKM_JS);
	if (!rc && q->suppress > 0)
		rc = buf_printf(b, " %s: withheld, the perturbed count is below %lld.",
				OBS_FLAG_WITHHELD, (long long)q->suppress);
	return rc;
}

int obs_table_json(buf *b, const obs_query *q, const obs_cell *cells, size_t n, int64_t records)
{
	int rc = buf_puts(b, "{\"method\":");
	if (!rc)
		rc = obs_method_json(b, q);
	if (!rc && obs_withheld(q, records))
		rc = buf_printf(b, ",\"records\":null,\"records_flag\":\"%s\"", OBS_FLAG_WITHHELD);
	else if (!rc)
		rc = buf_printf(b, ",\"records\":%lld", (long long)records);
	if (!rc)
		rc = buf_puts(b, ",\"rows\":[");
	for (size_t i = 0; i < n && !rc; i++) {
		rc = buf_puts(b, i ? ",{" : "{");
		if (!rc)
			rc = json_field_str(b, true, q->by[0], cells[i].value[0]);
		if (!rc && q->by[1])
			rc = json_field_str(b, false, q->by[1], cells[i].value[1]);
		if (!rc && cells[i].suppressed)
			rc = buf_printf(b, ",\"count\":null,\"flag\":\"%s\"}", OBS_FLAG_WITHHELD);
		else if (!rc)
			rc = buf_printf(b, ",\"count\":%lld}", (long long)cells[i].count);
	}
	return rc ? rc : buf_puts(b, "]}\n");
}

/* A CSV field: the codes of the observatory hold no comma, quote or line break, but a
 * provider's code might. */
static int csv_field(buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n"))
		return buf_puts(b, s);
	int rc = buf_putc(b, '"');
	for (; *s && !rc; s++)
		rc = *s == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *s);
	return rc ? rc : buf_putc(b, '"');
}

int obs_table_csv(buf *b, const obs_query *q, const obs_cell *cells, size_t n)
{
	int rc = buf_printf(b, "%s%s%s,count,flag\n", q->by[0], q->by[1] ? "," : "",
			    q->by[1] ? q->by[1] : "");
	for (size_t i = 0; i < n && !rc; i++) {
		rc = csv_field(b, cells[i].value[0]);
		if (!rc && q->by[1] && !(rc = buf_putc(b, ',')))
			rc = csv_field(b, cells[i].value[1]);
		if (!rc && cells[i].suppressed)
			rc =
			    buf_printf(b, ",<%lld,%s\n", (long long)q->suppress, OBS_FLAG_WITHHELD);
		else if (!rc)
			rc = buf_printf(b, ",%lld,\n", (long long)cells[i].count);
	}
	/* The method as a last line, which CSV readers skip as a comment ("#"). */
	if (!rc)
		rc = buf_puts(b, "# ");
	if (!rc)
		rc = obs_method_note(b, q);
	return rc ? rc : buf_putc(b, '\n');
}
