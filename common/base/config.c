/*
 * config.c: the oidc.conf parser (see oidc/config.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/netaddr.h"
#include "oidc/str.h"
#include "oidc/url.h"
#include "config_int.h"

enum kind { K_STR, K_TTL, K_LEVEL, K_BOOL, K_KEY, K_REG, K_HASH, K_NETS,
	     K_SCOPES, K_SINK, K_ENDPOINTS, K_CUSTOM_SCOPE, K_WORD, K_AMR,
	     K_RUCLAIMS };

struct keydef {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	uint64_t	 min, max;
	/* K_WORD: the words allowed, in the order of the field's enum. */
	const char *const *words;
};

static const char *const login_words[] = { "password", "remote_user", NULL };
static const char *const atfmt_words[] = { "opaque", "jwt", NULL };
static const char *const totp_words[] = { "off", "optional", "required",
    NULL };
static const char *const profile_words[] = { "default", "fapi2", NULL };

#define OFF(f)	offsetof(struct oidc_config, f)

static const struct keydef keydefs[] = {
	{ "issuer",		K_STR,	 OFF(issuer),		0, 0 },
	{ "database",		K_STR,	 OFF(database),		0, 0 },
	{ "database_read",	K_STR,	 OFF(database_read),	0, 0 },
	{ "signing_key",	K_KEY,	 0,			0, 0 },
	{ "key_encryption_key", K_STR, OFF(key_encryption_key), 0, 0 },
	{ "key_publish_ahead", K_TTL,	 OFF(key_publish_ahead), 0, 2592000 },
	{ "key_reload_interval", K_TTL, OFF(key_reload_interval), 1, 3600 },
	{ "code_ttl",		K_TTL,	 OFF(code_ttl),		1, 600 },
	{ "access_token_ttl",	K_TTL,	 OFF(access_token_ttl),	1, 86400 },
	{ "access_token_format", K_WORD, OFF(access_token_format), 0, 0,
	    atfmt_words },
	{ "id_token_ttl",	K_TTL,	 OFF(id_token_ttl),	1, 86400 },
	{ "refresh_token_ttl",	K_TTL,	 OFF(refresh_token_ttl), 0, 31536000 },
	{ "session_ttl",	K_TTL,	 OFF(session_ttl),	60, 2592000 },
	{ "db_timeout",		K_TTL,	 OFF(db_timeout),	1, 60 },
	{ "db_connect_timeout",	K_TTL,	 OFF(db_connect_timeout), 1, 60 },
	{ "db_failover_wait",	K_TTL,	 OFF(db_failover_wait),	0, 25 },
	{ "db_commit_timeout",	K_TTL,	 OFF(db_commit_timeout), 1, 60 },
	{ "log_level",		K_LEVEL, OFF(log_level),	0, 0 },
	{ "log",		K_SINK,	 OFF(log),		0, 0 },
	{ "log_file",		K_STR,	 OFF(log_file),		0, 0 },
	{ "endpoints",		K_ENDPOINTS, OFF(endpoints),	0, 0 },
	{ "require_nonce",	K_BOOL,	 OFF(require_nonce),	0, 0 },
	{ "device_grant",	K_BOOL,	 OFF(device_grant),	0, 0 },
	{ "device_code_ttl",	K_TTL,	 OFF(device_code_ttl),	60, 3600 },
	{ "device_interval",	K_TTL,	 OFF(device_interval),	1, 60 },
	{ "request_object_require_signed", K_BOOL,
	    OFF(request_object_require_signed), 0, 0 },
	{ "jarm",		K_BOOL,	 OFF(jarm),		0, 0 },
	{ "dpop",		K_BOOL,	 OFF(dpop),		0, 0 },
	{ "mtls_bound_tokens",	K_BOOL,	 OFF(mtls_bound_tokens),	0, 0 },
	{ "mtls_client_auth",	K_BOOL,	 OFF(mtls_client_auth),	0, 0 },
	{ "resource_indicators", K_BOOL, OFF(resource_indicators), 0, 0 },
	{ "dpop_iat_window",	K_TTL,	 OFF(dpop_iat_window),	1, 600 },
	{ "dpop_nonce_lifetime", K_TTL, OFF(dpop_nonce_lifetime), 0, 3600 },
	{ "sandbox",		K_BOOL,	 OFF(sandbox),		0, 0 },
	{ "login_max_failures",	K_TTL,	 OFF(login_max_failures), 1, 1000 },
	{ "login_max_failures_per_address", K_TTL,
	    OFF(login_max_failures_per_address), 1, 100000 },
	{ "login_window",	K_TTL,	 OFF(login_window),	10, 86400 },
	{ "client_auth_max_failures", K_TTL,
	    OFF(client_auth_max_failures), 1, 100000 },
	{ "client_auth_max_failures_per_address", K_TTL,
	    OFF(client_auth_max_failures_per_address), 1, 1000000 },
	{ "trusted_proxies",	K_NETS,	 OFF(trusted_proxies),	0, 0 },
	{ "registration",	K_REG,	 OFF(registration),	0, 0 },
	{ "registration_initial_token_hash", K_HASH,
	    OFF(registration_initial_token_hash), 0, 0 },
	{ "registration_scopes", K_SCOPES, OFF(registration_scopes), 0, 0 },
	{ "outbound_ca_file",	K_STR,	 OFF(outbound_ca_file),	0, 0 },
	{ "outbound_allow_private", K_BOOL, OFF(outbound_allow_private), 0, 0 },
	{ "outbound_connect_timeout", K_TTL, OFF(outbound_connect_timeout),
	    1, 60 },
	{ "outbound_timeout",	K_TTL,	 OFF(outbound_timeout),	1, 300 },
	{ "request_uri_fetches", K_TTL, OFF(request_uri_fetches), 1, 64 },
	{ "backchannel_max_attempts", K_TTL, OFF(backchannel_max_attempts),
	    1, 10 },
	{ "pairwise_salt_file", K_STR, OFF(pairwise_salt_file), 0, 0 },
	{ "metrics_dir",	K_STR,	 OFF(metrics_dir),	0, 0 },
	{ "metrics_allow",	K_NETS,	 OFF(metrics_allow),	0, 0 },
	{ "par",		K_BOOL,	 OFF(par),		0, 0 },
	{ "par_required",	K_BOOL,	 OFF(par_required),	0, 0 },
	{ "par_ttl",		K_TTL,	 OFF(par_ttl),		10, 600 },
	{ "scope",		K_CUSTOM_SCOPE, 0,		0, 0 },
	{ "login",		K_WORD,	 OFF(login),		0, 0, login_words },
	{ "profile",		K_WORD,	 OFF(profile),		0, 0,
	    profile_words },
	{ "remote_user_amr",	K_AMR,	 OFF(remote_user_amr),	0, 0 },
	{ "remote_user_claims",	K_RUCLAIMS, 0,			0, 0 },
	{ "ui_templates",	K_STR,	 OFF(ui_templates),	0, 0 },
	{ "ui_locales",		K_STR,	 OFF(ui_locales),	0, 0 },
	{ "totp",		K_WORD,	 OFF(totp),		0, 0, totp_words },
};

