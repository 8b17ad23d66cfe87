/*
 * jws.h: JWS compact serialization (RFC 7515 3.1, 5, 7.1), JWT claim checks
 * (RFC 7519 4.1, 7.2) and the OIDC at_hash/c_hash helper (OIDC Core
 * 3.1.3.6, 3.3.2.11).
 *
 * Signing takes a key from jwk.h and produces "header.payload.signature"
 * in the caller's arena, the header being {"alg":...,"kid":...[,"typ":...]}.
 *
 * Verification is strict and fails closed.  In order, before any decoding:
 *   - the token is at most OIDC_JWS_MAX_LEN bytes and its header segment at
 *     most OIDC_JWS_MAX_HEADER bytes (OIDC_E_LIMIT);
 *   - there are exactly three segments (two '.'); JWE (five) is refused;
 * then:
 *   - every segment is strict base64url (b64url.h); the header is a JSON
 *     object (json.h rules; duplicate members: the last wins, RFC 7515 4);
 *   - "alg" is a string naming one of OUR algorithms that is in the
 *     caller's `allowed` mask; "none" is never accepted;
 *   - "crit" is refused whatever it lists: we implement no extension
 *     (RFC 7515 4.1.11 requires refusing what is not understood);
 *   - "zip" is refused (RFC 7516 only; no compressed JWS);
 *   - the key comes from OUR keyset only: a "kid" must name a key in the
 *     set; without a kid exactly one key of the set must support the alg.
 *     "jwk", "jku", "x5u", "x5c", "x5t" and "x5t#S256" are IGNORED: they
 *     never select, add or replace a key (an attacker can put anything
 *     there);
 *   - the key must support the alg exactly (oidc_jwk_supports): the alg's
 *     key type (no HMAC with an RSA/EC key: algorithm confusion), the
 *     key's pinned alg (no RS512 -> RS256 downgrade), RSA >= 2048 bits;
 *   - the signature has exactly the alg's length (ES256: 64 bytes R || S)
 *     and verifies.
 * Only then is the payload decoded and returned.  Every failure is
 * OIDC_E_INVALID_TOKEN (or OIDC_E_LIMIT for size, OIDC_E_CRYPTO/NOMEM for
 * internal trouble) and leaves *out zeroed: a failed verification never
 * yields the payload.
 *
 * Limits:
 *   OIDC_JWS_MAX_LEN       16 KiB   whole compact token (also on signing)
 *   OIDC_JWS_MAX_HEADER    2 KiB    encoded protected header segment
 */
#ifndef OIDC_JWS_H
#define OIDC_JWS_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/jwk.h"
#include "oidc/str.h"

#define OIDC_JWS_MAX_LEN	(16 * 1024)
#define OIDC_JWS_MAX_HEADER	2048

struct oidc_arena;
struct oidc_json;

/* A verified JWS.  Everything is arena-owned or borrowed. */
struct oidc_jws {
	enum oidc_jws_alg	 alg;
	const struct oidc_jwk	*key;		/* borrowed from the keyset */
	struct oidc_json	*header;	/* arena */
	struct oidc_str		 typ;		/* header "typ" or absent */
	const unsigned char	*payload;	/* arena, NUL after payload_len */
	size_t			 payload_len;
};

/*
 * Sign `payload` with `key` under `alg` into an arena-owned compact JWS
 * (NUL-terminated; length in *len when len != NULL).  The protected header
 * is {"alg":alg,"kid":kid of key} plus "typ" when typ != NULL.  The key
 * must be private and support alg (RSA >= 2048 bits: OIDC_E_CONFIG).  A
 * token over OIDC_JWS_MAX_LEN is OIDC_E_LIMIT.  NULL with err set.
 * RFC 7515 5.1.
 */
char	*oidc_jws_sign(struct oidc_arena *, const struct oidc_jwk *key,
	    enum oidc_jws_alg alg, const char *typ, const void *payload,
	    size_t payload_len, size_t *len, struct oidc_error *);

