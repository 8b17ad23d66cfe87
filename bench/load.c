/*
 * load.c: the HTTP/1.1 load driver of `make bench` (issue 9).
 *
 * One thread, poll(2), N concurrent keep-alive connections to
 * 127.0.0.1:PORT.  Each connection runs "flows" of one or more steps, one
 * request in flight per connection (no pipelining).  A flow that meets an
 * unexpected answer is counted as an error and restarted from its first
 * step.  A connection the server closes (nginx keepalive_requests, or
 * "Connection: close") is reopened transparently and counted.
 *
 * Modes (-m):
 *   static      GET /static-200 (nginx answers itself: the ceiling)
 *   discovery   GET /.well-known/openid-configuration
 *   jwks        GET /jwks
 *   userinfo    GET /userinfo, Authorization: Bearer <-t token>
 *   token_only  POST /token grant_type=authorization_code, client_secret_basic,
 *               code = <-x prefix><i> for i in 0..<-N count>-1 (inserted into
 *               auth_code beforehand by bench/run.sh as sha256 of that text)
 *   full_flow   GET /authorize (Cookie: oidc_session=<-k>, consent remembered)
 *               -> 302, code from Location -> POST /token -> access_token
 *               -> GET /userinfo
 *   login       GET /authorize without a session -> 200 login page and the
 *               oidc_csrf cookie -> POST /authorize with the carried fields,
 *               csrf, username, password, action=login -> 302 with a code
 *               (use a first_party client: no consent page)
 *
 * Bounds: -d seconds (default 10) and/or -n flows; -r flows/s paces flow
 * starts (a token bucket over the whole run; latency is measured from the
 * moment a request is written, so under -r it is the service time without
 * coordinated-omission correction).  -w seconds of warm-up run first and
 * are not counted.
 *
 * Output: a human summary, then machine-readable lines for bench/run.sh:
 *   RESULT mode=M conns=C secs=S flows=F fps=R reqs=Q rps=R errors=E
 *          reconnects=K cpu=S cpu_us_per_req=U sent=W steps=N
 *   STEP mode=M step=NAME n=N rps=R p50_us=A p90_us=B p99_us=C max_us=D
 *        errors=E
 * cpu is the driver's own user+system CPU: 1e6 / cpu_us_per_req is the rate
 * the driver could sustain on one core, to compare with what it measured.
 * sent counts every request written in the measured run, including those
 * of unfinished flows and the drain after the deadline: sent/steps is the
 * flow count to divide server-side totals (CPU, SQL statements) by.
 * Exit status: 0 when at least one flow completed, 1 otherwise, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	1024
#define RBUF		(256 * 1024)
#define WBUF		8192
#define MAX_STEPS	3
/* Latency histogram: 1 us buckets to 50 ms, then 1 ms buckets to 60 s. */
#define FINE_N		50000
#define COARSE_N	60000

enum mode { M_STATIC, M_DISCOVERY, M_JWKS, M_USERINFO, M_TOKEN, M_FULL,
	M_LOGIN };

static const char *const mode_names[] = { "static", "discovery", "jwks",
	"userinfo", "token_only", "full_flow", "login" };

struct step {
	const char	*name;
	uint64_t	 n, errors;
	uint32_t	*fine;
	uint32_t	*coarse;
	uint64_t	 over;
	uint64_t	 max_us;
};

struct conn {
	int		 fd;
	int		 connecting;
	int		 busy;		/* a request is in flight */
	int		 step;		/* next/current step of the flow */
	char		 wbuf[WBUF];
	size_t		 wlen, woff;
	char		*rbuf;
	size_t		 rlen;
	double		 t_send;
	/* flow state */
	char		 code[256];
	char		 at[256];
	char		 csrf[256];
	char		 nonce[64];
	char		 state[64];
	char		 user[400];
};

