/*
 * cmd_key.c: `oidcctl key ...`: the signing keys kept in the database
 * (issue 7; life cycle in oidc/keystore.h and
 * sql/migrations/0003_signing_keys.sql).
 *
 * Every command that changes keys runs in one transaction that first
 * takes the signing_key_generation row lock, so two operators cannot
 * schedule two active keys for one algorithm; the table's trigger refuses
 * overlaps as well.  Private keys are sealed with the key_encryption_key
 * before they leave this process (oidc/seal.h); they are never printed.
 * Output: one JSON object (or array, for list) on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"
#include "oidc/seal.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

enum add_mode {
	ADD_NEW,		/* first key of an alg: active after the lead */
	ADD_NEW_NOW,		/* first key of an alg: active at once */
	ADD_ROTATE		/* successor: the current key retires */
};

static int
usage(int rc)
{
	printf("usage: oidcctl key generate --alg ALG [--bits N] "
	    "[--activate-now]\n"
	    "       oidcctl key rotate --alg ALG [--bits N]\n"
	    "       oidcctl key import --alg ALG [--activate-now | --rotate] "
	    "FILE\n"
	    "       oidcctl key retire [--] KID\n"
	    "       oidcctl key list\n\n"
	    "Signing keys kept in the database.  Every worker picks changes "
	    "up\nwithin key_reload_interval seconds, without a restart.  "
	    "ALG is one of\nRS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 "
	    "ES512 EdDSA Ed25519\nEd448 (one key per ALG: an EdDSA key is "
	    "never used as Ed25519).\n\n"
	    "generate  a new key for an algorithm that has no key yet: "
	    "published in\n"
	    "          the JWKS now, signing after key_publish_ahead "
	    "seconds\n"
	    "          (--activate-now: at once).  RSA keys have 2048 bits "
	    "unless\n          --bits N (2048..8192).\n"
	    "rotate    a successor for ALG: published now, signing after\n"
	    "          key_publish_ahead seconds; the current key stops "
	    "signing at\n"
	    "          that instant and stays in the JWKS for the longest "
	    "token\n"
	    "          lifetime (max of id_token_ttl, access_token_ttl).\n"
	    "import    like generate (or rotate, with --rotate) with the "
	    "private key\n"
	    "          from FILE (PEM or JWK).\n"
	    "retire    stop signing with KID now; it stays in the JWKS for "
	    "the\n          longest token lifetime.  Retiring a pending "
	    "successor cancels\n          the rotation: the current key "
	    "keeps signing.\n"
	    "list      every key as a JSON array: kid, alg, state (scheduled,\n"
	    "          pending, active, retired, expired) and times (unix "
	    "seconds).\n\n"
	    "generate, rotate and import need key_encryption_key in the "
	    "configuration.\n"
	    "exit: 0 ok, 1 failure, 2 usage or invalid key, 3 unknown kid,\n"
	    "      4 conflict (ALG already has a key, a successor is already\n"
	    "      pending, the key is already retired, the kid exists)\n");
	return rc;
}

/* Seconds a retired key stays published: the longest token lifetime. */
static int64_t
key_lifetime(const struct oidc_config *cfg)
{
	return cfg->id_token_ttl > cfg->access_token_ttl ? cfg->id_token_ttl :
	    cfg->access_token_ttl;
}

static int
set_time(struct oidc_json *j, const char *key, int64_t t,
    struct oidc_error *err)
{
	if (t == 0)
		return oidc_json_set_null(j, key, err);
	return oidc_json_set_i64(j, key, t, err);
}

