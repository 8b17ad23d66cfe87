/*
 * jwk_int.h: what jwk.c (keys), jwk_sign.c (raw JWS signatures) and
 * jwk_set.c (key sets) share; not part of the library's interface.
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

/* RSASSA-PSS (PS256/384/512)? */
bool	oidc_jwk_is_ps(enum oidc_jws_alg);

/*
 * Parse one JWK object.  1 with *out set; 0 when the key is of a kind we
 * do not support (*why says which; err untouched, so a JWKS can skip it);
 * -1 malformed or internal error (err set).  (jwk.c)
 */
int	oidc_jwk_from_json_why(struct oidc_arena *, const struct oidc_json *,
	    struct oidc_jwk **out, const char **why, struct oidc_error *);

/* Start a DigestSign/DigestVerify operation for key and alg. (jwk_sign.c) */
int	oidc_jwk_sig_init_fresh(const struct oidc_jwk *, enum oidc_jws_alg,
	    bool sign, EVP_MD_CTX *, struct oidc_error *);

#endif /* OIDC_JWK_INT_H */
