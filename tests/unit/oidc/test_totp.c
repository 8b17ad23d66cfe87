/*
 * test_totp.c: TOTP codes (RFC 4226, RFC 6238 test vectors), the code
 * parser, replay refusal, sealed secrets, recovery codes and acr
 * (common/oidc/totp.c).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/totp.h"

#include "tap.h"

static const unsigned char rfc_key[] = "12345678901234567890";

static void
test_hotp(void)
{
	/* RFC 4226 appendix D. */
	static const uint32_t want[] = { 755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489 };
	struct oidc_error	 err = { 0 };
	uint32_t		 c;
	unsigned		 i, good = 0;

	for (i = 0; i < 10; i++)
		if (oidc_totp_hotp(rfc_key, 20, i, &c, &err) == 0 &&
		    c == want[i])
			good++;
	is_int(good, 10, "RFC 4226 HOTP vectors");
}

static void
test_totp_vectors(void)
{
	/* RFC 6238 appendix B (SHA1), last 6 of the 8 digits. */
	static const struct { int64_t t; const char *code; } v[] = {
		{ 59, "287082" }, { 1111111109, "081804" },
		{ 1111111111, "050471" }, { 1234567890, "005924" },
		{ 2000000000, "279037" }, { 20000000000LL, "353130" },
	};
	struct oidc_error	 err = { 0 };
	int64_t			 step;
	unsigned		 i, good = 0;

	for (i = 0; i < OIDC_NELEM(v); i++)
		if (oidc_totp_verify(rfc_key, 20, v[i].t, 0, v[i].code, &step,
		    &err) == 1 && step == v[i].t / 30)
			good++;
	is_int(good, OIDC_NELEM(v), "RFC 6238 TOTP vectors verify");
	ok(oidc_totp_verify(rfc_key, 20, 59 + 30, 0, "287082", &step,
	    &err) == 1 && step == 1, "a code of the previous step is accepted");
	ok(oidc_totp_verify(rfc_key, 20, 59 + 60, 0, "287082", &step,
	    &err) == 0, "a code two steps old is refused");
	ok(oidc_totp_verify(rfc_key, 20, 1234567890, 1234567890 / 30,
	    "005924", &step, &err) == 0,
	    "replay: the step already used is refused");
	ok(oidc_totp_verify(rfc_key, 20, 1234567890 + 30, 1234567890 / 30,
	    "005924", &step, &err) == 0,
	    "replay: an earlier step than the last used is refused");
	ok(oidc_totp_verify(rfc_key, 20, 1234567890, 0, "005925", &step,
	    &err) == 0, "a wrong code is refused");
	ok(oidc_totp_verify(rfc_key, 20, 1234567890, 0, "00592", &step,
	    &err) == 0, "a short code is refused");
}

static void
test_parse(void)
{
	struct oidc_totp_input	 in;
	char			 big[OIDC_TOTP_INPUT_MAX + 1];

	ok(oidc_totp_parse("123456", 6, &in) == 0 &&
	    in.kind == OIDC_TOTP_CODE && strcmp(in.v, "123456") == 0,
	    "six digits are a code");
	ok(oidc_totp_parse(" 123 456 ", 9, &in) == 0 &&
	    strcmp(in.v, "123456") == 0, "spaces are ignored");
	ok(oidc_totp_parse("ABCDE-fgh23", 11, &in) == 0 &&
	    in.kind == OIDC_TOTP_RECOVERY && strcmp(in.v, "abcdefgh23") == 0,
	    "a recovery code, any case, dash ignored");
	ok(oidc_totp_parse("12345", 5, &in) == -1 && in.v[0] == '\0',
	    "five digits are refused");
	ok(oidc_totp_parse("1234567", 7, &in) == -1, "seven digits refused");
	ok(oidc_totp_parse("abcdefgh01", 10, &in) == -1,
	    "0 and 1 are not base32");
	ok(oidc_totp_parse("12345\0", 6, &in) == -1, "a NUL is refused");
	ok(oidc_totp_parse("123456", 3, &in) == -1,
	    "only len bytes are read");
	memset(big, ' ', sizeof(big));
	memcpy(big, "123456", 6);
	ok(oidc_totp_parse(big, sizeof(big), &in) == -1,
	    "more than OIDC_TOTP_INPUT_MAX bytes are refused");
	ok(oidc_totp_parse(big, OIDC_TOTP_INPUT_MAX, &in) == 0,
	    "OIDC_TOTP_INPUT_MAX bytes are read");
}

