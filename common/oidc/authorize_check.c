/*
 * authorize_check.c: validating an authorization request (steps 1-3 of
 * authorize.c): the client and its redirect_uri, the request object or
 * request_uri, and every other parameter.  authorize_int.h.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/dpop.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/keystore.h"
#include "oidc/outbound.h"
#include "oidc/par.h"
#include "oidc/reqobj.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/subject.h"

#include "authorize_int.h"

#define MAX_PARAM	2048		/* state, nonce, hints */
#define MAX_CLAIMS	4096

/* An S256 challenge is a base64url SHA-256: 43 characters. */
static bool
challenge_ok(struct oidc_str c)
{
	size_t	 i;
	char	 ch;

	if (c.len != 43)
		return false;
	for (i = 0; i < c.len; i++) {
		ch = c.p[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

#define MAX_REQUEST_URI	512		/* OIDC Core 6.2 */

/*
 * OIDC Core 6.2: fetch the request object named by request_uri through
 * the outbound module (https only unless outbound_allow_private; private
 * and loopback destinations refused on the connected address; no
 * redirects; short timeouts), at most OIDC_REQOBJ_MAX_LEN bytes.  The
 * object is then verified exactly as one passed by value, and the login
 * and consent pages carry it by value: fetched once per authorization
 * request, what the user is shown is what is issued (issue 15 item 6).
 */
static int
fetch_request_uri(struct oidc_ctx *ctx, struct oidc_str uri,
    struct oidc_str *jwt, struct oidc_error *err)
{
	struct oidc_error		 why = { 0 };
	struct oidc_outbound_req	 rq;
	struct oidc_outbound_resp	 resp;
	struct oidc_str			 b;
	const char			*hash;
	int64_t				 slot;
	int				 rc;

	if (uri.len == 0 || uri.len > MAX_REQUEST_URI)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri is empty or longer than 512 characters.",
		    "request_uri length %zu", uri.len);
	memset(&rq, 0, sizeof(rq));
	rq.method = OIDC_OUTBOUND_GET;
	/* A fragment (a hash of the contents, say) is not sent. */
	if ((hash = memchr(uri.p, '#', uri.len)) != NULL)
		uri.len = (size_t)(hash - uri.p);
	rq.url = uri;
	rq.accept = "application/oauth-authz-req+jwt, application/jwt";
	rq.max_response = OIDC_REQOBJ_MAX_LEN;
	/*
	 * SECURITY: a fetch blocks this worker up to outbound_timeout; at
	 * most request_uri_fetches workers may be fetching at once, so a
	 * slow host cannot hold every worker (issue 15 item 4).
	 */
	if ((rc = oidc_db_fetch_slot_take(ctx->db,
	    ctx->cfg->request_uri_fetches, &slot, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_fail(err, OIDC_E_BUSY,
		    "Too many request_uri fetches are in progress. Please try "
		    "again in a moment.", "no fetch slot");
	rc = oidc_outbound_request(ctx->a, ctx->cfg, &rq, &resp, &why);
	if (oidc_db_fetch_slot_give(ctx->db, slot, err) == -1)
		return -1;
	if (rc == -1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri could not be fetched.", "%s", why.detail);
	if (resp.status != 200)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri could not be fetched.",
		    "request_uri answered HTTP %ld", resp.status);
	/* A trailing newline from a static file server is not the JWT's. */
	b = resp.body;
	while (b.len > 0 && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r' ||
	    b.p[b.len - 1] == ' '))
		b.len--;
	/* NUL-terminated: the pages carry it as a C string. */
	if ((jwt->p = oidc_arena_strndup(ctx->a, b.p, b.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	jwt->len = b.len;
	return 0;
}

void
oidc_authz_drop_offline_access(struct authz *ar)
{
	struct oidc_scope	 keep = { .n = 0 };
	size_t			 i;

	for (i = 0; i < ar->scope.n; i++)
		if (!oidc_str_eq_cstr(ar->scope.v[i], "offline_access"))
			keep.v[keep.n++] = ar->scope.v[i];
	ar->scope = keep;
}

/*
 * Load the client of client_id and, when no request_uri is to be fetched
 * first (a fetch may take seconds: the session must be read after it),
 * the session and consent in the same round trip.  1, 0 no such client,
 * -1 error.
 */
static int
load_client(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct authz *ar, struct oidc_str id, struct oidc_error *err)
{
	struct oidc_client_row	 row;
	int			 rc;

	if (oidc_params_get(ar->p, "request_uri").p != NULL)
		return oidc_client_load(ctx->db, ctx->a, id, &ar->client, err);
	if ((rc = oidc_session_client_consent(ctx, req, id, &row,
	    &ar->has_session, &ar->session, &ar->has_consent, &ar->consent, err)) != 1)
		return rc;
	ar->session_read = true;
	return oidc_client_from_row(ctx->a, &row, &ar->client, err) == -1 ?
	    -1 : 1;
}

/*
 * A pushed request's request_uri (RFC 9126 4): redeemed once for the
 * query's client_id, its parameters replace the query's (*req_uri then
 * absent).  Otherwise, with par_required or the client's
 * require_pushed_authorization_requests, the request is refused, unless
 * it is a page's own post, which carries the pushed parameters.  0 or -1.
 */
static int
pushed(struct oidc_ctx *ctx, struct authz *ar, struct oidc_str id,
    struct oidc_str *req_uri, struct oidc_error *err)
{
	struct oidc_params	*p;

	if (ctx->cfg->par && req_uri->p != NULL &&
	    oidc_par_is_urn(req_uri->p, req_uri->len)) {
		if (oidc_params_get(ar->p, "request").p != NULL)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The "
			    "request has both request and request_uri.",
			    "both");
		if ((p = oidc_arena_calloc(ctx->a, 1, sizeof(*p))) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		if (oidc_par_redeem(ctx, id, *req_uri, p, err) == -1)
			return -1;
		ar->p = p;
		ar->redirect_uri = oidc_params_get(ar->p, "redirect_uri");
		*req_uri = OIDC_STR_NULL;
		return 0;
	}
	if ((ctx->cfg->par_required || ar->client.require_par ||
	    oidc_fapi2(ctx->cfg, &ar->client)) && !ar->page_post)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "This client "
		    "must push its authorization requests first (RFC 9126).",
		    "pushed authorization request required");
	return 0;
}

/*
 * Steps 1-2: client_id and redirect_uri.  Failures are HTML pages, except
 * that once the query's redirect_uri is one the client registered, a
 * request object or request_uri that fails goes back there
 * (ar->error_to_client; docs/AUTHORIZE-ERRORS.md).
 */
int
oidc_authz_check_client(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct authz *ar, struct oidc_error *err)
{
	struct oidc_str		 id = oidc_params_get(ar->p, "client_id");
	struct oidc_str		 req_obj, req_uri;
	struct oidc_params	*merged;
	bool			 query_uri_ok;
	int			 rc;

	ar->redirect_uri = oidc_params_get(ar->p, "redirect_uri");
	if (id.p == NULL)
		return oidc_authz_bad_page(err, "The request has no client_id.");
	if ((rc = load_client(ctx, req, ar, id, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_authz_bad_page(err, "The client is not registered.");
	query_uri_ok = oidc_client_redirect_uri_ok(&ar->client,
	    ar->redirect_uri);
	req_uri = oidc_params_get(ar->p, "request_uri");
	ar->error_to_client = query_uri_ok;
	if (pushed(ctx, ar, id, &req_uri, err) == -1)
		return -1;
	req_obj = oidc_params_get(ar->p, "request");
	if (req_obj.p != NULL && req_uri.p != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The request "
		    "has both request and request_uri.", "both");
	/*
	 * SECURITY: a fetch blocks this worker, so only for a URI the
	 * client registered (issue 15 item 4).  The query's redirect_uri is
	 * not required to be registered first: the object's wins (OIDC
	 * Core 6.3.3).
	 */
	if (req_uri.p != NULL && !oidc_client_request_uri_ok(&ar->client,
	    req_uri))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST_URI,
		    "The request_uri is not registered for this client "
		    "(request_uris).", "unregistered");
	if (req_uri.p != NULL &&
	    fetch_request_uri(ctx, req_uri, &req_obj, err) == -1)
		return -1;
	if (req_obj.p != NULL) {
		/*
		 * A request object's members win over the query (OIDC Core
		 * 6.1), redirect_uri included, so merge before checking it.
		 */
		if ((merged = oidc_arena_calloc(ctx->a, 1, sizeof(*merged))) ==
		    NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		if (oidc_reqobj_merge(ctx, &ar->client, req_obj, ar->p,
		    ar->page_post ? OIDC_REQOBJ_CARRIED : 0, merged,
		    err) == -1)
			return -1;
		ar->p = merged;
		ar->request_obj = req_obj;
		ar->redirect_uri = oidc_params_get(ar->p, "redirect_uri");
	}
	ar->error_to_client = false;
	if (ar->redirect_uri.p == NULL)
		return oidc_authz_bad_page(err, "The request has no redirect_uri.");
	if (!oidc_client_redirect_uri_ok(&ar->client, ar->redirect_uri))
		return oidc_authz_bad_page(err, "The redirect_uri is not registered for "
		    "this client.");
	return 0;
}

static bool
printable(struct oidc_str s)
{
	return s.p == NULL || (s.len <= MAX_PARAM &&
	    oidc_str_is_vschar(s.p, s.len));
}

/* Parse the prompt set (OIDC Core 3.1.2.1). */
static int
parse_prompt(struct authz *ar, struct oidc_str s)
{
	size_t	 i = 0, start;

	while (s.p != NULL && i < s.len) {
		start = i;
		while (i < s.len && s.p[i] != ' ')
			i++;
		struct oidc_str w = { s.p + start, i - start };
		if (oidc_str_eq_cstr(w, "none"))
			ar->p_none = true;
		else if (oidc_str_eq_cstr(w, "login"))
			ar->p_login = true;
		else if (oidc_str_eq_cstr(w, "consent"))
			ar->p_consent = true;
		else if (oidc_str_eq_cstr(w, "select_account"))
			ar->p_select = true;
		else
			return -1;
		i++;
	}
	if (ar->p_none && (ar->p_login || ar->p_consent || ar->p_select))
		return -1;
	return 0;
}

/* An id_token_hint must be one of ours; expiry does not matter. */
static int
check_id_token_hint(struct oidc_ctx *ctx, struct authz *ar,
    struct oidc_str hint)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_jws		 jws;
	struct oidc_json	*claims;
	struct oidc_str		 iss;

	if (ctx->keys == NULL ||
	    oidc_jws_verify(ctx->a, ctx->keys, OIDC_JWS_ALL &
	    ~(OIDC_JWS_BIT(OIDC_JWS_HS256) | OIDC_JWS_BIT(OIDC_JWS_HS384) |
	    OIDC_JWS_BIT(OIDC_JWS_HS512)), hint.p, hint.len, &jws,
	    &ignored) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)jws.payload, jws.payload_len,
	    0, &claims, &ignored) == -1 ||
	    oidc_json_get_str(claims, "iss", &iss, &ignored) != 1 ||
	    !oidc_str_eq_cstr(iss, ctx->cfg->issuer) ||
	    oidc_json_get_str(claims, "sub", &ar->hint_sub, &ignored) != 1 ||
	    oidc_json_get_str_list(claims, "aud", true, ctx->a, &ar->hint_aud,
	    &ar->n_hint_aud, &ignored) != 1)
		return -1;
	return 0;
}

/* The claims parameter: an object whose userinfo/id_token are objects. */
static int
check_claims(struct oidc_ctx *ctx, struct oidc_str s)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_json	*j, *m;

	if (s.len > MAX_CLAIMS ||
	    oidc_json_parse(ctx->a, s.p, s.len, MAX_CLAIMS, &j, &ignored) == -1 ||
	    oidc_json_get_obj(j, "userinfo", &m, &ignored) == -1 ||
	    oidc_json_get_obj(j, "id_token", &m, &ignored) == -1)
		return -1;
	return 0;
}

/*
 * JARM 2.3: a .jwt mode, or "jwt" (the response type's default mode),
 * when the configuration enables JARM: ar->jwt, and *rm without ".jwt"
 * (OIDC_STR_NULL for "jwt").
 */
static void
parse_jarm(const struct oidc_ctx *ctx, struct authz *ar, struct oidc_str *rm)
{
	ar->jwt = false;
	if (!ctx->cfg->jarm || rm->p == NULL)
		return;
	if (oidc_str_eq_cstr(*rm, "jwt")) {
		ar->jwt = true;
		*rm = (struct oidc_str)OIDC_STR_NULL;
	} else if (rm->len > 4 && memcmp(rm->p + rm->len - 4, ".jwt",
	    4) == 0) {
		ar->jwt = true;
		rm->len -= 4;
	}
}

/*
 * state, response_type and where the response goes (response_mode or the
 * response type's default): NULL, or what is wrong (the mode is then the
 * default one, still usable for the error; signed when a JARM mode was
 * asked for).
 */
const char *
oidc_authz_parse_mode(const struct oidc_ctx *ctx, struct authz *ar)
{
	struct oidc_str	 rm = oidc_params_get(ar->p, "response_mode");
	const char	*bad = NULL;

	ar->state = oidc_params_get(ar->p, "state");
	ar->rt = oidc_rt_parse(oidc_params_get(ar->p, "response_type"));
	ar->mode = (ar->rt == 0 || ar->rt == OIDC_RT_CODE ||
	    ar->rt == OIDC_RT_NONE) ? MODE_QUERY : MODE_FRAGMENT;
	parse_jarm(ctx, ar, &rm);
	if (oidc_str_eq_cstr(rm, "form_post"))
		ar->mode = MODE_FORM_POST;
	else if (oidc_str_eq_cstr(rm, "fragment"))
		ar->mode = MODE_FRAGMENT;
	else if (oidc_str_eq_cstr(rm, "query")) {
		/*
		 * OAuth 2.0 Multiple Response Types 2.1; JARM 2.3.1: not
		 * query.jwt either, the JWT not being encrypted.
		 */
		if (oidc_rt_has_id_token(ar->rt) || oidc_rt_has_token(ar->rt))
			bad = ar->jwt ? "response_mode query.jwt is not "
			    "allowed for this response_type" : "response_mode "
			    "query is not allowed for this response_type";
	} else if (rm.p != NULL) {
		ar->jwt = false;
		bad = "unsupported response_mode";
	}
	if (!printable(ar->state))
		bad = "state is not printable ASCII";
	return bad;
}

/*
 * The checks of step 3 return NULL, or the error_description of what is
 * wrong (error invalid_request unless they set *code).
 */

static const char *
check_response_type(const struct authz *ar, enum oidc_errcode *code)
{
	if (oidc_params_get(ar->p, "response_type").p == NULL)
		return "response_type is required";
	if (ar->rt == 0 || ar->rt == OIDC_RT_NONE) {
		*code = OIDC_E_UNSUPPORTED_RESPONSE_TYPE;
		return "unsupported response_type";
	}
	if (!(ar->client.response_types & ar->rt)) {
		*code = OIDC_E_UNAUTHORIZED_CLIENT;
		return "the client may not use this response_type";
	}
	return NULL;
}

/* Scope: policy filter, then the OpenID rules. */
static const char *
check_scope(struct oidc_ctx *ctx, struct authz *ar,
    enum oidc_errcode *code)
{
	struct oidc_error	 perr = { 0 };

	if (oidc_scope_parse(oidc_params_get(ar->p, "scope"), &ar->scope,
	    &perr) == -1) {
		*code = OIDC_E_INVALID_SCOPE;
		return perr.public_desc;
	}
	oidc_scope_allowed(ctx->cfg, &ar->scope, ar->client.scope);
	if (!(ar->client.grant_types & OIDC_GT_REFRESH_TOKEN))
		oidc_authz_drop_offline_access(ar);
	if (oidc_rt_has_id_token(ar->rt) &&
	    !oidc_scope_has(&ar->scope, "openid")) {
		*code = OIDC_E_INVALID_SCOPE;
		return "scope must include openid";
	}
	return NULL;
}

/*
 * RFC 8707: every resource registered (a database read, here and at
 * /par), else invalid_target.
 */
static const char *
check_resource(struct oidc_ctx *ctx, struct authz *ar,
    enum oidc_errcode *code)
{
	struct oidc_error	 rerr = { 0 };

	/* Off (resource_indicators): ignored, as any unknown parameter. */
	if (!ctx->cfg->resource_indicators)
		return NULL;
	if (oidc_resources_from_params(ar->p, &ar->res, &rerr) == 0 &&
	    (ar->res.n == 0 || oidc_resources_load(ctx, &ar->res,
	    &rerr) == 0))
		return NULL;
	/* A database failure: server_error (RFC 6749 4.1.2.1). */
	*code = rerr.code;
	return rerr.code == OIDC_E_INVALID_TARGET ? rerr.public_desc :
	    "the resource could not be checked";
}

/* nonce: required whenever this endpoint returns an ID Token. */
static const char *
check_nonce(const struct oidc_ctx *ctx, struct authz *ar)
{
	ar->nonce = oidc_params_get(ar->p, "nonce");
	if (!printable(ar->nonce))
		return "nonce is not printable ASCII";
	if (ar->nonce.p == NULL && oidc_scope_has(&ar->scope, "openid") &&
	    (oidc_rt_has_id_token(ar->rt) || ar->client.require_nonce ||
	    ctx->cfg->require_nonce))
		return "nonce is required";
	return NULL;
}

/* PKCE: S256 only; public clients must use it (RFC 7636, BCP 212). */
static const char *
check_pkce(struct authz *ar)
{
	struct oidc_str	 method;

	ar->challenge = oidc_params_get(ar->p, "code_challenge");
	method = oidc_params_get(ar->p, "code_challenge_method");
	if (ar->challenge.p != NULL) {
		if (method.p != NULL && !oidc_str_eq_cstr(method, "S256"))
			return "code_challenge_method must be S256";
		if (method.p == NULL)
			return "code_challenge_method is required (S256)";
		if (!challenge_ok(ar->challenge))
			return "malformed code_challenge";
	} else if (method.p != NULL)
		return "code_challenge_method without code_challenge";
	else if (oidc_rt_has_code(ar->rt) &&
	    ar->client.auth_method == OIDC_AUTH_NONE)
		return "PKCE (code_challenge with S256) is required for public "
		    "clients";
	return NULL;
}

/*
 * dpop_jkt (RFC 9449 10) when DPoP is on: a JWK SHA-256 thumbprint the
 * code will be bound to.  With dpop off the parameter is ignored.
 */
static const char *
check_dpop_jkt(const struct oidc_ctx *ctx, struct authz *ar)
{
	ar->dpop_jkt = OIDC_STR_NULL;
	if (!ctx->cfg->dpop)
		return NULL;
	ar->dpop_jkt = oidc_params_get(ar->p, "dpop_jkt");
	if (ar->dpop_jkt.p != NULL && !oidc_dpop_jkt_ok(ar->dpop_jkt))
		return "dpop_jkt is not a base64url SHA-256 JWK thumbprint";
	return NULL;
}

/* prompt, max_age, the hints and the claims request. */
static const char *
check_interaction(struct oidc_ctx *ctx, struct authz *ar)
{
	struct oidc_str	 ma, hint;
	uint64_t	 u;

	if (parse_prompt(ar, oidc_params_get(ar->p, "prompt")) == -1)
		return "invalid prompt";
	ma = oidc_params_get(ar->p, "max_age");
	if (ma.p != NULL) {
		if (oidc_parse_u64(ma.p, ma.len, 0, INT32_MAX, &u) == -1)
			return "max_age must be a non-negative integer";
		ar->has_max_age = true;
		ar->max_age = (int64_t)u;
	}
	ar->login_hint = oidc_params_get(ar->p, "login_hint");
	if (!printable(ar->login_hint) ||
	    !printable(oidc_params_get(ar->p, "acr_values")) ||
	    !printable(oidc_params_get(ar->p, "ui_locales")) ||
	    !printable(oidc_params_get(ar->p, "claims_locales")) ||
	    !printable(oidc_params_get(ar->p, "display")))
		return "a parameter is not printable ASCII";
	hint = oidc_params_get(ar->p, "id_token_hint");
	if (hint.p != NULL && check_id_token_hint(ctx, ar, hint) == -1)
		return "id_token_hint is not a valid ID Token of this provider";
	ar->claims = oidc_params_get(ar->p, "claims");
	if (ar->claims.p != NULL && check_claims(ctx, ar->claims) == -1)
		return "claims is not a valid claims request";
	return NULL;
}

/*
 * Step 3's rules, without I/O but the id_token_hint's keys and the
 * registered resources (check_resource): NULL when
 * valid, or the error_description and *code (left alone for
 * invalid_request).  The mode first, so even errors about the rest go
 * where asked.
 */
const char *
oidc_authz_check_params(struct oidc_ctx *ctx, struct authz *ar,
    enum oidc_errcode *code)
{
	const char	*bad;

	if ((bad = oidc_authz_parse_mode(ctx, ar)) != NULL ||
	    (bad = check_response_type(ar, code)) != NULL ||
	    (bad = check_scope(ctx, ar, code)) != NULL ||
	    (bad = check_resource(ctx, ar, code)) != NULL ||
	    (bad = check_nonce(ctx, ar)) != NULL ||
	    (bad = check_pkce(ar)) != NULL ||
	    (bad = check_dpop_jkt(ctx, ar)) != NULL ||
	    (bad = check_interaction(ctx, ar)) != NULL ||
	    (bad = oidc_fapi2_authz_problem(ctx, ar, code)) != NULL)
		return bad;
	return NULL;
}

/*
 * Step 3: everything else.  Returns 0 when valid, 1 when an error response
 * was built (redirected), -1 on internal failure.
 */
int
oidc_authz_check_request(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct authz *ar, struct oidc_error *err)
{
	const char		*bad;
	enum oidc_errcode	 code = OIDC_E_INVALID_REQUEST;

	if ((bad = oidc_authz_check_params(ctx, ar, &code)) != NULL) {
		if (oidc_authz_redirect_error(ctx, resp, ar, code, bad,
		    err) == -1)
			return -1;
		return 1;
	}
	if ((ar->scope_str = oidc_scope_join(ctx->a, &ar->scope)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 0;
}
