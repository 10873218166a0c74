/* Three instances on loopback (Portugal, Spain, Niger), each with its own database and keys.
 * Portugal knows Spain, Spain knows Niger, Portugal does not know Niger: a referral goes
 * through the two focal points to a provider in Niger and back to completion, every hop with
 * its own state and acknowledgements, Portugal seeing the whole route; documents (the return
 * handover, the child procedure) travel the same way; a withdrawal purges every copy; Spain
 * rotates its keys and nothing is lost. */
#include "httptest.h"

#include "base/clock.h"
#include "base/json_parse.h"
#include "base/log.h"
#include "cases/cases.h"
#include "referral/referral.h"
#include "trm/trm.h"

static struct ht_server PT, ES, NE;
static trm_self pt_self, es_self, ne_self;
static arena A;

static keyed_store env_of(struct ht_server *s)
{
	return (keyed_store){ s->db, s->keys };
}

static void introduce(struct ht_server *a, const trm_self *b)
{
	buf json;
	buf_init(&json, 4096);
	assert_int_equal(trm_identity_json(b, &json), 0);
	int64_t id;
	const char *why = NULL;
	assert_int_equal(trm_peer_add(a->db, json.data, json.len, b->fingerprint, &id, &why), 0);
	buf_release(&json);
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_set_fd(-1);
	arena_init(&A, 1u << 20);
	struct ht_server *all[] = { &PT, &ES, &NE };
	trm_self *selves[] = { &pt_self, &es_self, &ne_self };
	for (int i = 0; i < 3; i++)
		ht_start(all[i]);
	ht_current = &PT;
	assert_int_equal(instance_set(ES.db, "Spain national focal point", "ES"), 0);
	assert_int_equal(instance_set(NE.db, "Niger national focal point", "NE"), 0);
	for (int i = 0; i < 3; i++) {
		keyed_store env = env_of(all[i]);
		assert_int_equal(demo_fill(&env), 0);
		assert_int_equal(trm_identity_ensure(&env), 0);
		char url[64];
		snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)all[i]->port);
		assert_int_equal(trm_identity_set_url(all[i]->db, url), 0);
		assert_int_equal(trm_identity_get(&env, &A, selves[i]), 0);
	}
	introduce(&PT, &es_self);
	introduce(&ES, &pt_self);
	introduce(&ES, &ne_self);
	introduce(&NE, &es_self);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ht_stop(&PT);
	ht_stop(&ES);
	ht_stop(&NE);
	arena_release(&A);
	log_set_fd(2);
	return 0;
}

/* Deliver everything every instance has to say, until nobody has anything left (what is
 * answered is queued at the wall clock, so each round reads it again). */
static void pump(void)
{
	struct ht_server *all[] = { &PT, &ES, &NE };
	for (int round = 0; round < 30; round++) {
		size_t total = 0;
		for (int i = 0; i < 3; i++) {
			keyed_store env = env_of(all[i]);
			size_t sent = 0;
			assert_int_equal(trm_deliver_due(&env, clock_wall_ms(), 64, &sent), 0);
			total += sent;
		}
		if (!total)
			return;
	}
	fail_msg("the instances kept talking");
}

static int64_t scalar(struct ht_server *s, const char *sql)
{
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(s->db, &c), 0);
	assert_int_equal(store_prepare(c, sql, &st), 0);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int64(st, 0);
	store_reset(st);
	return n;
}

static const char *state_of(struct ht_server *s, int64_t id)
{
	keyed_store env = env_of(s);
	principal fp;
	int64_t uid;
	assert_int_equal(user_find_by_email(&env, "focal.point@demo.ponte.example", &uid), 0);
	assert_int_equal(principal_load(s->db, uid, &fp), 0);
	trm_referral r;
	assert_int_equal(trm_referral_get(&env, &A, &fp, id, &r), 0);
	return r.state;
}

static void load(struct ht_server *s, const char *email, principal *p)
{
	keyed_store env = env_of(s);
	int64_t id;
	assert_int_equal(user_find_by_email(&env, email, &id), 0);
	assert_int_equal(principal_load(s->db, id, p), 0);
}

static int64_t last_in(struct ht_server *s)
{
	return scalar(s, "SELECT max(id) FROM trm_referrals WHERE direction = 'in'");
}

/* A case in Portugal with a transnational-referral consent (*consent_out), offered to Spain by the
 * focal point: the referral's number in Portugal. */
static int64_t offered_under_consent(const case_input *in, int64_t *case_id, int64_t *consent_out)
{
	keyed_store pt = env_of(&PT);
	principal cw, fp;
	load(&PT, "case.worker@demo.ponte.example", &cw);
	load(&PT, "focal.point@demo.ponte.example", &fp);
	field_errors ce;
	assert_int_equal(case_create(&pt, &cw, in, case_id, &ce), 0);
	consent_input ci = { .purpose = "transnational_referral",
			     .categories = "identity,victim",
			     .legal_basis = "consent",
			     .language = "pt",
			     .text_version = "v1",
			     .given_by = "person",
			     .given_on = "2026-01-10" };
	field_errors re;
	int64_t consent_id, ref;
	assert_int_equal(consent_add(&pt, &cw, *case_id, &ci, &consent_id, &re), 0);
	const char *why = NULL;
	assert_int_equal(trm_offer(&pt, &fp, *case_id, es_self.instance_id, consent_id,
				   clock_wall_ms(), &ref, &why),
			 0);
	*consent_out = consent_id;
	return ref;
}

static int64_t offered_to_spain(const case_input *in, int64_t *case_id)
{
	int64_t consent_id;
	return offered_under_consent(in, case_id, &consent_id);
}

/* A document's fields from a NULL-terminated list of name, value pairs. */
static const char *pairs(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (size_t i = 0; kv[i]; i += 2)
		if (strcmp(kv[i], name) == 0)
			return kv[i + 1];
	return NULL;
}

