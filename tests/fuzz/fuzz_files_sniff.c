/* libFuzzer: the kind of an uploaded file, decided from bytes anyone can send. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "files/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const file_kind *k = files_sniff(data, size);
	/* Whatever is accepted starts with one of the accepted signatures. */
	if (k &&
	    !(size >= 3 && (data[0] == '%' || data[0] == 0x89 || data[0] == 0xFF ||
			    data[0] == 'G' || data[0] == 'R' || data[0] == 0xD0 || data[0] == 'P')))
		abort();
	char name[256];
	if (k) {
		char given[300];
		size_t n = size < sizeof(given) - 1 ? size : sizeof(given) - 1;
		memcpy(given, data, n);
		given[n] = '\0';
		files_download_name(given, k, name, sizeof(name));
		if (strpbrk(name, "\"/\\\r\n;"))
			abort();
	}
	return 0;
}
