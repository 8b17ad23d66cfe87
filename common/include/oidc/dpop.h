/*
 * dpop.h: OAuth 2.0 Demonstrating Proof of Possession (RFC 9449).
 *
 * The proof parser and validator (oidc_dpop_parse, oidc_dpop_check: RFC
 * 9449 4.2, 4.3), stateless server nonces (8, 9), and the hooks of the
 * endpoints: /token binds the tokens it issues to the proof key's RFC 7638
 * thumbprint (5), UserInfo takes a DPoP-bound token only under the "DPoP"
 * scheme with a proof whose "ath" is the token's hash and whose key is the
 * bound one (7), introspection shows "cnf": {"jkt"} (6.2).
 *
 * What a proof must be (4.3, in this order; any failure is
 * OIDC_E_INVALID_DPOP_PROOF with a fixed description):
 *   - at most OIDC_DPOP_MAX_LEN bytes, a compact JWS of three segments
 *     (one DPoP header: two headers joined by nginx hold a ',' and fail);
 *   - header: "typ" exactly "dpop+jwt"; "alg" an ASYMMETRIC algorithm of
 *     ours (OIDC_DPOP_ALGS: RS*, PS*, ES*, EdDSA, Ed25519, Ed448; never
 *     HS* or "none"); "jwk" a public key: a key with any private member
 *     (d, p, q, dp, dq, qi, oth, k) or of kty "oct" is refused; no "crit";
 *   - the signature verifies with that jwk under that alg (the key must
 *     support it: curve, RSA >= 2048 bits, a jwk "alg" pins it);
 *   - payload: "jti" a string of 1..OIDC_DPOP_MAX_JTI bytes, "htm" and
 *     "htu" strings, "iat" an integer; "ath" and "nonce" strings when
 *     present;
 * and then (oidc_dpop_check):
 *   - "htm" equals the request method; "htu" equals the endpoint URL (the
 *     configured issuer + the endpoint path, never the Host header),
 *     ignoring its query and fragment, after scheme and host case and a
 *     default port are normalised (RFC 3986 6.2.2, 6.2.3);
 *   - |iat - now| <= dpop_iat_window;
 *   - with an access token (resource requests): "ath" is present and
 *     equals BASE64URL(SHA-256(token)) (4.3 step 12, 7).
 * The endpoint hooks add: the nonce (when dpop_nonce_lifetime > 0 and the
 * process holds key_encryption_key) must be one of ours, else
 * OIDC_E_USE_DPOP_NONCE with a fresh DPoP-Nonce header; the jti must be
 * new for its key (table dpop_jti, kept until the window has passed).
 *
 * Nonces are stateless: BASE64URL of the first 16 bytes of HKDF-SHA256
 * under a key derived from key_encryption_key, over the time slot
 * floor(now / dpop_nonce_lifetime); the current and the previous slot's
 * values are accepted, so a nonce lives one to two slots.  Every worker
 * of every endpoint derives the same values, with no database write.
 *
 * Limits:
 *   OIDC_DPOP_MAX_LEN   8 KiB   a DPoP header (and OIDC_JWS_MAX_HEADER,
 *                               2 KiB, for its encoded JOSE header: RSA
 *                               keys up to 4096 bits fit)
 *   OIDC_DPOP_MAX_JTI   256     bytes of jti
 *   OIDC_DPOP_MAX_HTU   OIDC_URL_MAX_LEN bytes of htu
 */
#ifndef OIDC_DPOP_H
#define OIDC_DPOP_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/jwk.h"
#include "oidc/str.h"

#define OIDC_DPOP_MAX_LEN	8192
#define OIDC_DPOP_MAX_JTI	256
#define OIDC_DPOP_JKT_LEN	43	/* base64url SHA-256 */
#define OIDC_DPOP_NONCE_LEN	22	/* base64url of 16 bytes */

/* The algorithms a proof may use: asymmetric ones only (RFC 9449 4.2). */
#define OIDC_DPOP_ALGS	(OIDC_JWS_ALL & ~(OIDC_JWS_BIT(OIDC_JWS_HS256) | \
	OIDC_JWS_BIT(OIDC_JWS_HS384) | OIDC_JWS_BIT(OIDC_JWS_HS512)))

struct oidc_arena;
struct oidc_ctx;
struct oidc_json;
struct oidc_request;
struct oidc_response;

/* A verified proof.  Strings are arena-owned. */
struct oidc_dpop_proof {
	char			 jkt[OIDC_DPOP_JKT_LEN + 1];
	enum oidc_jws_alg	 alg;
	struct oidc_str		 jti, htm, htu;
	struct oidc_str		 ath, nonce;	/* absent: { NULL, 0 } */
	int64_t			 iat;
};

/*
 * Parse and verify the proof buf[0..len) (the rules above up to the
 * payload's types).  0 with *out filled, or -1 with err set and *out
 * zeroed.
 */
OIDC_MUST_CHECK int	oidc_dpop_parse(struct oidc_arena *, const char *buf,
			    size_t len, struct oidc_dpop_proof *out,
			    struct oidc_error *);

/* What oidc_dpop_check() compares a proof with. */
struct oidc_dpop_expect {
	const char	*htm;		/* "GET", "POST" */
	const char	*htu;		/* the endpoint URL */
	int64_t		 now;
	int64_t		 window;	/* dpop_iat_window */
	struct oidc_str	 access_token;	/* resource request, or NULL */
};