/* A key as printed: never any private material. */
static struct oidc_json *
key_view(struct oidc_arena *a, const struct oidc_signing_key_row *r,
    int64_t now, struct oidc_error *err)
{
	struct oidc_json	*j;

	if ((j = oidc_json_new_object(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	if (oidc_json_set_str(j, "kid", r->kid.p, r->kid.len, err) == -1 ||
	    oidc_json_set_str(j, "alg", r->alg.p, r->alg.len, err) == -1 ||
	    oidc_json_set_cstr(j, "state", oidc_key_state_name(
	    oidc_key_state_at(r, now)), err) == -1 ||
	    set_time(j, "created_at", r->created_at, err) == -1 ||
	    set_time(j, "publish_at", r->publish_at, err) == -1 ||
	    set_time(j, "activate_at", r->activate_at, err) == -1 ||
	    set_time(j, "retire_at", r->retire_at, err) == -1 ||
	    set_time(j, "expire_at", r->expire_at, err) == -1)
		return NULL;
	return j;
}

static int
parse_alg(const char *s, enum oidc_jws_alg *alg)
{
	if (oidc_jws_alg_from_name(s, strlen(s), alg) != 1 ||
	    oidc_jws_alg_kty(*alg) == OIDC_JWK_OCT) {
		fprintf(stderr, "oidcctl: key: unknown or unsupported "
		    "algorithm %s (HS* sign with client secrets)\n", s);
		return -1;
	}
	return 0;
}

/* Exit status for a failed database step. */
static int
db_exit(struct oidcctl *o, const char *what, const struct oidc_error *err)
{
	if (oidc_db_last_was_conflict(o->db)) {
		fprintf(stderr, "oidcctl: %s: conflicts with another key of the "
		    "same algorithm\n", what);
		return OIDCCTL_CONFLICT;
	}
	oidcctl_fail(what, err);
	return OIDCCTL_FAIL;
}

/* The key of `alg` in state `st` at now (newest first), or NULL. */
static const struct oidc_signing_key_row *
find_state(const struct oidc_signing_key_row *rows, size_t n,
    const char *alg, enum oidc_key_state st, int64_t now)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].alg.p, alg) == 0 &&
		    oidc_key_state_at(&rows[i], now) == st)
			return &rows[i];
	return NULL;
}

/* The new key sealed under the key-encryption key into row. */
static int
seal_new_row(struct oidcctl *o, const struct oidc_jwk *key,
    enum oidc_jws_alg alg, struct oidc_signing_key_row *row)
{
	struct oidc_error	 err = { 0 };
	unsigned char		 kek[OIDC_SEAL_KEY_LEN];
	int			 rc = OIDCCTL_OK;

	if (o->cfg.key_encryption_key == NULL) {
		fprintf(stderr, "oidcctl: key: key_encryption_key is not set "
		    "in %s (see oidc.conf(5))\n", oidc_config_default_path());
		return OIDCCTL_FAIL;
	}
	if (oidc_seal_key_load(o->cfg.key_encryption_key, kek, &err) == -1) {
		oidcctl_fail("key", &err);
		return OIDCCTL_FAIL;
	}
	if (oidc_keystore_seal_row(o->a, kek, key, alg, row, &err) == -1) {
		oidcctl_fail("key", &err);
		rc = err.code == OIDC_E_CONFIG ? OIDCCTL_USAGE : OIDCCTL_FAIL;
	}
	oidc_wipe(kek, sizeof(kek));
	return rc;
}

/*
 * May alg take a new key?  Never while one is pending; beside an active
 * key (*cur) only to rotate it.
 */
static int
check_slot(const struct oidc_signing_key_row *rows, size_t n,
    const char *algname, enum add_mode mode, int64_t now,
    const struct oidc_signing_key_row **cur)
{
	const struct oidc_signing_key_row	*pend;

	*cur = find_state(rows, n, algname, OIDC_KEY_ACTIVE, now);
	if ((pend = find_state(rows, n, algname, OIDC_KEY_PENDING, now)) ==
	    NULL)
		pend = find_state(rows, n, algname, OIDC_KEY_SCHEDULED, now);
	if (pend != NULL) {
		fprintf(stderr, "oidcctl: key: %s already has a pending key "
		    "%s; retire it first\n", algname, pend->kid.p);
		return OIDCCTL_CONFLICT;
	}
	if (*cur != NULL && mode != ADD_ROTATE) {
		fprintf(stderr, "oidcctl: key: %s already has an active key "
		    "%s; use oidcctl key rotate\n", algname, (*cur)->kid.p);
		return OIDCCTL_CONFLICT;
	}
	return OIDCCTL_OK;
}

