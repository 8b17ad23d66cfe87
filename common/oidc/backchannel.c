/*
 * backchannel.c: Back-Channel Logout 1.0 tokens, queue and delivery (see
 * oidc/backchannel.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/backchannel.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/log.h"
#include "oidc/outbound.h"
#include "oidc/subject.h"

/* The claim statement's retry base: never shorter than one request. */
static int64_t
retry_base(const struct oidc_config *cfg)
{
	int64_t	 t = cfg->outbound_connect_timeout + cfg->outbound_timeout;

	return t > OIDC_BACKCHANNEL_RETRY_BASE ? t :
	    OIDC_BACKCHANNEL_RETRY_BASE;
}

int64_t
oidc_backchannel_schedule_span(const struct oidc_config *cfg)
{
	int64_t	 span = 0, k, f;

	/* Mirrors backchannel_claim: base * min(2^k, 12) after attempt k+1. */
	for (k = 0; k + 1 < cfg->backchannel_max_attempts; k++) {
		f = k < 4 ? (int64_t)1 << k : 12;
		span += retry_base(cfg) * f;
	}
	return span;
}

/*
 * The algorithm of the client's ID Tokens when we can sign with it
 * (asymmetric, a key loaded), else RS256 (section 2.4: the OP signs the
 * logout token as it signs ID Tokens; HS* would need the client secret,
 * which a logout token does not have to reveal anything to).
 */
static struct oidc_str
pick_alg(struct oidc_ctx *ctx, struct oidc_str want)
{
	const struct oidc_jwk	*key;
	enum oidc_jws_alg	 alg;

	if (want.p != NULL && oidc_jws_alg_from_name(want.p, want.len,
	    &alg) == 0 && oidc_jws_alg_kty(alg) != OIDC_JWK_OCT &&
	    ctx->keys != NULL &&
	    oidc_keyset_find_alg(ctx->keys, alg, true, &key) == 1)
		return want;
	return OIDC_STR("RS256");
}

