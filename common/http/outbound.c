/*
 * outbound.c: outbound HTTP requests on libcurl (see oidc/outbound.h).
 *
 * The only file that includes <curl/curl.h>.  One easy handle per request,
 * cleaned up before returning: outbound requests are rare (a logout, a
 * request_uri) and a fresh handle keeps no state between callers.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/outbound.h"

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

static enum oidc_addr_class
class_v6(const unsigned char *b)
{
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	if (all_zero(b, 16))
		return OIDC_ADDR_UNSPECIFIED;
	if (all_zero(b, 15) && b[15] == 1)
		return OIDC_ADDR_LOOPBACK;
	/*
	 * SECURITY: an IPv4 address dressed as IPv6 (::ffff:127.0.0.1,
	 * ::127.0.0.1, 64:ff9b::10.0.0.1) reaches the IPv4 host, so it is
	 * judged as that host.
	 */
	if ((all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff) ||
	    all_zero(b, 12) || memcmp(b, nat64, 12) == 0)
		return class_v4(b + 12);
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

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static bool
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static int
bad_url(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The URI is not an "
	    "acceptable https URL.", "outbound url: %s", why);
}

int
oidc_outbound_url_check(const char *url, size_t len, bool allow_http,
    struct oidc_error *err)
{
	const char	*p, *end = url + len, *host, *host_end, *auth_end;
	uint64_t	 port;
	size_t		 i;

	if (len == 0 || len > OIDC_OUTBOUND_MAX_URL_LEN)
		return bad_url(err, "length");
	for (i = 0; i < len; i++)
		if (url[i] <= 0x20 || url[i] >= 0x7f || url[i] == '\\' ||
		    url[i] == '#' || url[i] == '"' || url[i] == '<' ||
		    url[i] == '>' || url[i] == '`' || url[i] == '{' ||
		    url[i] == '}' || url[i] == '|' || url[i] == '^')
			return bad_url(err, "character");
	if (len > 8 && memcmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (allow_http && len > 7 && memcmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return bad_url(err, "scheme");
	for (auth_end = host; auth_end < end && *auth_end != '/' &&
	    *auth_end != '?'; auth_end++)
		if (*auth_end == '@')
			return bad_url(err, "userinfo");
	if (auth_end == host)
		return bad_url(err, "empty host");
	if (*host == '[') {
		/* An IPv6 literal; inet_pton-level checks are libcurl's. */
		for (p = host + 1; p < auth_end && *p != ']'; p++)
			if (!is_hex(*p) && *p != ':' && *p != '.')
				return bad_url(err, "ipv6 literal");
		if (p == auth_end || p == host + 1)
			return bad_url(err, "ipv6 literal");
		host_end = p + 1;
	} else {
		for (p = host; p < auth_end && *p != ':'; p++)
			if (!is_alnum(*p) && *p != '-' && *p != '.')
				return bad_url(err, "host character");
		host_end = p;
		if (host_end == host || *host == '.' || *host == '-' ||
		    host_end[-1] == '-')
			return bad_url(err, "host");
		for (p = host; p + 1 < host_end; p++)
			if (p[0] == '.' && p[1] == '.')
				return bad_url(err, "empty label");
	}
	if (host_end < auth_end) {
		if (*host_end != ':' || oidc_parse_u64(host_end + 1,
		    (size_t)(auth_end - host_end - 1), 1, 65535, &port) == -1)
			return bad_url(err, "port");
	}
	for (p = auth_end; p < end; p++)
		if (*p == '%' && (end - p < 3 || !is_hex(p[1]) ||
		    !is_hex(p[2])))
			return bad_url(err, "percent escape");
	return 0;
}

/* ---- the transfer ---- */

struct xfer {
	struct oidc_buf		 body;
	bool			 allow_private;
	bool			 too_big;
	bool			 refused;
	enum oidc_addr_class	 refused_class;
};

static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oidc_error	 ignored = { 0 };
	struct xfer		*x = arg;
	size_t			 n = size * nmemb;

	/* Returning less than n aborts the transfer (CURLE_WRITE_ERROR). */
	if (oidc_buf_append(&x->body, data, n, &ignored) == -1) {
		x->too_big = true;
		return 0;
	}
	return n;
}

/*
 * SECURITY (SSRF, DNS rebinding): the address checked is the one the
 * socket is opened for, after resolution, for every address libcurl
 * tries.  A refused address makes libcurl move on to the next one and
 * finally fail with CURLE_COULDNT_CONNECT.
 */
static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer		*x = arg;
	enum oidc_addr_class	 c;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	c = oidc_outbound_addr_class(&addr->addr, addr->addrlen);
	if (c != OIDC_ADDR_PUBLIC && !x->allow_private) {
		x->refused = true;
		x->refused_class = c;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC,
	    addr->protocol);
}

#define SETOPT(h, o, v)	(curl_easy_setopt((h), (o), (v)) != CURLE_OK)

