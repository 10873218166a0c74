/* Transnational referral between two real instances on loopback (Portugal and Niger), each
 * with its own database and keys: registration by fingerprint, envelopes that are refused
 * when anything is wrong, delivery that survives a peer being down, exactly once. */
#include "httptest.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "cases/cases.h"
#include "referral/referral.h"
#include "trm/trm.h"

static struct ht_server PT, NE;
static trm_self pt_self, ne_self;
static arena A;
static int64_t pt_peer_of_ne, ne_peer_of_pt; /* the peer rows each side keeps of the other */

static keyed_store env_of(struct ht_server *s)
{
	return (keyed_store){ s->db, s->keys };
}

static void url_of(struct ht_server *s, char *out, size_t n)
{
	snprintf(out, n, "http://127.0.0.1:%u", (unsigned)s->port);
}

/* Register b's identity in a, as an administrator would after the phone call. */
static int64_t introduce(struct ht_server *a, const trm_self *b)
{
	buf json;
	buf_init(&json, 4096);
	assert_int_equal(trm_identity_json(b, &json), 0);
	int64_t id;
	const char *why = NULL;
	int rc = trm_peer_add(a->db, json.data, json.len, b->fingerprint, &id, &why);
	if (rc)
		fail_msg("peer_add: %s %s", ponte_strerror(rc), why ? why : "");
	buf_release(&json);
	return id;
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	arena_init(&A, 1u << 20);
	ht_start(&PT);
	ht_start(&NE);
	ht_current = &PT;
	assert_int_equal(instance_set(NE.db, "Niger national focal point", "NE"), 0);
	struct ht_server *both[] = { &PT, &NE };
	trm_self *selves[] = { &pt_self, &ne_self };
	for (int i = 0; i < 2; i++) {
		keyed_store env = env_of(both[i]);
		assert_int_equal(demo_fill(&env), 0);
		assert_int_equal(trm_identity_ensure(&env), 0);
		char url[64];
		url_of(both[i], url, sizeof(url));
		assert_int_equal(trm_identity_set_url(both[i]->db, url), 0);
		assert_int_equal(trm_identity_get(&env, &A, selves[i]), 0);
	}
	pt_peer_of_ne = introduce(&PT, &ne_self);
	ne_peer_of_pt = introduce(&NE, &pt_self);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ht_stop(&PT);
	ht_stop(&NE);
	arena_release(&A);
	log_set_fd(2);
	return 0;
}

static int64_t count(struct ht_server *s, const char *sql)
{
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(s->db, &c), 0);
	/* Test statements are few and live as long as the program: cache them by address. */
	assert_int_equal(store_prepare(c, sql, &st), 0);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int64(st, 0);
	store_reset(st);
	return n;
}

/* Whether probe is stored in clear in s's database files (either store). */
static bool on_disk(struct ht_server *s, const char *probe)
{
	struct ht_server *was = ht_current;
	ht_current = s;
	int files;
	bool found = ht_on_disk(&probe, 1, &files) != NULL;
	ht_current = was;
	assert_true(files > 0);
	return found;
}

static const char INBOX[] = "SELECT count(*) FROM trm_inbox";
static const char REFERRALS_IN[] = "SELECT count(*) FROM trm_referrals WHERE direction = 'in'";

static void the_fingerprint_must_match(void **state)
{
	(void)state;
	buf json;
	buf_init(&json, 4096);
	assert_int_equal(trm_identity_json(&ne_self, &json), 0);
	int64_t id;
	const char *why = NULL;
	/* One letter misheard over the phone: not registered. */
	char wrong[CRYPTO_FINGERPRINT];
	memcpy(wrong, ne_self.fingerprint, sizeof(wrong));
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(trm_peer_add(PT.db, json.data, json.len, wrong, &id, &why), PONTE_EINVAL);
	assert_non_null(strstr(why, "fingerprint"));
	/* Read in lower case without dashes: the same fingerprint. */
	char relaxed[CRYPTO_FINGERPRINT];
	size_t k = 0;
	for (const char *p = ne_self.fingerprint; *p; p++)
		if (*p != '-')
			relaxed[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	relaxed[k] = '\0';
	assert_int_equal(trm_peer_add(PT.db, json.data, json.len, relaxed, &id, &why),
			 PONTE_EEXIST); /* known already */
	buf_release(&json);
	assert_int_equal(strlen(pt_self.fingerprint), 19);
}

/* A referral offer's payload as Portugal writes it (the members of the protocol's table). */
static const char OFFER[] =
    "{\"legal_basis\":\"consent\",\"child\":false,\"consent\":7,\"categories\":[\"identity\","
    "\"victim\"],\"person\":{\"prs_FirstName\":\"Awa\",\"prs_SecondName\":\"Inbox-Probe\","
    "\"prs_Gender\":\"Feminine\",\"prs_Birthdate\":\"1990-05-01\",\"prs_Citizenship\":[\"NE\"],"
    "\"prs_PrimaryLanguage\":\"hau\"},\"victim\":{\"vic_TraffickingStatus\":"
    "\"PossibleVictimOfTrafficking\",\"vic_TypeOfExploitation\":[\"ForcedLabour\"],"
    "\"vic_MethodsOfControl\":[]}}";

/* An envelope of type with payload from PT to NE as PT would seal it, with what the test wants
 * changed. */
static void envelope_of(const char *type, const char *payload, const char *to, const char *created,
			const char *expires, const unsigned char *sign_sk,
			const unsigned char *box_pk, const char *id, buf *wire)
{
	trm_envelope e = { .type = type,
			   .from = pt_self.instance_id,
			   .to = to,
			   .created = created,
			   .expires = expires,
			   .in_reply_to = "",
			   .payload = payload,
			   .payload_len = strlen(payload) };
	snprintf(e.id, sizeof(e.id), "%s", id);
	assert_int_equal(trm_seal(&e, sign_sk, box_pk, wire), 0);
}

static void envelope(const char *type, const char *to, const char *created, const char *expires,
		     const unsigned char *sign_sk, const unsigned char *box_pk, const char *id,
		     buf *wire)
{
	envelope_of(type, OFFER, to, created, expires, sign_sk, box_pk, id, wire);
}

static long post(const buf *wire, struct ht_resp *r)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	assert_int_equal(
	    ht_request(NE.port, "POST", "/fed/v1/inbox", wire->data, (long)wire->len, h, r),
	    CURLE_OK);
	return r->status;
}

