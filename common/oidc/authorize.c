/*
 * authorize.c: the authorization endpoint (see oidc/authorize.h).
 *
 * One request runs: parse -> client and redirect_uri (HTML errors) ->
 * the rest of the request (redirected errors) -> an interaction posted
 * from our own pages (login, consent) -> the session and consent decision
 * -> issuing the code / tokens (the code flow: a sealed code and no write,
 * or one autocommit statement; the other response types: one transaction)
 * -> the response in the requested mode.  Steps 1-3 (validation) are in
 * authorize_check.c, the login and consent pages in authorize_page.c
 * (authorize_int.h).
 */
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/buf.h"
#include "oidc/authorize.h"
#include "oidc/client.h"
#include "oidc/code.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/device.h"
#include "oidc/fapi.h"
#include "oidc/grant.h"
#include "oidc/html.h"
#include "oidc/ui.h"
#include "oidc/jarm.h"
#include "oidc/json.h"
#include "oidc/keystore.h"
#include "oidc/metrics.h"
#include "oidc/remote_user.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/subject.h"

#include "authorize_int.h"

struct kv {
	const char	*k;
	const char	*v;
};

/* ---- delivering a response to the client ---- */

/*
 * After the page (form_post.html, oidc/ui.h) whatever its template: it
 * submits the page's first form.
 */
static const char form_post_script[] =
    "<script>document.forms[0].submit();</script>\n";

/* sha256 of the inline script above, for script-src. */
#define FORM_POST_CSP \
	"default-src 'none'; style-src 'unsafe-inline'; " \
	"script-src 'sha256-8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ='; " \
	"form-action *; frame-ancestors 'none'; base-uri 'none'"

/*
 * JARM: the parameters kv[0..n) as one signed JWT, *out = { "response",
 * the JWT } (oidc/jarm.h).
 */
static int
jarm_wrap(struct oidc_ctx *ctx, const struct authz *ar, const struct kv *kv,
    size_t n, struct kv *out, struct oidc_error *err)
{
	struct oidc_json	*j;
	size_t			 i;

	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < n; i++)
		if (kv[i].v != NULL && oidc_json_set_cstr(j, kv[i].k, kv[i].v,
		    err) == -1)
			return -1;
	out->k = "response";
	if ((out->v = oidc_jarm_sign(ctx, &ar->client, j, err)) == NULL)
		return -1;
	return 0;
}

/*
 * The response in the requested mode (with JARM, the one parameter
 * "response"); with `leaving`, shown as the
 * "you are leaving" page of oidc_html_leaving instead (same URL, same
 * fields) for the user to follow.
 */
static int
deliver_to(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct authz *ar, const struct kv *kv, size_t n, bool leaving,
    struct oidc_error *err)
{
	struct oidc_buf	 b, fields;
	struct kv	 jarm;
	size_t		 i;
	char		 sep;

	if (ar->jwt) {
		if (jarm_wrap(ctx, ar, kv, n, &jarm, err) == -1)
			return -1;
		kv = &jarm;
		n = 1;
	}
	if (ar->mode == MODE_FORM_POST) {
		oidc_buf_init(&fields, ctx->a, 64 * 1024);
		oidc_authz_page_lang(resp, ar);
		for (i = 0; i < n; i++)
			if (kv[i].v != NULL &&
			    oidc_html_hidden(&fields, kv[i].k, kv[i].v, err) == -1)
				return -1;
		if (leaving)
			return oidc_html_leaving(resp, ar->redirect_uri,
			    oidc_buf_str(&fields), err);
		const struct oidc_html_var vars[] = {
			{ "action", ar->redirect_uri },
			{ "fields", oidc_buf_str(&fields) },
		};
		return oidc_ui_respond_tail(resp, 200, FORM_POST_CSP,
		    OIDC_UI_FORM_POST, vars, OIDC_NELEM(vars), form_post_script,
		    err);
	}
	oidc_buf_init(&b, ctx->a, 64 * 1024);
	if (oidc_buf_append(&b, ar->redirect_uri.p, ar->redirect_uri.len,
	    err) == -1)
		return -1;
	if (ar->mode == MODE_FRAGMENT)
		sep = '#';
	else
		sep = memchr(ar->redirect_uri.p, '?', ar->redirect_uri.len) !=
		    NULL ? '&' : '?';
	for (i = 0; i < n; i++) {
		if (kv[i].v == NULL)
			continue;
		if (oidc_buf_putc(&b, sep, err) == -1 ||
		    oidc_buf_urlencode(&b, kv[i].k, strlen(kv[i].k), err) ||
		    oidc_buf_putc(&b, '=', err) ||
		    oidc_buf_urlencode(&b, kv[i].v, strlen(kv[i].v), err))
			return -1;
		sep = '&';
	}
	if (leaving)
		return oidc_html_leaving(resp, oidc_buf_str(&b), OIDC_STR_NULL,
		    err);
	return oidc_resp_redirect(resp, oidc_buf_str(&b), err);
}

