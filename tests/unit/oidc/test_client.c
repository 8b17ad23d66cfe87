/*
 * test_client.c: client metadata normalisation, response_type parsing and
 * redirect URI matching (common/oidc/client.c).  No database: loading is
 * covered by the integration tests.
 *
 * Security regressions: redirect_uri_variants (only the exact registered
 * bytes match), redirect_uri_loopback_userinfo (http://127.0.0.1:1@evil is
 * not a loopback URI), alg_none (never a signing algorithm).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/db.h"
#include "oidc/json.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1
#define RU	"\"redirect_uris\":[\"https://rp.example/cb\"]"
/* tests/fuzz/corpus/x5t/x5c-der: a certificate as a JWK x5c entry. */
#define X5C	\
	"MIIBczCCARmgAwIBAgIUFMtI07+KJ7ozWW4MZONGh7H/ilYwCgYIKoZIzj0EAwIw" \
	"DzENMAsGA1UEAwwEZnV6ejAeFw0yNjEyMDYyMTQxMzdaFw0zNjEyMDMyMTQxMzda" \
	"MA8xDTALBgNVBAMMBGZ1enowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT8o/0J" \
	"PFMSGoS7UfG+L7DpnnmKnTVg3B4zj3Lrc/6cqd2DQ1SmJpA9Nv7ALVbIomFVUgTp" \
	"MXJ5SgWC6VgSAkfvo1MwUTAdBgNVHQ4EFgQUvTU+IZvIEc8Lo+rHtwcePYxq8bkw" \
	"HwYDVR0jBBgwFoAUvTU+IZvIEc8Lo+rHtwcePYxq8bkwDwYDVR0TAQH/BAUwAwEB" \
	"/zAKBggqhkjOPQQDAgNIADBFAiA+4PIOffRkOXA6Fs7HM2nKZ8b8M9sVKKgBLe7C" \
	"+PUHDQIhAJMmwAaVAD0BexsLnRUZwyTWGuiHiS4U/YrzksR3P6CJ"
#define TLSA	",\"token_endpoint_auth_method\":\"tls_client_auth\""
#define SSTA	",\"token_endpoint_auth_method\":" \
	"\"self_signed_tls_client_auth\""
#define EC	"\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" \
	"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"" \
	"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\""

struct meta_case {
	const char		*test;
	const char		*json;
	int			 rc;
	enum oidc_errcode	 code;
};

