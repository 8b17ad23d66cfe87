/*
 * jwk.h: signing keys (RFC 7517 JWK, RFC 7518 6, RFC 8037 OKP), the
 * RFC 7638 thumbprint, key sets (JWKS) and key generation.
 *
 * A struct oidc_jwk is one key: an OpenSSL EVP_PKEY (RSA, EC P-256/384/521,
 * Ed25519, Ed448) or an HMAC secret (kty "oct"), with its kid, kty, optional pinned
 * alg and use.  Keys are parsed ONCE (PEM: PKCS#1, PKCS#8, SEC1,
 * SubjectPublicKeyInfo; or JWK JSON) and are process-lifetime objects:
 * malloc'd, freed with oidc_jwk_free(), never per request.  Per-request
 * outputs (JSON, PEM text) go into the caller's arena.
 *
 * What this module does NOT do: sign or verify (jws.h), encryption keys
 * (JWE), X.509 chains ("x5c" is ignored), fetching a jku.
 *
 * The alg of a key: a JWK "alg" member (or the alg given to a PEM loader)
 * pins the key to exactly that algorithm.  Without one, an EC key is pinned
 * by its curve (P-256 ES256, P-384 ES384, P-521 ES512) and an Ed448 key to
 * Ed448; an RSA, Ed25519 or oct key stays unpinned (OIDC_JWS_ALG_ANY) and
 * may then be used with any algorithm of its family that the CALLER allows
 * (RS*, PS*; EdDSA or Ed25519; HS*).  Publish "alg" in a JWKS to pin keys
 * per key.
 *
 * RFC 9864: "EdDSA" is the polymorphic name, here for Ed25519 only (as
 * before RFC 9864; an Ed448 key is never used under "EdDSA"); "Ed25519" and
 * "Ed448" are the fully-specified names.  "EdDSA" and "Ed25519" produce the
 * same signature, but a key pinned to one name is refused under the other:
 * one key per alg name, each published with its own "alg".
 *
 * The kid: the JWK "kid" member or the kid given to a loader; when none is
 * given, the RFC 7638 SHA-256 thumbprint (base64url) is the kid.
 *
 * JWKS (RFC 7517 5): members with a kty or crv we do not support, with an
 * alg that is not a JWS alg of ours, or with "use" other than "sig" are
 * SKIPPED (RFC 7517 5 says to ignore what is not understood); a malformed
 * member of a supported type fails the whole set.  A single JWK with any of
 * these problems is refused.
 *
 * Limits (inputs above them fail with OIDC_E_LIMIT or OIDC_E_CONFIG):
 *   OIDC_JWK_MAX_LEN         64 KiB   a PEM, JWK or JWKS document
 *   OIDC_JWK_MAX_KID         128      bytes of kid
 *   OIDC_KEYSET_MAX_KEYS     32       keys in a set
 *   OIDC_JWK_RSA_MIN_BITS    2048     RSA modulus to sign or verify
 *   OIDC_JWK_RSA_LOAD_BITS   1024     smallest RSA modulus we even parse
 *   OIDC_JWK_RSA_MAX_BITS    8192     largest RSA modulus (verify cost)
 *   OIDC_JWK_OCT_MAX_LEN     512      bytes of HMAC secret
 * HMAC secrets shorter than the hash output are refused for that alg
 * (RFC 7518 3.2): HS256 >= 32, HS384 >= 48, HS512 >= 64 bytes.
 *
 * Errors: OIDC_E_CONFIG for a malformed or unsupported key (keys come from
 * configuration or from a client registration), OIDC_E_LIMIT for size,
 * OIDC_E_CRYPTO / OIDC_E_NOMEM / OIDC_E_IO for internal failures.
 *
 * Threads: a key holds reusable OpenSSL contexts (HMAC), so one key object
 * must not be used by two threads at once.  Our FastCGI processes are
 * single-threaded.
 */
