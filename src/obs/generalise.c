/* The generalisation hierarchies of the columns of a microdata release (kanon.h).
 *
 * Years go into 2-year periods, then decades (a 2-year period starting on an even year lies
 * in one decade, which 5-year periods would not); age bands into 0-17 / 18-29 / 30+;
 * countries into UN sub-regions, then regions (the CTDC lookup, data/country_regions.csv);
 * exploitation types and means of control, which hold several values, into their families;
 * and every column into "*". */
#include <pthread.h>

#include "base/embedded.h"
#include "obs/kanon.h"

const char *const KANON_COLUMN[KANON_COLUMNS] = {
	"year",
	"gender",
	"age_band",
	"majority",
	"citizenship",
	"country_of_exploitation",
	"source",
	"status",
	"exploitation",
	"control",
	"labour_sector",
	"sexual_sector",
	"recruiter_relation",
	"abduction",
};

static const int TOP[KANON_COLUMNS] = { 3, 1, 2, 1, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1 };

static const char *const YEAR_LEVELS[] = { "exact", "2-year periods", "10-year periods",
					   "suppressed" };
static const char *const AGE_LEVELS[] = { "exact", "0-17, 18-29, 30+", "suppressed" };
static const char *const COUNTRY_LEVELS[] = { "exact", "UN sub-region", "UN region", "suppressed" };
static const char *const EXPLOITATION_LEVELS[] = {
	"exact", "forms (sexual exploitation, forced labour, other forms)", "suppressed"
};
/* Named apart: clang warns of literals concatenated inside an array of strings. */
static const char CONTROL_FAMILIES_LEVEL[] =
    "families (financial, violence or threats, restriction, "
    "psychological, other or unspecified)";
static const char *const CONTROL_LEVELS[] = { "exact", CONTROL_FAMILIES_LEVEL, "suppressed" };
static const char *const PLAIN_LEVELS[] = { "exact", "suppressed" };

int kanon_column(const char *name)
{
	for (int c = 0; name && c < KANON_COLUMNS; c++)
		if (strcmp(KANON_COLUMN[c], name) == 0)
			return c;
	return -1;
}

int kanon_top(int col)
{
	return TOP[col];
}

bool kanon_multi(int col)
{
	return col >= C_EXPLOITATION && col <= C_RECRUITER;
}

static const char *const *levels_of(int col)
{
	switch (col) {
	case C_YEAR: return YEAR_LEVELS;
	case C_AGE: return AGE_LEVELS;
	case C_CITIZENSHIP:
	case C_COUNTRY: return COUNTRY_LEVELS;
	case C_EXPLOITATION: return EXPLOITATION_LEVELS;
	case C_CONTROL: return CONTROL_LEVELS;
	default: return PLAIN_LEVELS;
	}
}

const char *kanon_level_name(int col, int level)
{
	return levels_of(col)[level < 0 ? 0 : level > TOP[col] ? TOP[col] : level];
}

int kanon_level_of_name(int col, const char *name)
{
	for (int l = 0; name && l <= TOP[col]; l++)
		if (strcmp(levels_of(col)[l], name) == 0)
			return l;
	/* Releases made before decades: 5-year periods lie in decades, so they are compared
	 * there. */
	if (col == C_YEAR && name && strcmp(name, "5-year periods") == 0)
		return 2;
	return -1;
}

/* ---- regions ---- */

struct region {
	char code[3];
	const char *sub, *region;
};
static struct region regions[300];
static size_t nregions;
static pthread_once_t regions_once = PTHREAD_ONCE_INIT;
static char regions_text[32768];

/* "CC,Sub-region,Region" lines; '#' comments. */
static void load_regions(void)
{
	const struct embedded_file *f = embedded_find("data/country_regions.csv");
	if (!f || f->len >= sizeof(regions_text))
		return;
	memcpy(regions_text, f->data, f->len);
	regions_text[f->len] = '\0';
	char *save, *line = strtok_r(regions_text, "\n", &save);
	for (; line && nregions < ARRAY_LEN(regions); line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (*line == '#' || !c2 || c1 - line != 2)
			continue;
		*c1 = *c2 = '\0';
		memcpy(regions[nregions].code, line, 3);
		regions[nregions].sub = c1 + 1;
		regions[nregions++].region = c2 + 1;
	}
}

