#include "instance/instance.h"
#include "api/api.h"
#include "base/json.h"
#include "services/services.h"

/* GET /api/v1/instance: the public identity of this installation. */
int api_instance(http_request *req, http_response *res)
{
	instance_info info;
	int rc = instance_get(services_of(req)->db, req->arena, &info);
	if (rc)
		return rc;
	res->content_type = "application/json";
	rc = buf_putc(&res->body, '{');
	if (!rc)
		rc = json_field_str(&res->body, true, "name", info.name);
	if (!rc)
		rc = json_field_str(&res->body, false, "country", info.country);
	if (!rc)
		rc = json_field_str(&res->body, false, "version", PONTE_VERSION);
	if (!rc)
		rc = buf_putc(&res->body, '}');
	return rc;
}
