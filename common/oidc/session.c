/*
 * session.c: sessions, CSRF tokens and password login (see
 * oidc/session.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/cookie.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/log.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/session.h"

static const char *
cookie_name(struct oidc_ctx *ctx, const char *base)
{
	/* __Host- pins the cookie to our host, https and Path=/. */
	return ctx->cfg->issuer_is_https ?
	    oidc_arena_printf(ctx->a, "__Host-%s", base) : base;
}

static int
set_cookie(struct oidc_ctx *ctx, struct oidc_response *resp,
    const char *base, const char *value, int64_t max_age,
    struct oidc_error *err)
{
	const char	*name = cookie_name(ctx, base);
	char		*hdr;

	hdr = oidc_arena_printf(ctx->a, "%s=%s; Path=/; Max-Age=%lld; "
	    "HttpOnly; SameSite=Lax%s", name != NULL ? name : base, value,
	    (long long)max_age, ctx->cfg->issuer_is_https ? "; Secure" : "");
	if (hdr == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return oidc_resp_header(resp, "Set-Cookie", hdr, err);
}

/* 1 with *v, 0 absent, -1 malformed (duplicates: treated as absent). */
static int
get_cookie(struct oidc_ctx *ctx, const struct oidc_request *req,
    const char *base, struct oidc_str *v)
{
	struct oidc_error	 ignored = { 0 };
	const char		*name = cookie_name(ctx, base);
	int			 rc;

	if (req->cookie.p == NULL || name == NULL)
		return 0;
	rc = oidc_cookie_find(req->cookie.p, req->cookie.len, name, v,
	    &ignored);
	if (rc == 1 && (v->len == 0 || v->len > 128))
		return 0;
	return rc == 1 ? 1 : 0;
}

/* The session cookie's hash: 1, 0 no usable cookie, -1 error. */
static int
cookie_hash(struct oidc_ctx *ctx, const struct oidc_request *req,
    unsigned char *h, struct oidc_error *err)
{
	struct oidc_str	 v;

	if (get_cookie(ctx, req, "oidc_session", &v) != 1)
		return 0;
	return oidc_sha256(v.p, v.len, h, err) == -1 ? -1 : 1;
}

int
oidc_session_current(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_session_row *out, struct oidc_error *err)
{
	unsigned char	 h[OIDC_SHA256_LEN];
	int		 rc;

	if ((rc = cookie_hash(ctx, req, h, err)) != 1)
		return rc;
	return oidc_db_session_get(ctx->db, ctx->a, h, out, err);
}

int
oidc_session_client_consent(struct oidc_ctx *ctx,
    const struct oidc_request *req, struct oidc_str client_id,
    struct oidc_client_row *c, bool *has_session,
    struct oidc_session_row *out, bool *has_consent,
    struct oidc_consent_row *consent, struct oidc_error *err)
{
	unsigned char	 h[OIDC_SHA256_LEN];
	int		 rc;

