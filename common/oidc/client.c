/*
 * client.c: client metadata validation and loading (see oidc/client.h).
 */
#include <string.h>
#include <strings.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/cors.h"
#include "oidc/db.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/seal.h"
#include "oidc/subject.h"
#include "oidc/tlsauth.h"
#include "oidc/url.h"

static const char *const auth_names[OIDC_AUTH__MAX] = {
	[OIDC_AUTH_NONE] = "none",
	[OIDC_AUTH_SECRET_BASIC] = "client_secret_basic",
	[OIDC_AUTH_SECRET_POST] = "client_secret_post",
	[OIDC_AUTH_SECRET_JWT] = "client_secret_jwt",
	[OIDC_AUTH_PRIVATE_KEY_JWT] = "private_key_jwt",
	[OIDC_AUTH_TLS_CLIENT] = "tls_client_auth",
	[OIDC_AUTH_SELF_SIGNED_TLS] = "self_signed_tls_client_auth",
};

static const struct {
	const char	*name;
	unsigned	 bit;
} grant_names[] = {
	{ "authorization_code", OIDC_GT_AUTHORIZATION_CODE },
	{ "implicit", OIDC_GT_IMPLICIT },
	{ "refresh_token", OIDC_GT_REFRESH_TOKEN },
	{ "client_credentials", OIDC_GT_CLIENT_CREDENTIALS },
	{ "urn:ietf:params:oauth:grant-type:device_code", OIDC_GT_DEVICE_CODE },
};

const char *
oidc_auth_method_name(enum oidc_auth_method m)
{
	return m < OIDC_AUTH__MAX ? auth_names[m] : "unknown";
}

enum oidc_auth_method
oidc_auth_method_parse(struct oidc_str s)
{
	int	 i;

	for (i = 0; i < OIDC_AUTH__MAX; i++)
		if (oidc_str_eq_cstr(s, auth_names[i]))
			return (enum oidc_auth_method)i;
	return OIDC_AUTH__MAX;
}

bool
oidc_auth_method_secretless(struct oidc_str s)
{
	switch (oidc_auth_method_parse(s)) {
	case OIDC_AUTH_NONE:
	case OIDC_AUTH_PRIVATE_KEY_JWT:
	case OIDC_AUTH_TLS_CLIENT:
	case OIDC_AUTH_SELF_SIGNED_TLS:
		return true;
	default:
		return false;
	}
}

unsigned
oidc_rt_parse(struct oidc_str s)
{
	unsigned	 code = 0, idt = 0, tok = 0, none = 0, other = 0;
	size_t		 i = 0, start;

	if (s.p == NULL)
		return 0;
	while (i < s.len) {
		start = i;
		while (i < s.len && s.p[i] != ' ')
			i++;
		struct oidc_str w = { s.p + start, i - start };
		if (oidc_str_eq_cstr(w, "code"))
			code++;
		else if (oidc_str_eq_cstr(w, "id_token"))
			idt++;
		else if (oidc_str_eq_cstr(w, "token"))
			tok++;
		else if (oidc_str_eq_cstr(w, "none"))
			none++;
		else
			other++;
		if (i < s.len)
			i++;	/* exactly one space between values */
		if (i == s.len && s.p[s.len - 1] == ' ')
			other++;
	}
	if (other || code > 1 || idt > 1 || tok > 1 || none > 1)
		return 0;
	if (none)
		return (code || idt || tok) ? 0 : OIDC_RT_NONE;
	if (code && idt && tok)
		return OIDC_RT_CODE_ID_TOKEN_TOKEN;
	if (code && idt)
		return OIDC_RT_CODE_ID_TOKEN;
	if (code && tok)
		return OIDC_RT_CODE_TOKEN;
	if (idt && tok)
		return OIDC_RT_ID_TOKEN_TOKEN;
	if (code)
		return OIDC_RT_CODE;
	if (idt)
		return OIDC_RT_ID_TOKEN;
	return 0;	/* bare "token" is OAuth implicit: not offered */
}

static int
bad_meta(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, desc, "%s", desc);
}

_Static_assert(OIDC_CLIENT_MAX_URI_LEN <= OIDC_URL_MAX_LEN,
    "client URIs longer than the parser takes");

/*
 * redirect_uris and post_logout_redirect_uris: oidc_url_is_redirect_uri
 * (oidc/url.h), with an error that says which rule failed.
 */