/* 0 the proof fits, or -1 with OIDC_E_INVALID_DPOP_PROOF. */
OIDC_MUST_CHECK int	oidc_dpop_check(const struct oidc_dpop_proof *,
			    const struct oidc_dpop_expect *,
			    struct oidc_error *);

/*
 * Nonces under `key` (32 bytes) for the slot of `now`: the value to hand
 * out into out[OIDC_DPOP_NONCE_LEN + 1], and the test of a received one.
 */
OIDC_MUST_CHECK int	oidc_dpop_nonce_make(const unsigned char *key,
			    int64_t lifetime, int64_t now, char *out,
			    struct oidc_error *);
bool	oidc_dpop_nonce_ok(const unsigned char *key, int64_t lifetime,
	    int64_t now, struct oidc_str nonce);

/*
 * /token: the request's proof, verified for POST at issuer + "/token",
 * its nonce and its jti spent.  1 with *p set, 0 no DPoP header or dpop
 * off (tokens stay Bearer), -1 with err set (resp carries DPoP-Nonce for
 * OIDC_E_USE_DPOP_NONCE).
 */
OIDC_MUST_CHECK int	oidc_dpop_token_proof(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    struct oidc_dpop_proof *, struct oidc_error *);

/*
 * What /token binds to a verified proof's key (RFC 9449 5): the access
 * token always; the refresh token when the client is public (a
 * confidential client's refresh token is bound by its authentication).
 * The strings point into *p.
 */
void	oidc_dpop_bind(const struct oidc_dpop_proof *p, bool public_client,
	    struct oidc_str *access_jkt, struct oidc_str *refresh_jkt);

/*
 * The refresh grant: a refresh token bound to `bound` (NULL: unbound,
 * anything goes) needs a proof of that key (`proof_jkt`, NULL: no proof):
 * none is OIDC_E_INVALID_GRANT, another key OIDC_E_INVALID_DPOP_PROOF.
 */
OIDC_MUST_CHECK int	oidc_dpop_refresh_ok(struct oidc_str bound,
			    struct oidc_str proof_jkt, struct oidc_error *);

/*
 * A protected resource (path "/userinfo"): the access token of the
 * Authorization header, "Bearer" or "DPoP" scheme (*dpop says which).
 * 1 found, 0 no such header (the caller looks elsewhere), -1 malformed.
 */
OIDC_MUST_CHECK int	oidc_dpop_resource_token(const struct oidc_request *,
			    struct oidc_str *token, bool *dpop,
			    struct oidc_error *);

/*
 * The binding rules of a resource request for a token found active,
 * bound to `jkt` (NULL: a Bearer token): a bound token needs the DPoP
 * scheme (a Bearer use is OIDC_E_INVALID_TOKEN, RFC 9449 7.2), the DPoP
 * scheme needs a bound token, and the request's proof must verify for
 * this method and path, carry the token's ath and be signed by the bound
 * key.  Sets resp's DPoP challenge for errors.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_dpop_resource_check(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    const char *path, bool dpop, struct oidc_str token,
			    struct oidc_str jkt, struct oidc_error *);

/*
 * Introspection of a token bound to `jkt` (NULL: nothing to add):
 * "cnf": {"jkt": ...} and, for an access token, token_type "DPoP".
 */
OIDC_MUST_CHECK int	oidc_dpop_introspect(struct oidc_arena *,
			    struct oidc_json *, struct oidc_str jkt,
			    bool access, struct oidc_error *);

/*
 * A proof at another endpoint of ours, as at /token: `path` is "/par"
 * (RFC 9449 10.1).  1 with *p set, 0 no DPoP header or dpop off, -1.
 */
OIDC_MUST_CHECK int	oidc_dpop_endpoint_proof(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    const char *path, struct oidc_dpop_proof *,
			    struct oidc_error *);

/*
 * Authorization code binding (RFC 9449 10, dpop_code.c).
 *
 * oidc_dpop_jkt_ok: a dpop_jkt parameter is a JWK SHA-256 thumbprint:
 * base64url without padding of exactly 32 bytes (43 characters, the
 * last one carrying no stray bits).
 *
 * oidc_dpop_par_jkt: the key a pushed request binds its code to: the
 * dpop_jkt parameter `param` (NULL: none) and the PAR request's proof
 * key `proof` (NULL: no DPoP header) must agree when both are sent (RFC
 * 9449 10.1; else OIDC_E_INVALID_DPOP_PROOF); *out is the one sent, or
 * absent.
 *
 * oidc_dpop_code_ok: a code bound to `bound` (NULL: not bound, anything
 * goes) is redeemed only with a proof (`proof_jkt`) of that key:
 * OIDC_E_INVALID_GRANT when there is no proof or another key's.
 */
bool	oidc_dpop_jkt_ok(struct oidc_str jkt);
OIDC_MUST_CHECK int	oidc_dpop_par_jkt(struct oidc_str param,
			    struct oidc_str proof, struct oidc_str *out,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_dpop_code_ok(struct oidc_str bound,
			    struct oidc_str proof_jkt, struct oidc_error *);

/* The "algs" of a DPoP challenge and of discovery, space-separated. */
const char	*oidc_dpop_algs(void);

#endif /* OIDC_DPOP_H */
