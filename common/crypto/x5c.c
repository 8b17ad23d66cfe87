/*
 * x5c.c: the x5t#S256 of a registered certificate, a JWK's x5c[0]
 * (see oidc/x5t.h).
 */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/x5t.h"

static int
bad_x5c(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, "a jwks x5c "
	    "member must hold base64 DER certificates", "x5c: %s", why);
}

int
oidc_x5c_s256(const char *buf, size_t len, char out[OIDC_X5T_LEN + 1],
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_arena	*a;
	unsigned char		 h[OIDC_SHA256_LEN];
	unsigned char		*der;
	const unsigned char	*p;
	size_t			 n;
	X509			*x;
	int			 rc = -1;

	out[0] = '\0';
	if (len == 0 || len > OIDC_X5C_MAX_INPUT)
		return bad_x5c(err, "length");
	if ((a = oidc_arena_new(16384, 65536)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_b64_decode(a, buf, len, &der, &n, &why) == -1 ||
	    n == 0 || n > LONG_MAX) {
		oidc_error_clear(&why);
		bad_x5c(err, "base64");
		goto out;
	}
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)n)) == NULL ||
	    p != der + n) {
		X509_free(x);
		ERR_clear_error();
		bad_x5c(err, "DER");
		goto out;
	}
	X509_free(x);
	if (oidc_sha256(der, n, h, err) == -1)
		goto out;
	oidc_b64url_encode_to(out, h, sizeof(h));
	rc = 0;
out:
	oidc_arena_free(a);
	return rc;
}