static void
test_base32_uri(struct oidc_arena *a)
{
	const char	*u;

	/* RFC 4648 10. */
	is_str(oidc_totp_base32(a, (const unsigned char *)"foobar", 6),
	    "MZXW6YTBOI", "base32 of foobar");
	is_str(oidc_totp_base32(a, rfc_key, 20),
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "base32 of the RFC key");
	u = oidc_totp_uri(a, "https://id.example.com:8443/x", "al ice@x",
	    rfc_key, 20);
	is_str(u, "otpauth://totp/id.example.com%3A8443:al%20ice%40x?"
	    "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=id.example.com"
	    "%3A8443&algorithm=SHA1&digits=6&period=30", "otpauth URI");
}

static void
test_seal(struct oidc_arena *a)
{
	static const unsigned char kek[32] = { 1, 2, 3 };
	struct oidc_error	 err = { 0 };
	unsigned char		*blob, *pt;
	size_t			 len, ptlen;

	ok(oidc_totp_secret_seal(a, kek, 7, rfc_key, 20, &blob, &len,
	    &err) == 0 && len > 20, "a secret is sealed");
	ok(memmem(blob, len, rfc_key, 20) == NULL, "not in clear");
	ok(oidc_totp_secret_open(a, kek, 7, blob, len, &pt, &ptlen,
	    &err) == 0 && ptlen == 20 && memcmp(pt, rfc_key, 20) == 0,
	    "and opens for its user");
	oidc_error_clear(&err);
	ok(oidc_totp_secret_open(a, kek, 8, blob, len, &pt, &ptlen,
	    &err) == -1, "not for another user");
	oidc_error_clear(&err);
	ok(oidc_totp_secret_seal(a, NULL, 7, rfc_key, 20, &blob, &len,
	    &err) == -1 && err.code == OIDC_E_CONFIG, "no kek: refused");
	oidc_error_clear(&err);
}

static void
test_recovery(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_totp_input	 in;
	char			 c1[OIDC_TOTP_RECOVERY_LEN + 1];
	char			 c2[OIDC_TOTP_RECOVERY_LEN + 1];
	unsigned char		 h1[32], h2[32], h3[32];

	ok(oidc_totp_recovery_new(c1, &err) == 0 &&
	    oidc_totp_recovery_new(c2, &err) == 0 && strcmp(c1, c2) != 0,
	    "recovery codes are random");
	ok(oidc_totp_parse(c1, strlen(c1), &in) == 0 &&
	    in.kind == OIDC_TOTP_RECOVERY && strcmp(in.v, c1) == 0,
	    "a recovery code parses as itself");
	ok(oidc_totp_recovery_hash(1, c1, h1, &err) == 0 &&
	    oidc_totp_recovery_hash(2, c1, h2, &err) == 0 &&
	    oidc_totp_recovery_hash(1, c2, h3, &err) == 0 &&
	    memcmp(h1, h2, 32) != 0 && memcmp(h1, h3, 32) != 0,
	    "the hash binds the user and the code");
}

static void
test_acr(void)
{
	is_str(oidc_totp_acr(OIDC_STR("pwd otp")), OIDC_ACR_MFA,
	    "pwd otp is mfa");
	is_str(oidc_totp_acr(OIDC_STR("pwd")), OIDC_ACR_PWD, "pwd is pwd");
	is_str(oidc_totp_acr(OIDC_STR("otpx pwd")), OIDC_ACR_PWD,
	    "otpx is not otp");
	is_str(oidc_totp_acr(OIDC_STR_NULL), OIDC_ACR_PWD, "none is pwd");
	ok(oidc_str_eq_cstr(oidc_totp_acr_of(OIDC_STR("pwd otp")),
	    OIDC_ACR_MFA), "the ID Token's acr of pwd otp is mfa");
	ok(oidc_str_eq_cstr(oidc_totp_acr_of(OIDC_STR("pwd")), OIDC_ACR_PWD),
	    "of pwd, pwd");
	ok(oidc_totp_acr_of(OIDC_STR("hwk")).p == NULL,
	    "a remote_user login's amr gives no acr");
}

int
main(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);

	test_hotp();
	test_totp_vectors();
	test_parse();
	test_base32_uri(a);
	test_seal(a);
	test_recovery();
	test_acr();
	oidc_arena_free(a);
	return done_testing();
}
