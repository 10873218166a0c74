#include "app/demo.h"
#include "cases/cases.h"
#include "referral/referral.h"

static const organisation DEMO_ORGS[] = {
	{ 0, "PT-OTSH", "Observatory on Trafficking (demo)", "PT", "CentralGovernmentOrganisation",
	  0, true },
	{ 0, "PT-NGO-LX", "Safe Bridge Association, Lisbon (demo)", "PT", "NGO", 0, false },
	{ 0, "PT-POL", "Criminal Police, Anti-Trafficking Unit (demo)", "PT", "LawEnforcement", 0,
	  false },
	{ 0, "PT-PROS", "Public Prosecution Service (demo)", "PT", "LegalService", 0, false },
	{ 0, "PT-SHELTER", "Casa Porto shelter for survivors (demo)", "PT", "NGO", 0, false },
	{ 0, "ECOWAS-DEMO", "Regional Anti-Trafficking Unit (demo)", "NG", "RegionalBody", 0,
	  false },
};

static const struct {
	const char *email, *name, *org, *role, *language;
} DEMO_USERS[] = {
	{ "focal.point@demo.ponte.example", "Ana Focal (demo)", "PT-OTSH", "national_focal_point",
	  "pt" },
	{ "case.worker@demo.ponte.example", "Bruno Caseworker (demo)", "PT-NGO-LX", "case_worker",
	  "pt" },
	{ "supervisor@demo.ponte.example", "Carla Supervisor (demo)", "PT-NGO-LX", "supervisor",
	  "pt" },
	{ "police@demo.ponte.example", "Diogo Investigator (demo)", "PT-POL", "police_investigator",
	  "pt" },
	{ "prosecutor@demo.ponte.example", "Eva Prosecutor (demo)", "PT-PROS", "prosecutor", "pt" },
	{ "analyst@demo.ponte.example", "Fatou Analyst (demo)", "PT-OTSH", "observatory_analyst",
	  "fr" },
	{ "provider@demo.ponte.example", "Gil Provider (demo)", "PT-NGO-LX", "data_provider",
	  "pt" },
	{ "auditor@demo.ponte.example", "Helena Auditor (demo)", "PT-OTSH", "auditor", "en" },
	{ "regional@demo.ponte.example", "Ibrahim Regional (demo)", "ECOWAS-DEMO",
	  "regional_analyst", "fr" },
	{ "reviewer@demo.ponte.example", "Joana Reviewer (demo)", "PT-OTSH", "knowledge_reviewer",
	  "pt" },
	{ "shelter@demo.ponte.example", "Marta Shelter (demo)", "PT-SHELTER", "supervisor", "pt" },
};

/* The services the Lisbon demo refers to. */
static const service_input DEMO_SERVICES[] = {
	{ .organisation = "PT-SHELTER",
	  .type = "shelter",
	  .name = "Casa Porto shelter (demo)",
	  .sexes = "Feminine,TransgenderFeminine",
	  .languages = "pt,en,fr",
	  .area = "Porto",
	  .opening_hours = "24/7",
	  .phone = "+351 220 000 000",
	  .min_age = 18,
	  .max_age = -1,
	  .capacity = 12,
	  .capacity_free = 3 },
	{ .organisation = "PT-SHELTER",
	  .type = "psychosocial",
	  .name = "Trauma counselling, Porto (demo)",
	  .languages = "pt,en",
	  .area = "Porto",
	  .opening_hours = "Mon-Fri 9-18",
	  .min_age = -1,
	  .max_age = -1,
	  .capacity = -1,
	  .capacity_free = -1 },
	{ .organisation = "PT-NGO-LX",
	  .type = "legal_aid",
	  .name = "Legal aid, Lisbon (demo)",
	  .languages = "pt,en,fr,ff",
	  .area = "Lisbon",
	  .opening_hours = "Mon-Fri 9-17",
	  .min_age = -1,
	  .max_age = -1,
	  .capacity = -1,
	  .capacity_free = -1 },
};

