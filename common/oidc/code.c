/*
 * code.c: sealed authorization codes (see oidc/code.h for the format and
 * what is checked where).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/code.h"
#include "oidc/db.h"
#include "oidc/seal.h"

/*
 * The associated data: a blob sealed for another purpose under a key
 * derived from the same KEK (or a future version of this format) does
 * not open as a code.
 */
#define CODE_AAD	"oidc-fcgi code 1"
#define ABSENT		0xffffu
#define NSTR		10
/* A code sealed before dpop_jkt (migration 0024) has the first nine. */
#define NSTR_V1		9
#define NINT		3
/* Fixed part of the plaintext: three integers and ten lengths. */
#define FIXED_LEN	(NINT * 8 + NSTR * 2)
#define FIXED_LEN_V1	(NINT * 8 + NSTR_V1 * 2)
/* The largest blob whose base64url fits in OIDC_CODE_MAX_LEN. */
#define MAX_BLOB	(OIDC_CODE_MAX_LEN / 4 * 3)
#define MIN_CODE_LEN	((FIXED_LEN_V1 + OIDC_SEAL_OVERHEAD) * 4 / 3)

_Static_assert(MIN_CODE_LEN > OIDC_CODE_STORED_LEN,
    "a sealed code must never be mistaken for a stored one");

/* The string members in wire order. */
static void
fields(struct oidc_code_row *c, struct oidc_str *v[NSTR])
{
	v[0] = &c->client_id;
	v[1] = &c->redirect_uri;
	v[2] = &c->scope;
	v[3] = &c->nonce;
	v[4] = &c->code_challenge;
	v[5] = &c->acr;
	v[6] = &c->amr;
	v[7] = &c->sid;
	v[8] = &c->claims;
	v[9] = &c->dpop_jkt;
}

static void
put_i64(unsigned char *p, int64_t v)
{
	uint64_t	 u = (uint64_t)v;
	int		 i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

static int64_t
get_i64(const unsigned char *p)
{
	uint64_t	 u = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		u = u << 8 | p[i];
	return (int64_t)u;
}

int
oidc_code_seal(struct oidc_arena *a, const unsigned char *key,
    const struct oidc_code_row *c, int64_t expires_at, char **out,
    struct oidc_error *err)
{
	struct oidc_code_row	 copy = *c;
	struct oidc_str		*v[NSTR];
	unsigned char		*pt, *p, *blob;
	size_t			 len = FIXED_LEN, bloblen;
	int			 i;

	*out = NULL;
	fields(&copy, v);
	for (i = 0; i < NSTR; i++) {
		if (v[i]->p == NULL)
			continue;
		/* Too long for the code: the caller stores it instead. */
		if (v[i]->len >= ABSENT || (len += v[i]->len) >
		    MAX_BLOB - OIDC_SEAL_OVERHEAD)
			return 0;
	}
	/* The resource trailer (below), only when there are resources. */
	if (c->resource.p != NULL && (c->resource.len >= ABSENT ||
	    (len += 2 + c->resource.len) > MAX_BLOB - OIDC_SEAL_OVERHEAD))
		return 0;
	if ((pt = oidc_arena_alloc(a, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	put_i64(pt, expires_at);
	put_i64(pt + 8, c->auth_time);
	put_i64(pt + 16, c->user_id);
	p = pt + NINT * 8;
	for (i = 0; i < NSTR; i++) {
		size_t	 n = v[i]->p == NULL ? ABSENT : v[i]->len;

		*p++ = (unsigned char)(n >> 8);
		*p++ = (unsigned char)(n & 0xff);
		if (v[i]->p != NULL) {
			memcpy(p, v[i]->p, v[i]->len);
			p += v[i]->len;
		}
	}
	if (c->resource.p != NULL) {
		*p++ = (unsigned char)(c->resource.len >> 8);
		*p++ = (unsigned char)(c->resource.len & 0xff);
		memcpy(p, c->resource.p, c->resource.len);
	}
	if (oidc_seal(a, key, CODE_AAD, strlen(CODE_AAD), pt, len, &blob,
	    &bloblen, err) == -1)
		return -1;
	if ((*out = oidc_b64url_encode(a, blob, bloblen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 1;
}

/*
 * Read the authenticated plaintext.  It came out of oidc_code_seal() under
 * our key, so a failure here is a bug, but the bounds are checked all the
 * same: 1 read, 0 malformed.
 */
static int
decode(const unsigned char *pt, size_t len, struct oidc_code_row *c,
    int64_t *expires_at)
{
	struct oidc_str		*v[NSTR];
	const unsigned char	*p, *end = pt + len;
	size_t			 n;
	int			 i;

	if (len < FIXED_LEN_V1)
		return 0;
	*expires_at = get_i64(pt);
	c->auth_time = get_i64(pt + 8);
	c->user_id = get_i64(pt + 16);
	p = pt + NINT * 8;
	fields(c, v);
	for (i = 0; i < NSTR; i++) {
		/* A code sealed before dpop_jkt ends here: not bound. */
		if (i == NSTR_V1 && p == end) {
			*v[i] = OIDC_STR_NULL;
			continue;
		}
		if (end - p < 2)
			return 0;
		n = (size_t)p[0] << 8 | p[1];
		p += 2;
		if (n == ABSENT) {
			*v[i] = OIDC_STR_NULL;
			continue;
		}
		if ((size_t)(end - p) < n)
			return 0;
		/* The plaintext buffer is NUL-terminated only at its end. */
		v[i]->p = (const char *)p;
		v[i]->len = n;
		p += n;
	}
	/* The optional resource trailer: a length and the bytes. */
	c->resource = OIDC_STR_NULL;
	if (p == end)
		return 1;
	if (end - p < 2)
		return 0;
	n = (size_t)p[0] << 8 | p[1];
	p += 2;
	if ((size_t)(end - p) != n || n == 0)
		return 0;
	c->resource = (struct oidc_str){ (const char *)p, n };
	return 1;
}

int
oidc_code_open(struct oidc_arena *a, const unsigned char *key,
    struct oidc_str code, struct oidc_code_row *c, int64_t *expires_at,
    struct oidc_error *err)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_str		*v[NSTR];
	unsigned char		*blob, *pt;
	size_t			 bloblen, ptlen;
	char			*s;
	int			 i;

	memset(c, 0, sizeof(*c));
	*expires_at = 0;
	if (code.p == NULL || code.len < MIN_CODE_LEN ||
	    code.len > OIDC_CODE_MAX_LEN)
		return 0;
	/* Every way a presented code can be bad is one answer: 0. */
	if (oidc_b64url_decode(a, code.p, code.len, &blob, &bloblen,
	    &ignored) == -1 ||
	    oidc_seal_open(a, key, CODE_AAD, strlen(CODE_AAD), blob, bloblen,
	    &pt, &ptlen, &ignored) == -1) {
		if (ignored.code == OIDC_E_NOMEM)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return 0;
	}
	if (decode(pt, ptlen, c, expires_at) != 1) {
		memset(c, 0, sizeof(*c));
		return 0;
	}
	/* Callers treat the strings as NUL-terminated (db parameters). */
	fields(c, v);
	for (i = 0; i < NSTR; i++) {
		if (v[i]->p == NULL)
			continue;
		if ((s = oidc_arena_strndup(a, v[i]->p, v[i]->len)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		v[i]->p = s;
	}
	if (c->resource.p != NULL) {
		if ((s = oidc_arena_strndup(a, c->resource.p,
		    c->resource.len)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		c->resource.p = s;
	}
	return 1;
}
