/*
 * test_config.c: the oidc.conf parser (common/base/config.c).
 *
 * Every key with its default, its bounds at min and max and out of range;
 * the syntax rules (comments, blank lines, CRLF, NUL, long lines, unknown
 * and repeated keys); the issuer rules; and the one-line error message
 * "file:line: key: problem".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/config.h"

#include "tap.h"

#define BASE	"issuer = https://op.example\ndatabase = dbname=oidc\n"

struct cfg_case {
	const char	*test;
	const char	*in;		/* NUL-terminated */
	int		 rc;
	enum oidc_errcode code;
	const char	*msg;		/* expected err.detail prefix, or NULL */
};

static const struct cfg_case cases[] = {
	{ "minimal", BASE, 0, OIDC_E_NONE, NULL },
	{ "no trailing newline",
	    "issuer = https://op.example\ndatabase = x", 0, OIDC_E_NONE, NULL },
	{ "comments and blank lines",
	    "# oidc.conf\n\n   \n\t# indented comment\n" BASE "\n#end\n", 0,
	    OIDC_E_NONE, NULL },
	{ "CRLF line endings",
	    "issuer = https://op.example\r\ndatabase = dbname=oidc\r\n"
	    "code_ttl = 60\r\n", 0, OIDC_E_NONE, NULL },
	{ "no spaces around =", "issuer=https://op.example\ndatabase=x\n", 0,
	    OIDC_E_NONE, NULL },
	{ "tabs around =", "issuer\t=\thttps://op.example\t\ndatabase = x\n",
	    0, OIDC_E_NONE, NULL },
	{ "missing issuer", "database = x\n", -1, OIDC_E_CONFIG,
	    "t.conf:1: issuer: missing" },
	{ "missing database", "issuer = https://op.example\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: database: missing" },
	{ "empty file", "", -1, OIDC_E_CONFIG, "t.conf:0: issuer: missing" },
	{ "unknown key", BASE "colour = blue\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: colour: unknown key" },
	{ "unknown key: case matters", BASE "Code_TTL = 5\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: Code_TTL: unknown key" },
	{ "repeated key", BASE "code_ttl = 5\ncode_ttl = 6\n", -1,
	    OIDC_E_CONFIG, "t.conf:4: code_ttl: given twice" },
	{ "repeated issuer", BASE "issuer = https://b.example\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: issuer: given twice" },
	{ "repeated bool", BASE "require_nonce = no\nrequire_nonce = yes\n",
	    -1, OIDC_E_CONFIG, "t.conf:4: require_nonce: given twice" },
	{ "no =", BASE "code_ttl 5\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: line: expected `key = value`" },
	{ "no key", BASE "= 5\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: line: expected" },
	{ "empty string value", "issuer =\ndatabase = x\n", -1, OIDC_E_CONFIG,
	    "t.conf:1: issuer: empty value" },
	{ "empty database", "issuer = https://op.example\ndatabase =   \n",
	    -1, OIDC_E_CONFIG, "t.conf:2: database: empty value" },
	{ "key of 64 bytes",
	    BASE "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " = 1\n", -1, OIDC_E_CONFIG, "t.conf:3: line: expected" },
	{ "NUL byte", NULL, -1, OIDC_E_CONFIG, "t.conf:2: line: contains NUL" },
	/* trusted_proxies (oidc/netaddr.h has the full table). */
	{ "trusted_proxies", BASE "trusted_proxies = 127.0.0.1 ::1 "
	    "10.0.0.0/8\n", 0, OIDC_E_NONE, NULL },
	{ "trusted_proxies host bits", BASE "trusted_proxies = 10.0.0.1/8\n",
	    -1, OIDC_E_CONFIG, "t.conf:3: trusted_proxies: not an address" },
	{ "trusted_proxies name", BASE "trusted_proxies = localhost\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: trusted_proxies: not an address" },
	{ "client_auth_max_failures_per_address 0",
	    BASE "client_auth_max_failures_per_address = 0\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: client_auth_max_failures_per_address: " },
	/* ttl bounds: min, max, min - 1, max + 1, junk. */
	/* issue 15 item 5: the scopes dynamic registration may grant. */
	{ "registration_scopes list", BASE "registration_scopes = openid "
	    "profile api:read\n", 0, OIDC_E_NONE, NULL },
	{ "registration_scopes quote", BASE "registration_scopes = openid "
	    "a\"b\n", -1, OIDC_E_CONFIG, "t.conf:3: registration_scopes:" },
	{ "registration_scopes backslash", BASE "registration_scopes = a\\b\n",
	    -1, OIDC_E_CONFIG, "t.conf:3: registration_scopes:" },
	{ "registration_scopes two spaces", BASE "registration_scopes = openid"
	    "  profile\n", -1, OIDC_E_CONFIG, "t.conf:3: registration_scopes:" },
	{ "registration_scopes tab", BASE "registration_scopes = openid\t"
	    "profile\n", -1, OIDC_E_CONFIG, "t.conf:3: registration_scopes:" },
	{ "registration_scopes empty", BASE "registration_scopes =\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: registration_scopes:" },
	{ "code_ttl min", BASE "code_ttl = 1\n", 0, OIDC_E_NONE, NULL },
	{ "code_ttl max", BASE "code_ttl = 600\n", 0, OIDC_E_NONE, NULL },
	{ "code_ttl 0", BASE "code_ttl = 0\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl: must be a whole number of seconds in 1..600" },
	{ "code_ttl 601", BASE "code_ttl = 601\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl: must be" },
	{ "code_ttl negative", BASE "code_ttl = -1\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl:" },
	{ "code_ttl plus sign", BASE "code_ttl = +5\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl:" },
	{ "code_ttl unit", BASE "code_ttl = 5s\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl:" },
	{ "code_ttl inner space", BASE "code_ttl = 5 0\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl:" },
	{ "code_ttl overflow", BASE "code_ttl = 99999999999999999999999\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: code_ttl:" },
	{ "code_ttl empty", BASE "code_ttl =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: code_ttl:" },
	{ "access_token_ttl min", BASE "access_token_ttl = 1\n", 0,
	    OIDC_E_NONE, NULL },
	{ "access_token_ttl max", BASE "access_token_ttl = 86400\n", 0,
	    OIDC_E_NONE, NULL },
	{ "access_token_ttl 0", BASE "access_token_ttl = 0\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: access_token_ttl:" },
	{ "access_token_ttl max+1", BASE "access_token_ttl = 86401\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: access_token_ttl:" },
	{ "id_token_ttl min", BASE "id_token_ttl = 1\n", 0, OIDC_E_NONE, NULL },
	{ "id_token_ttl max", BASE "id_token_ttl = 86400\n", 0, OIDC_E_NONE,
	    NULL },
	{ "id_token_ttl 0", BASE "id_token_ttl = 0\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: id_token_ttl:" },
	{ "id_token_ttl max+1", BASE "id_token_ttl = 86401\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: id_token_ttl:" },
	{ "refresh_token_ttl 0 disables", BASE "refresh_token_ttl = 0\n", 0,
	    OIDC_E_NONE, NULL },
	{ "refresh_token_ttl max", BASE "refresh_token_ttl = 31536000\n", 0,
	    OIDC_E_NONE, NULL },
	{ "refresh_token_ttl max+1", BASE "refresh_token_ttl = 31536001\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: refresh_token_ttl:" },
	{ "session_ttl min", BASE "session_ttl = 60\n", 0, OIDC_E_NONE, NULL },
	{ "session_ttl max", BASE "session_ttl = 2592000\n", 0, OIDC_E_NONE,
	    NULL },
	{ "session_ttl min-1", BASE "session_ttl = 59\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: session_ttl:" },
	{ "session_ttl max+1", BASE "session_ttl = 2592001\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: session_ttl:" },
	{ "db_timeout min", BASE "db_timeout = 1\n", 0, OIDC_E_NONE, NULL },
	{ "db_timeout max", BASE "db_timeout = 60\n", 0, OIDC_E_NONE, NULL },
	{ "db_timeout 0", BASE "db_timeout = 0\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: db_timeout:" },
	{ "db_timeout max+1", BASE "db_timeout = 61\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: db_timeout:" },
	{ "login_max_failures min", BASE "login_max_failures = 1\n", 0,
	    OIDC_E_NONE, NULL },
	{ "login_max_failures max", BASE "login_max_failures = 1000\n", 0,
	    OIDC_E_NONE, NULL },
	{ "login_max_failures 0", BASE "login_max_failures = 0\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login_max_failures:" },
	{ "login_max_failures max+1", BASE "login_max_failures = 1001\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login_max_failures:" },
	{ "per_address min", BASE "login_max_failures_per_address = 1\n", 0,
	    OIDC_E_NONE, NULL },
	{ "per_address max", BASE "login_max_failures_per_address = 100000\n",
	    0, OIDC_E_NONE, NULL },
	{ "per_address 0", BASE "login_max_failures_per_address = 0\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login_max_failures_per_address:" },
	{ "per_address max+1",
	    BASE "login_max_failures_per_address = 100001\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login_max_failures_per_address:" },
	{ "login_window min", BASE "login_window = 10\n", 0, OIDC_E_NONE,
	    NULL },
	{ "login_window max", BASE "login_window = 86400\n", 0, OIDC_E_NONE,
	    NULL },
	{ "login_window min-1", BASE "login_window = 9\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: login_window:" },
	{ "login_window max+1", BASE "login_window = 86401\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login_window:" },
	/* log_level and require_nonce. */
	{ "log_level error", BASE "log_level = error\n", 0, OIDC_E_NONE, NULL },
	{ "log_level debug", BASE "log_level = debug\n", 0, OIDC_E_NONE, NULL },
	{ "log_level bad", BASE "log_level = verbose\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log_level: must be error, warn, info or debug" },
	{ "log_level empty", BASE "log_level =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log_level:" },
	{ "require_nonce yes", BASE "require_nonce = yes\n", 0, OIDC_E_NONE,
	    NULL },
	{ "require_nonce true", BASE "require_nonce = true\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: require_nonce: must be yes or no" },
	{ "require_nonce YES", BASE "require_nonce = YES\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: require_nonce:" },
	/* signing_key. */
	{ "signing_key empty", BASE "signing_key =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: signing_key: empty value" },
	/* issuer rules. */
	{ "issuer https path", "issuer = https://op.example/tenant\n"
	    "database = x\n", 0, OIDC_E_NONE, NULL },
	{ "issuer https port", "issuer = https://op.example:8443\n"
	    "database = x\n", 0, OIDC_E_NONE, NULL },
	{ "issuer http 127.0.0.1", "issuer = http://127.0.0.1:8080\n"
	    "database = x\n", 0, OIDC_E_NONE, NULL },
	{ "issuer http localhost", "issuer = http://localhost\n"
	    "database = x\n", 0, OIDC_E_NONE, NULL },
	{ "issuer http [::1] path", "issuer = http://[::1]:8080/op\n"
	    "database = x\n", 0, OIDC_E_NONE, NULL },
	{ "issuer http remote", "issuer = http://op.example\ndatabase = x\n",
	    -1, OIDC_E_CONFIG, "t.conf:1: issuer: must be an https URL" },
	{ "issuer http localhost.evil", "issuer = http://localhost.evil\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer http 127.0.0.10", "issuer = http://127.0.0.10\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	/*
	 * issuer_loopback_userinfo: "http://127.0.0.1:80@evil.example" has
	 * the host evil.example; userinfo was taken for a port and the http
	 * exception for loopback hosts let a remote http issuer through.
	 */
	{ "issuer_loopback_userinfo", "issuer = http://127.0.0.1:80@evil.example"
	    "\ndatabase = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer_loopback_userinfo localhost",
	    "issuer = http://localhost:x@evil.example\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer https userinfo", "issuer = https://u@op.example\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer trailing slash", "issuer = https://op.example/\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer query", "issuer = https://op.example?a=b\ndatabase = x\n",
	    -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer fragment", "issuer = https://op.example#f\ndatabase = x\n",
	    -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer no host", "issuer = https://\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer no scheme", "issuer = op.example\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer upper-case scheme", "issuer = HTTPS://op.example\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer inner space", "issuer = https://op.example/a b\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer control char", "issuer = https://op.example/\001\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	/* Since issue 18 the issuer goes through oidc_url_parse(). */
	{ "issuer empty host", "issuer = https:///op\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer bad port", "issuer = https://op.example:x/op\n"
	    "database = x\n", -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer port 0", "issuer = http://127.0.0.1:0\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer quote", "issuer = https://op.example/\"a\ndatabase = x\n",
	    -1, OIDC_E_CONFIG, "t.conf:1: issuer:" },
	{ "issuer backslash_userinfo", "issuer = https://evil.example\\@"
	    "op.example\ndatabase = x\n", -1, OIDC_E_CONFIG,
	    "t.conf:1: issuer:" },
	{ "issuer numeric_host", "issuer = http://127.1\ndatabase = x\n", -1,
	    OIDC_E_CONFIG, "t.conf:1: issuer:" },
	/* log, log_file (issue 20 item 4). */
	{ "log stderr", BASE "log = stderr\n", 0, OIDC_E_NONE, NULL },
	{ "log syslog", BASE "log = syslog\n", 0, OIDC_E_NONE, NULL },
	{ "log file (not a value)", BASE "log = file\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log: must be stderr or syslog" },
	{ "log case matters", BASE "log = SYSLOG\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log: must be stderr or syslog" },
	{ "log empty", BASE "log =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log: must be stderr or syslog" },
	{ "log given twice", BASE "log = stderr\nlog = syslog\n", -1,
	    OIDC_E_CONFIG, "t.conf:4: log: given twice" },
	{ "log_file empty", BASE "log_file =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: log_file: empty value" },
	{ "log_file with log = syslog", BASE "log = syslog\n"
	    "log_file = /var/log/oidc.log\n", -1, OIDC_E_CONFIG,
	    "t.conf:4: log_file: only with log = stderr" },
	{ "log_file with log = stderr", BASE "log = stderr\n"
	    "log_file = /var/log/oidc.log\n", 0, OIDC_E_NONE, NULL },
	/* endpoints (issue 20 item 10). */
	{ "endpoints minimal", BASE "endpoints = authorize token jwks\n", 0,
	    OIDC_E_NONE, NULL },
	{ "endpoints unknown name", BASE "endpoints = authorize token jwks "
	    "revocation\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: endpoints: unknown endpoint \"revocation\"" },
	{ "endpoints name with .fcgi", BASE "endpoints = authorize token "
	    "jwks.fcgi\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: endpoints: unknown endpoint \"jwks.fcgi\"" },
	{ "endpoints case matters", BASE "endpoints = authorize token JWKS\n",
	    -1, OIDC_E_CONFIG, "t.conf:3: endpoints: unknown endpoint" },
	{ "endpoints comma separated", BASE "endpoints = authorize,token,"
	    "jwks\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: endpoints: unknown endpoint" },
	{ "endpoints listed twice", BASE "endpoints = authorize token jwks "
	    "token\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: endpoints: \"token\" listed twice" },
	{ "endpoints without authorize", BASE "endpoints = token jwks\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: endpoints: must include authorize, "
	    "token and jwks" },
	{ "endpoints without token", BASE "endpoints = authorize jwks "
	    "userinfo\n", -1, OIDC_E_CONFIG, "t.conf:3: endpoints: must "
	    "include" },
	{ "endpoints without jwks", BASE "endpoints = authorize token\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: endpoints: must include" },
	{ "endpoints empty", BASE "endpoints =\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: endpoints: must include" },
	{ "endpoints given twice", BASE "endpoints = authorize token jwks\n"
	    "endpoints = authorize token jwks\n", -1, OIDC_E_CONFIG,
	    "t.conf:4: endpoints: given twice" },
	/* Pushed Authorization Requests (issue 21 item 1). */
	{ "par on", BASE "par = yes\n", 0, OIDC_E_NONE, NULL },
	{ "par endpoint listed", BASE "par = yes\nendpoints = authorize "
	    "token jwks par\n", 0, OIDC_E_NONE, NULL },
	{ "par_required with par", BASE "par = yes\npar_required = yes\n", 0,
	    OIDC_E_NONE, NULL },
	{ "par_required without par", BASE "par_required = yes\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: par_required: needs par = yes" },
	{ "par_required with par = no", BASE "par = no\npar_required = yes\n",
	    -1, OIDC_E_CONFIG, "t.conf:4: par_required: needs par = yes" },
	{ "par_required without the par endpoint", BASE "par = yes\n"
	    "par_required = yes\nendpoints = authorize token jwks\n", -1,
	    OIDC_E_CONFIG, "t.conf:5: par_required: needs par = yes and par "
	    "in endpoints" },
	/* FAPI 2.0 (issue 21 item 6, oidc/fapi.h). */
	{ "profile fapi2", BASE "par = yes\ndpop = yes\nprofile = fapi2\n",
	    0, OIDC_E_NONE, NULL },
	{ "profile default", BASE "profile = default\n", 0, OIDC_E_NONE,
	    NULL },
	{ "profile unknown", BASE "profile = fapi1\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: profile: must be default or fapi2" },
	{ "profile fapi2 without dpop", BASE "par = yes\nprofile = fapi2\n",
	    -1, OIDC_E_CONFIG, "t.conf:4: profile: fapi2 needs par = yes, "
	    "dpop = yes" },
	{ "profile fapi2 without par", BASE "dpop = yes\nprofile = fapi2\n",
	    -1, OIDC_E_CONFIG, "t.conf:4: profile: fapi2 needs par = yes" },
	{ "par_ttl too small", BASE "par_ttl = 9\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: par_ttl:" },
	{ "par_ttl too large", BASE "par_ttl = 601\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: par_ttl:" },
	{ "par not a boolean", BASE "par = maybe\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: par:" },
	/* totp (oidc/totp.h): needs the key_encryption_key for secrets. */
	{ "totp off", BASE "totp = off\n", 0, OIDC_E_NONE, NULL },
	{ "totp optional", BASE "key_encryption_key = /k\n"
	    "totp = optional\n", 0, OIDC_E_NONE, NULL },
	{ "totp required", BASE "key_encryption_key = /k\n"
	    "totp = required\n", 0, OIDC_E_NONE, NULL },
	{ "totp unknown", BASE "totp = yes\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: totp: must be off, optional or required" },
	/* authorize.fcgi checks for the key at start-up (t/53). */
	{ "totp without key_encryption_key parses", BASE "totp = optional\n",
	    0, OIDC_E_NONE, NULL },
	/* access_token_format (oidc/access_token.h). */
	{ "access_token_format opaque", BASE "access_token_format = opaque\n",
	    0, OIDC_E_NONE, NULL },
	{ "access_token_format jwt", BASE "access_token_format = jwt\n", 0,
	    OIDC_E_NONE, NULL },
	{ "access_token_format unknown", BASE "access_token_format = paseto\n",
	    -1, OIDC_E_CONFIG,
	    "t.conf:3: access_token_format: must be opaque or jwt" },
	{ "access_token_format case matters", BASE
	    "access_token_format = JWT\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: access_token_format: must be" },
	/* login, remote_user_amr, remote_user_claims (oidc/remote_user.h). */
	{ "login password", BASE "login = password\n", 0, OIDC_E_NONE, NULL },
	{ "login remote_user", BASE "login = remote_user\n", 0, OIDC_E_NONE,
	    NULL },
	{ "login unknown", BASE "login = ldap\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: login: must be password or remote_user" },
	{ "login case matters", BASE "login = Remote_User\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: login: must be" },
	{ "remote_user_amr empty", BASE "remote_user_amr =\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: remote_user_amr: must be amr values" },
	{ "remote_user_amr double space", BASE "remote_user_amr = hwk  sc\n",
	    -1, OIDC_E_CONFIG, "t.conf:3: remote_user_amr: must be" },
	{ "remote_user_amr quote", BASE "remote_user_amr = \"hwk\"\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: remote_user_amr: must be" },
	{ "remote_user_amr too long", BASE "remote_user_amr = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\n", -1, OIDC_E_CONFIG, "t.conf:3: remote_user_amr: must be" },
	{ "remote_user_claims empty", BASE "remote_user_claims =\n", -1,
	    OIDC_E_CONFIG, "t.conf:3: remote_user_claims: empty value" },
	{ "remote_user_claims unknown claim", BASE "remote_user_claims = "
	    "sub:SSL_CLIENT_S_DN_CN\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be CLAIM:VARIABLE" },
	{ "remote_user_claims non-string claim", BASE "remote_user_claims = "
	    "email_verified:X\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be" },
	{ "remote_user_claims no colon", BASE "remote_user_claims = email\n",
	    -1, OIDC_E_CONFIG, "t.conf:3: remote_user_claims: must be" },
	{ "remote_user_claims empty variable", BASE "remote_user_claims = "
	    "email:\n", -1, OIDC_E_CONFIG, "t.conf:3: remote_user_claims: " },
	{ "remote_user_claims bad variable", BASE "remote_user_claims = "
	    "email:SSL-EMAIL\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be" },
	{ "remote_user_claims variable starts with a digit", BASE
	    "remote_user_claims = email:1X\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be" },
	{ "remote_user_claims claim twice", BASE "remote_user_claims = "
	    "email:A email:B\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be" },
	{ "remote_user_claims 17 pairs", BASE "remote_user_claims = name:A "
	    "given_name:A family_name:A middle_name:A nickname:A "
	    "preferred_username:A profile:A picture:A website:A email:A "
	    "gender:A birthdate:A zoneinfo:A locale:A phone_number:A "
	    "name:B\n", -1, OIDC_E_CONFIG,
	    "t.conf:3: remote_user_claims: must be" },
};

static int
parse(struct oidc_arena *a, const char *in, size_t len,
    struct oidc_config *cfg, struct oidc_error *err)
{
	oidc_error_clear(err);
	return oidc_config_parse(a, "t.conf", in, len, cfg, err);
}

static void
run_cases(struct oidc_arena *a)
{
	static const char	 nul[] = BASE "code_ttl = 5\0\n";
	static const char	 nulline[] =
	    "issuer = https://op.example\nda\0ta = x\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	const struct cfg_case	*c;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		if (c->in == NULL) {
			/* NUL on line 2 */
			rc = parse(a, nulline, sizeof(nulline) - 1, &cfg,
			    &err);
		} else {
			len = strlen(c->in);
			rc = parse(a, c->in, len, &cfg, &err);
		}
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		if (c->msg != NULL)
			ok(strncmp(err.detail, c->msg, strlen(c->msg)) == 0,
			    "%s: message \"%s\"", c->test, err.detail);
		if (rc == -1)
			ok(strchr(err.detail, '\n') == NULL,
			    "%s: one-line message", c->test);
		oidc_arena_reset(a);
	}
	/* A NUL inside a value, before the newline. */
	rc = parse(a, nul, sizeof(nul) - 1, &cfg, &err);
	is_int(rc, -1, "nul in value");
	ok(strncmp(err.detail, "t.conf:3: line: contains NUL", 28) == 0,
	    "nul in value: message");
	oidc_arena_reset(a);
}

static void
test_defaults(struct oidc_arena *a)
{
	struct oidc_config	 cfg;
	struct oidc_error	 err;

	is_int(parse(a, BASE, sizeof(BASE) - 1, &cfg, &err), 0, "defaults");
	is_str(cfg.issuer, "https://op.example", "defaults: issuer");
	is_int(cfg.issuer_len, 18, "defaults: issuer_len");
	ok(cfg.issuer_is_https, "defaults: issuer_is_https");
	is_str(cfg.database, "dbname=oidc", "defaults: database");
	is_int(cfg.nkeys, 0, "defaults: no signing keys");
	is_int(cfg.code_ttl, 600, "defaults: code_ttl");
	is_int(cfg.access_token_ttl, 3600, "defaults: access_token_ttl");
	is_int(cfg.access_token_format, OIDC_AT_OPAQUE,
	    "defaults: access_token_format opaque");
	ok(!cfg.resource_indicators, "defaults: resource_indicators off");
	is_int(cfg.id_token_ttl, 3600, "defaults: id_token_ttl");
	is_int(cfg.refresh_token_ttl, 2592000, "defaults: refresh_token_ttl");
	is_int(cfg.session_ttl, 86400, "defaults: session_ttl");
	is_int(cfg.db_timeout, 5, "defaults: db_timeout");
	is_int(cfg.log_level, OIDC_LOG_INFO, "defaults: log_level");
	ok(!cfg.require_nonce, "defaults: require_nonce");
	is_int(cfg.login_max_failures, 10, "defaults: login_max_failures");
	is_int(cfg.login_max_failures_per_address, 100,
	    "defaults: login_max_failures_per_address");
	is_int(cfg.login_window, 900, "defaults: login_window");
	is_str(cfg.registration_scopes,
	    "openid profile email address phone offline_access",
	    "defaults: registration_scopes");
	is_int(cfg.log, OIDC_LOG_SINK_STDERR, "defaults: log = stderr");
	ok(cfg.log_file == NULL, "defaults: no log_file");
	is_int(cfg.endpoints, OIDC_CONFIG_EP_ALL, "defaults: every endpoint");
	ok(oidc_config_has_endpoint(&cfg, OIDC_CONFIG_EP_END_SESSION) &&
	    oidc_config_has_endpoint(&cfg, OIDC_CONFIG_EP_REVOKE) &&
	    oidc_config_has_endpoint(&cfg, OIDC_CONFIG_EP_INTROSPECT) &&
	    oidc_config_has_endpoint(&cfg, OIDC_CONFIG_EP_REGISTER),
	    "defaults: has end_session, revoke, introspect, register");
	oidc_arena_reset(a);
}

/* log, log_file and endpoints: what a valid value sets (issue 20). */
static void
test_log_endpoints(struct oidc_arena *a)
{
	static const char	 in[] = BASE
	    "log = syslog\n"
	    "endpoints =  jwks\tauthorize  token userinfo discovery \n";
	static const char	 in2[] = BASE
	    "log_file = /var/log/oidc-fcgi/workers.log\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	int			 e;

	is_int(parse(a, in, sizeof(in) - 1, &cfg, &err), 0,
	    "log/endpoints: parse");
	is_int(cfg.log, OIDC_LOG_SINK_SYSLOG, "log = syslog");
	is_int(cfg.endpoints, OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_AUTHORIZE) |
	    OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_TOKEN) |
	    OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_JWKS) |
	    OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_USERINFO) |
	    OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_DISCOVERY),
	    "endpoints: exactly the five listed (spaces and tabs)");
	for (e = 0; e < OIDC_CONFIG_EP__MAX; e++)
		ok(oidc_config_has_endpoint(&cfg, (enum oidc_config_ep)e) ==
		    (e == OIDC_CONFIG_EP_AUTHORIZE || e == OIDC_CONFIG_EP_TOKEN ||
		    e == OIDC_CONFIG_EP_JWKS || e == OIDC_CONFIG_EP_USERINFO ||
		    e == OIDC_CONFIG_EP_DISCOVERY),
		    "endpoints: has_endpoint(%d) as listed", e);
	oidc_arena_reset(a);
	is_int(parse(a, in2, sizeof(in2) - 1, &cfg, &err), 0,
	    "log_file: parse");
	is_str(cfg.log_file, "/var/log/oidc-fcgi/workers.log",
	    "log_file: the path");
	is_int(cfg.log, OIDC_LOG_SINK_STDERR, "log_file: log stays stderr");
	ok(!cfg.par && !cfg.par_required && cfg.par_ttl == 60,
	    "par: off by default, par_ttl 60");
	ok(oidc_config_has_endpoint(&cfg, OIDC_CONFIG_EP_PAR),
	    "par: in the default endpoints");
	oidc_arena_reset(a);
}

