/* cgi-bin/device.c: device authorization endpoint (RFC 8628 3.1). */
#include "oidc/app.h"
#include "oidc/device.h"

static const struct oidc_endpoint device_ep = {
	.name		= "device",
	.methods	= OIDC_METHOD_POST,
	.needs		= OIDC_NEED_DB | OIDC_NEED_OUTBOUND |
			  OIDC_NEED_CLIENT_SECRETS,
	.max_body	= 16 * 1024,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_device_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&device_ep, argc, argv);
}
