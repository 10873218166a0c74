/*
 * `ponte demo`: fictional but plausible data at any size, for trying Ponte and for measuring
 * it. Organisations and one user per default role in seven countries, and N cases spread over
 * phases, statuses, children and adults. Deterministic for a given seed. All synthetic.
 */
#include <time.h>

#include "app/demo.h"
#include "base/clock.h"
#include "base/json.h"
#include "cases/sections.h"
#include "directory/directory.h"

struct country {
	const char *code, *name;
	const char *first_f[6], *first_m[6], *family[8];
	const char *language;
	int weight;
};

static const struct country COUNTRIES[] = {
	{ "NE",
	  "Niger",
	  { "Aïchatou", "Hadiza", "Mariama", "Rakia", "Zeinabou", "Fati" },
	  { "Moussa", "Issoufou", "Abdoulaye", "Hamidou", "Souley", "Ali" },
	  { "Issoufou", "Mahamadou", "Seydou", "Garba", "Hama", "Boubacar", "Idrissa", "Oumarou" },
	  "ha",
	  3 },
	{ "SN",
	  "Senegal",
	  { "Awa", "Fatou", "Khady", "Aminata", "Ndeye", "Coumba" },
	  { "Mamadou", "Ibrahima", "Cheikh", "Modou", "Ousmane", "Babacar" },
	  { "Diop", "Ndiaye", "Fall", "Sow", "Sy", "Gueye", "Ba", "Faye" },
	  "wo",
	  3 },
	{ "ML",
	  "Mali",
	  { "Aminata", "Kadiatou", "Oumou", "Assitan", "Rokia", "Salimata" },
	  { "Bakary", "Seydou", "Moussa", "Drissa", "Adama", "Souleymane" },
	  { "Traoré", "Keïta", "Coulibaly", "Diarra", "Konaté", "Sissoko", "Touré", "Maïga" },
	  "bm",
	  3 },
	{ "NG",
	  "Nigeria",
	  { "Grace", "Blessing", "Chioma", "Amina", "Joy", "Esther" },
	  { "Emeka", "Chinedu", "Ibrahim", "Tunde", "Musa", "Samuel" },
	  { "Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Ogunleye", "Abubakar", "Nwosu" },
	  "en",
	  2 },
	{ "PT",
	  "Portugal",
	  { "Ana", "Maria", "Joana", "Inês", "Sofia", "Beatriz" },
	  { "João", "Pedro", "Miguel", "Tiago", "Rui", "Carlos" },
	  { "Silva", "Santos", "Ferreira", "Pereira", "Costa", "Rodrigues", "Martins", "Sousa" },
	  "pt",
	  2 },
	{ "ES",
	  "Spain",
	  { "Lucía", "Carmen", "Laura", "Marta", "Elena", "Paula" },
	  { "Javier", "Carlos", "David", "Alejandro", "Pablo", "Sergio" },
	  { "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
	    "Pérez" },
	  "es",
	  1 },
	{ "IT",
	  "Italy",
	  { "Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina" },
	  { "Marco", "Luca", "Giuseppe", "Matteo", "Andrea", "Francesco" },
	  { "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci" },
	  "it",
	  1 },
};

/* Organisations of each country, and which roles work there. */
static const struct {
	const char *suffix, *name, *type;
	bool focal_point;
	const char *roles[5];
	const char *prefix; /* of the accounts' addresses, when two organisations share a role */
} ORGS[] = {
	{ "FP",
	  "National anti-trafficking agency (demo)",
	  "CentralGovernmentOrganisation",
	  true,
	  { "national_focal_point", "observatory_analyst", "auditor", "administrator",
	    "knowledge_reviewer" },
	  NULL },
	{ "NGO",
	  "Victim support association (demo)",
	  "NGO",
	  false,
	  { "case_worker", "supervisor", "data_provider", NULL },
	  NULL },
	{ "POL",
	  "Anti-trafficking police unit (demo)",
	  "LawEnforcement",
	  false,
	  { "police_investigator", NULL, NULL, NULL },
	  NULL },
	{ "PROS",
	  "Public prosecution (demo)",
	  "LegalService",
	  false,
	  { "prosecutor", NULL, NULL, NULL },
	  NULL },
	{ "SHELTER",
	  "Shelter for survivors (demo)",
	  "NGO",
	  false,
	  { "supervisor", NULL, NULL, NULL },
	  "shelter." },
};

