/*
 * test_outbound.c: the outbound HTTP module (common/http/outbound.c):
 * the address classifier, the URL syntax check, refusal of private
 * destinations at connect time, and a few transfers against a one-shot
 * server on 127.0.0.1 (size cap, redirects not followed, POST body).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/outbound.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

static enum oidc_addr_class
classify(const char *text)
{
	struct sockaddr_in	 v4;
	struct sockaddr_in6	 v6;

	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		return oidc_outbound_addr_class((struct sockaddr *)&v4,
		    sizeof(v4));
	}
	if (inet_pton(AF_INET6, text, &v6.sin6_addr) == 1) {
		v6.sin6_family = AF_INET6;
		return oidc_outbound_addr_class((struct sockaddr *)&v6,
		    sizeof(v6));
	}
	return OIDC_ADDR__MAX;
}

static const struct {
	const char		*addr;
	enum oidc_addr_class	 want;
} addrs[] = {
	{ "8.8.8.8", OIDC_ADDR_PUBLIC },
	{ "93.184.216.34", OIDC_ADDR_PUBLIC },
	{ "172.15.255.255", OIDC_ADDR_PUBLIC },
	{ "172.32.0.1", OIDC_ADDR_PUBLIC },
	{ "100.63.255.255", OIDC_ADDR_PUBLIC },
	{ "100.128.0.0", OIDC_ADDR_PUBLIC },
	{ "223.255.255.255", OIDC_ADDR_PUBLIC },
	{ "0.0.0.0", OIDC_ADDR_UNSPECIFIED },
	{ "0.1.2.3", OIDC_ADDR_UNSPECIFIED },
	{ "127.0.0.1", OIDC_ADDR_LOOPBACK },
	{ "127.255.255.254", OIDC_ADDR_LOOPBACK },
	{ "10.0.0.1", OIDC_ADDR_PRIVATE },
	{ "172.16.0.1", OIDC_ADDR_PRIVATE },
	{ "172.31.255.255", OIDC_ADDR_PRIVATE },
	{ "192.168.1.1", OIDC_ADDR_PRIVATE },
	{ "100.64.0.1", OIDC_ADDR_PRIVATE },
	{ "169.254.169.254", OIDC_ADDR_LINK_LOCAL },
	{ "224.0.0.1", OIDC_ADDR_MULTICAST },
	{ "239.255.255.250", OIDC_ADDR_MULTICAST },
	{ "240.0.0.1", OIDC_ADDR_RESERVED },
	{ "255.255.255.255", OIDC_ADDR_RESERVED },
	{ "2001:4860:4860::8888", OIDC_ADDR_PUBLIC },
	{ "2606:4700::1", OIDC_ADDR_PUBLIC },
	{ "::", OIDC_ADDR_UNSPECIFIED },
	{ "::1", OIDC_ADDR_LOOPBACK },
	{ "fe80::1", OIDC_ADDR_LINK_LOCAL },
	{ "febf::1", OIDC_ADDR_LINK_LOCAL },
	{ "fec0::1", OIDC_ADDR_PRIVATE },
	{ "fc00::1", OIDC_ADDR_PRIVATE },
	{ "fd12:3456:789a::1", OIDC_ADDR_PRIVATE },
	{ "ff02::1", OIDC_ADDR_MULTICAST },
	{ "::ffff:127.0.0.1", OIDC_ADDR_LOOPBACK },
	{ "::ffff:10.1.2.3", OIDC_ADDR_PRIVATE },
	{ "::ffff:169.254.169.254", OIDC_ADDR_LINK_LOCAL },
	{ "::ffff:8.8.8.8", OIDC_ADDR_PUBLIC },
	{ "::127.0.0.1", OIDC_ADDR_LOOPBACK },
	{ "64:ff9b::7f00:1", OIDC_ADDR_LOOPBACK },
	{ "64:ff9b::808:808", OIDC_ADDR_PUBLIC },
	/*
	 * Issue 15 item 11: special-purpose IPv4 ranges and the IPv4 address
	 * embedded in translated IPv6 forms.
	 */
	{ "198.18.0.1", OIDC_ADDR_RESERVED },		/* RFC 2544 */
	{ "198.19.255.254", OIDC_ADDR_RESERVED },
	{ "198.17.255.255", OIDC_ADDR_PUBLIC },
	{ "198.20.0.0", OIDC_ADDR_PUBLIC },
	{ "192.0.0.1", OIDC_ADDR_RESERVED },		/* RFC 6890 */
	{ "192.0.0.170", OIDC_ADDR_RESERVED },
	{ "192.0.1.1", OIDC_ADDR_PUBLIC },
	{ "192.0.2.1", OIDC_ADDR_RESERVED },		/* TEST-NET-1 */
	{ "198.51.100.7", OIDC_ADDR_RESERVED },		/* TEST-NET-2 */
	{ "203.0.113.9", OIDC_ADDR_RESERVED },		/* TEST-NET-3 */
	{ "192.88.99.1", OIDC_ADDR_RESERVED },		/* 6to4 relay */
	{ "100.127.255.255", OIDC_ADDR_PRIVATE },	/* RFC 6598 */
	{ "64:ff9b::a00:1", OIDC_ADDR_PRIVATE },	/* NAT64 10.0.0.1 */
	{ "64:ff9b::6440:1", OIDC_ADDR_PRIVATE },	/* NAT64 100.64.0.1 */
	{ "64:ff9b::c612:1", OIDC_ADDR_RESERVED },	/* NAT64 198.18.0.1 */
	{ "64:ff9b::a9fe:a9fe", OIDC_ADDR_LINK_LOCAL },
	{ "64:ff9b:1::a00:1", OIDC_ADDR_PRIVATE },	/* RFC 8215 local */
	{ "64:ff9b:1:ffff::808:808", OIDC_ADDR_PRIVATE },
	{ "2002:7f00:1::1", OIDC_ADDR_LOOPBACK },	/* 6to4 127.0.0.1 */
	{ "2002:a00:1::", OIDC_ADDR_PRIVATE },		/* 6to4 10.0.0.1 */
	{ "2002:a9fe:a9fe::1", OIDC_ADDR_LINK_LOCAL },
	{ "2002:c0a8:101::1", OIDC_ADDR_PRIVATE },	/* 192.168.1.1 */
	{ "2002:808:808::1", OIDC_ADDR_RESERVED },	/* public: deprecated */
	{ "::ffff:0:7f00:1", OIDC_ADDR_LOOPBACK },	/* SIIT translated */
	{ "::ffff:0:a00:1", OIDC_ADDR_PRIVATE },
	{ "::ffff:198.18.0.1", OIDC_ADDR_RESERVED },
	{ "::ffff:100.64.0.1", OIDC_ADDR_PRIVATE },
	{ "2001::1", OIDC_ADDR_RESERVED },		/* Teredo */
	{ "2001:0:4136:e378:8000:63bf:3fff:fdd2", OIDC_ADDR_RESERVED },
	{ "2001:db8::1", OIDC_ADDR_RESERVED },		/* documentation */
	{ "100::1", OIDC_ADDR_RESERVED },		/* discard-only */
	{ "2001:2::1", OIDC_ADDR_RESERVED },		/* benchmarking */
	{ "2001:1ff:ffff::1", OIDC_ADDR_RESERVED },	/* 2001::/23 */
	{ "2001:200::1", OIDC_ADDR_PUBLIC },
	{ "2003::1", OIDC_ADDR_PUBLIC },
	{ "64:ff9b:2::1", OIDC_ADDR_PUBLIC },
};