	*has_session = *has_consent = false;
	if (client_id.p == NULL || client_id.len == 0 ||
	    client_id.len > OIDC_CLIENT_ID_MAX_LEN)
		return 0;
	if ((rc = cookie_hash(ctx, req, h, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_db_client_get(ctx->db, ctx->a, client_id, c, err);
	return oidc_db_client_session_get(ctx->db, ctx->a, client_id, h, c,
	    has_session, out, has_consent, consent, err);
}

int
oidc_session_current_consent(struct oidc_ctx *ctx,
    const struct oidc_request *req, struct oidc_str client_id,
    struct oidc_session_row *out, bool *has_consent,
    struct oidc_consent_row *consent, struct oidc_error *err)
{
	unsigned char	 h[OIDC_SHA256_LEN];
	int		 rc;

	*has_consent = false;
	if ((rc = cookie_hash(ctx, req, h, err)) != 1)
		return rc;
	return oidc_db_session_get_consent(ctx->db, ctx->a, h, client_id, out,
	    has_consent, consent, err);
}

int
oidc_session_start(struct oidc_ctx *ctx, struct oidc_response *resp,
    int64_t user_id, struct oidc_str sub, const char *amr,
    const unsigned char *login_request, struct oidc_session_row *s,
    struct oidc_error *err)
{
	const char	*id, *sid;

	memset(s, 0, sizeof(*s));
	if (login_request != NULL) {
		s->has_login_request = true;
		memcpy(s->login_request, login_request, OIDC_HASH_LEN);
	}
	if ((id = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    s->session_hash, err)) == NULL ||
	    (sid = oidc_random_token(ctx->a, 16, err)) == NULL)
		return -1;
	s->user_id = user_id;
	s->sid = (struct oidc_str){ sid, strlen(sid) };
	s->auth_time = (int64_t)ctx->now;
	s->amr = (struct oidc_str){ amr, strlen(amr) };
	s->sub = sub;
	if (oidc_db_session_insert(ctx->db, s, ctx->cfg->session_ttl,
	    err) == -1)
		return -1;
	return set_cookie(ctx, resp, "oidc_session", id,
	    ctx->cfg->session_ttl, err);
}

int
oidc_session_end(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_str	 v;
	unsigned char	 h[OIDC_SHA256_LEN];

	if (get_cookie(ctx, req, "oidc_session", &v) == 1 &&
	    (oidc_sha256(v.p, v.len, h, err) == -1 ||
	    oidc_db_session_delete(ctx->db, h, err) == -1))
		return -1;
	return set_cookie(ctx, resp, "oidc_session", "", 0, err);
}

const char *
oidc_csrf_token(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_str	 v;
	const char	*t;

	if (get_cookie(ctx, req, "oidc_csrf", &v) == 1)
		return oidc_arena_strndup(ctx->a, v.p, v.len);
	if ((t = oidc_random_token(ctx->a, OIDC_TOKEN_BYTES, err)) == NULL ||
	    set_cookie(ctx, resp, "oidc_csrf", t, ctx->cfg->session_ttl,
	    err) == -1)
		return NULL;
	return t;
}

bool
oidc_csrf_ok(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str form_value)
{
	struct oidc_str	 v;

	if (get_cookie(ctx, req, "oidc_csrf", &v) != 1 || form_value.p == NULL)
		return false;
	return oidc_str_eq_secret(v, form_value);
}

int
oidc_login_check(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str username, struct oidc_str password,
    enum oidc_login_result *result, int64_t *user_id, struct oidc_str *sub,
    struct oidc_error *err)
{
	struct oidc_user_row	 u;
	struct oidc_throttle	 tpair, taddr;
	const char		*kpair, *kaddr, *account;
	int			 found, ok;

	*result = OIDC_LOGIN_BAD_CREDENTIALS;
	if (username.p == NULL || password.p == NULL || username.len > 128 ||
	    password.len > OIDC_PASSWORD_MAX_LEN)
		return 0;
	/*
	 * SECURITY (issue 15 item 3): failures are counted per (account,
	 * source address) and per source address, never per account alone,
	 * so an attacker cannot lock the real user out: the user's own
	 * address is not slowed down by failures from elsewhere.  A key past
	 * its free failures (login_max_failures per pair,
	 * login_max_failures_per_address per source) waits 1, 2, 4, ...
	 * seconds after its last failure, at most login_window (THROTTLE in
	 * db/stmt.c); while it waits, attempts are refused without checking
	 * the password (no oracle) and without being recorded, so hammering
	 * cannot lengthen the wait and it ends on time.  The real user behind
	 * the attacker's own address waits too; `oidcctl user unlock`
	 * clears an account's records.  The source is req->client_addr
	 * (trusted_proxies, oidc/netaddr.h).
	 */
	account = oidc_arena_strndup(ctx->a, username.p, username.len);
	kpair = oidc_arena_printf(ctx->a, "u:%s %.*s", req->client_addr,
	    (int)username.len, username.p);
	kaddr = oidc_arena_printf(ctx->a, "a:%s", req->client_addr);
	if (account == NULL || kpair == NULL || kaddr == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_db_login_throttle(ctx->db, kpair, kaddr,
	    ctx->cfg->login_window, ctx->cfg->login_max_failures,
	    ctx->cfg->login_max_failures_per_address, true, &tpair, &taddr,
	    err) == -1)
		return -1;
	if (tpair.wait > 0 || taddr.wait > 0) {
		*result = OIDC_LOGIN_THROTTLED;
		oidc_log(OIDC_LOG_WARN, "msg=\"login throttled\" user=\"%s\" "
		    "addr=%s failures=%lld addr_failures=%lld",
		    oidc_log_safe(ctx->a, username.p, username.len),
		    req->client_addr, (long long)tpair.n, (long long)taddr.n);
		return 0;
	}
	if ((found = oidc_db_user_get_by_name(ctx->db, ctx->a, username, &u,
	    err)) == -1)
		return -1;
	/* An unknown or disabled user burns one decoy scrypt. */
	ok = oidc_password_verify(password.p, password.len,
	    found == 1 && !u.disabled ? u.password_hash.p : NULL, err);
	if (ok == -1)
		return -1;
	if (ok == 1) {
		*result = OIDC_LOGIN_OK;
		*user_id = u.user_id;
		*sub = u.sub;
		return 0;
	}
	oidc_log(OIDC_LOG_INFO, "msg=\"login failed\" user=\"%s\"",
	    oidc_log_safe(ctx->a, username.p, username.len));
	return oidc_db_login_failure_add(ctx->db, kpair, kaddr, account, err);
}