static void bad_envelopes_are_refused_and_change_nothing(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT);
	unsigned char sign_sk[CRYPTO_SIGN_SK], box_sk[CRYPTO_BOX_SK];
	assert_int_equal(trm_identity_secrets(&pt, sign_sk, box_sk), 0);
	char now[CLOCK_RFC3339_LEN], later[CLOCK_RFC3339_LEN], past[CLOCK_RFC3339_LEN],
	    long_ago[CLOCK_RFC3339_LEN];
	int64_t t = clock_wall_ms();
	clock_format_rfc3339(t, now);
	clock_format_rfc3339(t + 3600000, later);
	clock_format_rfc3339(t - 60000, past);
	clock_format_rfc3339(t - 7200000, long_ago);
	buf wire;
	buf_init(&wire, 1u << 21);
	struct ht_resp r;
	int64_t inbox = count(&NE, INBOX), offers = count(&NE, REFERRALS_IN);
	char id[CRYPTO_UUID], other[CRYPTO_UUID], refused[256] = "";
	/* A stranger's keys, unknown to NE. */
	unsigned char spk[CRYPTO_SIGN_PK], ssk[CRYPTO_SIGN_SK], bpk[CRYPTO_BOX_PK],
	    bsk[CRYPTO_BOX_SK];
	crypto_instance_keys(NULL, spk, ssk, bpk, bsk);

	/* Good, to show the rest are refused for what was changed. */
	crypto_uuid(id);
	envelope("referral_offer", ne_self.instance_id, now, later, sign_sk, ne_self.box_pk, id,
		 &wire);
	assert_int_equal(post(&wire, &r), 200);
	assert_non_null(strstr(r.body, "applied"));
	ht_free(&r);
	/* The same again: acknowledged, applied once. */
	assert_int_equal(post(&wire, &r), 200);
	assert_non_null(strstr(r.body, "duplicate"));
	ht_free(&r);
	assert_int_equal(count(&NE, INBOX), inbox + 1);
	assert_int_equal(count(&NE, REFERRALS_IN), offers + 1);
	inbox++, offers++;

	/* Before the sender is proven, one answer for every refusal (403 "envelope refused"); after,
	 * the reason. */
	struct {
		const char *what;
		long status;
	} cases[] = { { "tampered", 403 },  { "signature", 403 },         { "addressing", 403 },
		      { "recipient", 403 }, { "expired", 403 },           { "future", 403 },
		      { "malformed", 400 }, { "sealed for another", 403 } };
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		crypto_uuid(id);
		crypto_uuid(other);
		const char *w = cases[i].what;
		if (strcmp(w, "signature") == 0) /* signed by someone else, sealed right */
			envelope("referral_offer", ne_self.instance_id, now, later, ssk,
				 ne_self.box_pk, id, &wire);
		else if (strcmp(w, "addressing") == 0) {
			/* Signed by PT as coming from someone else, re-addressed outside as PT. */
			trm_envelope x = { .type = "referral_offer",
					   .from = other,
					   .to = ne_self.instance_id,
					   .created = now,
					   .expires = later,
					   .in_reply_to = "",
					   .payload = "{}",
					   .payload_len = 2 };
			snprintf(x.id, sizeof(x.id), "%s", id);
			assert_int_equal(trm_seal(&x, sign_sk, ne_self.box_pk, &wire), 0);
			char *from = strstr(wire.data, other);
			assert_non_null(from);
			memcpy(from, pt_self.instance_id, 36);
		} else if (strcmp(w, "recipient") == 0)
			envelope("referral_offer", other, now, later, sign_sk, ne_self.box_pk, id,
				 &wire);
		else if (strcmp(w, "expired") == 0)
			envelope("referral_offer", ne_self.instance_id, long_ago, past, sign_sk,
				 ne_self.box_pk, id, &wire);
		else if (strcmp(w, "future") == 0) {
			char far[CLOCK_RFC3339_LEN], farther[CLOCK_RFC3339_LEN];
			clock_format_rfc3339(t + 3600000, far);
			clock_format_rfc3339(t + 7200000, farther);
			envelope("referral_offer", ne_self.instance_id, far, farther, sign_sk,
				 ne_self.box_pk, id, &wire);
		} else if (strcmp(w, "sealed for another") == 0)
			envelope("referral_offer", ne_self.instance_id, now, later, sign_sk, bpk,
				 id, &wire);
		else
			envelope("referral_offer", ne_self.instance_id, now, later, sign_sk,
				 ne_self.box_pk, id, &wire);
		if (strcmp(w, "tampered") == 0) {
			char *s = strstr(wire.data, "\"sealed\":\"") + 30;
			*s = *s == 'A' ? 'B' : 'A';
		}
		if (strcmp(w, "malformed") == 0)
			wire.data[wire.len - 1] = ' '; /* not JSON any more */
		long got = post(&wire, &r);
		if (got != cases[i].status)
			fail_msg("%s: %ld (%s)", w, got, r.body);
		if (strcmp(w, "sealed for another") == 0)
			snprintf(refused, sizeof(refused), "%s", r.body);
		ht_free(&r);
		assert_int_equal(count(&NE, INBOX), inbox);
		assert_int_equal(count(&NE, REFERRALS_IN), offers);
	}
	/* An unknown sender (its own id): 403. */
	crypto_uuid(id);
	crypto_uuid(other);
	trm_envelope e = { .type = "referral_offer",
			   .from = other,
			   .to = ne_self.instance_id,
			   .created = now,
			   .expires = later,
			   .in_reply_to = "",
			   .payload = "{}",
			   .payload_len = 2 };
	snprintf(e.id, sizeof(e.id), "%s", id);
	assert_int_equal(trm_seal(&e, ssk, ne_self.box_pk, &wire), 0);
	assert_int_equal(post(&wire, &r), 403);
	/* The same answer as a registered sender's envelope that does not open: nobody learns
	 * from it which instance ids are registered here. */
	assert_string_equal(r.body, refused);
	ht_free(&r);
	/* The same when the unknown sender's envelope does not open either. */
	trm_envelope stranger = e;
	crypto_uuid(stranger.id);
	assert_int_equal(trm_seal(&stranger, ssk, bpk, &wire), 0);
	assert_int_equal(post(&wire, &r), 403);
	assert_string_equal(r.body, refused);
	ht_free(&r);
	/* Revoked: PT is refused until registered again (here: for the rest of the test, put
	 * back by hand). */
	assert_int_equal(trm_peer_revoke(NE.db, pt_self.instance_id), 0);
	crypto_uuid(id);
	envelope("referral_offer", ne_self.instance_id, now, later, sign_sk, ne_self.box_pk, id,
		 &wire);
	assert_int_equal(post(&wire, &r), 403);
	assert_string_equal(r.body, refused);
	ht_free(&r);
	store_conn *c;
	assert_int_equal(store_conn_get(NE.db, &c), 0);
	assert_int_equal(store_exec(c, "UPDATE trm_peers SET state = 'active', revoked_at = NULL"),
			 0);
	assert_int_equal(count(&NE, INBOX), inbox);
	/* Every refusal is in the audit trail, with the sender's instance id. */
	assert_true(
	    count(&NE, "SELECT count(*) FROM audit_events WHERE action LIKE 'trm.reject.%'") >= 9);
	crypto_wipe(sign_sk, sizeof(sign_sk));
	crypto_wipe(box_sk, sizeof(box_sk));
	buf_release(&wire);
}

/* OFFER with the text from replaced by to (once), in a buffer the caller frees. */
static char *offer_with(const char *from, const char *to)
{
	const char *at = strstr(OFFER, from);
	assert_non_null(at);
	size_t n = strlen(OFFER) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - OFFER), OFFER, to, at + strlen(from));
	return out;
}

/* A registered peer, properly signed and sealed, sends what local input would never take: each
 * is refused with 422 naming the member, audited, and changes nothing; an unknown protocol
 * version is 400; a body over the limit is refused in JSON too. */
