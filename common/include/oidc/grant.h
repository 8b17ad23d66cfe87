/*
 * grant.h: issuing what a grant yields: access tokens, refresh tokens and
 * ID Tokens, shared by the token and authorization endpoints.
 *
 * Access and refresh tokens are OIDC_TOKEN_BYTES random bytes, base64url;
 * only their SHA-256 is stored (RFC 6749 10.3, 10.4).  ID Tokens (OIDC
 * Core 2, 3.1.3.6, 3.2.2.10, 3.3.2.11) carry iss, sub, aud, exp, iat,
 * auth_time, nonce, acr, amr, sid, at_hash and c_hash as applicable, and
 * are signed with the client's id_token_signed_response_alg (RS256 by
 * default) using the provider's key for that algorithm, or for HS* the
 * client secret (OIDC Core 10.1).
 */
#ifndef OIDC_GRANT_H
#define OIDC_GRANT_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_client;
struct oidc_client_secret;
struct oidc_config;
struct oidc_ctx;
struct oidc_json;
struct oidc_scope;
struct oidc_token_row;

/*
 * Refresh tokens (RFC 6749 1.5, 6; OIDC Core 11): the one place that
 * decides whether a grant yields one.  A grant holds offline access when
 * offline_access is in its scope (the authorization endpoint dropped it
 * when OIDC Core 11's conditions were unmet; the refresh grant keeps it
 * for the family).  The client may refresh when it registered the
 * refresh_token grant type and refresh_token_ttl is not 0.  A refresh
 * token is issued only when both hold.  The statements only obey: they
 * insert a refresh token when the caller sent its hash (and, for a stored
 * code, when the code's offline flag, set from oidc_grant_offline at
 * /authorize, is true).
 */
bool	oidc_grant_offline(const struct oidc_scope *);
bool	oidc_grant_may_refresh(const struct oidc_config *,
	    const struct oidc_client *);
bool	oidc_grant_wants_refresh(const struct oidc_config *,
	    const struct oidc_client *, const struct oidc_scope *);

/*
 * Insert a token described by `row` (kind, client, user, scope, code,
 * family, auth data, ttl) under a fresh random value; *token is the
 * arena-owned value to hand out.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_grant_issue_token(struct oidc_ctx *,
			    struct oidc_token_row *row, const char **token,
			    struct oidc_error *);

struct oidc_idtoken {
	const struct oidc_client	*client;
	struct oidc_str			 sub;
	struct oidc_str			 nonce;
	struct oidc_str			 acr;
	struct oidc_str			 amr;	/* space-separated values */
	struct oidc_str			 sid;
	int64_t				 auth_time;	/* 0: omitted */
	const char			*access_token;	/* at_hash */
	const char			*code;		/* c_hash */
	const struct oidc_json		*claims;	/* extra claims */
};

/* Build and sign an ID Token; arena-owned compact JWS, NULL with err. */
char	*oidc_grant_id_token(struct oidc_ctx *, const struct oidc_idtoken *,
	    struct oidc_error *);

/*
 * Sign an arbitrary JSON payload as the client expects for `alg_name`
 * (signed UserInfo responses).  HS* signs with the secret of client_id,
 * opened from `secret` with ctx->kek (oidc/client.h); `secret` may be
 * NULL for a client that has none.  NULL with err.
 */
char	*oidc_grant_sign_for_client(struct oidc_ctx *, struct oidc_str alg_name,
	    struct oidc_str client_id, const struct oidc_client_secret *secret,
	    const struct oidc_json *payload, const char *typ,
	    struct oidc_error *);

/*
 * The ID Token claims the "claims" request parameter and scope select for
 * the ID Token itself.  `scope_claims_too` is set for response_type
 * id_token, where no access token exists to fetch them (OIDC Core 5.4).
 * Arena-owned object, NULL with err.
 */
struct oidc_json	*oidc_grant_id_token_claims(struct oidc_ctx *,
			    struct oidc_str user_claims_json,
			    int64_t updated_at, struct oidc_str scope,
			    struct oidc_str claims_request,
			    bool scope_claims_too, struct oidc_error *);

#endif /* OIDC_GRANT_H */
