/*
 * discovery.c: provider metadata and JWKS (see oidc/discovery.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/device.h"
#include "oidc/discovery.h"
#include "oidc/totp.h"
#include "oidc/dpop.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"
#include "oidc/log.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/ui.h"

/*
 * A rendered document: process lifetime.  It is rendered again, with a new
 * ETag, when the keystore's view changes (a key published, activated,
 * retired or expired; oidc/keystore.h).
 */
struct static_doc {
	char		*body;
	size_t		 len;
	char		 etag[80];
	int		(*render)(struct oidc_ctx *, struct oidc_error *);
	uint64_t	 version;	/* keystore version rendered */
};

static const char *const scopes[] = { "openid", "profile", "email",
    "address", "phone", "offline_access" };
static const char *const response_types[] = { "code", "id_token",
    "id_token token", "code id_token", "code token", "code id_token token" };
/* The last four (JARM 2.3) only with `jarm = yes`. */
static const char *const response_modes[] = { "query", "fragment",
    "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt" };
#define N_PLAIN_MODES	3
/* The device grant last: left out when it is off. */
static const char *const grant_types[] = { "authorization_code",
    "implicit", "refresh_token", "client_credentials",
    OIDC_DEVICE_GRANT_TYPE };

/* device_grant = yes and the device endpoint deployed (oidc/device.h). */
static bool
device_advertised(const struct oidc_config *cfg)
{
	return cfg->device_grant &&
	    oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_DEVICE);
}
/* The last two only with mtls_client_auth (n_auth_methods). */
static const char *const auth_methods[] = { "client_secret_basic",
    "client_secret_post", "client_secret_jwt", "private_key_jwt", "none",
    "tls_client_auth", "self_signed_tls_client_auth" };

static size_t
n_auth_methods(const struct oidc_config *cfg)
{
	return OIDC_NELEM(auth_methods) - (cfg->mtls_client_auth ? 0 : 2);
}

static const char *const claims[] = { "sub", "iss", "aud", "exp", "iat",
    "auth_time", "nonce", "amr", "sid", "at_hash", "c_hash", "name",
    "family_name", "given_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "gender",
    "birthdate", "zoneinfo", "locale", "updated_at", "email",
    "email_verified", "address", "phone_number", "phone_number_verified" };
static const char *const ro_algs[] = { "none", "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
    "Ed448", "HS256", "HS384", "HS512" };
static const char *const prompts[] = { "none", "login", "consent",
    "select_account" };

