/*
 * test_register.c: the pure parts of dynamic client registration
 * (common/oidc/register.c): the /register path parser, the registration
 * metadata rules on top of oidc_client_normalize, and secret issuance.
 * The endpoint itself is covered by tests/integration/t/45-register.py.
 *
 * Security regressions: path_traversal (only base64url ids), jwks_private
 * (a private key is refused, never stored), resource_server (cannot be
 * self-granted), first_party and client_id (server-managed, dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/register.h"

#include "tap.h"

#define RU	"\"redirect_uris\":[\"https://rp.example/cb\"]"
#define RSA_N	"tRQrqzwK8bOG6DVzsfKPjDcLiQvxVvJve56e6OYCIY6jtzDzGEXzMEw8Osjl" \
		"FJotIzprOBi70a8x-Ql4l6sJSTGL35CDsTc6aqE859DMXnWuBYRceJzgnfE6" \
		"enwhfEOsi-lew03SgQH2vybJMDPABmOyobisXjU2b8vUXx2Cqqbn1_tRzTp9" \
		"_3bgfQBsbqkyM1ZyOUsT3Axw9nOkiehZ4hG6Z7CNOeHpRe-B2t-vnfT7iO1y" \
		"WPDd6yZmct6ndX1yiftw2fFmKHCCUOc0EAjRv2J84ub1Sn26-LFDOBlUx2fd" \
		"12fR9GwwQibRHIrGk2NJfU0NExiYnvjlffW6e2edPQ"
#define JWKS	"\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\"," \
		"\"e\":\"AQAB\",\"n\":\"" RSA_N "\"}]}"

struct path_case {
	const char	*path;
	int		 rc;
	const char	*id;
};

static const struct path_case path_cases[] = {
	{ "/register", 0, NULL },
	{ "/register/abc_DEF-012", 1, "abc_DEF-012" },
	{ "/register/", -1, NULL },
	{ "/register//x", -1, NULL },
	{ "/register/a/b", -1, NULL },
	{ "/register/..", -1, NULL },		/* path_traversal */
	{ "/register/a%2Fb", -1, NULL },
	{ "/register/a b", -1, NULL },
	{ "/register/a.b", -1, NULL },
	{ "/registerx", -1, NULL },
	{ "/register.json", -1, NULL },
	{ "/Register", -1, NULL },
	{ "/token", -1, NULL },
	{ "", -1, NULL },
};

struct meta_case {
	const char		*test;
	const char		*json;
	int			 rc;
	enum oidc_errcode	 code;
};

