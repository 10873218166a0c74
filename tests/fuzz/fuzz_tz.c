/* libFuzzer: a TZif file (RFC 8536) as base/tz.c reads a zone of the system's tz database, and
 * the offsets it then answers, which must stay within a day either side. */
#include <stdint.h>
#include <stdlib.h>

#include "base/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tz_zone *z = NULL;
	if (tz_parse(data, size, &z) != 0) {
		if (z)
			abort(); /* a refusal leaves nothing */
		return 0;
	}
	static const int64_t AT[] = { INT64_MIN / 2, -2208988800LL, 0,
				      1000000000LL,  1774746000LL,  1793489400LL,
				      4102444800LL,  INT64_MAX / 2 };
	for (size_t i = 0; i < sizeof(AT) / sizeof(AT[0]); i++) {
		int32_t off = tz_offset(z, AT[i]);
		if (off < -90000 || off > 93600)
			abort();
		(void)tz_local_to_utc(z, AT[i]);
	}
	tz_free(z);
	return 0;
}