static void the_inbox_checks_every_member_like_local_input(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT);
	unsigned char sign_sk[CRYPTO_SIGN_SK], box_sk[CRYPTO_BOX_SK];
	assert_int_equal(trm_identity_secrets(&pt, sign_sk, box_sk), 0);
	char now[CLOCK_RFC3339_LEN], later[CLOCK_RFC3339_LEN], id[CRYPTO_UUID];
	int64_t t = clock_wall_ms();
	clock_format_rfc3339(t, now);
	clock_format_rfc3339(t + 3600000, later);
	buf wire;
	buf_init(&wire, 1u << 22);
	struct ht_resp r;
	/* A million-character first name. */
	char *huge = malloc(1000001 + 2);
	assert_non_null(huge);
	huge[0] = '"';
	memset(huge + 1, 'A', 1000000);
	snprintf(huge + 1000001, 2, "\"");
	struct {
		const char *from, *to, *field;
	} cases[] = {
		{ "\"Awa\"", huge, "person.prs_FirstName" },
		{ "\"Feminine\"", "\"Robot\"", "person.prs_Gender" },
		{ "\"1990-05-01\"", "\"2026-02-30\"", "person.prs_Birthdate" },
		{ "[\"NE\"]", "[\"XX\"]", "person.prs_Citizenship" },
		{ "[\"NE\"]", "[\"NE,PT\"]", "prs_Citizenship" },
		{ "\"hau\"", "\"Hausa language\"", "person.prs_PrimaryLanguage" },
		{ "\"Inbox-Probe\"", "\"Two\\nlines\"", "person.prs_SecondName" },
		{ "[\"ForcedLabour\"]", "[\"Nope\"]", "victim.vic_TypeOfExploitation" },
		{ "\"consent\",", "\"because\",", "legal_basis" },
		{ "\"consent\":7,", "", "consent" },
		{ "\"consent\":7,", "\"consent\":-1,", "consent" },
		{ "\"child\":false,", "", "child" },
		{ "\"child\":false,", "\"child\":\"no\",", "child" },
		{ "\"categories\":[\"identity\",\"victim\"],", "", "categories" },
		{ "[\"identity\",\"victim\"]", "[\"identity\",\"victim\",\"gossip\"]",
		  "categories" },
		{ "[\"identity\",\"victim\"]", "[\"identity\",\"victim\",\"identity\"]",
		  "categories" },
		{ "[\"identity\",\"victim\"]", "[\"identity\"]", "victim" },
		{ "\"prs_FirstName\":\"Awa\",", "\"prs_MobilePhone\":\"+227 90 00 00 00\",",
		  "prs_MobilePhone" },
		{ "\"prs_FirstName\":\"Awa\",",
		  "\"prs_FirstName\":\"Awa\",\"prs_FirstName\":\"B\",",
		  "payload" }, /* a member twice: not JSON this instance reads */
		{ "{\"legal_basis\"", "{\"notes\":\"Met at the border\",\"legal_basis\"",
		  "payload" },
	};
	int64_t inbox = count(&NE, INBOX), offers = count(&NE, REFERRALS_IN);
	int64_t rejected =
	    count(&NE, "SELECT count(*) FROM audit_events WHERE action = 'trm.reject.invalid'");
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *payload = offer_with(cases[i].from, cases[i].to);
		crypto_uuid(id);
		envelope_of("referral_offer", payload, ne_self.instance_id, now, later, sign_sk,
			    ne_self.box_pk, id, &wire);
		free(payload);
		long got = post(&wire, &r);
		char want[128];
		snprintf(want, sizeof(want), "\"field\":\"%s\"", cases[i].field);
		if (got != 422 || !strstr(r.body, want) || !strstr(r.body, "\"code\":\"invalid\""))
			fail_msg("%s: %ld %.300s", cases[i].field, got, r.body);
		ht_free(&r);
		assert_int_equal(count(&NE, INBOX), inbox);
		assert_int_equal(count(&NE, REFERRALS_IN), offers);
	}
	free(huge);
	assert_int_equal(
	    count(&NE, "SELECT count(*) FROM audit_events WHERE action = 'trm.reject.invalid'"),
	    rejected + (int64_t)ARRAY_LEN(cases));
	/* Feedback longer than the form's 500 characters, and a reason longer than 100. */
	char feedback[700], reason[300];
	snprintf(feedback, sizeof(feedback), "{\"state\":\"in_service\",\"feedback\":\"%0600d\"}",
		 0);
	snprintf(reason, sizeof(reason), "{\"reason\":\"%0200d\"}", 0);
	const char *types[][3] = { { "status_update", feedback, "feedback" },
				   { "accepted", reason, "reason" } };
	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		crypto_uuid(id);
		envelope_of(types[i][0], types[i][1], ne_self.instance_id, now, later, sign_sk,
			    ne_self.box_pk, id, &wire);
		assert_int_equal(post(&wire, &r), 422);
		assert_non_null(strstr(r.body, types[i][2]));
		ht_free(&r);
	}
	assert_int_equal(count(&NE, INBOX), inbox);
	/* The offer as the table has it is taken, and kept as written back. */
	crypto_uuid(id);
	envelope("referral_offer", ne_self.instance_id, now, later, sign_sk, ne_self.box_pk, id,
		 &wire);
	assert_int_equal(post(&wire, &r), 200);
	ht_free(&r);
	assert_int_equal(count(&NE, REFERRALS_IN), offers + 1);
	/* A version this instance does not speak: 400, in JSON. */
	char *v1 = strstr(wire.data, "\"v\":1");
	assert_non_null(v1);
	v1[4] = '2';
	assert_int_equal(post(&wire, &r), 400);
	assert_non_null(strstr(r.body, "\"code\":\"bad_request\""));
	assert_non_null(strstr(r.body, "version"));
	ht_free(&r);
	memcpy(v1, "\"w\"", 3);
	assert_int_equal(post(&wire, &r), 400);
	ht_free(&r);
	/* Over the route's limit: 413 in JSON, not a page. */
	size_t big = (2u << 20) + 1;
	char *body = malloc(big);
	assert_non_null(body);
	memset(body, ' ', big);
	const char *h[] = { "Content-Type: application/json", NULL };
	assert_int_equal(ht_request(NE.port, "POST", "/fed/v1/inbox", body, (long)big, h, &r),
			 CURLE_OK);
	free(body);
	assert_int_equal(r.status, 413);
	char ct[128];
	assert_non_null(ht_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "application/json"));
	assert_non_null(strstr(r.body, "\"error\""));
	assert_null(strstr(r.body, "<html"));
	ht_free(&r);
	crypto_wipe(sign_sk, sizeof(sign_sk));
	crypto_wipe(box_sk, sizeof(box_sk));
	buf_release(&wire);
}

static void load(struct ht_server *s, const char *email, principal *p)
{
	keyed_store env = env_of(s);
	int64_t id;
	assert_int_equal(user_find_by_email(&env, email, &id), 0);
	assert_int_equal(principal_load(s->db, id, p), 0);
}

/* A case registered in Portugal by the case worker, with a transnational-referral consent for
 * the given categories: the consent's number. */
static int64_t registered_with_consent(const principal *cw, const case_input *in,
				       const char *categories, int64_t *case_id)
{
	keyed_store pt = env_of(&PT);
	field_errors ce;
	assert_int_equal(case_create(&pt, cw, in, case_id, &ce), 0);
	consent_input ci = { .purpose = "transnational_referral",
			     .categories = categories,
			     .legal_basis = "consent",
			     .language = "pt",
			     .text_version = "v1",
			     .given_by = "person",
			     .given_on = "2026-01-10" };
	field_errors re;
	int64_t consent_id;
	assert_int_equal(consent_add(&pt, cw, *case_id, &ci, &consent_id, &re), 0);
	return consent_id;
}

static const char OUT_STATE[] = "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND "
				"state = 'delivered'";
static const char OUT_ACCEPTED[] =
    "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND state = 'accepted'";
static const char PURGED[] = "SELECT count(*) FROM trm_referrals WHERE direction = 'in' AND "
			     "state = 'withdrawn' AND payload_enc IS NULL";
static const char PENDING_PT[] = "SELECT count(*) FROM trm_outbox WHERE state = 'pending'";

/* Portugal refers a case to Niger while Niger's address does not answer; ten minutes later
 * (simulated) it does; the offer arrives once, Niger acknowledges and accepts, Portugal
 * withdraws when the consent is withdrawn, Niger purges the payload and confirms. */
