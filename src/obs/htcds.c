/* Files whose columns are named by the Human Trafficking Case Data Standard (HTCDS v2.0,
 * IOM): what case-management systems built on it export, one row per person.
 *
 * The observatory reads the fields it has variables for and ignores the other HTCDS fields.
 * Fields that identify a person (names, contacts, addresses, identity numbers, case workers,
 * free-text details) are refused: the file is rejected with the columns to remove, so that
 * they never reach the observatory. prs_Birthdate is read only to compute the age at
 * registration and is not kept. HTCDS has no field for the year of registration or an age
 * band: when a file has no dates, the CTDC columns yearOfRegistration and ageBroad are read
 * (the observatory's own HTCDS export writes them). */
#include <ctype.h>
#include <strings.h>

#include "base/utf8.h"
#include "export/export.h"
#include "i18n/i18n.h"
#include "obs/import.h"
#include "obs/release.h"

enum kind {
	K_DATE,        /* cas_IncomingReferralDate: the year of registration, the age's date */
	K_BIRTH,       /* prs_Birthdate: the age at registration, not kept */
	K_AGE,         /* vic_AgeWhenTrafficked */
	K_YEAR,        /* yearOfRegistration (CTDC) */
	K_AGEBAND,     /* ageBroad (CTDC) */
	K_GENDER,      /* prs_Gender */
	K_CITIZENSHIP, /* prs_Citizenship (the first, when several) */
	K_COUNTRY,     /* vic_LocationOfExploitation */
	K_MULTI,       /* a multiselect picklist into the flags of a target */
	K_INDUSTRY,    /* vic_ForcedLabourIndustry (ISIC sections) */
	K_RELATION,    /* vic_RelationshipToTrafficker */
	K_STATUS,      /* vic_TraffickingStatus */
	K_IDENTIFIER,  /* refused */
};

