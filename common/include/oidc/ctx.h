/*
 * ctx.h: the process context handed to every endpoint handler.
 *
 * Created once by oidc_app_main(), it holds the immutable configuration,
 * the database handle, the keys (private ones only in binaries that sign;
 * ctx->keys is the keystore's current view, replaced when keys change, so
 * never keep a pointer into it across requests) and the request arena,
 * which is reset after every request.  The only other mutable globals are
 * the log level and request id (base/log.c) and the two signal flags of the
 * accept loop (app/app.c).
 */
#ifndef OIDC_CTX_H
#define OIDC_CTX_H

#include <time.h>

#include "oidc/cdefs.h"

struct oidc_arena;
struct oidc_config;
struct oidc_db;
struct oidc_keyset;
struct oidc_keystore;

struct oidc_ctx {
	const struct oidc_config	*cfg;
	struct oidc_db			*db;		/* NULL unless needed */
	struct oidc_keyset		*keys;		/* NULL unless needed */
	/* Owns the keys above and refreshes them (oidc/keystore.h). */
	struct oidc_keystore		*keystore;
	struct oidc_arena		*a;		/* the request arena */
	/* pairwise_salt_file, read at start-up (oidc/subject.h); NULL if
	   not configured or not needed by this binary. */
	const unsigned char		*pairwise_salt;
	size_t				 pairwise_salt_len;
	/* key_encryption_key (OIDC_SEAL_KEY_LEN bytes), read at start-up
	   by binaries that handle client secrets (OIDC_NEED_CLIENT_SECRETS)
	   to seal and open them (oidc/client.h); NULL if not configured or
	   not needed. */
	const unsigned char		*kek;
	time_t				 now;		/* request start */
	void				*ep_state;	/* endpoint init data */
	char				 reqid[24];
	uint64_t			 reqid_next;	/* random at start, +1 per request */
};

#endif /* OIDC_CTX_H */
