/*
 * log.h: structured one-line logs on stderr, in a file or to syslog.
 *
 * Each line: `ts=... level=... prog=... req=... msg="..." key=value ...`.
 * Where lines go is chosen once at start-up (oidc.conf(5) `log` and
 * `log_file`): standard error (the default), a file opened before any
 * sandbox with O_APPEND (one write(2) per line, so the lines of several
 * workers sharing the file stay whole), or syslog(3) with facility daemon
 * and the endpoint name as ident (syslog adds its own time stamp, so the
 * ts= field is left out there).
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

/* Where log lines go (oidc.conf `log`). */
enum oidc_log_sink {
	OIDC_LOG_SINK_STDERR = 0,
	OIDC_LOG_SINK_SYSLOG,
	OIDC_LOG_SINK__MAX
};

/* Process-wide settings, set once at start-up before any request. */
void	oidc_log_setup(const char *prog, enum oidc_log_level);

/*
 * Send every later line to syslog(3): openlog(prog, LOG_PID | LOG_NDELAY,
 * LOG_DAEMON), connected now (before any sandbox).  Cannot fail: when no
 * syslog daemon listens, glibc drops the lines.
 */
void	oidc_log_to_syslog(void);

/*
 * Send every later line to the file at path, opened now with
 * O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode 0640 (when create is
 * false an absent file is not created: the directory must be writable,
 * which --check-config uses to test without leaving a file behind).
 * The descriptor stays open for the life of the process (a sandboxed
 * worker may open no file later).  0, or -1 with OIDC_E_IO naming the
 * path and the reason.
 */
OIDC_MUST_CHECK int	oidc_log_to_file(const char *path, bool create,
			    struct oidc_error *);

/* Parse "stderr" or "syslog".  0 or -1. */
OIDC_MUST_CHECK int	oidc_log_sink_parse(const char *, size_t,
			    enum oidc_log_sink *);

/* True when lines go somewhere other than standard error. */
bool	oidc_log_is_redirected(void);
/* The request id printed on every line (NULL outside a request). */
void	oidc_log_set_request(const char *reqid);

/* Parse "error", "warn", "info", "debug".  0 or -1. */
OIDC_MUST_CHECK int	oidc_log_level_parse(const char *, size_t,
			    enum oidc_log_level *);

void	oidc_log(enum oidc_log_level, const char *fmt, ...) OIDC_PRINTF(2, 3);

/*
 * An audit line (oidc/audit.h): level=audit, syslog priority notice,
 * written whatever log_level is.  The caller escapes the values.
 */
void	oidc_log_audit(const char *fmt, ...) OIDC_PRINTF(1, 2);

/* Log an error with its detail and source location (never sent to clients). */
void	oidc_log_error(enum oidc_log_level, const struct oidc_error *,
	    const char *what);

/* Escaped copy of untrusted bytes for a log line (arena-owned). */
const char	*oidc_log_safe(struct oidc_arena *, const char *, size_t);

#endif /* OIDC_LOG_H */