/* xorshift64*: small, fast, and the same everywhere for a given seed. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* `ponte demo --country CC`: one country's installation (make run-region), NULL for all. */
static const char *only_country;
static bool country_wanted(const char *code)
{
	return !only_country || strcmp(only_country, code) == 0;
}

static int add_account(const keyed_store *env, const char *email, const char *name, const char *org,
		       const char *role_code, const char *lang, const char *hash,
		       const char *password, FILE *accounts, bool *first, const char *country)
{
	user_input in = { .email = email,
			  .name = name,
			  .organisation_code = org,
			  .roles = { role_code },
			  .nroles = 1,
			  .password = password,
			  .password_hash = hash,
			  .language = lang };
	int problem = 0;
	int rc = user_add(env, &in, NULL, &problem);
	if (rc && problem != USER_EMAIL_TAKEN) /* a second run adds cases to the same accounts */
		return rc;
	if (accounts) {
		buf b;
		buf_init(&b, 1024);
		buf_puts(&b, *first ? "[\n  {" : ",\n  {");
		json_field_str(&b, true, "email", email);
		json_field_str(&b, false, "role", role_code);
		json_field_str(&b, false, "org", org);
		json_field_str(&b, false, "country", country);
		buf_putc(&b, '}');
		fputs(b.data, accounts);
		buf_release(&b);
		*first = false;
	}
	return 0;
}

static int make_accounts(const keyed_store *env, const demo_options *o, const char *hash)
{
	bool first = true;
	int rc = 0;
	for (size_t c = 0; c < ARRAY_LEN(COUNTRIES) && !rc; c++) {
		const struct country *k = &COUNTRIES[c];
		if (!country_wanted(k->code))
			continue;
		const char *lang = !strcmp(k->code, "PT")                             ? "pt"
				   : !strcmp(k->code, "ES")                           ? "es"
				   : !strcmp(k->code, "NG") || !strcmp(k->code, "IT") ? "en"
										      : "fr";
		for (size_t g = 0; g < ARRAY_LEN(ORGS) && !rc; g++) {
			char code[32], name[160];
			snprintf(code, sizeof(code), "%s-%s", k->code, ORGS[g].suffix);
			snprintf(name, sizeof(name), "%s, %s", ORGS[g].name, k->name);
			organisation org = {
				0, code, name, k->code, ORGS[g].type, 0, ORGS[g].focal_point
			};
			rc = org_add(env->db, &org, NULL);
			if (rc == PONTE_EEXIST)
				rc = 0;
			for (int r = 0; r < 5 && !rc && ORGS[g].roles[r]; r++) {
				char email[128], person[128],
				    cc[3] = { (char)(k->code[0] + 32), (char)(k->code[1] + 32), 0 };
				snprintf(email, sizeof(email), "%s%s.%s@demo.ponte.example",
					 ORGS[g].prefix ? ORGS[g].prefix : "", ORGS[g].roles[r],
					 cc);
				for (char *p = email; *p; p++)
					if (*p == '_')
						*p = '.';
				snprintf(person, sizeof(person), "%s %s (demo)",
					 k->first_f[(c + g + (size_t)r) % 6],
					 k->family[(c * 3 + g + (size_t)r) % 8]);
				rc = add_account(env, email, person, code, ORGS[g].roles[r], lang,
						 hash, o->password, o->accounts, &first, k->code);
			}
		}
	}
	/* One regional analyst, in a regional body (not in one country's installation). */
	if (only_country) {
		if (o->accounts)
			fputs(first ? "[]\n" : "\n]\n", o->accounts);
		return rc;
	}
	organisation region = { 0,    "ECOWAS-UNIT",  "Regional anti-trafficking unit (demo)",
				"NG", "RegionalBody", 0,
				false };
	if (!rc && (rc = org_add(env->db, &region, NULL)) == PONTE_EEXIST)
		rc = 0;
	if (!rc)
		rc = add_account(env, "regional.analyst@demo.ponte.example", "Kofi Mensah (demo)",
				 "ECOWAS-UNIT", "regional_analyst", "en", hash, o->password,
				 o->accounts, &first, "NG");
	if (o->accounts)
		fputs(first ? "[]\n" : "\n]\n", o->accounts);
	return rc;
}

