/*
 * arena.h: the request arena.
 *
 * Everything that lives for one request is allocated here and released in
 * one go by oidc_arena_reset(), which also wipes the used bytes so request
 * secrets do not survive into the next request.  Callers never free arena
 * memory.  `hard_cap` bounds the total: an allocation beyond it returns NULL
 * (callers map that to OIDC_E_LIMIT/NOMEM) instead of growing the process.
 * Built with -DOIDC_ARENA_DEBUG every allocation is its own malloc so ASan
 * and valgrind see exact bounds.
 */
#ifndef OIDC_ARENA_H
#define OIDC_ARENA_H

#include "oidc/cdefs.h"

struct oidc_arena;

struct oidc_arena	*oidc_arena_new(size_t chunk, size_t hard_cap);
void			 oidc_arena_free(struct oidc_arena *);

/* Aligned to 16; NULL past hard_cap or on malloc failure. */
void	*oidc_arena_alloc(struct oidc_arena *, size_t);
/* Zeroed; n * size overflow-checked. */
void	*oidc_arena_calloc(struct oidc_arena *, size_t n, size_t size);
/* Copy of len bytes plus a NUL. */
char	*oidc_arena_strndup(struct oidc_arena *, const char *, size_t);
char	*oidc_arena_strdup(struct oidc_arena *, const char *);
/* printf into the arena. */
char	*oidc_arena_printf(struct oidc_arena *, const char *, ...)
	    OIDC_PRINTF(2, 3);

/* Run fn(arg) at reset/free, last registered first.  0 or -1. */
OIDC_MUST_CHECK int	oidc_arena_defer(struct oidc_arena *,
			    void (*fn)(void *), void *arg);

/* Run defers, wipe, release all but the first chunk. */
void	oidc_arena_reset(struct oidc_arena *);

/* Bytes handed out since the last reset. */
size_t	oidc_arena_used(const struct oidc_arena *);

#endif /* OIDC_ARENA_H */