static int
check_redirect_uri(struct oidc_str u, bool native, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_url		 url;

	if (u.len > OIDC_CLIENT_MAX_URI_LEN ||
	    oidc_url_parse(u.p, u.len, &url, &why) == -1)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "redirect_uris must be absolute URIs", "%s",
		    why.code != OIDC_E_NONE ? why.detail : "length");
	if (url.fragment.p != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "redirect_uris must not contain a fragment", "fragment");
	if (url.has_userinfo)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "redirect_uris must not contain userinfo", "userinfo");
	if (oidc_url_is_redirect_uri(&url, native))
		return 0;
	return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
	    "redirect_uris must use https (http only on loopback)",
	    "scheme not allowed");
}

/*
 * A URL the provider fetches or posts to (oidc/outbound.h): lower-case
 * https without userinfo or fragment; http on a loopback host only with
 * OIDC_CLIENT_ALLOW_PRIVATE (outbound_allow_private: development and
 * tests).  u[0..len) may be a prefix of a longer, already parsed URI.
 */
static bool
is_outbound_uri(const char *p, size_t len, unsigned flags)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 url;

	if (len > OIDC_CLIENT_MAX_URI_LEN ||
	    oidc_url_parse(p, len, &url, &tmp) == -1)
		return false;
	return oidc_url_is_fetchable(&url, false) ||
	    ((flags & OIDC_CLIENT_ALLOW_PRIVATE) &&
	    oidc_url_is_loopback_http(&url) &&
	    oidc_url_is_fetchable(&url, true));
}

bool
oidc_client_uri_is_link(struct oidc_str u)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 url;

	return u.p != NULL && u.len <= OIDC_CLIENT_MAX_URI_LEN &&
	    oidc_url_parse(u.p, u.len, &url, &tmp) == 0 &&
	    oidc_url_is_https_link(&url);
}

/* Back-Channel Logout 1.0 2.2: where the provider POSTs logout tokens. */
static int
check_backchannel_uri(struct oidc_str u, unsigned flags,
    struct oidc_error *err)
{
	if (is_outbound_uri(u.p, u.len, flags))
		return 0;
	return bad_meta(err, "backchannel_logout_uri must be an absolute "
	    "https URL without a fragment");
}

static int
str_member(const struct oidc_json *in, const char *key, struct oidc_str *out,
    const char *desc, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	int			 rc;

	if ((rc = oidc_json_get_str(in, key, out, &tmp)) == -1)
		return bad_meta(err, desc);
	return rc;
}

/*
 * The part of a URI before its first '#': how a request_uri from
 * /authorize, bytes nobody has parsed, is compared with request_uris.
 */
static struct oidc_str
without_fragment(struct oidc_str u)
{
	const char	*hash = u.p != NULL ? memchr(u.p, '#', u.len) : NULL;

	if (hash != NULL)
		u.len = (size_t)(hash - u.p);
	return u;
}

/*
 * sector_identifier_uri (OpenID Connect Dynamic Client Registration 1.0
 * 2, 5): a URL is_outbound_uri() accepts, whose host is the sector
 * (oidc_subject_uri_host, at most OIDC_SUBJECT_MAX_SECTOR bytes).
 */
static int
check_sector_uri(struct oidc_str u, unsigned flags, struct oidc_error *err)
{
	struct oidc_str		 host;

	if (oidc_subject_uri_host(u, &host) == 0 &&
	    is_outbound_uri(u.p, u.len, flags))
		return 0;
	return bad_meta(err, "sector_identifier_uri must be an absolute "
	    "https URL without a fragment");
}

/*
 * request_uris (OpenID Connect Dynamic Client Registration 1.0 2): where
 * the client's request objects may be fetched from, the same rule as
 * sector_identifier_uri for the part before an optional fragment (which
 * may carry a hash of the contents, and is never sent).  /authorize
 * fetches only these.
 */
static int
check_request_uri(struct oidc_str u, unsigned flags, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 url;

	if (u.len <= OIDC_CLIENT_MAX_URI_LEN &&
	    oidc_url_parse(u.p, u.len, &url, &tmp) == 0 &&
	    is_outbound_uri(u.p, oidc_url_len_without_fragment(&url), flags))
		return 0;
	return bad_meta(err, "request_uris must be absolute https URLs");
}