/* Case owners: every account that may write social-service cases, by country. */
struct owner {
	principal p;
	size_t country;
};

static int load_owners(const keyed_store *env, struct owner *owners, size_t *n)
{
	static const char *roles[] = { "case.worker", "supervisor", "national.focal.point" };
	*n = 0;
	for (size_t c = 0; c < ARRAY_LEN(COUNTRIES); c++) {
		if (!country_wanted(COUNTRIES[c].code))
			continue;
		for (size_t r = 0; r < ARRAY_LEN(roles); r++) {
			char email[128], cc[3] = { (char)(COUNTRIES[c].code[0] + 32),
						   (char)(COUNTRIES[c].code[1] + 32), 0 };
			snprintf(email, sizeof(email), "%s.%s@demo.ponte.example", roles[r], cc);
			int64_t id;
			if (user_find_by_email(env, email, &id) ||
			    principal_load(env->db, id, &owners[*n].p))
				return PONTE_ENOTFOUND;
			owners[*n].country = c;
			(*n)++;
		}
	}
	return 0;
}

/* The rest of the file of a demo case: where the person was exploited (at home for some,
 * mostly in Europe: the observatory's flows come from these), and for some an immediate need
 * and a residence permit, a few of which expire within the month. */
static int make_file(const keyed_store *env, const principal *p, int64_t case_id,
		     const char *citizenship, int year, unsigned dice)
{
	static const char *destinations[] = { "PT", "ES", "IT" };
	static const char *needs[] = { "accommodation", "medical", "psychological", "documents",
				       "legal" };
	char on[16], expires[16];
	snprintf(on, sizeof(on), "%04d-%02u-%02u", year - 1 - (int)(dice % 3), 1 + dice % 12,
		 1 + dice % 28);
	const char *where = dice < 35 ? citizenship : destinations[dice % 3];
	const char *event[SECTION_MAX_FIELDS] = { "Exploitation", where, "", on, "" };
	field_errors e;
	int64_t id;
	int rc = section_add(env, p, section_find("file", "events"), case_id, event, &id, &e);
	if (!rc && dice % 4 == 0) {
		const char *need[SECTION_MAX_FIELDS] = { needs[dice % 5],
							 dice % 8 ? "short_term" : "immediate", on,
							 dice % 3 ? on : "", "" };
		rc = section_add(env, p, section_find("file", "needs"), case_id, need, &id, &e);
	}
	if (!rc && dice >= 35 && dice % 5 == 0) {
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms() + (int64_t)(dice % 40) * 86400000, now);
		snprintf(expires, sizeof(expires), "%.10s", now);
		const char *permit[SECTION_MAX_FIELDS] = { "victim_permit", "", on, expires, "" };
		rc = section_add(env, p, section_find("file", "residence"), case_id, permit, &id,
				 &e);
	}
	return rc;
}

