/*
 * authorize_totp.c: the TOTP second step of a password login and the acr
 * a request asks for (oidc/totp.h, authorize_int.h).
 *
 * After a good password, with `totp` on: an enrolled user (and, with
 * totp = required, every user) does not get a session yet.  A
 * login_pending row (0023_totp.sql) keyed by the SHA-256 of a random
 * ticket holds the user and the digest of the authorization request; the
 * code page carries the ticket.  With totp = required and no
 * authenticator yet, the row also holds a fresh secret, sealed, and the
 * page is the enrolment page.  A good code (or recovery code) removes the
 * row and starts the session with amr "pwd otp" in the same transaction;
 * a wrong one counts as a failed login, throttled per account ("o:ID",
 * the password being proven) and per source address ("oa:ADDR") with the
 * login limits, and `oidcctl user unlock` forgets them.  The answer is
 * checked by totp_step.c (oidc/totp_step.h), which the device page shares.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/authorize.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/log.h"
#include "oidc/request.h"
#include "oidc/session.h"
#include "oidc/totp.h"
#include "oidc/totp_step.h"

#include "authorize_int.h"

/* Message keys (oidc/ui.h). */
static const char expired_msg[] = "login_expired";

int
oidc_authorize_init(struct oidc_ctx *ctx, struct oidc_error *err)
{
	if (ctx->cfg->totp != OIDC_TOTP_OFF && ctx->kek == NULL)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "totp needs "
		    "key_encryption_key (it seals the TOTP secrets)");
	return 0;
}

