/*
 * test_par.c: the pushed request_uri (common/oidc/par.c, oidc/par.h):
 * only OIDC_PAR_URN followed by exactly 43 base64url characters is one of
 * ours; anything else is invalid_request_uri.  No database.
 */
#include <string.h>

#include "oidc/error.h"
#include "oidc/par.h"

#include "tap.h"

#define URN	"urn:ietf:params:oauth:request_uri:"
#define REF	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Q"

static const struct {
	const char	*test;
	const char	*in;
	bool		 urn;
	bool		 good;
} cases[] = {
	{ "URN and 43 base64url characters", URN REF, true, true },
	{ "no reference", URN, true, false },
	{ "reference one short", URN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_",
	    true, false },
	{ "reference one long", URN REF "x", true, false },
	{ "padding '='", URN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_=",
	    true, false },
	{ "'+' (base64, not base64url)",
	    URN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123+_Q", true, false },
	{ "percent-encoded byte",
	    URN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ01%2d_Q", true, false },
	{ "upper-case URN prefix", "URN:ietf:params:oauth:request_uri:" REF,
	    false, false },
	{ "another URN namespace", "urn:ietf:params:oauth:token:" REF, false,
	    false },
	{ "an https request_uri (OIDC Core 6.2)",
	    "https://rp.example/request.jwt", false, false },
	{ "empty", "", false, false },
};

static const char nul[] = URN "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJ0123-_\0";

int
main(void)
{
	struct oidc_error	 err;
	struct oidc_str		 ref;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].in);
		oidc_error_clear(&err);
		ref = OIDC_STR_NULL;
		ok(oidc_par_is_urn(cases[i].in, len) == cases[i].urn,
		    "%s: is_urn", cases[i].test);
		rc = oidc_par_uri_parse(cases[i].in, len, &ref, &err);
		is_int(rc, cases[i].good ? 0 : -1, cases[i].test);
		if (cases[i].good)
			ok(ref.p == cases[i].in + strlen(URN) &&
			    ref.len == OIDC_PAR_REF_LEN,
			    "%s: the reference inside the input",
			    cases[i].test);
		else
			ok(err.code == OIDC_E_INVALID_REQUEST_URI &&
			    ref.p == NULL, "%s: invalid_request_uri",
			    cases[i].test);
	}
	ok(!oidc_par_is_urn(NULL, 0), "NULL is not a URN");
	/* A NUL inside is refused, not read as the end. */
	oidc_error_clear(&err);
	ok(oidc_par_uri_parse(nul, sizeof(nul) - 1, &ref, &err) == -1,
	    "a NUL byte in the reference is refused");
	return done_testing();
}
