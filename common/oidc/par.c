/*
 * par.c: Pushed Authorization Requests, RFC 9126 (see oidc/par.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/buf.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/dpop.h"
#include "oidc/form.h"
#include "oidc/json.h"
#include "oidc/par.h"
#include "oidc/reqobj.h"
#include "oidc/request.h"
#include "oidc/response.h"

#include "authorize_int.h"

#define URN_LEN	(sizeof(OIDC_PAR_URN) - 1)

bool
oidc_par_is_urn(const char *buf, size_t len)
{
	return buf != NULL && len >= URN_LEN &&
	    memcmp(buf, OIDC_PAR_URN, URN_LEN) == 0;
}

static bool
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
oidc_par_uri_parse(const char *buf, size_t len, struct oidc_str *ref,
    struct oidc_error *err)
{
	size_t	 i;

	if (!oidc_par_is_urn(buf, len) || len != URN_LEN + OIDC_PAR_REF_LEN)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri is not one this server issued.",
		    "malformed pushed request_uri");
	for (i = URN_LEN; i < len; i++)
		if (!b64url_char(buf[i]))
			return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
			    "The request_uri is not one this server issued.",
			    "malformed pushed request_uri");
	ref->p = buf + URN_LEN;
	ref->len = OIDC_PAR_REF_LEN;
	return 0;
}

int
oidc_par_redeem(struct oidc_ctx *ctx, struct oidc_str client_id,
    struct oidc_str uri, struct oidc_params *out, struct oidc_error *err)
{
	struct oidc_str	 ref, params;
	unsigned char	 h[OIDC_SHA256_LEN];
	int		 rc;

	if (oidc_par_uri_parse(uri.p, uri.len, &ref, err) == -1 ||
	    oidc_sha256(ref.p, ref.len, h, err) == -1)
		return -1;
	if ((rc = oidc_db_par_redeem(ctx->db, ctx->a, h, client_id, &params,
	    err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri is unknown, expired, already used or "
		    "another client's.", "pushed request not redeemable");
	/* Written by oidc_par_handle from parsed, checked parameters. */
	if (oidc_form_parse(ctx->a, params.p, params.len, out, err) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "stored pushed request unreadable");
	return 0;
}

/*
 * The authorization parameters of ar, client_id first as authenticated
 * and dpop_jkt as bound (RFC 9449 10.1), form-encoded into *out: what
 * /authorize will use.
 */
static int
encode(struct oidc_ctx *ctx, const struct authz *ar, struct oidc_str *out,
    struct oidc_error *err)
{
	struct oidc_buf	 b;
	struct oidc_str	 v, res[OIDC_RESOURCE_MAX];
	size_t		 i, nres;

	oidc_buf_init(&b, ctx->a, OIDC_FORM_MAX_LEN);
	/* RFC 8707: every resource (checked already, at most the limit). */
	nres = oidc_params_get_all(ar->p, "resource", res, OIDC_RESOURCE_MAX);
	for (i = 0; i < OIDC_AUTHZ_NPARAMS + nres; i++) {
		const char *name = i < OIDC_AUTHZ_NPARAMS ?
		    oidc_authz_params[i] : "resource";

		v = i == 0 ? ar->client.client_id : i >= OIDC_AUTHZ_NPARAMS ?
		    res[i - OIDC_AUTHZ_NPARAMS] : strcmp(name, "dpop_jkt") ==
		    0 ? ar->dpop_jkt : oidc_params_get(ar->p, name);
		if (v.p == NULL)
			continue;
		if ((i > 0 && oidc_buf_putc(&b, '&', err) == -1) ||
		    oidc_buf_urlencode(&b, name, strlen(name), err) == -1 ||
		    oidc_buf_putc(&b, '=', err) == -1 ||
		    oidc_buf_urlencode(&b, v.p, v.len, err) == -1)
			return err->code == OIDC_E_NOMEM ? -1 :
			    oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "The authorization request is too large.",
			    "pushed parameters over %d bytes",
			    OIDC_FORM_MAX_LEN);
	}
	*out = oidc_buf_str(&b);
	return 0;
}

/*
 * The checks of /authorize on the pushed parameters (authorize_check.c):
 * a request object verified and merged, a registered redirect_uri, then
 * oidc_authz_check_params().  0 with ar->p the parameters to store, or -1
 * with the error /authorize would give.
 */
