/*
 * cmd_jose.c: `oidcctl jose ...`: key generation, JWS signing and strict
 * verification for operators and tests (issue 3).  Everything goes through
 * oidc/jwk.h and oidc/jws.h, with the same rules the server applies.
 *
 * FILE arguments may hold one PEM key (PKCS#8, PKCS#1, SEC1, SPKI), one
 * JWK or a JWKS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

static int
usage(int rc)
{
	printf("usage: oidcctl jose keygen --alg ALG [--jwk] [--bits N]\n"
	    "       oidcctl jose sign --key FILE --alg ALG [--kid KID] "
	    "[--typ TYP]   < payload.json\n"
	    "       oidcctl jose verify --jwks FILE [--alg ALG]...  "
	    "< token\n"
	    "       oidcctl jose jwks --key FILE [--alg ALG]\n\n"
	    "ALG: HS256 HS384 HS512 RS256 RS384 RS512 ES256 ES384 ES512\n"
	    "     PS256 PS384 PS512 EdDSA Ed25519 Ed448 (EdDSA and Ed25519\n"
	    "     both use an Ed25519 key, RFC 9864)\n"
	    "FILE holds one PEM key, one JWK or a JWKS.\n\n"
	    "keygen  prints a new private key: PKCS#8 PEM, or with --jwk a\n"
	    "        private JWK whose kid is its RFC 7638 thumbprint.  RSA is\n"
	    "        2048 bits unless --bits 3072/4096...; HMAC keys (HS*) are\n"
	    "        32/48/64 random bytes and always printed as a JWK.\n"
	    "sign    reads a JSON object on stdin and prints the compact JWS\n"
	    "        signed with the key of FILE (the one with --kid, else\n"
	    "        the first private key that supports ALG).  The header is\n"
	    "        {\"alg\",\"kid\"[,\"typ\"]}.\n"
	    "verify  reads a compact JWS on stdin and prints its payload if,\n"
	    "        and only if, it verifies with a key of FILE under the\n"
	    "        strict rules of oidc/jws.h.  Allowed algorithms: the\n"
	    "        --alg options, else the algs the keys of FILE name.\n"
	    "jwks    prints the public JWKS of FILE (oct keys left out).\n\n"
	    "exit: 0 ok / valid, 1 failure / invalid token (one line on\n"
	    "stderr), 2 usage\n");
	return rc;
}

/* One line on stderr, with the log detail: this is an operator's tool. */
static void
fail(const char *what, const struct oidc_error *err)
{
	fprintf(stderr, "oidcctl: jose %s: %s%s%s\n", what,
	    err->public_desc != NULL ? err->public_desc : "",
	    err->public_desc != NULL && err->detail[0] != '\0' ? ": " : "",
	    err->detail);
}

static int
parse_alg(const char *s, enum oidc_jws_alg *alg)
{
	if (oidc_jws_alg_from_name(s, strlen(s), alg) != 1) {
		fprintf(stderr, "oidcctl: jose: unknown alg %s\n", s);
		return -1;
	}
	return 0;
}

/* Drop trailing whitespace (a shell's newline) from stdin input. */
static void
rtrim(const char *buf, size_t *len)
{
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r' ||
	    buf[*len - 1] == ' ' || buf[*len - 1] == '\t'))
		(*len)--;
}

static int
cmd_keygen(struct oidc_arena *a, int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidc_jwk		*key = NULL;
	struct oidc_json	*j;
	enum oidc_jws_alg	 alg = OIDC_JWS__MAX;
	uint64_t		 bits = 0;
	const char		*out;
	bool			 jwk = false;
	int			 i, rc = OIDCCTL_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			if (parse_alg(argv[++i], &alg) == -1)
				return OIDCCTL_USAGE;
		} else if (strcmp(argv[i], "--bits") == 0 && i + 1 < argc) {
			i++;
			if (oidc_parse_u64(argv[i], strlen(argv[i]),
			    OIDC_JWK_RSA_MIN_BITS, OIDC_JWK_RSA_MAX_BITS,
			    &bits) == -1) {
				fprintf(stderr, "oidcctl: jose keygen: --bits "
				    "must be %d..%d\n", OIDC_JWK_RSA_MIN_BITS,
				    OIDC_JWK_RSA_MAX_BITS);
				return OIDCCTL_USAGE;
			}
		} else if (strcmp(argv[i], "--jwk") == 0)
			jwk = true;
		else
			return usage(OIDCCTL_USAGE);
	}
	if (alg == OIDC_JWS__MAX)
		return usage(OIDCCTL_USAGE);
	if ((key = oidc_jwk_generate(alg, (unsigned)bits, &err)) == NULL) {
		fail("keygen", &err);
		goto out;
	}
	if (jwk || oidc_jwk_kty(key) == OIDC_JWK_OCT) {
		if ((j = oidc_jwk_private_json(key, a, &err)) == NULL ||
		    (out = oidc_json_serialize(j, a, NULL, &err)) == NULL) {
			fail("keygen", &err);
			goto out;
		}
		printf("%s\n", out);
	} else {
		if ((out = oidc_jwk_private_pem(key, a, &err)) == NULL) {
			fail("keygen", &err);
			goto out;
		}
		fputs(out, stdout);
	}
	rc = fflush(stdout) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
out:
	oidc_jwk_free(key);
	return rc;
}

