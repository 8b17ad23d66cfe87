/*
 * code.h: self-contained authorization codes, sealed with AES-256-GCM
 * (oidc/seal.h) under a key every authorize and token worker derives from
 * the key_encryption_key file (oidc_keystore_code_key(), HKDF-SHA256 with
 * OIDC_CODE_KEY_LABEL).  Issue 16: with a sealed code the authorization
 * endpoint writes nothing for response_type=code, and the token endpoint
 * makes the code single-use by recording its SHA-256 in the same
 * statement that inserts the tokens (db_grant.c, code_redeem_sealed).
 *
 * The code carries everything the auth_code row holds: client_id,
 * redirect_uri, scope, nonce, the PKCE challenge (always S256: the only
 * method /authorize accepts), user id, auth_time, acr, amr, sid, the
 * claims request, the DPoP key thumbprint the request bound it to
 * (dpop_jkt, RFC 9449 10) and the expiry.  Nothing in it is readable or
 * changeable by the client: any change of any bit fails the GCM tag, and
 * the associated data binds it to this use ("code", version 1).  A code
 * sealed before dpop_jkt was added ends after claims: it opens unbound.
 *
 * Wire form: base64url (no padding) of the oidc_seal() blob of
 *
 *	expires_at, auth_time, user_id     (8 bytes each, big-endian)
 *	client_id, redirect_uri, scope, nonce, code_challenge, acr, amr,
 *	sid, claims, dpop_jkt              (each: 2-byte big-endian length,
 *	                                    0xffff for absent, then bytes)
 *	[resource]                         (only when the code has resource
 *	                                    indicators, oidc/resource.h: a
 *	                                    2-byte length and the bytes; codes
 *	                                    sealed before it open as before)
 *
 * What this module does NOT do: single use, replay revocation, the nonce
 * rule, and the checks against the token request (token.c and the
 * statement do those), key rotation (a new KEK invalidates codes in
 * flight: at most code_ttl seconds of them).
 *
 * Limits:
 *   OIDC_CODE_MAX_LEN     1024 characters: a longer code is not sealed
 *                         (the caller stores it as before) and a longer
 *                         presented code is not opened
 *   a sealed code is always longer than OIDC_CODE_STORED_LEN (43, the
 *   stored codes' length), so the two kinds never collide.
 */
#ifndef OIDC_CODE_H
#define OIDC_CODE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_CODE_KEY_LABEL	"oidc-fcgi authorization code v1"
#define OIDC_CODE_MAX_LEN	1024
#define OIDC_CODE_STORED_LEN	43

struct oidc_arena;
struct oidc_code_row;

/*
 * Seal c (client_id, user_id, redirect_uri, scope, nonce,
 * code_challenge, auth_time, acr, amr, sid, claims, resource, dpop_jkt; other
 * members are ignored) with its absolute expiry into an arena-owned
 * NUL-terminated base64url string *out.  1 sealed, 0 the code would be longer than
 * OIDC_CODE_MAX_LEN (nothing sealed: store it instead), -1 with err set
 * (OIDC_E_CRYPTO, OIDC_E_NOMEM).
 */
OIDC_MUST_CHECK int	oidc_code_seal(struct oidc_arena *,
			    const unsigned char *key,
			    const struct oidc_code_row *c, int64_t expires_at,
			    char **out, struct oidc_error *);

/*
 * Open a presented code.  1 it is a code sealed under key: *c has the
 * fields listed above (strings arena-owned, absent ones NULL) and
 * *expires_at its expiry; 0 it is not (wrong length or alphabet, wrong
 * key, any tampering: deliberately one answer); -1 with err set
 * (OIDC_E_NOMEM).  Nothing is checked against time or the request here.
 */
OIDC_MUST_CHECK int	oidc_code_open(struct oidc_arena *,
			    const unsigned char *key, struct oidc_str code,
			    struct oidc_code_row *c, int64_t *expires_at,
			    struct oidc_error *);

#endif /* OIDC_CODE_H */
