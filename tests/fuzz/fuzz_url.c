/*
 * fuzz_url.c: the URL parser and rules (common/base/url.c).  The input is
 * passed without a copy or NUL, so ASan sees any read past len.  On
 * success the spans must lie in order inside the input and say what the
 * rules rely on; on failure the output must be zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* s lies inside [lo, hi), or is absent. */
static void
inside(struct oidc_str s, const char *lo, const char *hi)
{
	if (s.p == NULL) {
		if (s.len != 0)
			abort();
		return;
	}
	if (s.p < lo || s.p > hi || s.len > (size_t)(hi - s.p))
		abort();
}

static void
check(const char *buf, size_t size, const struct oidc_url *u)
{
	const char		*end = buf + size;
	struct oidc_error	 err = { 0 };
	struct oidc_url		 v;
	size_t			 i;

	if (u->uri.p != buf || u->uri.len != size || size > OIDC_URL_MAX_LEN)
		abort();
	if (u->scheme.p != buf || u->scheme.len == 0 ||
	    u->scheme.len >= size || buf[u->scheme.len] != ':')
		abort();
	inside(u->host, buf, end);
	inside(u->port, buf, end);
	inside(u->path, buf, end);
	inside(u->query, buf, end);
	inside(u->fragment, buf, end);
	/* Only bytes RFC 3986 allows unencoded ever pass. */
	for (i = 0; i < size; i++)
		if (buf[i] <= ' ' || buf[i] > '~' ||
		    strchr("\"<>\\^`{|}", buf[i]) != NULL)
			abort();
	if (u->scheme_kind != OIDC_URL_SCHEME_OTHER &&
	    (u->host.len == 0 || u->host.len > OIDC_URL_MAX_HOST ||
	    u->host_kind == OIDC_URL_HOST_NONE))
		abort();
	if ((u->port.p == NULL) != (u->port_num == 0) || u->port_num > 65535)
		abort();
	if (u->fragment.p != NULL && memchr(u->fragment.p, '#',
	    u->fragment.len) != NULL)
		abort();
	/* The rules never accept userinfo or a non-lower-case scheme. */
	if ((oidc_url_is_redirect_uri(u, true) || oidc_url_is_fetchable(u,
	    true) || oidc_url_is_https_link(u) || oidc_url_is_issuer(u)) &&
	    (u->has_userinfo || !u->scheme_lower))
		abort();
	if (oidc_url_is_loopback_http(u) && u->host.len > 9)
		abort();
	/* The URL without its fragment parses too, to the same host. */
	if (oidc_url_parse(buf, oidc_url_len_without_fragment(u), &v,
	    &err) == -1 || v.fragment.p != NULL || v.host.p != u->host.p ||
	    v.host.len != u->host.len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_url		 u;
	const char		*buf = (const char *)data;

	if (oidc_url_parse(buf, size, &u, &err) == 0)
		check(buf, size, &u);
	else if (u.scheme.p != NULL || u.host.p != NULL || u.uri.p != NULL ||
	    err.code != OIDC_E_INVALID_REQUEST)
		abort();
	return 0;
}
