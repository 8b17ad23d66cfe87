/*
 * test_clientauth.c: client authentication (common/oidc/clientauth.c,
 * clientauth_rules.c; oidc/clientauth.h) without a database:
 *
 * - the claims rules of an assertion (oidc_clientauth_assertion_claims):
 *   iss, sub, aud, exp, jti;
 * - the choice of method in oidc_client_authenticate(): every refusal it
 *   makes before it looks the client up, and, for a well-formed request,
 *   that it goes on to the lookup (here a database that cannot be
 *   reached: OIDC_E_DB_DOWN, not a refusal).
 *
 * Security regressions: assertion_for_another_client (iss or sub not the
 * client), assertion_other_audience, assertion_long_lived, two_methods
 * (Basic and a form secret together), basic_client_id_mismatch.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/form.h"
#include "oidc/json.h"
#include "oidc/request.h"
#include "oidc/response.h"

#include "tap.h"

#define ISSUER		"https://id.example"
#define TOKEN_EP	ISSUER "/token"
#define NOW		1700000000LL
#define ATYPE		"urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type" \
			    "%3Ajwt-bearer"

static struct oidc_arena	*a;
static struct oidc_config	 cfg;
static struct oidc_ctx		 ctx;

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, strlen(s) };
}

struct claims_case {
	const char	*test;
	const char	*json;		/* %lld: NOW */
	long long	 exp_off;	/* exp = NOW + exp_off */
	const char	*want;		/* NULL: accepted */
};

#define ISS_SUB	"\"iss\":\"rp1\",\"sub\":\"rp1\""
#define JTI	"\"jti\":\"j1\""

static const struct claims_case ccases[] = {
	{ "iss = sub = client, aud the token endpoint: accepted",
	    "{" ISS_SUB ",\"aud\":\"" TOKEN_EP "\"," JTI ",\"exp\":%lld}", 60,
	    NULL },
	{ "aud the issuer: accepted",
	    "{" ISS_SUB ",\"aud\":\"" ISSUER "\"," JTI ",\"exp\":%lld}", 60,
	    NULL },
	{ "aud a list naming the endpoint: accepted",
	    "{" ISS_SUB ",\"aud\":[\"x\",\"" TOKEN_EP "\"]," JTI
	    ",\"exp\":%lld}", 60, NULL },
	{ "assertion_for_another_client: iss another client",
	    "{\"iss\":\"rp2\",\"sub\":\"rp1\",\"aud\":\"" ISSUER "\"," JTI
	    ",\"exp\":%lld}", 60, "assertion iss/sub is not the client" },
	{ "assertion_for_another_client: sub another client",
	    "{\"iss\":\"rp1\",\"sub\":\"rp2\",\"aud\":\"" ISSUER "\"," JTI
	    ",\"exp\":%lld}", 60, "assertion iss/sub is not the client" },
	{ "no iss", "{\"sub\":\"rp1\",\"aud\":\"" ISSUER "\"," JTI
	    ",\"exp\":%lld}", 60, "assertion iss/sub is not the client" },
	{ "no sub", "{\"iss\":\"rp1\",\"aud\":\"" ISSUER "\"," JTI
	    ",\"exp\":%lld}", 60, "assertion iss/sub is not the client" },
	{ "iss a prefix of the client", "{\"iss\":\"rp\",\"sub\":\"rp\","
	    "\"aud\":\"" ISSUER "\"," JTI ",\"exp\":%lld}", 60,
	    "assertion iss/sub is not the client" },
	{ "no aud", "{" ISS_SUB "," JTI ",\"exp\":%lld}", 60,
	    "assertion without aud" },
	{ "assertion_other_audience",
	    "{" ISS_SUB ",\"aud\":\"https://other.example/token\"," JTI
	    ",\"exp\":%lld}", 60, "assertion aud is not us" },
	{ "aud another endpoint of ours",
	    "{" ISS_SUB ",\"aud\":\"" ISSUER "/userinfo\"," JTI
	    ",\"exp\":%lld}", 60, "assertion aud is not us" },
	{ "no exp", "{" ISS_SUB ",\"aud\":\"" ISSUER "\"," JTI "}", 0,
	    "assertion exp missing or too far" },
	{ "exp exactly an hour ahead: accepted",
	    "{" ISS_SUB ",\"aud\":\"" ISSUER "\"," JTI ",\"exp\":%lld}", 3600,
	    NULL },
	{ "assertion_long_lived: exp an hour and a second ahead",
	    "{" ISS_SUB ",\"aud\":\"" ISSUER "\"," JTI ",\"exp\":%lld}", 3601,
	    "assertion exp missing or too far" },
	{ "exp a string", "{" ISS_SUB ",\"aud\":\"" ISSUER "\"," JTI
	    ",\"exp\":\"%lld\"}", 60, "assertion exp missing or too far" },
	{ "no jti", "{" ISS_SUB ",\"aud\":\"" ISSUER "\",\"exp\":%lld}", 60,
	    "assertion without jti" },
	{ "an empty jti", "{" ISS_SUB ",\"aud\":\"" ISSUER "\",\"jti\":\"\","
	    "\"exp\":%lld}", 60, "assertion without jti" },
	{ "a jti not a string", "{" ISS_SUB ",\"aud\":\"" ISSUER "\","
	    "\"jti\":7,\"exp\":%lld}", 60, "assertion without jti" },
};

