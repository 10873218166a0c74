/* Vocabularies and validation of the case file (HTCDS codes). */
#include <ctype.h>
#include <time.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "cases/cases.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"

static const case_code STATUS[] = {
	{ "Active", N_("Active") },
	{ "FollowUp", N_("Follow-up") },
	{ "Closed", N_("Closed") },
	{ "ClosedReferred", N_("Closed (referred)") },
};
VOCABULARY(status, "case.status", STATUS);
static const case_code PHASE[] = {
	{ "identification", N_("Identification") },
	{ "protection", N_("First assistance and protection") },
	{ "assistance", N_("Long-term assistance and social inclusion") },
	{ "return", N_("Return and social inclusion") },
	{ "proceedings", N_("Criminal and civil proceedings") },
};
VOCABULARY(phase, "case.phase", PHASE);
static const case_code GENDER[] = {
	{ "Feminine", N_("Female") },
	{ "Masculine", N_("Male") },
	{ "TransgenderFeminine", N_("Transgender female") },
	{ "TransgenderMasculine", N_("Transgender male") },
	{ "NonConforming", N_("Gender non-conforming") },
	{ "NonSpecifiedUnknown", N_("Not specified or unknown") },
};
VOCABULARY(gender, "case.gender", GENDER);
static const case_code STATUS_DECISION[] = {
	{ "PossibleVictimOfTrafficking", N_("Presumed victim") },
	{ "ActualVictimOfTrafficking", N_("Confirmed victim") },
	{ "NotAVictimOfTrafficking", N_("Not a victim") },
};
VOCABULARY(status_decision, "case.trafficking_status", STATUS_DECISION);
/* The level of a risk assessment (safety.c), lowest first. */
static const case_code RISK[] = {
	{ "low", N_("Low") },
	{ "medium", N_("Medium") },
	{ "high", N_("High") },
};
VOCABULARY(risk, "case.risk", RISK);
/* HTCDS vic_TypeOfExploitation, plus forced criminality (a known gap of the standard). */
static const case_code EXPLOITATION[] = {
	{ "ForcedLabour", N_("Forced labour") },
	{ "SexualExploitation", N_("Sexual exploitation") },
	{ "ChildLabour", N_("Child labour") },
	{ "ForcedMarriage", N_("Forced marriage") },
	{ "Servitude", N_("Servitude") },
	{ "ForcedMilitaryByNonStateActors", N_("Forced military service by non-state actors") },
	{ "OrganRemoval", N_("Organ removal") },
	{ "ForcedBegging", N_("Forced begging") },
	{ "ForcedAdoption", N_("Forced adoption") },
	{ "ForcedCriminality", N_("Forced criminality") },
	{ "Other", N_("Other") },
};
VOCABULARY(exploitation, "case.exploitation", EXPLOITATION);

