/*
 * cors.c: CORS for browser-based clients (see oidc/cors.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/cors.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/request.h"
#include "oidc/response.h"

struct oidc_str
oidc_cors_origin_of(struct oidc_str uri)
{
	const char	*p, *end = uri.p + uri.len;

	if (uri.p == NULL || (p = memchr(uri.p, ':', uri.len)) == NULL ||
	    end - p < 3 || p[1] != '/' || p[2] != '/')
		return OIDC_STR_NULL;
	for (p += 3; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	return (struct oidc_str){ uri.p, (size_t)(p - uri.p) };
}

static int
allow(struct oidc_ctx *ctx, struct oidc_response *resp, struct oidc_str origin,
    struct oidc_error *err)
{
	char	*o;

	if ((o = oidc_arena_strndup(ctx->a, origin.p, origin.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	resp->cors_origin = o;
	return oidc_resp_cors(resp, err);
}

bool
oidc_cors_origin_ok(struct oidc_str origin)
{
	struct oidc_str	 o;
	const char	*colon;

	/* SECURITY: printable, no CR/LF, bounded: it is echoed into a header. */
	if (origin.p == NULL || origin.len == 0 ||
	    origin.len > OIDC_CORS_MAX_ORIGIN ||
	    !oidc_str_is_vschar(origin.p, origin.len))
		return false;
	/* Its own origin, with a host: no path, query or fragment. */
	o = oidc_cors_origin_of(origin);
	if (o.p == NULL || o.len != origin.len)
		return false;
	colon = memchr(o.p, ':', o.len);
	return (size_t)(colon - o.p) + 3 < o.len;
}

int
oidc_cors_allow(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct oidc_str origin, const struct oidc_str *uris, size_t n,
    struct oidc_error *err)
{
	size_t	 i;

	if (!oidc_cors_origin_ok(origin))
		return 0;
	for (i = 0; i < n; i++)
		if (oidc_str_eq(oidc_cors_origin_of(uris[i]), origin))
			return allow(ctx, resp, origin, err);
	return 0;
}

int
oidc_cors_preflight(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *methods, struct oidc_error *err)
{
	int	 rc;

	resp->status = 204;
	/* Only a serialized origin is looked up (the stored origins). */
	if (!oidc_cors_origin_ok(req->origin))
		return 0;
	if ((rc = oidc_db_origin_known(ctx->db, req->origin, err)) == -1)
		return -1;
	if (rc == 0)
		return 0;
	if (allow(ctx, resp, req->origin, err) == -1 ||
	    oidc_resp_header(resp, "Access-Control-Allow-Methods", methods,
	    err) == -1 ||
	    oidc_resp_header(resp, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, DPoP", err) == -1 ||
	    oidc_resp_header(resp, "Access-Control-Max-Age", "600", err) == -1)
		return -1;
	return 0;
}
