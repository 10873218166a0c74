/* What the codes of observatory records are called, for pages and downloads. */
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "obs/obs.h"

static const vocab_term LABELS[] = {
	{ "case_management", N_("Case management") },
	{ "hotline", N_("Hotline") },
	{ "male", N_("Male") },
	{ "female", N_("Female") },
	{ "transgender_nonconforming", N_("Transgender or gender non-conforming") },
	{ "adult", N_("Adult") },
	{ "minor", N_("Child") },
	{ "forced_labour", N_("Forced labour") },
	{ "sexual_exploitation", N_("Sexual exploitation") },
	{ "forced_marriage", N_("Forced marriage") },
	{ "forced_military", N_("Forced military service") },
	{ "organ_removal", N_("Organ removal") },
	{ "slavery_and_practices", N_("Slavery and similar practices") },
	{ "other", N_("Other") },
	{ "not_specified", N_("Not specified") },
	{ "debt_bondage", N_("Debt bondage") },
	{ "takes_earnings", N_("Takes earnings") },
	{ "restricts_financial_access", N_("Restricts access to money") },
	{ "threats", N_("Threats") },
	{ "psychological_abuse", N_("Psychological abuse") },
	{ "physical_abuse", N_("Physical abuse") },
	{ "sexual_abuse", N_("Sexual abuse") },
	{ "false_promises", N_("False promises") },
	{ "psychoactive_substances", N_("Psychoactive substances") },
	{ "restricts_movement", N_("Restricts movement") },
	{ "restricts_medical_care", N_("Restricts medical care") },
	{ "excessive_working_hours", N_("Excessive working hours") },
	{ "uses_children", N_("Uses children") },
	{ "threat_of_law_enforcement", N_("Threat of law enforcement") },
	{ "withholds_necessities", N_("Withholds necessities") },
	{ "withholds_documents", N_("Withholds documents") },
	{ "presumed", N_("Presumed victim") },
	{ "pending", N_("Pending decision") },
	{ "confirmed", N_("Confirmed victim") },
	{ "not_confirmed", N_("Not confirmed") },
	{ "not_considered", N_("Not considered") },
	{ "0--8", "0–8" },
	{ "9--17", "9–17" },
	{ "18--20", "18–20" },
	{ "21--23", "21–23" },
	{ "24--26", "24–26" },
	{ "27--29", "27–29" },
	{ "30--38", "30–38" },
	{ "39--47", "39–47" },
	{ "48+", "48+" },
	{ "domestic", N_("Domestic") },
	{ "transnational", N_("Transnational") },
	{ "none", N_("None reported") },
	{ "missing", N_("Not recorded") },
};
VOCABULARY(labels, "obs.code", LABELS);

static const vocab_term DIMENSION_NAMES[] = {
	{ "year", N_("Year of registration") },
	{ "source", N_("Data source") },
	{ "gender", N_("Gender") },
	{ "age_band", N_("Age") },
	{ "majority", N_("Child or adult") },
	{ "citizenship", N_("Citizenship") },
	{ "country_of_exploitation", N_("Country of exploitation") },
	{ "exploitation", N_("Type of exploitation") },
	{ "control", N_("Means of control") },
	{ "status", N_("Victim status") },
	{ "provider", N_("Data provider") },
	{ "flow", N_("Domestic or transnational") },
};
VOCABULARY(dimension_names, "obs.dimension", DIMENSION_NAMES);

const char *obs_label(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_LEN(LABELS); i++)
		if (strcmp(LABELS[i].code, code) == 0)
			return LABELS[i].label;
	return NULL;
}

const char *obs_dimension_label(const char *dim)
{
	for (size_t i = 0; dim && i < ARRAY_LEN(DIMENSION_NAMES); i++)
		if (strcmp(DIMENSION_NAMES[i].code, dim) == 0)
			return DIMENSION_NAMES[i].label;
	return dim;
}

int obs_code_rank(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_LEN(LABELS); i++)
		if (strcmp(LABELS[i].code, code) == 0)
			return strcmp(code, "missing") == 0 ? 1 << 20 : (int)i;
	return 1 << 19;
}