static const case_code CONTROL[] = {
	/* HTCDS vic_MethodsOfControl */
	{ "PhysicalThreats", N_("Threats of violence") },
	{ "ThreatsLawEnforcement", N_("Threats of denunciation to the authorities") },
	{ "ThreatensChildrenFamily", N_("Threats against children or family") },
	{ "DebtBondage", N_("Debt bondage") },
	{ "FalsePromises", N_("False promises") },
	{ "PhysicalAbuse", N_("Physical abuse") },
	{ "SexualAbuse", N_("Sexual abuse") },
	{ "TakesEarnings", N_("Takes the earnings") },
	{ "RestrictsFinancialAccess", N_("Restricts access to money") },
	{ "RestrictsMedicalCare", N_("Restricts medical care") },
	{ "WithholdsNecessities", N_("Withholds food, sleep or other necessities") },
	{ "PsychologicalAbuse", N_("Psychological abuse") },
	{ "PsychoactiveSubstance", N_("Drugs or alcohol") },
	{ "ExcessiveWorkingHours", N_("Excessive working hours") },
	{ "WithholdsDocuments", N_("Withholds identity documents") },
	{ "Other", N_("Other") },
};
VOCABULARY(control, "case.control", CONTROL);
static const case_code RECRUITMENT[] = {
	/* HTCDS vic_MethodOfRecruitment */
	{ "AtAPlaceOfBusiness", N_("At a place of business") },
	{ "AtAnEducationalInstitution", N_("At a school or university") },
	{ "AtWork", N_("At work") },
	{ "ThroughOnlineSocialNetworks", N_("Through online social networks") },
	{ "ThroughAnOnlineAdvertisement", N_("Through an online advertisement") },
	{ "ThroughATelevisionAdvert", N_("Through a television advert") },
	{ "ThroughANewspaperAdvert", N_("Through a newspaper advert") },
	{ "ThroughFamilyOrFamilyEvents", N_("Through family") },
	{ "ThroughFriendsOrSocialEvents", N_("Through friends") },
	{ "Other", N_("Other") },
};
VOCABULARY(recruitment, "case.recruitment", RECRUITMENT);
static const case_code RELATIONSHIP[] = {
	/* HTCDS vic_RelationshipToTrafficker */
	{ "Familial", N_("Family") },
	{ "Acquainted", N_("Known to the person") },
	{ "Unaquainted", N_("A stranger") }, /* sic: the standard's spelling */
};
VOCABULARY(relationship, "case.relationship", RELATIONSHIP);
static const case_code SECTOR[] = {
	/* HTCDS vic_ForcedLabourIndustry (ISIC sections) */
	{ "A_AgricultureForestryAndFishing", N_("Agriculture, forestry and fishing") },
	{ "B_MiningAndQuarrying", N_("Mining and quarrying") },
	{ "C_Manufacturing", N_("Manufacturing") },
	{ "F_Construction", N_("Construction") },
	{ "G_WholesaleAndRetailTradeRepairOfMotorVehicles", N_("Trade and street selling") },
	{ "H_TransportationAndStorage", N_("Transport and storage") },
	{ "I_AccommodationAndFoodServiceActivities", N_("Hotels, restaurants and food") },
	{ "Q_HumanHealthAndSocialWorkActivities", N_("Health and care work") },
	{ "R_ArtsEntertainmentAndRecreation", N_("Arts and entertainment") },
	{ "S_OtherServiceActivities", N_("Other services") },
	{ "T_ActivitiesOfHouseholdsAsEmployers", N_("Domestic work") },
};
VOCABULARY(sector, "case.labour_sector", SECTOR);

const case_code *case_codes(const char *field, size_t *n)
{
	static const struct {
		const char *field;
		const case_code *codes;
		size_t n;
	} all[] = {
		{ "status", STATUS, ARRAY_LEN(STATUS) },
		{ "phase", PHASE, ARRAY_LEN(PHASE) },
		{ "gender", GENDER, ARRAY_LEN(GENDER) },
		{ "trafficking_status", STATUS_DECISION, ARRAY_LEN(STATUS_DECISION) },
		{ "risk", RISK, ARRAY_LEN(RISK) },
		{ "exploitation", EXPLOITATION, ARRAY_LEN(EXPLOITATION) },
		{ "control", CONTROL, ARRAY_LEN(CONTROL) },
		{ "recruitment", RECRUITMENT, ARRAY_LEN(RECRUITMENT) },
		{ "relationship", RELATIONSHIP, ARRAY_LEN(RELATIONSHIP) },
		{ "labour_sector", SECTOR, ARRAY_LEN(SECTOR) },
	};
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		if (strcmp(all[i].field, field) == 0) {
			*n = all[i].n;
			return all[i].codes;
		}
	*n = 0;
	return NULL;
}

static bool in_codes(const char *field, const char *value)
{
	size_t n;
	const case_code *codes = case_codes(field, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(codes[i].code, value) == 0)
			return true;
	return false;
}

static bool text_ok(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	return utf8_valid_text(s, n) && utf8_length(s, n) <= max_chars && !strpbrk(s, "\r\n\t");
}

/* A comma-separated list of codes, each valid for field (or ISO countries). A country that
 * could not be looked up (no memory, the store failing) is not a wrong one: it is reported in
 * e->failed, and the list is not ok. */
static bool list_ok(store *db, const char *field, const char *value, field_errors *e)
{
	if (!*value)
		return true;
	char item[64];
	const char *p = value;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(item))
			return false;
		memcpy(item, p, len);
		item[len] = '\0';
		int known = field               ? in_codes(field, item)
			    : strlen(item) == 2 ? country_check(db, item)
						: 0;
		if (known < 0)
			field_errors_failed(e, known);
		if (known <= 0)
			return false;
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

bool case_date_valid(const char *s, bool *future)
{
	*future = false;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || (m == 2 && d == 29 && !leap))
		return false;
	char today[11];
	i18n_today(today);
	*future = strcmp(s, today) > 0;
	return true;
}