static int send_doc(struct ht_server *s, const principal *p, int64_t ref, const char *type,
		    const char *const *kv, const char **field)
{
	keyed_store env = env_of(s);
	const char *why = NULL;
	return trm_document_send(&env, p, ref, type, pairs, (void *)(uintptr_t)kv, clock_wall_ms(),
				 field, &why);
}

struct docs {
	char types[512];
	const char *last_body;
};

static int collect_doc(const trm_document *d, void *ctx)
{
	struct docs *x = ctx;
	size_t n = strlen(x->types);
	snprintf(x->types + n, sizeof(x->types) - n, "%s%s:%s", n ? "," : "", d->direction,
		 d->type);
	x->last_body = d->body;
	return 0;
}

static void docs_of(struct ht_server *s, const principal *p, int64_t ref, struct docs *x)
{
	keyed_store env = env_of(s);
	memset(x, 0, sizeof(*x));
	assert_int_equal(trm_documents_list(&env, &A, p, ref, collect_doc, x), 0);
}

struct overdue {
	size_t n;
	int64_t case_id;
};

static int count_late(int64_t ref_id, int64_t case_id, const char *peer, const char *country,
		      const char *created_at, void *ctx)
{
	(void)ref_id, (void)peer, (void)country, (void)created_at;
	struct overdue *x = ctx;
	x->n++;
	x->case_id = case_id;
	return 0;
}

/* Portugal → Spain's focal point → Niger's focal point → a provider organisation in Niger,
 * and back to completion; the return handover down the route and its confirmation back up. */
static void a_referral_goes_through_two_focal_points_to_a_provider(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), es = env_of(&ES), ne = env_of(&NE);
	principal pt_fp, es_fp, ne_fp, provider, other, pt_cw;
	load(&PT, "focal.point@demo.ponte.example", &pt_fp);
	load(&PT, "case.worker@demo.ponte.example", &pt_cw);
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	load(&NE, "shelter@demo.ponte.example", &provider); /* supervisor of PT-SHELTER */
	load(&NE, "supervisor@demo.ponte.example", &other); /* another organisation */
	case_input in = { .first_name = "Aminata",
			  .second_name = "Chain-Surname-414",
			  .gender = "Feminine",
			  .birthdate = "1995-04-02",
			  .citizenship = "NE",
			  .exploitation = "SexualExploitation" };
	int64_t case_id, ref = offered_to_spain(&in, &case_id);
	int64_t t = clock_wall_ms();
	pump();
	assert_string_equal(state_of(&PT, ref), "delivered");
	int64_t es_in = last_in(&ES);
	const char *why = NULL;
	/* Spain cannot send it back where it came from, nor to nobody. */
	assert_int_equal(trm_forward(&es, &es_fp, es_in, pt_self.instance_id, t, &why),
			 PONTE_EINVAL);
	assert_int_equal(trm_forward(&es, &es_fp, es_in, "not-a-peer", t, &why), PONTE_EINVAL);
	principal es_cw;
	load(&ES, "case.worker@demo.ponte.example", &es_cw);
	assert_int_equal(trm_forward(&es, &es_cw, es_in, ne_self.instance_id, t, &why),
			 PONTE_EDENIED);
	assert_int_equal(trm_forward(&es, &es_fp, es_in, ne_self.instance_id, t, &why), 0);
	assert_int_equal(trm_forward(&es, &es_fp, es_in, ne_self.instance_id, t, &why),
			 PONTE_ECONFLICT); /* already on its way */
	pump();
	assert_string_equal(state_of(&ES, es_in), "forwarded");
	assert_string_equal(state_of(&PT, ref), "forwarded");
	/* Eight days without an answer from Niger: Spain's focal point is told about the hop it
	 * forwarded; Portugal's offer was answered (forwarded), so Portugal's is not. */
	int64_t week_later = clock_wall_ms() + 8LL * 24 * 3600 * 1000;
	struct overdue late = { 0, 0 };
	assert_int_equal(trm_overdue(&es, &A, &es_fp, week_later, count_late, &late), 0);
	assert_int_equal(late.n, 1);
	assert_int_equal(late.case_id, 0);
	late = (struct overdue){ 0, 0 };
	assert_int_equal(trm_overdue(&pt, &A, &pt_fp, week_later, count_late, &late), 0);
	assert_int_equal(late.n, 0);
	/* Niger received the same person, from Spain. */
	int64_t ne_in = last_in(&NE);
	trm_referral r;
	assert_int_equal(trm_referral_get(&ne, &A, &ne_fp, ne_in, &r), 0);
	assert_non_null(strstr(r.payload, "Chain-Surname-414"));
	assert_string_equal(r.peer_instance, es_self.instance_id);
	/* Niger's focal point accepts and hands it to a provider organisation. */
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_in, true, "", clock_wall_ms()), 0);
	organisation shelter;
	assert_int_equal(org_find(NE.db, &A, "PT-SHELTER", &shelter), 0);
	assert_int_equal(trm_assign(&ne, &ne_fp, ne_in, 999999, clock_wall_ms(), &why),
			 PONTE_EINVAL);
	assert_int_equal(trm_assign(&ne, &ne_fp, ne_in, shelter.id, clock_wall_ms(), &why), 0);
	pump();
	/* Who is not the provider sees nothing of it; the provider sees who sends and what is
	 * offered, accepts, and only then reads the person. */
	assert_int_equal(trm_referral_get(&ne, &A, &other, ne_in, &r), PONTE_ENOTFOUND);
	assert_int_equal(trm_provider_answer(&ne, &other, ne_in, true, clock_wall_ms()),
			 PONTE_ENOTFOUND);
	assert_int_equal(trm_update(&ne, &other, ne_in, "in_service", "", clock_wall_ms()),
			 PONTE_EDENIED);
	assert_int_equal(trm_referral_get(&ne, &A, &provider, ne_in, &r), 0);
	assert_string_equal(r.payload, "");
	assert_string_equal(r.categories, "identity,victim");
	assert_int_equal(trm_provider_answer(&ne, &provider, ne_in, true, clock_wall_ms()), 0);
	assert_int_equal(trm_referral_get(&ne, &A, &provider, ne_in, &r), 0);
	assert_non_null(strstr(r.payload, "Chain-Surname-414"));
	assert_int_equal(trm_provider_answer(&ne, &provider, ne_in, true, clock_wall_ms()),
			 PONTE_ECONFLICT);
	pump();
	/* Portugal sees the whole route: Spain → Niger accepted, Niger → the provider. */
	assert_int_equal(trm_referral_get(&pt, &A, &pt_fp, ref, &r), 0);
	assert_non_null(strstr(r.chain, "\"to\":\"Niger national focal point\""));
	assert_non_null(strstr(r.chain, shelter.name));
	assert_null(strstr(r.chain, "Chain-Surname")); /* nothing about the person */
	/* The return handover goes down the route; bad fields are refused first. */
	const char *field = NULL;
	const char *bad_date[] = { "departure_date", "2026-02-30", "travel_documents", "ready",
				   NULL };
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "return_handover", bad_date, &field),
			 PONTE_EINVAL);
	assert_string_equal(field, "departure_date");
	const char *bad_code[] = { "departure_date", "2026-12-15", "travel_documents", "lost",
				   NULL };
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "return_handover", bad_code, &field),
			 PONTE_EINVAL);
	assert_string_equal(field, "travel_documents");
	const char *received[] = { "received_on", "2026-12-16", "received_by", "Shelter", NULL };
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "return_received", received, &field),
			 PONTE_EINVAL); /* the other side's document */
	assert_int_equal(send_doc(&NE, &provider, ne_in, "return_received", received, &field),
			 PONTE_ECONFLICT); /* no handover received yet */
	const char *tracing[] = { "family_members", "Mother", NULL };
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "tracing_request", tracing, &field),
			 PONTE_EINVAL); /* an adult: not the child procedure */
	const char *handover[] = { "departure_date", "2026-12-15",       "escort",
				   "IOM escort",     "travel_documents", "ready",
				   "needs",          "Insulin daily",    NULL };
	assert_int_equal(send_doc(&PT, &pt_cw, ref, "return_handover", handover, &field),
			 PONTE_ENOTFOUND); /* without referral.transnational */
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "return_handover", handover, &field), 0);
	pump();
	struct docs d;
	docs_of(&NE, &provider, ne_in, &d);
	assert_string_equal(d.types, "received:return_handover");
	assert_non_null(strstr(d.last_body, "Insulin daily"));
	/* The provider follows the service and confirms the person was received. */
	assert_int_equal(trm_update(&ne, &provider, ne_in, "in_service", "", clock_wall_ms()), 0);
	assert_int_equal(send_doc(&NE, &provider, ne_in, "return_received", received, &field), 0);
	assert_int_equal(
	    trm_update(&ne, &provider, ne_in, "completed", "Back at school", clock_wall_ms()), 0);
	pump();
	/* Every hop completed, with the feedback from the end of the route. */
	assert_string_equal(state_of(&NE, ne_in), "completed");
	assert_string_equal(state_of(&ES, es_in), "completed");
	assert_int_equal(trm_referral_get(&pt, &A, &pt_fp, ref, &r), 0);
	assert_string_equal(r.state, "completed");
	assert_string_equal(r.reason, "Back at school");
	assert_non_null(strstr(r.chain, "\"state\":\"completed\""));
	docs_of(&PT, &pt_fp, ref, &d);
	assert_string_equal(d.types, "sent:return_handover,received:return_received");
	assert_non_null(strstr(d.last_body, "2026-12-16"));
	/* Nothing stays pending anywhere; a second pump moves nothing. */
	assert_int_equal(scalar(&PT, "SELECT count(*) FROM trm_outbox WHERE state <> 'delivered'"),
			 0);
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_outbox WHERE state <> 'delivered'"),
			 0);
	assert_int_equal(scalar(&NE, "SELECT count(*) FROM trm_outbox WHERE state <> 'delivered'"),
			 0);
}