static const struct {
	const char	*url;
	size_t		 len;
	bool		 allow_http;
	int		 want;
} urls[] = {
	{ S("https://rp.example.com/logout"), false, 0 },
	{ S("https://rp.example.com:8443/a/b?x=1&y=%2F"), false, 0 },
	{ S("https://rp.example.com"), false, 0 },
	{ S("https://[2001:db8::1]:443/x"), false, 0 },
	{ S("https://127.0.0.1/x"), false, 0 },	/* refused at connect */
	{ S("http://127.0.0.1:8080/x"), true, 0 },
	{ S("http://127.0.0.1:8080/x"), false, -1 },
	{ S("ftp://rp.example.com/"), true, -1 },
	{ S("HTTPS://rp.example.com/"), false, -1 },
	{ S("https://"), false, -1 },
	{ S("https:///path"), false, -1 },
	{ S("https://user:pw@rp.example.com/"), false, -1 },
	{ S("https://rp.example.com@evil.example/"), false, -1 },
	{ S("https://rp.example.com/#frag"), false, -1 },
	{ S("https://rp.example.com/a b"), false, -1 },
	{ S("https://rp.example.com/a\\b"), false, -1 },
	{ S("https://rp.example.com/%zz"), false, -1 },
	{ S("https://rp.example.com/%4"), false, -1 },
	{ S("https://rp.example.com:0/"), false, -1 },
	{ S("https://rp.example.com:65536/"), false, -1 },
	{ S("https://rp.example.com:/"), false, -1 },
	{ S("https://rp.example.com:12a/"), false, -1 },
	{ S("https://rp..example.com/"), false, -1 },
	{ S("https://.rp.example.com/"), false, -1 },
	{ S("https://rp_example.com/"), false, -1 },
	{ S("https://[]/"), false, -1 },
	{ S("https://[::1/"), false, -1 },
	{ S("https://[::1]x/"), false, -1 },
	{ "https://rp.example.com/\0x", 25, false, -1 },
	{ "https://r\xc3\xa9.example/", 21, false, -1 },
	{ S(""), false, -1 },
};

