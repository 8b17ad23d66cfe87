/*
 * jarm.h: JWT Secured Authorization Response Mode for OAuth 2.0 (JARM,
 * OpenID Foundation final, 2022): an authorization response, success or
 * error, as one signed JWT that the response modes query.jwt,
 * fragment.jwt and form_post.jwt deliver as the parameter "response"
 * (JARM 2.3).  The modes are parsed by the authorization endpoint
 * (authorize_check.c) when `jarm = yes` (oidc.conf(5)); discovery then
 * lists them and authorization_signing_alg_values_supported.
 *
 * The JWT carries iss (the issuer), aud (the client_id) and exp (now +
 * OIDC_JARM_TTL; JARM 2.1 recommends at most ten minutes), plus every
 * response parameter as a string claim (code, state, error,
 * error_description, and the tokens of implicit and hybrid responses).
 * A parameter can never replace iss, aud or exp.  It is signed with the
 * client's authorization_signed_response_alg (RS256 when absent, JARM 3;
 * never "none") by the ID Token's path, oidc_grant_sign_for_client(): the
 * provider's key for that algorithm, or the client secret for HS*.
 *
 * Not done: encrypted responses.  authorization_encrypted_response_alg
 * and _enc are refused in client metadata (oidc/client.h) and
 * authorization_encryption_*_values_supported are not advertised.
 */
#ifndef OIDC_JARM_H
#define OIDC_JARM_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_JARM_TTL	600	/* seconds: the response JWT's lifetime */

struct oidc_client;
struct oidc_ctx;
struct oidc_json;

/*
 * Add iss, aud (c's client_id) and exp to `params` (a JSON object of the
 * response parameters, changed in place) and sign it for c.  An
 * arena-owned compact JWS, or NULL with err (OIDC_E_NO_KEY when this
 * worker has no key for the algorithm).
 */
char	*oidc_jarm_sign(struct oidc_ctx *, const struct oidc_client *c,
	    struct oidc_json *params, struct oidc_error *);

#endif /* OIDC_JARM_H */
