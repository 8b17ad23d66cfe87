/* cgi-bin/revoke.c: token revocation (RFC 7009). */
#include "oidc/app.h"
#include "oidc/revoke.h"

static const struct oidc_endpoint revoke_ep = {
	.name		= "revoke",
	.methods	= OIDC_METHOD_POST,
	.needs		= OIDC_NEED_DB | OIDC_NEED_OUTBOUND |
			  OIDC_NEED_CLIENT_SECRETS |
			  /* JWT access tokens (oidc/access_token.h). */
			  OIDC_NEED_PUBLIC_KEYS,
	.max_body	= 16 * 1024,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_revoke_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&revoke_ep, argc, argv);
}
