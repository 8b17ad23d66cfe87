/*
 * str.c: counted-string helpers (see oidc/str.h).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "oidc/str.h"

bool
oidc_str_eq(struct oidc_str a, struct oidc_str b)
{
	if (a.p == NULL || b.p == NULL || a.len != b.len)
		return false;
	return memcmp(a.p, b.p, a.len) == 0;
}

bool
oidc_str_eq_cstr(struct oidc_str a, const char *b)
{
	if (b == NULL)
		return false;
	return oidc_str_eq(a, (struct oidc_str){ b, strlen(b) });
}

bool
oidc_str_eq_secret(struct oidc_str a, struct oidc_str b)
{
	/* SECURITY: timing must not reveal how many leading bytes match. */
	if (a.p == NULL || b.p == NULL || a.len != b.len)
		return false;
	return CRYPTO_memcmp(a.p, b.p, a.len) == 0;
}

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool
oidc_str_eq_nocase(struct oidc_str a, const char *b)
{
	size_t	 i, blen;

	if (a.p == NULL || b == NULL)
		return false;
	blen = strlen(b);
	if (a.len != blen)
		return false;
	for (i = 0; i < blen; i++)
		if (ascii_lower((unsigned char)a.p[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

int
oidc_parse_u64(const char *buf, size_t len, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (buf == NULL || len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(buf[i] - '0'), &v))
			return -1;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
oidc_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
oidc_hex_decode(const char *in, size_t inlen, unsigned char *out,
    size_t outlen)
{
	size_t	 i;
	int	 hi, lo;

	if (outlen > SIZE_MAX / 2 || inlen != 2 * outlen)
		return -1;
	/* Check first, so that a failure leaves out untouched. */
	for (i = 0; i < inlen; i++)
		if (oidc_hex_value((unsigned char)in[i]) < 0)
			return -1;
	for (i = 0; i < outlen; i++) {
		hi = oidc_hex_value((unsigned char)in[2 * i]);
		lo = oidc_hex_value((unsigned char)in[2 * i + 1]);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool
oidc_str_is_vschar(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return false;
	return true;
}

bool
oidc_str_is_utf8(const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] == 0)
			return false;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return false;
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

bool
oidc_str_list_has(struct oidc_str list, const char *tok)
{
	size_t	 i = 0, start, toklen;

	if (list.p == NULL || tok == NULL)
		return false;
	toklen = strlen(tok);
	while (i < list.len) {
		while (i < list.len && list.p[i] == ' ')
			i++;
		start = i;
		while (i < list.len && list.p[i] != ' ')
			i++;
		if (i - start == toklen && toklen > 0 &&
		    memcmp(list.p + start, tok, toklen) == 0)
			return true;
	}
	return false;
}