static const struct meta_case meta_cases[] = {
	{ "minimal", "{" RU "}", 0, OIDC_E_NONE },
	{ "no redirect_uris", "{}", -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "fragment", "{\"redirect_uris\":[\"https://rp.example/cb#f\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "web http remote", "{\"redirect_uris\":[\"http://rp.example/cb\"]}",
	    -1, OIDC_E_INVALID_REDIRECT_URI },
	{ "web http loopback", "{\"redirect_uris\":[\"http://127.0.0.1:9/cb\"]}",
	    0, OIDC_E_NONE },
	{ "web private-use scheme", "{\"application_type\":\"web\","
	    "\"redirect_uris\":[\"com.example.app:/cb\"]}", -1,
	    OIDC_E_INVALID_REDIRECT_URI },
	{ "native private-use scheme", "{\"application_type\":\"native\","
	    "\"redirect_uris\":[\"com.example.app:/cb\"]}", 0, OIDC_E_NONE },
	{ "unknown auth method", "{\"token_endpoint_auth_method\":\"magic\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "inconsistent types", "{\"response_types\":[\"code\"],"
	    "\"grant_types\":[\"implicit\"]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks and jwks_uri", "{" JWKS ",\"jwks_uri\":\"https://rp/jwks\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks_uri alone", "{\"jwks_uri\":\"https://rp.example/jwks\","
	    RU "}", 0, OIDC_E_NONE },
	{ "jwks_uri not https", "{\"jwks_uri\":\"http://rp.example/jwks\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "private_key_jwt without jwks",
	    "{\"token_endpoint_auth_method\":\"private_key_jwt\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "private_key_jwt with jwks",
	    "{\"token_endpoint_auth_method\":\"private_key_jwt\"," JWKS ","
	    RU "}", 0, OIDC_E_NONE },
	{ "private_key_jwt HS alg",
	    "{\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"token_endpoint_auth_signing_alg\":\"HS256\"," JWKS "," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "auth signing alg none",
	    "{\"token_endpoint_auth_signing_alg\":\"none\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks not a set", "{\"jwks\":{\"kty\":\"RSA\"}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks empty", "{\"jwks\":{\"keys\":[]}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks garbage key", "{\"jwks\":{\"keys\":[{\"kty\":\"RSA\","
	    "\"n\":\"AA\",\"e\":\"AQAB\"}]}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks_private", "{\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"e\":"
	    "\"AQAB\",\"n\":\"" RSA_N "\",\"d\":\"AQAB\"}]}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "jwks oct", "{\"jwks\":{\"keys\":[{\"kty\":\"oct\",\"k\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "pairwise", "{\"subject_type\":\"pairwise\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "public subject", "{\"subject_type\":\"public\"," RU "}", 0,
	    OIDC_E_NONE },
	{ "subject_type other", "{\"subject_type\":\"x\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "sector_identifier_uri", "{\"sector_identifier_uri\":"
	    "\"https://rp/s.json\"," RU "}", 0, OIDC_E_NONE },
	{ "sector_identifier_uri http", "{\"sector_identifier_uri\":"
	    "\"http://rp/s.json\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "logo https", "{\"logo_uri\":\"https://rp.example/l.png\","
	    "\"policy_uri\":\"https://rp.example/p\",\"tos_uri\":"
	    "\"https://rp.example/t\",\"client_uri\":\"https://rp.example\","
	    RU "}", 0, OIDC_E_NONE },
	{ "logo http", "{\"logo_uri\":\"http://rp.example/l.png\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "policy javascript", "{\"policy_uri\":\"javascript:alert(1)\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "tos no host", "{\"tos_uri\":\"https:///t\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "client_uri userinfo", "{\"client_uri\":\"https://a@evil/\"," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "logo quote", "{\"logo_uri\":\"https://rp/\\\"onload=x\"," RU "}",
	    -1, OIDC_E_INVALID_CLIENT_METADATA },
	/* Since issue 18 through oidc_url_parse(): ports, escapes. */
	{ "logo bad port", "{\"logo_uri\":\"https://rp.example:0/l.png\","
	    RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "tos bad escape", "{\"tos_uri\":\"https://rp.example/%zz\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "policy fragment", "{\"policy_uri\":\"https://rp.example/p#s2\","
	    RU "}", 0, OIDC_E_NONE },
	{ "logo not a string", "{\"logo_uri\":1," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "encrypted id token", "{\"id_token_encrypted_response_alg\":"
	    "\"RSA-OAEP\"," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "HS id token public client", "{\"token_endpoint_auth_method\":"
	    "\"none\",\"id_token_signed_response_alg\":\"HS256\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "HS id token secret client", "{\"id_token_signed_response_alg\":"
	    "\"HS256\"," RU "}", 0, OIDC_E_NONE },
	{ "HS jarm public client", "{\"token_endpoint_auth_method\":"
	    "\"none\",\"authorization_signed_response_alg\":\"HS256\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "HS jarm private_key_jwt client", "{\"token_endpoint_auth_method\":"
	    "\"private_key_jwt\"," JWKS ","
	    "\"authorization_signed_response_alg\":\"HS384\"," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "HS jarm secret client", "{\"authorization_signed_response_alg\":"
	    "\"HS256\"," RU "}", 0, OIDC_E_NONE },
	{ "PS jarm public client", "{\"token_endpoint_auth_method\":"
	    "\"none\",\"authorization_signed_response_alg\":\"PS256\"," RU
	    "}", 0, OIDC_E_NONE },
	{ "encrypted jarm", "{\"authorization_encrypted_response_alg\":"
	    "\"RSA-OAEP\"," RU "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "resource_server", "{\"resource_server\":true," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "resource_server false", "{\"resource_server\":false," RU "}", 0,
	    OIDC_E_NONE },
	{ "contacts", "{\"contacts\":[\"ops@rp.example\"]," RU "}", 0,
	    OIDC_E_NONE },
	{ "contacts not strings", "{\"contacts\":[1]," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "default_max_age negative", "{\"default_max_age\":-1," RU "}", -1,
	    OIDC_E_INVALID_CLIENT_METADATA },
	{ "require_auth_time string", "{\"require_auth_time\":\"yes\"," RU
	    "}", -1, OIDC_E_INVALID_CLIENT_METADATA },
	{ "server members ignored", "{\"client_id\":\"mine\","
	    "\"client_secret\":\"x\",\"first_party\":true,"
	    "\"registration_access_token\":\"t\",\"client_id_issued_at\":1,"
	    RU "}", 0, OIDC_E_NONE },
};

static void
test_paths(void)
{
	struct oidc_str	 id;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];

		rc = oidc_register_parse_path((struct oidc_str){ c->path,
		    strlen(c->path) }, &id);
		is_int(rc, c->rc, c->path);
		if (c->id != NULL)
			ok(oidc_str_eq_cstr(id, c->id), "%s: id", c->path);
		else
			ok(id.p == NULL, "%s: no id", c->path);
	}
	ok(oidc_register_parse_path(OIDC_STR_NULL, &id) == -1, "absent path");
	{
		/* 128 id characters pass, 129 do not. */
		char	 p[10 + 130];

		memcpy(p, "/register/", 10);
		memset(p + 10, 'a', 129);
		is_int(oidc_register_parse_path((struct oidc_str){ p, 138 },
		    &id), 1, "id of 128 characters");
		is_int(oidc_register_parse_path((struct oidc_str){ p, 139 },
		    &id), -1, "id of 129 characters");
	}
}

static void
test_metadata(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_json	*in, *out;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(meta_cases) / sizeof(meta_cases[0]); i++) {
		const struct meta_case *c = &meta_cases[i];

		memset(&err, 0, sizeof(err));
		if ((in = tap_json(a, c->json)) == NULL) {
			ok(0, "%s: parse", c->test);
			continue;
		}
		rc = oidc_register_metadata(a, in, 0, &out, &err);
		ok(rc == c->rc && err.code == c->code, "%s", c->test);
		if (rc != c->rc || err.code != c->code)
			diag("rc %d code %d (%s)", rc, err.code, err.detail);
		if (rc == -1)
			ok(err.public_desc != NULL, "%s: has a description",
			    c->test);
	}
}

static void
test_normalised(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*in, *out;
	struct oidc_str		 s;

	in = tap_json(a, "{\"client_id\":\"mine\",\"client_secret\":\"s\","
	    "\"first_party\":true,\"resource_server\":false,"
	    "\"login\":\"remote_user\","
	    "\"software_statement\":\"x.y.z\",\"x-extension\":1," RU "}");
	if (in == NULL || oidc_register_metadata(a, in, 0, &out, &err) == -1) {
		ok(0, "normalise: %s", err.detail);
		return;
	}
	ok(!oidc_json_has_key(out, "client_id"), "client_id dropped");
	ok(!oidc_json_has_key(out, "client_secret"), "client_secret dropped");
	ok(!oidc_json_has_key(out, "first_party"), "first_party dropped");
	ok(!oidc_json_has_key(out, "login"), "login dropped (operator only)");
	ok(!oidc_json_has_key(out, "resource_server"),
	    "resource_server dropped");
	ok(!oidc_json_has_key(out, "software_statement"),
	    "software_statement dropped");
	ok(oidc_json_has_key(out, "x-extension"), "unknown member kept");
	ok(oidc_json_get_str(out, "application_type", &s, &err) == 1 &&
	    oidc_str_eq_cstr(s, "web"), "application_type defaults to web");
	ok(oidc_json_get_str(out, "token_endpoint_auth_method", &s, &err) ==
	    1 && oidc_str_eq_cstr(s, "client_secret_basic"),
	    "auth method default");
	ok(oidc_json_has_key(in, "client_id"), "input left alone");
}

static void
test_secret(struct oidc_arena *a)
{
	static const unsigned char kek[32] = { 7, 7, 7 };
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row, kept;
	struct oidc_json	*m;
	struct oidc_str		 open;
	unsigned char		 h[OIDC_SHA256_LEN];
	const char		*secret, *again;

	memset(&row, 0, sizeof(row));
	row.client_id = OIDC_STR("c1");
	m = tap_json(a, "{\"token_endpoint_auth_method\":\"client_secret_basic\"}");
	ok(m != NULL && oidc_register_secret(a, NULL, m, OIDC_STR_NULL, &row,
	    &secret, &err) == 0 && secret != NULL, "basic: secret issued");
	ok(secret != NULL && strlen(secret) == 43, "256-bit secret");
	ok(row.has_secret_hash && row.secret_sealed == NULL &&
	    row.secret_plain.p == NULL, "basic: hash only");
	ok(secret != NULL && oidc_sha256(secret, strlen(secret), h, &err) ==
	    0 && memcmp(h, row.secret_hash, sizeof(h)) == 0, "hash matches");

	/* SECURITY (issue 15 item 10): sealed, never in clear. */
	m = tap_json(a, "{\"token_endpoint_auth_method\":\"client_secret_jwt\"}");
	ok(m != NULL && oidc_register_secret(a, kek, m, OIDC_STR_NULL, &row,
	    &secret, &err) == 0 && row.secret_plain.p == NULL &&
	    row.secret_sealed != NULL && secret != NULL &&
	    row.secret_sealed_len == strlen(secret) + 29 &&
	    memmem(row.secret_sealed, row.secret_sealed_len, secret,
	    strlen(secret)) == NULL, "client_secret_jwt: sealed, not clear");
	ok(oidc_client_row_secret(a, kek, &row, &open, &err) == 0 &&
	    open.p != NULL && strcmp(open.p, secret) == 0,
	    "client_secret_jwt: the sealed secret opens");
	memset(&err, 0, sizeof(err));
	ok(oidc_register_secret(a, NULL, m, OIDC_STR_NULL, &row, &secret,
	    &err) == -1 && err.code == OIDC_E_INVALID_CLIENT_METADATA &&
	    err.public_desc != NULL &&
	    strstr(err.public_desc, "key_encryption_key") != NULL,
	    "client_secret_jwt without a KEK: refused");
	memset(&err, 0, sizeof(err));
	m = tap_json(a, "{\"id_token_signed_response_alg\":\"HS256\"}");
	ok(m != NULL && oidc_register_secret(a, NULL, m, OIDC_STR_NULL, &row,
	    &secret, &err) == -1 && err.code == OIDC_E_INVALID_CLIENT_METADATA,
	    "HS256 without a KEK: refused");

	/* Kept across an update: opened and sealed again. */
	memset(&err, 0, sizeof(err));
	m = tap_json(a, "{\"token_endpoint_auth_method\":\"client_secret_jwt\"}");
	ok(oidc_register_secret(a, kek, m, OIDC_STR_NULL, &row, &secret,
	    &err) == 0, "fixture");
	memset(&kept, 0, sizeof(kept));
	kept.client_id = row.client_id;
	ok(oidc_register_keep_secret(a, kek, m, &row, &kept, &again,
	    &err) == 0 && again != NULL && strcmp(again, secret) == 0 &&
	    kept.secret_sealed != NULL && kept.secret_plain.p == NULL &&
	    memcmp(kept.secret_hash, row.secret_hash, 32) == 0,
	    "update keeps the secret, sealed");
	row.secret_sealed = NULL;
	row.secret_plain = (struct oidc_str){ secret, strlen(secret) };
	ok(oidc_register_keep_secret(a, kek, m, &row, &kept, &again,
	    &err) == 0 && again != NULL && strcmp(again, secret) == 0 &&
	    kept.secret_sealed != NULL && kept.secret_plain.p == NULL,
	    "update seals a legacy clear secret");
	ok(oidc_register_keep_secret(a, NULL, m, &row, &kept, &again,
	    &err) == -1, "... and refuses without a KEK");

	memset(&err, 0, sizeof(err));
	m = tap_json(a, "{\"token_endpoint_auth_method\":\"private_key_jwt\"}");
	ok(m != NULL && oidc_register_secret(a, NULL, m, OIDC_STR_NULL, &row,
	    &secret, &err) == 0 && secret == NULL && !row.has_secret_hash,
	    "private_key_jwt: no secret");
	m = tap_json(a, "{\"token_endpoint_auth_method\":\"none\"}");
	ok(m != NULL && oidc_register_secret(a, NULL, m, OIDC_STR_NULL, &row,
	    &secret, &err) == 0 && secret == NULL && !row.has_secret_hash,
	    "none: no secret");

	m = tap_json(a, "{\"token_endpoint_auth_method\":\"client_secret_post\"}");
	ok(m != NULL && oidc_register_secret(a, NULL, m, OIDC_STR("short"),
	    &row, &secret, &err) == -1 &&
	    err.code == OIDC_E_INVALID_CLIENT_METADATA,
	    "given secret too short");
}

/* The two oidc.conf keys (common/base/config.c). */
static void
test_config(struct oidc_arena *a)
{
	static const char	 base[] = "issuer = https://id.example\n"
	    "database = dbname=x\n";
	static const char	 hash[] = "registration_initial_token_hash = "
	    "00112233445566778899aabbccddeeff"
	    "00112233445566778899AABBCCDDEEFF\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	char			 buf[512];
	int			 n;

	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", base, sizeof(base) - 1, &cfg, &err) == 0 &&
	    cfg.registration == OIDC_REGISTRATION_OFF &&
	    !cfg.has_registration_initial_token_hash, "registration off by "
	    "default");
	n = snprintf(buf, sizeof(buf), "%sregistration = open\n", base);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == 0 &&
	    cfg.registration == OIDC_REGISTRATION_OPEN, "registration = open");
	n = snprintf(buf, sizeof(buf), "%sregistration = token\n", base);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == -1 &&
	    strstr(err.detail, "registration_initial_token_hash") != NULL,
	    "registration = token needs the hash");
	n = snprintf(buf, sizeof(buf), "%sregistration = token\n%s", base,
	    hash);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == 0 &&
	    cfg.registration == OIDC_REGISTRATION_TOKEN &&
	    cfg.has_registration_initial_token_hash &&
	    cfg.registration_initial_token_hash[0] == 0x00 &&
	    cfg.registration_initial_token_hash[5] == 0x55 &&
	    cfg.registration_initial_token_hash[31] == 0xff,
	    "registration = token with the hash (either case)");
	n = snprintf(buf, sizeof(buf), "%sregistration = yes\n", base);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == -1,
	    "registration = yes refused");
	n = snprintf(buf, sizeof(buf), "%sregistration_initial_token_hash = "
	    "abc\n", base);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == -1,
	    "short hash refused");
	n = snprintf(buf, sizeof(buf), "%sregistration_initial_token_hash = "
	    "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	    "\n", base);
	memset(&err, 0, sizeof(err));
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == -1,
	    "non-hex hash refused");
}

/*
 * issue15_scope: a registered client holds only registration_scopes (or
 * what it already holds, on an RFC 7592 update).
 */
static const struct {
	const char	*test;
	const char	*json;
	const char	*held;
	int		 rc;
	const char	*stored;
} scope_cases[] = {
	{ "absent: the allowed list", "{}", NULL, 0, "openid profile email" },
	{ "subset", "{\"scope\":\"openid email\"}", NULL, 0, "openid email" },
	{ "empty", "{\"scope\":\"\"}", NULL, 0, "" },
	{ "admin refused", "{\"scope\":\"openid admin\"}", NULL, -1, NULL },
	{ "payments:write refused", "{\"scope\":\"payments:write\"}", NULL,
	    -1, NULL },
	{ "case matters", "{\"scope\":\"OpenID\"}", NULL, -1, NULL },
	{ "prefix is not a value", "{\"scope\":\"open\"}", NULL, -1, NULL },
	{ "bad syntax", "{\"scope\":\"openid  email\"}", NULL, -1, NULL },
	{ "not a string", "{\"scope\":[\"openid\"]}", NULL, -1, NULL },
	{ "held value kept", "{\"scope\":\"openid admin\"}", "openid admin",
	    0, "openid admin" },
	{ "held does not open others", "{\"scope\":\"admin root\"}",
	    "openid admin", -1, NULL },
};

static void
test_scope(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_json	*m;
	struct oidc_str		 s, held;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(scope_cases); i++) {
		memset(&err, 0, sizeof(err));
		if ((m = tap_json(a, scope_cases[i].json)) == NULL) {
			ok(0, "%s", scope_cases[i].test);
			continue;
		}
		held = scope_cases[i].held == NULL ? OIDC_STR_NULL :
		    (struct oidc_str){ scope_cases[i].held,
		    strlen(scope_cases[i].held) };
		rc = oidc_register_check_scope(m, "openid profile email", held,
		    &err);
		ok(rc == scope_cases[i].rc, "issue15_scope: %s",
		    scope_cases[i].test);
		if (rc == -1) {
			is_int(err.code, OIDC_E_INVALID_CLIENT_METADATA,
			    "... invalid_client_metadata");
			continue;
		}
		s = OIDC_STR_NULL;
		ok(oidc_json_get_str(m, "scope", &s, &err) == 1 &&
		    oidc_str_eq_cstr(s, scope_cases[i].stored),
		    "... stored scope \"%s\"", scope_cases[i].stored);
	}
}

int
main(void)
{
	struct oidc_arena	*a;

	if ((a = oidc_arena_new(8192, 4 << 20)) == NULL)
		return 1;
	test_paths();
	test_metadata(a);
	test_normalised(a);
	test_secret(a);
	test_config(a);
	test_scope(a);
	oidc_arena_free(a);
	return done_testing();
}