static void
test_values(struct oidc_arena *a)
{
	static const char	 in[] =
	    "# every key\n"
	    "issuer = http://127.0.0.1:8080\r\n"
	    "database =  host=/tmp dbname=oidc  \n"
	    "code_ttl = 60\n"
	    "access_token_ttl = 300\n"
	    "id_token_ttl = 301\n"
	    "refresh_token_ttl = 0\n"
	    "session_ttl = 3600\n"
	    "db_timeout = 2\n"
	    "log_level = warn\n"
	    "require_nonce = yes\n"
	    "login_max_failures = 3\n"
	    "login_max_failures_per_address = 50000\n"
	    "login_window = 60\n"
	    "access_token_format = jwt\n"
	    "resource_indicators = yes\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;

	is_int(parse(a, in, sizeof(in) - 1, &cfg, &err), 0, "values");
	is_str(cfg.issuer, "http://127.0.0.1:8080", "values: issuer, CR gone");
	ok(!cfg.issuer_is_https, "values: loopback http");
	is_str(cfg.database, "host=/tmp dbname=oidc",
	    "values: inner spaces kept, outer trimmed");
	is_int(cfg.code_ttl, 60, "values: code_ttl");
	is_int(cfg.access_token_ttl, 300, "values: access_token_ttl");
	is_int(cfg.access_token_format, OIDC_AT_JWT,
	    "values: access_token_format jwt");
	ok(cfg.resource_indicators, "values: resource_indicators yes");
	is_int(cfg.id_token_ttl, 301, "values: id_token_ttl");
	is_int(cfg.refresh_token_ttl, 0, "values: refresh_token_ttl");
	is_int(cfg.session_ttl, 3600, "values: session_ttl");
	is_int(cfg.db_timeout, 2, "values: db_timeout");
	is_int(cfg.log_level, OIDC_LOG_WARN, "values: log_level");
	ok(cfg.require_nonce, "values: require_nonce");
	is_int(cfg.login_max_failures, 3, "values: login_max_failures");
	is_int(cfg.login_max_failures_per_address, 50000,
	    "values: login_max_failures_per_address");
	is_int(cfg.login_window, 60, "values: login_window");
	oidc_arena_reset(a);
}