/*
 * subject_type (OIDC Core 8): public (the default) or pairwise; pairwise
 * only when the provider has a salt (OIDC_CLIENT_PAIRWISE).  Without a
 * sector_identifier_uri a pairwise client's redirect_uris must share one
 * host: it is the sector (oidc/subject.h).
 */
static int
check_subject(struct oidc_arena *a, const struct oidc_json *in,
    unsigned flags, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s, first, host, *uris = NULL;
	size_t			 n = 0, i;
	bool			 has_sector;
	int			 rc;

	if ((rc = str_member(in, "sector_identifier_uri", &s,
	    "sector_identifier_uri must be a string", err)) == -1)
		return -1;
	if ((has_sector = rc == 1) && check_sector_uri(s, flags, err) == -1)
		return -1;
	if ((rc = str_member(in, "subject_type", &s,
	    "subject_type must be public or pairwise", err)) == -1)
		return -1;
	if (rc == 0 || oidc_str_eq_cstr(s, "public"))
		return 0;
	if (!oidc_str_eq_cstr(s, "pairwise"))
		return bad_meta(err, "subject_type must be public or pairwise");
	if (!(flags & OIDC_CLIENT_PAIRWISE))
		return bad_meta(err, "subject_type pairwise is not enabled on "
		    "this provider (no pairwise_salt_file)");
	if (has_sector)
		return 0;
	if (oidc_json_get_str_list(in, "redirect_uris", false, a, &uris, &n,
	    &tmp) == -1 || n == 0)
		return bad_meta(err, "a pairwise client needs redirect_uris or "
		    "a sector_identifier_uri");
	first = OIDC_STR_NULL;
	for (i = 0; i < n; i++) {
		if (oidc_subject_uri_host(uris[i], &host) == -1)
			return bad_meta(err, "a pairwise client without "
			    "sector_identifier_uri needs redirect_uris with a "
			    "host");
		if (i == 0)
			first = host;
		else if (host.len != first.len ||
		    strncasecmp(host.p, first.p, host.len) != 0)
			return bad_meta(err, "the redirect_uris of a pairwise "
			    "client without sector_identifier_uri must share "
			    "one host");
	}
	return 0;
}

/* A JWS alg of ours (jwk.h's table: RFC 7518, RFC 8037, RFC 9864). */
static bool
alg_known(struct oidc_str s)
{
	enum oidc_jws_alg	 alg;

	return oidc_jws_alg_from_name(s.p, s.len, &alg) == 1;
}

/* application_type (OIDC Registration 2): *native for "native". */
static int
check_application_type(const struct oidc_json *in, bool *native,
    struct oidc_error *err)
{
	struct oidc_str	 s;
	int		 rc;

	*native = false;
	if ((rc = str_member(in, "application_type", &s,
	    "application_type must be web or native", err)) == -1)
		return -1;
	if (rc == 1) {
		if (oidc_str_eq_cstr(s, "native"))
			*native = true;
		else if (!oidc_str_eq_cstr(s, "web"))
			return bad_meta(err,
			    "application_type must be web or native");
	}
	return 0;
}

/*
 * response_types and grant_types, with their defaults written to j (RFC
 * 7591 2), and the pairs they must come in; *gt_set: the grant types.
 */