static int
deliver(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct authz *ar, const struct kv *kv, size_t n,
    struct oidc_error *err)
{
	return deliver_to(ctx, resp, ar, kv, n, false, err);
}

static const char *
cstr(struct oidc_ctx *ctx, struct oidc_str s)
{
	return s.p == NULL ? NULL : oidc_arena_strndup(ctx->a, s.p, s.len);
}

/* An error sent back to the (validated) redirect_uri.  Returns 0. */
int
oidc_authz_redirect_error(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct authz *ar, enum oidc_errcode code, const char *desc,
    struct oidc_error *err)
{
	struct kv	 kv[4];

	kv[0] = (struct kv){ "error", oidc_error_name(code) };
	kv[1] = (struct kv){ "error_description", desc };
	kv[2] = (struct kv){ "state", cstr(ctx, ar->state) };
	kv[3] = (struct kv){ "iss", ctx->cfg->issuer };
	/*
	 * SECURITY: open redirect (issue 15 item 8, RFC 9700 4.11.2).  Who
	 * may register a client chooses its redirect_uris, so an error
	 * redirect to a client no operator approved would let anyone bounce
	 * a user through our origin to any site.  Such a client's errors are
	 * a page naming the destination; its successful responses are not
	 * (the user signed in and consented to that client).
	 */
	return deliver_to(ctx, resp, ar, kv, 4, !ar->client.approved, err);
}

/* ---- issuing ---- */

/*
 * What one authorization response writes, with its values made once per
 * request before the write: a write run again after a lost connection
 * (oidc_db_redo) uses the same values, and recognises them when its first
 * run had committed (issue 19 item 2).
 */
struct issuing {
	struct oidc_code_row	 code;
	const char		*code_val;	/* NULL: no code */
	bool			 stored;	/* code_val is in auth_code */
	const char		*at;		/* NULL: no access token */
	unsigned char		 at_hash[OIDC_HASH_LEN];
	/* Its scope and lifetime for its resources (oidc/resource.h). */
	struct oidc_str		 at_scope;
	int64_t			 at_ttl;
	const unsigned char	*nh;		/* the nonce's hash, or NULL */
	bool			 single;	/* the code flow: no BEGIN */
};

/*
 * The code of a response type with one into is->code and is->code_val:
 * sealed (the code flow with a code key: nothing is written), or a
 * random value to store; the access token's value.  0 or -1.
 */
static int
issuing_values(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, struct issuing *is,
    struct oidc_error *err)
{
	struct oidc_code_row	*code = &is->code;
	const unsigned char	*key;
	char			*sealed = NULL;
	int			 rc = 0;