/* The enrolment page of a sealed secret (pending or new). */
static int
enrol_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *ticket,
    int64_t user_id, struct oidc_str username, const unsigned char *sealed,
    size_t sealed_len, const char *error, int status, struct oidc_error *err)
{
	unsigned char	*secret;
	size_t		 len;
	const char	*uri, *b32, *acct;

	if (oidc_totp_secret_open(ctx->a, ctx->kek, user_id, sealed,
	    sealed_len, &secret, &len, err) == -1)
		return -1;
	if ((acct = oidc_arena_strndup(ctx->a, username.p, username.len)) ==
	    NULL || (uri = oidc_totp_uri(ctx->a, ctx->cfg->issuer, acct, secret,
	    len)) == NULL || (b32 = oidc_totp_base32(ctx->a, secret, len)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return oidc_totp_page_enrol(ctx, req, resp, ar, ticket, uri, b32, error,
	    status, err);
}

int
oidc_authz_totp_after_password(struct oidc_ctx *ctx,
    const struct oidc_request *req, struct oidc_response *resp,
    const struct authz *ar, int64_t user_id, struct oidc_str username,
    const unsigned char *digest, struct oidc_error *err)
{
	struct oidc_totp_row	 t;
	unsigned char		 secret[OIDC_TOTP_SECRET_LEN];
	unsigned char		*sealed = NULL;
	size_t			 sealed_len = 0;
	const char		*ticket;
	int			 rc;

	if (ctx->cfg->totp == OIDC_TOTP_OFF)
		return 1;
	if ((rc = oidc_db_totp_get(ctx->db, ctx->a, user_id, &t, err)) == -1)
		return -1;
	if (rc == 0 && ctx->cfg->totp == OIDC_TOTP_OPTIONAL)
		return 1;
	if (rc == 0) {
		rc = oidc_random_bytes(secret, sizeof(secret), err) == -1 ||
		    oidc_totp_secret_seal(ctx->a, ctx->kek, user_id, secret,
		    sizeof(secret), &sealed, &sealed_len, err) == -1 ? -1 : 0;
		oidc_wipe(secret, sizeof(secret));
		if (rc == -1)
			return -1;
	}
	if (oidc_totp_pending_new(ctx, user_id, digest, sealed, sealed_len,
	    &ticket, err) == -1)
		return -1;
	if (sealed == NULL)
		return oidc_totp_page_verify(ctx, req, resp, ar, ticket, NULL,
		    200, err);
	return enrol_page(ctx, req, resp, ar, ticket, user_id, username,
	    sealed, sealed_len, NULL, 200, err);
}

/* The page answered again, with an error. */
static int
show_again(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    const struct oidc_totp_try *tt, const char *error, int status,
    struct oidc_error *err)
{
	if (tt->p.secret_sealed == NULL)
		return oidc_totp_page_verify(ctx, req, resp, ar, tt->ticket,
		    error, status, err);
	return enrol_page(ctx, req, resp, ar, tt->ticket, tt->p.user_id,
	    tt->p.username, tt->p.secret_sealed, tt->p.secret_sealed_len,
	    error, status, err);
}

static void
audit_totp(const struct oidc_request *req, const struct authz *ar,
    const struct oidc_totp_try *tt, const char *event)
{
	oidc_totp_audit(req, ar->client.client_id, tt, event);
}

/*
 * A good code of an enrolment: the authenticator and fresh recovery
 * codes are stored, the session starts, and the codes are shown once.
 */
static int
enrol_finish(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    const struct oidc_totp_try *tt, int64_t step, const unsigned char *digest,
    struct oidc_session_row *s, struct oidc_error *err)
{
	char		 codes[OIDC_TOTP_RECOVERY_CODES][OIDC_TOTP_RECOVERY_LEN + 1];
	unsigned char	 h[OIDC_TOTP_RECOVERY_CODES][OIDC_HASH_LEN];
	size_t		 i;
	int		 rc;

	for (i = 0; i < OIDC_TOTP_RECOVERY_CODES; i++)
		if (oidc_totp_recovery_new(codes[i], err) == -1 ||
		    oidc_totp_recovery_hash(tt->p.user_id, codes[i], h[i],
		    err) == -1)
			return -1;
	if (oidc_db_totp_enrol(ctx->db, tt->p.user_id, tt->p.secret_sealed,
	    tt->p.secret_sealed_len, step, (const unsigned char (*)[
	    OIDC_HASH_LEN])h, OIDC_TOTP_RECOVERY_CODES, err) == -1 ||
	    oidc_session_start(ctx, resp, tt->p.user_id, tt->p.sub, "pwd otp",
	    digest, s, err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_totp(req, ar, tt, "totp.enrolled");
	rc = oidc_totp_page_recovery(ctx, req, resp, ar, codes,
	    OIDC_TOTP_RECOVERY_CODES, err);
	oidc_wipe(codes, sizeof(codes));
	return rc;
}

int
oidc_authz_totp_posted(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    const unsigned char *digest, struct oidc_session_row *s,
    bool *has_session, bool *fresh_login, struct oidc_error *err)
{
	struct oidc_totp_try	 tt;
	enum oidc_totp_answer	 ans;
	int64_t			 step;

	if (ctx->cfg->totp == OIDC_TOTP_OFF)
		return oidc_authz_bad_page(err, "Unknown form action.");
	if (oidc_totp_answer(ctx, req, digest, ar->client.client_id, &tt,
	    &step, &ans, err) == -1)
		return -1;
	switch (ans) {
	case OIDC_TOTP_EXPIRED:
		return oidc_authz_login_page(ctx, req, resp, ar, expired_msg,
		    200, err);
	case OIDC_TOTP_THROTTLED:
		return show_again(ctx, req, resp, ar, &tt, "login_throttled",
		    429, err);
	case OIDC_TOTP_WRONG:
		return show_again(ctx, req, resp, ar, &tt, "totp_failed", 200,
		    err);
	case OIDC_TOTP_GOOD:
		break;
	}
	if (tt.p.secret_sealed != NULL)
		return enrol_finish(ctx, req, resp, ar, &tt, step, digest, s,
		    err);
	if (oidc_session_start(ctx, resp, tt.p.user_id, tt.p.sub, "pwd otp",
	    digest, s, err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_totp(req, ar, &tt, "totp.ok");
	s->username = tt.p.username;
	*has_session = *fresh_login = true;
	return 1;
}

/* ---- acr ---- */

struct acr_want {
	bool	 mfa;		/* asked for, voluntarily or essential */
	bool	 essential_mfa;	/* only mfa will do */
	bool	 essential_unknown;	/* essential, none of ours */
	bool	 essential;	/* essential, with values */
};

/* Do the values v[0..n) name mfa, pwd? */
static void
acr_names(const struct oidc_str *v, size_t n, bool *mfa, bool *pwd)
{
	size_t	 i;

	*mfa = *pwd = false;
	for (i = 0; i < n; i++) {
		*mfa |= oidc_str_eq_cstr(v[i], OIDC_ACR_MFA);
		*pwd |= oidc_str_eq_cstr(v[i], OIDC_ACR_PWD);
	}
}

/*
 * The acr member of the claims request's id_token (OIDC Core 5.5.1.1):
 * { "essential": bool, "value": s } or { "values": [...] }.
 */
static void
acr_claim(struct oidc_ctx *ctx, const struct authz *ar, struct acr_want *w)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_json	*j, *idt, *acr;
	struct oidc_str		*v = NULL, one;
	size_t			 n = 0;
	bool			 essential = false, mfa, pwd;

	if (ar->claims.p == NULL || oidc_json_parse(ctx->a, ar->claims.p,
	    ar->claims.len, 0, &j, &ignored) == -1 ||
	    oidc_json_get_obj(j, "id_token", &idt, &ignored) != 1 ||
	    oidc_json_get_obj(idt, "acr", &acr, &ignored) != 1)
		return;
	if (oidc_json_get_bool(acr, "essential", &essential, &ignored) != 1)
		essential = false;
	if (oidc_json_get_str(acr, "value", &one, &ignored) == 1) {
		v = &one;
		n = 1;
	} else if (oidc_json_get_str_list(acr, "values", false, ctx->a, &v,
	    &n, &ignored) != 1)
		n = 0;
	acr_names(v, n, &mfa, &pwd);
	w->mfa |= mfa;
	if (essential && n > 0) {
		w->essential = true;
		w->essential_mfa = mfa && !pwd;
		w->essential_unknown = !mfa && !pwd;
	}
}

/* acr_values (OIDC Core 3.1.2.1): voluntary, space-separated. */
static void
acr_values(const struct authz *ar, struct acr_want *w)
{
	struct oidc_str	 v = oidc_params_get(ar->p, "acr_values"), one;
	size_t		 i = 0, start;

	while (v.p != NULL && i < v.len) {
		start = i;
		while (i < v.len && v.p[i] != ' ')
			i++;
		one = (struct oidc_str){ v.p + start, i - start };
		w->mfa |= oidc_str_eq_cstr(one, OIDC_ACR_MFA);
		i++;
	}
}

int
oidc_authz_acr_check(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, bool remote, struct oidc_error *err)
{
	struct acr_want		 w = { false, false, false, false };
	int			 rc;

	acr_claim(ctx, ar, &w);
	/*
	 * OIDC Core 5.5.1.1: with totp off no ID Token carries an acr, so an
	 * essential acr with values is never met (a failed authentication);
	 * acr_values, voluntary, are ignored.
	 */
	if (ctx->cfg->totp == OIDC_TOTP_OFF)
		return w.essential ? 2 : 0;
	acr_values(ar, &w);
	if (w.essential_unknown)
		return 2;
	if (oidc_amr_has_otp(s->amr))
		return 0;
	/* The second step is a password login's only. */
	if (remote || !oidc_amr_has(s->amr, "pwd"))
		return w.essential_mfa ? 2 : 0;
	/*
	 * A password session without it: with totp = required it does not
	 * count, whatever the request asks.  With optional it is one of a
	 * user without TOTP (`oidcctl user totp enroll` ends the sessions,
	 * so no lookup is needed then), unless mfa is asked for: then an
	 * enrolled user signs in again.
	 */
	if (ctx->cfg->totp == OIDC_TOTP_REQUIRED)
		return 1;
	if (!w.mfa)
		return 0;
	if ((rc = oidc_totp_due(ctx, s->user_id, err)) != 0)
		return rc;
	/* Optional and not enrolled: the lower acr, unless essential. */
	return w.essential_mfa ? 2 : 0;
}

int
oidc_totp_due(struct oidc_ctx *ctx, int64_t user_id, struct oidc_error *err)
{
	struct oidc_totp_row	 t;

	if (ctx->cfg->totp == OIDC_TOTP_OFF)
		return 0;
	if (ctx->cfg->totp == OIDC_TOTP_REQUIRED)
		return 1;
	return oidc_db_totp_get(ctx->db, ctx->a, user_id, &t, err);
}

int
oidc_totp_session_ok(struct oidc_ctx *ctx, const struct oidc_session_row *s,
    struct oidc_error *err)
{
	int	 rc;

	if (ctx->cfg->totp == OIDC_TOTP_OFF || oidc_amr_has_otp(s->amr) ||
	    !oidc_amr_has(s->amr, "pwd"))
		return 1;
	if ((rc = oidc_totp_due(ctx, s->user_id, err)) == -1)
		return -1;
	return !rc;
}
