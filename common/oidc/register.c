/*
 * register.c: dynamic client registration and management (see
 * oidc/register.h; RFC 7591, RFC 7592, OpenID Connect Dynamic Client
 * Registration 1.0).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/authz_header.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/outbound.h"
#include "oidc/jwk.h"
#include "oidc/log.h"
#include "oidc/register.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"

/* Random bytes of a generated client_id (base64url: 22 characters). */
#define CLIENT_ID_BYTES	16

/* Members the server sets; whatever a client sends for them is dropped. */
static const char *const server_members[] = {
	"client_id", "client_secret", "client_id_issued_at",
	"client_secret_expires_at", "registration_access_token",
	"registration_client_uri", "first_party",
	/* How the users sign in (oidc/client.h): the operator's choice. */
	"login"
};

/* Encrypted responses and request objects: not implemented (JWE). */
static const char *const jwe_members[] = {
	"id_token_encrypted_response_alg", "id_token_encrypted_response_enc",
	"userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc",
	"request_object_encryption_alg", "request_object_encryption_enc",
	"authorization_encrypted_response_alg",
	"authorization_encrypted_response_enc"
};

/* URLs a user may be shown or sent to: https only. */
static const char *const https_members[] = {
	"logo_uri", "policy_uri", "tos_uri", "client_uri", "initiate_login_uri"
};

/* JWK members that hold private key material (RFC 7518 6.2.2, 6.3.2, 6.4). */
static const char *const private_jwk_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

static int
bad_meta(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, desc, "%s",
	    desc);
}

