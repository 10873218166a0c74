/* libFuzzer: CSV files anyone can upload to the observatory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a;
	arena_init(&a, 64u << 20);
	csv_reader r;
	csv_init(&r, (const char *)data, size);
	csv_record *rec = malloc(sizeof(*rec));
	const char *problem;
	size_t last_line = 0;
	for (int rc, guard = 0; (rc = csv_next(&r, &a, rec, &problem)) != 0 && guard < 100000;
	     guard++) {
		if (rc != 1 && rc != PONTE_EINVAL && rc != PONTE_ENOMEM)
			abort();
		/* Lines only move forward, and every field is NUL-terminated at its length. */
		if (rec->line < last_line)
			abort();
		last_line = rec->line;
		for (size_t i = 0; rc == 1 && i < rec->n; i++)
			if (strlen(rec->fields[i]) != rec->lens[i])
				abort();
		if (rc == PONTE_ENOMEM)
			break;
	}
	csv_guess_separator((const char *)data, size);
	free(rec);
	arena_release(&a);
	return 0;
}
