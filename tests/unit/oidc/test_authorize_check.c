/*
 * test_authorize_check.c: the rules of an authorization request's
 * parameters (common/oidc/authorize_check.c, oidc_authz_check_params in
 * authorize_int.h): response_type and response_mode, state, scope, nonce,
 * PKCE, prompt, max_age, the hints and the claims request.  No database,
 * no keys.
 *
 * Security regressions: pkce_plain_rejected, public_client_without_pkce,
 * implicit_without_nonce, token_in_query (response_mode=query for a
 * response carrying tokens, query.jwt too: JARM 2.3.1),
 * prompt_none_with_login, jarm_when_off (a .jwt mode without `jarm`).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/error.h"
#include "oidc/form.h"

#include "../../../common/oidc/authorize_int.h"

#include "tap.h"

#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define CODE		"client_id=rp1&scope=openid&response_type=code"
#define OFFLINE		"client_id=rp1&scope=openid%20offline_access" \
			    "&response_type=code"
#define IDT		"client_id=rp1&scope=openid&response_type=id_token" \
			    "&nonce=n1"

static struct oidc_arena	*a;
static struct oidc_config	 cfg, cfg_nonce, cfg_jarm;
static struct oidc_ctx		 ctx;

/* What differs from a confidential client that may do everything. */
enum {
	C_PUBLIC = 0x1,		/* token_endpoint_auth_method none */
	C_CODE_ONLY = 0x2,	/* response_types ["code"] */
	C_NO_REFRESH = 0x4,	/* no refresh_token grant */
	C_SCOPE = 0x8,		/* registered scope "openid email" */
	C_NONCE = 0x10,		/* require_nonce */
	S_NONCE = 0x20,		/* the configuration's require_nonce */
	S_JARM = 0x40		/* the configuration's jarm */
};

struct check_case {
	const char		*test;
	const char		*query;
	unsigned		 flags;
	const char		*want;		/* NULL: valid */
	enum oidc_errcode	 code;		/* when want != NULL */
};

#define IR	OIDC_E_INVALID_REQUEST

