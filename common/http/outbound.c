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

/* Content-Type and Accept as asked, no "Expect: 100-continue". */
static int
request_headers(struct oidc_arena *a, const struct oidc_outbound_req *rq,
    struct curl_slist **hdrs, struct oidc_error *err)
{
	struct curl_slist	*l;
	const char		*hdr;

	if (rq->method == OIDC_OUTBOUND_POST && rq->content_type != NULL) {
		if ((hdr = oidc_arena_printf(a, "Content-Type: %s",
		    rq->content_type)) == NULL ||
		    (l = curl_slist_append(*hdrs, hdr)) == NULL)
			goto nomem;
		*hdrs = l;
	}
	if (rq->accept != NULL) {
		if ((hdr = oidc_arena_printf(a, "Accept: %s", rq->accept)) ==
		    NULL || (l = curl_slist_append(*hdrs, hdr)) == NULL)
			goto nomem;
		*hdrs = l;
	}
	if ((l = curl_slist_append(*hdrs, "Expect:")) == NULL)
		goto nomem;
	*hdrs = l;
	return 0;
nomem:
	return oidc_fail(err, OIDC_E_NOMEM, NULL, "curl_slist_append");
}

/* Every libcurl option of one request: the security ones first. */
static int
set_options(CURL *h, const struct oidc_config *cfg,
    const struct oidc_outbound_req *rq, const char *url, size_t max,
    struct curl_slist *hdrs, char *errbuf, struct xfer *x,
    struct oidc_error *err)
{
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
	    SETOPT(h, CURLOPT_WRITEDATA, x) ||
	    SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket) ||
	    SETOPT(h, CURLOPT_OPENSOCKETDATA, x))
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "curl_easy_setopt");
	if (rq->method == OIDC_OUTBOUND_POST &&
	    (SETOPT(h, CURLOPT_POST, 1L) ||
	    SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body.len) ||
	    SETOPT(h, CURLOPT_POSTFIELDS, rq->body.p != NULL ? rq->body.p :
	    "")))
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "curl_easy_setopt");
	return 0;
}

/* Run the request; the answer's status, content type and body. */
static int
perform(CURL *h, struct oidc_arena *a, struct xfer *x, size_t max,
    const char *errbuf, struct oidc_outbound_resp *resp,
    struct oidc_error *err)
{
	const char	*ct = NULL;
	CURLcode	 cc;

	cc = curl_easy_perform(h);
	if (x->too_big || cc == CURLE_FILESIZE_EXCEEDED)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "outbound response "
		    "over %zu bytes", max);
	if (x->refused && cc != CURLE_OK)
		return oidc_fail(err, OIDC_E_IO, NULL, "outbound: refused a %s "
		    "destination (outbound_allow_private = no)",
		    oidc_outbound_addr_class_name(x->refused_class));
	if (cc != CURLE_OK)
		return oidc_fail(err, OIDC_E_IO, NULL, "outbound: %s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status) !=
	    CURLE_OK || curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) !=
	    CURLE_OK)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "curl_easy_getinfo");
	if (ct != NULL && (resp->content_type.p = oidc_arena_strdup(a, ct)) !=
	    NULL)
		resp->content_type.len = strlen(ct);
	resp->body = oidc_buf_str(&x->body);
	return 0;
}

int
oidc_outbound_request(struct oidc_arena *a, const struct oidc_config *cfg,
    const struct oidc_outbound_req *rq, struct oidc_outbound_resp *resp,
    struct oidc_error *err)
{
	CURL			*h = NULL;
	struct curl_slist	*hdrs = NULL;
	struct xfer		 x;
	char			 errbuf[CURL_ERROR_SIZE];
	const char		*url = NULL;
	size_t			 max;
	int			 rc = -1;

	memset(resp, 0, sizeof(*resp));
	memset(&x, 0, sizeof(x));
	errbuf[0] = '\0';
	max = rq->max_response == 0 || rq->max_response >
	    OIDC_OUTBOUND_MAX_RESPONSE ? OIDC_OUTBOUND_MAX_RESPONSE :
	    rq->max_response;
	oidc_buf_init(&x.body, a, max);
	x.allow_private = cfg->outbound_allow_private;
	if (oidc_outbound_url_check(rq->url.p, rq->url.len,
	    cfg->outbound_allow_private, err) == -1)
		return -1;
	if (rq->body.len > OIDC_OUTBOUND_MAX_BODY)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "outbound body");
	if ((url = oidc_arena_strndup(a, rq->url.p, rq->url.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if ((h = curl_easy_init()) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "curl_easy_init");
	if (request_headers(a, rq, &hdrs, err) == 0 &&
	    set_options(h, cfg, rq, url, max, hdrs, errbuf, &x, err) == 0 &&
	    perform(h, a, &x, max, errbuf, resp, err) == 0)
		rc = 0;
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc == -1)
		resp->status = 0;
	return rc;
}
