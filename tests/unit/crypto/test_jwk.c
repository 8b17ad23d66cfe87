/*
 * test_jwk.c: JWK/PEM parsing, RFC 7638 thumbprints, key sets, key
 * generation and output (common/crypto/jwk.c).
 *
 * Vectors: tests/vectors/jose/ (see its README): RFC 7638 3.1, the RFC 7515
 * appendix A and RFC 7520 section 3 keys, and PEM keys in every container
 * we accept, each with a thumbprint computed by python3-jwcrypto.
 * Tests run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/jwk.h"

#include "tap.h"

#define VEC	"tests/vectors/jose/"

static struct oidc_jwk *
load_json(struct oidc_arena *a, const char *s)
{
	struct oidc_error	 err = { 0 };

	return oidc_jwk_parse_json(a, s, strlen(s), &err);
}

/* Every key file against the thumbprint jwcrypto computed for it. */
static void
test_thumbprints(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_keyset	*ks;
	const struct oidc_jwk	*k;
	char			 line[256], path[300], *sp;
	FILE			*f;

	if ((f = fopen(VEC "thumbprints.txt", "r")) == NULL) {
		ok(0, "thumbprints.txt readable");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		(void)snprintf(path, sizeof(path), VEC "%s", line);
		memset(&err, 0, sizeof(err));
		ks = oidc_keyset_load(a, path, OIDC_JWS_ALG_ANY, NULL, &err);
		ok(ks != NULL, "load %s (%s)", line, err.detail);
		if (ks == NULL)
			continue;
		k = oidc_keyset_get(ks, 0);
		is_str(oidc_jwk_thumbprint(k), sp, line);
		oidc_keyset_free(ks);
		oidc_arena_reset(a);
	}
	fclose(f);
}

/* RFC 7638 3.1, and kid defaulting to the thumbprint. */
static void
test_rfc7638(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_jwk		*k;
	char			*s;
	size_t			 len;

	s = tap_slurp(VEC "rfc7638_3_1.jwk", &len);
	k = oidc_jwk_parse_json(a, s, len, &err);
	ok(k != NULL, "rfc7638 key parses");
	if (k != NULL) {
		is_str(oidc_jwk_thumbprint(k),
		    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
		    "rfc7638_3_1 thumbprint");
		is_str(oidc_jwk_kid(k), "2011-04-29", "given kid kept");
		ok(oidc_jwk_alg(k) == OIDC_JWS_RS256, "alg member pins RS256");
		ok(!oidc_jwk_is_private(k), "public key");
		ok(oidc_jwk_supports(k, OIDC_JWS_RS256), "supports RS256");
		ok(!oidc_jwk_supports(k, OIDC_JWS_RS512), "pinned: not RS512");
		ok(!oidc_jwk_supports(k, OIDC_JWS_HS256), "never HS256");
	}
	oidc_jwk_free(k);
	free(s);

	s = tap_slurp(VEC "rfc7515_a3_es256.jwk", &len);
	k = oidc_jwk_parse_json(a, s, len, &err);
	ok(k != NULL && strcmp(oidc_jwk_kid(k), oidc_jwk_thumbprint(k)) == 0,
	    "no kid: kid is the thumbprint");
	ok(k != NULL && oidc_jwk_alg(k) == OIDC_JWS_ES256,
	    "P-256 key pinned to ES256");
	ok(k != NULL && oidc_jwk_is_private(k), "d makes it private");
	oidc_jwk_free(k);
	free(s);
	oidc_arena_reset(a);
}

