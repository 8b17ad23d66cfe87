/* cgi-bin/metrics.c: Prometheus metrics at /metrics (oidc/scrape.h). */
#include "oidc/app.h"
#include "oidc/scrape.h"

static const struct oidc_endpoint metrics_ep = {
	.name		= "metrics",
	.methods	= OIDC_METHOD_GET | OIDC_METHOD_HEAD,
	/* The database for key ages; reads the metrics directory. */
	.needs		= OIDC_NEED_DB | OIDC_NEED_FILES,
	.max_body	= 0,
	.body		= OIDC_BODY_FORM,
	.errstyle	= OIDC_ERRSTYLE_JSON,
	.handle		= oidc_scrape_handle,
	.init		= oidc_scrape_init,
};

int
main(int argc, char *argv[])
{
	return oidc_app_main(&metrics_ep, argc, argv);
}
