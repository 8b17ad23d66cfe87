/*
 * reqobj.c: request objects by value (see oidc/reqobj.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/crypto.h"
#include "oidc/fapi.h"
#include "oidc/form.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/reqobj.h"

#define LEEWAY	60

const char *const oidc_authz_params[OIDC_AUTHZ_NPARAMS] = {
	"client_id", "redirect_uri", "response_type", "response_mode",
	"scope", "state", "nonce", "code_challenge", "code_challenge_method",
	"prompt", "max_age", "login_hint", "id_token_hint", "claims",
	"acr_values", "display", "ui_locales", "claims_locales", "dpop_jkt"
};

static int
bad(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST_OBJECT, desc, "%s", desc);
}

/* Decode an unsigned ("alg":"none") object: header.payload. (empty sig). */
static int
decode_unsigned(struct oidc_ctx *ctx, struct oidc_str jwt,
    struct oidc_json **claims, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	const char		*d1, *d2;
	unsigned char		*payload;
	size_t			 plen;

	d1 = memchr(jwt.p, '.', jwt.len);
	d2 = d1 != NULL ? memchr(d1 + 1, '.', jwt.len -
	    (size_t)(d1 + 1 - jwt.p)) : NULL;
	if (d2 == NULL || d2 + 1 != jwt.p + jwt.len)
		return bad(err, "an unsigned request object must have an empty "
		    "signature");
	if (oidc_b64url_decode(ctx->a, d1 + 1, (size_t)(d2 - d1 - 1), &payload,
	    &plen, &why) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)payload, plen, 0, claims,
	    &why) == -1)
		return bad(err, "malformed request object");
	return 0;
}

/* The alg named in the protected header (before any verification). */
static int
header_alg(struct oidc_ctx *ctx, struct oidc_str jwt, struct oidc_str *alg,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_json	*h;
	const char		*d1;
	unsigned char		*raw;
	size_t			 len;

	if ((d1 = memchr(jwt.p, '.', jwt.len)) == NULL ||
	    (size_t)(d1 - jwt.p) > 2048 ||
	    oidc_b64url_decode(ctx->a, jwt.p, (size_t)(d1 - jwt.p), &raw, &len,
	    &why) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)raw, len, 2048, &h,
	    &why) == -1 ||
	    oidc_json_get_str(h, "alg", alg, &why) != 1)
		return bad(err, "malformed request object header");
	return 0;
}

/* *signed_out: false for an accepted "alg":"none" object. */
static int
verify(struct oidc_ctx *ctx, const struct oidc_client *c, struct oidc_str jwt,
    struct oidc_json **claims, bool *signed_out, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jws		 jws;
	struct oidc_str		 alg, want = OIDC_STR_NULL;
	enum oidc_jws_alg	 a;

	if (jwt.len > OIDC_REQOBJ_MAX_LEN)
		return bad(err, "request object too large");
	if (header_alg(ctx, jwt, &alg, err) == -1)
		return -1;
	if (oidc_json_get_str(c->metadata, "request_object_signing_alg", &want,
	    &why) == -1)
		return bad(err, "bad registration");
	if (oidc_fapi2(ctx->cfg, c) && !oidc_fapi2_alg_name_ok(alg))
		return bad(err, "FAPI 2.0: request objects must be signed "
		    "with PS256, ES256 or EdDSA");
	if (want.p != NULL && !oidc_str_eq(want, alg))
		return bad(err, "the request object is not signed with the "
		    "registered request_object_signing_alg");
	if (oidc_str_eq_cstr(alg, "none")) {
		/*
		 * OIDC Registration 2: without request_object_signing_alg,
		 * any algorithm both support, "none" included, unless the
		 * provider requires signed objects.  Harmless: its members
		 * are authorization parameters only, checked as the query's.
		 */
		if (ctx->cfg->request_object_require_signed)
			return bad(err, "unsigned request objects are not "
			    "accepted by this provider");
		*signed_out = false;
		return decode_unsigned(ctx, jwt, claims, err);
	}
	if (oidc_jws_alg_from_name(alg.p, alg.len, &a) == -1)
		return bad(err, "unsupported request object algorithm");
	if ((ks = oidc_client_keys(ctx, c,
	    oidc_jws_alg_kty(a) == OIDC_JWK_OCT, &why)) == NULL)
		return bad(err, "the client has no key for this algorithm");
	if (oidc_jws_verify(ctx->a, ks, OIDC_JWS_BIT(a), jwt.p, jwt.len, &jws,
	    &why) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)jws.payload, jws.payload_len,
	    0, claims, &why) == -1)
		return bad(err, "the request object signature is invalid");
	*signed_out = true;
	return 0;
}

/*
 * A signed object's jti, once per client (issue 15 item 12).  The ledger
 * is the client assertions' (clientauth.c), so the hash is of a prefixed
 * value: an assertion and a request object may share a jti.
 */
static int
use_jti(struct oidc_ctx *ctx, const struct oidc_client *c,
    const struct oidc_json *cl, int64_t exp, struct oidc_error *err)
{
	static const char	 prefix[] = "request-object:";
	struct oidc_error	 why = { 0 };
	struct oidc_str		 jti = OIDC_STR_NULL;
	unsigned char		 h[32];
	char			 buf[sizeof(prefix) - 1 + 256];
	int			 rc;

	if (oidc_json_get_str(cl, "jti", &jti, &why) == -1 ||
	    (jti.p != NULL && (jti.len == 0 || jti.len > 256)))
		return bad(err, "request object jti is malformed");
	if (jti.p == NULL)
		return 0;
	memcpy(buf, prefix, sizeof(prefix) - 1);
	memcpy(buf + sizeof(prefix) - 1, jti.p, jti.len);
	if (oidc_sha256(buf, sizeof(prefix) - 1 + jti.len, h, err) == -1 ||
	    (rc = oidc_db_jti_use(ctx->db, c->client_id, h, exp + LEEWAY,
	    err)) == -1)
		return -1;
	if (rc == 0)
		return bad(err, "request object jti replayed");
	return 0;
}

