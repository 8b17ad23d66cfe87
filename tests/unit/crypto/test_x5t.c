/*
 * test_x5t.c: the x5t#S256 of a forwarded client certificate
 * (common/crypto/x5t.c, RFC 8705 3.1).
 *
 * Vector: tests/fuzz/corpus/x5t/pem, whose thumbprint was computed with
 * `openssl x509 -outform DER | openssl dgst -sha256 -binary | basenc
 * --base64url`.  Tests run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/x5t.h"

#include "tap.h"

#define CORPUS	"tests/fuzz/corpus/x5t/"
#define WANT	"rstHKf6aYlfhlcxYy0Aw7C3IZpA8HY8WICutflc4ylU"

static size_t
slurp(const char *path, char *buf, size_t max)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

/* Rejected with invalid_request and an empty output. */
static bool
refused(const char *buf, size_t len)
{
	struct oidc_error	 err = { 0 };
	char			 out[OIDC_X5T_LEN + 1];
	bool			 r;

	r = oidc_x5t_s256(buf, len, out, &err) == -1 &&
	    err.code == OIDC_E_INVALID_REQUEST && out[0] == '\0';
	oidc_error_clear(&err);
	return r;
}

static int
san(const char *buf, size_t len, enum oidc_san kind, const char *want)
{
	struct oidc_error	 err = { 0 };
	int			 rc;

	rc = oidc_x5t_san_match(buf, len, kind, want, strlen(want), &err);
	oidc_error_clear(&err);
	return rc;
}

int
main(void)
{
	static char		 buf[2 * OIDC_X5T_MAX_INPUT];
	struct oidc_error	 err = { 0 };
	char			 out[OIDC_X5T_LEN + 1];
	size_t			 n;

	n = slurp(CORPUS "pem", buf, sizeof(buf));
	ok(n > 0 && oidc_x5t_s256(buf, n, out, &err) == 0 &&
	    strcmp(out, WANT) == 0, "PEM: the SHA-256 of the DER");
	n = slurp(CORPUS "escaped", buf, sizeof(buf));
	ok(n > 0 && strchr(buf, '\n') == NULL &&
	    oidc_x5t_s256(buf, n, out, &err) == 0 &&
	    strcmp(out, WANT) == 0, "URL-encoded PEM (nginx): the same");
	n = slurp(CORPUS "two", buf, sizeof(buf));
	ok(n > 0 && refused(buf, n), "two certificates refused");
	n = slurp(CORPUS "garbage", buf, sizeof(buf));
	ok(n > 0 && refused(buf, n), "a bad certificate refused");
	ok(refused("%4", 2), "a truncated escape refused");
	ok(refused("%zz", 3), "a bad escape refused");
	ok(refused("", 0), "empty refused");
	n = slurp(CORPUS "pem", buf, sizeof(buf));
	ok(refused(buf, n - 20), "a truncated certificate refused");
	memset(buf, ' ', sizeof(buf));
	n = slurp(CORPUS "pem", buf, sizeof(buf));
	ok(refused(buf, OIDC_X5T_MAX_INPUT + 1),
	    "over OIDC_X5T_MAX_INPUT refused");
	ok(oidc_x5t_s256(buf, OIDC_X5T_MAX_INPUT, out, &err) == 0 &&
	    strcmp(out, WANT) == 0, "trailing whitespace up to the limit");
	buf[n + 3] = 'x';
	ok(refused(buf, OIDC_X5T_MAX_INPUT), "trailing data refused");
	memcpy(buf, "%00", 3);
	ok(refused(buf, 3), "an escaped NUL refused");

	/* oidc_x5t_san_match (RFC 8705 2.1.2): corpus/x5t/san. */
	memset(buf, 0, sizeof(buf));
	n = slurp(CORPUS "san", buf, sizeof(buf));
	ok(n > 0 && san(buf, n, OIDC_SAN_DNS, "rp.example") == 1 &&
	    san(buf, n, OIDC_SAN_DNS, "RP.Example") == 1,
	    "san_dns matches, without case");
	ok(san(buf, n, OIDC_SAN_DNS, "rp.example.") == 0 &&
	    san(buf, n, OIDC_SAN_DNS, "p.example") == 0 &&
	    san(buf, n, OIDC_SAN_DNS, "rp@example.com") == 0,
	    "san_dns: another name, a suffix, another kind do not match");
	ok(san(buf, n, OIDC_SAN_EMAIL, "rp@example.com") == 1 &&
	    san(buf, n, OIDC_SAN_EMAIL, "RP@example.com") == 0,
	    "san_email matches exactly");
	ok(san(buf, n, OIDC_SAN_URI, "https://rp.example/id") == 1 &&
	    san(buf, n, OIDC_SAN_URI, "https://rp.example/") == 0,
	    "san_uri matches exactly");
	ok(san(buf, n, OIDC_SAN_IP, "192.0.2.7") == 1 &&
	    san(buf, n, OIDC_SAN_IP, "2001:db8::7") == 1 &&
	    san(buf, n, OIDC_SAN_IP, "192.0.2.8") == 0 &&
	    san(buf, n, OIDC_SAN_IP, "rp.example") == 0,
	    "san_ip matches the address, v4 and v6");
	n = slurp(CORPUS "pem", buf, sizeof(buf));
	ok(san(buf, n, OIDC_SAN_DNS, "rp.example") == 0,
	    "a certificate without subjectAltName: no match");
	ok(san("garbage", 7, OIDC_SAN_DNS, "rp.example") == -1,
	    "not a certificate: -1");

	/* oidc_x5c_s256: a JWK's x5c[0] (RFC 8705 2.2). */
	memset(buf, 0, sizeof(buf));
	n = slurp(CORPUS "x5c-der", buf, sizeof(buf));
	ok(n > 0 && oidc_x5c_s256(buf, n, out, &err) == 0 &&
	    strcmp(out, WANT) == 0, "x5c: the same certificate, the same "
	    "x5t#S256");
	ok(oidc_x5c_s256(buf, n - 4, out, &err) == -1 &&
	    err.code == OIDC_E_INVALID_CLIENT_METADATA && out[0] == '\0',
	    "x5c: a truncated DER refused");
	oidc_error_clear(&err);
	ok(oidc_x5c_s256("AAAA", 4, out, &err) == -1,
	    "x5c: not a certificate refused");
	oidc_error_clear(&err);
	ok(oidc_x5c_s256("*", 1, out, &err) == -1, "x5c: not base64 refused");
	oidc_error_clear(&err);
	ok(oidc_x5c_s256("", 0, out, &err) == -1, "x5c: empty refused");
	oidc_error_clear(&err);
	memset(buf, 'A', sizeof(buf));
	ok(oidc_x5c_s256(buf, OIDC_X5C_MAX_INPUT + 4, out, &err) == -1,
	    "x5c: over OIDC_X5C_MAX_INPUT refused");
	oidc_error_clear(&err);
	return done_testing();
}
