/*
 * log.c: one-line structured logging to stderr (see oidc/log.h).
 *
 * The settings below are process-wide by design: they are written once at
 * start-up and only read afterwards (STYLE B7 allows no other globals).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "oidc/arena.h"
#include "oidc/error.h"
#include "oidc/log.h"

static const char		*log_prog = "oidc";
static enum oidc_log_level	 log_level = OIDC_LOG_INFO;
static char			 log_reqid[40];

static const char *const level_names[OIDC_LOG__MAX] = {
	"error", "warn", "info", "debug"
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

int
oidc_log_level_parse(const char *s, size_t len, enum oidc_log_level *out)
{
	int	 i;

	for (i = 0; i < OIDC_LOG__MAX; i++)
		if (strlen(level_names[i]) == len &&
		    memcmp(level_names[i], s, len) == 0) {
			*out = (enum oidc_log_level)i;
			return 0;
		}
	return -1;
}

static void
vlog(enum oidc_log_level level, const char *fmt, va_list ap)
{
	char		 line[1024], ts[32];
	struct tm	 tm;
	time_t		 now;
	int		 n;

	if (level > log_level)
		return;
	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "ts=%s level=%s prog=%s%s%s ", ts,
	    level_names[level], log_prog, log_reqid[0] ? " req=" : "",
	    log_reqid);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	(void)vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per line keeps lines whole when several workers share stderr. */
	(void)fprintf(stderr, "%s\n", line);
	(void)fflush(stderr);
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
