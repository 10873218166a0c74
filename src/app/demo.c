#include "app/demo.h"

static const organisation DEMO_ORGS[] = {
	{ 0, "PT-OTSH", "Observatory on Trafficking (demo)", "PT", "CentralGovernmentOrganisation",
	  0, true },
	{ 0, "PT-NGO-LX", "Safe Bridge Association, Lisbon (demo)", "PT", "NGO", 0, false },
	{ 0, "PT-POL", "Criminal Police, Anti-Trafficking Unit (demo)", "PT", "LawEnforcement", 0,
	  false },
	{ 0, "PT-PROS", "Public Prosecution Service (demo)", "PT", "LegalService", 0, false },
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
};

int demo_fill(const identity_env *env)
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
	return 0;
}