static void
test_signing_keys(struct oidc_arena *a)
{
	static const char	 in[] = BASE
	    "signing_key = RS256 /etc/oidc/rsa.pem\n"
	    "signing_key = /etc/oidc/ec.jwk\n"
	    "signing_key = ES256   keys/ec.pem\n"
	    "signing_key = ./keys/with space.pem\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	char			*s;
	size_t			 i, o;

	is_int(parse(a, in, sizeof(in) - 1, &cfg, &err), 0, "signing_key");
	is_int(cfg.nkeys, 4, "signing_key: repeatable");
	is_str(cfg.keys[0].alg, "RS256", "signing_key ALG PATH: alg");
	is_str(cfg.keys[0].path, "/etc/oidc/rsa.pem",
	    "signing_key ALG PATH: path");
	ok(cfg.keys[1].alg == NULL, "signing_key PATH: alg inferred");
	is_str(cfg.keys[1].path, "/etc/oidc/ec.jwk", "signing_key PATH: path");
	is_str(cfg.keys[2].alg, "ES256", "signing_key: spaces folded: alg");
	is_str(cfg.keys[2].path, "keys/ec.pem",
	    "signing_key: spaces folded: path");
	ok(cfg.keys[3].alg == NULL, "signing_key ./path with space: no alg");
	is_str(cfg.keys[3].path, "./keys/with space.pem",
	    "signing_key ./path with space: path");
	oidc_arena_reset(a);

	/* too_many_keys: 16 pass, the 17th names its line. */
	s = malloc(sizeof(BASE) + 17 * 32);
	o = (size_t)snprintf(s, sizeof(BASE), "%s", BASE);
	for (i = 0; i < OIDC_CONFIG_MAX_KEYS; i++)
		o += (size_t)snprintf(s + o, 32, "signing_key = /k/%02zu.pem\n",
		    i);
	is_int(parse(a, s, o, &cfg, &err), 0, "too_many_keys max");
	is_int(cfg.nkeys, OIDC_CONFIG_MAX_KEYS, "too_many_keys max: all kept");
	is_str(cfg.keys[15].path, "/k/15.pem", "too_many_keys max: last");
	oidc_arena_reset(a);
	o += (size_t)snprintf(s + o, 32, "signing_key = /k/16.pem\n");
	is_int(parse(a, s, o, &cfg, &err), -1, "too_many_keys +1");
	is_int(err.code, OIDC_E_CONFIG, "too_many_keys +1: code");
	is_str(err.detail, "t.conf:19: signing_key: too many keys",
	    "too_many_keys +1: message");
	oidc_arena_reset(a);
	free(s);
}

