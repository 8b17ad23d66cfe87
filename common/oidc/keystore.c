/*
 * keystore.c: signing keys from files and from the database, reloaded
 * when they change (see oidc/keystore.h for the life cycle and the reload
 * rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/code.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"
#include "oidc/log.h"
#include "oidc/seal.h"

/* A process that has never loaded the database keys retries each second. */
#define RETRY_UNLOADED	1
#define SCRATCH_CHUNK	8192
#define SCRATCH_CAP	(4 << 20)
#define FOREVER		INT64_MAX

/* One key: a file key (always active) or a database row. */
struct entry {
	char			 kid[OIDC_JWK_MAX_KID + 1];
	bool			 from_file;
	int64_t			 publish_at;
	int64_t			 activate_at;
	int64_t			 retire_at;	/* 0: not set */
	int64_t			 expire_at;	/* 0: not set */
	struct oidc_jwk		*pub;		/* public (database keys) */
	struct oidc_jwk		*key;		/* private (signing) or file key */
};

struct oidc_keystore {
	const struct oidc_config	*cfg;
	bool				 with_private;
	bool				 have_kek;
	unsigned char			 kek[OIDC_SEAL_KEY_LEN];
	/* HKDF of the KEK for sealing authorization codes (oidc/code.h). */
	unsigned char			 code_key[OIDC_SEAL_KEY_LEN];
	struct entry			 files[OIDC_CONFIG_MAX_KEYS];
	size_t				 nfiles;
	struct entry			*db;		/* malloc'd */
	size_t				 ndb;
	bool				 loaded;	/* db keys read once */
	int64_t				 generation;
	time_t				 next_check_at;
	int64_t				 next_event_at;
	struct oidc_keyset		*view;
	uint64_t			 version;
	unsigned			 sign_algs;
};

static const char *const state_names[OIDC_KEY__MAX] = {
	"scheduled", "pending", "active", "retired", "expired"
};

const char *
oidc_key_state_name(enum oidc_key_state s)
{
	return (unsigned)s < OIDC_KEY__MAX ? state_names[s] : "unknown";
}

static enum oidc_key_state
state_of(int64_t publish_at, int64_t activate_at, int64_t retire_at,
    int64_t expire_at, int64_t now)
{
	if (expire_at != 0 && now >= expire_at)
		return OIDC_KEY_EXPIRED;
	if (retire_at != 0 && now >= retire_at)
		return OIDC_KEY_RETIRED;
	if (now >= activate_at)
		return OIDC_KEY_ACTIVE;
	if (now >= publish_at)
		return OIDC_KEY_PENDING;
	return OIDC_KEY_SCHEDULED;
}

enum oidc_key_state
oidc_key_state_at(const struct oidc_signing_key_row *r, int64_t now)
{
	return state_of(r->publish_at, r->activate_at, r->retire_at,
	    r->expire_at, now);
}

static enum oidc_key_state
entry_state(const struct entry *e, int64_t now)
{
	if (e->from_file)
		return OIDC_KEY_ACTIVE;
	return state_of(e->publish_at, e->activate_at, e->retire_at,
	    e->expire_at, now);
}

static void
entry_clear(struct entry *e)
{
	oidc_jwk_free(e->pub);
	oidc_jwk_free(e->key);
	memset(e, 0, sizeof(*e));
}

static void
free_db(struct entry *db, size_t n)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < n; i++)
		entry_clear(&db[i]);
	free(db);
}

/*
 * Load one signing_key file: one PEM key or one JWK, the optional alg
 * pinning it.  A public keystore keeps only a public copy (and drops an
 * HMAC key, which has no public form and is never published).
 */
