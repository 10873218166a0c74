/*
 * demo.h: demonstration data for `ponte init --demo` (what `make run` shows).
 *
 * Synthetic and marked as such: organisations named "(demo)", users at demo.ponte.example,
 * one per default role, all with DEMO_PASSWORD. Never use --demo for a real installation.
 */
#ifndef PONTE_DEMO_H
#define PONTE_DEMO_H

#include "identity/identity.h"

#define DEMO_INSTANCE_NAME "Ponte demonstration (Portugal)"
#define DEMO_INSTANCE_COUNTRY "PT"
#define DEMO_PASSWORD "Ponte-demo-Lisboa-2026"
#define DEMO_ADMIN_EMAIL "admin@demo.ponte.example"

int demo_fill(const keyed_store *env);

/* `ponte demo` (demo_data.c): organisations and one user per default role in Niger, Senegal,
 * Mali, Nigeria, Portugal, Spain and Italy (or in one of them: country), and `cases` cases,
 * deterministic for a seed. */
typedef struct demo_options {
	long cases;
	long knowledge; /* synthetic published knowledge items besides the curated ones */
	uint64_t seed;
	const char *password;
	const char *country;   /* one country's installation only (no knowledge, no observatory),
			      * or NULL for the seven */
	FILE *accounts;        /* JSON list of the accounts, or NULL */
	const char *files_dir; /* <database>.files (app_file_dirs), for attachments */
	void (*progress)(long done);
} demo_options;
int demo_generate(const keyed_store *env, const demo_options *o, char *err, size_t errlen);
/* Published practices, legislation, case law and manuals (demo_knowledge.c); needs the
 * accounts of demo_generate. */
int demo_knowledge(const keyed_store *env, const char *files_dir);
/* n synthetic published items of every type, in EN/FR/PT, for measurements. */
int demo_knowledge_bulk(const keyed_store *env, long n, uint64_t seed);

/* Synthetic observatory records of four providers, estimates of victims for the three
 * years before year, and a release of each method written under files_dir (none if NULL)
 * (demo_observatory.c); needs the organisations of demo_generate. */
int demo_observatory(const keyed_store *env, int year, const char *files_dir);

/* The services of a country's shelter and NGO (demo_referrals.c); needs demo_generate's
 * accounts. */
int demo_country_services(const keyed_store *env, const char *cc, unsigned seed);
/* A consent and a referral of case_id to its country's shelter, taken to the state-th state
 * of the machine (0 draft .. 7 withdrawn) by the sender and the shelter. */
int demo_referral(const keyed_store *env, const principal *sender, int64_t case_id, const char *cc,
		  unsigned state);

#endif