static const struct field {
	const char *name;
	enum kind kind;
	enum target target;
} FIELDS[] = {
	{ "cas_IncomingReferralDate", K_DATE, T_YEAR },
	{ "prs_Birthdate", K_BIRTH, T_AGE },
	{ "vic_AgeWhenTrafficked", K_AGE, T_AGE },
	{ "yearOfRegistration", K_YEAR, T_YEAR },
	{ "ageBroad", K_AGEBAND, T_AGE },
	{ "prs_Gender", K_GENDER, T_GENDER },
	{ "prs_Citizenship", K_CITIZENSHIP, T_CITIZENSHIP },
	{ "vic_LocationOfExploitation", K_COUNTRY, T_COUNTRY },
	{ "vic_TypeOfExploitation", K_MULTI, T_EXPLOITATION },
	{ "vic_MethodsOfControl", K_MULTI, T_CONTROL },
	{ "vic_TypeOfSexExploitation", K_MULTI, T_SEXUAL },
	{ "vic_ForcedLabourIndustry", K_INDUSTRY, T_LABOUR },
	{ "vic_RelationshipToTrafficker", K_RELATION, T_RECRUITER },
	{ "vic_TraffickingStatus", K_STATUS, T_STATUS },
	{ "prs_Salutation", K_IDENTIFIER, T_IGNORE },
	{ "prs_FirstName", K_IDENTIFIER, T_IGNORE },
	{ "prs_MiddleName", K_IDENTIFIER, T_IGNORE },
	{ "prs_SecondName", K_IDENTIFIER, T_IGNORE },
	{ "prs_Title", K_IDENTIFIER, T_IGNORE },
	{ "prs_Email", K_IDENTIFIER, T_IGNORE },
	{ "prs_HomePhone", K_IDENTIFIER, T_IGNORE },
	{ "prs_MobilePhone", K_IDENTIFIER, T_IGNORE },
	{ "prs_IdentityNumber", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingStreet", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingCity", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingState", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingPostalCode", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingLongitude", K_IDENTIFIER, T_IGNORE },
	{ "prs_MailingLatitude", K_IDENTIFIER, T_IGNORE },
	{ "cas_CaseOwner", K_IDENTIFIER, T_IGNORE },
	{ "cas_ReferringPrimaryCaseWorker", K_IDENTIFIER, T_IGNORE },
	{ "cas_ReferredPrimaryCaseWorker", K_IDENTIFIER, T_IGNORE },
	{ "cas_IncomingReferralDetails", K_IDENTIFIER, T_IGNORE },
	{ "cas_OutgoingReferralDetails", K_IDENTIFIER, T_IGNORE },
	{ "vic_DetailsOfVulnerabilities", K_IDENTIFIER, T_IGNORE },
	{ "vic_LocationOfRecruitment", K_IDENTIFIER, T_IGNORE },
	{ "cco_CaseComment", K_IDENTIFIER, T_IGNORE },
	{ "per_RoleDetails", K_IDENTIFIER, T_IGNORE },
};

/* HTCDS picklist values and the observatory's codes. */
static const char *const GENDER[][2] = {
	{ "Feminine", "female" },
	{ "Masculine", "male" },
	{ "TransgenderFeminine", "transgender_nonconforming" },
	{ "TransgenderMasculine", "transgender_nonconforming" },
	{ "NonConforming", "transgender_nonconforming" },
	{ "NonSpecifiedUnknown", "" },
};
static const char *const EXPLOITATION[][2] = {
	{ "ForcedLabour", "forced_labour" },
	{ "SexualExploitation", "sexual_exploitation" },
	{ "ChildLabour", "forced_labour" },
	{ "ForcedMarriage", "forced_marriage" },
	{ "Servitude", "slavery_and_practices" },
	{ "ForcedMilitaryByNonStateActors", "forced_military" },
	{ "OrganRemoval", "organ_removal" },
	{ "ForcedBegging", "forced_labour" },
	{ "ForcedAdoption", "other" },
	{ "Surrogacy", "other" },
	{ "Other", "other" },
};
static const char *const CONTROL[][2] = {
	{ "PhysicalThreats", "threats" },
	{ "ThreatsLawEnforcement", "threat_of_law_enforcement" },
	{ "ThreatensChildrenFamily", "threats" },
	{ "DebtBondage", "debt_bondage" },
	{ "FalsePromises", "false_promises" },
	{ "PhysicalAbuse", "physical_abuse" },
	{ "SexualAbuse", "sexual_abuse" },
	{ "TakesEarnings", "takes_earnings" },
	{ "RestrictsFinancialAccess", "restricts_financial_access" },
	{ "RestrictsMedicalCare", "restricts_medical_care" },
	{ "WithholdsNecessities", "withholds_necessities" },
	{ "PsychologicalAbuse", "psychological_abuse" },
	{ "PsychoactiveSubstance", "psychoactive_substances" },
	{ "ExcessiveWorkingHours", "excessive_working_hours" },
	{ "WithholdsDocuments", "withholds_documents" },
	{ "Other", "other" },
};
static const char *const SEX[][2] = {
	{ "Prostitution", "prostitution" },
	{ "Pornography", "pornography" },
	{ "RemoteInteractiveServices", "remote_interactive_services" },
	{ "PrivateSexualServices", "private_sexual_services" },
};
/* ISIC sections (the letter before '_') and CTDC's labour sectors. */
static const char *const INDUSTRY[][2] = {
	{ "A", "agriculture" },  { "B", "mining_or_drilling" }, { "C", "manufacturing" },
	{ "F", "construction" }, { "G", "peddling" },           { "H", "transportation" },
	{ "I", "hospitality" },  { "T", "domestic_work" },
};
static const char *const RELATION[][2] = {
	{ "Familial", "family" },
	{ "Acquainted", "friend" },
	{ "Unaquainted", "other" }, /* sic: the standard's spelling */
	{ "Unacquainted", "other" },
};
static const char *const STATUS[][2] = {
	{ "PossibleVictimOfTrafficking", "presumed" },
	{ "ActualVictimOfTrafficking", "confirmed" },
	{ "NotAVictimOfTrafficking", "not_confirmed" },
};

static const char *lookup(const char *const (*table)[2], size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(table[i][0], v) == 0)
			return table[i][1];
	return NULL;
}

/* An HTCDS system name: a known prefix and a name of letters. */
static bool htcds_name(const char *s)
{
	static const char *const PREFIXES[] = { "org_", "prs_", "vic_", "per_", "cas_",
						"cco_", "hte_", "spl_", "con_" };
	for (size_t i = 0; i < ARRAY_LEN(PREFIXES); i++)
		if (strncmp(s, PREFIXES[i], 4) == 0) {
			for (const char *p = s + 4; *p; p++)
				if (!isalnum((unsigned char)*p))
					return false;
			return s[4] != '\0';
		}
	return false;
}

