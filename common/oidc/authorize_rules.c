/*
 * authorize_rules.c: the session and consent decisions of the
 * authorization endpoint (authorize.c decide()), apart from the database
 * reads so they can be tested alone.  authorize_int.h.
 */
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/subject.h"

#include "authorize_int.h"

/*
 * Must the user (re-)authenticate?  No session; or, unless the login is
 * fresh, prompt=login or select_account or max_age passed; or a session
 * user other than id_token_hint's (*hint_mismatch).  1 yes, 0 no, -1.
 */
int
oidc_authz_must_login(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, bool has_session, bool fresh_login,
    bool *hint_mismatch, struct oidc_error *err)
{
	bool	 need = !has_session;
	int	 hint_ok;

	*hint_mismatch = false;
	if (!has_session)
		return 1;
	if (!fresh_login) {
		if (ar->p_login || ar->p_select)
			need = true;
		/* Whole seconds: max_age=0 always asks (OIDC Core 3.1.2.1). */
		if (ar->has_max_age &&
		    (int64_t)ctx->now - s->auth_time >= ar->max_age)
			need = true;
	}
	/* The hint's sub is its audience's view of the user (subject.h). */
	if (ar->hint_sub.p != NULL) {
		if ((hint_ok = oidc_subject_hint_matches(ctx, &ar->client,
		    ar->hint_aud, ar->n_hint_aud, ar->hint_sub, s->sub,
		    err)) == -1)
			return -1;
		if (hint_ok == 0)
			*hint_mismatch = need = true;
	}
	return need ? 1 : 0;
}

/*
 * Covered means every requested scope value was granted and every known
 * claim asked for one by one (OIDC Core 5.5) was granted by name or comes
 * with a granted scope: the token, ID Token and UserInfo release nothing
 * but the scope's claims and the claims named in the request stored with
 * the code or token, so what is released stays within what the user
 * allowed (issue 15, item 2).
 */
bool
oidc_authz_consent_covers(struct oidc_ctx *ctx, const struct authz *ar,
    struct oidc_consent_row stored)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_scope	 granted, claims, wanted;

	/* Anything unreadable counts as not granted: the page asks again. */
	if (oidc_scope_parse(stored.scope, &granted, &ignored) == -1 ||
	    oidc_scope_parse(stored.claims, &claims, &ignored) == -1 ||
	    oidc_claims_wanted(ctx->cfg, ctx->a, ar->claims, &granted, &wanted,
	    &ignored) == -1)
		return false;
	return oidc_scope_subset(&ar->scope, &granted) &&
	    oidc_scope_subset(&wanted, &claims);
}