/* The logout token for client_id, whose (parsed) metadata is cm. */
static char *
logout_token(struct oidc_ctx *ctx, struct oidc_str client_id,
    const struct oidc_json *cm, struct oidc_str sid, struct oidc_str sub,
    int64_t exp, struct oidc_error *err)
{
	struct oidc_json	*j, *events, *empty;
	struct oidc_str		 csub, alg = OIDC_STR_NULL;
	const char		*jti;

	if ((jti = oidc_random_token(ctx->a, 16, err)) == NULL)
		return NULL;
	/* The sub this client knows: public or pairwise (subject.h). */
	if (oidc_subject_for_metadata(ctx, cm, sub, &csub, err) == -1 ||
	    oidc_json_get_str(cm, "id_token_signed_response_alg", &alg,
	    err) == -1)
		return NULL;
	if ((j = oidc_json_new_object(ctx->a)) == NULL ||
	    (events = oidc_json_new_object(ctx->a)) == NULL ||
	    (empty = oidc_json_new_object(ctx->a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	/* Section 2.4: no nonce, ever, so it cannot pass for an ID Token. */
	if (oidc_json_set_cstr(j, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(j, "aud", client_id.p, client_id.len,
	    err) == -1 ||
	    oidc_json_set_i64(j, "iat", (int64_t)ctx->now, err) == -1 ||
	    oidc_json_set_i64(j, "exp", exp, err) == -1 ||
	    oidc_json_set_cstr(j, "jti", jti, err) == -1 ||
	    oidc_json_set_str(j, "sub", csub.p, csub.len, err) == -1 ||
	    oidc_json_set_str(j, "sid", sid.p, sid.len, err) == -1 ||
	    oidc_json_set_obj(events, OIDC_BACKCHANNEL_EVENT, empty,
	    err) == -1 ||
	    oidc_json_set_obj(j, "events", events, err) == -1)
		return NULL;
	return oidc_grant_sign_for_client(ctx, pick_alg(ctx, alg),
	    OIDC_STR_NULL, NULL, j, "logout+jwt", err);
}

int
oidc_backchannel_session_ended(struct oidc_ctx *ctx, struct oidc_str sid,
    struct oidc_str sub, struct oidc_error *err)
{
	struct oidc_backchannel_target	*t;
	struct oidc_error		 why;
	struct oidc_json		*cm;
	struct oidc_str			 uri;
	const char			*tok;
	size_t				 n, i;
	int64_t				 exp;
	int				 rc;

	if (sid.p == NULL || sub.p == NULL)
		return 0;
	if (oidc_db_backchannel_targets(ctx->db, ctx->a, sid, &t, &n,
	    err) == -1)
		return -1;
	exp = (int64_t)ctx->now + oidc_backchannel_schedule_span(ctx->cfg) +
	    OIDC_BACKCHANNEL_TOKEN_TTL;
	for (i = 0; i < n; i++) {
		memset(&why, 0, sizeof(why));
		/* Only the clients that registered a backchannel_logout_uri. */
		if (oidc_json_parse(ctx->a, t[i].metadata.p, t[i].metadata.len,
		    0, &cm, &why) == -1 || (rc = oidc_json_get_str(cm,
		    "backchannel_logout_uri", &uri, &why)) == -1)
			tok = NULL;
		else if (rc == 0)
			continue;
		else
			tok = logout_token(ctx, t[i].client_id, cm, sid, sub,
			    exp, &why);
		if (tok == NULL) {
			/* Logged, not fatal: the user's logout goes on. */
			oidc_log_error(OIDC_LOG_ERROR, &why,
			    "back-channel logout token");
			continue;
		}
		if (oidc_db_backchannel_enqueue(ctx->db, t[i].client_id,
		    uri, tok, exp, err) == -1)
			return -1;
		oidc_log(OIDC_LOG_INFO, "msg=\"back-channel logout queued\" "
		    "client=\"%s\"", oidc_log_safe(ctx->a, t[i].client_id.p,
		    t[i].client_id.len));
	}
	return 0;
}

/* One POST; true when the client answered 2xx. */
static bool
deliver_one(struct oidc_arena *a, const struct oidc_config *cfg,
    const struct oidc_backchannel_delivery *d, const char **why)
{
	struct oidc_error		 err = { 0 };
	struct oidc_outbound_req	 rq;
	struct oidc_outbound_resp	 resp;
	struct oidc_buf			 body;

	oidc_buf_init(&body, a, OIDC_OUTBOUND_MAX_BODY);
	if (oidc_buf_puts(&body, "logout_token=", &err) == -1 ||
	    oidc_buf_urlencode(&body, d->token.p, d->token.len, &err) == -1) {
		*why = "token too large";
		return false;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = OIDC_OUTBOUND_POST;
	rq.url = d->uri;
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = oidc_buf_str(&body);
	/* Section 2.8: the body of the answer is not used; keep it small. */
	rq.max_response = 4096;
	if (oidc_outbound_request(a, cfg, &rq, &resp, &err) == -1) {
		*why = oidc_arena_strdup(a, err.detail);
		if (*why == NULL)
			*why = "outbound request failed";
		return false;
	}
	if (resp.status >= 200 && resp.status <= 299)
		return true;
	*why = oidc_arena_printf(a, "HTTP status %ld", resp.status);
	if (*why == NULL)
		*why = "HTTP error status";
	return false;
}

int
oidc_backchannel_deliver(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_config *cfg, struct oidc_backchannel_stats *st,
    struct oidc_error *err)
{
	struct oidc_backchannel_delivery	*d;
	const char				*why;
	size_t					 n, i;
	bool					 last;

	for (;;) {
		oidc_arena_reset(a);
		if (oidc_db_backchannel_claim(db, a, OIDC_BACKCHANNEL_BATCH,
		    retry_base(cfg), &d, &n, err) == -1)
			return -1;
		if (n == 0)
			return 0;
		for (i = 0; i < n; i++) {
			why = "token expired";
			if (!d[i].expired && deliver_one(a, cfg, &d[i], &why)) {
				st->delivered++;
				if (oidc_db_backchannel_delete(db,
				    d[i].delivery_id, err) == -1)
					return -1;
				oidc_log(OIDC_LOG_INFO, "msg=\"back-channel "
				    "logout delivered\" client=\"%s\" "
				    "attempt=%lld", oidc_log_safe(a,
				    d[i].client_id.p, d[i].client_id.len),
				    (long long)d[i].attempts);
				continue;
			}
			last = d[i].expired ||
			    d[i].attempts >= cfg->backchannel_max_attempts;
			oidc_log(last ? OIDC_LOG_ERROR : OIDC_LOG_WARN,
			    "msg=\"back-channel logout %s\" client=\"%s\" "
			    "uri=\"%s\" attempt=%lld/%lld cause=\"%s\"",
			    last ? "given up" : "failed, will retry",
			    oidc_log_safe(a, d[i].client_id.p,
			    d[i].client_id.len),
			    oidc_log_safe(a, d[i].uri.p, d[i].uri.len),
			    (long long)d[i].attempts,
			    (long long)cfg->backchannel_max_attempts,
			    oidc_log_safe(a, why, strlen(why)));
			if (!last) {
				/* The claim already set the next attempt. */
				st->retried++;
				continue;
			}
			st->dropped++;
			if (oidc_db_backchannel_delete(db, d[i].delivery_id,
			    err) == -1)
				return -1;
		}
	}
}
