/*
 * subject.c: public and pairwise subject identifiers (see oidc/subject.h).
 */

#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/json.h"
#include "oidc/secretfile.h"
#include "oidc/str.h"
#include "oidc/subject.h"
#include "oidc/url.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
oidc_subject_salt_parse(const char *buf, size_t len, unsigned char *out,
    size_t *outlen, struct oidc_error *err)
{
	size_t	 n = len;

	while (n > 0 && is_space(buf[n - 1]))
		n--;
	if (n > 0 && oidc_hex_decode(buf, n, out, n / 2) == 0) {
		*outlen = n / 2;
	} else {
		memcpy(out, buf, len);
		*outlen = len;
	}
	if (*outlen < OIDC_SUBJECT_SALT_MIN) {
		oidc_wipe(out, *outlen);
		*outlen = 0;
		return oidc_fail(err, OIDC_E_CONFIG, NULL,
		    "pairwise_salt_file: must hold at least %d bytes (openssl rand -hex 32)",
		    OIDC_SUBJECT_SALT_MIN);
	}
	return 0;
}

int
oidc_subject_salt_load(struct oidc_arena *a, const char *path,
    unsigned char **salt, size_t *len, struct oidc_error *err)
{
	char		 buf[OIDC_SUBJECT_SALT_FILE_MAX + 1];
	unsigned char	*out;
	size_t		 got;
	int		 rc = -1;

	*salt = NULL;
	*len = 0;
	/* SECURITY: a salt others can read lets them link pairwise subs. */
	if (oidc_secret_file_read("pairwise_salt_file", path, buf, sizeof(buf),
	    &got, err) == -1)
		return -1;
	if ((out = oidc_arena_alloc(a, got + 1)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	if (oidc_subject_salt_parse(buf, got, out, len, err) == -1)
		goto out;
	*salt = out;
	rc = 0;
out:
	oidc_wipe(buf, sizeof(buf));
	return rc;
}

int
oidc_subject_uri_host(struct oidc_str u, struct oidc_str *host)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 url;

	*host = OIDC_STR_NULL;
	if (u.p == NULL || oidc_url_parse(u.p, u.len, &url, &tmp) == -1 ||
	    url.scheme_kind == OIDC_URL_SCHEME_OTHER ||
	    url.host.len > OIDC_SUBJECT_MAX_SECTOR)
		return -1;
	*host = url.host;
	return 0;
}

/* An arena copy of s in lower case (hosts compare case-insensitively). */
static int
lower_dup(struct oidc_arena *a, struct oidc_str s, struct oidc_str *out,
    struct oidc_error *err)
{
	char	*d;
	size_t	 i;

	if ((d = oidc_arena_strndup(a, s.p, s.len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; i < s.len; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	*out = (struct oidc_str){ d, s.len };
	return 0;
}

int
oidc_subject_sector(struct oidc_arena *a, const struct oidc_json *m,
    struct oidc_str *sector, struct oidc_error *err)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_str		 s, host, *uris = NULL;
	size_t			 n = 0;

	*sector = OIDC_STR_NULL;
	if (m == NULL || oidc_json_get_str(m, "subject_type", &s, &tmp) != 1 ||
	    !oidc_str_eq_cstr(s, "pairwise"))
		return 0;
	if (oidc_json_get_str(m, "sector_identifier_uri", &s, &tmp) == 1) {
		if (oidc_subject_uri_host(s, &host) == -1)
			return oidc_fail(err, OIDC_E_INTERNAL, NULL, "pairwise "
			    "client: sector_identifier_uri without a host");
	} else if (oidc_json_get_str_list(m, "redirect_uris", false, a, &uris,
	    &n, &tmp) != 1 || n == 0 ||
	    oidc_subject_uri_host(uris[0], &host) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "pairwise client "
		    "without a sector host");
	if (lower_dup(a, host, sector, err) == -1)
		return -1;
	return 1;
}

int
oidc_subject_pairwise(struct oidc_arena *a, const unsigned char *salt,
    size_t saltlen, struct oidc_str sector, struct oidc_str local_sub,
    struct oidc_str *out, struct oidc_error *err)
{
	unsigned char	*buf, h[OIDC_SHA256_LEN];
	size_t		 len;
	char		*s;
	int		 rc;

	*out = OIDC_STR_NULL;
	if (salt == NULL || saltlen < OIDC_SUBJECT_SALT_MIN)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "pairwise subject "
		    "without pairwise_salt_file");
	if (sector.len == 0 || sector.len > OIDC_SUBJECT_MAX_SECTOR ||
	    local_sub.p == NULL || local_sub.len > 1024)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "pairwise subject "
		    "input out of range");
	len = sector.len + 1 + local_sub.len + 1 + saltlen;
	if ((buf = oidc_arena_alloc(a, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	memcpy(buf, sector.p, sector.len);
	buf[sector.len] = 0;
	memcpy(buf + sector.len + 1, local_sub.p, local_sub.len);
	buf[sector.len + 1 + local_sub.len] = 0;
	memcpy(buf + sector.len + 2 + local_sub.len, salt, saltlen);
	rc = oidc_sha256(buf, len, h, err);
	oidc_wipe(buf, len);
	if (rc == -1)
		return -1;
	s = oidc_b64url_encode(a, h, sizeof(h));
	oidc_wipe(h, sizeof(h));
	if (s == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	*out = (struct oidc_str){ s, strlen(s) };
	return 0;
}

int
oidc_subject_for_metadata(struct oidc_ctx *ctx, const struct oidc_json *m,
    struct oidc_str local_sub, struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_str	 sector;
	int		 rc;

	if ((rc = oidc_subject_sector(ctx->a, m, &sector, err)) == -1)
		return -1;
	if (rc == 0) {
		*out = local_sub;
		return 0;
	}
	return oidc_subject_pairwise(ctx->a, ctx->pairwise_salt,
	    ctx->pairwise_salt_len, sector, local_sub, out, err);
}

int
oidc_subject_for_client(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_str local_sub, struct oidc_str *out, struct oidc_error *err)
{
	return oidc_subject_for_metadata(ctx, c->metadata, local_sub, out,
	    err);
}

int
oidc_subject_hint_matches(struct oidc_ctx *ctx,
    const struct oidc_client *known, const struct oidc_str *aud, size_t naud,
    struct oidc_str hint_sub, struct oidc_str local_sub,
    struct oidc_error *err)
{
	struct oidc_client	 c;
	struct oidc_str		 mine;
	size_t			 i;
	int			 rc;

	if (hint_sub.p == NULL || local_sub.p == NULL)
		return 0;
	if (naud == 0)
		return oidc_str_eq(hint_sub, local_sub);
	for (i = 0; i < naud; i++) {
		if (known != NULL && oidc_str_eq(aud[i], known->client_id))
			rc = oidc_subject_for_client(ctx, known, local_sub,
			    &mine, err);
		else {
			if ((rc = oidc_client_load(ctx->db, ctx->a, aud[i], &c,
			    err)) == -1)
				return -1;
			rc = rc == 1 ? oidc_subject_for_client(ctx, &c,
			    local_sub, &mine, err) : (mine = local_sub, 0);
		}
		if (rc == -1)
			return -1;
		if (oidc_str_eq(hint_sub, mine))
			return 1;
	}
	return 0;
}
