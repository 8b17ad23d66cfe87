/* cgi-bin/end_session.c: RP-Initiated Logout 1.0 (end_session_endpoint). */
#include "oidc/app.h"
#include "oidc/logout.h"

static const struct oidc_endpoint end_session_ep = {
	.name		= "end_session",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_POST,
	/* Keys verify id_token_hint signatures. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_SIGNING_KEYS |
			  OIDC_NEED_SUBJECTS,
	.max_body	= 16 * 1024,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_HTML,
	.handle		= oidc_logout_handle,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&end_session_ep, argc, argv);
}