/* oidc_config_parse() remembers the keys seen in one 64-bit mask. */
_Static_assert(OIDC_NELEM(keydefs) <= 64, "too many keys for `seen`");

/* Indexed by enum oidc_config_ep: the cgi-bin binary names. */
static const char *const ep_names[OIDC_CONFIG_EP__MAX] = {
	"authorize", "token", "userinfo", "jwks", "revoke", "introspect",
	"end_session", "register", "discovery", "par", "device"
};

static int
bad(struct oidc_error *err, const char *name, size_t line, const char *key,
    const char *problem)
{
	return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: %s: %s", name,
	    line, key, problem);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The issuer: oidc_url_is_issuer (oidc/url.h): https, or http on a
 * loopback host (development and tests); no userinfo, query, fragment
 * or '/' at the end.
 */
static int
check_issuer(struct oidc_config *cfg, const char *v, size_t len)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 u;

	if (oidc_url_parse(v, len, &u, &tmp) == -1 || !oidc_url_is_issuer(&u))
		return -1;
	cfg->issuer_is_https = oidc_url_is_https(&u);
	return 0;
}

/*
 * A scope list as RFC 6749 3.3 writes it: values of %x21 / %x23-5B /
 * %x5D-7E separated by exactly one space (what oidc_scope_parse accepts;
 * base/ may not call it, see the layer rule).
 */