#ifndef OIDC_JWK_H
#define OIDC_JWK_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_JWK_MAX_LEN	(64 * 1024)
#define OIDC_JWK_MAX_KID	128
#define OIDC_KEYSET_MAX_KEYS	32
#define OIDC_JWK_RSA_MIN_BITS	2048
#define OIDC_JWK_RSA_LOAD_BITS	1024
#define OIDC_JWK_RSA_MAX_BITS	8192
#define OIDC_JWK_OCT_MAX_LEN	512

struct oidc_arena;
struct oidc_json;
struct oidc_jwk;
struct oidc_keyset;

/*
 * The JWS algorithms of RFC 7518 3.1, RFC 8037 3.1 and RFC 9864 2.2 ("none"
 * is not one).
 */
enum oidc_jws_alg {
	OIDC_JWS_HS256 = 0,
	OIDC_JWS_HS384,
	OIDC_JWS_HS512,
	OIDC_JWS_RS256,
	OIDC_JWS_RS384,
	OIDC_JWS_RS512,
	OIDC_JWS_ES256,
	OIDC_JWS_ES384,
	OIDC_JWS_ES512,
	OIDC_JWS_PS256,
	OIDC_JWS_PS384,
	OIDC_JWS_PS512,
	OIDC_JWS_EDDSA,		/* Ed25519 only (RFC 8037) */
	OIDC_JWS_ED25519,	/* RFC 9864 2.2 */
	OIDC_JWS_ED448,		/* RFC 9864 2.2 */
	OIDC_JWS__MAX
};

/* "No alg pinned" / "infer the alg" where an alg parameter is taken. */
#define OIDC_JWS_ALG_ANY	OIDC_JWS__MAX

/* Bitmasks of algorithms, as taken by oidc_jws_verify(). */
#define OIDC_JWS_BIT(alg)	(1u << (alg))
#define OIDC_JWS_ALL		((1u << OIDC_JWS__MAX) - 1)

enum oidc_jwk_kty {
	OIDC_JWK_RSA = 0,
	OIDC_JWK_EC,
	OIDC_JWK_OKP,
	OIDC_JWK_OCT,
	OIDC_JWK__MAX
};

/* "HS256" ... "Ed448"; NULL for OIDC_JWS__MAX or out of range. */
const char	*oidc_jws_alg_name(enum oidc_jws_alg);

/*
 * Look an alg name up (exact, case-sensitive, RFC 7518 3.1).  1 found
 * (*out set), 0 unknown; "none" is unknown.
 */
OIDC_MUST_CHECK int	oidc_jws_alg_from_name(const char *, size_t,
			    enum oidc_jws_alg *out);

/* The key type an alg needs. */
enum oidc_jwk_kty	oidc_jws_alg_kty(enum oidc_jws_alg);

/*
 * True if the name is HS256, HS384 or HS512: an alg that signs with a shared
 * secret (client metadata checks).  Unknown names are false.
 */
bool	oidc_jws_alg_name_is_hs(struct oidc_str);

/* "RSA", "EC", "OKP", "oct". */
const char	*oidc_jwk_kty_name(enum oidc_jwk_kty);

/*
 * Parse one key from a JWK JSON object buf[0..len) (RFC 7517 4, RFC 7518
 * 6.2/6.3/6.4, RFC 8037 2).  `scratch` holds temporaries only (reset it
 * when you like).  Returns a malloc'd key for oidc_jwk_free(), or NULL with
 * err set.  Private members (d, p, q, dp, dq, qi; k) make a private key;
 * an RSA private key needs all of them ("oth" is refused).  EC and OKP
 * private keys must match their public part.
 */
struct oidc_jwk	*oidc_jwk_parse_json(struct oidc_arena *scratch,
		    const char *buf, size_t len, struct oidc_error *);

/* The same from an already parsed JSON object (borrowed). */
struct oidc_jwk	*oidc_jwk_from_json(struct oidc_arena *scratch,
		    const struct oidc_json *, struct oidc_error *);

