/*
 * fapi.h: the FAPI 2.0 Security Profile switch (issue 21 item 6;
 * docs/FAPI2.md lists each requirement and whether it is met).
 *
 * A client is under the profile when the provider is (`profile = fapi2`,
 * oidc.conf(5)) or its metadata says "profile": "fapi2".  Under it:
 *   - client metadata (oidc_fapi2_meta_problem, at registration, `oidcctl
 *     client create/update`, and for a provider-wide profile again at
 *     /authorize and /par): token_endpoint_auth_method private_key_jwt;
 *     response_types ["code"] only; no implicit grant; the
 *     id_token_signed_response_alg, userinfo_signed_response_alg,
 *     authorization_signed_response_alg and request_object_signing_alg
 *     given are OIDC_FAPI2_ALGS;
 *   - client authentication (every endpoint that authenticates clients):
 *     private_key_jwt (assertions signed with OIDC_FAPI2_ALGS) or, RFC
 *     8705 2, tls_client_auth / self_signed_tls_client_auth only, else
 *     invalid_client;
 *   - authorization requests (/authorize and /par, oidc_authz_check_params):
 *     pushed first (RFC 9126 6; invalid_request at /authorize),
 *     response_type code (else unsupported_response_type), response_mode
 *     query, query.jwt or jwt (else invalid_request), a PKCE S256
 *     challenge (else invalid_request); request objects signed with
 *     OIDC_FAPI2_ALGS;
 *   - authorization codes live at most OIDC_FAPI2_CODE_TTL seconds;
 *   - the token endpoint takes only requests with a DPoP proof (RFC 9449;
 *     invalid_dpop_proof without one or with a proof by another
 *     algorithm than OIDC_FAPI2_ALGS): every access token is
 *     sender-constrained;
 *   - refresh tokens are not rotated (5.3.2.1: a refresh answers a new
 *     access token only; token.c, oidc_db_refresh_use);
 *   - discovery (provider-wide only, oidc_fapi2_discovery) lists only what
 *     the profile allows.
 * Not covered: mTLS (RFC 8705), see docs/FAPI2.md.
 */
#ifndef OIDC_FAPI_H
#define OIDC_FAPI_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/jwk.h"
#include "oidc/str.h"

/* FAPI 2.0 5.3.2.1: authorization codes live at most 60 seconds. */
#define OIDC_FAPI2_CODE_TTL	60

/* FAPI 2.0 5.4.1: PS256, ES256, EdDSA (Ed25519; RFC 9864 "Ed25519"). */
#define OIDC_FAPI2_ALGS	(OIDC_JWS_BIT(OIDC_JWS_PS256) | \
	OIDC_JWS_BIT(OIDC_JWS_ES256) | OIDC_JWS_BIT(OIDC_JWS_EDDSA) | \
	OIDC_JWS_BIT(OIDC_JWS_ED25519))

struct oidc_arena;
struct oidc_client;
struct oidc_config;
struct oidc_ctx;
struct oidc_dpop_proof;
struct oidc_json;

/* Is client c (NULL: any client) under the profile? */
bool		 oidc_fapi2(const struct oidc_config *,
		    const struct oidc_client *c);

/* A JWS algorithm name of OIDC_FAPI2_ALGS ("none" is not). */
bool		 oidc_fapi2_alg_name_ok(struct oidc_str name);

/* The code lifetime for client c: code_ttl, at most 60 under the profile. */
int64_t		 oidc_fapi2_code_ttl(const struct oidc_config *,
		    const struct oidc_client *c);

/*
 * Client metadata `m` (normalised) under the profile when it says
 * "profile": "fapi2" or `provider` is set: NULL when it conforms, else
 * what does not (a public error_description).  A "profile" member other
 * than the string "fapi2" or "default" is refused too.
 */
const char	*oidc_fapi2_meta_problem(struct oidc_arena *,
		    const struct oidc_json *m, bool provider);

/*
 * oidc_client_normalize()'s step: `in` the metadata sent, `out` its
 * normalised copy, `flags` oidc_client_normalize()'s (OIDC_CLIENT_FAPI2:
 * provider-wide; "profile": "fapi2" only with OIDC_CLIENT_FAPI2_READY,
 * a provider with par and dpop).  Under the profile an absent
 * id_token_signed_response_alg becomes PS256 (not RS256); then
 * oidc_fapi2_meta_problem().  0, or -1 with
 * OIDC_E_INVALID_CLIENT_METADATA.
 */
OIDC_MUST_CHECK int	oidc_fapi2_normalize(struct oidc_arena *,
			    const struct oidc_json *in, struct oidc_json *out,
			    unsigned flags, struct oidc_error *);

/* The OIDC_CLIENT_FAPI2* flags of oidc_client_normalize() for cfg. */
unsigned	oidc_fapi2_client_flags(const struct oidc_config *);

/*
 * The token endpoint's rule: a client under the profile needs its tokens
 * sender-constrained: a DPoP proof (`p`, NULL: none) signed with
 * OIDC_FAPI2_ALGS, or, without one, a certificate binding (`cert_bound`,
 * oidc/mtls.h).  0, or -1 with OIDC_E_INVALID_DPOP_PROOF.
 */
OIDC_MUST_CHECK int	oidc_fapi2_token_check(const struct oidc_config *,
			    const struct oidc_client *,
			    const struct oidc_dpop_proof *p, bool cert_bound,
			    struct oidc_error *);

/*
 * After client authentication: a client under the profile must have
 * used private_key_jwt.  0, or -1 with OIDC_E_INVALID_CLIENT.
 */
OIDC_MUST_CHECK int	oidc_fapi2_client_auth_check(
			    const struct oidc_config *,
			    const struct oidc_client *, struct oidc_error *);

/*
 * FAPI 2.0 5.3.2.1-8: a client under the profile authenticates with an
 * assertion whose "aud" is the issuer identifier, as a string (not the
 * endpoint URL, not an array).  NULL, or what is wrong.
 */
const char	*oidc_fapi2_assertion_aud(const struct oidc_config *,
		    const struct oidc_client *, const struct oidc_json *claims);

/*
 * Discovery under a provider-wide profile: the lists of the document `j`
 * narrowed to what the profile allows, and
 * require_pushed_authorization_requests (docs/FAPI2.md).  Nothing
 * without it.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_fapi2_discovery(struct oidc_ctx *,
			    struct oidc_json *j, struct oidc_error *);

#endif /* OIDC_FAPI_H */