static bool
is_scope_list(const char *v, size_t len)
{
	size_t	 i;

	if (len == 0 || v[0] == ' ' || v[len - 1] == ' ')
		return false;
	for (i = 0; i < len; i++) {
		if (v[i] == ' ') {
			if (v[i + 1] == ' ')
				return false;
			continue;
		}
		if (v[i] < 0x21 || v[i] > 0x7e || v[i] == '"' || v[i] == '\\')
			return false;
	}
	return true;
}

/*
 * `endpoints`: names from ep_names separated by spaces, each at most once;
 * authorize, token and jwks must be among them.
 */
static int
parse_endpoints(const char *v, size_t len, unsigned *out, const char *name,
    size_t line, struct oidc_error *err)
{
	const char	*p = v, *end = v + len, *w;
	unsigned	 set = 0, bit;
	char		 msg[160];
	int		 i;

	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && !is_space(*p); p++)
			;
		for (i = 0; i < OIDC_CONFIG_EP__MAX; i++)
			if (strlen(ep_names[i]) == (size_t)(p - w) &&
			    memcmp(ep_names[i], w, (size_t)(p - w)) == 0)
				break;
		if (i == OIDC_CONFIG_EP__MAX) {
			(void)snprintf(msg, sizeof(msg), "unknown endpoint "
			    "\"%.*s\" (known: authorize token userinfo jwks "
			    "revoke introspect end_session register "
			    "discovery par device)", (int)(p - w > 32 ? 32 :
			    p - w), w);
			return bad(err, name, line, "endpoints", msg);
		}
		bit = OIDC_CONFIG_EP_BIT(i);
		if (set & bit) {
			(void)snprintf(msg, sizeof(msg), "\"%s\" listed twice",
			    ep_names[i]);
			return bad(err, name, line, "endpoints", msg);
		}
		set |= bit;
	}
	if ((set & OIDC_CONFIG_EP_REQUIRED) != OIDC_CONFIG_EP_REQUIRED)
		return bad(err, name, line, "endpoints", "must include "
		    "authorize, token and jwks (OpenID Connect Discovery "
		    "1.0 3)");
	*out = set;
	return 0;
}