static int
add_list(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    const char *const *v, size_t n, struct oidc_error *err)
{
	struct oidc_json	*arr;
	size_t			 i;

	if ((arr = oidc_json_new_array(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < n; i++)
		if (oidc_json_array_add_str(arr, v[i], strlen(v[i]), err) == -1)
			return -1;
	return oidc_json_set_obj(j, key, arr, err);
}

/*
 * scopes_supported or claims_supported: the standard list `v`, then the
 * declared custom scopes or claims (oidc/scope.h).
 */
static int
add_with_custom(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    const char *const *v, size_t n, bool claims_list,
    struct oidc_error *err)
{
	const struct oidc_config	*cfg = ctx->cfg;
	const char			**names;
	size_t				 i, k, m = n;

	if ((names = oidc_arena_calloc(ctx->a, n + OIDC_CONFIG_MAX_SCOPES +
	    OIDC_CONFIG_MAX_CLAIMS, sizeof(*names))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	memcpy(names, v, n * sizeof(*names));
	for (i = 0; i < cfg->nscopes; i++) {
		if (!claims_list) {
			names[m++] = cfg->scopes[i].name;
			continue;
		}
		for (k = 0; k < cfg->scopes[i].nclaims; k++)
			names[m++] = cfg->scopes[i].claims[k];
	}
	return add_list(ctx, j, key, names, m, err);
}

static int
add_url(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    const char *path, struct oidc_error *err)
{
	const char	*u = oidc_arena_printf(ctx->a, "%s%s", ctx->cfg->issuer,
			    path);

	if (u == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return oidc_json_set_cstr(j, key, u, err);
}

/*
 * The signing algorithms our active keys can produce now, plus HS* (client
 * secrets).
 */
static int
add_algs(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    bool with_hs, struct oidc_error *err)
{
	const char		*names[OIDC_JWS__MAX];
	unsigned		 can = ctx->keystore != NULL ?
				    oidc_keystore_signing_algs(ctx->keystore) : 0;
	size_t			 n = 0;
	int			 a;

	for (a = 0; a < OIDC_JWS__MAX; a++) {
		if (oidc_jws_alg_kty((enum oidc_jws_alg)a) == OIDC_JWK_OCT) {
			if (with_hs)
				names[n++] = oidc_jws_alg_name(
				    (enum oidc_jws_alg)a);
			continue;
		}
		if (can & OIDC_JWS_BIT(a))
			names[n++] = oidc_jws_alg_name((enum oidc_jws_alg)a);
	}
	return add_list(ctx, j, key, names, n, err);
}

static int
add_all_algs(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    struct oidc_error *err)
{
	const char	*names[OIDC_JWS__MAX];
	int		 a;

	for (a = 0; a < OIDC_JWS__MAX; a++)
		names[a] = oidc_jws_alg_name((enum oidc_jws_alg)a);
	return add_list(ctx, j, key, names, OIDC_JWS__MAX, err);
}

static int
keep(struct oidc_ctx *ctx, const char *body, size_t len,
    struct oidc_error *err)
{
	struct static_doc	*d, *old = ctx->ep_state;
	unsigned char		 h[OIDC_SHA256_LEN];
	char			 enc[64];

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->body = malloc(len + 1)) == NULL) {
		free(d);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
	}
	memcpy(d->body, body, len);
	d->body[len] = '\0';
	d->len = len;
	if (oidc_sha256(body, len, h, err) == -1) {
		free(d->body);
		free(d);
		return -1;
	}
	(void)oidc_b64url_encode_to(enc, h, 16);
	(void)snprintf(d->etag, sizeof(d->etag), "\"%s\"", enc);
	if (ctx->keystore != NULL)
		d->version = oidc_keystore_version(ctx->keystore);
	/* Replace the previous rendering (a re-render during a request). */
	if (old != NULL) {
		d->render = old->render;
		free(old->body);
		free(old);
	}
	ctx->ep_state = d;
	return 0;
}

/* Render once at start-up and remember how, for re-rendering. */
static int
first_render(struct oidc_ctx *ctx,
    int (*render)(struct oidc_ctx *, struct oidc_error *),
    struct oidc_error *err)
{
	struct static_doc	*d;

	if (render(ctx, err) == -1)
		return -1;
	d = ctx->ep_state;
	d->render = render;
	return 0;
}

/*
 * The metadata of the endpoints that `endpoints` (oidc.conf(5)) may leave
 * out: an endpoint not deployed is not advertised, and neither is what
 * only it serves (issue 20 item 10).  authorize, token and jwks are always
 * there (config.c refuses a list without them).
 */
static int
add_optional(struct oidc_ctx *ctx, struct oidc_json *j,
    struct oidc_error *err)
{
	const struct oidc_config	*cfg = ctx->cfg;

	if (oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_USERINFO) &&
	    (add_url(ctx, j, "userinfo_endpoint", "/userinfo", err) ||
	    add_algs(ctx, j, "userinfo_signing_alg_values_supported", true,
	    err)))
		return -1;
	if (oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_REVOKE) &&
	    (add_url(ctx, j, "revocation_endpoint", "/revoke", err) ||
	    add_list(ctx, j, "revocation_endpoint_auth_methods_supported",
	    auth_methods, n_auth_methods(cfg), err)))
		return -1;
	if (oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_INTROSPECT) &&
	    (add_url(ctx, j, "introspection_endpoint", "/introspect", err) ||
	    add_list(ctx, j, "introspection_endpoint_auth_methods_supported",
	    auth_methods, n_auth_methods(cfg), err)))
		return -1;
	/*
	 * Back-Channel Logout 1.0 2.1: logout tokens always carry sid.  They
	 * are sent only when end_session ends a session (oidc/logout.h).
	 */
	if (oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_END_SESSION) &&
	    (add_url(ctx, j, "end_session_endpoint", "/end_session", err) ||
	    oidc_json_set_bool(j, "backchannel_logout_supported", true, err) ||
	    oidc_json_set_bool(j, "backchannel_logout_session_supported", true,
	    err)))
		return -1;
	/*
	 * JARM 4: what its response JWTs can be signed with (as for ID
	 * Tokens); no authorization_encryption_*: not supported.
	 */
	if (cfg->jarm && add_algs(ctx, j,
	    "authorization_signing_alg_values_supported", true, err) == -1)
		return -1;
	/*
	 * OIDC Discovery 3: the acr values of the TOTP second factor
	 * (oidc/totp.h), only when it is on.
	 */
	if (cfg->totp != OIDC_TOTP_OFF && add_list(ctx, j,
	    "acr_values_supported", (const char *const[]){ OIDC_ACR_PWD,
	    OIDC_ACR_MFA }, 2, err) == -1)
		return -1;
	/* RFC 8628 4: only when the grant is on and device.fcgi deployed. */
	if (device_advertised(cfg) && add_url(ctx, j,
	    "device_authorization_endpoint", "/device_authorization",
	    err) == -1)
		return -1;
	/* RFC 7591 3 via OpenID Connect Discovery 1.0 3. */
	if (cfg->registration != OIDC_REGISTRATION_OFF &&
	    oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_REGISTER) &&
	    add_url(ctx, j, "registration_endpoint", "/register", err) == -1)
		return -1;
	/* RFC 9126 5: only with `par` on and par.fcgi deployed. */
	if (cfg->par && oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_PAR) &&
	    (add_url(ctx, j, "pushed_authorization_request_endpoint", "/par",
	    err) || (cfg->par_required && oidc_json_set_bool(j,
	    "require_pushed_authorization_requests", true, err))))
		return -1;
	return 0;
}