int
oidc_outbound_request(struct oidc_arena *a, const struct oidc_config *cfg,
    const struct oidc_outbound_req *rq, struct oidc_outbound_resp *resp,
    struct oidc_error *err)
{
	CURL			*h = NULL;
	struct curl_slist	*hdrs = NULL, *l;
	struct xfer		 x;
	char			 errbuf[CURL_ERROR_SIZE];
	const char		*url = NULL, *ct = NULL, *hdr;
	size_t			 max;
	CURLcode		 cc;
	int			 rc = -1;

	memset(resp, 0, sizeof(*resp));
	memset(&x, 0, sizeof(x));
	errbuf[0] = '\0';
	max = rq->max_response == 0 || rq->max_response >
	    OIDC_OUTBOUND_MAX_RESPONSE ? OIDC_OUTBOUND_MAX_RESPONSE :
	    rq->max_response;
	oidc_buf_init(&x.body, a, max);
	x.allow_private = cfg->outbound_allow_private;
	if (rq->url.p == NULL || oidc_outbound_url_check(rq->url.p,
	    rq->url.len, cfg->outbound_allow_private, err) == -1)
		return rq->url.p == NULL ? bad_url(err, "absent") : -1;
	if (rq->body.len > OIDC_OUTBOUND_MAX_BODY)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "outbound body");
	if ((url = oidc_arena_strndup(a, rq->url.p, rq->url.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if ((h = curl_easy_init()) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "curl_easy_init");

	if (rq->method == OIDC_OUTBOUND_POST && rq->content_type != NULL) {
		if ((hdr = oidc_arena_printf(a, "Content-Type: %s",
		    rq->content_type)) == NULL ||
		    (l = curl_slist_append(hdrs, hdr)) == NULL)
			goto nomem;
		hdrs = l;
	}
	if (rq->accept != NULL) {
		if ((hdr = oidc_arena_printf(a, "Accept: %s", rq->accept)) ==
		    NULL || (l = curl_slist_append(hdrs, hdr)) == NULL)
			goto nomem;
		hdrs = l;
	}
	/* No "Expect: 100-continue" round trip. */
	if ((l = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto nomem;
	hdrs = l;

	if (SETOPT(h, CURLOPT_URL, url) ||
	    SETOPT(h, CURLOPT_PROTOCOLS_STR, cfg->outbound_allow_private ?
	    "http,https" : "https") ||
	    SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") ||
	    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L) ||
	    /* SECURITY: an environment proxy would hide the real peer. */
	    SETOPT(h, CURLOPT_PROXY, "") ||
	    SETOPT(h, CURLOPT_NOSIGNAL, 1L) ||
	    SETOPT(h, CURLOPT_CONNECTTIMEOUT, (long)cfg->outbound_connect_timeout) ||
	    SETOPT(h, CURLOPT_TIMEOUT, (long)cfg->outbound_timeout) ||
	    SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max) ||
	    SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    (cfg->outbound_ca_file != NULL &&
	    SETOPT(h, CURLOPT_CAINFO, cfg->outbound_ca_file)) ||
	    SETOPT(h, CURLOPT_USERAGENT, "oidc-fcgi") ||
	    SETOPT(h, CURLOPT_HTTPHEADER, hdrs) ||
	    SETOPT(h, CURLOPT_ERRORBUFFER, errbuf) ||
	    SETOPT(h, CURLOPT_WRITEFUNCTION, on_write) ||
	    SETOPT(h, CURLOPT_WRITEDATA, &x) ||
	    SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket) ||
	    SETOPT(h, CURLOPT_OPENSOCKETDATA, &x)) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "curl_easy_setopt");
		goto out;
	}
	if (rq->method == OIDC_OUTBOUND_POST &&
	    (SETOPT(h, CURLOPT_POST, 1L) ||
	    SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body.len) ||
	    SETOPT(h, CURLOPT_POSTFIELDS, rq->body.p != NULL ? rq->body.p :
	    ""))) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "curl_easy_setopt");
		goto out;
	}

	cc = curl_easy_perform(h);
	if (x.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		oidc_fail(err, OIDC_E_LIMIT, NULL, "outbound response over "
		    "%zu bytes", max);
		goto out;
	}
	if (x.refused && cc != CURLE_OK) {
		oidc_fail(err, OIDC_E_IO, NULL, "outbound: refused a %s "
		    "destination (outbound_allow_private = no)",
		    oidc_outbound_addr_class_name(x.refused_class));
		goto out;
	}
	if (cc != CURLE_OK) {
		oidc_fail(err, OIDC_E_IO, NULL, "outbound: %s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status) !=
	    CURLE_OK || curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) !=
	    CURLE_OK) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "curl_easy_getinfo");
		goto out;
	}
	if (ct != NULL && (resp->content_type.p = oidc_arena_strdup(a, ct)) !=
	    NULL)
		resp->content_type.len = strlen(ct);
	resp->body = oidc_buf_str(&x.body);
	rc = 0;
	goto out;
nomem:
	oidc_fail(err, OIDC_E_NOMEM, NULL, "curl_slist_append");
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc == -1)
		resp->status = 0;
	return rc;
}
