/* The wire format of docs/trm-protocol.md: its test vectors, checked here and in the doc. */
#include "testutil.h"

#include "base/embedded.h"
#include "base/json_parse.h"
#include "trm/trm.h"

static const char SENDER_SIGN_PK[] =
    "24a56a01a67e7cff8a09e9030f56e5b8698d7db7960b7f4631ac5c2865b6cc6d";
static const char SENDER_BOX_PK[] =
    "fe159d6c8f3c1326f6eed0e4454bb69aa97e7ce69aeabbdc7df87c556da2f939";
static const char RECIPIENT_SIGN_PK[] =
    "11ad033ec03ccf58334cb8546785483b0ecc42bc80832b68824a164e5de16227";
static const char RECIPIENT_BOX_PK[] =
    "efe9051e2cc3465e2d1c599af46d9a1848d49d467674e900941e86d04545656d";
static const char SENDER_FP[] = "UMFS-W7IZ-K2QE-ZUEH";
static const char RECIPIENT_FP[] = "5NRU-WCCJ-YDVO-JMK4";
static const char CANONICAL[] =
    "ponte-trm/1\n"
    "id:00000000-0000-4000-8000-000000000001\n"
    "type:referral_offer\n"
    "from:11111111-1111-4111-8111-111111111111\n"
    "to:22222222-2222-4222-8222-222222222222\n"
    "created:2026-11-30T10:00:00.000Z\n"
    "expires:2026-12-14T10:00:00.000Z\n"
    "in-reply-to:\n"
    "payload:60\n"
    "{\"legal_basis\":\"consent\",\"person\":{\"prs_Gender\":\"Feminine\"}}";
static const char SIGNATURE[] = "1649cfd425e8834d876469b359ae298f42b67d8422853d4898a9ba968253053ccd"
				"72647822051ee2217b3c0e06074e1e4764770bbb66a03613117e2824792f00";
static const char WIRE[] =
    "{\"v\":1,\"from\":\"11111111-1111-4111-8111-111111111111\",\"to\":\"22222222-2222-4222-8222-"
    "222222222222\",\"sealed\":\"mGykPxqZBX4ZY8zVTBpqHfPo2hexE9MLH0HNI2G5RQ/TG6Wgo5brLdPVpqJ/"
    "e8Eeipk7RZWPfx/zgbuuiUdH4K3UsNu9+koIcrilFTAervvHgtnQfSx64Fx8YJuKaonjJ5oc2CII/"
    "vJUhZG+GDOKyqyxNnvFUFxJXmP1OyjgWcw83O4w9MyrD7Pm69zMSAc4pe2yvv4KBu55rDC0zm0wFmo+nnn/"
    "LAoo0AUrYslBzzcTLNpJSu4MACQlVq8UQTHEYdWyXYyTJZqxuNK1lv6Pk5eVDcVHI1GjtbQZPn24Pcs6Du4BkTEEEZ4EGb"
    "3n4Kcdl6A+"
    "zXmSoai7lScK5PFBiBsbrw9PIF0QhRvpsGvkduY9wZLItWOpFwOmzYJWWMpMoFifJtThc3p9E5WRlEWp6YKDAjpNAVdMik"
    "r8GWKpuG/9wnkKjh353VVpVgnASGA43KFSuCtI+7jfgzzpg8GVAOuDJ1lk+eErIbVu/9jR/"
    "xJsJSBEyb1d8DO4tSW6IIg8GODcm7YvqzS4/lDplEw6DYvm/TGweNOrlfRVID1fNw4=\"}";
static const char PAYLOAD[] =
    "{\"legal_basis\":\"consent\",\"person\":{\"prs_Gender\":\"Feminine\"}}";

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

struct pair {
	unsigned char spk[CRYPTO_SIGN_PK], ssk[CRYPTO_SIGN_SK], bpk[CRYPTO_BOX_PK],
	    bsk[CRYPTO_BOX_SK];
};

static void keys_from(unsigned char byte, struct pair *k)
{
	unsigned char seed[32];
	memset(seed, byte, sizeof(seed));
	crypto_instance_keys(seed, k->spk, k->ssk, k->bpk, k->bsk);
}