static void
test_limits(struct oidc_arena *a)
{
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	char			*s;
	size_t			 o, n;

	/* long_line: a line of exactly 4096 bytes passes, 4097 fails. */
	s = malloc(OIDC_CONFIG_MAX_LEN + 2);
	o = (size_t)snprintf(s, sizeof(BASE), "%s", BASE);
	n = OIDC_CONFIG_MAX_LINE;
	memset(s + o, ' ', n);
	memcpy(s + o + n - 13, "code_ttl = 42", 13);
	s[o + n] = '\n';
	is_int(parse(a, s, o + n + 1, &cfg, &err), 0, "long_line max");
	is_int(cfg.code_ttl, 42, "long_line max: value");
	oidc_arena_reset(a);
	memset(s + o, ' ', n + 1);
	memcpy(s + o + n + 1 - 13, "code_ttl = 42", 13);
	s[o + n + 1] = '\n';
	is_int(parse(a, s, o + n + 2, &cfg, &err), -1, "long_line +1");
	is_int(err.code, OIDC_E_CONFIG, "long_line +1: code");
	is_str(err.detail, "t.conf:3: line: too long", "long_line +1: message");
	oidc_arena_reset(a);
	/* ... also as the last line without a newline. */
	is_int(parse(a, s, o + n + 1, &cfg, &err), -1, "long_line +1 at EOF");
	oidc_arena_reset(a);

	/* file_too_large: 64 KiB of comments pass, one more byte fails. */
	o = (size_t)snprintf(s, sizeof(BASE), "%s", BASE);
	while (o + 100 < OIDC_CONFIG_MAX_LEN) {
		memset(s + o, '#', 99);
		s[o + 99] = '\n';
		o += 100;
	}
	while (o < OIDC_CONFIG_MAX_LEN)
		s[o++] = '\n';
	is_int(parse(a, s, OIDC_CONFIG_MAX_LEN, &cfg, &err), 0,
	    "file_too_large max");
	oidc_arena_reset(a);
	s[OIDC_CONFIG_MAX_LEN] = '\n';
	is_int(parse(a, s, OIDC_CONFIG_MAX_LEN + 1, &cfg, &err), -1,
	    "file_too_large +1");
	is_int(err.code, OIDC_E_LIMIT, "file_too_large +1: LIMIT");
	is_str(err.detail, "t.conf: file too large",
	    "file_too_large +1: message");
	oidc_arena_reset(a);
	free(s);
}

