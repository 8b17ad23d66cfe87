/*
 * jwk_set.c: key sets (see oidc/jwk.h): lookup by kid and alg, JWKS and
 * PEM documents in, the public JWKS out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "jwk_int.h"

struct oidc_keyset *
oidc_keyset_new(struct oidc_error *err)
{
	struct oidc_keyset	*ks;

	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "calloc");
	return ks;
}

void
oidc_keyset_free(struct oidc_keyset *ks)
{
	size_t	 i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		oidc_jwk_free(ks->keys[i]);
	free(ks);
}

int
oidc_keyset_add(struct oidc_keyset *ks, struct oidc_jwk *key,
    struct oidc_error *err)
{
	const struct oidc_jwk	*dup;

	if (ks->n == OIDC_KEYSET_MAX_KEYS)
		return oidc_fail(err, OIDC_E_LIMIT, "too many keys",
		    "keyset: more than %d keys", OIDC_KEYSET_MAX_KEYS);
	/* kid must select one key, or "kid selects the key" means nothing. */
	if (oidc_keyset_find_kid(ks, key->kid, strlen(key->kid), &dup) == 1)
		return oidc_fail(err, OIDC_E_CONFIG, "duplicate kid",
		    "keyset: duplicate kid");
	ks->keys[ks->n++] = key;
	return 0;
}

size_t
oidc_keyset_count(const struct oidc_keyset *ks)
{
	return ks->n;
}

const struct oidc_jwk *
oidc_keyset_get(const struct oidc_keyset *ks, size_t i)
{
	return i < ks->n ? ks->keys[i] : NULL;
}

int
oidc_keyset_find_kid(const struct oidc_keyset *ks, const char *kid,
    size_t len, const struct oidc_jwk **out)
{
	size_t	 i;

	for (i = 0; i < ks->n; i++)
		if (strlen(ks->keys[i]->kid) == len &&
		    memcmp(ks->keys[i]->kid, kid, len) == 0) {
			*out = ks->keys[i];
			return 1;
		}
	return 0;
}

int
oidc_keyset_find_alg(const struct oidc_keyset *ks, enum oidc_jws_alg alg,
    bool need_private, const struct oidc_jwk **out)
{
	size_t	 i;

	for (i = 0; i < ks->n; i++)
		if (oidc_jwk_supports(ks->keys[i], alg) &&
		    (!need_private || ks->keys[i]->priv)) {
			*out = ks->keys[i];
			return 1;
		}
	return 0;
}

unsigned
oidc_keyset_algs(const struct oidc_keyset *ks)
{
	unsigned	 m = 0;
	size_t		 i;

	for (i = 0; i < ks->n; i++)
		if (ks->keys[i]->alg != OIDC_JWS_ALG_ANY)
			m |= OIDC_JWS_BIT(ks->keys[i]->alg);
	return m;
}

/* Parse a JSON document: a JWKS or one JWK. */
static int
keyset_json(struct oidc_keyset *ks, struct oidc_arena *a, const char *buf,
    size_t len, struct oidc_error *err)
{
	struct oidc_json	*o, *keys, *m;
	struct oidc_jwk		*key;
	struct oidc_error	 e2;
	const char		*why;
	size_t			 i, n;
	int			 r;

	if (oidc_json_parse(a, buf, len, OIDC_JWK_MAX_LEN, &o, err) == -1)
		return -1;
	if ((r = oidc_json_get_array(o, "keys", &keys, err)) == -1)
		return -1;
	if (r == 0) {
		if ((key = oidc_jwk_from_json(a, o, err)) == NULL)
			return -1;
		if (oidc_keyset_add(ks, key, err) == -1) {
			oidc_jwk_free(key);
			return -1;
		}
		return 0;
	}
	n = oidc_json_array_len(keys);
	for (i = 0; i < n; i++) {
		m = oidc_json_array_get(keys, i);
		if (oidc_json_type_of(m) != OIDC_JSON_OBJECT)
			return oidc_fail(err, OIDC_E_CONFIG, "malformed JWKS",
			    "jwks: member %zu is not an object", i);
		memset(&e2, 0, sizeof(e2));
		why = NULL;
		if ((r = oidc_jwk_from_json_why(a, m, &key, &why, &e2)) == -1) {
			*err = err->code == OIDC_E_NONE ? e2 : *err;
			return -1;
		}
		if (r == 0)
			continue;	/* RFC 7517 5: ignore what we lack */
		if (oidc_keyset_add(ks, key, err) == -1) {
			oidc_jwk_free(key);
			return -1;
		}
	}
	return 0;
}