/* tmpl with its "%lld" replaced by v (the templates are data). */
static int
with_exp(char *buf, size_t len, const char *tmpl, long long v)
{
	const char	*p = strstr(tmpl, "%lld");

	if (p == NULL)
		return snprintf(buf, len, "%s", tmpl);
	return snprintf(buf, len, "%.*s%lld%s", (int)(p - tmpl), tmpl, v,
	    p + 4);
}

static void
test_claims(void)
{
	const struct claims_case	*c;
	struct oidc_error		 err = { 0 };
	struct oidc_json		*j;
	struct oidc_str			 jti;
	const char			*got;
	char				 buf[1024], big[600];
	int64_t				 exp;
	size_t				 i;
	int				 n;

	for (i = 0; i < OIDC_NELEM(ccases); i++) {
		c = &ccases[i];
		n = with_exp(buf, sizeof(buf), c->json, NOW + c->exp_off);
		if (oidc_json_parse(a, buf, (size_t)n, 0, &j, &err) == -1) {
			ok(0, "%s: JSON parses", c->test);
			continue;
		}
		got = oidc_clientauth_assertion_claims(&ctx, str("rp1"), j,
		    TOKEN_EP, &exp, &jti);
		if (c->want == NULL) {
			if (!ok(got == NULL && exp == NOW + c->exp_off &&
			    oidc_str_eq_cstr(jti, "j1"), "%s", c->test))
				diag("got %s", got);
		} else if (!ok(got != NULL && strcmp(got, c->want) == 0, "%s",
		    c->test))
			diag("got %s, want %s", got != NULL ? got : "(accepted)",
			    c->want);
	}
	/* jti length: 256 bytes accepted, 257 refused. */
	memset(big, 'j', sizeof(big));
	for (n = 256; n <= 257; n++) {
		char	 doc[1024];
		int	 m;

		m = snprintf(doc, sizeof(doc), "{" ISS_SUB ",\"aud\":\"" ISSUER
		    "\",\"exp\":%lld,\"jti\":\"%.*s\"}", NOW + 60, n, big);
		got = oidc_json_parse(a, doc, (size_t)m, 0, &j, &err) == -1 ?
		    "unparsed" : oidc_clientauth_assertion_claims(&ctx,
		    str("rp1"), j, TOKEN_EP, &exp, &jti);
		ok(n == 256 ? got == NULL : got != NULL &&
		    strcmp(got, "assertion without jti") == 0,
		    "a jti of %d bytes: %s", n, n == 256 ? "accepted" :
		    "refused");
	}
}

/* ---- the choice of method ---------------------------------------------- */

struct method_case {
	const char		*test;
	const char		*basic;		/* base64, NULL: none */
	const char		*form;
	enum oidc_errcode	 want;		/* DB_DOWN: went on to look up */
	bool			 basic_tried;
};

#define B_RP1	"cnAxOnMzY3JldA=="	/* base64 of rp1:s3cret */

static const char	*long_assertion;	/* over OIDC_ASSERTION_MAX_LEN */
static const char	*rp1_assertion;		/* iss rp1, unsigned */

