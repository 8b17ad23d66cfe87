/*
 * test_fapi.c: the FAPI 2.0 Security Profile switch (common/oidc/fapi.c,
 * oidc/fapi.h): client metadata under the profile, the algorithms, the
 * code lifetime, the token endpoint's DPoP rule and the client
 * authentication rule.  Each refusal names the FAPI 2.0 requirement.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/dpop.h"
#include "oidc/fapi.h"
#include "oidc/json.h"

#include "tap.h"

#define RU	"\"redirect_uris\":[\"https://rp.example/cb\"]"
#define PKJ	"\"token_endpoint_auth_method\":\"private_key_jwt\""
#define FAPI	"\"profile\":\"fapi2\""
#define OP	"https://op.example"
#define S_META	"{" RU "," PKJ "," FAPI "}"

struct meta_case {
	const char	*test;
	const char	*json;
	unsigned	 flags;
	int		 rc;
};

static const struct meta_case cases[] = {
	{ "fapi2 conforming", "{" RU "," PKJ "," FAPI "}", 0, 0 },
	{ "default profile: anything goes", "{" RU ",\"profile\":\"default\""
	    "}", 0, 0 },
	{ "no profile: anything goes", "{" RU "}", 0, 0 },
	{ "profile unknown", "{" RU ",\"profile\":\"fapi1\"}", 0, -1 },
	{ "profile not a string", "{" RU ",\"profile\":true}", 0, -1 },
	{ "fapi2 client_secret_basic (5.3.2.1: private_key_jwt or mTLS)",
	    "{" RU "," FAPI "}", 0, -1 },
	{ "fapi2 client_secret_jwt", "{" RU "," FAPI ",\"token_endpoint_"
	    "auth_method\":\"client_secret_jwt\"}", 0, -1 },
	{ "fapi2 public client", "{" RU "," FAPI ",\"token_endpoint_auth_"
	    "method\":\"none\"}", 0, -1 },
	{ "fapi2 hybrid response type (5.3.2.2: code only)", "{" RU "," PKJ
	    "," FAPI ",\"response_types\":[\"code\",\"code id_token\"],"
	    "\"grant_types\":[\"authorization_code\",\"implicit\"]}", 0, -1 },
	{ "fapi2 implicit grant", "{" RU "," PKJ "," FAPI ",\"grant_types\":"
	    "[\"authorization_code\",\"implicit\"]}", 0, -1 },
	{ "fapi2 RS256 ID Tokens (5.4.1)", "{" RU "," PKJ "," FAPI ",\"id_"
	    "token_signed_response_alg\":\"RS256\"}", 0, -1 },
	{ "fapi2 ES256 ID Tokens", "{" RU "," PKJ "," FAPI ",\"id_"
	    "token_signed_response_alg\":\"ES256\"}", 0, 0 },
	{ "fapi2 EdDSA ID Tokens", "{" RU "," PKJ "," FAPI ",\"id_"
	    "token_signed_response_alg\":\"EdDSA\"}", 0, 0 },
	{ "fapi2 HS256 userinfo", "{" RU "," PKJ "," FAPI ",\"userinfo_"
	    "signed_response_alg\":\"HS256\"}", 0, -1 },
	{ "fapi2 request objects none", "{" RU "," PKJ "," FAPI ",\"request_"
	    "object_signing_alg\":\"none\"}", 0, -1 },
	{ "fapi2 JARM RS256", "{" RU "," PKJ "," FAPI ",\"authorization_"
	    "signed_response_alg\":\"RS256\"}", 0, -1 },
	{ "provider-wide: client_secret_basic refused", "{" RU "}",
	    OIDC_CLIENT_FAPI2, -1 },
	{ "provider-wide: conforming", "{" RU "," PKJ "}", OIDC_CLIENT_FAPI2,
	    0 },
	{ "provider-wide: \"default\" does not opt out", "{" RU ",\"profile\":"
	    "\"default\"}", OIDC_CLIENT_FAPI2, -1 },
};

static void
test_meta(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_json	*in, *out;
	struct oidc_str		 alg;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		memset(&err, 0, sizeof(err));
		if (oidc_json_parse(a, cases[i].json, strlen(cases[i].json), 0,
		    &in, &err) == -1) {
			ok(0, "%s: parse", cases[i].test);
			continue;
		}
		rc = oidc_client_normalize(a, in, cases[i].flags |
		    OIDC_CLIENT_FAPI2_READY, &out, &err);
		ok(rc == cases[i].rc && (rc == 0 ||
		    err.code == OIDC_E_INVALID_CLIENT_METADATA), "%s",
		    cases[i].test);
	}
	memset(&err, 0, sizeof(err));
	ok(oidc_json_parse(a, S_META, strlen(S_META), 0, &in, &err) == 0 &&
	    oidc_client_normalize(a, in, OIDC_CLIENT_FAPI2_READY, &out,
	    &err) == 0 &&
	    oidc_json_get_str(out, "id_token_signed_response_alg", &alg,
	    &err) == 1 && oidc_str_eq_cstr(alg, "PS256"),
	    "fapi2 without id_token_signed_response_alg: PS256, not RS256");
}

/* A client cannot opt in on a provider without PAR and DPoP. */
static void
test_not_ready(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*in, *out;

	ok(oidc_json_parse(a, S_META, strlen(S_META), 0, &in, &err) == 0 &&
	    oidc_client_normalize(a, in, 0, &out, &err) == -1 &&
	    err.code == OIDC_E_INVALID_CLIENT_METADATA,
	    "fapi2 client on a provider without par and dpop: refused");
}