/* Print the new key, and the key cur it replaces at `at`, if any. */
static int
print_added(struct oidcctl *o, const struct oidc_signing_key_row *row,
    const struct oidc_signing_key_row *cur, int64_t at, int64_t now)
{
	struct oidc_error		 err = { 0 };
	struct oidc_json		*view, *oldv;
	struct oidc_signing_key_row	 old;

	if ((view = key_view(o->a, row, now, &err)) == NULL)
		return OIDCCTL_FAIL;
	if (cur != NULL) {
		old = *cur;
		old.retire_at = at;
		old.expire_at = at + key_lifetime(&o->cfg);
		if ((oldv = key_view(o->a, &old, now, &err)) == NULL ||
		    oidc_json_set_obj(view, "replaces", oldv, &err) == -1)
			return OIDCCTL_FAIL;
	}
	return oidcctl_print_json(o->a, view) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
}

/*
 * Store key for alg (generate, import, rotate), all in one transaction.
 * Prints the new key, and the key it replaces under "replaces".
 */
static int
add_key(struct oidcctl *o, const struct oidc_jwk *key, enum oidc_jws_alg alg,
    enum add_mode mode)
{
	struct oidc_error		 err = { 0 };
	struct oidc_signing_key_row	*rows, row;
	const struct oidc_signing_key_row *cur;
	const char			*algname = oidc_jws_alg_name(alg);
	int64_t				 now = (int64_t)time(NULL), at;
	size_t				 n;
	int				 rc, r;

	if ((rc = seal_new_row(o, key, alg, &row)) != OIDCCTL_OK)
		return rc;
	if (oidc_db_begin(o->db, &err) == -1 ||
	    oidc_db_signing_key_lock(o->db, &err) == -1 ||
	    oidc_db_signing_key_list(o->db, o->a, false, false, &rows, &n,
	    &err) == -1) {
		rc = db_exit(o, "key", &err);
		goto out;
	}
	if ((rc = check_slot(rows, n, algname, mode, now, &cur)) != OIDCCTL_OK)
		goto out;
	at = mode == ADD_NEW_NOW ? now : now + o->cfg.key_publish_ahead;
	row.publish_at = now;
	row.activate_at = at;
	row.created_at = now;
	/* The old key stops signing exactly when the new one starts. */
	if (cur != NULL && (r = oidc_db_signing_key_retire(o->db, cur->kid, at,
	    at + key_lifetime(&o->cfg), &err)) != 1) {
		rc = r == -1 ? db_exit(o, "key rotate", &err) : OIDCCTL_FAIL;
		goto out;
	}
	if ((r = oidc_db_signing_key_insert(o->db, &row, &err)) != 1) {
		if (r == 0) {
			fprintf(stderr, "oidcctl: key: kid %s exists\n",
			    row.kid.p);
			rc = OIDCCTL_CONFLICT;
		} else
			rc = db_exit(o, "key", &err);
		goto out;
	}
	if (oidc_db_commit(o->db, &err) == -1) {
		rc = db_exit(o, "key", &err);
		goto out;
	}
	oidcctl_audit(mode == ADD_ROTATE ? "key.rotated" : "key.added", "kid",
	    row.kid.p, "alg", algname);
	if (cur != NULL)
		oidcctl_audit("key.retired", "kid", cur->kid.p, "alg",
		    algname);
	rc = print_added(o, &row, cur, at, now);
out:
	if (oidc_db_in_transaction(o->db))
		oidc_db_rollback(o->db);
	return rc;
}

/* Options shared by generate, rotate and import. */
struct opts {
	const char	*alg;
	const char	*file;
	uint64_t	 bits;
	bool		 now;
	bool		 rotate;
};

static int
parse_opts(int argc, char *argv[], bool allow_file, bool allow_bits,
    struct opts *op)
{
	int	 i;

	memset(op, 0, sizeof(*op));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc)
			op->alg = argv[++i];
		else if (allow_bits && strcmp(argv[i], "--bits") == 0 &&
		    i + 1 < argc) {
			if (oidc_parse_u64(argv[i + 1], strlen(argv[i + 1]),
			    OIDC_JWK_RSA_MIN_BITS, OIDC_JWK_RSA_MAX_BITS,
			    &op->bits) == -1)
				return -1;
			i++;
		} else if (strcmp(argv[i], "--activate-now") == 0)
			op->now = true;
		else if (allow_file && strcmp(argv[i], "--rotate") == 0)
			op->rotate = true;
		else if (allow_file && op->file == NULL && argv[i][0] != '-')
			op->file = argv[i];
		else
			return -1;
	}
	if (op->alg == NULL || (allow_file && op->file == NULL) ||
	    (op->now && op->rotate))
		return -1;
	return 0;
}

