/* cgi-bin/par.c: Pushed Authorization Requests (RFC 9126). */
#include "oidc/app.h"
#include "oidc/par.h"

static const struct oidc_endpoint par_ep = {
	.name		= "par",
	.methods	= OIDC_METHOD_POST,
	/* Public keys check id_token_hint, as at /authorize. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_PUBLIC_KEYS |
			  OIDC_NEED_OUTBOUND | OIDC_NEED_CLIENT_SECRETS,
	.max_body	= 64 * 1024,	/* as /authorize: a request object */
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_par_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&par_ep, argc, argv);
}