static void
test_rules(void)
{
	struct oidc_config	 cfg;
	struct oidc_client	 c;
	struct oidc_dpop_proof	 p;
	struct oidc_error	 err;

	memset(&cfg, 0, sizeof(cfg));
	memset(&c, 0, sizeof(c));
	cfg.code_ttl = 600;
	ok(!oidc_fapi2(&cfg, &c) && !oidc_fapi2(&cfg, NULL),
	    "no profile: off");
	ok(oidc_fapi2_code_ttl(&cfg, &c) == 600, "no profile: code_ttl");
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_token_check(&cfg, &c, NULL, false, &err) == 0,
	    "no profile: Bearer token requests");
	c.auth_method = OIDC_AUTH_SECRET_BASIC;
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == 0,
	    "no profile: client_secret_basic");

	cfg.profile = OIDC_PROFILE_FAPI2;
	ok(oidc_fapi2(&cfg, &c) && oidc_fapi2(&cfg, NULL),
	    "profile = fapi2: every client");
	ok(oidc_fapi2_code_ttl(&cfg, &c) == OIDC_FAPI2_CODE_TTL,
	    "code lifetime at most 60 s (5.3.2.1)");
	cfg.code_ttl = 30;
	ok(oidc_fapi2_code_ttl(&cfg, &c) == 30, "a shorter code_ttl stays");
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == -1 &&
	    err.code == OIDC_E_INVALID_CLIENT,
	    "client_secret_basic: invalid_client");
	c.auth_method = OIDC_AUTH_PRIVATE_KEY_JWT;
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == 0,
	    "private_key_jwt accepted");
	c.auth_method = OIDC_AUTH_TLS_CLIENT;
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == 0,
	    "tls_client_auth accepted (RFC 8705 2)");
	c.auth_method = OIDC_AUTH_SELF_SIGNED_TLS;
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == 0,
	    "self_signed_tls_client_auth accepted");
	c.auth_method = OIDC_AUTH_SECRET_POST;
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_client_auth_check(&cfg, &c, &err) == -1 &&
	    err.code == OIDC_E_INVALID_CLIENT,
	    "client_secret_post: invalid_client");
	c.auth_method = OIDC_AUTH_PRIVATE_KEY_JWT;
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_token_check(&cfg, &c, NULL, false, &err) == -1 &&
	    err.code == OIDC_E_INVALID_DPOP_PROOF,
	    "token request without DPoP: invalid_dpop_proof");
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_token_check(&cfg, &c, NULL, true, &err) == 0,
	    "certificate-bound token request (RFC 8705) accepted");
	memset(&p, 0, sizeof(p));
	p.alg = OIDC_JWS_RS256;
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_token_check(&cfg, &c, &p, false, &err) == -1 &&
	    err.code == OIDC_E_INVALID_DPOP_PROOF,
	    "RS256 DPoP proof: invalid_dpop_proof (5.4.1)");
	p.alg = OIDC_JWS_ES256;
	memset(&err, 0, sizeof(err));
	ok(oidc_fapi2_token_check(&cfg, &c, &p, false, &err) == 0,
	    "ES256 DPoP proof accepted");
	{
		struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);
		struct oidc_json	*j;
		const char		*iss = "{\"aud\":\"" OP "\"}";
		const char		*ep = "{\"aud\":\"" OP "/par\"}";
		const char		*arr = "{\"aud\":[\"" OP "\"]}";

		cfg.issuer = "https://op.example";
		ok(a != NULL && oidc_json_parse(a, iss, strlen(iss), 0, &j,
		    &err) == 0 && oidc_fapi2_assertion_aud(&cfg, &c, j) == NULL,
		    "assertion aud: the issuer as a string (5.3.2.1-8)");
		ok(a != NULL && oidc_json_parse(a, ep, strlen(ep), 0, &j,
		    &err) == 0 && oidc_fapi2_assertion_aud(&cfg, &c, j) != NULL,
		    "assertion aud: the endpoint URL refused");
		ok(a != NULL && oidc_json_parse(a, arr, strlen(arr), 0, &j,
		    &err) == 0 && oidc_fapi2_assertion_aud(&cfg, &c, j) != NULL,
		    "assertion aud: an array refused");
		oidc_arena_free(a);
	}
	ok(oidc_fapi2_alg_name_ok(OIDC_STR("PS256")) &&
	    oidc_fapi2_alg_name_ok(OIDC_STR("ES256")) &&
	    oidc_fapi2_alg_name_ok(OIDC_STR("EdDSA")) &&
	    !oidc_fapi2_alg_name_ok(OIDC_STR("RS256")) &&
	    !oidc_fapi2_alg_name_ok(OIDC_STR("ES384")) &&
	    !oidc_fapi2_alg_name_ok(OIDC_STR("Ed448")) &&
	    !oidc_fapi2_alg_name_ok(OIDC_STR("HS256")) &&
	    !oidc_fapi2_alg_name_ok(OIDC_STR("none")),
	    "algorithms: PS256, ES256, EdDSA only");
}

int
main(void)
{
	struct oidc_arena	*a = oidc_arena_new(65536, 1 << 24);

	if (a == NULL) {
		ok(0, "set-up");
		return done_testing();
	}
	test_meta(a);
	test_not_ready(a);
	test_rules();
	oidc_arena_free(a);
	return done_testing();
}