static const struct method_case mcases[] = {
	{ "client_secret_basic: looked up", B_RP1, "", OIDC_E_DB_DOWN,
	    true },
	{ "client_secret_basic with the same client_id: looked up",
	    B_RP1, "client_id=rp1", OIDC_E_DB_DOWN, true },
	{ "basic_client_id_mismatch", B_RP1, "client_id=rp2",
	    OIDC_E_INVALID_REQUEST, true },
	{ "client_secret_post: looked up", NULL,
	    "client_id=rp1&client_secret=s3cret", OIDC_E_DB_DOWN, false },
	{ "none (a public client_id): looked up", NULL, "client_id=rp1",
	    OIDC_E_DB_DOWN, false },
	{ "nothing at all: invalid_client", NULL, "grant_type=x",
	    OIDC_E_INVALID_CLIENT, false },
	{ "two_methods: Basic and client_secret", B_RP1,
	    "client_secret=s3cret", OIDC_E_INVALID_REQUEST, true },
	{ "two_methods: Basic and an assertion", B_RP1,
	    "client_assertion_type=" ATYPE "&client_assertion=a.b.c",
	    OIDC_E_INVALID_REQUEST, true },
	{ "two_methods: client_secret and an assertion", NULL,
	    "client_id=rp1&client_secret=s&client_assertion_type=" ATYPE
	    "&client_assertion=a.b.c", OIDC_E_INVALID_REQUEST, false },
	{ "two_methods: Basic and only an assertion type", B_RP1,
	    "client_assertion_type=" ATYPE, OIDC_E_INVALID_REQUEST, true },
	{ "an assertion of another type", NULL,
	    "client_assertion_type=urn%3Aother&client_assertion=a.b.c",
	    OIDC_E_INVALID_REQUEST, false },
	{ "an assertion without its type", NULL, "client_assertion=a.b.c",
	    OIDC_E_INVALID_REQUEST, false },
	{ "an assertion type without an assertion", NULL,
	    "client_assertion_type=" ATYPE, OIDC_E_INVALID_REQUEST, false },
	{ "a malformed assertion", NULL, "client_assertion_type=" ATYPE
	    "&client_assertion=notajwt", OIDC_E_INVALID_CLIENT, false },
	{ "an assertion over 8 KiB", NULL, "LONG", OIDC_E_INVALID_CLIENT,
	    false },
	{ "an assertion, client_id another client", NULL, "RP1&client_id=rp2",
	    OIDC_E_INVALID_CLIENT, false },
	{ "an assertion, client_id the same: looked up", NULL,
	    "RP1&client_id=rp1", OIDC_E_DB_DOWN, false },
	{ "an assertion alone: looked up", NULL, "RP1", OIDC_E_DB_DOWN,
	    false },
	{ "a malformed Basic header", "!!!", "", OIDC_E_INVALID_CLIENT, true },
};

static const char *
assertion_form(const char *payload)
{
	char	*p = oidc_b64url_encode(a, payload, strlen(payload));

	return oidc_arena_printf(a, "client_assertion_type=%s"
	    "&client_assertion=eyJhbGciOiJSUzI1NiJ9.%s.c2ln", ATYPE, p);
}

static void
test_methods(void)
{
	const struct method_case	*c;
	struct oidc_request		 req;
	struct oidc_response		 resp;
	struct oidc_client		 out;
	struct oidc_error		 err;
	const char			*form;
	char				*big;
	size_t				 i;
	int				 rc;

	big = oidc_arena_alloc(a, OIDC_ASSERTION_MAX_LEN + 64);
	memset(big, 'A', OIDC_ASSERTION_MAX_LEN + 1);
	big[OIDC_ASSERTION_MAX_LEN + 1] = '\0';
	long_assertion = oidc_arena_printf(a, "client_assertion_type=%s"
	    "&client_assertion=%s", ATYPE, big);
	rp1_assertion = assertion_form("{\"iss\":\"rp1\"}");

	for (i = 0; i < OIDC_NELEM(mcases); i++) {
		c = &mcases[i];
		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		memset(&out, 0, sizeof(out));
		memset(&err, 0, sizeof(err));
		snprintf(req.client_addr, sizeof(req.client_addr), "192.0.2.1");
		form = c->form;
		if (strcmp(form, "LONG") == 0)
			form = long_assertion;
		else if (strncmp(form, "RP1", 3) == 0)
			form = oidc_arena_printf(a, "%s%s", rp1_assertion,
			    form + 3);
		if (oidc_form_parse(a, form, strlen(form), &req.form,
		    &err) == -1) {
			ok(0, "%s: form parses", c->test);
			continue;
		}
		if (c->basic != NULL) {
			req.authorization = str(oidc_arena_printf(a, "Basic %s",
			    c->basic));
		}
		rc = oidc_client_authenticate(&ctx, &req, &resp, TOKEN_EP,
		    &out, &err);
		if (!ok(rc == -1 && err.code == c->want &&
		    resp.basic_auth_tried == c->basic_tried, "%s", c->test))
			diag("rc %d code %d (want %d) detail %s basic_tried %d",
			    rc, (int)err.code, (int)c->want, err.detail,
			    resp.basic_auth_tried);
	}
}

int
main(void)
{
	static const char	 conf[] = "issuer = " ISSUER "\n"
	    "database = dbname=x\n";
	struct oidc_error	 err = { 0 };

	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	if (oidc_config_parse(a, "t", conf, sizeof(conf) - 1, &cfg,
	    &err) == -1)
		return 1;
	ctx.a = a;
	ctx.cfg = &cfg;
	ctx.now = (time_t)NOW;
	/* A socket directory that does not exist: connecting fails at once. */
	ctx.db = oidc_db_new("host=/nonexistent/oidc-unit-test dbname=x "
	    "connect_timeout=1", 1);
	test_claims();
	if (ctx.db != NULL)
		test_methods();
	else
		ok(0, "oidc_db_new");
	oidc_db_free(ctx.db);
	oidc_arena_free(a);
	return done_testing();
}