	if (oidc_rt_has_token(ar->rt) && ((is->at = oidc_random_token_hashed(
	    ctx->a, OIDC_TOKEN_BYTES, is->at_hash, err)) == NULL ||
	    oidc_resources_scope(ctx->a, &ar->res, (struct oidc_str){
	    ar->scope_str, strlen(ar->scope_str) }, &is->at_scope, err) == -1))
		return -1;
	is->at_ttl = oidc_resources_ttl(&ar->res, ctx->cfg->access_token_ttl);
	if (!oidc_rt_has_code(ar->rt))
		return 0;
	code->client_id = ar->client.client_id;
	code->user_id = s->user_id;
	code->redirect_uri = ar->redirect_uri;
	code->scope = (struct oidc_str){ ar->scope_str, strlen(ar->scope_str) };
	code->nonce = ar->nonce;
	code->code_challenge = ar->challenge;
	code->auth_time = s->auth_time;
	code->amr = s->amr;
	code->sid = s->sid;
	code->claims = ar->claims;
	code->resource = oidc_resources_join(ctx->a, &ar->res);
	code->dpop_jkt = ar->dpop_jkt;
	code->ttl = oidc_fapi2_code_ttl(ctx->cfg, &ar->client);
	code->offline = oidc_grant_offline(&ar->scope);
	/*
	 * Issue 16: with a code key the code flow's code carries its own
	 * data and nothing is written here; /token records the code, its
	 * nonce and the session's client with the tokens (oidc/code.h).  A
	 * code too long to seal is stored.
	 */
	if (is->single && (key = oidc_keystore_code_key(ctx->keystore)) !=
	    NULL && (rc = oidc_code_seal(ctx->a, key, code,
	    (int64_t)ctx->now + code->ttl, &sealed, err)) == 1) {
		is->code_val = sealed;
		return 0;
	}
	if (rc == -1)
		return -1;
	is->stored = true;
	if ((is->code_val = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    code->code_hash, err)) == NULL)
		return -1;
	return 0;
}

/*
 * The code (stored), or the nonce alone for a response type without
 * one: 1, 0 when the nonce was used before, -1.
 */
static int
issue_code(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const struct issuing *is,
    struct oidc_error *err)
{
	const int64_t		 nonce_ttl = ctx->cfg->code_ttl +
				    ctx->cfg->id_token_ttl;

	if (!oidc_rt_has_code(ar->rt)) {
		/* Who to tell when this session ends (oidc/backchannel.h). */
		if (s->sid.p != NULL && oidc_db_session_client_add(ctx->db,
		    s->sid, ar->client.client_id, err) == -1)
			return -1;
		return is->nh == NULL ? 1 : oidc_db_nonce_use(ctx->db,
		    ar->client.client_id, is->nh, nonce_ttl, err);
	}
	if (!is->stored)
		return 1;
	/* One statement: session client, nonce, code. */
	return oidc_db_code_issue(ctx->db, &is->code, is->nh, nonce_ttl, err);
}

/* The access token of an implicit or hybrid response (is->at). */
static int
issue_access_token(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const struct issuing *is,
    struct oidc_error *err)
{
	struct oidc_token_row	 tok;

	memset(&tok, 0, sizeof(tok));
	tok.kind = "access";
	tok.client_id = ar->client.client_id;
	tok.user_id = s->user_id;
	tok.scope = is->at_scope;
	tok.resource = oidc_resources_join(ctx->a, &ar->res);
	/* Hybrid: a replayed code also revokes this token. */
	tok.has_code = is->code_val != NULL;
	memcpy(tok.code_hash, is->code.code_hash, OIDC_HASH_LEN);
	memcpy(tok.token_hash, is->at_hash, OIDC_HASH_LEN);
	tok.auth_time = s->auth_time;
	tok.amr = s->amr;
	tok.sid = s->sid;
	tok.claims = ar->claims;
	tok.ttl = is->at_ttl;
	return oidc_db_token_insert(ctx->db, &tok, err);
}

/*
 * One run of the response's writes (one statement for the code flow,
 * else a transaction): 1 written, 0 the nonce was used before, -1.
 * `redo`: a run again after a lost connection; what this request's
 * first run committed (its code or access token is there) is not
 * written again, and its nonce is not "used before".
 */
static int
issue_write(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const struct issuing *is, bool redo,
    struct oidc_error *err)
{
	const unsigned char	*ch = is->stored ? is->code.code_hash : NULL;
	const unsigned char	*th = is->at != NULL ? is->at_hash : NULL;
	int			 rc;

	if (redo && (rc = oidc_db_authz_issued(ctx->db, ch, th, err)) != 0)
		return rc;
	if (!is->single && oidc_db_begin(ctx->db, err) == -1)
		return -1;
	if ((rc = issue_code(ctx, ar, s, is, err)) == 0 && redo) {
		/* Committed by the first run after our check above? */
		oidc_db_rollback(ctx->db);
		return oidc_db_authz_issued(ctx->db, ch, th, err);
	}
	if (rc != 1) {
		oidc_db_rollback(ctx->db);
		return rc;
	}
	if (is->at != NULL && issue_access_token(ctx, ar, s, is, err) == -1)
		return -1;
	if (!is->single && oidc_db_commit(ctx->db, err) == -1)
		return -1;
	return 1;
}

