/* libFuzzer: the payloads peers send that the inbox re-writes (a chain report, a document of
 * each type) or reads (a key rotation). Whatever is taken must be taken again unchanged once
 * re-written (one form per meaning), and nothing may crash or leak. The first byte chooses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trm/trm.h"

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
	unsigned choice = data[0] % (ntypes + 2);
	if (choice == 0)
		idempotent_chain(text, n);
	else if (choice == 1) {
		unsigned char spk[CRYPTO_SIGN_PK], bpk[CRYPTO_BOX_PK];
		char fp[CRYPTO_FINGERPRINT];
		(void)trm_key_rotation_parse(text, n, spk, bpk, fp);
	} else
		idempotent_document(types[choice - 2].type, text, n);
	return 0;
}