static int
cmd_generate(int argc, char *argv[], bool rotate)
{
	struct oidcctl		 o;
	struct oidc_error	 err = { 0 };
	struct oidc_jwk		*key = NULL;
	struct opts		 op;
	enum oidc_jws_alg	 alg;
	int			 rc;

	if (parse_opts(argc, argv, false, true, &op) == -1 ||
	    (rotate && op.now))
		return usage(OIDCCTL_USAGE);
	if (parse_alg(op.alg, &alg) == -1)
		return OIDCCTL_USAGE;
	if (op.bits != 0 && oidc_jws_alg_kty(alg) != OIDC_JWK_RSA) {
		fprintf(stderr, "oidcctl: key: --bits is for RSA keys only\n");
		return OIDCCTL_USAGE;
	}
	if (oidcctl_open(&o) == -1) {
		oidcctl_close(&o);
		return OIDCCTL_FAIL;
	}
	if ((key = oidc_jwk_generate(alg, (unsigned)op.bits, &err)) == NULL) {
		oidcctl_fail("key generate", &err);
		rc = OIDCCTL_FAIL;
	} else
		rc = add_key(&o, key, alg, rotate ? ADD_ROTATE : op.now ?
		    ADD_NEW_NOW : ADD_NEW);
	oidc_jwk_free(key);
	oidcctl_close(&o);
	return rc;
}

static int
cmd_import(int argc, char *argv[])
{
	struct oidcctl		 o;
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	const struct oidc_jwk	*key;
	struct opts		 op;
	enum oidc_jws_alg	 alg;
	int			 rc = OIDCCTL_USAGE;

	if (parse_opts(argc, argv, true, false, &op) == -1)
		return usage(OIDCCTL_USAGE);
	if (parse_alg(op.alg, &alg) == -1)
		return OIDCCTL_USAGE;
	if (oidcctl_open(&o) == -1) {
		oidcctl_close(&o);
		return OIDCCTL_FAIL;
	}
	if ((ks = oidc_keyset_load(o.a, op.file, alg, NULL, &err)) == NULL) {
		oidcctl_fail(op.file, &err);
		rc = err.code == OIDC_E_IO ? OIDCCTL_FAIL : OIDCCTL_USAGE;
		goto out;
	}
	if (oidc_keyset_count(ks) != 1 ||
	    !oidc_jwk_is_private(key = oidc_keyset_get(ks, 0))) {
		fprintf(stderr, "oidcctl: key import: %s must hold exactly one "
		    "private key\n", op.file);
		goto out;
	}
	rc = add_key(&o, key, alg, op.rotate ? ADD_ROTATE : op.now ?
	    ADD_NEW_NOW : ADD_NEW);
out:
	oidc_keyset_free(ks);
	oidcctl_close(&o);
	return rc;
}

/*
 * retire's KID argument, or NULL with *rc its exit status: retire has no
 * options, since a base64url kid may well start with '-' (1 in 64), so
 * only --help is one; "--" is accepted before KID.
 */
static const char *
retire_kid(int argc, char *argv[], int *rc)
{
	if (argc == 3 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	} else if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		*rc = usage(OIDCCTL_OK);
		return NULL;
	}
	if (argc != 2 || argv[1][0] == '\0') {
		*rc = usage(OIDCCTL_USAGE);
		return NULL;
	}
	return argv[1];
}

