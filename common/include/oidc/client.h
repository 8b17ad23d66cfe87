/*
 * client.h: registered clients: metadata validation (RFC 7591 2, OpenID
 * Connect Dynamic Client Registration 1.0 2), loading, and the checks the
 * endpoints make against a client.
 *
 * Metadata rules (the same for `oidcctl client create` and, later, the
 * registration endpoint):
 *   - redirect_uris: required unless the client uses only
 *     client_credentials; URIs oidc_url_is_redirect_uri() accepts
 *     (oidc/url.h: RFC 3986 syntax, no fragment, no userinfo): https, or
 *     http on a loopback host (127.0.0.1, [::1], localhost), or a
 *     private-use scheme containing a '.' for native clients (RFC 8252
 *     7.1);
 *     at most OIDC_CLIENT_MAX_REDIRECT_URIS of at most 2 KiB each.
 *   - response_types (default ["code"]) and grant_types (default
 *     ["authorization_code"]) must agree: code needs authorization_code,
 *     id_token or token needs implicit.
 *   - token_endpoint_auth_method: client_secret_basic (default),
 *     client_secret_post, client_secret_jwt, private_key_jwt, none.
 *   - id_token_signed_response_alg (default RS256) and
 *     userinfo_signed_response_alg: a JWS algorithm name, never "none".
 *   - authorization_signed_response_alg (JARM 3; oidc/jarm.h): the same,
 *     RS256 when absent (not written into the metadata).
 *     authorization_encrypted_response_alg and _enc are refused:
 *     encrypted JARM responses are not supported.
 *   - post_logout_redirect_uris (RP-Initiated Logout 1.0 3.1): the same
 *     rules as redirect_uris, optional.
 *   - backchannel_logout_uri (Back-Channel Logout 1.0 2.2): an https URL
 *     that oidc_url_is_fetchable() accepts; http on a loopback host
 *     only with OIDC_CLIENT_ALLOW_PRIVATE (outbound_allow_private).
 *     backchannel_logout_session_required: a boolean (sid is always
 *     sent).
 *   - subject_type (OIDC Core 8): public (default) or pairwise, the
 *     latter only with OIDC_CLIENT_PAIRWISE (pairwise_salt_file);
 *     sector_identifier_uri: an https URL like backchannel_logout_uri
 *     (its document is fetched and checked at registration only,
 *     register.h; `oidcctl client create` trusts the operator);
 *     a pairwise client without one must have redirect_uris sharing one
 *     host (oidc/subject.h: the sector).
 *   - profile (an extension): "fapi2" holds the client to the FAPI 2.0
 *     Security Profile, "default" (or absent) to the provider's `profile`
 *     (oidc/fapi.h: the metadata rules, and OIDC_CLIENT_FAPI2_READY);
 *   - login (an extension, set by `oidcctl client` only: /register drops
 *     it and an RFC 7592 update keeps the stored one): "password" or
 *     "remote_user", how /authorize authenticates
 *     this client's users (oidc/remote_user.h); absent: the provider's
 *     `login`.
 *   - unknown members are kept (RFC 7591 2: ignored, not refused).
 * Redirect URIs are compared byte for byte (no case folding, no
 * normalisation, no prefix or wildcard matching).
 */
#ifndef OIDC_CLIENT_H
#define OIDC_CLIENT_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_CLIENT_MAX_REDIRECT_URIS	32
#define OIDC_CLIENT_MAX_URI_LEN		2048
#define OIDC_CLIENT_ID_MAX_LEN		128

struct oidc_arena;
struct oidc_db;
struct oidc_json;
struct oidc_client_row;
struct oidc_auth_failures;

enum oidc_auth_method {
	OIDC_AUTH_NONE = 0,
	OIDC_AUTH_SECRET_BASIC,
	OIDC_AUTH_SECRET_POST,
	OIDC_AUTH_SECRET_JWT,
	OIDC_AUTH_PRIVATE_KEY_JWT,
	OIDC_AUTH_TLS_CLIENT,		/* RFC 8705 2.1, oidc/tlsauth.h */
	OIDC_AUTH_SELF_SIGNED_TLS,	/* RFC 8705 2.2 */
	OIDC_AUTH__MAX
};

/* Response type combinations (OAuth 2.0 Multiple Response Types 3). */
enum oidc_rt {
	OIDC_RT_CODE = 1 << 0,
	OIDC_RT_ID_TOKEN = 1 << 1,
	OIDC_RT_ID_TOKEN_TOKEN = 1 << 2,
	OIDC_RT_CODE_ID_TOKEN = 1 << 3,
	OIDC_RT_CODE_TOKEN = 1 << 4,
	OIDC_RT_CODE_ID_TOKEN_TOKEN = 1 << 5,
	OIDC_RT_NONE = 1 << 6
};