int
oidc_register_parse_path(struct oidc_str path, struct oidc_str *client_id)
{
	static const char	 prefix[] = OIDC_REGISTER_PATH "/";
	const size_t		 plen = sizeof(prefix) - 1;
	size_t			 i;
	char			 c;

	*client_id = OIDC_STR_NULL;
	if (path.p == NULL)
		return -1;
	if (oidc_str_eq_cstr(path, OIDC_REGISTER_PATH))
		return 0;
	if (path.len <= plen || memcmp(path.p, prefix, plen) != 0 ||
	    path.len - plen > OIDC_CLIENT_ID_MAX_LEN)
		return -1;
	/*
	 * Only the alphabet of the ids we generate (base64url): nginx hands
	 * us the decoded URI, so "%2F", "..", spaces or NULs must not reach
	 * the database as part of an id.
	 */
	for (i = plen; i < path.len; i++) {
		c = path.p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	*client_id = (struct oidc_str){ path.p + plen, path.len - plen };
	return 1;
}

static void
free_keyset(void *p)
{
	oidc_keyset_free(p);
}

/*
 * jwks (RFC 7591 2): a JWK Set of public keys we can verify with.  A
 * client that pastes its private key gets an error instead of having it
 * stored.
 */
static int
check_jwks(struct oidc_arena *a, const struct oidc_json *jwks,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_json	*keys, *k;
	struct oidc_keyset	*ks;
	const char		*doc;
	size_t			 i, m, n, len;

	if (oidc_json_type_of(jwks) != OIDC_JSON_OBJECT ||
	    oidc_json_get_array(jwks, "keys", &keys, &why) != 1)
		return bad_meta(err, "jwks must be a JWK Set: an object with "
		    "a keys array");
	if ((n = oidc_json_array_len(keys)) == 0)
		return bad_meta(err, "jwks holds no keys");
	for (i = 0; i < n; i++) {
		k = oidc_json_array_get(keys, i);
		if (k == NULL || oidc_json_type_of(k) != OIDC_JSON_OBJECT)
			return bad_meta(err, "jwks keys must be JWK objects");
		for (m = 0; m < OIDC_NELEM(private_jwk_members); m++)
			if (oidc_json_has_key(k, private_jwk_members[m]))
				return bad_meta(err, "jwks must hold public "
				    "keys only");
	}
	if ((doc = oidc_json_serialize(jwks, a, &len, err)) == NULL)
		return -1;
	if ((ks = oidc_keyset_parse(a, doc, len, OIDC_JWS_ALG_ANY, NULL,
	    &why)) == NULL) {
		if (oidc_error_is_internal(why.code) &&
		    why.code != OIDC_E_CONFIG)
			return oidc_fail(err, why.code, NULL, "%s", why.detail);
		return bad_meta(err, "jwks holds no usable public signing "
		    "key");
	}
	if (oidc_arena_defer(a, free_keyset, ks) == -1) {
		oidc_keyset_free(ks);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	}
	for (i = 0; i < oidc_keyset_count(ks); i++)
		if (oidc_jwk_is_private(oidc_keyset_get(ks, i)) ||
		    oidc_jwk_kty(oidc_keyset_get(ks, i)) == OIDC_JWK_OCT)
			return bad_meta(err, "jwks must hold public keys only");
	return 0;
}

/* A member that must be a string when present: 1 found, 0 absent, -1. */
static int
opt_str(const struct oidc_json *j, const char *key, struct oidc_str *out,
    const char *desc, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	int			 rc;

	*out = OIDC_STR_NULL;
	if ((rc = oidc_json_get_str(j, key, out, &tmp)) == -1)
		return bad_meta(err, desc);
	return rc;
}

/* oidc_client_normalize() flags from the configuration. */
static unsigned
norm_flags(const struct oidc_ctx *ctx)
{
	return (ctx->cfg->outbound_allow_private ? OIDC_CLIENT_ALLOW_PRIVATE :
	    0) | (ctx->cfg->pairwise_salt_file != NULL ? OIDC_CLIENT_PAIRWISE :
	    0) | oidc_fapi2_client_flags(ctx->cfg);
}

/* RFC 8705 2: the TLS methods only with mtls_client_auth on. */
static int
check_tls_method(struct oidc_ctx *ctx, const struct oidc_json *meta,
    struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	enum oidc_auth_method	 m;

	if (ctx->cfg->mtls_client_auth ||
	    oidc_json_get_str(meta, "token_endpoint_auth_method", &s, &tmp) !=
	    1)
		return 0;
	m = oidc_auth_method_parse(s);
	if (m != OIDC_AUTH_TLS_CLIENT && m != OIDC_AUTH_SELF_SIGNED_TLS)
		return 0;
	return bad_meta(err, "token_endpoint_auth_method is not supported "
	    "(mtls_client_auth is off)");
}

/*
 * OpenID Connect Dynamic Client Registration 1.0 5: the document at
 * sector_identifier_uri, fetched through the outbound module, must be a
 * JSON array of strings holding every registered redirect_uri.  Anything
 * else (unreachable, not 200, not such an array, a URI missing) is
 * invalid_client_metadata, with the cause in the log only.
 */
static int
check_sector_document(struct oidc_ctx *ctx, const struct oidc_json *meta,
    struct oidc_error *err)
{
	struct oidc_error		 why = { 0 };
	struct oidc_outbound_req	 rq;
	struct oidc_outbound_resp	 rs;
	struct oidc_json		*doc, *v;
	struct oidc_str			 uri, *ruris = NULL, s;
	size_t				 nr = 0, nd, i, k;
	const char			*cause = NULL;

	if (oidc_json_get_str(meta, "sector_identifier_uri", &uri, &why) != 1)
		return 0;
	if (oidc_json_get_str_list(meta, "redirect_uris", false, ctx->a,
	    &ruris, &nr, err) == -1)
		return -1;
	memset(&rq, 0, sizeof(rq));
	rq.method = OIDC_OUTBOUND_GET;
	rq.url = uri;
	rq.accept = "application/json";
	rq.max_response = OIDC_REGISTER_MAX_SECTOR_DOC;
	if (oidc_outbound_request(ctx->a, ctx->cfg, &rq, &rs, &why) == -1) {
		if (why.code == OIDC_E_NOMEM)
			return oidc_fail(err, why.code, NULL, "%s", why.detail);
		cause = why.detail;
	} else if (rs.status != 200)
		cause = "HTTP status not 200";
	else if (oidc_json_parse_array(ctx->a, rs.body.p, rs.body.len,
	    OIDC_REGISTER_MAX_SECTOR_DOC, &doc, &why) == -1)
		cause = "not a JSON array";
	else {
		nd = oidc_json_array_len(doc);
		for (k = 0; k < nd && cause == NULL; k++)
			if ((v = oidc_json_array_get(doc, k)) == NULL ||
			    oidc_json_as_str(v, &s) == -1)
				cause = "an element is not a string";
		for (i = 0; i < nr && cause == NULL; i++) {
			for (k = 0; k < nd; k++)
				if (oidc_json_as_str(oidc_json_array_get(doc,
				    k), &s) == 0 && oidc_str_eq(s, ruris[i]))
					break;
			if (k == nd)
				cause = "a redirect_uri is not listed";
		}
	}
	if (cause == NULL)
		return 0;
	oidc_log(OIDC_LOG_INFO, "msg=\"sector_identifier_uri refused\" "
	    "uri=\"%s\" cause=\"%s\"", oidc_log_safe(ctx->a, uri.p, uri.len),
	    oidc_log_safe(ctx->a, cause, strlen(cause)));
	return bad_meta(err, "sector_identifier_uri must serve a JSON array "
	    "holding every redirect_uri");
}

/*
 * Keys: jwks by value, or jwks_uri fetched when they are needed; never
 * both.  *has_keys tells whether the client has either.
 */
static int
check_keys(struct oidc_arena *a, const struct oidc_json *j, unsigned flags,
    bool *has_keys, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_json	*jwks = NULL;
	struct oidc_str		 s;
	bool			 has_jwks;

	has_jwks = oidc_json_has_key(j, "jwks");
	*has_keys = has_jwks;
	if (has_jwks && oidc_json_has_key(j, "jwks_uri"))
		return bad_meta(err, "jwks and jwks_uri must not both be "
		    "present");
	if (oidc_json_has_key(j, "jwks_uri")) {
		if (oidc_json_get_str(j, "jwks_uri", &s, &tmp) != 1 ||
		    oidc_outbound_url_check(s.p, s.len,
		    (flags & OIDC_CLIENT_ALLOW_PRIVATE) != 0, &tmp) == -1)
			return bad_meta(err, "jwks_uri must be an https URL");
		*has_keys = true;
	}
	if (has_jwks) {
		if (oidc_json_get_obj(j, "jwks", &jwks, &tmp) != 1)
			return bad_meta(err, "jwks must be a JWK Set: an "
			    "object with a keys array");
		if (check_jwks(a, jwks, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The authentication method against the keys and algorithms: a signing
 * algorithm that needs a shared secret needs one issued.
 */
static int
check_auth_method(const struct oidc_json *j, bool has_keys,
    struct oidc_error *err)
{
	struct oidc_str		 s, method;
	enum oidc_jws_alg	 alg;
	int			 rc;

	if (opt_str(j, "token_endpoint_auth_method", &method,
	    "token_endpoint_auth_method must be a string", err) == -1)
		return -1;
	if (oidc_str_eq_cstr(method, "private_key_jwt") && !has_keys)
		return bad_meta(err, "private_key_jwt needs jwks or jwks_uri");
	if ((rc = opt_str(j, "token_endpoint_auth_signing_alg", &s,
	    "token_endpoint_auth_signing_alg must be a string", err)) == -1)
		return -1;
	if (rc == 1) {
		if (oidc_jws_alg_from_name(s.p, s.len, &alg) != 1)
			return bad_meta(err, "token_endpoint_auth_signing_alg "
			    "is not supported");
		if (oidc_str_eq_cstr(method, "private_key_jwt") &&
		    oidc_jws_alg_name_is_hs(s))
			return bad_meta(err, "private_key_jwt needs an "
			    "asymmetric token_endpoint_auth_signing_alg");
		if (oidc_str_eq_cstr(method, "client_secret_jwt") &&
		    !oidc_jws_alg_name_is_hs(s))
			return bad_meta(err, "client_secret_jwt needs an HS* "
			    "token_endpoint_auth_signing_alg");
	}
	if (!oidc_auth_method_secretless(method))
		return 0;
	/* Secretless: no HS* signing of what we send the client. */
	if (opt_str(j, "id_token_signed_response_alg", &s,
	    "id_token_signed_response_alg must be a string", err) == -1)
		return -1;
	if (oidc_jws_alg_name_is_hs(s))
		return bad_meta(err, "HS* ID Token signing needs a "
		    "client secret");
	if (opt_str(j, "userinfo_signed_response_alg", &s,
	    "userinfo_signed_response_alg must be a string", err) == -1)
		return -1;
	if (oidc_jws_alg_name_is_hs(s))
		return bad_meta(err, "HS* UserInfo signing needs a "
		    "client secret");
	if (opt_str(j, "authorization_signed_response_alg", &s,
	    "authorization_signed_response_alg must be a string", err) == -1)
		return -1;
	if (oidc_jws_alg_name_is_hs(s))
		return bad_meta(err, "HS* authorization response (JARM) "
		    "signing needs a client secret");
	return 0;
}

/* The members oidc_client_normalize() does not read at all. */
static int
check_other_members(struct oidc_arena *a, const struct oidc_json *j,
    struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s, *list = NULL;
	size_t			 i, n = 0;
	int64_t			 v;
	bool			 b;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(jwe_members); i++)
		if (oidc_json_has_key(j, jwe_members[i]))
			return bad_meta(err, "encrypted responses and request "
			    "objects are not supported");
	for (i = 0; i < OIDC_NELEM(https_members); i++) {
		if ((rc = opt_str(j, https_members[i], &s,
		    "logo_uri, policy_uri, tos_uri, client_uri and "
		    "initiate_login_uri must be strings", err)) == -1)
			return -1;
		if (rc == 1 && !oidc_client_uri_is_link(s))
			return bad_meta(err, "logo_uri, policy_uri, tos_uri, "
			    "client_uri and initiate_login_uri must be https "
			    "URLs");
	}
	if (oidc_json_get_str_list(j, "contacts", false, a, &list, &n,
	    &tmp) == -1)
		return bad_meta(err, "contacts must be an array of strings");
	if (oidc_json_get_i64(j, "default_max_age", &v, &tmp) == -1 ||
	    (oidc_json_has(j, "default_max_age") && v < 0))
		return bad_meta(err, "default_max_age must be a non-negative "
		    "integer");
	if (oidc_json_get_bool(j, "require_auth_time", &b, &tmp) == -1)
		return bad_meta(err, "require_auth_time must be a boolean");
	return 0;
}

/* The rules register.h adds to oidc_client_normalize(). */
static int
check_extra(struct oidc_arena *a, const struct oidc_json *j, unsigned flags,
    struct oidc_error *err)
{
	bool	 has_keys;

	if (check_keys(a, j, flags, &has_keys, err) == -1 ||
	    check_auth_method(j, has_keys, err) == -1 ||
	    check_other_members(a, j, err) == -1)
		return -1;
	return 0;
}

int
oidc_register_metadata(struct oidc_arena *a, const struct oidc_json *in,
    unsigned flags, struct oidc_json **out, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_json	*j, *norm;
	bool			 rs = false;
	size_t			 i;

	if (oidc_json_type_of(in) != OIDC_JSON_OBJECT)
		return bad_meta(err, "client metadata must be a JSON object");
	if ((j = oidc_json_copy(a, in)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json copy");
	for (i = 0; i < OIDC_NELEM(server_members); i++)
		oidc_json_del(j, server_members[i]);
	/*
	 * SECURITY: resource_server lets a client introspect every token
	 * (revoke.h).  Only the operator grants it, with oidcctl.
	 */
	if (oidc_json_get_bool(j, "resource_server", &rs, &tmp) == -1 || rs)
		return bad_meta(err, "resource_server cannot be registered "
		    "dynamically");
	oidc_json_del(j, "resource_server");
	/* Software statements are not verified, so they are not kept. */
	oidc_json_del(j, "software_statement");
	if (check_extra(a, j, flags, err) == -1)
		return -1;
	if (oidc_client_normalize(a, j, flags, &norm, err) == -1)
		return -1;
	/* OpenID Connect Dynamic Client Registration 2: web by default. */
	if (!oidc_json_has(norm, "application_type") &&
	    oidc_json_set_cstr(norm, "application_type", "web", err) == -1)
		return -1;
	*out = norm;
	return 0;
}

int
oidc_register_check_scope(struct oidc_json *meta, const char *allowed,
    struct oidc_str held, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_scope	 want, ok_set, held_set;
	struct oidc_str		 s = OIDC_STR_NULL;
	int			 rc;

	if ((rc = oidc_json_get_str(meta, "scope", &s, &why)) == -1)
		return bad_meta(err, "scope must be a string");
	if (rc == 0)
		return oidc_json_set_cstr(meta, "scope", allowed, err);
	if (oidc_scope_parse(s, &want, &why) == -1)
		return bad_meta(err, "scope is not a valid scope string");
	/* The configured list was checked at start-up; held was stored. */
	if (oidc_scope_parse((struct oidc_str){ allowed, strlen(allowed) },
	    &ok_set, &why) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "registration_scopes: %s", why.detail);
	if (held.p != NULL && oidc_scope_parse(held, &held_set, &why) == 0)
		oidc_scope_union(&ok_set, &held_set);
	if (!oidc_scope_subset(&want, &ok_set))
		return bad_meta(err, "scope holds a value the provider does "
		    "not allow for dynamically registered clients");
	return 0;
}

int
oidc_register_secret(struct oidc_arena *a, const unsigned char *kek,
    const struct oidc_json *meta, struct oidc_str given,
    struct oidc_client_row *row, const char **secret_out,
    struct oidc_error *err)
{
	struct oidc_str	 method = OIDC_STR_NULL;
	const char	*secret;

	*secret_out = NULL;
	row->has_secret_hash = false;
	row->secret_sealed = NULL;
	row->secret_sealed_len = 0;
	row->secret_plain = OIDC_STR_NULL;
	if (oidc_client_check_secret_storage(meta, kek, err) == -1 ||
	    oidc_json_get_str(meta, "token_endpoint_auth_method", &method,
	    err) == -1)
		return -1;
	if (oidc_auth_method_secretless(method))
		return 0;	/* no shared secret */
	if (given.p != NULL) {
		if (given.len < OIDC_REGISTER_MIN_SECRET_LEN ||
		    !oidc_str_is_vschar(given.p, given.len))
			return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA,
			    "client_secret must be at least 32 printable "
			    "characters", "short secret");
		secret = oidc_arena_strndup(a, given.p, given.len);
		if (secret == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	} else if ((secret = oidc_random_token(a, OIDC_TOKEN_BYTES, err)) ==
	    NULL)
		return -1;
	if (oidc_sha256(secret, strlen(secret), row->secret_hash, err) == -1)
		return -1;
	row->has_secret_hash = true;
	if (oidc_client_needs_plain_secret(meta) &&
	    oidc_client_secret_seal(a, kek, row->client_id,
	    (struct oidc_str){ secret, strlen(secret) }, &row->secret_sealed,
	    &row->secret_sealed_len, err) == -1)
		return -1;
	*secret_out = secret;
	return 0;
}

int
oidc_register_keep_secret(struct oidc_arena *a, const unsigned char *kek,
    const struct oidc_json *meta, const struct oidc_client_row *old,
    struct oidc_client_row *row, const char **secret_out,
    struct oidc_error *err)
{
	struct oidc_str	 secret;

	*secret_out = NULL;
	row->has_secret_hash = old->has_secret_hash;
	memcpy(row->secret_hash, old->secret_hash, sizeof(row->secret_hash));
	row->secret_sealed = NULL;
	row->secret_sealed_len = 0;
	row->secret_plain = OIDC_STR_NULL;
	if (!oidc_client_needs_plain_secret(meta))
		return 0;
	if (oidc_client_check_secret_storage(meta, kek, err) == -1 ||
	    oidc_client_row_secret(a, kek, old, &secret, err) == -1)
		return -1;
	if (secret.p == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "client %.*s: no "
		    "stored secret to keep", (int)old->client_id.len,
		    old->client_id.p);
	if (oidc_client_secret_seal(a, kek, row->client_id, secret,
	    &row->secret_sealed, &row->secret_sealed_len, err) == -1)
		return -1;
	*secret_out = secret.p;
	return 0;
}

/* ---- the endpoint ---- */

/* 405 with the methods this resource supports (the app's Allow is wider). */
static int
method_not_allowed(struct oidc_response *resp, const char *allow,
    struct oidc_error *err)
{
	struct oidc_error	 e = { 0 };

	(void)oidc_fail(&e, OIDC_E_METHOD_NOT_ALLOWED, "method not allowed",
	    "method not allowed here");
	oidc_resp_error(resp, &e, OIDC_ERRSTYLE_JSON);
	return oidc_resp_header(resp, "Allow", allow, err);
}

static int
invalid_token(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_TOKEN,
	    "the access token is missing, invalid or not for this client",
	    "%s", why);
}

/*
 * The Bearer token of the request hashed into h.  -1 (invalid_token) when
 * there is none.
 */
static int
bearer_hash(const struct oidc_request *req, unsigned char *h,
    struct oidc_str *token, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };

	*token = OIDC_STR_NULL;
	if (req->authorization.p == NULL ||
	    oidc_authz_parse_bearer(req->authorization.p,
	    req->authorization.len, token, &why) != 1)
		return invalid_token(err, "no Bearer token");
	return oidc_sha256(token->p, token->len, h, err);
}

/* SECURITY: digests compared in constant time (no early exit on bytes). */
static bool
hash_eq(const unsigned char *x, const unsigned char *y)
{
	return oidc_str_eq_secret(
	    (struct oidc_str){ (const char *)x, OIDC_SHA256_LEN },
	    (struct oidc_str){ (const char *)y, OIDC_SHA256_LEN });
}

/* "application/json", any case, with or without parameters (RFC 9110). */
static bool
is_json_type(struct oidc_str ct)
{
	size_t	 n = 0;

	while (n < ct.len && ct.p[n] != ';' && ct.p[n] != ' ')
		n++;
	return oidc_str_eq_nocase((struct oidc_str){ ct.p, n },
	    "application/json");
}

/*
 * The JSON body as an object (the endpoint reads bodies raw, so the media
 * type is checked here); a body that is no JSON object is
 * invalid_client_metadata.
 */
static int
body_json(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_json **out, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };

	if (!req->has_body || req->body.p == NULL)
		return bad_meta(err, "the request body must be a JSON object "
		    "of client metadata");
	if (!is_json_type(req->content_type))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "Content-Type must be application/json",
		    "unexpected content type");
	if (oidc_json_parse(ctx->a, req->body.p, req->body.len,
	    OIDC_REGISTER_MAX_BODY, out, &why) == -1) {
		if (oidc_error_is_internal(why.code))
			return oidc_fail(err, why.code, NULL, "%s", why.detail);
		return bad_meta(err, "the request body must be a JSON object "
		    "of client metadata");
	}
	return 0;
}

/*
 * The client information response (RFC 7591 3.2.1, RFC 7592 3): the
 * metadata plus what the server manages.  `secret` NULL: no client_secret
 * member (the hash alone is stored).
 */
static int
respond_client(struct oidc_ctx *ctx, struct oidc_response *resp, int status,
    const struct oidc_client_row *row, const struct oidc_json *meta,
    const char *secret, struct oidc_str reg_token, struct oidc_error *err)
{
	struct oidc_json	*view;
	const char		*uri;

	if ((view = oidc_json_copy(ctx->a, meta)) == NULL ||
	    (uri = oidc_arena_printf(ctx->a, "%s%s/%.*s", ctx->cfg->issuer,
	    OIDC_REGISTER_PATH, (int)row->client_id.len, row->client_id.p)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_json_set_str(view, "client_id", row->client_id.p,
	    row->client_id.len, err) == -1 ||
	    oidc_json_set_i64(view, "client_id_issued_at", row->issued_at,
	    err) == -1 ||
	    (secret != NULL && oidc_json_set_cstr(view, "client_secret", secret,
	    err) == -1) ||
	    (row->has_secret_hash && oidc_json_set_i64(view,
	    "client_secret_expires_at", 0, err) == -1) ||
	    oidc_json_set_str(view, "registration_access_token", reg_token.p,
	    reg_token.len, err) == -1 ||
	    oidc_json_set_cstr(view, "registration_client_uri", uri, err) == -1)
		return -1;
	if (oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, status, view, err);
}

/* POST /register (RFC 7591 3.1). */
/* The audit line of a change by dynamic registration (oidc/audit.h). */
static void
audit_client(const struct oidc_request *req, const char *event,
    struct oidc_str client_id)
{
	struct oidc_audit_kv	 kv[3];

	kv[0] = (struct oidc_audit_kv){ "client_id", client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "by", OIDC_STR("registration") };
	oidc_audit(event, kv, 3);
}

static int
do_register(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_client_row	 row;
	struct oidc_json	*in, *meta;
	struct oidc_str		 tok;
	unsigned char		 h[OIDC_SHA256_LEN];
	const char		*secret, *reg_token, *s;
	int			 rc;

	if (ctx->cfg->registration == OIDC_REGISTRATION_TOKEN) {
		/* RFC 7591 3: the initial access token, as a Bearer token. */
		if (bearer_hash(req, h, &tok, err) == -1)
			return -1;
		if (!hash_eq(h, ctx->cfg->registration_initial_token_hash))
			return invalid_token(err, "wrong initial access token");
	}
	if (body_json(ctx, req, &in, err) == -1 ||
	    oidc_register_metadata(ctx->a, in, norm_flags(ctx), &meta,
	    err) == -1 || oidc_register_check_scope(meta,
	    ctx->cfg->registration_scopes, OIDC_STR_NULL, err) == -1 ||
	    check_sector_document(ctx, meta, err) == -1 ||
	    check_tls_method(ctx, meta, err) == -1)
		return -1;
	memset(&row, 0, sizeof(row));
	if ((s = oidc_random_token(ctx->a, CLIENT_ID_BYTES, err)) == NULL ||
	    (reg_token = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    row.reg_token_hash, err)) == NULL)
		return -1;
	row.client_id = (struct oidc_str){ s, strlen(s) };
	if (oidc_register_secret(ctx->a, ctx->kek, meta, OIDC_STR_NULL, &row,
	    &secret, err) == -1)
		return -1;
	if (oidc_client_row_set_metadata(ctx->a, meta, &row, err) == -1)
		return -1;
	if ((rc = oidc_db_client_register(ctx->db, &row, err)) == -1)
		return -1;
	if (rc == 0)	/* 128 random bits collided: not a client's fault */
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "generated client_id exists");
	audit_client(req, "client.created", row.client_id);
	return respond_client(ctx, resp, 201, &row, meta, secret,
	    (struct oidc_str){ reg_token, strlen(reg_token) }, err);
}

/*
 * The registered client named in the path, if the request carries its
 * registration access token (RFC 7592 2).  An unknown client and a wrong
 * token look the same: 401 invalid_token.
 */
static int
authorize_client(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str id, struct oidc_client_row *row, struct oidc_str *tok,
    struct oidc_error *err)
{
	static const unsigned char	 zero[OIDC_SHA256_LEN];
	unsigned char			 h[OIDC_SHA256_LEN];
	bool				 ok;
	int				 rc;

	if (bearer_hash(req, h, tok, err) == -1)
		return -1;
	if ((rc = oidc_db_client_reg_get(ctx->db, ctx->a, id, row, err)) ==
	    -1)
		return -1;
	/* The same comparison whether or not the client exists. */
	ok = hash_eq(h, rc == 1 ? row->reg_token_hash : zero) && rc == 1;
	oidc_wipe(h, sizeof(h));
	if (!ok)
		return invalid_token(err, rc == 1 ? "wrong registration "
		    "access token" : "unknown client");
	return 0;
}

/* The stored metadata of a registered client. */
static int
stored_meta(struct oidc_ctx *ctx, const struct oidc_client_row *row,
    struct oidc_json **meta, struct oidc_error *err)
{
	return oidc_json_parse(ctx->a, row->metadata.p, row->metadata.len, 0,
	    meta, err);
}

/* GET /register/<client_id> (RFC 7592 2.1). */
static int
do_read(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_str id, struct oidc_error *err)
{
	struct oidc_client_row	 row;
	struct oidc_json	*meta;
	struct oidc_str		 tok, secret;

	if (authorize_client(ctx, req, id, &row, &tok, err) == -1 ||
	    stored_meta(ctx, &row, &meta, err) == -1 ||
	    oidc_client_row_secret(ctx->a, ctx->kek, &row, &secret,
	    err) == -1)
		return -1;
	return respond_client(ctx, resp, 200, &row, meta, secret.p, tok, err);
}

/* PUT /register/<client_id> (RFC 7592 2.2): full replacement. */
static int
do_update(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_str id, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_client_row	 row, old;
	struct oidc_json	*in, *meta, *old_meta;
	struct oidc_str		 tok, given_id, given_secret, method, held;
	unsigned char		 h[OIDC_SHA256_LEN];
	const char		*secret = NULL;
	bool			 needs_secret, needs_plain;
	int			 rc;

	if (authorize_client(ctx, req, id, &old, &tok, err) == -1 ||
	    body_json(ctx, req, &in, err) == -1)
		return -1;
	if (oidc_json_get_str(in, "client_id", &given_id, &tmp) != 1 ||
	    !oidc_str_eq(given_id, id))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "client_id must be the client's own", "client_id mismatch");
	given_secret = OIDC_STR_NULL;
	if (oidc_json_get_str(in, "client_secret", &given_secret, &tmp) == -1)
		return bad_meta(err, "client_secret must be a string");
	if (given_secret.p != NULL) {
		/* RFC 7592 2.2: it may be echoed, never chosen by the client. */
		if (oidc_sha256(given_secret.p, given_secret.len, h, err) == -1)
			return -1;
		if (!old.has_secret_hash || !hash_eq(h, old.secret_hash))
			return bad_meta(err, "client_secret cannot be changed");
	}
	/* What the client holds now (perhaps granted by the operator). */
	if (stored_meta(ctx, &old, &old_meta, err) == -1)
		return -1;
	if (oidc_json_get_str(old_meta, "scope", &held, &tmp) != 1)
		held = OIDC_STR_NULL;
	if (oidc_register_metadata(ctx->a, in, norm_flags(ctx), &meta,
	    err) == -1 || oidc_register_check_scope(meta,
	    ctx->cfg->registration_scopes, held, err) == -1 ||
	    check_sector_document(ctx, meta, err) == -1 ||
	    check_tls_method(ctx, meta, err) == -1)
		return -1;
	/* The operator's "login" (oidc/client.h) outlives the update. */
	if (oidc_json_get_str(old_meta, "login", &held, &tmp) == 1 &&
	    oidc_json_set_str(meta, "login", held.p, held.len, err) == -1)
		return -1;

	memset(&row, 0, sizeof(row));
	row.client_id = old.client_id;
	row.issued_at = old.issued_at;
	memcpy(row.reg_token_hash, old.reg_token_hash,
	    sizeof(row.reg_token_hash));
	if (oidc_json_get_str(meta, "token_endpoint_auth_method", &method,
	    err) == -1)
		return -1;
	needs_secret = !oidc_auth_method_secretless(method);
	needs_plain = oidc_client_needs_plain_secret(meta);
	/*
	 * Keep the secret the client has, unless the new method needs none
	 * or needs the plaintext we never kept: then issue a new one.
	 */
	if (needs_secret && old.has_secret_hash && (!needs_plain ||
	    old.secret_sealed != NULL || old.secret_plain.p != NULL)) {
		if (oidc_register_keep_secret(ctx->a, ctx->kek, meta, &old,
		    &row, &secret, err) == -1)
			return -1;
	} else if (oidc_register_secret(ctx->a, ctx->kek, meta, OIDC_STR_NULL,
	    &row, &secret, err) == -1)
		return -1;
	if (oidc_client_row_set_metadata(ctx->a, meta, &row, err) == -1)
		return -1;
	if ((rc = oidc_db_client_reg_update(ctx->db, &row, err)) == -1)
		return -1;
	if (rc == 0)	/* deleted or re-keyed since authorize_client() */
		return invalid_token(err, "client changed concurrently");
	audit_client(req, "client.updated", row.client_id);
	return respond_client(ctx, resp, 200, &row, meta, secret, tok, err);
}

