/*
 * totp.h: the TOTP second factor (RFC 6238 over RFC 4226 HOTP), its
 * recovery codes and the acr values it gives (oidc.conf(5) `totp`).
 *
 * Codes: HMAC-SHA1 (oidc_hmac_sha1, common/crypto), 6 digits, 30-second
 * steps from the Unix epoch, accepted one step either side of now (RFC
 * 6238 5.2) and only for a step later than the last one accepted for the
 * user (user_totp.last_step, 0023_totp.sql): a code used once cannot be
 * used again, nor can an earlier one.
 *
 * Secrets: OIDC_TOTP_SECRET_LEN random bytes (RFC 4226 4: at least 128,
 * recommended 160 bits), shown base32 (RFC 4648, no padding) in an
 * otpauth:// URI, stored sealed (oidc/seal.h) under the
 * key_encryption_key with "totp" NUL user_id as associated data, so a
 * sealed secret moved to another user's row opens for nobody.
 *
 * Recovery codes: OIDC_TOTP_RECOVERY_CODES per enrolment, each
 * OIDC_TOTP_RECOVERY_LEN base32 letters (50 bits) shown as xxxxx-xxxxx,
 * stored as SHA-256 of "totp-recovery" NUL user_id NUL code, each usable
 * once.
 *
 * acr (OIDC Core 2): OIDC_ACR_MFA when the session's amr holds "otp"
 * (password and TOTP, or a recovery code), else OIDC_ACR_PWD when it holds
 * "pwd".
 */
#ifndef OIDC_TOTP_H
#define OIDC_TOTP_H

#include <stdint.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_TOTP_SECRET_LEN	20
#define OIDC_TOTP_PERIOD	30
#define OIDC_TOTP_DIGITS	6
#define OIDC_TOTP_SKEW		1	/* steps either side of now */
/* What oidc_totp_parse reads at most: bytes. */
#define OIDC_TOTP_INPUT_MAX	64
#define OIDC_TOTP_RECOVERY_LEN	10
#define OIDC_TOTP_RECOVERY_CODES 10

#define OIDC_ACR_PWD		"urn:oidc-fcgi:acr:pwd"
#define OIDC_ACR_MFA		"urn:oidc-fcgi:acr:mfa"

struct oidc_arena;
struct oidc_ctx;
struct oidc_session_row;

enum oidc_totp_kind {
	OIDC_TOTP_CODE,		/* OIDC_TOTP_DIGITS digits */
	OIDC_TOTP_RECOVERY	/* a recovery code, lower case */
};

struct oidc_totp_input {
	enum oidc_totp_kind	 kind;
	char			 v[OIDC_TOTP_RECOVERY_LEN + 1];
};

/*
 * Parse what the user typed, buf[0..len) (untrusted; at most
 * OIDC_TOTP_INPUT_MAX bytes, no NUL needed): spaces and dashes are
 * ignored; what is left is a code (exactly OIDC_TOTP_DIGITS ASCII digits)
 * or a recovery code (exactly OIDC_TOTP_RECOVERY_LEN base32 letters, any
 * case).  0 with *out, or -1 (out->v empty).
 */
int		 oidc_totp_parse(const char *buf, size_t len,
		    struct oidc_totp_input *out);

/* HOTP (RFC 4226 5.3) of counter: the code as a number.  0 or -1. */
OIDC_MUST_CHECK int oidc_totp_hotp(const unsigned char *key, size_t keylen,
		    uint64_t counter, uint32_t *code, struct oidc_error *);

/* The TOTP time step of a Unix time. */
int64_t		 oidc_totp_step(int64_t now);

/*
 * Check a code (OIDC_TOTP_DIGITS digits) against the steps of now, one
 * either side, later than last_step; every candidate is computed and
 * compared in constant time.  1 with *step the matching step, 0 no
 * match, -1.
 */
OIDC_MUST_CHECK int oidc_totp_verify(const unsigned char *key,
		    size_t keylen, int64_t now, int64_t last_step,
		    const char *code, int64_t *step, struct oidc_error *);

/* RFC 4648 base32 without padding, upper case (arena-owned) or NULL. */
char		*oidc_totp_base32(struct oidc_arena *, const unsigned char *,
		    size_t);

/*
 * The otpauth:// URI (Google Authenticator key URI format) of a secret
 * for an account: the issuer label is the issuer URL's host.  NULL when
 * out of memory.
 */
char		*oidc_totp_uri(struct oidc_arena *, const char *issuer,
		    const char *account, const unsigned char *secret,
		    size_t secretlen);

/* Seal / open a secret for user_id (see above).  0 or -1. */
OIDC_MUST_CHECK int oidc_totp_secret_seal(struct oidc_arena *,
		    const unsigned char *kek, int64_t user_id,
		    const unsigned char *secret, size_t len,
		    unsigned char **blob, size_t *bloblen, struct oidc_error *);
OIDC_MUST_CHECK int oidc_totp_secret_open(struct oidc_arena *,
		    const unsigned char *kek, int64_t user_id,
		    const unsigned char *blob, size_t bloblen,
		    unsigned char **secret, size_t *len, struct oidc_error *);

/*
 * A fresh recovery code (OIDC_TOTP_RECOVERY_LEN lower-case base32
 * letters, NUL-terminated in out).  0 or -1.
 */
OIDC_MUST_CHECK int oidc_totp_recovery_new(
		    char out[OIDC_TOTP_RECOVERY_LEN + 1], struct oidc_error *);
/* The stored hash of a (normalised) recovery code of user_id.  0 or -1. */
OIDC_MUST_CHECK int oidc_totp_recovery_hash(int64_t user_id,
		    const char *code, unsigned char out[32],
		    struct oidc_error *);

/* OIDC_ACR_MFA when amr (space-separated values) holds "otp". */
const char	*oidc_totp_acr(struct oidc_str amr);
/*
 * The acr of a session's amr for the ID Token: OIDC_ACR_MFA with "otp",
 * else OIDC_ACR_PWD with "pwd", else absent (a remote_user login).
 */
struct oidc_str	 oidc_totp_acr_of(struct oidc_str amr);
/* Is "otp" one of the space-separated amr values? */
bool		 oidc_amr_has_otp(struct oidc_str amr);
/* Is v one of them? */
bool		 oidc_amr_has(struct oidc_str amr, const char *v);

/*
 * authorize_totp.c.  Does a password login of user_id need the second
 * step (totp on, and the user enrolled or totp = required)?  1, 0, -1.
 * Is session s good enough: not a password session, or one with the
 * second step, or one that needs none?  1, 0, -1.  Every page that
 * accepts a password or a session (the authorization endpoint, the
 * device page) asks.
 */
OIDC_MUST_CHECK int oidc_totp_due(struct oidc_ctx *, int64_t user_id,
		    struct oidc_error *);
OIDC_MUST_CHECK int oidc_totp_session_ok(struct oidc_ctx *,
		    const struct oidc_session_row *, struct oidc_error *);

#endif /* OIDC_TOTP_H */
