/*
 * fuzz_x5t.c: the forwarded client certificate (common/crypto/x5t.c):
 * PEM or URL-encoded PEM in, x5t#S256 out.  Success always gives 43
 * base64url characters; failure leaves "".  The same bytes go to
 * oidc_x5c_s256 (common/crypto/x5c.c: a registered x5c[0], base64 DER)
 * and oidc_x5t_san_match (each subjectAltName kind).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/x5t.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_out(int rc, const char *out)
{
	size_t	 i;

	if (rc == 0) {
		if (strlen(out) != OIDC_X5T_LEN)
			abort();
		for (i = 0; i < OIDC_X5T_LEN; i++)
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789-_", out[i]) == NULL)
				abort();
	} else if (out[0] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	static const char *const want[] = { "rp.example",
	    "https://rp.example/id", "192.0.2.7", "rp@example.com" };
	char			 out[OIDC_X5T_LEN + 1];
	int			 k, rc;

	check_out(oidc_x5t_s256((const char *)data, size, out, &err), out);
	oidc_error_clear(&err);
	check_out(oidc_x5c_s256((const char *)data, size, out, &err), out);
	oidc_error_clear(&err);
	for (k = OIDC_SAN_DNS; k <= OIDC_SAN_EMAIL; k++) {
		rc = oidc_x5t_san_match((const char *)data, size,
		    (enum oidc_san)k, want[k], strlen(want[k]), &err);
		if (rc < -1 || rc > 1)
			abort();
		oidc_error_clear(&err);
	}
	return 0;
}
