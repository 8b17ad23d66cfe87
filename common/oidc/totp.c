/*
 * totp.c: TOTP codes, secrets, recovery codes and acr (see oidc/totp.h).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/seal.h"
#include "oidc/totp.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static bool
is_b32(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '2' && c <= '7');
}

int
oidc_totp_parse(const char *buf, size_t len, struct oidc_totp_input *out)
{
	char	 t[OIDC_TOTP_RECOVERY_LEN + 1];
	size_t	 i, n = 0, digits = 0;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len > OIDC_TOTP_INPUT_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '-')
			continue;
		if (n == OIDC_TOTP_RECOVERY_LEN)
			return -1;
		if (buf[i] >= '0' && buf[i] <= '9')
			digits++;
		else if (!is_b32(buf[i]))
			return -1;
		t[n++] = buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] - 'A' + 'a' :
		    buf[i];
	}
	t[n] = '\0';
	if (n == OIDC_TOTP_DIGITS && digits == n) {
		out->kind = OIDC_TOTP_CODE;
		memcpy(out->v, t, n + 1);
		return 0;
	}
	if (n != OIDC_TOTP_RECOVERY_LEN)
		return -1;
	/* base32 has no 0, 1, 8 or 9. */
	for (i = 0; i < n; i++)
		if (!is_b32(t[i]))
			return -1;
	out->kind = OIDC_TOTP_RECOVERY;
	memcpy(out->v, t, n + 1);
	return 0;
}

