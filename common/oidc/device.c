/*
 * device.c: user codes and the device authorization endpoint of the
 * Device Authorization Grant (RFC 8628; see oidc/device.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/device.h"
#include "oidc/json.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"

/* RFC 8628 6.1: twenty consonants, no vowels (no words), no digits. */
static const char alphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
#define ALPHABET_LEN	20

/* How often a fresh user code may collide with a live one before 503. */
#define USER_CODE_TRIES	4

int
oidc_device_user_code_norm(const char *buf, size_t len,
    char out[OIDC_DEVICE_USER_CODE_LEN + 1])
{
	size_t	 i, n = 0;
	char	 c;

	out[0] = '\0';
	if (buf == NULL || len > OIDC_DEVICE_USER_CODE_MAX_INPUT)
		return -1;
	for (i = 0; i < len; i++) {
		c = buf[i];
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == '\0' || memchr(alphabet, c, ALPHABET_LEN) == NULL ||
		    n == OIDC_DEVICE_USER_CODE_LEN) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = c;
	}
	if (n != OIDC_DEVICE_USER_CODE_LEN) {
		out[0] = '\0';
		return -1;
	}
	out[n] = '\0';
	return 0;
}

int
oidc_device_user_code_new(char out[OIDC_DEVICE_USER_CODE_LEN + 1],
    struct oidc_error *err)
{
	unsigned char	 r[32];
	size_t		 n = 0, i;

	/* 240 = 12 * 20: bytes >= 240 are dropped, so no letter is favoured. */
	while (n < OIDC_DEVICE_USER_CODE_LEN) {
		if (oidc_random_bytes(r, sizeof(r), err) == -1)
			return -1;
		for (i = 0; i < sizeof(r) && n < OIDC_DEVICE_USER_CODE_LEN; i++)
			if (r[i] < 240)
				out[n++] = alphabet[r[i] % ALPHABET_LEN];
	}
	out[n] = '\0';
	return 0;
}

const char *
oidc_device_user_code_show(struct oidc_ctx *ctx, const char *canonical)
{
	return oidc_arena_printf(ctx->a, "%.4s-%.4s", canonical,
	    canonical + 4);
}

/*
 * The scope of the request as at /authorize: what the client may
 * receive; offline_access only for clients with the refresh_token grant
 * (the /device page always asks the user, so OIDC Core 11's consent is
 * given then).  Arena-owned, or NULL with err.
 */
static const char *
device_scope(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct oidc_error *err)
{
	struct oidc_scope	 s, keep = { .n = 0 };
	const char		*joined;
	size_t			 i;

	if (oidc_scope_parse(oidc_params_get(&req->form, "scope"), &s,
	    err) == -1) {
		err->code = OIDC_E_INVALID_SCOPE;
		return NULL;
	}
	oidc_scope_allowed(ctx->cfg, &s, c->scope);
	for (i = 0; i < s.n; i++)
		if ((c->grant_types & OIDC_GT_REFRESH_TOKEN) ||
		    !oidc_str_eq_cstr(s.v[i], "offline_access"))
			keep.v[keep.n++] = s.v[i];
	if ((joined = oidc_scope_join(ctx->a, &keep)) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return joined;
}

/* A new row under a fresh user code; *user set to it.  0 or -1. */
static int
insert_code(struct oidc_ctx *ctx, struct oidc_device_row *d,
    char user[OIDC_DEVICE_USER_CODE_LEN + 1], struct oidc_error *err)
{
	int	 i, rc;

	for (i = 0; i < USER_CODE_TRIES; i++) {
		if (oidc_device_user_code_new(user, err) == -1 ||
		    oidc_sha256(user, OIDC_DEVICE_USER_CODE_LEN,
		    d->user_code_hash, err) == -1)
			return -1;
		if ((rc = oidc_db_device_code_insert(ctx->db, d, err)) != 0)
			return rc == 1 ? 0 : -1;
	}
	return oidc_fail(err, OIDC_E_BUSY, "try again", "user codes collide");
}

static int
respond(struct oidc_ctx *ctx, struct oidc_response *resp, const char *code,
    const char *user, struct oidc_error *err)
{
	struct oidc_json	*j;
	const char		*shown, *uri, *complete;

	shown = oidc_device_user_code_show(ctx, user);
	uri = oidc_arena_printf(ctx->a, "%s/device", ctx->cfg->issuer);
	complete = oidc_arena_printf(ctx->a, "%s/device?user_code=%s",
	    ctx->cfg->issuer, shown != NULL ? shown : "");
	if (shown == NULL || uri == NULL || complete == NULL ||
	    (j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_json_set_cstr(j, "device_code", code, err) ||
	    oidc_json_set_cstr(j, "user_code", shown, err) ||
	    oidc_json_set_cstr(j, "verification_uri", uri, err) ||
	    oidc_json_set_cstr(j, "verification_uri_complete", complete,
	    err) ||
	    oidc_json_set_i64(j, "expires_in", ctx->cfg->device_code_ttl,
	    err) ||
	    oidc_json_set_i64(j, "interval", ctx->cfg->device_interval, err) ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, 200, j, err);
}

int
oidc_device_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_client	 client;
	struct oidc_device_row	 d;
	char			 user[OIDC_DEVICE_USER_CODE_LEN + 1];
	const char		*endpoint, *code, *scope;

	if (!ctx->cfg->device_grant || !oidc_str_eq_cstr(req->path,
	    "/device_authorization"))
		return oidc_fail(err, OIDC_E_NOT_FOUND, "not found",
		    "device grant off or unknown path");
	if (req->method != OIDC_METHOD_POST)
		return oidc_fail(err, OIDC_E_METHOD_NOT_ALLOWED,
		    "method not allowed", "method");
	if ((endpoint = oidc_arena_printf(ctx->a, "%s/device_authorization",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_client_authenticate(ctx, req, resp, endpoint, &client,
	    err) == -1)
		return -1;
	if (!(client.grant_types & OIDC_GT_DEVICE_CODE))
		return oidc_fail(err, OIDC_E_UNAUTHORIZED_CLIENT,
		    "the client may not use this grant type", "grant type");
	if ((scope = device_scope(ctx, req, &client, err)) == NULL)
		return -1;
	memset(&d, 0, sizeof(d));
	d.client_id = client.client_id;
	d.scope = (struct oidc_str){ scope, strlen(scope) };
	d.interval = ctx->cfg->device_interval;
	d.ttl = ctx->cfg->device_code_ttl;
	if ((code = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    d.code_hash, err)) == NULL || insert_code(ctx, &d, user,
	    err) == -1)
		return -1;
	return respond(ctx, resp, code, user, err);
}
