/*
 * test_access_token.c: presented access tokens (common/oidc/
 * access_token.c): an opaque value's row hash is its SHA-256; a JWT of
 * ours names its row by jti; every other JWT (another signer, no typ or
 * typ JWT, another iss, expired, a jti that is not a token hash, broken
 * signature, alg none) matches nothing.  The tokens are the fuzz corpus
 * (tests/fuzz/corpus/access_token/README), whose public key is repeated
 * here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/json.h"
#include "oidc/jwk.h"

#include "tap.h"

#define CORPUS	"tests/fuzz/corpus/access_token/"

static const char jwks[] =
    "{\"keys\":["
    "{\"kty\":\"RSA\",\"kid\":\"fuzz-at\",\"alg\":\"RS256\",\"n\""
    ":\"wNC1jPvNh-HjehyEgwymgL4LyQVx5VhJqtUvUGz9oMf9W8F4yG-N_icXL"
    "StgXL1umVSZqaQAeCB89cquIbrEXaAAls7OqLoYObapyE7bEhhtEs7EAuql3"
    "HWXIECfEHtBo02xIjeHhQVbYjtmUhDSGox-WFu9EHC3YcKcXF6dg6Ec0eUMD"
    "88cyw8J0qYZyI5nhXez4PnDEWaN7Agt4QTuupFk8QJ-nXzdhu71V0kgaBFh2"
    "OB-aLgRdLqWRDyvPNt0_SZFxlETP7vtEwVooXvsAIrBVkgTHjtZIERBqt0pP"
    "8Qo8aIzGEkN3x24ubK6toFbXY3x0mx0MTO9i_oP9kBTEQ\",\"e\":\"AQAB"
    "\"}"
    "]}";

static struct oidc_config	 cfg;
static struct oidc_ctx		 ctx;
static const unsigned char	 zero[OIDC_SHA256_LEN];

/* The row hash of corpus file `name` (trailing newline dropped). */
static void
hash_of(const char *name, unsigned char *h)
{
	struct oidc_error	 err = { 0 };
	char			 path[256];
	char			*s;
	size_t			 len;

	snprintf(path, sizeof(path), CORPUS "%s", name);
	if ((s = tap_slurp(path, &len)) == NULL) {
		ok(0, "read %s", path);
		memset(h, 0xff, OIDC_SHA256_LEN);
		return;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (oidc_at_presented_hash(&ctx, (struct oidc_str){ s, len }, h,
	    &err) == -1)
		ok(0, "presented_hash %s: %s", name, err.detail);
	free(s);
}

static void
test_presented(void)
{
	unsigned char	 h[OIDC_SHA256_LEN], want[OIDC_SHA256_LEN];
	struct oidc_error err = { 0 };
	const char	*bad[] = { "no_typ", "jwt_typ", "other_iss",
			    "short_jti" };
	size_t		 i;

	if (oidc_sha256("row", 3, want, &err) == -1)
		abort();
	hash_of("valid", h);
	is_mem(h, sizeof(h), want, sizeof(want),
	    "a JWT of ours (typ at+jwt): its jti is the row hash");
	hash_of("dpop_cnf", h);
	is_mem(h, sizeof(h), want, sizeof(want),
	    "typ application/at+jwt: accepted too");
	for (i = 0; i < OIDC_NELEM(bad); i++) {
		hash_of(bad[i], h);
		ok(memcmp(h, zero, sizeof(h)) == 0, "%s: matches nothing",
		    bad[i]);
	}
	ctx.now = 1700003600 + 1;
	hash_of("valid", h);
	is_mem(h, sizeof(h), zero, sizeof(zero), "expired: matches nothing");
	ctx.now = 1700000100;
	ctx.keys = NULL;
	hash_of("valid", h);
	is_mem(h, sizeof(h), zero, sizeof(zero),
	    "no keys here: matches nothing");
}

static void
test_opaque_and_forged(struct oidc_keyset *ks)
{
	struct oidc_error	 err = { 0 };
	unsigned char		 h[OIDC_SHA256_LEN], want[OIDC_SHA256_LEN];
	char			*s, big[OIDC_AT_MAX_LEN + 1];
	size_t			 len;

	ctx.keys = ks;
	ok(oidc_at_presented_hash(&ctx, OIDC_STR("abc_-XYZ"), h, &err) == 0 &&
	    oidc_sha256("abc_-XYZ", 8, want, &err) == 0 &&
	    memcmp(h, want, sizeof(h)) == 0, "opaque: SHA-256 of the value");
	memset(big, 'a', sizeof(big));
	ok(oidc_at_presented_hash(&ctx, (struct oidc_str){ big,
	    sizeof(big) }, h, &err) == 0 && memcmp(h, zero, sizeof(h)) == 0,
	    "over OIDC_AT_MAX_LEN: matches nothing");
	if ((s = tap_slurp(CORPUS "valid", &len)) == NULL)
		abort();
	while (len > 0 && s[len - 1] == '\n')
		len--;
	s[len - 5] = s[len - 5] == 'A' ? 'B' : 'A';
	ok(oidc_at_presented_hash(&ctx, (struct oidc_str){ s, len }, h,
	    &err) == 0 && memcmp(h, zero, sizeof(h)) == 0,
	    "a broken signature: matches nothing");
	free(s);
	ok(oidc_at_presented_hash(&ctx, OIDC_STR("eyJhbGciOiJub25lIiwidHlwIj"
	    "oiYXQrand0In0.eyJqdGkiOiJ4In0."), h, &err) == 0 &&
	    memcmp(h, zero, sizeof(h)) == 0, "alg_none: matches nothing");
}

static void
test_is_jwt(struct oidc_arena *a)
{
	struct oidc_client	 c;

	memset(&c, 0, sizeof(c));
	cfg.access_token_format = OIDC_AT_OPAQUE;
	ok(!oidc_at_is_jwt(&cfg, &c), "no member, config opaque: opaque");
	cfg.access_token_format = OIDC_AT_JWT;
	ok(oidc_at_is_jwt(&cfg, &c), "no member, config jwt: jwt");
	c.metadata = tap_json(a, "{\"access_token_format\":\"opaque\"}");
	ok(!oidc_at_is_jwt(&cfg, &c), "member opaque wins over config jwt");
	cfg.access_token_format = OIDC_AT_OPAQUE;
	c.metadata = tap_json(a, "{\"access_token_format\":\"jwt\"}");
	ok(oidc_at_is_jwt(&cfg, &c), "member jwt wins over config opaque");
}

int
main(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_arena	*a;
	struct oidc_keyset	*ks;

	if ((a = oidc_arena_new(4096, 4 << 20)) == NULL ||
	    (ks = oidc_keyset_parse(a, jwks, sizeof(jwks) - 1,
	    OIDC_JWS_ALG_ANY, NULL, &err)) == NULL)
		abort();
	cfg.issuer = "https://op.example";
	ctx.cfg = &cfg;
	ctx.a = a;
	ctx.now = 1700000100;
	ctx.keys = ks;
	test_presented();
	test_opaque_and_forged(ks);
	test_is_jwt(a);
	oidc_keyset_free(ks);
	oidc_arena_free(a);
	return done_testing();
}
