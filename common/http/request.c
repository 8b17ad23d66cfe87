/*
 * request.c: building struct oidc_request from FastCGI parameters and the
 * body (see oidc/request.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/netaddr.h"
#include "oidc/request.h"

static const struct {
	const char		*name;
	enum oidc_method	 m;
} methods[] = {
	{ "GET", OIDC_METHOD_GET },
	{ "POST", OIDC_METHOD_POST },
	{ "OPTIONS", OIDC_METHOD_OPTIONS },
	{ "HEAD", OIDC_METHOD_HEAD },
	{ "PUT", OIDC_METHOD_PUT },
	{ "DELETE", OIDC_METHOD_DELETE },
};

/* A header as a counted string, refusing oversized values. */
static int
header(oidc_param_fn get, void *arg, const char *name, struct oidc_str *out,
    struct oidc_error *err)
{
	const char	*v = get(arg, name);
	size_t		 len;

	if (v == NULL) {
		*out = OIDC_STR_NULL;
		return 0;
	}
	len = strlen(v);
	if (len > OIDC_REQUEST_MAX_HEADER)
		return oidc_fail(err, OIDC_E_LIMIT, "request header too large",
		    "%s: %zu bytes", name, len);
	*out = (struct oidc_str){ v, len };
	return 0;
}

/* "application/x-www-form-urlencoded" with optional parameters. */
static bool
media_type_is(struct oidc_str ct, const char *want)
{
	size_t	 n = 0;

	while (n < ct.len && ct.p[n] != ';' && ct.p[n] != ' ')
		n++;
	return oidc_str_eq_nocase((struct oidc_str){ ct.p, n }, want);
}

static int
read_body(struct oidc_arena *a, oidc_read_fn rd, void *rarg, size_t len,
    struct oidc_str *out, struct oidc_error *err)
{
	char	*buf;
	size_t	 got = 0;
	long	 n;