bool htcds_header(const csv_record *h, int *map, obs_import_result *r)
{
	bool ok = true, used = false, seen[ARRAY_LEN(FIELDS)] = { false };
	for (size_t i = 0; i < h->n; i++) {
		char buffer[128];
		const char *name = import_trim(h->fields[i], buffer, sizeof(buffer));
		map[i] = -1;
		for (size_t f = 0; f < ARRAY_LEN(FIELDS); f++)
			if (strcasecmp(FIELDS[f].name, name) == 0)
				map[i] = (int)f;
		if (map[i] < 0) {
			if (!htcds_name(name)) {
				import_problem(r, 1, h->fields[i], N_("not a field of the HTCDS"));
				ok = false;
			}
			continue; /* an HTCDS field the observatory does not read */
		}
		if (seen[map[i]]) {
			import_problem(r, 1, h->fields[i], N_("this column appears twice"));
			ok = false;
		}
		seen[map[i]] = true;
		if (FIELDS[map[i]].kind == K_IDENTIFIER) {
			import_problem(r, 1, h->fields[i],
				       N_("this field identifies a person: remove the column, the "
					  "observatory never receives names, contacts or details"));
			ok = false;
		}
		used = true;
	}
	if (ok && !used) {
		import_problem(r, 1, "",
			       N_("none of the fields the observatory reads is in this file"));
		ok = false;
	}
	return ok;
}