/* A few synthetic cases for the Lisbon NGO's case worker, across phases and statuses. */
static const case_input DEMO_CASES[] = {
	{ .first_name = "Aminata",
	  .second_name = "Traoré (demo)",
	  .gender = "Feminine",
	  .birthdate = "2006-04-12",
	  .citizenship = "ML",
	  .primary_language = "bm",
	  .exploitation = "ForcedBegging",
	  .phase = "identification" },
	{ .first_name = "Ibrahim",
	  .second_name = "Sow (demo)",
	  .gender = "Masculine",
	  .estimated_age = "16",
	  .citizenship = "SN",
	  .primary_language = "wo",
	  .exploitation = "ForcedLabour",
	  .phase = "protection" },
	{ .first_name = "Grace",
	  .second_name = "Okafor (demo)",
	  .gender = "Feminine",
	  .birthdate = "1998-09-30",
	  .citizenship = "NG",
	  .primary_language = "en",
	  .exploitation = "SexualExploitation",
	  .trafficking_status = "ActualVictimOfTrafficking",
	  .phase = "assistance" },
	{ .first_name = "Moussa",
	  .second_name = "Issoufou (demo)",
	  .gender = "Masculine",
	  .birthdate = "1990-01-20",
	  .citizenship = "NE",
	  .primary_language = "ha",
	  .exploitation = "ForcedLabour,ForcedCriminality",
	  .phase = "return",
	  .status = "FollowUp" },
	{ .first_name = "Fatoumata",
	  .second_name = "Diallo (demo)",
	  .gender = "Feminine",
	  .estimated_age = "25",
	  .citizenship = "GN",
	  .primary_language = "ff",
	  .exploitation = "Servitude",
	  .phase = "proceedings" },
	{ .first_name = "Ana",
	  .second_name = "Mendes (demo)",
	  .gender = "Feminine",
	  .birthdate = "1985-06-02",
	  .citizenship = "CV",
	  .primary_language = "pt",
	  .exploitation = "ForcedLabour",
	  .trafficking_status = "NotAVictimOfTrafficking" },
};
/* The last one is closed, as every case closes: the case worker asks, the supervisor
 * approves. */
#define DEMO_CLOSED_REASON "Not a victim of trafficking"

static int demo_cases(const keyed_store *env)
{
	int64_t id;
	principal p, sup;
	int rc = user_find_by_email(env, "case.worker@demo.ponte.example", &id);
	if (!rc)
		rc = principal_load(env->db, id, &p);
	if (!rc)
		rc = user_find_by_email(env, "supervisor@demo.ponte.example", &id);
	if (!rc)
		rc = principal_load(env->db, id, &sup);
	for (size_t i = 0; !rc && i < ARRAY_LEN(DEMO_CASES); i++) {
		field_errors e;
		int64_t case_id, request;
		rc = case_create(env, &p, &DEMO_CASES[i], &case_id, &e);
		if (!rc && i + 1 == ARRAY_LEN(DEMO_CASES) &&
		    !(rc = closure_request(env, &p, case_id, "Closed", DEMO_CLOSED_REASON, &request,
					   &e)))
			rc = closure_decide(env, &sup, request, true);
	}
	return rc;
}

/* Each organisation's supervisor records its services. */
static int demo_services(const keyed_store *env)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < ARRAY_LEN(DEMO_SERVICES); i++) {
		const char *email = strcmp(DEMO_SERVICES[i].organisation, "PT-SHELTER") == 0
					? "shelter@demo.ponte.example"
					: "supervisor@demo.ponte.example";
		int64_t id;
		principal p;
		field_errors e;
		if (!(rc = user_find_by_email(env, email, &id)) &&
		    !(rc = principal_load(env->db, id, &p)))
			rc = service_add(env, &p, &DEMO_SERVICES[i], &id, &e);
	}
	return rc;
}

int demo_fill(const keyed_store *env)
{
	for (size_t i = 0; i < ARRAY_LEN(DEMO_ORGS); i++) {
		int rc = org_add(env->db, &DEMO_ORGS[i], NULL);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(DEMO_USERS); i++) {
		user_input in = { .email = DEMO_USERS[i].email,
				  .name = DEMO_USERS[i].name,
				  .organisation_code = DEMO_USERS[i].org,
				  .roles = { DEMO_USERS[i].role },
				  .nroles = 1,
				  .password = DEMO_PASSWORD,
				  .language = DEMO_USERS[i].language };
		int problem;
		int rc = user_add(env, &in, NULL, &problem);
		if (rc)
			return rc;
	}
	int rc = demo_cases(env);
	return rc ? rc : demo_services(env);
}
