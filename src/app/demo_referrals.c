/* Services of each demonstration country, and referrals of the first cases to its shelter in
 * every state of the machine, made through the same calls as the pages. */
#include "app/demo.h"
#include "referral/referral.h"

static int load(const keyed_store *env, const char *email, principal *p)
{
	int64_t id;
	int rc = user_find_by_email(env, email, &id);
	return rc ? rc : principal_load(env->db, id, p);
}

static int add(const keyed_store *env, const char *email, const service_input *in)
{
	principal p;
	int64_t id;
	field_errors e;
	int rc = load(env, email, &p);
	return rc ? rc : service_add(env, &p, in, &id, &e);
}

int demo_country_services(const keyed_store *env, const char *cc, unsigned seed)
{
	char shelter[96], ngo[96], org_shelter[16], org_ngo[16];
	char lower[3] = { (char)(cc[0] + 32), (char)(cc[1] + 32), 0 };
	snprintf(shelter, sizeof(shelter), "shelter.supervisor.%s@demo.ponte.example", lower);
	snprintf(ngo, sizeof(ngo), "supervisor.%s@demo.ponte.example", lower);
	snprintf(org_shelter, sizeof(org_shelter), "%s-SHELTER", cc);
	snprintf(org_ngo, sizeof(org_ngo), "%s-NGO", cc);
	int capacity = 8 + (int)(seed % 8), free_places = (int)(seed % 4);
	const service_input services[] = {
		{ .organisation = org_shelter,
		  .type = "shelter",
		  .name = "Shelter (demo)",
		  .sexes = "Feminine,TransgenderFeminine",
		  .languages = "fr,en,pt",
		  .opening_hours = "24/7",
		  .min_age = 18,
		  .max_age = -1,
		  .capacity = capacity,
		  .capacity_free = free_places },
		{ .organisation = org_shelter,
		  .type = "child_protection",
		  .name = "Children's house (demo)",
		  .min_age = 0,
		  .max_age = 17,
		  .opening_hours = "24/7",
		  .capacity = 6,
		  .capacity_free = 2 },
		{ .organisation = org_shelter,
		  .type = "psychosocial",
		  .name = "Psychosocial support (demo)",
		  .min_age = -1,
		  .max_age = -1,
		  .opening_hours = "Mon-Fri 9-17",
		  .capacity = -1,
		  .capacity_free = -1 },
		{ .organisation = org_ngo,
		  .type = "legal_aid",
		  .name = "Legal aid (demo)",
		  .min_age = -1,
		  .max_age = -1,
		  .opening_hours = "Mon-Fri 9-17",
		  .capacity = -1,
		  .capacity_free = -1 },
	};
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(services) && !rc; i++)
		rc = add(env, i < 3 ? shelter : ngo, &services[i]);
	return rc;
}

/* The first service of the country's shelter organisation. */
struct first {
	const char *org;
	int64_t id, org_id;
};

static int find_shelter(const service *s, void *ctx)
{
	struct first *f = ctx;
	if (!f->id && strcmp(s->organisation_code, f->org) == 0) {
		f->id = s->id;
		f->org_id = s->organisation_id;
	}
	return 0;
}

int demo_referral(const keyed_store *env, const principal *sender, int64_t case_id, const char *cc,
		  unsigned state)
{
	static const char *const PATHS[][3] = {
		{ NULL },
		{ "send" },
		{ "send", "accept" },
		{ "send", "decline" },
		{ "send", "accept", "start" },
		{ "send", "accept", "start" }, /* then complete */
		{ "send", "accept", "discontinue" },
		{ "withdraw" },
	};
	char org[16], email[96], lower[3] = { (char)(cc[0] + 32), (char)(cc[1] + 32), 0 };
	snprintf(org, sizeof(org), "%s-SHELTER", cc);
	snprintf(email, sizeof(email), "shelter.supervisor.%s@demo.ponte.example", lower);
	arena a;
	arena_init(&a, 1u << 20);
	struct first f = { org, 0, 0 };
	service_filter all = { .type = "shelter", .country = cc, .age = -1 };
	principal shelter;
	int rc = service_list(env, &a, &all, find_shelter, &f);
	if (!rc)
		rc = load(env, email, &shelter);
	consent_input c = { "referral", f.org_id, "identity,victim", "consent",
			    "fr",       "DEMO-1", "person",          "2026-01-05" };
	field_errors e;
	int64_t consent_id = 0, id = 0;
	if (!rc)
		rc = consent_add(env, sender, case_id, &c, &consent_id, &e);
	referral_input in = { .case_id = case_id,
			      .service_id = f.id,
			      .categories = "identity,victim",
			      .consent_id = consent_id };
	if (!rc)
		rc = referral_create(env, sender, &in, &id, &e);
	state %= ARRAY_LEN(PATHS);
	for (int k = 0; k < 3 && !rc && PATHS[state][k]; k++) {
		const char *act = PATHS[state][k];
		bool by_sender = !strcmp(act, "send") || !strcmp(act, "withdraw");
		const char *code = !strcmp(act, "decline")       ? "no_capacity"
				   : !strcmp(act, "discontinue") ? "person_left"
								 : NULL;
		rc = referral_act(env, by_sender ? sender : &shelter, id, act, code, NULL, &e);
	}
	if (!rc && state == 5)
		rc = referral_act(env, &shelter, id, "complete", "goals_met", NULL, &e);
	arena_release(&a);
	return rc;
}
