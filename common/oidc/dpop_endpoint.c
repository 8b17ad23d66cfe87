/*
 * dpop_endpoint.c: the DPoP hooks of /token, UserInfo and introspection
 * (see oidc/dpop.h): nonce, replay and binding rules around the proof
 * validator of dpop.c.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/dpop.h"
#include "oidc/json.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/seal.h"

#define NONCE_KEY_LABEL	"oidc-fcgi dpop nonce key v1"

static const char *
method_name(enum oidc_method m)
{
	switch (m) {
	case OIDC_METHOD_GET:
		return "GET";
	case OIDC_METHOD_POST:
		return "POST";
	case OIDC_METHOD_HEAD:
		return "HEAD";
	default:
		return "";
	}
}

/*
 * Server nonces (RFC 9449 8, 9) when configured and possible: hand the
 * current one out in DPoP-Nonce (kept by error responses too) and refuse
 * a proof without a live one.
 */
static int
check_nonce(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct oidc_dpop_proof *p, struct oidc_error *err)
{
	unsigned char	 key[OIDC_SEAL_KEY_LEN];
	char		*cur;
	bool		 ok;
	int64_t		 life = ctx->cfg->dpop_nonce_lifetime;

	if (life == 0 || ctx->kek == NULL)
		return 0;
	if ((cur = oidc_arena_alloc(ctx->a, OIDC_DPOP_NONCE_LEN + 1)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_seal_key_derive(ctx->kek, NONCE_KEY_LABEL, key, err) == -1)
		return -1;
	if (oidc_dpop_nonce_make(key, life, (int64_t)ctx->now, cur, err) ==
	    -1) {
		oidc_wipe(key, sizeof(key));
		return -1;
	}
	ok = oidc_dpop_nonce_ok(key, life, (int64_t)ctx->now, p->nonce);
	oidc_wipe(key, sizeof(key));
	resp->dpop_nonce = cur;
	if (oidc_resp_header(resp, "DPoP-Nonce", cur, err) == -1)
		return -1;
	if (!ok)
		return oidc_fail(err, OIDC_E_USE_DPOP_NONCE, p->nonce.p == NULL ?
		    "a DPoP nonce is required" : "the DPoP nonce is stale",
		    "dpop: nonce");
	return 0;
}

/* A proof is good once per key: jti replay (RFC 9449 11.1). */
static int
spend_jti(struct oidc_ctx *ctx, const struct oidc_dpop_proof *p,
    struct oidc_error *err)
{
	unsigned char	 h[OIDC_SHA256_LEN];
	char		*msg;
	int		 rc;

	if ((msg = oidc_arena_printf(ctx->a, "%s.%.*s", p->jkt,
	    (int)p->jti.len, p->jti.p)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_sha256(msg, strlen(msg), h, err) == -1)
		return -1;
	/* Until the iat check would refuse the proof anyway. */
	if ((rc = oidc_db_dpop_jti_use(ctx->db, h, p->iat +
	    ctx->cfg->dpop_iat_window + 1, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF,
		    "the DPoP proof was used before", "dpop: jti replay");
	return 0;
}

/* The request's proof for `path`, checked, nonce tested, jti spent. */
static int
verify(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *path, struct oidc_str token,
    struct oidc_dpop_proof *p, struct oidc_error *err)
{
	struct oidc_dpop_expect	 x;

	memset(&x, 0, sizeof(x));
	x.htm = method_name(req->method);
	x.now = (int64_t)ctx->now;
	x.window = ctx->cfg->dpop_iat_window;
	x.access_token = token;
	if ((x.htu = oidc_arena_printf(ctx->a, "%s%s", ctx->cfg->issuer,
	    path)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (req->dpop.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF,
		    "a DPoP proof is required", "dpop: no DPoP header");
	if (oidc_dpop_parse(ctx->a, req->dpop.p, req->dpop.len, p, err) ==
	    -1 || oidc_dpop_check(p, &x, err) == -1 ||
	    check_nonce(ctx, resp, p, err) == -1)
		return -1;
	return spend_jti(ctx, p, err);
}

int
oidc_dpop_endpoint_proof(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *path, struct oidc_dpop_proof *p,
    struct oidc_error *err)
{
	memset(p, 0, sizeof(*p));
	if (!ctx->cfg->dpop || req->dpop.p == NULL)
		return 0;
	return verify(ctx, req, resp, path, OIDC_STR_NULL, p, err) == -1 ?
	    -1 : 1;
}

int
oidc_dpop_token_proof(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_dpop_proof *p,
    struct oidc_error *err)
{
	return oidc_dpop_endpoint_proof(ctx, req, resp, "/token", p, err);
}

void
oidc_dpop_bind(const struct oidc_dpop_proof *p, bool public_client,
    struct oidc_str *access_jkt, struct oidc_str *refresh_jkt)
{
	*access_jkt = (struct oidc_str){ p->jkt, strlen(p->jkt) };
	*refresh_jkt = public_client ? *access_jkt : OIDC_STR_NULL;
}

int
oidc_dpop_refresh_ok(struct oidc_str bound, struct oidc_str proof_jkt,
    struct oidc_error *err)
{
	if (bound.p == NULL)
		return 0;
	if (proof_jkt.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_GRANT, "the refresh token "
		    "is DPoP-bound: send a DPoP proof of its key",
		    "dpop: bound refresh token without proof");
	if (!oidc_str_eq(bound, proof_jkt))
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF, "the DPoP "
		    "proof key is not the key the refresh token is bound to",
		    "dpop: refresh jkt mismatch");
	return 0;
}

int
oidc_dpop_resource_token(const struct oidc_request *req,
    struct oidc_str *token, bool *dpop, struct oidc_error *err)
{
	int	 rc;

	*dpop = false;
	*token = OIDC_STR_NULL;
	if (req->authorization.p == NULL)
		return 0;
	if ((rc = oidc_authz_parse_bearer(req->authorization.p,
	    req->authorization.len, token, err)) != 0)
		return rc;
	if ((rc = oidc_authz_parse_dpop(req->authorization.p,
	    req->authorization.len, token, err)) == 1)
		*dpop = true;
	return rc;
}

int
oidc_dpop_resource_check(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *path, bool dpop,
    struct oidc_str token, struct oidc_str jkt, struct oidc_error *err)
{
	struct oidc_dpop_proof	 p;

	if (!dpop && jkt.p == NULL)
		return 0;	/* Bearer, RFC 6750 */
	/* RFC 9449 7.1: errors of a DPoP resource carry a DPoP challenge. */
	resp->dpop_algs = oidc_dpop_algs();
	if (!dpop)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN, "the access token "
		    "is DPoP-bound: use the DPoP scheme with a proof",
		    "dpop: bound token under Bearer");
	if (jkt.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN, "the access token "
		    "is not DPoP-bound", "dpop: DPoP scheme, Bearer token");
	if (verify(ctx, req, resp, path, token, &p, err) == -1)
		return -1;
	if (!oidc_str_eq_cstr(jkt, p.jkt))
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF, "the DPoP "
		    "proof key is not the key the token is bound to",
		    "dpop: jkt mismatch");
	return 0;
}

int
oidc_dpop_introspect(struct oidc_arena *a, struct oidc_json *j,
    struct oidc_str jkt, bool access, struct oidc_error *err)
{
	struct oidc_json	*cnf;

	if (jkt.p == NULL)
		return 0;
	if ((cnf = oidc_json_new_object(a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_str(cnf, "jkt", jkt.p, jkt.len, err) == -1 ||
	    oidc_json_set_obj(j, "cnf", cnf, err) == -1 ||
	    (access && oidc_json_set_cstr(j, "token_type", "DPoP", err) ==
	    -1))
		return -1;
	return 0;
}