struct oidc_keyset *
oidc_keyset_parse(struct oidc_arena *a, const char *buf, size_t len,
    enum oidc_jws_alg alg, const char *kid, struct oidc_error *err)
{
	struct oidc_keyset	*ks = NULL, *ret = NULL;
	struct oidc_jwk		*key;
	size_t			 i;

	if (len > OIDC_JWK_MAX_LEN) {
		oidc_fail(err, OIDC_E_LIMIT, "key document too long",
		    "keyset: %zu bytes", len);
		goto out;
	}
	if ((ks = oidc_keyset_new(err)) == NULL)
		goto out;
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'); i++)
		continue;
	if (i < len && buf[i] == '{') {
		if (keyset_json(ks, a, buf, len, err) == -1)
			goto out;
	} else {
		if ((key = oidc_jwk_parse_pem(a, buf, len, alg, kid,
		    err)) == NULL)
			goto out;
		if (oidc_keyset_add(ks, key, err) == -1) {
			oidc_jwk_free(key);
			goto out;
		}
	}
	if (ks->n == 0) {
		oidc_fail(err, OIDC_E_CONFIG, "no usable key",
		    "keyset: no usable signing key");
		goto out;
	}
	ret = ks;
	ks = NULL;
out:
	oidc_keyset_free(ks);
	return ret;
}

struct oidc_keyset *
oidc_keyset_load(struct oidc_arena *a, const char *path,
    enum oidc_jws_alg alg, const char *kid, struct oidc_error *err)
{
	return oidc_keyset_load_as(a, "key file", path, alg, kid, err);
}

struct oidc_keyset *
oidc_keyset_load_as(struct oidc_arena *a, const char *what, const char *path,
    enum oidc_jws_alg alg, const char *kid, struct oidc_error *err)
{
	struct oidc_keyset	*ks = NULL;
	FILE			*f = NULL;
	char			*buf = NULL;
	size_t			 len = 0;

	if ((buf = malloc(OIDC_JWK_MAX_LEN + 1)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
		goto out;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		oidc_fail(err, OIDC_E_IO, "cannot read key file", "%s %s: %s",
		    what, path, strerror(errno));
		goto out;
	}
	len = fread(buf, 1, OIDC_JWK_MAX_LEN + 1, f);
	if (ferror(f)) {
		oidc_fail(err, OIDC_E_IO, "cannot read key file", "%s %s: %s",
		    what, path, strerror(errno));
		goto out;
	}
	ks = oidc_keyset_parse(a, buf, len, alg, kid, err);
out:
	if (f != NULL)
		fclose(f);
	if (buf != NULL) {
		oidc_wipe(buf, len);	/* it may hold a private key */
		free(buf);
	}
	return ks;
}

const char *
oidc_keyset_jwks(const struct oidc_keyset *ks, struct oidc_arena *a,
    size_t *len, struct oidc_error *err)
{
	struct oidc_json	*doc, *arr, *k;
	size_t			 i;

	if ((doc = oidc_json_new_object(a)) == NULL ||
	    (arr = oidc_json_new_array(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	for (i = 0; i < ks->n; i++) {
		/* SECURITY: symmetric secrets are never published. */
		if (ks->keys[i]->kty == OIDC_JWK_OCT)
			continue;
		if ((k = oidc_jwk_public_json(ks->keys[i], a, err)) == NULL ||
		    oidc_json_array_add(arr, k, err) == -1)
			return NULL;
	}
	if (oidc_json_set_obj(doc, "keys", arr, err) == -1)
		return NULL;
	return oidc_json_serialize(doc, a, len, err);
}