static int
load_file(struct oidc_keystore *ks, struct oidc_arena *scratch,
    const struct oidc_config_key *ck, struct oidc_error *err)
{
	struct oidc_keyset	*one;
	struct entry		*e = &ks->files[ks->nfiles];
	enum oidc_jws_alg	 alg = OIDC_JWS_ALG_ANY;
	const struct oidc_jwk	*k;
	int			 rc = -1;

	if (ck->alg != NULL && oidc_jws_alg_from_name(ck->alg,
	    strlen(ck->alg), &alg) != 1)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "signing_key: "
		    "unknown algorithm %s", ck->alg);
	if ((one = oidc_keyset_load_as(scratch, "signing_key", ck->path, alg,
	    NULL, err)) == NULL)
		return -1;
	if (oidc_keyset_count(one) != 1) {
		oidc_fail(err, OIDC_E_CONFIG, NULL, "signing_key %s: one key "
		    "per file", ck->path);
		goto out;
	}
	k = oidc_keyset_get(one, 0);
	/*
	 * An RSA or Ed25519 key without an algorithm would publish no "alg";
	 * pin it to RS256 (OIDC Core 15.1) or EdDSA (as before RFC 9864), as
	 * oidc.conf(5) documents.  Name PS256, Ed25519 and friends explicitly
	 * to use them: one key serves one alg name.
	 */
	if (ck->alg == NULL && oidc_jwk_alg(k) == OIDC_JWS_ALG_ANY &&
	    (oidc_jwk_kty(k) == OIDC_JWK_RSA ||
	    oidc_jwk_kty(k) == OIDC_JWK_OKP)) {
		alg = oidc_jwk_kty(k) == OIDC_JWK_RSA ? OIDC_JWS_RS256 :
		    OIDC_JWS_EDDSA;
		oidc_keyset_free(one);
		if ((one = oidc_keyset_load_as(scratch, "signing_key", ck->path,
		    alg, NULL, err)) == NULL)
			return -1;
		k = oidc_keyset_get(one, 0);
	}
	/* A public half serves jwks and discovery only (deploy/README 6). */
	if (ks->with_private && !oidc_jwk_is_private(k)) {
		oidc_fail(err, OIDC_E_CONFIG, NULL, "signing_key %s: a public "
		    "key; this program signs and needs the private key",
		    ck->path);
		goto out;
	}
	if (!ks->with_private && oidc_jwk_kty(k) == OIDC_JWK_OCT) {
		rc = 0;
		goto out;
	}
	if ((e->key = oidc_jwk_dup(k, ks->with_private, scratch, err)) == NULL)
		goto out;
	(void)snprintf(e->kid, sizeof(e->kid), "%s", oidc_jwk_kid(k));
	e->from_file = true;
	ks->nfiles++;
	rc = 0;
out:
	oidc_keyset_free(one);
	return rc;
}

struct oidc_keystore *
oidc_keystore_new(const struct oidc_config *cfg, bool with_private,
    struct oidc_error *err)
{
	struct oidc_keystore	*ks;
	struct oidc_arena	*scratch;
	size_t			 i;

	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (scratch = oidc_arena_new(SCRATCH_CHUNK, SCRATCH_CAP)) == NULL) {
		free(ks);
		oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
		return NULL;
	}
	ks->cfg = cfg;
	ks->with_private = with_private;
	for (i = 0; i < cfg->nkeys; i++) {
		if (load_file(ks, scratch, &cfg->keys[i], err) == -1)
			goto fail;
		oidc_arena_reset(scratch);
	}
	/* Only a process that signs may hold the KEK. */
	if (with_private && cfg->key_encryption_key != NULL) {
		if (oidc_seal_key_load(cfg->key_encryption_key, ks->kek,
		    err) == -1 || oidc_seal_key_derive(ks->kek,
		    OIDC_CODE_KEY_LABEL, ks->code_key, err) == -1)
			goto fail;
		ks->have_kek = true;
	}
	oidc_arena_free(scratch);
	scratch = NULL;
	if (oidc_keystore_refresh(ks, NULL, time(NULL), true, err) == -1)
		goto fail;
	return ks;
fail:
	oidc_arena_free(scratch);
	oidc_keystore_free(ks);
	return NULL;
}

