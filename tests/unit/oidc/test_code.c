/*
 * test_code.c: sealed authorization codes (common/oidc/code.c, issue 16).
 *
 * Threats covered: a code changed in any one bit, truncated, extended,
 * opened under another key, or a stored code's value must not open as a
 * sealed one; absent fields stay absent (a code without a nonce or PKCE
 * challenge must not gain an empty one); a code that would exceed
 * OIDC_CODE_MAX_LEN is not sealed; the key derivation is stable (every
 * worker derives the same key) and separates purposes.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/code.h"
#include "oidc/db.h"
#include "oidc/seal.h"

#include "tap.h"

static const unsigned char kek[OIDC_SEAL_KEY_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, strlen(s) };
}

static bool
same(struct oidc_str a, struct oidc_str b)
{
	if (a.p == NULL || b.p == NULL)
		return a.p == b.p;
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static void
sample(struct oidc_code_row *c)
{
	memset(c, 0, sizeof(*c));
	c->client_id = str("client-1");
	c->user_id = 4242;
	c->redirect_uri = str("https://rp.example/cb?x=1");
	c->scope = str("openid profile offline_access");
	c->nonce = str("n-0123456789");
	c->code_challenge = str("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	c->auth_time = 1764900000;
	c->amr = str("pwd");
	c->sid = str("sid-abc");
	c->claims = str("{\"userinfo\":{\"email\":null}}");
}

static int
open_code(struct oidc_arena *a, const unsigned char *key, const char *code,
    size_t len, struct oidc_code_row *out, int64_t *exp)
{
	struct oidc_error	 err = { 0 };

	return oidc_code_open(a, key, (struct oidc_str){ code, len }, out, exp,
	    &err);
}

static void
test_round_trip(struct oidc_arena *a, const unsigned char *key)
{
	struct oidc_error	 err = { 0 };
	struct oidc_code_row	 c, o;
	char			*code, *code2;
	int64_t			 exp = 0;
	size_t			 i;

	sample(&c);
	ok(oidc_code_seal(a, key, &c, 1764900600, &code, &err) == 1,
	    "seal: a typical code seals");
	ok(strlen(code) > OIDC_CODE_STORED_LEN &&
	    strlen(code) <= OIDC_CODE_MAX_LEN, "seal: length %zu within "
	    "(%d, %d]", strlen(code), OIDC_CODE_STORED_LEN, OIDC_CODE_MAX_LEN);
	for (i = 0; code[i] != '\0'; i++)
		if (!((code[i] >= 'A' && code[i] <= 'Z') ||
		    (code[i] >= 'a' && code[i] <= 'z') ||
		    (code[i] >= '0' && code[i] <= '9') || code[i] == '-' ||
		    code[i] == '_'))
			break;
	ok(code[i] == '\0', "seal: base64url alphabet only");
	ok(open_code(a, key, code, strlen(code), &o, &exp) == 1,
	    "open: the sealed code opens");
	ok(exp == 1764900600 && o.user_id == 4242 &&
	    o.auth_time == 1764900000, "open: expiry, user, auth_time");
	ok(same(o.client_id, c.client_id) &&
	    same(o.redirect_uri, c.redirect_uri) && same(o.scope, c.scope) &&
	    same(o.nonce, c.nonce) &&
	    same(o.code_challenge, c.code_challenge) &&
	    same(o.amr, c.amr) && same(o.sid, c.sid) &&
	    same(o.claims, c.claims) && o.acr.p == NULL,
	    "open: every string back, acr absent");
	ok(oidc_code_seal(a, key, &c, 1764900600, &code2, &err) == 1 &&
	    strcmp(code, code2) != 0, "seal: two seals of one code differ "
	    "(random nonce)");

	/* Absent stays absent; empty stays empty. */
	c.nonce = OIDC_STR_NULL;
	c.code_challenge = OIDC_STR_NULL;
	c.claims = OIDC_STR_NULL;
	c.sid = str("");
	ok(oidc_code_seal(a, key, &c, 1, &code, &err) == 1 &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    o.nonce.p == NULL && o.code_challenge.p == NULL &&
	    o.claims.p == NULL && o.sid.p != NULL && o.sid.len == 0,
	    "absent nonce, challenge, claims stay absent; empty sid stays "
	    "empty");
	ok(o.resource.p == NULL, "no resource trailer: resource absent");

	/* RFC 8707: the granted resources ride as an optional trailer. */
	sample(&c);
	c.resource = str("https://api.example/ urn:x:y");
	ok(oidc_code_seal(a, key, &c, 7, &code, &err) == 1 &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    same(o.resource, c.resource) && same(o.claims, c.claims) &&
	    o.resource.p[o.resource.len] == '\0',
	    "resource: sealed and opened (NUL-terminated), the rest intact");
}

