/*
 * netaddr.h: IP addresses, the trusted_proxies list (oidc.conf(5)) and the
 * client address behind trusted proxies (issue 15 item 9).
 *
 * Throttling (oidc/clientauth.c, oidc/session.c) counts failures per
 * source address.  Behind a local TLS terminator every request has the
 * terminator's REMOTE_ADDR, so all users would share one bucket.  When
 * REMOTE_ADDR is one of the configured trusted proxies, the client address
 * is taken from X-Forwarded-For instead: the header is walked from right to
 * left (the right end is what the nearest proxy appended; everything to
 * the left of the first untrusted hop is written by the client and may be
 * forged), trusted proxies are skipped, and the first untrusted address
 * wins.  If every hop is trusted, the leftmost one is the client.  A
 * malformed element met before an untrusted one (empty, not an address,
 * a port, brackets, a zone id, too long), an empty header, or more than
 * OIDC_NETADDR_MAX_HOPS hops, means "no usable header": REMOTE_ADDR is
 * used.  Elements left of the winner are never parsed.
 * This module does not read HTTP headers itself (http/request.c does) and
 * does not decide what a source may do (the throttling code does).
 *
 * Addresses are IPv4 dotted quads (inet_pton rules: no leading zeros, no
 * shorthand) or IPv6 text (RFC 4291 2.2); an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is the IPv4 address, so one host has one key.
 * Output text is canonical (inet_ntop; RFC 5952 for IPv6).
 *
 * Limits:
 *   OIDC_NETADDR_MAX_TEXT	45 bytes per address (INET6_ADDRSTRLEN - 1)
 *   OIDC_NETADDR_MAX_ELEM	64 bytes per X-Forwarded-For element,
 *				spaces and tabs around the address included
 *   OIDC_NETADDR_MAX_HOPS	32 elements examined, right to left
 *   OIDC_NETADDR_MAX_PROXIES	32 entries in trusted_proxies
 *   OIDC_NETADDR_MAX_LIST	4096 bytes of trusted_proxies text
 *   input length		the caller's (http/request.c caps every
 *				header at OIDC_REQUEST_MAX_HEADER)
 */
#ifndef OIDC_NETADDR_H
#define OIDC_NETADDR_H

#include <stddef.h>
#include <stdbool.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_NETADDR_MAX_TEXT		45
#define OIDC_NETADDR_MAX_ELEM		64
#define OIDC_NETADDR_MAX_HOPS		32
#define OIDC_NETADDR_MAX_PROXIES	32
#define OIDC_NETADDR_MAX_LIST		4096
/* Room for canonical text and its NUL. */
#define OIDC_NETADDR_BUFLEN		(OIDC_NETADDR_MAX_TEXT + 1)

struct oidc_arena;

struct oidc_netaddr {
	int		 family;	/* 4 or 6 */
	unsigned char	 b[16];		/* network order; IPv4 in b[0..3] */
};

struct oidc_netaddr_net {
	struct oidc_netaddr	 addr;
	unsigned		 prefix;	/* 0..32 or 0..128 */
};

struct oidc_netaddr_list {
	struct oidc_netaddr_net	 v[OIDC_NETADDR_MAX_PROXIES];
	size_t			 n;
};

/*
 * Parse one address from buf[0..len), no surrounding spaces.  0 with *out
 * set, or -1 (not an address, or over OIDC_NETADDR_MAX_TEXT).  Reads no
 * byte past len and does not need a NUL.
 */
OIDC_MUST_CHECK int	oidc_netaddr_parse(const char *buf, size_t len,
			    struct oidc_netaddr *out);

/*
 * Parse a trusted_proxies value: addresses or networks ADDR/PREFIX
 * separated by spaces, tabs or commas, at most OIDC_NETADDR_MAX_PROXIES.
 * Host bits right of a prefix must be zero (10.0.0.1/8 is a typo, not a
 * network).  0, or -1 with err (OIDC_E_CONFIG; the detail names the bad
 * entry).  An empty value gives an empty list.
 */
OIDC_MUST_CHECK int	oidc_netaddr_list_parse(const char *buf, size_t len,
			    struct oidc_netaddr_list *out,
			    struct oidc_error *err);

/* Is `a` inside one of the list's networks?  A NULL list holds nothing. */
bool	oidc_netaddr_list_has(const struct oidc_netaddr_list *,
	    const struct oidc_netaddr *a);

/*
 * The client address of a request: REMOTE_ADDR (remote[0..rlen)), or,
 * when REMOTE_ADDR is in `trusted`, the X-Forwarded-For value
 * xff[0..xlen) walked as described above (xff may be NULL).  Writes the
 * canonical text into out[OIDC_NETADDR_BUFLEN].  Returns 1 when the
 * address came from X-Forwarded-For, 0 when it is REMOTE_ADDR, -1 when
 * REMOTE_ADDR itself is not an address (out is then "unknown": one shared
 * bucket, which fails closed for throttling).
 */
int	oidc_netaddr_client(const struct oidc_netaddr_list *trusted,
	    const char *remote, size_t rlen, const char *xff, size_t xlen,
	    char out[OIDC_NETADDR_BUFLEN]);

/* Canonical text of `a` into out[OIDC_NETADDR_BUFLEN]. */
void	oidc_netaddr_format(const struct oidc_netaddr *a,
	    char out[OIDC_NETADDR_BUFLEN]);

#endif /* OIDC_NETADDR_H */