static void
test_load(struct oidc_arena *a)
{
	char			 path[] = "/tmp/test_config.XXXXXX";
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	char			*big;
	FILE			*f;
	int			 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "load: mkstemp");
		return;
	}
	fputs(BASE "code_ttl = 7\n", f);
	fclose(f);
	oidc_error_clear(&err);
	is_int(oidc_config_load(a, path, &cfg, &err), 0, "load");
	is_int(cfg.code_ttl, 7, "load: value");
	oidc_arena_reset(a);

	/* Messages name the file path. */
	f = fopen(path, "w");
	fputs(BASE "bogus = 1\n", f);
	fclose(f);
	oidc_error_clear(&err);
	is_int(oidc_config_load(a, path, &cfg, &err), -1, "load: error");
	ok(strncmp(err.detail, path, strlen(path)) == 0 &&
	    strstr(err.detail, ":3: bogus: unknown key") != NULL,
	    "load: message names path:line: key (%s)", err.detail);
	oidc_arena_reset(a);

	/* file_too_large on disk: refused before reading. */
	big = calloc(1, OIDC_CONFIG_MAX_LEN + 1);
	memset(big, '\n', OIDC_CONFIG_MAX_LEN + 1);
	f = fopen(path, "w");
	fwrite(big, 1, OIDC_CONFIG_MAX_LEN + 1, f);
	fclose(f);
	free(big);
	oidc_error_clear(&err);
	is_int(oidc_config_load(a, path, &cfg, &err), -1, "load: too large");
	is_int(err.code, OIDC_E_LIMIT, "load: too large: LIMIT");
	oidc_arena_reset(a);

	unlink(path);
	oidc_error_clear(&err);
	is_int(oidc_config_load(a, path, &cfg, &err), -1, "load: missing");
	is_int(err.code, OIDC_E_IO, "load: missing: IO");
	oidc_error_clear(&err);
	is_int(oidc_config_load(a, "/tmp", &cfg, &err), -1, "load: directory");
	is_int(err.code, OIDC_E_IO, "load: directory: IO");
	oidc_arena_reset(a);
}

