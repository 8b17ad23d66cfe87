/*
 * fuzz_client_metadata.c: client metadata validation (oidc_json_parse,
 * then oidc_client_normalize from common/oidc/client.c).  No database.
 * The fuzzer's buffer is passed as is: no copy, no NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/json.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 4 << 20)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*in, *out = NULL, *again = NULL;
	struct oidc_str		*uris = NULL, s;
	struct oidc_client	 c;
	size_t			 n = 0, i;

	if (oidc_json_parse(fa, (const char *)data, size, 0, &in, &err) == -1)
		goto done;
	oidc_error_clear(&err);
	if (oidc_client_normalize(fa, in, 0, &out, &err) == -1) {
		if (err.code != OIDC_E_INVALID_CLIENT_METADATA &&
		    err.code != OIDC_E_INVALID_REDIRECT_URI &&
		    err.code != OIDC_E_NOMEM)
			abort();
		goto done;
	}
	/* Defaults are filled in and the result is a fixed point. */
	if (oidc_json_get_str(out, "token_endpoint_auth_method", &s, &err)
	    != 1 || oidc_auth_method_parse(s) == OIDC_AUTH__MAX ||
	    oidc_json_get_str(out, "id_token_signed_response_alg", &s, &err)
	    != 1 || oidc_str_eq_cstr(s, "none") ||
	    !oidc_json_has(out, "response_types") ||
	    !oidc_json_has(out, "grant_types"))
		abort();
	if (oidc_client_normalize(fa, out, 0, &again, &err) == -1)
		abort();
	(void)oidc_client_needs_plain_secret(out);
	/* Every registered URI matches itself exactly, and nothing longer. */
	if (oidc_json_get_str_list(out, "redirect_uris", false, fa, &uris, &n,
	    &err) == -1 || n > OIDC_CLIENT_MAX_REDIRECT_URIS)
		abort();
	memset(&c, 0, sizeof(c));
	c.redirect_uris = uris;
	c.n_redirect_uris = n;
	for (i = 0; i < n; i++) {
		if (uris[i].len > OIDC_CLIENT_MAX_URI_LEN ||
		    memchr(uris[i].p, '#', uris[i].len) != NULL ||
		    !oidc_client_redirect_uri_ok(&c, uris[i]))
			abort();
	}
done:
	oidc_arena_reset(fa);
	return 0;
}
