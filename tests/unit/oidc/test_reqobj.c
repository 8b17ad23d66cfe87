/*
 * test_reqobj.c: the rules of request objects (common/oidc/reqobj.c,
 * oidc/reqobj.h) through oidc_reqobj_merge(), without a database: unsigned
 * objects, and HS256 objects as the pages carry them (OIDC_REQOBJ_CARRIED,
 * no jti ledger).
 *
 * Security regressions: reqobj_alg_downgrade (none from a client that
 * registered RS256), reqobj_other_audience, reqobj_expired, reqobj_nested,
 * reqobj_page_fields (a member that is no authorization parameter is never
 * merged).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/form.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/reqobj.h"

#include "tap.h"

#define ISSUER	"https://id.example"
#define CID	"rp1"
#define NOW	1700000000LL
#define SECRET	"a client secret of thirty-two bytes or more, surely"

static struct oidc_arena	*a;
static struct oidc_config	 cfg, cfg_signed;
static struct oidc_ctx		 ctx;

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, strlen(s) };
}

static void
make_config(struct oidc_config *c, const char *extra)
{
	struct oidc_error	 err = { 0 };
	char			 buf[512];
	int			 n;

	n = snprintf(buf, sizeof(buf), "issuer = " ISSUER "\n"
	    "database = dbname=x\n%s", extra);
	if (oidc_config_parse(a, "t", buf, (size_t)n, c, &err) == -1) {
		diag("config: %s", err.detail);
		ok(0, "config parses");
	}
}

/* A client CID whose metadata is the JSON text md. */
static struct oidc_client
client(const char *md)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client	 c;

	memset(&c, 0, sizeof(c));
	c.client_id = str(CID);
	c.secret.legacy = str(SECRET);
	if (oidc_json_parse(a, md, strlen(md), 0, &c.metadata, &err) == -1)
		ok(0, "metadata parses: %s", md);
	return c;
}

/* header.payload. with header {"alg":"none"}. */
static const char *
unsigned_jwt(const char *payload)
{
	static const char	 hdr[] = "{\"alg\":\"none\"}";
	char			*h, *p, *out;
	size_t			 n;

	h = oidc_b64url_encode(a, hdr, sizeof(hdr) - 1);
	p = oidc_b64url_encode(a, payload, strlen(payload));
	n = strlen(h) + strlen(p) + 3;
	out = oidc_arena_alloc(a, n);
	snprintf(out, n, "%s.%s.", h, p);
	return out;
}

/* payload signed with HS256 under SECRET. */
static const char *
hs256_jwt(const char *payload)
{
	struct oidc_error	 err = { 0 };
	struct oidc_jwk		*k;
	char			 doc[256];
	char			*kv, *jwt;
	int			 n;

	kv = oidc_b64url_encode(a, SECRET, strlen(SECRET));
	n = snprintf(doc, sizeof(doc), "{\"kty\":\"oct\",\"k\":\"%s\"}", kv);
	if ((k = oidc_jwk_parse_json(a, doc, (size_t)n, &err)) == NULL) {
		ok(0, "oct key parses: %s", err.detail);
		return "";
	}
	jwt = oidc_jws_sign(a, k, OIDC_JWS_HS256, NULL, payload,
	    strlen(payload), NULL, &err);
	oidc_jwk_free(k);
	if (jwt == NULL) {
		ok(0, "HS256 signs: %s", err.detail);
		return "";
	}
	return jwt;
}

static struct oidc_params
query_of(const char *form)
{
	struct oidc_error	 err = { 0 };
	struct oidc_params	 q = { NULL, 0 };

	if (oidc_form_parse(a, form, strlen(form), &q, &err) == -1)
		ok(0, "query parses: %s", form);
	return q;
}

#define Q	"client_id=" CID "&response_type=code&state=from-query"

struct merge_case {
	const char	*test;
	const char	*md;		/* client metadata */
	bool		 hs256;		/* signed (else alg none) */
	bool		 require_signed;
	const char	*payload;	/* %lld: NOW */
	const char	*query;
	bool		 want;
};