/*
 * RFC 9449 10: the code carries the DPoP key it is bound to; a code
 * sealed before that field (nine strings) still opens, unbound.
 */
static void
test_dpop_jkt(struct oidc_arena *a, const unsigned char *key)
{
	static const char	 aad[] = "oidc-fcgi code 1";
	struct oidc_error	 err = { 0 };
	struct oidc_code_row	 c, o;
	unsigned char		 pt[24 + 9 * 2 + 3], *blob;
	size_t			 bloblen, i;
	char			*code;
	int64_t			 exp = 0;

	sample(&c);
	c.dpop_jkt = str("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
	ok(oidc_code_seal(a, key, &c, 5, &code, &err) == 1 &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    same(o.dpop_jkt, c.dpop_jkt), "dpop_jkt: sealed and opened");
	c.dpop_jkt = OIDC_STR_NULL;
	ok(oidc_code_seal(a, key, &c, 5, &code, &err) == 1 &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    o.dpop_jkt.p == NULL, "dpop_jkt: absent stays absent (unbound)");

	/* A version 1 code: expiry 7, auth_time 0, user 9, client "abc". */
	memset(pt, 0, sizeof(pt));
	pt[7] = 7;
	pt[23] = 9;
	pt[24] = 0;
	pt[25] = 3;
	memcpy(pt + 26, "abc", 3);
	for (i = 29; i < sizeof(pt); i += 2)
		pt[i] = pt[i + 1] = 0xff;
	ok(oidc_seal(a, key, aad, strlen(aad), pt, sizeof(pt), &blob,
	    &bloblen, &err) == 0 &&
	    (code = oidc_b64url_encode(a, blob, bloblen)) != NULL &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    exp == 7 && o.user_id == 9 && same(o.client_id, str("abc")) &&
	    o.dpop_jkt.p == NULL && o.nonce.p == NULL,
	    "dpop_jkt: a code sealed before the field opens, unbound");
}

static void
test_tamper(struct oidc_arena *a, const unsigned char *key,
    const unsigned char *other)
{
	struct oidc_error	 err = { 0 };
	struct oidc_code_row	 c, o;
	char			*code, *bad;
	int64_t			 exp;
	size_t			 i, len, fails = 0;
	int			 b;

	sample(&c);
	if (oidc_code_seal(a, key, &c, 1764900600, &code, &err) != 1) {
		ok(0, "tamper: seal");
		return;
	}
	len = strlen(code);
	bad = oidc_arena_strndup(a, code, len);
	/* Every character changed to another base64url character. */
	for (i = 0; i < len; i++) {
		for (b = 0; b < 6; b++) {
			memcpy(bad, code, len);
			bad[i] = (char)(code[i] ^ (1 << b));
			if (open_code(a, key, bad, len, &o, &exp) != 0)
				fails++;
		}
	}
	is_int((long long)fails, 0, "tamper: no one-bit change of any "
	    "character opens");
	ok(open_code(a, key, code, len - 1, &o, &exp) == 0,
	    "tamper: truncated by one character");
	ok(open_code(a, key, code, len - 4, &o, &exp) == 0,
	    "tamper: truncated by three bytes");
	ok(open_code(a, other, code, len, &o, &exp) == 0,
	    "tamper: another key");
	ok(open_code(a, key, "a-stored-code-of-43-chars-xxxxxxxxxxxxxxxxx", 43,
	    &o, &exp) == 0, "a stored code is not opened");
	ok(open_code(a, key, "", 0, &o, &exp) == 0 &&
	    open_code(a, key, NULL, 0, &o, &exp) == 0, "empty and NULL");
}

static void
test_limits(struct oidc_arena *a, const unsigned char *key)
{
	struct oidc_error	 err = { 0 };
	struct oidc_code_row	 c, o;
	char			 big[OIDC_CODE_MAX_LEN];
	char			*code;
	int64_t			 exp;
	int			 rc;

	sample(&c);
	memset(big, 'x', sizeof(big));
	c.claims = (struct oidc_str){ big, sizeof(big) };
	code = (char *)"unchanged";
	rc = oidc_code_seal(a, key, &c, 1, &code, &err);
	ok(rc == 0 && code == NULL && err.code == OIDC_E_NONE,
	    "a code over OIDC_CODE_MAX_LEN is not sealed (0, no error)");
	/* The largest claims that still fit, found by shrinking. */
	c.claims.len = sizeof(big);
	while (c.claims.len > 0 && (rc = oidc_code_seal(a, key, &c, 1, &code,
	    &err)) == 0)
		c.claims.len--;
	ok(rc == 1 && strlen(code) <= OIDC_CODE_MAX_LEN &&
	    strlen(code) > OIDC_CODE_MAX_LEN - 4 &&
	    open_code(a, key, code, strlen(code), &o, &exp) == 1 &&
	    o.claims.len == c.claims.len, "the longest code sealed (%zu) is "
	    "at most %d and opens", code != NULL ? strlen(code) : 0,
	    OIDC_CODE_MAX_LEN);
	ok(open_code(a, key, big, sizeof(big), &o, &exp) == 0,
	    "a presented code of %d characters is not opened",
	    OIDC_CODE_MAX_LEN);
}

static void
test_derive(void)
{
	struct oidc_error	 err = { 0 };
	unsigned char		 k1[OIDC_SEAL_KEY_LEN], k2[OIDC_SEAL_KEY_LEN];
	unsigned char		 k3[OIDC_SEAL_KEY_LEN];

	ok(oidc_seal_key_derive(kek, OIDC_CODE_KEY_LABEL, k1, &err) == 0 &&
	    oidc_seal_key_derive(kek, OIDC_CODE_KEY_LABEL, k2, &err) == 0 &&
	    memcmp(k1, k2, sizeof(k1)) == 0, "derive: stable (every worker "
	    "gets the same key)");
	ok(oidc_seal_key_derive(kek, "another purpose", k3, &err) == 0 &&
	    memcmp(k1, k3, sizeof(k1)) != 0 && memcmp(k1, kek,
	    sizeof(k1)) != 0, "derive: the label separates keys; not the "
	    "KEK itself");
}

int
main(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 24);
	struct oidc_error	 err = { 0 };
	unsigned char		 key[OIDC_SEAL_KEY_LEN];
	unsigned char		 other[OIDC_SEAL_KEY_LEN];

	if (a == NULL ||
	    oidc_seal_key_derive(kek, OIDC_CODE_KEY_LABEL, key, &err) == -1 ||
	    oidc_seal_key_derive(kek, "other", other, &err) == -1) {
		ok(0, "set-up");
		return done_testing();
	}
	test_round_trip(a, key);
	test_dpop_jkt(a, key);
	test_tamper(a, key, other);
	test_limits(a, key);
	test_derive();
	oidc_arena_free(a);
	return done_testing();
}
