/* libFuzzer: the payloads peers send that the inbox re-writes (a chain report, a document of
 * each type, a referral offer) or reads (a key rotation). Whatever is taken must be taken again
 * unchanged once re-written (one form per meaning), and nothing may crash or leak. The first
 * byte chooses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trm/trm.h"

/* An offer's countries are checked against the database's: one for the run, made when the
 * first offer comes. */
static store *db;
static char dir[] = "/tmp/ponte-fuzz-trm-XXXXXX";

static void cleanup(void)
{
	static const char *const files[] = { "f.db", "f.db-wal", "f.db-shm" };
	char path[4200];
	if (db)
		store_close(db);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
	remove(dir);
}

static void setup(void)
{
	char path[4200], err[256];
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/f.db", dir);
	store_migration_report r;
	if (store_create(path, NULL, &db, err, sizeof(err)) || store_migrate(db, &r))
		abort();
}

static void idempotent_offer(const char *text, size_t n)
{
	if (!db)
		setup();
	buf once, twice;
	buf_init(&once, 1u << 20);
	buf_init(&twice, 1u << 20);
	const char *field, *why;
	if (trm_offer_normalise(db, text, n, &once, &field, &why) == 0 &&
	    (trm_offer_normalise(db, once.data, once.len, &twice, &field, &why) ||
	     once.len != twice.len || memcmp(once.data, twice.data, once.len)))
		abort();
	buf_release(&once);
	buf_release(&twice);
}

static void idempotent_chain(const char *text, size_t n)
{
	arena a;
	arena_init(&a, 1u << 20);
	buf once, twice;
	buf_init(&once, 1u << 16);
	buf_init(&twice, 1u << 16);
	if (trm_chain_normalise(&a, text, n, &once) == 0 &&
	    (trm_chain_normalise(&a, once.data, once.len, &twice) || once.len != twice.len ||
	     memcmp(once.data, twice.data, once.len)))
		abort();
	buf_release(&once);
	buf_release(&twice);
	arena_release(&a);
}

static void idempotent_document(const char *type, const char *text, size_t n)
{
	buf once, twice;
	buf_init(&once, 1u << 16);
	buf_init(&twice, 1u << 16);
	const char *field, *why;
	if (trm_document_normalise(type, text, n, &once, &field, &why) == 0 &&
	    (trm_document_normalise(type, once.data, once.len, &twice, &field, &why) ||
	     once.len != twice.len || memcmp(once.data, twice.data, once.len)))
		abort();
	buf_release(&once);
	buf_release(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	size_t ntypes;
	const trm_doc_type *types = trm_doc_types(&ntypes);
	unsigned choice = data[0] % (ntypes + 3);
	if (choice == 0)
		idempotent_chain(text, n);
	else if (choice == ntypes + 2)
		idempotent_offer(text, n);
	else if (choice == 1) {
		unsigned char spk[CRYPTO_SIGN_PK], bpk[CRYPTO_BOX_PK];
		char fp[CRYPTO_FINGERPRINT];
		(void)trm_key_rotation_parse(text, n, spk, bpk, fp);
	} else
		idempotent_document(types[choice - 2].type, text, n);
	return 0;
}
