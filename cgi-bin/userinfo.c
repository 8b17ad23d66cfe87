/* cgi-bin/userinfo.c: the UserInfo endpoint (OIDC Core 5.3). */
#include "oidc/app.h"
#include "oidc/userinfo.h"

static const struct oidc_endpoint userinfo_ep = {
	.name		= "userinfo",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_POST |
	    OIDC_METHOD_OPTIONS,
	/* Keys only for signed UserInfo responses. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_SIGNING_KEYS |
			  OIDC_NEED_SUBJECTS | OIDC_NEED_CLIENT_SECRETS,
	.max_body	= 8 * 1024,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_BEARER,
	.handle		= oidc_userinfo_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&userinfo_ep, argc, argv);
}