/*
 * A one-shot HTTP server on 127.0.0.1: answers the first connection with
 * `reply` and exits.  Returns its port; *pid is the child.
 */
static int
serve_once(const char *reply, size_t reply_len, pid_t *pid)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	char			 req[8192];
	int			 s, c;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 1) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &slen) == -1)
		return -1;
	if ((*pid = fork()) == -1)
		return -1;
	if (*pid == 0) {
		alarm(10);
		if ((c = accept(s, NULL, NULL)) == -1)
			_exit(1);
		/* Enough for the small requests below. */
		if (read(c, req, sizeof(req)) < 0)
			_exit(1);
		while (reply_len > 0) {
			ssize_t n = write(c, reply, reply_len);
			if (n <= 0)
				break;
			reply += n;
			reply_len -= (size_t)n;
		}
		shutdown(c, SHUT_WR);
		_exit(read(c, req, sizeof(req)) < 0);
	}
	close(s);
	return ntohs(sin.sin_port);
}

static void
reap(pid_t pid)
{
	int	 st;

	kill(pid, SIGTERM);
	(void)waitpid(pid, &st, 0);
}

static int
fetch(struct oidc_arena *a, const struct oidc_config *cfg, int port,
    enum oidc_outbound_method m, size_t max, struct oidc_outbound_resp *resp,
    struct oidc_error *err)
{
	struct oidc_outbound_req	 rq;
	char				 url[64];

	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	memset(&rq, 0, sizeof(rq));
	rq.method = m;
	rq.url = (struct oidc_str){ url, strlen(url) };
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = OIDC_STR("logout_token=abc");
	rq.max_response = max;
	return oidc_outbound_request(a, cfg, &rq, resp, err);
}

