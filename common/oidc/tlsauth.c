/*
 * tlsauth.c: client authentication by TLS certificate (see
 * oidc/tlsauth.h).
 */
#include <string.h>

#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/json.h"
#include "oidc/mtls.h"
#include "oidc/request.h"
#include "oidc/tlsauth.h"
#include "oidc/x5t.h"

/* RFC 8705 2.1.2: exactly one of these; the SANs by enum oidc_san. */
static const struct {
	const char	*name;
	enum oidc_san	 kind;
} members[] = {
	{ "tls_client_auth_subject_dn", 0 },
	{ "tls_client_auth_san_dns", OIDC_SAN_DNS },
	{ "tls_client_auth_san_uri", OIDC_SAN_URI },
	{ "tls_client_auth_san_ip", OIDC_SAN_IP },
	{ "tls_client_auth_san_email", OIDC_SAN_EMAIL },
};

static int
invalid_client(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT,
	    "client authentication failed", "tlsauth: %s", why);
}

static int
bad_meta(struct oidc_error *err, const char *msg)
{
	return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA, msg, "%s", msg);
}

/*
 * The x5t#S256 of key i's x5c[0] into out: 1, 0 (the key has no x5c),
 * -1 with err (malformed).
 */
static int
key_x5t(const struct oidc_json *keys, size_t i, char out[OIDC_X5T_LEN + 1],
    struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_json	*k, *x5c;
	struct oidc_str		 der;
	int			 rc;

	if ((k = oidc_json_array_get(keys, i)) == NULL ||
	    oidc_json_type_of(k) != OIDC_JSON_OBJECT)
		return bad_meta(err, "jwks keys must be objects");
	if ((rc = oidc_json_get_array(k, "x5c", &x5c, &tmp)) == 0)
		return 0;
	if (rc == -1 || oidc_json_array_len(x5c) == 0 ||
	    oidc_json_as_str(oidc_json_array_get(x5c, 0), &der) == -1)
		return bad_meta(err, "x5c must be an array of base64 DER "
		    "certificates");
	if (oidc_x5c_s256(der.p, der.len, out, err) == -1)
		return -1;
	return 1;
}

/* The registered jwks "keys" array, at most OIDC_TLSAUTH_MAX_KEYS long. */
static int
jwks_keys(const struct oidc_json *m, struct oidc_json **keys,
    struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_json	*jwks;

	if (oidc_json_get_obj(m, "jwks", &jwks, &tmp) != 1 ||
	    oidc_json_get_array(jwks, "keys", keys, &tmp) != 1)
		return bad_meta(err, "self_signed_tls_client_auth needs jwks "
		    "(by value) with the client's certificate in x5c");
	if (oidc_json_array_len(*keys) > OIDC_TLSAUTH_MAX_KEYS)
		return bad_meta(err, "too many keys in jwks");
	return 0;
}

static int
self_signed_meta(const struct oidc_json *in, struct oidc_error *err)
{
	struct oidc_json	*keys;
	char			 x5t[OIDC_X5T_LEN + 1];
	size_t			 i, n, found = 0;
	int			 rc;

	if (jwks_keys(in, &keys, err) == -1)
		return -1;
	n = oidc_json_array_len(keys);
	for (i = 0; i < n; i++) {
		if ((rc = key_x5t(keys, i, x5t, err)) == -1)
			return -1;
		found += (size_t)rc;
	}
	if (found == 0)
		return bad_meta(err, "self_signed_tls_client_auth needs a jwks "
		    "key with the client's certificate in x5c");
	return 0;
}

/*
 * The one tls_client_auth_* member of m: its index in members[] and its
 * value, or -1 (none, several, or not a string of 1..MAX_DN bytes).
 */
static int
which_member(const struct oidc_json *m, struct oidc_str *v)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	size_t			 i;
	int			 found = -1;

	for (i = 0; i < OIDC_NELEM(members); i++) {
		if (!oidc_json_has_key(m, members[i].name))
			continue;
		if (found != -1 || oidc_json_get_str(m, members[i].name, &s,
		    &tmp) != 1 || s.len == 0 || s.len > OIDC_TLSAUTH_MAX_DN) {
			oidc_error_clear(&tmp);
			return -1;
		}
		found = (int)i;
		*v = s;
	}
	return found;
}

