/*
 * config.h: the configuration file (oidc.conf(5)).
 *
 * Syntax: one `key = value` per line; '#' starts a comment line; blank
 * lines are ignored; surrounding spaces are trimmed; values are taken
 * literally (no quoting).  Unknown keys and repeated keys (other than
 * signing_key and scope) are errors, so a typo never silently falls back
 * to a default.  Limits: file at most OIDC_CONFIG_MAX_LEN bytes, a line
 * at most OIDC_CONFIG_MAX_LINE, at most OIDC_CONFIG_MAX_KEYS signing keys,
 * OIDC_CONFIG_MAX_SCOPES custom scopes, OIDC_CONFIG_MAX_CLAIMS custom
 * claims.
 * Errors name the line and the key: "oidc.conf:3: code_ttl: ...".
 * The configuration is immutable after start-up and owned by the process.
 *
 * Keys (defaults in brackets):
 *   issuer             https URL (http allowed for loopback hosts), no
 *                      trailing slash, no query or fragment  [required]
 *   database           libpq conninfo string  [required]
 *   database_read      libpq conninfo of a replica for the reads that
 *                      tolerate its lag (oidc/db.h oidc_db_set_read)
 *                      [none]
 *   signing_key        [ALG] PATH to a PEM or JWK file, repeatable; the
 *                      first key of each algorithm signs  [none]
 *   key_encryption_key PATH to a file of 64 hex digits (32 bytes): the
 *                      AES-256-GCM key that seals the private keys kept
 *                      in the signing_key table (oidcctl key) and the
 *                      client secrets of client_secret_jwt and HS*
 *                      clients (oidc/client.h); needed by oidcctl key
 *                      generate|rotate|import, by the binaries that sign
 *                      with such keys and by those that handle such
 *                      secrets (OIDC_NEED_CLIENT_SECRETS); authorize and
 *                      token also derive the code-sealing key from it
 *                      (oidc/code.h)  [none]
 *   key_publish_ahead  seconds a rotated-in key is in the JWKS before it
 *                      signs, 0..2592000  [3600]
 *   key_reload_interval seconds between a worker's checks for changed
 *                      keys in the database, 1..3600  [30]
 *   code_ttl           seconds, 1..600  [600]
 *   access_token_ttl   seconds, 1..86400  [3600]
 *   access_token_format opaque | jwt: the access tokens of clients without
 *                      their own "access_token_format" metadata member:
 *                      random values, or RFC 9068 JWTs (typ at+jwt,
 *                      oidc/access_token.h)  [opaque]
 *   id_token_ttl       seconds, 1..86400  [3600]
 *   refresh_token_ttl  seconds, 0..31536000, 0 disables refresh  [2592000]
 *   session_ttl        seconds, 60..2592000  [86400]
 *   db_timeout         seconds, 1..60: statement and lock timeout  [5]
 *   db_connect_timeout seconds, 1..60: libpq connect_timeout, per host of
 *                      a multi-host conninfo (libpq waits at least 2)  [2]
 *   db_failover_wait   seconds, 0..25: how long one request waits for a
 *                      primary after a lost connection, a read-only
 *                      server or a refused connect, before 503; 0 never
 *                      waits (oidc/db.h)  [10]
 *   db_commit_timeout  seconds, 1..60: the client-side bound on waiting
 *                      for any statement's result, COMMIT's wait for a
 *                      synchronous standby included; then the statement
 *                      is cancelled and the request answers 503  [5]
 *   log_level          error | warn | info | debug  [info]
 *   log                stderr | syslog: where the log lines go; syslog
 *                      uses facility daemon and the endpoint name as
 *                      ident (oidc/log.h)  [stderr]
 *   log_file           PATH: with log = stderr, append the lines to this
 *                      file instead (opened at start-up, before any
 *                      sandbox; an error with log = syslog)  [none]
 *   endpoints          the endpoint binaries deployed, separated by
 *                      spaces, from authorize token userinfo jwks revoke
 *                      introspect end_session register discovery par
 *                      device; must include authorize, token and jwks.
 *                      Discovery
 *                      advertises only these (and their metadata)  [all]
 *   require_nonce      yes | no: nonce also for the code flow  [no]
 *   device_grant       yes | no: the device authorization grant (RFC
 *                      8628, oidc/device.h): device.fcgi, the /device
 *                      page, the grant at /token, discovery  [no]
 *   device_code_ttl    seconds a device code lives, 60..3600  [600]
 *   device_interval    seconds a device waits between polls, 1..60  [5]
 *   dpop               yes | no: DPoP-bound tokens (RFC 9449, oidc/dpop.h)
 *                      at token, userinfo, introspect; advertised  [no]
 *   mtls_bound_tokens  yes | no: certificate-bound tokens (RFC 8705,
 *                      oidc/mtls.h) from the FastCGI parameter
 *                      SSL_CLIENT_CERT; advertised  [no]
 *   mtls_client_auth   yes | no: client authentication by certificate
 *                      (RFC 8705 2: tls_client_auth,
 *                      self_signed_tls_client_auth, oidc/tlsauth.h);
 *                      advertised  [no]
 *   resource_indicators yes | no: the resource parameter (RFC 8707,
 *                      oidc/resource.h) at authorize, par and token;
 *                      when no, it is ignored  [no]
 *   dpop_iat_window    seconds, 1..600: how far a DPoP proof's iat may
 *                      lie from now, either way  [60]
 *   dpop_nonce_lifetime  seconds, 0..3600: server nonces (RFC 9449 8, 9)
 *                      of this slot length are required in every proof
 *                      (one is valid for one to two slots); 0 requires
 *                      none.  Nonces need key_encryption_key  [300]
 *   request_object_require_signed  yes | no: refuse unsigned ("none")
 *                      request objects from every client and leave
 *                      "none" out of discovery  [no]
 *   jarm               yes | no: the JARM response modes query.jwt,
 *                      fragment.jwt, form_post.jwt and jwt, advertised
 *                      in discovery (oidc/jarm.h)  [no]
 *   sandbox            yes | no: after start-up, restrict each worker to
 *                      the system calls it needs (seccomp, oidc/sandbox.h)
 *                      [no]
 *   login_max_failures failed logins per (account, client address)
 *                      within login_window before that pair is slowed
 *                      down (oidc/session.h), 1..1000  [10]
 *   login_max_failures_per_address  the same per client address, over
 *                      all accounts, 1..100000  [100]
 *   login_window       seconds, 10..86400: how long a failure counts,
 *                      and the longest delay  [900]
 *   client_auth_max_failures  failed client authentications per (client,
 *                      client address) within login_window before that
 *                      pair is slowed down, 1..100000  [100]
 *   client_auth_max_failures_per_address  the same per client address,
 *                      over all clients, 1..1000000  [1000]
 *   trusted_proxies    addresses and ADDR/PREFIX networks of the proxies
 *                      whose X-Forwarded-For is believed (oidc/netaddr.h),
 *                      separated by spaces  [none: REMOTE_ADDR only]
 *   registration       off | open | token: dynamic client registration
 *                      (RFC 7591/7592) disabled, open to anyone, or only
 *                      with the initial access token  [off]
 *   registration_initial_token_hash  64 hex digits: SHA-256 of the
 *                      initial access token; required with
 *                      registration = token  [none]
 *   registration_scopes  the scope values a dynamically registered client
 *                      may hold (RFC 7591 2 "scope"): values separated by
 *                      single spaces; /register and RFC 7592 updates
 *                      refuse others, an absent scope registers this list
 *                      [openid profile email address phone offline_access]
 *   outbound_ca_file   PATH to a PEM bundle of the CAs trusted for
 *                      outbound https requests (oidc/outbound.h), for
 *                      private PKIs  [the system bundle]
 *   outbound_allow_private  yes | no: allow outbound requests to
 *                      private (RFC 1918, ULA), loopback, link-local,
 *                      unspecified and multicast addresses, and plain
 *                      http; development and tests only  [no]
 *   outbound_connect_timeout  seconds, 1..60  [2]
 *   outbound_timeout   seconds for a whole outbound request, 1..300  [5]
 *   request_uri_fetches  request_uri fetches in flight at once over all
 *                      authorization workers, 1..64 (oidc/authorize.h):
 *                      the rest keep serving logins  [1]
 *   backchannel_max_attempts  deliveries of one back-channel logout token
 *                      before it is given up, 1..10 (oidc/backchannel.h)
 *                      [5]
 *   pairwise_salt_file PATH to the secret salt of pairwise subject
 *                      identifiers (OIDC Core 8.1, oidc/subject.h): at
 *                      least 32 bytes, hex digits or raw; without it
 *                      clients may only use public subjects  [none]
 *   metrics_dir        PATH to the directory of the workers' counter
 *                      pages, which every worker writes and metrics.fcgi
 *                      reads (oidc/metrics.h); it must exist and be
 *                      writable by the workers, else a worker logs a
 *                      warning and runs without metrics  [the directory
 *                      of the worker's FastCGI socket]
 *   metrics_allow      addresses and ADDR/PREFIX networks that may read
 *                      /metrics (the client address, oidc/netaddr.h);
 *                      others get 403  [127.0.0.0/8 ::1]
 *   par                yes | no: Pushed Authorization Requests (RFC 9126,
 *                      oidc/par.h) at /par, advertised in discovery when
 *                      par is also in endpoints  [no]
 *   par_required       yes | no: every authorization request must be
 *                      pushed first (require_pushed_authorization_requests
 *                      for every client); needs par  [no]
 *   par_ttl            seconds a request_uri lives, 10..600  [60]
 *   profile            default | fapi2: fapi2 applies the FAPI 2.0
 *                      Security Profile to every client (oidc/fapi.h,
 *                      docs/FAPI2.md); needs par, dpop and the par
 *                      endpoint  [default]
 *   scope              NAME: CLAIM [CLAIM ...], repeatable: a custom scope
 *                      and the custom claims it releases (oidc/scope.h),
 *                      taken from the users' stored claims as they are
 *                      (any JSON value).  NAME is 1*[A-Za-z0-9_.-], a
 *                      CLAIM 1*[A-Za-z0-9_.:/-], each at most
 *                      OIDC_CONFIG_MAX_NAME bytes; not a standard scope,
 *                      not a standard claim or registered JWT/OIDC/
 *                      introspection claim name (iss, sub, aud, exp,
 *                      nonce, at_hash, active, ...); each scope and each
 *                      claim declared once; at most OIDC_CONFIG_MAX_SCOPES
 *                      scopes and OIDC_CONFIG_MAX_CLAIMS claims in all
 *                      [none]
 *   login              password | remote_user: how /authorize
 *                      authenticates users, with its own password page or
 *                      by trusting REMOTE_USER from the web server's
 *                      FastCGI parameters (oidc/remote_user.h); a client's
 *                      "login" metadata member overrides it  [password]
 *   remote_user_amr    the amr values (RFC 8176, separated by single
 *                      spaces) of a remote_user login, e.g. "hwk" for
 *                      client certificates  [none: no amr claim]
 *   totp               off | optional | required: the TOTP second factor
 *                      (oidc/totp.h) at the password login: enrolled
 *                      users get the second step (optional), or every
 *                      user, enrolling after the password when not yet
 *                      (required); authorize.fcgi refuses to start
 *                      without key_encryption_key  [off]
 *   remote_user_claims CLAIM:VARIABLE pairs separated by spaces: at a
 *                      remote_user login, the user's string claim (OIDC
 *                      Core 5.1) is set from that FastCGI variable, e.g.
 *                      email:SSL_CLIENT_S_DN_EMAIL; at most 16  [none]
 */