static int
normalize_types(struct oidc_arena *a, const struct oidc_json *in,
    struct oidc_json *j, unsigned *gt_set, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_json	*arr;
	struct oidc_str		*rts = NULL, *gts = NULL;
	size_t			 nrts = 0, ngts = 0, i, k;
	unsigned		 rt_set = 0, rt;

	*gt_set = 0;
	if (oidc_json_get_str_list(in, "response_types", false, a, &rts, &nrts,
	    &tmp) == -1)
		return bad_meta(err, "response_types must be an array of "
		    "strings");
	if (oidc_json_get_str_list(in, "grant_types", false, a, &gts, &ngts,
	    &tmp) == -1)
		return bad_meta(err, "grant_types must be an array of strings");
	if (rts == NULL) {
		if ((arr = oidc_json_new_array(a)) == NULL ||
		    oidc_json_array_add_str(arr, "code", 4, err) == -1 ||
		    oidc_json_set_obj(j, "response_types", arr, err) == -1)
			return -1;
		rt_set = OIDC_RT_CODE;
	}
	for (i = 0; i < nrts; i++) {
		if ((rt = oidc_rt_parse(rts[i])) == 0)
			return bad_meta(err, "response_types holds an "
			    "unsupported value");
		rt_set |= rt;
	}
	if (gts == NULL) {
		if ((arr = oidc_json_new_array(a)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		if (rt_set & (OIDC_RT_CODE | OIDC_RT_CODE_ID_TOKEN |
		    OIDC_RT_CODE_TOKEN | OIDC_RT_CODE_ID_TOKEN_TOKEN)) {
			*gt_set |= OIDC_GT_AUTHORIZATION_CODE;
			if (oidc_json_array_add_str(arr, "authorization_code",
			    18, err) == -1)
				return -1;
		}
		if (rt_set & ~(OIDC_RT_CODE | OIDC_RT_NONE)) {
			*gt_set |= OIDC_GT_IMPLICIT;
			if (oidc_json_array_add_str(arr, "implicit", 8, err)
			    == -1)
				return -1;
		}
		if (oidc_json_set_obj(j, "grant_types", arr, err) == -1)
			return -1;
	}
	for (i = 0; i < ngts; i++) {
		for (k = 0; k < OIDC_NELEM(grant_names); k++)
			if (oidc_str_eq_cstr(gts[i], grant_names[k].name))
				break;
		if (k == OIDC_NELEM(grant_names))
			return bad_meta(err, "grant_types holds an unsupported "
			    "value");
		*gt_set |= grant_names[k].bit;
	}
	if ((rt_set & (OIDC_RT_CODE | OIDC_RT_CODE_ID_TOKEN |
	    OIDC_RT_CODE_TOKEN | OIDC_RT_CODE_ID_TOKEN_TOKEN)) &&
	    !(*gt_set & OIDC_GT_AUTHORIZATION_CODE))
		return bad_meta(err, "response type code needs grant type "
		    "authorization_code");
	if ((rt_set & ~(OIDC_RT_CODE | OIDC_RT_NONE)) &&
	    !(*gt_set & OIDC_GT_IMPLICIT))
		return bad_meta(err, "response types with id_token or token "
		    "need grant type implicit");
	if ((*gt_set & OIDC_GT_IMPLICIT) && !(rt_set & ~(OIDC_RT_CODE |
	    OIDC_RT_NONE)))
		return bad_meta(err, "grant type implicit needs a response "
		    "type with id_token or token");
	return 0;
}

/*
 * redirect_uris (required for any redirect-based grant),
 * post_logout_redirect_uris and request_uris.
 */
static int
check_uri_lists(struct oidc_arena *a, const struct oidc_json *in,
    unsigned gt_set, bool native, unsigned flags, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		*uris = NULL;
	size_t			 nuris = 0, i;

	if (oidc_json_get_str_list(in, "redirect_uris", false, a, &uris,
	    &nuris, &tmp) == -1)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "redirect_uris must be an array of strings", "type");
	if ((gt_set & (OIDC_GT_AUTHORIZATION_CODE | OIDC_GT_IMPLICIT)) &&
	    nuris == 0)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "redirect_uris is required", "missing");
	if (nuris > OIDC_CLIENT_MAX_REDIRECT_URIS)
		return oidc_fail(err, OIDC_E_INVALID_REDIRECT_URI,
		    "too many redirect_uris", "count");
	for (i = 0; i < nuris; i++)
		if (check_redirect_uri(uris[i], native, err) == -1)
			return -1;

	uris = NULL;
	nuris = 0;
	if (oidc_json_get_str_list(in, "post_logout_redirect_uris", false, a,
	    &uris, &nuris, &tmp) == -1)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA,
		    "post_logout_redirect_uris must be an array of strings",
		    "type");
	if (nuris > OIDC_CLIENT_MAX_REDIRECT_URIS)
		return bad_meta(err, "too many post_logout_redirect_uris");
	for (i = 0; i < nuris; i++)
		if (check_redirect_uri(uris[i], native, &tmp) == -1)
			return bad_meta(err, "post_logout_redirect_uris must be "
			    "absolute https URIs without a fragment");

	uris = NULL;
	nuris = 0;
	if (oidc_json_get_str_list(in, "request_uris", false, a, &uris, &nuris,
	    &tmp) == -1)
		return bad_meta(err, "request_uris must be an array of strings");
	if (nuris > OIDC_CLIENT_MAX_REDIRECT_URIS)
		return bad_meta(err, "too many request_uris");
	for (i = 0; i < nuris; i++)
		if (check_request_uri(uris[i], flags, err) == -1)
			return -1;
	return 0;
}

