/*
 * buf.h: bounded, arena-backed, always NUL-terminated byte buffers.
 *
 * A buffer is created with a maximum length; an append that would pass it
 * fails with OIDC_E_LIMIT and leaves the buffer unchanged.  Growth doubles
 * inside the arena (old storage is reclaimed at arena reset).
 */
#ifndef OIDC_BUF_H
#define OIDC_BUF_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_arena;

struct oidc_buf {
	struct oidc_arena	*a;
	char			*p;
	size_t			 len;
	size_t			 cap;	/* allocated, excluding the NUL */
	size_t			 max;
};

void	oidc_buf_init(struct oidc_buf *, struct oidc_arena *, size_t max);
OIDC_MUST_CHECK int	oidc_buf_append(struct oidc_buf *, const void *,
			    size_t, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_buf_puts(struct oidc_buf *, const char *,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_buf_putc(struct oidc_buf *, char,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_buf_printf(struct oidc_buf *, struct oidc_error *,
			    const char *, ...) OIDC_PRINTF(3, 4);
/* Append with application/x-www-form-urlencoded percent-encoding. */
OIDC_MUST_CHECK int	oidc_buf_urlencode(struct oidc_buf *, const char *,
			    size_t, struct oidc_error *);
/* Append with HTML escaping of & < > " ' (for the one template function). */
OIDC_MUST_CHECK int	oidc_buf_htmlescape(struct oidc_buf *, const char *,
			    size_t, struct oidc_error *);

/* The contents as a counted string ("" when empty, never NULL). */
struct oidc_str	oidc_buf_str(const struct oidc_buf *);

#endif /* OIDC_BUF_H */