int
oidc_totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    uint32_t *code, struct oidc_error *err)
{
	unsigned char	 msg[8], mac[OIDC_SHA1_LEN];
	unsigned	 off, i;
	uint32_t	 bin;

	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(counter >> (56 - 8 * i));
	if (oidc_hmac_sha1(key, keylen, msg, sizeof(msg), mac, err) == -1)
		return -1;
	/* RFC 4226 5.3: dynamic truncation. */
	off = mac[OIDC_SHA1_LEN - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	*code = bin % 1000000;
	oidc_wipe(mac, sizeof(mac));
	return 0;
}

int64_t
oidc_totp_step(int64_t now)
{
	return now < 0 ? 0 : now / OIDC_TOTP_PERIOD;
}

int
oidc_totp_verify(const unsigned char *key, size_t keylen, int64_t now,
    int64_t last_step, const char *code, int64_t *step,
    struct oidc_error *err)
{
	char		 want[OIDC_TOTP_DIGITS + 1];
	int64_t		 t = oidc_totp_step(now), s;
	uint32_t	 c;
	unsigned	 diff, i;
	int		 found = 0;

	if (code == NULL || strlen(code) != OIDC_TOTP_DIGITS)
		return 0;
	for (s = t - OIDC_TOTP_SKEW; s <= t + OIDC_TOTP_SKEW; s++) {
		if (s < 0)
			continue;
		if (oidc_totp_hotp(key, keylen, (uint64_t)s, &c, err) == -1)
			return -1;
		(void)snprintf(want, sizeof(want), "%06u", (unsigned)c);
		for (diff = 0, i = 0; i < OIDC_TOTP_DIGITS; i++)
			diff |= (unsigned)(want[i] ^ code[i]);
		/* Every candidate is computed; the first match wins. */
		if (diff == 0 && s > last_step && !found) {
			*step = s;
			found = 1;
		}
	}
	oidc_wipe(want, sizeof(want));
	return found;
}

char *
oidc_totp_base32(struct oidc_arena *a, const unsigned char *p, size_t len)
{
	char		*out;
	size_t		 i, n = 0;
	unsigned	 bits = 0, acc = 0;

	if ((out = oidc_arena_alloc(a, (len * 8 + 4) / 5 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = b32[(acc << (5 - bits)) & 31];
	out[n] = '\0';
	return out;
}

/* RFC 3986 percent-encoding of everything but the unreserved set. */
static char *
pct(struct oidc_arena *a, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out;
	size_t			 i, n = 0;
	unsigned char		 c;

	if ((out = oidc_arena_alloc(a, len * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return out;
}

char *
oidc_totp_uri(struct oidc_arena *a, const char *issuer, const char *account,
    const unsigned char *secret, size_t secretlen)
{
	const char	*h = strstr(issuer, "://"), *e;
	char		*host, *acc, *s;

	h = h != NULL ? h + 3 : issuer;
	e = h + strcspn(h, "/");
	if ((host = pct(a, h, (size_t)(e - h))) == NULL ||
	    (acc = pct(a, account, strlen(account))) == NULL ||
	    (s = oidc_totp_base32(a, secret, secretlen)) == NULL)
		return NULL;
	return oidc_arena_printf(a, "otpauth://totp/%s:%s?secret=%s&"
	    "issuer=%s&algorithm=SHA1&digits=%d&period=%d", host, acc, s, host,
	    OIDC_TOTP_DIGITS, OIDC_TOTP_PERIOD);
}

/* "totp" NUL user_id: the associated data of a sealed secret. */
static size_t
secret_aad(char *buf, size_t size, int64_t user_id)
{
	int	 n;

	n = snprintf(buf, size, "totp%c%lld", '\0', (long long)user_id);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

int
oidc_totp_secret_seal(struct oidc_arena *a, const unsigned char *kek,
    int64_t user_id, const unsigned char *secret, size_t len,
    unsigned char **blob, size_t *bloblen, struct oidc_error *err)
{
	char	 aad[32];
	size_t	 n = secret_aad(aad, sizeof(aad), user_id);

	if (kek == NULL)
		return oidc_fail(err, OIDC_E_CONFIG, NULL,
		    "totp needs key_encryption_key");
	return oidc_seal(a, kek, aad, n, secret, len, blob, bloblen, err);
}

int
oidc_totp_secret_open(struct oidc_arena *a, const unsigned char *kek,
    int64_t user_id, const unsigned char *blob, size_t bloblen,
    unsigned char **secret, size_t *len, struct oidc_error *err)
{
	char	 aad[32];
	size_t	 n = secret_aad(aad, sizeof(aad), user_id);

	if (kek == NULL)
		return oidc_fail(err, OIDC_E_CONFIG, NULL,
		    "totp needs key_encryption_key");
	return oidc_seal_open(a, kek, aad, n, blob, bloblen, secret, len,
	    err);
}

int
oidc_totp_recovery_new(char out[OIDC_TOTP_RECOVERY_LEN + 1],
    struct oidc_error *err)
{
	unsigned char	 r[OIDC_TOTP_RECOVERY_LEN];
	size_t		 i;

	if (oidc_random_bytes(r, sizeof(r), err) == -1)
		return -1;
	for (i = 0; i < OIDC_TOTP_RECOVERY_LEN; i++)
		out[i] = (char)(b32[r[i] & 31] >= 'A' && b32[r[i] & 31] <= 'Z' ?
		    b32[r[i] & 31] - 'A' + 'a' : b32[r[i] & 31]);
	out[OIDC_TOTP_RECOVERY_LEN] = '\0';
	oidc_wipe(r, sizeof(r));
	return 0;
}

int
oidc_totp_recovery_hash(int64_t user_id, const char *code,
    unsigned char out[32], struct oidc_error *err)
{
	char	 buf[64];
	int	 n;

	n = snprintf(buf, sizeof(buf), "totp-recovery%c%lld%c%s", '\0',
	    (long long)user_id, '\0', code);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "recovery code");
	n = oidc_sha256(buf, (size_t)n, out, err);
	oidc_wipe(buf, sizeof(buf));
	return n;
}

bool
oidc_amr_has(struct oidc_str amr, const char *v)
{
	size_t	 i = 0, start, n = strlen(v);

	while (amr.p != NULL && i < amr.len) {
		start = i;
		while (i < amr.len && amr.p[i] != ' ')
			i++;
		if (i - start == n && memcmp(amr.p + start, v, n) == 0)
			return true;
		i++;
	}
	return false;
}

bool
oidc_amr_has_otp(struct oidc_str amr)
{
	return oidc_amr_has(amr, "otp");
}

struct oidc_str
oidc_totp_acr_of(struct oidc_str amr)
{
	if (oidc_amr_has(amr, "otp"))
		return OIDC_STR(OIDC_ACR_MFA);
	if (oidc_amr_has(amr, "pwd"))
		return OIDC_STR(OIDC_ACR_PWD);
	return OIDC_STR_NULL;
}

const char *
oidc_totp_acr(struct oidc_str amr)
{
	return oidc_amr_has_otp(amr) ? OIDC_ACR_MFA : OIDC_ACR_PWD;
}