static bool file_holds(struct ht_server *s, const char *needle)
{
	struct ht_server *was = ht_current;
	ht_current = s;
	int files;
	bool found = ht_on_disk(&needle, 1, &files) != NULL;
	ht_current = was;
	assert_true(files > 0);
	return found;
}

/* A child: the ECOWAS procedure from the tracing request to a follow-up report, along the
 * route; then the consent is withdrawn and every copy is purged, documents included. */
static void a_child_case_transfer_then_withdrawal_purges_every_copy(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), es = env_of(&ES), ne = env_of(&NE);
	principal pt_fp, es_fp, ne_fp;
	load(&PT, "focal.point@demo.ponte.example", &pt_fp);
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	case_input in = { .first_name = "Moussa",
			  .second_name = "Child-Surname-927",
			  .gender = "Masculine",
			  .birthdate = "2012-03-01",
			  .citizenship = "NE",
			  .exploitation = "ForcedBegging" };
	int64_t case_id, ref = offered_to_spain(&in, &case_id);
	pump();
	const char *why = NULL, *field = NULL;
	int64_t es_in = last_in(&ES);
	assert_int_equal(
	    trm_forward(&es, &es_fp, es_in, ne_self.instance_id, clock_wall_ms(), &why), 0);
	pump();
	int64_t ne_in = last_in(&NE);
	const char *tracing[] = { "family_members", "Mother: Fatima Tracing-Name-318",
				  "last_known_place", "Zinder", NULL };
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "tracing_request", tracing, &field), 0);
	pump();
	const char *result[] = { "outcome", "found",      "family_willing",
				 "yes",     "assessment", "Mother found, home visited",
				 NULL };
	assert_int_equal(send_doc(&NE, &ne_fp, ne_in, "tracing_result", result, &field), 0);
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_in, true, "", clock_wall_ms()), 0);
	const char *prep[] = { "reception", "Transit centre, then family", "planned_on",
			       "2027-01-10", NULL };
	assert_int_equal(send_doc(&NE, &ne_fp, ne_in, "return_preparation", prep, &field), 0);
	const char *report[] = { "visit_on", "2027-02-01", "summary", "At school", NULL };
	assert_int_equal(send_doc(&NE, &ne_fp, ne_in, "followup_report", report, &field),
			 PONTE_ECONFLICT); /* before the service started */
	assert_int_equal(trm_update(&ne, &ne_fp, ne_in, "in_service", "", clock_wall_ms()), 0);
	const char *scored[] = { "visit_on", "2027-02-01", "economic", "6",
				 "summary",  "At school",  NULL };
	assert_int_equal(send_doc(&NE, &ne_fp, ne_in, "followup_report", scored, &field),
			 PONTE_EINVAL);
	assert_string_equal(field, "economic");
	assert_int_equal(send_doc(&NE, &ne_fp, ne_in, "followup_report", report, &field), 0);
	pump();
	struct docs d;
	docs_of(&PT, &pt_fp, ref, &d);
	assert_string_equal(d.types, "sent:tracing_request,received:tracing_result,"
				     "received:return_preparation,received:followup_report");
	docs_of(&ES, &es_fp, es_in, &d); /* the focal point in between keeps what passed */
	assert_non_null(strstr(d.types, "received:tracing_request"));
	assert_true(file_holds(&NE, "Moussa") == false); /* encrypted at rest */
	/* The consent is withdrawn in Portugal: Spain purges and withdraws from Niger, which
	 * purges too; each confirms. */
	assert_int_equal(trm_withdraw(&pt, &pt_fp, ref, clock_wall_ms()), 0);
	pump();
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_referrals WHERE payload_enc IS NOT "
				     "NULL AND state = 'withdrawn'"),
			 0);
	assert_string_equal(state_of(&NE, ne_in), "withdrawn");
	/* Spain, in the middle, keeps no document of it either way. */
	assert_int_equal(
	    scalar(&ES,
		   "SELECT count(*) FROM trm_documents d JOIN trm_referrals t ON t.id = "
		   "d.referral_id LEFT JOIN trm_referrals p ON p.id = t.parent_id WHERE "
		   "(t.state = 'withdrawn' OR p.state = 'withdrawn') AND d.body_enc IS NOT NULL"),
	    0);
	assert_int_equal(
	    scalar(&NE, "SELECT count(*) FROM trm_documents d JOIN trm_referrals t ON t.id = "
			"d.referral_id WHERE t.state = 'withdrawn' AND d.body_enc IS NOT NULL"),
	    0);
	assert_int_equal(scalar(&PT, "SELECT count(*) FROM trm_inbox WHERE type = 'purged'"), 1);
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_inbox WHERE type = 'purged'"), 1);
	/* The keys were the only way to read it; the database files keep nothing readable
	 * either way, and the purge leaves no ciphertext behind. */
	assert_false(file_holds(&NE, "Child-Surname-927"));
	assert_false(file_holds(&ES, "Tracing-Name-318"));
}

