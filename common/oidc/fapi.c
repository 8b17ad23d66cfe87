/*
 * fapi.c: the FAPI 2.0 Security Profile switch (see oidc/fapi.h and
 * docs/FAPI2.md).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/device.h"
#include "oidc/dpop.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"

#include "authorize_int.h"

/* The metadata members naming a JWS algorithm the profile restricts. */
static const char *const alg_members[] = { "id_token_signed_response_alg",
    "userinfo_signed_response_alg", "authorization_signed_response_alg",
    "request_object_signing_alg" };

/* "profile": absent 0, "default" 0, "fapi2" 1, anything else -1. */
static int
meta_profile(const struct oidc_json *m)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	int			 rc;

	if ((rc = oidc_json_get_str(m, "profile", &s, &tmp)) == 0)
		return 0;
	if (rc == 1 && oidc_str_eq_cstr(s, "fapi2"))
		return 1;
	if (rc == 1 && oidc_str_eq_cstr(s, "default"))
		return 0;
	return -1;
}

bool
oidc_fapi2(const struct oidc_config *cfg, const struct oidc_client *c)
{
	if (cfg->profile == OIDC_PROFILE_FAPI2)
		return true;
	return c != NULL && c->metadata != NULL && meta_profile(c->metadata) ==
	    1;
}

bool
oidc_fapi2_alg_name_ok(struct oidc_str name)
{
	enum oidc_jws_alg	 a;

	if (name.p == NULL || oidc_jws_alg_from_name(name.p, name.len,
	    &a) != 1)
		return false;
	return (OIDC_FAPI2_ALGS & OIDC_JWS_BIT(a)) != 0;
}

int64_t
oidc_fapi2_code_ttl(const struct oidc_config *cfg,
    const struct oidc_client *c)
{
	if (oidc_fapi2(cfg, c) && cfg->code_ttl > OIDC_FAPI2_CODE_TTL)
		return OIDC_FAPI2_CODE_TTL;
	return cfg->code_ttl;
}

/* response_types exactly ["code"], and no implicit grant. */
/* FAPI 2.0 Security Profile 5.3.2.1: private_key_jwt or MTLS (RFC 8705). */
static bool
fapi2_auth_method(enum oidc_auth_method m)
{
	return m == OIDC_AUTH_PRIVATE_KEY_JWT || m == OIDC_AUTH_TLS_CLIENT ||
	    m == OIDC_AUTH_SELF_SIGNED_TLS;
}

static const char *
types_problem(struct oidc_arena *a, const struct oidc_json *m)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		*v = NULL;
	size_t			 n = 0, i;

	if (oidc_json_get_str_list(m, "response_types", false, a, &v, &n,
	    &tmp) == -1 || n != 1 || !oidc_str_eq_cstr(v[0], "code"))
		return "FAPI 2.0: response_types must be [\"code\"]";
	n = 0;
	if (oidc_json_get_str_list(m, "grant_types", false, a, &v, &n,
	    &tmp) == -1)
		return "FAPI 2.0: grant_types is malformed";
	for (i = 0; i < n; i++)
		if (oidc_str_eq_cstr(v[i], "implicit"))
			return "FAPI 2.0: the implicit grant is not allowed";
	return NULL;
}

const char *
oidc_fapi2_meta_problem(struct oidc_arena *a, const struct oidc_json *m,
    bool provider)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	const char		*bad;
	size_t			 i;
	int			 prof;

	if ((prof = meta_profile(m)) == -1)
		return "profile must be \"fapi2\" or \"default\"";
	if (!provider && prof == 0)
		return NULL;
	if (oidc_json_get_str(m, "token_endpoint_auth_method", &s, &tmp) !=
	    1 || !fapi2_auth_method(oidc_auth_method_parse(s)))
		return "FAPI 2.0: token_endpoint_auth_method must be "
		    "private_key_jwt, tls_client_auth or "
		    "self_signed_tls_client_auth";
	if ((bad = types_problem(a, m)) != NULL)
		return bad;
	for (i = 0; i < OIDC_NELEM(alg_members); i++) {
		if (oidc_json_get_str(m, alg_members[i], &s, &tmp) != 1)
			continue;
		if (!oidc_fapi2_alg_name_ok(s))
			return oidc_arena_printf(a, "FAPI 2.0: %s must be "
			    "PS256, ES256 or EdDSA", alg_members[i]);
	}
	return NULL;
}