static void an_offer_survives_a_peer_that_is_down_and_arrives_once(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), ne = env_of(&NE);
	principal fp, cw, ne_fp;
	load(&PT, "focal.point@demo.ponte.example", &fp);
	load(&PT, "case.worker@demo.ponte.example", &cw);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	case_input in = { .first_name = "Hadiza",
			  .second_name = "Probe-Surname-771",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, consent_id, ref;
	consent_id = registered_with_consent(&cw, &in, "identity,victim", &case_id);
	/* Without referral.transnational, or without a consent: refused. */
	const char *why = NULL;
	assert_int_equal(trm_offer(&pt, &cw, case_id, ne_self.instance_id, consent_id,
				   clock_wall_ms(), &ref, &why),
			 PONTE_EDENIED);
	assert_int_equal(trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id + 99,
				   clock_wall_ms(), &ref, &why),
			 PONTE_EINVAL);
	/* Niger is "down": its address answers nothing. */
	store_conn *c;
	assert_int_equal(store_conn_get(PT.db, &c), 0);
	assert_int_equal(
	    store_exec(c, "UPDATE trm_peers SET url = 'http://127.0.0.1:9' WHERE country = 'NE'"),
	    0);
	int64_t t0 = clock_wall_ms();
	assert_int_equal(
	    trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id, t0, &ref, &why), 0);
	size_t sent = 0;
	int64_t offers = count(&NE, REFERRALS_IN);
	assert_int_equal(trm_deliver_due(&pt, t0, 16, &sent), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(count(&PT, PENDING_PT), 1); /* kept, with its error, for later */
	/* Retried at once: not due yet (back-off). */
	assert_int_equal(trm_deliver_due(&pt, t0 + 100, 16, &sent), 0);
	assert_int_equal(sent, 0);
	/* Ten minutes later, Niger answers again. */
	char url[64], sql[160];
	url_of(&NE, url, sizeof(url));
	snprintf(sql, sizeof(sql), "UPDATE trm_peers SET url = '%s' WHERE country = 'NE'", url);
	assert_int_equal(store_exec(c, sql), 0);
	assert_int_equal(trm_deliver_due(&pt, t0 + 600000, 16, &sent), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(trm_deliver_due(&pt, t0 + 1200000, 16, &sent), 0);
	assert_int_equal(sent, 0); /* delivered: never sent again */
	assert_int_equal(count(&NE, REFERRALS_IN), offers + 1);
	/* Niger's acknowledgement goes back the same way. */
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	assert_true(sent >= 1);
	assert_int_equal(count(&PT, OUT_STATE), 1);
	/* Niger's focal point accepts; Portugal learns it. */
	int64_t in_ref = count(&NE, "SELECT max(id) FROM trm_referrals WHERE direction = 'in'");
	assert_int_equal(trm_answer(&ne, &ne_fp, in_ref, true, "", clock_wall_ms()), 0);
	assert_int_equal(trm_answer(&ne, &ne_fp, in_ref, false, "Not a code", clock_wall_ms()),
			 PONTE_EINVAL);
	assert_int_equal(trm_answer(&ne, &ne_fp, in_ref, false, "no_capacity", clock_wall_ms()),
			 PONTE_ECONFLICT);
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(count(&PT, OUT_ACCEPTED), 1);
	/* Niger follows the service; Portugal learns how it ended, with the feedback. */
	assert_int_equal(trm_update(&ne, &ne_fp, in_ref, "completed", "", clock_wall_ms()),
			 PONTE_ECONFLICT); /* not in service yet */
	assert_int_equal(trm_update(&ne, &ne_fp, in_ref, "in_service", "", clock_wall_ms()), 0);
	/* Feedback the peer would refuse (over 500 characters) is refused here first. */
	char long_feedback[700];
	snprintf(long_feedback, sizeof(long_feedback), "%0600d", 0);
	const char *why_not = NULL;
	assert_int_equal(
	    trm_act(&ne, &ne_fp, in_ref, "completed", long_feedback, clock_wall_ms(), &why_not),
	    PONTE_EINVAL);
	assert_non_null(why_not);
	assert_int_equal(
	    trm_update(&ne, &ne_fp, in_ref, "completed", long_feedback, clock_wall_ms()),
	    PONTE_EINVAL);
	assert_int_equal(
	    trm_update(&ne, &ne_fp, in_ref, "completed", "Reunited with family", clock_wall_ms()),
	    0);
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(count(&PT,
			       "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND "
			       "state = 'completed' AND reason = 'Reunited with family'"),
			 1);
	/* The consent is withdrawn: Niger purges the payload and says so. */
	assert_int_equal(trm_withdraw(&pt, &fp, ref, clock_wall_ms()), 0);
	assert_int_equal(trm_deliver_due(&pt, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(count(&NE, PURGED), 1);
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(count(&PT, "SELECT count(*) FROM trm_inbox WHERE type = 'purged'"), 1);
	/* Nothing readable of the person in Niger's database files. */
	assert_false(on_disk(&NE, "Probe-Surname-771"));
}

static void deliver_both(void)
{
	keyed_store pt = env_of(&PT), ne = env_of(&NE);
	for (int round = 0; round < 6; round++) {
		size_t a = 0, b = 0;
		assert_int_equal(trm_deliver_due(&pt, clock_wall_ms(), 64, &a), 0);
		assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 64, &b), 0);
		if (!a && !b)
			return;
	}
	fail_msg("the instances kept talking");
}

/* The person withdraws the consent, recorded by the case worker over the API: the two offers
 * made under it (one accepted, one declined) are withdrawn in the same transaction and counted,
 * Niger purges both and confirms; an offer of the same case under another consent stays. */
static void withdrawing_the_consent_withdraws_the_referrals_abroad(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), ne = env_of(&NE);
	principal fp, cw, ne_fp;
	load(&PT, "focal.point@demo.ponte.example", &fp);
	load(&PT, "case.worker@demo.ponte.example", &cw);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	case_input in = { .first_name = "Rakia",
			  .second_name = "Withdrawn-Surname-614",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, consent_id, other_consent, accepted, declined, kept;
	consent_id = registered_with_consent(&cw, &in, "identity,victim", &case_id);
	consent_input ci = { .purpose = "transnational_referral",
			     .categories = "identity",
			     .legal_basis = "consent",
			     .language = "pt",
			     .text_version = "v2",
			     .given_by = "person",
			     .given_on = "2026-01-11" };
	field_errors re;
	assert_int_equal(consent_add(&pt, &cw, case_id, &ci, &other_consent, &re), 0);
	const char *why = NULL;
	int64_t t = clock_wall_ms();
	assert_int_equal(
	    trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id, t, &accepted, &why), 0);
	assert_int_equal(
	    trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id, t, &declined, &why), 0);
	assert_int_equal(
	    trm_offer(&pt, &fp, case_id, ne_self.instance_id, other_consent, t, &kept, &why), 0);
	deliver_both();
	int64_t last = count(&NE, "SELECT max(id) FROM trm_referrals WHERE direction = 'in'");
	int64_t ne_accepted = last - 2, ne_declined = last - 1, ne_kept = last;
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_accepted, true, "", clock_wall_ms()), 0);
	assert_int_equal(
	    trm_answer(&ne, &ne_fp, ne_declined, false, "no_capacity", clock_wall_ms()), 0);
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_kept, true, "", clock_wall_ms()), 0);
	deliver_both();
	/* The case worker records the withdrawal over the API. */
	ht_current = &PT;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	char auth[200], path[100];
	bearer("case.worker@demo.ponte.example", auth, sizeof(auth));
	const char *h[] = { auth, "Content-Type: application/json", NULL };
	snprintf(path, sizeof(path), "/api/v1/consents/%lld/withdraw", (long long)consent_id);
	struct ht_resp r;
	assert_int_equal(ht_request(PT.port, "POST", path, "{}", 2, h, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"referrals_withdrawn\":2"));
	ht_free(&r);
	arena a;
	arena_init(&a, 1u << 20);
	trm_referral x;
	assert_int_equal(trm_referral_get(&pt, &a, &fp, accepted, &x), 0);
	assert_string_equal(x.state, "withdrawn");
	assert_int_equal(trm_referral_get(&pt, &a, &fp, declined, &x), 0);
	assert_string_equal(x.state, "withdrawn");
	assert_int_equal(trm_referral_get(&pt, &a, &fp, kept, &x), 0);
	assert_string_equal(x.state, "accepted");
	/* The withdrawal reaches Niger, which purges both and confirms each. */
	int64_t purged_before = count(
	    &PT, "SELECT count(*) FROM trm_inbox WHERE type = 'purged' AND in_reply_to <> ''");
	deliver_both();
	assert_int_equal(trm_referral_get(&ne, &a, &ne_fp, ne_accepted, &x), 0);
	assert_string_equal(x.state, "withdrawn");
	assert_string_equal(x.payload, "");
	assert_int_equal(trm_referral_get(&ne, &a, &ne_fp, ne_declined, &x), 0);
	assert_string_equal(x.state, "withdrawn");
	assert_string_equal(x.payload, "");
	assert_int_equal(trm_referral_get(&ne, &a, &ne_fp, ne_kept, &x), 0);
	assert_string_equal(x.state, "accepted");
	assert_non_null(strstr(x.payload, "Withdrawn-Surname-614"));
	assert_int_equal(
	    count(&PT,
		  "SELECT count(*) FROM trm_inbox WHERE type = 'purged' AND in_reply_to <> ''"),
	    purged_before + 2);
	/* Niger's focal point no longer reads the person over the API either. */
	ht_current = &NE;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	bearer("focal.point@demo.ponte.example", auth, sizeof(auth));
	const char *hn[] = { auth, NULL };
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld",
		 (long long)ne_accepted);
	ht_get(NE.port, path, hn, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Withdrawn-Surname-614"));
	assert_non_null(strstr(r.body, "\"state\":\"withdrawn\""));
	ht_free(&r);
	/* Withdrawn already: 409, nothing more leaves. */
	ht_current = &PT;
	int64_t pending = count(&PT, PENDING_PT);
	bearer("case.worker@demo.ponte.example", auth, sizeof(auth));
	snprintf(path, sizeof(path), "/api/v1/consents/%lld/withdraw", (long long)consent_id);
	assert_int_equal(ht_request(PT.port, "POST", path, "{}", 2, h, &r), CURLE_OK);
	assert_int_equal(r.status, 409);
	ht_free(&r);
	assert_int_equal(count(&PT, PENDING_PT), pending);
	arena_release(&a);
}

/* count() of a statement about one offer (?1, its message id). */
static int64_t count_of_offer(struct ht_server *s, const char *sql, const char *offer)
{
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(s->db, &c), 0);
	assert_int_equal(store_prepare(c, sql, &st), 0);
	store_bind_text(st, 1, offer, strlen(offer));
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int64(st, 0);
	store_reset(st);
	return n;
}

static const char OFFER_PENDING[] = "SELECT count(*) FROM trm_outbox WHERE state = 'pending' AND "
				    "type = 'referral_offer' AND message_id = ?1";
static const char OFFER_STOPPED[] =
    "SELECT count(*) FROM trm_outbox WHERE message_id = ?1 AND state = 'failed' AND "
    "last_error = 'withdrawn before delivery' AND attempts = 1";
static const char OFFER_SEEN[] = "SELECT count(*) FROM trm_inbox WHERE message_id = ?1";
static const char OFFER_HELD[] = "SELECT count(*) FROM trm_referrals WHERE offer_id = ?1";
static const char OFFER_WITHDRAWN[] =
    "SELECT count(*) FROM trm_inbox WHERE type = 'withdrawal' AND in_reply_to = ?1";
static const char PURGED_PT[] = "SELECT count(*) FROM trm_inbox WHERE type = 'purged'";

/* Portugal offers a case to Niger while Niger's address answers nothing; the person withdraws
 * the consent before Niger is back. The offer waiting in the outbox never leaves: when Niger
 * answers again it receives only the withdrawal (of an offer it never held) and confirms, and
 * the person's name is nowhere in Niger's database. It once arrived first and was purged
 * after. */