/* "YYYY-MM-DD" (a time may follow) or "DD/MM/YYYY". */
static bool date_of(const char *v, int *y, int *m, int *d)
{
	char tail;
	if (sscanf(v, "%4d-%2d-%2d%c", y, m, d, &tail) >= 3 && v[4] == '-') {
		if (strlen(v) > 10 && v[10] != 'T' && v[10] != ' ')
			return false;
	} else if (sscanf(v, "%2d/%2d/%4d%c", d, m, y, &tail) != 3) {
		return false;
	}
	static const int DAYS[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= DAYS[*m - 1];
}

static const char *band_of(long age)
{
	static const int UPPER[] = { 8, 17, 20, 23, 26, 29, 38, 47 };
	for (size_t i = 0; i < ARRAY_LEN(UPPER); i++)
		if (age <= UPPER[i])
			return AGES[i];
	return AGES[NAGES - 1];
}

/* A multiselect cell: values separated by ';' (or ','), each mapped into the flags. */
static bool multi(const char *v, const struct field *f, struct record *x, const char *column,
		  obs_import_result *r)
{
	const char *const(*table)[2] = f->target == T_EXPLOITATION ? EXPLOITATION
				       : f->target == T_CONTROL    ? CONTROL
								   : SEX;
	size_t n = f->target == T_EXPLOITATION ? ARRAY_LEN(EXPLOITATION)
		   : f->target == T_CONTROL    ? ARRAY_LEN(CONTROL)
					       : ARRAY_LEN(SEX);
	char copy[256], *save;
	snprintf(copy, sizeof(copy), "%s", v);
	for (char *t = strtok_r(copy, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
		while (*t == ' ')
			t++;
		size_t len = strlen(t);
		while (len && t[len - 1] == ' ')
			t[--len] = '\0';
		const char *code = lookup(table, n, t);
		int flag = code ? ctdc_flag(f->target, code) : -1;
		if (flag < 0) {
			import_problem(r, x->line, column, N_("not a value of this field's list"));
			return false;
		}
		x->multi[f->target] |= 1ull << flag;
	}
	x->known[f->target] = true;
	return true;
}

static bool single(store *db, arena *a, const struct field *f, const char *v, struct record *x,
		   const char *column, obs_import_result *r)
{
	const char *code = NULL;
	switch (f->kind) {
	case K_GENDER: code = lookup(GENDER, ARRAY_LEN(GENDER), v); break;
	case K_RELATION: {
		code = lookup(RELATION, ARRAY_LEN(RELATION), v);
		int flag = code ? ctdc_flag(T_RECRUITER, code) : -1;
		if (flag >= 0)
			x->multi[T_RECRUITER] |= 1ull << flag;
		break;
	}
	case K_STATUS: code = lookup(STATUS, ARRAY_LEN(STATUS), v); break;
	case K_INDUSTRY: {
		char section[2] = { v[0], '\0' };
		code = v[1] == '_' ? lookup(INDUSTRY, ARRAY_LEN(INDUSTRY), section) : NULL;
		if (!code && v[1] == '_' && v[0] >= 'A' && v[0] <= 'U')
			code = "other";
		int flag = code ? ctdc_flag(T_LABOUR, code) : -1;
		if (flag >= 0)
			x->multi[T_LABOUR] |= 1ull << flag;
		break;
	}
	case K_CITIZENSHIP:
	case K_COUNTRY: {
		char cc[3] = { 0 };
		if (strlen(v) == 2 || (strlen(v) > 2 && (v[2] == ';' || v[2] == ','))) {
			cc[0] = (char)toupper((unsigned char)v[0]);
			cc[1] = (char)toupper((unsigned char)v[1]);
		}
		if (!cc[0] || !import_country(db, cc) || strcmp(cc, "ZZ") == 0) {
			import_problem(r, x->line, column, N_("not an ISO 3166 country code"));
			return false;
		}
		x->text[f->target] = arena_strdup(a, cc);
		return true;
	}
	default: break;
	}
	if (!code) {
		import_problem(r, x->line, column, N_("not a value of this field's list"));
		return false;
	}
	if (f->kind != K_RELATION && f->kind != K_INDUSTRY && *code)
		x->text[f->target] = code;
	return true;
}

bool htcds_row(store *db, arena *a, const csv_record *rec, const char *const *names, const int *map,
	       struct record *x, obs_import_result *r, int this_year)
{
	bool ok = true;
	int ry = 0, rm = 0, rd = 0, by = 0, bm = 0, bd = 0;
	long age = -1;
	x->text[T_SOURCE] = "case_management"; /* HTCDS is case data */
	for (size_t i = 0; i < rec->n; i++) {
		if (map[i] < 0)
			continue;
		const struct field *f = &FIELDS[map[i]];
		char buffer[256];
		const char *v = import_trim(rec->fields[i], buffer, sizeof(buffer));
		if (!utf8_valid_text(rec->fields[i], strlen(rec->fields[i]))) {
			import_problem(r, x->line, names[i],
				       N_("not valid UTF-8 text (save the file as UTF-8)"));
			ok = false;
			continue;
		}
		if (import_missing(v))
			continue;
		char *end;
		switch (f->kind) {
		case K_DATE:
		case K_BIRTH: {
			int y, m, d;
			if (!date_of(v, &y, &m, &d) || y < 1900 || y > this_year) {
				import_problem(
				    r, x->line, names[i],
				    N_("not a date (YYYY-MM-DD) from 1900 to this year"));
				ok = false;
			} else if (f->kind == K_DATE) {
				ry = y, rm = m, rd = d;
			} else {
				by = y, bm = m, bd = d;
			}
			break;
		}
		case K_YEAR: {
			long y = strtol(v, &end, 10);
			if (*end || y < 1900 || y > this_year) {
				import_problem(r, x->line, names[i],
					       N_("a year of registration must be a year from 1900 "
						  "to this year"));
				ok = false;
			} else if (!ry) {
				x->year = (int)y;
			}
			break;
		}
		case K_AGE:
			age = strtol(v, &end, 10);
			if (*end || age < 0 || age > 120) {
				import_problem(r, x->line, names[i],
					       N_("not an age from 0 to 120"));
				ok = false;
				age = -1;
			}
			break;
		case K_AGEBAND:
			for (size_t k = 0; k < NAGES; k++)
				if (strcmp(AGES[k], v) == 0)
					x->text[T_AGE] = AGES[k];
			if (!x->text[T_AGE]) {
				import_problem(
				    r, x->line, names[i],
				    N_("not an age range of the CTDC format (e.g. 9--17)"));
				ok = false;
			}
			break;
		case K_MULTI: ok &= multi(v, f, x, names[i], r); break;
		case K_IDENTIFIER: break; /* refused in the header */
		default: ok &= single(db, a, f, v, x, names[i], r); break;
		}
	}
	if (ry)
		x->year = ry;
	/* The age at registration, from the birth date; else the age when trafficked. */
	if (by && ry) {
		long years = ry - by - (rm < bm || (rm == bm && rd < bd));
		if (years < 0) {
			import_problem(r, x->line, "prs_Birthdate",
				       N_("the birth date is after the date of registration"));
			ok = false;
		} else {
			age = years;
		}
	}
	if (age >= 0)
		x->text[T_AGE] = band_of(age);
	if (x->text[T_AGE])
		x->text[T_MAJORITY] =
		    strcmp(x->text[T_AGE], "0--8") == 0 || strcmp(x->text[T_AGE], "9--17") == 0
			? "minor"
			: "adult";
	/* The sectors were informed when the exploitation types were. */
	return ok;
}

/* ---- export ---- */

/* The first HTCDS value of a table for a code, or NULL. */
static const char *value_of(const char *const (*table)[2], size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i][1], code) == 0)
			return table[i][0];
	return NULL;
}

