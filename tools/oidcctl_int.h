/*
 * oidcctl_int.h: helpers shared by the oidcctl subcommand files.
 */
#ifndef OIDCCTL_INT_H
#define OIDCCTL_INT_H

#include <stdbool.h>

#include "oidc/config.h"
#include "oidc/error.h"

struct oidc_arena;
struct oidc_db;
struct oidc_json;

struct oidcctl {
	struct oidc_arena	*a;
	struct oidc_config	 cfg;
	struct oidc_db		*db;
	/* key_encryption_key when a subcommand loaded it, else NULL. */
	const unsigned char	*kek;
};

/* Load the configuration and connect.  0, or -1 after a message. */
int	oidcctl_open(struct oidcctl *);
void	oidcctl_close(struct oidcctl *);
/* One line on stderr: "oidcctl: what: description". */
void	oidcctl_fail(const char *what, const struct oidc_error *);
/*
 * The audit line of a change made by oidcctl (oidc/audit.h): event, then
 * key/value pairs; `id_key` names what changed (client_id, kid).
 */
void	oidcctl_audit(const char *event, const char *id_key, const char *id,
	    const char *key2, const char *v2);
bool	oidcctl_wants_help(int argc, char *argv[]);
/* `oidcctl user totp ...` (cmd_totp.c): argv[0] is "totp". */
int	oidcctl_user_totp(int argc, char *argv[]);
/* Print a JSON object and a newline on stdout.  0 or -1. */
int	oidcctl_print_json(struct oidc_arena *, const struct oidc_json *);

#endif
