/*
 * fuzz_totp_code.c: the second-factor entry parser (common/oidc/totp.c,
 * oidc_totp_parse).  The fuzzer's buffer is passed as is: no copy, no
 * NUL, so ASan catches any read past len.  An accepted input gives a code
 * of OIDC_TOTP_DIGITS digits or a recovery code of OIDC_TOTP_RECOVERY_LEN
 * lower-case base32 letters, and parsing the result again gives the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/totp.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_totp_input	 in, again;
	size_t			 i, n;

	if (oidc_totp_parse((const char *)data, size, &in) == -1) {
		if (in.v[0] != '\0')
			abort();
		return 0;
	}
	if (size > OIDC_TOTP_INPUT_MAX)
		abort();
	n = strlen(in.v);
	if (in.kind == OIDC_TOTP_CODE ? n != OIDC_TOTP_DIGITS :
	    n != OIDC_TOTP_RECOVERY_LEN)
		abort();
	for (i = 0; i < n; i++)
		if (in.kind == OIDC_TOTP_CODE ? in.v[i] < '0' || in.v[i] > '9' :
		    strchr("abcdefghijklmnopqrstuvwxyz234567", in.v[i]) ==
		    NULL || in.v[i] == '\0')
			abort();
	if (oidc_totp_parse(in.v, n, &again) == -1 || again.kind != in.kind ||
	    strcmp(in.v, again.v) != 0)
		abort();
	return 0;
}