static int make_case(const keyed_store *env, const struct owner *owners, size_t nowners, int year,
		     bool refer)
{
	static const char *phases[] = { "identification", "protection", "assistance", "return",
					"proceedings" };
	static const char *exploitation[] = { "ForcedLabour",      "SexualExploitation",
					      "ForcedBegging",     "Servitude",
					      "ForcedCriminality", "ChildLabour",
					      "ForcedMarriage" };
	/* Countries by weight: more cases where the demo's agencies are busiest. */
	int total = 0;
	for (size_t c = 0; c < ARRAY_LEN(COUNTRIES); c++)
		total += country_wanted(COUNTRIES[c].code) ? COUNTRIES[c].weight : 0;
	int w = (int)pick((unsigned)total);
	size_t c = 0, slot = 0; /* slot: the country's place among the owners loaded */
	while (!country_wanted(COUNTRIES[c].code) || w >= COUNTRIES[c].weight) {
		if (country_wanted(COUNTRIES[c].code)) {
			w -= COUNTRIES[c].weight;
			slot++;
		}
		c++;
	}
	if (slot * 3 + 3 > nowners)
		return PONTE_ENOTFOUND;
	const struct owner *o = &owners[slot * 3 + pick(3)];
	const struct country *k = &COUNTRIES[c];
	bool female = pick(100) < 70, child = pick(100) < 25, known_birth = pick(100) < 70;
	char birth[16] = "", age[8] = "", ex[96];
	int years = child ? 8 + (int)pick(10) : 18 + (int)pick(40);
	if (known_birth)
		snprintf(birth, sizeof(birth), "%04d-%02u-%02u", year - years - 1, 1 + pick(12),
			 1 + pick(28));
	else
		snprintf(age, sizeof(age), "%d", years);
	unsigned e1 = pick(ARRAY_LEN(exploitation)), e2 = pick(ARRAY_LEN(exploitation));
	if (child && pick(2))
		e1 = 5; /* ChildLabour */
	if (e2 != e1 && pick(3) == 0)
		snprintf(ex, sizeof(ex), "%s,%s", exploitation[e1], exploitation[e2]);
	else
		snprintf(ex, sizeof(ex), "%s", exploitation[e1]);
	static const char *control[] = { "DebtBondage,WithholdsDocuments",
					 "FalsePromises",
					 "PhysicalThreats,TakesEarnings",
					 "PsychologicalAbuse",
					 "ExcessiveWorkingHours,RestrictsFinancialAccess",
					 "" };
	unsigned ph = pick(5), st = pick(10);
	const char *status = st < 6   ? "Active"
			     : st < 8 ? "FollowUp"
			     : st < 9 ? "Closed"
				      : "ClosedReferred";
	/* Closed as every case closes: registered open, the owner asks, the country's focal
	 * point approves; a case the focal point owns has no one else to approve it. */
	const struct owner *approver = &owners[slot * 3 + 2];
	bool closing = case_status_closed(status) && approver != o;
	if (case_status_closed(status) && !closing)
		status = "FollowUp";
	case_input in = {
		.first_name = female ? k->first_f[pick(6)] : k->first_m[pick(6)],
		.second_name = k->family[pick(8)],
		.gender = female ? "Feminine" : "Masculine",
		.birthdate = birth,
		.estimated_age = age,
		.citizenship = k->code,
		.primary_language = k->language,
		.exploitation = ex,
		.control = control[pick(ARRAY_LEN(control))],
		.phase = phases[ph],
		.status = closing ? "Active" : status,
		.trafficking_status =
		    pick(3) ? "PossibleVictimOfTrafficking" : "ActualVictimOfTrafficking",
	};
	field_errors e;
	int64_t id;
	int rc = case_create(env, &o->p, &in, &id, &e);
	if (!rc)
		rc = make_file(env, &o->p, id, k->code, year, pick(100));
	/* Referrals in every state, in turn. */
	static unsigned referrals;
	if (!rc && refer)
		rc = demo_referral(env, &o->p, id, k->code, referrals++);
	if (!rc && closing) {
		static const char *reasons[] = { "Goals of the support plan met",
						 "Moved to another country",
						 "Referred to another organisation" };
		int64_t request;
		rc = closure_request(env, &o->p, id, status, reasons[id % 3], &request, &e);
		if (!rc)
			rc = closure_decide(env, &approver->p, request, true);
	}
	return rc;
}

