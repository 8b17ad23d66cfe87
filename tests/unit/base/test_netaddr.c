/*
 * test_netaddr.c: addresses, trusted_proxies and the client address
 * behind trusted proxies (common/base/netaddr.c; issue 15 item 9).  The
 * X-Forwarded-For table is a list of hostile headers: each says which
 * address must win.
 */
#include <stdlib.h>
#include <string.h>

#include "oidc/netaddr.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct addr_case {
	const char	*in;
	int		 rc;
	const char	*canon;
};

static const struct addr_case addrs[] = {
	{ "192.0.2.1", 0, "192.0.2.1" },
	{ "0.0.0.0", 0, "0.0.0.0" },
	{ "2001:DB8:0:0:0:0:0:1", 0, "2001:db8::1" },
	{ "::1", 0, "::1" },
	{ "::ffff:192.0.2.1", 0, "192.0.2.1" },		/* mapped: one host */
	{ "::FFFF:c000:0201", 0, "192.0.2.1" },
	{ "192.0.2.01", -1, NULL },			/* leading zero */
	{ "192.0.2", -1, NULL },
	{ "192.0.2.256", -1, NULL },
	{ "192.0.2.1 ", -1, NULL },			/* callers trim */
	{ "192.0.2.1:443", -1, NULL },			/* a port */
	{ "[::1]", -1, NULL },
	{ "fe80::1%eth0", -1, NULL },			/* zone id */
	{ "", -1, NULL },
	{ "1:2:3:4:5:6:7:8:9", -1, NULL },
	{ "0x7f.1", -1, NULL },
	{ "unknown", -1, NULL },
	{ "1111:2222:3333:4444:5555:6666:255.255.255.255x", -1, NULL },
};

static void
test_parse(void)
{
	struct oidc_netaddr	 a;
	char			 out[OIDC_NETADDR_BUFLEN];
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(addrs); i++) {
		rc = oidc_netaddr_parse(addrs[i].in, strlen(addrs[i].in), &a);
		is_int(rc, addrs[i].rc, addrs[i].in);
		if (rc == 0) {
			oidc_netaddr_format(&a, out);
			is_str(out, addrs[i].canon, addrs[i].in);
		}
	}
	/* The length is the parser's bound, not a NUL. */
	is_int(oidc_netaddr_parse("10.0.0.1999", 8, &a), 0,
	    "parses only len bytes");
	oidc_netaddr_format(&a, out);
	is_str(out, "10.0.0.1", "parses only len bytes: 10.0.0.1");
}

struct list_case {
	const char	*in;
	int		 rc;
	size_t		 n;
};

static const struct list_case lists[] = {
	{ "127.0.0.1 ::1 10.0.0.0/8", 0, 3 },
	{ "127.0.0.1,\t::1, 192.168.0.0/16", 0, 3 },
	{ "   ", 0, 0 },
	{ "10.0.0.1/8", -1, 0 },		/* host bits set: a typo */
	{ "10.0.0.0/33", -1, 0 },
	{ "10.0.0.0/08", -1, 0 },
	{ "10.0.0.0/", -1, 0 },
	{ "2001:db8::/32", 0, 1 },
	{ "2001:db8::/129", -1, 0 },
	{ "::ffff:10.0.0.0/104", 0, 1 },
	{ "::ffff:10.0.0.0/8", -1, 0 },
	{ "localhost", -1, 0 },
	{ "0.0.0.0/0", 0, 1 },
};