/* A country at level 1 (sub-region) or 2 (region), from a code, a sub-region or a region;
 * "*" for what the lookup does not know. */
static const char *country_at(int level, const char *v)
{
	pthread_once(&regions_once, load_regions);
	for (size_t i = 0; i < nregions; i++) {
		if (strcmp(regions[i].code, v) == 0 || strcmp(regions[i].sub, v) == 0)
			return level == 1 ? regions[i].sub : regions[i].region;
		if (strcmp(regions[i].region, v) == 0 && level == 2)
			return regions[i].region;
	}
	return "*";
}

/* ---- families of multi-response values ---- */

struct family {
	const char *name;
	const char *members[6];
};

static const struct family EXPLOITATION_FAMILIES[] = {
	{ "sexual_exploitation", { "sexual_exploitation" } },
	{ "forced_labour", { "forced_labour" } },
	{ "other_forms",
	  { "other", "forced_marriage", "forced_military", "organ_removal",
	    "slavery_and_practices" } },
};

static const struct family CONTROL_FAMILIES[] = {
	{ "financial", { "debt_bondage", "takes_earnings", "restricts_financial_access" } },
	{ "violence_or_threats",
	  { "threats", "physical_abuse", "sexual_abuse", "threat_of_law_enforcement" } },
	{ "restriction",
	  { "restricts_movement", "restricts_medical_care", "withholds_necessities",
	    "withholds_documents", "excessive_working_hours" } },
	{ "psychological",
	  { "psychological_abuse", "false_promises", "psychoactive_substances", "uses_children" } },
	{ "other_or_unspecified", { "other", "not_specified" } },
};

/* The families of a ';'-separated value, in the families' order. A family's own name stands
 * for itself, so that a value already generalised stays as it is. */
static const char *families_of(arena *a, const struct family *f, size_t nf, const char *v)
{
	unsigned bits = 0;
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ";");
		for (size_t i = 0; i < nf; i++) {
			bool hit = strlen(f[i].name) == len && strncmp(f[i].name, p, len) == 0;
			for (size_t m = 0; !hit && m < ARRAY_LEN(f[i].members) && f[i].members[m];
			     m++)
				hit = strlen(f[i].members[m]) == len &&
				      strncmp(f[i].members[m], p, len) == 0;
			if (hit)
				bits |= 1u << i;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	if (!bits)
		return "*"; /* nothing the hierarchy knows */
	char out[256];
	size_t n = 0;
	for (size_t i = 0; i < nf; i++)
		if (bits & (1u << i))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? ";" : "",
					      f[i].name);
	return arena_strdup(a, out);
}

/* ---- the hierarchy ---- */

static const char *year_at(arena *a, int level, const char *v)
{
	char *end;
	long y = strtol(v, &end, 10);
	if (end == v || y < 0)
		return "*";
	long start = level == 1 ? y - y % 2 : y - y % 10, len = level == 1 ? 2 : 10;
	return arena_printf(a, "%ld-%ld", start, start + len - 1);
}

static const char *age_at(const char *v)
{
	if (strcmp(v, "0--8") == 0 || strcmp(v, "9--17") == 0 || strcmp(v, "0--17") == 0)
		return "0--17";
	if (strncmp(v, "18", 2) == 0 || strncmp(v, "2", 1) == 0)
		return "18--29";
	return "30+";
}

const char *kanon_generalise(arena *a, int col, int level, const char *v)
{
	if (level >= TOP[col] || strcmp(v, "*") == 0)
		return "*";
	if (level <= 0 || strcmp(v, "missing") == 0 || strcmp(v, "none") == 0)
		return v;
	switch (col) {
	case C_YEAR: return year_at(a, level, v);
	case C_AGE: return age_at(v);
	case C_CITIZENSHIP:
	case C_COUNTRY: return country_at(level, v);
	case C_EXPLOITATION:
		return families_of(a, EXPLOITATION_FAMILIES, ARRAY_LEN(EXPLOITATION_FAMILIES), v);
	case C_CONTROL: return families_of(a, CONTROL_FAMILIES, ARRAY_LEN(CONTROL_FAMILIES), v);
	default: return "*";
	}
}