static const struct check_case cases[] = {
	{ "code, openid: valid", CODE, 0, NULL, 0 },
	{ "no response_type", "client_id=rp1&scope=openid", 0,
	    "response_type is required", IR },
	{ "response_type token alone: unsupported",
	    "client_id=rp1&scope=openid&response_type=token", 0,
	    "unsupported response_type", OIDC_E_UNSUPPORTED_RESPONSE_TYPE },
	{ "response_type none: unsupported",
	    "client_id=rp1&scope=openid&response_type=none", 0,
	    "unsupported response_type", OIDC_E_UNSUPPORTED_RESPONSE_TYPE },
	{ "response_type not registered: unauthorized_client", IDT,
	    C_CODE_ONLY, "the client may not use this response_type",
	    OIDC_E_UNAUTHORIZED_CLIENT },
	{ "code id_token in any order: valid",
	    "client_id=rp1&scope=openid&response_type=id_token%20code"
	    "&nonce=n", 0, NULL, 0 },
	{ "token_in_query: id_token with response_mode=query",
	    IDT "&response_mode=query", 0,
	    "response_mode query is not allowed for this response_type", IR },
	{ "token_in_query: code token with response_mode=query",
	    "client_id=rp1&scope=openid&response_type=code%20token"
	    "&response_mode=query", 0,
	    "response_mode query is not allowed for this response_type", IR },
	{ "code with response_mode=query: valid",
	    CODE "&response_mode=query", 0, NULL, 0 },
	{ "code with response_mode=fragment: valid",
	    CODE "&response_mode=fragment", 0, NULL, 0 },
	{ "response_mode=form_post: valid", IDT "&response_mode=form_post",
	    0, NULL, 0 },
	{ "response_mode=jwt: unsupported", CODE "&response_mode=jwt", 0,
	    "unsupported response_mode", IR },
	{ "state with a control byte", CODE "&state=a%01b", 0,
	    "state is not printable ASCII", IR },
	{ "state with a space", CODE "&state=a%20b", 0, NULL, 0 },
	{ "id_token without openid: invalid_scope",
	    "client_id=rp1&scope=email&response_type=id_token&nonce=n", 0,
	    "scope must include openid", OIDC_E_INVALID_SCOPE },
	{ "code without openid: valid (OAuth)",
	    "client_id=rp1&scope=email&response_type=code", 0, NULL, 0 },
	{ "id_token, openid within the registered scope: valid",
	    "client_id=rp1&scope=openid&response_type=id_token&nonce=n",
	    C_SCOPE, NULL, 0 },
	{ "a malformed scope: invalid_scope",
	    "client_id=rp1&scope=openid%20%20email&response_type=code", 0,
	    "", OIDC_E_INVALID_SCOPE },
	{ "implicit_without_nonce: id_token without nonce",
	    "client_id=rp1&scope=openid&response_type=id_token", 0,
	    "nonce is required", IR },
	{ "code id_token without nonce",
	    "client_id=rp1&scope=openid&response_type=code%20id_token", 0,
	    "nonce is required", IR },
	{ "code without nonce: valid", CODE, 0, NULL, 0 },
	{ "code without nonce, the client's require_nonce", CODE, C_NONCE,
	    "nonce is required", IR },
	{ "code without nonce, the configuration's require_nonce", CODE,
	    S_NONCE, "nonce is required", IR },
	{ "require_nonce without openid: no nonce needed",
	    "client_id=rp1&scope=email&response_type=code", C_NONCE | S_NONCE,
	    NULL, 0 },
	{ "nonce with a control byte", CODE "&nonce=n%7f", 0,
	    "nonce is not printable ASCII", IR },
	{ "PKCE S256: valid", CODE "&code_challenge=" CHALLENGE
	    "&code_challenge_method=S256", C_PUBLIC, NULL, 0 },
	{ "pkce_plain_rejected: method plain", CODE "&code_challenge="
	    CHALLENGE "&code_challenge_method=plain", 0,
	    "code_challenge_method must be S256", IR },
	{ "a challenge without its method", CODE "&code_challenge="
	    CHALLENGE, 0, "code_challenge_method is required (S256)", IR },
	{ "a method without a challenge", CODE
	    "&code_challenge_method=S256", 0,
	    "code_challenge_method without code_challenge", IR },
	{ "a 42-character challenge", CODE "&code_challenge="
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"
	    "&code_challenge_method=S256", 0, "malformed code_challenge", IR },
	{ "a challenge with '+'", CODE "&code_challenge="
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw%2BcM"
	    "&code_challenge_method=S256", 0, "malformed code_challenge", IR },
	{ "public_client_without_pkce: code", CODE, C_PUBLIC,
	    "PKCE (code_challenge with S256) is required for public clients",
	    IR },
	{ "public client, id_token (no code): no PKCE needed", IDT, C_PUBLIC,
	    NULL, 0 },
	{ "confidential client without PKCE: valid", CODE, 0, NULL, 0 },
	{ "prompt=none: valid", CODE "&prompt=none", 0, NULL, 0 },
	{ "prompt=login consent select_account: valid",
	    CODE "&prompt=login%20consent%20select_account", 0, NULL, 0 },
	{ "prompt_none_with_login", CODE "&prompt=none%20login", 0,
	    "invalid prompt", IR },
	{ "prompt with an unknown value", CODE "&prompt=sometimes", 0,
	    "invalid prompt", IR },
	{ "max_age=0: valid", CODE "&max_age=0", 0, NULL, 0 },
	{ "max_age=2147483647: valid", CODE "&max_age=2147483647", 0, NULL,
	    0 },
	{ "max_age=2147483648", CODE "&max_age=2147483648", 0,
	    "max_age must be a non-negative integer", IR },
	{ "max_age=-1", CODE "&max_age=-1", 0,
	    "max_age must be a non-negative integer", IR },
	{ "max_age=1h", CODE "&max_age=1h", 0,
	    "max_age must be a non-negative integer", IR },
	{ "login_hint with a control byte", CODE "&login_hint=a%0Ab", 0,
	    "a parameter is not printable ASCII", IR },
	{ "acr_values with a control byte", CODE "&acr_values=a%09b", 0,
	    "a parameter is not printable ASCII", IR },
	{ "ui_locales with a control byte", CODE "&ui_locales=a%0Db", 0,
	    "a parameter is not printable ASCII", IR },
	{ "claims_locales with a control byte", CODE "&claims_locales=%1B",
	    0, "a parameter is not printable ASCII", IR },
	{ "display with a control byte", CODE "&display=page%7F", 0,
	    "a parameter is not printable ASCII", IR },
	{ "an id_token_hint that is not ours", CODE
	    "&id_token_hint=eyJhbGciOiJub25lIn0.e30.", 0,
	    "id_token_hint is not a valid ID Token of this provider", IR },
	{ "claims that is not JSON", CODE "&claims=%7B", 0,
	    "claims is not a valid claims request", IR },
	{ "claims whose userinfo is not an object", CODE
	    "&claims=%7B%22userinfo%22%3A1%7D", 0,
	    "claims is not a valid claims request", IR },
	{ "claims whose id_token is not an object", CODE
	    "&claims=%7B%22id_token%22%3A%22x%22%7D", 0,
	    "claims is not a valid claims request", IR },
	{ "a claims request: valid", CODE "&claims=%7B%22userinfo%22%3A%7B"
	    "%22email%22%3Anull%7D%7D", 0, NULL, 0 },
	/* JARM 2.3, with `jarm = yes` only. */
	{ "jarm_when_off: query.jwt", CODE "&response_mode=query.jwt", 0,
	    "unsupported response_mode", IR },
	{ "jarm_when_off: form_post.jwt", IDT "&response_mode=form_post.jwt",
	    0, "unsupported response_mode", IR },
	{ "jarm: code with jwt: valid", CODE "&response_mode=jwt", S_JARM,
	    NULL, 0 },
	{ "jarm: code with query.jwt: valid", CODE "&response_mode=query.jwt",
	    S_JARM, NULL, 0 },
	{ "jarm: code with fragment.jwt: valid",
	    CODE "&response_mode=fragment.jwt", S_JARM, NULL, 0 },
	{ "jarm: id_token with form_post.jwt: valid",
	    IDT "&response_mode=form_post.jwt", S_JARM, NULL, 0 },
	{ "jarm: id_token with jwt: valid", IDT "&response_mode=jwt", S_JARM,
	    NULL, 0 },
	{ "token_in_query: id_token with query.jwt (JARM 2.3.1)",
	    IDT "&response_mode=query.jwt", S_JARM,
	    "response_mode query.jwt is not allowed for this response_type",
	    IR },
	{ "token_in_query: code token with query.jwt",
	    "client_id=rp1&scope=openid&response_type=code%20token"
	    "&response_mode=query.jwt", S_JARM,
	    "response_mode query.jwt is not allowed for this response_type",
	    IR },
	{ "jarm: an unknown .jwt mode", CODE "&response_mode=post.jwt",
	    S_JARM, "unsupported response_mode", IR },
	{ "jarm: .jwt alone", CODE "&response_mode=.jwt", S_JARM,
	    "unsupported response_mode", IR },
	{ "jarm: jwt.jwt", CODE "&response_mode=jwt.jwt", S_JARM,
	    "unsupported response_mode", IR },
	{ "jarm: upper case JWT", CODE "&response_mode=query.JWT", S_JARM,
	    "unsupported response_mode", IR },
	/* The mode is parsed first: its error wins over later ones. */
	{ "a bad mode wins over a missing nonce",
	    "client_id=rp1&scope=openid&response_type=id_token"
	    "&response_mode=jwt", 0, "unsupported response_mode", IR },
};

