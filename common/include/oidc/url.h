/*
 * url.h: the one URL parser (RFC 3986 3, absolute URIs only) and the
 * provider's URL rules on top of it (issue 18 item 3).
 *
 * Every URL the provider accepts, stores, fetches or shows is judged
 * here: redirect_uris and post_logout_redirect_uris (oidc/client.c),
 * backchannel_logout_uri, sector_identifier_uri and request_uris
 * (client.c), jwks_uri and the display links logo_uri, policy_uri,
 * tos_uri, client_uri and initiate_login_uri (oidc/register.c, and again
 * when /authorize shows them), pairwise sector hosts (oidc/subject.c),
 * outbound fetches (http/outbound_check.c) and the issuer in oidc.conf
 * (base/config.c).  It lives in base/ because config.c, the lowest
 * layer, needs it.
 *
 * oidc_url_parse() checks syntax and splits the URL into spans:
 *   - scheme ":" required (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ));
 *     http and https are recognised in any case (RFC 3986 3.1), and
 *     `scheme_lower` says whether the scheme was written in lower case;
 *   - only the characters RFC 3986 2 allows, each where its grammar
 *     allows it: no control characters, space, non-ASCII, NUL, '"', '<',
 *     '>', '\', '^', '`', '{', '|', '}'; '[' and ']' only around an IPv6
 *     host; '#' only once, to start the fragment;
 *   - every '%' followed by two hex digits;
 *   - userinfo is split off (at most one '@' in the authority) and only
 *     reported: the rules below refuse it;
 *   - the host is an IPv6 literal [..] (RFC 4291 text, no zone id, no
 *     IPvFuture), or for http and https a DNS name of letters, digits,
 *     '-' and '.' (not starting with '.' or '-', not ending with '-', no
 *     empty label) or a dotted-quad IPv4 address; a name whose last
 *     label is numeric ("127.1", "0x7f.1", "2130706433") is refused,
 *     because resolvers and browsers read it as an IPv4 address.  Other
 *     schemes may have any RFC 3986 reg-name, empty included;
 *   - http and https need an authority with a non-empty host of at
 *     most OIDC_URL_MAX_HOST bytes;
 *   - a port is 1 to 65535 in decimal digits; ':' with no digits is
 *     refused.
 * It does not decode, normalise or resolve anything: spans point into the
 * input, and URLs are compared elsewhere byte for byte (redirect URIs are
 * never normalised).
 *
 * The rules (predicates, all false for anything the parser refused, and
 * all demanding the scheme in lower case, as it is then stored and
 * compared):
 *   oidc_url_is_https		https with a host
 *   oidc_url_is_loopback_host	the host is exactly 127.0.0.1, [::1] or
 *				localhost (not 127.0.0.2, not LOCALHOST,
 *				not localhost.evil.example)
 *   oidc_url_is_loopback_http	http on a loopback host
 *   oidc_url_is_https_or_loopback_http
 *   oidc_url_is_private_use_scheme  RFC 8252 7.1: a scheme other than
 *				http(s) that contains a '.'
 *   oidc_url_is_redirect_uri	OIDC Core 3.1.2.1, Registration 2, RFC
 *				8252: no fragment, no userinfo; https, or
 *				http on a loopback host, or for native
 *				clients a private-use scheme
 *   oidc_url_is_fetchable	what the provider requests itself: https
 *				(http when allowed), no userinfo, no
 *				fragment
 *   oidc_url_is_https_link	a link shown to the user (logo_uri, ...):
 *				https, no userinfo; a fragment is allowed
 *   oidc_url_is_issuer		OIDC Discovery 3: https, or http on a
 *				loopback host; no userinfo, query or
 *				fragment, no '/' at the end
 *
 * Limits:
 *   OIDC_URL_MAX_LEN	2048 bytes (the limit each caller had:
 *			OIDC_CLIENT_MAX_URI_LEN, OIDC_OUTBOUND_MAX_URL_LEN)
 *   OIDC_URL_MAX_HOST	255 bytes of host, brackets included (a DNS name
 *			has at most 255 octets, RFC 1034 3.1; the sector of
 *			a pairwise subject, oidc/subject.h)
 */
#ifndef OIDC_URL_H
#define OIDC_URL_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_URL_MAX_LEN	2048
#define OIDC_URL_MAX_HOST	255

enum oidc_url_scheme {
	OIDC_URL_SCHEME_OTHER = 0,
	OIDC_URL_SCHEME_HTTP,
	OIDC_URL_SCHEME_HTTPS,
	OIDC_URL_SCHEME__MAX
};

enum oidc_url_host {
	OIDC_URL_HOST_NONE = 0,		/* no authority ("com.example:/cb") */
	OIDC_URL_HOST_NAME,		/* reg-name (DNS name for http(s)) */
	OIDC_URL_HOST_IPV4,		/* dotted quad */
	OIDC_URL_HOST_IPV6,		/* [..] */
	OIDC_URL_HOST__MAX
};

/*
 * A parsed URL: every span points into the parsed input.  An absent part
 * is { NULL, 0 }; a present but empty one (a '?' with nothing after it)
 * has a non-NULL pointer and length 0.
 */
struct oidc_url {
	struct oidc_str		 uri;		/* the whole input */
	struct oidc_str		 scheme;	/* without the ':' */
	enum oidc_url_scheme	 scheme_kind;
	bool			 scheme_lower;	/* no upper-case letter */
	bool			 has_userinfo;	/* "user@" in the authority */
	enum oidc_url_host	 host_kind;
	struct oidc_str		 host;		/* IPv6 with its brackets */
	struct oidc_str		 port;		/* the digits, or absent */
	unsigned		 port_num;	/* 1-65535, 0 when absent */
	struct oidc_str		 path;		/* may be empty */
	struct oidc_str		 query;		/* without the '?' */
	struct oidc_str		 fragment;	/* without the '#' */
};

/*
 * Parse the absolute URI in p[0..len) (at most OIDC_URL_MAX_LEN bytes;
 * no NUL needed, none allowed) by the syntax above.  0 with *out set, or
 * -1 with OIDC_E_INVALID_REQUEST (the log detail names the rule) and *out
 * zeroed.  Reads p[0..len) only and does not modify it.
 */
OIDC_MUST_CHECK int	oidc_url_parse(const char *p, size_t len,
			    struct oidc_url *out, struct oidc_error *);

/* The URL as parsed, without "#fragment": where it ends, in bytes. */
size_t	oidc_url_len_without_fragment(const struct oidc_url *);

bool	oidc_url_is_https(const struct oidc_url *);
bool	oidc_url_is_loopback_host(const struct oidc_url *);
bool	oidc_url_is_loopback_http(const struct oidc_url *);
bool	oidc_url_is_https_or_loopback_http(const struct oidc_url *);
bool	oidc_url_is_private_use_scheme(const struct oidc_url *);
bool	oidc_url_is_redirect_uri(const struct oidc_url *, bool native);
bool	oidc_url_is_fetchable(const struct oidc_url *, bool allow_http);
bool	oidc_url_is_https_link(const struct oidc_url *);
bool	oidc_url_is_issuer(const struct oidc_url *);

#endif /* OIDC_URL_H */
