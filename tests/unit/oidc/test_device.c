/*
 * test_device.c: the user codes of the Device Authorization Grant
 * (common/oidc/device.c, oidc/device.h; RFC 8628 6.1).
 */
#include <string.h>

#include "oidc/device.h"

#include "tap.h"

struct norm_case {
	const char	*in;
	const char	*want;	/* NULL: refused */
};

static const struct norm_case ncases[] = {
	{ "BCDF-GHJK", "BCDFGHJK" },
	{ "bcdf-ghjk", "BCDFGHJK" },
	{ "BcDf GhJk", "BCDFGHJK" },
	{ "  bcdfghjk  ", "BCDFGHJK" },
	{ "b-c-d-f-g-h-j-k", "BCDFGHJK" },
	{ "\tBCDF\tGHJK\t", "BCDFGHJK" },
	{ "ZXWV-TSRQ", "ZXWVTSRQ" },
	{ "", NULL },
	{ "----", NULL },
	{ "BCDF-GHJ", NULL },		/* 7 letters */
	{ "BCDF-GHJKL", NULL },		/* 9 letters */
	{ "BCDA-GHJK", NULL },		/* a vowel */
	{ "BCDE-GHJK", NULL },
	{ "BCDY-GHJK", NULL },		/* Y is not in the alphabet */
	{ "BCD1-GHJK", NULL },		/* digits neither */
	{ "BCDF_GHJK", NULL },
	{ "BCDF.GHJK", NULL },
	{ "BCDF\nGHJK", NULL },
	{ "BCDF-GHJ\xc3\x9f", NULL },
};

static void
test_norm(void)
{
	char	 out[OIDC_DEVICE_USER_CODE_LEN + 1];
	char	 big[OIDC_DEVICE_USER_CODE_MAX_INPUT + 2];
	size_t	 i;
	int	 rc;

	for (i = 0; i < OIDC_NELEM(ncases); i++) {
		rc = oidc_device_user_code_norm(ncases[i].in,
		    strlen(ncases[i].in), out);
		if (ncases[i].want == NULL)
			ok(rc == -1 && out[0] == '\0', "refused: \"%s\"",
			    ncases[i].in);
		else
			ok(rc == 0 && strcmp(out, ncases[i].want) == 0,
			    "\"%s\" -> %s (%s)", ncases[i].in, ncases[i].want,
			    out);
	}
	/* len is the limit: bytes after it are never read. */
	ok(oidc_device_user_code_norm("BCDFGHJKXX", 8, out) == 0 &&
	    strcmp(out, "BCDFGHJK") == 0, "reads only len bytes");
	ok(oidc_device_user_code_norm("BCDF\0GHJK", 9, out) == -1,
	    "a NUL inside is refused");
	ok(oidc_device_user_code_norm(NULL, 0, out) == -1, "NULL refused");
	/* Padding up to the input limit is fine, one byte more is not. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "BCDFGHJK", 8);
	ok(oidc_device_user_code_norm(big, OIDC_DEVICE_USER_CODE_MAX_INPUT,
	    out) == 0, "input of OIDC_DEVICE_USER_CODE_MAX_INPUT bytes");
	ok(oidc_device_user_code_norm(big, OIDC_DEVICE_USER_CODE_MAX_INPUT + 1,
	    out) == -1, "input over OIDC_DEVICE_USER_CODE_MAX_INPUT refused");
}

static void
test_new(void)
{
	struct oidc_error	 err = { 0 };
	char			 c[OIDC_DEVICE_USER_CODE_LEN + 1];
	char			 again[OIDC_DEVICE_USER_CODE_LEN + 1];
	unsigned		 seen[26];
	size_t			 i, k, bad = 0, used = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2000; i++) {
		if (oidc_device_user_code_new(c, &err) == -1 ||
		    strlen(c) != OIDC_DEVICE_USER_CODE_LEN ||
		    oidc_device_user_code_norm(c, strlen(c), again) == -1 ||
		    strcmp(c, again) != 0) {
			bad++;
			continue;
		}
		for (k = 0; k < OIDC_DEVICE_USER_CODE_LEN; k++)
			seen[c[k] - 'A']++;
	}
	ok(bad == 0, "2000 new codes: 8 letters each, all normalise to "
	    "themselves");
	for (k = 0; k < 26; k++)
		if (seen[k] != 0)
			used++;
	ok(used == 20, "every letter of the alphabet occurs, nothing else "
	    "(%zu letters)", used);
	ok(seen['A' - 'A'] == 0 && seen['E' - 'A'] == 0 && seen['I' - 'A'] ==
	    0 && seen['O' - 'A'] == 0 && seen['U' - 'A'] == 0 &&
	    seen['Y' - 'A'] == 0, "no vowels");
}

int
main(void)
{
	test_norm();
	test_new();
	return done_testing();
}
