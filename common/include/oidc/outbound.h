/*
 * outbound.h: the provider's own HTTP requests to other servers
 * (back-channel logout deliveries, request_uri), on libcurl.
 *
 * Every outbound request in the code base goes through this module, so the
 * rules live in one place:
 *   - https only; plain http only when the operator set
 *     outbound_allow_private (development and tests);
 *   - the URL is checked strictly before libcurl sees it
 *     (oidc_outbound_url_check: oidc_url_parse and oidc_url_is_fetchable,
 *     oidc/url.h): absolute, no userinfo, no fragment, a host of
 *     letters, digits, '-' and '.' or an IP address, RFC 3986
 *     characters only, at most OIDC_OUTBOUND_MAX_URL_LEN bytes;
 *   - SECURITY (SSRF): every address libcurl is about to connect to is
 *     classified (oidc_outbound_addr_class) in its open-socket callback,
 *     after name resolution and for the very address used, so a name that
 *     resolves to a public address once and to 127.0.0.1 the next time
 *     (DNS rebinding) cannot reach an internal service.  Anything but a
 *     public unicast address is refused unless outbound_allow_private;
 *   - proxies from the environment are ignored, redirects are not
 *     followed, no content decoding is asked for;
 *   - timeouts outbound_connect_timeout and outbound_timeout; the
 *     response body is capped (the transfer is aborted beyond it);
 *   - the CA bundle is outbound_ca_file when set, else the system's.
 * What it does NOT do: retries (callers decide), connection reuse
 * between calls, cookies, authentication.
 * libcurl is included in common/http/outbound.c only (tests/checksrc.sh).
 *
 * Limits:
 *   OIDC_OUTBOUND_MAX_URL_LEN	2048 bytes of URL
 *   OIDC_OUTBOUND_MAX_BODY	64 KiB of request body
 *   OIDC_OUTBOUND_MAX_RESPONSE	64 KiB of response body (callers may ask
 *				for less)
 */
#ifndef OIDC_OUTBOUND_H
#define OIDC_OUTBOUND_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_OUTBOUND_MAX_URL_LEN	2048
#define OIDC_OUTBOUND_MAX_BODY		(64 * 1024)
#define OIDC_OUTBOUND_MAX_RESPONSE	(64 * 1024)

struct oidc_arena;
struct oidc_config;
struct sockaddr;

/* What kind of destination an IP address is. */
enum oidc_addr_class {
	OIDC_ADDR_PUBLIC = 0,
	OIDC_ADDR_PRIVATE,	/* 10/8, 172.16/12, 192.168/16, 100.64/10,
				   fc00::/7, fec0::/10 */
	OIDC_ADDR_LOOPBACK,	/* 127/8, ::1 */
	OIDC_ADDR_LINK_LOCAL,	/* 169.254/16, fe80::/10 */
	OIDC_ADDR_UNSPECIFIED,	/* 0/8, :: */
	OIDC_ADDR_MULTICAST,	/* 224/4, ff00::/8 */
	OIDC_ADDR_RESERVED,	/* 240/4 and broadcast, unknown families */
	OIDC_ADDR__MAX
};

/*
 * Classify the address in `sa` (AF_INET or AF_INET6, `salen` bytes).
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible, IPv4-translated
 * (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) IPv6
 * addresses are classified by their IPv4 part, so a mapped loopback
 * address is loopback; a 6to4 address with a public IPv4 part is
 * RESERVED (6to4 is deprecated), a NAT64 one with a public part PUBLIC.
 * RESERVED also covers the special-purpose blocks that are not the
 * public Internet: 192.0.0.0/24, 192.0.2.0/24, 192.88.99.0/24,
 * 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 2001::/23 (Teredo,
 * benchmarking), 2001:db8::/32 and 100::/64; the local-use NAT64 prefix
 * 64:ff9b:1::/48 is PRIVATE.  Anything malformed is RESERVED.
 */
enum oidc_addr_class	oidc_outbound_addr_class(const struct sockaddr *sa,
			    size_t salen);

/* "public", "private", "loopback", ... for logs. */
const char	*oidc_outbound_addr_class_name(enum oidc_addr_class);

/*
 * Check a URL against the rules above: oidc_url_parse() (oidc/url.h) and
 * oidc_url_is_fetchable(): lower-case https (or http when `allow_http`),
 * no userinfo, no fragment.  0, or -1 with OIDC_E_INVALID_REQUEST.
 * Reads buf[0..len) only.
 */
OIDC_MUST_CHECK int	oidc_outbound_url_check(const char *url, size_t len,
			    bool allow_http, struct oidc_error *);

enum oidc_outbound_method {
	OIDC_OUTBOUND_GET,
	OIDC_OUTBOUND_POST
};

struct oidc_outbound_req {
	enum oidc_outbound_method	 method;
	struct oidc_str			 url;
	const char			*content_type;	/* POST body type */
	struct oidc_str			 body;		/* POST only */
	const char			*accept;	/* NULL: none */
	size_t				 max_response;	/* 0: the maximum */
};

struct oidc_outbound_resp {
	long		 status;	/* HTTP status */
	struct oidc_str	 body;		/* arena-owned, NUL-terminated */
	struct oidc_str	 content_type;	/* arena-owned or absent */
};

/*
 * Perform one request under the rules above with cfg's outbound_* keys.
 * Any HTTP status is a success here (check resp->status).  0, or -1 with
 * err: OIDC_E_INVALID_REQUEST for a refused URL, OIDC_E_LIMIT when the
 * response passed the cap, OIDC_E_IO for refused addresses, timeouts,
 * TLS and network failures (the detail names the cause, never the body).
 */
OIDC_MUST_CHECK int	oidc_outbound_request(struct oidc_arena *,
			    const struct oidc_config *,
			    const struct oidc_outbound_req *,
			    struct oidc_outbound_resp *, struct oidc_error *);

#endif /* OIDC_OUTBOUND_H */
