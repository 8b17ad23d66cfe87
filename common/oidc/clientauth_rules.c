/*
 * clientauth_rules.c: the claims rules of a client assertion (RFC 7523
 * 3, OIDC Core 9), apart from verification and the jti ledger so they
 * can be tested alone (see oidc/clientauth.h).
 */
#include "oidc/arena.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/json.h"

const char *
oidc_clientauth_assertion_claims(struct oidc_ctx *ctx,
    struct oidc_str client_id, const struct oidc_json *claims,
    const char *endpoint, int64_t *exp, struct oidc_str *jti)
{
	struct oidc_error	 why = { 0 };
	struct oidc_str		 iss, sub, *aud = NULL;
	size_t			 naud = 0, i;
	bool			 aud_ok = false;

	if (oidc_json_get_str(claims, "iss", &iss, &why) != 1 ||
	    oidc_json_get_str(claims, "sub", &sub, &why) != 1 ||
	    !oidc_str_eq(iss, client_id) || !oidc_str_eq(sub, client_id))
		return "assertion iss/sub is not the client";
	if (oidc_json_get_str_list(claims, "aud", true, ctx->a, &aud, &naud,
	    &why) != 1)
		return "assertion without aud";
	for (i = 0; i < naud; i++)
		if (oidc_str_eq_cstr(aud[i], endpoint) ||
		    oidc_str_eq_cstr(aud[i], ctx->cfg->issuer))
			aud_ok = true;
	if (!aud_ok)
		return "assertion aud is not us";
	if (oidc_json_get_i64(claims, "exp", exp, &why) != 1 ||
	    *exp > (int64_t)ctx->now + OIDC_ASSERTION_MAX_AHEAD)
		return "assertion exp missing or too far";
	if (oidc_json_get_str(claims, "jti", jti, &why) != 1 ||
	    jti->len == 0 || jti->len > OIDC_ASSERTION_MAX_JTI)
		return "assertion without jti";
	return NULL;
}
