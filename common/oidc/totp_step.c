/*
 * totp_step.c: the answer to the second step of a password login, for
 * every page that asks for it (oidc/totp_step.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/request.h"
#include "oidc/totp.h"
#include "oidc/totp_step.h"

int
oidc_totp_pending_new(struct oidc_ctx *ctx, int64_t user_id,
    const unsigned char *bind, const unsigned char *sealed, size_t sealed_len,
    const char **ticket, struct oidc_error *err)
{
	unsigned char	 th[OIDC_HASH_LEN];

	if ((*ticket = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES, th,
	    err)) == NULL)
		return -1;
	return oidc_db_pending_insert(ctx->db, th, user_id, bind, sealed,
	    sealed_len, OIDC_TOTP_PENDING_TTL, err);
}

void
oidc_totp_audit(const struct oidc_request *req, struct oidc_str client_id,
    const struct oidc_totp_try *tt, const char *event)
{
	struct oidc_audit_kv	 kv[3];

	kv[0] = (struct oidc_audit_kv){ "client_id", client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "sub", tt->p.sub };
	oidc_audit(event, kv, 3);
}

/* A code against a sealed secret, steps after last: 1 (*step), 0, -1. */
static int
code_ok(struct oidc_ctx *ctx, int64_t user_id, const unsigned char *sealed,
    size_t sealed_len, int64_t last, const char *code, int64_t *step,
    struct oidc_error *err)
{
	unsigned char	*secret;
	size_t		 len;
	int		 rc;

	if (oidc_totp_secret_open(ctx->a, ctx->kek, user_id, sealed,
	    sealed_len, &secret, &len, err) == -1)
		return -1;
	rc = oidc_totp_verify(secret, len, (int64_t)ctx->now, last, code, step,
	    err);
	oidc_wipe(secret, len);
	return rc;
}

/*
 * What the user entered, for an enrolment (a code of the new secret) or
 * a login (a code later than the last one used, recorded now; or a
 * recovery code, spent now): 1 good (*step for a code), 0 wrong, -1.
 */
static int
check_entry(struct oidc_ctx *ctx, const struct oidc_totp_try *tt,
    const struct oidc_totp_input *in, int64_t *step, struct oidc_error *err)
{
	struct oidc_totp_row	 t;
	unsigned char		 h[OIDC_HASH_LEN];
	int			 rc;

	if (tt->p.secret_sealed != NULL)
		return in->kind != OIDC_TOTP_CODE ? 0 : code_ok(ctx,
		    tt->p.user_id, tt->p.secret_sealed, tt->p.secret_sealed_len,
		    0, in->v, step, err);
	if ((rc = oidc_db_totp_get(ctx->db, ctx->a, tt->p.user_id, &t,
	    err)) != 1)
		return rc;	/* removed meanwhile: no code is good */
	if (in->kind == OIDC_TOTP_RECOVERY)
		return oidc_totp_recovery_hash(tt->p.user_id, in->v, h,
		    err) == -1 ? -1 : oidc_db_recovery_use(ctx->db,
		    tt->p.user_id, h, err);
	if ((rc = code_ok(ctx, tt->p.user_id, t.secret_sealed,
	    t.secret_sealed_len, t.last_step, in->v, step, err)) != 1)
		return rc;
	/* 0: a concurrent request used this step first (a replay). */
	return oidc_db_totp_use_step(ctx->db, tt->p.user_id, *step, err);
}

/*
 * The pending login of the posted ticket, for bind: 1 (*tt), 0 unknown,
 * expired or another page's, -1.
 */
static int
pending_of(struct oidc_ctx *ctx, const struct oidc_request *req,
    const unsigned char *bind, struct oidc_totp_try *tt,
    struct oidc_error *err)
{
	struct oidc_str	 t = oidc_params_get(&req->form, "ticket");
	int		 rc;

	if (t.p == NULL || t.len == 0 || t.len > OIDC_TOTP_TICKET_MAX)
		return 0;
	if ((tt->ticket = oidc_arena_strndup(ctx->a, t.p, t.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_sha256(t.p, t.len, tt->th, err) == -1 ||
	    (rc = oidc_db_pending_get(ctx->db, ctx->a, tt->th, &tt->p,
	    err)) == -1)
		return -1;
	if (rc == 0 || memcmp(tt->p.login_request, bind, OIDC_HASH_LEN) != 0)
		return 0;
	tt->kacct = oidc_arena_printf(ctx->a, "o:%lld",
	    (long long)tt->p.user_id);
	tt->kaddr = oidc_arena_printf(ctx->a, "oa:%s", req->client_addr);
	if (tt->kacct == NULL || tt->kaddr == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 1;
}

/* A wrong entry: counted under both throttle keys, committed. */
static int
wrong_entry(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str client_id, const struct oidc_totp_try *tt,
    struct oidc_error *err)
{
	const char	*acct;

	if ((acct = oidc_arena_strndup(ctx->a, tt->p.username.p,
	    tt->p.username.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_db_login_failure_add(ctx->db, tt->kacct, tt->kaddr, acct,
	    err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	oidc_totp_audit(req, client_id, tt, "totp.failed");
	return 0;
}

int
oidc_totp_answer(struct oidc_ctx *ctx, const struct oidc_request *req,
    const unsigned char *bind, struct oidc_str client_id,
    struct oidc_totp_try *tt, int64_t *step, enum oidc_totp_answer *ans,
    struct oidc_error *err)
{
	struct oidc_str		 code = oidc_params_get(&req->form, "code");
	struct oidc_throttle	 t1, t2;
	struct oidc_totp_input	 in;
	int			 rc;

	memset(tt, 0, sizeof(*tt));
	*step = 0;
	*ans = OIDC_TOTP_EXPIRED;
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    (rc = pending_of(ctx, req, bind, tt, err)) == -1)
		return -1;
	if (rc == 0) {
		oidc_db_rollback(ctx->db);
		return 0;
	}
	if (oidc_db_login_throttle(ctx->db, tt->kacct, tt->kaddr,
	    ctx->cfg->login_window, ctx->cfg->login_max_failures,
	    ctx->cfg->login_max_failures_per_address, true, &t1, &t2,
	    err) == -1)
		return -1;
	if (t1.wait > 0 || t2.wait > 0) {
		*ans = OIDC_TOTP_THROTTLED;
		if (oidc_db_commit(ctx->db, err) == -1)
			return -1;
		oidc_totp_audit(req, client_id, tt, "totp.throttled");
		return 0;
	}
	rc = code.p == NULL || oidc_totp_parse(code.p, code.len, &in) == -1 ?
	    0 : check_entry(ctx, tt, &in, step, err);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		*ans = OIDC_TOTP_WRONG;
		return wrong_entry(ctx, req, client_id, tt, err);
	}
	if ((rc = oidc_db_pending_delete(ctx->db, tt->th, err)) == -1)
		return -1;
	if (rc == 0) {
		/* Another request with this ticket won. */
		oidc_db_rollback(ctx->db);
		return 0;
	}
	*ans = OIDC_TOTP_GOOD;
	return 0;
}
