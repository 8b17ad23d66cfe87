-- 0002_grants.sql: login sessions, consents, authorization codes, tokens,
-- and the replay and throttling ledgers.  Every secret value (session id,
-- code, token) is stored only as its SHA-256; every transient row has an
-- expires_at and is purged by `oidcctl purge`.

CREATE TABLE login_session (
	session_hash	bytea PRIMARY KEY CHECK (length(session_hash) = 32),
	user_id		bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	-- Session id for the ID Token "sid" claim (not secret).
	sid		text NOT NULL UNIQUE,
	auth_time	timestamptz NOT NULL,
	amr		text NOT NULL DEFAULT 'pwd',
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX login_session_expires ON login_session (expires_at);
CREATE INDEX login_session_user ON login_session (user_id);

CREATE TABLE consent (
	user_id		bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	-- Space-separated scope values the user granted (a set).
	scope		text NOT NULL,
	granted_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, client_id)
);

CREATE TABLE auth_code (
	code_hash	bytea PRIMARY KEY CHECK (length(code_hash) = 32),
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	redirect_uri	text NOT NULL,
	scope		text NOT NULL,
	nonce		text,
	code_challenge	text CHECK (code_challenge IS NULL OR
			    length(code_challenge) BETWEEN 43 AND 128),
	auth_time	timestamptz NOT NULL,
	acr		text,
	amr		text,
	sid		text,
	-- The "claims" request parameter (OIDC Core 5.5), when given.
	claims		jsonb,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	consumed_at	timestamptz
);
CREATE INDEX auth_code_expires ON auth_code (expires_at);

CREATE TABLE token (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	kind		text NOT NULL CHECK (kind IN ('access', 'refresh')),
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	-- NULL for client_credentials tokens.
	user_id		bigint REFERENCES app_user ON DELETE CASCADE,
	scope		text NOT NULL,
	-- The code this grant came from: a replayed code revokes them all.
	auth_code_hash	bytea,
	-- Refresh rotation family: reuse of a rotated token revokes it.
	family_id	bytea,
	auth_time	timestamptz,
	acr		text,
	amr		text,
	sid		text,
	claims		jsonb,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	rotated_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX token_code ON token (auth_code_hash)
	WHERE auth_code_hash IS NOT NULL;
CREATE INDEX token_family ON token (family_id) WHERE family_id IS NOT NULL;
CREATE INDEX token_expires ON token (expires_at);

-- Nonces already used per client (the seed's exists_nonce).
CREATE TABLE used_nonce (
	client_id	text NOT NULL,
	nonce_hash	bytea NOT NULL CHECK (length(nonce_hash) = 32),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (client_id, nonce_hash)
);
CREATE INDEX used_nonce_expires ON used_nonce (expires_at);

-- Client assertion jti values, remembered until the assertion expires.
CREATE TABLE used_jti (
	client_id	text NOT NULL,
	jti_hash	bytea NOT NULL CHECK (length(jti_hash) = 32),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (client_id, jti_hash)
);
CREATE INDEX used_jti_expires ON used_jti (expires_at);

-- Failed logins, per account ("u:NAME") and per address ("a:ADDR").
CREATE TABLE login_failure (
	key		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_key ON login_failure (key, at);
