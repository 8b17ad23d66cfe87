/*
 * b64url.h: base64url without padding (RFC 4648 section 5, RFC 7515 2) and
 * strict standard base64 (RFC 4648 section 4, for HTTP Basic).
 *
 * Decoding is strict: only the alphabet, no padding (base64url) or exact
 * padding (base64), no whitespace, and the unused bits of the last quantum
 * must be zero, so every value has exactly one encoding.  Limits: input of
 * at most OIDC_B64_MAX_LEN bytes.
 */
#ifndef OIDC_B64URL_H
#define OIDC_B64URL_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_B64_MAX_LEN	(1024 * 1024)

struct oidc_arena;

/* Length of the unpadded base64url encoding of n bytes. */
size_t	oidc_b64url_encoded_len(size_t n);

/* Encode into an arena-owned NUL-terminated string; NULL when out of memory. */
char	*oidc_b64url_encode(struct oidc_arena *, const void *, size_t);

/*
 * Encode into dst, which must hold oidc_b64url_encoded_len(n) + 1 bytes.
 * Returns the length written (without the NUL).
 */
size_t	oidc_b64url_encode_to(char *dst, const void *, size_t n);

/*
 * Decode; *out is arena-owned, with a NUL after the *outlen bytes for
 * convenience.  OIDC_E_INVALID_REQUEST on bad input, OIDC_E_LIMIT on size.
 */
OIDC_MUST_CHECK int	oidc_b64url_decode(struct oidc_arena *, const char *,
			    size_t, unsigned char **out, size_t *outlen,
			    struct oidc_error *);

/* Strict standard base64 with '=' padding (RFC 4648 section 4). */
OIDC_MUST_CHECK int	oidc_b64_decode(struct oidc_arena *, const char *,
			    size_t, unsigned char **out, size_t *outlen,
			    struct oidc_error *);

#endif /* OIDC_B64URL_H */