enum oidc_gt {
	OIDC_GT_AUTHORIZATION_CODE = 1 << 0,
	OIDC_GT_IMPLICIT = 1 << 1,
	OIDC_GT_REFRESH_TOKEN = 1 << 2,
	OIDC_GT_CLIENT_CREDENTIALS = 1 << 3,
	/* RFC 8628: urn:ietf:params:oauth:grant-type:device_code */
	OIDC_GT_DEVICE_CODE = 1 << 4
};

/*
 * A client secret the provider must read back (client_secret_jwt, HS*
 * signing: OIDC Core 9, 10.1), as stored.  SECURITY (issue 15 item 10):
 * it is sealed (oidc/seal.h, AES-256-GCM) under the key_encryption_key
 * with associated data "client_secret" NUL client_id, so a database copy
 * does not reveal it and a sealed secret moved to another client's row
 * opens for nobody.  `legacy` is the clear secret of a row written before
 * 0009_client_secret_sealed.sql and not yet sealed by `oidcctl client
 * seal-secrets`: still honoured, never written.
 */
struct oidc_client_secret {
	const unsigned char	*sealed;	/* NULL: none */
	size_t			 sealed_len;
	struct oidc_str		 legacy;
};

/* The client's "login" member: absent, or the mode it names. */
enum oidc_client_login {
	OIDC_CLIENT_LOGIN_DEFAULT = 0,	/* the provider's `login` */
	OIDC_CLIENT_LOGIN_PASSWORD,
	OIDC_CLIENT_LOGIN_REMOTE_USER
};

struct oidc_client {
	struct oidc_str		 client_id;
	bool			 has_secret;
	unsigned char		 secret_hash[32];
	struct oidc_client_secret secret;	/* absent unless needed */
	enum oidc_auth_method	 auth_method;
	unsigned		 response_types;	/* OIDC_RT_* */
	unsigned		 grant_types;		/* OIDC_GT_* */
	struct oidc_str		*redirect_uris;
	size_t			 n_redirect_uris;
	struct oidc_str		*post_logout_redirect_uris;
	size_t			 n_post_logout_redirect_uris;
	struct oidc_str		*request_uris;	/* fetched by /authorize */
	size_t			 n_request_uris;
	struct oidc_str		 scope;		/* allowed; absent: any */
	struct oidc_str		 id_token_alg;
	struct oidc_str		 userinfo_alg;	/* absent: plain JSON */
	struct oidc_str		 authz_alg;	/* JARM; absent: RS256 */
	struct oidc_str		 client_name;
	bool			 first_party;
	/*
	 * False for a dynamically registered client not yet approved by an
	 * operator (`oidcctl client approve`): its error and post-logout
	 * redirects become a "you are leaving" page (RFC 9700 4.11.2).
	 */
	bool			 approved;
	bool			 require_nonce;
	/* require_pushed_authorization_requests (RFC 9126 6). */
	bool			 require_par;
	/* tls_client_certificate_bound_access_tokens (RFC 8705 3.4). */
	bool			 mtls_bound;
	enum oidc_client_login	 login;
	struct oidc_json	*metadata;	/* normalised, arena-owned */
};

/* oidc_client_normalize() flags. */
#define OIDC_CLIENT_ALLOW_PRIVATE	0x1u	/* outbound_allow_private */
#define OIDC_CLIENT_PAIRWISE		0x2u	/* pairwise_salt_file */
#define OIDC_CLIENT_FAPI2		0x4u	/* profile = fapi2 */
/* par and dpop on, par deployed: a client may say "profile": "fapi2". */
#define OIDC_CLIENT_FAPI2_READY		0x8u

/*
 * Validate client metadata and return a normalised copy with defaults
 * filled in.  `flags`: OIDC_CLIENT_ALLOW_PRIVATE when the configuration
 * allows private outbound destinations, OIDC_CLIENT_PAIRWISE when it has
 * a pairwise_salt_file.  OIDC_E_INVALID_REDIRECT_URI or
 * OIDC_E_INVALID_CLIENT_METADATA with a public description naming the
 * member.
 */
OIDC_MUST_CHECK int	oidc_client_normalize(struct oidc_arena *,
			    const struct oidc_json *in, unsigned flags,
			    struct oidc_json **out, struct oidc_error *);

/*
 * True if the normalised metadata needs the secret kept recoverable
 * (sealed): token_endpoint_auth_method client_secret_jwt, or an HS*
 * id_token_signed_response_alg, userinfo_signed_response_alg,
 * authorization_signed_response_alg or request_object_signing_alg.
 */
bool	oidc_client_needs_plain_secret(const struct oidc_json *normalized);