/* K_STR: a non-empty string; the issuer must be an issuer URL. */
static int
set_str(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	char	*copy;

	if (vlen == 0)
		return bad(err, name, line, kd->name, "empty value");
	if ((copy = oidc_arena_strndup(a, v, vlen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (strcmp(kd->name, "issuer") == 0) {
		if (check_issuer(cfg, v, vlen) == -1)
			return bad(err, name, line, kd->name,
			    "must be an https URL (http only for "
			    "127.0.0.1/localhost) without a trailing "
			    "slash, query or fragment");
		cfg->issuer_len = vlen;
	}
	*(const char **)(void *)((char *)cfg + kd->off) = copy;
	return 0;
}

/* K_TTL: a whole number in kd->min..kd->max. */
static int
set_ttl(struct oidc_config *cfg, const struct keydef *kd, const char *v,
    size_t vlen, const char *name, size_t line, struct oidc_error *err)
{
	uint64_t	 u;
	char		 msg[96];

	if (oidc_parse_u64(v, vlen, kd->min, kd->max, &u) == -1) {
		(void)snprintf(msg, sizeof(msg),
		    "must be a whole number of seconds in %llu..%llu",
		    (unsigned long long)kd->min,
		    (unsigned long long)kd->max);
		return bad(err, name, line, kd->name, msg);
	}
	*(int64_t *)(void *)((char *)cfg + kd->off) = (int64_t)u;
	return 0;
}

/* K_BOOL: yes or no. */
static int
set_bool(struct oidc_config *cfg, const struct keydef *kd, const char *v,
    size_t vlen, const char *name, size_t line, struct oidc_error *err)
{
	if (vlen == 3 && memcmp(v, "yes", 3) == 0)
		*(bool *)(void *)((char *)cfg + kd->off) = true;
	else if (vlen == 2 && memcmp(v, "no", 2) == 0)
		*(bool *)(void *)((char *)cfg + kd->off) = false;
	else
		return bad(err, name, line, kd->name, "must be yes or no");
	return 0;
}

/* K_REG: off, open or token. */
static int
set_registration(struct oidc_config *cfg, const struct keydef *kd,
    const char *v, size_t vlen, const char *name, size_t line,
    struct oidc_error *err)
{
	if (vlen == 3 && memcmp(v, "off", 3) == 0)
		cfg->registration = OIDC_REGISTRATION_OFF;
	else if (vlen == 4 && memcmp(v, "open", 4) == 0)
		cfg->registration = OIDC_REGISTRATION_OPEN;
	else if (vlen == 5 && memcmp(v, "token", 5) == 0)
		cfg->registration = OIDC_REGISTRATION_TOKEN;
	else
		return bad(err, name, line, kd->name,
		    "must be off, open or token");
	return 0;
}

/* K_NETS: the trusted_proxies list (oidc/netaddr.h). */
static int
set_nets(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	struct oidc_netaddr_list	*l;
	struct oidc_error		 why = { 0 };

	if ((l = oidc_arena_calloc(a, 1, sizeof(*l))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_netaddr_list_parse(v, vlen, l, &why) == -1)
		return bad(err, name, line, kd->name, why.detail);
	*(const struct oidc_netaddr_list **)(void *)((char *)cfg + kd->off) =
	    l;
	return 0;
}

/* K_KEY: one more signing_key, "ALG PATH" or just "PATH". */
static int
add_key(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	char	*copy, *sp;

	if (cfg->nkeys == OIDC_CONFIG_MAX_KEYS)
		return bad(err, name, line, kd->name, "too many keys");
	if (vlen == 0 || (copy = oidc_arena_strndup(a, v, vlen)) == NULL)
		return bad(err, name, line, kd->name, "empty value");
	if ((sp = strchr(copy, ' ')) != NULL && copy[0] != '/' &&
	    copy[0] != '.') {
		*sp++ = '\0';
		while (*sp == ' ')
			sp++;
		cfg->keys[cfg->nkeys].alg = copy;
		cfg->keys[cfg->nkeys].path = sp;
	} else
		cfg->keys[cfg->nkeys].path = copy;
	cfg->nkeys++;
	return 0;
}

/*
 * The OIDC Core 5.1 claims that are strings: what remote_user_claims may
 * fill (base/ may not read oidc/scope.c's table, see the layer rule).
 */
static const char *const string_claims[] = {
	"name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email",
	"gender", "birthdate", "zoneinfo", "locale", "phone_number"
};

/*
 * K_WORD: one of kd->words; the field (an enum listing them in that
 * order) gets its index.  The error names them: "must be a, b or c".
 */
static int
set_word(struct oidc_config *cfg, const struct keydef *kd, const char *v,
    size_t vlen, const char *name, size_t line, struct oidc_error *err)
{
	char	 msg[128] = "must be ";
	size_t	 i, n = strlen(msg);

	for (i = 0; kd->words[i] != NULL; i++)
		if (strlen(kd->words[i]) == vlen &&
		    memcmp(kd->words[i], v, vlen) == 0) {
			*(int *)(void *)((char *)cfg + kd->off) = (int)i;
			return 0;
		}
	for (i = 0; kd->words[i] != NULL && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%s",
		    i == 0 ? "" : kd->words[i + 1] == NULL ? " or " : ", ",
		    kd->words[i]);
	return bad(err, name, line, kd->name, msg);
}

/* K_AMR: RFC 8176 values (letters, digits) separated by single spaces. */
static int
set_amr(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	size_t	 i;

	if (vlen == 0 || vlen > 64 || v[0] == ' ' || v[vlen - 1] == ' ')
		return bad(err, name, line, kd->name, "must be amr values "
		    "(RFC 8176) separated by single spaces, 64 bytes at most");
	for (i = 0; i < vlen; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') ||
		    (v[i] == ' ' && v[i + 1] != ' ')))
			return bad(err, name, line, kd->name, "must be amr "
			    "values (RFC 8176) separated by single spaces, 64 "
			    "bytes at most");
	if ((cfg->remote_user_amr = oidc_arena_strndup(a, v, vlen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 0;
}

/* An environment variable name: [A-Za-z0-9_], 1..64, not a digit first. */
static bool
is_env_name(const char *v, size_t len)
{
	size_t	 i;

	if (len == 0 || len > 64 || (v[0] >= '0' && v[0] <= '9'))
		return false;
	for (i = 0; i < len; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			return false;
	return true;
}

/* One "CLAIM:VARIABLE" of remote_user_claims into cfg's next slot. */
static int
add_ruclaim(struct oidc_arena *a, struct oidc_config *cfg, const char *w,
    size_t wlen, struct oidc_error *err)
{
	const char	*colon = memchr(w, ':', wlen);
	size_t		 clen, i, k;

	if (colon == NULL || cfg->n_remote_user_claims ==
	    OIDC_CONFIG_MAX_REMOTE_USER_CLAIMS)
		return -1;
	clen = (size_t)(colon - w);
	for (i = 0; i < OIDC_NELEM(string_claims); i++)
		if (strlen(string_claims[i]) == clen &&
		    memcmp(string_claims[i], w, clen) == 0)
			break;
	if (i == OIDC_NELEM(string_claims) ||
	    !is_env_name(colon + 1, wlen - clen - 1))
		return -1;
	for (k = 0; k < cfg->n_remote_user_claims; k++)
		if (strcmp(cfg->remote_user_claims[k].claim,
		    string_claims[i]) == 0)
			return -1;
	cfg->remote_user_claims[k].claim = string_claims[i];
	if ((cfg->remote_user_claims[k].var = oidc_arena_strndup(a, colon + 1,
	    wlen - clen - 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	cfg->n_remote_user_claims++;
	return 0;
}

/* K_RUCLAIMS: "CLAIM:VARIABLE" words separated by spaces. */
static int
set_ruclaims(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	const char	*p = v, *end = v + vlen, *w;

	cfg->n_remote_user_claims = 0;
	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && !is_space(*p); p++)
			;
		if (add_ruclaim(a, cfg, w, (size_t)(p - w), err) == -1)
			return err->code == OIDC_E_NOMEM ? -1 :
			    bad(err, name, line, kd->name, "must be "
			    "CLAIM:VARIABLE pairs separated by spaces, at most "
			    "16, each claim once, a string claim of OpenID "
			    "Connect Core 5.1 (name, email, ...) and a "
			    "variable of letters, digits and _");
	}
	if (cfg->n_remote_user_claims == 0)
		return bad(err, name, line, kd->name, "empty value");
	return 0;
}

static int
set_value(struct oidc_arena *a, struct oidc_config *cfg,
    const struct keydef *kd, const char *v, size_t vlen, const char *name,
    size_t line, struct oidc_error *err)
{
	char	*copy;

	switch (kd->kind) {
	case K_STR:
		return set_str(a, cfg, kd, v, vlen, name, line, err);
	case K_TTL:
		return set_ttl(cfg, kd, v, vlen, name, line, err);
	case K_LEVEL:
		if (oidc_log_level_parse(v, vlen, &cfg->log_level) == -1)
			return bad(err, name, line, kd->name,
			    "must be error, warn, info or debug");
		return 0;
	case K_SINK:
		if (oidc_log_sink_parse(v, vlen, &cfg->log) == -1)
			return bad(err, name, line, kd->name,
			    "must be stderr or syslog");
		return 0;
	case K_ENDPOINTS:
		return parse_endpoints(v, vlen, &cfg->endpoints, name, line,
		    err);
	case K_BOOL:
		return set_bool(cfg, kd, v, vlen, name, line, err);
	case K_REG:
		return set_registration(cfg, kd, v, vlen, name, line, err);
	case K_SCOPES:
		if (!is_scope_list(v, vlen))
			return bad(err, name, line, kd->name,
			    "must be scope values separated by single spaces");
		if ((copy = oidc_arena_strndup(a, v, vlen)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		*(const char **)(void *)((char *)cfg + kd->off) = copy;
		return 0;
	case K_HASH:
		if (oidc_hex_decode(v, vlen, (unsigned char *)cfg + kd->off,
		    32) == -1)
			return bad(err, name, line, kd->name,
			    "must be 64 hex digits (a SHA-256)");
		cfg->has_registration_initial_token_hash = true;
		return 0;
	case K_NETS:
		return set_nets(a, cfg, kd, v, vlen, name, line, err);
	case K_KEY:
		return add_key(a, cfg, kd, v, vlen, name, line, err);
	case K_CUSTOM_SCOPE:
		return oidc_config_add_scope(a, cfg, v, vlen, name, line, err);
	case K_WORD:
		return set_word(cfg, kd, v, vlen, name, line, err);
	case K_AMR:
		return set_amr(a, cfg, kd, v, vlen, name, line, err);
	case K_RUCLAIMS:
		return set_ruclaims(a, cfg, kd, v, vlen, name, line, err);
	}
	return bad(err, name, line, kd->name, "internal");
}

/* The values of the keys a file does not set. */
static void
set_defaults(struct oidc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->code_ttl = 600;
	cfg->access_token_ttl = 3600;
	cfg->dpop_iat_window = 60;
	cfg->dpop_nonce_lifetime = 300;
	cfg->id_token_ttl = 3600;
	cfg->refresh_token_ttl = 2592000;
	cfg->session_ttl = 86400;
	cfg->db_timeout = 5;
	cfg->db_connect_timeout = 2;
	cfg->db_failover_wait = 10;
	cfg->db_commit_timeout = 5;
	cfg->key_publish_ahead = 3600;
	cfg->key_reload_interval = 30;
	cfg->log_level = OIDC_LOG_INFO;
	cfg->login_max_failures = 10;
	cfg->login_max_failures_per_address = 100;
	cfg->login_window = 900;
	cfg->client_auth_max_failures = 100;
	cfg->client_auth_max_failures_per_address = 1000;
	cfg->outbound_connect_timeout = 2;
	cfg->outbound_timeout = 5;
	cfg->request_uri_fetches = 1;
	cfg->backchannel_max_attempts = 5;
	cfg->registration_scopes = OIDC_CONFIG_REGISTRATION_SCOPES;
	cfg->endpoints = OIDC_CONFIG_EP_ALL;
	cfg->par_ttl = 60;
	cfg->device_code_ttl = 600;
	cfg->device_interval = 5;
}

/*
 * One line [k, eol) that is neither blank nor a comment: "key = value".
 * The key into key[keysz], the value (spaces trimmed) into [*v, *ve).
 */
static int
split_line(const char *k, const char *eol, char *key, size_t keysz,
    const char **v, const char **ve, const char *name, size_t line,
    struct oidc_error *err)
{
	const char	*ke;

	for (ke = k; ke < eol && *ke != '=' && !is_space(*ke); ke++)
		;
	*v = ke;
	while (*v < eol && is_space(**v))
		(*v)++;
	if (*v == eol || **v != '=' || ke == k || (size_t)(ke - k) >= keysz)
		return bad(err, name, line, "line", "expected `key = value`");
	memcpy(key, k, (size_t)(ke - k));
	key[ke - k] = '\0';
	if (!oidc_str_is_vschar(key, strlen(key)))
		return bad(err, name, line, "line", "bad key");
	(*v)++;
	while (*v < eol && is_space(**v))
		(*v)++;
	*ve = eol;
	while (*ve > *v && is_space((*ve)[-1]))
		(*ve)--;
	return 0;
}

/* What no single line can check: required keys and combinations. */
static int
check_complete(const struct oidc_config *cfg, const char *name, size_t line,
    struct oidc_error *err)
{
	if (cfg->issuer == NULL)
		return bad(err, name, line, "issuer", "missing (required)");
	if (cfg->database == NULL)
		return bad(err, name, line, "database", "missing (required)");
	if (cfg->registration == OIDC_REGISTRATION_TOKEN &&
	    !cfg->has_registration_initial_token_hash)
		return bad(err, name, line, "registration_initial_token_hash",
		    "missing (required with registration = token)");
	if (cfg->log_file != NULL && cfg->log == OIDC_LOG_SINK_SYSLOG)
		return bad(err, name, line, "log_file",
		    "only with log = stderr (syslog has no file)");
	if (cfg->par_required && !(cfg->par &&
	    oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_PAR)))
		return bad(err, name, line, "par_required",
		    "needs par = yes and par in endpoints");
	/* FAPI 2.0 needs PAR and DPoP (oidc/fapi.h). */
	if (cfg->profile == OIDC_PROFILE_FAPI2 && !(cfg->par && cfg->dpop &&
	    oidc_config_has_endpoint(cfg, OIDC_CONFIG_EP_PAR)))
		return bad(err, name, line, "profile",
		    "fapi2 needs par = yes, dpop = yes and par in endpoints");
	return 0;
}

int
oidc_config_parse(struct oidc_arena *a, const char *name, const char *buf,
    size_t len, struct oidc_config *cfg, struct oidc_error *err)
{
	const char	*p = buf, *end = buf + len, *eol, *k;
	const char	*v = NULL, *ve = NULL;	/* set by split_line */
	uint64_t	 seen = 0;
	size_t		 line = 0, i;
	char		 key[64];

	if (len > OIDC_CONFIG_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "%s: file too large",
		    name);
	set_defaults(cfg);
	while (p < end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) > OIDC_CONFIG_MAX_LINE)
			return bad(err, name, line, "line", "too long");
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL)
			return bad(err, name, line, "line", "contains NUL");
		k = p;
		p = eol < end ? eol + 1 : end;
		while (k < eol && is_space(*k))
			k++;
		if (k == eol || *k == '#')
			continue;
		if (split_line(k, eol, key, sizeof(key), &v, &ve, name, line,
		    err) == -1)
			return -1;
		for (i = 0; i < OIDC_NELEM(keydefs); i++)
			if (strcmp(keydefs[i].name, key) == 0)
				break;
		if (i == OIDC_NELEM(keydefs))
			return bad(err, name, line, key, "unknown key");
		if (keydefs[i].kind != K_KEY &&
		    keydefs[i].kind != K_CUSTOM_SCOPE &&
		    (seen & ((uint64_t)1 << i)))
			return bad(err, name, line, key, "given twice");
		seen |= (uint64_t)1 << i;
		if (set_value(a, cfg, &keydefs[i], v, (size_t)(ve - v), name,
		    line, err) == -1)
			return -1;
	}
	return check_complete(cfg, name, line, err);
}

bool
oidc_config_has_endpoint(const struct oidc_config *cfg,
    enum oidc_config_ep e)
{
	return (cfg->endpoints & OIDC_CONFIG_EP_BIT(e)) != 0;
}

int
oidc_config_load(struct oidc_arena *a, const char *path,
    struct oidc_config *cfg, struct oidc_error *err)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return oidc_fail(err, OIDC_E_IO, NULL, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		oidc_fail(err, OIDC_E_IO, NULL, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > OIDC_CONFIG_MAX_LEN) {
		oidc_fail(err, OIDC_E_LIMIT, NULL, "%s: file too large", path);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			oidc_fail(err, OIDC_E_IO, NULL, "%s: read failed",
			    path);
			goto out;
		}
		got += (size_t)n;
	}
	rc = oidc_config_parse(a, path, buf, got, cfg, err);
out:
	free(buf);
	close(fd);
	return rc;
}

const char *
oidc_config_default_path(void)
{
	return oidc_config_pick_path(getenv("OIDC_CONFIG"),
	    OIDC_SYSCONF_PATH);
}

const char *
oidc_config_pick_path(const char *env, const char *sysconf)
{
	if (env != NULL && *env != '\0')
		return env;
	/*
	 * Exists, not "is readable": a file the caller may not read must
	 * fail with its name, not fall back to a development config.
	 */
	if (access(sysconf, F_OK) == 0)
		return sysconf;
	return "./var/oidc.conf";
}