/* options */
static int		 port = 8080;
static enum mode	 mode = M_STATIC;
static int		 nconns = 8;
static double		 duration = 10;
static double		 warmup = 0;
static uint64_t		 max_flows = 0;
static double		 rate = 0;
static const char	*client_id = "bench";
static const char	*client_secret = "";
static const char	*redirect_uri = "http://127.0.0.1/cb";
static const char	*session_cookie = "";
static const char	*token = "";
static const char	*username = "bench";
static const char	*password = "";
static const char	*code_prefix = "benchcode-";
static uint64_t		 code_count = 0;
static const char	*scope = "openid profile email";
static int		 verbose = 0;

/* run state */
static struct conn	*conns;
static struct step	 steps[MAX_STEPS];
static int		 nsteps;
static char		 basic_hdr[1024];
static char		 enc_redirect[512];
static char		 enc_scope[256];
static uint64_t		 flows_started, flows_done, flow_errors;
static uint64_t		 reconnects, code_next;
static uint64_t		 sent;		/* requests written, drain included */
static int		 recording;
static int		 shown_errors;
static unsigned		 nonce_seed;
static volatile sig_atomic_t interrupted;

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void
on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- encoding ---- */

static void
urlencode(char *out, size_t cap, const char *in)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *in != '\0' && o + 4 < cap; in++) {
		c = (unsigned char)*in;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void
base64(char *out, const unsigned char *in, size_t len)
{
	static const char	 t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = t[v >> 6 & 63];
		out[o++] = t[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = t[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* ---- statistics ---- */

static void
record(struct step *s, double secs, int ok)
{
	uint64_t	 us = (uint64_t)(secs * 1e6 + 0.5);

	if (!recording)
		return;
	if (!ok) {
		s->errors++;
		return;
	}
	s->n++;
	if (us > s->max_us)
		s->max_us = us;
	if (us < FINE_N)
		s->fine[us]++;
	else if (us / 1000 < COARSE_N)
		s->coarse[us / 1000]++;
	else
		s->over++;
}

static uint64_t
percentile(const struct step *s, double p)
{
	uint64_t	 want, seen = 0;
	size_t		 i;

	if (s->n == 0)
		return 0;
	want = (uint64_t)(p * (double)s->n);
	if (want >= s->n)
		want = s->n - 1;
	for (i = 0; i < FINE_N; i++)
		if ((seen += s->fine[i]) > want)
			return i;
	for (i = 0; i < COARSE_N; i++)
		if ((seen += s->coarse[i]) > want)
			return i * 1000 + 500;
	return s->max_us;
}

/* ---- requests ---- */

static void
put(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(c->wbuf + c->wlen, WBUF - c->wlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= WBUF - c->wlen)
		die("request too large");
	c->wlen += (size_t)n;
}

static void
get(struct conn *c, const char *path, const char *extra)
{
	put(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n", path, port,
	    extra != NULL ? extra : "");
}

static void
post(struct conn *c, const char *path, const char *extra, const char *body)
{
	put(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\n%s\r\n%s", path, port, strlen(body),
	    extra != NULL ? extra : "", body);
}

static void
new_nonce(struct conn *c)
{
	nonce_seed = nonce_seed * 1103515245u + 12345u;
	snprintf(c->nonce, sizeof(c->nonce), "n%08x%llx", nonce_seed,
	    (unsigned long long)flows_started);
	snprintf(c->state, sizeof(c->state), "s%llx",
	    (unsigned long long)flows_started);
}

static void
authorize_query(struct conn *c, char *out, size_t cap)
{
	snprintf(out, cap, "/authorize?response_type=code&client_id=%s"
	    "&redirect_uri=%s&scope=%s&state=%s&nonce=%s", client_id,
	    enc_redirect, enc_scope, c->state, c->nonce);
}

/* Build the request for c->step.  Returns -1 when no request can be made
 * (token_only out of codes). */
static int
build(struct conn *c)
{
	char	 path[2048], body[4096], hdr[1024], enc[1024];

	c->wlen = c->woff = 0;
	switch (mode) {
	case M_STATIC:
		get(c, "/static-200", NULL);
		break;
	case M_DISCOVERY:
		get(c, "/.well-known/openid-configuration", NULL);
		break;
	case M_JWKS:
		get(c, "/jwks", NULL);
		break;
	case M_USERINFO:
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n",
		    token);
		get(c, "/userinfo", hdr);
		break;
	case M_TOKEN:
		if (code_next >= code_count)
			return -1;
		snprintf(c->code, sizeof(c->code), "%s%llu", code_prefix,
		    (unsigned long long)code_next++);
		/* FALLTHROUGH */
	case M_FULL:
		if (mode == M_FULL && c->step == 0) {
			new_nonce(c);
			authorize_query(c, path, sizeof(path));
			snprintf(hdr, sizeof(hdr), "Cookie: oidc_session=%s\r\n",
			    session_cookie);
			get(c, path, hdr);
			break;
		}
		if (mode == M_FULL && c->step == 2) {
			snprintf(hdr, sizeof(hdr), "Authorization: Bearer "
			    "%s\r\n", c->at);
			get(c, "/userinfo", hdr);
			break;
		}
		urlencode(enc, sizeof(enc), c->code);
		snprintf(body, sizeof(body), "grant_type=authorization_code"
		    "&code=%s&redirect_uri=%s", enc, enc_redirect);
		post(c, "/token", basic_hdr, body);
		break;
	case M_LOGIN:
		if (c->step == 0) {
			new_nonce(c);
			authorize_query(c, path, sizeof(path));
			get(c, path, NULL);
			break;
		}
		snprintf(hdr, sizeof(hdr), "Cookie: oidc_csrf=%s\r\n", c->csrf);
		urlencode(c->user, sizeof(c->user), username);
		urlencode(enc, sizeof(enc), password);
		snprintf(body, sizeof(body), "client_id=%s&redirect_uri=%s"
		    "&response_type=code&scope=%s&state=%s&nonce=%s&csrf=%s"
		    "&username=%s&password=%s&action=login", client_id,
		    enc_redirect, enc_scope, c->state, c->nonce, c->csrf,
		    c->user, enc);
		post(c, "/authorize", hdr, body);
		break;
	}
	return 0;
}

/* ---- connections ---- */

static int
open_conn(struct conn *c)
{
	struct sockaddr_in	 sa;
	int			 one = 1;

	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		die("socket: %s", strerror(errno));
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->connecting = 0;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		if (errno != EINPROGRESS) {
			close(c->fd);
			c->fd = -1;
			return -1;
		}
		c->connecting = 1;
	}
	c->rlen = 0;
	return 0;
}

static void
reopen(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	reconnects++;
	(void)open_conn(c);
}

/* Begin the next request of c's flow, or a new flow.  0: idle (rate or
 * count bound reached, or nothing left to do). */
static int
start(struct conn *c, double t, double t0)
{
	if (c->step == 0) {
		if (max_flows > 0 && flows_started >= max_flows)
			return 0;
		if (rate > 0 && (double)flows_started >= rate * (t - t0) + 1)
			return 0;
	}
	if (c->fd == -1 && open_conn(c) == -1)
		return 0;
	if (build(c) == -1)
		return 0;
	if (c->step == 0)
		flows_started++;
	sent++;
	c->busy = 1;
	c->t_send = t;
	return 1;
}

/* ---- responses ---- */

struct resp {
	int		 status;
	const char	*body;
	size_t		 bodylen;
	const char	*location;
	size_t		 loclen;
	const char	*csrf;
	size_t		 csrflen;
	int		 close;
};

static int
hdr_is(const char *line, size_t len, const char *name)
{
	size_t	 n = strlen(name);

	return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static const char *
hdr_val(const char *line, size_t len, const char *name, size_t *vlen)
{
	const char	*v = line + strlen(name) + 1;

	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	*vlen = (size_t)(line + len - v);
	return v;
}

/*
 * Parse one complete response at the start of c->rbuf.  Returns the bytes
 * it occupies, 0 when incomplete, -1 when malformed.  A chunked body is
 * decoded in place.
 */
static long
parse(struct conn *c, struct resp *r)
{
	char		*buf = c->rbuf, *end, *p, *eol, *q;
	size_t		 hlen, clen = 0, vlen;
	int		 have_len = 0, chunked = 0;
	const char	*v;

	memset(r, 0, sizeof(*r));
	if ((end = memmem(buf, c->rlen, "\r\n\r\n", 4)) == NULL)
		return c->rlen > 65536 ? -1 : 0;
	hlen = (size_t)(end - buf) + 4;
	if (c->rlen < 12 || strncmp(buf, "HTTP/1.", 7) != 0)
		return -1;
	r->status = atoi(buf + 9);
	for (p = (char *)memchr(buf, '\n', hlen) + 1; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if (eol == NULL)
			break;
		size_t len = (size_t)(eol - p);
		if (hdr_is(p, len, "Content-Length")) {
			clen = strtoul(hdr_val(p, len, "Content-Length", &vlen),
			    NULL, 10);
			have_len = 1;
		} else if (hdr_is(p, len, "Transfer-Encoding")) {
			v = hdr_val(p, len, "Transfer-Encoding", &vlen);
			chunked = memmem(v, vlen, "chunked", 7) != NULL;
		} else if (hdr_is(p, len, "Connection")) {
			v = hdr_val(p, len, "Connection", &vlen);
			r->close = vlen >= 5 && strncasecmp(v, "close", 5) == 0;
		} else if (hdr_is(p, len, "Location")) {
			r->location = hdr_val(p, len, "Location", &r->loclen);
		} else if (hdr_is(p, len, "Set-Cookie")) {
			v = hdr_val(p, len, "Set-Cookie", &vlen);
			if (vlen > 10 && strncmp(v, "oidc_csrf=", 10) == 0) {
				r->csrf = v + 10;
				r->csrflen = strcspn(r->csrf, ";\r");
			}
		}
	}
	if (chunked) {
		/* Only find the end here; complete() decodes the chunks. */
		char	*in = buf + hlen, *lim = buf + c->rlen;
		size_t	 n;

		for (;;) {
			q = memmem(in, (size_t)(lim - in), "\r\n", 2);
			if (q == NULL)
				return 0;
			n = strtoul(in, NULL, 16);
			if (n == 0) {
				if ((size_t)(lim - q) < 4)
					return 0;
				if (memcmp(q + 2, "\r\n", 2) != 0)
					return -1;	/* no trailers here */
				return (long)(q + 4 - buf);
			}
			if ((size_t)(lim - (q + 2)) < n + 2)
				return 0;
			in = q + 2 + n + 2;
		}
	}
	if (!have_len) {
		if (r->status == 204 || r->status == 304 ||
		    (r->status >= 100 && r->status < 200))
			clen = 0;
		else
			return -1;	/* read-until-close is not supported */
	}
	if (c->rlen < hlen + clen)
		return 0;
	r->body = buf + hlen;
	r->bodylen = clen;
	return (long)(hlen + clen);
}

/* Chunked bodies: parse() only measures them; gather the data for the
 * callers that need the body (token responses may be chunked). */
static size_t
dechunk(const char *in, size_t len, char *out, size_t cap)
{
	const char	*p = in, *lim = in + len, *q;
	size_t		 n, o = 0;

	while (p < lim && (q = memmem(p, (size_t)(lim - p), "\r\n", 2)) !=
	    NULL) {
		n = strtoul(p, NULL, 16);
		if (n == 0)
			break;
		if (o + n < cap) {
			memcpy(out + o, q + 2, n);
			o += n;
		}
		p = q + 2 + n + 2;
	}
	out[o] = '\0';
	return o;
}

static int
param_from(const char *s, size_t len, const char *name, char *out,
    size_t cap)
{
	size_t		 n = strlen(name), vl;
	const char	*p = s, *lim = s + len, *v;

	while (p < lim) {
		const char *amp = memchr(p, '&', (size_t)(lim - p));
		const char *e = amp != NULL ? amp : lim;
		if ((size_t)(e - p) > n && strncmp(p, name, n) == 0 &&
		    p[n] == '=') {
			v = p + n + 1;
			vl = (size_t)(e - v);
			if (vl + 1 > cap)
				return -1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		p = e + 1;
	}
	return -1;
}

static int
json_str(const char *body, const char *key, char *out, size_t cap)
{
	char		 pat[64];
	const char	*p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = strstr(body, pat)) == NULL)
		return -1;
	p += strlen(pat);
	if ((e = strchr(p, '"')) == NULL || (size_t)(e - p) + 1 > cap)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static void
show_error(const struct conn *c, const struct resp *r, const char *why)
{
	if (shown_errors >= 5 && !verbose)
		return;
	shown_errors++;
	fprintf(stderr, "load: %s step %s: %s (status %d) %.*s\n",
	    mode_names[mode], steps[c->step].name, why, r->status,
	    (int)(r->bodylen > 300 ? 300 : r->bodylen),
	    r->body != NULL ? r->body : "");
}

/* Judge a complete response; advance or reset the flow. */
static void
complete(struct conn *c, struct resp *r, const char *raw_body,
    size_t raw_len, int chunked, double t)
{
	static char	 body[RBUF];
	const char	*why = NULL;
	size_t		 blen;
	int		 last;

	if (chunked) {
		blen = dechunk(raw_body, raw_len, body, sizeof(body));
		r->body = body;
		r->bodylen = blen;
	} else {
		blen = r->bodylen < sizeof(body) - 1 ? r->bodylen :
		    sizeof(body) - 1;
		memcpy(body, r->body, blen);
		body[blen] = '\0';
	}
	switch (mode) {
	case M_STATIC:
	case M_DISCOVERY:
	case M_JWKS:
	case M_USERINFO:
		if (r->status != 200)
			why = "expected 200";
		break;
	case M_TOKEN:
		if (r->status != 200 || strstr(body, "\"id_token\"") == NULL)
			why = "expected 200 with an id_token";
		break;
	case M_FULL:
		if (c->step == 0) {
			const char *q;
			if (r->status != 302 || r->location == NULL)
				why = "expected 302 with Location";
			else if ((q = memchr(r->location, '?', r->loclen)) ==
			    NULL || param_from(q + 1, (size_t)(r->location +
			    r->loclen - q - 1), "code", c->code,
			    sizeof(c->code)) == -1)
				why = "no code in Location";
		} else if (c->step == 1) {
			if (r->status != 200 ||
			    json_str(body, "access_token", c->at,
			    sizeof(c->at)) == -1 ||
			    strstr(body, "\"id_token\"") == NULL)
				why = "expected 200 with tokens";
		} else if (r->status != 200)
			why = "expected 200";
		break;
	case M_LOGIN:
		if (c->step == 0) {
			if (r->status != 200 || r->csrf == NULL ||
			    r->csrflen + 1 > sizeof(c->csrf))
				why = "expected 200 with an oidc_csrf cookie";
			else {
				memcpy(c->csrf, r->csrf, r->csrflen);
				c->csrf[r->csrflen] = '\0';
			}
		} else {
			const char *q;
			if (r->status != 302 || r->location == NULL ||
			    (q = memchr(r->location, '?', r->loclen)) ==
			    NULL || param_from(q + 1, (size_t)(r->location +
			    r->loclen - q - 1), "code", c->code,
			    sizeof(c->code)) == -1)
				why = "expected 302 with a code";
		}
		break;
	}
	record(&steps[c->step], t - c->t_send, why == NULL);
	c->busy = 0;
	if (why != NULL) {
		show_error(c, r, why);
		if (recording)
			flow_errors++;
		c->step = 0;
		return;
	}
	last = c->step == nsteps - 1;
	if (last) {
		if (recording)
			flows_done++;
		c->step = 0;
	} else
		c->step++;
}

/* Socket failure while busy: an error for the step, restart the flow. */
static void
fail(struct conn *c, const char *why)
{
	if (c->busy) {
		if (recording) {
			steps[c->step].errors++;
			flow_errors++;
		}
		if (shown_errors < 5 || verbose) {
			shown_errors++;
			fprintf(stderr, "load: %s step %s: %s\n",
			    mode_names[mode], steps[c->step].name, why);
		}
	}
	c->busy = 0;
	c->step = 0;
	reopen(c);
}

static void
on_readable(struct conn *c, double t)
{
	struct resp	 r;
	ssize_t		 n;
	long		 used;
	int		 chunked, eof = 0;
	char		*hend;

	for (;;) {
		if (c->rlen == RBUF)
			return fail(c, "response too large");
		n = read(c->fd, c->rbuf + c->rlen, RBUF - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			continue;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == EINTR)
			continue;
		return fail(c, strerror(errno));
	}
	if (!c->busy)
		return;
	hend = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
	chunked = hend != NULL && memmem(c->rbuf, (size_t)(hend - c->rbuf),
	    "chunked", 7) != NULL;
	if ((used = parse(c, &r)) == -1)
		return fail(c, "malformed response");
	if (used == 0) {
		if (eof)
			fail(c, c->rlen == 0 ? "connection closed" :
			    "connection closed mid-response");
		return;
	}
	if (chunked)
		complete(c, &r, hend + 4, (size_t)(c->rbuf + used -
		    (hend + 4)), 1, t);
	else
		complete(c, &r, NULL, 0, 0, t);
	memmove(c->rbuf, c->rbuf + used, c->rlen - (size_t)used);
	c->rlen -= (size_t)used;
	if (r.close || eof) {
		close(c->fd);
		c->fd = -1;
		c->rlen = 0;
		reconnects++;
	}
}

static void
on_writable(struct conn *c)
{
	ssize_t	 n;
	int	 e;
	socklen_t sl = sizeof(e);

	if (c->connecting) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1 ||
		    e != 0)
			return fail(c, "connect failed");
		c->connecting = 0;
	}
	while (c->woff < c->wlen) {
		n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1 && errno == EINTR)
			continue;
		return fail(c, "write failed");
	}
}