void
oidc_keystore_free(struct oidc_keystore *ks)
{
	size_t	 i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->nfiles; i++)
		entry_clear(&ks->files[i]);
	free_db(ks->db, ks->ndb);
	oidc_keyset_free(ks->view);
	oidc_wipe(ks->kek, sizeof(ks->kek));
	oidc_wipe(ks->code_key, sizeof(ks->code_key));
	free(ks);
}

const unsigned char *
oidc_keystore_code_key(const struct oidc_keystore *ks)
{
	return ks != NULL && ks->have_kek ? ks->code_key : NULL;
}

/* The associated data that binds a sealed key to its row. */
static char *
seal_aad(struct oidc_arena *a, const char *kid, const char *alg)
{
	return oidc_arena_printf(a, "%s\n%s", kid, alg);
}

/*
 * Open the sealed private key of row r and check that it is the private
 * half of `pub`.  NULL with err set.
 */
static struct oidc_jwk *
open_private(struct oidc_keystore *ks, struct oidc_arena *scratch,
    const struct oidc_signing_key_row *r, enum oidc_jws_alg alg,
    const struct oidc_jwk *pub, struct oidc_error *err)
{
	struct oidc_jwk	*k;
	unsigned char	*pem;
	const char	*aad;
	size_t		 len;

	if (!ks->have_kek) {
		oidc_fail(err, OIDC_E_CONFIG, NULL, "no key_encryption_key "
		    "configured (read at start-up: set it, then restart)");
		return NULL;
	}
	if ((aad = seal_aad(scratch, r->kid.p, r->alg.p)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return NULL;
	}
	if (oidc_seal_open(scratch, ks->kek, aad, strlen(aad), r->private_key,
	    r->private_key_len, &pem, &len, err) == -1)
		return NULL;
	k = oidc_jwk_parse_pem(scratch, (const char *)pem, len, alg, r->kid.p,
	    err);
	oidc_wipe(pem, len);
	if (k == NULL)
		return NULL;
	/* SECURITY: never sign with a key that the JWKS does not publish. */
	if (!oidc_jwk_is_private(k) || strcmp(oidc_jwk_thumbprint(k),
	    oidc_jwk_thumbprint(pub)) != 0) {
		oidc_jwk_free(k);
		oidc_fail(err, OIDC_E_CONFIG, NULL, "private key does not "
		    "match public_jwk");
		return NULL;
	}
	return k;
}

/*
 * One database row into e.  A row that does not hold together (its JWK
 * disagrees with its kid or alg columns, its private key does not open)
 * is logged and skipped, or kept for verification only: one bad row never
 * takes the other keys down.  0 use it, 1 skip it, -1 out of memory.
 */
static int
load_row(struct oidc_keystore *ks, struct oidc_arena *scratch,
    const struct oidc_signing_key_row *r, int64_t now, struct entry *e)
{
	struct oidc_error	 err = { 0 };
	enum oidc_jws_alg	 alg;
	enum oidc_key_state	 st;

	memset(e, 0, sizeof(*e));
	st = oidc_key_state_at(r, now);
	if (st == OIDC_KEY_EXPIRED)
		return 1;
	if (r->kid.p == NULL || r->kid.len >= sizeof(e->kid) ||
	    r->alg.p == NULL || r->public_jwk.p == NULL ||
	    oidc_jws_alg_from_name(r->alg.p, r->alg.len, &alg) != 1 ||
	    oidc_jws_alg_kty(alg) == OIDC_JWK_OCT) {
		oidc_log(OIDC_LOG_ERROR, "msg=\"signing_key row skipped: bad "
		    "kid or alg\"");
		return 1;
	}
	e->pub = oidc_jwk_parse_json(scratch, r->public_jwk.p,
	    r->public_jwk.len, &err);
	if (e->pub == NULL || oidc_jwk_is_private(e->pub) ||
	    strcmp(oidc_jwk_kid(e->pub), r->kid.p) != 0 ||
	    oidc_jwk_alg(e->pub) != alg || !oidc_jwk_supports(e->pub, alg)) {
		if (err.code == OIDC_E_NOMEM)
			return -1;
		oidc_log(OIDC_LOG_ERROR, "msg=\"signing_key row skipped: "
		    "public_jwk does not match its kid and alg\" kid=%s",
		    r->kid.p);
		entry_clear(e);
		return 1;
	}
	(void)snprintf(e->kid, sizeof(e->kid), "%s", r->kid.p);
	e->publish_at = r->publish_at;
	e->activate_at = r->activate_at;
	e->retire_at = r->retire_at;
	e->expire_at = r->expire_at;
	/* Private halves only for keys that sign now or will. */
	if (ks->with_private && r->private_key != NULL &&
	    st != OIDC_KEY_RETIRED) {
		e->key = open_private(ks, scratch, r, alg, e->pub, &err);
		if (e->key == NULL) {
			if (err.code == OIDC_E_NOMEM)
				return -1;
			oidc_log(OIDC_LOG_ERROR, "msg=\"signing_key cannot "
			    "sign: %s\" kid=%s", err.detail, e->kid);
		}
	}
	return 0;
}

/* Rows into a new entry array that replaces the database keys. */
static int
load_entries(struct oidc_keystore *ks, struct oidc_arena *scratch,
    const struct oidc_signing_key_row *rows, size_t n, int64_t now,
    struct oidc_error *err)
{
	struct entry	*ents;
	size_t		 i, k = 0;
	int		 r;

	if ((ents = calloc(n + 1, sizeof(*ents))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
	for (i = 0; i < n; i++) {
		if ((r = load_row(ks, scratch, &rows[i], now, &ents[k])) ==
		    -1) {
			free_db(ents, k);
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
		}
		if (r == 0)
			k++;
	}
	free_db(ks->db, ks->ndb);
	ks->db = ents;
	ks->ndb = k;
	return 0;
}

/* Read every unexpired database key into a new entry array. */
static int
load_db(struct oidc_keystore *ks, struct oidc_db *db, time_t now,
    struct oidc_error *err)
{
	struct oidc_arena		*scratch;
	struct oidc_signing_key_row	*rows;
	size_t				 n;
	int				 rc = -1;

	if ((scratch = oidc_arena_new(SCRATCH_CHUNK, SCRATCH_CAP)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
	if (oidc_db_signing_key_list(db, scratch, ks->with_private, false,
	    &rows, &n, err) == 0)
		rc = load_entries(ks, scratch, rows, n, now, err);
	oidc_arena_free(scratch);	/* wipes the opened PEM text */
	return rc;
}

static void
note_event(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && t < *next)
		*next = t;
}

/* Add a copy of k to set; a duplicate kid or a full set is logged. */
static int
add_copy(struct oidc_keyset *set, struct oidc_arena *scratch,
    const struct oidc_jwk *k, bool priv, const char *kid)
{
	struct oidc_error	 err = { 0 };
	struct oidc_jwk		*c;

	if ((c = oidc_jwk_dup(k, priv, scratch, &err)) == NULL)
		return err.code == OIDC_E_NOMEM ? -1 : 0;
	if (oidc_keyset_add(set, c, &err) == -1) {
		oidc_jwk_free(c);
		oidc_log(OIDC_LOG_WARN, "msg=\"key left out of the key set: "
		    "%s\" kid=%s", err.detail, kid);
	}
	return 0;
}

/*
 * One pass over the database keys into set: pass 0 the active keys with
 * their private half (and, once, the next event time and dropping the
 * private half of retired keys), pass 2 every other published key as a
 * public copy.  -1 when memory ran out.
 */
static int
add_db_keys(struct oidc_keystore *ks, struct oidc_keyset *set,
    struct oidc_arena *scratch, int pass, time_t now, int64_t *next)
{
	struct entry		*e;
	enum oidc_key_state	 st;
	size_t			 i;
	bool			 priv;

	for (i = 0; i < ks->ndb; i++) {
		e = &ks->db[i];
		st = entry_state(e, now);
		if (pass == 0) {
			note_event(next, e->publish_at, now);
			note_event(next, e->activate_at, now);
			note_event(next, e->retire_at, now);
			note_event(next, e->expire_at, now);
			/* A retired key never signs again. */
			if (st == OIDC_KEY_RETIRED && e->key != NULL) {
				oidc_jwk_free(e->key);
				e->key = NULL;
			}
		}
		priv = st == OIDC_KEY_ACTIVE && e->key != NULL;
		if (pass == 0 && !priv)
			continue;
		if (pass == 2 && (priv || st == OIDC_KEY_SCHEDULED ||
		    st == OIDC_KEY_EXPIRED))
			continue;
		if (add_copy(set, scratch, priv ? e->key : e->pub, priv,
		    e->kid) == -1)
			return -1;
	}
	return 0;
}

/*
 * What can sign now: discovery's *_signing_alg_values_supported.  With
 * private keys, what the view signs with; without, what the file keys
 * and the active database keys support.
 */
static unsigned
signing_algs(const struct oidc_keystore *ks, const struct oidc_keyset *set,
    time_t now)
{
	const struct oidc_jwk	*k;
	enum oidc_jws_alg	 alg;
	unsigned		 mask = 0;
	size_t			 i;
	int			 a;

	for (a = 0; a < OIDC_JWS__MAX; a++) {
		alg = (enum oidc_jws_alg)a;
		if (oidc_jws_alg_kty(alg) == OIDC_JWK_OCT)
			continue;
		if (ks->with_private) {
			if (oidc_keyset_find_alg(set, alg, true, &k) == 1)
				mask |= OIDC_JWS_BIT(a);
			continue;
		}
		for (i = 0; i < ks->nfiles; i++)
			if (oidc_jwk_supports(ks->files[i].key, alg))
				mask |= OIDC_JWS_BIT(a);
		for (i = 0; i < ks->ndb; i++)
			if (entry_state(&ks->db[i], now) == OIDC_KEY_ACTIVE &&
			    oidc_jwk_supports(ks->db[i].pub, alg))
				mask |= OIDC_JWS_BIT(a);
	}
	return mask;
}

/*
 * Build the view for `now`: active database keys with their private half
 * first (so oidc_keyset_find_alg() picks them), then the file keys, then
 * every other published key as a public copy.
 */
static int
rebuild(struct oidc_keystore *ks, time_t now, struct oidc_error *err)
{
	struct oidc_arena	*scratch;
	struct oidc_keyset	*set;
	int64_t			 next = FOREVER;
	size_t			 i;
	int			 pass, rc = -1;

	if ((set = oidc_keyset_new(err)) == NULL)
		return -1;
	if ((scratch = oidc_arena_new(SCRATCH_CHUNK, SCRATCH_CAP)) == NULL) {
		oidc_keyset_free(set);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
	}
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1) {
			for (i = 0; i < ks->nfiles; i++)
				if (add_copy(set, scratch, ks->files[i].key,
				    ks->with_private, ks->files[i].kid) == -1)
					goto nomem;
			continue;
		}
		if (add_db_keys(ks, set, scratch, pass, now, &next) == -1)
			goto nomem;
		oidc_arena_reset(scratch);
	}
	ks->sign_algs = signing_algs(ks, set, now);
	oidc_keyset_free(ks->view);
	ks->view = set;
	set = NULL;
	ks->next_event_at = next;
	ks->version++;
	rc = 0;
	goto out;
nomem:
	oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
out:
	oidc_keyset_free(set);
	oidc_arena_free(scratch);
	return rc;
}

int
oidc_keystore_refresh(struct oidc_keystore *ks, struct oidc_db *db,
    time_t now, bool force, struct oidc_error *err)
{
	int64_t	 gen;
	bool	 dirty = ks->view == NULL;
	int	 rc = 0;

	if (db != NULL && (force || now >= ks->next_check_at)) {
		ks->next_check_at = now + (ks->loaded ?
		    ks->cfg->key_reload_interval : RETRY_UNLOADED);
		if (oidc_db_signing_key_generation(db, &gen, err) == -1)
			rc = -1;
		else if (!ks->loaded || gen != ks->generation) {
			if (load_db(ks, db, now, err) == -1)
				rc = -1;
			else {
				if (ks->loaded)
					oidc_log(OIDC_LOG_INFO, "msg=\"signing "
					    "keys reloaded\" generation=%lld "
					    "keys=%zu", (long long)gen, ks->ndb);
				ks->generation = gen;
				ks->loaded = true;
				ks->next_check_at = now +
				    ks->cfg->key_reload_interval;
				dirty = true;
			}
		}
	}
	if (dirty || (int64_t)now >= ks->next_event_at) {
		struct oidc_error	 err2 = { 0 };

		if (rebuild(ks, now, rc == -1 ? &err2 : err) == -1)
			return -1;
		return rc == -1 ? -1 : 1;
	}
	return rc;
}

int
oidc_keystore_load_rows(struct oidc_keystore *ks,
    const struct oidc_signing_key_row *rows, size_t n, time_t now,
    struct oidc_error *err)
{
	struct oidc_arena	*scratch;
	int			 rc;

	if ((scratch = oidc_arena_new(SCRATCH_CHUNK, SCRATCH_CAP)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "keystore");
	rc = load_entries(ks, scratch, rows, n, now, err);
	oidc_arena_free(scratch);
	if (rc == -1)
		return -1;
	return rebuild(ks, now, err);
}

struct oidc_keyset *
oidc_keystore_keyset(const struct oidc_keystore *ks)
{
	return ks->view;
}

uint64_t
oidc_keystore_version(const struct oidc_keystore *ks)
{
	return ks->version;
}

unsigned
oidc_keystore_signing_algs(const struct oidc_keystore *ks)
{
	return ks->sign_algs;
}

int
oidc_keystore_seal_row(struct oidc_arena *a, const unsigned char *kek,
    const struct oidc_jwk *key, enum oidc_jws_alg alg,
    struct oidc_signing_key_row *row, struct oidc_error *err)
{
	struct oidc_json	*pub;
	const char		*kid, *algname, *aad, *jwk;
	char			*pem;
	unsigned char		*blob;
	size_t			 bloblen, jwklen;
	int			 rc = -1;

	algname = oidc_jws_alg_name(alg);
	if (algname == NULL || oidc_jws_alg_kty(alg) == OIDC_JWK_OCT ||
	    !oidc_jwk_is_private(key) || !oidc_jwk_supports(key, alg) ||
	    (oidc_jwk_alg(key) != alg && oidc_jwk_alg(key) !=
	    OIDC_JWS_ALG_ANY))
		return oidc_fail(err, OIDC_E_CONFIG, "the key must be a "
		    "private RSA (2048 bits or more), EC, Ed25519 or Ed448 key "
		    "that "
		    "fits the algorithm", "key does not fit %s",
		    algname != NULL ? algname : "?");
	kid = oidc_jwk_kid(key);
	if ((pub = oidc_jwk_public_json(key, a, err)) == NULL)
		return -1;
	/* Publish the alg: the key is pinned to it (RFC 7517 4.4). */
	if (oidc_json_set_cstr(pub, "alg", algname, err) == -1 ||
	    (jwk = oidc_json_serialize(pub, a, &jwklen, err)) == NULL)
		return -1;
	if ((pem = oidc_jwk_private_pem(key, a, err)) == NULL)
		return -1;
	if ((aad = seal_aad(a, kid, algname)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	if (oidc_seal(a, kek, aad, strlen(aad), pem, strlen(pem), &blob,
	    &bloblen, err) == -1)
		goto out;
	memset(row, 0, sizeof(*row));
	if ((row->kid.p = oidc_arena_strdup(a, kid)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	row->kid.len = strlen(kid);
	row->alg = (struct oidc_str){ algname, strlen(algname) };
	row->public_jwk = (struct oidc_str){ jwk, jwklen };
	row->private_key = blob;
	row->private_key_len = bloblen;
	rc = 0;
out:
	oidc_wipe(pem, strlen(pem));
	return rc;
}