unsigned
oidc_fapi2_client_flags(const struct oidc_config *cfg)
{
	unsigned	 f = 0;

	if (cfg->profile == OIDC_PROFILE_FAPI2)
		f |= OIDC_CLIENT_FAPI2;
	if (cfg->par && cfg->dpop &&
	    oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_PAR))
		f |= OIDC_CLIENT_FAPI2_READY;
	return f;
}

int
oidc_fapi2_normalize(struct oidc_arena *a, const struct oidc_json *in,
    struct oidc_json *out, unsigned flags, struct oidc_error *err)
{
	const char	*bad;
	bool		 provider = (flags & OIDC_CLIENT_FAPI2) != 0;
	int		 prof = meta_profile(in);

	if (prof == 1 && !(flags & OIDC_CLIENT_FAPI2_READY))
		return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, "profile "
		    "fapi2 needs a provider with PAR and DPoP (par = yes, "
		    "dpop = yes)", "fapi2 client, provider not ready");
	if ((provider || prof == 1) &&
	    !oidc_json_has(in, "id_token_signed_response_alg") &&
	    oidc_json_set_cstr(out, "id_token_signed_response_alg", "PS256",
	    err) == -1)
		return -1;
	if ((bad = oidc_fapi2_meta_problem(a, out, provider)) != NULL)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, bad,
		    "%s", bad);
	return 0;
}

int
oidc_fapi2_token_check(const struct oidc_config *cfg,
    const struct oidc_client *c, const struct oidc_dpop_proof *p,
    bool cert_bound, struct oidc_error *err)
{
	if (!oidc_fapi2(cfg, c))
		return 0;
	/* FAPI 2.0 5.3.2.1: mTLS (RFC 8705) binds as DPoP does. */
	if (p == NULL && cert_bound)
		return 0;
	if (p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF, "FAPI 2.0: "
		    "access tokens are sender-constrained: a DPoP proof or "
		    "a client certificate is required",
		    "fapi2: token request without DPoP or certificate");
	if (!(OIDC_FAPI2_ALGS & OIDC_JWS_BIT(p->alg)))
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF, "FAPI 2.0: "
		    "DPoP proofs must be signed with PS256, ES256 or EdDSA",
		    "fapi2: DPoP proof alg");
	return 0;
}

int
oidc_fapi2_client_auth_check(const struct oidc_config *cfg,
    const struct oidc_client *c, struct oidc_error *err)
{
	if (!oidc_fapi2(cfg, c) || fapi2_auth_method(c->auth_method))
		return 0;
	return oidc_fail(err, OIDC_E_INVALID_CLIENT, "FAPI 2.0: clients "
	    "authenticate with private_key_jwt or a TLS certificate only",
	    "fapi2: client auth method %s",
	    oidc_auth_method_name(c->auth_method));
}

const char *
oidc_fapi2_assertion_aud(const struct oidc_config *cfg,
    const struct oidc_client *c, const struct oidc_json *claims)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 aud;

	if (!oidc_fapi2(cfg, c))
		return NULL;
	if (oidc_json_get_str(claims, "aud", &aud, &tmp) != 1 ||
	    !oidc_str_eq_cstr(aud, cfg->issuer))
		return "FAPI 2.0: the assertion's aud must be the issuer "
		    "identifier, as a string";
	return NULL;
}

/* The response type, mode and PKCE rules of the profile. */
const char *
oidc_fapi2_authz_problem(struct oidc_ctx *ctx, const struct authz *ar,
    enum oidc_errcode *code)
{
	const char	*bad;