static trm_envelope vector_envelope(void)
{
	trm_envelope e = { .type = "referral_offer",
			   .from = "11111111-1111-4111-8111-111111111111",
			   .to = "22222222-2222-4222-8222-222222222222",
			   .created = "2026-11-30T10:00:00.000Z",
			   .expires = "2026-12-14T10:00:00.000Z",
			   .in_reply_to = "",
			   .payload = PAYLOAD,
			   .payload_len = strlen(PAYLOAD) };
	memcpy(e.id, "00000000-0000-4000-8000-000000000001", CRYPTO_UUID);
	return e;
}

static void the_documented_vectors_hold(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), 0);
	struct pair s, r;
	keys_from(0x11, &s);
	keys_from(0x22, &r);
	char hex[2 * CRYPTO_SIGNATURE + 1], fp[CRYPTO_FINGERPRINT];
	to_hex(s.spk, 32, hex);
	assert_string_equal(hex, SENDER_SIGN_PK);
	to_hex(s.bpk, 32, hex);
	assert_string_equal(hex, SENDER_BOX_PK);
	to_hex(r.spk, 32, hex);
	assert_string_equal(hex, RECIPIENT_SIGN_PK);
	to_hex(r.bpk, 32, hex);
	assert_string_equal(hex, RECIPIENT_BOX_PK);
	crypto_fingerprint(s.spk, s.bpk, fp);
	assert_string_equal(fp, SENDER_FP);
	crypto_fingerprint(r.spk, r.bpk, fp);
	assert_string_equal(fp, RECIPIENT_FP);
	/* Canonical bytes and the (deterministic) Ed25519 signature. */
	trm_envelope e = vector_envelope();
	buf c;
	buf_init(&c, 1 << 16);
	assert_int_equal(trm_canonical(&e, &c), 0);
	assert_int_equal(c.len, strlen(CANONICAL));
	assert_memory_equal(c.data, CANONICAL, c.len);
	unsigned char sig[CRYPTO_SIGNATURE];
	crypto_signature(c.data, c.len, s.ssk, sig);
	to_hex(sig, sizeof(sig), hex);
	assert_string_equal(hex, SIGNATURE);
	/* The documented wire body opens, with the recipient's keys only, to both. */
	const char *b64 = strstr(WIRE, "\"sealed\":\"") + 10;
	buf sealed, opened;
	buf_init(&sealed, 1 << 16);
	buf_init(&opened, 1 << 16);
	assert_int_equal(crypto_base64_decode(b64, strcspn(b64, "\""), &sealed), 0);
	assert_int_equal(crypto_seal_open_for(sealed.data, sealed.len, r.bpk, r.bsk, &opened), 0);
	assert_int_equal(opened.len, c.len + CRYPTO_SIGNATURE);
	assert_memory_equal(opened.data, CANONICAL, c.len);
	assert_memory_equal(opened.data + c.len, sig, CRYPTO_SIGNATURE);
	assert_true(crypto_signature_valid(opened.data, c.len,
					   (const unsigned char *)opened.data + c.len, s.spk));
	assert_int_not_equal(crypto_seal_open_for(sealed.data, sealed.len, s.bpk, s.bsk, &opened),
			     0);
	/* Parsing gives the envelope back. */
	char text[1024];
	memcpy(text, CANONICAL, c.len + 1);
	trm_envelope back;
	assert_int_equal(trm_parse_canonical(text, c.len, &back), 0);
	assert_string_equal(back.id, e.id);
	assert_string_equal(back.type, "referral_offer");
	assert_string_equal(back.expires, e.expires);
	assert_int_equal(back.payload_len, strlen(PAYLOAD));
	buf_release(&c);
	buf_release(&sealed);
	buf_release(&opened);
	/* The document shows the same values. */
	FILE *f = fopen("docs/trm-protocol.md", "rb");
	assert_non_null(f);
	static char doc[1 << 16];
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	const char *values[] = { SENDER_SIGN_PK,   SENDER_BOX_PK, RECIPIENT_SIGN_PK,
				 RECIPIENT_BOX_PK, SENDER_FP,     RECIPIENT_FP,
				 SIGNATURE,        CANONICAL,     WIRE };
	for (size_t i = 0; i < ARRAY_LEN(values); i++)
		if (!strstr(doc, values[i]))
			fail_msg("docs/trm-protocol.md does not show %.40s...", values[i]);
}

