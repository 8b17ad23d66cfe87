/*
 * scrape.h: the /metrics endpoint (metrics.fcgi; issue 20 item 12).
 *
 * GET or HEAD /metrics answers the Prometheus text exposition format
 * 0.0.4 (Content-Type text/plain; version=0.0.4): the counter pages of
 * every live worker in the metrics directory (oidc/metrics.h), summed
 * per endpoint, and the age of each active database signing key
 * (oidc_signing_key_age_seconds{kid,alg}: seconds since its activation;
 * from one SELECT per scrape, left out while the database is down, when
 * the counters still answer).  Only client addresses (oidc/netaddr.h,
 * trusted_proxies honoured) inside `metrics_allow` (default loopback:
 * 127.0.0.0/8 and ::1) may read it; others get 403 access_denied.
 * Not an OpenID Connect endpoint: `endpoints` and discovery ignore it.
 * What it does not do: count anything itself beyond its own requests,
 * keep history, or push anywhere.
 */
#ifndef OIDC_SCRAPE_H
#define OIDC_SCRAPE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

/* Start-up: the default allow list when metrics_allow is not set. */
OIDC_MUST_CHECK int	oidc_scrape_init(struct oidc_ctx *,
			    struct oidc_error *);

OIDC_MUST_CHECK int	oidc_scrape_handle(struct oidc_ctx *,
			    const struct oidc_request *,
			    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_SCRAPE_H */