/* Spain takes new keys: Portugal and Niger learn them from a message signed with the old key;
 * a message Niger sealed to the old key before it knew still opens; after rotation Spain's
 * messages verify with the new key; the old key stops being accepted after the grace. */
static void a_rotation_of_keys_loses_nothing(void **state)
{
	(void)state;
	keyed_store es = env_of(&ES), ne = env_of(&NE);
	principal ne_fp, es_fp;
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	char old_fp[CRYPTO_FINGERPRINT];
	memcpy(old_fp, es_self.fingerprint, sizeof(old_fp));
	unsigned char old_sign[CRYPTO_SIGN_SK], old_box[CRYPTO_BOX_SK];
	assert_int_equal(trm_identity_secrets(&es, old_sign, old_box), 0);
	/* Niger has something for Spain, sealed to Spain's current key, not yet delivered. */
	int64_t in_es_before = scalar(&ES, "SELECT count(*) FROM trm_inbox");
	store_conn *c;
	assert_int_equal(store_conn_get(NE.db, &c), 0);
	assert_int_equal(store_begin(c), 0);
	char id[CRYPTO_UUID];
	int64_t es_peer = scalar(&NE, "SELECT id FROM trm_peers WHERE country = 'ES'");
	assert_int_equal(trm_send(&ne, c, es_peer, "purged", "", "{}", 3600, clock_wall_ms(), id),
			 0);
	assert_int_equal(store_commit(c), 0);
	/* Spain rotates and tells its peers; only Spain's messages are delivered first. */
	assert_int_equal(trm_keys_rotate(&es, clock_wall_ms()), 0);
	trm_self now_es;
	assert_int_equal(trm_identity_get(&es, &A, &now_es), 0);
	assert_string_not_equal(now_es.fingerprint, old_fp);
	size_t sent = 0;
	assert_int_equal(trm_deliver_due(&es, clock_wall_ms(), 64, &sent), 0);
	assert_int_equal(sent, 2); /* Portugal and Niger */
	arena a;
	arena_init(&a, 1u << 16);
	trm_peer p;
	assert_int_equal(trm_peer_find(NE.db, &a, es_self.instance_id, &p), 0);
	assert_string_equal(p.fingerprint, now_es.fingerprint);
	assert_int_equal(trm_peer_find(PT.db, &a, es_self.instance_id, &p), 0);
	assert_string_equal(p.fingerprint, now_es.fingerprint);
	/* The message sealed to the old key opens. */
	assert_int_equal(trm_deliver_due(&ne, clock_wall_ms(), 64, &sent), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_inbox"), in_es_before + 1);
	/* A new referral through Spain, signed with the new key, is accepted by Niger. */
	case_input in = { .first_name = "Ousmane",
			  .second_name = "After-Rotation-55",
			  .gender = "Masculine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id;
	(void)offered_to_spain(&in, &case_id);
	pump();
	const char *why = NULL;
	assert_int_equal(
	    trm_forward(&es, &es_fp, last_in(&ES), ne_self.instance_id, clock_wall_ms(), &why), 0);
	int64_t ne_before = last_in(&NE);
	pump();
	assert_true(last_in(&NE) > ne_before);
	/* Signed with the old key: accepted during the grace, refused after it. */
	int64_t later = clock_wall_ms() + (TRM_KEY_GRACE_S + 3600) * 1000LL;
	int64_t times[] = { clock_wall_ms(), later };
	int expect[] = { 0, PONTE_EDENIED }; /* applied; refused */
	for (int i = 0; i < 2; i++) {
		char created[CLOCK_RFC3339_LEN], expires[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(times[i], created);
		clock_format_rfc3339(times[i] + 3600000, expires);
		trm_envelope e = { .type = "purged",
				   .from = es_self.instance_id,
				   .to = ne_self.instance_id,
				   .created = created,
				   .expires = expires,
				   .in_reply_to = "",
				   .payload = "{}",
				   .payload_len = 2 };
		crypto_uuid(e.id);
		buf wire;
		buf_init(&wire, 1u << 16);
		assert_int_equal(trm_seal(&e, old_sign, ne_self.box_pk, &wire), 0);
		int refusal = PONTE_EIO;
		const char *field = NULL;
		assert_int_equal(
		    trm_receive(&ne, wire.data, wire.len, times[i], &refusal, &why, &field), 0);
		assert_int_equal(refusal, expect[i]);
		buf_release(&wire);
	}
	crypto_wipe(old_sign, sizeof(old_sign));
	crypto_wipe(old_box, sizeof(old_box));
	arena_release(&a);
}

static struct web_session session_on(struct ht_server *s, const char *email)
{
	ht_current = s;
	set_setting("require_2fa_for_flagged_roles", "0");
	throttle_reset_all();
	struct web_session w;
	assert_int_equal(web_login(email, DEMO_PASSWORD, NULL, &w), 303);
	return w;
}

#define XSS "<script>alert(1)</script>"

static size_t count_of(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The same route on the pages: Spain's focal point forwards from the referral's page (back to
 * Portugal refused with the reason), Niger's hands it to the provider, who finds it on "Action
 * needed", answers, and sends a follow-up report whose errors come back in Portuguese with
 * what was typed; Portugal's page shows every hop and the report, escaped. */
static void the_pages_walk_the_route(void **state)
{
	(void)state;
	case_input in = { .first_name = "Halima",
			  .second_name = "Pages-Surname-52",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, ref = offered_to_spain(&in, &case_id);
	pump();
	struct ht_resp r;
	char path[200], fields[1200];
	/* Spain */
	struct web_session es = session_on(&ES, "focal.point%40demo.ponte.example");
	const char *hes[] = { es.cookie, NULL };
	int64_t es_in = last_in(&ES);
	snprintf(path, sizeof(path), "/trm/%lld", (long long)es_in);
	ht_get(ES.port, path, hes, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Pages-Surname-52"));
	assert_non_null(strstr(r.body, ne_self.instance_id)); /* a choice to forward to */
	ht_free(&r);
	/* Forwarding back to the sender is refused with the referral's page, at its address:
	 * loading that address again shows the page (it once answered 405). */
	snprintf(path, sizeof(path), "/trm/%lld", (long long)es_in);
	snprintf(fields, sizeof(fields), "do=forward&from=page&peer=%s", pt_self.instance_id);
	assert_int_equal(form_post(&es, path, fields, &r), 422);
	assert_non_null(strstr(r.body, "id=\"error-summary\""));
	ht_free(&r);
	ht_get(ES.port, path, hes, &r);
	assert_int_equal(r.status, 200);
	ht_free(&r);
	snprintf(fields, sizeof(fields), "do=forward&from=page&peer=%s", ne_self.instance_id);
	assert_int_equal(form_post(&es, path, fields, &r), 303);
	ht_free(&r);
	pump();
	/* Niger's focal point accepts and hands it over. */
	struct web_session ne = session_on(&NE, "focal.point%40demo.ponte.example");
	int64_t ne_in = last_in(&NE);
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ne_in);
	assert_int_equal(form_post(&ne, path, "do=accept&from=page", &r), 303);
	ht_free(&r);
	assert_int_equal(form_post(&ne, path, "do=assign&from=page&organisation=PT-SHELTER", &r),
			 303);
	ht_free(&r);
	/* The provider: "Action needed", the page, the answer, a report with errors. */
	struct web_session pv = session_on(&NE, "shelter%40demo.ponte.example");
	const char *hpv[] = { pv.cookie, NULL };
	ht_get(NE.port, "/work", hpv, &r);
	assert_int_equal(r.status, 200);
	snprintf(path, sizeof(path), "href=\"/trm/%lld\"", (long long)ne_in);
	assert_non_null(strstr(r.body, path));
	ht_free(&r);
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ne_in);
	assert_int_equal(form_post(&pv, path, "do=provider_accept&from=page", &r), 303);
	ht_free(&r);
	assert_int_equal(form_post(&pv, path, "do=in_service&from=page", &r), 303);
	ht_free(&r);
	assert_int_equal(form_post(&pv, path,
				   "do=document&type=followup_report&visit_on=2027-13-01&summary="
				   "Kept+text+typed&economic=4",
				   &r),
			 422);
	assert_non_null(strstr(r.body, "aria-invalid=\"true\""));
	assert_non_null(strstr(r.body, "Kept text typed"));      /* nothing typed is lost */
	assert_null(strstr(r.body, "Not a date (YYYY-MM-DD).")); /* in Portuguese */
	ht_free(&r);
	/* The report refused, the browser is at the referral's address: it loads again. */
	ht_get(NE.port, path, hpv, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "id=\"form-followup_report\""));
	ht_free(&r);
	assert_int_equal(
	    form_post(&pv, path,
		      "do=document&type=followup_report&visit_on=2027-02-01&economic=4&"
		      "summary=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		      &r),
	    303);
	ht_free(&r);
	/* Another organisation's supervisor: nothing. */
	struct web_session other = session_on(&NE, "supervisor%40demo.ponte.example");
	const char *hot[] = { other.cookie, NULL };
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ne_in);
	ht_get(NE.port, path, hot, &r);
	assert_int_equal(r.status, 404);
	ht_free(&r);
	pump();
	/* Portugal sees every hop, the report, escaped; and the same over the API. */
	struct web_session pt = session_on(&PT, "focal.point%40demo.ponte.example");
	const char *hpt[] = { pt.cookie, NULL };
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ref);
	ht_get(PT.port, path, hpt, &r);
	assert_int_equal(r.status, 200);
	const char *route = strstr(r.body, "id=\"route\"");
	assert_non_null(route);
	const char *spain = strstr(route, "Spain national focal point");
	const char *niger = strstr(route, "Niger national focal point");
	assert_non_null(spain);
	assert_non_null(niger);
	assert_true(spain < niger);
	assert_non_null(strstr(r.body, "data-type=\"followup_report\""));
	assert_null(strstr(r.body, XSS));
	assert_non_null(strstr(r.body, "&lt;script&gt;"));
	ht_free(&r);
	/* The case's timeline tells where the referral abroad stands, with its documents. */
	snprintf(path, sizeof(path), "/cases/%lld/timeline", (long long)case_id);
	ht_get(PT.port, path, hpt, &r);
	assert_int_equal(r.status, 200);
	snprintf(fields, sizeof(fields), "href=\"/trm/%lld\"", (long long)ref);
	assert_non_null(strstr(r.body, fields));
	assert_true(count_of(r.body, "data-kind=\"abroad\"") >= 3); /* sent, state, report */
	ht_free(&r);
	char auth[200];
	bearer("focal.point@demo.ponte.example", auth, sizeof(auth));
	const char *ha[] = { auth, NULL };
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld", (long long)ref);
	ht_get(PT.port, path, ha, &r);
	assert_int_equal(r.status, 200);
	arena a;
	arena_init(&a, 1u << 20);
	json_value *doc;
	char err[64];
	assert_int_equal(json_parse(&a, r.body, strlen(r.body), &doc, err, sizeof(err)), 0);
	const json_value *hops = json_get(doc, "route");
	assert_non_null(hops);
	assert_int_equal(hops->length, 3); /* Portugal → Spain → Niger → the provider */
	assert_string_equal(json_get_string(hops->items[2], "state"), "in_service");
	assert_int_equal(json_get(doc, "documents")->length, 1);
	ht_free(&r);
	/* A document over the API: unknown field refused, a field error named. */
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld/documents",
		 (long long)ref);
	const char *hj[] = { auth, "Content-Type: application/json", NULL };
	const char *bad = "{\"type\":\"return_handover\",\"fields\":{\"departure_date\":"
			  "\"2027-01-01\",\"travel_documents\":\"ready\",\"colour\":\"red\"}}";
	assert_int_equal(ht_request(PT.port, "POST", path, bad, (long)strlen(bad), hj, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 422);
	ht_free(&r);
	const char *wrong = "{\"type\":\"return_handover\",\"fields\":{\"departure_date\":"
			    "\"2027-01-01\",\"travel_documents\":\"lost\"}}";
	assert_int_equal(ht_request(PT.port, "POST", path, wrong, (long)strlen(wrong), hj, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"travel_documents\""));
	ht_free(&r);
	const char *good = "{\"type\":\"return_handover\",\"fields\":{\"departure_date\":"
			   "\"2027-01-01\",\"travel_documents\":\"ready\"}}";
	assert_int_equal(ht_request(PT.port, "POST", path, good, (long)strlen(good), hj, &r),
			 CURLE_OK);
	assert_int_equal(r.status, 201);
	ht_free(&r);
	arena_release(&a);
	ht_current = &PT;
}

struct hops {
	char states[256];
	size_t n;
};

static int collect_hop(const trm_hop *h, void *ctx)
{
	struct hops *x = ctx;
	size_t len = strlen(x->states);
	snprintf(x->states + len, sizeof(x->states) - len, "%s%s", len ? "," : "", h->state);
	x->n++;
	return 0;
}

/* The route served to completion, then the person withdraws the consent, recorded on the case's
 * page in Portugal: the offer is withdrawn there, Spain purges and withdraws its hop to Niger,
 * Niger purges and the provider loses it; every instance reports the change back, so Portugal's
 * view of the route shows every hop withdrawn, not completed. */
static void withdrawing_the_consent_on_the_page_reaches_every_hop(void **state)
{
	(void)state;
	keyed_store pt = env_of(&PT), es = env_of(&ES), ne = env_of(&NE);
	principal pt_fp, es_fp, ne_fp, provider;
	load(&PT, "focal.point@demo.ponte.example", &pt_fp);
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	load(&NE, "shelter@demo.ponte.example", &provider);
	case_input in = { .first_name = "Salamatou",
			  .second_name = "Route-Withdrawn-808",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, consent_id, ref = offered_under_consent(&in, &case_id, &consent_id);
	pump();
	const char *why = NULL;
	int64_t es_in = last_in(&ES);
	assert_int_equal(
	    trm_forward(&es, &es_fp, es_in, ne_self.instance_id, clock_wall_ms(), &why), 0);
	pump();
	int64_t ne_in = last_in(&NE);
	organisation shelter;
	assert_int_equal(org_find(NE.db, &A, "PT-SHELTER", &shelter), 0);
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_in, true, "", clock_wall_ms()), 0);
	assert_int_equal(trm_assign(&ne, &ne_fp, ne_in, shelter.id, clock_wall_ms(), &why), 0);
	assert_int_equal(trm_provider_answer(&ne, &provider, ne_in, true, clock_wall_ms()), 0);
	assert_int_equal(trm_update(&ne, &provider, ne_in, "in_service", "", clock_wall_ms()), 0);
	assert_int_equal(trm_update(&ne, &provider, ne_in, "completed", "Done", clock_wall_ms()),
			 0);
	pump();
	struct hops h = { "", 0 };
	assert_int_equal(trm_route(&pt, &A, &pt_fp, ref, collect_hop, &h), 0);
	assert_string_equal(h.states, "completed,completed,completed");
	/* The case worker records the withdrawal on the case's page. */
	struct web_session cw = session_on(&PT, "case.worker%40demo.ponte.example");
	char path[100], fields[100];
	snprintf(path, sizeof(path), "/consents/%lld/withdraw", (long long)consent_id);
	snprintf(fields, sizeof(fields), "case_id=%lld&confirm=1", (long long)case_id);
	struct ht_resp r;
	assert_int_equal(form_post(&cw, path, fields, &r), 303);
	ht_free(&r);
	assert_string_equal(state_of(&PT, ref), "withdrawn");
	pump();
	/* Every copy is purged, the provider reads nothing more of the person. */
	assert_string_equal(state_of(&ES, es_in), "withdrawn");
	assert_string_equal(state_of(&NE, ne_in), "withdrawn");
	assert_int_equal(
	    scalar(&ES, "SELECT count(*) FROM trm_referrals WHERE payload_enc IS NOT NULL AND "
			"state = 'withdrawn'"),
	    0);
	assert_int_equal(
	    scalar(&NE, "SELECT count(*) FROM trm_referrals WHERE payload_enc IS NOT NULL AND "
			"state = 'withdrawn'"),
	    0);
	trm_referral x;
	assert_int_equal(trm_referral_get(&ne, &A, &provider, ne_in, &x), 0);
	assert_string_equal(x.payload, "");
	/* Portugal's view of the route follows: every hop beyond is withdrawn, as the instances
	 * that hold them say. */
	h = (struct hops){ "", 0 };
	assert_int_equal(trm_route(&pt, &A, &pt_fp, ref, collect_hop, &h), 0);
	assert_string_equal(h.states, "withdrawn,withdrawn,withdrawn");
	h = (struct hops){ "", 0 };
	assert_int_equal(trm_route(&es, &A, &es_fp, es_in, collect_hop, &h), 0);
	assert_string_equal(h.states, "withdrawn,withdrawn,withdrawn");
	ht_current = &PT;
}

/* Spain forwards an offer to Niger while Niger's address answers nothing; the person withdraws
 * the consent in Portugal. The withdrawal reaches Spain, and the forwarded offer still waiting
 * in Spain's outbox never leaves: when Niger is back it holds nothing of the person, and the
 * withdrawal that follows finds nothing to purge there. */
static void
a_forwarded_offer_waiting_for_a_peer_that_is_down_never_leaves_once_withdrawn(void **state)
{
	(void)state;
	keyed_store es = env_of(&ES);
	principal es_fp;
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	case_input in = { .first_name = "Mariama",
			  .second_name = "Stopped-At-Spain-512",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, consent_id, ref = offered_under_consent(&in, &case_id, &consent_id);
	pump();
	/* Niger is down, as Spain sees it. */
	char url[600];
	store_conn *c;
	store_stmt *st;
	assert_int_equal(store_conn_get(ES.db, &c), 0);
	assert_int_equal(store_prepare(c, "SELECT url FROM trm_peers WHERE instance_id = ?1", &st),
			 0);
	store_bind_text(st, 1, ne_self.instance_id, strlen(ne_self.instance_id));
	assert_int_equal(store_step(st), STORE_ROW);
	snprintf(url, sizeof(url), "%s", store_col_text(st, 0, NULL));
	store_reset(st);
	assert_int_equal(
	    store_exec(c, "UPDATE trm_peers SET url = 'http://127.0.0.1:9' WHERE country = 'NE'"),
	    0);
	int64_t ne_before = scalar(&NE, "SELECT count(*) FROM trm_referrals");
	const char *why = NULL;
	int64_t es_in = last_in(&ES);
	assert_int_equal(
	    trm_forward(&es, &es_fp, es_in, ne_self.instance_id, clock_wall_ms(), &why), 0);
	pump();
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_outbox WHERE state = 'pending' AND "
				     "type = 'referral_offer'"),
			 1);
	/* The case worker in Portugal records the withdrawal; it reaches Spain. */
	principal cw;
	load(&PT, "case.worker@demo.ponte.example", &cw);
	keyed_store pt = env_of(&PT);
	size_t national, abroad;
	assert_int_equal(
	    trm_consent_withdraw(&pt, &cw, consent_id, clock_wall_ms(), &national, &abroad), 0);
	assert_int_equal(abroad, 1);
	pump();
	assert_string_equal(state_of(&PT, ref), "withdrawn");
	assert_string_equal(state_of(&ES, es_in), "withdrawn");
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_outbox WHERE state = 'pending' AND "
				     "type = 'referral_offer'"),
			 0);
	/* Niger is back: only the withdrawal leaves Spain, and Niger holds nothing. */
	assert_int_equal(
	    store_prepare(c, "UPDATE trm_peers SET url = ?1 WHERE country = 'NE'", &st), 0);
	store_bind_text(st, 1, url, strlen(url));
	assert_int_equal(store_step(st), STORE_DONE);
	store_reset(st);
	for (int i = 1; i <= 4; i++) {
		size_t sent;
		assert_int_equal(trm_deliver_due(&es, clock_wall_ms() + i * 600000, 64, &sent), 0);
		pump();
	}
	assert_int_equal(scalar(&ES, "SELECT count(*) FROM trm_outbox WHERE state = 'pending'"), 0);
	assert_int_equal(scalar(&NE, "SELECT count(*) FROM trm_referrals"), ne_before);
	assert_false(file_holds(&NE, "Stopped-At-Spain-512"));
	ht_current = &PT;
}