static void canonical_bytes_refuse_what_could_be_confused(void **state)
{
	(void)state;
	trm_envelope e = vector_envelope();
	buf c;
	buf_init(&c, 1 << 16);
	e.type = "referral_offer\nid:x";
	assert_int_equal(trm_canonical(&e, &c), PONTE_EINVAL);
	e = vector_envelope();
	e.in_reply_to = "a\nb";
	assert_int_equal(trm_canonical(&e, &c), PONTE_EINVAL);
	e = vector_envelope();
	e.type = "Offer";
	assert_int_equal(trm_canonical(&e, &c), PONTE_EINVAL);
	/* Parsing: keys out of order, a payload longer or shorter than said, a bad UUID. */
	const char *bad[] = {
		"ponte-trm/1\ntype:x\nid:00000000-0000-4000-8000-000000000001\n",
		"ponte-trm/2\n",
		"",
	};
	trm_envelope out;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char text[256];
		snprintf(text, sizeof(text), "%s", bad[i]);
		assert_int_equal(trm_parse_canonical(text, strlen(text), &out), PONTE_EINVAL);
	}
	char text[1024];
	snprintf(text, sizeof(text), "%s", CANONICAL);
	assert_int_equal(trm_parse_canonical(text, strlen(CANONICAL) - 1, &out), PONTE_EINVAL);
	snprintf(text, sizeof(text), "%s ", CANONICAL);
	assert_int_equal(trm_parse_canonical(text, strlen(CANONICAL) + 1, &out), PONTE_EINVAL);
	snprintf(text, sizeof(text), "%s", CANONICAL);
	text[strlen("ponte-trm/1\nid:0")] = 'Z';
	assert_int_equal(trm_parse_canonical(text, strlen(CANONICAL), &out), PONTE_EINVAL);
	buf_release(&c);
}

/* The OpenAPI document names every document type with its fields, which are required and
 * which codes each takes: documentation that cannot drift from the descriptors. */
static void the_openapi_document_describes_every_document(void **state)
{
	(void)state;
	const struct embedded_file *f = embedded_find("api/openapi.json");
	assert_non_null(f);
	arena a;
	arena_init(&a, 1 << 24);
	json_value *doc;
	char err[128];
	assert_int_equal(json_parse(&a, f->data, f->len, &doc, err, sizeof(err)), 0);
	const json_value *schemas = json_get(json_get(doc, "components"), "schemas");
	size_t n;
	const trm_doc_type *types = trm_doc_types(&n);
	const json_value *names = json_get(
	    json_get(json_get(json_get(schemas, "TrmDocument"), "properties"), "type"), "enum");
	assert_non_null(names);
	assert_int_equal(names->length, n);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "TrmDocument_%s", types[i].type);
		assert_string_equal(names->items[i]->string, types[i].type);
		const json_value *s = json_get(schemas, name);
		const json_value *props = json_get(s, "properties"), *req = json_get(s, "required");
		if (!props || !req)
			fail_msg("api/openapi.json has no schema %s", name);
		size_t nf = 0, nreq = 0;
		for (; nf < TRM_DOC_FIELDS && types[i].fields[nf].name; nf++) {
			const trm_doc_field *d = &types[i].fields[nf];
			const json_value *p = json_get(props, d->name);
			if (!p)
				fail_msg("%s has no property %s", name, d->name);
			nreq += d->required;
			const json_value *e = json_get(p, "enum");
			size_t ncodes = 0;
			for (const char *c = d->codes; c && *c;
			     c += strcspn(c, ",") + !!c[strcspn(c, ",")])
				ncodes++;
			assert_int_equal(e ? e->length : 0, ncodes);
			for (size_t k = 0; e && k < e->length; k++)
				if (!strstr(d->codes, e->items[k]->string))
					fail_msg("%s.%s: %s is not a code", name, d->name,
						 e->items[k]->string);
		}
		assert_int_equal(props->length, nf);
		assert_int_equal(req->length, nreq);
	}
	arena_release(&a);
}

/* The members of an offer as the table of docs/trm-protocol.md lists them are the ones the
 * inbox requires: the same names, and an offer without any one of them is refused naming it. */
