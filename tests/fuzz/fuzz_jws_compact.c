/*
 * fuzz_jws_compact.c: the JWS compact parser and verifier
 * (oidc_jws_verify, then oidc_json_parse + oidc_jwt_check_claims on a
 * verified payload) against a fixed keyset: the RFC 7520 3.5 HMAC key
 * (kid 018c0ae5-...), the RFC 7515 A.3 P-256 public key (no kid) and the
 * Ed25519 and Ed448 keys of tests/vectors/jose/rfc9864_* (no kid).  The
 * corpus holds the RFC 7520 4.4 token and the rfc9864_* tokens, whose
 * signatures verify (success path).
 */
#include <stdint.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char jwks[] =
    "{\"keys\":["
    "{\"kty\":\"oct\",\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\","
    "\"use\":\"sig\",\"alg\":\"HS256\","
    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"},"
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
    /* RFC 9864 seeds: RFC 8037 A.1 (Ed25519), RFC 8032 7.4 (Ed448). */
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
    "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"X9dEm1m0Yf0s54fsYWrUah2hNCS"
    "Fpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA\"}]}";

static struct oidc_arena	*fa;
static struct oidc_keyset	*fks;
static size_t			 valid;	/* keeps the result live */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oidc_error	 err = { 0 };

	(void)argc;
	(void)argv;
	fa = oidc_arena_new(4096, 1 << 20);
	fks = oidc_keyset_parse(fa, jwks, sizeof(jwks) - 1, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	oidc_arena_reset(fa);
	return fa == NULL || fks == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_jwt_rules	 rules = {
		.now = 1300819380, .leeway = 60, .iss = "joe", .aud = "rp",
	};
	struct oidc_error	 err = { 0 };
	struct oidc_jws		 jws;
	struct oidc_json	*claims;

	if (oidc_jws_verify(fa, fks, OIDC_JWS_ALL, (const char *)data, size,
	    &jws, &err) == 0) {
		memset(&err, 0, sizeof(err));
		if (oidc_json_parse(fa, (const char *)jws.payload,
		    jws.payload_len, 0, &claims, &err) == 0 &&
		    oidc_jwt_check_claims(claims, &rules, &err) == 0)
			valid++;
	}
	oidc_arena_reset(fa);
	return 0;
}