/* A provider handed a referral from abroad sees who sends it and the categories offered, on the
 * page and over the API, and reads the person (and the documents) only once it has accepted;
 * until then it cannot follow the service nor send documents; declining loses it again. */
static void a_provider_reads_the_person_only_after_accepting(void **state)
{
	(void)state;
	keyed_store es = env_of(&ES), ne = env_of(&NE);
	principal es_fp, ne_fp, provider;
	load(&ES, "focal.point@demo.ponte.example", &es_fp);
	load(&NE, "focal.point@demo.ponte.example", &ne_fp);
	load(&NE, "shelter@demo.ponte.example", &provider);
	case_input in = { .first_name = "Fati",
			  .second_name = "Before-Accepting-239",
			  .gender = "Feminine",
			  .citizenship = "NE",
			  .exploitation = "ForcedLabour" };
	int64_t case_id, ref = offered_to_spain(&in, &case_id);
	pump();
	const char *why = NULL, *field = NULL;
	assert_int_equal(
	    trm_forward(&es, &es_fp, last_in(&ES), ne_self.instance_id, clock_wall_ms(), &why), 0);
	pump();
	int64_t ne_in = last_in(&NE);
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_in, true, "", clock_wall_ms()), 0);
	organisation shelter;
	assert_int_equal(org_find(NE.db, &A, "PT-SHELTER", &shelter), 0);
	assert_int_equal(trm_assign(&ne, &ne_fp, ne_in, shelter.id, clock_wall_ms(), &why), 0);
	const char *handover[] = {
		"departure_date",      "2026-12-15", "travel_documents", "ready", "needs",
		"Docs-Need-Before-77", NULL
	};
	principal pt_fp;
	load(&PT, "focal.point@demo.ponte.example", &pt_fp);
	assert_int_equal(send_doc(&PT, &pt_fp, ref, "return_handover", handover, &field), 0);
	pump();
	/* The page: who sends, the categories offered, the answer; not the person. */
	struct web_session pv = session_on(&NE, "shelter%40demo.ponte.example");
	const char *hpv[] = { pv.cookie, NULL };
	char path[100];
	struct ht_resp r;
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ne_in);
	ht_get(NE.port, path, hpv, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Spain national focal point"));
	assert_non_null(strstr(r.body, "id=\"categories\""));
	assert_non_null(strstr(r.body, "data-action=\"provider_accept\""));
	assert_null(strstr(r.body, "Before-Accepting-239"));
	assert_null(strstr(r.body, "Fati"));
	assert_null(strstr(r.body, "Docs-Need-Before-77"));
	ht_free(&r);
	ht_get(NE.port, "/trm", hpv, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Before-Accepting-239"));
	ht_free(&r);
	/* The API alike. */
	char auth[200];
	bearer("shelter@demo.ponte.example", auth, sizeof(auth));
	const char *ha[] = { auth, NULL };
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld", (long long)ne_in);
	ht_get(NE.port, path, ha, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Before-Accepting-239"));
	assert_null(strstr(r.body, "Docs-Need-Before-77"));
	assert_non_null(strstr(r.body, "\"categories\":[\"identity\",\"victim\"]"));
	ht_free(&r);
	ht_get(NE.port, "/api/v1/transnational-referrals", ha, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Before-Accepting-239"));
	ht_free(&r);
	/* Before accepting it neither follows the service nor answers with documents. */
	assert_int_equal(trm_update(&ne, &provider, ne_in, "in_service", "", clock_wall_ms()),
			 PONTE_EDENIED);
	const char *received[] = { "received_on", "2026-12-16", "received_by", "Shelter", NULL };
	assert_int_equal(send_doc(&NE, &provider, ne_in, "return_received", received, &field),
			 PONTE_ENOTFOUND);
	/* Accepted: the person and the documents. */
	snprintf(path, sizeof(path), "/trm/%lld", (long long)ne_in);
	assert_int_equal(form_post(&pv, path, "do=provider_accept&from=page", &r), 303);
	ht_free(&r);
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld", (long long)ne_in);
	ht_get(NE.port, path, ha, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Before-Accepting-239"));
	assert_non_null(strstr(r.body, "Docs-Need-Before-77"));
	ht_free(&r);
	/* Handed to another organisation after a decline: the first loses the person. */
	int64_t ne_in2;
	int64_t ref2 = offered_to_spain(&in, &case_id);
	(void)ref2;
	pump();
	assert_int_equal(
	    trm_forward(&es, &es_fp, last_in(&ES), ne_self.instance_id, clock_wall_ms(), &why), 0);
	pump();
	ne_in2 = last_in(&NE);
	assert_int_equal(trm_answer(&ne, &ne_fp, ne_in2, true, "", clock_wall_ms()), 0);
	assert_int_equal(trm_assign(&ne, &ne_fp, ne_in2, shelter.id, clock_wall_ms(), &why), 0);
	assert_int_equal(trm_provider_answer(&ne, &provider, ne_in2, false, clock_wall_ms()), 0);
	snprintf(path, sizeof(path), "/api/v1/transnational-referrals/%lld", (long long)ne_in2);
	ht_get(NE.port, path, ha, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Before-Accepting-239"));
	ht_free(&r);
	pump();
	ht_current = &PT;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_referral_goes_through_two_focal_points_to_a_provider),
		cmocka_unit_test(a_child_case_transfer_then_withdrawal_purges_every_copy),
		cmocka_unit_test(the_pages_walk_the_route),
		cmocka_unit_test(withdrawing_the_consent_on_the_page_reaches_every_hop),
		cmocka_unit_test(
		    a_forwarded_offer_waiting_for_a_peer_that_is_down_never_leaves_once_withdrawn),
		cmocka_unit_test(a_provider_reads_the_person_only_after_accepting),
		cmocka_unit_test(a_rotation_of_keys_loses_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