static void an_offer_waiting_for_a_peer_that_is_down_never_leaves_once_withdrawn(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), ne = env_of(&NE);
	principal fp, cw;
	load(&PT, "focal.point@demo.ponte.example", &fp);
	load(&PT, "case.worker@demo.ponte.example", &cw);
	case_input in = { .first_name = "Zeinabou",
			  .second_name = "Never-Left-Surname-438",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, consent_id, ref;
	consent_id = registered_with_consent(&cw, &in, "identity,victim", &case_id);
	deliver_both(); /* nothing else on the way */
	store_conn *c;
	assert_int_equal(store_conn_get(PT.db, &c), 0);
	assert_int_equal(
	    store_exec(c, "UPDATE trm_peers SET url = 'http://127.0.0.1:9' WHERE country = 'NE'"),
	    0);
	const char *why = NULL;
	int64_t t0 = clock_wall_ms();
	assert_int_equal(
	    trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id, t0, &ref, &why), 0);
	size_t sent = 0;
	assert_int_equal(trm_deliver_due(&pt, t0, 16, &sent), 0);
	assert_int_equal(sent, 0);
	arena a;
	arena_init(&a, 1u << 16);
	trm_referral x;
	assert_int_equal(trm_referral_get(&pt, &a, &fp, ref, &x), 0);
	char offer[CRYPTO_UUID];
	store_stmt *st;
	assert_int_equal(store_prepare(c, "SELECT offer_id FROM trm_referrals WHERE id = ?1", &st),
			 0);
	store_bind_int64(st, 1, ref);
	assert_int_equal(store_step(st), STORE_ROW);
	snprintf(offer, sizeof(offer), "%s", store_col_text(st, 0, NULL));
	store_reset(st);
	assert_int_equal(count_of_offer(&PT, OFFER_PENDING, offer), 1);
	/* The case worker records the withdrawal while Niger is still down. */
	size_t national, abroad;
	assert_int_equal(trm_consent_withdraw(&pt, &cw, consent_id, t0 + 1000, &national, &abroad),
			 0);
	assert_int_equal(abroad, 1);
	assert_int_equal(count_of_offer(&PT, OFFER_PENDING, offer), 0); /* the same transaction */
	assert_int_equal(trm_referral_get(&pt, &a, &fp, ref, &x), 0);
	assert_string_equal(x.state, "withdrawn");
	arena_release(&a);
	/* Niger is back ten minutes later: what leaves is the withdrawal, and Niger confirms. */
	char url[64], sql[160];
	url_of(&NE, url, sizeof(url));
	snprintf(sql, sizeof(sql), "UPDATE trm_peers SET url = '%s' WHERE country = 'NE'", url);
	assert_int_equal(store_exec(c, sql), 0);
	int64_t purged = count(&PT, PURGED_PT);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(trm_deliver_due(&pt, t0 + i * 600000, 16, &sent), 0);
		assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	}
	assert_int_equal(count(&PT, PENDING_PT), 0);
	assert_int_equal(count_of_offer(&NE, OFFER_SEEN, offer), 0);
	assert_int_equal(count_of_offer(&NE, OFFER_HELD, offer), 0);
	assert_int_equal(count_of_offer(&NE, OFFER_WITHDRAWN, offer), 1);
	assert_int_equal(count(&PT, PURGED_PT), purged + 1);
	/* The outbox says why the offer never left. */
	assert_int_equal(count_of_offer(&PT, OFFER_STOPPED, offer), 1);
	/* Nothing of the person in Niger's database files. */
	assert_false(on_disk(&NE, "Never-Left-Surname-438"));
}

/* An offer that cannot be made says why in the caller's language, over the API and on the
 * wizard: the consent withdrawn, the instance unknown. */
static void an_offer_refused_says_why_in_the_callers_language(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT);
	principal cw;
	load(&PT, "case.worker@demo.ponte.example", &cw);
	case_input in = { .first_name = "Mariama", .second_name = "Language-Probe" };
	int64_t case_id, consent_id = registered_with_consent(&cw, &in, "identity", &case_id);
	size_t national, abroad;
	assert_int_equal(
	    trm_consent_withdraw(&pt, &cw, consent_id, clock_wall_ms(), &national, &abroad), 0);
	ht_current = &PT;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	char auth[200], path[200], body[200];
	bearer("focal.point@demo.ponte.example", auth, sizeof(auth)); /* a Portuguese user */
	const char *h[] = { auth, "Content-Type: application/json", NULL };
	struct {
		const char *lang, *peer, *words;
	} cases[] = {
		{ "", ne_self.instance_id, "precisa de um consentimento deste caso" },
		{ "?lang=fr", ne_self.instance_id, "nécessite un consentement de ce dossier" },
		{ "?lang=en", ne_self.instance_id, "needs a consent of this case" },
		{ "", "00000000-0000-4000-8000-00000000abcd", "Escolha uma instância ligada." },
		{ "?lang=fr", "00000000-0000-4000-8000-00000000abcd",
		  "Choisissez une instance connectée." },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(path, sizeof(path), "/api/v1/cases/%lld/transnational-referrals%s",
			 (long long)case_id, cases[i].lang);
		snprintf(body, sizeof(body), "{\"peer\":\"%s\",\"consent\":%lld}", cases[i].peer,
			 (long long)consent_id);
		struct ht_resp r;
		assert_int_equal(ht_request(PT.port, "POST", path, body, (long)strlen(body), h, &r),
				 CURLE_OK);
		if (r.status != 422 || !strstr(r.body, cases[i].words))
			fail_msg("%s %s: %ld %s", cases[i].lang, cases[i].words, r.status, r.body);
		ht_free(&r);
	}
	/* The wizard's preview says it in Portuguese too. */
	struct web_session w;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *hw[] = { w.cookie, NULL };
	snprintf(path, sizeof(path), "/cases/%lld/transnational?country=NE&peer=%s&consent=%lld",
		 (long long)case_id, ne_self.instance_id, (long long)consent_id);
	struct ht_resp r;
	ht_get(PT.port, path, hw, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "precisa de um consentimento deste caso"));
	ht_free(&r);
}

/* The pages: the focal point walks the wizard (country, instance, consent), sees exactly the
 * fields that will leave, sends; Niger's focal point reads the offer and accepts it. */
static void the_wizard_previews_what_leaves_and_the_inbox_answers(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), ne = env_of(&NE);
	principal cw;
	load(&PT, "case.worker@demo.ponte.example", &cw);
	case_input in = { .first_name = "Zeinabou",
			  .second_name = "Wizard-Probe",
			  .mobile_phone = "+351 910 000 777",
			  .gender = "Feminine" };
	int64_t case_id, consent_id;
	consent_id = registered_with_consent(&cw, &in, "identity", &case_id);
	ht_current = &PT;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &w),
			 303);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	char path[300];
	snprintf(path, sizeof(path), "/cases/%lld/transnational", (long long)case_id);
	ht_get(PT.port, path, h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "?country=NE"));
	ht_free(&r);
	snprintf(path, sizeof(path), "/cases/%lld/transnational?country=NE&peer=%s&consent=%lld",
		 (long long)case_id, ne_self.instance_id, (long long)consent_id);
	ht_get(PT.port, path, h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "id=\"preview\""));
	/* Each member by its name in the reader's words, its code kept beside (issue #14). */
	const char *member = strstr(r.body, "<td data-name=\"prs_SecondName\">Apelido</td>");
	assert_non_null(member);
	assert_non_null(strstr(member, "</td><td>Wizard-Probe"));
	assert_non_null(strstr(r.body, "<td data-code=\"Feminine\">Feminino</td>"));
	assert_null(strstr(r.body, "prs_MobilePhone")); /* contact was not consented */
	assert_null(strstr(r.body, "910 000 777"));
	ht_free(&r);
	char fields[300];
	snprintf(fields, sizeof(fields), "peer=%s&consent=%lld", ne_self.instance_id,
		 (long long)consent_id);
	snprintf(path, sizeof(path), "/cases/%lld/transnational", (long long)case_id);
	assert_int_equal(form_post(&w, path, fields, &r), 303);
	ht_free(&r);
	ht_get(PT.port, "/trm", h, &r);
	assert_non_null(strstr(r.body, "id=\"sent\""));
	ht_free(&r);
	size_t sent;
	assert_int_equal(trm_deliver_due(&pt, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(sent, 1);
	/* Niger's focal point sees the person and accepts. */
	ht_current = &NE;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session nw;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &nw),
			 303);
	const char *hn[] = { nw.cookie, NULL };
	ht_get(NE.port, "/trm", hn, &r);
	assert_non_null(strstr(r.body, "Wizard-Probe"));
	assert_non_null(strstr(r.body, "<dd data-code=\"Feminine\">Feminino</dd>"));
	assert_non_null(strstr(r.body, "(Portugal) · <span data-state=\"delivered\">"));
	const char *form = strstr(r.body, "action=\"/trm/");
	assert_non_null(form);
	long id = strtol(form + strlen("action=\"/trm/"), NULL, 10);
	ht_free(&r);
	/* Every form about the referral posts to its page: a decline without its reason is
	 * answered there with the page, and loading that address again shows it (it was
	 * /trm/{id}/decline, which answered 405). */
	snprintf(path, sizeof(path), "/trm/%ld", id);
	assert_int_equal(form_post(&nw, path, "do=decline&reason=", &r), 422);
	assert_non_null(strstr(r.body, "role=\"alert\""));
	ht_free(&r);
	ht_get(NE.port, path, hn, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	assert_int_equal(form_post(&nw, path, "do=sideways", &r), 404);
	ht_free(&r);
	assert_int_equal(form_post(&nw, path, "do=accept", &r), 303);
	ht_free(&r);
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 16, &sent), 0);
	ht_current = &PT;
	ht_get(PT.port, "/trm", h, &r);
	assert_non_null(strstr(r.body, "data-state=\"accepted\">aceite</a>"));
	ht_free(&r);
	/* The hop's messages in order: the offer sent and delivered, its acknowledgement and the
	 * acceptance received. */
	int64_t out = count(&PT, "SELECT max(id) FROM trm_referrals WHERE direction = 'out'");
	snprintf(path, sizeof(path), "/trm/%lld", (long long)out);
	ht_get(PT.port, path, h, &r);
	assert_int_equal(r.status, 200);
	const char *offer = strstr(r.body, "data-type=\"referral_offer\"");
	const char *ack = strstr(r.body, "data-type=\"delivered\"");
	const char *yes = strstr(r.body, "data-type=\"accepted\"");
	assert_non_null(offer);
	assert_non_null(ack);
	assert_non_null(yes);
	assert_true(offer < ack && ack < yes);
	ht_free(&r);
	/* A case worker, who does not refer across borders, does not read it: as if it did not
	 * exist. */
	struct web_session cws;
	assert_int_equal(web_login("case.worker%40demo.ponte.example", DEMO_PASSWORD, NULL, &cws),
			 303);
	const char *hc[] = { cws.cookie, NULL };
	ht_get(PT.port, path, hc, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
}

