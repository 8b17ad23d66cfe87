/*
 * fuzz_device_user_code.c: user code normalisation (common/oidc/device.c,
 * oidc_device_user_code_norm).  The fuzzer's buffer is passed as is: no
 * copy, no NUL, so ASan catches any read past len.  An accepted input
 * gives exactly OIDC_DEVICE_USER_CODE_LEN letters of the alphabet, and
 * normalising the result again gives the same; shown as XXXX-XXXX it
 * normalises to itself too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/device.h"

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
	char	 out[OIDC_DEVICE_USER_CODE_LEN + 1];
	char	 again[OIDC_DEVICE_USER_CODE_LEN + 1];
	char	 shown[OIDC_DEVICE_USER_CODE_LEN + 2];
	size_t	 i;

	if (oidc_device_user_code_norm((const char *)data, size, out) == -1) {
		if (out[0] != '\0')
			abort();
		return 0;
	}
	if (size > OIDC_DEVICE_USER_CODE_MAX_INPUT ||
	    strlen(out) != OIDC_DEVICE_USER_CODE_LEN)
		abort();
	for (i = 0; i < OIDC_DEVICE_USER_CODE_LEN; i++)
		if (strchr("BCDFGHJKLMNPQRSTVWXZ", out[i]) == NULL ||
		    out[i] == '\0')
			abort();
	if (oidc_device_user_code_norm(out, strlen(out), again) == -1 ||
	    strcmp(out, again) != 0)
		abort();
	memcpy(shown, out, 4);
	shown[4] = '-';
	memcpy(shown + 5, out + 4, 4);
	if (oidc_device_user_code_norm(shown, sizeof(shown) - 1, again) == -1 ||
	    strcmp(out, again) != 0)
		abort();
	return 0;
}
