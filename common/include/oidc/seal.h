/*
 * seal.h: authenticated encryption of secrets at rest (AES-256-GCM,
 * NIST SP 800-38D), and the key-encryption-key file.
 *
 * Used for the private signing keys stored in the signing_key table and
 * for the client secrets the provider must read back (client.secret_sealed,
 * oidc/client.h): the key-encryption key (KEK) lives in a file named by
 * the configuration (key_encryption_key), never in the database, so a
 * database dump alone reveals neither.
 *
 * Sealed format, version 1 (all lengths fixed):
 *
 *	0x01 || nonce (12 bytes, random) || ciphertext || tag (16 bytes)
 *
 * The version byte and the caller's associated data (for signing keys:
 * "kid\nalg", see keystore.h; for client secrets: "client_secret" NUL
 * client_id) are authenticated, so a blob cannot be moved to another row
 * or have its version byte changed undetected.  A random 96-bit nonce per
 * seal is safe for far more than the 2^32 seals one key will ever see
 * (SP 800-38D 8.3).
 *
 * What this module does NOT do: key rotation of the KEK itself (re-seal
 * with `oidcctl`, see oidcctl(8)), streaming, other ciphers.
 *
 * KEK file: 64 hexadecimal digits (32 bytes, e.g. `openssl rand -hex 32`),
 * optionally followed by white space (a newline).  Anything else is
 * refused.  A file that "other" users may read or write is refused too.
 *
 * Limits:
 *   OIDC_SEAL_MAX_LEN     64 KiB   plaintext (a PEM key is a few KiB)
 *   OIDC_SEAL_MAX_AAD     1 KiB    associated data
 *
 * Errors: OIDC_E_CRYPTO when a blob fails to open (wrong key, tampered,
 * truncated, unknown version: deliberately one code, no oracle),
 * OIDC_E_LIMIT for size, OIDC_E_CONFIG / OIDC_E_IO for the KEK file,
 * OIDC_E_NOMEM.
 */
#ifndef OIDC_SEAL_H
#define OIDC_SEAL_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_SEAL_KEY_LEN	32
#define OIDC_SEAL_NONCE_LEN	12
#define OIDC_SEAL_TAG_LEN	16
#define OIDC_SEAL_VERSION	1
#define OIDC_SEAL_OVERHEAD	(1 + OIDC_SEAL_NONCE_LEN + OIDC_SEAL_TAG_LEN)
#define OIDC_SEAL_MAX_LEN	(64 * 1024)
#define OIDC_SEAL_MAX_AAD	1024

struct oidc_arena;

/*
 * Encrypt pt[0..ptlen) under key with associated data aad[0..aadlen) into
 * an arena-owned blob of ptlen + OIDC_SEAL_OVERHEAD bytes (*out, *outlen).
 * 0, or -1 with err set (OIDC_E_LIMIT, OIDC_E_CRYPTO, OIDC_E_NOMEM).
 */
OIDC_MUST_CHECK int	oidc_seal(struct oidc_arena *,
			    const unsigned char key[OIDC_SEAL_KEY_LEN],
			    const void *aad, size_t aadlen, const void *pt,
			    size_t ptlen, unsigned char **out, size_t *outlen,
			    struct oidc_error *);

/*
 * Decrypt and authenticate a blob made by oidc_seal() with the same key
 * and associated data.  The plaintext is arena-owned and NUL-terminated
 * (the NUL is not counted in *outlen); the arena wipes it at reset.
 * 0, or -1 with OIDC_E_CRYPTO (any tampering, wrong key or aad, bad
 * version, short blob) or OIDC_E_LIMIT / OIDC_E_NOMEM.  On failure no
 * plaintext byte is returned.
 */
OIDC_MUST_CHECK int	oidc_seal_open(struct oidc_arena *,
			    const unsigned char key[OIDC_SEAL_KEY_LEN],
			    const void *aad, size_t aadlen, const void *in,
			    size_t inlen, unsigned char **out, size_t *outlen,
			    struct oidc_error *);

/*
 * Parse a KEK from buf[0..len) (64 hex digits, then optional white
 * space).  0, or -1 with OIDC_E_CONFIG.  key is wiped on failure.
 */
OIDC_MUST_CHECK int	oidc_seal_key_parse(const char *buf, size_t len,
			    unsigned char key[OIDC_SEAL_KEY_LEN],
			    struct oidc_error *);

/*
 * Read and parse the KEK file at path (see above).  0, or -1 with
 * OIDC_E_IO (unreadable) or OIDC_E_CONFIG (format, permissions).
 */
OIDC_MUST_CHECK int	oidc_seal_key_load(const char *path,
			    unsigned char key[OIDC_SEAL_KEY_LEN],
			    struct oidc_error *);

/*
 * Derive an independent 32-byte key for one purpose from a KEK with
 * HKDF-SHA256 (RFC 5869, no salt, the NUL-terminated label as info), e.g.
 * the key that seals authorization codes (oidc/code.h).  0, or -1 with
 * OIDC_E_CRYPTO (out is wiped).
 */
OIDC_MUST_CHECK int	oidc_seal_key_derive(
			    const unsigned char kek[OIDC_SEAL_KEY_LEN],
			    const char *label,
			    unsigned char out[OIDC_SEAL_KEY_LEN],
			    struct oidc_error *);

#endif /* OIDC_SEAL_H */