/* Administrators see the identity to send, register a peer only with its fingerprint, revoke
 * it, and read the outbox. */
static void administrators_manage_peers_on_a_page(void **state)
{
	(void)state;
	ht_current = &PT;
	keyed_store env = env_of(&PT);
	organisation admin_org = {
		0, "ADMIN", "Administration", "PT", "CentralGovernmentOrganisation", 0, false
	};
	assert_int_equal(org_add(PT.db, &admin_org, NULL), 0);
	user_input admin = { .email = DEMO_ADMIN_EMAIL,
			     .name = "Administrator",
			     .organisation_code = "ADMIN",
			     .roles = { "administrator" },
			     .nroles = 1,
			     .password = DEMO_PASSWORD };
	int problem;
	assert_int_equal(user_add(&env, &admin, NULL, &problem), 0);
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	const char *h[] = { w.cookie, NULL };
	struct ht_resp r;
	ht_get(PT.port, "/admin/peers", h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, pt_self.fingerprint));
	assert_non_null(strstr(r.body, ne_self.fingerprint));
	assert_non_null(strstr(r.body, "id=\"outbox\""));
	assert_non_null(strstr(r.body, "referral_offer"));
	assert_null(strstr(r.body, "id=\"no-address\""));
	ht_free(&r);
	/* Without a public address the page says that peers cannot register this instance. */
	assert_int_equal(ht_exec("UPDATE trm_identity SET url = ''"), 1);
	ht_get(PT.port, "/admin/peers", h, &r);
	assert_non_null(strstr(r.body, "id=\"no-address\""));
	ht_free(&r);
	char own[64];
	url_of(&PT, own, sizeof(own));
	assert_int_equal(trm_identity_set_url(PT.db, own), 0);
	/* A third instance, its fingerprint misread: refused. */
	unsigned char spk[CRYPTO_SIGN_PK], ssk[CRYPTO_SIGN_SK], bpk[CRYPTO_BOX_PK],
	    bsk[CRYPTO_BOX_SK];
	crypto_instance_keys(NULL, spk, ssk, bpk, bsk);
	trm_self third = { .name = "Mali", .country = "ML", .url = "https://ponte.example.ml" };
	crypto_uuid(third.instance_id);
	memcpy(third.sign_pk, spk, sizeof(spk));
	memcpy(third.box_pk, bpk, sizeof(bpk));
	crypto_fingerprint(spk, bpk, third.fingerprint);
	buf json, form;
	buf_init(&json, 4096);
	buf_init(&form, 8192);
	assert_int_equal(trm_identity_json(&third, &json), 0);
	buf_puts(&form, "identity=");
	url_encode_component(&form, json.data, json.len);
	buf_printf(&form, "&fingerprint=AAAA-%s", third.fingerprint + 5);
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 422);
	assert_non_null(strstr(r.body, "fingerprint"));
	ht_free(&r);
	form.len = 0;
	buf_puts(&form, "identity=");
	url_encode_component(&form, json.data, json.len);
	buf_printf(&form, "&fingerprint=%s", third.fingerprint);
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 303);
	ht_free(&r);
	char revoke[128];
	snprintf(revoke, sizeof(revoke), "instance_id=%s&confirm=yes", third.instance_id);
	assert_int_equal(form_post(&w, "/admin/peers/revoke", revoke, &r), 303);
	ht_free(&r);
	ht_get(PT.port, "/admin/peers", h, &r);
	assert_non_null(strstr(r.body, "Mali"));
	ht_free(&r);
	trm_peer p;
	assert_int_equal(trm_peer_find(PT.db, &A, third.instance_id, &p), 0);
	assert_string_equal(p.state, "revoked");
	/* New keys from the page: announced to Niger (the active peer), which takes them. */
	assert_int_equal(form_post(&w, "/admin/peers/rotate", "x=1", &r), 303);
	ht_free(&r);
	trm_self rotated;
	assert_int_equal(trm_identity_get(&env, &A, &rotated), 0);
	assert_string_not_equal(rotated.fingerprint, pt_self.fingerprint);
	ht_get(PT.port, "/admin/peers", h, &r);
	assert_non_null(strstr(r.body, rotated.fingerprint));
	assert_non_null(strstr(r.body, "key_rotation"));
	ht_free(&r);
	size_t sent;
	assert_int_equal(trm_deliver_due(&env, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(trm_peer_find(NE.db, &A, pt_self.instance_id, &p), 0);
	assert_string_equal(p.fingerprint, rotated.fingerprint);
	pt_self = rotated;
	buf_release(&json);
	buf_release(&form);
}

static int count_overdue(int64_t ref_id, int64_t case_id, const char *peer, const char *country,
			 const char *created_at, void *ctx)
{
	(void)ref_id, (void)case_id, (void)peer, (void)created_at;
	assert_string_equal(country, "NE");
	(*(int *)ctx)++;
	return 0;
}

/* The fingerprint shown in a page's code element with that id. */
static void shown_fingerprint(const char *body, const char *id, char out[CRYPTO_FINGERPRINT])
{
	char needle[64];
	snprintf(needle, sizeof(needle), "id=\"%s\">", id);
	const char *at = strstr(body, needle);
	assert_non_null(at);
	snprintf(out, CRYPTO_FINGERPRINT, "%.19s", at + strlen(needle));
}

/* The identity carried by the confirmation form, form-encoded for posting it back. */
static void carried_identity(const char *body, buf *out)
{
	const char *at = strstr(body, "name=\"identity\" value=\"");
	assert_non_null(at);
	at += strlen("name=\"identity\" value=\"");
	size_t n = strcspn(at, "\"");
	/* The page escapes the JSON for the attribute: undo &quot; and &amp;. */
	buf raw;
	buf_init(&raw, 8192);
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(at + i, "&quot;", 6)) {
			buf_putc(&raw, '"');
			i += 5;
		} else if (!strncmp(at + i, "&amp;", 5)) {
			buf_putc(&raw, '&');
			i += 4;
		} else if (!strncmp(at + i, "&#39;", 5)) {
			buf_putc(&raw, '\'');
			i += 4;
		} else {
			buf_putc(&raw, at[i]);
		}
	}
	buf_puts(out, "identity=");
	url_encode_component(out, raw.data, raw.len);
	buf_release(&raw);
}

static const char PEER_AUDIT[] =
    "SELECT count(*) FROM audit_events WHERE action = 'trm.peer_added' AND outcome = 'failure'";
static const char REVOKED_AUDIT[] =
    "SELECT count(*) FROM audit_events WHERE action = 'trm.peer_revoked' AND object_type = 'peer'";

/* An administrator adds a peer from its address: the identity fetched, its fingerprint shown
 * and typed as read over the phone (a wrong one refused); a peer that is down or silent is
 * reported within the bound; the peer's state, stuck messages tried again, its trust renewed
 * after it changed keys, revoked only after a confirmation; nobody else may do any of it. */
