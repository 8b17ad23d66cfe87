/*
 * totp_step.h: the answer to the second step of a password login
 * (oidc/totp.h), shared by the pages that ask for it: the authorization
 * endpoint's (authorize_totp.c) and the device page (device_page.c).
 *
 * After a good password the page stores a login_pending row
 * (0023_totp.sql) keyed by the SHA-256 of a random ticket, holding the
 * user and `bind`: OIDC_HASH_LEN bytes naming what the login is for (the
 * digest of the authorization request, or of the device user code), so a
 * ticket answers only the page that issued it.  The code page carries
 * the ticket.  The answer is checked under the login throttle, per
 * account ("o:ID") and per address ("oa:ADDR"); a code is accepted only
 * for a step later than the last one used (a replay is wrong), a
 * recovery code only once.
 */
#ifndef OIDC_TOTP_STEP_H
#define OIDC_TOTP_STEP_H

#include <stdint.h>

#include "oidc/cdefs.h"
#include "oidc/db.h"
#include "oidc/error.h"
#include "oidc/str.h"

/* Seconds a password login waits for its second step. */
#define OIDC_TOTP_PENDING_TTL	600
/* Longest ticket read from a form: bytes. */
#define OIDC_TOTP_TICKET_MAX	128

struct oidc_ctx;
struct oidc_request;

/* One answer of a code page: its pending login and throttle keys. */
struct oidc_totp_try {
	struct oidc_pending_row	 p;
	unsigned char		 th[OIDC_HASH_LEN];
	const char		*ticket;	/* as posted */
	const char		*kacct, *kaddr;
};

enum oidc_totp_answer {
	OIDC_TOTP_GOOD,		/* transaction open: the caller finishes */
	OIDC_TOTP_WRONG,	/* counted and audited (totp.failed) */
	OIDC_TOTP_THROTTLED,	/* audited (totp.throttled) */
	OIDC_TOTP_EXPIRED	/* no such ticket for bind, or used meanwhile */
};

/*
 * A new pending login of user_id for bind (sealed: the secret being
 * enrolled, or NULL), in the caller's transaction: *ticket (arena) for
 * the page.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_totp_pending_new(struct oidc_ctx *,
			    int64_t user_id, const unsigned char *bind,
			    const unsigned char *sealed, size_t sealed_len,
			    const char **ticket, struct oidc_error *);

/*
 * The posted ticket and code (form fields "ticket", "code"), in a
 * transaction of its own.  GOOD: the code (or recovery code) is spent
 * and the pending row removed, the transaction left open for the caller
 * to start the session and commit; *step is the code's step (an
 * enrolment stores it).  Otherwise the transaction is over.  client_id
 * names the client in the audit lines.  0 (*ans) or -1.
 */
OIDC_MUST_CHECK int	oidc_totp_answer(struct oidc_ctx *,
			    const struct oidc_request *,
			    const unsigned char *bind, struct oidc_str client_id,
			    struct oidc_totp_try *, int64_t *step,
			    enum oidc_totp_answer *, struct oidc_error *);

/* The audit line `event` of a second step (client_id, ip, sub). */
void		oidc_totp_audit(const struct oidc_request *,
		    struct oidc_str client_id, const struct oidc_totp_try *,
		    const char *event);

#endif /* OIDC_TOTP_STEP_H */
