/*
 * audit.h: the audit log, one structured line per security event (issue
 * 20 item 13; the fields of every event are in docs/AUDIT.md).
 *
 * A line goes where the other log lines go (oidc/log.h: standard error,
 * log_file or syslog), whatever log_level says, with level=audit (syslog
 * priority notice):
 *
 *   ts=... level=audit prog=token req=... event=token.issued
 *       grant="authorization_code" client_id="app" ip="127.0.0.1"
 *
 * The event name is a fixed word of the code; every other value is
 * quoted and escaped (control bytes, '"', '\', '=' and non-ASCII as
 * \xNN, at most OIDC_AUDIT_MAX_VALUE bytes of input), so a hostile
 * client_id or user name can neither add a field nor start a line, and
 * not even `grep event=login.ok` finds "event=login.ok" inside a value.
 * Keys are fixed words of the code, never input.  An absent value
 * (p == NULL) is written as "-".
 * Never pass a secret, a password, a token or a code: the callers log
 * identifiers (client_id, sub, user name, kid, grant type) only.
 *
 * Limits: OIDC_AUDIT_MAX_FIELDS fields, a line of at most 1023 bytes
 * (log.c); a longer line is cut, inside a quoted value at worst.
 */
#ifndef OIDC_AUDIT_H
#define OIDC_AUDIT_H

#include <stddef.h>

#include "oidc/cdefs.h"
#include "oidc/str.h"

#define OIDC_AUDIT_MAX_FIELDS	8
#define OIDC_AUDIT_MAX_VALUE	128

struct oidc_audit_kv {
	const char	*key;		/* a fixed word: [a-z_] */
	struct oidc_str	 v;
};

/*
 * Format `event=<event> key="value" ...` into buf[0..size) (always
 * NUL-terminated; cut when it does not fit).  The length written.
 */
size_t	oidc_audit_format(char *buf, size_t size, const char *event,
	    const struct oidc_audit_kv *kv, size_t n);

/* Write one audit line (through oidc_log_audit, oidc/log.h). */
void	oidc_audit(const char *event, const struct oidc_audit_kv *kv,
	    size_t n);

/* A NUL-terminated value (NULL: absent). */
struct oidc_str	oidc_audit_cstr(const char *);

#endif /* OIDC_AUDIT_H */
