/* Exporting observatory records in the CTDC publication format (what import reads). */
#include "export/export.h"
#include "obs/ctdc.h"

static const char SQL_RECORDS[] =
    "SELECT year, source, gender, age_band, majority, citizenship, country_of_exploitation, "
    "exploitation, exploitation_known, control, control_known, labour_sector, sexual_sector, "
    "recruiter_relation, abduction FROM obs_records WHERE (?1 = 0 OR provider_id = ?1) "
    "ORDER BY id";

/* The labels of typeOfExploitConcatenated, then the codes (as SOURCES, GENDERS). */
static const char *const EXPLOITATION_LABELS[][2] = {
	{ "Forced labour", "forced_labour" },
	{ "Sexual exploitation", "sexual_exploitation" },
	{ "Other", "other" },
	{ "Forced marriage", "forced_marriage" },
	{ "Forced military", "forced_military" },
	{ "Organ removal", "organ_removal" },
	{ "Slavery and similar practices", "slavery_and_practices" },
};

static bool has(const char *csv, const char *code)
{
	size_t len = strlen(code);
	for (const char *s = csv; *s;) {
		size_t n = strcspn(s, ",");
		if (n == len && memcmp(s, code, n) == 0)
			return true;
		s += n + (s[n] == ',');
	}
	return false;
}

static const char *text(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? "" : store_col_text(st, col, NULL);
}

static const char *label(const char *const (*table)[2], size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i][1], code) == 0)
			return table[i][0];
	return "";
}

/* The record's column that holds target, and whether that variable was informed. */
static void multi_of(store_stmt *st, enum target t, const char **codes, bool *known)
{
	static const struct {
		enum target t;
		int column, known;
	} MAP[] = { { T_EXPLOITATION, 7, 8 },
		    { T_CONTROL, 9, 10 },
		    { T_LABOUR, 11, -1 },
		    { T_SEXUAL, 12, -1 },
		    { T_RECRUITER, 13, -1 } };
	for (size_t i = 0; i < ARRAY_LEN(MAP); i++)
		if (MAP[i].t == t) {
			*codes = text(st, MAP[i].column);
			/* Sectors and relations have no flag of their own: informed with the
			 * exploitation types. */
			*known = store_col_int64(st, MAP[i].known >= 0 ? MAP[i].known : 8) != 0;
		}
}

/* The Concatenated column after flag columns of target: names without their prefix. */
static void concatenated(store_stmt *st, enum target t, const char *prefix, buf *out)
{
	const char *codes;
	bool known;
	multi_of(st, t, &codes, &known);
	bool first = true;
	for (size_t c = 0; c < CTDC_COLUMNS; c++) {
		if (CTDC[c].target != t || !has(codes, CTDC[c].code))
			continue;
		const char *name = CTDC[c].name;
		if (t == T_EXPLOITATION)
			name = label(EXPLOITATION_LABELS, ARRAY_LEN(EXPLOITATION_LABELS),
				     CTDC[c].code);
		else if (strncmp(name, prefix, strlen(prefix)) == 0)
			name += strlen(prefix);
		buf_printf(out, "%s%s", first ? "" : ";", name);
		first = false;
	}
}

int obs_export_ctdc(const keyed_store *env, int64_t provider, buf *out)
{
	const char *head[CSV_HEADER_MAX];
	for (size_t c = 0; c < CTDC_COLUMNS; c++)
		head[c] = CTDC[c].name;
	int rc = export_csv_row(out, head, CTDC_COLUMNS);
	store_conn *c;
	store_stmt *st;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		rc = store_prepare(c, SQL_RECORDS, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, provider);
	buf cell;
	buf_init(&cell, 1u << 16);
	char cells[CSV_HEADER_MAX][128];
	const char *row[CSV_HEADER_MAX];
	while (!rc && (rc = store_step(st)) == STORE_ROW) {
		rc = 0;
		for (size_t k = 0; k < CTDC_COLUMNS; k++) {
			const struct column *col = &CTDC[k];
			const char *v = "";
			buf_reset(&cell);
			switch (col->target) {
			case T_YEAR: v = text(st, 0); break;
			case T_SOURCE: v = label(SOURCES, NSOURCES, text(st, 1)); break;
			case T_GENDER: v = label(GENDERS, NGENDERS, text(st, 2)); break;
			case T_AGE: v = text(st, 3); break;
			case T_MAJORITY: v = label(MAJORITY, NMAJORITY, text(st, 4)); break;
			case T_CITIZENSHIP: v = text(st, 5); break;
			case T_COUNTRY: v = text(st, 6); break;
			case T_ABDUCTION: v = text(st, 14); break;
			case T_EXPLOITATION:
			case T_CONTROL:
			case T_LABOUR:
			case T_SEXUAL:
			case T_RECRUITER: {
				const char *codes;
				bool known;
				multi_of(st, col->target, &codes, &known);
				v = !known ? "" : has(codes, col->code) ? "1" : "0";
				break;
			}
			case T_IGNORE:
				if (strcmp(col->name, "meansOfControlConcatenated") == 0)
					concatenated(st, T_CONTROL, "meansOfControl", &cell);
				else if (strcmp(col->name, "typeOfExploitConcatenated") == 0)
					concatenated(st, T_EXPLOITATION, "", &cell);
				else if (strcmp(col->name, "typeOfLabourConcatenated") == 0)
					concatenated(st, T_LABOUR, "typeOfLabour", &cell);
				else if (strcmp(col->name, "typeOfSexConcatenated") == 0)
					concatenated(st, T_SEXUAL, "typeOfSex", &cell);
				else if (strcmp(col->name, "isSexAndLabour") == 0 &&
					 store_col_int64(st, 8))
					v = has(text(st, 7), "forced_labour") &&
						    has(text(st, 7), "sexual_exploitation")
						? "1"
						: "0";
				if (cell.len)
					v = cell.data;
				break;
			case T_STATUS:
			case T_COUNT: break;
			}
			snprintf(cells[k], sizeof(cells[k]), "%s", v);
			row[k] = cells[k];
		}
		rc = export_csv_row(out, row, CTDC_COLUMNS);
	}
	store_reset(st);
	buf_release(&cell);
	return rc < 0 ? rc : 0;
}