	if (!oidc_fapi2(ctx->cfg, &ar->client))
		return NULL;
	if (ctx->cfg->profile == OIDC_PROFILE_FAPI2 &&
	    (bad = oidc_fapi2_meta_problem(ctx->a,
	    ar->client.metadata, true)) != NULL) {
		*code = OIDC_E_UNAUTHORIZED_CLIENT;
		return bad;
	}
	if (ar->rt != OIDC_RT_CODE) {
		*code = OIDC_E_UNSUPPORTED_RESPONSE_TYPE;
		return "FAPI 2.0: response_type must be code";
	}
	if (ar->mode != MODE_QUERY)
		return "FAPI 2.0: response_mode must be query, query.jwt or "
		    "jwt";
	if (ar->challenge.p == NULL)
		return "FAPI 2.0: PKCE (code_challenge with S256) is required";
	return NULL;
}

/* Replace j's `key` (only if there, with `present`) by the list v. */
static int
set_list(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    const char *const *v, size_t n, bool present, struct oidc_error *err)
{
	struct oidc_json	*arr;
	size_t			 i;

	if (present && !oidc_json_has(j, key))
		return 0;
	if ((arr = oidc_json_new_array(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < n; i++)
		if (oidc_json_array_add_str(arr, v[i], strlen(v[i]), err) == -1)
			return -1;
	return oidc_json_set_obj(j, key, arr, err);
}

/* The same with the names of the algorithms in `mask`. */
static int
set_algs(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    unsigned mask, bool present, struct oidc_error *err)
{
	const char	*v[OIDC_JWS__MAX];
	size_t		 n = 0;
	int		 a;

	for (a = 0; a < OIDC_JWS__MAX; a++)
		if (mask & OIDC_JWS_BIT(a))
			v[n++] = oidc_jws_alg_name((enum oidc_jws_alg)a);
	return set_list(ctx, j, key, v, n, present, err);
}

int
oidc_fapi2_discovery(struct oidc_ctx *ctx, struct oidc_json *j,
    struct oidc_error *err)
{
	static const char *const modes[] = { "query", "query.jwt", "jwt" };
	static const char *const pkj[] = { "private_key_jwt",
	    "tls_client_auth", "self_signed_tls_client_auth" };
	size_t				 npkj =
					    ctx->cfg->mtls_client_auth ? 3 : 1;
	static const char *const grants[] = { "authorization_code",
	    "refresh_token", "client_credentials", OIDC_DEVICE_GRANT_TYPE };
	const struct oidc_config	*cfg = ctx->cfg;
	unsigned			 can = ctx->keystore == NULL ? 0 :
					    oidc_keystore_signing_algs(
					    ctx->keystore) & OIDC_FAPI2_ALGS;
	bool				 device = cfg->device_grant &&
					    oidc_config_has_endpoint(cfg,
					    OIDC_CONFIG_EP_DEVICE);

	if (cfg->profile != OIDC_PROFILE_FAPI2)
		return 0;
	if (set_list(ctx, j, "response_types_supported",
	    (const char *const[]){ "code" }, 1, false, err) ||
	    set_list(ctx, j, "response_modes_supported", modes,
	    cfg->jarm ? 3 : 1, false, err) ||
	    set_list(ctx, j, "grant_types_supported", grants,
	    OIDC_NELEM(grants) - !device, false, err) ||
	    set_list(ctx, j, "token_endpoint_auth_methods_supported", pkj, npkj,
	    false, err) ||
	    set_list(ctx, j, "revocation_endpoint_auth_methods_supported",
	    pkj, npkj, true, err) ||
	    set_list(ctx, j, "introspection_endpoint_auth_methods_supported",
	    pkj, npkj, true, err) ||
	    set_algs(ctx, j, "token_endpoint_auth_signing_alg_values_"
	    "supported", OIDC_FAPI2_ALGS, false, err) ||
	    set_algs(ctx, j, "id_token_signing_alg_values_supported", can,
	    false, err) ||
	    set_algs(ctx, j, "userinfo_signing_alg_values_supported", can,
	    true, err) ||
	    set_algs(ctx, j, "authorization_signing_alg_values_supported",
	    can, true, err) ||
	    set_algs(ctx, j, "request_object_signing_alg_values_supported",
	    OIDC_FAPI2_ALGS, false, err) ||
	    set_algs(ctx, j, "dpop_signing_alg_values_supported",
	    OIDC_FAPI2_ALGS & OIDC_DPOP_ALGS, false, err))
		return -1;
	return oidc_json_set_bool(j, "require_pushed_authorization_requests",
	    true, err);
}
