/*
 * jwk_int.h: what jwk.c (keys), jwk_json.c (JWK JSON), jwk_pem.c (PEM),
 * jwk_sign.c (raw JWS signatures) and jwk_set.c (key sets) share; not
 * part of the library's interface.
 */
#ifndef OIDC_JWK_INT_H
#define OIDC_JWK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "oidc/jwk.h"

/* Hash index for md[] and mac[]: SHA-256, SHA-384, SHA-512. */
enum hash_ix { H256 = 0, H384, H512, H__MAX };

struct oidc_jwk {
	enum oidc_jwk_kty	 kty;
	enum oidc_jws_alg	 alg;		/* pinned, or OIDC_JWS_ALG_ANY */
	bool			 priv;
	EVP_PKEY		*pkey;		/* RSA, EC, OKP */
	EVP_MD			*md[H__MAX];	/* fetched once */
	unsigned char		*k;		/* oct secret */
	size_t			 klen;
	EVP_MAC_CTX		*mac[H__MAX];	/* keyed HMAC, reinit per use */
	EVP_MD_CTX		*tmpl[2][OIDC_JWS__MAX]; /* [sign] ready ctxs */
	int			 bits;		/* RSA modulus */
	size_t			 sig_len;	/* RSA: modulus bytes */
	size_t			 coord;		/* EC coordinate, OKP key bytes */
	const char		*crv;		/* static: "P-256", "Ed25519" */
	char			*pub[2];	/* b64url n,e | x,y | x */
	char			*kid;
	char			 thumb[44];	/* 43 chars + NUL */
};

struct oidc_keyset {
	struct oidc_jwk	*keys[OIDC_KEYSET_MAX_KEYS];
	size_t		 n;
};

#define ED25519_LEN	32		/* RFC 8032 5.1.5: key bytes */
#define ED448_LEN	57		/* RFC 8032 5.2.5 */
#define OKP_MAX_LEN	ED448_LEN	/* the larger of the two */

/* Per alg: name, key type, hash index and hash length. */
struct oidc_jwk_alg {
	const char		*name;
	enum oidc_jwk_kty	 kty;
	enum hash_ix		 h;
	size_t			 hlen;
};

extern const struct oidc_jwk_alg oidc_jwk_algs[OIDC_JWS__MAX];

/* An EC curve of RFC 7518 6.2.1.1, bound to its one ES alg. */
struct oidc_jwk_ec_curve {
	const char		*crv;		/* JWK name */
	const char		*group;		/* OpenSSL group name */
	size_t			 coord;
	enum oidc_jws_alg	 alg;
};

/*
 * An EdDSA curve of RFC 8037 2.  `fixed` is the alg a key of the curve is
 * pinned to when it names none, OIDC_JWS_ALG_ANY when it may serve
 * several names (Ed25519: "EdDSA" and "Ed25519", RFC 9864 2.2).
 */
struct oidc_jwk_okp_curve {
	const char		*crv;		/* JWK name */
	const char		*type;		/* OpenSSL key type */
	size_t			 len;		/* public, private key bytes */
	enum oidc_jws_alg	 fixed;
};

/* RSASSA-PSS (PS256/384/512)? */
bool	oidc_jwk_is_ps(enum oidc_jws_alg);

/* The curve of a JWK "crv" name, or NULL when it is none of ours. (jwk.c) */
const struct oidc_jwk_ec_curve	*oidc_jwk_ec_curve(struct oidc_str);
const struct oidc_jwk_okp_curve	*oidc_jwk_okp_curve(struct oidc_str);

/* Is pkey an EdDSA key of one of our curves? (jwk.c) */
bool	oidc_jwk_pkey_is_okp(const EVP_PKEY *);

/*
 * The base64url of a BIGNUM parameter of pkey (minimal big-endian, or
 * left-padded to pad bytes when pad > 0), in the arena, or malloc'd when
 * the arena is NULL; NULL on error.  (jwk.c)
 */
char	*oidc_jwk_param_b64(struct oidc_arena *, const EVP_PKEY *,
	    const char *name, size_t pad);

/*
 * Finish a key: classify an EVP_PKEY, check it against the (optional)
 * pinned alg, cache the public members, fetch digests, and compute the
 * thumbprint; the key takes ownership of pkey whatever the outcome.  Or
 * set up an oct key: copy the secret and key one HMAC context per hash.
 * 0, or -1 with err set.  (jwk.c)
 */
int	oidc_jwk_finish_asym(struct oidc_jwk *, EVP_PKEY *, enum oidc_jws_alg,
	    bool priv, struct oidc_arena *, struct oidc_error *);
int	oidc_jwk_finish_oct(struct oidc_jwk *, const unsigned char *k,
	    size_t klen, enum oidc_jws_alg, struct oidc_arena *,
	    struct oidc_error *);

/* Set the kid: the given one (validated) or, when NULL, the thumbprint. */
int	oidc_jwk_set_kid(struct oidc_jwk *, const char *kid, size_t len,
	    struct oidc_error *);

/*
 * Parse one JWK object.  1 with *out set; 0 when the key is of a kind we
 * do not support (*why says which; err untouched, so a JWKS can skip it);
 * -1 malformed or internal error (err set).  (jwk_json.c)
 */
int	oidc_jwk_from_json_why(struct oidc_arena *, const struct oidc_json *,
	    struct oidc_jwk **out, const char **why, struct oidc_error *);

/* Start a DigestSign/DigestVerify operation for key and alg. (jwk_sign.c) */
int	oidc_jwk_sig_init_fresh(const struct oidc_jwk *, enum oidc_jws_alg,
	    bool sign, EVP_MD_CTX *, struct oidc_error *);

#endif /* OIDC_JWK_INT_H */