static void
setup(struct authz *ar, struct oidc_params *p, const char *query,
    unsigned flags)
{
	struct oidc_error	 err = { 0 };

	memset(ar, 0, sizeof(*ar));
	p->v = NULL;
	p->n = 0;
	if (oidc_form_parse(a, query, strlen(query), p, &err) == -1)
		diag("query %s: %s", query, err.detail);
	ar->p = p;
	ar->client.client_id = (struct oidc_str){ "rp1", 3 };
	ar->client.auth_method = (flags & C_PUBLIC) ? OIDC_AUTH_NONE :
	    OIDC_AUTH_SECRET_BASIC;
	ar->client.response_types = (flags & C_CODE_ONLY) ? OIDC_RT_CODE :
	    OIDC_RT_CODE | OIDC_RT_ID_TOKEN | OIDC_RT_ID_TOKEN_TOKEN |
	    OIDC_RT_CODE_ID_TOKEN | OIDC_RT_CODE_TOKEN |
	    OIDC_RT_CODE_ID_TOKEN_TOKEN;
	ar->client.grant_types = OIDC_GT_AUTHORIZATION_CODE |
	    OIDC_GT_IMPLICIT | ((flags & C_NO_REFRESH) ? 0 :
	    OIDC_GT_REFRESH_TOKEN);
	if (flags & C_SCOPE)
		ar->client.scope = (struct oidc_str){ "openid email", 12 };
	ar->client.require_nonce = (flags & C_NONCE) != 0;
	ctx.cfg = (flags & S_NONCE) ? &cfg_nonce : (flags & S_JARM) ?
	    &cfg_jarm : &cfg;
}

