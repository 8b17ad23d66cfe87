/*
 * mtls.c: certificate-bound tokens (see oidc/mtls.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/mtls.h"
#include "oidc/request.h"

int
oidc_mtls_cert(struct oidc_arena *a, const struct oidc_request *req,
    struct oidc_str *x5t, struct oidc_error *err)
{
	struct oidc_str	 v;
	char		 h[OIDC_X5T_LEN + 1];
	char		*s;
	int		 rc;

	*x5t = OIDC_STR_NULL;
	rc = oidc_request_env(req, OIDC_MTLS_PARAM, OIDC_X5T_MAX_INPUT, &v);
	if (rc == 0)
		return 0;
	if (rc == -1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is too long", "mtls: over %d bytes",
		    OIDC_X5T_MAX_INPUT);
	if (oidc_x5t_s256(v.p, v.len, h, err) == -1)
		return -1;
	if ((s = oidc_arena_strndup(a, h, OIDC_X5T_LEN)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	*x5t = (struct oidc_str){ s, OIDC_X5T_LEN };
	return 1;
}

int
oidc_mtls_resource_check(struct oidc_arena *a, const struct oidc_request *req,
    struct oidc_str bound, struct oidc_error *err)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_str		 x5t;

	if (bound.p == NULL)
		return 0;
	/* A bad certificate is no certificate: the token is refused. */
	if (oidc_mtls_cert(a, req, &x5t, &ignored) != 1) {
		oidc_error_clear(&ignored);
		return oidc_fail(err, OIDC_E_INVALID_TOKEN, "the access token "
		    "is certificate-bound: present its client certificate",
		    "mtls: bound token without certificate");
	}
	if (!oidc_str_eq(bound, x5t))
		return oidc_fail(err, OIDC_E_INVALID_TOKEN, "the client "
		    "certificate is not the one the access token is bound to",
		    "mtls: x5t mismatch");
	return 0;
}

int
oidc_mtls_refresh_ok(struct oidc_str bound, struct oidc_str presented,
    struct oidc_error *err)
{
	if (bound.p == NULL)
		return 0;
	if (presented.p == NULL || !oidc_str_eq(bound, presented))
		return oidc_fail(err, OIDC_E_INVALID_GRANT, "the refresh token "
		    "is certificate-bound: present its client certificate",
		    "mtls: refresh x5t mismatch");
	return 0;
}

int
oidc_mtls_introspect(struct oidc_arena *a, struct oidc_json *j,
    struct oidc_str x5t, struct oidc_error *err)
{
	struct oidc_json	*cnf;

	if (x5t.p == NULL)
		return 0;
	if ((cnf = oidc_json_new_object(a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_str(cnf, "x5t#S256", x5t.p, x5t.len, err) == -1 ||
	    oidc_json_set_obj(j, "cnf", cnf, err) == -1)
		return -1;
	return 0;
}