static const struct merge_case cases[] = {
	{ "unsigned, no alg registered: accepted", "{}", false, false,
	    "{\"iss\":\"" CID "\",\"aud\":\"" ISSUER "\",\"state\":\"o\"}",
	    Q, true },
	{ "unsigned, no claims but parameters: accepted", "{}", false, false,
	    "{\"state\":\"o\"}", Q, true },
	{ "unsigned, registered none: accepted",
	    "{\"request_object_signing_alg\":\"none\"}", false, false,
	    "{\"state\":\"o\"}", Q, true },
	{ "reqobj_alg_downgrade: unsigned, registered RS256: refused",
	    "{\"request_object_signing_alg\":\"RS256\"}", false, false,
	    "{\"state\":\"o\"}", Q, false },
	{ "unsigned, request_object_require_signed: refused", "{}", false,
	    true, "{\"state\":\"o\"}", Q, false },
	{ "HS256, registered RS256: refused",
	    "{\"request_object_signing_alg\":\"RS256\"}", true, false,
	    "{\"exp\":%lld}", Q, false },
	{ "HS256 with exp, nothing registered: accepted", "{}", true, true,
	    "{\"exp\":%lld}", Q, true },
	{ "HS256 without exp: refused (a signed object needs exp)", "{}",
	    true, false, "{\"state\":\"o\"}", Q, false },
	{ "iss another client: refused", "{}", false, false,
	    "{\"iss\":\"rp2\"}", Q, false },
	{ "client_id another client: refused", "{}", false, false,
	    "{\"client_id\":\"rp2\"}", Q, false },
	{ "client_id the client: accepted", "{}", false, false,
	    "{\"client_id\":\"" CID "\"}", Q, true },
	{ "response_type differs from the query's: refused", "{}", false,
	    false, "{\"response_type\":\"id_token\"}", Q, false },
	{ "response_type equals the query's: accepted", "{}", false, false,
	    "{\"response_type\":\"code\"}", Q, true },
	{ "response_type only in the object: accepted", "{}", false, false,
	    "{\"response_type\":\"id_token\"}", "client_id=" CID, true },
	{ "reqobj_other_audience: refused", "{}", false, false,
	    "{\"aud\":\"https://other.example\"}", Q, false },
	{ "aud list naming the issuer: accepted", "{}", false, false,
	    "{\"aud\":[\"https://other.example\",\"" ISSUER "\"]}", Q, true },
	{ "aud list without the issuer: refused", "{}", false, false,
	    "{\"aud\":[\"https://other.example\"]}", Q, false },
	{ "reqobj_expired: exp 61 s ago: refused", "{}", false, false,
	    "{\"exp\":%lld-61}", Q, false },
	{ "exp 60 s ago (leeway): accepted", "{}", false, false,
	    "{\"exp\":%lld-60}", Q, true },
	{ "nbf 61 s ahead: refused", "{}", false, false,
	    "{\"nbf\":%lld+61}", Q, false },
	{ "nbf 60 s ahead (leeway): accepted", "{}", false, false,
	    "{\"nbf\":%lld+60}", Q, true },
	{ "exp not a number: refused", "{}", false, false,
	    "{\"exp\":\"soon\"}", Q, false },
	{ "reqobj_nested: request inside: refused", "{}", false, false,
	    "{\"request\":\"a.b.\"}", Q, false },
	{ "reqobj_nested: request_uri inside: refused", "{}", false, false,
	    "{\"request_uri\":\"https://rp.example/r\"}", Q, false },
	{ "payload not JSON: refused", "{}", false, false, "state=o", Q,
	    false },
};

/*
 * "%lld-61" style offsets: the payload template with NOW substituted and
 * the arithmetic done here (JSON has no expressions).
 */
static const char *
payload_of(const char *tmpl)
{
	const char	*p;
	char		*out;
	long long	 off = 0;
	size_t		 n;

	if ((p = strstr(tmpl, "%lld")) == NULL)
		return tmpl;
	n = strlen(tmpl) + 32;
	out = oidc_arena_alloc(a, n);
	if (p[4] == '-' || p[4] == '+') {
		off = (p[4] == '-' ? -1 : 1) * (long long)(p[5] - '0') * 10 +
		    (p[4] == '-' ? -1 : 1) * (long long)(p[6] - '0');
		snprintf(out, n, "%.*s%lld%s", (int)(p - tmpl), tmpl,
		    NOW + off, p + 7);
	} else
		snprintf(out, n, "%.*s%lld%s", (int)(p - tmpl), tmpl, NOW,
		    p + 4);
	return out;
}

static void
test_rules(void)
{
	const struct merge_case	*c;
	struct oidc_client	 cl;
	struct oidc_params	 q, out;
	struct oidc_error	 err;
	const char		*pl, *jwt;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		ctx.cfg = c->require_signed ? &cfg_signed : &cfg;
		cl = client(c->md);
		pl = payload_of(c->payload);
		jwt = c->hs256 ? hs256_jwt(pl) : unsigned_jwt(pl);
		q = query_of(c->query);
		memset(&err, 0, sizeof(err));
		rc = oidc_reqobj_merge(&ctx, &cl, str(jwt), &q,
		    OIDC_REQOBJ_CARRIED, &out, &err);
		ok(rc == (c->want ? 0 : -1) && (c->want ||
		    err.code == OIDC_E_INVALID_REQUEST_OBJECT), "%s", c->test);
		if (rc != (c->want ? 0 : -1))
			diag("payload %s: %s", pl, err.detail);
	}
	ctx.cfg = &cfg;
}

