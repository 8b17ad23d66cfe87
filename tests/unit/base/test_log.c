/*
 * test_log.c: the log destinations of common/base/log.c (issue 20 item 4).
 *
 * `log = stderr|syslog` parsing, and log_file: lines appended whole (one
 * write per line, O_APPEND keeps what was there), the file created with
 * mode 0640, an unopenable path refused with its name, and the check mode
 * (create = false) that tests the directory without leaving a file.
 * syslog(3) itself is not driven here: it needs /dev/log (see
 * tests/integration/t/06-logging.py).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/error.h"
#include "oidc/log.h"

#include "tap.h"

static void
test_sink_parse(void)
{
	enum oidc_log_sink	 s = OIDC_LOG_SINK__MAX;

	ok(oidc_log_sink_parse("stderr", 6, &s) == 0 &&
	    s == OIDC_LOG_SINK_STDERR, "sink: stderr");
	ok(oidc_log_sink_parse("syslog", 6, &s) == 0 &&
	    s == OIDC_LOG_SINK_SYSLOG, "sink: syslog");
	s = OIDC_LOG_SINK__MAX;
	ok(oidc_log_sink_parse("syslo", 5, &s) == -1 &&
	    s == OIDC_LOG_SINK__MAX, "sink: prefix refused, out untouched");
	ok(oidc_log_sink_parse("syslogd", 7, &s) == -1, "sink: longer refused");
	ok(oidc_log_sink_parse("file", 4, &s) == -1, "sink: file refused");
	ok(oidc_log_sink_parse("", 0, &s) == -1, "sink: empty refused");
}

static char *
slurp(const char *path)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_file(void)
{
	char			 dir[] = "/tmp/test_log.XXXXXX", path[256];
	char			 absent[256], bad[256];
	struct oidc_error	 err = { 0 };
	struct stat		 st;
	const char		*text;
	FILE			*f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	(void)snprintf(path, sizeof(path), "%s/w.log", dir);
	(void)snprintf(absent, sizeof(absent), "%s/absent.log", dir);
	(void)snprintf(bad, sizeof(bad), "%s/no/such/dir.log", dir);

	/* Check mode: nothing created, but the directory must be writable. */
	ok(oidc_log_to_file(absent, false, &err) == 0,
	    "check mode: absent file in a writable directory is fine");
	ok(access(absent, F_OK) == -1, "check mode: no file left behind");
	ok(!oidc_log_is_redirected(), "check mode: nothing redirected");
	ok(oidc_log_to_file(bad, false, &err) == -1 &&
	    err.code == OIDC_E_IO && strstr(err.detail, bad) != NULL,
	    "check mode: missing directory refused, path named: %s",
	    err.detail);
	oidc_error_clear(&err);
	ok(oidc_log_to_file(bad, true, &err) == -1 &&
	    err.code == OIDC_E_IO &&
	    strncmp(err.detail, "log_file: ", 10) == 0,
	    "open: missing directory refused: %s", err.detail);
	oidc_error_clear(&err);

	/* Append: what was there stays. */
	f = fopen(path, "w");
	fputs("earlier line\n", f);
	fclose(f);
	chmod(path, 0600);
	ok(oidc_log_to_file(path, true, &err) == 0, "open: existing file");
	ok(oidc_log_is_redirected(), "open: lines redirected");
	oidc_log_setup("test_log", OIDC_LOG_INFO);
	oidc_log(OIDC_LOG_INFO, "msg=first n=%d", 1);
	oidc_log(OIDC_LOG_DEBUG, "msg=hidden");
	oidc_log_set_request("abc");
	oidc_log(OIDC_LOG_ERROR, "msg=second");
	oidc_log_set_request(NULL);
	text = slurp(path);
	ok(text != NULL && strncmp(text, "earlier line\nts=", 16) == 0,
	    "append: the earlier line kept, ours after it");
	ok(text != NULL && strstr(text, " level=info prog=test_log "
	    "msg=first n=1\n") != NULL, "append: info line, whole");
	ok(text != NULL && strstr(text, " level=error prog=test_log req=abc "
	    "msg=second\n") != NULL, "append: error line with req=");
	ok(text != NULL && strstr(text, "hidden") == NULL,
	    "append: below log_level not written");

	/* A new file: created 0640 (umask permitting). */
	umask(027);
	(void)snprintf(path, sizeof(path), "%s/new.log", dir);
	ok(oidc_log_to_file(path, true, &err) == 0, "create: new file");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "create: mode 0640 (%o)", (unsigned)(st.st_mode & 0777));
	oidc_log(OIDC_LOG_WARN, "msg=third");
	text = slurp(path);
	ok(text != NULL && strstr(text, " level=warn prog=test_log "
	    "msg=third\n") != NULL && strstr(text, "msg=first") == NULL,
	    "create: later lines go to the new file only");

	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/w.log", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

int
main(void)
{
	test_sink_parse();
	test_file();
	return done_testing();
}