static int
cmd_sign(struct oidc_arena *a, int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	struct oidc_json	*obj;
	const struct oidc_jwk	*key;
	enum oidc_jws_alg	 alg = OIDC_JWS__MAX;
	const char		*file = NULL, *kid = NULL, *typ = NULL;
	char			*in = NULL, *tok;
	size_t			 len = 0;
	int			 i, r, rc = OIDCCTL_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--kid") == 0 && i + 1 < argc)
			kid = argv[++i];
		else if (strcmp(argv[i], "--typ") == 0 && i + 1 < argc)
			typ = argv[++i];
		else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			if (parse_alg(argv[++i], &alg) == -1)
				return OIDCCTL_USAGE;
		} else
			return usage(OIDCCTL_USAGE);
	}
	if (file == NULL || alg == OIDC_JWS__MAX)
		return usage(OIDCCTL_USAGE);
	if ((ks = oidc_keyset_load(a, file, alg, kid, &err)) == NULL) {
		fail("sign", &err);
		goto out;
	}
	r = kid != NULL ? oidc_keyset_find_kid(ks, kid, strlen(kid), &key) :
	    oidc_keyset_find_alg(ks, alg, true, &key);
	if (r != 1) {
		fprintf(stderr, "oidcctl: jose sign: no %s signing key in %s\n",
		    oidc_jws_alg_name(alg), file);
		goto out;
	}
	if ((in = oidcctl_read_stdin(OIDC_JWS_MAX_LEN, &len)) == NULL) {
		fprintf(stderr, "oidcctl: jose sign: cannot read the payload "
		    "(at most %d bytes)\n", OIDC_JWS_MAX_LEN);
		goto out;
	}
	rtrim(in, &len);
	if (oidc_json_parse(a, in, len, OIDC_JWS_MAX_LEN, &obj, &err) == -1) {
		fprintf(stderr, "oidcctl: jose sign: the payload must be a "
		    "JSON object\n");
		rc = OIDCCTL_USAGE;
		goto out;
	}
	if ((tok = oidc_jws_sign(a, key, alg, typ, in, len, NULL,
	    &err)) == NULL) {
		fail("sign", &err);
		goto out;
	}
	printf("%s\n", tok);
	rc = fflush(stdout) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
out:
	free(in);
	oidc_keyset_free(ks);
	return rc;
}

static int
cmd_verify(struct oidc_arena *a, int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	struct oidc_jws		 jws;
	enum oidc_jws_alg	 alg;
	const char		*file = NULL;
	unsigned		 allowed = 0;
	char			*in = NULL;
	size_t			 len = 0;
	int			 i, rc = OIDCCTL_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--jwks") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			if (parse_alg(argv[++i], &alg) == -1)
				return OIDCCTL_USAGE;
			allowed |= OIDC_JWS_BIT(alg);
		} else
			return usage(OIDCCTL_USAGE);
	}
	if (file == NULL)
		return usage(OIDCCTL_USAGE);
	if ((ks = oidc_keyset_load(a, file, OIDC_JWS_ALG_ANY, NULL,
	    &err)) == NULL) {
		fail("verify", &err);
		goto out;
	}
	if (allowed == 0 && (allowed = oidc_keyset_algs(ks)) == 0) {
		fprintf(stderr, "oidcctl: jose verify: the keys of %s name no "
		    "alg; pass --alg\n", file);
		goto out;
	}
	/* One byte over the limit, so an oversize token fails as such. */
	if ((in = oidcctl_read_stdin(OIDC_JWS_MAX_LEN + 2, &len)) == NULL) {
		fprintf(stderr, "oidcctl: jose verify: cannot read the token "
		    "(at most %d bytes)\n", OIDC_JWS_MAX_LEN);
		goto out;
	}
	rtrim(in, &len);
	if (oidc_jws_verify(a, ks, allowed, in, len, &jws, &err) == -1) {
		fail("verify", &err);
		goto out;
	}
	if (fwrite(jws.payload, 1, jws.payload_len, stdout) !=
	    jws.payload_len || putchar('\n') == EOF || fflush(stdout) != 0)
		goto out;
	rc = OIDCCTL_OK;
out:
	free(in);
	oidc_keyset_free(ks);
	return rc;
}

static int
cmd_jwks(struct oidc_arena *a, int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	enum oidc_jws_alg	 alg = OIDC_JWS_ALG_ANY;
	const char		*file = NULL, *doc;
	int			 i, rc = OIDCCTL_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			if (parse_alg(argv[++i], &alg) == -1)
				return OIDCCTL_USAGE;
		} else
			return usage(OIDCCTL_USAGE);
	}
	if (file == NULL)
		return usage(OIDCCTL_USAGE);
	if ((ks = oidc_keyset_load(a, file, alg, NULL, &err)) == NULL ||
	    (doc = oidc_keyset_jwks(ks, a, NULL, &err)) == NULL) {
		fail("jwks", &err);
		goto out;
	}
	printf("%s\n", doc);
	rc = fflush(stdout) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
out:
	oidc_keyset_free(ks);
	return rc;
}

int
oidcctl_jose(int argc, char *argv[])
{
	struct oidc_arena	*a;
	int			 rc;

	if (argc < 2)
		return usage(OIDCCTL_USAGE);
	if (oidcctl_wants_help(argc, argv))
		return usage(OIDCCTL_OK);
	if ((a = oidc_arena_new(16384, 8 << 20)) == NULL) {
		fprintf(stderr, "oidcctl: jose: out of memory\n");
		return OIDCCTL_FAIL;
	}
	if (strcmp(argv[1], "keygen") == 0)
		rc = cmd_keygen(a, argc - 1, argv + 1);
	else if (strcmp(argv[1], "sign") == 0)
		rc = cmd_sign(a, argc - 1, argv + 1);
	else if (strcmp(argv[1], "verify") == 0)
		rc = cmd_verify(a, argc - 1, argv + 1);
	else if (strcmp(argv[1], "jwks") == 0)
		rc = cmd_jwks(a, argc - 1, argv + 1);
	else
		rc = usage(OIDCCTL_USAGE);
	oidc_arena_free(a);	/* wipes key material it held */
	return rc;
}