static void
test_list(void)
{
	struct oidc_netaddr_list	 l;
	struct oidc_netaddr		 a;
	struct oidc_error		 err;
	char				 big[40 * 12 + 1];
	size_t				 i;
	int				 rc;

	for (i = 0; i < OIDC_NELEM(lists); i++) {
		oidc_error_clear(&err);
		rc = oidc_netaddr_list_parse(lists[i].in, strlen(lists[i].in),
		    &l, &err);
		is_int(rc, lists[i].rc, lists[i].in);
		if (rc == 0)
			is_int((long long)l.n, (long long)lists[i].n,
			    lists[i].in);
		else
			is_int(err.code, OIDC_E_CONFIG, lists[i].in);
	}
	/* OIDC_NETADDR_MAX_PROXIES entries pass, one more fails. */
	big[0] = '\0';
	for (i = 0; i < OIDC_NETADDR_MAX_PROXIES; i++)
		memcpy(big + i * 11, "10.0.0.10, ", 11);
	big[OIDC_NETADDR_MAX_PROXIES * 11] = '\0';
	oidc_error_clear(&err);
	is_int(oidc_netaddr_list_parse(big, strlen(big), &l, &err), 0,
	    "max proxies");
	memcpy(big + OIDC_NETADDR_MAX_PROXIES * 11, "10.0.0.1", 9);
	oidc_error_clear(&err);
	is_int(oidc_netaddr_list_parse(big, strlen(big), &l, &err), -1,
	    "max proxies + 1");
	/* Membership. */
	oidc_error_clear(&err);
	is_int(oidc_netaddr_list_parse(S("10.0.0.0/8 2001:db8::/33"), &l,
	    &err), 0, "list for membership");
	ok(oidc_netaddr_parse(S("10.255.0.1"), &a) == 0 &&
	    oidc_netaddr_list_has(&l, &a), "10.255.0.1 in 10.0.0.0/8");
	ok(oidc_netaddr_parse(S("11.0.0.1"), &a) == 0 &&
	    !oidc_netaddr_list_has(&l, &a), "11.0.0.1 not in 10.0.0.0/8");
	ok(oidc_netaddr_parse(S("2001:db8:7fff::1"), &a) == 0 &&
	    oidc_netaddr_list_has(&l, &a), "2001:db8:7fff::1 in /33");
	ok(oidc_netaddr_parse(S("2001:db8:8000::1"), &a) == 0 &&
	    !oidc_netaddr_list_has(&l, &a), "2001:db8:8000::1 not in /33");
	ok(oidc_netaddr_parse(S("::ffff:10.1.1.1"), &a) == 0 &&
	    oidc_netaddr_list_has(&l, &a), "mapped 10.1.1.1 in 10.0.0.0/8");
	ok(!oidc_netaddr_list_has(NULL, &a), "a NULL list holds nothing");
}

struct xff_case {
	const char	*test;
	const char	*remote;
	const char	*xff;
	int		 rc;
	const char	*want;
};

/* trusted_proxies = 127.0.0.1 ::1 10.0.0.0/8 */
static const struct xff_case xffs[] = {
	{ "one hop", "127.0.0.1", "192.0.2.7", 1, "192.0.2.7" },
	{ "untrusted remote: header ignored", "192.0.2.66", "198.51.100.7",
	    0, "192.0.2.66" },
	{ "no header", "127.0.0.1", NULL, 0, "127.0.0.1" },
	{ "empty header", "127.0.0.1", "", 0, "127.0.0.1" },
	{ "forged left part is not read", "127.0.0.1",
	    "198.51.100.7, 192.0.2.66", 1, "192.0.2.66" },
	{ "garbage left of the client is not read", "127.0.0.1",
	    "<script>, \x01\xff, 192.0.2.66", 1, "192.0.2.66" },
	{ "trusted hops skipped", "127.0.0.1", "192.0.2.66, 10.1.2.3, ::1",
	    1, "192.0.2.66" },
	{ "all trusted: the leftmost", "127.0.0.1", "10.0.0.5, 10.0.0.6",
	    1, "10.0.0.5" },
	{ "spaces and tabs", "127.0.0.1", " \t192.0.2.7\t , 10.0.0.1 ", 1,
	    "192.0.2.7" },
	{ "ipv6 canonical", "::1", "2001:DB8:0::0:1", 1, "2001:db8::1" },
	{ "mapped ipv4 proxy", "::ffff:127.0.0.1", "192.0.2.7", 1,
	    "192.0.2.7" },
	{ "malformed last element", "127.0.0.1", "192.0.2.66, 1.2.3", 0,
	    "127.0.0.1" },
	{ "port", "127.0.0.1", "192.0.2.66:443", 0, "127.0.0.1" },
	{ "brackets", "127.0.0.1", "[2001:db8::1]", 0, "127.0.0.1" },
	{ "zone id", "127.0.0.1", "fe80::1%eth0", 0, "127.0.0.1" },
	{ "empty element after trusted", "127.0.0.1", ", 10.0.0.1", 0,
	    "127.0.0.1" },
	{ "trailing comma", "127.0.0.1", "192.0.2.66,", 0, "127.0.0.1" },
	{ "only commas", "127.0.0.1", ",,,", 0, "127.0.0.1" },
	{ "unknown token", "127.0.0.1", "unknown", 0, "127.0.0.1" },
	{ "RFC 7239 syntax is not X-Forwarded-For", "127.0.0.1",
	    "for=192.0.2.66", 0, "127.0.0.1" },
	{ "NUL inside", "127.0.0.1", "192.0.2.66\0", 0, "127.0.0.1" },
	{ "bad REMOTE_ADDR", "nginx", "192.0.2.66", -1, "unknown" },
};

