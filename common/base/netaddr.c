/*
 * netaddr.c: IP addresses, trusted proxies and X-Forwarded-For (see
 * oidc/netaddr.h for the rules and limits).
 *
 * Every parser here takes (buf, len), reads nothing past len and writes
 * nothing into buf.  inet_pton needs a NUL-terminated string, so an
 * element is first checked against the address alphabet and length and
 * then copied into a bounded local buffer.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "oidc/netaddr.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool
addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == '.' || c == ':';
}

int
oidc_netaddr_parse(const char *buf, size_t len, struct oidc_netaddr *out)
{
	char		 tmp[OIDC_NETADDR_BUFLEN];
	unsigned char	 b[16];
	size_t		 i;

	if (buf == NULL || len == 0 || len > OIDC_NETADDR_MAX_TEXT)
		return -1;
	for (i = 0; i < len; i++)
		if (!addr_char(buf[i]))
			return -1;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(tmp, ':', len) == NULL) {
		if (inet_pton(AF_INET, tmp, b) != 1)
			return -1;
		out->family = 4;
		memcpy(out->b, b, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, b) != 1)
		return -1;
	/* SECURITY: ::ffff:a.b.c.d is a.b.c.d: one host, one bucket. */
	if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
		out->family = 4;
		memcpy(out->b, b + 12, 4);
		return 0;
	}
	out->family = 6;
	memcpy(out->b, b, 16);
	return 0;
}

void
oidc_netaddr_format(const struct oidc_netaddr *a,
    char out[OIDC_NETADDR_BUFLEN])
{
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, out,
	    OIDC_NETADDR_BUFLEN) == NULL)
		memcpy(out, "unknown", sizeof("unknown"));
}

static bool
net_has(const struct oidc_netaddr_net *n, const struct oidc_netaddr *a)
{
	unsigned	 full = n->prefix / 8, rest = n->prefix % 8;
	unsigned char	 mask;

	if (n->addr.family != a->family)
		return false;
	if (memcmp(n->addr.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (n->addr.b[full] & mask) == (a->b[full] & mask);
}

bool
oidc_netaddr_list_has(const struct oidc_netaddr_list *l,
    const struct oidc_netaddr *a)
{
	size_t	 i;

	if (l == NULL)
		return false;
	for (i = 0; i < l->n; i++)
		if (net_has(&l->v[i], a))
			return true;
	return false;
}

static bool
list_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* One "ADDR" or "ADDR/PREFIX" entry of trusted_proxies. */
static int
parse_net(const char *p, size_t len, struct oidc_netaddr_net *out)
{
	const char	*slash = memchr(p, '/', len);
	size_t		 alen = slash != NULL ? (size_t)(slash - p) : len;
	unsigned	 max, prefix = 0, bit;
	size_t		 i, ndig;
	bool		 mapped;

	if (oidc_netaddr_parse(p, alen, &out->addr) == -1)
		return -1;
	/* A mapped ::ffff:a.b.c.d is IPv4 now, but its prefix counts 128. */
	mapped = out->addr.family == 4 && memchr(p, ':', alen) != NULL;
	max = out->addr.family == 6 || mapped ? 128 : 32;
	if (slash == NULL) {
		out->prefix = out->addr.family == 4 ? 32 : 128;
		return 0;
	}
	ndig = len - alen - 1;
	if (ndig == 0 || ndig > 3 || (ndig > 1 && slash[1] == '0'))
		return -1;
	for (i = 1; i <= ndig; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return -1;
		prefix = prefix * 10 + (unsigned)(slash[i] - '0');
	}
	if (prefix > max)
		return -1;
	if (mapped) {
		if (prefix < 96)
			return -1;
		prefix -= 96;
	}
	/* Host bits must be zero: "10.0.0.1/8" is a typo, not a network. */
	for (bit = prefix; bit < (out->addr.family == 4 ? 32u : 128u); bit++)
		if (out->addr.b[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	out->prefix = prefix;
	return 0;
}

int
oidc_netaddr_list_parse(const char *buf, size_t len,
    struct oidc_netaddr_list *out, struct oidc_error *err)
{
	size_t	 i = 0, start;

	memset(out, 0, sizeof(*out));
	if (len > OIDC_NETADDR_MAX_LIST)
		return oidc_fail(err, OIDC_E_CONFIG, NULL,
		    "list longer than %d bytes", OIDC_NETADDR_MAX_LIST);
	while (i < len) {
		while (i < len && list_sep(buf[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !list_sep(buf[i]))
			i++;
		if (out->n == OIDC_NETADDR_MAX_PROXIES)
			return oidc_fail(err, OIDC_E_CONFIG, NULL,
			    "more than %d entries", OIDC_NETADDR_MAX_PROXIES);
		if (parse_net(buf + start, i - start, &out->v[out->n]) == -1)
			return oidc_fail(err, OIDC_E_CONFIG, NULL,
			    "not an address or ADDR/PREFIX network: \"%.*s\"",
			    (int)(i - start > 64 ? 64 : i - start),
			    buf + start);
		out->n++;
	}
	return 0;
}

static bool
ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The element of X-Forwarded-For that ends at buf[end) (exclusive),
 * trimmed: 0 with *a set and *start at its first byte (its comma, if any,
 * is buf[*start - 1]), or -1 when it is malformed or too long.
 */
static int
xff_elem(const char *buf, size_t end, size_t *start, struct oidc_netaddr *a)
{
	size_t	 b = end, e = end;

	while (b > 0 && buf[b - 1] != ',') {
		b--;
		if (end - b > OIDC_NETADDR_MAX_ELEM)
			return -1;
	}
	*start = b;
	while (b < e && ows(buf[b]))
		b++;
	while (e > b && ows(buf[e - 1]))
		e--;
	return oidc_netaddr_parse(buf + b, e - b, a);
}

int
oidc_netaddr_client(const struct oidc_netaddr_list *trusted,
    const char *remote, size_t rlen, const char *xff, size_t xlen,
    char out[OIDC_NETADDR_BUFLEN])
{
	struct oidc_netaddr	 ra, a;
	size_t			 end, start, hops;

	if (oidc_netaddr_parse(remote, rlen, &ra) == -1) {
		memcpy(out, "unknown", sizeof("unknown"));
		return -1;
	}
	oidc_netaddr_format(&ra, out);
	if (xff == NULL || xlen == 0 || !oidc_netaddr_list_has(trusted, &ra))
		return 0;
	/*
	 * SECURITY: right to left.  Only the hops our trusted proxies
	 * appended are believed; the first untrusted one is the client, and
	 * what it claims about itself (further left) is never read.
	 */
	end = xlen;
	for (hops = 0; hops < OIDC_NETADDR_MAX_HOPS; hops++) {
		if (xff_elem(xff, end, &start, &a) == -1)
			return 0;
		if (!oidc_netaddr_list_has(trusted, &a)) {
			oidc_netaddr_format(&a, out);
			return 1;
		}
		if (start == 0) {
			/* Every hop trusted: the leftmost is the client. */
			oidc_netaddr_format(&a, out);
			return 1;
		}
		end = start - 1;
	}
	return 0;
}