/*
 * The ID Token of a response type with one, in *idtok, with c_hash and
 * at_hash for code_val and at when present.
 */
static int
issue_id_token(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const char *code_val, const char *at,
    const char **idtok, struct oidc_error *err)
{
	struct oidc_idtoken	 idt;
	struct oidc_user_row	 user;
	int			 rc;

	if ((rc = oidc_db_user_get_by_sub(ctx->db, ctx->a, s->sub, &user,
	    err)) != 1)
		return rc == 0 ? oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "session user vanished") : -1;
	memset(&idt, 0, sizeof(idt));
	idt.client = &ar->client;
	if (oidc_subject_for_client(ctx, &ar->client, s->sub, &idt.sub,
	    err) == -1)
		return -1;
	idt.nonce = ar->nonce;
	idt.amr = s->amr;
	idt.sid = s->sid;
	idt.auth_time = s->auth_time;
	idt.access_token = at;
	idt.code = code_val;
	/* With no access token at all, scope claims ride here (5.4). */
	if ((idt.claims = oidc_grant_id_token_claims(ctx, user.claims,
	    user.updated_at, (struct oidc_str){ ar->scope_str,
	    strlen(ar->scope_str) }, ar->claims, ar->rt == OIDC_RT_ID_TOKEN,
	    err)) == NULL ||
	    (*idtok = oidc_grant_id_token(ctx, &idt, err)) == NULL)
		return -1;
	return 0;
}

/*
 * The writes of issue_write, run again after a lost connection when this
 * request can recognise its own earlier commit (a stored code or an
 * access token): 1, 0, -1 as issue_write.
 */
static int
issue_writes(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const struct issuing *is,
    struct oidc_error *err)
{
	int64_t		 delay = 0;
	bool		 redo;
	int		 rc;

	for (redo = false;; redo = true) {
		if ((rc = issue_write(ctx, ar, s, is, redo, err)) != -1)
			return rc;
		if ((!is->stored && is->at == NULL) ||
		    !oidc_db_redo(ctx->db, &delay, err))
			return -1;
	}
}

/*
 * An implicit or hybrid access token as handed out (is->at: the opaque
 * value or its JWT, oidc/access_token.h); its expires_in, or NULL.
 */
static const char *
implicit_access(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, struct issuing *is,
    struct oidc_error *err)
{
	struct oidc_at_claims	 in;
	const char		*exp;

