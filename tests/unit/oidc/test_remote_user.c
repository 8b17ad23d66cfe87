/*
 * test_remote_user.c: REMOTE_USER and remote_user_claims as the provider
 * reads them from the FastCGI parameters (common/oidc/remote_user.c).
 *
 * The login itself (create or update the user, the session) needs the
 * database: tests/integration/t/84-remote-user.py runs it behind nginx
 * with TLS client certificates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/remote_user.h"
#include "oidc/request.h"

#include "tap.h"

struct kv {
	const char	*name;
	const char	*value;
};

static const char *
get_param(void *arg, const char *name)
{
	const struct kv	*kv = arg;
	size_t		 i;

	for (i = 0; kv[i].name != NULL; i++)
		if (strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

static struct oidc_request
req_of(const struct kv *kv)
{
	struct oidc_request	 req;

	memset(&req, 0, sizeof(req));
	req.env = get_param;
	req.env_arg = (void *)(uintptr_t)kv;
	return req;
}

static void
test_name(void)
{
	static const struct {
		const char		*test;
		const char		*value;	/* NULL: absent */
		enum oidc_remote_user	 want;
	} cases[] = {
		{ "absent", NULL, OIDC_REMOTE_USER_ABSENT },
		{ "empty", "", OIDC_REMOTE_USER_ABSENT },
		{ "plain", "alice", OIDC_REMOTE_USER_OK },
		{ "UTF-8", "z\xc3\xa9lie", OIDC_REMOTE_USER_OK },
		{ "Kerberos principal", "alice@EXAMPLE.ORG",
		    OIDC_REMOTE_USER_OK },
		{ "not UTF-8", "z\xe9lie", OIDC_REMOTE_USER_REFUSED },
		{ "newline", "alice\nbob", OIDC_REMOTE_USER_REFUSED },
		{ "tab", "alice\t", OIDC_REMOTE_USER_REFUSED },
		{ "DEL", "alice\x7f", OIDC_REMOTE_USER_REFUSED },
	};
	struct oidc_request	 req;
	struct oidc_str		 name;
	struct kv		 kv[3];
	char			 at[OIDC_REMOTE_USER_MAX_NAME + 2];
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		kv[0] = (struct kv){ "HTTP_REMOTE_USER", "mallory" };
		kv[1] = (struct kv){ cases[i].value != NULL ? "REMOTE_USER" :
		    NULL, cases[i].value };
		kv[2] = (struct kv){ NULL, NULL };
		req = req_of(kv);
		is_int(oidc_remote_user_name(&req, &name), cases[i].want,
		    cases[i].test);
		if (cases[i].want == OIDC_REMOTE_USER_OK)
			ok(oidc_str_eq_cstr(name, cases[i].value),
			    "%s: the name", cases[i].test);
	}
	memset(at, 'a', sizeof(at));
	at[OIDC_REMOTE_USER_MAX_NAME] = '\0';
	kv[0] = (struct kv){ "REMOTE_USER", at };
	kv[1] = (struct kv){ NULL, NULL };
	req = req_of(kv);
	is_int(oidc_remote_user_name(&req, &name), OIDC_REMOTE_USER_OK,
	    "128 bytes: the limit");
	at[OIDC_REMOTE_USER_MAX_NAME] = 'a';
	at[OIDC_REMOTE_USER_MAX_NAME + 1] = '\0';
	is_int(oidc_remote_user_name(&req, &name), OIDC_REMOTE_USER_REFUSED,
	    "129 bytes: refused");
}

static void
test_claims(struct oidc_arena *a)
{
	static const char	 conf[] = "issuer = https://op.example\n"
	    "database = x\nremote_user_claims = email:SSL_CLIENT_S_DN_EMAIL "
	    "name:SSL_CLIENT_S_DN_CN locale:LOCALE nickname:NICK "
	    "website:SITE\n";
	static char		 big[OIDC_REMOTE_USER_MAX_VALUE + 2];
	struct kv		 kv[] = {
		{ "SSL_CLIENT_S_DN_EMAIL", "alice@example.org" },
		{ "SSL_CLIENT_S_DN_CN", "Alice \"A\" Liddell" },
		{ "LOCALE", "" },
		{ "NICK", "bad\x01" },
		{ "SITE", big },
		{ "HTTP_SSL_CLIENT_S_DN_EMAIL", "x" },
		{ NULL, NULL }
	};
	struct oidc_config	 cfg;
	struct oidc_request	 req = req_of(kv);
	struct oidc_error	 err = { 0 };
	const char		*j;

	memset(big, 'w', OIDC_REMOTE_USER_MAX_VALUE + 1);
	if (oidc_config_parse(a, "t", conf, strlen(conf), &cfg, &err) == -1) {
		ok(0, "config: %s", err.detail);
		return;
	}
	j = oidc_remote_user_claims(a, &cfg, &req, &err);
	is_str(j, "{\"email\":\"alice@example.org\",\"name\":\"Alice "
	    "\\\"A\\\" Liddell\"}", "claims: set ones only, over-long, control "
	    "characters and empty left out");
	kv[0].name = NULL;
	req = req_of(kv);
	is_str(oidc_remote_user_claims(a, &cfg, &req, &err), "{}",
	    "claims: none set");
	memset(big, 'w', OIDC_REMOTE_USER_MAX_VALUE);
	big[OIDC_REMOTE_USER_MAX_VALUE] = '\0';
	kv[0].name = "SSL_CLIENT_S_DN_EMAIL";
	kv[4].name = "SITE";
	req = req_of(kv);
	j = oidc_remote_user_claims(a, &cfg, &req, &err);
	ok(j != NULL && strstr(j, "\"website\":\"www") != NULL,
	    "claims: a value of exactly the limit is kept");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	test_name();
	test_claims(a);
	oidc_arena_free(a);
	return done_testing();
}