/* ---- the run ---- */

static double
cpu_seconds(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Run for `secs` (and/or until max_flows).  Returns elapsed seconds. */
static double
run(double secs, int rec)
{
	struct pollfd	*pfd;
	double		 t0, t, deadline, next;
	int		 i, active, timeout;
	uint64_t	 cap = max_flows;

	if (!rec)
		max_flows = 0;
	recording = rec;
	flows_started = 0;
	if ((pfd = calloc((size_t)nconns, sizeof(*pfd))) == NULL)
		die("out of memory");
	t0 = now();
	deadline = t0 + secs;
	for (;;) {
		t = now();
		if (interrupted || (secs > 0 && t >= deadline))
			break;
		active = 0;
		for (i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (!c->busy)
				(void)start(c, t, t0);
			pfd[i].fd = c->busy ? c->fd : -1;
			pfd[i].events = c->busy ? (c->woff < c->wlen ||
			    c->connecting ? POLLOUT : 0) | POLLIN : 0;
			pfd[i].revents = 0;
			active += c->busy;
		}
		if (active == 0) {
			if (max_flows > 0 && flows_started >= max_flows)
				break;
			if (mode == M_TOKEN && code_next >= code_count) {
				fprintf(stderr, "load: token_only: the %llu "
				    "prepared codes are used up\n",
				    (unsigned long long)code_count);
				break;
			}
			/* Rate-limited: sleep until the next flow start. */
			next = rate > 0 ? t0 + (double)flows_started / rate :
			    t + 0.001;
			timeout = (int)((next - t) * 1000) + 1;
		} else if (rate > 0)
			timeout = 1;
		else
			timeout = 100;
		if (poll(pfd, (nfds_t)nconns, timeout) == -1 && errno != EINTR)
			die("poll: %s", strerror(errno));
		t = now();
		for (i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (pfd[i].revents & POLLOUT)
				on_writable(c);
			if (c->busy && (pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				on_readable(c, t);
		}
	}
	t = now() - t0;
	/* Drain: let in-flight requests finish, uncounted. */
	recording = 0;
	{
		double dl = now() + 5;
		for (;;) {
			active = 0;
			for (i = 0; i < nconns; i++) {
				struct conn *c = &conns[i];
				pfd[i].fd = c->busy ? c->fd : -1;
				pfd[i].events = c->busy ? POLLIN |
				    (c->woff < c->wlen || c->connecting ?
				    POLLOUT : 0) : 0;
				pfd[i].revents = 0;
				active += c->busy;
			}
			if (active == 0 || now() > dl)
				break;
			(void)poll(pfd, (nfds_t)nconns, 100);
			for (i = 0; i < nconns; i++) {
				struct conn *c = &conns[i];
				if (pfd[i].fd == -1 || pfd[i].revents == 0)
					continue;
				if (pfd[i].revents & POLLOUT)
					on_writable(c);
				if (c->busy)
					on_readable(c, now());
			}
		}
		/* Partial flows end here; the next run starts fresh. */
		for (i = 0; i < nconns; i++)
			conns[i].step = 0;
	}
	free(pfd);
	max_flows = cap;
	return t;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: load -m MODE [-p port] [-c conns] [-d secs] [-n flows]\n"
	    "            [-r flows/s] [-w warmup-secs] [-C client_id]\n"
	    "            [-S client_secret] [-R redirect_uri] [-k session]\n"
	    "            [-t access_token] [-u user] [-P password]\n"
	    "            [-x code_prefix] [-N code_count] [-s scope] [-v]\n"
	    "MODE: static discovery jwks userinfo token_only full_flow "
	    "login\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	char		 creds[512], ec[256], es[256];
	double		 secs, cpu0, cpu;
	uint64_t	 reqs = 0;
	int		 ch, i;

	while ((ch = getopt(argc, argv, "m:p:c:d:n:r:w:C:S:R:k:t:u:P:x:N:s:v"))
	    != -1) {
		switch (ch) {
		case 'm':
			for (i = 0; i < (int)(sizeof(mode_names) /
			    sizeof(mode_names[0])); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == (int)(sizeof(mode_names) /
			    sizeof(mode_names[0])))
				usage();
			mode = (enum mode)i;
			break;
		case 'p': port = atoi(optarg); break;
		case 'c': nconns = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'n': max_flows = strtoull(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'C': client_id = optarg; break;
		case 'S': client_secret = optarg; break;
		case 'R': redirect_uri = optarg; break;
		case 'k': session_cookie = optarg; break;
		case 't': token = optarg; break;
		case 'u': username = optarg; break;
		case 'P': password = optarg; break;
		case 'x': code_prefix = optarg; break;
		case 'N': code_count = strtoull(optarg, NULL, 10); break;
		case 's': scope = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (nconns < 1 || nconns > MAX_CONNS || port <= 0 || port > 65535)
		usage();
	if (duration <= 0 && max_flows == 0)
		duration = 10;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	nonce_seed = (unsigned)getpid() ^ (unsigned)time(NULL);

	urlencode(enc_redirect, sizeof(enc_redirect), redirect_uri);
	urlencode(enc_scope, sizeof(enc_scope), scope);
	urlencode(ec, sizeof(ec), client_id);
	urlencode(es, sizeof(es), client_secret);
	snprintf(creds, sizeof(creds), "%s:%s", ec, es);
	{
		char b64[700];
		base64(b64, (const unsigned char *)creds, strlen(creds));
		snprintf(basic_hdr, sizeof(basic_hdr),
		    "Authorization: Basic %s\r\n", b64);
	}
	switch (mode) {
	case M_FULL:
		steps[0].name = "authorize";
		steps[1].name = "token";
		steps[2].name = "userinfo";
		nsteps = 3;
		break;
	case M_LOGIN:
		steps[0].name = "login_page";
		steps[1].name = "login_post";
		nsteps = 2;
		break;
	default:
		steps[0].name = mode == M_TOKEN ? "token" : mode_names[mode];
		nsteps = 1;
	}
	for (i = 0; i < nsteps; i++) {
		steps[i].fine = calloc(FINE_N, sizeof(uint32_t));
		steps[i].coarse = calloc(COARSE_N, sizeof(uint32_t));
		if (steps[i].fine == NULL || steps[i].coarse == NULL)
			die("out of memory");
	}
	if ((conns = calloc((size_t)nconns, sizeof(*conns))) == NULL)
		die("out of memory");
	for (i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		if ((conns[i].rbuf = malloc(RBUF)) == NULL)
			die("out of memory");
		if (open_conn(&conns[i]) == -1)
			die("connect to 127.0.0.1:%d: %s", port,
			    strerror(errno));
	}

	if (warmup > 0)
		(void)run(warmup, 0);
	reconnects = 0;
	sent = 0;
	cpu0 = cpu_seconds();
	secs = run(max_flows > 0 && duration <= 0 ? 0 : duration, 1);
	cpu = cpu_seconds() - cpu0;

	for (i = 0; i < nsteps; i++)
		reqs += steps[i].n + steps[i].errors;
	printf("load: mode=%s conns=%d secs=%.2f flows=%llu (%.0f/s) "
	    "requests=%llu (%.0f/s) errors=%llu reconnects=%llu "
	    "driver_cpu=%.2fs (%.1f us/request)\n", mode_names[mode], nconns,
	    secs, (unsigned long long)flows_done, (double)flows_done / secs,
	    (unsigned long long)reqs, (double)reqs / secs,
	    (unsigned long long)flow_errors, (unsigned long long)reconnects,
	    cpu, reqs > 0 ? cpu * 1e6 / (double)reqs : 0);
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];
		printf("  %-11s n=%-8llu p50=%7.3fms p90=%7.3fms p99=%7.3fms "
		    "max=%8.3fms errors=%llu\n", s->name,
		    (unsigned long long)s->n, percentile(s, .5) / 1e3,
		    percentile(s, .9) / 1e3, percentile(s, .99) / 1e3,
		    (double)s->max_us / 1e3, (unsigned long long)s->errors);
	}
	printf("RESULT mode=%s conns=%d secs=%.3f flows=%llu fps=%.1f "
	    "reqs=%llu rps=%.1f errors=%llu reconnects=%llu cpu=%.3f "
	    "cpu_us_per_req=%.2f sent=%llu steps=%d\n", mode_names[mode],
	    nconns, secs,
	    (unsigned long long)flows_done, (double)flows_done / secs,
	    (unsigned long long)reqs, (double)reqs / secs,
	    (unsigned long long)flow_errors, (unsigned long long)reconnects,
	    cpu, reqs > 0 ? cpu * 1e6 / (double)reqs : 0,
	    (unsigned long long)sent, nsteps);
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];
		printf("STEP mode=%s step=%s n=%llu rps=%.1f p50_us=%llu "
		    "p90_us=%llu p99_us=%llu max_us=%llu errors=%llu\n",
		    mode_names[mode], s->name, (unsigned long long)s->n,
		    (double)s->n / secs,
		    (unsigned long long)percentile(s, .5),
		    (unsigned long long)percentile(s, .9),
		    (unsigned long long)percentile(s, .99),
		    (unsigned long long)s->max_us,
		    (unsigned long long)s->errors);
	}
	return flows_done > 0 ? 0 : 1;
}