static int
cmd_retire(int argc, char *argv[])
{
	struct oidcctl			 o;
	struct oidc_error		 err = { 0 };
	struct oidc_signing_key_row	*rows, *k = NULL;
	struct oidc_json		*view;
	enum oidc_key_state		 st;
	int64_t				 now = (int64_t)time(NULL);
	size_t				 n, i;
	const char			*kid;
	int				 rc = OIDCCTL_FAIL, r;

	if ((kid = retire_kid(argc, argv, &rc)) == NULL)
		return rc;
	rc = OIDCCTL_FAIL;
	if (oidcctl_open(&o) == -1)
		goto out;
	if (oidc_db_begin(o.db, &err) == -1 ||
	    oidc_db_signing_key_lock(o.db, &err) == -1 ||
	    oidc_db_signing_key_list(o.db, o.a, false, true, &rows, &n,
	    &err) == -1) {
		rc = db_exit(&o, "key retire", &err);
		goto out;
	}
	for (i = 0; i < n && k == NULL; i++)
		if (strcmp(rows[i].kid.p, kid) == 0)
			k = &rows[i];
	if (k == NULL) {
		fprintf(stderr, "oidcctl: key retire: no key %s\n", kid);
		rc = OIDCCTL_NOT_FOUND;
		goto out;
	}
	st = oidc_key_state_at(k, now);
	if (st == OIDC_KEY_RETIRED || st == OIDC_KEY_EXPIRED) {
		fprintf(stderr, "oidcctl: key retire: %s is already %s\n",
		    kid, oidc_key_state_name(st));
		rc = OIDCCTL_CONFLICT;
		goto out;
	}
	/*
	 * A pending successor retired before it activates: the key it was to
	 * replace keeps signing instead of retiring with nobody after it.
	 * Retire first: the successor's active interval becomes empty, so
	 * the trigger sees no overlap.
	 */
	if ((r = oidc_db_signing_key_retire(o.db, k->kid, now,
	    now + key_lifetime(&o.cfg), &err)) != 1 ||
	    ((st == OIDC_KEY_PENDING || st == OIDC_KEY_SCHEDULED) &&
	    oidc_db_signing_key_unretire(o.db, k->alg, k->activate_at,
	    &err) == -1) ||
	    oidc_db_commit(o.db, &err) == -1) {
		rc = r == 0 ? OIDCCTL_CONFLICT : db_exit(&o, "key retire",
		    &err);
		goto out;
	}
	oidcctl_audit("key.retired", "kid", k->kid.p, "alg", k->alg.p);
	if (st == OIDC_KEY_ACTIVE)
		fprintf(stderr, "oidcctl: key retire: no database key signs "
		    "%s now (signing_key files still do; see oidcctl key "
		    "generate)\n", k->alg.p);
	k->publish_at = k->publish_at < now ? k->publish_at : now;
	k->activate_at = k->activate_at < now ? k->activate_at : now;
	k->retire_at = now;
	k->expire_at = now + key_lifetime(&o.cfg);
	if ((view = key_view(o.a, k, now, &err)) != NULL &&
	    oidcctl_print_json(o.a, view) == 0)
		rc = OIDCCTL_OK;
out:
	if (o.db != NULL && oidc_db_in_transaction(o.db))
		oidc_db_rollback(o.db);
	oidcctl_close(&o);
	return rc;
}

static int
cmd_list(int argc, char *argv[])
{
	struct oidcctl			 o;
	struct oidc_error		 err = { 0 };
	struct oidc_signing_key_row	*rows;
	struct oidc_json		*arr, *v;
	int64_t				 now = (int64_t)time(NULL);
	size_t				 n, i;
	int				 rc = OIDCCTL_FAIL;

	(void)argv;
	if (argc != 1)
		return usage(OIDCCTL_USAGE);
	if (oidcctl_open(&o) == -1)
		goto out;
	if (oidc_db_signing_key_list(o.db, o.a, false, true, &rows, &n,
	    &err) == -1) {
		oidcctl_fail("key list", &err);
		goto out;
	}
	if ((arr = oidc_json_new_array(o.a)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if ((v = key_view(o.a, &rows[i], now, &err)) == NULL ||
		    oidc_json_array_add(arr, v, &err) == -1)
			goto out;
	if (oidcctl_print_json(o.a, arr) == 0)
		rc = OIDCCTL_OK;
out:
	oidcctl_close(&o);
	return rc;
}

int
oidcctl_key(int argc, char *argv[])
{
	if (argc < 2 || oidcctl_wants_help(argc, argv))
		return usage(argc < 2 ? OIDCCTL_USAGE : OIDCCTL_OK);
	if (strcmp(argv[1], "generate") == 0)
		return cmd_generate(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "rotate") == 0)
		return cmd_generate(argc - 1, argv + 1, true);
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "retire") == 0)
		return cmd_retire(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	fprintf(stderr, "oidcctl: key: unknown subcommand %s (try --help)\n",
	    argv[1]);
	return OIDCCTL_USAGE;
}
