/*
 * test_subject.c: public and pairwise subject identifiers
 * (common/oidc/subject.c) and the subject_type rules of
 * oidc_client_normalize (common/oidc/client.c).
 *
 * The derivation is checked against a value computed independently
 * (Python: base64url(sha256(b"rp.example\0alice\0" + bytes(1..32)))), for
 * stability, per-sector difference and per-sector equality.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/ctx.h"
#include "oidc/json.h"
#include "oidc/subject.h"

#include "tap.h"

#define SALT_HEX "0102030405060708090a0b0c0d0e0f10" \
		 "1112131415161718191a1b1c1d1e1f20"
#define KAT	 "j5ETl8fCc8vJsYPiuAO0cE048gLVSh51jvAltrAooOg"

static unsigned char	 salt[64];
static size_t		 saltlen;

static void
test_salt(void)
{
	struct oidc_error	 err = { 0 };
	unsigned char		 out[128];
	size_t			 n;
	char			 raw[40];

	ok(oidc_subject_salt_parse(SALT_HEX "\n", strlen(SALT_HEX) + 1, salt,
	    &saltlen, &err) == 0 && saltlen == 32 && salt[0] == 1 &&
	    salt[31] == 32, "hex salt decoded");
	memset(raw, 'x', sizeof(raw));
	raw[0] = 'z';
	ok(oidc_subject_salt_parse(raw, sizeof(raw), out, &n, &err) == 0 &&
	    n == sizeof(raw) && memcmp(out, raw, n) == 0, "raw salt as is");
	memset(&err, 0, sizeof(err));
	ok(oidc_subject_salt_parse("0123abcd", 8, out, &n, &err) == -1 &&
	    err.code == OIDC_E_CONFIG, "short hex salt refused");
	memset(&err, 0, sizeof(err));
	ok(oidc_subject_salt_parse(raw, 31, out, &n, &err) == -1,
	    "31 raw bytes refused");
}

static void
test_host(void)
{
	struct oidc_str	 h;

	ok(oidc_subject_uri_host(OIDC_STR("https://RP.example:8443/cb?x"),
	    &h) == 0 && oidc_str_eq_cstr(h, "RP.example"), "host, no port");
	ok(oidc_subject_uri_host(OIDC_STR("http://[::1]:80/cb"), &h) == 0 &&
	    oidc_str_eq_cstr(h, "[::1]"), "IPv6 literal");
	ok(oidc_subject_uri_host(OIDC_STR("https://rp.example"), &h) == 0 &&
	    oidc_str_eq_cstr(h, "rp.example"), "no path");
	ok(oidc_subject_uri_host(OIDC_STR("com.example.app:/cb"), &h) == -1,
	    "private-use scheme has no host");
	ok(oidc_subject_uri_host(OIDC_STR("https:///cb"), &h) == -1,
	    "empty host");
}

static void
test_derive(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 x, y, z, w;

	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("rp.example"),
	    OIDC_STR("alice"), &x, &err) == 0 && oidc_str_eq_cstr(x, KAT),
	    "known answer");
	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("rp.example"),
	    OIDC_STR("alice"), &y, &err) == 0 && oidc_str_eq(x, y), "stable");
	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("other.example"),
	    OIDC_STR("alice"), &z, &err) == 0 && !oidc_str_eq(x, z),
	    "differs per sector");
	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("rp.example"),
	    OIDC_STR("bob"), &w, &err) == 0 && !oidc_str_eq(x, w),
	    "differs per user");
	/* The separator: ("rp.exampl", "ealice") must not collide. */
	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("rp.exampl"),
	    OIDC_STR("ealice"), &w, &err) == 0 && !oidc_str_eq(x, w),
	    "fields separated");
	salt[0] ^= 1;
	ok(oidc_subject_pairwise(a, salt, saltlen, OIDC_STR("rp.example"),
	    OIDC_STR("alice"), &w, &err) == 0 && !oidc_str_eq(x, w),
	    "differs per salt");
	salt[0] ^= 1;
	memset(&err, 0, sizeof(err));
	ok(oidc_subject_pairwise(a, NULL, 0, OIDC_STR("rp.example"),
	    OIDC_STR("alice"), &w, &err) == -1 && err.code == OIDC_E_CONFIG,
	    "no salt: error, never the public sub");
}