static void administrators_add_and_watch_peers_from_the_page(void **state)
{
	(void)state;
	ht_current = &PT;
	static struct ht_server ML;
	ht_start(&ML);
	keyed_store ml_env = env_of(&ML);
	assert_int_equal(instance_set(ML.db, "Mali national focal point", "ML"), 0);
	assert_int_equal(trm_identity_ensure(&ml_env), 0);
	char ml_url[64], fields[1024];
	url_of(&ML, ml_url, sizeof(ml_url));
	assert_int_equal(trm_identity_set_url(ML.db, ml_url), 0);
	trm_self ml;
	assert_int_equal(trm_identity_get(&ml_env, &A, &ml), 0);
	struct ht_resp r;
	/* Every instance publishes its identity. */
	ht_get(ML.port, "/fed/v1/identity", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, ml.fingerprint));
	assert_non_null(strstr(r.body, ml.instance_id));
	ht_free(&r);

	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login("admin%40demo.ponte.example", DEMO_PASSWORD, NULL, &w), 303);
	const char *h[] = { w.cookie, NULL };
	/* Fetched from its address (a trailing slash is fine): shown, asked for, not registered. */
	snprintf(fields, sizeof(fields), "do=fetch&url=%s%%2F", ml_url);
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 200);
	char shown[CRYPTO_FINGERPRINT];
	shown_fingerprint(r.body, "fetched-fingerprint", shown);
	assert_string_equal(shown, ml.fingerprint);
	assert_non_null(strstr(r.body, "id=\"fetched-heard\""));
	assert_non_null(strstr(r.body, "Mali national focal point"));
	trm_peer p;
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), PONTE_ENOTFOUND);
	buf form;
	buf_init(&form, 8192);
	carried_identity(r.body, &form);
	ht_free(&r);
	/* A fingerprint misheard: refused, audited, nothing registered. */
	size_t base = form.len;
	int64_t refused = count(&PT, PEER_AUDIT);
	buf_printf(&form, "&do=register&fingerprint=%.14sAAAA", ml.fingerprint);
	if (strstr(form.data + base, ml.fingerprint))
		buf_printf(&form, "B");
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	assert_non_null(strstr(r.body, "fingerprint does not match"));
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), PONTE_ENOTFOUND);
	assert_int_equal(count(&PT, PEER_AUDIT), refused + 1);
	/* Read right: registered. */
	form.len = base;
	form.data[base] = '\0';
	buf_printf(&form, "&do=register&fingerprint=%s", ml.fingerprint);
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 303);
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), 0);
	assert_string_equal(p.state, "active");

	/* Nobody listening: a clear answer at once. A listener that never answers: within the
	 * bound, not a hung page. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	socklen_t alen = sizeof(addr);
	getsockname(s, (struct sockaddr *)&addr, &alen);
	unsigned silent = ntohs(addr.sin_port);
	snprintf(fields, sizeof(fields), "do=fetch&url=http%%3A%%2F%%2F127.0.0.1%%3A%u", silent);
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 422); /* bound, not listening */
	assert_non_null(strstr(r.body, "No instance could be reached"));
	assert_non_null(strstr(r.body, "value=\"http://127.0.0.1:")); /* the address kept */
	ht_free(&r);
	assert_int_equal(listen(s, 4), 0);
	int64_t t0 = clock_wall_ms();
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 422);
	int64_t took = clock_wall_ms() - t0;
	assert_true(took >= (TRM_FETCH_TIMEOUT_S - 1) * 1000 &&
		    took < (TRM_FETCH_TIMEOUT_S + 3) * 1000);
	assert_non_null(strstr(r.body, "did not answer within 5 seconds"));
	ht_free(&r);
	close(s);
	/* Not an address peers may be reached at. */
	assert_int_equal(form_post(&w, "/admin/peers", "do=fetch&url=http%3A%2F%2Fexample.org", &r),
			 422);
	assert_non_null(strstr(r.body, "https://"));
	ht_free(&r);

	/* Nobody else: a focal point and a case worker are refused, and a post without the
	 * session's CSRF token too. */
	const char *who[] = { "focal.point%40demo.ponte.example",
			      "case.worker%40demo.ponte.example" };
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		struct web_session o;
		assert_int_equal(web_login(who[i], DEMO_PASSWORD, NULL, &o), 303);
		const char *oh[] = { o.cookie, NULL };
		ht_get(PT.port, "/admin/peers", oh, &r);
		assert_int_equal(r.status, 403);
		ht_free(&r);
		snprintf(fields, sizeof(fields), "do=fetch&url=%s", ml_url);
		assert_int_equal(form_post(&o, "/admin/peers", fields, &r), 403);
		ht_free(&r);
		snprintf(fields, sizeof(fields), "do=retry&instance_id=%s", ml.instance_id);
		assert_int_equal(form_post(&o, "/admin/peers", fields, &r), 403);
		ht_free(&r);
		snprintf(fields, sizeof(fields), "instance_id=%s&confirm=yes", ml.instance_id);
		assert_int_equal(form_post(&o, "/admin/peers/revoke", fields, &r), 403);
		ht_free(&r);
	}
	const char *nocsrf[] = { w.cookie, "Content-Type: application/x-www-form-urlencoded",
				 NULL };
	snprintf(fields, sizeof(fields), "instance_id=%s&confirm=yes", ml.instance_id);
	assert_int_equal(ht_request(PT.port, "POST", "/admin/peers/revoke", fields,
				    (long)strlen(fields), nocsrf, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 403);
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), 0);
	assert_string_equal(p.state, "active");

	/* Mali changes its keys outside a rotation (a lost key): checking its identity shows the
	 * new fingerprint; renewed only when read right. */
	assert_int_equal(trm_keys_rotate(&ml_env, clock_wall_ms()), 0);
	assert_int_equal(trm_identity_get(&ml_env, &A, &ml), 0);
	assert_string_not_equal(ml.fingerprint, p.fingerprint);
	snprintf(fields, sizeof(fields), "do=fetch&url=%s", ml_url);
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 200);
	shown_fingerprint(r.body, "fetched-fingerprint", shown);
	assert_string_equal(shown, ml.fingerprint);
	assert_non_null(strstr(r.body, "value=\"renew\""));
	form.len = 0;
	carried_identity(r.body, &form);
	ht_free(&r);
	base = form.len;
	buf_printf(&form, "&do=renew&fingerprint=%s", p.fingerprint); /* the old one */
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 422);
	ht_free(&r);
	form.len = base;
	form.data[base] = '\0';
	buf_printf(&form, "&do=renew&fingerprint=%s", ml.fingerprint);
	assert_int_equal(form_post(&w, "/admin/peers", form.data, &r), 303);
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), 0);
	assert_string_equal(p.fingerprint, ml.fingerprint);
	/* Checked again: nothing to do. */
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 200);
	assert_non_null(strstr(r.body, "id=\"fetched-same\""));
	ht_free(&r);

	/* Mali goes down; Portugal's new keys cannot reach it: the page says so, and tries again
	 * on demand. */
	ht_stop(&ML);
	keyed_store pt = env_of(&PT);
	assert_int_equal(form_post(&w, "/admin/peers/rotate", "x=1", &r), 303);
	ht_free(&r);
	size_t sent;
	assert_int_equal(trm_deliver_due(&pt, clock_wall_ms(), 16, &sent), 0);
	assert_int_equal(trm_identity_get(&pt, &A, &pt_self), 0);
	ht_get(PT.port, "/admin/peers", h, &r);
	assert_int_equal(r.status, 200);
	char row[128];
	snprintf(row, sizeof(row), "data-instance=\"%s\"", ml.instance_id);
	const char *at = strstr(r.body, row);
	assert_non_null(at);
	const char *next_row = strstr(at, "</tr>");
	const char *retrying = strstr(at, "class=\"retrying\">1<");
	assert_true(retrying && retrying < next_row);
	const char *button = strstr(at, "value=\"retry\"");
	assert_true(button && button < next_row);
	const char *never = strstr(at, "never"); /* nothing received from Mali, nothing delivered */
	assert_true(never && never < next_row);
	ht_free(&r);
	snprintf(fields, sizeof(fields), "do=retry&instance_id=%s", ml.instance_id);
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 303);
	char loc[256];
	assert_true(ht_header(&r, "Location", loc, sizeof(loc)));
	assert_non_null(strstr(loc, "retried=1"));
	ht_free(&r);
	{ /* due now: the time bound from C, as the sender's statements do (either store) */
		static const char due[] = "SELECT count(*) FROM trm_outbox o JOIN trm_peers p ON "
					  "p.id = o.peer_id WHERE p.country = 'ML' AND o.state = "
					  "'pending' AND o.next_attempt_at <= ?1";
		char now[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), now);
		store_conn *c;
		store_stmt *st;
		assert_int_equal(store_conn_get(PT.db, &c), 0);
		assert_int_equal(store_prepare(c, due, &st), 0);
		store_bind_text(st, 1, now, strlen(now));
		assert_int_equal(store_step(st), STORE_ROW);
		assert_int_equal(store_col_int64(st, 0), 1);
		store_reset(st);
	}

	/* Revoking asks first. */
	int64_t revoked = count(&PT, REVOKED_AUDIT);
	snprintf(fields, sizeof(fields), "instance_id=%s", ml.instance_id);
	assert_int_equal(form_post(&w, "/admin/peers/revoke", fields, &r), 303);
	assert_true(ht_header(&r, "Location", loc, sizeof(loc)));
	assert_non_null(strstr(loc, "/admin/peers?revoke="));
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), 0);
	assert_string_equal(p.state, "active");
	char path[128];
	snprintf(path, sizeof(path), "/admin/peers?revoke=%s", ml.instance_id);
	ht_get(PT.port, path, h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "id=\"confirm-revoke\""));
	assert_non_null(strstr(r.body, "Mali national focal point"));
	ht_free(&r);
	snprintf(fields, sizeof(fields), "instance_id=%s&confirm=yes", ml.instance_id);
	assert_int_equal(form_post(&w, "/admin/peers/revoke", fields, &r), 303);
	ht_free(&r);
	assert_int_equal(trm_peer_find(PT.db, &A, ml.instance_id, &p), 0);
	assert_string_equal(p.state, "revoked");
	assert_int_equal(count(&PT, REVOKED_AUDIT), revoked + 1);
	/* Nothing is tried again towards a revoked peer. */
	snprintf(fields, sizeof(fields), "do=retry&instance_id=%s", ml.instance_id);
	assert_int_equal(form_post(&w, "/admin/peers", fields, &r), 409);
	ht_free(&r);
	/* Niger, still up, took Portugal's new keys. */
	assert_int_equal(trm_peer_find(NE.db, &A, pt_self.instance_id, &p), 0);
	assert_string_equal(p.fingerprint, pt_self.fingerprint);
	buf_release(&form);
}

