/*
 * b64url.c: strict base64url and base64 (see oidc/b64url.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"

static const char url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char std_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
oidc_b64url_encoded_len(size_t n)
{
	return (n / 3) * 4 + ((n % 3) ? (n % 3) + 1 : 0);
}

size_t
oidc_b64url_encode_to(char *dst, const void *src, size_t n)
{
	const unsigned char	*s = src;
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		dst[o++] = url_alpha[(v >> 18) & 63];
		dst[o++] = url_alpha[(v >> 12) & 63];
		dst[o++] = url_alpha[(v >> 6) & 63];
		dst[o++] = url_alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		dst[o++] = url_alpha[(v >> 18) & 63];
		dst[o++] = url_alpha[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		dst[o++] = url_alpha[(v >> 18) & 63];
		dst[o++] = url_alpha[(v >> 12) & 63];
		dst[o++] = url_alpha[(v >> 6) & 63];
	}
	dst[o] = '\0';
	return o;
}

char *
oidc_b64url_encode(struct oidc_arena *a, const void *src, size_t n)
{
	char	*dst;
	size_t	 len;

	if (n > OIDC_B64_MAX_LEN * 3)
		return NULL;
	len = oidc_b64url_encoded_len(n);
	if ((dst = oidc_arena_alloc(a, len + 1)) == NULL)
		return NULL;
	(void)oidc_b64url_encode_to(dst, src, n);
	return dst;
}

static int
value_of(const char *alpha, char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(alpha, c)) == NULL)
		return -1;
	return (int)(p - alpha);
}

/* Decode len unpadded characters of `alpha`. */
static int
decode(struct oidc_arena *a, const char *alpha, const char *src, size_t len,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	unsigned char	*dst;
	size_t		 i, o = 0, n;
	uint32_t	 acc = 0;
	int		 v, bits = 0;

	if (len > OIDC_B64_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, "value too large",
		    "base64 input %zu bytes", len);
	if (len % 4 == 1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed base64", "base64: impossible length");
	n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	if ((dst = oidc_arena_alloc(a, n + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; i < len; i++) {
		if ((v = value_of(alpha, src[i])) < 0)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "malformed base64", "base64: bad character");
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one encoding per value. */
	if (acc != 0)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed base64", "base64: non-zero trailing bits");
	dst[o] = '\0';
	*out = dst;
	*outlen = o;
	return 0;
}

int
oidc_b64url_decode(struct oidc_arena *a, const char *src, size_t len,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	return decode(a, url_alpha, src, len, out, outlen, err);
}

int
oidc_b64_decode(struct oidc_arena *a, const char *src, size_t len,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	size_t	 pad = 0;

	if (len % 4 != 0)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "malformed base64", "base64: length not a multiple of 4");
	while (pad < 2 && len > pad && src[len - 1 - pad] == '=')
		pad++;
	return decode(a, std_alpha, src, len - pad, out, outlen, err);
}