	memset(&in, 0, sizeof(in));
	in.client = &ar->client;
	in.sub = s->sub;
	in.scope = is->at_scope;
	in.auth_time = s->auth_time;
	in.hash = is->at_hash;
	in.res = &ar->res;
	in.ttl = is->at_ttl;
	if (oidc_at_finish(ctx, &in, &is->at, err) == -1)
		return NULL;
	if ((exp = oidc_arena_printf(ctx->a, "%lld",
	    (long long)is->at_ttl)) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return exp;
}

/* What the response type asks for, delivered in the requested mode. */
static int
issue(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct authz *ar,
    const struct oidc_session_row *s, struct oidc_error *err)
{
	struct issuing		 is;
	struct kv		 kv[8];
	unsigned char		 nh[OIDC_SHA256_LEN];
	const char		*idtok = NULL, *expires = NULL;
	size_t			 n = 0;
	int			 rc;

	memset(&is, 0, sizeof(is));
	/*
	 * The code flow writes with one statement and needs no transaction;
	 * the other response types write several rows in one.
	 */
	is.single = ar->rt == OIDC_RT_CODE;
	/* The seed's exists_nonce: a client may use a nonce only once. */
	if (ar->nonce.p != NULL) {
		if (oidc_sha256(ar->nonce.p, ar->nonce.len, nh, err) == -1)
			return -1;
		is.nh = nh;
	}
	if (issuing_values(ctx, ar, s, &is, err) == -1 ||
	    (rc = issue_writes(ctx, ar, s, &is, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_authz_redirect_error(ctx, resp, ar,
		    OIDC_E_INVALID_REQUEST, "nonce was already used", err);
	if (is.at != NULL && (expires = implicit_access(ctx, ar, s, &is,
	    err)) == NULL)
		return -1;
	/* Signed after the commit: it writes nothing (user read only). */
	if (oidc_rt_has_id_token(ar->rt) && issue_id_token(ctx, ar, s,
	    is.code_val, is.at, &idtok, err) == -1)
		return -1;
	if (is.at != NULL) {
		struct oidc_audit_kv	 akv[4];

		oidc_metrics_inc(OIDC_METRIC_TOKEN_IMPLICIT);
		akv[0] = (struct oidc_audit_kv){ "grant",
		    OIDC_STR("implicit") };
		akv[1] = (struct oidc_audit_kv){ "client_id",
		    ar->client.client_id };
		akv[2] = (struct oidc_audit_kv){ "ip",
		    oidc_audit_cstr(req->client_addr) };
		akv[3] = (struct oidc_audit_kv){ "sub", s->sub };
		oidc_audit("token.issued", akv, 4);
	}
	kv[n++] = (struct kv){ "code", is.code_val };
	kv[n++] = (struct kv){ "access_token", is.at };
	kv[n++] = (struct kv){ "token_type", is.at != NULL ? "Bearer" : NULL };
	kv[n++] = (struct kv){ "expires_in", expires };
	kv[n++] = (struct kv){ "id_token", idtok };
	kv[n++] = (struct kv){ "scope", is.at != NULL ? is.at_scope.p : NULL };
	kv[n++] = (struct kv){ "state", cstr(ctx, ar->state) };
	kv[n++] = (struct kv){ "iss", ctx->cfg->issuer };
	return deliver(ctx, resp, ar, kv, n, err);
}

/* ---- the decision: login, consent, issue ---- */

/*
 * Does the stored consent cover the request (oidc_authz_consent_covers)?
 * `loaded`: the session lookup brought it along (has, stored); otherwise
 * (a login just now) it is read here.
 */
static bool
consent_covers(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, bool loaded, bool has,
    struct oidc_consent_row stored, struct oidc_error *err, int *rc)
{
	*rc = loaded ? has : oidc_db_consent_get(ctx->db, ctx->a, s->user_id,
	    ar->client.client_id, &stored, err);
	if (*rc != 1)
		return false;
	return oidc_authz_consent_covers(ctx, ar, stored);
}

/*
 * Add what the consent page listed (scope, single claims) to the stored,
 * if the request still asks for exactly that (consent_summary).  The
 * summary is read from the posted form itself: members of a request
 * object win over form fields in ar->p.
 */
static int
remember_consent(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct authz *ar, const struct oidc_session_row *s,
    struct oidc_error *err)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_consent_row	 stored, put;
	struct oidc_scope	 merged, claims, wanted;
	const char		*joined, *cjoined, *summary;
	int			 rc;

	if ((summary = oidc_authz_consent_summary(ctx, ar, err)) == NULL)
		return -1;
	if (!oidc_str_eq_cstr(oidc_params_get(&req->form, "consent_items"),
	    summary))
		return oidc_authz_bad_page(err, "The request changed after the consent "
		    "page was shown. Please start again.");
	if ((rc = oidc_db_consent_get(ctx->db, ctx->a, s->user_id,
	    ar->client.client_id, &stored, err)) == -1)
		return -1;
	if (rc == 0 || oidc_scope_parse(stored.scope, &merged, &ignored) == -1)
		merged.n = 0;
	if (rc == 0 || oidc_scope_parse(stored.claims, &claims,
	    &ignored) == -1)
		claims.n = 0;
	if (oidc_claims_wanted(ctx->cfg, ctx->a, ar->claims, &ar->scope,
	    &wanted, err) == -1)
		return -1;
	oidc_scope_union(&merged, &ar->scope);
	oidc_scope_union(&claims, &wanted);
	if ((joined = oidc_scope_join(ctx->a, &merged)) == NULL ||
	    (cjoined = oidc_scope_join(ctx->a, &claims)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	put.scope = (struct oidc_str){ joined, strlen(joined) };
	put.claims = (struct oidc_str){ cjoined, strlen(cjoined) };
	return oidc_db_consent_put(ctx->db, s->user_id, ar->client.client_id,
	    &put, err);
}

/*
 * The audit line and counter of a login attempt (oidc/audit.h): the user
 * name as typed for a failure, the subject for a success; never the
 * password.
 */
static void
audit_login(const struct oidc_request *req,
    const struct authz *ar, enum oidc_login_result lr, struct oidc_str sub)
{
	struct oidc_audit_kv	 kv[4];

	kv[0] = (struct oidc_audit_kv){ "client_id", ar->client.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	if (lr == OIDC_LOGIN_OK) {
		oidc_metrics_inc(OIDC_METRIC_LOGIN_OK);
		kv[2] = (struct oidc_audit_kv){ "sub", sub };
		oidc_audit("login.ok", kv, 3);
		return;
	}
	oidc_metrics_inc(lr == OIDC_LOGIN_THROTTLED ?
	    OIDC_METRIC_LOGIN_THROTTLED : OIDC_METRIC_LOGIN_FAILED);
	kv[2] = (struct oidc_audit_kv){ "user",
	    oidc_params_get(&req->form, "username") };
	kv[3] = (struct oidc_audit_kv){ "reason",
	    oidc_audit_cstr(lr == OIDC_LOGIN_THROTTLED ? "throttled" :
	    "bad_credentials") };
	oidc_audit("login.failed", kv, 4);
}

static void
audit_consent(const struct oidc_request *req, const struct authz *ar,
    const struct oidc_session_row *s, const char *event)
{
	struct oidc_audit_kv	 kv[4];

	kv[0] = (struct oidc_audit_kv){ "client_id", ar->client.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "sub", s->sub };
	kv[3] = (struct oidc_audit_kv){ "scope",
	    oidc_audit_cstr(ar->scope_str) };
	oidc_audit(event, kv, 4);
}

/*
 * A good password, in its transaction: the second step's page when it
 * applies (authorize_totp.c), else the session.  1 go on, 0, -1.
 */
static int
password_ok(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, int64_t user_id,
    struct oidc_str sub, const unsigned char *digest,
    struct oidc_session_row *s, bool *has_session, bool *fresh_login,
    struct oidc_error *err)
{
	struct oidc_str	 username = oidc_params_get(&req->form, "username");
	int		 rc;

	if (oidc_login_mode_of(ctx->cfg, &ar->client) ==
	    OIDC_LOGIN_PASSWORD &&
	    (rc = oidc_authz_totp_after_password(ctx, req, resp, ar, user_id,
	    username, digest, err)) != 1) {
		if (rc == 0 && oidc_db_commit(ctx->db, err) == -1)
			return -1;
		return rc;
	}
	if (oidc_session_start(ctx, resp, user_id, sub, "pwd", digest, s,
	    err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	s->username = username;
	*has_session = true;
	*fresh_login = true;
	return 1;
}

/*
 * A form posted by our own login or consent page (action set): the login
 * (*has_session, *s, *fresh_login) or the consent (*consented,
 * *fresh_login).  1 to go on, 0 when a response was built, -1.
 */
static int
posted_form(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct authz *ar, struct oidc_str action,
    struct oidc_session_row *s, bool *has_session, bool *fresh_login,
    bool *consented, struct oidc_error *err)
{
	/*
	 * SECURITY: the pages' own fields come from the posted form only,
	 * never from a request object (issue 15 item 1).
	 */
	const struct oidc_params *form = &req->form;
	struct oidc_str		 sub = OIDC_STR_NULL;
	enum oidc_login_result	 lr;
	unsigned char		 digest[OIDC_HASH_LEN];
	int64_t			 user_id;

	/* SECURITY: our own forms only (double-submit CSRF token). */
	if (!oidc_csrf_ok(ctx, req, oidc_params_get(form, "csrf")))
		return oidc_authz_bad_page(err, "The form has expired or did "
		    "not come from this site. Please start again.");
	if (oidc_authz_request_digest(ctx, ar, digest, err) == -1)
		return -1;
	if (oidc_str_eq_cstr(action, "login")) {
		if (oidc_login_mode_of(ctx->cfg, &ar->client) == OIDC_LOGIN_REMOTE_USER)
			return oidc_authz_bad_page(err, "This site does not "
			    "sign in with a password.");
		if (oidc_db_begin(ctx->db, err) == -1 ||
		    oidc_login_check(ctx, req, oidc_params_get(form,
		    "username"), oidc_params_get(form, "password"), &lr,
		    &user_id, &sub, err) == -1)
			return -1;
		audit_login(req, ar, lr, sub);
		if (lr != OIDC_LOGIN_OK) {
			/* Keep the failure count, nothing else. */
			if (oidc_db_commit(ctx->db, err) == -1)
				return -1;
			return oidc_authz_login_page(ctx, req, resp, ar,
			    lr == OIDC_LOGIN_THROTTLED ? "login_throttled" :
			    "login_failed",
			    lr == OIDC_LOGIN_THROTTLED ? 429 : 200, err);
		}
		return password_ok(ctx, req, resp, ar, user_id, sub, digest, s,
		    has_session, fresh_login, err);
	}
	/* The second step of the login (authorize_totp.c). */
	if (oidc_str_eq_cstr(action, "totp"))
		return oidc_authz_totp_posted(ctx, req, resp, ar, digest, s,
		    has_session, fresh_login, err);
	if (!oidc_str_eq_cstr(action, "consent") &&
	    !oidc_str_eq_cstr(action, "continue"))
		return oidc_authz_bad_page(err, "Unknown form action.");
	if (!*has_session)
		return oidc_authz_login_page(ctx, req, resp, ar, NULL, 200, err);
	/* After the recovery codes of an enrolment: go on (fresh, below). */
	if (oidc_str_eq_cstr(action, "continue")) {
		*fresh_login = s->has_login_request &&
		    memcmp(s->login_request, digest, sizeof(digest)) == 0;
		return 1;
	}
	if (!oidc_str_eq_cstr(oidc_params_get(form, "decision"), "allow")) {
		audit_consent(req, ar, s, "consent.denied");
		return oidc_authz_redirect_error(ctx, resp, ar,
		    OIDC_E_ACCESS_DENIED, "the user denied the request", err);
	}
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    remember_consent(ctx, req, ar, s, err) == -1 ||
	    oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_consent(req, ar, s, "consent.granted");
	*consented = true;
	/*
	 * SECURITY: the login counts as fresh only if this very request's
	 * login page made the session (item 7).
	 */
	*fresh_login = s->has_login_request &&
	    memcmp(s->login_request, digest, sizeof(digest)) == 0;
	return 1;
}

/*
 * Must the user sign in (again)?  oidc_authz_must_login, then the acr
 * asked for (authorize_totp.c).  0 no, 1 yes, 2 an error response was
 * built (login_required for another user than id_token_hint's without a
 * page; unmet_authentication_requirements), -1.
 */
static int
need_login(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct authz *ar, const struct oidc_session_row *s, bool has_session,
    bool fresh_login, bool remote, struct oidc_error *err)
{
	bool	 hint_mismatch;
	int	 rc;

	if ((rc = oidc_authz_must_login(ctx, ar, s, has_session, fresh_login,
	    &hint_mismatch, err)) == -1)
		return -1;
	if (hint_mismatch && (ar->p_none || remote))
		return oidc_authz_redirect_error(ctx, resp, ar,
		    OIDC_E_LOGIN_REQUIRED, "the signed-in user is not the one "
		    "in id_token_hint", err) == -1 ? -1 : 2;
	if (rc == 1)
		return 1;
	if ((rc = oidc_authz_acr_check(ctx, ar, s, remote, err)) == 2)
		return oidc_authz_redirect_error(ctx, resp, ar,
		    OIDC_E_UNMET_AUTHN_REQUIREMENTS, "the requested "
		    "authentication context cannot be met", err) == -1 ? -1 : 2;
	return rc;
}

/*
 * The session and consent decision, then issue().  0 with a response
 * (the login or consent page, a redirected error, the authorization
 * response), or -1.
 */
static int
decide(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct authz *ar, struct oidc_error *err)
{
	struct oidc_session_row	 s;
	struct oidc_str		 action = OIDC_STR_NULL;
	struct oidc_consent_row	 stored = { OIDC_STR_NULL, OIDC_STR_NULL };
	bool			 fresh_login = false, consented = false;
	bool			 has_session, has_consent, remote;
	int			 rc;

	if (ar->page_post)
		action = oidc_params_get(&req->form, "action");
	if (ar->session_read) {
		s = ar->session;
		has_consent = ar->has_consent;
		stored = ar->consent;
		has_session = ar->has_session;
	} else if ((rc = oidc_session_current_consent(ctx, req,
	    ar->client.client_id, &s, &has_consent, &stored, err)) == -1)
		return -1;
	else
		has_session = rc == 1;

	/* The web server's user signs in first (authorize_remote.c). */
	remote = oidc_login_mode_of(ctx->cfg, &ar->client) == OIDC_LOGIN_REMOTE_USER;
	if (remote && (rc = oidc_authz_remote_user(ctx, req, resp, ar, &s,
	    &has_session, &fresh_login, err)) != 1)
		return rc;
	if (action.p != NULL && (rc = posted_form(ctx, req, resp, ar, action,
	    &s, &has_session, &fresh_login, &consented, err)) != 1)
		return rc;

	if ((rc = need_login(ctx, resp, ar, &s, has_session, fresh_login,
	    remote, err)) == -1 || rc == 2)
		return rc == 2 ? 0 : -1;
	if (rc == 1) {
		if (ar->p_none || remote)
			return oidc_authz_redirect_error(ctx, resp, ar,
			    OIDC_E_LOGIN_REQUIRED, "the user is not signed in",
			    err);
		return oidc_authz_login_page(ctx, req, resp, ar, NULL, 200,
		    err);
	}

	/* Consent: first-party clients and remembered grants go through. */
	if (!ar->client.first_party && !consented) {
		bool covered = consent_covers(ctx, ar, &s, !fresh_login,
		    has_consent, stored, err, &rc);
		if (rc == -1)
			return -1;
		if (!covered || ar->p_consent) {
			if (ar->p_none)
				return oidc_authz_redirect_error(ctx, resp, ar,
				    OIDC_E_CONSENT_REQUIRED,
				    "the user has not consented", err);
			return oidc_authz_consent_page(ctx, req, resp, ar,
			    s.username, err);
		}
	}
	/*
	 * OIDC Core 11: a refresh token for offline_access needs consent
	 * given now (prompt=consent, or the page listing it approved in
	 * this request), not a remembered one, unless first-party.
	 */
	if (!ar->client.first_party && !consented &&
	    oidc_scope_has(&ar->scope, "offline_access")) {
		oidc_authz_drop_offline_access(ar);
		if ((ar->scope_str = oidc_scope_join(ctx->a, &ar->scope)) ==
		    NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	}
	return issue(ctx, req, resp, ar, &s, err);
}

/*
 * A request object or request_uri failure with a registered redirect_uri
 * in the query: the error goes there (RFC 9101 6.3, OIDC Core 3.1.2.6),
 * with the query's state and response mode.
 */
static int
object_error(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct authz *ar, struct oidc_error *err)
{
	enum oidc_errcode	 code = err->code;
	const char		*desc = err->public_desc;

	(void)oidc_authz_parse_mode(ctx, ar);
	oidc_error_clear(err);
	return oidc_authz_redirect_error(ctx, resp, ar, code, desc, err);
}

int
oidc_authorize_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct authz	 ar;
	int		 rc;

	/* RFC 8628 3.3: the device grant's verification page (device.h). */
	if (oidc_str_eq_cstr(req->path, "/device"))
		return oidc_device_page(ctx, req, resp, err);
	memset(&ar, 0, sizeof(ar));
	ar.p = req->method == OIDC_METHOD_POST ? &req->form : &req->query;
	ar.page_post = req->method == OIDC_METHOD_POST &&
	    oidc_params_get(&req->form, "action").p != NULL;
	if (oidc_authz_check_client(ctx, req, &ar, err) == -1)
		return ar.error_to_client && !oidc_error_is_internal(err->code) ?
		    object_error(ctx, resp, &ar, err) : -1;
	if ((rc = oidc_authz_check_request(ctx, resp, &ar, err)) != 0)
		return rc == 1 ? 0 : -1;
	return decide(ctx, req, resp, &ar, err);
}