/*
 * RFC 9449 5.1: DPoP, and RFC 8705 5: certificate-bound tokens, each
 * only when configured.
 */
static int
add_dpop(struct oidc_ctx *ctx, struct oidc_json *j, struct oidc_error *err)
{
	const char	*v[OIDC_JWS__MAX];
	int		 a;
	size_t		 n = 0;

	/* RFC 8705 5: certificate-bound tokens (oidc/mtls.h). */
	if (ctx->cfg->mtls_bound_tokens && oidc_json_set_bool(j,
	    "tls_client_certificate_bound_access_tokens", true, err) == -1)
		return -1;
	if (!ctx->cfg->dpop)
		return 0;
	for (a = 0; a < OIDC_JWS__MAX; a++)
		if (OIDC_DPOP_ALGS & OIDC_JWS_BIT(a))
			v[n++] = oidc_jws_alg_name((enum oidc_jws_alg)a);
	return add_list(ctx, j, "dpop_signing_alg_values_supported", v, n,
	    err);
}

/*
 * OpenID Connect Discovery 1.0 3 ui_locales_supported: the languages of
 * `ui_locales` (oidc/ui.h), listed only when that key is set (the default
 * English-only pages advertise nothing).
 */
static int
add_ui_locales(struct oidc_ctx *ctx, struct oidc_json *j,
    struct oidc_error *err)
{
	const char	*v[OIDC_UI_MAX_LOCALES];
	size_t		 n;

	if (ctx->cfg->ui_locales == NULL)
		return 0;
	for (n = 0; n < OIDC_UI_MAX_LOCALES && oidc_ui_locale(n) != NULL; n++)
		v[n] = oidc_ui_locale(n);
	return add_list(ctx, j, "ui_locales_supported", v, n, err);
}