	if ((buf = oidc_arena_alloc(a, len + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	while (got < len) {
		n = rd(rarg, buf + got, len - got);
		if (n <= 0)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "request body shorter than Content-Length",
			    "body: got %zu of %zu bytes", got, len);
		got += (size_t)n;
	}
	buf[len] = '\0';
	*out = (struct oidc_str){ buf, len };
	return 0;
}

/*
 * lighttpd sends no DOCUMENT_URI; the CGI pair SCRIPT_NAME + PATH_INFO
 * (RFC 3875 4.1.5, 4.1.13; both decoded, as nginx's DOCUMENT_URI is)
 * names the same path.
 */
static int
cgi_path(struct oidc_arena *a, oidc_param_fn get, void *arg,
    struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_str	 sn, pi;
	char		*p;

	if (header(get, arg, "SCRIPT_NAME", &sn, err) == -1 ||
	    header(get, arg, "PATH_INFO", &pi, err) == -1)
		return -1;
	if (sn.p == NULL)
		return 0;
	if (sn.len + pi.len > OIDC_REQUEST_MAX_HEADER)
		return oidc_fail(err, OIDC_E_LIMIT, "request header too large",
		    "SCRIPT_NAME + PATH_INFO: %zu bytes", sn.len + pi.len);
	if ((p = oidc_arena_alloc(a, sn.len + pi.len + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	memcpy(p, sn.p, sn.len);
	if (pi.len > 0)
		memcpy(p + sn.len, pi.p, pi.len);
	p[sn.len + pi.len] = '\0';
	*out = (struct oidc_str){ p, sn.len + pi.len };
	return 0;
}

int
oidc_request_parse(struct oidc_arena *a, oidc_param_fn get, void *parg,
    oidc_read_fn rd, void *rarg, size_t max_body, enum oidc_body_kind kind,
    struct oidc_request *req, struct oidc_error *err)
{
	struct oidc_str	 m, qs, cl;
	const char	*xff;
	uint64_t	 len = 0;
	size_t		 i;

	*req = (struct oidc_request){ .method = OIDC_METHOD_OTHER,
	    .env = get, .env_arg = parg };
	memcpy(req->client_addr, "unknown", sizeof("unknown"));
	if (header(get, parg, "REQUEST_METHOD", &m, err) == -1)
		return -1;
	for (i = 0; i < OIDC_NELEM(methods); i++)
		if (oidc_str_eq_cstr(m, methods[i].name))
			req->method = methods[i].m;
	if (header(get, parg, "DOCUMENT_URI", &req->path, err) == -1 ||
	    header(get, parg, "CONTENT_TYPE", &req->content_type, err) == -1 ||
	    header(get, parg, "HTTP_AUTHORIZATION", &req->authorization,
	    err) == -1 ||
	    header(get, parg, "HTTP_DPOP", &req->dpop, err) == -1 ||
	    header(get, parg, "HTTP_COOKIE", &req->cookie, err) == -1 ||
	    header(get, parg, "HTTP_ORIGIN", &req->origin, err) == -1 ||
	    header(get, parg, "HTTP_IF_NONE_MATCH", &req->if_none_match,
	    err) == -1 ||
	    header(get, parg, "REMOTE_ADDR", &req->remote_addr, err) == -1 ||
	    header(get, parg, "CONTENT_LENGTH", &cl, err) == -1)
		return -1;
	if (req->path.p == NULL && cgi_path(a, get, parg, &req->path, err) ==
	    -1)
		return -1;
	/*
	 * X-Forwarded-For is a hint that only a trusted proxy's word makes
	 * true (oidc/netaddr.h): an oversized one is ignored, not an error.
	 */
	if ((xff = get(parg, "HTTP_X_FORWARDED_FOR")) != NULL &&
	    (i = strnlen(xff, OIDC_REQUEST_MAX_HEADER + 1)) <=
	    OIDC_REQUEST_MAX_HEADER)
		req->forwarded_for = (struct oidc_str){ xff, i };

	qs = (struct oidc_str){ get(parg, "QUERY_STRING"), 0 };
	if (qs.p != NULL) {
		qs.len = strlen(qs.p);
		if (oidc_form_parse(a, qs.p, qs.len, &req->query, err) == -1)
			return -1;
	}

	if (req->method != OIDC_METHOD_POST && req->method != OIDC_METHOD_PUT)
		return 0;
	/* An empty CONTENT_LENGTH is how nginx says "no body". */
	if (cl.len > 0 && oidc_parse_u64(cl.p, cl.len, 0, UINT64_MAX, &len)
	    == -1)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "invalid Content-Length", "CONTENT_LENGTH not a number");
	if (len > max_body)
		return oidc_fail(err, OIDC_E_BODY_TOO_LARGE,
		    "request body too large",
		    "body %llu > %zu", (unsigned long long)len, max_body);
	if (len == 0)
		return 0;
	req->has_body = true;
	if (kind == OIDC_BODY_FORM &&
	    !media_type_is(req->content_type,
	    "application/x-www-form-urlencoded"))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "Content-Type must be application/x-www-form-urlencoded",
		    "unexpected content type");
	if (kind == OIDC_BODY_JSON &&
	    !media_type_is(req->content_type, "application/json"))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "Content-Type must be application/json",
		    "unexpected content type");
	if (read_body(a, rd, rarg, (size_t)len, &req->body, err) == -1)
		return -1;
	if (kind == OIDC_BODY_FORM)
		return oidc_form_parse(a, req->body.p, req->body.len,
		    &req->form, err);
	return 0;
}

int
oidc_request_env(const struct oidc_request *req, const char *name,
    size_t max, struct oidc_str *out)
{
	const char	*v;
	size_t		 len;

	if (req->env == NULL || (v = req->env(req->env_arg, name)) == NULL ||
	    *v == '\0')
		return 0;
	if ((len = strnlen(v, max + 1)) > max)
		return -1;
	*out = (struct oidc_str){ v, len };
	return 1;
}

struct oidc_str
oidc_request_param(const struct oidc_request *req, const char *name)
{
	if (req->method == OIDC_METHOD_POST)
		return oidc_params_get(&req->form, name);
	return oidc_params_get(&req->query, name);
}

const char *
oidc_method_allow(unsigned m)
{
	/* Every combination an endpoint declares, spelled out once. */
	static const struct {
		unsigned	 m;
		const char	*allow;
	} table[] = {
		{ OIDC_METHOD_GET | OIDC_METHOD_POST | OIDC_METHOD_PUT |
		    OIDC_METHOD_DELETE, "GET, POST, PUT, DELETE" },
		{ OIDC_METHOD_GET | OIDC_METHOD_POST | OIDC_METHOD_OPTIONS,
		    "GET, POST, OPTIONS" },
		{ OIDC_METHOD_GET | OIDC_METHOD_POST, "GET, POST" },
		{ OIDC_METHOD_POST | OIDC_METHOD_OPTIONS, "POST, OPTIONS" },
		{ OIDC_METHOD_GET | OIDC_METHOD_HEAD, "GET, HEAD" },
		{ OIDC_METHOD_GET | OIDC_METHOD_OPTIONS, "GET, OPTIONS" },
		{ OIDC_METHOD_POST, "POST" },
		{ OIDC_METHOD_GET, "GET" },
	};
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(table); i++)
		if ((m & table[i].m) == table[i].m)
			return table[i].allow;
	return "";
}

void
oidc_request_client_addr(struct oidc_request *req,
    const struct oidc_netaddr_list *trusted)
{
	_Static_assert(sizeof(req->client_addr) == OIDC_NETADDR_BUFLEN,
	    "client_addr holds one canonical address");
	(void)oidc_netaddr_client(trusted, req->remote_addr.p,
	    req->remote_addr.len, req->forwarded_for.p, req->forwarded_for.len,
	    req->client_addr);
}
