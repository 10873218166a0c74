/* Downloads: the Content-Disposition every attachment is served with (http/download.c). */
#include "web/web.h"

const char *web_disposition(arena *a, const char *name)
{
	return http_disposition(a, name);
}