static int
render_discovery(struct oidc_ctx *ctx, struct oidc_error *err)
{
	struct oidc_json	*j;
	const char		*body;
	size_t			 len;

	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_cstr(j, "issuer", ctx->cfg->issuer, err) ||
	    add_url(ctx, j, "authorization_endpoint", "/authorize", err) ||
	    add_url(ctx, j, "token_endpoint", "/token", err) ||
	    add_url(ctx, j, "jwks_uri", "/jwks", err) ||
	    add_with_custom(ctx, j, "scopes_supported", scopes,
	    OIDC_NELEM(scopes), false, err) ||
	    add_list(ctx, j, "response_types_supported", response_types,
	    OIDC_NELEM(response_types), err) ||
	    add_list(ctx, j, "response_modes_supported", response_modes,
	    ctx->cfg->jarm ? OIDC_NELEM(response_modes) : N_PLAIN_MODES,
	    err) ||
	    add_list(ctx, j, "grant_types_supported", grant_types,
	    OIDC_NELEM(grant_types) - !device_advertised(ctx->cfg),
	    err) ||
	    /* Pairwise only with a salt (oidc/subject.h). */
	    add_list(ctx, j, "subject_types_supported",
	    (const char *const[]){ "public", "pairwise" },
	    ctx->cfg->pairwise_salt_file != NULL ? 2 : 1, err) ||
	    add_algs(ctx, j, "id_token_signing_alg_values_supported", true,
	    err) ||
	    add_list(ctx, j, "token_endpoint_auth_methods_supported",
	    auth_methods, n_auth_methods(ctx->cfg), err) ||
	    add_all_algs(ctx, j, "token_endpoint_auth_signing_alg_values_"
	    "supported", err) ||
	    add_with_custom(ctx, j, "claims_supported", claims,
	    OIDC_NELEM(claims), true, err) ||
	    add_list(ctx, j, "claim_types_supported",
	    (const char *const[]){ "normal" }, 1, err) ||
	    oidc_json_set_bool(j, "claims_parameter_supported", true, err) ||
	    oidc_json_set_bool(j, "request_parameter_supported", true, err) ||
	    /* ro_algs[0] is "none". */
	    add_list(ctx, j, "request_object_signing_alg_values_supported",
	    ro_algs + ctx->cfg->request_object_require_signed,
	    OIDC_NELEM(ro_algs) - ctx->cfg->request_object_require_signed,
	    err) ||
	    oidc_json_set_bool(j, "request_uri_parameter_supported", true,
	    err) ||
	    oidc_json_set_bool(j, "require_request_uri_registration", true,
	    err) ||
	    add_list(ctx, j, "code_challenge_methods_supported",
	    (const char *const[]){ "S256" }, 1, err) ||
	    oidc_json_set_bool(j, "authorization_response_iss_parameter_"
	    "supported", true, err) ||
	    add_list(ctx, j, "prompt_values_supported", prompts,
	    OIDC_NELEM(prompts), err) ||
	    add_optional(ctx, j, err) ||
	    add_dpop(ctx, j, err) ||
	    add_ui_locales(ctx, j, err) ||
	    /* profile = fapi2 narrows the lists (oidc/fapi.h). */
	    oidc_fapi2_discovery(ctx, j, err))
		return -1;
	if ((body = oidc_json_serialize(j, ctx->a, &len, err)) == NULL)
		return -1;
	return keep(ctx, body, len, err);
}

int
oidc_discovery_init(struct oidc_ctx *ctx, struct oidc_error *err)
{
	return first_render(ctx, render_discovery, err);
}

/* Every published key: pending, active, recently retired, file keys. */
static int
render_jwks(struct oidc_ctx *ctx, struct oidc_error *err)
{
	const char	*body;
	size_t		 len;

	if (ctx->keys == NULL)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "no key store");
	if ((body = oidc_keyset_jwks(ctx->keys, ctx->a, &len, err)) == NULL)
		return -1;
	return keep(ctx, body, len, err);
}

int
oidc_jwks_init(struct oidc_ctx *ctx, struct oidc_error *err)
{
	return first_render(ctx, render_jwks, err);
}

void
oidc_static_doc_fini(struct oidc_ctx *ctx)
{
	struct static_doc	*d = ctx->ep_state;

	if (d != NULL) {
		free(d->body);
		free(d);
	}
	ctx->ep_state = NULL;
}

int
oidc_static_doc_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	const struct static_doc	*d = ctx->ep_state;
	char			 cc[48];

	/* Keys changed since the last rendering: render again (new ETag). */
	if (ctx->keystore != NULL && d->render != NULL &&
	    d->version != oidc_keystore_version(ctx->keystore)) {
		struct oidc_error	 rerr = { 0 };

		if (d->render(ctx, &rerr) == -1)
			oidc_log_error(OIDC_LOG_WARN, &rerr, "re-rendering "
			    "failed; serving the previous document");
		d = ctx->ep_state;
	}

	(void)snprintf(cc, sizeof(cc), "public, max-age=%d",
	    OIDC_DISCOVERY_MAX_AGE);
	if (oidc_resp_header(resp, "Cache-Control", cc, err) == -1 ||
	    oidc_resp_header(resp, "ETag", d->etag, err) == -1 ||
	    oidc_resp_header(resp, "Access-Control-Allow-Origin", "*",
	    err) == -1)
		return -1;
	if (oidc_str_eq_cstr(req->if_none_match, d->etag)) {
		resp->status = 304;
		return 0;
	}
	resp->status = 200;
	if (oidc_resp_header(resp, "Content-Type", "application/json",
	    err) == -1)
		return -1;
	return oidc_buf_append(&resp->body, d->body, d->len, err);
}
