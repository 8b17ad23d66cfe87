/*
 * audit.c: one structured line per security event (see oidc/audit.h).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/audit.h"
#include "oidc/log.h"

struct oidc_str
oidc_audit_cstr(const char *s)
{
	struct oidc_str	 v = { s, s != NULL ? strlen(s) : 0 };

	return v;
}

/* Append c to buf[*o..size-1) if it fits; false when it does not. */
static bool
put(char *buf, size_t size, size_t *o, const char *s, size_t len)
{
	if (*o + len >= size)
		return false;
	memcpy(buf + *o, s, len);
	*o += len;
	return true;
}

static bool
put_value(char *buf, size_t size, size_t *o, struct oidc_str v)
{
	char	 esc[5];
	size_t	 i, len = v.len;

	if (v.p == NULL)
		return put(buf, size, o, "\"-\"", 3);
	if (len > OIDC_AUDIT_MAX_VALUE)
		len = OIDC_AUDIT_MAX_VALUE;
	if (!put(buf, size, o, "\"", 1))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		/* '=' too: no "key=value" inside a value, even for grep. */
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' ||
		    c == '=') {
			(void)snprintf(esc, sizeof(esc), "\\x%02x", c);
			if (!put(buf, size, o, esc, 4))
				return false;
		} else if (!put(buf, size, o, (const char *)&v.p[i], 1))
			return false;
	}
	return put(buf, size, o, "\"", 1);
}

size_t
oidc_audit_format(char *buf, size_t size, const char *event,
    const struct oidc_audit_kv *kv, size_t n)
{
	size_t	 o = 0, i;

	if (size == 0)
		return 0;
	if (n > OIDC_AUDIT_MAX_FIELDS)
		n = OIDC_AUDIT_MAX_FIELDS;
	if (put(buf, size, &o, "event=", 6) &&
	    put(buf, size, &o, event, strlen(event)))
		for (i = 0; i < n; i++)
			if (!put(buf, size, &o, " ", 1) ||
			    !put(buf, size, &o, kv[i].key,
			    strlen(kv[i].key)) ||
			    !put(buf, size, &o, "=", 1) ||
			    !put_value(buf, size, &o, kv[i].v))
				break;
	buf[o] = '\0';
	return o;
}

void
oidc_audit(const char *event, const struct oidc_audit_kv *kv, size_t n)
{
	char	 line[900];

	(void)oidc_audit_format(line, sizeof(line), event, kv, n);
	oidc_log_audit("%s", line);
}
