/*
 * cgi-bin/register.c: dynamic client registration (RFC 7591) at /register
 * and client configuration (RFC 7592) at /register/<client_id>.
 */
#include "oidc/app.h"
#include "oidc/register.h"

static const struct oidc_endpoint register_ep = {
	.name		= "register",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_POST | OIDC_METHOD_PUT |
			    OIDC_METHOD_DELETE,
	.needs		= OIDC_NEED_DB | OIDC_NEED_OUTBOUND |
			  OIDC_NEED_CLIENT_SECRETS,
	.max_body	= OIDC_REGISTER_MAX_BODY,
	.body		= OIDC_BODY_RAW,
	.errstyle	= OIDC_ERRSTYLE_BEARER,
	.handle		= oidc_register_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&register_ep, argc, argv);
}