#ifndef OIDC_CONFIG_H
#define OIDC_CONFIG_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/log.h"

#define OIDC_CONFIG_MAX_LEN	(64 * 1024)
#define OIDC_CONFIG_MAX_LINE	4096
#define OIDC_CONFIG_MAX_KEYS	16
#define OIDC_CONFIG_MAX_SCOPES	16	/* custom scopes (`scope`) */
#define OIDC_CONFIG_MAX_CLAIMS	32	/* their claims, in all */
#define OIDC_CONFIG_MAX_NAME	64	/* a custom scope or claim name */
#define OIDC_CONFIG_MAX_REMOTE_USER_CLAIMS 16
#define OIDC_CONFIG_REGISTRATION_SCOPES \
	"openid profile email address phone offline_access"

struct oidc_arena;
struct oidc_netaddr_list;

/* Dynamic client registration (see oidc/register.h). */
enum oidc_registration {
	OIDC_REGISTRATION_OFF = 0,
	OIDC_REGISTRATION_OPEN,
	OIDC_REGISTRATION_TOKEN
};

/*
 * The endpoints named by `endpoints` (one bit each in
 * oidc_config.endpoints); the names are those of the cgi-bin binaries.
 */
enum oidc_config_ep {
	OIDC_CONFIG_EP_AUTHORIZE = 0,
	OIDC_CONFIG_EP_TOKEN,
	OIDC_CONFIG_EP_USERINFO,
	OIDC_CONFIG_EP_JWKS,
	OIDC_CONFIG_EP_REVOKE,
	OIDC_CONFIG_EP_INTROSPECT,
	OIDC_CONFIG_EP_END_SESSION,
	OIDC_CONFIG_EP_REGISTER,
	OIDC_CONFIG_EP_DISCOVERY,
	OIDC_CONFIG_EP_PAR,
	OIDC_CONFIG_EP_DEVICE,
	OIDC_CONFIG_EP__MAX
};
#define OIDC_CONFIG_EP_BIT(e)	(1u << (e))
#define OIDC_CONFIG_EP_ALL	((1u << OIDC_CONFIG_EP__MAX) - 1)
/* Required by OpenID Connect Discovery 1.0 3 (and our response types). */
#define OIDC_CONFIG_EP_REQUIRED	(OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_AUTHORIZE) | \
	OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_TOKEN) | \
	OIDC_CONFIG_EP_BIT(OIDC_CONFIG_EP_JWKS))