/*
 * token_endpoint_auth_method and id_token_signed_response_alg, with their
 * defaults written to j; the other algorithms; the back-channel logout
 * members; the booleans.
 */
static int
normalize_auth_and_algs(const struct oidc_json *in, struct oidc_json *j,
    unsigned flags, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	bool			 b;
	int			 rc;

	if ((rc = str_member(in, "token_endpoint_auth_method", &s,
	    "token_endpoint_auth_method must be a string", err)) == -1)
		return -1;
	if (rc == 0) {
		if (oidc_json_set_cstr(j, "token_endpoint_auth_method",
		    "client_secret_basic", err) == -1)
			return -1;
	} else if (oidc_auth_method_parse(s) == OIDC_AUTH__MAX)
		return bad_meta(err, "token_endpoint_auth_method is not "
		    "supported");

	if ((rc = str_member(in, "id_token_signed_response_alg", &s,
	    "id_token_signed_response_alg must be a string", err)) == -1)
		return -1;
	if (rc == 0) {
		if (oidc_json_set_cstr(j, "id_token_signed_response_alg",
		    "RS256", err) == -1)
			return -1;
	} else if (!alg_known(s))
		return bad_meta(err, "id_token_signed_response_alg is not "
		    "supported");
	if ((rc = str_member(in, "request_object_signing_alg", &s,
	    "request_object_signing_alg must be a string", err)) == -1)
		return -1;
	if (rc == 1 && !alg_known(s) && !oidc_str_eq_cstr(s, "none"))
		return bad_meta(err, "request_object_signing_alg is not "
		    "supported");
	if ((rc = str_member(in, "userinfo_signed_response_alg", &s,
	    "userinfo_signed_response_alg must be a string", err)) == -1)
		return -1;
	if (rc == 1 && !alg_known(s))
		return bad_meta(err, "userinfo_signed_response_alg is not "
		    "supported");
	if ((rc = str_member(in, "backchannel_logout_uri", &s,
	    "backchannel_logout_uri must be a string", err)) == -1)
		return -1;
	if (rc == 1 && check_backchannel_uri(s, flags, err) == -1)
		return -1;
	if (oidc_json_get_bool(in, "backchannel_logout_session_required",
	    &b, &tmp) == -1)
		return bad_meta(err, "backchannel_logout_session_"
		    "required must be a boolean");
	if (oidc_json_get_bool(in, "resource_server", &b, &tmp) == -1 ||
	    oidc_json_get_bool(in, "require_nonce", &b, &tmp) == -1)
		return bad_meta(err, "resource_server and require_nonce "
		    "must be booleans");
	if (oidc_json_get_bool(in, "require_pushed_authorization_requests",
	    &b, &tmp) == -1)
		return bad_meta(err, "require_pushed_authorization_requests "
		    "must be a boolean");
	if (oidc_json_get_bool(in, "tls_client_certificate_bound_access_"
	    "tokens", &b, &tmp) == -1)
		return bad_meta(err, "tls_client_certificate_bound_access_"
		    "tokens must be a boolean");
	return 0;
}

/*
 * JARM 3: authorization_signed_response_alg, a JWS algorithm (never
 * "none"); encrypted responses are not supported, so a client asking for
 * them is refused rather than sent signed-only responses.
 */
static int
check_jarm(const struct oidc_json *in, struct oidc_error *err)
{
	struct oidc_str	 s;
	int		 rc;

	if ((rc = str_member(in, "authorization_signed_response_alg", &s,
	    "authorization_signed_response_alg must be a string", err)) == -1)
		return -1;
	if (rc == 1 && !alg_known(s))
		return bad_meta(err, "authorization_signed_response_alg is not "
		    "supported");
	if (oidc_json_has(in, "authorization_encrypted_response_alg") ||
	    oidc_json_has(in, "authorization_encrypted_response_enc"))
		return bad_meta(err, "encrypted authorization responses "
		    "(authorization_encrypted_response_alg, _enc) are not "
		    "supported");
	return 0;
}

