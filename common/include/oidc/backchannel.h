/*
 * backchannel.h: OpenID Connect Back-Channel Logout 1.0.
 *
 * Who is told: the authorization endpoint records each client that
 * receives a code or tokens in a login session (session_client, via
 * oidc_db_session_client_add).  When the session ends (RP-Initiated
 * Logout, logout.c), oidc_backchannel_session_ended() builds one logout
 * token per such client that registered a backchannel_logout_uri and
 * queues it (backchannel_delivery) in the caller's transaction.  Nothing
 * is sent during the user's request, so a slow or dead relying party
 * never delays the logout.
 *
 * The logout token (section 2.4) is a JWT with typ "logout+jwt", signed
 * with the provider's key for the client's id_token_signed_response_alg
 * when that is asymmetric, else RS256.  Claims: iss, aud (the client_id),
 * iat, exp, jti (random), events {"http://schemas.openid.net/event/
 * backchannel-logout": {}}, sub and sid; never nonce.  Its lifetime
 * covers the whole retry schedule plus OIDC_BACKCHANNEL_TOKEN_TTL, so
 * every attempt carries a token the client can still accept.
 *
 * Delivery (section 2.5): oidc_backchannel_deliver(), run by `oidcctl
 * backchannel deliver [--loop]`, POSTs logout_token=... as
 * application/x-www-form-urlencoded through oidc/outbound.h.  A 2xx
 * answer is done; anything else (another status, a timeout, a refused
 * address) is retried after OIDC_BACKCHANNEL_RETRY_BASE seconds (at
 * least the outbound timeout), doubling up to 12 times that, for at
 * most backchannel_max_attempts attempts; then, or once the token has
 * expired, the delivery is logged and dropped.  Several senders may run
 * at once: each claims rows with FOR UPDATE SKIP LOCKED.
 */
#ifndef OIDC_BACKCHANNEL_H
#define OIDC_BACKCHANNEL_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_BACKCHANNEL_EVENT \
	"http://schemas.openid.net/event/backchannel-logout"
#define OIDC_BACKCHANNEL_TOKEN_TTL	120	/* after the last retry */
#define OIDC_BACKCHANNEL_RETRY_BASE	5	/* seconds */
#define OIDC_BACKCHANNEL_BATCH		16	/* rows per claim */

struct oidc_arena;
struct oidc_config;
struct oidc_ctx;
struct oidc_db;

/*
 * The session `sid` of user `sub` has ended: queue a logout token for
 * each of its clients with a backchannel_logout_uri.  Runs inside the
 * caller's transaction.  A client whose token cannot be signed (no key
 * for any usable algorithm) is logged and skipped, so it never stops the
 * logout.  0, or -1 with err on database or memory failure.
 */
OIDC_MUST_CHECK int	oidc_backchannel_session_ended(struct oidc_ctx *,
			    struct oidc_str sid, struct oidc_str sub,
			    struct oidc_error *);

/* Seconds from the first attempt to the last, for `max_attempts`. */
int64_t	oidc_backchannel_schedule_span(const struct oidc_config *);

struct oidc_backchannel_stats {
	uint64_t	 delivered;
	uint64_t	 retried;	/* failed, will be tried again */
	uint64_t	 dropped;	/* failed for the last time or expired */
};

/*
 * Deliver every queued logout token that is due, batch after batch,
 * until none is due.  `a` is reset between batches.  Each failure is
 * logged (client, URI, attempt, cause).  0, or -1 with err on database
 * failure (deliveries already made stay done).
 */
OIDC_MUST_CHECK int	oidc_backchannel_deliver(struct oidc_db *,
			    struct oidc_arena *, const struct oidc_config *,
			    struct oidc_backchannel_stats *,
			    struct oidc_error *);

#endif /* OIDC_BACKCHANNEL_H */
