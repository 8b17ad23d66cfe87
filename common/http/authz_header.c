/*
 * authz_header.c: the Authorization request header (see
 * oidc/authz_header.h).
 *
 * Two schemes are understood: Basic for client authentication at the token,
 * revocation and introspection endpoints (RFC 6749 2.3.1, RFC 7617), and
 * Bearer for access tokens at the userinfo endpoint (RFC 6750 2.1).  Each
 * parser answers "not my scheme" with 0 so the caller can try the other or
 * fall back to body credentials; anything that claims the scheme but does
 * not follow its grammar is an error, never a guess.
 *
 * This file does not check credentials; it only takes them apart.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/b64url.h"
#include "oidc/form.h"

/* RFC 7230 3.2.6 tchar. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Split "scheme SP credentials".  The scheme is the leading run of tchars,
 * compared without case (RFC 7235 2.1).  Returns 0 when the scheme is not
 * `want`, 1 with *cred set to everything after exactly one SP (possibly
 * empty), -1 when the scheme matches but is not followed by exactly one SP
 * and a non-empty, non-SP credential.
 */
static int
split_scheme(const char *hdr, size_t len, const char *want,
    struct oidc_str *cred)
{
	size_t	 i = 0;

	while (i < len && is_tchar((unsigned char)hdr[i]))
		i++;
	if (!oidc_str_eq_nocase((struct oidc_str){ hdr, i }, want))
		return 0;
	if (i == len || hdr[i] != ' ' || i + 1 == len || hdr[i + 1] == ' ')
		return -1;
	cred->p = hdr + i + 1;
	cred->len = len - i - 1;
	return 1;
}

/*
 * Move a failure recorded in `tmp` by a helper to `err`, as `code` unless
 * it was a resource failure.  Helpers report malformed input as
 * invalid_request; for Basic the OAuth answer is invalid_client.
 */
static int
remap(struct oidc_error *err, const struct oidc_error *tmp,
    enum oidc_errcode code)
{
	if (tmp->code == OIDC_E_NOMEM || tmp->code == OIDC_E_LIMIT)
		code = tmp->code;
	return oidc_fail(err, code, "malformed client credentials", "%s",
	    tmp->detail);
}

int
oidc_authz_parse_basic(struct oidc_arena *a, const char *hdr, size_t len,
    struct oidc_str *id, struct oidc_str *secret, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 cred = OIDC_STR_NULL, uid, pwd;
	unsigned char		*raw;
	const unsigned char	*colon;
	size_t			 rawlen, idlen;
	int			 rc;

	if (len > OIDC_AUTHZ_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, "header too large",
		    "authz: header %zu bytes", len);
	if ((rc = split_scheme(hdr, len, "Basic", &cred)) == 0)
		return 0;
	if (rc == -1)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT,
		    "malformed client credentials", "authz: Basic syntax");

	/* Strict base64: exact padding, no whitespace, zero trailing bits. */
	if (oidc_b64_decode(a, cred.p, cred.len, &raw, &rawlen, &tmp) == -1)
		return remap(err, &tmp, OIDC_E_INVALID_CLIENT);

	/*
	 * RFC 7617 2: the user-id cannot contain ':', so the FIRST colon
	 * ends it and the secret may contain further colons.  RFC 6749
	 * 2.3.1 form-encodes both halves first, so a ':' in a client id
	 * arrives as "%3A" and is restored only after the split.
	 */
	if ((colon = memchr(raw, ':', rawlen)) == NULL)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT,
		    "malformed client credentials", "authz: Basic without ':'");
	idlen = (size_t)(colon - raw);
	if (oidc_form_urldecode(a, (const char *)raw, idlen, true,
	    OIDC_AUTHZ_MAX_LEN, &uid, &tmp) == -1 ||
	    oidc_form_urldecode(a, (const char *)colon + 1, rawlen - idlen - 1,
	    true, OIDC_AUTHZ_MAX_LEN, &pwd, &tmp) == -1)
		return remap(err, &tmp, OIDC_E_INVALID_CLIENT);
	if (uid.len == 0)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT,
		    "malformed client credentials", "authz: empty client id");

	/*
	 * The raw decoded bytes hold the secret too; they live in the arena,
	 * which wipes them at reset.
	 */
	*id = uid;
	*secret = pwd;
	return 1;
}

/* RFC 6750 2.1 b64token characters before the optional '=' padding. */
static bool
is_b64token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

/* A token68-like credential under `scheme` (Bearer, DPoP). */
static int
parse_token_scheme(const char *hdr, size_t len, const char *scheme,
    struct oidc_str *token, struct oidc_error *err)
{
	struct oidc_str	 cred = OIDC_STR_NULL;
	size_t		 i = 0;
	int		 rc;

	if (len > OIDC_AUTHZ_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, "header too large",
		    "authz: header %zu bytes", len);
	if ((rc = split_scheme(hdr, len, scheme, &cred)) == 0)
		return 0;
	if (rc == -1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed bearer token", "authz: Bearer syntax");

	/* 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
	while (i < cred.len && is_b64token_char((unsigned char)cred.p[i]))
		i++;
	if (i == 0)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed bearer token", "authz: empty b64token");
	while (i < cred.len && cred.p[i] == '=')
		i++;
	if (i != cred.len)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed bearer token",
		    "authz: bad b64token byte at %zu", i);
	*token = cred;
	return 1;
}

int
oidc_authz_parse_bearer(const char *hdr, size_t len, struct oidc_str *token,
    struct oidc_error *err)
{
	return parse_token_scheme(hdr, len, "Bearer", token, err);
}

int
oidc_authz_parse_dpop(const char *hdr, size_t len, struct oidc_str *token,
    struct oidc_error *err)
{
	return parse_token_scheme(hdr, len, "DPoP", token, err);
}