static void
test_shape(void)
{
	struct oidc_client	 cl = client("{}");
	struct oidc_params	 q = query_of(Q), out;
	struct oidc_error	 err = { 0 };
	const char		*jwt;
	char			 big[OIDC_REQOBJ_MAX_LEN + 16];

	/* An unsigned object must have an empty signature. */
	jwt = unsigned_jwt("{\"state\":\"o\"}");
	ok(oidc_reqobj_merge(&ctx, &cl, str(oidc_arena_printf(a, "%sAAAA",
	    jwt)), &q, OIDC_REQOBJ_CARRIED, &out, &err) == -1,
	    "alg none with a signature: refused");
	/* A tampered HS256 signature. */
	jwt = hs256_jwt("{\"exp\":1800000000}");
	err = (struct oidc_error){ 0 };
	ok(oidc_reqobj_merge(&ctx, &cl, str(oidc_arena_printf(a, "%.*sx",
	    (int)strlen(jwt) - 1, jwt)), &q, OIDC_REQOBJ_CARRIED, &out,
	    &err) == -1, "HS256 with a bad signature: refused");
	err = (struct oidc_error){ 0 };
	ok(oidc_reqobj_merge(&ctx, &cl, str("eyJhbGciOiJYWDI1NiJ9.e30.AAAA"),
	    &q, OIDC_REQOBJ_CARRIED, &out, &err) == -1,
	    "an unknown alg (XX256): refused");
	err = (struct oidc_error){ 0 };
	ok(oidc_reqobj_merge(&ctx, &cl, str("not-a-jwt"), &q,
	    OIDC_REQOBJ_CARRIED, &out, &err) == -1, "no dots: refused");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, unsigned_jwt("{}"), strlen(unsigned_jwt("{}")));
	err = (struct oidc_error){ 0 };
	ok(oidc_reqobj_merge(&ctx, &cl, str(big), &q, OIDC_REQOBJ_CARRIED,
	    &out, &err) == -1 && strstr(err.detail, "too large") != NULL,
	    "over OIDC_REQOBJ_MAX_LEN: refused as too large");
}

/* What is merged: the object's authorization parameters win. */
static void
test_merge(void)
{
	struct oidc_client	 cl = client("{}");
	struct oidc_params	 q = query_of(Q "&nonce=qn&password=q"), out;
	struct oidc_error	 err = { 0 };
	const char		*jwt;

	jwt = unsigned_jwt("{\"state\":\"from-object\",\"max_age\":30,"
	    "\"claims\":{\"userinfo\":{\"email\":null}},\"login_hint\":null,"
	    "\"password\":\"p\",\"action\":\"allow\",\"csrf\":\"c\","
	    "\"decision\":\"allow\",\"username\":\"u\"}");
	if (!ok(oidc_reqobj_merge(&ctx, &cl, str(jwt), &q, 0, &out, &err) ==
	    0, "merge: an unsigned object needs no jti ledger")) {
		diag("%s", err.detail);
		return;
	}
	is_str(oidc_params_get(&out, "state").p, "from-object",
	    "merge: the object's state wins over the query's");
	is_str(oidc_params_get(&out, "max_age").p, "30",
	    "merge: a number member as its JSON text");
	is_str(oidc_params_get(&out, "claims").p,
	    "{\"userinfo\":{\"email\":null}}",
	    "merge: an object member as its JSON text");
	ok(oidc_params_get(&out, "login_hint").p == NULL,
	    "merge: a null member is left out");
	is_str(oidc_params_get(&out, "nonce").p, "qn",
	    "merge: the query fills in what the object does not set");
	is_str(oidc_params_get(&out, "client_id").p, CID,
	    "merge: the query's client_id stays");
	/* The query's own password stays; the object's is never merged. */
	is_str(oidc_params_get(&out, "password").p, "q",
	    "reqobj_page_fields: the object's password is not merged");
	ok(oidc_params_get(&out, "action").p == NULL &&
	    oidc_params_get(&out, "csrf").p == NULL &&
	    oidc_params_get(&out, "decision").p == NULL &&
	    oidc_params_get(&out, "username").p == NULL,
	    "reqobj_page_fields: action, csrf, decision, username not merged");
}

int
main(void)
{
	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	make_config(&cfg, "");
	make_config(&cfg_signed, "request_object_require_signed = yes\n");
	ctx.a = a;
	ctx.cfg = &cfg;
	ctx.now = (time_t)NOW;
	test_rules();
	test_shape();
	test_merge();
	oidc_arena_free(a);
	return done_testing();
}
