-- 0001_init.sql: clients and users.
-- Forward-only: never edit a merged migration; add a new numbered file.
-- schema_migration itself is created by `oidcctl migrate`.

CREATE TABLE client (
	client_id	text PRIMARY KEY
			CHECK (length(client_id) BETWEEN 1 AND 128
			       AND client_id ~ '^[\x21-\x7e]+$'),
	-- SHA-256 of a generated high-entropy secret; NULL for public clients.
	secret_hash	bytea CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
	-- Only for clients that need the plaintext (HS* signing with the
	-- secret, client_secret_jwt: OIDC Core 10.1, 9).
	secret_plain	text,
	-- The RFC 7591 metadata as registered, normalised by oidc/client.c.
	metadata	jsonb NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
	first_party	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
	user_id		bigserial PRIMARY KEY,
	username	text NOT NULL UNIQUE
			CHECK (length(username) BETWEEN 1 AND 128),
	-- The subject identifier: random, stable, never reassigned.
	sub		text NOT NULL UNIQUE CHECK (length(sub) BETWEEN 1 AND 255),
	-- "$scrypt$ln=..,r=8,p=1$salt$hash" (oidc/crypto.h); NULL: no login.
	password_hash	text,
	-- OIDC Core 5.1 standard claims as stored by `oidcctl user set-claims`.
	claims		jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(claims) = 'object'),
	disabled_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