int
oidc_client_normalize(struct oidc_arena *a, const struct oidc_json *in,
    unsigned flags, struct oidc_json **out, struct oidc_error *err)
{
	struct oidc_json	*j;
	struct oidc_str		 s;
	unsigned		 gt_set;
	bool			 native;
	int			 rc;

	if ((j = oidc_json_copy(a, in)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json copy");
	if (check_application_type(in, &native, err) == -1 ||
	    normalize_types(a, in, j, &gt_set, err) == -1 ||
	    check_uri_lists(a, in, gt_set, native, flags, err) == -1 ||
	    normalize_auth_and_algs(in, j, flags, err) == -1 ||
	    check_jarm(in, err) == -1 ||
	    check_subject(a, in, flags, err) == -1 ||
	    oidc_tlsauth_normalize(in, err) == -1 ||
	    oidc_fapi2_normalize(a, in, j, flags, err) == -1)
		return -1;
	if (str_member(in, "scope", &s, "scope must be a string", err) == -1 ||
	    str_member(in, "client_name", &s, "client_name must be a string",
	    err) == -1)
		return -1;
	/* login (an extension): the operator's, oidc/remote_user.h. */
	if ((rc = str_member(in, "login", &s,
	    "login must be password or remote_user", err)) == -1)
		return -1;
	if (rc == 1 && !oidc_str_eq_cstr(s, "password") &&
	    !oidc_str_eq_cstr(s, "remote_user"))
		return bad_meta(err, "login must be password or remote_user");
	/* An extension: opaque or RFC 9068 JWT (oidc/access_token.h). */
	if ((rc = str_member(in, "access_token_format", &s,
	    "access_token_format must be opaque or jwt", err)) == -1)
		return -1;
	if (rc == 1 && !oidc_str_eq_cstr(s, "opaque") &&
	    !oidc_str_eq_cstr(s, "jwt"))
		return bad_meta(err, "access_token_format must be opaque or "
		    "jwt");
	*out = j;
	return 0;
}

bool
oidc_client_needs_plain_secret(const struct oidc_json *m)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;

	if (oidc_json_get_str(m, "token_endpoint_auth_method", &s, &tmp) == 1 &&
	    oidc_str_eq_cstr(s, "client_secret_jwt"))
		return true;
	if (oidc_json_get_str(m, "id_token_signed_response_alg", &s, &tmp) ==
	    1 && oidc_jws_alg_name_is_hs(s))
		return true;
	if (oidc_json_get_str(m, "userinfo_signed_response_alg", &s, &tmp) ==
	    1 && oidc_jws_alg_name_is_hs(s))
		return true;
	if (oidc_json_get_str(m, "request_object_signing_alg", &s, &tmp) ==
	    1 && oidc_jws_alg_name_is_hs(s))
		return true;
	if (oidc_json_get_str(m, "authorization_signed_response_alg", &s,
	    &tmp) == 1 && oidc_jws_alg_name_is_hs(s))
		return true;
	return false;
}

int
oidc_client_check_secret_storage(const struct oidc_json *meta,
    const unsigned char *kek, struct oidc_error *err)
{
	if (kek != NULL || !oidc_client_needs_plain_secret(meta))
		return 0;
	return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA,
	    "client_secret_jwt and HS256/HS384/HS512 need a client secret "
	    "the provider can read back, and this provider has no "
	    "key_encryption_key to seal it with", "recoverable secret "
	    "without key_encryption_key");
}

/*
 * The associated data of a sealed client secret: "client_secret", NUL,
 * client_id.  The NUL keeps it apart from the C-string "kid\nalg" that
 * seals signing keys under the same key (keystore.c).
 */
static char *
secret_aad(struct oidc_arena *a, struct oidc_str client_id, size_t *len)
{
	static const char	 label[] = "client_secret";
	char			*aad;

	*len = sizeof(label) + client_id.len;
	if ((aad = oidc_arena_alloc(a, *len)) == NULL)
		return NULL;
	memcpy(aad, label, sizeof(label));
	memcpy(aad + sizeof(label), client_id.p, client_id.len);
	return aad;
}