/*
 * As oidc_jws_sign() with the protected header given verbatim as
 * hdr[0..hdrlen): it must be a JSON object whose "alg" is `alg`.  For test
 * vectors and callers that need more header members.
 */
char	*oidc_jws_sign_header(struct oidc_arena *, const struct oidc_jwk *key,
	    enum oidc_jws_alg alg, const char *hdr, size_t hdrlen,
	    const void *payload, size_t payload_len, size_t *len,
	    struct oidc_error *);

/*
 * Verify the compact JWS buf[0..len) against OUR keyset, accepting only
 * algorithms in `allowed` (a mask of OIDC_JWS_BIT()).  0 with *out filled,
 * or -1 with err set and *out zeroed.  RFC 7515 5.2 and the rules above.
 */
OIDC_MUST_CHECK int	oidc_jws_verify(struct oidc_arena *,
			    const struct oidc_keyset *, unsigned allowed,
			    const char *buf, size_t len, struct oidc_jws *out,
			    struct oidc_error *);

/*
 * As oidc_jws_verify() with the one key the CALLER chose (a DPoP proof's
 * own "jwk", oidc/dpop.h, after its rules were applied): the header's
 * kid is not looked at; every other rule above holds.
 */
OIDC_MUST_CHECK int	oidc_jws_verify_key(struct oidc_arena *,
			    const struct oidc_jwk *key, unsigned allowed,
			    const char *buf, size_t len, struct oidc_jws *out,
			    struct oidc_error *);

/* What oidc_jwt_check_claims() enforces. */
struct oidc_jwt_rules {
	int64_t		 now;		/* seconds since the epoch */
	int64_t		 leeway;	/* clock skew allowed, seconds >= 0 */
	const char	*iss;		/* exact match when not NULL */
	const char	*aud;		/* aud must contain it when not NULL */
	bool		 require_exp;	/* exp must be present */
	bool		 require_iat;	/* iat must be present */
};

/*
 * Check the registered claims of a verified JWT payload (RFC 7519 4.1,
 * OIDC Core 3.1.3.7): exp (now < exp + leeway), nbf (now + leeway >= nbf),
 * iat (not after now + leeway), all integers; iss exactly equal; aud a
 * string equal to, or an array containing, rules->aud.  0 valid, -1 with
 * OIDC_E_INVALID_TOKEN and a static public description.
 */
OIDC_MUST_CHECK int	oidc_jwt_check_claims(const struct oidc_json *claims,
			    const struct oidc_jwt_rules *,
			    struct oidc_error *);

/*
 * Verify a JWS whose payload is a JSON object, then check its claims:
 * oidc_jws_verify() + oidc_json_parse() + oidc_jwt_check_claims().
 * *claims is arena-owned.  On failure *claims is NULL and *out zeroed.
 */
OIDC_MUST_CHECK int	oidc_jwt_verify(struct oidc_arena *,
			    const struct oidc_keyset *, unsigned allowed,
			    const char *buf, size_t len,
			    const struct oidc_jwt_rules *, struct oidc_jws *out,
			    struct oidc_json **claims, struct oidc_error *);

/*
 * at_hash / c_hash (OIDC Core 3.1.3.6, 3.3.2.11): base64url of the left
 * half of the hash of the ASCII value, the hash being the alg's: SHA-256
 * for *256, SHA-384 for *384, SHA-512 for *512 and for EdDSA and Ed25519
 * (Ed25519 hashes with SHA-512), SHAKE256 with 114 bytes of output for
 * Ed448 (its hash, RFC 8032 5.2; OpenID Connect WG issue 1125 consensus).
 * Arena-owned string, NULL with err set.
 */
char	*oidc_jws_half_hash(struct oidc_arena *, enum oidc_jws_alg,
	    const char *value, size_t len, struct oidc_error *);

#endif /* OIDC_JWS_H */