/* An offer not answered within the country's days is flagged to the sender's focal points. */
static void offers_not_answered_in_time_are_flagged(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT);
	principal fp, cw;
	load(&PT, "focal.point@demo.ponte.example", &fp);
	load(&PT, "case.worker@demo.ponte.example", &cw);
	case_input in = { .first_name = "Late", .second_name = "Answer" };
	int64_t case_id, consent_id, ref;
	consent_id = registered_with_consent(&cw, &in, "identity", &case_id);
	int before = 0, after = 0;
	arena a;
	arena_init(&a, 1 << 16);
	assert_int_equal(trm_overdue(&pt, &a, &fp, clock_wall_ms(), count_overdue, &before), 0);
	const char *why;
	int64_t eight_days_ago = clock_wall_ms() - 8LL * 24 * 3600 * 1000;
	assert_int_equal(trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id,
				   eight_days_ago, &ref, &why),
			 0);
	assert_int_equal(trm_overdue(&pt, &a, &fp, clock_wall_ms(), count_overdue, &after), 0);
	assert_int_equal(after, before + 1);
	/* Not for the case worker's scope of referral (none). */
	after = 0;
	assert_int_equal(trm_overdue(&pt, &a, &cw, clock_wall_ms(), count_overdue, &after), 0);
	assert_int_equal(after, 0);
	arena_release(&a);
}

/* Whether every coded value of a referral's page (a <dd data-code>) is written in Arabic
 * script, and how many there were. */
static size_t coded_values_in_arabic(const char *html)
{
	size_t n = 0;
	for (const char *p = strstr(html, "<dd data-code=\""); p;
	     p = strstr(p + 1, "<dd data-code=\"")) {
		const char *v = strchr(p, '>') + 1, *end = strstr(v, "</dd>");
		assert_non_null(end);
		bool arabic = false;
		for (const char *q = v; q < end; q++)
			arabic |= (unsigned char)*q >= 0xD8 && (unsigned char)*q <= 0xDB;
		if (!arabic)
			fail_msg("a coded value not in Arabic: %.*s", (int)(end - p), p);
		n++;
	}
	return n;
}

/* Codes travel, not words: a referral written in Portuguese in Portugal is read in Arabic by
 * Niger's focal point reading in Arabic, and Niger's answer (a decline reason, a code)
 * is read in Portuguese in Portugal and in Arabic in Niger, each side in its own words. */
static void codes_travel_and_each_side_reads_its_own_words(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT);
	principal fp, cw;
	load(&PT, "focal.point@demo.ponte.example", &fp);
	load(&PT, "case.worker@demo.ponte.example", &cw);
	case_input in = { .first_name = "Aminatou",
			  .second_name = "Codes-Probe",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, ref;
	int64_t consent_id = registered_with_consent(&cw, &in, "identity,victim", &case_id);
	const char *why = NULL;
	assert_int_equal(trm_offer(&pt, &fp, case_id, ne_self.instance_id, consent_id,
				   clock_wall_ms(), &ref, &why),
			 0);
	deliver_both();
	int64_t in_ref = count(&NE, "SELECT max(id) FROM trm_referrals WHERE direction = 'in'");
	char path[64];
	snprintf(path, sizeof(path), "/trm/%lld?lang=ar", (long long)in_ref);

	/* Niger reads the person in Arabic: gender, nationality and form of exploitation are
	 * Niger's own words for Portugal's codes. */
	ht_current = &NE;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session nw;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &nw),
			 303);
	const char *hn[] = { nw.cookie, NULL };
	struct ht_resp r;
	ht_get(NE.port, path, hn, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "dir=\"rtl\""));
	assert_non_null(strstr(r.body, "Codes-Probe"));
	assert_non_null(strstr(r.body, "<dd data-code=\"Feminine\">"));
	assert_non_null(strstr(r.body, "<dd data-code=\"NE\">النيجر</dd>"));
	assert_true(coded_values_in_arabic(r.body) >= 3);
	assert_null(strstr(r.body, "Feminino"));
	ht_free(&r);

	/* Niger declines for want of a place, from the Arabic page. */
	snprintf(path, sizeof(path), "/trm/%lld", (long long)in_ref);
	assert_int_equal(form_post(&nw, path, "do=decline&reason=no_capacity&from=page", &r), 303);
	ht_free(&r);
	snprintf(path, sizeof(path), "/trm/%lld?lang=ar", (long long)in_ref);
	ht_get(NE.port, path, hn, &r);
	assert_non_null(strstr(r.body, "لا يوجد مكان شاغر"));
	ht_free(&r);
	deliver_both();

	/* Portugal reads the reason in Portuguese, or in Arabic or French if its reader asks. */
	ht_current = &PT;
	struct web_session pw;
	assert_int_equal(web_login("focal.point%40demo.ponte.example", DEMO_PASSWORD, NULL, &pw),
			 303);
	const char *hp[] = { pw.cookie, NULL };
	static const struct {
		const char *lang, *reason, *country;
	} READ[] = {
		{ "", "Nenhum lugar livre", "Níger" },
		{ "?lang=ar", "لا يوجد مكان شاغر", "النيجر" },
		{ "?lang=fr", "Aucune place libre", "Niger" },
	};
	for (size_t i = 0; i < ARRAY_LEN(READ); i++) {
		snprintf(path, sizeof(path), "/trm/%lld%s", (long long)ref, READ[i].lang);
		ht_get(PT.port, path, hp, &r);
		assert_int_equal(r.status, 200);
		if (!strstr(r.body, READ[i].reason) || !strstr(r.body, READ[i].country))
			fail_msg("%s: not \"%s\" and \"%s\"", path, READ[i].reason,
				 READ[i].country);
		assert_null(strstr(r.body, "no_capacity<"));
		ht_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_fingerprint_must_match),
		cmocka_unit_test(bad_envelopes_are_refused_and_change_nothing),
		cmocka_unit_test(the_inbox_checks_every_member_like_local_input),
		cmocka_unit_test(an_offer_survives_a_peer_that_is_down_and_arrives_once),
		cmocka_unit_test(withdrawing_the_consent_withdraws_the_referrals_abroad),
		cmocka_unit_test(
		    an_offer_waiting_for_a_peer_that_is_down_never_leaves_once_withdrawn),
		cmocka_unit_test(an_offer_refused_says_why_in_the_callers_language),
		cmocka_unit_test(the_wizard_previews_what_leaves_and_the_inbox_answers),
		cmocka_unit_test(administrators_manage_peers_on_a_page),
		cmocka_unit_test(administrators_add_and_watch_peers_from_the_page),
		cmocka_unit_test(offers_not_answered_in_time_are_flagged),
		cmocka_unit_test(codes_travel_and_each_side_reads_its_own_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
