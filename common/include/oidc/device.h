/*
 * device.h: the OAuth 2.0 Device Authorization Grant (RFC 8628), when
 * `device_grant = yes` (oidc.conf(5)).
 *
 * device.fcgi answers the device authorization request at
 * POST /device_authorization (RFC 8628 3.1, 3.2): the client authenticates
 * as at /token (oidc/clientauth.h) and must have registered the grant
 * type urn:ietf:params:oauth:grant-type:device_code; it gets a device code
 * (OIDC_TOKEN_BYTES random, stored as SHA-256), a user code, the
 * verification URIs, expires_in (device_code_ttl) and interval
 * (device_interval).  The user enters the user code at the /device
 * page of authorize.fcgi (device_page.c), signs in with the login
 * session of the authorization endpoint and approves or denies; /token
 * polls (token.c: authorization_pending, slow_down, expired_token,
 * access_denied, then the tokens once).
 *
 * User codes: OIDC_DEVICE_USER_CODE_LEN letters from the 20 consonants
 * BCDFGHJKLMNPQRSTVWXZ (RFC 8628 6.1: no vowels, so no words; about 34.6
 * bits), shown as XXXX-XXXX.  Entry is case-insensitive and ignores
 * dashes and white space.  Wrong entries are throttled per client address
 * as failed logins are (login_failure, key "d:ADDR"; login_max_failures
 * free within login_window, then growing waits).
 */
#ifndef OIDC_DEVICE_H
#define OIDC_DEVICE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_DEVICE_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:device_code"
#define OIDC_DEVICE_USER_CODE_LEN	8
/* What the entry form accepts before normalising: bytes. */
#define OIDC_DEVICE_USER_CODE_MAX_INPUT	64
#define OIDC_DEVICE_SLOW_DOWN	5	/* added per slow_down (3.5) */

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

/*
 * The user code typed by the user, (buf, len), at most
 * OIDC_DEVICE_USER_CODE_MAX_INPUT bytes: letters of the alphabet in any
 * case, with any dashes, spaces and tabs, to the canonical
 * OIDC_DEVICE_USER_CODE_LEN capitals in out (NUL-terminated).  0, or -1
 * when it cannot be a user code (too long, another character, not
 * exactly OIDC_DEVICE_USER_CODE_LEN letters).  Never reads past len.
 */
OIDC_MUST_CHECK int	oidc_device_user_code_norm(const char *buf, size_t len,
			    char out[OIDC_DEVICE_USER_CODE_LEN + 1]);

/*
 * A fresh user code from the CSPRNG (rejection sampling, no bias): the
 * canonical letters in out.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_device_user_code_new(
			    char out[OIDC_DEVICE_USER_CODE_LEN + 1],
			    struct oidc_error *);

/* The canonical code as shown: "XXXX-XXXX" (arena-owned, NULL: no memory). */
const char	*oidc_device_user_code_show(struct oidc_ctx *,
		    const char *canonical);

/* device.fcgi: POST /device_authorization (RFC 8628 3.1). */
int	oidc_device_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

/*
 * authorize.fcgi: GET and POST /device, the verification page (RFC 8628
 * 3.3): enter the code, sign in, approve or deny, the outcome.
 */
int	oidc_device_page(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_DEVICE_H */
