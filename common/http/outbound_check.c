/*
 * outbound_check.c: the policy half of outbound requests (see
 * oidc/outbound.h): which URLs we fetch and which addresses we connect
 * to.  No libcurl here, so binaries that only validate URLs (every one
 * that reads client metadata) do not load libcurl and its dependencies;
 * outbound.c has the transfer.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/outbound.h"
#include "oidc/url.h"

static const char *const class_names[OIDC_ADDR__MAX] = {
	[OIDC_ADDR_PUBLIC] = "public",
	[OIDC_ADDR_PRIVATE] = "private",
	[OIDC_ADDR_LOOPBACK] = "loopback",
	[OIDC_ADDR_LINK_LOCAL] = "link-local",
	[OIDC_ADDR_UNSPECIFIED] = "unspecified",
	[OIDC_ADDR_MULTICAST] = "multicast",
	[OIDC_ADDR_RESERVED] = "reserved",
};

const char *
oidc_outbound_addr_class_name(enum oidc_addr_class c)
{
	return c < OIDC_ADDR__MAX ? class_names[c] : "reserved";
}

/* a.b.c.d as four bytes, network order. */
static enum oidc_addr_class
class_v4(const unsigned char *b)
{
	if (b[0] == 0)
		return OIDC_ADDR_UNSPECIFIED;		/* 0.0.0.0/8 */
	if (b[0] == 127)
		return OIDC_ADDR_LOOPBACK;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168))
		return OIDC_ADDR_PRIVATE;		/* RFC 1918 */
	/* RFC 6598 shared address space (carrier-grade NAT). */
	if (b[0] == 100 && (b[1] & 0xc0) == 64)
		return OIDC_ADDR_PRIVATE;
	if (b[0] == 169 && b[1] == 254)
		return OIDC_ADDR_LINK_LOCAL;		/* RFC 3927 */
	if ((b[0] & 0xf0) == 224)
		return OIDC_ADDR_MULTICAST;
	if ((b[0] & 0xf0) == 240)
		return OIDC_ADDR_RESERVED;		/* and broadcast */
	/*
	 * SECURITY (issue 15 item 11): special-purpose ranges that are not
	 * the public Internet (RFC 6890 registry).  Benchmarking networks
	 * (198.18.0.0/15) and the IETF protocol block (192.0.0.0/24, which
	 * holds the NAT64/DS-Lite addresses) are often routed to lab or
	 * infrastructure hosts; the documentation networks and the
	 * deprecated 6to4 relay anycast (RFC 7526) have no legitimate RP.
	 */
	if (b[0] == 198 && (b[1] & 0xfe) == 18)
		return OIDC_ADDR_RESERVED;		/* 198.18.0.0/15 */
	if (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
		return OIDC_ADDR_RESERVED;		/* 192.0.0/24, .2/24 */
	if (b[0] == 192 && b[1] == 88 && b[2] == 99)
		return OIDC_ADDR_RESERVED;		/* 192.88.99.0/24 */
	if ((b[0] == 198 && b[1] == 51 && b[2] == 100) ||
	    (b[0] == 203 && b[1] == 0 && b[2] == 113))
		return OIDC_ADDR_RESERVED;		/* TEST-NET-2, -3 */
	return OIDC_ADDR_PUBLIC;
}

