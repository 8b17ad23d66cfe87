/*
 * log.h: structured one-line logs on stderr.
 *
 * Each line: `ts=... level=... prog=... req=... msg="..." key=value ...`.
 * Every value that can hold request data goes through oidc_log_safe(),
 * which escapes control and non-ASCII bytes (no log injection).  Tokens,
 * codes, secrets, cookies and Authorization values are never logged, not
 * even in part: the database knows them by hash only, and so do the logs.
 */
#ifndef OIDC_LOG_H
#define OIDC_LOG_H

#include "oidc/cdefs.h"

struct oidc_arena;
struct oidc_error;

enum oidc_log_level {
	OIDC_LOG_ERROR = 0,
	OIDC_LOG_WARN,
	OIDC_LOG_INFO,
	OIDC_LOG_DEBUG,
	OIDC_LOG__MAX
};

/* Process-wide settings, set once at start-up before any request. */
void	oidc_log_setup(const char *prog, enum oidc_log_level);
/* The request id printed on every line (NULL outside a request). */
void	oidc_log_set_request(const char *reqid);

/* Parse "error", "warn", "info", "debug".  0 or -1. */
OIDC_MUST_CHECK int	oidc_log_level_parse(const char *, size_t,
			    enum oidc_log_level *);

void	oidc_log(enum oidc_log_level, const char *fmt, ...) OIDC_PRINTF(2, 3);

/* Log an error with its detail and source location (never sent to clients). */
void	oidc_log_error(enum oidc_log_level, const struct oidc_error *,
	    const char *what);

/* Escaped copy of untrusted bytes for a log line (arena-owned). */
const char	*oidc_log_safe(struct oidc_arena *, const char *, size_t);

#endif /* OIDC_LOG_H */