static void
test_alg_names(void)
{
	enum oidc_jws_alg	 alg, back;
	unsigned		 i;

	for (i = 0; i < OIDC_JWS__MAX; i++) {
		alg = (enum oidc_jws_alg)i;
		ok(oidc_jws_alg_from_name(oidc_jws_alg_name(alg),
		    strlen(oidc_jws_alg_name(alg)), &back) == 1 && back == alg,
		    "alg name round trip %s", oidc_jws_alg_name(alg));
	}
	ok(oidc_jws_alg_from_name("none", 4, &back) == 0, "none is unknown");
	ok(oidc_jws_alg_from_name("hs256", 5, &back) == 0,
	    "names are case-sensitive");
	ok(oidc_jws_alg_from_name("HS25", 4, &back) == 0, "prefix unknown");
	ok(oidc_jws_alg_name(OIDC_JWS__MAX) == NULL, "no name for __MAX");

	ok(oidc_jws_alg_name_is_hs(OIDC_STR("HS256")) &&
	    oidc_jws_alg_name_is_hs(OIDC_STR("HS384")) &&
	    oidc_jws_alg_name_is_hs(OIDC_STR("HS512")), "is_hs: HS256/384/512");
	ok(!oidc_jws_alg_name_is_hs(OIDC_STR("RS256")), "is_hs: RS256");
	ok(!oidc_jws_alg_name_is_hs(OIDC_STR("HS999")), "is_hs: unknown HS*");
	ok(!oidc_jws_alg_name_is_hs(OIDC_STR("hs256")), "is_hs: lower case");
	ok(!oidc_jws_alg_name_is_hs(OIDC_STR_NULL), "is_hs: absent");
}

/* Generate, export (JWK and PEM, private and public), re-import. */
static void
test_generate(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_jwk		*k, *k2;
	struct oidc_json	*j;
	const char		*s;
	char			*pem;
	size_t			 len;
	unsigned		 i;

	for (i = 0; i < OIDC_JWS__MAX; i++) {
		const char *name = oidc_jws_alg_name((enum oidc_jws_alg)i);

		memset(&err, 0, sizeof(err));
		k = oidc_jwk_generate((enum oidc_jws_alg)i, 0, &err);
		ok(k != NULL, "keygen %s", name);
		if (k == NULL)
			continue;
		ok(oidc_jwk_alg(k) == (enum oidc_jws_alg)i &&
		    oidc_jwk_is_private(k), "%s key pinned and private", name);
		j = oidc_jwk_private_json(k, a, &err);
		s = j != NULL ? oidc_json_serialize(j, a, &len, &err) : NULL;
		k2 = s != NULL ? oidc_jwk_parse_json(a, s, len, &err) : NULL;
		ok(k2 != NULL && oidc_jwk_is_private(k2) &&
		    strcmp(oidc_jwk_thumbprint(k), oidc_jwk_thumbprint(k2)) ==
		    0 && strcmp(oidc_jwk_kid(k2), oidc_jwk_kid(k)) == 0,
		    "%s private JWK round trip", name);
		oidc_jwk_free(k2);
		if (oidc_jwk_kty(k) == OIDC_JWK_OCT) {
			ok(oidc_jwk_public_json(k, a, &err) == NULL,
			    "oct key has no public JWK");
			memset(&err, 0, sizeof(err));
			ok(oidc_jwk_private_pem(k, a, &err) == NULL,
			    "oct key has no PEM");
			oidc_jwk_free(k);
			oidc_arena_reset(a);
			continue;
		}
		j = oidc_jwk_public_json(k, a, &err);
		ok(j != NULL && !oidc_json_has(j, "d") &&
		    !oidc_json_has(j, "p") && oidc_json_has(j, "kid") &&
		    oidc_json_has(j, "alg"), "%s public JWK has no secret",
		    name);
		s = j != NULL ? oidc_json_serialize(j, a, &len, &err) : NULL;
		k2 = s != NULL ? oidc_jwk_parse_json(a, s, len, &err) : NULL;
		ok(k2 != NULL && !oidc_jwk_is_private(k2) &&
		    strcmp(oidc_jwk_thumbprint(k), oidc_jwk_thumbprint(k2)) ==
		    0, "%s public JWK round trip", name);
		oidc_jwk_free(k2);
		pem = oidc_jwk_private_pem(k, a, &err);
		k2 = pem != NULL ? oidc_jwk_parse_pem(a, pem, strlen(pem),
		    (enum oidc_jws_alg)i, NULL, &err) : NULL;
		ok(k2 != NULL && oidc_jwk_is_private(k2) &&
		    strcmp(oidc_jwk_thumbprint(k), oidc_jwk_thumbprint(k2)) ==
		    0, "%s PKCS#8 PEM round trip", name);
		oidc_jwk_free(k2);
		pem = oidc_jwk_public_pem(k, a, &err);
		k2 = pem != NULL ? oidc_jwk_parse_pem(a, pem, strlen(pem),
		    OIDC_JWS_ALG_ANY, "pem-kid", &err) : NULL;
		ok(k2 != NULL && !oidc_jwk_is_private(k2) &&
		    strcmp(oidc_jwk_kid(k2), "pem-kid") == 0 &&
		    strcmp(oidc_jwk_thumbprint(k), oidc_jwk_thumbprint(k2)) ==
		    0, "%s SPKI PEM round trip", name);
		oidc_jwk_free(k2);
		oidc_jwk_free(k);
		oidc_arena_reset(a);
	}
	memset(&err, 0, sizeof(err));
	ok(oidc_jwk_generate(OIDC_JWS_RS256, 1024, &err) == NULL &&
	    err.code == OIDC_E_CONFIG, "keygen refuses RSA 1024");
	memset(&err, 0, sizeof(err));
	k = oidc_jwk_generate(OIDC_JWS_PS256, 3072, &err);
	ok(k != NULL, "keygen RSA 3072");
	oidc_jwk_free(k);
}