static const struct meta_case meta_cases[] = {
	{ "minimal", "{" RU "}", 0, OIDC_E_NONE },
	/* login (oidc/remote_user.h): password or remote_user. */
	{ "login password", "{" RU ",\"login\":\"password\"}", 0,
	    OIDC_E_NONE },
	{ "login remote_user", "{" RU ",\"login\":\"remote_user\"}", 0,
	    OIDC_E_NONE },
	{ "login unknown", "{" RU ",\"login\":\"ldap\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "login not a string", "{" RU ",\"login\":true}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_uri https", "{" RU ",\"backchannel_logout_uri\":"
	    "\"https://rp.example/bc?x=1\",\"backchannel_logout_session_"
	    "required\":true}", 0, OIDC_E_NONE },
	{ "backchannel_logout_uri http loopback (not allowed)", "{" RU
	    ",\"backchannel_logout_uri\":\"http://127.0.0.1:9/bc\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_uri http", "{" RU ",\"backchannel_logout_uri\":"
	    "\"http://rp.example/bc\"}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_uri fragment", "{" RU ",\"backchannel_logout_"
	    "uri\":\"https://rp.example/bc#f\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_uri userinfo", "{" RU ",\"backchannel_logout_"
	    "uri\":\"https://a@rp.example/bc\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_uri not a string", "{" RU ",\"backchannel_"
	    "logout_uri\":1}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "backchannel_logout_session_required not a boolean", "{" RU
	    ",\"backchannel_logout_session_required\":\"yes\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	/* RFC 8705 2 (oidc/tlsauth.h). */
	{ "tls_client_auth with a subject DN", "{" RU TLSA
	    ",\"tls_client_auth_subject_dn\":\"CN=c1,O=Example\"}", 0,
	    OIDC_E_NONE },
	{ "tls_client_auth without a member", "{" RU TLSA "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "tls_client_auth, an empty subject DN", "{" RU TLSA
	    ",\"tls_client_auth_subject_dn\":\"\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "tls_client_auth, subject DN not a string", "{" RU TLSA
	    ",\"tls_client_auth_subject_dn\":1}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "tls_client_auth with san_dns", "{" RU TLSA
	    ",\"tls_client_auth_san_dns\":\"c1.example\"}", 0, OIDC_E_NONE },
	{ "tls_client_auth with san_ip", "{" RU TLSA
	    ",\"tls_client_auth_san_ip\":\"192.0.2.7\"}", 0, OIDC_E_NONE },
	{ "tls_client_auth, san_uri null", "{" RU TLSA
	    ",\"tls_client_auth_san_uri\":null}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "tls_client_auth with two members", "{" RU TLSA
	    ",\"tls_client_auth_subject_dn\":\"CN=c1\","
	    "\"tls_client_auth_san_email\":\"a@b.example\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "self_signed_tls_client_auth with x5c", "{" RU SSTA
	    ",\"jwks\":{\"keys\":[{" EC ",\"x5c\":[\"" X5C "\"]}]}}", 0,
	    OIDC_E_NONE },
	{ "self_signed_tls_client_auth without jwks", "{" RU SSTA "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "self_signed_tls_client_auth without x5c", "{" RU SSTA
	    ",\"jwks\":{\"keys\":[{" EC "}]}}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "self_signed_tls_client_auth, x5c not DER", "{" RU SSTA
	    ",\"jwks\":{\"keys\":[{" EC ",\"x5c\":[\"AAAA\"]}]}}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "self_signed_tls_client_auth, x5c not base64", "{" RU SSTA
	    ",\"jwks\":{\"keys\":[{" EC ",\"x5c\":[\"*\"]}]}}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "self_signed_tls_client_auth, x5c empty", "{" RU SSTA
	    ",\"jwks\":{\"keys\":[{" EC ",\"x5c\":[]}]}}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	/* RFC 9126 6 (issue 21 item 1). */
	{ "require_pushed_authorization_requests true", "{" RU
	    ",\"require_pushed_authorization_requests\":true}", 0,
	    OIDC_E_NONE },
	{ "require_pushed_authorization_requests not a boolean", "{" RU
	    ",\"require_pushed_authorization_requests\":\"yes\"}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	/* request_uris (issue 15 item 4): https, a fragment allowed. */
	{ "request_uris https", "{" RU ",\"request_uris\":[\"https://rp."
	    "example/r.jwt#abc\"]}", 0, OIDC_E_NONE },
	{ "request_uris http", "{" RU ",\"request_uris\":[\"http://rp."
	    "example/r.jwt\"]}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "request_uris userinfo", "{" RU ",\"request_uris\":["
	    "\"https://a@rp.example/r.jwt\"]}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "request_uris not an array", "{" RU ",\"request_uris\":\"https://"
	    "rp.example/r.jwt\"}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "request_uris number inside", "{" RU ",\"request_uris\":[1]}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "missing redirect_uris", "{}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "empty redirect_uris", "{\"redirect_uris\":[]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uris not an array", "{\"redirect_uris\":\"https://a/\"}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uris number inside", "{\"redirect_uris\":[1]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	/* redirect URI rules */
	{ "uri https", "{\"redirect_uris\":[\"https://rp.example/cb?x=1\"]}",
	    0, OIDC_E_NONE },
	{ "uri http 127.0.0.1 port",
	    "{\"redirect_uris\":[\"http://127.0.0.1:8080/cb\"]}", 0,
	    OIDC_E_NONE },
	{ "uri http [::1]", "{\"redirect_uris\":[\"http://[::1]/cb\"]}", 0,
	    OIDC_E_NONE },
	{ "uri http localhost", "{\"redirect_uris\":[\"http://localhost:3000/\"]}",
	    0, OIDC_E_NONE },
	{ "uri http remote", "{\"redirect_uris\":[\"http://example.com/cb\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "uri http localhost.evil",
	    "{\"redirect_uris\":[\"http://localhost.evil.example/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri_loopback_userinfo",
	    "{\"redirect_uris\":[\"http://127.0.0.1:80@evil.example/cb\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri_loopback_userinfo localhost",
	    "{\"redirect_uris\":[\"http://localhost:x@evil.example\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri fragment", "{\"redirect_uris\":[\"https://rp.example/cb#x\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "uri empty fragment", "{\"redirect_uris\":[\"https://rp.example/#\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "uri relative", "{\"redirect_uris\":[\"/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri scheme-relative", "{\"redirect_uris\":[\"//rp.example/cb\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "uri empty", "{\"redirect_uris\":[\"\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri javascript", "{\"redirect_uris\":[\"javascript:alert(1)\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri javascript native", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"javascript:alert(1)\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri data", "{\"redirect_uris\":[\"data:text/html,x\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri https no host", "{\"redirect_uris\":[\"https:///cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri upper-case scheme", "{\"redirect_uris\":[\"HTTPS://rp/cb\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "uri space", "{\"redirect_uris\":[\"https://rp.example/a b\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri control char", "{\"redirect_uris\":[\"https://rp/\\n\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "uri non-ASCII", "{\"redirect_uris\":[\"https://r\\u00e9p/\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	/*
	 * Since issue 18 redirect URIs go through oidc_url_parse(): what
	 * https:// followed by anything used to let through.
	 */
	{ "redirect_uri_userinfo", "{\"redirect_uris\":[\"https://a@rp."
	    "example/cb\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri_backslash_userinfo", "{\"redirect_uris\":[\"https://"
	    "evil.example\\\\@rp.example/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri_html", "{\"redirect_uris\":[\"https://rp.example/"
	    "<script>\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri_quote", "{\"redirect_uris\":[\"https://rp.example/"
	    "\\\"x\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri bad port", "{\"redirect_uris\":[\"https://rp."
	    "example:99999/cb\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri loopback bad port", "{\"redirect_uris\":[\"http://"
	    "localhost:abc/cb\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri bad escape", "{\"redirect_uris\":[\"https://rp."
	    "example/%zz\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri numeric_host", "{\"redirect_uris\":[\"http://127.1/"
	    "cb\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri loopback nip.io", "{\"redirect_uris\":[\"http://"
	    "127.0.0.1.nip.io/cb\"]}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "redirect_uri loopback ipv6", "{\"redirect_uris\":[\"http://"
	    "[::1]:8080/cb\"]}", 0, OIDC_E_NONE },
	{ "redirect_uri loopback no path", "{\"redirect_uris\":[\"http://"
	    "localhost\"]}", 0, OIDC_E_NONE },
	{ "private-use scheme userinfo", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"com.example.app://u@cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "private-use scheme digit first", "{\"application_type\":"
	    "\"native\",\"redirect_uris\":[\"1.example.app:/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "private-use scheme web",
	    "{\"redirect_uris\":[\"com.example.app:/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "private-use scheme native", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"com.example.app:/cb\"]}", 0, OIDC_E_NONE },
	{ "private-use scheme without dot", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"myapp:/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "http remote native", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"http://example.com/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "application_type bad", "{\"application_type\":\"desktop\"," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "application_type not a string", "{\"application_type\":1," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	/* response_types and grant_types consistency */
	{ "rt code + gt authorization_code", "{\"response_types\":[\"code\"],"
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"]," RU "}",
	    0, OIDC_E_NONE },
	{ "rt code + gt implicit", "{\"response_types\":[\"code\"],"
	    "\"grant_types\":[\"implicit\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt id_token + gt authorization_code",
	    "{\"response_types\":[\"id_token\"],"
	    "\"grant_types\":[\"authorization_code\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt hybrid needs both", "{\"response_types\":[\"code id_token\"],"
	    "\"grant_types\":[\"authorization_code\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt hybrid ok", "{\"response_types\":[\"code id_token\"],"
	    "\"grant_types\":[\"authorization_code\",\"implicit\"]," RU "}", 0,
	    OIDC_E_NONE },
	{ "gt implicit without rt", "{\"grant_types\":[\"authorization_code\","
	    "\"implicit\"]," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt unknown", "{\"response_types\":[\"code\",\"magic\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt bare token", "{\"response_types\":[\"token\"],"
	    "\"grant_types\":[\"implicit\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "rt not an array", "{\"response_types\":\"code\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "gt unknown", "{\"grant_types\":[\"authorization_code\","
	    "\"password\"]," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "gt not an array", "{\"grant_types\":\"authorization_code\"," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "client_credentials only", "{\"response_types\":[],"
	    "\"grant_types\":[\"client_credentials\"]}", 0, OIDC_E_NONE },
	{ "client_credentials with default rt",
	    "{\"grant_types\":[\"client_credentials\"]}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	/* auth method and algorithms */
	{ "auth none", "{\"token_endpoint_auth_method\":\"none\"," RU "}", 0,
	    OIDC_E_NONE },
	{ "auth private_key_jwt",
	    "{\"token_endpoint_auth_method\":\"private_key_jwt\"," RU "}", 0,
	    OIDC_E_NONE },
	{ "auth unknown", "{\"token_endpoint_auth_method\":\"tls_client_auth\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "auth case", "{\"token_endpoint_auth_method\":\"Client_Secret_Basic\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "auth not a string", "{\"token_endpoint_auth_method\":[\"none\"],"
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg ES256", "{\"id_token_signed_response_alg\":\"ES256\"," RU "}", 0,
	    OIDC_E_NONE },
	{ "alg EdDSA", "{\"id_token_signed_response_alg\":\"EdDSA\"," RU "}", 0,
	    OIDC_E_NONE },
	/* RFC 9864 fully-specified names (issue 17 item 3). */
	{ "alg Ed25519", "{\"id_token_signed_response_alg\":\"Ed25519\","
	    RU "}", 0, OIDC_E_NONE },
	{ "alg Ed448 userinfo", "{\"userinfo_signed_response_alg\":\"Ed448\","
	    RU "}", 0, OIDC_E_NONE },
	{ "alg Ed25519 request object",
	    "{\"request_object_signing_alg\":\"Ed25519\"," RU "}", 0,
	    OIDC_E_NONE },
	{ "alg ed25519 lower case", "{\"id_token_signed_response_alg\":"
	    "\"ed25519\"," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg_none id_token", "{\"id_token_signed_response_alg\":\"none\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg_none userinfo", "{\"userinfo_signed_response_alg\":\"none\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg unknown", "{\"id_token_signed_response_alg\":\"RS1\"," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg lower case", "{\"id_token_signed_response_alg\":\"rs256\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "alg not a string", "{\"id_token_signed_response_alg\":256," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "userinfo alg ok", "{\"userinfo_signed_response_alg\":\"PS256\"," RU
	    "}", 0, OIDC_E_NONE },
	/* JARM 3 (issue 21 item 5). */
	{ "jarm alg ES256", "{\"authorization_signed_response_alg\":"
	    "\"ES256\"," RU "}", 0, OIDC_E_NONE },
	{ "jarm alg HS256", "{\"authorization_signed_response_alg\":"
	    "\"HS256\"," RU "}", 0, OIDC_E_NONE },
	{ "alg_none jarm", "{\"authorization_signed_response_alg\":"
	    "\"none\"," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "jarm alg unknown", "{\"authorization_signed_response_alg\":"
	    "\"XS256\"," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "jarm alg not a string", "{\"authorization_signed_response_alg\":"
	    "[\"RS256\"]," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "jarm encryption alg refused",
	    "{\"authorization_encrypted_response_alg\":\"RSA-OAEP\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "jarm encryption enc refused",
	    "{\"authorization_encrypted_response_enc\":\"A128GCM\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "scope not a string", "{\"scope\":[\"openid\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "client_name not a string", "{\"client_name\":{}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "null members are absent", "{\"client_name\":null,"
	    "\"token_endpoint_auth_method\":null," RU "}", 0, OIDC_E_NONE },
};

static int
normalize(struct oidc_arena *a, const char *s, struct oidc_json **out,
    struct oidc_error *err)
{
	struct oidc_json	*in;

	oidc_error_clear(err);
	*out = NULL;
	if ((in = tap_json(a, s)) == NULL)
		return -2;
	return oidc_client_normalize(a, in, 0, out, err);
}

static void
run_meta_cases(struct oidc_arena *a)
{
	struct oidc_json	*out;
	struct oidc_error	 err;
	const struct meta_case	*c;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(meta_cases); i++) {
		c = &meta_cases[i];
		rc = normalize(a, c->json, &out, &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		if (rc == -1)
			ok(err.public_desc != NULL, "%s: public description",
			    c->test);
		else
			ok(out != NULL, "%s: output", c->test);
		oidc_arena_reset(a);
	}
}

static const char *
str_of(struct oidc_json *j, const char *key)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 s;

	return oidc_json_get_str(j, key, &s, &err) == 1 ? s.p : NULL;
}

static void
list_is(struct oidc_arena *a, struct oidc_json *j, const char *key,
    const char *w0, const char *w1, const char *test)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		*v = NULL;
	size_t			 n = 0;

	is_int(oidc_json_get_str_list(j, key, false, a, &v, &n, &err), 1, test);
	is_int(n, (w0 != NULL) + (w1 != NULL), test);
	if (n > 0 && w0 != NULL)
		is_str(v[0].p, w0, test);
	if (n > 1 && w1 != NULL)
		is_str(v[1].p, w1, test);
}

/* outbound_allow_private lets http on loopback through, nothing else. */
static void
test_backchannel_private(struct oidc_arena *a)
{
	static const struct {
		const char	*uri;
		int		 rc;
	} cases[] = {
		{ "http://127.0.0.1:8000/bc", 0 },
		{ "http://localhost:8000/bc", 0 },
		{ "http://[::1]:8000/bc", 0 },
		{ "https://rp.example/bc", 0 },
		{ "http://rp.example/bc", -1 },
		{ "http://127.0.0.1:80@evil.example/bc", -1 },
		{ "http://127.0.0.1/bc#x", -1 },
	};
	struct oidc_json	*in, *out;
	struct oidc_error	 err;
	const char		*doc;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		doc = oidc_arena_printf(a, "{" RU ",\"backchannel_logout_uri\":"
		    "\"%s\"}", cases[i].uri);
		oidc_error_clear(&err);
		in = doc != NULL ? tap_json(a, doc) : NULL;
		is_int(in != NULL ? oidc_client_normalize(a, in,
		    OIDC_CLIENT_ALLOW_PRIVATE, &out, &err) : -2, cases[i].rc,
		    cases[i].uri);
		oidc_arena_reset(a);
	}
}

static void
test_defaults(struct oidc_arena *a)
{
	struct oidc_json	*out;
	struct oidc_error	 err;

	is_int(normalize(a, "{" RU ",\"software_id\":\"x\",\"logo\":{\"a\":1},"
	    "\"client_name\":\"RP\"}", &out, &err), 0, "defaults");
	list_is(a, out, "response_types", "code", NULL,
	    "defaults: response_types [code]");
	list_is(a, out, "grant_types", "authorization_code", NULL,
	    "defaults: grant_types [authorization_code]");
	is_str(str_of(out, "token_endpoint_auth_method"),
	    "client_secret_basic", "defaults: client_secret_basic");
	is_str(str_of(out, "id_token_signed_response_alg"), "RS256",
	    "defaults: RS256");
	ok(str_of(out, "userinfo_signed_response_alg") == NULL,
	    "defaults: no userinfo alg");
	list_is(a, out, "redirect_uris", "https://rp.example/cb", NULL,
	    "defaults: redirect_uris kept");
	is_str(str_of(out, "software_id"), "x",
	    "unknown members kept: string");
	oidc_error_clear(&err);
	ok(oidc_json_get_obj(out, "logo", &(struct oidc_json *){ NULL }, &err)
	    == 1, "unknown members kept: object");
	is_str(str_of(out, "client_name"), "RP", "client_name kept");
	ok(!oidc_client_needs_plain_secret(out), "defaults: no plain secret");
	oidc_arena_reset(a);

	/* Given values are kept as given. */
	is_int(normalize(a, "{" RU ",\"response_types\":[\"id_token\"],"
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"id_token_signed_response_alg\":\"ES384\"}", &out, &err), 0,
	    "given values");
	list_is(a, out, "grant_types", "implicit", NULL,
	    "grant_types default for id_token: implicit");
	is_str(str_of(out, "token_endpoint_auth_method"),
	    "client_secret_post", "given auth method kept");
	is_str(str_of(out, "id_token_signed_response_alg"), "ES384",
	    "given alg kept");
	oidc_arena_reset(a);

	is_int(normalize(a, "{" RU ",\"response_types\":[\"code\","
	    "\"code id_token\"]}", &out, &err), 0, "hybrid defaults");
	list_is(a, out, "grant_types", "authorization_code", "implicit",
	    "grant_types default for code + hybrid");
	oidc_arena_reset(a);

	/* The input is not modified. */
	{
		struct oidc_json	*in = tap_json(a, "{" RU "}");

		oidc_error_clear(&err);
		is_int(oidc_client_normalize(a, in, 0, &out, &err), 0,
		    "input untouched: normalize");
		ok(!oidc_json_has(in, "response_types") &&
		    !oidc_json_has(in, "token_endpoint_auth_method"),
		    "input untouched");
		ok(out != in, "output is a copy");
	}
	oidc_arena_reset(a);
}

static void
test_uri_limits(struct oidc_arena *a)
{
	struct oidc_json	*out;
	struct oidc_error	 err;
	char			*s, *u;
	size_t			 i, o;

	/* 32 redirect URIs pass, 33 are refused. */
	s = malloc(64 * 40 + 64);
	o = (size_t)snprintf(s, 64, "{\"redirect_uris\":[");
	for (i = 0; i < OIDC_CLIENT_MAX_REDIRECT_URIS; i++)
		o += (size_t)snprintf(s + o, 40, "%s\"https://rp/%02zu\"",
		    i ? "," : "", i);
	memcpy(s + o, "]}", 3);
	is_int(normalize(a, s, &out, &err), 0, "too_many_redirect_uris max");
	oidc_arena_reset(a);
	o += (size_t)snprintf(s + o, 40, ",\"https://rp/32\"");
	memcpy(s + o, "]}", 3);
	is_int(normalize(a, s, &out, &err), -1, "too_many_redirect_uris +1");
	is_int(err.code, OIDC_E_INVALID_REDIRECT_URI,
	    "too_many_redirect_uris +1: code");
	oidc_arena_reset(a);
	free(s);

	/* A URI of 2048 bytes passes, 2049 is refused. */
	s = malloc(OIDC_CLIENT_MAX_URI_LEN + 64);
	u = s + (size_t)snprintf(s, 64, "{\"redirect_uris\":[\"");
	memcpy(u, "https://rp.example/", 19);
	memset(u + 19, 'a', OIDC_CLIENT_MAX_URI_LEN - 19);
	memcpy(u + OIDC_CLIENT_MAX_URI_LEN, "\"]}", 4);
	is_int(normalize(a, s, &out, &err), 0, "long_redirect_uri max");
	oidc_arena_reset(a);
	memset(u + 19, 'a', OIDC_CLIENT_MAX_URI_LEN + 1 - 19);
	memcpy(u + OIDC_CLIENT_MAX_URI_LEN + 1, "\"]}", 4);
	is_int(normalize(a, s, &out, &err), -1, "long_redirect_uri +1");
	is_int(err.code, OIDC_E_INVALID_REDIRECT_URI,
	    "long_redirect_uri +1: code");
	oidc_arena_reset(a);
	free(s);
}

struct rt_case {
	const char	*in;
	unsigned	 want;
};

static const struct rt_case rt_cases[] = {
	{ "code", OIDC_RT_CODE },
	{ "id_token", OIDC_RT_ID_TOKEN },
	{ "id_token token", OIDC_RT_ID_TOKEN_TOKEN },
	{ "token id_token", OIDC_RT_ID_TOKEN_TOKEN },
	{ "code id_token", OIDC_RT_CODE_ID_TOKEN },
	{ "id_token code", OIDC_RT_CODE_ID_TOKEN },
	{ "code token", OIDC_RT_CODE_TOKEN },
	{ "token code", OIDC_RT_CODE_TOKEN },
	{ "code id_token token", OIDC_RT_CODE_ID_TOKEN_TOKEN },
	{ "token id_token code", OIDC_RT_CODE_ID_TOKEN_TOKEN },
	{ "id_token token code", OIDC_RT_CODE_ID_TOKEN_TOKEN },
	{ "none", OIDC_RT_NONE },
	{ "token", 0 },			/* bare OAuth implicit: not offered */
	{ "none code", 0 },
	{ "code none", 0 },
	{ "none none", 0 },
	{ "code code", 0 },
	{ "code id_token code", 0 },
	{ "token token", 0 },
	{ "id_token id_token", 0 },
	{ "code  id_token", 0 },	/* two spaces */
	{ " code", 0 },
	{ "code ", 0 },
	{ " ", 0 },
	{ "", 0 },
	{ "Code", 0 },
	{ "code+id_token", 0 },
	{ "code\tid_token", 0 },
	{ "codes", 0 },
	{ "cod", 0 },
	{ "code id_token x", 0 },
};

static void
test_rt_parse(void)
{
	size_t	 i;
	char	 name[64];

	for (i = 0; i < OIDC_NELEM(rt_cases); i++) {
		(void)snprintf(name, sizeof(name), "rt_parse \"%s\"",
		    rt_cases[i].in);
		is_int(oidc_rt_parse((struct oidc_str){ rt_cases[i].in,
		    strlen(rt_cases[i].in) }), rt_cases[i].want, name);
	}
	is_int(oidc_rt_parse(OIDC_STR_NULL), 0, "rt_parse NULL");
	/* Only len bytes are read. */
	is_int(oidc_rt_parse((struct oidc_str){ "code id_token", 4 }),
	    OIDC_RT_CODE, "rt_parse respects len");
}

static void
test_auth_method(void)
{
	is_int(oidc_auth_method_parse(OIDC_STR("client_secret_basic")),
	    OIDC_AUTH_SECRET_BASIC, "auth_method_parse basic");
	is_int(oidc_auth_method_parse(OIDC_STR("none")), OIDC_AUTH_NONE,
	    "auth_method_parse none");
	is_int(oidc_auth_method_parse(OIDC_STR("private_key_jwt")),
	    OIDC_AUTH_PRIVATE_KEY_JWT, "auth_method_parse private_key_jwt");
	is_int(oidc_auth_method_parse(OIDC_STR("")), OIDC_AUTH__MAX,
	    "auth_method_parse empty");
	is_int(oidc_auth_method_parse(OIDC_STR_NULL), OIDC_AUTH__MAX,
	    "auth_method_parse NULL");
	is_int(oidc_auth_method_parse(OIDC_STR("client_secret_basicx")),
	    OIDC_AUTH__MAX, "auth_method_parse suffix");
	is_str(oidc_auth_method_name(OIDC_AUTH_SECRET_JWT),
	    "client_secret_jwt", "auth_method_name");
	is_str(oidc_auth_method_name(OIDC_AUTH__MAX), "unknown",
	    "auth_method_name out of range");
}

/*
 * redirect_uri_variants: mod_auth_openidc-style open-redirect payloads
 * against one registered URI; only the exact bytes match.
 */
static const char *const variants[] = {
	"https://rp.example/cb/",
	"https://rp.example/cb?",
	"https://rp.example/cb?x=1",
	"https://rp.example/cb#",
	"https://rp.example/CB",
	"HTTPS://rp.example/cb",
	"https://RP.example/cb",
	"https://rp.example:443/cb",
	"https://rp.example/c%62",
	"https://rp.example/cb%2F",
	"https://rp.example/%63b",
	"https://rp.example/cb/../cb",
	"https://rp.example/./cb",
	"https://rp.example//cb",
	"https://rp.example/cbx",
	"https://rp.example/c",
	"https://rp.example.evil/cb",
	"https://evil@rp.example/cb",
	"https://rp.example@evil/cb",
	"http://rp.example/cb",
	"//rp.example/cb",
	" https://rp.example/cb",
	"https://rp.example/cb ",
	"https://rp.example/cb\n",
	"",
};

static void
test_redirect_uri_ok(void)
{
	struct oidc_str		 reg[2] = {
		OIDC_STR("https://rp.example/cb"),
		OIDC_STR("http://127.0.0.1:8080/cb")
	};
	struct oidc_client	 c;
	size_t			 i;
	char			 name[96];

	memset(&c, 0, sizeof(c));
	c.redirect_uris = reg;
	c.n_redirect_uris = 2;
	ok(oidc_client_redirect_uri_ok(&c, OIDC_STR("https://rp.example/cb")),
	    "redirect_uri exact");
	ok(oidc_client_redirect_uri_ok(&c,
	    OIDC_STR("http://127.0.0.1:8080/cb")), "redirect_uri second");
	for (i = 0; i < OIDC_NELEM(variants); i++) {
		(void)snprintf(name, sizeof(name), "redirect_uri_variants %zu",
		    i);
		ok(!oidc_client_redirect_uri_ok(&c, (struct oidc_str){
		    variants[i], strlen(variants[i]) }), "%s: %s refused",
		    name, variants[i][0] != '\0' && variants[i][strlen(
		    variants[i]) - 1] == '\n' ? "(with LF)" : variants[i]);
	}
	ok(!oidc_client_redirect_uri_ok(&c, OIDC_STR("http://127.0.0.1:8081/cb")),
	    "redirect_uri_variants loopback port");
	ok(!oidc_client_redirect_uri_ok(&c, OIDC_STR("http://localhost:8080/cb")),
	    "redirect_uri_variants loopback name");
	ok(!oidc_client_redirect_uri_ok(&c, OIDC_STR_NULL),
	    "redirect_uri absent");
	/* A prefix of the right bytes with the wrong length. */
	ok(!oidc_client_redirect_uri_ok(&c,
	    (struct oidc_str){ "https://rp.example/cb", 20 }),
	    "redirect_uri_variants truncated");
	c.n_redirect_uris = 0;
	ok(!oidc_client_redirect_uri_ok(&c, OIDC_STR("https://rp.example/cb")),
	    "redirect_uri none registered");
}

static void
test_request_uri_ok(void)
{
	struct oidc_str		 reg[1] = {
		OIDC_STR("https://rp.example/r.jwt#v1")
	};
	struct oidc_client	 c;

	memset(&c, 0, sizeof(c));
	c.request_uris = reg;
	c.n_request_uris = 1;
	ok(oidc_client_request_uri_ok(&c,
	    OIDC_STR("https://rp.example/r.jwt#v2")),
	    "request_uri: the fragment aside");
	ok(oidc_client_request_uri_ok(&c, OIDC_STR("https://rp.example/r.jwt")),
	    "request_uri: no fragment");
	ok(!oidc_client_request_uri_ok(&c,
	    OIDC_STR("https://rp.example/r.jwt2")), "request_uri: longer");
	ok(!oidc_client_request_uri_ok(&c,
	    OIDC_STR("https://rp.example/r.jw")), "request_uri: prefix");
	ok(!oidc_client_request_uri_ok(&c,
	    OIDC_STR("https://rp.example/r.jwt?x=1")), "request_uri: query");
	ok(!oidc_client_request_uri_ok(&c, OIDC_STR_NULL),
	    "request_uri: absent");
	c.n_request_uris = 0;
	ok(!oidc_client_request_uri_ok(&c, OIDC_STR("https://rp.example/r.jwt")),
	    "request_uri: none registered");
}

struct secret_case {
	const char	*json;
	bool		 want;
};

static const struct secret_case secret_cases[] = {
	{ "{}", false },
	{ "{\"token_endpoint_auth_method\":\"client_secret_basic\"}", false },
	{ "{\"token_endpoint_auth_method\":\"client_secret_jwt\"}", true },
	{ "{\"token_endpoint_auth_method\":\"private_key_jwt\"}", false },
	{ "{\"id_token_signed_response_alg\":\"HS256\"}", true },
	{ "{\"id_token_signed_response_alg\":\"HS512\"}", true },
	{ "{\"id_token_signed_response_alg\":\"RS256\"}", false },
	{ "{\"userinfo_signed_response_alg\":\"HS384\"}", true },
	{ "{\"userinfo_signed_response_alg\":\"ES256\"}", false },
	{ "{\"id_token_signed_response_alg\":\"HS\"}", false },
	{ "{\"id_token_signed_response_alg\":7}", false },
	{ "{\"request_object_signing_alg\":\"HS256\"}", true },
	{ "{\"request_object_signing_alg\":\"none\"}", false },
	{ "{\"request_object_signing_alg\":\"RS256\"}", false },
	{ "{\"authorization_signed_response_alg\":\"HS256\"}", true },
	{ "{\"authorization_signed_response_alg\":\"PS256\"}", false },
};

static void
test_plain_secret(struct oidc_arena *a)
{
	struct oidc_json	*j;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(secret_cases); i++) {
		j = tap_json(a, secret_cases[i].json);
		ok(oidc_client_needs_plain_secret(j) == secret_cases[i].want,
		    "needs_plain_secret %s", secret_cases[i].json);
		oidc_arena_reset(a);
	}
}

/*
 * SECURITY (issue 15 item 10): a recoverable client secret is sealed
 * under the KEK and bound to its client_id.
 */
static void
test_secret_seal(struct oidc_arena *a)
{
	static const unsigned char kek[32] = { 1, 2, 3 }, other[32] = { 9 };
	struct oidc_error		 err = { 0 };
	struct oidc_client_secret	 s = { 0 };
	struct oidc_str			 out;
	unsigned char			*tampered;
	const char			*secret = "an HS256 secret, 32 chars, ok";

	ok(oidc_client_secret_seal(a, kek, OIDC_STR("c1"), (struct oidc_str){
	    secret, strlen(secret) }, &s.sealed, &s.sealed_len, &err) == 0 &&
	    s.sealed_len == strlen(secret) + 29, "seal: 29 bytes more");
	ok(memmem(s.sealed, s.sealed_len, secret, strlen(secret)) == NULL,
	    "seal: the secret is not in the blob");
	ok(oidc_client_secret_open(a, kek, OIDC_STR("c1"), &s, &out,
	    &err) == 0 && out.p != NULL && strcmp(out.p, secret) == 0 &&
	    out.len == strlen(secret), "open: round trip");
	ok(oidc_client_secret_open(a, kek, OIDC_STR("c2"), &s, &out,
	    &err) == -1 && err.code == OIDC_E_CRYPTO && out.p == NULL,
	    "open: another client_id (a row swap) fails");
	memset(&err, 0, sizeof(err));
	ok(oidc_client_secret_open(a, kek, OIDC_STR("c"), &s, &out,
	    &err) == -1, "open: a prefix of the client_id fails");
	memset(&err, 0, sizeof(err));
	ok(oidc_client_secret_open(a, other, OIDC_STR("c1"), &s, &out,
	    &err) == -1 && err.code == OIDC_E_CRYPTO,
	    "open: another KEK fails");
	memset(&err, 0, sizeof(err));
	ok(oidc_client_secret_open(a, NULL, OIDC_STR("c1"), &s, &out,
	    &err) == -1 && err.code == OIDC_E_NO_KEY,
	    "open: sealed, no KEK: no key here (503)");
	memset(&err, 0, sizeof(err));
	tampered = oidc_arena_alloc(a, s.sealed_len);
	memcpy(tampered, s.sealed, s.sealed_len);
	tampered[20] ^= 1;
	s.sealed = tampered;
	ok(oidc_client_secret_open(a, kek, OIDC_STR("c1"), &s, &out,
	    &err) == -1 && err.code == OIDC_E_CRYPTO, "open: tampered fails");
	memset(&err, 0, sizeof(err));
	/* A row not yet sealed (before 0009): the legacy clear secret. */
	s.sealed = NULL;
	s.legacy = OIDC_STR("legacy");
	ok(oidc_client_secret_open(a, NULL, OIDC_STR("c1"), &s, &out,
	    &err) == 0 && oidc_str_eq_cstr(out, "legacy"), "open: legacy");
	s.legacy = OIDC_STR_NULL;
	ok(oidc_client_secret_open(a, kek, OIDC_STR("c1"), &s, &out,
	    &err) == 0 && out.p == NULL, "open: no secret at all");
	ok(oidc_client_check_secret_storage(tap_json(a,
	    "{\"userinfo_signed_response_alg\":\"HS512\"}"), NULL, &err) ==
	    -1 && err.code == OIDC_E_INVALID_CLIENT_METADATA,
	    "storage: HS512 userinfo needs a KEK");
	memset(&err, 0, sizeof(err));
	ok(oidc_client_check_secret_storage(tap_json(a, "{}"), NULL,
	    &err) == 0, "storage: a basic client needs none");
	oidc_arena_reset(a);
}

/*
 * The origins stored with a client (oidc_client_row_set_metadata), the
 * set the CORS preflight's lookup searches: each redirect URI's origin
 * once, in order, nothing for a URI without "://" (a native scheme).
 */
static void
test_row_origins(struct oidc_arena *a)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "{\"redirect_uris\":[\"https://rp.example/cb\","
		    "\"https://rp.example/other?x=1\","
		    "\"http://127.0.0.1:8080/cb\"]}",
		    "[\"https://rp.example\",\"http://127.0.0.1:8080\"]" },
		{ "{\"redirect_uris\":[\"com.example.app:/cb\"]}", "[]" },
		{ "{\"redirect_uris\":[\"https://a.example:8443/cb\","
		    "\"https://a.example/cb\"]}",
		    "[\"https://a.example:8443\",\"https://a.example\"]" },
	};
	struct oidc_client_row	 row;
	struct oidc_json	*m;
	struct oidc_error	 err;
	char			 got[256];
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		memset(&row, 0, sizeof(row));
		memset(&err, 0, sizeof(err));
		got[0] = '\0';
		if (oidc_json_parse(a, cases[i].json, strlen(cases[i].json), 0,
		    &m, &err) == 0 &&
		    oidc_client_row_set_metadata(a, m, &row, &err) == 0)
			snprintf(got, sizeof(got), "%.*s",
			    (int)row.origins.len, row.origins.p);
		is_str(got, cases[i].want, cases[i].json);
		ok(row.metadata.p != NULL, "metadata text set too");
	}
}

/* The "login" member as a loaded client sees it (oidc/remote_user.h). */
static void
test_login_member(struct oidc_arena *a)
{
	static const struct {
		const char		*json;
		enum oidc_client_login	 want;
	} cases[] = {
		{ "{\"token_endpoint_auth_method\":\"none\"}",
		    OIDC_CLIENT_LOGIN_DEFAULT },
		{ "{\"token_endpoint_auth_method\":\"none\","
		    "\"login\":\"password\"}", OIDC_CLIENT_LOGIN_PASSWORD },
		{ "{\"token_endpoint_auth_method\":\"none\","
		    "\"login\":\"remote_user\"}",
		    OIDC_CLIENT_LOGIN_REMOTE_USER },
	};
	struct oidc_client_row	 row;
	struct oidc_client	 c;
	struct oidc_error	 err = { 0 };
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		memset(&row, 0, sizeof(row));
		row.client_id = OIDC_STR("c");
		row.metadata = (struct oidc_str){ cases[i].json,
		    strlen(cases[i].json) };
		is_int(oidc_client_from_row(a, &row, &c, &err), 0,
		    cases[i].json);
		is_int(c.login, cases[i].want, "login member");
	}
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_meta_cases(a);
	test_defaults(a);
	test_backchannel_private(a);
	test_uri_limits(a);
	test_rt_parse();
	test_auth_method();
	test_redirect_uri_ok();
	test_request_uri_ok();
	test_plain_secret(a);
	test_secret_seal(a);
	test_row_origins(a);
	test_login_member(a);
	oidc_arena_free(a);
	return done_testing();
}
