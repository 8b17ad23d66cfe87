/*
 * register.h: registering clients.  Dynamic Client Registration (RFC 7591,
 * OpenID Connect Dynamic Client Registration 1.0) at POST /register, the
 * client configuration endpoint (RFC 7592) at /register/<client_id> (GET
 * read, PUT update, DELETE), and the client secret issuance that
 * `oidcctl client create` shares with them.
 *
 * Configuration (oidc.conf): registration = off (the endpoint answers 404
 * and discovery does not advertise it), open (anyone may register), or
 * token (POST /register needs "Authorization: Bearer <initial access
 * token>", checked against registration_initial_token_hash).
 *
 * Registration: the server picks client_id (128 random bits) and the
 * client secret (256 bits, only when token_endpoint_auth_method needs one);
 * client_id and client_secret in the request are ignored, and a
 * dynamically registered client is never first-party (its users always
 * see the consent page) and never a resource server.  The answer (201)
 * holds the stored metadata, client_id, client_secret,
 * client_id_issued_at, client_secret_expires_at (0: never),
 * registration_access_token (256 bits) and registration_client_uri
 * (ISSUER/register/<client_id>).  Only SHA-256 hashes of the secret and of
 * the registration access token are stored, and the secret sealed under
 * the key_encryption_key when the client needs it back (HS* signing,
 * client_secret_jwt: client.h); without a key_encryption_key such a
 * client is refused (invalid_client_metadata).
 *
 * Management (RFC 7592): the registration access token as a Bearer token,
 * compared as SHA-256 digests in constant time; a wrong, missing or other
 * client's token, or an unknown client, is 401 invalid_token.  Read
 * answers the registration (the presented token echoed as
 * registration_access_token; the secret only when it is stored sealed,
 * opened for the answer).  Update replaces the metadata entirely;
 * client_id must equal the one in the URL; client_secret may be echoed
 * but never changed; a
 * change of token_endpoint_auth_method that needs a new secret issues one.
 * Delete answers 204 and removes the client with its grants and tokens.
 * Clients made with oidcctl cannot be managed here.
 *
 * Metadata rules: everything oidc_client_normalize() enforces (client.h),
 * plus: application_type web (the default, filled in) needs https redirect
 * URIs except http on loopback; jwks and jwks_uri are exclusive; jwks_uri
 * must be https (http on loopback with outbound_allow_private) and is
 * fetched when the keys are needed (clientauth.h); jwks must be a JWK Set
 * of public signing keys we can parse; private_key_jwt needs jwks or
 * jwks_uri; HS* signing needs a client secret; subject_type pairwise needs
 * pairwise_salt_file (client.h); at POST and PUT a sector_identifier_uri
 * is fetched through the outbound module (at most
 * OIDC_REGISTER_MAX_SECTOR_DOC bytes, status 200) and must be a JSON array
 * of strings holding every redirect_uri (OpenID Connect Dynamic Client
 * Registration 1.0 5), else invalid_client_metadata; encrypted
 * responses are refused; logo_uri, policy_uri, tos_uri, client_uri and
 * initiate_login_uri must be https URLs.  Errors are RFC 7591 3.2.2:
 * 400 invalid_redirect_uri or invalid_client_metadata with a description.
 *
 * request_uris are checked by oidc_client_normalize (client.h).
 * Not done here: software statements (ignored), back-channel logout.
 *
 * Limits: body OIDC_REGISTER_MAX_BODY (64 KiB) of JSON (json.h limits),
 * sector_identifier_uri document OIDC_REGISTER_MAX_SECTOR_DOC (16 KiB),
 * client_id in the path: 1..OIDC_CLIENT_ID_MAX_LEN of [A-Za-z0-9_-].
 */
#ifndef OIDC_REGISTER_H
#define OIDC_REGISTER_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_REGISTER_MAX_BODY		(64 * 1024)
#define OIDC_REGISTER_PATH		"/register"
#define OIDC_REGISTER_MIN_SECRET_LEN	32
#define OIDC_REGISTER_MAX_SECTOR_DOC	(16 * 1024)

