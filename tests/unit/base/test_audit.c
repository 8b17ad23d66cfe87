/*
 * test_audit.c: the audit line format of common/base/audit.c (issue 20
 * item 13): values quoted and escaped so that hostile input can neither
 * add a field nor start a line, absent values, the value cap, and a
 * buffer too small (cut whole, never mid-escape, always NUL-ended).
 */
#include <string.h>

#include "oidc/audit.h"

#include "tap.h"

static void
test_escape(void)
{
	char			 buf[512];
	struct oidc_audit_kv	 kv[3];
	const char		 evil[] = "x\" event=login.ok sub=\"admin\n"
				     "ts=1 level=audit\\\x01\xc3\xa9";
	size_t			 n;

	kv[0] = (struct oidc_audit_kv){ "client_id", OIDC_STR("app") };
	kv[1] = (struct oidc_audit_kv){ "user",
	    (struct oidc_str){ evil, sizeof(evil) - 1 } };
	kv[2] = (struct oidc_audit_kv){ "ip", OIDC_STR("127.0.0.1") };
	n = oidc_audit_format(buf, sizeof(buf), "login.failed", kv, 3);
	is_str(buf, "event=login.failed client_id=\"app\" user=\"x\\x22 "
	    "event\\x3dlogin.ok sub\\x3d\\x22admin\\x0ats\\x3d1 "
	    "level\\x3daudit\\x5c\\x01\\xc3\\xa9\" ip=\"127.0.0.1\"",
	    "log_injection: quote, '=', newline, backslash, control and "
	    "non-ASCII bytes escaped");
	ok(strstr(buf, "event=login.ok") == NULL, "log_injection: no forged "
	    "key=value inside a value");
	is_int((long long)n, (long long)strlen(buf), "length returned");
	ok(strchr(buf, '\n') == NULL, "log_injection: no newline in a line");
}

static void
test_absent_and_cap(void)
{
	char			 buf[512], big[300];
	struct oidc_audit_kv	 kv[2];

	kv[0] = (struct oidc_audit_kv){ "sub", OIDC_STR_NULL };
	kv[1] = (struct oidc_audit_kv){ "user", oidc_audit_cstr(NULL) };
	(void)oidc_audit_format(buf, sizeof(buf), "consent.denied", kv, 2);
	is_str(buf, "event=consent.denied sub=\"-\" user=\"-\"",
	    "absent values are \"-\"");
	memset(big, 'a', sizeof(big));
	kv[0] = (struct oidc_audit_kv){ "user",
	    (struct oidc_str){ big, sizeof(big) } };
	(void)oidc_audit_format(buf, sizeof(buf), "login.failed", kv, 1);
	is_int((long long)strlen(buf), (long long)(strlen("event=login.failed "
	    "user=\"\"") + OIDC_AUDIT_MAX_VALUE), "a value is cut at "
	    "OIDC_AUDIT_MAX_VALUE bytes");
	is_str(oidc_audit_cstr("abc").p, "abc", "cstr keeps the pointer");
	is_int((long long)oidc_audit_cstr("abc").len, 3, "cstr length");
}

static void
test_small_buffer(void)
{
	char			 buf[32];
	struct oidc_audit_kv	 kv[1];
	size_t			 n;

	kv[0] = (struct oidc_audit_kv){ "user", OIDC_STR("ab\n\n\n\n\n") };
	n = oidc_audit_format(buf, sizeof(buf), "login.failed", kv, 1);
	ok(n < sizeof(buf) && buf[n] == '\0', "a full buffer: NUL-ended");
	is_str(buf, "event=login.failed user=\"ab\\x0a",
	    "a full buffer: cut before an escape, never inside one");
	is_int((long long)oidc_audit_format(buf, 0, "x", kv, 1), 0,
	    "size 0 writes nothing");
}

int
main(void)
{
	test_escape();
	test_absent_and_cap();
	test_small_buffer();
	return done_testing();
}
