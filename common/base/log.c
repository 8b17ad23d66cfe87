/*
 * log.c: one-line structured logging to stderr, a file or syslog (see
 * oidc/log.h).
 *
 * The settings below are process-wide by design: they are written once at
 * start-up and only read afterwards (STYLE B7 allows no other globals).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/error.h"
#include "oidc/log.h"

static const char		*log_prog = "oidc";
static enum oidc_log_level	 log_level = OIDC_LOG_INFO;
static char			 log_reqid[40];
static enum oidc_log_sink	 log_sink = OIDC_LOG_SINK_STDERR;
static int			 log_fd = -1;	/* log_file, or -1 */

static const char *const level_names[OIDC_LOG__MAX] = {
	"error", "warn", "info", "debug"
};
static const char *const sink_names[OIDC_LOG_SINK__MAX] = {
	"stderr", "syslog"
};
static const int syslog_prio[OIDC_LOG__MAX] = {
	LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG
};

void
oidc_log_setup(const char *prog, enum oidc_log_level level)
{
	log_prog = prog;
	log_level = level;
}

void
oidc_log_set_request(const char *reqid)
{
	if (reqid == NULL)
		log_reqid[0] = '\0';
	else
		(void)snprintf(log_reqid, sizeof(log_reqid), "%s", reqid);
}

/* The index of s[0..len) in names[0..n), or -1. */
static int
name_index(const char *const *names, int n, const char *s, size_t len)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int
oidc_log_level_parse(const char *s, size_t len, enum oidc_log_level *out)
{
	int	 i = name_index(level_names, OIDC_LOG__MAX, s, len);

	if (i == -1)
		return -1;
	*out = (enum oidc_log_level)i;
	return 0;
}

int
oidc_log_sink_parse(const char *s, size_t len, enum oidc_log_sink *out)
{
	int	 i = name_index(sink_names, OIDC_LOG_SINK__MAX, s, len);

	if (i == -1)
		return -1;
	*out = (enum oidc_log_sink)i;
	return 0;
}

void
oidc_log_to_syslog(void)
{
	/*
	 * LOG_NDELAY connects to /dev/log now, before a sandbox that
	 * refuses open(2); a reconnect later is socket(2) + connect(2),
	 * which the sandbox allows for AF_UNIX.  tzset() reads the time
	 * zone file now for the same reason (syslog(3) uses localtime).
	 */
	tzset();
	openlog(log_prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_sink = OIDC_LOG_SINK_SYSLOG;
}

int
oidc_log_to_file(const char *path, bool create, struct oidc_error *err)
{
	char	*dir, *slash;
	int	 fd, flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;

	if (create)
		flags |= O_CREAT;
	if ((fd = open(path, flags, 0640)) == -1) {
		if (create || errno != ENOENT)
			return oidc_fail(err, OIDC_E_IO, NULL, "log_file: "
			    "%s: %s", path, strerror(errno));
		/* Not created: may we create it in its directory? */
		if ((dir = strdup(path)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "strdup");
		if ((slash = strrchr(dir, '/')) == NULL)
			(void)snprintf(dir, strlen(dir) + 1, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (access(dir, W_OK | X_OK) == -1) {
			(void)oidc_fail(err, OIDC_E_IO, NULL, "log_file: %s: "
			    "cannot be created in %s: %s", path, dir,
			    strerror(errno));
			free(dir);
			return -1;
		}
		free(dir);
		return 0;
	}
	if (log_fd != -1)
		(void)close(log_fd);
	log_fd = fd;
	log_sink = OIDC_LOG_SINK_STDERR;
	return 0;
}

bool
oidc_log_is_redirected(void)
{
	return log_fd != -1 || log_sink != OIDC_LOG_SINK_STDERR;
}

/* write(2) all of buf (a log line); give up on an error. */
static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* level_name and prio: a log level's, or the audit line's. */
static void
vlog_as(const char *level_name, int prio, const char *fmt, va_list ap)
{
	char		 line[1024], ts[32];
	struct tm	 tm;
	time_t		 now;
	size_t		 len;
	int		 n, m;

	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* syslog stamps the time itself: no ts= there. */
	n = snprintf(line, sizeof(line), "%s%s%slevel=%s prog=%s%s%s ",
	    log_sink == OIDC_LOG_SINK_SYSLOG ? "" : "ts=",
	    log_sink == OIDC_LOG_SINK_SYSLOG ? "" : ts,
	    log_sink == OIDC_LOG_SINK_SYSLOG ? "" : " ",
	    level_name, log_prog, log_reqid[0] ? " req=" : "",
	    log_reqid);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return;
	m = vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	len = strlen(line);
	if (log_sink == OIDC_LOG_SINK_SYSLOG) {
		syslog(prio, "%s", line);
		return;
	}
	line[len++] = '\n';
	/*
	 * One write(2) per line keeps lines whole when several workers
	 * share stderr or (O_APPEND) the log file.
	 */
	write_all(log_fd != -1 ? log_fd : STDERR_FILENO, line, len);
}

static void
vlog(enum oidc_log_level level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	vlog_as(level_names[level], syslog_prio[level], fmt, ap);
}

void
oidc_log_audit(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_as("audit", LOG_NOTICE, fmt, ap);
	va_end(ap);
}

void
oidc_log(enum oidc_log_level level, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static void
log_wrap(enum oidc_log_level level, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void
oidc_log_error(enum oidc_log_level level, const struct oidc_error *err,
    const char *what)
{
	char	 detail[sizeof(err->detail) * 4 + 1];
	size_t	 i, o = 0;

	/* The detail may quote input: escape it like oidc_log_safe does. */
	for (i = 0; err->detail[i] != '\0' && o + 5 < sizeof(detail); i++) {
		unsigned char c = (unsigned char)err->detail[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			o += (size_t)snprintf(detail + o, sizeof(detail) - o,
			    "\\x%02x", c);
		else
			detail[o++] = (char)c;
	}
	detail[o] = '\0';
	log_wrap(level, "msg=\"%s\" error=%s detail=\"%s\" at=%s:%d", what,
	    oidc_error_name(err->code), detail,
	    err->file != NULL ? err->file : "?", err->line);
}

const char *
oidc_log_safe(struct oidc_arena *a, const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i, n;

	if (s == NULL)
		return "(null)";
	if (len > 256)
		len = 256;	/* logs are not a storage channel */
	if (!oidc_size_mul(len, 4, &n) || (out = oidc_arena_alloc(a, n + 1))
	    == NULL)
		return "(nomem)";
	o = out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
			(void)snprintf(o, 5, "\\x%02x", c);
			o += 4;
		} else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}