/*
 * A copy of k that the caller owns: its private half when `priv` (and k
 * has one), else its public half.  NULL with err set.
 */
struct oidc_jwk	*oidc_jwk_dup(const struct oidc_jwk *, bool priv,
		    struct oidc_arena *scratch, struct oidc_error *);

/*
 * Parse one PEM key (private: PKCS#8, PKCS#1 "RSA PRIVATE KEY", SEC1 "EC
 * PRIVATE KEY"; public: SubjectPublicKeyInfo, PKCS#1 "RSA PUBLIC KEY").
 * Encrypted PEM is refused.  `alg` pins the key (OIDC_JWS_ALG_ANY infers it
 * as described above); `kid` NULL means the thumbprint.
 */
struct oidc_jwk	*oidc_jwk_parse_pem(struct oidc_arena *scratch,
		    const char *buf, size_t len, enum oidc_jws_alg alg,
		    const char *kid, struct oidc_error *);

/*
 * Generate a new private key for `alg`: RSA of `bits` (0 means 2048;
 * 2048..OIDC_JWK_RSA_MAX_BITS), the curve of the ES alg, Ed25519 (EdDSA,
 * Ed25519), Ed448, or an
 * HMAC secret of the hash size (32/48/64 bytes).  The key is pinned to
 * `alg` and its kid is its thumbprint.  NULL with err set on failure.
 */
struct oidc_jwk	*oidc_jwk_generate(enum oidc_jws_alg alg, unsigned bits,
		    struct oidc_error *);

/* Free a key and wipe its secrets.  NULL is a no-op. */
void	oidc_jwk_free(struct oidc_jwk *);

/* Accessors.  Strings are owned by the key. */
const char		*oidc_jwk_kid(const struct oidc_jwk *);
const char		*oidc_jwk_thumbprint(const struct oidc_jwk *);
enum oidc_jwk_kty	 oidc_jwk_kty(const struct oidc_jwk *);
enum oidc_jws_alg	 oidc_jwk_alg(const struct oidc_jwk *);	/* or ANY */
bool			 oidc_jwk_is_private(const struct oidc_jwk *);

/*
 * True if the key may be used with `alg`: the key type and curve fit, the
 * key is pinned to exactly this alg or is unpinned, an RSA modulus has at
 * least OIDC_JWK_RSA_MIN_BITS and an HMAC secret at least the hash size.
 */
bool	oidc_jwk_supports(const struct oidc_jwk *, enum oidc_jws_alg);

/*
 * The public JWK as a new JSON object in `a`: kty, kid, use "sig", alg
 * (when pinned), then the key members.  oct keys have no public form
 * (OIDC_E_INTERNAL).  NULL with err set on failure.
 */
struct oidc_json	*oidc_jwk_public_json(const struct oidc_jwk *,
			    struct oidc_arena *, struct oidc_error *);

/* The private JWK (all members, including secrets) in `a`. */
struct oidc_json	*oidc_jwk_private_json(const struct oidc_jwk *,
			    struct oidc_arena *, struct oidc_error *);

/*
 * PEM text in `a`: the private key as PKCS#8, the public key as
 * SubjectPublicKeyInfo.  Not for oct keys.  NULL with err set.
 */
char	*oidc_jwk_private_pem(const struct oidc_jwk *, struct oidc_arena *,
	    struct oidc_error *);
char	*oidc_jwk_public_pem(const struct oidc_jwk *, struct oidc_arena *,
	    struct oidc_error *);

/*
 * Raw JWS signatures (RFC 7518 3) with one key: the bytes that go into the
 * third segment.  jws.h builds on these; use them directly only for
 * benchmarks and tests.  OIDC_JWS_MAX_SIG bounds every signature.
 */
#define OIDC_JWS_MAX_SIG	(OIDC_JWK_RSA_MAX_BITS / 8)

/* The exact signature length for key and alg (RSA: modulus bytes). */
size_t	oidc_jwk_sig_len(const struct oidc_jwk *, enum oidc_jws_alg);

