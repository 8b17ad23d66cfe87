/*
 * crypto.h: randomness, digests, constant-time helpers and password hashing.
 *
 * Codes, tokens and session ids are OIDC_TOKEN_BYTES (256 bits) from the
 * OpenSSL CSPRNG, base64url-encoded; only their SHA-256 is ever stored.
 * Passwords are hashed with scrypt (memory-hard) and a per-user 16-byte salt
 * in the self-describing form "$scrypt$ln=15,r=8,p=1$<salt>$<hash>"
 * (base64url), so the cost can be raised later without breaking old hashes.
 */
#ifndef OIDC_CRYPTO_H
#define OIDC_CRYPTO_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_TOKEN_BYTES	32
#define OIDC_SHA256_LEN		32
#define OIDC_SHA1_LEN		20
#define OIDC_PASSWORD_MAX_LEN	1024
#define OIDC_SCRYPT_LN_DEFAULT	15

struct oidc_arena;

/* Fill buf from the CSPRNG.  0 or -1 (OIDC_E_CRYPTO). */
OIDC_MUST_CHECK int	oidc_random_bytes(void *, size_t, struct oidc_error *);

/* A fresh base64url token of `nbytes` random bytes (arena-owned). */
char	*oidc_random_token(struct oidc_arena *, size_t nbytes,
	    struct oidc_error *);

/*
 * oidc_random_token and its SHA-256 into hash[OIDC_SHA256_LEN]: the value
 * is what the client gets, the hash what is stored.  NULL with err set.
 */
char	*oidc_random_token_hashed(struct oidc_arena *, size_t nbytes,
	    unsigned char hash[OIDC_SHA256_LEN], struct oidc_error *);

/* SHA-256 of the bytes into out[OIDC_SHA256_LEN].  0 or -1. */
OIDC_MUST_CHECK int	oidc_sha256(const void *, size_t,
			    unsigned char out[OIDC_SHA256_LEN],
			    struct oidc_error *);

/*
 * HMAC-SHA1 (RFC 2104) of msg under key into out[OIDC_SHA1_LEN]: the
 * primitive of HOTP/TOTP (RFC 4226, RFC 6238, oidc/totp.h) only; SHA-1
 * is not used for anything else.  0 or -1 (OIDC_E_CRYPTO).
 */
OIDC_MUST_CHECK int	oidc_hmac_sha1(const void *key, size_t keylen,
			    const void *msg, size_t msglen,
			    unsigned char out[OIDC_SHA1_LEN],
			    struct oidc_error *);

/*
 * Hash a password with scrypt at cost 2^ln into an arena-owned encoded
 * string.  ln 0 means OIDC_SCRYPT_LN_DEFAULT.
 */
char	*oidc_password_hash(struct oidc_arena *, const char *, size_t,
	    unsigned ln, struct oidc_error *);

/*
 * Check a password against an encoded hash in constant time: 1 match,
 * 0 mismatch, -1 malformed hash or error.  With encoded == NULL it burns the
 * same time as a real check against a default-cost hash and returns 0, so
 * an unknown user costs as much as a wrong password.
 */
OIDC_MUST_CHECK int	oidc_password_verify(const char *, size_t,
			    const char *encoded, struct oidc_error *);

/* Drain OpenSSL's error queue into err (bounded) and clear it. */
int	oidc_fail_openssl_at(struct oidc_error *, const char *what,
	    const char *file, int line);
#define oidc_fail_openssl(err, what) \
	oidc_fail_openssl_at((err), (what), __FILE__, __LINE__)

/* Wipe memory so the compiler cannot elide it. */
void	oidc_wipe(void *, size_t);

/*
 * Load what OpenSSL would otherwise read from files on first use (its
 * configuration, openssl.cnf) and fetch the digests and the random
 * generator the requests use, so that a worker whose sandbox refuses
 * every open (sandbox.h) needs no file later.  Called once by app.c
 * before the sandbox.  -1 with err set when OpenSSL fails.
 */
OIDC_MUST_CHECK int	oidc_crypto_preload(struct oidc_error *);

#endif /* OIDC_CRYPTO_H */