static int
check(struct oidc_ctx *ctx, const struct oidc_request *req, struct authz *ar,
    struct oidc_error *err)
{
	struct oidc_str		 id = oidc_params_get(&req->form, "client_id");
	struct oidc_str		 obj = oidc_params_get(&req->form, "request");
	struct oidc_params	*merged, only_id = { NULL, 0 };
	enum oidc_errcode	 code = OIDC_E_INVALID_REQUEST;
	const char		*bad;

	ar->p = &req->form;
	if (oidc_params_get(ar->p, "request_uri").p != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "request_uri "
		    "may not be pushed (RFC 9126 2.1).", "request_uri pushed");
	if (id.p != NULL && !oidc_str_eq(id, ar->client.client_id))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "client_id is "
		    "not the authenticated client.", "client_id mismatch");
	if (obj.p != NULL) {
		/*
		 * RFC 9126 3, RFC 9101 5: with a request object only its
		 * members are used; the form's other parameters are ignored.
		 */
		if ((merged = oidc_arena_calloc(ctx->a, 1, sizeof(*merged))) ==
		    NULL || (only_id.v = oidc_arena_calloc(ctx->a, 1,
		    sizeof(*only_id.v))) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		only_id.v[0].name = OIDC_STR("client_id");
		only_id.v[0].value = ar->client.client_id;
		only_id.n = 1;
		if (oidc_reqobj_merge(ctx, &ar->client, obj, &only_id, 0,
		    merged, err) == -1)
			return -1;
		ar->p = merged;
	}
	ar->redirect_uri = oidc_params_get(ar->p, "redirect_uri");
	if (ar->redirect_uri.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "redirect_uri is required", "no redirect_uri");
	if (!oidc_client_redirect_uri_ok(&ar->client, ar->redirect_uri))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The "
		    "redirect_uri is not registered for this client.",
		    "unregistered redirect_uri");
	if ((bad = oidc_authz_check_params(ctx, ar, &code)) != NULL)
		return oidc_fail(err, code, bad, "%s", bad);
	return 0;
}

/*
 * RFC 9449 10.1: a DPoP proof sent with the pushed request (htu the PAR
 * endpoint) binds the code to its key, as dpop_jkt would; both sent must
 * name the same key.  0 with ar->dpop_jkt the bound key or absent, -1.
 */
static int
dpop_bind(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct authz *ar, struct oidc_error *err)
{
	struct oidc_dpop_proof	 proof;
	struct oidc_str		 pk = OIDC_STR_NULL;
	int			 rc;

	if ((rc = oidc_dpop_endpoint_proof(ctx, req, resp, "/par", &proof,
	    err)) == -1)
		return -1;
	/* The proof is this frame's: the thumbprint outlives it. */
	if (rc == 1) {
		pk.len = strlen(proof.jkt);
		if ((pk.p = oidc_arena_strndup(ctx->a, proof.jkt, pk.len)) ==
		    NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	}
	return oidc_dpop_par_jkt(ar->dpop_jkt, pk, &ar->dpop_jkt, err);
}

int
oidc_par_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct authz		 ar;
	struct oidc_json	*j;
	struct oidc_audit_kv	 kv[2];
	struct oidc_str		 params;
	unsigned char		 h[OIDC_SHA256_LEN];
	const char		*endpoint, *ref, *uri;

	if (!ctx->cfg->par)
		return oidc_fail(err, OIDC_E_NOT_FOUND, NULL, "par is off");
	if ((endpoint = oidc_arena_printf(ctx->a, "%s/par",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	memset(&ar, 0, sizeof(ar));
	if (oidc_client_authenticate(ctx, req, resp, endpoint, &ar.client,
	    err) == -1 || check(ctx, req, &ar, err) == -1 ||
	    dpop_bind(ctx, req, resp, &ar, err) == -1 ||
	    encode(ctx, &ar, &params, err) == -1)
		return -1;
	if ((ref = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES, h,
	    err)) == NULL ||
	    (uri = oidc_arena_printf(ctx->a, "%s%s", OIDC_PAR_URN, ref)) ==
	    NULL)
		return -1;
	if (oidc_db_par_insert(ctx->db, h, ar.client.client_id, params,
	    ctx->cfg->par_ttl, err) == -1)
		return -1;
	kv[0] = (struct oidc_audit_kv){ "client_id", ar.client.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	oidc_audit("par.pushed", kv, 2);
	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_cstr(j, "request_uri", uri, err) == -1 ||
	    oidc_json_set_i64(j, "expires_in", ctx->cfg->par_ttl, err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, 201, j, err);
}
