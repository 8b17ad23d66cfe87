/* cgi-bin/token.c: the OAuth 2.0 token endpoint (RFC 6749 3.2). */
#include "oidc/app.h"
#include "oidc/token.h"

static const struct oidc_endpoint token_ep = {
	.name		= "token",
	.methods	= OIDC_METHOD_POST | OIDC_METHOD_OPTIONS,
	.needs		= OIDC_NEED_DB | OIDC_NEED_SIGNING_KEYS |
			  OIDC_NEED_SUBJECTS | OIDC_NEED_OUTBOUND |
			  OIDC_NEED_CLIENT_SECRETS,
	.max_body	= 16 * 1024,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_token_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&token_ep, argc, argv);
}