/* The focal-point directory of the seven countries: which institution holds which mandate,
 * with two or three persons in turn since 2019, and a few entries left unverified. */
static const struct {
	const char *suffix, *mandate, *countries; /* countries: where this entry exists */
} DIRECTORY[] = {
	{ "FP", "thb", "NE,SN,ML,NG,PT,ES,IT" },
	{ "FP", "smuggling", "NE,SN,ML,ES,IT" },
	{ "FP", "observatory", "PT,NE,NG" },
	{ "NGO", "child_protection", "NE,SN,ML" },
	{ "PROS", "judicial_cooperation", "NE,SN,ML,NG,PT,ES,IT" },
};
static const char *const STARTS[] = { "2019-03-01", "2022-09-15", "2025-01-06" };

/* A holder's position as the administrator of each country types it, in its official
 * language: free text, which pages show as written (never translated). */
static const char *position_in(const char *country, bool current)
{
	static const struct {
		const char *countries, *current, *former;
	} POSITIONS[] = {
		{ "NE SN ML", "Point focal", "Ancien point focal" },
		{ "PT", "Ponto focal", "Antigo ponto focal" },
		{ "ES", "Punto focal", "Antiguo punto focal" },
		{ "IT", "Punto focale", "Ex punto focale" },
	};
	for (size_t i = 0; i < ARRAY_LEN(POSITIONS); i++)
		if (strstr(POSITIONS[i].countries, country))
			return current ? POSITIONS[i].current : POSITIONS[i].former;
	return current ? "Focal point" : "Former focal point";
}

static int make_directory(const keyed_store *env)
{
	int64_t uid;
	principal admin;
	char email[64];
	snprintf(email, sizeof(email), "administrator.%c%c@demo.ponte.example",
		 only_country ? only_country[0] + 32 : 'p',
		 only_country ? only_country[1] + 32 : 't');
	int rc = user_find_by_email(env, email, &uid);
	if (!rc)
		rc = principal_load(env->db, uid, &admin);
	for (size_t d = 0; d < ARRAY_LEN(DIRECTORY) && !rc; d++) {
		for (size_t c = 0; c < ARRAY_LEN(COUNTRIES) && !rc; c++) {
			const struct country *k = &COUNTRIES[c];
			if (!strstr(DIRECTORY[d].countries, k->code) || !country_wanted(k->code))
				continue;
			char org[32], mailbox[96], url[96],
			    lc[3] = { (char)(k->code[0] + 32), (char)(k->code[1] + 32), 0 };
			snprintf(org, sizeof(org), "%s-%s", k->code, DIRECTORY[d].suffix);
			snprintf(mailbox, sizeof(mailbox), "%s@%s.demo.ponte.example",
				 DIRECTORY[d].mandate, lc);
			snprintf(url, sizeof(url), "https://ponte.%s.demo.ponte.example", lc);
			bool stale =
			    (c + d) % 5 == 3; /* some entries wait for their yearly check */
			fp_input in = { .organisation = org,
					.mandate = DIRECTORY[d].mandate,
					.languages = !strcmp(k->code, "PT")   ? "pt,en,fr"
						     : !strcmp(k->code, "ES") ? "es,en"
						     : !strcmp(k->code, "IT") ? "it,en"
						     : !strcmp(k->code, "NG") ? "en"
									      : "fr,en",
					.mailbox = mailbox,
					.phone = "+000 0000 0000",
					.instance_url =
					    strcmp(DIRECTORY[d].suffix, "FP") == 0 ? url : "",
					.verified_on = stale ? "2024-05-10" : "2026-10-01" };
			field_errors e;
			int64_t id;
			rc = fp_create(env, &admin, &in, &id, &e);
			if (rc == PONTE_EINVAL && e.count &&
			    strcmp(e.items[0].field, "mandate") == 0) {
				rc = 0; /* already there: `ponte demo` run twice */
				continue;
			}
			/* Two or three persons in turn: the channel stays, the people change. */
			size_t turns = 2 + (c + d) % 2;
			for (size_t t = 0; t < turns && !rc; t++) {
				char name[128];
				snprintf(name, sizeof(name), "%s %s (demo)",
					 t % 2 ? k->first_m[(c + d + t) % 6]
					       : k->first_f[(c + d + t) % 6],
					 k->family[(c + 2 * d + t) % 8]);
				rc = fp_add_holder(env, &admin, id, name,
						   position_in(k->code, t + 1 == turns),
						   STARTS[3 - turns + t], &e);
			}
		}
	}
	return rc;
}

