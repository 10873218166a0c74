/* Synthetic records in the CTDC format, for the demonstration and the benchmarks: plausible
 * shares (more women in sexual exploitation, more men in forced labour, a rising trend,
 * West African citizens exploited in Europe and at home), drawn from a seeded generator so
 * that the same seed gives the same file. Nobody is described: every value is drawn. */
#include "obs/ctdc.h"

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r) /* splitmix64 */
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

static bool chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

/* A value from a list whose weights are given as repeated entries' counts. */
struct weighted {
	const char *value;
	unsigned weight;
};

static const char *pick(struct rng *r, const struct weighted *w, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i].weight;
	unsigned x = below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i].weight)
			return w[i].value;
		x -= w[i].weight;
	}
	return w[n - 1].value;
}

static const struct weighted EXPLOITED_IN[] = {
	{ "PT", 14 }, { "ES", 16 }, { "FR", 10 }, { "IT", 12 }, { "BE", 4 },
	{ "DE", 5 },  { "NE", 8 },  { "SN", 7 },  { "ML", 6 },  { "NG", 9 },
	{ "GH", 4 },  { "CI", 3 },  { "MA", 2 },  { "BF", 1 },  { "CV", 1 },
};
static const struct weighted CITIZENS_OF[] = {
	{ "NG", 22 }, { "NE", 8 }, { "SN", 8 }, { "ML", 7 }, { "GN", 6 }, { "CI", 6 },
	{ "GH", 5 },  { "BF", 4 }, { "MA", 4 }, { "RO", 6 }, { "BR", 6 }, { "PT", 3 },
	{ "CM", 3 },  { "SL", 2 }, { "GM", 2 }, { "CV", 1 }, { "TG", 1 },
};
static const struct weighted GENDER_OF[] = {
	{ "Female", 58 }, { "Male", 39 }, { "Transgender/NonConforming", 1 }, { "", 2 }
};
static const struct weighted AGE_OF[] = {
	{ "0--8", 3 },    { "9--17", 17 },  { "18--20", 12 }, { "21--23", 12 }, { "24--26", 11 },
	{ "27--29", 10 }, { "30--38", 17 }, { "39--47", 8 },  { "48+", 4 },     { "", 6 },
};

/* One record: which flags are set, and the single values. */
struct row {
	const char *year, *source, *gender, *age, *majority, *citizenship, *country;
	bool sexual, labour, marriage, other;
	const char *abduction;
};

static void draw(struct rng *r, struct row *w, char *year, size_t yearlen)
{
	/* More records each year: 2016 has about half of 2025's. */
	unsigned y;
	do
		y = below(r, 10);
	while (below(r, 20) > 10 + y);
	snprintf(year, yearlen, "%u", 2016 + y);
	w->year = year;
	w->source = chance(r, 80) ? "Case Management" : "Hotline";
	w->age = pick(r, AGE_OF, ARRAY_LEN(AGE_OF));
	w->majority = !*w->age ? (chance(r, 50) ? "" : "Adult")
		      : (strcmp(w->age, "0--8") == 0 || strcmp(w->age, "9--17") == 0) ? "Minor"
										      : "Adult";
	w->citizenship = pick(r, CITIZENS_OF, ARRAY_LEN(CITIZENS_OF));
	/* Half the West African citizens are exploited at home or nearby. */
	w->country =
	    chance(r, 30) ? w->citizenship : pick(r, EXPLOITED_IN, ARRAY_LEN(EXPLOITED_IN));
	w->gender = pick(r, GENDER_OF, ARRAY_LEN(GENDER_OF));
	bool woman = strcmp(w->gender, "Female") == 0;
	w->sexual = chance(r, woman ? 62 : 12);
	w->labour = !w->sexual || chance(r, 10) ? chance(r, woman ? 70 : 92) : false;
	w->marriage = woman && chance(r, 4);
	w->other = !w->sexual && !w->labour && !w->marriage;
	w->abduction = chance(r, 10) ? "" : chance(r, 6) ? "1" : "0";
}

/* The flag of a column for this record: "1", "0" or "" (not informed). */
static const char *flag(struct rng *r, const struct row *w, const struct column *c)
{
	switch (c->target) {
	case T_EXPLOITATION:
		if (strcmp(c->code, "sexual_exploitation") == 0)
			return w->sexual ? "1" : "0";
		if (strcmp(c->code, "forced_labour") == 0)
			return w->labour ? "1" : "0";
		if (strcmp(c->code, "forced_marriage") == 0)
			return w->marriage ? "1" : "0";
		if (strcmp(c->code, "other") == 0)
			return w->other ? "1" : "0";
		return "0";
	case T_CONTROL: return chance(r, 25) ? "1" : "0";
	case T_LABOUR: return w->labour ? (chance(r, 18) ? "1" : "0") : "";
	case T_SEXUAL: return w->sexual ? (chance(r, 40) ? "1" : "0") : "";
	case T_RECRUITER: return chance(r, 25) ? "1" : "0";
	default: return "";
	}
}

static const char *single(const struct row *w, enum target t)
{
	switch (t) {
	case T_YEAR: return w->year;
	case T_SOURCE: return w->source;
	case T_GENDER: return w->gender;
	case T_AGE: return w->age;
	case T_MAJORITY: return w->majority;
	case T_CITIZENSHIP: return w->citizenship;
	case T_COUNTRY: return w->country;
	case T_ABDUCTION: return w->abduction;
	default: return "";
	}
}

int obs_synthetic_ctdc(buf *out, size_t n, uint64_t seed)
{
	int rc = 0;
	for (size_t c = 0; c < CTDC_COLUMNS && !rc; c++)
		rc = buf_printf(out, "%s%s", c ? "," : "", CTDC[c].name);
	if (!rc)
		rc = buf_puts(out, "\r\n");
	struct rng r = { seed };
	char year[8];
	/* A quarter of the records leave means of control not informed, like real files. */
	for (size_t i = 0; i < n && !rc; i++) {
		struct row w;
		draw(&r, &w, year, sizeof(year));
		bool control_known = chance(&r, 75);
		for (size_t c = 0; c < CTDC_COLUMNS && !rc; c++) {
			const struct column *col = &CTDC[c];
			const char *v = col->code ? flag(&r, &w, col) : single(&w, col->target);
			if (col->target == T_CONTROL && !control_known)
				v = "";
			rc = buf_printf(out, "%s%s", c ? "," : "", v);
		}
		if (!rc)
			rc = buf_puts(out, "\r\n");
	}
	return rc;
}