static void
test_client(void)
{
	struct oidc_netaddr_list	 l;
	struct oidc_error		 err = { 0 };
	char				 out[OIDC_NETADDR_BUFLEN];
	char				*h;
	size_t				 i, len, xlen;
	int				 rc;

	if (oidc_netaddr_list_parse(S("127.0.0.1 ::1 10.0.0.0/8"), &l,
	    &err) == -1)
		abort();
	for (i = 0; i < OIDC_NELEM(xffs); i++) {
		xlen = xffs[i].xff == NULL ? 0 : strlen(xffs[i].xff);
		/* "NUL inside": count the NUL too. */
		if (strcmp(xffs[i].test, "NUL inside") == 0)
			xlen++;
		rc = oidc_netaddr_client(&l, xffs[i].remote,
		    strlen(xffs[i].remote), xffs[i].xff, xlen, out);
		is_int(rc, xffs[i].rc, xffs[i].test);
		is_str(out, xffs[i].want, xffs[i].test);
	}
	/* Without trusted proxies the header never counts. */
	is_int(oidc_netaddr_client(NULL, S("127.0.0.1"), S("192.0.2.7"), out),
	    0, "no trusted proxies");
	is_str(out, "127.0.0.1", "no trusted proxies: REMOTE_ADDR");

	/* OIDC_NETADDR_MAX_HOPS trusted hops before the client. */
	h = malloc(OIDC_NETADDR_MAX_HOPS * 11 + 16);
	memcpy(h, "192.0.2.9", 9);
	len = 9;
	for (i = 0; i < OIDC_NETADDR_MAX_HOPS - 1; i++) {
		memcpy(h + len, ", 10.0.0.1", 10);
		len += 10;
	}
	is_int(oidc_netaddr_client(&l, S("127.0.0.1"), h, len, out), 1,
	    "max hops");
	is_str(out, "192.0.2.9", "max hops: the client");
	memcpy(h + len, ", 10.0.0.1", 10);
	len += 10;
	is_int(oidc_netaddr_client(&l, S("127.0.0.1"), h, len, out), 0,
	    "max hops + 1: REMOTE_ADDR");
	is_str(out, "127.0.0.1", "max hops + 1: REMOTE_ADDR");
	free(h);

	/* Element length: OIDC_NETADDR_MAX_ELEM passes, one more fails. */
	h = malloc(OIDC_NETADDR_MAX_ELEM + 1);
	memset(h, ' ', OIDC_NETADDR_MAX_ELEM + 1);
	memcpy(h + OIDC_NETADDR_MAX_ELEM - 9, "192.0.2.9", 9);
	is_int(oidc_netaddr_client(&l, S("127.0.0.1"), h,
	    OIDC_NETADDR_MAX_ELEM, out), 1, "element max");
	memmove(h + 1, h, OIDC_NETADDR_MAX_ELEM);
	h[0] = ' ';
	is_int(oidc_netaddr_client(&l, S("127.0.0.1"), h,
	    OIDC_NETADDR_MAX_ELEM + 1, out), 0, "element max + 1");
	free(h);
}

int
main(void)
{
	test_parse();
	test_list();
	test_client();
	return done_testing();
}
