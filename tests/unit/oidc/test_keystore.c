/*
 * test_keystore.c: the key life cycle of common/oidc/keystore.c
 * (oidc/keystore.h) without a database: oidc_key_state_at() at each
 * instant, and the view oidc_keystore_load_rows() builds from signing_key
 * rows: which keys are published, which one signs, and the switch at an
 * activation or retirement instant with no query (oidc_keystore_refresh
 * with no database).
 *
 * Security regressions: retired_key_signs (a retired key keeps its
 * private half), scheduled_key_published, row_kid_mismatch (a row whose
 * JWK is another key's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/db.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"
#include "oidc/seal.h"

#include "tap.h"

#define T0	1700000000LL

static struct oidc_arena	*a;

struct state_case {
	const char		*test;
	int64_t			 publish, activate, retire, expire, now;
	enum oidc_key_state	 want;
};

static const struct state_case scases[] = {
	{ "before publish_at: scheduled", 100, 200, 300, 400, 99,
	    OIDC_KEY_SCHEDULED },
	{ "at publish_at: pending", 100, 200, 300, 400, 100, OIDC_KEY_PENDING },
	{ "just before activate_at: pending", 100, 200, 300, 400, 199,
	    OIDC_KEY_PENDING },
	{ "at activate_at: active", 100, 200, 300, 400, 200, OIDC_KEY_ACTIVE },
	{ "at retire_at: retired", 100, 200, 300, 400, 300, OIDC_KEY_RETIRED },
	{ "at expire_at: expired", 100, 200, 300, 400, 400, OIDC_KEY_EXPIRED },
	{ "no retire_at: active for ever", 100, 200, 0, 0, 1LL << 40,
	    OIDC_KEY_ACTIVE },
	{ "no retire_at, expire_at passed: expired", 100, 200, 0, 400, 400,
	    OIDC_KEY_EXPIRED },
	{ "retire_at passed, no expire_at: retired", 100, 200, 300, 0,
	    1LL << 40, OIDC_KEY_RETIRED },
	{ "published and active at once", 100, 100, 0, 0, 100,
	    OIDC_KEY_ACTIVE },
};

static void
test_states(void)
{
	struct oidc_signing_key_row	 r;
	size_t				 i;

	for (i = 0; i < OIDC_NELEM(scases); i++) {
		memset(&r, 0, sizeof(r));
		r.publish_at = scases[i].publish;
		r.activate_at = scases[i].activate;
		r.retire_at = scases[i].retire;
		r.expire_at = scases[i].expire;
		is_str(oidc_key_state_name(oidc_key_state_at(&r,
		    scases[i].now)), oidc_key_state_name(scases[i].want),
		    scases[i].test);
	}
	is_str(oidc_key_state_name(OIDC_KEY__MAX), "unknown",
	    "a state out of range has a name");
}

static const char *
kek_file(char *path, size_t len, unsigned char kek[OIDC_SEAL_KEY_LEN])
{
	static const char	 hex[] = "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n";
	struct oidc_error	 err = { 0 };
	int			 fd;

	snprintf(path, len, "%s/oidc-test-kek.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, hex, sizeof(hex) - 1) != (ssize_t)(sizeof(hex) - 1) ||
	    close(fd) == -1 || oidc_seal_key_load(path, kek, &err) == -1) {
		diag("kek file: %s", err.detail);
		return NULL;
	}
	return path;
}

struct key {
	struct oidc_jwk			*k;
	struct oidc_signing_key_row	 row;
};

static void
make_key(struct key *k, const unsigned char *kek, int64_t publish,
    int64_t activate, int64_t retire, int64_t expire)
{
	struct oidc_error	 err = { 0 };

	k->k = oidc_jwk_generate(OIDC_JWS_ES256, 0, &err);
	if (k->k == NULL || oidc_keystore_seal_row(a, kek, k->k,
	    OIDC_JWS_ES256, &k->row, &err) == -1) {
		diag("key: %s", err.detail);
		return;
	}
	k->row.publish_at = T0 + publish;
	k->row.activate_at = T0 + activate;
	k->row.retire_at = retire != 0 ? T0 + retire : 0;
	k->row.expire_at = expire != 0 ? T0 + expire : 0;
}

static bool
has_kid(struct oidc_keystore *ks, const struct key *k)
{
	const struct oidc_jwk	*out;
	const char		*kid = oidc_jwk_kid(k->k);

	return oidc_keyset_find_kid(oidc_keystore_keyset(ks), kid,
	    strlen(kid), &out) == 1;
}

/* The kid of the key that signs ES256 now, or "" for none. */
static const char *
signer(struct oidc_keystore *ks)
{
	const struct oidc_jwk	*out;

	if (oidc_keyset_find_alg(oidc_keystore_keyset(ks), OIDC_JWS_ES256,
	    true, &out) != 1)
		return "";
	return oidc_jwk_kid(out);
}

