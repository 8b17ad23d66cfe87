/*
 * str.h: counted strings, comparison, and checked number parsing.
 *
 * struct oidc_str never owns its bytes.  An absent string is { NULL, 0 }.
 * Comparisons fail closed: an absent string equals nothing, not even another
 * absent string.  oidc_str_eq_secret() runs in time independent of the
 * contents (lengths are not secret).
 */
#ifndef OIDC_STR_H
#define OIDC_STR_H

#include "oidc/cdefs.h"

struct oidc_str {
	const char	*p;
	size_t		 len;
};

#define OIDC_STR(lit)	((struct oidc_str){ (lit), sizeof(lit) - 1 })
#define OIDC_STR_NULL	((struct oidc_str){ NULL, 0 })

static inline bool
oidc_str_present(struct oidc_str s)
{
	return s.p != NULL;
}

/* Byte-exact equality; false when either side is absent. */
bool	oidc_str_eq(struct oidc_str, struct oidc_str);

/* As oidc_str_eq for a C string literal or NUL-terminated string. */
bool	oidc_str_eq_cstr(struct oidc_str, const char *);

/* Constant-time equality (CRYPTO_memcmp underneath after a length check). */
bool	oidc_str_eq_secret(struct oidc_str, struct oidc_str);

/* ASCII case-insensitive equality (HTTP auth schemes, header names). */
bool	oidc_str_eq_nocase(struct oidc_str, const char *);

/*
 * Parse an unsigned decimal: digits only, no sign, no whitespace, no leading
 * '+', overflow- and range-checked.  Returns 0 and sets *out, or -1.
 */
OIDC_MUST_CHECK int	oidc_parse_u64(const char *, size_t, uint64_t min,
			    uint64_t max, uint64_t *out);

/* The value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1. */
int	oidc_hex_value(int c);

/*
 * Decode exactly 2 * outlen hex digits (either case) from in[0..inlen) into
 * out[0..outlen).  Returns 0, or -1 if inlen is not 2 * outlen or a byte is
 * not a hex digit; a failure writes nothing to out.
 */
OIDC_MUST_CHECK int	oidc_hex_decode(const char *in, size_t inlen,
			    unsigned char *out, size_t outlen);

/* True if every byte is printable ASCII 0x20-0x7e (RFC 6749 VSCHAR + SP). */
bool	oidc_str_is_vschar(const char *, size_t);

/* True if the bytes are well-formed UTF-8 without NUL. */
bool	oidc_str_is_utf8(const char *, size_t);

/*
 * Space-delimited token lists (scope, response_type): true if `tok` occurs
 * as a whole token in `list`.
 */
bool	oidc_str_list_has(struct oidc_str list, const char *tok);

#endif /* OIDC_STR_H */