static void
test_cases(void)
{
	const struct check_case	*c;
	struct oidc_params	 p;
	struct authz		 ar;
	enum oidc_errcode	 code;
	const char		*got;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		setup(&ar, &p, c->query, c->flags);
		code = IR;
		got = oidc_authz_check_params(&ctx, &ar, &code);
		if (c->want == NULL) {
			if (!ok(got == NULL, "%s", c->test))
				diag("got \"%s\"", got);
		} else if (c->want[0] == '\0') {
			/* The description is the parser's own. */
			ok(got != NULL && code == c->code, "%s", c->test);
		} else {
			if (!ok(got != NULL && strcmp(got, c->want) == 0 &&
			    code == c->code, "%s", c->test))
				diag("got \"%s\" (code %d), want \"%s\" (%d)",
				    got != NULL ? got : "(valid)", (int)code,
				    c->want, (int)c->code);
		}
	}
}

/* What the checks leave in ar for the steps after them. */
static void
test_results(void)
{
	struct oidc_params	 p;
	struct authz		 ar;
	enum oidc_errcode	 code = IR;

	setup(&ar, &p, CODE "&state=s1", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.mode == MODE_QUERY && ar.rt == OIDC_RT_CODE &&
	    ar.state.p != NULL && strcmp(ar.state.p, "s1") == 0,
	    "code: query mode, the state kept");
	setup(&ar, &p, IDT, 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.mode == MODE_FRAGMENT, "id_token: fragment by default");
	setup(&ar, &p, IDT "&response_mode=form_post", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.mode == MODE_FORM_POST, "form_post as asked");
	setup(&ar, &p, IDT "&response_mode=query", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) != NULL &&
	    ar.mode == MODE_FRAGMENT,
	    "token_in_query: the error itself goes in the fragment");

	/* JARM: the signed response and its mode (JARM 2.3.4 for "jwt"). */
	setup(&ar, &p, CODE, S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && !ar.jwt &&
	    ar.mode == MODE_QUERY, "jarm on, no response_mode: plain query");
	setup(&ar, &p, CODE "&response_mode=jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && ar.jwt &&
	    ar.mode == MODE_QUERY, "code, jwt: query.jwt");
	setup(&ar, &p, IDT "&response_mode=jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && ar.jwt &&
	    ar.mode == MODE_FRAGMENT, "id_token, jwt: fragment.jwt");
	setup(&ar, &p, CODE "&response_mode=fragment.jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && ar.jwt &&
	    ar.mode == MODE_FRAGMENT, "fragment.jwt as asked");
	setup(&ar, &p, CODE "&response_mode=form_post.jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && ar.jwt &&
	    ar.mode == MODE_FORM_POST, "form_post.jwt as asked");
	setup(&ar, &p, IDT "&response_mode=query.jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) != NULL && ar.jwt &&
	    ar.mode == MODE_FRAGMENT,
	    "token_in_query: the query.jwt error goes as fragment.jwt");
	setup(&ar, &p, CODE "&response_mode=query.jwt", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) != NULL && !ar.jwt &&
	    ar.mode == MODE_QUERY,
	    "jarm_when_off: the error goes unsigned, in the default mode");
	setup(&ar, &p, CODE "&response_mode=post.jwt", S_JARM);
	ok(oidc_authz_check_params(&ctx, &ar, &code) != NULL && !ar.jwt,
	    "jarm: an unknown mode's error goes unsigned");

	setup(&ar, &p, CODE "&prompt=none", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && ar.p_none &&
	    !ar.p_login && !ar.p_consent && !ar.p_select, "prompt=none set");
	setup(&ar, &p, CODE "&prompt=login%20select_account", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL && !ar.p_none &&
	    ar.p_login && !ar.p_consent && ar.p_select,
	    "prompt=login select_account set");

	setup(&ar, &p, CODE "&max_age=300", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.has_max_age && ar.max_age == 300, "max_age=300 kept");
	setup(&ar, &p, CODE, 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    !ar.has_max_age, "no max_age: none");

	/* offline_access only for a client that may refresh. */
	setup(&ar, &p, OFFLINE, 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    oidc_scope_has(&ar.scope, "offline_access"),
	    "offline_access kept for a client with refresh_token");
	setup(&ar, &p, OFFLINE, C_NO_REFRESH);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    !oidc_scope_has(&ar.scope, "offline_access") &&
	    oidc_scope_has(&ar.scope, "openid"),
	    "offline_access dropped for a client without refresh_token");

	/* The registered scope filters the request's. */
	setup(&ar, &p, "client_id=rp1&scope=openid%20email%20phone"
	    "&response_type=code", C_SCOPE);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.scope.n == 2 && oidc_scope_has(&ar.scope, "email") &&
	    !oidc_scope_has(&ar.scope, "phone"),
	    "scope filtered by the registered scope");
	setup(&ar, &p, "client_id=rp1&scope=phone&response_type=id_token"
	    "&nonce=n", C_SCOPE);
	code = IR;
	ok(oidc_authz_check_params(&ctx, &ar, &code) != NULL &&
	    code == OIDC_E_INVALID_SCOPE,
	    "id_token, openid filtered out by policy: invalid_scope");

	setup(&ar, &p, CODE "&code_challenge=" CHALLENGE
	    "&code_challenge_method=S256&nonce=n2&login_hint=bob", 0);
	ok(oidc_authz_check_params(&ctx, &ar, &code) == NULL &&
	    ar.challenge.len == 43 && strcmp(ar.nonce.p, "n2") == 0 &&
	    strcmp(ar.login_hint.p, "bob") == 0,
	    "challenge, nonce and login_hint kept");
}

static void
config(struct oidc_config *c, const char *text)
{
	struct oidc_error	 err = { 0 };

	if (oidc_config_parse(a, "t", text, strlen(text), c, &err) == -1)
		diag("config: %s", err.detail);
}

int
main(void)
{
	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	config(&cfg, "issuer = https://id.example\ndatabase = dbname=x\n");
	config(&cfg_jarm, "issuer = https://id.example\n"
	    "database = dbname=x\njarm = yes\n");
	config(&cfg_nonce, "issuer = https://id.example\n"
	    "database = dbname=x\nrequire_nonce = yes\n");
	ctx.a = a;
	ctx.cfg = &cfg;
	ctx.now = 1700000000;
	test_cases();
	test_results();
	oidc_arena_free(a);
	return done_testing();
}