static void
test_view(void)
{
	struct oidc_config		 cfg;
	struct oidc_error		 err = { 0 };
	struct oidc_keystore		*ks = NULL, *pub = NULL;
	struct oidc_signing_key_row	 rows[6];
	unsigned char			 kek[OIDC_SEAL_KEY_LEN];
	char				 path[256], conf[512];
	/* old: active, retires at +100; new: pending, active at +100. */
	struct key			 old = { 0 }, nw = { 0 }, ret = { 0 };
	struct key			 sch = { 0 }, exp = { 0 }, bad = { 0 };
	int				 n;

	if (kek_file(path, sizeof(path), kek) == NULL) {
		ok(0, "a KEK file");
		return;
	}
	n = snprintf(conf, sizeof(conf), "issuer = https://id.example\n"
	    "database = dbname=x\nkey_encryption_key = %s\n", path);
	if (!ok(oidc_config_parse(a, "t", conf, (size_t)n, &cfg, &err) == 0,
	    "config with a key_encryption_key")) {
		diag("%s", err.detail);
		goto out;
	}
	make_key(&old, kek, -1000, -900, 100, 1000);
	make_key(&nw, kek, -10, 100, 0, 0);
	make_key(&ret, kek, -3000, -2900, -1000, 1000);
	make_key(&sch, kek, 50, 200, 0, 0);
	make_key(&exp, kek, -3000, -2900, -2000, -1000);
	make_key(&bad, kek, -1000, -900, 0, 0);
	/* row_kid_mismatch: bad's row carries old's public JWK. */
	bad.row.public_jwk = old.row.public_jwk;
	rows[0] = old.row;
	rows[1] = nw.row;
	rows[2] = ret.row;
	rows[3] = sch.row;
	rows[4] = exp.row;
	rows[5] = bad.row;

	if ((ks = oidc_keystore_new(&cfg, true, &err)) == NULL ||
	    (pub = oidc_keystore_new(&cfg, false, &err)) == NULL) {
		ok(0, "keystores: %s", err.detail);
		goto out;
	}
	ok(oidc_keystore_load_rows(ks, rows, 6, (time_t)T0, &err) == 0 &&
	    oidc_keystore_load_rows(pub, rows, 6, (time_t)T0, &err) == 0,
	    "six rows load");

	/* At T0. */
	is_str(signer(ks), oidc_jwk_kid(old.k), "T0: the active key signs");
	ok(has_kid(ks, &old) && has_kid(ks, &nw) && has_kid(ks, &ret),
	    "T0: active, pending and retired keys published");
	ok(!has_kid(ks, &sch), "scheduled_key_published: not before "
	    "publish_at");
	ok(!has_kid(ks, &exp), "T0: an expired key is gone");
	ok(!has_kid(ks, &bad), "row_kid_mismatch: the row is skipped");
	ok(oidc_keystore_signing_algs(ks) == OIDC_JWS_BIT(OIDC_JWS_ES256),
	    "T0: ES256 can sign");
	ok(oidc_keystore_signing_algs(pub) == OIDC_JWS_BIT(OIDC_JWS_ES256),
	    "T0: the public keystore lists ES256 too");
	is_str(signer(pub), "", "a public keystore holds no private key");
	ok(has_kid(pub, &old) && has_kid(pub, &nw) && has_kid(pub, &ret) &&
	    !has_kid(pub, &sch), "the public keystore publishes the same keys");

	/* T0 + 50: the scheduled key is published, no query needed. */
	ok(oidc_keystore_refresh(ks, NULL, (time_t)(T0 + 50), false,
	    &err) == 1 && has_kid(ks, &sch),
	    "T0+50: publish_at passed: published without a query");
	is_str(signer(ks), oidc_jwk_kid(old.k),
	    "T0+50: the old key still signs");
	ok(oidc_keystore_refresh(ks, NULL, (time_t)(T0 + 60), false,
	    &err) == 0, "T0+60: no instant passed: nothing rebuilt");

	/* T0 + 100: rotation. */
	ok(oidc_keystore_refresh(ks, NULL, (time_t)(T0 + 100), false,
	    &err) == 1, "T0+100: rebuilt at the rotation instant");
	is_str(signer(ks), oidc_jwk_kid(nw.k),
	    "T0+100: the new key signs at its activate_at");
	ok(has_kid(ks, &old), "T0+100: the retired old key stays published");

	/* retired_key_signs: only the retired key left with ES256 rows. */
	rows[0] = ret.row;
	ok(oidc_keystore_load_rows(ks, rows, 1, (time_t)T0, &err) == 0 &&
	    strcmp(signer(ks), "") == 0 && oidc_keystore_signing_algs(ks) == 0
	    && has_kid(ks, &ret),
	    "retired_key_signs: a retired key is published, never signs");
	rows[0] = nw.row;
	ok(oidc_keystore_load_rows(ks, rows, 1, (time_t)T0, &err) == 0 &&
	    strcmp(signer(ks), "") == 0 && oidc_keystore_signing_algs(ks) == 0,
	    "a pending key does not sign before activate_at");
out:
	oidc_keystore_free(ks);
	oidc_keystore_free(pub);
	unlink(path);
	oidc_jwk_free(old.k);
	oidc_jwk_free(nw.k);
	oidc_jwk_free(ret.k);
	oidc_jwk_free(sch.k);
	oidc_jwk_free(exp.k);
	oidc_jwk_free(bad.k);
}

int
main(void)
{
	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	test_states();
	test_view();
	oidc_arena_free(a);
	return done_testing();
}
