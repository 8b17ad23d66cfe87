/*
 * clientauth.c: client authentication (see oidc/clientauth.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/fapi.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/log.h"
#include "oidc/outbound.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/tlsauth.h"

#define ASSERTION_TYPE	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define LEEWAY		60

static int
invalid_client(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT,
	    "client authentication failed", "%s", why);
}

static void
free_keyset(void *p)
{
	oidc_keyset_free(p);
}

/* SECURITY: compare digests in constant time; unknown ids do the same work. */
static bool
secret_ok(const struct oidc_client *c, bool known, struct oidc_str secret)
{
	unsigned char		 got[OIDC_SHA256_LEN];
	static const unsigned char zero[OIDC_SHA256_LEN];
	struct oidc_error	 ignored = { 0 };
	bool			 ok;

	if (oidc_sha256(secret.p, secret.len, got, &ignored) == -1)
		return false;
	ok = oidc_str_eq_secret((struct oidc_str){ (const char *)got,
	    sizeof(got) }, (struct oidc_str){ known && c->has_secret ?
	    (const char *)c->secret_hash : (const char *)zero, sizeof(got) });
	oidc_wipe(got, sizeof(got));
	return ok && known && c->has_secret;
}

/*
 * The client's jwks_uri, fetched through the outbound module each time
 * keys are needed: no cache yet, so a rotated key (a new kid) is seen at
 * once.  NULL with err.
 */
static struct oidc_keyset *
fetch_jwks(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_error *err)
{
	struct oidc_error		 why = { 0 };
	struct oidc_outbound_req	 rq;
	struct oidc_outbound_resp	 resp;
	struct oidc_str			 uri;

	if (oidc_json_get_str(c->metadata, "jwks_uri", &uri, &why) != 1) {
		oidc_fail(err, OIDC_E_INVALID_CLIENT, NULL,
		    "client without jwks or jwks_uri");
		return NULL;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = OIDC_OUTBOUND_GET;
	rq.url = uri;
	rq.accept = "application/json, application/jwk-set+json";
	if (oidc_outbound_request(ctx->a, ctx->cfg, &rq, &resp, &why) == -1 ||
	    resp.status != 200) {
		oidc_fail(err, OIDC_E_INVALID_CLIENT, NULL,
		    "jwks_uri fetch failed: %s", why.detail[0] != '\0' ?
		    why.detail : "HTTP status not 200");
		return NULL;
	}
	return oidc_keyset_parse(ctx->a, resp.body.p, resp.body.len,
	    OIDC_JWS_ALG_ANY, NULL, err);
}

/*
 * The keys a client signs with, from its registration only: its secret as
 * an oct key (symmetric) or its registered "jwks".  The set is freed with
 * the request arena.
 */
struct oidc_keyset *
oidc_client_keys(struct oidc_ctx *ctx, const struct oidc_client *c,
    bool symmetric, struct oidc_error *err)
{
	struct oidc_keyset	*ks = NULL;
	struct oidc_json	*jwks;
	struct oidc_json	*k;
	struct oidc_jwk		*key;
	struct oidc_str		 secret;
	const char		*doc, *kval;
	size_t			 len;

	if (symmetric) {
		if (oidc_client_secret_open(ctx->a, ctx->kek, c->client_id,
		    &c->secret, &secret, err) == -1) {
			oidc_log_error(OIDC_LOG_ERROR, err, "client secret");
			return NULL;
		}
		if (secret.p == NULL) {
			oidc_fail(err, OIDC_E_INVALID_CLIENT, NULL,
			    "no stored secret for HS*");
			return NULL;
		}
		if ((kval = oidc_b64url_encode(ctx->a, secret.p,
		    secret.len)) == NULL ||
		    (k = oidc_json_new_object(ctx->a)) == NULL ||
		    oidc_json_set_cstr(k, "kty", "oct", err) == -1 ||
		    oidc_json_set_cstr(k, "k", kval, err) == -1 ||
		    (doc = oidc_json_serialize(k, ctx->a, &len, err)) == NULL)
			return NULL;
		if ((key = oidc_jwk_parse_json(ctx->a, doc, len, err)) == NULL)
			return NULL;
		if ((ks = oidc_keyset_new(err)) == NULL ||
		    oidc_keyset_add(ks, key, err) == -1) {
			oidc_jwk_free(key);
			oidc_keyset_free(ks);
			return NULL;
		}
	} else if (oidc_json_get_obj(c->metadata, "jwks", &jwks, err) == 1) {
		if ((doc = oidc_json_serialize(jwks, ctx->a, &len, err)) ==
		    NULL || (ks = oidc_keyset_parse(ctx->a, doc, len,
		    OIDC_JWS_ALG_ANY, NULL, err)) == NULL)
			return NULL;
	} else if ((ks = fetch_jwks(ctx, c, err)) == NULL)
		return NULL;
	if (oidc_arena_defer(ctx->a, free_keyset, ks) == -1) {
		oidc_keyset_free(ks);
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return NULL;
	}
	return ks;
}

#define HS_ALGS	(OIDC_JWS_BIT(OIDC_JWS_HS256) | \
	OIDC_JWS_BIT(OIDC_JWS_HS384) | OIDC_JWS_BIT(OIDC_JWS_HS512))