static bool
all_zero(const unsigned char *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/*
 * IPv6 forms that carry an IPv4 address, and where the IPv4 part sits.
 * SECURITY: such an address reaches (or is translated to) the IPv4 host,
 * so it is judged as that host: ::ffff:127.0.0.1 is loopback.
 *
 *   ::ffff:0:0/96      IPv4-mapped (RFC 4291 2.5.5.2)      bytes 12..15
 *   ::/96              IPv4-compatible, deprecated         bytes 12..15
 *   ::ffff:0:0:0/96    IPv4-translated, SIIT (RFC 2765)    bytes 12..15
 *   64:ff9b::/96       NAT64 well-known prefix (RFC 6052)  bytes 12..15
 *   2002::/16          6to4 (RFC 3056)                     bytes 2..5
 *
 * Returns the offset of the IPv4 address in b, or -1.
 */
static int
embedded_v4(const unsigned char *b)
{
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const unsigned char siit[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0 };

	if ((all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff) ||
	    all_zero(b, 12) || memcmp(b, siit, 12) == 0 ||
	    memcmp(b, nat64, 12) == 0)
		return 12;
	if (b[0] == 0x20 && b[1] == 0x02)
		return 2;
	return -1;
}

static enum oidc_addr_class
class_v6(const unsigned char *b)
{
	enum oidc_addr_class	 c;
	int			 off;

	if (all_zero(b, 16))
		return OIDC_ADDR_UNSPECIFIED;
	if (all_zero(b, 15) && b[15] == 1)
		return OIDC_ADDR_LOOPBACK;
	if ((off = embedded_v4(b)) != -1) {
		c = class_v4(b + off);
		/*
		 * SECURITY: 6to4 is deprecated (RFC 7526) and its traffic
		 * goes through whichever relay answers the anycast address,
		 * so even a public embedded address is refused.  The other
		 * forms with a public IPv4 part stay allowed: NAT64 is how
		 * an IPv6-only host reaches a public IPv4 RP.
		 */
		if (off == 2 && c == OIDC_ADDR_PUBLIC)
			return OIDC_ADDR_RESERVED;
		return c;
	}
	/*
	 * The local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) may embed
	 * the IPv4 address at any RFC 6052 position and is by definition
	 * an operator's internal translator: refused as a whole.
	 */
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
	    b[4] == 0x00 && b[5] == 0x01)
		return OIDC_ADDR_PRIVATE;
	/*
	 * 2001::/23 is the IETF protocol block: Teredo (2001::/32, which
	 * hides an IPv4 server and client address), benchmarking
	 * (2001:2::/48), ORCHID and anycast services; none is an RP.
	 */
	if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0x00)
		return OIDC_ADDR_RESERVED;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return OIDC_ADDR_RESERVED;		/* 2001:db8::/32 doc */
	if (b[0] == 0x01 && all_zero(b + 1, 7))
		return OIDC_ADDR_RESERVED;		/* 100::/64 discard */
	if (b[0] == 0xff)
		return OIDC_ADDR_MULTICAST;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return OIDC_ADDR_LINK_LOCAL;		/* fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return OIDC_ADDR_PRIVATE;		/* fec0::/10, old */
	if ((b[0] & 0xfe) == 0xfc)
		return OIDC_ADDR_PRIVATE;		/* fc00::/7 ULA */
	return OIDC_ADDR_PUBLIC;
}

enum oidc_addr_class
oidc_outbound_addr_class(const struct sockaddr *sa, size_t salen)
{
	struct sockaddr_in	 v4;
	struct sockaddr_in6	 v6;

	if (sa == NULL || salen < sizeof(sa->sa_family))
		return OIDC_ADDR_RESERVED;
	if (sa->sa_family == AF_INET && salen >= sizeof(v4)) {
		memcpy(&v4, sa, sizeof(v4));
		return class_v4((const unsigned char *)&v4.sin_addr);
	}
	if (sa->sa_family == AF_INET6 && salen >= sizeof(v6)) {
		memcpy(&v6, sa, sizeof(v6));
		return class_v6(v6.sin6_addr.s6_addr);
	}
	return OIDC_ADDR_RESERVED;
}

/* ---- URL syntax ---- */

_Static_assert(OIDC_OUTBOUND_MAX_URL_LEN <= OIDC_URL_MAX_LEN,
    "outbound URLs longer than the parser takes");

int
oidc_outbound_url_check(const char *url, size_t len, bool allow_http,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_url		 u;
	const char		*detail = "scheme, userinfo or fragment";

	if (url == NULL || len > OIDC_OUTBOUND_MAX_URL_LEN ||
	    oidc_url_parse(url, len, &u, &why) == -1 ||
	    !oidc_url_is_fetchable(&u, allow_http)) {
		if (why.code != OIDC_E_NONE)
			detail = why.detail;
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The URI is not "
		    "an acceptable https URL.", "outbound %s", detail);
	}
	return 0;
}