/* access_token_format: what an access token looks like. */
enum oidc_at_format {
	OIDC_AT_OPAQUE = 0,	/* a random value, stored hashed */
	OIDC_AT_JWT		/* RFC 9068 at+jwt, its jti's row stored */
};

/* profile: the security profile every client is held to (oidc/fapi.h). */
enum oidc_profile {
	OIDC_PROFILE_DEFAULT = 0,
	OIDC_PROFILE_FAPI2		/* FAPI 2.0 Security Profile */
};

/* How the authorization endpoint authenticates users (login). */
enum oidc_login_mode {
	OIDC_LOGIN_PASSWORD = 0,	/* its own password page */
	OIDC_LOGIN_REMOTE_USER		/* the web server: REMOTE_USER */
};

/* The TOTP second factor (totp). */
enum oidc_totp_mode {
	OIDC_TOTP_OFF = 0,
	OIDC_TOTP_OPTIONAL,	/* enrolled users get the second step */
	OIDC_TOTP_REQUIRED	/* every password login; enrol first */
};

/* remote_user_claims: one claim filled from one FastCGI variable. */
struct oidc_config_ruclaim {
	const char	*claim;		/* static storage */
	const char	*var;
};

struct oidc_config_key {
	const char	*alg;	/* NULL: inferred from the key */
	const char	*path;
};