bool case_validate(store *db, const case_input *in, bool creating, field_errors *e)
{
	field_errors_clear(e);
	if (in->status && !in_codes("status", in->status))
		field_errors_add(e, "cas_Status", N_("Choose a status from the list."));
	if (in->phase && !in_codes("phase", in->phase))
		field_errors_add(e, "phase", N_("Choose a phase from the list."));
	if (in->gender && !in_codes("gender", in->gender))
		field_errors_add(e, "person.prs_Gender", N_("Choose a gender from the list."));
	if (in->trafficking_status && !in_codes("trafficking_status", in->trafficking_status))
		field_errors_add(e, "victim.vic_TraffickingStatus",
				 N_("Choose a status from the list."));
	if (in->exploitation && !list_ok(db, "exploitation", in->exploitation, e))
		field_errors_add(e, "victim.vic_TypeOfExploitation",
				 N_("Choose types of exploitation from the list."));
	if (in->control && !list_ok(db, "control", in->control, e))
		field_errors_add(e, "victim.vic_MethodsOfControl", N_("Choose from the list."));
	if (in->recruitment && !list_ok(db, "recruitment", in->recruitment, e))
		field_errors_add(e, "victim.vic_MethodOfRecruitment", N_("Choose from the list."));
	if (in->relationship && *in->relationship && !in_codes("relationship", in->relationship))
		field_errors_add(e, "victim.vic_RelationshipToTrafficker",
				 N_("Choose from the list."));
	if (in->labour_sector && *in->labour_sector &&
	    !in_codes("labour_sector", in->labour_sector))
		field_errors_add(e, "victim.vic_ForcedLabourIndustry", N_("Choose from the list."));
	if (in->smuggled && strcmp(in->smuggled, "") != 0 && strcmp(in->smuggled, "0") != 0 &&
	    strcmp(in->smuggled, "1") != 0)
		field_errors_add(e, "victim.smuggled_migrant", N_("Answer yes, no or not known."));
	if (in->citizenship && !list_ok(db, NULL, in->citizenship, e))
		field_errors_add(e, "person.prs_Citizenship",
				 N_("Use two-letter ISO country codes, separated by commas."));
	if (in->primary_language && *in->primary_language &&
	    (strlen(in->primary_language) < 2 || strlen(in->primary_language) > 3 ||
	     strspn(in->primary_language, "abcdefghijklmnopqrstuvwxyz") !=
		 strlen(in->primary_language)))
		field_errors_add(e, "person.prs_PrimaryLanguage",
				 N_("Use an ISO 639 language code, such as fr or hau."));
	bool future = false;
	if (in->birthdate && *in->birthdate && !case_date_valid(in->birthdate, &future))
		field_errors_add(e, "person.prs_Birthdate", N_("Enter the date as YYYY-MM-DD."));
	else if (future)
		field_errors_add(e, "person.prs_Birthdate",
				 N_("The birth date cannot be in the future."));
	if (in->estimated_age && *in->estimated_age) {
		char *end;
		long age = strtol(in->estimated_age, &end, 10);
		if (*end || age < 0 || age > 120)
			field_errors_add(e, "person.estimated_age",
					 N_("Enter an age from 0 to 120."));
	}
	const char *texts[][2] = {
		{ in->first_name, "person.prs_FirstName" },
		{ in->second_name, "person.prs_SecondName" },
		{ in->identity_number, "person.prs_IdentityNumber" },
		{ in->mobile_phone, "person.prs_MobilePhone" },
		{ in->closure_reason, "cas_ReasonForCaseClosure" },
	};
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		if (texts[i][0] && !text_ok(texts[i][0], 200))
			field_errors_add(e, texts[i][1],
					 N_("Use at most 200 characters of text, on one line."));
	/* A case is registered open: closing it takes a request that someone else approves. */
	if (creating && in->status && case_status_closed(in->status))
		field_errors_add(
		    e, "cas_Status",
		    N_("A case is registered open: once it is, ask for its closure, which "
		       "someone else approves."));
	if (creating && in->closure_reason && *in->closure_reason)
		field_errors_add(
		    e, "cas_ReasonForCaseClosure",
		    N_("The reason for closing is given when asking to close the case."));
	if (creating && (!in->first_name || !*in->first_name) &&
	    (!in->second_name || !*in->second_name))
		field_errors_add(e, "person.prs_FirstName",
				 N_("Enter a first name or a family name (a nickname will do)."));
	return e->count == 0 && !e->failed;
}
