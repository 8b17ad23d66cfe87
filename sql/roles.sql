-- sql/roles.sql: one database role per endpoint binary, granted only the
-- tables (and, for public keys, the columns) that binary touches
-- (issue 10, least privilege).  Not a migration: roles are cluster-wide and
-- need CREATEROLE, which the schema owner running `oidcctl migrate` need
-- not have.  Run it as a superuser after every `oidcctl migrate`:
--
--     psql -v ON_ERROR_STOP=1 -d oidc -f sql/roles.sql
--
-- It is idempotent.  The roles are NOLOGIN groups; give each worker a
-- login role that is a member, e.g.
--
--     CREATE ROLE token_worker LOGIN IN ROLE oidc_token;
--
-- and name it in that binary's configuration (database = ... user=...).
-- The schema owner (oidcctl: migrate, client, user, key, purge,
-- backchannel deliver) keeps every right.  Foreign-key cascades run with
-- the owner's rights, so the endpoints need no grant on the rows a
-- cascade removes.  tests/integration/t/95-db-roles.py runs every endpoint
-- through a whole flow under these roles and checks what they may not do.

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['oidc_authorize', 'oidc_token',
	    'oidc_userinfo', 'oidc_discovery', 'oidc_jwks', 'oidc_revoke',
	    'oidc_introspect', 'oidc_end_session', 'oidc_register',
	    'oidc_metrics', 'oidc_par', 'oidc_device'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
		EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public '
		    'FROM %I', r);
		EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
		-- Every worker polls the key generation (keystore.c).
		EXECUTE format('GRANT SELECT ON signing_key_generation TO %I', r);
	END LOOP;
END
$$;

-- Public halves of the signing keys only: the sealed private keys stay
-- out of reach of the binaries that publish (and of metrics.fcgi, which
-- reports the active keys' ages and touches nothing else; revoke and
-- introspect verify JWT access tokens, oidc/access_token.h).
GRANT SELECT (kid, alg, public_jwk, created_at, publish_at, activate_at,
    retire_at, expire_at) ON signing_key TO oidc_discovery, oidc_jwks,
    oidc_metrics, oidc_revoke, oidc_introspect;
GRANT SELECT ON signing_key TO oidc_authorize, oidc_token, oidc_userinfo,
    oidc_end_session;

-- The authorization endpoint: login (the only reader of password hashes),
-- consent, codes, implicit tokens.
GRANT SELECT ON client, app_user TO oidc_authorize;
GRANT SELECT, INSERT ON login_session, login_failure, used_nonce,
    auth_code, token, session_client TO oidc_authorize;
GRANT SELECT, INSERT, UPDATE ON consent TO oidc_authorize;
-- Redeeming a pushed authorization request (0016_pushed_request.sql).
GRANT SELECT, UPDATE ON pushed_request TO oidc_authorize;
-- login = remote_user (oidc/remote_user.h): the web server's user is
-- created or its claims updated; never a password or the disabled mark.
GRANT INSERT (username, sub, claims), UPDATE (claims, updated_at)
    ON app_user TO oidc_authorize;
GRANT USAGE ON SEQUENCE app_user_user_id_seq TO oidc_authorize;
-- The TOTP second factor (0023_totp.sql): read the sealed secret, record
-- the step used, enrol (totp = required), spend recovery codes, keep the
-- logins waiting for their second step.
GRANT SELECT, INSERT, UPDATE ON user_totp TO oidc_authorize;
GRANT SELECT, INSERT, DELETE ON user_recovery_code, login_pending
    TO oidc_authorize;

-- The token endpoint: consume codes, rotate and revoke tokens.
GRANT SELECT ON client TO oidc_token;
GRANT SELECT (user_id, username, sub, claims, disabled_at, updated_at)
    ON app_user TO oidc_token, oidc_userinfo, oidc_introspect,
    oidc_end_session;
GRANT SELECT, UPDATE ON auth_code TO oidc_token;
-- Sealed codes (0011_used_code.sql): the code flow's one write at /token
-- records the code, its nonce and the session's client (sid only).
GRANT SELECT, INSERT ON used_code, used_nonce, session_client TO oidc_token;
GRANT SELECT (sid) ON login_session TO oidc_token;
GRANT SELECT, INSERT, UPDATE ON token TO oidc_token;
GRANT SELECT, INSERT ON used_jti TO oidc_token;
-- Client-authentication throttling (clientauth.c) at token, revoke and
-- introspect.
GRANT SELECT, INSERT ON login_failure TO oidc_token, oidc_revoke,
    oidc_introspect;

GRANT SELECT ON token, client TO oidc_userinfo;

-- DPoP proofs seen (0021_dpop.sql), at token and userinfo: insert, and
-- delete a few expired rows on the way.
GRANT SELECT, INSERT, DELETE ON dpop_jti TO oidc_token, oidc_userinfo;

GRANT SELECT ON client TO oidc_revoke;
GRANT SELECT, INSERT ON used_jti TO oidc_revoke;
GRANT SELECT, UPDATE ON token TO oidc_revoke;

GRANT SELECT ON client, token TO oidc_introspect;
GRANT SELECT, INSERT ON used_jti TO oidc_introspect;

-- Resource indicators (RFC 8707, 0022_resource.sql): read where a
-- `resource` parameter is checked.
GRANT SELECT ON resource TO oidc_authorize, oidc_token, oidc_par;

-- The device authorization grant (RFC 8628, 0017_device_code.sql):
-- device.fcgi authenticates the client and inserts the device code; the
-- /device page of authorize.fcgi decides it; /token polls it.
GRANT SELECT ON client TO oidc_device;
GRANT SELECT, INSERT ON used_jti, login_failure, device_code TO oidc_device;
GRANT SELECT, UPDATE ON device_code TO oidc_authorize, oidc_token;

-- Logout: end the session, queue back-channel logout tokens.
GRANT SELECT ON client, session_client TO oidc_end_session;
GRANT SELECT, DELETE ON login_session TO oidc_end_session;
GRANT INSERT ON backchannel_delivery TO oidc_end_session;

-- Dynamic registration manages its own clients only (the statements
-- check the registration access token hash).
GRANT SELECT, INSERT, UPDATE, DELETE ON client TO oidc_register;

-- Pushed authorization requests (RFC 9126): authenticate the client as at
-- /token, verify request objects (jti ledger), store the request; each
-- insert deletes a few expired rows.
GRANT SELECT ON client TO oidc_par;
GRANT SELECT, INSERT ON login_failure, used_jti TO oidc_par;
GRANT SELECT, INSERT, DELETE ON pushed_request TO oidc_par;