/* One `scope` line: a custom scope and the custom claims it releases. */
struct oidc_config_scope {
	const char	*name;
	const char	*claims[OIDC_CONFIG_MAX_CLAIMS];
	size_t		 nclaims;
};

struct oidc_config {
	const char		*issuer;
	size_t			 issuer_len;
	const char		*database;
	const char		*database_read;	/* or NULL */
	struct oidc_config_key	 keys[OIDC_CONFIG_MAX_KEYS];
	size_t			 nkeys;
	const char		*key_encryption_key;	/* path or NULL */
	int64_t			 key_publish_ahead;
	int64_t			 key_reload_interval;
	int64_t			 code_ttl;
	int64_t			 access_token_ttl;
	int64_t			 id_token_ttl;
	int64_t			 refresh_token_ttl;
	int64_t			 session_ttl;
	int64_t			 db_timeout;
	int64_t			 db_connect_timeout;
	int64_t			 db_failover_wait;
	int64_t			 db_commit_timeout;
	enum oidc_log_level	 log_level;
	enum oidc_log_sink	 log;
	const char		*log_file;	/* path or NULL */
	unsigned		 endpoints;	/* OIDC_CONFIG_EP_BIT()s */
	bool			 require_nonce;
	/* RFC 8628 device authorization grant (oidc/device.h). */
	bool			 device_grant;
	int64_t			 device_code_ttl;
	int64_t			 device_interval;
	bool			 dpop;
	bool			 mtls_bound_tokens;
	bool			 mtls_client_auth;
	bool			 resource_indicators;
	int64_t			 dpop_iat_window;
	int64_t			 dpop_nonce_lifetime;
	bool			 request_object_require_signed;
	bool			 jarm;
	bool			 issuer_is_https;
	bool			 sandbox;
	int64_t			 login_max_failures;
	int64_t			 login_max_failures_per_address;
	int64_t			 login_window;
	int64_t			 client_auth_max_failures;
	int64_t			 client_auth_max_failures_per_address;
	/* NULL: no trusted proxy (X-Forwarded-For is ignored). */
	const struct oidc_netaddr_list *trusted_proxies;
	enum oidc_registration	 registration;
	bool			 has_registration_initial_token_hash;
	unsigned char		 registration_initial_token_hash[32];
	const char		*registration_scopes;	/* never NULL */
	const char		*outbound_ca_file;	/* path or NULL */
	bool			 outbound_allow_private;
	int64_t			 outbound_connect_timeout;
	int64_t			 outbound_timeout;
	int64_t			 request_uri_fetches;
	int64_t			 backchannel_max_attempts;
	const char		*pairwise_salt_file;	/* path or NULL */
	/* NULL: the directory of the worker's FastCGI socket. */
	const char		*metrics_dir;
	/* NULL: loopback only (127.0.0.0/8, ::1). */
	const struct oidc_netaddr_list *metrics_allow;
	bool			 par;
	bool			 par_required;
	int64_t			 par_ttl;
	enum oidc_profile	 profile;
	/* The custom scopes, in file order (none by default). */
	struct oidc_config_scope scopes[OIDC_CONFIG_MAX_SCOPES];
	size_t			 nscopes;
	size_t			 nclaims;	/* over all scopes */
	enum oidc_login_mode	 login;
	enum oidc_at_format	 access_token_format;
	const char		*remote_user_amr;	/* NULL: no amr */
	enum oidc_totp_mode	 totp;
	struct oidc_config_ruclaim remote_user_claims[
				    OIDC_CONFIG_MAX_REMOTE_USER_CLAIMS];
	size_t			 n_remote_user_claims;
	/*
	 * Themes and languages (oidc/ui.h), checked by oidc_ui_load at
	 * start-up: a directory of templates and messages files, and the
	 * languages offered (space-separated tags).  NULL: built-in, "en".
	 */
	const char		*ui_templates;
	const char		*ui_locales;
};