int
oidc_client_secret_seal(struct oidc_arena *a, const unsigned char *kek,
    struct oidc_str client_id, struct oidc_str secret,
    const unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	unsigned char	*blob;
	char		*aad;
	size_t		 aadlen;

	if (kek == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "client secret "
		    "seal without key_encryption_key");
	if ((aad = secret_aad(a, client_id, &aadlen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_seal(a, kek, aad, aadlen, secret.p, secret.len, &blob,
	    outlen, err) == -1)
		return -1;
	*out = blob;
	return 0;
}

int
oidc_client_secret_open(struct oidc_arena *a, const unsigned char *kek,
    struct oidc_str client_id, const struct oidc_client_secret *s,
    struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	unsigned char		*pt;
	char			*aad;
	size_t			 aadlen, len;

	*out = OIDC_STR_NULL;
	if (s->sealed == NULL) {
		*out = s->legacy;	/* not sealed yet, or no secret */
		return 0;
	}
	/* 503: e.g. a restore without the KEK (docs/BACKUP.md). */
	if (kek == NULL)
		return oidc_fail(err, OIDC_E_NO_KEY, NULL, "client %.*s: its "
		    "secret is sealed and no key_encryption_key is configured",
		    (int)client_id.len, client_id.p);
	if ((aad = secret_aad(a, client_id, &aadlen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_seal_open(a, kek, aad, aadlen, s->sealed, s->sealed_len, &pt,
	    &len, &why) == -1)
		return oidc_fail(err, why.code, NULL, "client %.*s: its sealed "
		    "secret does not open (%s; another key_encryption_key, or "
		    "sealed for another client?)", (int)client_id.len,
		    client_id.p, why.detail);
	*out = (struct oidc_str){ (const char *)pt, len };
	return 0;
}

int
oidc_client_row_secret(struct oidc_arena *a, const unsigned char *kek,
    const struct oidc_client_row *row, struct oidc_str *out,
    struct oidc_error *err)
{
	struct oidc_client_secret	 s = { row->secret_sealed,
	    row->secret_sealed_len, row->secret_plain };

	return oidc_client_secret_open(a, kek, row->client_id, &s, out, err);
}

int
oidc_client_row_set_metadata(struct oidc_arena *a,
    const struct oidc_json *meta, struct oidc_client_row *row,
    struct oidc_error *err)
{
	struct oidc_json	*arr;
	struct oidc_str		*uris = NULL, o;
	const char		*s;
	size_t			 n = 0, i, k, len;

	if (oidc_json_get_str_list(meta, "redirect_uris", false, a, &uris, &n,
	    err) == -1)
		return -1;
	if ((arr = oidc_json_new_array(a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < n; i++) {
		if ((o = oidc_cors_origin_of(uris[i])).p == NULL)
			continue;
		for (k = 0; k < i; k++)
			if (oidc_str_eq(oidc_cors_origin_of(uris[k]), o))
				break;
		if (k == i && oidc_json_array_add_str(arr, o.p, o.len,
		    err) == -1)
			return -1;
	}
	if ((s = oidc_json_serialize(arr, a, &len, err)) == NULL)
		return -1;
	row->origins = (struct oidc_str){ s, len };
	if ((s = oidc_json_serialize(meta, a, &len, err)) == NULL)
		return -1;
	row->metadata = (struct oidc_str){ s, len };
	return 0;
}

int
oidc_client_from_row(struct oidc_arena *a, const struct oidc_client_row *row,
    struct oidc_client *c, struct oidc_error *err)
{
	struct oidc_json	*m;
	struct oidc_str		*v = NULL, s;
	size_t			 n = 0, i, k;
	bool			 b;

	memset(c, 0, sizeof(*c));
	if (oidc_json_parse(a, row->metadata.p, row->metadata.len, 0, &m,
	    err) == -1)
		return -1;
	c->metadata = m;
	c->client_id = row->client_id;
	c->has_secret = row->has_secret_hash;
	memcpy(c->secret_hash, row->secret_hash, sizeof(c->secret_hash));
	c->secret = (struct oidc_client_secret){ row->secret_sealed,
	    row->secret_sealed_len, row->secret_plain };
	c->first_party = row->first_party;
	c->approved = row->approved;
	if (oidc_json_get_str_list(m, "redirect_uris", false, a,
	    &c->redirect_uris, &c->n_redirect_uris, err) == -1 ||
	    oidc_json_get_str_list(m, "post_logout_redirect_uris", false, a,
	    &c->post_logout_redirect_uris, &c->n_post_logout_redirect_uris,
	    err) == -1 ||
	    oidc_json_get_str_list(m, "request_uris", false, a,
	    &c->request_uris, &c->n_request_uris, err) == -1 ||
	    oidc_json_get_str_list(m, "response_types", false, a, &v, &n,
	    err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		c->response_types |= oidc_rt_parse(v[i]);
	n = 0;
	if (oidc_json_get_str_list(m, "grant_types", false, a, &v, &n, err) ==
	    -1)
		return -1;
	for (i = 0; i < n; i++)
		for (k = 0; k < OIDC_NELEM(grant_names); k++)
			if (oidc_str_eq_cstr(v[i], grant_names[k].name))
				c->grant_types |= grant_names[k].bit;
	if (oidc_json_get_str(m, "token_endpoint_auth_method", &s, err) != 1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "stored client "
		    "without token_endpoint_auth_method");
	c->auth_method = oidc_auth_method_parse(s);
	if (oidc_json_get_str(m, "id_token_signed_response_alg",
	    &c->id_token_alg, err) == -1 ||
	    oidc_json_get_str(m, "userinfo_signed_response_alg",
	    &c->userinfo_alg, err) == -1 ||
	    oidc_json_get_str(m, "authorization_signed_response_alg",
	    &c->authz_alg, err) == -1 ||
	    oidc_json_get_str(m, "scope", &c->scope, err) == -1 ||
	    oidc_json_get_str(m, "client_name", &c->client_name, err) == -1 ||
	    oidc_json_get_bool(m, "require_nonce", &b, err) == -1)
		return -1;
	if (oidc_json_has(m, "require_nonce"))
		c->require_nonce = b;
	/* RFC 9126 6: this client's requests must be pushed first. */
	if (oidc_json_get_bool(m, "require_pushed_authorization_requests",
	    &b, err) == -1)
		return -1;
	if (oidc_json_has(m, "require_pushed_authorization_requests"))
		c->require_par = b;
	/* RFC 8705 3.4: certificate-bound tokens only (oidc/mtls.h). */
	if (oidc_json_get_bool(m, "tls_client_certificate_bound_access_"
	    "tokens", &b, err) == -1)
		return -1;
	if (oidc_json_has(m, "tls_client_certificate_bound_access_tokens"))
		c->mtls_bound = b;
	if (oidc_json_get_str(m, "login", &s, err) == -1)
		return -1;
	if (oidc_json_has(m, "login"))
		c->login = oidc_str_eq_cstr(s, "remote_user") ?
		    OIDC_CLIENT_LOGIN_REMOTE_USER : OIDC_CLIENT_LOGIN_PASSWORD;
	return 0;
}

int
oidc_client_load(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_client *out,
    struct oidc_error *err)
{
	return oidc_client_load_throttled(db, a, client_id, NULL, out, err);
}

int
oidc_client_load_throttled(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_auth_failures *f,
    struct oidc_client *out, struct oidc_error *err)
{
	struct oidc_client_row	 row;
	int			 rc;

	if (client_id.p == NULL || client_id.len == 0 ||
	    client_id.len > OIDC_CLIENT_ID_MAX_LEN)
		return 0;
	if ((rc = oidc_db_client_get_throttled(db, a, client_id, f, &row,
	    err)) != 1)
		return rc;
	if (oidc_client_from_row(a, &row, out, err) == -1)
		return -1;
	return 1;
}

bool
oidc_client_redirect_uri_ok(const struct oidc_client *c, struct oidc_str uri)
{
	size_t	 i;

	/* SECURITY: exact match only (CVE-2020-15234, CVE-2023-6291...). */
	for (i = 0; i < c->n_redirect_uris; i++)
		if (oidc_str_eq(c->redirect_uris[i], uri))
			return true;
	return false;
}

bool
oidc_client_request_uri_ok(const struct oidc_client *c, struct oidc_str uri)
{
	size_t	 i;

	if (uri.p == NULL)
		return false;
	uri = without_fragment(uri);
	for (i = 0; i < c->n_request_uris; i++)
		if (oidc_str_eq(without_fragment(c->request_uris[i]), uri))
			return true;
	return false;
}

bool
oidc_client_post_logout_uri_ok(const struct oidc_client *c,
    struct oidc_str uri)
{
	size_t	 i;

	for (i = 0; i < c->n_post_logout_redirect_uris; i++)
		if (oidc_str_eq(c->post_logout_redirect_uris[i], uri))
			return true;
	return false;
}