/*
 * Sign msg[0..len) into sig; *siglen holds the buffer size on entry and
 * the signature length on return.  ECDSA output is R || S (RFC 7518 3.4).
 * Fails (OIDC_E_CONFIG) for a public key or when !oidc_jwk_supports().
 */
OIDC_MUST_CHECK int	oidc_jwk_sign(const struct oidc_jwk *,
			    enum oidc_jws_alg, const void *msg, size_t len,
			    unsigned char *sig, size_t *siglen,
			    struct oidc_error *);

/*
 * 1 valid, 0 invalid (including any signature of the wrong length),
 * -1 internal error or unsupported key/alg pair (err set).  HMAC tags are
 * compared in constant time.
 */
OIDC_MUST_CHECK int	oidc_jwk_verify(const struct oidc_jwk *,
			    enum oidc_jws_alg, const void *msg, size_t len,
			    const unsigned char *sig, size_t siglen,
			    struct oidc_error *);

/*
 * Key sets.  A keyset owns its keys.  kids are unique within a set.
 */
struct oidc_keyset	*oidc_keyset_new(struct oidc_error *);
void			 oidc_keyset_free(struct oidc_keyset *);

/*
 * Add a key; on success the set owns it (free the set, not the key).  On
 * failure (full, duplicate kid: OIDC_E_CONFIG) the caller still owns it.
 */
OIDC_MUST_CHECK int	oidc_keyset_add(struct oidc_keyset *,
			    struct oidc_jwk *, struct oidc_error *);

/*
 * Parse a document holding one PEM key, one JWK or a JWKS ({"keys":[...]})
 * into a new set.  `alg` and `kid` apply to a PEM key only (see
 * oidc_jwk_parse_pem).  A set with no usable key is an error.
 */
struct oidc_keyset	*oidc_keyset_parse(struct oidc_arena *scratch,
			    const char *buf, size_t len,
			    enum oidc_jws_alg alg, const char *kid,
			    struct oidc_error *);

/*
 * As oidc_keyset_parse() for the contents of a file.  A file that cannot be
 * opened or read is OIDC_E_IO with the detail "key file <path>: <strerror>";
 * oidc_keyset_load_as() puts `what` (the config key, "signing_key") in
 * place of "key file", as oidc_secret_file_read() words it.
 */
struct oidc_keyset	*oidc_keyset_load(struct oidc_arena *scratch,
			    const char *path, enum oidc_jws_alg alg,
			    const char *kid, struct oidc_error *);
struct oidc_keyset	*oidc_keyset_load_as(struct oidc_arena *scratch,
			    const char *what, const char *path,
			    enum oidc_jws_alg alg, const char *kid,
			    struct oidc_error *);

size_t			 oidc_keyset_count(const struct oidc_keyset *);
/* The i-th key (borrowed), NULL past the end. */
const struct oidc_jwk	*oidc_keyset_get(const struct oidc_keyset *,
			    size_t i);

/* 1 found (*out borrowed from the set), 0 no key with this kid. */
OIDC_MUST_CHECK int	oidc_keyset_find_kid(const struct oidc_keyset *,
			    const char *kid, size_t len,
			    const struct oidc_jwk **out);

/*
 * The first key that supports `alg` (and holds a private key when
 * `need_private`).  1 found, 0 none.
 */
OIDC_MUST_CHECK int	oidc_keyset_find_alg(const struct oidc_keyset *,
			    enum oidc_jws_alg, bool need_private,
			    const struct oidc_jwk **out);

/* The algorithms the set's keys are pinned to, as a mask. */
unsigned	oidc_keyset_algs(const struct oidc_keyset *);

/*
 * The public JWKS document {"keys":[...]} (RFC 7517 5), oct keys left out,
 * as an arena-owned string.  NULL with err set.
 */
const char	*oidc_keyset_jwks(const struct oidc_keyset *,
		    struct oidc_arena *, size_t *len, struct oidc_error *);

#endif /* OIDC_JWK_H */