/* One rule for the instance's own address, a peer's identity and a fetch (TRM_URL_RULE). */
static void peer_addresses_are_https_or_loopback(void **state)
{
	(void)state;
	const char *good[] = { "https://ponte.example.ml", "http://127.0.0.1:8081",
			       "http://[::1]:8080/", "https://ponte.example.org/base" };
	const char *bad[] = { "",
			      "http://ponte.example.ml",
			      "ftp://127.0.0.1",
			      "http://localhost:8080",
			      "https://a b",
			      "https://x\"onmouseover=1",
			      "https://x<script>",
			      "https://x\\y",
			      "https://x\r\nHost: evil" };
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		assert_true(trm_url_ok(good[i], strlen(good[i])));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_false(trm_url_ok(bad[i], strlen(bad[i])));
	char longest[520] = "https://";
	memset(longest + 8, 'a', sizeof(longest) - 9);
	assert_false(trm_url_ok(longest, strlen(longest)));
	assert_true(trm_url_ok(longest, 500));
	/* A NUL inside the length is not an address's end in disguise. */
	assert_false(trm_url_ok("https://a\0b", 11));
	/* Only the first n bytes count: a prefix cut short is not https. */
	assert_false(trm_url_ok("https://a", 5));
}

static void the_documented_offer_members_are_the_required_ones(void **state)
{
	(void)state;
	FILE *f = fopen("docs/trm-protocol.md", "rb");
	assert_non_null(f);
	static char doc[1 << 16];
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	const char *row = strstr(doc, "\n| `referral_offer` | ");
	assert_non_null(row);
	row += strlen("\n| `referral_offer` | ");
	const char *end = strstr(row, " | ");
	assert_non_null(end);
	/* Every `name` of the payload's cell that is a member (not `prs_*`), once. */
	char documented[16][32];
	size_t nd = 0;
	for (const char *p = strchr(row, '`'); p && p < end; p = strchr(p, '`')) {
		const char *q = strchr(p + 1, '`');
		assert_non_null(q);
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 1), p + 1);
		p = q + 1;
		if (strchr(name, '*'))
			continue;
		bool seen = false;
		for (size_t i = 0; i < nd; i++)
			seen = seen || strcmp(documented[i], name) == 0;
		if (!seen && nd < 16)
			snprintf(documented[nd++], sizeof(documented[0]), "%s", name);
	}
	size_t nm;
	const char *const *members = trm_offer_members(&nm);
	assert_int_equal(nd, nm);
	for (size_t i = 0; i < nm; i++)
		if (strcmp(documented[i], members[i]) != 0)
			fail_msg("the table says %s where the inbox requires %s", documented[i],
				 members[i]);
	/* A complete offer is taken; without any one member, refused naming it. */
	const char *parts[] = {
		"\"legal_basis\":\"consent\"",
		"\"consent\":12",
		"\"child\":true",
		"\"categories\":[\"identity\",\"victim\"]",
		"\"person\":{\"prs_FirstName\":\"Awa\",\"prs_Citizenship\":[]}",
		"\"victim\":{\"vic_TraffickingStatus\":\"PossibleVictimOfTrafficking\"}",
	};
	assert_int_equal(ARRAY_LEN(parts), nm);
	buf json, out;
	buf_init(&json, 4096);
	buf_init(&out, 4096);
	for (size_t skip = 0; skip <= nm; skip++) {
		buf_reset(&json);
		buf_reset(&out);
		buf_putc(&json, '{');
		for (size_t i = 0; i < nm; i++)
			if (i != skip)
				buf_printf(&json, "%s%s", json.len > 1 ? "," : "", parts[i]);
		buf_putc(&json, '}');
		const char *field = NULL, *why = NULL;
		int rc = trm_offer_normalise(NULL, json.data, json.len, &out, &field, &why);
		if (skip == nm) {
			if (rc)
				fail_msg("a complete offer is refused: %s %s", field ? field : "",
					 why ? why : "");
			/* Written back, it reads the same again. */
			buf again;
			buf_init(&again, 4096);
			assert_int_equal(
			    trm_offer_normalise(NULL, out.data, out.len, &again, &field, &why), 0);
			assert_string_equal(again.data, out.data);
			buf_release(&again);
		} else {
			assert_int_equal(rc, PONTE_EINVAL);
			assert_non_null(field);
			assert_string_equal(field, members[skip]);
		}
	}
	buf_release(&json);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_documented_vectors_hold),
		cmocka_unit_test(the_openapi_document_describes_every_document),
		cmocka_unit_test(canonical_bytes_refuse_what_could_be_confused),
		cmocka_unit_test(the_documented_offer_members_are_the_required_ones),
		cmocka_unit_test(peer_addresses_are_https_or_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