static int
check_claims(struct oidc_ctx *ctx, const struct oidc_client *c,
    const struct oidc_json *cl, const struct oidc_params *query,
    bool is_signed, unsigned flags, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_str		 s = OIDC_STR_NULL, *aud = NULL;
	size_t			 n = 0, i;
	int64_t			 exp, nbf;
	bool			 ok = false;

	if (oidc_json_get_str(cl, "iss", &s, &why) == -1 ||
	    (s.p != NULL && !oidc_str_eq(s, c->client_id)))
		return bad(err, "request object iss is not the client");
	s = OIDC_STR_NULL;
	if (oidc_json_get_str(cl, "client_id", &s, &why) == -1 ||
	    (s.p != NULL && !oidc_str_eq(s, c->client_id)))
		return bad(err, "request object client_id differs");
	s = OIDC_STR_NULL;
	if (oidc_json_get_str(cl, "response_type", &s, &why) == -1 ||
	    (s.p != NULL && oidc_params_get(query, "response_type").p != NULL &&
	    !oidc_str_eq(s, oidc_params_get(query, "response_type"))))
		return bad(err, "request object response_type differs");
	if (oidc_json_get_str_list(cl, "aud", true, ctx->a, &aud, &n,
	    &why) == -1)
		return bad(err, "request object aud is malformed");
	for (i = 0; i < n; i++)
		if (oidc_str_eq_cstr(aud[i], ctx->cfg->issuer))
			ok = true;
	if (aud != NULL && !ok)
		return bad(err, "request object aud is not this issuer");
	if (is_signed && !oidc_json_has(cl, "exp"))
		return bad(err, "a signed request object must have exp");
	if (oidc_json_get_i64(cl, "exp", &exp, &why) == -1 ||
	    (oidc_json_has(cl, "exp") && exp + LEEWAY < (int64_t)ctx->now))
		return bad(err, "request object has expired");
	if (oidc_json_get_i64(cl, "nbf", &nbf, &why) == -1 ||
	    (oidc_json_has(cl, "nbf") && nbf - LEEWAY > (int64_t)ctx->now))
		return bad(err, "request object is not valid yet (nbf)");
	if (oidc_json_has(cl, "request") || oidc_json_has(cl, "request_uri"))
		return bad(err, "request objects cannot nest");
	if (is_signed && !(flags & OIDC_REQOBJ_CARRIED))
		return use_jti(ctx, c, cl, exp, err);
	return 0;
}

struct merge {
	struct oidc_ctx		*ctx;
	struct oidc_params	*out;
	struct oidc_error	*err;
};

static bool
is_authz_param(const char *k)
{
	size_t	 i;

	for (i = 0; i < OIDC_AUTHZ_NPARAMS; i++)
		if (strcmp(oidc_authz_params[i], k) == 0)
			return true;
	return false;
}

static int
add_member(void *arg, const char *key, struct oidc_json *val)
{
	struct merge		*m = arg;
	struct oidc_param	*p;
	struct oidc_str		 s;
	const char		*v;
	size_t			 len;

	/* SECURITY: never the pages' own fields (issue 15 item 1). */
	if (!is_authz_param(key))
		return 0;
	if (m->out->n == OIDC_FORM_MAX_PARAMS)
		return bad(m->err, "too many request object members");
	switch (oidc_json_type_of(val)) {
	case OIDC_JSON_STRING:
		if (oidc_json_as_str(val, &s) == -1)
			return bad(m->err, "bad request object member");
		v = s.p;
		len = s.len;
		break;
	case OIDC_JSON_NULL:
		return 0;
	default:	/* numbers (max_age), objects (claims) as JSON text */
		if ((v = oidc_json_serialize(val, m->ctx->a, &len, m->err)) ==
		    NULL)
			return -1;
		break;
	}
	p = &m->out->v[m->out->n++];
	p->name = (struct oidc_str){ oidc_arena_strdup(m->ctx->a, key),
	    strlen(key) };
	p->value = (struct oidc_str){ oidc_arena_strndup(m->ctx->a, v, len),
	    len };
	if (p->name.p == NULL || p->value.p == NULL)
		return oidc_fail(m->err, OIDC_E_NOMEM, NULL, "arena");
	return 0;
}

int
oidc_reqobj_merge(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_str jwt, const struct oidc_params *query, unsigned flags,
    struct oidc_params *out, struct oidc_error *err)
{
	struct oidc_json	*cl;
	struct merge		 m = { ctx, out, err };
	size_t			 i;
	bool			 is_signed = false;

	if (verify(ctx, c, jwt, &cl, &is_signed, err) == -1 ||
	    check_claims(ctx, c, cl, query, is_signed, flags, err) == -1)
		return -1;
	if ((out->v = oidc_arena_calloc(ctx->a, OIDC_FORM_MAX_PARAMS,
	    sizeof(*out->v))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	out->n = 0;
	if (oidc_json_foreach(cl, add_member, &m) != 0)
		return -1;
	/* Query parameters fill in what the object does not set. */
	for (i = 0; i < query->n; i++) {
		if (oidc_params_get(out, query->v[i].name.p).p != NULL)
			continue;
		if (out->n == OIDC_FORM_MAX_PARAMS)
			return bad(err, "too many parameters");
		out->v[out->n++] = query->v[i];
	}
	return 0;
}
