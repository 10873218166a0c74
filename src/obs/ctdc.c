/* The CTDC publication format: its 63 columns, in the order of the 2021 release. */
#include "obs/ctdc.h"

const struct column CTDC[] = {
	{ "yearOfRegistration", T_YEAR, NULL },
	{ "Datasource", T_SOURCE, NULL },
	{ "gender", T_GENDER, NULL },
	{ "ageBroad", T_AGE, NULL },
	{ "majorityStatus", T_MAJORITY, NULL },
	{ "majorityStatusAtExploit", T_IGNORE, NULL },
	{ "majorityEntry", T_IGNORE, NULL },
	{ "citizenship", T_CITIZENSHIP, NULL },
	{ "meansOfControlDebtBondage", T_CONTROL, "debt_bondage" },
	{ "meansOfControlTakesEarnings", T_CONTROL, "takes_earnings" },
	{ "meansOfControlRestrictsFinancialAccess", T_CONTROL, "restricts_financial_access" },
	{ "meansOfControlThreats", T_CONTROL, "threats" },
	{ "meansOfControlPsychologicalAbuse", T_CONTROL, "psychological_abuse" },
	{ "meansOfControlPhysicalAbuse", T_CONTROL, "physical_abuse" },
	{ "meansOfControlSexualAbuse", T_CONTROL, "sexual_abuse" },
	{ "meansOfControlFalsePromises", T_CONTROL, "false_promises" },
	{ "meansOfControlPsychoactiveSubstances", T_CONTROL, "psychoactive_substances" },
	{ "meansOfControlRestrictsMovement", T_CONTROL, "restricts_movement" },
	{ "meansOfControlRestrictsMedicalCare", T_CONTROL, "restricts_medical_care" },
	{ "meansOfControlExcessiveWorkingHours", T_CONTROL, "excessive_working_hours" },
	{ "meansOfControlUsesChildren", T_CONTROL, "uses_children" },
	{ "meansOfControlThreatOfLawEnforcement", T_CONTROL, "threat_of_law_enforcement" },
	{ "meansOfControlWithholdsNecessities", T_CONTROL, "withholds_necessities" },
	{ "meansOfControlWithholdsDocuments", T_CONTROL, "withholds_documents" },
	{ "meansOfControlOther", T_CONTROL, "other" },
	{ "meansOfControlNotSpecified", T_CONTROL, "not_specified" },
	{ "meansOfControlConcatenated", T_IGNORE, NULL },
	{ "isForcedLabour", T_EXPLOITATION, "forced_labour" },
	{ "isSexualExploit", T_EXPLOITATION, "sexual_exploitation" },
	{ "isOtherExploit", T_EXPLOITATION, "other" },
	{ "isSexAndLabour", T_IGNORE, NULL }, /* both flags above are set as well */
	{ "isForcedMarriage", T_EXPLOITATION, "forced_marriage" },
	{ "isForcedMilitary", T_EXPLOITATION, "forced_military" },
	{ "isOrganRemoval", T_EXPLOITATION, "organ_removal" },
	{ "isSlaveryAndPractices", T_EXPLOITATION, "slavery_and_practices" },
	{ "typeOfExploitConcatenated", T_IGNORE, NULL },
	{ "typeOfLabourAgriculture", T_LABOUR, "agriculture" },
	{ "typeOfLabourAquafarming", T_LABOUR, "aquafarming" },
	{ "typeOfLabourBegging", T_LABOUR, "begging" },
	{ "typeOfLabourConstruction", T_LABOUR, "construction" },
	{ "typeOfLabourDomesticWork", T_LABOUR, "domestic_work" },
	{ "typeOfLabourHospitality", T_LABOUR, "hospitality" },
	{ "typeOfLabourIllicitActivities", T_LABOUR, "illicit_activities" },
	{ "typeOfLabourManufacturing", T_LABOUR, "manufacturing" },
	{ "typeOfLabourMiningOrDrilling", T_LABOUR, "mining_or_drilling" },
	{ "typeOfLabourPeddling", T_LABOUR, "peddling" },
	{ "typeOfLabourTransportation", T_LABOUR, "transportation" },
	{ "typeOfLabourOther", T_LABOUR, "other" },
	{ "typeOfLabourNotSpecified", T_LABOUR, "not_specified" },
	{ "typeOfLabourConcatenated", T_IGNORE, NULL },
	{ "typeOfSexProstitution", T_SEXUAL, "prostitution" },
	{ "typeOfSexPornography", T_SEXUAL, "pornography" },
	{ "typeOfSexRemoteInteractiveServices", T_SEXUAL, "remote_interactive_services" },
	{ "typeOfSexPrivateSexualServices", T_SEXUAL, "private_sexual_services" },
	{ "typeOfSexConcatenated", T_IGNORE, NULL },
	{ "isAbduction", T_ABDUCTION, NULL },
	{ "RecruiterRelationship", T_IGNORE, NULL },
	{ "CountryOfExploitation", T_COUNTRY, NULL },
	{ "recruiterRelationIntimatePartner", T_RECRUITER, "intimate_partner" },
	{ "recruiterRelationFriend", T_RECRUITER, "friend" },
	{ "recruiterRelationFamily", T_RECRUITER, "family" },
	{ "recruiterRelationOther", T_RECRUITER, "other" },
	{ "recruiterRelationUnknown", T_IGNORE, NULL },
};

const char *const SOURCES[][2] = { { "Case Management", "case_management" },
				   { "Hotline", "hotline" } };
const char *const GENDERS[][2] = { { "Male", "male" },
				   { "Female", "female" },
				   { "Transgender/NonConforming", "transgender_nonconforming" } };
const char *const MAJORITY[][2] = { { "Adult", "adult" }, { "Minor", "minor" } };
const char *const AGES[] = { "0--8",   "9--17",  "18--20", "21--23", "24--26",
			     "27--29", "30--38", "39--47", "48+" };

const size_t CTDC_COLUMNS = ARRAY_LEN(CTDC);
const size_t NSOURCES = ARRAY_LEN(SOURCES);
const size_t NGENDERS = ARRAY_LEN(GENDERS);
const size_t NMAJORITY = ARRAY_LEN(MAJORITY);
const size_t NAGES = ARRAY_LEN(AGES);

int ctdc_flag(enum target t, const char *code)
{
	for (size_t i = 0; i < CTDC_COLUMNS; i++)
		if (CTDC[i].target == t && CTDC[i].code && strcmp(CTDC[i].code, code) == 0)
			return (int)i;
	return -1;
}