static void
test_clients(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_ctx		 ctx;
	struct oidc_json	*m1, *m2, *m3, *pub;
	struct oidc_str		 s1, s2, s3, sp, sec;

	memset(&ctx, 0, sizeof(ctx));
	ctx.a = a;
	ctx.pairwise_salt = salt;
	ctx.pairwise_salt_len = saltlen;
	m1 = tap_json(a, "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://app1.example/cb\"],\"sector_identifier_uri\":"
	    "\"https://Sector.example/s.json\"}");
	m2 = tap_json(a, "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://app2.example/cb\"],\"sector_identifier_uri\":"
	    "\"https://sector.example/other.json\"}");
	m3 = tap_json(a, "{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://app1.example/cb\",\"https://APP1.example/b\"]}");
	pub = tap_json(a, "{\"redirect_uris\":[\"https://app1.example/cb\"]}");
	if (m1 == NULL || m2 == NULL || m3 == NULL || pub == NULL) {
		ok(0, "client metadata");
		return;
	}
	ok(oidc_subject_sector(a, m1, &sec, &err) == 1 &&
	    oidc_str_eq_cstr(sec, "sector.example"), "sector from the "
	    "sector_identifier_uri, lower case");
	ok(oidc_subject_sector(a, m3, &sec, &err) == 1 &&
	    oidc_str_eq_cstr(sec, "app1.example"), "sector from redirect_uris");
	ok(oidc_subject_sector(a, pub, &sec, &err) == 0, "public: no sector");
	ok(oidc_subject_for_metadata(&ctx, m1, OIDC_STR("alice"), &s1,
	    &err) == 0 && oidc_subject_for_metadata(&ctx, m2,
	    OIDC_STR("alice"), &s2, &err) == 0 && oidc_str_eq(s1, s2),
	    "two clients of one sector: one sub");
	ok(oidc_subject_for_metadata(&ctx, m3, OIDC_STR("alice"), &s3,
	    &err) == 0 && !oidc_str_eq(s1, s3), "other sector: other sub");
	ok(oidc_subject_for_metadata(&ctx, pub, OIDC_STR("alice"), &sp,
	    &err) == 0 && oidc_str_eq_cstr(sp, "alice"), "public: local sub");
	ok(oidc_subject_hint_matches(&ctx, NULL, NULL, 0, OIDC_STR("alice"),
	    OIDC_STR("alice"), &err) == 1, "hint without aud: plain compare");
}

struct norm_case {
	const char	*test;
	const char	*json;
	unsigned	 flags;
	int		 rc;
};

static const struct norm_case norm_cases[] = {
	{ "pairwise without salt", "{\"subject_type\":\"pairwise\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", 0, -1 },
	{ "pairwise one host", "{\"subject_type\":\"pairwise\","
	    "\"redirect_uris\":[\"https://a.example/cb\","
	    "\"https://a.example:8443/x\"]}", OIDC_CLIENT_PAIRWISE, 0 },
	{ "pairwise two hosts", "{\"subject_type\":\"pairwise\","
	    "\"redirect_uris\":[\"https://a.example/cb\","
	    "\"https://b.example/cb\"]}", OIDC_CLIENT_PAIRWISE, -1 },
	{ "pairwise two hosts with sector", "{\"subject_type\":\"pairwise\","
	    "\"redirect_uris\":[\"https://a.example/cb\","
	    "\"https://b.example/cb\"],\"sector_identifier_uri\":"
	    "\"https://s.example/s.json\"}", OIDC_CLIENT_PAIRWISE, 0 },
	{ "pairwise native scheme", "{\"subject_type\":\"pairwise\","
	    "\"application_type\":\"native\",\"redirect_uris\":"
	    "[\"com.example.app:/cb\"]}", OIDC_CLIENT_PAIRWISE, -1 },
	{ "subject_type other", "{\"subject_type\":\"secret\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}",
	    OIDC_CLIENT_PAIRWISE, -1 },
	{ "subject_type public", "{\"subject_type\":\"public\","
	    "\"redirect_uris\":[\"https://a.example/cb\","
	    "\"https://b.example/cb\"]}", 0, 0 },
	{ "sector uri http", "{\"sector_identifier_uri\":"
	    "\"http://127.0.0.1:9/s.json\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", 0, -1 },
	{ "sector uri http private", "{\"sector_identifier_uri\":"
	    "\"http://127.0.0.1:9/s.json\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", OIDC_CLIENT_ALLOW_PRIVATE, 0 },
	{ "sector uri fragment", "{\"sector_identifier_uri\":"
	    "\"https://s.example/s.json#f\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", 0, -1 },
	{ "sector uri not a string", "{\"sector_identifier_uri\":1,"
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", 0, -1 },
};

static void
test_normalize(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_json	*in, *out;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];

		memset(&err, 0, sizeof(err));
		if ((in = tap_json(a, c->json)) == NULL) {
			ok(0, "%s: parse", c->test);
			continue;
		}
		rc = oidc_client_normalize(a, in, c->flags, &out, &err);
		ok(rc == c->rc && (rc == 0 ||
		    err.code == OIDC_E_INVALID_CLIENT_METADATA), "%s", c->test);
		if (rc != c->rc)
			diag("rc %d (%s)", rc, err.detail);
	}
}

int
main(void)
{
	struct oidc_arena	*a;

	if ((a = oidc_arena_new(4096, 1 << 20)) == NULL)
		return 1;
	test_salt();
	test_host();
	test_derive(a);
	test_clients(a);
	test_normalize(a);
	oidc_arena_free(a);
	return done_testing();
}