struct oidc_arena;
struct oidc_client_row;
struct oidc_ctx;
struct oidc_json;
struct oidc_request;
struct oidc_response;

/*
 * Classify a request path (DOCUMENT_URI): 0 for "/register" exactly,
 * 1 for "/register/<client_id>" with *client_id pointing into path,
 * -1 for anything else (a trailing slash, an empty or over-long id, a
 * byte outside [A-Za-z0-9_-]).  Never reads past path.len.
 */
int	oidc_register_parse_path(struct oidc_str path,
	    struct oidc_str *client_id);

/*
 * Validate registration metadata `in` (borrowed) and return in *out an
 * arena-owned, normalised copy without the members the server manages
 * (client_id, client_secret, client_id_issued_at, client_secret_expires_at,
 * registration_access_token, registration_client_uri, first_party,
 * resource_server: false).  0, or -1 with OIDC_E_INVALID_REDIRECT_URI /
 * OIDC_E_INVALID_CLIENT_METADATA and a public description, or an internal
 * code.  `flags` as for oidc_client_normalize().
 */
OIDC_MUST_CHECK int	oidc_register_metadata(struct oidc_arena *,
			    const struct oidc_json *in, unsigned flags,
			    struct oidc_json **out, struct oidc_error *);

/*
 * SECURITY (issue 15 item 5): a dynamically registered client may hold
 * only the scope values the provider allows for registration, or it could
 * self-assign "admin" and receive it (client_credentials).  The "scope"
 * member of normalised metadata `meta` must name only values of `allowed`
 * (the registration_scopes configuration, space-separated) or of `held`
 * (the scope the client already holds: an RFC 7592 update may keep what
 * the operator granted; OIDC_STR_NULL when registering).  An absent scope
 * is set to `allowed`.  0, or -1 with OIDC_E_INVALID_CLIENT_METADATA
 * (RFC 7591 3.2.2) or an internal code.
 */
OIDC_MUST_CHECK int	oidc_register_check_scope(struct oidc_json *meta,
			    const char *allowed, struct oidc_str held,
			    struct oidc_error *);

/*
 * Fill the secret columns of `row` (row->client_id set) for normalised
 * metadata `meta`: no secret for token_endpoint_auth_method none and
 * private_key_jwt; otherwise `given` (oidcctl only: at least
 * OIDC_REGISTER_MIN_SECRET_LEN printable characters, else
 * OIDC_E_INVALID_CLIENT_METADATA) or a fresh random secret, stored as its
 * SHA-256 and, when the client needs it back (client.h), sealed under kek
 * (the key_encryption_key).  A client that needs it back while kek is
 * NULL is refused (OIDC_E_INVALID_CLIENT_METADATA naming
 * key_encryption_key).  *secret_out is the arena-owned plaintext, or NULL
 * when the client has no secret.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_register_secret(struct oidc_arena *,
			    const unsigned char *kek,
			    const struct oidc_json *meta, struct oidc_str given,
			    struct oidc_client_row *row,
			    const char **secret_out, struct oidc_error *);

/*
 * Keep the secret of stored row `old` in `row` (same client_id) for new
 * metadata `meta`: its hash, and when `meta` needs the secret back, the
 * secret opened from `old` and sealed again under kek (a legacy clear
 * secret gets sealed here).  *secret_out is then the plaintext, else
 * NULL.  0, or -1 (OIDC_E_INVALID_CLIENT_METADATA when kek is NULL and
 * the secret is needed back; OIDC_E_CRYPTO / OIDC_E_CONFIG when `old`
 * does not open).
 */
OIDC_MUST_CHECK int	oidc_register_keep_secret(struct oidc_arena *,
			    const unsigned char *kek,
			    const struct oidc_json *meta,
			    const struct oidc_client_row *old,
			    struct oidc_client_row *row,
			    const char **secret_out, struct oidc_error *);

/*
 * The endpoint (cgi-bin/register.c): POST /register, GET/PUT/DELETE
 * /register/<client_id>, as described above.
 */
OIDC_MUST_CHECK int	oidc_register_handle(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    struct oidc_error *);

#endif /* OIDC_REGISTER_H */
