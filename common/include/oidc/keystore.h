/*
 * keystore.h: the process's signing and verification keys, from the
 * configuration's signing_key files and from the signing_key table, kept
 * current while the process runs.
 *
 * Key life cycle (sql/migrations/0003_signing_keys.sql): a database key
 * has four instants, and its state at time t follows from them:
 *
 *   scheduled   t < publish_at                    not published
 *   pending     publish_at <= t < activate_at     in the JWKS, not signing
 *   active      activate_at <= t < retire_at      signs
 *   retired     retire_at <= t < expire_at        in the JWKS, not signing
 *   expired     expire_at <= t                    gone
 *
 * `oidcctl key rotate` publishes a successor now, activates it
 * key_publish_ahead seconds later and retires the old key at that same
 * instant, so relying parties that cache the JWKS see the new kid before
 * it signs, and exactly one key per algorithm signs at any time.  Keys
 * from signing_key files are always active and always published.
 *
 * The process view is one struct oidc_keyset (what ctx->keys points to):
 * every published key (pending, active, retired, and the file keys), so
 * verification (id_token_hint, logout hints) accepts each of them by kid.
 * Signing uses oidc_keyset_find_alg(..., need_private = true, ...): in a
 * signing process only ACTIVE keys carry their private half in the view,
 * database keys before file keys, so that call picks the key that is
 * active now; pending and retired keys are public copies.
 *
 * Reload: oidc_keystore_refresh() runs one cheap query (the generation
 * counter bumped by a trigger on every change to signing_key) at most
 * every key_reload_interval seconds, and reloads the keys only when it
 * changed; independently it rebuilds the view when the clock passes a
 * key's next publish/activate/retire/expire instant, with no query.  So
 * every worker on every host follows a rotation within
 * key_reload_interval seconds and activates a scheduled key on time,
 * without a restart.  While the database is unreachable the last view
 * stays in use.
 *
 * Private keys: only a keystore made with `with_private` (binaries that
 * sign) reads the sealed private keys from the database and opens them
 * with the key_encryption_key (seal.h); it opens those of pending and
 * active keys only.  A public keystore (jwks.fcgi, discovery.fcgi) never
 * selects the private_key column and keeps only public copies of the
 * file keys.
 *
 * What this module does NOT do: write keys (oidcctl does, through db.h),
 * HMAC keys (HS* sign with client secrets, grant.c).
 *
 * Limits: at most OIDC_KEYSET_MAX_KEYS keys in the view (file keys and
 * published database keys together; beyond it the oldest retired keys
 * are left out, with a warning).
 */
#ifndef OIDC_KEYSTORE_H
#define OIDC_KEYSTORE_H

#include <time.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/jwk.h"

struct oidc_arena;
struct oidc_config;
struct oidc_db;
struct oidc_keystore;
struct oidc_signing_key_row;

enum oidc_key_state {
	OIDC_KEY_SCHEDULED = 0,
	OIDC_KEY_PENDING,
	OIDC_KEY_ACTIVE,
	OIDC_KEY_RETIRED,
	OIDC_KEY_EXPIRED,
	OIDC_KEY__MAX
};

/* "scheduled", "pending", "active", "retired", "expired". */
const char		*oidc_key_state_name(enum oidc_key_state);

/* The state of a database key at `now` (table above). */
enum oidc_key_state	 oidc_key_state_at(const struct oidc_signing_key_row *,
			    int64_t now);

/*
 * A keystore with the configuration's signing_key files loaded (and, when
 * `with_private` and key_encryption_key is set, the KEK read).  Database
 * keys come with the first oidc_keystore_refresh().  NULL with err set
 * (OIDC_E_CONFIG, OIDC_E_IO, OIDC_E_NOMEM): a start-up error.
 * The keystore borrows cfg, which must outlive it.
 */
struct oidc_keystore	*oidc_keystore_new(const struct oidc_config *,
			    bool with_private, struct oidc_error *);

/* Free everything, wiping private keys and the KEK.  NULL is a no-op. */
void			 oidc_keystore_free(struct oidc_keystore *);

/*
 * Bring the view up to date for time `now`: query the generation when
 * `force` or when key_reload_interval has passed since the last query
 * (db may be NULL: files only), reload the database keys if it changed,
 * and rebuild the view if anything changed or a key's next instant has
 * passed.  1 the view was rebuilt (oidc_keystore_version() changed),
 * 0 nothing to do, -1 with err set (database trouble: the previous view
 * stays in use; log it and carry on).
 */
int	oidc_keystore_refresh(struct oidc_keystore *, struct oidc_db *,
	    time_t now, bool force, struct oidc_error *);

/*
 * What oidc_keystore_refresh() does with the rows it reads: replace the
 * database keys by `rows` (as oidc_db_signing_key_list() gives them) and
 * rebuild the view for `now`.  The decisions without a database, for
 * tests.  0, or -1 with err set (out of memory).
 */
int	oidc_keystore_load_rows(struct oidc_keystore *,
	    const struct oidc_signing_key_row *, size_t n, time_t now,
	    struct oidc_error *);

/*
 * The current view (borrowed; valid until the next refresh that returns
 * 1).  Never NULL after oidc_keystore_new().
 */
struct oidc_keyset	*oidc_keystore_keyset(const struct oidc_keystore *);

/* Increases every time the view is rebuilt (for re-rendering the JWKS). */
uint64_t	oidc_keystore_version(const struct oidc_keystore *);

/*
 * The asymmetric algorithms that can sign now, as an OIDC_JWS_BIT mask:
 * those with an active key (in a signing keystore: one whose private
 * key is loaded).  For discovery's *_signing_alg_values_supported.
 */
unsigned	oidc_keystore_signing_algs(const struct oidc_keystore *);

/*
 * The key that seals authorization codes (oidc/code.h): HKDF-SHA256 of
 * the KEK, so every worker configured with the same key_encryption_key
 * file derives the same key.  NULL when this process holds no KEK (no
 * key_encryption_key, or a keystore without private keys): codes are
 * then stored in the database.  Borrowed; lives as long as the keystore.
 */
const unsigned char	*oidc_keystore_code_key(const struct oidc_keystore *);

/*
 * For oidcctl: fill row->kid, alg, public_jwk and private_key from a
 * private key, sealing its PKCS#8 PEM under kek with the associated data
 * "kid\nalg" that oidc_keystore_refresh() checks.  Strings and the blob
 * are allocated in `a`.  The key must be private, asymmetric, and
 * support alg.  0, or -1 with err set.
 */
OIDC_MUST_CHECK int	oidc_keystore_seal_row(struct oidc_arena *,
			    const unsigned char *kek,
			    const struct oidc_jwk *, enum oidc_jws_alg,
			    struct oidc_signing_key_row *,
			    struct oidc_error *);

#endif /* OIDC_KEYSTORE_H */