int demo_generate(const keyed_store *env, const demo_options *o, char *err, size_t errlen)
{
	rng_state = o->seed ? o->seed * 0x9E3779B97F4A7C15ULL : 0x9E3779B97F4A7C15ULL;
	only_country = NULL;
	if (o->country) {
		for (size_t k = 0; k < ARRAY_LEN(COUNTRIES); k++)
			if (strcmp(COUNTRIES[k].code, o->country) == 0)
				only_country = COUNTRIES[k].code;
		if (!only_country) {
			snprintf(err, errlen, "the demonstration has no country %s", o->country);
			return PONTE_EINVAL;
		}
	}
	char hash[128];
	int rc = crypto_password_hash(o->password, hash);
	if (!rc)
		rc = make_accounts(env, o, hash);
	if (rc) {
		snprintf(err, errlen, "cannot create the demonstration accounts: %s",
			 ponte_strerror(rc));
		return rc;
	}
	if ((rc = make_directory(env))) {
		snprintf(err, errlen, "cannot create the demonstration directory: %s",
			 ponte_strerror(rc));
		return rc;
	}
	/* The knowledge platform and the observatory's providers span the seven countries: they
	 * belong to the whole demonstration, not to one country's installation. */
	if (!only_country && (rc = demo_knowledge(env, o->files_dir))) {
		snprintf(err, errlen, "cannot create the demonstration knowledge items: %s",
			 ponte_strerror(rc));
		return rc;
	}
	struct owner owners[ARRAY_LEN(COUNTRIES) * 3];
	size_t nowners;
	if ((rc = load_owners(env, owners, &nowners))) {
		snprintf(err, errlen, "demonstration accounts are missing");
		return rc;
	}
	char today[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), today);
	int year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 +
		   (today[3] - '0');
	/* Demonstration data can be made again: trade durability for speed while generating. */
	store_conn *c;
	if ((rc = store_conn_get(env->db, &c)) == 0)
		store_exec(c, "PRAGMA synchronous=OFF");
	rc = only_country ? 0 : demo_observatory(env, year, o->files_dir);
	for (size_t k = 0; k < ARRAY_LEN(COUNTRIES) && !rc; k++)
		if (country_wanted(COUNTRIES[k].code))
			rc = demo_country_services(env, COUNTRIES[k].code, (unsigned)k * 7 + 3);
	for (long i = 0; i < o->cases && !rc; i++) {
		rc = make_case(env, owners, nowners, year, i < 240 && i % 3 == 0);
		if (o->progress && (i + 1) % 10000 == 0)
			o->progress(i + 1);
	}
	if (!rc && o->knowledge)
		rc = demo_knowledge_bulk(env, o->knowledge, o->seed);
	if (c)
		store_exec(c, "PRAGMA synchronous=FULL");
	if (rc)
		snprintf(err, errlen, "cannot create the demonstration cases: %s",
			 ponte_strerror(rc));
	return rc;
}