static void
test_default_path(void)
{
	setenv("OIDC_CONFIG", "/etc/oidc.conf", 1);
	is_str(oidc_config_default_path(), "/etc/oidc.conf",
	    "default path: $OIDC_CONFIG");
	setenv("OIDC_CONFIG", "", 1);
	is_str(oidc_config_default_path(), "./var/oidc.conf",
	    "default path: empty $OIDC_CONFIG");
	unsetenv("OIDC_CONFIG");
	is_str(oidc_config_pick_path(NULL, "/nonexistent/oidc.conf"),
	    "./var/oidc.conf", "default path: unset, no system config");
	is_str(oidc_config_pick_path(NULL, "/dev/null"), "/dev/null",
	    "default path: unset, the system config exists");
	is_str(oidc_config_pick_path("", "/dev/null"), "/dev/null",
	    "default path: empty $OIDC_CONFIG, the system config exists");
	is_str(oidc_config_pick_path("/x.conf", "/dev/null"), "/x.conf",
	    "default path: $OIDC_CONFIG before the system config");
}

/* The parser never writes to its input and never reads past len. */
static void
test_input_untouched(struct oidc_arena *a)
{
	static const char	 in[] = BASE "signing_key = RS256 /k.pem\n";
	char			 copy[sizeof(in)];
	char			*exact;
	struct oidc_config	 cfg;
	struct oidc_error	 err;

	memcpy(copy, in, sizeof(in));
	is_int(parse(a, copy, sizeof(in) - 1, &cfg, &err), 0,
	    "input untouched: parse");
	is_mem(copy, sizeof(in), in, sizeof(in), "input untouched");
	oidc_arena_reset(a);
	/* No NUL after the last byte (ASan sees an over-read). */
	exact = malloc(sizeof(in) - 2);
	memcpy(exact, in, sizeof(in) - 2);
	is_int(parse(a, exact, sizeof(in) - 2, &cfg, &err), 0,
	    "no NUL needed");
	is_str(cfg.keys[0].path, "/k.pem", "no NUL needed: path");
	free(exact);
	oidc_arena_reset(a);
}