static int
check_assertion(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_str assertion, const char *endpoint, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jwt_rules	 rules;
	struct oidc_jws		 jws;
	struct oidc_json	*claims;
	struct oidc_str		 jti;
	unsigned char		 h[OIDC_SHA256_LEN];
	unsigned		 allowed;
	const char		*bad;
	int64_t			 exp;
	bool			 symmetric;
	int			 rc;

	symmetric = c->auth_method == OIDC_AUTH_SECRET_JWT;
	allowed = symmetric ? HS_ALGS : OIDC_JWS_ALL & ~HS_ALGS;
	if (oidc_fapi2(ctx->cfg, c))
		allowed &= OIDC_FAPI2_ALGS;
	if ((ks = oidc_client_keys(ctx, c, symmetric, &why)) == NULL) {
		/* No KEK here to open the secret: our fault, a 503. */
		if (why.code == OIDC_E_NO_KEY)
			return oidc_fail(err, OIDC_E_NO_KEY, NULL, "%s",
			    why.detail);
		return invalid_client(err, why.detail);
	}
	memset(&rules, 0, sizeof(rules));
	rules.now = (int64_t)ctx->now;
	rules.leeway = LEEWAY;
	rules.require_exp = true;
	if (oidc_jwt_verify(ctx->a, ks, allowed, assertion.p, assertion.len,
	    &rules, &jws, &claims, &why) == -1)
		return invalid_client(err, why.detail);
	if ((bad = oidc_clientauth_assertion_claims(ctx, c->client_id, claims,
	    endpoint, &exp, &jti)) != NULL ||
	    (bad = oidc_fapi2_assertion_aud(ctx->cfg, c, claims)) != NULL)
		return invalid_client(err, bad);
	if (oidc_sha256(jti.p, jti.len, h, err) == -1)
		return -1;
	if ((rc = oidc_db_jti_use(ctx->db, c->client_id, h, exp + LEEWAY,
	    err)) == -1)
		return -1;
	if (rc == 0)
		return invalid_client(err, "assertion jti replayed");
	return 0;
}

/* The client_id an assertion names (iss), read before verification. */
static int
assertion_client_id(struct oidc_ctx *ctx, struct oidc_str assertion,
    struct oidc_str *id, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_json	*claims;
	unsigned char		*payload;
	const char		*dot1, *dot2;
	size_t			 plen;

	dot1 = memchr(assertion.p, '.', assertion.len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', assertion.len -
	    (size_t)(dot1 + 1 - assertion.p)) : NULL;
	if (dot2 == NULL ||
	    oidc_b64url_decode(ctx->a, dot1 + 1, (size_t)(dot2 - dot1 - 1),
	    &payload, &plen, &why) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)payload, plen, 0, &claims,
	    &why) == -1 ||
	    oidc_json_get_str(claims, "iss", id, &why) != 1)
		return invalid_client(err, "malformed client_assertion");
	return 0;
}

