/*
 * jose_bench.c: JWS signs and verifies per second for each algorithm.
 *
 * Keys are generated and parsed once; each measurement runs for about
 * `seconds` (argv[1], default 1).  Two rates per operation:
 *   jws   the whole compact operation (oidc_jws_sign of a ~200-byte ID
 *         token / oidc_jws_verify with header parsing, key selection and
 *         payload decoding);
 *   raw   the signature primitive alone (oidc_jwk_sign/oidc_jwk_verify over
 *         a 256-byte message), comparable to `openssl speed`.
 * Output: a table, then one machine-readable line per alg
 * "R <alg> <jws_sign> <jws_verify> <raw_sign> <raw_verify>" for
 * bench/jose_bench.sh.  Not a test: it never fails on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum op { SIGN, VERIFY, RAW_SIGN, RAW_VERIFY };

struct ctx {
	struct oidc_arena	*a;
	const struct oidc_jwk	*priv;
	struct oidc_keyset	*pub;
	enum oidc_jws_alg	 alg;
	const char		*tok;
	size_t			 toklen;
	unsigned char		 msg[256];
	unsigned char		 sig[OIDC_JWS_MAX_SIG];
	size_t			 siglen;
};

static const char claims[] =
    "{\"iss\":\"https://op.example.com\",\"sub\":\"248289761001\","
    "\"aud\":\"s6BhdRkqt3\",\"nonce\":\"n-0S6_WzA2Mj\","
    "\"exp\":1311281970,\"iat\":1311280970,\"auth_time\":1311280969,"
    "\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}";

/* One operation; 0 ok, -1 failure (the bench then stops). */
static int
once(struct ctx *c, enum op op)
{
	struct oidc_error	 err = { 0 };
	struct oidc_jws		 jws;
	size_t			 n;
	int			 r;

	switch (op) {
	case SIGN:
		r = oidc_jws_sign(c->a, c->priv, c->alg, NULL, claims,
		    sizeof(claims) - 1, &n, &err) != NULL ? 0 : -1;
		break;
	case VERIFY:
		r = oidc_jws_verify(c->a, c->pub, OIDC_JWS_BIT(c->alg),
		    c->tok, c->toklen, &jws, &err);
		break;
	case RAW_SIGN:
		n = sizeof(c->sig);
		r = oidc_jwk_sign(c->priv, c->alg, c->msg, sizeof(c->msg),
		    c->sig, &n, &err);
		break;
	default:
		r = oidc_jwk_verify(c->priv, c->alg, c->msg, sizeof(c->msg),
		    c->sig, c->siglen, &err) == 1 ? 0 : -1;
		break;
	}
	if (r == -1)
		fprintf(stderr, "jose_bench: %s: %s\n",
		    oidc_jws_alg_name(c->alg), err.detail);
	oidc_arena_reset(c->a);
	return r;
}

static double
rate(struct ctx *c, enum op op, double seconds)
{
	double		 t0, t;
	unsigned long	 n = 0, i;

	t0 = now();
	do {
		/* Check the clock every few operations only. */
		for (i = 0; i < 8; i++, n++)
			if (once(c, op) == -1)
				return 0;
		t = now() - t0;
	} while (t < seconds);
	return (double)n / t;
}

int
main(int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct ctx		 c;
	struct oidc_jwk		*key;
	struct oidc_json	*j;
	const char		*s;
	double			 seconds = 1, r[4];
	size_t			 len;
	unsigned		 i;
	int			 k;

	if (argc > 1 && (seconds = strtod(argv[1], NULL)) <= 0)
		seconds = 1;
	memset(&c, 0, sizeof(c));
	memset(c.msg, 'm', sizeof(c.msg));
	c.a = oidc_arena_new(16384, 1 << 20);
	printf("%-6s %12s %12s %12s %12s   (ops/s, %.1f s each)\n", "alg",
	    "jws sign", "jws verify", "raw sign", "raw verify", seconds);
	for (i = 0; i < OIDC_JWS__MAX; i++) {
		c.alg = (enum oidc_jws_alg)i;
		memset(&err, 0, sizeof(err));
		if ((key = oidc_jwk_generate(c.alg, 0, &err)) == NULL) {
			fprintf(stderr, "keygen: %s\n", err.detail);
			return 1;
		}
		c.priv = key;
		/* The verifier holds only the public JWK, parsed once. */
		j = oidc_jwk_kty(key) == OIDC_JWK_OCT ?
		    oidc_jwk_private_json(key, c.a, &err) :
		    oidc_jwk_public_json(key, c.a, &err);
		s = oidc_json_serialize(j, c.a, &len, &err);
		c.pub = oidc_keyset_parse(c.a, s, len, OIDC_JWS_ALG_ANY, NULL,
		    &err);
		oidc_arena_reset(c.a);
		/* The token and raw signature verified in the loops. */
		s = oidc_jws_sign(c.a, key, c.alg, NULL, claims,
		    sizeof(claims) - 1, &c.toklen, &err);
		c.tok = s != NULL ? strdup(s) : NULL;
		oidc_arena_reset(c.a);
		c.siglen = sizeof(c.sig);
		if (c.pub == NULL || c.tok == NULL || oidc_jwk_sign(key, c.alg,
		    c.msg, sizeof(c.msg), c.sig, &c.siglen, &err) == -1) {
			fprintf(stderr, "setup %s: %s\n",
			    oidc_jws_alg_name(c.alg), err.detail);
			return 1;
		}
		for (k = 0; k < 4; k++)
			r[k] = rate(&c, (enum op)k, seconds);
		printf("%-6s %12.0f %12.0f %12.0f %12.0f\n",
		    oidc_jws_alg_name(c.alg), r[0], r[1], r[2], r[3]);
		fprintf(stderr, "R %s %.0f %.0f %.0f %.0f\n",
		    oidc_jws_alg_name(c.alg), r[0], r[1], r[2], r[3]);
		free((char *)(uintptr_t)c.tok);
		oidc_keyset_free(c.pub);
		oidc_jwk_free(key);
	}
	oidc_arena_free(c.a);
	return 0;
}
