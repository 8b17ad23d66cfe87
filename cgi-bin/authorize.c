/* cgi-bin/authorize.c: the authorization endpoint (OIDC Core 3.1.2). */
#include "oidc/app.h"
#include "oidc/authorize.h"

static const struct oidc_endpoint authorize_ep = {
	.name		= "authorize",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_POST,
	/* Keys sign implicit/hybrid ID Tokens and check id_token_hint. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_SIGNING_KEYS |
			  OIDC_NEED_SUBJECTS | OIDC_NEED_OUTBOUND |
			  OIDC_NEED_CLIENT_SECRETS,
	.max_body	= 64 * 1024,	/* pages carry a request object */
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_HTML,
	.init		= oidc_authorize_init,
	.handle		= oidc_authorize_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&authorize_ep, argc, argv);
}