/*
 * SECURITY (issue 15 item 3): guessing a client's secret is throttled per
 * (client, source address) and per source address, never per client
 * alone: failures from one source never deny the client from another,
 * and a correct authentication from a source that is not throttled is
 * never refused.  A key past its free failures (client_auth_max_failures
 * per pair, client_auth_max_failures_per_address per source, within
 * login_window) waits 1, 2, 4, ... seconds after its last failure, at most
 * one window (THROTTLE in db/stmt.c): no lock that an attacker can renew
 * for someone else.  While a key waits, everything it covers gets 429
 * with Retry-After, without the credentials being checked (no oracle;
 * the right secret from a waiting source waits too, since from there we
 * cannot tell the client from the attacker) and without being recorded
 * (hammering cannot lengthen the wait).  The source is req->client_addr
 * (trusted_proxies, oidc/netaddr.h).  Failures for unknown clients count
 * for the source only.
 */
static int
throttle_keys(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str id, struct oidc_auth_failures *f, struct oidc_error *err)
{
	f->window_s = ctx->cfg->login_window;
	f->free_key = ctx->cfg->client_auth_max_failures;
	f->free_addr = ctx->cfg->client_auth_max_failures_per_address;
	f->key = oidc_arena_printf(ctx->a, "c:%s %.*s", req->client_addr,
	    (int)id.len, id.p);
	f->addr_key = oidc_arena_printf(ctx->a, "ca:%s", req->client_addr);
	if (f->key == NULL || f->addr_key == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 0;
}

/* -1 with err (429) when the pair or the source must wait. */
static int
check_throttle(struct oidc_response *resp, const struct oidc_auth_failures *f,
    struct oidc_error *err)
{
	int64_t	 wait = f->pair.wait > f->addr.wait ? f->pair.wait :
	    f->addr.wait;

	if (wait <= 0)
		return 0;
	resp->retry_after = wait;
	return oidc_fail(err, OIDC_E_TOO_MANY_ATTEMPTS,
	    "too many failed client authentications; try again later",
	    "client authentication throttled (%s: %lld failures, %s: %lld)",
	    f->key, (long long)f->pair.n, f->addr_key, (long long)f->addr.n);
}

/* Record an invalid_client outcome; rc and err pass through. */
static int
record_failure(struct oidc_ctx *ctx, const struct oidc_auth_failures *f,
    bool known, int rc, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };

	if (rc == 0 || err->code != OIDC_E_INVALID_CLIENT || f->key == NULL)
		return rc;
	if (oidc_db_login_failure_add(ctx->db, known ? f->key : NULL,
	    f->addr_key, NULL, &why) == -1)
		oidc_log_error(OIDC_LOG_ERROR, &why,
		    "recording a client authentication failure");
	return rc;
}

/* Check the credentials of a known client. */
static int
verify_known(struct oidc_ctx *ctx, struct oidc_client *c,
    enum oidc_auth_method used, struct oidc_str secret,
    struct oidc_str assertion, const char *endpoint, struct oidc_error *err)
{
	if (used == OIDC_AUTH__MAX)
		return check_assertion(ctx, c, assertion, endpoint, err);
	if (!secret_ok(c, true, secret))
		return invalid_client(err, "bad client secret");
	if (c->auth_method != used)
		return invalid_client(err, "not the registered method");
	return 0;
}

/* What a request presents to authenticate its client. */
struct presented {
	enum oidc_auth_method	 used;	/* OIDC_AUTH__MAX: an assertion */
	struct oidc_str		 id;
	struct oidc_str		 secret;
	struct oidc_str		 assertion;
};

/* A client_assertion (RFC 7523 2.2): its type, size and client_id. */
static int
assertion_method(struct oidc_ctx *ctx, struct oidc_str atype,
    struct oidc_str form_id, struct presented *p, struct oidc_error *err)
{
	if (!oidc_str_eq_cstr(atype, ASSERTION_TYPE) || p->assertion.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "unsupported client_assertion_type", "assertion type");
	if (p->assertion.len > OIDC_ASSERTION_MAX_LEN)
		return invalid_client(err, "assertion too large");
	if (assertion_client_id(ctx, p->assertion, &p->id, err) == -1)
		return -1;
	if (form_id.p != NULL && !oidc_str_eq(form_id, p->id))
		return invalid_client(err, "client_id mismatch");
	p->used = OIDC_AUTH__MAX;	/* decided by the registration */
	return 0;
}

/*
 * The one authentication method the request uses (a Basic header, a
 * form secret, an assertion, or none), and the client_id it names.
 */
