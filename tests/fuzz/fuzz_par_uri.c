/*
 * fuzz_par_uri.c: the pushed request_uri parser (common/oidc/par.c,
 * oidc_par_uri_parse and oidc_par_is_urn).  The fuzzer's buffer is passed
 * as is: no copy, no NUL, so ASan catches any read past len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/par.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define URN_LEN	(sizeof(OIDC_PAR_URN) - 1)

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
	struct oidc_error	 err = { 0 };
	struct oidc_str		 ref = OIDC_STR_NULL;
	const char		*buf = (const char *)data;
	bool			 urn = oidc_par_is_urn(buf, size);
	size_t			 i;
	char			 c;

	if (urn != (size >= URN_LEN && memcmp(buf, OIDC_PAR_URN,
	    URN_LEN) == 0))
		abort();
	if (oidc_par_uri_parse(buf, size, &ref, &err) == 0) {
		/* The rules, restated: the URN, then 43 base64url bytes. */
		if (!urn || size != URN_LEN + OIDC_PAR_REF_LEN ||
		    ref.p != buf + URN_LEN || ref.len != OIDC_PAR_REF_LEN)
			abort();
		for (i = 0; i < ref.len; i++) {
			c = ref.p[i];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_'))
				abort();
		}
	} else if (err.code != OIDC_E_INVALID_REQUEST_URI || ref.p != NULL)
		abort();
	return 0;
}