/*
 * Parse buf[0..len) (named `name` in messages) into *cfg; strings are
 * allocated from `a`, which must outlive cfg.  On failure err->detail
 * holds the one-line message.  OIDC_E_CONFIG or OIDC_E_LIMIT.
 */
OIDC_MUST_CHECK int	oidc_config_parse(struct oidc_arena *, const char *name,
			    const char *buf, size_t len, struct oidc_config *,
			    struct oidc_error *);

/* Read and parse a file (OIDC_E_IO when unreadable). */
OIDC_MUST_CHECK int	oidc_config_load(struct oidc_arena *, const char *path,
			    struct oidc_config *, struct oidc_error *);

/*
 * True for a name no custom claim may take: an OpenID Connect Core 5.1
 * standard claim, or a claim name registered for JWTs, ID Tokens,
 * logout tokens or introspection responses (iss, sub, aud, nonce, ...).
 */
bool	oidc_config_claim_reserved(const char *, size_t);

/* True when `endpoints` lists e (the default lists every endpoint). */
bool	oidc_config_has_endpoint(const struct oidc_config *,
	    enum oidc_config_ep);

/*
 * The configuration file: $OIDC_CONFIG when set and not empty, else
 * OIDC_SYSCONF_PATH (/etc/oidc-fcgi/oidc.conf, an installed provider) when
 * it exists, else "./var/oidc.conf" (make run in a checkout).
 * oidc_config_pick_path() is the rule with its inputs given.
 */
#ifndef OIDC_SYSCONF_PATH
#define OIDC_SYSCONF_PATH	"/etc/oidc-fcgi/oidc.conf"
#endif
const char	*oidc_config_default_path(void);
const char	*oidc_config_pick_path(const char *env, const char *sysconf);

#endif /* OIDC_CONFIG_H */
