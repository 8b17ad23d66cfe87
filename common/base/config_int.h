/*
 * config_int.h: what config.c and config_scope.c share.
 */
#ifndef OIDC_CONFIG_INT_H
#define OIDC_CONFIG_INT_H

#include "oidc/config.h"

struct oidc_arena;

/*
 * One `scope = NAME: CLAIM [CLAIM ...]` value, checked (config.h) and
 * appended to cfg->scopes; messages are "name:line: scope: ...".
 */
OIDC_MUST_CHECK int	oidc_config_add_scope(struct oidc_arena *,
			    struct oidc_config *, const char *v, size_t vlen,
			    const char *name, size_t line, struct oidc_error *);

#endif /* OIDC_CONFIG_INT_H */