static bool has_value(const char *list, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = list; (p = strstr(p, v)) != NULL; p += n)
		if ((p == list || p[-1] == ';') && (p[n] == ';' || p[n] == '\0'))
			return true;
	return false;
}

/* "a;b" of codes into HTCDS values joined by ';'; codes without an HTCDS value become
 * Other (once). */
static void values_of(const char *const (*table)[2], size_t n, const char *codes, char *out,
		      size_t outlen)
{
	char copy[512], *save;
	size_t len = 0;
	bool other = false;
	out[0] = '\0';
	snprintf(copy, sizeof(copy), "%s", codes);
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		const char *v = value_of(table, n, t);
		if (!v || strcmp(v, "Other") == 0) {
			if (other)
				continue;
			other = true;
			v = "Other";
		}
		if (has_value(out, v))
			continue; /* two codes with one HTCDS value */
		len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s%s",
					len ? ";" : "", v);
	}
}

struct export_ctx {
	buf *out;
};

static const char *or_empty(const char *v)
{
	return strcmp(v, "missing") == 0 || strcmp(v, "none") == 0 ? "" : v;
}

static int export_row(const char *const *v, void *ctx)
{
	struct export_ctx *c = ctx;
	char exploitation[512], control[512], sex[512];
	values_of(EXPLOITATION, ARRAY_LEN(EXPLOITATION), or_empty(v[8]), exploitation,
		  sizeof(exploitation));
	values_of(CONTROL, ARRAY_LEN(CONTROL), or_empty(v[9]), control, sizeof(control));
	values_of(SEX, ARRAY_LEN(SEX), or_empty(v[11]), sex, sizeof(sex));
	/* One labour sector and one relation: HTCDS has single picklists for them. */
	char first_sector[64] = "", first_relation[64] = "";
	sscanf(or_empty(v[10]), "%63[^;]", first_sector);
	sscanf(or_empty(v[12]), "%63[^;]", first_relation);
	const char *industry = value_of(INDUSTRY, ARRAY_LEN(INDUSTRY), first_sector);
	static const char *const ISIC[][2] = {
		{ "A", "A_AgricultureForestryAndFishing" },
		{ "B", "B_MiningAndQuarrying" },
		{ "C", "C_Manufacturing" },
		{ "F", "F_Construction" },
		{ "G", "G_WholesaleAndRetailTradeRepairOfMotorVehicles" },
		{ "H", "H_TransportationAndStorage" },
		{ "I", "I_AccommodationAndFoodServiceActivities" },
		{ "T", "T_ActivitiesOfHouseholdsAsEmployers" },
	};
	const char *gender = value_of(GENDER, ARRAY_LEN(GENDER), v[1]);
	const char *relation = value_of(RELATION, ARRAY_LEN(RELATION), first_relation);
	const char *status = value_of(STATUS, ARRAY_LEN(STATUS), v[7]);
	const char *cells[] = {
		or_empty(v[0]),
		or_empty(v[2]),
		gender ? gender : "",
		or_empty(v[4]),
		or_empty(v[5]),
		exploitation,
		control,
		sex,
		industry ? lookup(ISIC, ARRAY_LEN(ISIC), industry) : "",
		relation ? relation : "",
		status ? status : "",
	};
	return export_csv_row(c->out, cells, ARRAY_LEN(cells));
}

int obs_export_htcds(const keyed_store *env, int64_t provider, buf *out)
{
	static const char *const head[] = {
		"yearOfRegistration",
		"ageBroad",
		"prs_Gender",
		"prs_Citizenship",
		"vic_LocationOfExploitation",
		"vic_TypeOfExploitation",
		"vic_MethodsOfControl",
		"vic_TypeOfSexExploitation",
		"vic_ForcedLabourIndustry",
		"vic_RelationshipToTrafficker",
		"vic_TraffickingStatus",
	};
	int rc = export_csv_row(out, head, ARRAY_LEN(head));
	struct export_ctx c = { out };
	return rc ? rc : release_records(env->db, provider, export_row, &c);
}