int
main(void)
{
	struct oidc_arena		*a = oidc_arena_new(8192, 1 << 22);
	struct oidc_config		 cfg;
	struct oidc_outbound_req	 rq;
	struct oidc_outbound_resp	 resp;
	struct oidc_error		 err;
	char				*big;
	size_t				 i;
	pid_t				 pid;
	int				 port;

	for (i = 0; i < OIDC_NELEM(addrs); i++)
		is_int(classify(addrs[i].addr), addrs[i].want, addrs[i].addr);
	is_int(oidc_outbound_addr_class(NULL, 0), OIDC_ADDR_RESERVED,
	    "NULL address is reserved");
	{
		struct sockaddr_in v4 = { .sin_family = AF_INET };
		is_int(oidc_outbound_addr_class((struct sockaddr *)&v4, 4),
		    OIDC_ADDR_RESERVED, "short sockaddr is reserved");
		v4.sin_family = AF_UNIX;
		is_int(oidc_outbound_addr_class((struct sockaddr *)&v4,
		    sizeof(v4)), OIDC_ADDR_RESERVED, "AF_UNIX is reserved");
	}
	is_str(oidc_outbound_addr_class_name(OIDC_ADDR_LINK_LOCAL),
	    "link-local", "class name");

	for (i = 0; i < OIDC_NELEM(urls); i++) {
		memset(&err, 0, sizeof(err));
		is_int(oidc_outbound_url_check(urls[i].url, urls[i].len,
		    urls[i].allow_http, &err), urls[i].want, urls[i].url);
	}
	big = malloc(OIDC_OUTBOUND_MAX_URL_LEN + 2);
	memcpy(big, "https://a.example/", 18);
	memset(big + 18, 'a', OIDC_OUTBOUND_MAX_URL_LEN + 2 - 18);
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_url_check(big, OIDC_OUTBOUND_MAX_URL_LEN, false,
	    &err), 0, "URL at the length limit");
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_url_check(big, OIDC_OUTBOUND_MAX_URL_LEN + 1,
	    false, &err), -1, "URL over the length limit");
	free(big);

	memset(&cfg, 0, sizeof(cfg));
	cfg.outbound_connect_timeout = 2;
	cfg.outbound_timeout = 5;

	/* Loopback and private destinations are refused at connect time. */
	memset(&rq, 0, sizeof(rq));
	rq.method = OIDC_OUTBOUND_GET;
	rq.url = OIDC_STR("https://127.0.0.1:9/x");
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_request(a, &cfg, &rq, &resp, &err), -1,
	    "https to 127.0.0.1 refused");
	is_int(err.code, OIDC_E_IO, "... as OIDC_E_IO");
	ok(strstr(err.detail, "loopback") != NULL, "... naming loopback: %s",
	    err.detail);
	rq.url = OIDC_STR("https://localhost:9/x");
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_request(a, &cfg, &rq, &resp, &err), -1,
	    "https to localhost refused (after resolution)");
	ok(strstr(err.detail, "refused") != NULL, "... at connect: %s",
	    err.detail);
	rq.url = OIDC_STR("https://[::ffff:10.0.0.1]:9/x");
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_request(a, &cfg, &rq, &resp, &err), -1,
	    "https to a mapped private address refused");
	rq.url = OIDC_STR("http://127.0.0.1:9/x");
	memset(&err, 0, sizeof(err));
	is_int(oidc_outbound_request(a, &cfg, &rq, &resp, &err), -1,
	    "plain http refused");
	is_int(err.code, OIDC_E_INVALID_REQUEST, "... by the URL check");

	/* With outbound_allow_private: real transfers on loopback. */
	cfg.outbound_allow_private = true;
	{
		static const char r[] = "HTTP/1.1 200 OK\r\nContent-Type: "
		    "text/plain\r\nContent-Length: 5\r\nConnection: close\r\n"
		    "\r\nhello";
		port = serve_once(r, sizeof(r) - 1, &pid);
		memset(&err, 0, sizeof(err));
		is_int(fetch(a, &cfg, port, OIDC_OUTBOUND_POST, 0, &resp,
		    &err), 0, "POST to a loopback server when allowed");
		is_int(resp.status, 200, "... status 200");
		is_mem(resp.body.p, resp.body.len, "hello", 5, "... body");
		is_mem(resp.content_type.p, resp.content_type.len,
		    "text/plain", 10, "... content type");
		reap(pid);
	}
	{
		static const char r[] = "HTTP/1.1 302 Found\r\nLocation: "
		    "http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n";
		port = serve_once(r, sizeof(r) - 1, &pid);
		memset(&err, 0, sizeof(err));
		is_int(fetch(a, &cfg, port, OIDC_OUTBOUND_GET, 0, &resp, &err),
		    0, "a redirect is returned, not followed");
		is_int(resp.status, 302, "... status 302");
		reap(pid);
	}
	{
		char	 r[200 + 2048];
		int	 n;

		n = snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\n"
		    "Connection: close\r\n\r\n");
		memset(r + n, 'x', 2048);
		port = serve_once(r, (size_t)n + 2048, &pid);
		memset(&err, 0, sizeof(err));
		is_int(fetch(a, &cfg, port, OIDC_OUTBOUND_GET, 1024, &resp,
		    &err), -1, "a body over the cap aborts the transfer");
		is_int(err.code, OIDC_E_LIMIT, "... OIDC_E_LIMIT");
		reap(pid);
	}
	{
		char	 r[200];
		int	 n;

		n = snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 4096\r\nConnection: close\r\n\r\n");
		port = serve_once(r, (size_t)n, &pid);
		memset(&err, 0, sizeof(err));
		is_int(fetch(a, &cfg, port, OIDC_OUTBOUND_GET, 1024, &resp,
		    &err), -1, "a Content-Length over the cap is refused");
		is_int(err.code, OIDC_E_LIMIT, "... OIDC_E_LIMIT");
		reap(pid);
	}
	/* Nothing listens on the port any more. */
	memset(&err, 0, sizeof(err));
	is_int(fetch(a, &cfg, port, OIDC_OUTBOUND_GET, 0, &resp, &err), -1,
	    "connection refused is an error");
	is_int(err.code, OIDC_E_IO, "... OIDC_E_IO");

	oidc_arena_free(a);
	return done_testing();
}
