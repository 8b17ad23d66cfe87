/* cgi-bin/discovery.c: /.well-known/openid-configuration (OIDC Discovery 1.0 4). */
#include "oidc/app.h"
#include "oidc/discovery.h"

static const struct oidc_endpoint discovery_ep = {
	.name		= "discovery",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_HEAD,
	/* Public keys only; the database to follow key changes. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_PUBLIC_KEYS,
	.max_body	= 0,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_static_doc_handle,
	.init		= oidc_discovery_init,
	.fini		= oidc_static_doc_fini,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&discovery_ep, argc, argv);
}