static int
tls_client_meta(const struct oidc_json *in, struct oidc_error *err)
{
	struct oidc_str	 v;

	if (which_member(in, &v) == -1)
		return bad_meta(err, "tls_client_auth needs exactly one of "
		    "tls_client_auth_subject_dn, _san_dns, _san_uri, _san_ip, "
		    "_san_email: a non-empty string");
	return 0;
}

int
oidc_tlsauth_normalize(const struct oidc_json *in, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s;
	enum oidc_auth_method	 m = OIDC_AUTH_SECRET_BASIC;

	if (oidc_json_get_str(in, "token_endpoint_auth_method", &s, &tmp) == 1)
		m = oidc_auth_method_parse(s);
	if (m == OIDC_AUTH_TLS_CLIENT)
		return tls_client_meta(in, err);
	if (m == OIDC_AUTH_SELF_SIGNED_TLS)
		return self_signed_meta(in, err);
	return 0;
}

/* RFC 8705 2.2: the certificate is one of the registered ones. */
static int
self_signed_ok(const struct oidc_client *c, struct oidc_str x5t,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_json	*keys;
	char			 reg[OIDC_X5T_LEN + 1];
	size_t			 i, n;
	bool			 ok = false;

	if (jwks_keys(c->metadata, &keys, &why) == -1) {
		oidc_error_clear(&why);
		return invalid_client(err, "no jwks with x5c");
	}
	n = oidc_json_array_len(keys);
	for (i = 0; i < n; i++) {
		if (key_x5t(keys, i, reg, &why) != 1) {
			oidc_error_clear(&why);
			continue;
		}
		/* Public values, but no harm in a constant-time compare. */
		if (oidc_str_eq_secret(x5t, (struct oidc_str){ reg,
		    OIDC_X5T_LEN }))
			ok = true;
	}
	return ok ? 0 : invalid_client(err, "certificate not registered");
}

/*
 * RFC 8705 2.1: the web server verified the chain; the subject DN (as
 * the web server writes it) or the SAN matches the registered one.
 */
static int
tls_client_ok(const struct oidc_request *req, const struct oidc_client *c,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_str		 v, got, reg;
	int			 i;

	if (oidc_request_env(req, OIDC_TLSAUTH_VERIFY_PARAM, 64, &v) != 1 ||
	    !oidc_str_eq_cstr(v, "SUCCESS"))
		return invalid_client(err, "certificate chain not verified");
	if ((i = which_member(c->metadata, &reg)) == -1)
		return invalid_client(err, "no tls_client_auth_* member");
	if (i == 0) {
		if (oidc_request_env(req, OIDC_TLSAUTH_DN_PARAM,
		    OIDC_TLSAUTH_MAX_DN, &got) != 1 || !oidc_str_eq(got, reg))
			return invalid_client(err, "subject DN mismatch");
		return 0;
	}
	if (oidc_request_env(req, OIDC_MTLS_PARAM, OIDC_X5T_MAX_INPUT,
	    &got) != 1 || oidc_x5t_san_match(got.p, got.len, members[i].kind,
	    reg.p, reg.len, &why) != 1) {
		oidc_error_clear(&why);
		return invalid_client(err, "subjectAltName mismatch");
	}
	return 0;
}

int
oidc_tlsauth_check(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_str		 x5t;

	if (!ctx->cfg->mtls_client_auth)
		return invalid_client(err, "mtls_client_auth is off");
	if (oidc_mtls_cert(ctx->a, req, &x5t, &why) != 1) {
		oidc_error_clear(&why);
		return invalid_client(err, "no usable client certificate");
	}
	if (c->auth_method == OIDC_AUTH_SELF_SIGNED_TLS)
		return self_signed_ok(c, x5t, err);
	if (c->auth_method == OIDC_AUTH_TLS_CLIENT)
		return tls_client_ok(req, c, err);
	return invalid_client(err, "not a TLS method");
}