/* login, remote_user_amr and remote_user_claims as parsed. */
static void
test_remote_user(struct oidc_arena *a)
{
	static const char	 in[] = BASE "login = remote_user\n"
	    "remote_user_amr = hwk sc\n"
	    "remote_user_claims = email:SSL_CLIENT_S_DN_EMAIL  "
	    "name:SSL_CLIENT_S_DN_CN\n";
	struct oidc_config	 cfg;
	struct oidc_error	 err;

	is_int(parse(a, BASE, strlen(BASE), &cfg, &err), 0, "remote: base");
	is_int(cfg.login, OIDC_LOGIN_PASSWORD, "login defaults to password");
	ok(cfg.remote_user_amr == NULL, "remote_user_amr defaults to none");
	is_int((int)cfg.n_remote_user_claims, 0, "no remote_user_claims");
	is_int(parse(a, in, strlen(in), &cfg, &err), 0, "remote: parsed");
	is_int(cfg.login, OIDC_LOGIN_REMOTE_USER, "login = remote_user");
	is_str(cfg.remote_user_amr, "hwk sc", "remote_user_amr");
	is_int((int)cfg.n_remote_user_claims, 2, "two remote_user_claims");
	is_str(cfg.remote_user_claims[0].claim, "email", "claim 0");
	is_str(cfg.remote_user_claims[0].var, "SSL_CLIENT_S_DN_EMAIL",
	    "variable 0");
	is_str(cfg.remote_user_claims[1].claim, "name", "claim 1");
	is_str(cfg.remote_user_claims[1].var, "SSL_CLIENT_S_DN_CN",
	    "variable 1");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_cases(a);
	test_defaults(a);
	test_values(a);
	test_log_endpoints(a);
	test_signing_keys(a);
	test_limits(a);
	test_load(a);
	test_default_path();
	test_input_untouched(a);
	test_remote_user(a);
	oidc_arena_free(a);
	return done_testing();
}