static int
pick_method(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct presented *p, struct oidc_error *err)
{
	struct oidc_str	 basic_id = OIDC_STR_NULL, basic_secret = OIDC_STR_NULL;
	struct oidc_str	 form_id, form_secret, atype;
	int		 nmethods = 0, rc;

	form_id = oidc_params_get(&req->form, "client_id");
	form_secret = oidc_params_get(&req->form, "client_secret");
	atype = oidc_params_get(&req->form, "client_assertion_type");
	p->assertion = oidc_params_get(&req->form, "client_assertion");
	if (req->authorization.p != NULL) {
		rc = oidc_authz_parse_basic(ctx->a, req->authorization.p,
		    req->authorization.len, &basic_id, &basic_secret, err);
		if (rc != 0)
			resp->basic_auth_tried = true;
		if (rc == -1)
			return -1;
		if (rc == 1)
			nmethods++;
	}
	if (form_secret.p != NULL)
		nmethods++;
	if (p->assertion.p != NULL || atype.p != NULL)
		nmethods++;
	if (nmethods > 1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "use exactly one client authentication method",
		    "several client authentication methods");
	if (basic_id.p != NULL) {
		p->used = OIDC_AUTH_SECRET_BASIC;
		p->id = basic_id;
		p->secret = basic_secret;
		if (form_id.p != NULL && !oidc_str_eq(form_id, basic_id))
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "client_id does not match the credentials",
			    "client_id mismatch");
	} else if (form_secret.p != NULL) {
		p->used = OIDC_AUTH_SECRET_POST;
		p->id = form_id;
		p->secret = form_secret;
	} else if (p->assertion.p != NULL || atype.p != NULL)
		return assertion_method(ctx, atype, form_id, p, err);
	else {
		p->used = OIDC_AUTH_NONE;
		p->id = form_id;
		if (p->id.p == NULL)
			return invalid_client(err, "no client authentication");
	}
	return 0;
}

/* The credentials p presents against the client's registration out. */
static int
check_credentials(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct presented *p, bool known, struct oidc_client *out, const char *endpoint,
    struct oidc_error *err)
{
	if (p->used == OIDC_AUTH__MAX) {
		if (!known || (out->auth_method != OIDC_AUTH_SECRET_JWT &&
		    out->auth_method != OIDC_AUTH_PRIVATE_KEY_JWT))
			return invalid_client(err, "assertion not registered");
		return verify_known(ctx, out, p->used, OIDC_STR_NULL,
		    p->assertion, endpoint, err);
	}
	if (p->used == OIDC_AUTH_SECRET_BASIC ||
	    p->used == OIDC_AUTH_SECRET_POST) {
		if (known)
			return verify_known(ctx, out, p->used, p->secret,
			    OIDC_STR_NULL, endpoint, err);
		/* The same digest work as for a known client. */
		(void)secret_ok(out, false, p->secret);
		return invalid_client(err, "bad client secret");
	}
	/* RFC 8705 2: client_id in the body, the certificate from TLS. */
	if (known && (out->auth_method == OIDC_AUTH_TLS_CLIENT ||
	    out->auth_method == OIDC_AUTH_SELF_SIGNED_TLS))
		return oidc_tlsauth_check(ctx, req, out, err);
	if (!known || out->auth_method != OIDC_AUTH_NONE)
		return invalid_client(err, "client is not public");
	return 0;
}

int
oidc_client_authenticate(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *endpoint, struct oidc_client *out,
    struct oidc_error *err)
{
	struct presented	 p;
	struct oidc_auth_failures f;
	bool			 known;
	int			 rc;

	memset(&p, 0, sizeof(p));
	if (pick_method(ctx, req, resp, &p, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	if (throttle_keys(ctx, req, p.id, &f, err) == -1)
		return -1;
	if ((rc = oidc_client_load_throttled(ctx->db, ctx->a, p.id, &f, out,
	    err)) == -1)
		return -1;
	known = rc == 1;
	if (check_throttle(resp, &f, err) == -1)
		return -1;
	rc = check_credentials(ctx, req, &p, known, out, endpoint, err);
	if ((rc = record_failure(ctx, &f, known, rc, err)) == -1)
		return -1;
	return oidc_fapi2_client_auth_check(ctx->cfg, out, err);
}