/*
 * 0 if a client with normalised metadata `meta` can be stored: it needs
 * no recoverable secret, or kek (the key_encryption_key) is set.  Else
 * -1 with OIDC_E_INVALID_CLIENT_METADATA and a public description naming
 * key_encryption_key.
 */
OIDC_MUST_CHECK int	oidc_client_check_secret_storage(
			    const struct oidc_json *meta,
			    const unsigned char *kek, struct oidc_error *);

/*
 * Seal `secret` for client_id under kek (OIDC_SEAL_KEY_LEN bytes, not
 * NULL) into an arena-owned blob for the secret_sealed column.  0, or -1
 * with err set (OIDC_E_LIMIT, OIDC_E_CRYPTO, OIDC_E_NOMEM).
 */
OIDC_MUST_CHECK int	oidc_client_secret_seal(struct oidc_arena *,
			    const unsigned char *kek, struct oidc_str client_id,
			    struct oidc_str secret, const unsigned char **out,
			    size_t *outlen, struct oidc_error *);

/*
 * The clear secret of client_id from its stored form: opened with kek
 * when sealed (arena-owned, NUL-terminated, wiped at arena reset), the
 * legacy clear text otherwise, OIDC_STR_NULL when there is none.  0, or
 * -1 with OIDC_E_CONFIG (sealed, kek NULL) or OIDC_E_CRYPTO (wrong key,
 * tampered, or sealed for another client).  The secret is never logged.
 */
OIDC_MUST_CHECK int	oidc_client_secret_open(struct oidc_arena *,
			    const unsigned char *kek, struct oidc_str client_id,
			    const struct oidc_client_secret *,
			    struct oidc_str *out, struct oidc_error *);

/* oidc_client_secret_open() for the secret columns of a stored row. */
OIDC_MUST_CHECK int	oidc_client_row_secret(struct oidc_arena *,
			    const unsigned char *kek,
			    const struct oidc_client_row *,
			    struct oidc_str *out, struct oidc_error *);

/*
 * Set row->metadata to meta's JSON text and row->origins to the JSON
 * array of its redirect URIs' origins (oidc_cors_origin_of, each once):
 * what every client write stores, so the CORS preflight's lookup
 * (client_origin_known) reads no metadata.  0, or -1 with err set.
 */
OIDC_MUST_CHECK int	oidc_client_row_set_metadata(struct oidc_arena *,
			    const struct oidc_json *meta,
			    struct oidc_client_row *, struct oidc_error *);

/* Fill *out from a stored row (metadata JSON parsed into the arena). */
OIDC_MUST_CHECK int	oidc_client_from_row(struct oidc_arena *,
			    const struct oidc_client_row *,
			    struct oidc_client *, struct oidc_error *);

/* Load a client by id: 1 found, 0 unknown, -1 error. */
OIDC_MUST_CHECK int	oidc_client_load(struct oidc_db *, struct oidc_arena *,
			    struct oidc_str client_id, struct oidc_client *,
			    struct oidc_error *);

/* oidc_client_load with the client's authentication failures (db.h). */
OIDC_MUST_CHECK int	oidc_client_load_throttled(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str client_id,
			    struct oidc_auth_failures *, struct oidc_client *,
			    struct oidc_error *);

/*
 * logo_uri, policy_uri, tos_uri, client_uri and initiate_login_uri (RFC
 * 7591 2, OIDC Registration 2): links shown to the user.  At most
 * OIDC_CLIENT_MAX_URI_LEN bytes that oidc_url_is_https_link() accepts
 * (oidc/url.h): https, no userinfo; a fragment is allowed.  Checked at
 * registration and again before /authorize shows them.
 */
bool	oidc_client_uri_is_link(struct oidc_str uri);

/* Exact byte-for-byte membership of uri in the registered redirect URIs. */
bool	oidc_client_redirect_uri_ok(const struct oidc_client *,
	    struct oidc_str uri);

/*
 * A request_uri the client registered in request_uris, compared exactly
 * up to the fragment (issue 15 item 4).
 */
bool	oidc_client_request_uri_ok(const struct oidc_client *,
	    struct oidc_str uri);

/* The same for the registered post_logout_redirect_uris. */
bool	oidc_client_post_logout_uri_ok(const struct oidc_client *,
	    struct oidc_str uri);

/* Parse a response_type value (order-insensitive): an OIDC_RT_* or 0. */
unsigned	oidc_rt_parse(struct oidc_str);

/* The auth method's registered name, and back (OIDC_AUTH__MAX if unknown). */
const char		*oidc_auth_method_name(enum oidc_auth_method);
enum oidc_auth_method	 oidc_auth_method_parse(struct oidc_str);
/* A method without a shared secret: none, private_key_jwt, the TLS ones. */
bool			 oidc_auth_method_secretless(struct oidc_str);

#endif /* OIDC_CLIENT_H */
