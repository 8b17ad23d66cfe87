/*
 * remote_user.h: users authenticated by the web server (login =
 * remote_user, oidc/config.h; a client's "login" metadata member).
 *
 * nginx, lighttpd or Apache in front of the workers may authenticate the
 * user themselves (TLS client certificates, Kerberos/SPNEGO, LDAP through
 * Apache mod_authnz_ldap, an upstream SSO) and pass the name as the
 * FastCGI parameter REMOTE_USER (RFC 3875 4.1.11).  The provider then
 * trusts that name: the user of that username is created (a random sub,
 * no password, so no password login) or updated, with the string claims
 * of remote_user_claims read from the FastCGI variables the web server
 * sets; the authorization endpoint shows no password page.
 *
 * SECURITY: only the web server's own parameters count.  A request
 * header "Remote-User:" reaches a FastCGI application as
 * HTTP_REMOTE_USER (RFC 3875 4.1.18), never as REMOTE_USER, and is
 * ignored; the web server must set REMOTE_USER only from its own
 * authentication (docs/REMOTE-USER.md: the exact nginx, lighttpd and
 * Apache configurations, and the nginx pitfall of $remote_user, which is
 * the unverified Basic user name of any Authorization header).
 *
 * Limits: REMOTE_USER is at most OIDC_REMOTE_USER_MAX_NAME bytes of
 * UTF-8 without control characters (else refused); a claim variable is at
 * most OIDC_REMOTE_USER_MAX_VALUE bytes of UTF-8 without control
 * characters (else that claim is left as stored, with a warning).
 */
#ifndef OIDC_REMOTE_USER_H
#define OIDC_REMOTE_USER_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_REMOTE_USER_MAX_NAME	128
#define OIDC_REMOTE_USER_MAX_VALUE	1024

#include "oidc/config.h"

struct oidc_arena;
struct oidc_client;
struct oidc_ctx;
struct oidc_request;
struct oidc_user_row;

enum oidc_remote_user {
	OIDC_REMOTE_USER_OK,
	OIDC_REMOTE_USER_ABSENT,	/* no (or an empty) REMOTE_USER */
	OIDC_REMOTE_USER_REFUSED	/* malformed, or a disabled user */
};

/*
 * How `client` signs users in: its "login" member, else the provider's
 * `login` (the authorization endpoint and the /device page alike).
 */
enum oidc_login_mode	oidc_login_mode_of(const struct oidc_config *,
			    const struct oidc_client *);

/*
 * REMOTE_USER of req: OIDC_REMOTE_USER_OK with *name, or ABSENT, or
 * REFUSED (over the limit, not UTF-8, a control character).
 */
enum oidc_remote_user oidc_remote_user_name(const struct oidc_request *,
			    struct oidc_str *name);

/*
 * The claims object (JSON text, arena-owned) that cfg's
 * remote_user_claims read from req's variables: "{}" when none is set.
 * NULL with err.
 */
const char	*oidc_remote_user_claims(struct oidc_arena *,
		    const struct oidc_config *, const struct oidc_request *,
		    struct oidc_error *);

/*
 * Sign in the user `name` (from oidc_remote_user_name): create or update
 * it (oidc_db_user_remote_upsert) in the caller's transaction.
 * OIDC_REMOTE_USER_OK with *u, or REFUSED (a disabled user); -1 with err.
 */
OIDC_MUST_CHECK int	oidc_remote_user_login(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_str name,
			    enum oidc_remote_user *, struct oidc_user_row *u,
			    struct oidc_error *);

#endif /* OIDC_REMOTE_USER_H */