struct bad {
	const char	*name;
	const char	*json;
};

static const struct bad bad_keys[] = {
	{ "no kty", "{\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T"
	    "-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}" },
	{ "unknown kty", "{\"kty\":\"XYZ\"}" },
	{ "enc key", "{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"AyM1SysPpbyDfg"
	    "Zld3umj1qzKObwVMkoqQ-EstJQLr_T\"}" },
	{ "oct too short", "{\"kty\":\"oct\",\"k\":\"AAECAwQFBgcICQ\"}" },
	{ "oct too short for HS512", "{\"kty\":\"oct\",\"alg\":\"HS512\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}" },
	{ "oct with RS256", "{\"kty\":\"oct\",\"alg\":\"RS256\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}" },
	{ "alg none", "{\"kty\":\"oct\",\"alg\":\"none\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}" },
	{ "bad base64url", "{\"kty\":\"oct\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG+Onbc6mxCcYg\"}" },
	{ "EC short x", "{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
	{ "EC point off the curve", "{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}" },
	{ "EC d does not match", "{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
	    "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LM\"}" },
	{ "EC P-256 with ES384", "{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"alg\":\"ES384\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
	{ "EC secp256k1", "{\"kty\":\"EC\",\"crv\":\"secp256k1\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
	{ "OKP X25519", "{\"kty\":\"OKP\",\"crv\":\"X25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}" },
	{ "Ed25519 x does not match d", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp\"}" },
	{ "RSA missing e", "{\"kty\":\"RSA\",\"n\":\"AQAB\"}" },
	{ "RSA multi-prime", "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\","
	    "\"oth\":[]}" },
	{ "RSA tiny modulus", "{\"kty\":\"RSA\",\"n\":\"AQAB\","
	    "\"e\":\"AQAB\"}" },
	{ "kid not a string", "{\"kty\":\"oct\",\"kid\":7,"
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}" },
	{ "empty kid", "{\"kty\":\"oct\",\"kid\":\"\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}" },
	{ "not JSON", "kty=oct" },
	{ "array", "[{\"kty\":\"oct\"}]" },
};

static void
test_bad_keys(struct oidc_arena *a)
{
	struct oidc_jwk	*k;
	size_t		 i;

	for (i = 0; i < OIDC_NELEM(bad_keys); i++) {
		k = load_json(a, bad_keys[i].json);
		ok(k == NULL, "refused: %s", bad_keys[i].name);
		oidc_jwk_free(k);
		oidc_arena_reset(a);
	}
}

/* RSA private JWK without CRT members: refused (we need them all). */
static void
test_rsa_partial_private(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*j;
	struct oidc_jwk		*k;
	const char		*s;
	char			*buf;
	size_t			 len;

	buf = tap_slurp(VEC "rfc7515_a2_rs256.jwk", &len);
	ok(oidc_json_parse(a, buf, len, 0, &j, &err) == 0, "A.2 key JSON");
	oidc_json_del(j, "qi");
	s = oidc_json_serialize(j, a, &len, &err);
	k = oidc_jwk_parse_json(a, s, len, &err);
	ok(k == NULL, "RSA private key without qi refused");
	oidc_jwk_free(k);
	free(buf);
	oidc_arena_reset(a);
}

static void
test_keyset(struct oidc_arena *a)
{
	static const char jwks[] =
	    "{\"keys\":["
	    "{\"kty\":\"EC\",\"kid\":\"ec1\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
	    "{\"kty\":\"oct\",\"kid\":\"enc1\",\"use\":\"enc\","
	    "\"k\":\"AAPapAv4LbFbiVawEjagUBluYqN5rhna-8nuldDvOx8\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"X448\",\"x\":\"AAAA\"},"
	    "{\"kty\":\"RSA\",\"alg\":\"RSA-OAEP\",\"n\":\"AQAB\","
	    "\"e\":\"AQAB\"},"
	    "{\"kty\":\"oct\",\"kid\":\"hs\",\"alg\":\"HS256\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}"
	    "]}";
	static const char dup[] =
	    "{\"keys\":["
	    "{\"kty\":\"oct\",\"kid\":\"a\","
	    "\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"},"
	    "{\"kty\":\"oct\",\"kid\":\"a\","
	    "\"k\":\"AAPapAv4LbFbiVawEjagUBluYqN5rhna-8nuldDvOx8\"}]}";
	static const char badmember[] =
	    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\","
	    "\"y\":\"AA\"}]}";
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	const struct oidc_jwk	*k;
	const char		*doc;
	size_t			 len;

	ks = oidc_keyset_parse(a, jwks, sizeof(jwks) - 1, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks != NULL, "JWKS parses (%s)", err.detail);
	if (ks == NULL)
		return;
	is_int(oidc_keyset_count(ks), 2, "enc, X448, RSA-OAEP keys skipped");
	ok(oidc_keyset_find_kid(ks, "ec1", 3, &k) == 1 &&
	    oidc_jwk_alg(k) == OIDC_JWS_ES256, "find kid ec1");
	ok(oidc_keyset_find_kid(ks, "ec", 2, &k) == 0, "kid prefix not found");
	ok(oidc_keyset_find_kid(ks, "enc1", 4, &k) == 0, "skipped key absent");
	ok(oidc_keyset_find_alg(ks, OIDC_JWS_HS256, false, &k) == 1 &&
	    strcmp(oidc_jwk_kid(k), "hs") == 0, "find alg HS256");
	ok(oidc_keyset_find_alg(ks, OIDC_JWS_ES256, true, &k) == 0,
	    "no private ES256 key");
	ok(oidc_keyset_algs(ks) == (OIDC_JWS_BIT(OIDC_JWS_ES256) |
	    OIDC_JWS_BIT(OIDC_JWS_HS256)), "alg mask");
	doc = oidc_keyset_jwks(ks, a, &len, &err);
	ok(doc != NULL && strstr(doc, "\"ec1\"") != NULL &&
	    strstr(doc, "\"hs\"") == NULL && strstr(doc, "\"k\"") == NULL,
	    "JWKS output leaves oct keys out");
	ok(doc != NULL && strncmp(doc, "{\"keys\":[{\"kty\":\"EC\","
	    "\"kid\":\"ec1\",\"use\":\"sig\",\"alg\":\"ES256\","
	    "\"crv\":\"P-256\",", 71) == 0, "JWKS member layout");
	oidc_keyset_free(ks);

	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_parse(a, dup, sizeof(dup) - 1, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks == NULL && err.code == OIDC_E_CONFIG, "duplicate kid refused");
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_parse(a, badmember, sizeof(badmember) - 1,
	    OIDC_JWS_ALG_ANY, NULL, &err);
	ok(ks == NULL, "malformed member of a supported type fails the set");
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_parse(a, "{\"keys\":[]}", 11, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks == NULL, "empty JWKS refused");
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load(a, VEC "does-not-exist", OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks == NULL && err.code == OIDC_E_IO, "missing file is OIDC_E_IO");
	/* The detail names the path (issue 20), never the contents. */
	ok(strcmp(err.detail, "key file " VEC "does-not-exist: "
	    "No such file or directory") == 0,
	    "missing file: the detail names the path (%s)", err.detail);
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load_as(a, "signing_key", VEC "does-not-exist",
	    OIDC_JWS_ALG_ANY, NULL, &err);
	ok(ks == NULL && strcmp(err.detail, "signing_key " VEC
	    "does-not-exist: No such file or directory") == 0,
	    "missing file: load_as names the config key and the path (%s)",
	    err.detail);
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load_as(a, "signing_key", VEC, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks == NULL && err.code == OIDC_E_IO && strcmp(err.detail,
	    "signing_key " VEC ": Is a directory") == 0,
	    "a directory: the read error names the config key and the path "
	    "(%s)", err.detail);
	oidc_keyset_free(ks);
	oidc_arena_reset(a);
}

static void
test_pem(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	const struct oidc_jwk	*k;
	char			*buf;
	size_t			 len;

	ks = oidc_keyset_load(a, VEC "rsa2048_pkcs1.pem", OIDC_JWS_PS256,
	    "rsa1", &err);
	k = ks != NULL ? oidc_keyset_get(ks, 0) : NULL;
	ok(k != NULL && oidc_jwk_is_private(k) &&
	    oidc_jwk_alg(k) == OIDC_JWS_PS256 &&
	    strcmp(oidc_jwk_kid(k), "rsa1") == 0, "PKCS#1 private, pinned");
	oidc_keyset_free(ks);
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load(a, VEC "rsa2048_pkcs1_pub.pem",
	    OIDC_JWS_ALG_ANY, NULL, &err);
	k = ks != NULL ? oidc_keyset_get(ks, 0) : NULL;
	ok(k != NULL && !oidc_jwk_is_private(k) &&
	    oidc_jwk_alg(k) == OIDC_JWS_ALG_ANY &&
	    oidc_jwk_supports(k, OIDC_JWS_RS256) &&
	    oidc_jwk_supports(k, OIDC_JWS_PS512), "PKCS#1 public, unpinned");
	oidc_keyset_free(ks);
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load(a, VEC "ec384_sec1.pem", OIDC_JWS_ES256, NULL,
	    &err);
	ok(ks == NULL && err.code == OIDC_E_CONFIG,
	    "P-384 key refused for ES256");
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load(a, VEC "ed25519_pkcs8.pem", OIDC_JWS_HS256,
	    NULL, &err);
	ok(ks == NULL, "Ed25519 key refused for HS256");
	buf = tap_slurp(VEC "rsa2048_pkcs1.pem", &len);
	memset(&err, 0, sizeof(err));
	ok(oidc_jwk_parse_pem(a, buf, len / 2, OIDC_JWS_ALG_ANY, NULL,
	    &err) == NULL, "truncated PEM refused");
	free(buf);
	memset(&err, 0, sizeof(err));
	ok(oidc_jwk_parse_pem(a, "-----BEGIN PRIVATE KEY-----\n", 28,
	    OIDC_JWS_ALG_ANY, NULL, &err) == NULL, "garbage PEM refused");
	oidc_arena_reset(a);
}

/*
 * oidc_jwk_dup: a private copy signs what the original verifies (and the
 * other way round), keeps kid, alg and thumbprint, and outlives the
 * original (the shared EVP_PKEY is reference counted); a public copy of a
 * private key is public.
 */
static void
test_dup(struct oidc_arena *a)
{
	static const char *const files[] = { "rfc7515_a2_rs256.jwk",
	    "rfc7515_a3_es256.jwk", "rfc7520_4_2_ps384.jwk",
	    "rfc7515_a1_hs256.jwk" };
	static const char	 msg[] = "eyJhbGciOiJSUzI1NiJ9.e30";
	struct oidc_error	 err;
	struct oidc_jwk		*k, *priv, *pub;
	enum oidc_jws_alg	 alg;
	unsigned char		 sig[1024];
	size_t			 i, len, slen;
	char			*s, thumb[64], path[200];

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		memset(&err, 0, sizeof(err));
		(void)snprintf(path, sizeof(path), VEC "%s", files[i]);
		s = tap_slurp(path, &len);
		k = s != NULL ? oidc_jwk_parse_json(a, s, len, &err) : NULL;
		free(s);
		ok(k != NULL && oidc_jwk_is_private(k), "dup: %s loads "
		    "private", files[i]);
		if (k == NULL)
			continue;
		alg = oidc_jwk_alg(k);
		if (alg == OIDC_JWS_ALG_ANY)
			alg = oidc_jwk_kty(k) == OIDC_JWK_RSA ? OIDC_JWS_RS256 :
			    OIDC_JWS_HS256;
		(void)snprintf(thumb, sizeof(thumb), "%s",
		    oidc_jwk_thumbprint(k));
		priv = oidc_jwk_dup(k, true, a, &err);
		pub = oidc_jwk_kty(k) == OIDC_JWK_OCT ? NULL :
		    oidc_jwk_dup(k, false, a, &err);
		ok(priv != NULL && oidc_jwk_is_private(priv) &&
		    strcmp(oidc_jwk_kid(priv), oidc_jwk_kid(k)) == 0 &&
		    strcmp(oidc_jwk_thumbprint(priv), thumb) == 0 &&
		    oidc_jwk_alg(priv) == oidc_jwk_alg(k),
		    "dup: %s private copy keeps kid, thumbprint, alg",
		    files[i]);
		if (oidc_jwk_kty(k) != OIDC_JWK_OCT)
			ok(pub != NULL && !oidc_jwk_is_private(pub) &&
			    strcmp(oidc_jwk_thumbprint(pub), thumb) == 0,
			    "dup: %s public copy is public, same thumbprint",
			    files[i]);
		slen = sizeof(sig);
		ok(oidc_jwk_sign(k, alg, msg, sizeof(msg) - 1, sig, &slen,
		    &err) == 0, "dup: %s original signs", files[i]);
		oidc_jwk_free(k);	/* the copies must not depend on it */
		ok(priv != NULL && oidc_jwk_verify(priv, alg, msg,
		    sizeof(msg) - 1, sig, slen, &err) == 1,
		    "dup: %s the copy verifies after the original is freed",
		    files[i]);
		slen = sizeof(sig);
		ok(priv != NULL && oidc_jwk_sign(priv, alg, msg,
		    sizeof(msg) - 1, sig, &slen, &err) == 0 &&
		    (pub == NULL || oidc_jwk_verify(pub, alg, msg,
		    sizeof(msg) - 1, sig, slen, &err) == 1),
		    "dup: %s the copy signs, the public copy verifies",
		    files[i]);
		oidc_jwk_free(priv);
		oidc_jwk_free(pub);
		oidc_arena_reset(a);
	}
}

/*
 * RFC 9864: which names an OKP key serves.  An Ed25519 key without "alg"
 * (a client's JWKS, a PEM) serves both "EdDSA" and "Ed25519", as an RSA
 * key without one serves RS* and PS*; with "alg" it serves that name only.
 * An Ed448 key serves "Ed448" only ("EdDSA" stays Ed25519-only).
 */
#define X25519	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define X448	"\"x\":\"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhv" \
	"WeD3x5Q9s0foavq_oJWGA\"}"
#define OKP(crv) "{\"kty\":\"OKP\",\"crv\":\"" crv "\","

static const struct okp_case {
	const char	*name;
	const char	*json;
	const char	*pinned;	/* NULL: unpinned; "-": refused */
	const char	*serves;	/* names it supports, space-separated */
} okp_cases[] = {
	{ "Ed25519 key without alg: EdDSA and Ed25519",
	    OKP("Ed25519") X25519, NULL, "EdDSA Ed25519" },
	{ "Ed25519 key with alg Ed25519: that name only",
	    OKP("Ed25519") "\"alg\":\"Ed25519\"," X25519, "Ed25519", "Ed25519" },
	{ "Ed25519 key with alg EdDSA: that name only",
	    OKP("Ed25519") "\"alg\":\"EdDSA\"," X25519, "EdDSA", "EdDSA" },
	{ "Ed448 key without alg: Ed448 only", OKP("Ed448") X448, "Ed448",
	    "Ed448" },
	{ "Ed448 key with alg EdDSA refused",
	    OKP("Ed448") "\"alg\":\"EdDSA\"," X448, "-", "" },
	{ "Ed25519 key with alg Ed448 refused",
	    OKP("Ed25519") "\"alg\":\"Ed448\"," X25519, "-", "" },
	{ "Ed448 x of the wrong length refused",
	    OKP("Ed448") "\"x\":\"AAAA\"}", "-", "" },
};

/* Does k support exactly the algs named in `serves` among the OKP ones? */
static bool
serves_exactly(const struct oidc_jwk *k, const char *serves)
{
	static const char *const names[] = { "EdDSA", "Ed25519", "Ed448" };
	enum oidc_jws_alg	 alg;
	size_t			 i, n;
	const char		*p;
	bool			 want;

	for (i = 0; i < OIDC_NELEM(names); i++) {
		n = strlen(names[i]);
		want = false;
		for (p = serves; (p = strstr(p, names[i])) != NULL; p += n)
			if (p[n] == ' ' || p[n] == '\0')
				want = true;
		if (oidc_jws_alg_from_name(names[i], n, &alg) != 1 ||
		    oidc_jwk_supports(k, alg) != want)
			return false;
	}
	return true;
}

static void
test_okp_names(struct oidc_arena *a)
{
	const struct okp_case	*c;
	enum oidc_jws_alg	 pin, ed25519;
	struct oidc_error	 err;
	struct oidc_keyset	*ks;
	struct oidc_jwk		*k;
	size_t			 i;

	ok(oidc_jws_alg_from_name("Ed25519", 7, &ed25519) == 1 &&
	    oidc_jws_alg_kty(ed25519) == OIDC_JWK_OKP &&
	    oidc_jws_alg_from_name("Ed448", 5, &pin) == 1 &&
	    oidc_jws_alg_kty(pin) == OIDC_JWK_OKP,
	    "Ed25519 and Ed448 are JWS alg names for OKP keys");
	for (i = 0; i < OIDC_NELEM(okp_cases); i++) {
		c = &okp_cases[i];
		memset(&err, 0, sizeof(err));
		k = oidc_jwk_parse_json(a, c->json, strlen(c->json), &err);
		if (c->pinned != NULL && strcmp(c->pinned, "-") == 0) {
			ok(k == NULL && err.code == OIDC_E_CONFIG, "%s",
			    c->name);
			oidc_jwk_free(k);
			continue;
		}
		pin = OIDC_JWS_ALG_ANY;
		if (c->pinned != NULL && oidc_jws_alg_from_name(c->pinned,
		    strlen(c->pinned), &pin) != 1)
			pin = OIDC_JWS__MAX + 1;
		ok(k != NULL && oidc_jwk_alg(k) == pin &&
		    serves_exactly(k, c->serves), "%s", c->name);
		oidc_jwk_free(k);
	}
	/* A PEM Ed25519 key without an alg is unpinned too. */
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_load(a, VEC "ed25519_spki.pem", OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(ks != NULL && serves_exactly(oidc_keyset_get(ks, 0),
	    "EdDSA Ed25519"), "SPKI Ed25519 without alg: both names");
	oidc_keyset_free(ks);
	memset(&err, 0, sizeof(err));
	if (oidc_jws_alg_from_name("Ed25519", 7, &ed25519) == 1) {
		ks = oidc_keyset_load(a, VEC "ed25519_pkcs8.pem", ed25519,
		    NULL, &err);
		ok(ks != NULL && oidc_jwk_alg(oidc_keyset_get(ks, 0)) ==
		    ed25519, "PKCS#8 Ed25519 pinned to Ed25519 by the loader");
		oidc_keyset_free(ks);
	}
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(8192, 4 << 20);
	test_alg_names();
	test_rfc7638(a);
	test_thumbprints(a);
	test_generate(a);
	test_bad_keys(a);
	test_rsa_partial_private(a);
	test_keyset(a);
	test_pem(a);
	test_dup(a);
	test_okp_names(a);
	oidc_arena_free(a);
	return done_testing();
}