/* DELETE /register/<client_id> (RFC 7592 2.3). */
static int
do_delete(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_str id, struct oidc_error *err)
{
	struct oidc_client_row	 row;
	struct oidc_str		 tok;
	int			 rc;

	if (authorize_client(ctx, req, id, &row, &tok, err) == -1)
		return -1;
	if ((rc = oidc_db_client_reg_delete(ctx->db, row.client_id,
	    row.reg_token_hash, err)) == -1)
		return -1;
	if (rc == 0)
		return invalid_token(err, "client changed concurrently");
	audit_client(req, "client.deleted", row.client_id);
	resp->status = 204;
	return oidc_resp_no_store(resp, err);
}

int
oidc_register_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_str	 id;
	int		 rc;

	if (ctx->cfg->registration == OIDC_REGISTRATION_OFF)
		return oidc_fail(err, OIDC_E_NOT_FOUND,
		    "client registration is not enabled", "registration = off");
	if ((rc = oidc_register_parse_path(req->path, &id)) == -1)
		return oidc_fail(err, OIDC_E_NOT_FOUND, "no such resource",
		    "bad registration path");
	if (rc == 0) {
		if (req->method != OIDC_METHOD_POST)
			return method_not_allowed(resp, "POST", err);
		return do_register(ctx, req, resp, err);
	}
	switch (req->method) {
	case OIDC_METHOD_GET:
		return do_read(ctx, req, resp, id, err);
	case OIDC_METHOD_PUT:
		return do_update(ctx, req, resp, id, err);
	case OIDC_METHOD_DELETE:
		return do_delete(ctx, req, resp, id, err);
	default:
		return method_not_allowed(resp, "GET, PUT, DELETE", err);
	}
}
